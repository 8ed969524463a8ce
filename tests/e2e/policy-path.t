#!/usr/bin/env bash
# Policy files are read only along a path that no other user could have
# changed, as sshd checks its own files, wherever one is read: attach
# --policy, sync, watch's SIGHUP. A policy owned by nobody, world-writable,
# under a group-writable directory or behind a link that nobody owns is
# refused, one line naming the object at fault, nothing applied; one under
# a root-owned sticky directory is taken. A sync or a SIGHUP after the file
# was swapped for a bad one keeps the policy in force and warns. No message
# holds a byte of a file that is no policy: a secret planted in the file a
# link leads to appears nowhere.
. "$(dirname "$0")/lib.sh"
require_e2e

gateway_two_clients
K2=${CLIENT_PUB[2]}
SECRET="S3CR3T-$ID-$RANDOM"
t_diag "the planted secret: $SECRET"
# A root-only file that is no policy, as /etc/shadow is: its first line
# holds the secret.
printf 'root:$y$j9T$%s:19000:0:99999:7:::\n[Peer]\nPublicKey = %s\n' "$SECRET" "$SECRET" \
	>"$WORK/secret"
chmod 600 "$WORK/secret"
good() { printf '[Interface]\nMode = enforce\n[Peer]\nPublicKey = %s\nBlock = true\n' "$K2"; }
attached() { wgsf_gw show "$GW_IF" >/dev/null 2>&1; }
# ATTACH_ARGS... -> "STATUS:OUTPUT", nothing of the secret in it
attach_out() {
	local out
	out=$(wgsf_gw attach "$GW_IF" "$@" 2>&1)
	echo "$?:$out"
}
no_secret() { ! grep -qF "$SECRET" <<<"$1"; }

# 1. attach refuses, naming what is at fault; nothing is attached
good >"$WORK/nobodys" && chown 65534 "$WORK/nobodys" && chmod 666 "$WORK/nobodys"
t_is "$(attach_out --policy "$WORK/nobodys")" \
	"1:Unable to attach $GW_IF: $WORK/nobodys: owned by uid 65534, not root" \
	"a world-writable policy owned by nobody: refused"
good >"$WORK/writable" && chmod 646 "$WORK/writable"
t_is "$(attach_out --policy "$WORK/writable")" \
	"1:Unable to attach $GW_IF: $WORK/writable: writable by others" \
	"a root policy writable by others: refused"
ln -s secret "$WORK/link" && chown -h 65534 "$WORK/link"
out=$(attach_out --policy "$WORK/link")
t_is "$out" "1:Unable to attach $GW_IF: $WORK/link: a symbolic link owned by uid 65534, not root" \
	"a link owned by nobody to a root file: refused"
t_ok "without a byte of the file it leads to" no_secret "$out"
mkdir -m 770 "$WORK/group" && good >"$WORK/group/policy"
t_is "$(attach_out --policy "$WORK/group/policy")" \
	"1:Unable to attach $GW_IF: $WORK/group: a directory writable by group" \
	"a group-writable directory above: refused"
ln -s secret "$WORK/root-link"
out=$(attach_out --policy "$WORK/root-link")
t_is "$out" "1:Unable to attach $GW_IF: $WORK/secret:1: expected 'Key = Value' or a [Section]" \
	"a root link to a root file that is no policy: refused by its line number"
t_ok "without a byte of it" no_secret "$out"
t_ok "nothing attached by any of them" eval '! attached'
t_is "$(ls -d /sys/fs/bpf/wgsf/*/"$GW_IF" 2>/dev/null | wc -l)" 0 "and nothing pinned"

# 2. a root-owned sticky directory, as /tmp, is fine
mkdir -m 1777 "$WORK/sticky" && good >"$WORK/sticky/policy"
t_ok "a policy under a root-owned sticky directory: attached" \
	attach_gw --policy "$WORK/sticky/policy"
t_ok "client 2 blocked" eval '! pings 2 192.0.2.12 2'
t_ok "client 1 passes" pings 1 192.0.2.11 2

# 3. sync after the file was swapped: the policy in force stays, a warning
# says why, without the secret
P=$WORK/sticky/policy
kept() {
	[ "$(iface_field mode):$(iface_field policy_file):$(peer_field "$K2" policy.blocked)" = \
		"enforce:$P:true" ]
}
swapped_sync() { # WHAT WARNING: P already swapped
	local out
	out=$(wgsf_gw sync "$GW_IF" 2>&1)
	t_is "$?:$(head -n 1 <<<"$out")" \
		"0:wgsf: warning: $2; the policy last read from it stays in force" \
		"$1: sync warns, naming the fault"
	t_ok "$1: without the secret" no_secret "$out"
	t_ok "$1: the policy stays in force" kept
}
rm "$P" && ln -s ../secret "$P" && chown -h 65534 "$P"
swapped_sync "swapped for a link owned by nobody" \
	"$P: a symbolic link owned by uid 65534, not root"
chown -h 0 "$P"
swapped_sync "swapped for a root link to a file that is no policy" \
	"$P:1: expected 'Key = Value' or a [Section]"
rm "$P" && good >"$P" && chmod 666 "$P"
swapped_sync "made world-writable" "$P: writable by others"
t_ok "client 2 still blocked" eval '! pings 2 192.0.2.12 2'

# 4. watch's SIGHUP reads it the same way
chmod 644 "$P"
nsenter --net="/var/run/netns/$GW_NS" "$WGSF" watch "$GW_IF" --interval 0.5 >"$WORK/log" 2>&1 &
WATCH=$!
PIDS+=("$WATCH")
logged() { grep -qF -- "$1" "$WORK/log"; }
t_ok "watch starts" within 30 logged "$GW_IF: watching every 0.5 seconds"
rm "$P" && ln -s ../secret "$P"
kill -HUP "$WATCH"
t_ok "SIGHUP with a root link to a file that is no policy: a warning by line number" within 30 \
	logged "$GW_IF: warning: $P:1: expected 'Key = Value' or a [Section]; the policy last read from it stays in force"
chown -h 65534 "$P"
kill -HUP "$WATCH"
t_ok "SIGHUP with a link owned by nobody: a warning naming it" within 30 \
	logged "$GW_IF: warning: $P: a symbolic link owned by uid 65534, not root; the policy last read from it stays in force"
kill "$WATCH" && wait "$WATCH"
t_ok "the watch's log holds no byte of the secret" no_secret "$(cat "$WORK/log")"
t_ok "the policy stays in force" kept
t_ok "detach" detach_gw
t_done
