// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockcctl policy suggest: a least-privilege policy for a container from
 * what it did in learning mode, read from map "learned" (maps/learned.md)
 * or from saved `lockcctl --json events` lines, starting from a base
 * policy; and lockcctl container forget, which deletes what a name learned.
 *
 * The rules it follows are lockcctl(8)'s "LEARNING A POLICY":
 *   - switches stay as the base says, but a learnable one (learnable_switches)
 *     that the container needed is allowed;
 *   - capabilities, socket families, netlink protocols and devices are what
 *     the container used, of those the base allows;
 *   - file, exec and write rules are the paths the container used, exact,
 *     where the base's own rule does not deny them; the base's deny rules
 *     and its volume, bind-mount and ipc rules stay; own-mounts is denied,
 *     since the rules name every file that was needed;
 *   - a path is generalised to a directory where the container created,
 *     removed or renamed names (names it chooses anew on each run), where
 *     a directory holds more than GENERALISE_ABOVE learned entries, and
 *     where it names a process or a terminal (/proc/PID, /dev/pts/N, whose
 *     names differ on each run): to the base's own rule there. Never to
 *     "/", never to a directory the base denies;
 *   - what the base forbids for a reason (the switches but the learnable
 *     ones, what its sets and device rules deny, paths it denies) is left
 *     out and listed, unless --allow-forbidden asks for it, which the
 *     output says.
 */
#include "lockcctl-policy.h"

#include <sys/socket.h>
#include <time.h>

#define GENERALISE_ABOVE 8
#define STRINGIFY(x) #x
#define AS_TEXT(x) STRINGIFY(x)

/* One distinct operation the container did. */
struct learned_op {
	enum lockc_operation op;
	__u32 value;
	char detail[LOCKC_RULE_PATH_MAX];
	__u64 count;
	char comm[16];
	size_t seen_at;		/* its place among what was read, so that the first seen stays first */
};

struct learned_ops {
	struct learned_op *ops;
	size_t count, cap;
	bool map_full;
};

/* The switches a container may learn; the others guard the node or other tenants. */
static const char *const learnable_switches[] = {
	"run-as-root", "become-root", "net-client", "net-server", "exec-anonymous",
};

/* The switch an operation needs, or NULL for the operations rules decide. */
static const char *switch_of(const struct learned_op *o)
{
	switch (o->op) {
	case LOCKC_OP_SOCKET:
		if ((o->value >> 16 == AF_INET || o->value >> 16 == AF_INET6) && (o->value & 0xffff) == SOCK_RAW)
			return "raw-sockets";
		return NULL;
	case LOCKC_OP_EXEC:
	case LOCKC_OP_EXEC_MAP:
		/* A file with no path in the task's tree: a memfd's name, or none. */
		if (o->detail[0] != '/' || strncmp(o->detail, "/memfd:", 7) == 0)
			return "exec-memfd";
		return NULL;
	default:
		return operation_switch(o->op);
	}
}

static bool listed(const char *name, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

/* `items` (count used of *cap, each `size` bytes) with room for one more; fail() without memory. */
static void *make_room(void *items, size_t count, size_t *cap, size_t size)
{
	if (count < *cap)
		return items;
	*cap = *cap ? 2 * *cap : 256;
	items = realloc(items, *cap * size);
	if (!items)
		fail("out of memory.");
	return items;
}

static void add_op(struct learned_ops *l, const struct learned_op *o)
{
	l->ops = make_room(l->ops, l->count, &l->cap, sizeof(*l->ops));
	l->ops[l->count++] = *o;
}

static int compare_ops(const void *a, const void *b)
{
	const struct learned_op *x = a, *y = b;

	if (x->op != y->op)
		return x->op < y->op ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return strcmp(x->detail, y->detail);
}

static int compare_ops_then_position(const void *a, const void *b)
{
	const struct learned_op *x = a, *y = b;

	return compare_ops(a, b) ?: (x->seen_at > y->seen_at) - (x->seen_at < y->seen_at);
}

/* One entry per distinct (operation, value, detail), counts summed; the first seen names the program. */
static void merge_ops(struct learned_ops *l)
{
	size_t kept = 0;

	/* A stable order first: qsort is not stable, so sort by position among equals. */
	for (size_t i = 0; i < l->count; i++)
		l->ops[i].seen_at = i;
	qsort(l->ops, l->count, sizeof(*l->ops), compare_ops_then_position);
	for (size_t i = 0; i < l->count; i++) {
		if (kept && compare_ops(&l->ops[kept - 1], &l->ops[i]) == 0) {
			l->ops[kept - 1].count += l->ops[i].count;
			continue;
		}
		l->ops[kept++] = l->ops[i];
	}
	l->count = kept;
}

static int open_learned(void)
{
	return open_map("learned", sizeof(struct lockc_learned_key), sizeof(struct lockc_learned));
}

/* The entries of map "learned" under `name`. */
static void read_learned_map(const char *name, struct learned_ops *l)
{
	struct lockc_learned_key key, next;
	struct lockc_learned value;
	size_t entries = 0;
	int fd = open_learned();
	bool first = true;

	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		struct learned_op o = {};

		first = false;
		key = next;
		entries++;
		if (strncmp(key.container, name, LOCKC_NAME_MAX) != 0 || bpf_map_lookup_elem(fd, &key, &value))
			continue;
		o.op = key.operation;
		o.value = key.value;
		memcpy(o.detail, key.detail, sizeof(o.detail));
		o.detail[sizeof(o.detail) - 1] = '\0';
		o.count = value.count;
		memcpy(o.comm, value.comm, sizeof(o.comm));
		o.comm[sizeof(o.comm) - 1] = '\0';
		add_op(l, &o);
	}
	l->map_full = entries >= LOCKC_LEARNED_MAX;
	close(fd);
}

/* Undo lockcctl events' \xNN escapes, in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		unsigned int byte;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &byte) == 1 && isxdigit((unsigned char)s[3])) {
			*out++ = (char)byte;
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static enum lockc_operation operation_named(const char *name)
{
	for (size_t i = 0; i < operation_count; i++)
		if (operation_names[i] && strcmp(operation_names[i], name) == 0)
			return i;
	return 0;
}

/*
 * The events of container `name` in `file`, lines of `lockcctl --json
 * events`: learned and used ones, and denied and audited ones (what it
 * needed under an enforcing or auditing policy counts the same).
 */
static void read_events_file(const char *file, const char *name, struct learned_ops *l)
{
	FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char *line = NULL;
	size_t size = 0;
	unsigned int lineno = 0;

	if (!in)
		fail("cannot open %s: %s.", file, strerror(errno));
	while (getline(&line, &size, in) > 0) {
		const char *container, *operation, *detail = "", *comm = "";
		struct learned_op o = { .count = 1 };
		json_int_t number = 0;
		json_error_t error;
		json_t *event;

		lineno++;
		event = json_loads(line, 0, &error);
		if (!event)
			fail("%s:%u: not a line of 'lockcctl --json events' (%s).", file, lineno, error.text);
		/* The drop reports ("dropped") carry no operation. */
		if (json_unpack(event, "{s:s,s:s,s?s,s?s,s?I}", "container", &container, "operation", &operation,
				"detail", &detail, "comm", &comm, "number", &number) ||
		    strcmp(container, name) != 0) {
			json_decref(event);
			continue;
		}
		o.op = operation_named(operation);
		if (!o.op)
			fail("%s:%u: unknown operation '%s'; use the lockcctl that wrote the events.", file, lineno,
			     operation);
		o.value = (__u32)number;
		snprintf(o.detail, sizeof(o.detail), "%s", detail);
		unescape(o.detail);
		/* As the kernel keys them (maps/lockc.h, lockc_learned_key). */
		if (LOCKC_OP_IS_IP(o.op)) {
			o.value = 0;
			o.detail[0] = '\0';
		}
		snprintf(o.comm, sizeof(o.comm), "%s", comm);
		unescape(o.comm);
		add_op(l, &o);
		json_decref(event);
	}
	free(line);
	if (in != stdin)
		fclose(in);
}

/* The base policy read from the loaded maps: its value and stated rules, as a parsed file would give them. */
static void load_base_from_maps(const char *name, struct parsed_policy *p)
{
	int fd = open_policies(), rules_fd = open_rules();
	struct lockc_rule_key key, next;
	bool first = true;
	__u64 *ids;
	size_t count = sorted_keys(fd, sizeof(__u32), &ids);
	__u32 id = policy_find(fd, ids, count, name);

	if (id == LOCKC_POLICY_ID_NONE || bpf_map_lookup_elem(fd, &id, &p->policy))
		fail("no policy named '%s' is loaded; name a loaded one or a policy file with --base.", name);
	p->file = name;
	while (!bpf_map_get_next_key(rules_fd, first ? NULL : &key, &next)) {
		struct parsed_rule rule = {};

		first = false;
		key = next;
		if (key.ruleset != p->policy.ruleset || derived_rule_class(key.class) ||
		    bpf_map_lookup_elem(rules_fd, &key, &rule.value))
			continue;
		rule.key = key;
		p->rules = make_room(p->rules, p->count, &p->cap, sizeof(*p->rules));
		p->rules[p->count++] = rule;
	}
	p->stated = p->count;
	free(ids);
	close(fd);
	close(rules_fd);
}

/* The base's longest rule that is a prefix of `lookup` (of its class), or NULL. */
static const struct parsed_rule *base_rule_for(const struct parsed_policy *base, const struct lockc_rule_key *lookup)
{
	const struct parsed_rule *best = NULL;
	size_t n = rule_key_path_len(lookup);

	for (size_t i = 0; i < base->stated; i++) {
		const struct lockc_rule_key *k = &base->rules[i].key;
		size_t len = rule_key_path_len(k);

		if (k->class != lookup->class || len > n || memcmp(k->path, lookup->path, len) != 0)
			continue;
		if (!best || len > rule_key_path_len(&best->key))
			best = &base->rules[i];
	}
	return best;
}

/*
 * The base's rule of `class` that decides `path` (looked up as the kernel
 * does, so a directory's path stands for its entries too), or NULL when none
 * matches.
 */
static const struct parsed_rule *base_rule(const struct parsed_policy *base, enum lockc_rule_class class,
					   const char *path)
{
	struct lockc_rule_key lookup;

	rule_lookup_key(path, 0, class, &lookup);
	return base_rule_for(base, &lookup);
}

/* Whether the base allows character device `number` (major << 20 | minor). */
static bool base_allows_char_device(const struct parsed_policy *base, __u32 number)
{
	struct lockc_rule_key lookup = { .class = LOCKC_RULE_DEVICE };
	const struct parsed_rule *rule;

	encode_device('c', number >> 20, number & 0xfffff, &lookup);
	rule = base_rule_for(base, &lookup);
	return rule && rule->value.verdict == LOCKC_VERDICT_ALLOW;
}

static bool base_denies(const struct parsed_policy *base, enum lockc_rule_class class, const char *path)
{
	const struct parsed_rule *rule = base_rule(base, class, path);

	return rule && rule->value.verdict == LOCKC_VERDICT_DENY;
}

/* A suggested path rule and what it was learned from. */
struct path_line {
	enum lockc_rule_class class;
	char path[LOCKC_RULE_PATH_MAX + 1];
	bool exact;
	__u64 count;
	char comm[16];
	const char *why;	/* how it was generalised, or NULL */
};

struct suggestion {
	const struct parsed_policy *base;
	bool allow_forbidden;
	struct path_line *paths;
	size_t n_paths, cap_paths;
	json_t *left_out;	/* what the base forbids for a reason, not suggested */
	json_t *lines;		/* the policy, line by line, for --json */
};

static void add_path(struct suggestion *s, enum lockc_rule_class class, const char *path, bool exact,
		     const struct learned_op *from, const char *why)
{
	for (size_t i = 0; i < s->n_paths; i++) {
		struct path_line *p = &s->paths[i];

		if (p->class == class && p->exact == exact && strcmp(p->path, path) == 0) {
			p->count += from->count;
			return;
		}
	}
	s->paths = make_room(s->paths, s->n_paths, &s->cap_paths, sizeof(*s->paths));
	s->paths[s->n_paths] = (struct path_line){ .class = class, .exact = exact, .count = from->count, .why = why };
	snprintf(s->paths[s->n_paths].path, sizeof(s->paths[0].path), "%s", path);
	memcpy(s->paths[s->n_paths].comm, from->comm, sizeof(from->comm));
	s->n_paths++;
}

static void leave_out(struct suggestion *s, const struct learned_op *o, const char *what)
{
	json_array_append_new(s->left_out, json_pack("{s:s,s:s,s:I,s:s}", "needs", what, "operation",
						     operation_names[o->op] ? operation_names[o->op] : "unknown",
						     "count", (json_int_t)o->count, "comm", o->comm));
}

/* The directory of `path` ("/a/b" -> "/a"; "/a" -> "/"), into out. */
static void parent_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash && slash != path ? (size_t)(slash - path) : 1;

	snprintf(out, size, "%.*s", (int)n, path);
}

/* Whether a path names a process (/proc/PID/...) or a terminal (/dev/pts/N): names no later run has. */
static bool names_a_run(const char *path)
{
	const char *rest = NULL;

	if (strncmp(path, "/proc/", 6) == 0)
		rest = path + 6;
	else if (strncmp(path, "/dev/pts/", 9) == 0)
		rest = path + 9;
	return rest && isdigit((unsigned char)rest[0]) && strspn(rest, "0123456789") == strcspn(rest, "/");
}

/*
 * A learned path of `class`: its own exact rule, or, for a name the
 * container chose or a run's name, the directory or the base's own rule.
 */
static void suggest_path(struct suggestion *s, enum lockc_rule_class class, const struct learned_op *o,
			 bool chosen_name)
{
	const struct parsed_rule *rule;
	char dir[LOCKC_RULE_PATH_MAX + 1];
	bool exact;

	if (base_denies(s->base, class, o->detail)) {
		char what[LOCKC_RULE_PATH_MAX + 32];

		snprintf(what, sizeof(what), "%s %s", path_class_name(class), o->detail);
		if (!s->allow_forbidden) {
			leave_out(s, o, what);
			return;
		}
		add_path(s, class, o->detail, true, o, "denied by the base");
		return;
	}
	if (names_a_run(o->detail)) {
		rule = base_rule(s->base, class, o->detail);
		if (rule && rule->value.verdict == LOCKC_VERDICT_ALLOW) {
			decode_rule_path(&rule->key, dir, &exact);
			if (!exact) {
				add_path(s, class, dir, false, o, "the base's rule for a process's or terminal's name");
				return;
			}
		}
	}
	parent_of(o->detail, dir, sizeof(dir));
	if (chosen_name && strcmp(dir, "/") != 0 && !base_denies(s->base, class, dir)) {
		add_path(s, class, dir, false, o, "names made, removed or renamed there");
		return;
	}
	add_path(s, class, o->detail, true, o, NULL);
}

/* Whether `path` lies at or below directory `dir` (no trailing "/"). */
static bool below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strcmp(dir, "/") == 0 || (strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0'));
}

/*
 * Whether an allow rule for prefix `dir` decides `path` of `class` in the
 * suggestion: `path` lies below it and no deny rule of the base (which the
 * suggestion keeps) lies between them.
 */
static bool covered(const struct suggestion *s, enum lockc_rule_class class, const char *path, const char *dir)
{
	if (!below(path, dir))
		return false;
	for (size_t i = 0; i < s->base->stated; i++) {
		const struct parsed_rule *r = &s->base->rules[i];
		char denied[LOCKC_RULE_PATH_MAX + 1];
		bool exact;

		if (r->key.class != class || r->value.verdict != LOCKC_VERDICT_DENY)
			continue;
		decode_rule_path(&r->key, denied, &exact);
		if (strcmp(denied, dir) != 0 && below(denied, dir) &&
		    (exact ? strcmp(path, denied) == 0 : below(path, denied)))
			return false;
	}
	return true;
}

/*
 * Fold the path lines of each class: a prefix covers what lies below it (but below a deny of the base),
 * and a directory with more than GENERALISE_ABOVE entries becomes one,
 * deepest first, never "/" nor a directory the base denies.
 */
static void generalise(struct suggestion *s)
{
	bool changed = true;

	while (changed) {
		size_t best = SIZE_MAX, best_depth = 0;
		char dir[LOCKC_RULE_PATH_MAX + 1];

		changed = false;
		/* Drop what a prefix of its class covers. */
		for (size_t i = 0; i < s->n_paths; i++) {
			for (size_t j = 0; j < s->n_paths; j++) {
				struct path_line *p = &s->paths[i], *q = &s->paths[j];

				if (i == j || p->class != q->class || q->exact || !covered(s, p->class, p->path, q->path) ||
				    (strcmp(p->path, q->path) == 0 && !p->exact))
					continue;
				q->count += p->count;
				s->paths[i] = s->paths[--s->n_paths];
				i--;
				break;
			}
		}
		/* The deepest directory with too many entries. */
		for (size_t i = 0; i < s->n_paths; i++) {
			size_t entries = 0, depth = 0;

			parent_of(s->paths[i].path, dir, sizeof(dir));
			if (strcmp(dir, "/") == 0)
				continue;
			for (const char *c = dir; *c; c++)
				depth += *c == '/';
			for (size_t j = 0; j < s->n_paths; j++) {
				char other[LOCKC_RULE_PATH_MAX + 1];

				parent_of(s->paths[j].path, other, sizeof(other));
				entries += s->paths[j].class == s->paths[i].class && strcmp(other, dir) == 0;
			}
			if (entries > GENERALISE_ABOVE && depth > best_depth &&
			    !base_denies(s->base, s->paths[i].class, dir)) {
				best = i;
				best_depth = depth;
			}
		}
		if (best == SIZE_MAX)
			break;
		parent_of(s->paths[best].path, dir, sizeof(dir));
		{
			struct learned_op from = { .count = 0 };

			memcpy(from.comm, s->paths[best].comm, sizeof(from.comm));
			add_path(s, s->paths[best].class, dir, false, &from,
				 "more than " AS_TEXT(GENERALISE_ABOVE) " entries of the directory");
		}
		changed = true;
	}
}

static int compare_path_lines(const void *a, const void *b)
{
	const struct path_line *x = a, *y = b;

	if (x->class != y->class)
		return x->class < y->class ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* A policy line, printed (with its comment) or kept for --json. */
static void emit(struct suggestion *s, const char *line, const char *comment)
{
	if (json_output) {
		json_t *obj = json_pack("{s:s}", "line", line);

		if (comment)
			json_object_set_new(obj, "learned", json_string(comment));
		json_array_append_new(s->lines, obj);
		return;
	}
	if (comment)
		printf("# %s\n", comment);
	printf("%s\n", line);
}

/* The named device class of character device `number` (major << 20 | minor), or NULL. */
static const char *char_device_name(__u32 number)
{
	unsigned int major = number >> 20, minor = number & 0xfffff;

	for (size_t i = 0; i < device_class_count; i++) {
		const struct device_class *d = &device_classes[i];

		if (d->type == 'c' && major >= d->major && major < d->major + d->majors &&
		    (d->minor < 0 || (unsigned int)d->minor == minor))
			return d->name;
	}
	return NULL;
}

static const struct set_class *set_named(const char *name)
{
	for (size_t i = 0; i < set_class_count; i++)
		if (strcmp(set_classes[i].name, name) == 0)
			return &set_classes[i];
	fail("internal error: no set class %s.", name);
}

/* A socket's family (or netlink protocol) into *families (*netlink), if the base allows it. */
static void suggest_socket(struct suggestion *s, const struct learned_op *o, __u64 *families, __u64 *netlink)
{
	bool is_netlink = o->value >> 16 == AF_NETLINK;
	const struct set_class *set = set_named(is_netlink ? "netlink" : "socket");
	unsigned int bit = is_netlink ? (o->value & 0xffff) : o->value >> 16;
	const char *name = named_bit_name(set->name, bit);
	char what[64];

	if (bit >= 8 * set->size || !name)
		return;
	if ((set_field_get(&s->base->policy, set) & (1ULL << bit)) || s->allow_forbidden) {
		*(is_netlink ? netlink : families) |= 1ULL << bit;
		return;
	}
	snprintf(what, sizeof(what), "%s %s", set->name, name);
	leave_out(s, o, what);
}

int do_policy_suggest(int argc, char **argv)
{
	const char *name = NULL, *base_name = "restricted", *from[16];
	struct learned_ops learned = {};
	struct parsed_policy base = {};
	struct suggestion s = { .base = &base };
	__u64 capabilities = 0, families = 0, netlink = 0, total = 0, base_caps;
	char line[2 * LOCKC_RULE_PATH_MAX], comment[128];
	enum lockc_verdict switches[64];
	json_t *devices = json_array();
	size_t n_from = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--from") == 0 && i + 1 < argc) {
			if (n_from == COUNT(from))
				fail("at most %zu --from files.", COUNT(from));
			from[n_from++] = argv[++i];
		} else if (strcmp(argv[i], "--base") == 0 && i + 1 < argc) {
			base_name = argv[++i];
		} else if (strcmp(argv[i], "--allow-forbidden") == 0) {
			s.allow_forbidden = true;
		} else if (argv[i][0] != '-' && !name) {
			name = argv[i];
		} else {
			fail("unexpected '%s'; usage: lockcctl policy suggest CONTAINER [--base POLICY|FILE] "
			     "[--from FILE]... [--allow-forbidden].", argv[i]);
		}
	}
	if (!name)
		fail("'policy suggest' needs the name of a container, as 'lockcctl container list' shows it.");
	if (strchr(base_name, '/'))
		policy_parse(base_name, &base);
	else
		load_base_from_maps(base_name, &base);
	if (n_from == 0)
		read_learned_map(name, &learned);
	for (size_t i = 0; i < n_from; i++)
		read_events_file(from[i], name, &learned);
	merge_ops(&learned);
	if (learned.count == 0)
		fail("nothing was learned for container '%s'; run it in learning mode (mode learn) first.", name);

	s.left_out = json_array();
	s.lines = json_array();
	base_caps = set_field_get(&base.policy, set_named("capability"));
	for (size_t i = 0; i < switch_class_count; i++)
		switches[i] = *switch_field(&base.policy, i);
	for (size_t i = 0; i < learned.count; i++) {
		struct learned_op *o = &learned.ops[i];
		const char *sw = switch_of(o);

		total += o->count;
		/* A raw IP socket needs its family too, besides raw-sockets. */
		if (o->op == LOCKC_OP_SOCKET)
			suggest_socket(&s, o, &families, &netlink);
		if (sw) {
			for (size_t k = 0; k < switch_class_count; k++) {
				if (strcmp(switch_classes[k].name, sw) != 0 || switches[k] == LOCKC_VERDICT_ALLOW)
					continue;
				if (listed(sw, learnable_switches, COUNT(learnable_switches)) || s.allow_forbidden)
					switches[k] = LOCKC_VERDICT_ALLOW;
				else
					leave_out(&s, o, sw);
			}
			continue;
		}
		switch (o->op) {
		case LOCKC_OP_OPEN:
			suggest_path(&s, LOCKC_RULE_FILE, o, false);
			break;
		case LOCKC_OP_EXEC:
		case LOCKC_OP_EXEC_MAP:
			suggest_path(&s, LOCKC_RULE_EXEC, o, false);
			break;
		case LOCKC_OP_WRITE: {
			bool chosen = o->value == LOCKC_WRITE_CREATE || o->value == LOCKC_WRITE_REMOVE ||
				      o->value == LOCKC_WRITE_RENAME_FROM || o->value == LOCKC_WRITE_RENAME_TO ||
				      o->value == LOCKC_WRITE_LINK_TO;

			/* The file rules decide a change first: a path changed must be one that opens. */
			suggest_path(&s, LOCKC_RULE_WRITE, o, chosen);
			suggest_path(&s, LOCKC_RULE_FILE, o, chosen);
			break;
		}
		case LOCKC_OP_CAPABILITY: {
			const char *cap = named_bit_name("capability", o->value);

			if (!cap || o->value >= 64)
				break;
			if ((base_caps & (1ULL << o->value)) || s.allow_forbidden) {
				capabilities |= 1ULL << o->value;
			} else {
				snprintf(line, sizeof(line), "capability %s", cap);
				leave_out(&s, o, line);
			}
			break;
		}
		case LOCKC_OP_DEVICE:
		case LOCKC_OP_MKNOD: {
			const char *device = char_device_name(o->value);
			bool seen = false;

			if (!device || (!base_allows_char_device(&base, o->value) && !s.allow_forbidden)) {
				snprintf(line, sizeof(line), "device %u:%u (char or block: add its line by hand)",
					 o->value >> 20, o->value & 0xfffff);
				if (device)
					snprintf(line, sizeof(line), "device %s", device);
				leave_out(&s, o, line);
				break;
			}
			snprintf(line, sizeof(line), "allow device %s", device);
			for (size_t k = 0; k < json_array_size(devices); k++)
				seen |= strcmp(json_string_value(json_array_get(devices, k)), line) == 0;
			if (!seen)
				json_array_append_new(devices, json_string(line));
			break;
		}
		default:
			break;
		}
	}
	generalise(&s);
	qsort(s.paths, s.n_paths, sizeof(*s.paths), compare_path_lines);

	if (!json_output) {
		printf("# Suggested by 'lockcctl policy suggest' for container %s from %zu distinct operations\n"
		       "# (decided %llu times in all), starting from policy %s.\n"
		       "# Save it as NAME.policy and apply it with 'lockcctl policy apply NAME.policy'.\n",
		       name, learned.count, (unsigned long long)total, base.file);
		if (learned.map_full)
			printf("# The learned map was full (%u entries): what came after is missing.\n",
			       LOCKC_LEARNED_MAX);
		if (s.allow_forbidden)
			printf("# --allow-forbidden: this policy allows what %s forbids for a reason.\n", base.file);
	}
	/* Switches: the base's, with what the container needed; own-mounts gives way to the learned file rules. */
	for (size_t i = 0; i < switch_class_count; i++) {
		bool changed = switches[i] != *switch_field(&base.policy, i);

		if (strcmp(switch_classes[i].name, "own-mounts") == 0)
			switches[i] = LOCKC_VERDICT_DENY;
		snprintf(line, sizeof(line), "%s %s", verdict_name(switches[i]), switch_classes[i].name);
		emit(&s, line, changed ? "needed by the container, which the base denies" : NULL);
	}
	/* Sets: what the container used, but the forbidden capabilities. */
	{
		const struct set_class *sets[] = { set_named("capability"), set_named("socket"), set_named("netlink") };
		__u64 bits[] = { capabilities, families, netlink };

		for (size_t k = 0; k < COUNT(sets); k++) {
			size_t used = 0;

			snprintf(line, sizeof(line), "deny %s all", sets[k]->name);
			emit(&s, line, NULL);
			snprintf(line, sizeof(line), "allow %s", sets[k]->name);
			for (size_t i = 0; i < sets[k]->count; i++) {
				if (!(bits[k] & (1ULL << sets[k]->names[i].bit)))
					continue;
				used++;
				strncat(line, " ", sizeof(line) - strlen(line) - 1);
				strncat(line, sets[k]->names[i].name, sizeof(line) - strlen(line) - 1);
			}
			if (used)
				emit(&s, line, "used by the container");
		}
	}
	for (size_t k = 0; k < json_array_size(devices); k++)
		emit(&s, json_string_value(json_array_get(devices, k)), "used by the container");
	/* The base's deny rules, and the rules no workload's operation teaches. */
	emit(&s, "deny write /", "changes only where the container made them");
	for (size_t i = 0; i < base.stated; i++) {
		const struct parsed_rule *r = &base.rules[i];
		char path[LOCKC_RULE_PATH_MAX + 1];
		bool exact;
		bool path_class = r->key.class == LOCKC_RULE_FILE || r->key.class == LOCKC_RULE_EXEC ||
				  r->key.class == LOCKC_RULE_WRITE;

		if (derived_rule_class(r->key.class) || r->key.class == LOCKC_RULE_DEVICE ||
		    (path_class && r->value.verdict != LOCKC_VERDICT_DENY))
			continue;
		if (r->key.class == LOCKC_RULE_IPC) {
			snprintf(line, sizeof(line), "%s ipc %.*s", verdict_name(r->value.verdict), LOCKC_NAME_MAX - 1,
				 r->key.path);
		} else {
			decode_rule_path(&r->key, path, &exact);
			if (r->key.class == LOCKC_RULE_WRITE && strcmp(path, "/") == 0 && !exact)
				continue;
			snprintf(line, sizeof(line), "%s %s %s%s", verdict_name(r->value.verdict),
				 path_class_name(r->key.class), path, exact ? " exact" : "");
		}
		emit(&s, line, NULL);
	}
	for (size_t i = 0; i < s.n_paths; i++) {
		const struct path_line *p = &s.paths[i];

		snprintf(line, sizeof(line), "allow %s %s%s", path_class_name(p->class), p->path,
			 p->exact ? " exact" : "");
		snprintf(comment, sizeof(comment), "decided %llu time%s, first used by %s%s%s", (unsigned long long)p->count,
			 p->count == 1 ? "" : "s", p->comm[0] ? p->comm : "?", p->why ? "; generalised: " : "",
			 p->why ? p->why : "");
		emit(&s, line, comment);
	}
	if (json_output) {
		print_json(json_pack("{s:s,s:s,s:I,s:I,s:b,s:b,s:o,s:o}", "container", name, "base", base.file,
				     "distinct", (json_int_t)learned.count, "operations", (json_int_t)total,
				     "map_full", learned.map_full, "allow_forbidden", s.allow_forbidden, "lines",
				     s.lines, "left_out", s.left_out));
	} else {
		if (json_array_size(s.left_out))
			printf("# Left out: %s forbids these for a reason (--allow-forbidden adds them):\n", base.file);
		for (size_t i = 0; i < json_array_size(s.left_out); i++) {
			json_t *o = json_array_get(s.left_out, i);

			json_int_t count = json_integer_value(json_object_get(o, "count"));

			printf("#   %s (%s, decided %lld time%s, first used by %s)\n", json_string_value(json_object_get(o, "needs")),
			       json_string_value(json_object_get(o, "operation")), (long long)count, count == 1 ? "" : "s",
			       json_string_value(json_object_get(o, "comm")));
		}
		json_decref(s.lines);
		json_decref(s.left_out);
	}
	json_decref(devices);
	free(learned.ops);
	free(s.paths);
	return 0;
}

/*
 * The kernel keeps the names a learning container used as recorded (map
 * learned_names) until a directory on the node moves or goes: one more in
 * tree_changes ends them all, so that the uses after a forget are recorded
 * again. Kept verdicts of enforced containers end too, and are made again
 * on their next use.
 */
static void end_recorded_names(void)
{
	__u32 zero = 0;
	__u64 changes;
	int fd = open_map("tree_changes", sizeof(zero), sizeof(changes));

	if (bpf_map_lookup_elem(fd, &zero, &changes))
		fail("cannot read map tree_changes: %s; learned uses of names kept before may go unrecorded until a directory moves.",
		     strerror(errno));
	changes++;
	if (bpf_map_update_elem(fd, &zero, &changes, BPF_ANY))
		fail("cannot write map tree_changes: %s; learned uses of names kept before may go unrecorded until a directory moves.",
		     strerror(errno));
	close(fd);
}

/* lockcctl container forget NAME: delete what NAME learned. */
int do_container_forget(int argc, char **argv)
{
	struct lockc_learned_key key, next, *doomed = NULL;
	size_t count = 0, cap = 0, deleted = 0;
	bool first = true;
	int fd, err = 0;

	if (argc != 1)
		fail("'container forget' needs the name of a container.");
	fd = open_learned();
	/* Keys first, deletions after: a walk that deletes as it goes may start over. */
	while (!bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (strncmp(key.container, argv[0], LOCKC_NAME_MAX) != 0)
			continue;
		doomed = make_room(doomed, count, &cap, sizeof(*doomed));
		doomed[count++] = key;
	}
	for (; deleted < count; deleted++) {
		if (bpf_map_delete_elem(fd, &doomed[deleted]) && errno != ENOENT) {
			err = errno;
			break;
		}
	}
	/* Even after a failed deletion: what was deleted must be recorded again when used. */
	if (deleted > 0)
		end_recorded_names();
	if (err)
		fail("cannot delete an entry of map learned (%zu of %zu deleted): %s.", deleted, count, strerror(err));
	if (json_output)
		print_json(json_pack("{s:s,s:I}", "container", argv[0], "forgotten", (json_int_t)count));
	else
		printf("forgot %zu learned operations of %s.\n", count, argv[0]);
	free(doomed);
	close(fd);
	return 0;
}
