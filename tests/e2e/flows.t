#!/usr/bin/env bash
# Flow records on real WireGuard (wgsf attach --flows, wgsf flows, and the
# flow ends of wgsf events). Two clients exchange a known set of TCP, UDP and
# ICMP echoes, by IPv4 and IPv6: wgsf flows lists exactly those flows, each
# with its peer, ports or type, and its packets and IP bytes to the byte, in
# JSON and in its table, selected by --peer and --top. A table of 16 under
# 64 new flows keeps the newest 16; the 48 it pushed out are counted (show,
# metrics) and a reader prints each as it goes, in order, while the
# datapath's verdicts on the same packets stay what they are. A reader with
# --flow-idle ends the flows that stop, with their final counts, and not
# the one that goes on. attach without --flows and sync keep the table, a
# new size starts an empty one, --flows=off turns it off; bad input changes
# nothing. The fail2ban filter takes no flow end for a failure.
. "$(dirname "$0")/lib.sh"
require_e2e
PROBE=$BUILD_DIR/tests/tools/flowprobe
SEND=$BUILD_DIR/tests/tools/udpsend
[ -x "$PROBE" ] && [ -x "$SEND" ] || t_skip_all "not built (make tests)"
# The table that takes 4 x SIZE flows, and how long a flow may idle: a
# stream of 20 datagrams a second is never that late, on a busy machine
# or in the kernel lane (TCG) either.
SIZE=16 IDLE=2

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32,2001:db8::11/128 "192.0.2.11 2001:db8::11" &&
	make_client 2 192.0.2.12/32,2001:db8::12/128 "192.0.2.12 2001:db8::12" ||
	t_skip_all "cannot build the clients"
for c in 1 2; do
	pings "$c" "${CLIENT_ADDR[$c]}" 1 || t_diag "warm-up ping of client $c failed"
	# each client's TCP connections from port 40000: the flow's key known
	in_ns "${CLIENT_NS[$c]}" sh -c 'echo 40000 40000 >/proc/sys/net/ipv4/ip_local_port_range'
done
K1=${CLIENT_PUB[1]} K2=${CLIENT_PUB[2]}
WORK=$(mktemp -d)
READER="" STREAMER=""
trap 'kill $READER $STREAMER 2>/dev/null; cleanup; rm -rf "$WORK"' EXIT
# client 2 may send TCP to port 7000, DNS and echoes to the gateway only
cat >"$WORK/policy" <<EOT
[Peer]
PublicKey = $K2
Allow = 192.0.2.1/32, 2001:db8::1/128 tcp/7000 udp/53 icmp
EOT

# The gateway's flows as `wgsf flows --json` lists them, without their
# times, one compact object a line.
flows_json() { # [ARGS...]
	wgsf_gw flows "$GW_IF" --json "$@" | jq -c 'del(.first_seen, .last_seen)'
}
# A flow as wgsf lists it (without its times): C, the client.
flow() { # C SOURCE DESTINATION PROTOCOL SPORT DPORT TYPE CODE PACKETS BYTES
	printf '{"interface":"%s","peer":"%s","source":"%s","destination":"%s","protocol":"%s",' \
		"$GW_IF" "${CLIENT_PUB[$1]}" "$2" "$3" "$4"
	printf '"source_port":%s,"destination_port":%s,"icmp_type":%s,"icmp_code":%s,' \
		"$5" "$6" "$7" "$8"
	printf '"packets":%s,"bytes":%s}\n' "$9" "${10}"
}
# Lines sorted, for sets compared.
sorted() { LC_ALL=C sort; }
# The TCP segments that client C's kernel sent, retransmissions included.
tcp_segments() { # C
	in_ns "${CLIENT_NS[$1]}" cat /proc/net/snmp | awk '$1 == "Tcp:" && !n { for (i = 2; i <= NF;
		i++) f[i] = $i; n = 1; next } $1 == "Tcp:" { for (i = 2; i <= NF; i++)
		if (f[i] == "OutSegs" || f[i] == "RetransSegs") s += $i; print s }'
}
# Both clients' "packets bytes" from show.
rx_both() {
	wgsf_gw show "$GW_IF" --json | jq -r --arg k1 "$K1" --arg k2 "$K2" '.interfaces[0].peers |
		map({key: .public_key, value: "\(.rx_packets) \(.rx_bytes)"}) | from_entries |
		"\(.[$k1]) \(.[$k2])"'
}
# The sum of the flows' "packets bytes" of client C, from flows_json lines.
flows_sum() { # C
	jq -s -r --arg k "${CLIENT_PUB[$1]}" 'map(select(.peer == $k)) |
		"\(map(.packets) | add) \(map(.bytes) | add)"'
}
# A known set of exchanges: exactly their flows.
out=$(wgsf_gw attach "$GW_IF" --mode enforce --policy "$WORK/policy" --flows=64)
t_is "$?:$(echo "$out" | grep -c 'flow records off -> 64 flows (--flows)')" 0:1 \
	"attach --flows=64 in enforce mode: the attach says flow records off -> 64 flows"
ATTACHED+=("$GW_NS $GW_IF")
t_is "$(flows_json)" "" "the new table is empty"
rx=$(rx_both) seg1=$(tcp_segments 1) seg2=$(tcp_segments 2)
t_is "$(flow_exchange "$GW_NS" "${CLIENT_NS[1]}" tcp 192.0.2.1 7000)" answered \
	"client 1: a TCP exchange with the gateway's port 7000 (IPv4)"
t_is "$(flow_exchange "$GW_NS" "${CLIENT_NS[2]}" tcp 2001:db8::1 7000)" answered \
	"client 2: a TCP exchange with the gateway's port 7000 (IPv6)"
# N datagrams of 9 bytes (IPv4 37, IPv6 57) from client C.
datagrams() { # N C SOURCE SPORT DESTINATION DPORT
	local _
	for _ in $(seq "$1"); do
		in_ns "${CLIENT_NS[$2]}" "$PROBE" send udp "${@:3}" || return 1
	done
}
t_ok "client 1: 3 datagrams from port 7101 to the gateway's port 53 (IPv4)" \
	datagrams 3 1 192.0.2.11 7101 192.0.2.1 53
t_ok "client 2: 2 datagrams from port 7102 to the gateway's port 53 (IPv6)" \
	datagrams 2 2 2001:db8::12 7102 2001:db8::1 53
t_ok "client 1: 2 echo requests answered (IPv4)" client_ping 1 192.0.2.11 192.0.2.1 2
t_ok "client 2: 3 echo requests answered (IPv6)" client_ping 2 2001:db8::12 2001:db8::1 3
# each segment 52 bytes of IPv4 and TCP with timestamps (72 with IPv6), the
# SYN 8 more (its options), the one message 9 more
n1=$(($(tcp_segments 1) - seg1)) n2=$(($(tcp_segments 2) - seg2))
t_diag "TCP segments: client 1 $n1, client 2 $n2"
{
	flow 1 192.0.2.11 192.0.2.1 tcp 40000 7000 null null "$n1" $((52 * n1 + 17))
	flow 1 192.0.2.11 192.0.2.1 udp 7101 53 null null 3 111
	flow 1 192.0.2.11 192.0.2.1 icmp null null 8 0 2 168
	flow 2 2001:db8::12 2001:db8::1 tcp 40000 7000 null null "$n2" $((72 * n2 + 17))
	flow 2 2001:db8::12 2001:db8::1 udp 7102 53 null null 2 114
	flow 2 2001:db8::12 2001:db8::1 icmpv6 null null 128 0 3 312
} >"$WORK/want"
want=$(sorted <"$WORK/want")
got=$(settles_to "$want" eval 'flows_json | sorted')
t_is "$got" "$want" "flows --json: exactly the 6 flows, each with its peer, ports or type, packets and bytes" ||
	diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
# the rest of what the listing says, of one listing
list=$(wgsf_gw flows "$GW_IF" --json)
bare=$(jq -c 'del(.first_seen, .last_seen)' <<<"$list")
t_is "$(jq -s -c 'map([.bytes, .packets])' <<<"$bare")" \
	"$(jq -s -c 'map([.bytes, .packets]) | sort | reverse' <<<"$bare")" \
	"flows --json: biggest first, by bytes then packets"
sums="$(flows_sum 1 <<<"$bare") $(flows_sum 2 <<<"$bare")"
t_is "$(settles_to "$(fieldwise "$rx" + "$sums")" rx_both)" "$(fieldwise "$rx" + "$sums")" \
	"each client's flows add up to the packets and bytes its counters counted"
t_is "$(flows_json --peer "$K1")" "$(grep -F "\"$K1\"" <<<"$bare")" \
	"--peer: client 1's 3 flows, no other"
t_is "$(flows_json --top 2)" "$(head -2 <<<"$bare")" "--top 2: the 2 biggest"
t_is "$(flows_json --peer "$K2" --top 1)" "$(grep -F "\"$K2\"" <<<"$bare" | head -1)" \
	"--peer and --top 1: client 2's biggest"
t_is "$(jq -r 'keys_unsorted | join(" ")' <<<"$list" | sort -u)" \
	"interface peer source destination protocol source_port destination_port icmp_type icmp_code packets bytes first_seen last_seen" \
	"flows --json: the keys of a flow, in order"
stamp='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'
t_is "$(jq -r '.first_seen, .last_seen' <<<"$list" | grep -cvE "^$stamp$")" 0 \
	"flows --json: first_seen and last_seen in RFC 3339, UTC, to the microsecond"
t_is "$(jq -r 'select(.first_seen > .last_seen)' <<<"$list")" "" \
	"flows --json: no flow last seen before it was first seen"
table=$(wgsf_gw flows "$GW_IF")
t_is "$(head -1 <<<"$table")" "$GW_IF: 6 flows shown (a table of 64), 0 evicted" \
	"flows: the header line"
row=$(printf '%-44s  %-16s  %-41s  %-41s  %10s  %10s' "$K1" udp 192.0.2.11:7101 192.0.2.1:53 \
	3 "111 B")
got=$(grep -F "$K1  udp " <<<"$table")
t_is "${got:0:${#row}}" "$row" "flows: client 1's DNS flow, a row of the table"
t_ok "flows: its first and last seen, ages in seconds" grep -qE '^ +[0-9]+s +[0-9]+s$' \
	<<<"${got:${#row}}"
t_is "$(sed -n 2p <<<"$table" | xargs)" "PEER PROTOCOL SOURCE DESTINATION PACKETS BYTES FIRST LAST" \
	"flows: the columns"
t_is "$(awk -v k="$K2" '$1 == k && $2 == "icmpv6" { print $3, $4, $5 }' <<<"$table")" \
	"128/0 2001:db8::12 2001:db8::1" \
	"flows: client 2's echoes, icmpv6 128/0 without ports"
t_is "$(grep -cF "$K2  tcp  " <<<"$table" | tr -d ' '):$(grep -F "$K2  tcp  " <<<"$table" |
	awk '{ print $3, $4 }')" "1:[2001:db8::12]:40000 [2001:db8::1]:7000" \
	"flows: client 2's TCP flow, IPv6 endpoints in brackets"
t_is "$(wgsf_gw show "$GW_IF" | grep 'flow records:' | sed 's/^ *//')" \
	"flow records: on, 64 flows at most, 0 evicted ('wgsf flows $GW_IF')" "show: the flow records' line"
t_is "$(wgsf_gw show "$GW_IF" --json | jq -r '.interfaces[0] | "\(.flow_table) \(.flow_records_evicted)"')" \
	"64 0" \
	"show --json: flow_table 64, flow_records_evicted 0"

# What keeps the table, and bad input, which changes nothing.
# The flows as listed now, and whether they are still those: the same
# flows, counts and times (each listing converts the datapath's clock to
# the wall clock anew: a millisecond apart at most).
snapshot() { wgsf_gw flows "$GW_IF" --json >"$WORK/snapshot"; }
kept() {
	wgsf_gw flows "$GW_IF" --json | jq -s -e --slurpfile was "$WORK/snapshot" 'def secs:
		(.[0:19] + "Z" | fromdate) + (.[20:26] | tonumber / 1e6); def rest:
		del(.first_seen, .last_seen); length == ($was | length) and ([., $was] |
		transpose | all(.[0] as $a | .[1] as $b | ($a | rest) == ($b | rest) and
		(($a.first_seen | secs) - ($b.first_seen | secs) | fabs) < 0.001 and
		(($a.last_seen | secs) - ($b.last_seen | secs) | fabs) < 0.001))' >/dev/null
}
# The loader and the CLI alone, the same on either WireGuard: the kernel
# lane, whose guests' time is CI's longest chain, leaves them to the host.
if [ "$WG_IMPL" != kernel ]; then
	snapshot
	out=$(wgsf_gw attach "$GW_IF")
	t_is "$?:$(grep -c 'flow records' <<<"$out")" 0:0 "attach without --flows: no word of flow records"
	t_ok "it kept the table and its flows, times and all" kept
	t_is "$(wgsf_gw attach "$GW_IF" --json | jq -c .flow_table)" 64 "attach --json: flow_table 64"
	out=$(wgsf_gw sync "$GW_IF")
	t_is "$?:$(grep -c 'flow records' <<<"$out")" 0:0 "sync: no word of flow records"
	t_ok "sync kept the table and its flows" kept
	bad() { # WANT DESCRIPTION COMMAND...: exit 64 and the one line WANT
		local want=$1 what=$2 out
		shift 2
		out=$(wgsf_gw "$@" 2>&1)
		t_is "$?:$out" "64:$want" "$what: exit 64, one line"
	}
	bad "Invalid flow table size: '0' (16 to 1048576 flows, or off)" "attach --flows=0" \
		attach "$GW_IF" --flows=0
	bad "Invalid flow table size: '1048577' (16 to 1048576 flows, or off)" "attach --flows=1048577" \
		attach "$GW_IF" --flows=1048577
	bad "Invalid flow table size: 'abc' (16 to 1048576 flows, or off)" "attach --flows=abc" \
		attach "$GW_IF" --flows=abc
	bad "Option --flows needs a value after '='" "attach --flows=" attach "$GW_IF" --flows=
	bad "Invalid count: '0' (--top takes a number from 1)" "flows --top 0" flows "$GW_IF" --top 0
	bad "Invalid key: 'garbage' (a WireGuard public key, in base64)" "flows --peer garbage" \
		flows "$GW_IF" --peer garbage
	bad "Invalid flow idle time: '0' (1 to 86400 seconds)" "events --flow-idle 0" \
		events "$GW_IF" --flow-idle 0
	t_ok "after the bad input, the same table and flows" eval 'kept && [ "$(iface_field flow_table)" = 64 ]'
	out=$(wgsf_gw flows ve1 2>&1)
	t_is "$?:$out" "3:Unable to list the flows of ve1: ve1 is not attached (see 'wgsf show')" \
		"flows of an interface that is not attached: exit 3, one line"
fi

# A table of SIZE under 4 x SIZE new flows, a reader meanwhile.
EV=$WORK/events
start_reader "$EV" --json
t_ok "a reader runs: client 2's violation from port 7300 is an event" reader_ready "$EV" 7300 9999
out=$(wgsf_gw attach "$GW_IF" --flows=$SIZE)
t_is "$?:$(grep -c "flow records 64 flows -> $SIZE flows (--flows): the new table starts empty" <<<"$out")" \
	0:1 "attach --flows=$SIZE: another size, the attach says the new table starts empty"
t_is "$(wgsf_gw flows "$GW_IF")" "$GW_IF: 0 flows shown (a table of $SIZE), 0 evicted" \
	"flows: the new table is empty"
# Both clients' "received service-violations drops".
counts() { echo "$(client_fields 1 rx_packets violations_by_reason.service drop_packets)" \
	"$(client_fields 2 rx_packets violations_by_reason.service drop_packets)"; }
before=$(counts)
from=$(wc -l <"$EV")
# 64 datagrams, each a flow of its own, in order: client 2's are service
# violations (dropped), client 1's pass
: >"$WORK/want"
# Each batch is counted before the next goes: the clients' WireGuard
# encrypts and sends on its own time, and one client's packets could
# overtake the other's.
send_flows() { # C SOURCE SPORT FIRST-PORT COUNT
	local p c=$1 rx
	rx=$(($(client_fields "$c" rx_packets) + $5))
	in_ns "${CLIENT_NS[$c]}" "$PROBE" send udp "$2" "$3" 192.0.2.1 "$4" "$5" &&
		within 50 eval '[ "$(client_fields "$c" rx_packets)" = "$rx" ]' || return 1
	for p in $(seq "$4" $(($4 + $5 - 1))); do
		flow "$1" "$2" 192.0.2.1 udp "$3" "$p" null null 1 37 >>"$WORK/want"
	done
}
t_ok "64 datagrams to ports 10000 to 10063: 16 of client 2's, 32 of client 1's, 8 and 8" \
	eval 'send_flows 2 192.0.2.12 7302 10000 16 && send_flows 1 192.0.2.11 7301 10016 32 &&
	send_flows 2 192.0.2.12 7302 10048 8 && send_flows 1 192.0.2.11 7301 10056 8'
evicted() { tail -n +$((from + 1)) "$EV" | jq -c 'select(.end) | del(.time, .first_seen, .last_seen)'; }
within 100 eval '[ "$(evicted | wc -l)" -ge $((3 * SIZE)) ]'
t_is "$(evicted)" "$(head -$((3 * SIZE)) "$WORK/want" | jq -c '{interface, end: "evicted"} + .')" \
	"events: exactly $((3 * SIZE)) flow ends, evicted, the oldest flows in the order they came"
t_is "$(flows_json | sorted)" "$(tail -$SIZE "$WORK/want" | sorted)" \
	"flows: the table holds exactly the newest $SIZE"
t_is "$(iface_field flow_records_evicted)" $((3 * SIZE)) "show --json: $((3 * SIZE)) evicted"
t_is "$(wgsf_gw show "$GW_IF" | grep 'flow records:' | sed 's/^ *//')" \
	"flow records: on, $SIZE flows at most, $((3 * SIZE)) evicted ('wgsf flows $GW_IF')" \
	"show: $SIZE flows at most, $((3 * SIZE)) evicted"
t_is "$(wgsf_gw metrics | grep "^wgsf_interface_flow_records_evicted_total{")" \
	"wgsf_interface_flow_records_evicted_total{interface=\"$GW_IF\"} $((3 * SIZE))" \
	"metrics: wgsf_interface_flow_records_evicted_total $((3 * SIZE))"
want=$(fieldwise "$before" + "40 0 0 24 24 24")
t_is "$(settles_to "$want" counts)" "$want" \
	"verdicts as ever: client 1's 40 datagrams passed, client 2's 24 service violations dropped"
t_is "$(tail -n +$((from + 1)) "$EV" | jq -s -r --arg k "$K2" 'map(select(.reason)) |
	"\(length) \(map(.destination_port) | unique | length) " +
	(map("\(.peer == $k) \(.reason) \(.action)") | unique | join(","))')" "24 24 true service dropped" \
	"events: each of client 2's 24 violations an event too, service, dropped, a port each"
stop_reader TERM "$EV"
t_is "$STOPPED" "0:" "the reader ends on SIGTERM: exit 0"
t_is "$(jq -r 'select(.end) | .end' "$EV" | uniq -c | xargs):$(jq -r 'select(.flow_records_lost) |
	.flow_records_lost' "$EV")" "$((3 * SIZE)) evicted:" \
	"over the reader's run, those $((3 * SIZE)) flow ends and no other, none lost for want of room"
t_is "$(jq -r 'select(.end) | keys_unsorted | join(" ")' "$EV" | sort -u)" \
	"time interface end peer source destination protocol source_port destination_port icmp_type icmp_code packets bytes first_seen last_seen" \
	"events --json: the keys of a flow end, in order"

# Idle flows ended by a reader with --flow-idle (the text form, which the
# fail2ban filter reads): the table's 16, then client 2's two short ones,
# while client 1's stream goes on; then the stream, once it stops.
EV=$WORK/idle
start_reader "$EV" --flow-idle "$IDLE"
# The flow ends of the reader's lines, without their times; of port PORT.
ends() { grep ' end=idle ' "$EV" | sed -E 's/^time=[^ ]* //; s/ first_seen=.*//'; }
ends_to() { ends | grep -c " destination_port=$1 "; } # PORT
text_end() { # FLOW: the line of a flow (flows_json) ending idle
	jq -r '"interface=\(.interface) end=idle peer=\(.peer) source=\(.source) " +
		"destination=\(.destination) protocol=\(.protocol) source_port=\(.source_port) " +
		"destination_port=\(.destination_port) packets=\(.packets) bytes=\(.bytes)"'
}
within 50 eval '[ "$(ends | wc -l)" -ge $SIZE ]'
t_is "$(ends | sorted)" "$(tail -$SIZE "$WORK/want" | text_end | sorted)" \
	"--flow-idle $IDLE: the table's $SIZE flows end idle, each with its packet of 37 bytes"
t_is "$(wgsf_gw flows "$GW_IF")" "$GW_IF: 0 flows shown (a table of $SIZE), $((3 * SIZE)) evicted" \
	"flows: they are gone from the table, none of them counted as evicted"
nsenter --net="/var/run/netns/${CLIENT_NS[1]}" "$SEND" 192.0.2.11 192.0.2.1 100000 20 \
	>"$WORK/stream" 2>&1 &
STREAMER=$!
t_ok "client 1's stream of 128-byte datagrams to the discard port runs: a flow" \
	within 30 eval 'flows_json | grep -q "\"destination_port\":9,"'
t_ok "client 2: 3 datagrams from port 7500 to port 53, 1 from 7501 to 9999 (a violation)" \
	eval 'datagrams 3 2 192.0.2.12 7500 192.0.2.1 53 && datagrams 1 2 192.0.2.12 7501 192.0.2.1 9999'
within 100 eval '[ "$(ends_to 9999)" = 1 ] && [ "$(ends_to 53)" = 1 ]'
t_is "$(ends | grep -v ' destination_port=1[0-9]* ' | sorted)" \
	"$({ flow 2 192.0.2.12 192.0.2.1 udp 7500 53 null null 3 111
		flow 2 192.0.2.12 192.0.2.1 udp 7501 9999 null null 1 37; } | text_end | sorted)" \
	"client 2's two flows end idle with their final counts, the stream not"
t_ok "the stream still runs: it went on for more than $IDLE s" kill -0 "$STREAMER"
kill -USR1 "$STREAMER"
wait "$STREAMER"
sent=$(sed -n 's/^sent //p' "$WORK/stream")
STREAMER=
t_diag "the stream: $sent datagrams"
within 100 eval '[ "$(ends_to 9)" -ge 1 ]'
t_is "$(ends | grep ' destination_port=9 ' | sed 's/ source_port=[0-9]* / /')" \
	"interface=$GW_IF end=idle peer=$K1 source=192.0.2.11 destination=192.0.2.1 protocol=udp destination_port=9 packets=$sent bytes=$((128 * sent))" \
	"once stopped, the stream ends idle, one line with all its $sent datagrams"
t_is "$(flows_json)" "" "flows: no flow left"
# what a flow end says of its last packet: it came IDLE seconds before
t_is "$(grep ' end=idle ' "$EV" | sed -E 's/^time=([^ ]*) .* last_seen=([^ ]*)$/\1 \2/' |
	jq -R -r --argjson idle "$IDLE" 'def secs: (.[0:19] + "Z" | fromdate) + (.[20:26] | tonumber / 1e6);
	split(" ") | select((.[0] | secs) - (.[1] | secs) < $idle)')" "" \
	"each flow ended at least $IDLE s after its last packet"
within 20 grep -q ' reason=service ' "$EV"
stop_reader TERM "$EV"
t_is "$STOPPED" "0:" "the reader ends on SIGTERM: exit 0"
# The fail2ban filter over the same stream (fail2ban is not in the kernel
# lane's guests)
if [ "$WG_IMPL" != kernel ]; then
	t_is "$(fail2ban-regex -r "$EV" "$ROOT/contrib/fail2ban/filter.d/wgsf.conf" |
		sed -n 's/^Lines: \([0-9]*\) lines, \([0-9]*\) ignored, \([0-9]*\) matched.*/\1 \2 \3/p')" \
		"$(wc -l <"$EV") 0 1" "fail2ban-regex: of the stream's flow ends and its one event, the filter matches the event alone"
fi

# Off, and the default size.
out=$(wgsf_gw attach "$GW_IF" --flows=off)
t_is "$?:$(grep -c "flow records $SIZE flows -> off (--flows=off)$" <<<"$out")" 0:1 \
	"attach --flows=off: the attach says so"
out=$(wgsf_gw flows "$GW_IF" 2>&1)
t_is "$?:$out" "1:Unable to list the flows of $GW_IF: flow records are off (wgsf attach $GW_IF --flows)" \
	"flows: exit 1, the flow records are off"
t_is "$(iface_field flow_table):$(wgsf_gw show "$GW_IF" | grep -c 'flow records')" "null:0" \
	"show: flow_table null, no line of flow records"
before=$(counts)
datagrams 1 2 192.0.2.12 7502 192.0.2.1 9999
want=$(fieldwise "$before" + "0 0 0 1 1 1")
t_is "$(settles_to "$want" counts)" "$want" "client 2's violation counted and dropped as with flow records"
# the same on either WireGuard: the kernel lane saves a load of the datapath
if [ "$WG_IMPL" != kernel ]; then
	out=$(wgsf_gw attach "$GW_IF" --flows)
	t_is "$?:$(grep -c "flow records off -> 16384 flows (--flows)$" <<<"$out")" 0:1 \
		"attach --flows: the default, 16384"
	# A peer that leaves takes its flows along: the peer given its slot
	# next must not inherit them (the loader's work: the host alone).
	t_ok "a datagram of each client" eval 'datagrams 1 1 192.0.2.11 7600 192.0.2.1 53 &&
		datagrams 1 2 192.0.2.12 7601 192.0.2.1 53'
	within 50 eval '[ "$(flows_json | wc -l)" = 2 ]'
	NEW=$(wg genkey | wg pubkey)
	gw_run wg set "$GW_IF" peer "$K2" remove
	wgsf_gw sync "$GW_IF" >/dev/null
	gw_run wg set "$GW_IF" peer "$NEW" allowed-ips 198.51.100.7/32
	wgsf_gw sync "$GW_IF" >/dev/null
	t_is "$(flows_json | jq -r .peer)" "$K1" \
		"client 2 removed, a new peer in its slot: client 2's flow gone, none under the new key"
fi

t_done
