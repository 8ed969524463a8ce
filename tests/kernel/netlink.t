#!/usr/bin/env bash
# Kernel WireGuard only (the kernel lane runs it): the generic-netlink reader
# on a device whose dump spans many messages and splits peers across them,
# and on dumps taken while another process keeps changing a peer, which the
# kernel flags NLM_F_DUMP_INTR and the reader must take again.
. "$(dirname "$0")/../e2e/lib.sh"
[ "$WG_IMPL" = kernel ] || t_skip_all "kernel WireGuard only (run by tests/kernel/lane.t)"
require_e2e
WGREAD=$ROOT/build/tests/tools/wgread
PEERS=400 PER_PEER=30 TOGGLE_PEER=200

make_gateway || t_skip_all "cannot build the gateway"
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
mapfile -t keys < <(random_keys $PEERS)
{
	echo "[Interface]"
	echo "PrivateKey = $GW_KEY"
	for i in $(seq 0 $((PEERS - 1))); do
		aips=
		for ((j = 0; j < PER_PEER; j++)); do
			printf -v p '2001:db8:%x:%x::/64, ' "$i" "$j"
			aips+=$p
		done
		[ "$i" -lt 256 ] && aips+="192.0.2.$i/32, "
		printf '[Peer]\nPublicKey = %s\nAllowedIPs = %s\n' "${keys[i]}" "${aips%, }"
	done
} >"$work/conf"
t_ok "configure $PEERS peers with $PER_PEER+ allowed IPs each" \
	gw_run wg setconf "$GW_IF" "$work/conf"
t_is "$(gw_run wg show "$GW_IF" dump | tail -n +2 | wc -l)" $PEERS "$PEERS peers in WireGuard"
wg_peers >"$work/want"
t_ok "at least $((PEERS * PER_PEER)) allowed IPs" test "$(wc -l <"$work/want")" -ge $((PEERS * PER_PEER))
gw_run "$WGREAD" "$GW_IF" | LC_ALL=C sort >"$work/got"
t_ok "the model read over netlink equals wg show dump" cmp -s "$work/got" "$work/want"

# One peer's allowed IPs flip between two sets of 30 while the dumps run.
key=$(sed -n "$((TOGGLE_PEER + 1))p" <(gw_run wg show "$GW_IF" dump | tail -n +2) | cut -f1)
set_a=$(for j in $(seq 0 29); do printf '2001:db8:ffff:%x::/64,' "$j"; done)
set_b=$(for j in $(seq 0 29); do printf '2001:db8:fffe:%x::/64,' "$j"; done)
for s in a b; do
	eval "aips=\$set_$s"
	gw_run wg set "$GW_IF" peer "$key" allowed-ips "${aips%,}"
	wg_peers >"$work/state_$s"
done
(
	end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ] && [ ! -e "$work/stop" ]; do
		gw_run wg set "$GW_IF" peer "$key" allowed-ips "${set_a%,}"
		gw_run wg set "$GW_IF" peer "$key" allowed-ips "${set_b%,}"
		echo >>"$work/flips"
		sleep 0.02
	done
) &
flipper=$!
consistent=0 reads=10
for r in $(seq $reads); do
	gw_run "$WGREAD" "$GW_IF" | LC_ALL=C sort >"$work/read"
	if cmp -s "$work/read" "$work/state_a" || cmp -s "$work/read" "$work/state_b"; then
		consistent=$((consistent + 1))
	fi
done
touch "$work/stop"
wait "$flipper"
t_ok "the peer was being changed during the dumps" test "$(wc -l <"$work/flips" 2>/dev/null || echo 0)" -gt 0
t_is "$consistent" $reads "every dump taken during the changes is one consistent state"
t_done
