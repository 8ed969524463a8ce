#!/usr/bin/env bash
# Denied-packet events on real WireGuard (wgsf events): one client breaks
# its allowed sources, its Allow rules' services and destinations, another
# is blocked, each a known number of times by IPv4 and IPv6, ICMP, UDP and
# TCP, in monitor and then in enforce mode; a reader gets exactly one event
# of each with its key, addresses, ports or ICMP type and code, reason,
# action and length, as many per peer and reason as the counters count. A
# third client floods the gateway with UDP: its events keep to the budget
# (WGSF_EVENT_BURST, then WGSF_EVENT_RATE a second), the rest are in its
# suppression lines, to the packet, while the blocked client's datagrams of
# the same seconds are all events. Over the reader's whole run every
# violation counted is an event or in a suppressed or lost count. With
# nobody reading, after a reader stopped or after a killed one's lease ran
# out, violations leave no event for the next reader. Kernel WireGuard's own
# rejections are events too (reason rejected). The text form, the JSON
# form's keys, the fail2ban filter and action over it (contrib/fail2ban),
# and an interface that is not attached.
. "$(dirname "$0")/lib.sh"
require_e2e
PROBE=$BUILD_DIR/tests/tools/flowprobe
SEND=$BUILD_DIR/tests/tools/udpsend
[ -x "$PROBE" ] && [ -x "$SEND" ] || t_skip_all "not built (make tests)"
# The flood, datagrams and their rate a second: at least 2.5 s, which the
# other client's 50 datagrams at 100 a second fit in. wireguard-go here
# takes about 30,000 a second; kernel WireGuard under TCG (the kernel lane)
# about 2,000, so there 5,000, still seconds of suppression.
FLOOD=100000 FLOOD_RATE=40000
[ "$WG_IMPL" = kernel ] && FLOOD=5000 FLOOD_RATE=2000
OTHER=50

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 198.51.100.0/24,2001:db8:1::/64 \
	"198.51.100.10 198.51.100.20 2001:db8:1::10 2001:db8:1::20" &&
	make_client 2 192.0.2.12/32,2001:db8::12/128 \
		"192.0.2.12 2001:db8::12 192.0.2.99 2001:db8::99" &&
	make_client 3 192.0.2.13/32 192.0.2.13 || t_skip_all "cannot build the clients"
# client 1 reaches 192.0.2.2 and 2001:db8::2 too, which no rule of its holds
in_ns "${CLIENT_NS[1]}" wg set "${CLIENT_IF[1]}" peer "$GW_PUB" \
	allowed-ips 192.0.2.0/30,2001:db8::/126
ip -n "${CLIENT_NS[1]}" route add 192.0.2.2/32 dev "${CLIENT_IF[1]}"
ip -n "${CLIENT_NS[1]}" route add 2001:db8::2/128 dev "${CLIENT_IF[1]}"
for c in 1 2 3; do pings "$c" "${CLIENT_ADDR[$c]}" 1 || t_diag "warm-up ping of client $c failed"; done

WORK=$(mktemp -d)
# what runs now and the trap ends: a reader (wgsf itself, which nsenter
# execs), the flood's sender
READER="" FLOODER=""
trap 'kill $READER $FLOODER 2>/dev/null; cleanup; rm -rf "$WORK"' EXIT
cat >"$WORK/policy" <<EOT
[Peer]
PublicKey = ${CLIENT_PUB[1]}
AllowedSources = 198.51.100.10/32, 2001:db8:1::10/128
Allow = 192.0.2.1/32, 2001:db8::1/128 tcp/22 icmp
[Peer]
PublicKey = ${CLIENT_PUB[2]}
Block = true
[Peer]
PublicKey = ${CLIENT_PUB[3]}
Block = true
EOT

REASONS="source destination blocked service"
# The violation counters of clients 1, 2 and 3 by reason (12 numbers) from
# show, or from the events of JSON lines on standard input (their packets).
violations() {
	wgsf_gw show "$GW_IF" --json | jq -r '.interfaces[0].peers |
		map({key: .public_key, value: .violations_by_reason}) | from_entries' |
		tally '$by[$k][$r]'
}
violations_of_events() {
	jq -s '[.[] | select(.reason)] | group_by(.peer) | map({key: .[0].peer,
		value: (group_by(.reason) | map({key: .[0].reason, value: map(.packets) | add}) |
		from_entries)}) | from_entries' | tally '$by[$k][$r] // 0'
}
tally() { # EXPRESSION: of $by, one object by key then reason, on standard input
	jq -r --arg k1 "${CLIENT_PUB[1]}" --arg k2 "${CLIENT_PUB[2]}" --arg k3 "${CLIENT_PUB[3]}" \
		--arg reasons "$REASONS" ". as \$by | [\$k1, \$k2, \$k3][] as \$k |
		(\$reasons | split(\" \"))[] as \$r | $1" | xargs
}
sum() { local a; read -ra a <<<"$1"; echo $(( $(IFS=+; echo "${a[*]}") )); } # NUMBERS

# What a phase made: each event it should yield, as `wgsf events --json`
# writes it without its time (and jq -c prints it), into $WORK/want;
# ACTION, the mode's.
want() { # C REASON SOURCE DESTINATION PROTOCOL SPORT DPORT TYPE CODE LENGTH
	printf '{"interface":"%s","peer":"%s","reason":"%s","action":"%s","source":"%s",' \
		"$GW_IF" "${CLIENT_PUB[$1]}" "$2" "$ACTION" "$3" >>"$WORK/want"
	printf '"destination":"%s","protocol":"%s","source_port":%s,"destination_port":%s,' \
		"$4" "$5" "$6" "$7" >>"$WORK/want"
	printf '"icmp_type":%s,"icmp_code":%s,"length":%s,"packets":1}\n' "$8" "$9" "${10}" \
		>>"$WORK/want"
}
v6() { [[ $1 == *:* ]]; }
# N datagrams of 9 bytes (IPv4 37, IPv6 57) from client C.
udp() { # N C REASON SOURCE SPORT DESTINATION DPORT
	local _ len=37
	v6 "$4" && len=57
	for _ in $(seq "$1"); do
		in_ns "${CLIENT_NS[$2]}" "$PROBE" send udp "$4" "$5" "$6" "$7" &&
			want "$2" "$3" "$4" "$6" udp "$5" "$7" null null "$len"
	done
}
# N TCP segments of the ACK flag alone (IPv4 40, IPv6 60) from client C.
ack() { # N C REASON SOURCE SPORT DESTINATION DPORT
	local _ len=40
	v6 "$4" && len=60
	for _ in $(seq "$1"); do
		in_ns "${CLIENT_NS[$2]}" "$PROBE" ack "$4" "$5" "$6" "$7" &&
			want "$2" "$3" "$4" "$6" tcp "$5" "$7" null null "$len"
	done
}
# N echo requests from client C, each answered (monitor mode).
echoes() { # N C REASON SOURCE DESTINATION
	local _
	client_ping "$2" "$4" "$5" "$1" || {
		t_diag "client $2's pings from $4 to $5 not all answered"
		return 1
	}
	for _ in $(seq "$1"); do
		if v6 "$4"; then
			want "$2" "$3" "$4" "$5" icmpv6 null null 128 0 104
		else
			want "$2" "$3" "$4" "$5" icmp null null 8 0 84
		fi
	done
}

# The events of FILE after line FROM, without their times, sorted.
events_after() { # FILE FROM
	tail -n +$(($2 + 1)) "$1" | jq -c 'select(.reason) | del(.time)' | LC_ALL=C sort
}
# Checks what the phase since BEFORE (the counters) and FROM (the lines of
# $EV) made: exactly the events wanted, and by peer and reason as many as
# the counters counted.
phase_check() { # WHAT BEFORE FROM
	local want now got
	want=$(LC_ALL=C sort "$WORK/want")
	now=$(settles_to "$(fieldwise "$2" + "$(violations_of_events <"$WORK/want")")" violations)
	within 20 eval '[ "$(events_after "$EV" "$3" | wc -l)" -ge "$(echo "$want" | wc -l)" ]'
	got=$(events_after "$EV" "$3")
	t_is "$got" "$want" "$1: $(echo "$want" | wc -l) violations, exactly one event each, all fields" ||
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
	t_is "$(tail -n +$(($3 + 1)) "$EV" | violations_of_events)" "$(fieldwise "$now" - "$2")" \
		"$1: by peer and reason, the events' packets are what the counters counted"
	: >"$WORK/want"
}

t_ok "attach in monitor mode" attach_gw --mode monitor --policy "$WORK/policy"
EV=$WORK/events
pre=$(violations)
start_reader "$EV" --json
t_ok "a reader runs: client 2's datagram from port 7300 is an event" reader_ready "$EV" 7300
# every violation from here on is an event or in a suppressed or lost count
before=$(settles_to "$(fieldwise "$pre" + "0 0 0 0 0 0 $SENT 0 0 0 0 0")" violations)
run_start=$before
run_from=$(wc -l <"$EV")
from=$run_from

ACTION=counted
echoes 2 1 source 198.51.100.20 192.0.2.1
udp 1 1 source 2001:db8:1::20 7101 2001:db8::1 53
udp 3 1 service 198.51.100.10 7102 192.0.2.1 54
ack 2 1 service 2001:db8:1::10 7103 2001:db8::1 23
udp 2 1 destination 198.51.100.10 7104 192.0.2.2 53
udp 1 1 destination 2001:db8:1::10 7104 2001:db8::2 53
echoes 3 2 blocked 192.0.2.12 192.0.2.1
echoes 1 2 blocked 2001:db8::12 2001:db8::1
phase_check "monitor" "$before" "$from"

t_ok "attach again in enforce mode, the reader still reading" attach_gw --mode enforce
from=$(wc -l <"$EV")
before=$(violations)
ACTION=dropped
ack 2 1 source 198.51.100.20 7105 192.0.2.1 22
udp 1 1 source 2001:db8:1::20 7105 2001:db8::1 22
udp 1 1 service 198.51.100.10 7106 192.0.2.1 54
udp 2 1 destination 2001:db8:1::10 7107 2001:db8::2 53
ack 1 1 destination 198.51.100.10 7107 192.0.2.2 22
udp 1 2 blocked 2001:db8::12 7108 2001:db8::1 53
ack 2 2 blocked 192.0.2.12 7108 192.0.2.1 22
phase_check "enforce" "$before" "$from"

# WireGuard's own rejections: client 2 sends from addresses outside its
# allowed IPs. Kernel WireGuard drops them, and the tracer writes an event
# of each into the interface's ring; wireguard-go drops them in its own
# code, where nothing sees them.
from=$(wc -l <"$EV")
in_ns "${CLIENT_NS[2]}" ping -n -q -c 3 -i 0.05 -W 0.1 -s 56 -I 192.0.2.99 192.0.2.1 >/dev/null
in_ns "${CLIENT_NS[2]}" ping -n -q -c 2 -i 0.05 -W 0.1 -s 56 -I 2001:db8::99 2001:db8::1 >/dev/null
rejections() {
	tail -n +$((from + 1)) "$EV" | jq -r 'select(.reason == "rejected") | [.peer, .action,
		.source, .destination, .protocol, .icmp_type, .icmp_code, .length] | join(" ")' |
		LC_ALL=C sort | uniq -c | sed 's/^ *//'
}
if [ "$WG_IMPL" = kernel ]; then
	within 30 eval '[ "$(rejections | wc -l)" = 2 ]'
	t_is "$(rejections)" "3 ${CLIENT_PUB[2]} dropped 192.0.2.99 192.0.2.1 icmp 8 0 84
2 ${CLIENT_PUB[2]} dropped 2001:db8::99 2001:db8::1 icmpv6 128 0 104" \
		"kernel WireGuard: each of the 5 packets it rejected an event, reason rejected"
	t_is "$(client_fields 2 rejected_packets)" 5 "as many as the tracer counted"
else
	sleep 0.5
	t_is "$(rejections)" "" "wireguard-go: its own drops leave no event (not visible)"
fi

# What COMMAND prints once two reads 0.2 s apart agree (3 s at most).
steady() { # COMMAND...
	local a b n=15
	a=$("$@")
	while [ $n -gt 0 ]; do
		sleep 0.2
		b=$("$@")
		[ "$b" = "$a" ] && break
		a=$b
		n=$((n - 1))
	done
	echo "$b"
}
holds() { jq -ne "$1" >/dev/null; } # JQ: whether it is true
# What JQ says of the lines of $EV after FROM, read as one array.
lines_after() { # FROM JQ
	tail -n +$(($1 + 1)) "$EV" | jq -s -r --arg k2 "${CLIENT_PUB[2]}" \
		--arg k3 "${CLIENT_PUB[3]}" "def secs: (.[0:19] + \"Z\" | fromdate) +
		(.[20:26] | tonumber / 1e6); $2"
}

# The flood: client 3's datagrams; once its first event is out, client 2's
# at 100 a second. Both are blocked (dropped).
from=$(wc -l <"$EV")
before=$(violations)
nsenter --net="/var/run/netns/${CLIENT_NS[3]}" "$SEND" 192.0.2.13 192.0.2.1 "$FLOOD" "$FLOOD_RATE" \
	>"$WORK/flood" 2>&1 &
FLOODER=$!
t0=$(now_ms)
within 50 grep -q -F "${CLIENT_PUB[3]}" "$EV" || t_diag "no event of client 3's in 5 s"
in_ns "${CLIENT_NS[2]}" "$SEND" 192.0.2.12 192.0.2.1 "$OTHER" 100 >"$WORK/other" 2>&1
wait "$FLOODER"
t_is "$?:$(cat "$WORK/flood")" "0:sent $FLOOD" "flood: client 3 sent $FLOOD datagrams in $(($(now_ms) - t0)) ms"
FLOODER=
after=$(steady violations)
moved=$(fieldwise "$after" - "$before")
# the gateway's WireGuard may not take every datagram of client 2's then
others=$(cut -d' ' -f7 <<<"$moved")
t_ok "flood: of client 2's $OTHER datagrams, $others counted as blocked, nothing else of it or client 1" \
	test "$(cut -d' ' -f1-6,8 <<<"$moved")" = "0 0 0 0 0 0 0" -a "$others" -gt $((OTHER / 2))
flooded=$(cut -d' ' -f11 <<<"$moved")
t_diag "client 3's blocked violations: $flooded"
stop_reader TERM "$EV"
t_is "$STOPPED" "0:" "the reader ends on SIGTERM: exit 0, nothing on standard error"

read -r events first last < <(lines_after "$from" '[.[] | select(.peer == $k3 and .reason)] |
	"\(map(.packets) | add) \(.[0].time | secs) \(.[-1].time | secs)"')
span=$(jq -n "($last - $first) | ceil")
t_ok "flood: client 3's $events events keep to its budget: 100 at once, 100 a second after (${span} s of them)" \
	test "$events" -ge 100 -a "$events" -le $((100 + 100 * span))
suppressed=$(lines_after "$from" '[.[] | select(.peer == $k3) | .suppressed // 0] | add')
t_is "$((events + suppressed))" "$flooded" \
	"flood: its events and its suppression lines ($suppressed) add up to its violations"
t_is "$(lines_after 0 '[.[] | .lost // 0] | add')" 0 "no event lost for want of room"
t_is "$(lines_after 0 '[.[] | select(.suppressed and .peer != $k3)] | length')" 0 \
	"no suppression line names another client"
read -r other ofirst olast < <(lines_after "$from" '[.[] | select(.peer == $k2 and
	.destination_port == 9)] | "\(length) \(.[0].time | secs) \(.[-1].time | secs)"')
t_is "$other" "$others" "flood: client 2's datagrams meanwhile, each an event"
t_ok "flood: all of them in the seconds of client 3's events" \
	holds "$ofirst >= $first and $olast <= $last"

# Over the reader's run, every violation counted is an event (the datagrams
# that found it reading aside) or in a suppressed or lost count.
t_is "$(lines_after "$run_from" '[.[] | select((.peer != $k2 or .source_port != 7300) and
	.reason != "rejected") | .packets // .suppressed // .lost] | add')" \
	"$(($(sum "$after") - $(sum "$run_start")))" \
	"while the reader ran, each violation was an event, or suppressed or lost"

t_is "$(jq -c . "$EV" 2>&1 | wc -l)" "$(wc -l <"$EV")" "--json: each line is JSON"
t_is "$(jq -r 'keys_unsorted | join(" ")' "$EV" | LC_ALL=C sort -u)" \
	"time interface peer reason action source destination protocol source_port destination_port icmp_type icmp_code length packets
time interface peer suppressed" "--json: the keys of an event and of a suppression line, in order"
t_is "$(jq -r .time "$EV" | grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$')" \
	0 "--json: each time in RFC 3339, UTC, to the microsecond"

# Nobody reading: violations then leave no event for the next reader.
no_reader() { # SPORT
	local v
	v=$(client_fields 2 violation_packets)
	in_ns "${CLIENT_NS[2]}" "$PROBE" send udp 192.0.2.12 "$1" 192.0.2.1 53
	in_ns "${CLIENT_NS[2]}" "$PROBE" send udp 192.0.2.12 "$1" 192.0.2.1 53
	t_is "$(settles_to $((v + 2)) client_fields 2 violation_packets)" $((v + 2)) \
		"nobody reading: client 2's 2 datagrams from port $1 counted as violations"
}
no_reader 7301
EV=$WORK/events2
start_reader "$EV" --json
t_ok "a new reader runs" reader_ready "$EV" 7302
t_is "$(grep -v -F '"source_port":7302,' "$EV")" "" \
	"it has no event of the 2 made after the last reader stopped: that gave up its lease"
stop_reader KILL "$EV"
t_is "$STOPPED" "137:" "the reader killed"
sleep 3.3 # past the lease that it last renewed
no_reader 7303
EV=$WORK/events3
start_reader "$EV"
t_ok "a reader of the text form runs" reader_ready "$EV" 7304
t_is "$(grep -v -F ' source_port=7304 ' "$EV")" "" \
	"it has no event of the 2 made after the killed reader's lease ran out"
# the jail's filter (contrib/fail2ban) over this real stream, after
# client 1's two violations: each event a failure, of the sender's key
ack 2 1 service 198.51.100.10 7305 192.0.2.1 23 && : >"$WORK/want"
within 30 eval '[ "$(grep -c reason= "$EV")" -ge 3 ]'
line=$(head -1 "$EV")
t_is "${line#time=* }" "interface=$GW_IF peer=${CLIENT_PUB[2]} reason=blocked action=dropped source=192.0.2.12 destination=192.0.2.1 protocol=udp source_port=7304 destination_port=53 length=37 packets=1" \
	"text: a line's fields after its time, key=value"
stamp=${line%% *}
stamp=${stamp#time=}
t_ok "text: its time ($stamp) in RFC 3339, UTC, within 10 s of the clock" \
	holds "\"$stamp\" as \$t | \$t | test(\"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{6}Z\$\") and
		((\$t[0:19] + \"Z\" | fromdate) - $(now_ms) / 1000 | fabs) < 10"
stop_reader TERM "$EV"
t_is "$STOPPED" "0:" "the text reader ends on SIGTERM: exit 0"
# fail2ban is not in the kernel lane's guests: its filter is checked here
if [ "$WG_IMPL" != kernel ]; then
	t_is "$(fail2ban-regex -r "$EV" "$ROOT/contrib/fail2ban/filter.d/wgsf.conf" |
		sed -n 's/^Lines: \([0-9]*\) lines, \([0-9]*\) ignored, \([0-9]*\) matched.*/\1 \2 \3/p')" \
		"3 0 3" "fail2ban-regex: the filter matches each of the 3 events"
	t_is "$(fail2ban-regex -r --print-all-matched "$EV" "$ROOT/contrib/fail2ban/filter.d/wgsf.conf" |
		grep -c -F -e "peer=${CLIENT_PUB[1]} " -e "peer=${CLIENT_PUB[2]} ")" 3 \
		"fail2ban-regex: with the key of each sender"
	# the jail's action: Block = true for client 1 in the policy, a sync
	t_ok "the jail's action blocks client 1 through the policy" gw_run sh -c \
		"sh '$ROOT/contrib/fail2ban/wgsf-block' '$WORK/policy' '${CLIENT_PUB[1]}' true &&
		'$WGSF' sync '$GW_IF' >/dev/null"
	t_is "$(wgsf_gw lookup "$GW_IF" 198.51.100.10 192.0.2.1 --json | jq -r .reason)" blocked \
		"client 1 is blocked"
	t_ok "unbanning unblocks it" gw_run sh -c \
		"sh '$ROOT/contrib/fail2ban/wgsf-block' '$WORK/policy' '${CLIENT_PUB[1]}' false &&
		'$WGSF' sync '$GW_IF' >/dev/null"
	t_is "$(wgsf_gw lookup "$GW_IF" 198.51.100.10 192.0.2.1 tcp/22 --json | jq -r .verdict)" pass \
		"client 1 passes again"
fi

out=$(wgsf_gw events nosuchif 2>&1)
t_is "$?:$out" "3:Unable to read the events of nosuchif: nosuchif is not attached (see 'wgsf show')" \
	"an interface that does not exist: exit 3, one line"
out=$(wgsf_gw events ve1 2>&1)
t_is "$?:$out" "3:Unable to read the events of ve1: ve1 is not attached (see 'wgsf show')" \
	"an interface that is not attached: exit 3, one line"
out=$(wgsf_gw events "$GW_IF" more 2>&1)
t_is "$?:$out" "64:Unexpected argument: 'more' (usage: wgsf events [IFACE] [--flow-idle SECONDS] [--json])" \
	"a second interface: exit 64, the usage"
t_done
