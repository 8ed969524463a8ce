#!/usr/bin/env bash
# The machine-readable twins on a real gateway: attach, sync, watch and
# detach with --json, each an exact object (a watch's log one object a
# line), and `show IFACE dump` equal field for field to show --json after
# known traffic, with its documented columns; a dump of an interface not
# attached exits 3.
. "$(dirname "$0")/lib.sh"
require_e2e

gateway_two_clients
K1=${CLIENT_PUB[1]} K2=${CLIENT_PUB[2]}
printf '[Interface]\nMode = monitor\n[Peer]\nPublicKey = %s\nBlock = true\n' "$K2" >"$WORK/policy"
chmod 600 "$WORK/policy"
if [ "$WG_IMPL" = kernel ]; then
	NOTES='[]' REJ_OFF=0
else
	NOTES="[\"WireGuard's own rejections are not counted: $GW_IF is not kernel WireGuard: a userspace WireGuard (wireguard-go, boringtun) drops such packets in its own code\"]"
	REJ_OFF=off
fi
MECH=$(tc_mechanism)

out=$(wgsf_gw attach "$GW_IF" --policy "$WORK/policy" --json) && ATTACHED+=("$GW_NS $GW_IF")
t_is "$out" "{\"interface\":\"$GW_IF\",\"hook\":\"tc\",\"mechanism\":\"$MECH\",\"mode\":\"monitor\",\
\"policy_file\":\"$WORK/policy\",\"flow_table\":null,\"changes\":{\"peers_added\":2,\"peers_removed\":0,\
\"allowed_ips_added\":2,\"allowed_ips_changed\":0,\"allowed_ips_removed\":0,\"policy_rules_added\":0,\
\"policy_rules_removed\":0,\"policy_flags_changed\":1,\"rate_limits_changed\":0},\"notes\":$NOTES}" "attach --json: the exact object"
t_is "$(wgsf_gw attach "$GW_IF" --mode enforce --json | jq -c '[.mode, .changes.peers_added, .notes[0]]')" \
	'["enforce",0,"mode monitor -> enforce (--mode enforce)"]' \
	"attach --json again: what it changed in force among the notes"
wgsf_gw attach "$GW_IF" --mode monitor >/dev/null

t_ok "3 pings from client 1" pings 1 192.0.2.11 3
t_ok "2 pings from the blocked client 2 (monitor: they pass)" pings 2 192.0.2.12 2

# show --json's fields, in the dump's order, as tab-separated lines
json_as_dump() {
	wgsf_gw show "$GW_IF" --json | jq -r --arg off "$REJ_OFF" '.interfaces[0] |
		def none: if . == null then "(none)" else . end;
		def rej: if . == null then $off else . end;
		([.name, .mechanism, .hook_state, .mode, (.policy_file | none), .unknown_packets,
		  .unknown_bytes, (.last_unknown_source | none), .malformed_packets,
		  (.rejected_unknown_packets | rej)] | @tsv),
		(.peers[] | [.public_key, (.allowed_ips | join(",")), .rx_packets, .rx_bytes,
		  .last_seen, .violation_packets, .violation_bytes, .violations_by_reason.source,
		  .violations_by_reason.destination, .violations_by_reason.blocked, .drop_packets,
		  .drop_bytes, .last_violation, (.last_violation_source | none),
		  (.last_violation_destination | none), (.last_violation_reason | none),
		  (if .blocked then "on" else "off" end), (.rejected_packets | rej),
		  (.rejected_bytes | rej), (.last_rejected | rej),
		  .violations_by_reason.service, .violations_by_reason.rate, .rate_bytes,
		  .violations_by_reason.quarantined,
		  (.quarantine | if . == null then "(none)" elif .in_force then "on" else "off" end),
		  (.quarantine.by | none), (.quarantine.since // 0), (.quarantine.until // 0)] | @tsv)'
}
# a dump with its times (seconds since the epoch) cut to the minute: the
# two reads are a moment apart
minutes() { awk -F'\t' -v OFS='\t' 'NR > 1 { $5 = int($5 / 60); $13 = int($13 / 60) } 1'; }
dump=$(wgsf_gw show "$GW_IF" dump)
t_is "$?:$(minutes <<<"$dump")" "0:$(json_as_dump | minutes)" "show IFACE dump: show --json's fields, tab-separated"
t_is "$(awk -F'\t' '{ print NF }' <<<"$dump" | tr '\n' ' ')" "10 28 28 " "10 fields for the interface, 28 a peer"
t_is "$(head -1 <<<"$dump")" "$GW_IF	$MECH	attached	monitor	$WORK/policy	0	0	(none)	0	$REJ_OFF" \
	"the interface's line"
# the blocked client, heard from last, first
t_is "$(sed -n 2p <<<"$dump" | cut -f1-4,6-12,14-19)" \
	"$K2	192.0.2.12/32	2	168	2	168	0	0	2	0	0	192.0.2.12	192.0.2.1	blocked	on	$REJ_OFF	$REJ_OFF" \
	"the blocked peer's line: 2 violations, blocked, not dropped"
t_is "$(sed -n 3p <<<"$dump" | cut -f1-4,6-12,14-19)" \
	"$K1	192.0.2.11/32	3	252	0	0	0	0	0	0	0	(none)	(none)	(none)	off	$REJ_OFF	$REJ_OFF" \
	"the other peer's line: 3 packets of 84 bytes, no violation"

out=$(wgsf_gw sync "$GW_IF" --json)
t_is "$?:$out" "0:{\"interface\":\"$GW_IF\",\"changes\":{\"peers_added\":0,\"peers_removed\":0,\
\"allowed_ips_added\":0,\"allowed_ips_changed\":0,\"allowed_ips_removed\":0,\"policy_rules_added\":0,\
\"policy_rules_removed\":0,\"policy_flags_changed\":0,\"rate_limits_changed\":0},\"notes\":[]}" "sync --json: nothing changed"

# a watch's log as JSON lines: one peer added, one violation, the end
# nsenter execs wgsf, so $! is the watch itself
nsenter --net="/var/run/netns/$GW_NS" "$WGSF" watch "$GW_IF" --interval 0.2 --json >"$WORK/log" 2>&1 &
watcher=$!
PIDS+=("$watcher")
logged() { grep -qF -- "$1" "$WORK/log"; }
t_ok "watch --json starts" within 30 logged '"message":"watching every 0.2 seconds"'
new=$(wg genkey | wg pubkey)
gw_run wg set "$GW_IF" peer "$new" allowed-ips 203.0.113.200/32
t_ok "a peer added: a line of changes" within 20 logged '"changes":{"peers_added":1,'
pings 2 192.0.2.12 1
t_ok "a violation: a line of it" within 20 logged '"violation":{'
kill -TERM "$watcher"
wait "$watcher"
t_is "$?" 0 "SIGTERM ends it"
t_is "$(jq -c . "$WORK/log" | wc -l):$(wc -l <"$WORK/log")" "$(wc -l <"$WORK/log"):$(wc -l <"$WORK/log")" \
	"every line of the log one JSON object"
t_is "$(jq -c 'keys' "$WORK/log" | sort | uniq -c | awk '$2 != "[\"interface\",\"message\"]" { print $1, $2 }' |
	tr '\n' ' ')" '1 ["changes","interface"] 1 ["interface","violation"] ' \
	"messages, one line of changes, one violation"
t_is "$(jq -c 'select(.violation) | .violation | del(.peer)' "$WORK/log")" \
	'{"packets":1,"total":3,"reason":"blocked","source":"192.0.2.12","destination":"192.0.2.1","service":"icmp/8","action":"count"}' \
	"the violation: the key=value line's keys, numbers as numbers"
t_is "$(tail -1 "$WORK/log")" "{\"interface\":\"$GW_IF\",\"message\":\"watch ended; the program stays attached\"}" \
	"the last line: the end"

t_is "$(wgsf_gw detach "$GW_IF" --json)" "{\"interface\":\"$GW_IF\",\"removed\":\"attached\"}" \
	"detach --json: what it removed" && ATTACHED=()
out=$(wgsf_gw show "$GW_IF" dump 2>&1)
t_is "$?:$out" "3:Unable to show $GW_IF: $GW_IF is not attached (see 'wgsf show')" \
	"dump of an interface not attached: exit 3"
t_done
