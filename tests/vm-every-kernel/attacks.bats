#!/usr/bin/env bats
# Attacks on the host's state from the worst container there is: every
# capability in every set (ambient too), no seccomp, nothing masked or
# read-only, the host's / at /rootfs, the host's pid and cgroup namespaces,
# and, where a technique needs one, a host directory handed in as fd 3.
# That is a container whose spec check was bypassed, so lockc's programs are
# the only barrier. Each technique reaches one host object by another way
# than open(2): privileged must get through (the technique works), baseline
# as root and restricted as uid 1000 must not, with the event that names
# lockc's operation; the same technique on the container's own files or
# cgroups is the allowed twin. The host's victims belong to uid 1000 and sit
# in a directory anyone may write, so that only lockc can refuse.

# shellcheck disable=SC2016 # the workloads' scripts expand inside the containers

load ../vm

VICTIMS=/run/lockc-victims
VICTIM_CGROUP=/sys/fs/cgroup/lockc-victim
DECOY_PIN=/sys/fs/bpf/lockc-decoy

setup_file() {
	load_lockc_for_containers
}

teardown_file() {
	leave_lockc_loaded
}

setup() {
	"$LOCKCCTL" events >/dev/null
	rm -rf "$VICTIMS"
	mkdir -m 0777 "$VICTIMS"
	local name
	for name in unlink truncate chmod rename dirfd capability acl times; do echo victim >"$VICTIMS/$name"; done
	chown -R 1000:1000 "$VICTIMS"
	chmod 0666 "$VICTIMS"/*
}

teardown() {
	remove_test_containers
	! mountpoint -q "$BATS_TEST_TMPDIR/ovl" || umount -R "$BATS_TEST_TMPDIR/ovl"
	! mountpoint -q "$BATS_TEST_TMPDIR/mq" || { rm -f "$BATS_TEST_TMPDIR/mq/lockc-victim"; umount "$BATS_TEST_TMPDIR/mq"; }
	local i
	if [ -e "$VICTIM_CGROUP/cgroup.kill" ]; then
		echo 1 >"$VICTIM_CGROUP/cgroup.kill"
		# The killed leave it a moment later: a removal before that is EBUSY.
		for ((i = 0; i < 50; i++)); do
			rmdir "$VICTIM_CGROUP/child" "$VICTIM_CGROUP" 2>/dev/null
			[ -e "$VICTIM_CGROUP" ] || break
			sleep 0.1
		done
	fi
	rm -f "$DECOY_PIN"
	rm -rf "$VICTIMS"
	[ ! -e "$BATS_TEST_TMPDIR/victim.pid" ] || kill "$(cat "$BATS_TEST_TMPDIR/victim.pid")" 2>/dev/null || true
}

# worst_case POLICY [bundle options] -- SCRIPT: run SCRIPT in the worst
# container under POLICY; prints its output.
worst_case() {
	local policy=$1 name=c$RANDOM
	shift
	container_run runc "$name" "$policy" --all-caps --mount /:/rootfs --new-privileges --host-pid \
		--host-cgroupns --all-devices --writable-kernel "$@" >"$BATS_TEST_TMPDIR/$policy.out"
	echo "$name" >"$BATS_TEST_TMPDIR/$policy.name"
	cat "$BATS_TEST_TMPDIR/$policy.out"
}

# The script that tries each "TECHNIQUE ARGS" line of stdin and prints
# "TECHNIQUE escaped|blocked" for each.
attempts() {
	local technique args
	while read -r technique args; do
		printf 'escape %s %s >/dev/null 2>&1 && echo "%s escaped" || echo "%s blocked"\n' \
			"$technique" "$args" "$technique" "$technique"
	done
}

# expect_all OUTCOME TECHNIQUES...: what `attempts` prints when each of them had OUTCOME.
expect_all() {
	local outcome=$1 technique
	shift
	for technique; do echo "$technique $outcome"; done
}

# The denials of the operations OPERATION... (no OPERATION: of any) that the
# container run under POLICY caused, "operation value detail", one a line.
# Only those: the worst container asks for more than a policy grants
# (restricted refuses the capabilities that busybox's applets check for).
denials_under() {
	local policy=$1
	shift
	"$LOCKCCTL" --json events | jq -r --arg name "$(cat "$BATS_TEST_TMPDIR/$policy.name")" \
		'select(.container == $name and ($ARGS.positional == [] or (.operation | IN($ARGS.positional[]))))
		| "\(.operation) \(.value // "-") \(.detail)"' --args "$@" | sort -u
}

# ---- host files through a host path ------------------------------------------

host_file_attacks() {
	attempts <<-ATTACKS
	unlink /rootfs$VICTIMS/unlink
	truncate /rootfs$VICTIMS/truncate
	chmod /rootfs$VICTIMS/chmod
	create /rootfs$VICTIMS/ld.so.preload
	symlink /rootfs$VICTIMS/symlink
	mkdir /rootfs$VICTIMS/mkdir
	rename /rootfs$VICTIMS/rename /rootfs$VICTIMS/renamed
	acl /rootfs$VICTIMS/acl
	times /rootfs$VICTIMS/times
	ATTACKS
}

FILE_TECHNIQUES=(unlink truncate chmod create symlink mkdir rename acl times)

# The extended attributes of the victims, "FILE NAME", one a line.
victims_xattrs() {
	python3 -c 'import os, sys
for path in sys.argv[1:]:
    for name in os.listxattr(path, follow_symlinks=False):
        print(os.path.basename(path), name)' "$VICTIMS"/*
}

# What the host's victims look like: each name, type and mode, and a file's size.
victims_state() {
	find "$VICTIMS" -mindepth 1 \( -type d -printf '%f d %m\n' \) -o -printf '%f %y %m %s\n' | sort
}

@test "host files: privileged changes a host file through the host's / by every path operation" {
	run worst_case privileged -- sh -c "$(host_file_attacks)"
	assert_output "$(expect_all escaped "${FILE_TECHNIQUES[@]}")"
	run victims_state
	assert_output "acl f 664 7
capability f 666 7
chmod f 4755 7
dirfd f 666 7
ld.so.preload f 644 0
mkdir d 755
renamed f 666 7
symlink l 777 11
times f 666 7
truncate f 666 0"
	[ "$(stat -c %Y "$VICTIMS/times")" -eq 0 ]
	run worst_case privileged -- escape file-capability "/rootfs$VICTIMS/capability"
	assert_output escaped
	run victims_xattrs
	assert_output "acl system.posix_acl_access
capability security.capability"
}

@test "host files: baseline and restricted change no host file by any path operation, each refused as a write" {
	local before policy
	before=$(victims_state)
	for policy in baseline restricted; do
		if [ "$policy" = restricted ]; then
			run worst_case restricted --user 1000 -- sh -c "$(host_file_attacks)"
		else
			run worst_case baseline -- sh -c "$(host_file_attacks)"
		fi
		assert_output "$(expect_all blocked "${FILE_TECHNIQUES[@]}")"
		[ "$(victims_state)" = "$before" ]
		[ -z "$(victims_xattrs)" ]
		[ "$(stat -c %Y "$VICTIMS/times")" -ne 0 ]
		run denials_under "$policy" write
		assert_output "write change=chmod /rootfs$VICTIMS/chmod
write change=create /rootfs$VICTIMS/ld.so.preload
write change=create /rootfs$VICTIMS/mkdir
write change=create /rootfs$VICTIMS/symlink
write change=remove /rootfs$VICTIMS/unlink
write change=rename-from /rootfs$VICTIMS/rename
write change=times /rootfs$VICTIMS/times
write change=truncate /rootfs$VICTIMS/truncate
write change=xattr /rootfs$VICTIMS/acl"
	done
	# A file capability on a host binary (tmpfs, the victims' file system,
	# takes no user.* attributes before 6.6): baseline grants setfcap, so
	# only the path refuses it; restricted refuses setfcap itself.
	run worst_case baseline -- escape file-capability "/rootfs$VICTIMS/capability"
	assert_output "blocked: setxattr: Operation not permitted"
	run denials_under baseline write
	assert_output "write change=xattr /rootfs$VICTIMS/capability"
	run worst_case restricted --user 1000 -- escape file-capability "/rootfs$VICTIMS/capability"
	assert_output "blocked: setxattr: Operation not permitted"
	run denials_under restricted capability
	assert_output_contains "capability capability=setfcap "
	[ -z "$(victims_xattrs)" ]
}

@test "host files: the allowed twin, baseline changes its own files in /tmp by every path operation" {
	run worst_case baseline -- sh -c "cd /tmp && for f in unlink truncate chmod rename acl times; do echo own >\$f; done
		$(attempts <<-ATTACKS
		unlink /tmp/unlink
		truncate /tmp/truncate
		chmod /tmp/chmod
		create /tmp/ld.so.preload
		symlink /tmp/symlink
		mkdir /tmp/mkdir
		rename /tmp/rename /tmp/renamed
		acl /tmp/acl
		times /tmp/times
		ATTACKS
		)
		escape file-capability /tmp/chmod"
	assert_output "$(expect_all escaped "${FILE_TECHNIQUES[@]}")
escaped"
	run denials_under baseline
	assert_output ""
}

# ---- through a directory fd from outside the container's mount namespace ------

@test "a host directory fd: privileged removes a host file through it; baseline and restricted are refused, the change named as detached" {
	run worst_case privileged --host-dir-fd "$VICTIMS" -- escape unlinkat-dirfd /proc/self/fd/3 dirfd
	assert_output escaped
	[ ! -e "$VICTIMS/dirfd" ]
	echo victim >"$VICTIMS/dirfd"
	chown 1000:1000 "$VICTIMS/dirfd"

	run worst_case baseline --host-dir-fd "$VICTIMS" -- escape unlinkat-dirfd /proc/self/fd/3 dirfd
	assert_output "blocked: unlinkat: Operation not permitted"
	run denials_under baseline write-detached
	assert_output "write-detached change=remove dirfd"
	run worst_case restricted --user 1000 --host-dir-fd "$VICTIMS" -- escape unlinkat-dirfd /proc/self/fd/3 dirfd
	assert_output "blocked: unlinkat: Operation not permitted"
	run denials_under restricted write-detached
	assert_output "write-detached change=remove dirfd"
	[ -e "$VICTIMS/dirfd" ]

	# The twin: a directory of the container's own, through the same kind of fd.
	run worst_case baseline -- sh -c 'echo own >/tmp/own; exec 3</tmp; escape unlinkat-dirfd /proc/self/fd/3 own'
	assert_output escaped
}

# ---- a registration shed ---------------------------------------------------------

# An armed task that has left its container's cgroup (moved out by the host
# here; from inside, the cgroup tests show the way out refused) outlives the
# cgroup: once the cgroup is removed the registration goes, and the task
# must not go free. It waits on a FIFO, then reads a file baseline allows
# and runs a program; it prints what happened.
armed_task_in() {
	local cgroup=$1
	mkfifo "$BATS_TEST_TMPDIR/$cgroup.go"
	in_cgroup "$cgroup" bash -c 'exec 3<>"$1"; read -r _ <&3
		if read -r _ </etc/hostname; then echo read; else echo refused; fi
		if /bin/true; then echo ran; else echo not-run; fi' task "$BATS_TEST_TMPDIR/$cgroup.go" \
		>"$BATS_TEST_TMPDIR/$cgroup.out" 2>"$BATS_TEST_TMPDIR/$cgroup.err" &
	echo $! >"$BATS_TEST_TMPDIR/$cgroup.pid"
	# Its fd 3 is opened after the exec that armed it.
	wait_for -e "/proc/$!/fd/3"
}

release_armed_task() {
	echo go >"$BATS_TEST_TMPDIR/$1.go"
	wait "$(cat "$BATS_TEST_TMPDIR/$1.pid")" || true
	cat "$BATS_TEST_TMPDIR/$1.out"
}

@test "a registration shed: an armed task whose cgroup is removed is denied everything, the twin left in its cgroup runs on" {
	local id
	mkdir /sys/fs/cgroup/shed-box /sys/fs/cgroup/kept-box
	"$LOCKCCTL" container add path shed-box policy baseline name shed-box >/dev/null
	"$LOCKCCTL" container add path kept-box policy baseline name kept-box >/dev/null
	id=$(stat -c %i /sys/fs/cgroup/shed-box)
	armed_task_in shed-box
	armed_task_in kept-box
	cat "/sys/fs/cgroup/shed-box/cgroup.procs" >/sys/fs/cgroup/cgroup.procs
	rmdir /sys/fs/cgroup/shed-box
	[ "$("$LOCKCCTL" --json container list | jq --argjson id "$id" 'map(select(.cgroup_id == $id)) | length')" -eq 0 ]

	run release_armed_task shed-box
	assert_output "refused
not-run"
	run "$LOCKCCTL" --json events
	[ "$(jq -r --argjson id "$id" 'select(.cgroup_id == $id and .detail == "/etc/hostname")
		| "\(.decision) \(.operation) \(.container)"' <<<"$output")" = "denied open " ]

	run release_armed_task kept-box
	# Shown only if the twin fails: what its shell said, and lockc's events.
	cat "$BATS_TEST_TMPDIR/kept-box.err"
	"$LOCKCCTL" events
	assert_output "read
ran"
	rmdir /sys/fs/cgroup/kept-box
}

# ---- signals past kill(2) --------------------------------------------------------

# A host process of uid 1000, which the kernel lets uid 1000 signal too.
# A host process of uid 1000 to attack. Its fds are not bats's: a test that
# fails before it is killed must not leave bats waiting for it (teardown
# kills it).
start_host_victim() {
	setpriv --reuid 1000 --regid 1000 --clear-groups sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	echo $! >"$BATS_TEST_TMPDIR/victim.pid"
}

# The three ways to make a file's owner a host task: fcntl(F_SETOWN), the
# socket ioctl FIOSETOWN, and that ioctl from the 32-bit entry, which passes
# another hook (compat_ioctl). The refused step each prints, and the owner
# its event names (-1: the ioctls pass it through memory, never read).
SIGIO_TECHNIQUES=(sigio sigio-ioctl sigio-compat)
sigio_step() {
	case $1 in
	sigio) echo "fcntl F_SETOWN" ;;
	sigio-ioctl) echo "ioctl FIOSETOWN" ;;
	sigio-compat) echo "compat ioctl FIOSETOWN" ;;
	esac
}

@test "SIGIO: privileged kills a host process by making it a file's owner, by fcntl, ioctl and 32-bit ioctl; baseline and restricted may not make it the owner" {
	local victim technique owner
	for technique in "${SIGIO_TECHNIQUES[@]}"; do
		start_host_victim
		victim=$(cat "$BATS_TEST_TMPDIR/victim.pid")
		run worst_case privileged -- escape "$technique" "$victim" 9
		assert_output escaped
		wait "$victim" || true
		[ ! -e "/proc/$victim" ]
	done

	start_host_victim
	victim=$(cat "$BATS_TEST_TMPDIR/victim.pid")
	for technique in "${SIGIO_TECHNIQUES[@]}"; do
		owner=$victim
		[ "$technique" = sigio ] || owner=-1
		run worst_case baseline -- escape "$technique" "$victim" 9
		assert_output "blocked: $(sigio_step "$technique"): Operation not permitted"
		run denials_under baseline sigio-owner
		assert_output "sigio-owner owner=$owner "
		run worst_case restricted --user 1000 -- escape "$technique" "$victim" 9
		assert_output "blocked: $(sigio_step "$technique"): Operation not permitted"
		run denials_under restricted sigio-owner
		assert_output "sigio-owner owner=$owner "
	done
	[ -e "/proc/$victim" ]
	kill "$victim"

	# The twin: the container's own process as the owner gets its signal.
	run worst_case restricted --user 1000 -- escape sigio 0 10
	assert_output escaped
}

# ---- POSIX message queues of the host's IPC namespace ------------------------------

# The host's queue, seen through a mqueue file system of the host's IPC
# namespace: reading it gives its size ("QSIZE:N ...").
host_queue_size() {
	sed -n 's/^QSIZE:\([0-9]*\).*/\1/p' "$BATS_TEST_TMPDIR/mq/lockc-victim"
}

@test "POSIX message queues: privileged sends to and removes a host queue through the host's IPC namespace; baseline and restricted do neither; a container's own queue works" {
	mkdir "$BATS_TEST_TMPDIR/mq"
	mount -t mqueue mqueue "$BATS_TEST_TMPDIR/mq"
	: >"$BATS_TEST_TMPDIR/mq/lockc-victim"
	chmod 0666 "$BATS_TEST_TMPDIR/mq/lockc-victim"
	run worst_case privileged --host-ipc -- escape mqueue-send lockc-victim
	assert_output escaped
	[ "$(host_queue_size)" -eq 7 ]

	for policy in baseline restricted; do
		if [ "$policy" = restricted ]; then
			run worst_case restricted --user 1000 --host-ipc -- sh -c "$(attempts <<-ATTACKS
			mqueue-send lockc-victim
			mqueue-unlink lockc-victim
			ATTACKS
			)"
		else
			run worst_case baseline --host-ipc -- sh -c "$(attempts <<-ATTACKS
			mqueue-send lockc-victim
			mqueue-unlink lockc-victim
			ATTACKS
			)"
		fi
		assert_output "mqueue-send blocked
mqueue-unlink blocked"
		run denials_under "$policy" mqueue
		assert_output "mqueue - lockc-victim"
		[ "$(host_queue_size)" -eq 7 ]
	done

	# The twins: a queue of the container's own IPC namespace, and
	# privileged removing the host's.
	run worst_case restricted --user 1000 -- escape mqueue-own lockc-own
	assert_output escaped
	run worst_case baseline -- escape mqueue-own lockc-own
	assert_output escaped
	run worst_case privileged --host-ipc -- escape mqueue-unlink lockc-victim
	assert_output escaped
	[ ! -e "$BATS_TEST_TMPDIR/mq/lockc-victim" ]
}

# ---- another task's scheduling and limits ----------------------------------------

task_attacks() {
	attempts <<-ATTACKS
	renice $1
	reschedule $1
	ioprio $1
	rlimit $1
	oom-score $1
	ATTACKS
}

TASK_TECHNIQUES=(renice reschedule ioprio rlimit oom-score)

@test "host tasks: privileged renices, reschedules, limits a host process of its uid and raises its OOM score; baseline and restricted change none" {
	local root_victim user_victim
	sleep 1000 >/dev/null 2>&1 3>&- &
	root_victim=$!
	start_host_victim
	user_victim=$(cat "$BATS_TEST_TMPDIR/victim.pid")
	run worst_case privileged -- sh -c "$(task_attacks "$root_victim")"
	assert_output "$(expect_all escaped "${TASK_TECHNIQUES[@]}")"
	[ "$(cat "/proc/$root_victim/oom_score_adj")" -eq 1000 ]

	# uid 1000 may change only a task of uid 1000, so restricted is given one.
	run worst_case baseline -- sh -c "$(task_attacks "$root_victim")"
	assert_output "$(expect_all blocked "${TASK_TECHNIQUES[@]}")"
	run denials_under baseline task-change
	assert_output "task-change change=ioprio sleep
task-change change=nice sleep
task-change change=procfs /proc/$root_victim/oom_score_adj
task-change change=rlimit sleep
task-change change=scheduler sleep"
	run worst_case restricted --user 1000 -- sh -c "$(task_attacks "$user_victim")"
	assert_output "$(expect_all blocked "${TASK_TECHNIQUES[@]}")"
	run denials_under restricted task-change
	assert_output "task-change change=ioprio sleep
task-change change=nice sleep
task-change change=procfs /proc/$user_victim/oom_score_adj
task-change change=rlimit sleep
task-change change=scheduler sleep"
	[ "$(cut -d' ' -f19 "/proc/$user_victim/stat")" -eq 0 ]
	[ "$(cat "/proc/$user_victim/oom_score_adj")" -eq 0 ]
	kill "$root_victim" "$user_victim"

	# The twin: the container's own shell.
	run worst_case restricted --user 1000 -- sh -c "$(task_attacks '$$')"
	assert_output "$(expect_all escaped "${TASK_TECHNIQUES[@]}")"
}

# ---- capabilities and root through io_uring ---------------------------------------

@test "io_uring: privileged sets a trusted xattr through a worker after a credential change; baseline and restricted are refused as directly" {
	local policy
	run worst_case privileged -- sh -c 'f=$(mktemp); escape xattr $f; escape uring-xattr $f'
	assert_output "escaped
escaped"
	for policy in baseline restricted; do
		if [ "$policy" = restricted ]; then
			run worst_case restricted --user 1000 -- sh -c 'f=$(mktemp); escape xattr $f; escape uring-xattr $f'
		else
			run worst_case baseline -- sh -c 'f=$(mktemp); escape xattr $f; escape uring-xattr $f'
		fi
		assert_output "blocked: setxattr: Operation not permitted
blocked: IORING_OP_SETXATTR: Operation not permitted"
		# Refused twice by lockc: to the task, and to its io_uring worker.
		run "$LOCKCCTL" --json events
		[ "$(jq -r --arg name "$(cat "$BATS_TEST_TMPDIR/$policy.name")" 'select(.container == $name
			and .operation == "capability" and .value == "capability=sys_admin") | .comm | sub("-[0-9]+$"; "")' \
			<<<"$output")" = "escape
iou-wrk" ]
	done
}

@test "io_uring: privileged opens root's file with a personality registered as root after setresuid(1000); baseline refuses it as becoming root" {
	echo secret >"$VICTIMS/root-only"
	chmod 0600 "$VICTIMS/root-only"
	chown 0:0 "$VICTIMS/root-only"
	run worst_case privileged -- escape uring-personality "/rootfs$VICTIMS/root-only"
	assert_output escaped
	# In the container's own tree, which baseline may open.
	run worst_case baseline -- sh -c 'echo secret >/tmp/root-only; chmod 0600 /tmp/root-only
		escape uring-personality /tmp/root-only'
	assert_output "blocked: IORING_OP_OPENAT: Operation not permitted"
	run denials_under baseline become-root
	assert_output "become-root uid0=real "
}

# The kernel's own borrowing of credentials must keep working: overlayfs
# copies a lower file up with the mounter's, file capability included.
@test "overlayfs: baseline writes to a lower file of an overlay the host mounted, which copies it up, capability xattr and all" {
	local ovl=$BATS_TEST_TMPDIR/ovl
	# On a tmpfs of its own: the guest's root is an overlay, which cannot be an upper layer.
	mkdir "$ovl"
	mount -t tmpfs tmpfs "$ovl"
	mkdir "$ovl"/{lower,upper,work,merged}
	echo lower >"$ovl/lower/file"
	cp /bin/true "$ovl/lower/tool"
	cp /bin/true "$ovl/lower/capped"
	python3 -c 'import os, sys; os.setxattr(sys.argv[1], "security.capability",
		bytes.fromhex("0000000200200000000000000000000000000000"))' "$ovl/lower/capped"
	mount -t overlay overlay -o "lowerdir=$ovl/lower,upperdir=$ovl/upper,workdir=$ovl/work" "$ovl/merged"
	run worst_case baseline --mount "$ovl/merged:/data" -- sh -c 'echo changed >>/data/file && cat /data/file
		chown 1000 /data/tool && echo chowned; chmod 0700 /data/capped && echo chmodded'
	assert_output "lower
changed
chowned
chmodded"
	[ "$(cat "$ovl/upper/file")" = "lower
changed" ]
	[ "$(stat -c %u "$ovl/upper/tool")" -eq 1000 ]
	[ "$(python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "security.capability").hex())' \
		"$ovl/upper/capped")" = 0000000200200000000000000000000000000000 ]
	run denials_under baseline
	assert_output ""
}

# ---- bpffs: lockc's pins ------------------------------------------------------

@test "bpffs: privileged removes a pin through the host's /; baseline and restricted remove neither it nor lockc's own" {
	bpftool map create "$DECOY_PIN" type array key 4 value 4 entries 1 name lockc_decoy
	run worst_case privileged -- escape unlink "/rootfs$DECOY_PIN"
	assert_output escaped
	[ ! -e "$DECOY_PIN" ]

	bpftool map create "$DECOY_PIN" type array key 4 value 4 entries 1 name lockc_decoy
	run worst_case baseline -- sh -c "$(attempts <<-ATTACKS
		unlink /rootfs$DECOY_PIN
		unlink /rootfs/sys/fs/bpf/lockc/links/lockc_file_open
		rename /rootfs/sys/fs/bpf/lockc/links /rootfs/sys/fs/bpf/lockc/gone
		ATTACKS
		)"
	assert_output "$(expect_all blocked unlink unlink rename)"
	run denials_under baseline kernel-tunable
	assert_output "kernel-tunable - /rootfs/sys/fs/bpf/lockc-decoy
kernel-tunable - /rootfs/sys/fs/bpf/lockc/links
kernel-tunable - /rootfs/sys/fs/bpf/lockc/links/lockc_file_open"
	run worst_case restricted --user 1000 -- escape unlink "/rootfs$DECOY_PIN"
	assert_output "blocked: unlink: Operation not permitted"
	[ -e "$DECOY_PIN" ]
	[ -e /sys/fs/bpf/lockc/links/lockc_file_open ]
	[ "$(lockc_link_ids | wc -l)" -eq "$(kernel_manifest | grep -c '^program')" ]
}

# ---- cgroupfs: the host's cgroups --------------------------------------------

# A host cgroup with a host process in it, for cgroup.kill and cgroup.procs.
start_victim_cgroup() {
	mkdir -p "$VICTIM_CGROUP"
	bash -c 'echo $$ >"$1/cgroup.procs" && exec sleep 1000' victim "$VICTIM_CGROUP" &
	# A cgroup file's size is always 0: read it.
	local i
	for ((i = 0; i < 100; i++)); do
		[ -z "$(cat "$VICTIM_CGROUP/cgroup.procs")" ] || break
		sleep 0.1
	done
	chown -R 1000:1000 "$VICTIM_CGROUP"
}

cgroup_attacks() {
	attempts <<-ATTACKS
	write $VICTIM_CGROUP/cgroup.kill 1
	write $VICTIM_CGROUP/cgroup.procs 0
	mkdir $VICTIM_CGROUP/child
	write /sys/fs/cgroup/$CONTAINER_CGROUP_PARENT/\$(cat /proc/self/cgroup | cut -d/ -f3)/cgroup.max.depth max
	ATTACKS
}

@test "cgroups: privileged kills a host cgroup, moves into it and raises its own limits; baseline and restricted do none of it" {
	local policy
	start_victim_cgroup
	run worst_case privileged -- sh -c "$(cgroup_attacks)"
	assert_output "$(expect_all escaped write write mkdir write)"
	rmdir "$VICTIM_CGROUP/child"

	for policy in baseline restricted; do
		[ -n "$(cat "$VICTIM_CGROUP/cgroup.procs")" ] || start_victim_cgroup
		if [ "$policy" = restricted ]; then
			run worst_case restricted --user 1000 -- sh -c "$(cgroup_attacks)"
		else
			run worst_case baseline -- sh -c "$(cgroup_attacks)"
		fi
		assert_output "$(expect_all blocked write write mkdir write)"
		[ -n "$(cat "$VICTIM_CGROUP/cgroup.procs")" ]
		[ ! -e "$VICTIM_CGROUP/child" ]
		run denials_under "$policy" kernel-tunable
		# As uid 1000 the kernel refuses the container's own limits before lockc is asked.
		if [ "$policy" = baseline ]; then
			assert_output "kernel-tunable - /sys/fs/cgroup/$CONTAINER_CGROUP_PARENT/$(cat "$BATS_TEST_TMPDIR/baseline.name")/cgroup.max.depth
kernel-tunable - $VICTIM_CGROUP/cgroup.kill
kernel-tunable - $VICTIM_CGROUP/cgroup.procs
kernel-tunable - $VICTIM_CGROUP/child"
		else
			assert_output "kernel-tunable - $VICTIM_CGROUP/cgroup.kill
kernel-tunable - $VICTIM_CGROUP/cgroup.procs
kernel-tunable - $VICTIM_CGROUP/child"
		fi
	done
}

@test "cgroups: the allowed twin, baseline makes a child of its own cgroup, moves into it, limits it and removes it" {
	run worst_case baseline -- sh -c 'own=/sys/fs/cgroup/'"$CONTAINER_CGROUP_PARENT"'/$(cut -d/ -f3 /proc/self/cgroup)
		escape mkdir $own/child && escape write $own/child/cgroup.procs 0 &&
		escape write $own/child/cgroup.max.depth 1 && escape write $own/cgroup.procs 0 && rmdir $own/child && echo done'
	assert_output "escaped
escaped
escaped
escaped
done"
	run denials_under baseline
	assert_output ""
}

# A change allowed in a directory answers for its other entries only where
# the path alone decides (map allowed_dirs): on cgroupfs the name does.
@test "cgroups: after baseline makes a child of its own cgroup, that cgroup's own limits stay refused" {
	run worst_case baseline -- sh -c 'own=/sys/fs/cgroup/'"$CONTAINER_CGROUP_PARENT"'/$(cut -d/ -f3 /proc/self/cgroup)
		'"$(attempts <<-ATTACKS
		mkdir \$own/child
		write \$own/cgroup.max.depth max
		ATTACKS
		)"'
		rmdir $own/child'
	assert_output "mkdir escaped
write blocked"
	run denials_under baseline kernel-tunable
	assert_output "kernel-tunable - /sys/fs/cgroup/$CONTAINER_CGROUP_PARENT/$(cat "$BATS_TEST_TMPDIR/baseline.name")/cgroup.max.depth"
}
