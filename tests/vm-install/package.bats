#!/usr/bin/env bats
# The Debian package as a node gets it (make deb): dpkg -i loads lockc from
# postinst, its hooks.d file confines podman containers, an upgrade to the
# next version replaces the loaded build while a container loops over a
# denied open, and removal unloads it. The guest's root is a tmpfs overlay,
# so nothing here touches the host's dpkg database. The tests build on each
# other, in order.

load ../vm

PODMAN=(podman --cgroup-manager cgroupfs --events-backend file)

setup_file() {
	require_vm
	export VERSION DEB DEB_NEXT
	VERSION=$(cat "$PROJECT/build/lockc.version")
	DEB=$PROJECT/build/deb/lockc_${VERSION}_amd64.deb
	DEB_NEXT=$PROJECT/build/deb/next/lockc_${VERSION}+next_amd64.deb
	if [ ! -r "$DEB" ] || [ ! -r "$DEB_NEXT" ]; then
		echo "the packages are not built; run make deb $DEB_NEXT" >&2
		return 1
	fi
	# As in podman.bats: container storage on tmpfs.
	mkdir -p /var/lib/containers /run/containers
	mount -t tmpfs tmpfs /var/lib/containers
	mount -t tmpfs tmpfs /run/containers
	make_rootfs "$BATS_FILE_TMPDIR/rootfs"
	tar -C "$BATS_FILE_TMPDIR/rootfs" -c . | "${PODMAN[@]}" import - lockc-test >/dev/null
}

teardown_file() {
	"${PODMAN[@]}" rm --all --force >/dev/null 2>&1
	umount /var/lib/containers /run/containers
	dpkg --purge lockc >/dev/null 2>&1 || true
	"$SCRIPTS/lockc-unload" >/dev/null
}

programs() { grep -c '^program' "$PROJECT/build/lockc.manifest"; }
maps() { grep -c '^map' "$PROJECT/build/lockc.manifest"; }

@test "dpkg -i installs lockc and its postinst loads it" {
	run dpkg -i "$DEB"
	assert_status 0
	assert_output_contains "lockc loaded: $(programs) programs attached, $(maps) maps pinned at /sys/fs/bpf/lockc."
	run /usr/sbin/lockc-status
	assert_status 0
	assert_output_contains "build: $VERSION, object $(sha256sum /usr/lib/lockc/lockc.bpf.o | cut -c1-12)"
	# The unit files parse and name programs that exist.
	run systemd-analyze verify /lib/systemd/system/lockc.service /lib/systemd/system/lockc-events.service
	assert_status 0
}

@test "the installed hooks.d file confines a podman container: the token is refused, the file beside it opens" {
	run "${PODMAN[@]}" run --rm --network none --annotation org.lockc.policy=restricted --user 1000 lockc-test \
		sh -c 'cat /run/secrets/kubernetes.io/serviceaccount/token; cat /run/other/token'
	assert_output "cat: can't open '/run/secrets/kubernetes.io/serviceaccount/token': Operation not permitted
not a secret"
}

@test "dpkg -i of the next version upgrades the loaded lockc in place while a container loops over a denied open" {
	local before root name=deny-loop
	"${PODMAN[@]}" run -d --name "$name" --network none --annotation org.lockc.policy=restricted --user 1000 \
		lockc-test probe deny-loop /run/secrets/kubernetes.io/serviceaccount/token /run/other/token /tmp/stop >/dev/null
	for _ in $(seq 100); do
		[ "$("${PODMAN[@]}" logs "$name" 2>&1)" = running ] && break
		sleep 0.1
	done
	[ "$("${PODMAN[@]}" logs "$name" 2>&1)" = running ]
	before=$(bpftool link list -j | jq -r '.[].id' | sort)

	run dpkg -i "$DEB_NEXT"
	assert_status 0
	assert_output_contains "lockc upgraded from $VERSION to $VERSION+next: $(programs) programs attached, $(maps) maps pinned at /sys/fs/bpf/lockc ("
	# The container's registration came through, and no old link is left.
	[ "$(/usr/sbin/lockcctl --json container list | jq -r '.[].policy')" = restricted ]
	[ -z "$(comm -12 <(echo "$before") <(bpftool link list -j | jq -r '.[].id' | sort))" ]

	# The stop file is made from outside: a `podman exec touch` is in the
	# container's PID namespace, which the kernel SIGKILLs when the loop,
	# its init, sees the file and exits, so touch could end with 137.
	root=$("${PODMAN[@]}" mount "$name")
	[ -d "$root/tmp" ]
	touch "$root/tmp/stop"
	run "${PODMAN[@]}" wait "$name"
	assert_output 0
	run "${PODMAN[@]}" logs "$name"
	[[ ${lines[-1]} =~ ^[0-9]+\ rounds:\ 0\ denied\ opens\ succeeded,\ 0\ allowed\ opens\ failed$ ]]
	run /usr/sbin/lockc-status
	assert_status 0
	assert_output_contains "build: $VERSION+next, object"
}

@test "dpkg -r unloads lockc and removes its programs; the admin's files stay until purge" {
	run dpkg -r lockc
	assert_status 0
	assert_output_contains "lockc unloaded: $(programs) links detached, $(maps) maps unpinned."
	[ ! -e /sys/fs/bpf/lockc ]
	[ -z "$(lockc_link_ids)" ]
	[ ! -e /usr/sbin/lockcctl ] && [ ! -e /usr/lib/lockc ]
	[ -e /etc/lockc/lockc.conf ] && [ -e /etc/default/lockc ]
	run dpkg --purge lockc
	assert_status 0
	[ ! -e /etc/lockc ] && [ ! -e /etc/default/lockc ]
}
