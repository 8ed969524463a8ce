# shellcheck shell=bash
# Shared by the end-to-end tests: TAP output and prerequisites, on top of the
# WireGuard topology of tools/topology.sh.

. "$(dirname "${BASH_SOURCE[0]}")/../../tools/topology.sh"
T_N=0
T_FAILED=0

# Both return 1 when the test fails, for a diagnostic after ||.
t_ok() { # DESCRIPTION COMMAND...: passes when the command exits 0
	local desc=$1
	shift
	T_N=$((T_N + 1))
	if "$@"; then
		echo "ok $T_N - $desc"
	else
		echo "not ok $T_N - $desc"
		T_FAILED=$((T_FAILED + 1))
		return 1
	fi
}

t_is() { # GOT WANT DESCRIPTION
	T_N=$((T_N + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $T_N - $3"
	else
		echo "not ok $T_N - $3"
		echo "#   got '$1', want '$2'"
		T_FAILED=$((T_FAILED + 1))
		return 1
	fi
}

t_diag() { echo "# $*"; }

t_done() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ] && [ "$T_N" -gt 0 ]
}

# Skips the whole test; under CI=true a skip is a failure.
t_skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "not ok 1 - skipped, and CI=true allows no skip: $*"
		echo "1..1"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

require_e2e() {
	[ "$(id -u)" = 0 ] || t_skip_all "needs root for BPF and network namespaces"
	local tool
	local wg_tool=wireguard-go
	[ "$WG_IMPL" = kernel ] && wg_tool=wg
	for tool in $wg_tool wg ip tc nsenter jq ping; do
		command -v "$tool" >/dev/null || t_skip_all "needs $tool (tools/deps.sh test installs it)"
	done
	[ -x "$WGSF" ] && [ -x "$BUILD_DIR/tests/tools/onhook" ] ||
		t_skip_all "not built (make tests)"
	[ "$WG_IMPL" = kernel ] || [ -c /dev/net/tun ] || t_skip_all "needs /dev/net/tun"
	ip netns add "wgsf-probe-$ID" 2>/dev/null || t_skip_all "cannot create network namespaces"
	ip netns del "wgsf-probe-$ID"
}


# The mechanism a tc attach gets here: tcx from Linux 6.6 on, else clsact.
tc_mechanism() {
	local v
	v=$(uname -r | awk -F. '{ printf "%d%03d", $1, $2 }')
	if [ "$v" -ge 6006 ]; then echo tcx; else echo clsact; fi
}

# How many wgsf programs are on IFACE in NS, on its ingress and its egress
# (an attachment runs one on each), however they got there: tcx links and
# XDP (onhook), and cls_bpf filters where tc runs through clsact.
ours_on_hook() { # NS IFACE
	{
		in_ns "$1" "$BUILD_DIR/tests/tools/onhook" "$2"
		ip netns exec "$1" tc filter show dev "$2" ingress
		ip netns exec "$1" tc filter show dev "$2" egress
	} | grep -c wgsf_
}

# Polls COMMAND every 0.1 s for at most TENTHS tenths of a second.
within() { # TENTHS COMMAND...
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	"$@"
}

# Milliseconds of the wall clock, from bash itself: the kernel lane's
# guests have no date(1) that prints nanoseconds.
now_ms() {
	local us=${EPOCHREALTIME/./}
	echo $((us / 1000))
}

# Pings from client CLIENT's namespace: 0 when every request is answered.
client_ping() { # CLIENT SRC DST COUNT
	in_ns "${CLIENT_NS[$1]}" ping -n -q -c "$4" -i 0.05 -W 1 -s 56 -I "$2" "$3" >/dev/null
}
client_no_reply() { ! client_ping "$@"; }
client_field() { peer_field "${CLIENT_PUB[$1]}" "$2"; } # CLIENT FIELD
# Client CLIENT's counters: "rx violations source/destination/blocked drops".
client_counters() { # CLIENT
	local f
	read -ra f <<<"$(client_fields "$1" rx_packets violation_packets \
		violations_by_reason.source violations_by_reason.destination \
		violations_by_reason.blocked drop_packets)"
	echo "${f[0]} ${f[1]} ${f[2]}/${f[3]}/${f[4]} ${f[5]}"
}

# The libmicrohttpd that wgsf opens for metrics --listen, as the binary
# names it (tools/mhd.h): one of its NUL-ended strings. (busybox's tr, in
# the kernel lane, has no complement of a class.)
mhd_soname() {
	tr '\000' '\n' <"$WGSF" | LC_ALL=C grep -m 1 -x 'libmicrohttpd\.so\.[0-9]*'
}

# N random public keys, one a line, from one read of /dev/urandom: any 32
# bytes are a key (42 random base64 digits and one that ends the 32nd byte).
random_keys() { # N
	head -c $((33 * $1)) /dev/urandom | base64 -w 44 | sed 's/^\(.\{42\}\).*/\1A=/'
}

# The word after the word NAME in FILE: a figure of tests/tools/tcpbulk's
# reports.
word_after() { # NAME FILE
	awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' "$2"
}

# A gateway and two clients on host routes, 192.0.2.11 and 192.0.2.12,
# pinged once; WORK, a temporary directory removed on exit. Skips the test
# when they cannot be built.
gateway_two_clients() {
	make_gateway || t_skip_all "cannot build the gateway"
	GW_WG_PID=${PIDS[0]:-}
	make_client 1 192.0.2.11/32 "192.0.2.11" && make_client 2 192.0.2.12/32 "192.0.2.12" ||
		t_skip_all "cannot build the clients"
	pings 1 192.0.2.11 1 && pings 2 192.0.2.12 1 || t_diag "warm-up pings failed"
	WORK=$(mktemp -d)
	trap 'cleanup; rm -rf "$WORK"' EXIT
}

# WireGuard on the gateway stopped (wireguard-go) or its interface deleted
# (kernel), then the same name made again with the same configuration: a new
# interface. The clients start fresh sessions rather than wait for
# WireGuard's own timeouts.
restart_gw_wg() {
	local conf c cc
	conf=$(gw_run wg showconf "$GW_IF")
	if [ "$WG_IMPL" = kernel ]; then
		gw_run ip link del "$GW_IF"
	else
		kill "$GW_WG_PID" && wait "$GW_WG_PID" 2>/dev/null
	fi
	start_wg "$GW_NS" "$GW_IF" || return 1
	[ "$WG_IMPL" = kernel ] || GW_WG_PID=${PIDS[-1]}
	gw_run wg setconf "$GW_IF" <(echo "$conf") &&
		ip -n "$GW_NS" addr add 192.0.2.1/32 dev "$GW_IF" &&
		ip -n "$GW_NS" link set "$GW_IF" up || return 1
	for c in "${!CLIENT_NS[@]}"; do
		ip -n "$GW_NS" route add "${CLIENT_ADDR[$c]}" dev "$GW_IF" 2>/dev/null
		cc=$(in_ns "${CLIENT_NS[$c]}" wg showconf "${CLIENT_IF[$c]}")
		in_ns "${CLIENT_NS[$c]}" wg setconf "${CLIENT_IF[$c]}" <(echo "$cc")
	done
}

# Client CLIENT's FIELDs of `wgsf show --json`, on one line.
client_fields() { # CLIENT FIELD...
	local key=${CLIENT_PUB[$1]} f list=
	shift
	for f; do list+="${list:+, }.$f"; done
	wgsf_gw show "$GW_IF" --json | jq -r --arg k "$key" ".interfaces[0].peers[] |
		select(.public_key == \$k) | [$list] | map(tostring) | join(\" \")"
}

# Two lines of as many numbers, number by number: A plus or minus B.
fieldwise() { # A +|- B
	local -a a b d=()
	local i sign=1
	[ "$2" = - ] && sign=-1
	read -ra a <<<"$1"
	read -ra b <<<"$3"
	for i in "${!a[@]}"; do d+=($((a[i] + sign * b[i]))); done
	echo "${d[*]}"
}

# What COMMAND prints once that is WANT, or after 2 s of trying: for
# counters still moving as the last packets arrive.
settles_to() { # WANT COMMAND...
	local out n=20
	out=$("${@:2}")
	while [ "$out" != "$1" ] && [ "$n" -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
		out=$("${@:2}")
	done
	echo "$out"
}

# One exchange of TCP or UDP that namespace ASKER opens toward ADDR PORT,
# served in namespace SERVER (tests/tools/flowprobe); what the asker said
# ("answered", "no answer"). Done when the server has had the asker's last
# packet.
flow_exchange() { # SERVER ASKER tcp|udp ADDR PORT
	local ready probe=$BUILD_DIR/tests/tools/flowprobe
	coproc SERVE { in_ns "$1" "$probe" serve "$3" "$4" "$5"; }
	read -r -t 5 ready <&"${SERVE[0]}"
	[ "$ready" = ready ] && in_ns "$2" "$probe" ask "$3" "$4" "$5"
	wait "$SERVE_PID" 2>/dev/null
}

# A reader of the gateway's interface (wgsf events ARGS...) writing into
# FILE; READER its PID (the trap's to end).
start_reader() { # FILE ARGS...
	local f=$1
	shift
	nsenter --net="/var/run/netns/$GW_NS" "$WGSF" events "$GW_IF" "$@" >"$f" 2>"$f.err" &
	READER=$!
}

# Ends the reader of FILE with SIGNAL; STOPPED, its exit status and its
# standard error.
stop_reader() { # SIGNAL FILE
	kill "-$1" "$READER"
	wait "$READER" 2>/dev/null # bash's word on a job killed
	STOPPED="$?:$(cat "$2.err")"
	READER=
}

# Client 2's datagrams from SPORT to the gateway's port DPORT (53 unless
# told), each a violation of its policy, one at a time, until one is an
# event in FILE (3 s at most): the reader holds its lease. SENT, how many.
reader_ready() { # FILE SPORT [DPORT]
	SENT=0
	while [ $SENT -lt 15 ]; do
		in_ns "${CLIENT_NS[2]}" "$BUILD_DIR/tests/tools/flowprobe" send udp \
			"${CLIENT_ADDR[2]}" "$2" 192.0.2.1 "${3:-53}"
		SENT=$((SENT + 1))
		within 2 grep -q -E "source_port(\":|=)$2[ ,]" "$1" && return 0
	done
	return 1
}
