/* tests/unit/test_rt_queue.c: `hdump roundtrip --via queue`'s two threads
 * (cli/roundtrip_queue.c) driven directly, as cmd_roundtrip.c drives them:
 *  - every record read back equals the record queued for it, to EOF;
 *  - a flipped byte is seen (a read error or a record that differs);
 *  - when the generator runs out of memory mid-stream (an allocator that
 *    refuses to grow past what the generator was created with), the read
 *    ends with an error instead of hanging, every record read before it
 *    is equal, and rt_end reports HDUMP_ERR_NOMEM and names the generator,
 *    which is what makes the CLI say "the generator failed" and exit 2.
 * The writer's failure cannot be provoked this way (its sink only fails
 * when libc's realloc does). */
#include "cli.h"
#include "t.h"

/* An allocator that refuses any growth past `cap` bytes in use. */
typedef struct capped {
    size_t used, peak, cap;
    unsigned refused;
} capped;

static void *c_alloc(void *ctx, size_t n) {
    capped *c = ctx;
    if (n > c->cap - c->used) {
        c->refused++;
        return NULL;
    }
    void *p = malloc(n);
    if (p != NULL) c->used += n;
    if (c->used > c->peak) c->peak = c->used;
    return p;
}

static void *c_realloc(void *ctx, void *p, size_t old_n, size_t new_n) {
    capped *c = ctx;
    if (new_n > old_n && new_n - old_n > c->cap - c->used) {
        c->refused++;
        return NULL;
    }
    void *q = realloc(p, new_n);
    if (q != NULL) c->used = c->used - old_n + new_n;
    if (c->used > c->peak) c->peak = c->used;
    return q;
}

static void c_free(void *ctx, void *p, size_t n) {
    capped *c = ctx;
    if (p == NULL) return;
    c->used -= n;
    free(p);
}

typedef struct outcome {
    hdump_status read_st, end_st;
    const char *who;
    uint64_t records, differ;
} outcome;

static outcome run(const hdump_gen_opts *go, uint64_t flip) {
    outcome out;
    memset(&out, 0, sizeof out);
    rt_threads *rt = NULL;
    out.end_st = rt_start(go, flip, &rt);
    T_EQ(out.end_st, HDUMP_OK);
    if (out.end_st != HDUMP_OK) return out;
    hdump_reader *r = NULL;
    T_EQ(hdump_reader_new_source(NULL, rt_source(rt), &r), HDUMP_OK);
    hdump_record got;
    hdump_status sr;
    do {
        sr = hdump_reader_next(r, &got);
        if (sr < 0) break;
        const hdump_record *want = rt_expect(rt);
        if (want == NULL || !hdump_record_equal(go->version, want, &got) || want->index != got.index)
            out.differ++;
        out.records++;
    } while (sr == HDUMP_OK);
    out.read_st = sr;
    out.end_st = rt_end(rt, &out.who);
    hdump_reader_free(r);
    return out;
}

/* Records of a plain generation, and the allocator's use: right after
 * creation (*created) and at its peak (*peak). */
static uint64_t plain(const hdump_gen_opts *go, size_t *created, size_t *peak) {
    capped c = {0, 0, SIZE_MAX, 0};
    hdump_alloc a = {c_alloc, c_realloc, c_free, &c};
    hdump_gen_opts o = *go;
    o.alloc = &a;
    hdump_gen *g;
    T_EQ(hdump_gen_new(&o, &g), HDUMP_OK);
    *created = c.used;
    hdump_record rec;
    uint64_t n = 0;
    hdump_status st;
    do {
        st = hdump_gen_next(g, &rec);
        n++;
    } while (st == HDUMP_OK);
    T_EQ(st, HDUMP_END);
    hdump_gen_free(g);
    *peak = c.peak;
    return n;
}

static void test_equal(hdump_gen_profile p, hdump_version v, uint64_t objects) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    go.objects = objects;
    go.seed = 3;
    go.profile = p;
    go.version = v;
    size_t created, peak;
    uint64_t n = plain(&go, &created, &peak);
    outcome o = run(&go, UINT64_MAX);
    T_EQ(o.read_st, HDUMP_END);
    T_EQ(o.end_st, HDUMP_OK);
    T_TRUE(o.who == NULL);
    T_EQ(o.records, n);
    T_EQ(o.differ, 0);
}

static void test_flip(void) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    go.objects = 20000;
    outcome o = run(&go, 100000);
    T_TRUE(o.read_st < 0 || o.differ > 0);
    T_EQ(o.end_st, HDUMP_OK); /* a bad dump is the reader's finding, not a failure */
}

static void test_generator_nomem(void) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    go.objects = 20000;
    go.profile = HDUMP_GEN_LARGE;
    size_t created, peak;
    uint64_t n = plain(&go, &created, &peak);
    /* The generation must grow past its creation, or this tests nothing;
     * half of that growth is allowed, so the failure comes mid-stream. */
    T_TRUE(peak > created);
    capped c = {0, 0, created + (peak - created) / 2, 0};
    hdump_alloc a = {c_alloc, c_realloc, c_free, &c};
    go.alloc = &a;
    outcome o = run(&go, UINT64_MAX);
    T_TRUE(o.read_st < 0);
    T_EQ(o.end_st, HDUMP_ERR_NOMEM);
    T_TRUE(o.who != NULL && strcmp(o.who, "generator") == 0);
    T_TRUE(o.records > 0 && o.records < n);
    T_EQ(o.differ, 0);
    T_TRUE(c.refused > 0);
    T_EQ(c.used, 0); /* rt_end freed the generator */
    printf("generator refused memory after %" PRIu64 " of %" PRIu64 " records\n", o.records, n);
}

int main(void) {
    test_equal(HDUMP_GEN_MIXED, HDUMP_GO1_7, 30000);
    test_equal(HDUMP_GEN_LARGE, HDUMP_GO1_7, 3000);
    test_equal(HDUMP_GEN_GOROUTINES, HDUMP_GO1_4, 3000);
    test_equal(HDUMP_GEN_SMALL, HDUMP_GO1_3, 30000);
    test_flip();
    test_generator_nomem();
    return t_done();
}
