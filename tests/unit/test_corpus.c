/* tests/unit/test_corpus.c DUMP: sweeps over one committed real dump.
 *  1. one pass from memory reads to EOF (HDUMP_END) and every source kind
 *     (mmap, fd, FILE*) gives the same records;
 *  2. streaming in every chunk size from 1 to 256 bytes, then sizes growing
 *     by ~1.5x up to the whole file, with small and default buffers and with
 *     ranges streamed, gives exactly the records of the one pass;
 *  3. every prefix gives HDUMP_ERR_TRUNCATED at exactly the prefix's length.
 * With HDUMP_SWEEP=thin in the environment (set by CMake for the sanitizer
 * build, where every read costs ~5x) the sweeps keep every code path but
 * fewer repeats of each: chunk sizes 1..32 one by one; every cut of the
 * first 256 records, of every record whose tag differs from the previous
 * one's and of every 16th record, but in those only the first and last 256
 * bytes and every 61st cut between (the cut sweep is quadratic in a
 * record's length); every 61st cut and the last one of the other records.
 * Only the dense records' last cut is also read literally.
 * The gcc builds, run once per kernel, do the full sweeps. */
#include <fcntl.h>
#include <unistd.h>

#include "chunksrc.h"
#include "digest.h"
#include "t.h"

static int version;
static uint64_t *ref;   /* digest of every record of the one pass */
static uint64_t *roff;  /* start offset of every record */
static int *rtag;       /* tag of every record */
static size_t nref;
static int thin; /* HDUMP_SWEEP=thin: see the header comment */

/* Reads r to the end, comparing with the reference; returns mismatches. */
static size_t compare_pass(hdump_reader *r, digest_ranges *d, const char *what) {
    hdump_record rec;
    hdump_status st;
    size_t i = 0, bad = 0;
    do {
        st = hdump_reader_next(r, &rec);
        if (st < 0) break;
        if (i >= nref || digest_record(version, &rec, d) != ref[i]) {
            if (bad++ < 3) fprintf(stderr, "%s: record %zu differs\n", what, i);
        }
        i++;
    } while (st == HDUMP_OK);
    if (st != HDUMP_END) {
        const hdump_error *e = hdump_reader_error(r);
        fprintf(stderr, "%s: status %d at %" PRIu64 ": %s\n", what, (int)st, e->offset, e->msg);
        bad++;
    }
    if (i != nref) bad++;
    return bad;
}

static void one_pass(const uint8_t *data, size_t len) {
    hdump_reader *r;
    T_EQ(hdump_reader_new_mem(NULL, data, len, &r), HDUMP_OK);
    hdump_version v;
    T_EQ(hdump_reader_version(r, &v), HDUMP_OK);
    version = (int)v;
    size_t cap = 1024;
    ref = malloc(cap * sizeof *ref);
    roff = malloc(cap * sizeof *roff);
    rtag = malloc(cap * sizeof *rtag);
    hdump_record rec;
    hdump_status st;
    do {
        st = hdump_reader_next(r, &rec);
        if (st < 0) break;
        if (nref == cap) {
            cap *= 2;
            ref = realloc(ref, cap * sizeof *ref);
            roff = realloc(roff, cap * sizeof *roff);
            rtag = realloc(rtag, cap * sizeof *rtag);
        }
        rtag[nref] = (int)rec.tag;
        roff[nref] = rec.offset;
        ref[nref++] = digest_record(version, &rec, NULL);
    } while (st == HDUMP_OK);
    T_EQ(st, HDUMP_END);
    T_EQ(hdump_reader_offset(r), len);
    /* Pulling again after the end keeps returning the EOF record. */
    T_EQ(hdump_reader_next(r, &rec), HDUMP_END);
    T_EQ(rec.tag, HDUMP_TAG_EOF);
    hdump_reader_free(r);
}

static void other_sources(const char *path) {
    hdump_reader *r;
    T_EQ(hdump_reader_new_mmap(NULL, path, &r), HDUMP_OK);
    T_EQ(compare_pass(r, NULL, "mmap"), 0);
    hdump_reader_free(r);

    int fd = open(path, O_RDONLY);
    T_TRUE(fd >= 0);
    digest_ranges d;
    memset(&d, 0, sizeof d);
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.on_range = digest_on_range;
    o.on_range_ctx = &d;
    T_EQ(hdump_reader_new_fd(&o, fd, &r), HDUMP_OK);
    T_EQ(compare_pass(r, &d, "fd"), 0);
    hdump_reader_free(r);
    close(fd);

    FILE *f = fopen(path, "rb");
    T_TRUE(f != NULL);
    T_EQ(hdump_reader_new_file(&o, f, &r), HDUMP_OK);
    T_EQ(compare_pass(r, &d, "FILE"), 0);
    hdump_reader_free(r);
    fclose(f);
}

static void chunk_sweep(const uint8_t *data, size_t len) {
    size_t runs = 0, bad = 0;
    size_t chunk = 1;
    for (;;) {
        /* Alternate buffer geometries so refills, compaction, growth and
         * streamed ranges all happen at many different alignments. */
        static const size_t bufs[] = {32, 4096, 256 << 10};
        static const uint64_t inl[] = {8, 1024, 0};
        size_t g = runs % 3;
        digest_ranges d;
        memset(&d, 0, sizeof d);
        hdump_reader_opts o;
        hdump_reader_opts_init(&o);
        o.buffer_size = bufs[g];
        o.inline_max = inl[g];
        o.on_range = digest_on_range;
        o.on_range_ctx = &d;
        chunk_src src = {data, len, 0, chunk};
        hdump_source s = {chunk_read, &src, (runs % 2) ? (uint64_t)len : UINT64_MAX};
        hdump_reader *r;
        T_EQ(hdump_reader_new_source(&o, s, &r), HDUMP_OK);
        char what[64];
        snprintf(what, sizeof what, "chunk %zu buf %zu", chunk, bufs[g]);
        size_t b = compare_pass(r, &d, what);
        if (b) bad++;
        hdump_reader_free(r);
        runs++;
        if (chunk >= len) break;
        size_t step_to = thin ? 32 : 256;
        chunk = chunk < step_to ? chunk + 1 : chunk + chunk / 2 + 1;
        if (chunk > len) chunk = len; /* the last pass reads the file in one piece */
    }
    printf("chunk sweep: %zu runs, %zu with differences\n", runs, bad);
    T_EQ(bad, 0);
    T_TRUE(runs > (thin ? 32u : 256u));
}

/* Every prefix: the reader keeps no state across records but the version
 * (from the header) and the record index, so a prefix ending inside record k
 * reads exactly as the header followed by record k's bytes up to the cut.
 * That is what is run for every prefix (the 16 bytes before record k are
 * overwritten by the header in a scratch copy); a literal read of
 * data[0..L) is run for a spread of prefixes to tie the two together. */
static int trunc_ok(const uint8_t *p, size_t n, uint64_t want_off, uint64_t *got) {
    hdump_reader *r;
    if (hdump_reader_new_mem(NULL, p, n, &r) != HDUMP_OK) return 0;
    hdump_record rec;
    hdump_status st;
    while ((st = hdump_reader_next(r, &rec)) == HDUMP_OK) {
    }
    const hdump_error *e = hdump_reader_error(r);
    int ok = st == HDUMP_ERR_TRUNCATED && e->offset == want_off;
    *got = (uint64_t)st << 32 | (e->offset & 0xffffffffu);
    hdump_reader_free(r);
    return ok;
}

static void prefix_sweep(const uint8_t *data, size_t len) {
    uint8_t *scratch = malloc(len);
    memcpy(scratch, data, len);
    size_t bad = 0, k = 0, literal = 0, tried = 0;
    uint64_t got;
    for (size_t cut = 0; cut < len; cut++) {
        if (cut < HDUMP_HEADER_SIZE + 1) {
            if (!trunc_ok(data, cut, cut, &got) && bad++ < 5)
                fprintf(stderr, "prefix %zu: got %" PRIx64 "\n", cut, got);
            continue;
        }
        while (k + 1 < nref && roff[k + 1] < cut) k++;
        /* record k starts before the cut (or at it when cut == roff[k]) */
        size_t rs = (size_t)roff[k];
        if (rs >= cut && k > 0) rs = (size_t)roff[--k];
        size_t re = k + 1 < nref ? (size_t)roff[k + 1] : len;
        int dense = !thin || k < 256 || k % 16 == 0 || (k > 0 && rtag[k] != rtag[k - 1]);
        if (thin && (cut - rs) % 61 != 0 && re - cut > 1 &&
            (!dense || (cut - rs >= 256 && re - cut > 256)))
            continue;
        tried++;
        uint8_t save[HDUMP_HEADER_SIZE];
        memcpy(save, scratch + rs - HDUMP_HEADER_SIZE, HDUMP_HEADER_SIZE);
        memcpy(scratch + rs - HDUMP_HEADER_SIZE, data, HDUMP_HEADER_SIZE);
        size_t n = cut - rs + HDUMP_HEADER_SIZE;
        if (!trunc_ok(scratch + rs - HDUMP_HEADER_SIZE, n, n, &got) && bad++ < 5)
            fprintf(stderr, "prefix %zu (record %zu at %zu): got %" PRIx64 "\n", cut, k, rs, got);
        memcpy(scratch + rs - HDUMP_HEADER_SIZE, save, HDUMP_HEADER_SIZE);
        if (cut % 4099 == 0 || (dense && k + 1 < nref && roff[k + 1] == cut + 1)) {
            literal++;
            if (!trunc_ok(data, cut, cut, &got) && bad++ < 5)
                fprintf(stderr, "literal prefix %zu: got %" PRIx64 "\n", cut, got);
        }
    }
    printf("prefix sweep: %zu of %zu prefixes (%zu read literally), %zu wrong\n", tried + HDUMP_HEADER_SIZE + 1,
           len, literal, bad);
    T_EQ(bad, 0);
    free(scratch);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: test_corpus DUMP\n");
        return 2;
    }
    size_t len;
    const char *sw = getenv("HDUMP_SWEEP");
    thin = sw != NULL && strcmp(sw, "thin") == 0;
    uint8_t *data = t_read_file(argv[1], &len);
    one_pass(data, len);
    printf("%s: %zu records, %zu bytes\n", argv[1], nref, len);
    other_sources(argv[1]);
    chunk_sweep(data, len);
    prefix_sweep(data, len);
    free(ref);
    free(roff);
    free(rtag);
    free(data);
    return t_done();
}
