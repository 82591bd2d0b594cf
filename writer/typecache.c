/* writer/typecache.c: the runtime's type cache (docs/format.md §3: a type
 * record is written once per cache miss; repeats are legal).
 *
 * Same policy as the runtime's dumptype: bucket = hash & (buckets - 1); a hit
 * moves the type to the front of its bucket; a miss shifts the bucket down
 * one way (dropping the last) and puts the type in front. */
#include "writer_internal.h"

int hdi_typecache_lookup(hdump_writer *w, uint64_t addr, uint32_t hash) {
    if (w->tc == NULL) {
        w->tc_misses++;
        return 0;
    }
    uint64_t *b = w->tc + (size_t)(hash & (w->tc_buckets - 1)) * w->tc_ways;
    for (uint32_t i = 0; i < w->tc_ways; i++) {
        if (b[i] != addr) continue;
        for (uint32_t j = i; j > 0; j--) b[j] = b[j - 1];
        b[0] = addr;
        w->tc_hits++;
        return 1;
    }
    for (uint32_t j = w->tc_ways - 1; j > 0; j--) b[j] = b[j - 1];
    b[0] = addr;
    w->tc_misses++;
    return 0;
}
