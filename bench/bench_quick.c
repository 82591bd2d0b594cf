/* bench/bench_quick.c [CORPUS_DIR]: writer and reader throughput on a
 * synthetic Go-like heap and on the real dumps, each beside a memcpy of the
 * same bytes measured in the same run. Medians of 7 repetitions. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hdump/hdump.h"

#define REPS 7

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t) {
    qsort(t, REPS, sizeof *t, cmp_d);
    return t[REPS / 2];
}

/* Go's small size classes (bytes), a plausible mix; every 64th object is large. */
static const size_t classes[] = {8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192,
                                 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512,
                                 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
                                 2048, 2304, 2688, 3072, 3200, 3456, 4096};

static uint64_t rng = 88172645463325252ull;
static uint64_t xs(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint8_t heap[1 << 20];
static uint8_t bitmap[1 << 14];

static hdump_status write_heap(hdump_sink sink, size_t nobj, size_t bufsize, uint64_t *bytes) {
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.buffer_size = bufsize;
    hdump_writer *w;
    hdump_status st = hdump_writer_new(&o, sink, &w);
    if (st != HDUMP_OK) return st;
    hdump_params p;
    memset(&p, 0, sizeof p);
    p.ptr_size = 8;
    p.heap_start = 0xc000000000ull;
    p.heap_end = 0xc004000000ull;
    p.arch.ptr = (const uint8_t *)"amd64";
    p.arch.len = 5;
    p.ncpu = 2;
    hdump_writer_put_params(w, &p);
    rng = 88172645463325252ull;
    uint64_t addr = 0xc000000000ull;
    for (size_t i = 0; i < nobj && st == HDUMP_OK; i++) {
        uint64_t r = xs();
        size_t size = (i % 64 == 63) ? 40960 + (size_t)(r % 4) * 8192
                                     : classes[r % (sizeof classes / sizeof classes[0])];
        hdump_fields f = {NULL, 0, bitmap + (r >> 40) % 1024, size / 8, HDUMP_FIELDS_BITMAP1};
        if (r & 1) f.nwords = 0; /* half the objects hold no pointers */
        st = hdump_writer_put_object(w, addr, heap + (r >> 20) % (sizeof heap - 65536), size, &f);
        addr += size;
    }
    if (st == HDUMP_OK) st = hdump_writer_finish(w);
    *bytes = hdump_writer_bytes(w);
    hdump_writer_free(w);
    return st;
}

static double read_mem(const uint8_t *p, size_t n, uint64_t *records) {
    double t0 = now();
    hdump_reader *r;
    if (hdump_reader_new_mem(NULL, p, n, &r) != HDUMP_OK) return -1;
    hdump_record rec;
    hdump_status st;
    uint64_t k = 0;
    while ((st = hdump_reader_next(r, &rec)) == HDUMP_OK) k++;
    hdump_reader_free(r);
    *records = k + 1;
    return st == HDUMP_END ? now() - t0 : -1;
}

static double memcpy_time(const uint8_t *p, size_t n) {
    static uint8_t ring[4096];
    double t0 = now();
    for (size_t at = 0; at < n; at += sizeof ring) {
        size_t k = n - at < sizeof ring ? n - at : sizeof ring;
        memcpy(ring, p + at, k);
        __asm__ volatile("" : : "r"(ring) : "memory");
    }
    return now() - t0;
}

static void row(const char *what, double secs, uint64_t bytes, uint64_t items, double base) {
    printf("%-44s %9.1f MB/s %9.2f M items/s   %5.2fx memcpy\n", what, (double)bytes / secs / 1e6,
           (double)items / secs / 1e6, base / secs);
}

int main(int argc, char **argv) {
    for (size_t i = 0; i < sizeof heap; i++) heap[i] = (uint8_t)xs();
    for (size_t i = 0; i < sizeof bitmap; i++) bitmap[i] = (uint8_t)(xs() & xs());
    size_t nobj = 200000;
    printf("hdump bench_quick (plain C; medians of %d runs; MB = 1e6 bytes)\n", REPS);
    printf("synthetic heap: %zu objects, Go size classes, 1 in 64 large\n\n", nobj);

    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    uint64_t bytes = 0;
    if (write_heap(hdump_sink_membuf(&m), nobj, 4096, &bytes) != HDUMP_OK) return 1;
    double t[REPS];
    for (int i = 0; i < REPS; i++) t[i] = memcpy_time(m.data, m.len);
    double base = median(t);
    row("memcpy into a 4 KiB ring (baseline)", base, m.len, nobj, base);
    static const size_t bufs[] = {4096, 65536, 1 << 20};
    for (int b = 0; b < 3; b++) {
        for (int i = 0; i < REPS; i++) {
            double t0 = now();
            write_heap(hdump_sink_null(), nobj, bufs[b], &bytes);
            t[i] = now() - t0;
        }
        char name[64];
        snprintf(name, sizeof name, "writer -> null sink, %zu KiB buffer", bufs[b] >> 10);
        row(name, median(t), bytes, nobj, base);
    }
    for (int i = 0; i < REPS; i++) {
        hdump_membuf mm;
        hdump_membuf_init(&mm, NULL);
        double t0 = now();
        write_heap(hdump_sink_membuf(&mm), nobj, 4096, &bytes);
        t[i] = now() - t0;
        hdump_membuf_free(&mm);
    }
    row("writer -> growable memory, 4 KiB buffer", median(t), bytes, nobj, base);
    uint64_t recs = 0;
    for (int i = 0; i < REPS; i++) t[i] = read_mem(m.data, m.len, &recs);
    row("reader <- memory (synthetic heap)", median(t), m.len, recs, base);
    hdump_membuf_free(&m);

    if (argc > 1) {
        DIR *d = opendir(argv[1]);
        struct dirent *e;
        printf("\nreal dumps (%s), reader from memory:\n", argv[1]);
        while (d && (e = readdir(d)) != NULL) {
            size_t L = strlen(e->d_name);
            if (L < 5 || strcmp(e->d_name + L - 5, ".dump") != 0) continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
            FILE *f = fopen(path, "rb");
            if (!f) continue;
            fseek(f, 0, SEEK_END);
            long sz = ftell(f);
            fseek(f, 0, SEEK_SET);
            uint8_t *data = malloc((size_t)sz);
            if (fread(data, 1, (size_t)sz, f) != (size_t)sz) sz = 0;
            fclose(f);
            for (int i = 0; i < REPS; i++) t[i] = memcpy_time(data, (size_t)sz);
            double b = median(t);
            for (int i = 0; i < REPS; i++) t[i] = read_mem(data, (size_t)sz, &recs);
            row(e->d_name, median(t), (uint64_t)sz, recs, b);
            free(data);
        }
        if (d) closedir(d);
    }
    return 0;
}
