#!/usr/bin/env bash
# tools/layers.sh LAYER...: holds loader/'s folders to their order (`make
# lint`). The LAYERs are loader/'s folders, lowest first; the shared helpers
# in loader/ itself lie below them all. A file may include a header of its
# own layer or of one below; an include of a layer above, and every include
# cycle between folders, is reported with the file and line that makes it,
# as is a folder missing from the order, and the status is 1. Read from
# the #include "..." lines as they are in the tree (run from its root), resolved as the compiler does (the including
# file's folder first, then -Iinclude, then -Iloader): nothing is built.
set -u
[ $# -gt 0 ] || {
	echo "usage: tools/layers.sh LAYER... (loader/'s folders, lowest first)" >&2
	exit 2
}
[ -d loader ] || {
	echo "layers: Unable to read loader/: run from the tree's root" >&2
	exit 2
}
mapfile -t files < <(find loader -name '*.[ch]' | LC_ALL=C sort)
folders=$(find loader -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ')
# FILE:LINE:#include "NAME" for every quoted include
grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "${files[@]}" /dev/null |
	awk -v order="$*" -v folders="$folders" -f "$(dirname "$0")/layers.awk"
