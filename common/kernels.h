/* common/kernels.h: the varint kernel registry.
 *
 * Kernels work on batches (a memstats record, a field list, a run of header
 * varints); one value at a time is always the inline scalar path in
 * varint.h. The scalar kernel is always built, is last in the registry and is
 * the reference every other kernel must match byte for byte. A writer or
 * reader picks its kernel when it is created and keeps it. */
#ifndef HDUMP_COMMON_KERNELS_H
#define HDUMP_COMMON_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef struct hdi_varint_kernel {
    const char *name;
    /* 1 if this CPU can run the kernel. */
    int (*supported)(void);
    /* Encodes src[0..n) at dst. REQUIRES: 10*n writable bytes at dst.
     * Returns the bytes written. */
    size_t (*encode)(uint8_t *dst, const uint64_t *src, size_t n);
    /* Decodes n uvarints from src[0..avail) into dst. Returns the bytes
     * consumed, or 0 when the run is truncated or malformed (the caller then
     * redoes the run one value at a time to find and report the bad one). */
    size_t (*decode)(uint64_t *dst, size_t n, const uint8_t *src, size_t avail);
} hdi_varint_kernel;

/* NULL-terminated, best first; the scalar kernel is last. */
HDI_HIDDEN extern const hdi_varint_kernel *const hdi_varint_kernels[];
HDI_HIDDEN extern const hdi_varint_kernel hdi_varint_scalar;

/* name NULL = the best kernel this CPU supports; an unknown name, or one this
 * CPU cannot run, is HDUMP_ERR_UNSUPPORTED. */
HDI_HIDDEN hdump_status hdi_varint_pick(const char *name, const hdi_varint_kernel **out);

#endif /* HDUMP_COMMON_KERNELS_H */
