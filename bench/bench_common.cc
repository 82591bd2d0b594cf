// bench/bench_common.cc: datasets, the memcpy baseline registry, spread statistics.
#include "bench_common.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace hb {

Config &config() {
    static Config c;
    return c;
}

Dataset::~Dataset() {
    if (loaded) bs_free(&store);
    if (synthetic) {
        if (mb.data != nullptr) hdump_membuf_free(&mb);
    } else {
        std::free(data);
    }
    if (synthetic && !file.empty()) unlink(file.c_str());
}

bool Dataset::load() {
    if (loaded) return error.empty();
    loaded = true;
    if (synthetic) {
        hdump_status st = bs_generate(profile, objects, 1, &mb);
        if (st != HDUMP_OK) {
            hdump_membuf_init(&mb, nullptr);
            error = std::string("generator: ") + hdump_status_str(st);
            return false;
        }
        data = mb.data;
        len = mb.len;
    } else if (bs_load_file(src_path.c_str(), &data, &len) != 0) {
        error = "cannot read " + src_path + ": " + std::strerror(errno);
        return false;
    }
    hdump_status st = bs_decode(&store, data, len);
    if (st != HDUMP_OK) {
        error = std::string("decode: ") + hdump_status_str(st);
        return false;
    }
    // The replay must give the input back, byte for byte, or the writer numbers
    // would be for something else.
    hdump_membuf m;
    hdump_membuf_init(&m, nullptr);
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = store.version;
    o.kernel = config().kernel;
    hdump_writer *w;
    st = hdump_writer_new(&o, hdump_sink_membuf(&m), &w);
    if (st == HDUMP_OK) {
        st = bs_replay(&store, w, 0);
        hdump_writer_free(w);
    }
    if (st != HDUMP_OK)
        error = std::string("replay: ") + hdump_status_str(st);
    else if (m.len != len || std::memcmp(m.data, data, len) != 0)
        error = "replay is not byte-identical to the input";
    hdump_membuf_free(&m);
    return error.empty();
}

bool Dataset::ensure_file() {
    if (!load()) return false;
    if (!file.empty()) return true;
    if (!synthetic) {
        file = src_path;
        return true;
    }
    std::string path = config().tmp_dir + "/hdump_bench_" + name + ".dump";
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        error = "cannot create " + path + ": " + std::strerror(errno);
        return false;
    }
    size_t at = 0;
    while (at < len) {
        ssize_t k = write(fd, data + at, len - at);
        if (k <= 0) break;
        at += size_t(k);
    }
    close(fd);
    if (at != len) {
        unlink(path.c_str());
        error = "cannot write " + path;
        return false;
    }
    file = path;
    return true;
}

std::vector<std::unique_ptr<Dataset>> &datasets() {
    static std::vector<std::unique_ptr<Dataset>> v;
    return v;
}

static std::map<std::string, double> &baselines() {
    static std::map<std::string, double> m;
    return m;
}

double baseline_rate(const std::string &dataset) {
    auto it = baselines().find(dataset);
    return it == baselines().end() ? 0.0 : it->second;
}

void set_baseline_rate(const std::string &dataset, double bytes_per_second) {
    baselines()[dataset] = bytes_per_second;
}

void set_ratio_counter(benchmark::State &st, const std::string &dataset,
                       double bytes_per_iter, const Clock &c) {
    double base = baseline_rate(dataset);
    if (base <= 0 || bytes_per_iter <= 0 || st.iterations() == 0) return;
    st.counters["x_memcpy"] = (c.total / double(st.iterations())) / (bytes_per_iter / base);
}

benchmark::internal::Benchmark *with_spread(benchmark::internal::Benchmark *b) {
    return b
        ->ComputeStatistics("min",
                            [](const std::vector<double> &v) {
                                return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
                            })
        ->ComputeStatistics("max", [](const std::vector<double> &v) {
            return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
        });
}

benchmark::TimeUnit unit_for(const Dataset *d) {
    return d->synthetic ? benchmark::kMillisecond : benchmark::kMicrosecond;
}

// ---- memcpy baselines ----------------------------------------------------

static void bm_memcpy_ring(benchmark::State &st, Dataset *d) {
    if (!d->load()) {
        st.SkipWithError(d->error.c_str());
        return;
    }
    alignas(64) static uint8_t ring[4096];
    for (auto _ : st) {
        for (size_t at = 0; at < d->len; at += sizeof ring) {
            size_t k = std::min(sizeof ring, d->len - at);
            std::memcpy(ring, d->data + at, k);
            benchmark::ClobberMemory();
        }
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(d->len));
}

static void bm_memcpy_flat(benchmark::State &st, Dataset *d) {
    if (!d->load()) {
        st.SkipWithError(d->error.c_str());
        return;
    }
    std::vector<uint8_t> dst(d->len);
    std::memset(dst.data(), 1, dst.size());  // fault the pages in before timing
    Clock c;
    for (auto _ : st) {
        c.start();
        std::memcpy(dst.data(), d->data, d->len);
        benchmark::ClobberMemory();
        c.stop();
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(d->len));
    set_ratio_counter(st, d->name, double(d->len), c);
}

void register_memcpy(Dataset *d) {
    with_spread(benchmark::RegisterBenchmark(("memcpy/ring4k/" + d->name).c_str(),
                                             bm_memcpy_ring, d))
        ->UseRealTime()
        ->Unit(unit_for(d));
    with_spread(benchmark::RegisterBenchmark(("memcpy/flat/" + d->name).c_str(),
                                             bm_memcpy_flat, d))
        ->UseRealTime()
        ->Unit(unit_for(d));
}

}  // namespace hb
