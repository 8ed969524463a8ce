#!/usr/bin/env bash
# Misuse of the CLI: every mistake is one line on stderr and exit 1, and
# leaves nothing behind; help and version go to stdout with exit 0.
. "$(dirname "$0")/lib.sh"
require_e2e

NS=wgsf-cli-$ID
new_ns "$NS" || t_skip_all "cannot create a namespace"
ip -n "$NS" link add "dum$ID" type dummy 2>/dev/null ||
	ip -n "$NS" link add "dum$ID" type veth peer name "dup$ID" ||
	t_skip_all "cannot create a non-WireGuard interface"

# ARGS... ; expects exit 1 and exactly the one line WANT on stderr, soon
fails() {
	local want=$1 out err rc
	shift
	err=$(in_ns "$NS" timeout 20 "$WGSF" "$@" 2>&1 >/dev/null)
	rc=$?
	out=$(in_ns "$NS" timeout 20 "$WGSF" "$@" 2>/dev/null)
	set -- "${*//$'\n'/\\n}" # one line of TAP
	t_is "$rc:$(echo "$err" | wc -l):$out" "1:1:" "wgsf $*: exit 1, one line on stderr"
	t_is "$err" "$want" "wgsf $*: says why"
}

fails "Usage: wgsf attach IFACE [--hook tc] [--mode monitor|enforce] [--policy FILE|none]" attach
fails "Invalid interface name: 'a/b'" attach a/b
fails "Invalid interface name: '..'" attach ..
fails "Invalid interface name: ''" attach ""
fails "Invalid interface name: '0123456789abcdef'" attach 0123456789abcdef
# names the kernel refuses, shown on one line with what cannot be seen escaped
fails "Invalid interface name: 'a\x0ab'" attach $'a\nb'
fails "Invalid interface name: 'a b\x1b[2J'" attach $'a b\x1b[2J'
fails "Invalid interface name: 'a\xc2\xa0b'" attach $'a\xc2\xa0b'
# and names it takes, past ASCII, dotted, or of no UTF-8
fails "Unable to show é$ID: é$ID is not attached (see 'wgsf show')" show "é$ID"
fails "Unable to show wg.$ID: wg.$ID is not attached (see 'wgsf show')" show "wg.$ID"
fails "Unable to show \xff\xfe: \xff\xfe is not attached (see 'wgsf show')" show $'\xff\xfe'
out=$(in_ns "$NS" timeout 20 "$WGSF" show $'\xff\xfe' --json 2>/dev/null)
t_is "$?:$(jq -r .error <<<"$out")" "1:Unable to show \\xff\\xfe: \\xff\\xfe is not attached (see 'wgsf show')" \
	"bytes of no UTF-8 character: valid JSON, escaped as in words"
err=$(in_ns "$NS" timeout 20 "$WGSF" $'x\ny' 2>&1 >/dev/null)
t_is "$?:$(echo "$err" | head -1)" "1:Invalid subcommand: 'x\x0ay'" "a subcommand with a newline: one line"
fails "Unable to attach nosuch$ID: no such interface" attach "nosuch$ID"
fails "Unable to attach dum$ID: not a WireGuard interface" attach "dum$ID"
fails "Invalid mode: 'bogus' (monitor or enforce)" attach "dum$ID" --mode bogus
fails "Invalid hook: 'ebpf' (tc)" attach "dum$ID" --hook ebpf
fails "Unable to attach dum$ID: the XDP hook is retired: generic XDP sees a GRO aggregate as one \
packet and is slower than tc on WireGuard; tc is the hook" attach "dum$ID" --hook xdp
fails "Option --hook needs a value" attach "dum$ID" --hook
fails "Invalid option: '--force' (usage: wgsf attach IFACE [--hook tc] [--mode monitor|enforce] [--policy FILE|none])" \
	attach "dum$ID" --force
fails "Unexpected argument: 'extra' (usage: wgsf detach IFACE)" detach "dum$ID" extra
fails "Unable to detach dum$ID: dum$ID is not attached (see 'wgsf show')" detach "dum$ID"
fails "Unable to sync dum$ID: not a WireGuard interface" sync "dum$ID"
fails "Invalid address: '192.0.2.300'" lookup "dum$ID" 192.0.2.300
fails "Invalid address: '192.0.2.0/24'" lookup "dum$ID" 192.0.2.0/24
fails "Unable to look up in dum$ID: dum$ID is not attached (see 'wgsf show')" \
	lookup "dum$ID" 192.0.2.1
fails "Unable to show dum$ID: dum$ID is not attached (see 'wgsf show')" show "dum$ID"
fails "Unexpected argument: 'dum$ID' (usage: wgsf orphans [--remove] [--json])" orphans "dum$ID"

err=$(in_ns "$NS" "$WGSF" frobnicate 2>&1 >/dev/null)
t_is "$?:$(echo "$err" | head -1)" "1:Invalid subcommand: 'frobnicate'" \
	"an unknown subcommand: exit 1, named, then usage"
out=$(in_ns "$NS" "$WGSF" show "dum$ID" --json 2>/dev/null)
t_is "$?:$(echo "$out" | jq -r .error)" \
	"1:Unable to show dum$ID: dum$ID is not attached (see 'wgsf show')" \
	"in JSON mode the error is JSON"
for h in help --help; do
	out=$("$WGSF" $h 2>/dev/null)
	t_is "$?:$(echo "$out" | head -1)" "0:Usage: wgsf [-v] <cmd> [<args>]" "wgsf $h: usage, exit 0"
done
out=$("$WGSF" attach --help 2>/dev/null)
t_is "$?:$out" "0:Usage: wgsf attach IFACE [--hook tc] [--mode monitor|enforce] [--policy FILE|none]" \
	"wgsf attach --help: its usage, exit 0"
out=$("$WGSF" --version)
t_ok "wgsf --version prints the version" test "${out#wgsf }" = "$(sed -n 's/^VERSION := //p' "$ROOT/Makefile")"
# `ip netns exec` gives the command a private /sys: wgsf must reach the host's
# bpffs (through /proc/1/root) or refuse, never pin into a bpffs that dies
# with the command.
out=$(ip netns exec "$NS" "$WGSF" show 2>&1)
# (the note on other tests' deleted namespaces, if any, aside)
case "$?:${out%%note: *}" in
0:) t_ok "under ip netns exec: the host's bpffs, through /proc/1/root" true ;;
*) t_is "$out" "Unable to list attached interfaces: no bpffs at /sys/fs/bpf in this mount \
namespace, and one mounted now would vanish with this command ('ip netns exec'?); run wgsf \
through 'nsenter --net=/var/run/netns/NAME' instead" "under ip netns exec: refuses, says what to do" ;;
esac

if command -v setpriv >/dev/null; then
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$WGSF" show 2>&1 >/dev/null)
	t_is "$?:$err" "1:wgsf needs root: loading BPF and attaching to an interface take CAP_BPF and CAP_NET_ADMIN" \
		"not root: says so plainly"
fi
t_is "$(in_ns "$NS" "$WGSF" show --json | jq -c '.orphaned_namespaces |= type')" \
	'{"interfaces":[],"orphaned_namespaces":"number"}' "nothing attached: empty JSON"
t_is "$(find /sys/fs/bpf/wgsf -path "*/dum$ID" 2>/dev/null | wc -l)" 0 "no pins left by any of it"
t_done
