#!/usr/bin/env bats
# Real containerd (Debian's, with its runc shim) configured as
# docs/runtimes.md says: Debian's /etc/containerd/config.toml with lockc's
# example appended. Pods and containers come through the CRI, as the
# kubelet makes them (tests/engines/cri-client); containers of `ctr run`,
# which reads none of the CRI plugin's settings, are confined by the guard
# of containerd's namespace cgroups. Each refusal has a twin that starts.

load ../vm

IMAGE=docker.io/library/lockc-test:latest

setup_file() {
	load_lockc
	start_containerd
	make_rootfs "$BATS_FILE_TMPDIR/rootfs"
	make_oci_archive "$BATS_FILE_TMPDIR/rootfs" lockc-test "$BATS_FILE_TMPDIR/image.tar"
	ctr --namespace k8s.io images import "$BATS_FILE_TMPDIR/image.tar" >/dev/null
	ctr images import "$BATS_FILE_TMPDIR/image.tar" >/dev/null
}

teardown_file() {
	stop_containerd
	rm -f /etc/lockc/lockc.conf
	leave_lockc_loaded
}

teardown() {
	rm -f /etc/lockc/lockc.conf
	remove_pods
	ctr tasks kill --signal SIGKILL lockc-ctr >/dev/null 2>&1 || true
	ctr containers delete lockc-ctr >/dev/null 2>&1 || true
}

@test "a pod's annotation org.lockc.policy reaches lockc through the CRI (pod_annotations)" {
	run_pod web default '{"org.lockc.policy": "restricted"}'
	create_container app 1000
	"$CRI" start "$CONTAINER"
	run registrations
	assert_output "${POD:0:12} restricted
${CONTAINER:0:12} restricted"
	run "$CRI" exec "$CONTAINER" sh -c 'id -u; cat /usr/file; cat /proc/kallsyms'
	assert_status 1
	assert_output "1000
in the image
cat: can't open '/proc/kallsyms': Operation not permitted"
}

@test "without an annotation the pod's namespace decides: kube-system is privileged, default gets baseline" {
	run_pod sys kube-system '{}'
	create_container tool 0
	"$CRI" start "$CONTAINER"
	run "$CRI" exec "$CONTAINER" sh -c 'chroot / true && echo chroot ok'
	assert_output "chroot ok"
	run_pod plain default '{}'
	create_container app 0
	"$CRI" start "$CONTAINER"
	run "$CRI" exec "$CONTAINER" chroot / true
	assert_output "chroot: can't change root directory to '/': Operation not permitted"
	[ "$(registrations | grep -c ' privileged$')" = 2 ]
	[ "$(registrations | grep -c ' baseline$')" = 2 ]
}

@test "a host path the policy does not allow, the kubelet's tree and another pod's refuse the start with lockc's reason; the pod's own volume starts" {
	run_pod mounts default '{}'
	create_container bad 0 '[{"container_path": "/rootfs", "host_path": "/"}]'
	run "$CRI" start "$CONTAINER"
	assert_status 1
	assert_output_contains "lockc-runtime: lockc refuses container ${CONTAINER:0:12}: policy 'baseline' (chosen by default-policy in (built-in lockc.conf)) does not allow the host path / mounted at /rootfs;"
	# The kubelet's tree of every pod, and another pod's directory with its token.
	mkdir -p /var/lib/kubelet/pods/mounts/volumes/data /var/lib/kubelet/pods/other/volumes
	for source in /var/lib/kubelet/pods /var/lib/kubelet/pods/other/volumes; do
		create_container "bad$RANDOM" 0 "[{\"container_path\": \"/pods\", \"host_path\": \"$source\"}]"
		run "$CRI" start "$CONTAINER"
		assert_status 1
		assert_output_contains "does not allow the host path $source mounted at /pods;"
	done
	# The pod's own volume (its uid is the pod's name here).
	create_container good 0 '[{"container_path": "/data", "host_path": "/var/lib/kubelet/pods/mounts/volumes/data"}]'
	"$CRI" start "$CONTAINER"
	run "$CRI" exec "$CONTAINER" sh -c 'echo kept >/data/f && cat /data/f'
	assert_output "kept"
	rm -rf /var/lib/kubelet/pods
}

@test "a broken lockc.conf refuses new containers and lets running ones stop" {
	run_pod broken default '{}'
	create_container app 0
	"$CRI" start "$CONTAINER"
	mkdir -p /etc/lockc
	printf 'default-policy\n' >/etc/lockc/lockc.conf
	"$CRI" stop "$CONTAINER"
	run "$CRI" status "$CONTAINER"
	assert_output "CONTAINER_EXITED"
	"$CRI" rm "$CONTAINER"
	create_container again 0
	run "$CRI" start "$CONTAINER"
	assert_status 1
	assert_output_contains ": /etc/lockc/lockc.conf:1: 'default-policy' takes 1 value."
}

@test "ctr run reads none of the CRI's settings and is confined by the guard of containerd's namespace" {
	# ctr copies a container's stdout and stderr apart, in no set order: the
	# messages go to stdout, in the order they were written.
	run ctr run --rm --mount type=bind,src=/,dst=/rootfs,options=rbind:ro "$IMAGE" lockc-ctr \
		sh -c 'cat /usr/file; head -c 4 /rootfs/etc/shadow 2>&1; cat /proc/self/cgroup'
	assert_output "in the image
head: /rootfs/etc/shadow: Operation not permitted
0::/default/lockc-ctr"
	run denials_of "guard:lockc-ctr"
	assert_output "denied open - /rootfs/etc/shadow"
	# With lockc's runtime wrapper, ctr's container is registered by name, and its spec checked.
	run ctr run --rm --runc-binary "$SCRIPTS/lockc-runtime" --mount type=bind,src=/,dst=/rootfs,options=rbind:ro \
		"$IMAGE" lockc-ctr true
	assert_status 1
	assert_output_contains "lockc refuses container lockc-ctr: policy 'baseline' (chosen by default-policy in (built-in lockc.conf)) does not allow the host path / mounted at /rootfs;"
	ctr containers delete lockc-ctr >/dev/null 2>&1 || true
	run ctr run --rm --runc-binary "$SCRIPTS/lockc-runtime" "$IMAGE" lockc-ctr sh -c 'cat /usr/file; chroot / true 2>&1'
	assert_output "in the image
chroot: can't change root directory to '/': Operation not permitted"
	run denials_of lockc-ctr
	assert_output "denied chroot - /"
}
