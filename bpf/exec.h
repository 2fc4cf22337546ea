/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exec: programs and interpreters by exec rule, files mapped executable,
 * and the switches for files without a path and anonymous memory.
 */
#ifndef LOCKC_BPF_EXEC_H
#define LOCKC_BPF_EXEC_H

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
	struct learned_name_key name = {};
	__u64 changes, names = 0;
	__u32 use = op == LOCKC_OP_EXEC ? LEARNED_NAME_EXEC : LEARNED_NAME_EXEC_MAP;
	bool allowed = false;
	struct scratch *s;
	long len;
	int ret;

	if (!c->policy)
		return refuse_str(c, op, 0, dentry_name(BPF_CORE_READ(file, f_path.dentry)));
	changes = path_changes_now();
	if (allowed_before(c, inode, INODE_EXEC, changes))
		return 0;
	if (learning(c)) {
		name_learned_key(&name, c, (__u64)file->f_path.mnt, file->f_path.dentry);
		names = tree_changes_now();
		if (name_recorded(c, &name, use, names))
			return 0;
	}
	s = scratch_claim();
	if (!s)
		return refuse_str(c, op, 0, NULL);
	len = bpf_d_path((struct path *)&file->f_path, s->path, sizeof(s->path));
	if (mount_namespace_of(file) != bpf_get_current_task_btf()->nsproxy->mnt_ns)
		allowed = pathless_exec_allowed(c);
	else if (len > 1)
		allowed = rule_verdict(s, c->policy->ruleset, LOCKC_RULE_EXEC, s->path, len - 1) ==
			  LOCKC_VERDICT_ALLOW;
	if (allowed) {
		remember_allowed(c, inode, INODE_EXEC, changes);
		learn_use(c, op, 0, s, len > 1 ? len - 1 : 0);
	}
	ret = allowed ? 0 : refuse(c, op, 0, s, len > 1 ? len - 1 : 0);
	if (learning(c))
		remember_name_recorded(c, s, &name, use, names);
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

#endif /* LOCKC_BPF_EXEC_H */
