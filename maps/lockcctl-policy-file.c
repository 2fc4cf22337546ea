// SPDX-License-Identifier: GPL-2.0-only
/*
 * The policy language: its rule classes and the names they take, and the
 * parser of a policy file into a struct lockc_policy and its rules. It
 * writes no map, so `lockcctl policy check` runs it anywhere; the file
 * format is lockc.policy(5).
 */
#include "lockcctl-policy.h"

#include <libgen.h>
#include <sys/socket.h>
#include <linux/capability.h>
#include <linux/netlink.h>

const struct switch_class switch_classes[] = {
	{ "syslog", offsetof(struct lockc_policy, syslog) },
	{ "mount", offsetof(struct lockc_policy, mount) },
	{ "chroot", offsetof(struct lockc_policy, chroot) },
	{ "host-sockets", offsetof(struct lockc_policy, host_sockets) },
	{ "host-ipc", offsetof(struct lockc_policy, host_ipc) },
	{ "bpf", offsetof(struct lockc_policy, bpf) },
	{ "perf-events", offsetof(struct lockc_policy, perf_events) },
	{ "keyring", offsetof(struct lockc_policy, keyring) },
	{ "set-time", offsetof(struct lockc_policy, set_time) },
	{ "kernel-load", offsetof(struct lockc_policy, kernel_load) },
	{ "user-namespaces", offsetof(struct lockc_policy, user_namespaces) },
	{ "kernel-tunables", offsetof(struct lockc_policy, kernel_tunables) },
	{ "signal-outside", offsetof(struct lockc_policy, signal_outside) },
	{ "ptrace-outside", offsetof(struct lockc_policy, ptrace_outside) },
	{ "run-as-root", offsetof(struct lockc_policy, run_as_root) },
	{ "become-root", offsetof(struct lockc_policy, become_root) },
	{ "raw-sockets", offsetof(struct lockc_policy, raw_sockets) },
	{ "net-client", offsetof(struct lockc_policy, net_client) },
	{ "net-server", offsetof(struct lockc_policy, net_server) },
	{ "exec-memfd", offsetof(struct lockc_policy, exec_memfd) },
	{ "exec-anonymous", offsetof(struct lockc_policy, exec_anonymous) },
	{ "own-mounts", offsetof(struct lockc_policy, own_mounts) },
};

const size_t switch_class_count = COUNT(switch_classes);

/* Path classes: any number of rules, each with a path. */
static const struct {
	const char *name;
	enum lockc_rule_class class;
} path_classes[] = {
	{ "file", LOCKC_RULE_FILE },
	{ "bind-mount", LOCKC_RULE_BIND_MOUNT },
	{ "volume", LOCKC_RULE_VOLUME },
	{ "volume-readonly", LOCKC_RULE_VOLUME_READONLY },
	{ "exec", LOCKC_RULE_EXEC },
	{ "write", LOCKC_RULE_WRITE },
};

#define N_PATH_CLASSES (sizeof(path_classes) / sizeof(path_classes[0]))

#define NAMED(name, value) { name, value }

/* Capability names as capabilities(7) has them, lower case, without "CAP_". */
static const struct named_bit capability_names[] = {
	NAMED("chown", CAP_CHOWN), NAMED("dac_override", CAP_DAC_OVERRIDE),
	NAMED("dac_read_search", CAP_DAC_READ_SEARCH), NAMED("fowner", CAP_FOWNER),
	NAMED("fsetid", CAP_FSETID), NAMED("kill", CAP_KILL), NAMED("setgid", CAP_SETGID),
	NAMED("setuid", CAP_SETUID), NAMED("setpcap", CAP_SETPCAP),
	NAMED("linux_immutable", CAP_LINUX_IMMUTABLE), NAMED("net_bind_service", CAP_NET_BIND_SERVICE),
	NAMED("net_broadcast", CAP_NET_BROADCAST), NAMED("net_admin", CAP_NET_ADMIN),
	NAMED("net_raw", CAP_NET_RAW), NAMED("ipc_lock", CAP_IPC_LOCK), NAMED("ipc_owner", CAP_IPC_OWNER),
	NAMED("sys_module", CAP_SYS_MODULE), NAMED("sys_rawio", CAP_SYS_RAWIO),
	NAMED("sys_chroot", CAP_SYS_CHROOT), NAMED("sys_ptrace", CAP_SYS_PTRACE),
	NAMED("sys_pacct", CAP_SYS_PACCT), NAMED("sys_admin", CAP_SYS_ADMIN), NAMED("sys_boot", CAP_SYS_BOOT),
	NAMED("sys_nice", CAP_SYS_NICE), NAMED("sys_resource", CAP_SYS_RESOURCE),
	NAMED("sys_time", CAP_SYS_TIME), NAMED("sys_tty_config", CAP_SYS_TTY_CONFIG),
	NAMED("mknod", CAP_MKNOD), NAMED("lease", CAP_LEASE), NAMED("audit_write", CAP_AUDIT_WRITE),
	NAMED("audit_control", CAP_AUDIT_CONTROL), NAMED("setfcap", CAP_SETFCAP),
	NAMED("mac_override", CAP_MAC_OVERRIDE), NAMED("mac_admin", CAP_MAC_ADMIN),
	NAMED("syslog", CAP_SYSLOG), NAMED("wake_alarm", CAP_WAKE_ALARM),
	NAMED("block_suspend", CAP_BLOCK_SUSPEND), NAMED("audit_read", CAP_AUDIT_READ),
	NAMED("perfmon", CAP_PERFMON), NAMED("bpf", CAP_BPF), NAMED("checkpoint_restore", CAP_CHECKPOINT_RESTORE),
};

/*
 * Address families by the name of their AF_ constant. AF_NETLINK is not
 * here: netlink sockets are allowed by protocol, with the netlink class.
 */
static const struct named_bit socket_family_names[] = {
	NAMED("unix", AF_UNIX), NAMED("inet", AF_INET), NAMED("ax25", AF_AX25), NAMED("ipx", AF_IPX),
	NAMED("appletalk", AF_APPLETALK), NAMED("netrom", AF_NETROM), NAMED("bridge", AF_BRIDGE),
	NAMED("atmpvc", AF_ATMPVC), NAMED("x25", AF_X25), NAMED("inet6", AF_INET6), NAMED("rose", AF_ROSE),
	NAMED("decnet", AF_DECnet), NAMED("netbeui", AF_NETBEUI), NAMED("security", AF_SECURITY),
	NAMED("key", AF_KEY), NAMED("packet", AF_PACKET), NAMED("ash", AF_ASH), NAMED("econet", AF_ECONET),
	NAMED("atmsvc", AF_ATMSVC), NAMED("rds", AF_RDS), NAMED("sna", AF_SNA), NAMED("irda", AF_IRDA),
	NAMED("pppox", AF_PPPOX), NAMED("wanpipe", AF_WANPIPE), NAMED("llc", AF_LLC), NAMED("ib", AF_IB),
	NAMED("mpls", AF_MPLS), NAMED("can", AF_CAN), NAMED("tipc", AF_TIPC), NAMED("bluetooth", AF_BLUETOOTH),
	NAMED("iucv", AF_IUCV), NAMED("rxrpc", AF_RXRPC), NAMED("isdn", AF_ISDN), NAMED("phonet", AF_PHONET),
	NAMED("ieee802154", AF_IEEE802154), NAMED("caif", AF_CAIF), NAMED("alg", AF_ALG), NAMED("nfc", AF_NFC),
	NAMED("vsock", AF_VSOCK), NAMED("kcm", AF_KCM), NAMED("qipcrtr", AF_QIPCRTR), NAMED("smc", AF_SMC),
	NAMED("xdp", AF_XDP), NAMED("mctp", 45 /* AF_MCTP: newer than glibc 2.36's headers */),
};

/* Netlink protocols by the name of their NETLINK_ constant. */
static const struct named_bit netlink_protocol_names[] = {
	NAMED("route", NETLINK_ROUTE), NAMED("usersock", NETLINK_USERSOCK), NAMED("firewall", NETLINK_FIREWALL),
	NAMED("sock_diag", NETLINK_SOCK_DIAG), NAMED("nflog", NETLINK_NFLOG), NAMED("xfrm", NETLINK_XFRM),
	NAMED("selinux", NETLINK_SELINUX), NAMED("iscsi", NETLINK_ISCSI), NAMED("audit", NETLINK_AUDIT),
	NAMED("fib_lookup", NETLINK_FIB_LOOKUP), NAMED("connector", NETLINK_CONNECTOR),
	NAMED("netfilter", NETLINK_NETFILTER), NAMED("ip6_fw", NETLINK_IP6_FW), NAMED("dnrtmsg", NETLINK_DNRTMSG),
	NAMED("kobject_uevent", NETLINK_KOBJECT_UEVENT), NAMED("generic", NETLINK_GENERIC),
	NAMED("scsitransport", NETLINK_SCSITRANSPORT), NAMED("ecryptfs", NETLINK_ECRYPTFS),
	NAMED("rdma", NETLINK_RDMA), NAMED("crypto", NETLINK_CRYPTO), NAMED("smc", NETLINK_SMC),
};

const struct set_class set_classes[] = {
	{ "capability", "capability", capability_names, COUNT(capability_names),
	  offsetof(struct lockc_policy, capabilities), sizeof(__u64) },
	{ "socket", "address family", socket_family_names, COUNT(socket_family_names),
	  offsetof(struct lockc_policy, socket_families), sizeof(__u64) },
	{ "netlink", "netlink protocol", netlink_protocol_names, COUNT(netlink_protocol_names),
	  offsetof(struct lockc_policy, netlink_protocols), sizeof(__u32) },
};

const size_t set_class_count = COUNT(set_classes);

__u64 set_field_get(const struct lockc_policy *policy, const struct set_class *set)
{
	const char *field = (const char *)policy + set->offset;
	__u64 v64;
	__u32 v32;

	if (set->size == sizeof(v64)) {
		memcpy(&v64, field, sizeof(v64));
		return v64;
	}
	memcpy(&v32, field, sizeof(v32));
	return v32;
}

static void set_field_put(struct lockc_policy *policy, const struct set_class *set, __u64 bits)
{
	char *field = (char *)policy + set->offset;
	__u32 v32 = bits;

	if (set->size == sizeof(bits))
		memcpy(field, &bits, sizeof(bits));
	else
		memcpy(field, &v32, sizeof(v32));
}

/* Lookup is case-insensitive, and "CAP_" before a capability is accepted. */
static const struct named_bit *find_named_bit(const struct set_class *set, const char *name)
{
	if (set->names == capability_names && strncasecmp(name, "cap_", 4) == 0)
		name += 4;
	for (size_t i = 0; i < set->count; i++)
		if (strcasecmp(set->names[i].name, name) == 0)
			return &set->names[i];
	return NULL;
}

/*
 * Named device classes: the devices a process may need, by their fixed
 * numbers (the kernel's Documentation/admin-guide/devices.txt). A minor of
 * -1 is every minor of the major.
 */
const struct device_class device_classes[] = {
	{ "null", 'c', 1, 3, 1 },     { "zero", 'c', 1, 5, 1 },    { "full", 'c', 1, 7, 1 },
	{ "random", 'c', 1, 8, 1 },   { "urandom", 'c', 1, 9, 1 }, { "tty", 'c', 5, 0, 1 },
	{ "console", 'c', 5, 1, 1 },  { "ptmx", 'c', 5, 2, 1 },
	/* Unix98 pseudo-terminal slaves, /dev/pts/N: majors 136-143. */
	{ "pts", 'c', 136, -1, 8 },
	{ "fuse", 'c', 10, 229, 1 },  { "tun", 'c', 10, 200, 1 },
};

const size_t device_class_count = COUNT(device_classes);

const char *path_class_name(enum lockc_rule_class class)
{
	if (class == LOCKC_RULE_DEVICE)
		return "device";
	if (class == LOCKC_RULE_IPC)
		return "ipc";
	for (size_t i = 0; i < N_PATH_CLASSES; i++)
		if (path_classes[i].class == class)
			return path_classes[i].name;
	return "unknown";
}

enum lockc_verdict *switch_field(struct lockc_policy *policy, size_t i)
{
	return (enum lockc_verdict *)((char *)policy + switch_classes[i].offset);
}

static int compare_parsed_rules(const void *a, const void *b)
{
	const struct parsed_rule *x = a, *y = b;

	return compare_rule_keys(&x->key, &y->key);
}

static void add_parsed_rule(struct parsed_policy *p, const struct parsed_rule *rule)
{
	if (p->count == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->rules = realloc(p->rules, p->cap * sizeof(*p->rules));
		if (!p->rules)
			fail("out of memory.");
	}
	p->rules[p->count++] = *rule;
}

static bool parse_verdict(const char *word, enum lockc_verdict *verdict)
{
	if (strcmp(word, "allow") == 0)
		*verdict = LOCKC_VERDICT_ALLOW;
	else if (strcmp(word, "deny") == 0)
		*verdict = LOCKC_VERDICT_DENY;
	else
		return false;
	return true;
}

/* Every rule class, comma-separated, for the error that names an unknown one. */
static const char *known_classes(void)
{
	static char list[512];
	size_t n = 0;

	/* snprintf returns what it would have written: stop at the end of list. */
#define APPEND(name)                                                                              \
	do {                                                                                      \
		if (n < sizeof(list))                                                             \
			n += snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", (name)); \
	} while (0)
	for (size_t i = 0; i < N_PATH_CLASSES; i++)
		APPEND(path_classes[i].name);
	APPEND("device");
	APPEND("ipc");
	for (size_t i = 0; i < set_class_count; i++)
		APPEND(set_classes[i].name);
	for (size_t i = 0; i < switch_class_count; i++)
		APPEND(switch_classes[i].name);
#undef APPEND
	return list;
}

#define WORDS_MAX 64

/* What the lines of one set class said so far. */
struct set_state {
	unsigned int all_line;		/* the line of "allow|deny CLASS all" */
	enum lockc_verdict all;
	unsigned int line[64];		/* per bit: the line that named it */
	__u64 allowed, denied;
};

static void parse_set_line(const char *file, unsigned int lineno, const struct set_class *set,
			   struct set_state *state, enum lockc_verdict verdict, char **words, size_t nwords)
{
	if (nwords < 3)
		fail("%s:%u: '%s %s' needs at least one %s name, or 'all'.", file, lineno, words[0], words[1],
		     set->what);
	for (size_t w = 2; w < nwords; w++) {
		const struct named_bit *named;

		if (strcmp(words[w], "all") == 0) {
			if (state->all_line)
				fail("%s:%u: a second '%s all' rule (the first is on line %u); a policy states it once.",
				     file, lineno, set->name, state->all_line);
			state->all_line = lineno;
			state->all = verdict;
			continue;
		}
		named = find_named_bit(set, words[w]);
		if (!named)
			fail("%s:%u: unknown %s '%s'; 'lockcctl policy names %s' lists them.", file, lineno, set->what,
			     words[w], set->name);
		if (state->line[named->bit])
			fail("%s:%u: %s '%s' is already named on line %u; a policy states each once.", file, lineno,
			     set->what, named->name, state->line[named->bit]);
		state->line[named->bit] = lineno;
		if (verdict == LOCKC_VERDICT_ALLOW)
			state->allowed |= 1ULL << named->bit;
		else
			state->denied |= 1ULL << named->bit;
	}
}

/* Every bit of a set class's field: "all" covers numbers a later kernel may add. */
__u64 set_every(const struct set_class *set)
{
	return set->size == sizeof(__u64) ? ~0ULL : 0xffffffffULL;
}

/* A named name wins over "all"; without "all", what is not allowed is denied. */
static __u64 set_bits(const struct set_class *set, const struct set_state *state)
{
	return ((state->all == LOCKC_VERDICT_ALLOW ? set_every(set) : 0) | state->allowed) & ~state->denied;
}

static unsigned int parse_number(const char *file, unsigned int lineno, const char *text, unsigned int max,
				 const char *what)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(text, &end, 10);
	if (errno || end == text || *end || n > max || !isdigit((unsigned char)text[0]))
		fail("%s:%u: '%s' is not a %s (0-%u).", file, lineno, text, what, max);
	return n;
}

/* allow|deny device NAME... | allow|deny device char|block MAJOR:MINOR|MAJOR:*|* */
static void parse_device_line(const char *file, unsigned int lineno, struct parsed_policy *p,
			      enum lockc_verdict verdict, char **words, size_t nwords)
{
	struct parsed_rule rule = { .value.verdict = verdict, .line = lineno };

	rule.key.class = LOCKC_RULE_DEVICE;
	if (nwords < 3)
		fail("%s:%u: '%s device' needs device names such as 'null tty', or 'char MAJOR:MINOR'.", file,
		     lineno, words[0]);
	if (strcmp(words[2], "char") == 0 || strcmp(words[2], "block") == 0) {
		char *colon;
		unsigned int major;
		int minor = -1;

		if (nwords == 4 && strcmp(words[3], "*") == 0) {
			encode_device(words[2][0], 0, -1, &rule.key);
			rule.key.prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8;
			add_parsed_rule(p, &rule);
			return;
		}
		if (nwords != 4 || !(colon = strchr(words[3], ':')))
			fail("%s:%u: '%s device %s' needs one MAJOR:MINOR, MAJOR:* or *, such as 10:200.", file,
			     lineno, words[0], words[2]);
		*colon = '\0';
		major = parse_number(file, lineno, words[3], 4095, "device major number");
		if (strcmp(colon + 1, "*") != 0)
			minor = parse_number(file, lineno, colon + 1, 0xfffff, "device minor number");
		encode_device(words[2][0], major, minor, &rule.key);
		add_parsed_rule(p, &rule);
		return;
	}
	for (size_t w = 2; w < nwords; w++) {
		size_t d;

		for (d = 0; d < device_class_count && strcmp(device_classes[d].name, words[w]); d++)
			;
		if (d == device_class_count)
			fail("%s:%u: unknown device '%s'; name one of 'lockcctl policy names device', or write 'char MAJOR:MINOR'.",
			     file, lineno, words[w]);
		for (unsigned int m = 0; m < device_classes[d].majors; m++) {
			encode_device(device_classes[d].type, device_classes[d].major + m, device_classes[d].minor,
				      &rule.key);
			add_parsed_rule(p, &rule);
		}
	}
}

/* Add an exact entry of `class` for directory `path`, with verdict DENY; duplicates go in add_ancestor_entries(). */
static void add_directory_entry(struct parsed_policy *p, enum lockc_rule_class class, const char *path,
				unsigned int line)
{
	struct parsed_rule entry = { .value.verdict = LOCKC_VERDICT_DENY, .line = line };

	entry.key.class = class;
	encode_rule_path(path, true, &entry.key);
	add_parsed_rule(p, &entry);
}

/*
 * The entries lockcctl writes for the directories above the path rules,
 * as maps/lockc.h describes them: every directory above a deny file or
 * deny write rule but "/" is LOCKC_RULE_PINNED, and every directory above
 * any file or write rule, "/" included, is LOCKC_RULE_RULES_BELOW. Rules
 * sharing an ancestor mark it once.
 */
static void add_ancestor_entries(struct parsed_policy *p)
{
	size_t stated = p->count, kept;

	p->stated = stated;
	for (size_t i = 0; i < stated; i++) {
		const struct parsed_rule *rule = &p->rules[i];
		char path[LOCKC_RULE_PATH_MAX + 1];
		unsigned int line = rule->line;
		bool exact, deny;

		if (rule->key.class != LOCKC_RULE_FILE && rule->key.class != LOCKC_RULE_WRITE)
			continue;
		deny = rule->value.verdict == LOCKC_VERDICT_DENY;
		decode_rule_path(&rule->key, path, &exact);
		/* add_parsed_rule may move the array: `rule` is not used below. */
		for (char *slash = strrchr(path, '/'); slash && slash[1]; slash = strrchr(path, '/')) {
			if (slash == path) {
				add_directory_entry(p, LOCKC_RULE_RULES_BELOW, "/", line);
				break;
			}
			*slash = '\0';
			add_directory_entry(p, LOCKC_RULE_RULES_BELOW, path, line);
			if (deny)
				add_directory_entry(p, LOCKC_RULE_PINNED, path, line);
		}
	}
	qsort(p->rules, p->count, sizeof(*p->rules), compare_parsed_rules);
	kept = p->count ? 1 : 0;
	for (size_t i = 1; i < p->count; i++)
		if (!derived_rule_class(p->rules[i].key.class) ||
		    compare_parsed_rules(&p->rules[kept - 1], &p->rules[i]) != 0)
			p->rules[kept++] = p->rules[i];
	p->count = kept;
	p->policy.rules_below_marked = 1;
}

/* allow|deny ipc POLICY...: one rule per policy named, as maps/lockc.h encodes LOCKC_RULE_IPC. */
static void parse_ipc_line(const char *file, unsigned int lineno, struct parsed_policy *p,
			   enum lockc_verdict verdict, char **words, size_t nwords)
{
	if (nwords < 3)
		fail("%s:%u: '%s ipc' needs the names of policies, such as '%s ipc web'.", file, lineno, words[0],
		     words[0]);
	for (size_t i = 2; i < nwords; i++) {
		struct parsed_rule rule = { .value.verdict = verdict, .line = lineno };

		if (!valid_name(words[i]))
			fail("%s:%u: '%s' is not a policy name: 1-%d letters, digits or ._:- characters.", file,
			     lineno, words[i], LOCKC_NAME_MAX - 1);
		rule.key.class = LOCKC_RULE_IPC;
		encode_ipc_rule(words[i], &rule.key);
		add_parsed_rule(p, &rule);
	}
}

/*
 * Parse a policy file (lockc.policy(5)). Its name is the file name without
 * ".policy". Anything a policy does not allow is denied. Fails with the
 * file and line of the first error.
 */
void policy_parse(const char *file, struct parsed_policy *p)
{
	unsigned int switch_line[COUNT(switch_classes)] = { 0 };
	struct set_state sets[COUNT(set_classes)];
	char *copy, *base, *dot, *line = NULL;
	size_t line_size = 0;
	unsigned int lineno = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
	memset(sets, 0, sizeof(sets));
	p->file = file;
	for (size_t i = 0; i < switch_class_count; i++)
		*switch_field(&p->policy, i) = LOCKC_VERDICT_DENY;

	copy = strdup(file);
	if (!copy)
		fail("out of memory.");
	base = basename(copy);
	dot = strrchr(base, '.');
	if (!dot || strcmp(dot, ".policy") != 0)
		fail("%s: a policy file's name must be NAME.policy.", file);
	*dot = '\0';
	if (!valid_name(base))
		fail("%s: the policy name '%s' must be 1-%d letters, digits or ._:- characters.",
		     file, base, LOCKC_NAME_MAX - 1);
	strcpy(p->policy.name, base);
	free(copy);

	f = fopen(file, "r");
	if (!f)
		fail("cannot open %s: %s.", file, strerror(errno));
	while (getline(&line, &line_size, f) >= 0) {
		char *text = line, *words[WORDS_MAX] = { NULL }, *save;
		enum lockc_verdict verdict;
		size_t nwords = 0, sw, pc, sc;

		lineno++;
		text[strcspn(text, "#")] = '\0';
		strip(&text);
		if (!*text)
			continue;
		for (char *w = strtok_r(text, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			if (nwords == WORDS_MAX)
				fail("%s:%u: more than %d words; split the line.", file, lineno, WORDS_MAX);
			words[nwords++] = w;
		}
		if (!parse_verdict(words[0], &verdict))
			fail("%s:%u: a rule starts with 'allow' or 'deny', not '%s'.", file, lineno, words[0]);
		if (nwords < 2)
			fail("%s:%u: '%s' needs what it applies to, such as 'file /usr' or 'syslog'.", file, lineno,
			     words[0]);
		for (sw = 0; sw < switch_class_count && strcmp(words[1], switch_classes[sw].name); sw++)
			;
		for (pc = 0; pc < N_PATH_CLASSES && strcmp(words[1], path_classes[pc].name); pc++)
			;
		for (sc = 0; sc < set_class_count && strcmp(words[1], set_classes[sc].name); sc++)
			;
		if (sw < switch_class_count) {
			if (nwords > 2)
				fail("%s:%u: unexpected '%s' after '%s %s'.", file, lineno, words[2], words[0],
				     words[1]);
			if (switch_line[sw])
				fail("%s:%u: a second '%s' rule (the first is on line %u); a policy states it once.",
				     file, lineno, words[1], switch_line[sw]);
			switch_line[sw] = lineno;
			*switch_field(&p->policy, sw) = verdict;
		} else if (pc < N_PATH_CLASSES) {
			struct parsed_rule rule = { .value.verdict = verdict, .line = lineno };
			bool exact = nwords > 3 && strcmp(words[3], "exact") == 0;
			const char *problem;

			if (nwords < 3)
				fail("%s:%u: '%s %s' needs a path, such as '%s %s /usr'.", file, lineno, words[0],
				     words[1], words[0], words[1]);
			if (nwords > 3 + (size_t)exact)
				fail("%s:%u: unexpected '%s' after '%s %s %s'; only 'exact' may follow the path.",
				     file, lineno, words[3 + exact], words[0], words[1], words[2]);
			rule.key.class = path_classes[pc].class;
			problem = encode_rule_path(words[2], exact, &rule.key);
			if (!problem)
				problem = rule_pattern_problem(words[2], rule.key.class == LOCKC_RULE_VOLUME ||
										rule.key.class == LOCKC_RULE_VOLUME_READONLY);
			if (problem)
				fail("%s:%u: %s: %s.", file, lineno, words[2], problem);
			add_parsed_rule(p, &rule);
		} else if (sc < set_class_count) {
			parse_set_line(file, lineno, &set_classes[sc], &sets[sc], verdict, words, nwords);
		} else if (strcmp(words[1], "device") == 0) {
			parse_device_line(file, lineno, p, verdict, words, nwords);
		} else if (strcmp(words[1], "ipc") == 0) {
			parse_ipc_line(file, lineno, p, verdict, words, nwords);
		} else {
			fail("%s:%u: unknown rule class '%s'; known: %s.", file, lineno, words[1], known_classes());
		}
	}
	if (ferror(f))
		fail("cannot read %s: %s.", file, strerror(errno));
	free(line);
	fclose(f);
	for (size_t i = 0; i < set_class_count; i++)
		set_field_put(&p->policy, &set_classes[i], set_bits(&set_classes[i], &sets[i]));

	qsort(p->rules, p->count, sizeof(*p->rules), compare_parsed_rules);
	for (size_t i = 1; i < p->count; i++) {
		const struct parsed_rule *a = &p->rules[i - 1], *b = &p->rules[i];

		if (compare_parsed_rules(a, b) == 0)
			fail("%s:%u: the same %s rule as line %u; a policy states each %s once.", file,
			     a->line > b->line ? a->line : b->line, path_class_name(a->key.class),
			     a->line < b->line ? a->line : b->line,
			     a->key.class == LOCKC_RULE_DEVICE ? "device" :
			     a->key.class == LOCKC_RULE_IPC	 ? "policy" :
								   "path");
	}
	add_ancestor_entries(p);
}

/* The name of bit `bit` in set class `class` ("capability", "socket", "netlink"), or NULL. */
const char *named_bit_name(const char *class, unsigned int bit)
{
	for (size_t sc = 0; sc < set_class_count; sc++) {
		if (strcmp(set_classes[sc].name, class))
			continue;
		for (size_t i = 0; i < set_classes[sc].count; i++)
			if (set_classes[sc].names[i].bit == bit)
				return set_classes[sc].names[i].name;
	}
	return NULL;
}
