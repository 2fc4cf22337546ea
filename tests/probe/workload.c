// SPDX-License-Identifier: GPL-2.0-only
/*
 * workload: what an ordinary program does, for the VM suites to run in a
 * confined container, where none of it may be refused (no false positives).
 * Built static so that it runs in any rootfs. Prints "workload ok" and exits
 * 0, or prints "workload: STEP: strerror" for the first failure and exits 1.
 * Its files live in /tmp, named after its pid, and are removed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define THREADS 4
/* Longer than any step takes: a step that hangs is reported, not waited for. */
#define TIMEOUT_SECONDS 30

/*
 * The step running, and the first failure: its step and call, errno and why
 * when no errno says it. Threads fail too, at the same time.
 */
static const char *step;
static pthread_mutex_t failure_lock = PTHREAD_MUTEX_INITIALIZER;
static char failed[64];
static int failed_err;
static const char *failed_reason;

static int record(const char *call, int err, const char *why)
{
	/* A short read or write sets no errno; it still failed. */
	err = err ? err : EIO;
	pthread_mutex_lock(&failure_lock);
	if (!failed[0]) {
		snprintf(failed, sizeof(failed), "%s %s", step, call);
		failed_err = err;
		failed_reason = why;
	}
	pthread_mutex_unlock(&failure_lock);
	return err;
}

static int fail(const char *call, int err)
{
	return record(call, err, NULL);
}

static int fail_because(const char *call, const char *why)
{
	return record(call, EINVAL, why);
}

/* Up to n bytes, fewer only at end of file: sockets and pipes deliver in pieces. */
static ssize_t read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += r;
	}
	return done;
}

static int write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, (const char *)buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += w;
	}
	return 0;
}

/* Send msg on `to`, then expect it back on `from`, whole and unchanged. */
static int send_and_expect(int to, int from, const char *msg)
{
	char buf[64];
	size_t n = strlen(msg);
	ssize_t got;

	if (write_full(to, msg, n))
		return fail("write", errno);
	got = read_full(from, buf, n);
	if (got < 0)
		return fail("read", errno);
	if ((size_t)got != n || memcmp(buf, msg, n))
		return fail_because("read", "the bytes sent did not arrive");
	return 0;
}

static void tmp_path(char *path, size_t size, const char *suffix)
{
	snprintf(path, size, "/tmp/workload.%d.%s", (int)getpid(), suffix);
}

/* Write data to a new file at path, then read it back and compare. */
static int write_read_back(const char *path, const char *data)
{
	char buf[64];
	size_t n = strlen(data);
	ssize_t got;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return fail("open", errno);
	if (write_full(fd, data, n)) {
		close(fd);
		return fail("write", errno);
	}
	got = pread(fd, buf, sizeof(buf), 0);
	close(fd);
	if (got < 0)
		return fail("pread", errno);
	if ((size_t)got != n || memcmp(buf, data, n))
		return fail_because("pread", "the file does not hold what was written");
	return 0;
}

/* ---- the steps ------------------------------------------------------------ */

static int ids_and_clock(void)
{
	struct timespec delay = { 0, 10 * 1000 * 1000 }, before, after;
	long elapsed;

	/* getppid() is 0 for the first process of a pid namespace: not checked. */
	if (getpid() <= 0)
		return fail_because("getpid", "not a pid");
	getppid();
	if (clock_gettime(CLOCK_MONOTONIC, &before))
		return fail("clock_gettime", errno);
	while (nanosleep(&delay, &delay))
		if (errno != EINTR)
			return fail("nanosleep", errno);
	if (clock_gettime(CLOCK_MONOTONIC, &after))
		return fail("clock_gettime", errno);
	elapsed = (after.tv_sec - before.tv_sec) * 1000000000L + after.tv_nsec - before.tv_nsec;
	if (elapsed < 10 * 1000 * 1000)
		return fail_because("nanosleep", "returned before 10 ms");
	return 0;
}

/*
 * fork + execve of the shell. The child sends execve's errno back on a
 * close-on-exec pipe, so that a refused exec reads as its errno rather than
 * as some exit status.
 */
static int fork_exec(void)
{
	static char exit_status[32];
	int fds[2], status, err = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return fail("pipe2", errno);
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(fds[0]);
		close(fds[1]);
		return fail("fork", err);
	}
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);
		err = errno;
		_exit(write(fds[1], &err, sizeof(err)) == sizeof(err) ? 127 : 126);
	}
	close(fds[1]);
	n = read_full(fds[0], &err, sizeof(err));
	close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid", errno);
	if (n == sizeof(err))
		return fail("execve", err);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 7)
		return 0;
	snprintf(exit_status, sizeof(exit_status), "status %#x, not exit 7", status);
	return fail_because("waitpid", exit_status);
}

/* A message down one pipe to a child, and back up another. */
static int pipe_to_child(void)
{
	int down[2], up[2], status, err;
	pid_t pid;

	if (pipe2(down, O_CLOEXEC))
		return fail("pipe2", errno);
	if (pipe2(up, O_CLOEXEC)) {
		err = errno;
		close(down[0]);
		close(down[1]);
		return fail("pipe2", err);
	}
	pid = fork();
	if (pid == 0) {
		char buf[5];

		close(down[1]);
		close(up[0]);
		_exit(read_full(down[0], buf, sizeof(buf)) == sizeof(buf) && !write_full(up[1], buf, sizeof(buf)) ? 0 : 1);
	}
	err = pid < 0 ? fail("fork", errno) : 0;
	close(down[0]);
	close(up[1]);
	if (!err)
		err = send_and_expect(down[1], up[0], "hello");
	close(down[1]);
	close(up[0]);
	if (pid > 0 && waitpid(pid, &status, 0) < 0 && !err)
		err = fail("waitpid", errno);
	return err;
}

struct thread_file {
	pthread_t thread;
	int n;
	int err;
};

static void *thread_file(void *arg)
{
	struct thread_file *t = arg;
	char path[64], data[32];

	tmp_path(path, sizeof(path), "thread");
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "%d", t->n);
	snprintf(data, sizeof(data), "written by thread %d\n", t->n);
	t->err = write_read_back(path, data);
	if (unlink(path) && !t->err)
		t->err = fail("unlink", errno);
	return NULL;
}

/* Threads each with a file of their own, at the same time. */
static int thread_files(void)
{
	struct thread_file threads[THREADS];
	int err = 0;

	for (int i = 0; i < THREADS; i++) {
		threads[i].n = i;
		threads[i].err = 0;
		err = pthread_create(&threads[i].thread, NULL, thread_file, &threads[i]);
		if (err) {
			fail("pthread_create", err);
			while (i--)
				pthread_join(threads[i].thread, NULL);
			return err;
		}
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(threads[i].thread, NULL);
		if (!err)
			err = threads[i].err;
	}
	return err;
}

/* The safe way to replace a file: write a new one, fsync, rename over. */
static int tmp_file(void)
{
	static const char data[] = "a file in /tmp\n";
	char path[64], renamed[64];
	int fd, err = 0;

	tmp_path(path, sizeof(path), "new");
	tmp_path(renamed, sizeof(renamed), "renamed");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail("open", errno);
	if (write_full(fd, data, sizeof(data) - 1))
		err = fail("write", errno);
	else if (fsync(fd))
		err = fail("fsync", errno);
	close(fd);
	if (!err && rename(path, renamed))
		err = fail("rename", errno);
	if (err) {
		unlink(path);
		return err;
	}
	fd = open(renamed, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		err = fail("open", errno);
	else
		close(fd);
	if (unlink(renamed) && !err)
		err = fail("unlink", errno);
	return err;
}

/* The start of a file, NUL-terminated; an empty file counts as a failure. */
static int read_start(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return fail(path, errno);
	n = read_full(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return fail(path, errno);
	if (n == 0)
		return fail_because(path, "empty");
	buf[n] = '\0';
	return 0;
}

static int read_etc(void)
{
	char buf[4096];

	return read_start("/etc/passwd", buf, sizeof(buf)) ?: read_start("/etc/hosts", buf, sizeof(buf));
}

/*
 * "localhost" from /etc/hosts, read here the way glibc's "files" service
 * reads it. getaddrinfo() is not used: in a static binary, glibc resolves a
 * name through NSS modules that it dlopen()s at run time, libnss_files.so.2
 * of the very version linked in, which a busybox rootfs does not have; and
 * the link itself warns about it, even for AI_NUMERICHOST, which the build
 * (-Werror, no warnings) must not.
 */
static int resolve_localhost(void)
{
	char hosts[4096], *line, *save_line;
	struct in_addr addr;
	int err = read_start("/etc/hosts", hosts, sizeof(hosts));

	if (err)
		return err;
	for (line = strtok_r(hosts, "\n", &save_line); line; line = strtok_r(NULL, "\n", &save_line)) {
		char *word, *save_word, *address;

		line[strcspn(line, "#")] = '\0';
		address = strtok_r(line, " \t", &save_word);
		if (!address || inet_pton(AF_INET, address, &addr) != 1)
			continue;
		while ((word = strtok_r(NULL, " \t", &save_word)))
			if (!strcmp(word, "localhost"))
				goto found;
	}
	return fail_because("/etc/hosts", "no IPv4 address for localhost");
found:
	if ((ntohl(addr.s_addr) >> 24) != 127)
		return fail_because("/etc/hosts", "localhost is not a loopback address");
	return 0;
}

struct tcp_server {
	int listener;
	int err;
};

/* One connection: expect "ping", answer "pong". */
static void *tcp_serve(void *arg)
{
	struct tcp_server *server = arg;
	char buf[4];
	ssize_t n;
	int conn = accept4(server->listener, NULL, NULL, SOCK_CLOEXEC);

	if (conn < 0) {
		server->err = fail("accept", errno);
		return NULL;
	}
	n = read_full(conn, buf, sizeof(buf));
	if (n < 0)
		server->err = fail("server read", errno);
	else if (n != sizeof(buf) || memcmp(buf, "ping", sizeof(buf)))
		server->err = fail_because("server read", "no ping");
	else if (write_full(conn, "pong", 4))
		server->err = fail("server write", errno);
	close(conn);
	return NULL;
}

static int tcp_connect(const struct sockaddr_in *addr)
{
	char buf[4];
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return fail("socket", errno);
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
		err = fail("connect", errno);
	else if (write_full(fd, "ping", 4))
		err = fail("write", errno);
	else if ((n = read_full(fd, buf, sizeof(buf))) < 0)
		err = fail("read", errno);
	else if (n != sizeof(buf) || memcmp(buf, "pong", sizeof(buf)))
		err = fail_because("read", "no pong");
	close(fd);
	return err;
}

/* A server on an ephemeral loopback port in one thread, its client in this one. */
static int tcp_loopback(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	struct tcp_server server = { .err = 0 };
	pthread_t thread;
	int err;

	server.listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (server.listener < 0)
		return fail("socket", errno);
	if (bind(server.listener, (struct sockaddr *)&addr, sizeof(addr)))
		err = fail("bind", errno);
	else if (listen(server.listener, 1))
		err = fail("listen", errno);
	else if (getsockname(server.listener, (struct sockaddr *)&addr, &len))
		err = fail("getsockname", errno);
	else if ((err = pthread_create(&thread, NULL, tcp_serve, &server)))
		fail("pthread_create", err);
	if (err) {
		close(server.listener);
		return err;
	}
	err = tcp_connect(&addr);
	/* A client that never connected leaves the server in accept(): this wakes it. */
	if (err)
		shutdown(server.listener, SHUT_RDWR);
	pthread_join(thread, NULL);
	close(server.listener);
	return err ?: server.err;
}

static int mmap_regions(void)
{
	static const char data[] = "a file mapped into memory\n";
	long page = sysconf(_SC_PAGESIZE);
	char path[64], *anon, *mapped;
	int fd, err;

	anon = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		return fail("mmap anonymous", errno);
	memset(anon, 0x5a, page);
	err = anon[page - 1] == 0x5a ? 0 : fail_because("mmap anonymous", "lost a write");
	munmap(anon, page);
	if (err)
		return err;

	tmp_path(path, sizeof(path), "mapped");
	err = write_read_back(path, data);
	fd = err ? -1 : open(path, O_RDONLY | O_CLOEXEC);
	if (!err && fd < 0)
		err = fail("open", errno);
	if (!err) {
		mapped = mmap(NULL, sizeof(data) - 1, PROT_READ, MAP_SHARED, fd, 0);
		if (mapped == MAP_FAILED) {
			err = fail("mmap file", errno);
		} else {
			if (memcmp(mapped, data, sizeof(data) - 1))
				err = fail_because("mmap file", "the mapping does not hold the file");
			munmap(mapped, sizeof(data) - 1);
		}
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	return err;
}

static int socketpair_bytes(void)
{
	int fds[2], err;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds))
		return fail("socketpair", errno);
	err = send_and_expect(fds[0], fds[1], "there") ?: send_and_expect(fds[1], fds[0], "and back");
	close(fds[0]);
	close(fds[1]);
	return err;
}

/* ---- the list ------------------------------------------------------------ */

static const struct {
	const char *name;
	int (*run)(void);
} steps[] = {
	{ "ids-and-clock", ids_and_clock },
	{ "fork-exec", fork_exec },
	{ "pipe", pipe_to_child },
	{ "threads", thread_files },
	{ "tmp-file", tmp_file },
	{ "read-etc", read_etc },
	{ "resolve", resolve_localhost },
	{ "tcp", tcp_loopback },
	{ "mmap", mmap_regions },
	{ "socketpair", socketpair_bytes },
};

/* Only async-signal-safe calls: the step that hangs, then out. */
static void timed_out(int sig)
{
	static const char prefix[] = "workload: ", suffix[] = ": timed out\n";

	(void)sig;
	if (write(STDOUT_FILENO, prefix, sizeof(prefix) - 1) < 0 ||
	    write(STDOUT_FILENO, step, strlen(step)) < 0 ||
	    write(STDOUT_FILENO, suffix, sizeof(suffix) - 1) < 0)
		_exit(1);
	_exit(1);
}

int main(void)
{
	signal(SIGALRM, timed_out);
	alarm(TIMEOUT_SECONDS);
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		int err;

		step = steps[i].name;
		err = steps[i].run();
		if (err) {
			printf("workload: %s: %s\n", failed, failed_reason ? failed_reason : strerror(failed_err));
			return 1;
		}
	}
	printf("workload ok\n");
	return 0;
}
