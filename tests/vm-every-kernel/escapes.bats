#!/usr/bin/env bats
# The escape catalogue: the container escapes people use, tried from inside
# a container under each shipped policy. The container is as misconfigured as
# it gets: the host's root and a runtime socket mounted in, the host's pid
# and cgroup namespaces, every device, a writable /proc/sys and /sys, and the
# capabilities each technique needs. privileged must escape every time (so a
# technique that stops working is noticed); baseline and restricted never.
# Each test prints its table: technique, policy, expected, observed.
#
# And no false positives: a workload of coreutils, forks, execs, threads,
# pipes, files in /tmp, name lookups through /etc and loopback TCP runs clean
# under baseline (as root) and restricted (as uid 1000), with no denial; and
# the policy that learning mode suggests from that workload runs it with no
# denial and blocks the catalogue as restricted does.

# shellcheck disable=SC2016 # the workloads' scripts expand inside the containers

load ../vm

setup_file() {
	load_lockc_for_containers
	start_host_socket
	sleep 1000 &
	echo $! >"$BATS_FILE_TMPDIR/host-sleeper.pid"
	# A host service on an abstract UNIX socket, such as containerd's shim.
	python3 -c '
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0lockc-host-service")
s.listen(16)
while True:
    s.accept()[0].close()' &
	echo $! >"$BATS_FILE_TMPDIR/abstract.pid"
}

teardown_file() {
	kill "$(cat "$BATS_FILE_TMPDIR/host-sleeper.pid")" "$(cat "$BATS_FILE_TMPDIR/abstract.pid")"
	stop_host_socket
	leave_lockc_loaded
}

setup() {
	"$LOCKCCTL" events >/dev/null
}

teardown() {
	remove_test_containers
}

# technique and arguments, one a line; HOST_PID is the host's sleeper.
techniques() {
	cat <<-TECHNIQUES
	chroot-host /rootfs
	runtime-socket /run/host/docker.sock
	core-pattern
	release-agent /mnt
	sysrq
	mount-proc /mnt
	mount-sysfs /mnt
	mount-cgroup2 /mnt
	mount-debugfs /mnt
	mknod-disk /tmp/$1-sda
	dev-mem
	kcore
	module-load
	bpf
	perf
	ptrace $(cat "$BATS_FILE_TMPDIR/host-sleeper.pid")
	signal $(cat "$BATS_FILE_TMPDIR/host-sleeper.pid")
	userns-mount /mnt
	keyctl
	settime
	read /run/secrets/kubernetes.io/serviceaccount/token
	abstract-socket lockc-host-service
	raw-socket
	packet-socket
	TECHNIQUES
}

# catalogue POLICY [bundle options]: every technique in one container (named
# $CATALOGUE_NAME if set); prints "TECHNIQUE escaped|blocked" lines. setuid-root runs a setuid-root copy of
# the probe as uid 1000, the way to root that a root container does not need.
catalogue() {
	local policy=$1 name=${CATALOGUE_NAME:-c$RANDOM} script
	shift
	script=$(techniques "$name" | while read -r technique args; do
		# shellcheck disable=SC2086 # args are words
		printf 'escape %s %s >/dev/null 2>&1 && echo "%s escaped" || echo "%s blocked"\n' \
			"$technique" "$args" "$technique" "$technique"
	done)
	script+=$'\nsu_out=$(su -s /bin/sh user -c "probe-setuid setresuid 0 0 0" 2>&1)'
	script+=$'\n[ "$su_out" = ok ] && echo "setuid-root escaped" || echo "setuid-root blocked"'
	container_run runc "$name" "$policy" "$@" --mount /:/rootfs \
		--mount "$BATS_FILE_TMPDIR/host-sockets:/run/host" --new-privileges --host-pid --host-cgroupns \
		--all-devices --writable-kernel --cap SYS_ADMIN --cap SYS_MODULE --cap SYS_PTRACE --cap SYS_RAWIO \
		--cap SYS_TIME --cap NET_RAW --cap MKNOD --cap BPF --cap PERFMON --cap SETUID --cap SETGID \
		-- sh -c "$script"
}

# check_catalogue POLICY EXPECTED: print the table to the TAP stream and fail
# on the first technique whose result is not EXPECTED.
check_catalogue() {
	local policy=$1 expected=$2 technique observed wrong=0
	printf '# %-16s %-11s %-8s %s\n' technique policy expected observed >&3
	while read -r technique observed; do
		printf '# %-16s %-11s %-8s %s\n' "$technique" "$policy" "$expected" "$observed" >&3
		[ "$observed" = "$expected" ] || wrong=$((wrong + 1))
	done <"$BATS_TEST_TMPDIR/observed"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/observed")" -eq 25 ]
	[ "$wrong" -eq 0 ]
}

@test "escape catalogue: privileged escapes with every technique (the techniques work)" {
	catalogue privileged >"$BATS_TEST_TMPDIR/observed"
	check_catalogue privileged escaped
}

@test "escape catalogue: baseline, as root with those capabilities, blocks every technique" {
	catalogue baseline >"$BATS_TEST_TMPDIR/observed"
	check_catalogue baseline blocked
}

@test "escape catalogue: restricted blocks every technique" {
	catalogue restricted --user 1000 >"$BATS_TEST_TMPDIR/observed"
	check_catalogue restricted blocked
}

# The workload: coreutils.sh and the compiled workload, each in a directory
# of its own under /tmp (the rootfs is shared).
no_false_positives() {
	local name=$1
	shift
	container_run runc "$name" "$@" -- sh -c 'cd "$(mktemp -d)" && coreutils.sh && workload'
}

@test "no false positives: the workload runs clean under baseline as root and restricted as uid 1000" {
	local name=c$RANDOM
	run no_false_positives "$name" baseline
	assert_output "coreutils ok
workload ok"
	run "$LOCKCCTL" --json events
	assert_output ""
	name=c$RANDOM
	run no_false_positives "$name" restricted --user 1000
	assert_output "coreutils ok
workload ok"
	run "$LOCKCCTL" --json events
	assert_output ""
}

# The attacker is there while the policy is learned: the catalogue runs in
# the learning container too (let through, as learning lets everything),
# and the suggestion must leave out what it needed.
@test "a policy learned from the workload and the catalogue (policy suggest) runs the workload clean enforced, and blocks every technique as restricted does" {
	local learner=c$RANDOM name=c$RANDOM
	CONTAINER_MODE=learn run no_false_positives "$learner" restricted --user 1000
	assert_output "coreutils ok
workload ok"
	# The same name, so that both runs are learned as one container's.
	run container_remove runc "$learner"
	CATALOGUE_NAME=$learner CONTAINER_MODE=learn catalogue restricted --user 1000 >/dev/null
	"$LOCKCCTL" policy suggest "$learner" >"$BATS_FILE_TMPDIR/learned-workload.policy"
	"$LOCKCCTL" container forget "$learner" >/dev/null
	"$LOCKCCTL" policy apply "$BATS_FILE_TMPDIR/learned-workload.policy" >/dev/null
	printf '# the suggested policy: %s lines, %s of them allow path rules (restricted: %s)\n' \
		"$(grep -vc '^#' "$BATS_FILE_TMPDIR/learned-workload.policy")" \
		"$(grep -Ec '^allow (file|exec|write) ' "$BATS_FILE_TMPDIR/learned-workload.policy")" \
		"$(grep -Ec '^allow (file|exec|write) ' "$POLICY_DEFAULTS/restricted.policy")" >&3
	"$LOCKCCTL" events >/dev/null
	run no_false_positives "$name" learned-workload --user 1000
	assert_output "coreutils ok
workload ok"
	run "$LOCKCCTL" --json events
	assert_output ""

	catalogue learned-workload --user 1000 >"$BATS_TEST_TMPDIR/observed"
	check_catalogue learned-workload blocked
}
