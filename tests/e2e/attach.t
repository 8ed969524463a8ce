#!/usr/bin/env bash
# attach is idempotent: again, it re-syncs and applies new options (mode)
# keeping every counter; the maps grow when the device outgrows them,
# counters kept; concurrent commands on one interface are serialised.
. "$(dirname "$0")/lib.sh"
require_e2e

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the client"
pings 1 192.0.2.11 1 || t_diag "warm-up ping failed"
rx() { peer_field "${CLIENT_PUB[1]}" rx_packets; }

t_ok "attach" attach_gw
t_ok "3 pings" pings 1 192.0.2.11 3
t_ok "attach again, enforce mode" attach_gw --mode enforce
t_is "$(iface_field mode)" enforce "the mode is enforce"
t_is "$(rx)" 3 "counters kept"
t_ok "2 pings" pings 1 192.0.2.11 2
t_is "$(rx)" 5 "counted on from where they were"
t_ok "attach again, --hook tc and monitor" attach_gw --hook tc --mode monitor
t_is "$(iface_field hook):$(iface_field mechanism):$(iface_field mode)" \
	"tc:$(tc_mechanism):monitor" "on tc, monitoring"
# Without the privilege to read other programs, the one that runs is known
# for ours where it is the one pinned (the metrics unit runs so).
bpf_only() { gw_run setpriv --inh-caps=-all,+bpf --ambient-caps=-all,+bpf --bounding-set=-all,+bpf "$WGSF" "$@"; }
t_is "$(bpf_only show "$GW_IF" --json | jq -r '.interfaces[0].hook_state')" attached \
	"CAP_BPF alone: hook_state attached, from the program pinned"
t_is "$(bpf_only show "$GW_IF" | grep -E '^  (hook|mode):' | tr -s ' ')" \
	" hook: tc ($(tc_mechanism))
 mode: monitor" "CAP_BPF alone: show says so"

# An attach that cannot open what is in force (here: out of file
# descriptors, at each of many limits) fails and leaves it as it was; it
# once took it for the leftovers of a first attach and removed it.
broken=""
for n in $(seq 8 4 40); do
	gw_run bash -c "ulimit -n $n && exec \"\$0\" attach \"\$1\"" "$WGSF" "$GW_IF" >/dev/null 2>&1
	[ "$(wgsf_gw show "$GW_IF" --json | jq -r '.interfaces[0].hook_state')" = attached ] ||
		broken="$broken $n"
done
t_is "$broken" "" "attach with 8 to 40 file descriptors: the attachment in force kept"
t_is "$(rx)" 5 "and its counters"

# More peers than the first attach sized the maps for (256 slots).
conf=$(mktemp)
trap 'cleanup; rm -f "$conf"' EXIT
random_keys 400 | awk '{ printf "peer %s allowed-ips 2001:db8:%x::/48 ", $1, NR }' >"$conf"
# shellcheck disable=SC2046
t_ok "400 more peers in WireGuard" gw_run wg set "$GW_IF" $(cat "$conf")
t_is "$(wgsf_gw sync "$GW_IF")" "$GW_IF: peers +400 -0, allowed ips +400 ~0 -0
$GW_IF: the maps grew to hold the change" "sync grows the maps, adds them, and says so"
t_is "$(wgsf_gw show "$GW_IF" --json | jq '.interfaces[0].peers | length')" 401 "401 peers shown"
t_is "$(rx)" 5 "the first peer's counters survived the growth"
t_ok "2 pings" pings 1 192.0.2.11 2
t_is "$(rx)" 7 "and it counts on"
t_is "$(wgsf_peers)" "$(wg_peers)" "tables equal WireGuard's peers"

# Eight commands at once on one interface: each waits its turn.
pids=()
for i in 1 2 3 4; do
	wgsf_gw sync "$GW_IF" >/dev/null & pids+=($!)
	wgsf_gw attach "$GW_IF" >/dev/null & pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
t_is "$failed" 0 "eight concurrent syncs and attaches all succeed"
t_is "$(wgsf_peers)" "$(wg_peers)" "and leave the tables equal to WireGuard's"
t_is "$(rx)" 7 "counters untouched"
t_ok "detach" detach_gw
t_done
