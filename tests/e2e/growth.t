#!/usr/bin/env bash
# Counters kept exactly while the maps grow: a client streams UDP at a fixed
# rate while the gateway grows from 1 peer to 1,000 and then to 3,000, each
# a sync that loads a new program on larger maps (the second carries on
# what the first left in the previous counters); wgsf's count for the client
# equals, packet for packet, what the gateway's WireGuard interface received
# in that window (its rx_packets: on wireguard-go what it wrote to the TUN
# device, on kernel WireGuard what it decrypted, before GRO, which a UDP
# stream to no socket does not merge). Then the same where the first growth
# is killed between its commit and its hook switch, so that the older
# program still counts when the second growth comes.
#
# Kernel WireGuard counts handshake messages and keepalives in rx_packets
# too (wireguard-go's TUN device sees IP packets only). So the stream goes
# to an address that the gateway discards without a word (a blackhole
# route): the client receives nothing, and sends no keepalive. Each window
# starts on a fresh session, far from a rekey, and on kernel WireGuard the
# test checks that no handshake fell inside it.
. "$(dirname "$0")/lib.sh"
require_e2e
SEND=$BUILD_DIR/tests/tools/udpsend
FAULTS=$BUILD_DIR/tests/tools/wgsf-faults
[ -x "$SEND" ] && [ -x "$FAULTS" ] || t_skip_all "not built (make tests)"

RATE=3000
COUNT=60000 # 20 s at most: stopped once the syncs are done
IP_LEN=128  # each datagram's IPv4 packet (tests/tools/udpsend.c)

SINK=192.0.2.99 # a blackhole on the gateway

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32 "192.0.2.11" &&
	ip -n "${CLIENT_NS[1]}" route add "$SINK/32" dev "${CLIENT_IF[1]}" &&
	ip -n "$GW_NS" route add blackhole "$SINK/32" ||
	t_skip_all "cannot build the client"
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT

# "peer KEY allowed-ips 2001:db8:1::N/128" arguments for wg set, N from FROM
# to TO, each with a random key, into FILE; FILE.gone removes them again.
peers_args() { # FROM TO FILE
	paste -d' ' <(random_keys $(($2 - $1 + 1)) | sed 's/^/peer /') \
		<(seq "$1" "$2" | awk '{ printf "allowed-ips 2001:db8:1::%x/128\n", $1 }') >"$3"
	sed 's/ allowed-ips .*/ remove/' "$3" >"$3.gone"
}
gw_wg_set() { # FILE
	# shellcheck disable=SC2046
	gw_run wg set "$GW_IF" $(tr '\n' ' ' <"$1")
}
wg_rx() { ip -n "$GW_NS" -s -j link show dev "$GW_IF" | jq '.[0].stats64.rx.packets'; }
handshake() { gw_run wg show "$GW_IF" latest-handshakes | grep "^${CLIENT_PUB[1]}"; }
# A new session for the client: its peer made again, then one ping (the
# handshake, and the only packets that cross before the stream).
fresh_session() {
	in_ns "${CLIENT_NS[1]}" wg set "${CLIENT_IF[1]}" peer "$GW_PUB" remove &&
		in_ns "${CLIENT_NS[1]}" wg set "${CLIENT_IF[1]}" peer "$GW_PUB" \
			allowed-ips "192.0.2.1/32,$SINK/32" endpoint "203.0.113.5:$GW_PORT" &&
		pings 1 192.0.2.11 1
}
# What wgsf counted for the client: "PACKETS BYTES".
counted() {
	wgsf_gw show "$GW_IF" --json | jq -r --arg k "${CLIENT_PUB[1]}" \
		'.interfaces[0].peers[] | select(.public_key == $k) | "\(.rx_packets) \(.rx_bytes)"'
}
# Waits until the gateway's interface has received nothing for 0.5 s.
settled() {
	local was now n
	now=$(wg_rx)
	for n in $(seq 40); do
		sleep 0.5
		was=$now now=$(wg_rx)
		[ "$was" = "$now" ] && return 0
	done
	return 1
}
added() { # PEERS
	printf '%s: peers +%s -0, allowed ips +%s ~0 -0' "$GW_IF" "$1" "$1"
}
grown() { printf '\n%s: the maps grew to hold the change' "$GW_IF"; }

under_way() { [ "$(counted | cut -d' ' -f1)" -gt "$rx0" ]; }

# The window: what the interface and wgsf had counted, and the stream.
stream_start() { # WHAT
	t_ok "$1: a fresh session" fresh_session
	wg0=$(wg_rx) hs0=$(handshake)
	read -r rx0 bytes0 < <(counted)
	# nsenter itself, not in_ns: $! is then udpsend, which SIGUSR1 stops
	nsenter --net="/var/run/netns/${CLIENT_NS[1]}" "$SEND" 192.0.2.11 "$SINK" "$COUNT" \
		"$RATE" >"$work/sent" &
	sender=$!
	t_ok "$1: the stream is under way" within 20 under_way
}
stream_end() { # WHAT
	local received rx bytes
	t_ok "$1: the stream ran on through the syncs" kill -0 "$sender"
	kill -USR1 "$sender"
	t_ok "$1: the client sent its datagrams until told to stop" wait "$sender"
	t_ok "$1: the gateway received the last of them" settled
	received=$(($(wg_rx) - wg0))
	read -r rx bytes < <(counted)
	[ "$WG_IMPL" != kernel ] || t_is "$(handshake)" "$hs0" "$1: no handshake inside the window"
	t_diag "$1: $GW_IF received $received packets, wgsf counted $((rx - rx0)) for the client"
	t_is $((rx - rx0)) "$received" \
		"$1: wgsf counted every packet that WireGuard received from the client"
	t_is $((bytes - bytes0)) $((received * IP_LEN)) "$1: and every byte"
}

peers_args 1 999 "$work/first"
peers_args 1000 2999 "$work/more"
t_ok "attach with 1 peer" attach_gw
gw_wg_set "$work/first"
stream_start "two growths"
# (the faulty build, naming its fault points, finds where a growth switches)
t_is "$(WGSF_FAULT_AT=list gw_run "$FAULTS" sync "$GW_IF" 2>"$work/points")" \
	"$(added 999)$(grown)" "1 peer to 1,000: the maps grew"
t_ok "the growth carried the counters of the one before over" \
	grep -q ': copy the counters from before the last growth$' "$work/points"
gw_wg_set "$work/more"
t_is "$(wgsf_gw sync "$GW_IF" 2>&1)" "$(added 2000)$(grown)" \
	"1,000 peers to 3,000: the maps grew again"
stream_end "two growths"

switch=$(sed -n "s/^fault point \([0-9]*\): replace a \(link\|filter\)'s program$/\1/p" \
	"$work/points")
t_diag "a growth from 1 peer to 1,000 switches its program at fault point $switch"
gw_wg_set "$work/more.gone"
gw_wg_set "$work/first.gone"
t_ok "detach, and attach again with 1 peer" eval 'detach_gw && attach_gw'
gw_wg_set "$work/first"
stream_start "a growth killed before its switch"
WGSF_FAULT_AT=$switch gw_run "$FAULTS" sync "$GW_IF" >/dev/null 2>&1
rc=$?
t_is "$rc:$(iface_field hook_state)" 137:stale \
	"1 peer to 1,000, killed before the switch: the older program counts on"
gw_wg_set "$work/more"
t_is "$(wgsf_gw sync "$GW_IF" 2>&1)" "$(added 2000)
$GW_IF: an interrupted update had left an older program on $GW_IF: replaced
$GW_IF: completed what an interrupted command had left unfinished" \
	"then 1,000 peers to 3,000: the maps grew again"
stream_end "a growth killed before its switch"
t_done
