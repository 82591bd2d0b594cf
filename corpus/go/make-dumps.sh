#!/bin/sh
# Build corpus/go/heapgen with every available Go toolchain and write heap
# dumps into corpus/real/ as heapgen_<goversion>_<size>.dump.gz.
#
#   small = -scale 1  (a few hundred KB uncompressed)
#   large = -scale 4  (about 3 MB uncompressed, under 200 KB gzipped)
#
# Toolchains: $GO119 (default: go on PATH) and $GO123 (default:
# /usr/lib/go-1.23/bin/go); a missing one is skipped with a message.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "$here/../real" 2>/dev/null && pwd || { mkdir -p "$here/../real" && cd "$here/../real" && pwd; })
seed=${SEED:-1}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
export GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath" GOENV=off

built=0
for go in "${GO119:-go}" "${GO123:-/usr/lib/go-1.23/bin/go}"; do
    if ! command -v "$go" >/dev/null 2>&1; then
        echo "make-dumps: Go toolchain '$go' not found, skipping" >&2
        continue
    fi
    ver=$("$go" env GOVERSION)
    bin="$tmp/heapgen_$ver"
    echo "make-dumps: building heapgen with $ver ($go)"
    (cd "$here/heapgen" && "$go" build -trimpath -o "$bin" .)
    for spec in small:1 large:4; do
        name=${spec%%:*} scale=${spec#*:}
        dump="$tmp/heapgen_${ver}_$name.dump"
        "$bin" -o "$dump" -scale "$scale" -seed "$seed"
        gzip -9n -c "$dump" > "$out/heapgen_${ver}_$name.dump.gz"
        echo "make-dumps: wrote $out/heapgen_${ver}_$name.dump.gz" \
             "($(wc -c < "$dump") bytes uncompressed, -scale $scale -seed $seed)"
    done
    built=$((built + 1))
done
[ "$built" -gt 0 ] || { echo "make-dumps: no Go toolchain found" >&2; exit 1; }
