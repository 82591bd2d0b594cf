/* common/typecache.c: the runtime's type cache (docs/format.md §3: a type
 * record is written once per cache miss; repeats are legal).
 *
 * Same policy as the runtime's dumptype: bucket = hash & (buckets - 1); a hit
 * moves the type to the front of its bucket; a miss shifts the bucket down
 * one way (dropping the last) and puts the type in front. */
#include "typecache.h"

#include <string.h>

hdump_status hdi_typecache_init(hdi_typecache *c, const hdump_alloc *a, uint32_t buckets,
                                uint32_t ways) {
    memset(c, 0, sizeof *c);
    if (buckets == 0 || ways == 0) return HDUMP_OK;
    size_t n = (size_t)buckets * ways;
    c->slots = a->alloc(a->ctx, n * sizeof *c->slots);
    if (c->slots == NULL) return HDUMP_ERR_NOMEM;
    memset(c->slots, 0, n * sizeof *c->slots);
    c->buckets = buckets;
    c->ways = ways;
    return HDUMP_OK;
}

void hdi_typecache_free(hdi_typecache *c, const hdump_alloc *a) {
    if (c->slots) a->free(a->ctx, c->slots, (size_t)c->buckets * c->ways * sizeof *c->slots);
    c->slots = NULL;
}

int hdi_typecache_lookup(hdi_typecache *c, uint64_t addr, uint32_t hash) {
    if (c->slots == NULL) {
        c->misses++;
        return 0;
    }
    uint64_t *b = c->slots + (size_t)(hash & (c->buckets - 1)) * c->ways;
    for (uint32_t i = 0; i < c->ways; i++) {
        if (b[i] != addr) continue;
        for (uint32_t j = i; j > 0; j--) b[j] = b[j - 1];
        b[0] = addr;
        c->hits++;
        return 1;
    }
    for (uint32_t j = c->ways - 1; j > 0; j--) b[j] = b[j - 1];
    b[0] = addr;
    c->misses++;
    return 0;
}
