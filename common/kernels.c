/* common/kernels.c: the kernel registry, the pick made at handle creation,
 * and the public batch calls of hdump/kernel.h. */
#include "kernels.h"

#include <string.h>

#include "varint.h"

const hdi_varint_kernel *const hdi_varint_kernels[] = {
#if defined(HDUMP_KERNEL_AVX512)
    &hdi_varint_avx512,
#endif
#if defined(HDUMP_KERNEL_AVX2)
    &hdi_varint_avx2,
#endif
#if defined(HDUMP_KERNEL_BMI2)
    &hdi_varint_bmi2,
#endif
    &hdi_varint_scalar, NULL};

hdump_status hdi_varint_pick(const char *name, const hdi_varint_kernel **out) {
    for (size_t i = 0; hdi_varint_kernels[i] != NULL; i++) {
        const hdi_varint_kernel *k = hdi_varint_kernels[i];
        if (name == NULL) {
            if (!k->supported()) continue; /* the scalar kernel always is */
        } else {
            if (strcmp(name, k->name) != 0) continue;
            if (!k->supported()) return HDUMP_ERR_UNSUPPORTED;
        }
        *out = k;
        return HDUMP_OK;
    }
    return HDUMP_ERR_UNSUPPORTED;
}

size_t hdump_kernel_count(void) { return sizeof hdi_varint_kernels / sizeof *hdi_varint_kernels - 1; }

const char *hdump_kernel_name(size_t i) {
    return i < hdump_kernel_count() ? hdi_varint_kernels[i]->name : NULL;
}

int hdump_kernel_supported(const char *name) {
    const hdi_varint_kernel *k;
    return name != NULL && hdi_varint_pick(name, &k) == HDUMP_OK;
}

const char *hdump_kernel_best(void) {
    const hdi_varint_kernel *k = &hdi_varint_scalar;
    (void)hdi_varint_pick(NULL, &k);
    return k->name;
}

hdump_status hdump_varint_encode(const char *kernel, uint8_t *dst, const uint64_t *src, size_t n,
                                 size_t *written) {
    const hdi_varint_kernel *k;
    if (written != NULL) *written = 0;
    HDI_TRY(hdi_varint_pick(kernel, &k));
    if (n == 0) return HDUMP_OK;
    if (dst == NULL || src == NULL) return HDUMP_ERR_USAGE;
    size_t w = k->encode(dst, src, n);
    if (written != NULL) *written = w;
    return HDUMP_OK;
}

hdump_status hdump_varint_decode(const char *kernel, uint64_t *dst, size_t n, const uint8_t *src,
                                 size_t avail, size_t *used) {
    const hdi_varint_kernel *k;
    if (used != NULL) *used = 0;
    HDI_TRY(hdi_varint_pick(kernel, &k));
    if (n == 0) return HDUMP_OK;
    if (dst == NULL || src == NULL) return HDUMP_ERR_USAGE;
    size_t u = k->decode(dst, n, src, avail);
    if (HDI_LIKELY(u != 0)) {
        if (used != NULL) *used = u;
        return HDUMP_OK;
    }
    /* The kernel only says "bad run": redo it one value at a time. */
    u = 0;
    for (size_t i = 0; i < n; i++) {
        int nc;
        int r = hdi_uvarint_get(src + u, avail - u, &dst[i], &nc);
        if (r <= 0) {
            if (used != NULL) *used = u;
            return r == 0 ? HDUMP_ERR_TRUNCATED : HDUMP_ERR_VARINT;
        }
        u += (size_t)r;
    }
    /* Unreachable with correct kernels (each matches the scalar one). */
    if (used != NULL) *used = u;
    return HDUMP_OK;
}
