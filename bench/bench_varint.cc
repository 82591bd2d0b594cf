// bench/bench_varint.cc: varint encode/decode per kernel and distribution.
//
// varint/{encode,decode}/<kernel>/<dist>: 16384 values per iteration (source
// and output stay in L2), every kernel this CPU supports (hdump/kernel.h,
// best first). Distributions (fixed seed):
//   lt128   all < 128 (one byte each)
//   heap    the heap mix: half addresses (5 and 6 bytes), a quarter sizes
//           below 4 KiB, a quarter small tags (< 18); ~3.5 bytes per value
//   len123  encoded length uniform in 1..3 (values < 2^21: sizes, counts)
//   u32     uniform 32-bit
//   u64     uniform 64-bit
//   gomix   the mix measured in real Go dumps: 84.5% 1 byte, 1.3% 2, 2.2% 3,
//           0.3% 4, 11.7% 6 (heap addresses)
// Items are values; bytes are encoded bytes. Decode input is this kernel's own
// encoding, checked against the source once before timing.
//
// varint/decode/default/<dist> decodes with kernel NULL (what readers get by
// default). varint/decode/maskedvbyte/<dist> is the baseline of
// ref_maskedvbyte.h (a MaskedVByte-style SSE4.1 decoder of 32-bit integers),
// on the same bytes, checked against the source once; it is skipped, with a
// message, on data holding values >= 2^32. After the summary a table compares
// the decoders per distribution (medians of this run's repetitions; thread
// CPU time taken here around each benchmark's loop, like the ns/int column).
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "bench_common.h"

extern "C" {
#include "ref_maskedvbyte.h"
}

#if defined(__has_include)
#if __has_include("hdump/kernel.h")
#define HB_HAVE_KERNEL 1
extern "C" {
#include "hdump/kernel.h"
}
#endif
#endif

#ifndef HDUMP_VARINT_SLOP
#define HDUMP_VARINT_SLOP 64
#endif

namespace hb {

#ifdef HB_HAVE_KERNEL

bool have_kernel_api() { return true; }

std::string kernel_description() {
    const char *best = hdump_kernel_best();
    std::string s = config().kernel ? std::string(config().kernel) + " (from HDUMP_KERNEL)"
                                    : std::string(best ? best : "?") + " (best for this CPU)";
    s += "; kernels here:";
    for (size_t i = 0; i < hdump_kernel_count(); i++) {
        const char *n = hdump_kernel_name(i);
        if (n == nullptr) break;
        s += std::string(" ") + n + (hdump_kernel_supported(n) ? "" : "(unsupported)");
    }
    return s;
}

namespace {

constexpr size_t kN = 16384;

struct Dist {
    const char *name;
    int id;
};
const Dist kDists[] = {{"lt128", 0}, {"heap", 1}, {"len123", 4},
                       {"u32", 2},   {"u64", 3},  {"gomix", 5}};

std::vector<uint64_t> make_values(int dist) {
    std::vector<uint64_t> v(kN);
    uint64_t x = 0x9E3779B97F4A7C15ull ^ uint64_t(dist + 1);
    for (auto &e : v) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t r = x;
        switch (dist) {
        case 0: e = r & 127; break;
        case 1:
            switch (r & 7) {
            case 0: case 1:  // 6-byte: heap arena addresses, 8-aligned
                e = 0xc000000000ull + ((r >> 8) & 0xffffffffull) * 8; break;
            case 2: case 3:  // 5-byte: [2^28, 2^35)
                e = (1ull << 28) + ((r >> 8) % ((1ull << 35) - (1ull << 28))); break;
            case 4: case 5: e = (r >> 8) % 4096; break;  // sizes
            default: e = (r >> 8) % 18; break;           // tags
            }
            break;
        case 2: e = r & 0xffffffffull; break;
        case 4: {  // length 1, 2 or 3, each a third
            unsigned len = unsigned((r >> 8) % 3) + 1;
            uint64_t lo = len == 1 ? 0 : 1ull << (7 * (len - 1));
            e = lo + (r >> 16) % ((1ull << (7 * len)) - lo);
            break;
        }
        case 5: {  // per mille: 845 / 13 / 22 / 3 / 117
            uint64_t c = (r >> 8) % 1000, q = r >> 20;
            if (c < 845) e = q & 0x7f;
            else if (c < 858) e = 128 + q % (16384 - 128);
            else if (c < 880) e = 16384 + q % ((1ull << 21) - 16384);
            else if (c < 883) e = (1ull << 21) + q % ((1ull << 28) - (1ull << 21));
            else e = 0xc000000000ull + (q & 0x3fffffffull) * 8;  // 6 bytes
            break;
        }
        default: e = r; break;
        }
    }
    return v;
}

// Decode timings of this run, per "<decoder>/<dist>": one ns/int figure per
// call of the benchmark function (Google Benchmark's iteration-count probes
// included; the summary keeps the calls of at least a tenth of the largest
// iteration count, i.e. the repetitions).
struct Timing {
    std::vector<std::pair<int64_t, double>> calls;  // iterations, ns/int
};
// Never destroyed: print_decode_summary reads them from atexit.
std::map<std::string, Timing> &timings() {
    static auto *t = new std::map<std::string, Timing>;
    return *t;
}
std::vector<std::string> &decoder_names() {  // in registration order
    static auto *v = new std::vector<std::string>;
    return *v;
}
std::map<std::string, std::string> &skip_notes() {  // dist -> why maskedvbyte skipped it
    static auto *m = new std::map<std::string, std::string>;
    return *m;
}

// Thread CPU time, as Google Benchmark's items_per_second (and so the
// summary's ns/int column) uses CPU time; wall time on a busy machine counts
// the time other processes held the core.
double cpu_now() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

void record(const std::string &key, int64_t iters, double secs) {
    if (iters > 0) timings()[key].calls.emplace_back(iters, secs * 1e9 / double(iters) / double(kN));
}

void bm_encode(benchmark::State &st, std::string kernel, int dist) {
    std::vector<uint64_t> src = make_values(dist);
    std::vector<uint8_t> dst(10 * kN + HDUMP_VARINT_SLOP);
    size_t written = 0;
    for (auto _ : st) {
        hdump_status s = hdump_varint_encode(kernel.c_str(), dst.data(), src.data(), kN, &written);
        benchmark::DoNotOptimize(s);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(int64_t(st.iterations()) * int64_t(kN));
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(written));
    st.counters["B/int"] = double(written) / double(kN);
}

// kernel "" = NULL (the default pick).
void bm_decode(benchmark::State &st, std::string kernel, int dist, std::string key) {
    const char *k = kernel.empty() ? nullptr : kernel.c_str();
    std::vector<uint64_t> src = make_values(dist);
    std::vector<uint8_t> enc(10 * kN + HDUMP_VARINT_SLOP);
    size_t written = 0;
    if (hdump_varint_encode(k, enc.data(), src.data(), kN, &written) != HDUMP_OK) {
        st.SkipWithError("encode failed");
        return;
    }
    std::vector<uint64_t> out(kN + HDUMP_VARINT_SLOP / 8);
    size_t used = 0;
    if (hdump_varint_decode(k, out.data(), kN, enc.data(), written, &used) != HDUMP_OK ||
        used != written || std::memcmp(out.data(), src.data(), kN * sizeof(uint64_t)) != 0) {
        st.SkipWithError("decode does not give the source back");
        return;
    }
    double t0 = cpu_now();
    for (auto _ : st) {
        hdump_status s = hdump_varint_decode(k, out.data(), kN, enc.data(), written, &used);
        benchmark::DoNotOptimize(s);
        benchmark::ClobberMemory();
    }
    record(key, int64_t(st.iterations()), cpu_now() - t0);
    st.SetItemsProcessed(int64_t(st.iterations()) * int64_t(kN));
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(written));
}

// The MaskedVByte-style baseline on the scalar kernel's bytes (every kernel
// writes the same bytes).
void bm_decode_mvb(benchmark::State &st, int dist, std::string key) {
    std::vector<uint64_t> src = make_values(dist);
    if (*std::max_element(src.begin(), src.end()) > 0xffffffffull) {
        st.SkipWithError("maskedvbyte decodes 32-bit integers; this data has values >= 2^32");
        return;
    }
    std::vector<uint8_t> enc(10 * kN + HDUMP_VARINT_SLOP);
    size_t written = 0;
    if (hdump_varint_encode("scalar", enc.data(), src.data(), kN, &written) != HDUMP_OK) {
        st.SkipWithError("encode failed");
        return;
    }
    std::vector<uint64_t> out(kN + HDUMP_VARINT_SLOP / 8);
    if (hb_mvb_decode(out.data(), kN, enc.data(), written) != written ||
        std::memcmp(out.data(), src.data(), kN * sizeof(uint64_t)) != 0) {
        st.SkipWithError("maskedvbyte decode does not give the source back");
        return;
    }
    size_t used = 0;
    double t0 = cpu_now();
    for (auto _ : st) {
        used = hb_mvb_decode(out.data(), kN, enc.data(), written);
        benchmark::DoNotOptimize(used);
        benchmark::ClobberMemory();
    }
    record(key, int64_t(st.iterations()), cpu_now() - t0);
    st.SetItemsProcessed(int64_t(st.iterations()) * int64_t(kN));
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(written));
}

double median_ns(const Timing &t) {
    int64_t most = 0;
    for (auto &c : t.calls) most = std::max(most, c.first);
    std::vector<double> v;
    for (auto &c : t.calls)
        if (c.first * 10 >= most) v.push_back(c.second);
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t h = v.size() / 2;
    return v.size() % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

// Printed at exit, after bench_main's summary table.
void print_decode_summary() {
    if (timings().empty()) return;
    std::printf("\n== varint decode vs the MaskedVByte-style baseline (ns/int of CPU time, medians of "
                "this run;\n   ratio = ours / maskedvbyte, < 1 is faster; default = kernel NULL, "
                "what readers use)\n");
    std::printf("%-8s %-26s %-26s %-14s %s\n", "dist", "default", "fastest of ours",
                "maskedvbyte", "ratio default / fastest");
    for (const Dist &d : kDists) {
        auto get = [&](const std::string &dec) {
            auto it = timings().find(dec + "/" + d.name);
            return it == timings().end() ? 0.0 : median_ns(it->second);
        };
        double def = get("default"), mvb = get("maskedvbyte"), best = 0;
        std::string best_name;
        for (const std::string &k : decoder_names()) {
            double t = get(k);
            if (t > 0 && (best == 0 || t < best)) {
                best = t;
                best_name = k;
            }
        }
        if (def == 0 && best == 0 && mvb == 0) continue;
        char a[40] = "-", b[40] = "-", c[40] = "-", r[64] = "-";
        if (def > 0) std::snprintf(a, sizeof a, "%.3f", def);
        if (best > 0) std::snprintf(b, sizeof b, "%.3f (%s)", best, best_name.c_str());
        if (mvb > 0) std::snprintf(c, sizeof c, "%.3f", mvb);
        if (mvb > 0 && def > 0 && best > 0)
            std::snprintf(r, sizeof r, "%.2f / %.2f", def / mvb, best / mvb);
        else if (skip_notes().count(d.name))
            std::snprintf(r, sizeof r, "n/a: %s", skip_notes()[d.name].c_str());
        std::printf("%-8s %-26s %-26s %-14s %s\n", d.name, a, b, c, r);
    }
    std::fflush(stdout);
}

}  // namespace

void register_varint() {
    for (size_t i = 0; i < hdump_kernel_count(); i++) {
        const char *k = hdump_kernel_name(i);
        if (k == nullptr) break;
        if (!hdump_kernel_supported(k)) continue;
        decoder_names().push_back(k);
        for (const Dist &d : kDists) {
            for (int dec = 0; dec < 2; dec++) {
                std::string name = std::string("varint/") + (dec ? "decode/" : "encode/") + k +
                                   "/" + d.name;
                auto *b = dec ? benchmark::RegisterBenchmark(name.c_str(), bm_decode,
                                                             std::string(k), d.id,
                                                             std::string(k) + "/" + d.name)
                              : benchmark::RegisterBenchmark(name.c_str(), bm_encode,
                                                             std::string(k), d.id);
                with_spread(b)->Unit(benchmark::kMicrosecond)->MinTime(0.05);
            }
        }
    }
    // The default pick and the baseline, per distribution.
    (void)timings();  // constructed before the atexit call below
    bool mvb = hb_mvb_supported() != 0;
    if (mvb) hb_mvb_init();
    for (const Dist &d : kDists) {
        std::string name = std::string("varint/decode/default/") + d.name;
        with_spread(benchmark::RegisterBenchmark(name.c_str(), bm_decode, std::string(), d.id,
                                                 std::string("default/") + d.name))
            ->Unit(benchmark::kMicrosecond)
            ->MinTime(0.05);
        if (!mvb) {
            skip_notes()[d.name] = "this CPU or build has no SSSE3/SSE4.1";
            continue;
        }
        std::vector<uint64_t> v = make_values(d.id);
        if (*std::max_element(v.begin(), v.end()) > 0xffffffffull)
            skip_notes()[d.name] = "values >= 2^32, beyond a 32-bit decoder";
        name = std::string("varint/decode/maskedvbyte/") + d.name;
        with_spread(benchmark::RegisterBenchmark(name.c_str(), bm_decode_mvb, d.id,
                                                 std::string("maskedvbyte/") + d.name))
            ->Unit(benchmark::kMicrosecond)
            ->MinTime(0.05);
    }
    std::atexit(print_decode_summary);
}

#else  // no hdump/kernel.h at build time

bool have_kernel_api() { return false; }
std::string kernel_description() {
    return config().kernel ? std::string(config().kernel) + " (from HDUMP_KERNEL)"
                           : std::string("library default (hdump/kernel.h not available)");
}
void register_varint() {}

#endif

}  // namespace hb
