/* fuzz/fuzz_scan.c: the threaded scan (hdump/scan.h) vs the single memory
 * reader (differential).
 *
 * The whole input is the dump. Its last bytes also choose the threads (2..8),
 * the smallest part (1 .. 4 KiB bytes, so even small inputs are cut into many
 * parts and most guesses land inside records), strict mode, max_records and
 * the varint kernel, and whether records come one by one (on_record) or in
 * batches (on_batch). The reader runs first and keeps a copy of every record
 * (hdump_record_copy). Then the scan: every record a part receives must be,
 * by its offset, one of the reader's, equal to it (hdump_record_equal), the
 * next one after the part's previous record, with the part's running index.
 * A part may be wrong while it runs (a wrong guess); on_drop forgets it. At
 * the end the kept parts, in order, must tile the reader's records exactly,
 * and the scan must end with the reader's status and error (code, offset,
 * record index, tag, message) and give the header's version. on_drop must
 * run on the calling thread. Last, the reader again through
 * hdump_reader_next_batch (1 to 40 records a call): the same records, each
 * compared after its whole batch was read, and the same end. All use the
 * capping allocator (behind a lock for the scan, whose threads allocate at
 * once): no leak. */
#include <pthread.h>

#include "fuzz_common.h"

/* ==== The capping allocator behind a lock ==== */
typedef struct locked_heap {
    fz_heap h;
    hdump_alloc inner;
    pthread_mutex_t mu;
} locked_heap;

static void *lk_alloc(void *ctx, size_t n) {
    locked_heap *l = ctx;
    pthread_mutex_lock(&l->mu);
    void *p = l->inner.alloc(l->inner.ctx, n);
    pthread_mutex_unlock(&l->mu);
    return p;
}
static void *lk_realloc(void *ctx, void *p, size_t old_n, size_t new_n) {
    locked_heap *l = ctx;
    pthread_mutex_lock(&l->mu);
    void *q = l->inner.realloc(l->inner.ctx, p, old_n, new_n);
    pthread_mutex_unlock(&l->mu);
    return q;
}
static void lk_free(void *ctx, void *p, size_t n) {
    locked_heap *l = ctx;
    pthread_mutex_lock(&l->mu);
    l->inner.free(l->inner.ctx, p, n);
    pthread_mutex_unlock(&l->mu);
}

/* ==== The reader's records ==== */
#define MAX_RECORDS 70000 /* an input of 64 KiB has fewer records than bytes */
#define ARENA_BYTES ((size_t)64 << 20)

typedef struct want {
    hdump_version v;
    size_t n;
    uint64_t offset[MAX_RECORDS];
    const hdump_record *rec[MAX_RECORDS];
    uint8_t *arena;
    size_t used;
    int complete; /* every record copied (else only offsets are compared) */
} want;

static want W;

static long find(uint64_t off) {
    size_t lo = 0, hi = W.n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (W.offset[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < W.n && W.offset[lo] == off ? (long)lo : -1;
}

/* ==== The scan's parts ==== */
#define MAXP 64
typedef struct part {
    long first; /* the reader's index of the part's first record, -1 if none */
    uint64_t n;
    int bad;
} part;

typedef struct scan_ctx {
    part p[MAXP];
    pthread_t caller;
} scan_ctx;

static int on_record(void *vctx, unsigned k, const hdump_record *rec) {
    scan_ctx *c = vctx;
    FZ_CHECK(k < MAXP, "part %u of at most %u", k, MAXP);
    part *p = &c->p[k];
    long j = find(rec->offset);
    if (p->n == 0) p->first = j;
    if (j < 0 || p->first < 0 || (uint64_t)j != (uint64_t)p->first + p->n || rec->index != p->n ||
        (W.complete && !hdump_record_equal(W.v, W.rec[j], rec)))
        p->bad = 1;
    p->n++;
    return 0;
}

/* Each record of a batch is checked during the call: records whose views
 * shared memory would not equal the reader's copies. */
static int on_batch(void *vctx, unsigned k, const hdump_record *recs, size_t n) {
    FZ_CHECK(n >= 1 && n <= 16, "a batch of %zu records", n);
    for (size_t i = 0; i < n; i++) on_record(vctx, k, &recs[i]);
    return 0;
}

static void on_drop(void *vctx, unsigned k) {
    scan_ctx *c = vctx;
    FZ_CHECK(pthread_equal(pthread_self(), c->caller), "on_drop off the calling thread");
    FZ_CHECK(k < MAXP, "dropped part %u", k);
    c->p[k].first = -1;
    c->p[k].n = 0;
    c->p[k].bad = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fdp q = fdp_init(data, size); /* parameters only; both readers get all bytes */
    unsigned threads = (unsigned)fdp_range(&q, 2, 8);
    size_t min_part = (size_t)fdp_range(&q, 1, 4096);
    int strict = fdp_bool(&q);
    uint64_t max_records = fdp_range(&q, 0, 3) == 0 ? fdp_range(&q, 1, 64) : 0;
    const char *kernel = fz_pick_kernel(fdp_bits(&q, 1));
    int batch = fdp_bool(&q);
    size_t batch_max = (size_t)fdp_range(&q, 1, 40);

    fz_heap hr;
    fz_heap_init(&hr, FZ_HEAP_BUDGET, 0);
    hdump_alloc ar = fz_heap_hooks(&hr);
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.strict = strict;
    o.kernel = kernel;
    o.limits.max_records = max_records;
    o.alloc = &ar;

    /* the reader, its records copied */
    if (W.arena == NULL) {
        W.arena = malloc(ARENA_BYTES);
        FZ_CHECK(W.arena != NULL, "arena");
    }
    W.n = 0;
    W.used = 0;
    W.complete = 1;
    W.v = HDUMP_GO1_7;
    hdump_reader *r;
    FZ_CHECK(hdump_reader_new_mem(&o, data, size, &r) == HDUMP_OK, "reader");
    int header_ok = hdump_reader_version(r, &W.v) == HDUMP_OK;
    if (!header_ok) W.v = HDUMP_GO1_7;
    hdump_record rec;
    hdump_status want_st;
    while ((want_st = hdump_reader_next(r, &rec)) == HDUMP_OK || want_st == HDUMP_END) {
        FZ_CHECK(W.n < MAX_RECORDS, "more records than bytes");
        W.offset[W.n] = rec.offset;
        size_t need = 0;
        size_t at = (W.used + 7) & ~(size_t)7;
        if (W.complete && hdump_record_copy(W.v, &rec, NULL, 0, &need) == HDUMP_OK &&
            need <= ARENA_BYTES - at &&
            hdump_record_copy(W.v, &rec, W.arena + at, need, &need) == HDUMP_OK) {
            W.rec[W.n] = (const hdump_record *)(const void *)(W.arena + at);
            W.used = at + need;
        } else {
            W.complete = 0;
        }
        W.n++;
        if (want_st == HDUMP_END) break;
    }
    hdump_error want_err = *hdump_reader_error(r);
    hdump_reader_free(r);
    fz_heap_check_empty(&hr);

    /* the scan */
    locked_heap lh;
    fz_heap_init(&lh.h, FZ_HEAP_BUDGET, 0);
    lh.inner = fz_heap_hooks(&lh.h);
    pthread_mutex_init(&lh.mu, NULL);
    hdump_alloc al = {lk_alloc, lk_realloc, lk_free, &lh};
    hdump_scan_opts so;
    hdump_scan_opts_init(&so);
    so.reader = o;
    so.reader.alloc = &al;
    so.threads = threads;
    so.min_part = min_part;
    static scan_ctx c;
    for (unsigned k = 0; k < MAXP; k++) c.p[k] = (part){-1, 0, 0};
    c.caller = pthread_self();
    hdump_scan_fns f = {.on_drop = on_drop};
    if (batch)
        f.on_batch = on_batch;
    else
        f.on_record = on_record;
    hdump_scan_result res;
    hdump_status st = hdump_scan_mem(&so, data, size, &f, &c, &res);
    fz_heap_check_empty(&lh.h);
    pthread_mutex_destroy(&lh.mu);

    FZ_CHECK(st == want_st, "scan status %d, reader %d", (int)st, (int)want_st);
    FZ_CHECK(res.err.code == want_err.code && res.err.offset == want_err.offset &&
                 res.err.record_index == want_err.record_index && res.err.tag == want_err.tag &&
                 res.err.msg == want_err.msg,
             "scan error %d at %llu #%llu, reader %d at %llu #%llu", (int)res.err.code,
             (unsigned long long)res.err.offset, (unsigned long long)res.err.record_index,
             (int)want_err.code, (unsigned long long)want_err.offset,
             (unsigned long long)want_err.record_index);
    FZ_CHECK(res.parts == hdump_scan_parts(&so, size) && res.parts <= MAXP, "%u parts", res.parts);
    FZ_CHECK((int)res.version == (header_ok ? (int)W.v : 0), "scan version %d, reader %d",
             (int)res.version, header_ok ? (int)W.v : 0);
    uint64_t next = 0;
    for (unsigned k = 0; k < res.parts; k++) {
        const part *p = &c.p[k];
        if (p->n == 0) continue;
        FZ_CHECK(!p->bad, "part %u holds a record the reader does not have there", k);
        FZ_CHECK(p->first >= 0 && (uint64_t)p->first == next, "part %u starts at record %ld, not %llu",
                 k, p->first, (unsigned long long)next);
        next += p->n;
    }
    FZ_CHECK(next == W.n && res.records == W.n, "the parts hold %llu records (result %llu), the reader %zu",
             (unsigned long long)next, (unsigned long long)res.records, W.n);

    /* the same reader in batches (hdump_reader_next_batch): the same
     * records, each checked after its whole batch was read */
    FZ_CHECK(hdump_reader_new_mem(&o, data, size, &r) == HDUMP_OK, "batch reader");
    static hdump_record recs[40];
    size_t j = 0;
    hdump_status bst;
    for (;;) {
        size_t k = 0;
        bst = hdump_reader_next_batch(r, recs, batch_max, &k);
        FZ_CHECK(k <= batch_max && (k >= 1 || (bst != HDUMP_OK && bst != HDUMP_END)),
                 "a batch of %zu (max %zu) with status %d", k, batch_max, (int)bst);
        for (size_t i = 0; i < k; i++, j++)
            FZ_CHECK(j < W.n && recs[i].offset == W.offset[j] && recs[i].index == j &&
                         (!W.complete || hdump_record_equal(W.v, W.rec[j], &recs[i])),
                     "batch record %zu differs from the reader's", j);
        if (bst != HDUMP_OK) break;
    }
    const hdump_error *be = hdump_reader_error(r);
    FZ_CHECK(bst == want_st && j == W.n && be->code == want_err.code &&
                 be->offset == want_err.offset && be->record_index == want_err.record_index &&
                 be->tag == want_err.tag && be->msg == want_err.msg,
             "batch reader status %d after %zu records, reader %d after %zu", (int)bst, j,
             (int)want_st, W.n);
    hdump_reader_free(r);
    fz_heap_check_empty(&hr);
    return 0;
}
