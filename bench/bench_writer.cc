// bench/bench_writer.cc: the writer, re-emitting a decoded heap.
//
// write/<heap>/<sink>/<buffer>: every record of the heap (decoded once, see
// bench_store.h) goes through hdump_writer_put_* and hdump_writer_finish, each
// itab's type through the writer's type cache as the runtime does. Timed per
// iteration: writer creation, every put, finish (EOF and the last flush).
// Sinks: null (hdump_sink_null), mem (a growable buffer, grown once before
// timing, reset each iteration), devnull (an fd on /dev/null), file (an fd on
// a file in the tmp dir, truncated before each iteration, untimed, as
// os.Create would: so the writes are to new page-cache pages).
//
// write-maps/<heap>/null/4k: the same, with every object whose field list is
// a pointer map's walk given as that one-bit map (HDUMP_FIELDS_BITMAP1, what
// a runtime has), checked first to give the same bytes; counter `maps`: the
// share of objects given a map.
//
// write-objects/<heap>/<sink>/4k/<T>t: the same records, each run of objects
// put with one hdump_writer_put_objects call (opts.threads = T, the default
// chunk size) over an array of hdump_object made before timing, as the
// decoded items are. write-objects-maps/<heap>/null/4k/2t: with the maps.
//
// write-spans/<heap>/null/4k/<T>t: the same records, each run of objects
// put with one hdump_writer_put_spans call (the runtime's form: slot memory,
// allocation bits, a pointer map; bs_spans_build, before timing), checked
// first to give the same bytes; counter `spans`: objects a span on average.
// write-spans/<heap>/null/4k/2t-pool and write-objects/<heap>/null/4k/2t-pool:
// the writers borrow a thread pool (hdump_threadpool_new, before timing) of 2
// threads, as a program writing dump after dump would, so no iteration
// starts or stops a helper thread.
//
// encode-floor/<heap>: the heap's object records made again from the same
// items by the encode floor (floors.h), the bound the write rows are read
// against.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "bench_common.h"
#include "floors.h"

namespace hb {
namespace {

enum class Sink { Null, Mem, DevNull, File };

const char *sink_name(Sink s) {
    switch (s) {
    case Sink::Null: return "null";
    case Sink::Mem: return "mem";
    case Sink::DevNull: return "devnull";
    case Sink::File: return "file";
    }
    return "?";
}

// Whether `replay` (a form of the heap's records through a writer with
// `threads`) gives the heap's very bytes: every other form of the heap is
// checked so before it is timed.
template <class Replay>
bool gives_heap(Dataset *d, unsigned threads, Replay replay) {
    hdump_membuf out;
    hdump_membuf_init(&out, nullptr);
    hdump_writer_opts vo;
    hdump_writer_opts_init(&vo);
    vo.version = d->store.version;
    vo.kernel = config().kernel;
    vo.threads = threads;
    hdump_writer *w = nullptr;
    bool same = hdump_writer_new(&vo, hdump_sink_membuf(&out), &w) == HDUMP_OK &&
                replay(w) == HDUMP_OK && out.len == d->len &&
                std::memcmp(out.data, d->data, d->len) == 0;
    hdump_writer_free(w);
    hdump_membuf_free(&out);
    return same;
}

void bm_write(benchmark::State &st, Dataset *d, Sink kind, size_t bufsize, bool maps,
              unsigned threads, bool spans, bool pooled) {
    if (!d->load()) {
        st.SkipWithError(d->error.c_str());
        return;
    }
    bs_spans sp;
    std::memset(&sp, 0, sizeof sp);
    if (spans && !(bs_spans_build(&d->store, &sp) == 0 && sp.objects > 0 &&
                   gives_heap(d, threads, [&](hdump_writer *w) {
                       return bs_replay_spans(&d->store, &sp, w, 0);
                   }))) {
        bs_spans_free(&sp);
        st.SkipWithError("the objects as spans do not give the heap's bytes");
        return;
    }
    bs_maps bm;
    std::memset(&bm, 0, sizeof bm);
    if (maps && !(bs_maps_build(&d->store, &bm) == 0 && bm.objects > 0 &&
                  gives_heap(d, 0, [&](hdump_writer *w) {
                      return bs_replay_maps(&d->store, &bm, w, 0);
                  }))) {
        bs_maps_free(&bm);
        st.SkipWithError("the objects' maps do not give the heap's bytes");
        return;
    }
    hdump_object *objs = nullptr;
    if (threads > 0 && !spans && bs_objects_build(&d->store, maps ? &bm : nullptr, &objs) != 0) {
        bs_maps_free(&bm);
        st.SkipWithError("out of memory");
        return;
    }
    hdump_membuf m;
    hdump_membuf_init(&m, nullptr);
    int fd = -1;
    std::string path;
    hdump_sink sink = hdump_sink_null();
    if (kind == Sink::Mem) {
        sink = hdump_sink_membuf(&m);
    } else if (kind == Sink::DevNull) {
        fd = open("/dev/null", O_WRONLY);
        sink = hdump_sink_fd(fd);
    } else if (kind == Sink::File) {
        path = config().tmp_dir + "/hdump_bench_out.dump";
        fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        sink = hdump_sink_fd(fd);
    }
    if ((kind == Sink::DevNull || kind == Sink::File) && fd < 0) {
        st.SkipWithError(("cannot open " + (path.empty() ? std::string("/dev/null") : path))
                             .c_str());
        return;
    }
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = d->store.version;
    o.buffer_size = bufsize;
    o.kernel = config().kernel;
    if (threads > 0) o.threads = threads;
    hdump_threadpool *pool = nullptr;
    if (pooled && hdump_threadpool_new(threads, 0, nullptr, &pool) != HDUMP_OK) {
        st.SkipWithError("no thread pool");
        return;
    }
    o.pool = pool;

    uint64_t bytes = 0, hits = 0, misses = 0;
    hdump_status status = HDUMP_OK;
    auto one = [&]() {
        hdump_writer *w;
        status = hdump_writer_new(&o, sink, &w);
        if (status != HDUMP_OK) return;
        status = spans            ? bs_replay_spans(&d->store, &sp, w, 1)
                 : objs != nullptr ? bs_replay_objects(&d->store, objs, w, 1)
                 : maps          ? bs_replay_maps(&d->store, &bm, w, 1)
                                 : bs_replay(&d->store, w, 1);
        bytes = hdump_writer_bytes(w);
        hdump_writer_typecache_stats(w, &hits, &misses);
        hdump_writer_free(w);
    };
    if (kind == Sink::Mem) {  // grow the buffer once, untimed
        one();
        m.len = 0;
    }
    Clock c;
    for (auto _ : st) {
        if (kind == Sink::File) {
            st.PauseTiming();
            if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) status = HDUMP_ERR_IO;
            st.ResumeTiming();
        }
        m.len = 0;
        c.start();
        if (status == HDUMP_OK) one();
        c.stop();
        if (status != HDUMP_OK) {
            st.SkipWithError((std::string("writer: ") + hdump_status_str(status)).c_str());
            break;
        }
    }
    if (fd >= 0) close(fd);
    if (!path.empty()) unlink(path.c_str());
    hdump_threadpool_free(pool);
    hdump_membuf_free(&m);
    std::free(objs);
    uint64_t mapped = bm.objects;
    double per_span = sp.nspans ? double(sp.objects) / double(sp.nspans) : 0.0;
    bs_spans_free(&sp);
    bs_maps_free(&bm);
    if (status != HDUMP_OK) return;
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(bytes));
    st.SetItemsProcessed(int64_t(st.iterations()) * int64_t(d->store.objects));
    if (hits + misses > 0) st.counters["tc_hit"] = double(hits) / double(hits + misses);
    if (maps) st.counters["maps"] = double(mapped) / double(d->store.objects);
    if (spans) st.counters["spans"] = per_span;
    set_ratio_counter(st, d->name, double(bytes), c);
}

// The floors' common start (checked against the dump, *bytes its object
// records' size) and end (counters); false / an error when they fail.
bool floor_ready(benchmark::State &st, Dataset *d, size_t *bytes) {
    if (!d->load() || bs_encode_floor_check(&d->store, d->data, d->len, bytes) != 0) {
        st.SkipWithError(d->error.empty() ? "the encode floor does not make the heap's objects"
                                          : d->error.c_str());
        return false;
    }
    return true;
}

void floor_done(benchmark::State &st, Dataset *d, size_t made, size_t bytes, const Clock &c) {
    if (made != bytes) {
        st.SkipWithError("the encode floor made a different number of bytes");
        return;
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(bytes));
    st.SetItemsProcessed(int64_t(st.iterations()) * int64_t(d->store.objects));
    set_ratio_counter(st, d->name, double(bytes), c);
}

// encode-floor/<heap>/2t: the floor cut in two halves of equal work, one
// per thread (a helper started once, woken by a generation count it spins
// on, so no thread is created inside the timing): the bound for
// write-objects/<heap>/null/4k/2t, which also reads hdump_object records,
// hands chunks over and keeps the order.
void bm_encode_floor_2t(benchmark::State &st, Dataset *d) {
    size_t bytes = 0;
    if (!floor_ready(st, d, &bytes)) return;
    const bs_store *s = &d->store;
    const size_t cut = bs_encode_floor_split(s);
    alignas(64) static uint8_t buf0[BS_FLOOR_BUF + 64];
    alignas(64) static uint8_t buf1[BS_FLOOR_BUF + 64];
    std::atomic<uint64_t> gen{0}, done{0};
    std::atomic<size_t> made1{0};
    std::atomic<bool> quit{false};
    std::thread helper([&] {
        uint64_t seen = 0;
        for (;;) {
            uint64_t g;
            while ((g = gen.load(std::memory_order_acquire)) == seen && !quit.load())
                std::this_thread::yield();
            if (quit.load()) return;
            seen = g;
            made1.store(bs_encode_floor_range(s, cut, s->nitems, buf1, nullptr),
                        std::memory_order_relaxed);
            done.store(g, std::memory_order_release);
        }
    });
    Clock c;
    size_t made = 0;
    uint64_t g = 0;
    for (auto _ : st) {
        c.start();
        gen.store(++g, std::memory_order_release);
        size_t m0 = bs_encode_floor_range(s, 0, cut, buf0, nullptr);
        while (done.load(std::memory_order_acquire) != g) std::this_thread::yield();
        made = m0 + made1.load(std::memory_order_relaxed);
        benchmark::DoNotOptimize(buf0);
        benchmark::DoNotOptimize(buf1);
        c.stop();
    }
    quit.store(true);
    helper.join();
    floor_done(st, d, made, bytes, c);
}

void bm_encode_floor(benchmark::State &st, Dataset *d) {
    size_t bytes = 0;
    if (!floor_ready(st, d, &bytes)) return;
    static uint8_t buf[BS_FLOOR_BUF + 64];
    Clock c;
    size_t made = 0;
    for (auto _ : st) {
        c.start();
        made = bs_encode_floor(&d->store, buf, nullptr);
        benchmark::DoNotOptimize(buf);
        c.stop();
    }
    floor_done(st, d, made, bytes, c);
}

}  // namespace

void register_writer(Dataset *d) {
    static const Sink sinks[] = {Sink::Null, Sink::Mem, Sink::DevNull, Sink::File};
    static const struct {
        size_t size;
        const char *name;
    } bufs[] = {{4096, "4k"}, {65536, "64k"}, {1 << 20, "1m"}};
    for (Sink s : sinks)
        for (const auto &b : bufs) {
            std::string name = "write/" + d->name + "/" + sink_name(s) + "/" + b.name;
            with_spread(
                benchmark::RegisterBenchmark(name.c_str(), bm_write, d, s, b.size, false, 0u, false,
                                             false))
                ->UseRealTime()
                ->Unit(benchmark::kMillisecond);
        }
    std::string maps = "write-maps/" + d->name + "/null/4k";
    with_spread(
        benchmark::RegisterBenchmark(maps.c_str(), bm_write, d, Sink::Null, size_t(4096), true, 0u,
                                             false, false))
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    // hdump_writer_put_objects, by one thread and by two
    for (Sink s : {Sink::Null, Sink::DevNull})
        for (unsigned t : {1u, 2u}) {
            std::string name = "write-objects/" + d->name + "/" + sink_name(s) + "/4k/" +
                               std::to_string(t) + "t";
            with_spread(benchmark::RegisterBenchmark(name.c_str(), bm_write, d, s, size_t(4096),
                                                     false, t, false, false))
                ->UseRealTime()
                ->Unit(benchmark::kMillisecond);
        }
    std::string opool = "write-objects/" + d->name + "/null/4k/2t-pool";
    with_spread(benchmark::RegisterBenchmark(opool.c_str(), bm_write, d, Sink::Null, size_t(4096),
                                             false, 2u, false, true))
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    std::string omaps = "write-objects-maps/" + d->name + "/null/4k/2t";
    with_spread(benchmark::RegisterBenchmark(omaps.c_str(), bm_write, d, Sink::Null, size_t(4096),
                                             true, 2u, false, false))
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    // hdump_writer_put_spans, by one thread and by two
    for (unsigned t : {1u, 2u}) {
        std::string name = "write-spans/" + d->name + "/null/4k/" + std::to_string(t) + "t";
        with_spread(benchmark::RegisterBenchmark(name.c_str(), bm_write, d, Sink::Null,
                                                 size_t(4096), false, t, true, false))
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
    }
    std::string spool = "write-spans/" + d->name + "/null/4k/2t-pool";
    with_spread(benchmark::RegisterBenchmark(spool.c_str(), bm_write, d, Sink::Null, size_t(4096),
                                             false, 2u, true, true))
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    std::string floor = "encode-floor/" + d->name;
    with_spread(benchmark::RegisterBenchmark(floor.c_str(), bm_encode_floor, d))
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    std::string floor2 = "encode-floor/" + d->name + "/2t";
    with_spread(benchmark::RegisterBenchmark(floor2.c_str(), bm_encode_floor_2t, d))
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
}

}  // namespace hb
