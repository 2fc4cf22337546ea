#!/usr/bin/env bats
# Guards (bpf/guards.h, maps/guards.md): a task that execs in its own mount
# namespace in a guarded cgroup with no registration is registered by the
# kernel under guard-policy, and so confined whoever started it. Each
# refusal has twins that run free: an unguarded cgroup, an exempt name, the
# runtime's own step in its parent's mount namespace.

load ../vm

ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

setup_file() {
	load_lockc
}

teardown_file() {
	leave_lockc_loaded
}

teardown() {
	local dir
	for dir in "docker/$ID" docker "lockc-unguarded/$ID" lockc-unguarded \
		"machine.slice/libpod-conmon-$ID" "machine.slice/libpod-$ID" machine.slice; do
		[ ! -d "/sys/fs/cgroup/$dir" ] || rmdir "/sys/fs/cgroup/$dir"
	done
	rm -f /etc/lockc/lockc.conf
	"$LOCKCCTL" guard apply >/dev/null
}

# chroot / run as a workload would: in a new mount namespace, in cgroup $1.
workload_chroot() {
	mkdir -p "/sys/fs/cgroup/$1"
	in_cgroup "$1" unshare --mount chroot / true
}

@test "a container that nobody registered is registered by its guard at its first exec and confined" {
	run workload_chroot "docker/$ID"
	assert_status 125
	assert_output "chroot: cannot change root directory to '/': Operation not permitted"
	run "$LOCKCCTL" --json container list
	[ "$(jq -r '.[] | "\(.name) \(.policy) \(.mode) \(.cgroup)"' <<<"$output")" = \
		"guard:${ID:0:57} baseline enforce /sys/fs/cgroup/docker/$ID" ]
	run denials_of "guard:${ID:0:57}"
	assert_output "denied chroot - /"
}

@test "unguarded cgroups, exempt names and the runtime's step in its parent's mount namespace run free" {
	run workload_chroot "lockc-unguarded/$ID"
	assert_status 0
	run workload_chroot "machine.slice/libpod-conmon-$ID"
	assert_status 0
	# runc init re-executing itself: the container's cgroup, its parent's mount namespace.
	mkdir -p "/sys/fs/cgroup/machine.slice/libpod-$ID"
	run in_cgroup "machine.slice/libpod-$ID" chroot / true
	assert_status 0
	run "$LOCKCCTL" --json container list
	assert_output "[]"
	# The workload's exec after it, in the cgroup it left unregistered: confined.
	run workload_chroot "machine.slice/libpod-$ID"
	assert_status 125
}

@test "a lockcctl registration replaces a guard's; the guard's policy follows guard-policy" {
	workload_chroot "docker/$ID" || true
	"$LOCKCCTL" container add path "docker/$ID" policy privileged
	run "$LOCKCCTL" --json container list
	[ "$(jq -r '.[] | "\(.name) \(.policy)"' <<<"$output")" = "${ID:0:12} privileged" ]
	run workload_chroot "docker/$ID"
	assert_status 0
	run "$LOCKCCTL" container add path "docker/$ID" policy baseline
	assert_status 1
	assert_output "Error: cgroup /sys/fs/cgroup/docker/$ID is already registered as '${ID:0:12}'; delete it first."
	run "$LOCKCCTL" container add path "docker/$ID" policy baseline name guard:mine
	assert_status 1
	assert_output "Error: the container name 'guard:mine' begins with 'guard:', which names the kernel's guard registrations; choose another with 'name NAME'."

	"$LOCKCCTL" container delete path "docker/$ID"
	rmdir "/sys/fs/cgroup/docker/$ID"
	mkdir -p /etc/lockc
	printf 'default-policy baseline\nguard /docker/\nguard-policy restricted\n' >/etc/lockc/lockc.conf
	"$LOCKCCTL" guard apply
	run "$LOCKCCTL" guard list
	assert_output "KIND     POLICY           MODE     PREFIX
guard    restricted       enforce  /docker/"
	# restricted refuses root itself: the exec fails.
	run workload_chroot "docker/$ID"
	assert_status 126
	assert_output "unshare: failed to execute chroot: Operation not permitted"
	run "$LOCKCCTL" --json container list
	[ "$(jq -r '.[] | .policy' <<<"$output")" = restricted ]
}

@test "guard apply with an unknown guard-policy changes nothing" {
	local before
	before=$("$LOCKCCTL" guard list)
	mkdir -p /etc/lockc
	printf 'default-policy baseline\nguard /elsewhere/\nguard-policy nosuch\n' >/etc/lockc/lockc.conf
	run "$LOCKCCTL" guard apply
	assert_status 1
	assert_output "Error: /etc/lockc/lockc.conf names guard-policy 'nosuch', which is not loaded; apply it first with 'lockcctl policy apply', or fix /etc/lockc/lockc.conf."
	run "$LOCKCCTL" guard list
	assert_output "$before"
}
