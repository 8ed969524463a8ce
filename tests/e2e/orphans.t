#!/usr/bin/env bash
# Pins that a deleted network namespace left: wgsf orphans lists them
# (interfaces, memory), show mentions them, and --remove removes them and
# nothing else, never following a symlink. Judged from the kernel's own
# objects, never from processes: a namespace that only a socket, an open
# /proc/PID/net file, or an nsfs mount in a mount namespace without a
# process keeps alive is alive, and its blocked peer stays blocked through
# --remove; an interface that moved out before its namespace went keeps its
# pins while its program runs on it.
#
# Each gateway's WireGuard runs in a namespace of its own and its interface
# is moved into a site namespace, which a sleep holds and no /run/netns
# mount names: once the sleep ends, only what this test holds keeps it.
. "$(dirname "$0")/lib.sh"
require_e2e
command -v unshare >/dev/null && command -v mount >/dev/null ||
	t_skip_all "needs unshare and mount (util-linux)"
[ -x "$BUILD_DIR/tests/tools/nshold" ] && [ -x "$BUILD_DIR/tests/tools/memlock" ] ||
	t_skip_all "not built (make tests)"

BPFFS=/sys/fs/bpf/wgsf
WORK=$(mktemp -d)
KEEP=() # the site namespaces' sleeps and the holders
MADE=() # every namespace directory this test made or pinned into
declare -A DIR SITE_PID

# Everything goes, the pins as wgsf removes them, so that no registration
# with the tracer outlives the test.
finish() {
	local pid
	cleanup
	for pid in "${KEEP[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${KEEP[@]}"; do wait "$pid" 2>/dev/null; done
	umount "$WORK/mnt" 2>/dev/null
	within 100 removed_all
	# rm does not follow symlinks: only what the test made goes
	rm -rf "${MADE[@]}" "$WORK"
}
trap finish EXIT

in_site() { # SITE COMMAND...
	local site=$1
	shift
	nsenter --net="/proc/${SITE_PID[$site]}/ns/net" "$@"
}

own_netns() { # PID
	[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

new_site() { # SITE
	unshare --net sleep 1000 &
	SITE_PID[$1]=$!
	KEEP+=($!)
	within 50 own_netns $! && in_site "$1" ip link set lo up
}

# WireGuard for wsNAME$ID in namespace wgsf-NAME-$ID, its interface moved
# into SITE's namespace and attached there in enforce mode; with clients
# BLOCKED (192.0.2.11, its peer blocked) and OPEN (192.0.2.12), if given.
# Sets DIR[NAME], its namespace directory in bpffs.
site() { # NAME SITE [BLOCKED OPEN]
	local name=$1 site=$2 a=${3:-} b=${4:-}
	local policy=() pins run
	GW_NS=wgsf-$name-$ID GW_IF=ws$name$ID
	make_gateway || return 1
	if [ -n "$a" ]; then
		make_client "$a" 192.0.2.11/32 192.0.2.11 &&
			make_client "$b" 192.0.2.12/32 192.0.2.12 || return 1
		printf '[Peer]\nPublicKey = %s\nBlock = true\n' "${CLIENT_PUB[$a]}" >"$WORK/policy-$name"
		policy=(--policy "$WORK/policy-$name")
	fi
	{ [ -n "${SITE_PID[$site]:-}" ] || new_site "$site"; } &&
		ip -n "$GW_NS" link set "$GW_IF" netns "${SITE_PID[$site]}" || return 1
	run=(in_site "$site")
	[ -z "$a" ] || {
		"${run[@]}" ip addr add 192.0.2.1/32 dev "$GW_IF" &&
			"${run[@]}" ip link set "$GW_IF" up &&
			"${run[@]}" ip route add 192.0.2.11/32 dev "$GW_IF" &&
			"${run[@]}" ip route add 192.0.2.12/32 dev "$GW_IF"
	} || return 1
	# the handshakes, before the peer is blocked
	[ -z "$a" ] || { pings "$a" 192.0.2.11 1 && pings "$b" 192.0.2.12 1; } ||
		t_diag "warm-up pings at $name failed"
	"${run[@]}" "$WGSF" attach "$GW_IF" --mode enforce "${policy[@]}" >/dev/null || return 1
	pins=("$BPFFS"/*/"$GW_IF")
	[ -d "${pins[0]}" ] && DIR[$name]=${pins[0]%/*} && MADE+=("${DIR[$name]}")
}

# How many of 3 echo requests from client N's address SRC the gateway
# answered.
answered() { # N SRC
	in_ns "${CLIENT_NS[$1]}" ping -n -q -c 3 -i 0.05 -W 2 -s 56 -I "$2" 192.0.2.1 |
		awk '/received/ { print $4 }'
}

# "BLOCKED/OPEN": how many of 3 pings each client of site NAME got through.
through() { # NAME
	echo "$(answered "${BLOCKED[$1]}" 192.0.2.11)/$(answered "${OPEN[$1]}" 192.0.2.12)"
}

# What `wgsf orphans --json` says of the namespace directory DIR: deleted,
# orphaned interfaces, their memory, removed, and the kept interfaces with
# why; empty when it is not listed.
listed() { # JSON DIR
	jq -c --arg n "$(basename "$2")" '.namespaces[] | select(.name == $n) |
		[.deleted, .interfaces, .memlock_bytes, .removed,
		 [(.kept // [])[] | .interface + ":" + .reason]]' <<<"$1"
}

# The namespaces of the directories DIR are gone, as their sentinels tell.
deleted() { # DIR...
	local out d
	out=$("$WGSF" orphans --json 2>/dev/null) || return 1
	for d in "$@"; do
		[ "$(listed "$out" "$d" | jq '.[0]')" = true ] || return 1
	done
}

# wgsf has removed every site's pins that it judges, once the kernel took
# their namespaces down.
removed_all() {
	local d f
	"$WGSF" orphans --remove >/dev/null 2>&1
	for d in "${DIR[@]}"; do
		for f in "$d"/*/current/sentinel; do
			[ ! -e "$f" ] || return 1
		done
	done
}

# As ui_bytes prints it.
bytes() { # N
	awk -v b="$1" 'BEGIN { if (b < 1024) { printf "%d B\n", b; exit }
		split("KiB MiB GiB TiB", u); for (i = 0; b >= 1024 && i < 4; i++) b /= 1024
		printf "%.2f %s\n", b, u[i] }'
}

memlock() { # DIR
	# shellcheck disable=SC2046
	"$BUILD_DIR/tests/tools/memlock" $(find "$1" -type f)
}

# A namespace that an nsfs mount alone holds, inside a mount namespace with
# no process, which a bind mount of its own nsfs file at WORK/mnt holds.
# The mount namespace starts with copies of the host's mounts: the copies
# of namespace mounts go, lest they keep other tests' namespaces.
hold_by_mount() { # SITE
	local pid
	touch "$WORK/netns" "$WORK/mnt" "$WORK/held-mount" || return 1
	# shellcheck disable=SC2016
	unshare --mount --propagation private bash -c 'exec 9<"$1"
		awk "/ - nsfs / { print \$5 }" /proc/self/mountinfo |
			while read -r m; do umount -l "$m"; done
		mount --bind /proc/self/fd/9 "$2" && echo held && exec sleep 1000' \
		_ "/proc/${SITE_PID[$1]}/ns/net" "$WORK/netns" >"$WORK/held-mount" &
	pid=$!
	within 100 grep -q held "$WORK/held-mount" &&
		mount --bind "/proc/$pid/ns/mnt" "$WORK/mnt"
	kill "$pid" && wait "$pid" 2>/dev/null
	grep -q held "$WORK/held-mount" &&
		awk -v p="$WORK/mnt" '$5 == p { m = 1 } END { exit !m }' /proc/self/mountinfo
}

# A process outside SITE's namespace holds it by a socket or by its
# /proc/net/dev (KIND, as nshold takes it).
hold_by() { # KIND SITE
	: >"$WORK/held-$1"
	"$BUILD_DIR/tests/tools/nshold" "$1" "/proc/${SITE_PID[$2]}/ns/net" >"$WORK/held-$1" &
	KEEP+=($!)
	within 50 grep -q held "$WORK/held-$1"
}

declare -A BLOCKED=([s]=1 [p]=3 [m]=5) OPEN=([s]=2 [p]=4 [m]=6)
for s in s p m; do
	site "$s" "$s" "${BLOCKED[$s]}" "${OPEN[$s]}" || t_skip_all "cannot build site $s"
done
site e e && site d d || t_skip_all "cannot build sites e and d"
for s in s p m; do
	t_is "$(through $s)" 0/3 "$s: the blocked peer's pings are dropped, the other's answered"
done

t_ok "s: a process elsewhere holds its namespace by a socket made there" hold_by socket s
t_ok "p: another, by its /proc/net/dev" hold_by procnet p
t_ok "m: an nsfs mount in a mount namespace without a process" hold_by_mount m
# e: its interface back where its WireGuard runs; a tcx link moves with it,
# clsact's qdisc, and so our filter, does not
t_ok "e: its interface moved out of its namespace" \
	in_site e ip link set "wse$ID" netns "wgsf-e-$ID"
MECH=$(tc_mechanism)
E_ON=2
[ "$MECH" = tcx ] || E_ON=0
t_is "$(ours_on_hook "wgsf-e-$ID" "wse$ID")" "$E_ON" "e: our programs on the moved one ($MECH)"
# u, beside e, as an older wgsf leaves it: a generation in force without a
# sentinel
mkdir -p "${DIR[e]}/wsu$ID/g1" && ln -s g1 "${DIR[e]}/wsu$ID/current"
# d's interface directory holds a symlink into s's pins
ln -s "${DIR[s]}/wss$ID" "${DIR[d]}/wsd$ID/into-s"
PINS_S=$(find "${DIR[s]}" -type f | wc -l)
# a name wgsf did not make is not its to judge; pins without a generation
# in force are not judged
ODD=$BPFFS/wgsf-odd-$ID
UNCOMMITTED=$BPFFS/ino$((1000000 + ID))
MADE+=("$ODD" "$UNCOMMITTED")
mkdir -p "$ODD/wsq$ID" "$UNCOMMITTED/wsq$ID"

# The sites' namespaces lose their last task, d's last
for s in s p m e d; do
	kill "${SITE_PID[$s]}" && wait "${SITE_PID[$s]}" 2>/dev/null
done
t_ok "d's namespace is gone (its sentinel says so)" within 100 deleted "${DIR[d]}"
# the sentinel's entries went with their devices, and their memory
MEMLOCK=$(memlock "${DIR[d]}/wsd$ID")
t_ok "the pins of d hold memory ($MEMLOCK B)" test "$MEMLOCK" -gt 0

out=$("$WGSF" orphans --json 2>/dev/null)
t_is "$?" 0 "orphans --json: exit 0"
t_is "$(listed "$out" "${DIR[d]}")" "[true,[\"wsd$ID\"],$MEMLOCK,false,[]]" \
	"it lists the deleted namespace, its interface, the memory its maps hold"
if [ "$MECH" = tcx ]; then
	t_is "$(listed "$out" "${DIR[e]}")" \
		"[true,[],0,false,[\"wse$ID:attached-elsewhere\",\"wsu$ID:no-sentinel\"]]" \
		"e's interface, whose program runs in another namespace, and u's, unjudged, are kept"
else
	t_is "$(listed "$out" "${DIR[e]}")" \
		"[true,[\"wse$ID\"],$(memlock "${DIR[e]}/wse$ID"),false,[\"wsu$ID:no-sentinel\"]]" \
		"e's interface, which lost its filter when it moved, is orphaned; u's, unjudged, is kept"
fi
for s in s p m; do
	t_is "$(listed "$out" "${DIR[$s]}")" "" "not $s, whose namespace lives on"
done
t_is "$(listed "$out" "$UNCOMMITTED")" "[false,[],0,false,[\"wsq$ID:uncommitted\"]]" \
	"pins without a generation in force are said to be unjudged"
t_is "$(listed "$out" "$ODD")" "" "a name wgsf did not make is not listed"

out=$("$WGSF" orphans 2>/dev/null)
t_is "$(grep -A 3 "^namespace: $(basename "${DIR[d]}") " <<<"$out")" \
	"namespace: $(basename "${DIR[d]}") (deleted)
  pins: ${DIR[d]}
  interfaces: wsd$ID
  memory: $(bytes "$MEMLOCK")" "orphans: the same for people"
t_is "$(grep -A 2 "^namespace: $(basename "$UNCOMMITTED")\$" <<<"$out" | tail -n 1)" \
	"  kept: wsq$ID: not judged: no generation in force, as a command killed before its \
first commit leaves" "and why it keeps what it does not judge"

out=$("$WGSF" show)
t_ok "show ends in a note on them" grep -qE "^note: [0-9]+ deleted network \
namespaces? left wgsf pins \([0-9.]+ [KMGT]?i?B\); 'wgsf orphans --remove' removes them$" \
	<<<"$(tail -n 1 <<<"$out")"
t_is "$("$WGSF" show --json | jq '.orphaned_namespaces >= 1')" true "show --json counts them"
out=$(unshare --pid --fork --mount-proc "$WGSF" orphans --json 2>&1)
t_is "$(listed "$out" "${DIR[d]}")" "[true,[\"wsd$ID\"],$MEMLOCK,false,[]]" \
	"the same from a PID namespace, which hides the host's processes"

out=$("$WGSF" orphans --remove --json 2>/dev/null)
t_is "$?" 0 "orphans --remove: exit 0"
t_is "$(listed "$out" "${DIR[d]}")" "[true,[\"wsd$ID\"],$MEMLOCK,true,[]]" \
	"it says it removed d's pins"
t_ok "d's directory is gone, and the symlink into s's pins with it" test ! -e "${DIR[d]}"
t_is "$(find "${DIR[s]}" -type f | wc -l)" "$PINS_S" \
	"the symlink was not followed: all $PINS_S of s's pins are there"
for s in s p m; do
	t_ok "$s's pins stay" test -e "${DIR[$s]}/ws$s$ID/current/prog"
	t_is "$(through $s)" 0/3 "$s: its blocked peer is still blocked, the other answered"
done
t_ok "u's pins, which no sentinel judges, stay" test -d "${DIR[e]}/wsu$ID/current"
if [ "$MECH" = tcx ]; then
	t_ok "e's pins stay" test -e "${DIR[e]}/wse$ID/current/prog"
	t_is "$(ours_on_hook "wgsf-e-$ID" "wse$ID")" 2 "e: its programs still run where it moved"
else
	t_ok "e's pins are gone, its directory holds u's" test ! -e "${DIR[e]}/wse$ID" -a -d "${DIR[e]}"
fi
t_ok "the odd directory and the unjudged one stay" test -d "$ODD/wsq$ID" -a -d "$UNCOMMITTED/wsq$ID"

out=$("$WGSF" orphans --remove --json 2>/dev/null)
t_is "$?:$(listed "$out" "${DIR[d]}")" 0: "a second --remove finds none of d's"

# Let go of s, p and m: now their pins are orphaned
for pid in "${KEEP[@]}"; do kill "$pid" 2>/dev/null; done
umount "$WORK/mnt"
t_ok "s, p and m: their namespaces are gone once let go" \
	within 100 deleted "${DIR[s]}" "${DIR[p]}" "${DIR[m]}"
out=$("$WGSF" orphans --remove --json 2>/dev/null)
for s in s p m; do
	t_is "$(listed "$out" "${DIR[$s]}" | jq -c '[.[1], .[3]]')" "[[\"ws$s$ID\"],true]" \
		"$s, let go, is orphaned and removed"
	t_ok "$s's directory is gone" test ! -e "${DIR[$s]}"
done
t_done
