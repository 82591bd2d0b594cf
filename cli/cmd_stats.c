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

/* The report, from the counts of either path; frees tp's heap. */
static int print_stats(const char *path, int json, hdump_version v, uint64_t total,
                       const uint64_t *count, const uint64_t *bytes, const uint64_t *hcount,
                       const uint64_t *hbytes, top *tp) {
    if (tp->n) qsort(tp->h, tp->n, sizeof *tp->h, by_rank);
    top t = *tp;
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

/* ---- Threads: one accumulator per part of hdump_scan_mem, merged in order ---- */
typedef struct part_acc {
    uint64_t count[HDUMP_TAG_COUNT], bytes[HDUMP_TAG_COUNT];
    uint64_t hcount[NBUCKETS], hbytes[NBUCKETS];
    top t;              /* indices counted from the part's first record */
    uint64_t n;         /* records */
    uint64_t last_off;  /* the last record's offset and tag: its bytes are */
    uint64_t last_tag;  /* known when the next part's first record is */
    uint64_t first_off;
    int nomem;
    char pad[64];       /* parts side by side are written by different threads */
} part_acc;

static int acc_record(void *ctx, unsigned part, const hdump_record *rec) {
    part_acc *a = &((part_acc *)ctx)[part];
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

static void acc_drop(void *ctx, unsigned part) {
    part_acc *a = &((part_acc *)ctx)[part];
    top t = a->t;
    memset(a, 0, sizeof *a);
    t.n = 0;
    a->t = t;
}

/* Reads path (a regular file of `size` bytes) with the scan and leaves in
 * the caller's arrays what the single reader's loop would. Returns the
 * scan's status (HDUMP_END when the dump is whole) with *err set; *nomem
 * when the largest-objects heaps could not grow. */
static hdump_status stats_scan(const char *path, size_t size, unsigned threads, uint64_t *count,
                               uint64_t *bytes, uint64_t *hcount, uint64_t *hbytes, top *t,
                               hdump_error *err, hdump_version *v, int *nomem) {
    err->code = HDUMP_ERR_IO;
    err->msg = NULL;
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
    part_acc *acc = calloc(np, sizeof *acc);
    hdump_status st = HDUMP_ERR_NOMEM;
    err->code = HDUMP_ERR_NOMEM;
    err->msg = NULL;
    if (acc != NULL) {
        for (unsigned k = 0; k < np; k++) acc[k].t.max = t->max;
        hdump_scan_fns f = {acc_record, acc_drop};
        hdump_scan_result res;
        st = hdump_scan_mem(&o, map, size, &f, acc, &res);
        *err = res.err;
        for (unsigned k = 0; k < np; k++) *nomem |= acc[k].nomem;
        if (st == HDUMP_END && !*nomem) {
            /* the parts in order: a part's last record ends where the next
             * kept part's first begins; the dump's last, at its end */
            uint64_t first = 0;
            part_acc *prev = NULL;
            for (unsigned k = 0; k < np; k++) {
                part_acc *a = &acc[k];
                if (a->n == 0) continue;
                if (prev) prev->bytes[prev->last_tag] += a->first_off - prev->last_off;
                for (int j = 0; j < HDUMP_TAG_COUNT; j++) count[j] += a->count[j];
                for (int j = 0; j < NBUCKETS; j++) {
                    hcount[j] += a->hcount[j];
                    hbytes[j] += a->hbytes[j];
                }
                for (size_t i = 0; i < a->t.n && !*nomem; i++) {
                    big b = a->t.h[i];
                    b.index += first;
                    if (top_add(t, b) < 0) *nomem = 1;
                }
                first += a->n;
                prev = a;
            }
            if (prev) prev->bytes[prev->last_tag] += size - prev->last_off;
            for (unsigned k = 0; k < np; k++)
                for (int j = 0; j < HDUMP_TAG_COUNT; j++) bytes[j] += acc[k].bytes[j];
            *v = HDUMP_GO1_7;
            if (size >= HDUMP_HEADER_SIZE) {
                /* the header was read by the scan: name its version */
                hdump_reader *r;
                if (hdump_reader_new_mem(&o.reader, map, size, &r) == HDUMP_OK) {
                    hdump_reader_version(r, v);
                    hdump_reader_free(r);
                }
            }
        }
        for (unsigned k = 0; k < np; k++) free(acc[k].t.h);
        free(acc);
    }
    munmap(map, size);
    return st;
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
    uint64_t count[HDUMP_TAG_COUNT] = {0}, bytes[HDUMP_TAG_COUNT] = {0};
    uint64_t hcount[NBUCKETS] = {0}, hbytes[NBUCKETS] = {0};
    top t = {NULL, 0, 0, (size_t)ntop};
    struct stat sb;
    if (threads > 1 && strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
        sb.st_size >= HDUMP_HEADER_SIZE && (uint64_t)sb.st_size <= SIZE_MAX) {
        size_t size = (size_t)sb.st_size;
        hdump_error e;
        hdump_version v = HDUMP_GO1_7;
        int nomem = 0;
        hdump_status st = stats_scan(path, size, (unsigned)threads, count, bytes, hcount, hbytes, &t,
                                     &e, &v, &nomem);
        if (st != HDUMP_END || nomem) {
            free(t.h);
            if (nomem) {
                fprintf(stderr, "hdump stats: out of memory\n");
                return CLI_USAGE;
            }
            if (st == HDUMP_ERR_UNSUPPORTED && e.msg == NULL) {
                fprintf(stderr, "hdump: HDUMP_KERNEL=%s: unknown kernel, or one this CPU cannot run\n",
                        cli_kernel() ? cli_kernel() : "");
                return CLI_USAGE;
            }
            if (e.msg == NULL) { /* the file could not be mapped, or memory */
                fprintf(stderr, "hdump: %s: cannot open: %s\n", path, hdump_status_str(st));
                return CLI_USAGE;
            }
            cli_print_error(path, &e);
            return cli_error_exit(st);
        }
        return print_stats(path, json, v, (uint64_t)size, count, bytes, hcount, hbytes, &t);
    }
    hdump_reader *r = cli_open(path, NULL);
    if (r == NULL) {
        free(t.h);
        return CLI_USAGE;
    }
    cli_progress pr;
    cli_progress_start(&pr, "stats", cli_input_size(path));
    hdump_record rec;
    hdump_status st;
    int nomem = 0;
    do {
        st = hdump_reader_next(r, &rec);
        if (st < 0) break;
        count[rec.tag]++;
        bytes[rec.tag] += hdump_reader_offset(r) - rec.offset;
        if (rec.tag == HDUMP_TAG_OBJECT) {
            uint64_t len = rec.u.object.contents.len;
            int k = bucket_of(len);
            hcount[k]++;
            hbytes[k] += len;
            big b = {len, rec.index, rec.u.object.addr};
            if (top_add(&t, b) < 0) {
                nomem = 1;
                break;
            }
        }
        cli_progress_update(&pr, rec.index + 1, hdump_reader_offset(r));
    } while (st == HDUMP_OK);
    cli_progress_end(&pr);
    if (nomem || st < 0) {
        if (nomem) fprintf(stderr, "hdump stats: out of memory\n");
        else cli_print_error(path, hdump_reader_error(r));
        int rc = nomem ? CLI_USAGE : cli_error_exit(st);
        hdump_reader_free(r);
        free(t.h);
        return rc;
    }
    hdump_version v;
    hdump_reader_version(r, &v);
    uint64_t total = hdump_reader_offset(r);
    hdump_reader_free(r);
    return print_stats(path, json, v, total, count, bytes, hcount, hbytes, &t);
}
