#!/bin/sh
# make bench: measures the datapath, the hooks end to end, the control
# plane and, in the kernel lane, the tracer's cost on this machine, and
# writes the report: markdown (docs/BENCHMARKS.md) and the raw figures as
# JSON (build/bench.json). Needs root.
#
# BENCH_QUICK=1 runs small sizes only, to check that it all still works;
# BENCH_MD and BENCH_JSON choose where the report goes.
set -eu

cd "$(dirname "$0")/.."
bin=build/tests/bench
md=${BENCH_MD:-docs/BENCHMARKS.md}
json=${BENCH_JSON:-build/bench.json}

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root (BPF and a network namespace)" >&2
	exit 1
fi
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	packet_sizes=1000 control_sizes=1000 pps_peers=100 pps_args="--seconds 0.2 --rounds 1"
	metrics_peers=1000
else
	packet_sizes=1,1000,100000,1000000 control_sizes=10000,100000 metrics_peers=100000
	pps_peers="100 10000" pps_args="--seconds 2 --rounds 7"
fi

raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
# The per-packet runs go last: the kernel frees their million-entry maps
# in the background for a while, which would slow whatever came next.
echo "bench: control plane ($control_sizes peers)" >&2
"$bin/control" "$control_sizes" >>"$raw"
echo "bench: wgsf check on a config of $control_sizes peers" >&2
"$bin/check" build/wgsf "$control_sizes" >>"$raw"
echo "bench: a scrape of $metrics_peers peers (wgsf metrics)" >&2
tools/bench-metrics.sh "$metrics_peers" >>"$raw"
for peers in $pps_peers; do
	echo "bench: packets per second through a TUN device's ingress, $peers peers" >&2
	# shellcheck disable=SC2086 # word splitting intended
	"$bin/pps" --peers "$peers" $pps_args >>"$raw"
done
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	echo '{"bench":"tracer","skipped":"left out of a quick run, which boots no kernel"}' >>"$raw"
else
	echo "bench: the tracer's cost on kernel WireGuard, in the kernel lane" >&2
	tools/bench-tracer.sh >>"$raw"
fi
echo "bench: per-packet cost ($packet_sizes entries)" >&2
"$bin/datapath" "$packet_sizes" >>"$raw"

mkdir -p "$(dirname "$json")" "$(dirname "$md")"
jq -s --arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)" \
	--arg cores "$(nproc)" --arg kernel "$(uname -r)" \
	--arg jit "$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null || echo unknown)" \
	--arg date "$(date -u +%Y-%m-%d)" --arg quick "${BENCH_QUICK:-0}" \
	'{machine: {cpu: $cpu, cores: ($cores | tonumber), kernel: $kernel, jit: $jit,
	  date: $date, quick: ($quick == "1")}, results: .}' "$raw" >"$json"
jq -r -f tools/bench-report.jq "$json" >"$md"
echo "bench: wrote $md and $json" >&2
