/* tests/unit/test_writer_objects.c: object records (the writer's fast and
 * careful paths) against a model of the runtime's dwrite, call by call.
 *
 * The model encodes each piece of a record as the runtime does (dumpint
 * through a 10-byte temporary, dumpmemrange, each field's kind and offset,
 * the list's end) and feeds it to dwrite: a piece that fits is copied into
 * the buffer; otherwise the buffer is flushed, and a piece of at least the
 * buffer's size goes straight to the sink. The writer must make exactly the
 * same sink calls, with the same bytes, for every kernel this CPU runs (each
 * picks its own object path), every buffer size, and records on both sides
 * of every fast-path threshold (contents 64/128 bytes, 8 fields, the
 * headroom), fields given as lists or as one-bit maps. Bad field lists must
 * fail with the same code, offset and message whichever path sees them, with
 * nothing of the record delivered. */
#include "t.h"

/* ---- A sink that logs its calls ---- */
typedef struct log_sink {
    size_t calls, bytes;
    size_t *sizes;
    size_t cap_sizes;
    hdump_membuf copy;
} log_sink;

static hdump_status log_write(void *ctx, const void *p, size_t n) {
    log_sink *s = ctx;
    if (s->calls == s->cap_sizes) {
        s->cap_sizes = s->cap_sizes ? 2 * s->cap_sizes : 1024;
        s->sizes = realloc(s->sizes, s->cap_sizes * sizeof *s->sizes);
        if (s->sizes == NULL) exit(2);
    }
    s->sizes[s->calls++] = n;
    s->bytes += n;
    return hdump_sink_membuf(&s->copy).write(&s->copy, p, n);
}

static void log_init(log_sink *s) {
    memset(s, 0, sizeof *s);
    hdump_membuf_init(&s->copy, NULL);
}

static void log_free(log_sink *s) {
    free(s->sizes);
    hdump_membuf_free(&s->copy);
}

/* ---- The runtime's dwrite, on a log sink ---- */
typedef struct model {
    uint8_t *buf;
    size_t cap, n;
    log_sink out;
} model;

static void m_sink(model *m, const uint8_t *p, size_t n) {
    if (n > 0) log_write(&m->out, p, n); /* the writer never makes empty calls */
}

static void m_dwrite(model *m, const uint8_t *p, size_t len) {
    if (len <= m->cap - m->n) {
        if (len) memcpy(m->buf + m->n, p, len);
        m->n += len;
        return;
    }
    m_sink(m, m->buf, m->n);
    m->n = 0;
    if (len >= m->cap) {
        m_sink(m, p, len);
        return;
    }
    memcpy(m->buf, p, len);
    m->n = len;
}

static void m_uvarint(model *m, uint64_t v) {
    uint8_t tmp[10];
    size_t k = 0;
    while (v >= 0x80) {
        tmp[k++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[k++] = (uint8_t)v;
    m_dwrite(m, tmp, k);
}

static void m_init(model *m, size_t cap) {
    m->buf = malloc(cap);
    if (m->buf == NULL) exit(2);
    m->cap = cap;
    memcpy(m->buf, "go1.7 heap dump\n", 16);
    m->n = 16;
    log_init(&m->out);
}

static void m_object(model *m, uint64_t addr, const uint8_t *c, size_t len, const hdump_field *f,
                     size_t nf) {
    m_uvarint(m, HDUMP_TAG_OBJECT);
    m_uvarint(m, addr);
    m_uvarint(m, len);
    m_dwrite(m, c, len);
    for (size_t i = 0; i < nf; i++) {
        m_uvarint(m, f[i].kind);
        m_uvarint(m, f[i].offset);
    }
    m_uvarint(m, 0);
}

static void m_finish(model *m) {
    m_uvarint(m, HDUMP_TAG_EOF);
    m_sink(m, m->buf, m->n);
    m->n = 0;
}

/* ---- Deterministic record shapes ---- */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { return t_rand(&rng_state); }
/* A value of 0..64 random bits: every encoded length 1..10 turns up. */
static uint64_t rnd_bits(void) {
    unsigned b = (unsigned)(rnd() % 65);
    uint64_t v = rnd();
    return b == 0 ? 0 : b == 64 ? v : v & ((1ull << b) - 1);
}

static size_t rnd_len(size_t cap) {
    switch (rnd() % 8) {
    case 0: return 0;
    case 1: return (size_t)(rnd() % 17);             /* the small copies */
    case 2: return 60 + (size_t)(rnd() % 10);        /* around 64 */
    case 3: return 124 + (size_t)(rnd() % 10);       /* around 128 */
    case 4: return (size_t)(rnd() % 300);
    case 5: return cap - 40 + (size_t)(rnd() % 80);  /* around the buffer size */
    case 6: return (size_t)(rnd() % (3 * cap));
    default: return (size_t)(rnd() % 64);
    }
}

static size_t rnd_nf(void) {
    switch (rnd() % 6) {
    case 0: return 0;
    case 1: return 7 + (size_t)(rnd() % 4); /* around 8 */
    case 2: return (size_t)(rnd() % 400);
    default: return (size_t)(rnd() % 5);
    }
}

#define MAXLEN (3 * 4096 + 64)
#define MAXWORDS 600
#define MAXNF MAXWORDS

static uint8_t bitmap[MAXWORDS / 8 + 1];

static uint8_t contents[MAXLEN];
static hdump_field fields[MAXNF];

static void run_policy(const char *kernel, size_t cap, int via_put) {
    model m;
    m_init(&m, cap);
    log_sink s;
    log_init(&s);
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.kernel = kernel;
    o.buffer_size = cap;
    hdump_writer *w;
    hdump_sink sink = {log_write, &s};
    T_EQ(hdump_writer_new(&o, sink, &w), HDUMP_OK);
    hdump_status st = HDUMP_OK;
    for (int r = 0; r < 3000 && st == HDUMP_OK; r++) {
        uint64_t addr = rnd_bits();
        size_t len = rnd_len(cap);
        if (len > MAXLEN) len = MAXLEN;
        size_t nf = rnd_nf();
        for (size_t i = 0; i < nf; i++) {
            fields[i].kind = 1 + rnd() % 3;
            fields[i].offset = rnd_bits();
        }
        /* A third of the records give their fields as a one-bit map
         * (put_object_bitmap1 or the careful path): the model gets the list
         * it stands for, Ptr at word * 8 for each set bit. */
        size_t nwords = 0;
        if (rnd() % 3 == 0) {
            nwords = rnd() % 4 == 0 ? (size_t)(rnd() % MAXWORDS) : (size_t)(rnd() % 70);
            uint64_t density = rnd() % 4; /* none, sparse, half, dense */
            memset(bitmap, 0, sizeof bitmap);
            nf = 0;
            for (size_t wd = 0; wd < nwords; wd++) {
                uint64_t x = rnd() % 8;
                int set = density == 0 ? 0 : density == 1 ? x == 0 : density == 2 ? x < 4 : x != 0;
                if (!set) continue;
                bitmap[wd / 8] |= (uint8_t)(1u << (wd % 8));
                fields[nf].kind = HDUMP_FIELD_PTR;
                fields[nf].offset = 8 * (uint64_t)wd;
                nf++;
            }
        }
        size_t at = (size_t)(rnd() % (MAXLEN - len + 1));
        const uint8_t *c = len ? contents + at : (rnd() & 1) ? NULL : contents;
        m_object(&m, addr, c, len, fields, nf);
        hdump_fields fl = {nf ? fields : NULL, nf, NULL, 0, HDUMP_FIELDS_LIST};
        if (nwords > 0) { /* the map's bytes, and none past them, are read */
            if (nwords % 8) /* bits past the last word are not fields */
                bitmap[nwords / 8] |= (uint8_t)(rnd() << (nwords % 8));
            uint8_t *map = bitmap + sizeof bitmap - (nwords + 7) / 8;
            memmove(map, bitmap, (nwords + 7) / 8);
            hdump_fields bm = {NULL, 0, map, nwords, HDUMP_FIELDS_BITMAP1};
            fl = bm;
        }
        int nofields = nf == 0 && nwords == 0 && (rnd() & 1);
        if (via_put) {
            hdump_record rec;
            memset(&rec, 0, sizeof rec);
            rec.tag = HDUMP_TAG_OBJECT;
            rec.u.object.addr = addr;
            rec.u.object.contents.ptr = c;
            rec.u.object.contents.len = len;
            rec.u.object.fields = fl;
            st = hdump_writer_put(w, &rec);
        } else {
            st = hdump_writer_put_object(w, addr, c, len, nofields ? NULL : &fl);
        }
    }
    T_EQ(st, HDUMP_OK);
    T_EQ(hdump_writer_finish(w), HDUMP_OK);
    m_finish(&m);
    T_EQ(s.calls, m.out.calls);
    size_t same = 0;
    for (size_t i = 0; i < s.calls && i < m.out.calls; i++) same += s.sizes[i] == m.out.sizes[i];
    T_CHECK(same == s.calls && same == m.out.calls, "kernel %s, buffer %zu: %zu of %zu calls differ",
            kernel, cap, m.out.calls - same, m.out.calls);
    T_EQ(s.copy.len, m.out.copy.len);
    T_CHECK(s.copy.len == m.out.copy.len && memcmp(s.copy.data, m.out.copy.data, s.copy.len) == 0,
            "kernel %s, buffer %zu: bytes differ", kernel, cap);
    T_EQ(hdump_writer_records(w), 3001);
    hdump_writer_free(w);
    log_free(&s);
    log_free(&m.out);
    free(m.buf);
}

/* ---- Bad field lists: same error from every path, nothing delivered ---- */
static void run_bad(const char *kernel) {
    static const size_t lens[] = {0, 10, 100, 200, 5000};
    static const size_t nfs[] = {1, 5, 8, 9, 20, 300};
    static const uint64_t bad_kinds[] = {0, 4, 127, UINT64_MAX};
    for (size_t a = 0; a < sizeof lens / sizeof *lens; a++)
        for (size_t b = 0; b < sizeof nfs / sizeof *nfs; b++)
            for (size_t k = 0; k < sizeof bad_kinds / sizeof *bad_kinds; k++)
                for (int where = 0; where < 6; where++) {
                    /* where >= 3: a 256-byte buffer, so that a short record
                     * often straddles the flush (the fast path's obj_replay
                     * case) and must still leave nothing behind */
                    size_t nf = nfs[b];
                    for (size_t i = 0; i < nf; i++) {
                        fields[i].kind = 1 + i % 3;
                        fields[i].offset = 8 * i + 0x1000 * (i & 1);
                    }
                    size_t bad = where % 3 == 0 ? 0 : where % 3 == 1 ? nf / 2 : nf - 1;
                    fields[bad].kind = bad_kinds[k];
                    log_sink s;
                    log_init(&s);
                    hdump_writer_opts o;
                    hdump_writer_opts_init(&o);
                    o.kernel = kernel;
                    if (where >= 3) o.buffer_size = 256;
                    hdump_writer *w;
                    hdump_sink sink = {log_write, &s};
                    T_EQ(hdump_writer_new(&o, sink, &w), HDUMP_OK);
                    /* fill the buffer part way, so some records fit and some do not */
                    for (size_t r = 0; r < 7 * (a + b + k) % 50; r++)
                        T_EQ(hdump_writer_put_object(w, 0xc000000000 + 16 * r, contents, 40, NULL),
                             HDUMP_OK);
                    uint64_t before = hdump_writer_bytes(w), recs = hdump_writer_records(w);
                    size_t calls = s.calls, bytes = s.bytes;
                    hdump_fields fl = {fields, nf, NULL, 0, HDUMP_FIELDS_LIST};
                    T_EQ(hdump_writer_put_object(w, 0xc000001000, contents, lens[a], &fl),
                         HDUMP_ERR_USAGE);
                    const hdump_error *e = hdump_writer_error(w);
                    T_EQ(e->code, HDUMP_ERR_USAGE);
                    T_EQ(e->offset, before);
                    T_EQ(e->record_index, recs);
                    T_EQ(e->tag, HDUMP_TAG_OBJECT);
                    T_TRUE(e->msg != NULL &&
                           strcmp(e->msg, "field kind is 0 or not defined by this version") == 0);
                    T_EQ(hdump_writer_bytes(w), before); /* nothing of the record buffered */
                    T_EQ(s.calls, calls);                /* ... or delivered */
                    T_EQ(s.bytes, bytes);
                    /* sticky */
                    T_EQ(hdump_writer_put_object(w, 1, "x", 1, NULL), HDUMP_ERR_USAGE);
                    T_EQ(hdump_writer_finish(w), HDUMP_ERR_USAGE);
                    T_EQ(s.calls, calls);
                    hdump_writer_free(w);
                    log_free(&s);
                }
    /* A count without items, and contents without data, on both paths. */
    for (size_t a = 0; a < sizeof lens / sizeof *lens; a++) {
        hdump_writer_opts o;
        hdump_writer_opts_init(&o);
        o.kernel = kernel;
        hdump_writer *w;
        T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_OK);
        hdump_fields nol = {NULL, 3, NULL, 0, HDUMP_FIELDS_LIST};
        T_EQ(hdump_writer_put_object(w, 1, contents, lens[a], &nol), HDUMP_ERR_USAGE);
        T_EQ(hdump_writer_error(w)->offset, 16);
        T_TRUE(strcmp(hdump_writer_error(w)->msg, "field list has a count but no items") == 0);
        hdump_writer_free(w);
        if (lens[a] == 0) continue;
        T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_OK);
        T_EQ(hdump_writer_put_object(w, 1, NULL, lens[a], NULL), HDUMP_ERR_USAGE);
        T_EQ(hdump_writer_error(w)->offset, 16);
        T_TRUE(strcmp(hdump_writer_error(w)->msg, "byte range has a length but no data") == 0);
        hdump_writer_free(w);
    }
}

int main(void) {
    for (size_t i = 0; i < sizeof contents; i++) contents[i] = (uint8_t)(i * 131 + (i >> 8));
    /* HDUMP_KERNEL narrows the run to one kernel, as in every other test. */
    const char *only = t_kernel();
    static const size_t caps[] = {64, 100, 333, 4096};
    for (size_t k = 0; k < hdump_kernel_count(); k++) {
        const char *name = hdump_kernel_name(k);
        if (!hdump_kernel_supported(name) || (only && strcmp(only, name) != 0)) continue;
        for (size_t c = 0; c < sizeof caps / sizeof *caps; c++)
            for (int via_put = 0; via_put < 2; via_put++) run_policy(name, caps[c], via_put);
        run_bad(name);
        printf("kernel %s: done\n", name);
    }
    return t_done();
}
