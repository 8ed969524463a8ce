#!/usr/bin/env bash
# The kernel lane: the end-to-end tests against kernel WireGuard, which this
# machine's kernel lacks. Debian's kernel package (KERNEL_PKG, cached under
# build/kernel) boots under qemu (KVM when /dev/kvm boots a guest, else TCG:
# tests/kernel/accel.sh) with an initramfs of busybox, the project's binaries
# and tests, and the tools they call; every test inside reports a TAP line here.
. "$(dirname "$0")/../e2e/lib.sh"
. "$ROOT/tests/kernel/lib.sh"
. "$ROOT/tests/kernel/accel.sh"

# A guard against a guest that hangs: each guest's tests take about 300 s
# under TCG on an idle 2-core machine, and more while the host is busy, as
# it is in `make test`, where the host tests run beside the lane.
LANE_TIMEOUT=${LANE_TIMEOUT:-900}
# Two guests run at once, each with half of the tests: the tests run one
# after another, so one guest left a host core idle most of the time. Each
# has two CPUs still, for the tests that run two processes at once (the
# netlink reader against a writer takes twice as long on one). The halves
# take about as long as each other (the lane prints what each test took).
GUEST_TESTS_1="tests/e2e/counts.t tests/e2e/sync.t tests/e2e/detach.t tests/e2e/netns.t
	tests/kernel/netlink.t tests/e2e/check-wireguard.t tests/e2e/orphans.t
	tests/e2e/xdp-retired.t tests/e2e/abi.t tests/kernel/tracer-cost.t
	tests/e2e/reader-wipe.t tests/e2e/replies.t tests/e2e/attach.t tests/e2e/allow.t
	tests/e2e/events.t tests/e2e/ratelimit.t"
GUEST_TESTS_2="tests/e2e/reader-parity.t tests/e2e/recreate.t tests/e2e/watch.t
	tests/e2e/policy.t tests/e2e/nofalsedrops.t tests/e2e/cli.t
	tests/e2e/rejected.t tests/e2e/wg-quick.t tests/e2e/changes.t tests/e2e/growth.t
	tests/e2e/policy-groups.t tests/e2e/flows.t tests/e2e/stream.t"
# GUEST_TESTS="tests/e2e/rejected.t": one guest with only those, while
# working on them. GUEST_ENV="NAME=VALUE ...": the guests' tests get these
# in their environment (the kernel hands its command line's to init).
if [ -n "${GUEST_TESTS:-}" ]; then
	GUEST_TESTS_1=$GUEST_TESTS GUEST_TESTS_2=
fi
GUEST_TOOLS="bash ip tc wg wg-quick nsenter unshare setpriv jq ping mount umount nft"

for tool in qemu-system-x86_64 cpio depmod dpkg apt-get $GUEST_TOOLS; do
	command -v "$tool" >/dev/null || t_skip_all "needs $tool (tools/deps.sh kernel installs it)"
done
require_static_busybox
[ -x "$WGSF" ] && [ -x "$ROOT/build/tests/tools/wgread" ] || t_skip_all "not built (make tests)"

# The shared libraries that FILE needs, at the same paths under $1.
copy_libs() { # STAGING FILE
	local f
	for f in $(ldd "$2" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$1$(dirname "$f")" && cp -L "$f" "$1$f" || return 1
	done
}

# A file and the shared libraries it needs, at the same paths under $1.
copy_with_libs() { # STAGING FILE
	mkdir -p "$1$(dirname "$2")" && cp -L "$2" "$1$2" && copy_libs "$1" "$2"
}

build_initramfs() {
	local st=$CACHE/staging m t
	rm -rf "$st" && mkdir -p "$st/bin" "$st/lane" || return 1
	cp /bin/busybox "$st/bin/busybox"
	for t in $(/bin/busybox --list); do
		[ -e "$st/bin/$t" ] || ln -s busybox "$st/bin/$t"
	done
	for t in $GUEST_TOOLS; do copy_with_libs "$st" "$(command -v "$t")" || return 1; done
	# busybox's sh runs its own ip and tc before PATH's: the tests' sh is bash
	ln -sf /usr/bin/bash "$st/bin/sh"
	ln -sf /usr/bin/bash "$st/bin/bash" # wg-quick's #!
	for m in $(modprobe -d "$KDIR" -S "$KVER" --show-depends -a wireguard veth dummy \
		sch_ingress cls_bpf cls_u32 nf_tables nft_ct 2>/dev/null | awk '/^insmod/ { print $2 }'); do
		mkdir -p "$st$(dirname "${m#"$KDIR"}")" && cp "$m" "$st${m#"$KDIR"}"
	done
	cp "$KDIR/lib/modules/$KVER"/modules.order "$KDIR/lib/modules/$KVER"/modules.builtin* \
		"$st/lib/modules/$KVER/" 2>/dev/null
	depmod -b "$st" "$KVER" || return 1
	cp "$ROOT/tests/kernel/init" "$st/init"
	mkdir -p "$st/lane/build/tests" "$st/lane/tests" "$st/lane/tools"
	cp "$WGSF" "$ROOT/build/wgsf.bpf.o" "$st/lane/build/" && cp -r "$ROOT/build/tests/tools" "$st/lane/build/tests/" &&
		cp -r "$ROOT/tests/e2e" "$ROOT/tests/kernel" "$st/lane/tests/" &&
		cp "$ROOT/tools/topology.sh" "$st/lane/tools/" && cp "$ROOT/Makefile" "$st/lane/" ||
		return 1
	for t in "$WGSF" "$ROOT"/build/tests/tools/*; do copy_libs "$st" "$t" || return 1; done
	echo $GUEST_TESTS_1 >"$st/lane/guest-tests-1"
	echo $GUEST_TESTS_2 >"$st/lane/guest-tests-2"
	(cd "$st" && find . | cpio -o -H newc --quiet | gzip -1) >"$CACHE/initramfs.gz"
}

# Guest N (1 or 2) runs GUEST_TESTS_N, writing CACHE/console-N.log and
# CACHE/results-N.log. no_timer_check: under TCG on a busy host (the host
# tests run beside the lane) the kernel's check of the IO-APIC timer can
# miss its ticks and panic at boot ("IO-APIC + timer doesn't work!").
boot_one() { # N ACCEL
	rm -f "$CACHE/console-$1.log" "$CACHE/results-$1.log"
	# shellcheck disable=SC2086
	timeout "$LANE_TIMEOUT" qemu-system-x86_64 -machine q35 $2 -smp 2 -m 1024 \
		-display none -monitor none -no-reboot \
		-serial "file:$CACHE/console-$1.log" -serial "file:$CACHE/results-$1.log" \
		-kernel "$KERNEL" -initrd "$CACHE/initramfs.gz" \
		-append "console=ttyS0 loglevel=4 panic=-1 no_timer_check CI=${CI:-} wgsf_tests=$1 ${GUEST_ENV:-}"
}

boot() {
	local choice accel=$ACCEL_TCG start
	choice=$(accel_probe "$KERNEL")
	t_diag "accelerator: $choice"
	[ "$choice" = kvm ] && accel=$ACCEL_KVM
	start=$(date +%s)
	[ -z "$GUEST_TESTS_2" ] || boot_one 2 "$accel" &
	boot_one 1 "$accel"
	wait
	t_diag "both guests done in $(($(date +%s) - start)) s"
}

# Each guest test's TAP lines become this test's, named after the guest test.
report() { # N
	local line test="" rc plan=0 seen=0 kernel="" ran=0 tests
	tests=GUEST_TESTS_$1
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"WGSF-LANE kernel "*) kernel=${line#WGSF-LANE kernel } ;;
		"WGSF-LANE begin "*) test=${line#WGSF-LANE begin } plan=0 seen=0 ;;
		"WGSF-LANE end "*)
			rc=${line##* }
			[ "$rc:$seen:$plan" = 0:0:0 ] ||
				t_is "$rc:$seen" "0:$plan" "kernel $kernel: $test: exit 0, all $plan planned tests ran"
			# a lost begin line must not charge this test's lines to the last
			ran=$((ran + 1)) test="" plan=0 seen=0 ;;
		"WGSF-LANE took "*) t_diag "guest $1: ${line#WGSF-LANE took } s" ;;
		"WGSF-LANE done")
			t_is "$ran" "$(echo ${!tests} | wc -w)" "kernel $kernel: guest $1 ran every test"
			return ;;
		ok\ *|not\ ok\ *)
			seen=$((seen + 1))
			t_is "${line%% *}" ok "kernel $kernel: $test: ${line#* - }" ;;
		"1..0 # SKIP"*)
			T_N=$((T_N + 1))
			echo "ok $T_N # SKIP kernel $kernel: $test: ${line#*SKIP }" ;;
		1..*) plan=${line#1..} plan=${plan%% *} ;;
		"#"*) echo "$line" ;;
		esac
	done <"$CACHE/results-$1.log"
	t_ok "kernel ${kernel:-?}: guest $1 finished (it stopped inside ${test:-boot})" false
	tail -n 5 "$CACHE/results-$1.log" 2>/dev/null | sed 's/^/# guest: /'
	tail -n 25 "$CACHE/console-$1.log" 2>/dev/null | sed 's/^/# console: /'
}

mkdir -p "$CACHE"
fetch_kernel || t_skip_all "cannot fetch $KERNEL_PKG with apt-get download"
t_ok "build the initramfs for $KVER" build_initramfs
boot
report 1
[ -z "$GUEST_TESTS_2" ] || report 2
t_done
