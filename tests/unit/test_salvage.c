/* tests/unit/test_salvage.c DUMP: every prefix of a committed dump salvages
 * to a dump that validates.
 *
 * A prefix that cuts record k (it ends in [end of k-1, end of k)) keeps
 * records 0..k-1, so its salvage must be exactly the input's first bytes up
 * to the end of record k-1, then the EOF record. That is checked by a real
 * salvage (hdump_copy with HDUMP_COPY_SALVAGE from a reader over the prefix)
 * for the longest and the shortest prefix of every record, and for every
 * prefix of the first 64 KiB; each distinct salvaged dump is then run
 * through the validator, which must find it valid. Prefixes shorter than the
 * header have no version to keep: the CLI picks one (tests/cli).
 *
 * Every check reads its whole prefix, so the sweep is quadratic in the dump:
 * with every record, a 3 MB real dump took 74 s under ASan. Records are
 * checked when they are among the first 1024 or the last 64, when their tag
 * differs from the previous record's (every kind of boundary), and every
 * 16th record in between (long runs of objects). With HDUMP_SWEEP=thin
 * (set by CMake for the sanitizer build, where every read costs ~5x) the
 * first 256 and the last 16 records, every tag change and every 64th record
 * are checked, and every prefix of the first 8 KiB. */
#include "digest.h"
#include "t.h"

#include "hdump/hdump.h"

static uint64_t *ends; /* end offset of every record */
static int *tags;      /* tag of every record */
static size_t n;
static int thin; /* HDUMP_SWEEP=thin: see the header comment */

/* Whether record k is checked (see the header comment). */
static int sampled(size_t k) {
    if (thin) return k < 256 || k + 16 >= n || tags[k] != tags[k - 1] || k % 64 == 0;
    return k < 1024 || k + 64 >= n || tags[k] != tags[k - 1] || k % 16 == 0;
}

static void index_records(const uint8_t *d, size_t len) {
    hdump_reader *r;
    T_EQ(hdump_reader_new_mem(NULL, d, len, &r), HDUMP_OK);
    size_t cap = 1024;
    ends = malloc(cap * sizeof *ends);
    tags = malloc(cap * sizeof *tags);
    hdump_record rec;
    hdump_status st;
    do {
        st = hdump_reader_next(r, &rec);
        if (st < 0) break;
        if (n == cap) {
            cap *= 2;
            ends = realloc(ends, cap * sizeof *ends);
            tags = realloc(tags, cap * sizeof *tags);
        }
        tags[n] = (int)rec.tag;
        ends[n++] = hdump_reader_offset(r);
    } while (st == HDUMP_OK);
    T_EQ(st, HDUMP_END);
    hdump_reader_free(r);
}

/* Salvages d[0..cut) into m; returns the number of records kept. */
static uint64_t salvage(hdump_version v, const uint8_t *d, size_t cut, hdump_membuf *m) {
    hdump_reader *r;
    hdump_writer *w;
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = v;
    m->len = 0;
    T_EQ(hdump_reader_new_mem(NULL, d, cut, &r), HDUMP_OK);
    T_EQ(hdump_writer_new(&o, hdump_sink_membuf(m), &w), HDUMP_OK);
    hdump_copy_report rep;
    hdump_status st = hdump_copy(r, w, HDUMP_COPY_SALVAGE, &rep);
    T_EQ(st, HDUMP_OK);
    T_EQ(rep.complete, 0);
    T_EQ(rep.error.code, HDUMP_ERR_TRUNCATED);
    T_EQ(rep.error.offset, cut);
    hdump_writer_free(w);
    hdump_reader_free(r);
    return rep.records - 1;
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    const char *sw = getenv("HDUMP_SWEEP");
    thin = sw != NULL && strcmp(sw, "thin") == 0;
    size_t every_cut_below = thin ? 8192 : 65536;
    size_t len;
    uint8_t *d = t_read_file(argv[1], &len);
    index_records(d, len);
    hdump_version v;
    {
        hdump_reader *r;
        hdump_reader_new_mem(NULL, d, len, &r);
        hdump_reader_version(r, &v);
        hdump_reader_free(r);
    }
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    size_t wrong = 0, invalid = 0, salvages = 0, checked = 0;
    uint8_t *want = malloc(len + 1);
    /* k = number of complete records kept; the prefixes that keep k records
     * are [start, end) with start = end of record k-1 (16 for k = 0). */
    for (size_t k = 0; k < n; k++) {
        if (!sampled(k)) continue;
        checked++;
        size_t start = k ? (size_t)ends[k - 1] : HDUMP_HEADER_SIZE;
        size_t end = (size_t)ends[k];
        memcpy(want, d, start);
        want[start] = 0; /* the EOF record */
        size_t cuts[2] = {start, end - 1};
        for (int c = 0; c < 2; c++) {
            if (c == 1 && end - 1 == start) break;
            uint64_t kept = salvage(v, d, cuts[c], &m);
            salvages++;
            if (kept != k || m.len != start + 1 || memcmp(m.data, want, start + 1) != 0) {
                if (wrong++ < 5) fprintf(stderr, "cut %zu: kept %" PRIu64 ", want %zu\n", cuts[c], kept, k);
            }
        }
        for (size_t cut = start + 1; cut + 1 < end && cut < every_cut_below; cut++) {
            uint64_t kept = salvage(v, d, cut, &m);
            salvages++;
            if (kept != k || m.len != start + 1 || memcmp(m.data, want, start + 1) != 0) wrong++;
        }
        /* The salvaged dump of these prefixes validates. */
        hdump_validation val;
        hdump_validate_opts vo;
        hdump_validate_opts_init(&vo);
        if (hdump_validate_mem(&vo, want, start + 1, &val) != HDUMP_OK || !val.valid) {
            if (invalid++ < 5) {
                fprintf(stderr, "salvage keeping %zu records is not valid:", k);
                for (size_t i = 0; i < val.nfindings; i++)
                    if (val.findings[i].severity == HDUMP_SEV_ERROR)
                        fprintf(stderr, " %s", val.findings[i].name);
                fprintf(stderr, "\n");
            }
        }
        hdump_validation_free(&val);
    }
    printf("%s: %zu records, %zu checked, %zu salvages, %zu wrong, %zu salvaged dumps validated, "
           "%zu invalid\n",
           argv[1], n, checked, salvages, wrong, checked, invalid);
    T_EQ(wrong, 0);
    T_EQ(invalid, 0);
    hdump_membuf_free(&m);
    free(want);
    free(ends);
    free(tags);
    free(d);
    return t_done();
}
