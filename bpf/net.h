/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sockets and IP: socket families and netlink protocols by policy, raw
 * sockets, and IP clients and servers by switch.
 */
#ifndef LOCKC_BPF_NET_H
#define LOCKC_BPF_NET_H

SEC("lsm/socket_create")
int BPF_PROG(lockc_socket_create, int family, int type, int protocol, int kern, int ret)
{
	struct confinement c;
	__u32 value = (family << 16) | ((family == AF_NETLINK ? protocol : type & SOCK_TYPE_MASK) & 0xffff);
	bool allowed;

	if (ret)
		return ret;
	/* Sockets the kernel makes for itself (kern) are no task's. */
	if (kern || !confined(&c))
		return 0;
	if (!c.policy)
		allowed = false;
	else if (family == AF_NETLINK)	/* by protocol alone */
		allowed = protocol >= 0 && protocol < 32 && (c.policy->netlink_protocols & (1U << protocol));
	else
		allowed = family >= 0 && family < 64 && (c.policy->socket_families & (1ULL << family));
	if (allowed && (family == AF_INET || family == AF_INET6) && (type & SOCK_TYPE_MASK) == SOCK_RAW)
		allowed = ALLOWED(c.policy, raw_sockets);
	if (!allowed)
		return refuse_str(&c, LOCKC_OP_SOCKET, value, NULL);
	learn_use_value(&c, LOCKC_OP_SOCKET, value);
	return 0;
}

/*
 * Whether a hook's socket is an IP one. Direct loads, asked before
 * confined(): a UNIX socket's connect and datagram (the container's own
 * daily traffic) then pay for one confinement lookup, in the UNIX hook.
 */
static bool inet_socket(struct socket *sock)
{
	struct sock *sk = sock->sk;
	__u16 family;

	if (!sk)
		return false;
	family = sk->__sk_common.skc_family;
	return family == AF_INET || family == AF_INET6;
}

/*
 * The port of an IP socket address of addrlen bytes (kernel memory), and
 * its address in s->path; returns the address's length, 0 if there is none.
 * IPv4's bind and sendmsg take AF_UNSPEC for AF_INET, and so does this.
 */
static __u32 inet_address(struct scratch *s, struct sockaddr *address, int addrlen, __u16 *port)
{
	__u16 family = 0;

	*port = 0;
	if (addrlen < (int)sizeof(family) || bpf_probe_read_kernel(&family, sizeof(family), &address->sa_family))
		return 0;
	if ((family == AF_INET || family == AF_UNSPEC) && addrlen >= (int)sizeof(struct sockaddr_in)) {
		struct sockaddr_in *in = (void *)address;

		*port = bpf_ntohs(BPF_CORE_READ(in, sin_port));
		return bpf_probe_read_kernel(s->path, 4, &in->sin_addr) ? 0 : 4;
	}
	if (family == AF_INET6 && addrlen >= (int)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 *in6 = (void *)address;

		*port = bpf_ntohs(BPF_CORE_READ(in6, sin6_port));
		return bpf_probe_read_kernel(s->path, 16, &in6->sin6_addr) ? 0 : 16;
	}
	return 0;
}

/* refuse() an operation on an IP socket address, reported with it and its port. */
static int refuse_inet(struct confinement *c, enum lockc_operation op, struct sockaddr *address, int addrlen)
{
	struct scratch *s = scratch_claim();
	__u32 len;
	__u16 port;
	int ret;

	if (!s)
		return refuse_str(c, op, 0, NULL);
	len = inet_address(s, address, addrlen, &port);
	ret = refuse(c, op, port, s, len);
	scratch_release(s);
	return ret;
}

SEC("lsm/socket_connect")
int BPF_PROG(lockc_net_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	struct confinement c;
	__u16 family = 0;

	if (ret)
		return ret;
	if (!inet_socket(sock) || !confined(&c) || ALLOWED(c.policy, net_client))
		return 0;
	/* AF_UNSPEC dissolves an association: it reaches nobody. */
	bpf_probe_read_kernel(&family, sizeof(family), &address->sa_family);
	if (addrlen >= (int)sizeof(family) && family == AF_UNSPEC)
		return 0;
	return refuse_inet(&c, LOCKC_OP_NET_CONNECT, address, addrlen);
}

SEC("lsm/socket_bind")
int BPF_PROG(lockc_net_bind, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	struct confinement c;
	struct scratch *s;
	__u16 port;
	__u32 len;

	if (ret)
		return ret;
	if (!inet_socket(sock) || !confined(&c) || ALLOWED(c.policy, net_server))
		return 0;
	s = scratch_claim();
	if (!s)
		return refuse_str(&c, LOCKC_OP_NET_BIND, 0, NULL);
	len = inet_address(s, address, addrlen, &port);
	/* Port 0 asks for an ephemeral port, as a client's socket has. */
	ret = len && port == 0 ? 0 : refuse(&c, LOCKC_OP_NET_BIND, port, s, len);
	scratch_release(s);
	return ret;
}

SEC("lsm/socket_listen")
int BPF_PROG(lockc_net_listen, struct socket *sock, int backlog, int ret)
{
	struct confinement c;

	if (ret)
		return ret;
	if (!inet_socket(sock) || !confined(&c) || ALLOWED(c.policy, net_server))
		return 0;
	return refuse_str(&c, LOCKC_OP_NET_LISTEN, BPF_CORE_READ(sock, sk, __sk_common.skc_num), NULL);
}

/*
 * A message to an explicit address: a datagram, or TCP Fast Open's connect.
 * From a socket that bind(2) gave its port it is a server's reply.
 */
SEC("lsm/socket_sendmsg")
int BPF_PROG(lockc_net_send, struct socket *sock, struct msghdr *msg, int size, int ret)
{
	struct confinement c;
	struct sock *sk;
	bool server;

	if (ret)
		return ret;
	if (!msg->msg_name || !inet_socket(sock) || !confined(&c))
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	server = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_userlocks) & SOCK_BINDPORT_LOCK;
	if (server ? ALLOWED(c.policy, net_server) : ALLOWED(c.policy, net_client))
		return 0;
	return refuse_inet(&c, LOCKC_OP_NET_SEND, BPF_CORE_READ(msg, msg_name), BPF_CORE_READ(msg, msg_namelen));
}

#endif /* LOCKC_BPF_NET_H */
