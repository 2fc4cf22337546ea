#!/usr/bin/env bats
# The DaemonSet's init step on a node: podman runs kubernetes/lockc.yaml's
# init container with the image `make image` built, exactly as the manifest
# describes it (tests/kubernetes/podman-args.mjs), against the guest as the
# node. It must leave lockc loaded and the OCI hook installed, with nothing
# running, and a container podman starts afterwards is confined through
# that hook. A node where lockc cannot load gets no hook.

load ../vm

PODMAN=(podman --cgroup-manager cgroupfs --events-backend file)

setup_file() {
	require_vm
	export VERSION
	VERSION=$(cat "$PROJECT/build/lockc.version")
	mkdir -p /var/lib/containers /run/containers
	mount -t tmpfs tmpfs /var/lib/containers
	mount -t tmpfs tmpfs /run/containers
	"${PODMAN[@]}" load -q -i "$PROJECT/build/image/lockc-$VERSION.oci.tar" >/dev/null
	make_rootfs "$BATS_FILE_TMPDIR/rootfs"
	tar -C "$BATS_FILE_TMPDIR/rootfs" -c . | "${PODMAN[@]}" import - lockc-test >/dev/null
}

teardown_file() {
	"${PODMAN[@]}" rm --all --force >/dev/null 2>&1
	umount /var/lib/containers /run/containers
}

setup() {
	# The node's bpffs, which systemd mounts at boot, and the hostPath
	# volumes, which the kubelet would create (DirectoryOrCreate).
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	mkdir -p /var/lib/lockc /usr/share/containers/oci/hooks.d /etc/lockc/policies
	mapfile -t init_args < <(node "$PROJECT/tests/kubernetes/podman-args.mjs" "$PROJECT/kubernetes/lockc.yaml")
}

teardown() {
	rm -rf /var/lib/lockc /usr/share/containers/oci/hooks.d/lockc.json /etc/lockc/policies
	"$SCRIPTS/lockc-unload" >/dev/null
}

@test "the init container loads lockc on the node and installs the OCI hook; a container started after it is confined" {
	run "${PODMAN[@]}" run "${init_args[@]}"
	assert_status 0
	[ "${lines[-1]}" = "node-install: lockc $VERSION is loaded on this node, its bundle is at /var/lib/lockc/current and the OCI hook at /usr/share/containers/oci/hooks.d/lockc.json." ]
	# Nothing of the pod runs, and lockc enforces.
	[ -z "$("${PODMAN[@]}" ps -q)" ]
	run "$SCRIPTS/lockc-status"
	assert_status 0
	[ "$(jq -r .hook.path /usr/share/containers/oci/hooks.d/lockc.json)" = /var/lib/lockc/current/sbin/lockcctl ]
	[ "$(readlink /var/lib/lockc/current)" = "$VERSION" ]

	run "${PODMAN[@]}" run --rm --network none --annotation org.lockc.policy=restricted --user 1000 lockc-test \
		sh -c 'cat /run/secrets/kubernetes.io/serviceaccount/token; cat /run/other/token'
	assert_output "cat: can't open '/run/secrets/kubernetes.io/serviceaccount/token': Operation not permitted
not a secret"
	# The node's own copy of the tools works without the image.
	run /var/lib/lockc/current/sbin/lockc-status
	assert_status 0

	# A restarted pod finds lockc loaded and changes nothing.
	run "${PODMAN[@]}" run "${init_args[@]}"
	assert_status 0
	assert_output_contains "lockc is already loaded at /sys/fs/bpf/lockc."
}

@test "a node where lockc cannot load gets no hook, so its containers start as before" {
	printf 'allow everything\n' >/etc/lockc/policies/broken.policy
	run "${PODMAN[@]}" run "${init_args[@]}"
	assert_status 1
	[ "${lines[-1]}" = "node-install: lockc was not loaded on this node (see above); no OCI hook was installed, so its containers start as they did." ]
	[ ! -e /usr/share/containers/oci/hooks.d/lockc.json ]
	[ ! -e /sys/fs/bpf/lockc ]
	run "${PODMAN[@]}" run --rm --network none lockc-test cat /run/other/token
	assert_output "not a secret"
}
