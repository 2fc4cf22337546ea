/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The verdict on a change to a file, shared by every hook that changes
 * one: the file rules (and the own mounts they fall back on), then the write rules (write_check()), and the kernel
 * state that a policy keeps from the container whatever its paths say
 * (kernel_state_refused(): bpffs, sysfs, /proc/sys, cgroups outside the
 * container's own).
 */
#ifndef LOCKC_BPF_WRITES_H
#define LOCKC_BPF_WRITES_H

/* Deeper than any file under /proc/sys. */
#define PROC_DEPTH_MAX 16

/*
 * What decides for a file on procfs, wherever that procfs is mounted: the
 * entry right below its root on the way up from `dentry` (/proc/sys,
 * /proc/PID, /proc/sysrq-trigger). The root itself for the root; NULL for a
 * file deeper than PROC_DEPTH_MAX, which the callers refuse (fail closed).
 */
static struct dentry *proc_top(struct dentry *dentry, struct dentry *root)
{
	for (int i = 0; i < PROC_DEPTH_MAX; i++) {
		struct dentry *parent = BPF_CORE_READ(dentry, d_parent);

		if (dentry == root || parent == root)
			return dentry;
		dentry = parent;
	}
	return NULL;
}

/* Whether a dentry on procfs lies under /proc/sys or is /proc/sysrq-trigger. */
static bool proc_tunable(struct dentry *dentry, struct dentry *root)
{
	char sysrq[] = "sysrq-trigger", name[sizeof(sysrq)] = {};
	struct dentry *top = proc_top(dentry, root);

	if (!top)
		return true;
	if (top == root)
		return false;
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(top, d_name.name));
	if (name[0] == 's' && name[1] == 'y' && name[2] == 's' && name[3] == '\0')
		return true;
	for (__u32 j = 0; j < sizeof(sysrq); j++)
		if (name[j] != sysrq[j])
			return false;
	return true;
}

/*
 * Whether `dentry`, on procfs, lies under /proc/PID of a task outside the
 * container's cgroup subtree: with the host's pid namespace, a host process
 * or kernel thread. Writing such a file changes that task (oom_score_adj,
 * coredump_filter, clear_refs, timerslack_ns), which ptrace-outside keeps
 * from the container as it keeps the task's nice value and limits. A pid
 * directory's inode names its pid, any other top entry's names none. A
 * task that is gone counts as outside.
 */
static bool proc_task_outside(struct confinement *c, struct dentry *dentry)
{
	struct super_block *sb = BPF_CORE_READ(dentry, d_sb);
	struct dentry *root = BPF_CORE_READ(sb, s_root), *top;
	struct proc_inode *proc;
	struct hlist_node *first;
	struct task_struct *task;
	struct inode *inode;
	struct pid *pid;

	if (BPF_CORE_READ(sb, s_magic) != PROC_SUPER_MAGIC)
		return false;
	top = proc_top(dentry, root);
	if (!top)
		return true;
	if (top == root)
		return false;
	inode = BPF_CORE_READ(top, d_inode);
	if (!inode)
		return true;
	proc = (void *)inode - bpf_core_field_offset(struct proc_inode, vfs_inode);
	pid = BPF_CORE_READ(proc, pid);
	if (!pid)
		return false;	/* not a task's directory */
	first = BPF_CORE_READ(pid, tasks[PIDTYPE_PID].first);
	if (!first)
		return true;
	task = (void *)first - bpf_core_field_offset(struct task_struct, pid_links);
	return !in_cgroup_subtree(BPF_CORE_READ(task, cgroups, dfl_cgrp), c->task->container, c->task->level);
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

/* The file systems whose files hold kernel state; see kernel_tunables in maps/lockc.h. */
enum kernel_state_fs {
	KERNEL_STATE_NONE,	/* files judged by their path alone */
	KERNEL_STATE_BPFFS,
	KERNEL_STATE_INTERFACE,	/* sysfs, debugfs and their kind: all of it */
	KERNEL_STATE_PROCFS,
	KERNEL_STATE_CGROUPFS,
};

static enum kernel_state_fs kernel_state_fs(struct super_block *sb)
{
	switch (BPF_CORE_READ(sb, s_magic)) {
	case BPF_FS_MAGIC:
		return KERNEL_STATE_BPFFS;
	case SYSFS_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case CONFIGFS_MAGIC:
	case EFIVARFS_MAGIC:
	case PSTOREFS_MAGIC:
		return KERNEL_STATE_INTERFACE;
	case PROC_SUPER_MAGIC:
		return KERNEL_STATE_PROCFS;
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
		return KERNEL_STATE_CGROUPFS;
	}
	return KERNEL_STATE_NONE;
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
	switch (kernel_state_fs(sb)) {
	case KERNEL_STATE_NONE:
		return false;
	case KERNEL_STATE_BPFFS:
		/* lockc's own pins: with bpf(2) denied they stay out of reach by path too. */
		return !ALLOWED(c->policy, kernel_tunables) || !ALLOWED(c->policy, bpf);
	case KERNEL_STATE_INTERFACE:
		return !ALLOWED(c->policy, kernel_tunables);
	case KERNEL_STATE_PROCFS:
		return !ALLOWED(c->policy, kernel_tunables) && proc_tunable(dentry, BPF_CORE_READ(sb, s_root));
	case KERNEL_STATE_CGROUPFS:
		return !ALLOWED(c->policy, kernel_tunables) && !cgroup_delegated(c, dentry);
	}
	return true;
}

/*
 * The mount of a learned_names key for a change of `kind` through `vfsmnt`:
 * that mount, or for the changes only inode hooks see (attributes and
 * timestamps), the task's mount namespace, in which inode_change() finds
 * the same mount for a name until a mount changes (tree_changes), so that
 * a repeat is answered before that search.
 */
static __u64 learned_name_mount(struct vfsmount *vfsmnt, enum lockc_write_kind kind)
{
	if (kind == LOCKC_WRITE_XATTR || kind == LOCKC_WRITE_TIMES)
		return (__u64)bpf_get_current_task_btf()->nsproxy->mnt_ns;
	return (__u64)vfsmnt;
}

/* The directory `dentry` is an entry of, for map allowed_dirs; NULL for a file system's root. */
static struct inode *directory_of(struct dentry *dentry)
{
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);

	return parent && parent != dentry ? BPF_CORE_READ(parent, d_inode) : NULL;
}

/*
 * After an allowed change of the entry at s->path, keep for its directory
 * `dir` that the container may change its entries, when every entry would
 * be decided alike: the walk went through `dir` (not up from the root of a
 * mount, nor through a directory a rename put the entry in meanwhile),
 * lockcctl marked the ruleset's directories that have rules below them,
 * this one has no mark, and the file system holds no kernel state (whose
 * checks look at more than the path).
 */
static void remember_entry_change(struct confinement *c, struct scratch *s, struct path_parent *parent,
				  struct inode *dir, __u64 changes)
{
	/* A local: CO-RE relocates kernel structs, not this one. */
	struct dentry *walked = parent->dentry;

	if (!dir || !walked || BPF_CORE_READ(walked, d_inode) != dir || !c->policy ||
	    !c->policy->rules_below_marked || kernel_state_fs(BPF_CORE_READ(dir, i_sb)) != KERNEL_STATE_NONE)
		return;
	if (rule_verdict_or(s, c->policy->ruleset, LOCKC_RULE_RULES_BELOW, s->path, parent->len,
			    (enum lockc_verdict)0))
		return;
	remember_entries_allowed(c, dir, changes);
}

/*
 * The verdict on changing the file at (vfsmnt, dentry). A container may
 * change only what it may open: the file rules decide first, for every
 * kind of change (a file the task may not open cannot be made, removed,
 * truncated, renamed or given another name either), then the write rules
 * narrow them. No directory above a denied path (a pinned one) moves, as
 * that would give the denied file a name the rules allow. A change allowed
 * in a directory whose entries are all decided alike is kept (allowed_dirs)
 * and answers for the next one there.
 */
static int write_check(struct confinement *c, struct vfsmount *vfsmnt, struct dentry *dentry,
		       enum lockc_write_kind kind)
{
	struct mnt_namespace *ns = BPF_CORE_READ(real_mount(vfsmnt), mnt_ns);
	struct path_parent parent = {};
	struct learned_name_key name = {};
	struct inode *dir;
	struct scratch *s;
	__u64 changes;
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
	if (!ALLOWED(c->policy, mount) && ns != bpf_get_current_task_btf()->nsproxy->mnt_ns)
		return refuse_str(c, LOCKC_OP_WRITE_DETACHED, kind, dentry_name(dentry));
	/* Read before the decision: a directory moved while it is made leaves it unkept. */
	changes = tree_changes_now();
	dir = directory_of(dentry);
	if (entries_allowed_before(c, dir, changes))
		return 0;
	if (learning(c)) {
		name_learned_key(&name, c, learned_name_mount(vfsmnt, kind), dentry);
		if (name_recorded(c, &name, LEARNED_NAME_WRITE(kind), changes))
			return 0;
	}
	s = scratch_claim();
	if (!s)
		return refuse_str(c, LOCKC_OP_WRITE, kind, NULL);
	len = resolve_path(s, vfsmnt, dentry, &parent);
	if (len > 0 && kernel_state_refused(c, dentry)) {
		ret = refuse(c, LOCKC_OP_KERNEL_TUNABLE, 0, s, len);
		goto out;
	}
	allowed = len > 0 &&
		  file_verdict(c, s, len, vfsmnt, dentry) == LOCKC_VERDICT_ALLOW &&
		  write_allowed(s, c->policy, len);
	if (allowed && kind == LOCKC_WRITE_RENAME_FROM)
		allowed = rule_verdict_or(s, c->policy->ruleset, LOCKC_RULE_PINNED, s->path, len,
					  LOCKC_VERDICT_ALLOW) == LOCKC_VERDICT_ALLOW;
	if (allowed) {
		remember_entry_change(c, s, &parent, dir, changes);
		learn_use(c, LOCKC_OP_WRITE, kind, s, len);
	}
	ret = allowed ? 0 : refuse(c, LOCKC_OP_WRITE, kind, s, len);
out:
	if (learning(c))
		remember_name_recorded(c, s, &name, LEARNED_NAME_WRITE(kind), changes);
	scratch_release(s);
	return ret;
}

/* write_check() for one path, if the current task is confined. */
static int path_write(const struct path *dir, struct dentry *dentry, enum lockc_write_kind kind)
{
	struct confinement c;

	if (!confined(&c))
		return 0;
	return write_check(&c, dir->mnt, dentry, kind);
}

/*
 * A change that only an inode hook sees (extended attributes, POSIX ACLs,
 * timestamps): a write of the file, as the path of the mount it is found
 * through (mount_of_dentry()) says. Inlined, so that the confinement lives in the
 * program's own frame: 7.x's verifier loses a store to a subprogram's stack
 * that a function two calls deeper reads (report() reading c->task).
 */
static __attribute__((always_inline)) int inode_change(struct dentry *dentry, enum lockc_write_kind kind)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct confinement c;
	struct vfsmount *mnt;
	__u64 changes;

	if (!armed_task(task))
		return 0;
	if (!confined(&c))
		return 0;
	/* The kernel's own borrowing: overlayfs copying attributes up, or setting its own. */
	if (!creds_of(&c, BPF_CORE_READ(task, cred)))
		return 0;
	/*
	 * Before the search for the mount, most of what the hook costs: the
	 * container was allowed to change this directory's entries through
	 * a path it has, so the path it uses now changes nothing; or, learning,
	 * it made this change of this name before, and it is recorded.
	 */
	changes = tree_changes_now();
	if (entries_allowed_before(&c, directory_of(dentry), changes))
		return 0;
	if (learning(&c)) {
		struct learned_name_key name;

		name_learned_key(&name, &c, learned_name_mount(NULL, kind), dentry);
		if (name_recorded(&c, &name, LEARNED_NAME_WRITE(kind), changes))
			return 0;
	}
	mnt = mount_of_dentry(dentry);
	if (!mnt)
		return refuse_str(&c, LOCKC_OP_WRITE_DETACHED, kind, dentry_name(dentry));
	return write_check(&c, mnt, dentry, kind);
}

#endif /* LOCKC_BPF_WRITES_H */
