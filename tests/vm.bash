# shellcheck shell=bash
# shellcheck disable=SC2034 # the paths are read by the suites
# What the VM suites share (they load this instead of helpers.bash, which it
# loads): containers (vmtest/containers.sh), lockc loaded once per boot,
# registrations and containers cleaned up, the kernel's hooks and lockc's
# links, events, cgroups and the host-side peers (a socket, syslog).

# shellcheck source=helpers.bash
. "$(dirname "${BASH_SOURCE[0]}")/helpers.bash"

# Containers for the VM suites; bundles live in the test file's directory.
LOCKC_PROJECT=$PROJECT
CONTAINER_DIR=${BATS_FILE_TMPDIR:-/tmp}/containers
# shellcheck source=../vmtest/containers.sh
. "$PROJECT/vmtest/containers.sh"

# VM suites only make sense in the guest that vmtest/run booted.
require_vm() {
	[ -n "${LOCKC_VM_KERNEL:-}" ] || {
		echo "this suite runs inside the VM; use tests/run or vmtest/run" >&2
		return 1
	}
}

# The LSM hooks this kernel has, one a line, from its BTF (bpf_lsm_NAME).
kernel_hooks() {
	grep -a -o 'bpf_lsm_[a-z0-9_]*' /sys/kernel/btf/vmlinux | sed 's/^bpf_lsm_//' | LC_ALL=C sort -u
}

# The supplements of the build (build/lockc.supplements) that this kernel
# has every hook of, one a line.
kernel_supplements_taken() {
	local name hooks
	hooks=$(kernel_hooks)
	while read -r name; do
		[ -n "$(LC_ALL=C comm -23 <(LC_ALL=C sort -u "$PROJECT/build/$name.hooks") <(echo "$hooks"))" ] || echo "$name"
	done <"$PROJECT/build/lockc.supplements"
}

# What a load pins on this kernel: build/lockc.manifest, and the programs of
# each supplement the kernel takes.
kernel_manifest() {
	local name
	cat "$PROJECT/build/lockc.manifest"
	for name in $(kernel_supplements_taken); do
		awk '$1 == "program"' "$PROJECT/build/$name.manifest"
	done
}

# The ids of every attached link whose program is one of lockc's (the kernel
# keeps the first 15 characters of a program's name; bpftool may print the
# whole name from BTF).
lockc_link_ids() {
	local names progs
	names=$(kernel_manifest | awk '$1 == "program" { print substr($2, 1, 15) }' | jq -R . | jq -sc .)
	progs=$(bpftool prog list -j | jq -c --argjson names "$names" '[.[] | select(.name[0:15] as $n | $names | index($n)) | .id]')
	bpftool link list -j | jq -r --argjson progs "$progs" '.[] | select(.prog_id as $p | $progs | index($p)) | .id'
}

# The denials of container $1 (its name; without one, of every container)
# that lockc reported since the last read, as "decision operation value
# detail", one a line; a SysV IPC id, which the kernel picks, reads as id=N.
denials_of() {
	"$LOCKCCTL" --json events | jq -r --arg name "${1-}" \
		'select($name == "" or .container == $name)
		| "\(.decision) \(.operation) \(.value // "-") \(if .detail == "" then "-" else .detail end)"' |
		sed 's/ id=[0-9]* / id=N /'
}

# Run a command as a member of cgroup $1 (a path below /sys/fs/cgroup).
in_cgroup() {
	local cgroup=$1
	shift
	bash -c 'echo $$ >"/sys/fs/cgroup/$1/cgroup.procs" && shift && exec "$@"' in_cgroup "$cgroup" "$@"
}

# bpftool's "hex" words for an unsigned integer of $2 bytes, little-endian.
le_hex() {
	local value=$1 bytes=$2 i
	for ((i = 0; i < bytes; i++)); do printf '%02x ' $(((value >> (8 * i)) & 0xff)); done
}

# bpftool's "hex" words for string $1 in a NUL-padded char[$2].
string_hex() {
	local text=$1 size=$2 i
	for ((i = 0; i < size; i++)); do
		if [ "$i" -lt "${#text}" ]; then printf '%02x ' "'${text:i:1}"; else printf '00 '; fi
	done
}

# setup_file of the suites that need lockc loaded: loaded (or kept as the
# suite before left it), with no registration.
load_lockc() {
	require_vm
	"$SCRIPTS/lockc-load" >/dev/null
	delete_registrations
}

# setup_file of the suites that run containers: lockc loaded, the cgroup
# parent of every test container made.
load_lockc_for_containers() {
	load_lockc
	mkdir -p "/sys/fs/cgroup/$CONTAINER_CGROUP_PARENT"
}

# teardown_file of the suites that load lockc: leave it loaded for the next
# suite of the same boot, whose lockc-load then finds it complete and keeps
# it (a load and an unload cost half a minute under emulation), with none
# of this suite's registrations left. A suite that tests loading starts
# with start_unloaded instead.
leave_lockc_loaded() {
	delete_registrations
}

# setup_file of the suites that load and unload lockc themselves: from
# nothing loaded, whatever the suite before left.
start_unloaded() {
	require_vm
	"$SCRIPTS/lockc-unload" >/dev/null
}

# setup of the suites that load lockc once per file: load it again if a test
# unloaded it (lockc-load is seconds under emulation, once per test too many).
ensure_lockc_loaded() {
	[ -e /sys/fs/bpf/lockc/maps/containers ] || "$SCRIPTS/lockc-load" >/dev/null
}

# teardown of those suites: every registration deleted (none when lockc is
# not loaded), so that the next test starts with none.
delete_registrations() {
	local id
	for id in $("$LOCKCCTL" --json container list 2>/dev/null | jq -r '.[].cgroup_id'); do
		"$LOCKCCTL" container delete id "$id" >/dev/null
	done
}

# Every runc and crun container of the default state directories, removed
# with its registration.
remove_test_containers() {
	local name
	for name in $(runc list -q 2>/dev/null); do container_remove runc "$name"; done
	for name in $(crun list -q 2>/dev/null); do container_remove crun "$name"; done
}

# wait_until SECONDS COMMAND...: run COMMAND (quietly) until it succeeds,
# at most SECONDS.
wait_until() {
	local seconds=$1 i
	shift
	for ((i = 0; i < seconds * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "wait_until: $* still fails after $seconds s" >&2
	return 1
}

# Real dockerd with lockc's daemon.json as docs/runtimes.md says
# (lockc-runtime the default runtime), its storage on a tmpfs: overlayfs
# cannot stack on the guest's overlay root. stop_dockerd undoes it.
start_dockerd() {
	mkdir -p /var/lib/docker /etc/docker
	mount -t tmpfs tmpfs /var/lib/docker
	sed "s|@SBINDIR@|$SCRIPTS|" "$SCRIPTS/examples/docker-daemon.json.in" >/etc/docker/daemon.json
	dockerd >"$BATS_FILE_TMPDIR/dockerd.log" 2>&1 &
	echo $! >"$BATS_FILE_TMPDIR/dockerd.pid"
	wait_until 120 docker info
}

stop_dockerd() {
	docker ps -aq | xargs -r docker rm --force >/dev/null 2>&1
	kill "$(cat "$BATS_FILE_TMPDIR/dockerd.pid")"
	wait_until 60 sh -c '! docker info'
	wait_until 30 umount /var/lib/docker
	rm -f /etc/docker/daemon.json
}

# Real podman with lockc's hooks.d file and nothing else, its storage on
# tmpfs (overlayfs cannot stack on the guest's overlay root). podman keeps
# its per-container files (hosts, .containerenv) under /run/containers.
# unmount_podman_storage undoes it.
PODMAN=(podman --cgroup-manager cgroupfs --events-backend file --hooks-dir "$PROJECT/build/hooks.d")
mount_podman_storage() {
	mkdir -p /var/lib/containers /run/containers
	mount -t tmpfs tmpfs /var/lib/containers
	mount -t tmpfs tmpfs /run/containers
}

unmount_podman_storage() {
	"${PODMAN[@]}" rm --all --force >/dev/null 2>&1
	umount /var/lib/containers /run/containers
}

# Real containerd (Debian's, with its runc shim) configured as
# docs/runtimes.md says: Debian's /etc/containerd/config.toml with lockc's
# example appended, its storage on tmpfs. The pods' pause image is $IMAGE
# (the suite's own: the VM reaches no registry), which the suite imports
# into namespace k8s.io. stop_containerd undoes it.
CRI=$PROJECT/tests/engines/cri-client
start_containerd() {
	mkdir -p /var/lib/containerd "$BATS_FILE_TMPDIR/pods"
	mount -t tmpfs tmpfs /var/lib/containerd
	{
		sed "s|^  \\[plugins.\"io.containerd.grpc.v1.cri\"\\]\$|&\\n    sandbox_image = \"$IMAGE\"|" /etc/containerd/config.toml
		sed "s|@SBINDIR@|$SCRIPTS|" "$SCRIPTS/examples/containerd-config.toml.in"
	} >"$BATS_FILE_TMPDIR/config.toml"
	grep -q "sandbox_image = \"$IMAGE\"" "$BATS_FILE_TMPDIR/config.toml"
	containerd --config "$BATS_FILE_TMPDIR/config.toml" >"$BATS_FILE_TMPDIR/containerd.log" 2>&1 &
	echo $! >"$BATS_FILE_TMPDIR/containerd.pid"
	wait_until 120 ctr version
}

stop_containerd() {
	kill "$(cat "$BATS_FILE_TMPDIR/containerd.pid")"
	wait_until 60 sh -c '! ctr version'
	# The shims outlive containerd; their containers are gone by now.
	pkill -f containerd-shim-runc-v2 || true
	wait_until 30 umount /var/lib/containerd
}

# The pods run_pod started, for remove_pods.
PODS=()

# A pod as the kubelet asks for one: name $1 in namespace $2, annotations
# $3 (a JSON object), running as uid 1000 in the node's network. Sets POD
# (its id) and POD_CONFIG (its config file).
run_pod() {
	POD_CONFIG=$BATS_FILE_TMPDIR/pods/$1.json
	jq -n --arg name "$1" --arg ns "$2" --argjson annotations "$3" --arg logs "$BATS_FILE_TMPDIR/pods/$1" \
		'{metadata: {name: $name, namespace: $ns, uid: $name}, annotations: $annotations, log_directory: $logs,
		  linux: {cgroup_parent: "/kubepods/besteffort/pod\($name)",
			  security_context: {namespace_options: {network: "NODE"}, run_as_user: {value: 1000}}}}' \
		>"$POD_CONFIG"
	POD=$("$CRI" runp "$POD_CONFIG")
	PODS+=("$POD")
}

# A container $1 of the current pod, from image $IMAGE, as uid $2, with
# mounts $3 (a JSON array of CRI mounts) and the ContainerConfig fields of
# $4 (a JSON object: command, envs, working_dir...) over the defaults; its
# command sleeps. Sets CONTAINER; the create is the test's to check.
create_container() {
	local config=$BATS_FILE_TMPDIR/pods/$1.container.json fields=${4:-}
	[ -n "$fields" ] || fields='{}'
	jq -n --arg name "$1" --arg image "$IMAGE" --argjson uid "$2" --argjson mounts "${3:-[]}" --argjson fields "$fields" \
		'{metadata: {name: $name}, image: {image: $image}, command: ["sleep", "1000"], log_path: "\($name).log",
		  mounts: $mounts, linux: {security_context: {run_as_user: {value: $uid}}}} + $fields' >"$config"
	CONTAINER=$("$CRI" create "$POD" "$config" "$POD_CONFIG")
}

# Stop and remove every pod run_pod started, with its containers.
remove_pods() {
	local pod
	for pod in "${PODS[@]}"; do
		"$CRI" stopp "$pod" || true
		"$CRI" rmp "$pod" || true
	done
	PODS=()
}

# wait_for TEST PATH: until `test TEST PATH` holds, at most 10 s
# (wait_for -e SOCKET, wait_for -s OUTPUT).
wait_for() {
	wait_until 10 test "$1" "$2"
}

# "name policy" of every registration, one a line.
registrations() {
	"$LOCKCCTL" --json container list | jq -r '.[] | "\(.name) \(.policy)"'
}

# A host service that containers must not reach: a UNIX socket listening at
# $BATS_FILE_TMPDIR/host-sockets/docker.sock until stop_host_socket.
start_host_socket() {
	mkdir -p "$BATS_FILE_TMPDIR/host-sockets"
	"$PROJECT/build/probe" serve "$BATS_FILE_TMPDIR/host-sockets/docker.sock" >/dev/null &
	echo $! >"$BATS_FILE_TMPDIR/server.pid"
	# Connectable by any uid, as a socket in the docker group is to its
	# members: only lockc is left to refuse a container's connect.
	for _ in $(seq 50); do
		[ -S "$BATS_FILE_TMPDIR/host-sockets/docker.sock" ] && break
		sleep 0.1
	done
	chmod 666 "$BATS_FILE_TMPDIR/host-sockets/docker.sock"
}

stop_host_socket() {
	kill "$(cat "$BATS_FILE_TMPDIR/server.pid")" 2>/dev/null
}

# A syslog daemon writing to $BATS_FILE_TMPDIR/syslog until stop_syslog:
# the guest has none, and lockc's hook logs there.
start_syslog() {
	busybox syslogd -n -O "$BATS_FILE_TMPDIR/syslog" &
	echo $! >"$BATS_FILE_TMPDIR/syslogd.pid"
}

stop_syslog() {
	kill "$(cat "$BATS_FILE_TMPDIR/syslogd.pid")"
}

# assert_logged TEXT: the syslog has a line with TEXT (syslogd writes
# asynchronously, so give it two seconds).
assert_logged() {
	local i
	for ((i = 0; i < 20; i++)); do
		grep -qF -- "$1" "$BATS_FILE_TMPDIR/syslog" && return 0
		sleep 0.1
	done
	echo "syslog has no line with: $1" >&2
	cat "$BATS_FILE_TMPDIR/syslog" >&2
	return 1
}

# apply_policy_variant NAME BASE LINE...: apply policy NAME, which is shipped
# policy BASE with every rule of the classes that LINEs name replaced by the
# LINEs, so that a test can grant, say, every capability and see the hook
# behind it decide.
apply_policy_variant() {
	local name=$1 base=$2 line classes=" "
	shift 2
	for line; do
		read -r _ class _ <<<"$line"
		classes+="$class "
	done
	awk -v classes="$classes" 'index(classes, " " $2 " ") == 0' "$POLICY_DEFAULTS/$base.policy" \
		>"$BATS_FILE_TMPDIR/$name.policy"
	printf '%s\n' "$@" >>"$BATS_FILE_TMPDIR/$name.policy"
	"$LOCKCCTL" policy apply "$BATS_FILE_TMPDIR/$name.policy" >/dev/null
}
