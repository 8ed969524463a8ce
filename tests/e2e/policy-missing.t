#!/usr/bin/env bash
# A policy file moved away or deleted does not stop syncs: peer changes are
# applied with the policy last in force, which the pins hold, and each sync
# warns; `attach --policy none` drops the policy.
. "$(dirname "$0")/lib.sh"
require_e2e

gateway_two_clients
work=$WORK
printf '[Peer]\nPublicKey = %s\nBlock = true\n' "${CLIENT_PUB[2]}" >"$work/block.pol"
dropped() { ! in_ns "${CLIENT_NS[2]}" ping -n -q -c 2 -i 0.05 -W 0.5 -I 192.0.2.12 192.0.2.1 >/dev/null; }

t_ok "attach in enforce mode, client 2 blocked" attach_gw --mode enforce --policy "$work/block.pol"
mv "$work/block.pol" "$work/moved.pol"
new=$(wg genkey | wg pubkey)
gw_run wg set "$GW_IF" peer "$new" allowed-ips 203.0.113.9/32
sync_out() { wgsf_gw sync "$GW_IF" 2>"$work/err"; }
t_is "$(sync_out):$?" "$GW_IF: peers +1 -0, allowed ips +1 ~0 -0:0" \
	"sync with the policy file gone: the new peer is applied, exit 0"
t_is "$(cat "$work/err")" \
	"wgsf: warning: $work/block.pol: No such file or directory; the policy last read from it stays in force" \
	"with a warning that says what stays in force"
t_is "$(peer_field "$new" allowed_ips[0])" 203.0.113.9/32 "the new peer is in the tables"
t_is "$(peer_field "${CLIENT_PUB[2]}" policy.blocked):$(iface_field policy_file)" \
	"true:$work/block.pol" "client 2 still blocked by the policy last read"
t_ok "and its pings are dropped" dropped
gw_run wg set "$GW_IF" peer "$new" remove
t_is "$(sync_out):$(cat "$work/err")" "$GW_IF: peers +0 -1, allowed ips +0 ~0 -1:wgsf: warning: $work/block.pol: No such file or directory; the policy last read from it stays in force" \
	"the next sync applies the removal, and warns again"

t_is "$(wgsf_gw attach "$GW_IF" --policy none | head -n 1)" \
	"$GW_IF: tc ($(tc_mechanism)), enforce mode; peers +0 -0, allowed ips +0 ~0 -0, policy rules +0 -0, flags ~1" \
	"attach --policy none: the policy is dropped, the mode kept"
t_is "$(peer_field "${CLIENT_PUB[2]}" policy.blocked):$(iface_field policy_file)" "false:null" \
	"client 2 is no longer blocked, no policy file"
t_ok "its pings pass" pings 2 192.0.2.12 2
t_is "$(sync_out):$(cat "$work/err")" "$GW_IF: peers +0 -0, allowed ips +0 ~0 -0:" \
	"a sync without a policy says nothing more"
t_done
