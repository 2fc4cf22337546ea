#!/usr/bin/env bats
# lockc-load, lockc-unload and lockc-status: what the scripts decide about
# a loaded lockc (its policies, its pins, its status). Attaching, detaching
# and the kernel's hooks are in vm-every-kernel/load.bats.

load ../vm

PIN=/sys/fs/bpf/lockc

setup_file() {
	start_unloaded
}

setup() {
	require_vm
}

# Tests that only read a loaded lockc share one load (lockc-load and
# lockc-unload are seconds each under emulation); every other test starts
# from nothing loaded and unloads what it loaded.
teardown() {
	[ "${shares_load:-}" = yes ] || "$SCRIPTS/lockc-unload" >/dev/null
}

teardown_file() {
	"$SCRIPTS/lockc-unload" >/dev/null
}

share_the_load() {
	ensure_lockc_loaded
	shares_load=yes
}

# The entries a shipped policy puts in the rules map, counted from its file:
# one per path rule, one per device, and pts is the eight majors 136-143.
shipped_rule_count() {
	awk '$1 !~ /^(allow|deny)$/ { next }
		$2 ~ /^(file|bind-mount|volume|volume-readonly|exec|write)$/ { n++ }
		$2 == "device" && ($3 == "char" || $3 == "block") { n++; next }
		$2 == "device" { for (i = 3; i <= NF; i++) n += $i == "pts" ? 8 : 1 }
		END { print n }' "$POLICY_DEFAULTS/$1.policy"
}

# lockc-status's lines for the maps NAME[=ENTRIES]...: their entries, their
# size in the kernel's words, from one listing of every map (each bpftool and
# jq costs seconds under emulation).
map_status_lines() {
	local name type max_entries bytes entries
	while IFS=$'\t' read -r name type max_entries bytes entries; do
		case $type in
		task_storage) printf '  %-20s one entry per confined task\n' "$name" ;;
		inode_storage) printf '  %-20s one entry per inode a container was allowed to use\n' "$name" ;;
		ringbuf) printf '  %-20s ring buffer of %s bytes\n' "$name" "$max_entries" ;;
		*) printf '  %-20s %s of %s entries, %s bytes\n' "$name" "$entries" "$max_entries" "$bytes" ;;
		esac
	done < <(bpftool -j -f map list | jq -r --arg dir "$PIN/maps/" '. as $all | $ARGS.positional[]
		| split("=") as [$name, $entries] | $all[] | select(.pinned // [] | any(. == $dir + $name))
		| [$name, .type, .max_entries, .bytes_memlock, $entries // ""] | @tsv' --args "$@")
}

@test "load mounts bpffs when nothing is mounted on /sys/fs/bpf" {
	if [ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]; then umount /sys/fs/bpf; fi
	run "$SCRIPTS/lockc-load"
	assert_status 0
	[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ]
	shares_load=yes
}

@test "load seeds the shipped policies" {
	share_the_load
	run "$LOCKCCTL" policy list
	assert_status 0
	assert_output "ID   NAME                     RULES  ALLOWED SWITCHES
1    baseline                 $(shipped_rule_count baseline)     run-as-root,net-client,net-server,exec-memfd,exec-anonymous,own-mounts
2    offline                  $(shipped_rule_count offline)     exec-anonymous,own-mounts
3    privileged               6      all
4    restricted               $(shipped_rule_count restricted)     net-client,net-server,exec-anonymous,own-mounts"
	run "$LOCKCCTL" policy show privileged
	assert_output "# policy privileged (id 3)
allow syslog
allow mount
allow chroot
allow host-sockets
allow host-ipc
allow bpf
allow perf-events
allow keyring
allow set-time
allow kernel-load
allow user-namespaces
allow kernel-tunables
allow signal-outside
allow ptrace-outside
allow run-as-root
allow become-root
allow raw-sockets
allow net-client
allow net-server
allow exec-memfd
allow exec-anonymous
allow own-mounts
allow capability all
allow socket all
allow netlink all
allow file /
allow bind-mount /
allow volume /
allow exec /
allow device block *
allow device char *"
}

@test "a second load is harmless and keeps the same links" {
	share_the_load
	before=$(lockc_link_ids)
	run "$SCRIPTS/lockc-load"
	assert_status 0
	assert_output "lockc is already loaded at $PIN."
	[ "$(lockc_link_ids)" = "$before" ]
}

# lockc-status's "supplements:" for the supplements NAME... that the kernel
# takes: those, and each other one with the hooks the kernel lacks for it.
expected_supplements() {
	local name lacking left=() hooks out='' sep=''
	hooks=$(kernel_hooks)
	while read -r name; do
		lacking=$(LC_ALL=C comm -23 <(LC_ALL=C sort -u "$PROJECT/build/$name.hooks") <(echo "$hooks") | paste -sd, - | sed 's/,/, /g')
		[ -z "$lacking" ] || left+=("$name ($lacking)")
	done <"$PROJECT/build/lockc.supplements"
	for name in "$@"; do out+="$sep$name"; sep=", "; done
	[ -n "$out" ] || out=none
	sep="; not on this kernel, which lacks their hooks: "
	for name in "${left[@]}"; do out+="$sep$name"; sep=", "; done
	printf '%s' "$out"
}

@test "status tells a loaded lockc with the kernel's own ids and counts" {
	local programs maps expected rules taken guards
	share_the_load
	mkdir -p /sys/fs/cgroup/status-test
	"$LOCKCCTL" container add path status-test policy baseline
	programs=$(kernel_manifest | grep -c '^program')
	maps=$(grep -c '^map' "$PROJECT/build/lockc.manifest")
	mapfile -t taken < <(kernel_supplements_taken)
	expected="lockc: loaded ($PIN)
build: $(cat "$PROJECT/build/lockc.version"), object $(sha256sum "$PROJECT/build/lockc.bpf.o" | cut -c1-12)
kernel LSMs: $(cat /sys/kernel/security/lsm)
kernel hooks: all $(for name in lockc "${taken[@]}"; do cat "$PROJECT/build/$name.hooks"; done | wc -l) that lockc attaches to
supplements: $(expected_supplements "${taken[@]}")
programs: $programs of $programs attached"
	# One listing and one jq for every link: a bpftool and a jq per link
	# take minutes under emulation.
	expected+=$'\n'$(bpftool -j -f link list | jq -r --arg dir "$PIN/links/" \
		--arg manifest "$(kernel_manifest)" '
		. as $links | $manifest | split("\n")[] | select(startswith("program ")) | ltrimstr("program ") as $name
		| $links[] | select(.pinned // [] | any(. == $dir + $name)) | "\($name) \(.id) \(.prog_id)"' |
		while read -r name link prog; do printf '  %-20s link %s, program %s\n' "$name" "$link" "$prog"; done)
	expected+=$'\n'"maps: $maps of $maps pinned"
	rules=$(bpftool map dump pinned "$PIN/maps/rules" -j | jq length)
	guards=$(grep -Ec '^guard(-exempt)? ' "$POLICY_DEFAULTS/lockc.conf")
	expected+=$'\n'$(map_status_lines containers=1 guards="$guards" own_mounts=0 policies=4 rules="$rules" armed_tasks path_changes=1 \
		tree_changes=1 task_creds=0 allowed_inodes allowed_dirs=0 loaded_object=1 events ipc_owners=0 event_budgets=0 event_stats=1 learned=0 learned_names=0 scratch_slots=4)
	run "$SCRIPTS/lockc-status"
	assert_status 0
	assert_output "$expected"

	run "$SCRIPTS/lockc-status" --json
	assert_status 0
	[ "$(jq -r '.state, .programs[0].name, ([.maps[] | .name + "=" + (.entries | tostring)] | join(" "))' \
		<<<"$output")" = "loaded
lockc_arm
containers=1 guards=$guards own_mounts=0 policies=4 rules=$rules armed_tasks=null path_changes=1 tree_changes=1 task_creds=0 allowed_inodes=null allowed_dirs=0 loaded_object=1 events=null ipc_owners=0 event_budgets=0 event_stats=1 learned=0 learned_names=0 scratch_slots=4" ]
	rmdir /sys/fs/cgroup/status-test
}

@test "policy show prints a policy back as a policy file that applies to the same entries" {
	share_the_load
	run "$LOCKCCTL" policy show restricted
	assert_output_contains "deny capability all
allow capability net_bind_service
deny socket all
allow socket unix inet inet6
deny netlink all
allow netlink route"
	assert_output_contains "allow device char 136:*"
	before=$("$LOCKCCTL" --json policy show restricted | jq -S 'del(.id)')
	mkdir "$BATS_TEST_TMPDIR/copy"
	"$LOCKCCTL" policy show restricted >"$BATS_TEST_TMPDIR/copy/restricted.policy"
	"$LOCKCCTL" policy apply "$BATS_TEST_TMPDIR/copy/restricted.policy"
	[ "$("$LOCKCCTL" --json policy show restricted | jq -S 'del(.id)')" = "$before" ]
}

@test "load refuses an incomplete lockc and changes nothing" {
	"$SCRIPTS/lockc-load"
	rm "$PIN/links/lockc_syslog"
	run "$SCRIPTS/lockc-load"
	assert_status 1
	assert_output "lockc-load: an incomplete lockc is pinned at $PIN (missing: link lockc_syslog); run lockc-unload, then lockc-load."
	run ls "$PIN/links"
	assert_output "$(kernel_manifest | awk '$1 == "program" && $2 != "lockc_syslog" { print $2 }' | sort)"
}

@test "load applies the admin's policies too; one named like a shipped policy replaces it" {
	mkdir "$BATS_TEST_TMPDIR/policies"
	printf 'allow file /srv\n' >"$BATS_TEST_TMPDIR/policies/web.policy"
	printf 'allow syslog\nallow file /\n' >"$BATS_TEST_TMPDIR/policies/baseline.policy"
	LOCKC_POLICY_DIR=$BATS_TEST_TMPDIR/policies run "$SCRIPTS/lockc-load"
	assert_status 0
	run "$LOCKCCTL" policy show baseline
	assert_output "# policy baseline (id 1)
allow syslog
deny mount
deny chroot
deny host-sockets
deny host-ipc
deny bpf
deny perf-events
deny keyring
deny set-time
deny kernel-load
deny user-namespaces
deny kernel-tunables
deny signal-outside
deny ptrace-outside
deny run-as-root
deny become-root
deny raw-sockets
deny net-client
deny net-server
deny exec-memfd
deny exec-anonymous
deny own-mounts
deny capability all
deny socket all
deny netlink all
allow file /"
	run "$LOCKCCTL" policy show web
	assert_output_contains "allow file /srv"
	run "$LOCKCCTL" policy show restricted
	assert_output_contains "deny file /run/secrets/kubernetes.io"
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

@test "unload of nothing succeeds and says so" {
	run "$SCRIPTS/lockc-unload"
	assert_status 0
	assert_output "lockc is not loaded (nothing at $PIN)."
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
