#!/usr/bin/env bats
# kubernetes/*.yaml against the Kubernetes API's schemas and types
# (tests/kubernetes/validate.mjs), with twins that the check refuses, and
# the DaemonSet naming this build's image.

load ../helpers

validate() {
	node "$PROJECT/tests/kubernetes/validate.mjs" "$@"
}

@test "the manifests are valid against the Kubernetes API's schemas and types" {
	cd "$PROJECT"
	run validate kubernetes/lockc.yaml
	assert_status 0
	assert_output "kubernetes/lockc.yaml: 1 object valid"
}

@test "the check refuses a field the API does not have, a value of the wrong type and a missing required field" {
	local bad=$BATS_TEST_TMPDIR
	sed 's/readOnlyRootFilesystem:/readOnlyRootFilesytem:/' "$PROJECT/kubernetes/lockc.yaml" >"$bad/unknown.yaml"
	sed 's/privileged: true/privileged: "yes"/' "$PROJECT/kubernetes/lockc.yaml" >"$bad/type.yaml"
	sed '/^  selector:$/,/^      app.kubernetes.io\/name: lockc$/d' "$PROJECT/kubernetes/lockc.yaml" >"$bad/required.yaml"
	run validate "$bad/unknown.yaml" "$bad/type.yaml" "$bad/required.yaml"
	assert_status 1
	assert_output "$bad/unknown.yaml: object 1: Object literal may only specify known properties, and '\"readOnlyRootFilesytem\"' does not exist in type 'ISecurityContext'.
$bad/type.yaml: object 1: data/spec/template/spec/initContainers/0/securityContext/privileged must be boolean
$bad/required.yaml: object 1: data/spec must have required property selector"
}

@test "the DaemonSet runs this build's image, node-install first" {
	local version
	version=$(cat "$PROJECT/build/lockc.version")
	run grep -c "^ *image: localhost/lockc:$version\$" "$PROJECT/kubernetes/lockc.yaml"
	assert_output 2
	run node "$PROJECT/tests/kubernetes/podman-args.mjs" "$PROJECT/kubernetes/lockc.yaml"
	[ "${lines[-1]}" = /usr/lib/lockc/node-install ]
	[ "${lines[-2]}" = "localhost/lockc:$version" ]
}
