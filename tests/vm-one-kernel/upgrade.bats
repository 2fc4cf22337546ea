#!/usr/bin/env bats
# shellcheck disable=SC2154 # dir, version, programs and maps: set by the fixture's setup
# Upgrades whose outcome lockcctl decides: from an older build, whose
# policies map has another layout than today's, so that the upgrade carries
# entries as well as reusing maps (the commit that `make` builds from the
# repository's history, UPGRADE_FROM, in build/upgrade-from); a failed one;
# and the pins of two builds that a killed upgrade leaves. A task loops over a
# denied and an allowed open throughout, as in vm-every-kernel/upgrade.bats.

load ../vm
load ../upgrade-fixture

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
