#!/bin/bash -u
# fuzz/run-afl.sh DIR: runs afl-fuzz on every DIR/out/fuzz_<target> (built by
# local.sh ENGINE=afl) for FUZZ_SECONDS (default 60) each, one instance, seeds
# from DIR/out/fuzz_<target>_seed_corpus.zip (files > 1 MB dropped), the
# shared dictionary. Prints execs/s, paths (corpus) and edges found; copies
# crashes to DIR/crashes/<target>/; exits 1 on a crash. `make fuzz-afl`.
D=$(cd "$1" && pwd)
SECS=${FUZZ_SECONDS:-60}
TARGETS=${AFL_TARGETS:-"read read_chunked roundtrip rewrite varint faults scan"}
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_FAST_CAL=1 AFL_FORKSRV_INIT_TMOUT=30000 AFL_QUIET=1
export ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=1:allocator_may_return_null=1
found=0
for t in $TARGETS; do
  bin=$D/out/fuzz_$t
  [ -x "$bin" ] || { echo "fuzz-afl: $bin missing"; found=1; continue; }
  in=$D/afl/$t/in; out=$D/afl/$t/out
  rm -rf "$D/afl/$t"; mkdir -p "$in"
  (cd "$in" && unzip -q "$D/out/fuzz_${t}_seed_corpus.zip" && find . -size +1000k -delete)
  dict=""; grep -q '^dict' "$D/out/fuzz_$t.options" 2>/dev/null && dict="-x $D/out/hdump.dict"
  timeout $((SECS + 60)) afl-fuzz -V "$SECS" -m none -t 5000+ -i "$in" -o "$out" $dict -- "$bin" \
    >"$D/afl/$t/afl.log" 2>&1
  st=$out/default/fuzzer_stats
  if [ ! -f "$st" ]; then echo "fuzz_$t: afl-fuzz did not start, see $D/afl/$t/afl.log"; tail -5 "$D/afl/$t/afl.log"; found=1; continue; fi
  get() { awk -F' *: *' -v k="$1" '$1==k{print $2}' "$st"; }
  crashes=$(get saved_crashes); [ -z "$crashes" ] && crashes=$(get unique_crashes)
  printf 'fuzz_%-14s %4ss  execs %9s  exec/s %8s  corpus %5s  edges %s  stability %s  crashes %s' \
    "$t" "$SECS" "$(get execs_done)" "$(get execs_per_sec)" "$(get corpus_count)" \
    "$(get edges_found)" "$(get stability)" "${crashes:-0}"
  if [ "${crashes:-0}" != 0 ]; then
    found=1; mkdir -p "$D/crashes/$t"; cp "$out"/default/crashes/id* "$D/crashes/$t/"; echo "  FOUND:"
    ls "$D/crashes/$t" | sed "s|^|    $D/crashes/$t/|"
  else
    echo "  ok"
  fi
done
exit $found
