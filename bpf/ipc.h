/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IPC: UNIX sockets (stream connects and datagrams) to peers outside the
 * container, POSIX message queues of the host's IPC namespace, and SysV IPC
 * objects by owner, with consent between containers.
 */
#ifndef LOCKC_BPF_IPC_H
#define LOCKC_BPF_IPC_H

/* Whether the current container and registration `peer` have each other's consent to talk. */
static bool ipc_consent(struct confinement *c, __u64 peer)
{
	struct lockc_container *other = bpf_map_lookup_elem(&containers, &peer);
	struct lockc_policy *other_policy;
	struct scratch *s;
	bool consent;

	if (!other || !c->policy)
		return false;
	other_policy = bpf_map_lookup_elem(&policies, &other->policy_id);
	if (!other_policy)
		return false;
	s = scratch_claim();
	if (!s)
		return false;
	consent = ipc_rule(s, c->policy->ruleset, other_policy->name) &&
		  ipc_rule(s, other_policy->ruleset, c->policy->name);
	scratch_release(s);
	return consent;
}

/* refuse() a connect(2) or datagram, reporting the other socket's address. */
static int refuse_unix(struct confinement *c, enum lockc_operation op, struct sock *other)
{
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)other, addr);
	struct scratch *s;
	long len = 0;
	int ret;

	if (!addr)
		return refuse_str(c, op, 0, NULL);
	s = scratch_claim();
	if (!s)
		return refuse_str(c, op, 0, NULL);
	bpf_probe_read_kernel(s->path, 1, addr->name[0].sun_path);
	if (s->path[0]) {
		len = bpf_probe_read_kernel_str(s->path, sizeof(addr->name[0].sun_path),
						 addr->name[0].sun_path);
	} else {
		/* Abstract: a leading NUL, shown as "@" the way ss(8) does. */
		s->path[0] = '@';
		len = bpf_probe_read_kernel_str(s->path + 1, sizeof(addr->name[0].sun_path) - 1,
						 addr->name[0].sun_path + 1);
		len = len > 0 ? len + 1 : 0;
	}
	ret = refuse(c, op, 0, s, len > 1 ? len - 1 : 0);
	scratch_release(s);
	return ret;
}

/*
 * Whether the current task may reach UNIX socket `other`: one of its own
 * container's, or one of a container whose policy and ours consent.
 */
static int unix_reach(struct confinement *c, enum lockc_operation op, struct sock *other)
{
	struct cgroup *cgrp = BPF_CORE_READ(other, sk_cgrp_data.cgroup);
	__u64 peer;

	if (ALLOWED(c->policy, host_sockets) || in_cgroup_subtree(cgrp, c->task->container, c->task->level))
		return 0;
	peer = container_of_cgroup(cgrp);
	if (peer && ipc_consent(c, peer))
		return 0;
	return refuse_unix(c, op, other);
}

/*
 * connect(2) on a UNIX stream or seqpacket socket, pathname or abstract:
 * docker.sock, containerd.sock and the D-Bus system bus are listening
 * sockets created outside the container.
 */
SEC("lsm/unix_stream_connect")
int BPF_PROG(lockc_unix_connect, struct sock *sock, struct sock *other, struct sock *newsk, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	return unix_reach(&c, LOCKC_OP_UNIX_CONNECT, other);
}

/* A datagram to a UNIX socket: /dev/log, NOTIFY_SOCKET, another container's. */
SEC("lsm/unix_may_send")
int BPF_PROG(lockc_unix_send, struct socket *sock, struct socket *other, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!confined(&c))
		return 0;
	return unix_reach(&c, LOCKC_OP_UNIX_SEND, BPF_CORE_READ(other, sk));
}

/*
 * POSIX message queues: files of the IPC namespace's mqueue file system,
 * which the kernel mounts internally (so file_open's path rules never see
 * them) and whose mq_unlink(3) passes no path hook. A container in an IPC
 * namespace of its own (every runtime's default) sees only its own queues;
 * one that shares the host's (--ipc=host) would reach the host's, so with
 * host-ipc denied it may use no queue of that namespace at all: coarser
 * than SysV IPC, where the container's own objects stay usable, because
 * no map records who made a queue.
 */
#define INIT_SEARCH_MAX 64

/*
 * The host's IPC namespace: that of the host's init, found up the chain of
 * real parents (which crosses pid namespaces) to the task of global pid 1.
 * NULL when the chain is longer than INIT_SEARCH_MAX: the caller refuses.
 */
static struct ipc_namespace *host_ipc_namespace(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	for (int i = 0; i < INIT_SEARCH_MAX && task; i++) {
		if (BPF_CORE_READ(task, pid) == 1)
			return BPF_CORE_READ(task, nsproxy, ipc_ns);
		task = BPF_CORE_READ(task, real_parent);
	}
	return NULL;
}

/* Whether the confined task may use the message queue at `dentry`; refused and reported if not. */
static int mqueue_use(struct confinement *c, struct dentry *dentry)
{
	struct ipc_namespace *host;

	if (ALLOWED(c->policy, host_ipc))
		return 0;
	host = host_ipc_namespace();
	if (host && BPF_CORE_READ(dentry, d_sb, s_fs_info) != host)
		return 0;
	return refuse_str(c, LOCKC_OP_MQUEUE, 0, dentry_name(dentry));
}

/* mq_unlink(3): the only removal of a queue, with no path hook. */
SEC("lsm/inode_unlink")
int BPF_PROG(lockc_mqueue_unlink, struct inode *dir, struct dentry *dentry, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	/* Every unlink on the node comes here: the direct read costs a load, a probe read a helper call. */
	if (dir->i_sb->s_magic != MQUEUE_MAGIC || !confined(&c))
		return 0;
	return mqueue_use(&c, dentry);
}

/*
 * Which container made each SysV IPC object. A confined task's object that
 * cannot be recorded is not made (fail closed): it would read as the host's.
 */
static int ipc_made(struct kern_ipc_perm *perm)
{
	struct lockc_ipc_owner owner;
	struct confinement c;
	__u64 object = (__u64)perm;

	if (!confined(&c))
		return 0;
	owner.container = c.task->container;
	return bpf_map_update_elem(&ipc_owners, &object, &owner, BPF_ANY) ? -ENOMEM : 0;
}

static void ipc_gone(struct kern_ipc_perm *perm)
{
	__u64 object = (__u64)perm;

	bpf_map_delete_elem(&ipc_owners, &object);
}

SEC("lsm/msg_queue_alloc_security")
int BPF_PROG(lockc_msgq_made, struct kern_ipc_perm *perm, int ret)
{
	return ret ?: ipc_made(perm);
}

SEC("lsm/shm_alloc_security")
int BPF_PROG(lockc_shm_made, struct kern_ipc_perm *perm, int ret)
{
	return ret ?: ipc_made(perm);
}

SEC("lsm/sem_alloc_security")
int BPF_PROG(lockc_sem_made, struct kern_ipc_perm *perm, int ret)
{
	return ret ?: ipc_made(perm);
}

SEC("lsm/msg_queue_free_security")
int BPF_PROG(lockc_msgq_gone, struct kern_ipc_perm *perm)
{
	ipc_gone(perm);
	return 0;
}

SEC("lsm/shm_free_security")
int BPF_PROG(lockc_shm_gone, struct kern_ipc_perm *perm)
{
	ipc_gone(perm);
	return 0;
}

SEC("lsm/sem_free_security")
int BPF_PROG(lockc_sem_gone, struct kern_ipc_perm *perm)
{
	ipc_gone(perm);
	return 0;
}

/*
 * Using a SysV IPC object (attaching, sending, receiving, operating on, or
 * changing or removing it): the container's own, a consenting container's,
 * or with host-ipc any. Objects are visible across containers only through
 * a shared IPC namespace (--ipc=host, another container's).
 */
static int ipc_use(struct kern_ipc_perm *perm)
{
	struct lockc_ipc_owner *owner;
	struct confinement c;
	__u64 object = (__u64)perm;

	if (!confined(&c))
		return 0;
	owner = bpf_map_lookup_elem(&ipc_owners, &object);
	if (owner && owner->container == c.task->container)
		return 0;
	if (ALLOWED(c.policy, host_ipc) || (owner && ipc_consent(&c, owner->container)))
		return 0;
	return refuse_str(&c, LOCKC_OP_IPC, BPF_CORE_READ(perm, id), NULL);
}

SEC("lsm/ipc_permission")
int BPF_PROG(lockc_ipc_permission, struct kern_ipc_perm *ipcp, short flag, int ret)
{
	return ret ?: ipc_use(ipcp);
}

/* IPC_SET and IPC_RMID check no permission through ipc_permission. INFO commands name no object. */
SEC("lsm/msg_queue_msgctl")
int BPF_PROG(lockc_msgq_ctl, struct kern_ipc_perm *perm, int cmd, int ret)
{
	return ret ?: (ARG_SET(ctx, 0, perm) ? ipc_use(perm) : 0);
}

SEC("lsm/shm_shmctl")
int BPF_PROG(lockc_shm_ctl, struct kern_ipc_perm *perm, int cmd, int ret)
{
	return ret ?: (ARG_SET(ctx, 0, perm) ? ipc_use(perm) : 0);
}

SEC("lsm/sem_semctl")
int BPF_PROG(lockc_sem_ctl, struct kern_ipc_perm *perm, int cmd, int ret)
{
	return ret ?: (ARG_SET(ctx, 0, perm) ? ipc_use(perm) : 0);
}

#endif /* LOCKC_BPF_IPC_H */
