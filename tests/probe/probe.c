// SPDX-License-Identifier: GPL-2.0-only
/*
 * probe: one operation per call, for the VM suites and `make demo`, where a
 * container's busybox has no tool for it. Built static so that it runs in any
 * rootfs. Prints "ok" and exits 0, or prints "OP: strerror" and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/mount.h>

static int report(const char *op, int err)
{
	if (err) {
		printf("%s: %s\n", op, strerror(err));
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int open_errno(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void *thread_open(void *path)
{
	return (void *)(long)open_errno(path);
}

static int unix_socket(const char *path, struct sockaddr_un *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	snprintf(addr->sun_path, sizeof(addr->sun_path), "%s", path);
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

/* Accept and close connections until killed. */
static int serve(const char *path)
{
	struct sockaddr_un addr;
	int fd = unix_socket(path, &addr);

	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 16))
		return report("listen", errno);
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int conn = accept(fd, NULL, NULL);

		if (conn >= 0)
			close(conn);
	}
}

/* A datagram socket bound at path, then nothing until killed. */
static int dgram_serve(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		return report("bind", errno);
	for (;;)
		pause();
}

static int unix_send(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	if (fd < 0 || sendto(fd, "x", 1, 0, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		err = errno;
	if (fd >= 0)
		close(fd);
	return report("sendto", err);
}

/*
 * SysV shared memory: shm-make KEY (IPC_CREAT), shm-attach KEY, shm-id KEY
 * (prints the id), shm-remove ID (IPC_RMID, by id: no shmget first).
 */
static int shm_op(const char *op, const char *arg)
{
	long number = strtol(arg, NULL, 0);
	int id;
	void *at;

	if (!strcmp(op, "shm-remove"))
		return report("shmctl", shmctl(number, IPC_RMID, NULL) ? errno : 0);
	id = shmget(number, 4096, strcmp(op, "shm-make") ? 0 : IPC_CREAT | 0666);
	if (id < 0)
		return report("shmget", errno);
	if (!strcmp(op, "shm-id")) {
		printf("%d\n", id);
		return 0;
	}
	if (!strcmp(op, "shm-attach")) {
		at = shmat(id, NULL, SHM_RDONLY);
		if (at == (void *)-1)
			return report("shmat", errno);
		shmdt(at);
	}
	return report(op, 0);
}

static int connect_errno(const char *path)
{
	struct sockaddr_un addr;
	int fd = unix_socket(path, &addr), err = 0;

	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		err = errno;
	if (fd >= 0)
		close(fd);
	return err;
}

/* An IPv4 or IPv6 socket address from text; its length, or 0 for bad text. */
static socklen_t inet_sockaddr(const char *address, const char *port, struct sockaddr_storage *out)
{
	struct sockaddr_in *in = (struct sockaddr_in *)out;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)out;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, address, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(atoi(port));
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(atoi(port));
		return sizeof(*in6);
	}
	return 0;
}

/*
 * One IP operation: tcp-connect ADDRESS PORT, tcp-listen ADDRESS PORT (bind,
 * then listen), udp-send ADDRESS PORT [FROM_PORT] (sendto, from a socket
 * bound to FROM_PORT first if given). Reports the step that failed.
 */
static int inet_op(const char *op, char **argv, int argc)
{
	struct sockaddr_storage addr, from;
	socklen_t len = inet_sockaddr(argv[0], argv[1], &addr);
	int stream = strcmp(op, "udp-send") != 0, fd, err = 0;
	const char *step = "socket";

	if (!len || (argc == 3 && !inet_sockaddr(addr.ss_family == AF_INET ? "0.0.0.0" : "::", argv[2], &from)))
		return report(op, EINVAL);
	fd = socket(addr.ss_family, stream ? SOCK_STREAM : SOCK_DGRAM, 0);
	if (fd < 0)
		return report(step, errno);
	if (!strcmp(op, "tcp-connect")) {
		step = "connect";
		err = connect(fd, (struct sockaddr *)&addr, len) ? errno : 0;
	} else if (!strcmp(op, "tcp-listen")) {
		step = "bind";
		err = bind(fd, (struct sockaddr *)&addr, len) ? errno : 0;
		if (!err) {
			step = "listen";
			err = listen(fd, 1) ? errno : 0;
		}
	} else {
		if (argc == 3) {
			step = "bind";
			err = bind(fd, (struct sockaddr *)&from, len) ? errno : 0;
		}
		if (!err) {
			step = "sendto";
			err = sendto(fd, "x", 1, 0, (struct sockaddr *)&addr, len) < 0 ? errno : 0;
		}
	}
	close(fd);
	return report(step, err);
}

/* A bind mount with the new mount API: open_tree(OPEN_TREE_CLONE) + move_mount. */
static int open_tree_errno(const char *source, const char *target)
{
	int fd = syscall(SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);

	if (fd < 0)
		return errno;
	if (syscall(SYS_move_mount, fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH))
		return errno;
	return 0;
}

/* A new tmpfs with the new mount API: fsopen + fsconfig + fsmount + move_mount. */
static int fsmount_errno(const char *target)
{
	int fs = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC), mnt;

	if (fs < 0)
		return errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "1m", 0) ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0))
		return errno;
	mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return errno;
	if (syscall(SYS_move_mount, mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH))
		return errno;
	return 0;
}

/* Open a path of `length` bytes below `dir`, creating the directories on the way. */
static int long_path_errno(const char *dir, size_t length, int create)
{
	char *path = malloc(length + 1);
	size_t n = strlen(dir);
	int fd;

	if (!path)
		return ENOMEM;
	strcpy(path, dir);
	while (n + 1 + 50 + 2 < length) {
		path[n++] = '/';
		memset(path + n, 'd', 50);
		n += 50;
		path[n] = '\0';
		if (create && mkdir(path, 0755) && errno != EEXIST)
			return errno;
	}
	path[n++] = '/';
	while (n < length)
		path[n++] = 'f';
	path[n] = '\0';
	fd = open(path, create ? O_WRONLY | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC, 0644);
	free(path);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * Report an open of `path` every 200 ms, from the thread that runs this:
 * a long-lived task that never execs, for arming running tasks.
 */
static void *open_every_200ms(void *path)
{
	for (;;) {
		report("open", open_errno(path));
		fflush(stdout);
		usleep(200000);
	}
	return NULL;
}

/* Map a file executable, or readable and then executable (mprotect). */
static int map_exec_errno(const char *path, int flip)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	void *map;

	if (fd < 0)
		return errno;
	map = mmap(NULL, 4096, flip ? PROT_READ : PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		err = errno;
	else if (flip && mprotect(map, 4096, PROT_READ | PROT_EXEC))
		err = errno;
	if (map != MAP_FAILED)
		munmap(map, 4096);
	close(fd);
	return err;
}

/* Anonymous memory executable from the start, or writable and then executable (mprotect): a JIT's. */
static int anon_exec_errno(int flip)
{
	void *map = mmap(NULL, 4096, flip ? PROT_READ | PROT_WRITE : PROT_READ | PROT_WRITE | PROT_EXEC,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err = 0;

	if (map == MAP_FAILED)
		return errno;
	if (flip && mprotect(map, 4096, PROT_READ | PROT_EXEC))
		err = errno;
	munmap(map, 4096);
	return err;
}

/* Run a copy of PROGRAM from a memfd: a program with no path. */
static int memfd_exec_errno(const char *program, char **argv)
{
	int in = open(program, O_RDONLY | O_CLOEXEC), fd = memfd_create("payload", MFD_CLOEXEC);
	char buf[65536];
	ssize_t n;

	if (in < 0 || fd < 0)
		return errno;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			return errno;
	close(in);
	fexecve(fd, argv, environ);
	return errno;
}

/*
 * Open FIRST, print the result, wait (at most 20 s) until the path GONE no
 * longer exists, then open SECOND: one task, so that the second open meets
 * what lockc remembered of the first.
 */
static int open_twice(const char *first, const char *gone, const char *second)
{
	struct stat st;
	int err = open_errno(first);

	report("open", err);
	fflush(stdout);
	for (int i = 0; i < 2000 && stat(gone, &st) == 0; i++)
		usleep(10000);
	if (stat(gone, &st) == 0) {
		printf("open-twice: %s is still there\n", gone);
		return 1;
	}
	return report("open", open_errno(second)) || err;
}

/*
 * Open DENIED (which must fail) and ALLOWED (which must open) in turn until
 * a round that began after STOP appeared; then say how often either did
 * otherwise. "running" once the first round is done, so that a test knows
 * the loop has begun.
 */
static int deny_loop(const char *denied, const char *allowed, const char *stop)
{
	long rounds = 0, denied_opened = 0, allowed_refused = 0;
	struct stat st;
	bool last = false;

	while (!last) {
		last = stat(stop, &st) == 0;
		denied_opened += open_errno(denied) == 0;
		allowed_refused += open_errno(allowed) != 0;
		if (rounds++ == 0) {
			printf("running\n");
			fflush(stdout);
		}
	}
	printf("%ld rounds: %ld denied opens succeeded, %ld allowed opens failed\n", rounds, denied_opened,
	       allowed_refused);
	return denied_opened || allowed_refused;
}

static int usage(void)
{
	fprintf(stderr, "usage: probe open PATH | fork-open PATH | thread-open PATH | serve SOCKET |\n"
			"       connect SOCKET | open-tree SOURCE TARGET | fsmount TARGET |\n"
			"       long-path DIR LENGTH [create] | open-loop PATH COUNT |\n"
			"       watch PATH | thread-watch PATH | uids | setresuid R E S [R E S]... |\n"
			"       socket FAMILY TYPE PROTOCOL | append PATH | truncate PATH |\n"
			"       tcp-connect ADDRESS PORT | tcp-listen ADDRESS PORT |\n"
			"       udp-send ADDRESS PORT [FROM_PORT] | dgram-serve SOCKET |\n"
			"       unix-send SOCKET | shm-make KEY | shm-attach KEY | shm-id KEY |\n"
			"       shm-remove ID |\n"
			"       hostname NAME | map-exec PATH | mprotect-exec PATH |\n"
			"       anon-exec | anon-mprotect-exec |\n"
			"       memfd-exec PROGRAM ARG... | open-twice FIRST GONE SECOND |\n"
			"       deny-loop DENIED ALLOWED STOP | map-fill PIN FIRST COUNT VALUE_HEX\n");
	return 2;
}

/*
 * Fill the map pinned at `pin`, whose keys are u64, with `count` entries
 * from key `first` on, each holding the bytes that `value_hex` spells. One
 * bpf(2) call per entry: bpftool's batch mode opens the map and parses a
 * command per entry, minutes for a full map under software emulation.
 */
static int map_fill(const char *pin, const char *first, const char *count, const char *value_hex)
{
	unsigned char value[1024];
	unsigned long long key = strtoull(first, NULL, 0), last = key + strtoull(count, NULL, 0);
	size_t size = strlen(value_hex) / 2, i;
	union bpf_attr attr;
	int fd;

	if (size > sizeof(value) || strlen(value_hex) % 2)
		return report("map-fill", EINVAL);
	for (i = 0; i < size; i++)
		if (sscanf(value_hex + 2 * i, "%2hhx", &value[i]) != 1)
			return report("map-fill", EINVAL);
	memset(&attr, 0, sizeof(attr));
	attr.pathname = (unsigned long)pin;
	fd = syscall(SYS_bpf, BPF_OBJ_GET, &attr, sizeof(attr));
	if (fd < 0)
		return report("map-fill", errno);
	for (; key < last; key++) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		attr.key = (unsigned long)&key;
		attr.value = (unsigned long)value;
		attr.flags = BPF_ANY;
		if (syscall(SYS_bpf, BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr)) < 0)
			return report("map-fill", errno);
	}
	return report("map-fill", 0);
}

int main(int argc, char **argv)
{
	const char *op = argc > 1 ? argv[1] : "";

	if (argc == 3 && !strcmp(op, "open"))
		return report(op, open_errno(argv[2]));
	if (argc == 6 && !strcmp(op, "map-fill"))
		return map_fill(argv[2], argv[3], argv[4], argv[5]);
	if (argc == 5 && !strcmp(op, "deny-loop"))
		return deny_loop(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(op, "open-twice"))
		return open_twice(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(op, "fork-open")) {
		int status;
		pid_t pid = fork();

		if (pid == 0)
			_exit(open_errno(argv[2]));
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			return report("fork", errno);
		return report(op, WEXITSTATUS(status));
	}
	if (argc == 3 && !strcmp(op, "thread-open")) {
		pthread_t thread;
		void *err;

		if ((errno = pthread_create(&thread, NULL, thread_open, argv[2])) || (errno = pthread_join(thread, &err)))
			return report("pthread", errno);
		return report(op, (int)(long)err);
	}
	if (argc == 3 && !strcmp(op, "serve"))
		return serve(argv[2]);
	if (argc == 3 && !strcmp(op, "connect"))
		return report(op, connect_errno(argv[2]));
	if (argc == 4 && !strcmp(op, "open-tree"))
		return report(op, open_tree_errno(argv[2], argv[3]));
	if (argc == 3 && !strcmp(op, "fsmount"))
		return report(op, fsmount_errno(argv[2]));
	if ((argc == 4 || argc == 5) && !strcmp(op, "long-path"))
		return report(op, long_path_errno(argv[2], strtoul(argv[3], NULL, 10), argc == 5));
	if (argc == 4 && !strcmp(op, "open-loop")) {
		/* Counts failures, so that a window in a policy change shows up. */
		long count = strtol(argv[3], NULL, 10), failed = 0;

		for (long i = 0; i < count; i++)
			failed += open_errno(argv[2]) != 0;
		printf("%ld of %ld failed\n", failed, count);
		return failed != 0;
	}
	if (argc == 2 && !strcmp(op, "uids")) {
		uid_t r, e, saved;

		getresuid(&r, &e, &saved);
		printf("uid=%u euid=%u suid=%u\n", r, e, saved);
		return 0;
	}
	if (argc >= 5 && (argc - 2) % 3 == 0 && !strcmp(op, "setresuid")) {
		/* One triple after the other, in one process: the first refusal counts. */
		for (int i = 2; i < argc; i += 3)
			if (setresuid(atoi(argv[i]), atoi(argv[i + 1]), atoi(argv[i + 2])))
				return report(op, errno);
		return report(op, 0);
	}
	if (argc == 5 && !strcmp(op, "socket")) {
		int fd = socket(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));

		if (fd >= 0)
			close(fd);
		return report(op, fd < 0 ? errno : 0);
	}
	if ((argc == 4 && (!strcmp(op, "tcp-connect") || !strcmp(op, "tcp-listen"))) ||
	    ((argc == 4 || argc == 5) && !strcmp(op, "udp-send")))
		return inet_op(op, argv + 2, argc - 2);
	if (argc == 3 && !strcmp(op, "dgram-serve"))
		return dgram_serve(argv[2]);
	if (argc == 3 && !strcmp(op, "unix-send"))
		return unix_send(argv[2]);
	if (argc == 3 && (!strcmp(op, "shm-make") || !strcmp(op, "shm-attach") || !strcmp(op, "shm-id") ||
			  !strcmp(op, "shm-remove")))
		return shm_op(op, argv[2]);
	if (argc == 3 && !strcmp(op, "append")) {
		/* Opened for writing only: no O_CREAT, nothing written. */
		int fd = open(argv[2], O_WRONLY | O_APPEND | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
		return report(op, fd < 0 ? errno : 0);
	}
	if (argc == 3 && !strcmp(op, "truncate"))
		return report(op, truncate(argv[2], 0) ? errno : 0);
	if (argc == 3 && !strcmp(op, "hostname"))
		return report(op, sethostname(argv[2], strlen(argv[2])) ? errno : 0);
	if (argc == 3 && !strcmp(op, "map-exec"))
		return report(op, map_exec_errno(argv[2], 0));
	if (argc == 3 && !strcmp(op, "mprotect-exec"))
		return report(op, map_exec_errno(argv[2], 1));
	if (argc == 2 && !strcmp(op, "anon-exec"))
		return report(op, anon_exec_errno(0));
	if (argc == 2 && !strcmp(op, "anon-mprotect-exec"))
		return report(op, anon_exec_errno(1));
	if (argc >= 4 && !strcmp(op, "memfd-exec"))
		return report(op, memfd_exec_errno(argv[2], argv + 3));
	if (argc == 3 && !strcmp(op, "watch"))
		open_every_200ms(argv[2]);
	if (argc == 3 && !strcmp(op, "thread-watch")) {
		/* The same from a second thread, while the first waits. */
		pthread_t thread;

		if ((errno = pthread_create(&thread, NULL, open_every_200ms, argv[2])))
			return report("pthread", errno);
		pause();
	}
	return usage();
}
