#!/usr/bin/env bash
# `wgsf check IFACE` on a live interface: the routing check asks the kernel
# where each peer's prefix goes (one routed out another interface, one with
# no route at all, one that is the gateway's own address), a peer without
# allowed IPs, a host inside another peer's range, the rules of an attached
# policy that cannot take effect; exact findings and exit status, before
# and after the routes are mended.
. "$(dirname "$0")/lib.sh"
require_e2e

make_gateway || t_skip_all "cannot build the gateway"
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
keys=()
for i in 1 2 3 4 5 6 7; do keys[i]=$(wg genkey | wg pubkey); done
peer() { gw_run wg set "$GW_IF" peer "${keys[$1]}" allowed-ips "$2"; }
t_ok "seven peers" eval 'peer 1 192.0.2.16/28 && peer 2 198.51.100.0/24 &&
	peer 3 2001:db8:3::/64 && peer 4 203.0.113.0/25 && peer 5 "" &&
	peer 6 192.0.2.1/32 && peer 7 192.0.2.17/32'
# Another interface in the gateway's namespace, where one peer's prefix is
# routed; no default route, so a prefix without a route of its own has none.
# Its name holds a control character, which the kernel allows and people
# are shown escaped.
OTHER=$'o\x01'$ID SHOWN_OTHER="o\\x01$ID"
ip -n "$GW_NS" link add "$OTHER" type dummy 2>/dev/null ||
	ip -n "$GW_NS" link add "$OTHER" type veth peer name "${OTHER}p"
t_ok "routes: 192.0.2.16/28 and 2001:db8:3::/64 through $GW_IF, 198.51.100.0/24 through $SHOWN_OTHER" \
	eval 'ip -n "$GW_NS" link set "$OTHER" up &&
	ip -n "$GW_NS" route add 192.0.2.16/28 dev "$GW_IF" &&
	ip -n "$GW_NS" route add 2001:db8:3::/64 dev "$GW_IF" &&
	ip -n "$GW_NS" route add 198.51.100.0/24 dev "$OTHER"'

check() { wgsf_gw check "$GW_IF" "$@"; }
# "KIND PREFIX PEER-NUMBER ROUTE", one line per finding
findings() {
	local j=$1 i
	for i in "${!keys[@]}"; do j=${j//${keys[$i]}/$i}; done
	jq -r '.findings[] | "\(.kind) \(.prefix) \(.peers | join(",")) \(.route // {} |
		[.device, .type, .error] | map(. // "-") | join(","))"' <<<"$j"
}

out=$(check --json)
t_is "$?" 2 "warnings: exit status 2"
t_is "$(findings "$out")" "no-allowed-ips null 5 -,-,-
not-routed 192.0.2.1/32 6 lo,local,-
not-routed 198.51.100.0/24 2 $OTHER,unicast,-
not-routed 203.0.113.0/25 4 -,-,Network is unreachable
nested-prefix 192.0.2.16/28 1,7 -,-,-" "each finding of the live interface"
t_is "$(jq -r '[.type, .source, .errors, .warnings, .info] | join(" ")' <<<"$out")" \
	"interface $GW_IF 0 4 1" "its counts"
t_is "$(jq -r '.peers[] | if (.effective_allowed_ips | length) == 0 then .public_key
	else .public_key + " " + .effective_allowed_ips[] end' <<<"$out" | LC_ALL=C sort)" \
	"$(wg_peers)" "effective_allowed_ips: what wg show lists"
t_is "$(jq -r '[.findings[] | select(.kind == "not-routed") | .address] | join(" ")' <<<"$out")" \
	"192.0.2.1 198.51.100.128 203.0.113.64" "the addresses asked about: the middle of each prefix"
t_is "$(check | grep "198.51.100.0/24")" \
	"$GW_IF: warning: replies to 198.51.100.0/24 (peer ${keys[2]}) leave through $SHOWN_OTHER, not $GW_IF: the kernel routes 198.51.100.128 there [not-routed]
  advice: route it through $GW_IF ('ip route add 198.51.100.0/24 dev $GW_IF'), or remove it from the peer's AllowedIPs" \
	"in words, with the command that mends it"
t_is "$(check | tail -n 1)" "$GW_IF: 7 peers, 6 allowed IPs: 4 warnings, 1 info" "the last line counts them"

out=$(wgsf_gw check lo 2>&1)
t_is "$?:$out" "1:Unable to check lo: not a WireGuard interface" "an interface that is not WireGuard: exit 1"

# An attached policy with rules that cannot take effect.
cat >"$WORK/policy" <<EOF
[Peer]
PublicKey = ${keys[1]}
AllowedSources = 192.0.2.16/29, 198.51.100.5/32

[Peer]
PublicKey = $(wg genkey | wg pubkey)
Block = true
EOF
# (attach warns of them too)
t_ok "attach with a policy" attach_gw --policy "$WORK/policy" 2>/dev/null
out=$(check --json)
t_is "$(jq -r '.findings[] | select(.kind == "policy-ineffective") |
	"\(.file):\(.line) \(.prefix)"' <<<"$out")" "$WORK/policy:3 198.51.100.5/32
$WORK/policy:5 null" "the policy's rules that cannot take effect, by file and line"
t_is "$(check | grep -c 'policy-ineffective')" 2 "both in words too"

# Mended: routes through the interface, the odd peers gone, no policy.
gw_run wg set "$GW_IF" peer "${keys[4]}" remove peer "${keys[5]}" remove peer "${keys[6]}" remove
ip -n "$GW_NS" route replace 198.51.100.0/24 dev "$GW_IF"
wgsf_gw attach "$GW_IF" --policy none >/dev/null
out=$(check)
t_is "$?" 0 "mended: exit status 0 (an info finding is no warning)"
t_is "$(echo "$out" | tail -n 1)" "$GW_IF: 4 peers, 4 allowed IPs: 1 info" "only the host inside peer 1's range is left"
t_done
