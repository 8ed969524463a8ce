#!/usr/bin/env bash
# The WireGuard readers leave no key behind. The UAPI reply (wireguard-go)
# and the netlink dump (kernel WireGuard, in the kernel lane) both carry the
# interface's private key and each peer's preshared key; once the interface
# is read, no block the reader freed (the device model's among them: it
# keeps no key but the peers' public ones), no memory freed on its behalf
# (the C library's stream buffer too, as the next allocations get it back)
# and none of the stack it ran on holds 8 bytes in a row of any of those
# keys, as bytes, base64 or hex (tests/tools/keyleft, which first shows
# that each look sees a key planted where it looks).
. "$(dirname "$0")/lib.sh"
require_e2e
KEYLEFT=$BUILD_DIR/tests/tools/keyleft
[ -x "$KEYLEFT" ] || t_skip_all "not built (make tests)"

make_gateway || t_skip_all "cannot build the gateway"
via=UAPI
[ "$WG_IMPL" = kernel ] && via=netlink
psk1=$(wg genpsk)
psk2=$(wg genpsk)
t_ok "two peers with preshared keys" gw_run wg set "$GW_IF" \
	peer "$(wg genkey | wg pubkey)" preshared-key <(echo "$psk1") allowed-ips 192.0.2.9/32 \
	peer "$(wg genkey | wg pubkey)" preshared-key <(echo "$psk2") allowed-ips 192.0.2.10/32
t_is "$(gw_run wg show "$GW_IF" preshared-keys | cut -f2 | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$psk1" "$psk2" | sort | tr '\n' ' ')" "WireGuard holds them"

# Bound at load: the lazy binder saves the vector registers on the stack,
# with whatever strings last passed through them (the tool's own arguments,
# and under ASan its runtime's copies of the reply's lines).
out=$(LD_BIND_NOW=1 gw_run "$KEYLEFT" "$GW_IF" "$GW_KEY" "$psk1" "$psk2" 2>&1)
t_is "$?" 0 "keyleft read the interface over $via"
line() { grep "^$1: " <<<"$out"; }
if line reused | grep -q 'not looked at under ASan'; then
	t_diag "ASan holds freed memory back from reuse: that look is left to the plain build"
	t_is "$(line planted)" "planted: freed 1, reused -, stack 1" "each look sees a key planted"
else
	t_is "$(line planted)" "planted: freed 1, reused 1, stack 1" "each look sees a key planted"
	t_ok "no memory freed for the reader holds a key ($(line reused))" \
		grep -qx 'reused: [1-9][0-9]* bytes, 0 holding a key' <<<"$(line reused)"
fi
t_is "$(line read)" "read: 2 peers" "the reader found both peers"
t_ok "no block the reader freed holds a key ($(line freed))" \
	grep -qx 'freed: [1-9][0-9]* blocks, 0 holding a key' <<<"$(line freed)"
t_is "$(line stack)" "stack: 65536 bytes, 0 holding a key" "nor does the stack it ran on"
t_done
