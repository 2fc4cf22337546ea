/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Arming: a task is armed at its first execve in a registered cgroup (or in
 * one that a guard registers then, guards.h), its children and threads
 * inherit the arming, the credentials it makes are its container's
 * (task_creds), and a registration goes with its cgroup.
 */
#ifndef LOCKC_BPF_ARMING_H
#define LOCKC_BPF_ARMING_H

SEC("lsm/bprm_creds_for_exec")
int BPF_PROG(lockc_arm, struct linux_binprm *bprm, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct lockc_task *armed;
	__u32 level = 0;
	__u64 container;

	if (ret)
		return ret;
	if (armed_task(task))
		return 0;
	container = registered_ancestor(&level);
	if (!container) {
		int guarded = guard_register(&container, &level);

		if (guarded)
			return guarded > 0 ? 0 : guarded;
	}
	armed = bpf_task_storage_get(&armed_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!armed)
		return -ENOMEM;	/* an unarmed workload must not start */
	armed->container = container;
	armed->level = level;
	/* Prepared before the task was armed: the credentials it will run with. */
	return own_creds(bprm->cred, container);
}

SEC("lsm/task_alloc")
int BPF_PROG(lockc_inherit, struct task_struct *task, unsigned long clone_flags, int ret)
{
	struct lockc_task *parent, *child;

	if (ret)
		return ret;
	parent = armed_task(bpf_get_current_task_btf());
	if (!parent)
		return 0;
	child = bpf_task_storage_get(&armed_tasks, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!child)
		return -ENOMEM;	/* no unconfined children */
	child->container = parent->container;
	child->level = parent->level;
	return 0;
}

/*
 * Credentials a confined task makes from its own (prepare_creds: a fork,
 * setuid, access(2), a capability change) are its container's. Those it
 * makes from borrowed ones (overlayfs preparing the mounter's for a new
 * file) stay unrecorded, as the borrowed ones are.
 */
SEC("lsm/cred_prepare")
int BPF_PROG(lockc_cred_prepare, struct cred *new, const struct cred *old, gfp_t gfp, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c) || !creds_of(&c, old))
		return 0;
	return own_creds(new, c.task->container);
}

/* keyctl(KEYCTL_SESSION_TO_PARENT) hands the parent a copy of the caller's. */
SEC("lsm/cred_transfer")
int BPF_PROG(lockc_cred_transfer, struct cred *new, const struct cred *old)
{
	struct confinement c;

	if (confined(&c) && creds_of(&c, old))
		own_creds(new, c.task->container);
	return 0;
}

SEC("lsm/cred_free")
int BPF_PROG(lockc_cred_free, struct cred *cred)
{
	__u64 key = (__u64)cred;

	/* A lookup takes no lock and a delete does: most credentials were never recorded. */
	if (bpf_map_lookup_elem(&task_creds, &key))
		bpf_map_delete_elem(&task_creds, &key);
	return 0;
}

/*
 * A registration goes with its cgroup. Cgroup ids are never reused and a
 * removed cgroup never holds a task again, so the entry could only take a
 * slot; deleting it here, in the kernel, cannot be forgotten or raced. A
 * task armed by it that lives on elsewhere (it moved out before the cgroup
 * went) is then denied everything: see confined().
 */
/* Its own mounts go with it (lockcctl sweeps those of a registration deleted by hand). */
static long forget_own_mount(struct bpf_map *map, struct lockc_own_mount_key *key, struct lockc_own_mount *value,
			     __u64 *container)
{
	if (key->container == *container)
		bpf_map_delete_elem(map, key);
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(lockc_forget, struct cgroup *cgrp, const char *path)
{
	__u64 id = BPF_CORE_READ(cgrp, kn, id);

	if (bpf_map_delete_elem(&containers, &id) == 0)
		bpf_for_each_map_elem(&own_mounts, forget_own_mount, &id, 0);
	return 0;
}

#endif /* LOCKC_BPF_ARMING_H */
