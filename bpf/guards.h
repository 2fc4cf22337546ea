/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guards: containers that nobody registered. An engine that skips lockc's
 * hook or runtime wrapper (`docker run --runtime runc`, `ctr run`, a hooks.d
 * file pointing nowhere) still puts its containers in its own cgroups; the
 * "guards" map names those trees (maps/guards.md), and a task that execs in
 * one with no registration of its own is registered here, by the kernel,
 * under the node's default policy. So the hook and the wrapper choose the
 * right policy; they are not the only barrier.
 */
#ifndef LOCKC_BPF_GUARDS_H
#define LOCKC_BPF_GUARDS_H

/* The cgroup path of a task, built from the root down into s->guard. */
struct guard_walk {
	struct lockc_guard_key *key;
	struct cgroup *cgrp;
	__u32 level;
	__u32 len;		/* bytes of key->path written so far */
	bool failed;		/* a name could not be read: no path, no guard */
};

static long guard_walk_step(__u32 i, void *ctx)
{
	struct guard_walk *w = ctx;
	/* Locals: CO-RE relocates kernel structs, not this one. */
	struct cgroup *cgrp = w->cgrp, *ancestor = NULL;
	__u32 len = w->len;
	long n;

	if (i >= w->level)
		return 1;
	barrier_var(len);
	/* A longer path can match no longer prefix: what was read decides. */
	if (len >= LOCKC_GUARD_PATH_MAX - 1)
		return 1;
	bpf_core_read(&ancestor, sizeof(ancestor), &cgrp->ancestors[i + 1]);
	w->key->path[len] = '/';
	len++;
	/* Room behind s->guard (s->walk) lets the verifier accept any length up to the end. */
	n = bpf_probe_read_kernel_str(&w->key->path[len], LOCKC_GUARD_PATH_MAX - len, BPF_CORE_READ(ancestor, kn, name));
	if (n <= 1) {
		w->failed = true;
		return 1;
	}
	w->len = len + n - 1;
	return 0;
}

/*
 * The name a guard registration gets: LOCKC_GUARD_NAME_PREFIX, then the
 * cgroup's own name, cut to fit. Byte by byte, as a string constant would
 * add a .rodata map.
 */
static void guard_name(char name[LOCKC_NAME_MAX], struct cgroup *cgrp)
{
	_Static_assert(sizeof(LOCKC_GUARD_NAME_PREFIX) == 7, "guard_name writes 6 bytes of prefix");
	name[0] = 'g';
	name[1] = 'u';
	name[2] = 'a';
	name[3] = 'r';
	name[4] = 'd';
	name[5] = ':';
	bpf_probe_read_kernel_str(&name[6], LOCKC_NAME_MAX - 6, BPF_CORE_READ(cgrp, kn, name));
}

/*
 * Register the current task's cgroup if a guard covers it. Returns 0 and
 * sets *id and *level when it did (or another task of the cgroup just did),
 * 1 when no guard covers it, and an error when the cgroup must be
 * registered and cannot be: the exec is then refused, as an unconfined
 * container must not start.
 */
static int guard_register(__u64 *id, __u32 *level)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cgroup *cgrp = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	struct lockc_container entry = {};
	struct guard_walk w = { .cgrp = cgrp, .level = BPF_CORE_READ(cgrp, level) };
	struct lockc_guard *guard;
	struct scratch *s;
	long err;

	/* Deeper cgroups could not be found again by registered_ancestor(). */
	if (w.level == 0 || w.level > LOCKC_CGROUP_LEVEL_MAX)
		return 1;
	/*
	 * The runtime's own steps are no workload: runc init re-executes
	 * itself from a sealed copy (CVE-2019-5736), and its parent may have
	 * moved it into the container's cgroup by then; it is still in its
	 * parent's mount namespace. A workload execs in the container's own,
	 * which the runtime made. (A container that shares its runtime's
	 * mount namespace is no container of the engines guarded here.)
	 */
	if (BPF_CORE_READ(task, nsproxy, mnt_ns) == BPF_CORE_READ(task, real_parent, nsproxy, mnt_ns))
		return 1;
	s = scratch_claim();
	if (!s)
		return -ENOMEM;
	w.key = &s->guard;
	bpf_loop(LOCKC_CGROUP_LEVEL_MAX, guard_walk_step, &w, 0);
	if (w.failed || w.len == 0 || w.len > LOCKC_GUARD_PATH_MAX) {
		scratch_release(s);
		return 1;
	}
	s->guard.class = LOCKC_GUARD_TREE;
	s->guard.prefixlen = LOCKC_GUARD_KEY_HEADER_BITS + 8 * w.len;
	guard = bpf_map_lookup_elem(&guards, &s->guard);
	if (!guard || guard->policy_id == LOCKC_POLICY_ID_NONE) {
		scratch_release(s);
		return 1;
	}
	entry.policy_id = guard->policy_id;
	entry.mode = guard->mode;

	/* The engine's own cgroups (a monitor that runs the runtime) are no container. */
	s->guard.class = LOCKC_GUARD_EXEMPT;
	err = bpf_probe_read_kernel_str(s->guard.path, sizeof(s->guard.path), BPF_CORE_READ(cgrp, kn, name));
	if (err > 1) {
		s->guard.prefixlen = LOCKC_GUARD_KEY_HEADER_BITS + 8 * (err - 1);
		if (bpf_map_lookup_elem(&guards, &s->guard)) {
			scratch_release(s);
			return 1;
		}
	}
	scratch_release(s);

	guard_name(entry.name, cgrp);
	*id = BPF_CORE_READ(cgrp, kn, id);
	*level = w.level;
	err = bpf_map_update_elem(&containers, id, &entry, BPF_NOEXIST);
	if (err && err != -EEXIST)
		return -ENOMEM;	/* the containers map is full: no unconfined container */
	return 0;
}

#endif /* LOCKC_BPF_GUARDS_H */
