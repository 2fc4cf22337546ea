#!/usr/bin/env bats
# Real podman with lockc's hooks.d file and nothing else: the policy comes
# from `podman run --annotation`, forbidden mounts refuse the start, and a
# removed container leaves no registration behind. Each refusal has a twin
# that starts.

load ../vm

setup_file() {
	load_lockc
	mount_podman_storage
	make_rootfs "$BATS_FILE_TMPDIR/rootfs"
	tar -C "$BATS_FILE_TMPDIR/rootfs" -c . | "${PODMAN[@]}" import - lockc-test >/dev/null
	start_syslog
}

teardown_file() {
	stop_syslog
	unmount_podman_storage
	leave_lockc_loaded
}

@test "podman run --annotation org.lockc.policy=restricted is confined, with crun and with runc" {
	local runtime
	for runtime in crun runc; do
		run "${PODMAN[@]}" --runtime "$runtime" run --rm --network none \
			--annotation org.lockc.policy=restricted --user 1000 lockc-test sh -c 'cat /usr/file; cat /proc/kallsyms'
		assert_output "in the image
cat: can't open '/proc/kallsyms': Operation not permitted"
	done
	# --rm removed the containers and their cgroups, and the kernel their registrations.
	run "$LOCKCCTL" --json container list
	assert_output "[]"
}

@test "podman run with no annotation gets the node default (baseline)" {
	local id
	id=$("${PODMAN[@]}" run -d --network none lockc-test sleep 1000)
	run "$LOCKCCTL" --json container list
	[ "$(jq -r '.[] | "\(.name) \(.policy) \(.mode)"' <<<"$output")" = "${id:0:12} baseline enforce" ]
	run "${PODMAN[@]}" exec "$id" cat /proc/kallsyms
	assert_output "cat: can't open '/proc/kallsyms': Operation not permitted"
	run "${PODMAN[@]}" exec "$id" cat /usr/file
	assert_output "in the image"
	"${PODMAN[@]}" rm --force --time 0 "$id" >/dev/null
}

@test "podman run -v /:/rootfs is refused at start with lockc's reason; a named volume starts" {
	run "${PODMAN[@]}" --runtime runc run --rm --network none -v /:/rootfs lockc-test true
	assert_status 126
	assert_output_contains "Error: lockc refuses container "
	assert_output_contains ": policy 'baseline' (chosen by default-policy in (built-in lockc.conf)) does not allow the host path / mounted at /rootfs; remove the mount, add 'allow volume /' to the policy, or choose another policy."
	# crun runs the same hook but keeps its stderr to itself: the reason is in syslog.
	run "${PODMAN[@]}" --runtime crun run --rm --network none -v /run:/host-run lockc-test true
	assert_status 126
	assert_output_contains "error executing hook"
	assert_logged "refused: policy 'baseline' (chosen by default-policy in (built-in lockc.conf)) does not allow the host path /run mounted at /host-run;"
	[ -z "$("${PODMAN[@]}" ps -aq)" ]

	"${PODMAN[@]}" volume create data >/dev/null
	run "${PODMAN[@]}" run --rm --network none -v data:/data lockc-test sh -c 'echo kept >/data/file && cat /data/file'
	assert_output "kept"
}

@test "podman run asking for privileged by annotation is refused; kube-system's namespace gets it" {
	run "${PODMAN[@]}" --runtime runc run --rm --network none --annotation org.lockc.policy=privileged lockc-test true
	assert_status 126
	assert_output_contains "its annotation org.lockc.policy asks for policy 'privileged', which (built-in lockc.conf) forbids annotations to choose (annotation-forbidden-policies)."
	run "${PODMAN[@]}" run --rm --network none --annotation io.kubernetes.pod.namespace=kube-system \
		lockc-test sh -c 'chroot / true && echo chroot ok'
	assert_output "chroot ok"
}

@test "a hooks.d file whose lockcctl is missing is dropped silently by podman; the guard of podman's cgroups confines the container" {
	local hooks=$BATS_TEST_TMPDIR/hooks.d
	mkdir -p "$hooks"
	jq '.hook.path = "/nonexistent/lockcctl"' "$PROJECT/build/hooks.d/lockc.json" >"$hooks/lockc.json"
	run podman --cgroup-manager cgroupfs --events-backend file --hooks-dir "$hooks" run --rm --network none \
		-v /:/rootfs lockc-test sh -c 'cat /usr/file; head -c 4 /rootfs/etc/shadow'
	assert_output "in the image
head: /rootfs/etc/shadow: Operation not permitted"
	run "$LOCKCCTL" --json events
	[ "$(jq -r 'select(.container | startswith("guard:libpod-")) | "\(.operation) \(.detail)"' <<<"$output")" = \
		"open /rootfs/etc/shadow" ]
}
