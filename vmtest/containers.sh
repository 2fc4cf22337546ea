# shellcheck shell=bash
# Real OCI containers for the VM suites and `make demo`: a busybox rootfs
# built on the fly, a bundle written with `runc spec` and jq, and the flow
# a runtime integration must follow: create -> register -> start.
#
# Source it, set LOCKC_PROJECT (the source tree) and CONTAINER_DIR (where
# bundles go), then call the functions. Every container's cgroup is
# /sys/fs/cgroup/lockc-tests/NAME.

CONTAINER_CGROUP_PARENT=lockc-tests

# A busybox rootfs with the probe, a /usr and a /usrx for boundary checks,
# and a service-account token at the path and length kubelet gives it.
# Built once per boot (a link per busybox applet is a process each, seconds
# under software emulation) into $ROOTFS_TEMPLATE, and copied from there.
ROOTFS_TEMPLATE=${ROOTFS_TEMPLATE:-/run/lockc-test-rootfs}
make_rootfs() {
	local rootfs=$1 input stage
	for input in /bin/busybox "$LOCKC_PROJECT/build/probe" "$LOCKC_PROJECT/build/escape" \
		"$LOCKC_PROJECT/build/workload" "$LOCKC_PROJECT/tests/workload/coreutils.sh"; do
		[ "$ROOTFS_TEMPLATE/.built" -nt "$input" ] || { rm -rf "$ROOTFS_TEMPLATE"; break; }
	done
	if [ ! -e "$ROOTFS_TEMPLATE/.built" ]; then
		stage=$(mktemp -d "$ROOTFS_TEMPLATE.XXXXXX")
		chmod 755 "$stage"
		build_rootfs "$stage"
		touch "$stage/.built"
		mv "$stage" "$ROOTFS_TEMPLATE"
	fi
	mkdir -p "$(dirname "$rootfs")"
	cp -a "$ROOTFS_TEMPLATE" "$rootfs"
	rm "$rootfs/.built"
}

build_rootfs() {
	local rootfs=$1 applet token_dir
	mkdir -p "$rootfs"/{bin,proc,sys,dev,tmp,etc,home,mnt,usr,usrx,run,var,data}
	cp /bin/busybox "$rootfs/bin/busybox"
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
	done
	cp "$LOCKC_PROJECT/build/probe" "$LOCKC_PROJECT/build/escape" "$LOCKC_PROJECT/build/workload" "$rootfs/bin/"
	cp "$LOCKC_PROJECT/tests/workload/coreutils.sh" "$rootfs/bin/coreutils.sh"
	# The probe again, setuid root: the way to root that become-root closes.
	cp "$LOCKC_PROJECT/build/probe" "$rootfs/bin/probe-setuid"
	chmod 4755 "$rootfs/bin/probe-setuid"
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$rootfs/etc/passwd"
	printf 'root:x:0:\nuser:x:1000:\n' >"$rootfs/etc/group"
	printf '127.0.0.1 localhost\n::1 localhost\n' >"$rootfs/etc/hosts"
	chmod 1777 "$rootfs/tmp"
	mkdir -p "$rootfs/home/user"
	chown 1000:1000 "$rootfs/home/user"
	echo 'in the image' >"$rootfs/usr/file"
	mkdir -p "$rootfs/usr/empty"
	echo 'next to /usr' >"$rootfs/usrx/file"
	ln -sfn ../run "$rootfs/var/run"
	# kubelet's atomic writer: token -> ..data/token -> ..<timestamp>/token
	token_dir=$rootfs/run/secrets/kubernetes.io/serviceaccount
	mkdir -p "$token_dir/..2026_11_23_12_00_00.123456789"
	echo 'eyJhbGciOiJSUzI1NiJ9.service-account-token' >"$token_dir/..2026_11_23_12_00_00.123456789/token"
	ln -sfn ..2026_11_23_12_00_00.123456789 "$token_dir/..data"
	ln -sfn ..data/token "$token_dir/token"
	mkdir -p "$rootfs/run/other"
	echo 'not a secret' >"$rootfs/run/other/token"
	# An application where many images keep theirs, outside the FHS.
	mkdir -p "$rootfs/app"
	echo 'hello from /app' >"$rootfs/app/greeting"
	printf '#!/bin/sh\ncat /app/greeting\n' >"$rootfs/app/run"
	chmod 755 "$rootfs/app/run"
}

# bundle_create NAME [--mount SRC:DST]... [--tmpfs DST]... [--cap CAP]... [--annotation KEY=VALUE]...
#               [--user UID] [--new-privileges] [--host-pid] [--host-ipc] [--host-cgroupns]
#               [--all-devices] [--writable-kernel] [--all-caps] [--host-dir-fd DIR]
#               [--hook] -- ARGS...
# Writes $CONTAINER_DIR/NAME/config.json for a container running ARGS.
# --hook adds lockcctl's OCI hook as the createRuntime hook, the way podman
# adds it from hooks.d. --new-privileges lets setuid programs raise the
# uid (runc sets no_new_privs by default), --host-pid, --host-ipc and
# --host-cgroupns share the host's pid, IPC and cgroup namespaces,
# --all-devices lifts the runtime's device cgroup rules and
# --writable-kernel its read-only /proc/sys, /sys and /sys/fs/cgroup, so
# that only lockc stands between the workload and those. --all-caps grants
# every capability in every set, --host-dir-fd hands DIR in as fd 3.
bundle_create() {
	local name=$1 bundle mounts='[]' caps='["CAP_SYS_CHROOT"]' annotations='{}' hooks='{}' uid=0 args
	local new_privileges=false host_pid=false host_ipc=false host_cgroupns=false all_devices=false writable_kernel=false
	local host_dir_fd='' all_caps=false
	shift
	bundle=$CONTAINER_DIR/$name
	while [ "$1" != -- ]; do
		case $1 in
		--mount) mounts=$(jq -c --arg src "${2%%:*}" --arg dst "${2#*:}" \
			'. + [{destination: $dst, type: "bind", source: $src, options: ["rbind", "rw"]}]' <<<"$mounts") ;;
		--tmpfs) mounts=$(jq -c --arg dst "$2" \
			'. + [{destination: $dst, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"]}]' <<<"$mounts") ;;
		--cap) caps=$(jq -c --arg cap "CAP_$2" '. + [$cap]' <<<"$caps") ;;
		# As a runtime that leaks one (CVE-2024-21626) hands it over.
		--host-dir-fd) host_dir_fd=$2 ;;
		--user) uid=$2 ;;
		--annotation) annotations=$(jq -c --arg key "${2%%=*}" --arg value "${2#*=}" \
			'. + {($key): $value}' <<<"$annotations") ;;
		--new-privileges|--host-pid|--host-ipc|--host-cgroupns|--all-devices|--writable-kernel|--all-caps)
			case $1 in
			--all-caps) all_caps=true ;;
			--host-cgroupns) host_cgroupns=true ;;
			--new-privileges) new_privileges=true ;;
			--host-pid) host_pid=true ;;
			--host-ipc) host_ipc=true ;;
			--all-devices) all_devices=true ;;
			--writable-kernel) writable_kernel=true ;;
			esac
			shift
			continue ;;
		--hook)
			hooks=$(jq -nc --arg path "$LOCKC_PROJECT/build/lockcctl" \
				'{createRuntime: [{path: $path, args: ["lockcctl", "oci-hook"]}]}')
			shift
			continue ;;
		*) echo "bundle_create: unknown option $1" >&2; return 2 ;;
		esac
		shift 2
	done
	shift
	# After --, jq takes every argument as a string, "-c" too.
	args=$(jq -nc '$ARGS.positional' --args -- "$@")
	mkdir -p "$bundle"
	[ -d "$CONTAINER_DIR/rootfs" ] || make_rootfs "$CONTAINER_DIR/rootfs"
	jq --arg rootfs "$CONTAINER_DIR/rootfs" --arg cgroup "/$CONTAINER_CGROUP_PARENT/$name" \
		--argjson args "$args" --argjson mounts "$mounts" --argjson caps "$caps" \
		--argjson annotations "$annotations" --argjson hooks "$hooks" --argjson uid "$uid" \
		--argjson new_privileges "$new_privileges" --argjson host_pid "$host_pid" --argjson host_ipc "$host_ipc" \
		--argjson host_cgroupns "$host_cgroupns" --argjson all_devices "$all_devices" \
		--argjson writable_kernel "$writable_kernel" --argjson all_caps "$all_caps" --argjson every_cap "$ALL_CAPS" '
		.root = {path: $rootfs, readonly: false}
		| .process.user = {uid: $uid, gid: $uid}
		| .process.terminal = false
		| .process.args = $args
		| .process.capabilities |= with_entries(.value = (.value + $caps | unique))
		| if $all_caps then .process.capabilities = {bounding: $every_cap, effective: $every_cap,
			inheritable: $every_cap, permitted: $every_cap, ambient: $every_cap} else . end
		| .mounts += $mounts
		| .annotations = $annotations
		| .hooks = $hooks
		| .linux.cgroupsPath = $cgroup
		| .linux.namespaces |= map(select(.type != "network"))
		| .process.noNewPrivileges = ($new_privileges | not)
		| if $host_pid then .linux.namespaces |= map(select(.type != "pid")) else . end
		| if $host_ipc then .linux.namespaces |= map(select(.type != "ipc")) else . end
		| if $host_cgroupns then .linux.namespaces |= map(select(.type != "cgroup")) else . end
		| if $all_devices then .linux.resources.devices = [{allow: true, access: "rwm"}] else . end
		| if $writable_kernel then
			.linux.readonlyPaths = [] | .linux.maskedPaths = []
			| .mounts |= map(if .type == "sysfs" or .type == "cgroup" then .options -= ["ro"] else . end)
		  else . end
		' "$(runc_spec)" >"$bundle/config.json"
	rm -f "$bundle/host-dir-fd"
	[ -z "$host_dir_fd" ] || echo "$host_dir_fd" >"$bundle/host-dir-fd"
}

# Every capability of Linux 6.1 and later, for --all-caps: in every set,
# ambient too, so that a workload of any uid holds them all.
ALL_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID","CAP_KILL",
"CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_LINUX_IMMUTABLE","CAP_NET_BIND_SERVICE","CAP_NET_BROADCAST",
"CAP_NET_ADMIN","CAP_NET_RAW","CAP_IPC_LOCK","CAP_IPC_OWNER","CAP_SYS_MODULE","CAP_SYS_RAWIO","CAP_SYS_CHROOT",
"CAP_SYS_PTRACE","CAP_SYS_PACCT","CAP_SYS_ADMIN","CAP_SYS_BOOT","CAP_SYS_NICE","CAP_SYS_RESOURCE","CAP_SYS_TIME",
"CAP_SYS_TTY_CONFIG","CAP_MKNOD","CAP_LEASE","CAP_AUDIT_WRITE","CAP_AUDIT_CONTROL","CAP_SETFCAP",
"CAP_MAC_OVERRIDE","CAP_MAC_ADMIN","CAP_SYSLOG","CAP_WAKE_ALARM","CAP_BLOCK_SUSPEND","CAP_AUDIT_READ",
"CAP_PERFMON","CAP_BPF","CAP_CHECKPOINT_RESTORE"]'

# The path of runc's default spec, which `runc spec` writes once per boot.
runc_spec() {
	local spec=$ROOTFS_TEMPLATE.spec/config.json
	if [ ! "$spec" -nt "$(command -v runc)" ]; then
		rm -rf "${spec%/*}"
		mkdir -p "${spec%/*}"
		(cd "${spec%/*}" && runc spec)
	fi
	echo "$spec"
}

# container_start RUNTIME NAME POLICY: create, register with POLICY (none:
# leave unregistered; hook: the bundle's OCI hook registers it) in mode
# $CONTAINER_MODE (default enforce), start. The workload's output goes to
# $CONTAINER_DIR/NAME/output; a failed create prints the runtime's message.
container_start() {
	local runtime=$1 name=$2 policy=$3 bundle=$CONTAINER_DIR/$2 preserve=() dir_fd=/
	if [ -e "$bundle/host-dir-fd" ]; then
		preserve=(--preserve-fds 1)
		dir_fd=$(cat "$bundle/host-dir-fd")
	fi
	# Without --preserve-fds the runtime closes fd 3 before the workload runs.
	"$runtime" create "${preserve[@]}" --bundle "$bundle" "$name" >"$bundle/output" 2>&1 </dev/null 3<"$dir_fd" || {
		echo "container_start: $runtime create $name failed:" >&2
		cat "$bundle/output" >&2
		return 1
	}
	if [ "$policy" != none ] && [ "$policy" != hook ]; then
		"$LOCKC_PROJECT/build/lockcctl" container add path "$CONTAINER_CGROUP_PARENT/$name" policy "$policy" name "$name" \
			mode "${CONTAINER_MODE:-enforce}" || {
			"$runtime" delete --force "$name"
			return 1
		}
	fi
	"$runtime" start "$name"
}

# container_wait RUNTIME NAME: wait (at most 60 s) until the workload exits.
# The runtime is asked for the workload's pid once; then /proc tells, since
# a runtime's every answer is a process of its own (seconds under TCG).
container_wait() {
	local runtime=$1 name=$2 pid stat i
	pid=$("$runtime" state "$name" | jq -r .pid) || return 1
	for ((i = 0; i < 1200; i++)); do
		# Gone, or a zombie nobody has reaped yet: it exited.
		read -r stat 2>/dev/null <"/proc/$pid/stat" || return 0
		stat=${stat##*) }
		[ "${stat%% *}" != Z ] || return 0
		sleep 0.05
	done
	echo "container_wait: $name still runs after 60 s" >&2
	return 1
}

# container_remove RUNTIME NAME: delete the container and its registration
# (by id: once the runtime removed the cgroup, its path is gone).
container_remove() {
	local runtime=$1 name=$2 id
	id=$(stat -c %i "/sys/fs/cgroup/$CONTAINER_CGROUP_PARENT/$name" 2>/dev/null) || id=
	"$runtime" delete --force "$name" >/dev/null 2>&1
	[ -z "$id" ] || "$LOCKC_PROJECT/build/lockcctl" container delete id "$id" >/dev/null 2>&1
	rm -rf "${CONTAINER_DIR:?}/$name"
	return 0
}

# container_run RUNTIME NAME POLICY [bundle options] -- ARGS...: run ARGS as
# the container's workload to completion; print its output.
container_run() {
	local runtime=$1 name=$2 policy=$3
	shift 3
	bundle_create "$name" "$@" || return
	container_start "$runtime" "$name" "$policy" || return
	container_wait "$runtime" "$name" || return
	cat "$CONTAINER_DIR/$name/output"
}

# An OCI image archive (the image-spec layout, tarred) of rootfs $1 (a
# directory, or a tar of one), named $2 (docker.io/library/NAME:latest), at
# $3: what `ctr images import` reads. One uncompressed layer; its command
# sleeps, so it can stand in for a pod's pause image too.
make_oci_archive() {
	local rootfs=$1 name=$2 out=$3 dir layer config manifest
	dir=$(mktemp -d)
	mkdir -p "$dir/blobs/sha256"
	if [ -f "$rootfs" ]; then
		cp "$rootfs" "$dir/layer"
	else
		tar -C "$rootfs" -c . >"$dir/layer"
	fi
	layer=$(sha256sum "$dir/layer" | cut -d' ' -f1)
	mv "$dir/layer" "$dir/blobs/sha256/$layer"
	jq -nc --arg layer "sha256:$layer" \
		'{architecture: "amd64", os: "linux", config: {Cmd: ["sleep", "1000000"], Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
		  rootfs: {type: "layers", diff_ids: [$layer]}}' >"$dir/config"
	config=$(sha256sum "$dir/config" | cut -d' ' -f1)
	mv "$dir/config" "$dir/blobs/sha256/$config"
	jq -nc --arg config "sha256:$config" --argjson config_size "$(stat -c %s "$dir/blobs/sha256/$config")" \
		--arg layer "sha256:$layer" --argjson layer_size "$(stat -c %s "$dir/blobs/sha256/$layer")" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $config, size: $config_size},
		  layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $layer, size: $layer_size}]}' \
		>"$dir/manifest"
	manifest=$(sha256sum "$dir/manifest" | cut -d' ' -f1)
	jq -nc --arg manifest "sha256:$manifest" --argjson size "$(stat -c %s "$dir/manifest")" \
		--arg name "docker.io/library/$name:latest" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		  digest: $manifest, size: $size,
		  annotations: {"io.containerd.image.name": $name, "org.opencontainers.image.ref.name": "latest"}}]}' \
		>"$dir/index.json"
	mv "$dir/manifest" "$dir/blobs/sha256/$manifest"
	echo '{"imageLayoutVersion": "1.0.0"}' >"$dir/oci-layout"
	tar -C "$dir" -cf "$out" oci-layout index.json blobs
	rm -rf "$dir"
}
