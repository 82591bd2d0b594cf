// bench/bench_common.h: what the Google Benchmark shim's files share.
//
// Datasets (synthetic heaps from hdump_gen and real Go dumps) are loaded on
// first use, so a --benchmark_filter that skips a dataset never builds it.
// Every writer and reader benchmark reports x_memcpy: its time divided by the
// time of copying the same bytes into a 4 KiB ring (memcpy/ring4k/<dataset>,
// run just before in the same process). The summary table after the run uses
// the medians of the repetitions.
#ifndef HDUMP_BENCH_COMMON_H
#define HDUMP_BENCH_COMMON_H

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "bench_store.h"
}

namespace hb {

struct Config {
    std::string corpus_dir;  // real dumps (*.dump); empty: none
    std::string tmp_dir;     // where the file sinks and file sources live
    bool quick = false;      // heaps 10x smaller (smoke test)
    const char *kernel = nullptr;  // $HDUMP_KERNEL, passed as opts.kernel
};
Config &config();

struct Dataset {
    std::string name;  // "small", "mixed", "large", or a real dump's stem
    bool synthetic = false;
    hdump_gen_profile profile = HDUMP_GEN_MIXED;
    uint64_t objects = 0;
    std::string src_path;  // real dumps: the file

    // Loaded by load():
    bool loaded = false;
    std::string error;     // non-empty: unusable
    hdump_membuf mb{};     // synthetic heaps: owns data
    uint8_t *data = nullptr;
    size_t len = 0;
    bs_store store{};
    std::string file;      // a file holding the dump (written for synthetic heaps)

    ~Dataset();
    bool load();           // false: see error
    bool ensure_file();    // false: see error
};

// All datasets, in registration order: the three synthetic heaps, then the
// real dumps found in config().corpus_dir.
std::vector<std::unique_ptr<Dataset>> &datasets();

// The ring-memcpy baseline (bytes/s, median) of a dataset, 0 if not measured.
double baseline_rate(const std::string &dataset);
void set_baseline_rate(const std::string &dataset, double bytes_per_second);
// Wall time of the timed part of each iteration, measured beside Google
// Benchmark's own (which a benchmark function cannot read).
struct Clock {
    double total = 0;
    std::chrono::steady_clock::time_point t0;
    void start() { t0 = std::chrono::steady_clock::now(); }
    void stop() {
        total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
};
// Sets state.counters["x_memcpy"] = (time per iteration) / (ring-memcpy time
// for bytes_per_iter), from the Clock's total over st.iterations().
void set_ratio_counter(benchmark::State &st, const std::string &dataset,
                       double bytes_per_iter, const Clock &c);
// min and max across repetitions, beside Google Benchmark's mean/median/stddev/cv.
benchmark::internal::Benchmark *with_spread(benchmark::internal::Benchmark *b);

benchmark::TimeUnit unit_for(const Dataset *d);  // ms for heaps, us for real dumps

void register_varint();
void register_memcpy(Dataset *d);
void register_writer(Dataset *d);
void register_reader(Dataset *d);

// Whether the varint kernel API (hdump/kernel.h) was there at build time.
bool have_kernel_api();
std::string kernel_description();

}  // namespace hb

#endif  // HDUMP_BENCH_COMMON_H
