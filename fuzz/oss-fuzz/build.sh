#!/bin/bash -eu
# fuzz/oss-fuzz/build.sh: the only fuzz build logic (OSS-Fuzz, ClusterFuzzLite,
# fuzz/oss-fuzz/local.sh and `make fuzz-afl` all run this script).
#
# Environment (OSS-Fuzz base-builder conventions, fuzz-bench-notes §1.2):
#   CC CXX CFLAGS CXXFLAGS   compilers and flags (sanitizer + coverage flags)
#   LIB_FUZZING_ENGINE       what fuzz targets link with (-fsanitize=fuzzer,
#                            /usr/lib/afl/libAFLDriver.a, ...)
#   OUT                      where binaries, dicts, options, seed zips go
#   WORK                     scratch (default /tmp)
#   FUZZING_ENGINE           libfuzzer|afl|honggfuzz|centipede (informational)
#   HOST_CC                  compiler for the seed generator (default: cc)
#   SEED_CORPORA             optional: copy the seed zips from this directory
#                            instead of making them (seeds.sh)
# Output in $OUT: fuzz_<target> for every target (+ fuzz_read_structured with
# libFuzzer), hdump.dict, fuzz_<target>.options, fuzz_<target>_seed_corpus.zip.
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=${WORK:-/tmp}
: "${OUT:?set OUT}" "${CC:?set CC}" "${CXX:?set CXX}" "${LIB_FUZZING_ENGINE:?set LIB_FUZZING_ENGINE}"
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-$CFLAGS}
BUILD=$WORK/hdump-fuzz-build
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
TARGETS="read read_chunked roundtrip rewrite varint faults scan"

mkdir -p "$OUT"
cmake -S "$SRC_DIR" -B "$BUILD" -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DBUILD_SHARED_LIBS=OFF -DHDUMP_BUILD_TESTS=OFF -DHDUMP_BUILD_CLI=OFF -DHDUMP_INSTALL=OFF \
  -DHDUMP_FUZZ=engine -DHDUMP_LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE"
cmake --build "$BUILD" -j "$JOBS"

for t in $TARGETS read_structured; do
  [ -x "$BUILD/fuzz/fuzz_$t" ] || continue
  cp "$BUILD/fuzz/fuzz_$t" "$OUT/"
  opt="$SRC_DIR/fuzz/$t.options"
  [ -f "$opt" ] && cp "$opt" "$OUT/fuzz_$t.options"
done
cp "$SRC_DIR/fuzz/hdump.dict" "$OUT/hdump.dict"

# Seed corpora: writer-made seeds + committed regressions (+ real dumps).
# SEED_CORPORA=<dir>: take the zips another build of this tree made (they do
# not depend on the engine or the sanitizer; ctest-build.sh makes five builds).
if [ -n "${SEED_CORPORA:-}" ]; then
  cp "$SEED_CORPORA"/fuzz_*_seed_corpus.zip "$OUT/"
else
  "$SRC_DIR/fuzz/oss-fuzz/seeds.sh" "$OUT"
fi
