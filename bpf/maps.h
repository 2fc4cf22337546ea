/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The maps: the state the programs keep and the API admins see with
 * bpftool (maps/ documents each on a page of its own). The key and value types are in
 * maps/lockc.h, shared with lockcctl; the types only the kernel side uses
 * (an inode's cached verdict, a scratch buffer) are here.
 */
#ifndef LOCKC_BPF_MAPS_H
#define LOCKC_BPF_MAPS_H

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LOCKC_CONTAINERS_MAX);
	__type(key, __u64);
	__type(value, struct lockc_container);
} containers SEC(".maps");

/* Written by lockcctl guard apply from lockc.conf; see maps/guards.md. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LOCKC_GUARDS_MAX);
	__type(key, struct lockc_guard_key);
	__type(value, struct lockc_guard);
} guards SEC(".maps");

/* Written by lockcctl when it registers a container from its spec; see maps/own_mounts.md. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LOCKC_OWN_MOUNTS_MAX);
	__type(key, struct lockc_own_mount_key);
	__type(value, struct lockc_own_mount);
} own_mounts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LOCKC_POLICIES_MAX);
	__type(key, __u32);
	__type(value, struct lockc_policy);
} policies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LOCKC_RULES_MAX);
	__type(key, struct lockc_rule_key);
	__type(value, struct lockc_rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lockc_task);
} armed_tasks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} path_changes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tree_changes SEC(".maps");

/*
 * The credentials of confined tasks: a struct cred's address -> the cgroup
 * id of the registration whose task made it (or was armed with it), until
 * the kernel frees it. Credentials travel: io_uring runs a request with the
 * credentials it was submitted with, in a worker whose own are older, and a
 * personality keeps a set for later. A capability check under credentials
 * found here is the container's, whoever runs it; one under credentials
 * found nowhere is the kernel's own borrowing (overlayfs copying up with
 * the mounter's) and passes.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, LOCKC_TASK_CREDS_MAX);
	__type(key, __u64);
	__type(value, struct lockc_cred_owner);
} task_creds SEC(".maps");

/*
 * What a container's policy let it do with an inode: open it for reading,
 * run or map it executable. Kept on the inode, so that the next time the
 * container does the same with it the path and the rule lookup, which are
 * most of what an open or exec in a container costs (make bench), are
 * skipped. The container could do it through an allowed path, so doing it
 * again through another path gives it nothing new. The entry holds while
 * the container's ruleset is the one that allowed it (a ruleset number is
 * never reused, see lockcctl policy apply) and no path on the node has
 * changed ("path_changes"). The kernel frees it with the inode, so it cannot
 * outlive the file it stands for. One container per inode: another
 * container's verdict replaces it. The lock keeps a reader from seeing half
 * of one container's entry and half of another's.
 */
#define INODE_READ 1
#define INODE_EXEC 2

struct allowed_inode {
	struct bpf_spin_lock lock;
	__u32 ruleset;
	__u64 container;
	__u64 path_changes;
	__u32 allowed;		/* INODE_READ | INODE_EXEC */
};

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct allowed_inode);
} allowed_inodes SEC(".maps");

/*
 * What a container's policy let it do in a directory: change its entries
 * (make, remove, rename, link, write, chmod, chown, touch them). Kept when
 * the change was allowed and no rule of the ruleset lies below the
 * directory (no LOCKC_RULE_RULES_BELOW marker): then every entry's path is
 * decided as the directory's own, whatever its name, and the next change of
 * any entry skips the path walk and the lookups. The entry holds while the
 * container's ruleset is the one that allowed it and no directory on the
 * node has moved or gone ("tree_changes"); a file's rename does not end it.
 * Only file systems whose files are judged by their path alone keep one
 * (not procfs, sysfs, cgroupfs, bpffs and their kind).
 *
 * A hash keyed by the directory inode's address, not inode storage: the
 * path hooks reach the directory through d_parent, a pointer 6.12's
 * verifier does not let a program keep inode storage on. An address is
 * reused once its inode is freed, so the value names the directory as well
 * (file system, inode number, generation), and a hit must match them.
 */
struct allowed_dir_key {
	__u64 container;
	__u64 dir;		/* the directory's struct inode, by address */
};

struct allowed_dir {
	__u64 sb;		/* its struct super_block, by address */
	__u64 ino;
	__u32 generation;
	__u32 ruleset;
	__u64 tree_changes;
};

/* LRU: a directory nobody changes in ages out, and so does a container that is gone. */
#define ALLOWED_DIRS_MAX 16384

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ALLOWED_DIRS_MAX);
	__type(key, struct allowed_dir_key);
	__type(value, struct allowed_dir);
} allowed_dirs SEC(".maps");

/* Written by lockc-load, read by admins and the next lockc-load only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lockc_loaded_object);
} loaded_object SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LOCKC_EVENTS_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LOCKC_IPC_OBJECTS_MAX);
	__type(key, __u64);
	__type(value, struct lockc_ipc_owner);
} ipc_owners SEC(".maps");

/* LRU: a removed container's budget ages out without anyone deleting it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LOCKC_CONTAINERS_MAX);
	__type(key, __u64);
	__type(value, struct lockc_event_budget);
} event_budgets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lockc_event_stats);
} event_stats SEC(".maps");

/* Allocated as it fills: it holds nothing until a container learns. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LOCKC_LEARNED_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lockc_learned_key);
	__type(value, struct lockc_learned);
} learned SEC(".maps");

/*
 * What a learning container has recorded in map "learned" for one name: an
 * entry name of a directory, reached through a mount, whose path, and so
 * whose record, stay the same while no directory on the node moves or goes
 * (tree_changes). A repeated use of a recorded name returns at once, as a
 * kept verdict does for an enforced container (which a learning one cannot
 * use: a kept verdict answers for names it never showed). See
 * maps/learned_names.md.
 *
 * A name is its directory and the hash the kernel gave it, which it salts
 * with the directory's dentry: a dentry's own address is no name, since a
 * file system such as tmpfs frees the dentry of a removed file and gives
 * its address to the next name made. The directory is its dentry's and its
 * inode's addresses: another directory would have to reuse both for its
 * entry of the same name to find this key.
 */
struct learned_name_key {
	__u64 container;	/* the registration's cgroup id */
	/*
	 * The struct vfsmount the name was reached through, by address; for
	 * the inode hooks' changes (timestamps, attributes), which find their
	 * mount by a search, the task's struct mnt_namespace instead.
	 */
	__u64 mount;
	__u64 directory;	/* the name's d_parent, by address (the dentry itself for a root) */
	__u64 directory_inode;	/* that directory's struct inode, by address */
	__u64 name_hash_len;	/* the name's d_name.hash_len */
};

/* Uses of a name kept in a learned_names entry: opens and execs, and each kind of change (LOCKC_WRITE_*). */
#define LEARNED_NAME_OPEN 1u
#define LEARNED_NAME_EXEC 2u
#define LEARNED_NAME_EXEC_MAP 4u
#define LEARNED_NAME_WRITE(kind) (8u << (kind))
_Static_assert(LOCKC_WRITE_TIMES < 29, "every kind of change has a bit of learned_name.recorded");

struct learned_name {
	__u64 tree_changes;	/* the count in tree_changes before the first decision */
	__u32 ruleset;		/* that decided the uses */
	__u32 recorded;		/* LEARNED_NAME_* bits: the uses recorded in "learned" */
};

/* LRU: a name nobody uses again ages out, and so does a container that is gone. */
#define LEARNED_NAMES_MAX 8192

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LEARNED_NAMES_MAX);
	__type(key, struct learned_name_key);
	__type(value, struct learned_name);
} learned_names SEC(".maps");

/*
 * Room for a whole path, the rule key built from it and the event that may
 * report it: too big for the BPF stack. The path directly follows the event
 * header, so header and detail leave in one ring-buffer write. Programs run
 * with migration disabled but may be preempted, so a buffer is claimed with
 * a compare-and-swap on `busy`, not assumed free.
 */
#define SCRATCH_SLOTS 4

struct scratch {
	__u64 busy;
	struct lockc_event event;
	char path[PATH_MAX];
	struct lockc_rule_key key;
	/* An entry of map "learned", built here: the key is too big for the stack, the value too on the deepest calls. */
	struct lockc_learned_key learned_key;
	struct lockc_learned learned_value;
	/* Set when learned_first() could not record a use: the decision is then not kept (learned_names). */
	__u32 learned_missed;
	/* A cgroup's path as a "guards" key; s->walk after it is the room its writes need. */
	struct lockc_guard_key guard;
	/*
	 * Where resolve_path() builds a path backwards, one component at a
	 * time. The NAME_MAX bytes past PATH_MAX let the verifier see that
	 * a component copied below PATH_MAX stays inside.
	 */
	char walk[PATH_MAX + NAME_MAX + 1];
};

_Static_assert(__builtin_offsetof(struct scratch, path) ==
		       __builtin_offsetof(struct scratch, event) + sizeof(struct lockc_event),
	       "an event's detail must follow its header");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_slots SEC(".maps");

#endif /* LOCKC_BPF_MAPS_H */
