#!/usr/bin/env bash
# Kernel WireGuard only (the kernel lane runs it; `make bench` runs it with
# more rounds): what the tracer of WireGuard's own drops costs. A TCP stream
# from a client through kernel WireGuard to the gateway, wgsf attached on
# the gateway throughout, in rounds with the tracer loaded and without it
# (tests/tools/tracerctl unregisters the interface, the last, which unloads
# it), taking turns. The kernel's own account of BPF programs
# (kernel.bpf_stats_enabled) gives how often each ran and for how long,
# the stream its throughput; one "# tracer-cost {JSON}" line per round for
# tools/bench-tracer.sh. Asserted: the tracer runs once for every packet
# that any kernel WireGuard interface of the host decrypts, registered with
# wgsf or not (the client's too), and not at all while unloaded.
. "$(dirname "$0")/../e2e/lib.sh"
[ "$WG_IMPL" = kernel ] || t_skip_all "kernel WireGuard only (run by tests/kernel/lane.t)"
require_e2e
TOOLS=$BUILD_DIR/tests/tools
ROUNDS=${TRACER_ROUNDS:-1} # of each
BYTES=${TRACER_BYTES:-2097152}
PORT=5202

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32 "192.0.2.11" || t_skip_all "cannot build the client"
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"; echo 0 >/proc/sys/kernel/bpf_stats_enabled' EXIT
echo 1 >/proc/sys/kernel/bpf_stats_enabled || t_skip_all "cannot turn kernel.bpf_stats_enabled on"
for opt in tcp_timestamps tcp_sack tcp_window_scaling; do
	in_ns "${CLIENT_NS[1]}" sh -c "echo 0 >/proc/sys/net/ipv4/$opt"
done
pings 1 192.0.2.11 1 || t_diag "warm-up ping failed"
t_ok "attach, which loads the tracer" attach_gw

# "RUNS NANOSECONDS" of the programs named NAME
runs() { "$TOOLS/progstats" "$1"; }
minus() { echo "$(($1 - $3)) $(($2 - $4))"; }

decrypted() { ip -n "$GW_NS" -s -j link show dev "$GW_IF" | jq '.[0].stats64.rx.packets'; }

# One round, the tracer loaded or not: the stream, and what each end
# decrypted and each program did meanwhile, as a JSON line. What each end
# decrypted is what the other's TCP sent (tests/e2e/stream.t holds the
# gateway's to that).
round() { # N LOADED
	local tr0 tc0 rx0 tr tc sent recv
	tr0=$(runs wgsf_rejected) tc0=$(runs wgsf_tc) rx0=$(decrypted)
	rm -f "$WORK/received" # its "listening" must be this receiver's
	gw_run "$TOOLS/tcpbulk" receive 192.0.2.1 $PORT >"$WORK/received" &
	within 50 grep -q listening "$WORK/received"
	in_ns "${CLIENT_NS[1]}" timeout 300 "$TOOLS/tcpbulk" send 192.0.2.1 $PORT "$BYTES" \
		192.0.2.11 >"$WORK/sent"
	wait $!
	sent=$(word_after segments "$WORK/sent") recv=$(word_after segments "$WORK/received")
	# the client's last ACK crosses the tunnel after its sender is done
	within 50 test "$(($(decrypted) - rx0))" -ge "${sent:-0}"
	# shellcheck disable=SC2046,SC2086 # two numbers each
	tr=$(minus $(runs wgsf_rejected) $tr0) tc=$(minus $(runs wgsf_tc) $tc0)
	printf '{"round":%d,"tracer":%s,"bytes":%d,"seconds":%s,"gateway_decrypted":%d,' "$1" \
		"$2" "$(word_after bytes "$WORK/received")" "$(word_after seconds "$WORK/sent")" \
		"${sent:-0}"
	# shellcheck disable=SC2086 # two numbers each
	printf '"client_decrypted":%d,"tracer_runs":%d,"tracer_ns":%d,"tc_runs":%d,"tc_ns":%d}\n' \
		"${recv:-0}" $tr $tc
}

for n in $(seq 1 "$ROUNDS"); do
	for loaded in true false; do
		round "$n" $loaded >"$WORK/round"
		t_diag "tracer-cost $(cat "$WORK/round")"
		# shellcheck disable=SC2046 # three numbers
		set -- $(jq -r '[.bytes, .tracer_runs, .gateway_decrypted + .client_decrypted] |
			join(" ")' "$WORK/round")
		t_is "$1" "$BYTES" "round $n, tracer loaded: $loaded: the stream went through"
		[ $loaded = true ] && want=$3 || want=0
		t_is "$2" "$want" \
			"round $n, tracer loaded: $loaded: it ran for each packet both ends decrypted ($3)"
		if [ $loaded = true ]; then
			t_ok "unload the tracer" in_ns "$GW_NS" "$TOOLS/tracerctl" disable "$GW_IF"
			t_is "$(runs wgsf_rejected)" "0 0" "no tracer loaded"
		else
			t_ok "load the tracer again" in_ns "$GW_NS" "$TOOLS/tracerctl" enable "$GW_IF"
		fi
	done
done
t_ok "detach" detach_gw
t_done
