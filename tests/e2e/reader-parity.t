#!/usr/bin/env bash
# The device model wgsf reads (over wireguard-go's UAPI socket, or kernel
# WireGuard's generic netlink) equals what `wg show dump` reports, for 300
# peers with at least 5 allowed IPs each, some given with host bits set
# (WireGuard clears them, so must wgsf); and the readers' errors, among them
# a socket left by a wireguard-go that was killed, which is passed over as
# `wg` passes it over.
. "$(dirname "$0")/lib.sh"
require_e2e
WGREAD=$BUILD_DIR/tests/tools/wgread
[ -x "$WGREAD" ] || t_skip_all "not built (make tests)"

PEERS=300
make_gateway || t_skip_all "cannot build the gateway"
conf=$(mktemp)
trap 'cleanup; rm -f "$conf"' EXIT
mapfile -t keys < <(random_keys $((PEERS + 1)))
{
	echo "[Interface]"
	echo "PrivateKey = $GW_KEY"
	for i in $(seq 0 $((PEERS - 1))); do
		echo "[Peer]"
		echo "PublicKey = ${keys[i]}"
		if [ "$i" -lt 256 ]; then v4=192.0.2.$i/32; else v4=198.51.100.$((i - 256))/32; fi
		echo "AllowedIPs = $v4, 2001:db8:$i::/48, 2001:db8:ffff:$i::/64"
		echo "AllowedIPs = 2001:db8:fffe:$i::7/128, 2001:db8:fffd:$i:1::1234/80"
		[ "$i" -lt 64 ] && echo "AllowedIPs = 203.0.113.$((4 * i + 1))/30"
	done
	printf '[Peer]\nPublicKey = %s\n' "${keys[PEERS]}" # none
} >"$conf"
# wg warns about every host part it clears; the test checks the clearing itself
t_ok "configure $((PEERS + 1)) peers" gw_run wg setconf "$GW_IF" "$conf" 2>/dev/null
t_is "$(gw_run wg show "$GW_IF" dump | tail -n +2 | wc -l)" $((PEERS + 1)) \
	"WireGuard has $PEERS peers, and one without allowed IPs"
t_is "$(wg_peers | wc -l)" $((PEERS * 5 + 64 + 1)) "$((PEERS * 5 + 64)) allowed IPs, and (none)"
via=UAPI
[ "$WG_IMPL" = kernel ] && via=netlink
t_is "$(gw_run "$WGREAD" "$GW_IF" | LC_ALL=C sort)" "$(wg_peers)" \
	"the model read over $via equals wg show dump"
model=$(gw_run "$WGREAD" "$GW_IF")
t_ok "host bits cleared as WireGuard clears them" \
	test "$(echo "$model" | grep -c -e ' 203.0.113.4/30$' -e ' 2001:db8:fffd:1:1::/80$')" = 2
t_is "$(echo "$model" | cut -s -d' ' -f2 | grep -c 1234)" 0 "no host bits left anywhere"

# An interface that is not WireGuard, in namespace NS: a dummy where the
# kernel has them, else a veth.
other_kind() { # NAME
	ip -n "$NS" link add "$1" type dummy 2>/dev/null ||
		ip -n "$NS" link add "$1" type veth peer name "${1}p"
}

NS=wgsf-rd-$ID
new_ns "$NS" || t_skip_all "cannot create a namespace"
other_kind "dum$ID" || t_skip_all "cannot create an interface"
if [ "$WG_IMPL" = kernel ]; then why="the kernel says so"; else why="no wireguard family here"; fi
out=$(in_ns "$NS" "$WGREAD" "nosuch$ID" 2>&1)
t_is "$?:$out" "1:wgread: Unable to read nosuch$ID: no such interface" "a missing interface"
out=$(in_ns "$NS" "$WGREAD" "nosuch${ID}nosuch${ID}" 2>&1)
t_is "$?:$out" "1:wgread: Unable to read nosuch${ID}nosuch${ID}: no such interface" \
	"a name longer than any interface's"
out=$(in_ns "$NS" "$WGREAD" "dum$ID" 2>&1)
t_is "$?:$out" "1:wgread: Unable to read dum$ID: not a WireGuard interface" \
	"an interface that is not WireGuard ($why)"
out=$(in_ns "$NS" "$WGREAD" lo 2>&1)
t_is "$?:$out" "1:wgread: Unable to read lo: not a WireGuard interface" "nor is loopback"

# wireguard-go killed by SIGKILL leaves its socket behind, and its TUN
# device goes; an interface of another kind then takes the name.
stale=stl$ID
sock=/var/run/wireguard/$stale.sock
if command -v wireguard-go >/dev/null; then
	# nsenter execs wireguard-go: $! is its PID
	nsenter --net="/var/run/netns/$NS" wireguard-go -f "$stale" >/dev/null 2>&1 &
	PIDS+=($!)
	SOCKETS+=("$sock")
	for i in $(seq 100); do
		[ -S "$sock" ] && ip -n "$NS" link show "$stale" >/dev/null 2>&1 && break
		sleep 0.05
	done
	kill -KILL "${PIDS[-1]}"
	wait "${PIDS[-1]}" 2>/dev/null
	for i in $(seq 100); do
		ip -n "$NS" link show "$stale" >/dev/null 2>&1 || break
		sleep 0.05
	done
	t_ok "a socket nobody listens on, in front of another kind of interface" \
		sh -c "[ -S $sock ] && ip -n $NS link add $stale type dummy 2>/dev/null ||
			ip -n $NS link add $stale type veth peer name ${stale}p"
	out=$(in_ns "$NS" "$WGREAD" "$stale" 2>&1)
	t_is "$?:$out" "1:wgread: Unable to read $stale: not a WireGuard interface" \
		"is passed over for netlink, as wg does"
else
	t_diag "no wireguard-go here: the socket left behind is not tried"
fi
t_done
