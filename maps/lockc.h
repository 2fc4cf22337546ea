/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * lockc's control-plane ABI: the keys, values, limits and enums of the maps
 * pinned under /sys/fs/bpf/lockc/maps/. The BPF programs in bpf/ and the
 * lockcctl helper both include this header, so neither can drift from the
 * other. Every map is described for admins in maps/<name>.md.
 *
 * The BPF side includes vmlinux.h first, which provides __u32 and friends;
 * userspace gets them from <linux/types.h>.
 */
#ifndef LOCKC_H
#define LOCKC_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Longest container or policy name, terminating NUL included. */
#define LOCKC_NAME_MAX 64

/* Sizes of the pinned maps. */
#define LOCKC_CONTAINERS_MAX 16384
#define LOCKC_POLICIES_MAX 256

/*
 * Registered cgroups must sit at most this deep below the cgroup v2 root
 * (the root itself is level 0 and cannot be registered). The kernel side
 * checks the ancestors of a task's cgroup at levels 1..LOCKC_CGROUP_LEVEL_MAX
 * only, so a task nested deeper than that below a registered cgroup is still
 * found; lockcctl refuses to register anything deeper.
 */
#define LOCKC_CGROUP_LEVEL_MAX 32

/* Policy id 0 never names a policy, so a zeroed value cannot match one. */
#define LOCKC_POLICY_ID_NONE 0

/*
 * What a policy says about an operation. Zero is deliberately not a verdict:
 * a field that was never written reads as "not allowed".
 */
enum lockc_verdict {
	LOCKC_VERDICT_ALLOW = 1,
	LOCKC_VERDICT_DENY = 2,
};

/* Map "containers": key __u64 cgroup id (the cgroup v2 directory's inode). */
struct lockc_container {
	__u32 policy_id;		/* key into "policies" */
	char name[LOCKC_NAME_MAX];	/* for admins and events, NUL-terminated */
};

/* Map "policies": key __u32 policy id (>= 1). */
struct lockc_policy {
	char name[LOCKC_NAME_MAX];	/* unique, NUL-terminated */
	enum lockc_verdict syslog;	/* syslog(2), /dev/kmsg, dmesg */
};

#endif /* LOCKC_H */
