/* tests/unit/test_writer_threads.c: hdump_writer_put_objects against the
 * record-by-record writer (hdump_writer_put), byte for byte.
 *
 * Inputs: the real dumps named on the command line and generated ones of
 * every version (each run of objects put with put_objects), then objects
 * made here: contents of 0 to 70000 bytes (some larger than a chunk), field
 * lists of 0 to 40 entries with offsets of every varint length, one-bit maps,
 * go1.4's two-bit maps, go1.3's type and kind, word sizes 4 and 8. Each is
 * written in eight configurations (t_cfgs: 1, 2, 3 and 5 threads, chunks of
 * 1 KiB to 64 KiB, buffers of 64 bytes and 4 KiB, one call per run of objects
 * or calls of random sizes); the bytes and the record count must be the
 * record-by-record writer's.
 * Then the ways a call ends early: a bad object at a random place (every
 * kind of bad the writer checks) must give the record-by-record writer's
 * error (code, offset, record index, tag, message) with the same bytes
 * accepted before it; a sink that fails after a given number of bytes must
 * give HDUMP_ERR_IO at the offset where the failing write began, with the
 * accepted bytes a prefix of the dump; allocation failures must still give
 * the same bytes (the calling thread encodes alone); usage errors. */
#include <pthread.h>

#include "t.h"
#include "tdump.h"
#include "tpool.h"

/* Chunk buffers a thread, allocated as one block (docs/limits.md). */
#define T_SLOTS 3

/* ---- Allocation hooks: count blocks of one size, fail on demand ---- */
typedef struct t_alloc_ctx {
    size_t chunk;     /* blocks of this size are counted               */
    size_t chunks;    /* such blocks allocated                          */
    long fail_after;  /* allocations left before failing (-1: never)   */
} t_alloc_ctx;

static void *ta_alloc(void *ctx, size_t n) {
    t_alloc_ctx *c = ctx;
    if (c->fail_after == 0) return NULL;
    if (c->fail_after > 0) c->fail_after--;
    if (n == c->chunk) c->chunks++;
    return malloc(n);
}
static void *ta_realloc(void *ctx, void *p, size_t old, size_t n) {
    (void)ctx;
    (void)old;
    return realloc(p, n);
}
static void ta_free(void *ctx, void *p, size_t n) {
    (void)ctx;
    (void)n;
    free(p);
}

/* ---- A sink that accepts `left` bytes, then fails ---- */
typedef struct lim_sink {
    hdump_membuf got;
    size_t left;
    int failed;
    int after; /* calls after the failing one: a writer must make none */
} lim_sink;

static hdump_status lim_write(void *ctx, const void *p, size_t n) {
    lim_sink *s = ctx;
    if (s->failed) s->after++;
    if (n > s->left) {
        s->failed = 1;
        return HDUMP_ERR_IO;
    }
    s->left -= n;
    return hdump_sink_membuf(&s->got).write(&s->got, p, n);
}

/* ---- A sink that notes calls from any thread but the one that made it
 * (the writer promises the sink only the calling thread) ---- */
typedef struct own_sink {
    hdump_membuf got;
    pthread_t owner;
    size_t foreign; /* calls from another thread */
} own_sink;

static hdump_status own_write(void *ctx, const void *p, size_t n) {
    own_sink *s = ctx;
    if (!pthread_equal(pthread_self(), s->owner)) s->foreign++;
    return hdump_sink_membuf(&s->got).write(&s->got, p, n);
}

/* ---- A script: records in order, objects as one array ---- */
typedef struct script {
    int version;
    uint64_t ptr_size;
    size_t n;         /* items                                     */
    int *is_obj;      /* item i is objs[obj_at[i]], else recs[i]   */
    size_t *obj_at;
    hdump_record **recs;
    hdump_object *objs;
    size_t nobj;
} script;

static void sc_init(script *s, int version, uint64_t ptr_size, size_t cap) {
    memset(s, 0, sizeof *s);
    s->version = version;
    s->ptr_size = ptr_size;
    s->is_obj = calloc(cap, sizeof *s->is_obj);
    s->obj_at = calloc(cap, sizeof *s->obj_at);
    s->recs = calloc(cap, sizeof *s->recs);
    s->objs = calloc(cap, sizeof *s->objs);
    if (!s->is_obj || !s->obj_at || !s->recs || !s->objs) abort();
}

static void sc_free(script *s) {
    for (size_t i = 0; i < s->n; i++) free(s->recs[i]);
    free(s->is_obj);
    free(s->obj_at);
    free(s->recs);
    free(s->objs);
}

/* Adds a deep copy of rec; objects also go to objs (viewing the copy). */
static void sc_add_record(script *s, const hdump_record *rec) {
    size_t need = 0;
    hdump_record_copy((hdump_version)s->version, rec, NULL, 0, &need);
    hdump_record *c = malloc(need);
    if (c == NULL || hdump_record_copy((hdump_version)s->version, rec, c, need, &need) != HDUMP_OK)
        abort();
    s->recs[s->n] = c;
    if (rec->tag == HDUMP_TAG_OBJECT) {
        s->is_obj[s->n] = 1;
        s->obj_at[s->n] = s->nobj;
        s->objs[s->nobj++] = c->u.object;
    }
    s->n++;
}

/* Adds an object given by the caller (its views must outlive the script). */
static void sc_add_object(script *s, const hdump_object *o) {
    s->is_obj[s->n] = 1;
    s->obj_at[s->n] = s->nobj;
    s->objs[s->nobj++] = *o;
    s->n++;
}

/* The record-by-record writer's result. */
typedef struct outcome {
    hdump_status st;    /* the first failing call's result, or finish's */
    hdump_error err;
    uint64_t bytes, records;
    hdump_membuf out;   /* what the sink received                         */
} outcome;

static hdump_writer *new_writer_pool(const script *s, unsigned threads, size_t chunk,
                                     size_t buf, hdump_sink sink, const hdump_alloc *a,
                                     hdump_threadpool *pool) {
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = (hdump_version)s->version;
    o.ptr_size = s->ptr_size;
    o.threads = threads;
    o.chunk_size = chunk;
    o.buffer_size = buf;
    o.alloc = a;
    o.pool = pool;
    hdump_writer *w;
    if (hdump_writer_new(&o, sink, &w) != HDUMP_OK) abort();
    return w;
}

static hdump_writer *new_writer(const script *s, unsigned threads, size_t chunk, size_t buf,
                                hdump_sink sink, const hdump_alloc *a) {
    return new_writer_pool(s, threads, chunk, buf, sink, a, NULL);
}

/* A configuration's writer: its own helpers, or (pooled) a thread pool of
 * its threads and chunk lent to it (tpool.h), with threads and chunk_size
 * set to values that would be refused if they were not ignored. */
static hdump_writer *cfg_writer(const script *s, unsigned threads, size_t chunk, size_t buf,
                                int pooled, hdump_sink sink, const hdump_alloc *a) {
    if (!pooled) return new_writer(s, threads, chunk, buf, sink, a);
    return new_writer_pool(s, 65, 1, buf, sink, a, tp_get(threads, chunk));
}

static hdump_status put_item(const script *s, hdump_writer *w, size_t i) {
    if (s->is_obj[i]) {
        hdump_record r;
        memset(&r, 0, sizeof r);
        r.tag = HDUMP_TAG_OBJECT;
        r.u.object = s->objs[s->obj_at[i]];
        return hdump_writer_put(w, &r);
    }
    return hdump_writer_put(w, s->recs[i]);
}

/* Items [0, upto) record by record, then finish (finish 0: flush only). */
static outcome run_seq(const script *s, size_t upto, int finish, size_t buf) {
    outcome r;
    memset(&r, 0, sizeof r);
    hdump_membuf_init(&r.out, NULL);
    hdump_writer *w = new_writer(s, 1, 262144, buf, hdump_sink_membuf(&r.out), NULL);
    for (size_t i = 0; i < upto && r.st == HDUMP_OK; i++) r.st = put_item(s, w, i);
    if (r.st == HDUMP_OK) r.st = finish ? hdump_writer_finish(w) : hdump_writer_flush(w);
    r.err = *hdump_writer_error(w);
    r.bytes = hdump_writer_bytes(w);
    r.records = hdump_writer_records(w);
    hdump_writer_free(w);
    return r;
}

/* Every run of objects with put_objects (split at random when split), the
 * rest with hdump_writer_put, then finish. */
static hdump_status run_par(const script *s, hdump_writer *w, int split, uint64_t *rng) {
    hdump_status st = HDUMP_OK;
    for (size_t i = 0; i < s->n && st == HDUMP_OK;) {
        if (!s->is_obj[i]) {
            st = hdump_writer_put(w, s->recs[i++]);
            continue;
        }
        size_t j = i;
        while (j < s->n && s->is_obj[j]) j++;
        size_t k = s->obj_at[i], left = j - i;
        while (left > 0 && st == HDUMP_OK) {
            size_t take = left;
            if (split) {
                size_t r = (size_t)(t_rand(rng) % 4);
                take = r == 0 ? 0 : r == 1 ? 1 : (size_t)(t_rand(rng) % (left + 1));
                if (take == 0 && t_rand(rng) % 2) take = left;
            }
            st = hdump_writer_put_objects(w, s->objs + k, take);
            k += take;
            left -= take;
        }
        i = j;
    }
    if (st == HDUMP_OK) st = hdump_writer_finish(w);
    return st;
}

/* The writer configurations the checks run: one thread, two, three and
 * five (more than this machine's cores), chunks of 1 to 64 KiB, buffers of
 * 64 bytes and 4 KiB, one call per run of objects or calls of random sizes. */
typedef struct cfg {
    unsigned threads;
    size_t chunk, buf;
    int split;
    int pooled; /* a thread pool's helpers (tpool.h), not the writer's own */
} cfg;
static const cfg t_cfgs[] = {
    {1, 65536, 4096, 0, 0}, {1, 1024, 64, 1, 0},   {2, 1024, 4096, 0, 0}, {2, 65536, 4096, 1, 0},
    {2, 4096, 64, 0, 0},    {3, 1024, 4096, 1, 0}, {3, 65536, 64, 0, 0},  {5, 4096, 4096, 0, 0},
    {2, 4096, 4096, 1, 1},  {3, 1024, 64, 0, 1},
};
#define T_NCFG (sizeof t_cfgs / sizeof t_cfgs[0])
/* check_bad's: every thread count, every chunk */
static const cfg t_bad_cfgs[] = {{1, 65536, 4096, 0, 0},
                                  {2, 1024, 4096, 0, 0},
                                  {3, 4096, 4096, 0, 0},
                                  {5, 65536, 4096, 0, 0},
                                  {2, 4096, 4096, 0, 1}};

/* Writers whose calls ran threaded (check_same): must be many. */
static int g_threaded;

/* The same bytes and records for every configuration. */
static void check_same(const char *name, const script *s, uint64_t seed) {
    uint64_t rng = seed;
    outcome ref[2]; /* buffers of 4096 and 64 bytes */
    ref[0] = run_seq(s, s->n, 1, 4096);
    ref[1] = run_seq(s, s->n, 1, 64);
    for (int b = 0; b < 2; b++)
        T_CHECK(ref[b].st == HDUMP_OK, "%s: the record-by-record writer failed: %s", name,
                hdump_status_str(ref[b].st));
    for (size_t k = 0; k < T_NCFG; k++) {
        const cfg *c = &t_cfgs[k];
        const outcome *r = &ref[c->buf == 64];
        t_alloc_ctx ac = {T_SLOTS * c->threads * c->chunk, 0, -1};
        hdump_alloc a = {ta_alloc, ta_realloc, ta_free, &ac};
        own_sink os;
        hdump_membuf_init(&os.got, NULL);
        os.owner = pthread_self();
        os.foreign = 0;
        hdump_sink sink = {own_write, &os};
        const hdump_membuf *mb = &os.got;
        hdump_writer *w = cfg_writer(s, c->threads, c->chunk, c->buf, c->pooled, sink, &a);
        hdump_status st = run_par(s, w, c->split, &rng);
        int same =
            st == HDUMP_OK && mb->len == r->out.len && memcmp(mb->data, r->out.data, mb->len) == 0;
        T_CHECK(same,
                "%s: threads %u chunk %zu buffer %zu split %d pooled %d: %s, %zu bytes, want %zu",
                name, c->threads, c->chunk, c->buf, c->split, c->pooled, hdump_status_str(st),
                mb->len, r->out.len);
        T_EQ(os.foreign, 0);
        T_EQ(hdump_writer_records(w), r->records);
        /* the threaded path made its block of T_SLOTS * threads chunk
         * buffers once, or not at all (every call was of one chunk); no
         * writer buffer has that size in t_cfgs */
        if (c->pooled) T_EQ(ac.chunks, 0); /* a borrowing writer has none of its own */
        if (c->threads > 1 && !c->pooled && ac.chunks > 0) {
            T_EQ(ac.chunks, 1);
            g_threaded++;
        }
        hdump_writer_free(w);
        hdump_membuf_free(&os.got);
    }
    hdump_membuf_free(&ref[0].out);
    hdump_membuf_free(&ref[1].out);
}

/* A bad object at item e: the same error, bytes and records as the
 * record-by-record writer, and nothing past the good records delivered. */
static void check_bad(const char *name, const script *s, size_t e) {
    outcome seq = run_seq(s, s->n, 1, 4096);
    outcome good = run_seq(s, e, 0, 4096); /* the bytes before the bad object */
    T_CHECK(seq.st != HDUMP_OK, "%s: the bad object at %zu was accepted", name, e);
    for (size_t k = 0; k < sizeof t_bad_cfgs / sizeof t_bad_cfgs[0]; k++) {
        const cfg *c = &t_bad_cfgs[k];
        hdump_membuf m;
        hdump_membuf_init(&m, NULL);
        hdump_writer *w = cfg_writer(s, c->threads, c->chunk, 4096, c->pooled,
                                     hdump_sink_membuf(&m), NULL);
        hdump_status st = run_par(s, w, 0, NULL);
        const hdump_error *er = hdump_writer_error(w);
        T_CHECK(st == seq.st && er->code == seq.err.code && er->offset == seq.err.offset &&
                    er->record_index == seq.err.record_index && er->tag == seq.err.tag &&
                    er->msg != NULL && seq.err.msg != NULL && strcmp(er->msg, seq.err.msg) == 0,
                "%s: bad object at %zu, threads %u chunk %zu: %s at %" PRIu64 " record %" PRIu64
                " (%s), want %s at %" PRIu64 " record %" PRIu64 " (%s)",
                name, e, c->threads, c->chunk, hdump_status_str(st), er->offset,
                er->record_index, er->msg ? er->msg : "-", hdump_status_str(seq.st),
                seq.err.offset, seq.err.record_index, seq.err.msg ? seq.err.msg : "-");
        T_EQ(hdump_writer_bytes(w), seq.bytes);
        T_EQ(hdump_writer_records(w), seq.records);
        T_CHECK(m.len <= good.out.len && (m.len == 0 || memcmp(m.data, good.out.data, m.len) == 0),
                "%s: bad object at %zu: the sink got %zu bytes that are not the good "
                "records' %zu",
                name, e, m.len, good.out.len);
        /* sticky: the next call gives the same error */
        T_EQ(hdump_writer_put_objects(w, s->objs, s->nobj ? 1 : 0), seq.err.code);
        hdump_writer_free(w);
        hdump_membuf_free(&m);
    }
    hdump_membuf_free(&seq.out);
    hdump_membuf_free(&good.out);
}

/* A sink that fails after `limit` bytes: HDUMP_ERR_IO where the failing
 * write began, the accepted bytes a prefix of the dump. */
static void check_sink_fail(const char *name, const script *s, const hdump_membuf *full,
                            size_t limit) {
    static const unsigned threads[] = {2, 3};
    for (size_t t = 0; t < 2; t++) {
        lim_sink ls;
        memset(&ls, 0, sizeof ls);
        hdump_membuf_init(&ls.got, NULL);
        ls.left = limit;
        hdump_sink sink = {lim_write, &ls};
        hdump_writer *w = new_writer(s, threads[t], 4096, 4096, sink, NULL);
        hdump_status st = run_par(s, w, 0, NULL);
        const hdump_error *er = hdump_writer_error(w);
        if (limit >= full->len) {
            T_CHECK(st == HDUMP_OK && ls.got.len == full->len, "%s: limit %zu: %s", name, limit,
                    hdump_status_str(st));
        } else {
            T_CHECK(st == HDUMP_ERR_IO && er->code == HDUMP_ERR_IO && ls.failed &&
                        er->offset == ls.got.len,
                    "%s: limit %zu, threads %u: %s at %" PRIu64 ", the sink took %zu", name,
                    limit, threads[t], hdump_status_str(st), er->offset, ls.got.len);
            T_EQ(hdump_writer_put_objects(w, s->objs, s->nobj ? 1 : 0), HDUMP_ERR_IO);
            T_EQ(hdump_writer_finish(w), HDUMP_ERR_IO);
            T_EQ(ls.after, 0);
        }
        T_CHECK(ls.got.len <= full->len &&
                    (ls.got.len == 0 || memcmp(ls.got.data, full->data, ls.got.len) == 0),
                "%s: limit %zu: the sink's bytes are not a prefix of the dump", name, limit);
        hdump_writer_free(w);
        hdump_membuf_free(&ls.got);
    }
}

/* Allocation failures at every point of the pool's set-up: the same bytes. */
static void check_nomem(const char *name, const script *s, const hdump_membuf *full) {
    for (long k = 0; k <= 8; k++) {
        t_alloc_ctx ac = {1024, 0, -1};
        hdump_alloc a = {ta_alloc, ta_realloc, ta_free, &ac};
        hdump_membuf m;
        hdump_membuf_init(&m, NULL);
        hdump_writer *w = new_writer(s, 3, 1024, 4096, hdump_sink_membuf(&m), &a);
        ac.fail_after = k; /* the writer exists; the pool's allocations come next */
        hdump_status st = run_par(s, w, 0, NULL);
        T_CHECK(st == HDUMP_OK && m.len == full->len && memcmp(m.data, full->data, m.len) == 0,
                "%s: allocation %ld fails: %s, %zu bytes, want %zu", name, k,
                hdump_status_str(st), m.len, full->len);
        hdump_writer_free(w);
        hdump_membuf_free(&m);
    }
}

/* ---- Thread pools ---- */

/* Writers on two threads borrowing one pool at once: each call holds it or
 * finds it held and encodes alone; every dump must come out whole. */
typedef struct share_arg {
    const script *s;
    const hdump_membuf *want;
    hdump_threadpool *pool;
    int bad; /* writers whose bytes differ (T_CHECK is not thread-safe) */
} share_arg;

static void *share_run(void *arg) {
    share_arg *a = arg;
    uint64_t rng = (uint64_t)(uintptr_t)arg | 1;
    for (int k = 0; k < 12; k++) {
        hdump_membuf m;
        hdump_membuf_init(&m, NULL);
        hdump_writer *w =
            new_writer_pool(a->s, 1, 1024, 4096, hdump_sink_membuf(&m), NULL, a->pool);
        hdump_status st = run_par(a->s, w, k % 2, &rng);
        if (st != HDUMP_OK || m.len != a->want->len || memcmp(m.data, a->want->data, m.len) != 0)
            a->bad++;
        hdump_writer_free(w);
        hdump_membuf_free(&m);
    }
    return NULL;
}

/* Calls with a borrowed pool until its helpers encode a chunk (they are
 * woken, so on a loaded machine a call may end before they run): 1 when
 * they did within `tries` writers. */
static int pool_helps(const script *s, hdump_threadpool *p, int tries) {
    uint64_t before = hdi_threadpool_helped(p);
    for (int k = 0; k < tries && hdi_threadpool_helped(p) == before; k++) {
        hdump_writer *w = new_writer_pool(s, 1, 1024, 4096, hdump_sink_null(), NULL, p);
        if (run_par(s, w, 0, NULL) != HDUMP_OK) abort();
        hdump_writer_free(w);
    }
    return hdi_threadpool_helped(p) != before;
}

static void check_pools(const script *s, script *bad) {
    /* usage */
    static char not_null; /* *out must be set to NULL on failure */
    hdump_threadpool *p = (hdump_threadpool *)(void *)&not_null;
    T_EQ(hdump_threadpool_new(2, 0, NULL, NULL), HDUMP_ERR_USAGE);
    static const struct { unsigned t; size_t chunk; } no[] = {
        {0, 0}, {1, 0}, {65, 0}, {2, 1023}, {2, ((size_t)1 << 30) + 1}};
    for (size_t k = 0; k < sizeof no / sizeof no[0]; k++) {
        T_EQ(hdump_threadpool_new(no[k].t, no[k].chunk, NULL, &p), HDUMP_ERR_USAGE);
        T_CHECK(p == NULL, "a refused pool is not NULL");
        p = (hdump_threadpool *)(void *)&not_null;
    }
    hdump_threadpool_free(NULL);

    /* memory: one block of 3 * threads chunks from the pool's allocator, and
     * a failure at either allocation is HDUMP_ERR_NOMEM */
    t_alloc_ctx ac = {T_SLOTS * 3 * 2048, 0, -1};
    hdump_alloc a = {ta_alloc, ta_realloc, ta_free, &ac};
    T_EQ(hdump_threadpool_new(3, 2048, &a, &p), HDUMP_OK);
    T_EQ(ac.chunks, 1);
    hdump_threadpool_free(p);
    for (long k = 0; k < 2; k++) {
        ac.fail_after = k;
        T_EQ(hdump_threadpool_new(3, 2048, &a, &p), HDUMP_ERR_NOMEM);
        T_CHECK(p == NULL, "a failed pool is not NULL");
    }

    /* the default chunk; a pool lent to writer after writer */
    hdump_membuf want;
    hdump_membuf_init(&want, NULL);
    hdump_writer *w = new_writer(s, 1, 1024, 4096, hdump_sink_membuf(&want), NULL);
    T_EQ(run_par(s, w, 0, NULL), HDUMP_OK);
    hdump_writer_free(w);
    T_EQ(hdump_threadpool_new(2, 0, NULL, &p), HDUMP_OK);
    T_CHECK(pool_helps(s, p, 50), "a pool of the default chunk never helped");
    hdump_threadpool_free(p);

    T_EQ(hdump_threadpool_new(2, 1024, NULL, &p), HDUMP_OK);
    /* a call that fails (a bad object) gives the pool back */
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    w = new_writer_pool(bad, 1, 1024, 4096, hdump_sink_membuf(&m), NULL, p);
    T_CHECK(run_par(bad, w, 0, NULL) != HDUMP_OK, "the bad object was accepted");
    hdump_writer_free(w);
    hdump_membuf_free(&m);
    T_CHECK(pool_helps(s, p, 50), "a pool was not given back after a failed call");

    /* writers on two threads share it */
    share_arg sa[2] = {{s, &want, p, 0}, {s, &want, p, 0}};
    pthread_t th;
    T_EQ(pthread_create(&th, NULL, share_run, &sa[1]), 0);
    share_run(&sa[0]);
    pthread_join(th, NULL);
    T_EQ(sa[0].bad, 0);
    T_EQ(sa[1].bad, 0);
    T_CHECK(pool_helps(s, p, 50), "a shared pool was not given back");
    hdump_threadpool_free(p);
    hdump_membuf_free(&want);
}

/* ---- Scripts ---- */

static void script_of_dump(script *s, const uint8_t *d, size_t n) {
    hdump_reader *r;
    if (hdump_reader_new_mem(NULL, d, n, &r) != HDUMP_OK) abort();
    hdump_version v = HDUMP_GO1_7;
    if (hdump_reader_version(r, &v) != HDUMP_OK) abort();
    uint64_t ps = 8;
    hdump_record rec;
    size_t cap = 0;
    while (hdump_reader_next(r, &rec) == HDUMP_OK) cap++;
    hdump_reader_free(r);
    sc_init(s, (int)v, ps, cap + 1);
    if (hdump_reader_new_mem(NULL, d, n, &r) != HDUMP_OK) abort();
    while (hdump_reader_next(r, &rec) == HDUMP_OK) {
        if (rec.tag == HDUMP_TAG_EOF) break;
        if (rec.tag == HDUMP_TAG_PARAMS) s->ptr_size = rec.u.params.ptr_size == 4 ? 4 : 8;
        sc_add_record(s, &rec);
    }
    hdump_reader_free(r);
}

static uint8_t g_contents[70000 + 64];
static hdump_field g_fields[40 * 4000];
static uint8_t g_bits[256 * 4000];

/* n objects made here for version v (word size ps), with params first. */
static void script_made(script *s, int v, uint64_t ps, size_t n, uint64_t *rng) {
    sc_init(s, v, ps, n + 1);
    hdump_record p;
    memset(&p, 0, sizeof p);
    p.tag = HDUMP_TAG_PARAMS;
    p.u.params.ptr_size = ps;
    p.u.params.heap_start = 0xc000000000ULL;
    p.u.params.heap_end = 0xc100000000ULL;
    p.u.params.arch.ptr = (const uint8_t *)"amd64";
    p.u.params.arch.len = 5;
    p.u.params.ncpu = 2;
    sc_add_record(s, &p);
    size_t fu = 0, bu = 0;
    uint64_t addr = 0xc000010000ULL;
    for (size_t i = 0; i < n; i++) {
        hdump_object o;
        memset(&o, 0, sizeof o);
        uint64_t r = t_rand(rng) % 100;
        size_t len = r < 2 ? 1000 + (size_t)(t_rand(rng) % 60000) /* over small chunks */
                     : r < 3 ? 65536 + (size_t)(t_rand(rng) % 4000) /* over every chunk */
                     : r < 8 ? (size_t)(t_rand(rng) % 3000)
                             : (size_t)(t_rand(rng) % 300);
        o.addr = addr;
        addr += len + 16 + (t_rand(rng) % 2 ? 0 : t_rand(rng) << 8);
        o.contents.ptr = g_contents + t_rand(rng) % 64;
        o.contents.len = len;
        if (v == HDUMP_GO1_3) {
            o.type_addr = t_rand(rng) % 3 ? 0x400000 + t_rand(rng) % 100000 : 0;
            o.kind = t_rand(rng) % 4 == 3 ? 127 : t_rand(rng) % 3;
        }
        uint64_t f = t_rand(rng) % 4;
        uint64_t maxk = v == HDUMP_GO1_4 ? 3 : v == HDUMP_GO1_3 ? 4 : 1;
        if (f <= 1 || v == HDUMP_GO1_3) { /* a list */
            size_t nf = (size_t)(t_rand(rng) % (f == 0 ? 41 : 6));
            for (size_t j = 0; j < nf; j++) {
                uint64_t sh = t_rand(rng) % 5;
                g_fields[fu + j].kind = 1 + t_rand(rng) % maxk;
                g_fields[fu + j].offset = sh == 0 ? t_rand(rng) % 128
                                          : sh == 1 ? t_rand(rng) % 16384
                                          : sh == 2 ? t_rand(rng) % (1u << 21)
                                          : sh == 3 ? t_rand(rng) % (1ull << 35)
                                                    : t_rand(rng);
            }
            o.fields.items = nf ? g_fields + fu : NULL;
            o.fields.count = nf;
            o.fields.form = HDUMP_FIELDS_LIST;
            fu += nf;
        } else {
            size_t nw = (size_t)(t_rand(rng) % 200);
            uint8_t *b = g_bits + bu;
            int two = f == 3 && v == HDUMP_GO1_4;
            size_t nbytes = two ? (nw * 2 + 7) / 8 : (nw + 7) / 8;
            memset(b, 0, nbytes + 1);
            for (size_t w = 0; w < nw; w++) {
                if (two) {
                    unsigned c = (unsigned)(t_rand(rng) % 3);
                    if (w + 1 < nw && t_rand(rng) % 6 == 0) { /* a multi-word pair */
                        b[(2 * w) / 8] |= (uint8_t)(3u << ((2 * w) % 8));
                        w++;
                        c = 2 + (unsigned)(t_rand(rng) % 2);
                    }
                    b[(2 * w) / 8] |= (uint8_t)(c << ((2 * w) % 8));
                } else if (t_rand(rng) % 3 == 0) {
                    b[w / 8] |= (uint8_t)(1u << (w % 8));
                }
            }
            o.fields.bitmap = b;
            o.fields.nwords = nw;
            o.fields.form = two ? HDUMP_FIELDS_BITMAP2_GO14 : HDUMP_FIELDS_BITMAP1;
            bu += nbytes + 1;
        }
        sc_add_object(s, &o);
    }
}

/* Makes object k of s bad in the way `how` names; returns 0 when that way
 * does not apply to the version. */
static hdump_field g_bad[3] = {{1, 8}, {0, 16}, {1, 24}};
static hdump_field g_bad_hi[2] = {{1, 8}, {9, 16}};
static uint8_t g_bad_map[2] = {0x07, 0x00}; /* codes 3, 1: a multi-word code, then scalar */
static uint8_t g_bad_last[1] = {0x30};      /* a multi-word code in the last word */
static int make_bad(script *s, size_t k, int how) {
    hdump_object *o = &s->objs[k];
    switch (how) {
    case 0: /* contents with a length and no data (long ones would be split
             * off a chunk, short ones copied into it) */
        o->contents.ptr = NULL;
        o->contents.len = k % 2 ? 70000 : 5;
        return 1;
    case 1: /* a kind of 0 */
        if (s->version == HDUMP_GO1_3) return 0;
        memset(&o->fields, 0, sizeof o->fields);
        o->fields.items = g_bad;
        o->fields.count = 3;
        return 1;
    case 2: /* a kind the version does not have */
        if (s->version == HDUMP_GO1_3) return 0;
        memset(&o->fields, 0, sizeof o->fields);
        o->fields.items = g_bad_hi;
        o->fields.count = 2;
        return 1;
    case 3: /* a count and no items */
        if (s->version == HDUMP_GO1_3) return 0;
        memset(&o->fields, 0, sizeof o->fields);
        o->fields.count = 4;
        return 1;
    case 4: /* a two-bit map where the version has none */
        if (s->version == HDUMP_GO1_3 || s->version == HDUMP_GO1_4) return 0;
        memset(&o->fields, 0, sizeof o->fields);
        o->fields.bitmap = g_bad_map;
        o->fields.nwords = 4;
        o->fields.form = HDUMP_FIELDS_BITMAP2_GO14;
        return 1;
    case 5: /* go1.4: a multi-word code followed by code 3, then one in the last word */
        if (s->version != HDUMP_GO1_4) return 0;
        memset(&o->fields, 0, sizeof o->fields);
        o->fields.bitmap = k % 2 ? g_bad_map : g_bad_last;
        o->fields.nwords = k % 2 ? 2 : 3;
        o->fields.form = HDUMP_FIELDS_BITMAP2_GO14;
        return 1;
    default: /* an unknown form */
        if (s->version == HDUMP_GO1_3) return 0;
        memset(&o->fields, 0, sizeof o->fields);
        o->fields.bitmap = g_bad_map;
        o->fields.nwords = 4;
        o->fields.form = (hdump_fields_form)9;
        return 1;
    }
}

static void on_input(const char *name, const uint8_t *d, size_t n, int generated) {
    (void)generated;
    script s;
    script_of_dump(&s, d, n);
    check_same(name, &s, 7 + n);
    sc_free(&s);
}

int main(int argc, char **argv) {
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < sizeof g_contents; i++) g_contents[i] = (uint8_t)t_rand(&rng);

    /* real and generated dumps */
    t_each_input(argc, argv, 41, on_input);
    for (int p = 0; p < 3; p++) {
        hdump_membuf m = t_gen_dump(HDUMP_GO1_7, (hdump_gen_profile)p, 20000, 5 + (uint64_t)p);
        char name[64];
        snprintf(name, sizeof name, "gen go1.7 profile %d", p);
        on_input(name, m.data, m.len, 1);
        hdump_membuf_free(&m);
    }

    /* objects made here, every version and word size */
    static const int vs[] = {HDUMP_GO1_3, HDUMP_GO1_4, HDUMP_GO1_5, HDUMP_GO1_7};
    for (size_t vi = 0; vi < sizeof vs / sizeof vs[0]; vi++)
        for (uint64_t ps = 4; ps <= 8; ps += 4) {
            char name[64];
            snprintf(name, sizeof name, "made go1.%d ptr %" PRIu64, vs[vi] + 2, ps);
            script s;
            script_made(&s, vs[vi], ps, 1500, &rng);
            check_same(name, &s, rng);
            outcome full = run_seq(&s, s.n, 1, 4096);
            T_CHECK(full.st == HDUMP_OK, "%s: %s", name, hdump_status_str(full.st));
            static const size_t limits[] = {0, 15, 16, 4095, 4096, 4097, 100000, 300001};
            for (size_t li = 0; li < sizeof limits / sizeof limits[0]; li++)
                check_sink_fail(name, &s, &full.out, limits[li]);
            check_sink_fail(name, &s, &full.out, full.out.len - 1);
            check_sink_fail(name, &s, &full.out, full.out.len);
            check_nomem(name, &s, &full.out);
            hdump_membuf_free(&full.out);
            /* a bad object at the start, in the middle and at the end, each way */
            for (int how = 0; how <= 6; how++) {
                size_t at[3] = {1, 1 + (size_t)(t_rand(&rng) % (s.n - 1)), s.n - 1};
                for (size_t a = 0; a < 3; a++) {
                    hdump_object keep = s.objs[s.obj_at[at[a]]];
                    if (make_bad(&s, s.obj_at[at[a]], how)) check_bad(name, &s, at[a]);
                    s.objs[s.obj_at[at[a]]] = keep;
                }
            }
            sc_free(&s);
        }

    printf("%d writers ran threaded\n", g_threaded);
    T_CHECK(g_threaded >= 100, "only %d writers ran threaded", g_threaded);
    /* the writers of the pooled configurations ran on the pools' helpers */
    printf("pools' helpers encoded %" PRIu64 " chunks\n", tp_helped());
    T_CHECK(tp_helped() > 0, "no pooled writer's chunk was encoded by a pool's helper");
    tp_free_all();
    {
        script s, bad;
        script_made(&s, HDUMP_GO1_7, 8, 2000, &rng);
        script_made(&bad, HDUMP_GO1_7, 8, 2000, &rng);
        if (!make_bad(&bad, bad.nobj / 2, 0)) abort();
        check_pools(&s, &bad);
        sc_free(&s);
        sc_free(&bad);
    }

    /* usage */
    {
        hdump_writer_opts o;
        hdump_writer_opts_init(&o);
        hdump_writer *w;
        o.threads = 65;
        T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_ERR_USAGE);
        o.threads = 2;
        o.chunk_size = 1023;
        T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_ERR_USAGE);
        o.chunk_size = ((size_t)1 << 30) + 1;
        T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_ERR_USAGE);
        o.threads = 1; /* the chunk size is not used */
        T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_OK);
        hdump_writer_free(w);
        o.threads = 64;
        o.chunk_size = 1024;
        T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_OK);
        T_EQ(hdump_writer_put_objects(w, NULL, 0), HDUMP_OK);
        T_EQ(hdump_writer_put_objects(w, NULL, 3), HDUMP_ERR_USAGE);
        T_EQ(hdump_writer_error(w)->code, HDUMP_OK); /* not sticky, as a NULL record */
        T_EQ(hdump_writer_put_objects(NULL, NULL, 0), HDUMP_ERR_USAGE);
        script s;
        script_made(&s, HDUMP_GO1_7, 8, 2000, &rng);
        T_EQ(hdump_writer_put_objects(w, s.objs, s.nobj), HDUMP_OK); /* 63 helpers */
        T_EQ(hdump_writer_records(w), s.nobj);
        T_EQ(hdump_writer_finish(w), HDUMP_OK);
        uint64_t at = hdump_writer_bytes(w);
        T_EQ(hdump_writer_put_objects(w, s.objs, 2), HDUMP_ERR_USAGE);
        T_EQ(hdump_writer_error(w)->offset, at);
        T_EQ(hdump_writer_error(w)->tag, HDUMP_TAG_OBJECT);
        T_CHECK(strcmp(hdump_writer_error(w)->msg, "put after finish") == 0, "%s",
                hdump_writer_error(w)->msg);
        hdump_writer_free(w);
        sc_free(&s);
    }
    printf("%d passed, %d failed\n", t_pass, t_fail);
    return t_fail != 0;
}
