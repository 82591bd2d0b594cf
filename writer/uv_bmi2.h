/* writer/uv_bmi2.h: a uvarint (docs/format.md §1.1) in one pdep and one
 * 8-byte store, for the BMI2 twins of the object fast path (writer.c) and
 * the span slot loop (spans.c). Only where OBJ_BMI2 (writer_internal.h). */
#ifndef HDUMP_WRITER_UV_BMI2_H
#define HDUMP_WRITER_UV_BMI2_H

#include "writer_internal.h"

#if OBJ_BMI2
#include <immintrin.h>
#include <string.h>

#include "../common/varint.h"

/* Encoded length by clz(v) for v >= 1: ceil((64 - clz) / 7). */
static const uint8_t uv_len_by_clz[64] = {
    10, 9, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7, 7,
    6,  6, 6, 6, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 3,
    3,  3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1};

/* hdi_uvarint_put_fast with pdep. REQUIRES: 10 writable bytes at p; bytes
 * past the encoding (up to p + 8) may be overwritten. */
static inline __attribute__((target("bmi2"))) uint8_t *uv_put_bmi2(uint8_t *p, uint64_t v) {
    if (v < 0x80) {
        *p = (uint8_t)v;
        return p + 1;
    }
    if (HDI_UNLIKELY(v >> 56)) return p + hdi_uvarint_put(p, v);
    unsigned len = uv_len_by_clz[__builtin_clzll(v)];
    uint64_t x = _pdep_u64(v, 0x7f7f7f7f7f7f7f7fULL) |
                 (0x8080808080808080ULL & ((1ULL << (8 * (len - 1))) - 1));
    memcpy(p, &x, 8); /* x86-64: little-endian */
    return p + len;
}
#endif

#endif
