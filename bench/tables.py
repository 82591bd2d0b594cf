#!/usr/bin/env python3
"""bench/tables.py [BENCH_JSON]: docs/BENCHMARKS.md's result tables from a
`make bench` run (default build-bench/bench.json), as Markdown on stdout.

Medians of the run's repetitions; (min..max) is the spread across them. Varint
lines are ns per value (CPU time); writer and reader lines are MB/s (1e6
bytes, wall time) with their `x memcpy` ratio (time / time of the 4 KiB-ring
copy of the same bytes, measured in the same run: lower is better). A run
without repetitions (the bench_smoke ctest's) works too: its single runs
stand for the medians. The floors (bench/floors.h) get a table of their
own. The bench_tables ctest checks the output's shape."""
import json
import sys


def load(path):
    with open(path) as f:
        d = json.load(f)
    agg, runs = {}, {}
    for b in d["benchmarks"]:
        name = b["run_name"].replace("/real_time", "").split("/min_time")[0]
        if b.get("run_type") == "aggregate":
            agg.setdefault(name, {})[b["aggregate_name"]] = b
        elif "bytes_per_second" in b or "items_per_second" in b:
            runs.setdefault(name, []).append(b)
    # A run without --benchmark_repetitions has no aggregates: its runs give
    # the median and the spread (by rate: the fastest run has the highest).
    for name, rs in runs.items():
        if name in agg:
            continue
        key = "bytes_per_second" if "bytes_per_second" in rs[0] else "items_per_second"
        rs = sorted(rs, key=lambda b: b.get(key, 0.0))
        agg[name] = {"median": rs[len(rs) // 2], "min": rs[0], "max": rs[-1]}
    return d["context"], agg


def ns_per_value(b):
    # varint items are values; items_per_second comes from CPU time
    return 1e9 / b["items_per_second"]


def mbps(b):
    return b["bytes_per_second"] / 1e6


def varint_table(agg):
    kernels = []
    for n in agg:
        p = n.split("/")
        if p[0] == "varint" and p[2] not in kernels and p[2] not in ("default", "maskedvbyte"):
            kernels.append(p[2])
    dists = ["lt128", "heap", "len123", "u32", "u64", "gomix"]
    out = ["| kernel | " + " | ".join("encode " + d for d in dists) + " | " +
           " | ".join("decode " + d for d in dists) + " |",
           "|---" * (1 + 2 * len(dists)) + "|"]
    for k in kernels + ["default", "maskedvbyte"]:
        row = [k]
        for op in ("encode", "decode"):
            for d in dists:
                a = agg.get("varint/%s/%s/%s" % (op, k, d))
                row.append("%.3f" % ns_per_value(a["median"]) if a else "-")
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out)


def spread(a):
    lo, hi = sorted((mbps(a["min"]), mbps(a["max"])))
    return "%.0f (%.0f..%.0f)" % (mbps(a["median"]), lo, hi)


def writer_table(agg):
    out = ["| heap | sink | 4 KiB: MB/s (min..max) | x memcpy | 64 KiB: MB/s | x memcpy "
           "| 1 MiB: MB/s | x memcpy | M objects/s (4 KiB) |",
           "|---|---|---|---|---|---|---|---|---|"]
    for heap in ("small", "mixed", "large"):
        for sink in ("null", "mem", "devnull", "file"):
            row = [heap, sink]
            objs = "-"
            for buf in ("4k", "64k", "1m"):
                a = agg.get("write/%s/%s/%s" % (heap, sink, buf))
                if not a:
                    row += ["-", "-"]
                    continue
                row += [spread(a), "%.2f" % a["median"].get("x_memcpy", float("nan"))]
                if buf == "4k":
                    objs = "%.1f" % (a["median"]["items_per_second"] / 1e6)
            out.append("| " + " | ".join(row + [objs]) + " |")
        a = agg.get("write-maps/%s/null/4k" % heap)  # the lists given as one-bit maps
        if a:
            out.append("| %s | null, maps | %s | %.2f | - | - | - | - | %.1f |" % (
                heap, spread(a), a["median"].get("x_memcpy", float("nan")),
                a["median"]["items_per_second"] / 1e6))
        # hdump_writer_put_objects with 1 and 2 threads (and 2 with the maps)
        for name, label in [("write-objects/%s/%s/4k/%s" % (heap, sk, t), "%s, put_objects %s" % (sk, t))
                            for sk in ("null", "devnull") for t in ("1t", "2t")] + \
                           [("write-objects-maps/%s/null/4k/2t" % heap, "null, maps, put_objects 2t")]:
            a = agg.get(name)
            if a:
                out.append("| %s | %s | %s | %.2f | - | - | - | - | %.1f |" % (
                    heap, label, spread(a), a["median"].get("x_memcpy", float("nan")),
                    a["median"]["items_per_second"] / 1e6))
    base = []
    for heap in ("small", "mixed", "large"):
        r, f = agg.get("memcpy/ring4k/" + heap), agg.get("memcpy/flat/" + heap)
        if r and f:
            base.append("%s %.1f / %.1f GB/s" % (heap, mbps(r["median"]) / 1e3,
                                                  mbps(f["median"]) / 1e3))
    return "\n".join(out) + "\n\nmemcpy baselines (4 KiB ring / flat): " + "; ".join(base)


def datasets(agg, *kinds):
    """The datasets of the benchmarks named <kind>/<dataset>/..., in run order."""
    out = []
    for n in agg:
        p = n.split("/")
        if p[0] in kinds and p[1] not in out:
            out.append(p[1])
    return out


def reader_table(agg):
    out = ["| dump | mem: MB/s (min..max) | x memcpy | M rec/s | mem in batches: MB/s | x memcpy "
           "| fd: MB/s | x memcpy | mmap: MB/s | x memcpy | scan 2 threads: MB/s | x memcpy |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for dmp in datasets(agg, "read"):
        row = [dmp]
        for src in ("mem", "fd", "mmap"):
            a = agg.get("read/%s/%s" % (dmp, src))
            if not a:
                row += ["-", "-"] + (["-", "-", "-"] if src == "mem" else [])
                continue
            row += [spread(a), "%.2f" % a["median"].get("x_memcpy", float("nan"))]
            if src == "mem":
                row.append("%.1f" % (a["median"]["items_per_second"] / 1e6))
                b = agg.get("read-batch/%s/mem" % dmp)
                row += [spread(b), "%.2f" % b["median"].get("x_memcpy", float("nan"))] if b \
                    else ["-", "-"]
        a = agg.get("read-scan/%s/mem/2t" % dmp)
        row += [spread(a), "%.2f" % a["median"].get("x_memcpy", float("nan"))] if a \
            else ["-", "-"]
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out)


def floors_table(agg):
    out = ["| dataset | decode floor: MB/s (min..max) | x memcpy | encode floor: MB/s (min..max) "
           "| x memcpy | encode floor, 2 threads: MB/s (min..max) | x memcpy |",
           "|---|---|---|---|---|---|---|"]
    for ds in datasets(agg, "decode-floor", "encode-floor"):
        row = [ds]
        for name in ("decode-floor/%s", "encode-floor/%s", "encode-floor/%s/2t"):
            a = agg.get(name % ds)
            row += [spread(a), "%.2f" % a["median"].get("x_memcpy", float("nan"))] if a \
                else ["-", "-"]
        out.append("| " + " | ".join(row) + " |")
    return "\n".join(out)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "build-bench/bench.json"
    ctx, agg = load(path)
    print("Run: %s, %s, kernel %s, %s %s\n" % (ctx.get("date"), ctx.get("hdump_cpu"),
                                               ctx.get("hdump_kernel"), ctx.get("hdump_cc"),
                                               ctx.get("hdump_cflags")))
    print("### Varint kernels (ns per value, median, CPU time)\n")
    print(varint_table(agg))
    print("\n### Writer\n")
    print(writer_table(agg))
    print("\n### Reader\n")
    print(reader_table(agg))
    print("\n### Floors (bench/floors.h: the objects' part of the work, nothing else; the bytes "
          "are the object records')\n")
    print(floors_table(agg))


if __name__ == "__main__":
    main()
