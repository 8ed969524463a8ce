#!/usr/bin/env bash
# Exact per-peer counts on real wireguard-go: a gateway and three clients,
# IPv4 and IPv6, one client owning several prefixes and sending from more
# than one address.
. "$(dirname "$0")/lib.sh"
require_e2e

N=3 # echo requests per source address
make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32,2001:db8::11/128 "192.0.2.11 2001:db8::11" &&
	make_client 2 192.0.2.16/28,2001:db8:2::/64 "192.0.2.17 192.0.2.18 2001:db8:2::7" &&
	make_client 3 198.51.100.0/24,2001:db8:3::/48 "198.51.100.33 2001:db8:3::33" ||
	t_skip_all "cannot build the clients"

# client: sources; each IPv4 request is 84 bytes, each IPv6 one 104
declare -A SOURCES=([1]="192.0.2.11 2001:db8::11" [2]="192.0.2.17 192.0.2.18 2001:db8:2::7"
	[3]="198.51.100.33 2001:db8:3::33")

# Handshakes first, so that the counted pings are the only traffic.
for c in 1 2 3; do
	pings "$c" "${SOURCES[$c]%% *}" 1 || t_diag "warm-up ping from client $c failed"
done

t_ok "attach" attach_gw
t_is "$(iface_field hook)" tc "show says hook tc"
want_mech=$(tc_mechanism)
t_is "$(iface_field mechanism)" "$want_mech" "attached by $want_mech"
for c in 1 2 3; do
	for src in ${SOURCES[$c]}; do
		t_ok "$N pings from client $c at $src all answered" pings "$c" "$src" $N
	done
done
for c in 1 2 3; do
	v4=0 v6=0
	for src in ${SOURCES[$c]}; do
		case $src in *:*) v6=$((v6 + N)) ;; *) v4=$((v4 + N)) ;; esac
	done
	t_is "$(peer_field "${CLIENT_PUB[$c]}" rx_packets)" $((v4 + v6)) \
		"client $c: rx packets"
	t_is "$(peer_field "${CLIENT_PUB[$c]}" rx_bytes)" $((84 * v4 + 104 * v6)) \
		"client $c: rx bytes"
	t_is "$(peer_field "${CLIENT_PUB[$c]}" violation_packets)" 0 \
		"client $c: no violations"
done
t_is "$(iface_field unknown_packets)" 0 "no unknown sources"
t_is "$(iface_field malformed_packets)" 0 "nothing malformed"
t_ok "detach" detach_gw
t_done
