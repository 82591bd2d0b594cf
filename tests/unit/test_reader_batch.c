/* tests/unit/test_reader_batch.c [DUMP...]: hdump_reader_next_batch gives
 * what as many hdump_reader_next calls give: the same records (every field,
 * offset and index, each record's views its own: digests are taken during
 * the batch, after every record of it was read), the same end (HDUMP_END
 * and the EOF record, again on later calls) and the same first error
 * (code, offset, record index, tag, message), with at most max records a
 * batch and at least one unless it stopped on an error.
 *
 * Readers: memory, mmap (the run of objects in one fast-path call) and a
 * streaming fd reader (one record a batch); lax and strict; max 1, 3, 16
 * and 1000; the default max_fields and one below the pool's size (one
 * record a batch). Inputs: the real dumps named on the command line,
 * generated dumps of every version (go1.3's objects take the table walk),
 * objects with field lists of 0 to 600 entries (longer than the pool, and
 * filling it part way), and random damage. A memory reader's batches must
 * hold more than 16 objects somewhere on a generated heap (the runs
 * happen). Also usage errors. */
#include <fcntl.h>
#include <unistd.h>

#include "digest.h"
#include "tdump.h"

enum { MEM, MMAP, FD };
static const char *const kind_name[] = {"mem", "mmap", "fd"};

typedef struct seq {
    t_rlist l;      /* each record's digest and index */
    hdump_status st;
    hdump_error err;
    size_t longest; /* the longest batch */
    int bad;        /* a batch broke the contract (size, status) */
} seq;

static const char *tmp_path = "test_reader_batch.tmp";

static hdump_reader *open_reader(int kind, hdump_reader_opts *o, const uint8_t *d, size_t n,
                                 digest_ranges *dr, int *fd) {
    hdump_reader *r = NULL;
    *fd = -1;
    o->on_range = digest_on_range;
    o->on_range_ctx = dr;
    if (kind == MEM) {
        if (hdump_reader_new_mem(o, d, n, &r) != HDUMP_OK) abort();
    } else if (kind == MMAP) {
        if (hdump_reader_new_mmap(o, tmp_path, &r) != HDUMP_OK) abort();
    } else {
        *fd = open(tmp_path, O_RDONLY);
        if (*fd < 0 || hdump_reader_new_fd(o, *fd, &r) != HDUMP_OK) abort();
    }
    return r;
}

static void close_reader(hdump_reader *r, int fd) {
    hdump_reader_free(r);
    if (fd >= 0) close(fd);
}

/* The records to the end or the first error: with hdump_reader_next when
 * max is 0, else with hdump_reader_next_batch, at most max a batch. */
static seq read_seq(int kind, hdump_reader_opts o, const uint8_t *d, size_t n, int version,
                    size_t max) {
    seq s;
    memset(&s, 0, sizeof s);
    digest_ranges dr;
    memset(&dr, 0, sizeof dr);
    int fd;
    hdump_reader *r = open_reader(kind, &o, d, n, &dr, &fd);
    static hdump_record recs[1000];
    if (max == 0) {
        while ((s.st = hdump_reader_next(r, &recs[0])) == HDUMP_OK || s.st == HDUMP_END) {
            t_rl_push(&s.l, digest_record(version, &recs[0], &dr), recs[0].index);
            if (s.st == HDUMP_END) break;
        }
        s.err = *hdump_reader_error(r);
        close_reader(r, fd);
        return s;
    }
    for (;;) {
        size_t k = 99999;
        s.st = hdump_reader_next_batch(r, recs, max, &k);
        int done = s.st != HDUMP_OK;
        if (k > max || (k == 0 && (s.st == HDUMP_OK || s.st == HDUMP_END)) ||
            (s.st == HDUMP_END && recs[k - 1].tag != HDUMP_TAG_EOF) ||
            (k > 1 && kind == FD))
            s.bad = 1;
        if (k > max) k = 0;
        if (k > s.longest) s.longest = k;
        for (size_t i = 0; i < k; i++) t_rl_push(&s.l, digest_record(version, &recs[i], &dr), recs[i].index);
        if (done) break;
    }
    s.err = *hdump_reader_error(r);
    /* after the end or an error, the same again */
    size_t k = 99999;
    hdump_status again = hdump_reader_next_batch(r, recs, max, &k);
    if (again != s.st || k != (s.st == HDUMP_END ? 1u : 0u) ||
        (s.st == HDUMP_END && recs[0].tag != HDUMP_TAG_EOF))
        s.bad = 1;
    close_reader(r, fd);
    return s;
}

static unsigned configs;
static size_t longest_mem; /* the longest memory-reader batch with the default max_fields */

/* Every reader kind, lax and strict, both max_fields, against hdump_reader_next;
 * all four maxes, or (quick: damaged copies) 3 and 1000. */
static void check_input(const char *what, const uint8_t *d, size_t n, int quick) {
    FILE *f = fopen(tmp_path, "wb");
    if (f == NULL || fwrite(d, 1, n, f) != n || fclose(f) != 0) abort();
    int version = t_version_of(d, n);
    static const size_t maxes[] = {1, 3, 16, 1000};
    for (int kind = MEM; kind <= FD; kind++)
        for (int strict = 0; strict < 2; strict++)
            for (int small = 0; small < 2; small++) {
                hdump_reader_opts o;
                t_reader_opts_init(&o);
                o.strict = strict;
                if (small) o.limits.max_fields = 40;
                seq want = read_seq(kind, o, d, n, version, 0);
                for (size_t m = quick ? 1 : 0; m < sizeof maxes / sizeof maxes[0]; m += quick ? 2 : 1) {
                    seq got = read_seq(kind, o, d, n, version, maxes[m]);
                    configs++;
                    int ok = !got.bad && got.st == want.st && got.l.n == want.l.n &&
                             got.err.code == want.err.code && got.err.offset == want.err.offset &&
                             got.err.record_index == want.err.record_index &&
                             got.err.tag == want.err.tag && got.err.msg == want.err.msg;
                    for (size_t i = 0; i < got.l.n && ok; i++)
                        ok = got.l.h[i] == want.l.h[i] && got.l.idx[i] == want.l.idx[i];
                    if (kind != FD && !small && got.longest > longest_mem) longest_mem = got.longest;
                    T_CHECK(ok,
                            "%s: %s strict %d max_fields %s max %zu: batch st %d err %d @%" PRIu64
                            " #%" PRIu64 " recs %zu bad %d; next st %d err %d @%" PRIu64
                            " #%" PRIu64 " recs %zu",
                            what, kind_name[kind], strict, small ? "40" : "default", maxes[m],
                            (int)got.st, (int)got.err.code, got.err.offset, got.err.record_index,
                            got.l.n, got.bad, (int)want.st, (int)want.err.code, want.err.offset,
                            want.err.record_index, want.l.n);
                    t_rl_free(&got.l);
                }
                t_rl_free(&want.l);
            }
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* Random damage (t_mutate). */
static void check_mutations(const char *what, const uint8_t *d, size_t n, int rounds) {
    uint8_t *m = malloc(n + 64);
    if (m == NULL) abort();
    char name[160];
    for (int i = 0; i < rounds; i++) {
        int kind;
        size_t len = t_mutate(m, d, n, &rng, &kind);
        snprintf(name, sizeof name, "%s mutation %d (kind %d)", what, i, kind);
        check_input(name, m, len, 1);
    }
    free(m);
}

static void check_usage(const uint8_t *d, size_t n) {
    hdump_reader *r;
    if (hdump_reader_new_mem(t_ro(NULL), d, n, &r) != HDUMP_OK) abort();
    hdump_record recs[2];
    size_t k = 7;
    T_EQ(hdump_reader_next_batch(NULL, recs, 2, &k), HDUMP_ERR_USAGE);
    T_EQ(k, 0);
    k = 7;
    T_EQ(hdump_reader_next_batch(r, NULL, 2, &k), HDUMP_ERR_USAGE);
    T_EQ(k, 0);
    T_EQ(hdump_reader_next_batch(r, recs, 0, &k), HDUMP_ERR_USAGE);
    T_EQ(hdump_reader_next_batch(r, recs, 2, NULL), HDUMP_ERR_USAGE);
    /* a usage error is not the reader's: it reads on */
    T_EQ(hdump_reader_next_batch(r, recs, 2, &k), HDUMP_OK);
    T_TRUE(k >= 1 && k <= 2);
    hdump_reader_free(r);
}

/* A real dump, or a generated one of some version. */
static void check_dump(const char *name, const uint8_t *d, size_t n, int generated) {
    check_input(name, d, n, 0);
    check_mutations(name, d, n, generated ? 6 : 2);
}

int main(int argc, char **argv) {
    t_each_input(argc, argv, 11, check_dump);
    hdump_membuf mixed = t_gen_dump(HDUMP_GO1_7, HDUMP_GEN_MIXED, 20000, 5);
    check_input("gen mixed", mixed.data, mixed.len, 0);
    check_mutations("gen mixed", mixed.data, mixed.len, 20);
    check_usage(mixed.data, mixed.len);
    hdump_membuf_free(&mixed);
    hdump_membuf fl = t_fields_dump(3000, 600, &rng);
    check_input("field lists", fl.data, fl.len, 0);
    check_mutations("field lists", fl.data, fl.len, 6);
    hdump_membuf_free(&fl);
    T_CHECK(longest_mem > 16, "no memory batch held more than 16 records (longest %zu)", longest_mem);
    remove(tmp_path);
    printf("%u batch reads compared, longest memory batch %zu\n", configs, longest_mem);
    return t_done();
}
