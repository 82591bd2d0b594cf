#!/bin/sh
# tests/check_prefetch.sh LIB: the span writers' prefetches (writer/spans.h
# span_prefetch) are in the built code of both callers, spans.c and
# threads.c. gcc 12 once dropped every call of a helper made of prefetches
# alone, silently: nothing else would notice, the output being the same.
# x86-64 objects only (prefetcht0); other targets skip (exit 77).
set -eu
command -v objdump >/dev/null 2>&1 || { echo "no objdump: skipped"; exit 77; }
dis=$(objdump -d "$1")
echo "$dis" | grep -q 'file format elf64-x86-64' || { echo "not x86-64: skipped"; exit 77; }
fail=0
for o in spans.c.o threads.c.o; do
  n=$(echo "$dis" | awk -v o="$o" '/file format/ {m = ($1 == o":")} m && /prefetcht0/ {c++} END {print c + 0}')
  if [ "$n" -eq 0 ]; then echo "FAIL: no prefetcht0 in $o"; fail=$((fail + 1)); else echo "$o: $n prefetches"; fi
done
echo "$((2 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
