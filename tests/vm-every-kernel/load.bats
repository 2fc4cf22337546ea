#!/usr/bin/env bats
# lockc-load and lockc-unload against the kernel: every program attached and
# every map pinned, nothing left attached by a failed load or an unload, and
# a kernel without a hook refused by name. What the scripts decide beyond
# that is in vm-one-kernel/load.bats.

load ../vm

PIN=/sys/fs/bpf/lockc

setup_file() {
	start_unloaded
}

setup() {
	require_vm
}

teardown() {
	"$SCRIPTS/lockc-unload" >/dev/null
}

# Each link pinned under $PIN/links as "NAME KIND", KIND being what the kernel
# attached it as; from one listing, as each bpftool costs seconds under emulation.
pinned_link_kinds() {
	bpftool -j -f link list | jq -r --arg dir "$PIN/links/" '.[] | . as $link
		| .pinned // [] | .[] | select(startswith($dir)) | ltrimstr($dir) + " "
		+ if $link.type == "raw_tracepoint" then "raw_tracepoint " + $link.tp_name
		  else $link.prog_type + " " + $link.attach_type end' | sort
}

@test "load attaches every program and pins every map of the manifest" {
	local manifest=$BATS_TEST_TMPDIR/manifest
	kernel_manifest >"$manifest"
	run "$SCRIPTS/lockc-load"
	assert_status 0
	assert_output "lockc loaded: $(grep -c '^program' "$manifest") programs attached, $(grep -c '^map' "$manifest") maps pinned at $PIN."

	run ls "$PIN" "$PIN/links" "$PIN/maps"
	assert_output "$PIN:
links
maps

$PIN/links:
$(awk '$1 == "program" { print $2 }' "$manifest" | sort)

$PIN/maps:
$(awk '$1 == "map" { print $2 }' "$manifest" | sort)"
	run pinned_link_kinds
	assert_output "$(awk '$1 == "program" {
		print $2, ($2 == "lockc_forget" ? "raw_tracepoint cgroup_rmdir" : "lsm lsm_mac") }' "$manifest" | sort)"
	[ "$(lockc_link_ids | wc -l)" -eq "$(grep -c '^program' "$manifest")" ]
}

@test "a load that fails midway leaves nothing pinned or attached" {
	mkdir "$BATS_TEST_TMPDIR/policies"
	printf 'allow everything\n' >"$BATS_TEST_TMPDIR/policies/broken.policy"
	LOCKC_POLICY_DIR=$BATS_TEST_TMPDIR/policies run "$SCRIPTS/lockc-load"
	assert_status 1
	# lockcctl's own message (its wording is host/lockcctl.bats'), then lockc-load's.
	assert_output "$("$LOCKCCTL" policy check "$BATS_TEST_TMPDIR/policies/broken.policy" 2>&1)
lockc-load: applying the policies of $SCRIPTS/../policy-defaults and $BATS_TEST_TMPDIR/policies failed (see above); nothing was loaded."
	[ ! -e "$PIN" ]
	[ -z "$(lockc_link_ids)" ]
}

@test "unload detaches every link and leaves nothing pinned" {
	"$SCRIPTS/lockc-load"
	run "$SCRIPTS/lockc-unload"
	assert_status 0
	assert_output "lockc unloaded: $(kernel_manifest | grep -c '^program') links detached, $(grep -c '^map' "$PROJECT/build/lockc.manifest") maps unpinned."
	[ ! -e "$PIN" ]
	[ -z "$(lockc_link_ids)" ]
	# The kernel frees the programs, then their maps, after RCU grace
	# periods: wait (at most 10 s) for the last of lockc's maps to go.
	local names left i
	names=$(awk '$1 == "map" { print $2 }' "$PROJECT/build/lockc.manifest" | jq -R . | jq -sc .)
	for ((i = 0; i < 50; i++)); do
		left=$(bpftool map list -j | jq --argjson names "$names" '[.[] | select(.name as $n | $names | index($n))] | length')
		[ "$left" -eq 0 ] && break
		sleep 0.2
	done
	[ "$left" -eq 0 ]
}

# A build whose object would attach to a hook this kernel lacks, as 6.1's
# would to a hook of a later kernel.
@test "a kernel without one of lockc's hooks is refused by name before anything is loaded; status names it" {
	local objects=$BATS_TEST_TMPDIR/objects
	mkdir "$objects"
	cp "$PROJECT"/build/lockc{.,-}* "$PROJECT/build/lockcctl" "$objects/"
	printf 'file_open_of_the_future\nmmap_of_the_future\n' >>"$objects/lockc.hooks"
	LOCKC_OBJECT_DIR=$objects run "$SCRIPTS/lockc-load"
	assert_status 1
	assert_output "lockc-load: this kernel has no LSM hook file_open_of_the_future, mmap_of_the_future, which lockc attaches to; nothing was loaded. Run lockc on Linux 6.1 or newer."
	[ ! -e "$PIN" ]
	[ -z "$(lockc_link_ids)" ]
	LOCKC_OBJECT_DIR=$objects run "$SCRIPTS/lockc-status"
	assert_status 3
	assert_output_contains "kernel hooks: file_open_of_the_future, mmap_of_the_future missing  <- lockc cannot load on this kernel"
}

