#!/bin/sh
# tests/gen_validate.sh HDUMP: a generated dump of every profile and format
# version validates with no finding at all: no error, no warning, and every
# pointer resolves.
set -u
hdump=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
for v in go1.3 go1.4 go1.5 go1.6 go1.7; do
  for p in mixed small large pointers goroutines gobench; do
    "$hdump" gen --objects 20000 --profile $p --format $v --seed 11 -o "$tmp/g.dump"
    out=$("$hdump" validate --json "$tmp/g.dump")
    case "$out" in
      *'"valid":true'*'"findings":[]}') pass=$((pass + 1)); echo "PASS: $v $p" ;;
      *) fail=$((fail + 1)); echo "FAIL: $v $p: $out" | cut -c1-400 ;;
    esac
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
