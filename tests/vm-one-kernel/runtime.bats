#!/usr/bin/env bats
# lockc-runtime in front of real runc and crun, with the command lines
# containerd's runc shim issues: the container is registered between create
# and start, a forbidden spec is deleted at create with the reason in the
# runtime log, and every other command passes through.

load ../vm

setup_file() {
	load_lockc_for_containers
}

teardown_file() {
	leave_lockc_loaded
}

setup() {
	ROOT=$BATS_TEST_TMPDIR/state
	TASK=$BATS_TEST_TMPDIR/task
	mkdir -p "$TASK"
}

teardown() {
	local runtime name
	for runtime in runc crun; do
		for name in $("$runtime" --root "$ROOT" list -q 2>/dev/null); do
			"$runtime" --root "$ROOT" delete --force "$name" >/dev/null 2>&1
		done
	done
}

# shim RUNTIME ARGS...: lockc-runtime for RUNTIME with the shim's global options.
shim() {
	LOCKC_RUNTIME=$1 "$SCRIPTS/lockc-runtime" --root "$ROOT" --log "$TASK/log.json" --log-format json "${@:2}"
}

@test "runc and crun behind lockc-runtime: registered at create, confined from the start, every command passes" {
	local runtime name
	for runtime in runc crun; do
		name=c$RANDOM
		bundle_create "$name" --annotation org.lockc.policy=restricted --user 1000 -- sh -c 'cat /usr/file; cat /proc/kallsyms; sleep 1000'
		shim "$runtime" create --bundle "$CONTAINER_DIR/$name" --pid-file "$TASK/init.pid" "$name" \
			>"$CONTAINER_DIR/$name/output" 2>&1 </dev/null
		run "$LOCKCCTL" --json container list
		[ "$(jq -r --arg name "$name" '.[] | select(.name == $name) | .policy' <<<"$output")" = restricted ]
		shim "$runtime" start "$name"
		sleep 1
		run cat "$CONTAINER_DIR/$name/output"
		assert_output "in the image
cat: can't open '/proc/kallsyms': Operation not permitted"
		run shim "$runtime" exec --user 1000 "$name" cat /proc/kallsyms
		assert_output "cat: can't open '/proc/kallsyms': Operation not permitted"
		[ "$(shim "$runtime" state "$name" | jq -r .status)" = running ]
		shim "$runtime" kill "$name" KILL
		shim "$runtime" delete --force "$name"
		[ -z "$(shim "$runtime" list -q)" ]
	done
}

@test "a spec that mounts the host's root is deleted at create; the reason is in the shim's log (runc, crun)" {
	local runtime name
	for runtime in runc crun; do
		name=c$RANDOM
		: >"$TASK/log.json"
		bundle_create "$name" --annotation org.lockc.policy=restricted --mount /:/rootfs -- true
		run shim "$runtime" create --bundle "$CONTAINER_DIR/$name" --pid-file "$TASK/init.pid" "$name"
		assert_status 1
		assert_output "lockc-runtime: lockc refuses container $name: policy 'restricted' (chosen by annotation org.lockc.policy) does not allow the host path / mounted at /rootfs; remove the mount, add 'allow volume /' to the policy, or choose another policy."
		[ -z "$("$runtime" --root "$ROOT" list -q)" ]
		[ "$(jq -r 'select(.level == "error") | .msg' "$TASK/log.json" | tail -n 1)" = "$output" ]
	done
	# Its twin under the privileged namespace starts.
	name=c$RANDOM
	bundle_create "$name" --annotation io.kubernetes.pod.namespace=kube-system --mount /:/rootfs -- true
	shim runc create --bundle "$CONTAINER_DIR/$name" "$name" </dev/null >/dev/null 2>&1
	[ "$(shim runc state "$name" | jq -r .status)" = created ]
}

@test "the hook in the spec and lockc-runtime together register the container once" {
	local name=c$RANDOM
	bundle_create "$name" --hook --annotation org.lockc.policy=baseline -- sleep 1000
	shim runc create --bundle "$CONTAINER_DIR/$name" "$name" </dev/null >/dev/null 2>&1
	run "$LOCKCCTL" --json container list
	[ "$(jq -r --arg name "$name" '[.[] | select(.name == $name)] | length' <<<"$output")" = 1 ]
}
