#!/usr/bin/env bash
# An interface name the kernel takes but bpffs's own rules would not: a dot,
# which bpffs refuses in a pin's name, bytes past ASCII, and a control
# character. wgsf attaches, counts, lists, shows and detaches it by its own
# name, and shows it to people with the control character escaped.
. "$(dirname "$0")/lib.sh"
require_e2e

GW_IF=$'w.\xc3\xa9\x01'$ID
SHOWN="w.é\\x01$ID" # as people see it
make_gateway || t_skip_all "cannot build a gateway named $GW_IF"
make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the client"

out=$(gw_run timeout 20 "$WGSF" attach "$GW_IF")
t_is "$?:${out%%;*}" "0:$SHOWN: tc ($(tc_mechanism)), monitor mode" "attach $SHOWN, named as people see it"
ATTACHED+=("$GW_NS $GW_IF")
t_is "$(wgsf_gw show "$GW_IF" | head -1)" "interface: $SHOWN" "show, for people: escaped"
t_ok "pings pass" pings 1 192.0.2.11 3
t_is "$(wgsf_gw show --json | jq -r '.interfaces[].name')" "$GW_IF" "show lists it by its name"
t_is "$(peer_field "${CLIENT_PUB[1]}" rx_packets)" 3 "its peer's 3 packets counted"
# watch's log too (nsenter execs wgsf, so $! is the watch itself)
log=$(mktemp)
trap 'cleanup; rm -f "$log"' EXIT
nsenter --net="/var/run/netns/$GW_NS" "$WGSF" watch "$GW_IF" >"$log" 2>&1 &
watcher=$!
PIDS+=("$watcher")
t_ok "watch logs it escaped" within 300 grep -qxF "$SHOWN: watching every 1 seconds" "$log"
kill "$watcher" && wait "$watcher"
pin=$'w:\xc3\xa9\x01'$ID
t_is "$(find /sys/fs/bpf/wgsf -maxdepth 2 -name "$pin" | wc -l)" 1 \
	"pinned under w:é\\x01$ID, as bpffs refuses dots"
t_is "$(wgsf_gw detach "$GW_IF")" "$SHOWN: detached" "detach $SHOWN"
t_is "$(find /sys/fs/bpf/wgsf -maxdepth 2 -name "$pin" 2>/dev/null | wc -l)" 0 "no pins left"
t_done
