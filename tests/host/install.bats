#!/usr/bin/env bats
# make install with DESTDIR and PREFIX, the admin's files under /etc, the
# installed scripts finding the installed pieces, man pages, bash
# completion, and lintian on the package that make deb built.

load ../helpers

setup() {
	dest=$BATS_TEST_TMPDIR/dest
}

install_to() {
	make -s -C "$PROJECT" install DESTDIR="$1" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system >/dev/null
}

@test "make install puts every file at its FHS path below DESTDIR" {
	install_to "$dest"
	run bash -c "cd '$dest' && find . ! -type d \\( -type l -printf '%M %P -> %l\\n' -o -printf '%M %P\\n' \\) | LC_ALL=C sort -k2"
	assert_output "-rw-r--r-- etc/default/lockc
-rw-r--r-- etc/lockc/lockc.conf
-rw-r--r-- lib/systemd/system/lockc-events.service
-rw-r--r-- lib/systemd/system/lockc.service
-rw-r--r-- usr/lib/lockc/lockc-acl.bpf.o
-rw-r--r-- usr/lib/lockc/lockc-acl.hooks
-rw-r--r-- usr/lib/lockc/lockc-acl.manifest
-rw-r--r-- usr/lib/lockc/lockc-common.sh
-rwxr-xr-x usr/lib/lockc/lockc-load
-rw-r--r-- usr/lib/lockc/lockc-paths.sh
-rwxr-xr-x usr/lib/lockc/lockc-runtime
-rwxr-xr-x usr/lib/lockc/lockc-status
-rwxr-xr-x usr/lib/lockc/lockc-unload
-rw-r--r-- usr/lib/lockc/lockc.bpf.o
-rw-r--r-- usr/lib/lockc/lockc.hooks
-rw-r--r-- usr/lib/lockc/lockc.manifest
-rw-r--r-- usr/lib/lockc/lockc.supplements
-rw-r--r-- usr/lib/lockc/lockc.version
lrwxrwxrwx usr/sbin/lockc-load -> ../lib/lockc/lockc-load
lrwxrwxrwx usr/sbin/lockc-runtime -> ../lib/lockc/lockc-runtime
lrwxrwxrwx usr/sbin/lockc-status -> ../lib/lockc/lockc-status
lrwxrwxrwx usr/sbin/lockc-unload -> ../lib/lockc/lockc-unload
-rwxr-xr-x usr/sbin/lockcctl
-rw-r--r-- usr/share/bash-completion/completions/lockcctl
-rw-r--r-- usr/share/containers/oci/hooks.d/lockc.json
-rw-r--r-- usr/share/doc/lockc/README.md
-rw-r--r-- usr/share/doc/lockc/coverage.md
-rw-r--r-- usr/share/doc/lockc/examples/containerd-config.toml
-rw-r--r-- usr/share/doc/lockc/examples/docker-daemon.json
-rw-r--r-- usr/share/doc/lockc/install.md
$(cd "$PROJECT/maps" && for f in *.md; do echo "-rw-r--r-- usr/share/doc/lockc/maps/$f"; done)
-rw-r--r-- usr/share/doc/lockc/model.md
-rw-r--r-- usr/share/doc/lockc/policies.md
-rw-r--r-- usr/share/doc/lockc/runtimes.md
-rw-r--r-- usr/share/doc/lockc/tests.md
-rw-r--r-- usr/share/lockc/lockc.conf
$(cd "$PROJECT/policy-defaults" && for f in *.policy; do echo "-rw-r--r-- usr/share/lockc/policies/$f"; done)
-rw-r--r-- usr/share/man/man5/lockc.conf.5
-rw-r--r-- usr/share/man/man5/lockc.policy.5
-rw-r--r-- usr/share/man/man8/lockc-load.8
-rw-r--r-- usr/share/man/man8/lockc-runtime.8
-rw-r--r-- usr/share/man/man8/lockc-status.8
-rw-r--r-- usr/share/man/man8/lockc-unload.8
-rw-r--r-- usr/share/man/man8/lockcctl.8"
	[ -d "$dest/etc/lockc/policies" ]
}

@test "the installed pieces name each other by their installed paths" {
	install_to "$dest"
	run cat "$dest/usr/lib/lockc/lockc-paths.sh"
	assert_output "# Written by make install: where the pieces of this installation are.
LOCKC_OBJECT_DIR=\${LOCKC_OBJECT_DIR:-/usr/lib/lockc}
LOCKC_HELPER=\${LOCKC_HELPER:-/usr/sbin/lockcctl}
LOCKC_POLICY_DEFAULTS=\${LOCKC_POLICY_DEFAULTS:-/usr/share/lockc/policies}"
	[ "$(jq -r .hook.path "$dest/usr/share/containers/oci/hooks.d/lockc.json")" = /usr/sbin/lockcctl ]
	grep -qx 'ExecStart=/usr/sbin/lockc-load' "$dest/lib/systemd/system/lockc.service"
	grep -qx 'ExecStart=/usr/sbin/lockcctl events --follow' "$dest/lib/systemd/system/lockc-events.service"
	grep -q 'BinaryName = "/usr/sbin/lockc-runtime"' "$dest/usr/share/doc/lockc/examples/containerd-config.toml"
	[ "$(jq -r .runtimes.lockc.path "$dest/usr/share/doc/lockc/examples/docker-daemon.json")" = /usr/sbin/lockc-runtime ]
	[ "$(cat "$dest/usr/lib/lockc/lockc.version")" = "$(cat "$PROJECT/build/lockc.version")" ]
	# Through the symlink, the script finds its library.
	run "$dest/usr/sbin/lockc-load" --help
	assert_status 0
	assert_output "usage: lockc-load [--pin-dir DIR]"
}

@test "a second install keeps the admin's files under /etc; uninstall leaves them too" {
	install_to "$dest"
	echo "default-policy restricted" >"$dest/etc/lockc/lockc.conf"
	echo "LOCKC_UNLOAD_ON_STOP=yes" >"$dest/etc/default/lockc"
	install_to "$dest"
	[ "$(cat "$dest/etc/lockc/lockc.conf")" = "default-policy restricted" ]
	[ "$(cat "$dest/etc/default/lockc")" = "LOCKC_UNLOAD_ON_STOP=yes" ]
	make -s -C "$PROJECT" uninstall DESTDIR="$dest" PREFIX=/usr SYSTEMDUNITDIR=/lib/systemd/system
	run bash -c "cd '$dest' && find . ! -type d -printf '%P\n' | LC_ALL=C sort"
	assert_output "etc/default/lockc
etc/lockc/lockc.conf"
}

@test "the man pages render without a warning" {
	local page
	for page in "$PROJECT"/scripts/man/*.[58]; do
		run bash -c "LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z '$page' 2>&1 >/dev/null"
		assert_output ""
	done
}

# complete WORD...: what lockcctl's completion offers for the last WORD.
complete_lockcctl() {
	# shellcheck source=/dev/null
	. /usr/share/bash-completion/bash_completion
	# shellcheck source=../../scripts/completion/lockcctl
	. "$PROJECT/scripts/completion/lockcctl"
	COMP_WORDS=(lockcctl "$@")
	COMP_CWORD=$#
	COMP_LINE="lockcctl $*"
	COMP_POINT=${#COMP_LINE}
	_lockcctl lockcctl "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
	printf '%s\n' "${COMPREPLY[@]}"
}

@test "bash completion offers lockcctl's commands, subcommands and keywords" {
	run complete_lockcctl co
	assert_output "container
config"
	run complete_lockcctl --json policy ""
	assert_output "apply
check
list
show
names
suggest"
	run complete_lockcctl container add path box ""
	assert_output "path
policy
name
mode"
	run complete_lockcctl container add path box mode ""
	assert_output "enforce
audit
learn"
	run complete_lockcctl policy suggest job --
	assert_output "--base
--from
--allow-forbidden"
	run complete_lockcctl upgrade p
	assert_output "plan"
}

@test "lintian finds no error in the package make deb built" {
	run lintian --fail-on error "$PROJECT/build/deb/lockc_$(cat "$PROJECT/build/lockc.version")_amd64.changes"
	assert_status 0
	[[ $output != *"E: "* ]]
}
