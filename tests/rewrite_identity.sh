#!/bin/sh
# tests/rewrite_identity.sh HDUMP CORPUS_DIR: `hdump rewrite` is byte-identical
# on every committed real dump and on generated dumps of every profile and
# format version; also from standard input to standard output.
set -u
hdump=$1
corpus=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() { # name, a, b
  if cmp -s "$2" "$3"; then pass=$((pass + 1)); echo "PASS: $1"
  else fail=$((fail + 1)); echo "FAIL: $1 ($(cmp "$2" "$3" 2>&1 | head -1))"; fi
}
for d in "$corpus"/*.dump; do
  n=$(basename "$d")
  "$hdump" rewrite "$d" "$tmp/out.dump" || { fail=$((fail + 1)); echo "FAIL: rewrite $n exited $?"; continue; }
  check "rewrite $n" "$d" "$tmp/out.dump"
done
for v in go1.3 go1.4 go1.5 go1.6 go1.7; do
  for p in mixed small large pointers goroutines gobench; do
    "$hdump" gen --objects 3000 --profile $p --format $v --seed 5 -o "$tmp/g.dump"
    "$hdump" rewrite "$tmp/g.dump" "$tmp/r.dump"
    check "rewrite gen $v $p" "$tmp/g.dump" "$tmp/r.dump"
  done
done
"$hdump" rewrite - - < "$corpus/sample_go1.23.5.dump" > "$tmp/stdio.dump"
check "rewrite stdin to stdout" "$corpus/sample_go1.23.5.dump" "$tmp/stdio.dump"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
