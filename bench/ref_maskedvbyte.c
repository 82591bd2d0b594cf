/* bench/ref_maskedvbyte.c: the MaskedVByte-style baseline decoder (see
 * ref_maskedvbyte.h). Built with -mssse3 -msse4.1 (bench/CMakeLists.txt).
 *
 * Step (while >= 16 bytes and >= 16 values remain):
 *   x = 16 bytes; m = pmovmskb(x) (bit j set: byte j continues its value).
 *   m == 0: 16 one-byte values, widened straight from x.
 *   else t = table[m & 0xfff] gives the bytes consumed and a pattern:
 *     A  6 values of <= 2 bytes  -> pshufb into six 16-bit lanes
 *     B  4 values of <= 3 bytes  -> pshufb into four 32-bit lanes
 *     C  2 values of <= 5 bytes  -> pshufb into two 64-bit lanes
 *   (the first case whose values all end inside the 12 bytes), then the
 *   7-bit groups of each lane are merged with and/shift/or.
 *   No case: a value is longer than 5 bytes, which a 32-bit decoder rejects.
 * 64 patterns for A (2^6), 81 for B (3^4), 25 for C (5^2). */
#include "ref_maskedvbyte.h"

#if defined(__SSSE3__) && defined(__SSE4_1__)
#include <smmintrin.h>
#include <string.h>
#include <tmmintrin.h>

#define NPAT (64 + 81 + 25)
#define PAT_B 64
#define PAT_C (64 + 81)

static uint8_t mvb_used[4096]; /* bytes consumed; 0: no case applies */
static uint8_t mvb_pat[4096];  /* pattern index */
static uint8_t mvb_shuf[NPAT][16];

int hb_mvb_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1");
}

/* Pattern for `cnt` values of lengths len[] into lanes of `lane` bytes. */
static void make_pattern(uint8_t *shuf, const unsigned *len, unsigned cnt, unsigned lane) {
    unsigned off = 0;
    memset(shuf, 0x80, 16); /* 0x80: pshufb writes a zero byte */
    for (unsigned k = 0; k < cnt; k++) {
        for (unsigned b = 0; b < len[k]; b++) shuf[k * lane + b] = (uint8_t)(off + b);
        off += len[k];
    }
}

void hb_mvb_init(void) {
    for (unsigned m = 0; m < 4096; m++) {
        unsigned len[12], cnt = 0, pos = 0;
        while (pos < 12) { /* the values that end inside the 12 bytes */
            unsigned j = pos;
            while (j < 12 && (m >> j) & 1) j++;
            if (j == 12) break;
            len[cnt++] = j - pos + 1;
            pos = j + 1;
        }
        unsigned maxlen[3] = {0, 0, 0}, sum[3] = {0, 0, 0};
        const unsigned want[3] = {6, 4, 2};
        for (unsigned c = 0; c < 3; c++) {
            for (unsigned k = 0; k < want[c] && k < cnt; k++) {
                if (len[k] > maxlen[c]) maxlen[c] = len[k];
                sum[c] += len[k];
            }
        }
        mvb_used[m] = 0;
        mvb_pat[m] = 0;
        if (cnt >= 6 && maxlen[0] <= 2) {
            unsigned p = 0;
            for (unsigned k = 0; k < 6; k++) p |= (len[k] - 1) << k;
            mvb_used[m] = (uint8_t)sum[0];
            mvb_pat[m] = (uint8_t)p;
            make_pattern(mvb_shuf[p], len, 6, 2);
        } else if (cnt >= 4 && maxlen[1] <= 3) {
            unsigned p = 0;
            for (unsigned k = 4; k-- > 0;) p = p * 3 + (len[k] - 1);
            p += PAT_B;
            mvb_used[m] = (uint8_t)sum[1];
            mvb_pat[m] = (uint8_t)p;
            make_pattern(mvb_shuf[p], len, 4, 4);
        } else if (cnt >= 2 && maxlen[2] <= 5) {
            unsigned p = PAT_C + (len[0] - 1) * 5 + (len[1] - 1);
            mvb_used[m] = (uint8_t)sum[2];
            mvb_pat[m] = (uint8_t)p;
            make_pattern(mvb_shuf[p], len, 2, 8);
        }
    }
}

/* One value of at most 5 bytes from p[0..avail); 0 when it is longer or
 * the input ends inside it. */
static inline size_t get32(const uint8_t *p, size_t avail, uint64_t *v) {
    uint64_t x = 0;
    for (size_t j = 0; j < avail && j < 5; j++) {
        x |= (uint64_t)(p[j] & 0x7f) << (7 * j);
        if (p[j] < 0x80) {
            *v = x;
            return j + 1;
        }
    }
    return 0;
}

/* One step at p, whose continuation bits are the low 16 bits of m: decodes
 * 16, 6, 4 or 2 values into dst and sets *cnt. Returns the bytes consumed, 0
 * for a value longer than 5 bytes. REQUIRES: 16 readable bytes at p, 16
 * writable values at dst. */
static inline unsigned step(uint64_t *dst, const uint8_t *p, unsigned m, unsigned *cnt) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i *d = (__m128i *)(void *)dst;
    if ((m & 0xffff) == 0) { /* 16 one-byte values */
        _mm_storeu_si128(d + 0, _mm_cvtepu8_epi64(x));
        _mm_storeu_si128(d + 1, _mm_cvtepu8_epi64(_mm_srli_si128(x, 2)));
        _mm_storeu_si128(d + 2, _mm_cvtepu8_epi64(_mm_srli_si128(x, 4)));
        _mm_storeu_si128(d + 3, _mm_cvtepu8_epi64(_mm_srli_si128(x, 6)));
        _mm_storeu_si128(d + 4, _mm_cvtepu8_epi64(_mm_srli_si128(x, 8)));
        _mm_storeu_si128(d + 5, _mm_cvtepu8_epi64(_mm_srli_si128(x, 10)));
        _mm_storeu_si128(d + 6, _mm_cvtepu8_epi64(_mm_srli_si128(x, 12)));
        _mm_storeu_si128(d + 7, _mm_cvtepu8_epi64(_mm_srli_si128(x, 14)));
        *cnt = 16;
        return 16;
    }
    unsigned k = m & 0xfff, pat = mvb_pat[k], c = mvb_used[k];
    __m128i s = _mm_shuffle_epi8(x, _mm_loadu_si128((const __m128i *)(const void *)mvb_shuf[pat]));
    if (pat < PAT_B) { /* 6 x <= 2 bytes, 16-bit lanes */
        __m128i v = _mm_or_si128(_mm_and_si128(s, _mm_set1_epi16(0x007f)),
                                 _mm_srli_epi16(_mm_and_si128(s, _mm_set1_epi16(0x7f00)), 1));
        _mm_storeu_si128(d + 0, _mm_cvtepu16_epi64(v));
        _mm_storeu_si128(d + 1, _mm_cvtepu16_epi64(_mm_srli_si128(v, 4)));
        _mm_storeu_si128(d + 2, _mm_cvtepu16_epi64(_mm_srli_si128(v, 8)));
        *cnt = 6;
    } else if (pat < PAT_C) { /* 4 x <= 3 bytes, 32-bit lanes */
        __m128i v = _mm_or_si128(
            _mm_or_si128(_mm_and_si128(s, _mm_set1_epi32(0x7f)),
                         _mm_srli_epi32(_mm_and_si128(s, _mm_set1_epi32(0x7f00)), 1)),
            _mm_srli_epi32(_mm_and_si128(s, _mm_set1_epi32(0x7f0000)), 2));
        _mm_storeu_si128(d + 0, _mm_cvtepu32_epi64(v));
        _mm_storeu_si128(d + 1, _mm_cvtepu32_epi64(_mm_srli_si128(v, 8)));
        *cnt = 4;
    } else { /* 2 x <= 5 bytes, 64-bit lanes */
        __m128i v = _mm_or_si128(
            _mm_or_si128(_mm_and_si128(s, _mm_set1_epi64x(0x7f)),
                         _mm_srli_epi64(_mm_and_si128(s, _mm_set1_epi64x(0x7f00)), 1)),
            _mm_or_si128(_mm_srli_epi64(_mm_and_si128(s, _mm_set1_epi64x(0x7f0000)), 2),
                         _mm_srli_epi64(_mm_and_si128(s, _mm_set1_epi64x(0x7f000000)), 3)));
        v = _mm_or_si128(v, _mm_srli_epi64(_mm_and_si128(s, _mm_set1_epi64x(0x7f00000000)), 4));
        _mm_storeu_si128(d, v);
        *cnt = 2;
    }
    return c; /* 0 when no case applies (pattern 0 was written, ignored) */
}

size_t hb_mvb_decode(uint64_t *dst, size_t n, const uint8_t *src, size_t avail) {
    size_t i = 0, used = 0;
    /* As the published implementation does, the continuation mask of 64
     * bytes is computed once and steps walk it while they start in the
     * first 48 bytes, so the loop-carried chain is shift + table load. */
    while (avail - used >= 64 && n - i >= 16) {
        const uint8_t *p = src + used;
        const __m128i *q = (const __m128i *)(const void *)p;
        uint64_t mask = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_loadu_si128(q)) |
                        (uint64_t)(unsigned)_mm_movemask_epi8(_mm_loadu_si128(q + 1)) << 16 |
                        (uint64_t)(unsigned)_mm_movemask_epi8(_mm_loadu_si128(q + 2)) << 32 |
                        (uint64_t)(unsigned)_mm_movemask_epi8(_mm_loadu_si128(q + 3)) << 48;
        unsigned off = 0;
        while (off < 48 && n - i >= 16) {
            unsigned cnt, c = step(dst + i, p + off, (unsigned)(mask >> off), &cnt);
            if (c == 0) return 0; /* a value of more than 5 bytes */
            off += c;
            i += cnt;
        }
        used += off;
    }
    while (avail - used >= 16 && n - i >= 16) {
        const uint8_t *p = src + used;
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)p));
        unsigned cnt, c = step(dst + i, p, m, &cnt);
        if (c == 0) return 0;
        used += c;
        i += cnt;
    }
    for (; i < n; i++) { /* the tail, one value at a time */
        size_t k = get32(src + used, avail - used, &dst[i]);
        if (k == 0) return 0;
        used += k;
    }
    return used;
}

#else /* not built with SSSE3 + SSE4.1 */

int hb_mvb_supported(void) { return 0; }
void hb_mvb_init(void) {}
size_t hb_mvb_decode(uint64_t *dst, size_t n, const uint8_t *src, size_t avail) {
    (void)dst;
    (void)n;
    (void)src;
    (void)avail;
    return 0;
}

#endif
