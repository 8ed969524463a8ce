#!/usr/bin/env bash
# What WireGuard itself rejects as from outside the sender's allowed IPs,
# through the CLI. Kernel WireGuard (the kernel lane): attach loads the
# tracer, and show, lookup and watch give exact per-peer counts, the last
# source and destination and who owns that source; a sender that wgsf's
# tables lack is counted on the interface (never wrapping round while
# packets come); two namespaces with an interface
# of the same name stay apart; counters survive a re-attach; rejected
# packets count toward a Quarantine rule; the last detach,
# or orphans --remove of a deleted namespace's, lets the wireguard module go. wireguard-go: attach says in one line why
# they are not visible, JSON has nulls, and everything else works.
. "$(dirname "$0")/lib.sh"
require_e2e
PINS=/sys/fs/bpf/wgsf/tracer
# Fields of the peer with public key KEY in show --json, joined by spaces.
peer_fields() { # KEY JQ-ARRAY
	wgsf_gw show "$GW_IF" --json | jq -r --arg k "$1" \
		".interfaces[0].peers[] | select(.public_key == \$k) | $2 | map(tostring) | join(\" \")"
}

if [ "$WG_IMPL" != kernel ]; then
	make_gateway && make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the gateway"
	why="$GW_IF is not kernel WireGuard: a userspace WireGuard (wireguard-go, boringtun) drops such packets in its own code"
	t_is "$(wgsf_gw attach "$GW_IF" | tail -n 1)" \
		"$GW_IF: WireGuard's own rejections are not counted: $why" "attach says why, in one line"
	ATTACHED+=("$GW_NS $GW_IF")
	t_is "$(iface_field rejected_visible):$(iface_field rejected_unknown_packets)" false:null \
		"show --json: not visible, the interface's count null"
	t_is "$(peer_fields "${CLIENT_PUB[1]}" '[.rejected_packets, .rejected_bytes, .last_rejected,
		.last_rejected_source, .last_rejected_owner]')" \
		"null null null null null" "show --json: the peer's rejected fields are null: unknown, not 0"
	t_is "$(wgsf_gw show "$GW_IF" | grep 'rejected by WireGuard')" \
		"  rejected by WireGuard: not visible ($why)" "show says so"
	t_is "$(wgsf_gw lookup "$GW_IF" 192.0.2.11 --json | jq -c '[.rejected_seen, .verdict]')" \
		'[null,"pass"]' "lookup: rejected unknown, the verdict as ever"
	t_is "$(wgsf_gw metrics | grep -c rejected)" 0 "metrics: no rejected families"
	t_ok "counting works as ever" pings 1 192.0.2.11 2
	t_is "$(peer_field "${CLIENT_PUB[1]}" rx_packets)" 2 "2 packets counted"
	t_done
	exit
fi

# The module goes away at the end: bring it back for whatever runs next.
trap 'cleanup; modprobe wireguard' EXIT
frame_errors() {
	gw_run ip -j -s -s link show dev "$GW_IF" | jq '.[0].stats64.rx.frame_errors'
}
# COUNT echo requests from client N's SRC that WireGuard drops; returns once
# the gateway's rx_frame_errors counted them all.
rejected_pings() { # N SRC COUNT
	local dst=192.0.2.1 want i
	case $2 in *:*) dst=2001:db8::1 ;; esac
	want=$(($(frame_errors) + $3))
	in_ns "${CLIENT_NS[$1]}" ping -n -q -c "$3" -i 0.05 -W 0.1 -s 56 -I "$2" "$dst" >/dev/null
	for i in $(seq 50); do
		[ "$(frame_errors)" -ge "$want" ] && return
		sleep 0.1
	done
	t_diag "WireGuard did not drop all $3 from $2"
}
# One peer's rejected counters: "PACKETS BYTES SOURCE DESTINATION OWNER"
rejected() { # KEY
	peer_fields "$1" '[.rejected_packets, .rejected_bytes, .last_rejected_source,
		.last_rejected_destination, (.last_rejected_owner // "none")]'
}

# Client 1 may send from .11 and ::11 only; it also holds addresses that no
# peer has (.99, ::99) and one of client 2's (.12).
make_gateway &&
	make_client 1 192.0.2.11/32,2001:db8::11/128 \
		"192.0.2.11 2001:db8::11 192.0.2.99 2001:db8::99 192.0.2.12" &&
	make_client 2 192.0.2.12/32 192.0.2.12 || t_skip_all "cannot build the gateway"
SITE1_NS=$GW_NS
pings 1 192.0.2.11 1 && pings 2 192.0.2.12 1 || t_diag "warm-up pings failed"

t_is "$(wgsf_gw attach "$GW_IF" | grep -c "not counted")" 0 "attach on kernel WireGuard: no notice"
ATTACHED+=("$GW_NS $GW_IF")
t_ok "the tracer is pinned" test -e "$PINS/link"
t_is "$(iface_field rejected_visible):$(iface_field rejected_unknown_packets)" true:0 \
	"show --json: visible, nothing from unknown senders"
t_ok "good traffic: 3 IPv4 and 2 IPv6 pings answered" eval 'pings 1 192.0.2.11 3 && pings 1 2001:db8::11 2'
t_is "$(rejected "${CLIENT_PUB[1]}")" "0 0 null null none" "good traffic: nothing rejected"

errors0=$(frame_errors)
rejected_pings 1 192.0.2.99 5
rejected_pings 1 2001:db8::99 3
t_is "$(rejected "${CLIENT_PUB[1]}")" "8 732 2001:db8::99 2001:db8::1 none" \
	"5 IPv4 (84 B) and 3 IPv6 (104 B) from no peer's sources: 8 packets, 732 B, owner none"
rejected_pings 1 192.0.2.12 2
t_is "$(rejected "${CLIENT_PUB[1]}"):$(rejected "${CLIENT_PUB[2]}")" \
	"10 900 192.0.2.12 192.0.2.1 ${CLIENT_PUB[2]}:0 0 null null none" \
	"2 from client 2's address: owner client 2; client 2 has none"
t_is "$(($(frame_errors) - errors0))" 10 "rx_frame_errors grew by the rejected total, 10"
t_like() { [[ $1 =~ $2 ]]; }
t_ok "show: the peer's line" t_like "$(wgsf_gw show "$GW_IF" | grep 'rejected by WireGuard')" \
	"^  rejected by WireGuard: 10 packets, 900 B; last 192\.0\.2\.12 -> 192\.0\.2\.1 \(belongs to peer ${CLIENT_PUB[2]//+/\\+}\), (now|[0-9]+ seconds? ago)$"
t_is "$(wgsf_gw lookup "$GW_IF" 192.0.2.12 --json | jq -r '[.rejected_seen, .rejected_sender] | join(" ")')" \
	"true ${CLIENT_PUB[1]}" "lookup: a rejected packet from client 2's address, sent by client 1"
t_is "$(wgsf_gw lookup "$GW_IF" 192.0.2.99 --json | jq -r .rejected_seen)" false \
	"lookup: none whose last came from .99 any more"
out=$(wgsf_gw check "$GW_IF" --json)
t_is "$?:$(jq -c '[.findings[] | select(.kind == "rejected-source") |
	[.severity, .peers[0], .prefix, .destination, .owner, .rejected_packets]]' <<<"$out")" \
	"2:[[\"warning\",\"${CLIENT_PUB[1]}\",\"192.0.2.12/32\",\"192.0.2.1/32\",\"${CLIENT_PUB[2]}\",10]]" \
	"check: a rejected-source warning for client 1's last source, owner client 2; exit 2"
t_is "$(jq -r '.findings[] | select(.kind == "rejected-source") | .advice' <<<"$out")" \
	"add 192.0.2.12/32 to this peer's AllowedIPs on this side, or change the client's address" \
	"check: and what to change"
t_ok "attach again" attach_gw
t_is "$(rejected "${CLIENT_PUB[1]}")" "10 900 192.0.2.12 192.0.2.1 ${CLIENT_PUB[2]}" \
	"counters kept across a re-attach"
t_is "$(wgsf_gw metrics | grep -F "{interface=\"$GW_IF\",public_key=\"${CLIENT_PUB[1]}\"}" |
	grep '^wgsf_peer_rejected_')" "wgsf_peer_rejected_packets_total{interface=\"$GW_IF\",public_key=\"${CLIENT_PUB[1]}\"} 10
wgsf_peer_rejected_bytes_total{interface=\"$GW_IF\",public_key=\"${CLIENT_PUB[1]}\"} 900" \
	"metrics: the peer's rejected counters"

# A sender that WireGuard has and wgsf's tables do not (yet).
make_client 3 192.0.2.13/32 "192.0.2.13 192.0.2.97" || t_skip_all "cannot build client 3"
pings 3 192.0.2.13 1
rejected_pings 3 192.0.2.97 2
t_is "$(iface_field rejected_unknown_packets):$(rejected "${CLIENT_PUB[3]}")" 2: \
	"a sender added after the last sync: counted on the interface"
unknown() { wgsf_gw metrics | grep -E '^# TYPE wgsf_interface_rejected_unknown|^wgsf_interface_rejected_unknown'; }
t_is "$(unknown)" "# TYPE wgsf_interface_rejected_unknown_packets gauge
wgsf_interface_rejected_unknown_packets{interface=\"$GW_IF\"} 2" "metrics: a gauge, 2"
wgsf_gw sync "$GW_IF" >/dev/null
t_is "$(iface_field rejected_unknown_packets):$(rejected "${CLIENT_PUB[3]}")" \
	"0:2 168 192.0.2.97 192.0.2.1 none" "after a sync: its own"
t_is "$(unknown)" "# TYPE wgsf_interface_rejected_unknown_packets gauge
wgsf_interface_rejected_unknown_packets{interface=\"$GW_IF\"} 0" \
	"metrics: falls to 0, as a gauge may (a counter may not)"
# Read while a known sender's packets are rejected, it stays 0: the total
# less the known senders, read after it, went below 0 and wrapped round.
in_ns "${CLIENT_NS[3]}" ping -n -q -c 300 -i 0.01 -W 0.1 -I 192.0.2.97 192.0.2.1 >/dev/null &
flood=$!
reads=
for i in $(seq 20); do reads+="$(iface_field rejected_unknown_packets) "; done
wait "$flood"
t_is "$reads" "$(printf '0 %.0s' $(seq 20))" \
	"20 reads while client 3's packets are rejected: no unknown sender in any"

# watch logs each peer whose rejected counter grew.
log=$(mktemp)
nsenter --net="/var/run/netns/$GW_NS" "$WGSF" watch "$GW_IF" --interval 0.3 >"$log" 2>&1 &
watcher=$!
PIDS+=("$watcher")
within 50 grep -q "watching every" "$log"
sleep 1
rejected_pings 1 192.0.2.99 3
# The 3 may fall into one round or two: the lines' increments add up.
lines() { grep -F " rejected peer=${CLIENT_PUB[1]} " "$log"; }
sums() { lines | sed -n 's/.* packets=+\([0-9]*\) total=\([0-9]*\) .*/\1 \2/p' |
	awk '{ n += $1; t = $2 } END { print n + 0, t + 0 }'; }
t_ok "watch: client 1's 3, logged" within 30 eval '[ "$(sums)" = "3 13" ]' ||
	sed 's/^/# watch: /' "$log"
t_is "$(lines | sed 's/ packets=+[0-9]* total=[0-9]*//' | sort -u)" \
	"$GW_IF: rejected peer=${CLIENT_PUB[1]} source=192.0.2.99 destination=192.0.2.1 owner=none" \
	"watch: in key=value lines with the source, destination and owner"
t_is "$(grep -c ' rejected ' "$log")" "$(lines | wc -l)" "watch: no line for another peer"
kill "$watcher" && wait "$watcher"
rm -f "$log"

# What WireGuard rejects counts toward a Quarantine: client 5's 3 spoofed
# echo requests quarantine it (3 within 10 s), and its next legitimate
# packet is a violation of reason quarantined (monitor mode: passed).
make_client 5 192.0.2.15/32 "192.0.2.15 192.0.2.95" || t_skip_all "cannot build client 5"
policy=$(mktemp)
printf '[Peer]\nPublicKey = %s\nQuarantine = 3/10s for 1h\n' "${CLIENT_PUB[5]}" >"$policy"
t_ok "attach with client 5's Quarantine = 3/10s for 1h" attach_gw --policy "$policy"
quarantined() { peer_fields "${CLIENT_PUB[5]}" '[.violations_by_reason.quarantined]'; }
t_ok "client 5's legitimate ping" pings 5 192.0.2.15 1
t_is "$(quarantined)" 0 "passes: not in quarantine"
rejected_pings 5 192.0.2.95 3
t_is "$(rejected "${CLIENT_PUB[5]}" | cut -d' ' -f1)" 3 "WireGuard rejected 3 of client 5's"
t_ok "its next legitimate ping" pings 5 192.0.2.15 1
t_is "$(quarantined)" 1 "is a violation of reason quarantined: the 3 began its quarantine"
rm -f "$policy"

# Site 2: another namespace, an interface of the same name (and ifindex).
GW_NS=wgsf-site2-$ID
make_gateway && make_client 4 192.0.2.14/32 "192.0.2.14 192.0.2.98" || t_skip_all "cannot build site 2"
pings 4 192.0.2.14 1 || t_diag "warm-up ping at site 2 failed"
SITE2_NS=$GW_NS
t_ok "site 2: attach" attach_gw
rejected_pings 4 192.0.2.98 3
t_is "$(rejected "${CLIENT_PUB[4]}")" "3 252 192.0.2.98 192.0.2.1 none" "site 2: its own 3"
GW_NS=$SITE1_NS
t_is "$(rejected "${CLIENT_PUB[1]}" | cut -d' ' -f1-2)" "13 1152" "site 1: nothing of site 2's"

# Site 2 deleted without a detach: its pins and its registration with the
# tracer stay, until orphans --remove. The kernel takes a namespace down in
# the background: its pins are orphaned once it has.
ip netns del "$SITE2_NS"
t_ok "site 2 deleted: rmmod wireguard fails" eval '! rmmod wireguard 2>/dev/null'
t_ok "site 2's pins are orphaned once its namespace is down" within 100 eval '"$WGSF" orphans \
	--json | jq -e --arg i "$GW_IF" "any(.namespaces[]; .interfaces | index(\$i))" >/dev/null'
t_ok "orphans --remove" eval '"$WGSF" orphans --remove >/dev/null'
GW_NS=$SITE1_NS
t_is "$(rejected "${CLIENT_PUB[1]}" | cut -d' ' -f1)" 13 "site 1: its counters untouched"
t_ok "site 1 attached: rmmod wireguard still fails" eval '! rmmod wireguard 2>/dev/null'
t_ok "site 1: detach" detach_gw
t_ok "the last detach removed the tracer" test ! -e "$PINS"
t_ok "then rmmod wireguard succeeds" rmmod wireguard
t_done
