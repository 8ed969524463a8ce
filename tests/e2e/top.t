#!/usr/bin/env bash
# wgsf top: two clients stream UDP at known rates (1000 and 250 packets a
# second, little for wireguard-go to fall behind on a busy machine; the
# second blocked by a policy in monitor mode, so each of its packets is a
# violation too) while top runs on a pseudo-terminal (tests/tools/ptyrun
# types v amid the streams, q after), piped, and piped with --json. Every
# round that lies wholly inside the streams shows each client's packets/s
# within 10 % of its rate, bits/s and violations/s too in JSON, where the
# rates times the seconds measured add up to the packets sent; the faster
# client sorts first (v sorts by violations at once) and the total is their
# sum. Detached and attached again, the counters that went back show as a
# reset, never a negative rate. q, Ctrl-C and SIGTERM end it within a
# second, even with an interval of an hour. Rates are read every 2 s.
. "$(dirname "$0")/lib.sh"
require_e2e
SEND=$BUILD_DIR/tests/tools/udpsend
PTY=$BUILD_DIR/tests/tools/ptyrun
[ -x "$SEND" ] && [ -x "$PTY" ] || t_skip_all "not built (make tests)"

RATE1=1000
RATE2=250
SECONDS_SENT=7
# rounds of 2 s: a stall of wireguard-go on a busy machine, which delivers
# a burst late, moves less of a round's packets into the next
INTERVAL=2
IP_LEN=128 # each datagram's IPv4 packet (tests/tools/udpsend.c)
SINK=192.0.2.99 # a blackhole on the gateway: nothing answers, nothing else crosses

gateway_two_clients
for c in 1 2; do
	ip -n "${CLIENT_NS[$c]}" route add "$SINK/32" dev "${CLIENT_IF[$c]}" &&
		in_ns "${CLIENT_NS[$c]}" wg set "${CLIENT_IF[$c]}" peer "$GW_PUB" \
			allowed-ips "192.0.2.1/32,2001:db8::1/128,$SINK/32" ||
		t_skip_all "cannot route to the sink"
done
ip -n "$GW_NS" route add blackhole "$SINK/32" || t_skip_all "cannot add the blackhole"
K1=${CLIENT_PUB[1]}
K2=${CLIENT_PUB[2]}
printf '[Interface]\nMode = monitor\n[Peer]\nPublicKey = %s\nBlock = true\n' "$K2" >"$WORK/policy"
chmod 600 "$WORK/policy"
t_ok "attach, client 2 blocked in monitor mode" attach_gw --policy "$WORK/policy"
# nsenter execs what it runs, so that $! of one started in the background is it
GW=(nsenter --net="/var/run/netns/$GW_NS")
TOP=("${GW[@]}" "$WGSF" top "$GW_IF")

t_is "$("${TOP[@]}" --sort nothing 2>&1; echo "status $?")" \
	"$(printf "Invalid column: 'nothing' (packets, bits, violations or rejections)\nstatus 64")" \
	"an unknown column is bad usage"
t_is "$("${TOP[@]}" --sort nothing --json; echo "status $?")" \
	"$(printf '{"error":"Invalid column: '"'"'nothing'"'"' (packets, bits, violations or rejections)"}\nstatus 64')" \
	"the same in JSON"
t_is "$(gw_run "$WGSF" top "wsgnone$ID" 2>&1; echo "status $?")" \
	"$(printf "Unable to read %s: %s is not attached (see 'wgsf show')\nstatus 3" "wsgnone$ID" "wsgnone$ID")" \
	"an interface not attached"

# The three views, the streams; v typed on the terminal in the midst of
# them, then q.
"${GW[@]}" "$PTY" 5 v $((SECONDS_SENT + 2)) q -- "$WGSF" top "$GW_IF" --interval $INTERVAL \
	>"$WORK/screen" 2>"$WORK/pty" &
pty=$!
"${TOP[@]}" --interval $INTERVAL >"$WORK/table" &
table=$!
"${TOP[@]}" --interval $INTERVAL --json >"$WORK/json" &
json=$!
PIDS+=("$pty" "$table" "$json")
sleep 0.5
for c in 1 2; do
	rate=RATE$c
	in_ns "${CLIENT_NS[$c]}" "$SEND" "192.0.2.1$c" "$SINK" $((${!rate} * SECONDS_SENT)) \
		"${!rate}" >"$WORK/send$c" &
	PIDS+=("$!")
done
wait "${PIDS[-1]}" "${PIDS[-2]}"
t_is "$(cat "$WORK/send1" "$WORK/send2")" \
	"$(printf 'sent %s\nsent %s' $((RATE1 * SECONDS_SENT)) $((RATE2 * SECONDS_SENT)))" \
	"both streams sent"
wait "$pty"
t_is "$?" 0 "q ends top on a terminal, status 0"
kill -TERM "$table" "$json"
wait "$table" "$json"

# The screen as plain lines: its escape sequences and carriage returns gone.
plain() { sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\r//g' "$1"; }
# The first figure of each line of peer KEY, round after round: not of the
# frame that v redrew, the same round again.
figures() { # KEY FILE
	plain "$2" | awk -v k="$1" '/^wgsf top, / { again = /sorted by violations/ && !seen++ }
		$NF == k && !again { print $1 }'
}
# Whether the figures of the rounds that lie wholly in the stream (those
# that saw it, less the first and last, which saw part) are within 10 % of
# RATE: at least 2 rounds.
steady() { # RATE
	awk -v r="$1" '$1 ~ /^[0-9.]+$/ && $1 > r / 20 { v[n++] = $1 }
		END { for (i = 1; i < n - 1; i++) if (v[i] < 0.9 * r || v[i] > 1.1 * r) exit 1
		      exit (n < 4) }'
}
t_diag "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for view in screen table; do
	for c in 1 2; do
		rate=RATE$c key=K$c
		got=$(figures "${!key}" "$WORK/$view")
		t_diag "$view, client $c: $(echo $got)"
		t_ok "$view: client $c's packets/s within 10 % of ${!rate}" steady "${!rate}" <<<"$got" ||
			plain "$WORK/$view" | tail -20 | sed 's/^/#   /'
	done
done
got=$(figures "(total)" "$WORK/table")
t_diag "table, total: $(echo $got)"
t_ok "table: the interface's total within 10 % of $((RATE1 + RATE2))" \
	steady $((RATE1 + RATE2)) <<<"$got"
t_ok "the first frame on the screen, before any rate, shows its peers without one" \
	grep -qxF -- "$(printf '%12s  %12s  %12s  %12s  %s' - - - - "$K1")" <(plain "$WORK/screen")
third=$(awk '/^wgsf top, / { n++ } n == 3' "$WORK/table")
t_is "$(awk '$NF ~ /=$/ { print $NF }' <<<"$third")" "$(printf '%s\n%s' "$K1" "$K2")" \
	"sorted by packets/s: the faster client first"
# the frame that v redrew at once: which client comes first, and whether
# each had packets then
redrawn=$(plain "$WORK/screen" | awk -v k1="$K1" '
	/^wgsf top, .*sorted by violations/ { n++ }
	n == 1 && $NF ~ /=$/ { print ($NF == k1 ? "client 1" : "client 2"), ($1 > 0) }')
t_is "$redrawn" "$(printf 'client 2 1\nclient 1 1')" \
	"v on the terminal: sorted by violations/s at once, client 2 first"
t_ok "each table: the interface and the time measured between reads" \
	grep -qE "^$GW_IF: 2 peers, over (1\.9|2\.0)[0-9][0-9] s\$" <<<"$third"
t_ok "and the headings" grep -qE \
	'^ +PACKETS/S +BITS/S +VIOLATIONS/S +REJECTIONS/S  PEER$' <<<"$third"

for c in 1 2; do
	rate=RATE$c key=K$c
	got=$(jq -r --arg k "${!key}" '.interfaces[0].peers[] | select(.public_key == $k) |
		.packets_per_second // "-"' "$WORK/json")
	t_diag "json, client $c: $(echo $got)"
	t_ok "json: client $c's packets/s within 10 % of ${!rate}" steady "${!rate}" <<<"$got"
	# what the rounds account for: each rate times the time it was measured over
	got=$(jq -n --arg k "${!key}" '[inputs | .interfaces[0] as $f | $f.peers[] |
		select(.public_key == $k and .state == "rate") | .packets_per_second * $f.seconds] |
		add | round' "$WORK/json")
	t_ok "json: client $c's rates times the seconds measured add up to the $((${!rate} * SECONDS_SENT)) packets sent, within 0.5 % ($got)" \
		[ $((got * 1000)) -ge $((${!rate} * SECONDS_SENT * 995)) ] && [ $((got * 1000)) -le $((${!rate} * SECONDS_SENT * 1005)) ]
	got=$(jq -r --arg k "${!key}" '.interfaces[0].peers[] | select(.public_key == $k) |
		.bits_per_second // "-"' "$WORK/json")
	t_ok "json: its bits/s within 10 % of $((${!rate} * IP_LEN * 8))" \
		steady $((${!rate} * IP_LEN * 8)) <<<"$got"
done
violations() { # KEY
	jq -r --arg k "$1" '.interfaces[0].peers[] | select(.public_key == $k) |
		.violations_per_second // "-"' "$WORK/json"
}
t_ok "json: client 2's violations/s within 10 % of $RATE2" steady $RATE2 <<<"$(violations "$K2")"
t_is "$(violations "$K1" | sort -u | tr "\n" " ")" "0 " "json: client 1 has none"
t_is "$(jq -c 'select(.interfaces[0].total.state == "rate") | .interfaces[0].total |
	.rejections_per_second | type' "$WORK/json" | sort -u)" \
	"\"$([ "$WG_IMPL" = kernel ] && echo number || echo null)\"" \
	"json: rejections per second null where they are not visible"

# Detached and attached again: an error while detached, then a reset.
"${TOP[@]}" --json --interval 0.2 >"$WORK/reset" &
reset=$!
PIDS+=("$reset")
lines() { [ "$(wc -l <"$WORK/reset")" -ge "$1" ]; }
t_ok "rounds under way" within 30 lines 2
detach_gw
t_ok "detached: the reason" within 20 grep -qF \
	",\"interface\":\"$GW_IF\",\"error\":\"Unable to read $GW_IF: $GW_IF is not attached (see 'wgsf show')\"}" "$WORK/reset"
attach_gw
# client 1's states, round after round, since the error
states() { jq -r --arg k "$K1" 'if .error then "error" else
	.interfaces[0].peers[] | select(.public_key == $k) | .state end' "$WORK/reset" |
	sed -n '/error/,$p' | uniq | tr '\n' ' '; }
reset_seen() { [[ $(states) = "error reset rate"* ]]; }
t_ok "attached again: its counters went back, a reset, then rates" within 20 reset_seen ||
	t_diag "$(states)"
kill -TERM "$reset"
wait "$reset"
t_is "$(cat "$WORK/json" "$WORK/reset" | jq '[.. | numbers | select(. < 0)] | length' | sort -u)" \
	0 "never a negative figure"

# Without IFACE: every interface attached in the namespace.
"${GW[@]}" "$WGSF" top --json --interval 0.2 >"$WORK/all" &
all=$!
PIDS+=("$all")
t_ok "top without an interface: rounds" within 30 grep -q . "$WORK/all"
kill -TERM "$all"
wait "$all"
t_is "$(head -1 "$WORK/all" | jq -c '[.interfaces[] | [.name, (.peers | length)]]')" \
	"[[\"$GW_IF\",2]]" "of every attached interface"

# Ended at once, whatever the interval.
ended() { sed -n 's/^ended after \([0-9.]*\) seconds$/\1/p' "$1"; }
gw_run "$PTY" -s 60x6 1 q -- "$WGSF" top "$GW_IF" --interval 3600 >"$WORK/small" 2>"$WORK/q"
t_is "$?" 0 "q with --interval 3600: status 0"
# its one frame, on a terminal of 60 columns and 6 rows: 4 lines cut to
# the width, the last row left for the cursor, lest the screen scroll
t_is "$(plain "$WORK/small" | awk 'length > 60 { print "too long: " $0 } END { print NR }')" 5 \
	"a small terminal: 5 lines, none wider than it"
t_is "$(plain "$WORK/small" | sed -n 5p)" "(3 more lines)" "the last says how many did not fit"
t_ok "within a second ($(ended "$WORK/q") s)" awk '$1 < 1 { ok = 1 } END { exit !ok }' \
	<(ended "$WORK/q")
gw_run "$PTY" 1 $'\003' -- "$WGSF" top "$GW_IF" --interval 3600 >/dev/null 2>"$WORK/int"
t_is "$?" 0 "Ctrl-C (SIGINT) with --interval 3600: status 0"
t_ok "within a second ($(ended "$WORK/int") s)" awk '$1 < 1 { ok = 1 } END { exit !ok }' \
	<(ended "$WORK/int")
"${TOP[@]}" --interval 3600 >/dev/null &
term=$!
PIDS+=("$term")
# SIGTERM (bit 15, 0x4000) blocked: top waits on its signalfd
waiting() { grep -q '^SigBlk:.*[4-7cdef][0-9a-f]\{3\}$' "/proc/$term/status"; }
t_ok "piped top waits" within 30 waiting
start=$(date +%s%N)
kill -TERM "$term"
wait "$term"
status=$?
took=$((($(date +%s%N) - start) / 1000000))
t_is "$status" 0 "SIGTERM with --interval 3600: status 0"
t_ok "within a second (${took} ms)" [ "$took" -lt 1000 ]

t_done
