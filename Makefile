# lockc: BPF LSM objects, the lockcctl helper, and the test suites.
# Every build output goes to $(BUILD) (ignored by git).

BUILD ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
LLVM_OBJDUMP ?= llvm-objdump
CC ?= cc
PKG_CONFIG ?= pkg-config
# The BTF that vmlinux.h is generated from. CO-RE relocates the objects to
# whichever kernel loads them.
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux

# The architecture whose kernel the object is for: the build machine's, as
# vmlinux.h is (bpf_tracing.h reads registers by it, constants.h syscalls).
ARCH ?= $(shell uname -m | sed 's/x86_64/x86/; s/aarch64/arm64/')
BPF_CFLAGS := -target bpf -mcpu=v3 -g -O2 -D__TARGET_ARCH_$(ARCH) \
	-Wall -Wextra -Wno-unused-parameter -Werror \
	-I$(BUILD) -Imaps
HELPER_CFLAGS := -O2 -g -Wall -Wextra -Werror -Imaps -I$(BUILD) \
	$(shell $(PKG_CONFIG) --cflags libbpf jansson 2>/dev/null)
HELPER_LDLIBS := $(shell $(PKG_CONFIG) --libs libbpf jansson 2>/dev/null)

BPF_OBJECT := $(BUILD)/lockc.bpf.o
HELPER := $(BUILD)/lockcctl
# The version lockc-load records in map loaded_object: debian/changelog's, so
# that a package and the build it loads cannot disagree.
VERSION ?= $(shell dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null)
VERSION_FILE := $(BUILD)/lockc.version
HELPER_SOURCES := $(wildcard maps/lockcctl*.c)
MANIFEST := $(BUILD)/lockc.manifest
HOOKS := $(BUILD)/lockc.hooks
# One per bpf/lockc-NAME.bpf.c: its object, manifest and hooks, and the list.
SUPPLEMENT_NAMES := $(patsubst bpf/%.bpf.c,%,$(filter-out bpf/lockc.bpf.c,$(wildcard bpf/lockc-*.bpf.c)))
SUPPLEMENT_MANIFESTS := $(SUPPLEMENT_NAMES:%=$(BUILD)/%.manifest)
SUPPLEMENT_LIST := $(BUILD)/lockc.supplements
SUPPLEMENTS := $(foreach s,$(SUPPLEMENT_NAMES),$(BUILD)/$(s).bpf.o $(BUILD)/$(s).manifest $(BUILD)/$(s).hooks) \
	$(SUPPLEMENT_LIST)
# Static, so that they run inside a busybox container: one operation per
# call, escape techniques, and a workload that must never be denied.
PROBE := $(BUILD)/probe
ESCAPE := $(BUILD)/escape
WORKLOAD := $(BUILD)/workload
# The microbenchmark loops of `make bench`, static for the same reason, and
# the BPF object of its "empty programs" condition.
BENCH := $(BUILD)/bench
BENCH_EMPTY := $(BUILD)/bench-empty.bpf.o

# The oci-hooks(5) file that podman and CRI-O read from a hooks.d directory.
# It names lockcctl by absolute path: this tree's, or LOCKCCTL_PATH.
OCI_HOOK := $(BUILD)/hooks.d/lockc.json
LOCKCCTL_PATH ?= $(abspath $(HELPER))

.PHONY: all deps check clean vm demo bench install uninstall deb image host-test-inputs vm-test-inputs FORCE
all: $(BPF_OBJECT) $(MANIFEST) $(HOOKS) $(SUPPLEMENTS) $(VERSION_FILE) $(HELPER) $(PROBE) $(ESCAPE) $(WORKLOAD) $(OCI_HOOK)

deps:
	scripts/install-deps

$(BUILD):
	mkdir -p $@

$(BUILD)/vmlinux.h: | $(BUILD)
	@test -r $(VMLINUX_BTF) || { echo "Error: $(VMLINUX_BTF) not readable; build on a kernel with CONFIG_DEBUG_INFO_BTF or set VMLINUX_BTF=FILE." >&2; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c >$@.tmp
	mv $@.tmp $@

# lockc.bpf.o, every kernel's, and its supplements, lockc-NAME.bpf.o from
# bpf/lockc-NAME.bpf.c: hooks that lockc's oldest kernel lacks, loaded beside
# it where the kernel has them. A supplement uses only some of the shared
# headers' functions.
$(BUILD)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) maps/lockc.h $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) $(if $(filter lockc,$*),,-Wno-unused-function) -c $< -o $@

# What the loader must find pinned after a load: one link per program, one
# pin per map, read from the object's BTF.
$(BUILD)/%.manifest: $(BUILD)/%.bpf.o bpf/manifest.jq
	$(BPFTOOL) btf dump file $< -j | jq -r -f bpf/manifest.jq >$@.tmp
	mv $@.tmp $@

# The LSM hooks the programs attach to, one per line, from the object's
# "lsm/NAME" sections: lockc-load refuses a kernel that lacks one by name,
# and loads a supplement only where the kernel has all of its own.
$(BUILD)/%.hooks: $(BUILD)/%.bpf.o
	$(LLVM_OBJDUMP) -h $< | awk '$$2 ~ /^lsm\// { sub(/^lsm\//, "", $$2); print $$2 }' >$@.tmp
	test -s $@.tmp
	mv $@.tmp $@

# The supplements lockc-load knows, one name a line. Checked here: the
# kernel keeps 15 characters of a program's name, which bpftool prog list
# shows, so no two programs of the objects may share them; and a supplement
# reuses lockc.bpf.o's maps, so it may have no map that lockc.bpf.o lacks.
$(SUPPLEMENT_LIST): $(MANIFEST) $(SUPPLEMENT_MANIFESTS)
	@clash=$$(awk '$$1 == "program" { print substr($$2, 1, 15) }' $^ | sort | uniq -d | paste -sd, -); \
	test -z "$$clash" || { echo "Error: programs share the first 15 characters of their names ($$clash), which the kernel keeps; rename one." >&2; exit 1; }
	@for m in $(SUPPLEMENT_MANIFESTS); do \
		extra=$$(awk 'NR == FNR { if ($$1 == "map") main[$$2] = 1; next } $$1 == "map" && !($$2 in main) { print $$2 }' \
			$(MANIFEST) $$m | paste -sd, -); \
		test -z "$$extra" || { echo "Error: $$m has maps that lockc.bpf.o lacks ($$extra); a supplement can only reuse lockc.bpf.o's." >&2; exit 1; }; \
	done
	printf '%s\n' $(SUPPLEMENT_NAMES) >$@.tmp
	mv $@.tmp $@

# Rewritten only when VERSION changes, so that nothing rebuilds for nothing.
$(VERSION_FILE): FORCE | $(BUILD)
	@test -n '$(VERSION)' || { echo "Error: no version: dpkg-parsechangelog (dpkg-dev) found none in debian/changelog; set VERSION=..." >&2; exit 1; }
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' >$@

# The shipped lockc.conf, built into lockcctl for nodes that have none.
$(BUILD)/default-config.h: policy-defaults/lockc.conf | $(BUILD)
	sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&\\n"/' $< >$@.tmp
	mv $@.tmp $@

$(HELPER): $(HELPER_SOURCES) $(wildcard maps/*.h) $(BUILD)/default-config.h | $(BUILD)
	$(CC) $(HELPER_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(HELPER_SOURCES) $(HELPER_LDLIBS)

$(OCI_HOOK): scripts/oci-hook.json.in
	mkdir -p $(dir $@)
	sed 's|@LOCKCCTL@|$(LOCKCCTL_PATH)|' $< >$@.tmp
	jq . $@.tmp >/dev/null
	mv $@.tmp $@

$(BUILD)/%: tests/probe/%.c | $(BUILD)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $< -lpthread

# The CRI's messages for tests/engines/cri-client, generated from the
# api.proto of Debian's golang-github-kubernetes-cri-api-dev (installed by
# scripts/install-deps): the API containerd's CRI plugin serves.
CRI_PROTO_ROOT := /usr/share/gocode/src
CRI_PROTO := k8s.io/cri-api/pkg/apis/runtime/v1/api.proto
CRI_PYTHON := $(BUILD)/cri/k8s/io/cri_api/pkg/apis/runtime/v1/api_pb2.py
$(CRI_PYTHON): $(CRI_PROTO_ROOT)/$(CRI_PROTO) | $(BUILD)
	rm -rf $(BUILD)/cri.tmp
	mkdir -p $(BUILD)/cri.tmp
	protoc -I $(CRI_PROTO_ROOT) -I /usr/include --python_out=$(BUILD)/cri.tmp $(CRI_PROTO) \
		github.com/gogo/protobuf/gogoproto/gogo.proto
	rm -rf $(BUILD)/cri
	mv $(BUILD)/cri.tmp $(BUILD)/cri

$(BENCH): tests/bench/bench.c | $(BUILD)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/bench-empty.bpf.c: $(HOOKS) tests/bench/empty-programs.awk
	awk -f tests/bench/empty-programs.awk $(HOOKS) >$@.tmp
	mv $@.tmp $@

$(BENCH_EMPTY): $(BUILD)/bench-empty.bpf.c $(BUILD)/vmlinux.h
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# An older lockc for tests/vm-one-kernel/upgrade.bats to upgrade from, built from this
# repository's history with its own Makefile: the last commit before
# ipc_owners, whose policies map has another layout than today's, so that
# the upgrade has entries to carry as well as maps to reuse.
UPGRADE_FROM ?= 37e238a663e6c13f9a28578e5842ab56620a44ef
UPGRADE_FROM_DIR := $(BUILD)/upgrade-from
$(UPGRADE_FROM_DIR)/build/lockcctl:
	@git cat-file -e '$(UPGRADE_FROM)^{commit}' 2>/dev/null || { echo "Error: commit $(UPGRADE_FROM) is not in this clone; the upgrade tests build it, so fetch the whole history (git fetch --unshallow)." >&2; exit 1; }
	rm -rf $(UPGRADE_FROM_DIR)
	mkdir -p $(UPGRADE_FROM_DIR)
	git archive '$(UPGRADE_FROM)' | tar -x -C $(UPGRADE_FROM_DIR)
	$(MAKE) -C $(UPGRADE_FROM_DIR) BUILD=build VMLINUX_BTF=$(VMLINUX_BTF) build/lockc.bpf.o build/lockc.manifest build/lockcctl


# Boot the VM and show, with real runc containers, the breakouts lockc refuses.
demo: all
	vmtest/run -k $(KERNEL) -- vmtest/demo

# Boot the VM, load lockc and open a shell, or run CMD instead of the shell:
#   make vm    make vm KERNEL=6.12    make vm CMD='scripts/lockc-status'
KERNEL ?= 6.1
vm: all
ifeq ($(CMD),)
	vmtest/run -k $(KERNEL) --shell -- scripts/lockc-load
else
	vmtest/run -k $(KERNEL) -- sh -c 'scripts/lockc-load && $(CMD)'
endif

# What lockc costs, against no LSM policy, Landlock and AppArmor, in two
# boots of one kernel (tests/bench/run): a table, never a pass or fail.
# 6.12 by default: kernels before 6.4 report map memory as an upper bound.
BENCH_KERNEL ?= 6.12
bench: all $(BENCH) $(BENCH_EMPTY)
	tests/bench/run -k $(BENCH_KERNEL)

# ---- install ---------------------------------------------------------------
# FHS paths below PREFIX; DESTDIR stages them (a package build). /etc is not
# below PREFIX: lockcctl and the scripts read /etc/lockc and /etc/default/lockc
# themselves. Files there belong to the admin and are installed only where
# none exists.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib/lockc
DATADIR ?= $(PREFIX)/share/lockc
DOCDIR ?= $(PREFIX)/share/doc/lockc
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
# podman and CRI-O read /usr/share/containers/oci/hooks.d unless their
# hooks_dir says otherwise: below /usr/local, add this one to it.
OCIHOOKSDIR ?= $(PREFIX)/share/containers/oci/hooks.d
SYSCONFDIR := /etc
SCRIPTS := lockc-load lockc-unload lockc-status lockc-runtime
MAN_PAGES := $(wildcard scripts/man/*.8)
FORMAT_PAGES := $(wildcard scripts/man/*.5)
# The files made from scripts/**/*.in name the installed programs.
SUBSTITUTE = sed 's|@SBINDIR@|$(SBINDIR)|g; s|@LOCKCCTL@|$(SBINDIR)/lockcctl|g'

install: $(BPF_OBJECT) $(MANIFEST) $(HOOKS) $(SUPPLEMENTS) $(VERSION_FILE) $(HELPER)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(DATADIR)/policies \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR)/maps $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(OCIHOOKSDIR) \
		$(DESTDIR)$(SYSCONFDIR)/lockc/policies $(DESTDIR)$(SYSCONFDIR)/default
	install -m 0644 $(BPF_OBJECT) $(MANIFEST) $(HOOKS) $(SUPPLEMENTS) $(VERSION_FILE) $(DESTDIR)$(LIBDIR)/
	install -m 0644 scripts/lockc-common.sh $(DESTDIR)$(LIBDIR)/
	printf '%s\n' '# Written by make install: where the pieces of this installation are.' \
		'LOCKC_OBJECT_DIR=$${LOCKC_OBJECT_DIR:-$(LIBDIR)}' \
		'LOCKC_HELPER=$${LOCKC_HELPER:-$(SBINDIR)/lockcctl}' \
		'LOCKC_POLICY_DEFAULTS=$${LOCKC_POLICY_DEFAULTS:-$(DATADIR)/policies}' \
		>$(DESTDIR)$(LIBDIR)/lockc-paths.sh
	chmod 0644 $(DESTDIR)$(LIBDIR)/lockc-paths.sh
	for script in $(SCRIPTS); do \
		install -m 0755 scripts/$$script $(DESTDIR)$(LIBDIR)/ && \
		ln -sfn $$(realpath -m --relative-to=$(SBINDIR) $(LIBDIR)/$$script) $(DESTDIR)$(SBINDIR)/$$script || exit 1; \
	done
	install -m 0755 $(HELPER) $(DESTDIR)$(SBINDIR)/
	install -m 0644 policy-defaults/*.policy $(DESTDIR)$(DATADIR)/policies/
	install -m 0644 policy-defaults/lockc.conf $(DESTDIR)$(DATADIR)/
	$(SUBSTITUTE) scripts/oci-hook.json.in >$(DESTDIR)$(OCIHOOKSDIR)/lockc.json
	$(SUBSTITUTE) scripts/systemd/lockc.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/lockc.service
	$(SUBSTITUTE) scripts/systemd/lockc-events.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/lockc-events.service
	$(SUBSTITUTE) scripts/examples/containerd-config.toml.in >$(DESTDIR)$(DOCDIR)/examples/containerd-config.toml
	$(SUBSTITUTE) scripts/examples/docker-daemon.json.in >$(DESTDIR)$(DOCDIR)/examples/docker-daemon.json
	chmod 0644 $(DESTDIR)$(OCIHOOKSDIR)/lockc.json $(DESTDIR)$(SYSTEMDUNITDIR)/lockc*.service \
		$(DESTDIR)$(DOCDIR)/examples/*
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(FORMAT_PAGES) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 scripts/completion/lockcctl $(DESTDIR)$(BASHCOMPDIR)/lockcctl
	install -m 0644 README.md docs/install.md docs/runtimes.md bpf/model.md bpf/coverage.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 policy-defaults/README.md $(DESTDIR)$(DOCDIR)/policies.md
	install -m 0644 tests/README.md $(DESTDIR)$(DOCDIR)/tests.md
	install -m 0644 maps/*.md $(DESTDIR)$(DOCDIR)/maps/
	[ -e $(DESTDIR)$(SYSCONFDIR)/lockc/lockc.conf ] || install -m 0644 policy-defaults/lockc.conf $(DESTDIR)$(SYSCONFDIR)/lockc/
	[ -e $(DESTDIR)$(SYSCONFDIR)/default/lockc ] || install -m 0644 scripts/systemd/lockc.default $(DESTDIR)$(SYSCONFDIR)/default/lockc

# ---- the Debian package ----------------------------------------------------
# Built from a copy of the tracked files, since dpkg-buildpackage writes
# beside the source directory: $(DEB_DIR)/lockc_VERSION_amd64.deb.
# $(DEB_NEXT) is the same source under the next version, which the package
# test upgrades to.
DEB_DIR := $(BUILD)/deb
DEB := $(DEB_DIR)/lockc_$(VERSION)_amd64.deb
DEB_NEXT_VERSION := $(VERSION)+next
DEB_NEXT := $(DEB_DIR)/next/lockc_$(DEB_NEXT_VERSION)_amd64.deb
TRACKED := $(shell git ls-files 2>/dev/null)

deb: $(DEB)

$(DEB): $(TRACKED)
	rm -rf $(DEB_DIR)/src && mkdir -p $(DEB_DIR)/src
	git ls-files -z | xargs -0 cp --parents -t $(DEB_DIR)/src
	cd $(DEB_DIR)/src && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || { tail -n 30 ../build.log >&2; exit 1; }

$(DEB_NEXT): $(TRACKED)
	rm -rf $(DEB_DIR)/next && mkdir -p $(DEB_DIR)/next/src
	git ls-files -z | xargs -0 cp --parents -t $(DEB_DIR)/next/src
	{ printf 'lockc (%s) unstable; urgency=medium\n\n  * The same source under the next version, for the upgrade test.\n\n -- %s  %s\n\n' \
		'$(DEB_NEXT_VERSION)' "$$(dpkg-parsechangelog -l debian/changelog -S Maintainer)" "$$(date -R)"; \
	  cat debian/changelog; } >$(DEB_DIR)/next/src/debian/changelog
	cd $(DEB_DIR)/next/src && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || { tail -n 30 ../build.log >&2; exit 1; }

# ---- the Kubernetes image ----------------------------------------------------
# What kubernetes/lockc.yaml runs (kubernetes/build-image): the installed
# tree, a static lockcctl, which the node runs from its OCI hook whatever
# libraries the node has, and node-install, as an OCI archive.
STATIC_HELPER := $(BUILD)/lockcctl-static
IMAGE := $(BUILD)/image/lockc-$(VERSION).oci.tar

$(STATIC_HELPER): $(HELPER_SOURCES) $(wildcard maps/*.h) $(BUILD)/default-config.h | $(BUILD)
	$(CC) -static $(HELPER_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(HELPER_SOURCES) -lbpf -lelf -lz -ljansson

image: $(IMAGE)

$(IMAGE): $(BPF_OBJECT) $(MANIFEST) $(HOOKS) $(SUPPLEMENTS) $(VERSION_FILE) $(HELPER) $(STATIC_HELPER) kubernetes/build-image kubernetes/node-install
	rm -rf $(BUILD)/image/staged
	$(MAKE) -s install DESTDIR=$(abspath $(BUILD))/image/staged PREFIX=/usr
	kubernetes/build-image $(BUILD)/image/staged $(STATIC_HELPER) $@

# ---- the workload suite's image ----------------------------------------------
# The workload suite's server image (tests/vm-one-kernel/workloads.bats):
# Debian's nginx, PostgreSQL, Redis and Python, built with mmdebstrap.
WORKLOAD_IMAGE := $(BUILD)/workload-image.tar

# The same as an OCI archive for containerd's `ctr images import`
# (tests/vm-one-kernel/workloads-cri.bats), digests made here rather than
# under emulation.
WORKLOAD_OCI_IMAGE := $(BUILD)/workload-image.oci.tar

$(WORKLOAD_IMAGE): tests/workload/build-image tests/workload/app.py tests/workload/nginx-unprivileged.conf | $(BUILD)
	tests/workload/build-image $@

$(WORKLOAD_OCI_IMAGE): $(WORKLOAD_IMAGE) vmtest/containers.sh
	bash -c '. vmtest/containers.sh && make_oci_archive "$$1" lockc-server "$$2.tmp"' - $< $@
	mv $@.tmp $@

# What the suites read besides the build, which tests/run makes before it
# runs them: the host suites lint the package; the VM suites upgrade from the
# older build and install both packages and the image. Defined after those
# rules, since make expands a rule's prerequisites where it reads it.
host-test-inputs: all $(DEB) $(BENCH)
vm-test-inputs: all $(UPGRADE_FROM_DIR)/build/lockcctl $(DEB) $(DEB_NEXT) $(IMAGE) $(CRI_PYTHON) $(WORKLOAD_IMAGE) $(WORKLOAD_OCI_IMAGE)

check: deps
	tests/run

# Everything install put below PREFIX; /etc stays, as the admin's.
uninstall:
	rm -rf $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)
	rm -f $(addprefix $(DESTDIR)$(SBINDIR)/,$(SCRIPTS) lockcctl) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN_PAGES))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(FORMAT_PAGES))) \
		$(DESTDIR)$(BASHCOMPDIR)/lockcctl $(DESTDIR)$(OCIHOOKSDIR)/lockc.json \
		$(DESTDIR)$(SYSTEMDUNITDIR)/lockc.service $(DESTDIR)$(SYSTEMDUNITDIR)/lockc-events.service

clean:
	rm -rf $(BUILD)
