#!/usr/bin/env bash
# The device model wgsf reads (over wireguard-go's UAPI socket, or kernel
# WireGuard's generic netlink) equals what `wg show dump` reports, for 300 peers with at least 5 allowed IPs each, some given
# with host bits set (WireGuard clears them, so must wgsf); and the readers'
# errors.
. "$(dirname "$0")/lib.sh"
require_e2e
WGREAD=$ROOT/build/tests/tools/wgread
[ -x "$WGREAD" ] || t_skip_all "not built (make tests)"

PEERS=300
make_gateway || t_skip_all "cannot build the gateway"
conf=$(mktemp)
trap 'cleanup; rm -f "$conf"' EXIT
{
	echo "[Interface]"
	echo "PrivateKey = $GW_KEY"
	for i in $(seq 0 $((PEERS - 1))); do
		echo "[Peer]"
		echo "PublicKey = $(head -c 32 /dev/urandom | base64)"
		if [ "$i" -lt 256 ]; then v4=192.0.2.$i/32; else v4=198.51.100.$((i - 256))/32; fi
		echo "AllowedIPs = $v4, 2001:db8:$i::/48, 2001:db8:ffff:$i::/64"
		echo "AllowedIPs = 2001:db8:fffe:$i::7/128, 2001:db8:fffd:$i:1::1234/80"
		[ "$i" -lt 64 ] && echo "AllowedIPs = 203.0.113.$((4 * i + 1))/30"
	done
} >"$conf"
# wg warns about every host part it clears; the test checks the clearing itself
t_ok "configure $PEERS peers" sh -c "nsenter --net=/var/run/netns/$GW_NS wg setconf $GW_IF $conf 2>/dev/null"
t_is "$(gw_run wg show "$GW_IF" dump | tail -n +2 | wc -l)" $PEERS "WireGuard has $PEERS peers"
t_is "$(wg_peers | wc -l)" $((PEERS * 5 + 64)) "and $((PEERS * 5 + 64)) allowed IPs"
t_is "$(gw_run "$WGREAD" "$GW_IF" | LC_ALL=C sort)" "$(wg_peers)" \
	"the model read over $([ "$WG_IMPL" = kernel ] && echo netlink || echo UAPI) equals wg show dump"
model=$(gw_run "$WGREAD" "$GW_IF")
t_ok "host bits cleared as WireGuard clears them" \
	test "$(echo "$model" | grep -c -e ' 203.0.113.4/30$' -e ' 2001:db8:fffd:1:1::/80$')" = 2
t_is "$(echo "$model" | grep -c 1234)" 0 "no host bits left anywhere"

NS=wgsf-rd-$ID
new_ns "$NS" && ip -n "$NS" link add "dum$ID" type dummy 2>/dev/null ||
	ip -n "$NS" link add "dum$ID" type veth peer name "dup$ID"
out=$(in_ns "$NS" "$WGREAD" "nosuch$ID" 2>&1)
t_is "$?:$out" "1:wgread: Unable to read nosuch$ID: no such interface" "a missing interface"
out=$(in_ns "$NS" "$WGREAD" "dum$ID" 2>&1)
t_is "$?:$out" "1:wgread: Unable to read dum$ID: not a WireGuard interface" \
	"an interface that is not WireGuard (netlink: no wireguard family here)"
t_done
