#!/usr/bin/env bash
# make demo: a throwaway WireGuard gateway (wireguard-go) with three clients,
# each in its own network namespace; wgsf attached on the gateway; a little
# traffic; what wgsf shows. Everything is removed again at the end.
set -u
. "$(dirname "$0")/topology.sh"

[ "$(id -u)" = 0 ] || { echo "make demo needs root (network namespaces, BPF)" >&2; exit 1; }
[ -x "$WGSF" ] || { echo "build/wgsf is missing: run make" >&2; exit 1; }
GW_IF=wg-demo$ID

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { # shows the command as an operator on the gateway would type it
	printf '$ %s\n' "wgsf $*"
	wgsf_gw "$@"
}
fail() { echo "demo: $*" >&2; exit 1; }

say "A gateway ($GW_IF, 192.0.2.1) and three clients, each in a network namespace"
make_gateway || fail "cannot start the gateway"
make_client 1 192.0.2.11/32,2001:db8::11/128 "192.0.2.11 2001:db8::11" &&
	make_client 2 192.0.2.16/28 "192.0.2.17 192.0.2.18" &&
	make_client 3 198.51.100.0/24 "198.51.100.33" || fail "cannot start the clients"
echo "client 1: allowed ips 192.0.2.11/32, 2001:db8::11/128"
echo "client 2: allowed ips 192.0.2.16/28 (sends from .17 and .18)"
echo "client 3: allowed ips 198.51.100.0/24"

say "Attach wgsf to the gateway's WireGuard interface"
run attach "$GW_IF" || fail "attach failed"
ATTACHED+=("$GW_NS $GW_IF")

say "Traffic: pings from every client (each IPv4 request is 84 bytes, IPv6 104)"
pings 1 192.0.2.11 5 && pings 1 2001:db8::11 3 && pings 2 192.0.2.17 4 &&
	pings 2 192.0.2.18 2 && pings 3 198.51.100.33 3 || fail "pings failed"
echo "client 1: 5 + 3, client 2: 4 + 2, client 3: 3 echo requests"
run show "$GW_IF"

say "A peer added to WireGuard after the last sync: wgsf counts it as unknown"
make_client 4 203.0.113.128/25 "203.0.113.130" && pings 4 203.0.113.130 2 ||
	fail "cannot add client 4"
wgsf_gw show "$GW_IF" | sed -n '/unknown sources/p'
say "wgsf sync applies the difference, and the new peer is counted"
run sync "$GW_IF"
pings 4 203.0.113.130 2
wgsf_gw show "$GW_IF" | grep -A4 "${CLIENT_PUB[4]}"

say "Which peer owns an address, and what wgsf does with its packets"
run lookup "$GW_IF" 192.0.2.20
echo
run lookup "$GW_IF" 203.0.113.1

say "A policy stricter than AllowedIPs: client 2 may send from 192.0.2.17 only"
policy=$(mktemp)
trap 'cleanup; rm -f "$policy"' EXIT
printf '[Peer]\nPublicKey = %s\nAllowedSources = 192.0.2.17/32\n' "${CLIENT_PUB[2]}" >"$policy"
sed 's/^/    /' "$policy"
run attach "$GW_IF" --policy "$policy"
echo "client 2 pings 3 times from 192.0.2.18, outside its allowed sources"
pings 2 192.0.2.18 3 && echo "monitor mode: all 3 answered, and counted as violations"
wgsf_gw show "$GW_IF" | grep -A7 "${CLIENT_PUB[2]}"

say "Enforce mode: the same pings are dropped"
run attach "$GW_IF" --mode enforce
pings 2 192.0.2.18 3 || echo "enforce mode: none of the 3 answered"
wgsf_gw show "$GW_IF" | grep -A7 "${CLIENT_PUB[2]}"

say "Quarantine: 3 violations in 10 s take client 2 out for a minute"
printf 'Quarantine = 3/10s for 1m\n' >>"$policy"
sed 's/^/    /' "$policy"
run sync "$GW_IF"
echo "client 2 pings 3 times from 192.0.2.18 again, then once from its allowed 192.0.2.17"
pings 2 192.0.2.18 3 || true
pings 2 192.0.2.17 1 || echo "quarantined: even its allowed source is dropped"
wgsf_gw show "$GW_IF" | grep -A9 "${CLIENT_PUB[2]}" | grep -E 'peer:|quarantin|violations:'
run release "$GW_IF" "${CLIENT_PUB[2]}"
pings 2 192.0.2.17 1 && echo "released: it passes again"
echo "the same by hand, for an operator or a fail2ban action:"
run quarantine "$GW_IF" "${CLIENT_PUB[1]}" --for 15m
pings 1 192.0.2.11 1 || echo "client 1 is dropped until then, or until 'wgsf release'"

say "The same for scripts: wgsf show --json"
wgsf_gw show "$GW_IF" --json | jq '.interfaces[0] | {name, hook, mechanism, mode,
	unknown_packets, peers: [.peers[] | {public_key, rx_packets, rx_bytes, violation_packets,
	drop_packets, policy}]}' 2>/dev/null ||
	wgsf_gw show "$GW_IF" --json

say "Cleaning up: detach, stop wireguard-go, remove the namespaces"
run detach "$GW_IF" && ATTACHED=()
