#!/bin/sh
# ctest fuzz_oss_build: the OSS-Fuzz-style build (local.sh, libFuzzer + ASan)
# where clang can link libFuzzer; exit 77 (ctest SKIP) otherwise.
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
