#!/usr/bin/env bash
# wgsf watch: applies WireGuard's changes within two intervals, re-reads the
# policy on SIGHUP only (keeping the previous one when the file is bad),
# waits for a vanished interface and attaches again when it returns, and on
# SIGTERM ends leaving the program attached.
. "$(dirname "$0")/lib.sh"
require_e2e

INTERVAL=0.5
make_gateway || t_skip_all "cannot build the gateway"
GW_WG_PID=${PIDS[0]:-}
make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the client"
pings 1 192.0.2.11 1 || t_diag "warm-up ping failed"
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
printf '[Interface]\nMode = monitor\n' >"$work/policy"
t_ok "attach with a policy" attach_gw --policy "$work/policy"

# nsenter execs wgsf, so $! is the watch itself
nsenter --net="/var/run/netns/$GW_NS" "$WGSF" watch "$GW_IF" --interval $INTERVAL >"$work/log" 2>&1 &
watcher=$!
PIDS+=("$watcher")
logged() { grep -qF -- "$1" "$work/log"; }
blocked() { [ "$(peer_field "${CLIENT_PUB[1]}" policy.blocked)" = "$1" ]; }
same_tables() { [ "$(wgsf_peers)" = "$(wg_peers)" ]; }

t_ok "watch starts" within 30 logged "$GW_IF: watching every 0.5 seconds"
new=$(wg genkey | wg pubkey)
gw_run wg set "$GW_IF" peer "$new" allowed-ips 203.0.113.200/32
t_ok "a peer added with wg set is applied within two intervals" within 10 same_tables
t_ok "one log line for it" within 5 logged "$GW_IF: peers +1 -0, allowed ips +1 ~0 -0"

printf '[Peer]\nPublicKey = %s\nBlock = true\n' "${CLIENT_PUB[1]}" >>"$work/policy"
sleep 1.5
t_ok "an edited policy is not applied before SIGHUP" blocked false
kill -HUP "$watcher"
t_ok "after SIGHUP it is" within 12 blocked true
t_ok "and logged" logged "$GW_IF: policy $work/policy: its new text is in force (the file changed since it was last read)"

printf '[Peer]\nPublicKey = nonsense\n' >"$work/policy"
kill -HUP "$watcher"
t_ok "a bad policy on SIGHUP says why" within 12 \
	logged "$GW_IF: warning: $work/policy:2: invalid public key 'nonsense'; the policy last read from it stays in force"
t_ok "and that it was not applied" within 12 \
	logged "$GW_IF: policy $work/policy not applied, the previous one stays"
t_ok "and the previous policy stays in force" blocked true

if [ "$WG_IMPL" = kernel ]; then
	conf=$(gw_run wg showconf "$GW_IF")
	gw_run ip link del "$GW_IF"
else
	conf=$(gw_run wg showconf "$GW_IF")
	kill "$GW_WG_PID" && wait "$GW_WG_PID" 2>/dev/null
fi
t_ok "a vanished interface is noticed" within 20 logged "$GW_IF: interface gone; waiting for it to return"
t_ok "the watch waits, still running" kill -0 "$watcher"
start_wg "$GW_NS" "$GW_IF" && gw_run wg setconf "$GW_IF" <(echo "$conf") &&
	ip -n "$GW_NS" addr add 192.0.2.1/32 dev "$GW_IF" && ip -n "$GW_NS" link set "$GW_IF" up &&
	ip -n "$GW_NS" route add 192.0.2.11/32 dev "$GW_IF"
t_ok "when it returns, it is attached again" within 30 logged "$GW_IF: interface back; attached again"
t_ok "with its tables" within 10 same_tables
t_is "$(iface_field mechanism)" "$(tc_mechanism)" "on the new interface's tc hook"
# the client's session died with the old interface: start a fresh one now
# rather than wait for WireGuard's own timeouts
client_conf=$(in_ns "${CLIENT_NS[1]}" wg showconf "${CLIENT_IF[1]}")
in_ns "${CLIENT_NS[1]}" wg setconf "${CLIENT_IF[1]}" <(echo "$client_conf")
before=$(peer_field "${CLIENT_PUB[1]}" violations_by_reason.blocked)
t_ok "2 pings from the blocked client (monitor mode: they pass)" pings 1 192.0.2.11 2
t_is "$(peer_field "${CLIENT_PUB[1]}" violations_by_reason.blocked)" $((before + 2)) \
	"counted as blocked on the new interface"

kill -TERM "$watcher"
wait "$watcher"
t_is "$?" 0 "SIGTERM ends the watch with exit 0"
t_ok "saying so" logged "$GW_IF: watch ended; the program stays attached"
t_ok "and the program stays attached" sh -c "nsenter --net=/var/run/netns/$GW_NS $WGSF show $GW_IF >/dev/null"

# A signal ends the wait between rounds at once, however long the interval.
nsenter --net="/var/run/netns/$GW_NS" "$WGSF" watch "$GW_IF" --interval 3600 >"$work/long" 2>&1 &
watcher=$!
PIDS+=("$watcher")
t_ok "a watch every 3600 seconds starts" within 30 grep -qF "$GW_IF: watching every 3600 seconds" "$work/long"
sleep 0.5 # into its wait
start=$(now_ms)
kill -TERM "$watcher"
wait "$watcher"
rc=$?
ms=$(($(now_ms) - start))
t_diag "ended ${ms} ms after SIGTERM"
t_is "$rc:$((ms < 1000)):$(tail -1 "$work/long")" "0:1:$GW_IF: watch ended; the program stays attached" \
	"SIGTERM ends a watch with --interval 3600 within a second, exit 0"

# The same signal, sent just before the wait begins (by a library the watch
# preloads), which a check of a flag followed by a sleep would miss.
late() {
	# a sanitized wgsf takes a preloaded library after its runtime
	nsenter --net="/var/run/netns/$GW_NS" timeout 20 env \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		LD_PRELOAD="$BUILD_DIR/tests/tools/signal_before_wait.so" \
		"$WGSF" watch "$GW_IF" --interval 3600
}
start=$(now_ms)
late >"$work/late" 2>&1
rc=$?
ms=$(($(now_ms) - start))
t_diag "ended ${ms} ms after it started"
t_is "$rc:$((ms < 5000)):$(tail -1 "$work/late")" "0:1:$GW_IF: watch ended; the program stays attached" \
	"a SIGTERM just before the wait ends it at once too"
t_done
