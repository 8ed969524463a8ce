#!/usr/bin/env bash
# A TCP bulk stream from a client through WireGuard to the gateway, counted
# as the client sent it: wgsf's received packets equal what WireGuard
# decrypted (the gateway interface's rx_packets, which kernel WireGuard
# counts before GRO merges the stream's segments, and wireguard-go as it
# writes them to its TUN device), and its bytes equal the IP bytes of those
# packets as the client's own TCP counted them (build/tests/tools/tcpbulk,
# TCP_INFO, with timestamps, SACK and window scaling off in the client's
# namespace, so that every header's size is known).
. "$(dirname "$0")/lib.sh"
require_e2e
TCPBULK=$BUILD_DIR/tests/tools/tcpbulk
[ -x "$TCPBULK" ] || t_skip_all "not built (make tests)"
BYTES=$((16 * 1024 * 1024)) # about 12,200 segments of 1,380 bytes
PORT=5201

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the client"
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
for opt in tcp_timestamps tcp_sack tcp_window_scaling; do
	in_ns "${CLIENT_NS[1]}" sh -c "echo 0 >/proc/sys/net/ipv4/$opt" ||
		t_skip_all "cannot turn $opt off in the client's namespace"
done
# The handshake before the window: WireGuard counts its messages in
# rx_packets too.
pings 1 192.0.2.11 1 || t_diag "warm-up ping failed"
t_ok "attach" attach_gw

decrypted() { ip -n "$GW_NS" -s -j link show dev "$GW_IF" | jq '.[0].stats64.rx.packets'; }
handshake() { gw_run wg show "$GW_IF" latest-handshakes | cut -f 2; }
field() { peer_field "${CLIENT_PUB[1]}" "$1"; }

before=$(decrypted)
shake=$(handshake)
t_is "$(field rx_packets):$(field rx_bytes)" 0:0 "nothing counted yet"
gw_run "$TCPBULK" receive 192.0.2.1 $PORT >"$WORK/received" &
receiver=$!
within 50 grep -q listening "$WORK/received"
send() {
	in_ns "${CLIENT_NS[1]}" timeout 300 "$TCPBULK" send 192.0.2.1 $PORT $BYTES 192.0.2.11 \
		>"$WORK/sent"
}
t_ok "$BYTES bytes sent through WireGuard" send
wait "$receiver"
t_is "$(word_after bytes "$WORK/received")" $BYTES "and received whole"
segments=$(word_after segments "$WORK/sent")
t_diag "the client sent $(cat "$WORK/sent")"
t_ok "more than 10,000 packets (${segments:-none})" test "${segments:-0}" -gt 10000
# the client's last ACK crosses the tunnel after its sender is done
within 50 test "$(($(decrypted) - before))" = "$segments"
t_is "$(($(decrypted) - before))" "$segments" \
	"WireGuard decrypted every segment the client sent, and nothing else"
t_is "$(handshake)" "$shake" "no handshake in between"
t_is "$(field rx_packets)" "$(($(decrypted) - before))" \
	"wgsf counted the packets WireGuard decrypted"
t_is "$(field rx_bytes)" "$(word_after ip_bytes "$WORK/sent")" "and their IP bytes, as the client's TCP sent them"
t_is "$(iface_field unknown_packets):$(iface_field malformed_packets)" 0:0 \
	"nothing unknown or malformed"
t_ok "detach" detach_gw
t_done
