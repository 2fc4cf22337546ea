#!/usr/bin/env bats
# lockc-load over a loaded lockc of another build upgrades it without a
# moment unenforced. Through each upgrade a task of a registered container
# loops over a denied open and an allowed one (probe deny-loop): no denied
# open may succeed before, during or after, and no allowed one may fail.
# The older build is the commit that `make` builds from the repository's
# history (UPGRADE_FROM, build/upgrade-from): its policies map has another
# layout than today's, so that upgrade carries entries as well as reusing
# maps.

load ../helpers

OLD=$PROJECT/build/upgrade-from
PIN=/sys/fs/bpf/lockc

setup() {
	require_vm
	dir=$BATS_TEST_TMPDIR/files
	mkdir -p "$dir/secret"
	echo token >"$dir/secret/token"
	echo data >"$dir/allowed"
	mkdir -p /sys/fs/cgroup/upgrade-box
	version=$(cat "$PROJECT/build/lockc.version")
	programs=$(grep -c '^program' "$PROJECT/build/lockc.manifest")
	maps=$(grep -c '^map' "$PROJECT/build/lockc.manifest")
	loop_pid=
}

teardown() {
	if [ -n "$loop_pid" ]; then
		touch "$dir/stop"
		wait "$loop_pid" || true
	fi
	rm -rf /sys/fs/bpf/lockc-copy
	"$SCRIPTS/lockc-unload" >/dev/null
	rmdir /sys/fs/cgroup/upgrade-box
}

# guarded_policy LOCKCCTL PRIVILEGED_FILE: apply policy "guarded", everything
# of PRIVILEGED_FILE but the files below $dir/secret, with that lockcctl.
guarded_policy() {
	{ grep -v '^#' "$2"; echo "deny file $dir/secret"; } >"$BATS_TEST_TMPDIR/guarded.policy"
	"$1" policy apply "$BATS_TEST_TMPDIR/guarded.policy" >/dev/null
	"$1" container add path upgrade-box policy guarded name box >/dev/null
}

# The loop, in the background in a task of upgrade-box, once it runs.
start_loop() {
	in_cgroup upgrade-box "$PROJECT/build/probe" deny-loop "$dir/secret/token" "$dir/allowed" "$dir/stop" \
		>"$dir/loop.out" &
	loop_pid=$!
	wait_for -s "$dir/loop.out"
}

# Stop the loop after one more round and check what it counted.
assert_loop_never_failed() {
	local status=0
	touch "$dir/stop"
	wait "$loop_pid" || status=$?
	loop_pid=
	output=$(tail -n 1 "$dir/loop.out")
	[[ $output =~ ^[0-9]+\ rounds:\ 0\ denied\ opens\ succeeded,\ 0\ allowed\ opens\ failed$ ]] || {
		echo "the loop saw: $output" >&2
		return 1
	}
	[ "$status" -eq 0 ]
}

# Sorted as comm(1) wants them.
all_link_ids() {
	bpftool link list -j | jq -r '.[].id' | sort
}

map_id() {
	bpftool map show pinned "$PIN/maps/$1" -j | jq .id
}

assert_still_confined() {
	run in_cgroup upgrade-box "$PROJECT/build/probe" open "$dir/secret/token"
	assert_output "open: Operation not permitted"
	run in_cgroup upgrade-box "$PROJECT/build/probe" open "$dir/allowed"
	assert_output "ok"
}

@test "an upgrade from an older build carries registrations and policies over, and a task looping over a denied open never gets through" {
	local old_links
	"$OLD/scripts/lockc-load" >/dev/null
	guarded_policy "$OLD/build/lockcctl" "$OLD/policy-defaults/privileged.policy"
	old_links=$(all_link_ids)
	start_loop

	run "$SCRIPTS/lockc-load"
	assert_status 0
	assert_output "lockc upgraded from a build from before lockc recorded its version to $version: $programs programs attached, $maps maps pinned at $PIN (4 maps reused, 3 carried)."
	assert_loop_never_failed

	[ -z "$(comm -12 <(echo "$old_links") <(all_link_ids))" ]
	run "$LOCKCCTL" --json container list
	[ "$(jq -c '[.[] | {name, policy}]' <<<"$output")" = '[{"name":"box","policy":"guarded"}]' ]
	run "$LOCKCCTL" policy show guarded
	assert_output_contains "deny file $dir/secret"
	assert_still_confined
	run "$SCRIPTS/lockc-status"
	assert_status 0
}

@test "an upgrade to a build of the same layout takes the loaded maps over as they are and records the new version" {
	local next=$BATS_TEST_TMPDIR/next name
	declare -A before
	"$SCRIPTS/lockc-load" >/dev/null
	guarded_policy "$LOCKCCTL" "$POLICY_DEFAULTS/privileged.policy"
	for name in containers policies rules armed_tasks allowed_inodes; do before[$name]=$(map_id "$name"); done
	mkdir "$next"
	cp "$PROJECT"/build/{lockc.bpf.o,lockc.manifest,lockc.hooks,lockcctl} "$next/"
	echo "$version+next" >"$next/lockc.version"
	start_loop

	LOCKC_OBJECT_DIR=$next run "$SCRIPTS/lockc-load"
	assert_status 0
	assert_output "lockc upgraded from $version to $version+next: $programs programs attached, $maps maps pinned at $PIN (8 maps reused, 0 carried)."
	assert_loop_never_failed

	for name in containers policies rules armed_tasks; do [ "$(map_id "$name")" = "${before[$name]}" ]; done
	# A verdict remembered by one build is never another's.
	[ "$(map_id allowed_inodes)" != "${before[allowed_inodes]}" ]
	assert_still_confined
	LOCKC_OBJECT_DIR=$next run "$SCRIPTS/lockc-status"
	assert_status 0
	run "$SCRIPTS/lockc-status"
	assert_status 1
	assert_output_contains "lockc: another build ($PIN)
build: $version+next, object $(sha256sum "$next/lockc.bpf.o" | cut -c1-12)  <- installed: $version, object $(sha256sum "$PROJECT/build/lockc.bpf.o" | cut -c1-12); run lockc-load to upgrade"
}

@test "a failed upgrade leaves the loaded build as it was: its links, its pins, its build, and no staging directory" {
	local old_links
	"$OLD/scripts/lockc-load" >/dev/null
	guarded_policy "$OLD/build/lockcctl" "$OLD/policy-defaults/privileged.policy"
	old_links=$(all_link_ids)
	mkdir "$BATS_TEST_TMPDIR/policies"
	printf 'allow everything\n' >"$BATS_TEST_TMPDIR/policies/broken.policy"
	start_loop

	LOCKC_POLICY_DIR=$BATS_TEST_TMPDIR/policies run "$SCRIPTS/lockc-load"
	assert_status 1
	[ "${lines[-1]}" = "lockc-load: applying the policies of $SCRIPTS/../policy-defaults and $BATS_TEST_TMPDIR/policies failed (see above); the lockc loaded before keeps enforcing as it was." ]
	assert_loop_never_failed

	[ "$(all_link_ids)" = "$old_links" ]
	run ls "$PIN"
	assert_output "links
maps"
	assert_still_confined
	run "$SCRIPTS/lockc-status"
	assert_status 1
	assert_output_contains "build: none recorded (a lockc from before builds were recorded)  <- installed: $version"
}

# Task storage has no keys to walk: lockcctl finds the confined tasks by
# pidfd. A copy whose layout matches is made the same way as one whose
# layout changed, so this shows what an upgrade does when armed_tasks
# itself changes.
@test "upgrade carry copies confined tasks, registrations and policies into maps of their own: with only the copy's programs attached, the loop stays confined" {
	local copy=/sys/fs/bpf/lockc-copy links
	"$SCRIPTS/lockc-load" >/dev/null
	guarded_policy "$LOCKCCTL" "$POLICY_DEFAULTS/privileged.policy"
	start_loop
	mkdir "$copy"
	bpftool prog loadall "$PROJECT/build/lockc.bpf.o" "$copy/links" pinmaps "$copy/maps" autoattach

	# Given in any order, each map goes after the maps it names.
	run "$LOCKCCTL" --pin-dir "$copy" upgrade carry "$PIN" containers armed_tasks policies rules
	assert_status 0
	assert_output "carried 1 entries of armed_tasks.
carried $(bpftool map dump pinned "$PIN/maps/rules" -j | jq length) entries of rules.
carried 5 entries of policies.
carried 1 entries of containers."
	links=$(bpftool link list -j | jq -c --arg dir "$PIN/links/" '[.[] | select(.pinned // [] | any(startswith($dir)))]')
	rm -r "$PIN/links"
	[ "$(bpftool link list -j | jq --argjson old "$links" '[.[] | select(.id as $id | $old | any(.id == $id))] | length')" -eq 0 ]
	assert_loop_never_failed
	# The copy's programs arm the next exec from the copied registration.
	assert_still_confined

	run "$LOCKCCTL" --pin-dir "$copy" upgrade carry "$copy" containers
	assert_status 1
	assert_output "Error: $copy and $copy pin the same map containers; it is reused, not carried."
}

# What a lockc-load killed between the two renames of `upgrade exchange`
# leaves: the new build's maps pinned beside the old build's links.
@test "links and maps of two builds, as a killed upgrade leaves them, are refused rather than taken for loaded; unload and load mend them" {
	local stage=$PIN/loading-killed
	"$SCRIPTS/lockc-load" >/dev/null
	mkdir "$stage"
	bpftool prog loadall "$PROJECT/build/lockc.bpf.o" "$stage/links" pinmaps "$stage/maps" autoattach
	"$LOCKCCTL" --pin-dir "$stage" upgrade record "$version" "$(sha256sum "$PROJECT/build/lockc.bpf.o" | cut -d' ' -f1)"
	mv "$PIN/maps" "$PIN/maps-old"
	mv "$stage/maps" "$PIN/maps"

	run "$SCRIPTS/lockc-load"
	assert_status 1
	assert_output_contains "lockc-load: the links and maps pinned at $PIN belong to two builds (the attached programs use other maps named "
	assert_output_contains "containers"
	assert_output_contains "run lockc-unload, then lockc-load."

	"$SCRIPTS/lockc-unload" >/dev/null
	run "$SCRIPTS/lockc-load"
	assert_status 0
	assert_output "lockc loaded: $programs programs attached, $maps maps pinned at $PIN."
	run "$SCRIPTS/lockc-load"
	assert_output "lockc is already loaded at $PIN."
}
