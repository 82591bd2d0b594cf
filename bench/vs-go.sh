#!/bin/sh
# bench/vs-go.sh [BUILD_DIR]: the Go runtime's own heap-dump writer against hdump's.
#
# For each Go toolchain found (go on PATH, /usr/lib/go-1.23/bin/go) and each
# heap size (VSGO_OBJECTS, default "1000000 5000000"):
#   1. bench/go/heapbench builds a heap of about that many objects and times
#      runtime/debug.WriteHeapDump inside the process to /dev/null and to a
#      file (VSGO_REPS calls each, default 5; the file is created with O_TRUNC
#      before each call, untimed), and writes one dump for step 2;
#   2. hdump_rewrite_timer reads that dump into memory, decodes its records,
#      checks that re-emitting them gives the same bytes, then times hdump's
#      writer re-emitting them with the same 4 KiB buffer to the same targets,
#      one put a record, then each run of objects by one
#      hdump_writer_put_objects call and by one hdump_writer_put_spans call
#      (the objects regrouped as a runtime's spans), two threads each;
#   3. hdump_write_ceiling writes the same number of bytes to the same targets
#      as bare 4 KiB write(2) calls from one buffer (no encoding, no copying):
#      the syscall cost any writer with the runtime's 4 KiB buffer must pay;
#   4. the medians and their ratio (Go time / hdump time) are printed, then
#      the ceiling's rate, hdump as a share of it and the ceiling as a
#      multiple of Go (hdump can be at most that many times faster than Go
#      with a 4 KiB buffer); then the copy floor: the same calls, each
#      first memcpy'ing its 4 KiB of the dump into the buffer (a writer with
#      zero encoding cost: the best any 4 KiB-buffered writer can do, since
#      object contents are inline and must be copied);
#   4b. the encode floor (bench/floors.h, `hdump_rewrite_timer DUMP floor`) plus
#      the bare write calls: a writer with a 4 KiB buffer that made those
#      bytes as fast as the fastest encoding loop measured here;
#   5. hdump_read_timer parses that real Go dump from memory (VSGO_READ_REPS,
#      default 15) next to a 4 KiB-ring memcpy of the same bytes and the
#      decode floor (its object records by the shortest unchecked loop), and
#      the threaded scan (hdump/scan.h) with 2 threads.
# Then, once per toolchain, the end-to-end comparison (VSGO_ROUNDTRIP objects,
# default 10000000; 0 skips it): Go's WriteHeapDump of a heap of that many
# objects to /dev/null against the wall time of `hdump roundtrip --objects N
# --profile P --via V` for each P in VSGO_RT_PROFILES (default "gobench
# mixed": gobench is the heap the Go program builds, as Go dumps it, so the
# same objects of the same shapes; mixed is heavier, ~157 dump bytes an
# object against ~85) and each V in VSGO_RT_VIAS (default "threads queue": generate +
# write on one thread and read back + regenerate + compare on the other, or
# generate once on one thread and write + read back + compare on the other),
# VSGO_RT_ROUNDS rounds (default 3) of Go then each mode, medians.
# Skips cleanly (exit 0) when no Go toolchain is installed. BUILD_DIR (default
# build-bench) is configured and hdump_rewrite_timer and hdump_write_ceiling
# built there if needed;
# the dump files live in BUILD_DIR/vs-go (on disk: /tmp may be tmpfs) and are
# removed afterwards. Needs about 2.5x the 5M-object dump (~0.35 GB) of disk.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build-bench}
reps=${VSGO_REPS:-5}
sizes=${VSGO_OBJECTS:-"1000000 5000000"}

gos=""
for go in "${GO:-go}" /usr/lib/go-1.23/bin/go; do
    command -v "$go" >/dev/null 2>&1 || continue
    gos="$gos $go"
done
if [ -z "$gos" ]; then
    echo "vs-go: no Go toolchain (go on PATH or /usr/lib/go-1.23/bin/go): skipping"
    exit 0
fi

timer="$build/bench/hdump_rewrite_timer"
ceiling="$build/bench/hdump_write_ceiling"
if ! grep -q '^HDUMP_BUILD_BENCH:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DHDUMP_BUILD_BENCH=ON >/dev/null
fi
cmake --build "$build" --target hdump_rewrite_timer hdump_write_ceiling hdump_read_timer hdump_cli >/dev/null
reader="$build/bench/hdump_read_timer"
hdump="$build/cli/hdump"
rt_objects=${VSGO_ROUNDTRIP:-10000000}
rt_rounds=${VSGO_RT_ROUNDS:-3}
rt_vias=${VSGO_RT_VIAS:-"threads queue"}
rt_profiles=${VSGO_RT_PROFILES:-"gobench mixed"}
btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")

tmp=$(mktemp -d)
work="$build/vs-go"
mkdir -p "$work"
trap 'rm -rf "$tmp" "$work"' EXIT INT TERM
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 GOENV=off
export GOCACHE="$tmp/gocache" GOPATH="$tmp/gopath"

model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "vs-go: CPU ${model:-unknown}, $(nproc) CPUs; hdump $btype build in $build, kernel ${HDUMP_KERNEL:-default (best)}; $reps calls per target, medians"

for go in $gos; do
    ver=$("$go" env GOVERSION)
    bin="$tmp/heapbench_$ver"
    (cd "$here/go/heapbench" && "$go" build -trimpath -o "$bin" .)
    for n in $sizes; do
        dump="$work/heap.dump"
        out="$work/out.dump"
        "$bin" -n "$n" -reps "$reps" -dump "$dump" /dev/null "$out" >"$tmp/go.txt" 2>"$tmp/go.err" ||
            { cat "$tmp/go.err" >&2; exit 1; }
        "$timer" -r "$reps" -b 4096 "$dump" /dev/null "$out" >"$tmp/hd.txt" 2>"$tmp/hd.err" ||
            { cat "$tmp/hd.err" >&2; exit 1; }
        # the same bytes through hdump_writer_put_objects with two threads
        "$timer" -r "$reps" -b 4096 -t 2 "$dump" /dev/null "$out" >>"$tmp/hd.txt" 2>"$tmp/hd2.err" ||
            { cat "$tmp/hd2.err" >&2; exit 1; }
        # and through hdump_writer_put_spans (the objects as a runtime's spans)
        "$timer" -r "$reps" -b 4096 -t 2 -i spans "$dump" /dev/null "$out" >>"$tmp/hd.txt" 2>"$tmp/hd3.err" ||
            { cat "$tmp/hd3.err" >&2; exit 1; }
        "$ceiling" -r "$reps" -b 4096 "$(wc -c <"$dump" | tr -d " ")" /dev/null "$out" >"$tmp/ceil.txt" ||
            exit 1
        "$ceiling" -r "$reps" -b 4096 -c "$dump" /dev/null "$out" >>"$tmp/ceil.txt" || exit 1
        echo
        sed 's/^/  /' "$tmp/go.err" "$tmp/hd.err"
        cat "$tmp/go.txt" "$tmp/hd.txt" "$tmp/ceil.txt" | awk -v ver="$ver" -v out="$out" '
            function field(k,   i, a) {
                for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] }
                return ""
            }
            {
                t = field("target"); if (t == out) t = "file"
                who = $1
                med[who, t] = field("median_s"); lo[who, t] = field("min_s"); hi[who, t] = field("max_s")
                mb[who, t] = field("mbps")
                if (who == "ceiling" || who == "copyfloor") { calls = field("calls"); next }
                bytes = field("bytes")
                if (who == "go") { objs = field("objects"); order[++n] = t }
            }
            END {
                printf "%s, %d heap objects, dump %.1f MB (same bytes both sides)\n", ver, objs, bytes / 1e6
                printf "  %-10s %26s %26s %10s\n", "target", "Go WriteHeapDump", "hdump writer (4 KiB)", "Go/hdump"
                for (i = 1; i <= n; i++) {
                    t = order[i]
                    printf "  %-10s %8.1f ms %7.0f MB/s %8.1f ms %7.0f MB/s %9.2fx\n", t,
                        med["go", t] * 1e3, mb["go", t], med["hdump", t] * 1e3, mb["hdump", t],
                        med["go", t] / med["hdump", t]
                    printf "  %-10s  (%.1f..%.1f ms)            (%.1f..%.1f ms)\n", "",
                        lo["go", t] * 1e3, hi["go", t] * 1e3, lo["hdump", t] * 1e3, hi["hdump", t] * 1e3
                }
                two("hdump-objects-2t", "put_objects, 2 threads")
                two("hdump-spans-2t", "put_spans, 2 threads")
                printf "  ceiling: the same bytes as %d bare 4 KiB write(2) calls (no encoding, no copy)\n", calls
                bound("ceiling", "bare write(2) ceiling", "hdump/ceiling", "ceiling/Go")
                printf "  copy floor: the same calls, each first copying its 4 KiB of the dump into the buffer (no encoding)\n"
                bound("copyfloor", "copy + write(2) floor", "hdump/floor", "floor/Go")
            }
            # One table of a threaded form of the hdump writer against Go.
            function two(who, title,   i, t) {
                printf "  %-10s %26s %26s %10s\n", "target", "", title, "Go/hdump"
                for (i = 1; i <= n; i++) {
                    t = order[i]
                    printf "  %-10s %26s %8.1f ms %7.0f MB/s %9.2fx\n", t, "",
                        med[who, t] * 1e3, mb[who, t], med["go", t] / med[who, t]
                    printf "  %-10s %26s  (%.1f..%.1f ms)\n", "", "", lo[who, t] * 1e3, hi[who, t] * 1e3
                }
            }
            # One table of a bound (who: its timer lines) against hdump and Go.
            function bound(who, title, share, times,   i, t) {
                printf "  %-10s %26s %14s %14s\n", "target", title, share, times
                for (i = 1; i <= n; i++) {
                    t = order[i]
                    printf "  %-10s %8.1f ms %7.0f MB/s %13.0f%% %13.2fx\n", t,
                        med[who, t] * 1e3, mb[who, t],
                        100 * med[who, t] / med["hdump", t], med["go", t] / med[who, t]
                    printf "  %-10s  (%.1f..%.1f ms)\n", "", lo[who, t] * 1e3, hi[who, t] * 1e3
                }
            }'
        # The encode floor (bench/floors.h) plus the bare write(2) calls: a
        # writer with a 4 KiB buffer that encoded as fast as the floor.
        "$timer" -r "$reps" "$dump" floor >"$tmp/ef.txt" 2>/dev/null || exit 1
        cat "$tmp/go.txt" "$tmp/ceil.txt" "$tmp/ef.txt" | awk '
            function field(k,   i, a) {
                for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] }
                return ""
            }
            $1 == "go" && field("target") == "/dev/null" { go = field("median_s") }
            $1 == "ceiling" && field("target") == "/dev/null" { ceil = field("median_s") }
            $1 == "encode-floor" { ef = field("median_s"); efmb = field("mbps") }
            END {
                if (go == "" || ceil == "" || ef == "") exit
                printf "  encode floor (bench/floors.h: the object records made again, no checks): %.1f ms (%.0f MB/s)\n", ef * 1e3, efmb
                printf "          + the bare write(2) calls to /dev/null %.1f ms = %.1f ms: a 4 KiB writer as fast as the floor would be %.2fx Go\n",
                    ceil * 1e3, (ef + ceil) * 1e3, go / (ef + ceil)
            }'
        "$reader" -r "${VSGO_READ_REPS:-15}" "$dump" >"$tmp/rd.txt" || exit 1
        awk '
            function field(k,   i, a) {
                for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] }
                return ""
            }
            $1 == "scan-parts" { parts = field("parts"); dropped = field("dropped"); next }
            { med[$1] = field("median_s"); lo[$1] = field("min_s"); mb[$1] = field("mbps")
              recs[$1] = field("records"); bytes[$1] = field("bytes") }
            END {
                printf "  reader: hdump parses this dump from memory (%d records), median %.1f ms = %.2f GB/s, best %.2f GB/s\n",
                    recs["hdump-read"], med["hdump-read"] * 1e3, mb["hdump-read"] / 1e3,
                    bytes["hdump-read"] / lo["hdump-read"] / 1e9
                printf "          4 KiB-ring memcpy of the same bytes: %.2f GB/s; reader = %.0f%% of it (x memcpy %.2f)\n",
                    mb["memcpy-ring"] / 1e3, 100 * med["memcpy-ring"] / med["hdump-read"],
                    med["hdump-read"] / med["memcpy-ring"]
                if ("hdump-read-batch" in med)
                    printf "          the same reader in batches (hdump_reader_next_batch): median %.1f ms = %.2f GB/s (x reader %.2f)\n",
                        med["hdump-read-batch"] * 1e3, mb["hdump-read-batch"] / 1e3,
                        med["hdump-read"] / med["hdump-read-batch"]
                if ("decode-floor" in med)
                    printf "          decode floor (its %d object records, no checks, no API): %.2f GB/s; reader = %.0f%% of it\n",
                        recs["decode-floor"], mb["decode-floor"] / 1e3,
                        100 * mb["hdump-read"] / mb["decode-floor"]
                if ("hdump-scan-2t" in med)
                    printf "          threaded scan (hdump_scan_mem, 2 threads, %s parts, %s dropped): median %.1f ms = %.2f GB/s, best %.2f GB/s (x reader %.2f)\n",
                        parts, dropped, med["hdump-scan-2t"] * 1e3, mb["hdump-scan-2t"] / 1e3,
                        bytes["hdump-scan-2t"] / lo["hdump-scan-2t"] / 1e9,
                        med["hdump-read"] / med["hdump-scan-2t"]
            }' "$tmp/rd.txt"
        rm -f "$dump" "$out"
    done
    [ "$rt_objects" -gt 0 ] || continue
    # Rounds of Go, then each hdump mode, alternated so drift on a shared
    # machine hits all alike; medians.
    : >"$tmp/go.txt"
    : >"$tmp/rtt.txt"
    for round in $(seq "$rt_rounds"); do
        "$bin" -n "$rt_objects" -reps 1 /dev/null >>"$tmp/go.txt" 2>"$tmp/go.err" ||
            { cat "$tmp/go.err" >&2; exit 1; }
        for prof in $rt_profiles; do
            for via in $rt_vias; do
                t0=$(date +%s.%N)
                "$hdump" roundtrip --objects "$rt_objects" --profile "$prof" --via "$via" \
                    >"$tmp/rt.txt" 2>&1 || { cat "$tmp/rt.txt" >&2; exit 1; }
                t1=$(date +%s.%N)
                echo "$prof:$via $t0 $t1" >>"$tmp/rtt.txt"
                cp "$tmp/rt.txt" "$tmp/rt_${prof}_$via.txt"
            done
        done
    done
    echo
    sed 's/^/  /' "$tmp/go.err"
    awk -v n="$rt_objects" -v ver="$ver" -v rounds="$rt_rounds" '
        function field(k,   i, a) {
            for (i = 1; i <= NF; i++) { split($i, a, "="); if (a[1] == k) return a[2] }
            return ""
        }
        function median(arr, k,   i, j, t) {
            for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
                if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
            return k % 2 ? arr[(k + 1) / 2] : (arr[k / 2] + arr[k / 2 + 1]) / 2
        }
        FILENAME == ARGV[1] { g[++ng] = field("median_s"); goobjs = field("objects"); next }
        { via = $1; if (!(via in nv)) order[++nvia] = via; t[via, ++nv[via]] = $3 - $2 }
        END {
            gomed = median(g, ng)
            printf "%s end to end, %d objects, %d alternated rounds: Go WriteHeapDump to /dev/null %.2f s (median; %d heap objects)\n",
                ver, n, rounds, gomed, goobjs
            for (i = 1; i <= nvia; i++) {
                v = order[i]
                for (j = 1; j <= nv[v]; j++) x[j] = t[v, j]
                m = median(x, nv[v])
                split(v, pv, ":")
                printf "  hdump roundtrip --objects %d --profile %-7s --via %-7s %.2f s wall (median); Go/hdump %.2fx\n",
                    n, pv[1], pv[2], m, gomed / m
            }
        }' "$tmp/go.txt" "$tmp/rtt.txt"
    for prof in $rt_profiles; do
        for via in $rt_vias; do sed 's/^/  /' "$tmp/rt_${prof}_$via.txt" | tail -n 2; done
    done
done
