#!/usr/bin/env bash
# detach removes exactly what attach made: no pins, no link, no filter, no
# XDP program of ours; someone else's tc filter and qdisc survive both.
. "$(dirname "$0")/lib.sh"
require_e2e

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the client"

pins() { find /sys/fs/bpf/wgsf -path "*/$GW_IF*" 2>/dev/null | wc -l; }
filters() { ip netns exec "$GW_NS" tc filter show dev "$GW_IF" ingress; }

t_ok "someone else's clsact qdisc and filter" ip netns exec "$GW_NS" sh -c \
	"tc qdisc add dev $GW_IF clsact && tc filter add dev $GW_IF ingress prio 1 u32 \
	match u32 0xdeadbeef 0xffffffff at 0"
for hook in tc xdp; do
	t_ok "$hook: attach" attach_gw --hook "$hook"
	t_ok "$hook: pinned under /sys/fs/bpf/wgsf" test "$(pins)" -gt 0
	t_is "$(ours_on_hook "$GW_NS" "$GW_IF")" 1 "$hook: our program is on the hook"
	t_ok "$hook: pings pass" pings 1 192.0.2.11 2
	t_ok "$hook: detach" detach_gw
	t_is "$(pins)" 0 "$hook: no pins left"
	t_is "$(ours_on_hook "$GW_NS" "$GW_IF")" 0 "$hook: nothing of ours on the hook"
	t_ok "$hook: their filter survives" sh -c "ip netns exec $GW_NS tc filter show dev \
		$GW_IF ingress | grep -q u32"
	t_ok "$hook: their qdisc survives" sh -c "ip netns exec $GW_NS tc qdisc show dev \
		$GW_IF | grep -q clsact"
	t_ok "$hook: pings still pass" pings 1 192.0.2.11 2
done
# someone else's XDP program (iproute2 loading our object will do); iproute2
# makes its pinning directories in bpffs, which go again if it made them
made=()
for d in ip tc xdp; do [ -e "/sys/fs/bpf/$d" ] || made+=("/sys/fs/bpf/$d"); done
unmake() {
	local d
	for d in "${made[@]}"; do
		if [ -L "$d" ]; then rm -f "$d"; else rmdir "$d/globals" "$d" 2>/dev/null; fi
	done
}
trap 'cleanup; unmake' EXIT
t_ok "someone else's XDP program" gw_run ip link set dev "$GW_IF" xdpgeneric \
	obj "$BUILD_DIR/wgsf.bpf.o" sec xdp
out=$(wgsf_gw attach "$GW_IF" --hook xdp 2>&1)
t_is "$?:$out" "1:Unable to attach $GW_IF: XDP is already in use on $GW_IF by another program" \
	"attach --hook xdp refuses, and says why"
t_is "$(pins)" 0 "and leaves nothing behind"
t_ok "their XDP program stays" sh -c "nsenter --net=/var/run/netns/$GW_NS ip link show \
	dev $GW_IF | grep -q xdpgeneric"
gw_run ip link set dev "$GW_IF" xdpgeneric off

out=$(wgsf_gw detach "$GW_IF" 2>&1)
t_is "$?" 1 "detach again fails"
t_is "$out" "Unable to detach $GW_IF: $GW_IF is not attached (see 'wgsf show')" \
	"and says why in one line"
t_done
