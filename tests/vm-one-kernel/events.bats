#!/usr/bin/env bats
# Audit mode and denial events as lockcctl reports them: text and JSON,
# followed, with each kind of detail. Each enforced denial has an audited
# twin that succeeds and is reported. The rate limit and the end of a
# registration with its cgroup, which the programs decide, are in
# vm-every-kernel/events.bats.

# shellcheck disable=SC2016 # the workloads' scripts expand inside the containers

load ../vm

setup_file() {
	load_lockc_for_containers
	start_host_socket
}

teardown_file() {
	stop_host_socket
	leave_lockc_loaded
}

setup() {
	# Start each test with an empty ring buffer.
	"$LOCKCCTL" events >/dev/null
}

teardown() {
	remove_test_containers
}

# The events of container $1 as "decision operation detail policy comm", one a line.
events_of() {
	"$LOCKCCTL" --json events | jq -r --arg name "$1" \
		'select(.container == $name) | "\(.decision) \(.operation) \(.detail) \(.policy) \(.comm)"'
}


@test "enforce: a denied open is refused and reported with the path, the container and its policy" {
	local name=c$RANDOM
	run container_run runc "$name" restricted --user 1000 -- cat /usrx/file
	assert_output "cat: can't open '/usrx/file': Operation not permitted"
	run events_of "$name"
	assert_output "denied open /usrx/file restricted cat"
}

@test "audit: the same open succeeds and is reported as audited" {
	local name=c$RANDOM
	CONTAINER_MODE=audit run container_run runc "$name" restricted --user 1000 -- cat /usrx/file
	assert_output "next to /usr"
	run events_of "$name"
	assert_output "audited open /usrx/file restricted cat"
}

@test "an allowed open is not reported, and the host is never reported" {
	local name=c$RANDOM
	run container_run runc "$name" restricted --user 1000 -- cat /usr/file
	assert_output "in the image"
	cat "$CONTAINER_DIR/rootfs/usrx/file" >/dev/null
	run "$LOCKCCTL" events
	assert_status 0
	assert_output ""
}

@test "an event's text line names the time, decision, operation, detail, container, policy and task" {
	local name=c$RANDOM
	run container_run runc "$name" baseline -- cat /usrx/file
	run "$LOCKCCTL" events
	assert_status 0
	[[ "$output" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\ denied\ open\ /usrx/file\ container=$name\ cgroup_id=[0-9]+\ policy=baseline\ pid=[0-9]+\ tid=[0-9]+\ comm=cat$ ]]
}

@test "events --follow streams events as they come, as JSON lines, and stops cleanly on SIGTERM" {
	local name=c$RANDOM follower
	"$LOCKCCTL" --json events --follow >"$BATS_TEST_TMPDIR/follow" &
	follower=$!
	sleep 0.5
	run container_run runc "$name" restricted --user 1000 -- sh -c 'cat /usrx/file; sleep 1; cat /usrx/file'
	sleep 1.5
	kill -TERM "$follower"
	# Not `run wait`: bats' run is a subshell, which cannot wait for this
	# shell's child and says 255 while it still runs.
	status=0
	wait "$follower" || status=$?
	assert_status 0
	run jq -r '"\(.decision) \(.operation) \(.detail) \(.container)"' "$BATS_TEST_TMPDIR/follow"
	assert_output "denied open /usrx/file $name
denied open /usrx/file $name"
}

# restricted-caps: restricted with root and every capability allowed, so
# that the hooks behind the capability checks decide.
@test "mount, fsconfig, chroot, syslog and host-socket denials are reported with their detail" {
	local name=c$RANDOM
	apply_policy_variant restricted-caps restricted 'allow run-as-root' 'allow capability all'
	run container_run runc "$name" restricted-caps --cap SYS_ADMIN --cap SYSLOG \
		--mount "$BATS_FILE_TMPDIR/host-sockets:/run/host" -- sh -c '
		# busybox dmesg asks syslog(2) twice: for the size, then the text.
		chroot /tmp /bin/true; dmesg >/dev/null; mount -t tmpfs scratch /mnt
		probe fsmount /mnt; probe connect /run/host/docker.sock; true'
	run events_of "$name"
	assert_output "denied chroot tmp restricted-caps chroot
denied syslog  restricted-caps dmesg
denied syslog  restricted-caps dmesg
denied mount scratch restricted-caps mount
denied mount-option size restricted-caps probe
denied unix-connect $BATS_FILE_TMPDIR/host-sockets/docker.sock restricted-caps probe"
}

@test "audit: the same mounts, chroot, syslog and host socket succeed and every step is reported" {
	local name=c$RANDOM
	apply_policy_variant restricted-caps restricted 'allow run-as-root' 'allow capability all'
	CONTAINER_MODE=audit run container_run runc "$name" restricted-caps --cap SYS_ADMIN --cap SYSLOG \
		--mount "$BATS_FILE_TMPDIR/host-sockets:/run/host" -- sh -c '
		chroot /tmp /bin/true 2>/dev/null; [ $? -ne 1 ] && echo chroot allowed
		dmesg >/dev/null && echo dmesg ok; mount -t tmpfs scratch /mnt && echo mount ok
		probe fsmount /mnt; probe connect /run/host/docker.sock'
	assert_output "chroot allowed
dmesg ok
mount ok
ok
ok"
	run events_of "$name"
	assert_output "audited chroot tmp restricted-caps chroot
audited syslog  restricted-caps dmesg
audited syslog  restricted-caps dmesg
audited mount scratch restricted-caps mount
audited mount-option source restricted-caps mount
audited mount-option size restricted-caps probe
audited move-mount / restricted-caps probe
audited unix-connect $BATS_FILE_TMPDIR/host-sockets/docker.sock restricted-caps probe"
}

@test "an event carries a path of any length, not a truncated one" {
	local name=c$RANDOM path deep=/run/secrets/kubernetes.io/deep
	# The host makes the file: the container may not make what it may not open.
	bundle_create "$name" -- probe long-path "$deep" 300
	chroot "$CONTAINER_DIR/rootfs" /bin/sh -c "mkdir -p $deep && probe long-path $deep 300 create" >/dev/null
	container_start runc "$name" baseline
	container_wait runc "$name"
	rm -rf "${CONTAINER_DIR:?}/rootfs$deep"
	run cat "$CONTAINER_DIR/$name/output"
	assert_output "long-path: Operation not permitted"
	path=$("$LOCKCCTL" --json events | jq -r --arg name "$name" 'select(.container == $name) | .detail')
	[ "${#path}" -ge 300 ]
	[[ "$path" == /run/secrets/kubernetes.io/deep/* ]]
}

@test "events --explain names the rule that decided a denial and the line that allows it, and that line does" {
	local name=c$RANDOM
	run container_run runc "$name" restricted --user 1000 -- sh -c 'cat /usrx/file; cat /proc/sys/kernel/hostname'
	run "$LOCKCCTL" events --explain
	assert_output_contains " denied open /usrx/file container=$name "
	assert_output_contains "
  decided by: no file rule matches
  to allow it, add to policy restricted: allow file /usrx/file
"
	assert_output_contains "
  decided by: deny file /proc/sys
  to allow it, add to policy restricted: allow file /proc/sys/kernel/hostname"
	run container_run runc "c$RANDOM" restricted --user 1000 -- cat /usrx/file
	run "$LOCKCCTL" --json events --explain
	[ "$(jq -r '"\(.decided_by) | \(.allow_with)"' <<<"$output")" = "no file rule matches | allow file /usrx/file" ]

	# The suggested line, added to the policy, lets the open through.
	{ cat "$POLICY_DEFAULTS/restricted.policy"; echo "allow file /usrx/file"; } >"$BATS_TEST_TMPDIR/explained.policy"
	"$LOCKCCTL" policy apply "$BATS_TEST_TMPDIR/explained.policy" >/dev/null
	run container_run runc "c$RANDOM" explained --user 1000 -- cat /usrx/file
	assert_output "next to /usr"
}
