#!/usr/bin/env bash
# An interface name the kernel takes but bpffs's own rules would not: a dot,
# which bpffs refuses in a pin's name, and bytes past ASCII. wgsf attaches,
# counts, lists, shows and detaches it by its own name.
. "$(dirname "$0")/lib.sh"
require_e2e

GW_IF=$'w.\xc3\xa9'$ID
make_gateway || t_skip_all "cannot build a gateway named $GW_IF"
make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the client"

t_ok "attach $GW_IF" attach_gw
t_ok "pings pass" pings 1 192.0.2.11 3
t_is "$(wgsf_gw show --json | jq -r '.interfaces[].name')" "$GW_IF" "show lists it by its name"
t_is "$(peer_field "${CLIENT_PUB[1]}" rx_packets)" 3 "its peer's 3 packets counted"
t_is "$(find /sys/fs/bpf/wgsf -maxdepth 2 -name $'w:\xc3\xa9'"$ID" | wc -l)" 1 \
	"pinned under w:é$ID, as bpffs refuses dots"
t_ok "detach $GW_IF" detach_gw
t_is "$(find /sys/fs/bpf/wgsf -maxdepth 2 -name $'w:\xc3\xa9'"$ID" 2>/dev/null | wc -l)" 0 "no pins left"
t_done
