// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rule key: how a policy's rules and a path looked up become keys of
 * the rules map, as maps/rules.md describes them. The one place in
 * lockcctl that knows the encoding; the kernel's side of it is
 * rule_verdict_or() in bpf/rules.h.
 */
#include "lockcctl.h"

#include <arpa/inet.h>

int open_rules(void)
{
	return open_map("rules", sizeof(struct lockc_rule_key), sizeof(struct lockc_rule));
}

/* Bytes of path data in a rule key. */
size_t rule_key_path_len(const struct lockc_rule_key *key)
{
	return key->prefixlen / 8 - LOCKC_RULE_KEY_HEADER_BITS / 8;
}

/*
 * Encode a rule's path as maps/lockc.h describes. Returns NULL, or what is
 * wrong with the path.
 */
const char *encode_rule_path(const char *path, bool exact, struct lockc_rule_key *key)
{
	size_t len = strlen(path), n;

	if (path[0] != '/')
		return "a path starts with '/'";
	for (const char *c = path; *c; c = strchrnul(c + 1, '/')) {
		const char *next = strchrnul(c + 1, '/');
		size_t component = next - (c + 1);

		if (component == 0 && len > 1)
			return "a path has no empty components ('//') and no trailing '/'";
		if ((component == 1 && c[1] == '.') || (component == 2 && c[1] == '.' && c[2] == '.'))
			return "a path has no '.' or '..' components";
	}
	/* "/usr" becomes "/usr/", "/" stays; exact rules end in a NUL. */
	n = len + (len > 1) + exact;
	if (n > sizeof(key->path))
		return "the path is too long for a rule";
	memset(key->path, 0, sizeof(key->path));
	memcpy(key->path, path, len);
	if (len > 1)
		key->path[len] = '/';
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * n;
	return NULL;
}

/*
 * Volume rules may name what an engine mounts per container, not the tree
 * that holds every tenant's: a component "*" stands for any one name (a
 * named volume), and "{container}", "{sandbox}" or "{pod}" for the
 * container's own id, its pod sandbox's id or its pod's uid (see
 * volume_allowed in lockcctl-oci.c), each at most once a rule. Other rules
 * take plain paths. NULL, or what is wrong with the path.
 */
const char *rule_pattern_problem(const char *path, bool volume)
{
	int stars = 0, placeholders = 0;

	for (const char *c = path; *c; c = strchrnul(c + 1, '/')) {
		const char *next = strchrnul(c + 1, '/');
		size_t len = next - (c + 1);
		bool placeholder = (len == 11 && strncmp(c + 1, "{container}", 11) == 0) ||
				   (len == 9 && strncmp(c + 1, "{sandbox}", 9) == 0) ||
				   (len == 5 && strncmp(c + 1, "{pod}", 5) == 0);
		bool star = len == 1 && c[1] == '*';
		bool special = memchr(c + 1, '*', len) || memchr(c + 1, '{', len) || memchr(c + 1, '}', len);

		if (special && !volume)
			return "'*' and '{...}' are patterns of volume rules; other rules take plain paths";
		if (special && !star && !placeholder)
			return "a pattern is a whole component: '*', '{container}', '{sandbox}' or '{pod}'";
		stars += star;
		placeholders += placeholder;
	}
	if (stars > 1 || placeholders > 1)
		return "a volume rule has at most one '*' and one of '{container}', '{sandbox}', '{pod}'";
	return NULL;
}

/*
 * The key the kernel looks a path up with (rule_verdict_or()): the path,
 * "/" and a NUL appended, cut at the key's size. The longest rule that is
 * a prefix of it decides.
 */
void rule_lookup_key(const char *path, __u32 ruleset, enum lockc_rule_class class, struct lockc_rule_key *key)
{
	size_t len = strlen(path), n;

	memset(key, 0, sizeof(*key));
	key->ruleset = ruleset;
	key->class = class;
	n = len < sizeof(key->path) ? len : sizeof(key->path);
	memcpy(key->path, path, n);
	if (n < sizeof(key->path) && (len == 0 || path[len - 1] != '/'))
		key->path[n++] = '/';
	if (n < sizeof(key->path))
		key->path[n++] = '\0';
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * n;
}

bool derived_rule_class(enum lockc_rule_class class)
{
	return class == LOCKC_RULE_PINNED || class == LOCKC_RULE_RULES_BELOW;
}

/* The rule's path as a policy file writes it, and whether it is exact. */
void decode_rule_path(const struct lockc_rule_key *key, char *out, bool *exact)
{
	size_t n = rule_key_path_len(key);

	if (n > sizeof(key->path))
		n = sizeof(key->path);
	memcpy(out, key->path, n);
	out[n] = '\0';
	*exact = n > 0 && key->path[n - 1] == '\0';
	if (*exact)
		n--;
	if (n > 1 && out[n - 1] == '/')
		n--;
	out[n] = '\0';
}

/* Encode a device rule as maps/lockc.h describes (minor -1: every minor). */
void encode_device(char type, unsigned int major, int minor, struct lockc_rule_key *key)
{
	__u32 be_major = htonl(major), be_minor = htonl((__u32)minor);

	memset(key->path, 0, sizeof(key->path));
	key->path[0] = type;
	memcpy(&key->path[1], &be_major, sizeof(be_major));
	memcpy(&key->path[5], &be_minor, sizeof(be_minor));
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS +
			 8 * (minor < 0 ? LOCKC_DEVICE_MAJOR_KEY_LEN : LOCKC_DEVICE_KEY_LEN);
}

/* A device rule's key as a policy file writes it: "char 1:3", "char 136:*". */
void decode_device(const struct lockc_rule_key *key, char *out, size_t size)
{
	__u32 major, minor;

	memcpy(&major, &key->path[1], sizeof(major));
	memcpy(&minor, &key->path[5], sizeof(minor));
	if (rule_key_path_len(key) == 1)
		snprintf(out, size, "%s *", key->path[0] == 'b' ? "block" : "char");
	else if (rule_key_path_len(key) == LOCKC_DEVICE_KEY_LEN)
		snprintf(out, size, "%s %u:%u", key->path[0] == 'b' ? "block" : "char", ntohl(major), ntohl(minor));
	else
		snprintf(out, size, "%s %u:*", key->path[0] == 'b' ? "block" : "char", ntohl(major));
}

/* An IPC rule naming policy `name` (valid_name()): the name and its NUL, so "web" never matches "webx". */
void encode_ipc_rule(const char *name, struct lockc_rule_key *key)
{
	size_t len = strlen(name);

	memcpy(key->path, name, len + 1);
	key->prefixlen = LOCKC_RULE_KEY_HEADER_BITS + 8 * (len + 1);
}

/* Rule keys in display order: by class, then by path bytes. */
int compare_rule_keys(const void *a, const void *b)
{
	const struct lockc_rule_key *x = a, *y = b;
	size_t nx = rule_key_path_len(x), ny = rule_key_path_len(y);
	int c;

	if (x->class != y->class)
		return x->class < y->class ? -1 : 1;
	c = memcmp(x->path, y->path, nx < ny ? nx : ny);
	return c ? c : (nx > ny) - (nx < ny);
}
