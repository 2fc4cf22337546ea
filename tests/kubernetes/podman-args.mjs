// The `podman run` options that run a DaemonSet's first init container the
// way the kubelet and CRI-O would on a node: its namespace annotation,
// image, command, environment, privilege and hostPath mounts, read from the
// manifest itself, one per line. For tests/vm-install/kubernetes.bats.
//   node tests/kubernetes/podman-args.mjs MANIFEST
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const daemonSet = parseAllDocuments(readFileSync(process.argv[2], "utf8"))
  .map((document) => document.toJS())
  .find((object) => object && object.kind === "DaemonSet");
const pod = daemonSet.spec.template.spec;
const init = pod.initContainers[0];
const volumes = new Map(pod.volumes.map((volume) => [volume.name, volume.hostPath.path]));
// As CRI-O annotates a pod's containers, which lockc's hook reads.
const args = ["--rm", "--network", "none", "--annotation", `io.kubernetes.pod.namespace=${daemonSet.metadata.namespace}`];
if (init.securityContext?.privileged) args.push("--privileged");
for (const { name, value } of init.env ?? []) args.push("--env", `${name}=${value}`);
for (const mount of init.volumeMounts) {
  args.push("--volume", `${volumes.get(mount.name)}:${mount.mountPath}${mount.readOnly ? ":ro" : ""}`);
}
args.push(init.image, ...init.command);
console.log(args.join("\n"));
