#!/usr/bin/env bats
# Real server software that nobody here wrote, from Debian 12's packages
# (tests/workload/build-image), run the way its users run it through real
# Docker (lockc's daemon.json) and real podman (lockc's hooks.d file):
# nginx serving a page, PostgreSQL initialising a cluster and answering
# queries, Redis persisting to a volume across a restart, a Python HTTP
# application under /app, a shell batch job that forks and execs hundreds
# of times, and apt-get installing a package inside the container.
#
# Under baseline, as the images run by default, each passes its functional
# check through both engines with no event at all: a denial the program
# survives is still a false positive. Under restricted, as uid 1000, each
# passes the same check; the events are the denials that policy exists to
# make, named in each test (there is one: root's first exec). And the policy
# learning mode suggests for each server runs it enforced with no denial.

load ../vm

setup_file() {
	load_lockc
	start_dockerd
	mount_podman_storage
	docker import "$PROJECT/build/workload-image.tar" lockc-server >/dev/null
	"${PODMAN[@]}" import "$PROJECT/build/workload-image.tar" lockc-server >/dev/null
}

teardown_file() {
	stop_dockerd
	unmount_podman_storage
	leave_lockc_loaded
}

setup() {
	# Each test judges the events of its own containers only (denials_of).
	"$LOCKCCTL" events >/dev/null
}

teardown() {
	rm -f /etc/lockc/lockc.conf
	docker ps -aq | xargs -r docker rm --force >/dev/null 2>&1
	"${PODMAN[@]}" rm --all --force --time 0 >/dev/null 2>&1
}

# engine ENGINE ARGS...: docker, or podman as podman.bats runs it.
engine() {
	local name=$1
	shift
	case $name in
	docker) docker "$@" ;;
	podman) "${PODMAN[@]}" "$@" ;;
	esac
}

# How each engine is told the policy: a label (Docker 20.10 passes no
# annotation), an annotation. podman runs without a network of its own
# (loopback only), as in podman.bats.
policy_options() {
	case $1 in
	docker) echo "--label org.lockc.policy=$2" ;;
	podman) echo "--network none --annotation org.lockc.policy=$2" ;;
	esac
}

# serve ENGINE POLICY [RUN-OPTION...] -- COMMAND...: start a server container
# under POLICY and print its registration's name.
serve() {
	local engine=$1 policy=$2 id options=()
	shift 2
	while [ "$1" != -- ]; do options+=("$1"); shift; done
	shift
	# shellcheck disable=SC2046 # the policy's options are words
	id=$(engine "$engine" run -d $(policy_options "$engine" "$policy") "${options[@]}" lockc-server "$@") || return 1
	registrations | grep -qx "${id:0:12} $policy" || return 1
	echo "${id:0:12}"
}

# ---- nginx ------------------------------------------------------------------

@test "nginx serves a page under baseline: Debian's configuration, --read-only with tmpfs, the site in a named volume" {
	local engine name
	for engine in docker podman; do
		name=$(serve "$engine" baseline --read-only --tmpfs /run --tmpfs /var/lib/nginx --tmpfs /var/log/nginx \
			-v site:/var/www/html -- nginx -g 'daemon off;')
		wait_until 60 engine "$engine" exec "$name" curl -sf -m 10 -o /dev/null http://127.0.0.1/
		# The master stays root, the worker runs as www-data (uid 33).
		# shellcheck disable=SC2016 # the container's shell expands it
		run engine "$engine" exec "$name" sh -c 'curl -s -m 10 http://127.0.0.1/ | grep -o "<title>.*</title>"
			for task in /proc/[0-9]*; do
				[ "$(cat "$task/comm" 2>/dev/null)" = nginx ] && awk "/^Uid:/ { print \$2 }" "$task/status" 2>/dev/null
			done | sort -u'
		assert_output "<title>Welcome to nginx!</title>
0
33"
	done
	run denials_of
	assert_output ""
}

@test "nginx serves a page under restricted as uid 1000 on an unprivileged port" {
	local engine name
	for engine in docker podman; do
		name=$(serve "$engine" restricted -u 1000 -- nginx -c /etc/nginx/nginx-unprivileged.conf -e stderr -g 'daemon off;')
		wait_until 60 engine "$engine" exec "$name" curl -sf -m 10 -o /dev/null http://127.0.0.1:8080/
		run engine "$engine" exec "$name" sh -c 'curl -s -m 10 http://127.0.0.1:8080/ | grep -o "<title>.*</title>"'
		assert_output "<title>Welcome to nginx!</title>"
	done
	run denials_of
	assert_output ""
}

# ---- PostgreSQL -------------------------------------------------------------

# postgres_check ENGINE NAME SOCKET-DIR: a table written and read back;
# it prints POSTGRES_ANSWER.
readonly POSTGRES_ANSWER="CREATE TABLE
INSERT 0 1000
500500"
postgres_check() {
	wait_until 180 engine "$1" exec "$2" pg_isready -q -h "$3" -d postgres
	engine "$1" exec "$2" psql -h "$3" -d postgres -At -c 'CREATE TABLE t (n int)' \
		-c 'INSERT INTO t SELECT generate_series(1, 1000)' -c 'SELECT sum(n) FROM t'
}

@test "PostgreSQL initialises a cluster in a named volume and answers a query under baseline (-u postgres, --env-file, --tmpfs)" {
	local engine name
	printf 'PGDATA=/var/lib/postgresql/data\nPATH=/usr/lib/postgresql/15/bin:/usr/bin:/bin\n' >"$BATS_TEST_TMPDIR/env"
	for engine in docker podman; do
		# The socket directory as PostgreSQL's own images make it: the image's /run is empty.
		name=$(serve "$engine" baseline -u postgres --env-file "$BATS_TEST_TMPDIR/env" -v "pg-$engine:/var/lib/postgresql" \
			--tmpfs /run/postgresql:mode=3777 -- \
			sh -c 'initdb --auth=trust >/tmp/initdb.log && exec postgres -c jit=off -c listen_addresses=127.0.0.1')
		run postgres_check "$engine" "$name" /run/postgresql
		assert_output "$POSTGRES_ANSWER"
	done
	run denials_of
	assert_output ""
}

@test "PostgreSQL initialises a cluster in a named volume and answers a query under restricted as uid 1000" {
	local engine name
	for engine in docker podman; do
		name=$(serve "$engine" restricted -u 1000 -e PATH=/usr/lib/postgresql/15/bin:/usr/bin:/bin \
			-v "pg1000-$engine:/data" -- sh -c 'initdb --auth=trust -D /data/pg >/tmp/initdb.log &&
				exec postgres -D /data/pg -c jit=off -c listen_addresses= -c unix_socket_directories=/tmp')
		run postgres_check "$engine" "$name" /tmp
		assert_output "$POSTGRES_ANSWER"
	done
	run denials_of
	assert_output ""
}

# ---- Redis ------------------------------------------------------------------

@test "Redis answers PING and keeps its data in a named volume across a restart under baseline" {
	local engine name
	for engine in docker podman; do
		name=$(serve "$engine" baseline -v "redis-$engine:/data" -- redis-server --dir /data --appendonly yes --bind 127.0.0.1)
		wait_until 60 engine "$engine" exec "$name" redis-cli ping
		run engine "$engine" exec "$name" sh -c 'redis-cli ping; redis-cli set greeting kept'
		assert_output "PONG
OK"
		engine "$engine" restart --time 5 "$name" >/dev/null
		registrations | grep -qx "$name baseline"
		wait_until 60 engine "$engine" exec "$name" redis-cli ping
		run engine "$engine" exec "$name" redis-cli get greeting
		assert_output "kept"
	done
	run denials_of
	assert_output ""
}

@test "Redis answers PING and persists to a named volume under restricted as uid 1000 (Docker's --init)" {
	local engine name init
	for engine in docker podman; do
		# podman's --init needs catatonit, which Debian's podman only recommends.
		init=()
		[ "$engine" = podman ] || init=(--init)
		name=$(serve "$engine" restricted -u 1000 "${init[@]}" -v "redis1000-$engine:/data" -- \
			redis-server --dir /data --appendonly yes --bind 127.0.0.1)
		wait_until 60 engine "$engine" exec "$name" redis-cli ping
		run engine "$engine" exec "$name" sh -c 'redis-cli set greeting kept; redis-cli save; ls /data'
		assert_output "OK
OK
appendonlydir
dump.rdb"
	done
	run denials_of
	assert_output ""
}

# ---- a Python application ----------------------------------------------------

@test "a Python HTTP application under /app answers and writes its database under baseline as root and restricted as uid 1000 (-w, -e)" {
	local engine policy user name
	for engine in docker podman; do
		for policy in baseline restricted; do
			user=$([ "$policy" = baseline ] && echo 0 || echo 1000)
			name=$(serve "$engine" "$policy" -u "$user" -w /app -e PORT=8000 -v "app-$engine-$policy:/data" -- python3 app.py)
			wait_until 60 engine "$engine" exec "$name" curl -sf -m 10 -o /dev/null http://127.0.0.1:8000/
			run engine "$engine" exec "$name" curl -s -m 10 http://127.0.0.1:8000/
			assert_output "hello from /app, visit 2"
			engine "$engine" rm --force "$name" >/dev/null
		done
	done
	run denials_of
	assert_output ""
}

# ---- a batch job and a package installed --------------------------------------

# A shell job that forks and execs 400 times, in the working directory it
# is given; the container's shell expands it.
# shellcheck disable=SC2016
readonly BATCH_JOB='i=0; while [ $i -lt 200 ]; do echo $i | sha1sum | cut -c1-8 >>hashes; i=$((i+1)); done; sort -u hashes | wc -l'

@test "a shell batch job forks and execs hundreds of times under baseline and restricted (-u, -w)" {
	local engine policy
	for engine in docker podman; do
		for policy in baseline restricted; do
			# shellcheck disable=SC2046 # the policy's options are words
			run engine "$engine" run --rm $(policy_options "$engine" "$policy") -u 1000 -w /home/app lockc-server \
				sh -c "$BATCH_JOB"
			assert_status 0
			assert_output "200"
		done
	done
	run denials_of
	assert_output ""
}

@test "apt-get installs a local package inside the container under baseline; restricted, which refuses root, runs no package manager" {
	local package=$BATS_TEST_TMPDIR/lockc-hello engine id
	mkdir -p "$package/DEBIAN" "$package/usr/share/lockc-hello"
	printf 'Package: lockc-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: lockc <lockc@localhost>\nDescription: the workload suite'"'"'s package\n' \
		>"$package/DEBIAN/control"
	printf '#!/bin/sh\nset -e\necho configured >/usr/share/lockc-hello/state\n' >"$package/DEBIAN/postinst"
	chmod 755 "$package/DEBIAN/postinst"
	echo 'hello' >"$package/usr/share/lockc-hello/greeting"
	dpkg-deb --build --root-owner-group "$package" "$BATS_TEST_TMPDIR/lockc-hello.deb" >/dev/null
	for engine in docker podman; do
		# shellcheck disable=SC2046,SC2016 # the policy's options are words; the container's shell expands the rest
		id=$(engine "$engine" create $(policy_options "$engine" baseline) lockc-server sh -c \
			'apt-get install -y -qq /tmp/lockc-hello.deb >/dev/null 2>&1; dpkg-query -W -f "\${Status}\n" lockc-hello
				cat /usr/share/lockc-hello/state')
		engine "$engine" cp "$BATS_TEST_TMPDIR/lockc-hello.deb" "$id:/tmp/lockc-hello.deb"
		run engine "$engine" start -a "$id"
		assert_output "install ok installed
configured"
	done
	run denials_of
	assert_output ""

	# restricted: root's first exec is refused, apt-get never runs.
	run docker run --rm --label org.lockc.policy=restricted lockc-server apt-get --version
	assert_status 1
	assert_output_contains "exec /usr/bin/apt-get: operation not permitted"
	run denials_of
	assert_output "denied run-as-root uid0=real apt-get"
}

# ---- policies learned from the workloads -------------------------------------
#
# Each server under restricted as uid 1000 in learning mode (chosen by label,
# which lockc.conf must allow), through its functional check; then the policy
# `lockcctl policy suggest` makes of it, enforced, through the same check in
# a fresh container and volume: no denial, and what restricted denies still
# denied. Docker only: podman runs the same programs.

# learn_and_enforce IMAGE-NAME CHECK RUN-OPTION... -- COMMAND...: the round
# trip for one server; CHECK NAME runs its functional check in container
# NAME (a shell among its programs), and each run's volume is
# "$IMAGE-NAME-learn" or "-enforced".
learn_and_enforce() {
	local image=$1 check=$2 learner name options=() command=()
	shift 2
	while [ "$1" != -- ]; do options+=("$1"); shift; done
	shift
	command=("$@")
	mkdir -p /etc/lockc
	sed 's/^annotation-forbidden-modes .*/annotation-forbidden-modes audit/' "$POLICY_DEFAULTS/lockc.conf" \
		>/etc/lockc/lockc.conf
	learner=$(serve docker restricted --label org.lockc.mode=learn -u 1000 -v "$image-learn:/data" \
		"${options[@]}" -- "${command[@]}")
	"$check" "$learner"
	docker rm --force "$learner" >/dev/null
	"$LOCKCCTL" policy suggest "$learner" >"$BATS_TEST_TMPDIR/learned-$image.policy"
	"$LOCKCCTL" container forget "$learner" >/dev/null
	"$LOCKCCTL" policy apply "$BATS_TEST_TMPDIR/learned-$image.policy" >/dev/null
	printf '# learned-%s: %s policy lines, %s allow path rules (restricted: %s)\n' "$image" \
		"$(grep -vc '^#' "$BATS_TEST_TMPDIR/learned-$image.policy")" \
		"$(grep -Ec '^allow (file|exec|write) ' "$BATS_TEST_TMPDIR/learned-$image.policy")" \
		"$(grep -Ec '^allow (file|exec|write) ' "$POLICY_DEFAULTS/restricted.policy")" >&3
	# LOCKC_SHOW_LEARNED=1 prints the policies themselves.
	[ -z "${LOCKC_SHOW_LEARNED:-}" ] || sed 's/^/# /' "$BATS_TEST_TMPDIR/learned-$image.policy" >&3
	"$LOCKCCTL" events >/dev/null
	name=$(serve docker "learned-$image" -u 1000 -v "$image-enforced:/data" "${options[@]}" -- "${command[@]}")
	"$check" "$name"
	[ -z "$(denials_of "$name")" ] || { echo "denials of $name under learned-$image:"; denials_of "$name"; return 1; }
	# What restricted denies, learned or not, through a program the check ran
	# (sh): the kernel's tunables, which the files' modes let uid 1000 read;
	# and, at the start, the host's root.
	run docker exec "$name" sh -c 'read -r pattern </proc/sys/kernel/core_pattern'
	assert_status 2
	assert_output "sh: 1: cannot open /proc/sys/kernel/core_pattern: Operation not permitted"
	run docker run --rm --label "org.lockc.policy=learned-$image" -v /:/rootfs lockc-server true
	assert_status 125
	assert_output_contains "does not allow the host path / mounted at /rootfs"
}

nginx_check() {
	wait_until 60 docker exec "$1" curl -sf -m 10 -o /dev/null http://127.0.0.1:8080/
	run docker exec "$1" sh -c 'curl -s -m 10 http://127.0.0.1:8080/ | grep -o "<title>.*</title>"'
	assert_output "<title>Welcome to nginx!</title>"
}

postgres_learned_check() {
	run postgres_check docker "$1" /tmp
	assert_output "$POSTGRES_ANSWER"
}

redis_check() {
	wait_until 60 docker exec "$1" redis-cli ping
	run docker exec "$1" sh -c 'redis-cli set greeting kept; redis-cli save; ls /data'
	assert_output "OK
OK
appendonlydir
dump.rdb"
}

app_check() {
	wait_until 60 docker exec "$1" curl -sf -m 10 -o /dev/null http://127.0.0.1:8000/
	run docker exec "$1" sh -c 'curl -s -m 10 http://127.0.0.1:8000/'
	assert_output "hello from /app, visit 2"
}

@test "learned policies: nginx, PostgreSQL, Redis and the Python application each run enforced under the policy learned from them" {
	learn_and_enforce nginx nginx_check -- nginx -c /etc/nginx/nginx-unprivileged.conf -e stderr -g 'daemon off;'
	learn_and_enforce postgres postgres_learned_check -e PATH=/usr/lib/postgresql/15/bin:/usr/bin:/bin -- \
		sh -c 'initdb --auth=trust -D /data/pg >/tmp/initdb.log &&
			exec postgres -D /data/pg -c jit=off -c listen_addresses= -c unix_socket_directories=/tmp'
	learn_and_enforce redis redis_check --init -- redis-server --dir /data --appendonly yes --bind 127.0.0.1
	learn_and_enforce app app_check -w /app -e PORT=8000 -- python3 app.py
}
