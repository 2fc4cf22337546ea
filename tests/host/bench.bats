#!/usr/bin/env bats
# tests/bench/report: the benchmark's table from the guest's lines. The
# numbers are made up so that every ratio is known; what make bench measures
# is never asserted. And the options of the loops' program, bench, that
# decide how repeatable a count is.

load ../helpers

REPORT=$PROJECT/tests/bench/report
BENCH=$PROJECT/build/bench

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
		echo "info accel icount"
		echo "info clock instructions"
		echo "info reps 3"
		echo "info batches 5"
		echo "info scale 1"
		lines none 1000 1000
		lines empty 1010 1000
		lines landlock 1200 1000
		lines host 1020 1000
		lines restricted 1100 1000
		lines learning 1250 1000
		lines rules-10 1100 1000
		lines rules-1000 1100 1000
		lines rules-10000 1150 1000
		# Rounds of their own, in a spell twice as slow.
		lines host-1000 2040 2000
		lines containers-1000 2200 2000
		echo "program host open-close 4000 lockc_file_open 4000 800000"
		echo "program restricted open-close 4000 lockc_file_open 4000 4000000"
		echo "program restricted stat 4000 lockc_other 10 4000"
		echo "program learning open-close 4000 lockc_file_open 4000 6000000"
		echo "program learning open-close 4000 lockc_other 4000 400000"
		echo "map loaded rules lpm_trie 65536 1048576"
		echo "map full rules lpm_trie 65536 3145728"
		echo "map loaded containers hash 16384 2097152"
		echo "map full containers hash 16384 2097152"
	} >"$BATS_TEST_TMPDIR/lockc.txt"
	# One cell whose rounds differ: the stability line names it.
	sed -i 's/^result restricted open-close 1100 1100 1100$/result restricted open-close 1100 1098 1102/' "$BATS_TEST_TMPDIR/lockc.txt"
	{
		echo "info clock instructions"
		echo "info lsm lockdown,capability,landlock,apparmor"
		lines apparmor-off 1000 1000
		lines apparmor 1300 1100
	} >"$BATS_TEST_TMPDIR/apparmor.txt"
}

@test "report: one row per operation, each condition a change against its own boot's floor" {
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_status 0
	assert_output_contains $'\n'"| operation | no lockc (instructions) | empty BPF LSM programs | lockc, host process | restricted container | restricted, learning | +10 rules | +1,000 rules | +10,000 rules | 1,000 containers | Landlock | AppArmor |"$'\n'
	assert_output_contains $'\n'"| open-close | 1000 | +1.0% | +2.0% | +10.0% | +25.0% | +10.0% | +10.0% | +15.0% | +10.0% | +20.0% | +30.0% |"$'\n'
	assert_output_contains $'\n'"| stat | 1000 | +0.0% | +0.0% | +0.0% | +0.0% | +0.0% | +0.0% | +0.0% | +0.0% | +0.0% | +10.0% |"$'\n'
	assert_output_contains $'\n'"| fork-exec-wait | 1000000 | +0.0% | +0.0% | +0.0% | +0.0% | +0.0% | +0.0% | +0.0% | +0.0% | +0.0% | +10.0% |"$'\n'
	[ "$(cat "$BATS_TEST_TMPDIR/out/results.md")" = "$output" ]
}

@test "report: the clock, how a cell is made and the largest difference between rounds come first" {
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_status 0
	[[ "${lines[0]}" == "Clock: instructions. QEMU's -icount shift=0,sleep=off on one vCPU makes a guest nanosecond one emulated instruction,"* ]]
	[[ "${lines[1]}" == "Kernel 6.12.0-test. Each cell: median of 3 rounds of a tight loop (1× the base iterations), each round the median of 5 parts of its loop, as a change against \"no lockc\" in the same boot;"* ]]
	assert_output_contains $'\n'"Stability: the largest difference between the rounds of one cell is 0.36% of its median (restricted, open-close); 1 of 39 cells differ by more than 0.2% (open-close)."$'\n'
}

@test "report: on the wall clock the floor is a time and the header says how far to trust it" {
	sed -i 's/^info clock instructions$/info clock wall/; s/^info accel icount$/info accel tcg/' \
		"$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_status 0
	[ "${lines[0]}" = "Clock: wall, under software emulation (QEMU TCG) on 2 vCPUs: the host's load moves every cell; compare ratios only, never with other machines." ]
	assert_output_contains $'\n'"| open-close | 1.0 µs | +1.0% | +2.0% |"
	assert_output_contains $'\n'"| fork-exec-wait | 1.00 ms | +0.0% |"
}

@test "report: boots on different clocks make no report" {
	sed -i 's/^info clock instructions$/info clock wall/' "$BATS_TEST_TMPDIR/apparmor.txt"
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_status 1
	assert_output "bench report: the lockc boot ran on the instructions clock and the AppArmor boot on the wall clock; run tests/bench/run again."
	[ ! -e "$BATS_TEST_TMPDIR/out/results.md" ]
}

@test "report: each target met or missed, with the operation that decides it" {
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_output_contains "- lockc loaded, host process, against no lockc: worst +2.0% (open-close), target at most +1%: missed. Against empty BPF programs on the same hooks: worst +1.0% (open-close), target at most +0.5%: missed."
	assert_output_contains "- restricted container against no lockc: open-close +10.0%, target at most +3%: missed; every other operation worst +0.0% (stat), target at most +8%: met; below AppArmor on every operation: met."
	assert_output_contains "- against the restricted container: +10,000 rules worst +4.5% (open-close), target at most +1%: missed; 1,000 containers worst +0.0% (open-close), target at most +1%: met."
	assert_output_contains "- learning mode against the restricted container, enforced (no target; what learning costs while it runs): worst +13.6% (open-close)."
	assert_output_contains "- lockc's maps: 3.00 MiB loaded with the shipped policies, 5.00 MiB with 10,000 containers and 11,010 more rules, target under 32 MiB: met."
	assert_output_contains "| total | | | 3.00 MiB | 5.00 MiB |"
}

@test "report: lockc's programs per iteration of each operation, and per run over all of them" {
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_status 0
	assert_output_contains $'\n'"| operation | host process | restricted container | its costliest program | restricted, learning | its costliest program |"$'\n'
	assert_output_contains $'\n'"| open-close | 200 | 1000 | lockc_file_open (1000) | 1600 | lockc_file_open (1500) |"$'\n'
	assert_output_contains $'\n'"| stat | 0 | 1 | lockc_other (1) | 0 | - |"$'\n'
	assert_output_contains $'\n'"| fork-exec-wait | 0 | 0 | - | 0 | - |"$'\n'
	assert_output_contains $'\n'"| lockc_file_open | 4000 | 200 | 4000 | 1000 | 4000 | 1500 |"$'\n'
	assert_output_contains $'\n'"| lockc_other | 0 | - | 10 | 400 | 4000 | 100 |"$'\n'
}

@test "report: the CSV has every condition and operation, the 1,000 containers scaled by their own rounds' host process" {
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/lockc.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_status 0
	run cat "$BATS_TEST_TMPDIR/out/results.csv"
	assert_status 0
	[ "${lines[0]}" = "condition,operation,median_ns,min_ns,max_ns,floor,ratio" ]
	[ "${#lines[@]}" -eq 40 ]
	assert_output_contains $'\n'"containers-1000,open-close,2200,2200,2200,none,1.10000"$'\n'
	assert_output_contains $'\n'"restricted,open-close,1100,1098,1102,none,1.10000"$'\n'
	assert_output_contains $'\n'"apparmor,stat,1100,1100,1100,apparmor-off,1.10000"
}

@test "report: a boot without one of its conditions writes no report and says which" {
	grep -v ' restricted ' "$BATS_TEST_TMPDIR/lockc.txt" >"$BATS_TEST_TMPDIR/partial.txt"
	run "$REPORT" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/partial.txt" "$BATS_TEST_TMPDIR/apparmor.txt"
	assert_status 1
	assert_output "bench report: no results for condition restricted"
	[ ! -e "$BATS_TEST_TMPDIR/out/results.md" ]
	[ ! -e "$BATS_TEST_TMPDIR/out/results.csv" ]
}

# A script for `bench run` that writes its own scheduling policy to $POLICY_FILE.
policy_script() {
	cat >"$BATS_TEST_TMPDIR/policy" <<-'SCRIPT'
	#!/bin/sh
	chrt -p $$ >"$POLICY_FILE"
	SCRIPT
	chmod +x "$BATS_TEST_TMPDIR/policy"
}

@test "bench --fifo: the loop and the processes it starts run under SCHED_FIFO at that priority; without it, under the default policy" {
	policy_script
	POLICY_FILE=$BATS_TEST_TMPDIR/fifo run "$BENCH" -n 1 -r 1 --fifo 3 run "$BATS_TEST_TMPDIR/policy"
	assert_status 0
	assert_output_contains "run "
	run cat "$BATS_TEST_TMPDIR/fifo"
	assert_output_contains "scheduling policy: SCHED_FIFO"
	assert_output_contains "scheduling priority: 3"
	POLICY_FILE=$BATS_TEST_TMPDIR/other run "$BENCH" -n 1 -r 1 run "$BATS_TEST_TMPDIR/policy"
	assert_status 0
	run cat "$BATS_TEST_TMPDIR/other"
	assert_output_contains "scheduling policy: SCHED_OTHER"
}

@test "bench --fifo takes a priority from 1 to 99, and nothing runs without one" {
	policy_script
	POLICY_FILE=$BATS_TEST_TMPDIR/fifo run "$BENCH" -n 1 -r 1 --fifo 0 run "$BATS_TEST_TMPDIR/policy"
	assert_status 1
	[ "$output" = "bench: --fifo wants a number from 1 to 99, not '0'." ]
	[ ! -e "$BATS_TEST_TMPDIR/fifo" ]
	run "$BENCH" -n 1 -r 1 --fifo 100 fork
	assert_status 1
	[ "$output" = "bench: --fifo wants a number from 1 to 99, not '100'." ]
}

# A script for `bench run` that takes 2 s on its 5th run and none on the
# others: with 3 iterations a repetition, the warm-up runs it 3 times and the
# timed repetition 3 more, the 2nd of them the slow one.
slow_fifth_script() {
	cat >"$BATS_TEST_TMPDIR/slow-fifth" <<-'SCRIPT'
	#!/bin/sh
	n=$(($(cat "$COUNTER" 2>/dev/null || echo 0) + 1))
	echo "$n" >"$COUNTER"
	[ "$n" -ne 5 ] || sleep 2
	SCRIPT
	chmod +x "$BATS_TEST_TMPDIR/slow-fifth"
}

@test "bench -b: a repetition counts as the median of its parts, so one slow iteration does not move it; without -b it does" {
	slow_fifth_script
	COUNTER=$BATS_TEST_TMPDIR/parts run "$BENCH" -n 3 -r 1 -b 3 run "$BATS_TEST_TMPDIR/slow-fifth"
	assert_status 0
	[ "$(cat "$BATS_TEST_TMPDIR/parts")" -eq 6 ]
	read -r _ per_iteration _ <<<"$output"
	[ "$per_iteration" -lt 1000000000 ]
	COUNTER=$BATS_TEST_TMPDIR/whole run "$BENCH" -n 3 -r 1 run "$BATS_TEST_TMPDIR/slow-fifth"
	assert_status 0
	read -r _ per_iteration _ <<<"$output"
	[ "$per_iteration" -ge 666000000 ]
}

@test "bench -b takes 1 to 101 parts, and more parts than iterations is one iteration a part" {
	run "$BENCH" -n 2 -r 1 -b 5 stat /
	assert_status 0
	[[ "$output" =~ ^stat\ [0-9]+\ [0-9]+\ [0-9]+$ ]]
	run "$BENCH" -n 2 -r 1 -b 0 stat /
	assert_status 1
	[ "$output" = "bench: -b wants a number from 1 to 101, not '0'." ]
}
