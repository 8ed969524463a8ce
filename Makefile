# wgsf - one entry point: make, make test, make demo, make bench, make install, make deb
VERSION := 0.1.0

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
# tools/NAME: the systemd units `make install` puts in UNITDIR.
UNITS := wgsf@.service wgsf-metrics.service wgsf-events@.service

# SANITIZE=1: everything built under ASan and UBSan, into build/sanitize.
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(SANITIZE),1)
BUILD := build/sanitize
WGSF_SAN := $(SAN_FLAGS)
else
BUILD := build
endif
CC ?= cc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
PKG_CONFIG ?= pkg-config

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Debian's multiarch name (clang's -dumpmachine is another), for asm/types.h
ARCH_INC := /usr/include/$(shell $(CLANG) -print-multiarch 2>/dev/null)
LIBS := $(shell $(PKG_CONFIG) --libs libbpf libmnl libsodium 2>/dev/null || \
	  echo -lbpf -lelf -lz -lmnl -lsodium)
# The CLI alone serves HTTP (wgsf metrics --listen), through libmicrohttpd
# opened when it is needed (tools/mhd.h): by its soname, as the linker
# would have recorded it.
MHD_SONAME := $(shell objdump -p "$$($(CC) -print-file-name=libmicrohttpd.so)" 2>/dev/null | \
	awk '/SONAME/ { print $$2 }')
CFLAGS ?= -O2 -g
# The project's own flags, kept whatever CFLAGS the command line or the
# environment gives; the user's come after, so that they can override.
WGSF_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -MMD -MP -Iinclude -Iloader -Itests/lib \
	       -I$(BUILD) -DWGSF_VERSION='"$(VERSION)"' $(WGSF_SAN)
ALL_CFLAGS = $(WGSF_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(WGSF_SAN) $(LDFLAGS)
# tools/mhd.c, alone, opens libmicrohttpd
$(BUILD)/tools/mhd.o $(BUILD)/faults/tools/mhd.o: \
	WGSF_CFLAGS += $(if $(MHD_SONAME),-DWGSF_MHD_SONAME='"$(MHD_SONAME)"')
BPF_CFLAGS := -O2 -g -target bpf -Wall -Wextra -Werror -MMD -MP -Iinclude -I$(ARCH_INC)

LOADER_SRC := $(wildcard loader/*.c loader/*/*.c)
TOOLS_SRC := $(wildcard tools/*.c)
LOADER_OBJ := $(LOADER_SRC:%.c=$(BUILD)/%.o)
TOOLS_OBJ := $(TOOLS_SRC:%.c=$(BUILD)/%.o)
# Each bpf/NAME.bpf.c is one object with its skeleton, build/NAME.skel.h.
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(wildcard bpf/*.bpf.c))

# loader/'s folders, lowest first, below the shared helpers in loader/
# itself: a file includes headers of its own folder and of those below it,
# never of one above, and no two folders include each other. `make lint`
# holds the tree to it (tools/layers.sh, on the #include lines).
LOADER_LAYERS := device policy pins tables tracer attach check

# Each tests/{unit,datapath}/NAME.c is one TAP program, build/tests/NAME.t.
TEST_SRC := $(wildcard tests/unit/*.c tests/datapath/*.c)
TEST_BIN := $(patsubst %.c,$(BUILD)/tests/%.t,$(notdir $(TEST_SRC)))
TEST_LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(filter-out tests/lib/keywatch.c,\
		$(wildcard tests/lib/*.c)))
# It wraps free(): linked only where the link wraps it (WIPE_TESTS).
KEYWATCH_OBJ := $(BUILD)/tests/lib/keywatch.o
WIPE_TESTS := $(BUILD)/tests/wipe.t $(BUILD)/tests/tools/keyleft
# tests/tools/NAME.c: programs the script tests call, build/tests/tools/NAME.
TEST_TOOLS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/tools/*.c))
# tests/preload/NAME.c: libraries the script tests preload into wgsf,
# build/tests/tools/NAME.so, never built with the sanitizers (a sanitized
# wgsf takes them with ASAN_OPTIONS=verify_asan_link_order=0).
TEST_PRELOADS := $(patsubst tests/preload/%.c,$(BUILD)/tests/tools/%.so,$(wildcard tests/preload/*.c))
# wgsf built with fault points (loader/fault.h), for the tests that kill it
# at each write that must survive a kill.
FAULTS_OBJ := $(patsubst %.c,$(BUILD)/faults/%.o,$(TOOLS_SRC) $(LOADER_SRC))
FAULTS_BIN := $(BUILD)/tests/tools/wgsf-faults
# tests/bench/NAME.c: the programs `make bench` runs, build/tests/bench/NAME.
BENCH_TOOLS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/bench/*.c))
# libFuzzer targets, tests/fuzz/NAME.c, each on the real parser under ASan
# and UBSan, built by clang into build/fuzz/bin/NAME, seeded from
# tests/fuzz/NAME/; `make fuzz` runs each FUZZ_TIME seconds.
FUZZ_CC ?= clang
FUZZ_TIME ?= 600
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/bin/%,$(wildcard tests/fuzz/*.c))
FUZZ_OBJ := $(patsubst %.c,$(BUILD)/fuzz/%.o,$(LOADER_SRC))
# wgsf check's file audit needs no BPF: its fuzzer links it alone, so that a
# dependency on attach/ or tracer/ fails the build.
CHECK_FILE_SRC := $(addprefix loader/check/,file.c report.c effective.c overlaps.c wgconf.c) \
	$(addprefix loader/,device/model.c device/prefix.c filepos.c ini.c textfile.c \
	strict_path.c) $(wildcard loader/policy/*.c)
FUZZ_OBJ_wgconf := $(patsubst %.c,$(BUILD)/fuzz/%.o,$(CHECK_FILE_SRC))
# Scripts run as they are: `wgsf check` on its corpus of configs, the
# end-to-end suite on wireguard-go, then the
# kernel lane's accelerator probe, then the kernel lane, which runs the suite
# again on kernel WireGuard in qemu.
KERNEL_SCRIPTS := tests/kernel/accel.t tests/kernel/lane.t
HOST_SCRIPTS := $(sort $(wildcard tests/check/*.t tests/e2e/*.t))
# Host tests run in the lane's chain, after it: the other chain is the
# longer one (README.md, "What the tests cost").
AFTER_LANE := tests/e2e/nofalsedrops.t tests/fuzz/fuzz.t
TEST_SCRIPTS := $(filter-out $(AFTER_LANE),$(sort $(wildcard tests/make/*.t tests/fuzz/*.t) \
	$(HOST_SCRIPTS))) $(KERNEL_SCRIPTS) $(AFTER_LANE)
comma := ,
empty :=
space := $(empty) $(empty)

all: $(BUILD)/wgsf

$(BUILD)/wgsf: $(TOOLS_OBJ) $(LOADER_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.bpf.o: bpf/%.bpf.c | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@.tmp && mv $@.tmp $@

# Skeletons come first; which ones an object includes, its .d file says.
$(BUILD)/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/faults/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -DWGSF_FAULTS -c $< -o $@

$(FAULTS_BIN): $(FAULTS_OBJ)
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%.t: $(BUILD)/tests/unit/%.o $(TEST_LIB_OBJ) $(LOADER_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# The JSON writer's test: the writer is the CLI's.
$(BUILD)/tests/json.t: $(BUILD)/tools/json.o
$(BUILD)/tests/unit/json.o: WGSF_CFLAGS += -Itools
# wgsf top's rates: the CLI's too.
$(BUILD)/tests/top_rates.t: $(BUILD)/tools/top_rates.o $(BUILD)/tools/wait.o
$(BUILD)/tests/unit/top_rates.o: WGSF_CFLAGS += -Itools
# and its JSON lines, as it prints them
$(BUILD)/tests/top_print.t: $(addprefix $(BUILD)/tools/,top_print.o top_rates.o wait.o json.o \
	ui_color.o ui_error.o ui_names.o ui_text.o)
$(BUILD)/tests/unit/top_print.o: WGSF_CFLAGS += -Itools
# wgsf events' lines
$(BUILD)/tests/events_print.t: $(addprefix $(BUILD)/tools/,events_print.o json.o ui_color.o \
	ui_error.o ui_names.o ui_text.o)
$(BUILD)/tests/unit/events_print.o: WGSF_CFLAGS += -Itools

# The words of check's findings are the CLI's.
$(BUILD)/tests/check_rules.t: $(addprefix $(BUILD)/tools/,check_kinds.o ui_names.o ui_text.o json.o)
$(BUILD)/tests/unit/check_rules.o: WGSF_CFLAGS += -Itools

# The wiping tests look into each block wgsf frees.
$(WIPE_TESTS): ALL_LDFLAGS += -Wl,--wrap=free
$(WIPE_TESTS): $(KEYWATCH_OBJ)

$(BUILD)/tests/%.t: $(BUILD)/tests/datapath/%.o $(TEST_LIB_OBJ) $(LOADER_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(TEST_LIB_OBJ) $(LOADER_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/tools/%.so: tests/preload/%.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(filter-out $(SAN_FLAGS),$(ALL_CFLAGS)) -shared -fPIC -o $@ $< -ldl

$(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(TEST_LIB_OBJ) $(LOADER_OBJ)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/fuzz/%.o: %.c | $(SKELS)
	$(call msg,FUZZ-CC,$@)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(WGSF_CFLAGS) -g -O1 $(SAN_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

# A fuzzer links the loader, or FUZZ_OBJ_NAME where that is set.
.SECONDEXPANSION:
$(BUILD)/fuzz/bin/%: $(BUILD)/fuzz/tests/fuzz/%.o $$(or $$(FUZZ_OBJ_$$*),$$(FUZZ_OBJ))
	$(call msg,FUZZ-LD,$@)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(SAN_FLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

$(BUILD):
	@mkdir -p $@

deps:
	@tools/deps.sh build

# (the fuzzers have their own sanitizers)
tests: $(BUILD)/wgsf $(TEST_BIN) $(TEST_TOOLS) $(TEST_PRELOADS) $(BENCH_TOOLS) $(FAULTS_BIN) $(if $(WGSF_SAN),,$(FUZZ_BIN))

# Tests need root for BPF and network namespaces; see README.md. Two
# chains run side by side: tests/kernel/ (accel.t, then the lane, which
# share the kernel that build/kernel caches), whose guests under TCG keep
# about one of two cores busy, and all the other tests one after another
# (README.md, "What the tests cost").
test:
	@tools/deps.sh test kernel bench package
	@$(MAKE) --no-print-directory tests
	prove -j2 --timer --rules='seq={tests/kernel/*.t,$(subst $(space),$(comma),$(AFTER_LANE))}' --rules='seq=**' \
		--exec '' $(TEST_BIN) $(TEST_SCRIPTS)

# The kernel lane alone; KERNEL_PKG=linux-image-... picks another kernel.
test-kernel:
	@tools/deps.sh test kernel
	@$(MAKE) --no-print-directory tests
	prove --exec '' $(KERNEL_SCRIPTS)

lint:
	@tools/layers.sh $(LOADER_LAYERS)

# Each fuzzer FUZZ_TIME seconds; what it finds is left in build/fuzz/out/.
fuzz:
	@tools/deps.sh test
	@$(MAKE) --no-print-directory $(FUZZ_BIN)
	@WGSF_FUZZ_TIME=$(FUZZ_TIME) WGSF_FUZZ_OUT=$(BUILD)/fuzz/out tests/fuzz/fuzz.t

# The unit, datapath and end-to-end tests again, on a build under ASan and
# UBSan. A report ends the program with status 86, which fails its test;
# ASan's (leaks too) are kept in build/sanitize/reports, UBSan's are in
# the failing test's output. The kernel lane keeps to the plain build; the
# benchmark and the packaging tests, which test no code of wgsf's, are left
# out. Two tests run at once, the longest first so that the others fill the
# other core meanwhile; crash.t kills at a third of the fault points that
# make test kills at (tests/e2e/crash.t says which).
SAN_REPORTS := build/sanitize/reports
SAN_SKIP := tests/e2e/bench.t tests/e2e/deb.t tests/e2e/install.t
SAN_SCRIPTS := $(filter-out $(SAN_SKIP),$(HOST_SCRIPTS))
SAN_FIRST := tests/e2e/crash.t tests/e2e/metrics.t
# test-sanitize leaves these to test-sanitize-full: long, and every line of
# wgsf they run, the tests that it keeps run too (README.md says how that
# was measured).
SAN_FULL_ONLY := tests/e2e/nofalsedrops.t tests/e2e/rekey.t
test-sanitize: SAN_RUN = $(filter-out $(SAN_FULL_ONLY),$(SAN_SCRIPTS))
test-sanitize-full: SAN_RUN = $(SAN_SCRIPTS)
test-sanitize test-sanitize-full:
	@tools/deps.sh test
	@$(MAKE) --no-print-directory SANITIZE=1 tests
	@rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	WGSF_BUILD=$(CURDIR)/build/sanitize \
	ASAN_OPTIONS=log_path=$(CURDIR)/$(SAN_REPORTS)/asan:exitcode=86 \
	UBSAN_OPTIONS=print_stacktrace=1:exitcode=86 WGSF_CRASH_EVERY=3 \
	prove -j2 --timer --exec '' $(filter $(SAN_FIRST),$(SAN_RUN)) \
		$(patsubst build/%,build/sanitize/%,$(TEST_BIN)) \
		$(filter-out $(SAN_FIRST),$(SAN_RUN))
	@! ls $(SAN_REPORTS)/* 2>/dev/null || { cat $(SAN_REPORTS)/*; exit 1; }

# A throwaway gateway and three clients in network namespaces; needs root.
demo:
	@tools/deps.sh demo
	@$(MAKE) --no-print-directory all
	@tools/demo.sh

# Figures and ratios, written to docs/BENCHMARKS.md and build/bench.json;
# needs root. BENCH_QUICK=1: a small run that only checks it all works.
bench:
	@tools/deps.sh test bench
	@$(MAKE) --no-print-directory tests
	@tools/bench.sh

# The binary, the man pages, bash completion and the systemd units; nothing
# else. uninstall removes exactly these and leaves the directories.
INSTALLED := $(BINDIR)/wgsf $(MANDIR)/man8/wgsf.8 $(MANDIR)/man5/wgsf.policy.5 \
	$(COMPLETIONDIR)/wgsf $(addprefix $(UNITDIR)/,$(UNITS))

install: $(BUILD)/wgsf
	install -D -m 0755 $(BUILD)/wgsf $(DESTDIR)$(BINDIR)/wgsf
	install -D -m 0644 man/wgsf.8 $(DESTDIR)$(MANDIR)/man8/wgsf.8
	install -D -m 0644 man/wgsf.policy.5 $(DESTDIR)$(MANDIR)/man5/wgsf.policy.5
	install -D -m 0644 tools/completion/wgsf.bash $(DESTDIR)$(COMPLETIONDIR)/wgsf
	install -d $(DESTDIR)$(UNITDIR)
	for u in $(UNITS); do \
		sed 's|@BINDIR@|$(BINDIR)|' tools/$$u > $(DESTDIR)$(UNITDIR)/$$u && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# build/wgsf_VERSION_ARCH.deb, from debian/, checked by lintian.
deb:
	@tools/deps.sh build package
	@tools/deb.sh

clean:
	rm -rf $(BUILD)

.PHONY: all deps tests test test-kernel lint test-sanitize test-sanitize-full fuzz demo bench \
	install uninstall deb clean
.SECONDARY:
.DELETE_ON_ERROR:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
