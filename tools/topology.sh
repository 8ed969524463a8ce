# shellcheck shell=bash
# A WireGuard topology of real wireguard-go instances in network namespaces:
# a gateway and its clients, removed again on exit. Addresses come from the
# documentation ranges only. Used by `make demo` and the end-to-end tests.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# What the tests run: the plain build, or WGSF_BUILD (`make test-sanitize`)
BUILD_DIR=${WGSF_BUILD:-$ROOT/build}
WGSF=$BUILD_DIR/wgsf
ID=${ID:-$$}
# Which WireGuard: wireguard-go (userspace, UAPI socket) or the kernel's
# (generic netlink). The same topology and tests run on either.
WG_IMPL=${WG_IMPL:-go}

# Everything made here is listed, so that cleanup removes exactly that.
NAMESPACES=()
PIDS=()
SOCKETS=()
ATTACHED=()

cleanup() {
	local a pid ns
	# attach_gw's entry is lost where it ran in a subshell ($(attach_gw ...)):
	# the gateway is detached whenever its namespace is this run's
	if [[ " ${NAMESPACES[*]} " == *" $GW_NS "* ]]; then
		ATTACHED+=("$GW_NS $GW_IF")
	fi
	for a in "${ATTACHED[@]}"; do # "namespace interface"
		# shellcheck disable=SC2086
		in_ns ${a% *} "$WGSF" detach "${a#* }" >/dev/null 2>&1
	done
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for ns in "${NAMESPACES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	rm -f "${SOCKETS[@]}"
}
trap cleanup EXIT

# Runs a command in a namespace without leaving the mount namespace, so that
# wgsf pins into the one bpffs every test shares.
in_ns() { # NAMESPACE COMMAND...
	local ns=$1
	shift
	nsenter --net="/var/run/netns/$ns" "$@"
}

new_ns() { # NAME
	ip netns add "$1" && NAMESPACES+=("$1") && ip -n "$1" link set lo up
}

# ip's commands read from stdin, one process for all of them in namespace
# NS: each `ip` costs a start of its own, dear under the kernel lane's TCG.
ip_batch() { # NS
	ip -n "$1" -batch -
}

GW_NS=wgsf-gw-$ID
GW_IF=wsg$ID
GW_MNT= # a mount namespace the gateway lives in, if not ours
GW_PORT=51820

# Runs a command where the gateway lives.
gw_run() {
	nsenter ${GW_MNT:+--mount="$GW_MNT"} --net="/var/run/netns/$GW_NS" "$@"
}

# Starts WireGuard for IFACE in namespace NS (and mount namespace MNT, if
# given) and waits for it. nsenter execs wireguard-go, so $! is its PID.
start_wg() { # NS IFACE [MNT]
	local ns=$1 ifc=$2 mnt=${3:-} i
	local run=(nsenter ${mnt:+--mount="$mnt"} --net="/var/run/netns/$ns")
	if [ "$WG_IMPL" = kernel ]; then
		"${run[@]}" ip link add "$ifc" type wireguard
		return
	fi
	"${run[@]}" wireguard-go -f "$ifc" >/dev/null 2>&1 &
	PIDS+=($!)
	SOCKETS+=("/var/run/wireguard/$ifc.sock")
	for i in $(seq 100); do
		"${run[@]}" test -S "/var/run/wireguard/$ifc.sock" &&
			"${run[@]}" ip link show "$ifc" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "# wireguard-go for $ifc did not start" >&2
	return 1
}

# The gateway: 192.0.2.1 and 2001:db8::1 on its WireGuard interface.
make_gateway() {
	new_ns "$GW_NS" && start_wg "$GW_NS" "$GW_IF" "$GW_MNT" || return 1
	GW_KEY=$(wg genkey)
	GW_PUB=$(echo "$GW_KEY" | wg pubkey)
	gw_run wg set "$GW_IF" listen-port $GW_PORT private-key <(echo "$GW_KEY") &&
		ip_batch "$GW_NS" <<-EOF
			addr add 192.0.2.1/32 dev $GW_IF
			addr add 2001:db8::1/128 dev $GW_IF nodad
			link set $GW_IF up
		EOF
}

# Client N: its own namespace, joined to the gateway by a veth pair
# (203.0.113.4N+1/30 and +2), a WireGuard peer of the gateway whose allowed
# IPs there are ALLOWED (comma-separated), holding the addresses ADDRS
# (space-separated) on its own WireGuard interface. Sets CLIENT_PUB[N].
declare -A CLIENT_PUB CLIENT_NS CLIENT_IF CLIENT_ADDR
make_client() { # N ALLOWED ADDRS
	local n=$1 allowed=$2 addrs=$3 ns=wgsf-c$1-$ID ifc=wsc$1x$ID key a p
	local base=$((4 * n)) cmds
	new_ns "$ns" && start_wg "$ns" "$ifc" || return 1
	ip_batch "$GW_NS" <<-EOF || return 1
		link add ve$n type veth peer name ve netns $ns
		addr add 203.0.113.$((base + 1))/30 dev ve$n
		link set ve$n up
	EOF
	key=$(wg genkey)
	CLIENT_PUB[$n]=$(echo "$key" | wg pubkey)
	CLIENT_NS[$n]=$ns
	CLIENT_IF[$n]=$ifc
	CLIENT_ADDR[$n]=${addrs%% *} # the first
	gw_run wg set "$GW_IF" peer "${CLIENT_PUB[$n]}" allowed-ips "$allowed" ||
		return 1
	in_ns "$ns" wg set "$ifc" private-key <(echo "$key") peer "$GW_PUB" \
		allowed-ips 192.0.2.1/32,2001:db8::1/128 \
		endpoint "203.0.113.$((base + 1)):$GW_PORT" || return 1
	cmds="addr add 203.0.113.$((base + 2))/30 dev ve
link set ve up"
	for a in $addrs; do
		case $a in
		*:*) cmds+=$'\n'"addr add $a/128 dev $ifc nodad" ;;
		*) cmds+=$'\n'"addr add $a/32 dev $ifc" ;;
		esac
	done
	ip_batch "$ns" <<-EOF || return 1
		$cmds
		link set $ifc up
		route add 192.0.2.1/32 dev $ifc
		route add 2001:db8::1/128 dev $ifc
	EOF
	# a route that the gateway has already (an overlap) is no failure
	for p in ${allowed//,/ }; do
		echo "route add $p dev $GW_IF"
	done | ip -force -n "$GW_NS" -batch - 2>/dev/null
	return 0
}

# Exactly COUNT echo requests of 56 data bytes (IP length 84 for IPv4, 104
# for IPv6) from client N's address SRC to the gateway; 0 when all answered.
pings() { # N SRC COUNT
	local dst=192.0.2.1
	case $2 in *:*) dst=2001:db8::1 ;; esac
	in_ns "${CLIENT_NS[$1]}" ping -n -q -c "$3" -i 0.05 -W 2 -s 56 -I "$2" "$dst" >/dev/null
}

wgsf_gw() { gw_run "$WGSF" "$@"; }

attach_gw() { # ARGS...
	wgsf_gw attach "$GW_IF" "$@" >/dev/null && ATTACHED+=("$GW_NS $GW_IF")
}

# A field of the gateway's peer with public key KEY in `wgsf show --json`.
peer_field() { # KEY FIELD
	wgsf_gw show "$GW_IF" --json |
		jq -r --arg k "$1" ".interfaces[0].peers[] | select(.public_key == \$k) | .$2"
}

iface_field() { # FIELD
	wgsf_gw show "$GW_IF" --json | jq -r ".interfaces[0].$1"
}

detach_gw() {
	local a kept=()
	wgsf_gw detach "$GW_IF" >/dev/null || return 1
	for a in "${ATTACHED[@]}"; do
		[ "$a" = "$GW_NS $GW_IF" ] || kept+=("$a")
	done
	ATTACHED=("${kept[@]}")
}

# The gateway's peers as WireGuard has them: one "KEY PREFIX" line per
# allowed IP (a peer without any: "KEY"), sorted.
wg_peers() {
	gw_run wg show "$GW_IF" dump | awk -F'\t' 'NR > 1 {
		if ($4 == "(none)") { print $1; next }
		n = split($4, aips, ",")
		for (i = 1; i <= n; i++) print $1 " " aips[i]
	}' | LC_ALL=C sort
}

# The same, as wgsf's tables hold them.
wgsf_peers() {
	wgsf_gw show "$GW_IF" --json | jq -r '.interfaces[0].peers[] |
		if (.allowed_ips | length) == 0 then .public_key
		else .public_key + " " + .allowed_ips[] end' | LC_ALL=C sort
}
