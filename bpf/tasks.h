/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Other tasks: signals, a file's SIGIO owner, ptrace and what asks the
 * same question, and changes to another task's priority, limits or memory.
 */
#ifndef LOCKC_BPF_TASKS_H
#define LOCKC_BPF_TASKS_H

/* Whether task p was armed by the same registration as the current task. */
static bool same_container(struct confinement *c, struct task_struct *p)
{
	struct lockc_task *other = armed_task(p);

	return other && other->container == c->task->container;
}

SEC("lsm/task_kill")
int BPF_PROG(lockc_signal, struct task_struct *p, struct kernel_siginfo *info, int sig, const struct cred *cred,
	     int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	/* With cred set, a USB URB completes for someone else: not the current task's signal. */
	if (ARG_SET(ctx, 3, cred) || !confined(&c))
		return 0;
	if (ALLOWED(c.policy, signal_outside) || same_container(&c, p))
		return 0;
	return refuse_str(&c, LOCKC_OP_SIGNAL, sig, p->comm);
}

/*
 * Another task's priority, scheduling, I/O priority, resource limits and
 * memory placement: the kernel lets a task change them for any task of its
 * uid, so a root container that sees the host's processes (hostPID) could
 * starve or cripple them (RLIMIT_NOFILE 0 for the host's sshd). They follow
 * ptrace-outside, as a change to another task across the container's edge.
 */
static int task_change(struct task_struct *p, enum lockc_task_change change)
{
	struct confinement c;

	if (!confined(&c) || ALLOWED(c.policy, ptrace_outside) || same_container(&c, p))
		return 0;
	return refuse_str(&c, LOCKC_OP_TASK_CHANGE, change, p->comm);
}

SEC("lsm/task_setnice")
int BPF_PROG(lockc_setnice, struct task_struct *p, int nice, int ret)
{
	return ret ?: task_change(p, LOCKC_TASK_NICE);
}

SEC("lsm/task_setioprio")
int BPF_PROG(lockc_setioprio, struct task_struct *p, int ioprio, int ret)
{
	return ret ?: task_change(p, LOCKC_TASK_IOPRIO);
}

SEC("lsm/task_setscheduler")
int BPF_PROG(lockc_setscheduler, struct task_struct *p, int ret)
{
	return ret ?: task_change(p, LOCKC_TASK_SCHEDULER);
}

/* prlimit(2) and setrlimit(2); the task's own limits are the container's. */
SEC("lsm/task_setrlimit")
int BPF_PROG(lockc_setrlimit, struct task_struct *p, unsigned int resource, struct rlimit *new_rlim, int ret)
{
	return ret ?: task_change(p, LOCKC_TASK_RLIMIT);
}

/* migrate_pages(2), move_pages(2) of another process. */
SEC("lsm/task_movememory")
int BPF_PROG(lockc_movememory, struct task_struct *p, int ret)
{
	return ret ?: task_change(p, LOCKC_TASK_MEMORY);
}

#define PID_LEVEL_MAX 32

/* The number that the current task's pid namespace gives `pid`, or 0. */
static __s32 pid_seen_by_current(struct pid *pid)
{
	unsigned int level = BPF_CORE_READ(bpf_get_current_task_btf(), thread_pid, level);
	struct upid *upid;

	if (!pid || level > PID_LEVEL_MAX || BPF_CORE_READ(pid, level) < level)
		return 0;
	upid = (void *)pid + bpf_core_field_offset(struct pid, numbers) + level * bpf_core_type_size(struct upid);
	return BPF_CORE_READ(upid, nr);
}

/*
 * Whether the SIGIO owner `who`, as F_SETOWN takes it (a negative number is
 * a process group, 0 clears the owner), is the current task's own process
 * or process group, as its pid namespace numbers them.
 */
static bool own_sigio_owner(__s32 who)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (who == 0)
		return true;
	if (who < 0)
		return -who == pid_seen_by_current(BPF_CORE_READ(task, signal, pids[PIDTYPE_PGID]));
	return who == pid_seen_by_current(BPF_CORE_READ(task, group_leader, thread_pid));
}

/*
 * The kernel sends SIGIO, or the signal F_SETSIG chose (SIGKILL too), to a
 * file's owner on behalf of whoever's I/O triggers it, and task_kill never
 * sees it. So the owner is judged when it is set: outside signal-outside,
 * only the task's own process or process group, given by value to
 * F_SETOWN. F_SETOWN_EX and the ioctls FIOSETOWN and SIOCSPGRP pass the
 * owner through memory that another thread could change between lockc's
 * read and the kernel's, so they are refused (`who` is then -1).
 */
static int sigio_owner_check(__s32 who, bool by_value)
{
	struct confinement c;

	if (!confined(&c) || ALLOWED(c.policy, signal_outside) || (by_value && own_sigio_owner(who)))
		return 0;
	return refuse_str(&c, LOCKC_OP_SIGIO_OWNER, who, NULL);
}

SEC("lsm/file_fcntl")
int BPF_PROG(lockc_fcntl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	if (cmd == F_SETOWN)
		return sigio_owner_check((__s32)arg, true);
	return cmd == F_SETOWN_EX ? sigio_owner_check(-1, false) : 0;
}

SEC("lsm/file_ioctl")
int BPF_PROG(lockc_ioctl, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return cmd == FIOSETOWN || cmd == SIOCSPGRP ? sigio_owner_check(-1, false) : 0;
}

/* The same ioctls from a 32-bit task (compat_ioctl(2)); 6.1 has the hook too, by a stable backport. */
SEC("lsm/file_ioctl_compat")
int BPF_PROG(lockc_ioctl_compat, struct file *file, unsigned int cmd, unsigned long arg, int ret)
{
	if (ret)
		return ret;
	return cmd == FIOSETOWN || cmd == SIOCSPGRP ? sigio_owner_check(-1, false) : 0;
}

/* ptrace(2) attach, and what asks the same question: /proc/PID/mem, process_vm_readv, pidfd_getfd. */
SEC("lsm/ptrace_access_check")
int BPF_PROG(lockc_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, ptrace_outside) || same_container(&c, child))
		return 0;
	if (mode & PTRACE_MODE_NOAUDIT)
		return denial(&c);
	return refuse_str(&c, LOCKC_OP_PTRACE, mode, child->comm);
}

SEC("lsm/ptrace_traceme")
int BPF_PROG(lockc_ptrace_traceme, struct task_struct *parent, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	if (ALLOWED(c.policy, ptrace_outside) || same_container(&c, parent))
		return 0;
	return refuse_str(&c, LOCKC_OP_PTRACE, 0, parent->comm);
}

#endif /* LOCKC_BPF_TASKS_H */
