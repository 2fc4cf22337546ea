# Turn `bpftool btf dump file lockc.bpf.o -j` into the list of what a load
# pins: "program NAME" for every global function (a BPF program) and
# "map NAME" for every variable in the .maps section.
.types as $types
| ($types[] | select(.kind == "FUNC" and .linkage == "global") | "program \(.name)"),
  ($types[] | select(.kind == "DATASEC" and .name == ".maps") | .vars[].type_id as $id
   | $types[] | select(.id == $id) | "map \(.name)")
