#!/usr/bin/env bash
# A kill at any instant of attach, of a sync that grows the maps, and of
# detach leaves a state that the next command recognises and completes or
# rolls back. wgsf built with fault points (build/tests/tools/wgsf-faults)
# is killed at each of its writes in turn; after each kill `show` tells the
# truth about the hook, and the next command keeps mode, policy and
# counters, with exactly one program of ours on each side of the interface
# (ingress and egress), counting into the pinned maps.
# Each command's points are listed first (WGSF_FAULT_AT=list): of a run of
# points that do one thing for each of many (a slot claimed for each new
# peer, a map pinned for each map) the test kills at the first, the middle
# and the last, and at every other point. WGSF_CRASH_EVERY=N kills at every
# Nth of those only, from one drawn at random (the seed printed): make
# test-sanitize, where each kill costs the most, takes a third of them.
. "$(dirname "$0")/lib.sh"
require_e2e
FAULTS=$BUILD_DIR/tests/tools/wgsf-faults
[ -x "$FAULTS" ] || t_skip_all "not built (make tests)"
EVERY=${WGSF_CRASH_EVERY:-1}
SEED=${WGSF_SEED:-$RANDOM}
t_diag "seed $SEED: of the points picked, those $EVERY apart from number $((SEED % EVERY + 1))"

gateway_two_clients
work=$WORK
printf '[Peer]\nPublicKey = %s\nBlock = true\n' "${CLIENT_PUB[2]}" >"$work/policy"
# Enough peers to outgrow the 256 slots that a first attach gives.
random_keys 260 | awk '{ printf "peer %s allowed-ips 2001:db8:%x::/48 ", $1, NR }' >"$work/more"
sed 's/allowed-ips [^ ]*/remove/g' "$work/more" >"$work/fewer"

# Kills the faulty wgsf at its Nth fault point: 0 when it was killed there,
# 1 when it finished first (no Nth point), 2 on anything else.
kill_at() { # N ARGS...
	local n=$1 rc
	shift
	WGSF_FAULT_AT=$n gw_run "$FAULTS" "$@" >"$work/out" 2>&1
	rc=$?
	[ $rc = 137 ] && return 0
	[ $rc = 0 ] && return 1
	cat "$work/out" >&2
	return 2
}
# The fault points that the faulty wgsf passes running to its end, each as
# "N: what it is about to do"; the caller undoes what it did.
point_list() { # ARGS...
	WGSF_FAULT_AT=list gw_run "$FAULTS" "$@" 2>&1 >/dev/null | sed -n 's/^fault point //p'
}
# The points to kill at, of the list on stdin: see above. Written to
# $work/points.
pick() { # WHAT
	awk -F': ' -v every="$EVERY" -v off=$((SEED % EVERY)) '
	{ num[NR] = $1; what[NR] = $2 }
	END {
		for (i = 1; i <= NR; i = j + 1) {
			for (j = i; j < NR && what[j + 1] == what[i]; j++) ;
			if (j - i < 3)
				for (m = i; m <= j; m++) sel[++k] = num[m]
			else {
				sel[++k] = num[i]; sel[++k] = num[int((i + j) / 2)]; sel[++k] = num[j]
			}
		}
		for (m = 1 + off; m <= k; m += every) print sel[m]
		printf "%d of its %d points\n", int((k - off + every - 1) / every), NR > "/dev/stderr"
	}' >"$work/points" 2>"$work/picked"
	t_diag "$1: killed at $(cat "$work/picked")"
}
json() { wgsf_gw show "$GW_IF" --json 2>/dev/null; }
# Programs of ours on the gateway's interface (tcx on both sides, and an
# earlier wgsf's XDP).
ours() { in_ns "$GW_NS" "$BUILD_DIR/tests/tools/onhook" "$GW_IF" | grep -c ' wgsf_'; }
# How many programs of ours show says run, and how many do: "0 0", "1 1"
# (one side alone) and "2 2" are the truth.
truth() {
	local state
	state=$(json | jq -r '.interfaces[0].hook_state // "none"')
	case $state in
	attached | stale) state=2 ;;
	ingress-only | egress-only) state=1 ;;
	*) state=0 ;;
	esac
	echo "$state $(ours)"
}
truthful() { # WHAT
	local t
	t=$(truth)
	t_is "$t" "${t#* } ${t#* }" "$1: show tells the truth about the hook"
}
# The gateway interface's pin directories (its name is this run's own).
pinned() { ls -d /sys/fs/bpf/wgsf/*/"$GW_IF" 2>/dev/null | wc -l; }
# The state a test compares: mode, policy file, client 2 blocked, client 1's
# packets, the hook, and how many programs of ours run.
state() {
	json | jq -r --arg k1 "${CLIENT_PUB[1]}" --arg k2 "${CLIENT_PUB[2]}" '.interfaces[0] |
		[.mode, (.policy_file // "none"),
		 (.peers[] | select(.public_key == $k2) | .policy.blocked),
		 (.peers[] | select(.public_key == $k1) | .rx_packets), .hook_state] | join(" ")'
	ours
}

# 1. A first attach, killed at each point, then attached again.
point_list attach "$GW_IF" --mode enforce --policy "$work/policy" | pick "a first attach"
detach_gw
for n in $(cat "$work/points"); do
	kill_at "$n" attach "$GW_IF" --mode enforce --policy "$work/policy"
	t_is $? 0 "first attach: killed at point $n" || break
	truthful "first attach, killed at point $n"
	t_ok "first attach, killed at point $n: attach again" attach_gw --mode enforce --policy "$work/policy"
	pings 1 192.0.2.11 1
	t_is "$(state | tr '\n' ' ')" "enforce $work/policy true 1 attached 2 " \
		"first attach, killed at point $n: enforcing the policy, counting, one program"
	detach_gw
done

# 2. attach again with a new mode, killed at each point: the old state or
# the new one, counters kept.
attach_gw --policy "$work/policy" && pings 1 192.0.2.11 2
# the state each round starts from: monitor, the policy, 2 packets counted
start_over() { detach_gw && attach_gw --policy "$work/policy" && pings 1 192.0.2.11 2; }
point_list attach "$GW_IF" --mode enforce | pick "an attach with a new mode"
start_over
for n in $(cat "$work/points"); do
	kill_at "$n" attach "$GW_IF" --mode enforce
	t_is $? 0 "re-attach: killed at point $n" || break
	after=$(state | tr '\n' ' ')
	truthful "re-attach, killed at point $n"
	case $after in
	"monitor $work/policy true 2 "* | "enforce $work/policy true 2 "*)
		t_ok "re-attach, killed at point $n: the old mode or the new, counters kept" true ;;
	*) t_is "$after" "monitor|enforce $work/policy true 2 ..." "re-attach, killed at point $n" ;;
	esac
	mode=${after%% *}
	t_ok "re-attach, killed at point $n: sync completes it" eval 'wgsf_gw sync "$GW_IF" >/dev/null' 
	pings 1 192.0.2.11 1
	t_is "$(state | tr '\n' ' ')" "$mode $work/policy true 3 attached 2 " \
		"re-attach, killed at point $n: that mode kept, counting on, one program"
	start_over
done

# 3. A sync that grows the maps, killed at each point: the tables repaired,
# mode, policy and counters kept.
# shellcheck disable=SC2046
more() { gw_run wg set "$GW_IF" $(cat "$work/$1"); } # more|fewer
start_over() {
	more fewer
	detach_gw && attach_gw --mode enforce --policy "$work/policy" && pings 1 192.0.2.11 2
}
start_over
more more
point_list sync "$GW_IF" | pick "a sync that grows the maps"
start_over
for n in $(cat "$work/points"); do
	more more
	kill_at "$n" sync "$GW_IF"
	t_is $? 0 "growth sync: killed at point $n" || break
	truthful "growth sync, killed at point $n"
	t_is "$(state | tr '\n' ' ' | sed 's/ stale / attached /')" "enforce $work/policy true 2 attached 2 " \
		"growth sync, killed at point $n: show: mode, policy, counters kept"
	t_ok "growth sync, killed at point $n: sync completes it" eval 'wgsf_gw sync "$GW_IF" >/dev/null' 
	t_is "$(wgsf_peers | wc -l)" 262 "growth sync, killed at point $n: all 262 peers in the tables"
	pings 1 192.0.2.11 1
	t_ok "growth sync, killed at point $n: the blocked client's packets are dropped" \
		sh -c "! nsenter --net=/var/run/netns/${CLIENT_NS[2]} ping -c 1 -W 0.3 -I 192.0.2.12 192.0.2.1 >/dev/null"
	t_is "$(state | tr '\n' ' ')" "enforce $work/policy true 3 attached 2 " \
		"growth sync, killed at point $n: counting on into the pins"
	start_over
done

# 4. detach, killed at each point: the next detach finishes it.
point_list detach "$GW_IF" | pick "a detach"
attach_gw --mode enforce --policy "$work/policy"
for n in $(cat "$work/points"); do
	kill_at "$n" detach "$GW_IF"
	t_is $? 0 "detach: killed at point $n" || break
	truthful "detach, killed at point $n"
	t_is "$(wgsf_gw detach "$GW_IF" 2>&1 | sed 's/ (.*//'):$(pinned):$(ours)" "$GW_IF: detached:0:0" \
		"detach, killed at point $n: detach again finishes it: no pins, no program"
	attach_gw --mode enforce --policy "$work/policy"
done
t_done
