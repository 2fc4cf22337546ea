#!/usr/bin/env bats
# lockc-load, lockc-unload and lockc-status against the real kernel in the VM.

load ../helpers

PIN=/sys/fs/bpf/lockc

setup() {
	require_vm
}

teardown() {
	"$SCRIPTS/lockc-unload" >/dev/null
}

@test "load mounts bpffs when nothing is mounted on /sys/fs/bpf" {
	if [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]; then umount /sys/fs/bpf; fi
	run "$SCRIPTS/lockc-load"
	assert_status 0
	[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]
}

@test "load attaches every program and pins every map of the manifest" {
	run "$SCRIPTS/lockc-load"
	assert_status 0
	assert_output "lockc loaded: 1 programs attached, 2 maps pinned at $PIN."

	run ls "$PIN" "$PIN/links" "$PIN/maps"
	assert_output "$PIN:
links
maps

$PIN/links:
lockc_syslog

$PIN/maps:
containers
policies"
	run bpftool link show pinned "$PIN/links/lockc_syslog" -j
	[ "$(jq -r '.prog_type + " " + .attach_type' <<<"$output")" = "lsm lsm_mac" ]
	[ "$(lockc_link_ids | wc -l)" -eq 1 ]
}

@test "load seeds the shipped policies" {
	"$SCRIPTS/lockc-load"
	run "$LOCKCCTL" policy list
	assert_status 0
	assert_output "ID   NAME                     SYSLOG
1    baseline                 deny
2    privileged               allow
3    restricted               deny"
}

@test "a second load is harmless and keeps the same links" {
	"$SCRIPTS/lockc-load"
	before=$(lockc_link_ids)
	run "$SCRIPTS/lockc-load"
	assert_status 0
	assert_output "lockc is already loaded at $PIN."
	[ "$(lockc_link_ids)" = "$before" ]
}

@test "load refuses an incomplete lockc and changes nothing" {
	"$SCRIPTS/lockc-load"
	rm "$PIN/links/lockc_syslog"
	run "$SCRIPTS/lockc-load"
	assert_status 1
	assert_output "lockc-load: an incomplete lockc is pinned at $PIN (missing: link lockc_syslog); run lockc-unload, then lockc-load."
	run ls "$PIN/links"
	assert_output ""
}

@test "a load that fails midway leaves nothing pinned or attached" {
	mkdir "$BATS_TEST_TMPDIR/policies"
	printf 'allow everything\n' >"$BATS_TEST_TMPDIR/policies/broken.policy"
	LOCKC_POLICY_DEFAULTS=$BATS_TEST_TMPDIR/policies run "$SCRIPTS/lockc-load"
	assert_status 1
	assert_output "Error: $BATS_TEST_TMPDIR/policies/broken.policy:1: unknown rule class 'everything'; known: syslog.
lockc-load: applying the default policies failed (see above); nothing was loaded."
	[ ! -e "$PIN" ]
	[ -z "$(lockc_link_ids)" ]
}

@test "the pin directory can be moved for tests" {
	run "$SCRIPTS/lockc-load" --pin-dir /sys/fs/bpf/elsewhere
	assert_status 0
	[ -e /sys/fs/bpf/elsewhere/links/lockc_syslog ]
	[ ! -e "$PIN" ]
	run "$SCRIPTS/lockc-unload" --pin-dir /sys/fs/bpf/elsewhere
	assert_status 0
	[ ! -e /sys/fs/bpf/elsewhere ]
}

@test "a pin directory outside bpffs is refused" {
	run "$SCRIPTS/lockc-load" --pin-dir /tmp/lockc
	assert_status 1
	assert_output "lockc-load: /tmp/lockc is not on a BPF filesystem; mount one there or choose another --pin-dir."
	[ ! -e /tmp/lockc ]
}

@test "unload detaches every link and leaves nothing pinned" {
	"$SCRIPTS/lockc-load"
	run "$SCRIPTS/lockc-unload"
	assert_status 0
	assert_output "lockc unloaded: 1 links detached, 2 maps unpinned."
	[ ! -e "$PIN" ]
	[ -z "$(lockc_link_ids)" ]
	run bpftool map list -j
	[ "$(jq '[.[] | select(.name == "containers" or .name == "policies")] | length' <<<"$output")" -eq 0 ]
}

@test "unload of nothing succeeds and says so" {
	run "$SCRIPTS/lockc-unload"
	assert_status 0
	assert_output "lockc is not loaded (nothing at $PIN)."
}

@test "status tells a loaded lockc with the kernel's own ids and counts" {
	"$SCRIPTS/lockc-load"
	mkdir -p /sys/fs/cgroup/status-test
	"$LOCKCCTL" container add path status-test policy baseline
	link_id=$(bpftool link show pinned "$PIN/links/lockc_syslog" -j | jq .id)
	prog_id=$(bpftool link show pinned "$PIN/links/lockc_syslog" -j | jq .prog_id)
	run "$SCRIPTS/lockc-status"
	assert_status 0
	assert_output "lockc: loaded ($PIN)
kernel LSMs: $(cat /sys/kernel/security/lsm)
programs: 1 of 1 attached
  lockc_syslog         link $link_id, program $prog_id
maps: 2 of 2 pinned
  containers           1 of 16384 entries, $(bpftool map show pinned "$PIN/maps/containers" -j | jq .bytes_memlock) bytes
  policies             3 of 256 entries, $(bpftool map show pinned "$PIN/maps/policies" -j | jq .bytes_memlock) bytes"

	run "$SCRIPTS/lockc-status" --json
	assert_status 0
	[ "$(jq -r '.state' <<<"$output")" = loaded ]
	[ "$(jq -r '.programs[0].link_id' <<<"$output")" = "$link_id" ]
	[ "$(jq -r '[.maps[] | .name + "=" + (.entries | tostring)] | join(" ")' <<<"$output")" = "containers=1 policies=3" ]
	rmdir /sys/fs/cgroup/status-test
}

@test "status reports a missing link as incomplete" {
	"$SCRIPTS/lockc-load"
	rm "$PIN/links/lockc_syslog"
	run "$SCRIPTS/lockc-status"
	assert_status 1
	assert_output_contains "lockc: incomplete ($PIN)"
	assert_output_contains "  lockc_syslog         NOT ATTACHED"
}

@test "status of nothing loaded exits 3" {
	run "$SCRIPTS/lockc-status"
	assert_status 3
	assert_output_contains "lockc: not loaded ($PIN)"
	run "$SCRIPTS/lockc-status" --json
	assert_status 3
	[ "$(jq -r .state <<<"$output")" = "not loaded" ]
}
