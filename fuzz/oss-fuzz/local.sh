#!/bin/bash -eu
# fuzz/oss-fuzz/local.sh: runs build.sh here the way OSS-Fuzz's base-builder
# would (no Docker): same CC/CXX/CFLAGS/LIB_FUZZING_ENGINE per engine and
# sanitizer, then a check_build-like smoke run of every binary on its seeds.
#
#   ENGINE=libfuzzer|afl  SANITIZER=address|undefined|memory|none
#   OUT=<dir> (default build-oss/$ENGINE-$SANITIZER/out)  CHECK=0 skips the check
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ENGINE=${ENGINE:-libfuzzer}
SANITIZER=${SANITIZER:-address}
export OUT=${OUT:-$SRC_DIR/build-oss/$ENGINE-$SANITIZER/out}
export WORK=${WORK_DIR:-$(dirname "$OUT")/work}
mkdir -p "$OUT" "$WORK"

UBSAN_CHECKS=array-bounds,bool,builtin,enum,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unsigned-integer-overflow,unreachable,vla-bound,vptr
UBSAN_NORECOVER=array-bounds,bool,builtin,enum,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
case $SANITIZER in
  address) SAN="-fsanitize=address -fsanitize-address-use-after-scope" ;;
  undefined) SAN="-fsanitize=$UBSAN_CHECKS -fno-sanitize-recover=$UBSAN_NORECOVER" ;;
  memory) SAN="-fsanitize=memory -fsanitize-memory-track-origins" ;;
  none) SAN="" ;;
  *) echo "local.sh: unknown SANITIZER=$SANITIZER" >&2; exit 2 ;;
esac
BASE="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
case $ENGINE in
  libfuzzer)
    export CC=clang CXX=clang++
    export CFLAGS="$BASE $SAN -fsanitize=fuzzer-no-link"
    export LIB_FUZZING_ENGINE=-fsanitize=fuzzer ;;
  afl)
    command -v afl-clang-fast >/dev/null || { echo "local.sh: afl-clang-fast missing (apt-get install afl++)" >&2; exit 2; }
    export CC=afl-clang-fast CXX=afl-clang-fast++
    export CFLAGS="$BASE $SAN"
    export LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a
    export AFL_QUIET=1 AFL_IGNORE_PROBLEMS=1 AFL_IGNORE_UNKNOWN_ENVS=1
    export ASAN_OPTIONS=detect_leaks=0 ;;
  *) echo "local.sh: unknown ENGINE=$ENGINE" >&2; exit 2 ;;
esac
export CXXFLAGS="$CFLAGS" FUZZING_ENGINE=$ENGINE SANITIZER ARCHITECTURE=x86_64
export SRC=$SRC_DIR
echo "== local.sh: ENGINE=$ENGINE SANITIZER=$SANITIZER OUT=$OUT"
"$SRC_DIR/fuzz/oss-fuzz/build.sh"

[ "${CHECK:-1}" = 0 ] && exit 0
# check_build: every binary runs a few of its seeds without a finding.
unset ASAN_OPTIONS
fail=0
for bin in "$OUT"/fuzz_*; do
  case $bin in *.zip|*.options|*.dict) continue ;; esac
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  tmp=$WORK/check/$name
  rm -rf "$tmp"; mkdir -p "$tmp"
  (cd "$tmp" && unzip -q "$OUT/${name}_seed_corpus.zip" && ls | head -40 > "$tmp.list")
  if (cd "$tmp" && "$bin" $(cat "$tmp.list") >"$tmp.log" 2>&1); then
    echo "check: $name ok ($(wc -l < "$tmp.list") seeds)"
  else
    echo "check: $name FAILED, see $tmp.log"; tail -20 "$tmp.log"; fail=1
  fi
done
exit $fail
