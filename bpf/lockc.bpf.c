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
#include "lockc.h"

#define EPERM 1
#define ENOMEM 12
#define EINVAL 22
#define ENOPARAM 519
#define MS_REMOUNT 32
#define MS_BIND 4096
#define PATH_MAX 4096

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
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LOCKC_EVENTS_BYTES);
} events SEC(".maps");

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

struct scratch {
	__u64 busy;
	struct lockc_event event;
	char path[PATH_MAX];
	struct lockc_rule_key key;
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

/* What confines the current task: its arming, registration and policy. */
struct confinement {
	struct lockc_task *task;
	struct lockc_container *container;
	struct lockc_policy *policy;	/* NULL: the policy is missing, deny */
};

/* False for a task that lockc leaves alone: never armed, or released. */
static bool confined(struct confinement *c)
{
	c->task = bpf_task_storage_get(&armed_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!c->task)
		return false;
	c->container = bpf_map_lookup_elem(&containers, &c->task->container);
	if (!c->container)
		return false;
	c->policy = bpf_map_lookup_elem(&policies, &c->container->policy_id);
	return true;
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

/* Report a denial whose detail, detail_len bytes, is already in s->path. */
static void report(struct confinement *c, enum lockc_operation op, bool enforced, struct scratch *s,
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
	e->policy_id = c->container->policy_id;
	e->suppressed = suppressed;
	e->operation = op;
	e->decision = enforced ? LOCKC_DECISION_DENIED : LOCKC_DECISION_AUDITED;
	e->detail_len = detail;
	e->reserved = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->container_name, c->container->name, LOCKC_NAME_MAX);
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
static int refuse(struct confinement *c, enum lockc_operation op, struct scratch *s, __u32 detail_len)
{
	bool enforced = c->container->mode != LOCKC_MODE_AUDIT;

	report(c, op, enforced, s, detail_len);
	return enforced ? -EPERM : 0;
}

/*
 * refuse() for hooks that hold no scratch buffer: the detail is a kernel
 * string (or none), copied into a buffer claimed here.
 */
static int refuse_str(struct confinement *c, enum lockc_operation op, const char *detail)
{
	bool enforced = c->container->mode != LOCKC_MODE_AUDIT;
	struct lockc_event_stats *stats;
	struct scratch *s = scratch_claim();
	__u32 zero = 0;
	long len = 0;

	if (!s) {
		stats = bpf_map_lookup_elem(&event_stats, &zero);
		if (stats)
			count_event(&stats->no_buffer);
		return enforced ? -EPERM : 0;
	}
	if (detail)
		len = bpf_probe_read_kernel_str(s->path, sizeof(s->path), detail);
	report(c, op, enforced, s, len > 1 ? len - 1 : 0);
	scratch_release(s);
	return enforced ? -EPERM : 0;
}

/* The name of a dentry, for an event's detail. */
static const char *dentry_name(struct dentry *dentry)
{
	return (const char *)BPF_CORE_READ(dentry, d_name.name);
}

/*
 * The verdict of the longest rule of (ruleset, class) that is a prefix of
 * the path in s->path (len bytes, no NUL), encoded as maps/lockc.h says.
 */
static enum lockc_verdict rule_verdict(struct scratch *s, __u32 ruleset, enum lockc_rule_class class, __u32 len)
{
	struct lockc_rule_key *key = &s->key;
	struct lockc_rule *rule;
	__u32 n = len < LOCKC_RULE_PATH_MAX ? len : LOCKC_RULE_PATH_MAX;

	/* barrier_var keeps the compiler from folding the bounds the verifier needs. */
	barrier_var(n);
	if (n == 0 || n > LOCKC_RULE_PATH_MAX)
		return LOCKC_VERDICT_DENY;
	if (bpf_probe_read_kernel(key->path, n, s->path))
		return LOCKC_VERDICT_DENY;
	if (n < LOCKC_RULE_PATH_MAX) {
		/* The whole path fit: add the "/" and the NUL that end it. */
		if (s->path[(n - 1) & (PATH_MAX - 1)] != '/')
			key->path[n++] = '/';
		barrier_var(n);
		if (n < LOCKC_RULE_PATH_MAX)
			key->path[n++] = '\0';
	}
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * n;
	key->ruleset = ruleset;
	key->class = class;
	rule = bpf_map_lookup_elem(&rules, key);
	return rule ? rule->verdict : LOCKC_VERDICT_DENY;
}

/* The kernel's real_mount(): the struct mount around a vfsmount. */
static struct mount *real_mount(struct vfsmount *vfsmnt)
{
	return (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
}

/* The namespace of the mount a file was opened through. */
static struct mnt_namespace *mount_namespace_of(struct file *file)
{
	struct mount *mnt = real_mount(BPF_CORE_READ(file, f_path.mnt));

	return BPF_CORE_READ(mnt, mnt_ns);
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
	return 0;
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

SEC("lsm/file_open")
int BPF_PROG(lockc_file_open, struct file *file, int ret)
{
	struct confinement c;
	enum lockc_verdict verdict = LOCKC_VERDICT_DENY;
	struct mnt_namespace *ns;
	struct scratch *s;
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
	if (BPF_CORE_READ(file, f_mode) & FMODE_NOACCOUNT)
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
		return refuse_str(&c, LOCKC_OP_OPEN_DETACHED, dentry_name(BPF_CORE_READ(file, f_path.dentry)));
	s = scratch_claim();
	if (!s)
		return refuse_str(&c, LOCKC_OP_OPEN, NULL);
	/* Resolved against the task's root: the path the workload sees. */
	len = bpf_d_path((struct path *)&file->f_path, s->path, sizeof(s->path));
	if (len > 1 && c.policy)
		verdict = rule_verdict(s, c.policy->ruleset, LOCKC_RULE_FILE, len - 1);
	if (verdict == LOCKC_VERDICT_ALLOW)
		ret = 0;
	else
		ret = refuse(&c, LOCKC_OP_OPEN, s, len > 1 ? len - 1 : 0);
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
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, mount))
		return 0;
	if (!c.policy || !(flags & MS_BIND) || (flags & MS_REMOUNT) || !dev_name)
		return refuse_str(&c, LOCKC_OP_MOUNT, dev_name);
	s = scratch_claim();
	if (!s)
		return refuse_str(&c, LOCKC_OP_MOUNT, NULL);
	len = bpf_probe_read_kernel_str(s->path, sizeof(s->path), dev_name);
	if (len > 1 && canonical_path(s, len - 1))
		bind_allowed = rule_verdict(s, c.policy->ruleset, LOCKC_RULE_BIND_MOUNT, len - 1) ==
			       LOCKC_VERDICT_ALLOW;
	ret = bind_allowed ? 0 : refuse(&c, LOCKC_OP_MOUNT, s, len > 1 ? len - 1 : 0);
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
	return refuse_str(&c, LOCKC_OP_MOUNT_SYMLINK, dentry_name(dentry));
}

/* Everything that changes the mount tree other than mount(2) itself. */
static int mount_change(enum lockc_operation op, const char *detail)
{
	struct confinement c;

	if (!confined(&c) || ALLOWED(c.policy, mount))
		return 0;
	return refuse_str(&c, op, detail);
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
	return ret ?: mount_change(LOCKC_OP_UMOUNT, mount_point_name(mnt));
}

SEC("lsm/sb_remount")
int BPF_PROG(lockc_sb_remount, struct super_block *sb, void *mnt_opts, int ret)
{
	return ret ?: mount_change(LOCKC_OP_REMOUNT, BPF_CORE_READ(sb, s_type, name));
}

SEC("lsm/move_mount")
int BPF_PROG(lockc_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	return ret ?: mount_change(LOCKC_OP_MOVE_MOUNT, dentry_name(BPF_CORE_READ(to_path, dentry)));
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
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, mount) && ALLOWED(c.policy, chroot))
		return 0;
	return refuse_str(&c, LOCKC_OP_PIVOT_ROOT, dentry_name(BPF_CORE_READ(new_path, dentry)));
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
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, chroot))
		return 0;
	return refuse_str(&c, LOCKC_OP_CHROOT, dentry_name(BPF_CORE_READ(path, dentry)));
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

/* refuse() a connect(2), reporting the listening socket's address. */
static int refuse_unix_connect(struct confinement *c, struct sock *other)
{
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)other, addr);
	struct scratch *s;
	long len = 0;
	int ret;

	if (!addr)
		return refuse_str(c, LOCKC_OP_UNIX_CONNECT, NULL);
	s = scratch_claim();
	if (!s)
		return refuse_str(c, LOCKC_OP_UNIX_CONNECT, NULL);
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
	ret = refuse(c, LOCKC_OP_UNIX_CONNECT, s, len > 1 ? len - 1 : 0);
	scratch_release(s);
	return ret;
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
	if (ALLOWED(c.policy, host_sockets))
		return 0;
	if (in_cgroup_subtree(BPF_CORE_READ(other, sk_cgrp_data.cgroup), c.task->container, c.task->level))
		return 0;
	return refuse_unix_connect(&c, other);
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
	return refuse_str(&c, LOCKC_OP_SYSLOG, NULL);
}

/*
 * A registration goes with its cgroup. Cgroup ids are never reused and a
 * removed cgroup never holds a task again, so the entry could only take a
 * slot; deleting it here, in the kernel, cannot be forgotten or raced.
 */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(lockc_forget, struct cgroup *cgrp, const char *path)
{
	__u64 id = BPF_CORE_READ(cgrp, kn, id);

	bpf_map_delete_elem(&containers, &id);
	return 0;
}
