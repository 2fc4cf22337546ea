#!/usr/bin/env bats
# What the programs decide about events and registrations: the rate limit
# under a loop of denials, and a registration's end with its cgroup. What
# lockcctl makes of events (text, JSON, follow, each kind of detail) is in
# vm-one-kernel/events.bats.

load ../vm

setup_file() {
	load_lockc_for_containers
}

teardown_file() {
	leave_lockc_loaded
}

setup() {
	# Start each test with an empty ring buffer.
	"$LOCKCCTL" events >/dev/null
}

teardown() {
	remove_test_containers
}

@test "a loop of denials is rate limited: every denial is either sent or counted as dropped" {
	local name=c$RANDOM sent dropped
	run container_run runc "$name" restricted --user 1000 -- sh -c 'probe open-loop /usrx/file 2000; sleep 1.2; cat /usrx/file'
	assert_output "2000 of 2000 failed
cat: can't open '/usrx/file': Operation not permitted"
	run "$LOCKCCTL" --json events
	assert_status 0
	sent=$(jq -s --arg name "$name" '[.[] | select(.container == $name)] | length' <<<"$output")
	# The last open comes in a new window and carries the count dropped before it.
	dropped=$(jq -s --arg name "$name" '[.[] | select(.container == $name) | .suppressed_before // 0] | add' <<<"$output")
	[ "$((sent + dropped))" -eq 2001 ]
	[ "$sent" -lt 2001 ]
	[ "$dropped" -gt 0 ]
	[ "$(jq -s '[.[] | select(.dropped) | .dropped.rate_limited] | add' <<<"$output")" -ge "$dropped" ]
}

@test "a registration goes when its cgroup is removed, and stays while it exists" {
	local name i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		name=c$RANDOM-$i
		container_run runc "$name" restricted --user 1000 -- true >/dev/null
		runc delete "$name"
	done
	mkdir /sys/fs/cgroup/gc-kept
	"$LOCKCCTL" container add path gc-kept policy baseline
	run "$LOCKCCTL" container list
	assert_output "$(printf '%-12s %-16s %-8s %-24s %s\n' CGROUP_ID POLICY MODE NAME CGROUP \
		"$(stat -c %i /sys/fs/cgroup/gc-kept)" baseline enforce gc-kept /sys/fs/cgroup/gc-kept)"
	rmdir /sys/fs/cgroup/gc-kept
	run "$LOCKCCTL" container list
	assert_output "CGROUP_ID    POLICY           MODE     NAME                     CGROUP"
}
