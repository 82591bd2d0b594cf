/* tests/unit/test_fast_path.c: the reader's object fast path
 * (reader/object_fast.h) against hand-built bytes, in each of the instances
 * a reader can pick: memory or streaming window, lax or strict (and, through
 * HDUMP_KERNEL, portable or pext).
 *
 *  1. A dump of 4000 objects whose address, length and field-offset varints
 *     take every length the format allows, with runs of one address length
 *     and changes between them (the remembered address length), contents
 *     long enough to be streamed, field lists long enough to grow the
 *     reader's array, and other records between: every record comes back
 *     with its offset, index, address, contents and fields, from every
 *     source.
 *  2. Faults placed deep in such a dump, where the fast path is the one to
 *     meet them: over-long varints (strict: HDUMP_ERR_NONCANONICAL at their
 *     offset; lax: their value), a field kind go1.4+ does not define,
 *     max_records and max_bytes. Each gives its own code, offset, record
 *     index and tag, and stays sticky.
 *  3. A streaming source whose declared size is shorter than its data.
 *  4. An error that leaves the window where the fast path could go on
 *     (the range handler's stop): the error stays.
 * The small inputs of test_errors.c never reach the fast path: it needs 32
 * bytes ahead. */
#include "chunksrc.h"
#include "t.h"

/* ---- Building bytes ---- */
typedef struct buf {
    uint8_t *d;
    size_t n, cap;
} buf;

static void b_byte(buf *b, uint8_t x) {
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 4096;
        b->d = realloc(b->d, b->cap);
        if (b->d == NULL) abort();
    }
    b->d[b->n++] = x;
}

/* A uvarint; `extra` > 0 writes it over-long, with that many more bytes
 * (continuation bits on, then a final 0x00). */
static void b_uv(buf *b, uint64_t v, int extra) {
    while (v >= 0x80 || extra > 0) {
        if (v < 0x80 && extra > 0) {
            b_byte(b, (uint8_t)(v | 0x80));
            v = 0;
            while (--extra > 0) b_byte(b, 0x80);
            b_byte(b, 0x00);
            return;
        }
        b_byte(b, (uint8_t)(v | 0x80));
        v >>= 7;
    }
    b_byte(b, (uint8_t)v);
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void) { return t_rand(&rng); }

/* A value whose uvarint takes exactly k bytes (1..10). */
static uint64_t with_len(int k) {
    if (k == 10) return (1ULL << 63) | next_rand();
    uint64_t lo = k == 1 ? 0 : 1ULL << (7 * (k - 1));
    uint64_t span = (1ULL << (7 * k)) - lo;
    return lo + next_rand() % span;
}

/* ---- The model ---- */
typedef struct obj {
    uint64_t tag; /* 1 object, 2 otherroot */
    uint64_t offset;
    uint64_t addr;
    size_t contents_at, len;
    size_t nf;
    uint64_t *kind, *off; /* in the pools below */
} obj;

#define NOBJ 4000
#define POOL (NOBJ * 40)
static obj *objs;
static size_t nobjs;
static uint64_t *kind_pool, *off_pool;

/* A fault planted in record `at`. */
enum fault { F_NONE, F_ADDR_LONG, F_LEN_LONG, F_OFF_LONG, F_KIND4 };
typedef struct plant {
    size_t at;
    enum fault f;
    uint64_t fault_off; /* filled in: the offending item's stream offset */
} plant;

static void build(buf *b, plant *pl) {
    b->n = 0;
    const char *hdr = "go1.7 heap dump\n";
    for (int i = 0; i < 16; i++) b_byte(b, (uint8_t)hdr[i]);
    rng = 0x9e3779b97f4a7c15ULL;
    int alen = 6;
    size_t used = 0;
    for (size_t i = 0; i < NOBJ; i++) {
        obj *o = &objs[i];
        o->offset = b->n;
        uint64_t r = next_rand();
        if (i % 97 == 50) { /* another record between the objects */
            o->tag = 2;
            b_byte(b, 2);
            b_uv(b, 5, 0);
            o->contents_at = b->n;
            o->len = 5;
            for (int k = 0; k < 5; k++) b_byte(b, (uint8_t)('a' + k));
            o->addr = with_len(6);
            b_uv(b, o->addr, 0);
            continue;
        }
        o->tag = 1;
        /* Address lengths: runs of one length, changing now and then. */
        if (r % 13 == 0) alen = 1 + (int)(next_rand() % 10);
        else if (r % 13 == 1) alen = 6;
        o->addr = with_len(alen);
        /* Contents: mostly short, some 2- and 3-byte lengths, a few past
         * the streaming readers' inline_max (16 KiB). */
        uint64_t lr = next_rand() % 100;
        o->len = lr < 70 ? (size_t)(next_rand() % 128)
                 : lr < 95 ? (size_t)(128 + next_rand() % 2000)
                           : (size_t)(16384 + next_rand() % 20000);
        uint64_t fr = next_rand() % 100;
        o->nf = fr < 20   ? 0
                : fr < 97 ? (size_t)(1 + next_rand() % 8)
                          : (size_t)(100 + next_rand() % 600); /* grows the array */
        if (used + o->nf > POOL) abort();
        o->kind = kind_pool + used;
        o->off = off_pool + used;
        used += o->nf;
        for (size_t k = 0; k < o->nf; k++) {
            o->kind[k] = 1 + next_rand() % 3;
            uint64_t orr = next_rand() % 100;
            o->off[k] = with_len(orr < 80 ? 1 : orr < 95 ? 2 : orr < 99 ? 3 : 4);
        }
        enum fault f = F_NONE;
        plant *p = NULL;
        for (plant *q = pl; q && q->f != F_NONE; q++)
            if (q->at == i) {
                f = q->f;
                p = q;
            }
        if (f == F_OFF_LONG || f == F_KIND4) {
            if (o->nf == 0 || o->nf > 8) o->nf = 3;
            for (size_t k = 0; k < o->nf; k++) {
                o->kind[k] = 1;
                o->off[k] = 8 * k;
            }
        }
        b_byte(b, 1);
        if (f == F_ADDR_LONG) {
            p->fault_off = b->n;
            o->addr = 0x1234;
        }
        b_uv(b, o->addr, f == F_ADDR_LONG ? 2 : 0);
        if (f == F_LEN_LONG) {
            p->fault_off = b->n;
            o->len = 40;
        }
        b_uv(b, o->len, f == F_LEN_LONG ? 1 : 0);
        o->contents_at = b->n;
        /* Contents open with what reads as an empty object (tag 1, addr 5,
         * length 0, no fields), for test_sticky_after_stop. */
        static const uint8_t decoy[4] = {1, 5, 0, 0};
        for (size_t k = 0; k < o->len; k++) b_byte(b, k < 4 ? decoy[k] : (uint8_t)(k * 7 + i));
        for (size_t k = 0; k < o->nf; k++) {
            if (f == F_KIND4 && k == 1) {
                p->fault_off = b->n;
                o->kind[k] = 4;
            }
            b_uv(b, o->kind[k], 0);
            if (f == F_OFF_LONG && k == 1) p->fault_off = b->n;
            b_uv(b, o->off[k], f == F_OFF_LONG && k == 1 ? 1 : 0);
        }
        b_byte(b, 0);
    }
    nobjs = NOBJ;
    b_byte(b, 0); /* EOF */
}

/* ---- Readers ---- */
/* Streaming in 4093-byte pieces, and in pieces as large as the 64 KiB
 * buffer takes (so that a window holds whole long objects ahead). */
enum src { S_MEM, S_STREAM, S_STREAM_SIZED, S_STREAM_BIG, S_COUNT };
static const char *src_names[] = {"memory", "stream 4093-byte pieces", "stream, size known",
                                  "stream 1 MiB pieces"};

static hdump_reader *open_at(enum src s, int strict, const buf *b, chunk_src *cs,
                             uint64_t max_records, uint64_t max_bytes) {
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.strict = strict;
    if (max_records) o.limits.max_records = max_records;
    if (max_bytes) o.limits.max_bytes = max_bytes;
    o.buffer_size = 64 << 10;
    hdump_reader *r = NULL;
    if (s == S_MEM) {
        T_EQ(hdump_reader_new_mem(&o, b->d, b->n, &r), HDUMP_OK);
        return r;
    }
    cs->data = b->d;
    cs->len = b->n;
    cs->pos = 0;
    cs->chunk = s == S_STREAM_BIG ? (size_t)1 << 20 : 4093;
    hdump_source src = {chunk_read, cs, s == S_STREAM_SIZED ? (uint64_t)b->n : UINT64_MAX};
    T_EQ(hdump_reader_new_source(&o, src, &r), HDUMP_OK);
    return r;
}

/* A streaming reader over b in 1 MiB reads, with a 64 KiB buffer, a
 * declared size (UINT64_MAX: none) and a range handler (NULL: none). */
static hdump_reader *open_stream(const buf *b, chunk_src *cs, uint64_t size,
                                 int (*on_range)(void *, const hdump_range_chunk *)) {
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.buffer_size = 64 << 10;
    o.on_range = on_range;
    *cs = (chunk_src){b->d, b->n, 0, (size_t)1 << 20};
    hdump_source src = {chunk_read, cs, size};
    hdump_reader *r = NULL;
    T_EQ(hdump_reader_new_source(&o, src, &r), HDUMP_OK);
    return r;
}

/* Record i as built; a streaming reader hands contents past inline_max
 * (16 KiB here) to on_range and returns them as {NULL, len}. */
static int same_record(const hdump_record *rec, size_t i, const buf *b, int streaming) {
    const obj *o = &objs[i];
    if (rec->tag != o->tag || rec->offset != o->offset || rec->index != i) return 0;
    const hdump_bytes *c;
    if (o->tag == 2) {
        if (rec->u.otherroot.ptr != o->addr) return 0;
        c = &rec->u.otherroot.description;
    } else {
        const hdump_object *ob = &rec->u.object;
        if (ob->addr != o->addr || ob->fields.count != o->nf) return 0;
        if (ob->fields.form != HDUMP_FIELDS_LIST) return 0;
        for (size_t k = 0; k < o->nf; k++)
            if (ob->fields.items[k].kind != o->kind[k] || ob->fields.items[k].offset != o->off[k])
                return 0;
        c = &ob->contents;
    }
    if (c->len != o->len) return 0;
    if (streaming && o->len > (16 << 10)) return c->ptr == NULL;
    return c->ptr != NULL && memcmp(c->ptr, b->d + o->contents_at, o->len) == 0;
}

/* Pulls records to the first status that is not HDUMP_OK, comparing each
 * with the model: *n gets how many came, *bad how many differed (the first
 * three are named under `what`). */
static hdump_status read_all(hdump_reader *r, const buf *b, int streaming, hdump_record *rec,
                             size_t *n, size_t *bad, const char *what) {
    hdump_status st;
    size_t i = 0, nbad = 0;
    while ((st = hdump_reader_next(r, rec)) == HDUMP_OK) {
        if (i >= nobjs || !same_record(rec, i, b, streaming))
            if (nbad++ < 3) fprintf(stderr, "%s: record %zu differs\n", what, i);
        i++;
    }
    *n = i;
    *bad = nbad;
    return st;
}

/* 1. Every record of the clean dump, from every source, lax and strict. */
static void test_clean(buf *b) {
    build(b, NULL);
    for (int s = 0; s < S_COUNT; s++)
        for (int strict = 0; strict < 2; strict++) {
            chunk_src cs;
            hdump_reader *r = open_at((enum src)s, strict, b, &cs, 0, 0);
            if (r == NULL) continue;
            hdump_record rec;
            size_t i, bad;
            hdump_status st = read_all(r, b, s != S_MEM, &rec, &i, &bad, src_names[s]);
            T_EQ(st, HDUMP_END);
            T_EQ(i, nobjs);
            T_EQ(bad, 0);
            T_EQ(rec.tag, HDUMP_TAG_EOF);
            T_EQ(rec.index, nobjs);
            hdump_reader_free(r);
        }
}

/* 2. A fault deep in the dump: every record before it is right, then the
 * error is exact and sticky. want_lax is the status a lax reader ends
 * with (HDUMP_END when only strict mode objects to the fault). */
static void run_fault(buf *b, enum fault f, size_t at, hdump_status want, hdump_status want_lax,
                      uint64_t max_records, uint64_t max_bytes, const char *name) {
    plant pl[2] = {{at, f, 0}, {0, F_NONE, 0}};
    build(b, pl);
    T_TRUE(objs[at].tag == 1);
    uint64_t want_off = f != F_NONE ? pl[0].fault_off : objs[at].offset;
    for (int s = 0; s < S_COUNT; s++)
        for (int strict = 0; strict < 2; strict++) {
            int fail0 = t_fail;
            hdump_status w = strict ? want : want_lax;
            chunk_src cs;
            hdump_reader *r = open_at((enum src)s, strict, b, &cs, max_records, max_bytes);
            if (r == NULL) continue;
            hdump_record rec;
            size_t i, bad;
            hdump_status st = read_all(r, b, s != S_MEM, &rec, &i, &bad, name);
            T_EQ(bad, 0);
            T_EQ(st, w);
            if (w == HDUMP_END) {
                T_EQ(i, nobjs);
            } else {
                T_EQ(i, at);
                const hdump_error *e = hdump_reader_error(r);
                T_EQ(e->code, w);
                T_EQ(e->offset, want_off);
                T_EQ(e->record_index, at);
                T_EQ(e->tag, f == F_NONE && max_records ? UINT64_MAX : 1);
                T_TRUE(e->msg != NULL);
                T_EQ(hdump_reader_next(r, &rec), w); /* sticky */
                T_EQ(hdump_reader_error(r)->offset, want_off);
            }
            hdump_reader_free(r);
            if (t_fail != fail0)
                fprintf(stderr, "  ^^ %s, %s, strict=%d\n", name, src_names[s], strict);
        }
}

static void test_faults(buf *b) {
    run_fault(b, F_ADDR_LONG, 2001, HDUMP_ERR_NONCANONICAL, HDUMP_END, 0, 0, "over-long address");
    run_fault(b, F_LEN_LONG, 2002, HDUMP_ERR_NONCANONICAL, HDUMP_END, 0, 0, "over-long length");
    run_fault(b, F_OFF_LONG, 2003, HDUMP_ERR_NONCANONICAL, HDUMP_END, 0, 0,
              "over-long field offset");
    run_fault(b, F_KIND4, 2004, HDUMP_ERR_FIELD_KIND, HDUMP_ERR_FIELD_KIND, 0, 0, "field kind 4");
    run_fault(b, F_NONE, 2005, HDUMP_ERR_LIMIT, HDUMP_ERR_LIMIT, 2005, 0, "max_records");
    /* max_bytes 30000: the first object with longer contents; the error is
     * at its length varint. */
    build(b, NULL);
    size_t at = 0;
    while (objs[at].tag != 1 || objs[at].len <= 30000) at++;
    T_TRUE(at > 5);
    const obj *o = &objs[at];
    size_t len_at = o->contents_at - (o->len < 128 ? 1 : o->len < 16384 ? 2 : 3);
    for (int s = 0; s < S_COUNT; s++) {
        chunk_src cs;
        hdump_reader *r = open_at((enum src)s, 0, b, &cs, 0, 30000);
        if (r == NULL) continue;
        hdump_record rec;
        size_t i, bad;
        hdump_status st = read_all(r, b, s != S_MEM, &rec, &i, &bad, "max_bytes");
        T_EQ(bad, 0);
        T_EQ(st, HDUMP_ERR_LIMIT);
        T_EQ(i, at);
        const hdump_error *e = hdump_reader_error(r);
        T_EQ(e->offset, len_at);
        T_EQ(e->record_index, at);
        T_EQ(e->tag, 1);
        hdump_reader_free(r);
    }
}

/* A streaming source that declares a size shorter than its data: the
 * first range to cross that size is HDUMP_ERR_TRUNCATED at the size, as
 * the checked path reports it (reader.c rd_range), with the window holding
 * bytes past it. */
static void test_short_size(buf *b) {
    build(b, NULL);
    size_t at = 3000;
    while (objs[at].tag != 1 || objs[at].len < 2) at++;
    uint64_t size = objs[at].contents_at + 1;
    chunk_src cs;
    hdump_reader *r = open_stream(b, &cs, size, NULL);
    if (r == NULL) return;
    hdump_record rec;
    size_t i, bad;
    hdump_status st = read_all(r, b, 1, &rec, &i, &bad, "short size");
    T_EQ(bad, 0);
    T_EQ(st, HDUMP_ERR_TRUNCATED);
    T_EQ(i, at);
    T_EQ(hdump_reader_error(r)->offset, size);
    T_EQ(hdump_reader_error(r)->record_index, at);
    hdump_reader_free(r);
}

/* An error the fast path would read past: the range handler stops inside
 * a long object's contents, leaving the window at bytes that look like
 * records. Every later call returns the same error. */
static int stop_range(void *ctx, const hdump_range_chunk *c) {
    (void)ctx;
    (void)c;
    return 1;
}

static void test_sticky_after_stop(buf *b) {
    build(b, NULL);
    size_t at = 0;
    while (objs[at].tag != 1 || objs[at].len <= (16 << 10)) at++;
    chunk_src cs;
    hdump_reader *r = open_stream(b, &cs, UINT64_MAX, stop_range);
    if (r == NULL) return;
    hdump_record rec;
    hdump_status st;
    size_t i = 0;
    while ((st = hdump_reader_next(r, &rec)) == HDUMP_OK) i++;
    T_EQ(st, HDUMP_ERR_USAGE);
    T_EQ(i, at);
    uint64_t off = hdump_reader_error(r)->offset;
    T_EQ(off, objs[at].contents_at);
    for (int k = 0; k < 3; k++) {
        T_EQ(hdump_reader_next(r, &rec), HDUMP_ERR_USAGE);
        T_EQ(hdump_reader_error(r)->offset, off);
    }
    hdump_reader_free(r);
}

int main(void) {
    objs = calloc(NOBJ, sizeof *objs);
    kind_pool = calloc(POOL, sizeof *kind_pool);
    off_pool = calloc(POOL, sizeof *off_pool);
    if (objs == NULL || kind_pool == NULL || off_pool == NULL) return 1;
    buf b = {NULL, 0, 0};
    test_clean(&b);
    test_faults(&b);
    test_short_size(&b);
    test_sticky_after_stop(&b);
    free(b.d);
    free(objs);
    free(kind_pool);
    free(off_pool);
    return t_done();
}
