#!/usr/bin/env bash
# No false drops: in enforce mode, with steady allowed traffic from several
# peers under policy, 200 syncs that add and remove unrelated peers and
# policy lines lose none of it: every echo request sent is answered, and no
# peer has a drop.
. "$(dirname "$0")/lib.sh"
require_e2e
SYNCS=200
# In the kernel lane a sync under TCG takes most of a second, so that the
# 12 s of traffic below overlap only its first 15 or so; 40 there.
if [ "$WG_IMPL" = kernel ]; then SYNCS=40; fi

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 198.51.100.0/24 "198.51.100.10" &&
	make_client 2 192.0.2.16/28 "192.0.2.17" &&
	make_client 3 192.0.2.11/32,2001:db8::11/128 "192.0.2.11 2001:db8::11" ||
	t_skip_all "cannot build the clients"
for c in 1 2 3; do pings "$c" "${CLIENT_ADDR[$c]}" 1 || t_diag "warm-up ping from $c failed"; done
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT
policy() { # the allowed traffic's rules, plus LINES of unrelated ones
	printf '[Interface]\nMode = enforce\n'
	printf '[Peer]\nPublicKey = %s\nAllowedSources = 198.51.100.10/32\n' "${CLIENT_PUB[1]}"
	printf '[Peer]\nPublicKey = %s\nAllowedDestinations = 192.0.2.1/32\n' "${CLIENT_PUB[2]}"
	printf '[Peer]\nPublicKey = %s\nAllowedSources = 192.0.2.11/32, 2001:db8::11/128\n' \
		"${CLIENT_PUB[3]}"
	cat "$work/extra" 2>/dev/null
}
policy >"$work/policy"
t_ok "attach in enforce mode with a policy on every client" attach_gw --policy "$work/policy"

# Steady traffic, bounded: 600 requests at 20 ms from each source.
for src in 1:198.51.100.10 2:192.0.2.17 3:192.0.2.11 3:2001:db8::11; do
	c=${src%%:*} a=${src#*:} dst=192.0.2.1
	case $a in *:*) dst=2001:db8::1 ;; esac
	in_ns "${CLIENT_NS[$c]}" ping -n -q -c 600 -i 0.02 -W 2 -I "$a" "$dst" \
		>"$work/ping-$c-$a" 2>&1 &
	PIDS+=($!)
	pingers+=($!)
done

failed=0
mapfile -t keys < <(random_keys $SYNCS)
for i in $(seq $SYNCS); do
	key=${keys[i - 1]}
	if [ $((i % 2)) = 1 ]; then
		gw_run wg set "$GW_IF" peer "$key" allowed-ips "2001:db8:ff:$i::/64"
		printf '[Peer]\nPublicKey = %s\nAllowedSources = 2001:db8:ff:%x::1/128\n' "$key" "$i" \
			>"$work/extra"
	else
		gw_run wg set "$GW_IF" peer "$last" remove
		printf '[Peer]\nPublicKey = %s\nBlock = true\n' "$key" >"$work/extra"
	fi
	last=$key
	policy >"$work/policy"
	wgsf_gw sync "$GW_IF" >/dev/null 2>&1 || failed=$((failed + 1))
done
t_is "$failed" 0 "$SYNCS syncs, each adding or removing an unrelated peer and policy lines"
for p in "${pingers[@]}"; do wait "$p"; done
for f in "$work"/ping-*; do
	sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$f")
	got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$f")
	t_is "$sent:$got" "600:600" "${f##*/ping-}: every request answered"
done
for c in 1 2 3; do
	t_is "$(peer_field "${CLIENT_PUB[$c]}" drop_packets):$(peer_field "${CLIENT_PUB[$c]}" \
		violation_packets)" "0:0" "client $c: no drops, no violations"
done
t_is "$(wgsf_peers)" "$(wg_peers)" "the tables end equal to WireGuard's"
t_done
