#!/usr/bin/env bash
# Kernel WireGuard only (the kernel lane runs it): the tracer counts what
# WireGuard itself drops because a packet's source lies outside its sender's
# allowed IPs, exactly, per sender and per interface, in two namespaces with
# an interface of the same name; and it lets the wireguard module go when
# the last interface is unregistered.
. "$(dirname "$0")/../e2e/lib.sh"
[ "$WG_IMPL" = kernel ] || t_skip_all "kernel WireGuard only (run by tests/kernel/lane.t)"
require_e2e
TRACER=$ROOT/build/tests/tools/tracer
PINS=/sys/fs/bpf/wgsf/tracer
# The module goes away at the end: bring it back for whatever runs next.
trap 'cleanup; modprobe wireguard' EXIT

frame_errors() {
	gw_run ip -j -s -s link show dev "$GW_IF" | jq '.[0].stats64.rx.frame_errors'
}

# COUNT echo requests from client N's SRC that WireGuard drops, so that none
# is answered; returns once the gateway's rx_frame_errors counted them all.
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

tracer_gw() { gw_run "$TRACER" "$@"; }
site1() { GW_NS=$SITE1_NS "$@"; }

# One line of `tracer read` for the gateway: the total, or a sender's.
total() { tracer_gw read "$GW_IF" | awk -F'\t' '$1 == "total" { print $2, $3 }'; }
sender() { # KEY: "PACKETS BYTES SRC DST OWNER"
	tracer_gw read "$GW_IF" | awk -F'\t' -v k="$1" '$2 == k { print $3, $4, $5, $6, $7 }'
}
senders() { tracer_gw read "$GW_IF" | grep -c '^peer'; }

# Client 1 may send from .11 and ::11 only; it also holds addresses that no
# peer has (.99, ::99) and one of client 2's (.12).
make_gateway &&
	make_client 1 192.0.2.11/32,2001:db8::11/128 \
		"192.0.2.11 2001:db8::11 192.0.2.99 2001:db8::99 192.0.2.12" &&
	make_client 2 192.0.2.12/32 192.0.2.12 || t_skip_all "cannot build the gateway"
SITE1_NS=$GW_NS
pings 1 192.0.2.11 1 && pings 2 192.0.2.12 1 || t_diag "warm-up pings failed"

t_is "$("$TRACER" status)" visible "the module has BTF: visible"
t_is "$(tracer_gw status "$GW_IF")" visible "$GW_IF is kernel WireGuard: visible"
t_ok "enable $GW_IF" tracer_gw enable "$GW_IF"
t_ok "the tracer is pinned" test -e "$PINS/link"

t_ok "good traffic: 3 IPv4 and 2 IPv6 pings answered" eval 'pings 1 192.0.2.11 3 && pings 1 2001:db8::11 2'
t_is "$(total)" "0 0" "good traffic: nothing rejected"
t_is "$(senders)" 0 "good traffic: no sender listed"

errors0=$(frame_errors)
rejected_pings 1 192.0.2.99 5
rejected_pings 1 2001:db8::99 3
t_is "$(total)" "8 732" "5 IPv4 (84 B) and 3 IPv6 (104 B) from sources of no peer"
t_is "$(sender "${CLIENT_PUB[1]}")" "8 732 2001:db8::99 2001:db8::1 none" \
	"client 1: counted, last source and destination, owner none"
rejected_pings 1 192.0.2.12 2
t_is "$(sender "${CLIENT_PUB[1]}")" "10 900 192.0.2.12 192.0.2.1 ${CLIENT_PUB[2]}" \
	"client 1 sending from client 2's address: owner client 2"
t_is "$(sender "${CLIENT_PUB[2]}")" "" "client 2: nothing rejected"
t_is "$(($(frame_errors) - errors0))" 10 "rx_frame_errors grew by the rejected total"
age=$(tracer_gw read "$GW_IF" | awk -F'\t' '$1 == "peer" { print $8 }')
t_ok "the last rejection is recent ($age s)" test "$age" -le 30

t_ok "good traffic from client 2" pings 2 192.0.2.12 2
t_is "$(total)" "10 900" "good traffic after rejections: nothing added"
t_ok "enable again (as a re-attach does)" tracer_gw enable "$GW_IF"
t_is "$(total)" "10 900" "enable again: counters kept"

# Site 2: another namespace, an interface of the same name and ifindex.
GW_NS=wgsf-site2-$ID
make_gateway && make_client 3 192.0.2.13/32 "192.0.2.13 192.0.2.98" ||
	t_skip_all "cannot build site 2"
pings 3 192.0.2.13 1 || t_diag "warm-up ping at site 2 failed"
SITE2_NS=$GW_NS
t_is "$(ip -n "$SITE2_NS" -j link show "$GW_IF" | jq '.[0].ifindex')" \
	"$(ip -n "$SITE1_NS" -j link show "$GW_IF" | jq '.[0].ifindex')" \
	"site 2: $GW_IF has site 1's ifindex: only the namespace tells them apart"
errors0=$(frame_errors)
rejected_pings 3 192.0.2.98 4
t_is "$(($(frame_errors) - errors0))" 4 "site 2, unregistered: WireGuard dropped 4"
t_ok "site 2, unregistered: not counted" eval '! tracer_gw read "$GW_IF" 2>/dev/null'
t_is "$(site1 total)" "10 900" "site 1: nothing of site 2's"
t_ok "site 2: enable" tracer_gw enable "$GW_IF"
rejected_pings 3 192.0.2.98 3
t_is "$(sender "${CLIENT_PUB[3]}")" "3 252 192.0.2.98 192.0.2.1 none" "site 2: its own 3 only"
t_is "$(site1 total)" "10 900" "site 1: still its own only"

# The module is in use while any interface is registered.
t_ok "site 1: disable" site1 tracer_gw disable "$GW_IF"
t_ok "site 1: no longer registered" eval '! site1 tracer_gw read "$GW_IF" 2>/dev/null'
t_is "$(total)" "3 252" "site 2: counters untouched by site 1's disable"
t_ok "site 2 registered: rmmod wireguard fails" eval '! rmmod wireguard 2>/dev/null'
t_ok "site 2: disable" tracer_gw disable "$GW_IF"
t_ok "the last disable removed the tracer" test ! -e "$PINS"
t_ok "then rmmod wireguard succeeds" rmmod wireguard
t_done
