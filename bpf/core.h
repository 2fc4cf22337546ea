/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The confinement and report core every hook starts from: whether the
 * current task is confined and by which registration and policy (confined()),
 * what a denial returns (denial()), how it is reported on the events ring
 * buffer (refuse(), refuse_str()), the scratch buffers that reports and paths
 * are built in, and which credentials are a container's (task_creds).
 */
#ifndef LOCKC_BPF_CORE_H
#define LOCKC_BPF_CORE_H

static struct scratch *scratch_try(__u32 slot)
{
	struct scratch *s = bpf_map_lookup_elem(&scratch_slots, &slot);

	if (!s || __sync_val_compare_and_swap(&s->busy, 0, 1))
		return NULL;
	s->learned_missed = 0;
	return s;
}

/* NULL when every slot of this CPU is taken: the caller denies. */
static struct scratch *scratch_claim(void)
{
	_Static_assert(SCRATCH_SLOTS == 4, "scratch_claim tries each slot");
	return scratch_try(0) ?: scratch_try(1) ?: scratch_try(2) ?: scratch_try(3);
}

static void scratch_release(struct scratch *s)
{
	__sync_lock_test_and_set(&s->busy, 0);
}

/*
 * Argument n of the hook as a number, read through bpf_get_func_arg.
 */
static __u64 pointer_arg(void *ctx, __u32 n)
{
	__u64 value = 0;

	bpf_get_func_arg(ctx, n, &value);
	return value;
}

/*
 * Whether pointer argument n of the hook, `ptr`, which may be NULL, is set.
 * Verifiers disagree on such an argument: 6.12's types every hook argument
 * as never NULL and drops a test of the pointer as dead code, so only the
 * number read by pointer_arg tells; 7.x's types those the kernel marks
 * nullable as maybe NULL and refuses a dereference that no test of the
 * pointer itself guards. Both tests, then: each kernel keeps the one it needs.
 */
#define ARG_SET(ctx, n, ptr) (pointer_arg(ctx, n) && (ptr))

/* What confines the current task: its arming, registration and policy. */
struct confinement {
	struct lockc_task *task;
	struct lockc_container *container;	/* NULL: the registration is gone, and the task left its cgroup: deny */
	struct lockc_policy *policy;	/* NULL: the policy or registration is missing, deny */
};

/*
 * TASK's arming, or NULL. A host task holds no task storage at all, and one
 * load says so where the helper's lookup costs about a hundred instructions
 * on every hook it runs (make bench, "lockc, host process").
 */
static struct lockc_task *armed_task(struct task_struct *task)
{
	if (!task->bpf_storage)
		return NULL;
	return bpf_task_storage_get(&armed_tasks, task, 0, 0);
}

/*
 * False for a task that lockc leaves alone: one never armed, or one whose
 * registration an admin deleted (or an upgrade has not carried yet) while
 * the task is still in the registered cgroup. A task that left that cgroup
 * stays confined: once the registration is gone (the cgroup was removed
 * after the task moved out), no policy applies and everything is denied.
 */
static bool confined(struct confinement *c)
{
	c->task = armed_task(bpf_get_current_task_btf());
	if (!c->task)
		return false;
	c->container = bpf_map_lookup_elem(&containers, &c->task->container);
	if (c->container) {
		c->policy = bpf_map_lookup_elem(&policies, &c->container->policy_id);
		return true;
	}
	c->policy = NULL;
	return bpf_get_current_ancestor_cgroup_id(c->task->level) != c->task->container;
}

/* Whether the container is in learning mode (LOCKC_MODE_LEARN). */
static bool learning(struct confinement *c)
{
	return c->container && c->container->mode == LOCKC_MODE_LEARN;
}

/*
 * What a hook returns for a denial: -EPERM, unless the registration says
 * audit or learn. Branches, not arithmetic on a bool: the verifier must see a
 * return value in [-4095, 0], which a negated 32-bit 0 or 1 is not.
 */
static int denial(struct confinement *c)
{
	if (c->container && (c->container->mode == LOCKC_MODE_AUDIT || c->container->mode == LOCKC_MODE_LEARN))
		return 0;
	return -EPERM;
}

/* A missing policy allows nothing. */
#define ALLOWED(policy, field) ((policy) && (policy)->field == LOCKC_VERDICT_ALLOW)

static void count_event(__u64 *counter)
{
	__sync_fetch_and_add(counter, 1);
}

/*
 * Whether the container may send one more event in the current window. When
 * it may, *suppressed is what it was refused since its last one.
 */
static bool event_budget_take(__u64 container, __u32 *suppressed)
{
	struct lockc_event_budget *budget, fresh = {};
	__u64 now = bpf_ktime_get_boot_ns();

	budget = bpf_map_lookup_elem(&event_budgets, &container);
	if (!budget) {
		fresh.window_start_ns = now;
		bpf_map_update_elem(&event_budgets, &container, &fresh, BPF_NOEXIST);
		budget = bpf_map_lookup_elem(&event_budgets, &container);
		if (!budget)
			return true;	/* cannot count: better one event too many */
	}
	/* Unlocked: a race costs an event more or less in a window, never a verdict. */
	if (now - budget->window_start_ns >= LOCKC_EVENT_WINDOW_NS) {
		budget->window_start_ns = now;
		budget->sent = 0;
	}
	if (budget->sent >= LOCKC_EVENTS_PER_WINDOW) {
		__sync_fetch_and_add(&budget->suppressed, 1);
		return false;
	}
	__sync_fetch_and_add(&budget->sent, 1);
	*suppressed = __sync_lock_test_and_set(&budget->suppressed, 0);
	return true;
}

/*
 * Whether a learning container does (op, value, detail) for the first time,
 * the value being s->event.value and the detail detail_len bytes of
 * s->path: then it is recorded in map
 * "learned", else counted there. A full map records nothing, says no, and
 * marks the scratch buffer so that the decision is not kept as recorded.
 */
static bool learned_first(struct confinement *c, enum lockc_operation op, struct scratch *s, __u32 detail_len,
			  enum lockc_decision decision)
{
	__u32 value = s->event.value;
	struct lockc_learned_key *key = &s->learned_key;
	struct lockc_learned *seen, *first = &s->learned_value;
	__u32 n = detail_len < LOCKC_LEARNED_DETAIL_MAX ? detail_len : LOCKC_LEARNED_DETAIL_MAX - 1;
	bool ip = LOCKC_OP_IS_IP(op);
	long err;

	if (!c->container) {
		s->learned_missed = 1;
		return false;
	}
	__builtin_memset(key, 0, sizeof(*key));
	/* A helper's copy: clang would stage a 64-byte memcpy on the stack, which the deepest hooks cannot spare. */
	bpf_probe_read_kernel(key->container, LOCKC_NAME_MAX - 1, c->container->name);
	key->operation = op;
	key->value = ip ? 0 : value;
	barrier_var(n);
	if (!ip && n > 0 && n < LOCKC_LEARNED_DETAIL_MAX)
		bpf_probe_read_kernel(key->detail, n, s->path);
	seen = bpf_map_lookup_elem(&learned, key);
	if (seen) {
		__sync_fetch_and_add(&seen->count, 1);
		return false;
	}
	first->count = 1;
	first->decision = decision;
	first->first_ns = bpf_ktime_get_boot_ns();
	first->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(first->comm, sizeof(first->comm));
	err = bpf_map_update_elem(&learned, key, first, BPF_NOEXIST);
	/* EEXIST: another CPU recorded it in the meantime. */
	if (err && err != -EEXIST)
		s->learned_missed = 1;
	return !err;
}

/*
 * Report an operation whose detail, detail_len bytes, is already in s->path,
 * and whose value is in s->event.value: a denial (DENIED, AUDITED), or what a
 * learning container did first (LEARNED, USED). A learning container's
 * events are as many as the distinct operations in "learned", which bounds
 * them, so they take no budget: a suggestion read from saved events misses
 * none that the ring buffer had room for.
 */
static void report(struct confinement *c, enum lockc_operation op, enum lockc_decision decision,
		   struct scratch *s, __u32 detail_len)
{
	struct lockc_event *e = &s->event;
	struct lockc_event_stats *stats;
	__u32 zero = 0, suppressed = 0, detail = detail_len & (PATH_MAX - 1);
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	stats = bpf_map_lookup_elem(&event_stats, &zero);
	if (!learning(c) && !event_budget_take(c->task->container, &suppressed)) {
		if (stats)
			count_event(&stats->rate_limited);
		return;
	}
	e->time_ns = bpf_ktime_get_boot_ns();
	e->container = c->task->container;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->policy_id = c->container ? c->container->policy_id : 0;
	e->suppressed = suppressed;
	e->operation = op;
	e->decision = decision;
	e->detail_len = detail;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	if (c->container)
		__builtin_memcpy(e->container_name, c->container->name, LOCKC_NAME_MAX);
	else
		e->container_name[0] = '\0';
	e->container_name[LOCKC_NAME_MAX - 1] = '\0';
	if (c->policy)
		__builtin_memcpy(e->policy_name, c->policy->name, LOCKC_NAME_MAX);
	else
		e->policy_name[0] = '\0';
	e->policy_name[LOCKC_NAME_MAX - 1] = '\0';
	if (bpf_ringbuf_output(&events, e, sizeof(*e) + detail, 0)) {
		if (stats)
			count_event(&stats->ring_full);
		return;
	}
	if (stats)
		count_event(&stats->sent);
}

/*
 * The answer to an operation that the policy denies, reported with the
 * detail in s->path: -EPERM, or 0 for a container in audit mode.
 */
static int refuse(struct confinement *c, enum lockc_operation op, __u32 value, struct scratch *s,
		  __u32 detail_len)
{
	int ret = denial(c);

	s->event.value = value;
	if (ret)
		report(c, op, LOCKC_DECISION_DENIED, s, detail_len);
	else if (!learning(c))
		report(c, op, LOCKC_DECISION_AUDITED, s, detail_len);
	else if (learned_first(c, op, s, detail_len, LOCKC_DECISION_LEARNED))
		report(c, op, LOCKC_DECISION_LEARNED, s, detail_len);
	return ret;
}

/*
 * What a learning container does that its policy allows, of the kinds a
 * policy narrows (paths, devices, capabilities, sockets): recorded once, as
 * refuse() records what it denies. The detail is in s->path.
 */
static void learn_use(struct confinement *c, enum lockc_operation op, __u32 value, struct scratch *s,
		      __u32 detail_len)
{
	if (!learning(c))
		return;
	s->event.value = value;
	if (learned_first(c, op, s, detail_len, LOCKC_DECISION_USED))
		report(c, op, LOCKC_DECISION_USED, s, detail_len);
}

/* learn_use() for hooks that hold no scratch buffer and have no detail. */
static void learn_use_value(struct confinement *c, enum lockc_operation op, __u32 value)
{
	struct scratch *s;

	if (!learning(c))
		return;
	s = scratch_claim();
	if (!s)
		return;
	learn_use(c, op, value, s, 0);
	scratch_release(s);
}

/*
 * refuse() for hooks that hold no scratch buffer: the detail is a kernel
 * string (or none), copied into a buffer claimed here.
 */
static int refuse_str(struct confinement *c, enum lockc_operation op, __u32 value, const char *detail)
{
	struct lockc_event_stats *stats;
	struct scratch *s = scratch_claim();
	__u32 zero = 0;
	long len = 0;

	if (!s) {
		stats = bpf_map_lookup_elem(&event_stats, &zero);
		if (stats)
			count_event(&stats->no_buffer);
		return denial(c);
	}
	if (detail)
		len = bpf_probe_read_kernel_str(s->path, sizeof(s->path), detail);
	refuse(c, op, value, s, len > 1 ? len - 1 : 0);
	scratch_release(s);
	/*
	 * Asked again rather than kept across the calls: a kept answer spilled
	 * to the stack loses the range that 6.12's verifier checks a hook's
	 * return value against.
	 */
	return denial(c);
}

/* The name of a dentry, for an event's detail. */
static const char *dentry_name(struct dentry *dentry)
{
	return (const char *)BPF_CORE_READ(dentry, d_name.name);
}

/* Record credentials as container's; a full map fails the change that makes them (fail closed). */
static int own_creds(const struct cred *cred, __u64 container)
{
	struct lockc_cred_owner owner = { .container = container };
	__u64 key = (__u64)cred;

	return bpf_map_update_elem(&task_creds, &key, &owner, BPF_ANY) ? -ENOMEM : 0;
}

/* Whether cred is the current task's own: its real ones, or made by its container. */
static bool creds_of(struct confinement *c, const struct cred *cred)
{
	struct lockc_cred_owner *owner;
	__u64 key = (__u64)cred;

	if (cred == BPF_CORE_READ(bpf_get_current_task_btf(), real_cred))
		return true;
	owner = bpf_map_lookup_elem(&task_creds, &key);
	return owner && owner->container == c->task->container;
}

#endif /* LOCKC_BPF_CORE_H */
