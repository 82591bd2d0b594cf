/* common/internal.h: declarations shared by the library's translation units
 * (hdi_ prefix, hidden visibility). Nothing here is public API. */
#ifndef HDUMP_COMMON_INTERNAL_H
#define HDUMP_COMMON_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "hdump/alloc.h"
#include "hdump/errors.h"
#include "hdump/record.h"

#if defined(__GNUC__)
#define HDI_HIDDEN __attribute__((visibility("hidden")))
#define HDI_NOINLINE __attribute__((noinline))
#define HDI_LIKELY(x) __builtin_expect(!!(x), 1)
#define HDI_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define HDI_HIDDEN
#define HDI_NOINLINE
#define HDI_LIKELY(x) (x)
#define HDI_UNLIKELY(x) (x)
#endif

/* HDUMP_DEBUGLEVEL >= 2 traces every error return with file:line. */
#ifndef HDUMP_DEBUGLEVEL
#define HDUMP_DEBUGLEVEL 0
#endif
#if HDUMP_DEBUGLEVEL >= 2
#include <stdio.h>
#define HDI_TRACE_ERR(what, st) \
    fprintf(stderr, "hdump: %s:%d: %s -> %d\n", __FILE__, __LINE__, (what), (int)(st))
#else
#define HDI_TRACE_ERR(what, st) ((void)0)
#endif

#define HDI_TRY(expr)                        \
    do {                                     \
        hdump_status hdi_s_ = (expr);        \
        if (HDI_UNLIKELY(hdi_s_ != HDUMP_OK)) { \
            HDI_TRACE_ERR(#expr, hdi_s_);    \
            return hdi_s_;                   \
        }                                    \
    } while (0)

/* ---- Allocation (common/alloc.c) ---- */

/* Copies *a, or the libc hooks when a is NULL. */
HDI_HIDDEN void hdi_alloc_resolve(hdump_alloc *dst, const hdump_alloc *a);
/* Grows *p (n_old entries of `size` bytes) to at least `need` entries, doubling,
 * capped at `max` entries. REQUIRES: need <= max. Returns HDUMP_ERR_NOMEM on
 * failure (the old block is kept). */
HDI_HIDDEN hdump_status hdi_grow(const hdump_alloc *a, void **p, size_t *n_cap, size_t size,
                                 size_t need, size_t max);

/* ---- Whole-file mappings (common/mapfile.c) ---- */

/* Maps a regular file read-only (an empty file gives data NULL, len 0).
 * Returns HDUMP_ERR_IO when it cannot be opened, stat'ed or mapped. */
HDI_HIDDEN hdump_status hdi_map_file(const char *path, const uint8_t **data, size_t *len);
HDI_HIDDEN void hdi_unmap_file(const uint8_t *data, size_t len);

/* ---- Versions and names (common/names.c) ---- */

/* Parses a 16-byte header. Returns the version, or 0 if it is not one. */
HDI_HIDDEN int hdi_header_version(const uint8_t *h);
/* 1 if the n (< 16) bytes could start a known header. */
HDI_HIDDEN int hdi_header_prefix_ok(const uint8_t *h, size_t n);

#endif /* HDUMP_COMMON_INTERNAL_H */
