#!/bin/sh
# bench/tables_smoke.sh TABLES_PY BENCH_JSON: bench/tables.py turns a bench
# run's JSON (the bench_smoke ctest's, one repetition) into the Markdown
# tables of docs/BENCHMARKS.md: a varint row per kernel, writer rows with a
# rate and an x memcpy ratio, reader rows, floor rows. Speed is not checked.
set -u
out=$(python3 "$1" "$2") || { echo "FAIL: tables.py exited $?"; exit 1; }
fail=0
expect() { # what, pattern (grep -E)
  if printf '%s\n' "$out" | grep -Eq "$2"; then echo "PASS: $1"
  else fail=1; echo "FAIL: $1: no line matching '$2'"; fi
}
expect "varint row (scalar)" '^\| scalar \| [0-9]+\.[0-9]{3} \| [0-9]+\.[0-9]{3} \|'
expect "writer row (mixed, null)" '^\| mixed \| null \| [0-9]+ \([0-9]+\.\.[0-9]+\) \| [0-9]+\.[0-9]{2} \|'
expect "writer row (mixed, null, maps)" '^\| mixed \| null, maps \| [0-9]+ \([0-9]+\.\.[0-9]+\) \| [0-9]+\.[0-9]{2} \|'
expect "writer row (mixed, null, put_objects 2t)" '^\| mixed \| null, put_objects 2t \| [0-9]+ \([0-9]+\.\.[0-9]+\) \| [0-9]+\.[0-9]{2} \|'
expect "memcpy baselines" '^memcpy baselines .*mixed [0-9]+\.[0-9] / [0-9]+\.[0-9] GB/s'
expect "reader row (mixed, mem)" '^\| mixed \| [0-9]+ \([0-9]+\.\.[0-9]+\) \| [0-9]+\.[0-9]{2} \| [0-9]+\.[0-9] \|'
expect "reader row (mixed, mem in batches)" '^\| mixed \| [0-9]+ \([0-9]+\.\.[0-9]+\) \| [0-9]+\.[0-9]{2} \| [0-9]+\.[0-9] \| [0-9]+ \([0-9]+\.\.[0-9]+\) \| [0-9]+\.[0-9]{2} \|'
expect "reader row (mixed, scan)" '^\| mixed \| .* \| [0-9]+ \([0-9]+\.\.[0-9]+\) \| [0-9]+\.[0-9]{2} \|$'
expect "floors row (mixed, 2-thread encode floor too)" '^\| mixed \| [0-9]+ \([0-9]+\.\.[0-9]+\) \| [0-9]+\.[0-9]{2} \| [0-9]+ \([0-9]+\.\.[0-9]+\) \| [0-9]+\.[0-9]{2} \| [0-9]+ \([0-9]+\.\.[0-9]+\) \| [0-9]+\.[0-9]{2} \|$'
[ $fail = 0 ] || printf '%s\n' "$out"
exit $fail
