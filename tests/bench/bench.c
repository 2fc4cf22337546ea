// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench: the microbenchmarks of `make bench` (tests/bench/guest runs them in
 * the VM). Each operation is a tight loop of one system-call pattern; a run
 * is a warm-up repetition and then REPS timed ones of ITERATIONS each, and
 * prints "OPERATION MEDIAN MIN MAX" in nanoseconds per iteration.
 *
 * The confinement options put the benchmark under the condition to measure
 * and then re-execute it, so that the confinement (lockc's arming, an
 * AppArmor profile) applies from an execve as it does to a workload. --expect
 * checks the outcome of the first iteration: a condition that does not deny
 * what it should measures the wrong thing, and is an error, not a number.
 *
 * Built static, like tests/probe, so that it runs from any directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/landlock.h>

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

#define REPS_MAX 101
#define LANDLOCK_RULES_MAX 128

static const char *prog = "bench";

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bench [-n ITERATIONS] [-r REPS] [-c CPU] [--expect ok|denied]\n"
		"             [--cgroup DIR] [--user UID] [--apparmor PROFILE]\n"
		"             [--landlock PATH=ACCESS]... [--landlock-deny PATH]...\n"
		"             OPERATION [ARG]\n"
		"OPERATION: open FILE | stat FILE | fork | exec PROGRAM | unix-connect SOCKET |\n"
		"           create DIR | true\n"
		"ACCESS: letters r (read), w (write, create, remove), x (execute)\n");
}

enum expectation { EXPECT_ANY, EXPECT_OK, EXPECT_DENIED };

struct options {
	long iterations;
	int reps;
	int cpu;
	enum expectation expect;
	const char *cgroup;
	long uid;
	const char *apparmor;
	const char *landlock[LANDLOCK_RULES_MAX];
	int landlock_count;
	const char *landlock_deny[LANDLOCK_RULES_MAX];
	int landlock_deny_count;
	const char *operation;
	const char *arg;
};

/* The outcome of one iteration: 0, or the errno of the call that failed. */
typedef int (*operation_fn)(const char *arg);

static int op_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_stat(const char *path)
{
	struct stat st;

	return stat(path, &st) ? errno : 0;
}

static int wait_child(pid_t pid)
{
	int status;

	if (pid < 0)
		return errno;
	if (waitpid(pid, &status, 0) != pid)
		return errno;
	if (!WIFEXITED(status))
		return ECHILD;
	/* A child reports the errno its own step failed with as its status. */
	return WEXITSTATUS(status);
}

static int op_fork(const char *unused __attribute__((unused)))
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return wait_child(pid);
}

static int op_exec(const char *program)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(program, program, "true", (char *)NULL);
		_exit(errno);
	}
	return wait_child(pid);
}

static struct sockaddr_un unix_address(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(addr.sun_path))
		die("socket path %s is longer than %zu bytes.", path, sizeof(addr.sun_path) - 1);
	strcpy(addr.sun_path, path);
	return addr;
}

static int op_unix_connect(const char *path)
{
	struct sockaddr_un addr = unix_address(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		err = errno;
	close(fd);
	return err;
}

/* The server of unix-connect: accepts and closes until killed. */
static pid_t unix_server(const char *path)
{
	struct sockaddr_un addr = unix_address(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	pid_t pid;

	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 4096))
		die("cannot listen on %s: %s.", path, strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s.", strerror(errno));
	if (pid == 0) {
		for (;;) {
			int peer = accept(fd, NULL, NULL);

			if (peer >= 0)
				close(peer);
		}
	}
	close(fd);
	return pid;
}

static int op_create(const char *dir)
{
	static const char data[512];
	char path[PATH_MAX];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/file", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	if (write(fd, data, sizeof(data)) != sizeof(data))
		err = errno ? errno : EIO;
	close(fd);
	if (unlink(path) && !err)
		err = errno;
	return err;
}

static const struct {
	const char *name;
	operation_fn fn;
	bool takes_arg;
} operations[] = {
	{ "open", op_open, true },
	{ "stat", op_stat, true },
	{ "fork", op_fork, false },
	{ "exec", op_exec, true },
	{ "unix-connect", op_unix_connect, true },
	{ "create", op_create, true },
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int compare_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void check_outcome(const struct options *o, int err)
{
	switch (o->expect) {
	case EXPECT_OK:
		if (err)
			die("%s %s failed (%s), but this condition must allow it.", o->operation, o->arg ? o->arg : "",
			    strerror(err));
		break;
	case EXPECT_DENIED:
		if (err != EPERM && err != EACCES)
			die("%s %s %s, but this condition must deny it with EPERM or EACCES.", o->operation,
			    o->arg ? o->arg : "", err ? strerror(err) : "succeeded");
		break;
	case EXPECT_ANY:
		break;
	}
}

static void run(const struct options *o, operation_fn fn)
{
	int64_t per_iteration[REPS_MAX];
	pid_t server = 0;

	if (fn == op_unix_connect)
		server = unix_server(o->arg);
	check_outcome(o, fn(o->arg));
	/* Repetition 0 warms caches and is not counted. */
	for (int rep = 0; rep <= o->reps; rep++) {
		int64_t start = now_ns();

		for (long i = 0; i < o->iterations; i++)
			fn(o->arg);
		if (rep > 0)
			per_iteration[rep - 1] = (now_ns() - start) / o->iterations;
	}
	if (server) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
	}
	qsort(per_iteration, o->reps, sizeof(per_iteration[0]), compare_i64);
	printf("%s %lld %lld %lld\n", o->operation, (long long)per_iteration[o->reps / 2], (long long)per_iteration[0],
	       (long long)per_iteration[o->reps - 1]);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != len)
		die("cannot write '%s' to %s: %s.", text, path, strerror(errno));
	close(fd);
}

static __u64 landlock_access(const char *letters, __u64 handled)
{
	__u64 access = 0;

	for (const char *c = letters; *c; c++) {
		switch (*c) {
		case 'r':
			access |= LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
			break;
		case 'w':
			access |= LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
				  LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR |
				  LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
				  LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM |
				  LANDLOCK_ACCESS_FS_TRUNCATE;
			break;
		case 'x':
			access |= LANDLOCK_ACCESS_FS_EXECUTE;
			break;
		default:
			die("Landlock access '%s' has '%c'; use the letters r, w and x.", letters, *c);
		}
	}
	return access & handled;
}

static bool is_below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return strncmp(path, dir, len) == 0 && (path[len] == '/' || (len == 1 && dir[0] == '/'));
}

/*
 * Landlock rules are allow-only and cover whole hierarchies, so a denied path
 * under an allowed one is left out by allowing its siblings instead, down to
 * the denied path. Files made there later are not covered: Landlock's limit.
 */
static void landlock_allow(int ruleset, const char *path, __u64 access, const struct options *o)
{
	struct landlock_path_beneath_attr rule = { .allowed_access = access };
	bool has_denied_below = false;
	DIR *dir;
	struct dirent *entry;

	for (int i = 0; i < o->landlock_deny_count; i++) {
		if (strcmp(o->landlock_deny[i], path) == 0)
			return;
		if (is_below(o->landlock_deny[i], path))
			has_denied_below = true;
	}
	if (!has_denied_below) {
		rule.parent_fd = open(path, O_PATH | O_CLOEXEC);
		if (rule.parent_fd < 0)
			return;	/* a directory this system does not have, as in an image */
		/* A regular file takes only the rights that apply to files. */
		if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) && errno == EINVAL) {
			rule.allowed_access &= LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
					       LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_TRUNCATE;
			if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0))
				die("landlock_add_rule %s: %s.", path, strerror(errno));
		}
		close(rule.parent_fd);
		return;
	}
	dir = opendir(path);
	if (!dir)
		die("cannot list %s to leave a denied path out of the Landlock rules: %s.", path, strerror(errno));
	while ((entry = readdir(dir))) {
		char child[PATH_MAX];

		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		snprintf(child, sizeof(child), "%s%s%s", strcmp(path, "/") ? path : "", "/", entry->d_name);
		landlock_allow(ruleset, child, access, o);
	}
	closedir(dir);
}

static void landlock_apply(const struct options *o)
{
	struct landlock_ruleset_attr attr = { 0 };
	int abi, ruleset;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		die("this kernel runs no Landlock (%s); boot it with landlock in lsm=.", strerror(errno));
	attr.handled_access_fs = ((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1) | (abi >= 2 ? LANDLOCK_ACCESS_FS_REFER : 0) |
				 (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0);
	ruleset = syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0)
		die("landlock_create_ruleset: %s.", strerror(errno));
	for (int i = 0; i < o->landlock_count; i++) {
		char path[PATH_MAX];
		const char *equals = strchr(o->landlock[i], '=');

		if (!equals || equals == o->landlock[i] || (size_t)(equals - o->landlock[i]) >= sizeof(path))
			die("--landlock wants PATH=ACCESS, not '%s'.", o->landlock[i]);
		memcpy(path, o->landlock[i], equals - o->landlock[i]);
		path[equals - o->landlock[i]] = '\0';
		landlock_allow(ruleset, path, landlock_access(equals + 1, attr.handled_access_fs), o);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die("PR_SET_NO_NEW_PRIVS: %s.", strerror(errno));
	if (syscall(SYS_landlock_restrict_self, ruleset, 0))
		die("landlock_restrict_self: %s.", strerror(errno));
	close(ruleset);
}

/* Enter the condition, then execute this program again without the options that did. */
static void confine_and_reexec(const struct options *o, char **argv, int argc)
{
	char *args[argc + 1];
	int n = 0;

	if (o->cgroup) {
		char procs[PATH_MAX];

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", o->cgroup);
		write_file(procs, "0");
	}
	if (o->apparmor) {
		char change[256];
		const char *attr = access("/proc/self/attr/apparmor/exec", F_OK) == 0 ? "/proc/self/attr/apparmor/exec"
										  : "/proc/self/attr/exec";

		snprintf(change, sizeof(change), "exec %s", o->apparmor);
		write_file(attr, change);
	}
	if (o->uid >= 0) {
		gid_t gid = o->uid;

		if (setgroups(1, &gid) || setgid(gid) || setuid(o->uid))
			die("cannot become uid %ld: %s.", o->uid, strerror(errno));
	}
	if (o->landlock_count)
		landlock_apply(o);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--cgroup") == 0 || strcmp(a, "--user") == 0 || strcmp(a, "--apparmor") == 0 ||
		    strcmp(a, "--landlock") == 0 || strcmp(a, "--landlock-deny") == 0) {
			i++;
			continue;
		}
		args[n++] = argv[i];
	}
	args[n] = NULL;
	execv("/proc/self/exe", args);
	die("cannot execute itself again: %s.", strerror(errno));
}

static long number(const char *text, const char *what, long min, long max)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(text, &end, 10);
	if (errno || end == text || *end || value < min || value > max)
		die("%s wants a number from %ld to %ld, not '%s'.", what, min, max, text);
	return value;
}

int main(int argc, char **argv)
{
	struct options o = { .iterations = 1000, .reps = 5, .cpu = -1, .uid = -1 };
	operation_fn fn = NULL;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *opt = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (!value) {
			usage(stderr);
			return 2;
		}
		i++;
		if (strcmp(opt, "-n") == 0)
			o.iterations = number(value, "-n", 1, 100000000);
		else if (strcmp(opt, "-r") == 0)
			o.reps = number(value, "-r", 1, REPS_MAX);
		else if (strcmp(opt, "-c") == 0)
			o.cpu = number(value, "-c", 0, CPU_SETSIZE - 1);
		else if (strcmp(opt, "--expect") == 0 && strcmp(value, "ok") == 0)
			o.expect = EXPECT_OK;
		else if (strcmp(opt, "--expect") == 0 && strcmp(value, "denied") == 0)
			o.expect = EXPECT_DENIED;
		else if (strcmp(opt, "--cgroup") == 0)
			o.cgroup = value;
		else if (strcmp(opt, "--user") == 0)
			o.uid = number(value, "--user", 1, INT32_MAX);
		else if (strcmp(opt, "--apparmor") == 0)
			o.apparmor = value;
		else if (strcmp(opt, "--landlock") == 0 && o.landlock_count < LANDLOCK_RULES_MAX)
			o.landlock[o.landlock_count++] = value;
		else if (strcmp(opt, "--landlock-deny") == 0 && o.landlock_deny_count < LANDLOCK_RULES_MAX)
			o.landlock_deny[o.landlock_deny_count++] = value;
		else {
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	o.operation = argv[i++];
	if (strcmp(o.operation, "true") == 0)
		return 0;	/* the program that `exec` runs */
	for (size_t k = 0; k < sizeof(operations) / sizeof(operations[0]); k++) {
		if (strcmp(operations[k].name, o.operation) == 0) {
			fn = operations[k].fn;
			if (operations[k].takes_arg != (i < argc))
				die("%s %s.", o.operation, operations[k].takes_arg ? "needs an argument" : "takes no argument");
			if (i < argc)
				o.arg = argv[i++];
		}
	}
	if (!fn || i != argc) {
		usage(stderr);
		return 2;
	}
	if (o.cgroup || o.uid >= 0 || o.apparmor || o.landlock_count)
		confine_and_reexec(&o, argv, argc);
	if (o.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("cannot run on CPU %d: %s.", o.cpu, strerror(errno));
	}
	run(&o, fn);
	return 0;
}
