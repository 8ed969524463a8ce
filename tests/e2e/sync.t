#!/usr/bin/env bash
# Sync on real wireguard-go: peers added, removed and changed with `wg set`
# while pings run; afterwards wgsf's tables equal WireGuard's, a kept peer
# kept its counters, and lookup agrees with the new configuration.
. "$(dirname "$0")/lib.sh"
require_e2e

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32,2001:db8::11/128 "192.0.2.11 2001:db8::11" &&
	make_client 2 192.0.2.16/28 "192.0.2.17 192.0.2.33" &&
	make_client 3 198.51.100.0/24 "198.51.100.33" ||
	t_skip_all "cannot build the clients"
pings 1 192.0.2.11 1 && pings 2 192.0.2.17 1 && pings 3 198.51.100.33 1 ||
	t_diag "warm-up pings failed"

t_ok "attach" attach_gw
t_is "$(wgsf_peers)" "$(wg_peers)" "after attach, wgsf's tables equal WireGuard's peers"
t_ok "5 pings from client 1" pings 1 192.0.2.11 5
t_is "$(peer_field "${CLIENT_PUB[1]}" rx_packets)" 5 "client 1: 5 packets"

# Client 2 keeps pinging while WireGuard's peers change and wgsf syncs.
in_ns "${CLIENT_NS[2]}" ping -n -q -c 30 -i 0.05 -W 2 -I 192.0.2.17 192.0.2.1 >/dev/null &
background=$!
new_pub=$(wg genkey | wg pubkey)
gw_wg() { ip netns exec "$GW_NS" wg set "$GW_IF" "$@"; }
t_ok "wg set: remove client 3" gw_wg peer "${CLIENT_PUB[3]}" remove
t_ok "wg set: add a peer" gw_wg peer "$new_pub" allowed-ips 203.0.113.128/25,2001:db8:4::/64
t_ok "wg set: client 2 gains a prefix" \
	gw_wg peer "${CLIENT_PUB[2]}" allowed-ips 192.0.2.16/28,192.0.2.32/28
t_ok "wg set: client 1 takes part of client 3's" \
	gw_wg peer "${CLIENT_PUB[1]}" allowed-ips 192.0.2.11/32,2001:db8::11/128,198.51.100.0/25
t_is "$(wgsf_gw sync "$GW_IF")" "$GW_IF: peers +1 -1, allowed ips +4 ~0 -1" \
	"sync applies the difference only"
t_ok "client 2's pings during the changes were all answered" wait "$background"
t_is "$(wgsf_peers)" "$(wg_peers)" "after sync, wgsf's tables equal WireGuard's peers"
t_is "$(peer_field "${CLIENT_PUB[1]}" rx_packets)" 5 "client 1 kept its counters"
t_ok "4 more pings from client 1" pings 1 192.0.2.11 4
t_is "$(peer_field "${CLIENT_PUB[1]}" rx_packets)" 9 "and counts on from them"
t_is "$(peer_field "${CLIENT_PUB[2]}" rx_packets)" 30 "client 2 counted every ping"
ip -n "$GW_NS" route add 192.0.2.32/28 dev "$GW_IF"
t_ok "3 pings from client 2's newly allowed address" pings 2 192.0.2.33 3
t_is "$(peer_field "${CLIENT_PUB[2]}" rx_packets)" 33 "counted for client 2"
t_is "$(peer_field "${CLIENT_PUB[3]}" rx_packets)" "" "client 3 is gone"

lookup() { wgsf_gw lookup "$GW_IF" "$1" --json | jq -r '.peer // "none"'; }
for pair in "192.0.2.20 ${CLIENT_PUB[2]}" "192.0.2.40 ${CLIENT_PUB[2]}" \
	"192.0.2.11 ${CLIENT_PUB[1]}" "2001:db8::11 ${CLIENT_PUB[1]}" \
	"198.51.100.5 ${CLIENT_PUB[1]}" "198.51.100.200 none" "203.0.113.200 $new_pub" \
	"2001:db8:4::1 $new_pub" "192.0.2.50 none" "2001:db8:5::1 none"; do
	t_is "$(lookup "${pair% *}")" "${pair#* }" "lookup ${pair% *}"
done
t_done
