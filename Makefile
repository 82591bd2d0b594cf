# hdump top-level Makefile: thin wrapper over CMake.
#   make          configure and build (RelWithDebInfo) in build/
#   make check    gcc build (-O2 -g) with warnings as errors + ctest, once per
#                 varint kernel this CPU runs (HDUMP_KERNEL); a scalar-only
#                 build (HDUMP_SIMD=scalar) + ctest; then the same suite built
#                 with clang -O1 under ASan+UBSan + ctest
#   make bench    Release build, then the benchmark
#   make install  install build/ (PREFIX=/usr/local by default)
# Missing Debian packages are installed first when running as root.

JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local
CMAKE  ?= cmake
CTEST  ?= ctest

# Debian packages the build and the tests need on a fresh machine.
DEPS := cmake make gcc g++ binutils clang libclang-rt-14-dev python3 gzip libbenchmark-dev zip unzip afl++

.PHONY: all build check check-gcc check-kernels check-scalar check-asan bench install deps clean

all: build

deps:
	@missing=""; for p in $(DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "missing Debian packages:$$missing (install them, or run as root)"; exit 1; fi; \
	fi

build: deps
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
	$(CMAKE) --build build -j $(JOBS)

check: check-gcc check-kernels check-scalar check-asan

check-gcc: deps
	$(CMAKE) -S . -B build-check -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc \
	  -DCMAKE_CXX_COMPILER=g++ -DHDUMP_WERROR=ON -DHDUMP_BUILD_BENCH=ON
	$(CMAKE) --build build-check -j $(JOBS)
	cd build-check && $(CTEST) --output-on-failure -j $(JOBS)

# The default run above used the best kernel; run the suite again with each
# other kernel this CPU supports (tests, the CLI and the bench pass
# HDUMP_KERNEL on to every reader and writer they create).
check-kernels: check-gcc
	@best=$$(./build-check/cli/hdump kernels | awk '/\(best\)/ {print $$1}'); \
	for k in $$(./build-check/cli/hdump kernels --supported); do \
	  [ "$$k" = "$$best" ] && continue; \
	  echo "== ctest with HDUMP_KERNEL=$$k"; \
	  (cd build-check && HDUMP_KERNEL=$$k $(CTEST) --output-on-failure -j $(JOBS)) || exit 1; \
	done

check-scalar: deps
	$(CMAKE) -S . -B build-scalar -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc \
	  -DHDUMP_WERROR=ON -DHDUMP_SIMD=scalar -DHDUMP_FUZZ_OSS_TEST=OFF
	$(CMAKE) --build build-scalar -j $(JOBS)
	cd build-scalar && $(CTEST) --output-on-failure -j $(JOBS)

check-asan: deps
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG='-g -O1' -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DHDUMP_WERROR=ON -DHDUMP_SANITIZE='address;undefined' \
	  -DHDUMP_FUZZ_OSS_TEST=OFF
	$(CMAKE) --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST) --output-on-failure -j $(JOBS)

# Google Benchmark (libbenchmark-dev): medians of 5 repetitions, the human
# table and a summary on stdout, JSON in build-bench/bench.json. About 3-5
# minutes on 2 cores. Extra flags: make bench BENCH_ARGS='--benchmark_filter=write/'
BENCH_ARGS ?=
bench: deps
	$(CMAKE) -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DHDUMP_BUILD_BENCH=ON -DHDUMP_BUILD_TESTS=ON
	$(CMAKE) --build build-bench -j $(JOBS) --target hdump_bench hdump_rewrite_timer hdump_corpus
	./build-bench/bench/hdump_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
	  --benchmark_min_time=0.2 --benchmark_out=build-bench/bench.json --benchmark_out_format=json \
	  --hdump_corpus=build-bench/corpus --hdump_tmp=build-bench/bench $(BENCH_ARGS)
	@echo "JSON: build-bench/bench.json"

install: build
	$(CMAKE) --install build --prefix $(PREFIX)

clean:
	rm -rf build build-check build-scalar build-asan build-bench

# ---- Fuzzing (fuzz/README.md). `make check` already replays corpus/<target>/
# and the writer-made seeds through every target (ctest fuzz_replay_*).
#   make fuzz          clang libFuzzer + ASan + UBSan in build-fuzz/, every target
#                      FUZZ_SECONDS (default 60) on FUZZ_JOBS (default 2) workers;
#                      crashes in build-fuzz/crashes/; exit 1 on a finding
#   make fuzz-afl      the same sources with afl-clang-fast (libAFLDriver) + ASan
#                      via fuzz/oss-fuzz/local.sh; afl-fuzz FUZZ_SECONDS per target
#   make seed-corpora  build-seeds/fuzz_<target>_seed_corpus.zip
#   make fuzz-coverage llvm-cov line coverage of reader/ and writer/ by the
#                      corpora (committed + the last `make fuzz` run's), build-cov/
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 2
FUZZ_TARGETS ?= read read_chunked roundtrip rewrite varint faults scan read_structured
AFL_TARGETS  ?= read read_chunked roundtrip rewrite varint faults scan
FUZZ_DEPS    := clang libclang-rt-14-dev lld llvm-14 afl++ zip unzip cmake make

.PHONY: fuzz fuzz-afl fuzz-deps seed-corpora fuzz-coverage

fuzz-deps:
	@missing=""; for p in $(FUZZ_DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "missing Debian packages:$$missing (install them, or run as root)"; exit 1; fi; \
	fi

fuzz: fuzz-deps
	$(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS_RELWITHDEBINFO='-O1 -g' \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DHDUMP_FUZZ=libfuzzer \
	  -DHDUMP_SANITIZE='address;undefined' -DHDUMP_BUILD_TESTS=OFF -DHDUMP_BUILD_CLI=OFF -DHDUMP_INSTALL=OFF
	$(CMAKE) --build build-fuzz -j $(JOBS)
	$(CMAKE) -S . -B build-fuzz/seedgen -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc \
	  -DHDUMP_BUILD_CLI=OFF -DHDUMP_INSTALL=OFF
	$(CMAKE) --build build-fuzz/seedgen -j $(JOBS) --target fuzz_gen_seeds
	rm -rf build-fuzz/seeds && ./build-fuzz/seedgen/fuzz/fuzz_gen_seeds build-fuzz/seeds
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_TARGETS='$(FUZZ_TARGETS)' \
	  fuzz/run-libfuzzer.sh build-fuzz

fuzz-afl: fuzz-deps
	ENGINE=afl SANITIZER=address OUT=$(CURDIR)/build-fuzz-afl/out WORK_DIR=$(CURDIR)/build-fuzz-afl/work \
	  JOBS=$(JOBS) fuzz/oss-fuzz/local.sh
	FUZZ_SECONDS=$(FUZZ_SECONDS) AFL_TARGETS='$(AFL_TARGETS)' fuzz/run-afl.sh build-fuzz-afl

fuzz-coverage: fuzz-deps
	JOBS=$(JOBS) fuzz/coverage.sh $(CURDIR)/build-cov

seed-corpora: fuzz-deps
	WORK=$(CURDIR)/build-seeds fuzz/oss-fuzz/seeds.sh $(CURDIR)/build-seeds
