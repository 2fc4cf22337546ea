/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hooks on the mount tree: mount(2) and bind mounts by rule, and
 * umount, remount, move_mount, fsconfig, pivot_root and chroot by switch.
 */
#ifndef LOCKC_BPF_MOUNTS_H
#define LOCKC_BPF_MOUNTS_H

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
	note_tree_change();
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
	note_tree_change();
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
	note_tree_change();
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
	note_tree_change();
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
	note_tree_change();
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, chroot))
		return 0;
	return refuse_str(&c, LOCKC_OP_CHROOT, 0, dentry_name(BPF_CORE_READ(path, dentry)));
}

#endif /* LOCKC_BPF_MOUNTS_H */
