#!/bin/bash -eu
# fuzz/coverage.sh [BUILD_DIR]: line coverage of the library by the fuzz
# corpora (`make fuzz-coverage`). Builds every target's replay driver with
# clang source-based coverage (-fprofile-instr-generate -fcoverage-mapping)
# in BUILD_DIR (default build-cov), replays corpus/<target>/ plus, when they
# exist, the working corpora of the last `make fuzz` (build-fuzz/corpus/) and
# the writer-made seeds (build-fuzz/seeds/), merges the profiles and prints
# llvm-cov's report for reader/ and writer/ (the issue's measure), then for
# the whole library. Needs clang and llvm-profdata/llvm-cov (Debian: clang,
# llvm; the -14 suffixed names are found too).
SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$SRC_DIR/build-cov}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
tool() { for c in "$1" "$1-14" "$1-15" "$1-16"; do command -v "$c" >/dev/null && { echo "$c"; return; }; done
         echo "coverage: $1 not found" >&2; exit 2; }
PROFDATA=$(tool llvm-profdata)
COV=$(tool llvm-cov)
cmake -S "$SRC_DIR" -B "$B" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_FLAGS='-fprofile-instr-generate -fcoverage-mapping -O1' -DHDUMP_FUZZ=none \
  -DHDUMP_BUILD_CLI=OFF -DHDUMP_BUILD_BENCH=OFF -DHDUMP_BUILD_TESTS=ON >/dev/null
TARGETS="read read_chunked roundtrip rewrite varint faults scan"
for t in $TARGETS; do cmake --build "$B" -j "$JOBS" --target "fuzz_${t}_replay" >/dev/null; done
P=$B/profiles
rm -rf "$P" && mkdir -p "$P"
objs=()
for t in $TARGETS; do
  dirs=("$SRC_DIR/corpus/$t")
  [ "$t" = scan ] && dirs=("$SRC_DIR/corpus/read") # scan has no corpus of its own: the read inputs
  [ -d "$SRC_DIR/build-fuzz/corpus/$t" ] && dirs+=("$SRC_DIR/build-fuzz/corpus/$t")
  [ -d "$SRC_DIR/build-fuzz/seeds/$t" ] && dirs+=("$SRC_DIR/build-fuzz/seeds/$t")
  [ "$t" = read ] && [ -d "$SRC_DIR/build-fuzz/corpus/read_structured" ] &&
    dirs+=("$SRC_DIR/build-fuzz/corpus/read_structured")
  printf 'replay %-13s ' "$t"
  LLVM_PROFILE_FILE="$P/$t.profraw" "$B/fuzz/fuzz_${t}_replay" "${dirs[@]}" | tail -1
  objs+=(-object "$B/fuzz/fuzz_${t}_replay")
done
"$PROFDATA" merge -sparse "$P"/*.profraw -o "$P/all.profdata"
first=${objs[1]}
rest=("${objs[@]:2}")
echo "== reader/ and writer/"
"$COV" report "$first" "${rest[@]}" -instr-profile="$P/all.profdata" \
  "$SRC_DIR"/reader/*.c "$SRC_DIR"/writer/*.c | sed "s|$SRC_DIR/||"
echo "== the library (common/ reader/ writer/ convert/)"
"$COV" report "$first" "${rest[@]}" -instr-profile="$P/all.profdata" \
  "$SRC_DIR"/common/*.c "$SRC_DIR"/reader/*.c "$SRC_DIR"/writer/*.c "$SRC_DIR"/convert/*.c |
  tail -1 | sed 's/^TOTAL/library/'
echo "uncovered lines: $COV show $first ${rest[*]} -instr-profile=$P/all.profdata FILE.c"
