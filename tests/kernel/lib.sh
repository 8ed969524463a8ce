# shellcheck shell=bash
# Shared by the kernel lane and the test of its accelerator probe: both boot
# Debian's kernel package (KERNEL_PKG, cached under build/kernel) in qemu.
# Needs ROOT and t_skip_all from tests/e2e/lib.sh.

KERNEL_PKG=${KERNEL_PKG:-linux-image-cloud-amd64}
CACHE=$ROOT/build/kernel

# The guests' userland is busybox, copied in as one file.
require_static_busybox() {
	local file_is_static
	[ -x /bin/busybox ] && file_is_static=$(ldd /bin/busybox 2>&1 | grep -c 'not a dynamic') &&
		[ "$file_is_static" = 1 ] || t_skip_all "needs a static /bin/busybox (busybox-static)"
}

# The versioned image package behind a metapackage, downloaded and unpacked
# once; sets KDIR (the unpacked package), KVER and KERNEL (the image to boot).
fetch_kernel() {
	local pkg=$KERNEL_PKG real dir
	real=$(apt-cache depends "$pkg" 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	pkg=${real:-$pkg}
	dir=$CACHE/$pkg
	if [ ! -f "$dir/ready" ]; then
		rm -rf "$dir" && mkdir -p "$dir" || return 1
		(cd "$dir" && apt-get download "$pkg" >/dev/null 2>&1) || return 1
		dpkg -x "$dir"/*.deb "$dir/root" && rm -f "$dir"/*.deb || return 1
		depmod -b "$dir/root" "$(ls "$dir/root/lib/modules")" && touch "$dir/ready" || return 1
	fi
	KDIR=$dir/root
	KVER=$(ls "$KDIR/lib/modules")
	KERNEL=$KDIR/boot/vmlinuz-$KVER
}
