#!/bin/bash -u
# fuzz/run-libfuzzer.sh BUILD_DIR: runs every libFuzzer binary in
# BUILD_DIR/fuzz for FUZZ_SECONDS (default 60) with FUZZ_JOBS workers
# (default 2), on a working corpus BUILD_DIR/corpus/<target> seeded from the
# writer-made seeds, corpus/<target>/ and (reader targets) the real dumps.
# Crashes, leaks, timeouts and OOMs go to BUILD_DIR/crashes/; per target it
# prints execs/s, cov and ft; exits 1 if anything was found. `make fuzz`.
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$1" && pwd)
SECS=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-2}
TARGETS=${FUZZ_TARGETS:-"read read_chunked roundtrip rewrite varint faults scan read_structured"}
mkdir -p "$B/crashes" "$B/run"
found=0
for t in $TARGETS; do
  bin=$B/fuzz/fuzz_$t
  [ -x "$bin" ] || { echo "fuzz: $bin missing"; found=1; continue; }
  src=$t; case $t in read_structured|scan) src=read ;; esac
  corpus=$B/corpus/$t
  mkdir -p "$corpus"
  [ -d "$B/seeds/$src" ] && cp -n "$B/seeds/$src"/* "$corpus/" 2>/dev/null
  [ -n "$(ls -A "$SRC_DIR/corpus/$src" 2>/dev/null)" ] && cp -n "$SRC_DIR/corpus/$src"/* "$corpus/"
  dict=""; grep -q '^dict' "$SRC_DIR/fuzz/$t.options" 2>/dev/null && dict="-dict=$SRC_DIR/fuzz/hdump.dict"
  maxlen=$(awk -F' *= *' '$1=="max_len"{print $2}' "$SRC_DIR/fuzz/$t.options" 2>/dev/null)
  run=$B/run/$t; rm -rf "$run"; mkdir -p "$run"
  before=$(ls "$B/crashes" | wc -l)
  (cd "$run" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:silence_unsigned_overflow=1 \
     "$bin" -max_total_time="$SECS" -jobs="$JOBS" -workers="$JOBS" -print_final_stats=1 \
       -timeout=25 -rss_limit_mb=2560 ${maxlen:+-max_len=$maxlen} $dict \
       -artifact_prefix="$B/crashes/$t-" "$corpus" >"$run/main.log" 2>&1)
  execs=0 rate=0 cov=0 ft=0
  for log in "$run"/fuzz-*.log; do
    [ -f "$log" ] || continue
    e=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -1)
    r=$(grep -a 'stat::average_exec_per_sec' "$log" | awk '{print $2}' | tail -1)
    c=$(grep -aoE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    f=$(grep -aoE 'ft: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    execs=$((execs + ${e:-0})); rate=$((rate + ${r:-0}))
    [ "${c:-0}" -gt "$cov" ] && cov=$c; [ "${f:-0}" -gt "$ft" ] && ft=$f
  done
  after=$(ls "$B/crashes" | wc -l)
  printf 'fuzz_%-16s %6ss x%s  execs %10s  exec/s %7s  cov %5s  ft %6s  corpus %5s' \
    "$t" "$SECS" "$JOBS" "$execs" "$rate" "$cov" "$ft" "$(ls "$corpus" | wc -l)"
  if [ "$after" -gt "$before" ]; then
    found=1; echo "  FOUND:"
    ls -t "$B/crashes" | head -$((after - before)) | sed "s|^|    $B/crashes/|"
    grep -ah -m3 -E 'ERROR|check failed|SUMMARY' "$run"/fuzz-*.log | sed 's/^/    /'
  else
    echo "  ok"
  fi
done
exit $found
