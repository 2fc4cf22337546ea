# shellcheck shell=bash
# shellcheck disable=SC2034 # constants are read by the scripts that source this file
# Shared by lockc-load, lockc-unload and lockc-status: where things are, and
# the precondition checks, each failing with one sentence that says what to do.

readonly LOCKC_BPFTOOL_MIN_MAJOR=7 LOCKC_BPFTOOL_MIN_MINOR=2
readonly LOCKC_LSM_FILE=/sys/kernel/security/lsm
readonly LOCKC_BTF_FILE=/sys/kernel/btf/vmlinux
readonly LOCKC_DEFAULT_BPFFS=/sys/fs/bpf

lockc_script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Where `make install` put the pieces; without this file, a source tree.
if [ -r "$lockc_script_dir/lockc-paths.sh" ]; then
	# shellcheck source=/dev/null
	. "$lockc_script_dir/lockc-paths.sh"
fi
# Where the pins go; tests point this elsewhere on the same bpffs.
LOCKC_PIN_DIR=${LOCKC_PIN_DIR:-$LOCKC_DEFAULT_BPFFS/lockc}
# The BPF object with its manifest, hook list and version (the build
# directory in a source tree), and lockcctl.
LOCKC_OBJECT_DIR=${LOCKC_OBJECT_DIR:-$lockc_script_dir/../build}
LOCKC_HELPER=${LOCKC_HELPER:-$LOCKC_OBJECT_DIR/lockcctl}
LOCKC_POLICY_DEFAULTS=${LOCKC_POLICY_DEFAULTS:-$lockc_script_dir/../policy-defaults}
# The admin's own policies; one named like a shipped policy replaces it.
LOCKC_POLICY_DIR=${LOCKC_POLICY_DIR:-/etc/lockc/policies}
LOCKC_LOCK_FILE=${LOCKC_LOCK_FILE:-/run/lock/lockc.lock}

lockc_prog=$(basename "$0")

die() {
	echo "$lockc_prog: $*" >&2
	exit 1
}

require_root() {
	[ "$(id -u)" -eq 0 ] || die "must run as root (BPF and bpffs need CAP_SYS_ADMIN); rerun with sudo."
}

require_bpftool() {
	local version major minor
	command -v bpftool >/dev/null || die "bpftool not found; install bpftool $LOCKC_BPFTOOL_MIN_MAJOR.$LOCKC_BPFTOOL_MIN_MINOR or newer."
	command -v jq >/dev/null || die "jq not found; install jq."
	version=$(bpftool version 2>/dev/null | sed -n 's/^bpftool v\([0-9.]*\).*/\1/p')
	IFS=. read -r major minor _ <<<"$version"
	if [ -z "$major" ] || [ "$major" -lt "$LOCKC_BPFTOOL_MIN_MAJOR" ] ||
		{ [ "$major" -eq "$LOCKC_BPFTOOL_MIN_MAJOR" ] && [ "${minor:-0}" -lt "$LOCKC_BPFTOOL_MIN_MINOR" ]; }; then
		die "bpftool ${version:-of unknown version} cannot attach LSM programs; install bpftool $LOCKC_BPFTOOL_MIN_MAJOR.$LOCKC_BPFTOOL_MIN_MINOR or newer (Debian 12: from bookworm-backports)."
	fi
}

# Serialise load and unload: both rewrite the pins.
take_lock() {
	mkdir -p "$(dirname "$LOCKC_LOCK_FILE")"
	exec 9>"$LOCKC_LOCK_FILE" || die "cannot open the lock file $LOCKC_LOCK_FILE."
	flock -w 60 9 || die "another lockc-load or lockc-unload has held $LOCKC_LOCK_FILE for a minute; wait for it to finish."
}

# The active LSMs, mounting securityfs if the system has not.
active_lsms() {
	if [ ! -r "$LOCKC_LSM_FILE" ]; then
		mount -t securityfs securityfs /sys/kernel/security 2>/dev/null ||
			die "cannot read $LOCKC_LSM_FILE and mounting securityfs on /sys/kernel/security failed; mount securityfs, then rerun."
	fi
	cat "$LOCKC_LSM_FILE"
}

# The supplements of this build that this kernel takes, one name a line:
# objects for LSM hooks that lockc's oldest kernel lacks (lockc.bpf.o could
# not load there if it named them), each loaded beside lockc.bpf.o where the
# kernel has every hook it names. Scripts that use them set
# lockc_supplements once: each answer reads the kernel's BTF.
kernel_supplements() {
	local list=$LOCKC_OBJECT_DIR/lockc.supplements name
	if [ -n "${lockc_supplements+set}" ]; then
		[ -z "$lockc_supplements" ] || echo "$lockc_supplements"
		return 0
	fi
	[ -r "$list" ] || die "$list is missing; build lockc with make (or set LOCKC_OBJECT_DIR)."
	while read -r name; do
		[ -n "$(missing_hooks "$LOCKC_OBJECT_DIR/$name.hooks")" ] || echo "$name"
	done <"$list"
}

# Lines "program NAME" and "map NAME": what a complete load pins, the
# programs of the supplements this kernel takes included.
manifest() {
	local file=$LOCKC_OBJECT_DIR/lockc.manifest name
	[ -r "$file" ] || die "$file is missing; build lockc with make (or set LOCKC_OBJECT_DIR)."
	cat "$file"
	for name in $(kernel_supplements); do
		awk '$1 == "program"' "$LOCKC_OBJECT_DIR/$name.manifest" ||
			die "$LOCKC_OBJECT_DIR/$name.manifest is missing; build lockc with make (or set LOCKC_OBJECT_DIR)."
	done
}

manifest_programs() { manifest | awk '$1 == "program" { print $2 }'; }

# The LSM hooks that the programs of lockc.bpf.o (or of the object whose
# hook list is FILE) attach to and this kernel does not have, one per line.
# The kernel names each hook bpf_lsm_NAME in its BTF.
missing_hooks() {
	local file=${1:-$LOCKC_OBJECT_DIR/lockc.hooks}
	[ -r "$file" ] || die "$file is missing; build lockc with make (or set LOCKC_OBJECT_DIR)."
	[ -r "$LOCKC_BTF_FILE" ] || return 0
	LC_ALL=C comm -23 <(LC_ALL=C sort -u "$file") \
		<(grep -a -o 'bpf_lsm_[a-z0-9_]*' "$LOCKC_BTF_FILE" | sed 's/^bpf_lsm_//' | LC_ALL=C sort -u)
}
manifest_maps() { manifest | awk '$1 == "map" { print $2 }'; }

# bpftool's JSON list of every link or map ($1) with the paths it is pinned
# at (-f), or [] when there are none.
pinned_list() {
	local out
	out=$(bpftool -j -f "$1" list 2>/dev/null) || true
	# An error is an object; no jq to tell, as this runs several times a load.
	case $out in
	\[*) ;;
	*) out='[]' ;;
	esac
	echo "$out"
}

# Print what a complete set of pins under DIR lacks, one item per line. One
# bpftool call per object type: each process costs a lot under emulation.
missing_pins() {
	local dir=$1 manifest_text
	manifest_text=$(manifest)
	jq -rn --arg dir "$dir" --arg manifest "$manifest_text" \
		--argjson links "$(pinned_list link)" --argjson maps "$(pinned_list map)" '
		[$links[] | .pinned // [] | .[]] as $link_pins
		| [$maps[] | .pinned // [] | .[]] as $map_pins
		| $manifest | split("\n")[] | select(length > 0) | split(" ") as [$kind, $name]
		| if $kind == "program" then
			select($link_pins | any(. == "\($dir)/links/\($name)") | not) | "link \($name)"
		  else
			select($map_pins | any(. == "\($dir)/maps/\($name)") | not) | "map \($name)"
		  end'
}

# The version that `make` recorded beside the object.
object_version() {
	local file=$LOCKC_OBJECT_DIR/lockc.version version
	[ -r "$file" ] || die "$file is missing; build lockc with make (or set LOCKC_OBJECT_DIR)."
	read -r version <"$file" || true
	[ -n "$version" ] || die "$file is empty; rebuild lockc with make."
	echo "$version"
}

# "VERSION SHA256" of the build in LOCKC_OBJECT_DIR, as loaded_build says it.
installed_build() {
	local version
	version=$(object_version) || exit 1
	echo "$version $(sha256sum "$LOCKC_OBJECT_DIR/lockc.bpf.o" | cut -d' ' -f1)"
}

# "VERSION SHA256" of the build pinned under DIR, from its loaded_object map;
# nothing for a build too old to have one.
loaded_build() {
	bpftool -j map lookup pinned "$1/maps/loaded_object" key 0 0 0 0 2>/dev/null |
		jq -r '(.formatted.value // .value) | select(type == "object" and .version != "")
			| "\(.version) \(.object_sha256)"' 2>/dev/null || true
}

# The maps pinned under DIR/maps for which the programs of DIR/links use
# another map of the same name, one name per line: what a lockc-load killed
# between the two renames of an upgrade leaves behind.
mismatched_pins() {
	local dir=$1 maps
	maps=$(pinned_list map)
	jq -rn --arg dir "$dir" --argjson links "$(pinned_list link)" --argjson maps "$maps" \
		--argjson progs "$(pinned_list prog)" '
		[$links[] | select(.pinned // [] | any(startswith($dir + "/links/"))) | .prog_id] as $attached
		| ([$progs[] | select(.id as $id | $attached | index($id)) | .map_ids // [] | .[]] | unique) as $used
		| [$maps[] | select(.id as $id | $used | index($id))] as $used_maps
		| $maps[] | select(.pinned // [] | any(startswith($dir + "/maps/"))) | . as $pinned
		| select($used_maps | any(.name == $pinned.name and .id != $pinned.id)) | $pinned.name' | sort -u
}

# The links pinned under the path prefix PREFIX, as bpftool's JSON.
links_under() {
	pinned_list link | jq -c --arg prefix "$1" '[.[] | select(.pinned // [] | any(startswith($prefix)))]'
}

# Those of the ids ID... that `bpftool KIND list` (KIND: prog or link) still
# lists, on one line. The plain listing through awk: this runs in a polling
# loop, and bpftool's JSON through jq costs seconds a round on a slow machine.
listed_ids() {
	local kind=$1
	shift
	bpftool "$kind" list 2>/dev/null | awk -v ids="$*" '
		BEGIN { n = split(ids, list, " "); for (i = 1; i <= n; i++) wanted[list[i]] = 1 }
		/^[0-9]+:/ { id = substr($1, 1, length($1) - 1); if (id in wanted) found = found (found == "" ? "" : " ") id }
		END { if (found != "") print found }'
}

# Once the pins of the links LINKS (links_under's JSON) are gone: wait until
# the kernel has taken their programs off the hooks, or print the ids of the
# links still attached because a process holds them. The kernel puts a link
# whose last pin went after an RCU grace period, frees its id and detaches it
# in a work item of its own, and frees the program after more grace periods:
# a link still listed after a second is held; a program, at most 10 s, as a
# process holding a program open keeps it alive, detached.
wait_for_detach() {
	local links=$1 i still=
	local -a link_ids prog_ids
	mapfile -t link_ids < <(jq -r '.[].id' <<<"$links")
	mapfile -t prog_ids < <(jq -r '.[].prog_id' <<<"$links")
	[ "${#link_ids[@]}" -gt 0 ] || return 0
	for ((i = 0; i < 100; i++)); do
		if [ "$i" -le 10 ]; then
			still=$(listed_ids link "${link_ids[@]}")
			if [ -n "$still" ] && [ "$i" -eq 10 ]; then
				echo "$still"
				return 0
			fi
		fi
		[ -n "$still" ] || [ -n "$(listed_ids prog "${prog_ids[@]}")" ] || return 0
		sleep 0.1
	done
}
