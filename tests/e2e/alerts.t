#!/usr/bin/env bash
# The alerting rules of contrib/prometheus/: promtool accepts them, and each
# alert fires on the series of alerts.yml that must fire it and on none of
# those beside them that must not (promtool test rules); every wgsf metric
# they name is one that wgsf metrics prints. metrics.t evaluates them on a
# live scrape.
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || t_skip_all "needs promtool (tools/deps.sh test installs it)"
RULES=$ROOT/contrib/prometheus/wgsf-alerts.yml

out=$(promtool check rules "$RULES" 2>&1)
t_is "$?:$(tail -n 1 <<<"$out" | sed 's/^ *//')" "0:SUCCESS: 7 rules found" \
	"promtool check rules: 7 rules"
out=$(cd "$(dirname "$0")" && promtool test rules alerts.yml 2>&1)
t_is "$?:$(tail -n 1 <<<"$out" | sed 's/^ *//')" 0:SUCCESS \
	"promtool test rules: each alert fires where it must, and only there" || t_diag "$out"
unknown=
for name in $(grep -o 'wgsf_[a-z_]*' "$RULES" | LC_ALL=C sort -u); do
	grep -q "\"$name\"" "$ROOT/tools/metrics_text.c" || unknown="$unknown $name"
done
t_is "$unknown" "" "every wgsf metric the rules name is one of wgsf metrics' families"
t_done
