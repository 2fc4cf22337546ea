#!/usr/bin/env bats
# lockc-runtime driven with the argument vectors that containerd's runc shim
# (go-runc) and dockerd issue, against a stand-in runtime that records every
# call. lockc is not loaded on the host, so every create must end in a
# delete and a failure (fail closed); tests/vm-one-kernel/runtime.bats shows the same
# vectors succeed against real runc and crun.

load ../helpers

setup() {
	export LOCKC_PIN_DIR=$BATS_TEST_TMPDIR/no-lockc-here
	export LOCKC_RUNTIME=$BATS_TEST_TMPDIR/fake-runtime
	export CALLS=$BATS_TEST_TMPDIR/calls
	# Records its arguments, one call a line; `state ID` answers like runc;
	# FAKE_STATUS is the status of everything else.
	cat >"$LOCKC_RUNTIME" <<-'FAKE'
		#!/bin/bash
		printf '%s\n' "$*" >>"$CALLS"
		for arg; do
			if [ "$arg" = state ]; then
				printf '{"ociVersion":"1.0.2","id":"%s","pid":%d,"status":"created","bundle":"%s"}\n' \
					"${@: -1}" "$$" "$BATS_TEST_TMPDIR"
				exit 0
			fi
		done
		exit "${FAKE_STATUS:-0}"
	FAKE
	chmod +x "$LOCKC_RUNTIME"
	echo '{"ociVersion": "1.0.2", "mounts": []}' >"$BATS_TEST_TMPDIR/config.json"
	RUNTIME=$PROJECT/scripts/lockc-runtime
	ROOT=/run/containerd/runc/k8s.io
	TASK=$BATS_TEST_TMPDIR/task
	mkdir -p "$TASK"
}

@test "containerd's shim: every command but create passes through unchanged" {
	local globals=(--root "$ROOT" --log "$TASK/log.json" --log-format json --systemd-cgroup)
	"$RUNTIME" "${globals[@]}" start abc
	"$RUNTIME" "${globals[@]}" state abc >/dev/null
	"$RUNTIME" "${globals[@]}" kill --all abc 9
	"$RUNTIME" "${globals[@]}" exec --detach --pid-file "$TASK/exec.pid" --process "$TASK/process.json" abc
	"$RUNTIME" "${globals[@]}" delete --force abc
	FAKE_STATUS=3 run "$RUNTIME" "${globals[@]}" pause abc
	assert_status 3
	run cat "$CALLS"
	assert_output "--root $ROOT --log $TASK/log.json --log-format json --systemd-cgroup start abc
--root $ROOT --log $TASK/log.json --log-format json --systemd-cgroup state abc
--root $ROOT --log $TASK/log.json --log-format json --systemd-cgroup kill --all abc 9
--root $ROOT --log $TASK/log.json --log-format json --systemd-cgroup exec --detach --pid-file $TASK/exec.pid --process $TASK/process.json abc
--root $ROOT --log $TASK/log.json --log-format json --systemd-cgroup delete --force abc
--root $ROOT --log $TASK/log.json --log-format json --systemd-cgroup pause abc"
}

@test "containerd's shim: a create that cannot be registered is deleted, and the reason goes to the JSON log" {
	local globals=(--root "$ROOT" --log "$TASK/log.json" --log-format json --systemd-cgroup)
	run "$RUNTIME" "${globals[@]}" create --bundle "$BATS_TEST_TMPDIR" --pid-file "$TASK/init.pid" \
		--console-socket "$TASK/pty.sock" abc
	assert_status 1
	assert_output "lockc-runtime: lockc refuses container abc: cannot open lockc's map $LOCKC_PIN_DIR/maps/policies (No such file or directory); load lockc with lockc-load first."
	run cat "$CALLS"
	assert_output "--root $ROOT --log $TASK/log.json --log-format json --systemd-cgroup create --bundle $BATS_TEST_TMPDIR --pid-file $TASK/init.pid --console-socket $TASK/pty.sock abc
--root $ROOT --log $TASK/log.json --log-format json --systemd-cgroup state abc
--root $ROOT --log $TASK/log.json --log-format json --systemd-cgroup delete --force abc"
	run jq -r '"\(.level) \(.msg)"' "$TASK/log.json"
	assert_output "error lockc-runtime: lockc refuses container abc: cannot open lockc's map $LOCKC_PIN_DIR/maps/policies (No such file or directory); load lockc with lockc-load first."
}

@test "dockerd: --opt=value forms, a text log, and crun's --no-new-keyring and --preserve-fds" {
	run "$RUNTIME" --root=/var/run/docker/runtime-runc/moby --log="$TASK/log" --debug create \
		--no-pivot --no-new-keyring --preserve-fds 1 -b "$BATS_TEST_TMPDIR" 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	assert_status 1
	run cat "$CALLS"
	assert_output "--root=/var/run/docker/runtime-runc/moby --log=$TASK/log --debug create --no-pivot --no-new-keyring --preserve-fds 1 -b $BATS_TEST_TMPDIR 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
--root=/var/run/docker/runtime-runc/moby --log=$TASK/log --debug state 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
--root=/var/run/docker/runtime-runc/moby --log=$TASK/log --debug delete --force 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	run cat "$TASK/log"
	assert_output_contains 'level=error msg="lockc-runtime: lockc refuses container 0123456789ab: cannot open'
}

@test "a create the runtime itself fails is its failure: no state, no delete" {
	FAKE_STATUS=7 run "$RUNTIME" --root "$ROOT" create --bundle "$BATS_TEST_TMPDIR" abc
	assert_status 7
	run cat "$CALLS"
	assert_output "--root $ROOT create --bundle $BATS_TEST_TMPDIR abc"
}

@test "run, restore and unknown global options are refused before the runtime runs" {
	run "$RUNTIME" --root "$ROOT" run --bundle "$BATS_TEST_TMPDIR" abc
	assert_status 1
	assert_output "lockc-runtime: 'run' cannot be confined: lockc registers a container between create and start; use create, then start."
	run "$RUNTIME" restore --image-path /tmp/img abc
	assert_status 1
	assert_output "lockc-runtime: 'restore' cannot be confined: restored processes are never armed by an exec."
	run "$RUNTIME" --frobnicate yes create abc
	assert_status 1
	assert_output "lockc-runtime: unknown global option '--frobnicate'; lockc-runtime cannot tell whether it takes a value, so it refuses rather than let a create through unregistered."
	[ ! -e "$CALLS" ]
}

@test "the runtime comes from lockc.conf when LOCKC_RUNTIME is not set" {
	printf 'default-policy baseline\nruntime %s\n' "$LOCKC_RUNTIME" >"$BATS_TEST_TMPDIR/lockc.conf"
	LOCKC_RUNTIME='' LOCKC_CONFIG=$BATS_TEST_TMPDIR/lockc.conf run "$RUNTIME" state abc
	assert_status 0
	run cat "$CALLS"
	assert_output "state abc"
	printf 'default-policy baseline\nruntime /nonexistent/runc\n' >"$BATS_TEST_TMPDIR/lockc.conf"
	LOCKC_RUNTIME='' LOCKC_CONFIG=$BATS_TEST_TMPDIR/lockc.conf run "$RUNTIME" state abc
	assert_status 1
	assert_output "lockc-runtime: the runtime '/nonexistent/runc' is not found; set 'runtime' in /etc/lockc/lockc.conf."
}

@test "a broken lockc.conf refuses only create and run, with the reason in the engine's log; state, kill and delete pass through" {
	local globals=(--root "$ROOT" --log "$TASK/log.json" --log-format json)
	printf 'default-policy\nruntime %s\n' "$LOCKC_RUNTIME" >"$BATS_TEST_TMPDIR/lockc.conf"
	export LOCKC_CONFIG=$BATS_TEST_TMPDIR/lockc.conf LOCKC_RUNTIME=''
	"$RUNTIME" "${globals[@]}" state abc >/dev/null
	"$RUNTIME" "${globals[@]}" kill abc 15
	"$RUNTIME" "${globals[@]}" delete --force abc
	run "$RUNTIME" "${globals[@]}" create --bundle "$BATS_TEST_TMPDIR" abc
	assert_status 1
	assert_output "lockc-runtime: lockc refuses container abc: $LOCKC_CONFIG:1: 'default-policy' takes 1 value."
	run cat "$CALLS"
	assert_output "--root $ROOT --log $TASK/log.json --log-format json state abc
--root $ROOT --log $TASK/log.json --log-format json kill abc 15
--root $ROOT --log $TASK/log.json --log-format json delete --force abc
--root $ROOT --log $TASK/log.json --log-format json create --bundle $BATS_TEST_TMPDIR abc
--root $ROOT --log $TASK/log.json --log-format json state abc
--root $ROOT --log $TASK/log.json --log-format json delete --force abc"
	run jq -r '"\(.level) \(.msg)"' "$TASK/log.json"
	assert_output "error lockc-runtime: lockc refuses container abc: $LOCKC_CONFIG:1: 'default-policy' takes 1 value."
}

@test "an error before the subcommand is known still reaches the engine's log" {
	run "$RUNTIME" --log "$TASK/log.json" --log-format json --frobnicate yes create abc
	assert_status 1
	run jq -r '"\(.level) \(.msg)"' "$TASK/log.json"
	assert_output "error lockc-runtime: unknown global option '--frobnicate'; lockc-runtime cannot tell whether it takes a value, so it refuses rather than let a create through unregistered."
	LOCKC_RUNTIME=/nonexistent/runc run "$RUNTIME" --log "$TASK/log" state abc
	assert_status 1
	assert_output "lockc-runtime: the runtime '/nonexistent/runc' is not found; set 'runtime' in /etc/lockc/lockc.conf."
	run cat "$TASK/log"
	assert_output_contains "level=error msg=\"lockc-runtime: the runtime '/nonexistent/runc' is not found;"
}
