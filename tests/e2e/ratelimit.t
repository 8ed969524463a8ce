#!/usr/bin/env bash
# Rate limits (RateLimit, wgsf.policy(5)) on real WireGuard, held to what
# really crosses it. LIMITED peers at once (20 on wireguard-go; 2 in the
# kernel lane, where kernel WireGuard under TCG takes about 2,000 packets a
# second), each with a limit of its own: odd ones in bits per second, of
# datagrams of 1,028 IP bytes, even ones in packets per second, of 128;
# two of them (on wireguard-go) members of a group whose one RateLimit
# line gives each a bucket of its own. Each sends UDP at twice its limit
# for 10 s, beside a peer without a limit that sends as much as the
# fastest: each limited peer delivers within 5 % of its limit, as a
# receiver on the gateway counts it and the kernel stamps its arrivals,
# and what it delivered plus what wgsf dropped as over its limit is what
# wgsf received from it, exactly; the peer without one delivers all of
# that, as fast as it sent it; show --json gives each limit as the
# rate_limit map holds it; a sync killed between a new limit's buckets and
# the limit leaves it metered once the next sync ran. What wgsf receives is held to what was sent
# only within 5 %: on a loaded machine WireGuard (wireguard-go's socket,
# or the kernel under TCG) may lose datagrams before they reach wg0, and
# wgsf never sees those; each client's loss is printed.
# On wireguard-go also (the CLI's and the loader's part, the same on
# either WireGuard, and a stream that TCG would slow): show, the dump,
# metrics and lookup give the limits, and the packets and bytes over them;
# a TCP stream under a limit reaches 80 to 105 % of it; in monitor mode
# what is over a limit is counted, all of it delivered, and watch logs it;
# a bad RateLimit is refused by attach (status 1, file:line) and warned
# about by sync, the limits in force kept.
. "$(dirname "$0")/lib.sh"
require_e2e
SEND=$BUILD_DIR/tests/tools/udpsend
COUNT=$BUILD_DIR/tests/tools/udpcount
TCPBULK=$BUILD_DIR/tests/tools/tcpbulk
[ -x "$SEND" ] && [ -x "$COUNT" ] && [ -x "$TCPBULK" ] || t_skip_all "not built (make tests)"

SECONDS_SENT=10
if [ "$WG_IMPL" = kernel ]; then LIMITED=2; else LIMITED=20; fi
FREE=$((LIMITED + 1)) # the peer without a limit
TCP=$((LIMITED + 2))  # the TCP stream's, on wireguard-go
GROUP_RATE=60         # pps, of the group "metered"
TCP_LIMIT=2000000     # bits per second
TCP_BYTES=$((2 * 1024 * 1024))
PORT=5201

# Each limited peer's kind, limit, IP length and send rate (packets a
# second, twice the limit): peer 1 has both kinds, the packets' far above
# its bits' (both apply: the bits bind); peer 2 an explicit burst.
declare -a KIND LIMIT IP_LEN RATE LINE UNIT
for i in $(seq "$LIMITED"); do
	if [ $((i % 2)) = 1 ]; then
		k=$((128 + 16 * (i + 1) / 2))
		KIND[$i]=bits UNIT[$i]=bit/s LIMIT[$i]=$((k * 1000)) IP_LEN[$i]=1028
		LINE[$i]="RateLimit = ${k}kbit"
		RATE[$i]=$(((2 * k * 1000 + 8 * 1028 - 1) / (8 * 1028)))
	elif [ "$i" -gt 2 ] && [ "$i" -ge $((LIMITED - 2)) ]; then
		KIND[$i]=pps UNIT[$i]=packets/s LIMIT[$i]=$GROUP_RATE IP_LEN[$i]=128
		LINE[$i]="Group = metered"
		RATE[$i]=$((2 * GROUP_RATE))
	else
		KIND[$i]=pps UNIT[$i]=packets/s LIMIT[$i]=$((20 + 5 * i / 2)) IP_LEN[$i]=128
		LINE[$i]="RateLimit = ${LIMIT[$i]}pps" RATE[$i]=$((2 * LIMIT[i]))
	fi
done
LINE[1]+=" 1000pps"
LINE[2]+=" burst 5"
RATE[$FREE]=$((2 * GROUP_RATE)) IP_LEN[$FREE]=128

make_gateway || t_skip_all "cannot build the gateway"
for i in $(seq "$FREE") $([ "$WG_IMPL" = kernel ] || echo "$TCP"); do
	make_client "$i" "192.0.2.$((10 + i))/32" "192.0.2.$((10 + i))" ||
		t_skip_all "cannot build client $i"
done
# handshakes before anything is counted
for i in "${!CLIENT_NS[@]}"; do
	pings "$i" "${CLIENT_ADDR[$i]}" 1 || t_diag "warm-up ping of client $i failed"
done
WORK=$(mktemp -d)
RECEIVER=
trap 'kill $RECEIVER 2>/dev/null; cleanup; rm -rf "$WORK"' EXIT
POLICY=$WORK/policy
{
	printf '[Interface]\nMode = enforce\n\n[Group metered]\nRateLimit = %dpps\n' $GROUP_RATE
	for i in $(seq "$LIMITED"); do
		printf '\n[Peer]\nPublicKey = %s\n%s\n' "${CLIENT_PUB[$i]}" "${LINE[$i]}"
	done
	[ "$WG_IMPL" = kernel ] ||
		printf '\n[Peer]\nPublicKey = %s\nRateLimit = %dbit\n' "${CLIENT_PUB[$TCP]}" $TCP_LIMIT
} >"$POLICY"
chmod 600 "$POLICY"
t_ok "attach in enforce mode, $LIMITED peers limited" attach_gw --policy "$POLICY"

# The receiver of every client's datagrams, on the gateway's discard port.
start_receiver() {
	nsenter --net="/var/run/netns/$GW_NS" "$COUNT" 192.0.2.1 9 >"$WORK/received" &
	RECEIVER=$!
	within 50 grep -q ready "$WORK/received"
}
# Ends it; its counts in $WORK/received.
stop_receiver() {
	kill -USR1 "$RECEIVER" && wait "$RECEIVER"
	RECEIVER=
}
# Client I's datagrams at its rate for SECONDS, in the background; their
# senders' PIDs in SENDERS.
SENDERS=()
send() { # I SECONDS
	in_ns "${CLIENT_NS[$1]}" "$SEND" "${CLIENT_ADDR[$1]}" 192.0.2.1 $((RATE[$1] * $2)) \
		"${RATE[$1]}" $((IP_LEN[$1] - 28)) >"$WORK/sent$1" 2>&1 &
	SENDERS+=($!)
}
# Waits for the senders (in this shell: a subshell has no children to wait
# for); what clients I... said, a line each.
senders_done() { # I...
	local i
	wait "${SENDERS[@]}"
	SENDERS=()
	SAID=
	for i; do SAID+="$i $(cat "$WORK/sent$i")"$'\n'; done
	SAID=${SAID%$'\n'}
}
# "DATAGRAMS SECONDS" that the receiver had from client I.
received() { # I
	awk -v a="${CLIENT_ADDR[$1]}" '$1 == a { print $3, $7 }' "$WORK/received"
}
# The fields of every peer of the gateway, one line each: KEY FIELD...
peers_json() { wgsf_gw show "$GW_IF" --json | jq -c '.interfaces[0].peers[]'; }
rx_total() { peers_json | jq -s 'map(.rx_packets) | add'; }
# Client I's JQ of show --json, from a copy read once.
of() { # I JQ
	jq -r --arg k "${CLIENT_PUB[$1]}" "select(.public_key == \$k) | $2" "$WORK/peers"
}

# Whether GOT is within PCT % of WANT, both numbers.
within_pct() { awk -v g="$1" -v w="$2" -v p="$3" 'BEGIN { exit !(g >= w * (1 - p / 100) &&
	g <= w * (1 + p / 100)) }'; }
# Whether GOT is at least 95 % of WANT, and no more.
most_of() { awk -v g="$1" -v w="$2" 'BEGIN { exit !(g >= 0.95 * w && g <= w) }'; }

t_ok "a receiver on the gateway" start_receiver
sent_total=0 want=
for i in $(seq "$FREE"); do
	send "$i" $SECONDS_SENT
	sent_total=$((sent_total + RATE[i] * SECONDS_SENT))
	want+="$i sent $((RATE[i] * SECONDS_SENT))"$'\n'
done
senders_done $(seq "$FREE")
t_is "$SAID" "${want%$'\n'}" "$FREE clients sent UDP at once for $SECONDS_SENT s"
rx=$(settles_to "$sent_total" rx_total)
t_diag "wgsf received $rx of the $sent_total datagrams sent"
t_ok "wgsf received nearly every datagram sent (at least 95 %)" most_of "$rx" "$sent_total"
t_ok "the receiver counted what came through" stop_receiver
t_is "$(awk '$1 == "overflowed" { print $2 }' "$WORK/received")" 0 \
	"its socket lost none (a full buffer would have made its count no reference)"
peers_json >"$WORK/peers"
t_diag "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

for i in $(seq "$LIMITED"); do
	sent=$((RATE[i] * SECONDS_SENT))
	read -r got secs <<<"$(received "$i")"
	dropped=$(of "$i" .violations_by_reason.rate) rx=$(of "$i" .rx_packets)
	# the rate between the first arrival and the last, in the limit's unit
	rate=$(awk -v n="${got:-0}" -v s="${secs:-1}" -v l="${IP_LEN[$i]}" -v k="${KIND[$i]}" \
		'BEGIN { printf "%.1f", (n - 1) / s * (k == "bits" ? 8 * l : 1) }')
	t_diag "client $i: ${LINE[$i]}: sent $sent, $((sent - rx)) lost before wg0, delivered $got in $secs s: $rate ${UNIT[$i]}, over the limit $dropped"
	t_ok "client $i (${KIND[$i]}): delivered within 5 % of its limit, ${LIMIT[$i]} ${UNIT[$i]}" \
		within_pct "$rate" "${LIMIT[$i]}" 5
	t_is "$((got + dropped)):$(of "$i" '"\(.violation_packets) \(.drop_packets) \(.rate_bytes)"')" \
		"$rx:$dropped $dropped $((dropped * IP_LEN[i]))" \
		"client $i: delivered + dropped as rate = received by wgsf, exactly; dropped, its IP bytes over the limit"
done
read -r got secs <<<"$(received "$FREE")"
t_is "$got:$(of "$FREE" '"\(.violation_packets) \(.policy.rate_limit)"')" \
	"$(of "$FREE" .rx_packets):0 null" "the client without a limit delivered all that wgsf received"
t_ok "as fast as it sent: within 5 % of ${RATE[$FREE]} packets/s" \
	within_pct "$(awk -v n="$got" -v s="$secs" 'BEGIN { print (n - 1) / s }')" "${RATE[$FREE]}" 5

# What the printers say of the limits, as the maps hold them.
t_is "$(of 1 '.policy.rate_limit | tojson'):$(of 2 '.policy.rate_limit | tojson')" \
	'{"bits_per_second":144000,"burst_bytes":4500,"packets_per_second":1000,"burst_packets":250}:{"bits_per_second":null,"burst_bytes":null,"packets_per_second":25,"burst_packets":5}' \
	"show --json: each kind and its burst (default or given), null where not limited"

# The kernel lane ends here: the rest is the loader's and the CLI's part,
# the same on either WireGuard, and a TCP stream, which TCG would slow.
if [ "$WG_IMPL" = kernel ]; then
	t_ok "detach" detach_gw
	t_done
	exit
fi
line_of() { # I TEXT...: client I's line of show that starts with TEXT
	wgsf_gw show "$GW_IF" | awk -v k="${CLIENT_PUB[$1]}" -v t="  $2" '$1 == "peer:" { p = $2 == k }
		p && index($0, t) == 1'
}
t_is "$(line_of 1 "rate limit:")" \
	"  rate limit: 144 kbit/s, burst 4500 bytes; 1000 packets/s, burst 250 packets" \
	"show: client 1's limit, both kinds"
t_is "$(line_of 2 "rate limit:")" "  rate limit: 25 packets/s, burst 5 packets" "and client 2's"
d1=$(of 1 .violations_by_reason.rate) b1=$(of 1 .rate_bytes)
t_is "$(line_of 1 "over the rate limit:")" \
	"  over the rate limit: $d1 packets, $(awk -v b="$b1" 'BEGIN { printf "%.2f KiB", b / 1024 }')" \
	"show: the packets and bytes over it"
t_is "$(line_of 1 "violations:" | sed 's/.*(//')" "rate $d1)" "among violations, reason rate alone"
t_is "$(wgsf_gw show "$GW_IF" dump | awk -F'\t' -v k="${CLIENT_PUB[1]}" '$1 == k { print $22, $23 }')" \
	"$d1 $b1" "the dump: violations of reason rate, and rate_bytes, last"
t_is "$(wgsf_gw lookup "$GW_IF" 192.0.2.11 | grep -E '^(rate limit|metered):')" \
	"rate limit: 144 kbit/s, burst 4500 bytes; 1000 packets/s, burst 250 packets
metered: against its rate limit, which lookup does not judge: over it, the packet is a violation (rate)" \
	"lookup says the limit with the policy, and that a packet that passes is metered"
t_is "$(wgsf_gw lookup "$GW_IF" 192.0.2.12 --json | jq -c '[.metered, .policy.rate_limit]')" \
	'[true,{"bits_per_second":null,"burst_bytes":null,"packets_per_second":25,"burst_packets":5}]' \
	"and in JSON"
t_is "$(wgsf_gw lookup "$GW_IF" "${CLIENT_ADDR[$FREE]}" --json | jq -c '[.metered, .policy.rate_limit]')" \
	'[false,null]' "the peer without a limit: not metered"
wgsf_gw metrics >"$WORK/metrics"
sample() { # NAME I
	awk -v m="$1{interface=\"$GW_IF\",public_key=\"${CLIENT_PUB[$2]}\"" 'index($0, m) == 1 &&
		substr($0, length(m) + 1, 1) ~ /[,}]/ { print $NF }' "$WORK/metrics"
}
t_is "$(sample wgsf_peer_rate_limit_bits_per_second 1) $(sample wgsf_peer_rate_limit_packets_per_second 1) $(sample wgsf_peer_rate_limit_packets_per_second 2)" \
	"144000 1000 25" "metrics: the limits, per kind"
# the odd peers and the TCP stream's in bits, the even ones and peer 1 in packets
t_is "$(grep -c '^wgsf_peer_rate_limit_bits_per_second{' "$WORK/metrics") $(grep -c \
	'^wgsf_peer_rate_limit_packets_per_second{' "$WORK/metrics")" \
	"$(((LIMITED + 1) / 2 + 1)) $((LIMITED / 2 + 1))" \
	"a gauge only for the peers limited in its kind"
t_is "$(sample wgsf_peer_rate_limit_exceeded_bytes_total 1) $(grep -F "$(printf \
	'wgsf_peer_violation_packets_total{interface="%s",public_key="%s",reason="rate"}' "$GW_IF" \
	"${CLIENT_PUB[1]}")" "$WORK/metrics" | cut -d' ' -f2)" "$b1 $d1" \
	"metrics: the bytes and packets over it"

# TCP under a limit: drops make the sender back off, and the stream gets
# somewhat less than the limit. Its goodput (payload bytes a second) is
# held to it: the IP bytes are some 4 % more. Its burst is the default,
# 250 ms worth: with 100 ms worth, such a stream got about half the limit
# (README, Rate limits).
gw_run "$TCPBULK" receive 192.0.2.1 $PORT >"$WORK/tcp-received" &
tcp_receiver=$!
within 50 grep -q listening "$WORK/tcp-received"
in_ns "${CLIENT_NS[$TCP]}" timeout 120 "$TCPBULK" send 192.0.2.1 $PORT $TCP_BYTES \
	"${CLIENT_ADDR[$TCP]}" >"$WORK/tcp-sent"
wait "$tcp_receiver"
t_is "$(word_after bytes "$WORK/tcp-received")" $TCP_BYTES "TCP: $TCP_BYTES bytes received whole"
secs=$(word_after seconds "$WORK/tcp-sent")
rate=$(awk -v s="${secs:-1}" -v b=$TCP_BYTES 'BEGIN { printf "%.0f", b * 8 / s }')
t_diag "TCP: $(cat "$WORK/tcp-sent"); $rate bit/s of payload, $(client_fields "$TCP" \
	violations_by_reason.rate) packets over the limit"
t_ok "TCP: the stream reached 80 to 105 % of its limit, $TCP_LIMIT bit/s" \
	awk -v r="$rate" -v l=$TCP_LIMIT 'BEGIN { exit !(r >= 0.8 * l && r <= 1.05 * l) }'

# Monitor mode: what is over the limit is counted, and passes; watch logs it.
t_ok "attach again in monitor mode" attach_gw --mode monitor
nsenter --net="/var/run/netns/$GW_NS" "$WGSF" watch "$GW_IF" --interval 0.2 >"$WORK/log" 2>&1 &
PIDS+=($!)
t_ok "a watch runs" within 50 grep -qs watching "$WORK/log"
read -r was_rx was_rate was_drop <<<"$(client_fields 1 rx_packets violations_by_reason.rate \
	drop_packets)"
t_ok "a receiver on the gateway, again" start_receiver
send 1 3
sent=$((RATE[1] * 3))
senders_done 1
t_is "$SAID" "1 sent $sent" "client 1 sent at twice its limit for 3 s"
rx=$(($(settles_to $((was_rx + sent)) client_fields 1 rx_packets) - was_rx))
t_ok "wgsf received nearly all of it ($rx; at least 95 %)" most_of "$rx" "$sent"
stop_receiver
read -r now_rate now_drop <<<"$(client_fields 1 violations_by_reason.rate drop_packets)"
t_is "$(received 1 | cut -d' ' -f1):$now_drop" "$rx:$was_drop" \
	"monitor: all that wgsf received delivered, none dropped"
t_diag "monitor: $((now_rate - was_rate)) of $sent over the limit"
t_ok "about half of it counted over the limit (40 to 60 %)" \
	awk -v n=$((now_rate - was_rate)) -v s=$rx 'BEGIN { exit !(n >= 0.4 * s && n <= 0.6 * s) }'
logged() { grep -qE "$1" "$WORK/log"; }
t_ok "watch logs it as any violation, reason rate, action count" within 30 logged \
	"^$GW_IF: violation peer=${CLIENT_PUB[1]//+/\\+} packets=\+[0-9]+ total=[0-9]+ reason=rate source=192\.0\.2\.11 destination=192\.0\.2\.1 service=udp/9 action=count$"

# A sync killed between writing a new limit's buckets and the limit itself
# (build/tests/tools/wgsf-faults): the next sync finds the limit changed and
# writes both, and the limit is metered. Written the other way round, the
# next found the limit there, left the buckets empty, and nothing was.
FAULTS=$BUILD_DIR/tests/tools/wgsf-faults
cp "$POLICY" "$WORK/policy.before"
printf '\n[Peer]\nPublicKey = %s\nRateLimit = 10pps burst 5\n' "${CLIENT_PUB[$FREE]}" >>"$POLICY"
point=$(WGSF_FAULT_AT=list gw_run "$FAULTS" sync "$GW_IF" 2>&1 >/dev/null |
	sed -n 's/^fault point \([0-9]*\): write the rate limits as set$/\1/p')
t_ok "a sync that gives client $FREE a limit passes point $point" test -n "$point"
cp "$POLICY" "$WORK/policy.limited" && cp "$WORK/policy.before" "$POLICY"
wgsf_gw sync "$GW_IF" >/dev/null 2>&1
t_is "$?:$(client_fields "$FREE" policy.rate_limit)" 0:null "back to the policy without it"
cp "$WORK/policy.limited" "$POLICY"
WGSF_FAULT_AT=$point gw_run "$FAULTS" sync "$GW_IF" >/dev/null 2>&1
t_is "$?" 137 "the same sync, killed there"
wgsf_gw sync "$GW_IF" >/dev/null 2>&1
t_is "$?" 0 "the next sync"
read -r was_rx was_rate <<<"$(client_fields "$FREE" rx_packets violations_by_reason.rate)"
send "$FREE" 1
senders_done "$FREE"
t_is "$SAID" "$FREE sent ${RATE[$FREE]}" "client $FREE sent at 12 times its limit for 1 s"
rx=$(($(settles_to $((was_rx + RATE[FREE])) client_fields "$FREE" rx_packets) - was_rx))
over=$(($(client_fields "$FREE" violations_by_reason.rate) - was_rate))
t_ok "its limit metered: $over of the $rx received over it (at least half)" \
	test $((2 * over)) -ge "$rx" -a "$rx" -gt 0

# Bad input: attach refuses a file with a bad RateLimit, naming its line;
# sync warns and keeps the policy in force, as for any error in the file.
limits() { wgsf_gw show "$GW_IF" --json | jq -c '[.interfaces[0].peers[].policy.rate_limit] | sort'; }
before=$(limits)
n=$(grep -n "^${LINE[1]}\$" "$POLICY" | cut -d: -f1)
bad() { # LINE MESSAGE
	sed -i "${n}s/.*/RateLimit = $1/" "$POLICY"
	out=$(wgsf_gw attach "$GW_IF" --policy "$POLICY" 2>&1)
	t_is "$?:$out" "1:Unable to attach $GW_IF: $POLICY:$n: $2" "attach: RateLimit = $1 refused"
	t_is "$(limits)" "$before" "the limits in force kept"
}
bad 20mbps "'20mbps': tc reads \"bps\" as bytes per second; write 160mbit (or 20mbit, if megabits were meant)"
bad "144kbit burst 1000" "burst '1000' is smaller than one full-size packet, 1,500 bytes"
out=$(wgsf_gw sync "$GW_IF" 2>&1)
t_is "$?:$(head -1 <<<"$out")" \
	"0:wgsf: warning: $POLICY:$n: burst '1000' is smaller than one full-size packet, 1,500 bytes; the policy last read from it stays in force" \
	"sync: warns, naming the line"
t_is "$(limits)" "$before" "the limits in force kept"
t_ok "detach" detach_gw
t_done
