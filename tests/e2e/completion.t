#!/usr/bin/env bash
# Bash completion, driven as bash drives it: bash-completion and
# tools/completion/wgsf.bash sourced, COMP_WORDS and COMP_CWORD set, the
# function called, COMPREPLY compared exactly. Interface names come from a
# namespace made here: two wireguard-go interfaces, one of them attached,
# and interfaces that are not WireGuard; one in another namespace is never
# offered.
. "$(dirname "$0")/lib.sh"
require_e2e
BASH_COMPLETION=${BASH_COMPLETION:-/usr/share/bash-completion/bash_completion}
[ -r "$BASH_COMPLETION" ] || t_skip_all "needs bash-completion (tools/deps.sh package installs it)"

NS=wgsf-comp-$ID
OTHER_NS=wgsf-compo-$ID
A=wca$ID # attached
B=wcb$ID # WireGuard, not attached
# WireGuard in another namespace, whose socket every namespace sees
O=wco$ID
new_ns "$NS" && start_wg "$NS" "$A" && start_wg "$NS" "$B" &&
	new_ns "$OTHER_NS" && start_wg "$OTHER_NS" "$O" &&
	{ ip -n "$NS" link add "dum$ID" type dummy 2>/dev/null ||
		ip -n "$NS" link add "dum$ID" type veth peer name "dup$ID"; } ||
	t_skip_all "cannot build the namespace"
in_ns "$NS" "$WGSF" attach "$A" >/dev/null && ATTACHED+=("$NS $A") || t_skip_all "cannot attach"
WORK=$(mktemp -d)
trap 'cleanup; rm -rf "$WORK"' EXIT
mkdir "$WORK/conf.d" && touch "$WORK/gw.policy" "$WORK/$B.conf"

# The completions of the last word of WORDS, typed in $NS from $WORK, one
# per line in the order bash would list them.
complete_words() { # WORDS... (the last one may be empty)
	in_ns "$NS" bash -c '
		. "$1" && . "$2" && cd "$3" && shift 3
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_wgsf
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort' \
		_ "$BASH_COMPLETION" "$ROOT/tools/completion/wgsf.bash" "$WORK" "$WGSF" "$@"
}

lines() { printf '%s\n' "$@" | LC_ALL=C sort; }

t_is "$(complete_words "")" "$(lines attach check detach events flows help lookup metrics orphans quarantine release show sync top version watch)" \
	"subcommands"
t_is "$(complete_words -)" "$(lines --help --version -v)" "global options"
t_is "$(complete_words -v s)" "$(lines show sync)" "subcommands after -v"
for sub in attach watch; do
	t_is "$(complete_words "$sub" "")" "$(lines "$A" "$B")" "$sub: WireGuard interfaces only"
done
for sub in sync detach show top events flows lookup quarantine release; do
	t_is "$(complete_words "$sub" "")" "$A" "$sub: the attached interface only"
done
t_is "$(complete_words check "")" "$(lines "$B.conf" conf.d gw.policy "$A" "$B")" \
	"check: files and WireGuard interfaces"
t_is "$(complete_words attach "$A" --hook "")" tc "attach --hook: the hook"
t_is "$(complete_words attach "$A" --mode e)" "enforce" "attach --mode e: enforce"
t_is "$(complete_words attach "$A" --policy "")" "$(lines "$B.conf" conf.d gw.policy none)" \
	"attach --policy: files and none"
t_is "$(complete_words attach "$A" --policy g)" "gw.policy" "attach --policy g: the file"
t_is "$(complete_words attach "$A" --hook tc "")" "$(lines --flows --json --mode --policy)" \
	"attach: the options not given yet"
t_is "$(complete_words watch "$A" --interval "")" "" "watch --interval: nothing to offer"
t_is "$(complete_words lookup "$A" "")" "" "lookup: no completion of an address"
t_is "$(complete_words lookup "$A" 192.0.2.1 "")" "--json" "lookup: --json after the address"
t_is "$(complete_words metrics --output g)" "gw.policy" "metrics --output g: the file"
t_is "$(complete_words metrics --listen 127.0.0.1 "")" "--json" "metrics: one of its options only"
t_is "$(complete_words top "$A" --sort v)" "violations" "top --sort v: violations"
t_is "$(complete_words top "$A" --sort bits -)" "$(lines --interval --json)" \
	"top: the options not given yet"
t_is "$(complete_words show "$A" "")" "dump" "show IFACE: dump"
t_is "$(complete_words show "$A" dump -)" "" "show IFACE dump: no --json"

# The options offered after each subcommand's arguments are those its help
# lists.
for sub in show top events flows attach sync lookup watch quarantine release detach orphans check metrics version help; do
	args=()
	case $sub in
	orphans | metrics | version | help) ;;
	lookup) args=("$A" 192.0.2.1) ;;
	quarantine | release) args=("$A" PUBLIC_KEY) ;;
	*) args=("$A") ;;
	esac
	want=$("$WGSF" "$sub" --help | grep -oE -- '--[a-z-]*[a-z]' | LC_ALL=C sort)
	t_is "$(complete_words "$sub" "${args[@]}" -)" "$want" "$sub: the options of its help"
done
t_done
