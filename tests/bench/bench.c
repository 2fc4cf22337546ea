// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench: the microbenchmarks of `make bench` (tests/bench/guest runs them in
 * the VM). Each operation is a tight loop of one system-call pattern; a run
 * is a warm-up repetition and then REPS timed ones of ITERATIONS each, and
 * prints "OPERATION MEDIAN MIN MAX" in nanoseconds per iteration. Under
 * QEMU's -icount (tests/bench/run's instruction mode) a guest nanosecond is
 * one emulated instruction, so the same numbers count instructions.
 *
 * -b times each repetition in BATCHES equal parts, and the repetition counts
 * as its median part: work that the kernel left from before (a batch of RCU
 * callbacks, expiring timers) lands in one part as a burst of millions of
 * instructions, which moved a whole repetition by up to 12%, and the median
 * leaves it out.
 *
 * The confinement options put the benchmark under the condition to measure
 * and then re-execute it, so that the confinement (lockc's arming, an
 * AppArmor profile) applies from an execve as it does to a workload. --expect
 * checks the outcome of the first iteration: a condition that does not deny
 * what it should measures the wrong thing, and is an error, not a number.
 *
 * --fifo runs the loops, and every process they start, under SCHED_FIFO:
 * the guest's other tasks (kernel threads, the shell that started the
 * benchmark) then run only between loops, never inside one, and a task that
 * wakes another keeps the CPU until it blocks, so client and server take
 * turns the same way in every repetition. Counting instructions, that took
 * the spread between processes of the same loop from up to 2.4% to 0.4%.
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
#include <netinet/in.h>
#include <sys/mman.h>
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
#define BATCHES_MAX 101
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
		"usage: bench [-n ITERATIONS] [-r REPS] [-b BATCHES] [-c CPU] [--fifo PRIORITY]\n"
		"             [--expect ok|denied]\n"
		"             [--cgroup DIR] [--user UID] [--apparmor PROFILE]\n"
		"             [--landlock PATH=ACCESS]... [--landlock-deny PATH]...\n"
		"             OPERATION [ARG]\n"
		"OPERATION: open FILE | stat FILE | fork | exec PROGRAM | unix-connect SOCKET |\n"
		"           create DIR | rename DIR | unlink DIR | readdir DIR | mmap-exec FILE |\n"
		"           tcp-connect PORT | unix-sendmsg SOCKET | run SCRIPT | true\n"
		"ACCESS: letters r (read), w (write, create, remove), x (execute)\n");
}

enum expectation { EXPECT_ANY, EXPECT_OK, EXPECT_DENIED };

struct options {
	long iterations;
	int reps;
	int batches;
	int cpu;
	int fifo;	/* the SCHED_FIFO priority, or 0 */
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

static struct sockaddr_un unix_address(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(addr.sun_path))
		die("socket path %s is longer than %zu bytes.", path, sizeof(addr.sun_path) - 1);
	strcpy(addr.sun_path, path);
	return addr;
}

/*
 * Connect to the server at ADDR and wait for it to accept and close: client
 * and server then take turns the same way in every iteration, instead of in
 * batches that the scheduler chooses differently from one repetition to the
 * next, and a TCP TIME_WAIT is the server's, so the client's ports never run
 * out.
 */
static int connect_and_wait(int family, const struct sockaddr *addr, socklen_t len)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char byte;
	int err = 0;

	if (fd < 0)
		return errno;
	if (connect(fd, addr, len) || read(fd, &byte, 1) < 0)
		err = errno;
	close(fd);
	return err;
}

static int op_unix_connect(const char *path)
{
	struct sockaddr_un addr = unix_address(path);

	return connect_and_wait(AF_UNIX, (struct sockaddr *)&addr, sizeof(addr));
}

/* The server of a connect operation on the listening socket FD, in a child
 * process: accepts and closes until killed. */
static pid_t serve_forever(int fd)
{
	pid_t pid = fork();

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

static pid_t unix_server(const char *path)
{
	struct sockaddr_un addr = unix_address(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 4096))
		die("cannot listen on %s: %s.", path, strerror(errno));
	return serve_forever(fd);
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

/* rename DIR: DIR/rename-a becomes DIR/rename-b and back, one rename an iteration. */
static bool renamed;

static void prepare_rename(const char *dir, long iterations __attribute__((unused)))
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/rename-b", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/rename-a", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("cannot create %s: %s.", path, strerror(errno));
	close(fd);
	renamed = false;
}

static int op_rename(const char *dir)
{
	char a[PATH_MAX], b[PATH_MAX];

	snprintf(a, sizeof(a), "%s/rename-a", dir);
	snprintf(b, sizeof(b), "%s/rename-b", dir);
	if (renamed ? rename(b, a) : rename(a, b))
		return errno;
	renamed = !renamed;
	return 0;
}

/* unlink DIR: each iteration removes one of the files that the untimed
 * preparation of its repetition made. */
static long unlinked;

static void unlink_path(char *path, size_t size, const char *dir, long n)
{
	snprintf(path, size, "%s/unlink-%ld", dir, n);
}

static void prepare_unlink(const char *dir, long iterations)
{
	char path[PATH_MAX];

	for (long n = 0; n < iterations; n++) {
		int fd;

		unlink_path(path, sizeof(path), dir, n);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			die("cannot create %s: %s.", path, strerror(errno));
		close(fd);
	}
	unlinked = 0;
}

static int op_unlink(const char *dir)
{
	char path[PATH_MAX];

	unlink_path(path, sizeof(path), dir, unlinked++);
	return unlink(path) ? errno : 0;
}

/* readdir DIR: every entry of DIR, as ls and a file server's index read them. */
static int op_readdir(const char *dir)
{
	char entries[32768];
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long got;
	int err = 0;

	if (fd < 0)
		return errno;
	while ((got = syscall(SYS_getdents64, fd, entries, sizeof(entries))) > 0)
		;
	if (got < 0)
		err = errno;
	close(fd);
	return err;
}

/* mmap-exec FILE: map the first page of a program executable, as the loader
 * maps a library. */
static int op_mmap_exec(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *map;
	int err = 0;

	if (fd < 0)
		return errno;
	map = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		err = errno;
	else
		munmap(map, 4096);
	close(fd);
	return err;
}

static struct sockaddr_in loopback_address(const char *port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	addr.sin_port = htons(number(port, "the TCP port", 1, 65535));
	return addr;
}

static int op_tcp_connect(const char *port)
{
	struct sockaddr_in addr = loopback_address(port);

	return connect_and_wait(AF_INET, (struct sockaddr *)&addr, sizeof(addr));
}

static pid_t tcp_server(const char *port)
{
	struct sockaddr_in addr = loopback_address(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 4096))
		die("cannot listen on 127.0.0.1:%s: %s.", port, strerror(errno));
	return serve_forever(fd);
}

/* unix-sendmsg SOCKET: a datagram to the socket bound at SOCKET, by an
 * unconnected socket as syslog(3) sends, received again so that the queue
 * never fills. Both sockets are this process's. */
static int dgram_sender = -1, dgram_receiver = -1;

static void prepare_unix_sendmsg(const char *path, long iterations __attribute__((unused)))
{
	struct sockaddr_un addr = unix_address(path);

	if (dgram_receiver >= 0)
		return;
	unlink(path);
	dgram_receiver = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	dgram_sender = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dgram_receiver < 0 || dgram_sender < 0 || bind(dgram_receiver, (struct sockaddr *)&addr, sizeof(addr)))
		die("cannot bind a datagram socket to %s: %s.", path, strerror(errno));
}

static int op_unix_sendmsg(const char *path)
{
	static const char message[128];
	char received[sizeof(message)];
	struct sockaddr_un addr = unix_address(path);
	struct iovec iov = { .iov_base = (void *)message, .iov_len = sizeof(message) };
	struct msghdr msg = { .msg_name = &addr, .msg_namelen = sizeof(addr), .msg_iov = &iov, .msg_iovlen = 1 };

	if (sendmsg(dgram_sender, &msg, 0) != sizeof(message))
		return errno ? errno : EIO;
	if (recv(dgram_receiver, received, sizeof(received), 0) != sizeof(received))
		return errno ? errno : EIO;
	return 0;
}

/* run SCRIPT: fork, execute SCRIPT (a program or a #! script) and wait; its
 * exit status must be 0. The realistic mixes are such scripts. */
static int op_run(const char *script)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(script, script, (char *)NULL);
		_exit(errno);
	}
	return wait_child(pid);
}

static const struct operation {
	const char *name;
	operation_fn fn;
	bool takes_arg;
	/* Before each repetition, untimed: makes what the loop uses up. */
	void (*prepare)(const char *arg, long iterations);
	/* Before the loop: the process at the other end, killed after it. */
	pid_t (*serve)(const char *arg);
} operations[] = {
	{ "open", op_open, true, NULL, NULL },
	{ "stat", op_stat, true, NULL, NULL },
	{ "fork", op_fork, false, NULL, NULL },
	{ "exec", op_exec, true, NULL, NULL },
	{ "unix-connect", op_unix_connect, true, NULL, unix_server },
	{ "create", op_create, true, NULL, NULL },
	{ "rename", op_rename, true, prepare_rename, NULL },
	{ "unlink", op_unlink, true, prepare_unlink, NULL },
	{ "readdir", op_readdir, true, NULL, NULL },
	{ "mmap-exec", op_mmap_exec, true, NULL, NULL },
	{ "tcp-connect", op_tcp_connect, true, NULL, tcp_server },
	{ "unix-sendmsg", op_unix_sendmsg, true, prepare_unix_sendmsg, NULL },
	{ "run", op_run, true, NULL, NULL },
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

/* The median of `n` values, which it sorts. */
static int64_t median(int64_t *values, int n)
{
	qsort(values, n, sizeof(values[0]), compare_i64);
	return values[n / 2];
}

static void run(const struct options *o, const struct operation *op)
{
	int64_t per_iteration[REPS_MAX], typical;
	pid_t server = op->serve ? op->serve(o->arg) : 0;

	/*
	 * Repetition 0 warms caches and is not counted; its first iteration is
	 * the one whose outcome is checked, so that a loop of one iteration
	 * (the realistic mixes) is not run a third time.
	 */
	for (int rep = 0; rep <= o->reps; rep++) {
		long iterations = o->iterations;
		int batches = o->batches < iterations ? o->batches : iterations;
		int64_t per_batch[BATCHES_MAX];

		if (op->prepare)
			op->prepare(o->arg, iterations);
		if (rep == 0) {
			check_outcome(o, op->fn(o->arg));
			iterations--;
		}
		for (int b = 0; b < batches; b++) {
			/* The iterations shared out: the first batches take one more. */
			long n = iterations / batches + (b < iterations % batches);
			int64_t start = now_ns();

			for (long i = 0; i < n; i++)
				op->fn(o->arg);
			per_batch[b] = n ? (now_ns() - start) / n : 0;
		}
		if (rep > 0)
			per_iteration[rep - 1] = median(per_batch, batches);
	}
	if (server) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
	}
	/* median() sorts them, so that the least and the most are at the ends. */
	typical = median(per_iteration, o->reps);
	printf("%s %lld %lld %lld\n", o->operation, (long long)typical, (long long)per_iteration[0],
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
		    strcmp(a, "--fifo") == 0 || strcmp(a, "--landlock") == 0 || strcmp(a, "--landlock-deny") == 0) {
			i++;
			continue;
		}
		args[n++] = argv[i];
	}
	args[n] = NULL;
	execv("/proc/self/exe", args);
	die("cannot execute itself again: %s.", strerror(errno));
}


int main(int argc, char **argv)
{
	struct options o = { .iterations = 1000, .reps = 5, .batches = 1, .cpu = -1, .uid = -1 };
	const struct operation *op = NULL;
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
		else if (strcmp(opt, "-b") == 0)
			o.batches = number(value, "-b", 1, BATCHES_MAX);
		else if (strcmp(opt, "-c") == 0)
			o.cpu = number(value, "-c", 0, CPU_SETSIZE - 1);
		else if (strcmp(opt, "--fifo") == 0)
			o.fifo = number(value, "--fifo", 1, 99);
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
			op = &operations[k];
			if (op->takes_arg != (i < argc))
				die("%s %s.", o.operation, op->takes_arg ? "needs an argument" : "takes no argument");
			if (i < argc)
				o.arg = argv[i++];
		}
	}
	if (!op || i != argc) {
		usage(stderr);
		return 2;
	}
	/* Before confinement, which may take the privilege to change it: an execve keeps it. */
	if (o.fifo) {
		struct sched_param param = { .sched_priority = o.fifo };

		if (sched_setscheduler(0, SCHED_FIFO, &param))
			die("cannot run under SCHED_FIFO %d: %s.", o.fifo, strerror(errno));
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
	run(&o, op);
	return 0;
}
