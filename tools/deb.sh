#!/bin/sh
# Builds the Debian package with dpkg-buildpackage and checks it with
# lintian. dpkg-buildpackage writes next to the source directory, so it
# builds a copy of the tree in a temporary directory; the .deb lands in
# build/. Usage: tools/deb.sh (make deb).
set -eu
cd "$(dirname "$0")/.."
version=$(sed -n 's/^VERSION := //p' Makefile)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/wgsf-$version
mkdir "$src"
tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$tmp/log" 2>&1; then
	cat "$tmp/log" >&2
	echo "deb.sh: dpkg-buildpackage failed" >&2
	exit 1
fi
mkdir -p build
for deb in "$tmp"/wgsf_"$version"_*.deb; do
	cp "$deb" build/
	echo "build/${deb##*/}"
	lintian --fail-on error "build/${deb##*/}"
done
