#!/usr/bin/env bash
# Keys in `wgsf check FILE` as WireGuard's own tool has them: for random
# private keys, any 32 bytes and so mostly not clamped, and for all zeros
# and all ones, a [Peer] with the public key `wg pubkey` gives is the
# own-key finding, with that key. The seed is printed; WGSF_SEED=N repeats
# a run. No privileges needed.
. "$(dirname "$0")/../e2e/lib.sh"
command -v jq >/dev/null || t_skip_all "needs jq (tools/deps.sh test installs it)"
command -v wg >/dev/null || t_skip_all "needs wg (tools/deps.sh test installs wireguard-tools)"
[ -x "$WGSF" ] || t_skip_all "not built (make tests)"
KEYS=20
SEED=${WGSF_SEED:-$(( $(date +%s) ^ ($$ << 16) ))}
t_diag "seed $SEED (set WGSF_SEED=$SEED to repeat)"
RANDOM=$SEED
WORK=$(mktemp -d "/tmp/wgsf-keys-$$.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
OTHER=$(wg genkey | wg pubkey) # a peer's key, no one's own

random_key() {
	local i byte bytes=""
	for ((i = 0; i < 32; i++)); do
		printf -v byte '\\x%02x' $((RANDOM % 256))
		bytes+=$byte
	done
	printf '%b' "$bytes" | base64
}

# PRIVATE: "exit STATUS, own-key for PEER" as wgsf check says it.
own_key_finding() {
	local out rc
	printf '[Interface]\nPrivateKey = %s\n[Peer]\nPublicKey = %s\nAllowedIPs = 192.0.2.1/32\n[Peer]\nPublicKey = %s\nAllowedIPs = 192.0.2.2/32\n' \
		"$1" "$2" "$OTHER" >"$WORK/own.conf"
	out=$("$WGSF" check "$WORK/own.conf" --json)
	rc=$?
	echo "exit $rc, own-key for $(jq -r '[.findings[] | select(.kind == "own-key") | .peers[0]] | join(" ")' <<<"$out")"
}

keys="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= //////////////////////////////////////////8="
for i in $(seq "$KEYS"); do keys+=" $(random_key)"; done
agree=0
for priv in $keys; do
	pub=$(wg pubkey <<<"$priv")
	got=$(own_key_finding "$priv" "$pub")
	if [ "$got" = "exit 2, own-key for $pub" ]; then
		agree=$((agree + 1))
	else
		t_diag "$priv: wg pubkey $pub; wgsf check: $got"
	fi
done
t_is "$agree" $((KEYS + 2)) "for $((KEYS + 2)) private keys, the [Peer] with wg pubkey's key is own-key"

# Spellings of a key: wgsf takes a PrivateKey where `wg pubkey` takes it,
# and refuses it where wg does.
GOOD=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
spellings=("$GOOD" "${GOOD/Hh8=/Hh9=}" "${GOOD/Hh8=/Hh-=}" "${GOOD/Hh8=/H=8=}" "$GOOD="
	"${GOOD%=}" "${GOOD/Hh8=/Hh$'\xc3'=}" "${GOOD/AAE/$'\x80'AE}" "${GOOD:1}")
verdicts() { # wg|wgsf
	local k
	for k in "${spellings[@]}"; do
		if [ "$1" = wg ]; then
			wg pubkey <<<"$k" >/dev/null 2>&1
		else
			printf '[Interface]\nPrivateKey = %s\n' "$k" >"$WORK/spelling.conf"
			"$WGSF" check "$WORK/spelling.conf" >/dev/null 2>&1
		fi
		[ $? = 1 ] && echo -n "refused " || echo -n "taken "
	done
}
want=$(verdicts wg)
t_is "$want" "taken $(printf 'refused %.0s' $(seq 8))" "wg takes the one right spelling of ${#spellings[@]}"
t_is "$(verdicts wgsf)" "$want" "and so does wgsf check"
t_done
