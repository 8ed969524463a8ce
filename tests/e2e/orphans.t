#!/usr/bin/env bash
# A network namespace deleted with an interface attached leaves its pins:
# wgsf orphans lists them (interfaces, memory), show mentions them, and
# --remove removes them and nothing else, never following a symlink. A
# namespace that only a bind mount or an open file keeps alive is no orphan,
# and a directory wgsf did not name is not wgsf's to judge.
. "$(dirname "$0")/lib.sh"
require_e2e

BPFFS=/sys/fs/bpf/wgsf
HOLD=/run/wgsf-hold-$ID
HOLDER=
MADE=() # every namespace directory this test made or pinned into
declare -A DIR WGPID

finish() {
	cleanup
	if [ -n "$HOLDER" ]; then
		kill "$HOLDER" 2>/dev/null
		wait "$HOLDER" 2>/dev/null
	fi
	umount "$HOLD" 2>/dev/null
	rm -f "$HOLD"
	# rm does not follow symlinks: only what the test made goes
	rm -rf "${MADE[@]}"
}
trap finish EXIT

# A gateway of its own, attached, in namespace wgsf-NAME-$ID on interface
# wsNAME$ID; sets DIR[NAME], its namespace directory in bpffs, and
# WGPID[NAME], its wireguard-go (none with kernel WireGuard).
site() { # NAME
	local before=${#PIDS[@]}
	GW_NS=wgsf-$1-$ID GW_IF=ws$1$ID
	make_gateway && attach_gw || return 1
	WGPID[$1]=${PIDS[$before]:-}
	DIR[$1]=$(find "$BPFFS" -mindepth 2 -maxdepth 2 -name "$GW_IF" -printf '%h\n')
	[ -n "${DIR[$1]}" ] && MADE+=("${DIR[$1]}")
}

# Its WireGuard ends, then `ip netns del`: nothing of this test holds it.
delete_ns() { # NAME
	if [ -n "${WGPID[$1]}" ]; then
		kill "${WGPID[$1]}" && wait "${WGPID[$1]}" 2>/dev/null
	fi
	ip netns del "wgsf-$1-$ID"
}

name() { basename "${DIR[$1]}"; }

# What `wgsf orphans --json` says of the namespace directory NAME:
# interfaces, memory, removed; empty when it is not listed.
listed() { # JSON NAME
	jq -c --arg n "$2" '.namespaces[] | select(.name == $n) |
		[.interfaces, .memlock_bytes, .removed]' <<<"$1"
}

# The kernel's account of the maps pinned below DIR, each map once.
pinned_memlock() { # DIR
	find "$1" -type f -exec bpftool -j map show pinned {} \; 2>/dev/null |
		jq -s 'unique_by(.id) | map(.bytes_memlock) | add // 0'
}

# As ui_bytes prints it.
bytes() { # N
	awk -v b="$1" 'BEGIN { if (b < 1024) { printf "%d B\n", b; exit }
		split("KiB MiB GiB TiB", u); for (i = 0; b >= 1024 && i < 4; i++) b /= 1024
		printf "%.2f %s\n", b, u[i] }'
}

for s in o b f k; do
	site $s || t_skip_all "cannot build gateway $s"
done
# k (the control) is the gateway from here on, with a client
make_client 1 192.0.2.11/32 192.0.2.11 || t_skip_all "cannot build the client"
pings 1 192.0.2.11 1 || t_diag "warm-up ping failed"
t_is "$(wgsf_gw sync "$GW_IF")" "wsk$ID: peers +1 -0, allowed ips +1 ~0 -0" \
	"the control syncs its client in"
rx() { peer_field "${CLIENT_PUB[1]}" rx_packets; }
t_ok "the control counts 3 pings" pings 1 192.0.2.11 3
t_is "$(rx)" 3 "and shows them"
for s in o b f k; do
	t_ok "$s: its namespace directory in $BPFFS holds ws$s$ID" test -d "${DIR[$s]}/ws$s$ID"
done
MEMLOCK=$(pinned_memlock "${DIR[o]}")
PINS_K=$(find "${DIR[k]}" -type f | wc -l)
t_ok "the pins of o hold memory ($MEMLOCK B)" test "$MEMLOCK" -gt 0

# b lives on through a bind mount only, f through an open file only
touch "$HOLD" && mount --bind "/var/run/netns/wgsf-b-$ID" "$HOLD"
t_is "$?" 0 "b: bind-mounted at $HOLD"
sleep 600 7<"/var/run/netns/wgsf-f-$ID" &
HOLDER=$!
F_INO=$(stat -L -c %i "/var/run/netns/wgsf-f-$ID")
for _ in $(seq 100); do
	[ "$(stat -L -c %i "/proc/$HOLDER/fd/7" 2>/dev/null)" = "$F_INO" ] && break
	sleep 0.05
done
t_is "$(stat -L -c %i "/proc/$HOLDER/fd/7")" "$F_INO" "f: held open by process $HOLDER, outside it"
for s in o b f; do
	delete_ns $s
done

# Names wgsf did not make are left alone; "ino<inode>" names are judged by
# inode: the control's is alive, one below any namespace's inode is not.
# The orphan's interface directory holds a symlink into the control's pins.
ODD=$BPFFS/wgsf-odd-$ID
LIVE_INO=$BPFFS/ino$(stat -L -c %i "/var/run/netns/wgsf-k-$ID")
DEAD_INO=$BPFFS/ino$((1000000 + ID))
MADE+=("$ODD" "$LIVE_INO" "$DEAD_INO")
mkdir -p "$ODD/wsq$ID" "$LIVE_INO/wsq$ID" "$DEAD_INO/wsx$ID" &&
	ln -s "${DIR[k]}/wsk$ID" "$DEAD_INO/wsx$ID/link" &&
	ln -s "${DIR[k]}" "$DEAD_INO/wsy$ID"
t_is "$?" 0 "made $ODD, $LIVE_INO and $DEAD_INO"

out=$("$WGSF" orphans --json 2>/dev/null)
t_is "$?" 0 "orphans --json: exit 0"
t_is "$(listed "$out" "$(name o)")" "[[\"wso$ID\"],$MEMLOCK,false]" \
	"it lists the deleted namespace, its interface, the memory its maps hold"
t_is "$(listed "$out" "ino$((1000000 + ID))")" "[[\"wsx$ID\"],0,false]" \
	"and an ino<inode> directory of no live namespace, interfaces only directories"
for s in b f k; do
	t_is "$(listed "$out" "$(name $s)")" "" "not $s, which is alive"
done
t_is "$(listed "$out" "$(basename "$LIVE_INO")")" "" "nor the control's inode"
t_is "$(listed "$out" "$(basename "$ODD")")" "" "nor a name wgsf did not make"

out=$("$WGSF" orphans 2>/dev/null)
t_is "$(grep -A 3 "^namespace: $(name o) " <<<"$out")" "namespace: $(name o) (deleted)
  pins: ${DIR[o]}
  interfaces: wso$ID
  memory: $(bytes "$MEMLOCK")" "orphans: the same for people"

out=$(wgsf_gw show)
t_ok "show in the control ends in a note on them" grep -qE "^note: [0-9]+ deleted network \
namespaces? left wgsf pins \([0-9.]+ [KMGT]?i?B\); 'wgsf orphans --remove' removes them$" \
	<<<"$(tail -n 1 <<<"$out")"
t_is "$(wgsf_gw show --json | jq '.orphaned_namespaces >= 2')" true \
	"show --json counts them (o's and the ino one, at least)"

out=$("$WGSF" orphans --remove --json 2>/dev/null)
t_is "$?" 0 "orphans --remove: exit 0"
t_is "$(listed "$out" "$(name o)")" "[[\"wso$ID\"],$MEMLOCK,true]" "it says it removed o's pins"
t_is "$(listed "$out" "ino$((1000000 + ID))")" "[[\"wsx$ID\"],0,true]" "and the ino one's"
t_ok "o's directory is gone" test ! -e "${DIR[o]}"
t_ok "so is the ino one" test ! -e "$DEAD_INO"
for s in b f k; do
	t_ok "$s's pins stay" test -e "${DIR[$s]}/ws$s$ID/current/prog"
done
t_ok "the control's inode directory and the odd one stay" test -d "$LIVE_INO/wsq$ID" -a -d "$ODD/wsq$ID"
t_is "$(find "${DIR[k]}" -type f | wc -l)" "$PINS_K" \
	"the symlinks into the control were not followed: all its $PINS_K pins are there"
t_is "$(rx)" 3 "the control still shows its counters"
t_ok "2 more pings" pings 1 192.0.2.11 2
t_is "$(rx)" 5 "and counts on"

out=$("$WGSF" orphans --remove --json 2>/dev/null)
t_is "$?:$(listed "$out" "$(name o)")$(listed "$out" "ino$((1000000 + ID))")" 0: \
	"a second --remove finds none of those"

# Let go of b and f: now they are orphans
umount "$HOLD" && rm -f "$HOLD"
kill "$HOLDER" && wait "$HOLDER" 2>/dev/null
HOLDER=
out=$("$WGSF" orphans --remove --json 2>/dev/null)
for s in b f; do
	t_is "$(listed "$out" "$(name $s)" | jq -c '.[0], .[2]' | tr '\n' ' ')" "[\"ws$s$ID\"] true " \
		"$s, let go, is an orphan, removed"
	t_ok "$s's directory is gone" test ! -e "${DIR[$s]}"
done
t_done
