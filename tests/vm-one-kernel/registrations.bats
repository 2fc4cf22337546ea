#!/usr/bin/env bats
# Registrations as lockcctl keeps them: one per cgroup, listed as text and
# JSON, never the root cgroup nor an unknown policy. What a registration
# confines is in vm-every-kernel/syslog.bats.

load ../vm

PIN=/sys/fs/bpf/lockc

setup_file() {
	load_lockc
}

teardown_file() {
	leave_lockc_loaded
}

setup() {
	mkdir -p /sys/fs/cgroup/box
}

teardown() {
	delete_registrations
	rmdir /sys/fs/cgroup/box
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
