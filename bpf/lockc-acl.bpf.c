// SPDX-License-Identifier: GPL-2.0-only
/*
 * A supplement of lockc.bpf.c: the hooks on POSIX ACLs, which Linux 6.2
 * split from the extended-attribute hooks. Before 6.2 an ACL is an
 * extended attribute, judged by lockc_setxattr; from 6.2 on, setting or
 * removing one reaches only these hooks. 6.1 has neither, and an object
 * that names a hook the kernel lacks does not load at all, so they cannot
 * be in lockc.bpf.o, which every kernel lockc supports must load.
 *
 * lockc-load loads this object beside lockc.bpf.o where the kernel has
 * every hook it names (build/lockc-acl.hooks), into the same load: its
 * maps are lockc.bpf.o's (every map is reused by name, so it keeps no
 * state of its own), its links are pinned beside the others, and a failed
 * load of either leaves nothing behind. It is built from the same headers,
 * so a rule means the same in both.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "lockc.h"

#include "constants.h"
#include "maps.h"
#include "core.h"
#include "cgroups.h"
#include "rules.h"
#include "paths.h"
#include "own_mounts.h"
#include "writes.h"

/* setfacl(1): an ACL set or removed is a write of the file, as an extended attribute is. */
SEC("lsm/inode_set_acl")
int BPF_PROG(lockc_set_acl, void *idmap, struct dentry *dentry, const char *acl_name, struct posix_acl *kacl,
	     int ret)
{
	return ret ?: inode_change(dentry, LOCKC_WRITE_XATTR);
}

SEC("lsm/inode_remove_acl")
int BPF_PROG(lockc_remove_acl, void *idmap, struct dentry *dentry, const char *acl_name, int ret)
{
	return ret ?: inode_change(dentry, LOCKC_WRITE_XATTR);
}

char LICENSE[] SEC("license") = "GPL";
