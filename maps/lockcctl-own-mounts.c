// SPDX-License-Identifier: GPL-2.0-only
/*
 * The container's own mounts (maps/own_mounts.md): what the runtime mounted
 * for it, read from its /proc/PID/mountinfo when it is registered from its
 * spec, and written to "own_mounts" for the policies that say
 * "allow own-mounts".
 *
 * Only a spec-checked registration records them: every bind mount of such
 * a container passed the volume rules (check_mounts), so what is mounted
 * under its root is its image, its tmpfs mounts and the volumes its policy
 * approved, and the kernel's interfaces, which are never its own.
 */
#include "lockcctl.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

/*
 * File systems that hold data. Any other (proc, sysfs, devpts, mqueue,
 * cgroup, securityfs, FUSE file systems that imitate /proc such as lxcfs)
 * is the kernel's or someone's interface, judged by the file rules alone.
 */
static const char *const data_fs_types[] = {
	"tmpfs", "ramfs", "overlay", "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "nfs",
	"nfs4", "cifs", "smb3", "ceph", "9p", "virtiofs", "squashfs", "erofs", "vfat", "exfat",
};

static bool data_fs(const char *type)
{
	for (size_t i = 0; i < COUNT(data_fs_types); i++)
		if (strcmp(type, data_fs_types[i]) == 0)
			return true;
	return false;
}

/* mountinfo's octal escapes (\040 for a space, \134 for a backslash), in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/* The mount id of an open file, from /proc/self/fdinfo; -1 if it cannot be read. */
static long fd_mount_id(int fd)
{
	char file[64], line[256];
	long id = -1;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/self/fdinfo/%d", fd);
	f = fopen(file, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "mnt_id: %ld", &id) == 1)
			break;
	fclose(f);
	return id;
}

struct mount_entry {
	long id;
	char point[PATH_MAX];	/* as the container's process sees it */
	char type[64];
};

/*
 * The mounts of process `pid` at or below `root` (its root directory as
 * that process sees it) of a data file system type.
 */
static size_t read_mountinfo(long pid, const char *root, struct mount_entry **out)
{
	char file[64], *line = NULL, point[PATH_MAX], type[64];
	size_t cap = 0, count = 0, line_size = 0, root_len = strlen(root);
	struct mount_entry *entries = NULL;
	long id;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%ld/mountinfo", pid);
	f = fopen(file, "r");
	if (!f)
		fail("cannot read %s: %s.", file, strerror(errno));
	while (getline(&line, &line_size, f) > 0) {
		char *sep = strstr(line, " - ");

		/* ID PARENT MAJOR:MINOR ROOT MOUNT-POINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER-OPTIONS */
		if (!sep || sscanf(line, "%ld %*d %*s %*s %4095s", &id, point) != 2 ||
		    sscanf(sep, " - %63s", type) != 1)
			fail("cannot parse %s: '%s'.", file, line);
		unescape(point);
		if (!data_fs(type))
			continue;
		if (strcmp(root, "/") != 0 &&
		    (strncmp(point, root, root_len) != 0 || (point[root_len] != '/' && point[root_len] != '\0')))
			continue;
		if (count == cap) {
			cap = cap ? 2 * cap : 32;
			entries = realloc(entries, cap * sizeof(*entries));
			if (!entries)
				fail("out of memory.");
		}
		entries[count].id = id;
		snprintf(entries[count].point, sizeof(entries[count].point), "%s", point);
		snprintf(entries[count].type, sizeof(entries[count].type), "%s", type);
		count++;
	}
	free(line);
	fclose(f);
	*out = entries;
	return count;
}

/*
 * The root of the container's file system as its process's mountinfo
 * names it: before pivot_root (an OCI createRuntime hook) the spec's
 * root.path, which the runtime bind-mounts onto itself; after it (the
 * runtime wrapper, once create returned) "/".
 */
static void container_root(const struct mount_entry *entries, size_t count, const char *spec_root, char *out,
			   size_t size)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(entries[i].point, spec_root) == 0) {
			snprintf(out, size, "%s", spec_root);
			return;
		}
	snprintf(out, size, "/");
}

/*
 * The own mounts of the container whose process is `pid` and whose spec
 * says root.path `spec_root` (absolute): its root, and every mount of a
 * data file system below it that no other mount hides.
 */
size_t own_mounts_read(long pid, const char *spec_root, struct own_mount_record **out)
{
	struct mount_entry *all, *entries;
	struct own_mount_record *records;
	char file[64], root[PATH_MAX];
	size_t count, n = 0, root_len;
	int root_fd;

	count = read_mountinfo(pid, "/", &all);
	container_root(all, count, spec_root, root, sizeof(root));
	free(all);
	count = read_mountinfo(pid, root, &entries);
	root_len = strcmp(root, "/") == 0 ? 0 : strlen(root);

	snprintf(file, sizeof(file), "/proc/%ld/root", pid);
	root_fd = open(file, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0)
		fail("cannot open %s: %s.", file, strerror(errno));
	records = calloc(count ? count : 1, sizeof(*records));
	if (!records)
		fail("out of memory.");
	for (size_t i = 0; i < count; i++) {
		/* Resolved in the process's own tree, following no symlink: the mount point itself. */
		struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS };
		const char *relative = entries[i].point + 1;
		struct stat st;
		int fd;

		fd = (int)syscall(SYS_openat2, root_fd, *relative ? relative : ".", &how, sizeof(how));
		if (fd < 0)
			fail("cannot open the mount point %s of process %ld: %s.", entries[i].point, pid, strerror(errno));
		/* Another mount on top hides this one: the top one is listed itself. */
		if (fd_mount_id(fd) != entries[i].id) {
			close(fd);
			continue;
		}
		if (fstat(fd, &st))
			fail("cannot stat the mount point %s of process %ld: %s.", entries[i].point, pid, strerror(errno));
		close(fd);
		records[n].key.dev_major = major(st.st_dev);
		records[n].key.dev_minor = minor(st.st_dev);
		records[n].key.ino = st.st_ino;
		snprintf(records[n].value.mount_point, sizeof(records[n].value.mount_point), "%s",
			 entries[i].point[root_len] ? entries[i].point + root_len : "/");
		n++;
	}
	close(root_fd);
	free(entries);
	*out = records;
	return n;
}

int open_own_mounts(void)
{
	return open_map("own_mounts", sizeof(struct lockc_own_mount_key), sizeof(struct lockc_own_mount));
}

/*
 * Delete the entries of container `id` (0: none) whose key is not among
 * `keep`, and those of any container that is no longer registered (its
 * registration deleted by hand, which the kernel's cleanup at cgroup
 * removal does not see).
 */
static void own_mounts_sweep(int fd, __u64 id, const struct own_mount_record *keep, size_t keep_count)
{
	struct lockc_own_mount_key key, next, *prev = NULL;
	struct lockc_container entry;
	int containers_fd = open_containers();
	bool kept;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		kept = key.container == id;
		if (kept) {
			kept = false;
			for (size_t i = 0; i < keep_count && !kept; i++)
				kept = memcmp(&keep[i].key, &key, sizeof(key)) == 0;
		} else {
			kept = bpf_map_lookup_elem(containers_fd, &key.container, &entry) == 0;
		}
		/* Deleting the current key restarts the walk from the first. */
		if (!kept && bpf_map_delete_elem(fd, &key) == 0)
			prev = NULL;
	}
	close(containers_fd);
}

/*
 * Record `records` as container `id`'s own mounts, replacing what it had.
 * NULL, or what failed; then the container has none (the caller undoes
 * its registration).
 */
const char *own_mounts_write(__u64 id, struct own_mount_record *records, size_t count)
{
	static char problem[256];
	int fd = open_own_mounts();

	for (size_t i = 0; i < count; i++) {
		records[i].key.container = id;
		if (bpf_map_update_elem(fd, &records[i].key, &records[i].value, BPF_ANY)) {
			if (errno == E2BIG)
				snprintf(problem, sizeof(problem), "the own_mounts map is full (%d entries)",
					 LOCKC_OWN_MOUNTS_MAX);
			else
				snprintf(problem, sizeof(problem), "cannot record the mount %s: %s",
					 records[i].value.mount_point, strerror(errno));
			own_mounts_sweep(fd, id, NULL, 0);
			close(fd);
			return problem;
		}
	}
	own_mounts_sweep(fd, id, records, count);
	close(fd);
	return NULL;
}

/* Delete container `id`'s own mounts (its registration was deleted). */
void own_mounts_forget(__u64 id)
{
	int fd = open_own_mounts();

	own_mounts_sweep(fd, id, NULL, 0);
	close(fd);
}
