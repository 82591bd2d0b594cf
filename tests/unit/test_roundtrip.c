/* tests/unit/test_roundtrip.c: every tag of every version, written and read
 * back equal, through every buffer size and every source kind (memory,
 * streaming in small chunks with ranges streamed to the range handler). */
#include "chunksrc.h"
#include "recgen.h"
#include "t.h"

#define NREC 400

static recgen_arena arena;

/* Record i of a test stream: params first, then every tag 1..17 in turn. */
static void expected(hdump_record *r, hdump_version v, size_t i, recgen_arena *a) {
    hdump_tag tag = i == 0 ? HDUMP_TAG_PARAMS : (hdump_tag)(1 + (i - 1) % 17);
    recgen_record(r, v, tag, (uint64_t)i, a);
}

/* Writes via the per-tag call for even i, the generic put for odd i. */
static hdump_status put_one(hdump_writer *w, const hdump_record *r, size_t i) {
    if (i % 2) return hdump_writer_put(w, r);
    switch (r->tag) {
    case HDUMP_TAG_OBJECT:
        if (r->u.object.type_addr || r->u.object.kind) return hdump_writer_put(w, r);
        return hdump_writer_put_object(w, r->u.object.addr, r->u.object.contents.ptr,
                                       (size_t)r->u.object.contents.len, &r->u.object.fields);
    case HDUMP_TAG_OTHERROOT: return hdump_writer_put_otherroot(w, &r->u.otherroot);
    case HDUMP_TAG_TYPE: return hdump_writer_put(w, r); /* put_type goes through the cache */
    case HDUMP_TAG_GOROUTINE: return hdump_writer_put_goroutine(w, &r->u.goroutine);
    case HDUMP_TAG_STACKFRAME: return hdump_writer_put_stackframe(w, &r->u.frame);
    case HDUMP_TAG_PARAMS: return hdump_writer_put_params(w, &r->u.params);
    case HDUMP_TAG_FINALIZER: return hdump_writer_put_finalizer(w, &r->u.finalizer);
    case HDUMP_TAG_ITAB: return hdump_writer_put_itab(w, &r->u.itab, NULL, 0);
    case HDUMP_TAG_OSTHREAD: return hdump_writer_put_osthread(w, &r->u.osthread);
    case HDUMP_TAG_MEMSTATS: return hdump_writer_put_memstats(w, &r->u.memstats);
    case HDUMP_TAG_QUEUEDFINALIZER: return hdump_writer_put_queuedfinalizer(w, &r->u.finalizer);
    case HDUMP_TAG_DATA: return hdump_writer_put_data(w, &r->u.segment);
    case HDUMP_TAG_BSS: return hdump_writer_put_bss(w, &r->u.segment);
    case HDUMP_TAG_DEFER: return hdump_writer_put_defer(w, &r->u.defer);
    case HDUMP_TAG_PANIC: return hdump_writer_put_panic(w, &r->u.panic);
    case HDUMP_TAG_MEMPROF: return hdump_writer_put_memprof(w, &r->u.memprof);
    case HDUMP_TAG_ALLOCSAMPLE: return hdump_writer_put_allocsample(w, &r->u.allocsample);
    default: return hdump_writer_put(w, r);
    }
}

static hdump_membuf write_stream(hdump_version v, size_t bufsize) {
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = v;
    o.buffer_size = bufsize;
    hdump_writer *w;
    T_EQ(hdump_writer_new(&o, hdump_sink_membuf(&m), &w), HDUMP_OK);
    static recgen_arena scratch;
    for (size_t i = 0; i < NREC; i++) {
        hdump_record r;
        scratch = arena;
        expected(&r, v, i, &scratch);
        hdump_status st = put_one(w, &r, i);
        if (st != HDUMP_OK) {
            T_EQ(st, HDUMP_OK);
            break;
        }
    }
    T_EQ(hdump_writer_finish(w), HDUMP_OK);
    T_EQ(hdump_writer_records(w), NREC + 1);
    T_EQ(hdump_writer_bytes(w), m.len);
    hdump_writer_free(w);
    return m;
}

/* ---- Range handler: checks streamed chunks against the expected record ---- */
typedef struct range_check {
    const hdump_record *want;
    uint64_t chunks, bad;
} range_check;

static const hdump_bytes *range_of(const hdump_record *r, uint32_t which) {
    switch (r->tag) {
    case HDUMP_TAG_OBJECT: return &r->u.object.contents;
    case HDUMP_TAG_OTHERROOT: return &r->u.otherroot.description;
    case HDUMP_TAG_TYPE: return &r->u.type.name;
    case HDUMP_TAG_GOROUTINE: return &r->u.goroutine.wait_reason;
    case HDUMP_TAG_STACKFRAME: return which ? &r->u.frame.name : &r->u.frame.contents;
    case HDUMP_TAG_PARAMS: return which ? &r->u.params.experiment : &r->u.params.arch;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS: return &r->u.segment.contents;
    case HDUMP_TAG_MEMPROF:
        if (which / 2 >= r->u.memprof.nstk) return NULL;
        return which % 2 ? &r->u.memprof.stack[which / 2].file : &r->u.memprof.stack[which / 2].func;
    default: return NULL;
    }
}

static int on_range(void *ctx, const hdump_range_chunk *c) {
    range_check *rc = ctx;
    rc->chunks++;
    const hdump_bytes *b = range_of(rc->want, c->which);
    if (b == NULL || (uint64_t)c->tag != (uint64_t)rc->want->tag || b->len != c->range_len ||
        c->range_offset + c->len > b->len ||
        memcmp(b->ptr + c->range_offset, c->ptr, c->len) != 0)
        rc->bad++;
    return 0;
}

static void read_back(hdump_version v, const hdump_membuf *m, int streaming, size_t chunk,
                      size_t bufsize, uint64_t inline_max) {
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    range_check rc = {NULL, 0, 0};
    chunk_src src = {m->data, m->len, 0, chunk};
    hdump_reader *r;
    if (streaming) {
        o.buffer_size = bufsize;
        o.inline_max = inline_max;
        o.on_range = on_range;
        o.on_range_ctx = &rc;
        hdump_source s = {chunk_read, &src, UINT64_MAX};
        T_EQ(hdump_reader_new_source(&o, s, &r), HDUMP_OK);
    } else {
        T_EQ(hdump_reader_new_mem(&o, m->data, m->len, &r), HDUMP_OK);
    }
    hdump_version got;
    T_EQ(hdump_reader_version(r, &got), HDUMP_OK);
    T_EQ(got, v);
    static recgen_arena scratch;
    size_t i = 0, unequal = 0;
    hdump_status st;
    hdump_record want, rec;
    for (;;) {
        scratch = arena;
        if (i < NREC)
            expected(&want, v, i, &scratch);
        else
            memset(&want, 0, sizeof want);
        rc.want = &want;
        st = hdump_reader_next(r, &rec);
        if (st != HDUMP_OK) break;
        if (!hdump_record_equal(v, &want, &rec) || rec.index != i) {
            if (unequal++ < 3)
                fprintf(stderr, "v%d stream=%d chunk=%zu: record %zu (tag %d) differs\n", (int)v,
                        streaming, chunk, i, (int)want.tag);
        }
        i++;
    }
    T_EQ(st, HDUMP_END);
    if (st < 0) {
        const hdump_error *e = hdump_reader_error(r);
        fprintf(stderr, "error %d at %" PRIu64 ": %s\n", (int)e->code, e->offset, e->msg);
    }
    T_EQ(rec.tag, HDUMP_TAG_EOF);
    T_EQ(i, NREC);
    T_EQ(unequal, 0);
    T_EQ(rc.bad, 0);
    if (streaming && inline_max != 0 && inline_max < 64) T_TRUE(rc.chunks > 0);
    T_EQ(hdump_reader_offset(r), m->len);
    hdump_reader_free(r);
}

/* hdump_record_fields names the field list of exactly the tags that have one. */
static void test_record_fields(void) {
    for (int t = 0; t < HDUMP_TAG_COUNT; t++) {
        hdump_record r;
        memset(&r, 0, sizeof r);
        r.tag = (hdump_tag)t;
        hdump_fields *f = hdump_record_fields(&r);
        const void *want = t == HDUMP_TAG_OBJECT       ? (const void *)&r.u.object.fields
                           : t == HDUMP_TAG_TYPE       ? (const void *)&r.u.type.fields
                           : t == HDUMP_TAG_STACKFRAME ? (const void *)&r.u.frame.fields
                           : (t == HDUMP_TAG_DATA || t == HDUMP_TAG_BSS)
                               ? (const void *)&r.u.segment.fields
                               : NULL;
        T_TRUE((const void *)f == want);
    }
}

/* *r = an object record at 0xc000010000 with contents c[0..len), no fields. */
static void object_record(hdump_record *r, const uint8_t *c, uint64_t len) {
    memset(r, 0, sizeof *r);
    r->tag = HDUMP_TAG_OBJECT;
    r->u.object.addr = 0xc000010000;
    r->u.object.contents.ptr = c;
    r->u.object.contents.len = len;
}

/* hdump_record_equal tells field lists apart by count, kind and offset,
 * and takes two empty lists (items NULL or not) as equal. */
static void test_record_equal_fields(void) {
    hdump_field fa[3] = {{1, 0}, {1, 8}, {1, 24}}, fb[3];
    static const uint8_t contents[32] = {1, 2, 3};
    hdump_record a, b;
    object_record(&a, contents, sizeof contents);
    a.u.object.fields.items = fa;
    a.u.object.fields.count = 3;
    b = a;
    b.u.object.fields.items = fb;
    memcpy(fb, fa, sizeof fa);
    T_TRUE(hdump_record_equal(HDUMP_GO1_7, &a, &b));
    fb[2].kind = 2;
    T_TRUE(!hdump_record_equal(HDUMP_GO1_7, &a, &b));
    fb[2].kind = 1;
    fb[1].offset = 16;
    T_TRUE(!hdump_record_equal(HDUMP_GO1_7, &a, &b));
    fb[1].offset = 8;
    b.u.object.fields.count = 2;
    T_TRUE(!hdump_record_equal(HDUMP_GO1_7, &a, &b));
    a.u.object.fields.count = b.u.object.fields.count = 0;
    b.u.object.fields.items = NULL;
    T_TRUE(hdump_record_equal(HDUMP_GO1_7, &a, &b));
}

/* Objects take hdump_record_equal's direct path for go1.4..go1.7: address
 * and contents still tell them apart, type and kind (go1.3 only) do not,
 * and go1.3 still compares them through the table. */
static void test_record_equal_objects(void) {
    static const uint8_t c1[16] = {1, 2, 3}, c2[16] = {1, 2, 4};
    hdump_record a, b;
    object_record(&a, c1, sizeof c1);
    for (int v = HDUMP_GO1_4; v <= HDUMP_GO1_7; v++) {
        b = a;
        T_TRUE(hdump_record_equal((hdump_version)v, &a, &b));
        b.u.object.addr += 8;
        T_TRUE(!hdump_record_equal((hdump_version)v, &a, &b));
        b = a;
        b.u.object.contents.ptr = c2;
        T_TRUE(!hdump_record_equal((hdump_version)v, &a, &b));
        b = a;
        b.u.object.contents.len = 15;
        T_TRUE(!hdump_record_equal((hdump_version)v, &a, &b));
        b = a;
        b.u.object.type_addr = 0x4000;
        b.u.object.kind = 127;
        T_TRUE(hdump_record_equal((hdump_version)v, &a, &b));
    }
    b = a;
    b.u.object.kind = 127;
    T_TRUE(!hdump_record_equal(HDUMP_GO1_3, &a, &b));
}

int main(void) {
    recgen_arena_init(&arena, 42);
    test_record_fields();
    test_record_equal_fields();
    test_record_equal_objects();
    static const size_t bufsizes[] = {64, 4096, 1 << 20};
    for (int v = HDUMP_GO1_3; v <= HDUMP_GO1_7; v++) {
        hdump_membuf first;
        memset(&first, 0, sizeof first);
        for (size_t b = 0; b < 3; b++) {
            hdump_membuf m = write_stream((hdump_version)v, bufsizes[b]);
            /* The buffer size changes how bytes reach the sink, never the bytes. */
            if (b == 0) {
                first = m;
            } else {
                T_EQ(m.len, first.len);
                T_TRUE(m.len == first.len && memcmp(m.data, first.data, m.len) == 0);
                hdump_membuf_free(&m);
            }
        }
        read_back((hdump_version)v, &first, 0, 0, 0, 0);
        read_back((hdump_version)v, &first, 1, 1, 32, 16);
        read_back((hdump_version)v, &first, 1, 7, 64, 1);
        read_back((hdump_version)v, &first, 1, 4096, 0, 0);
        read_back((hdump_version)v, &first, 1, 1 << 20, 1 << 16, 1 << 20);
        hdump_membuf_free(&first);
    }
    return t_done();
}
