/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * lockc's control-plane ABI: the keys, values, limits and enums of the maps
 * pinned under /sys/fs/bpf/lockc/maps/. The BPF programs in bpf/ and the
 * lockcctl helper both include this header, so neither can drift from the
 * other. Every map is described for admins in maps/<name>.md.
 *
 * The BPF side includes vmlinux.h first, which provides __u32 and friends;
 * userspace gets them from <linux/types.h>.
 */
#ifndef LOCKC_H
#define LOCKC_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Longest container or policy name, terminating NUL included. */
#define LOCKC_NAME_MAX 64

/* Sizes of the pinned maps. */
#define LOCKC_CONTAINERS_MAX 16384
#define LOCKC_POLICIES_MAX 256
/*
 * Path rules of every policy together. Applying a policy writes its new
 * rules before it drops the old ones, so a policy of N rules needs 2N free
 * entries while it is applied.
 */
#define LOCKC_RULES_MAX 65536


/*
 * Registered cgroups must sit at most this deep below the cgroup v2 root
 * (the root itself is level 0 and cannot be registered). The kernel side
 * checks the ancestors of a task's cgroup at levels 1..LOCKC_CGROUP_LEVEL_MAX
 * only, so a task nested deeper than that below a registered cgroup is still
 * found; lockcctl refuses to register anything deeper.
 */
#define LOCKC_CGROUP_LEVEL_MAX 32

/* Policy id 0 never names a policy, so a zeroed value cannot match one. */
#define LOCKC_POLICY_ID_NONE 0
/* Ruleset 0 holds no rules: a policy written without one denies every path. */
#define LOCKC_RULESET_NONE 0

/*
 * What a policy says about an operation. Zero is deliberately not a verdict:
 * a field that was never written reads as "not allowed".
 */
enum lockc_verdict {
	LOCKC_VERDICT_ALLOW = 1,
	LOCKC_VERDICT_DENY = 2,
};

/*
 * What happens to an operation that a container's policy denies. Zero is not
 * a mode: an entry written without one is enforced.
 */
enum lockc_mode {
	LOCKC_MODE_ENFORCE = 1,		/* refuse it (EPERM) and report it */
	LOCKC_MODE_AUDIT = 2,		/* let it happen and report it */
	/*
	 * let it happen, and record in map "learned" once each distinct
	 * operation it denies or that the policy's path, device, capability
	 * and socket rules allow, for `lockcctl policy suggest`
	 */
	LOCKC_MODE_LEARN = 3,
};

/*
 * Map "containers": key __u64 cgroup id (the cgroup v2 directory's inode).
 * The kernel deletes an entry when its cgroup is removed.
 */
struct lockc_container {
	__u32 policy_id;		/* key into "policies" */
	enum lockc_mode mode;
	char name[LOCKC_NAME_MAX];	/* for admins and events, NUL-terminated */
};

/* Map "policies": key __u32 policy id (>= 1). */
struct lockc_policy {
	char name[LOCKC_NAME_MAX];	/* unique, NUL-terminated */
	__u32 ruleset;			/* the policy's entries in "rules" */
	enum lockc_verdict syslog;	/* syslog(2), /dev/kmsg, dmesg */
	/*
	 * ALLOW: any mount operation. DENY: none (mount, umount, remount,
	 * pivot_root, move_mount, fsconfig, files reached through a mount
	 * outside the task's mount namespace), except mount(2) with MS_BIND
	 * from a source that a LOCKC_RULE_BIND_MOUNT rule allows.
	 */
	enum lockc_verdict mount;
	enum lockc_verdict chroot;	/* chroot(2) */
	/*
	 * UNIX sockets created outside the container's cgroup subtree (the
	 * host's, another container's): connect(2) to a stream or seqpacket
	 * one, a datagram sent to one. LOCKC_RULE_IPC rules let containers
	 * of two policies that name each other through.
	 */
	enum lockc_verdict host_sockets;
	/* SysV IPC objects (message queues, semaphores, shared memory) that no task of the container made */
	enum lockc_verdict host_ipc;
	/* ---- the kernel interfaces a container never needs ---- */
	enum lockc_verdict bpf;		/* bpf(2), so also lockc's own maps and links */
	enum lockc_verdict perf_events;	/* perf_event_open(2) */
	enum lockc_verdict keyring;	/* add_key(2), request_key(2), keyctl(2) */
	enum lockc_verdict set_time;	/* clock_settime(2), settimeofday(2), adjtimex(2) */
	/* modules (explicit and auto-loaded on demand), firmware, kexec images */
	enum lockc_verdict kernel_load;
	enum lockc_verdict user_namespaces;	/* unshare/clone with CLONE_NEWUSER */
	/*
	 * Changing kernel state through files, whatever the file rules say:
	 * writing /proc/sys or /proc/sysrq-trigger; writing, making, removing
	 * or renaming anything on sysfs, debugfs, tracefs, securityfs, bpffs
	 * (which also needs bpf), configfs, efivarfs and pstore; and on a
	 * cgroup file system, anything outside what the container's cgroup
	 * delegates (see cgroup_delegated in bpf/lockc.bpf.c).
	 */
	enum lockc_verdict kernel_tunables;
	/* ---- other processes ---- */
	/*
	 * kill(2) and friends to a task of another container or the host, and
	 * a SIGIO owner other than the task's own process or process group
	 */
	enum lockc_verdict signal_outside;
	/*
	 * ptrace(2), /proc/PID/mem and the like, and changing another task's
	 * priority, scheduling, limits or memory placement, across the
	 * container's edge
	 */
	enum lockc_verdict ptrace_outside;
	/* ---- root ---- */
	/* a task with any host uid 0 (real, effective, saved, filesystem) */
	enum lockc_verdict run_as_root;
	/* a task whose real uid is not 0 taking uid 0: setuid(2) and friends, setuid-root programs */
	enum lockc_verdict become_root;
	/* ---- network ---- */
	enum lockc_verdict raw_sockets;	/* SOCK_RAW in AF_INET and AF_INET6 */
	/*
	 * IP sockets (AF_INET, AF_INET6, loopback included) as a client:
	 * connect(2), and a datagram sent to an address from a socket that
	 * bind(2) gave no port (sendto(2), sendmsg(2), TCP Fast Open).
	 */
	enum lockc_verdict net_client;
	/*
	 * ... as a server: bind(2) to a port (0, an ephemeral port, is a
	 * client's), listen(2), and a datagram sent to an address from a
	 * socket bound to a port (a reply).
	 */
	enum lockc_verdict net_server;
	/* ---- code without a file of the image ---- */
	/*
	 * Running, or mapping executable, a file with no path in the task's
	 * mount tree (a memfd, a file on a detached mount), and making a file
	 * mapping executable after it was mapped (mprotect(2), whose hook
	 * cannot resolve a path). Exec rules decide for files with a path.
	 */
	enum lockc_verdict exec_memfd;
	/*
	 * Anonymous executable memory: mmap(2) with PROT_EXEC and no file,
	 * mprotect(2) with PROT_EXEC on anonymous memory. A JIT's code (Java,
	 * JavaScript, .NET, LuaJIT, PCRE) and the stack of an execstack program.
	 */
	enum lockc_verdict exec_anonymous;
	/*
	 * Capabilities the container may use, one bit per CAP_* number, laid
	 * out like CapEff in /proc/PID/status (`capsh --decode` reads it).
	 * Checked in every user namespace, so a capability the runtime
	 * granted by mistake stays unusable.
	 */
	__u64 capabilities;
	__u64 socket_families;		/* bit N: socket(2) of address family N, but AF_NETLINK */
	__u32 netlink_protocols;	/* bit N: AF_NETLINK sockets of protocol N */
	/*
	 * ALLOW: a file that no file rule matches may be opened (and changed,
	 * as far as the write rules let it) when it is reached through one of
	 * the container's own mounts, those "own_mounts" lists for it: its
	 * root file system, its tmpfs mounts, the volumes the spec check
	 * approved. An explicit DENY file rule still wins. DENY: the file
	 * rules alone decide.
	 */
	enum lockc_verdict own_mounts;
	/*
	 * 1: lockcctl wrote the ruleset's LOCKC_RULE_RULES_BELOW entries, so
	 * the kernel may remember per directory that a container can change
	 * its entries (map "allowed_dirs"). 0, as in a policy written by hand
	 * or carried from a build without markers: it never does, and every
	 * change is decided from its path.
	 */
	__u32 rules_below_marked;
};

/* What a path rule governs. */
enum lockc_rule_class {
	LOCKC_RULE_FILE = 1,		/* open(2) of the path */
	LOCKC_RULE_BIND_MOUNT = 2,	/* the path as the source of a bind mount */
	/*
	 * A host path that the runtime may bind-mount into the container as
	 * it creates it (config.json's mounts). The runtime mounts before
	 * the workload is armed, so lockcctl's OCI hook and runtime wrapper
	 * check these against the spec; no BPF program looks them up.
	 */
	LOCKC_RULE_VOLUME = 3,
	/*
	 * execve(2) of the file, and mapping it executable (mmap): what the
	 * dynamic loader does for every library. A file without a path in
	 * the task's mount tree (a memfd) is the exec_memfd switch's.
	 */
	LOCKC_RULE_EXEC = 4,
	/*
	 * Opening a character or block device, wherever its node is, and
	 * mknod(2) of one. The key's path bytes are not a path but the device:
	 * 'c' or 'b', then the major and the minor number as big-endian
	 * __u32s (9 bytes); a rule for every minor of a major stops after the
	 * major (5 bytes), one for every device of a type after the type (1).
	 * Exact and subtree encodings do not apply.
	 */
	LOCKC_RULE_DEVICE = 5,
	/*
	 * Changing what is at the path: opening it for writing, truncating,
	 * creating, removing, renaming, linking, chmod and chown. These
	 * rules narrow the file rules: DENY makes a subtree read-only, ALLOW
	 * opens a subtree of it again, and a path no write rule matches may
	 * be changed wherever the file rules let it be opened.
	 */
	LOCKC_RULE_WRITE = 6,
	/*
	 * Written by lockcctl, never by a policy line: every directory above
	 * the path of a deny file or deny write rule (but "/"), as an exact
	 * key with verdict DENY. rename(2) refuses to move such a directory,
	 * which would carry the denied subtree to a name the rules allow.
	 */
	LOCKC_RULE_PINNED = 7,
	/*
	 * Another policy whose containers may reach this policy's through
	 * UNIX sockets and SysV IPC, past host-sockets and host-ipc: allowed
	 * when each of the two policies has an ALLOW rule naming the other.
	 * The key's path bytes are the other policy's name and its NUL.
	 */
	LOCKC_RULE_IPC = 8,
	/*
	 * A host path that the runtime may bind-mount read-only: like
	 * LOCKC_RULE_VOLUME, for a mount whose options say "ro" (an engine's
	 * init binary, /sbin/docker-init). The policies that let a container
	 * mount nothing deny remounting it writable.
	 */
	LOCKC_RULE_VOLUME_READONLY = 9,
	/*
	 * Written by lockcctl, never by a policy line: every directory above
	 * the path of a file or write rule ("/" included), as an exact key
	 * with verdict DENY. Entries of a directory without one are all
	 * decided alike, as the directory's own path is: only then may the
	 * kernel remember that a container can change them ("allowed_dirs").
	 */
	LOCKC_RULE_RULES_BELOW = 10,
};

#define LOCKC_DEVICE_KEY_LEN 9
#define LOCKC_DEVICE_MAJOR_KEY_LEN 5

/*
 * Map "rules" is an LPM trie: the longest stored prefix of a lookup key
 * decides. The key's data is the ruleset, the class and the path bytes; its
 * prefixlen counts bits from the start of the ruleset field.
 *
 * Paths are encoded so that a byte prefix is a path-component prefix:
 *   - a subtree rule for /usr stores "/usr/" (the root stores "/");
 *   - an exact rule stores that followed by a NUL: "/usr/\0", "/\0".
 * The kernel looks up the path followed by "/" (unless it already ends in
 * "/") and a NUL, truncated to LOCKC_RULE_PATH_MAX bytes. Since no rule is
 * longer than that, a path of any length is decided exactly.
 */
#define LOCKC_RULE_PATH_MAX 248

struct lockc_rule_key {
	__u32 prefixlen;
	__u32 ruleset;
	enum lockc_rule_class class;
	char path[LOCKC_RULE_PATH_MAX];
};

/* Bits of a key's prefixlen taken by the ruleset and class fields. */
#define LOCKC_RULE_KEY_HEADER_BITS (8 * (sizeof(__u32) + sizeof(enum lockc_rule_class)))

struct lockc_rule {
	enum lockc_verdict verdict;
};

/*
 * Task storage "armed_tasks": present on every task that lockc confines. Set
 * at the first execve of a task whose cgroup has a registered ancestor (or
 * is registered then by a guard, see "guards"),
 * copied to every child and thread at fork, never removed. A task whose
 * registration was deleted by the admin is no longer confined.
 */
struct lockc_task {
	__u64 container;	/* cgroup id of the registration that armed it */
	__u32 level;		/* that cgroup's level below the cgroup v2 root */
};

/*
 * Map "guards": the cgroups where container engines put their containers,
 * so that a container no hook or wrapper registered (an engine that skips
 * them, `docker run --runtime runc`, `ctr run`, a hooks.d file that is
 * missing) is still confined. When a task with no registered ancestor
 * execs, the kernel looks its cgroup up here; if it lies in a guarded tree
 * and its own name is not exempt, the kernel registers that cgroup itself
 * (name LOCKC_GUARD_NAME_PREFIX and the cgroup's name) under the guard's
 * policy and mode, and arms the task by it. The runtime's steps before the
 * workload's first exec run free, as with any registration.
 *
 * An LPM trie, like "rules": the key's data is the class and the path
 * bytes, prefixlen counts bits from the start of the class field, and the
 * longest stored prefix of a lookup decides.
 */
enum lockc_guard_class {
	/* path: a prefix of cgroup paths from the v2 root, "/system.slice/docker-" */
	LOCKC_GUARD_TREE = 1,
	/*
	 * path: a prefix of a cgroup's own name ("libpod-conmon-"): such a
	 * cgroup holds the engine's own processes (a monitor that runs the
	 * runtime), never a container, wherever it lies.
	 */
	LOCKC_GUARD_EXEMPT = 2,
};

#define LOCKC_GUARD_PATH_MAX 248
#define LOCKC_GUARD_KEY_HEADER_BITS (8 * sizeof(enum lockc_guard_class))
#define LOCKC_GUARD_NAME_PREFIX "guard:"

struct lockc_guard_key {
	__u32 prefixlen;
	enum lockc_guard_class class;
	char path[LOCKC_GUARD_PATH_MAX];	/* not NUL-terminated: prefixlen says how long */
};

struct lockc_guard {
	__u32 policy_id;	/* LOCKC_GUARD_TREE: the registration's policy; EXEMPT: 0 */
	enum lockc_mode mode;	/* LOCKC_GUARD_TREE: its mode; EXEMPT: 0 */
};

#define LOCKC_GUARDS_MAX 256

/*
 * Map "own_mounts": the mounts that the runtime made for a container before
 * its workload ran, and that hold the container's own files: its root file
 * system, its tmpfs and ramfs mounts, and the bind mounts (volumes) whose
 * sources the spec check approved. Written by lockcctl when it registers a
 * container from its OCI spec (the hook, the runtime wrapper), read from
 * the container's /proc/PID/mountinfo then; a guard's or an adopted
 * registration has none. A mount is named by the directory it shows, as
 * stat(2) names it: the device of its file system and its root's inode.
 * The kernel deletes a container's entries with its cgroup.
 */
struct lockc_own_mount_key {
	__u64 container;	/* cgroup id, a key of "containers" */
	__u32 dev_major;	/* the mount's file system, major(st_dev) */
	__u32 dev_minor;	/* minor(st_dev) */
	__u64 ino;		/* the inode of the mount's root directory (or file) */
};

struct lockc_own_mount {
	char mount_point[LOCKC_NAME_MAX];	/* inside the container, for admins; cut to fit */
};

#define LOCKC_OWN_MOUNTS_MAX 65536

/*
 * Map "path_changes": one __u64 at key 0, the number of renames, unlinks of
 * a hard-linked file, mounts, unmounts, mount moves, chroots and pivot_roots
 * on the node since lockc was loaded. Each can give a file another path, so
 * an open verdict kept in "allowed_inodes" before it is not used.
 *
 * Map "tree_changes": the same for directories, one __u64 at key 0: renames
 * and removals of a directory, mounts, unmounts, mount moves, chroots and
 * pivot_roots.
 * A file's rename or unlink leaves every directory's path as it was, so a
 * verdict kept in "allowed_dirs" outlives it.
 */

/* ---- what is loaded ---------------------------------------------------- */

/*
 * Map "loaded_object": one value at key 0, which build the attached programs
 * came from. lockc-load writes it once the programs are attached; no program
 * reads it. A load over a different version or object is an upgrade.
 */
#define LOCKC_VERSION_MAX 64
#define LOCKC_SHA256_HEX 65	/* 64 hex digits and a NUL */

struct lockc_loaded_object {
	char version[LOCKC_VERSION_MAX];	/* the source or package version */
	char object_sha256[LOCKC_SHA256_HEX];	/* of lockc.bpf.o */
};

/* ---- events ------------------------------------------------------------ */

/* Ring buffer "events": its size in bytes (a power of two pages). */
#define LOCKC_EVENTS_BYTES (1 << 20)
/*
 * Each container may report this many denials per window; the rest are
 * counted, not sent, so one looping workload cannot crowd out the others.
 */
#define LOCKC_EVENTS_PER_WINDOW 64
#define LOCKC_EVENT_WINDOW_NS 1000000000ULL

/* The operation a denial event is about. */
enum lockc_operation {
	LOCKC_OP_OPEN = 1,		/* detail: the path as the workload sees it */
	LOCKC_OP_OPEN_DETACHED = 2,	/* a file on a mount outside the task's namespace */
	LOCKC_OP_MOUNT = 3,		/* detail: the source */
	LOCKC_OP_MOUNT_SYMLINK = 4,	/* a symlink followed inside mount(2); detail: its name */
	LOCKC_OP_UMOUNT = 5,		/* detail: the mount point's name */
	LOCKC_OP_REMOUNT = 6,		/* detail: the file system type */
	LOCKC_OP_MOVE_MOUNT = 7,	/* detail: the target's name */
	LOCKC_OP_MOUNT_OPTION = 8,	/* fsconfig(2) or a mount option; detail: its key */
	LOCKC_OP_PIVOT_ROOT = 9,	/* detail: the new root's name */
	LOCKC_OP_CHROOT = 10,		/* detail: the new root's name */
	LOCKC_OP_UNIX_CONNECT = 11,	/* detail: the socket's address, "@" for abstract */
	LOCKC_OP_SYSLOG = 12,
	LOCKC_OP_EXEC = 13,		/* detail: the program's path */
	LOCKC_OP_EXEC_MAP = 14,		/* mmap or mprotect with PROT_EXEC; detail: the file's path */
	LOCKC_OP_RUN_AS_ROOT = 15,	/* value: the uid 0 id's kind (lockc_uid_kind); detail: the program, if an exec */
	LOCKC_OP_BECOME_ROOT = 16,	/* value: as RUN_AS_ROOT; detail: the setuid-root program, if one */
	LOCKC_OP_CAPABILITY = 17,	/* value: the CAP_* number */
	LOCKC_OP_SOCKET = 18,		/* value: family << 16 | the type, or for netlink the protocol */
	LOCKC_OP_SIGNAL = 19,		/* value: the signal; detail: the target's comm */
	LOCKC_OP_PTRACE = 20,		/* value: the ptrace mode bits, 0 for PTRACE_TRACEME; detail: the other task's comm */
	LOCKC_OP_BPF = 21,		/* value: the bpf(2) command */
	LOCKC_OP_PERF_EVENT = 22,
	LOCKC_OP_KEYRING = 23,
	LOCKC_OP_SET_TIME = 24,
	LOCKC_OP_KERNEL_LOAD = 25,	/* value: the kernel's reading/loading id, 0 for a module request; detail: the module */
	LOCKC_OP_USER_NAMESPACE = 26,
	LOCKC_OP_KERNEL_TUNABLE = 27,	/* detail: the file's path */
	LOCKC_OP_DEVICE = 28,		/* value: the device number (major << 20 | minor); detail: the path */
	LOCKC_OP_MKNOD = 29,		/* value: as DEVICE; detail: the new node's name */
	LOCKC_OP_WRITE = 30,		/* value: the change (lockc_write_kind); detail: the path */
	/*
	 * IP sockets. value: the port; detail: the address, binary (4 bytes
	 * for IPv4, 16 for IPv6, network byte order), which lockcctl prints.
	 */
	LOCKC_OP_NET_CONNECT = 31,	/* connect(2): the peer */
	LOCKC_OP_NET_SEND = 32,		/* a datagram to an address: the peer */
	LOCKC_OP_NET_BIND = 33,		/* bind(2) to a port: the local address */
	LOCKC_OP_NET_LISTEN = 34,	/* listen(2): the local port, no detail */
	LOCKC_OP_IPC = 35,		/* a SysV IPC object another container or the host made; value: its id (ipcs) */
	LOCKC_OP_UNIX_SEND = 36,	/* a datagram to a UNIX socket; detail: as UNIX_CONNECT */
	/*
	 * A change to a file on a mount outside the task's namespace (through
	 * a directory fd from the host, or a detached tree); value: as WRITE;
	 * detail: the file's name.
	 */
	LOCKC_OP_WRITE_DETACHED = 37,
	/*
	 * A file's SIGIO owner set to another than the task's own process or
	 * process group (fcntl F_SETOWN; value: its argument, a negative one a
	 * process group), or through F_SETOWN_EX, ioctl FIOSETOWN or SIOCSPGRP
	 * (value: -1).
	 */
	LOCKC_OP_SIGIO_OWNER = 38,
	/* A change to a task outside the container; value: lockc_task_change; detail: its comm */
	LOCKC_OP_TASK_CHANGE = 39,
	LOCKC_OP_EXEC_ANONYMOUS = 40,	/* mmap or mprotect of anonymous memory with PROT_EXEC */
	LOCKC_OP_MQUEUE = 41,		/* a POSIX message queue of the host's IPC namespace; detail: its name */
};

/* What a LOCKC_OP_TASK_CHANGE event's task was about to undergo. */
enum lockc_task_change {
	LOCKC_TASK_NICE = 1,		/* setpriority(2), nice */
	LOCKC_TASK_IOPRIO = 2,		/* ioprio_set(2) */
	LOCKC_TASK_SCHEDULER = 3,	/* sched_setscheduler(2), sched_setattr(2), sched_setaffinity(2) */
	LOCKC_TASK_RLIMIT = 4,		/* prlimit(2), setrlimit(2) */
	LOCKC_TASK_MEMORY = 5,		/* migrate_pages(2), move_pages(2) */
	LOCKC_TASK_PROCFS = 6,		/* a write to a file of its /proc/PID (oom_score_adj...) */
};

/* What a LOCKC_OP_WRITE event's path was about to undergo. */
enum lockc_write_kind {
	LOCKC_WRITE_OPEN = 1,		/* open(2) for writing */
	LOCKC_WRITE_TRUNCATE = 2,	/* truncate(2), O_TRUNC */
	LOCKC_WRITE_CREATE = 3,		/* mkdir, mknod, mkfifo, symlink, bind(2) of a UNIX socket */
	LOCKC_WRITE_REMOVE = 4,		/* unlink, rmdir */
	LOCKC_WRITE_RENAME_FROM = 5,	/* rename(2)'s source: write rules, and file rules as for an open */
	LOCKC_WRITE_RENAME_TO = 6,
	LOCKC_WRITE_LINK_FROM = 7,	/* link(2)'s existing file: write rules, and file rules as for an open */
	LOCKC_WRITE_LINK_TO = 8,
	LOCKC_WRITE_CHMOD = 9,
	LOCKC_WRITE_CHOWN = 10,
	LOCKC_WRITE_XATTR = 11,		/* setxattr(2), removexattr(2), and POSIX ACLs on 6.1 */
	LOCKC_WRITE_TIMES = 12,		/* utimes(2), utimensat(2), futimens(3): a file's timestamps */
};

/* Which of a task's uids is 0, in LOCKC_OP_RUN_AS_ROOT and _BECOME_ROOT events. */
enum lockc_uid_kind {
	LOCKC_UID_REAL = 1,
	LOCKC_UID_EFFECTIVE = 2,
	LOCKC_UID_SAVED = 3,
	LOCKC_UID_FILESYSTEM = 4,
};

enum lockc_decision {
	LOCKC_DECISION_DENIED = 1,	/* refused: the container is enforced */
	LOCKC_DECISION_AUDITED = 2,	/* allowed: the container is audited */
	LOCKC_DECISION_LEARNED = 3,	/* allowed: the container is learning; the policy denies it */
	LOCKC_DECISION_USED = 4,	/* allowed by the policy, reported because the container is learning */
};

/*
 * A record of "events": this header, then detail_len bytes of detail (no
 * NUL). Names are NUL-terminated.
 */
struct lockc_event {
	__u64 time_ns;			/* CLOCK_BOOTTIME */
	__u64 container;		/* cgroup id of the registration */
	__u32 pid;			/* thread group id, initial pid namespace */
	__u32 tid;
	__u32 policy_id;
	/* this container's events dropped by the rate limit since its last one */
	__u32 suppressed;
	enum lockc_operation operation;
	enum lockc_decision decision;
	__u32 detail_len;
	__u32 value;			/* the operation's number, as lockc_operation says; else 0 */
	char comm[16];
	char container_name[LOCKC_NAME_MAX];
	char policy_name[LOCKC_NAME_MAX];
};

/*
 * Map "ipc_owners": key __u64, the kernel address of a SysV IPC object's
 * struct kern_ipc_perm, from its creation to its removal; value: the
 * cgroup id of the registration whose task made it. Objects that no
 * confined task made have no entry.
 */
#define LOCKC_IPC_OBJECTS_MAX 16384

struct lockc_ipc_owner {
	__u64 container;
};

/*
 * Map "task_creds": key __u64, the kernel address of a struct cred that a
 * confined task made or was armed with, deleted when the kernel frees it.
 * A few per process.
 */
#define LOCKC_TASK_CREDS_MAX 65536

struct lockc_cred_owner {
	__u64 container;	/* cgroup id of the registration whose task made it */
};

/*
 * Map "learned": what containers in learning mode did, each distinct
 * operation once, for `lockcctl policy suggest`. Keyed by the container's
 * name, not its cgroup, so that what it learned outlives the container and
 * a second run under the same name adds to it; `lockcctl container forget`
 * deletes a name's entries. Entries exist only while they are used: the
 * map is allocated as it fills, and a full map records nothing more (the
 * operations are still allowed; `policy suggest` says the record is cut).
 */
#define LOCKC_LEARNED_MAX 32768
/* A learned path is cut to this many bytes, its NUL included; rules are not longer. */
#define LOCKC_LEARNED_DETAIL_MAX LOCKC_RULE_PATH_MAX

/* The IP socket operations, whose learned entries keep neither value nor detail (below). */
#define LOCKC_OP_IS_IP(op)                                                                        \
	((op) == LOCKC_OP_NET_CONNECT || (op) == LOCKC_OP_NET_SEND || (op) == LOCKC_OP_NET_BIND || \
	 (op) == LOCKC_OP_NET_LISTEN)

struct lockc_learned_key {
	char container[LOCKC_NAME_MAX];	/* the registration's name, NUL-terminated */
	enum lockc_operation operation;
	/*
	 * The event's value, but for IP sockets (NET_CONNECT, NET_SEND,
	 * NET_BIND, NET_LISTEN), whose switches a policy cannot narrow to a
	 * port: 0, so that every peer counts once.
	 */
	__u32 value;
	/*
	 * The event's detail as a NUL-terminated string, for the operations
	 * whose detail is a path or a name; empty for the IP sockets, whose
	 * detail is a binary address.
	 */
	char detail[LOCKC_LEARNED_DETAIL_MAX];
};

struct lockc_learned {
	__u64 count;			/* times seen; the first was reported as an event */
	__u64 first_ns;			/* CLOCK_BOOTTIME of the first */
	enum lockc_decision decision;	/* LEARNED (the policy denies it) or USED */
	__u32 pid;			/* of the first, initial pid namespace */
	char comm[16];			/* the first's program */
};

/* LRU map "event_budgets": key __u64 container cgroup id. */
struct lockc_event_budget {
	__u64 window_start_ns;
	__u32 sent;			/* events sent in this window */
	__u32 suppressed;		/* events dropped since the last one sent */
};

/* Per-CPU array "event_stats", one entry (key 0): sum the CPUs. */
struct lockc_event_stats {
	__u64 sent;
	__u64 rate_limited;		/* dropped by a container's budget */
	__u64 ring_full;		/* dropped: nobody read the ring buffer fast enough */
	__u64 no_buffer;		/* dropped: no scratch buffer free on the CPU */
};

#endif /* LOCKC_H */
