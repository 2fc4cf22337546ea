#!/usr/bin/env bats
# The first hook end to end: syslog (dmesg, /dev/kmsg, syslog(2)) is denied
# to tasks in a cgroup registered with a policy that denies it, and to
# nothing else.

load ../helpers

PIN=/sys/fs/bpf/lockc

setup() {
	require_vm
	"$SCRIPTS/lockc-load" >/dev/null
	mkdir -p /sys/fs/cgroup/box
}

teardown() {
	"$SCRIPTS/lockc-unload" >/dev/null
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

@test "registering the same cgroup twice is refused and keeps the first" {
	"$LOCKCCTL" container add path box policy privileged name first
	run "$LOCKCCTL" container add path box policy baseline
	assert_status 1
	assert_output "Error: cgroup /sys/fs/cgroup/box is already registered as 'first'; delete it first."
	run in_cgroup box dmesg --syslog
	assert_status 0
}

@test "container list shows registrations, also as JSON" {
	"$LOCKCCTL" container add path box policy baseline name web
	id=$(stat -c %i /sys/fs/cgroup/box)
	run "$LOCKCCTL" --json container list
	assert_status 0
	assert_output "[{\"cgroup_id\":$id,\"cgroup\":\"/sys/fs/cgroup/box\",\"policy\":\"baseline\",\"policy_id\":1,\"mode\":\"enforce\",\"name\":\"web\"}]"
}

@test "registering the root cgroup or an unknown policy is refused" {
	run "$LOCKCCTL" container add path /sys/fs/cgroup policy baseline
	assert_status 1
	assert_output "Error: /sys/fs/cgroup is the root cgroup; registering it would confine the whole host."
	run "$LOCKCCTL" container add path box policy nosuch
	assert_status 1
	assert_output "Error: no policy named 'nosuch' is loaded; apply it first with 'lockcctl policy apply'."
	run bpftool map dump pinned "$PIN/maps/containers" -j
	assert_output "[]"
}
