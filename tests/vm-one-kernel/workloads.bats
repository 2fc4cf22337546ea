#!/usr/bin/env bats
# Real server software that nobody here wrote, from Debian 12's packages
# (tests/workload/build-image), run through real Docker with lockc's
# daemon.json and the options its users pass: nginx serving a page,
# PostgreSQL initialising a cluster and answering queries, Redis persisting
# to a volume across a restart, a Python HTTP application under /app, a
# shell batch job that forks and execs hundreds of times, and apt-get
# installing a package inside the container. Under baseline, as the images
# run by default, each passes its functional check with no event at all: a
# denial the program survives is still a false positive. Under restricted,
# as uid 1000, each passes the same check, and the only events are the
# denials that policy exists to make, named in each test.

load ../vm

setup_file() {
	load_lockc
	start_dockerd
	docker import "$PROJECT/build/workload-image.tar" lockc-server >/dev/null
}

teardown_file() {
	stop_dockerd
	leave_lockc_loaded
}

setup() {
	# Each test judges the events of its own containers only.
	"$LOCKCCTL" events >/dev/null
}

teardown() {
	docker ps -aq | xargs -r docker rm --force >/dev/null 2>&1
}

# serve POLICY [DOCKER-RUN-OPTION...] -- COMMAND...: start a server
# container under POLICY and print its registration's name.
serve() {
	local policy=$1 id
	shift
	local options=()
	while [ "$1" != -- ]; do options+=("$1"); shift; done
	shift
	id=$(docker run -d --label org.lockc.policy="$policy" "${options[@]}" lockc-server "$@") || return 1
	[ "$(registrations)" = "${id:0:12} $policy" ] || return 1
	echo "${id:0:12}"
}

# The events of every container since the test's setup, as denials_of
# prints them; baseline's must be none.
events_since_setup() {
	"$LOCKCCTL" --json events | jq -r '"\(.decision) \(.operation) \(.value // "-") \(if .detail == "" then "-" else .detail end)"'
}

# ---- nginx ------------------------------------------------------------------

@test "nginx serves a page under baseline: Debian's configuration, --read-only with tmpfs, the site in a named volume" {
	local name
	name=$(serve baseline --read-only --tmpfs /run --tmpfs /var/lib/nginx --tmpfs /var/log/nginx \
		-v site:/var/www/html -- nginx -g 'daemon off;')
	wait_until 60 docker exec "$name" curl -sf -o /dev/null http://127.0.0.1/
	# The master stays root, the worker runs as www-data (uid 33).
	run docker exec "$name" sh -c 'curl -s http://127.0.0.1/ | grep -o "<title>.*</title>"
		for task in /proc/[0-9]*; do [ "$(cat "$task/comm" 2>/dev/null)" = nginx ] && awk "/^Uid:/ { print \$2 }" "$task/status" 2>/dev/null; done | sort -u'
	assert_output "<title>Welcome to nginx!</title>
0
33"
	run events_since_setup
	assert_output ""
}

@test "nginx serves a page under restricted as uid 1000 on an unprivileged port" {
	local name
	name=$(serve restricted -u 1000 -- nginx -c /etc/nginx/nginx-unprivileged.conf -e stderr -g 'daemon off;')
	wait_until 60 docker exec "$name" curl -sf -o /dev/null http://127.0.0.1:8080/
	run docker exec "$name" sh -c 'curl -s http://127.0.0.1:8080/ | grep -o "<title>.*</title>"'
	assert_output "<title>Welcome to nginx!</title>"
	run events_since_setup
	assert_output ""
}

# ---- PostgreSQL -------------------------------------------------------------

# postgres_check NAME SOCKET-DIR: a table written and read back.
postgres_check() {
	wait_until 180 docker exec "$1" pg_isready -q -h "$2"
	docker exec "$1" psql -h "$2" -d postgres -At -c 'CREATE TABLE t (n int)' \
		-c 'INSERT INTO t SELECT generate_series(1, 1000)' -c 'SELECT sum(n) FROM t'
}

@test "PostgreSQL initialises a cluster in a named volume and answers a query under baseline (-u postgres, --env-file)" {
	local name
	printf 'PGDATA=/var/lib/postgresql/data\nPATH=/usr/lib/postgresql/15/bin:/usr/bin:/bin\n' >"$BATS_TEST_TMPDIR/env"
	name=$(serve baseline -u postgres --env-file "$BATS_TEST_TMPDIR/env" -v pg:/var/lib/postgresql -- \
		sh -c 'initdb --auth=trust >/tmp/initdb.log && exec postgres -c jit=off -c listen_addresses=127.0.0.1')
	run postgres_check "$name" /var/run/postgresql
	assert_output "CREATE TABLE
INSERT 0 1000
500500"
	run events_since_setup
	assert_output ""
}

@test "PostgreSQL initialises a cluster and answers a query under restricted as uid 1000" {
	local name
	name=$(serve restricted -u 1000 -e PATH=/usr/lib/postgresql/15/bin:/usr/bin:/bin -v pg1000:/data -- \
		sh -c 'initdb --auth=trust -D /data/pg >/tmp/initdb.log &&
			exec postgres -D /data/pg -c jit=off -c listen_addresses= -c unix_socket_directories=/tmp')
	run postgres_check "$name" /tmp
	assert_output "CREATE TABLE
INSERT 0 1000
500500"
	run events_since_setup
	assert_output ""
}

# ---- Redis ------------------------------------------------------------------

@test "Redis answers PING and keeps its data in a named volume across docker restart under baseline (--init)" {
	local name
	name=$(serve baseline --init -v redis:/data -- redis-server --dir /data --appendonly yes --bind 127.0.0.1)
	wait_until 60 docker exec "$name" redis-cli ping
	run docker exec "$name" sh -c 'redis-cli ping; redis-cli set greeting kept'
	assert_output "PONG
OK"
	docker restart --time 5 "$name" >/dev/null
	[ "$(registrations)" = "$name baseline" ]
	wait_until 60 docker exec "$name" redis-cli ping
	run docker exec "$name" redis-cli get greeting
	assert_output "kept"
	run events_since_setup
	assert_output ""
}

@test "Redis answers PING and persists to a named volume under restricted as uid 1000" {
	local name
	name=$(serve restricted -u 1000 -v redis1000:/data -- redis-server --dir /data --appendonly yes --bind 127.0.0.1)
	wait_until 60 docker exec "$name" redis-cli ping
	run docker exec "$name" sh -c 'redis-cli set greeting kept; redis-cli save; ls /data'
	assert_output "OK
OK
appendonlydir
dump.rdb"
	run events_since_setup
	assert_output ""
}

# ---- a Python application ----------------------------------------------------

@test "a Python HTTP application under /app answers and writes its database under baseline (-w, -e)" {
	local name
	name=$(serve baseline -w /app -e PORT=8000 -v appdata:/data -- python3 app.py)
	wait_until 60 docker exec "$name" curl -sf -o /dev/null http://127.0.0.1:8000/
	run docker exec "$name" curl -s http://127.0.0.1:8000/
	assert_output "hello from /app, visit 2"
	run events_since_setup
	assert_output ""
}

@test "a Python HTTP application under /app answers and writes its database under restricted as uid 1000" {
	local name
	name=$(serve restricted -u 1000 -w /app -e PORT=8000 -e DATA_DIR=/tmp -- python3 app.py)
	wait_until 60 docker exec "$name" curl -sf -o /dev/null http://127.0.0.1:8000/
	run docker exec "$name" curl -s http://127.0.0.1:8000/
	assert_output "hello from /app, visit 2"
	run events_since_setup
	assert_output ""
}

# ---- a batch job and a package installed --------------------------------------

# A shell job that forks and execs 400 times, in a working directory of its
# own; the container's shell expands it.
# shellcheck disable=SC2016
readonly BATCH_JOB='i=0; while [ $i -lt 200 ]; do echo $i | sha1sum | cut -c1-8 >>hashes; i=$((i+1)); done; sort -u hashes | wc -l'

@test "a shell batch job forks and execs hundreds of times under baseline and restricted (--tmpfs -w)" {
	local policy
	for policy in baseline restricted; do
		run docker run --rm --label org.lockc.policy="$policy" -u 1000 --tmpfs /work:mode=1777 -w /work \
			lockc-server sh -c "$BATCH_JOB"
		assert_status 0
		assert_output "200"
	done
	run events_since_setup
	assert_output ""
}

@test "apt-get installs a local package inside the container under baseline; restricted, which refuses root, runs no package manager" {
	local package=$BATS_TEST_TMPDIR/lockc-hello id
	mkdir -p "$package/DEBIAN" "$package/usr/share/lockc-hello"
	printf 'Package: lockc-hello\nVersion: 1.0\nArchitecture: all\nMaintainer: lockc <lockc@localhost>\nDescription: the workload suite'"'"'s package\n' \
		>"$package/DEBIAN/control"
	printf '#!/bin/sh\nset -e\necho configured >/usr/share/lockc-hello/state\n' >"$package/DEBIAN/postinst"
	chmod 755 "$package/DEBIAN/postinst"
	echo 'hello' >"$package/usr/share/lockc-hello/greeting"
	dpkg-deb --build --root-owner-group "$package" "$BATS_TEST_TMPDIR/lockc-hello.deb" >/dev/null
	id=$(docker create --label org.lockc.policy=baseline lockc-server sh -c \
		'apt-get install -y -qq /tmp/lockc-hello.deb >/dev/null 2>&1; dpkg-query -W -f "\${Status}\n" lockc-hello; cat /usr/share/lockc-hello/state')
	docker cp "$BATS_TEST_TMPDIR/lockc-hello.deb" "$id:/tmp/lockc-hello.deb"
	run docker start -a "$id"
	assert_output "install ok installed
configured"
	run events_since_setup
	assert_output ""

	# restricted: root's first exec is refused, apt-get never runs.
	run docker run --rm --label org.lockc.policy=restricted lockc-server apt-get --version
	assert_status 1
	assert_output_contains "exec /usr/bin/apt-get: operation not permitted"
	run events_since_setup
	assert_output "denied run-as-root - /usr/bin/apt-get"
}
