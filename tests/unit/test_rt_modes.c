/* tests/unit/test_rt_modes.c: `hdump roundtrip`'s two-thread modes driven
 * directly, as cmd_roundtrip.c drives them: --via queue
 * (cli/roundtrip_queue.c: the expectation is the queued record), --via
 * threads (cli/roundtrip_ring.c) and --via pipe (cli/roundtrip_pipe.c; in
 * these two the expectation is regenerated on the reading thread). For
 * each:
 *  - every record read back equals its expectation, to EOF;
 *  - a flipped byte is seen (a read error or a record that differs);
 *  - when the generator runs out of memory mid-stream (an allocator that
 *    refuses its largest growth), the read ends
 *    with an error instead of hanging, every record read before it is
 *    equal, and the mode's end reports HDUMP_ERR_NOMEM and names the
 *    generator, which is what makes the CLI say "the generator failed"
 *    and exit 2.
 * cli_write_all names the writer when the sink fails (a sink that refuses
 * after some bytes). */
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

enum { QUEUE, RING, PIPE };
static const char *const mode_name[] = {"queue", "threads", "pipe"};

/* One round trip: --via queue, threads or pipe. */
static outcome run(const hdump_gen_opts *go, uint64_t flip, int mode) {
    outcome out;
    memset(&out, 0, sizeof out);
    rt_threads *rt = NULL;
    rt_ring *rg = NULL;
    rt_pipe *pp = NULL;
    hdump_gen *exp = NULL;
    int fd = -1;
    out.end_st = mode == QUEUE  ? rt_start(go, flip, &rt)
                 : mode == RING ? rg_start(go, flip, &rg)
                                : pp_start(go, flip, &pp, &fd);
    T_EQ(out.end_st, HDUMP_OK);
    if (out.end_st != HDUMP_OK) return out;
    if (mode != QUEUE) {
        hdump_gen_opts eo = *go;
        eo.alloc = NULL; /* the expectation's own generator does not fail */
        T_EQ(hdump_gen_new(&eo, &exp), HDUMP_OK);
    }
    hdump_reader *r = NULL;
    if (mode == PIPE)
        T_EQ(hdump_reader_new_fd(NULL, fd, &r), HDUMP_OK);
    else
        T_EQ(hdump_reader_new_source(NULL, mode == RING ? rg_source(rg) : rt_source(rt), &r), HDUMP_OK);
    hdump_record got, regen;
    hdump_status sr;
    do {
        sr = hdump_reader_next(r, &got);
        if (sr < 0) break;
        const hdump_record *want = &regen;
        if (mode == QUEUE)
            want = rt_expect(rt);
        else
            (void)hdump_gen_next(exp, &regen);
        if (want == NULL || !hdump_record_equal(go->version, want, &got) || want->index != got.index)
            out.differ++;
        out.records++;
    } while (sr == HDUMP_OK);
    out.read_st = sr;
    out.end_st = mode == QUEUE  ? rt_end(rt, &out.who)
                 : mode == RING ? rg_end(rg, &out.who)
                                : pp_end(pp, sr >= 0 && out.differ == 0, &out.who);
    hdump_reader_free(r);
    hdump_gen_free(exp);
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

static void test_equal(hdump_gen_profile p, hdump_version v, uint64_t objects, int mode) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    go.objects = objects;
    go.seed = 3;
    go.profile = p;
    go.version = v;
    size_t created, peak;
    uint64_t n = plain(&go, &created, &peak);
    outcome o = run(&go, UINT64_MAX, mode);
    T_EQ(o.read_st, HDUMP_END);
    T_EQ(o.end_st, HDUMP_OK);
    T_TRUE(o.who == NULL);
    T_EQ(o.records, n);
    T_EQ(o.differ, 0);
}

static void test_flip(int mode) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    go.objects = 20000;
    outcome o = run(&go, 100000, mode);
    T_TRUE(o.read_st < 0 || o.differ > 0);
    T_EQ(o.end_st, HDUMP_OK); /* a bad dump is the reader's finding, not a failure */
}

static void test_generator_nomem(int mode) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    go.objects = 20000;
    go.profile = HDUMP_GEN_LARGE;
    size_t created, peak;
    uint64_t n = plain(&go, &created, &peak);
    /* The generation must grow past its creation, or this tests nothing;
     * all but its last byte is allowed, so the failure comes at the
     * generation's largest growth, mid-stream. */
    T_TRUE(peak > created);
    capped c = {0, 0, peak - 1, 0};
    hdump_alloc a = {c_alloc, c_realloc, c_free, &c};
    go.alloc = &a;
    outcome o = run(&go, UINT64_MAX, mode);
    T_TRUE(o.read_st < 0);
    T_EQ(o.end_st, HDUMP_ERR_NOMEM);
    T_TRUE(o.who != NULL && strcmp(o.who, "generator") == 0);
    T_TRUE(o.records > 0 && o.records < n);
    T_EQ(o.differ, 0);
    T_TRUE(c.refused > 0);
    T_EQ(c.used, 0); /* rt_end freed the generator */
    printf("%s: generator refused memory; %" PRIu64 " of %" PRIu64 " records read, all equal\n",
           mode_name[mode], o.records, n);
}

/* A sink that takes `left` bytes, then fails. */
static hdump_status short_sink(void *ctx, const void *p, size_t n) {
    (void)p;
    size_t *left = ctx;
    if (n > *left) return HDUMP_ERR_IO;
    *left -= n;
    return HDUMP_OK;
}

static void test_write_all_names(void) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    go.objects = 20000;
    size_t left = 100000;
    hdump_sink s = {short_sink, &left};
    const char *who = NULL;
    hdump_error werr;
    memset(&werr, 0, sizeof werr);
    T_EQ(cli_write_all(&go, s, &who, &werr), HDUMP_ERR_IO);
    T_TRUE(who != NULL && strcmp(who, "writer") == 0);
    T_EQ(werr.code, HDUMP_ERR_IO);
    T_TRUE(werr.offset <= 100000 && werr.offset > 90000); /* the 4 KiB block that failed */

    left = SIZE_MAX;
    who = NULL;
    T_EQ(cli_write_all(&go, s, &who, NULL), HDUMP_OK);
    T_TRUE(who == NULL);
}

int main(void) {
    for (int mode = QUEUE; mode <= PIPE; mode++) {
        test_equal(HDUMP_GEN_MIXED, HDUMP_GO1_7, 30000, mode);
        test_equal(HDUMP_GEN_LARGE, HDUMP_GO1_7, 3000, mode);
        test_equal(HDUMP_GEN_GOROUTINES, HDUMP_GO1_4, 3000, mode);
        test_equal(HDUMP_GEN_SMALL, HDUMP_GO1_3, 30000, mode);
        test_flip(mode);
        test_generator_nomem(mode);
    }
    test_write_all_names();
    return t_done();
}
