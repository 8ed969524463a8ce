#!/usr/bin/env bash
# Misuse of the CLI: every mistake is one line on stderr, or with --json a
# JSON object on stdout, and an exit status that tells its kind (64 bad
# usage, 3 not attached, 4 no such interface, 77 a capability missing, 1
# the rest), and leaves nothing behind; help and version go to stdout with
# exit 0.
. "$(dirname "$0")/lib.sh"
require_e2e

NS=wgsf-cli-$ID
new_ns "$NS" || t_skip_all "cannot create a namespace"
ip -n "$NS" link add "dum$ID" type dummy 2>/dev/null ||
	ip -n "$NS" link add "dum$ID" type veth peer name "dup$ID" ||
	t_skip_all "cannot create a non-WireGuard interface"
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT

# STATUS WANT ARGS... ; expects exit STATUS and exactly the one line WANT on
# stderr, soon; with --json added, the same status and WANT (JSON_WANT where
# set: JSON carries what a terminal would act on as it is) as the one JSON
# object on stdout, nothing on stderr
fails() {
	local status=$1 want=$2 out err rc json jwant=${JSON_WANT-$2}
	shift 2
	err=$(in_ns "$NS" timeout 20 "$WGSF" "$@" 2>&1 >/dev/null)
	rc=$?
	out=$(in_ns "$NS" timeout 20 "$WGSF" "$@" 2>/dev/null)
	json=$(in_ns "$NS" timeout 20 "$WGSF" "$1" --json "${@:2}" 2>&1)
	set -- "${*//$'\n'/\\n}" # one line of TAP
	t_is "$rc:$(echo "$err" | wc -l):$out" "$status:1:" "wgsf $*: exit $status, one line on stderr"
	t_is "$err" "$want" "wgsf $*: says why"
	t_is "$(jq -c 'keys' <<<"$json" 2>&1):$(jq -r .error <<<"$json" 2>&1)" '["error"]:'"$jwant" \
		"wgsf --json $*: the same as JSON on stdout"
}

fails 64 "Usage: wgsf attach IFACE [--hook tc] [--mode monitor|enforce] [--policy FILE|none] [--flows[=SIZE|off]] [--json]" attach
fails 64 "Invalid interface name: 'a/b'" attach a/b
fails 64 "Invalid interface name: '..'" attach ..
fails 64 "Invalid interface name: ''" attach ""
fails 64 "Invalid interface name: '0123456789abcdef'" attach 0123456789abcdef
# names the kernel refuses, shown on one line with what cannot be seen escaped
JSON_WANT=$'Invalid interface name: \'a\nb\'' \
	fails 64 "Invalid interface name: 'a\x0ab'" attach $'a\nb'
JSON_WANT=$'Invalid interface name: \'a b\x1b[2J\'' \
	fails 64 "Invalid interface name: 'a b\x1b[2J'" attach $'a b\x1b[2J'
JSON_WANT=$'Invalid interface name: \'a\xc2\xa0b\'' \
	fails 64 "Invalid interface name: 'a\xc2\xa0b'" attach $'a\xc2\xa0b'
# and names it takes, past ASCII, dotted, or of no UTF-8
fails 3 "Unable to show é$ID: é$ID is not attached (see 'wgsf show')" show "é$ID"
fails 3 "Unable to show wg.$ID: wg.$ID is not attached (see 'wgsf show')" show "wg.$ID"
fails 3 "Unable to show \xff\xfe: \xff\xfe is not attached (see 'wgsf show')" show $'\xff\xfe'
out=$(in_ns "$NS" timeout 20 "$WGSF" show $'\xff\xfe' --json 2>/dev/null)
t_is "$?:$(jq -r .error <<<"$out")" "3:Unable to show \\xff\\xfe: \\xff\\xfe is not attached (see 'wgsf show')" \
	"bytes of no UTF-8 character: valid JSON, escaped as in words"
err=$(in_ns "$NS" timeout 20 "$WGSF" $'x\ny' 2>&1 >/dev/null)
t_is "$?:$err" "64:Invalid subcommand: 'x\x0ay' (see 'wgsf help')" "a subcommand with a newline: one line"
fails 4 "Unable to attach nosuch$ID: no such interface" attach "nosuch$ID"
fails 1 "Unable to attach dum$ID: not a WireGuard interface" attach "dum$ID"
fails 64 "Invalid mode: 'bogus' (monitor or enforce)" attach "dum$ID" --mode bogus
fails 64 "Invalid hook: 'ebpf' (tc)" attach "dum$ID" --hook ebpf
fails 1 "Unable to attach dum$ID: the XDP hook is retired: generic XDP sees a GRO aggregate as one \
packet and is slower than tc on WireGuard; tc is the hook" attach "dum$ID" --hook xdp
fails 64 "Option --hook needs a value" attach "dum$ID" --hook
fails 64 "Invalid option: '--force' (usage: wgsf attach IFACE [--hook tc] [--mode monitor|enforce] [--policy FILE|none] [--flows[=SIZE|off]] [--json])" \
	attach "dum$ID" --force
fails 64 "Unexpected argument: 'extra' (usage: wgsf detach IFACE [--json])" detach "dum$ID" extra
fails 3 "Unable to detach dum$ID: dum$ID is not attached (see 'wgsf show')" detach "dum$ID"
fails 1 "Unable to sync dum$ID: not a WireGuard interface" sync "dum$ID"
fails 64 "Invalid address: '192.0.2.300'" lookup "dum$ID" 192.0.2.300
fails 64 "Invalid address: '192.0.2.0/24'" lookup "dum$ID" 192.0.2.0/24
fails 3 "Unable to look up in dum$ID: dum$ID is not attached (see 'wgsf show')" \
	lookup "dum$ID" 192.0.2.1
fails 3 "Unable to show dum$ID: dum$ID is not attached (see 'wgsf show')" show "dum$ID"
fails 64 "Unexpected argument: 'dum$ID' (usage: wgsf orphans [--remove] [--json])" orphans "dum$ID"
fails 64 "Unexpected argument: 'all' (usage: wgsf show [IFACE [dump]] [--json])" show "dum$ID" all
fails 64 "Invalid interval: 'fast' (0.1 to 3600 seconds)" watch "dum$ID" --interval fast
# digits and a fraction after a point, no more: not what strtod() also reads
for i in 1e1 0x10 ' 2' +2 .5 2.; do
	fails 64 "Invalid interval: '$i' (0.1 to 3600 seconds)" top "dum$ID" --interval "$i"
done
# an option's first value is never checked where a second would replace it
fails 64 "Option --interval given twice" watch "dum$ID" --interval fast --interval 1
fails 64 "Option --flows given twice" attach "dum$ID" --flows=bogus --flows=off
fails 64 "Option --remove given twice" orphans --remove --remove
fails 64 "--output and --listen exclude each other (usage: wgsf metrics [--output FILE | --listen ADDR[:PORT]] [--json])" \
	metrics --output x --listen y
fails 64 "Invalid listen address: 'nowhere' (ADDR[:PORT], e.g. 127.0.0.1:9587 or [::1]:9587)" \
	metrics --listen nowhere
# libmicrohttpd, opened only to serve, found as a file that is no library
mhd=$(mhd_soname)
mkdir "$WORK/lib" && : >"$WORK/lib/$mhd"
LD_LIBRARY_PATH=$WORK/lib fails 1 "Unable to serve HTTP: $WORK/lib/$mhd: file too short" \
	metrics --listen 127.0.0.1
fails 64 "Invalid option: '--bogus' (usage: wgsf version [--json])" version --bogus
fails 64 "Unexpected argument: 'attach' (usage: wgsf help [--json])" help attach
fails 1 "Unable to check nosuch$ID: no such interface or file" check "nosuch$ID"

err=$(in_ns "$NS" "$WGSF" frobnicate 2>&1 >/dev/null)
t_is "$?:$err" "64:Invalid subcommand: 'frobnicate' (see 'wgsf help')" \
	"an unknown subcommand: exit 64, one line naming it"
out=$(in_ns "$NS" "$WGSF" frobnicate --json 2>&1)
t_is "$?:$out" "64:{\"error\":\"Invalid subcommand: 'frobnicate' (see 'wgsf help')\"}" \
	"an unknown subcommand with --json: the error alone, as JSON"
out=$(in_ns "$NS" "$WGSF" --json 2>&1)
t_is "$?:$out" "64:{\"error\":\"Invalid subcommand: '--json' (see 'wgsf help')\"}" \
	"--json alone: no subcommand, said as JSON"
# output that standard output did not take (a full disk) is an error
for args in version "version --json" "help"; do
	err=$("$WGSF" $args 2>&1 >/dev/full)
	t_is "$?:$err" "1:Unable to write the output: No space left on device" \
		"wgsf $args to a full disk: exit 1, saying so"
done
out=$(in_ns "$NS" "$WGSF" show "dum$ID" dump --json 2>&1)
t_is "$?:$out" '64:{"error":"dump and --json exclude each other (usage: wgsf show [IFACE [dump]] [--json])"}' \
	"show IFACE dump --json: refused, as JSON"
out=$(in_ns "$NS" "$WGSF" attach --policy --json --bogus 2>&1)
t_is "$?:$out" "64:Invalid option: '--bogus' (usage: wgsf attach IFACE [--hook tc] [--mode monitor|enforce] [--policy FILE|none] [--flows[=SIZE|off]] [--json])" \
	"--json as the value of an option is no --json"

# -- ends the options: a file named --json is checked as a file
mkdir "$WORK/conf" && printf '[Interface]\nPrivateKey = %s\n' "$(wg genkey)" >"$WORK/conf/--json"
out=$(cd "$WORK/conf" && "$WGSF" check -- --json)
t_is "$?:$out" "0:--json: 0 peers, 0 allowed IPs: no findings" "check -- --json: the file named --json"

VERSION=$(sed -n 's/^VERSION := //p' "$ROOT/Makefile")
for h in help --help -h; do
	out=$("$WGSF" $h 2>/dev/null)
	t_is "$?:$(echo "$out" | head -1)" "0:Usage: wgsf [-v] <cmd> [<args>]" "wgsf $h: usage, exit 0"
done
t_is "$("$WGSF" help | awk '/^Available subcommands:/ { on = 1; next } on && !/^  / { exit } on { print $1 }' |
	grep -cx 'version\|help')" 2 "the help lists version and help"
t_is "$("$WGSF" help | sed -n '/^Exit status:/,$p' | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" \
	"0 1 2 3 4 64 77 " "the help lists the exit statuses"
t_is "$("$WGSF" help --json | jq -c '[.subcommands[].name, (.exit_statuses | length)]')" \
	'["show","top","events","flows","attach","sync","lookup","watch","quarantine","release","detach","orphans","check","metrics","version","help",7]' \
	"help --json: the same"
out=$("$WGSF" attach --help 2>/dev/null)
t_is "$?:$out" "0:Usage: wgsf attach IFACE [--hook tc] [--mode monitor|enforce] [--policy FILE|none] [--flows[=SIZE|off]] [--json]" \
	"wgsf attach --help: its usage, exit 0"
t_is "$("$WGSF" attach --json --help)" \
	'{"usage":"wgsf attach IFACE [--hook tc] [--mode monitor|enforce] [--policy FILE|none] [--flows[=SIZE|off]] [--json]"}' \
	"wgsf attach --json --help: its usage as JSON"
for v in --version version; do
	t_is "$("$WGSF" $v)" "wgsf $VERSION" "wgsf $v prints the version"
done
t_is "$("$WGSF" version --json)" "{\"version\":\"$VERSION\"}" "wgsf version --json: as JSON"
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

# The capabilities are checked, not the user: root with none is refused,
# CAP_BPF alone reads (the metrics unit), and attaching needs CAP_NET_ADMIN.
if command -v setpriv >/dev/null; then
	caps() { # CAPS WGSF-ARGS...: as root in $NS with the capabilities CAPS only
		local c=$1
		shift
		in_ns "$NS" setpriv --inh-caps="-all$c" --ambient-caps="-all$c" --bounding-set="-all$c" \
			"$WGSF" "$@"
	}
	err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$WGSF" show 2>&1 >/dev/null)
	t_is "$?:$err" "77:wgsf show needs CAP_BPF (or CAP_SYS_ADMIN) to read the pinned maps; run it as root" \
		"not root: says which capability is missing"
	err=$(caps "" show 2>&1 >/dev/null)
	t_is "$?:$err" "77:wgsf show needs CAP_BPF (or CAP_SYS_ADMIN) to read the pinned maps; run it as root" \
		"root without capabilities: refused the same"
	out=$(caps ,+bpf show --json | jq -c .interfaces)
	t_is "$out" "[]" "CAP_BPF alone: show reads the pins"
	err=$(caps ,+bpf attach "dum$ID" 2>&1 >/dev/null)
	t_is "$?:$err" "77:wgsf attach needs CAP_BPF (or CAP_SYS_ADMIN) for BPF and CAP_NET_ADMIN for the interface; it lacks CAP_NET_ADMIN: run it as root" \
		"CAP_BPF alone: attach names CAP_NET_ADMIN"
	err=$(caps "" attach "dum$ID" --json)
	t_is "$?:$(jq -r .error <<<"$err")" "77:wgsf attach needs CAP_BPF (or CAP_SYS_ADMIN) for BPF and CAP_NET_ADMIN for the interface; it lacks both: run it as root" \
		"no capabilities: attach names both, as JSON with --json"
	# a usage error is one whoever makes it: the arguments come first
	for args in "attach dum$ID --mode bogus" "flows dum$ID --top 0" "lookup dum$ID 192.0.2.300" \
		"watch dum$ID --interval 0" "metrics --listen nowhere" "detach a/b" "sync a/b"; do
		caps "" $args >/dev/null 2>&1
		t_is "$?" 64 "no capabilities, wgsf $args: a usage error still, 64"
	done
fi
t_is "$(in_ns "$NS" "$WGSF" show --json | jq -c '.orphaned_namespaces |= type')" \
	'{"interfaces":[],"orphaned_namespaces":"number"}' "nothing attached: empty JSON"
t_is "$(find /sys/fs/bpf/wgsf -path "*/dum$ID" 2>/dev/null | wc -l)" 0 "no pins left by any of it"
t_done
