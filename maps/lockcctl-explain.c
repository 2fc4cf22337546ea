// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockcctl events --explain: for a denial, the rule of the container's
 * policy that decided it (for the operations that path rules decide) and
 * the policy line that would let it through. The line is a suggestion for
 * an admin to weigh, never applied: most denials are what the policy is
 * there for.
 */
#include "lockcctl.h"

#include <sys/socket.h>

static const char *const switch_of[] = {
	[LOCKC_OP_OPEN_DETACHED] = "mount",
	[LOCKC_OP_MOUNT] = "mount",
	[LOCKC_OP_MOUNT_SYMLINK] = "mount",
	[LOCKC_OP_UMOUNT] = "mount",
	[LOCKC_OP_REMOUNT] = "mount",
	[LOCKC_OP_MOVE_MOUNT] = "mount",
	[LOCKC_OP_MOUNT_OPTION] = "mount",
	[LOCKC_OP_PIVOT_ROOT] = "mount",
	[LOCKC_OP_WRITE_DETACHED] = "mount",
	[LOCKC_OP_CHROOT] = "chroot",
	[LOCKC_OP_UNIX_CONNECT] = "host-sockets",
	[LOCKC_OP_UNIX_SEND] = "host-sockets",
	[LOCKC_OP_IPC] = "host-ipc",
	[LOCKC_OP_MQUEUE] = "host-ipc",
	[LOCKC_OP_SYSLOG] = "syslog",
	[LOCKC_OP_RUN_AS_ROOT] = "run-as-root",
	[LOCKC_OP_BECOME_ROOT] = "become-root",
	[LOCKC_OP_SIGNAL] = "signal-outside",
	[LOCKC_OP_SIGIO_OWNER] = "signal-outside",
	[LOCKC_OP_PTRACE] = "ptrace-outside",
	[LOCKC_OP_TASK_CHANGE] = "ptrace-outside",
	[LOCKC_OP_BPF] = "bpf",
	[LOCKC_OP_PERF_EVENT] = "perf-events",
	[LOCKC_OP_KEYRING] = "keyring",
	[LOCKC_OP_SET_TIME] = "set-time",
	[LOCKC_OP_KERNEL_LOAD] = "kernel-load",
	[LOCKC_OP_USER_NAMESPACE] = "user-namespaces",
	[LOCKC_OP_KERNEL_TUNABLE] = "kernel-tunables",
	[LOCKC_OP_NET_CONNECT] = "net-client",
	[LOCKC_OP_NET_SEND] = "net-client",
	[LOCKC_OP_NET_BIND] = "net-server",
	[LOCKC_OP_NET_LISTEN] = "net-server",
	[LOCKC_OP_EXEC_ANONYMOUS] = "exec-anonymous",
};

const char *operation_switch(enum lockc_operation op)
{
	return op < COUNT(switch_of) ? switch_of[op] : NULL;
}

static const char *class_name(enum lockc_rule_class class)
{
	return class == LOCKC_RULE_FILE ? "file" : class == LOCKC_RULE_EXEC ? "exec" : "write";
}

/*
 * The longest rule of (ruleset, class) that is a prefix of `path`'s lookup
 * key, as the kernel's LPM lookup finds it, written as a policy line to
 * `out`; its verdict, or 0 when none matches.
 */
static enum lockc_verdict deciding_rule(int rules_fd, __u32 ruleset, enum lockc_rule_class class, const char *path,
					char *out, size_t size)
{
	struct lockc_rule_key lookup, key, next, best;
	size_t lookup_len, best_len = 0;
	struct lockc_rule rule;
	bool found = false, first = true;

	rule_lookup_key(path, ruleset, class, &lookup);
	lookup_len = rule_key_path_len(&lookup);
	while (!bpf_map_get_next_key(rules_fd, first ? NULL : &key, &next)) {
		size_t len = rule_key_path_len(&next);

		first = false;
		key = next;
		if (next.ruleset != ruleset || next.class != class || len > lookup_len ||
		    memcmp(next.path, lookup.path, len) != 0 || (found && len <= best_len))
			continue;
		best = next;
		best_len = len;
		found = true;
	}
	if (!found || bpf_map_lookup_elem(rules_fd, &best, &rule))
		return 0;
	{
		char rule_path[LOCKC_RULE_PATH_MAX + 1];
		bool exact;

		decode_rule_path(&best, rule_path, &exact);
		snprintf(out, size, "%s %s %s%s", verdict_name(rule.verdict), class_name(class), rule_path,
			 exact ? " exact" : "");
	}
	return rule.verdict;
}

/*
 * What decided denial `e` (detail: its sanitized detail) under the policy
 * named in it, and the line that would allow it, into `decided` and
 * `allow` (empty when not known). The maps are opened once by the caller.
 */
void explain_denial(int policies_fd, int rules_fd, const struct lockc_event *e, const char *detail, char *decided,
		    size_t decided_size, char *allow, size_t allow_size)
{
	enum lockc_rule_class class = 0;
	struct lockc_policy policy;
	__u64 *ids;
	size_t count;
	__u32 id;

	decided[0] = allow[0] = '\0';
	if (operation_switch(e->operation)) {
		snprintf(decided, decided_size, "deny %s", operation_switch(e->operation));
		snprintf(allow, allow_size, "allow %s", operation_switch(e->operation));
		return;
	}
	switch (e->operation) {
	case LOCKC_OP_CAPABILITY:
		if (named_bit_name("capability", e->value))
			snprintf(allow, allow_size, "allow capability %s", named_bit_name("capability", e->value));
		return;
	case LOCKC_OP_SOCKET:
		/* A raw IP socket's family is allowed: raw-sockets refused it. */
		if (e->value >> 16 == AF_NETLINK && named_bit_name("netlink", e->value & 0xffff))
			snprintf(allow, allow_size, "allow netlink %s", named_bit_name("netlink", e->value & 0xffff));
		else if ((e->value >> 16 == AF_INET || e->value >> 16 == AF_INET6) && (e->value & 0xffff) == SOCK_RAW)
			snprintf(allow, allow_size, "allow raw-sockets");
		else if (named_bit_name("socket", e->value >> 16))
			snprintf(allow, allow_size, "allow socket %s", named_bit_name("socket", e->value >> 16));
		return;
	case LOCKC_OP_OPEN:
		class = LOCKC_RULE_FILE;
		break;
	case LOCKC_OP_EXEC:
	case LOCKC_OP_EXEC_MAP:
		if (detail[0] != '/') {
			snprintf(decided, decided_size, "deny exec-memfd");
			snprintf(allow, allow_size, "allow exec-memfd");
			return;
		}
		class = LOCKC_RULE_EXEC;
		break;
	case LOCKC_OP_WRITE:
		class = LOCKC_RULE_WRITE;
		break;
	default:
		return;
	}
	if (detail[0] != '/')
		return;

	/* A path: find the rule in the policy's ruleset. */
	count = sorted_keys(policies_fd, sizeof(__u32), &ids);
	id = policy_find(policies_fd, ids, count, e->policy_name);
	free(ids);
	if (id == LOCKC_POLICY_ID_NONE || bpf_map_lookup_elem(policies_fd, &id, &policy))
		return;
	/* A write is refused by the file rules first, then by the write rules. */
	if (class == LOCKC_RULE_WRITE &&
	    deciding_rule(rules_fd, policy.ruleset, LOCKC_RULE_FILE, detail, decided, decided_size) !=
		    LOCKC_VERDICT_ALLOW) {
		class = LOCKC_RULE_FILE;
		if (!decided[0])
			snprintf(decided, decided_size, "no file rule matches");
	} else if (!deciding_rule(rules_fd, policy.ruleset, class, detail, decided, decided_size)) {
		snprintf(decided, decided_size, "no %s rule matches", class_name(class));
	}
	snprintf(allow, allow_size, "allow %s %s", class_name(class), detail);
}
