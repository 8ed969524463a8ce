#!/usr/bin/env bash
# make install and make uninstall into staging directories: exactly the
# binary, the man pages, bash completion and the systemd unit, where
# PREFIX, DESTDIR, MANDIR, COMPLETIONDIR and UNITDIR say; uninstall leaves
# the tree as it was.
. "$(dirname "$0")/lib.sh"
[ -x "$WGSF" ] || t_skip_all "not built (make)"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mk() { make --no-print-directory -s -C "$ROOT" "$@" >/dev/null; }
# Every file and directory below DIR, with its type and mode.
tree() { (cd "$1" && find . -printf '%y %m %p\n' | LC_ALL=C sort); }

S=$WORK/default
t_ok "make install DESTDIR=...: exit 0" mk install DESTDIR="$S"
t_is "$(cd "$S" && find . -type f -printf '%m %p\n' | LC_ALL=C sort)" \
	"644 ./usr/local/lib/systemd/system/wgsf-events@.service
644 ./usr/local/lib/systemd/system/wgsf-metrics.service
644 ./usr/local/lib/systemd/system/wgsf@.service
644 ./usr/local/share/bash-completion/completions/wgsf
644 ./usr/local/share/man/man5/wgsf.policy.5
644 ./usr/local/share/man/man8/wgsf.8
755 ./usr/local/sbin/wgsf" "default PREFIX: exactly these files, these modes"
t_is "$(grep '^ExecStart=' "$S/usr/local/lib/systemd/system/wgsf@.service")" \
	"ExecStart=/usr/local/sbin/wgsf watch %i" "the unit runs the installed binary"
t_ok "the installed binary is the one built" cmp "$WGSF" "$S/usr/local/sbin/wgsf"
t_ok "make uninstall DESTDIR=...: exit 0" mk uninstall DESTDIR="$S"
t_is "$(find "$S" -type f)" "" "default PREFIX: uninstall leaves no file"

# A staging root laid out as a Debian system, with files of others in every
# directory wgsf installs into.
S=$WORK/debian
for d in usr/sbin usr/share/man/man5 usr/share/man/man8 lib/systemd/system \
	usr/share/bash-completion/completions; do
	mkdir -p "$S/$d" && echo other >"$S/$d/other"
done
before=$(tree "$S")
set -- DESTDIR="$S" PREFIX=/usr UNITDIR=/lib/systemd/system MANDIR=/usr/share/man \
	COMPLETIONDIR=/usr/share/bash-completion/completions
t_ok "make install with every directory given: exit 0" mk install "$@"
t_is "$(diff <(echo "$before") <(tree "$S") | sed -n 's/^> //p')" \
	"f 644 ./lib/systemd/system/wgsf-events@.service
f 644 ./lib/systemd/system/wgsf-metrics.service
f 644 ./lib/systemd/system/wgsf@.service
f 644 ./usr/share/bash-completion/completions/wgsf
f 644 ./usr/share/man/man5/wgsf.policy.5
f 644 ./usr/share/man/man8/wgsf.8
f 755 ./usr/sbin/wgsf" "each file where its variable says, and nothing else"
t_is "$(diff <(echo "$before") <(tree "$S") | grep -c '^<')" 0 "nothing of others changed"
t_ok "make uninstall with every directory given: exit 0" mk uninstall "$@"
t_is "$(tree "$S")" "$before" "uninstall leaves the tree as it was"
t_done
