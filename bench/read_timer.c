/* bench/read_timer.c: how fast hdump's reader parses a given dump.
 *
 *   hdump_read_timer [-r REPS] DUMP
 *
 * Reads DUMP (e.g. one written by runtime/debug.WriteHeapDump) into memory,
 * then REPS times (default 15) times a full pull parse from memory
 * (hdump_reader_new_mem, hdump_reader_next to HDUMP_END, free) and, in the
 * same run, a memcpy of the same bytes into a 4 KiB ring (the bench's
 * baseline, bench/bench_common.cc) and the decode floor (floors.h: the
 * dump's object records by the shortest unchecked loop that yields every
 * value a reader hands out; none for a go1.3 dump), and the threaded scan
 * (hdump/scan.h, 2 threads, 16 parts of 1 MiB or more)
 * counting the records per part in batches (on_batch), and the reader
 * again through hdump_reader_next_batch (up to 64 records a call). Prints:
 *   hdump-read target=mem bytes=N records=K reps=R median_s=.. min_s=.. max_s=.. mbps=..
 *   hdump-read-batch target=mem bytes=N records=K reps=R median_s=.. ..
 *   memcpy-ring target=mem bytes=N reps=R median_s=.. min_s=.. max_s=.. mbps=..
 *   decode-floor target=mem bytes=M records=J reps=R median_s=.. ..  (M, J: the objects')
 *   hdump-scan-2t target=mem bytes=N records=K reps=R median_s=.. ..
 *   scan-parts parts=P dropped=D   (the scan's last repetition)
 * $HDUMP_KERNEL selects the varint kernel. Exit status 0, or 1 on any error
 * (a dump that does not parse to its end is an error). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_store.h"
#include "floors.h"
#include "hdump/hdump.h"
#include "timer_util.h"

/* The scan's callbacks: a record count per part, a cache line (8 counters)
 * each: parts side by side are counted by different threads. */
static int scan_on_batch(void *ctx, unsigned part, const hdump_record *recs, size_t n) {
    (void)recs;
    ((unsigned long long *)ctx)[8 * (size_t)part] += n;
    return 0;
}
static void scan_on_drop(void *ctx, unsigned part) { ((unsigned long long *)ctx)[8 * (size_t)part] = 0; }

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

    /* The floor's input: the runs of object records (floors.h); none for a
     * go1.3 dump. */
    bs_objruns runs;
    int found = bs_objruns_find(&runs, d, n);
    if (found == -1) {
        fprintf(stderr, "%s: %s does not parse to its end\n", argv[0], argv[i]);
        return 1;
    }
    int have_floor = found == 0;

    double *tr = malloc((size_t)reps * sizeof *tr), *tm = malloc((size_t)reps * sizeof *tm),
           *tf = malloc((size_t)reps * sizeof *tf), *ts = malloc((size_t)reps * sizeof *ts),
           *tb = malloc((size_t)reps * sizeof *tb);
    static hdump_record recs[64];
    hdump_scan_opts so;
    hdump_scan_opts_init(&so);
    so.reader = o;
    so.threads = 2;
    hdump_scan_result sres;
    memset(&sres, 0, sizeof sres);
    size_t ncnt = 8 * (size_t)hdump_scan_parts(&so, n);
    unsigned long long *cnt = malloc(ncnt * sizeof *cnt);
    if (cnt == NULL) return 1;
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
        /* the same reader, in batches */
        t0 = bt_now();
        st = hdump_reader_new_mem(&o, d, n, &rd);
        unsigned long long kb = 0;
        size_t got = 0;
        while (st == HDUMP_OK && (st = hdump_reader_next_batch(rd, recs, 64, &got)) == HDUMP_OK)
            kb += got;
        kb += got;
        hdump_reader_free(rd);
        if (tb) tb[r] = bt_now() - t0;
        if (st != HDUMP_END || kb != records) {
            fprintf(stderr, "%s: the batch reader disagrees with the reader (%s, %llu records)\n",
                    argv[0], hdump_status_str(st), kb);
            return 1;
        }
        /* the baseline: the same bytes through a 4 KiB ring */
        t0 = bt_now();
        for (size_t at = 0; at < n; at += sizeof ring) {
            size_t c = n - at < sizeof ring ? n - at : sizeof ring;
            memcpy(ring, d + at, c);
            __asm__ volatile("" : : "r"(ring) : "memory");
        }
        tm[r] = bt_now() - t0;
        sink += ring[0];
        /* the threaded scan */
        memset(cnt, 0, ncnt * sizeof *cnt);
        hdump_scan_fns fns = {.on_batch = scan_on_batch, .on_drop = scan_on_drop};
        t0 = bt_now();
        st = hdump_scan_mem(&so, d, n, &fns, cnt, &sres);
        if (ts) ts[r] = bt_now() - t0;
        unsigned long long sk = 0;
        for (unsigned p = 0; p < sres.parts; p++) sk += cnt[8 * (size_t)p];
        if (st != HDUMP_END || sk != records || sres.records != records) {
            fprintf(stderr, "%s: the scan disagrees with the reader (%s, %llu records)\n", argv[0],
                    hdump_status_str(st), sk);
            return 1;
        }
        /* the decode floor over the object runs */
        if (tf == NULL || !have_floor) continue;
        unsigned long long fr;
        t0 = bt_now();
        uint64_t fsum = bs_decode_floor(&runs, &fr);
        tf[r] = bt_now() - t0;
        if (fr != runs.records || fsum != runs.sum) {
            fprintf(stderr, "%s: the decode floor disagrees with the reader\n", argv[0]);
            return 1;
        }
    }
    if (tr == NULL || tm == NULL || tf == NULL || ts == NULL || tb == NULL) return 1;
    print_line("hdump-read", n, records, reps, tr);
    print_line("hdump-read-batch", n, records, reps, tb);
    print_line("memcpy-ring", n, 0, reps, tm);
    if (have_floor) print_line("decode-floor", runs.bytes, runs.records, reps, tf);
    print_line("hdump-scan-2t", n, records, reps, ts);
    printf("scan-parts parts=%u dropped=%u\n", sres.parts, sres.dropped);
    free(tr);
    free(tm);
    free(tf);
    free(ts);
    free(tb);
    free(cnt);
    if (have_floor) bs_objruns_free(&runs);
    free(d);
    return sink == UINT64_MAX; /* keeps the copies observable */
}
