# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154 # the paths are read by the suites; status and output are set by bats' run
# Shared by every bats suite, host and VM: where the project's pieces are,
# and the few assertions bats-core itself does not ship (Debian packages no
# bats-assert). The VM suites load vm.bash, which loads this.

bats_require_minimum_version 1.5.0

PROJECT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
SCRIPTS=$PROJECT/scripts
LOCKCCTL=$PROJECT/build/lockcctl
POLICY_DEFAULTS=$PROJECT/policy-defaults

# Fail with what was expected and what `run` saw.
assert_status() {
	if [ "$status" -ne "$1" ]; then
		printf 'expected exit status %s, got %s; output:\n%s\n' "$1" "$status" "$output" >&2
		return 1
	fi
}

assert_output() {
	if [ "$output" != "$1" ]; then
		printf 'expected output:\n%s\ngot:\n%s\n' "$1" "$output" >&2
		return 1
	fi
}

assert_output_contains() {
	if [[ $output != *"$1"* ]]; then
		printf 'expected output to contain:\n%s\ngot:\n%s\n' "$1" "$output" >&2
		return 1
	fi
}
