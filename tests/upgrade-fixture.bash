# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # read by the upgrade suites; output is set by bats' run
# The fixture of both upgrade suites (vm-every-kernel/upgrade.bats,
# vm-one-kernel/upgrade.bats): a container cgroup, a denied and an allowed
# file, and the loop that opens both throughout an upgrade.

OLD=$PROJECT/build/upgrade-from
PIN=/sys/fs/bpf/lockc

setup_file() {
	start_unloaded
}

setup() {
	require_vm
	dir=$BATS_TEST_TMPDIR/files
	mkdir -p "$dir/secret"
	echo token >"$dir/secret/token"
	echo data >"$dir/allowed"
	mkdir -p /sys/fs/cgroup/upgrade-box
	version=$(cat "$PROJECT/build/lockc.version")
	programs=$(kernel_manifest | grep -c '^program')
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

# The loop, in the background in a task of upgrade-box, once it runs. At
# nice 10: on a guest of one vCPU the loop would otherwise take half of it
# from the upgrade it watches; at nice 10 it still runs rounds throughout
# (assert_loop_never_failed prints how many), and one last round after the
# stop file, which comes after the old programs are gone.
start_loop() {
	in_cgroup upgrade-box nice -n 10 "$PROJECT/build/probe" deny-loop "$dir/secret/token" "$dir/allowed" "$dir/stop" \
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
	echo "# the loop: $output" >&3
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
