/* cli/roundtrip_ring.c: `hdump roundtrip --via threads`, on two cores.
 *
 * A writer thread generates the dump and writes it with the runtime's 4 KiB
 * buffer policy into a ring of RING_SLOTS blocks of 1 MiB; the reader's
 * source (rg_source) takes whole blocks from the ring on the main thread,
 * which regenerates the expectation with a second generator and compares.
 * The writer waits while the ring is full; when the reader stops early
 * (rg_end sets `stop`), a writer waiting for room fails instead of
 * waiting, and that is the stop, not a failure. A generator or writer
 * failure ends the stream where it stands (the partial block is not
 * published), so the reader sees the dump end and rg_end names which one
 * failed. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define RING_SLOTS 4
#define RING_BLOCK ((size_t)1 << 20)
struct rt_ring {
    cli_worker wk;       /* the writer thread, and the lock of what follows */
    uint8_t *slot[RING_SLOTS];
    size_t len[RING_SLOTS];
    uint64_t head, tail; /* blocks published, blocks consumed */
    uint8_t *fill;       /* writer side: the block being filled */
    size_t flen;
    size_t pos;          /* reader side: position in block `tail` */
    int done, stop;      /* the writer finished / the reader is gone */
    hdump_gen_opts go;
    hdump_status st;
    uint64_t off, flip;  /* writer side: stream offset; --flip */
    const char *who;     /* which of the generator and the writer failed */
};

static void ring_publish(rt_ring *q) {
    pthread_mutex_lock(&q->wk.mu);
    q->len[q->head % RING_SLOTS] = q->flen;
    q->head++;
    pthread_cond_broadcast(&q->wk.cv);
    pthread_mutex_unlock(&q->wk.mu);
    q->fill = NULL;
}

static hdump_status ring_sink(void *ctx, const void *p, size_t n) {
    rt_ring *q = ctx;
    const uint8_t *b = p;
    while (n > 0) {
        if (q->fill == NULL) {
            pthread_mutex_lock(&q->wk.mu);
            while (q->head - q->tail == RING_SLOTS && !q->stop) pthread_cond_wait(&q->wk.cv, &q->wk.mu);
            int stop = q->stop;
            pthread_mutex_unlock(&q->wk.mu);
            if (stop) return HDUMP_ERR_IO;
            q->fill = q->slot[q->head % RING_SLOTS];
            q->flen = 0;
        }
        size_t k = RING_BLOCK - q->flen < n ? RING_BLOCK - q->flen : n;
        memcpy(q->fill + q->flen, b, k);
        cli_flip(q->fill + q->flen, k, q->off, q->flip);
        q->off += k;
        q->flen += k;
        b += k;
        n -= k;
        if (q->flen == RING_BLOCK) ring_publish(q);
    }
    return HDUMP_OK;
}

static hdump_status ring_read(void *ctx, void *buf, size_t cap, size_t *got) {
    rt_ring *q = ctx;
    pthread_mutex_lock(&q->wk.mu);
    while (q->head == q->tail && !q->done) pthread_cond_wait(&q->wk.cv, &q->wk.mu);
    int empty = q->head == q->tail;
    pthread_mutex_unlock(&q->wk.mu);
    *got = 0;
    if (empty) return HDUMP_OK; /* the writer finished: end of input */
    size_t i = (size_t)(q->tail % RING_SLOTS);
    size_t k = q->len[i] - q->pos < cap ? q->len[i] - q->pos : cap;
    memcpy(buf, q->slot[i] + q->pos, k);
    q->pos += k;
    *got = k;
    if (q->pos == q->len[i]) {
        pthread_mutex_lock(&q->wk.mu);
        q->tail++;
        q->pos = 0;
        pthread_cond_broadcast(&q->wk.cv);
        pthread_mutex_unlock(&q->wk.mu);
    }
    return HDUMP_OK;
}

static void *ring_feed(void *arg) {
    rt_ring *q = arg;
    hdump_sink s = {ring_sink, q};
    q->st = cli_write_all(&q->go, s, &q->who, NULL);
    if (q->st == HDUMP_OK && q->fill != NULL && q->flen > 0) ring_publish(q);
    pthread_mutex_lock(&q->wk.mu);
    q->done = 1;
    pthread_cond_broadcast(&q->wk.cv);
    pthread_mutex_unlock(&q->wk.mu);
    return NULL;
}

hdump_status rg_start(const hdump_gen_opts *go, uint64_t flip, rt_ring **out) {
    rt_ring *q = calloc(1, sizeof *q);
    if (q == NULL) return HDUMP_ERR_NOMEM;
    q->go = *go;
    q->flip = flip;
    q->st = HDUMP_OK;
    for (int i = 0; i < RING_SLOTS; i++) {
        if ((q->slot[i] = malloc(RING_BLOCK)) == NULL) {
            for (int j = 0; j < i; j++) free(q->slot[j]);
            free(q);
            return HDUMP_ERR_NOMEM;
        }
    }
    if (cli_worker_start(&q->wk, ring_feed, q) != HDUMP_OK) {
        for (int i = 0; i < RING_SLOTS; i++) free(q->slot[i]);
        free(q);
        return HDUMP_ERR_NOMEM;
    }
    *out = q;
    return HDUMP_OK;
}

hdump_source rg_source(rt_ring *q) {
    hdump_source src = {ring_read, q, UINT64_MAX};
    return src;
}

hdump_status rg_end(rt_ring *q, const char **who) {
    if (q == NULL) return HDUMP_OK;
    /* A writer blocked on a full ring then fails instead of waiting; that
     * is the stop, not a failure: only a writer thread that had finished
     * on its own reports one. */
    int was_done = 0;
    cli_worker_stop(&q->wk, &q->stop, &q->done, &was_done);
    hdump_status st = HDUMP_OK;
    if (was_done && q->st != HDUMP_OK) {
        st = q->st;
        *who = q->who != NULL ? q->who : "writer";
    }
    for (int i = 0; i < RING_SLOTS; i++) free(q->slot[i]);
    free(q);
    return st;
}
