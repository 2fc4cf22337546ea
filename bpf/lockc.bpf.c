// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockc's BPF LSM programs. Containers are cgroup v2 subtrees registered in
 * the "containers" map; each names a policy in the "policies" map.
 *
 * A task is armed at its first execve while its cgroup has a registered
 * ancestor (its own cgroup included; the nearest one wins): the registration
 * is written to the task's storage, copied to every child and thread it
 * creates, and never removed. So the runtime's setup before that exec runs
 * free, and the workload is confined from its first instruction. Every hook
 * starts with one task-storage lookup; a task without storage (every host
 * process) leaves right there.
 *
 * Every hook returns an earlier LSM's denial unchanged, and denies when the
 * registration points at a policy that does not exist (fail closed). Every
 * denial is reported on the "events" ring buffer; a container in audit mode
 * is reported and not refused.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "lockc.h"

#define EPERM 1
#define ENOMEM 12
#define EINVAL 22
#define ENOPARAM 519
#define MS_REMOUNT 32
#define MS_BIND 4096
#define PATH_MAX 4096
#define RENAME_EXCHANGE 2

#if defined(__TARGET_ARCH_x86)
#define NR_mount 165
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define NR_mount 40
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#else
#error "lockc knows the mount(2) syscall number of x86 and arm64 only"
#endif

/* The kernel's MNT_NS_INTERNAL: kernel-internal mounts (pipes, sockets...). */
#define MNT_NS_INTERNAL ((struct mnt_namespace *)-EINVAL)
/* The kernel's FMODE_NOACCOUNT (6.1 and 6.12 alike): files the kernel opens for itself. */
#define FMODE_NOACCOUNT 0x20000000

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LOCKC_CONTAINERS_MAX);
	__type(key, __u64);
	__type(value, struct lockc_container);
} containers SEC(".maps");

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

/*
 * Room for a whole path, the rule key built from it and the event that may
 * report it: too big for the BPF stack. The path directly follows the event
 * header, so header and detail leave in one ring-buffer write. Programs run
 * with migration disabled but may be preempted, so a buffer is claimed with
 * a compare-and-swap on `busy`, not assumed free.
 */
#define SCRATCH_SLOTS 4

#define NAME_MAX 255

struct scratch {
	__u64 busy;
	struct lockc_event event;
	char path[PATH_MAX];
	struct lockc_rule_key key;
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

static struct scratch *scratch_try(__u32 slot)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch_slots, &slot);

	return s && __sync_val_compare_and_swap(&s->busy, 0, 1) == 0 ? s : NULL;
}

/* NULL when every slot of this CPU is taken: the caller denies. */
static struct scratch *scratch_claim(void)
{
	_Static_assert(SCRATCH_SLOTS == 4, "scratch_claim tries each slot");
	return scratch_try(0) ?: scratch_try(1) ?: scratch_try(2) ?: scratch_try(3);
}

static void scratch_release(struct scratch *s)
{
	__sync_lock_test_and_set(&s->busy, 0);
}

/*
 * The nearest registered ancestor of the current task's cgroup (the cgroup
 * itself included) and its level, or NULL. Walking from the root down and
 * keeping the last match finds the nearest one while never looking deeper
 * than LOCKC_CGROUP_LEVEL_MAX, the deepest level lockcctl registers. Only
 * unarmed tasks pay for this, once per execve.
 */
static __u64 registered_ancestor(__u32 *found_level)
{
	struct task_struct *task = bpf_get_current_task_btf();
	int level = BPF_CORE_READ(task, cgroups, dfl_cgrp, level);
	__u64 found = 0;

	for (int i = 1; i <= LOCKC_CGROUP_LEVEL_MAX && i <= level; i++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(i);

		if (bpf_map_lookup_elem(&containers, &id)) {
			found = id;
			*found_level = i;
		}
	}
	return found;
}

/*
 * Argument n of the hook as a number, read through bpf_get_func_arg.
 */
static __u64 pointer_arg(void *ctx, __u32 n)
{
	__u64 value = 0;

	bpf_get_func_arg(ctx, n, &value);
	return value;
}

/*
 * Whether pointer argument n of the hook, `ptr`, which may be NULL, is set.
 * Verifiers disagree on such an argument: 6.12's types every hook argument
 * as never NULL and drops a test of the pointer as dead code, so only the
 * number read by pointer_arg tells; 7.x's types those the kernel marks
 * nullable as maybe NULL and refuses a dereference that no test of the
 * pointer itself guards. Both tests, then: each kernel keeps the one it needs.
 */
#define ARG_SET(ctx, n, ptr) (pointer_arg(ctx, n) && (ptr))

/* What confines the current task: its arming, registration and policy. */
struct confinement {
	struct lockc_task *task;
	struct lockc_container *container;	/* NULL: the registration is gone, and the task left its cgroup: deny */
	struct lockc_policy *policy;	/* NULL: the policy or registration is missing, deny */
};

/*
 * False for a task that lockc leaves alone: one never armed, or one whose
 * registration an admin deleted (or an upgrade has not carried yet) while
 * the task is still in the registered cgroup. A task that left that cgroup
 * stays confined: once the registration is gone (the cgroup was removed
 * after the task moved out), no policy applies and everything is denied.
 */
static bool confined(struct confinement *c)
{
	c->task = bpf_task_storage_get(&armed_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!c->task)
		return false;
	c->container = bpf_map_lookup_elem(&containers, &c->task->container);
	if (c->container) {
		c->policy = bpf_map_lookup_elem(&policies, &c->container->policy_id);
		return true;
	}
	c->policy = NULL;
	return bpf_get_current_ancestor_cgroup_id(c->task->level) != c->task->container;
}

/*
 * What a hook returns for a denial: -EPERM, unless the registration says
 * audit. Branches, not arithmetic on a bool: the verifier must see a
 * return value in [-4095, 0], which a negated 32-bit 0 or 1 is not.
 */
static int denial(struct confinement *c)
{
	if (c->container && c->container->mode == LOCKC_MODE_AUDIT)
		return 0;
	return -EPERM;
}

/* The count of path changes so far; see "path_changes" in maps/lockc.h. */
static __u64 path_changes_now(void)
{
	__u32 zero = 0;
	__u64 *changes = bpf_map_lookup_elem(&path_changes, &zero);

	return changes ? *changes : 0;
}

/*
 * Called by every task, the host's too: a host rename can move a file out
 * of a container's allowed paths.
 */
static void note_path_change(void)
{
	__u32 zero = 0;
	__u64 *changes = bpf_map_lookup_elem(&path_changes, &zero);

	if (changes)
		__sync_fetch_and_add(changes, 1);
}

/* Whether the container was allowed `what` (INODE_*) on this inode, and no path changed since. */
static bool allowed_before(struct confinement *c, struct inode *inode, __u32 what, __u64 changes)
{
	struct allowed_inode *entry = bpf_inode_storage_get(&allowed_inodes, inode, 0, 0);
	bool allowed;

	if (!entry || !c->policy)
		return false;
	bpf_spin_lock(&entry->lock);
	allowed = entry->container == c->task->container && entry->ruleset == c->policy->ruleset &&
		  entry->path_changes == changes && (entry->allowed & what);
	bpf_spin_unlock(&entry->lock);
	return allowed;
}

/*
 * Best effort: an inode without room for an entry is decided in full next
 * time. `changes` is the count read before the decision was made, so a path
 * change while it was made leaves the entry unused.
 */
static void remember_allowed(struct confinement *c, struct inode *inode, __u32 what, __u64 changes)
{
	struct allowed_inode *entry =
		bpf_inode_storage_get(&allowed_inodes, inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!entry || !c->policy)
		return;
	bpf_spin_lock(&entry->lock);
	if (entry->container == c->task->container && entry->ruleset == c->policy->ruleset &&
	    entry->path_changes == changes) {
		entry->allowed |= what;
	} else {
		entry->container = c->task->container;
		entry->ruleset = c->policy->ruleset;
		entry->path_changes = changes;
		entry->allowed = what;
	}
	bpf_spin_unlock(&entry->lock);
}

/* A missing policy allows nothing. */
#define ALLOWED(policy, field) ((policy) && (policy)->field == LOCKC_VERDICT_ALLOW)

static void count_event(__u64 *counter)
{
	__sync_fetch_and_add(counter, 1);
}

/*
 * Whether the container may send one more event in the current window. When
 * it may, *suppressed is what it was refused since its last one.
 */
static bool event_budget_take(__u64 container, __u32 *suppressed)
{
	struct lockc_event_budget *budget, fresh = {};
	__u64 now = bpf_ktime_get_boot_ns();

	budget = bpf_map_lookup_elem(&event_budgets, &container);
	if (!budget) {
		fresh.window_start_ns = now;
		bpf_map_update_elem(&event_budgets, &container, &fresh, BPF_NOEXIST);
		budget = bpf_map_lookup_elem(&event_budgets, &container);
		if (!budget)
			return true;	/* cannot count: better one event too many */
	}
	/* Unlocked: a race costs an event more or less in a window, never a verdict. */
	if (now - budget->window_start_ns >= LOCKC_EVENT_WINDOW_NS) {
		budget->window_start_ns = now;
		budget->sent = 0;
	}
	if (budget->sent >= LOCKC_EVENTS_PER_WINDOW) {
		__sync_fetch_and_add(&budget->suppressed, 1);
		return false;
	}
	__sync_fetch_and_add(&budget->sent, 1);
	*suppressed = __sync_lock_test_and_set(&budget->suppressed, 0);
	return true;
}

/*
 * Report a denial whose detail, detail_len bytes, is already in s->path, and
 * whose value is in s->event.value.
 */
static void report(struct confinement *c, enum lockc_operation op, bool enforce, struct scratch *s,
		   __u32 detail_len)
{
	struct lockc_event *e = &s->event;
	struct lockc_event_stats *stats;
	__u32 zero = 0, suppressed = 0, detail = detail_len & (PATH_MAX - 1);
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	stats = bpf_map_lookup_elem(&event_stats, &zero);
	if (!event_budget_take(c->task->container, &suppressed)) {
		if (stats)
			count_event(&stats->rate_limited);
		return;
	}
	e->time_ns = bpf_ktime_get_boot_ns();
	e->container = c->task->container;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->policy_id = c->container ? c->container->policy_id : 0;
	e->suppressed = suppressed;
	e->operation = op;
	e->decision = enforce ? LOCKC_DECISION_DENIED : LOCKC_DECISION_AUDITED;
	e->detail_len = detail;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (c->container)
		__builtin_memcpy(e->container_name, c->container->name, LOCKC_NAME_MAX);
	else
		e->container_name[0] = '\0';
	e->container_name[LOCKC_NAME_MAX - 1] = '\0';
	if (c->policy)
		__builtin_memcpy(e->policy_name, c->policy->name, LOCKC_NAME_MAX);
	else
		e->policy_name[0] = '\0';
	e->policy_name[LOCKC_NAME_MAX - 1] = '\0';
	if (bpf_ringbuf_output(&events, e, sizeof(*e) + detail, 0)) {
		if (stats)
			count_event(&stats->ring_full);
		return;
	}
	if (stats)
		count_event(&stats->sent);
}

/*
 * The answer to an operation that the policy denies, reported with the
 * detail in s->path: -EPERM, or 0 for a container in audit mode.
 */
static int refuse(struct confinement *c, enum lockc_operation op, __u32 value, struct scratch *s,
		  __u32 detail_len)
{
	int ret = denial(c);

	s->event.value = value;
	report(c, op, ret != 0, s, detail_len);
	return ret;
}

/*
 * refuse() for hooks that hold no scratch buffer: the detail is a kernel
 * string (or none), copied into a buffer claimed here.
 */
static int refuse_str(struct confinement *c, enum lockc_operation op, __u32 value, const char *detail)
{
	int ret = denial(c);
	struct lockc_event_stats *stats;
	struct scratch *s = scratch_claim();
	__u32 zero = 0;
	long len = 0;

	if (!s) {
		stats = bpf_map_lookup_elem(&event_stats, &zero);
		if (stats)
			count_event(&stats->no_buffer);
		return ret;
	}
	if (detail)
		len = bpf_probe_read_kernel_str(s->path, sizeof(s->path), detail);
	s->event.value = value;
	report(c, op, ret != 0, s, len > 1 ? len - 1 : 0);
	scratch_release(s);
	return ret;
}

/* The name of a dentry, for an event's detail. */
static const char *dentry_name(struct dentry *dentry)
{
	return (const char *)BPF_CORE_READ(dentry, d_name.name);
}

/*
 * The verdict of the longest rule of (ruleset, class) that is a prefix of
 * `path` (len bytes, no NUL, kernel memory), encoded as maps/lockc.h says;
 * `unmatched` when no rule is.
 */
static enum lockc_verdict rule_verdict_or(struct scratch *s, __u32 ruleset, enum lockc_rule_class class,
					  const char *path, __u32 len, enum lockc_verdict unmatched)
{
	struct lockc_rule_key *key = &s->key;
	struct lockc_rule *rule;
	__u32 n = len < LOCKC_RULE_PATH_MAX ? len : LOCKC_RULE_PATH_MAX;

	/* barrier_var keeps the compiler from folding the bounds the verifier needs. */
	barrier_var(n);
	if (n == 0 || n > LOCKC_RULE_PATH_MAX)
		return LOCKC_VERDICT_DENY;
	if (bpf_probe_read_kernel(key->path, n, path))
		return LOCKC_VERDICT_DENY;
	if (n < LOCKC_RULE_PATH_MAX) {
		__u32 last = n - 1;

		/* The whole path fit: add the "/" and the NUL that end it. */
		barrier_var(last);
		if (last >= LOCKC_RULE_PATH_MAX)
			return LOCKC_VERDICT_DENY;
		if (key->path[last] != '/')
			key->path[n++] = '/';
		barrier_var(n);
		if (n < LOCKC_RULE_PATH_MAX)
			key->path[n++] = '\0';
	}
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * n;
	key->ruleset = ruleset;
	key->class = class;
	rule = bpf_map_lookup_elem(&rules, key);
	return rule ? rule->verdict : unmatched;
}

/* rule_verdict_or() for the classes where a path no rule matches is denied. */
static enum lockc_verdict rule_verdict(struct scratch *s, __u32 ruleset, enum lockc_rule_class class,
				       const char *path, __u32 len)
{
	return rule_verdict_or(s, ruleset, class, path, len, LOCKC_VERDICT_DENY);
}

/* The kernel's dev_t: 12 bits of major, 20 of minor. */
#define DEV_MAJOR(dev) ((__u32)(dev) >> 20)
#define DEV_MINOR(dev) ((__u32)(dev) & 0xfffff)

#define S_IFMT 00170000
#define S_IFCHR 0020000
#define S_IFBLK 0060000

static bool is_device(umode_t mode)
{
	return (mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK;
}

/* The verdict of the ruleset's device rules on a character or block device. */
static enum lockc_verdict device_verdict(struct scratch *s, __u32 ruleset, umode_t mode, dev_t dev)
{
	struct lockc_rule_key *key = &s->key;
	struct lockc_rule *rule;
	__u32 major = bpf_htonl(DEV_MAJOR(dev)), minor = bpf_htonl(DEV_MINOR(dev));

	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * LOCKC_DEVICE_KEY_LEN;
	key->ruleset = ruleset;
	key->class = LOCKC_RULE_DEVICE;
	key->path[0] = (mode & S_IFMT) == S_IFBLK ? 'b' : 'c';
	__builtin_memcpy(&key->path[1], &major, sizeof(major));
	__builtin_memcpy(&key->path[5], &minor, sizeof(minor));
	rule = bpf_map_lookup_elem(&rules, key);
	return rule ? rule->verdict : LOCKC_VERDICT_DENY;
}

/* The kernel's real_mount(): the struct mount around a vfsmount. */
static struct mount *real_mount(struct vfsmount *vfsmnt)
{
	return (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
}

/*
 * Whether cgroup cgrp is the cgroup with id `id` at `level`, or below it.
 * A socket keeps the cgroup of the task that created it. Cgroups nested more
 * than SOCKET_CGROUP_CLIMB_MAX levels below a container count as outside.
 */
#define SOCKET_CGROUP_CLIMB_MAX 64

static bool in_cgroup_subtree(struct cgroup *cgrp, __u64 id, __u32 level)
{
	int steps;

	if (!cgrp)
		return false;
	steps = BPF_CORE_READ(cgrp, level) - (int)level;
	if (steps < 0 || steps > SOCKET_CGROUP_CLIMB_MAX)
		return false;
	for (int i = 0; i < SOCKET_CGROUP_CLIMB_MAX && i < steps && cgrp; i++)
		cgrp = BPF_CORE_READ(cgrp, self.parent, cgroup);
	return cgrp && BPF_CORE_READ(cgrp, kn, id) == id;
}

/* File systems whose every file is kernel state: writing one changes the kernel. */
#define SYSFS_MAGIC 0x62656572
#define DEBUGFS_MAGIC 0x64626720
#define TRACEFS_MAGIC 0x74726163
#define SECURITYFS_MAGIC 0x73636673
#define BPF_FS_MAGIC 0xcafe4a11
#define CONFIGFS_MAGIC 0x62656570
#define EFIVARFS_MAGIC 0xde5e81e4
#define PSTOREFS_MAGIC 0x6165676c
#define PROC_SUPER_MAGIC 0x9fa0
#define FMODE_WRITE 0x2

/* Deeper than any file under /proc/sys. */
#define PROC_DEPTH_MAX 16

/*
 * Whether a dentry on procfs lies under /proc/sys or is /proc/sysrq-trigger,
 * wherever that procfs is mounted: its top directory below the procfs root
 * decides. A file deeper than PROC_DEPTH_MAX counts as one (fail closed).
 */
static bool proc_tunable(struct dentry *dentry, struct dentry *root)
{
	char sysrq[] = "sysrq-trigger", name[sizeof(sysrq)] = {};

	for (int i = 0; i < PROC_DEPTH_MAX; i++) {
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);

		if (dentry == root)
			return false;
		if (parent == root) {
			bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(dentry, d_name.name));
			if (name[0] == 's' && name[1] == 'y' && name[2] == 's' && name[3] == '\0')
				return true;
			for (__u32 j = 0; j < sizeof(sysrq); j++)
				if (name[j] != sysrq[j])
					return false;
			return true;
		}
		dentry = parent;
	}
	return true;
}

#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define S_IFREG 0100000

/*
 * A dentry's name compared with a string literal of at most 23 bytes, as
 * three little-endian words: the compiler folds the literal's bytes into
 * immediates, where a string constant would add a .rodata map to the pins.
 */
#define LITERAL_BYTE(s, i) ((i) < sizeof(s) ? (__u64)(unsigned char)(s)[(i) < sizeof(s) ? (i) : 0] : 0)
#define LITERAL_WORD(s, w)                                                                        \
	(LITERAL_BYTE(s, 8 * (w)) | LITERAL_BYTE(s, 8 * (w) + 1) << 8 | LITERAL_BYTE(s, 8 * (w) + 2) << 16 | \
	 LITERAL_BYTE(s, 8 * (w) + 3) << 24 | LITERAL_BYTE(s, 8 * (w) + 4) << 32 |                       \
	 LITERAL_BYTE(s, 8 * (w) + 5) << 40 | LITERAL_BYTE(s, 8 * (w) + 6) << 48 | LITERAL_BYTE(s, 8 * (w) + 7) << 56)
#define NAMED(name, s)                                                                              \
	((name)->len == sizeof(s) - 1 && (name)->words[0] == LITERAL_WORD(s, 0) &&                        \
	 (name)->words[1] == LITERAL_WORD(s, 1) && (name)->words[2] == LITERAL_WORD(s, 2))

struct short_name {
	__u32 len;
	__u64 words[3];	/* the name, zero-filled; names of 24 bytes or more are left empty */
};

static void read_short_name(struct dentry *dentry, struct short_name *name)
{
	name->len = BPF_CORE_READ(dentry, d_name.len);
	if (name->len < sizeof(name->words))
		bpf_probe_read_kernel(name->words, name->len, BPF_CORE_READ(dentry, d_name.name));
}

/*
 * Whether `dentry`, on a cgroup file system, is the container's to change:
 * anything below its registered cgroup, and in that cgroup itself its child
 * cgroups and the files cgroup v2 delegates (cgroup.procs, cgroup.threads,
 * cgroup.subtree_control, and cgroup.kill, which reaches only the container).
 * Never a cgroup outside, whose tasks, limits and cgroup.kill are the
 * host's or another container's, nor the registered cgroup's own limits.
 */
static bool cgroup_delegated(struct confinement *c, struct dentry *dentry)
{
	/* kernfs keeps a directory's node in its inode's i_private. */
	struct kernfs_node *dir = BPF_CORE_READ(dentry, d_parent, d_inode, i_private);
	struct cgroup *cgrp = dir ? BPF_CORE_READ(dir, priv) : NULL;
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	struct short_name name = {};

	if (!in_cgroup_subtree(cgrp, c->task->container, c->task->level))
		return false;
	if (BPF_CORE_READ(cgrp, kn, id) != c->task->container)
		return true;
	if (!inode || (BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFREG)
		return true;	/* a child cgroup, made or removed */
	read_short_name(dentry, &name);
	return NAMED(&name, "cgroup.procs") || NAMED(&name, "cgroup.threads") ||
	       NAMED(&name, "cgroup.subtree_control") || NAMED(&name, "cgroup.kill");
}

/*
 * Whether changing `dentry` (writing it, making, removing or renaming it)
 * changes kernel state that the policy keeps from the container: see
 * kernel_tunables in maps/lockc.h.
 */
static bool kernel_state_refused(struct confinement *c, struct dentry *dentry)
{
	struct super_block *sb = BPF_CORE_READ(dentry, d_sb);

	if (!c->policy)
		return true;
	switch (BPF_CORE_READ(sb, s_magic)) {
	case BPF_FS_MAGIC:
		/* lockc's own pins: with bpf(2) denied they stay out of reach by path too. */
		return !ALLOWED(c->policy, kernel_tunables) || !ALLOWED(c->policy, bpf);
	case SYSFS_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case CONFIGFS_MAGIC:
	case EFIVARFS_MAGIC:
	case PSTOREFS_MAGIC:
		return !ALLOWED(c->policy, kernel_tunables);
	case PROC_SUPER_MAGIC:
		return !ALLOWED(c->policy, kernel_tunables) && proc_tunable(dentry, BPF_CORE_READ(sb, s_root));
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
		return !ALLOWED(c->policy, kernel_tunables) && !cgroup_delegated(c, dentry);
	}
	return false;
}

/* The namespace of the mount a file was opened through. */
static struct mnt_namespace *mount_namespace_of(struct file *file)
{
	struct mount *mnt = real_mount(BPF_CORE_READ(file, f_path.mnt));

	return BPF_CORE_READ(mnt, mnt_ns);
}

/* Whether the write rules let s->path (len bytes) change. */
static bool write_allowed(struct scratch *s, struct lockc_policy *policy, __u32 len)
{
	return len > 0 &&
	       rule_verdict_or(s, policy->ruleset, LOCKC_RULE_WRITE, s->path, len, LOCKC_VERDICT_ALLOW) ==
		       LOCKC_VERDICT_ALLOW;
}

/* Record credentials as container's; a full map fails the change that makes them (fail closed). */
static int own_creds(const struct cred *cred, __u64 container)
{
	struct lockc_cred_owner owner = { .container = container };
	__u64 key = (__u64)cred;

	return bpf_map_update_elem(&task_creds, &key, &owner, BPF_ANY) ? -ENOMEM : 0;
}

/* Whether cred is the current task's own: its real ones, or made by its container. */
static bool creds_of(struct confinement *c, const struct cred *cred)
{
	struct lockc_cred_owner *owner;
	__u64 key = (__u64)cred;

	if (cred == BPF_CORE_READ(bpf_get_current_task_btf(), real_cred))
		return true;
	owner = bpf_map_lookup_elem(&task_creds, &key);
	return owner && owner->container == c->task->container;
}

SEC("lsm/bprm_creds_for_exec")
int BPF_PROG(lockc_arm, struct linux_binprm *bprm, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct lockc_task *armed;
	__u32 level = 0;
	__u64 container;

	if (ret)
		return ret;
	if (bpf_task_storage_get(&armed_tasks, task, 0, 0))
		return 0;
	container = registered_ancestor(&level);
	if (!container)
		return 0;
	armed = bpf_task_storage_get(&armed_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!armed)
		return -ENOMEM;	/* an unarmed workload must not start */
	armed->container = container;
	armed->level = level;
	/* Prepared before the task was armed: the credentials it will run with. */
	return own_creds(bprm->cred, container);
}

SEC("lsm/task_alloc")
int BPF_PROG(lockc_inherit, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct lockc_task *parent, *child;

	if (ret)
		return ret;
	parent = bpf_task_storage_get(&armed_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!parent)
		return 0;
	child = bpf_task_storage_get(&armed_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!child)
		return -ENOMEM;	/* no unconfined children */
	child->container = parent->container;
	child->level = parent->level;
	return 0;
}

/*
 * Credentials a confined task makes from its own (prepare_creds: a fork,
 * setuid, access(2), a capability change) are its container's. Those it
 * makes from borrowed ones (overlayfs preparing the mounter's for a new
 * file) stay unrecorded, as the borrowed ones are.
 */
SEC("lsm/cred_prepare")
int BPF_PROG(lockc_cred_prepare, struct cred *new, const struct cred *old, gfp_t gfp, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c) || !creds_of(&c, old))
		return 0;
	return own_creds(new, c.task->container);
}

/* keyctl(KEYCTL_SESSION_TO_PARENT) hands the parent a copy of the caller's. */
SEC("lsm/cred_transfer")
int BPF_PROG(lockc_cred_transfer, struct cred *new, const struct cred *old)
{
	struct confinement c;

	if (confined(&c) && creds_of(&c, old))
		own_creds(new, c.task->container);
	return 0;
}

SEC("lsm/cred_free")
int BPF_PROG(lockc_cred_free, struct cred *cred)
{
	__u64 key = (__u64)cred;

	bpf_map_delete_elem(&task_creds, &key);
	return 0;
}

SEC("lsm/file_open")
int BPF_PROG(lockc_file_open, struct file *file, int ret)
{
	struct confinement c;
	enum lockc_verdict verdict = LOCKC_VERDICT_DENY;
	struct inode *inode = file->f_inode;
	struct mnt_namespace *ns;
	__u64 changes;
	struct scratch *s;
	umode_t mode;
	dev_t rdev;
	long len;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	/*
	 * The file that overlayfs (or FUSE passthrough) opens on a layer for
	 * a file the workload opened, under that file's path: the workload's
	 * own open was decided already, and an audited one was reported.
	 */
	if (file->f_mode & FMODE_NOACCOUNT)
		return 0;
	/*
	 * Kernel-internal mounts hold files that are in no directory tree
	 * (pipes, sockets, anonymous inodes, memfds, namespace files, reopened
	 * through /proc/self/fd) and the backing files that overlayfs opens
	 * on its layers after the open of the path the workload sees, which
	 * was checked already.
	 */
	ns = mount_namespace_of(file);
	if (ns == MNT_NS_INTERNAL)
		return 0;
	/*
	 * A mount outside the task's namespace: a tree detached with
	 * open_tree(OPEN_TREE_CLONE) or built with fsmount(), whose paths
	 * read as if it were mounted at "/" and so would dodge the rules.
	 */
	if (!ALLOWED(c.policy, mount) && ns != BPF_CORE_READ(bpf_get_current_task_btf(), nsproxy, mnt_ns))
		return refuse_str(&c, LOCKC_OP_OPEN_DETACHED, 0, dentry_name(BPF_CORE_READ(file, f_path.dentry)));
	/* Read before the decision: a change while it is made leaves it uncached. */
	changes = path_changes_now();
	if (!(file->f_mode & FMODE_WRITE) && allowed_before(&c, inode, INODE_READ, changes))
		return 0;
	s = scratch_claim();
	if (!s)
		return refuse_str(&c, LOCKC_OP_OPEN, 0, NULL);
	/* Resolved against the task's root: the path the workload sees. */
	len = bpf_d_path((struct path *)&file->f_path, s->path, sizeof(s->path));
	if (len > 1 && c.policy)
		verdict = rule_verdict(s, c.policy->ruleset, LOCKC_RULE_FILE, s->path, len - 1);
	len = len > 1 ? len - 1 : 0;
	if (verdict != LOCKC_VERDICT_ALLOW || !c.policy) {
		ret = refuse(&c, LOCKC_OP_OPEN, 0, s, len);
		goto out;
	}
	/* A device is judged by its number, so a node made or mounted anywhere is caught. */
	mode = inode->i_mode;
	rdev = inode->i_rdev;
	if (is_device(mode) && device_verdict(s, c.policy->ruleset, mode, rdev) != LOCKC_VERDICT_ALLOW) {
		ret = refuse(&c, LOCKC_OP_DEVICE, rdev, s, len);
		goto out;
	}
	if (!(file->f_mode & FMODE_WRITE)) {
		remember_allowed(&c, inode, INODE_READ, changes);
		goto out;
	}
	if (kernel_state_refused(&c, file->f_path.dentry))
		ret = refuse(&c, LOCKC_OP_KERNEL_TUNABLE, 0, s, len);
	else if (!write_allowed(s, c.policy, len))
		ret = refuse(&c, LOCKC_OP_WRITE, LOCKC_WRITE_OPEN, s, len);
out:
	scratch_release(s);
	return ret;
}

/*
 * Whether s->path (len bytes) is absolute and canonical: no empty, "." or
 * ".." component and no trailing "/" (other than the root itself). Only such
 * a string names the directory that a prefix rule compares it with.
 */
struct canonical_walk {
	struct scratch *s;
	__u32 len;
	__u32 component;	/* bytes of the current component so far */
	__u32 dots;		/* how many of them are '.' */
	bool canonical;
};

static long canonical_step(__u32 i, void *ctx)
{
	struct canonical_walk *w = ctx;
	char c = i < w->len ? w->s->path[i & (PATH_MAX - 1)] : '/';

	if (c != '/') {
		w->component++;
		w->dots += c == '.';
		return 0;
	}
	if (i > 0 && (w->component == 0 || w->dots == w->component)) {
		w->canonical = false;	/* "//", "/./", "/../" or a trailing "/" */
		return 1;
	}
	w->component = 0;
	w->dots = 0;
	return 0;
}

static bool canonical_path(struct scratch *s, __u32 len)
{
	struct canonical_walk w = { .s = s, .len = len, .canonical = true };

	if (len == 0 || s->path[0] != '/')
		return false;
	if (len == 1)
		return true;
	bpf_loop(len + 1, canonical_step, &w, 0);
	return w.canonical && w.len < PATH_MAX;
}

SEC("lsm/sb_mount")
int BPF_PROG(lockc_sb_mount, const char *dev_name, const struct path *path, const char *type,
	     unsigned long flags, void *data, int ret)
{
	struct confinement c;
	bool bind_allowed = false;
	struct scratch *s;
	long len;

	if (ret)
		return ret;
	note_path_change();
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, mount))
		return 0;
	if (!c.policy || !(flags & MS_BIND) || (flags & MS_REMOUNT) || !dev_name)
		return refuse_str(&c, LOCKC_OP_MOUNT, 0, dev_name);
	s = scratch_claim();
	if (!s)
		return refuse_str(&c, LOCKC_OP_MOUNT, 0, NULL);
	len = bpf_probe_read_kernel_str(s->path, sizeof(s->path), dev_name);
	if (len > 1 && canonical_path(s, len - 1))
		bind_allowed = rule_verdict(s, c.policy->ruleset, LOCKC_RULE_BIND_MOUNT, s->path, len - 1) ==
			       LOCKC_VERDICT_ALLOW;
	ret = bind_allowed ? 0 : refuse(&c, LOCKC_OP_MOUNT, 0, s, len > 1 ? len - 1 : 0);
	scratch_release(s);
	return ret;
}

/*
 * A canonical source string can still pass through a symlink into a denied
 * tree. mount(2) resolves it after sb_mount, with no hook that sees the
 * result, so a task whose policy denies mounts follows no symlink at all
 * while it is inside mount(2).
 */
SEC("lsm/inode_follow_link")
int BPF_PROG(lockc_follow_link, struct dentry *dentry, struct inode *inode, bool rcu, int ret)
{
	struct confinement c;
	struct pt_regs *regs;

	if (ret)
		return ret;
	if (!confined(&c) || ALLOWED(c.policy, mount))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (SYSCALL_NR(regs) != NR_mount)
		return 0;
	return refuse_str(&c, LOCKC_OP_MOUNT_SYMLINK, 0, dentry_name(dentry));
}

/* Everything that changes the mount tree other than mount(2) itself. */
static int mount_change(enum lockc_operation op, const char *detail)
{
	struct confinement c;

	if (!confined(&c) || ALLOWED(c.policy, mount))
		return 0;
	return refuse_str(&c, op, 0, detail);
}

/* The name of the directory a mount sits on. */
static const char *mount_point_name(struct vfsmount *vfsmnt)
{
	struct mount *mnt = real_mount(vfsmnt);

	return dentry_name(BPF_CORE_READ(mnt, mnt_mountpoint));
}

SEC("lsm/sb_umount")
int BPF_PROG(lockc_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	if (ret)
		return ret;
	note_path_change();
	return mount_change(LOCKC_OP_UMOUNT, mount_point_name(mnt));
}

SEC("lsm/sb_remount")
int BPF_PROG(lockc_sb_remount, struct super_block *sb, void *mnt_opts, int ret)
{
	return ret ?: mount_change(LOCKC_OP_REMOUNT, BPF_CORE_READ(sb, s_type, name));
}

SEC("lsm/move_mount")
int BPF_PROG(lockc_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	if (ret)
		return ret;
	note_path_change();
	return mount_change(LOCKC_OP_MOVE_MOUNT, dentry_name(BPF_CORE_READ(to_path, dentry)));
}

/*
 * fsconfig(2) and every mount option. The hook's "not mine" answer is
 * -ENOPARAM (0 would say an LSM consumed the option), but `ret` of the first
 * BPF program is 0 all the same: only another answer is an earlier verdict.
 */
SEC("lsm/fs_context_parse_param")
int BPF_PROG(lockc_fs_param, struct fs_context *fc, struct fs_parameter *param, int ret)
{
	if (ret && ret != -ENOPARAM)
		return ret;
	return mount_change(LOCKC_OP_MOUNT_OPTION, BPF_CORE_READ(param, key)) ?: -ENOPARAM;
}

/* pivot_root(2) both changes the mount tree and resets the root. */
SEC("lsm/sb_pivotroot")
int BPF_PROG(lockc_sb_pivotroot, const struct path *old_path, const struct path *new_path, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	note_path_change();
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, mount) && ALLOWED(c.policy, chroot))
		return 0;
	return refuse_str(&c, LOCKC_OP_PIVOT_ROOT, 0, dentry_name(BPF_CORE_READ(new_path, dentry)));
}

/*
 * Paths are resolved against the task's root, so a chroot into a host bind
 * mount would move every path rule out from under the task.
 */
SEC("lsm/path_chroot")
int BPF_PROG(lockc_chroot, const struct path *path, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	note_path_change();
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, chroot))
		return 0;
	return refuse_str(&c, LOCKC_OP_CHROOT, 0, dentry_name(BPF_CORE_READ(path, dentry)));
}

/*
 * The registration whose subtree holds cgroup cgrp (its nearest registered
 * ancestor, itself included), or 0.
 */
static __u64 container_of_cgroup(struct cgroup *cgrp)
{
	for (int i = 0; i < SOCKET_CGROUP_CLIMB_MAX && cgrp; i++) {
		__u64 id = BPF_CORE_READ(cgrp, kn, id);

		if (bpf_map_lookup_elem(&containers, &id))
			return id;
		cgrp = BPF_CORE_READ(cgrp, self.parent, cgroup);
	}
	return 0;
}

/* Whether ruleset has an IPC rule that allows the policy named `name`. */
static bool ipc_rule(struct scratch *s, __u32 ruleset, const char *name)
{
	struct lockc_rule_key *key = &s->key;
	struct lockc_rule *rule;
	__u32 n;

	__builtin_memcpy(key->path, name, LOCKC_NAME_MAX);
	key->path[LOCKC_NAME_MAX - 1] = '\0';
	for (n = 0; n < LOCKC_NAME_MAX - 1 && key->path[n]; n++)
		;
	/* The name and its NUL: "web" never matches "webx". */
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * (n + 1);
	key->ruleset = ruleset;
	key->class = LOCKC_RULE_IPC;
	rule = bpf_map_lookup_elem(&rules, key);
	return rule && rule->verdict == LOCKC_VERDICT_ALLOW;
}

/* Whether the current container and registration `peer` have each other's consent to talk. */
static bool ipc_consent(struct confinement *c, __u64 peer)
{
	struct lockc_container *other = bpf_map_lookup_elem(&containers, &peer);
	struct lockc_policy *other_policy;
	struct scratch *s;
	bool consent;

	if (!other || !c->policy)
		return false;
	other_policy = bpf_map_lookup_elem(&policies, &other->policy_id);
	if (!other_policy)
		return false;
	s = scratch_claim();
	if (!s)
		return false;
	consent = ipc_rule(s, c->policy->ruleset, other_policy->name) &&
		  ipc_rule(s, other_policy->ruleset, c->policy->name);
	scratch_release(s);
	return consent;
}

/* refuse() a connect(2) or datagram, reporting the other socket's address. */
static int refuse_unix(struct confinement *c, enum lockc_operation op, struct sock *other)
{
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)other, addr);
	struct scratch *s;
	long len = 0;
	int ret;

	if (!addr)
		return refuse_str(c, op, 0, NULL);
	s = scratch_claim();
	if (!s)
		return refuse_str(c, op, 0, NULL);
	bpf_probe_read_kernel(s->path, 1, addr->name[0].sun_path);
	if (s->path[0]) {
		len = bpf_probe_read_kernel_str(s->path, sizeof(addr->name[0].sun_path),
						 addr->name[0].sun_path);
	} else {
		/* Abstract: a leading NUL, shown as "@" the way ss(8) does. */
		s->path[0] = '@';
		len = bpf_probe_read_kernel_str(s->path + 1, sizeof(addr->name[0].sun_path) - 1,
						 addr->name[0].sun_path + 1);
		len = len > 0 ? len + 1 : 0;
	}
	ret = refuse(c, op, 0, s, len > 1 ? len - 1 : 0);
	scratch_release(s);
	return ret;
}

/*
 * Whether the current task may reach UNIX socket `other`: one of its own
 * container's, or one of a container whose policy and ours consent.
 */
static int unix_reach(struct confinement *c, enum lockc_operation op, struct sock *other)
{
	struct cgroup *cgrp = BPF_CORE_READ(other, sk_cgrp_data.cgroup);
	__u64 peer;

	if (ALLOWED(c->policy, host_sockets) || in_cgroup_subtree(cgrp, c->task->container, c->task->level))
		return 0;
	peer = container_of_cgroup(cgrp);
	if (peer && ipc_consent(c, peer))
		return 0;
	return refuse_unix(c, op, other);
}

/*
 * connect(2) on a UNIX stream or seqpacket socket, pathname or abstract:
 * docker.sock, containerd.sock and the D-Bus system bus are listening
 * sockets created outside the container.
 */
SEC("lsm/unix_stream_connect")
int BPF_PROG(lockc_unix_connect, struct sock *sock, struct sock *other, struct sock *newsk, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	return unix_reach(&c, LOCKC_OP_UNIX_CONNECT, other);
}

/* A datagram to a UNIX socket: /dev/log, NOTIFY_SOCKET, another container's. */
SEC("lsm/unix_may_send")
int BPF_PROG(lockc_unix_send, struct socket *sock, struct socket *other, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	return unix_reach(&c, LOCKC_OP_UNIX_SEND, BPF_CORE_READ(other, sk));
}

/* ---- SysV IPC -------------------------------------------------------------- */

/*
 * Which container made each SysV IPC object. A confined task's object that
 * cannot be recorded is not made (fail closed): it would read as the host's.
 */
static int ipc_made(struct kern_ipc_perm *perm)
{
	struct lockc_ipc_owner owner;
	struct confinement c;
	__u64 object = (__u64)perm;

	if (!confined(&c))
		return 0;
	owner.container = c.task->container;
	return bpf_map_update_elem(&ipc_owners, &object, &owner, BPF_ANY) ? -ENOMEM : 0;
}

static void ipc_gone(struct kern_ipc_perm *perm)
{
	__u64 object = (__u64)perm;

	bpf_map_delete_elem(&ipc_owners, &object);
}

SEC("lsm/msg_queue_alloc_security")
int BPF_PROG(lockc_msg_queue_made, struct kern_ipc_perm *perm, int ret)
{
	return ret ?: ipc_made(perm);
}

SEC("lsm/shm_alloc_security")
int BPF_PROG(lockc_shm_made, struct kern_ipc_perm *perm, int ret)
{
	return ret ?: ipc_made(perm);
}

SEC("lsm/sem_alloc_security")
int BPF_PROG(lockc_sem_made, struct kern_ipc_perm *perm, int ret)
{
	return ret ?: ipc_made(perm);
}

SEC("lsm/msg_queue_free_security")
int BPF_PROG(lockc_msg_queue_gone, struct kern_ipc_perm *perm)
{
	ipc_gone(perm);
	return 0;
}

SEC("lsm/shm_free_security")
int BPF_PROG(lockc_shm_gone, struct kern_ipc_perm *perm)
{
	ipc_gone(perm);
	return 0;
}

SEC("lsm/sem_free_security")
int BPF_PROG(lockc_sem_gone, struct kern_ipc_perm *perm)
{
	ipc_gone(perm);
	return 0;
}

/*
 * Using a SysV IPC object (attaching, sending, receiving, operating on, or
 * changing or removing it): the container's own, a consenting container's,
 * or with host-ipc any. Objects are visible across containers only through
 * a shared IPC namespace (--ipc=host, another container's).
 */
static int ipc_use(struct kern_ipc_perm *perm)
{
	struct lockc_ipc_owner *owner;
	struct confinement c;
	__u64 object = (__u64)perm;

	if (!confined(&c))
		return 0;
	owner = bpf_map_lookup_elem(&ipc_owners, &object);
	if (owner && owner->container == c.task->container)
		return 0;
	if (ALLOWED(c.policy, host_ipc) || (owner && ipc_consent(&c, owner->container)))
		return 0;
	return refuse_str(&c, LOCKC_OP_IPC, BPF_CORE_READ(perm, id), NULL);
}

SEC("lsm/ipc_permission")
int BPF_PROG(lockc_ipc_permission, struct kern_ipc_perm *ipcp, short flag, int ret)
{
	return ret ?: ipc_use(ipcp);
}

/* IPC_SET and IPC_RMID check no permission through ipc_permission. INFO commands name no object. */
SEC("lsm/msg_queue_msgctl")
int BPF_PROG(lockc_msg_queue_ctl, struct kern_ipc_perm *perm, int cmd, int ret)
{
	return ret ?: (ARG_SET(ctx, 0, perm) ? ipc_use(perm) : 0);
}

SEC("lsm/shm_shmctl")
int BPF_PROG(lockc_shm_ctl, struct kern_ipc_perm *perm, int cmd, int ret)
{
	return ret ?: (ARG_SET(ctx, 0, perm) ? ipc_use(perm) : 0);
}

SEC("lsm/sem_semctl")
int BPF_PROG(lockc_sem_ctl, struct kern_ipc_perm *perm, int cmd, int ret)
{
	return ret ?: (ARG_SET(ctx, 0, perm) ? ipc_use(perm) : 0);
}

SEC("lsm/syslog")
int BPF_PROG(lockc_syslog, int type, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, syslog))
		return 0;
	return refuse_str(&c, LOCKC_OP_SYSLOG, 0, NULL);
}

/* ---- exec ---------------------------------------------------------------- */

/* Whether the policy lets a file with no path run: exec-memfd decides. */
static bool pathless_exec_allowed(struct confinement *c)
{
	return ALLOWED(c->policy, exec_memfd);
}

/*
 * The verdict of the exec rules on a file about to run or be mapped
 * executable, reported under `op`. A file with no path in the task's mount
 * tree (a memfd, a file on a detached mount, an overlayfs layer's backing
 * file) runs only where exec-memfd allows it.
 */
static int exec_check(struct confinement *c, struct file *file, enum lockc_operation op)
{
	struct inode *inode = file->f_inode;
	bool allowed = false;
	struct scratch *s;
	__u64 changes;
	long len;
	int ret;

	if (!c->policy)
		return refuse_str(c, op, 0, dentry_name(BPF_CORE_READ(file, f_path.dentry)));
	changes = path_changes_now();
	if (allowed_before(c, inode, INODE_EXEC, changes))
		return 0;
	s = scratch_claim();
	if (!s)
		return refuse_str(c, op, 0, NULL);
	len = bpf_d_path((struct path *)&file->f_path, s->path, sizeof(s->path));
	if (mount_namespace_of(file) != BPF_CORE_READ(bpf_get_current_task_btf(), nsproxy, mnt_ns))
		allowed = pathless_exec_allowed(c);
	else if (len > 1)
		allowed = rule_verdict(s, c->policy->ruleset, LOCKC_RULE_EXEC, s->path, len - 1) ==
			  LOCKC_VERDICT_ALLOW;
	if (allowed)
		remember_allowed(c, inode, INODE_EXEC, changes);
	ret = allowed ? 0 : refuse(c, op, 0, s, len > 1 ? len - 1 : 0);
	scratch_release(s);
	return ret;
}

/*
 * Called for the program and again for each interpreter it names (a "#!"
 * script, then its interpreter), whether it came by path or by file
 * descriptor (execveat, fexecve).
 */
SEC("lsm/bprm_check_security")
int BPF_PROG(lockc_exec, struct linux_binprm *bprm, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	return exec_check(&c, bprm->file, LOCKC_OP_EXEC);
}

#define PROT_EXEC 0x4
#define VM_EXEC 0x4

/* Anonymous executable memory, which no exec rule can name: exec-anonymous decides. */
static int anonymous_exec(void)
{
	struct confinement c;

	if (!confined(&c) || ALLOWED(c.policy, exec_anonymous))
		return 0;
	return refuse_str(&c, LOCKC_OP_EXEC_ANONYMOUS, 0, NULL);
}

/* The dynamic loader maps every library executable: the same rules decide. */
SEC("lsm/mmap_file")
int BPF_PROG(lockc_mmap_exec, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags,
	     int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!(prot & PROT_EXEC))
		return 0;
	if (!ARG_SET(ctx, 0, file))
		return anonymous_exec();
	if (!confined(&c))
		return 0;
	return exec_check(&c, file, LOCKC_OP_EXEC_MAP);
}

/*
 * Memory made executable after it was mapped. This hook may not resolve
 * paths (bpf_d_path), so a file mapping counts as a file without a path:
 * what mmap_file would refuse cannot be mapped readable and then flipped.
 */
SEC("lsm/file_mprotect")
int BPF_PROG(lockc_mprotect_exec, struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot, int ret)
{
	struct confinement c;
	struct file *file;

	if (ret)
		return ret;
	if (!(prot & PROT_EXEC) || (vma->vm_flags & VM_EXEC))
		return 0;
	file = vma->vm_file;
	if (!file)
		return anonymous_exec();
	if (!confined(&c) || pathless_exec_allowed(&c))
		return 0;
	return refuse_str(&c, LOCKC_OP_EXEC_MAP, 0, dentry_name(BPF_CORE_READ(file, f_path.dentry)));
}

/* ---- root ---------------------------------------------------------------- */

/* Which of the ids in cred is 0 (enum lockc_uid_kind), or 0 for none. */
static __u32 root_id(const struct cred *cred)
{
	if (BPF_CORE_READ(cred, uid.val) == 0)
		return LOCKC_UID_REAL;
	if (BPF_CORE_READ(cred, euid.val) == 0)
		return LOCKC_UID_EFFECTIVE;
	if (BPF_CORE_READ(cred, suid.val) == 0)
		return LOCKC_UID_SAVED;
	if (BPF_CORE_READ(cred, fsuid.val) == 0)
		return LOCKC_UID_FILESYSTEM;
	return 0;
}

/*
 * A uid 0 in the credentials a task is about to take: refused when the
 * policy denies root altogether, or when a task whose real uid is not 0
 * would gain it. Uids are the host's, so root inside a user namespace
 * mapped elsewhere is not root here.
 */
static int root_check(struct confinement *c, const struct cred *new, __u32 old_real_uid, const char *detail)
{
	__u32 kind = root_id(new);

	if (!kind)
		return 0;
	if (!ALLOWED(c->policy, run_as_root))
		return refuse_str(c, LOCKC_OP_RUN_AS_ROOT, kind, detail);
	if (old_real_uid != 0 && !ALLOWED(c->policy, become_root))
		return refuse_str(c, LOCKC_OP_BECOME_ROOT, kind, detail);
	return 0;
}

/* setuid(2), setreuid, setresuid, setfsuid. */
SEC("lsm/task_fix_setuid")
int BPF_PROG(lockc_setuid, struct cred *new, const struct cred *old, int flags, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	return root_check(&c, new, BPF_CORE_READ(old, uid.val), NULL);
}

/*
 * Every execve, with the credentials it will run with: a setuid-root program
 * has set the effective uid to 0 already. The workload's first execve is
 * checked too (it was armed just before), so a policy that denies root
 * refuses a container whose process runs as root.
 */
SEC("lsm/bprm_creds_from_file")
int BPF_PROG(lockc_exec_creds, struct linux_binprm *bprm, struct file *file, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	return root_check(&c, bprm->cred, BPF_CORE_READ(bpf_get_current_task_btf(), real_cred, uid.val),
			  dentry_name(BPF_CORE_READ(file, f_path.dentry)));
}

/*
 * An io_uring request run with a personality, credentials the task
 * registered earlier: judged as a change from the task's real credentials
 * to those, as setuid(2) is, so a personality registered as root does not
 * outlive setresuid(1000).
 */
SEC("lsm/uring_override_creds")
int BPF_PROG(lockc_uring_creds, const struct cred *new, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	return root_check(&c, new, BPF_CORE_READ(bpf_get_current_task_btf(), real_cred, uid.val), NULL);
}

/* ---- capabilities -------------------------------------------------------- */

#define CAP_OPT_NOAUDIT 0x2

SEC("lsm/capable")
int BPF_PROG(lockc_capable, const struct cred *cred, struct user_namespace *ns, int cap, unsigned int opts, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	/*
	 * Only the container's own credentials, wherever they run (an io_uring
	 * worker's request): overlayfs and others check theirs (the mounter's)
	 * with override_creds() while the task waits. See task_creds.
	 */
	if (!confined(&c) || !creds_of(&c, cred))
		return 0;
	if (c.policy && cap >= 0 && cap < 64 && (c.policy->capabilities & (1ULL << cap)))
		return 0;
	/* The kernel asks quietly when it only probes (it audits neither). */
	if (opts & CAP_OPT_NOAUDIT)
		return denial(&c);
	return refuse_str(&c, LOCKC_OP_CAPABILITY, cap, NULL);
}

/* ---- other processes ------------------------------------------------------ */

/* Whether task p was armed by the same registration as the current task. */
static bool same_container(struct confinement *c, struct task_struct *p)
{
	struct lockc_task *other = bpf_task_storage_get(&armed_tasks, p, 0, 0);

	return other && other->container == c->task->container;
}

SEC("lsm/task_kill")
int BPF_PROG(lockc_signal, struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred,
	     int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	/* With cred set, a USB URB completes for someone else: not the current task's signal. */
	if (ARG_SET(ctx, 3, cred) || !confined(&c))
		return 0;
	if (ALLOWED(c.policy, signal_outside) || same_container(&c, p))
		return 0;
	return refuse_str(&c, LOCKC_OP_SIGNAL, sig, p->comm);
}

/*
 * Another task's priority, scheduling, I/O priority, resource limits and
 * memory placement: the kernel lets a task change them for any task of its
 * uid, so a root container that sees the host's processes (hostPID) could
 * starve or cripple them (RLIMIT_NOFILE 0 for the host's sshd). They follow
 * ptrace-outside, as a change to another task across the container's edge.
 */
static int task_change(struct task_struct *p, enum lockc_task_change change)
{
	struct confinement c;

	if (!confined(&c) || ALLOWED(c.policy, ptrace_outside) || same_container(&c, p))
		return 0;
	return refuse_str(&c, LOCKC_OP_TASK_CHANGE, change, p->comm);
}

SEC("lsm/task_setnice")
int BPF_PROG(lockc_setnice, struct task_struct *p, int nice, int ret)
{
	return ret ?: task_change(p, LOCKC_TASK_NICE);
}

SEC("lsm/task_setioprio")
int BPF_PROG(lockc_setioprio, struct task_struct *p, int ioprio, int ret)
{
	return ret ?: task_change(p, LOCKC_TASK_IOPRIO);
}

SEC("lsm/task_setscheduler")
int BPF_PROG(lockc_setscheduler, struct task_struct *p, int ret)
{
	return ret ?: task_change(p, LOCKC_TASK_SCHEDULER);
}

/* prlimit(2) and setrlimit(2); the task's own limits are the container's. */
SEC("lsm/task_setrlimit")
int BPF_PROG(lockc_setrlimit, struct task_struct *p, unsigned int resource, struct rlimit *new_rlim, int ret)
{
	return ret ?: task_change(p, LOCKC_TASK_RLIMIT);
}

/* migrate_pages(2), move_pages(2) of another process. */
SEC("lsm/task_movememory")
int BPF_PROG(lockc_movememory, struct task_struct *p, int ret)
{
	return ret ?: task_change(p, LOCKC_TASK_MEMORY);
}

#define F_SETOWN 8
#define F_SETOWN_EX 15
#define FIOSETOWN 0x8901
#define SIOCSPGRP 0x8902
#define PID_LEVEL_MAX 32

/* The number that the current task's pid namespace gives `pid`, or 0. */
static __s32 pid_seen_by_current(struct pid *pid)
{
	unsigned int level = BPF_CORE_READ(bpf_get_current_task_btf(), thread_pid, level);
	struct upid *upid;

	if (!pid || level > PID_LEVEL_MAX || BPF_CORE_READ(pid, level) < level)
		return 0;
	upid = (void *)pid + bpf_core_field_offset(struct pid, numbers) + level * bpf_core_type_size(struct upid);
	return BPF_CORE_READ(upid, nr);
}

/*
 * Whether the SIGIO owner `who`, as F_SETOWN takes it (a negative number is
 * a process group, 0 clears the owner), is the current task's own process
 * or process group, as its pid namespace numbers them.
 */
static bool own_sigio_owner(__s32 who)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (who == 0)
		return true;
	if (who < 0)
		return -who == pid_seen_by_current(BPF_CORE_READ(task, signal, pids[PIDTYPE_PGID]));
	return who == pid_seen_by_current(BPF_CORE_READ(task, group_leader, thread_pid));
}

/*
 * The kernel sends SIGIO, or the signal F_SETSIG chose (SIGKILL too), to a
 * file's owner on behalf of whoever's I/O triggers it, and task_kill never
 * sees it. So the owner is judged when it is set: outside signal-outside,
 * only the task's own process or process group, given by value to
 * F_SETOWN. F_SETOWN_EX and the ioctls FIOSETOWN and SIOCSPGRP pass the
 * owner through memory that another thread could change between lockc's
 * read and the kernel's, so they are refused (`who` is then -1).
 */
static int sigio_owner_check(__s32 who, bool by_value)
{
	struct confinement c;

	if (!confined(&c) || ALLOWED(c.policy, signal_outside) || (by_value && own_sigio_owner(who)))
		return 0;
	return refuse_str(&c, LOCKC_OP_SIGIO_OWNER, who, NULL);
}

SEC("lsm/file_fcntl")
int BPF_PROG(lockc_fcntl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	if (cmd == F_SETOWN)
		return sigio_owner_check((__s32)arg, true);
	return cmd == F_SETOWN_EX ? sigio_owner_check(-1, false) : 0;
}

SEC("lsm/file_ioctl")
int BPF_PROG(lockc_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return cmd == FIOSETOWN || cmd == SIOCSPGRP ? sigio_owner_check(-1, false) : 0;
}

#define PTRACE_MODE_NOAUDIT 0x04

/* ptrace(2) attach, and what asks the same question: /proc/PID/mem, process_vm_readv, pidfd_getfd. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(lockc_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, ptrace_outside) || same_container(&c, child))
		return 0;
	if (mode & PTRACE_MODE_NOAUDIT)
		return denial(&c);
	return refuse_str(&c, LOCKC_OP_PTRACE, mode, child->comm);
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(lockc_ptrace_traceme, struct task_struct *parent, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, ptrace_outside) || same_container(&c, parent))
		return 0;
	return refuse_str(&c, LOCKC_OP_PTRACE, 0, parent->comm);
}

/* ---- the kernel interfaces a container never needs ----------------------- */

/* A switch class with no detail: refuse when the policy does not allow it. */
#define SWITCH_CHECK(field, op, value, detail)                                  \
	({                                                                      \
		struct confinement __c;                                         \
		int __ret = 0;                                                  \
		if (confined(&__c) && !ALLOWED(__c.policy, field))              \
			__ret = refuse_str(&__c, op, value, detail);            \
		__ret;                                                          \
	})

/*
 * No `ret`: the hook gained an argument (bool kernel) after 6.12, and
 * BPF_PROG finds `ret` by position, so on 7.x it read that bool. Nothing is
 * lost: the trampoline runs a BPF LSM program only while every one before it
 * returned 0, so `ret` is 0 whenever one runs; the other hooks test it to
 * say so, not because it can be anything else.
 */
SEC("lsm/bpf")
int BPF_PROG(lockc_bpf, int cmd)
{
	return SWITCH_CHECK(bpf, LOCKC_OP_BPF, cmd, NULL);
}

#if defined(__TARGET_ARCH_x86)
#define NR_perf_event_open 298
#elif defined(__TARGET_ARCH_arm64)
#define NR_perf_event_open 241
#endif

/*
 * perf_event_alloc rather than perf_event_open: the latter's arguments
 * changed between kernels, and BPF_PROG finds `ret` by position. Events
 * inherited at fork (a host profiler following the container) and those
 * the kernel makes itself are not the task's perf_event_open(2).
 */
SEC("lsm/perf_event_alloc")
int BPF_PROG(lockc_perf_event, struct perf_event *event, int ret)
{
	struct pt_regs *regs;

	if (ret)
		return ret;
	if (BPF_CORE_READ(event, parent))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (SYSCALL_NR(regs) != NR_perf_event_open)
		return 0;
	return SWITCH_CHECK(perf_events, LOCKC_OP_PERF_EVENT, 0, NULL);
}

SEC("lsm/key_alloc")
int BPF_PROG(lockc_key_alloc, struct key *key, const struct cred *cred, unsigned long flags, int ret)
{
	return ret ?: SWITCH_CHECK(keyring, LOCKC_OP_KEYRING, 0, NULL);
}

SEC("lsm/key_permission")
int BPF_PROG(lockc_key_permission, key_ref_t key_ref, const struct cred *cred, enum key_need_perm need_perm, int ret)
{
	return ret ?: SWITCH_CHECK(keyring, LOCKC_OP_KEYRING, need_perm, NULL);
}

SEC("lsm/settime")
int BPF_PROG(lockc_settime, const struct timespec64 *ts, const struct timezone *tz, int ret)
{
	return ret ?: SWITCH_CHECK(set_time, LOCKC_OP_SET_TIME, 0, NULL);
}

/* finit_module, and firmware, kexec and policy files the kernel reads. */
SEC("lsm/kernel_read_file")
int BPF_PROG(lockc_kernel_read_file, struct file *file, enum kernel_read_file_id id, bool contents, int ret)
{
	return ret ?: SWITCH_CHECK(kernel_load, LOCKC_OP_KERNEL_LOAD, id,
				   dentry_name(BPF_CORE_READ(file, f_path.dentry)));
}

/* init_module, kexec_load and firmware from a buffer. */
SEC("lsm/kernel_load_data")
int BPF_PROG(lockc_kernel_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	return ret ?: SWITCH_CHECK(kernel_load, LOCKC_OP_KERNEL_LOAD, id, NULL);
}

/*
 * A module the kernel would load on the task's behalf (an unknown socket
 * family, line discipline or file system): the way an unprivileged task
 * reaches rarely used, often vulnerable code.
 */
SEC("lsm/kernel_module_request")
int BPF_PROG(lockc_module_request, char *kmod_name, int ret)
{
	return ret ?: SWITCH_CHECK(kernel_load, LOCKC_OP_KERNEL_LOAD, 0, kmod_name);
}

SEC("lsm/userns_create")
int BPF_PROG(lockc_userns_create, const struct cred *cred, int ret)
{
	return ret ?: SWITCH_CHECK(user_namespaces, LOCKC_OP_USER_NAMESPACE, 0, NULL);
}

/* ---- devices --------------------------------------------------------------- */

/* The character device 0:0 is an overlayfs whiteout: how rm works on image files. */
SEC("lsm/inode_mknod")
int BPF_PROG(lockc_mknod, struct inode *dir, struct dentry *dentry, umode_t mode, dev_t dev, int ret)
{
	struct confinement c;
	struct scratch *s;

	if (ret)
		return ret;
	if (!is_device(mode) || dev == 0 || !confined(&c))
		return 0;
	if (!c.policy)
		return refuse_str(&c, LOCKC_OP_MKNOD, dev, dentry_name(dentry));
	s = scratch_claim();
	if (!s)
		return refuse_str(&c, LOCKC_OP_MKNOD, dev, NULL);
	ret = device_verdict(s, c.policy->ruleset, mode, dev) == LOCKC_VERDICT_ALLOW;
	scratch_release(s);
	return ret ? 0 : refuse_str(&c, LOCKC_OP_MKNOD, dev, dentry_name(dentry));
}

/* ---- writes ---------------------------------------------------------------- */

/*
 * The path hooks may not call bpf_d_path (it is allowed in the kernel's
 * sleepable hooks only), so resolve_path() walks from the dentry up to the
 * task's root the way d_path does: component by component, and from the
 * root of a mount to the directory it is mounted on.
 */
struct path_walk {
	struct scratch *s;
	struct vfsmount *vfsmnt;
	struct dentry *dentry;
	struct vfsmount *root_mnt;
	struct dentry *root_dentry;
	__u32 start;		/* the path so far: s->walk[start, PATH_MAX) */
	int done;		/* 1: at the root; -1: too long or unreadable */
};

static long path_walk_step(__u32 i, void *ctx)
{
	struct path_walk *w = ctx;
	/* Locals: CO-RE relocates kernel structs, not this one. */
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct dentry *dentry = w->dentry, *parent;
	const unsigned char *name;
	__u32 len, start;

	if (dentry == w->root_dentry && vfsmnt == w->root_mnt) {
		w->done = 1;
		return 1;
	}
	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		struct mount *mnt = real_mount(vfsmnt), *up = BPF_CORE_READ(mnt, mnt_parent);

		/* The top of a tree: the task's root lies elsewhere, as d_path sees it too. */
		if (up == mnt) {
			w->done = 1;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->vfsmnt = (void *)up + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	len = BPF_CORE_READ(dentry, d_name.len);
	barrier_var(len);
	if (parent == dentry || len == 0 || len > NAME_MAX || len >= w->start) {
		w->done = -1;
		return 1;
	}
	start = w->start - len;
	barrier_var(start);
	if (start == 0 || start >= PATH_MAX) {
		w->done = -1;
		return 1;
	}
	name = BPF_CORE_READ(dentry, d_name.name);
	if (bpf_probe_read_kernel(w->s->walk + start, len, name)) {
		w->done = -1;
		return 1;
	}
	w->start = start - 1;
	w->s->walk[w->start & (PATH_MAX - 1)] = '/';
	w->dentry = parent;
	return 0;
}

/*
 * Write the path of `dentry` on mount `vfsmnt`, as the current task sees it
 * (resolved against its root, like bpf_d_path), to s->path. Returns its
 * length, or 0 when it cannot be resolved (the caller denies).
 */
static __u32 resolve_path(struct scratch *s, struct vfsmount *vfsmnt, struct dentry *dentry)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct path_walk w = {
		.s = s,
		.vfsmnt = vfsmnt,
		.dentry = dentry,
		.root_mnt = BPF_CORE_READ(task, fs, root.mnt),
		.root_dentry = BPF_CORE_READ(task, fs, root.dentry),
		.start = PATH_MAX,
	};
	__u32 len;

	/* A component takes two bytes at least: PATH_MAX / 2 steps, plus mount crossings. */
	bpf_loop(PATH_MAX, path_walk_step, &w, 0);
	if (w.done != 1)
		return 0;
	if (w.start == PATH_MAX) {
		s->path[0] = '/';
		return 1;
	}
	len = PATH_MAX - w.start;
	barrier_var(len);
	if (len == 0 || len >= PATH_MAX || w.start >= PATH_MAX)
		return 0;
	if (bpf_probe_read_kernel(s->path, len, s->walk + w.start))
		return 0;
	return len;
}

/*
 * The verdict on changing the file at (vfsmnt, dentry). A container may
 * change only what it may open: the file rules decide first, for every
 * kind of change (a file the task may not open cannot be made, removed,
 * truncated, renamed or given another name either), then the write rules
 * narrow them. No directory above a denied path (a pinned one) moves, as
 * that would give the denied file a name the rules allow.
 */
static int write_check(struct confinement *c, struct vfsmount *vfsmnt, struct dentry *dentry,
		       enum lockc_write_kind kind)
{
	struct mnt_namespace *ns = BPF_CORE_READ(real_mount(vfsmnt), mnt_ns);
	struct scratch *s;
	bool allowed;
	__u32 len;
	int ret;

	if (!c->policy)
		return refuse_str(c, LOCKC_OP_WRITE, kind, dentry_name(dentry));
	/* A file in no directory tree, such as a memfd that ftruncate(2) sizes. */
	if (ns == MNT_NS_INTERNAL)
		return 0;
	/*
	 * As in file_open: a mount outside the task's namespace (a host
	 * directory's fd, a detached tree) ends the walk at the top of a tree
	 * that is not the task's, whose paths would dodge the rules.
	 */
	if (!ALLOWED(c->policy, mount) && ns != BPF_CORE_READ(bpf_get_current_task_btf(), nsproxy, mnt_ns))
		return refuse_str(c, LOCKC_OP_WRITE_DETACHED, kind, dentry_name(dentry));
	s = scratch_claim();
	if (!s)
		return refuse_str(c, LOCKC_OP_WRITE, kind, NULL);
	len = resolve_path(s, vfsmnt, dentry);
	if (len > 0 && kernel_state_refused(c, dentry)) {
		ret = refuse(c, LOCKC_OP_KERNEL_TUNABLE, 0, s, len);
		goto out;
	}
	allowed = len > 0 &&
		  rule_verdict(s, c->policy->ruleset, LOCKC_RULE_FILE, s->path, len) == LOCKC_VERDICT_ALLOW &&
		  write_allowed(s, c->policy, len);
	if (allowed && kind == LOCKC_WRITE_RENAME_FROM)
		allowed = rule_verdict_or(s, c->policy->ruleset, LOCKC_RULE_PINNED, s->path, len,
					  LOCKC_VERDICT_ALLOW) == LOCKC_VERDICT_ALLOW;
	ret = allowed ? 0 : refuse(c, LOCKC_OP_WRITE, kind, s, len);
out:
	scratch_release(s);
	return ret;
}

/* write_check() for one path, if the current task is confined. */
static int path_write(const struct path *dir, struct dentry *dentry, enum lockc_write_kind kind)
{
	struct confinement c;

	if (!confined(&c))
		return 0;
	return write_check(&c, BPF_CORE_READ(dir, mnt), dentry, kind);
}

SEC("lsm/path_truncate")
int BPF_PROG(lockc_path_truncate, const struct path *path, int ret)
{
	return ret ?: path_write(path, BPF_CORE_READ(path, dentry), LOCKC_WRITE_TRUNCATE);
}

SEC("lsm/path_chmod")
int BPF_PROG(lockc_path_chmod, const struct path *path, umode_t mode, int ret)
{
	return ret ?: path_write(path, BPF_CORE_READ(path, dentry), LOCKC_WRITE_CHMOD);
}

/* kuid_t and kgid_t arrive by value, one register each. */
SEC("lsm/path_chown")
int BPF_PROG(lockc_path_chown, const struct path *path, unsigned long uid, unsigned long gid, int ret)
{
	return ret ?: path_write(path, BPF_CORE_READ(path, dentry), LOCKC_WRITE_CHOWN);
}

SEC("lsm/path_mkdir")
int BPF_PROG(lockc_path_mkdir, const struct path *dir, struct dentry *dentry, umode_t mode, int ret)
{
	return ret ?: path_write(dir, dentry, LOCKC_WRITE_CREATE);
}

/* Files, FIFOs, devices and UNIX sockets made by bind(2). */
SEC("lsm/path_mknod")
int BPF_PROG(lockc_path_mknod, const struct path *dir, struct dentry *dentry, umode_t mode, unsigned int dev,
	     int ret)
{
	return ret ?: path_write(dir, dentry, LOCKC_WRITE_CREATE);
}

SEC("lsm/path_symlink")
int BPF_PROG(lockc_path_symlink, const struct path *dir, struct dentry *dentry, const char *old_name, int ret)
{
	return ret ?: path_write(dir, dentry, LOCKC_WRITE_CREATE);
}

SEC("lsm/path_unlink")
int BPF_PROG(lockc_path_unlink, const struct path *dir, struct dentry *dentry, int ret)
{
	struct inode *inode;

	if (ret)
		return ret;
	/* The file keeps its other names, which may be paths its reader's policy denies. */
	inode = dentry->d_inode;
	if (inode && inode->i_nlink > 1)
		note_path_change();
	return path_write(dir, dentry, LOCKC_WRITE_REMOVE);
}

SEC("lsm/path_rmdir")
int BPF_PROG(lockc_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	return ret ?: path_write(dir, dentry, LOCKC_WRITE_REMOVE);
}

/* A hard link never crosses mounts: the existing file is on new_dir's. */
SEC("lsm/path_link")
int BPF_PROG(lockc_path_link, struct dentry *old_dentry, const struct path *new_dir, struct dentry *new_dentry,
	     int ret)
{
	struct confinement c;
	struct vfsmount *mnt;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	mnt = BPF_CORE_READ(new_dir, mnt);
	return write_check(&c, mnt, old_dentry, LOCKC_WRITE_LINK_FROM) ?:
	       write_check(&c, mnt, new_dentry, LOCKC_WRITE_LINK_TO);
}

/* Both names change, and with RENAME_EXCHANGE both files move. */
SEC("lsm/path_rename")
int BPF_PROG(lockc_path_rename, const struct path *old_dir, struct dentry *old_dentry, const struct path *new_dir,
	     struct dentry *new_dentry, unsigned int flags, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	note_path_change();
	if (!confined(&c))
		return 0;
	return write_check(&c, BPF_CORE_READ(old_dir, mnt), old_dentry, LOCKC_WRITE_RENAME_FROM) ?:
	       write_check(&c, BPF_CORE_READ(new_dir, mnt), new_dentry,
			   (flags & RENAME_EXCHANGE) ? LOCKC_WRITE_RENAME_FROM : LOCKC_WRITE_RENAME_TO);
}

/*
 * Extended attributes have inode hooks only, which know the dentry but not
 * the mount it was reached through. So the mount is looked for among the
 * superblock's mounts: the first in the task's namespace whose root is an
 * ancestor of the dentry names the file as the task sees it, and the change
 * is a write of that path. Superblocks link their mounts in a list on older
 * kernels and in a chain of pointers on newer ones (7.3); CO-RE picks.
 */
struct super_block___mount_list {
	struct list_head s_mounts;
} __attribute__((preserve_access_index));

struct mount___mount_list {
	struct list_head mnt_instance;
} __attribute__((preserve_access_index));

/* Deeper dentries, and superblocks with more mounts, are not searched: the change is refused. */
#define XATTR_DEPTH_MAX 256
#define XATTR_MOUNTS_MAX 64

static bool dentry_under(struct dentry *dentry, struct dentry *root)
{
	for (int i = 0; i < XATTR_DEPTH_MAX; i++) {
		struct dentry *parent;

		if (dentry == root)
			return true;
		parent = BPF_CORE_READ(dentry, d_parent);
		if (parent == dentry)
			return false;
		dentry = parent;
	}
	return false;
}

struct mount_search {
	struct dentry *dentry;
	struct mnt_namespace *ns;
	struct mount *mnt;		/* the chain: the mount to look at next */
	struct list_head *head, *pos;	/* the list */
	struct vfsmount *found;
};

static bool mount_fits(struct mount_search *m, struct mount *mnt)
{
	if (BPF_CORE_READ(mnt, mnt_ns) != m->ns || !dentry_under(m->dentry, BPF_CORE_READ(mnt, mnt.mnt_root)))
		return false;
	m->found = (void *)mnt + bpf_core_field_offset(struct mount, mnt);
	return true;
}

static long mount_chain_step(__u32 i, void *ctx)
{
	struct mount_search *m = ctx;
	struct mount *mnt = m->mnt;

	if (!mnt)
		return 1;
	m->mnt = BPF_CORE_READ(mnt, mnt_next_for_sb);
	return mount_fits(m, mnt);
}

static long mount_list_step(__u32 i, void *ctx)
{
	struct mount_search *m = ctx;
	/* A local: CO-RE relocates kernel structs, not this one. */
	struct list_head *pos = m->pos, *next = BPF_CORE_READ(pos, next);

	if (!next || next == m->head)
		return 1;
	m->pos = next;
	return mount_fits(m, (void *)next - bpf_core_field_offset(struct mount___mount_list, mnt_instance));
}

/* The mount in the task's namespace that `dentry` is reached through, or NULL. */
static struct vfsmount *mount_of_dentry(struct dentry *dentry)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct super_block *sb = BPF_CORE_READ(dentry, d_sb);
	struct vfsmount *root = BPF_CORE_READ(task, fs, root.mnt);
	struct mount_search m = {
		.dentry = dentry,
		.ns = BPF_CORE_READ(task, nsproxy, mnt_ns),
	};

	/*
	 * A file under the task's root is judged by the path it has there
	 * (another mount, such as the host's / at /rootfs, may reach it too);
	 * any other by the first mount that reaches it.
	 */
	if (BPF_CORE_READ(root, mnt_sb) == sb && dentry_under(dentry, BPF_CORE_READ(task, fs, root.dentry)))
		return root;
	if (bpf_core_field_exists(struct mount, mnt_next_for_sb)) {
		m.mnt = BPF_CORE_READ(sb, s_mounts);
		bpf_loop(XATTR_MOUNTS_MAX, mount_chain_step, &m, 0);
	} else {
		struct super_block___mount_list *old = (void *)sb;

		m.head = (void *)old + bpf_core_field_offset(struct super_block___mount_list, s_mounts);
		m.pos = m.head;
		bpf_loop(XATTR_MOUNTS_MAX, mount_list_step, &m, 0);
	}
	return m.found;
}

/*
 * setxattr(2) and removexattr(2), POSIX ACLs too on 6.1: a write of the
 * file, as its path says. Inlined, so that the confinement lives in the
 * program's own frame: 7.x's verifier loses a store to a subprogram's stack
 * that a function two calls deeper reads (report() reading c->task).
 */
static __attribute__((always_inline)) int xattr_change(struct dentry *dentry)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct confinement c;
	struct vfsmount *mnt;

	if (!bpf_task_storage_get(&armed_tasks, task, 0, 0))
		return 0;
	mnt = mount_of_dentry(dentry);
	if (!confined(&c))
		return 0;
	/* The kernel's own borrowing: overlayfs copying attributes up, or setting its own. */
	if (!creds_of(&c, BPF_CORE_READ(task, cred)))
		return 0;
	if (!mnt)
		return refuse_str(&c, LOCKC_OP_WRITE_DETACHED, LOCKC_WRITE_XATTR, dentry_name(dentry));
	return write_check(&c, mnt, dentry, LOCKC_WRITE_XATTR);
}

/* The first argument is the mount's idmap from 6.3, its user namespace before: unused. */
SEC("lsm/inode_setxattr")
int BPF_PROG(lockc_setxattr, void *idmap, struct dentry *dentry, const char *name, const void *value, size_t size,
	     int flags, int ret)
{
	return ret ?: xattr_change(dentry);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(lockc_removexattr, void *idmap, struct dentry *dentry, const char *name, int ret)
{
	return ret ?: xattr_change(dentry);
}

/* ---- sockets --------------------------------------------------------------- */

#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define SOCK_RAW 3
#define SOCK_TYPE_MASK 0xf

SEC("lsm/socket_create")
int BPF_PROG(lockc_socket_create, int family, int type, int protocol, int kern, int ret)
{
	struct confinement c;
	bool allowed;

	if (ret)
		return ret;
	/* Sockets the kernel makes for itself (kern) are no task's. */
	if (kern || !confined(&c))
		return 0;
	if (!c.policy)
		allowed = false;
	else if (family == AF_NETLINK)	/* by protocol alone */
		allowed = protocol >= 0 && protocol < 32 && (c.policy->netlink_protocols & (1U << protocol));
	else
		allowed = family >= 0 && family < 64 && (c.policy->socket_families & (1ULL << family));
	if (allowed && (family == AF_INET || family == AF_INET6) && (type & SOCK_TYPE_MASK) == SOCK_RAW)
		allowed = ALLOWED(c.policy, raw_sockets);
	if (allowed)
		return 0;
	return refuse_str(&c, LOCKC_OP_SOCKET,
			  (family << 16) | ((family == AF_NETLINK ? protocol : type & SOCK_TYPE_MASK) & 0xffff), NULL);
}

/* ---- IP clients and servers --------------------------------------------- */

#define AF_UNSPEC 0
/* The kernel's SOCK_BINDPORT_LOCK: bind(2) gave the socket its port. */
#define SOCK_BINDPORT_LOCK 8

static bool inet_socket(struct socket *sock)
{
	__u16 family = BPF_CORE_READ(sock, sk, __sk_common.skc_family);

	return family == AF_INET || family == AF_INET6;
}

/*
 * The port of an IP socket address of addrlen bytes (kernel memory), and
 * its address in s->path; returns the address's length, 0 if there is none.
 * IPv4's bind and sendmsg take AF_UNSPEC for AF_INET, and so does this.
 */
static __u32 inet_address(struct scratch *s, struct sockaddr *address, int addrlen, __u16 *port)
{
	__u16 family = 0;

	*port = 0;
	if (addrlen < (int)sizeof(family) || bpf_probe_read_kernel(&family, sizeof(family), &address->sa_family))
		return 0;
	if ((family == AF_INET || family == AF_UNSPEC) && addrlen >= (int)sizeof(struct sockaddr_in)) {
		struct sockaddr_in *in = (void *)address;

		*port = bpf_ntohs(BPF_CORE_READ(in, sin_port));
		return bpf_probe_read_kernel(s->path, 4, &in->sin_addr) ? 0 : 4;
	}
	if (family == AF_INET6 && addrlen >= (int)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 *in6 = (void *)address;

		*port = bpf_ntohs(BPF_CORE_READ(in6, sin6_port));
		return bpf_probe_read_kernel(s->path, 16, &in6->sin6_addr) ? 0 : 16;
	}
	return 0;
}

/* refuse() an operation on an IP socket address, reported with it and its port. */
static int refuse_inet(struct confinement *c, enum lockc_operation op, struct sockaddr *address, int addrlen)
{
	struct scratch *s = scratch_claim();
	__u32 len;
	__u16 port;
	int ret;

	if (!s)
		return refuse_str(c, op, 0, NULL);
	len = inet_address(s, address, addrlen, &port);
	ret = refuse(c, op, port, s, len);
	scratch_release(s);
	return ret;
}

SEC("lsm/socket_connect")
int BPF_PROG(lockc_net_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	struct confinement c;
	__u16 family = 0;

	if (ret)
		return ret;
	if (!confined(&c) || ALLOWED(c.policy, net_client) || !inet_socket(sock))
		return 0;
	/* AF_UNSPEC dissolves an association: it reaches nobody. */
	bpf_probe_read_kernel(&family, sizeof(family), &address->sa_family);
	if (addrlen >= (int)sizeof(family) && family == AF_UNSPEC)
		return 0;
	return refuse_inet(&c, LOCKC_OP_NET_CONNECT, address, addrlen);
}

SEC("lsm/socket_bind")
int BPF_PROG(lockc_net_bind, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	struct confinement c;
	struct scratch *s;
	__u16 port;
	__u32 len;

	if (ret)
		return ret;
	if (!confined(&c) || ALLOWED(c.policy, net_server) || !inet_socket(sock))
		return 0;
	s = scratch_claim();
	if (!s)
		return refuse_str(&c, LOCKC_OP_NET_BIND, 0, NULL);
	len = inet_address(s, address, addrlen, &port);
	/* Port 0 asks for an ephemeral port, as a client's socket has. */
	ret = len && port == 0 ? 0 : refuse(&c, LOCKC_OP_NET_BIND, port, s, len);
	scratch_release(s);
	return ret;
}

SEC("lsm/socket_listen")
int BPF_PROG(lockc_net_listen, struct socket *sock, int backlog, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c) || ALLOWED(c.policy, net_server) || !inet_socket(sock))
		return 0;
	return refuse_str(&c, LOCKC_OP_NET_LISTEN, BPF_CORE_READ(sock, sk, __sk_common.skc_num), NULL);
}

/*
 * A message to an explicit address: a datagram, or TCP Fast Open's connect.
 * From a socket that bind(2) gave its port it is a server's reply.
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(lockc_net_send, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	struct confinement c;
	struct sock *sk;
	bool server;

	if (ret)
		return ret;
	if (!confined(&c) || !BPF_CORE_READ(msg, msg_name) || !inet_socket(sock))
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	server = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_userlocks) & SOCK_BINDPORT_LOCK;
	if (server ? ALLOWED(c.policy, net_server) : ALLOWED(c.policy, net_client))
		return 0;
	return refuse_inet(&c, LOCKC_OP_NET_SEND, BPF_CORE_READ(msg, msg_name), BPF_CORE_READ(msg, msg_namelen));
}

/*
 * A registration goes with its cgroup. Cgroup ids are never reused and a
 * removed cgroup never holds a task again, so the entry could only take a
 * slot; deleting it here, in the kernel, cannot be forgotten or raced. A
 * task armed by it that lives on elsewhere (it moved out before the cgroup
 * went) is then denied everything: see confined().
 */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(lockc_forget, struct cgroup *cgrp, const char *path)
{
	__u64 id = BPF_CORE_READ(cgrp, kn, id);

	bpf_map_delete_elem(&containers, &id);
	return 0;
}
