// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockc.conf, the node settings (lockc.conf(5)): parsing the file, or the
 * shipped one built in, and `lockcctl config show|get`. The OCI hook and
 * lockc-runtime read them through config_load().
 */
#include "lockcctl.h"

#define DEFAULT_CONFIG "/etc/lockc/lockc.conf"

/* policy-defaults/lockc.conf, as a C string built by the Makefile. */
static const char builtin_config[] =
#include "default-config.h"
	;

static void copy_name(char *dst, const char *src, const char *file, unsigned int line)
{
	if (!valid_name(src))
		fail("%s:%u: '%s' is not a name (1-%d letters, digits or ._:- characters).", file, line, src,
		     LOCKC_NAME_MAX - 1);
	strcpy(dst, src);
}

/*
 * A guard's prefix: a cgroup path prefix from the v2 root ("/kubepods.slice/",
 * "/system.slice/docker-"), or for an exemption a prefix of a cgroup's own
 * name ("libpod-conmon-").
 */
static void guard_add(char (*list)[LOCKC_GUARD_PATH_MAX], size_t *count, const char *prefix, bool tree,
		      const char *file, unsigned int line)
{
	size_t len = strlen(prefix);

	if (*count == 64)
		fail("%s:%u: more than 64 %s lines.", file, line, tree ? "guard" : "guard-exempt");
	if (len >= LOCKC_GUARD_PATH_MAX)
		fail("%s:%u: '%s' is longer than %d bytes.", file, line, prefix, LOCKC_GUARD_PATH_MAX - 1);
	if (tree && (prefix[0] != '/' || len < 2 || strstr(prefix, "//")))
		fail("%s:%u: '%s' is not a cgroup path prefix: it must start with / below the root, "
		     "like /system.slice/docker- (guarding / would confine the whole host).",
		     file, line, prefix);
	if (!tree && strchr(prefix, '/'))
		fail("%s:%u: '%s' is not a cgroup name prefix: it may not contain /.", file, line, prefix);
	for (size_t i = 0; i < *count; i++)
		if (strcmp(list[i], prefix) == 0)
			fail("%s:%u: '%s' is listed twice.", file, line, prefix);
	strcpy(list[(*count)++], prefix);
}

/*
 * Parse lockc.conf. With `only` set, every other setting's line is skipped
 * unread, and nothing is required: `config get runtime` must answer even
 * when a mistake elsewhere in the file stops every container from starting,
 * so that lockc-runtime still passes state, kill and delete through.
 */
static void config_parse(FILE *in, const char *file, const char *only, struct node_config *cfg)
{
	bool seen_policy = false, seen_mode = false, seen_error = false, seen_forbidden_policies = false,
	     seen_forbidden_modes = false, seen_runtime = false, seen_guard_policy = false;
	char *line = NULL, *words[66];
	size_t cap = 0, n;
	unsigned int lineno = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->file = file;
	while (getline(&line, &cap, in) >= 0) {
		char *s = line, *hash = strchr(line, '#'), *save = NULL;

		lineno++;
		if (hash)
			*hash = '\0';
		strip(&s);
		if (!*s)
			continue;
		n = 0;
		for (char *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
			if (n == sizeof(words) / sizeof(words[0]))
				fail("%s:%u: too many words.", file, lineno);
			words[n++] = w;
		}
		if (only && strcmp(words[0], only) != 0)
			continue;
#define ONCE(flag)                                                                           \
	do {                                                                                 \
		if (flag)                                                                    \
			fail("%s:%u: '%s' is set twice.", file, lineno, words[0]);           \
		flag = true;                                                                 \
	} while (0)
#define WANT(count)                                                                          \
	do {                                                                                 \
		if (n != (count) + 1)                                                        \
			fail("%s:%u: '%s' takes %d value%s.", file, lineno, words[0], (count), \
			     (count) == 1 ? "" : "s");                                       \
	} while (0)
		if (strcmp(words[0], "default-policy") == 0) {
			ONCE(seen_policy);
			WANT(1);
			copy_name(cfg->default_policy, words[1], file, lineno);
		} else if (strcmp(words[0], "default-mode") == 0) {
			ONCE(seen_mode);
			WANT(1);
			cfg->default_mode = mode_parse(words[1]);
			if (!cfg->default_mode)
				fail("%s:%u: unknown mode '%s'; expected enforce, audit or learn.", file, lineno, words[1]);
		} else if (strcmp(words[0], "namespace") == 0) {
			WANT(2);
			if (cfg->n_namespaces == sizeof(cfg->namespaces) / sizeof(cfg->namespaces[0]))
				fail("%s:%u: more than %zu namespaces.", file, lineno,
				     sizeof(cfg->namespaces) / sizeof(cfg->namespaces[0]));
			for (size_t i = 0; i < cfg->n_namespaces; i++)
				if (strcmp(cfg->namespaces[i].key, words[1]) == 0)
					fail("%s:%u: namespace %s is mapped twice.", file, lineno, words[1]);
			copy_name(cfg->namespaces[cfg->n_namespaces].key, words[1], file, lineno);
			copy_name(cfg->namespaces[cfg->n_namespaces].value, words[2], file, lineno);
			cfg->n_namespaces++;
		} else if (strcmp(words[0], "annotation-forbidden-policies") == 0) {
			ONCE(seen_forbidden_policies);
			if (n - 1 > sizeof(cfg->forbidden_policies) / sizeof(cfg->forbidden_policies[0]))
				fail("%s:%u: more than %zu policies.", file, lineno,
				     sizeof(cfg->forbidden_policies) / sizeof(cfg->forbidden_policies[0]));
			for (size_t i = 1; i < n; i++)
				copy_name(cfg->forbidden_policies[cfg->n_forbidden_policies++], words[i], file, lineno);
		} else if (strcmp(words[0], "annotation-forbidden-modes") == 0) {
			ONCE(seen_forbidden_modes);
			for (size_t i = 1; i < n; i++) {
				enum lockc_mode mode = mode_parse(words[i]);

				if (!mode)
					fail("%s:%u: unknown mode '%s'; expected enforce, audit or learn.", file,
					     lineno, words[i]);
				if (mode != LOCKC_MODE_ENFORCE)
					cfg->forbidden_modes |= 1U << mode;
			}
		} else if (strcmp(words[0], "on-error") == 0) {
			ONCE(seen_error);
			WANT(1);
			if (strcmp(words[1], "start-unconfined") == 0)
				cfg->start_on_error = true;
			else if (strcmp(words[1], "refuse") != 0)
				fail("%s:%u: on-error is refuse or start-unconfined, not '%s'.", file, lineno,
				     words[1]);
		} else if (strcmp(words[0], "runtime") == 0) {
			ONCE(seen_runtime);
			WANT(1);
			if (strlen(words[1]) >= sizeof(cfg->runtime))
				fail("%s:%u: the runtime's path is too long.", file, lineno);
			strcpy(cfg->runtime, words[1]);
		} else if (strcmp(words[0], "guard") == 0) {
			WANT(1);
			guard_add(cfg->guard_trees, &cfg->n_guard_trees, words[1], true, file, lineno);
		} else if (strcmp(words[0], "guard-exempt") == 0) {
			WANT(1);
			guard_add(cfg->guard_exempt, &cfg->n_guard_exempt, words[1], false, file, lineno);
		} else if (strcmp(words[0], "guard-policy") == 0) {
			ONCE(seen_guard_policy);
			WANT(1);
			copy_name(cfg->guard_policy, words[1], file, lineno);
		} else {
			fail("%s:%u: unknown setting '%s'; known: default-policy, default-mode, namespace, "
			     "annotation-forbidden-policies, annotation-forbidden-modes, on-error, runtime, "
			     "guard, guard-exempt, guard-policy.",
			     file, lineno, words[0]);
		}
#undef ONCE
#undef WANT
	}
	free(line);
	if (!seen_policy && !only)
		fail("%s: no default-policy; every node needs one.", file);
	if (!seen_mode)
		cfg->default_mode = LOCKC_MODE_ENFORCE;
	if (!seen_runtime)
		strcpy(cfg->runtime, "runc");
	if (!seen_guard_policy)
		strcpy(cfg->guard_policy, cfg->default_policy);
}

/* The settings in $LOCKC_CONFIG or /etc/lockc/lockc.conf, else the shipped ones; `only`: see config_parse. */
static void config_read(const char *only, struct node_config *cfg)
{
	const char *file = getenv("LOCKC_CONFIG");
	FILE *in;

	if (!file || !*file)
		file = DEFAULT_CONFIG;
	in = fopen(file, "re");
	if (!in && errno == ENOENT && strcmp(file, DEFAULT_CONFIG) == 0) {
		in = fmemopen((void *)builtin_config, sizeof(builtin_config) - 1, "r");
		file = "(built-in lockc.conf)";
	}
	if (!in)
		fail("cannot read %s: %s.", file, strerror(errno));
	config_parse(in, file, only, cfg);
	fclose(in);
}

void config_load(struct node_config *cfg)
{
	config_read(NULL, cfg);
}

int do_config_show(int argc, char **argv)
{
	struct node_config cfg;

	(void)argv;
	if (argc)
		fail("'config show' takes no arguments.");
	config_load(&cfg);
	if (json_output) {
		json_t *ns = json_object(), *forbidden = json_array(), *modes = json_array();

		for (size_t i = 0; i < cfg.n_namespaces; i++)
			json_object_set_new(ns, cfg.namespaces[i].key, json_string(cfg.namespaces[i].value));
		for (size_t i = 0; i < cfg.n_forbidden_policies; i++)
			json_array_append_new(forbidden, json_string(cfg.forbidden_policies[i]));
		for (enum lockc_mode m = LOCKC_MODE_AUDIT; m <= LOCKC_MODE_LEARN; m++)
			if (cfg.forbidden_modes & (1U << m))
				json_array_append_new(modes, json_string(mode_name(m)));
		json_t *trees = json_array(), *exempt = json_array();

		for (size_t i = 0; i < cfg.n_guard_trees; i++)
			json_array_append_new(trees, json_string(cfg.guard_trees[i]));
		for (size_t i = 0; i < cfg.n_guard_exempt; i++)
			json_array_append_new(exempt, json_string(cfg.guard_exempt[i]));
		print_json(json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:s,s:s,s:o,s:o,s:s}", "file", cfg.file,
				     "default-policy", cfg.default_policy, "default-mode", mode_name(cfg.default_mode),
				     "namespaces", ns, "annotation-forbidden-policies", forbidden,
				     "annotation-forbidden-modes", modes, "on-error",
				     cfg.start_on_error ? "start-unconfined" : "refuse", "runtime", cfg.runtime,
				     "guard", trees, "guard-exempt", exempt, "guard-policy", cfg.guard_policy));
		return 0;
	}
	printf("# from %s\n", cfg.file);
	printf("default-policy %s\n", cfg.default_policy);
	printf("default-mode %s\n", mode_name(cfg.default_mode));
	for (size_t i = 0; i < cfg.n_namespaces; i++)
		printf("namespace %s %s\n", cfg.namespaces[i].key, cfg.namespaces[i].value);
	printf("annotation-forbidden-policies");
	for (size_t i = 0; i < cfg.n_forbidden_policies; i++)
		printf(" %s", cfg.forbidden_policies[i]);
	printf("\nannotation-forbidden-modes");
	for (enum lockc_mode m = LOCKC_MODE_AUDIT; m <= LOCKC_MODE_LEARN; m++)
		if (cfg.forbidden_modes & (1U << m))
			printf(" %s", mode_name(m));
	printf("\n");
	printf("on-error %s\n", cfg.start_on_error ? "start-unconfined" : "refuse");
	printf("runtime %s\n", cfg.runtime);
	for (size_t i = 0; i < cfg.n_guard_trees; i++)
		printf("guard %s\n", cfg.guard_trees[i]);
	for (size_t i = 0; i < cfg.n_guard_exempt; i++)
		printf("guard-exempt %s\n", cfg.guard_exempt[i]);
	printf("guard-policy %s\n", cfg.guard_policy);
	return 0;
}

/*
 * One setting's value alone, for scripts. `runtime` is read from its own
 * line whatever the rest of the file says (see config_parse).
 */
int do_config_get(int argc, char **argv)
{
	struct node_config cfg;

	if (argc != 1)
		fail("'config get' needs one setting: default-policy, default-mode, on-error or runtime.");
	config_read(strcmp(argv[0], "runtime") == 0 ? "runtime" : NULL, &cfg);
	if (strcmp(argv[0], "default-policy") == 0)
		printf("%s\n", cfg.default_policy);
	else if (strcmp(argv[0], "default-mode") == 0)
		printf("%s\n", mode_name(cfg.default_mode));
	else if (strcmp(argv[0], "on-error") == 0)
		printf("%s\n", cfg.start_on_error ? "start-unconfined" : "refuse");
	else if (strcmp(argv[0], "runtime") == 0)
		printf("%s\n", cfg.runtime);
	else
		fail("'config get' knows default-policy, default-mode, on-error and runtime, not '%s'.", argv[0]);
	return 0;
}
