// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockc's BPF LSM programs. Containers are cgroup v2 subtrees registered in
 * the "containers" map; each names a policy in the "policies" map.
 *
 * A task is armed at its first execve while its cgroup has a registered
 * ancestor (its own cgroup included; the nearest one wins): the registration
 * is written to the task's storage, copied to every child and thread it
 * creates, and never removed. So the runtime's setup before that exec runs
 * free, and the workload is confined from its first instruction. Every hook
 * starts with one task-storage lookup; a task without storage (every host
 * process) leaves right there.
 *
 * Every hook returns an earlier LSM's denial unchanged, and denies when the
 * registration points at a policy that does not exist (fail closed). Every
 * denial is reported on the "events" ring buffer; a container in audit mode
 * is reported and not refused; one in learning mode is not refused, and
 * each distinct operation it does is recorded once (map "learned").
 *
 * How the pieces fit: this file is the one translation unit of the object
 * (one object, so one load attaches every program and they share every
 * map). The headers come in the order they build on each other, libraries
 * first, each using only those above it:
 *
 *   constants.h  the kernel's macros that the programs compare with
 *   maps.h       every map (documented in maps/, one page each)
 *   core.h       confinement, denial and report, scratch buffers, task_creds
 *   cgroups.h    registrations and cgroup subtrees
 *   guards.h     the engines' cgroups: containers nobody registered
 *   rules.h      rule lookups and the inode verdict cache
 *   paths.h      path resolution where bpf_d_path may not run
 *   own_mounts.h the file rules' verdict, and the container's own mounts
 *   writes.h     the verdict on changing a file, and kernel state
 *
 * and then the programs, one header per concern:
 *
 *   arming.h     who is confined: arming, inheritance, credentials, cleanup
 *   ipc.h        UNIX sockets, POSIX message queues and SysV IPC
 *   files.h      open, the path hooks, extended attributes, device nodes
 *   mounts.h     the mount tree and chroot
 *   exec.h       exec, executable mappings, memfds and anonymous memory
 *   creds.h      uid 0 and capabilities
 *   tasks.h      signals, SIGIO owners, ptrace, other tasks' settings
 *   net.h        socket families and IP
 *   kernel.h     the kernel interfaces a container never needs
 *
 * bpf/coverage.md says, hook by hook, which program covers what.
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
#include "guards.h"
#include "rules.h"
#include "paths.h"
#include "own_mounts.h"
#include "writes.h"

#include "arming.h"
#include "ipc.h"
#include "files.h"
#include "mounts.h"
#include "exec.h"
#include "creds.h"
#include "tasks.h"
#include "net.h"
#include "kernel.h"

char LICENSE[] SEC("license") = "GPL";
