#!/usr/bin/env bats
# lockcctl policy suggest from saved events (--from), against the shipped
# restricted policy as a file (--base): no BPF needed. Each rule of
# lockcctl(8)'s "LEARNING A POLICY" has a case, its boundary beside it, and
# every suggestion must parse as a policy.

load ../helpers

setup() {
	export LOCKC_PIN_DIR=$BATS_TEST_TMPDIR/no-lockc-here
	EVENTS=$BATS_TEST_TMPDIR/events.json
	BASE=$POLICY_DEFAULTS/restricted.policy
	: >"$EVENTS"
}

# event DECISION OPERATION DETAIL [NUMBER] [COMM]: a line of `lockcctl --json
# events` for container "job" (the value text is lockcctl's; suggest reads the number).
event() {
	jq -cn --arg d "$1" --arg o "$2" --arg detail "$3" --arg n "${4:-}" --arg comm "${5:-app}" \
		'{time: "2026-12-07T10:00:00.000Z", decision: $d, operation: $o, detail: $detail, container: "job",
		  cgroup_id: 42, policy: "restricted", pid: 7, tid: 7, comm: $comm}
		 + (if $n == "" then {} else {value: "v", number: ($n | tonumber)} end)' >>"$EVENTS"
}

# suggest [OPTION...]: the suggestion for "job", saved as job.policy, which must parse.
suggest() {
	"$LOCKCCTL" policy suggest job --base "$BASE" --from "$EVENTS" "$@" >"$BATS_TEST_TMPDIR/job.policy" &&
		"$LOCKCCTL" policy check "$BATS_TEST_TMPDIR/job.policy" >/dev/null &&
		cat "$BATS_TEST_TMPDIR/job.policy"
}

# assert_line LINE, refute_line LINE: whether $output has LINE as a whole line.
assert_line() {
	grep -qxF -- "$1" <<<"$output" || { echo "no line '$1' in: $output" >&2; return 1; }
}

refute_line() {
	if grep -qxF -- "$1" <<<"$output"; then echo "unexpected line '$1' in: $output" >&2; return 1; fi
}

# The policy lines of the suggestion, without comments.
suggested_lines() {
	suggest "$@" | grep -v '^#'
}

@test "a path used once is allowed exactly; the base's allow rules give way, its deny rules stay, writes only where made" {
	event used open /etc/passwd
	event used exec /usr/bin/cat "" cat
	run suggested_lines
	assert_status 0
	assert_output_contains "allow file /etc/passwd exact"
	assert_output_contains "allow exec /usr/bin/cat exact"
	assert_output_contains "deny file /proc/sys"
	assert_output_contains "deny write /usr"
	assert_line "deny write /"
	assert_output_contains "deny own-mounts"
	# restricted's own allow rules are gone.
	refute_line "allow file /etc"
	refute_line "allow exec /usr"
	run suggest
	assert_output_contains "# decided 1 time, first used by cat
allow exec /usr/bin/cat exact"
}

@test "a directory where names were made, removed or renamed is allowed whole; a name made in / stays exact" {
	event learned write /srv/data/job.a1B2c3 3
	event learned write /srv/data/job.a1B2c3 4
	event learned write /scratchfile 3
	run suggested_lines
	assert_status 0
	assert_line "allow file /srv/data"
	assert_line "allow write /srv/data"
	assert_output_contains "allow write /scratchfile exact"
	[[ "$output" != *"job.a1B2c3"* ]]
	# An open for writing (change 1) names no new name: its path stays exact.
	: >"$EVENTS"
	event used write /srv/data/log 1
	run suggested_lines
	assert_output_contains "allow write /srv/data/log exact"
}

@test "a directory with more than 8 learned entries becomes a prefix, deepest first; 8 stay exact" {
	for i in 1 2 3 4 5 6 7 8; do event used open "/srv/in/f$i"; done
	run suggested_lines
	assert_output_contains "allow file /srv/in/f8 exact"
	refute_line "allow file /srv/in"
	event used open /srv/in/f9
	run suggested_lines
	assert_line "allow file /srv/in"
	[[ "$output" != *"/srv/in/f"* ]]
	run suggest
	assert_output_contains "# decided 9 times, first used by app; generalised: more than 8 entries of the directory"
}

@test "a process's or a terminal's name gives the base's own prefix rule; a name the base allows only exactly stays exact" {
	event used open /proc/4711/status
	event used open /dev/pts/3
	event used open /proc/sys/kernel/cap_last_cap
	run suggested_lines
	assert_line "allow file /proc"
	assert_line "allow file /dev/pts"
	assert_output_contains "allow file /proc/sys/kernel/cap_last_cap exact"
	[[ "$output" != *"4711"* ]]
}

@test "no prefix crosses a deny of the base: entries of a denied directory are left out, not generalised" {
	for i in 1 2 3 4 5 6 7 8 9; do event learned open "/proc/sys/kernel/knob$i"; done
	event used open /proc/sys/kernel/ngroups_max
	run suggest
	assert_status 0
	assert_output_contains "allow file /proc/sys/kernel/ngroups_max exact"
	assert_output_contains "#   file /proc/sys/kernel/knob1 (open, decided 1 time, first used by app)"
	refute_line "allow file /proc/sys/kernel"
	refute_line "allow file /proc/sys"
}

@test "what the base forbids for a reason is left out and listed; --allow-forbidden adds it and says so" {
	event learned mount /dev/sda "" mount
	event learned capability "" 21 mount
	event learned capability "" 0 chown
	event learned open /run/secrets/kubernetes.io/serviceaccount/token
	event learned exec "/memfd:payload (deleted)"
	event learned socket "" $(((2 << 16) | 3)) ping
	event used device /dev/sda 8388608
	event learned run-as-root "" 2
	run suggest
	assert_status 0
	assert_output_contains "# needed by the container, which the base denies
allow run-as-root"
	assert_line "deny capability all"
	refute_line "allow capability chown"
	assert_output_contains "deny mount"
	assert_output_contains "deny raw-sockets"
	assert_output_contains "deny exec-memfd"
	assert_output_contains "# Left out: $BASE forbids these for a reason (--allow-forbidden adds them):
#   file /run/secrets/kubernetes.io/serviceaccount/token (open, decided 1 time, first used by app)
#   mount (mount, decided 1 time, first used by mount)
#   exec-memfd (exec, decided 1 time, first used by app)
#   capability chown (capability, decided 1 time, first used by chown)
#   capability sys_admin (capability, decided 1 time, first used by mount)
#   raw-sockets (socket, decided 1 time, first used by ping)
#   device 8:0 (char or block: add its line by hand) (device, decided 1 time, first used by app)"

	run suggest --allow-forbidden
	assert_status 0
	assert_output_contains "# --allow-forbidden: this policy allows what $BASE forbids for a reason."
	assert_output_contains "allow mount"
	assert_output_contains "allow capability chown sys_admin"
	assert_output_contains "allow file /run/secrets/kubernetes.io/serviceaccount/token exact"
	assert_output_contains "allow raw-sockets"
	assert_output_contains "allow exec-memfd"
	# Its type unknown, the device stays out even so.
	assert_output_contains "#   device 8:0 (char or block: add its line by hand)"
}

@test "capabilities, socket families, netlink protocols and devices are those used that the base allows, and nothing else" {
	event used capability "" 10
	event used socket "" $(((1 << 16) | 1))
	event used socket "" $(((16 << 16) | 0))
	event used device /dev/null $(((1 << 20) | 3))
	event used device /dev/pts/0 $(((136 << 20) | 0))
	event learned socket "" $(((17 << 16) | 3)) tcpdump
	event learned socket "" $(((16 << 16) | 4)) ss
	run suggested_lines
	assert_output_contains "deny capability all
allow capability net_bind_service
deny socket all
allow socket unix
deny netlink all
allow netlink route
allow device null
allow device pts"
	run suggest
	assert_output_contains "#   netlink sock_diag (socket, decided 1 time, first used by ss)
#   socket packet (socket, decided 1 time, first used by tcpdump)"
}

@test "one operation seen in several events counts once, with their count; other containers' events are not read" {
	event learned open /srv/x
	event learned open /srv/x
	local last
	last=$(tail -n1 "$EVENTS")
	jq -c '.container = "other" | .detail = "/srv/other"' <<<"$last" >>"$EVENTS"
	echo '{"dropped":{"rate_limited":1,"ring_full":0,"no_buffer":0},"since":"since it was loaded"}' >>"$EVENTS"
	run suggest
	assert_output_contains "# Suggested by 'lockcctl policy suggest' for container job from 1 distinct operations
# (decided 2 times in all), starting from policy $BASE."
	assert_output_contains "# decided 2 times, first used by app
allow file /srv/x exact"
	[[ "$output" != *"/srv/other"* ]]
}

@test "--json prints the lines with what each was learned from, and what was left out" {
	event used open /etc/hostname
	event learned mount none "" mount
	run "$LOCKCCTL" --json policy suggest job --base "$BASE" --from "$EVENTS"
	assert_status 0
	[ "$(jq -c '.container, .distinct, .operations, .map_full, .allow_forbidden' <<<"$output" | paste -sd' ')" = '"job" 2 2 false false' ]
	[ "$(jq -r '.lines[] | select(.line == "allow file /etc/hostname exact") | .learned' <<<"$output")" = "decided 1 time, first used by app" ]
	[ "$(jq -c '.left_out' <<<"$output")" = '[{"needs":"mount","operation":"mount","count":1,"comm":"mount"}]' ]
}

@test "policy suggest's errors: one sentence, exit 1, nothing printed before" {
	run "$LOCKCCTL" policy suggest
	assert_status 1
	assert_output "Error: 'policy suggest' needs the name of a container, as 'lockcctl container list' shows it."
	run "$LOCKCCTL" policy suggest job --frob
	assert_status 1
	assert_output "Error: unexpected '--frob'; usage: lockcctl policy suggest CONTAINER [--base POLICY|FILE] [--from FILE]... [--allow-forbidden]."
	run "$LOCKCCTL" policy suggest job --base "$BASE" --from "$BATS_TEST_TMPDIR/missing.json"
	assert_status 1
	assert_output "Error: cannot open $BATS_TEST_TMPDIR/missing.json: No such file or directory."
	event used open /etc/passwd
	echo 'not json' >>"$EVENTS"
	run "$LOCKCCTL" policy suggest job --base "$BASE" --from "$EVENTS"
	assert_status 1
	assert_output "Error: $EVENTS:2: not a line of 'lockcctl --json events' ('[' or '{' expected near 'not')."
	: >"$EVENTS"
	event used frobnicate /x
	run "$LOCKCCTL" policy suggest job --base "$BASE" --from "$EVENTS"
	assert_status 1
	assert_output "Error: $EVENTS:1: unknown operation 'frobnicate'; use the lockcctl that wrote the events."
	run "$LOCKCCTL" policy suggest nobody --base "$BASE" --from "$EVENTS"
	assert_status 1
	assert_output "Error: nothing was learned for container 'nobody'; run it in learning mode (mode learn) first."
	run "$LOCKCCTL" policy suggest job --from "$EVENTS"
	assert_status 1
	assert_output "Error: cannot open lockc's map $LOCKC_PIN_DIR/maps/policies (No such file or directory); load lockc with lockc-load first."
}
