#!/usr/bin/env bats
# What lockc remembers of an allowed open (map allowed_inodes) answers only
# while it still holds: not after the file is renamed, not after the last
# allowed name of a hard-linked file goes, not after a policy change, and
# never for another container. Each case opens one inode twice in one task
# (probe open-twice), so that a remembered verdict would answer the second
# open; each has a twin whose second open is allowed.

load ../vm

setup_file() {
	load_lockc
}

teardown_file() {
	leave_lockc_loaded
}

setup() {
	dir=$BATS_TEST_TMPDIR/files
	# tmpfs, whose hard links share one inode (overlayfs may give each
	# name its own).
	mkdir -p "$dir"
	mount -t tmpfs verdicts "$dir"
	mkdir -p "$dir/secret" "$dir/other"
	echo data >"$dir/file"
	echo data >"$dir/twin"
	# privileged, but no file below $dir/secret.
	apply_policy_variant secret-denied privileged 'allow file /' "deny file $dir/secret"
	mkdir -p /sys/fs/cgroup/verdict-a /sys/fs/cgroup/verdict-b
	"$LOCKCCTL" container add path verdict-a policy secret-denied >/dev/null
	"$LOCKCCTL" container add path verdict-b policy secret-denied >/dev/null
}

teardown() {
	umount "$dir/secret" 2>/dev/null || true
	umount "$dir"
	delete_registrations
	rmdir /sys/fs/cgroup/verdict-a /sys/fs/cgroup/verdict-b
}

# start_probe CGROUP FIRST GONE SECOND: probe open-twice in a task of CGROUP,
# in the background, once its first open is done.
start_probe() {
	local out=$BATS_TEST_TMPDIR/probe-$RANDOM.out
	in_cgroup "$1" "$PROJECT/build/probe" open-twice "$2" "$3" "$4" >"$out" &
	echo "$! $out" >"$BATS_TEST_TMPDIR/probe"
	wait_for -s "$out"
}

# What the probe start_probe started printed, once it has exited.
probe_output() {
	local pid out
	read -r pid out <"$BATS_TEST_TMPDIR/probe"
	wait "$pid" || true
	cat "$out"
}

@test "a file renamed into a denied directory is denied at its new name, though the task opened it just before; renamed elsewhere it opens" {
	start_probe verdict-a "$dir/file" "$dir/file" "$dir/secret/file"
	mv "$dir/file" "$dir/secret/file"
	run probe_output
	assert_output "ok
open: Operation not permitted"

	start_probe verdict-a "$dir/twin" "$dir/twin" "$dir/other/twin"
	mv "$dir/twin" "$dir/other/twin"
	run probe_output
	assert_output "ok
ok"
}

@test "a hard-linked file is denied at its denied name once its allowed name is gone; with an allowed name left it opens" {
	ln "$dir/file" "$dir/secret/file"
	start_probe verdict-a "$dir/file" "$dir/file" "$dir/secret/file"
	rm "$dir/file"
	run probe_output
	assert_output "ok
open: Operation not permitted"

	ln "$dir/twin" "$dir/other/twin"
	start_probe verdict-a "$dir/twin" "$dir/twin" "$dir/other/twin"
	rm "$dir/twin"
	run probe_output
	assert_output "ok
ok"
}

# Applied twice: an allocator that handed out the lowest free ruleset number
# would give the second apply the number of the first ruleset.
@test "a policy applied while the task runs decides its next open of a file it opened before; reapplied unchanged it still allows" {
	touch "$BATS_TEST_TMPDIR/go"
	start_probe verdict-a "$dir/file" "$BATS_TEST_TMPDIR/go" "$dir/file"
	apply_policy_variant secret-denied privileged 'allow file /' "deny file $dir/secret" "deny file $dir/file"
	apply_policy_variant secret-denied privileged 'allow file /' "deny file $dir/secret" "deny file $dir/file"
	rm "$BATS_TEST_TMPDIR/go"
	run probe_output
	assert_output "ok
open: Operation not permitted"

	touch "$BATS_TEST_TMPDIR/go"
	start_probe verdict-a "$dir/twin" "$BATS_TEST_TMPDIR/go" "$dir/twin"
	apply_policy_variant secret-denied privileged 'allow file /' "deny file $dir/secret"
	apply_policy_variant secret-denied privileged 'allow file /' "deny file $dir/secret"
	rm "$BATS_TEST_TMPDIR/go"
	run probe_output
	assert_output "ok
ok"
}

@test "what one container was allowed to open stays denied to another with the same policy, through a denied bind mount of it" {
	echo data >"$dir/other/shared"
	mount --bind "$dir/other" "$dir/secret"
	run in_cgroup verdict-a "$PROJECT/build/probe" open "$dir/other/shared"
	assert_output "ok"
	run in_cgroup verdict-b "$PROJECT/build/probe" open "$dir/secret/shared"
	assert_output "open: Operation not permitted"
	run in_cgroup verdict-b "$PROJECT/build/probe" open "$dir/other/shared"
	assert_output "ok"
}
