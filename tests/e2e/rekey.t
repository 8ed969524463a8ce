#!/usr/bin/env bash
# Changes larger than the maps' headroom, in one sync each, in enforce mode:
# every peer re-keyed (the departed and the new peers side by side while the
# new entries go in before the old go out), every host route renumbered,
# and 20,000 peers re-keyed at once. A new client that took a departed
# peer's blocked address is its own peer at once, not the departed one.
. "$(dirname "$0")/lib.sh"
require_e2e

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the client"
pings 1 192.0.2.11 1 || t_diag "warm-up ping failed"
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
# N random public keys, one per line (any 32 bytes do for a peer's key)
keys() { perl -MMIME::Base64 -e 'print encode_base64(pack("C32", map { rand 256 } 1 .. 32), ""), "\n" for 1 .. $ARGV[0]' "$1"; }
# "peer KEY allowed-ips PREFIX" arguments for wg set: KEYS and PREFIXES files
peers_args() { paste -d' ' <(sed 's/^/peer /' "$1") <(sed 's/^/allowed-ips /' "$2") | tr '\n' ' '; }
hosts() { seq 1 "$2" | awk -v p="$1" '{ printf "%s%x/128\n", p, $1 }'; }
count() { wgsf_gw show "$GW_IF" --json | jq '.interfaces[0].peers | length'; }
dropped() { ! in_ns "${CLIENT_NS[1]}" ping -n -q -c 2 -i 0.05 -W 0.5 -I 192.0.2.11 192.0.2.1 >/dev/null; }

# 299 peers beside the client: 300 fill the first attach's 512 slots.
keys 299 >"$work/keys"
hosts 2001:db8:1:: 299 >"$work/hosts"
# shellcheck disable=SC2046
gw_run wg set "$GW_IF" $(peers_args "$work/keys" "$work/hosts")
printf '[Interface]\nMode = enforce\n[Peer]\nPublicKey = %s\nBlock = true\n' "${CLIENT_PUB[1]}" \
	>"$work/policy"
t_ok "attach 300 peers, enforce mode, the client blocked" attach_gw --policy "$work/policy"
t_ok "the client's pings are dropped" dropped
t_is "$(peer_field "${CLIENT_PUB[1]}" drop_packets)" 2 "and charged to it"

# Every peer re-keyed in one change: the client too (a new client on the
# departed one's address).
keys 299 >"$work/keys2"
key=$(wg genkey)
new_pub=$(echo "$key" | wg pubkey)
# shellcheck disable=SC2046
gw_run wg set "$GW_IF" $(sed 's/$/ remove/; s/^/peer /' "$work/keys" | tr '\n' ' ') \
	peer "${CLIENT_PUB[1]}" remove peer "$new_pub" allowed-ips 192.0.2.11/32 \
	$(peers_args "$work/keys2" "$work/hosts")
in_ns "${CLIENT_NS[1]}" wg set "${CLIENT_IF[1]}" private-key <(echo "$key")
t_is "$(wgsf_gw sync "$GW_IF" 2>/dev/null)" "$GW_IF: peers +300 -300, allowed ips +0 ~300 -0
$GW_IF: the maps grew to hold the change" "re-key of all 300 peers: one sync, the maps grew"
t_is "$(count)" 300 "300 peers shown, not 600"
t_is "$(wgsf_peers)" "$(wg_peers)" "wgsf's tables equal WireGuard's"
t_ok "the new client's pings pass" pings 1 192.0.2.11 3
t_is "$(peer_field "$new_pub" rx_packets):$(peer_field "$new_pub" drop_packets)" 3:0 \
	"counted for the new client, not dropped"
t_is "$(peer_field "${CLIENT_PUB[1]}" rx_packets)" "" "the departed client is gone"

# Every host route renumbered in one change.
hosts 2001:db8:2:: 299 >"$work/hosts2"
# shellcheck disable=SC2046
gw_run wg set "$GW_IF" $(peers_args "$work/keys2" "$work/hosts2")
t_is "$(wgsf_gw sync "$GW_IF" 2>/dev/null)" "$GW_IF: peers +0 -0, allowed ips +299 ~0 -299
$GW_IF: the maps grew to hold the change" "renumbering 299 host routes: one sync, the maps grew"
t_is "$(wgsf_peers)" "$(wg_peers)" "wgsf's tables equal WireGuard's"
t_is "$(wgsf_gw lookup "$GW_IF" 2001:db8:2::12b --json | jq -r .peer)" "$(sed -n 299p "$work/keys2")" \
	"lookup finds a renumbered address's peer"
t_is "$(wgsf_gw lookup "$GW_IF" 2001:db8:1::12b --json | jq -r .verdict)" unknown \
	"and no peer at its old address"
detach_gw

# 20,000 peers re-keyed at once.
keys 20000 >"$work/big"
keys 20000 >"$work/big2"
hosts 2001:db8:3:: 20000 >"$work/bighosts"
conf() { # KEYS: a config for wg syncconf, the client kept
	gw_run wg showconf "$GW_IF" | sed -n '/^\[Interface\]/,/^$/p' | grep -v '^$'
	printf '[Peer]\nPublicKey = %s\nAllowedIPs = 192.0.2.11/32\n' "$new_pub"
	paste -d'\n' <(sed 's/^/[Peer]\nPublicKey = /' "$1") <(sed 's/^/AllowedIPs = /' "$work/bighosts")
}
conf "$work/big" >"$work/big.conf"
gw_run wg syncconf "$GW_IF" "$work/big.conf"
t_ok "attach 20,001 peers" attach_gw --mode enforce
conf "$work/big2" >"$work/big.conf"
gw_run wg syncconf "$GW_IF" "$work/big.conf"
start=$(now_ms)
t_is "$(wgsf_gw sync "$GW_IF" | head -n 1)" "$GW_IF: peers +20000 -20000, allowed ips +0 ~20000 -0" \
	"re-key of 20,000 peers: one sync"
t_diag "that sync took $(($(now_ms) - start)) ms"
t_is "$(count)" 20001 "20,001 peers shown"
t_is "$(wgsf_peers | md5sum)" "$(wg_peers | md5sum)" "wgsf's tables equal WireGuard's"
t_ok "the client's pings pass" pings 1 192.0.2.11 2
t_done
