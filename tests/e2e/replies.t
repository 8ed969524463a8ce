#!/usr/bin/env bash
# Replies on real WireGuard (README, Replies): a client whose
# AllowedDestinations do not hold the gateway, in enforce mode. A TCP
# connection and a UDP exchange that the gateway opens toward a port of the
# client work both ways, and so does the gateway's ping, each packet of the
# client's counted as a reply; an unsolicited TCP ACK from the client, a UDP
# datagram from the port the gateway wrote to toward another gateway port,
# and the client's own pings are violations, counted and dropped. IPv4 and
# IPv6, on a gateway where nothing uses conntrack and again with an
# nftables ct state rule, which makes the kernel track its connections:
# wgsf behaves the same on both.
. "$(dirname "$0")/lib.sh"
require_e2e
PROBE=$BUILD_DIR/tests/tools/flowprobe
[ -x "$PROBE" ] || t_skip_all "not built (make tests)"

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32,2001:db8::11/128 "192.0.2.11 2001:db8::11" ||
	t_skip_all "cannot build the client"
pings 1 192.0.2.11 1 || t_diag "warm-up ping failed"
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
printf '[Peer]\nPublicKey = %s\nAllowedDestinations = 198.51.100.99/32, 2001:db8:99::/64\n' \
	"${CLIENT_PUB[1]}" >"$WORK/policy"
t_ok "attach in enforce mode, the client's destinations not holding the gateway" \
	attach_gw --mode enforce --policy "$WORK/policy"

CL=${CLIENT_NS[1]}
field() { peer_field "${CLIENT_PUB[1]}" "$1"; }
# The client's counters: "received replies destination-violations drops".
counters() {
	wgsf_gw show "$GW_IF" --json | jq -r --arg k "${CLIENT_PUB[1]}" '.interfaces[0].peers[] |
		select(.public_key == $k) | "\(.rx_packets) \(.reply_packets) " +
		"\(.violations_by_reason.destination) \(.drop_packets)"'
}
# What moved since BEFORE: "received replies violations drops".
moved() { # BEFORE
	local -a a b
	read -ra a <<<"$1"
	read -ra b <<<"$(counters)"
	echo "$((b[0] - a[0])) $((b[1] - a[1])) $((b[2] - a[2])) $((b[3] - a[3]))"
}
# One exchange that the gateway opens toward the client's PORT, the client
# serving it: "answered" or "no answer".
exchange() { flow_exchange "$CL" "$GW_NS" "$@"; } # tcp|udp CLIENT-ADDRESS PORT
# Waits (2 s at most) for the counters to have moved by WANT since BEFORE;
# prints what moved.
settled() { # BEFORE WANT
	local n=20
	while [ "$(moved "$1")" != "$2" ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	moved "$1"
}
# Every packet the client sent since BEFORE passed as a reply: "N N 0 0".
all_replies() { # BEFORE
	local -a m
	read -ra m <<<"$(moved "$1")"
	if [ "${m[0]}" -gt 0 ] && [ "${m[0]}" = "${m[1]}" ] && [ "${m[2]} ${m[3]}" = "0 0" ]; then
		t_diag "${m[0]} packets, each a reply"
		return 0
	fi
	echo "# moved: ${m[*]}" >&2
	return 1
}

round() { # FAMILY CONNTRACK-NOTE
	local cl=192.0.2.11 gw=192.0.2.1 what="IPv$1$2" before flows
	[ "$1" = 6 ] && cl=2001:db8::11 gw=2001:db8::1

	flows=$(iface_field flows_created)
	before=$(counters)
	t_is "$(exchange tcp "$cl" 7000)" answered "$what: TCP from the gateway to the client's port 7000: answered"
	t_ok "$what: each of the client's TCP packets passed as a reply, none a violation" all_replies "$before"
	before=$(counters)
	t_is "$(exchange udp "$cl" 7000)" answered "$what: UDP from the gateway to the client's port 7000: answered"
	t_is "$(moved "$before")" "1 1 0 0" "$what: the client's one datagram passed as a reply"

	before=$(counters)
	t_ok "$what: an unsolicited TCP ACK from the client's port 7001" \
		in_ns "$CL" "$PROBE" ack "$cl" 7001 "$gw" 7002
	t_ok "$what: a UDP datagram from port 7000 to the gateway's port 7003" \
		in_ns "$CL" "$PROBE" send udp "$cl" 7000 "$gw" 7003
	t_is "$(settled "$before" "2 0 2 2")" "2 0 2 2" "$what: both counted as violations and dropped"

	before=$(counters)
	t_ok "$what: the gateway's 3 pings to the client answered" \
		sh -c "nsenter --net=/var/run/netns/$GW_NS ping -n -q -c 3 -i 0.05 -W 2 $cl >/dev/null"
	t_is "$(moved "$before")" "3 3 0 0" "$what: the 3 echo replies passed as replies"
	before=$(counters)
	t_ok "$what: the client's 2 pings to the gateway go unanswered" \
		sh -c "! nsenter --net=/var/run/netns/$CL ping -n -q -c 2 -i 0.05 -W 1 -I $cl $gw >/dev/null"
	t_is "$(settled "$before" "2 0 2 2")" "2 0 2 2" "$what: both counted as violations and dropped"
	t_is "$(($(iface_field flows_created) - flows))" 3 \
		"$what: 3 flows recorded: the TCP connection, the UDP exchange, the echo"
}

t_is "$(wgsf_gw lookup "$GW_IF" 192.0.2.11 192.0.2.1 | grep -E '^(verdict|replies):')" \
	"verdict: violation (destination): dropped in enforce mode
replies: not judged here; a packet that answers a flow opened toward the peer from the gateway's side passes (wgsf.policy(5), Replies)" \
	"lookup: to the gateway a violation, replies not judged there"
t_is "$(wgsf_gw lookup "$GW_IF" 192.0.2.11 192.0.2.1 --json | jq -c '[.reason, .replies_pass]'):$(
	wgsf_gw lookup "$GW_IF" 192.0.2.11 198.51.100.99 --json | jq -c '[.reason, .replies_pass]')" \
	'["destination",true]:[null,false]' "lookup --json: replies_pass where the destination rules decide"
t_is "$(gw_run cat /proc/net/nf_conntrack 2>/dev/null | wc -l)" 0 "nothing tracks connections on the gateway"
round 4 ""
round 6 ""
gw_run nft -f - <<'EOT'
table inet wgsf_replies {
	chain input {
		type filter hook input priority 0; policy accept;
		ct state established,related counter accept
	}
}
EOT
t_ok "an nftables ct state rule on the gateway" eval 'gw_run nft list table inet wgsf_replies >/dev/null'
round 4 " (conntrack)"
round 6 " (conntrack)"
t_ok "conntrack did track them: the rule's counter moved" test "$(gw_run nft list table inet \
	wgsf_replies | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')" -gt 0
t_is "$(wgsf_gw show "$GW_IF" | grep '^  replies:' | sed 's/ packets .*//')" \
	"  replies: $(field reply_packets)" "show: the replies counted, as --json says"
t_done
