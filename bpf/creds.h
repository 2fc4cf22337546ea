/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Credentials and capabilities: uid 0 by switch (run-as-root,
 * become-root) at setuid, exec and io_uring personalities, and every
 * capability check under the container's credentials.
 */
#ifndef LOCKC_BPF_CREDS_H
#define LOCKC_BPF_CREDS_H

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
	if (c.policy && cap >= 0 && cap < 64 && (c.policy->capabilities & (1ULL << cap))) {
		learn_use_value(&c, LOCKC_OP_CAPABILITY, cap);
		return 0;
	}
	/* The kernel asks quietly when it only probes (it audits neither). */
	if (opts & CAP_OPT_NOAUDIT)
		return denial(&c);
	return refuse_str(&c, LOCKC_OP_CAPABILITY, cap, NULL);
}

#endif /* LOCKC_BPF_CREDS_H */
