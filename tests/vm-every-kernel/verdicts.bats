#!/usr/bin/env bats
# What lockc remembers of an allowed open (map allowed_inodes) answers only
# while it still holds: not after the file is renamed, not after the last
# allowed name of a hard-linked file goes, not after a policy change, and
# never for another container. Each case opens one inode twice in one task
# (probe open-twice), so that a remembered verdict would answer the second
# open; each has a twin whose second open is allowed.
#
# What lockc remembers of an allowed change in a directory (map
# allowed_dirs) answers only for directories that no rule lies below, not
# for a directory reached as the root of a mount, not after the directory
# moves or the mount that allowed it goes, not after a policy change, never
# for a device or another container. Each case first makes an allowed
# change in the directory, which a remembered verdict would answer for
# the change that follows.

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

# ---- changes in a directory (allowed_dirs) ---------------------------------

@test "in a directory that a rule lies below, each entry is decided by its name, after an allowed change there" {
	rmdir "$dir/secret"
	run in_cgroup verdict-a touch "$dir/first"
	assert_output ""
	run in_cgroup verdict-a touch "$dir/secret"
	assert_output "touch: cannot touch '$dir/secret': Operation not permitted"
	run in_cgroup verdict-a touch "$dir/second"
	assert_output ""
	[ ! -e "$dir/secret" ]
}

@test "a directory moved under a denied one has its entries denied, though the container changed one just before; moved elsewhere they change" {
	run in_cgroup verdict-a touch "$dir/other/a"
	assert_output ""
	mv "$dir/other" "$dir/moved"
	run in_cgroup verdict-a touch "$dir/moved/b"
	assert_output ""
	mv "$dir/moved" "$dir/secret/moved"
	run in_cgroup verdict-a touch "$dir/secret/moved/c"
	assert_output "touch: cannot touch '$dir/secret/moved/c': Operation not permitted"
	[ ! -e "$dir/secret/moved/c" ]
}

@test "once the allowed mount of a directory is gone, its entries are denied through a denied mount of it" {
	mkdir "$dir/secret/fs" "$dir/other/fs"
	mount -t tmpfs shared "$dir/secret/fs"
	mount --bind "$dir/secret/fs" "$dir/other/fs"
	run in_cgroup verdict-a touch "$dir/other/fs/a"
	assert_output ""
	umount "$dir/other/fs"
	run in_cgroup verdict-a touch "$dir/secret/fs/b"
	assert_output "touch: cannot touch '$dir/secret/fs/b': Operation not permitted"
	umount "$dir/secret/fs"
}

# The root of a bind mount has the mount point's path, not its directory's.
@test "a change to the root of a mount, allowed at the mount point, leaves the directory it comes from denied" {
	mkdir "$dir/secret/sub" "$dir/other/sub"
	mount --bind "$dir/secret/sub" "$dir/other/sub"
	run in_cgroup verdict-a chmod 700 "$dir/other/sub"
	assert_output ""
	run in_cgroup verdict-a touch "$dir/secret/new"
	assert_output "touch: cannot touch '$dir/secret/new': Operation not permitted"
	run in_cgroup verdict-a touch "$dir/other/new"
	assert_output ""
	umount "$dir/other/sub"
}

@test "what one container was allowed to change in a directory stays denied to another with the same policy, through a denied bind mount of it" {
	mount --bind "$dir/other" "$dir/secret"
	run in_cgroup verdict-a touch "$dir/other/a"
	assert_output ""
	run in_cgroup verdict-b touch "$dir/secret/b"
	assert_output "touch: cannot touch '$dir/secret/b': Operation not permitted"
	run in_cgroup verdict-b touch "$dir/other/b"
	assert_output ""
}

@test "a policy applied after a change in a directory decides the next change there; reapplied without the rule they change" {
	run in_cgroup verdict-a touch "$dir/other/a"
	assert_output ""
	apply_policy_variant secret-denied privileged 'allow file /' "deny file $dir/secret" "deny write $dir/other"
	run in_cgroup verdict-a touch "$dir/other/b"
	assert_output "touch: cannot touch '$dir/other/b': Operation not permitted"
	apply_policy_variant secret-denied privileged 'allow file /' "deny file $dir/secret"
	run in_cgroup verdict-a touch "$dir/other/b"
	assert_output ""
}

@test "a device in a directory where the container changed a file is judged by its number when opened for writing" {
	apply_policy_variant secret-denied privileged 'allow file /' "deny file $dir/secret" 'allow device null'
	mknod "$dir/other/full" c 1 7
	mknod "$dir/other/null" c 1 3
	run in_cgroup verdict-a touch "$dir/other/a"
	assert_output ""
	run in_cgroup verdict-a sh -c "echo x >'$dir/other/full'"
	assert_output "sh: 1: cannot create $dir/other/full: Operation not permitted"
	run in_cgroup verdict-a sh -c "echo x >'$dir/other/null'"
	assert_output ""
}

@test "policy apply marks every directory above a file or write rule, / included, and says so in the policy" {
	apply_policy_variant marked privileged 'allow file /' 'deny file /srv/a/b' 'allow write /srv/x exact'
	policy=$(bpftool -j map dump pinned /sys/fs/bpf/lockc/maps/policies | jq -c '.[] | .formatted // . | select(.value.name == "marked") | .value')
	[ "$(jq .rules_below_marked <<<"$policy")" = 1 ]
	run bash -c "bpftool -j map dump pinned /sys/fs/bpf/lockc/maps/rules | jq -r --argjson ruleset $(jq .ruleset <<<"$policy") \
		'.[] | .formatted // . | select(.key.ruleset == \$ruleset and .key.class == \"LOCKC_RULE_RULES_BELOW\") | .key.path' | sort"
	assert_output "/
/srv/
/srv/a/"
	# The marks follow from the rules: lockcctl shows the rules alone.
	run "$LOCKCCTL" policy show marked
	assert_output_contains "deny file /srv/a/b"
	[ "$(grep -c /srv <<<"$output")" = 2 ]
}

@test "an allowed change is remembered for its directory and container where no rule lies below the directory, and only there" {
	local container
	container=$(stat -c %i /sys/fs/cgroup/verdict-a)
	run in_cgroup verdict-a touch "$dir/other/a" "$dir/b"
	assert_output ""
	run bash -c "bpftool -j map dump pinned /sys/fs/bpf/lockc/maps/allowed_dirs |
		jq -r '.[] | .formatted // . | select(.key.container == $container) | .value.ino'"
	assert_output "$(stat -c %i "$dir/other")"
}
