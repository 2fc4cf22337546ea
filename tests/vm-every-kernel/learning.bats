#!/usr/bin/env bats
# Learning mode and `lockcctl policy suggest`. A container in mode learn is
# refused nothing; each distinct operation that its policy denies, or that
# the policy's path, device, capability and socket rules allow, is recorded
# once in map "learned" and reported once. The policy suggested from that
# record lets the same job run again, enforced, without a denial, and still
# refuses what its base (restricted) refuses for a reason; a job that does
# more is refused, and the event names the line that would allow it.

# shellcheck disable=SC2016 # the jobs' scripts expand in their own shell

load ../vm

LEARNED=/sys/fs/bpf/lockc/maps/learned

setup_file() {
	load_lockc
}

teardown_file() {
	leave_lockc_loaded
}

setup() {
	data=/srv/lockc-learning
	mkdir -p "$data"
	mount -t tmpfs learning "$data"
	mkdir -p "$data/in" "$data/out" "$data/other"
	for i in $(seq 1 12); do echo "$i" >"$data/in/f$i"; done
	echo secret >"$data/other/secret"
	ln "$data/in/f1" "$data/in/link"
	mkdir -p /sys/fs/cgroup/learn-a /sys/fs/cgroup/learn-b
	"$LOCKCCTL" events >/dev/null
}

teardown() {
	umount "$data"
	delete_registrations
	rmdir /sys/fs/cgroup/learn-a /sys/fs/cgroup/learn-b
	"$LOCKCCTL" container forget job >/dev/null
	"$LOCKCCTL" container forget job2 >/dev/null
}

# The job: reads, a listing, a count of files, a temporary file made,
# renamed and removed, programs run. Prints what it read.
job() {
	in_cgroup "$1" sh -c '
		data=$1
		cat /etc/hostname >/dev/null
		ls /usr/share >/dev/null
		total=0
		for f in "$data"/in/f*; do total=$((total + $(cat "$f"))); done
		tmp=$(mktemp "$data/out/job.XXXXXX")
		echo "$total" >"$tmp"
		mv "$tmp" "$tmp.done"
		cat "$tmp.done"
		rm "$tmp.done"' job "$data"
}

# The events of container $1 that are denials learned, not uses.
learned_events() {
	denials_of "$1" | grep '^learned ' || true
}

# learned_entries NAME: "decision operation detail count" of each entry NAME learned, sorted.
learned_entries() {
	bpftool map dump pinned "$LEARNED" -j |
		jq -r --arg name "$1" '.[] | .formatted // . | select(.key.container == $name)
			| "\(.value.decision) \(.key.operation) \(.key.detail) \(.value.count)"' | sort
}

@test "a learning container is refused nothing; what its policy denies is recorded once and reported once" {
	apply_policy_variant other-denied privileged 'allow file /' "deny file $data/other"
	"$LOCKCCTL" container add path learn-a policy other-denied name job mode learn >/dev/null
	run in_cgroup learn-a sh -c 'cat "$1"; cat "$1"' sh "$data/other/secret"
	assert_status 0
	assert_output "secret
secret"
	# The second read was answered by the name's record (learned_names): counted once.
	run learned_entries job
	assert_output_contains "LOCKC_DECISION_LEARNED LOCKC_OP_OPEN $data/other/secret 1"
	run learned_events job
	assert_output "learned open - $data/other/secret"
	# A directory that moves ends every record of a name: the next read is decided, and counted, again.
	mv "$data/in" "$data/in-moved"
	run in_cgroup learn-a cat "$data/other/secret"
	assert_status 0
	run learned_entries job
	assert_output_contains "LOCKC_DECISION_LEARNED LOCKC_OP_OPEN $data/other/secret 2"
	run learned_events job
	assert_output ""

	# The twin: enforced, the same policy refuses it.
	"$LOCKCCTL" container add path learn-b policy other-denied name enforced >/dev/null
	run in_cgroup learn-b cat "$data/other/secret"
	assert_status 1
	assert_output "cat: $data/other/secret: Operation not permitted"
}

@test "what a learning container's policy allows is recorded as used: opens, writes, execs, devices, capabilities, sockets" {
	apply_policy_variant all-capabilities privileged 'allow capability all'
	"$LOCKCCTL" container add path learn-a policy all-capabilities name job mode learn >/dev/null
	run in_cgroup learn-a sh -c 'echo x >"$1/out/new"; cat /dev/null; chown 1000 "$1/out/new"; python3 -c "import socket; socket.socket()"' sh "$data"
	assert_status 0
	run learned_entries job
	assert_output_contains "LOCKC_DECISION_USED LOCKC_OP_EXEC /usr/bin/dash 1"
	assert_output_contains "LOCKC_DECISION_USED LOCKC_OP_OPEN $data/out/new "
	assert_output_contains "LOCKC_DECISION_USED LOCKC_OP_WRITE $data/out/new "
	assert_output_contains "LOCKC_DECISION_USED LOCKC_OP_DEVICE /dev/null "
	run denials_of job
	assert_output_contains "used capability capability=chown -"
	assert_output_contains "used socket family=inet type=1 -"
	assert_output_contains "used exec - /usr/bin/dash"
	# No denial at all: the policy allows everything the job did.
	[[ "$output" != *"learned "* ]]
}

@test "a learning container sees every name of a file: the second name of an inode it opened is recorded too" {
	apply_policy_variant everything privileged 'allow file /'
	"$LOCKCCTL" container add path learn-a policy everything name job mode learn >/dev/null
	run in_cgroup learn-a cat "$data/in/f1" "$data/in/link"
	assert_status 0
	run learned_entries job
	assert_output_contains "LOCKC_OP_OPEN $data/in/f1 1"
	assert_output_contains "LOCKC_OP_OPEN $data/in/link 1"
}

@test "a learning container sees every name it uses: a second mount of a file, a renamed file, a file made again" {
	apply_policy_variant everything privileged 'allow file /'
	mkdir "$data/bound"
	mount --bind "$data/in" "$data/bound"
	"$LOCKCCTL" container add path learn-a policy everything name job mode learn >/dev/null
	run in_cgroup learn-a sh -c 'cat "$1/in/f2" "$1/bound/f2" "$1/in/f2"; mv "$1/in/f3" "$1/in/g3"; cat "$1/in/g3"
		echo a >"$1/out/again"; rm "$1/out/again"; echo b >"$1/out/again"' sh "$data"
	umount "$data/bound"
	assert_status 0
	run learned_entries job
	assert_output_contains "LOCKC_OP_OPEN $data/in/f2 1"
	assert_output_contains "LOCKC_OP_OPEN $data/bound/f2 1"
	assert_output_contains "LOCKC_OP_WRITE $data/in/f3 1"
	assert_output_contains "LOCKC_OP_WRITE $data/in/g3 1"
	assert_output_contains "LOCKC_OP_OPEN $data/in/g3 1"
	# Made, removed and made again: each change is recorded once, the same name every time.
	[ "$(grep -c "LOCKC_OP_WRITE $data/out/again 1" <<<"$output")" -eq 3 ]
	[ "$(grep -c "LOCKC_OP_OPEN $data/out/again 1" <<<"$output")" -eq 1 ]
}

@test "the suggested policy runs the job again, enforced, with no denial; forbidden operations are left out and stay refused" {
	"$LOCKCCTL" container add path learn-a policy restricted name job mode learn >/dev/null
	run job learn-a
	assert_status 0
	assert_output 78
	# The escapes restricted refuses, tried while learning: they are let
	# through, and the suggestion must leave them out.
	in_cgroup learn-a sh -c 'cat /proc/sys/kernel/core_pattern; mount -t tmpfs x /mnt && umount /mnt' >/dev/null 2>&1 || true

	"$LOCKCCTL" policy suggest job >"$BATS_TEST_TMPDIR/job.policy"
	run cat "$BATS_TEST_TMPDIR/job.policy"
	# Generalised: the directory of twelve entries, the one where names were made.
	assert_output_contains "allow file $data/in"
	assert_output_contains "allow write $data/out"
	assert_output_contains "deny mount"
	assert_output_contains "deny own-mounts"
	assert_output_contains "#   mount (mount"
	assert_output_contains "#   file /proc/sys/kernel/core_pattern (open"
	[[ "$output" != *"allow file $data/other"* ]]
	"$LOCKCCTL" policy apply "$BATS_TEST_TMPDIR/job.policy" >/dev/null

	"$LOCKCCTL" events >/dev/null
	"$LOCKCCTL" container add path learn-b policy job name job2 >/dev/null
	run job learn-b
	assert_status 0
	assert_output 78
	run denials_of job2
	assert_output ""

	# Refused as under restricted.
	run in_cgroup learn-b cat /proc/sys/kernel/core_pattern
	assert_status 1
	run in_cgroup learn-b mount -t tmpfs x /mnt
	assert_status 32
	run in_cgroup learn-b sh -c 'echo x >/usr/lib/lockc-learned'
	assert_status 2
	assert_output "sh: 1: cannot create /usr/lib/lockc-learned: Operation not permitted"
	# A run that does more: the event names the line to add.
	run in_cgroup learn-b cat "$data/other/secret"
	assert_status 1
	run sh -c "'$LOCKCCTL' --json events --explain | jq -r 'select(.container == \"job2\" and .detail == \"$data/other/secret\") | .allow_with'"
	assert_output "allow file $data/other/secret"
}

@test "policy suggest reads saved events as it reads the map, and container forget deletes what a name learned" {
	"$LOCKCCTL" container add path learn-a policy restricted name job mode learn >/dev/null
	"$LOCKCCTL" events >/dev/null
	run job learn-a
	assert_status 0
	"$LOCKCCTL" --json events >"$BATS_TEST_TMPDIR/events.json"
	"$LOCKCCTL" policy suggest job | grep -v '^#' >"$BATS_TEST_TMPDIR/from-map"
	"$LOCKCCTL" policy suggest job --from "$BATS_TEST_TMPDIR/events.json" | grep -v '^#' >"$BATS_TEST_TMPDIR/from-events"
	run diff "$BATS_TEST_TMPDIR/from-map" "$BATS_TEST_TMPDIR/from-events"
	assert_status 0
	assert_output ""

	run "$LOCKCCTL" container forget job
	assert_status 0
	assert_output_contains "forgot "
	run learned_entries job
	assert_output ""
	run "$LOCKCCTL" policy suggest job
	assert_status 1
	assert_output "Error: nothing was learned for container 'job'; run it in learning mode (mode learn) first."
	# What the container does after a forget is recorded again, though it did it before.
	run job learn-a
	assert_status 0
	run learned_entries job
	assert_output_contains "LOCKC_DECISION_USED LOCKC_OP_OPEN /etc/hostname 1"
}
