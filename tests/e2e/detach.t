#!/usr/bin/env bash
# detach removes exactly what attach made: no pins, no link, no filter of
# ours; someone else's tc filter and qdisc, and XDP program, survive both.
. "$(dirname "$0")/lib.sh"
require_e2e

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the client"

pins() { find /sys/fs/bpf/wgsf -path "*/$GW_IF*" 2>/dev/null | wc -l; }
filters() { ip netns exec "$GW_NS" tc filter show dev "$GW_IF" ingress; }

t_ok "someone else's clsact qdisc and filter" ip netns exec "$GW_NS" sh -c \
	"tc qdisc add dev $GW_IF clsact && tc filter add dev $GW_IF ingress prio 1 u32 \
	match u32 0xdeadbeef 0xffffffff at 0"
t_ok "attach" attach_gw
t_ok "pinned under /sys/fs/bpf/wgsf" test "$(pins)" -gt 0
t_is "$(ours_on_hook "$GW_NS" "$GW_IF")" 2 "our programs are on the hooks, ingress and egress"
t_ok "pings pass" pings 1 192.0.2.11 2
t_ok "detach" detach_gw
t_is "$(pins)" 0 "no pins left"
t_is "$(ours_on_hook "$GW_NS" "$GW_IF")" 0 "nothing of ours on the hook"
t_ok "their filter survives" sh -c "ip netns exec $GW_NS tc filter show dev \
	$GW_IF ingress | grep -q u32"
t_ok "their qdisc survives" sh -c "ip netns exec $GW_NS tc qdisc show dev \
	$GW_IF | grep -q clsact"
t_ok "pings still pass" pings 1 192.0.2.11 2
# someone else's XDP program, generic mode, which no process holds: it
# stays through attach and detach, and what it passes is counted
t_ok "someone else's XDP program" in_ns "$GW_NS" "$BUILD_DIR/tests/tools/xdppass" "$GW_IF"
t_ok "attach beside it" attach_gw
t_ok "2 pings pass both" pings 1 192.0.2.11 2
t_is "$(peer_field "${CLIENT_PUB[1]}" rx_packets)" 2 "ours counts what theirs passed"
t_ok "detach" detach_gw
t_is "$(in_ns "$GW_NS" "$BUILD_DIR/tests/tools/onhook" "$GW_IF")" "xdp xdppass" \
	"their XDP program stays, ours is gone"
t_is "$(pins)" 0 "no pins left"
gw_run ip link set dev "$GW_IF" xdpgeneric off

out=$(wgsf_gw detach "$GW_IF" 2>&1)
t_is "$?" 3 "detach again fails: not attached"
t_is "$out" "Unable to detach $GW_IF: $GW_IF is not attached (see 'wgsf show')" \
	"and says why in one line"
t_done
