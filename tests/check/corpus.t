#!/usr/bin/env bash
# `wgsf check FILE` on a corpus of configs (tests/check/corpus/*.conf): each
# one's output, human and JSON, and exit status, held to its .expected file
# exactly. The corpus has every finding a file can give, in IPv4 and IPv6,
# comments, odd spacing, CRLF line ends, and bad files, each refused with
# one line naming file and line. No privileges needed.
. "$(dirname "$0")/../e2e/lib.sh"
CORPUS=$ROOT/tests/check/corpus
command -v jq >/dev/null || t_skip_all "needs jq (tools/deps.sh test installs it)"
[ -x "$WGSF" ] || t_skip_all "not built (make tests)"

# What the .expected files hold: each command, its output (stderr too; JSON
# pretty-printed, so that a difference shows line by line) and its status.
transcript() { # NAME
	local out rc
	echo "\$ wgsf check $1"
	"$WGSF" check "$1" 2>&1
	echo "exit $?"
	echo "\$ wgsf check $1 --json"
	out=$("$WGSF" check "$1" --json 2>&1)
	rc=$?
	jq . <<<"$out" 2>/dev/null || echo "not JSON: $out"
	echo "exit $rc"
}

cd "$CORPUS" || exit 1
n=0
for conf in *.conf; do
	name=${conf%.conf}
	got=$(transcript "$conf")
	if [ -f "$name.expected" ]; then want=$(cat "$name.expected"); else want="(no $name.expected)"; fi
	t_is "$got" "$want" "$conf: the output and exit status it expects"
	[ "$got" = "$want" ] || diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
	n=$((n + 1))
done
t_ok "at least 25 configs ($n)" test "$n" -ge 25
t_is "$(ls ./*.expected | wc -l)" "$n" "no .expected file without its config"

# Every kind a file can give appears somewhere in the corpus.
kinds=$(cat ./*.expected | sed -n 's/^ *"kind": "\(.*\)",$/\1/p' | sort -u | tr '\n' ' ')
t_is "$kinds" "catch-all duplicate-prefix host-bits nested-prefix no-allowed-ips not-routed own-key peer-left-empty repeated-peer " \
	"the corpus holds every kind of finding a file can give"

# Files that are not there, or not files.
out=$("$WGSF" check ./nosuch.conf 2>&1)
t_is "$?:$out" "1:Unable to check ./nosuch.conf: No such file or directory" "a missing file"
out=$("$WGSF" check nosuch 2>&1)
t_is "$?:$out" "1:Unable to check nosuch: no such interface or file" \
	"a bare name that is neither an interface nor a file"
out=$(timeout 10 "$WGSF" check "$CORPUS" 2>&1)
t_is "$?:$out" "1:Unable to check $CORPUS: a directory, not a regular file" "a directory"
out=$(timeout 10 "$WGSF" check /dev/zero 2>&1)
t_is "$?:$out" "1:Unable to check /dev/zero: a device, not a regular file" "/dev/zero, at once"
fifo=$(mktemp -u "/tmp/wgsf-check-fifo-$$.XXXXXX")
odd=$(mktemp -d "/tmp/wgsf-check-odd-$$.XXXXXX")
mkfifo "$fifo" && trap 'rm -rf "$fifo" "$odd"' EXIT
out=$(timeout 10 "$WGSF" check "$fifo" 2>&1)
t_is "$?:$out" "1:Unable to check $fifo: a FIFO or pipe, not a regular file" \
	"a FIFO without a writer: refused at once, not waited on"
out=$(timeout 10 "$WGSF" check <(cat clean-client.conf) 2>&1)
t_is "$?:$(sed -E 's|^(Unable to check /dev/fd/)[0-9]+|\1N|' <<<"$out")" \
	"1:Unable to check /dev/fd/N: a FIFO or pipe, not a regular file" "process substitution: a pipe, refused as one"
out=$("$WGSF" check 2>&1)
t_is "$?:$out" "64:Usage: wgsf check IFACE|FILE [--json]" "no argument: usage, exit 64"

# A file name with a newline and an escape: each finding stays one line.
cp duplicate-v4.conf "$odd/"$'a\n\x1b[2Jb.conf'
want=$("$WGSF" check duplicate-v4.conf | sed "s|^duplicate-v4.conf|$odd/a\\\\x0a\\\\x1b[2Jb.conf|")
t_is "$(timeout 10 "$WGSF" check "$odd/"$'a\n\x1b[2Jb.conf')" "$want" \
	"a file name with control characters: escaped, the output as for the file by its own name"
t_done
