#!/usr/bin/env bats
# The first hook end to end: syslog (dmesg, /dev/kmsg, syslog(2)) is denied
# to tasks in a cgroup registered with a policy that denies it, and to
# nothing else.

load ../vm

PIN=/sys/fs/bpf/lockc

setup_file() {
	load_lockc
}

teardown_file() {
	leave_lockc_loaded
}

setup() {
	ensure_lockc_loaded
	mkdir -p /sys/fs/cgroup/box
}

teardown() {
	delete_registrations
	rmdir /sys/fs/cgroup/box/child 2>/dev/null || true
	rmdir /sys/fs/cgroup/box
}

@test "a registered baseline container cannot read the kernel log" {
	"$LOCKCCTL" container add path box policy baseline
	run in_cgroup box dmesg
	assert_status 1
	assert_output "dmesg: read kernel buffer failed: Operation not permitted"
	# syslog(2) itself, not /dev/kmsg
	run in_cgroup box dmesg --syslog
	assert_status 1
	assert_output "dmesg: read kernel buffer failed: Operation not permitted"
	run in_cgroup box head -n 1 /dev/kmsg
	assert_status 1
	assert_output "head: cannot open '/dev/kmsg' for reading: Operation not permitted"
}

@test "the host, outside every registered cgroup, still reads it" {
	"$LOCKCCTL" container add path box policy baseline
	run dmesg --syslog
	assert_status 0
	[ -n "$output" ]
	run head -n 1 /dev/kmsg
	assert_status 0
}

@test "an unregistered cgroup reads it" {
	run in_cgroup box dmesg --syslog
	assert_status 0
	[ -n "$output" ]
}

@test "a cgroup below a registered one is confined by its policy" {
	"$LOCKCCTL" container add path box policy baseline
	mkdir /sys/fs/cgroup/box/child
	run in_cgroup box/child dmesg --syslog
	assert_status 1
	assert_output "dmesg: read kernel buffer failed: Operation not permitted"
}

@test "the nearest registration decides: a privileged child of a baseline parent reads it" {
	"$LOCKCCTL" container add path box policy baseline
	mkdir /sys/fs/cgroup/box/child
	"$LOCKCCTL" container add path box/child policy privileged
	run in_cgroup box/child dmesg --syslog
	assert_status 0
	run in_cgroup box dmesg --syslog
	assert_status 1
}

@test "a privileged container reads it" {
	"$LOCKCCTL" container add path box policy privileged
	run in_cgroup box dmesg --syslog
	assert_status 0
	[ -n "$output" ]
}

@test "unregistering gives access back" {
	"$LOCKCCTL" container add path box policy baseline
	run in_cgroup box dmesg --syslog
	assert_status 1
	"$LOCKCCTL" container delete path box
	run in_cgroup box dmesg --syslog
	assert_status 0
}

@test "unloading lockc gives access back" {
	"$LOCKCCTL" container add path box policy baseline
	"$SCRIPTS/lockc-unload"
	run in_cgroup box dmesg --syslog
	assert_status 0
}

@test "an admin registers a container with bpftool alone" {
	id=$(stat -c %i /sys/fs/cgroup/box)
	policy=$(bpftool map dump pinned "$PIN/maps/policies" -j |
		jq '.[] | select(.formatted.value.name == "baseline") | .formatted.key')
	# key: __u64 cgroup id; value: __u32 policy_id, enum mode (1: enforce), char name[64]
	read -ra key <<<"$(le_hex "$id" 8)"
	read -ra value <<<"$(le_hex "$policy" 4) $(le_hex 1 4) $(string_hex box 64)"
	bpftool map update pinned "$PIN/maps/containers" key hex "${key[@]}" value hex "${value[@]}"
	run "$LOCKCCTL" container list
	assert_output "CGROUP_ID    POLICY           MODE     NAME                     CGROUP
$(printf '%-12s %-16s %-8s %-24s %s' "$id" baseline enforce box /sys/fs/cgroup/box)"
	run in_cgroup box dmesg --syslog
	assert_status 1
}

@test "a registration naming a missing policy denies (fail closed)" {
	id=$(stat -c %i /sys/fs/cgroup/box)
	read -ra key <<<"$(le_hex "$id" 8)"
	read -ra value <<<"$(le_hex 999 4) $(le_hex 1 4) $(string_hex box 64)"
	bpftool map update pinned "$PIN/maps/containers" key hex "${key[@]}" value hex "${value[@]}"
	run "$LOCKCCTL" container list
	assert_output_contains "(missing)"
	# Not even the exec of dmesg gets through: every open is denied.
	run in_cgroup box dmesg --syslog
	assert_status 126
	assert_output_contains "/usr/bin/dmesg: Operation not permitted"
}

