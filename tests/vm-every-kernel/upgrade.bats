#!/usr/bin/env bats
# shellcheck disable=SC2154 # dir, version, programs and maps: set by the fixture's setup
# lockc-load over a loaded lockc of another build swaps the programs without
# a moment unenforced. Through each upgrade a task of a registered container
# loops over a denied open and an allowed one (probe deny-loop): no denied
# open may succeed before, during or after, and no allowed one may fail.
# Here the upgrades whose programs the kernel swaps: to a build of the same
# layout, and `upgrade carry` into maps of a copy's own. Upgrades from an
# older build, which carry map contents, are in vm-one-kernel/upgrade.bats.

load ../vm
load ../upgrade-fixture

@test "an upgrade to a build of the same layout takes the loaded maps over as they are and records the new version" {
	local next=$BATS_TEST_TMPDIR/next name
	declare -A before
	"$SCRIPTS/lockc-load" >/dev/null
	guarded_policy "$LOCKCCTL" "$POLICY_DEFAULTS/privileged.policy"
	for name in containers guards own_mounts policies rules armed_tasks allowed_inodes; do before[$name]=$(map_id "$name"); done
	mkdir "$next"
	cp "$PROJECT"/build/lockc{.,-}* "$PROJECT/build/lockcctl" "$next/"
	echo "$version+next" >"$next/lockc.version"
	start_loop

	LOCKC_OBJECT_DIR=$next run "$SCRIPTS/lockc-load"
	assert_status 0
	assert_output "lockc upgraded from $version to $version+next: $programs programs attached, $maps maps pinned at $PIN (12 maps reused, 0 carried)."
	assert_loop_never_failed

	for name in containers guards own_mounts policies rules armed_tasks; do [ "$(map_id "$name")" = "${before[$name]}" ]; done
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

