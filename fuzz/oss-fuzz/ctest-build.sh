#!/bin/sh
# ctest fuzz_oss_build: the OSS-Fuzz-style build (local.sh) where clang can
# link libFuzzer (exit 77, ctest SKIP, otherwise): libFuzzer + ASan with a
# short smoke run of every target, then the other builds OSS-Fuzz makes —
# libFuzzer + UBSan, libFuzzer + MSan, AFL++ + ASan, AFL++ + UBSan (when
# afl-clang-fast is installed) — each checked on its seeds by local.sh.
SRC=$1
DIR=$2
# make check-kernels reruns ctest once per kernel; the build does not depend on it.
if [ -n "${HDUMP_KERNEL:-}" ]; then
  echo "SKIP: HDUMP_KERNEL=$HDUMP_KERNEL rerun (the OSS-Fuzz build was checked in the default run)"
  exit 77
fi
probe=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n){(void)d;(void)n;return 0;}\n' > "$probe/p.c"
if ! command -v clang >/dev/null 2>&1 || ! command -v clang++ >/dev/null 2>&1 ||
   ! clang -fsanitize=fuzzer,address "$probe/p.c" -o "$probe/p" >/dev/null 2>&1 ||
   ! command -v zip >/dev/null 2>&1; then
  echo "SKIP: clang with libFuzzer (libclang-rt-14-dev) or zip not available"
  rm -rf "$probe"; exit 77
fi
rm -rf "$probe" "$DIR"
ENGINE=libfuzzer SANITIZER=address OUT="$DIR/out" WORK_DIR="$DIR/work" JOBS=2 \
  bash "$SRC/fuzz/oss-fuzz/local.sh"
st=$?
[ $st -eq 0 ] || exit $st
# The CI smoke run: every target built above, run briefly from its
# seed corpus (2 s each: the build above is the test; the fuzzing is done
# by `make fuzz`), with a fixed seed so a run is repeatable; a crash fails.
fail=0
pass=0
for bin in "$DIR"/out/fuzz_*; do
  case "$bin" in *.zip|*.options|*.dict) continue ;; esac
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  corp="$DIR/smoke/$name"
  rm -rf "$corp" && mkdir -p "$corp"
  [ -f "$bin"_seed_corpus.zip ] && (cd "$corp" && unzip -qo "$bin"_seed_corpus.zip) 2>/dev/null
  if "$bin" -seed=1 -max_total_time=2 -rss_limit_mb=2560 -timeout=25 -max_len=65536 \
       -dict="$DIR/out/hdump.dict" "$corp" > "$DIR/smoke/$name.log" 2>&1; then
    pass=$((pass + 1)); echo "PASS: smoke $name: $(grep -o 'exec/s: [0-9]*' "$DIR/smoke/$name.log" | tail -1)"
  else
    fail=$((fail + 1)); echo "FAIL: smoke $name (log: $DIR/smoke/$name.log)"; tail -20 "$DIR/smoke/$name.log"
  fi
done
# The other engine x sanitizer builds: build.sh must work for each, and
# every binary must run its seeds cleanly (local.sh's check). The seed zips
# are the first build's (SEED_CORPORA): the same files, made once.
for combo in libfuzzer:undefined libfuzzer:memory afl:address afl:undefined; do
  engine=${combo%%:*} san=${combo#*:}
  if [ "$engine" = afl ] && ! command -v afl-clang-fast >/dev/null 2>&1; then
    echo "SKIP: $engine + $san (afl-clang-fast missing: apt-get install afl++)"; continue
  fi
  if SEED_CORPORA="$DIR/out" ENGINE=$engine SANITIZER=$san OUT="$DIR/$engine-$san/out" WORK_DIR="$DIR/$engine-$san/work" JOBS=2 \
       bash "$SRC/fuzz/oss-fuzz/local.sh" > "$DIR/$engine-$san.log" 2>&1; then
    pass=$((pass + 1)); echo "PASS: build + seed check $engine + $san ($(grep -c '^check: .* ok' "$DIR/$engine-$san.log") targets)"
  else
    fail=$((fail + 1)); echo "FAIL: build $engine + $san (log: $DIR/$engine-$san.log)"; tail -30 "$DIR/$engine-$san.log"
  fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
