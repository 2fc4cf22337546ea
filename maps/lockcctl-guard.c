// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockcctl guard apply|list: the "guards" map (maps/guards.md), written from
 * lockc.conf's guard, guard-exempt and guard-policy lines. lockc-load applies
 * them at every load; an admin who changed lockc.conf runs `guard apply`.
 */
#include "lockcctl.h"

static int open_guards(void)
{
	return open_map("guards", sizeof(struct lockc_guard_key), sizeof(struct lockc_guard));
}

static void guard_key(enum lockc_guard_class class, const char *prefix, struct lockc_guard_key *key)
{
	size_t len = strlen(prefix);

	memset(key, 0, sizeof(*key));
	key->class = class;
	memcpy(key->path, prefix, len);
	key->prefixlen = LOCKC_GUARD_KEY_HEADER_BITS + 8 * len;
}

/* The prefix a key stands for, as lockc.conf writes it (out: LOCKC_GUARD_PATH_MAX + 1 bytes). */
static bool guard_key_prefix(const struct lockc_guard_key *key, char *out)
{
	size_t bits = key->prefixlen;

	if (bits < LOCKC_GUARD_KEY_HEADER_BITS || (bits - LOCKC_GUARD_KEY_HEADER_BITS) % 8 ||
	    bits > LOCKC_GUARD_KEY_HEADER_BITS + 8 * LOCKC_GUARD_PATH_MAX)
		return false;
	bits = (bits - LOCKC_GUARD_KEY_HEADER_BITS) / 8;
	memcpy(out, key->path, bits);
	out[bits] = '\0';
	return true;
}

/* Every key of the map, malloc'ed; the count in *count. */
static struct lockc_guard_key *guard_keys(int fd, size_t *count)
{
	struct lockc_guard_key *keys = NULL, next;
	size_t n = 0;

	while (!bpf_map_get_next_key(fd, n ? &keys[n - 1] : NULL, &next)) {
		keys = realloc(keys, (n + 1) * sizeof(*keys));
		if (!keys)
			fail("out of memory.");
		keys[n++] = next;
	}
	*count = n;
	return keys;
}

static bool wanted(const struct node_config *cfg, const struct lockc_guard_key *key)
{
	char prefix[LOCKC_GUARD_PATH_MAX + 1];
	const char(*list)[LOCKC_GUARD_PATH_MAX] = key->class == LOCKC_GUARD_TREE ? cfg->guard_trees : cfg->guard_exempt;
	size_t n = key->class == LOCKC_GUARD_TREE ? cfg->n_guard_trees : cfg->n_guard_exempt;

	if ((key->class != LOCKC_GUARD_TREE && key->class != LOCKC_GUARD_EXEMPT) || !guard_key_prefix(key, prefix))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], prefix) == 0)
			return true;
	return false;
}

/*
 * Write lockc.conf's guards and remove the others. The policy is checked
 * before anything is written, so a wrong name changes nothing; the entries
 * are written before the stale ones go, so no guard the file keeps is ever
 * missing.
 */
int do_guard_apply(int argc, char **argv)
{
	struct lockc_guard tree = {}, exempt = {};
	struct lockc_guard_key key, *keys;
	struct node_config cfg;
	int fd, policies_fd;
	size_t count;
	__u64 *ids;

	(void)argv;
	if (argc)
		fail("'guard apply' takes no arguments; it reads lockc.conf.");
	config_load(&cfg);
	lock_pin_dir();
	policies_fd = open_policies();
	count = sorted_keys(policies_fd, sizeof(__u32), &ids);
	tree.policy_id = policy_find(policies_fd, ids, count, cfg.guard_policy);
	free(ids);
	close(policies_fd);
	if (tree.policy_id == LOCKC_POLICY_ID_NONE)
		fail("%s names guard-policy '%s', which is not loaded; apply it first with 'lockcctl policy apply', or fix %s.",
		     cfg.file, cfg.guard_policy, cfg.file);
	tree.mode = cfg.default_mode;

	fd = open_guards();
	for (size_t i = 0; i < cfg.n_guard_trees + cfg.n_guard_exempt; i++) {
		bool is_tree = i < cfg.n_guard_trees;
		const char *prefix = is_tree ? cfg.guard_trees[i] : cfg.guard_exempt[i - cfg.n_guard_trees];

		guard_key(is_tree ? LOCKC_GUARD_TREE : LOCKC_GUARD_EXEMPT, prefix, &key);
		if (bpf_map_update_elem(fd, &key, is_tree ? &tree : &exempt, BPF_ANY))
			fail("cannot write guard %s: %s; run 'lockcctl guard apply' again.", prefix, strerror(errno));
	}
	keys = guard_keys(fd, &count);
	for (size_t i = 0; i < count; i++)
		if (!wanted(&cfg, &keys[i]) && bpf_map_delete_elem(fd, &keys[i]) && errno != ENOENT)
			fail("cannot remove a guard that %s no longer lists: %s.", cfg.file, strerror(errno));
	free(keys);
	close(fd);
	if (json_output)
		print_json(json_pack("{s:i,s:i,s:s}", "guards", (int)cfg.n_guard_trees, "exempt",
				     (int)cfg.n_guard_exempt, "policy", cfg.guard_policy));
	return 0;
}

static int compare_guard_keys(const void *a, const void *b)
{
	const struct lockc_guard_key *x = a, *y = b;

	if (x->class != y->class)
		return x->class < y->class ? -1 : 1;
	return strncmp(x->path, y->path, LOCKC_GUARD_PATH_MAX);
}

int do_guard_list(int argc, char **argv)
{
	char prefix[LOCKC_GUARD_PATH_MAX + 1];
	struct lockc_guard_key *keys;
	struct lockc_policy policy;
	struct lockc_guard value;
	int fd, policies_fd;
	json_t *list = json_array();
	size_t count;

	(void)argv;
	if (argc)
		fail("'guard list' takes no arguments.");
	fd = open_guards();
	policies_fd = open_policies();
	keys = guard_keys(fd, &count);
	qsort(keys, count, sizeof(*keys), compare_guard_keys);
	if (!json_output)
		printf("%-8s %-16s %-8s %s\n", "KIND", "POLICY", "MODE", "PREFIX");
	for (size_t i = 0; i < count; i++) {
		const char *kind = keys[i].class == LOCKC_GUARD_TREE ? "guard" : "exempt", *policy_name = "-";

		if (bpf_map_lookup_elem(fd, &keys[i], &value) || !guard_key_prefix(&keys[i], prefix))
			continue;
		if (keys[i].class == LOCKC_GUARD_TREE) {
			policy_name = "(missing)";
			if (!bpf_map_lookup_elem(policies_fd, &value.policy_id, &policy)) {
				policy.name[LOCKC_NAME_MAX - 1] = '\0';
				policy_name = policy.name;
			}
		}
		if (json_output) {
			json_t *entry = json_object();

			json_object_set_new(entry, "kind", json_string(kind));
			json_object_set_new(entry, "prefix", json_string(prefix));
			if (keys[i].class == LOCKC_GUARD_TREE) {
				json_object_set_new(entry, "policy", json_string(policy_name));
				json_object_set_new(entry, "mode", json_string(mode_name(value.mode)));
			}
			json_array_append_new(list, entry);
		} else {
			printf("%-8s %-16s %-8s %s\n", kind, policy_name,
			       keys[i].class == LOCKC_GUARD_TREE ? mode_name(value.mode) : "-", prefix);
		}
	}
	if (json_output)
		print_json(list);
	else
		json_decref(list);
	free(keys);
	close(fd);
	close(policies_fd);
	return 0;
}
