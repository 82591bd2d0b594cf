/* common/varint_avx2.c: the AVX2 varint kernel (built with -mavx2; no BMI2,
 * so it is the right kernel for AMD Zen 1/2, where pdep/pext are microcoded).
 *
 * encode: blocks of 16 values that are all < 128 (one vptest over four
 *         loads) are packed with four vpshufb and stored as 16 bytes; other
 *         blocks use the scalar byte loop with its 1-byte fast path. Stores
 *         are exact: nothing is written past the encoded end.
 * decode: MaskedVByte-style table steps (common/varint_table.h, shared with
 *         the AVX-512 kernel) while 16 values and 64 bytes remain: two
 *         vpmovmskb give the continuation mask of 64 bytes at once, and steps
 *         walk it while they start in its first 48 bytes (a 16-byte load per
 *         step, no mask move on the loop-carried chain). A window of 64
 *         1-byte values is widened 4 at a time (vpmovzxbq). A step whose next
 *         16 bits are clear widens 16 1-byte values; otherwise the 12-bit
 *         table entry gives 6 values of <= 2 bytes, 4 of <= 3 or 2 of <= 8
 *         (pshufb, shift-merge, widen); a value no case takes (> 8 bytes, or
 *         the second of a pair not ending in 12 bytes) is decoded alone from
 *         its mask length with no byte loop (the 7-bit groups of an 8-byte
 *         load merged with shifts, plus bytes 8 and 9). Malformed values
 *         return 0. The last < 16 values or < 64 bytes take the scalar path,
 *         which stops at avail; nothing at or past dst + n is written. */
#include <immintrin.h>
#include <string.h>

#include "cpu.h"
#include "kernels.h"
#include "varint.h"
#include "varint_table_step.h"

static int avx2_supported(void) { return (hdi_cpu_features() & HDI_CPU_AVX2) != 0; }

/* ---- encode ---- */

static size_t avx2_encode(uint8_t *dst, const uint64_t *src, size_t n) {
    uint8_t *p = dst;
    size_t i = 0;
    /* vpshufb controls: vector j puts its 4 low bytes at bytes 4j..4j+1 of
     * lane 0 and 4j+2..4j+3 of lane 1, so or-ing the lanes gives them in
     * order. -1 (0x80) zeroes a byte. */
#define Z (-1)
    const __m256i s0 = _mm256_setr_epi8(0, 8, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z,  /**/
                                        Z, Z, 0, 8, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z);
    const __m256i s1 = _mm256_setr_epi8(Z, Z, Z, Z, 0, 8, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z,  /**/
                                        Z, Z, Z, Z, Z, Z, 0, 8, Z, Z, Z, Z, Z, Z, Z, Z);
    const __m256i s2 = _mm256_setr_epi8(Z, Z, Z, Z, Z, Z, Z, Z, 0, 8, Z, Z, Z, Z, Z, Z,  /**/
                                        Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, 0, 8, Z, Z, Z, Z);
    const __m256i s3 = _mm256_setr_epi8(Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, 0, 8, Z, Z,  /**/
                                        Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, 0, 8);
#undef Z
    const __m256i big = _mm256_set1_epi64x((long long)~0x7fULL);
    while (i + 16 <= n) {
        const __m256i *q = (const __m256i *)(const void *)(src + i);
        __m256i a = _mm256_loadu_si256(q), b = _mm256_loadu_si256(q + 1);
        __m256i c = _mm256_loadu_si256(q + 2), d = _mm256_loadu_si256(q + 3);
        __m256i o = _mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d));
        if (_mm256_testz_si256(o, big)) {
            __m256i x = _mm256_or_si256(
                _mm256_or_si256(_mm256_shuffle_epi8(a, s0), _mm256_shuffle_epi8(b, s1)),
                _mm256_or_si256(_mm256_shuffle_epi8(c, s2), _mm256_shuffle_epi8(d, s3)));
            __m128i y = _mm_or_si128(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1));
            _mm_storeu_si128((__m128i *)(void *)p, y);
            p += 16;
        } else {
            for (size_t e = i + 16; i < e; i++) p += hdi_uvarint_put(p, src[i]);
            continue;
        }
        i += 16;
    }
    for (; i < n; i++) p += hdi_uvarint_put(p, src[i]);
    return (size_t)(p - dst);
}

/* ---- decode ---- */

/* dst[0..k) = p[0..k), zero-extended; reads only p[0..k). */
static inline void widen(uint64_t *dst, const uint8_t *p, size_t k) {
    size_t j = 0;
    for (; j + 4 <= k; j += 4) {
        int32_t b4;
        memcpy(&b4, p + j, 4);
        _mm256_storeu_si256((__m256i *)(void *)(dst + j), _mm256_cvtepu8_epi64(_mm_cvtsi32_si128(b4)));
    }
    for (; j < k; j++) dst[j] = p[j];
}

/* The 7-bit groups in the bytes of w (continuation bits and the bytes past
 * the value already cleared), merged into one integer. */
static inline uint64_t merge7(uint64_t w) {
    w = (w & 0x007f007f007f007fULL) | ((w & 0x7f007f007f007f00ULL) >> 1);
    w = (w & 0x00003fff00003fffULL) | ((w & 0x3fff00003fff0000ULL) >> 2);
    return (w & 0x000000000fffffffULL) | ((w & 0x0fffffff00000000ULL) >> 4);
}

/* The value of `len` (1..10) bytes at q, with no byte loop. REQUIRES: 10
 * readable bytes at q; a well-formed value (a 10th byte <= 1). */
static inline uint64_t get_short(const uint8_t *q, unsigned len) {
    uint64_t w;
    memcpy(&w, q, 8);
    unsigned l8 = len < 8 ? len : 8;
    uint64_t v = merge7(w & (~0ULL >> (64 - 8 * l8)) & 0x7f7f7f7f7f7f7f7fULL);
    uint64_t b8 = len >= 9 ? (uint64_t)(q[8] & 0x7f) << 56 : 0;
    uint64_t b9 = len >= 10 ? (uint64_t)q[9] << 63 : 0;
    return v | b8 | b9;
}

/* Mask window: the continuation bits of 64 bytes are taken at once (two
 * vpmovmskb) and table steps walk them while they start in its first 48
 * bytes, so a step's 16-byte load and 16 mask bits stay inside it. */
#define WIN 64
#define STEP_LAST (WIN - 16)

static size_t avx2_decode(uint64_t *dst, size_t n, const uint8_t *src, size_t avail) {
    size_t used = 0, i = 0;
    while (n - i >= 16 && avail - used >= WIN) {
        const uint8_t *p = src + used;
        uint64_t lo = (uint32_t)_mm256_movemask_epi8(_mm256_loadu_si256((const __m256i *)(const void *)p));
        uint64_t hi = (uint32_t)_mm256_movemask_epi8(
            _mm256_loadu_si256((const __m256i *)(const void *)(p + 32)));
        uint64_t cont = lo | hi << 32;
        if (cont == 0) { /* 64 one-byte values */
            size_t k = n - i < WIN ? n - i : WIN;
            widen(dst + i, p, k);
            i += k;
            used += k;
            continue;
        }
        /* m = cont >> off is kept shifted, so the loop-carried chain of a
         * step is: and, table load, shift. */
        uint64_t m = cont;
        unsigned off = 0;
        do {
            const uint8_t *q = p + off;
            unsigned adv = hdi_vt_used[m & 0xfff];
            if (HDI_LIKELY(adv != 0) && (m & 0xffff) != 0) {
                i += hdi_vt_step(dst + i, q, hdi_vt_pat[m & 0xfff]);
            } else if ((m & 0xffff) == 0) {
                hdi_vt_ones16(dst + i, q);
                i += 16;
                adv = 16;
            } else {
                /* No case: the next value alone, from its length in the
                 * mask. It starts at off <= 48, so its first 10 bytes and
                 * their continuation bits are in the window. (m has 0 bits
                 * shifted in at the top; the | keeps ctz defined at off 0.) */
                adv = (unsigned)__builtin_ctzll(~m | (1ULL << 63)) + 1;
                if (HDI_UNLIKELY(adv >= 10) && (adv > 10 || q[9] > 1)) return 0;
                dst[i++] = get_short(q, adv);
            }
            m >>= adv;
            off += adv;
        } while (off <= STEP_LAST && n - i >= 16);
        used += off;
    }
    /* The last < 16 values or < WIN bytes: the scalar path, which stops at
     * avail. */
    return hdi_uvarint_decode_run(dst, i, n, src, used, avail);
}

const hdi_varint_kernel hdi_varint_avx2 = {"avx2", avx2_supported, avx2_encode, avx2_decode};
