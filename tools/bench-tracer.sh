#!/bin/sh
# The cost of the tracer of kernel WireGuard's own drops, for `make bench`:
# tests/kernel/tracer-cost.t in the kernel lane, with more rounds and a
# longer stream than `make test` gives it. One JSON object per round on
# stdout, with the accelerator qemu used; or one that says why there is
# none (the lane cannot run here, or it failed).
set -u
cd "$(dirname "$0")/.." || exit 1
rounds=${TRACER_ROUNDS:-5}
bytes=${TRACER_BYTES:-8388608}

out=$(GUEST_TESTS=tests/kernel/tracer-cost.t LANE_TIMEOUT=1800 \
	GUEST_ENV="TRACER_ROUNDS=$rounds TRACER_BYTES=$bytes LANE_TEST_TIMEOUT=1500" \
	tests/kernel/lane.t 2>&1)
rc=$?
accel=$(printf '%s\n' "$out" | sed -n 's/^# accelerator: //p' | head -n 1)
kernel=$(printf '%s\n' "$out" | sed -n 's/^ok [0-9]* - kernel \([^:]*\): .*/\1/p' | head -n 1)
rows=$(printf '%s\n' "$out" | sed -n 's/^# tracer-cost //p')
if [ "$rc" = 0 ] && [ -n "$rows" ]; then
	printf '%s\n' "$rows" | jq -c --arg accel "$accel" --arg kernel "$kernel" \
		--arg date "$(date -u +%Y-%m-%d)" \
		'{bench: "tracer", accel: $accel, kernel: $kernel, date: $date} + .'
else
	why=$(printf '%s\n' "$out" | sed -n 's/^1\.\.0 # SKIP //p; s/^not ok [0-9]* - //p' | head -n 1)
	jq -nc --arg why "${why:-the kernel lane failed}" '{bench: "tracer", skipped: $why}'
fi
