/* fuzz/fuzz_roundtrip.c: fdp -> records of every kind -> writer -> reader ->
 * equal field by field, else abort (zstd simple_round_trip style).
 *
 * The input's tail chooses the version, the writer's buffer size (64 .. 8 KiB,
 * sometimes 1 MiB), type-cache geometry, the writer's and the reader's
 * kernels, the reader (memory, or streaming with a chunk schedule and buffer)
 * and, per record, the tag, per-tag call vs hdump_writer_put, and edge values
 * (0, 2^k-1/2^k boundaries, UINT64_MAX, empty and 1 MiB ranges, empty and
 * 4096-entry field lists, 512-frame stacks); its front supplies range bytes.
 * Checks: every put succeeds, counters match, the reader returns exactly the
 * records (hdump_record_equal, tag, index, contiguous offsets) then HDUMP_END
 * at the end of the output, and nothing leaks through the capping allocator. */
#include "fuzz_common.h"

#define MAX_RECORDS 48

static fz_store store;
static hdump_record recs[MAX_RECORDS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fdp p = fdp_init(data, size);
    hdump_version v = fz_version(fdp_bits(&p, 1));
    size_t nrec = (size_t)fdp_range(&p, 0, MAX_RECORDS);
    hdump_writer_opts wo;
    hdump_writer_opts_init(&wo);
    wo.version = v;
    wo.buffer_size = fdp_range(&p, 0, 15) == 0 ? (size_t)1 << 20 : 64 + (size_t)fdp_range(&p, 0, 8192);
    int nocache = fdp_bool(&p);
    if (nocache) {
        wo.typecache_buckets = 0;
    } else {
        wo.typecache_buckets = 1u << fdp_range(&p, 0, 8);
        wo.typecache_ways = 1 + (uint32_t)fdp_range(&p, 0, 7);
    }
    wo.kernel = fz_pick_kernel(fdp_bits(&p, 1));
    int streaming = fdp_bool(&p);
    const char *rkernel = fz_pick_kernel(fdp_bits(&p, 1));

    store.nf = store.nfr = 0;
    uint64_t per_tag_bits = fdp_u64(&p);
    for (size_t i = 0; i < nrec; i++) fz_gen_record(&p, v, &store, &recs[i]);

    fz_heap heap;
    fz_heap_init(&heap, FZ_HEAP_BUDGET, 0);
    hdump_alloc hooks = fz_heap_hooks(&heap);
    wo.alloc = &hooks;
    hdump_membuf out;
    hdump_membuf_init(&out, &hooks);
    hdump_writer *w;
    hdump_status st = hdump_writer_new(&wo, hdump_sink_membuf(&out), &w);
    FZ_CHECK(st == HDUMP_OK, "writer_new: %s", hdump_status_str(st));
    for (size_t i = 0; i < nrec; i++) {
        st = fz_put(w, v, &recs[i], (int)((per_tag_bits >> (i % 64)) & 1), nocache);
        FZ_CHECK(st == HDUMP_OK, "put record %zu (tag %d): %s", i, (int)recs[i].tag,
                 hdump_status_str(st));
    }
    st = hdump_writer_finish(w);
    FZ_CHECK(st == HDUMP_OK, "finish: %s", hdump_status_str(st));
    FZ_CHECK(hdump_writer_records(w) == nrec + 1, "writer counted %llu records, wrote %zu",
             (unsigned long long)hdump_writer_records(w), nrec + 1);
    FZ_CHECK(hdump_writer_bytes(w) == out.len, "writer bytes %llu, sink got %zu",
             (unsigned long long)hdump_writer_bytes(w), out.len);
    hdump_writer_free(w);

    /* Read it back. */
    hdump_reader_opts ro;
    hdump_reader_opts_init(&ro);
    ro.alloc = &hooks;
    ro.kernel = rkernel;
    ro.strict = 1; /* the writer only writes minimal uvarints */
    hdump_reader *r;
    fz_chunks src;
    uint8_t sched[4] = {0, 0, 0, 0};
    if (streaming) {
        for (size_t i = 0; i < 4; i++) sched[i] = (uint8_t)fdp_bits(&p, 1);
        memset(&src, 0, sizeof src);
        src.data = out.data;
        src.len = out.len;
        src.sched = sched;
        src.nsched = 4;
        src.scale = (size_t)1 << fdp_range(&p, 0, 8);
        /* keep long outputs to <= ~4096 source calls (exec/s) */
        if (src.scale < out.len / 4096) src.scale = out.len / 4096;
        ro.buffer_size = 32 + (size_t)fdp_range(&p, 0, 1 << 16);
        ro.inline_max = 1 + fdp_range(&p, 0, 1 << 16);
        ro.limits.max_record_bytes = UINT64_MAX;
        hdump_source s = {fz_chunks_read, &src, fdp_bool(&p) ? (uint64_t)out.len : UINT64_MAX};
        st = hdump_reader_new_source(&ro, s, &r);
    } else {
        st = hdump_reader_new_mem(&ro, out.data, out.len, &r);
    }
    FZ_CHECK(st == HDUMP_OK, "reader_new: %s", hdump_status_str(st));
    hdump_version rv;
    st = hdump_reader_version(r, &rv);
    FZ_CHECK(st == HDUMP_OK && rv == v, "version back: %s", hdump_status_str(st));
    uint64_t at = HDUMP_HEADER_SIZE;
    hdump_record b;
    for (size_t i = 0; i < nrec; i++) {
        st = hdump_reader_next(r, &b);
        if (st != HDUMP_OK) {
            const hdump_error *e = hdump_reader_error(r);
            FZ_CHECK(0, "record %zu (tag %d) read back: %s at %llu (%s)", i, (int)recs[i].tag,
                     hdump_status_str(st), (unsigned long long)e->offset, e->msg ? e->msg : "");
        }
        FZ_CHECK(b.tag == recs[i].tag && b.index == i && b.offset == at,
                 "record %zu: tag %d/%d index %llu offset %llu/%llu", i, (int)recs[i].tag,
                 (int)b.tag, (unsigned long long)b.index, (unsigned long long)b.offset,
                 (unsigned long long)at);
        FZ_CHECK(hdump_record_equal(v, &recs[i], &b), "record %zu (tag %d) differs after a round trip",
                 i, (int)recs[i].tag);
        at = hdump_reader_offset(r);
    }
    st = hdump_reader_next(r, &b);
    FZ_CHECK(st == HDUMP_END && b.offset == at, "after %zu records: %s", nrec,
             hdump_status_str(st));
    FZ_CHECK(hdump_reader_offset(r) == out.len, "END at %llu, %zu bytes written",
             (unsigned long long)hdump_reader_offset(r), out.len);
    hdump_reader_free(r);
    hdump_membuf_free(&out);
    fz_heap_check_empty(&heap);
    return 0;
}
