/* hdump/alloc.h: allocator hooks, passed per object at creation.
 * There is no global allocator. A NULL hdump_alloc pointer means libc. */
#ifndef HDUMP_ALLOC_H
#define HDUMP_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Allocator hooks. Sizes are passed back on realloc and free, so arena and
 *  capped allocators are trivial. `alloc` and `realloc` return NULL on
 *  failure, which hdump reports as HDUMP_ERR_NOMEM. All three members must be
 *  set when the struct is used. Calls are made only from the thread that is
 *  using the handle the allocator was given to, except by hdump_scan_mem
 *  (hdump/scan.h), which calls a reader allocator from each of its threads. */
typedef struct hdump_alloc {
    void *(*alloc)(void *ctx, size_t n);
    void *(*realloc)(void *ctx, void *p, size_t old_n, size_t new_n);
    void (*free)(void *ctx, void *p, size_t n);
    void *ctx;
} hdump_alloc;

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_ALLOC_H */
