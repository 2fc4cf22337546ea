// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockcctl: read and write lockc's pinned maps.
 *
 * It only makes bpftool's job convenient and safe: every entry it writes can
 * be read and written with `bpftool map ... pinned /sys/fs/bpf/lockc/maps/...`
 * as well (each map has its page in maps/). On any error it prints one sentence, exits 1 and
 * leaves the maps as they were.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <jansson.h>
#include <linux/magic.h>

#include "lockc.h"

#define DEFAULT_PIN_DIR "/sys/fs/bpf/lockc"
#define CGROUP_MOUNT "/sys/fs/cgroup"
#define ROOT_CGROUP_ID 1
/* File handle type of kernfs (cgroup) files, FILEID_KERNFS in the kernel. */
#define FILEID_KERNFS 0xfe

static const char *pin_dir = DEFAULT_PIN_DIR;
static bool json_output;
static size_t json_flags = JSON_COMPACT;

static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
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
		"       lockcctl container add path CGROUP policy POLICY [name NAME]\n"
		"       lockcctl container delete { path CGROUP | id CGROUP_ID }\n"
		"       lockcctl container list\n"
		"       lockcctl policy apply FILE...\n"
		"       lockcctl policy list\n"
		"OPTIONS: -j|--json  -p|--pretty  -d|--pin-dir DIR (default %s)\n"
		"CGROUP is a cgroup v2 directory, absolute or relative to %s.\n",
		DEFAULT_PIN_DIR, CGROUP_MOUNT);
}

static void print_json(json_t *value)
{
	json_dumpf(value, stdout, json_flags | JSON_ENCODE_ANY);
	putchar('\n');
	json_decref(value);
}

/* Open a pinned map and check that it has the shape this lockcctl speaks. */
static int open_map(const char *name, __u32 key_size, __u32 value_size)
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

static int open_containers(void)
{
	return open_map("containers", sizeof(__u64), sizeof(struct lockc_container));
}

static int open_policies(void)
{
	return open_map("policies", sizeof(__u32), sizeof(struct lockc_policy));
}

/* Names are what admins type and read: keep them to a safe alphabet. */
static bool valid_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= LOCKC_NAME_MAX)
		return false;
	for (const char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._:-", *c))
			return false;
	return true;
}

static const char *verdict_name(enum lockc_verdict verdict)
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
static size_t sorted_keys(int fd, size_t key_size, __u64 **keys_out)
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

/* ---- cgroups ---------------------------------------------------------- */

static __u64 cgroup_id_of_fd(int fd, const char *path)
{
	struct {
		struct file_handle handle;
		__u64 id;
	} fh = { .handle.handle_bytes = sizeof(__u64) };
	int mount_id;

	if (name_to_handle_at(fd, "", &fh.handle, &mount_id, AT_EMPTY_PATH))
		fail("cannot read the cgroup id of %s: %s.", path, strerror(errno));
	return fh.id;
}

/*
 * Resolve a cgroup directory to its id and its level below the cgroup v2
 * root, walking up with ".." until the root (id 1) is reached.
 */
static __u64 cgroup_lookup(const char *arg, char *path, size_t path_size, int *level)
{
	struct statfs fs;
	__u64 id, parent_id;
	int fd, parent;

	if (arg[0] == '/')
		snprintf(path, path_size, "%s", arg);
	else
		snprintf(path, path_size, "%s/%s", CGROUP_MOUNT, arg);

	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		fail("cannot open cgroup %s: %s.", path, strerror(errno));
	if (fstatfs(fd, &fs) || fs.f_type != CGROUP2_SUPER_MAGIC)
		fail("%s is not a cgroup v2 directory; lockc needs the unified cgroup hierarchy.", path);

	id = cgroup_id_of_fd(fd, path);
	*level = 0;
	for (__u64 cur = id; cur != ROOT_CGROUP_ID; cur = parent_id) {
		parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0)
			fail("cannot open the parent of cgroup %s: %s.", path, strerror(errno));
		close(fd);
		fd = parent;
		parent_id = cgroup_id_of_fd(fd, path);
		if (parent_id == cur)
			fail("cannot reach the root cgroup from %s; run lockcctl in the host's cgroup namespace.",
			     path);
		(*level)++;
	}
	close(fd);
	return id;
}

/* The path of a cgroup id below CGROUP_MOUNT, or NULL if it no longer exists. */
static char *cgroup_path(__u64 id, char *buf, size_t size)
{
	struct {
		struct file_handle handle;
		__u64 id;
	} fh = { .handle.handle_bytes = sizeof(__u64), .handle.handle_type = FILEID_KERNFS, .id = id };
	char link[64];
	ssize_t len;
	int mount_fd, fd;

	mount_fd = open(CGROUP_MOUNT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mount_fd < 0)
		return NULL;
	fd = open_by_handle_at(mount_fd, &fh.handle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(mount_fd);
	if (fd < 0)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, buf, size - 1);
	close(fd);
	if (len < 0)
		return NULL;
	buf[len] = '\0';
	return buf;
}

/* ---- policies --------------------------------------------------------- */

/*
 * Find a policy by name among the ids of the policies map (from
 * sorted_keys); returns its id or LOCKC_POLICY_ID_NONE.
 */
static __u32 policy_find(int fd, const __u64 *ids, size_t count, const char *name)
{
	struct lockc_policy policy;

	for (size_t i = 0; i < count; i++) {
		__u32 id = ids[i];

		if (!bpf_map_lookup_elem(fd, &id, &policy) && strncmp(policy.name, name, LOCKC_NAME_MAX) == 0)
			return id;
	}
	return LOCKC_POLICY_ID_NONE;
}

static void strip(char **start)
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
 * Parse a policy file. Its name is the file name without ".policy". Each
 * line is `VERDICT CLASS`; `#` starts a comment. Classes a policy does not
 * mention are denied.
 */
static void policy_parse(const char *file, struct lockc_policy *policy)
{
	char *copy, *base, *dot, *line = NULL;
	size_t line_size = 0;
	unsigned int lineno = 0;
	bool seen_syslog = false;
	FILE *f;

	memset(policy, 0, sizeof(*policy));
	policy->syslog = LOCKC_VERDICT_DENY;

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
	strcpy(policy->name, base);
	free(copy);

	f = fopen(file, "r");
	if (!f)
		fail("cannot open %s: %s.", file, strerror(errno));
	while (getline(&line, &line_size, f) >= 0) {
		char *text = line, *verdict_word, *class, *extra, *save;
		enum lockc_verdict verdict;

		lineno++;
		text[strcspn(text, "#")] = '\0';
		strip(&text);
		if (!*text)
			continue;
		verdict_word = strtok_r(text, " \t", &save);
		class = strtok_r(NULL, " \t", &save);
		extra = strtok_r(NULL, " \t", &save);
		if (strcmp(verdict_word, "allow") == 0)
			verdict = LOCKC_VERDICT_ALLOW;
		else if (strcmp(verdict_word, "deny") == 0)
			verdict = LOCKC_VERDICT_DENY;
		else
			fail("%s:%u: a rule starts with 'allow' or 'deny', not '%s'.", file, lineno, verdict_word);
		if (!class)
			fail("%s:%u: '%s' needs what it applies to, such as 'syslog'.", file, lineno, verdict_word);
		if (strcmp(class, "syslog") != 0)
			fail("%s:%u: unknown rule class '%s'; known: syslog.", file, lineno, class);
		if (extra)
			fail("%s:%u: unexpected '%s' after '%s %s'.", file, lineno, extra, verdict_word, class);
		if (seen_syslog)
			fail("%s:%u: a second syslog rule; a policy states each class once.", file, lineno);
		seen_syslog = true;
		policy->syslog = verdict;
	}
	if (ferror(f))
		fail("cannot read %s: %s.", file, strerror(errno));
	free(line);
	fclose(f);
}

static int do_policy_apply(int argc, char **argv)
{
	struct lockc_policy *parsed;
	__u32 *ids, next_free = 1;
	__u64 *existing;
	size_t used, fresh = 0;
	int fd;

	if (argc < 1)
		fail("'policy apply' needs at least one policy file.");
	parsed = calloc(argc, sizeof(*parsed));
	ids = calloc(argc, sizeof(*ids));
	if (!parsed || !ids)
		fail("out of memory.");

	/* Parse everything first: a single error leaves the maps untouched. */
	for (int i = 0; i < argc; i++) {
		policy_parse(argv[i], &parsed[i]);
		for (int j = 0; j < i; j++)
			if (strcmp(parsed[i].name, parsed[j].name) == 0)
				fail("%s and %s both define policy '%s'.", argv[j], argv[i], parsed[i].name);
	}

	fd = open_policies();
	used = sorted_keys(fd, sizeof(__u32), &existing);
	for (int i = 0; i < argc; i++) {
		ids[i] = policy_find(fd, existing, used, parsed[i].name);
		if (ids[i] == LOCKC_POLICY_ID_NONE)
			fresh++;
	}
	if (used + fresh > LOCKC_POLICIES_MAX)
		fail("the policies map holds %zu of %d policies and %zu more do not fit.",
		     used, LOCKC_POLICIES_MAX, fresh);

	/*
	 * Each policy is one map value, replaced in one update, so a container
	 * sees either the old or the new policy, never a mix. New policies take
	 * the lowest free ids; BPF_NOEXIST keeps a concurrent lockcctl from
	 * taking the same id.
	 */
	for (int i = 0; i < argc; i++) {
		if (ids[i] != LOCKC_POLICY_ID_NONE) {
			if (bpf_map_update_elem(fd, &ids[i], &parsed[i], BPF_EXIST))
				fail("cannot update policy '%s': %s.", parsed[i].name, strerror(errno));
			continue;
		}
		for (;; next_free++) {
			if (next_free > LOCKC_POLICIES_MAX * 2)
				fail("no free policy id for '%s'.", parsed[i].name);
			if (!bpf_map_update_elem(fd, &next_free, &parsed[i], BPF_NOEXIST))
				break;
			if (errno != EEXIST)
				fail("cannot add policy '%s': %s.", parsed[i].name, strerror(errno));
		}
		ids[i] = next_free;
	}

	if (json_output) {
		json_t *list = json_array();

		for (int i = 0; i < argc; i++)
			json_array_append_new(list, json_pack("{s:i,s:s}", "id", ids[i], "name", parsed[i].name));
		print_json(list);
	}
	free(parsed);
	free(ids);
	free(existing);
	close(fd);
	return 0;
}

static int do_policy_list(int argc, char **argv)
{
	struct lockc_policy policy;
	json_t *list = json_array();
	size_t count;
	__u64 *ids;
	int fd;

	(void)argv;
	if (argc)
		fail("'policy list' takes no arguments.");
	fd = open_policies();
	count = sorted_keys(fd, sizeof(__u32), &ids);
	if (!json_output)
		printf("%-4s %-24s %s\n", "ID", "NAME", "SYSLOG");
	for (size_t i = 0; i < count; i++) {
		__u32 key = ids[i];

		if (bpf_map_lookup_elem(fd, &key, &policy))
			continue;
		policy.name[LOCKC_NAME_MAX - 1] = '\0';
		if (json_output)
			json_array_append_new(list, json_pack("{s:i,s:s,s:s}", "id", key, "name", policy.name,
							      "syslog", verdict_name(policy.syslog)));
		else
			printf("%-4u %-24s %s\n", key, policy.name, verdict_name(policy.syslog));
	}
	if (json_output)
		print_json(list);
	else
		json_decref(list);
	free(ids);
	close(fd);
	return 0;
}

/* ---- containers ------------------------------------------------------- */

static int do_container_add(int argc, char **argv)
{
	const char *cgroup = NULL, *policy_name = NULL, *name = NULL;
	struct lockc_container entry = {}, existing;
	char path[PATH_MAX], *copy;
	int level, containers_fd, policies_fd;
	__u64 id, *policy_ids;
	size_t policy_count;

	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			fail("'%s' needs a value.", argv[i]);
		if (strcmp(argv[i], "path") == 0)
			cgroup = argv[i + 1];
		else if (strcmp(argv[i], "policy") == 0)
			policy_name = argv[i + 1];
		else if (strcmp(argv[i], "name") == 0)
			name = argv[i + 1];
		else
			fail("unknown keyword '%s'; expected path, policy or name.", argv[i]);
	}
	if (!cgroup || !policy_name)
		fail("'container add' needs 'path CGROUP' and 'policy POLICY'.");

	id = cgroup_lookup(cgroup, path, sizeof(path), &level);
	if (level == 0)
		fail("%s is the root cgroup; registering it would confine the whole host.", path);
	if (level > LOCKC_CGROUP_LEVEL_MAX)
		fail("%s is %d levels deep; lockc registers cgroups at most %d levels below the root.",
		     path, level, LOCKC_CGROUP_LEVEL_MAX);

	copy = strdup(path);
	if (!copy)
		fail("out of memory.");
	if (!name)
		name = basename(copy);
	if (!valid_name(name))
		fail("the container name '%s' must be 1-%d letters, digits or ._:- characters; choose one with 'name NAME'.",
		     name, LOCKC_NAME_MAX - 1);
	strcpy(entry.name, name);
	free(copy);

	policies_fd = open_policies();
	policy_count = sorted_keys(policies_fd, sizeof(__u32), &policy_ids);
	entry.policy_id = policy_find(policies_fd, policy_ids, policy_count, policy_name);
	free(policy_ids);
	if (entry.policy_id == LOCKC_POLICY_ID_NONE)
		fail("no policy named '%s' is loaded; apply it first with 'lockcctl policy apply'.", policy_name);
	close(policies_fd);

	containers_fd = open_containers();
	if (bpf_map_update_elem(containers_fd, &id, &entry, BPF_NOEXIST)) {
		if (errno == EEXIST && !bpf_map_lookup_elem(containers_fd, &id, &existing))
			fail("cgroup %s is already registered as '%.*s'; delete it first.", path,
			     LOCKC_NAME_MAX, existing.name);
		if (errno == E2BIG)
			fail("the containers map is full (%d entries); delete stale registrations first.",
			     LOCKC_CONTAINERS_MAX);
		fail("cannot register cgroup %s: %s.", path, strerror(errno));
	}
	close(containers_fd);
	if (json_output)
		print_json(json_pack("{s:I,s:s,s:s,s:s}", "cgroup_id", (json_int_t)id, "cgroup", path,
				     "policy", policy_name, "name", entry.name));
	return 0;
}

static int do_container_delete(int argc, char **argv)
{
	char path[PATH_MAX] = "", *end;
	int level, fd;
	__u64 id;

	if (argc != 2)
		fail("'container delete' needs 'path CGROUP' or 'id CGROUP_ID'.");
	if (strcmp(argv[0], "path") == 0) {
		id = cgroup_lookup(argv[1], path, sizeof(path), &level);
	} else if (strcmp(argv[0], "id") == 0) {
		errno = 0;
		id = strtoull(argv[1], &end, 10);
		if (errno || *end || !*argv[1])
			fail("'%s' is not a cgroup id.", argv[1]);
		snprintf(path, sizeof(path), "id %llu", (unsigned long long)id);
	} else {
		fail("unknown keyword '%s'; expected path or id.", argv[0]);
	}
	fd = open_containers();
	if (bpf_map_delete_elem(fd, &id))
		fail(errno == ENOENT ? "cgroup %s is not registered." : "cannot unregister cgroup %s: %s.",
		     path, strerror(errno));
	close(fd);
	return 0;
}

static int do_container_list(int argc, char **argv)
{
	int containers_fd, policies_fd;
	struct lockc_container entry;
	struct lockc_policy policy;
	json_t *list = json_array();
	char path[PATH_MAX];
	size_t count;
	__u64 *ids;

	(void)argv;
	if (argc)
		fail("'container list' takes no arguments.");
	containers_fd = open_containers();
	policies_fd = open_policies();
	if (!json_output)
		printf("%-12s %-16s %-24s %s\n", "CGROUP_ID", "POLICY", "NAME", "CGROUP");
	count = sorted_keys(containers_fd, sizeof(__u64), &ids);
	for (size_t i = 0; i < count; i++) {
		const char *cgroup, *policy_name = "(missing)";
		__u64 key = ids[i];

		if (bpf_map_lookup_elem(containers_fd, &key, &entry))
			continue;
		entry.name[LOCKC_NAME_MAX - 1] = '\0';
		if (!bpf_map_lookup_elem(policies_fd, &entry.policy_id, &policy)) {
			policy.name[LOCKC_NAME_MAX - 1] = '\0';
			policy_name = policy.name;
		}
		cgroup = cgroup_path(key, path, sizeof(path));
		if (json_output)
			json_array_append_new(list, json_pack("{s:I,s:s?,s:s,s:i,s:s}", "cgroup_id", (json_int_t)key,
							      "cgroup", cgroup, "policy", policy_name,
							      "policy_id", entry.policy_id, "name", entry.name));
		else
			printf("%-12llu %-16s %-24s %s\n", (unsigned long long)key, policy_name, entry.name,
			       cgroup ? cgroup : "(removed)");
	}
	if (json_output)
		print_json(list);
	else
		json_decref(list);
	free(ids);
	close(containers_fd);
	close(policies_fd);
	return 0;
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
	{ NULL, NULL },
};

static const struct cmd policy_cmds[] = {
	{ "apply", do_policy_apply },
	{ "list", do_policy_list },
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
	int opt;

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
	return dispatch("lockcctl", top_cmds, argc - optind, argv + optind);
}
