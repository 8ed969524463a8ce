#!/usr/bin/env bash
# Per-peer policy on real WireGuard: a peer whose allowed IPs are a /24 but
# whose policy allows one source, a peer allowed one destination, a blocked
# peer, and a peer without policy; counted in monitor mode, dropped in
# enforce mode (the pings fail), with exact counters.
. "$(dirname "$0")/lib.sh"
require_e2e

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 198.51.100.0/24 "198.51.100.10 198.51.100.20" &&
	make_client 2 203.0.113.64/26 "203.0.113.70" &&
	make_client 3 192.0.2.11/32 "192.0.2.11" &&
	make_client 4 192.0.2.12/32 "192.0.2.12" || t_skip_all "cannot build the clients"
# a second gateway address, that client 2 may not reach
ip -n "$GW_NS" addr add 192.0.2.2/32 dev "$GW_IF"
in_ns "${CLIENT_NS[2]}" wg set "${CLIENT_IF[2]}" peer "$GW_PUB" \
	allowed-ips 192.0.2.1/32,192.0.2.2/32,2001:db8::1/128
ip -n "${CLIENT_NS[2]}" route add 192.0.2.2/32 dev "${CLIENT_IF[2]}"
for c in 1 2 3 4; do pings "$c" "$(ip -n "${CLIENT_NS[$c]}" -4 -o addr show dev \
	"${CLIENT_IF[$c]}" | awk '{ print $4; exit }' | cut -d/ -f1)" 1; done

policy=$(mktemp)
trap 'cleanup; rm -rf "$policy" "$policy.bad" "$policy.fifo" "$policy.dir"' EXIT
cat >"$policy" <<EOT
# one source for client 1, one destination for client 2, client 3 quarantined
[Peer]
PublicKey = ${CLIENT_PUB[1]}
AllowedSources = 198.51.100.10/32
[Peer]
PublicKey = ${CLIENT_PUB[2]}
AllowedDestinations = 192.0.2.1/32, 2001:db8::1/128
[Peer]
PublicKey = ${CLIENT_PUB[3]}
Block = true
EOT

out=$(attach_gw --policy "$policy" 2>&1)
t_is "$?:$out" "0:" "attach with the policy, no warnings"
t_is "$(iface_field mode):$(iface_field policy_file)" "monitor:$policy" "monitor mode, the policy in force"
t_is "$(client_field 1 policy.allowed_sources | jq -c .)" '["198.51.100.10/32"]' "show: client 1's allowed sources"
t_is "$(client_field 2 policy.allowed_destinations | jq -c .)" '["192.0.2.1/32","2001:db8::1/128"]' \
	"show: client 2's allowed destinations"
t_is "$(client_field 3 policy.blocked):$(client_field 4 policy.allowed_sources)" "true:null" \
	"show: client 3 blocked, client 4 without policy"

t_ok "monitor: 3 pings from client 1's allowed source" client_ping 1 198.51.100.10 192.0.2.1 3
t_ok "monitor: 4 pings from its other address still pass" client_ping 1 198.51.100.20 192.0.2.1 4
t_ok "monitor: client 2, 2 pings to its allowed destination" client_ping 2 203.0.113.70 192.0.2.1 2
t_ok "monitor: 3 pings to the other still pass" client_ping 2 203.0.113.70 192.0.2.2 3
t_ok "monitor: the blocked client's 2 pings still pass" client_ping 3 192.0.2.11 192.0.2.1 2
t_ok "monitor: 2 pings from the client without policy" client_ping 4 192.0.2.12 192.0.2.1 2
t_is "$(client_counters 1)" "7 4 4/0/0 0" "monitor: client 1: 4 source violations, no drops"
t_is "$(client_field 1 last_violation_source)" 198.51.100.20 "monitor: client 1's last violating source"
t_is "$(client_counters 2)" "5 3 0/3/0 0" "monitor: client 2: 3 destination violations"
t_is "$(client_field 2 last_violation_destination)" 192.0.2.2 "monitor: and where they went"
t_is "$(client_counters 3)" "2 2 0/0/2 0" "monitor: client 3: 2 blocked"
t_is "$(client_counters 4)" "2 0 0/0/0 0" "monitor: client 4: clean"

t_ok "attach again in enforce mode" attach_gw --mode enforce
t_is "$(iface_field mode):$(iface_field policy_file)" "enforce:$policy" "enforcing the same policy"
t_ok "enforce: pings from client 1's other address fail" client_no_reply 1 198.51.100.20 192.0.2.1 3
t_ok "enforce: its allowed source still passes" client_ping 1 198.51.100.10 192.0.2.1 2
t_ok "enforce: client 2's pings to the other destination fail" client_no_reply 2 203.0.113.70 192.0.2.2 2
t_ok "enforce: to its allowed destination they pass" client_ping 2 203.0.113.70 192.0.2.1 2
t_ok "enforce: the blocked client's pings fail" client_no_reply 3 192.0.2.11 192.0.2.1 2
t_ok "enforce: the client without policy passes" client_ping 4 192.0.2.12 192.0.2.1 2
t_is "$(client_counters 1)" "12 7 7/0/0 3" "enforce: client 1: 3 more violations, dropped"
t_is "$(client_counters 2)" "9 5 0/5/0 2" "enforce: client 2: 2 more, dropped"
t_is "$(client_counters 3)" "4 4 0/0/4 2" "enforce: client 3: 2 more, dropped"
t_is "$(client_counters 4)" "4 0 0/0/0 0" "enforce: client 4: untouched"
t_is "$(wgsf_gw lookup "$GW_IF" 198.51.100.20 --json | jq -r '.verdict + " " + .reason + " " + .action')" \
	"violation source drop" "lookup: client 1's other address is dropped as a source violation"
t_is "$(wgsf_gw lookup "$GW_IF" 198.51.100.10 --json | jq -c '[.verdict, .policy]')" \
	'["pass",{"blocked":false,"allowed_sources":["198.51.100.10/32"],"allowed_destinations":null,"allow":null,"rate_limit":null,"quarantine":null}]' \
	"lookup: its allowed source passes, and the policy in force is shown"
t_is "$(wgsf_gw lookup "$GW_IF" 198.51.100.10 | grep '^allowed sources')" "allowed sources: 198.51.100.10/32" \
	"lookup, for people: the allowed sources"
verdict() { wgsf_gw lookup "$GW_IF" "$@" --json | jq -r '[.verdict, .reason, .action, .depends_on_destination] | join(" ")'; }
t_is "$(verdict 203.0.113.70 192.0.2.2)" "violation destination drop false" \
	"lookup with a destination: client 2 to the other address is dropped, as its pings were"
t_is "$(verdict 203.0.113.70 192.0.2.1)" "pass  pass false" "lookup: to its allowed destination it passes"
t_is "$(verdict 203.0.113.70)" "pass  pass true" "lookup without a destination: it depends on the destination"
t_is "$(wgsf_gw lookup "$GW_IF" 203.0.113.70 | grep '^verdict')" \
	"verdict: pass from this source; its allowed destinations decide by destination ('wgsf lookup $GW_IF 203.0.113.70 DESTINATION')" \
	"lookup, for people: it says that the destination decides"
t_is "$(verdict 198.51.100.20 192.0.2.2)" "violation source drop false" \
	"lookup: a source violation whatever the destination"
out=$(wgsf_gw lookup "$GW_IF" 203.0.113.70 2001:db8::1 2>&1)
t_is "$?:$out" "64:Invalid destination: '2001:db8::1' is not of the source's family" \
	"lookup: a destination of the other family is refused"

# A bad policy changes nothing, and says where it is wrong.
before=$(wgsf_gw show "$GW_IF" --json)
printf '[Peer]\nPublicKey = %s\nAllowedSources = 198.51.100.0/33\n' "${CLIENT_PUB[1]}" >"$policy.bad"
out=$(attach_gw --policy "$policy.bad" 2>&1)
t_is "$?:$out" "1:Unable to attach $GW_IF: $policy.bad:3: invalid prefix '198.51.100.0/33'" \
	"a bad policy: one line naming file and line, exit 1"
t_is "$(wgsf_gw show "$GW_IF" --json)" "$before" "and nothing changed"

# Every kind of bad file: exit 1, one line naming the file and line, no change.
K=${CLIENT_PUB[1]}
bad_files=(
	"1:[Peers]" "1:Mode = enforce" "2:[Interface]\nMode = drop" "2:[Interface]\nListenPort = 1"
	"2:[Peer]\nPublicKey = nonsense" "1:[Peer]\nBlock = true" "2:[Interface]\nMode enforce"
	"3:[Peer]\nPublicKey = $K\nAllowedSources = 192.0.2.300" "4:[Peer]\nPublicKey = $K\n[Peer]\nPublicKey = $K"
	"3:[Peer]\nPublicKey = $K\nBlock = maybe" "3:[Peer]\nPublicKey = $K\nAllowedIPs = 192.0.2.0/24"
	"3:[Peer]\nPublicKey = $K\nAllowedDestinations = 192.0.2.1,,"
	"2:[Interface]\n\x01\x02binary" "1:[Peer" "2:[Interface]\n[Interface]"
	"3:[Peer]\nPublicKey = $K\nPublicKey = $K"
)
# exit 1 and one line: "Unable to attach IFACE: FILE:LINE: what"
refused_at() { # LINE OUTPUT STATUS
	[ "$3" = 1 ] && [ "$(echo "$2" | wc -l)" = 1 ] &&
		[[ $2 == "Unable to attach $GW_IF: $policy.bad:$1: "* ]]
}
for case in "${bad_files[@]}"; do
	printf "${case#*:}\n" >"$policy.bad"
	out=$(attach_gw --policy "$policy.bad" 2>&1)
	t_ok "bad policy '${case#*:}': exit 1, one line naming line ${case%%:*}" \
		refused_at "${case%%:*}" "$out" $?
done
printf '' >"$policy.bad"
out=$(attach_gw --policy "$policy.bad" 2>&1)
t_is "$?:$out" "1:Unable to attach $GW_IF: $policy.bad: empty policy: no [Interface], [Peer] or [Group] section" \
	"an empty policy file"

# Files that are not regular files, or that later syncs could not read again:
# refused at once (a FIFO without a writer too), each command bounded.
mkfifo "$policy.fifo" && mkdir "$policy.dir"
for case in "$policy.fifo:a FIFO or pipe" "$policy.dir:a directory" "/dev/zero:a device"; do
	out=$(gw_run timeout 20 "$WGSF" attach "$GW_IF" --policy "${case%%:*}" 2>&1)
	t_is "$?:$out" "1:Unable to attach $GW_IF: ${case%%:*}: ${case#*:}, not a regular file" \
		"--policy ${case%%:*}: ${case#*:}, refused at once"
done
out=$(gw_run timeout 20 "$WGSF" attach "$GW_IF" --policy <(cat "$policy") 2>&1)
t_is "$?:$(sed -E 's|/dev/fd/[0-9]+|/dev/fd/N|' <<<"$out")" "1:Unable to attach $GW_IF: /dev/fd/N: \
an open file of this command, which later syncs cannot read again: give the policy's own path" \
	"--policy <(...): refused, saying why"
t_is "$(gw_run timeout 20 "$WGSF" show "$GW_IF" --json)" "$before" "after all of them, nothing changed"

# Rules that cannot take effect are applied where they can, and warned about
# at their own line; a source wider than the allowed IPs (all of IPv4
# here) admits what they admit, and is not warned about.
other=$(wg genkey | wg pubkey)
printf '[Peer]\nPublicKey = %s\nAllowedSources = 0.0.0.0/0\nAllowedSources = 198.51.100.0/24
[Peer]\nPublicKey = %s\nBlock = true\n' "${CLIENT_PUB[4]}" "$other" >"$policy.bad"
out=$(attach_gw --policy "$policy.bad" 2>&1)
t_is "$out" "wgsf: warning: $policy.bad:4: peer ${CLIENT_PUB[4]}: allowed source 198.51.100.0/24 lies outside its allowed IPs, so WireGuard drops it before wgsf sees it
wgsf: warning: $policy.bad:5: peer $other is not a peer of $GW_IF" "warnings name the key, the prefix and its own line"
t_is "$(client_field 1 policy.allowed_sources):$(client_field 3 policy.blocked)" "null:false" \
	"the new policy replaced the old one"

# A peer that gains destination rules while another peer has a policy: its
# ruleset is written before the allowed-IPs entries that send its packets to
# it, so that a sync killed in between (build/tests/tools/wgsf-faults, at the
# point where the flags would switch the new rules on) leaves its packets
# judged by the old policy or the new, never dropped for a ruleset not yet
# written.
FAULTS=$BUILD_DIR/tests/tools/wgsf-faults
t_ok "enforce mode again" attach_gw --mode enforce
printf '[Peer]\nPublicKey = %s\nAllowedDestinations = 192.0.2.1/32\n' "${CLIENT_PUB[3]}" \
	>>"$policy.bad"
point=$(WGSF_FAULT_AT=list gw_run "$FAULTS" sync "$GW_IF" 2>&1 >/dev/null |
	sed -n 's/^fault point \([0-9]*\): switch the new rules on$/\1/p')
t_ok "a sync that gives client 3 destination rules passes point $point" test -n "$point"
head -n -3 "$policy.bad" >"$policy.bad.old" && mv "$policy.bad.old" "$policy.bad"
wgsf_gw sync "$GW_IF" >/dev/null 2>&1
t_is "$?" 0 "back to the policy without them"
printf '[Peer]\nPublicKey = %s\nAllowedDestinations = 192.0.2.1/32\n' "${CLIENT_PUB[3]}" \
	>>"$policy.bad"
WGSF_FAULT_AT=$point gw_run "$FAULTS" sync "$GW_IF" >/dev/null 2>&1
t_is "$?" 137 "the same sync, killed there"
t_ok "killed there: client 3's pings to its allowed destination pass" \
	client_ping 3 192.0.2.11 192.0.2.1 2
wgsf_gw sync "$GW_IF" >/dev/null 2>&1
t_is "$?" 0 "the next sync finishes it"
t_is "$(client_field 3 policy.allowed_destinations | jq -c .)" '["192.0.2.1/32"]' \
	"client 3's allowed destination in force"
t_ok "and its pings pass" client_ping 3 192.0.2.11 192.0.2.1 2
t_done
