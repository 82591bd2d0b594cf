/* common/alloc.c: libc default hooks and the one growth helper, so every
 * allocation the library makes goes through the per-object hooks. */
#include <stdlib.h>

#include "internal.h"

static void *libc_alloc(void *ctx, size_t n) {
    (void)ctx;
    return malloc(n);
}

static void *libc_realloc(void *ctx, void *p, size_t old_n, size_t new_n) {
    (void)ctx;
    (void)old_n;
    return realloc(p, new_n);
}

static void libc_free(void *ctx, void *p, size_t n) {
    (void)ctx;
    (void)n;
    free(p);
}

void hdi_alloc_resolve(hdump_alloc *dst, const hdump_alloc *a) {
    if (a != NULL && a->alloc != NULL && a->realloc != NULL && a->free != NULL) {
        *dst = *a;
        return;
    }
    dst->alloc = libc_alloc;
    dst->realloc = libc_realloc;
    dst->free = libc_free;
    dst->ctx = NULL;
}

hdump_status hdi_grow(const hdump_alloc *a, void **p, size_t *n_cap, size_t size, size_t need,
                      size_t max) {
    size_t n = *n_cap ? *n_cap : 16;
    while (n < need) n = (n > max / 2) ? max : n * 2;
    if (n > max) n = max;
    if (n < need) n = need;
    void *q = (*p == NULL) ? a->alloc(a->ctx, n * size)
                           : a->realloc(a->ctx, *p, *n_cap * size, n * size);
    if (q == NULL) return HDUMP_ERR_NOMEM;
    *p = q;
    *n_cap = n;
    return HDUMP_OK;
}
