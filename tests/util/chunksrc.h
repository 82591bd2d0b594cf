/* tests/util/chunksrc.h: a streaming source over memory that hands out at
 * most `chunk` bytes per read, so tests can feed the reader any piece size. */
#ifndef HDUMP_TESTS_CHUNKSRC_H
#define HDUMP_TESTS_CHUNKSRC_H

#include <string.h>

#include "hdump/hdump.h"

typedef struct chunk_src {
    const uint8_t *data;
    size_t len, pos, chunk;
} chunk_src;

static inline hdump_status chunk_read(void *ctx, void *buf, size_t cap, size_t *got) {
    chunk_src *c = ctx;
    size_t k = c->len - c->pos;
    if (k > c->chunk) k = c->chunk;
    if (k > cap) k = cap;
    memcpy(buf, c->data + c->pos, k);
    c->pos += k;
    *got = k;
    return HDUMP_OK;
}

#endif
