/* bench/read_timer.c: how fast hdump's reader parses a given dump.
 *
 *   hdump_read_timer [-r REPS] DUMP
 *
 * Reads DUMP (e.g. one written by runtime/debug.WriteHeapDump) into memory,
 * then REPS times (default 15) times a full pull parse from memory
 * (hdump_reader_new_mem, hdump_reader_next to HDUMP_END, free) and, in the
 * same run, a memcpy of the same bytes into a 4 KiB ring (the bench's
 * baseline, bench/bench_common.cc), and the decode floor: the dump's object
 * records (found once by the reader, untimed) decoded by the shortest loop
 * that still yields every value a reader must hand out (address, contents
 * length, each field's kind and offset into an array): no bounds or limit
 * checks, no error paths, no record struct, no call per record. A reader
 * cannot beat that loop on this CPU; it shows how far from it hdump's
 * checked, one-call-per-record reader is. Prints:
 *   hdump-read target=mem bytes=N records=K reps=R median_s=.. min_s=.. max_s=.. mbps=..
 *   memcpy-ring target=mem bytes=N reps=R median_s=.. min_s=.. max_s=.. mbps=..
 *   decode-floor target=mem bytes=M records=J reps=R median_s=.. ..  (M, J: the objects')
 * $HDUMP_KERNEL selects the varint kernel. Exit status 0, or 1 on any error
 * (a dump that does not parse to its end is an error). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_store.h"
#include "hdump/hdump.h"
#include "timer_util.h"

/* ---- The decode floor ---- */
typedef struct run {
    size_t lo, hi; /* a stretch of consecutive object records */
} run;

/* An 8-byte-load uvarint, as the reader's fast path decodes addresses;
 * 8 readable bytes at p (the floor's copy is padded). */
static inline unsigned floor_uv8(const uint8_t *p, uint64_t *v) {
    uint64_t w;
    memcpy(&w, p, sizeof w);
    uint64_t stop = ~w & 0x8080808080808080ULL;
    if (stop == 0) { /* 9 or 10 bytes: byte by byte */
        uint64_t x = 0;
        unsigned k = 0;
        do x |= (uint64_t)(p[k] & 0x7f) << (7 * k);
        while (p[k++] & 0x80);
        *v = x;
        return k;
    }
    unsigned len = (unsigned)__builtin_ctzll(stop) / 8 + 1;
    w &= (stop ^ (stop - 1)) & 0x7f7f7f7f7f7f7f7fULL;
    w = (w & 0x007f007f007f007fULL) | ((w & 0x7f007f007f007f00ULL) >> 1);
    w = (w & 0x00003fff00003fffULL) | ((w & 0x3fff00003fff0000ULL) >> 2);
    w = (w & 0x000000000fffffffULL) | ((w & 0x0fffffff00000000ULL) >> 4);
    *v = w;
    return len;
}

static inline unsigned floor_uv(const uint8_t *p, uint64_t *v) {
    if (p[0] < 0x80) {
        *v = p[0];
        return 1;
    }
    if (p[1] < 0x80) {
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return 2;
    }
    return floor_uv8(p, v);
}

/* Decodes the object records in [p, e); returns a checksum of the values. */
static uint64_t floor_decode(const uint8_t *p, const uint8_t *e, hdump_field *fl,
                             unsigned long long *nrec) {
    uint64_t sum = 0;
    unsigned long long n = 0;
    unsigned alen = 0;
    while (p < e) {
        uint64_t addr, len;
        p++; /* tag 1 */
        /* the reader's trick: a repeated address length is a predicted
         * branch, not a data dependency (reader/object_fast.h) */
        unsigned k = floor_uv8(p, &addr), g = alen;
        if (k == g) {
            __asm__("" : "+r"(g));
            p += g;
        } else {
            p += k;
            alen = k;
        }
        p += floor_uv(p, &len);
        p += len;
        size_t nf = 0;
        while (*p) {
            fl[nf].kind = *p;
            p += 1 + floor_uv(p + 1, &fl[nf].offset);
            nf++;
        }
        p++;
        sum += addr ^ len ^ nf;
        n++;
    }
    *nrec += n;
    return sum;
}

static void print_line(const char *who, size_t n, unsigned long long records, int reps, double *t) {
    double med = bt_median(t, reps);
    printf("%s target=mem bytes=%zu", who, n);
    if (records) printf(" records=%llu", records);
    printf(" reps=%d median_s=%.6f min_s=%.6f max_s=%.6f mbps=%.1f\n", reps, med, t[0], t[reps - 1],
           (double)n / med / 1e6);
}

int main(int argc, char **argv) {
    int reps = 15;
    int i = bt_options(argc, argv, &reps, NULL);
    if (argc - i != 1 || reps < 1 || reps > 1000) {
        fprintf(stderr, "usage: %s [-r REPS] DUMP\n", argv[0]);
        return 1;
    }
    uint8_t *d;
    size_t n;
    if (bs_load_file(argv[i], &d, &n) != 0) {
        fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i]);
        return 1;
    }

    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.kernel = getenv("HDUMP_KERNEL");

    /* The floor's input: the runs of object records, a padded copy of the
     * bytes, and room for the longest field list. */
    run *runs = NULL;
    size_t nruns = 0, runs_cap = 0, obj_bytes = 0, max_fields = 0;
    uint64_t want_sum = 0; /* what the floor must compute, from the reader */
    unsigned long long want_records = 0;
    {
        hdump_reader *rd;
        hdump_record rec;
        hdump_status st = hdump_reader_new_mem(&o, d, n, &rd);
        size_t lo = 0, hi = 0;
        int in_run = 0;
        while (st == HDUMP_OK && (st = hdump_reader_next(rd, &rec)) >= HDUMP_OK) {
            int obj = st == HDUMP_OK && rec.tag == HDUMP_TAG_OBJECT;
            if (obj && !in_run) lo = (size_t)rec.offset;
            if (obj) {
                const hdump_object *ob = &rec.u.object;
                if (ob->fields.count > max_fields) max_fields = (size_t)ob->fields.count;
                want_sum += ob->addr ^ ob->contents.len ^ ob->fields.count;
                want_records++;
            }
            if (!obj && in_run) {
                hi = (size_t)rec.offset;
                if (nruns == runs_cap) {
                    runs_cap = runs_cap ? 2 * runs_cap : 64;
                    runs = realloc(runs, runs_cap * sizeof *runs);
                    if (runs == NULL) return 1;
                }
                runs[nruns].lo = lo;
                runs[nruns].hi = hi;
                nruns++;
                obj_bytes += hi - lo;
            }
            in_run = obj;
            if (st == HDUMP_END) break;
        }
        if (st != HDUMP_END) {
            fprintf(stderr, "%s: %s does not parse to its end\n", argv[0], argv[i]);
            return 1;
        }
        hdump_reader_free(rd);
    }
    uint8_t *padded = malloc(n + 16);
    hdump_field *ffl = malloc((max_fields + 1) * sizeof *ffl);
    if (padded == NULL || ffl == NULL) return 1;
    memcpy(padded, d, n);
    memset(padded + n, 0, 16);
    double *tf = malloc((size_t)reps * sizeof *tf);
    unsigned long long floor_records = 0;

    double *tr = malloc((size_t)reps * sizeof *tr), *tm = malloc((size_t)reps * sizeof *tm);
    static uint8_t ring[4096];
    unsigned long long records = 0;
    uint64_t sink = 0;
    for (int r = 0; r < reps && tr && tm; r++) {
        double t0 = bt_now();
        hdump_reader *rd;
        hdump_status st = hdump_reader_new_mem(&o, d, n, &rd);
        hdump_record rec;
        unsigned long long k = 0;
        while (st == HDUMP_OK && (st = hdump_reader_next(rd, &rec)) == HDUMP_OK) k++;
        if (st != HDUMP_END) {
            const hdump_error *e = rd ? hdump_reader_error(rd) : NULL;
            fprintf(stderr, "%s: %s at offset %llu: %s\n", argv[0], hdump_status_str(st),
                    e ? (unsigned long long)e->offset : 0ULL, e && e->msg ? e->msg : "");
            return 1;
        }
        hdump_reader_free(rd);
        tr[r] = bt_now() - t0;
        records = k + 1; /* with EOF */
        /* the baseline: the same bytes through a 4 KiB ring */
        t0 = bt_now();
        for (size_t at = 0; at < n; at += sizeof ring) {
            size_t c = n - at < sizeof ring ? n - at : sizeof ring;
            memcpy(ring, d + at, c);
            __asm__ volatile("" : : "r"(ring) : "memory");
        }
        tm[r] = bt_now() - t0;
        sink += ring[0];
        /* the decode floor over the object runs */
        if (tf == NULL) break;
        unsigned long long fr = 0;
        uint64_t fsum = 0;
        t0 = bt_now();
        for (size_t j = 0; j < nruns; j++)
            fsum += floor_decode(padded + runs[j].lo, padded + runs[j].hi, ffl, &fr);
        tf[r] = bt_now() - t0;
        floor_records = fr;
        if (fr != want_records || fsum != want_sum) {
            fprintf(stderr, "%s: the decode floor disagrees with the reader\n", argv[0]);
            return 1;
        }
    }
    if (tr == NULL || tm == NULL || tf == NULL) return 1;
    print_line("hdump-read", n, records, reps, tr);
    print_line("memcpy-ring", n, 0, reps, tm);
    print_line("decode-floor", obj_bytes, floor_records, reps, tf);
    free(tr);
    free(tm);
    free(tf);
    free(runs);
    free(padded);
    free(ffl);
    free(d);
    return sink == UINT64_MAX; /* keeps the copies observable */
}
