#!/usr/bin/env bats
# Booted WITHOUT bpf in lsm=: the kernel would accept and "attach" LSM
# programs that never run, so lockc-load must refuse and pin nothing.

load ../vm

setup() {
	require_vm
}

@test "the kernel really runs without the BPF LSM" {
	run cat /sys/kernel/security/lsm
	[[ ,$output, != *,bpf,* ]]
}

@test "lockc-load refuses, names the boot parameter and pins nothing" {
	lsms=$(cat /sys/kernel/security/lsm)
	run "$SCRIPTS/lockc-load"
	assert_status 1
	assert_output "lockc-load: the kernel's active LSMs are '$lsms', without bpf, so lockc's programs would never run; add lsm=$lsms,bpf to the kernel command line and reboot."
	[ ! -e /sys/fs/bpf/lockc ]
	[ -z "$(lockc_link_ids)" ]
}

@test "lockc-status says lockc is not enforcing here" {
	run "$SCRIPTS/lockc-status"
	assert_status 3
	assert_output_contains "bpf missing: BPF LSM programs do not run; add bpf to lsm= on the kernel command line"
}
