#!/usr/bin/env bash
# Where the tracer cannot see WireGuard's own drops, it says why in one
# line, before libbpf is asked, and fails leaving nothing pinned: on
# wireguard-go, and on a host without the wireguard module. What it counts
# on kernel WireGuard, tests/kernel/rejected.t asserts in the kernel lane.
. "$(dirname "$0")/lib.sh"
[ "$WG_IMPL" = go ] || t_skip_all "userspace WireGuard only (kernel: tests/kernel/rejected.t)"
require_e2e
TRACER=$ROOT/build/tests/tools/tracer
PINS=/sys/fs/bpf/wgsf/tracer
[ -e "$PINS" ] && t_skip_all "a tracer runs on this host ($PINS)"
make_gateway || t_skip_all "cannot build the gateway"

# What this host's kernel says without an interface, by sysfs as the
# tracer reads it.
if [ -e /sys/kernel/btf/wireguard ]; then
	want=visible
elif [ -e /sys/module/wireguard/initstate ]; then
	want="not visible: the wireguard module has no BTF (/sys/kernel/btf/wireguard; the kernel needs CONFIG_DEBUG_INFO_BTF_MODULES)"
elif [ ! -e /sys/module/wireguard ]; then
	want="not visible: the wireguard module is not loaded"
else
	want=visible # built in, its functions in the kernel's own BTF
fi
t_is "$("$TRACER" status)" "$want" "host: $want"

why="$GW_IF is not kernel WireGuard: a userspace WireGuard (wireguard-go, boringtun) drops such packets in its own code"
t_is "$(gw_run "$TRACER" status "$GW_IF")" "not visible: $why" "wireguard-go: not visible, and why"
out=$(gw_run "$TRACER" enable "$GW_IF" 2>&1)
t_is "$?:$out" "1:tracer: $why" "enable fails with that one line"
t_ok "nothing pinned" test ! -e "$PINS"
out=$(gw_run "$TRACER" read "$GW_IF" 2>&1)
t_is "$?:$out" "1:tracer: the interface is not registered with the tracer" "read: not registered"
t_ok "disable of an interface never enabled: nothing to do" gw_run "$TRACER" disable "$GW_IF"
t_ok "still nothing pinned" test ! -e "$PINS"
t_done
