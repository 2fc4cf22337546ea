/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel interfaces a container never needs, each by a switch: bpf(2),
 * perf events, keyrings, the clock, module and firmware loading, user
 * namespaces and the kernel log.
 */
#ifndef LOCKC_BPF_KERNEL_H
#define LOCKC_BPF_KERNEL_H

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
	return refuse_str(&c, LOCKC_OP_SYSLOG, 0, NULL);
}

/* A switch class with no detail: refuse when the policy does not allow it. */
#define SWITCH_CHECK(field, op, value, detail)                                  \
	({                                                                      \
		struct confinement __c;                                         \
		int __ret = 0;                                                  \
		if (confined(&__c) && !ALLOWED(__c.policy, field))              \
			__ret = refuse_str(&__c, op, value, detail);            \
		__ret;                                                          \
	})

/*
 * No `ret`: the hook gained an argument (bool kernel) after 6.12, and
 * BPF_PROG finds `ret` by position, so on 7.x it read that bool. Nothing is
 * lost: the trampoline runs a BPF LSM program only while every one before it
 * returned 0, so `ret` is 0 whenever one runs; the other hooks test it to
 * say so, not because it can be anything else.
 */
SEC("lsm/bpf")
int BPF_PROG(lockc_bpf, int cmd)
{
	return SWITCH_CHECK(bpf, LOCKC_OP_BPF, cmd, NULL);
}

/*
 * perf_event_alloc rather than perf_event_open: the latter's arguments
 * changed between kernels, and BPF_PROG finds `ret` by position. Events
 * inherited at fork (a host profiler following the container) and those
 * the kernel makes itself are not the task's perf_event_open(2).
 */
SEC("lsm/perf_event_alloc")
int BPF_PROG(lockc_perf_event, struct perf_event *event, int ret)
{
	struct pt_regs *regs;

	if (ret)
		return ret;
	if (BPF_CORE_READ(event, parent))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (SYSCALL_NR(regs) != NR_perf_event_open)
		return 0;
	return SWITCH_CHECK(perf_events, LOCKC_OP_PERF_EVENT, 0, NULL);
}

SEC("lsm/key_alloc")
int BPF_PROG(lockc_key_alloc, struct key *key, const struct cred *cred, unsigned long flags, int ret)
{
	return ret ?: SWITCH_CHECK(keyring, LOCKC_OP_KEYRING, 0, NULL);
}

SEC("lsm/key_permission")
int BPF_PROG(lockc_key_permission, key_ref_t key_ref, const struct cred *cred, enum key_need_perm need_perm, int ret)
{
	return ret ?: SWITCH_CHECK(keyring, LOCKC_OP_KEYRING, need_perm, NULL);
}

SEC("lsm/settime")
int BPF_PROG(lockc_settime, const struct timespec64 *ts, const struct timezone *tz, int ret)
{
	return ret ?: SWITCH_CHECK(set_time, LOCKC_OP_SET_TIME, 0, NULL);
}

/* finit_module, and firmware, kexec and policy files the kernel reads. */
SEC("lsm/kernel_read_file")
int BPF_PROG(lockc_kernel_read_file, struct file *file, enum kernel_read_file_id id, bool contents, int ret)
{
	return ret ?: SWITCH_CHECK(kernel_load, LOCKC_OP_KERNEL_LOAD, id,
				   dentry_name(BPF_CORE_READ(file, f_path.dentry)));
}

/* init_module, kexec_load and firmware from a buffer. */
SEC("lsm/kernel_load_data")
int BPF_PROG(lockc_kernel_load_data, enum kernel_load_data_id id, bool contents, int ret)
{
	return ret ?: SWITCH_CHECK(kernel_load, LOCKC_OP_KERNEL_LOAD, id, NULL);
}

/*
 * A module the kernel would load on the task's behalf (an unknown socket
 * family, line discipline or file system): the way an unprivileged task
 * reaches rarely used, often vulnerable code.
 */
SEC("lsm/kernel_module_request")
int BPF_PROG(lockc_module_request, char *kmod_name, int ret)
{
	return ret ?: SWITCH_CHECK(kernel_load, LOCKC_OP_KERNEL_LOAD, 0, kmod_name);
}

SEC("lsm/userns_create")
int BPF_PROG(lockc_userns_create, const struct cred *cred, int ret)
{
	return ret ?: SWITCH_CHECK(user_namespaces, LOCKC_OP_USER_NAMESPACE, 0, NULL);
}

#endif /* LOCKC_BPF_KERNEL_H */
