#!/usr/bin/env bats
# Every shell script in the project passes shellcheck (.shellcheckrc applies).

load ../helpers

@test "shellcheck finds nothing in any shell script" {
	cd "$PROJECT"
	mapfile -t files < <(git ls-files --cached --others --exclude-standard |
		while read -r f; do
			case $f in *.bash|*.sh|*.bats) echo "$f"; continue ;; esac
			{ head -n 1 "$f" 2>/dev/null | grep -qE '^#!.*\b(ba)?sh\b' ||
				grep -qx '# shellcheck shell=bash' "$f" 2>/dev/null; } && echo "$f"
		done)
	[ "${#files[@]}" -gt 5 ]
	run shellcheck "${files[@]}"
	assert_status 0
}
