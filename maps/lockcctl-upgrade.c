// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockcctl upgrade: the steps of lockc-load's gapless upgrade that bpftool
 * cannot take.
 *
 * lockc-load attaches the new build's programs beside the loaded ones, so
 * that both enforce for a while, hands the pins over and only then removes
 * the old programs. The state that must cross over (registrations,
 * policies, confined tasks, IPC makers, event budgets) crosses in one of
 * two ways, chosen per map by `plan`:
 *   - reuse: type, sizes and BTF layout are the same in both builds, so the
 *     new programs are loaded with the old map itself: nothing is copied and
 *     both builds see every write at once;
 *   - carry: the layout changed, so `carry` copies every entry into the new
 *     map, field by field by name as the two BTFs describe them. A field the
 *     old build lacks stays zero, which lockc reads as the stricter choice
 *     (a verdict of zero is no ALLOW, a mode of zero enforces).
 * The rest starts fresh: maps that did not exist before, the ring buffer
 * and counters, and maps that hold what one build's programs concluded.
 * `exchange` then swaps the pin directories in single renames, and
 * `record` says in the new pins which build they are.
 */
#include "lockcctl.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/syscall.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* pidfd_open(2)'s flag for a pidfd that names one thread (Linux 6.9). */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/*
 * Never taken over, whatever their layout: a verdict that one build's
 * programs cached, or a name they kept as learned (and the counter that
 * dates both), is no verdict of another's; scratch_slots holds nothing
 * between calls; loaded_object describes the programs it was loaded with.
 */
static const char *const always_fresh[] = { "allowed_inodes", "path_changes", "allowed_dirs", "tree_changes",
					    "learned_names", "scratch_slots", "loaded_object" };

/*
 * Values that name the entries of another map by lockc's own numbers: a
 * registration names its policy by id, a policy its rules by ruleset. When
 * the named map is carried into a copy, the map naming it is carried too
 * (and after it), so that the new programs never see a name before what it
 * names. Cgroup ids, which the other maps hold, are the kernel's.
 */
static const struct {
	const char *map, *names;
} references[] = {
	{ "containers", "policies" },
	{ "policies", "rules" },
};

/* Map types whose entries `carry` can enumerate and copy. */
static bool carriable(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_LRU_HASH || type == BPF_MAP_TYPE_LPM_TRIE ||
	       type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_TASK_STORAGE;
}

/* One side of a map: its fd, its kernel info and its types. */
struct map_side {
	int fd;
	struct bpf_map_info info;
	struct btf *btf;
};

static bool open_side(const char *dir, const char *name, struct map_side *side)
{
	__u32 len = sizeof(side->info);
	char path[PATH_MAX];

	memset(side, 0, sizeof(*side));
	snprintf(path, sizeof(path), "%s/maps/%s", dir, name);
	side->fd = bpf_obj_get(path);
	if (side->fd < 0) {
		if (errno == ENOENT)
			return false;
		fail("cannot open %s: %s.", path, strerror(errno));
	}
	if (bpf_map_get_info_by_fd(side->fd, &side->info, &len))
		fail("cannot read the map info of %s: %s.", path, strerror(errno));
	if (side->info.btf_id) {
		side->btf = btf__load_from_kernel_by_id(side->info.btf_id);
		if (!side->btf)
			fail("cannot read the BTF of %s: %s.", path, strerror(errno));
	}
	return true;
}

static void close_side(struct map_side *side)
{
	btf__free(side->btf);
	close(side->fd);
}

/* A type with its typedefs and qualifiers looked through. */
static const struct btf_type *resolved(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t) || btf_is_type_tag(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static const char *member_name(const struct btf *btf, const struct btf_member *m)
{
	return btf__name_by_offset(btf, m->name_off);
}

/*
 * Whether type a's bytes mean the same as type b's. With `extends`, an enum
 * of b may have more values than a's, as long as a's keep their names and
 * numbers: what a build wrote still reads the same in b.
 */
static bool same_type(const struct btf *a, __u32 a_id, const struct btf *b, __u32 b_id, bool extends, int depth)
{
	const struct btf_type *ta = resolved(a, &a_id), *tb = resolved(b, &b_id);

	if (depth > 16 || !ta || !tb || btf_kind(ta) != btf_kind(tb))
		return false;
	switch (btf_kind(ta)) {
	case BTF_KIND_INT:
		return ta->size == tb->size && *(const __u32 *)(ta + 1) == *(const __u32 *)(tb + 1);
	case BTF_KIND_ARRAY:
		return btf_array(ta)->nelems == btf_array(tb)->nelems &&
		       same_type(a, btf_array(ta)->type, b, btf_array(tb)->type, extends, depth + 1);
	case BTF_KIND_ENUM: {
		const struct btf_enum *ea = btf_enum(ta), *eb = btf_enum(tb);

		if (ta->size != tb->size || (extends ? btf_vlen(tb) < btf_vlen(ta) : btf_vlen(tb) != btf_vlen(ta)))
			return false;
		for (int i = 0; i < btf_vlen(ta); i++) {
			const char *name = btf__name_by_offset(a, ea[i].name_off);
			int j;

			for (j = 0; j < btf_vlen(tb); j++)
				if (strcmp(name, btf__name_by_offset(b, eb[j].name_off)) == 0)
					break;
			if (j == btf_vlen(tb) || eb[j].val != ea[i].val)
				return false;
		}
		return true;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *ma = btf_members(ta), *mb = btf_members(tb);

		if (ta->size != tb->size || btf_vlen(ta) != btf_vlen(tb) ||
		    strcmp(btf__name_by_offset(a, ta->name_off), btf__name_by_offset(b, tb->name_off)))
			return false;
		for (int i = 0; i < btf_vlen(ta); i++)
			if (btf_member_bit_offset(ta, i) != btf_member_bit_offset(tb, i) ||
			    btf_member_bitfield_size(ta, i) != btf_member_bitfield_size(tb, i) ||
			    strcmp(member_name(a, &ma[i]), member_name(b, &mb[i])) ||
			    !same_type(a, ma[i].type, b, mb[i].type, extends, depth + 1))
				return false;
		return true;
	}
	default:
		return false;
	}
}

static bool integer_like(const struct btf_type *t)
{
	return btf_is_int(t) || btf_is_enum(t);
}

static bool is_signed(const struct btf_type *t)
{
	return btf_is_int(t) ? btf_int_encoding(t) & BTF_INT_SIGNED : btf_kflag(t);
}

/*
 * Copy a value of type `from` into one of type `to` (zeroed by the caller),
 * field by field by name. With `from_data` NULL it only checks that the
 * copy can be made. Returns NULL, or what cannot be carried, naming the
 * field by its path below `where`.
 */
static const char *convert(const struct btf *fb, __u32 from, const void *from_data, const struct btf *tb, __u32 to,
			   void *to_data, const char *where, int depth)
{
	static char why[256];
	const struct btf_type *ft = resolved(fb, &from), *tt = resolved(tb, &to);

	if (depth > 16 || !ft || !tt) {
		snprintf(why, sizeof(why), "%s has a type lockcctl cannot read", where);
		return why;
	}
	if (same_type(fb, from, tb, to, true, depth)) {
		/* An array's BTF type has no size of its own. */
		if (from_data)
			memcpy(to_data, from_data, btf__resolve_size(tb, to));
		return NULL;
	}
	if (integer_like(ft) && integer_like(tt)) {
		__u64 value = 0;

		if (tt->size < ft->size || tt->size > sizeof(value) || (btf_is_int(tt) && btf_int_offset(tt)) ||
		    (btf_is_int(ft) && btf_int_offset(ft))) {
			snprintf(why, sizeof(why), "%s shrank from %u to %u bytes", where, ft->size, tt->size);
			return why;
		}
		if (from_data) {
			/* Little-endian: the low bytes first, then the sign. */
			memcpy(&value, from_data, ft->size);
			if (is_signed(ft) && ft->size < sizeof(value) && (value >> (8 * ft->size - 1)) & 1)
				value |= ~0ULL << (8 * ft->size);
			memcpy(to_data, &value, tt->size);
		}
		return NULL;
	}
	if (btf_is_array(ft) && btf_is_array(tt)) {
		const struct btf_array *fa = btf_array(ft), *ta = btf_array(tt);
		__s64 fsize = btf__resolve_size(fb, fa->type), tsize = btf__resolve_size(tb, ta->type);
		const char *err;

		if (ta->nelems < fa->nelems) {
			snprintf(why, sizeof(why), "%s shrank from %u to %u elements", where, fa->nelems, ta->nelems);
			return why;
		}
		if (fsize <= 0 || tsize <= 0) {
			snprintf(why, sizeof(why), "%s has elements of no size", where);
			return why;
		}
		for (__u32 i = 0; i < fa->nelems; i++) {
			err = convert(fb, fa->type, from_data ? (const char *)from_data + i * fsize : NULL, tb,
				      ta->type, (char *)to_data + i * tsize, where, depth + 1);
			if (err || !from_data)
				return err;
		}
		return NULL;
	}
	if (btf_is_struct(ft) && btf_is_struct(tt)) {
		const struct btf_member *fm = btf_members(ft), *tm = btf_members(tt);
		char inner[192];

		for (int i = 0; i < btf_vlen(tt); i++) {
			const char *name = member_name(tb, &tm[i]);
			int j;

			for (j = 0; j < btf_vlen(ft); j++)
				if (strcmp(name, member_name(fb, &fm[j])) == 0)
					break;
			if (j == btf_vlen(ft))
				continue;	/* new field: left zero */
			snprintf(inner, sizeof(inner), "%s.%s", where, name);
			if (btf_member_bitfield_size(ft, j) || btf_member_bitfield_size(tt, i) ||
			    btf_member_bit_offset(ft, j) % 8 || btf_member_bit_offset(tt, i) % 8) {
				snprintf(why, sizeof(why), "%s is a bit field", inner);
				return why;
			}
			const char *err = convert(fb, fm[j].type,
						  from_data ? (const char *)from_data + btf_member_bit_offset(ft, j) / 8 : NULL,
						  tb, tm[i].type, (char *)to_data + btf_member_bit_offset(tt, i) / 8,
						  inner, depth + 1);
			if (err)
				return err;
		}
		return NULL;
	}
	snprintf(why, sizeof(why), "%s changed its kind of type", where);
	return why;
}

/* Whether the new object's map can take the loaded one over as it is. */
static bool reusable(const struct bpf_map *map, const struct btf *obj_btf, const struct map_side *old)
{
	const struct bpf_map_info *info = &old->info;

	if (info->type != bpf_map__type(map) || info->key_size != bpf_map__key_size(map) ||
	    info->value_size != bpf_map__value_size(map) || info->max_entries != bpf_map__max_entries(map) ||
	    info->map_flags != bpf_map__map_flags(map))
		return false;
	if (!info->btf_value_type_id && !bpf_map__btf_value_type_id(map))
		return true;	/* a ring buffer: no types, the sizes say it all */
	return old->btf &&
	       same_type(old->btf, info->btf_key_type_id, obj_btf, bpf_map__btf_key_type_id(map), false, 0) &&
	       same_type(old->btf, info->btf_value_type_id, obj_btf, bpf_map__btf_value_type_id(map), false, 0);
}

static bool listed(const char *name, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

struct planned {
	const char *name;
	const char *action;	/* "reuse", "carry" or "fresh" */
	char why[256];
};

static struct planned *planned_map(struct planned *plan, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(plan[i].name, name) == 0)
			return &plan[i];
	return NULL;
}

/*
 * lockcctl upgrade plan OBJECT: for each map of OBJECT, how the loaded
 * lockc's state (at the pin directory) crosses over. Refuses, before
 * anything is loaded, a map whose entries could be neither reused nor
 * carried.
 */
int do_upgrade_plan(int argc, char **argv)
{
	struct planned plan[64];
	struct bpf_object *obj;
	struct bpf_map *map;
	size_t count = 0;

	if (argc != 1)
		fail("'upgrade plan' needs the BPF object to load.");
	libbpf_set_print(NULL);	/* its notes on the object are not ours to print */
	obj = bpf_object__open_file(argv[0], NULL);
	if (!obj)
		fail("cannot open %s: %s; build lockc with make.", argv[0], strerror(errno));
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		struct planned *p = &plan[count];
		struct map_side old;

		if (count == sizeof(plan) / sizeof(plan[0]))
			fail("%s has more maps than lockcctl can plan for.", argv[0]);
		count++;
		p->name = name;
		p->action = "fresh";
		if (listed(name, always_fresh, sizeof(always_fresh) / sizeof(always_fresh[0]))) {
			snprintf(p->why, sizeof(p->why), "never taken over");
			continue;
		}
		if (!open_side(pin_dir, name, &old)) {
			snprintf(p->why, sizeof(p->why), "new in this build");
			continue;
		}
		if (reusable(map, bpf_object__btf(obj), &old)) {
			p->action = "reuse";
			snprintf(p->why, sizeof(p->why), "same layout");
		} else if (!carriable(bpf_map__type(map))) {
			snprintf(p->why, sizeof(p->why), "changed, and holds no state to carry");
		} else {
			const char *err = NULL;
			void *scratch = calloc(1, bpf_map__value_size(map));

			if (!scratch)
				fail("out of memory.");
			if (old.info.type != bpf_map__type(map))
				err = "its map type changed";
			else if (!old.btf)
				err = "the loaded map has no BTF";
			else if (!same_type(old.btf, old.info.btf_key_type_id, bpf_object__btf(obj),
					    bpf_map__btf_key_type_id(map), true, 0))
				err = "its keys changed";
			else
				err = convert(old.btf, old.info.btf_value_type_id, NULL, bpf_object__btf(obj),
					      bpf_map__btf_value_type_id(map), scratch, "value", 0);
			free(scratch);
			if (err)
				fail("the loaded lockc's map %s cannot be carried over to %s (%s); nothing was "
				     "changed. Reboot into the new build, or run lockc-unload, lockc-load and "
				     "register the running containers again.",
				     name, argv[0], err);
			p->action = "carry";
			snprintf(p->why, sizeof(p->why), "layout changed");
		}
		close_side(&old);
	}
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t r = 0; r < sizeof(references) / sizeof(references[0]); r++) {
			struct planned *map = planned_map(plan, count, references[r].map);
			struct planned *named = planned_map(plan, count, references[r].names);

			if (map && named && !strcmp(named->action, "carry") && !strcmp(map->action, "reuse")) {
				map->action = "carry";
				snprintf(map->why, sizeof(map->why), "names entries of %s", named->name);
				changed = true;
			}
		}
	}
	if (json_output) {
		json_t *list = json_array();

		for (size_t i = 0; i < count; i++)
			json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "map", plan[i].name, "action",
							      plan[i].action, "why", plan[i].why));
		print_json(list);
	} else {
		for (size_t i = 0; i < count; i++)
			printf("%s %s\t%s\n", plan[i].action, plan[i].name, plan[i].why);
	}
	bpf_object__close(obj);
	return 0;
}

/* ---- carry ------------------------------------------------------------- */

/* Copy one entry's value from the old map's layout into the new one's. */
static void carry_value(const struct map_side *from, const struct map_side *to, const void *old_value,
			void *new_value, const char *name)
{
	const char *err;

	memset(new_value, 0, to->info.value_size);
	err = convert(from->btf, from->info.btf_value_type_id, old_value, to->btf, to->info.btf_value_type_id,
		      new_value, "value", 0);
	if (err)
		fail("cannot carry an entry of map %s: %s.", name, err);
}

/* Every entry of a map that has keys to walk. */
static size_t carry_entries(const struct map_side *from, const struct map_side *to, const char *name)
{
	void *key = calloc(1, from->info.key_size), *next = calloc(1, from->info.key_size);
	void *old_value = calloc(1, from->info.value_size), *new_value = calloc(1, to->info.value_size);
	bool first = true;
	size_t copied = 0;

	if (!key || !next || !old_value || !new_value)
		fail("out of memory.");
	while (!bpf_map_get_next_key(from->fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, from->info.key_size);
		if (bpf_map_lookup_elem(from->fd, key, old_value))
			continue;	/* deleted meanwhile */
		carry_value(from, to, old_value, new_value, name);
		if (bpf_map_update_elem(to->fd, key, new_value, BPF_ANY))
			fail("cannot write an entry of map %s: %s.", name, strerror(errno));
		copied++;
	}
	free(key);
	free(next);
	free(old_value);
	free(new_value);
	return copied;
}

/* Open a pidfd for a thread; -1 if it exited, -2 if this kernel cannot name it. */
static int thread_pidfd(pid_t tgid, pid_t tid)
{
	int fd = syscall(SYS_pidfd_open, tid, tid == tgid ? 0 : PIDFD_THREAD);

	if (fd >= 0)
		return fd;
	if (errno == EINVAL && tid != tgid)
		return -2;
	if (errno == ESRCH)
		return -1;
	fail("cannot open a pidfd for task %d: %s.", tid, strerror(errno));
}

/*
 * One pass over every task on the node: a task the old programs confine and
 * the new ones do not yet gets the old value. Returns how many it armed.
 */
static size_t carry_tasks_once(const struct map_side *from, const struct map_side *to, const char *name)
{
	void *old_value = calloc(1, from->info.value_size), *new_value = calloc(1, to->info.value_size);
	struct dirent *p, *t;
	DIR *procs, *threads;
	size_t armed = 0;
	char dir[64];

	if (!old_value || !new_value)
		fail("out of memory.");
	procs = opendir("/proc");
	if (!procs)
		fail("cannot list /proc: %s.", strerror(errno));
	while ((p = readdir(procs))) {
		pid_t tgid = (pid_t)strtol(p->d_name, NULL, 10);

		if (tgid <= 0)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%d/task", tgid);
		threads = opendir(dir);
		if (!threads)
			continue;	/* exited */
		while ((t = readdir(threads))) {
			pid_t tid = (pid_t)strtol(t->d_name, NULL, 10);
			int fd;

			if (tid <= 0)
				continue;
			fd = thread_pidfd(tgid, tid);
			if (fd == -1)
				continue;
			if (fd == -2) {
				int leader = thread_pidfd(tgid, tgid);
				bool confined = leader >= 0 && !bpf_map_lookup_elem(from->fd, &leader, old_value);

				if (leader >= 0)
					close(leader);
				/*
				 * Before Linux 6.9 only a thread group's first
				 * thread has a pidfd. Threads get their value
				 * from the thread that made them, so those of
				 * an unconfined process are unconfined too.
				 */
				if (confined)
					fail("process %d is confined and has threads, which this kernel (before "
					     "Linux 6.9) cannot name to carry their confinement over; nothing "
					     "was changed. Reboot into the new build instead.",
					     tgid);
				continue;
			}
			if (!bpf_map_lookup_elem(from->fd, &fd, old_value) &&
			    bpf_map_lookup_elem(to->fd, &fd, new_value)) {
				carry_value(from, to, old_value, new_value, name);
				if (!bpf_map_update_elem(to->fd, &fd, new_value, BPF_NOEXIST))
					armed++;
				else if (errno != EEXIST && errno != ESRCH)
					fail("cannot carry task %d of map %s: %s.", tid, name, strerror(errno));
			}
			close(fd);
		}
		closedir(threads);
	}
	closedir(procs);
	free(old_value);
	free(new_value);
	return armed;
}

#define CARRY_PASSES_MAX 16

/*
 * Task storage has no keys to walk: every task on the node is looked up by
 * its pidfd. A task forked from one not yet carried is found by the next
 * pass; the children of a carried one get the value from the new programs.
 */
static size_t carry_tasks(const struct map_side *from, const struct map_side *to, const char *name)
{
	size_t total = 0, armed;

	for (int pass = 0; pass < CARRY_PASSES_MAX; pass++) {
		armed = carry_tasks_once(from, to, name);
		total += armed;
		if (!armed)
			return total;
	}
	fail("tasks kept appearing faster than map %s could be carried over; nothing was changed.", name);
}

/* Whether `map` names entries of a map among maps[from..count). */
static bool names_one_of(const char *map, char **maps, int from, int count)
{
	for (size_t r = 0; r < sizeof(references) / sizeof(references[0]); r++)
		if (strcmp(references[r].map, map) == 0)
			for (int i = from; i < count; i++)
				if (strcmp(maps[i], references[r].names) == 0)
					return true;
	return false;
}

/*
 * lockcctl upgrade carry FROM_DIR MAP...: copy the entries of each MAP from
 * FROM_DIR's pins into ours, each map after the maps it names.
 */
int do_upgrade_carry(int argc, char **argv)
{
	json_t *list = json_array();

	if (argc < 2)
		fail("'upgrade carry' needs the loaded lockc's pin directory and the maps to carry.");
	/* Order: next, a map that names none of those still to come. */
	for (int done = 1; done < argc; done++) {
		int pick = done;
		char *picked;

		for (int i = done; i < argc; i++) {
			if (!names_one_of(argv[i], argv, done, argc)) {
				pick = i;
				break;
			}
		}
		picked = argv[pick];
		memmove(&argv[done + 1], &argv[done], (pick - done) * sizeof(*argv));
		argv[done] = picked;
	}
	for (int i = 1; i < argc; i++) {
		struct map_side from, to;
		size_t copied;

		if (!open_side(argv[0], argv[i], &from))
			fail("%s/maps/%s does not exist; there is nothing to carry.", argv[0], argv[i]);
		if (!open_side(pin_dir, argv[i], &to))
			fail("%s/maps/%s does not exist; load the new lockc there first.", pin_dir, argv[i]);
		if (from.info.id == to.info.id)
			fail("%s and %s pin the same map %s; it is reused, not carried.", argv[0], pin_dir, argv[i]);
		if (!from.btf || !to.btf || from.info.type != to.info.type || !carriable(to.info.type))
			fail("map %s cannot be carried (run 'lockcctl upgrade plan' for why).", argv[i]);
		copied = to.info.type == BPF_MAP_TYPE_TASK_STORAGE ? carry_tasks(&from, &to, argv[i])
								     : carry_entries(&from, &to, argv[i]);
		json_array_append_new(list, json_pack("{s:s,s:I}", "map", argv[i], "entries", (json_int_t)copied));
		if (!json_output)
			printf("carried %zu entries of %s.\n", copied, argv[i]);
		close_side(&from);
		close_side(&to);
	}
	if (json_output)
		print_json(list);
	else
		json_decref(list);
	return 0;
}

/* ---- exchange ---------------------------------------------------------- */

/*
 * lockcctl upgrade exchange OTHER_DIR: swap our maps/ and links/ with
 * OTHER_DIR's, each in one rename, so that every path under maps/ names a
 * map of one build or the other at every moment.
 */
int do_upgrade_exchange(int argc, char **argv)
{
	char our_maps[PATH_MAX], their_maps[PATH_MAX], our_links[PATH_MAX], their_links[PATH_MAX];

	if (argc != 1)
		fail("'upgrade exchange' needs the pin directory to swap with.");
	snprintf(our_maps, sizeof(our_maps), "%s/maps", pin_dir);
	snprintf(their_maps, sizeof(their_maps), "%s/maps", argv[0]);
	snprintf(our_links, sizeof(our_links), "%s/links", pin_dir);
	snprintf(their_links, sizeof(their_links), "%s/links", argv[0]);
	if (renameat2(AT_FDCWD, our_maps, AT_FDCWD, their_maps, RENAME_EXCHANGE))
		fail("cannot swap %s with %s: %s.", our_maps, their_maps, strerror(errno));
	if (renameat2(AT_FDCWD, our_links, AT_FDCWD, their_links, RENAME_EXCHANGE)) {
		int saved = errno;

		if (renameat2(AT_FDCWD, our_maps, AT_FDCWD, their_maps, RENAME_EXCHANGE))
			fail("cannot swap %s with %s (%s), nor swap the maps back (%s); run lockc-unload and "
			     "lockc-load.",
			     our_links, their_links, strerror(saved), strerror(errno));
		fail("cannot swap %s with %s: %s; nothing was changed.", our_links, their_links, strerror(saved));
	}
	return 0;
}

/* ---- record ------------------------------------------------------------ */

/*
 * lockcctl upgrade record VERSION SHA256: say in map loaded_object which
 * build is loaded, for admins and for the next lockc-load to compare.
 */
int do_upgrade_record(int argc, char **argv)
{
	struct lockc_loaded_object build = {};
	__u32 key = 0;
	int fd;

	if (argc != 2)
		fail("'upgrade record' needs the version and the object's SHA-256.");
	if (strlen(argv[0]) == 0 || strlen(argv[0]) >= sizeof(build.version))
		fail("the version '%s' is empty or longer than %zu characters.", argv[0], sizeof(build.version) - 1);
	if (strlen(argv[1]) != sizeof(build.object_sha256) - 1 || strspn(argv[1], "0123456789abcdef") != strlen(argv[1]))
		fail("'%s' is not a SHA-256 in lower-case hex.", argv[1]);
	strcpy(build.version, argv[0]);
	strcpy(build.object_sha256, argv[1]);
	fd = open_map("loaded_object", sizeof(key), sizeof(build));
	if (bpf_map_update_elem(fd, &key, &build, BPF_ANY))
		fail("cannot write map loaded_object: %s.", strerror(errno));
	close(fd);
	return 0;
}
