/* common/varint_avx2.c: the AVX2 varint kernel (built with -mavx2; no BMI2,
 * so it is the right kernel for AMD Zen 1/2, where pdep/pext are microcoded).
 *
 * encode: blocks of 16 values that are all < 128 (one vptest over four
 *         loads) are packed with four vpshufb and stored as 16 bytes; other
 *         blocks use the scalar byte loop with its 1-byte fast path. Stores
 *         are exact: nothing is written past the encoded end.
 * decode: MaskedVByte-style 32-byte windows while 48 bytes remain (a value
 *         starting in the window is read as 10 bytes): vpmovmskb gives the
 *         continuation bits, so value ends are its zero bits, walked with
 *         tzcnt/blsr. A window of 32 1-byte values, or a run of >= 8 inside
 *         one, is widened 4 at a time (vpmovzxbq); every other value is
 *         decoded without branches: the 7-bit groups of an 8-byte load merged
 *         with shifts, plus bytes 8 and 9. Malformed values return 0; the
 *         last < 48 bytes take the scalar path, which stops at avail. */
#include <immintrin.h>
#include <string.h>

#include "cpu.h"
#include "kernels.h"
#include "varint.h"

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

/* The 7-bit groups in the bytes of w (continuation bits and the bytes past
 * the value already cleared), merged into one integer. */
static inline uint64_t merge7(uint64_t w) {
    w = (w & 0x007f007f007f007fULL) | ((w & 0x7f007f007f007f00ULL) >> 1);
    w = (w & 0x00003fff00003fffULL) | ((w & 0x3fff00003fff0000ULL) >> 2);
    return (w & 0x000000000fffffffULL) | ((w & 0x0fffffff00000000ULL) >> 4);
}

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

/* Window size and the bytes a window needs past its end: a value starting
 * at byte 31 is read as 8 + 2 bytes. */
#define WIN 32
#define WIN_NEED (WIN + 16)

static size_t avx2_decode(uint64_t *dst, size_t n, const uint8_t *src, size_t avail) {
    size_t used = 0, i = 0;
    while (i < n && avail - used >= WIN_NEED) {
        const uint8_t *p = src + used;
        uint32_t cont = (uint32_t)_mm256_movemask_epi8(_mm256_loadu_si256((const __m256i *)(const void *)p));
        if (cont == 0) { /* 32 one-byte values */
            size_t k = n - i < WIN ? n - i : WIN;
            widen(dst + i, p, k);
            i += k;
            used += k;
            continue;
        }
        /* Walk the value ends (zero bits of cont) with tzcnt/blsr; every
         * value is decoded branch-free from an 8-byte load plus bytes 8, 9. */
        uint32_t ends = ~cont;
        unsigned start = 0;
        while (ends != 0 && i < n) {
            if (((ends >> start) & 0xff) == 0xff) { /* a run of >= 8 1-byte values */
                uint32_t r = ~(ends >> start);
                size_t run = r != 0 ? (size_t)__builtin_ctz(r) : WIN;
                if (run > n - i) run = n - i;
                widen(dst + i, p + start, run);
                i += run;
                start += (unsigned)run;
                ends = start >= WIN ? 0 : ends & (~0u << start);
                continue;
            }
            unsigned end = (unsigned)__builtin_ctz(ends);
            unsigned len = end + 1 - start;
            const uint8_t *q = p + start;
            uint64_t w;
            memcpy(&w, q, 8);
            unsigned l8 = len < 8 ? len : 8;
            uint64_t v = merge7(w & (~0ULL >> (64 - 8 * l8)) & 0x7f7f7f7f7f7f7f7fULL);
            uint64_t b8 = len >= 9 ? (uint64_t)(q[8] & 0x7f) << 56 : 0;
            uint64_t b9 = len >= 10 ? (uint64_t)q[9] << 63 : 0;
            if (HDI_UNLIKELY(len >= 10) && (len > 10 || q[9] > 1)) return 0;
            dst[i++] = v | b8 | b9;
            ends &= ends - 1;
            start = end + 1;
        }
        if (start == 0) return 0; /* no end in 32 bytes: > 10 bytes */
        used += start;
    }
    /* The last < WIN_NEED bytes: the scalar path, which stops at avail. */
    return hdi_uvarint_decode_run(dst, i, n, src, used, avail);
}

const hdi_varint_kernel hdi_varint_avx2 = {"avx2", avx2_supported, avx2_encode, avx2_decode};
