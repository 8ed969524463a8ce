#!/usr/bin/env bash
# The kernel lane's accelerator probe (tests/kernel/accel.sh) decides right:
# TCG without /dev/kvm; TCG, with qemu's reason and within the probe's
# timeout, when /dev/kvm exists but runs no guest; KVM when KVM works. Each
# /dev that this host lacks is made in a private mount namespace, which ends
# with its command: the host's /dev never changes.
. "$(dirname "$0")/../e2e/lib.sh"
. "$ROOT/tests/kernel/lib.sh"
. "$ROOT/tests/kernel/accel.sh"
# the probe itself is under test, not a choice made for the lane
unset LANE_ACCEL

[ "$(id -u)" = 0 ] || t_skip_all "needs root for a private mount namespace"
for tool in qemu-system-x86_64 cpio unshare mknod timeout apt-get dpkg depmod; do
	command -v "$tool" >/dev/null || t_skip_all "needs $tool (tools/deps.sh kernel installs it)"
done
require_static_busybox
unshare -m mount -t tmpfs wgsf-dev /dev 2>/dev/null || t_skip_all "cannot mount in a private mount namespace"
fetch_kernel || t_skip_all "cannot fetch $KERNEL_PKG with apt-get download"

TMP=$(mktemp -d)
trap 'cleanup; rm -rf "$TMP"' EXIT
# Whatever a probe killed in the middle leaves goes with TMP.
export TMPDIR=$TMP

# Runs a command with a /dev of only the nodes qemu needs, plus /dev/kvm as
# the device MAJOR:MINOR, or none.
with_dev() { # none|MAJOR:MINOR COMMAND...
	unshare -m bash -c '
		kvm=$1
		shift
		mount -t tmpfs -o mode=755 wgsf-dev /dev || exit 1
		for node in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
			IFS=: read -r name major minor <<<"$node"
			mknod -m 666 "/dev/$name" c "$major" "$minor" || exit 1
		done
		ln -s /proc/self/fd /dev/fd
		[ "$kvm" = none ] || mknod -m 666 /dev/kvm c "${kvm%:*}" "${kvm#*:}" || exit 1
		exec "$@"' - "$@"
}

# Runs the probe, guarded in case it hangs after all, and sets GOT to its
# line and SECONDS_TAKEN to its time.
probe() { # [COMMAND-PREFIX...]
	local start=$EPOCHREALTIME
	GOT=$("$@" timeout -k 2 $((KVM_PROBE_TIMEOUT + 20)) "$ROOT/tests/kernel/accel.sh" "$KERNEL")
	SECONDS_TAKEN=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
}

within() { awk -v t="$SECONDS_TAKEN" -v max="$1" 'BEGIN { exit !(t < max) }'; }

# Whether KVM runs this kernel, found without the probe: the kernel alone,
# with no initramfs, boots until it finds no root file system.
kvm_boots_linux() {
	# shellcheck disable=SC2086
	timeout -k 2 30 qemu-system-x86_64 -machine q35 $ACCEL_KVM -smp 2 -m 256 -display none \
		-monitor none -no-reboot -serial "file:$TMP/kvm-console" -kernel "$KERNEL" \
		-append "console=ttyS0 panic=-1" </dev/null >/dev/null 2>&1
	grep -q 'VFS: Unable to mount root fs' "$TMP/kvm-console" 2>/dev/null
}

# This host's own /dev.
probe
if [ ! -e /dev/kvm ]; then
	t_is "$GOT" "tcg (no /dev/kvm)" "this host, no /dev/kvm: tcg"
	t_diag "no /dev/kvm here: the choice of kvm is not asserted"
elif kvm_boots_linux; then
	t_is "$GOT" kvm "this host, a working /dev/kvm: kvm"
else
	t_is "${GOT%%:*}" "tcg (/dev/kvm does not boot a guest" "this host, a /dev/kvm that runs no Linux: tcg"
	t_diag "this host's /dev/kvm does not boot Linux: the choice of kvm is not asserted"
fi
t_diag "this host: $GOT, in $SECONDS_TAKEN s"

probe with_dev none
t_is "$GOT" "tcg (no /dev/kvm)" "a /dev without kvm: tcg"

# /dev/null's numbers: qemu opens it and its first KVM ioctl fails.
probe with_dev 1:3
t_is "$GOT" "tcg (/dev/kvm does not boot a guest: qemu: failed to initialize kvm: Inappropriate ioctl for device)" \
	"a /dev/kvm that is not KVM: tcg, with qemu's reason"
t_ok "... in under $KVM_PROBE_TIMEOUT s ($SECONDS_TAKEN s)" within "$KVM_PROBE_TIMEOUT"

# The hang that nested virtualization can give, stood in for by a qemu that
# never ends and ignores SIGTERM: only the probe's SIGKILL stops it.
mkdir -p "$TMP/hang"
printf '#!/bin/sh\ntrap "" TERM\nexec sleep 600\n' >"$TMP/hang/qemu-system-x86_64"
chmod +x "$TMP/hang/qemu-system-x86_64"
probe with_dev 1:3 env KVM_PROBE_TIMEOUT=2 PATH="$TMP/hang:$PATH"
t_is "$GOT" "tcg (/dev/kvm does not boot a guest: no answer within 2 s)" "a /dev/kvm whose guest hangs: tcg"
t_ok "... within the timeout and its 2 s grace for SIGKILL ($SECONDS_TAKEN s)" within 6

# The probe's guest itself, booted under TCG, which every host has: a probe
# that never saw its guest's mark would say tcg even where KVM works.
# shellcheck disable=SC2086
why=$(KVM_PROBE_TIMEOUT=60 accel_boots "$KERNEL" $ACCEL_TCG)
t_is "$?:$why" "0:" "the probe's guest boots, writes its mark and powers off (under TCG)"
t_done
