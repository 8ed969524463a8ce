#!/usr/bin/env bash
# `make bench` keeps working: a quick run (BENCH_QUICK=1) writes a report
# with every section and every figure, into a directory of its own. The
# figures themselves are not judged here: speed lives in `make bench`.
. "$(dirname "$0")/lib.sh"
require_e2e
for tool in nft iptables ipset; do
	command -v "$tool" >/dev/null || t_skip_all "needs $tool (tools/deps.sh bench installs it)"
done
for bench in datapath control pps; do
	[ -x "$ROOT/build/tests/bench/$bench" ] || t_skip_all "not built (make tests)"
done

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export BENCH_QUICK=1 BENCH_MD=$OUT/BENCHMARKS.md BENCH_JSON=$OUT/bench.json

t_ok "a quick bench run exits 0" "$ROOT/tools/bench.sh" 2>"$OUT/stderr"
t_is "$(tail -n1 "$OUT/stderr")" "bench: wrote $BENCH_MD and $BENCH_JSON" "it says where the report went"
J=$OUT/bench.json
t_is "$(jq -r '.machine.kernel' "$J")" "$(uname -r)" "the report names the kernel"
t_is "$(jq '.machine.quick' "$J")" true "and says it was a quick run"
# 2 families x 2 shapes at 1,000 entries, each with all its variants measured
t_is "$(jq '[.results[] | select(.bench == "packet") |
	select(.floor_ns > 0 and .plain_lpm_ns > 0 and .monitor_ns > 0 and .enforce_ns > 0 and
	       .enforce_rules_ns > 0 and .rules_over_monitor_highest > 0 and
	       .monitor_rate_ns > 0 and .rate_over_monitor_highest > 0 and
	       .monitor_quarantine_ns > 0 and .quarantine_over_monitor_highest > 0 and
	       .egress_idle_ns > 0 and .egress_record_ns > 0 and .flows_size == 16384 and
	       .flows_mix_off_ns > 0 and .flows_mix_ns > 0 and .flows_new_off_ns > 0 and
	       .flows_new_ns > 0 and .flows_mix_evicted > 0 and .flows_mix_evicted < 1 and
	       .b2b_floor_ns > 0 and .b2b_plain_lpm_ns > 0 and .b2b_monitor_ns > 0)] |
	length' "$J")" 4 "per-packet figures for IPv4 and IPv6, both shapes, 1,000 entries"
t_is "$(jq '[.results[] | select(.bench == "control" and .peers == 1000 and .prefixes == 2000 and
	.sync_s > 0 and .sync_one_changed_s > 0 and .sync_one_changed_cached_s > 0 and
	.table_bytes > 0 and .sync_group_s > 0 and .group_rule_entries == 2)] | length' "$J")" 1 \
	"control-plane figures for 1,000 peers"
t_is "$(jq '[.results[] | select(.bench == "check" and .peers == 1001 and .prefixes == 2003 and
	.check_s > 0 and .check_json_s > 0 and .max_rss_bytes > 0)] | length' "$J")" 1 \
	"wgsf check figures for a config of 1,000 peers and their hub"
t_is "$(jq -r '[.results[] | select(.bench == "pps" and .pps_median > 0) | .filter] | sort | join(",")' "$J")" \
	"ipset,nft,none,tc,tc-empty,tc-flows,tc-rate,tc-rules" \
	"packets per second for no filter, an empty tc program, tc, tc with Allow rules, tc with flow records, tc with rate limits, nftables and ipset"
t_is "$(jq '[.results[] | select(.bench == "pps" and .filter == "none")][0].ratio_to_none' "$J")" 1 \
	"no filter is the unit of the ratios"
M=$OUT/BENCHMARKS.md
t_is "$(jq '[.results[] | select(.bench == "metrics" and .peers == 1000 and .scrape_s > 0 and
	.output_s > 0 and .bytes > 0)] | length' "$J")" 1 "scrape figures for 1,000 peers"
t_is "$(jq -r '.results[] | select(.bench == "tracer") | .skipped' "$J")" \
	"left out of a quick run, which boots no kernel" "the tracer's cost: not measured, and why"
t_is "$(grep -c '^## ' "$M")" 9 "the markdown has its nine sections"
t_ok "the tracer's says why it has no figures" \
	grep -qx 'Not measured: left out of a quick run, which boots no kernel.' "$M"
t_is "$(grep -c '^| IPv[46] | \(hosts\|mixed\) | ' "$M")" 32 \
	"and a row per per-packet case, in the per-packet table, the back-to-back one, the rules', the rate limits', the quarantines', the events', the flows' and the egress's"
t_ok "the per-packet table has the hashes alone beside the index" grep -q \
	'^| IP | Shape | Entries | .* | wgsf monitor | .* | Monitor, hashes alone | Hashes alone, preallocated | .* | Hashes alone / monitor | Lowest run |' "$M"
t_ok "the target for flow records has its figure and its verdict" grep -q \
	'^| End to end, 100 peers: wgsf with flow records on .* | [0-9.]* % | \(met\|\*\*not met\*\*\) |$' "$M"
t_ok "a quick run says it is one" grep -q 'A quick run (BENCH_QUICK=1)' "$M"
t_ok "no figure is missing from the tables" bash -c "! grep -q 'null' '$M'"
t_done
