# hdump top-level Makefile: thin wrapper over CMake.
#   make          configure and build (RelWithDebInfo) in build/
#   make check    gcc build (-O2 -g) with warnings as errors + ctest, then the
#                 same suite built with clang -O1 under ASan+UBSan + ctest
#   make bench    Release build, then the benchmark
#   make install  install build/ (PREFIX=/usr/local by default)
# Missing Debian packages are installed first when running as root.

JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX ?= /usr/local
CMAKE  ?= cmake
CTEST  ?= ctest

# Debian packages the build and the tests need on a fresh machine.
DEPS := cmake make gcc g++ clang libclang-rt-14-dev python3 gzip

.PHONY: all build check check-gcc check-asan bench install deps clean

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

check: check-gcc check-asan

check-gcc: deps
	$(CMAKE) -S . -B build-check -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=gcc \
	  -DCMAKE_CXX_COMPILER=g++ -DHDUMP_WERROR=ON
	$(CMAKE) --build build-check -j $(JOBS)
	cd build-check && $(CTEST) --output-on-failure -j $(JOBS)

check-asan: deps
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG='-g -O1' -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DHDUMP_WERROR=ON -DHDUMP_SANITIZE='address;undefined'
	$(CMAKE) --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST) --output-on-failure -j $(JOBS)

bench: deps
	$(CMAKE) -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DHDUMP_BUILD_BENCH=ON
	$(CMAKE) --build build-bench -j $(JOBS)
	./build-bench/bench/hdump_bench_quick build-bench/corpus

install: build
	$(CMAKE) --install build --prefix $(PREFIX)

clean:
	rm -rf build build-check build-asan build-bench
