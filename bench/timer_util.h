/* bench/timer_util.h: what the plain-C timers (rewrite_timer.c,
 * write_ceiling.c, read_timer.c) share: a monotonic clock, the median of
 * REPS runs, and the common options of the last two (-r REPS, -b BUFSIZE;
 * rewrite_timer parses them with its own -t and -c). Header-only. */
#ifndef HDUMP_BENCH_TIMER_UTIL_H
#define HDUMP_BENCH_TIMER_UTIL_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bt_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bt_cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts t[0..reps) (so t[0] is the min, t[reps-1] the max); returns the
 * upper median, t[reps / 2]. */
static inline double bt_median(double *t, int reps) {
    qsort(t, (size_t)reps, sizeof *t, bt_cmp);
    return t[reps / 2];
}

/* Parses leading "-r REPS" and "-b BUFSIZE" (either may be absent; bufsize
 * may be NULL when the tool has no buffer); returns the index of the first
 * other argument. */
static inline int bt_options(int argc, char **argv, int *reps, size_t *bufsize) {
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] != 0; i += 2) {
        if (strcmp(argv[i], "-r") == 0)
            *reps = atoi(argv[i + 1]);
        else if (bufsize != NULL && strcmp(argv[i], "-b") == 0)
            *bufsize = (size_t)strtoull(argv[i + 1], NULL, 10);
        else
            break;
    }
    return i;
}

#endif
