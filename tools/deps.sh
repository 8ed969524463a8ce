#!/bin/sh
# Install what wgsf needs from Debian's packages, or say what is missing.
# Usage: tools/deps.sh [build|test|demo|kernel|bench|package]...   (default: build)
set -eu

pkgs_build="make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev libmnl-dev bpftool"
pkgs_build="$pkgs_build libmicrohttpd-dev" # wgsf metrics --listen
pkgs_build="$pkgs_build libsodium-dev"     # check: the public key of a PrivateKey
pkgs_test="$pkgs_build perl iproute2 iputils-ping util-linux jq wireguard-go wireguard-tools"
pkgs_test="$pkgs_test prometheus curl"     # tests/e2e/metrics.t
pkgs_test="$pkgs_test fail2ban"            # tests/e2e/events.t: fail2ban-regex
pkgs_test="$pkgs_test libclang-rt-14-dev"  # the fuzzers: tests/fuzz/
pkgs_demo="$pkgs_test"
pkgs_kernel="$pkgs_test qemu-system-x86 busybox-static cpio kmod"
pkgs_bench="$pkgs_test nftables iptables ipset"
# man page lint, bash completion, the Debian package
pkgs_package="$pkgs_build mandoc man-db bash-completion debhelper dpkg-dev fakeroot lintian"

want=""
for group in "${@:-build}"; do
	case "$group" in
	build) want="$want $pkgs_build" ;;
	test) want="$want $pkgs_test" ;;
	demo) want="$want $pkgs_demo" ;;
	kernel) want="$want $pkgs_kernel" ;;
	bench) want="$want $pkgs_bench" ;;
	package) want="$want $pkgs_package" ;;
	*) echo "deps.sh: unknown group '$group' (build, test, demo, kernel, bench, package)" >&2; exit 1 ;;
	esac
done

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system; install the equivalents of:$want" >&2
	exit 0
fi

missing=""
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "wgsf needs these packages; as root run: apt-get install$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet. Another apt may hold the lock
# for a while (another deps.sh, a package being installed): wait for it.
lock="-o DPkg::Lock::Timeout=300"
if ! apt-get $lock install -y -qq --no-install-recommends $missing >/dev/null; then
	apt-get $lock update -qq
	apt-get $lock install -y -qq --no-install-recommends $missing >/dev/null
fi
