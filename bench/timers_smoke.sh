#!/bin/sh
# bench/timers_smoke.sh BENCH_BIN_DIR DUMP: the bench/vs-go.sh timers run once
# on a real dump and print the lines vs-go.sh parses (speed is not checked):
# hdump_rewrite_timer (re-emitted byte-identical, record by record and through
# put_objects and put_spans on 2 threads, whose files must be the dump), hdump_write_ceiling (bare
# write(2) calls, and with -c the copy floor over the dump's own bytes),
# hdump_read_timer (parse + ring memcpy + decode floor + threaded scan), and the encode floor
# of hdump_rewrite_timer. With a third argument, a go1.3 dump: read_timer
# times it with no decode floor (go1.3 objects are not the floor's). Exit 0
# when all do.
set -u
bin=$1
dump=$2
go13=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
expect() { # name, file, pattern (grep -E)
  if grep -Eq "$3" "$2"; then echo "PASS: $1"
  else fail=1; echo "FAIL: $1: no line matching '$3' in:"; cat "$2"; fi
}
bytes=$(wc -c <"$dump" | tr -d ' ')
"$bin/hdump_rewrite_timer" -r 1 "$dump" /dev/null "$tmp/out" >"$tmp/rw" 2>"$tmp/rw.err" || { fail=1; cat "$tmp/rw.err"; }
expect rewrite_timer "$tmp/rw.err" "re-emitted byte-identical"
expect rewrite_timer "$tmp/rw" "^hdump target=/dev/null bytes=$bytes .*median_s="
# the same bytes through hdump_writer_put_objects on 2 threads (4 KiB chunks):
# checked byte-identical in memory first (exit 1 if not), then to a file
"$bin/hdump_rewrite_timer" -r 1 -t 2 -c 4096 "$dump" /dev/null "$tmp/out2" >"$tmp/rw2" 2>"$tmp/rw2.err" ||
  { fail=1; cat "$tmp/rw2.err"; }
expect rewrite_timer_2t "$tmp/rw2" "^hdump-objects-2t target=/dev/null bytes=$bytes .*median_s="
if cmp -s "$dump" "$tmp/out2"; then echo "PASS: the 2-thread writer's file is the dump"
else fail=1; echo "FAIL: the 2-thread writer's file differs from the dump"; fi
# the same through hdump_writer_put_spans (the objects regrouped into spans), 2 threads
"$bin/hdump_rewrite_timer" -r 1 -t 2 -c 4096 -i spans "$dump" "$tmp/out3" >"$tmp/rw3" 2>"$tmp/rw3.err" ||
  { fail=1; cat "$tmp/rw3.err"; }
expect rewrite_timer_spans "$tmp/rw3" "^hdump-spans-2t target=$tmp/out3 bytes=$bytes .*median_s="
if cmp -s "$dump" "$tmp/out3"; then echo "PASS: the span writer's file is the dump"
else fail=1; echo "FAIL: the span writer's file differs from the dump"; fi
# the encode floor checks its own bytes against the dump's objects (exit 1 if not)
"$bin/hdump_rewrite_timer" -r 1 "$dump" floor >"$tmp/ef" 2>/dev/null || { fail=1; echo "FAIL: rewrite_timer floor"; }
expect rewrite_timer_floor "$tmp/ef" "^memcpy-ring target=mem bytes=$bytes .*median_s="
expect rewrite_timer_floor "$tmp/ef" "^encode-floor target=null bytes=[1-9][0-9]* objects=[1-9][0-9]* .*median_s="
"$bin/hdump_write_ceiling" -r 1 "$bytes" /dev/null >"$tmp/ceil" || fail=1
expect write_ceiling "$tmp/ceil" "^ceiling target=/dev/null bytes=$bytes calls=[0-9]+ .*mbps="
"$bin/hdump_write_ceiling" -r 1 -c "$dump" /dev/null "$tmp/out" >"$tmp/floor" || fail=1
expect write_ceiling_copy "$tmp/floor" "^copyfloor target=/dev/null bytes=$bytes calls=[0-9]+ .*mbps="
expect write_ceiling_copy "$tmp/floor" "^copyfloor target=$tmp/out bytes=$bytes "
# the copy floor writes the dump's own bytes
if cmp -s "$dump" "$tmp/out"; then echo "PASS: copy floor output is the dump"
else fail=1; echo "FAIL: copy floor output differs from the dump"; fi
"$bin/hdump_write_ceiling" -r 1 -c "$tmp/missing" /dev/null >/dev/null 2>&1 &&
  { fail=1; echo "FAIL: write_ceiling -c on a missing file exited 0"; }
"$bin/hdump_read_timer" -r 1 "$dump" >"$tmp/rd" || fail=1
expect read_timer "$tmp/rd" "^hdump-read .*median_s="
# the batch reader checks its record count against the reader's (exit 1 if not)
expect read_timer "$tmp/rd" "^hdump-read-batch target=mem bytes=$bytes records=[1-9][0-9]* .*median_s="
expect read_timer "$tmp/rd" "^memcpy-ring .*median_s="
expect read_timer "$tmp/rd" "^decode-floor .*records=[1-9][0-9]* .*median_s="
# the scan checks its record count against the reader's (exit 1 if not)
expect read_timer "$tmp/rd" "^hdump-scan-2t target=mem bytes=$bytes records=[1-9][0-9]* .*median_s="
expect read_timer "$tmp/rd" "^scan-parts parts=[1-9][0-9]* dropped=[0-9]+$"
if [ -n "$go13" ]; then
  "$bin/hdump_read_timer" -r 1 "$go13" >"$tmp/rd13" || { fail=1; echo "FAIL: read_timer on a go1.3 dump"; }
  expect read_timer_go13 "$tmp/rd13" "^hdump-read .*median_s="
  if grep -q "^decode-floor" "$tmp/rd13"; then fail=1; echo "FAIL: a decode floor for a go1.3 dump"
  else echo "PASS: no decode floor for a go1.3 dump"; fi
fi
exit $fail
