/* common/varint.h: the single-value uvarint paths (docs/format.md §1.1:
 * unsigned LEB128, 7 bits a byte, low group first, at most 10 bytes).
 * Batch work goes through a kernel (common/kernels.h); one value at a time
 * is always this inline scalar code. */
#ifndef HDUMP_COMMON_VARINT_H
#define HDUMP_COMMON_VARINT_H

#include <stddef.h>
#include <stdint.h>

#define HDI_UVARINT_MAX 10

/* Encodes v at p. REQUIRES: 10 writable bytes at p. Returns the length. */
static inline size_t hdi_uvarint_put(uint8_t *p, uint64_t v) {
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/* Encodes v at p as hdi_uvarint_put does, with the 1- and 2-byte values
 * (most of a dump's varints) on short branches of their own. REQUIRES: 10
 * writable bytes at p. Returns the end of the encoding. */
static inline uint8_t *hdi_uvarint_put_fast(uint8_t *p, uint64_t v) {
    if (v < 0x80) {
        *p = (uint8_t)v;
        return p + 1;
    }
    if (v < 0x4000) {
        p[0] = (uint8_t)(v | 0x80);
        p[1] = (uint8_t)(v >> 7);
        return p + 2;
    }
    return p + hdi_uvarint_put(p, v);
}

/* Encoded length of v (1..10). */
static inline size_t hdi_uvarint_len(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* Decodes one uvarint from p[0..avail). Returns its length (1..10), 0 when
 * avail bytes end inside it (truncated: only possible with avail < 10), or
 * -1 when it is malformed (10 bytes without an end, or a 10th byte > 1,
 * which would overflow 64 bits: Go's binary.Uvarint rule). *noncanon is set
 * when the encoding is longer than needed (a final 0x00 after the first). */
static inline int hdi_uvarint_get(const uint8_t *p, size_t avail, uint64_t *v, int *noncanon) {
    uint64_t x = 0;
    size_t lim = avail < HDI_UVARINT_MAX ? avail : HDI_UVARINT_MAX;
    for (size_t i = 0; i < lim; i++) {
        uint8_t b = p[i];
        if (i == 9 && b > 1) return -1;
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *v = x;
            *noncanon = (b == 0 && i > 0);
            return (int)(i + 1);
        }
    }
    return lim == HDI_UVARINT_MAX ? -1 : 0;
}

/* Decodes dst[i..n) one value at a time from src[used..avail): the scalar
 * path every kernel ends its batch with (and the scalar kernel is made of).
 * Returns the new `used`, or 0 when the run is truncated or malformed. */
static inline size_t hdi_uvarint_decode_run(uint64_t *dst, size_t i, size_t n, const uint8_t *src,
                                            size_t used, size_t avail) {
    for (; i < n; i++) {
        int nc;
        int k = hdi_uvarint_get(src + used, avail - used, &dst[i], &nc);
        if (k <= 0) return 0;
        used += (size_t)k;
    }
    return used;
}

#endif /* HDUMP_COMMON_VARINT_H */
