// SPDX-License-Identifier: GPL-2.0-only
/*
 * The OCI hook that registers a container between the runtime's create and
 * the workload's first exec, after checking the mounts of its spec against
 * its policy. Its settings are lockc.conf's (lockcctl-config.c).
 *
 * The runtime performs the spec's bind mounts before this hook runs, and
 * they are not the workload's doing, so no BPF program sees them as
 * confined: `allow volume` rules are checked here, against config.json.
 */
#include "lockcctl.h"

#include <stdarg.h>
#include <sys/stat.h>
#include <syslog.h>

#define ANNOTATION_POLICY "org.lockc.policy"
#define ANNOTATION_MODE "org.lockc.mode"

/* The pod's namespace, as CRI-O and containerd pass it to the runtime. */
static const char *const namespace_annotations[] = {
	"io.kubernetes.pod.namespace",
	"io.kubernetes.cri.sandbox-namespace",
};

/* The pod sandbox's id and the pod's uid, as containerd and CRI-O (and podman's pods) pass them. */
static const char *const sandbox_annotations[] = { "io.kubernetes.cri.sandbox-id", "io.kubernetes.cri-o.SandboxID" };
static const char *const pod_annotations[] = { "io.kubernetes.cri.sandbox-uid", "io.kubernetes.pod.uid" };

static const struct node_config *hook_config;
static char hook_container[LOCKC_NAME_MAX] = "(unknown)";

static void hook_log(int priority, const char *fmt, const char *msg)
{
	openlog("lockc", LOG_PID, LOG_AUTH);
	syslog(priority, fmt, hook_container, msg);
	closelog();
}

static void __attribute__((noreturn)) refuse_container(int priority, const char *msg)
{
	fprintf(stderr, "Error: lockc refuses container %s: %s\n", hook_container, msg);
	hook_log(priority, "container %s refused: %s", msg);
	exit(1);
}

/*
 * An error on the way to a registration: refuse the container, or, where
 * lockc.conf says on-error start-unconfined, let it start and say so.
 */
static void hook_failed(const char *msg)
{
	if (hook_config && hook_config->start_on_error) {
		fprintf(stderr, "Warning: lockc could not register container %s, which starts UNCONFINED "
				"(on-error start-unconfined): %s\n", hook_container, msg);
		hook_log(LOG_WARNING, "container %s starts UNCONFINED (on-error start-unconfined): %s", msg);
		exit(0);
	}
	refuse_container(LOG_ERR, msg);
}

/* A decision, not an error: the container is refused whatever on-error says. */
static void __attribute__((noreturn, format(printf, 1, 2))) hook_refuse(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	refuse_container(LOG_NOTICE, msg);
}

static const char *annotation(json_t *annotations, const char *key)
{
	return json_string_value(json_object_get(annotations, key));
}

/* The value of the first of `keys` that `annotations` has, or NULL. */
static const char *first_annotation(json_t *annotations, const char *const *keys, size_t count)
{
	const char *value = NULL;

	for (size_t i = 0; i < count && !value; i++)
		value = annotation(annotations, keys[i]);
	return value;
}

struct choice {
	char policy[LOCKC_NAME_MAX];
	enum lockc_mode mode;
	char why[128];		/* what chose the policy, for messages */
};

/*
 * Choose policy and mode: from `asks` (the spec's annotations, or Docker's
 * labels, as `asked_by` says), else from the pod's namespace among the
 * spec's `annotations`, else lockc.conf's default.
 */
static void choose(const struct node_config *cfg, json_t *annotations, json_t *asks, const char *asked_by,
		   struct choice *c)
{
	const char *asked = annotation(asks, ANNOTATION_POLICY), *mode = annotation(asks, ANNOTATION_MODE);

	if (asked) {
		if (!valid_name(asked))
			hook_refuse("its %s %s=%s names no policy.", asked_by, ANNOTATION_POLICY, asked);
		for (size_t i = 0; i < cfg->n_forbidden_policies; i++)
			if (strcmp(cfg->forbidden_policies[i], asked) == 0)
				hook_refuse("its %s %s asks for policy '%s', which %s forbids annotations to "
					    "choose (annotation-forbidden-policies).",
					    asked_by, ANNOTATION_POLICY, asked, cfg->file);
		strcpy(c->policy, asked);
		snprintf(c->why, sizeof(c->why), "%s %s", asked_by, ANNOTATION_POLICY);
	} else {
		const char *ns = first_annotation(annotations, namespace_annotations, COUNT(namespace_annotations));

		strcpy(c->policy, cfg->default_policy);
		snprintf(c->why, sizeof(c->why), "default-policy in %s", cfg->file);
		for (size_t i = 0; ns && i < cfg->n_namespaces; i++) {
			if (strcmp(cfg->namespaces[i].key, ns) == 0) {
				strcpy(c->policy, cfg->namespaces[i].value);
				snprintf(c->why, sizeof(c->why), "namespace %.*s in %s", LOCKC_NAME_MAX, ns, cfg->file);
			}
		}
	}

	c->mode = cfg->default_mode;
	if (mode) {
		c->mode = mode_parse(mode);
		if (!c->mode)
			hook_refuse("its %s %s=%s is not enforce, audit or learn.", asked_by, ANNOTATION_MODE, mode);
		if (cfg->forbidden_modes & (1U << c->mode))
			hook_refuse("its %s %s asks for %s mode, which %s forbids annotations to choose "
				    "(annotation-forbidden-modes).",
				    asked_by, ANNOTATION_MODE, mode_name(c->mode), cfg->file);
	}
}

/* Whether a file or directory is root's and no one else may change it. */
static bool root_owned(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && st.st_uid == 0 && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/*
 * The labels of Docker container `id`, or NULL when it is none. Docker
 * before 24 has no --annotation and copies no label into the spec; it keeps
 * them in config.v2.json, in the per-container directory whose hostname
 * file the spec bind-mounts at /etc/hostname (DATA-ROOT/containers/ID/).
 * The file is trusted only where it is Docker's: that directory, named by
 * the container's id, root's and writable by root alone.
 */
static json_t *docker_labels(json_t *spec, const char *id)
{
	char dir[PATH_MAX], file[PATH_MAX + sizeof("/config.v2.json")], *name, *parent;
	json_t *mount, *v2, *labels;
	const char *source = NULL, *v2_id;
	size_t i;

	json_array_foreach(json_object_get(spec, "mounts"), i, mount) {
		const char *target = json_string_value(json_object_get(mount, "destination"));

		if (target && strcmp(target, "/etc/hostname") == 0)
			source = json_string_value(json_object_get(mount, "source"));
	}
	if (!source || source[0] != '/' || strlen(source) >= sizeof(dir))
		return NULL;
	/* DATA-ROOT/containers/ID/hostname */
	strcpy(dir, source);
	name = strrchr(dir, '/');
	if (strcmp(name, "/hostname") != 0)
		return NULL;
	*name = '\0';
	name = strrchr(dir, '/');
	if (!name || name == dir || strcmp(name + 1, id) != 0)
		return NULL;
	*name = '\0';
	parent = strrchr(dir, '/');
	if (strcmp(parent, "/containers") != 0)
		return NULL;
	*name = '/';
	snprintf(file, sizeof(file), "%s/config.v2.json", dir);
	if (!root_owned(dir) || !root_owned(file))
		return NULL;
	v2 = json_load_file(file, 0, NULL);
	if (!v2)
		fail("cannot read Docker's %s for its labels; check the file, or choose the policy by annotation (Docker 24 and later).",
		     file);
	v2_id = json_string_value(json_object_get(v2, "ID"));
	labels = json_object_get(json_object_get(v2, "Config"), "Labels");
	if (!v2_id || strcmp(v2_id, id) != 0 || !json_is_object(labels)) {
		json_decref(v2);
		return NULL;
	}
	json_incref(labels);
	json_decref(v2);
	return labels;
}

/* What the placeholders of volume rules stand for (rule_pattern_problem). */
struct volume_ids {
	const char *container, *sandbox, *pod;
};

/* The verdict of the volume rules on one form of a path; 0 when none matches. */
static enum lockc_verdict volume_verdict(int rules_fd, __u32 ruleset, enum lockc_rule_class class, const char *path)
{
	struct lockc_rule_key key;
	struct lockc_rule rule;

	rule_lookup_key(path, ruleset, class, &key);
	return bpf_map_lookup_elem(rules_fd, &key, &rule) ? 0 : rule.verdict;
}

/* `path` with each component that is `id` written as `placeholder`. */
static void named_form(const char *path, const char *id, const char *placeholder, char *out, size_t size)
{
	size_t used = 0, id_len = strlen(id);

	out[0] = '\0';
	for (const char *c = path; *c && used < size; c = strchrnul(c + 1, '/')) {
		const char *next = strchrnul(c + 1, '/');
		int len = next - (c + 1);
		bool named = (size_t)len == id_len && strncmp(c + 1, id, len) == 0;

		used += snprintf(out + used, size - used, "/%.*s", named ? (int)strlen(placeholder) : len,
				 named ? placeholder : c + 1);
	}
	if (!out[0])
		snprintf(out, size, "/");
}

/*
 * Whether the policy's volume rules of `class` allow host path `path`
 * (canonical). Its forms: the path itself; the path with the container's
 * id written as {container}, with its sandbox's as {sandbox}, with its
 * pod's uid as {pod} (a rule names one of them); and each of those with one
 * component written as "*". A form that a rule denies refuses it; else one
 * that a rule allows allows it. So a rule for Docker's volumes with "*" for
 * the volume's name admits each named volume and not the directory of them
 * all, and `allow volume /var/lib/docker/containers/{container}` the
 * container's own files and no other container's.
 */
static bool volume_allowed(int rules_fd, __u32 ruleset, enum lockc_rule_class class, const char *path,
			   const struct volume_ids *ids)
{
	const char *id_of[] = { NULL, ids->container, ids->sandbox, ids->pod };
	const char *placeholder[] = { NULL, "{container}", "{sandbox}", "{pod}" };
	char base[PATH_MAX], form[PATH_MAX];
	bool allowed = false;

	for (size_t b = 0; b < COUNT(id_of); b++) {
		enum lockc_verdict verdict;

		if (b == 0) {
			snprintf(base, sizeof(base), "%s", path);
		} else {
			if (!id_of[b] || !*id_of[b])
				continue;
			named_form(path, id_of[b], placeholder[b], base, sizeof(base));
			if (strcmp(base, path) == 0)
				continue;
		}
		verdict = volume_verdict(rules_fd, ruleset, class, base);
		if (verdict == LOCKC_VERDICT_DENY)
			return false;
		allowed |= verdict == LOCKC_VERDICT_ALLOW;
		for (const char *c = base; *c; c = strchrnul(c + 1, '/')) {
			snprintf(form, sizeof(form), "%.*s/*%s", (int)(c - base), base, strchrnul(c + 1, '/'));
			verdict = volume_verdict(rules_fd, ruleset, class, form);
			if (verdict == LOCKC_VERDICT_DENY)
				return false;
			allowed |= verdict == LOCKC_VERDICT_ALLOW;
		}
	}
	return allowed;
}

static bool has_option(json_t *mount, const char *wanted)
{
	json_t *option;
	size_t i;

	json_array_foreach(json_object_get(mount, "options"), i, option) {
		const char *o = json_string_value(option);

		if (o && strcmp(o, wanted) == 0)
			return true;
	}
	return false;
}

static bool is_bind_mount(json_t *mount)
{
	const char *type = json_string_value(json_object_get(mount, "type"));

	return (type && strcmp(type, "bind") == 0) || has_option(mount, "bind") || has_option(mount, "rbind");
}

/* Refuse the container if its spec bind-mounts a host path that the policy does not allow. */
static void check_mounts(json_t *spec, const char *bundle, const struct choice *c, const struct volume_ids *own)
{
	struct lockc_policy policy;
	int policies_fd = open_policies(), rules_fd = open_rules();
	__u64 *ids;
	size_t count = sorted_keys(policies_fd, sizeof(__u32), &ids);
	__u32 id = policy_find(policies_fd, ids, count, c->policy);
	json_t *mount;
	size_t i;

	free(ids);
	if (id == LOCKC_POLICY_ID_NONE || bpf_map_lookup_elem(policies_fd, &id, &policy))
		fail("no policy named '%s' (chosen by %s) is loaded; apply it with 'lockcctl policy apply'.",
		     c->policy, c->why);
	json_array_foreach(json_object_get(spec, "mounts"), i, mount) {
		const char *source = json_string_value(json_object_get(mount, "source"));
		const char *target = json_string_value(json_object_get(mount, "destination"));
		char joined[PATH_MAX], real[PATH_MAX];

		if (!is_bind_mount(mount))
			continue;
		if (!source || !*source)
			hook_refuse("its spec has a bind mount at %s without a source.", target ? target : "(none)");
		/* A relative source is relative to the bundle (runtime-spec, "mounts"). */
		if (source[0] != '/') {
			snprintf(joined, sizeof(joined), "%s/%s", bundle, source);
			source = joined;
		}
		/* What the runtime mounted: symlinks resolved, as it resolved them. */
		if (!realpath(source, real))
			hook_refuse("cannot resolve the source %s of its bind mount at %s: %s.", source,
				    target ? target : "(none)", strerror(errno));
		if (!volume_allowed(rules_fd, policy.ruleset, LOCKC_RULE_VOLUME, real, own) &&
		    !(has_option(mount, "ro") &&
		      volume_allowed(rules_fd, policy.ruleset, LOCKC_RULE_VOLUME_READONLY, real, own)))
			hook_refuse("policy '%s' (chosen by %s) does not allow the host path %s mounted at %s; "
				    "remove the mount, add 'allow volume %s' to the policy, or choose another policy.",
				    c->policy, c->why, real, target ? target : "(none)", real);
	}
	close(policies_fd);
	close(rules_fd);
}

/* The cgroup v2 path (below CGROUP_MOUNT) of process `pid`. */
static void cgroup_of_pid(long pid, char *out, size_t size)
{
	char file[64], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *in;

	snprintf(file, sizeof(file), "/proc/%ld/cgroup", pid);
	in = fopen(file, "re");
	if (!in)
		fail("cannot read %s: %s; is the container's init process gone?", file, strerror(errno));
	while (!found && getline(&line, &cap, in) >= 0) {
		if (strncmp(line, "0::/", 4) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, size, "%s%s", CGROUP_MOUNT, line + 3);
			found = true;
		}
	}
	free(line);
	fclose(in);
	if (!found)
		fail("process %ld is in no cgroup v2 cgroup; lockc needs the unified cgroup hierarchy.", pid);
}

/* The spec's root.path, absolute and without symlinks (relative ones are the bundle's). */
static void spec_root_path(json_t *spec, const char *bundle, char *out, size_t size)
{
	const char *root = NULL;
	char joined[PATH_MAX], *resolved;

	if (json_unpack(spec, "{s:{s:s}}", "root", "path", &root) || !*root)
		fail("the spec names no root.path.");
	if (root[0] == '/')
		snprintf(joined, sizeof(joined), "%s", root);
	else
		snprintf(joined, sizeof(joined), "%s/%s", bundle, root);
	resolved = realpath(joined, NULL);
	if (!resolved)
		fail("cannot resolve the container's root %s: %s.", joined, strerror(errno));
	snprintf(out, size, "%s", resolved);
	free(resolved);
}

int do_oci_hook(int argc, char **argv)
{
	struct node_config cfg;
	struct lockc_container entry, replaced;
	struct volume_ids ids;
	struct choice choice;
	char bundle_config[PATH_MAX], cgroup[PATH_MAX], path[PATH_MAX], root[PATH_MAX];
	json_t *state, *spec, *annotations, *labels = NULL;
	struct own_mount_record *own;
	const char *problem;
	size_t own_count;
	__u64 cgroup_id;
	json_error_t jerr;
	const char *id, *bundle;
	json_int_t pid;

	(void)argv;
	if (argc)
		fail("'oci-hook' takes no arguments; the runtime passes the container's state on stdin.");
	/* The container's name first, so that every message can name it. */
	fail_hook = hook_failed;
	state = json_loadf(stdin, 0, &jerr);
	if (!state)
		fail("cannot read the OCI state on stdin: %s (line %d).", jerr.text, jerr.line);
	if (json_unpack_ex(state, &jerr, 0, "{s:s,s:I,s:s}", "id", &id, "pid", &pid, "bundle", &bundle))
		fail("the OCI state on stdin lacks what lockc needs (id, pid, bundle): %s.", jerr.text);
	container_name_of(id, hook_container);
	config_load(&cfg);
	hook_config = &cfg;

	snprintf(bundle_config, sizeof(bundle_config), "%s/config.json", bundle);
	spec = json_load_file(bundle_config, 0, &jerr);
	if (!spec)
		fail("cannot read %s: %s.", bundle_config, jerr.text);
	/* config.json holds what was asked for; the state's copy may be absent. */
	annotations = json_object_get(spec, "annotations");
	if (!json_is_object(annotations))
		annotations = json_object_get(state, "annotations");

	/* No annotation asks: a Docker container's labels may (Docker before 24). */
	if (!annotation(annotations, ANNOTATION_POLICY) && !annotation(annotations, ANNOTATION_MODE))
		labels = docker_labels(spec, id);
	choose(&cfg, annotations, labels ? labels : annotations, labels ? "Docker label" : "annotation", &choice);
	ids.container = id;
	ids.sandbox = first_annotation(annotations, sandbox_annotations, COUNT(sandbox_annotations));
	ids.pod = first_annotation(annotations, pod_annotations, COUNT(pod_annotations));
	check_mounts(spec, bundle, &choice, &ids);
	cgroup_of_pid((long)pid, cgroup, sizeof(cgroup));
	spec_root_path(spec, bundle, root, sizeof(root));
	own_count = own_mounts_read((long)pid, root, &own);
	/*
	 * A container created through lockc-runtime whose spec also carries
	 * the hook from hooks.d is registered twice: the second time is fine.
	 */
	cgroup_id = container_register(cgroup, choice.policy, hook_container, choice.mode, true, path,
				       sizeof(path), &entry, &replaced);
	problem = own_mounts_write(cgroup_id, own, own_count);
	if (problem) {
		registration_undo(cgroup_id, &replaced);
		fail("%s; the container was not registered.", problem);
	}
	free(own);
	hook_log(LOG_INFO, "container %s registered with policy %s", choice.policy);
	json_decref(labels);
	json_decref(spec);
	json_decref(state);
	return 0;
}
