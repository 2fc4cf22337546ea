// SPDX-License-Identifier: GPL-2.0-only
/* lockcctl policy: parse policy files and write them atomically. */
#include "lockcctl.h"

#include <sys/file.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>


int open_rules(void)
{
	return open_map("rules", sizeof(struct lockc_rule_key), sizeof(struct lockc_rule));
}

/*
 * Serialise the commands that rewrite several entries (policy apply): two at
 * once could pick the same fresh ruleset. bpffs directories take flock().
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
};

#define N_PATH_CLASSES (sizeof(path_classes) / sizeof(path_classes[0]))

static const char *path_class_name(enum lockc_rule_class class)
{
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

/*
 * Parse a policy file (the format is in README.md, "Policies"). Its name is
 * the file name without ".policy". Anything a policy does not allow is
 * denied.
 */
static void policy_parse(const char *file, struct parsed_policy *p)
{
	unsigned int switch_line[N_SWITCHES] = { 0 };
	char *copy, *base, *dot, *line = NULL;
	size_t line_size = 0;
	unsigned int lineno = 0;
	FILE *f;

	memset(p, 0, sizeof(*p));
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
		char *text = line, *words[5] = { NULL }, *save;
		enum lockc_verdict verdict;
		size_t nwords = 0, sw, pc;

		lineno++;
		text[strcspn(text, "#")] = '\0';
		strip(&text);
		if (!*text)
			continue;
		for (char *w = strtok_r(text, " \t", &save); w && nwords < 5; w = strtok_r(NULL, " \t", &save))
			words[nwords++] = w;
		if (!parse_verdict(words[0], &verdict))
			fail("%s:%u: a rule starts with 'allow' or 'deny', not '%s'.", file, lineno, words[0]);
		if (nwords < 2)
			fail("%s:%u: '%s' needs what it applies to, such as 'file /usr' or 'syslog'.", file, lineno,
			     words[0]);
		for (sw = 0; sw < N_SWITCHES && strcmp(words[1], switch_classes[sw].name); sw++)
			;
		for (pc = 0; pc < N_PATH_CLASSES && strcmp(words[1], path_classes[pc].name); pc++)
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
		} else {
			fail("%s:%u: unknown rule class '%s'; known: file, bind-mount, volume, syslog, mount, chroot, host-sockets.",
			     file, lineno, words[1]);
		}
	}
	if (ferror(f))
		fail("cannot read %s: %s.", file, strerror(errno));
	free(line);
	fclose(f);

	qsort(p->rules, p->count, sizeof(*p->rules), compare_parsed_rules);
	for (size_t i = 1; i < p->count; i++) {
		const struct parsed_rule *a = &p->rules[i - 1], *b = &p->rules[i];

		if (compare_parsed_rules(a, b) == 0)
			fail("%s:%u: the same %s rule as line %u; a policy states each path once.", file,
			     a->line > b->line ? a->line : b->line, path_class_name(a->key.class),
			     a->line < b->line ? a->line : b->line);
	}
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
	__u32 *ids, *fresh, *referenced, next_free = 1;
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

	/* Write each policy's rules under a ruleset that no policy uses yet. */
	for (int i = 0; i < argc; i++) {
		__u32 ruleset = 1;

		while (ruleset_in(ruleset, &live) || ruleset_in(ruleset, &(struct ruleset_set){ fresh, i }))
			ruleset++;
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
		n += keys[i].ruleset == ruleset;
	return n;
}

static json_t *policy_json(__u32 id, const struct lockc_policy *policy, size_t rules)
{
	json_t *obj = json_pack("{s:i,s:s,s:I}", "id", id, "name", policy->name, "rules", (json_int_t)rules);

	for (size_t i = 0; i < N_SWITCHES; i++)
		json_object_set_new(obj, switch_classes[i].name,
				    json_string(verdict_name(*switch_field((struct lockc_policy *)policy, i))));
	return obj;
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
	if (!json_output) {
		printf("%-4s %-24s %-6s", "ID", "NAME", "RULES");
		for (size_t i = 0; i < N_SWITCHES; i++) {
			char header[32];
			size_t n;

			for (n = 0; switch_classes[i].name[n] && n < sizeof(header) - 1; n++)
				header[n] = toupper((unsigned char)switch_classes[i].name[n]);
			header[n] = '\0';
			printf(" %-*s", i + 1 < N_SWITCHES ? 7 : 0, header);
		}
		printf("\n");
	}
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
		printf("%-4u %-24s %-6zu", key, policy.name, rules);
		for (size_t s = 0; s < N_SWITCHES; s++)
			printf(" %-*s", s + 1 < N_SWITCHES ? 7 : 0, verdict_name(*switch_field(&policy, s)));
		printf("\n");
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
	for (size_t i = 0; i < rule_count; i++)
		if (keys[i].ruleset == policy.ruleset)
			keys[kept++] = keys[i];
	qsort(keys, kept, sizeof(*keys), compare_rule_keys);

	obj = policy_json(id, &policy, kept);
	rule_list = json_array();
	if (!json_output) {
		printf("# policy %s (id %u)\n", policy.name, id);
		for (size_t s = 0; s < N_SWITCHES; s++)
			printf("%s %s\n", verdict_name(*switch_field(&policy, s)), switch_classes[s].name);
	}
	for (size_t i = 0; i < kept; i++) {
		char path[LOCKC_RULE_PATH_MAX + 1];
		struct lockc_rule rule;
		bool exact;

		if (bpf_map_lookup_elem(rules_fd, &keys[i], &rule))
			continue;
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
