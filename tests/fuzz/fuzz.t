#!/usr/bin/env bash
# Each libFuzzer target (tests/fuzz/NAME.c, built to build/fuzz/bin/NAME) on
# its seed corpus tests/fuzz/NAME/ (for wgconf, the configs of `wgsf check`'s
# own corpus, tests/check/corpus/, too), every file of which (the inputs of
# past findings among them) runs first, then WGSF_FUZZ_TIME seconds (5 by
# default; `make fuzz` gives more) of fuzzing: any report of ASan, UBSan or
# libFuzzer (a crash, a leak, a timeout) fails it. No privileges needed.
. "$(dirname "$0")/../e2e/lib.sh"
FUZZ=$ROOT/tests/fuzz
BIN=$ROOT/build/fuzz/bin
TIME=${WGSF_FUZZ_TIME:-5}
targets=$(cd "$FUZZ" && ls ./*.c | sed 's|^\./||; s|\.c$||')
for t in $targets; do
	[ -x "$BIN/$t" ] || t_skip_all "$BIN/$t not built (make tests; needs clang's libFuzzer, libclang-rt-14-dev)"
done
# WGSF_FUZZ_OUT (`make fuzz`: build/fuzz/out) keeps what the runs found and
# the inputs they added; else they go with a temporary folder.
work=${WGSF_FUZZ_OUT:-}
if [ -z "$work" ]; then
	work=$(mktemp -d "/tmp/wgsf-fuzz-$$.XXXXXX")
	trap 'rm -rf "$work"' EXIT
fi

# The committed seeds of target T, which are only read.
seeds() { # T
	[ ! -d "$FUZZ/$1" ] || echo "$FUZZ/$1"
	[ "$1" != wgconf ] || echo "$ROOT/tests/check/corpus"
}

for t in $targets; do
	rm -rf "$work/$t/found"
	mkdir -p "$work/$t/corpus" "$work/$t/found"
	start=$(date +%s)
	# the new inputs go to $work; the committed corpus is only read
	timeout $((TIME + 120)) "$BIN/$t" -max_total_time="$TIME" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/$t/found/" "$work/$t/corpus" $(seeds "$t") \
		>"$work/$t/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log")
	t_is "$rc:$(ls "$work/$t/found" | wc -l)" "0:0" \
		"$t: $(find $(seeds "$t") -type f | wc -l) seeds and ${runs:-?} runs in $(($(date +%s) - start)) s, no finding"
	[ "$rc" = 0 ] || grep -E '^(==|SUMMARY|.*runtime error)' "$work/$t/log" | head -20 | sed 's/^/# /'
done
t_done
