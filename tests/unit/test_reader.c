/* tests/unit/test_reader.c: the visitor, real pipes, the range handler's
 * stop, the streaming record-size limit, and the memory bound. */
#include <pthread.h>
#include <unistd.h>

#include "chunksrc.h"
#include "recgen.h"
#include "t.h"

static recgen_arena arena;

/* ---- Visitor ---- */
typedef struct counts {
    uint64_t n[HDUMP_TAG_COUNT];
    uint64_t stop_after;
} counts;

static int count_cb(void *ctx, const hdump_record *r) {
    counts *c = ctx;
    c->n[r->tag]++;
    return c->stop_after && c->n[r->tag] >= c->stop_after;
}

static void test_visitor(void) {
    hdump_membuf m = recgen_dump(&arena, HDUMP_GO1_7, 170);
    hdump_reader *r;
    counts c;
    memset(&c, 0, sizeof c);
    hdump_visitor v;
    memset(&v, 0, sizeof v);
    v.on_object = count_cb;
    v.on_memprof = count_cb;
    v.on_eof = count_cb;
    T_EQ(hdump_reader_new_mem(NULL, m.data, m.len, &r), HDUMP_OK);
    T_EQ(hdump_reader_visit(r, &v, &c), HDUMP_END);
    T_EQ(c.n[HDUMP_TAG_OBJECT], 10);
    T_EQ(c.n[HDUMP_TAG_MEMPROF], 10);
    T_EQ(c.n[HDUMP_TAG_EOF], 1);
    T_EQ(c.n[HDUMP_TAG_TYPE], 0); /* NULL callback: skipped */
    hdump_reader_free(r);
    /* A callback that stops: visit returns OK and pulling can go on. */
    memset(&c, 0, sizeof c);
    c.stop_after = 3;
    T_EQ(hdump_reader_new_mem(NULL, m.data, m.len, &r), HDUMP_OK);
    T_EQ(hdump_reader_visit(r, &v, &c), HDUMP_OK);
    T_EQ(c.n[HDUMP_TAG_OBJECT], 3);
    hdump_record rec;
    T_EQ(hdump_reader_next(r, &rec), HDUMP_OK);
    T_EQ(rec.index, 2 * 17 + 1); /* the record after the 3rd object */
    hdump_reader_free(r);
    hdump_membuf_free(&m);
}

/* ---- A real pipe fed by a thread in uneven pieces ---- */
typedef struct feeder {
    int fd;
    const uint8_t *p;
    size_t n;
} feeder;

static void *feed(void *arg) {
    feeder *f = arg;
    size_t at = 0, step = 1;
    while (at < f->n) {
        size_t k = f->n - at < step ? f->n - at : step;
        ssize_t w = write(f->fd, f->p + at, k);
        if (w <= 0) break;
        at += (size_t)w;
        step = step * 3 % 9973 + 1;
    }
    close(f->fd);
    return NULL;
}

static void test_pipe(void) {
    hdump_membuf m = recgen_dump(&arena, HDUMP_GO1_3, 500);
    int p[2];
    T_EQ(pipe(p), 0);
    feeder f = {p[1], m.data, m.len};
    pthread_t th;
    pthread_create(&th, NULL, feed, &f);
    hdump_reader *mr, *pr;
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.buffer_size = 4096;
    T_EQ(hdump_reader_new_mem(NULL, m.data, m.len, &mr), HDUMP_OK);
    T_EQ(hdump_reader_new_fd(&o, p[0], &pr), HDUMP_OK);
    hdump_record a, b;
    hdump_status sa, sb;
    size_t n = 0, diff = 0;
    do {
        sa = hdump_reader_next(mr, &a);
        sb = hdump_reader_next(pr, &b);
        if (sa != sb || (sa >= 0 && (!hdump_record_equal(HDUMP_GO1_3, &a, &b) ||
                                     a.offset != b.offset)))
            diff++;
        n++;
    } while (sa == HDUMP_OK && sb == HDUMP_OK);
    T_EQ(sa, HDUMP_END);
    T_EQ(sb, HDUMP_END);
    T_EQ(diff, 0);
    T_EQ(n, 501);
    hdump_reader_free(mr);
    hdump_reader_free(pr);
    pthread_join(th, NULL);
    close(p[0]);
    hdump_membuf_free(&m);
}

/* ---- on_range asking to stop ---- */
static int stop_range(void *ctx, const hdump_range_chunk *c) {
    (void)ctx;
    return c->range_offset > 0;
}

/* Tracks the largest block allocated (reset after creation: then only
 * buffer growth allocates). */
static size_t largest;
static void *big_alloc(void *ctx, size_t n) {
    (void)ctx;
    if (n > largest) largest = n;
    return malloc(n);
}
static void *big_realloc(void *ctx, void *p, size_t o, size_t n) {
    (void)ctx;
    (void)o;
    if (n > largest) largest = n;
    return realloc(p, n);
}
static void big_free(void *ctx, void *p, size_t n) {
    (void)ctx;
    (void)n;
    free(p);
}

static void test_range_stop_and_limits(void) {
    /* header | 01 object | addr 00 | len 200 (c8 01) | 200 bytes | fields 00 | 00 EOF */
    static uint8_t in[16 + 1 + 1 + 2 + 200 + 1 + 1];
    memcpy(in, "go1.7 heap dump\n", 16);
    in[16] = 1;
    in[17] = 0;
    in[18] = 0xc8;
    in[19] = 0x01;
    memset(in + 20, 'x', 200);
    in[220] = 0;
    in[221] = 0;
    chunk_src s = {in, sizeof in, 0, 100};
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.buffer_size = 64;
    o.inline_max = 50;
    o.on_range = stop_range;
    hdump_source src = {chunk_read, &s, UINT64_MAX};
    hdump_reader *r;
    T_EQ(hdump_reader_new_source(&o, src, &r), HDUMP_OK);
    hdump_record rec;
    T_EQ(hdump_reader_next(r, &rec), HDUMP_ERR_USAGE);
    T_EQ(hdump_reader_error(r)->tag, HDUMP_TAG_OBJECT);
    hdump_reader_free(r);
    /* Without a handler the 200 bytes are skipped, the view is {NULL, 200}. */
    s.pos = 0;
    o.on_range = NULL;
    T_EQ(hdump_reader_new_source(&o, src, &r), HDUMP_OK);
    T_EQ(hdump_reader_next(r, &rec), HDUMP_OK);
    T_TRUE(rec.u.object.contents.ptr == NULL);
    T_EQ(rec.u.object.contents.len, 200);
    T_EQ(hdump_reader_next(r, &rec), HDUMP_END);
    hdump_reader_free(r);
    /* Inline (inline_max 1000) the 200 bytes must be kept in a buffer of 64:
     * it grows, unless max_record_bytes forbids (limit at the range's first byte). */
    s.pos = 0;
    o.inline_max = 1000;
    T_EQ(hdump_reader_new_source(&o, src, &r), HDUMP_OK);
    T_EQ(hdump_reader_next(r, &rec), HDUMP_OK);
    T_TRUE(rec.u.object.contents.ptr != NULL && rec.u.object.contents.ptr[199] == 'x');
    hdump_reader_free(r);
    /* The limit is a hard cap on the buffer: growing for the 200-byte range
     * under a 210-byte limit allocates at most 210 bytes at once. */
    s.pos = 0;
    o.limits.max_record_bytes = 210;
    largest = 0;
    hdump_alloc al = {big_alloc, big_realloc, big_free, NULL};
    o.alloc = &al;
    T_EQ(hdump_reader_new_source(&o, src, &r), HDUMP_OK);
    largest = 0;
    T_EQ(hdump_reader_next(r, &rec), HDUMP_OK);
    T_EQ(hdump_reader_next(r, &rec), HDUMP_END);
    hdump_reader_free(r);
    T_TRUE(largest > 64 && largest <= 210);
    o.alloc = NULL;
    s.pos = 0;
    o.limits.max_record_bytes = 100;
    T_EQ(hdump_reader_new_source(&o, src, &r), HDUMP_OK);
    T_EQ(hdump_reader_next(r, &rec), HDUMP_ERR_LIMIT);
    T_EQ(hdump_reader_error(r)->offset, 20);
    hdump_reader_free(r);
}

/* ---- Memory is bounded by the options, not the input ---- */
typedef struct peak_alloc {
    size_t live, peak;
} peak_alloc;
static void *pa_alloc(void *ctx, size_t n) {
    peak_alloc *a = ctx;
    a->live += n;
    if (a->live > a->peak) a->peak = a->live;
    return malloc(n);
}
static void *pa_realloc(void *ctx, void *p, size_t o, size_t n) {
    peak_alloc *a = ctx;
    a->live = a->live - o + n;
    if (a->live > a->peak) a->peak = a->live;
    return realloc(p, n);
}
static void pa_free(void *ctx, void *p, size_t n) {
    peak_alloc *a = ctx;
    a->live -= n;
    free(p);
}

static void test_memory_bound(void) {
    /* A 4 MiB object through a 64 KiB streaming buffer: the reader's memory
     * stays at the buffer plus small arrays. */
    size_t big = 4u << 20;
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    hdump_writer *w;
    T_EQ(hdump_writer_new(NULL, hdump_sink_membuf(&m), &w), HDUMP_OK);
    uint8_t *obj = calloc(1, big);
    T_EQ(hdump_writer_put_object(w, 0xc000000000, obj, big, NULL), HDUMP_OK);
    T_EQ(hdump_writer_finish(w), HDUMP_OK);
    hdump_writer_free(w);
    free(obj);
    peak_alloc pa = {0, 0};
    hdump_alloc al = {pa_alloc, pa_realloc, pa_free, &pa};
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.alloc = &al;
    o.buffer_size = 64 << 10;
    chunk_src s = {m.data, m.len, 0, 100};
    hdump_source src = {chunk_read, &s, UINT64_MAX};
    hdump_reader *r;
    T_EQ(hdump_reader_new_source(&o, src, &r), HDUMP_OK);
    hdump_record rec;
    T_EQ(hdump_reader_next(r, &rec), HDUMP_OK);
    T_EQ(rec.u.object.contents.len, big);
    T_EQ(hdump_reader_next(r, &rec), HDUMP_END);
    hdump_reader_free(r);
    T_TRUE(pa.peak < (64u << 10) + 8192);
    T_EQ(pa.live, 0);
    hdump_membuf_free(&m);
}

int main(void) {
    recgen_arena_init(&arena, 3);
    test_visitor();
    test_pipe();
    test_range_stop_and_limits();
    test_memory_bound();
    return t_done();
}
