/* cli/cmd_stats.c: `hdump stats [--json] [--top N] [--threads N] FILE`. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

static const char help[] =
    "usage: hdump stats [--json] [--top N] [--threads N] FILE\n"
    "\n"
    "Reads FILE ('-' = standard input) to the EOF record and prints, per record\n"
    "tag, how many records there are and how many bytes they take; then a\n"
    "histogram of object sizes (contents length, power-of-two buckets: 0, 1,\n"
    "2-3, 4-7, ...; empty buckets left out) with the objects and bytes in each;\n"
    "then the N largest objects (ties: the earlier record first).\n"
    "\n"
    "  --top N  how many of the largest objects to list (default 10; 0: none)\n"
    "  --threads N  read a regular FILE with N threads (hdump_scan_mem; default:\n"
    "           the CPUs online, at most 8; 1: the single reader). The output is\n"
    "           the same for any N, errors included; no progress line with N > 1\n"
    "  --json   one JSON object: {\"version\", \"bytes\", \"records\": {tag: count},\n"
    "           \"record_bytes\": {tag: bytes}, \"object_sizes\": [{\"min\", \"max\",\n"
    "           \"count\", \"bytes\"}], \"largest\": [{\"addr\", \"size\", \"index\"}]};\n"
    "           integers are JSON numbers, \"index\" is the record index\n"
    "\n"
    "Memory stays bounded: the histogram has 65 buckets, the largest objects are\n"
    "kept in a heap of N entries (with threads, one per part: 8 parts a thread).\n"
    "\n"
    "exit codes: 0 success, 1 malformed input (error on stderr), 2 usage or I/O error\n";

#define NBUCKETS 65 /* bucket 0: length 0; bucket k: [2^(k-1), 2^k - 1] */

typedef struct big {
    uint64_t size, index, addr;
} big;

/* a is "smaller" than b: evicted first. Equal sizes: the later record goes. */
static int less(const big *a, const big *b) {
    return a->size != b->size ? a->size < b->size : a->index > b->index;
}

/* A min-heap of at most `max` entries, grown on demand. */
typedef struct top {
    big *h;
    size_t n, cap, max;
} top;

static void sift_down(top *t, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < t->n && less(&t->h[l], &t->h[m])) m = l;
        if (r < t->n && less(&t->h[r], &t->h[m])) m = r;
        if (m == i) return;
        big x = t->h[i];
        t->h[i] = t->h[m];
        t->h[m] = x;
        i = m;
    }
}

/* Returns -1 when out of memory. */
static int top_add(top *t, big b) {
    if (t->max == 0) return 0;
    if (t->n < t->max) {
        if (t->n == t->cap) {
            size_t cap = t->cap ? 2 * t->cap : 16;
            if (cap > t->max) cap = t->max;
            big *h = realloc(t->h, cap * sizeof *h);
            if (h == NULL) return -1;
            t->h = h;
            t->cap = cap;
        }
        size_t i = t->n++;
        t->h[i] = b;
        while (i > 0 && less(&t->h[i], &t->h[(i - 1) / 2])) {
            big x = t->h[i];
            t->h[i] = t->h[(i - 1) / 2];
            t->h[(i - 1) / 2] = x;
            i = (i - 1) / 2;
        }
    } else if (less(&t->h[0], &b)) {
        t->h[0] = b;
        sift_down(t, 0);
    }
    return 0;
}

static int by_rank(const void *a, const void *b) {
    const big *x = a, *y = b;
    return less(y, x) ? -1 : less(x, y) ? 1 : 0;
}

static int bucket_of(uint64_t len) {
    int k = 0;
    while (len) {
        k++;
        len >>= 1;
    }
    return k;
}

static uint64_t bucket_min(int k) { return k == 0 ? 0 : (uint64_t)1 << (k - 1); }
static uint64_t bucket_max(int k) {
    return k == 0 ? 0 : k == 64 ? UINT64_MAX : ((uint64_t)1 << k) - 1;
}

/* What stats counts: records and bytes per tag, the object-size
 * histogram, the largest objects. One per part of a scan, whose record
 * indices count from the part's first record, or one for a single read. A
 * record's bytes are known at the next record's offset (last_off, last_tag
 * wait for it), or the end for the last one (merge_counts). */
typedef struct counts {
    uint64_t count[HDUMP_TAG_COUNT], bytes[HDUMP_TAG_COUNT];
    uint64_t hcount[NBUCKETS], hbytes[NBUCKETS];
    top t;
    uint64_t n, first_off, last_off, last_tag;
    int nomem;
    char pad[64]; /* parts side by side are counted by different threads */
} counts;

/* One record into part `part` of the parts at ctx (count_batch's step). */
static int count_record(void *ctx, unsigned part, const hdump_record *rec) {
    counts *a = &((counts *)ctx)[part];
    if (a->n == 0)
        a->first_off = rec->offset;
    else
        a->bytes[a->last_tag] += rec->offset - a->last_off;
    a->last_off = rec->offset;
    a->last_tag = (uint64_t)rec->tag;
    a->n++;
    a->count[rec->tag]++;
    if (rec->tag == HDUMP_TAG_OBJECT) {
        uint64_t len = rec->u.object.contents.len;
        int k = bucket_of(len);
        a->hcount[k]++;
        a->hbytes[k] += len;
        big b = {len, rec->index, rec->u.object.addr};
        if (top_add(&a->t, b) < 0) {
            a->nomem = 1;
            return 1;
        }
    }
    return 0;
}

/* hdump_scan_fns.on_batch, and the single read's step: count_record for
 * each of recs[0..n). */
static int count_batch(void *ctx, unsigned part, const hdump_record *recs, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (count_record(ctx, part, &recs[i]) != 0) return 1;
    return 0;
}

/* hdump_scan_fns.on_drop: the part starts again from nothing. */
static void forget_part(void *ctx, unsigned part) {
    counts *a = &((counts *)ctx)[part];
    top t = a->t;
    memset(a, 0, sizeof *a);
    t.n = 0;
    a->t = t;
}

/* Adds the parts, in stream order, into *out (zeroed, out->t.max set): a
 * part's last record ends where the next part with records begins, the
 * dump's last at `total`; the largest objects' indices become the dump's.
 * Returns -1 when out of memory. */
static int merge_counts(counts *parts, unsigned np, uint64_t total, counts *out) {
    uint64_t first = 0;
    counts *prev = NULL;
    for (unsigned k = 0; k <= np; k++) {
        counts *a = k < np ? &parts[k] : NULL;
        if (a != NULL && a->n == 0) continue;
        if (prev) {
            prev->bytes[prev->last_tag] += (a ? a->first_off : total) - prev->last_off;
            for (int j = 0; j < HDUMP_TAG_COUNT; j++) {
                out->count[j] += prev->count[j];
                out->bytes[j] += prev->bytes[j];
            }
            for (int j = 0; j < NBUCKETS; j++) {
                out->hcount[j] += prev->hcount[j];
                out->hbytes[j] += prev->hbytes[j];
            }
            for (size_t i = 0; i < prev->t.n; i++) {
                big b = prev->t.h[i];
                b.index += first;
                if (top_add(&out->t, b) < 0) return -1;
            }
            first += prev->n;
        }
        prev = a;
    }
    return 0;
}

/* The report; frees c's heap. */
static int print_stats(const char *path, int json, hdump_version v, uint64_t total, counts *c) {
    top t = c->t;
    if (t.n) qsort(t.h, t.n, sizeof *t.h, by_rank);
    const uint64_t *count = c->count, *bytes = c->bytes, *hcount = c->hcount, *hbytes = c->hbytes;
    uint64_t nrec = 0;
    for (int k = 0; k < HDUMP_TAG_COUNT; k++) nrec += count[k];
    if (json) {
        printf("{\"version\":\"%s\",\"bytes\":%" PRIu64 ",\"records\":{", hdump_version_name(v),
               total);
        for (int k = 0; k < HDUMP_TAG_COUNT; k++)
            printf("%s\"%s\":%" PRIu64, k ? "," : "", hdump_tag_name((uint64_t)k), count[k]);
        printf("},\"record_bytes\":{");
        for (int k = 0; k < HDUMP_TAG_COUNT; k++)
            printf("%s\"%s\":%" PRIu64, k ? "," : "", hdump_tag_name((uint64_t)k), bytes[k]);
        printf("},\"object_sizes\":[");
        int first = 1;
        for (int k = 0; k < NBUCKETS; k++) {
            if (hcount[k] == 0) continue;
            printf("%s{\"min\":%" PRIu64 ",\"max\":%" PRIu64 ",\"count\":%" PRIu64
                   ",\"bytes\":%" PRIu64 "}",
                   first ? "" : ",", bucket_min(k), bucket_max(k), hcount[k], hbytes[k]);
            first = 0;
        }
        printf("],\"largest\":[");
        for (size_t i = 0; i < t.n; i++)
            printf("%s{\"addr\":%" PRIu64 ",\"size\":%" PRIu64 ",\"index\":%" PRIu64 "}",
                   i ? "," : "", t.h[i].addr, t.h[i].size, t.h[i].index);
        printf("]}\n");
    } else {
        printf("%s: %s, %" PRIu64 " bytes, %" PRIu64 " records\n", path, hdump_version_name(v),
               total, nrec);
        printf("%-18s %12s %14s\n", "tag", "records", "bytes");
        for (int k = 0; k < HDUMP_TAG_COUNT; k++)
            printf("%2d %-15s %12" PRIu64 " %14" PRIu64 "\n", k, hdump_tag_name((uint64_t)k),
                   count[k], bytes[k]);
        printf("%-18s %12s %14" PRIu64 "\n", "header", "", (uint64_t)HDUMP_HEADER_SIZE);
        printf("\nobject sizes (contents bytes)\n");
        printf("%12s %12s %12s %14s\n", "min", "max", "objects", "bytes");
        for (int k = 0; k < NBUCKETS; k++)
            if (hcount[k])
                printf("%12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %14" PRIu64 "\n",
                       bucket_min(k), bucket_max(k), hcount[k], hbytes[k]);
        if (t.max) {
            printf("\nlargest objects\n");
            printf("%18s %14s %12s\n", "addr", "size", "record");
            for (size_t i = 0; i < t.n; i++) {
                char a[24];
                snprintf(a, sizeof a, "0x%" PRIx64, t.h[i].addr);
                printf("%18s %14" PRIu64 " %12" PRIu64 "\n", a, t.h[i].size, t.h[i].index);
            }
        }
    }
    free(t.h);
    return CLI_OK;
}

/* Reads path (a regular file of `size` bytes) with hdump_scan_mem, one
 * counts a part, and merges them into *out. Returns the scan's status
 * (HDUMP_END when the dump is whole) with *res; *nomem when the
 * largest-objects heaps could not grow; HDUMP_ERR_IO (res->err.msg NULL)
 * when the file cannot be mapped. */
static hdump_status stats_scan(const char *path, size_t size, unsigned threads, counts *out,
                               hdump_scan_result *res, int *nomem) {
    memset(res, 0, sizeof *res);
    res->err.code = HDUMP_ERR_IO;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return HDUMP_ERR_IO;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) return HDUMP_ERR_IO;
    hdump_scan_opts o;
    hdump_scan_opts_init(&o);
    o.reader.kernel = cli_kernel();
    o.threads = threads;
    unsigned np = hdump_scan_parts(&o, size);
    counts *parts = calloc(np, sizeof *parts);
    hdump_status st = res->err.code = HDUMP_ERR_NOMEM;
    if (parts != NULL) {
        for (unsigned k = 0; k < np; k++) parts[k].t.max = out->t.max;
        hdump_scan_fns f = {.on_batch = count_batch, .on_drop = forget_part};
        st = hdump_scan_mem(&o, map, size, &f, parts, res);
        for (unsigned k = 0; k < np; k++) *nomem |= parts[k].nomem;
        /* whole: the EOF record ends at the file's end (nothing may follow it) */
        if (st == HDUMP_END && !*nomem && merge_counts(parts, np, size, out) < 0) *nomem = 1;
        for (unsigned k = 0; k < np; k++) free(parts[k].t.h);
        free(parts);
    }
    munmap(map, size);
    return st;
}

/* `stats` with threads: the scan, then the report or the scan's error
 * (the single reader's, by hdump/scan.h). */
static int stats_threads(const char *path, size_t size, unsigned threads, int json, counts *out) {
    hdump_scan_result res;
    int nomem = 0;
    hdump_status st = stats_scan(path, size, threads, out, &res, &nomem);
    if (st == HDUMP_END && !nomem) return print_stats(path, json, res.version, size, out);
    free(out->t.h);
    if (nomem) {
        fprintf(stderr, "hdump stats: out of memory\n");
        return CLI_USAGE;
    }
    if (st == HDUMP_ERR_UNSUPPORTED && res.err.msg == NULL) {
        fprintf(stderr, "hdump: HDUMP_KERNEL=%s: unknown kernel, or one this CPU cannot run\n",
                cli_kernel() ? cli_kernel() : "");
        return CLI_USAGE;
    }
    if (res.err.msg == NULL) { /* the file could not be mapped, or no memory */
        fprintf(stderr, "hdump: %s: cannot open: %s\n", path, hdump_status_str(st));
        return CLI_USAGE;
    }
    cli_print_error(path, &res.err);
    return cli_error_exit(st);
}

/* `stats` with the single reader (any input, and --threads 1), with a
 * progress line: the counts of one part. */
static int stats_single(const char *path, int json, counts *out) {
    hdump_reader *r = cli_open(path, NULL);
    counts *one = calloc(1, sizeof *one);
    if (r == NULL || one == NULL) {
        if (r != NULL) fprintf(stderr, "hdump stats: out of memory\n");
        hdump_reader_free(r);
        free(one);
        return CLI_USAGE;
    }
    one->t.max = out->t.max;
    cli_progress pr;
    cli_progress_start(&pr, "stats", cli_input_size(path));
    static hdump_record recs[64];
    hdump_status st;
    do {
        size_t k;
        st = hdump_reader_next_batch(r, recs, 64, &k);
        if (k == 0 || count_batch(one, 0, recs, k) != 0) break;
        cli_progress_update(&pr, recs[k - 1].index + 1, hdump_reader_offset(r));
    } while (st == HDUMP_OK);
    cli_progress_end(&pr);
    int nomem = one->nomem;
    if (!nomem && st == HDUMP_END && merge_counts(one, 1, hdump_reader_offset(r), out) < 0)
        nomem = 1;
    int rc;
    if (nomem) {
        fprintf(stderr, "hdump stats: out of memory\n");
        rc = CLI_USAGE;
        free(out->t.h);
    } else if (st < 0) {
        cli_print_error(path, hdump_reader_error(r));
        rc = cli_error_exit(st);
        free(out->t.h);
    } else {
        hdump_version v;
        hdump_reader_version(r, &v);
        rc = print_stats(path, json, v, hdump_reader_offset(r), out);
    }
    free(one->t.h);
    free(one);
    hdump_reader_free(r);
    return rc;
}

static unsigned default_threads(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 8 ? 8 : (unsigned)n;
}

int cmd_stats(int argc, char **argv) {
    int json = 0;
    uint64_t ntop = 10, threads = default_threads();
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--top") == 0) {
            if (i + 1 >= argc || cli_parse_u64(argv[i + 1], &ntop) != 0 ||
                ntop > (uint64_t)SIZE_MAX / sizeof(big)) {
                fprintf(stderr, "hdump stats: --top needs a number\n\n%s", help);
                return CLI_USAGE;
            }
            i++;
        } else if (strcmp(argv[i], "--threads") == 0) {
            if (i + 1 >= argc || cli_parse_u64(argv[i + 1], &threads) != 0 || threads < 1 ||
                threads > 64) {
                fprintf(stderr, "hdump stats: --threads needs a number from 1 to 64\n\n%s", help);
                return CLI_USAGE;
            }
            i++;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "hdump stats: unknown option '%s'\n\n%s", argv[i], help);
            return CLI_USAGE;
        } else if (path == NULL) {
            path = argv[i];
        } else {
            fprintf(stderr, "hdump stats: more than one FILE\n\n%s", help);
            return CLI_USAGE;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "hdump stats: missing FILE\n\n%s", help);
        return CLI_USAGE;
    }
    counts *out = calloc(1, sizeof *out);
    if (out == NULL) {
        fprintf(stderr, "hdump stats: out of memory\n");
        return CLI_USAGE;
    }
    out->t.max = (size_t)ntop;
    int rc;
    struct stat sb;
    if (threads > 1 && strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
        sb.st_size >= HDUMP_HEADER_SIZE && (uint64_t)sb.st_size <= SIZE_MAX) {
        rc = stats_threads(path, (size_t)sb.st_size, (unsigned)threads, json, out);
    } else {
        rc = stats_single(path, json, out);
    }
    free(out);
    return rc;
}
