// bench/bench_reader.cc: the pull reader, every record to EOF, nothing done with them.
//
// read/<dump>/<source>: mem (hdump_reader_new_mem over the dump in memory,
// zero-copy), fd (hdump_reader_new_fd on the file, in the page cache: the
// streaming path with its default 256 KiB buffer; ranges over 64 KiB are
// streamed and skipped), mmap (hdump_reader_new_mmap: map, read, unmap per
// iteration). Timed per iteration: reader creation, every next, free.
// read-batch/<dump>/mem: the memory reader through hdump_reader_next_batch,
// up to 64 records a call.
// read-scan/<dump>/mem/2t: hdump_scan_mem (hdump/scan.h) over the dump in
// memory with 2 threads, a record count per part; the parts dropped in the
// last iteration are the counter "dropped".
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "bench_common.h"
#include "floors.h"

namespace hb {
namespace {

enum class Src { Mem, Fd, Mmap };

const char *src_name(Src s) {
    switch (s) {
    case Src::Mem: return "mem";
    case Src::Fd: return "fd";
    case Src::Mmap: return "mmap";
    }
    return "?";
}

void bm_read(benchmark::State &st, Dataset *d, Src src, bool batch) {
    if (!d->load() || (src != Src::Mem && !d->ensure_file())) {
        st.SkipWithError(d->error.c_str());
        return;
    }
    int fd = -1;
    if (src == Src::Fd && (fd = open(d->file.c_str(), O_RDONLY)) < 0) {
        st.SkipWithError(("cannot open " + d->file).c_str());
        return;
    }
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.kernel = config().kernel;
    uint64_t records = 0;
    std::string err;
    Clock c;
    for (auto _ : st) {
        c.start();
        hdump_reader *r = nullptr;
        hdump_status s;
        if (src == Src::Mem) {
            s = hdump_reader_new_mem(&o, d->data, d->len, &r);
        } else if (src == Src::Fd) {
            s = lseek(fd, 0, SEEK_SET) == 0 ? hdump_reader_new_fd(&o, fd, &r) : HDUMP_ERR_IO;
        } else {
            s = hdump_reader_new_mmap(&o, d->file.c_str(), &r);
        }
        if (s != HDUMP_OK) {
            err = std::string("reader: ") + hdump_status_str(s);
            break;
        }
        uint64_t n = 0;
        if (batch) {
            static hdump_record recs[64];
            size_t k = 0;
            while ((s = hdump_reader_next_batch(r, recs, 64, &k)) == HDUMP_OK) n += k;
            n += k;
        } else {
            hdump_record rec;
            while ((s = hdump_reader_next(r, &rec)) == HDUMP_OK) n++;
            n++; /* EOF */
        }
        if (s != HDUMP_END) err = std::string("reader: ") + hdump_reader_error(r)->msg;
        hdump_reader_free(r);
        c.stop();
        records = n;
        if (!err.empty()) break;
    }
    if (fd >= 0) close(fd);
    if (!err.empty()) {
        st.SkipWithError(err.c_str());
        return;
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(d->len));
    st.SetItemsProcessed(int64_t(st.iterations()) * int64_t(records));
    set_ratio_counter(st, d->name, double(d->len), c);
}

// A record count per part, a cache line (8 counters) each: parts side by side
// are counted by different threads.
int scan_on_batch(void *ctx, unsigned part, const hdump_record *, size_t n) {
    static_cast<uint64_t *>(ctx)[8 * size_t(part)] += n;
    return 0;
}
void scan_on_drop(void *ctx, unsigned part) { static_cast<uint64_t *>(ctx)[8 * size_t(part)] = 0; }

void bm_scan(benchmark::State &st, Dataset *d) {
    if (!d->load()) {
        st.SkipWithError(d->error.c_str());
        return;
    }
    hdump_scan_opts o;
    hdump_scan_opts_init(&o);
    o.reader.kernel = config().kernel;
    o.threads = 2;
    hdump_scan_fns f{};
    f.on_batch = scan_on_batch;
    f.on_drop = scan_on_drop;
    hdump_scan_result res{};
    uint64_t records = 0;
    std::string err;
    std::vector<uint64_t> cnt(8 * size_t(hdump_scan_parts(&o, d->len)));
    Clock c;
    for (auto _ : st) {
        std::fill(cnt.begin(), cnt.end(), 0);
        c.start();
        hdump_status s = hdump_scan_mem(&o, d->data, d->len, &f, cnt.data(), &res);
        c.stop();
        uint64_t n = 0;
        for (unsigned p = 0; p < res.parts; p++) n += cnt[8 * size_t(p)];
        if (s != HDUMP_END || n != res.records) {
            err = std::string("scan: ") + hdump_status_str(s);
            break;
        }
        records = n;
    }
    if (!err.empty()) {
        st.SkipWithError(err.c_str());
        return;
    }
    st.counters["dropped"] = double(res.dropped);
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(d->len));
    st.SetItemsProcessed(int64_t(st.iterations()) * int64_t(records));
    set_ratio_counter(st, d->name, double(d->len), c);
}

void bm_decode_floor(benchmark::State &st, Dataset *d) {
    bs_objruns runs;
    if (!d->load()) {
        st.SkipWithError(d->error.c_str());
        return;
    }
    int found = bs_objruns_find(&runs, d->data, d->len);
    if (found != 0) {
        st.SkipWithError(found == -2 ? "go1.3 objects: the floor decodes go1.4+ objects"
                                     : "cannot find the object records");
        return;
    }
    Clock c;
    bool same = true;
    for (auto _ : st) {
        unsigned long long n;
        c.start();
        uint64_t sum = bs_decode_floor(&runs, &n);
        c.stop();
        same = same && sum == runs.sum && n == runs.records;
    }
    size_t bytes = runs.bytes;
    unsigned long long records = runs.records;
    bs_objruns_free(&runs);
    if (!same) {
        st.SkipWithError("the decode floor disagrees with the reader");
        return;
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(bytes));
    st.SetItemsProcessed(int64_t(st.iterations()) * int64_t(records));
    set_ratio_counter(st, d->name, double(bytes), c);
}

}  // namespace

void register_reader(Dataset *d) {
    for (Src s : {Src::Mem, Src::Fd, Src::Mmap}) {
        std::string name = "read/" + d->name + "/" + src_name(s);
        with_spread(benchmark::RegisterBenchmark(name.c_str(), bm_read, d, s, false))
            ->UseRealTime()
            ->Unit(unit_for(d));
    }
    std::string batch = "read-batch/" + d->name + "/mem";
    with_spread(benchmark::RegisterBenchmark(batch.c_str(), bm_read, d, Src::Mem, true))
        ->UseRealTime()
        ->Unit(unit_for(d));
    std::string scan = "read-scan/" + d->name + "/mem/2t";
    with_spread(benchmark::RegisterBenchmark(scan.c_str(), bm_scan, d))
        ->UseRealTime()
        ->Unit(unit_for(d));
    std::string floor = "decode-floor/" + d->name;
    with_spread(benchmark::RegisterBenchmark(floor.c_str(), bm_decode_floor, d))
        ->UseRealTime()
        ->Unit(unit_for(d));
}

}  // namespace hb
