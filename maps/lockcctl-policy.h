/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy language (lockcctl-policy-file.c), as the policy commands
 * (lockcctl-policy.c) see it: the rule classes and their names, and a
 * parsed policy file.
 */
#ifndef LOCKCCTL_POLICY_H
#define LOCKCCTL_POLICY_H

#include "lockcctl.h"

/* Switch classes: one verdict each, stated at most once per policy. */
struct switch_class {
	const char *name;
	size_t offset;		/* of its verdict in struct lockc_policy */
};
extern const struct switch_class switch_classes[];
extern const size_t switch_class_count;
/* Policy `policy`'s verdict of switch class i. */
enum lockc_verdict *switch_field(struct lockc_policy *policy, size_t i);

/* A name for a number, in the set classes' tables. */
struct named_bit {
	const char *name;
	unsigned int bit;
};

/* Set classes: named bits of one field, `all` for every name the table has. */
struct set_class {
	const char *name;
	const char *what;	/* for error messages */
	const struct named_bit *names;
	size_t count;
	size_t offset;		/* of the policy's bit field */
	size_t size;		/* its size: 4 or 8 bytes */
};
extern const struct set_class set_classes[];
extern const size_t set_class_count;
/* Set class `set`'s bits in `policy`. */
__u64 set_field_get(const struct lockc_policy *policy, const struct set_class *set);
/* Every bit of a set class's field: what "all" sets. */
__u64 set_every(const struct set_class *set);

/*
 * Named device classes: the devices a process may need, by their fixed
 * numbers. A minor of -1 is every minor of the major.
 */
struct device_class {
	const char *name;
	char type;
	unsigned int major;
	int minor;
	unsigned int majors;	/* consecutive majors from `major` */
};
extern const struct device_class device_classes[];
extern const size_t device_class_count;

/* "file", "device", ...: a rule class's name in a policy file. */
const char *path_class_name(enum lockc_rule_class class);

struct parsed_rule {
	struct lockc_rule_key key;
	struct lockc_rule value;
	unsigned int line;
};

/*
 * A policy file: the policy's value, and its rules (ruleset not yet set),
 * sorted: the `stated` rules of its lines, then the entries lockcctl derives
 * from them (derived_rule_class()), `count` in all.
 */
struct parsed_policy {
	const char *file;
	struct lockc_policy policy;
	struct parsed_rule *rules;
	size_t count, cap, stated;
};

/* Parse `file` into p, or fail() with the file and line of the first error. */
void policy_parse(const char *file, struct parsed_policy *p);

#endif /* LOCKCCTL_POLICY_H */
