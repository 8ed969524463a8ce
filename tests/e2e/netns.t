#!/usr/bin/env bash
# The same interface name attached in two network namespaces at once, with
# independent counters. wireguard-go names its socket after the interface in
# a directory all namespaces share, so there each gateway (and the wg and
# wgsf commands for it) lives in a mount namespace with a private
# /var/run/wireguard; bpffs stays the one they all share.
. "$(dirname "$0")/lib.sh"
require_e2e
command -v unshare >/dev/null || t_skip_all "needs unshare (util-linux)"

MNT=/run/wgsf-mnt-$ID
mkdir -p /var/run/wireguard "$MNT"
mount --bind "$MNT" "$MNT" && mount --make-private "$MNT" ||
	t_skip_all "cannot make a private mount for mount namespaces"
trap 'cleanup; umount "$MNT"/m* 2>/dev/null; umount "$MNT"; rm -rf "$MNT"' EXIT

GW_IF=wsn$ID
declare -A SITE_NS SITE_PUB
for s in 1 2; do
	GW_NS=wgsf-site$s-$ID
	GW_MNT=
	if [ "$WG_IMPL" = go ]; then
		GW_MNT=$MNT/m$s
		touch "$GW_MNT" && unshare --mount="$GW_MNT" --propagation private \
			mount -t tmpfs wgsf-wg /var/run/wireguard ||
			t_skip_all "cannot make mount namespaces"
	fi
	make_gateway && make_client "$s" "192.0.2.$((10 + s))/32" "192.0.2.$((10 + s))" ||
		t_skip_all "cannot build site $s"
	pings "$s" "192.0.2.$((10 + s))" 1 || t_diag "warm-up ping at site $s failed"
	t_ok "site $s: attach $GW_IF" attach_gw
	SITE_NS[$s]=$GW_NS
	SITE_PUB[$s]=${CLIENT_PUB[$s]}
done

t_ok "site 1: 4 pings" pings 1 192.0.2.11 4
t_ok "site 2: 7 pings" pings 2 192.0.2.12 7
for s in 1 2; do
	GW_NS=${SITE_NS[$s]} GW_MNT=${GW_MNT:+$MNT/m$s}
	want=4
	[ "$s" = 2 ] && want=7
	t_is "$(peer_field "${SITE_PUB[$s]}" rx_packets)" "$want" "site $s: counts its own pings only"
	t_is "$(wgsf_gw show --json | jq '.interfaces | length')" 1 "site $s: one interface shown"
done
GW_NS=${SITE_NS[1]} GW_MNT=${GW_MNT:+$MNT/m1}
t_ok "site 1: detach" detach_gw
GW_NS=${SITE_NS[2]} GW_MNT=${GW_MNT:+$MNT/m2}
t_ok "site 2: pings still counted after site 1 detached" pings 2 192.0.2.12 2
t_is "$(peer_field "${SITE_PUB[2]}" rx_packets)" 9 "site 2: its counters are untouched"
t_done
