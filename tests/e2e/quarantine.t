#!/usr/bin/env bash
# Quarantine (wgsf.policy(5), wgsf(8)) on wireguard-go, in enforce mode.
# Client 1 (Quarantine = 5/10s for 1h): 5 pings from a source outside its
# AllowedSources (inside WireGuard's AllowedIPs) are violations of reason
# source, then a ping from its allowed source is dropped as quarantined;
# show, --json, dump, metrics and lookup say so; release lets the next one
# pass; a quarantine by hand drops at once, and holds through sync and
# attach; the Quarantine lines gone, sync releases an automatic one and
# says so, and keeps one by hand. Client 2 (3/10s for 4s): its quarantine
# ends by itself, measured with a packet 5 s after the violations; then
# (3/1s) 2 violations, a pause past the period, and 1 more begin none. A watch
# beside it all logs each quarantine's begin and end, and why it ended. Bad
# input, and fail2ban's action as its file has it, without a policy. No
# timing is checked tighter than the rules: the 1 h quarantines hold
# however slow the CLI is.
. "$(dirname "$0")/lib.sh"
require_e2e

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 198.51.100.0/24 "198.51.100.10 198.51.100.20" &&
	make_client 2 203.0.113.64/26 "203.0.113.70 203.0.113.80" &&
	make_client 3 192.0.2.13/32 "192.0.2.13" || t_skip_all "cannot build the clients"
pings 1 198.51.100.10 1 && pings 2 203.0.113.70 1 && pings 3 192.0.2.13 1 ||
	t_diag "warm-up pings failed"
K1=${CLIENT_PUB[1]} K2=${CLIENT_PUB[2]} K3=${CLIENT_PUB[3]}
WORK=$(mktemp -d)
WATCH=
trap '[ -z "$WATCH" ] || kill "$WATCH"; cleanup; rm -rf "$WORK"' EXIT

# Whether the Quarantine lines are in the policy; client 2's, where given.
write_policy() { # with|without [CLIENT_2_RULE]
	local q1= q2= q3=
	if [ "$1" = with ]; then
		q1="Quarantine = 5/10s for 1h" q2="Quarantine = ${2:-3/10s for 4s}" q3=$q1
	fi
	cat >"$WORK/policy" <<EOT
[Peer]
PublicKey = $K1
AllowedSources = 198.51.100.10/32
$q1
[Peer]
PublicKey = $K2
AllowedSources = 203.0.113.70/32
$q2
[Peer]
PublicKey = $K3
$q3
EOT
}
write_policy with

# Client N's "violations of reason source, quarantined; drops".
counts() { client_fields "$1" violations_by_reason.source violations_by_reason.quarantined drop_packets; }
# Client N's quarantine: in force (false where none), and by whom.
quar() { client_fields "$1" 'quarantine.in_force // false' quarantine.by; }
verdict() { wgsf_gw lookup "$GW_IF" "$1" --json | jq -r '[.verdict, .reason, .action] | join(" ")'; }

out=$(attach_gw --mode enforce --policy "$WORK/policy" 2>&1)
t_is "$?:$out" "0:" "attach in enforce mode with the Quarantine rules"
# a watch beside every command that follows, whose log is checked below
nsenter --net="/var/run/netns/$GW_NS" "$WGSF" watch "$GW_IF" --interval 0.2 >"$WORK/watch" 2>&1 &
WATCH=$!
within 50 grep -q "watching every" "$WORK/watch" || t_diag "the watch did not start"
t_is "$(client_field 1 policy.quarantine | jq -c .):$(client_field 1 quarantine)" \
	'{"violations":5,"period_seconds":10,"duration_seconds":3600}:null' \
	"show --json: client 1's rule, and no quarantine yet"
t_is "$(wgsf_gw show "$GW_IF" | grep -c '^  quarantine: 5/10s for 1h$')" 2 \
	"show: the rule under clients 1 and 3"

# The rule's N violations, and the quarantine they begin.
t_ok "5 pings from client 1's other source are dropped" client_no_reply 1 198.51.100.20 192.0.2.1 5
t_ok "then one from its allowed source too" client_no_reply 1 198.51.100.10 192.0.2.1 1
t_is "$(counts 1)" "5 1 6" "5 violations of reason source, then 1 quarantined; all dropped"
t_is "$(client_fields 1 quarantine.in_force quarantine.by quarantine.counted quarantine.reasons)" \
	'true rule 5 ["source"]' "show --json: in force, by its rule, of 5 violations (source)"
t_is "$(client_fields 1 'quarantine.until - .quarantine.since')" 3600 "for an hour"
t_is "$(wgsf_gw show "$GW_IF" | grep -c "^peer: $K1 (quarantined)$")" 1 "show: the peer's line says it"
t_is "$(wgsf_gw show "$GW_IF" | grep '^  quarantined: ' | sed 's/since .*, until .* (in .*), by/since T, until T, by/')" \
	"  quarantined: since T, until T, by its rule: 5 violations (source)" \
	"show: since and until, by its rule"
t_is "$(wgsf_gw show "$GW_IF" dump | awk -F'\t' -v k="$K1" '$1 == k { print $24, $25, $26, $28 - $27 }')" \
	"1 on rule 3600" "dump: 1 quarantined, on, by rule, for an hour"
wgsf_gw metrics >"$WORK/metrics"
L1="interface=\"$GW_IF\",public_key=\"$K1\""
t_is "$(grep -F "{$L1}" "$WORK/metrics" | grep -E '^wgsf_peer_quarantine' | awk '{ print $1 }' | tr '\n' ' ')" \
	"wgsf_peer_quarantined{$L1} wgsf_peer_quarantine_until_seconds{$L1} " \
	"metrics: quarantined and its end, for client 1"
t_is "$(grep -F "wgsf_peer_quarantined{$L1}" "$WORK/metrics" | awk '{ print $2 }'):$(grep -c '^wgsf_peer_quarantined{.*} 0$' "$WORK/metrics")" \
	"1:2" "metrics: 1 for client 1, 0 for the other two"
t_is "$(grep -cF "wgsf_peer_violation_packets_total{$L1,reason=\"quarantined\"} 1" "$WORK/metrics")" 1 \
	"metrics: its quarantined violation"
t_is "$(verdict 198.51.100.10)" "violation quarantined drop" "lookup: its allowed source is quarantined"

# Released, and quarantined again by hand.
out=$(wgsf_gw release "$GW_IF" "$K1")
t_is "$?:$out" "0:$GW_IF: released $K1" "release"
t_ok "the next ping passes" client_ping 1 198.51.100.10 192.0.2.1 1
t_is "$(quar 1):$(counts 1)" "false null:5 1 6" "no longer in force, nothing more counted"
t_is "$(verdict 198.51.100.10)" "pass  pass" "lookup: it passes"
out=$(wgsf_gw quarantine "$GW_IF" "$K1" --for 1h)
t_is "$?:$(sed 's/ until [0-9-]* [0-9:]* / until T /' <<<"$out")" "0:$GW_IF: quarantined $K1 until T (for 1h)" \
	"quarantine --for 1h"
t_ok "dropped at once" client_no_reply 1 198.51.100.10 192.0.2.1 1
t_is "$(quar 1):$(counts 1)" "true hand:5 2 7" "in force, by hand: quarantined"
t_is "$(wgsf_gw show "$GW_IF" | grep -c '^  quarantined: since .*, until .* (in .*), by hand$')" 1 \
	"show: by hand"
out=$(wgsf_gw sync "$GW_IF" 2>&1) && out=$(attach_gw 2>&1)
t_is "$?:$out:$(quar 1)" "0::true hand" "sync and attach again keep it"
t_ok "still dropped" client_no_reply 1 198.51.100.10 192.0.2.1 1
out=$(wgsf_gw release "$GW_IF" "$K1") && out=$(wgsf_gw quarantine "$GW_IF" "$K3" --json)
t_is "$?:$(jq -c '[.in_force, .by, .until]' <<<"$out")" "0:[true,\"hand\",null]" \
	"client 3 quarantined until released, --json"
t_ok "client 3 is dropped" client_no_reply 3 192.0.2.13 192.0.2.1 1
t_ok "client 1 passes again" client_ping 1 198.51.100.10 192.0.2.1 1
t_ok "5 more from client 1's other source" client_no_reply 1 198.51.100.20 192.0.2.1 5
t_is "$(quar 1)" "true rule" "client 1 in quarantine by its rule again"

# The rules gone: the automatic quarantine goes, the one by hand stays.
write_policy without
out=$(wgsf_gw sync "$GW_IF" 2>&1)
t_is "$?:$(grep -c "released $K1 from quarantine: its Quarantine rule is gone" <<<"$out")" "0:1" \
	"sync without the rules: client 1 released, and it says so"
t_is "$(quar 1):$(quar 3):$(client_field 3 policy.quarantine)" "false null:true hand:null" \
	"client 3 still in quarantine by hand, without a rule"
t_ok "watch: client 1's released as its rule went" \
	within 50 grep -q "^$GW_IF: release peer=$K1 why=rule-gone$" "$WORK/watch"
t_ok "client 1 passes" client_ping 1 198.51.100.10 192.0.2.1 1
t_ok "client 3 is still dropped" client_no_reply 3 192.0.2.13 192.0.2.1 1
out=$(wgsf_gw release "$GW_IF" "$K3")
t_is "$?:$out:$(client_field 3 quarantine)" "0:$GW_IF: released $K3:null" \
	"release: a peer without a rule keeps no entry"
t_ok "client 3 passes" client_ping 3 192.0.2.13 192.0.2.1 1

# Bad input: one line each, its status, nothing changed.
start_wg "$GW_NS" "${GW_IF}n" || t_diag "cannot start an interface left unattached"
NOPEER=$(wg genkey | wg pubkey)
bad() { # STATUS LINE DESCRIPTION ARGS...
	local out
	out=$(wgsf_gw "${@:4}" 2>&1)
	t_is "$?:$out" "$1:$2" "$3"
}
bad 64 "Invalid public key: 'nokey'" "a bad key: usage" quarantine "$GW_IF" nokey
bad 64 "Invalid duration: '90' (a whole number and a unit, s, m, h or d, from 1s to 365d)" \
	"a duration without its unit: usage" quarantine "$GW_IF" "$K1" --for 90
bad 64 "Invalid duration: '366d' (a whole number and a unit, s, m, h or d, from 1s to 365d)" \
	"past 365 days: usage" quarantine "$GW_IF" "$K1" --for 366d
bad 1 "Unable to quarantine on $GW_IF: $NOPEER is not a peer of $GW_IF" "not a peer: 1" \
	quarantine "$GW_IF" "$NOPEER"
bad 1 "Unable to release on $GW_IF: $K1 is not in quarantine on $GW_IF" \
	"release of a peer not in quarantine: 1" release "$GW_IF" "$K1"
bad 3 "Unable to quarantine on ${GW_IF}n: ${GW_IF}n is not attached (see 'wgsf show')" \
	"an interface not attached: 3" quarantine "${GW_IF}n" "$K1"
t_is "$(quar 1):$(quar 3)" "false null:false null" "none of them changed anything"

# Client 2's 4 s quarantine, measured with packets: a ping 5 s after its
# violations passes. The watch logs it, and quarantines by hand.
write_policy with
wgsf_gw sync "$GW_IF" >/dev/null 2>&1
t_ok "3 pings from client 2's other source are dropped" client_no_reply 2 203.0.113.80 192.0.2.1 3
# after the violation that began it, however long the pings took to start
t0=$(now_ms)
t_is "$(client_fields 2 quarantine.by quarantine.counted)" "rule 3" "client 2 was quarantined by its rule"
left=$((t0 + 5000 - $(now_ms)))
[ "$left" -le 0 ] || sleep "$((left / 1000)).$(printf %03d $((left % 1000)))"
t_ok "5 s after its violations began, its allowed source passes" client_ping 2 203.0.113.70 192.0.2.1 1
t_is "$(client_fields 2 quarantine.in_force rx_packets violations_by_reason.source)" "false 4 3" \
	"over: its ping counted received, no more violations"
t_ok "watch: its quarantine began" within 50 grep -q "^$GW_IF: quarantine peer=$K2 by=rule until=[0-9]*$" "$WORK/watch"
t_ok "watch: and ended by itself" within 50 grep -q "^$GW_IF: release peer=$K2 why=expired$" "$WORK/watch"
wgsf_gw quarantine "$GW_IF" "$K3" --for 2s >/dev/null
t_ok "watch: a quarantine by hand for 2 s" \
	within 50 grep -q "^$GW_IF: quarantine peer=$K3 by=hand until=[0-9]*$" "$WORK/watch"
t_ok "watch: and its end" within 50 grep -q "^$GW_IF: release peer=$K3 why=expired$" "$WORK/watch"
wgsf_gw quarantine "$GW_IF" "$K3" >/dev/null
t_ok "watch: one until released" \
	within 50 grep -q "^$GW_IF: quarantine peer=$K3 by=hand until=none$" "$WORK/watch"
wgsf_gw release "$GW_IF" "$K3" >/dev/null
t_ok "watch: and its release" within 50 grep -q "^$GW_IF: release peer=$K3 why=hand$" "$WORK/watch"
kill "$WATCH" && wait "$WATCH" 2>/dev/null
WATCH=

# N-1 violations, a pause longer than the period, then one more: they
# never count together, and nothing is quarantined.
write_policy with "3/1s for 1h"
wgsf_gw sync "$GW_IF" >/dev/null 2>&1
t_ok "2 pings from client 2's other source are dropped" client_no_reply 2 203.0.113.80 192.0.2.1 2
sleep 1.2
t_ok "then, past its period of 1 s, a third" client_no_reply 2 203.0.113.80 192.0.2.1 1
t_ok "its allowed source passes" client_ping 2 203.0.113.70 192.0.2.1 1
t_is "$(client_fields 2 quarantine.in_force violations_by_reason.source violations_by_reason.quarantined)" \
	"false 6 0" "3 violations, never 3 within 1 s: not quarantined (3 from before)"

# fail2ban's action, its lines as the file has them, on the interface
# without a policy: a quarantine needs none.
out=$(attach_gw --policy none 2>&1)
t_is "$?:$out:$(iface_field policy_file)" "0::null" "attach again without a policy"
action() { # ban|unban [BANTIME]
	sed -n "s/^action$1 = //p" "$ROOT/contrib/fail2ban/action.d/wgsf-quarantine.conf" |
		sed "s|<wgsf>|$WGSF|g; s|<interface>|$GW_IF|g; s|<fid>|$K1|g; s|<bantime>|${2:-600}|g"
}
out=$(gw_run sh -c "$(action ban)")
t_is "$?:$(quar 1):$(client_fields 1 'quarantine.until - .quarantine.since')" "0:true hand:600" \
	"fail2ban's actionban: quarantined by hand for the ban time"
t_ok "client 1 is dropped" client_no_reply 1 198.51.100.10 192.0.2.1 1
t_is "$(verdict 198.51.100.10)" "violation quarantined drop" "lookup: quarantined"
out=$(gw_run sh -c "$(action unban)")
t_is "$?:$out:$(quar 1)" "0:$GW_IF: released $K1:false null" "actionunban releases it"
t_ok "client 1 passes" client_ping 1 198.51.100.10 192.0.2.1 1
out=$(gw_run sh -c "$(action unban)" 2>/dev/null)
t_is "$?" 0 "actionunban of a quarantine already over is no failure"
out=$(gw_run sh -c "$(action ban -1)")
t_is "$?:$out:$(quar 1)" "0:$GW_IF: $K1 quarantined until released:true hand" \
	"actionban of a ban for ever (-1): until released"
t_done
