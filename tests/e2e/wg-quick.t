#!/usr/bin/env bash
# The wg-quick lines that README.md and wgsf(8) give, for real: a gateway
# brought up by `wg-quick up` on wireguard-go with `PostUp = wgsf attach %i
# --mode enforce --policy .../%i.policy` is attached with its policy and
# counts a client's packets exactly; `wg-quick down` runs `PreDown = wgsf
# detach %i` and leaves no pins, no interface and no wireguard-go behind.
# The kernel lane runs it on kernel WireGuard, which wg-quick prefers.
. "$(dirname "$0")/lib.sh"
require_e2e
command -v wg-quick >/dev/null || t_skip_all "needs wg-quick (tools/deps.sh test installs it)"

GW_NS=wgsf-wq-$ID
CL_NS=wgsf-wqc-$ID
GW_IF=wqg$ID # wg-quick names the interface after its file
CL_IF=wqc$ID
new_ns "$GW_NS" && new_ns "$CL_NS" &&
	ip -n "$GW_NS" link add ve type veth peer name ve netns "$CL_NS" &&
	ip -n "$GW_NS" addr add 203.0.113.1/30 dev ve && ip -n "$GW_NS" link set ve up &&
	ip -n "$CL_NS" addr add 203.0.113.2/30 dev ve && ip -n "$CL_NS" link set ve up ||
	t_skip_all "cannot build the namespaces"
SOCKETS+=("/var/run/wireguard/$GW_IF.sock" "/var/run/wireguard/$CL_IF.sock")
WORK=$(mktemp -d)
# wg-quick's interfaces go with their namespaces, and wireguard-go with them
trap 'cleanup; rm -rf "$WORK"' EXIT

GW_KEY=$(wg genkey) CL_KEY=$(wg genkey)
umask 077
cat >"$WORK/$GW_IF.conf" <<CONF
[Interface]
PrivateKey = $GW_KEY
ListenPort = 51820
Address = 192.0.2.1/32
PostUp = $WGSF attach %i --mode enforce --policy $WORK/%i.policy
PreDown = $WGSF detach %i

[Peer]
PublicKey = $(echo "$CL_KEY" | wg pubkey)
AllowedIPs = 192.0.2.8/29
CONF
cat >"$WORK/$CL_IF.conf" <<CONF
[Interface]
PrivateKey = $CL_KEY
Address = 192.0.2.11/32, 192.0.2.12/32

[Peer]
PublicKey = $(echo "$GW_KEY" | wg pubkey)
Endpoint = 203.0.113.1:51820
AllowedIPs = 192.0.2.1/32
CONF
CL_PUB=$(echo "$CL_KEY" | wg pubkey)
# of its allowed IPs, the client may send from 192.0.2.11 only
cat >"$WORK/$GW_IF.policy" <<CONF
[Peer]
PublicKey = $CL_PUB
AllowedSources = 192.0.2.11/32
CONF

# wg-quick in NS; wireguard-go, which it starts in the background, must not
# hold the output open.
wg_quick() { # NS up|down CONF
	nsenter --net="/var/run/netns/$1" env WG_QUICK_USERSPACE_IMPLEMENTATION=wireguard-go \
		wg-quick "$2" "$3" >"$WORK/out" 2>&1 </dev/null ||
		{ sed 's/^/# wg-quick: /' "$WORK/out"; return 1; }
}
# wireguard-go processes serving IFACE, found by their exact command line
wg_go_pids() { # IFACE
	local f
	for f in /proc/[0-9]*/cmdline; do
		[ "$(tr '\0' ' ' 2>/dev/null <"$f")" = "wireguard-go $1 " ] && f=${f#/proc/} && echo "${f%/cmdline}"
	done
}
gone() { ! in_ns "$GW_NS" ip link show "$GW_IF" >/dev/null 2>&1; }
pins() { find /sys/fs/bpf/wgsf -path "*/$GW_IF*" 2>/dev/null | wc -l; }

t_ok "wg-quick up on the gateway: exit 0" wg_quick "$GW_NS" up "$WORK/$GW_IF.conf"
ATTACHED+=("$GW_NS $GW_IF")
t_is "$(grep -m 1 "^$GW_IF: " "$WORK/out")" \
	"$GW_IF: tc ($(tc_mechanism)), enforce mode; peers +1 -0, allowed ips +1 ~0 -0, policy rules +1 -0, flags ~1" \
	"PostUp ran wgsf attach, which said what it did"
if [ -S "/var/run/wireguard/$GW_IF.sock" ]; then
	t_is "$(wg_go_pids "$GW_IF" | wc -l)" 1 "wg-quick started wireguard-go for it"
else
	t_diag "wg-quick chose kernel WireGuard (the module is there)"
fi
t_ok "wg-quick up on the client: exit 0" wg_quick "$CL_NS" up "$WORK/$CL_IF.conf"
t_is "$(iface_field hook_state) $(iface_field mode) $(iface_field policy_file)" \
	"attached enforce $WORK/$GW_IF.policy" "wgsf show: attached, enforce mode, %i.policy in force"
t_is "$(ours_on_hook "$GW_NS" "$GW_IF")" 2 \
	"our programs are on the interface's hooks, ingress and egress"
# exactly COUNT echo requests of IP length 84 from SRC
client_pings() { # SRC COUNT
	in_ns "$CL_NS" ping -n -q -c "$2" -i 0.05 -W 1 -s 56 -I "$1" 192.0.2.1 >/dev/null
}
t_ok "5 pings from 192.0.2.11 through the tunnel" client_pings 192.0.2.11 5
t_is "$(peer_field "$CL_PUB" rx_packets) $(peer_field "$CL_PUB" rx_bytes)" "5 420" \
	"counted: 5 packets, 420 bytes from the client"
unanswered() { ! client_pings "$@"; }
t_ok "3 pings from 192.0.2.12, against the policy, get no answer" unanswered 192.0.2.12 3
t_is "$(peer_field "$CL_PUB" rx_packets) $(peer_field "$CL_PUB" violation_packets) \
$(peer_field "$CL_PUB" drop_packets)" "8 3 3" "the policy in force: 3 violations, dropped"

t_ok "wg-quick down on the gateway: exit 0" wg_quick "$GW_NS" down "$WORK/$GW_IF.conf"
ATTACHED=()
t_is "$(grep "^$GW_IF: " "$WORK/out")" "$GW_IF: detached" "PreDown ran wgsf detach"
t_is "$(pins)" 0 "no pins left"
t_is "$(in_ns "$GW_NS" "$WGSF" show --json | jq -c .interfaces)" "[]" "wgsf show: nothing attached"
t_ok "the interface is gone" gone
t_ok "no wireguard-go left for it" within 50 test -z "$(wg_go_pids "$GW_IF")"
t_done
