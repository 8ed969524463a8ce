#!/usr/bin/env bash
# `make lint` holds loader/'s folders to their order (the Makefile's
# LOADER_LAYERS): it passes on the tree as it is, and fails, naming the file
# and the line, on an include planted in a copy of the tree: one of a layer
# above that makes no cycle, one that closes a cycle between two folders,
# one from loader/ itself, one spelt with "../", and a folder with no place
# in the order. No
# privileges needed; nothing is built.
. "$(dirname "$0")/../e2e/lib.sh"
cd "$ROOT" || exit 1
LADDER="loader/ device/ policy/ pins/ tables/ tracer/ attach/ check/"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

out=$(make -s --no-print-directory lint 2>&1)
t_is "$?" 0 "make lint passes on the tree"
t_ok "and says the order it held" \
	grep -qx "layers: [0-9]* includes of loader/'s headers, none against the order ($LADDER)" \
	<<<"$out"

# A copy of what the lint reads, fresh for each plant.
fresh_copy() {
	rm -rf "$work/tree" && mkdir -p "$work/tree/tools" &&
		cp -r Makefile loader include "$work/tree/" &&
		cp tools/layers.sh tools/layers.awk "$work/tree/tools/"
}

# Appends an include to FILE in the copy; the line it lands on is in $line.
plant() { # FILE NAME
	echo "#include \"$2\"" >>"$work/tree/$1"
	line=$(wc -l <"$work/tree/$1")
}

# make's status in $status, the lint's lines (not make's own) in $out
lint_copy() {
	make -s --no-print-directory -C "$work/tree" lint >"$work/out" 2>&1
	status=$?
	out=$(grep -Ev '^make(\[[0-9]+\])?: \*\*\*' "$work/out")
}

fresh_copy
plant loader/device/model.c pins/lock.h
lint_copy
t_is "$status" 2 "an include of a layer above fails the lint"
t_is "$out" "loader/device/model.c:$line: \"pins/lock.h\": pins/ lies above device/ \
(layers, lowest first: $LADDER)" \
	"named by its file and line, and no cycle is reported: pins/ includes nothing of device/"

fresh_copy
plant loader/pins/lock.c tracer/tracer.h
back=$(grep -n '#include "pins/' loader/tracer/tracer.c | head -1)
lint_copy
t_is "$status" 2 "an include that closes a cycle fails the lint"
t_is "$(grep -A2 '^include cycle' <<<"$out")" "include cycle between loader/'s folders: \
pins/ -> tracer/ -> pins/
loader/pins/lock.c:$line: includes \"tracer/tracer.h\"
loader/tracer/tracer.c:${back%%:*}: includes \"${back#*\"}" \
	"the cycle is named, with the file and line of each of its includes"
t_ok "the include against the order is named too" \
	grep -qx "loader/pins/lock.c:$line: \"tracer/tracer.h\": tracer/ lies above pins/ .*" <<<"$out"

fresh_copy
plant loader/filepos.c device/prefix.h
back=$(grep -n '#include "sort.h"' loader/device/model.c)
lint_copy
t_is "$status" 2 "a shared helper of loader/ itself that includes a folder fails the lint"
t_is "$(grep -A2 '^include cycle' <<<"$out")" "include cycle between loader/'s folders: \
device/ -> loader/ -> device/
loader/device/model.c:${back%%:*}: includes \"sort.h\"
loader/filepos.c:$line: includes \"device/prefix.h\"" \
	"and the cycle through loader/ itself is named"

fresh_copy
plant loader/device/prefix.c ../attach/iface.h
lint_copy
t_is "$status" 2 "an include spelt with ../ is resolved as the compiler resolves it"
t_ok "and named" \
	grep -qx "loader/device/prefix.c:$line: \"../attach/iface.h\": attach/ lies above device/ .*" \
	<<<"$out"

fresh_copy
mkdir "$work/tree/loader/extra"
printf 'int extra;\n' >"$work/tree/loader/extra/extra.c"
lint_copy
t_is "$status" 2 "a folder outside the order fails the lint"
t_ok "and is named" grep -qx "loader/extra/: a folder with no place in the layer order ($LADDER)" \
	<<<"$out"

fresh_copy
plant loader/tracer/status.c tracer.h
plant loader/attach/view.c ../sort.h
lint_copy
t_is "$status" 0 "includes of the own folder and of loader/ itself, however spelt, pass"
t_done
