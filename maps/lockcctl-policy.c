// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockcctl policy: apply policy files to the maps atomically, list and show
 * what the maps hold, check files without a map, and name what a class
 * takes. The language itself is lockcctl-policy-file.c.
 */
#include "lockcctl-policy.h"

#include <sys/syscall.h>
#include <linux/membarrier.h>

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
							      parsed[i].policy.name, "rules", (int)parsed[i].stated));
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
		n += keys[i].ruleset == ruleset && !derived_rule_class(keys[i].class);
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

	for (size_t i = 0; i < switch_class_count; i++)
		json_object_set_new(obj, switch_classes[i].name,
				    json_string(verdict_name(*switch_field((struct lockc_policy *)policy, i))));
	for (size_t i = 0; i < set_class_count; i++)
		json_object_set_new(obj, set_classes[i].name, set_json(policy, &set_classes[i]));
	return obj;
}

/* The switch classes a policy allows, comma-separated; "all" or "none". */
static void print_allowed_switches(struct lockc_policy *policy)
{
	size_t allowed = 0;

	for (size_t i = 0; i < switch_class_count; i++)
		allowed += *switch_field(policy, i) == LOCKC_VERDICT_ALLOW;
	if (allowed == 0 || allowed == switch_class_count) {
		printf("%s\n", allowed ? "all" : "none");
		return;
	}
	for (size_t i = 0, n = 0; i < switch_class_count; i++)
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
	/* Pinned and marked directories follow from the rules shown; a policy file has none. */
	for (size_t i = 0; i < rule_count; i++)
		if (keys[i].ruleset == policy.ruleset && !derived_rule_class(keys[i].class))
			keys[kept++] = keys[i];
	qsort(keys, kept, sizeof(*keys), compare_rule_keys);

	obj = policy_json(id, &policy, kept);
	rule_list = json_array();
	if (!json_output) {
		printf("# policy %s (id %u)\n", policy.name, id);
		for (size_t s = 0; s < switch_class_count; s++)
			printf("%s %s\n", verdict_name(*switch_field(&policy, s)), switch_classes[s].name);
		for (size_t s = 0; s < set_class_count; s++)
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
		for (size_t d = 0; d < device_class_count; d++) {
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

		for (sc = 0; sc < set_class_count && strcmp(argv[0], set_classes[sc].name); sc++)
			;
		if (sc == set_class_count)
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

/*
 * Parse policy files as apply would, and touch no map: what an admin runs
 * before shipping a file, and what the host suite tests the parser with.
 */
int do_policy_check(int argc, char **argv)
{
	struct parsed_policy *parsed;
	json_t *list = json_array();

	if (argc < 1)
		fail("'policy check' needs at least one policy file.");
	parsed = calloc(argc, sizeof(*parsed));
	if (!parsed)
		fail("out of memory.");
	/* Every file first: a broken one prints nothing but its error. */
	for (int i = 0; i < argc; i++)
		policy_parse(argv[i], &parsed[i]);
	for (int i = 0; i < argc; i++) {
		if (json_output) {
			json_t *entry = json_object();

			json_object_set_new(entry, "file", json_string(argv[i]));
			json_object_set_new(entry, "policy", json_string(parsed[i].policy.name));
			json_object_set_new(entry, "rules", json_integer(parsed[i].stated));
			json_array_append_new(list, entry);
		} else {
			printf("%s: policy %s, %zu rules\n", argv[i], parsed[i].policy.name, parsed[i].stated);
		}
		free(parsed[i].rules);
	}
	free(parsed);
	if (json_output)
		print_json(list);
	else
		json_decref(list);
	return 0;
}
