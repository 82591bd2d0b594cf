/* tests/unit/test_writer_spans.c: hdump_writer_put_spans against one
 * hdump_writer_put_object call per live slot (its contents, and its piece of
 * the pointer map as the explicit list of its entries), byte for byte.
 *
 * Inputs: spans made here (slot sizes 0 to 2.5 MiB, so map offsets of every
 * varint length up to past 2^21; all, some or no slots live; maps empty,
 * sparse, dense or full; slot maps that start inside a byte; word sizes 4 and
 * 8; bases up to the last address 2^64 - 1), written in go1.3, go1.4 and
 * go1.7, buffers of 64 bytes to 64 KiB, 1, 2, 3 and 5 threads with chunks
 * of 1 KiB to 64 KiB, the writer's own helpers or a thread pool's
 * (tests/util/tpool.h: each pool lent to writer after writer, whose
 * helpers must have encoded chunks), one call or calls of random sizes. With one thread
 * the sink must also get the very same writes. Then the real dumps named on
 * the command line and generated ones, their objects regrouped into spans
 * (runs of one size at addresses one slot apart, as the runtime lists a
 * span's objects): the bytes must be the record-by-record writer's, and most
 * objects must have gone through spans. Then the ways a call ends early: a
 * bad span (each check) gives the error where its first record would go,
 * with the spans before it written; a failing sink gives HDUMP_ERR_IO at the
 * offset where its failing write began, a prefix accepted and no call
 * after; usage errors. */
#include "t.h"
#include "objspans.h"
#include "tdump.h"
#include "tpool.h"

/* ---- A sink that keeps the bytes, a digest of its write sizes, and
 * fails after `left` bytes (SIZE_MAX: never) ---- */
typedef struct rec_sink {
    hdump_membuf got;
    uint64_t sizes; /* a hash of the sequence of write sizes */
    size_t writes, left;
    int failed, after;
} rec_sink;

static hdump_status rec_write(void *ctx, const void *p, size_t n) {
    rec_sink *s = ctx;
    if (s->failed) s->after++;
    if (n > s->left) {
        s->failed = 1;
        return HDUMP_ERR_IO;
    }
    if (s->left != SIZE_MAX) s->left -= n;
    s->sizes = (s->sizes ^ n) * 0x100000001b3ull;
    s->writes++;
    return hdump_sink_membuf(&s->got).write(&s->got, p, n);
}

static void rs_init(rec_sink *s, size_t left) {
    memset(s, 0, sizeof *s);
    hdump_membuf_init(&s->got, NULL);
    s->left = left;
}

typedef struct wcfg {
    int version;
    uint64_t ptr_size;
    size_t buf;
    unsigned threads;
    size_t chunk;
    int pooled; /* borrow the pool of threads and chunk (tpool.h) */
} wcfg;

/* A writer of configuration c into sink k. */
static hdump_writer *writer_to(const wcfg *c, hdump_sink k) {
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = (hdump_version)c->version;
    o.ptr_size = c->ptr_size;
    o.buffer_size = c->buf;
    o.threads = c->threads;
    o.chunk_size = c->chunk;
    if (c->pooled) {
        o.pool = tp_get(c->threads, c->chunk);
        o.threads = 65; /* ignored when a pool is lent */
        o.chunk_size = 1;
    }
    hdump_writer *w;
    if (hdump_writer_new(&o, k, &w) != HDUMP_OK) abort();
    return w;
}

static hdump_writer *new_writer(const wcfg *c, rec_sink *s) {
    hdump_sink k = {rec_write, s};
    return writer_to(c, k);
}

/* ---- The reference: one put_object call per live slot ---- */
static int live(const hdump_span *s, uint64_t i) {
    return s->alloc == NULL || ((s->alloc[i / 8] >> (i % 8)) & 1);
}

/* One slot's entries as an explicit list (not a map: the list path does
 * not share put_spans' map stores, so the two are checked against each
 * other). */
static hdump_field g_list[(5u << 17) + 64];

static hdump_status ref_span(hdump_writer *w, const hdump_span *s, uint64_t ps) {
    uint64_t words = s->ptrs != NULL ? s->elem_size / ps : 0;
    for (uint64_t i = 0; i < s->nelem; i++) {
        if (!live(s, i)) continue;
        size_t nf = 0;
        for (uint64_t k = 0; k < words; k++) {
            uint64_t b = i * words + k;
            if ((s->ptrs[b / 8] >> (b % 8)) & 1) {
                g_list[nf].kind = HDUMP_FIELD_PTR;
                g_list[nf++].offset = k * ps;
            }
        }
        hdump_fields f;
        memset(&f, 0, sizeof f);
        f.items = g_list;
        f.count = nf;
        const uint8_t *c = s->elem_size ? s->mem + i * s->elem_size : s->mem;
        hdump_status st = hdump_writer_put_object(w, s->base + i * s->elem_size, c,
                                                  (size_t)s->elem_size, nf ? &f : NULL);
        if (st != HDUMP_OK) return st;
    }
    return HDUMP_OK;
}

/* ---- Spans made here ---- */
typedef struct sset {
    hdump_span s[16];
    size_t n;
    void *own[48];
    size_t nown;
} sset;

static void *own(sset *z, size_t n) {
    void *p = malloc(n ? n : 1);
    if (p == NULL) abort();
    z->own[z->nown++] = p;
    return p;
}

static void sset_free(sset *z) {
    for (size_t i = 0; i < z->nown; i++) free(z->own[i]);
    z->nown = 0;
    z->n = 0;
}

/* density: 0 none, 1 sparse, 2 half, 3 dense, 4 all */
static uint8_t *bits(sset *z, uint64_t nbits, int density, uint64_t *rng) {
    size_t nb = (size_t)(nbits + 7) / 8;
    uint8_t *b = own(z, nb);
    for (size_t i = 0; i < nb; i++) {
        uint8_t x = (uint8_t)t_rand(rng), y = (uint8_t)t_rand(rng);
        b[i] = density == 0 ? 0 : density == 1 ? (uint8_t)(x & y & (uint8_t)t_rand(rng))
             : density == 2 ? x : density == 3 ? (uint8_t)(x | y) : 0xff;
    }
    return b;
}

static void make_spans(sset *z, uint64_t *rng, int big) {
    /* 128 to 144: the slot loop's small-map kind ends at 16 words of 8
     * bytes and 32 of 4 (132 is 33 words of 4, 136 17 of 8) */
    static const uint64_t sizes[] = {0,   1,   3,   8,   16,   24,   48,   100,  128,   129,
                                     132, 136, 144, 256, 1000, 1024, 2048, 5000, 33000, 70000};
    size_t n = 1 + (size_t)(t_rand(rng) % 12);
    for (size_t k = 0; k < n; k++) {
        hdump_span *s = &z->s[z->n++];
        memset(s, 0, sizeof *s);
        uint64_t r = t_rand(rng);
        s->elem_size = sizes[r % (sizeof sizes / sizeof sizes[0])];
        uint64_t maxn = s->elem_size >= 5000 ? 3 : s->elem_size >= 1000 ? 20 : 300;
        s->nelem = (r >> 8) % (maxn + 1);
        if (big && k == 0) { /* map offsets past 2^21: every entry length */
            s->elem_size = (5u << 19) + 8 * ((r >> 20) % 5);
            s->nelem = 1 + (r >> 24) % 2;
        }
        s->base = (r >> 40) % 9 == 0 && s->nelem > 0
                      ? UINT64_MAX - (s->nelem - 1) * s->elem_size - (r >> 50) % 3
                      : 0xc000000000ull + 8192 * ((r >> 12) % 100000);
        size_t bytes = (size_t)(s->nelem * s->elem_size);
        uint8_t *m = own(z, bytes);
        for (size_t i = 0; i < bytes; i++) m[i] = (uint8_t)(i * 131 + k);
        s->mem = (r >> 16) % 13 == 0 && bytes == 0 ? NULL : m;
        if ((r >> 20) % 4 != 0) s->alloc = bits(z, s->nelem, 1 + (int)((r >> 22) % 4), rng);
        if ((r >> 26) % 5 != 0) {
            uint64_t words = s->elem_size / 4; /* enough for either word size */
            s->ptrs = bits(z, words * s->nelem, (int)((r >> 28) % 5), rng);
        }
    }
}

/* The spans through put_spans (one call, or calls of random sizes when
 * split) and finish; the result. */
static hdump_status run_spans(hdump_writer *w, const hdump_span *s, size_t n, int split,
                              uint64_t *rng) {
    for (size_t i = 0; i < n;) {
        size_t k = split ? 1 + (size_t)(t_rand(rng) % (n - i)) : n - i;
        hdump_status st = hdump_writer_put_spans(w, s + i, k);
        if (st != HDUMP_OK) return st;
        i += k;
    }
    return hdump_writer_finish(w);
}

static hdump_status run_ref(hdump_writer *w, const hdump_span *s, size_t n, uint64_t ps) {
    for (size_t i = 0; i < n; i++) {
        hdump_status st = ref_span(w, &s[i], ps);
        if (st != HDUMP_OK) return st;
    }
    return hdump_writer_finish(w);
}

static const wcfg g_cfgs[] = {
    {HDUMP_GO1_7, 8, 4096, 1, 262144, 0}, {HDUMP_GO1_7, 8, 64, 1, 262144, 0},
    {HDUMP_GO1_4, 4, 4096, 1, 262144, 0}, {HDUMP_GO1_3, 8, 4096, 1, 262144, 0},
    {HDUMP_GO1_7, 8, 4096, 2, 1024, 0},   {HDUMP_GO1_7, 8, 65536, 3, 4096, 0},
    {HDUMP_GO1_7, 4, 64, 5, 65536, 0},    {HDUMP_GO1_5, 8, 4096, 2, 16384, 0},
    {HDUMP_GO1_3, 4, 64, 2, 2048, 0},     {HDUMP_GO1_7, 8, 4096, 2, 4096, 1},
    {HDUMP_GO1_4, 4, 64, 3, 16384, 1},
};

static void check_same(const sset *z, const wcfg *c, int split, uint64_t seed) {
    rec_sink a, b;
    rs_init(&a, SIZE_MAX);
    rs_init(&b, SIZE_MAX);
    hdump_writer *wa = new_writer(c, &a), *wb = new_writer(c, &b);
    uint64_t rng = seed | 1;
    hdump_status sa = run_spans(wa, z->s, z->n, split, &rng), sb = run_ref(wb, z->s, z->n, c->ptr_size);
    T_CHECK(sa == HDUMP_OK && sb == HDUMP_OK, "seed %" PRIu64 " go1.%d t%u: %d %d", seed,
            c->version + 2, c->threads, (int)sa, (int)sb);
    T_CHECK(a.got.len == b.got.len && memcmp(a.got.data, b.got.data, a.got.len) == 0,
            "seed %" PRIu64 " go1.%d ps %" PRIu64 " buf %zu t%u chunk %zu split %d: %zu bytes, "
            "want %zu",
            seed, c->version + 2, c->ptr_size, c->buf, c->threads, c->chunk, split, a.got.len,
            b.got.len);
    T_EQ(hdump_writer_records(wa), hdump_writer_records(wb));
    if (c->threads == 1) /* the very same sink writes as put_object's */
        T_CHECK(a.writes == b.writes && a.sizes == b.sizes, "seed %" PRIu64 ": writes %zu, want %zu",
                seed, a.writes, b.writes);
    hdump_writer_free(wa);
    hdump_writer_free(wb);
    hdump_membuf_free(&a.got);
    hdump_membuf_free(&b.got);
}

/* A bad span at index e: the spans before it written, then its error. */
static void check_bad(sset *z, const wcfg *c, size_t e, int how) {
    hdump_span keep = z->s[e];
    static const char *const want[] = {"span has objects but no memory", "span's size overflows",
                                       "span's size overflows",
                                       "span's last address is past 2^64 - 1"};
    hdump_span *s = &z->s[e];
    switch (how) {
    case 0: s->mem = NULL; s->nelem = 3; s->elem_size = 16; break;
    case 1: s->nelem = UINT64_MAX / 4; s->elem_size = 5; break;
    case 2: s->nelem = (uint64_t)1 << 33; s->elem_size = (uint64_t)1 << 31; break;
    default: s->nelem = 2; s->elem_size = 8; s->base = UINT64_MAX - 7; break;
    }
    rec_sink a, b;
    rs_init(&a, SIZE_MAX);
    rs_init(&b, SIZE_MAX);
    hdump_writer *wa = new_writer(c, &a), *wb = new_writer(c, &b);
    hdump_status st = hdump_writer_put_spans(wa, z->s, z->n);
    T_EQ(st, HDUMP_ERR_USAGE);
    const hdump_error *er = hdump_writer_error(wa);
    T_TRUE(er->msg != NULL && strcmp(er->msg, want[how]) == 0);
    T_EQ(er->tag, HDUMP_TAG_OBJECT);
    T_EQ(run_ref(wb, z->s, e, c->ptr_size), HDUMP_OK);
    /* the reference finished: its bytes less the EOF record and flush */
    T_EQ(er->record_index, hdump_writer_records(wb) - 1);
    T_EQ(er->offset, b.got.len - 1);
    T_EQ(hdump_writer_flush(wa), HDUMP_ERR_USAGE); /* sticky */
    T_TRUE(a.got.len <= b.got.len - 1 &&
           (a.got.len == 0 || memcmp(a.got.data, b.got.data, a.got.len) == 0));
    T_EQ(hdump_writer_put_spans(wa, z->s, 1), HDUMP_ERR_USAGE);
    hdump_writer_free(wa);
    hdump_writer_free(wb);
    hdump_membuf_free(&a.got);
    hdump_membuf_free(&b.got);
    z->s[e] = keep;
}

/* A sink failing after `left` bytes. */
static void check_sink_fail(const sset *z, const wcfg *c, const hdump_membuf *full, size_t left) {
    rec_sink a;
    rs_init(&a, left);
    hdump_writer *w = new_writer(c, &a);
    uint64_t rng = 7;
    hdump_status st = run_spans(w, z->s, z->n, 0, &rng);
    T_EQ(st, HDUMP_ERR_IO);
    T_EQ(hdump_writer_error(w)->offset, a.got.len);
    T_TRUE(a.got.len <= left && a.got.len <= full->len &&
           (a.got.len == 0 || memcmp(a.got.data, full->data, a.got.len) == 0));
    T_EQ(a.after, 0);
    hdump_writer_free(w);
    hdump_membuf_free(&a.got);
}

/* Spans whose addresses take every uvarint length, 1 to 10 bytes (the
 * slot loop's address store has a path for values below 2^56 and one for
 * the rest): bases 2^(7k) - 16 for k = 1..9, and the last 8 addresses. */
static void address_lengths(void) {
    static uint8_t mem[32 * 16];
    static uint8_t ptrs[16] = {0x5a, 0xff, 0x01, 0x80, 0x33, 0, 0, 0x10};
    for (size_t i = 0; i < sizeof mem; i++) mem[i] = (uint8_t)(i * 7);
    sset z;
    memset(&z, 0, sizeof z);
    for (unsigned k = 1; k <= 9; k++) {
        hdump_span *s = &z.s[z.n++];
        s->base = ((uint64_t)1 << (7 * k)) - 16;
        s->elem_size = 8;
        s->nelem = 4; /* addresses across 2^(7k): both lengths */
        s->mem = mem;
        s->ptrs = k % 2 ? ptrs : NULL;
    }
    hdump_span *last = &z.s[z.n++];
    last->base = UINT64_MAX - 7 * 16; /* the last slot at 2^64 - 1 */
    last->elem_size = 16;
    last->nelem = 8;
    last->mem = mem;
    last->ptrs = ptrs;
    size_t ncfg = sizeof g_cfgs / sizeof g_cfgs[0];
    for (size_t c = 0; c < ncfg; c++) check_same(&z, &g_cfgs[c], 0, 1000 + c);
}

static void made_spans(void) {
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    size_t ncfg = sizeof g_cfgs / sizeof g_cfgs[0];
    for (uint64_t seed = 1; seed <= 60; seed++) {
        sset z;
        z.n = 0;
        z.nown = 0;
        make_spans(&z, &rng, seed % 15 == 0);
        for (size_t c = 0; c < ncfg; c++) check_same(&z, &g_cfgs[c], (int)(seed & 1), seed);
        /* every check of a bad span, one thread and several */
        check_bad(&z, &g_cfgs[seed % 2 ? 0 : 4], (size_t)(t_rand(&rng) % z.n), (int)(seed % 4));
        /* a failing sink, one thread and several */
        if (seed % 3 == 0) {
            const wcfg *c = &g_cfgs[seed % 2 ? 0 : 4];
            rec_sink full;
            rs_init(&full, SIZE_MAX);
            hdump_writer *w = new_writer(c, &full);
            T_EQ(run_ref(w, z.s, z.n, c->ptr_size), HDUMP_OK);
            hdump_writer_free(w);
            if (full.got.len > 16) check_sink_fail(&z, c, &full.got, 16 + (size_t)(t_rand(&rng) % (full.got.len - 16)));
            hdump_membuf_free(&full.got);
        }
        sset_free(&z);
    }
}

/* ---- Real and generated dumps, their objects as spans ---- */

/* Records of a dump, object runs regrouped into spans. */
typedef struct regroup {
    hdump_record *recs;
    size_t n, cap;
} regroup;

static uint64_t g_spanned, g_objects;

/* Writes objs[0..n) through w as spans (objspans.h: each run of one size,
 * one slot apart or up to 64 free slots between, as one span), objects a
 * map cannot give through put_object. */
static hdump_status put_run(hdump_writer *w, const hdump_object *objs, size_t n, uint64_t ps) {
    g_objects += n;
    return os_put_run(w, objs, n, ps, 64, UINT64_MAX, &g_spanned);
}

/* A reader of d[0..n) and a writer of configuration c into out. */
static void open_pair(const uint8_t *d, size_t n, const wcfg *c, hdump_membuf *out,
                      hdump_reader **r, hdump_writer **w) {
    if (hdump_reader_new_mem(NULL, d, n, r) != HDUMP_OK) abort();
    *w = writer_to(c, hdump_sink_membuf(out));
}

/* The dump's records written again, each run of objects as spans. */
static hdump_status rewrite_spans(const uint8_t *d, size_t n, const wcfg *c, hdump_membuf *out) {
    hdump_reader *r;
    hdump_writer *w;
    open_pair(d, n, c, out, &r, &w);
    hdump_object *objs = NULL;
    hdump_field **lists = NULL;
    size_t nobj = 0, cap = 0;
    hdump_record rec;
    hdump_status st, wst = HDUMP_OK;
    while (wst == HDUMP_OK && (st = hdump_reader_next(r, &rec)) == HDUMP_OK) {
        if (rec.tag == HDUMP_TAG_OBJECT && c->version != HDUMP_GO1_3) {
            if (nobj == cap) {
                cap = cap ? 2 * cap : 256;
                objs = realloc(objs, cap * sizeof *objs);
                lists = realloc(lists, cap * sizeof *lists);
                if (objs == NULL || lists == NULL) abort();
            }
            hdump_object ob = rec.u.object;
            /* the reader's arrays last until its next call: copy */
            uint8_t *cp = malloc(ob.contents.len ? (size_t)ob.contents.len : 1);
            hdump_field *fl = malloc((size_t)(ob.fields.count + 1) * sizeof *fl);
            if (cp == NULL || fl == NULL) abort();
            if (ob.contents.len) memcpy(cp, ob.contents.ptr, (size_t)ob.contents.len);
            if (ob.fields.count)
                memcpy(fl, ob.fields.items, (size_t)ob.fields.count * sizeof *fl);
            ob.contents.ptr = cp;
            ob.fields.items = fl;
            lists[nobj] = fl;
            objs[nobj++] = ob;
            continue;
        }
        wst = put_run(w, objs, nobj, c->ptr_size);
        for (size_t k = 0; k < nobj; k++) {
            free((void *)objs[k].contents.ptr);
            free(lists[k]);
        }
        nobj = 0;
        if (wst == HDUMP_OK && rec.tag != HDUMP_TAG_EOF) wst = hdump_writer_put(w, &rec);
    }
    if (wst == HDUMP_OK) wst = put_run(w, objs, nobj, c->ptr_size);
    for (size_t k = 0; k < nobj; k++) {
        free((void *)objs[k].contents.ptr);
        free(lists[k]);
    }
    if (wst == HDUMP_OK) wst = hdump_writer_finish(w);
    free(objs);
    free(lists);
    hdump_writer_free(w);
    hdump_reader_free(r);
    return wst;
}

/* The record-by-record writer's bytes for the dump. */
static void rewrite_plain(const uint8_t *d, size_t n, const wcfg *c, hdump_membuf *out) {
    hdump_reader *r;
    hdump_writer *w;
    open_pair(d, n, c, out, &r, &w);
    hdump_record rec;
    while (hdump_reader_next(r, &rec) == HDUMP_OK)
        if (rec.tag != HDUMP_TAG_EOF && hdump_writer_put(w, &rec) != HDUMP_OK) abort();
    if (hdump_writer_finish(w) != HDUMP_OK) abort();
    hdump_writer_free(w);
    hdump_reader_free(r);
}

static void on_dump(const char *name, const uint8_t *d, size_t n) {
    int v = t_version_of(d, n);
    hdump_membuf want;
    hdump_membuf_init(&want, NULL);
    wcfg base = {v, 8, 4096, 1, 262144, 0};
    rewrite_plain(d, n, &base, &want);
    static const struct { unsigned t; size_t chunk, buf; int pooled; } runs[] = {
        {1, 262144, 4096, 0}, {2, 4096, 4096, 0}, {3, 65536, 64, 0}, {2, 4096, 4096, 1}};
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        wcfg c = {v, 8, runs[k].buf, runs[k].t, runs[k].chunk, runs[k].pooled};
        hdump_membuf got;
        hdump_membuf_init(&got, NULL);
        g_spanned = g_objects = 0;
        T_EQ(rewrite_spans(d, n, &c, &got), HDUMP_OK);
        T_CHECK(got.len == want.len && memcmp(got.data, want.data, got.len) == 0,
                "%s: threads %u chunk %zu: %zu bytes, want %zu", name, c.threads, c.chunk,
                got.len, want.len);
        /* most objects went through spans (go1.3 has none to give) */
        if (v != HDUMP_GO1_3)
            T_CHECK(g_objects > 0 && g_spanned * 10 >= g_objects * 9,
                    "%s: %" PRIu64 " of %" PRIu64 " objects in spans", name, g_spanned, g_objects);
        hdump_membuf_free(&got);
    }
    hdump_membuf_free(&want);
}

static void on_input(const char *name, const uint8_t *d, size_t n, int generated) {
    (void)generated;
    on_dump(name, d, n);
}

static void usage_errors(void) {
    rec_sink a;
    rs_init(&a, SIZE_MAX);
    wcfg c = {HDUMP_GO1_7, 8, 4096, 1, 262144, 0};
    hdump_writer *w = new_writer(&c, &a);
    T_EQ(hdump_writer_put_spans(NULL, NULL, 0), HDUMP_ERR_USAGE);
    T_EQ(hdump_writer_put_spans(w, NULL, 1), HDUMP_ERR_USAGE);
    T_EQ(hdump_writer_put_spans(w, NULL, 0), HDUMP_OK);
    /* an empty span, a span of zero-size slots with no memory, and a span
     * whose last slot is at 2^64 - 1 are good */
    uint8_t m[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    hdump_span s[3];
    memset(s, 0, sizeof s);
    s[1].nelem = 5;
    s[1].base = 0x1000;
    s[2].nelem = 2;
    s[2].elem_size = 8;
    s[2].mem = m;
    s[2].base = UINT64_MAX - 15;
    T_EQ(hdump_writer_put_spans(w, s, 3), HDUMP_OK);
    T_EQ(hdump_writer_records(w), 5 + 2);
    T_EQ(hdump_writer_finish(w), HDUMP_OK);
    T_EQ(hdump_writer_put_spans(w, s, 1), HDUMP_ERR_USAGE);
    T_TRUE(strcmp(hdump_writer_error(w)->msg, "put after finish") == 0);
    hdump_writer_free(w);
    hdump_membuf_free(&a.got);
}

int main(int argc, char **argv) {
    usage_errors();
    address_lengths();
    made_spans();
    t_each_input(argc, argv, 77, on_input);
    static const hdump_version vs[] = {HDUMP_GO1_4, HDUMP_GO1_7};
    for (size_t i = 0; i < 2; i++) {
        hdump_membuf m = t_gen_dump(vs[i], HDUMP_GEN_MIXED, 20000, 5 + i);
        on_dump(i ? "gen go1.7 mixed" : "gen go1.4 mixed", m.data, m.len);
        hdump_membuf_free(&m);
    }
    /* the writers that borrowed pools ran on their helpers */
    uint64_t helped = tp_helped();
    printf("pools' helpers encoded %" PRIu64 " chunks\n", helped);
    T_CHECK(helped > 0, "no chunk of a pooled writer was encoded by a pool's helper");
    tp_free_all();
    return t_done();
}
