/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The container's own mounts (maps/own_mounts.md), and the file rules'
 * verdict that falls back on them: a path no file rule matches is the
 * container's when it is reached through a mount the runtime made for it,
 * if its policy allows own-mounts.
 */
#ifndef LOCKC_BPF_OWN_MOUNTS_H
#define LOCKC_BPF_OWN_MOUNTS_H

/* Deeper than any path: PATH_MAX bytes hold at most this many components. */
#define OWN_MOUNT_DEPTH_MAX 2048

struct below_walk {
	struct dentry *dentry;
	struct dentry *root;
	bool below;
};

static long below_step(__u64 index, struct below_walk *walk)
{
	struct dentry *dentry = walk->dentry, *root = walk->root, *parent;

	if (dentry == root) {
		walk->below = true;
		return 1;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	/* The top of its file system, and the mount's root was not on the way. */
	if (!parent || parent == dentry)
		return 1;
	walk->dentry = parent;
	return 0;
}

/*
 * Whether the file at (mnt, dentry) lies in one of the container's own
 * mounts. The mount's root must be on the way up from the file: a handle
 * (open_by_handle_at(2)) reaches any file of a file system through any of
 * its mounts, including a volume that shows only one directory of it.
 */
static bool own_mount(struct confinement *c, struct vfsmount *mnt, struct dentry *dentry)
{
	struct dentry *root = BPF_CORE_READ(mnt, mnt_root);
	struct super_block *sb = BPF_CORE_READ(mnt, mnt_sb);
	dev_t dev = BPF_CORE_READ(sb, s_dev);
	struct lockc_own_mount_key key = {
		.container = c->task->container,
		.dev_major = DEV_MAJOR(dev),
		.dev_minor = DEV_MINOR(dev),
		.ino = BPF_CORE_READ(root, d_inode, i_ino),
	};
	struct below_walk walk = { .dentry = dentry, .root = root };

	if (!bpf_map_lookup_elem(&own_mounts, &key))
		return false;
	if (root == BPF_CORE_READ(sb, s_root))
		return true;
	bpf_loop(OWN_MOUNT_DEPTH_MAX, below_step, &walk, 0);
	return walk.below;
}

/*
 * The file rules' verdict on the file at (mnt, dentry), whose path is
 * s->path (len bytes): the longest matching rule, else, for a policy that
 * allows own-mounts, whether the file is in one of the container's own
 * mounts; else DENY.
 */
static enum lockc_verdict file_verdict(struct confinement *c, struct scratch *s, __u32 len, struct vfsmount *mnt,
				       struct dentry *dentry)
{
	enum lockc_verdict verdict =
		rule_verdict_or(s, c->policy->ruleset, LOCKC_RULE_FILE, s->path, len, (enum lockc_verdict)0);

	if (verdict)
		return verdict;
	return ALLOWED(c->policy, own_mounts) && own_mount(c, mnt, dentry) ? LOCKC_VERDICT_ALLOW
									  : LOCKC_VERDICT_DENY;
}

#endif /* LOCKC_BPF_OWN_MOUNTS_H */
