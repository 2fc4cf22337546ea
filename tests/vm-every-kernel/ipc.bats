#!/usr/bin/env bats
# IPC across the container's edge: UNIX sockets (stream and datagram) and
# SysV IPC objects made outside the container are refused, unless two
# policies name each other with "allow ipc". Containers share the host's
# network namespace (abstract sockets) and, with --host-ipc, its IPC
# namespace, as misconfigured pods do; only lockc stands between them.

load ../vm

# ipc-a and ipc-b name each other; ipc-c names ipc-a, which does not name it.
setup_file() {
	load_lockc_for_containers
	apply_policy_variant ipc-a baseline 'allow ipc ipc-b'
	apply_policy_variant ipc-b baseline 'allow ipc ipc-a'
	apply_policy_variant ipc-c baseline 'allow ipc ipc-a'
	mkdir -m 777 "$BATS_FILE_TMPDIR/shared"
}

teardown_file() {
	leave_lockc_loaded
}

setup() {
	"$LOCKCCTL" events >/dev/null
}

teardown() {
	remove_test_containers
	local key id
	for key in 4242 4343; do
		id=$("$PROJECT/build/probe" shm-id "$key" 2>/dev/null) && "$PROJECT/build/probe" shm-remove "$id" >/dev/null
	done
	kill "$(cat "$BATS_FILE_TMPDIR/server.pid" 2>/dev/null)" 2>/dev/null || true
}

# serve_in POLICY NAME SOCKET-OPERATION PATH: a container under POLICY
# serving a UNIX socket at /run/shared/PATH until the test ends.
serve_in() {
	bundle_create "$2" --mount "$BATS_FILE_TMPDIR/shared:/run/shared" -- probe "$3" "/run/shared/$4"
	container_start runc "$2" "$1"
	wait_for -e "$BATS_FILE_TMPDIR/shared/$4"
}

@test "ipc: a datagram to a UNIX socket of the host is refused in baseline; to the container's own it goes; privileged sends both" {
	local name=c$RANDOM
	"$PROJECT/build/probe" dgram-serve "$BATS_FILE_TMPDIR/shared/log.sock" &
	echo $! >"$BATS_FILE_TMPDIR/server.pid"
	wait_for -e "$BATS_FILE_TMPDIR/shared/log.sock"
	run container_run runc "$name" baseline --mount "$BATS_FILE_TMPDIR/shared:/run/shared" -- sh -c '
		probe unix-send /run/shared/log.sock
		probe dgram-serve /tmp/own.sock & while [ ! -S /tmp/own.sock ]; do sleep 0.1; done
		probe unix-send /tmp/own.sock; kill $!'
	assert_output "sendto: Operation not permitted
ok"
	run denials_of "$name"
	assert_output "denied unix-send - $BATS_FILE_TMPDIR/shared/log.sock"
	run container_run runc "c$RANDOM" privileged --mount "$BATS_FILE_TMPDIR/shared:/run/shared" -- \
		probe unix-send /run/shared/log.sock
	assert_output "ok"
}

@test "ipc: containers of two policies that name each other connect; one-sided consent and none are refused" {
	local b=c$RANDOM c=c$RANDOM d=c$RANDOM
	serve_in ipc-a "c$RANDOM" serve a.sock
	# Each `lockcctl events` takes what the ring buffer holds: read after every run.
	run container_run runc "$b" ipc-b --mount "$BATS_FILE_TMPDIR/shared:/run/shared" -- probe connect /run/shared/a.sock
	assert_output "ok"
	run denials_of "$b"
	assert_output ""
	run container_run runc "$c" ipc-c --mount "$BATS_FILE_TMPDIR/shared:/run/shared" -- probe connect /run/shared/a.sock
	assert_output "connect: Operation not permitted"
	run denials_of "$c"
	assert_output "denied unix-connect - /run/shared/a.sock"
	run container_run runc "$d" baseline --mount "$BATS_FILE_TMPDIR/shared:/run/shared" -- probe connect /run/shared/a.sock
	assert_output "connect: Operation not permitted"
	run denials_of "$d"
	assert_output "denied unix-connect - /run/shared/a.sock"
	run "$LOCKCCTL" policy show ipc-a
	assert_output_contains "allow ipc ipc-b"
	run "$LOCKCCTL" --json policy show ipc-a
	[ "$(jq -c '.rule_list[] | select(.class == "ipc")' <<<"$output")" = '{"verdict":"allow","class":"ipc","policy":"ipc-b"}' ]
}

@test "ipc: datagrams between consenting containers go; to a third policy's they do not" {
	local b=c$RANDOM c=c$RANDOM
	serve_in ipc-a "c$RANDOM" dgram-serve a.dgram
	run container_run runc "$b" ipc-b --mount "$BATS_FILE_TMPDIR/shared:/run/shared" -- probe unix-send /run/shared/a.dgram
	assert_output "ok"
	run container_run runc "$c" ipc-c --mount "$BATS_FILE_TMPDIR/shared:/run/shared" -- probe unix-send /run/shared/a.dgram
	assert_output "sendto: Operation not permitted"
}

@test "ipc: SysV shared memory of the host and of other containers is refused; the container's own and a consenting one's are not" {
	local maker=c$RANDOM b=c$RANDOM c=c$RANDOM
	run "$PROJECT/build/probe" shm-make 4242
	assert_output "ok"
	bundle_create "$maker" --host-ipc -- sh -c 'probe shm-make 4343; probe shm-attach 4343; exec sleep 1000'
	container_start runc "$maker" ipc-a
	for _ in $(seq 100); do [ "$(cat "$CONTAINER_DIR/$maker/output")" = "ok
ok" ] && break; sleep 0.1; done
	run cat "$CONTAINER_DIR/$maker/output"
	assert_output "ok
ok"
	run denials_of "$maker"
	assert_output ""
	run container_run runc "$b" ipc-b --host-ipc -- sh -c 'probe shm-attach 4343; probe shm-attach 4242'
	assert_output "ok
shmget: Permission denied"
	run denials_of "$b"
	assert_output "denied ipc id=N -"
	run container_run runc "$c" ipc-c --host-ipc -- sh -c "probe shm-attach 4343; probe shm-remove $("$PROJECT/build/probe" shm-id 4343)"
	assert_output "shmget: Permission denied
shmctl: Operation not permitted"
	run denials_of "$c"
	assert_output "denied ipc id=N -
denied ipc id=N -"
	run container_run runc "c$RANDOM" privileged --host-ipc -- sh -c 'probe shm-attach 4242; probe shm-attach 4343'
	assert_output "ok
ok"
}
