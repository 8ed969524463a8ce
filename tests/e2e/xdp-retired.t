#!/usr/bin/env bash
# The XDP hook is retired: `attach --hook xdp` is refused with the reason
# and changes nothing, and an interface that an earlier wgsf attached by
# XDP (of another map ABI, made here by build/tests/tools/oldxdp), which
# every other command refuses, is removed by detach.
. "$(dirname "$0")/lib.sh"
require_e2e
OLDXDP=$BUILD_DIR/tests/tools/oldxdp
[ -x "$OLDXDP" ] || t_skip_all "not built (make tests)"

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the client"
pings 1 192.0.2.11 1 || t_diag "warm-up ping failed"
on_hook() { in_ns "$GW_NS" "$BUILD_DIR/tests/tools/onhook" "$GW_IF" | sort | tr '\n' ' '; }
pins() { find /sys/fs/bpf/wgsf -path "*/$GW_IF*" 2>/dev/null | wc -l; }
retired="Unable to attach $GW_IF: the XDP hook is retired: generic XDP sees a GRO aggregate as \
one packet and is slower than tc on WireGuard; tc is the hook"

out=$(wgsf_gw attach "$GW_IF" --hook xdp 2>&1)
t_is "$?:$out" "1:$retired" "attach --hook xdp: refused, in one line"
t_is "$(pins)" 0 "and nothing is pinned"

t_ok "attach" attach_gw
t_ok "an earlier wgsf's XDP hook, of map ABI 5" in_ns "$GW_NS" "$OLDXDP" "$GW_IF" 5
t_is "$(on_hook)" "xdp wgsf_xdp " "its XDP program alone runs"
out=$(wgsf_gw show "$GW_IF" 2>&1)
t_is "$?:${out/this is [0-9]*)/this is N)}" "1:Unable to show $GW_IF: $GW_IF was attached by an \
incompatible wgsf (map ABI 5, this is N): detach it first" "show: an incompatible wgsf, detach it first"
out=$(wgsf_gw detach "$GW_IF" 2>&1)
t_is "$?:$out" "0:$GW_IF: detached (the pins of a wgsf of another map ABI)" "detach: done, saying whose pins they were"
t_is "$(on_hook):$(pins)" ":0" "no program, no pins"
t_ok "pings pass" pings 1 192.0.2.11 2
t_done
