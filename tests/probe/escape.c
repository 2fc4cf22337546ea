// SPDX-License-Identifier: GPL-2.0-only
/*
 * escape: one known container-escape technique per call, run from inside a
 * container by the VM suites. Built static so that it runs in any rootfs.
 * Prints exactly one line: "escaped" and exits 0 when the technique's
 * decisive step succeeded, "blocked: STEP: strerror" and exits 1 when a step
 * was refused, or the usage and exits 2.
 *
 * Each technique goes as far as the primitive that breaks out and no
 * further: what it writes is the value it read, a node it made is removed, a
 * file system it mounted is unmounted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <mqueue.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/xattr.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include <linux/perf_event.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A technique's answer to bad arguments; 0 is "escaped", an errno "blocked". */
#define USAGE (-1)

/* The step that was refused, and why when no errno says it. */
static const char *blocked_step;
static const char *blocked_reason;

static int blocked(const char *step, int err)
{
	blocked_step = step;
	/* A short read or write sets no errno; it still stopped the technique. */
	return err ? err : EIO;
}

static int blocked_because(const char *step, const char *reason)
{
	blocked_reason = reason;
	return blocked(step, EPERM);
}

/*
 * Open a file that must be procfs's own. Runtimes mask some of them
 * (/proc/kcore) with /dev/null mounted on top, and opening the mask
 * reaches nothing.
 */
static int open_proc(const char *path, int flags, int *fd)
{
	struct statfs fs;
	int err;

	*fd = open(path, flags | O_CLOEXEC);
	if (*fd < 0)
		return blocked("open", errno);
	if (fstatfs(*fd, &fs)) {
		err = errno;
		close(*fd);
		return blocked("fstatfs", err);
	}
	if (fs.f_type != PROC_SUPER_MAGIC) {
		close(*fd);
		return blocked_because("open", "masked (not procfs)");
	}
	return 0;
}

/*
 * Open a device node read-only. ENXIO is the driver saying that no such
 * device exists here, after the devices cgroup and the LSM let the open
 * through: the permission this asks about was granted.
 */
static int open_device(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno == ENXIO ? 0 : errno;
	close(fd);
	return 0;
}

static int unix_connect(const struct sockaddr_un *addr, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return blocked("socket", errno);
	if (connect(fd, (const struct sockaddr *)addr, len)) {
		err = errno;
		close(fd);
		return blocked("connect", err);
	}
	close(fd);
	return 0;
}

static int new_socket(int family, int type, int protocol)
{
	int fd = socket(family, type | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return blocked("socket", errno);
	close(fd);
	return 0;
}

/* A file system of its own on dir: the mount is the escape, the umount tidies. */
static int mount_fs(const char *type, const char *dir)
{
	/* The flags runtimes use, so that the kernel has no reason of its own to refuse. */
	if (mount(type, dir, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return blocked("mount", errno);
	if (umount2(dir, 0))
		umount2(dir, MNT_DETACH);
	return 0;
}

static pid_t parse_pid(const char *arg)
{
	char *end;
	long pid = strtol(arg, &end, 10);

	return *arg && !*end && pid > 0 && pid == (pid_t)pid ? (pid_t)pid : -1;
}

/* ---- the techniques ------------------------------------------------------ */

/* The host's root bind-mounted into the container, then chroot into it. */
static int chroot_host(char **argv)
{
	int fd;

	if (chroot(argv[0]))
		return blocked("chroot", errno);
	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return blocked("open", errno);
	close(fd);
	return 0;
}

/* docker.sock or containerd.sock mounted in: whoever talks to it runs containers. */
static int runtime_socket(char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	if (strlen(argv[0]) >= sizeof(addr.sun_path))
		return USAGE;
	strcpy(addr.sun_path, argv[0]);
	return unix_connect(&addr, sizeof(addr));
}

/* Abstract sockets have no file, so no mount hides them: only the network namespace. */
static int abstract_socket(char **argv)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(argv[0]);

	if (len + 1 > sizeof(addr.sun_path))
		return USAGE;
	memcpy(addr.sun_path + 1, argv[0], len);
	return unix_connect(&addr, offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

/*
 * A core_pattern starting with "|" runs a program as root on the host at the
 * next crash. Writing back the value read is the same write, changing nothing.
 */
static int core_pattern(char **argv)
{
	static const char path[] = "/proc/sys/kernel/core_pattern";
	char value[256];
	ssize_t n;
	int fd, err;

	(void)argv;
	err = open_proc(path, O_RDONLY, &fd);
	if (err)
		return err;
	n = read(fd, value, sizeof(value));
	err = errno;
	close(fd);
	if (n <= 0)
		return blocked("read", n < 0 ? err : 0);
	err = open_proc(path, O_WRONLY, &fd);
	if (err)
		return err;
	if (write(fd, value, n) != n)
		err = blocked("write", errno);
	close(fd);
	return err;
}

/*
 * A cgroup v1 hierarchy's release_agent runs as root on the host when a
 * cgroup empties (CVE-2022-0492). A named hierarchy without controllers is
 * tried first: it disturbs no controller, and it is all that a user namespace
 * may mount. Then the controllers, rarely used first; one bound to cgroup v2
 * is busy.
 */
static const char *const cgroup_v1_options[] = {
	"none,name=lockc-escape", "rdma", "misc", "net_cls", "net_prio", "perf_event", "freezer",
	"devices", "pids", "hugetlb", "cpuset", "cpu", "cpuacct", "blkio", "memory",
};

static int release_agent_write(const char *dir)
{
	char path[4096], value[4096];
	ssize_t n;
	int fd, err;

	if (snprintf(path, sizeof(path), "%s/release_agent", dir) >= (int)sizeof(path))
		return blocked("open", ENAMETOOLONG);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return blocked("open", errno);
	n = read(fd, value, sizeof(value));
	err = errno;
	close(fd);
	if (n < 0)
		return blocked("read", err);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return blocked("open", errno);
	/*
	 * Since the fix for CVE-2022-0492 the kernel asks for CAP_SYS_ADMIN in
	 * the initial user namespace at the write, not at the open: without the
	 * write, a container in a user namespace would pass for escaped.
	 */
	err = 0;
	if (write(fd, n ? value : "\n", n ? n : 1) < 0)
		err = blocked("write", errno);
	close(fd);
	return err;
}

static int release_agent(char **argv)
{
	int first_err = 0, err;

	for (size_t i = 0; i < ARRAY_SIZE(cgroup_v1_options); i++) {
		if (!mount("cgroup", argv[0], "cgroup", 0, cgroup_v1_options[i]))
			break;
		/* The first refusal is the telling one: later ones are mostly EBUSY. */
		if (!first_err)
			first_err = errno;
		if (i + 1 == ARRAY_SIZE(cgroup_v1_options))
			return blocked("mount", first_err);
	}
	err = release_agent_write(argv[0]);
	if (umount2(argv[0], 0))
		umount2(argv[0], MNT_DETACH);
	return err;
}

/* Writing a letter to sysrq-trigger reboots or crashes the host: the open decides. */
static int sysrq(char **argv)
{
	int fd, err;

	(void)argv;
	err = open_proc("/proc/sysrq-trigger", O_WRONLY, &fd);
	if (!err)
		close(fd);
	return err;
}

static int mount_proc(char **argv)
{
	return mount_fs("proc", argv[0]);
}

static int mount_sysfs(char **argv)
{
	return mount_fs("sysfs", argv[0]);
}

static int mount_cgroup2(char **argv)
{
	return mount_fs("cgroup2", argv[0]);
}

static int mount_debugfs(char **argv)
{
	return mount_fs("debugfs", argv[0]);
}

/* The host's first SCSI/SATA disk, made by hand: its file systems are the host's. */
static int mknod_disk(char **argv)
{
	int err;

	if (mknod(argv[0], S_IFBLK | 0600, makedev(8, 0)))
		return blocked("mknod", errno);
	err = open_device(argv[0]);
	unlink(argv[0]);
	return err ? blocked("open", err) : 0;
}

/* Physical memory. Runtimes give containers no /dev/mem, so the node is made when missing. */
static int dev_mem(char **argv)
{
	char path[64];
	int err;

	(void)argv;
	err = open_device("/dev/mem");
	if (err != ENOENT)
		return err ? blocked("open", err) : 0;
	snprintf(path, sizeof(path), "/tmp/lockc-escape-mem.%d", (int)getpid());
	if (mknod(path, S_IFCHR | 0600, makedev(1, 1)))
		return blocked("mknod", errno);
	err = open_device(path);
	unlink(path);
	return err ? blocked("open", err) : 0;
}

/* The kernel's memory as an ELF core file. */
static int kcore(char **argv)
{
	int fd, err;

	(void)argv;
	err = open_proc("/proc/kcore", O_RDONLY, &fd);
	if (!err)
		close(fd);
	return err;
}

/*
 * finit_module() of 64 zero bytes. The kernel refuses an image that is not
 * a regular file, is empty or is open for writing (EINVAL, ETXTBSY) before it
 * asks security_kernel_read_file(), and an init_module() image shorter than
 * an ELF header (ENOEXEC) before security_kernel_load_data(): so a non-empty
 * memfd, reopened read-only. Past every check the kernel parses the image and
 * rejects it, with ENOEXEC, EINVAL or a signature error: escaped.
 */
static int module_load(char **argv)
{
	static const char image[64];
	char path[32];
	int fd, ro, err;

	(void)argv;
	fd = memfd_create("lockc-escape", MFD_CLOEXEC);
	if (fd < 0)
		return blocked("memfd_create", errno);
	if (write(fd, image, sizeof(image)) != (ssize_t)sizeof(image)) {
		err = errno;
		close(fd);
		return blocked("write", err);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ro = open(path, O_RDONLY | O_CLOEXEC);
	err = errno;
	close(fd);
	if (ro < 0)
		return blocked("reopen", err);
	err = syscall(SYS_finit_module, ro, "", 0) ? errno : 0;
	close(ro);
	switch (err) {
	case 0:
	case ENOEXEC:
	case EINVAL:
	case EBADMSG:
	case ENOKEY:
	case EKEYREJECTED:
		return 0;
	}
	return blocked("finit_module", err);
}

/* A map is the smallest BPF object; programs that read kernel memory come after it. */
static int bpf_map(char **argv)
{
	union bpf_attr attr;
	int fd;

	(void)argv;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0)
		return blocked("bpf", errno);
	close(fd);
	return 0;
}

/*
 * The most harmless event there is. User space only, so that
 * perf_event_paranoid up to 2 lets it through and what refuses it is policy.
 */
static int perf(char **argv)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.disabled = 1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	int fd;

	(void)argv;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return blocked("perf_event_open", errno);
	close(fd);
	return 0;
}

/*
 * Detach from the stop that PTRACE_INTERRUPT asked for; a signal that
 * arrives first is delivered and the wait goes on. PTRACE_SEIZE, unlike
 * PTRACE_ATTACH, sends no SIGSTOP and no SIGTRAP at the target's next
 * execve, which a target that is still starting would die of.
 */
static void ptrace_detach(pid_t pid)
{
	int status;

	for (;;) {
		if (waitpid(pid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (!WIFSTOPPED(status))
			return;
		if (status >> 16 == PTRACE_EVENT_STOP) {
			ptrace(PTRACE_DETACH, pid, NULL, NULL);
			return;
		}
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)WSTOPSIG(status));
	}
}

/* A tracer owns the tracee's memory and registers. */
static int ptrace_pid(char **argv)
{
	pid_t pid = parse_pid(argv[0]);

	if (pid < 0)
		return USAGE;
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL))
		return blocked("ptrace", errno);
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) == 0)
		ptrace_detach(pid);
	return 0;
}

/* SIGCONT: a process outside reached, and nothing happens to it. */
static int signal_pid(char **argv)
{
	pid_t pid = parse_pid(argv[0]);

	if (pid < 0)
		return USAGE;
	if (kill(pid, SIGCONT))
		return blocked("kill", errno);
	return 0;
}

/*
 * A user namespace hands back every capability, over its own mount
 * namespace. Its mounts become slaves of the container's, so the tmpfs
 * propagates nowhere and goes with this process.
 */
static int userns_mount(char **argv)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return blocked("unshare", errno);
	if (mount("tmpfs", argv[0], "tmpfs", 0, "size=1m"))
		return blocked("mount", errno);
	return 0;
}

/* Keyrings are not namespaced. The key lives in the process keyring and ends with it. */
static int keyctl(char **argv)
{
	(void)argv;
	if (syscall(__NR_add_key, "user", "lockc-escape", "x", 1, KEY_SPEC_PROCESS_KEYRING) < 0)
		return blocked("add_key", errno);
	return 0;
}

/* The clock is the host's. Set to what it read: it loses the microseconds in between. */
static int settime(char **argv)
{
	struct timespec now;

	(void)argv;
	if (clock_gettime(CLOCK_REALTIME, &now))
		return blocked("clock_gettime", errno);
	if (clock_settime(CLOCK_REALTIME, &now))
		return blocked("clock_settime", errno);
	return 0;
}

/* From a non-root process, or one that kept CAP_SETUID, become uid 0. */
static int setuid_root(char **argv)
{
	(void)argv;
	if (setresuid(0, 0, 0))
		return blocked("setresuid", errno);
	return 0;
}

/* A secret mounted in, such as a service-account token: one byte read is a leak. */
static int read_file(char **argv)
{
	char byte;
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return blocked("open", errno);
	if (read(fd, &byte, 1) < 0)
		err = blocked("read", errno);
	close(fd);
	return err;
}

/* Raw IP: spoofed packets and, with host networking, sniffing. */
static int raw_socket(char **argv)
{
	(void)argv;
	return new_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
}

/* Protocol 0 receives nothing until bound: the socket is the escape, no frame is read. */
static int packet_socket(char **argv)
{
	(void)argv;
	return new_socket(AF_PACKET, SOCK_RAW, 0);
}

/* ---- host state through a host path --------------------------------------- */

/*
 * Each changes one file or directory that the host bind-mounted in (or that
 * a host directory fd reaches), the way a container plants a binary, a
 * cron job or an ld.so.preload, or removes what the host relies on.
 */
static int unlink_file(char **argv)
{
	return unlink(argv[0]) ? blocked("unlink", errno) : 0;
}

static int truncate_file(char **argv)
{
	return truncate(argv[0], 0) ? blocked("truncate", errno) : 0;
}

static int chmod_file(char **argv)
{
	return chmod(argv[0], 04755) ? blocked("chmod", errno) : 0;
}

/* The file existing afterwards is the escape, whatever open(2) returned. */
static int create_file(char **argv)
{
	int fd = open(argv[0], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), err = errno;

	if (fd >= 0)
		close(fd);
	if (access(argv[0], F_OK))
		return blocked("open O_CREAT", fd < 0 ? err : errno);
	return 0;
}

static int symlink_file(char **argv)
{
	return symlink("/etc/shadow", argv[0]) ? blocked("symlink", errno) : 0;
}

static int mkdir_dir(char **argv)
{
	return mkdir(argv[0], 0755) ? blocked("mkdir", errno) : 0;
}

static int rename_file(char **argv)
{
	return rename(argv[0], argv[1]) ? blocked("rename", errno) : 0;
}

/* Write VALUE to FILE: a pid to a host cgroup's cgroup.procs, 1 to its cgroup.kill. */
static int write_value(char **argv)
{
	int fd = open(argv[0], O_WRONLY | O_CLOEXEC), err = 0;
	size_t n = strlen(argv[1]);

	if (fd < 0)
		return blocked("open", errno);
	if (write(fd, argv[1], n) != (ssize_t)n)
		err = blocked("write", errno);
	close(fd);
	return err;
}

/*
 * Remove NAME in directory DIR through an O_PATH descriptor, which file_open
 * never sees: DIR is a host directory (/proc/1/root/... with the host's pid
 * namespace), so the file's mount is in the host's mount namespace.
 */
static int unlinkat_dirfd(char **argv)
{
	int dir = open(argv[0], O_PATH | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (dir < 0)
		return blocked("open O_PATH", errno);
	if (unlinkat(dir, argv[1], 0))
		err = blocked("unlinkat", errno);
	close(dir);
	return err;
}

/* ---- signals past kill(2) ------------------------------------------------- */

static volatile sig_atomic_t sigio_seen;

static void note_sigio(int sig)
{
	(void)sig;
	sigio_seen = 1;
}

/*
 * Make PID (0: this process) a pipe's owner with F_SETOWN, choose SIG with
 * F_SETSIG, and write to the pipe: the kernel sends SIG to the owner on
 * the writer's behalf. Escaped when the signal arrived: for another process
 * when it is gone (SIG 9), for this one when its handler ran.
 */
/* Wait a second for the signal: the owner `pid` gone, or (0) our own handler run. */
static int await_sigio(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		if (pid ? kill(pid, 0) && errno == ESRCH : sigio_seen)
			return 0;
		usleep(10000);
	}
	return blocked_because("waiting for the signal", "it never arrived");
}

static int sigio(char **argv)
{
	pid_t pid = (pid_t)atoi(argv[0]);
	int sig = atoi(argv[1]), fds[2];

	if (sig <= 0 || (pid == 0 && sig == SIGKILL))
		return USAGE;
	if (pid == 0)
		signal(sig, note_sigio);
	if (pipe(fds))
		return blocked("pipe", errno);
	if (fcntl(fds[0], F_SETOWN, pid ? pid : getpid()))
		return blocked("fcntl F_SETOWN", errno);
	if (fcntl(fds[0], F_SETSIG, sig) || fcntl(fds[0], F_SETFL, O_ASYNC))
		return blocked("fcntl F_SETSIG", errno);
	if (write(fds[1], "x", 1) != 1)
		return blocked("write", errno);
	return await_sigio(pid);
}

/*
 * The owner set by ioctl(FIOSETOWN) on a socket instead of fcntl, natively
 * or (compat) through the 32-bit system call entry, which x86-64 runs for
 * `int $0x80` from a 64-bit process: compat_ioctl(2) passes a hook of its
 * own. The owner goes through memory, at an address that fits 32 bits in
 * this static, non-PIE binary.
 */
static int sigio_owner;

static int set_owner_by_ioctl(int fd, bool compat)
{
	long ret;

	if (!compat)
		return ioctl(fd, FIOSETOWN, &sigio_owner) ? errno : 0;
#if defined(__x86_64__)
	/* The i386 ioctl is system call 54; int $0x80 clobbers r8 to r11. */
	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(54L), "b"((long)fd), "c"((long)FIOSETOWN), "d"((long)(unsigned long)&sigio_owner)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret < 0 ? (int)-ret : 0;
#else
	(void)ret;
	return ENOSYS;
#endif
}

static int sigio_by_ioctl(char **argv, bool compat)
{
	pid_t pid = parse_pid(argv[0]);
	int sig = atoi(argv[1]), fds[2], err;

	if (pid <= 0 || sig <= 0)
		return USAGE;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds))
		return blocked("socketpair", errno);
	sigio_owner = pid;
	err = set_owner_by_ioctl(fds[0], compat);
	if (err)
		return blocked(compat ? "compat ioctl FIOSETOWN" : "ioctl FIOSETOWN", err);
	if (fcntl(fds[0], F_SETSIG, sig) || fcntl(fds[0], F_SETFL, O_ASYNC))
		return blocked("fcntl F_SETSIG", errno);
	if (write(fds[1], "x", 1) != 1)
		return blocked("write", errno);
	return await_sigio(pid);
}

static int sigio_ioctl(char **argv)
{
	return sigio_by_ioctl(argv, false);
}

static int sigio_compat(char **argv)
{
	return sigio_by_ioctl(argv, true);
}

/* ---- POSIX message queues ------------------------------------------------- */

/* Queue names as mq_open(3) takes them: "/NAME". */
static int queue_name(const char *arg, char *out, size_t size)
{
	if (!*arg || strchr(arg, '/') || (size_t)snprintf(out, size, "/%s", arg) >= size)
		return USAGE;
	return 0;
}

/* A message into queue NAME, which someone else made: the host's, with --ipc=host. */
static int mqueue_send(char **argv)
{
	char name[NAME_MAX];
	mqd_t q;
	int err;

	if (queue_name(argv[0], name, sizeof(name)))
		return USAGE;
	q = mq_open(name, O_WRONLY | O_NONBLOCK);
	if (q == (mqd_t)-1)
		return blocked("mq_open", errno);
	err = mq_send(q, "escaped", 7, 0) ? errno : 0;
	mq_close(q);
	return err ? blocked("mq_send", err) : 0;
}

static int mqueue_unlink(char **argv)
{
	char name[NAME_MAX];

	if (queue_name(argv[0], name, sizeof(name)))
		return USAGE;
	return mq_unlink(name) ? blocked("mq_unlink", errno) : 0;
}

/* The twin: a queue of the container's own, made, used and removed. */
static int mqueue_own(char **argv)
{
	char name[NAME_MAX], message[8192];
	mqd_t q;

	if (queue_name(argv[0], name, sizeof(name)))
		return USAGE;
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL | O_NONBLOCK, 0600, NULL);
	if (q == (mqd_t)-1)
		return blocked("mq_open", errno);
	if (mq_send(q, "own", 3, 0) || mq_receive(q, message, sizeof(message), NULL) != 3) {
		int err = errno;

		mq_close(q);
		mq_unlink(name);
		return blocked("mq_send", err);
	}
	mq_close(q);
	return mq_unlink(name) ? blocked("mq_unlink", errno) : 0;
}

/* ---- another task's scheduling and limits --------------------------------- */

/* Each changes a task of the same uid, as the kernel lets anyone: the lowest priority, a limit. */
static int renice(char **argv)
{
	pid_t pid = parse_pid(argv[0]);

	if (pid < 0)
		return USAGE;
	return setpriority(PRIO_PROCESS, (id_t)pid, 19) ? blocked("setpriority", errno) : 0;
}

/* The task's OOM score raised to the top, by its procfs file: the next OOM kills it first. */
static int oom_score(char **argv)
{
	pid_t pid = parse_pid(argv[0]);
	char path[64];
	int fd;

	if (pid < 0)
		return USAGE;
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return blocked("open", errno);
	if (write(fd, "1000", 4) != 4) {
		int err = errno;

		close(fd);
		return blocked("write", err);
	}
	close(fd);
	return 0;
}

static int reschedule(char **argv)
{
	struct sched_param param = { .sched_priority = 0 };
	pid_t pid = parse_pid(argv[0]);

	if (pid < 0)
		return USAGE;
	return sched_setscheduler(pid, SCHED_IDLE, &param) ? blocked("sched_setscheduler", errno) : 0;
}

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_IDLE (3 << 13)

static int ioprio(char **argv)
{
	pid_t pid = parse_pid(argv[0]);

	if (pid < 0)
		return USAGE;
	return syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, pid, IOPRIO_IDLE) ? blocked("ioprio_set", errno) : 0;
}

/* The task's own open-files limit, set again: the call is the escape, it changes nothing. */
static int set_rlimit(char **argv)
{
	struct rlimit limit;
	pid_t pid = parse_pid(argv[0]);

	if (pid < 0)
		return USAGE;
	if (prlimit(pid, RLIMIT_NOFILE, NULL, &limit))
		return blocked("prlimit get", errno);
	return prlimit(pid, RLIMIT_NOFILE, &limit, NULL) ? blocked("prlimit", errno) : 0;
}

/* ---- io_uring's credentials ------------------------------------------------ */

/* One io_uring, driven by raw system calls: the image has no liburing. */
struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_open(struct ring *r)
{
	struct io_uring_params p = { 0 };
	char *sq, *cq;

	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return -1;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -1;
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

/* Run one request, in an io-wq worker (IOSQE_ASYNC); its result, a negative errno on failure. */
static int ring_run(struct ring *r, const struct io_uring_sqe *request)
{
	unsigned int tail = *r->sq_tail, head;
	int res;

	r->sqes[tail & *r->sq_mask] = *request;
	r->sqes[tail & *r->sq_mask].flags |= IOSQE_ASYNC;
	r->sq_array[tail & *r->sq_mask] = tail & *r->sq_mask;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		return -EIO;
	res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/*
 * Set the xattr "trusted.lockc" (which takes sys_admin) on FILE through an
 * io-wq worker started before a credential change: PR_SET_KEEPCAPS commits
 * new credentials, so the worker runs the request with credentials that are
 * not its own real ones.
 */
static int uring_xattr(char **argv)
{
	struct io_uring_sqe nop = { .opcode = IORING_OP_NOP }, set = { .opcode = IORING_OP_SETXATTR };
	static const char name[] = "trusted.lockc", value[] = "escaped";
	struct ring r;
	int res;

	if (ring_open(&r))
		return blocked("io_uring_setup", errno);
	if ((res = ring_run(&r, &nop)) < 0)
		return blocked("IORING_OP_NOP", -res);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		return blocked("prctl", errno);
	set.addr = (__u64)(unsigned long)name;
	set.addr2 = (__u64)(unsigned long)value;
	set.addr3 = (__u64)(unsigned long)argv[0];
	set.len = sizeof(value) - 1;
	if ((res = ring_run(&r, &set)) < 0)
		return blocked("IORING_OP_SETXATTR", -res);
	return 0;
}

/*
 * A POSIX ACL on FILE that lets uid 1000 read and write it, by setxattr(2)
 * as setfacl(1) sets one: from 6.2 on the kernel takes it apart from other
 * extended attributes, past their hook. The file's owner may set one.
 */
static int acl(char **argv)
{
	struct {
		uint32_t version;
		struct { uint16_t tag, perm; uint32_t id; } entries[5];
	} value = {
		.version = 2,
		.entries = {
			{ 0x01, 6, (uint32_t)-1 },	/* owner: rw */
			{ 0x02, 6, 1000 },		/* uid 1000: rw */
			{ 0x04, 4, (uint32_t)-1 },	/* group: r */
			{ 0x10, 6, (uint32_t)-1 },	/* mask: rw */
			{ 0x20, 4, (uint32_t)-1 },	/* others: r */
		},
	};

	return setxattr(argv[0], "system.posix_acl_access", &value, sizeof(value), 0) ? blocked("setxattr", errno) :
										      0;
}

/* FILE's timestamps set to the epoch: what no path hook sees. The owner may. */
static int times(char **argv)
{
	struct timespec epoch[2] = { { 0, 0 }, { 0, 0 } };

	return utimensat(AT_FDCWD, argv[0], epoch, AT_SYMLINK_NOFOLLOW) ? blocked("utimensat", errno) : 0;
}

/* A user xattr on FILE: any owner may set one, so only a rule refuses it. */
static int user_xattr(char **argv)
{
	return setxattr(argv[0], "user.lockc", "escaped", 7, 0) ? blocked("setxattr", errno) : 0;
}

/* cap_net_raw as a file capability on FILE: a host binary that anyone runs with it. */
static int file_capability(char **argv)
{
	static const unsigned char v2_net_raw[20] = { 0, 0, 0, 2, 0, 0x20 };

	return setxattr(argv[0], "security.capability", v2_net_raw, sizeof(v2_net_raw), 0) ?
		       blocked("setxattr", errno) : 0;
}

/* The same xattr by setxattr(2): the direct way, which the capability rules refuse. */
static int set_xattr(char **argv)
{
	return setxattr(argv[0], "trusted.lockc", "escaped", 7, 0) ? blocked("setxattr", errno) : 0;
}

/*
 * Register a personality as root, drop to uid 1000, and open FILE (mode
 * 0600, root's) with the personality: root again, through io_uring.
 */
static int uring_personality(char **argv)
{
	struct io_uring_sqe open = { .opcode = IORING_OP_OPENAT };
	struct ring r;
	int personality, res;

	if (ring_open(&r))
		return blocked("io_uring_setup", errno);
	personality = (int)syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_PERSONALITY, NULL, 0);
	if (personality < 0)
		return blocked("IORING_REGISTER_PERSONALITY", errno);
	if (setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
		return blocked("setresuid", errno);
	open.fd = AT_FDCWD;
	open.addr = (__u64)(unsigned long)argv[0];
	open.open_flags = O_RDONLY | O_CLOEXEC;
	open.personality = (__u16)personality;
	if ((res = ring_run(&r, &open)) < 0)
		return blocked("IORING_OP_OPENAT", -res);
	close(res);
	return 0;
}

/* ---- the list ------------------------------------------------------------ */

struct technique {
	const char *name;
	int args;		/* at least this many arguments */
	const char *usage;	/* their names, for the usage line */
	int (*run)(char **argv);
};

static const struct technique techniques[] = {
	{ "chroot-host", 1, " DIR", chroot_host },
	{ "runtime-socket", 1, " PATH", runtime_socket },
	{ "core-pattern", 0, "", core_pattern },
	{ "release-agent", 1, " DIR", release_agent },
	{ "sysrq", 0, "", sysrq },
	{ "mount-proc", 1, " DIR", mount_proc },
	{ "mount-sysfs", 1, " DIR", mount_sysfs },
	{ "mount-cgroup2", 1, " DIR", mount_cgroup2 },
	{ "mount-debugfs", 1, " DIR", mount_debugfs },
	{ "mknod-disk", 1, " PATH", mknod_disk },
	{ "dev-mem", 0, "", dev_mem },
	{ "kcore", 0, "", kcore },
	{ "module-load", 0, "", module_load },
	{ "bpf", 0, "", bpf_map },
	{ "perf", 0, "", perf },
	{ "ptrace", 1, " PID", ptrace_pid },
	{ "signal", 1, " PID", signal_pid },
	{ "userns-mount", 1, " DIR", userns_mount },
	{ "keyctl", 0, "", keyctl },
	{ "settime", 0, "", settime },
	{ "setuid-root", 0, "", setuid_root },
	{ "read", 1, " FILE", read_file },
	{ "abstract-socket", 1, " NAME", abstract_socket },
	{ "raw-socket", 0, "", raw_socket },
	{ "packet-socket", 0, "", packet_socket },
	{ "unlink", 1, " FILE", unlink_file },
	{ "truncate", 1, " FILE", truncate_file },
	{ "chmod", 1, " FILE", chmod_file },
	{ "create", 1, " FILE", create_file },
	{ "symlink", 1, " FILE", symlink_file },
	{ "mkdir", 1, " DIR", mkdir_dir },
	{ "rename", 2, " FROM TO", rename_file },
	{ "write", 2, " FILE VALUE", write_value },
	{ "unlinkat-dirfd", 2, " DIR NAME", unlinkat_dirfd },
	{ "sigio", 2, " PID SIG", sigio },
	{ "sigio-ioctl", 2, " PID SIG", sigio_ioctl },
	{ "sigio-compat", 2, " PID SIG", sigio_compat },
	{ "mqueue-send", 1, " NAME", mqueue_send },
	{ "mqueue-unlink", 1, " NAME", mqueue_unlink },
	{ "mqueue-own", 1, " NAME", mqueue_own },
	{ "renice", 1, " PID", renice },
	{ "reschedule", 1, " PID", reschedule },
	{ "ioprio", 1, " PID", ioprio },
	{ "rlimit", 1, " PID", set_rlimit },
	{ "oom-score", 1, " PID", oom_score },
	{ "acl", 1, " FILE", acl },
	{ "times", 1, " FILE", times },
	{ "xattr", 1, " FILE", set_xattr },
	{ "user-xattr", 1, " FILE", user_xattr },
	{ "file-capability", 1, " FILE", file_capability },
	{ "uring-xattr", 1, " FILE", uring_xattr },
	{ "uring-personality", 1, " FILE", uring_personality },
};

static int usage(void)
{
	fprintf(stderr, "usage: escape TECHNIQUE [ARG...], TECHNIQUE one of:");
	for (size_t i = 0; i < ARRAY_SIZE(techniques); i++)
		fprintf(stderr, "%s %s%s", i ? " |" : "", techniques[i].name, techniques[i].usage);
	fprintf(stderr, "\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "";

	for (size_t i = 0; i < ARRAY_SIZE(techniques); i++) {
		const struct technique *t = &techniques[i];
		int err;

		if (strcmp(name, t->name))
			continue;
		if (argc - 2 < t->args)
			return usage();
		err = t->run(argv + 2);
		if (err == USAGE)
			return usage();
		if (!err) {
			printf("escaped\n");
			return 0;
		}
		printf("blocked: %s: %s\n", blocked_step, blocked_reason ? blocked_reason : strerror(err));
		return 1;
	}
	return usage();
}
