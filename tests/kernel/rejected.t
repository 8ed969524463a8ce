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

# What the tracer holds for the gateway, in one reading: "total PACKETS
# BYTES", then a line "KEY PACKETS BYTES SRC DST OWNER" per sender.
rejected() {
	tracer_gw read "$GW_IF" | awk -F'\t' '$1 == "total" { print "total", $2, $3 }
		$1 == "peer" { print $2, $3, $4, $5, $6, $7 }'
}

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
t_is "$(rejected)" "total 0 0" "good traffic: nothing rejected, no sender listed"

errors0=$(frame_errors)
rejected_pings 1 192.0.2.99 5
rejected_pings 1 2001:db8::99 3
t_is "$(rejected)" "total 8 732
${CLIENT_PUB[1]} 8 732 2001:db8::99 2001:db8::1 none" \
	"5 IPv4 (84 B) and 3 IPv6 (104 B) from no peer's sources: client 1's, the last one, owner none"
rejected_pings 1 192.0.2.12 2
after=$(rejected)
t_is "$after" "total 10 900
${CLIENT_PUB[1]} 10 900 192.0.2.12 192.0.2.1 ${CLIENT_PUB[2]}" \
	"2 from client 2's address: client 1's, owner client 2; client 2 has none"
t_is "$(($(frame_errors) - errors0))" 10 "rx_frame_errors grew by the rejected total, 10"
age=$(tracer_gw read "$GW_IF" | awk -F'\t' '$1 == "peer" { print $8 }')
t_ok "the last rejection is recent ($age s)" test "$age" -le 30

t_ok "good traffic from client 2" pings 2 192.0.2.12 2
t_ok "enable again (as a re-attach does)" tracer_gw enable "$GW_IF"
t_is "$(rejected)" "$after" "good traffic, then enable again: counters as they were"

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
t_ok "site 2: enable" tracer_gw enable "$GW_IF"
rejected_pings 3 192.0.2.98 3
site2="total 3 252
${CLIENT_PUB[3]} 3 252 192.0.2.98 192.0.2.1 none"
t_is "$(rejected)" "$site2" "site 2: its own 3 only"
t_is "$(site1 rejected)" "$after" "site 1: nothing of site 2's"

# The module is in use while any interface is registered.
t_ok "site 1: disable" site1 tracer_gw disable "$GW_IF"
t_ok "site 1: no longer registered" eval '! site1 tracer_gw read "$GW_IF" 2>/dev/null'
t_is "$(rejected)" "$site2" "site 2: counters untouched by site 1's disable"
t_ok "site 2 registered: rmmod wireguard fails" eval '! rmmod wireguard 2>/dev/null'
t_ok "site 2: disable" tracer_gw disable "$GW_IF"
t_ok "the last disable removed the tracer" test ! -e "$PINS"
t_ok "then rmmod wireguard succeeds" rmmod wireguard
t_done
