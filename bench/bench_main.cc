// bench/bench_main.cc: hdump's Google Benchmark driver.
//
//   hdump_bench [benchmark flags] [--hdump_corpus=DIR] [--hdump_tmp=DIR] [--hdump_quick]
//
// --hdump_corpus  directory of real Go dumps (*.dump); default: the build
//                 tree's corpus/ (tests/CMakeLists.txt gunzips them there)
// --hdump_tmp     directory for the file sink and file sources (default: the
//                 build tree's bench/ directory; not /tmp, which may be tmpfs)
// --hdump_quick   heaps 10x smaller (the ctest smoke run)
// $HDUMP_KERNEL   varint kernel for the writer and reader (opts.kernel)
//
// After the run a summary table repeats every result's median (with the
// min..max spread when there were repetitions) and its ratio to the memcpy
// baseline of the same bytes.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "bench_common.h"
#include "bench_config.h"

#ifndef HDUMP_BENCH_CORPUS
#define HDUMP_BENCH_CORPUS ""
#endif
#ifndef HDUMP_BENCH_TMP
#define HDUMP_BENCH_TMP "."
#endif
#ifndef HDUMP_BENCH_CFLAGS
#define HDUMP_BENCH_CFLAGS "?"
#endif
#ifndef HDUMP_BENCH_CC
#define HDUMP_BENCH_CC "?"
#endif

namespace hb {
namespace {

struct Row {
    std::string name;
    double time = 0;  // median, in the run's unit
    const char *unit = "";
    double bps = 0, ips = 0, x = 0, tc = -1;
    double bps_min = 0, bps_max = 0, cv = -1;
    bool have = false;
};

const char *unit_name(benchmark::TimeUnit u) {
    switch (u) {
    case benchmark::kNanosecond: return "ns";
    case benchmark::kMicrosecond: return "us";
    case benchmark::kMillisecond: return "ms";
    default: return "s";
    }
}

double counter(const benchmark::BenchmarkReporter::Run &r, const char *k) {
    auto it = r.counters.find(k);
    return it == r.counters.end() ? 0.0 : double(it->second);
}

// The console reporter, plus a record of each benchmark's median for the
// summary and for the memcpy baselines that later benchmarks divide by.
class Reporter : public benchmark::ConsoleReporter {
  public:
    explicit Reporter(OutputOptions o) : ConsoleReporter(o) {}

    void ReportRuns(const std::vector<Run> &runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run &r : runs) {
            if (r.error_occurred) continue;
            std::string name = r.run_name.function_name;
            Row &row = row_for(name);
            bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
            bool single = r.run_type == Run::RT_Iteration && r.repetitions <= 1;
            if (median || single) {
                row.have = true;
                row.time = r.GetAdjustedRealTime();
                row.unit = unit_name(r.time_unit);
                row.bps = counter(r, "bytes_per_second");
                row.ips = counter(r, "items_per_second");
                row.x = counter(r, "x_memcpy");
                auto tc = r.counters.find("tc_hit");
                if (tc != r.counters.end()) row.tc = double(tc->second);
                if (name.rfind("memcpy/ring4k/", 0) == 0)
                    set_baseline_rate(name.substr(14), row.bps);
            } else if (r.run_type == Run::RT_Aggregate) {
                if (r.aggregate_name == "min") row.bps_min = counter(r, "bytes_per_second");
                if (r.aggregate_name == "max") row.bps_max = counter(r, "bytes_per_second");
                if (r.aggregate_name == "cv") row.cv = counter(r, "bytes_per_second");
            }
        }
    }

    void summary(std::FILE *out) const {
        std::fprintf(out,
                     "\n== hdump summary: medians%s; MB = 1e6 bytes; x memcpy = time / time of "
                     "copying the same bytes\n   into a 4 KiB ring "
                     "(memcpy/ring4k/<same dataset>, this run): lower is better\n",
                     reps_ > 1 ? (" of " + std::to_string(reps_) + " repetitions").c_str() : "");
        std::fprintf(out, "%-44s %10s %9s %17s %11s %8s  %s\n", "benchmark", "time", "MB/s",
                     "(min..max MB/s)", "Mitems/s", "x memcpy", "notes");
        // Grouped: the varint kernels, then one block per dataset, in run order.
        std::vector<std::string> keys;
        for (const Row &r : rows_)
            if (r.have && std::find(keys.begin(), keys.end(), key(r.name)) == keys.end())
                keys.push_back(key(r.name));
        for (const std::string &k : keys) {
            std::string head = k;
            for (auto &d : datasets())
                if (d->name == k && d->loaded && d->error.empty()) {
                    char b[200];
                    std::snprintf(b, sizeof b, ": %.1f MB, %llu records, %llu objects%s", d->len / 1e6,
                                  (unsigned long long)d->store.records,
                                  (unsigned long long)d->store.objects,
                                  d->synthetic ? " (hdump_gen)" : " (real Go dump)");
                    head += b;
                }
            std::fprintf(out, "-- %s\n", head.c_str());
            for (const Row &r : rows_)
                if (r.have && key(r.name) == k) print_row(out, r);
        }
    }

    void print_row(std::FILE *out, const Row &r) const {
            std::string sec = r.name.substr(0, r.name.find('/'));
            char spread[40] = "";
            if (r.bps_max > 0)
                std::snprintf(spread, sizeof spread, "(%.0f..%.0f)", r.bps_min / 1e6,
                              r.bps_max / 1e6);
            char x[16] = "-";
            if (r.x > 0) std::snprintf(x, sizeof x, "%.2f", r.x);
            char items[24] = "-";
            if (r.ips > 0) std::snprintf(items, sizeof items, "%.2f", r.ips / 1e6);
            std::string notes;
            if (r.tc >= 0) notes += "type cache hit " + std::to_string(int(r.tc * 100 + 0.5)) + "%";
            if (sec == "varint" && r.ips > 0) {
                char b[48];
                std::snprintf(b, sizeof b, "%.3f ns/int", 1e9 / r.ips);
                notes += b;
            }
            if (r.cv >= 0) {
                char b[32];
                std::snprintf(b, sizeof b, "%scv %.1f%%", notes.empty() ? "" : "; ", r.cv * 100);
                notes += b;
            }
            char t[32];
            std::snprintf(t, sizeof t, "%.3f %s", r.time, r.unit);
            std::fprintf(out, "%-44s %10s %9.0f %17s %11s %8s  %s\n", r.name.c_str(), t,
                         r.bps / 1e6, spread, items, x, notes.c_str());
    }

    void set_reps(int r) { reps_ = r; }

    static std::string key(const std::string &name) {
        size_t a = name.find('/');
        if (name.compare(0, a, "varint") == 0) return "varint kernels";
        // memcpy/<kind>/<ds>, write/<ds>/..., read/<ds>/<src>
        if (name.compare(0, a, "memcpy") == 0) return name.substr(name.find('/', a + 1) + 1);
        return name.substr(a + 1, name.find('/', a + 1) - a - 1);
    }

  private:
    Row &row_for(const std::string &name) {
        auto it = index_.find(name);
        if (it != index_.end()) return rows_[it->second];
        index_[name] = rows_.size();
        rows_.push_back(Row{});
        rows_.back().name = name;
        return rows_.back();
    }
    std::vector<Row> rows_;
    std::map<std::string, size_t> index_;
    int reps_ = 1;
};

int usage(const char *argv0, const char *bad) {
    std::fprintf(stderr,
                 "%s: unknown argument '%s'\n"
                 "usage: %s [--benchmark_* flags] [--hdump_corpus=DIR] [--hdump_tmp=DIR] "
                 "[--hdump_quick]\n",
                 argv0, bad, argv0);
    return 2;
}

}  // namespace
}  // namespace hb

int main(int argc, char **argv) {
    // Keep our own copy of the flags Google Benchmark consumes, to know the repetitions.
    int reps = 1;
    for (int i = 1; i < argc; i++)
        if (std::strncmp(argv[i], "--benchmark_repetitions=", 24) == 0)
            reps = std::atoi(argv[i] + 24);
    benchmark::Initialize(&argc, argv);

    hb::Config &cfg = hb::config();
    cfg.corpus_dir = HDUMP_BENCH_CORPUS;
    cfg.tmp_dir = HDUMP_BENCH_TMP;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (std::strncmp(a, "--hdump_corpus=", 15) == 0)
            cfg.corpus_dir = a + 15;
        else if (std::strncmp(a, "--hdump_tmp=", 12) == 0)
            cfg.tmp_dir = a + 12;
        else if (std::strcmp(a, "--hdump_quick") == 0)
            cfg.quick = true;
        else
            return hb::usage(argv[0], a);
    }
    const char *k = std::getenv("HDUMP_KERNEL");
    cfg.kernel = k != nullptr && *k != 0 ? k : nullptr;

    // Datasets: synthetic heaps of about 31-33 MB each, then the real dumps.
    struct Heap {
        const char *name;
        hdump_gen_profile p;
        uint64_t objects;
    };
    const Heap heaps[] = {{"small", HDUMP_GEN_SMALL, 500000},
                          {"mixed", HDUMP_GEN_MIXED, 200000},
                          {"large", HDUMP_GEN_LARGE, 12000}};
    auto &ds = hb::datasets();
    for (const Heap &h : heaps) {
        auto d = std::make_unique<hb::Dataset>();
        d->name = h.name;
        d->synthetic = true;
        d->profile = h.p;
        d->objects = cfg.quick ? h.objects / 10 : h.objects;
        ds.push_back(std::move(d));
    }
    std::vector<std::string> real;
    if (!cfg.corpus_dir.empty()) {
        if (DIR *dir = opendir(cfg.corpus_dir.c_str())) {
            while (dirent *e = readdir(dir)) {
                std::string n = e->d_name;
                if (n.size() > 5 && n.compare(n.size() - 5, 5, ".dump") == 0) real.push_back(n);
            }
            closedir(dir);
        }
    }
    std::sort(real.begin(), real.end());
    for (const std::string &n : real) {
        auto d = std::make_unique<hb::Dataset>();
        d->name = n.substr(0, n.size() - 5);
        d->src_path = cfg.corpus_dir + "/" + n;
        ds.push_back(std::move(d));
    }

    std::printf("hdump bench: CPU %s, %ld online CPUs\n", bs_cpu_model(),
                sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("hdump bench: library built by %s with %s\n", HDUMP_BENCH_CC, HDUMP_BENCH_CFLAGS);
    std::printf("hdump bench: writer/reader varint kernel: %s\n",
                hb::kernel_description().c_str());
    std::printf("hdump bench: heaps from hdump_gen (seed 1): %s; real dumps: %zu in %s\n",
                cfg.quick ? "quick (10x smaller)" : "small 500k, mixed 200k, large 12k objects",
                real.size(), cfg.corpus_dir.empty() ? "(none)" : cfg.corpus_dir.c_str());
    std::fflush(stdout);
    benchmark::AddCustomContext("hdump_cpu", bs_cpu_model());
    benchmark::AddCustomContext("hdump_kernel", hb::kernel_description());
    benchmark::AddCustomContext("hdump_cc", HDUMP_BENCH_CC);
    benchmark::AddCustomContext("hdump_cflags", HDUMP_BENCH_CFLAGS);

    hb::register_varint();
    for (auto &d : ds) {
        hb::register_memcpy(d.get());
        if (d->synthetic) hb::register_writer(d.get());
        hb::register_reader(d.get());
    }

    auto opts = isatty(1) ? benchmark::ConsoleReporter::OO_ColorTabular
                          : benchmark::ConsoleReporter::OO_Tabular;
    hb::Reporter rep(opts);
    rep.set_reps(reps);
    benchmark::RunSpecifiedBenchmarks(&rep);
    rep.summary(stdout);
    for (auto &d : ds) {
        if (!d->error.empty())
            std::printf("note: dataset %s unusable: %s\n", d->name.c_str(), d->error.c_str());
    }
    ds.clear();  // removes the temporary dump files
    benchmark::Shutdown();
    return 0;
}
