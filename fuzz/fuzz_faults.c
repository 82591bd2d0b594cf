/* fuzz/fuzz_faults.c: failure injection on the writer and the reader.
 *
 * Records come from the input (as in fuzz_roundtrip). Then, chosen by the
 * input, one of:
 *   - a sink that fails at its k-th call (HDUMP_ERR_IO or HDUMP_ERR_NOSPACE);
 *   - a sink that stores only part of its k-th write and then fails;
 *   - the k-th allocation failing (writer handle, buffer, type cache, and the
 *     membuf sink's growth all share the capping allocator).
 * Checks: the failure is reported (with the sink's code, or HDUMP_ERR_NOMEM),
 * it is sticky for every later put and finish, hdump_writer_error agrees (for
 * a sink failure, its offset is the number of bytes accepted before the
 * failing call), the sink is not called again, nothing leaks; and the bytes
 * that reached the sink are a valid prefix: reading them gives the first k
 * records exactly, then HDUMP_ERR_TRUNCATED at the prefix's end, and a
 * salvage (hdump_copy with HDUMP_COPY_SALVAGE) gives exactly the prefix up to
 * the end of record k plus the EOF record, which reads back to HDUMP_END.
 * Last, the complete dump is read (memory or streaming) with the j-th
 * allocation failing: the result is HDUMP_ERR_NOMEM iff an allocation was
 * refused, otherwise every record, and nothing leaks. */
#include "fuzz_common.h"

#define MAX_RECORDS 24

static fz_store store;
static hdump_record recs[MAX_RECORDS];
static hdump_record back[MAX_RECORDS]; /* what reading recs[i] back gives */

typedef struct fault_sink {
    uint8_t *buf;
    size_t len, cap;
    uint64_t calls, fail_call; /* 1-based; 0 = never */
    int short_write;
    uint64_t keep_sel;
    hdump_status code;
    int failed;
    size_t accepted_before_fail;
} fault_sink;

static void sink_append(fault_sink *s, const void *p, size_t n) {
    if (n == 0) return;
    if (n > s->cap - s->len) {
        size_t nc = s->cap ? s->cap : 256;
        while (nc - s->len < n) nc *= 2;
        uint8_t *b = realloc(s->buf, nc);
        FZ_CHECK(b != NULL, "malloc");
        s->buf = b;
        s->cap = nc;
    }
    memcpy(s->buf + s->len, p, n);
    s->len += n;
}

static hdump_status fault_write(void *ctx, const void *p, size_t n) {
    fault_sink *s = ctx;
    FZ_CHECK(!s->failed, "sink called again after it failed");
    FZ_CHECK(n > 0, "zero-byte sink write");
    s->calls++;
    if (s->calls == s->fail_call) {
        s->failed = 1;
        s->accepted_before_fail = s->len;
        if (s->short_write) sink_append(s, p, (size_t)(s->keep_sel % n)); /* < n bytes */
        return s->code;
    }
    sink_append(s, p, n);
    return HDUMP_OK;
}

static hdump_writer_opts writer_opts(hdump_version v, size_t bufsize, const char *kernel) {
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = v;
    o.buffer_size = bufsize;
    o.kernel = kernel;
    o.typecache_buckets = 0; /* fz_put writes type records verbatim */
    return o;
}

/* Reads d and checks it holds recs[0..k) then `want` (END, or TRUNCATED at
 * the end of d); returns k and the end offset of record k-1. */
static size_t read_prefix(hdump_version v, const uint8_t *d, size_t n, size_t nrec,
                          hdump_status want, uint64_t *good_end) {
    hdump_reader *r;
    FZ_CHECK(hdump_reader_new_mem(NULL, d, n, &r) == HDUMP_OK, "reader_new_mem");
    hdump_record b;
    hdump_status st;
    size_t k = 0;
    *good_end = n < HDUMP_HEADER_SIZE ? 0 : HDUMP_HEADER_SIZE;
    while ((st = hdump_reader_next(r, &b)) == HDUMP_OK) {
        FZ_CHECK(k < nrec, "more records than were written");
        FZ_CHECK(b.tag == recs[k].tag && hdump_record_equal(v, &back[k], &b),
                 "record %zu of the prefix differs from the one written", k);
        k++;
        *good_end = hdump_reader_offset(r);
    }
    if (want == HDUMP_END) {
        FZ_CHECK(st == HDUMP_END && k == nrec, "complete dump: %s after %zu/%zu records",
                 hdump_status_str(st), k, nrec);
    } else {
        const hdump_error *e = hdump_reader_error(r);
        FZ_CHECK(st == HDUMP_ERR_TRUNCATED && e->offset == n,
                 "prefix of %zu bytes: %s at %llu after %zu records", n, hdump_status_str(st),
                 (unsigned long long)e->offset, k);
    }
    hdump_reader_free(r);
    return k;
}

static void salvage_prefix(hdump_version v, const uint8_t *d, size_t n, size_t k,
                           uint64_t good_end) {
    hdump_reader *r;
    hdump_writer *w;
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    hdump_writer_opts o = writer_opts(v, 4096, NULL);
    FZ_CHECK(hdump_reader_new_mem(NULL, d, n, &r) == HDUMP_OK, "reader_new_mem");
    FZ_CHECK(hdump_writer_new(&o, hdump_sink_membuf(&m), &w) == HDUMP_OK, "writer_new");
    hdump_copy_report rep;
    hdump_status st = hdump_copy(r, w, HDUMP_COPY_SALVAGE, &rep);
    FZ_CHECK(st == HDUMP_OK, "salvage: %s", hdump_status_str(st));
    FZ_CHECK(!rep.complete && rep.records == k + 1, "salvage kept %llu records, expected %zu",
             (unsigned long long)rep.records, k + 1);
    if (n >= HDUMP_HEADER_SIZE) {
        FZ_CHECK(rep.good_bytes == good_end, "salvage good_bytes %llu, expected %llu",
                 (unsigned long long)rep.good_bytes, (unsigned long long)good_end);
        FZ_CHECK(m.len == good_end + 1 && memcmp(m.data, d, (size_t)good_end) == 0 &&
                     m.data[good_end] == 0,
                 "salvaged dump is not the prefix up to record %zu plus EOF", k);
    }
    uint64_t ge;
    size_t k2 = read_prefix(v, m.data, m.len, k, HDUMP_END, &ge);
    FZ_CHECK(k2 == k, "salvaged dump has %zu records, expected %zu", k2, k);
    hdump_writer_free(w);
    hdump_reader_free(r);
    hdump_membuf_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fdp p = fdp_init(data, size);
    hdump_version v = fz_version(fdp_bits(&p, 1));
    unsigned mode = (unsigned)fdp_range(&p, 0, 2);
    size_t bufsize = 64 + (size_t)fdp_range(&p, 0, 1024);
    uint64_t k = fdp_range(&p, 0, 15) == 0 ? 0 : fdp_range(&p, 1, 48);
    uint64_t keep_sel = fdp_u32(&p);
    hdump_status code = fdp_bool(&p) ? HDUMP_ERR_IO : HDUMP_ERR_NOSPACE;
    uint64_t read_fail = fdp_range(&p, 0, 8);
    int read_streaming = fdp_bool(&p);
    const char *kernel = fz_pick_kernel(fdp_bits(&p, 1));
    size_t nrec = (size_t)fdp_range(&p, 0, MAX_RECORDS);
    fz_store_reset(&store, 0);
    for (size_t i = 0; i < nrec; i++) fz_gen_record(&p, v, &store, &recs[i]);
    for (size_t i = 0; i < nrec; i++) fz_expect(&store, &recs[i], &back[i]);

    fz_heap heap;
    fz_heap_init(&heap, FZ_HEAP_BUDGET, mode == 2 ? k : 0);
    hdump_alloc hooks = fz_heap_hooks(&heap);
    fault_sink fs;
    memset(&fs, 0, sizeof fs);
    fs.fail_call = mode == 2 ? 0 : k;
    fs.short_write = mode == 1;
    fs.keep_sel = keep_sel;
    fs.code = code;
    hdump_membuf mb;
    hdump_membuf_init(&mb, &hooks);
    hdump_sink sink = {fault_write, &fs};
    if (mode == 2) sink = hdump_sink_membuf(&mb);

    hdump_writer_opts o = writer_opts(v, bufsize, kernel);
    o.alloc = &hooks;
    hdump_writer *w = NULL;
    hdump_status err = hdump_writer_new(&o, sink, &w);
    if (err != HDUMP_OK) {
        FZ_CHECK(err == HDUMP_ERR_NOMEM && heap.failures > 0 && w == NULL,
                 "writer_new: %s, %llu allocations refused", hdump_status_str(err),
                 (unsigned long long)heap.failures);
    } else {
        for (size_t i = 0; i <= nrec; i++) {
            hdump_status st = i < nrec ? fz_put(w, v, &recs[i], 1, 1) : hdump_writer_finish(w);
            if (err == HDUMP_OK)
                err = st;
            else
                FZ_CHECK(st == err, "error not sticky: %s then %s", hdump_status_str(err),
                         hdump_status_str(st));
        }
        if (err == HDUMP_OK) FZ_CHECK(hdump_writer_finish(w) == HDUMP_OK, "finish again");
        const hdump_error *e = hdump_writer_error(w);
        FZ_CHECK(e->code == err, "writer_error %s, calls returned %s", hdump_status_str(e->code),
                 hdump_status_str(err));
        if (mode == 2) {
            FZ_CHECK((heap.failures > 0) == (err != HDUMP_OK),
                     "%llu refused allocations, writer status %s",
                     (unsigned long long)heap.failures, hdump_status_str(err));
            FZ_CHECK(err == HDUMP_OK || err == HDUMP_ERR_NOMEM, "alloc failure gave %s",
                     hdump_status_str(err));
        } else {
            FZ_CHECK(fs.failed == (err != HDUMP_OK), "sink failed %d, writer status %s",
                     fs.failed, hdump_status_str(err));
            if (fs.failed) {
                FZ_CHECK(err == code, "sink returned %s, writer reports %s",
                         hdump_status_str(code), hdump_status_str(err));
                FZ_CHECK(e->offset == fs.accepted_before_fail,
                         "error offset %llu, sink had accepted %zu", (unsigned long long)e->offset,
                         fs.accepted_before_fail);
            }
        }
        hdump_writer_free(w);
    }

    /* What reached the sink. */
    const uint8_t *got = mode == 2 ? mb.data : fs.buf;
    size_t glen = mode == 2 ? mb.len : fs.len;
    if (w != NULL) {
        uint64_t good_end;
        size_t kept = read_prefix(v, got, glen, nrec,
                                  err == HDUMP_OK ? HDUMP_END : HDUMP_ERR_TRUNCATED, &good_end);
        if (err != HDUMP_OK) salvage_prefix(v, got, glen, kept, good_end);
    } else {
        FZ_CHECK(glen == 0, "bytes reached the sink of a writer that was never created");
    }
    hdump_membuf_free(&mb);
    free(fs.buf);
    fz_heap_check_empty(&heap);

    /* Reader under allocation failure, over the complete dump. */
    hdump_membuf full;
    hdump_membuf_init(&full, NULL);
    o = writer_opts(v, 4096, NULL);
    FZ_CHECK(hdump_writer_new(&o, hdump_sink_membuf(&full), &w) == HDUMP_OK, "writer_new");
    for (size_t i = 0; i < nrec; i++)
        FZ_CHECK(fz_put(w, v, &recs[i], 0, 1) == HDUMP_OK, "put %zu", i);
    FZ_CHECK(hdump_writer_finish(w) == HDUMP_OK, "finish");
    hdump_writer_free(w);
    fz_heap_init(&heap, FZ_HEAP_BUDGET, read_fail);
    hdump_reader_opts ro;
    hdump_reader_opts_init(&ro);
    ro.alloc = &hooks;
    ro.buffer_size = 32 + (keep_sel & 1023);
    ro.inline_max = 1 + (keep_sel >> 10) % 4096;
    fz_chunks src;
    memset(&src, 0, sizeof src);
    src.data = full.data;
    src.len = full.len;
    src.scale = 1 + (keep_sel >> 20) % 97;
    uint8_t one = 0;
    src.sched = &one;
    src.nsched = 1;
    hdump_source s = {fz_chunks_read, &src, UINT64_MAX};
    hdump_reader *r = NULL;
    hdump_status st = read_streaming ? hdump_reader_new_source(&ro, s, &r)
                                     : hdump_reader_new_mem(&ro, full.data, full.len, &r);
    if (st == HDUMP_OK) {
        hdump_record b;
        size_t i = 0;
        while ((st = hdump_reader_next(r, &b)) == HDUMP_OK) {
            FZ_CHECK(i < nrec && hdump_record_equal(v, &back[i], &b), "record %zu", i);
            i++;
        }
        FZ_CHECK(st == HDUMP_END || st == HDUMP_ERR_NOMEM, "read under allocation failure: %s",
                 hdump_status_str(st));
        FZ_CHECK(st != HDUMP_END || i == nrec, "END after %zu/%zu records", i, nrec);
        hdump_reader_free(r);
    }
    FZ_CHECK((st == HDUMP_ERR_NOMEM) == (heap.failures > 0),
             "reader status %s with %llu refused allocations", hdump_status_str(st),
             (unsigned long long)heap.failures);
    fz_heap_check_empty(&heap);
    hdump_membuf_free(&full);
    return 0;
}
