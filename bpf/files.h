/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hooks on files: open, every path hook that makes, removes,
 * renames, links or changes a file, extended attributes, and device nodes.
 */
#ifndef LOCKC_BPF_FILES_H
#define LOCKC_BPF_FILES_H

SEC("lsm/file_open")
int BPF_PROG(lockc_file_open, struct file *file, int ret)
{
	struct confinement c;
	enum lockc_verdict verdict = LOCKC_VERDICT_DENY;
	struct inode *inode = file->f_inode;
	struct learned_name_key name = {};
	__u32 use = LEARNED_NAME_OPEN;
	struct mnt_namespace *ns;
	__u64 changes, names = 0;
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
	/*
	 * A POSIX message queue, by mq_open(3) (through the IPC namespace's
	 * own mount: internal from 6.x, on 6.1 in no namespace) or by a path
	 * on a mounted mqueue file system: its IPC namespace decides.
	 */
	if (inode->i_sb->s_magic == MQUEUE_MAGIC)
		return mqueue_use(&c, file->f_path.dentry);
	ns = mount_namespace_of(file);
	if (ns == MNT_NS_INTERNAL)
		return 0;
	/*
	 * A mount outside the task's namespace: a tree detached with
	 * open_tree(OPEN_TREE_CLONE) or built with fsmount(), whose paths
	 * read as if it were mounted at "/" and so would dodge the rules.
	 */
	if (!ALLOWED(c.policy, mount) && ns != bpf_get_current_task_btf()->nsproxy->mnt_ns)
		return refuse_str(&c, LOCKC_OP_OPEN_DETACHED, 0, dentry_name(BPF_CORE_READ(file, f_path.dentry)));
	/* Read before the decision: a change while it is made leaves it uncached. */
	changes = path_changes_now();
	if (!(file->f_mode & FMODE_WRITE) && allowed_before(&c, inode, INODE_READ, changes))
		return 0;
	/* A device is judged by its number, wherever its node is. */
	if ((file->f_mode & FMODE_WRITE) && !is_device(inode->i_mode) &&
	    entries_allowed_before(&c, directory_of(file->f_path.dentry), tree_changes_now()))
		return 0;
	if (file->f_mode & FMODE_WRITE)
		use |= LEARNED_NAME_WRITE(LOCKC_WRITE_OPEN);
	if (learning(&c)) {
		name_learned_key(&name, &c, (__u64)file->f_path.mnt, file->f_path.dentry);
		names = tree_changes_now();
		if (!is_device(inode->i_mode) && name_recorded(&c, &name, use, names))
			return 0;
	}
	s = scratch_claim();
	if (!s)
		return refuse_str(&c, LOCKC_OP_OPEN, 0, NULL);
	/* Resolved against the task's root: the path the workload sees. */
	len = bpf_d_path((struct path *)&file->f_path, s->path, sizeof(s->path));
	if (len > 1 && c.policy)
		verdict = file_verdict(&c, s, len - 1, BPF_CORE_READ(file, f_path.mnt), file->f_path.dentry);
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
	learn_use(&c, LOCKC_OP_OPEN, 0, s, len);
	if (is_device(mode))
		learn_use(&c, LOCKC_OP_DEVICE, rdev, s, len);
	if (!(file->f_mode & FMODE_WRITE)) {
		remember_allowed(&c, inode, INODE_READ, changes);
		goto out;
	}
	if (kernel_state_refused(&c, file->f_path.dentry))
		ret = refuse(&c, LOCKC_OP_KERNEL_TUNABLE, 0, s, len);
	else if (!ALLOWED(c.policy, ptrace_outside) && proc_task_outside(&c, file->f_path.dentry))
		ret = refuse(&c, LOCKC_OP_TASK_CHANGE, LOCKC_TASK_PROCFS, s, len);
	else if (!write_allowed(s, c.policy, len))
		ret = refuse(&c, LOCKC_OP_WRITE, LOCKC_WRITE_OPEN, s, len);
	else
		learn_use(&c, LOCKC_OP_WRITE, LOCKC_WRITE_OPEN, s, len);
out:
	if (learning(&c) && !is_device(inode->i_mode))
		remember_name_recorded(&c, s, &name, use, names);
	scratch_release(s);
	return ret;
}

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
	if (ret)
		learn_use(&c, LOCKC_OP_MKNOD, dev, s, 0);
	scratch_release(s);
	return ret ? 0 : refuse_str(&c, LOCKC_OP_MKNOD, dev, dentry_name(dentry));
}

SEC("lsm/path_truncate")
int BPF_PROG(lockc_path_truncate, const struct path *path, int ret)
{
	return ret ?: path_write(path, path->dentry, LOCKC_WRITE_TRUNCATE);
}

SEC("lsm/path_chmod")
int BPF_PROG(lockc_path_chmod, const struct path *path, umode_t mode, int ret)
{
	return ret ?: path_write(path, path->dentry, LOCKC_WRITE_CHMOD);
}

/* kuid_t and kgid_t arrive by value, one register each. */
SEC("lsm/path_chown")
int BPF_PROG(lockc_path_chown, const struct path *path, unsigned long uid, unsigned long gid, int ret)
{
	return ret ?: path_write(path, path->dentry, LOCKC_WRITE_CHOWN);
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

/* A directory that goes may leave its inode's number, and address, to another. */
SEC("lsm/path_rmdir")
int BPF_PROG(lockc_path_rmdir, const struct path *dir, struct dentry *dentry, int ret)
{
	if (ret)
		return ret;
	note_tree_change();
	return path_write(dir, dentry, LOCKC_WRITE_REMOVE);
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
	if (is_directory(old_dentry) || ((flags & RENAME_EXCHANGE) && is_directory(new_dentry)))
		note_tree_change();
	else
		note_path_change();
	if (!confined(&c))
		return 0;
	return write_check(&c, old_dir->mnt, old_dentry, LOCKC_WRITE_RENAME_FROM) ?:
	       write_check(&c, new_dir->mnt, new_dentry,
			   (flags & RENAME_EXCHANGE) ? LOCKC_WRITE_RENAME_FROM : LOCKC_WRITE_RENAME_TO);
}

/* The first argument is the mount's idmap from 6.3, its user namespace before: unused. */
SEC("lsm/inode_setxattr")
int BPF_PROG(lockc_setxattr, void *idmap, struct dentry *dentry, const char *name, const void *value, size_t size,
	     int flags, int ret)
{
	return ret ?: inode_change(dentry, LOCKC_WRITE_XATTR);
}

SEC("lsm/inode_removexattr")
int BPF_PROG(lockc_removexattr, void *idmap, struct dentry *dentry, const char *name, int ret)
{
	return ret ?: inode_change(dentry, LOCKC_WRITE_XATTR);
}

/*
 * A file's timestamps (utimes(2), utimensat(2), futimens(3)), which no path
 * hook sees: a write of the file (inode_change()). The kernel's other
 * attribute changes pass here too and are judged where their path hooks
 * see them (chmod, chown, truncate) or were judged at the open they follow
 * (a write that clears a setuid bit). The hook gained the
 * mount's idmap as its first argument in 6.8, so the arguments are found
 * from their count, and `ret`, whose position moved with them, is not read:
 * the trampoline runs this program only while every one before it returned
 * 0 (see lockc_bpf).
 */
SEC("lsm/inode_setattr")
int lockc_setattr(unsigned long long *ctx)
{
	__u64 args = bpf_get_func_arg_cnt(ctx), dentry = 0, attr = 0;
	unsigned int valid;

	if (args < 2 || bpf_get_func_arg(ctx, args - 2, &dentry) || bpf_get_func_arg(ctx, args - 1, &attr))
		return 0;
	valid = BPF_CORE_READ((struct iattr *)attr, ia_valid);
	if (!(valid & (ATTR_ATIME | ATTR_MTIME)) || (valid & (ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_SIZE)))
		return 0;
	return inode_change((struct dentry *)dentry, LOCKC_WRITE_TIMES);
}

#endif /* LOCKC_BPF_FILES_H */
