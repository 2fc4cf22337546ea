#!/usr/bin/env bats
# Real Docker (Debian's docker.io and its containerd and runc) with lockc's
# daemon.json exactly as docs/runtimes.md says: lockc-runtime is the default
# runtime. The node default (baseline) applies, a label chooses per
# container, forbidden mounts refuse the start with lockc's reason in
# Docker's error, and a container started past the wrapper (--runtime runc)
# is confined by the guard of Docker's cgroups. Each refusal has a twin
# that starts.

load ../vm

setup_file() {
	load_lockc
	start_dockerd
	make_rootfs "$BATS_FILE_TMPDIR/rootfs"
	tar -C "$BATS_FILE_TMPDIR/rootfs" -c . | docker import - lockc-test >/dev/null
}

teardown_file() {
	stop_dockerd
	rm -f /etc/lockc/lockc.conf
	leave_lockc_loaded
}

teardown() {
	docker ps -aq | xargs -r docker rm --force >/dev/null 2>&1
	rm -f /etc/lockc/lockc.conf
}

@test "docker run gets the node default (baseline), and docker exec is confined too" {
	local id
	id=$(docker run -d lockc-test sleep 1000)
	[ "$(registrations)" = "${id:0:12} baseline" ]
	run docker exec "$id" cat /proc/kallsyms
	assert_status 1
	assert_output "cat: can't open '/proc/kallsyms': Operation not permitted"
	run docker exec "$id" cat /usr/file
	assert_output "in the image"
	# docker stop is prompt, and the kernel drops the registration with the cgroup.
	docker stop --time 1 "$id" >/dev/null
	[ -z "$(registrations)" ]
}

@test "docker run -v /:/rootfs, the Docker socket and the trees of every tenant are refused with lockc's reason; a named volume starts" {
	run docker run --rm -v /:/rootfs lockc-test true
	assert_status 125
	assert_output_contains "OCI runtime create failed: lockc-runtime: lockc refuses container "
	assert_output_contains ": policy 'baseline' (chosen by default-policy in (built-in lockc.conf)) does not allow the host path / mounted at /rootfs; remove the mount, add 'allow volume /' to the policy, or choose another policy."
	run docker run --rm -v /run/docker.sock:/var/run/docker.sock lockc-test true
	assert_status 125
	assert_output_contains "does not allow the host path /run/docker.sock mounted at /var/run/docker.sock;"
	# The trees of every container's files and every volume: another
	# container's config.v2.json holds its environment.
	run docker run --rm -v /var/lib/docker/containers:/data lockc-test true
	assert_status 125
	assert_output_contains "does not allow the host path /var/lib/docker/containers mounted at /data;"
	run docker run --rm -v /var/lib/docker/volumes:/data lockc-test true
	assert_status 125
	assert_output_contains "does not allow the host path /var/lib/docker/volumes mounted at /data;"
	[ -z "$(docker ps -aq)" ]
	[ -z "$(registrations)" ]

	# Its own files (hostname, hosts, resolv.conf) every container mounts; one named volume starts.
	docker volume create data >/dev/null
	run docker run --rm -v data:/data lockc-test sh -c 'echo kept >/data/file && cat /data/file'
	assert_status 0
	assert_output "kept"
}

@test "what Docker users pass every day starts confined: --init, --read-only, -u" {
	run docker run --rm --init lockc-test sh -c 'cat /proc/1/comm; cat /proc/kallsyms'
	assert_output "docker-init
cat: can't open '/proc/kallsyms': Operation not permitted"
	# The init binary is allowed read-only only: a writable mount of it is refused.
	run docker run --rm -v /usr/bin/tini-static:/tini lockc-test true
	assert_status 125
	assert_output_contains "does not allow the host path /usr/bin/tini-static mounted at /tini;"
	run docker run --rm --read-only -u 1000 lockc-test sh -c 'id -u; cat /usr/file; touch /x'
	assert_output "1000
in the image
touch: /x: Read-only file system"
}

@test "a container's own files are its own wherever it keeps them: --tmpfs, -w, a named volume, the image's /app; not under a policy without own-mounts" {
	local policy
	"$LOCKCCTL" events >/dev/null
	docker volume create cache >/dev/null
	# Root makes the new volume writable to uid 1000: a change to the container's own files.
	run docker run --rm -v cache:/cache lockc-test chmod 1777 /cache
	assert_status 0
	for policy in baseline restricted; do
		run docker run --rm --label org.lockc.policy="$policy" -u 1000 --tmpfs /scratch:mode=1777 -w /work \
			-v cache:/cache lockc-test sh -c 'echo x >/scratch/f && cat /scratch/f; pwd; sh /app/run
				cat /usrx/file; echo "$0" >/cache/f && cat /cache/f' "$policy"
		assert_output "x
/work
hello from /app
next to /usr
$policy"
	done
	# -w as root: the directory Docker made in the container's own root file system.
	run docker run --rm -w /work lockc-test sh -c 'echo z >f && cat /work/f'
	assert_output "z"
	run "$LOCKCCTL" events
	assert_output ""

	# The twin: the same container under restricted without own-mounts.
	apply_policy_variant no-own restricted 'deny own-mounts'
	run docker run --rm --label org.lockc.policy=no-own -u 1000 --tmpfs /scratch:mode=1777 -w /work \
		-v cache:/cache lockc-test sh -c 'echo x >/scratch/f; sh /app/run; cat /usrx/file; cat /cache/f'
	assert_output "sh: can't create /scratch/f: Operation not permitted
sh: can't open '/app/run': Operation not permitted
cat: can't open '/usrx/file': Operation not permitted
cat: can't open '/cache/f': Operation not permitted"
}

@test "a restarted container is registered again" {
	local id
	# Fails once, then sleeps: /tmp is the container's own and outlives a restart.
	id=$(docker run -d --restart on-failure lockc-test sh -c '[ -e /tmp/once ] && exec sleep 1000; touch /tmp/once; exit 3')
	# Docker counts a container waiting to restart as running, and restarting.
	wait_until 120 sh -c "[ \"\$(docker inspect -f '{{.RestartCount}} {{.State.Running}} {{.State.Restarting}}' $id)\" = '1 true false' ]"
	run registrations
	assert_output "${id:0:12} baseline"
	run docker exec "$id" cat /proc/kallsyms
	assert_output "cat: can't open '/proc/kallsyms': Operation not permitted"
}

@test "the label org.lockc.policy chooses the policy on Docker 20.10; a forbidden one is refused" {
	local id
	id=$(docker run -d --label org.lockc.policy=restricted -u 1000 lockc-test sleep 1000)
	[ "$(registrations)" = "${id:0:12} restricted" ]
	run docker run --rm --label org.lockc.policy=privileged lockc-test true
	assert_status 125
	assert_output_contains "its Docker label org.lockc.policy asks for policy 'privileged', which (built-in lockc.conf) forbids annotations to choose (annotation-forbidden-policies)."
	# restricted refuses root: the same label without -u does not start.
	run docker run --rm --label org.lockc.policy=restricted lockc-test true
	assert_status 1
	assert_output_contains "exec /bin/true: operation not permitted"
}

@test "docker run --runtime runc bypasses the wrapper and is confined by the guard of Docker's cgroups" {
	local id
	id=$(docker run -d --runtime runc -v /:/rootfs lockc-test sleep 1000)
	[ "$(registrations)" = "guard:${id:0:57} baseline" ]
	run docker exec "$id" sh -c 'cat /etc/hostname >/dev/null && echo own files; head -c 4 /rootfs/etc/shadow; chroot /rootfs true'
	assert_output "own files
head: /rootfs/etc/shadow: Operation not permitted
chroot: can't change root directory to '/rootfs': Operation not permitted"
	run denials_of "guard:${id:0:57}"
	assert_output "denied open - /rootfs/etc/shadow
denied chroot - /"
}

@test "a broken lockc.conf refuses new containers with its reason and lets running ones stop" {
	local id
	id=$(docker run -d lockc-test sleep 1000)
	mkdir -p /etc/lockc
	printf 'default-policy\n' >/etc/lockc/lockc.conf
	run docker run --rm lockc-test true
	assert_status 125
	assert_output_contains "lockc refuses container "
	assert_output_contains ": /etc/lockc/lockc.conf:1: 'default-policy' takes 1 value."
	run docker exec "$id" cat /usr/file
	assert_output "in the image"
	run timeout 20 docker stop --time 1 "$id"
	assert_status 0
	run docker rm "$id"
	assert_status 0
	[ -z "$(registrations)" ]
}
