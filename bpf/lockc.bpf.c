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
 * registration points at a policy that does not exist (fail closed).
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

/*
 * Room for a whole path and the rule key built from it: too big for the BPF
 * stack. Programs run with migration disabled but may be preempted, so a
 * buffer is claimed with a compare-and-swap on `busy`, not assumed free.
 */
#define SCRATCH_SLOTS 4

struct scratch {
	__u32 busy;
	char path[PATH_MAX];
	struct lockc_rule_key key;
};

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

/* What confines the current task: its arming and its policy. */
struct confinement {
	struct lockc_task *task;
	struct lockc_policy *policy;	/* NULL: the policy is missing, deny */
};

/* False for a task that lockc leaves alone: never armed, or released. */
static bool confined(struct confinement *c)
{
	struct lockc_container *container;

	c->task = bpf_task_storage_get(&armed_tasks, bpf_get_current_task_btf(), 0, 0);
	if (!c->task)
		return false;
	container = bpf_map_lookup_elem(&containers, &c->task->container);
	if (!container)
		return false;
	c->policy = bpf_map_lookup_elem(&policies, &container->policy_id);
	return true;
}

/* A missing policy allows nothing. */
#define ALLOWED(policy, field) ((policy) && (policy)->field == LOCKC_VERDICT_ALLOW)

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

/* The namespace of the mount a file was opened through. */
static struct mnt_namespace *mount_namespace_of(struct file *file)
{
	struct vfsmount *vfsmnt = BPF_CORE_READ(file, f_path.mnt);
	struct mount *mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);

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
	if (!c.policy)
		return -EPERM;
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
		return -EPERM;
	s = scratch_claim();
	if (!s)
		return -EPERM;
	/* Resolved against the task's root: the path the workload sees. */
	len = bpf_d_path((struct path *)&file->f_path, s->path, sizeof(s->path));
	if (len > 1)
		verdict = rule_verdict(s, c.policy->ruleset, LOCKC_RULE_FILE, len - 1);
	scratch_release(s);
	return verdict == LOCKC_VERDICT_ALLOW ? 0 : -EPERM;
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
		return -EPERM;
	s = scratch_claim();
	if (!s)
		return -EPERM;
	len = bpf_probe_read_kernel_str(s->path, sizeof(s->path), dev_name);
	if (len > 1 && canonical_path(s, len - 1))
		bind_allowed = rule_verdict(s, c.policy->ruleset, LOCKC_RULE_BIND_MOUNT, len - 1) ==
			       LOCKC_VERDICT_ALLOW;
	scratch_release(s);
	return bind_allowed ? 0 : -EPERM;
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
	return SYSCALL_NR(regs) == NR_mount ? -EPERM : 0;
}

/* Everything that changes the mount tree other than mount(2) itself. */
static int mount_change(void)
{
	struct confinement c;

	if (!confined(&c))
		return 0;
	return ALLOWED(c.policy, mount) ? 0 : -EPERM;
}

SEC("lsm/sb_umount")
int BPF_PROG(lockc_sb_umount, struct vfsmount *mnt, int flags, int ret)
{
	return ret ?: mount_change();
}

SEC("lsm/sb_remount")
int BPF_PROG(lockc_sb_remount, struct super_block *sb, void *mnt_opts, int ret)
{
	return ret ?: mount_change();
}

SEC("lsm/move_mount")
int BPF_PROG(lockc_move_mount, const struct path *from_path, const struct path *to_path, int ret)
{
	return ret ?: mount_change();
}

/*
 * fsconfig(2) and every mount option. This hook's "not mine" answer is
 * -ENOPARAM, not 0: 0 would tell the VFS that an LSM consumed the option.
 */
SEC("lsm/fs_context_parse_param")
int BPF_PROG(lockc_fs_param, struct fs_context *fc, struct fs_parameter *param, int ret)
{
	if (ret != -ENOPARAM)
		return ret;
	return mount_change() ?: -ENOPARAM;
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
	return -EPERM;
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
	return ALLOWED(c.policy, chroot) ? 0 : -EPERM;
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
	return -EPERM;
}

SEC("lsm/syslog")
int BPF_PROG(lockc_syslog, int type, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	return ALLOWED(c.policy, syslog) ? 0 : -EPERM;
}
