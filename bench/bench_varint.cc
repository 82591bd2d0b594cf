// bench/bench_varint.cc: varint encode/decode per kernel and distribution.
//
// varint/{encode,decode}/<kernel>/<dist>: 16384 values per iteration (source
// and output stay in L2), every kernel this CPU supports (hdump/kernel.h,
// best first). Distributions (fixed seed):
//   lt128   all < 128 (one byte each)
//   heap    the heap mix: half addresses (5 and 6 bytes), a quarter sizes
//           below 4 KiB, a quarter small tags (< 18); ~3.5 bytes per value
//   u32     uniform 32-bit
//   u64     uniform 64-bit
// Items are values; bytes are encoded bytes. Decode input is this kernel's own
// encoding, checked against the source once before timing.
#include <cstring>
#include <vector>

#include "bench_common.h"

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
const Dist kDists[] = {{"lt128", 0}, {"heap", 1}, {"u32", 2}, {"u64", 3}};

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
        default: e = r; break;
        }
    }
    return v;
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

void bm_decode(benchmark::State &st, std::string kernel, int dist) {
    std::vector<uint64_t> src = make_values(dist);
    std::vector<uint8_t> enc(10 * kN + HDUMP_VARINT_SLOP);
    size_t written = 0;
    if (hdump_varint_encode(kernel.c_str(), enc.data(), src.data(), kN, &written) != HDUMP_OK) {
        st.SkipWithError("encode failed");
        return;
    }
    std::vector<uint64_t> out(kN + HDUMP_VARINT_SLOP / 8);
    size_t used = 0;
    if (hdump_varint_decode(kernel.c_str(), out.data(), kN, enc.data(), written, &used) !=
            HDUMP_OK ||
        used != written || std::memcmp(out.data(), src.data(), kN * sizeof(uint64_t)) != 0) {
        st.SkipWithError("decode does not give the source back");
        return;
    }
    for (auto _ : st) {
        hdump_status s = hdump_varint_decode(kernel.c_str(), out.data(), kN, enc.data(), written,
                                             &used);
        benchmark::DoNotOptimize(s);
        benchmark::ClobberMemory();
    }
    st.SetItemsProcessed(int64_t(st.iterations()) * int64_t(kN));
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(written));
}

}  // namespace

void register_varint() {
    for (size_t i = 0; i < hdump_kernel_count(); i++) {
        const char *k = hdump_kernel_name(i);
        if (k == nullptr) break;
        if (!hdump_kernel_supported(k)) continue;
        for (const Dist &d : kDists) {
            for (int dec = 0; dec < 2; dec++) {
                std::string name = std::string("varint/") + (dec ? "decode/" : "encode/") + k +
                                   "/" + d.name;
                auto *b = dec ? benchmark::RegisterBenchmark(name.c_str(), bm_decode,
                                                             std::string(k), d.id)
                              : benchmark::RegisterBenchmark(name.c_str(), bm_encode,
                                                             std::string(k), d.id);
                with_spread(b)->Unit(benchmark::kMicrosecond)->MinTime(0.05);
            }
        }
    }
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
