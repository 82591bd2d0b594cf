/* tests/util/digest.h: a digest of a record's every field, the same whether
 * its byte ranges came as views or as streamed chunks (FNV-1a over bytes). */
#ifndef HDUMP_TESTS_DIGEST_H
#define HDUMP_TESTS_DIGEST_H

#include <stdint.h>

#include "common/grammar.h"
#include "hdump/hdump.h"

#define DIGEST_MAXRANGES 64

static inline uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static inline uint64_t fnv_u(uint64_t h, uint64_t v) { return fnv(h, &v, sizeof v); }

/* Streamed-range hashes of the current record, filled by digest_on_range. */
typedef struct digest_ranges {
    uint64_t h[DIGEST_MAXRANGES];
    uint64_t chunks;
} digest_ranges;

static inline int digest_on_range(void *ctx, const hdump_range_chunk *c) {
    digest_ranges *d = ctx;
    if (c->which < DIGEST_MAXRANGES) {
        if (c->range_offset == 0) d->h[c->which] = 0xcbf29ce484222325ull;
        d->h[c->which] = fnv(d->h[c->which], c->ptr, c->len);
    }
    d->chunks++;
    return 0;
}

static inline uint64_t digest_bytes(const hdump_bytes *b, const digest_ranges *d, uint32_t which) {
    uint64_t h = 0xcbf29ce484222325ull;
    if (b->ptr == NULL && b->len > 0) h = (d && which < DIGEST_MAXRANGES) ? d->h[which] : 0;
    else h = fnv(h, b->ptr, (size_t)b->len);
    return fnv_u(h, b->len);
}

static inline uint64_t digest_record(int version, const hdump_record *r, const digest_ranges *d) {
    uint64_t h = fnv_u(0xcbf29ce484222325ull, (uint64_t)r->tag);
    h = fnv_u(h, r->offset);
    h = fnv_u(h, r->index);
    const hdi_op *ops = hdi_grammar(version, (uint64_t)r->tag);
    for (const hdi_op *op = ops; op && op->op != HDI_OP_END; op++) {
        const char *at = (const char *)r + op->off;
        switch (op->op) {
        case HDI_OP_U: h = fnv_u(h, *(const uint64_t *)(const void *)at); break;
        case HDI_OP_S: h = fnv_u(h, digest_bytes((const hdump_bytes *)(const void *)at, d, op->which)); break;
        case HDI_OP_F: {
            const hdump_fields *f = (const hdump_fields *)(const void *)at;
            h = fnv_u(h, f->count);
            for (uint64_t i = 0; i < f->count; i++) {
                h = fnv_u(h, f->items[i].kind);
                h = fnv_u(h, f->items[i].offset);
            }
            break;
        }
        case HDI_OP_MEMSTATS: h = fnv(h, at, sizeof(hdump_memstats)); break;
        case HDI_OP_STACK: {
            const hdump_memprof *m = (const hdump_memprof *)(const void *)at;
            h = fnv_u(h, m->nstk);
            for (uint64_t i = 0; i < m->nstk; i++) {
                h = fnv_u(h, digest_bytes(&m->stack[i].func, d, (uint32_t)(2 * i)));
                h = fnv_u(h, digest_bytes(&m->stack[i].file, d, (uint32_t)(2 * i + 1)));
                h = fnv_u(h, m->stack[i].line);
            }
            break;
        }
        default: break;
        }
    }
    return h;
}

#endif
