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
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <linux/bpf.h>
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
