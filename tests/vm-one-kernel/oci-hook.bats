#!/usr/bin/env bats
# lockcctl oci-hook as the createRuntime hook of real runc and crun
# containers: the policy comes from the annotation, the Kubernetes namespace
# or the node default; the spec's mounts are checked; every error refuses
# the container unless lockc.conf says otherwise. Each refusal has a twin
# that starts.

# shellcheck disable=SC2016 # the workloads' scripts expand inside the containers

load ../vm

setup_file() {
	load_lockc_for_containers
	mkdir -p "$BATS_FILE_TMPDIR/host-sockets"
	# The hook logs every refusal to syslog: crun drops a hook's stderr.
	start_syslog
}

teardown_file() {
	stop_syslog
	leave_lockc_loaded
}

teardown() {
	remove_test_containers
	# The guest's root is a tmpfs overlay: this never reaches the host.
	rm -f /etc/lockc/lockc.conf
	[ -e "$PIN/maps/containers" ] || "$SCRIPTS/lockc-load" >/dev/null
}

PIN=/sys/fs/bpf/lockc

# hooked RUNTIME NAME [bundle options] -- ARGS: run ARGS in a container that
# the hook registers; print the workload's output, or the runtime's error.
hooked() {
	local runtime=$1 name=$2
	shift 2
	container_run "$runtime" "$name" hook --hook "$@"
}

# The registration of container NAME as "POLICY MODE".
registration() {
	"$LOCKCCTL" --json container list | jq -r --arg name "$1" '.[] | select(.name == $name) | "\(.policy) \(.mode)"'
}

@test "runc and crun: the annotated policy confines the workload from its first instruction" {
	local runtime name
	for runtime in runc crun; do
		name=c$RANDOM
		run hooked "$runtime" "$name" --annotation org.lockc.policy=restricted --user 1000 -- sh -c 'cat /usr/file; cat /proc/kallsyms'
		assert_output "in the image
cat: can't open '/proc/kallsyms': Operation not permitted"
		run registration "$name"
		assert_output "restricted enforce"
	done
}

@test "with no annotation the node default (baseline) applies; the kube-system namespace is privileged" {
	local name=c$RANDOM
	run hooked runc "$name" -- sh -c 'cat /proc/kallsyms; chroot / true && echo chroot ok'
	assert_output "cat: can't open '/proc/kallsyms': Operation not permitted
chroot: can't change root directory to '/': Operation not permitted"
	run registration "$name"
	assert_output "baseline enforce"
	name=c$RANDOM
	run hooked crun "$name" --annotation io.kubernetes.pod.namespace=kube-system -- \
		sh -c 'cat /proc/kallsyms >/dev/null && echo kallsyms read; chroot / true && echo chroot ok'
	assert_output "kallsyms read
chroot ok"
	run registration "$name"
	assert_output "privileged enforce"
}

@test "containerd's namespace annotation and lockc.conf's own namespaces and default are honoured" {
	local name=c$RANDOM
	mkdir -p /etc/lockc
	printf 'default-policy restricted\nnamespace team-a baseline\n' >/etc/lockc/lockc.conf
	run hooked runc "$name" --annotation io.kubernetes.cri.sandbox-namespace=team-a -- true
	run registration "$name"
	assert_output "baseline enforce"
	name=c$RANDOM
	run hooked runc "$name" --annotation io.kubernetes.cri.sandbox-namespace=kube-system --user 1000 -- true
	run registration "$name"
	assert_output "restricted enforce"
}

@test "-v /:/rootfs is refused at create with lockc's message; under the privileged namespace it starts" {
	local name=c$RANDOM
	run hooked runc "$name" --annotation org.lockc.policy=restricted --mount /:/rootfs -- true
	assert_output_contains "Error: lockc refuses container $name: policy 'restricted' (chosen by annotation org.lockc.policy) does not allow the host path / mounted at /rootfs; remove the mount, add 'allow volume /' to the policy, or choose another policy."
	[ -z "$(runc list -q)" ]
	[ -z "$(registration "$name")" ]
	run hooked runc "c$RANDOM" --annotation io.kubernetes.pod.namespace=kube-system --mount /:/rootfs -- \
		sh -c 'chroot /rootfs true && echo chroot ok'
	assert_output "chroot ok"
}

@test "a mounted runtime socket is refused, even through a symlink; an allowed volume starts (crun)" {
	local name=c$RANDOM
	ln -s "$BATS_FILE_TMPDIR/host-sockets" "$BATS_FILE_TMPDIR/innocent"
	run hooked crun "$name" --mount "$BATS_FILE_TMPDIR/innocent:/run/host" -- true
	assert_output_contains "error executing hook \`$LOCKCCTL\` (exit code: 1)"
	[ -z "$(crun list -q)" ]
	assert_logged "container $name refused: policy 'baseline' (chosen by default-policy in (built-in lockc.conf)) does not allow the host path $BATS_FILE_TMPDIR/host-sockets mounted at /run/host;"
	mkdir -p /var/lib/kubelet/pods/pod-1/volumes/data /var/lib/kubelet/pods/pod-2/volumes/data
	echo "volume data" >/var/lib/kubelet/pods/pod-1/volumes/data/file
	run hooked crun "c$RANDOM" --annotation io.kubernetes.pod.uid=pod-1 \
		--mount /var/lib/kubelet/pods/pod-1/volumes/data:/data -- cat /data/file
	assert_output "volume data"
}

@test "volume rules admit a container's own directories and one named volume, never the trees of every tenant" {
	local id=c$RANDOM other=c$RANDOM source
	mkdir -p "/var/lib/docker/containers/$id" "/var/lib/docker/containers/$other" \
		/var/lib/docker/volumes/data/_data /var/lib/kubelet/pods/pod-1/volumes /var/lib/kubelet/pods/pod-2/volumes
	echo own >"/var/lib/docker/containers/$id/hostname"
	echo volume >/var/lib/docker/volumes/data/_data/file
	run hooked runc "$id" --mount "/var/lib/docker/containers/$id/hostname:/etc/hostname" \
		--mount /var/lib/docker/volumes/data/_data:/data -- sh -c 'cat /etc/hostname /data/file'
	assert_output "own
volume"
	# The parents, a sibling, and another pod's directory are refused.
	for source in /var/lib/docker/containers "/var/lib/docker/containers/$other" /var/lib/docker/volumes \
		/var/lib/docker/volumes/data /var/lib/kubelet/pods /var/lib/kubelet/pods/pod-2; do
		run hooked runc "c$RANDOM" --annotation io.kubernetes.pod.uid=pod-1 --mount "$source:/data" -- true
		assert_status 1
		assert_output_contains "does not allow the host path $source mounted at /data;"
	done
	run hooked runc "c$RANDOM" --annotation io.kubernetes.pod.uid=pod-1 \
		--mount /var/lib/kubelet/pods/pod-1/volumes:/data -- true
	assert_status 0
	rm -rf /var/lib/docker/containers /var/lib/docker/volumes /var/lib/kubelet/pods
}

@test "annotations cannot choose privileged, audit or learn mode unless lockc.conf allows it" {
	local name=c$RANDOM
	run hooked runc "$name" --annotation org.lockc.policy=privileged -- true
	assert_output_contains "Error: lockc refuses container $name: its annotation org.lockc.policy asks for policy 'privileged', which (built-in lockc.conf) forbids annotations to choose (annotation-forbidden-policies)."
	name=c$RANDOM
	run hooked runc "$name" --annotation org.lockc.mode=audit -- true
	assert_output_contains "Error: lockc refuses container $name: its annotation org.lockc.mode asks for audit mode, which (built-in lockc.conf) forbids annotations to choose (annotation-forbidden-modes)."
	name=c$RANDOM
	run hooked runc "$name" --annotation org.lockc.mode=learn -- true
	assert_output_contains "Error: lockc refuses container $name: its annotation org.lockc.mode asks for learn mode, which (built-in lockc.conf) forbids annotations to choose (annotation-forbidden-modes)."
	mkdir -p /etc/lockc
	printf 'default-policy baseline\nannotation-forbidden-policies\nannotation-forbidden-modes\n' >/etc/lockc/lockc.conf
	name=c$RANDOM
	run hooked runc "$name" --annotation org.lockc.policy=privileged -- sh -c 'chroot / true && echo chroot ok'
	assert_output "chroot ok"
	name=c$RANDOM
	run hooked runc "$name" --annotation org.lockc.policy=restricted --annotation org.lockc.mode=audit -- \
		sh -c 'cat /proc/kallsyms >/dev/null && echo kallsyms read'
	assert_output "kallsyms read"
	run registration "$name"
	assert_output "restricted audit"
	name=c$RANDOM
	run hooked runc "$name" --annotation org.lockc.policy=restricted --annotation org.lockc.mode=learn -- \
		sh -c 'cat /proc/kallsyms >/dev/null && echo kallsyms read'
	assert_output "kallsyms read"
	run registration "$name"
	assert_output "restricted learn"
	"$LOCKCCTL" container forget "$name" >/dev/null
}

@test "fail closed: unknown policy, lockc not loaded, a full containers map, a broken lockc.conf" {
	local name=c$RANDOM value
	run hooked runc "$name" --annotation org.lockc.policy=nosuch -- true
	assert_output_contains "Error: lockc refuses container $name: no policy named 'nosuch' (chosen by annotation org.lockc.policy) is loaded; apply it with 'lockcctl policy apply'."
	[ -z "$(runc list -q)" ]

	"$SCRIPTS/lockc-unload" >/dev/null
	name=c$RANDOM
	run hooked crun "$name" -- true
	assert_output_contains "error executing hook \`$LOCKCCTL\` (exit code: 1)"
	[ -z "$(crun list -q)" ]
	assert_logged "container $name refused: cannot open lockc's map /sys/fs/bpf/lockc/maps/policies (No such file or directory); load lockc with lockc-load first."
	"$SCRIPTS/lockc-load" >/dev/null

	# Fill the map with registrations of cgroups that do not exist: policy
	# 1, enforce, named "filler".
	value="$(le_hex 1 4) $(le_hex 1 4) $(string_hex filler 64)"
	run "$PROJECT/build/probe" map-fill "$PIN/maps/containers" 1000001 16384 "${value// /}"
	assert_output ok
	name=c$RANDOM
	run hooked runc "$name" -- true
	assert_output_contains "Error: lockc refuses container $name: the containers map is full (16384 entries); delete stale registrations first."
	"$SCRIPTS/lockc-unload" >/dev/null
	"$SCRIPTS/lockc-load" >/dev/null

	mkdir -p /etc/lockc
	printf 'default-policy baseline\ndefault-policy restricted\n' >/etc/lockc/lockc.conf
	name=c$RANDOM
	run hooked runc "$name" -- true
	assert_output_contains "Error: lockc refuses container $name: /etc/lockc/lockc.conf:2: 'default-policy' is set twice."
}

@test "on-error start-unconfined starts the container and logs it; a forbidden mount is still refused" {
	local name=c$RANDOM
	mkdir -p /etc/lockc
	printf 'default-policy baseline\non-error start-unconfined\n' >/etc/lockc/lockc.conf
	run hooked runc "$name" --annotation org.lockc.policy=nosuch -- cat /usrx/file
	assert_output "next to /usr"
	[ -z "$(registration "$name")" ]
	assert_logged "container $name starts UNCONFINED (on-error start-unconfined): no policy named 'nosuch'"
	name=c$RANDOM
	run hooked runc "$name" --mount /:/rootfs -- true
	assert_output_contains "Error: lockc refuses container $name: policy 'baseline' (chosen by default-policy in /etc/lockc/lockc.conf) does not allow the host path / mounted at /rootfs;"
}

@test "allow own-mounts: the container's root file system, tmpfs and approved volume are its own; host paths, kernel interfaces and deny rules are not" {
	local name=c$RANDOM volume=$BATS_TEST_TMPDIR/volume
	mkdir -m 1777 "$volume"
	echo 'in the volume' >"$volume/file"
	apply_policy_variant own restricted 'allow own-mounts' "allow volume $volume"
	run hooked runc "$name" --annotation org.lockc.policy=own --user 1000 --mount "$volume:/cache" --tmpfs /scratch -- \
		sh -c 'cat /usrx/file; echo x >/scratch/f && cat /scratch/f; echo y >/cache/new && cat /cache/file /cache/new
			cat /run/secrets/kubernetes.io/serviceaccount/token; cat /sys/kernel/uevent_seqnum; cat /proc/sys/kernel/ostype'
	assert_output "next to /usr
x
in the volume
y
cat: can't open '/run/secrets/kubernetes.io/serviceaccount/token': Operation not permitted
cat: can't open '/sys/kernel/uevent_seqnum': Operation not permitted
cat: can't open '/proc/sys/kernel/ostype': Operation not permitted"
	# The kernel drops the container's own mounts with its cgroup.
	runc delete --force "$name"
	[ "$(bpftool -j map dump pinned "$PIN/maps/own_mounts" | jq length)" = 0 ]

	# The twin: the same container under a policy without own-mounts.
	apply_policy_variant own-off restricted 'deny own-mounts' "allow volume $volume"
	name=c$RANDOM
	run hooked runc "$name" --annotation org.lockc.policy=own-off --user 1000 --mount "$volume:/cache" --tmpfs /scratch -- \
		sh -c 'cat /usrx/file; echo x >/scratch/f; cat /cache/file'
	assert_output "cat: can't open '/usrx/file': Operation not permitted
sh: can't create /scratch/f: Operation not permitted
cat: can't open '/cache/file': Operation not permitted"
}

@test "own mounts are recorded from the container's mount table, by runc before pivot_root and by crun alike" {
	local runtime name volume=$BATS_TEST_TMPDIR/volume
	mkdir -m 1777 "$volume"
	apply_policy_variant own restricted 'allow own-mounts' "allow volume $volume"
	for runtime in runc crun; do
		name=c$RANDOM
		bundle_create "$name" --hook --annotation org.lockc.policy=own --user 1000 --mount "$volume:/cache" \
			--tmpfs /scratch -- sleep 1000
		"$runtime" create --bundle "$CONTAINER_DIR/$name" "$name" >/dev/null
		# Never proc, sysfs, devpts or mqueue.
		run sh -c "bpftool -j map dump pinned $PIN/maps/own_mounts | jq -r '.[] | .formatted // . | .value.mount_point' |
			grep -Ex '/|/cache|/scratch|/proc|/sys|/dev/pts|/dev/mqueue' | sort"
		assert_output "/
/cache
/scratch"
		"$runtime" delete --force "$name"
		[ "$(bpftool -j map dump pinned "$PIN/maps/own_mounts" | jq length)" = 0 ]
	done
}
