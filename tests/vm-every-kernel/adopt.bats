#!/usr/bin/env bats
# lockcctl container adopt: a container that was running before it was
# registered never execs again, so adopt arms its running tasks through
# pidfds. Each workload's output shows the same open allowed before the
# adoption and denied after it.

load ../vm

setup_file() {
	load_lockc_for_containers
}

teardown_file() {
	leave_lockc_loaded
}

teardown() {
	remove_test_containers
}

# The last line the workload of container $1 wrote, after it had time to write another.
last_report() {
	sleep 0.6
	tail -n 1 "$CONTAINER_DIR/$1/output"
}

@test "a running container's process, which never execs again, is confined once adopted (runc, crun)" {
	local runtime name
	for runtime in runc crun; do
		name=c$RANDOM
		bundle_create "$name" --user 1000 -- probe watch /usrx/file
		container_start "$runtime" "$name" none
		run last_report "$name"
		assert_output "ok"
		run "$LOCKCCTL" container adopt path "$CONTAINER_CGROUP_PARENT/$name" policy restricted name "$name"
		assert_status 0
		assert_output "registered /sys/fs/cgroup/$CONTAINER_CGROUP_PARENT/$name as '$name' with policy restricted and armed 1 running tasks."
		run last_report "$name"
		assert_output "open: Operation not permitted"
		# And a later exec into it is armed by the registration.
		run "$runtime" exec --user 1000 "$name" cat /usrx/file
		assert_output "cat: can't open '/usrx/file': Operation not permitted"
	done
}

@test "adopting arms every process of the container, children included, and nothing on the host" {
	local name=c$RANDOM
	bundle_create "$name" --user 1000 -- sh -c 'probe watch /usrx/file & probe watch /usrx/file & wait'
	container_start runc "$name" none
	run "$LOCKCCTL" --json container adopt path "$CONTAINER_CGROUP_PARENT/$name" policy restricted
	[ "$(jq .armed <<<"$output")" -eq 3 ]
	sleep 0.6
	run tail -n 2 "$CONTAINER_DIR/$name/output"
	assert_output "open: Operation not permitted
open: Operation not permitted"
	run cat "$CONTAINER_DIR/rootfs/usrx/file"
	assert_output "next to /usr"
}

@test "a thread is armed on kernels that can name it (6.9+); on older ones adopt refuses and registers nothing" {
	local name=c$RANDOM
	bundle_create "$name" --user 1000 -- probe thread-watch /usrx/file
	container_start runc "$name" none
	run last_report "$name"
	assert_output "ok"
	run "$LOCKCCTL" container adopt path "$CONTAINER_CGROUP_PARENT/$name" policy restricted
	if [ "$LOCKC_VM_KERNEL" = 6.1 ]; then
		assert_status 1
		assert_output_contains "is a thread, and this kernel (before Linux 6.9) cannot name a thread to arm it; restart the container under a registration instead; the container was not registered."
		run "$LOCKCCTL" --json container list
		assert_output "[]"
		run last_report "$name"
		assert_output "ok"
	else
		assert_status 0
		run last_report "$name"
		assert_output "open: Operation not permitted"
	fi
}

@test "a container its runtime is still setting up is not adopted" {
	local runtime name
	for runtime in runc crun; do
		name=c$RANDOM
		bundle_create "$name" --user 1000 -- probe watch /usrx/file
		"$runtime" create --bundle "$CONTAINER_DIR/$name" "$name" >/dev/null 2>&1 </dev/null
		run "$LOCKCCTL" container adopt path "$CONTAINER_CGROUP_PARENT/$name" policy restricted
		assert_status 1
		assert_output_contains "Error: cgroup /sys/fs/cgroup/$CONTAINER_CGROUP_PARENT/$name is still being set up by its runtime (process "
		run "$LOCKCCTL" --json container list
		assert_output "[]"
	done
}
