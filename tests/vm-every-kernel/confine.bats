#!/usr/bin/env bats
# Containers confined end to end, with real runc and crun: runtime create ->
# lockcctl container add -> runtime start. Every denial has an allowed twin:
# the same operation in a privileged or unregistered container, on the host,
# or on the allowed neighbour path.

# shellcheck disable=SC2016 # the workloads' scripts expand inside the containers

load ../vm

setup_file() {
	load_lockc_for_containers
	# The breakout containers get its directory mounted.
	start_host_socket
}

teardown_file() {
	stop_host_socket
	leave_lockc_loaded
}

teardown() {
	remove_test_containers
	"$LOCKCCTL" container delete path "$CONTAINER_CGROUP_PARENT" >/dev/null 2>&1 || true
}

# The first breakout: the host's root mounted at /rootfs, then chroot.
# host_root_breakout RUNTIME POLICY [bundle options]
host_root_breakout() {
	container_run "$1" "c$RANDOM" "$2" "${@:3}" --mount /:/rootfs -- \
		sh -c 'chroot /rootfs /bin/true && echo chroot ok; cat /rootfs/etc/hostname >/dev/null && echo read ok'
}

# The second breakout: a runtime socket mounted into the container.
host_socket_breakout() {
	container_run "$1" "c$RANDOM" "$2" "${@:3}" --mount "$BATS_FILE_TMPDIR/host-sockets:/run/host" -- \
		probe connect /run/host/docker.sock
}

@test "restricted: -v /:/rootfs then chroot is refused, and so is reading through /rootfs (runc)" {
	run host_root_breakout runc restricted --user 1000
	assert_status 0
	assert_output "chroot: can't change root directory to '/rootfs': Operation not permitted
cat: can't open '/rootfs/etc/hostname': Operation not permitted"
}

@test "baseline: -v /:/rootfs then chroot is refused (crun)" {
	run host_root_breakout crun baseline
	assert_status 0
	assert_output "chroot: can't change root directory to '/rootfs': Operation not permitted
cat: can't open '/rootfs/etc/hostname': Operation not permitted"
}

@test "privileged: the same chroot and read succeed (runc and crun)" {
	run host_root_breakout runc privileged
	assert_status 0
	assert_output "chroot ok
read ok"
	run host_root_breakout crun privileged
	assert_status 0
	assert_output "chroot ok
read ok"
}

@test "an unregistered container is not confined" {
	run host_root_breakout runc none
	assert_status 0
	assert_output "chroot ok
read ok"
}

@test "restricted and baseline cannot connect to a host socket mounted into the container (runc, crun)" {
	run host_socket_breakout runc restricted --user 1000
	assert_status 0
	assert_output "connect: Operation not permitted"
	run host_socket_breakout crun baseline
	assert_status 0
	assert_output "connect: Operation not permitted"
}

@test "privileged connects to the host socket; the host still does" {
	run host_socket_breakout runc privileged
	assert_status 0
	assert_output "ok"
	run "$PROJECT/build/probe" connect "$BATS_FILE_TMPDIR/host-sockets/docker.sock"
	assert_output "ok"
}

@test "restricted: a socket inside the same container still works" {
	run container_run runc "c$RANDOM" restricted --user 1000 -- \
		sh -c 'probe serve /tmp/app.sock >/dev/null & sleep 0.5; probe connect /tmp/app.sock; kill $!'
	assert_status 0
	assert_output "ok"
}

@test "file rules: /usr is allowed, /usrx is not; prefixes end at a component boundary" {
	run container_run runc "c$RANDOM" restricted --user 1000 -- sh -c 'cat /usr/file; cat /usrx/file'
	assert_status 0
	assert_output "in the image
cat: can't open '/usrx/file': Operation not permitted"
}

@test "file rules: paths longer than 255 bytes are decided by their prefix" {
	local name=c$RANDOM deep=/run/secrets/kubernetes.io/deep
	bundle_create "$name" -- sh -c "
		probe long-path /tmp 300 create; probe long-path /tmp 3000 create
		probe long-path /tmp 300; probe long-path /tmp 3000
		probe long-path $deep 300; probe long-path $deep 300 create
		probe long-path /run/other 300 create"
	# The host makes the denied one: the container may not make what it may not open.
	chroot "$CONTAINER_DIR/rootfs" /bin/sh -c "mkdir -p $deep && probe long-path $deep 300 create" >/dev/null
	container_start runc "$name" baseline
	container_wait runc "$name"
	rm -rf "${CONTAINER_DIR:?}/rootfs$deep"
	run cat "$CONTAINER_DIR/$name/output"
	assert_output "ok
ok
ok
ok
long-path: Operation not permitted
long-path: Operation not permitted
ok"
}

@test "the service-account token is denied at both of its paths; its neighbour is not" {
	run container_run runc "c$RANDOM" baseline -- sh -c '
		cat /var/run/secrets/kubernetes.io/serviceaccount/token
		cat /run/secrets/kubernetes.io/serviceaccount/..data/token
		cat /run/other/token'
	assert_status 0
	assert_output "cat: can't open '/var/run/secrets/kubernetes.io/serviceaccount/token': Operation not permitted
cat: can't open '/run/secrets/kubernetes.io/serviceaccount/..data/token': Operation not permitted
not a secret"
}

# Run as root with the capabilities these files also need, so that only
# lockc stands in the way.
kernel_interfaces() {
	container_run runc "c$RANDOM" "$1" --cap DAC_OVERRIDE --cap SYSLOG -- sh -c '
		for file in /proc/sys/kernel/hostname /proc/sysrq-trigger /proc/kcore /proc/kmsg /proc/self/status; do
			echo "$file: $(probe open $file)"
		done
		dmesg >/dev/null && echo dmesg ok'
}

@test "kernel interfaces: /proc/sysrq-trigger, /proc/kcore and the kernel log are denied; /proc/self and reading /proc/sys are not" {
	run kernel_interfaces baseline
	assert_status 0
	assert_output "/proc/sys/kernel/hostname: ok
/proc/sysrq-trigger: open: Operation not permitted
/proc/kcore: open: Operation not permitted
/proc/kmsg: open: Operation not permitted
/proc/self/status: ok
dmesg: klogctl: Operation not permitted"
}

@test "kernel tunables that ordinary software reads at start are readable under baseline and restricted, never writable" {
	local policy
	for policy in baseline restricted; do
		run container_run runc "c$RANDOM" "$policy" --user 1000 -- sh -c '
			for file in /proc/sys/kernel/ngroups_max /proc/sys/vm/overcommit_memory \
				/sys/kernel/mm/transparent_hugepage/enabled; do
				cat "$file" >/dev/null && echo "$file: read"
			done'
		assert_output "/proc/sys/kernel/ngroups_max: read
/proc/sys/vm/overcommit_memory: read
/sys/kernel/mm/transparent_hugepage/enabled: read"
	done
	# Root, /proc/sys writable: only lockc refuses the write; privileged
	# writes the same value back.
	run container_run runc "c$RANDOM" baseline --writable-kernel -- sh -c 'echo 1 >/proc/sys/vm/overcommit_memory'
	assert_output "sh: can't create /proc/sys/vm/overcommit_memory: Operation not permitted"
	run container_run runc "c$RANDOM" privileged --writable-kernel -- sh -c \
		'value=$(cat /proc/sys/vm/overcommit_memory) && echo "$value" >/proc/sys/vm/overcommit_memory && echo written'
	assert_output "written"
	# Under baseline /sys reads as Docker leaves it, but for the firmware's tables.
	run container_run runc "c$RANDOM" baseline -- sh -c 'ls /sys/block >/dev/null && echo block; ls /sys/firmware'
	assert_output "block
ls: can't open '/sys/firmware': Operation not permitted"
}

@test "kernel interfaces: privileged opens them all" {
	run kernel_interfaces privileged
	assert_status 0
	assert_output "/proc/sys/kernel/hostname: ok
/proc/sysrq-trigger: ok
/proc/kcore: ok
/proc/kmsg: ok
/proc/self/status: ok
dmesg ok"
}

@test "a forked child and a thread are confined" {
	run container_run runc "c$RANDOM" restricted --user 1000 -- sh -c '
		probe fork-open /usrx/file; probe thread-open /usrx/file
		probe fork-open /usr/file; probe thread-open /usr/file'
	assert_status 0
	assert_output "fork-open: Operation not permitted
thread-open: Operation not permitted
ok
ok"
}

@test "runc exec and crun exec into a running container are confined" {
	local runtime name
	for runtime in runc crun; do
		name=c$RANDOM
		bundle_create "$name" --user 1000 -- sleep 1000
		container_start "$runtime" "$name" restricted
		run "$runtime" exec --user 1000 "$name" cat /usrx/file
		assert_output "cat: can't open '/usrx/file': Operation not permitted"
		run "$runtime" exec --user 1000 "$name" cat /usr/file
		assert_output "in the image"
	done
}

@test "a process in a child cgroup of the container is confined" {
	local name=c$RANDOM
	bundle_create "$name" --user 1000 -- sleep 1000
	container_start runc "$name" restricted
	mkdir "/sys/fs/cgroup/$CONTAINER_CGROUP_PARENT/$name/child"
	run runc exec --user 1000 --cgroup child "$name" sh -c 'cat /proc/self/cgroup; cat /usrx/file'
	assert_output "0::/child
cat: can't open '/usrx/file': Operation not permitted"
}

# runc 1.1 is left out: it re-execs itself from a memfd inside the
# container's cgroup before its setup, so a registered parent arms it and
# restricted then denies the setup (bpf/model.md, "Known limits").
@test "a parent registered before the containers exist confines them, and crun still sets them up" {
	"$LOCKCCTL" container add path "$CONTAINER_CGROUP_PARENT" policy restricted name all-tests
	run container_run crun "c$RANDOM" none --user 1000 -- sh -c 'cat /usr/file; cat /usrx/file'
	assert_status 0
	assert_output "in the image
cat: can't open '/usrx/file': Operation not permitted"
}

@test "the host is untouched while a restricted container runs" {
	local name=c$RANDOM
	bundle_create "$name" --user 1000 -- sleep 1000
	container_start runc "$name" restricted
	run cat "$CONTAINER_DIR/rootfs/usrx/file"
	assert_output "next to /usr"
	run chroot / true
	assert_status 0
	run dmesg --syslog
	assert_status 0
}

# restricted with every capability and root allowed, so that the mount hooks
# decide, not the capability check in front of them.
@test "mounts: restricted refuses mount, bind mount, umount, remount and the new mount API, even with CAP_SYS_ADMIN" {
	apply_policy_variant restricted-caps restricted 'allow run-as-root' 'allow capability all'
	run container_run runc "c$RANDOM" restricted-caps --cap SYS_ADMIN -- sh -c '
		mount -t tmpfs tmpfs /mnt; mount --bind /home /mnt; umount /proc/kcore
		mount -o remount,rw /proc/sys; probe open-tree /home /mnt; probe fsmount /mnt'
	assert_status 0
	# busybox mount words EPERM as "permission denied"
	assert_output "mount: permission denied (are you root?)
mount: permission denied (are you root?)
umount: can't unmount /proc/kcore: Operation not permitted
mount: permission denied (are you root?)
open-tree: Operation not permitted
fsmount: Operation not permitted"
}

@test "mounts: a policy with bind-mount rules allows a bind mount from /home only, with no symlink on the way" {
	apply_policy_variant baseline-binds baseline 'allow capability all' 'allow bind-mount /home'
	run container_run runc "c$RANDOM" baseline-binds --cap SYS_ADMIN -- sh -c '
		mkdir -p /home/shared /data/m1 /data/m2 /data/m3; ln -s /etc /home/etc
		mount --bind /home/shared /data/m1 && echo bind ok
		mount --bind /etc /data/m2; mount --bind /home/etc /data/m3
		mount --bind /home/../etc /data/m3; mount -t tmpfs tmpfs /data/m3'
	assert_status 0
	assert_output "bind ok
mount: permission denied (are you root?)
mount: permission denied (are you root?)
mount: permission denied (are you root?)
mount: permission denied (are you root?)"
}

@test "mounts: privileged mounts, including through the new API" {
	run container_run runc "c$RANDOM" privileged --cap SYS_ADMIN -- sh -c '
		mount -t tmpfs tmpfs /mnt && echo mount ok; mount --bind /etc /data && echo bind ok
		umount /proc/kcore && echo umount ok; probe open-tree /home /data; probe fsmount /tmp'
	assert_status 0
	assert_output "mount ok
bind ok
umount ok
ok
ok"
}

@test "a policy applied while a container runs takes effect at once and without a window" {
	local name=c$RANDOM policies=$BATS_TEST_TMPDIR
	# Both may run programs as root; they differ in their file rules only.
	printf 'allow file /\nallow exec /\nallow run-as-root\n' >"$policies/flip.policy"
	printf 'deny file /\nallow file /bin\nallow file /lib\nallow file /data/keep\nallow exec /\nallow run-as-root\n' >"$policies/flop.policy"
	"$LOCKCCTL" policy apply "$policies/flip.policy"
	bundle_create "$name" -- sh -c 'mkdir -p /data/keep /data/drop; touch /data/keep/f /data/drop/f; probe open-loop /data/keep/f 20000'
	container_start runc "$name" flip
	# Each apply replaces "allow /" by "deny /" plus "allow /data/keep" and
	# back. Written in place, /data/keep/f would be denied in between.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		cp "$policies/flop.policy" "$policies/flip.policy.new" && mv "$policies/flip.policy.new" "$policies/flip.policy"
		"$LOCKCCTL" policy apply "$policies/flip.policy"
		printf 'allow file /\nallow exec /\nallow run-as-root\n' >"$policies/flip.policy"
		"$LOCKCCTL" policy apply "$policies/flip.policy"
	done
	container_wait runc "$name"
	run cat "$CONTAINER_DIR/$name/output"
	assert_output "0 of 20000 failed"
	# The new policy is in force for the running container's next exec.
	cp "$policies/flop.policy" "$policies/flip.policy"
	"$LOCKCCTL" policy apply "$policies/flip.policy"
	bundle_create "$name-2" -- sleep 1000
	container_start runc "$name-2" flip
	run runc exec "$name-2" cat /usr/file
	assert_output "cat: can't open '/usr/file': Operation not permitted"
}

@test "a broken policy file changes nothing" {
	local name=c$RANDOM before
	before=$("$LOCKCCTL" policy show restricted)
	cp "$POLICY_DEFAULTS/restricted.policy" "$BATS_TEST_TMPDIR/restricted.policy"
	printf 'allow file /usrx\nallow file usr\n' >>"$BATS_TEST_TMPDIR/restricted.policy"
	run "$LOCKCCTL" policy apply "$BATS_TEST_TMPDIR/restricted.policy"
	assert_status 1
	assert_output_contains "restricted.policy:$(wc -l <"$BATS_TEST_TMPDIR/restricted.policy"): usr: a path starts with '/'."
	run "$LOCKCCTL" policy show restricted
	assert_output "$before"
	run container_run runc "$name" restricted --user 1000 -- cat /usrx/file
	assert_output "cat: can't open '/usrx/file': Operation not permitted"
}

# An ordinary workload: a shell, coreutils, pipes, /tmp, /dev/null, its own
# /proc, name lookups through /etc, a listing of / and of /dev.
ordinary_workload() {
	container_run runc "c$RANDOM" "$1" "${@:2}" -- sh -c '
		set -e
		ls / >/dev/null; ls /dev >/dev/null; cd "$(mktemp -d)"
		seq 1 1000 | sort -rn | head -n 1 >numbers
		echo hello | tee greeting | tr a-z A-Z >upper
		grep -q root /etc/passwd; id -u >/dev/null; nproc >/dev/null
		cat /proc/self/stat /proc/meminfo /sys/fs/cgroup/cgroup.controllers >/dev/null
		date >/dev/null </dev/null; mkdir -p a/b/c && rm -r a
		head -c 16 /dev/urandom | md5sum >/dev/null
		sh -c "exit 0" | cat
		echo "$(cat numbers) $(cat upper)"'
}

@test "an ordinary workload runs untouched under baseline and restricted" {
	run ordinary_workload baseline
	assert_status 0
	assert_output "1000 HELLO"
	run ordinary_workload restricted --user 1000
	assert_status 0
	assert_output "1000 HELLO"
}
