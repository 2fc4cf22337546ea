// SPDX-License-Identifier: GPL-2.0-only
/* lockcctl policy: parse policy files and write them atomically. */
#include "lockcctl.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>


int open_rules(void)
{
	return open_map("rules", sizeof(struct lockc_rule_key), sizeof(struct lockc_rule));
}

/*
 * Serialise the writers: two policy applies at once could pick the same
 * fresh ruleset, and lockc-load's upgrade must copy the registrations with
 * none half-written or written after the copy. bpffs directories take flock().
 */
void lock_pin_dir(void)
{
	int fd = open(pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		fail("cannot open %s: %s; load lockc with lockc-load first.", pin_dir, strerror(errno));
	if (flock(fd, LOCK_EX))
		fail("cannot lock %s: %s.", pin_dir, strerror(errno));
	/* held until exit */
}

/*
 * Wait until no lockc program can still be using a ruleset that no policy
 * points at any more. Each program runs inside one RCU read-side critical
 * section, and MEMBARRIER_CMD_GLOBAL returns after an RCU grace period.
 * Kernels with nohz_full refuse it; a second is far longer than any hook.
 */
static void wait_for_running_hooks(void)
{
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return;
	sleep(1);
}

/* Switch classes: one verdict each, stated at most once per policy. */
static const struct {
	const char *name;
	size_t offset;
} switch_classes[] = {
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
};

#define N_SWITCHES (sizeof(switch_classes) / sizeof(switch_classes[0]))

/* Path classes: any number of rules, each with a path. */
static const struct {
	const char *name;
	enum lockc_rule_class class;
} path_classes[] = {
	{ "file", LOCKC_RULE_FILE },
	{ "bind-mount", LOCKC_RULE_BIND_MOUNT },
	{ "volume", LOCKC_RULE_VOLUME },
	{ "exec", LOCKC_RULE_EXEC },
	{ "write", LOCKC_RULE_WRITE },
};

#define N_PATH_CLASSES (sizeof(path_classes) / sizeof(path_classes[0]))

/* A name for a number, in the set classes' tables. */
struct named_bit {
	const char *name;
	unsigned int bit;
};

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

#define COUNT(table) (sizeof(table) / sizeof((table)[0]))

/* Set classes: named bits of one field, `all` for every name the table has. */
static const struct set_class {
	const char *name;
	const char *what;	/* for error messages */
	const struct named_bit *names;
	size_t count;
	size_t offset;		/* of the policy's bit field */
	size_t size;		/* its size: 4 or 8 bytes */
} set_classes[] = {
	{ "capability", "capability", capability_names, COUNT(capability_names),
	  offsetof(struct lockc_policy, capabilities), sizeof(__u64) },
	{ "socket", "address family", socket_family_names, COUNT(socket_family_names),
	  offsetof(struct lockc_policy, socket_families), sizeof(__u64) },
	{ "netlink", "netlink protocol", netlink_protocol_names, COUNT(netlink_protocol_names),
	  offsetof(struct lockc_policy, netlink_protocols), sizeof(__u32) },
};

#define N_SET_CLASSES COUNT(set_classes)

static __u64 set_field_get(const struct lockc_policy *policy, const struct set_class *set)
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
static const struct {
	const char *name;
	char type;
	unsigned int major;
	int minor;
	unsigned int majors;	/* consecutive majors from `major` */
} device_classes[] = {
	{ "null", 'c', 1, 3, 1 },     { "zero", 'c', 1, 5, 1 },    { "full", 'c', 1, 7, 1 },
	{ "random", 'c', 1, 8, 1 },   { "urandom", 'c', 1, 9, 1 }, { "tty", 'c', 5, 0, 1 },
	{ "console", 'c', 5, 1, 1 },  { "ptmx", 'c', 5, 2, 1 },
	/* Unix98 pseudo-terminal slaves, /dev/pts/N: majors 136-143. */
	{ "pts", 'c', 136, -1, 8 },
	{ "fuse", 'c', 10, 229, 1 },  { "tun", 'c', 10, 200, 1 },
};

/* Encode a device rule as maps/lockc.h describes (minor -1: every minor). */
static void encode_device(char type, unsigned int major, int minor, struct lockc_rule_key *key)
{
	__u32 be_major = htonl(major), be_minor = htonl((__u32)minor);

	memset(key->path, 0, sizeof(key->path));
	key->path[0] = type;
	memcpy(&key->path[1], &be_major, sizeof(be_major));
	memcpy(&key->path[5], &be_minor, sizeof(be_minor));
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS +
			 8 * (minor < 0 ? LOCKC_DEVICE_MAJOR_KEY_LEN : LOCKC_DEVICE_KEY_LEN);
}

static const char *path_class_name(enum lockc_rule_class class)
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

static enum lockc_verdict *switch_field(struct lockc_policy *policy, size_t i)
{
	return (enum lockc_verdict *)((char *)policy + switch_classes[i].offset);
}

struct parsed_rule {
	struct lockc_rule_key key;
	struct lockc_rule value;
	unsigned int line;
};

struct parsed_policy {
	const char *file;
	struct lockc_policy policy;
	struct parsed_rule *rules;
	size_t count, cap;
};

/* Bytes of path data in a rule key. */
static size_t key_path_len(const struct lockc_rule_key *key)
{
	return key->prefixlen / 8 - LOCKC_RULE_KEY_HEADER_BITS / 8;
}

/*
 * Encode a rule's path as maps/lockc.h describes. Returns NULL, or what is
 * wrong with the path.
 */
const char *encode_rule_path(const char *path, bool exact, struct lockc_rule_key *key)
{
	size_t len = strlen(path), n;

	if (path[0] != '/')
		return "a path starts with '/'";
	for (const char *c = path; *c; c = strchrnul(c + 1, '/')) {
		const char *next = strchrnul(c + 1, '/');
		size_t component = next - (c + 1);

		if (component == 0 && len > 1)
			return "a path has no empty components ('//') and no trailing '/'";
		if ((component == 1 && c[1] == '.') || (component == 2 && c[1] == '.' && c[2] == '.'))
			return "a path has no '.' or '..' components";
	}
	/* "/usr" becomes "/usr/", "/" stays; exact rules end in a NUL. */
	n = len + (len > 1) + exact;
	if (n > sizeof(key->path))
		return "the path is too long for a rule";
	memset(key->path, 0, sizeof(key->path));
	memcpy(key->path, path, len);
	if (len > 1)
		key->path[len] = '/';
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * n;
	return NULL;
}

/* The rule's path as a policy file writes it, and whether it is exact. */
static void decode_rule_path(const struct lockc_rule_key *key, char *out, bool *exact)
{
	size_t n = key_path_len(key);

	if (n > sizeof(key->path))
		n = sizeof(key->path);
	memcpy(out, key->path, n);
	out[n] = '\0';
	*exact = n > 0 && key->path[n - 1] == '\0';
	if (*exact)
		n--;
	if (n > 1 && out[n - 1] == '/')
		n--;
	out[n] = '\0';
}

/* Rule keys in display order: by class, then by path bytes. */
static int compare_rule_keys(const void *a, const void *b)
{
	const struct lockc_rule_key *x = a, *y = b;
	size_t nx = key_path_len(x), ny = key_path_len(y);
	int c;

	if (x->class != y->class)
		return x->class < y->class ? -1 : 1;
	c = memcmp(x->path, y->path, nx < ny ? nx : ny);
	return c ? c : (nx > ny) - (nx < ny);
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

void strip(char **start)
{
	char *s = *start, *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	*start = s;
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
	for (size_t i = 0; i < N_SET_CLASSES; i++)
		APPEND(set_classes[i].name);
	for (size_t i = 0; i < N_SWITCHES; i++)
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
static __u64 set_every(const struct set_class *set)
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

		for (d = 0; d < COUNT(device_classes) && strcmp(device_classes[d].name, words[w]); d++)
			;
		if (d == COUNT(device_classes))
			fail("%s:%u: unknown device '%s'; name one of 'lockcctl policy names device', or write 'char MAJOR:MINOR'.",
			     file, lineno, words[w]);
		for (unsigned int m = 0; m < device_classes[d].majors; m++) {
			encode_device(device_classes[d].type, device_classes[d].major + m, device_classes[d].minor,
				      &rule.key);
			add_parsed_rule(p, &rule);
		}
	}
}

/*
 * Parse a policy file (the format is in README.md, "Policies"). Its name is
 * the file name without ".policy". Anything a policy does not allow is
 * denied.
 */
/*
 * Pin every directory above the path of a deny file or deny write rule, as
 * maps/lockc.h describes LOCKC_RULE_PINNED. Rules sharing an ancestor pin
 * it once.
 */
static void add_pinned_ancestors(struct parsed_policy *p)
{
	size_t stated = p->count, kept;

	for (size_t i = 0; i < stated; i++) {
		const struct parsed_rule *rule = &p->rules[i];
		char path[LOCKC_RULE_PATH_MAX + 1];
		bool exact;

		if ((rule->key.class != LOCKC_RULE_FILE && rule->key.class != LOCKC_RULE_WRITE) ||
		    rule->value.verdict != LOCKC_VERDICT_DENY)
			continue;
		decode_rule_path(&rule->key, path, &exact);
		for (char *slash = strrchr(path, '/'); slash && slash != path; slash = strrchr(path, '/')) {
			struct parsed_rule pin = { .value.verdict = LOCKC_VERDICT_DENY, .line = rule->line };

			*slash = '\0';
			pin.key.class = LOCKC_RULE_PINNED;
			encode_rule_path(path, true, &pin.key);
			add_parsed_rule(p, &pin);
			/* add_parsed_rule may move the array. */
			rule = &p->rules[i];
		}
	}
	qsort(p->rules, p->count, sizeof(*p->rules), compare_parsed_rules);
	kept = p->count ? 1 : 0;
	for (size_t i = 1; i < p->count; i++)
		if (p->rules[i].key.class != LOCKC_RULE_PINNED ||
		    compare_parsed_rules(&p->rules[kept - 1], &p->rules[i]) != 0)
			p->rules[kept++] = p->rules[i];
	p->count = kept;
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
		size_t len = strlen(words[i]);

		if (!valid_name(words[i]))
			fail("%s:%u: '%s' is not a policy name: 1-%d letters, digits or ._:- characters.", file,
			     lineno, words[i], LOCKC_NAME_MAX - 1);
		rule.key.class = LOCKC_RULE_IPC;
		memcpy(rule.key.path, words[i], len + 1);
		rule.key.prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * (len + 1);
		add_parsed_rule(p, &rule);
	}
}

static void policy_parse(const char *file, struct parsed_policy *p)
{
	unsigned int switch_line[N_SWITCHES] = { 0 };
	struct set_state sets[N_SET_CLASSES];
	char *copy, *base, *dot, *line = NULL;
	size_t line_size = 0;
	unsigned int lineno = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
	memset(sets, 0, sizeof(sets));
	p->file = file;
	for (size_t i = 0; i < N_SWITCHES; i++)
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
		for (sw = 0; sw < N_SWITCHES && strcmp(words[1], switch_classes[sw].name); sw++)
			;
		for (pc = 0; pc < N_PATH_CLASSES && strcmp(words[1], path_classes[pc].name); pc++)
			;
		for (sc = 0; sc < N_SET_CLASSES && strcmp(words[1], set_classes[sc].name); sc++)
			;
		if (sw < N_SWITCHES) {
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
			if (problem)
				fail("%s:%u: %s: %s.", file, lineno, words[2], problem);
			add_parsed_rule(p, &rule);
		} else if (sc < N_SET_CLASSES) {
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
	for (size_t i = 0; i < N_SET_CLASSES; i++)
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
	add_pinned_ancestors(p);
}

/*
 * Find a policy by name among the ids of the policies map (from
 * sorted_keys); returns its id or LOCKC_POLICY_ID_NONE.
 */
__u32 policy_find(int fd, const __u64 *ids, size_t count, const char *name)
{
	struct lockc_policy policy;

	for (size_t i = 0; i < count; i++) {
		__u32 id = ids[i];

		if (!bpf_map_lookup_elem(fd, &id, &policy) && strncmp(policy.name, name, LOCKC_NAME_MAX) == 0)
			return id;
	}
	return LOCKC_POLICY_ID_NONE;
}

/* Every key of the rules map; *keys_out is malloc'ed. */
static size_t rule_keys(int fd, struct lockc_rule_key **keys_out)
{
	size_t count = 0, cap = 256;
	struct lockc_rule_key *keys = malloc(cap * sizeof(*keys));

	if (!keys)
		fail("out of memory.");
	while (!bpf_map_get_next_key(fd, count ? &keys[count - 1] : NULL, &keys[count])) {
		if (++count == cap) {
			cap *= 2;
			keys = realloc(keys, cap * sizeof(*keys));
			if (!keys)
				fail("out of memory.");
		}
	}
	*keys_out = keys;
	return count;
}

/* Delete the rules of the rulesets for which `doomed` says so. */
static void delete_rules(int fd, bool (*doomed)(__u32 ruleset, const void *arg), const void *arg)
{
	struct lockc_rule_key *keys;
	size_t count = rule_keys(fd, &keys);

	for (size_t i = 0; i < count; i++)
		if (doomed(keys[i].ruleset, arg) && bpf_map_delete_elem(fd, &keys[i]) && errno != ENOENT)
			fail("cannot delete a rule of ruleset %u: %s; run 'lockcctl policy apply' again to clean up.",
			     keys[i].ruleset, strerror(errno));
	free(keys);
}

struct ruleset_set {
	const __u32 *ids;
	size_t count;
};

static bool ruleset_in(__u32 ruleset, const struct ruleset_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->ids[i] == ruleset)
			return true;
	return false;
}

static bool ruleset_listed(__u32 ruleset, const void *arg)
{
	return ruleset_in(ruleset, arg);
}

static bool ruleset_unlisted(__u32 ruleset, const void *arg)
{
	return !ruleset_in(ruleset, arg);
}

/* Undo a failed apply's rule writes, then fail with its message. */
static void __attribute__((noreturn)) apply_failed(int rules_fd, const __u32 *fresh, size_t count, const char *what,
						  const char *name)
{
	struct ruleset_set set = { fresh, count };
	int saved = errno;

	delete_rules(rules_fd, ruleset_listed, &set);
	fail("cannot %s policy '%s': %s; nothing was changed.", what, name, strerror(saved));
}

int do_policy_apply(int argc, char **argv)
{
	struct parsed_policy *parsed;
	struct lockc_policy *old;
	__u32 *ids, *fresh, *referenced, next_free = 1, highest_ruleset = LOCKC_RULESET_NONE;
	size_t used, fresh_ids = 0, rule_count, new_rules = 0, n_referenced = 0;
	struct lockc_rule_key *keys;
	struct ruleset_set live;
	__u64 *existing;
	int policies_fd, rules_fd;

	if (argc < 1)
		fail("'policy apply' needs at least one policy file.");
	parsed = calloc(argc, sizeof(*parsed));
	old = calloc(argc, sizeof(*old));
	ids = calloc(argc, sizeof(*ids));
	fresh = calloc(argc, sizeof(*fresh));
	referenced = calloc(LOCKC_POLICIES_MAX + argc, sizeof(*referenced));
	if (!parsed || !old || !ids || !fresh || !referenced)
		fail("out of memory.");

	/* Parse everything first: a single error leaves the maps untouched. */
	for (int i = 0; i < argc; i++) {
		policy_parse(argv[i], &parsed[i]);
		new_rules += parsed[i].count;
		for (int j = 0; j < i; j++)
			if (strcmp(parsed[i].policy.name, parsed[j].policy.name) == 0)
				fail("%s and %s both define policy '%s'.", argv[j], argv[i], parsed[i].policy.name);
	}

	policies_fd = open_policies();
	rules_fd = open_rules();
	lock_pin_dir();
	used = sorted_keys(policies_fd, sizeof(__u32), &existing);
	for (size_t i = 0; i < used; i++) {
		struct lockc_policy policy;
		__u32 id = existing[i];

		if (!bpf_map_lookup_elem(policies_fd, &id, &policy))
			referenced[n_referenced++] = policy.ruleset;
	}
	for (int i = 0; i < argc; i++) {
		ids[i] = policy_find(policies_fd, existing, used, parsed[i].policy.name);
		if (ids[i] == LOCKC_POLICY_ID_NONE)
			fresh_ids++;
		else if (bpf_map_lookup_elem(policies_fd, &ids[i], &old[i]))
			fail("cannot read policy '%s': %s.", parsed[i].policy.name, strerror(errno));
	}
	if (used + fresh_ids > LOCKC_POLICIES_MAX)
		fail("the policies map holds %zu of %d policies and %zu more do not fit.", used, LOCKC_POLICIES_MAX,
		     fresh_ids);

	/* Rules no policy points at are left over from an interrupted apply. */
	live = (struct ruleset_set){ referenced, n_referenced };
	rule_count = rule_keys(rules_fd, &keys);
	for (size_t i = 0; i < rule_count; i++) {
		if (!ruleset_in(keys[i].ruleset, &live)) {
			wait_for_running_hooks();
			delete_rules(rules_fd, ruleset_unlisted, &live);
			free(keys);
			rule_count = rule_keys(rules_fd, &keys);
			break;
		}
	}
	free(keys);
	if (rule_count + new_rules > LOCKC_RULES_MAX)
		fail("the rules map holds %zu of %d rules and the %zu new ones do not fit; shorten the policies.",
		     rule_count, LOCKC_RULES_MAX, new_rules);

	/*
	 * Write each policy's rules under a ruleset above every one in use, so
	 * that a ruleset number never comes back while lockc is loaded: the
	 * verdicts kept in allowed_inodes name the ruleset that gave them, and
	 * a reused number would revive them.
	 */
	for (size_t i = 0; i < live.count; i++)
		highest_ruleset = live.ids[i] > highest_ruleset ? live.ids[i] : highest_ruleset;
	if (highest_ruleset > UINT32_MAX - (__u32)argc)
		fail("lockc has used up its ruleset numbers; run lockc-unload and lockc-load to start again.");
	for (int i = 0; i < argc; i++) {
		__u32 ruleset = highest_ruleset + 1 + i;

		fresh[i] = ruleset;
		parsed[i].policy.ruleset = ruleset;
		for (size_t r = 0; r < parsed[i].count; r++) {
			parsed[i].rules[r].key.ruleset = ruleset;
			if (bpf_map_update_elem(rules_fd, &parsed[i].rules[r].key, &parsed[i].rules[r].value,
						BPF_NOEXIST))
				apply_failed(rules_fd, fresh, i + 1, "write the rules of", parsed[i].policy.name);
		}
	}

	/*
	 * Switch each policy to its new ruleset: one value replaced in one
	 * update, so a container sees the whole old or the whole new policy.
	 * New policies take the lowest free ids; BPF_NOEXIST keeps another
	 * writer's id. A failure puts back what was switched.
	 */
	for (int i = 0; i < argc; i++) {
		bool ok;

		if (ids[i] != LOCKC_POLICY_ID_NONE) {
			ok = !bpf_map_update_elem(policies_fd, &ids[i], &parsed[i].policy, BPF_EXIST);
		} else {
			for (;; next_free++) {
				ok = next_free <= LOCKC_POLICIES_MAX * 2 &&
				     !bpf_map_update_elem(policies_fd, &next_free, &parsed[i].policy, BPF_NOEXIST);
				if (ok || errno != EEXIST)
					break;
			}
			ids[i] = next_free;
		}
		if (!ok) {
			int saved = errno;

			for (int j = 0; j < i; j++) {
				if (old[j].ruleset || old[j].name[0])
					bpf_map_update_elem(policies_fd, &ids[j], &old[j], BPF_EXIST);
				else
					bpf_map_delete_elem(policies_fd, &ids[j]);
			}
			wait_for_running_hooks();
			errno = saved;
			apply_failed(rules_fd, fresh, argc, "switch", parsed[i].policy.name);
		}
	}

	/* The old rulesets go once no hook can still be reading them. */
	wait_for_running_hooks();
	for (int i = 0; i < argc; i++)
		if (old[i].name[0])
			fresh[i] = old[i].ruleset;
		else
			fresh[i] = LOCKC_RULESET_NONE;
	delete_rules(rules_fd, ruleset_listed, &(struct ruleset_set){ fresh, argc });

	if (json_output) {
		json_t *list = json_array();

		for (int i = 0; i < argc; i++)
			json_array_append_new(list, json_pack("{s:i,s:s,s:i}", "id", ids[i], "name",
							      parsed[i].policy.name, "rules", (int)parsed[i].count));
		print_json(list);
	}
	for (int i = 0; i < argc; i++)
		free(parsed[i].rules);
	free(parsed);
	free(old);
	free(ids);
	free(fresh);
	free(referenced);
	free(existing);
	close(policies_fd);
	close(rules_fd);
	return 0;
}

/* How many rules each ruleset holds, for listings. */
static size_t ruleset_size(const struct lockc_rule_key *keys, size_t count, __u32 ruleset)
{
	size_t n = 0;

	for (size_t i = 0; i < count; i++)
		n += keys[i].ruleset == ruleset && keys[i].class != LOCKC_RULE_PINNED;
	return n;
}

/* The names a set class's bits stand for, as a JSON array. */
static json_t *set_json(const struct lockc_policy *policy, const struct set_class *set)
{
	json_t *names = json_array();
	__u64 bits = set_field_get(policy, set);

	for (size_t i = 0; i < set->count; i++)
		if (bits & (1ULL << set->names[i].bit))
			json_array_append_new(names, json_string(set->names[i].name));
	return names;
}

/* A set class as policy lines: what "all" says, then the exceptions. */
static void print_set(const struct lockc_policy *policy, const struct set_class *set)
{
	__u64 bits = set_field_get(policy, set);
	size_t allowed = 0;

	for (size_t i = 0; i < set->count; i++)
		allowed += !!(bits & (1ULL << set->names[i].bit));
	if (bits == set_every(set)) {
		printf("allow %s all\n", set->name);
		return;
	}
	printf("deny %s all\n", set->name);
	if (!allowed)
		return;
	printf("allow %s", set->name);
	for (size_t i = 0; i < set->count; i++)
		if (bits & (1ULL << set->names[i].bit))
			printf(" %s", set->names[i].name);
	printf("\n");
}

static json_t *policy_json(__u32 id, const struct lockc_policy *policy, size_t rules)
{
	json_t *obj = json_pack("{s:i,s:s,s:I}", "id", id, "name", policy->name, "rules", (json_int_t)rules);

	for (size_t i = 0; i < N_SWITCHES; i++)
		json_object_set_new(obj, switch_classes[i].name,
				    json_string(verdict_name(*switch_field((struct lockc_policy *)policy, i))));
	for (size_t i = 0; i < N_SET_CLASSES; i++)
		json_object_set_new(obj, set_classes[i].name, set_json(policy, &set_classes[i]));
	return obj;
}

/* A device rule's key as a policy file writes it: "char 1:3", "char 136:*". */
static void decode_device(const struct lockc_rule_key *key, char *out, size_t size)
{
	__u32 major, minor;

	memcpy(&major, &key->path[1], sizeof(major));
	memcpy(&minor, &key->path[5], sizeof(minor));
	if (key_path_len(key) == 1)
		snprintf(out, size, "%s *", key->path[0] == 'b' ? "block" : "char");
	else if (key_path_len(key) == LOCKC_DEVICE_KEY_LEN)
		snprintf(out, size, "%s %u:%u", key->path[0] == 'b' ? "block" : "char", ntohl(major), ntohl(minor));
	else
		snprintf(out, size, "%s %u:*", key->path[0] == 'b' ? "block" : "char", ntohl(major));
}

/* The switch classes a policy allows, comma-separated; "all" or "none". */
static void print_allowed_switches(struct lockc_policy *policy)
{
	size_t allowed = 0;

	for (size_t i = 0; i < N_SWITCHES; i++)
		allowed += *switch_field(policy, i) == LOCKC_VERDICT_ALLOW;
	if (allowed == 0 || allowed == N_SWITCHES) {
		printf("%s\n", allowed ? "all" : "none");
		return;
	}
	for (size_t i = 0, n = 0; i < N_SWITCHES; i++)
		if (*switch_field(policy, i) == LOCKC_VERDICT_ALLOW)
			printf("%s%s", n++ ? "," : "", switch_classes[i].name);
	printf("\n");
}

int do_policy_list(int argc, char **argv)
{
	struct lockc_policy policy;
	struct lockc_rule_key *keys;
	json_t *list = json_array();
	size_t count, rule_count;
	int fd, rules_fd;
	__u64 *ids;

	(void)argv;
	if (argc)
		fail("'policy list' takes no arguments.");
	fd = open_policies();
	rules_fd = open_rules();
	count = sorted_keys(fd, sizeof(__u32), &ids);
	rule_count = rule_keys(rules_fd, &keys);
	if (!json_output)
		printf("%-4s %-24s %-6s %s\n", "ID", "NAME", "RULES", "ALLOWED SWITCHES");
	for (size_t i = 0; i < count; i++) {
		__u32 key = ids[i];
		size_t rules;

		if (bpf_map_lookup_elem(fd, &key, &policy))
			continue;
		policy.name[LOCKC_NAME_MAX - 1] = '\0';
		rules = ruleset_size(keys, rule_count, policy.ruleset);
		if (json_output) {
			json_array_append_new(list, policy_json(key, &policy, rules));
			continue;
		}
		printf("%-4u %-24s %-6zu ", key, policy.name, rules);
		print_allowed_switches(&policy);
	}
	if (json_output)
		print_json(list);
	else
		json_decref(list);
	free(ids);
	free(keys);
	close(fd);
	close(rules_fd);
	return 0;
}

/* Print a loaded policy back in the policy file format (or as JSON). */
/*
 * A rule whose key holds a name rather than a path (device, ipc): "VERDICT
 * CLASS NAME", or under --json an object with NAME as `field`.
 */
static void show_named_rule(json_t *rule_list, enum lockc_verdict verdict, const char *class, const char *field,
			    const char *name)
{
	if (json_output)
		json_array_append_new(rule_list, json_pack("{s:s,s:s,s:s}", "verdict", verdict_name(verdict),
							   "class", class, field, name));
	else
		printf("%s %s %s\n", verdict_name(verdict), class, name);
}

int do_policy_show(int argc, char **argv)
{
	struct lockc_rule_key *keys;
	struct lockc_policy policy;
	json_t *obj, *rule_list;
	size_t count, rule_count, kept = 0;
	int fd, rules_fd;
	__u64 *ids;
	__u32 id;

	if (argc != 1)
		fail("'policy show' needs the name of a policy.");
	fd = open_policies();
	rules_fd = open_rules();
	lock_pin_dir();	/* an apply in progress would show its rules half-written */
	count = sorted_keys(fd, sizeof(__u32), &ids);
	id = policy_find(fd, ids, count, argv[0]);
	if (id == LOCKC_POLICY_ID_NONE || bpf_map_lookup_elem(fd, &id, &policy))
		fail("no policy named '%s' is loaded; 'lockcctl policy list' shows those that are.", argv[0]);
	policy.name[LOCKC_NAME_MAX - 1] = '\0';
	rule_count = rule_keys(rules_fd, &keys);
	/* Pinned ancestors follow from the deny rules shown; a policy file has none. */
	for (size_t i = 0; i < rule_count; i++)
		if (keys[i].ruleset == policy.ruleset && keys[i].class != LOCKC_RULE_PINNED)
			keys[kept++] = keys[i];
	qsort(keys, kept, sizeof(*keys), compare_rule_keys);

	obj = policy_json(id, &policy, kept);
	rule_list = json_array();
	if (!json_output) {
		printf("# policy %s (id %u)\n", policy.name, id);
		for (size_t s = 0; s < N_SWITCHES; s++)
			printf("%s %s\n", verdict_name(*switch_field(&policy, s)), switch_classes[s].name);
		for (size_t s = 0; s < N_SET_CLASSES; s++)
			print_set(&policy, &set_classes[s]);
	}
	for (size_t i = 0; i < kept; i++) {
		char path[LOCKC_RULE_PATH_MAX + 1];
		struct lockc_rule rule;
		bool exact;

		if (bpf_map_lookup_elem(rules_fd, &keys[i], &rule))
			continue;
		if (keys[i].class == LOCKC_RULE_DEVICE) {
			decode_device(&keys[i], path, sizeof(path));
			show_named_rule(rule_list, rule.verdict, "device", "device", path);
			continue;
		}
		if (keys[i].class == LOCKC_RULE_IPC) {
			snprintf(path, sizeof(path), "%.*s", LOCKC_NAME_MAX - 1, keys[i].path);
			show_named_rule(rule_list, rule.verdict, "ipc", "policy", path);
			continue;
		}
		decode_rule_path(&keys[i], path, &exact);
		if (json_output)
			json_array_append_new(rule_list, json_pack("{s:s,s:s,s:s,s:b}", "verdict",
								   verdict_name(rule.verdict), "class",
								   path_class_name(keys[i].class), "path", path,
								   "exact", exact));
		else
			printf("%s %s %s%s\n", verdict_name(rule.verdict), path_class_name(keys[i].class), path,
			       exact ? " exact" : "");
	}
	json_object_set_new(obj, "rule_list", rule_list);
	if (json_output)
		print_json(obj);
	else
		json_decref(obj);
	free(ids);
	free(keys);
	close(fd);
	close(rules_fd);
	return 0;
}

/* The names a set class or the device class accepts, one per line (or JSON). */
int do_policy_names(int argc, char **argv)
{
	json_t *list = json_array();

	if (argc != 1)
		fail("'policy names' needs a class: capability, socket, netlink or device.");
	if (strcmp(argv[0], "device") == 0) {
		for (size_t d = 0; d < COUNT(device_classes); d++) {
			char numbers[32];

			if (device_classes[d].minor < 0)
				snprintf(numbers, sizeof(numbers), "%u-%u:*", device_classes[d].major,
					 device_classes[d].major + device_classes[d].majors - 1);
			else
				snprintf(numbers, sizeof(numbers), "%u:%d", device_classes[d].major,
					 device_classes[d].minor);
			if (json_output)
				json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "name", device_classes[d].name,
								      "type", "char", "numbers", numbers));
			else
				printf("%-10s char %s\n", device_classes[d].name, numbers);
		}
	} else {
		size_t sc;

		for (sc = 0; sc < N_SET_CLASSES && strcmp(argv[0], set_classes[sc].name); sc++)
			;
		if (sc == N_SET_CLASSES)
			fail("unknown class '%s'; names exist for capability, socket, netlink and device.", argv[0]);
		for (size_t i = 0; i < set_classes[sc].count; i++) {
			if (json_output)
				json_array_append_new(list, json_pack("{s:s,s:i}", "name", set_classes[sc].names[i].name,
								      "number", set_classes[sc].names[i].bit));
			else
				printf("%-20s %u\n", set_classes[sc].names[i].name, set_classes[sc].names[i].bit);
		}
	}
	if (json_output)
		print_json(list);
	else
		json_decref(list);
	return 0;
}

/* The name of bit `bit` in set class `class` ("capability", "socket", "netlink"), or NULL. */
const char *named_bit_name(const char *class, unsigned int bit)
{
	for (size_t sc = 0; sc < N_SET_CLASSES; sc++) {
		if (strcmp(set_classes[sc].name, class))
			continue;
		for (size_t i = 0; i < set_classes[sc].count; i++)
			if (set_classes[sc].names[i].bit == bit)
				return set_classes[sc].names[i].name;
	}
	return NULL;
}
