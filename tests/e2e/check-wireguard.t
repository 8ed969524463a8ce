#!/usr/bin/env bash
# `wgsf check FILE` against WireGuard itself: random configs of hundreds of
# peers (tests/tools/randconf: duplicate and nested prefixes, host bits,
# repeated peers, the interface's own key as a peer's, which WireGuard
# ignores), `wg setconf` of the same file, and then what `wg show`
# lists equals effective_allowed_ips, from the file and from the live
# interface; and for sampled addresses, what the nested-prefix findings say
# of them equals what `wgsf lookup` says on the live interface. The seed is
# printed; WGSF_SEED=N repeats a run. The kernel lane runs it on kernel
# WireGuard.
. "$(dirname "$0")/lib.sh"
require_e2e
RANDCONF=$BUILD_DIR/tests/tools/randconf
SAMPLE=$BUILD_DIR/tests/tools/sample
[ -x "$RANDCONF" ] && [ -x "$SAMPLE" ] || t_skip_all "not built (make tests)"
# The kernel lane runs under emulation against a time guard: one round there.
if [ "$WG_IMPL" = kernel ]; then ROUNDS=1 SAMPLES=20; else ROUNDS=3 SAMPLES=40; fi
PEERS=400
SEED=${WGSF_SEED:-$(( $(date +%s) ^ ($$ << 16) ))}
t_diag "seed $SEED (set WGSF_SEED=$SEED to repeat)"

make_gateway || t_skip_all "cannot build the gateway"
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT

# "KEY PREFIX" per effective allowed IP ("KEY" for a peer without any), as
# wg_peers lists WireGuard's.
effective() {
	jq -r '.peers[] | if (.effective_allowed_ips | length) == 0 then .public_key
		else .public_key + " " + .effective_allowed_ips[] end' "$1" | LC_ALL=C sort
}

# What the nested-prefix findings say: "PREFIX PEER" for each part, and for
# each prefix its own peer keeps.
claims() {
	jq -r '.findings[] | select(.kind == "nested-prefix") |
		(.parts[] | .prefix + " " + .peer), (.peers[0] as $p | .remaining[] | . + " " + $p)' "$1"
}

# How many of the sampled "ADDRESS PEER" lines `wgsf lookup` agrees with;
# the others are shown.
agreeing() {
	local addr want got n=0
	while read -r addr want; do
		got=$(wgsf_gw lookup "$GW_IF" "$addr" --json | jq -r '.peer // "none"')
		if [ "$got" = "$want" ]; then n=$((n + 1)); else t_diag "$addr: lookup $got, check $want"; fi
	done
	echo "$n"
}

sync_gw() { wgsf_gw sync "$GW_IF" >/dev/null; }

kinds=""
for round in $(seq "$ROUNDS"); do
	seed=$((SEED + round))
	conf=$WORK/wg$round.conf
	{
		printf '[Interface]\nPrivateKey = %s\nListenPort = %s\n' "$GW_KEY" "$GW_PORT"
		"$RANDCONF" "$seed" "$PEERS" "$GW_PUB"
	} >"$conf"
	# wg warns of each host part it clears; the findings say the same
	t_ok "round $round: wg setconf of $PEERS random peers" gw_run wg setconf "$GW_IF" "$conf" 2>/dev/null
	"$WGSF" check "$conf" --json >"$WORK/file.json"
	t_is "$?" 2 "round $round: check FILE finds what to warn of"
	t_is "$(effective "$WORK/file.json")" "$(wg_peers)" \
		"round $round: effective_allowed_ips of the file is what wg show lists"
	wgsf_gw check "$GW_IF" --json >"$WORK/live.json"
	t_is "$(effective "$WORK/live.json")" "$(wg_peers)" \
		"round $round: and so is that of the live interface"
	if [ "$round" = 1 ]; then t_ok "attach" attach_gw; else t_ok "sync" sync_gw; fi
	claims "$WORK/file.json" >"$WORK/claims"
	"$SAMPLE" "$seed" "$SAMPLES" <"$WORK/claims" >"$WORK/samples"
	t_is "$(wc -l <"$WORK/samples")" "$SAMPLES" "round $round: $SAMPLES addresses inside nested prefixes"
	t_is "$(agreeing <"$WORK/samples")" "$SAMPLES" \
		"round $round: the nested-prefix findings give each the peer wgsf lookup finds"
	kinds+=$(jq -r '.findings[].kind' "$WORK/file.json")$'\n'
done
t_is "$(echo "$kinds" | grep -E '^(duplicate-prefix|nested-prefix|host-bits|repeated-peer|own-key|peer-left-empty|no-allowed-ips)$' |
	sort -u | tr '\n' ' ')" "duplicate-prefix host-bits nested-prefix no-allowed-ips own-key peer-left-empty repeated-peer " \
	"the configs had duplicate and nested prefixes, host bits, repeated peers, the own key and peers left without allowed IPs"
t_done
