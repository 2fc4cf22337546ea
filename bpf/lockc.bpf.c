// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockc's BPF LSM programs. Containers are cgroup v2 subtrees registered in
 * the "containers" map; each names a policy in the "policies" map. A task is
 * confined by the policy of the nearest registered ancestor of its cgroup.
 * Tasks outside every registered cgroup are never touched.
 *
 * Every hook returns an earlier LSM's denial unchanged, and denies when a
 * registration points at a policy that does not exist (fail closed).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lockc.h"

#define EPERM 1

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LOCKC_CONTAINERS_MAX);
	__type(key, __u64);
	__type(value, struct lockc_container);
} containers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LOCKC_POLICIES_MAX);
	__type(key, __u32);
	__type(value, struct lockc_policy);
} policies SEC(".maps");

/*
 * The registration of the nearest registered ancestor of the current task's
 * cgroup (the cgroup itself included), or NULL if there is none. Walking from
 * the root down and keeping the last match finds the nearest one while never
 * looking deeper than LOCKC_CGROUP_LEVEL_MAX, the deepest level lockcctl
 * registers.
 */
static struct lockc_container *current_container(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct lockc_container *found = NULL, *entry;
	int level = BPF_CORE_READ(task, cgroups, dfl_cgrp, level);

	for (int i = 1; i <= LOCKC_CGROUP_LEVEL_MAX && i <= level; i++) {
		__u64 id = bpf_get_current_ancestor_cgroup_id(i);

		entry = bpf_map_lookup_elem(&containers, &id);
		if (entry)
			found = entry;
	}
	return found;
}

/* The policy of the current task, or NULL for a task outside containers. */
static struct lockc_policy *current_policy(bool *confined)
{
	struct lockc_container *container = current_container();

	*confined = container != NULL;
	if (!container)
		return NULL;
	return bpf_map_lookup_elem(&policies, &container->policy_id);
}

SEC("lsm/syslog")
int BPF_PROG(lockc_syslog, int type, int ret)
{
	struct lockc_policy *policy;
	bool confined;

	if (ret)
		return ret;
	policy = current_policy(&confined);
	if (!confined)
		return 0;
	if (!policy || policy->syslog != LOCKC_VERDICT_ALLOW)
		return -EPERM;
	return 0;
}
