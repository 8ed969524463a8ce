#!/usr/bin/env bash
# wgsf metrics on real wireguard-go, scraped by a real Prometheus: the
# per-peer counters it stores equal show --json's after known traffic, in
# monitor and enforce mode; promtool accepts the text; the textfile equals
# the HTTP answer and is replaced whole or not at all; junk, oversized,
# idle and slow clients do not hold up a scrape; an interface's name with a
# quote and a backslash is escaped; nothing attached, and an interface
# detached, read as only the build.
. "$(dirname "$0")/lib.sh"
require_e2e
for tool in prometheus promtool curl ss; do
	command -v "$tool" >/dev/null || t_skip_all "needs $tool (tools/deps.sh test installs it)"
done
FAULTS=$BUILD_DIR/tests/tools/wgsf-faults
[ -x "$FAULTS" ] || t_skip_all "not built (make tests)"

gateway_two_clients
K2=${CLIENT_PUB[2]}
URL=http://127.0.0.1:9587 # both servers listen in the gateway's own namespace
PROM=http://127.0.0.1:9090
BUILD="wgsf_build_info{version=\"$("$WGSF" --version | cut -d' ' -f2)\"} 1"

scrape() { gw_run curl -sS --max-time 1 "$@"; }
samples() { grep -v '^#'; }

out=$(wgsf_gw metrics)
t_is "$?:$(echo "$out" | samples)" "0:$BUILD" "nothing attached: only the build"
t_is "$(echo "$out" | promtool check metrics 2>&1)" "" "and promtool accepts it"

# nsenter execs what it runs, so that $! is the server's PID, for cleanup.
nsenter --net="/var/run/netns/$GW_NS" "$WGSF" metrics --listen 127.0.0.1 2>"$WORK/server.log" &
PIDS+=($!)
cat >"$WORK/prometheus.yml" <<EOT
global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
rule_files: ['$ROOT/contrib/prometheus/wgsf-alerts.yml']
scrape_configs:
  - job_name: wgsf
    static_configs: [ { targets: ['127.0.0.1:9587'] } ]
EOT
nsenter --net="/var/run/netns/$GW_NS" prometheus --config.file="$WORK/prometheus.yml" \
	--storage.tsdb.path="$WORK/tsdb" --web.listen-address=127.0.0.1:9090 --log.level=error \
	2>"$WORK/prometheus.log" &
PROMETHEUS=$!
PIDS+=($PROMETHEUS)
answers() { scrape -o /dev/null "$1" 2>/dev/null; }
t_ok "wgsf metrics --listen answers" within 30 answers "$URL/metrics"
t_is "$(head -n1 "$WORK/server.log")" "wgsf metrics: serving http://127.0.0.1:9587/metrics" \
	"on loopback, port 9587 when none is given"
err=$(nsenter --net="/var/run/netns/$GW_NS" "$WGSF" metrics --listen 127.0.0.1 2>&1 >/dev/null)
t_is "$?:$err" "1:Unable to listen on 127.0.0.1:9587: Address already in use" \
	"a second server on that port: exit 1, saying why"
t_ok "Prometheus is ready" within 100 answers "$PROM/-/ready"

printf '[Peer]\nPublicKey = %s\nBlock = true\n' "$K2" >"$WORK/policy"
# What Prometheus stored last for a metric; 0 once it equals WANT.
stored() { # QUERY
	gw_run curl -sS --max-time 1 -G "$PROM/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1]'
}
stored_is() { [ "$(stored "$1")" = "$2" ]; }
# Per peer and figure: show --json's value, and Prometheus's once it caught
# up; @ in QUERY stands for the peer's public_key matcher.
compare() { # MODE CLIENT JSON_FIELD QUERY WANT
	local want=$5 q=${4//@/public_key=\"${CLIENT_PUB[$2]}\"}
	t_is "$(peer_field "${CLIENT_PUB[$2]}" "$3")" "$want" "$1: client $2: show --json's $3"
	within 50 stored_is "$q" "$want"
	t_is "$(stored "$q")" "$want" "$1: client $2: Prometheus's $4"
}
ping_fails() { ! pings "$@"; }

t_ok "attach in monitor mode, client 2 blocked" attach_gw --policy "$WORK/policy"
t_ok "monitor: 3 pings from client 1" pings 1 192.0.2.11 3
t_ok "monitor: 2 pings from client 2 pass" pings 2 192.0.2.12 2
compare monitor 1 rx_packets 'wgsf_peer_receive_packets_total{@}' 3
compare monitor 1 rx_bytes 'wgsf_peer_receive_bytes_total{@}' 252
compare monitor 2 rx_packets 'wgsf_peer_receive_packets_total{@}' 2
compare monitor 2 violations_by_reason.blocked \
	'wgsf_peer_violation_packets_total{@,reason="blocked"}' 2
compare monitor 2 drop_packets 'wgsf_peer_drop_packets_total{@}' 0

t_ok "attach again in enforce mode" attach_gw --mode enforce
t_ok "enforce: 2 pings from client 1" pings 1 192.0.2.11 2
t_ok "enforce: client 2's 3 pings are dropped" ping_fails 2 192.0.2.12 3
compare enforce 1 rx_packets 'wgsf_peer_receive_packets_total{@}' 5
compare enforce 2 rx_packets 'wgsf_peer_receive_packets_total{@}' 5
compare enforce 2 violation_packets 'sum(wgsf_peer_violation_packets_total{@})' 5
compare enforce 2 drop_packets 'wgsf_peer_drop_packets_total{@}' 3
compare enforce 2 drop_bytes 'wgsf_peer_drop_bytes_total{@}' 252
t_is "$(stored "wgsf_interface_info{interface=\"$GW_IF\"}")" 1 "Prometheus has the interface"
t_is "$(stored "wgsf_interface_info{mode=\"enforce\",hook=\"tc\",mechanism=\"$(tc_mechanism)\"}")" \
	1 "in enforce mode on tc by $(tc_mechanism)"

scrape -D "$WORK/headers" -o "$WORK/http.prom" "$URL/metrics"
t_is "$(promtool check metrics <"$WORK/http.prom" 2>&1)" "" "promtool accepts a scrape"
t_is "$(grep -i '^content-type' "$WORK/headers" | tr -d '\r')" \
	"Content-Type: text/plain; version=0.0.4; charset=utf-8" "as the text format, version 0.0.4"
t_ok "--output FILE" wgsf_gw metrics --output "$WORK/wgsf.prom"
# Stamps are seconds since the epoch of monotonic ones, which may round
# either way a moment later; everything else is equal.
t_is "$(diff <(grep -v _seconds "$WORK/wgsf.prom") <(grep -v _seconds "$WORK/http.prom"))" "" \
	"the textfile equals the HTTP answer"
t_is "$(stat -c %a "$WORK/wgsf.prom")" 644 "readable by node_exporter"
t_is "$(sed -n 's/^# TYPE \([a-z_]*\) .*/\1/p' "$WORK/http.prom" | tr '\n' ' ')" \
	"wgsf_build_info wgsf_interface_info wgsf_interface_hook_in_force wgsf_interface_hook_state \
wgsf_interface_unknown_packets_total \
wgsf_interface_unknown_bytes_total wgsf_interface_malformed_packets_total \
wgsf_interface_flows_created_total wgsf_interface_flow_records_evicted_total \
wgsf_peer_receive_packets_total wgsf_peer_receive_bytes_total wgsf_peer_last_seen_seconds \
wgsf_peer_violation_packets_total wgsf_peer_violation_bytes_total \
wgsf_peer_rate_limit_exceeded_bytes_total wgsf_peer_last_violation_seconds \
wgsf_peer_drop_packets_total wgsf_peer_drop_bytes_total wgsf_peer_reply_packets_total \
wgsf_peer_quarantined " \
	"every family, less WireGuard's rejections, which wireguard-go does not show, the rate limits, which no peer here has, and the quarantines' ends, as no peer is in one"
V2="wgsf_peer_violation_packets_total{interface=\"$GW_IF\",public_key=\"$K2\""
t_is "$(grep -c "^$V2,reason=" "$WORK/http.prom")" 6 \
	"a violation sample per reason (source, destination, blocked, service, rate, quarantined)"
cp "$WORK/wgsf.prom" "$WORK/before"
WGSF_FAULT_AT=1 gw_run "$FAULTS" metrics --output "$WORK/wgsf.prom" >/dev/null 2>&1
t_is "$?" 137 "--output killed after writing, before its rename"
t_ok "leaves the file as it was" cmp -s "$WORK/before" "$WORK/wgsf.prom"
t_is "$(find "$WORK" -maxdepth 1 -name 'wgsf.prom.tmp.*' | wc -l)" 1 \
	"the unfinished one is a temporary file, which the textfile collector ignores (not .prom)"

# --output replaces a regular file only; anything else is refused, one
# line, and left as it was. The nodes are the test's own, made by mknod.
mknod "$WORK/null" c 1 3 && mkfifo "$WORK/fifo" && mkdir "$WORK/dir" &&
	ln -s null "$WORK/to-null" && ln -s gone "$WORK/dangling"
refuses() { # NAME WHY
	local out
	out=$(wgsf_gw metrics --output "$WORK/$1" 2>&1)
	t_is "$?:$out" "1:Unable to write '$WORK/$1': $2" "--output $1: refused, saying why"
}
nodes() { stat -c '%n %F %t:%T' "$WORK/null" "$WORK/fifo" "$WORK/dir" | sed "s|$WORK/||"; }
before=$(nodes)
refuses null "a device, not a regular file"
refuses fifo "a FIFO or pipe, not a regular file"
refuses dir "a directory, not a regular file"
refuses to-null "a symbolic link to a device, not a regular file"
refuses dangling "a symbolic link to a file that does not exist"
t_is "$(nodes)" "$before" "the device (its numbers too), the FIFO and the directory are as they were"
t_is "$(readlink "$WORK/to-null"):$(readlink "$WORK/dangling")" null:gone "the links too"
t_is "$(find "$WORK" -name '*.tmp.*' | wc -l)" 1 "no temporary file left beside them"
ln -s wgsf.prom "$WORK/to-prom" && : >"$WORK/wgsf.prom"
t_ok "--output through a symbolic link to a regular file" wgsf_gw metrics --output "$WORK/to-prom"
t_is "$(readlink "$WORK/to-prom"):$(grep -c '^wgsf_build_info' "$WORK/wgsf.prom")" wgsf.prom:1 \
	"replaces the (emptied) file it names, and the link stays"

# status and headers of one request
status() { scrape -o /dev/null -w '%{http_code}' "$@"; }
t_is "$(scrape -I "$URL/metrics" | head -n1 | tr -d '\r')" "HTTP/1.1 200 OK" "HEAD /metrics: 200"
t_ok "/ links to /metrics" grep -q 'href="/metrics"' <(scrape "$URL/")
t_is "$(status "$URL/other")" 404 "another path: 404"
t_is "$(status -X POST "$URL/metrics")" 405 "POST: 405"
t_is "$(scrape -o /dev/null -D - -X DELETE "$URL/metrics" | grep -i '^allow' | tr -d '\r')" \
	"Allow: GET, HEAD" "DELETE: 405, naming the methods allowed"
raw() { # BYTES: the status line the server answers to them
	gw_run timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9587 && printf "$1" >&3 &&
		head -n1 <&3' _ "$1" | tr -d '\r'
}
t_is "$(raw 'junk\r\n\r\n')" "" "junk: closed without an answer"
t_is "$(raw 'GET /metrics\r\n\r\n')" "HTTP/1.1 400 Bad Request" "no HTTP version: 400"
t_is "$(raw 'GET /metrics HTTP/9.9\r\n\r\n')" "HTTP/1.1 505 HTTP Version Not Supported" \
	"HTTP/9.9: 505"
t_is "$(raw 'GET /metrics HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n')" "HTTP/1.1 400 Bad Request" \
	"a header line without a colon: 400"
t_is "$(status -H "X-Big: $(head -c 65536 /dev/zero | tr '\0' a)" "$URL/metrics")" 431 \
	"a 64 KiB header: 431"

# 200 connections that send nothing, and one that sends a byte a second
nsenter --net="/var/run/netns/$GW_NS" bash -c 'for i in $(seq 200); do
	exec {fd}<>/dev/tcp/127.0.0.1/9587; done; sleep 20' &
PIDS+=($!)
nsenter --net="/var/run/netns/$GW_NS" bash -c 'trap "" PIPE; exec 3<>/dev/tcp/127.0.0.1/9587
	for i in $(seq 15); do printf G >&3 2>/dev/null || { echo "cut off after $i s"; exit; }
	sleep 1; done; echo "not cut off"' >"$WORK/slow" &
SLOW=$!
PIDS+=($SLOW)
open_is() { [ "$(gw_run ss -Htn state established '( sport = :9587 )' | wc -l)" = "$1" ]; }
t_ok "201 hostile connections open" within 50 open_is 201
for i in 1 2 3; do
	t_is "$(status "$URL/metrics")" 200 "with them open, scrape $i answers within a second"
done
t_ok "the server ends them within its 5 s per request" within 80 open_is 0
wait "$SLOW"
t_ok "the slow client was cut off" grep -q 'cut off after [5-9] s' "$WORK/slow"
t_is "$(status "$URL/metrics")" 200 "scrapes go on"

# An interface of an odd name, attached, scraped and detached: its label
# as the exposition format wants it.
odd_name() { # NAME SHOWN LABEL WHAT
	local name=$1 prom=$WORK/odd.prom
	attach_odd() { start_wg "$GW_NS" "$name" && wgsf_gw attach "$name" >/dev/null; }
	t_ok "an interface named $2, attached" attach_odd
	ATTACHED+=("$GW_NS $name")
	scrape "$URL/metrics" >"$prom"
	t_is "$(grep -cF "wgsf_interface_info{interface=\"$3\"," "$prom")" 1 "$4"
	t_is "$(promtool check metrics <"$prom" 2>&1)" "" "as promtool wants"
	t_ok "detach it" eval 'wgsf_gw detach "$name" >/dev/null'
}
# Linux allows a quote and a backslash in an interface's name.
odd_name "w\"\\$ID" "w\"\\$ID" "w\\\"\\\\$ID" "its name escaped in the labels"
# And bytes of no UTF-8, which a label value cannot hold: written as show
# and JSON write them, \xNN, so that the page stays readable whole.
odd_name $'w\xff\xfe'"$ID" "w\\xff\\xfe$ID" "w\\\\xff\\\\xfe$ID" "its name as text in the labels"

# Whether the hook is in force, as metrics says it (hook_in_force, and the
# state of hook_state) and as show --json does: "1 attached attached".
hook_seen() { # [RUNNER]: the command that runs wgsf, wgsf_gw unless given
	local run=${1:-wgsf_gw} m
	m=$($run metrics)
	printf '%s %s %s\n' \
		"$(sed -n "s/^wgsf_interface_hook_in_force{interface=\"$GW_IF\"} //p" <<<"$m")" \
		"$(sed -n "s/^wgsf_interface_hook_state{interface=\"$GW_IF\",state=\"\([a-z-]*\)\"} 1\$/\1/p" <<<"$m")" \
		"$($run show "$GW_IF" --json 2>/dev/null | jq -r '.interfaces[0].hook_state')"
}
t_is "$(hook_seen)" "1 attached attached" "attached: in force, as show says"
# The alerting rules on Prometheus's own scrapes: "pending" while they wait
# out their 'for'.
pending() { # ALERT LABELS
	stored_is "ALERTS{alertname=\"$1\",alertstate=\"pending\",$2}" 1
}
no_alert() { [ "$(stored "count(ALERTS{alertname=~\"Wgsf.*\",interface=\"$GW_IF\"})")" = null ]; }
t_ok "in force: no wgsf alert on it" no_alert
t_is "$(grep -c '^wgsf_interface_hook' <(wgsf_gw metrics))" 2 \
	"one sample of each hook family for the one interface"
bpf_only() { gw_run setpriv --inh-caps=-all,+bpf --ambient-caps=-all,+bpf --bounding-set=-all,+bpf "$WGSF" "$@"; }
t_is "$(hook_seen bpf_only)" "1 attached attached" \
	"CAP_BPF alone (the metrics unit): in force, known from the program pinned"

# A first attach killed at each of its fault points: wherever metrics lists
# the interface, it says what show says.
t_ok "detach" detach_gw
killed_at() { # N: 0 when the faulty attach was killed at its Nth point
	WGSF_FAULT_AT=$1 gw_run "$FAULTS" attach "$GW_IF" >/dev/null 2>&1
	[ $? = 137 ]
}
# IN_FORCE STATE SHOWN, or only SHOWN (null) where neither lists it
agree() {
	case $# in
	1) [ "$1" = null ] ;;
	3) [ "$2" = "$3" ] && [ "$1" = "$([ "$3" = attached ] && echo 1 || echo 0)" ] ;;
	*) false ;;
	esac
}
n=0 agreed=0 lapsed=0
while [ $n -lt 100 ] && killed_at $((n + 1)); do
	n=$((n + 1))
	seen=$(hook_seen)
	# shellcheck disable=SC2086
	if agree $seen; then
		agreed=$((agreed + 1))
		case $seen in "0 "*) lapsed=$((lapsed + 1)) ;; esac
	else
		t_diag "killed at point $n: metrics and show say '$seen'"
	fi
	attach_gw && detach_gw
done
t_is "$agreed" "$n" "a first attach killed at each of its $n points: metrics says what show says"
t_ok "at $lapsed of them the interface is listed, not in force" test "$lapsed" -gt 0
t_ok "attach again" attach_gw

t_ok "wireguard-go restarted" restart_gw_wg
t_is "$(hook_seen)" "0 interface-recreated interface-recreated" \
	"wireguard-go restarted: not in force, as show says"
t_ok "WgsfEnforcementLapsed, with the state" within 50 pending WgsfEnforcementLapsed \
	"interface=\"$GW_IF\",state=\"interface-recreated\""
t_ok "sync" eval 'wgsf_gw sync "$GW_IF" >/dev/null'
t_is "$(hook_seen)" "1 attached attached" "synced: in force again"
t_ok "no wgsf alert on it" within 50 no_alert
# Its egress program removed from outside: policy holds, replies are not
# recorded, and neither metrics nor show calls that in force.
if [ "$(tc_mechanism)" = tcx ]; then
	rm /sys/fs/bpf/wgsf/*/"$GW_IF"/current/egress_link
else
	ip netns exec "$GW_NS" tc filter del dev "$GW_IF" egress
fi
t_is "$(hook_seen)" "0 ingress-only ingress-only" "the egress program removed: ingress-only"
t_is "$(wgsf_gw show "$GW_IF" | grep '^  hook:')" \
	"  hook: tc ($(tc_mechanism)) on the ingress only: nothing of wgsf's runs on the egress (removed from outside, or an attach was interrupted), where it records the flows that replies answer: replies are judged as any packet; run 'wgsf sync $GW_IF'" \
	"show says what runs and what does not"
t_is "$(wgsf_gw sync "$GW_IF" | tail -n 1)" \
	"$GW_IF: nothing of wgsf's ran on $GW_IF's egress (removed from outside): attached again, so that replies pass again" \
	"sync mends it, and says so"
t_is "$(hook_seen)" "1 attached attached" "synced: both sides in force again"
kill "$GW_WG_PID" && wait "$GW_WG_PID" 2>/dev/null
t_is "$(hook_seen)" "0 interface-gone interface-gone" \
	"wireguard-go stopped, the interface gone: not in force, as show says"
t_ok "WgsfEnforcementLapsed, interface-gone" within 50 pending WgsfEnforcementLapsed \
	"interface=\"$GW_IF\",state=\"interface-gone\""
t_ok "detach" detach_gw
t_ok "detached: WgsfInterfaceVanished" within 50 pending WgsfInterfaceVanished \
	"interface=\"$GW_IF\""
t_is "$(scrape "$URL/metrics" | samples)" "$BUILD" "the next scrape has only the build"
t_done
