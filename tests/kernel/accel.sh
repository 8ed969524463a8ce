#!/usr/bin/env bash
# Which accelerator the kernel lane's qemu gets. A /dev/kvm can exist and
# still run no guest (under nested virtualization qemu aborts setting an MSR,
# or the guest hangs), so KVM counts only once it has booted the lane's own
# kernel into a tiny guest in time; otherwise TCG, which always works.
#
#   tests/kernel/accel.sh KERNEL-IMAGE    prints "kvm" or "tcg (REASON)"
#
# Sourced (the lane and its test do), it only defines what follows.

# qemu's options for each, for the lane that sources this
ACCEL_KVM="-enable-kvm -cpu host"
# shellcheck disable=SC2034
ACCEL_TCG="-cpu max"
# TCG boots the probe's guest in about 4 s: a KVM that needs more than this
# would gain the lane little, and a hang costs no more than this.
KVM_PROBE_TIMEOUT=${KVM_PROBE_TIMEOUT:-10}

# Boots KERNEL with these qemu options into a guest whose /init only writes a
# mark to the serial port and powers off; succeeds when qemu ends in time and
# the mark came. Otherwise prints why, and returns 1 if the guest did not
# run, 2 if it could not be tried.
accel_boots() ( # KERNEL QEMU-OPTION...
	local kernel=$1 dir rc why mark=WGSF-ACCEL-GUEST-RAN
	shift
	dir=$(mktemp -d) || { echo "no temporary directory"; exit 2; }
	trap 'rm -rf "$dir"' EXIT
	[ -r "$kernel" ] || { echo "no kernel image $kernel"; exit 2; }
	mkdir -p "$dir/root/bin" && cp /bin/busybox "$dir/root/bin/" &&
		ln -s busybox "$dir/root/bin/sh" || { echo "no /bin/busybox for the guest"; exit 2; }
	# The mark is not on the kernel's command line, which the console echoes.
	printf '#!/bin/sh\n%s\n%s\n%s\n' "/bin/busybox mount -t devtmpfs dev /dev" \
		"echo $mark >/dev/ttyS0" "/bin/busybox poweroff -f" >"$dir/root/init" &&
		chmod +x "$dir/root/init" &&
		(cd "$dir/root" && find . | cpio -o -H newc --quiet) >"$dir/initramfs" ||
		{ echo "cannot build the guest's initramfs"; exit 2; }
	# -k: a qemu stuck in the kernel may not end on SIGTERM (the SIGKILL
	# takes timeout along, and bash would say so on stderr). LC_ALL: the
	# reason quotes qemu's error, strerror's text included.
	{ LC_ALL=C timeout -k 2 "$KVM_PROBE_TIMEOUT" qemu-system-x86_64 -machine q35 "$@" -smp 2 -m 256 \
		-display none -monitor none -no-reboot -serial "file:$dir/serial" \
		-kernel "$kernel" -initrd "$dir/initramfs" -append "console=ttyS0 quiet panic=-1" \
		</dev/null >/dev/null 2>"$dir/stderr"; } 2>/dev/null
	rc=$?
	[ "$rc" = 0 ] && grep -q "$mark" "$dir/serial" 2>/dev/null && exit 0
	case $rc in
	124 | 137) echo "no answer within $KVM_PROBE_TIMEOUT s" ;;
	*)
		# qemu's first error; its warnings come before it
		why=$(grep -v '^qemu-system-x86_64: warning:' "$dir/stderr" |
			sed -n 's/^qemu-system-x86_64: /qemu: /p' | head -n 1)
		echo "${why:-the guest did not report (qemu exit $rc)}" ;;
	esac
	exit 1
)

# The lane's accelerator for KERNEL, as one line: "kvm" or "tcg (REASON)".
accel_probe() { # KERNEL
	local why rc
	# LANE_ACCEL=tcg: the lane as a machine without a working KVM runs it
	[ "${LANE_ACCEL:-}" = tcg ] && { echo "tcg (LANE_ACCEL=tcg)"; return; }
	[ -e /dev/kvm ] || { echo "tcg (no /dev/kvm)"; return; }
	# shellcheck disable=SC2086
	why=$(accel_boots "$1" $ACCEL_KVM)
	rc=$?
	case $rc in
	0) echo kvm ;;
	1) echo "tcg (/dev/kvm does not boot a guest: $why)" ;;
	*) echo "tcg (cannot probe /dev/kvm: $why)" ;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	[ $# = 1 ] || { echo "usage: $0 KERNEL-IMAGE" >&2; exit 1; }
	accel_probe "$1"
fi
