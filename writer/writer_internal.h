/* writer/writer_internal.h: the writer state, shared by the writer sources. */
#ifndef HDUMP_WRITER_INTERNAL_H
#define HDUMP_WRITER_INTERNAL_H

#include "../common/internal.h"
#include "../common/kernels.h"
#include "../common/typecache.h"
#include "store_inline.h"
#include "hdump/writer.h"

/* The BMI2 instantiations of the object fast path (writer.c) and of the
 * span slot loop (spans.c): x86-64 with GCC or clang (the function-level
 * target attribute) in builds that have the bmi2 kernel (none with
 * HDUMP_SIMD=scalar); chosen at run time only. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(HDUMP_KERNEL_BMI2)
#define OBJ_BMI2 1
#else
#define OBJ_BMI2 0
#endif
/* w->obj_fast: 0 no fast path (go1.3, sticky error, finished), else which. */
#define OBJ_GEN 1
#define OBJ_BMI2_ON 2

struct hdump_writer {
    hdump_alloc a;
    hdump_sink sink;
    int version;
    uint64_t ptr_size;
    const hdi_varint_kernel *kern;

    /* The buffer: buf[0..n) holds bytes not yet given to the sink. */
    uint8_t *buf;
    size_t cap;
    size_t n;
    uint64_t delivered; /* bytes the sink has accepted */
    uint64_t records;

    hdi_typecache tc;

    /* Nonzero while object records may take the fast path (go1.4+, no
     * sticky error, not finished; cleared by hdi_wr_fail and
     * hdump_writer_finish); its value names the instantiation picked at
     * creation (writer.c: OBJ_GEN or OBJ_BMI2_ON). */
    int obj_fast;
    int finished;
    hdump_status finish_status;
    hdump_error err;

    /* hdump_writer_put_objects and put_spans (threads.c): the options, and
     * the helper threads with their chunk buffers: the writer's own once a
     * call first runs threaded, or a pool it borrows (pool_borrowed; threads
     * and chunk are then the pool's). */
    unsigned threads;
    size_t chunk;
    hdump_threadpool *pool;
    int pool_borrowed;
};

/* hdump_writer_opts.chunk_size's default, and hdump_threadpool_new's. */
#define HDI_CHUNK_DEFAULT 262144

/* Records the first error (sticky) and returns its code. */
HDI_HIDDEN hdump_status hdi_wr_fail(hdump_writer *w, hdump_status st, uint64_t offset,
                                    uint64_t tag, const char *msg);

/* A put's first checks, made by every put: the sticky error, else a put
 * after finish (a usage error for a record of tag `tag` at the stream's
 * end), else HDUMP_OK. REQUIRES: w != NULL. */
static inline hdump_status hdi_wr_ready(hdump_writer *w, uint64_t tag) {
    if (w->err.code != HDUMP_OK) return w->err.code;
    if (w->finished)
        return hdi_wr_fail(w, HDUMP_ERR_USAGE, w->delivered + w->n, tag, "put after finish");
    return HDUMP_OK;
}

/* One object record, as hdump_writer_put(w, {HDUMP_TAG_OBJECT, *o}) writes
 * it: the fast path when w->obj_fast, else the checked generic path. */
HDI_HIDDEN hdump_status hdi_wr_put_obj(hdump_writer *w, const hdump_object *o);

/* One go1.4+ object record stored in w's buffer below buf + end, each store
 * checked (the record's bound need not fit, only its bytes): with split
 * NULL the whole record; else the record without its contents, *split
 * getting their place (the offset where they belong), so the caller can
 * give them to the sink from the caller's memory (threads.c). Taken only
 * when the record is one hdi_wr_put_obj would write without error (contents
 * with data, a list whose kinds the version has, or a one-bit map) and its
 * bytes fit; otherwise nothing is stored (w->n does not move) and 0 is
 * returned. Returns 1 when stored (w->records counts it). Bytes in
 * [w->n, end) may be overwritten either way. REQUIRES: w->obj_fast,
 * end <= w->cap. */
HDI_HIDDEN int hdi_wr_put_obj_fit(hdump_writer *w, const hdump_object *o, size_t end,
                                  size_t *split);

/* One go1.4+ object record whose fields are a map piece (a one-bit map,
 * or a span's slot): stored straight when its bound fits the headroom,
 * else piece by piece through the dwrite policy; the same bytes as
 * hdump_writer_put_object with the piece as a one-bit map. REQUIRES:
 * w->obj_fast; c set when len > 0. */
HDI_HIDDEN hdump_status hdi_wr_put_mapped(hdump_writer *w, uint64_t addr, const uint8_t *c,
                                          uint64_t len, const hdi_wmap *m);

/* hdi_wr_put_obj_fit for a record hdi_wr_put_mapped writes (threads.c). */
HDI_HIDDEN int hdi_wr_put_mapped_fit(hdump_writer *w, uint64_t addr, const uint8_t *c,
                                     uint64_t len, const hdi_wmap *m, size_t end,
                                     size_t *split);

/* Appends p[0..len) as the runtime's dwrite does (the buffer if it fits;
 * else the buffered bytes are flushed, then p goes to the sink in one write
 * when len >= buffer_size, or into the buffer). */
HDI_HIDDEN hdump_status hdi_wr_bytes(hdump_writer *w, const uint8_t *p, size_t len);

/* Appends p[0..len), bytes of whole records, through the buffer: the
 * buffer is filled, given to the sink whole, then every further buffer_size
 * bytes go to the sink straight from p; the rest is kept in the buffer. */
HDI_HIDDEN hdump_status hdi_wr_deliver(hdump_writer *w, const uint8_t *p, size_t len);

/* Stops the helper threads and frees the chunk buffers (threads.c). */
HDI_HIDDEN void hdi_wpool_free(hdump_writer *w);
/* Makes w borrow p: its helpers, chunk buffers, thread count and chunk
 * size. */
HDI_HIDDEN void hdi_wpool_borrow(hdump_writer *w, hdump_threadpool *p);
/* Chunks p's helpers encoded since it was made: how tests see that calls
 * with a borrowed pool ran on its helpers (tests/util/tpool.h). */
HDI_HIDDEN uint64_t hdi_threadpool_helped(const hdump_threadpool *p);

#endif
