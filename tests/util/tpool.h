/* tests/util/tpool.h: thread pools (hdump_threadpool) that the writer tests
 * lend their writers, one per (threads, chunk size) asked for, kept for the
 * whole run so that each is borrowed by many writers in turn. Header-only;
 * each test binary that includes it has its own pools. */
#ifndef HDUMP_TESTS_TPOOL_H
#define HDUMP_TESTS_TPOOL_H

#include <stdint.h>
#include <stdlib.h>

#include "hdump/hdump.h"

/* The library's count of chunks a pool's helpers encoded (internal, linked
 * from the static library): how a test sees that pooled calls ran on the
 * pool's helpers and not on the calling thread alone. */
uint64_t hdi_threadpool_helped(const hdump_threadpool *p);

#define TP_MAX 8
typedef struct tp_entry {
    unsigned threads;
    size_t chunk;
    hdump_threadpool *pool;
} tp_entry;
static tp_entry tp_pools[TP_MAX];
static size_t tp_n;

/* The pool of `threads` and `chunk`, made at the first call. Aborts when
 * it cannot be had (a test setup failure, not a result). */
static inline hdump_threadpool *tp_get(unsigned threads, size_t chunk) {
    for (size_t i = 0; i < tp_n; i++)
        if (tp_pools[i].threads == threads && tp_pools[i].chunk == chunk) return tp_pools[i].pool;
    if (tp_n == TP_MAX) abort();
    hdump_threadpool *p;
    if (hdump_threadpool_new(threads, chunk, NULL, &p) != HDUMP_OK) abort();
    tp_pools[tp_n].threads = threads;
    tp_pools[tp_n].chunk = chunk;
    tp_pools[tp_n++].pool = p;
    return p;
}

/* Chunks encoded by the helpers of every pool so far. */
static inline uint64_t tp_helped(void) {
    uint64_t n = 0;
    for (size_t i = 0; i < tp_n; i++) n += hdi_threadpool_helped(tp_pools[i].pool);
    return n;
}

static inline void tp_free_all(void) {
    for (size_t i = 0; i < tp_n; i++) hdump_threadpool_free(tp_pools[i].pool);
    tp_n = 0;
}

#endif
