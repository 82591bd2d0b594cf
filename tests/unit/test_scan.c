/* tests/unit/test_scan.c [DUMP...]: hdump_scan_mem (reader/scan.c) gives,
 * for any input, what a single reader with the same options gives: the
 * kept parts, in order, hold the reader's records (each record's every
 * field, its offset, and its index counted within its part), and the scan
 * ends with the reader's status and error (code, offset, index counted from
 * the dump's first record, tag).
 *
 * Inputs: the real dumps named on the command line; generated dumps of
 * every version (go1.3's objects take the reader's table walk); for each,
 * 2 to 8 parts, lax and strict. Then inputs meant to mislead the guesses:
 * random byte changes, truncations and trailing bytes; a dump whose one big
 * object holds a whole dump (guesses in it are wrong and must be dropped);
 * a run of bytes that parses from every offset (the guess budget); and
 * max_records at every part boundary and around it; field lists of every
 * length up to 320, with and without max_fields. Each scan runs twice: one
 * record per call (on_record) and in batches (on_batch). Also a callback
 * that stops the scan, and usage errors. */
#include <pthread.h>

#include "digest.h"
#include "tdump.h"

static uint64_t rec_digest(int version, const hdump_record *rec) {
    hdump_record c = *rec;
    c.index = 0;
    return digest_record(version, &c, NULL);
}

/* ---- The single reader ---- */
typedef struct outcome {
    hdump_status st;
    hdump_error err;
    t_rlist recs;
    int header_ok; /* hdump_reader_version succeeded */
} outcome;

static outcome run_reader(const hdump_reader_opts *o, const uint8_t *d, size_t n, int version) {
    outcome out;
    memset(&out, 0, sizeof out);
    hdump_reader *r;
    if ((hdump_reader_new_mem)(o, d, n, &r) != HDUMP_OK) abort();
    hdump_version v;
    out.header_ok = hdump_reader_version(r, &v) == HDUMP_OK;
    hdump_record rec;
    while ((out.st = hdump_reader_next(r, &rec)) == HDUMP_OK || out.st == HDUMP_END) {
        t_rl_push(&out.recs, rec_digest(version, &rec), rec.index);
        if (out.st == HDUMP_END) break;
    }
    out.err = *hdump_reader_error(r);
    hdump_reader_free(r);
    return out;
}

/* ---- The scan ---- */
#define MAXP 64 /* 8 threads at most here: 64 parts */
typedef struct scan_ctx {
    int version;
    t_rlist part[MAXP];
    unsigned drops[MAXP];
    int bad_part;             /* a part number out of range (written by any thread) */
    uint64_t stop_after;      /* part 0 stops the scan after this many records; 0: never */
    int batch;                /* on_batch instead of on_record */
    int bad_batch;            /* a batch of 0 or more than 16 records */
    uint64_t batches;         /* batches received (any thread; only read when single-threaded) */
    pthread_t caller;
    int drop_off_caller;      /* on_drop ran on another thread */
} scan_ctx;

static int on_record(void *vctx, unsigned part, const hdump_record *rec) {
    scan_ctx *c = vctx;
    if (part >= MAXP) {
        c->bad_part = 1;
        return 1;
    }
    t_rl_push(&c->part[part], rec_digest(c->version, rec), rec->index);
    return c->stop_after && part == 0 && c->part[0].n >= c->stop_after;
}

/* Every record's digest is taken during the call: records of one batch
 * whose lists shared memory would not match the reader's. */
static int on_batch(void *vctx, unsigned part, const hdump_record *recs, size_t n) {
    scan_ctx *c = vctx;
    if (part >= MAXP) {
        c->bad_part = 1;
        return 1;
    }
    if (n == 0 || n > 16) c->bad_batch = 1;
    if (part == 0) c->batches++;
    for (size_t i = 0; i < n; i++)
        t_rl_push(&c->part[part], rec_digest(c->version, &recs[i]), recs[i].index);
    return c->stop_after && part == 0 && c->part[0].n >= c->stop_after;
}

static void on_drop(void *vctx, unsigned part) {
    scan_ctx *c = vctx;
    if (!pthread_equal(pthread_self(), c->caller)) c->drop_off_caller = 1;
    if (part >= MAXP) {
        c->bad_part = 1;
        return;
    }
    c->part[part].n = 0;
    c->drops[part]++;
}

static unsigned total_dropped;
static unsigned configs;

/* Runs the scan with the test's callbacks, on_batch or on_record; part 0
 * stops it after stop_after records (0: never). The caller frees the
 * context with ctx_free. */
static scan_ctx *run_scan(const hdump_scan_opts *so, const uint8_t *d, size_t n, int batch,
                          uint64_t stop_after, hdump_scan_result *res, hdump_status *st) {
    scan_ctx *c = calloc(1, sizeof *c);
    if (c == NULL) abort();
    c->version = t_version_of(d, n);
    c->caller = pthread_self();
    c->stop_after = stop_after;
    c->batch = batch;
    hdump_scan_fns f = {.on_drop = on_drop};
    if (batch)
        f.on_batch = on_batch;
    else
        f.on_record = on_record;
    *st = hdump_scan_mem(so, d, n, &f, c, res);
    return c;
}

static void ctx_free(scan_ctx *c) {
    for (unsigned p = 0; p < MAXP; p++) t_rl_free(&c->part[p]);
    free(c);
}

/* The scan (on_batch or on_record) against the reader's outcome `want`;
 * each part's kept records go to kept[0..MAXP). */
static void check_one(const char *what, const uint8_t *d, size_t n, const hdump_scan_opts *so,
                      int batch, int version, const outcome *o, uint64_t *kept) {
    const outcome want = *o;
    hdump_scan_result res;
    hdump_status st;
    scan_ctx *c = run_scan(so, d, n, batch, 0, &res, &st);
    configs++;
    total_dropped += res.dropped;
    unsigned np = hdump_scan_parts(so, n);
    int ok = st == want.st && res.err.code == want.err.code && res.parts == np &&
             !c->bad_part && !c->bad_batch && !c->drop_off_caller &&
             (int)res.version == (want.header_ok ? version : 0);
    if (want.err.code != HDUMP_OK)
        ok = ok && res.err.offset == want.err.offset &&
             res.err.record_index == want.err.record_index && res.err.tag == want.err.tag &&
             res.err.msg == want.err.msg;
    /* concatenate the parts: each part's indices count from 0 */
    size_t at = 0;
    for (unsigned p = 0; p < np && ok; p++) {
        const t_rlist *l = &c->part[p];
        for (size_t i = 0; i < l->n && ok; i++, at++)
            ok = at < want.recs.n && l->h[i] == want.recs.h[at] && l->idx[i] == i &&
                 want.recs.idx[at] == at;
    }
    ok = ok && at == want.recs.n && res.records == want.recs.n;
    for (unsigned p = 0; p < MAXP; p++) kept[p] = p < np ? c->part[p].n : 0;
    T_CHECK(ok,
            "%s: threads %u min_part %zu strict %d batch %d: scan st %d err %d @%" PRIu64 " #%" PRIu64
            " recs %zu (res %" PRIu64 ", dropped %u); reader st %d err %d @%" PRIu64
            " #%" PRIu64 " recs %zu",
            what, so->threads, so->min_part, so->reader.strict, batch, (int)st, (int)res.err.code,
            res.err.offset, res.err.record_index, at, res.records, res.dropped, (int)want.st,
            (int)want.err.code, want.err.offset, want.err.record_index, want.recs.n);
    ctx_free(c);
}

/* The scan against the reader, for one input and one set of options, both
 * ways of receiving records. */
static void check_same(const char *what, const uint8_t *d, size_t n, const hdump_scan_opts *so) {
    int version = t_version_of(d, n);
    outcome want = run_reader(&so->reader, d, n, version);
    uint64_t by_record[MAXP], by_batch[MAXP];
    check_one(what, d, n, so, 0, version, &want, by_record);
    check_one(what, d, n, so, 1, version, &want, by_batch);
    /* the guesses and the checks do not depend on how records are handed
     * over: the parts hold the same records both ways (a batch that ran
     * past its part's end would make the next part's guess be dropped) */
    T_CHECK(memcmp(by_record, by_batch, sizeof by_record) == 0,
            "%s: threads %u min_part %zu strict %d: the parts differ with on_batch", what,
            so->threads, so->min_part, so->reader.strict);
    t_rl_free(&want.recs);
}

static void scan_opts(hdump_scan_opts *so, unsigned threads, size_t min_part, int strict) {
    hdump_scan_opts_init(so);
    so->reader.kernel = t_kernel();
    so->reader.strict = strict;
    so->threads = threads;
    so->min_part = min_part;
}

/* Every part count 1..8 (min_part 1: as many parts as threads), lax and strict. */
static void check_all_splits(const char *what, const uint8_t *d, size_t n) {
    static const unsigned th[] = {1, 2, 3, 8};
    for (size_t i = 0; i < sizeof th / sizeof th[0]; i++)
        for (int strict = 0; strict < 2; strict++) {
            hdump_scan_opts so;
            scan_opts(&so, th[i], 1, strict);
            check_same(what, d, n, &so);
        }
}

/* ---- Inputs ---- */
static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void) { return t_rand(&rng); }

/* Random damage (t_mutate). */
static void check_mutations(const char *what, const uint8_t *d, size_t n, int rounds) {
    uint8_t *m = malloc(n + 64);
    if (m == NULL) abort();
    char name[160];
    for (int i = 0; i < rounds; i++) {
        int kind;
        size_t len = t_mutate(m, d, n, &rng, &kind);
        snprintf(name, sizeof name, "%s mutation %d (kind %d)", what, i, kind);
        hdump_scan_opts so;
        scan_opts(&so, 2 + (unsigned)(rnd() % 7), 1, (int)(rnd() % 2));
        check_same(name, m, len, &so);
    }
    free(m);
}

/* max_records at every kept part's first record and one either side. */
static void check_limits(const char *what, const uint8_t *d, size_t n) {
    hdump_scan_opts so;
    scan_opts(&so, 4, 1, 0);
    hdump_scan_result res;
    hdump_status st;
    scan_ctx *c = run_scan(&so, d, n, 0, 0, &res, &st);
    uint64_t firsts[MAXP + 1], nf = 0, sum = 0;
    T_TRUE(res.parts <= MAXP);
    for (unsigned p = 0; p < res.parts && p < MAXP; p++) {
        firsts[nf++] = sum;
        sum += c->part[p].n;
    }
    firsts[nf++] = sum;
    ctx_free(c);
    char name[160];
    for (uint64_t i = 0; i < nf; i++)
        for (int dx = -1; dx <= 1; dx++) {
            uint64_t lim = firsts[i] + (uint64_t)(int64_t)dx;
            if (lim == 0 || lim == UINT64_MAX) continue; /* 0 means the default */
            so.reader.limits.max_records = lim;
            snprintf(name, sizeof name, "%s max_records %" PRIu64, what, lim);
            check_same(name, d, n, &so);
        }
}

/* A go1.7 dump whose one object holds `inner` (a whole dump) as contents:
 * the guesses of the parts inside it parse and are wrong. */
static hdump_membuf nested_dump(const hdump_membuf *inner) {
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    hdump_writer *w;
    if (hdump_writer_new(NULL, hdump_sink_membuf(&m), &w) != HDUMP_OK) abort();
    uint64_t addr = 0xc000100000ULL;
    if (hdump_writer_put_object(w, addr, inner->data, inner->len, NULL) != HDUMP_OK) abort();
    if (hdump_writer_put_object(w, addr + inner->len, inner->data, 16, NULL) != HDUMP_OK) abort();
    if (hdump_writer_finish(w) != HDUMP_OK) abort();
    hdump_writer_free(w);
    return m;
}

/* Part 0 stops the scan after 10 records: one by one exactly there; in
 * batches at the end of the batch that reached 10. */
static void check_stop(const uint8_t *d, size_t n) {
    for (int batch = 0; batch < 2; batch++) {
        hdump_scan_opts so;
        scan_opts(&so, 2, 1, 0);
        hdump_scan_result res;
        hdump_status st;
        scan_ctx *c = run_scan(&so, d, n, batch, 10, &res, &st);
        T_EQ(st, HDUMP_OK);
        T_EQ(res.err.code, HDUMP_OK);
        if (batch)
            T_TRUE(c->part[0].n >= 10 && c->part[0].n < 10 + 16);
        else
            T_EQ(c->part[0].n, 10);
        ctx_free(c);
    }
}

/* Long and short field lists, with and without a max_fields the batch
 * must honour as the reader does (a list longer than it is an error). */
static void check_fields(void) {
    hdump_membuf m = t_fields_dump(3000, 320, &rng);
    check_all_splits("field lists", m.data, m.len);
    static const uint64_t maxf[] = {1, 3, 11, 64, 200};
    for (size_t i = 0; i < sizeof maxf / sizeof maxf[0]; i++) {
        hdump_scan_opts so;
        scan_opts(&so, 3, 1, (int)(i % 2));
        so.reader.limits.max_fields = maxf[i];
        char name[64];
        snprintf(name, sizeof name, "field lists, max_fields %" PRIu64, maxf[i]);
        check_same(name, m.data, m.len, &so);
    }
    /* one thread: most batches are full */
    hdump_scan_opts so;
    scan_opts(&so, 1, 1, 0);
    hdump_scan_result res;
    hdump_status st;
    scan_ctx *c = run_scan(&so, m.data, m.len, 1, 0, &res, &st);
    T_EQ(st, HDUMP_END);
    T_TRUE(c->batches > 0 && c->batches < c->part[0].n / 4);
    ctx_free(c);
    hdump_membuf_free(&m);
}

static void check_usage(const uint8_t *d, size_t n) {
    hdump_scan_opts so;
    scan_opts(&so, 2, 1, 0);
    scan_ctx c;
    memset(&c, 0, sizeof c);
    hdump_scan_fns f = {on_record, on_drop, NULL}, none = {NULL, NULL, NULL},
                   both = {on_record, on_drop, on_batch};
    hdump_scan_result res;
    T_EQ(hdump_scan_mem(&so, NULL, 10, &f, &c, &res), HDUMP_ERR_USAGE);
    T_EQ(res.err.code, HDUMP_ERR_USAGE);
    T_EQ(hdump_scan_mem(&so, d, n, NULL, &c, &res), HDUMP_ERR_USAGE);
    T_EQ(hdump_scan_mem(&so, d, n, &none, &c, &res), HDUMP_ERR_USAGE);
    T_EQ(hdump_scan_mem(&so, d, n, &both, &c, &res), HDUMP_ERR_USAGE);
    so.threads = 65;
    T_EQ(hdump_scan_mem(&so, d, n, &f, &c, &res), HDUMP_ERR_USAGE);
    /* the defaults: 2 threads, 8 parts each, of 1 MiB or more */
    T_EQ(hdump_scan_parts(NULL, (size_t)64 << 20), 16);
    T_EQ(hdump_scan_parts(NULL, (size_t)8 << 20), 8);
    T_EQ(hdump_scan_parts(NULL, (size_t)1 << 20), 1);
    T_EQ(hdump_scan_parts(NULL, 0), 1);
    so.threads = 64;
    so.min_part = 1;
    T_EQ(hdump_scan_parts(&so, 1000), 512);
    T_EQ(hdump_scan_parts(&so, 3), 3);
    so.threads = 1;
    T_EQ(hdump_scan_parts(&so, 1000), 1);
    for (unsigned p = 0; p < MAXP; p++) t_rl_free(&c.part[p]);
}

/* A real dump, or a generated one of some version. */
static void check_dump(const char *name, const uint8_t *d, size_t n, int generated) {
    check_all_splits(name, d, n);
    /* (fuzz_scan mutates without end; here a fixed sample, sized so the
     * ASan build stays quick) */
    check_mutations(name, d, n, generated ? 30 : 16);
}

int main(int argc, char **argv) {
    t_each_input(argc, argv, 7, check_dump);
    hdump_membuf mixed = t_gen_dump(HDUMP_GO1_7, HDUMP_GEN_MIXED, 20000, 3);
    check_all_splits("gen mixed", mixed.data, mixed.len);
    check_mutations("gen mixed", mixed.data, mixed.len, 60);
    check_limits("gen mixed", mixed.data, mixed.len);
    check_stop(mixed.data, mixed.len);
    check_usage(mixed.data, mixed.len);
    check_fields();

    /* a dump inside an object: the guesses inside it are wrong */
    unsigned before = total_dropped;
    hdump_membuf nest = nested_dump(&mixed);
    check_all_splits("nested", nest.data, nest.len);
    check_limits("nested", nest.data, nest.len);
    T_CHECK(total_dropped > before, "no wrong guess was dropped in the nested dump");
    hdump_membuf_free(&nest);

    /* bytes that parse from every offset: object records of 1-byte fields
     * (tag 1, address 1, length 1, a byte, then kind 1 offset 1 ... ) with no
     * end; the guesses' budget keeps this to about a pass more */
    {
        size_t n = (size_t)1 << 20;
        uint8_t *d = malloc(n);
        if (d == NULL) abort();
        memcpy(d, mixed.data, 16);
        memset(d + 16, 1, n - 16);
        check_all_splits("runs of 0x01", d, n);
        free(d);
    }
    hdump_membuf_free(&mixed);
    printf("%u scans compared, %u parts dropped\n", configs, total_dropped);
    return t_done();
}
