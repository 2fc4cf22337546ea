#!/usr/bin/env bats
# tests/bench/report: the benchmark's table from the guest's lines. The
# numbers are made up so that every ratio is known; what make bench measures
# is never asserted.

load ../helpers

REPORT=$PROJECT/tests/bench/report

# lines CONDITION NS...: a result line per operation (open-close, stat,
# fork-exec-wait, which takes 1,000 times as long as stat).
lines() {
	local condition=$1
	echo "result $condition open-close $2 $2 $2"
	echo "result $condition stat $3 $3 $3"
	echo "result $condition fork-exec-wait $(($3 * 1000)) $(($3 * 1000)) $(($3 * 1000))"
}

setup() {
	{
		echo "info kernel 6.12.0-test"
		echo "info cpus 2"
		echo "info accel tcg"
		echo "info reps 7"
		echo "info scale 1"
		lines none 1000 1000
		lines empty 1010 1000
		lines landlock 1200 1000
		lines host 1020 1000
		lines restricted 1100 1000
		lines rules-10 1100 1000
		lines rules-1000 1100 1000
		lines rules-10000 1150 1000
		# Rounds of their own, in a spell twice as slow.
		lines host-1000 2040 2000
		lines containers-1000 2200 2000
		echo "program host lockc_file_open 2000 800000"
		echo "program restricted lockc_file_open 2000 4000000"
		echo "map loaded rules lpm_trie 65536 1048576"
		echo "map full rules lpm_trie 65536 3145728"
		echo "map loaded containers hash 16384 2097152"
		echo "map full containers hash 16384 2097152"
	} >"$BATS_TEST_TMPDIR/lockc.txt"
	{
		echo "info lsm lockdown,capability,landlock,apparmor"
		lines apparmor-off 1000 1000
		lines apparmor 1300 1100
	} >"$BATS_TEST_TMPDIR/apparmor.txt"
}

@test "report: one row per operation, each condition a ratio to its own boot's floor" {
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_status 0
	[[ "$output" == *$'\n'"| open-close | 1.0 µs | 1.01 | 1.02 | 1.10 | 1.10 | 1.10 | 1.15 | 1.10 | 1.20 | 1.30 |"$'\n'* ]]
	[[ "$output" == *$'\n'"| stat | 1.0 µs | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.10 |"$'\n'* ]]
	[[ "$output" == *$'\n'"| fork-exec-wait | 1.00 ms | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.00 | 1.10 |"$'\n'* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/out/results.md")" = "$output" ]
}

@test "report: the targets say what was measured against what" {
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_output_contains "- lockc loaded, host process, against no lockc: worst +2.0% (open-close); target within 2%. Against empty programs on the same hooks: worst +1.0% (open-close). Noise: stat, which no lockc program sees, +0.0%."
	assert_output_contains "- restricted container against no lockc: open-close +10.0% (target at most +10%, and below AppArmor), fork-exec-wait +0.0% (below AppArmor); AppArmor: open-close +30.0%, fork-exec-wait +10.0%."
	assert_output_contains "- growth against the restricted container: +10,000 rules worst +4.5% (open-close), 1,000 containers worst +0.0% (open-close); target no growth beyond noise."
	assert_output_contains "- lockc's maps: 3.00 MiB loaded with the shipped policies, 5.00 MiB with 1,000 containers and 11,010 more rules; target a few MiB."
	assert_output_contains "| lockc_file_open | 2000 | 400 | 2000 | 2000 |"
	assert_output_contains "| total | | | 3.00 MiB | 5.00 MiB |"
}

@test "report: the CSV has every condition and operation, the 1,000 containers scaled by their own rounds' host process" {
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_status 0
	run cat "$BATS_TEST_TMPDIR/out/results.csv"
	assert_status 0
	[ "${lines[0]}" = "condition,operation,median_ns,min_ns,max_ns,floor,ratio" ]
	[ "${#lines[@]}" -eq 37 ]
	assert_output_contains $'\n'"containers-1000,open-close,2200,2200,2200,none,1.1000"$'\n'
	assert_output_contains $'\n'"apparmor,stat,1100,1100,1100,apparmor-off,1.1000"
}

@test "report: a boot without one of its conditions writes no report and says which" {
	grep -v ' restricted ' "$BATS_TEST_TMPDIR/lockc.txt" >"$BATS_TEST_TMPDIR/partial.txt"
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/partial.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_status 1
	assert_output "bench report: no results for condition restricted"
	[ ! -e "$BATS_TEST_TMPDIR/out/results.md" ]
	[ ! -e "$BATS_TEST_TMPDIR/out/results.csv" ]
}
