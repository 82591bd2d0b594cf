/* common/typecache.h: the runtime's most-recently-used type cache, shared by
 * the writer (hdump_writer_put_type) and the generator (docs/format.md §3). */
#ifndef HDUMP_COMMON_TYPECACHE_H
#define HDUMP_COMMON_TYPECACHE_H

#include "internal.h"

typedef struct hdi_typecache {
    uint64_t *slots; /* buckets x ways addresses, most recent first; 0 = empty */
    uint32_t buckets, ways;
    uint64_t hits, misses;
} hdi_typecache;

/* buckets must be a power of two; 0 buckets or 0 ways disables the cache
 * (every lookup misses). Returns HDUMP_ERR_NOMEM or HDUMP_OK. */
HDI_HIDDEN hdump_status hdi_typecache_init(hdi_typecache *c, const hdump_alloc *a,
                                           uint32_t buckets, uint32_t ways);
HDI_HIDDEN void hdi_typecache_free(hdi_typecache *c, const hdump_alloc *a);

/* 1 if addr is cached (it becomes most recent); 0 if not (it is inserted as
 * most recent, evicting the least recent of its bucket). REQUIRES: addr != 0. */
HDI_HIDDEN int hdi_typecache_lookup(hdi_typecache *c, uint64_t addr, uint32_t hash);

#endif
