/* common/varint_table_step.h: the table steps (common/varint_table.h) of
 * the AVX2 and AVX-512 varint decoders. Include only from a translation unit
 * built with AVX2 (or better): these use SSSE3/SSE4.1/AVX2 intrinsics. */
#ifndef HDUMP_COMMON_VARINT_TABLE_STEP_H
#define HDUMP_COMMON_VARINT_TABLE_STEP_H

#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "varint_table.h"

/* dst[0..16) = the 16 one-byte values at q. */
static inline void hdi_vt_ones16(uint64_t *dst, const uint8_t *q) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
    __m256i *d = (__m256i *)(void *)dst;
    _mm256_storeu_si256(d + 0, _mm256_cvtepu8_epi64(x));
    _mm256_storeu_si256(d + 1, _mm256_cvtepu8_epi64(_mm_srli_si128(x, 4)));
    _mm256_storeu_si256(d + 2, _mm256_cvtepu8_epi64(_mm_srli_si128(x, 8)));
    _mm256_storeu_si256(d + 3, _mm256_cvtepu8_epi64(_mm_srli_si128(x, 12)));
}

/* One table step at q with pattern `pat`: pshufb puts each value in its
 * lane, then the 7-bit groups are merged in 16-, 32- and 64-bit lanes (as
 * far as the case's lanes go: pmaddubsw, pmaddwd, then one shift-merge)
 * and the lanes are widened to uint64_t. The two multiply-adds replaced
 * and/shift/and/or per level: on the AMD Zen 1 (one vector shift pipe,
 * quiet machine) the heap mix, 1-3-byte and uniform 32-bit values decoded
 * 3-4% faster. Writes
 * dst[0..6) (case A), dst[0..4) (case B) or dst[0..2) (case C). Returns the
 * values decoded. REQUIRES: 16 readable bytes at q, 6 writable values at
 * dst, pat = hdi_vt_pat[m] for a step with hdi_vt_used[m] != 0. */
static inline size_t hdi_vt_step(uint64_t *dst, const uint8_t *q, unsigned pat) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
    __m128i *d = (__m128i *)(void *)dst;
    __m128i v = _mm_shuffle_epi8(x, _mm_loadu_si128((const __m128i *)(const void *)hdi_vt_shuf[pat]));
    v = _mm_and_si128(v, _mm_set1_epi8(0x7f));
    /* 16-bit lanes: b0 + b1 * 2^7, one pmaddubsw (unsigned bytes 1 and 128
     * times the data, which is <= 0x7f, so a valid signed byte; the sum is
     * <= 2^14 - 1, no saturation). */
    v = _mm_maddubs_epi16(_mm_set1_epi16((short)0x8001), v);
    if (pat < HDI_VT_B) {
        _mm256_storeu_si256((__m256i *)(void *)dst, _mm256_cvtepu16_epi64(v));
        _mm_storeu_si128(d + 2, _mm_cvtepu16_epi64(_mm_srli_si128(v, 8)));
        return HDI_VT_CASE_A;
    }
    /* 32-bit lanes: w0 + w1 * 2^14, one pmaddwd (words <= 2^14 - 1; the sum
     * is <= 2^28 - 1). */
    v = _mm_madd_epi16(v, _mm_set1_epi32(0x40000001));
    if (pat < HDI_VT_C) {
        _mm256_storeu_si256((__m256i *)(void *)dst, _mm256_cvtepu32_epi64(v));
        return HDI_VT_CASE_B;
    }
    /* 64-bit lanes: d0 | d1 << 28 */
    v = _mm_or_si128(_mm_and_si128(v, _mm_set1_epi64x(0x0fffffff)),
                     _mm_and_si128(_mm_srli_epi64(v, 4), _mm_set1_epi64x(0x00fffffff0000000LL)));
    _mm_storeu_si128(d, v);
    return HDI_VT_CASE_C;
}

#endif /* HDUMP_COMMON_VARINT_TABLE_STEP_H */
