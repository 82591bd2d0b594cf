#!/bin/sh
# tests/linkage/run.sh SRC BUILD: installs the built library into a temporary
# prefix, then configures, builds and runs a consumer with find_package(hdump).
set -eu
src=$1
build=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src/tests/linkage" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
  -DCMAKE_C_COMPILER="${CC:-cc}" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
"$tmp/consumer/consumer"
test -f "$tmp/prefix/bin/hdump"
test -f "$tmp/prefix/include/hdump/version.h"
test -f "$tmp/prefix/lib/pkgconfig/hdump.pc" || test -f "$tmp/prefix/lib64/pkgconfig/hdump.pc" \
  || ls "$tmp"/prefix/lib/*/pkgconfig/hdump.pc >/dev/null
echo "1 passed, 0 failed"
