#!/usr/bin/env bash
# Allow on real WireGuard (wgsf.policy(5)): services per destination, for a
# group of three peers and, through [Group *], for a peer the policy does
# not list. TCP to an allowed port connects and to another times out, UDP
# to an allowed port is answered and to another not, pings pass where
# echo-request is allowed and not where only another ICMP type is, each
# refused packet a `service` violation, and one to a destination that no
# rule's prefix holds a `destination` one; counted and passed in monitor
# mode, counted and dropped in enforce mode. TCP and UDP that the gateway
# opens toward a client port that no Allow names work both ways as replies,
# while an unsolicited ACK and a datagram from that port to another gateway
# port do not. lookup names the Allow line that admits a service. IPv4 and
# IPv6, exact counters.
. "$(dirname "$0")/lib.sh"
require_e2e
PROBE=$BUILD_DIR/tests/tools/flowprobe
[ -x "$PROBE" ] || t_skip_all "not built (make tests)"

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32,2001:db8::11/128 "192.0.2.11 2001:db8::11" &&
	make_client 2 192.0.2.12/32 192.0.2.12 && make_client 3 192.0.2.13/32 192.0.2.13 &&
	make_client 4 192.0.2.14/32 192.0.2.14 || t_skip_all "cannot build the clients"
# the gateway's second addresses, and third ones that it does not hold,
# reached through the tunnel
ip -n "$GW_NS" addr add 192.0.2.2/32 dev "$GW_IF"
ip -n "$GW_NS" addr add 2001:db8::2/128 dev "$GW_IF" nodad
for c in 1 2 3 4; do
	in_ns "${CLIENT_NS[$c]}" wg set "${CLIENT_IF[$c]}" peer "$GW_PUB" \
		allowed-ips 192.0.2.0/30,2001:db8::/126
	for a in 192.0.2.2/32 192.0.2.3/32 2001:db8::2/128 2001:db8::3/128; do
		ip -n "${CLIENT_NS[$c]}" route add "$a" dev "${CLIENT_IF[$c]}"
	done
	pings "$c" "${CLIENT_ADDR[$c]}" 1 || t_diag "warm-up ping from client $c failed"
done
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
POLICY=$WORK/policy
cat >"$POLICY" <<EOT
[Group *]
Allow = 192.0.2.1/32 icmp/echo-request
Allow = 2001:db8::1/128 icmpv6/echo-request
[Group team]
Allow = 192.0.2.1/32, 2001:db8::1/128 tcp/22 udp/53
Allow = 192.0.2.2/32 icmp/timestamp-request
Allow = 2001:db8::2/128 icmpv6/echo-reply
EOT
for c in 1 2 3; do
	printf '[Peer]\nPublicKey = %s\nGroup = team\n' "${CLIENT_PUB[$c]}" >>"$POLICY"
done
line_of() { grep -n -F -- "$1" "$POLICY" | cut -d: -f1; } # TEXT

# Client C's "rx violations service destination replies drops".
counts() { # C
	client_fields "$1" rx_packets violation_packets violations_by_reason.service \
		violations_by_reason.destination reply_packets drop_packets
}
# Each check starts from the counters the last one ended with, read once.
declare -A LAST
# Client C's counters moved by WANT since the last check, once the last
# packets have arrived.
moved_by() { # C WANT DESCRIPTION
	local now
	now=$(settles_to "$(fieldwise "${LAST[$1]}" + "$2")" counts "$1")
	t_is "$(fieldwise "$now" - "${LAST[$1]}")" "$2" "$3"
	LAST[$1]=$now
}
# Client C's counters, each moved with every packet it sent since the last
# check (at least one) or not at all: PER-PACKET such as "1 0 0 0 0 0", each
# passed. For TCP, whose packets are not counted ahead.
moved_per_packet() { # C PER-PACKET DESCRIPTION
	local -a m
	local f now ones=()
	now=$(counts "$1")
	read -ra m <<<"$(fieldwise "$now" - "${LAST[$1]}")"
	for f in "${m[@]}"; do
		case $f in
		0) ones+=(0) ;;
		"${m[0]}") ones+=(1) ;;
		esac
	done
	[ "${m[0]:-0}" -gt 0 ] && [ ${#ones[@]} = ${#m[@]} ] || ones=("moved ${m[*]}")
	t_is "${ones[*]}" "$2" "$3 (${m[0]} packets)"
	LAST[$1]=$now
}
last_violation() { # C
	client_fields "$1" last_violation_protocol last_violation_destination_port \
		last_violation_icmp_type
}
# What flowprobe says of a TCP connection from client C to ADDR PORT that it
# gives up after half a second: SYNs are resent after 1 s, so the one SYN
# sent is all the gateway gets.
no_connection() { in_ns "${CLIENT_NS[$1]}" "$PROBE" ask tcp "$2" "$3" 500; } # C ADDR PORT
# Client C's TCP connection to ADDR 23 times out; its SYNs are counted as
# service and dropped.
refused_tcp() { # C ADDR WHAT
	local out syns
	out=$(no_connection "$1" "$2" 23)
	syns=${out##*: }
	t_is "${out%: *}" "no connection, SYNs sent" "$3: a TCP connection to port 23 times out"
	moved_by "$1" "$syns $syns $syns 0 0 $syns" "$3: its $syns SYN counted as service and dropped"
}

out=$(attach_gw --mode monitor --policy "$POLICY" 2>&1)
t_is "$?:$out" "0:" "attach in monitor mode with Allow for a group and for [Group *], no warnings"
shown=$(wgsf_gw show "$GW_IF" --json)
allow_of() { # C: client C's policy.allow as shown
	jq -c --arg k "${CLIENT_PUB[$1]}" '.interfaces[0].peers[] |
		select(.public_key == $k) | .policy.allow' <<<"$shown"
}
# one line a prefix, its services in the order of their protocol numbers
team='["192.0.2.1/32 icmp/8 tcp/22 udp/53","192.0.2.2/32 icmp/13",'
team+='"2001:db8::1/128 tcp/22 udp/53 icmpv6/128","2001:db8::2/128 icmpv6/129"]'
for c in 1 2 3; do
	t_is "$(allow_of "$c")" "$team" "show: client $c has the team's rules and [Group *]'s"
done
t_is "$(allow_of 4)" '["192.0.2.1/32 icmp/8","2001:db8::1/128 icmpv6/128"]' \
	"show: client 4, which the policy does not list, has [Group *]'s"
for c in 1 2 4; do LAST[$c]=$(counts "$c"); done

monitor() { # FAMILY
	local gw=192.0.2.1
	[ "$1" = 6 ] && gw=2001:db8::1
	t_is "$(flow_exchange "$GW_NS" "${CLIENT_NS[1]}" tcp "$gw" 23)" answered \
		"monitor, IPv$1: a TCP connection to the gateway's port 23 is answered"
	moved_per_packet 1 "1 1 1 0 0 0" \
		"monitor, IPv$1: each of its packets counted as service, none dropped"
	t_is "$(flow_exchange "$GW_NS" "${CLIENT_NS[1]}" udp "$gw" 54)" answered \
		"monitor, IPv$1: a UDP datagram to port 54 is answered"
	moved_by 1 "1 1 1 0 0 0" "monitor, IPv$1: counted as service, not dropped"
}
monitor 4
monitor 6
t_ok "attach again in enforce mode" attach_gw --mode enforce
t_is "$(iface_field mode):$(iface_field policy_file)" "enforce:$POLICY" "enforcing the same policy"

# Client 1, a member of the team, in enforce mode.
enforce() { # FAMILY
	local cl=192.0.2.11 gw=192.0.2.1 gw2=192.0.2.2 gw3=192.0.2.3
	local what="IPv$1" icmp=icmp echo=8
	[ "$1" = 6 ] && cl=2001:db8::11 gw=2001:db8::1 gw2=2001:db8::2 gw3=2001:db8::3 \
		icmp=icmpv6 echo=128

	t_is "$(flow_exchange "$GW_NS" "${CLIENT_NS[1]}" tcp "$gw" 22)" answered \
		"$what: a TCP connection to the allowed port 22 is answered"
	moved_per_packet 1 "1 0 0 0 0 0" "$what: each of its packets passed"
	refused_tcp 1 "$gw" "$what"
	t_is "$(last_violation 1)" "tcp 23 null" "$what: show: the last violation, TCP to port 23"

	t_is "$(flow_exchange "$GW_NS" "${CLIENT_NS[1]}" udp "$gw" 53)" answered \
		"$what: a UDP datagram to the allowed port 53 is answered"
	moved_by 1 "1 0 0 0 0 0" "$what: it passed"
	t_ok "$what: a UDP datagram to port 54" \
		in_ns "${CLIENT_NS[1]}" "$PROBE" send udp "$cl" 7100 "$gw" 54
	moved_by 1 "1 1 1 0 0 1" "$what: counted as service and dropped"

	t_ok "$what: 2 pings to the gateway pass ([Group *]'s $icmp/echo-request)" \
		client_ping 1 "$cl" "$gw" 2
	moved_by 1 "2 0 0 0 0 0" "$what: both passed"
	t_ok "$what: 2 pings to $gw2, whose rule is another ICMP type, go unanswered" \
		client_no_reply 1 "$cl" "$gw2" 2
	moved_by 1 "2 2 2 0 0 2" "$what: counted as service and dropped"
	t_is "$(last_violation 1)" "$icmp null $echo" "$what: show: the last violation, an echo request"

	t_ok "$what: a UDP datagram to port 53 of $gw3, which no rule's prefix holds" \
		in_ns "${CLIENT_NS[1]}" "$PROBE" send udp "$cl" 7100 "$gw3" 53
	moved_by 1 "1 1 0 1 0 1" "$what: counted as destination, not service, and dropped"

	# replies: the client's port 7000 and 7001 are named by no Allow
	t_is "$(flow_exchange "${CLIENT_NS[1]}" "$GW_NS" tcp "$cl" 7000)" answered \
		"$what: TCP from the gateway to the client's port 7000 is answered"
	moved_per_packet 1 "1 0 0 0 1 0" "$what: each of the client's packets a reply"
	t_is "$(flow_exchange "${CLIENT_NS[1]}" "$GW_NS" udp "$cl" 7000)" answered \
		"$what: UDP from the gateway to the client's port 7000 is answered"
	moved_by 1 "1 0 0 0 1 0" "$what: the client's datagram a reply"
	t_ok "$what: an unsolicited TCP ACK from the client's port 7001 to the gateway's 7002" \
		in_ns "${CLIENT_NS[1]}" "$PROBE" ack "$cl" 7001 "$gw" 7002
	t_ok "$what: a UDP datagram from the client's port 7000 to the gateway's 7003" \
		in_ns "${CLIENT_NS[1]}" "$PROBE" send udp "$cl" 7000 "$gw" 7003
	moved_by 1 "2 2 2 0 0 2" "$what: both counted as service and dropped"
}
enforce 4
enforce 6

# The other members obey the team's rules; client 4 [Group *]'s alone.
t_is "$(flow_exchange "$GW_NS" "${CLIENT_NS[2]}" tcp 192.0.2.1 22)" answered \
	"client 2: a TCP connection to the team's port 22 is answered"
moved_per_packet 2 "1 0 0 0 0 0" "client 2: each of its packets passed"
refused_tcp 2 192.0.2.1 "client 2"
t_ok "client 4: 2 pings to the gateway pass, by [Group *]" client_ping 4 192.0.2.14 192.0.2.1 2
moved_by 4 "2 0 0 0 0 0" "client 4: both passed"
t_ok "client 4: a UDP datagram to the gateway's port 53, the team's" \
	in_ns "${CLIENT_NS[4]}" "$PROBE" send udp 192.0.2.14 7100 192.0.2.1 53
t_ok "client 4: 2 pings to 192.0.2.2 go unanswered" client_no_reply 4 192.0.2.14 192.0.2.2 2
moved_by 4 "3 3 1 2 0 3" \
	"client 4: the datagram counted as service, the pings as destination, all dropped"

lookup() { # SOURCE DESTINATION SERVICE
	wgsf_gw lookup "$GW_IF" "$@" --json |
		jq -r '[.verdict, .reason, .service, .rule] | map(tostring) | join(" ")'
}
t_is "$(lookup 192.0.2.11 192.0.2.1 tcp/22)" "pass null tcp/22 $POLICY:$(line_of 'tcp/22')" \
	"lookup: client 1 to tcp/22 passes, by the team's line"
t_is "$(lookup 192.0.2.11 192.0.2.1 tcp/23)" "violation service tcp/23 null" \
	"lookup: to tcp/23, a service violation, no rule"
t_is "$(lookup 2001:db8::11 2001:db8::1 icmpv6/echo-request)" \
	"pass null icmpv6/echo-request $POLICY:$(line_of icmpv6/echo-request)" \
	"lookup: client 1's IPv6 ping passes, by [Group *]'s line"
t_is "$(lookup 192.0.2.14 192.0.2.1 udp/53)" "violation service udp/53 null" \
	"lookup: client 4 to udp/53, a service violation, as its datagram was"
t_done
