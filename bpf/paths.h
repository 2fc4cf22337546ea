/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Path resolution where bpf_d_path may not run: a dentry's path as the
 * current task sees it (resolve_path()), the mount an inode hook's dentry is
 * reached through (mount_of_dentry()), and short names compared without
 * string constants.
 */
#ifndef LOCKC_BPF_PATHS_H
#define LOCKC_BPF_PATHS_H

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

/*
 * Whether a hook's dentry is a directory; a negative dentry (a name not yet
 * made) is not. Direct loads: every rename on the node asks.
 */
static bool is_directory(struct dentry *dentry)
{
	struct inode *inode = dentry->d_inode;

	return inode && (inode->i_mode & S_IFMT) == S_IFDIR;
}

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
 * The path hooks may not call bpf_d_path (it is allowed in the kernel's
 * sleepable hooks only), so resolve_path() walks from the dentry up to the
 * task's root the way d_path does: component by component, and from the
 * root of a mount to the directory it is mounted on.
 */
struct path_walk {
	struct scratch *s;
	struct vfsmount *vfsmnt;
	struct dentry *mnt_root;	/* vfsmnt's root, read once per mount */
	struct dentry *dentry;
	struct vfsmount *root_mnt;
	struct dentry *root_dentry;
	__u32 start;		/* the path so far: s->walk[start, PATH_MAX) */
	int done;		/* 1: at the root; -1: too long or unreadable */
	/*
	 * The directory the first step went up to, and the length of the
	 * name it left: NULL when the dentry is the root of its mount (its
	 * path is the mount point's, not its directory's and its name).
	 */
	struct dentry *parent;
	__u32 name_len;
};

static long path_walk_step(__u32 i, void *ctx)
{
	struct path_walk *w = ctx;
	/* Locals: CO-RE relocates kernel structs, not this one. */
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct dentry *dentry = w->dentry, *parent;
	struct qstr name;
	__u32 len, start;

	if (dentry == w->root_dentry && vfsmnt == w->root_mnt) {
		w->done = 1;
		return 1;
	}
	if (dentry == w->mnt_root) {
		struct mount *mnt = real_mount(vfsmnt), *up = BPF_CORE_READ(mnt, mnt_parent);

		/* The top of a tree: the task's root lies elsewhere, as d_path sees it too. */
		if (up == mnt) {
			w->done = 1;
			return 1;
		}
		vfsmnt = (void *)up + bpf_core_field_offset(struct mount, mnt);
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->vfsmnt = vfsmnt;
		w->mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
		return 0;
	}
	/*
	 * Each probe read is a helper call, the most of what a step costs: the
	 * name's length and pointer come in one.
	 */
	parent = BPF_CORE_READ(dentry, d_parent);
	if (bpf_core_read(&name, sizeof(name), &dentry->d_name)) {
		w->done = -1;
		return 1;
	}
	len = name.len;
	barrier_var(len);
	if (!parent || parent == dentry || len == 0 || len > NAME_MAX || len >= w->start) {
		w->done = -1;
		return 1;
	}
	start = w->start - len;
	barrier_var(start);
	if (start == 0 || start >= PATH_MAX) {
		w->done = -1;
		return 1;
	}
	if (bpf_probe_read_kernel(w->s->walk + start, len, name.name)) {
		w->done = -1;
		return 1;
	}
	w->start = start - 1;
	w->s->walk[w->start & (PATH_MAX - 1)] = '/';
	w->dentry = parent;
	if (i == 0) {
		w->parent = parent;
		w->name_len = len;
	}
	return 0;
}

/* Where resolve_path() found a dentry: the directory it is an entry of, and that directory's path. */
struct path_parent {
	struct dentry *dentry;	/* NULL: none (the root, or a mount's root) */
	__u32 len;		/* the directory's path: s->path[0, len) */
};

/*
 * Write the path of `dentry` on mount `vfsmnt`, as the current task sees it
 * (resolved against its root, like bpf_d_path), to s->path. Returns its
 * length, or 0 when it cannot be resolved (the caller denies). `parent`
 * says which directory the path went through, so that a verdict on the
 * path can be kept on that directory: read in the same walk, it cannot be
 * another directory that a concurrent rename put the dentry in.
 */
static __u32 resolve_path(struct scratch *s, struct vfsmount *vfsmnt, struct dentry *dentry,
			  struct path_parent *parent)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct path_walk w = {
		.s = s,
		.vfsmnt = vfsmnt,
		.mnt_root = BPF_CORE_READ(vfsmnt, mnt_root),
		.dentry = dentry,
		.root_mnt = BPF_CORE_READ(task, fs, root.mnt),
		.root_dentry = BPF_CORE_READ(task, fs, root.dentry),
		.start = PATH_MAX,
	};
	__u32 len;

	parent->dentry = NULL;
	parent->len = 0;
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
	if (w.parent) {
		parent->dentry = w.parent;
		/* "/NAME" is an entry of "/". */
		parent->len = len > w.name_len + 1 ? len - w.name_len - 1 : 1;
	}
	return len;
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
		.ns = task->nsproxy->mnt_ns,
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

#endif /* LOCKC_BPF_PATHS_H */
