#!/usr/bin/env bats
# Argument and precondition handling of the control-plane scripts and the VM
# harness; nothing here loads BPF (the host kernel refuses LSM programs).

load ../helpers

@test "the scripts print their usage with --help" {
	for script in lockc-load lockc-unload; do
		run "$SCRIPTS/$script" --help
		assert_status 0
		assert_output "usage: $script [--pin-dir DIR]"
	done
	run "$SCRIPTS/lockc-status" --help
	assert_status 0
	assert_output "usage: lockc-status [--json] [--pin-dir DIR]"
}

@test "an unknown argument is a usage error, exit 2" {
	for script in lockc-load lockc-unload lockc-status; do
		run "$SCRIPTS/$script" --bogus
		assert_status 2
		assert_output_contains "usage: $script"
	done
}

@test "the scripts refuse to run as a regular user" {
	# A stand-in id(1): the clone may sit where a real regular user cannot read.
	mkdir "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\necho 1000\n' >"$BATS_TEST_TMPDIR/bin/id"
	chmod +x "$BATS_TEST_TMPDIR/bin/id"
	for script in lockc-load lockc-unload lockc-status; do
		PATH=$BATS_TEST_TMPDIR/bin:$PATH run "$SCRIPTS/$script"
		assert_status 1
		assert_output "$script: must run as root (BPF and bpffs need CAP_SYS_ADMIN); rerun with sudo."
	done
}

@test "lockc-load refuses a bpftool that cannot attach LSM programs" {
	mkdir "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\necho "bpftool v7.1.0"\n' >"$BATS_TEST_TMPDIR/bin/bpftool"
	chmod +x "$BATS_TEST_TMPDIR/bin/bpftool"
	PATH=$BATS_TEST_TMPDIR/bin:$PATH run "$SCRIPTS/lockc-load"
	assert_status 1
	assert_output "lockc-load: bpftool 7.1.0 cannot attach LSM programs; install bpftool 7.2 or newer (Debian 12: from bookworm-backports)."
}

@test "lockc-load says what to build when the object is missing" {
	LOCKC_OBJECT_DIR=$BATS_TEST_TMPDIR run "$SCRIPTS/lockc-load"
	assert_status 1
	assert_output "lockc-load: $BATS_TEST_TMPDIR/lockc.bpf.o is missing; build lockc with make (or set LOCKC_OBJECT_DIR)."
}

@test "the manifest lists every program and map of the object" {
	run cat "$PROJECT/build/lockc.manifest"
	assert_status 0
	assert_output "program lockc_arm
program lockc_inherit
program lockc_cred_prepare
program lockc_cred_transfer
program lockc_cred_free
program lockc_forget
program lockc_unix_connect
program lockc_unix_send
program lockc_mqueue_unlink
program lockc_msgq_made
program lockc_shm_made
program lockc_sem_made
program lockc_msgq_gone
program lockc_shm_gone
program lockc_sem_gone
program lockc_ipc_permission
program lockc_msgq_ctl
program lockc_shm_ctl
program lockc_sem_ctl
program lockc_file_open
program lockc_mknod
program lockc_path_truncate
program lockc_path_chmod
program lockc_path_chown
program lockc_path_mkdir
program lockc_path_mknod
program lockc_path_symlink
program lockc_path_unlink
program lockc_path_rmdir
program lockc_path_link
program lockc_path_rename
program lockc_setxattr
program lockc_removexattr
program lockc_setattr
program lockc_sb_mount
program lockc_follow_link
program lockc_sb_umount
program lockc_sb_remount
program lockc_move_mount
program lockc_fs_param
program lockc_sb_pivotroot
program lockc_chroot
program lockc_exec
program lockc_mmap_exec
program lockc_mprotect_exec
program lockc_setuid
program lockc_exec_creds
program lockc_uring_creds
program lockc_capable
program lockc_signal
program lockc_setnice
program lockc_setioprio
program lockc_setscheduler
program lockc_setrlimit
program lockc_movememory
program lockc_fcntl
program lockc_ioctl
program lockc_ioctl_compat
program lockc_ptrace
program lockc_ptrace_traceme
program lockc_socket_create
program lockc_net_connect
program lockc_net_bind
program lockc_net_listen
program lockc_net_send
program lockc_syslog
program lockc_bpf
program lockc_perf_event
program lockc_key_alloc
program lockc_key_permission
program lockc_settime
program lockc_kernel_read_file
program lockc_kernel_load_data
program lockc_module_request
program lockc_userns_create
map containers
map guards
map own_mounts
map policies
map rules
map armed_tasks
map path_changes
map tree_changes
map task_creds
map allowed_inodes
map allowed_dirs
map loaded_object
map events
map ipc_owners
map event_budgets
map event_stats
map learned
map learned_names
map scratch_slots"
}

@test "vmtest/run without a command is a usage error" {
	run "$PROJECT/vmtest/run"
	assert_status 2
	assert_output_contains "usage: vmtest/run"
}

@test "vmtest/run refuses --cpus that is not a positive number" {
	run "$PROJECT/vmtest/run" --cpus 0 -- true
	assert_status 2
	assert_output "vmtest: --cpus wants a number of vCPUs, not '0'."
}

@test "vmtest/run --icount refuses more than one vCPU" {
	run "$PROJECT/vmtest/run" --icount --cpus 2 -- true
	assert_status 2
	assert_output "vmtest: --icount runs one vCPU, not 2; drop --cpus."
}

@test "vmtest/run --icount boots one vCPU and tells the command so" {
	# shellcheck disable=SC2016 # expanded by the guest's shell
	run "$PROJECT/vmtest/run" --icount -- sh -c 'echo "$LOCKC_VM_ACCEL $(nproc)"'
	assert_status 0
	assert_output "icount 1"
}

@test "bats-files runs each file on its own between the lines tests/run reads, and fails when one fails" {
	mkdir "$BATS_TEST_TMPDIR/suite"
	printf '@test "passes" { true; }\n' >"$BATS_TEST_TMPDIR/suite/a.bats"
	printf '@test "fails" { false; }\n@test "skips" { skip; }\n' >"$BATS_TEST_TMPDIR/suite/b.bats"
	run "$PROJECT/tests/bats-files" "$BATS_TEST_TMPDIR/suite"
	assert_status 1
	[ "${lines[0]}" = "# file suite/a.bats" ]
	[ "${lines[1]}" = "1..1" ]
	[[ ${lines[2]} =~ ^ok\ 1\ passes\ in\ [0-9]+ms$ ]]
	[[ ${lines[3]} =~ ^#\ file\ suite/a\.bats:\ [0-9]+\ s,\ exit\ 0$ ]]
	[ "${lines[4]}" = "# file suite/b.bats" ]
	[[ ${lines[-1]} =~ ^#\ file\ suite/b\.bats:\ [0-9]+\ s,\ exit\ 1$ ]]
}

@test "tests/durations names suite files that exist, each with a whole number of seconds" {
	run awk '!/^#/ && NF' "$PROJECT/tests/durations"
	assert_status 0
	[ "${#lines[@]}" -gt 0 ]
	for line in "${lines[@]}"; do
		read -r file seconds extra <<<"$line"
		[ -f "$PROJECT/tests/$file" ] || { echo "tests/durations names $file, which is no suite file."; false; }
		[[ $seconds =~ ^[1-9][0-9]*$ ]] && [ -z "$extra" ] || { echo "tests/durations: '$line' is not FILE SECONDS."; false; }
	done
}

@test "vmtest/run names the kernels it knows" {
	run "$PROJECT/vmtest/run" -k 2.6 -- true
	assert_status 1
	assert_output "fetch-kernel: no kernel named '2.6' in vmtest/kernels; choose one of: 6.1 6.12 newest "
}

@test "vmtest/run returns the guest command's status and output" {
	# shellcheck disable=SC2016 # expanded by the guest's shell
	run "$PROJECT/vmtest/run" -- sh -c 'echo "in the guest: $LOCKC_VM_KERNEL"; exit 7'
	assert_status 7
	assert_output "in the guest: 6.1"
}

@test "vmtest/run stops a guest that hangs" {
	run "$PROJECT/vmtest/run" --timeout 5 -- sleep 600
	assert_status 124
	assert_output_contains "vmtest: the guest (kernel 6.1) did not finish within 5 s and was stopped"
}

@test "vmtest/run boots a guest that dies while booting once more, then reports a failure" {
	# With no init to hand over to, the guest panics and reboots at once.
	run "$PROJECT/vmtest/run" --append "rdinit=/nonexistent" -- true
	assert_status 125
	assert_output_contains "vmtest: the guest (kernel 6.1) died while booting; booting it once more."
	assert_output_contains "vmtest: the guest (kernel 6.1) died before the command finished"
	# The console from the kernel's report on, and all of it in the build directory.
	assert_output_contains "Kernel panic"
	grep -q "Kernel panic" "$PROJECT/build/vmtest/console-6.1.log"
}

@test "vmtest/run does not boot again when the command itself kills the guest" {
	run "$PROJECT/vmtest/run" -- sh -c 'echo c >/proc/sysrq-trigger'
	assert_status 125
	assert_output_contains "vmtest: the guest (kernel 6.1) died before the command finished"
	[[ $output != *"booting it once more"* ]]
}

@test "install-deps is idempotent" {
	run "$SCRIPTS/install-deps"
	assert_status 0
	assert_output "install-deps: every dependency is installed."
}
