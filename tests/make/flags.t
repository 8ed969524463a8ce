#!/usr/bin/env bash
# The build keeps its own flags (includes, standard, warnings as errors)
# whatever CFLAGS and LDFLAGS the command line or the environment gives, and
# the user's come after them, so that they win. Read from `make -n`, which
# builds nothing. No privileges needed.
. "$(dirname "$0")/../e2e/lib.sh"
cd "$ROOT" || exit 1
own="-std=gnu11 -Wall -Wextra -Werror -MMD -MP -Iinclude -Iloader"
# the command line make would run for OBJ, given make's ARGS
compile_line() { # OBJ ARGS...
	local obj=$1
	shift
	make -n -B --no-print-directory "$@" "$obj" 2>/dev/null | grep -- " -c loader/err.c "
}
link_line() {
	make -n -B --no-print-directory "$@" build/wgsf 2>/dev/null | grep -- " -o build/wgsf "
}
for how in "command line" environment; do
	if [ "$how" = environment ]; then
		got=$(CFLAGS="-O1 -DWGSF_MARK" compile_line build/loader/err.o)
		ld=$(LDFLAGS="-Wl,-z,now" link_line)
	else
		got=$(compile_line build/loader/err.o CFLAGS="-O1 -DWGSF_MARK")
		ld=$(link_line LDFLAGS="-Wl,-z,now")
	fi
	t_ok "CFLAGS from the $how: the project's own flags kept" \
		grep -q -- "$own" <<<"$got"
	t_ok "CFLAGS from the $how: the user's after them" \
		grep -q -- "-Werror .* -O1 -DWGSF_MARK -c loader/err.c" <<<"$got"
	t_ok "LDFLAGS from the $how: on the link line" grep -q -- "-Wl,-z,now -o build/wgsf" <<<"$ld"
done
t_done
