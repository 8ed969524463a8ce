#!/usr/bin/env bash
# The man pages: clean under mandoc's lint, and wgsf(8) names exactly the
# subcommands, usage lines, options and exit statuses that `wgsf --help` and
# each `wgsf SUB --help` print; the comparison is shown to catch a page that
# drifted.
. "$(dirname "$0")/lib.sh"

command -v mandoc >/dev/null || t_skip_all "needs mandoc (tools/deps.sh package installs it)"
[ -x "$WGSF" ] || t_skip_all "not built (make)"
PAGE=$ROOT/man/wgsf.8
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Style messages are left out: they flag cross references to pages that
# this machine has not installed (wgsf.policy(5) before `make install`).
for page in "$ROOT"/man/*.[0-9]; do
	t_is "$(mandoc -Tlint -W warning "$page" 2>&1 | grep -v 'outdated mandoc.db')" "" \
		"mandoc -Tlint: no warnings or errors in ${page##*/}"
done

# A section of PAGE as mandoc renders it, in plain text.
rendered() { # PAGE SECTION
	mandoc -Tascii -Owidth=300 "$1" 2>/dev/null | sed 's/.\x08//g' |
		awk -v s="$2" '/^[A-Z]/ { on = ($0 == s); next } on' | sed 's/^ *//'
}

# The first option of each item of the top-level list of a section of
# PAGE's source, or, with SUB, of SUB's entry in COMMANDS.
page_options() { # PAGE SECTION [SUB]
	awk -v s="$2" -v sub_="${3:-}" '
		/^\.Sh / { on = ($0 == ".Sh " s); cur = ""; next }
		!on { next }
		/^\.It Cm [a-z]+$/ { cur = $3; next }
		cur == sub_ && /^\.It Fl / { o = $3; sub(/^\\/, "", o); print "-" o }' "$1" | sort
}

help_options() { grep -oE -- '(^|[ [`|])--?[a-z]+(-[a-z]+)*' | sed 's/^[ [`|]//' | sort -u; }

# The subcommands that the help lists.
help_subcommands() {
	"$WGSF" --help | awk '/^Available subcommands:/ { on = 1; next } on && !/^  / { exit } on { print $1 }'
}

# "STATUS MEANING" lines: of the help's list, of PAGE's EXIT STATUS list.
help_statuses() { "$WGSF" --help | awk '/^Exit status:/ { on = 1; next } on' | sed 's/^ *//; s/  */ /'; }
page_statuses() { rendered "$1" "EXIT STATUS" | grep -E '^[0-9]+ ' | sed 's/  */ /'; }

# Every difference between PAGE and wgsf's own help, one line each.
help_vs_page() { # PAGE
	local page=$1 sub want got
	want=$(help_subcommands | sort)
	got=$(awk '/^\.Sh COMMANDS/ { on = 1; next } /^\.Sh / { on = 0 } on && /^\.It Cm [a-z]+$/ { print $3 }' "$page" | sort)
	[ "$want" = "$got" ] || echo "subcommands: help '$(echo $want)', page '$(echo $got)'"
	want=$("$WGSF" --help | sed 1d | help_options | grep -v -- --help)
	got=$(page_options "$page" OPTIONS | grep -v -- --help)
	[ "$want" = "$got" ] || echo "global options: help '$(echo $want)', page '$(echo $got)'"
	want=$(help_statuses)
	got=$(page_statuses "$page")
	[ -n "$want" ] && [ "$want" = "$got" ] ||
		echo "exit statuses: help '$(echo $want)', page '$(echo $got)'"
	for sub in $(help_subcommands); do
		want=$("$WGSF" "$sub" --help)
		want=${want#Usage: } want=${want// | /|}
		got=$(rendered "$page" SYNOPSIS | grep "^wgsf $sub\( \|$\)" | sed 's/ | /|/g')
		[ "$want" = "$got" ] || echo "$sub usage: help '$want', page '$got'"
		want=$(echo "$want" | help_options)
		got=$(page_options "$page" COMMANDS "$sub")
		[ "$want" = "$got" ] || echo "$sub options: help '$(echo $want)', page '$(echo $got)'"
	done
}

t_is "$(help_vs_page "$PAGE")" "" "wgsf(8) has every subcommand, usage line and option of the help"

# A page that drifted: an option renamed in the synopsis, one left out of
# its command's description, and an exit status renumbered.
sed -e '/^\.Cm watch$/,/^\.Nm$/ s/^\.Op Fl \\-interval Ar SECONDS$/.Op Fl \\-period Ar SECONDS/' \
	-e '/^\.It Fl \\-remove$/d' -e 's/^\.It 77$/.It 78/' "$PAGE" >"$WORK/drifted.8"
t_is "$(help_vs_page "$WORK/drifted.8")" \
	"exit statuses: help '$(echo $(help_statuses))', page '$(echo $(help_statuses | sed 's/^77 /78 /'))'
watch usage: help 'wgsf watch IFACE [--interval SECONDS] [--json]', page 'wgsf watch IFACE [--period SECONDS] [--json]'
orphans options: help '--json --remove', page '--json'" \
	"a drifted page: the comparison names each difference"

t_is "$("$WGSF" --help | sed -n 1p)" "Usage: wgsf [-v] <cmd> [<args>]" "wgsf --help: the usage line the page's synopsis follows"
t_done
