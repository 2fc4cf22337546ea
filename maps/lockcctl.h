/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the parts of lockcctl share: its options, its error reporting, and
 * the ways to reach lockc's pinned maps, cgroups and policies. Only lockcctl
 * includes this; the ABI with the kernel is lockc.h.
 */
#ifndef LOCKCCTL_H
#define LOCKCCTL_H

#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <jansson.h>

#include "lockc.h"

#define DEFAULT_PIN_DIR "/sys/fs/bpf/lockc"
#define COUNT(table) (sizeof(table) / sizeof((table)[0]))
#define CGROUP_MOUNT "/sys/fs/cgroup"

/* Global options. */
extern const char *pin_dir;
extern bool json_output;
extern size_t json_flags;

/*
 * Commands that must answer an error their own way (the OCI hook) set this;
 * fail() calls it with the message first, and it may exit.
 */
extern void (*fail_hook)(const char *msg);

/* Print "Error: MSG" (or {"error": MSG} under --json) and exit 1. */
void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...);
/* Print a JSON value on one line (or indented under --pretty) and free it. */
void print_json(json_t *value);

/* Open a pinned map, checking that its key and value sizes are ours. */
int open_map(const char *name, __u32 key_size, __u32 value_size);
int open_containers(void);
int open_policies(void);
int open_rules(void);
/* Serialise policy and registration writers with each other and with upgrades; held until exit. */
void lock_pin_dir(void);

bool valid_name(const char *name);
/* A valid name for a container id or cgroup name (out: LOCKC_NAME_MAX bytes). */
void container_name_of(const char *id, char *out);
/* "enforce", "audit" or "learn"; 0 for anything else. */
enum lockc_mode mode_parse(const char *word);
const char *mode_name(enum lockc_mode mode);
const char *verdict_name(enum lockc_verdict verdict);
/* A map's keys in ascending order, widened to __u64; *keys_out is malloc'ed. */
size_t sorted_keys(int fd, size_t key_size, __u64 **keys_out);
/* Trim white space at both ends, in place. */
void strip(char **start);

/* A cgroup v2 directory (absolute, or below CGROUP_MOUNT): id and level. */
__u64 cgroup_lookup(const char *arg, char *path, size_t path_size, int *level);
/* The path of a cgroup id, or NULL if it no longer exists. */
char *cgroup_path(__u64 id, char *buf, size_t size);

/* Names of lockc_operation and lockc_decision values (lockcctl-events.c); NULL where none. */
extern const char *const operation_names[];
extern const size_t operation_count;
extern const char *const decision_names[];
extern const size_t decision_count;

/* The node settings, lockc.conf(5) (lockcctl-config.c). */
struct name_pair {
	char key[LOCKC_NAME_MAX];
	char value[LOCKC_NAME_MAX];
};

struct node_config {
	const char *file;
	char default_policy[LOCKC_NAME_MAX];
	enum lockc_mode default_mode;
	bool start_on_error;
	struct name_pair namespaces[256];
	size_t n_namespaces;
	char forbidden_policies[64][LOCKC_NAME_MAX];
	size_t n_forbidden_policies;
	unsigned int forbidden_modes;	/* bit N: mode N (enum lockc_mode) */
	char runtime[PATH_MAX];		/* what lockc-runtime runs */
	/* The guards (maps/guards.md): cgroup path prefixes, exempt name prefixes, their policy. */
	char guard_trees[64][LOCKC_GUARD_PATH_MAX];
	size_t n_guard_trees;
	char guard_exempt[64][LOCKC_GUARD_PATH_MAX];
	size_t n_guard_exempt;
	char guard_policy[LOCKC_NAME_MAX];	/* default: default-policy */
};

/* The settings in $LOCKC_CONFIG or /etc/lockc/lockc.conf, else the shipped ones; fail() on an error. */
void config_load(struct node_config *cfg);

/* Register a cgroup as a container; see lockcctl-container.c. */
__u64 container_register(const char *cgroup, const char *policy_name, const char *name, enum lockc_mode mode,
			 bool same_ok, char *path, size_t path_size, struct lockc_container *entry,
			 struct lockc_container *replaced);

/* The container's own mounts (lockcctl-own-mounts.c, maps/own_mounts.md). */
struct own_mount_record {
	struct lockc_own_mount_key key;
	struct lockc_own_mount value;
};
int open_own_mounts(void);
size_t own_mounts_read(long pid, const char *spec_root, struct own_mount_record **out);
const char *own_mounts_write(__u64 id, struct own_mount_record *records, size_t count);
void own_mounts_forget(__u64 id);

/* Delete registration `id`, or put back the guard's it replaced (replaced->name non-empty). */
void registration_undo(__u64 id, const struct lockc_container *replaced);

/* The id of the policy named `name` among `ids`, or LOCKC_POLICY_ID_NONE. */
__u32 policy_find(int fd, const __u64 *ids, size_t count, const char *name);

/* The rule key (lockcctl-rules.c), as maps/rules.md describes it. */
/* Bytes of path data in a key. */
size_t rule_key_path_len(const struct lockc_rule_key *key);
/* Encode a rule's path (exact: that path only); NULL, or what is wrong with the path. */
const char *encode_rule_path(const char *path, bool exact, struct lockc_rule_key *key);
/* What is wrong with the patterns of a rule's path (volume: a volume rule's), or NULL. */
const char *rule_pattern_problem(const char *path, bool volume);
/* The rule's path as a policy file writes it (out: LOCKC_RULE_PATH_MAX + 1 bytes), and whether it is exact. */
void decode_rule_path(const struct lockc_rule_key *key, char *out, bool *exact);
/* The key the kernel looks `path` up with in (ruleset, class). */
void rule_lookup_key(const char *path, __u32 ruleset, enum lockc_rule_class class, struct lockc_rule_key *key);
/* Whether lockcctl writes entries of `class` from a policy's rules (pinned and marked directories): no policy line states them. */
bool derived_rule_class(enum lockc_rule_class class);
/* A device rule: type 'c' or 'b', a minor of -1 for every minor of the major. */
void encode_device(char type, unsigned int major, int minor, struct lockc_rule_key *key);
/* A device rule as a policy file writes it after "device": "char 10:200", "block 8:*", "char *". */
void decode_device(const struct lockc_rule_key *key, char *out, size_t size);
/* An IPC rule naming the policy `name`. */
void encode_ipc_rule(const char *name, struct lockc_rule_key *key);
/* Rule keys in display order: by class, then by path bytes (qsort). */
int compare_rule_keys(const void *a, const void *b);

/* Commands: argc and argv start after the command's name. */
int do_container_add(int argc, char **argv);
int do_container_delete(int argc, char **argv);
int do_container_list(int argc, char **argv);
int do_container_adopt(int argc, char **argv);
int do_container_forget(int argc, char **argv);
int do_policy_apply(int argc, char **argv);
int do_policy_list(int argc, char **argv);
int do_policy_show(int argc, char **argv);
int do_policy_names(int argc, char **argv);
int do_policy_check(int argc, char **argv);
int do_policy_suggest(int argc, char **argv);
/* The name of bit `bit` in set class `class` ("capability", "socket", "netlink"), or NULL. */
const char *named_bit_name(const char *class, unsigned int bit);
int do_events(int argc, char **argv);
/* The policy switch that decides `op` whatever its detail, or NULL (lockcctl-explain.c). */
const char *operation_switch(enum lockc_operation op);
/* events --explain (lockcctl-explain.c): the rule that decided a denial and the line that would allow it. */
void explain_denial(int policies_fd, int rules_fd, const struct lockc_event *e, const char *detail, char *decided,
		    size_t decided_size, char *allow, size_t allow_size);
int do_config_show(int argc, char **argv);
int do_config_get(int argc, char **argv);
int do_guard_apply(int argc, char **argv);
int do_guard_list(int argc, char **argv);
int do_oci_hook(int argc, char **argv);
int do_upgrade_plan(int argc, char **argv);
int do_upgrade_carry(int argc, char **argv);
int do_upgrade_exchange(int argc, char **argv);
int do_upgrade_record(int argc, char **argv);

#endif /* LOCKCCTL_H */
