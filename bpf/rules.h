/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Rule lookups: the longest prefix rule of a class for a path (the key
 * encoding is maps/rules.md's), device and IPC rules, and the verdict
 * caches that spare a repeated operation the path and the lookups: per inode
 * for opens and execs (allowed_inodes), per directory for changes
 * (allowed_dirs), each with the node-wide count that invalidates it
 * (path_changes, tree_changes), and per name for a learning container
 * (learned_names).
 */
#ifndef LOCKC_BPF_RULES_H
#define LOCKC_BPF_RULES_H

/* The number in a one-entry counter map (path_changes, tree_changes). */
#define COUNT_OF(map)                                                 \
	({                                                            \
		__u32 zero = 0;                                       \
		__u64 *count = bpf_map_lookup_elem(&(map), &zero);    \
		count ? *count : 0;                                   \
	})

#define COUNT_ONE_MORE(map)                                           \
	({                                                            \
		__u32 zero = 0;                                       \
		__u64 *count = bpf_map_lookup_elem(&(map), &zero);    \
		if (count)                                            \
			__sync_fetch_and_add(count, 1);               \
	})

/* The count of path changes so far; see "path_changes" in maps/lockc.h. */
static __u64 path_changes_now(void)
{
	return COUNT_OF(path_changes);
}

/* The count of directory moves so far; see "tree_changes" in maps/lockc.h. */
static __u64 tree_changes_now(void)
{
	return COUNT_OF(tree_changes);
}

/*
 * Called by every task, the host's too: a host rename can move a file out
 * of a container's allowed paths.
 */
static void note_path_change(void)
{
	COUNT_ONE_MORE(path_changes);
}

/* A change that moves directories (and so every file below them) to other paths. */
static void note_tree_change(void)
{
	COUNT_ONE_MORE(path_changes);
	COUNT_ONE_MORE(tree_changes);
}

/*
 * Whether the container was allowed `what` (INODE_*) on this inode, and no
 * path changed since. Never for a learning container, which must see each
 * path it uses: the inode it opens by one name may be kept from another.
 */
static bool allowed_before(struct confinement *c, struct inode *inode, __u32 what, __u64 changes)
{
	struct allowed_inode *entry = bpf_inode_storage_get(&allowed_inodes, inode, 0, 0);
	bool allowed;

	if (!entry || !c->policy || learning(c))
		return false;
	bpf_spin_lock(&entry->lock);
	allowed = entry->container == c->task->container && entry->ruleset == c->policy->ruleset &&
		  entry->path_changes == changes && (entry->allowed & what);
	bpf_spin_unlock(&entry->lock);
	return allowed;
}

/*
 * Best effort: an inode without room for an entry is decided in full next
 * time. `changes` is the count read before the decision was made, so a path
 * change while it was made leaves the entry unused.
 */
static void remember_allowed(struct confinement *c, struct inode *inode, __u32 what, __u64 changes)
{
	struct allowed_inode *entry;

	if (learning(c))
		return;
	entry = bpf_inode_storage_get(&allowed_inodes, inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!entry || !c->policy)
		return;
	bpf_spin_lock(&entry->lock);
	if (entry->container == c->task->container && entry->ruleset == c->policy->ruleset &&
	    entry->path_changes == changes) {
		entry->allowed |= what;
	} else {
		entry->container = c->task->container;
		entry->ruleset = c->policy->ruleset;
		entry->path_changes = changes;
		entry->allowed = what;
	}
	bpf_spin_unlock(&entry->lock);
}

/* The directory an allowed_dirs entry stands for, read from its inode. */
static void name_directory(struct allowed_dir *named, struct inode *dir)
{
	named->sb = (__u64)BPF_CORE_READ(dir, i_sb);
	named->ino = BPF_CORE_READ(dir, i_ino);
	named->generation = BPF_CORE_READ(dir, i_generation);
}

/*
 * Whether the container was allowed to change an entry of directory `dir`
 * (map allowed_dirs), and no directory moved or went since. Never for a
 * learning container, which must see each name it changes.
 */
static bool entries_allowed_before(struct confinement *c, struct inode *dir, __u64 changes)
{
	struct allowed_dir_key key = { .container = c->task->container, .dir = (__u64)dir };
	struct allowed_dir *entry, now;

	if (!dir || !c->policy || learning(c))
		return false;
	entry = bpf_map_lookup_elem(&allowed_dirs, &key);
	if (!entry || entry->ruleset != c->policy->ruleset || entry->tree_changes != changes)
		return false;
	name_directory(&now, dir);
	return entry->sb == now.sb && entry->ino == now.ino && entry->generation == now.generation;
}

/* Best effort: a full map drops the least recently used entry; `changes` is tree_changes from before the decision. */
static void remember_entries_allowed(struct confinement *c, struct inode *dir, __u64 changes)
{
	struct allowed_dir_key key = { .container = c->task->container, .dir = (__u64)dir };
	struct allowed_dir entry = { .tree_changes = changes };

	if (!c->policy || learning(c))
		return;
	entry.ruleset = c->policy->ruleset;
	name_directory(&entry, dir);
	bpf_map_update_elem(&allowed_dirs, &key, &entry, BPF_ANY);
}

/* The learned_names key of the name of `dentry`, reached through `mount`, for a task of c's container. */
static void name_learned_key(struct learned_name_key *key, struct confinement *c, __u64 mount,
			     struct dentry *dentry)
{
	struct dentry *directory = BPF_CORE_READ(dentry, d_parent);

	key->container = c->task->container;
	key->mount = mount;
	key->directory = (__u64)directory;
	key->directory_inode = (__u64)BPF_CORE_READ(directory, d_inode);
	key->name_hash_len = BPF_CORE_READ(dentry, d_name.hash_len);
}

/* Whether a learned_names entry was made under this ruleset and no directory moved since. */
static bool learned_name_holds(struct confinement *c, struct learned_name *entry, __u64 changes)
{
	return entry->ruleset == c->policy->ruleset && entry->tree_changes == changes;
}

/*
 * For a learning container: whether the uses `use` (LEARNED_NAME_*) of the
 * name `key` stands for are recorded in map "learned" already, so that a
 * repeat has nothing to add. `changes` is tree_changes read before the
 * decision.
 */
static bool name_recorded(struct confinement *c, struct learned_name_key *key, __u32 use, __u64 changes)
{
	struct learned_name *entry;

	if (!c->policy)
		return false;
	entry = bpf_map_lookup_elem(&learned_names, key);
	return entry && (entry->recorded & use) == use && learned_name_holds(c, entry, changes);
}

/*
 * Best effort, after a learning container's decision on the name `key`
 * stands for: keep that its uses `use` are recorded, unless learned_first()
 * could not record one (s->learned_missed). A full map drops the least
 * recently used name, which is then decided in full again.
 */
static void remember_name_recorded(struct confinement *c, struct scratch *s, struct learned_name_key *key,
				   __u32 use, __u64 changes)
{
	struct learned_name *entry, fresh = { .tree_changes = changes, .recorded = use };

	if (s->learned_missed || !c->policy)
		return;
	entry = bpf_map_lookup_elem(&learned_names, key);
	if (entry && learned_name_holds(c, entry, changes)) {
		__sync_fetch_and_or(&entry->recorded, use);
		return;
	}
	fresh.ruleset = c->policy->ruleset;
	bpf_map_update_elem(&learned_names, key, &fresh, BPF_ANY);
}

/*
 * The verdict of the longest rule of (ruleset, class) that is a prefix of
 * `path` (len bytes, no NUL, kernel memory), encoded as maps/lockc.h says;
 * `unmatched` when no rule is.
 */
static enum lockc_verdict rule_verdict_or(struct scratch *s, __u32 ruleset, enum lockc_rule_class class,
					  const char *path, __u32 len, enum lockc_verdict unmatched)
{
	struct lockc_rule_key *key = &s->key;
	struct lockc_rule *rule;
	__u32 n = len < LOCKC_RULE_PATH_MAX ? len : LOCKC_RULE_PATH_MAX;

	/* barrier_var keeps the compiler from folding the bounds the verifier needs. */
	barrier_var(n);
	if (n == 0 || n > LOCKC_RULE_PATH_MAX)
		return LOCKC_VERDICT_DENY;
	if (bpf_probe_read_kernel(key->path, n, path))
		return LOCKC_VERDICT_DENY;
	if (n < LOCKC_RULE_PATH_MAX) {
		__u32 last = n - 1;

		/* The whole path fit: add the "/" and the NUL that end it. */
		barrier_var(last);
		if (last >= LOCKC_RULE_PATH_MAX)
			return LOCKC_VERDICT_DENY;
		if (key->path[last] != '/')
			key->path[n++] = '/';
		barrier_var(n);
		if (n < LOCKC_RULE_PATH_MAX)
			key->path[n++] = '\0';
	}
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * n;
	key->ruleset = ruleset;
	key->class = class;
	rule = bpf_map_lookup_elem(&rules, key);
	return rule ? rule->verdict : unmatched;
}

/* rule_verdict_or() for the classes where a path no rule matches is denied. */
static enum lockc_verdict rule_verdict(struct scratch *s, __u32 ruleset, enum lockc_rule_class class,
				       const char *path, __u32 len)
{
	return rule_verdict_or(s, ruleset, class, path, len, LOCKC_VERDICT_DENY);
}

static bool is_device(umode_t mode)
{
	return (mode & S_IFMT) == S_IFCHR || (mode & S_IFMT) == S_IFBLK;
}

/* The verdict of the ruleset's device rules on a character or block device. */
static enum lockc_verdict device_verdict(struct scratch *s, __u32 ruleset, umode_t mode, dev_t dev)
{
	struct lockc_rule_key *key = &s->key;
	struct lockc_rule *rule;
	__u32 major = bpf_htonl(DEV_MAJOR(dev)), minor = bpf_htonl(DEV_MINOR(dev));

	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * LOCKC_DEVICE_KEY_LEN;
	key->ruleset = ruleset;
	key->class = LOCKC_RULE_DEVICE;
	key->path[0] = (mode & S_IFMT) == S_IFBLK ? 'b' : 'c';
	__builtin_memcpy(&key->path[1], &major, sizeof(major));
	__builtin_memcpy(&key->path[5], &minor, sizeof(minor));
	rule = bpf_map_lookup_elem(&rules, key);
	return rule ? rule->verdict : LOCKC_VERDICT_DENY;
}

/* Whether the write rules let s->path (len bytes) change. */
static bool write_allowed(struct scratch *s, struct lockc_policy *policy, __u32 len)
{
	return len > 0 &&
	       rule_verdict_or(s, policy->ruleset, LOCKC_RULE_WRITE, s->path, len, LOCKC_VERDICT_ALLOW) ==
		       LOCKC_VERDICT_ALLOW;
}

/* Whether ruleset has an IPC rule that allows the policy named `name`. */
static bool ipc_rule(struct scratch *s, __u32 ruleset, const char *name)
{
	struct lockc_rule_key *key = &s->key;
	struct lockc_rule *rule;
	__u32 n;

	__builtin_memcpy(key->path, name, LOCKC_NAME_MAX);
	key->path[LOCKC_NAME_MAX - 1] = '\0';
	for (n = 0; n < LOCKC_NAME_MAX - 1 && key->path[n]; n++)
		;
	/* The name and its NUL: "web" never matches "webx". */
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * (n + 1);
	key->ruleset = ruleset;
	key->class = LOCKC_RULE_IPC;
	rule = bpf_map_lookup_elem(&rules, key);
	return rule && rule->verdict == LOCKC_VERDICT_ALLOW;
}

#endif /* LOCKC_BPF_RULES_H */
