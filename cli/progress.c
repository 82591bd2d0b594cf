/* cli/progress.c: see progress.h. */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_start(cli_progress *p, const char *what, uint64_t total_bytes) {
    p->on = isatty(2);
    p->shown = 0;
    p->start = p->last = cli_now();
    p->total = total_bytes;
    p->what = what;
}

void cli_progress_update(cli_progress *p, uint64_t records, uint64_t bytes) {
    if (!p->on || (records & 4095) != 0) return;
    double t = cli_now();
    if (t - p->start < 1.0 || t - p->last < 0.25) return;
    p->last = t;
    double el = t - p->start;
    fprintf(stderr, "\r%s: %llu records, %.1f MB, %.2f M records/s, %.1f MB/s", p->what,
            (unsigned long long)records, (double)bytes / 1e6, (double)records / el / 1e6,
            (double)bytes / el / 1e6);
    if (p->total && bytes > 0 && bytes <= p->total)
        fprintf(stderr, ", %.0f%%, ETA %.0f s", 100.0 * (double)bytes / (double)p->total,
                el * (double)(p->total - bytes) / (double)bytes);
    fprintf(stderr, "   ");
    p->shown = 1;
}

void cli_progress_end(cli_progress *p) {
    if (p->shown) fprintf(stderr, "\r\033[K");
    p->shown = 0;
}
