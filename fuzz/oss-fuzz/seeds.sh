#!/bin/bash -eu
# fuzz/oss-fuzz/seeds.sh OUTDIR: writes OUTDIR/fuzz_<target>_seed_corpus.zip
# for every target: the seeds fuzz/gen_seeds.c makes with the library's writer
# (built here with a plain host compiler, $HOST_CC, default cc), the committed
# regressions in corpus/<target>/, and for the reader targets the committed
# real dumps (corpus/real). Used by build.sh and `make seed-corpora`.
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUTDIR=$1
WORK=${WORK:-/tmp}
HOST_CC=${HOST_CC:-cc}
TMP=$WORK/hdump-seeds
rm -rf "$TMP"
mkdir -p "$TMP" "$OUTDIR"
# Library + generator, uninstrumented (the env's CFLAGS are for targets only).
env -u CFLAGS -u CXXFLAGS -u LDFLAGS cmake -S "$SRC_DIR" -B "$TMP/build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$HOST_CC" -DBUILD_SHARED_LIBS=OFF -DHDUMP_BUILD_TESTS=OFF \
  -DHDUMP_BUILD_CLI=OFF -DHDUMP_INSTALL=OFF -DHDUMP_SIMD=scalar >/dev/null
env -u CFLAGS cmake --build "$TMP/build" -j "${JOBS:-2}" --target hdump >/dev/null
env -u CFLAGS "$HOST_CC" -std=c11 -O1 -D_POSIX_C_SOURCE=200809L -DHDUMP_STATIC_DEFINE \
  -I"$SRC_DIR/include" -I"$TMP/build/include" -I"$SRC_DIR/fuzz" \
  "$SRC_DIR/fuzz/gen_seeds.c" "$TMP/build/libhdump.a" -o "$TMP/gen_seeds"
"$TMP/gen_seeds" "$TMP/seeds" >/dev/null
mkdir -p "$TMP/real"
for gz in "$SRC_DIR"/corpus/real/*.dump.gz; do
  [ -f "$gz" ] && gzip -dc "$gz" > "$TMP/real/$(basename "$gz" .gz)"
done
for t in read read_chunked roundtrip rewrite varint faults scan read_structured; do
  src=$t
  case $t in read_structured|scan) src=read ;; esac
  zip=$OUTDIR/fuzz_${t}_seed_corpus.zip
  rm -f "$zip"
  zip -q -j "$zip" "$TMP/seeds/$src"/*
  if [ -d "$SRC_DIR/corpus/$src" ] && [ -n "$(ls -A "$SRC_DIR/corpus/$src")" ]; then
    zip -q -j "$zip" "$SRC_DIR/corpus/$src"/*
  fi
  case $src in read|read_chunked|rewrite)
    if [ -n "$(ls -A "$TMP/real")" ]; then zip -q -j "$zip" "$TMP/real"/*; fi ;;
  esac
  echo "seed corpus: $zip ($(unzip -l "$zip" | tail -1 | awk '{print $2}') files)"
done
