#!/usr/bin/env bash
# Groups of peers on real WireGuard, with AllowedDestinations and Block: a
# group's destinations for its members, [Group *]'s for every peer, one the
# policy does not list too, a group's Block for its members; exact counters
# in enforce mode. Bad lines are refused with their line, and nothing
# changes. (Allow lines: tests/e2e/allow.t.)
. "$(dirname "$0")/lib.sh"
require_e2e

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 198.51.100.0/24 "198.51.100.10" &&
	make_client 2 203.0.113.64/26 "203.0.113.70" &&
	make_client 3 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the clients"
# a second gateway address, which the clients reach through the tunnel too
ip -n "$GW_NS" addr add 192.0.2.2/32 dev "$GW_IF"
for c in 1 2 3; do
	in_ns "${CLIENT_NS[$c]}" wg set "${CLIENT_IF[$c]}" peer "$GW_PUB" \
		allowed-ips 192.0.2.1/32,192.0.2.2/32,2001:db8::1/128
	ip -n "${CLIENT_NS[$c]}" route add 192.0.2.2/32 dev "${CLIENT_IF[$c]}"
done

policy=$(mktemp)
trap 'cleanup; rm -f "$policy" "$policy.bad"' EXIT
cat >"$policy" <<EOT
[Interface]
Mode = enforce
[Group *]
AllowedDestinations = 192.0.2.1/32
[Group second]
AllowedDestinations = 192.0.2.2/32
[Group quarantine]
Block = true
[Peer]
PublicKey = ${CLIENT_PUB[1]}
Group = second
[Peer]
PublicKey = ${CLIENT_PUB[2]}
Group = quarantine, second
EOT

out=$(attach_gw --policy "$policy" 2>&1)
t_is "$?:$out" "0:" "attach with groups, no warnings"
t_is "$(iface_field mode)" enforce "enforce mode, from the file"
t_is "$(client_field 1 policy.allowed_destinations | jq -c .)" '["192.0.2.1/32","192.0.2.2/32"]' \
	"show: client 1 has [Group *]'s destination and its group's"
t_is "$(client_field 3 policy.allowed_destinations | jq -c .)" '["192.0.2.1/32"]' \
	"show: client 3, which the policy does not list, has [Group *]'s"
t_is "$(client_field 2 policy.blocked):$(client_field 1 policy.blocked):$(client_field 3 policy.blocked)" \
	"true:false:false" "show: client 2 blocked by its group, the others not"

t_ok "client 1: 2 pings to [Group *]'s destination pass" client_ping 1 198.51.100.10 192.0.2.1 2
t_ok "client 1: 3 pings to its group's pass" client_ping 1 198.51.100.10 192.0.2.2 3
t_ok "client 3: 2 pings to [Group *]'s destination pass" client_ping 3 192.0.2.11 192.0.2.1 2
t_ok "client 3: 3 pings to the other fail" client_no_reply 3 192.0.2.11 192.0.2.2 3
t_ok "client 2: 2 pings fail, blocked" client_no_reply 2 203.0.113.70 192.0.2.2 2
t_is "$(client_counters 1)" "5 0 0/0/0 0" "client 1: 5 packets, no violation"
t_is "$(client_counters 3)" "5 3 0/3/0 3" "client 3: 3 destination violations, dropped"
t_is "$(client_counters 2)" "2 2 0/0/2 2" "client 2: 2 blocked, dropped"
t_is "$(wgsf_gw lookup "$GW_IF" 192.0.2.11 192.0.2.2 --json | jq -r '.verdict + " " + .reason')" \
	"violation destination" "lookup: client 3 to the other address, a destination violation"

# Bad lines: refused with their line; nothing changes.
before=$(wgsf_gw show "$GW_IF" --json)
refused() { # LINE MESSAGE DESCRIPTION; the policy in $policy.bad
	local out rc
	out=$(attach_gw --policy "$policy.bad" 2>&1)
	rc=$?
	t_is "$rc:$out" "1:Unable to attach $GW_IF: $policy.bad:$1: $2" "$3"
}
printf '[Peer]\nPublicKey = %s\nAllow = 192.0.2.2/32 tcp/0\n' "${CLIENT_PUB[1]}" >"$policy.bad"
refused 3 "port '0' in 'tcp/0' is out of range (1 to 65535)" "a bad Allow line: its line and why"
printf '[Peer]\nPublicKey = %s\nGroup = nosuch\n' "${CLIENT_PUB[1]}" >"$policy.bad"
refused 3 "group 'nosuch' is not defined" "a group used but not defined"
printf '[Group g]\nPublicKey = %s\n' "${CLIENT_PUB[1]}" >"$policy.bad"
refused 2 "PublicKey in a [Group] (a [Peer]'s key only)" "PublicKey in a [Group]"
t_is "$(wgsf_gw show "$GW_IF" --json)" "$before" \
	"after all of them, nothing changed"

# A group with no member is applied (nothing to apply) and warned about.
printf '[Group unused]\nBlock = true\n[Peer]\nPublicKey = %s\n' "${CLIENT_PUB[1]}" >"$policy.bad"
out=$(attach_gw --policy "$policy.bad" 2>&1)
t_is "$?:$out" "0:wgsf: warning: $policy.bad:1: group 'unused' has no member: its rules do nothing" \
	"an empty group: a warning at its line"
t_is "$(client_field 1 policy.allowed_destinations):$(client_field 2 policy.blocked)" "null:false" \
	"and that policy is in force"
t_done
