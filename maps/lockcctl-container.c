// SPDX-License-Identifier: GPL-2.0-only
/* lockcctl container: register cgroups as containers. */
#include "lockcctl.h"

#include <dirent.h>
#include <libgen.h>
#include <stdarg.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <linux/magic.h>


#define ROOT_CGROUP_ID 1
/* File handle type of kernfs (cgroup) files, FILEID_KERNFS in the kernel. */
#define FILEID_KERNFS 0xfe

enum lockc_mode mode_parse(const char *word)
{
	if (strcmp(word, "enforce") == 0)
		return LOCKC_MODE_ENFORCE;
	if (strcmp(word, "audit") == 0)
		return LOCKC_MODE_AUDIT;
	if (strcmp(word, "learn") == 0)
		return LOCKC_MODE_LEARN;
	return 0;
}

/* The kernel enforces any value other than audit and learn, and so do the names. */
const char *mode_name(enum lockc_mode mode)
{
	switch (mode) {
	case LOCKC_MODE_AUDIT:
		return "audit";
	case LOCKC_MODE_LEARN:
		return "learn";
	default:
		return "enforce";
	}
}

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
__u64 cgroup_lookup(const char *arg, char *path, size_t path_size, int *level)
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
char *cgroup_path(__u64 id, char *buf, size_t size)
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

/* Whether a registration is one the kernel made under a guard (bpf/guards.h). */
static bool guard_registration(const struct lockc_container *entry)
{
	return strncmp(entry->name, LOCKC_GUARD_NAME_PREFIX, strlen(LOCKC_GUARD_NAME_PREFIX)) == 0;
}

/*
 * Register cgroup `cgroup` (a path, see cgroup_lookup) as container `name`
 * (NULL: one made from the cgroup's last component, see container_name_of)
 * under policy `policy_name`. Fails, changing nothing, if the cgroup is
 * registered already, unless `same_ok` and the registration is this very
 * entry, or the kernel made it under a guard: the node default's
 * registration gives way to a chosen one, in one update, and is returned in
 * `*replaced` (else its name is empty). Returns the cgroup id; its path is
 * left in `path` and the entry in `*entry`.
 */
__u64 container_register(const char *cgroup, const char *policy_name, const char *name, enum lockc_mode mode,
			 bool same_ok, char *path, size_t path_size, struct lockc_container *entry_out,
			 struct lockc_container *replaced)
{
	struct lockc_container entry = { .mode = mode }, existing;
	int level, containers_fd, policies_fd;
	__u64 id, *policy_ids;
	size_t policy_count;
	char *copy;

	memset(replaced, 0, sizeof(*replaced));
	id = cgroup_lookup(cgroup, path, path_size, &level);
	if (level == 0)
		fail("%s is the root cgroup; registering it would confine the whole host.", path);
	if (level > LOCKC_CGROUP_LEVEL_MAX)
		fail("%s is %d levels deep; lockc registers cgroups at most %d levels below the root.",
		     path, level, LOCKC_CGROUP_LEVEL_MAX);

	if (name) {
		if (!valid_name(name))
			fail("the container name '%s' must be 1-%d letters, digits or ._:- characters; choose one with 'name NAME'.",
			     name, LOCKC_NAME_MAX - 1);
		strcpy(entry.name, name);
	} else {
		copy = strdup(path);
		if (!copy)
			fail("out of memory.");
		container_name_of(basename(copy), entry.name);
		free(copy);
	}
	if (guard_registration(&entry))
		fail("the container name '%s' begins with '%s', which names the kernel's guard registrations; choose another with 'name NAME'.",
		     entry.name, LOCKC_GUARD_NAME_PREFIX);

	lock_pin_dir();	/* an upgrade copying the registrations waits for this one */
	policies_fd = open_policies();
	policy_count = sorted_keys(policies_fd, sizeof(__u32), &policy_ids);
	entry.policy_id = policy_find(policies_fd, policy_ids, policy_count, policy_name);
	free(policy_ids);
	if (entry.policy_id == LOCKC_POLICY_ID_NONE)
		fail("no policy named '%s' is loaded; apply it first with 'lockcctl policy apply'.", policy_name);
	close(policies_fd);

	containers_fd = open_containers();
	if (bpf_map_update_elem(containers_fd, &id, &entry, BPF_NOEXIST)) {
		if (errno == E2BIG)
			fail("the containers map is full (%d entries); delete stale registrations first.",
			     LOCKC_CONTAINERS_MAX);
		if (errno != EEXIST || bpf_map_lookup_elem(containers_fd, &id, &existing))
			fail("cannot register cgroup %s: %s.", path, strerror(errno));
		if (guard_registration(&existing)) {
			if (bpf_map_update_elem(containers_fd, &id, &entry, BPF_EXIST))
				fail("cannot replace the guard registration of cgroup %s: %s.", path, strerror(errno));
			*replaced = existing;
		} else if (!same_ok || memcmp(&existing, &entry, sizeof(entry)) != 0) {
			fail("cgroup %s is already registered as '%.*s'; delete it first.", path,
			     LOCKC_NAME_MAX, existing.name);
		}
	}
	close(containers_fd);
	*entry_out = entry;
	return id;
}

/*
 * Take back a registration that cannot be finished: delete it, or put back
 * the guard's registration it replaced, which keeps every task that one
 * armed confined.
 */
void registration_undo(__u64 id, const struct lockc_container *replaced)
{
	int fd = open_containers();

	if (replaced->name[0])
		bpf_map_update_elem(fd, &id, replaced, BPF_ANY);
	else
		bpf_map_delete_elem(fd, &id);
	close(fd);
}

/* The words of 'container add' and 'container adopt'. */
struct registration_args {
	const char *cgroup, *policy, *name;
	enum lockc_mode mode;
};

static void parse_registration(const char *command, int argc, char **argv, struct registration_args *r)
{
	const char *mode = "enforce";

	*r = (struct registration_args){};
	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			fail("'%s' needs a value.", argv[i]);
		if (strcmp(argv[i], "path") == 0)
			r->cgroup = argv[i + 1];
		else if (strcmp(argv[i], "policy") == 0)
			r->policy = argv[i + 1];
		else if (strcmp(argv[i], "name") == 0)
			r->name = argv[i + 1];
		else if (strcmp(argv[i], "mode") == 0)
			mode = argv[i + 1];
		else
			fail("unknown keyword '%s'; expected path, policy, name or mode.", argv[i]);
	}
	if (!r->cgroup || !r->policy)
		fail("'container %s' needs 'path CGROUP' and 'policy POLICY'.", command);
	r->mode = mode_parse(mode);
	if (!r->mode)
		fail("unknown mode '%s'; expected enforce, audit or learn.", mode);
}

int do_container_add(int argc, char **argv)
{
	struct registration_args r;
	struct lockc_container entry, replaced;
	char path[PATH_MAX];
	__u64 id;

	parse_registration("add", argc, argv, &r);
	id = container_register(r.cgroup, r.policy, r.name, r.mode, false, path, sizeof(path), &entry, &replaced);
	if (json_output)
		print_json(json_pack("{s:I,s:s,s:s,s:s,s:s}", "cgroup_id", (json_int_t)id, "cgroup", path, "policy",
				     r.policy, "mode", mode_name(r.mode), "name", entry.name));
	return 0;
}

int do_container_delete(int argc, char **argv)
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
	lock_pin_dir();
	fd = open_containers();
	if (bpf_map_delete_elem(fd, &id))
		fail(errno == ENOENT ? "cgroup %s is not registered." : "cannot unregister cgroup %s: %s.",
		     path, strerror(errno));
	close(fd);
	own_mounts_forget(id);
	return 0;
}

int do_container_list(int argc, char **argv)
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
		printf("%-12s %-16s %-8s %-24s %s\n", "CGROUP_ID", "POLICY", "MODE", "NAME", "CGROUP");
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
			json_array_append_new(list, json_pack("{s:I,s:s?,s:s,s:i,s:s,s:s}", "cgroup_id",
							      (json_int_t)key, "cgroup", cgroup, "policy",
							      policy_name, "policy_id", entry.policy_id, "mode",
							      mode_name(entry.mode), "name", entry.name));
		else
			printf("%-12llu %-16s %-8s %-24s %s\n", (unsigned long long)key, policy_name,
			       mode_name(entry.mode), entry.name, cgroup ? cgroup : "(removed)");
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

/* ---- adopting a running container -------------------------------------- */

/* pidfd_open(2)'s flag for a pidfd that names one thread (Linux 6.9). */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

struct task_list {
	pid_t *tids;
	size_t count, cap;
};

static void task_list_add(struct task_list *list, pid_t tid)
{
	if (list->count == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 64;
		list->tids = realloc(list->tids, list->cap * sizeof(*list->tids));
		if (!list->tids)
			fail("out of memory.");
	}
	list->tids[list->count++] = tid;
}

/* Every thread in cgroup `dir` and below it, from each cgroup.threads. */
static void cgroup_threads(const char *dir, struct task_list *list)
{
	char file[PATH_MAX], sub[PATH_MAX];
	struct dirent *entry;
	long tid;
	FILE *in;
	DIR *d;

	snprintf(file, sizeof(file), "%s/cgroup.threads", dir);
	in = fopen(file, "re");
	if (!in)
		fail("cannot read %s: %s.", file, strerror(errno));
	while (fscanf(in, "%ld", &tid) == 1)
		task_list_add(list, (pid_t)tid);
	fclose(in);
	d = opendir(dir);
	if (!d)
		fail("cannot list cgroup %s: %s.", dir, strerror(errno));
	while ((entry = readdir(d))) {
		if (entry->d_type != DT_DIR || entry->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, entry->d_name);
		cgroup_threads(sub, list);
	}
	closedir(d);
}

static pid_t thread_group_of(pid_t tid)
{
	char file[64], *line = NULL;
	size_t cap = 0;
	pid_t tgid = 0;
	FILE *in;

	snprintf(file, sizeof(file), "/proc/%d/status", tid);
	in = fopen(file, "re");
	if (!in)
		return 0;	/* gone meanwhile */
	while (!tgid && getline(&line, &cap, in) >= 0)
		if (strncmp(line, "Tgid:", 5) == 0)
			tgid = (pid_t)strtol(line + 5, NULL, 10);
	free(line);
	fclose(in);
	return tgid;
}

/*
 * A process the runtime is still setting up: its init (runc's "runc:[2:INIT]",
 * crun waiting for `start`) is the runtime's own binary, not yet the
 * workload, and arming it would confine the runtime's last steps. Told by
 * its command name, since /proc/PID/exe of such a process reads "/" after
 * its pivot_root.
 */
static bool runtime_process(pid_t pid, char *what, size_t size)
{
	static const char *const runtimes[] = { "runc", "crun", "runc_cloned" };
	char file[64], exe[PATH_MAX] = "", comm[32] = "";
	const char *base;
	ssize_t len;
	FILE *in;

	snprintf(file, sizeof(file), "/proc/%d/comm", pid);
	in = fopen(file, "re");
	if (in) {
		if (fgets(comm, sizeof(comm), in))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(in);
	}
	snprintf(file, sizeof(file), "/proc/%d/exe", pid);
	len = readlink(file, exe, sizeof(exe) - 1);
	exe[len > 0 ? len : 0] = '\0';
	base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
	snprintf(what, size, "process %d, %s", pid, comm);
	if (strncmp(comm, "runc:", 5) == 0)
		return true;
	if (strstr(exe, "memfd:runc"))
		return true;	/* runc 1.1's copy of itself */
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		if (strcmp(base, runtimes[i]) == 0 || strcmp(comm, runtimes[i]) == 0)
			return true;
	return false;
}

/*
 * Arm one thread, unless it is armed already (by an exec or an earlier
 * pass). Returns 1 if it was armed now, 0 if it needed nothing, and -1 if
 * this kernel cannot name the thread (pidfds of non-leader threads came in
 * Linux 6.9).
 */
static int arm_thread(int armed_fd, pid_t tid, const struct lockc_task *value)
{
	struct lockc_task existing;
	pid_t tgid = thread_group_of(tid);
	int pidfd, ret = 0;

	if (!tgid)
		return 0;	/* exited */
	pidfd = syscall(SYS_pidfd_open, tid, tid == tgid ? 0 : PIDFD_THREAD);
	if (pidfd < 0) {
		if (errno == ESRCH)
			return 0;
		if (errno == EINVAL && tid != tgid)
			return -1;
		fail("cannot open a pidfd for task %d: %s.", tid, strerror(errno));
	}
	if (bpf_map_lookup_elem(armed_fd, &pidfd, &existing)) {
		if (bpf_map_update_elem(armed_fd, &pidfd, value, BPF_NOEXIST) == 0)
			ret = 1;
		else if (errno != EEXIST && errno != ESRCH)
			fail("cannot arm task %d: %s.", tid, strerror(errno));
	}
	close(pidfd);
	return ret;
}

/*
 * Undo an adoption that cannot be finished: deleting the registration
 * releases what it armed; one that replaced a guard's registration puts the
 * guard's back, which keeps every task it armed confined.
 */
static struct lockc_container adopt_replaced;

static void __attribute__((noreturn, format(printf, 2, 3))) adopt_failed(__u64 id, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	registration_undo(id, &adopt_replaced);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail("%s; the container %s.", msg,
	     adopt_replaced.name[0] ? "keeps its guard registration" : "was not registered");
}

#define ADOPT_PASSES_MAX 16

int do_container_adopt(int argc, char **argv)
{
	struct registration_args r;
	struct task_list tasks = {};
	struct lockc_container entry;
	struct lockc_task value;
	char path[PATH_MAX], what[128];
	int level, armed_fd, pass;
	size_t armed = 0, newly;

	parse_registration("adopt", argc, argv, &r);
	value.container = cgroup_lookup(r.cgroup, path, sizeof(path), &level);
	value.level = level;
	cgroup_threads(path, &tasks);
	for (size_t i = 0; i < tasks.count; i++)
		if (thread_group_of(tasks.tids[i]) == tasks.tids[i] && runtime_process(tasks.tids[i], what, sizeof(what)))
			fail("cgroup %s is still being set up by its runtime (%s); register it before its start "
			     "instead (lockcctl oci-hook, lockc-runtime or 'container add').",
			     path, what);
	armed_fd = open_map("armed_tasks", sizeof(int), sizeof(struct lockc_task));

	/* Registered first: from here on, every exec in the cgroup arms itself. */
	container_register(r.cgroup, r.policy, r.name, r.mode, false, path, sizeof(path), &entry, &adopt_replaced);

	/*
	 * A task forked from a task not yet armed escapes one pass; the next
	 * pass finds it. Children of armed tasks inherit the arming.
	 */
	for (pass = 0; pass < ADOPT_PASSES_MAX; pass++) {
		newly = 0;
		tasks.count = 0;
		cgroup_threads(path, &tasks);
		for (size_t i = 0; i < tasks.count; i++) {
			int ret = arm_thread(armed_fd, tasks.tids[i], &value);

			if (ret < 0)
				adopt_failed(value.container,
					     "task %d is a thread, and this kernel (before Linux 6.9) cannot name a "
					     "thread to arm it; restart the container under a registration instead",
					     tasks.tids[i]);
			newly += ret;
		}
		armed += newly;
		if (!newly)
			break;
	}
	if (pass == ADOPT_PASSES_MAX)
		adopt_failed(value.container, "tasks in %s kept appearing faster than they could be armed", path);
	free(tasks.tids);
	close(armed_fd);
	if (json_output)
		print_json(json_pack("{s:I,s:s,s:s,s:s,s:s,s:I}", "cgroup_id", (json_int_t)value.container, "cgroup",
				     path, "policy", r.policy, "mode", mode_name(r.mode), "name", entry.name, "armed",
				     (json_int_t)armed));
	else
		printf("registered %s as '%s' with policy %s and armed %zu running tasks.\n", path, entry.name,
		       r.policy, armed);
	return 0;
}
