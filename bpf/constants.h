/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The kernel's constants that lockc's programs compare with: macros, which
 * vmlinux.h (types only) does not carry. Each keeps the kernel's name and
 * value; lockc's own bounds live beside the code they bound.
 */
#ifndef LOCKC_BPF_CONSTANTS_H
#define LOCKC_BPF_CONSTANTS_H

/* errno */
#define EPERM 1
#define ENOMEM 12
#define EEXIST 17
#define EINVAL 22
#define ENOPARAM 519

/* Paths and files */
#define PATH_MAX 4096
#define NAME_MAX 255
#define RENAME_EXCHANGE 2
#define FMODE_WRITE 0x2
/* The kernel's FMODE_NOACCOUNT (6.1 and 6.12 alike): files the kernel opens for itself. */
#define FMODE_NOACCOUNT 0x20000000
#define S_IFMT 00170000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFBLK 0060000
/* The kernel's dev_t: 12 bits of major, 20 of minor. */
#define DEV_MAJOR(dev) ((__u32)(dev) >> 20)
#define DEV_MINOR(dev) ((__u32)(dev) & 0xfffff)

/* struct iattr's ia_valid: what notify_change() is asked to change */
#define ATTR_MODE 1
#define ATTR_UID 2
#define ATTR_GID 4
#define ATTR_SIZE 8
#define ATTR_ATIME 16
#define ATTR_MTIME 32

/* Mounts */
#define MS_REMOUNT 32
#define MS_BIND 4096
/* The kernel's MNT_NS_INTERNAL: kernel-internal mounts (pipes, sockets...). */
#define MNT_NS_INTERNAL ((struct mnt_namespace *)-EINVAL)

/* File systems whose every file is kernel state: writing one changes the kernel. */
#define SYSFS_MAGIC 0x62656572
#define DEBUGFS_MAGIC 0x64626720
#define TRACEFS_MAGIC 0x74726163
#define SECURITYFS_MAGIC 0x73636673
#define BPF_FS_MAGIC 0xcafe4a11
#define CONFIGFS_MAGIC 0x62656570
#define EFIVARFS_MAGIC 0xde5e81e4
#define PSTOREFS_MAGIC 0x6165676c
#define PROC_SUPER_MAGIC 0x9fa0
#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define MQUEUE_MAGIC 0x19800202

/* Memory */
#define PROT_EXEC 0x4
#define VM_EXEC 0x4

/* Capabilities and ptrace */
#define CAP_OPT_NOAUDIT 0x2
#define PTRACE_MODE_NOAUDIT 0x04

/* A file's SIGIO owner */
#define F_SETOWN 8
#define F_SETOWN_EX 15
#define FIOSETOWN 0x8901
#define SIOCSPGRP 0x8902

/* Sockets */
#define AF_UNSPEC 0
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define SOCK_RAW 3
#define SOCK_TYPE_MASK 0xf
/* The kernel's SOCK_BINDPORT_LOCK: bind(2) gave the socket its port. */
#define SOCK_BINDPORT_LOCK 8

/* System calls that hooks shared with other callers tell apart by number. */
#if defined(__TARGET_ARCH_x86)
#define NR_mount 165
#define NR_perf_event_open 298
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define NR_mount 40
#define NR_perf_event_open 241
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, syscallno)
#else
#error "lockc knows the system call numbers of x86 and arm64 only"
#endif

#endif /* LOCKC_BPF_CONSTANTS_H */
