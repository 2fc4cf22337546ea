#!/usr/bin/env bats
# The workload suite's server image (workloads.bats) through containerd's
# CRI, as the kubelet runs a pod: nginx, Redis and the Python application
# as three containers of one pod that share its network and an emptyDir
# volume (the kubelet's directory of that pod). Under baseline, the node
# default, as root: each passes its functional check with no event at all.
# (restricted through the CRI is containerd.bats's; restricted with these
# workloads is workloads.bats'.)

load ../vm

# shellcheck disable=SC2034 # the pause image and every container's, read by vm.bash
IMAGE=docker.io/library/lockc-server:latest

setup_file() {
	load_lockc
	start_containerd
	ctr --namespace k8s.io images import "$PROJECT/build/workload-image.oci.tar" >/dev/null
}

teardown_file() {
	stop_containerd
	leave_lockc_loaded
}

setup() {
	# Each test judges the events of its own containers only.
	"$LOCKCCTL" events >/dev/null
}

teardown() {
	remove_pods
	rm -rf /var/lib/kubelet/pods
}

# web_pod: pod "web" (namespace default, no annotation) with nginx as
# Debian configures it, Redis and the application, each as root, sharing
# the emptyDir "data" at /data. Prints what each answered.
web_pod() {
	local data=/var/lib/kubelet/pods/web/volumes/kubernetes.io~empty-dir/data nginx_id redis_id app_id
	local mount="[{\"container_path\": \"/data\", \"host_path\": \"$data\"}]"
	# The kubelet makes an emptyDir world-writable.
	mkdir -p "$data"
	chmod 777 "$data"
	run_pod web default '{}'
	create_container nginx 0 '[]' '{"command": ["nginx", "-g", "daemon off;"]}'
	nginx_id=$CONTAINER
	create_container redis 0 "$mount" \
		'{"command": ["redis-server", "--dir", "/data", "--appendonly", "yes", "--bind", "127.0.0.1"]}'
	redis_id=$CONTAINER
	create_container app 0 "$mount" \
		'{"command": ["python3", "app.py"], "working_dir": "/app", "envs": [{"key": "PORT", "value": "8000"}]}'
	app_id=$CONTAINER
	"$CRI" start "$nginx_id" && "$CRI" start "$redis_id" && "$CRI" start "$app_id" || return 1
	wait_until 60 "$CRI" exec "$nginx_id" curl -sf -m 10 -o /dev/null http://127.0.0.1/ || return 1
	wait_until 60 "$CRI" exec "$redis_id" redis-cli ping || return 1
	wait_until 60 "$CRI" exec "$app_id" curl -sf -m 10 -o /dev/null http://127.0.0.1:8000/ || return 1
	"$CRI" exec "$app_id" sh -c "curl -s -m 10 http://127.0.0.1/ | grep -o '<title>.*</title>'"
	"$CRI" exec "$redis_id" sh -c 'redis-cli set greeting kept && redis-cli save'
	"$CRI" exec "$nginx_id" curl -s -m 10 http://127.0.0.1:8000/
	# What the containers wrote is in the pod's own directory on the node.
	ls "$data"
}

@test "a pod of nginx, Redis and the Python application with an emptyDir runs under baseline, the node default, as root" {
	run web_pod
	assert_output "<title>Welcome to nginx!</title>
OK
OK
hello from /app, visit 2
appendonlydir
dump.rdb
visits.db"
	run registrations
	[ "$(grep -c ' baseline$' <<<"$output")" = 4 ]
	run "$LOCKCCTL" events
	assert_output ""
}
