#!/usr/bin/env bats
# lockcctl's argument handling and policy parsing; no BPF needed: every case
# here fails or succeeds before a map is opened, or fails on the missing map.

load ../helpers

setup() {
	POLICIES=$BATS_TEST_TMPDIR
	export LOCKC_PIN_DIR=$BATS_TEST_TMPDIR/no-lockc-here
}

@test "no arguments prints the usage and exits 2" {
	run "$LOCKCCTL"
	assert_status 2
	assert_output_contains "usage: lockcctl [OPTIONS] OBJECT COMMAND"
}

@test "help prints the usage on stdout and exits 0" {
	run --separate-stderr "$LOCKCCTL" help
	assert_status 0
	assert_output_contains "lockcctl container add path CGROUP policy POLICY [name NAME] [mode enforce|audit|learn]"
	[ -z "$stderr" ]
}

@test "an unknown option exits 2" {
	run "$LOCKCCTL" --frobnicate policy list
	assert_status 2
}

@test "an unknown object is one error line and exit 1" {
	run "$LOCKCCTL" frob
	assert_status 1
	assert_output "Error: unknown command 'lockcctl frob'; run 'lockcctl help'."
}

@test "an unknown command of an object names it" {
	run "$LOCKCCTL" container frob
	assert_status 1
	assert_output "Error: unknown command 'container frob'; run 'lockcctl help'."
}

@test "errors are JSON under --json" {
	run --separate-stderr "$LOCKCCTL" --json container frob
	assert_status 1
	assert_output '{"error":"unknown command '\''container frob'\''; run '\''lockcctl help'\''."}'
	[ -z "$stderr" ]
}

@test "a missing map says to load lockc" {
	run "$LOCKCCTL" --pin-dir /nonexistent policy list
	assert_status 1
	assert_output "Error: cannot open lockc's map /nonexistent/maps/policies (No such file or directory); load lockc with lockc-load first."
}

@test "container add needs a path and a policy" {
	run "$LOCKCCTL" container add path foo
	assert_status 1
	assert_output "Error: 'container add' needs 'path CGROUP' and 'policy POLICY'."
	run "$LOCKCCTL" container add path
	assert_status 1
	assert_output "Error: 'path' needs a value."
	run "$LOCKCCTL" container add cgroup foo policy x
	assert_status 1
	assert_output "Error: unknown keyword 'cgroup'; expected path, policy, name or mode."
}

@test "container add refuses a directory that is not a cgroup v2 one" {
	run "$LOCKCCTL" container add path "$BATS_TEST_TMPDIR" policy restricted
	assert_status 1
	assert_output "Error: $BATS_TEST_TMPDIR is not a cgroup v2 directory; lockc needs the unified cgroup hierarchy."
}

@test "container add of a missing cgroup names it" {
	run "$LOCKCCTL" container add path /sys/fs/cgroup/no-such-cgroup policy restricted
	assert_status 1
	assert_output "Error: cannot open cgroup /sys/fs/cgroup/no-such-cgroup: No such file or directory."
}

@test "container delete wants a numeric id" {
	run "$LOCKCCTL" container delete id 12x
	assert_status 1
	assert_output "Error: '12x' is not a cgroup id."
}

@test "the shipped policies parse; the error is the missing map" {
	run "$LOCKCCTL" --pin-dir /nonexistent policy apply "$POLICY_DEFAULTS"/*.policy
	assert_status 1
	assert_output "Error: cannot open lockc's map /nonexistent/maps/policies (No such file or directory); load lockc with lockc-load first."
}

@test "policy check parses the shipped policies without a map and counts their rules" {
	run "$LOCKCCTL" --pin-dir /nonexistent policy check "$POLICY_DEFAULTS"/baseline.policy "$POLICY_DEFAULTS"/privileged.policy
	assert_status 0
	assert_output "$POLICY_DEFAULTS/baseline.policy: policy baseline, 87 rules
$POLICY_DEFAULTS/privileged.policy: policy privileged, 6 rules"
	run "$LOCKCCTL" --json policy check "$POLICY_DEFAULTS"/privileged.policy
	assert_output "[{\"file\":\"$POLICY_DEFAULTS/privileged.policy\",\"policy\":\"privileged\",\"rules\":6}]"
}

@test "policy check prints only the first error when one file of several is broken" {
	printf 'deny syslog\nallow fiel /usr\n' >"$POLICIES/bad.policy"
	run "$LOCKCCTL" policy check "$POLICY_DEFAULTS"/baseline.policy "$POLICIES/bad.policy"
	assert_status 1
	assert_output_contains "Error: $POLICIES/bad.policy:2: unknown rule class 'fiel'; known: file, "
	[ "${#lines[@]}" -eq 1 ]
	run "$LOCKCCTL" policy check
	assert_status 1
	assert_output "Error: 'policy check' needs at least one policy file."
}

@test "offline is restricted with IP clients and servers denied, and nothing else changed" {
	run diff <(grep -v '^#' "$POLICY_DEFAULTS/restricted.policy") <(grep -v '^#' "$POLICY_DEFAULTS/offline.policy")
	assert_status 1
	assert_output "28,29c28,29
< allow net-client
< allow net-server
---
> deny net-client
> deny net-server"
}

@test "a policy file must be named NAME.policy" {
	printf 'deny syslog\n' >"$POLICIES/web.txt"
	run "$LOCKCCTL" policy apply "$POLICIES/web.txt"
	assert_status 1
	assert_output "Error: $POLICIES/web.txt: a policy file's name must be NAME.policy."
}

@test "a policy name must be a safe word" {
	printf 'deny syslog\n' >"$POLICIES/we b.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/we b.policy"
	assert_status 1
	assert_output "Error: $POLICIES/we b.policy: the policy name 'we b' must be 1-63 letters, digits or ._:- characters."
}

@test "policy errors name file:line and what is wrong" {
	printf '# a comment\n\nallow syslog\npermit syslog\n' >"$POLICIES/a.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/a.policy"
	assert_status 1
	assert_output "Error: $POLICIES/a.policy:4: a rule starts with 'allow' or 'deny', not 'permit'."

	printf 'deny\n' >"$POLICIES/b.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/b.policy"
	assert_output "Error: $POLICIES/b.policy:1: 'deny' needs what it applies to, such as 'file /usr' or 'syslog'."

	printf 'deny syslogs\n' >"$POLICIES/c.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/c.policy"
	assert_output "Error: $POLICIES/c.policy:1: unknown rule class 'syslogs'; known: file, bind-mount, volume, volume-readonly, exec, write, device, ipc, capability, socket, netlink, syslog, mount, chroot, host-sockets, host-ipc, bpf, perf-events, keyring, set-time, kernel-load, user-namespaces, kernel-tunables, signal-outside, ptrace-outside, run-as-root, become-root, raw-sockets, net-client, net-server, exec-memfd, exec-anonymous, own-mounts."

	printf 'deny syslog now # really\n' >"$POLICIES/d.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/d.policy"
	assert_output "Error: $POLICIES/d.policy:1: unexpected 'now' after 'deny syslog'."

	printf 'deny syslog\n  allow syslog  \n' >"$POLICIES/e.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/e.policy"
	assert_output "Error: $POLICIES/e.policy:2: a second 'syslog' rule (the first is on line 1); a policy states it once."
}

# policy_error LINE: the error lockcctl gives for a policy of that one line.
policy_error() {
	printf '%s\n' "$1" >"$POLICIES/p.policy"
	"$LOCKCCTL" --pin-dir /nonexistent policy apply "$POLICIES/p.policy" 2>&1
}

@test "ipc rules name policies, each once; the names parse before any map is opened" {
	run policy_error 'allow ipc'
	assert_status 1
	assert_output "Error: $POLICIES/p.policy:1: 'allow ipc' needs the names of policies, such as 'allow ipc web'."
	run policy_error 'allow ipc db we/b'
	assert_output "Error: $POLICIES/p.policy:1: 'we/b' is not a policy name: 1-63 letters, digits or ._:- characters."
	printf 'allow ipc web db\nallow ipc web\n' >"$POLICIES/p.policy"
	run "$LOCKCCTL" --pin-dir /nonexistent policy apply "$POLICIES/p.policy"
	assert_output "Error: $POLICIES/p.policy:2: the same ipc rule as line 1; a policy states each policy once."
	run policy_error 'allow ipc web db'
	assert_output "Error: cannot open lockc's map /nonexistent/maps/policies (No such file or directory); load lockc with lockc-load first."
}

@test "path rules must name canonical absolute paths" {
	run policy_error 'allow file usr'
	assert_status 1
	assert_output "Error: $POLICIES/p.policy:1: usr: a path starts with '/'."
	run policy_error 'allow file /usr/'
	assert_output "Error: $POLICIES/p.policy:1: /usr/: a path has no empty components ('//') and no trailing '/'."
	run policy_error 'allow file /usr//bin'
	assert_output "Error: $POLICIES/p.policy:1: /usr//bin: a path has no empty components ('//') and no trailing '/'."
	run policy_error 'deny file /usr/../etc'
	assert_output "Error: $POLICIES/p.policy:1: /usr/../etc: a path has no '.' or '..' components."
	run policy_error 'deny file /./etc'
	assert_output "Error: $POLICIES/p.policy:1: /./etc: a path has no '.' or '..' components."
	run policy_error 'allow file pipe:'
	assert_output "Error: $POLICIES/p.policy:1: pipe:: a path starts with '/'."
	run policy_error 'allow file'
	assert_output "Error: $POLICIES/p.policy:1: 'allow file' needs a path, such as 'allow file /usr'."
	run policy_error 'allow bind-mount /home please'
	assert_output "Error: $POLICIES/p.policy:1: unexpected 'please' after 'allow bind-mount /home'; only 'exact' may follow the path."
}

@test "a path rule fits the trie's key: 247 bytes, 246 when exact" {
	local longest
	longest=/$(printf 'a%.0s' {1..246})
	run policy_error "allow file $longest"
	assert_output "Error: cannot open lockc's map /nonexistent/maps/policies (No such file or directory); load lockc with lockc-load first."
	run policy_error "allow file ${longest}a"
	assert_output "Error: $POLICIES/p.policy:1: ${longest}a: the path is too long for a rule."
	run policy_error "allow file $longest exact"
	assert_output "Error: $POLICIES/p.policy:1: $longest: the path is too long for a rule."
}

@test "a path stated twice in one class is an error, in two classes it is not" {
	printf 'allow file /usr\nallow bind-mount /usr\n# x\ndeny file /usr\n' >"$POLICIES/p.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/p.policy"
	assert_status 1
	assert_output "Error: $POLICIES/p.policy:4: the same file rule as line 1; a policy states each path once."
	printf 'allow file /usr\nallow file /usr exact\n' >"$POLICIES/p.policy"
	run "$LOCKCCTL" --pin-dir /nonexistent policy apply "$POLICIES/p.policy"
	assert_output_contains "load lockc with lockc-load first."
}

@test "set classes: names from the kernel's tables, 'all', each name once" {
	printf 'deny capability all\nallow capability CAP_CHOWN sys_chroot\nallow socket unix inet6\nallow netlink route\n' >"$POLICIES/ok.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/ok.policy"
	assert_output_contains "load lockc with lockc-load first."

	printf 'allow capability\n' >"$POLICIES/a.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/a.policy"
	assert_status 1
	assert_output "Error: $POLICIES/a.policy:1: 'allow capability' needs at least one capability name, or 'all'."

	printf 'allow capability chown sys_frob\n' >"$POLICIES/b.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/b.policy"
	assert_output "Error: $POLICIES/b.policy:1: unknown capability 'sys_frob'; 'lockcctl policy names capability' lists them."

	printf 'allow socket inet\ndeny socket unix INET\n' >"$POLICIES/c.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/c.policy"
	assert_output "Error: $POLICIES/c.policy:2: address family 'inet' is already named on line 1; a policy states each once."

	printf 'allow socket netlink\n' >"$POLICIES/d.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/d.policy"
	assert_output "Error: $POLICIES/d.policy:1: unknown address family 'netlink'; 'lockcctl policy names socket' lists them."

	printf 'deny netlink all\nallow netlink all\n' >"$POLICIES/e.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/e.policy"
	assert_output "Error: $POLICIES/e.policy:2: a second 'netlink all' rule (the first is on line 1); a policy states it once."
}

@test "device rules: named classes, char|block MAJOR:MINOR, MAJOR:* or *" {
	printf 'allow device null pts\nallow device char 10:200\nallow device block 8:*\ndeny device char *\n' >"$POLICIES/ok.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/ok.policy"
	assert_output_contains "load lockc with lockc-load first."

	printf 'allow device sda\n' >"$POLICIES/a.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/a.policy"
	assert_status 1
	assert_output "Error: $POLICIES/a.policy:1: unknown device 'sda'; name one of 'lockcctl policy names device', or write 'char MAJOR:MINOR'."

	printf 'allow device char 10\n' >"$POLICIES/b.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/b.policy"
	assert_output "Error: $POLICIES/b.policy:1: 'allow device char' needs one MAJOR:MINOR, MAJOR:* or *, such as 10:200."

	printf 'allow device block 4096:1\n' >"$POLICIES/c.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/c.policy"
	assert_output "Error: $POLICIES/c.policy:1: '4096' is not a device major number (0-4095)."

	printf 'allow device null\ndeny device char 1:3\n' >"$POLICIES/d.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/d.policy"
	assert_output "Error: $POLICIES/d.policy:2: the same device rule as line 1; a policy states each device once."
}

@test "policy names lists what a set or device class accepts" {
	run "$LOCKCCTL" policy names capability
	assert_status 0
	assert_output_contains "sys_admin            21"
	run "$LOCKCCTL" policy names device
	assert_output_contains "pts        char 136-143:*"
	run "$LOCKCCTL" --json policy names netlink
	assert_output_contains '[{"name":"route","number":0},{"name":"usersock","number":2},'
	run "$LOCKCCTL" policy names exec
	assert_status 1
	assert_output "Error: unknown class 'exec'; names exist for capability, socket, netlink and device."
}

@test "one broken file among several fails before any map is touched" {
	printf 'allow syslog\n' >"$POLICIES/good.policy"
	printf 'allow sysl0g\n' >"$POLICIES/bad.policy"
	run "$LOCKCCTL" --pin-dir /nonexistent policy apply "$POLICIES/good.policy" "$POLICIES/bad.policy"
	assert_status 1
	assert_output "Error: $POLICIES/bad.policy:1: unknown rule class 'sysl0g'; known: file, bind-mount, volume, volume-readonly, exec, write, device, ipc, capability, socket, netlink, syslog, mount, chroot, host-sockets, host-ipc, bpf, perf-events, keyring, set-time, kernel-load, user-namespaces, kernel-tunables, signal-outside, ptrace-outside, run-as-root, become-root, raw-sockets, net-client, net-server, exec-memfd, exec-anonymous, own-mounts."
}

@test "two files defining the same policy are refused" {
	mkdir "$POLICIES/other"
	printf 'allow syslog\n' >"$POLICIES/web.policy"
	printf 'deny syslog\n' >"$POLICIES/other/web.policy"
	run "$LOCKCCTL" policy apply "$POLICIES/web.policy" "$POLICIES/other/web.policy"
	assert_status 1
	assert_output "Error: $POLICIES/web.policy and $POLICIES/other/web.policy both define policy 'web'."
}

@test "lockc.conf: the built-in settings are the shipped policy-defaults/lockc.conf" {
	[ ! -e /etc/lockc/lockc.conf ] || skip "this machine has its own /etc/lockc/lockc.conf"
	run "$LOCKCCTL" config show
	assert_status 0
	[ "${lines[0]}" = "# from (built-in lockc.conf)" ]
	builtin=$(tail -n +2 <<<"$output")
	run env LOCKC_CONFIG="$POLICY_DEFAULTS/lockc.conf" "$LOCKCCTL" config show
	assert_output "# from $POLICY_DEFAULTS/lockc.conf
$builtin"
	assert_output_contains "default-policy baseline"
	assert_output_contains "namespace kube-system privileged"
	assert_output_contains "on-error refuse"
	assert_output_contains "annotation-forbidden-modes audit learn"
	run "$LOCKCCTL" config get runtime
	assert_output "runc"
	run "$LOCKCCTL" config get nothing
	assert_status 1
	assert_output "Error: 'config get' knows default-policy, default-mode, on-error and runtime, not 'nothing'."
}

@test "lockc.conf: every setting, and as JSON" {
	printf '# a node\ndefault-policy restricted  # strict\ndefault-mode audit\nnamespace a baseline\nnamespace b privileged\nannotation-forbidden-policies privileged baseline\nannotation-forbidden-modes\non-error start-unconfined\nruntime /usr/bin/crun\nguard /docker/\nguard /kubepods.slice/\nguard-exempt conmon-\nguard-policy privileged\n' >"$BATS_TEST_TMPDIR/lockc.conf"
	LOCKC_CONFIG=$BATS_TEST_TMPDIR/lockc.conf run "$LOCKCCTL" --json config show
	assert_status 0
	assert_output "{\"file\":\"$BATS_TEST_TMPDIR/lockc.conf\",\"default-policy\":\"restricted\",\"default-mode\":\"audit\",\"namespaces\":{\"a\":\"baseline\",\"b\":\"privileged\"},\"annotation-forbidden-policies\":[\"privileged\",\"baseline\"],\"annotation-forbidden-modes\":[],\"on-error\":\"start-unconfined\",\"runtime\":\"/usr/bin/crun\",\"guard\":[\"/docker/\",\"/kubepods.slice/\"],\"guard-exempt\":[\"conmon-\"],\"guard-policy\":\"privileged\"}"
	# Without guard-policy, guards take default-policy.
	printf 'default-policy restricted\n' >"$BATS_TEST_TMPDIR/lockc.conf"
	LOCKC_CONFIG=$BATS_TEST_TMPDIR/lockc.conf run "$LOCKCCTL" config show
	assert_output_contains "guard-policy restricted"
}

@test "lockc.conf: 'config get runtime' reads its line even when the rest of the file is broken" {
	printf 'default-policy\nfrobnicate yes\nruntime /usr/bin/crun\n' >"$BATS_TEST_TMPDIR/lockc.conf"
	LOCKC_CONFIG=$BATS_TEST_TMPDIR/lockc.conf run "$LOCKCCTL" config get runtime
	assert_status 0
	assert_output "/usr/bin/crun"
	LOCKC_CONFIG=$BATS_TEST_TMPDIR/lockc.conf run "$LOCKCCTL" config get on-error
	assert_status 1
	assert_output "Error: $BATS_TEST_TMPDIR/lockc.conf:1: 'default-policy' takes 1 value."
	printf 'frobnicate yes\nruntime /a /b\n' >"$BATS_TEST_TMPDIR/lockc.conf"
	LOCKC_CONFIG=$BATS_TEST_TMPDIR/lockc.conf run "$LOCKCCTL" config get runtime
	assert_status 1
	assert_output "Error: $BATS_TEST_TMPDIR/lockc.conf:2: 'runtime' takes 1 value."
}

@test "lockc.conf: each mistake is named with file and line" {
	local conf=$BATS_TEST_TMPDIR/lockc.conf
	# $1 is the file's text with \n escapes, $2 what follows the file name in the error.
	check() {
		printf '%b' "$1" >"$conf"
		LOCKC_CONFIG=$conf run "$LOCKCCTL" config show
		assert_status 1
		assert_output "Error: $conf$2"
	}
	check 'default-policy a\nfrobnicate yes\n' ":2: unknown setting 'frobnicate'; known: default-policy, default-mode, namespace, annotation-forbidden-policies, annotation-forbidden-modes, on-error, runtime, guard, guard-exempt, guard-policy."
	check 'default-policy a\ndefault-policy b\n' ":2: 'default-policy' is set twice."
	check 'default-policy a b\n' ":1: 'default-policy' takes 1 value."
	check 'default-policy a\ndefault-mode loose\n' ":2: unknown mode 'loose'; expected enforce, audit or learn."
	check 'default-policy a\nnamespace x\n' ":2: 'namespace' takes 2 values."
	check 'default-policy a\nnamespace x b\nnamespace x c\n' ":3: namespace x is mapped twice."
	check 'default-policy a\non-error ignore\n' ":2: on-error is refuse or start-unconfined, not 'ignore'."
	check 'default-policy a/b\n' ":1: 'a/b' is not a name (1-63 letters, digits or ._:- characters)."
	check 'default-mode audit\n' ": no default-policy; every node needs one."
	check 'default-policy a\nguard /\n' ":2: '/' is not a cgroup path prefix: it must start with / below the root, like /system.slice/docker- (guarding / would confine the whole host)."
	check 'default-policy a\nguard docker/\n' ":2: 'docker/' is not a cgroup path prefix: it must start with / below the root, like /system.slice/docker- (guarding / would confine the whole host)."
	check 'default-policy a\nguard /a//b\n' ":2: '/a//b' is not a cgroup path prefix: it must start with / below the root, like /system.slice/docker- (guarding / would confine the whole host)."
	check 'default-policy a\nguard /docker/\nguard /docker/\n' ":3: '/docker/' is listed twice."
	check 'default-policy a\nguard-exempt a/b\n' ":2: 'a/b' is not a cgroup name prefix: it may not contain /."
	check "default-policy a\nguard /$(printf 'x%.0s' {1..247})\n" ":2: '/$(printf 'x%.0s' {1..247})' is longer than 247 bytes."
	LOCKC_CONFIG=$BATS_TEST_TMPDIR/missing run "$LOCKCCTL" config show
	assert_output "Error: cannot read $BATS_TEST_TMPDIR/missing: No such file or directory."
}

@test "oci-hook refuses the container when its state is unreadable or lockc is not loaded" {
	run "$LOCKCCTL" oci-hook <<<"not json"
	assert_status 1
	assert_output "Error: lockc refuses container (unknown): cannot read the OCI state on stdin: '[' or '{' expected near 'not' (line 1)."
	run "$LOCKCCTL" oci-hook <<<'{"ociVersion": "1.0.2", "id": "web"}'
	assert_status 1
	assert_output "Error: lockc refuses container (unknown): the OCI state on stdin lacks what lockc needs (id, pid, bundle): Object item not found: pid."
	mkdir "$BATS_TEST_TMPDIR/bundle"
	echo '{"ociVersion": "1.0.2", "mounts": []}' >"$BATS_TEST_TMPDIR/bundle/config.json"
	run "$LOCKCCTL" -d "$LOCKC_PIN_DIR" oci-hook <<<"{\"id\": \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\", \"pid\": $$, \"bundle\": \"$BATS_TEST_TMPDIR/bundle\"}"
	assert_status 1
	assert_output "Error: lockc refuses container 0123456789ab: cannot open lockc's map $LOCKC_PIN_DIR/maps/policies (No such file or directory); load lockc with lockc-load first."
	run "$LOCKCCTL" oci-hook extra
	assert_status 1
}

@test "oci-hook reads a Docker container's labels only from Docker's own config.v2.json" {
	local id=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
	local docker=$BATS_TEST_TMPDIR/docker/containers/$id state
	mkdir -p "$docker" "$BATS_TEST_TMPDIR/bundle"
	chmod 755 "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/docker" "$BATS_TEST_TMPDIR/docker/containers" "$docker"
	touch "$docker/hostname"
	jq -n --arg hostname "$docker/hostname" \
		'{ociVersion: "1.0.2", mounts: [{destination: "/etc/hostname", type: "bind", source: $hostname, options: ["rbind", "rprivate"]}]}' \
		>"$BATS_TEST_TMPDIR/bundle/config.json"
	state="{\"id\": \"$id\", \"pid\": $$, \"bundle\": \"$BATS_TEST_TMPDIR/bundle\"}"
	# A forbidden policy in the label is refused before any map is needed.
	jq -n --arg id "$id" '{ID: $id, Config: {Labels: {"org.lockc.policy": "privileged"}}}' >"$docker/config.v2.json"
	chmod 644 "$docker/config.v2.json"
	run "$LOCKCCTL" -d "$LOCKC_PIN_DIR" oci-hook <<<"$state"
	assert_status 1
	assert_output "Error: lockc refuses container 0123456789ab: its Docker label org.lockc.policy asks for policy 'privileged', which (built-in lockc.conf) forbids annotations to choose (annotation-forbidden-policies)."
	# An annotation comes first.
	jq '.annotations = {"org.lockc.policy": "restricted"}' "$BATS_TEST_TMPDIR/bundle/config.json" >"$BATS_TEST_TMPDIR/annotated.json"
	cp "$BATS_TEST_TMPDIR/bundle/config.json" "$BATS_TEST_TMPDIR/plain.json"
	cp "$BATS_TEST_TMPDIR/annotated.json" "$BATS_TEST_TMPDIR/bundle/config.json"
	run "$LOCKCCTL" -d "$LOCKC_PIN_DIR" oci-hook <<<"$state"
	assert_output_contains "cannot open lockc's map"
	cp "$BATS_TEST_TMPDIR/plain.json" "$BATS_TEST_TMPDIR/bundle/config.json"
	# Not Docker's: a file others may write, or another container's.
	chmod 664 "$docker/config.v2.json"
	run "$LOCKCCTL" -d "$LOCKC_PIN_DIR" oci-hook <<<"$state"
	assert_output_contains "cannot open lockc's map"
	chmod 644 "$docker/config.v2.json"
	jq -n '{ID: "other", Config: {Labels: {"org.lockc.policy": "privileged"}}}' >"$docker/config.v2.json"
	run "$LOCKCCTL" -d "$LOCKC_PIN_DIR" oci-hook <<<"$state"
	assert_output_contains "cannot open lockc's map"
}

@test "the output options and the pin directory are accepted after the command too" {
	run "$LOCKCCTL" events --json -d "$BATS_TEST_TMPDIR/none"
	assert_status 1
	assert_output "{\"error\":\"cannot open lockc's map $BATS_TEST_TMPDIR/none/maps/events (No such file or directory); load lockc with lockc-load first.\"}"
	run "$LOCKCCTL" config show --pretty
	assert_status 0
	[ "$(jq -r '."default-policy"' <<<"$output")" = baseline ]
	[ "${lines[0]}" = "{" ]
	run "$LOCKCCTL" guard list --pin-dir="$BATS_TEST_TMPDIR/none"
	assert_output "Error: cannot open lockc's map $BATS_TEST_TMPDIR/none/maps/guards (No such file or directory); load lockc with lockc-load first."
	# What is not an option stays the command's.
	run "$LOCKCCTL" events --frobnicate
	assert_output "Error: unknown argument '--frobnicate'; 'events' takes --follow and --explain."
}

@test "volume rules take '*' and the container's own ids as whole components; other rules take plain paths" {
	printf '%s\n' 'allow volume /var/lib/docker/volumes/*/_data' 'allow volume /var/lib/docker/containers/{container}' \
		'allow volume /a/{sandbox}/b/*' 'allow volume-readonly /x/*' >"$POLICIES/patterns.policy"
	run "$LOCKCCTL" policy check "$POLICIES/patterns.policy"
	assert_status 0
	assert_output "$POLICIES/patterns.policy: policy patterns, 4 rules"
	run policy_error 'allow file /srv/*'
	assert_output "Error: $POLICIES/p.policy:1: /srv/*: '*' and '{...}' are patterns of volume rules; other rules take plain paths."
	run policy_error 'allow volume /srv/data*'
	assert_output "Error: $POLICIES/p.policy:1: /srv/data*: a pattern is a whole component: '*', '{container}', '{sandbox}' or '{pod}'."
	run policy_error 'allow volume /srv/{id}'
	assert_output "Error: $POLICIES/p.policy:1: /srv/{id}: a pattern is a whole component: '*', '{container}', '{sandbox}' or '{pod}'."
	run policy_error 'allow volume /srv/{pod}/{container}'
	assert_output "Error: $POLICIES/p.policy:1: /srv/{pod}/{container}: a volume rule has at most one '*' and one of '{container}', '{sandbox}', '{pod}'."
}
