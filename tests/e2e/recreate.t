#!/usr/bin/env bash
# WireGuard restarted (wireguard-go) or its interface deleted and made again
# (kernel): the new interface has nothing attached until the next sync, and
# show, show --json and lookup say so instead of claiming the old hook; the
# blocked client's packets pass, as they really do. The sync that attaches
# again says so, and then they are dropped again, counters kept.
. "$(dirname "$0")/lib.sh"
require_e2e

gateway_two_clients
policy=$WORK/policy
printf '[Peer]\nPublicKey = %s\nBlock = true\n' "${CLIENT_PUB[2]}" >"$policy"
blocked_fails() { ! in_ns "${CLIENT_NS[2]}" ping -n -q -c 2 -i 0.05 -W 1 -I 192.0.2.12 192.0.2.1 >/dev/null; }
field() { peer_field "${CLIENT_PUB[$1]}" "$2"; }

t_ok "attach in enforce mode, client 2 blocked" attach_gw --mode enforce --policy "$policy"
t_ok "client 2's pings are dropped" blocked_fails
t_is "$(field 2 drop_packets)" 2 "2 drops counted"

t_ok "WireGuard restarted: a new interface of the same name" restart_gw_wg
out=$(wgsf_gw show "$GW_IF")
t_is "$(echo "$out" | grep '^  hook:')" \
	"  hook: none: not attached to the current $GW_IF (re-created); run 'wgsf sync $GW_IF'" \
	"show: not attached to the re-created interface"
t_is "$(echo "$out" | grep '^  mode:')" "  mode: enforce (not in force)" "show: the mode is not in force"
t_is "$(iface_field hook_state)" interface-recreated "show --json: hook_state says so"
t_is "$(wgsf_gw lookup "$GW_IF" 192.0.2.12 | grep '^verdict')" \
	"verdict: violation (blocked): passed, since nothing wgsf attached runs on the current $GW_IF (enforce mode when it does); run 'wgsf sync $GW_IF'" \
	"lookup: the blocked client's packets pass"
t_is "$(wgsf_gw lookup "$GW_IF" 192.0.2.12 --json | jq -r .action)" pass "lookup --json: action pass"
t_ok "and they do pass" pings 2 192.0.2.12 2
t_is "$(field 2 drop_packets)" 2 "not counted: nothing of ours runs"

t_is "$(wgsf_gw sync "$GW_IF")" "$GW_IF: peers +0 -0, allowed ips +0 ~0 -0
$GW_IF: $GW_IF was re-created: attached to the new one" "sync attaches again and says so"
t_is "$(iface_field hook_state):$(iface_field mechanism)" "attached:$(tc_mechanism)" \
	"show: attached to the new interface"
t_is "$(ours_on_hook "$GW_NS" "$GW_IF")" 2 "both our programs run on it, ingress and egress"
t_ok "client 2's pings are dropped again" blocked_fails
t_is "$(field 2 drop_packets)" 4 "counted on from the old interface's drops"
t_ok "client 1's pass" pings 1 192.0.2.11 2
t_done
