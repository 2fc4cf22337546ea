// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockcctl events: print the denials lockc reports on its "events" ring
 * buffer (and what learning containers do first), as text or JSON lines,
 * and what it had to drop; with --explain, what decided each denial and how
 * to allow it (lockcctl-explain.c).
 *
 * A ring buffer has one read position: two readers split the events between
 * them. Run one reader per node (the journal unit, or an admin's terminal).
 */
#include "lockcctl.h"

#include <arpa/inet.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <bpf/libbpf.h>

const char *const operation_names[] = {
	[LOCKC_OP_OPEN] = "open",
	[LOCKC_OP_OPEN_DETACHED] = "open-detached",
	[LOCKC_OP_MOUNT] = "mount",
	[LOCKC_OP_MOUNT_SYMLINK] = "mount-symlink",
	[LOCKC_OP_UMOUNT] = "umount",
	[LOCKC_OP_REMOUNT] = "remount",
	[LOCKC_OP_MOVE_MOUNT] = "move-mount",
	[LOCKC_OP_MOUNT_OPTION] = "mount-option",
	[LOCKC_OP_PIVOT_ROOT] = "pivot-root",
	[LOCKC_OP_CHROOT] = "chroot",
	[LOCKC_OP_UNIX_CONNECT] = "unix-connect",
	[LOCKC_OP_SYSLOG] = "syslog",
	[LOCKC_OP_EXEC] = "exec",
	[LOCKC_OP_EXEC_MAP] = "exec-map",
	[LOCKC_OP_RUN_AS_ROOT] = "run-as-root",
	[LOCKC_OP_BECOME_ROOT] = "become-root",
	[LOCKC_OP_CAPABILITY] = "capability",
	[LOCKC_OP_SOCKET] = "socket",
	[LOCKC_OP_SIGNAL] = "signal",
	[LOCKC_OP_PTRACE] = "ptrace",
	[LOCKC_OP_BPF] = "bpf",
	[LOCKC_OP_PERF_EVENT] = "perf-event",
	[LOCKC_OP_KEYRING] = "keyring",
	[LOCKC_OP_SET_TIME] = "set-time",
	[LOCKC_OP_KERNEL_LOAD] = "kernel-load",
	[LOCKC_OP_USER_NAMESPACE] = "user-namespace",
	[LOCKC_OP_KERNEL_TUNABLE] = "kernel-tunable",
	[LOCKC_OP_DEVICE] = "device",
	[LOCKC_OP_MKNOD] = "mknod",
	[LOCKC_OP_WRITE] = "write",
	[LOCKC_OP_NET_CONNECT] = "net-connect",
	[LOCKC_OP_NET_SEND] = "net-send",
	[LOCKC_OP_NET_BIND] = "net-bind",
	[LOCKC_OP_NET_LISTEN] = "net-listen",
	[LOCKC_OP_IPC] = "ipc",
	[LOCKC_OP_UNIX_SEND] = "unix-send",
	[LOCKC_OP_WRITE_DETACHED] = "write-detached",
	[LOCKC_OP_SIGIO_OWNER] = "sigio-owner",
	[LOCKC_OP_TASK_CHANGE] = "task-change",
	[LOCKC_OP_EXEC_ANONYMOUS] = "exec-anonymous",
	[LOCKC_OP_MQUEUE] = "mqueue",
};

const size_t operation_count = sizeof(operation_names) / sizeof(operation_names[0]);

const char *const decision_names[] = {
	[LOCKC_DECISION_DENIED] = "denied",
	[LOCKC_DECISION_AUDITED] = "audited",
	[LOCKC_DECISION_LEARNED] = "learned",
	[LOCKC_DECISION_USED] = "used",
};
const size_t decision_count = sizeof(decision_names) / sizeof(decision_names[0]);

static volatile sig_atomic_t stop;
/* --explain: the maps it reads, opened once; -1 without it. */
static int explain_policies_fd = -1, explain_rules_fd = -1;
/* CLOCK_REALTIME minus CLOCK_BOOTTIME, to date the kernel's timestamps. */
static __s64 realtime_offset_ns;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static __s64 clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (__s64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Paths and names come from the workload: anything but printable ASCII (and
 * the space and backslash, which would blur a text line) is written \xNN,
 * so a line can be neither split nor forged, and JSON gets valid UTF-8.
 */
static void sanitize(const char *in, size_t len, char *out, size_t out_size)
{
	size_t o = 0;

	for (size_t i = 0; i < len && in[i] && o + 5 <= out_size; i++) {
		unsigned char c = in[i];

		if (c > ' ' && c < 0x7f && c != '\\')
			out[o++] = c;
		else
			o += snprintf(out + o, out_size - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

static void format_time(__u64 boot_ns, char *out, size_t size)
{
	__s64 real = (__s64)boot_ns + realtime_offset_ns;
	time_t sec = real / 1000000000;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, size - n, ".%03dZ", (int)(real % 1000000000 / 1000000));
}

/* The name of a capability, address family or netlink protocol, or its number. */
static const char *name_or_number(const char *class, unsigned int bit, char number[16])
{
	const char *name = named_bit_name(class, bit);

	if (name)
		return name;
	snprintf(number, 16, "%u", bit);
	return number;
}

/* The event's value as "key=value" for the operations that have one, else "". */
static void describe_value(const struct lockc_event *e, char *out, size_t size)
{
	static const char *const uid_kinds[] = {
		[LOCKC_UID_REAL] = "real", [LOCKC_UID_EFFECTIVE] = "effective",
		[LOCKC_UID_SAVED] = "saved", [LOCKC_UID_FILESYSTEM] = "filesystem",
	};
	static const char *const write_kinds[] = {
		[LOCKC_WRITE_OPEN] = "open", [LOCKC_WRITE_TRUNCATE] = "truncate",
		[LOCKC_WRITE_CREATE] = "create", [LOCKC_WRITE_REMOVE] = "remove",
		[LOCKC_WRITE_RENAME_FROM] = "rename-from", [LOCKC_WRITE_RENAME_TO] = "rename-to",
		[LOCKC_WRITE_LINK_FROM] = "link-from", [LOCKC_WRITE_LINK_TO] = "link-to",
		[LOCKC_WRITE_CHMOD] = "chmod", [LOCKC_WRITE_CHOWN] = "chown", [LOCKC_WRITE_XATTR] = "xattr",
		[LOCKC_WRITE_TIMES] = "times",
	};
	static const char *const task_changes[] = {
		[LOCKC_TASK_NICE] = "nice", [LOCKC_TASK_IOPRIO] = "ioprio", [LOCKC_TASK_SCHEDULER] = "scheduler",
		[LOCKC_TASK_RLIMIT] = "rlimit", [LOCKC_TASK_MEMORY] = "memory", [LOCKC_TASK_PROCFS] = "procfs",
	};
	unsigned int family = e->value >> 16, low = e->value & 0xffff;
	char number[16];

	out[0] = '\0';
	switch (e->operation) {
	case LOCKC_OP_RUN_AS_ROOT:
	case LOCKC_OP_BECOME_ROOT:
		if (e->value < sizeof(uid_kinds) / sizeof(uid_kinds[0]) && uid_kinds[e->value])
			snprintf(out, size, "uid0=%s", uid_kinds[e->value]);
		break;
	case LOCKC_OP_CAPABILITY:
		snprintf(out, size, "capability=%s", name_or_number("capability", e->value, number));
		break;
	case LOCKC_OP_SOCKET:
		if (family == AF_NETLINK)
			snprintf(out, size, "family=netlink protocol=%s", name_or_number("netlink", low, number));
		else
			snprintf(out, size, "family=%s type=%u", name_or_number("socket", family, number), low);
		break;
	case LOCKC_OP_SIGNAL:
		snprintf(out, size, "signal=%u", e->value);
		break;
	case LOCKC_OP_PTRACE:
		snprintf(out, size, "mode=%#x", e->value);
		break;
	case LOCKC_OP_BPF:
		snprintf(out, size, "command=%u", e->value);
		break;
	case LOCKC_OP_KEYRING:
		snprintf(out, size, "permission=%u", e->value);
		break;
	case LOCKC_OP_KERNEL_LOAD:
	case LOCKC_OP_IPC:
		snprintf(out, size, "id=%u", e->value);
		break;
	case LOCKC_OP_TASK_CHANGE:
		if (e->value < sizeof(task_changes) / sizeof(task_changes[0]) && task_changes[e->value])
			snprintf(out, size, "change=%s", task_changes[e->value]);
		break;
	case LOCKC_OP_SIGIO_OWNER:
		snprintf(out, size, "owner=%d", (int)e->value);
		break;
	case LOCKC_OP_WRITE:
	case LOCKC_OP_WRITE_DETACHED:
		if (e->value < sizeof(write_kinds) / sizeof(write_kinds[0]) && write_kinds[e->value])
			snprintf(out, size, "change=%s", write_kinds[e->value]);
		break;
	case LOCKC_OP_NET_CONNECT:
	case LOCKC_OP_NET_SEND:
	case LOCKC_OP_NET_BIND:
	case LOCKC_OP_NET_LISTEN:
		snprintf(out, size, "port=%u", e->value);
		break;
	case LOCKC_OP_DEVICE:
	case LOCKC_OP_MKNOD:
		snprintf(out, size, "device=%u:%u", e->value >> 20, e->value & 0xfffff);
		break;
	default:
		break;
	}
}

/* The binary IP address that the network operations carry, as text. */
static bool inet_detail(const struct lockc_event *e, char *out, size_t size)
{
	int family = e->detail_len == 4 ? AF_INET : e->detail_len == 16 ? AF_INET6 : AF_UNSPEC;

	if (e->operation != LOCKC_OP_NET_CONNECT && e->operation != LOCKC_OP_NET_SEND &&
	    e->operation != LOCKC_OP_NET_BIND)
		return false;
	if (family == AF_UNSPEC || !inet_ntop(family, e + 1, out, size))
		out[0] = '\0';
	return true;
}

static int print_event(void *ctx, void *data, size_t size)
{
	const struct lockc_event *e = data;
	char detail[4 * PATH_MAX + 1], comm[4 * sizeof(e->comm) + 1], name[4 * LOCKC_NAME_MAX + 1];
	char policy[4 * LOCKC_NAME_MAX + 1], when[40], value[64];
	char decided[LOCKC_RULE_PATH_MAX + 32] = "", allow[4 * PATH_MAX + 32] = "";
	const char *op = "unknown", *decision = "unknown";

	(void)ctx;
	if (size < sizeof(*e) || e->detail_len > size - sizeof(*e)) {
		fprintf(stderr, "Warning: skipped a malformed event of %zu bytes.\n", size);
		return 0;
	}
	if (e->operation < operation_count && operation_names[e->operation])
		op = operation_names[e->operation];
	if (e->decision < decision_count && decision_names[e->decision])
		decision = decision_names[e->decision];
	if (!inet_detail(e, detail, sizeof(detail)))
		sanitize((const char *)(e + 1), e->detail_len, detail, sizeof(detail));
	sanitize(e->comm, sizeof(e->comm), comm, sizeof(comm));
	sanitize(e->container_name, sizeof(e->container_name), name, sizeof(name));
	sanitize(e->policy_name, sizeof(e->policy_name), policy, sizeof(policy));
	format_time(e->time_ns, when, sizeof(when));
	describe_value(e, value, sizeof(value));
	if (explain_rules_fd >= 0 && e->decision != LOCKC_DECISION_USED)
		explain_denial(explain_policies_fd, explain_rules_fd, e, detail, decided, sizeof(decided), allow,
			       sizeof(allow));

	if (json_output) {
		json_t *obj = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:I,s:I,s:s}", "time", when, "decision",
					decision, "operation", op, "detail", detail, "container", name, "cgroup_id",
					(json_int_t)e->container, "policy", policy, "pid", (json_int_t)e->pid,
					"tid", (json_int_t)e->tid, "comm", comm);

		/* The number too, which `policy suggest --from` reads back. */
		if (value[0]) {
			json_object_set_new(obj, "value", json_string(value));
			json_object_set_new(obj, "number", json_integer(e->value));
		}
		if (e->suppressed)
			json_object_set_new(obj, "suppressed_before", json_integer(e->suppressed));
		if (decided[0])
			json_object_set_new(obj, "decided_by", json_string(decided));
		if (allow[0])
			json_object_set_new(obj, "allow_with", json_string(allow));
		print_json(obj);
	} else {
		printf("%s %s %s %s container=%s cgroup_id=%llu policy=%s pid=%u tid=%u comm=%s", when, decision, op,
		       detail[0] ? detail : "-", name, (unsigned long long)e->container, policy[0] ? policy : "(missing)",
		       e->pid, e->tid, comm);
		if (value[0])
			printf(" %s", value);
		if (e->suppressed)
			printf(" suppressed_before=%u", e->suppressed);
		putchar('\n');
		if (decided[0])
			printf("  decided by: %s\n", decided);
		if (allow[0])
			printf("  to allow it, add to policy %s: %s\n", policy, allow);
	}
	fflush(stdout);
	return 0;
}

/* The drop counters summed over the CPUs. */
static struct lockc_event_stats read_stats(int fd)
{
	int cpus = libbpf_num_possible_cpus();
	struct lockc_event_stats sum = {}, *per_cpu;
	__u32 zero = 0;

	if (cpus <= 0)
		fail("cannot count this machine's CPUs: %s.", strerror(-cpus));
	per_cpu = calloc(cpus, sizeof(*per_cpu));
	if (!per_cpu)
		fail("out of memory.");
	if (bpf_map_lookup_elem(fd, &zero, per_cpu))
		fail("cannot read lockc's event counters: %s.", strerror(errno));
	for (int i = 0; i < cpus; i++) {
		sum.sent += per_cpu[i].sent;
		sum.rate_limited += per_cpu[i].rate_limited;
		sum.ring_full += per_cpu[i].ring_full;
		sum.no_buffer += per_cpu[i].no_buffer;
	}
	free(per_cpu);
	return sum;
}

/* Report the events dropped between two readings of the counters, if any. */
static void print_drops(const struct lockc_event_stats *then, const struct lockc_event_stats *now, const char *since)
{
	__u64 rate = now->rate_limited - then->rate_limited, full = now->ring_full - then->ring_full,
	      buffer = now->no_buffer - then->no_buffer;

	if (!rate && !full && !buffer)
		return;
	if (json_output)
		print_json(json_pack("{s:{s:I,s:I,s:I},s:s}", "dropped", "rate_limited", (json_int_t)rate,
				     "ring_full", (json_int_t)full, "no_buffer", (json_int_t)buffer, "since", since));
	else
		printf("lockc dropped %llu events %s: %llu over a container's rate limit, %llu with the ring buffer full, %llu with no buffer free\n",
		       (unsigned long long)(rate + full + buffer), since, (unsigned long long)rate,
		       (unsigned long long)full, (unsigned long long)buffer);
	fflush(stdout);
}

int do_events(int argc, char **argv)
{
	struct lockc_event_stats start = {}, then, now;
	bool follow = false, explain = false;
	struct ring_buffer *rb;
	int events_fd, stats_fd, n;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--follow") == 0 || strcmp(argv[i], "-f") == 0)
			follow = true;
		else if (strcmp(argv[i], "--explain") == 0)
			explain = true;
		else
			fail("unknown argument '%s'; 'events' takes --follow and --explain.", argv[i]);
	}
	events_fd = open_map("events", 0, 0);
	if (explain) {
		explain_policies_fd = open_policies();
		explain_rules_fd = open_rules();
	}
	stats_fd = open_map("event_stats", sizeof(__u32), sizeof(struct lockc_event_stats));
	realtime_offset_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);

	libbpf_set_print(NULL);
	rb = ring_buffer__new(events_fd, print_event, NULL, NULL);
	if (!rb)
		fail("cannot map lockc's events ring buffer: %s.", strerror(errno));

	if (!follow) {
		n = ring_buffer__consume(rb);
		if (n < 0)
			fail("cannot read lockc's events: %s.", strerror(-n));
		now = read_stats(stats_fd);
		print_drops(&start, &now, "since it was loaded");
		ring_buffer__free(rb);
		return 0;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	then = read_stats(stats_fd);
	while (!stop) {
		n = ring_buffer__poll(rb, 1000);
		if (n < 0 && n != -EINTR)
			fail("cannot read lockc's events: %s.", strerror(-n));
		now = read_stats(stats_fd);
		print_drops(&then, &now, "while following");
		then = now;
	}
	ring_buffer__free(rb);
	return 0;
}
