#!/usr/bin/env bash
# Pins that a wgsf of another map ABI left, which may lack maps of this
# one's (made here: the config says ABI 6, and the sentinel, which ABI 6
# had not, is gone): show, sync and attach refuse them and say why, and
# detach removes them, their program too.
. "$(dirname "$0")/lib.sh"
require_e2e
[ -x "$BUILD_DIR/tests/tools/setabi" ] || t_skip_all "not built (make tests)"

make_gateway || t_skip_all "cannot build the gateway"
make_client 1 192.0.2.11/32 192.0.2.11 || t_skip_all "cannot build the client"
pings 1 192.0.2.11 1 || t_diag "warm-up ping failed"
t_ok "attach" attach_gw
gen=$(echo /sys/fs/bpf/wgsf/*/"$GW_IF"/current)
t_ok "the pins made older" eval '"$BUILD_DIR/tests/tools/setabi" "$gen/config" 6 &&
	rm "$gen/sentinel"'
# (this wgsf's own ABI as N: the kernel lane's guest has no include/)
why="$GW_IF was attached by an incompatible wgsf (map ABI 6, this is N): detach it first"
for cmd in "show $GW_IF" "sync $GW_IF" "attach $GW_IF"; do
	# shellcheck disable=SC2086
	out=$(wgsf_gw $cmd 2>&1)
	t_is "$?:${out/this is [0-9]*)/this is N)}" "1:Unable to ${cmd% *} $GW_IF: $why" \
		"$cmd: refused, and why"
done
t_is "$(ours_on_hook "$GW_NS" "$GW_IF")" 2 "its programs run still, on the ingress and the egress"
t_is "$(wgsf_gw detach "$GW_IF")" "$GW_IF: detached (the pins of a wgsf of another map ABI)" \
	"detach: done, saying whose pins they were"
t_is "$(ours_on_hook "$GW_NS" "$GW_IF")" 0 "and goes with the pins"
t_ok "no pins of it are left" test ! -e "${gen%/*}"
t_done
