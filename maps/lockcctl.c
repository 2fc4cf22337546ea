// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockcctl: read and write lockc's pinned maps.
 *
 * It only makes bpftool's job convenient and safe: every entry it writes can
 * be read and written with `bpftool map ... pinned /sys/fs/bpf/lockc/maps/...`
 * as well (each map has its page in maps/). On any error it prints one sentence, exits 1 and
 * leaves the maps as they were.
 */
#include "lockcctl.h"

#include <getopt.h>
#include <stdarg.h>
#include <sys/file.h>

const char *pin_dir = DEFAULT_PIN_DIR;
bool json_output;
size_t json_flags = JSON_COMPACT;
void (*fail_hook)(const char *msg);

void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fail_hook)
		fail_hook(msg);
	if (json_output) {
		json_t *err = json_pack("{s:s}", "error", msg);

		json_dumpf(err, stdout, json_flags);
		putchar('\n');
		json_decref(err);
	} else {
		fprintf(stderr, "Error: %s\n", msg);
	}
	exit(1);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: lockcctl [OPTIONS] OBJECT COMMAND\n"
		"       lockcctl container add path CGROUP policy POLICY [name NAME] [mode enforce|audit|learn]\n"
		"       lockcctl container delete { path CGROUP | id CGROUP_ID }\n"
		"       lockcctl container list\n"
		"       lockcctl container forget NAME\n"
		"       lockcctl container adopt path CGROUP policy POLICY [name NAME] [mode enforce|audit|learn]\n"
		"       lockcctl policy apply FILE...\n"
		"       lockcctl policy list\n"
		"       lockcctl policy show POLICY\n"
		"       lockcctl policy names capability|socket|netlink|device\n"
		"       lockcctl policy check FILE...\n"
		"       lockcctl policy suggest CONTAINER [--base POLICY|FILE] [--from FILE]... [--allow-forbidden]\n"
		"       lockcctl events [--follow] [--explain]\n"
		"       lockcctl config show | get SETTING\n"
		"       lockcctl guard apply | list\n"
		"       lockcctl oci-hook              (run by the runtime: OCI state on stdin)\n"
		"       lockcctl upgrade plan OBJECT | carry FROM_DIR MAP... | exchange OTHER_DIR\n"
		"                      | record VERSION SHA256\n"
		"                                      (run by lockc-load)\n"
		"OPTIONS: -j|--json  -p|--pretty  -d|--pin-dir DIR (default $LOCKC_PIN_DIR or %s),\n"
		"         before the object or anywhere after it\n"
		"CGROUP is a cgroup v2 directory, absolute or relative to %s.\n",
		DEFAULT_PIN_DIR, CGROUP_MOUNT);
}

void print_json(json_t *value)
{
	json_dumpf(value, stdout, json_flags | JSON_ENCODE_ANY);
	putchar('\n');
	json_decref(value);
}

/* Open a pinned map and check that it has the shape this lockcctl speaks. */
int open_map(const char *name, __u32 key_size, __u32 value_size)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/maps/%s", pin_dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		fail("cannot open lockc's map %s (%s); load lockc with lockc-load first.",
		     path, strerror(errno));
	if (bpf_map_get_info_by_fd(fd, &info, &info_len))
		fail("cannot read the map info of %s: %s.", path, strerror(errno));
	if (info.key_size != key_size || info.value_size != value_size)
		fail("%s has %u-byte keys and %u-byte values where this lockcctl expects %u and %u; "
		     "use the lockcctl that came with the loaded lockc.",
		     path, info.key_size, info.value_size, key_size, value_size);
	return fd;
}

int open_containers(void)
{
	return open_map("containers", sizeof(__u64), sizeof(struct lockc_container));
}

int open_policies(void)
{
	return open_map("policies", sizeof(__u32), sizeof(struct lockc_policy));
}

/* Names are what admins type and read: keep them to a safe alphabet. */
bool valid_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= LOCKC_NAME_MAX)
		return false;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._:-", *c))
			return false;
	return true;
}

/*
 * The name events and listings show for an engine's container id or cgroup
 * name: a 64-digit id, bare or in an engine's cgroup name
 * ("docker-<id>.scope", "cri-containerd-<id>.scope", "libpod-<id>"),
 * shortened to the 12 digits `docker ps` and `podman ps` show; anything else
 * cut to fit, with characters outside lockc's name alphabet replaced by '_'.
 */
void container_name_of(const char *id, char *out)
{
	const char *dash = strrchr(id, '-'), *hex = dash ? dash + 1 : id;
	size_t len = strlen(id), keep;

	if (strspn(hex, "0123456789abcdef") == 64 && (hex[64] == '\0' || strcmp(hex + 64, ".scope") == 0)) {
		memcpy(out, hex, 12);
		out[12] = '\0';
		return;
	}
	keep = len > LOCKC_NAME_MAX - 1 ? LOCKC_NAME_MAX - 1 : len;
	for (size_t i = 0; i < keep; i++)
		out[i] = isalnum((unsigned char)id[i]) || strchr("._:-", id[i]) ? id[i] : '_';
	out[keep] = '\0';
	if (!keep)
		strcpy(out, "_");
}

const char *verdict_name(enum lockc_verdict verdict)
{
	switch (verdict) {
	case LOCKC_VERDICT_ALLOW:
		return "allow";
	case LOCKC_VERDICT_DENY:
		return "deny";
	}
	return "unset";
}

static int compare_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * The keys of a map in ascending order, so that listings are stable; keys
 * are widened to __u64. Returns the count; *keys_out is malloc'ed.
 */
size_t sorted_keys(int fd, size_t key_size, __u64 **keys_out)
{
	size_t count = 0, cap = 64;
	__u64 *keys = malloc(cap * sizeof(*keys));
	__u32 prev32, next32;
	__u64 prev64, next64;
	void *prev = key_size == sizeof(__u32) ? (void *)&prev32 : (void *)&prev64;
	void *next = key_size == sizeof(__u32) ? (void *)&next32 : (void *)&next64;

	if (!keys)
		fail("out of memory.");
	while (!bpf_map_get_next_key(fd, count ? prev : NULL, next)) {
		if (count == cap) {
			cap *= 2;
			keys = realloc(keys, cap * sizeof(*keys));
			if (!keys)
				fail("out of memory.");
		}
		memcpy(prev, next, key_size);
		keys[count++] = key_size == sizeof(__u32) ? next32 : next64;
	}
	qsort(keys, count, sizeof(*keys), compare_u64);
	*keys_out = keys;
	return count;
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

/* ---- command tables --------------------------------------------------- */

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static int dispatch(const char *object, const struct cmd *cmds, int argc, char **argv)
{
	if (argc < 1)
		fail("'%s' needs a command; run 'lockcctl help'.", object);
	for (const struct cmd *c = cmds; c->name; c++)
		if (strcmp(argv[0], c->name) == 0)
			return c->fn(argc - 1, argv + 1);
	fail("unknown command '%s %s'; run 'lockcctl help'.", object, argv[0]);
}

static const struct cmd container_cmds[] = {
	{ "add", do_container_add },
	{ "delete", do_container_delete },
	{ "list", do_container_list },
	{ "adopt", do_container_adopt },
	{ "forget", do_container_forget },
	{ NULL, NULL },
};

static const struct cmd policy_cmds[] = {
	{ "apply", do_policy_apply },
	{ "list", do_policy_list },
	{ "show", do_policy_show },
	{ "names", do_policy_names },
	{ "check", do_policy_check },
	{ "suggest", do_policy_suggest },
	{ NULL, NULL },
};

static int do_container(int argc, char **argv)
{
	return dispatch("container", container_cmds, argc, argv);
}

static int do_policy(int argc, char **argv)
{
	return dispatch("policy", policy_cmds, argc, argv);
}

static const struct cmd config_cmds[] = {
	{ "show", do_config_show },
	{ "get", do_config_get },
	{ NULL, NULL },
};

static int do_config(int argc, char **argv)
{
	return dispatch("config", config_cmds, argc, argv);
}

static const struct cmd guard_cmds[] = {
	{ "apply", do_guard_apply },
	{ "list", do_guard_list },
	{ NULL, NULL },
};

static int do_guard(int argc, char **argv)
{
	return dispatch("guard", guard_cmds, argc, argv);
}

static const struct cmd upgrade_cmds[] = {
	{ "plan", do_upgrade_plan },
	{ "carry", do_upgrade_carry },
	{ "exchange", do_upgrade_exchange },
	{ "record", do_upgrade_record },
	{ NULL, NULL },
};

static int do_upgrade(int argc, char **argv)
{
	return dispatch("upgrade", upgrade_cmds, argc, argv);
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

static const struct cmd top_cmds[] = {
	{ "container", do_container },
	{ "policy", do_policy },
	{ "events", do_events },
	{ "config", do_config },
	{ "guard", do_guard },
	{ "oci-hook", do_oci_hook },
	{ "upgrade", do_upgrade },
	{ "help", do_help },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "pin-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *env_pin_dir = getenv("LOCKC_PIN_DIR");
	int opt, kept;

	/* The scripts' variable, so that one setting moves the pins for all. */
	if (env_pin_dir && *env_pin_dir)
		pin_dir = env_pin_dir;
	while ((opt = getopt_long(argc, argv, "+jpd:h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json_output = true;
			break;
		case 'p':
			json_output = true;
			json_flags = JSON_INDENT(2);
			break;
		case 'd':
			pin_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	/*
	 * The output options are accepted after the command too, as in the
	 * tools admins know (`lockcctl events --json`); the command sees the
	 * rest of its words.
	 */
	kept = optind + 1;
	for (int i = optind + 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0) {
			json_output = true;
		} else if (strcmp(argv[i], "--pretty") == 0 || strcmp(argv[i], "-p") == 0) {
			json_output = true;
			json_flags = JSON_INDENT(2);
		} else if ((strcmp(argv[i], "--pin-dir") == 0 || strcmp(argv[i], "-d") == 0) && i + 1 < argc) {
			pin_dir = argv[++i];
		} else if (strncmp(argv[i], "--pin-dir=", 10) == 0) {
			pin_dir = argv[i] + 10;
		} else {
			argv[kept++] = argv[i];
		}
	}
	argc = kept;
	return dispatch("lockcctl", top_cmds, argc - optind, argv + optind);
}
