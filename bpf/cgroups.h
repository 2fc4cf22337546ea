/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where a cgroup lies relative to the registered containers: the
 * registration a task is armed by, and whether a cgroup (a socket's, a
 * cgroupfs directory's) lies in a container's subtree.
 */
#ifndef LOCKC_BPF_CGROUPS_H
#define LOCKC_BPF_CGROUPS_H

/*
 * The nearest registered ancestor of the current task's cgroup (the cgroup
 * itself included) and its level, or NULL. Walking from the root down and
 * keeping the last match finds the nearest one while never looking deeper
 * than LOCKC_CGROUP_LEVEL_MAX, the deepest level lockcctl registers. Only
 * unarmed tasks pay for this, once per execve.
 */
static __u64 registered_ancestor(__u32 *found_level)
{
	struct task_struct *task = bpf_get_current_task_btf();
	int level = BPF_CORE_READ(task, cgroups, dfl_cgrp, level);
	__u64 found = 0;

	for (int i = 1; i <= LOCKC_CGROUP_LEVEL_MAX && i <= level; i++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(i);

		if (bpf_map_lookup_elem(&containers, &id)) {
			found = id;
			*found_level = i;
		}
	}
	return found;
}

/*
 * Whether cgroup cgrp is the cgroup with id `id` at `level`, or below it.
 * A socket keeps the cgroup of the task that created it. Cgroups nested more
 * than SOCKET_CGROUP_CLIMB_MAX levels below a container count as outside.
 */
#define SOCKET_CGROUP_CLIMB_MAX 64

static bool in_cgroup_subtree(struct cgroup *cgrp, __u64 id, __u32 level)
{
	int steps;

	if (!cgrp)
		return false;
	steps = BPF_CORE_READ(cgrp, level) - (int)level;
	if (steps < 0 || steps > SOCKET_CGROUP_CLIMB_MAX)
		return false;
	for (int i = 0; i < SOCKET_CGROUP_CLIMB_MAX && i < steps && cgrp; i++)
		cgrp = BPF_CORE_READ(cgrp, self.parent, cgroup);
	return cgrp && BPF_CORE_READ(cgrp, kn, id) == id;
}

/*
 * The registration whose subtree holds cgroup cgrp (its nearest registered
 * ancestor, itself included), or 0.
 */
static __u64 container_of_cgroup(struct cgroup *cgrp)
{
	for (int i = 0; i < SOCKET_CGROUP_CLIMB_MAX && cgrp; i++) {
		__u64 id = BPF_CORE_READ(cgrp, kn, id);

		if (bpf_map_lookup_elem(&containers, &id))
			return id;
		cgrp = BPF_CORE_READ(cgrp, self.parent, cgroup);
	}
	return 0;
}

#endif /* LOCKC_BPF_CGROUPS_H */
