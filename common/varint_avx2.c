/* common/varint_avx2.c: the AVX2 varint kernel (built with -mavx2; no BMI2,
 * so it is the right kernel for AMD Zen 1/2, where pdep/pext are microcoded).
 *
 * encode: blocks of 16 values that are all < 128 (one vptest over four
 *         loads) are packed with four vpshufb and stored as 16 bytes. Other
 *         values go 4 to a vector with no byte loop and no pdep: the 7-bit
 *         groups spread into bytes (vpshufb + vpmulhuw), the continuation
 *         bits from one subtraction's borrow, the lengths from vpmovmskb +
 *         popcnt, and pairs of values joined by one vpshufb into a 16-byte
 *         store (values >= 2^56: 8 + 2-byte stores each). The last < 4
 *         values: the same spread in scalar code. Stores may write past the
 *         encoded end but never at or past dst + 10*n (see the encode
 *         section).
 * decode: MaskedVByte-style table steps (common/varint_table.h, shared with
 *         the AVX-512 kernel) while 16 values and 64 bytes remain: two
 *         vpmovmskb give the continuation mask of 64 bytes at once, and steps
 *         walk it while they start in its first 48 bytes (a 16-byte load per
 *         step, no mask move on the loop-carried chain). A window of 64
 *         1-byte values is widened 4 at a time (vpmovzxbq). A step whose next
 *         16 bits are clear widens 16 1-byte values; otherwise the 12-bit
 *         table entry gives 6 values of <= 2 bytes, 4 of <= 3 or 2 of <= 8
 *         (pshufb, multiply-add merge, widen); a value no case takes (> 8 bytes, or
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

/* popcnt (the encoder's lengths): implied by -mavx2 and on every AVX2 CPU,
 * checked all the same. */
static int avx2_supported(void) {
    /* built with -mavx2, which also lets the compiler emit popcnt */
    unsigned need = HDI_CPU_AVX2 | HDI_CPU_POPCNT;
    return (hdi_cpu_features() & need) == need;
}

/* ---- encode ---- */

/* Unsigned LEB128 (docs/format.md §1.1): the value in 7-bit groups, low group
 * first, one a byte, with bit 7 (the continuation bit) set in every byte but
 * the last. A value < 2^(7k) takes k bytes, so one < 2^56 takes at most 8:
 * its 8 groups spread one a byte (byte j = bits 7j..7j+6), with 0x80 in each
 * byte below its highest non-zero group, fit one 8-byte word. A value >=
 * 2^56 takes 9 or 10: those 8 bytes all with 0x80, then bits 56..63 (bit 63
 * is then byte 8's continuation bit, exactly when byte 9 is needed), then bit
 * 63.
 *
 * Stores are whole words at the start of each value (8 bytes, a 16-byte pair,
 * 2 more for a value >= 2^56), in value order, so a later value overwrites
 * the garbage past the end of the one before it. Value i starts at or before
 * dst + 10*i and no store for it reaches past its start + 10 (a pair's
 * 16-byte store: past the start of the first + 16 <= its 20-byte budget), so
 * nothing is stored at or past dst + 10*n (the slop contract, and what
 * writer/writer.c's memstats path relies on).
 *
 * No pdep (microcoded on Zen 1/2, where this kernel runs), and no vector
 * shifts: on the Zen 1 this was measured on, a version spreading and
 * smearing with vpsllq/vpsrlq was about 25% slower (Zen 1 has one vector
 * shift pipe).
 * popcnt: every AVX2 CPU has it and -mavx2 implies it (avx2_supported checks
 * it all the same). The 16-value all-< 128 path stays: 16 bytes a store. */

/* The 7-bit groups of bits 0..55 of v, one a byte, by halving: 28-bit halves
 * into the 32-bit halves, then 14-bit quarters into the 16-bit quarters, then
 * 7-bit groups into the bytes. Bits 56..63 are dropped. */
static inline uint64_t spread7(uint64_t v) {
    v = (v & 0x000000000fffffffULL) | ((v << 4) & 0x0fffffff00000000ULL);
    v = (v & 0x00003fff00003fffULL) | ((v << 2) & 0x3fff00003fff0000ULL);
    return (v & 0x007f007f007f007fULL) | ((v << 1) & 0x7f007f007f007f00ULL);
}

/* cont_bits[len]: the continuation bits of the first 8 bytes of a len-byte
 * value (bytes 0..len-2). */
static const uint64_t cont_bits[11] = {
    0,
    0,
    0x0000000000000080ULL,
    0x0000000000008080ULL,
    0x0000000000808080ULL,
    0x0000000080808080ULL,
    0x0000008080808080ULL,
    0x0000808080808080ULL,
    0x0080808080808080ULL,
    0x8080808080808080ULL,
    0x8080808080808080ULL,
};

/* One value, for the last < 4 of a batch: no byte loop. Stores 10 bytes at
 * p; returns the end. Length: 1 + b/7, b the index of the top bit of v
 * ((b*37) >> 8 is b/7 for b < 64). */
static inline unsigned pc(unsigned x) { return (unsigned)__builtin_popcount(x); }

static inline uint8_t *put_one(uint8_t *p, uint64_t v) {
    unsigned b = 63u - (unsigned)__builtin_clzll(v | 1);
    unsigned len = 1u + ((b * 37u) >> 8);
    uint64_t w = spread7(v) | cont_bits[len];
    uint16_t t = (uint16_t)((v >> 56) | (v >> 63 << 8));
    memcpy(p, &w, 8);
    memcpy(p + 8, &t, 2);
    return p + len;
}

#define Z (-1) /* a vpshufb control byte that zeroes */

/* spread7 of each of the 4 values of x, without shifts. vpshufb makes 8
 * 16-bit words of each value (so each 128-bit lane holds one value's words):
 * word j holds bytes j-1 and j, so group j is at bit 8-j of it (word 0 holds
 * byte 0 in its high half: group 0 at bit 8). vpmulhuw by 2^(8+j) shifts word
 * j right by 8-j, an and keeps the 7 bits, and vpackuswb (no saturation:
 * words are <= 0x7f) brings the bytes back in value order. */
static inline __m256i spread4(__m256i x) {
    const __m256i w0 = _mm256_setr_epi8(Z, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7,  /**/
                                        Z, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7);
    const __m256i w1 = _mm256_setr_epi8(Z, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, /**/
                                        Z, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15);
    const __m256i mul = _mm256_setr_epi16(256, 512, 1024, 2048, 4096, 8192, 16384, (short)-32768, /**/
                                          256, 512, 1024, 2048, 4096, 8192, 16384, (short)-32768);
    const __m256i g7 = _mm256_set1_epi16(0x7f);
    /* words of values 0 and 2 (a), 1 and 3 (b) */
    __m256i a = _mm256_and_si256(_mm256_mulhi_epu16(_mm256_shuffle_epi8(x, w0), mul), g7);
    __m256i b = _mm256_and_si256(_mm256_mulhi_epu16(_mm256_shuffle_epi8(x, w1), mul), g7);
    return _mm256_packus_epi16(a, b);
}

/* c | its continuation bits: 0x80 in byte j of a value when a byte above it
 * is non-zero (or, with big = 1 in byte 0 of a value >= 2^56, in all 8
 * bytes). c's bytes are <= 0x7f. A borrow carries that "some byte above"
 * without shifts: r = the value's bytes 7..1 reversed into bytes 1..7 (byte
 * 0: big). In 0 - r, the lowest non-zero byte of r becomes 0x100 - it (>=
 * 0x81: r's bytes are <= 0x7f), the bytes above it ~byte (>= 0x80), the
 * bytes below it 0, and no borrow leaves the value: bit 7 of byte q of 0 - r
 * is set exactly when a byte of r at or below q is non-zero, i.e. byte 7-q
 * of c needs its continuation bit. Reversing again puts the bits in place. */
static inline __m256i with_cont(__m256i c, __m256i big) {
    const __m256i rs = _mm256_setr_epi8(Z, 7, 6, 5, 4, 3, 2, 1, Z, 15, 14, 13, 12, 11, 10, 9, /**/
                                        Z, 7, 6, 5, 4, 3, 2, 1, Z, 15, 14, 13, 12, 11, 10, 9);
    const __m256i rv = _mm256_setr_epi8(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, /**/
                                        7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
    __m256i r = _mm256_or_si256(_mm256_shuffle_epi8(c, rs), big);
    __m256i m = _mm256_sub_epi64(_mm256_setzero_si256(), r);
    return _mm256_or_si256(
        c, _mm256_and_si256(_mm256_shuffle_epi8(m, rv), _mm256_set1_epi8((char)0x80)));
}

/* join[k]: a vpshufb control for a pair of encoded values (8 bytes each)
 * whose first is k+1 bytes long: bytes 0..k stay, the second's 8 bytes
 * follow them. */
static const int8_t join[8][16] = {
    {0, 8, 9, 10, 11, 12, 13, 14, 15, Z, Z, Z, Z, Z, Z, Z},
    {0, 1, 8, 9, 10, 11, 12, 13, 14, 15, Z, Z, Z, Z, Z, Z},
    {0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, Z, Z, Z, Z, Z},
    {0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, Z, Z, Z, Z},
    {0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, Z, Z, Z},
    {0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, Z, Z},
    {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, Z},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
};

/* The 16 bytes of a pair at p, joined; returns the end of the pair. msk: the
 * pair's 16 continuation bits (a value's count of them is its length - 1). */
static inline uint8_t *put_pair(uint8_t *p, __m128i pair, unsigned msk) {
    unsigned k = pc(msk & 0xff);
    __m128i ctl = _mm_loadu_si128((const __m128i *)(const void *)join[k]);
    _mm_storeu_si128((__m128i *)(void *)p, _mm_shuffle_epi8(pair, ctl));
    return p + 2u + pc(msk);
}

/* Encodes the 4 values of x, each < 2^56, at p; returns the end. */
static inline uint8_t *put4(uint8_t *p, __m256i x) {
    __m256i out = with_cont(spread4(x), _mm256_setzero_si256());
    unsigned msk = (unsigned)_mm256_movemask_epi8(out);
    p = put_pair(p, _mm256_castsi256_si128(out), msk & 0xffff);
    return put_pair(p, _mm256_extracti128_si256(out, 1), msk >> 16);
}

/* Encodes the 4 values of x (= v[0..4)), any size, at p; returns the end.
 * Each value is stored alone: 8 bytes, then its bytes 8 and 9 (garbage, 0,
 * for a value < 2^56). Length: 1 + its continuation bits among the first 8
 * (8 for a value >= 2^56), + 1 when byte 9 is needed. */
static inline uint8_t *put4_any(uint8_t *p, __m256i x, const uint64_t *v) {
    const __m256i top8 = _mm256_set1_epi64x((long long)0xff00000000000000ULL);
    __m256i small = _mm256_cmpeq_epi64(_mm256_and_si256(x, top8), _mm256_setzero_si256());
    __m256i big = _mm256_andnot_si256(small, _mm256_set1_epi64x(1));
    __m256i out = with_cont(spread4(x), big);
    unsigned msk = (unsigned)_mm256_movemask_epi8(out);
    __m128i lo = _mm256_castsi256_si128(out), hi = _mm256_extracti128_si256(out, 1);
    uint16_t t[4];
    for (int k = 0; k < 4; k++) t[k] = (uint16_t)((v[k] >> 56) | (v[k] >> 63 << 8));
    _mm_storel_epi64((__m128i *)(void *)p, lo);
    memcpy(p + 8, &t[0], 2);
    p += 1u + pc(msk & 0xff) + (unsigned)(v[0] >> 63);
    _mm_storeh_pd((double *)(void *)p, _mm_castsi128_pd(lo));
    memcpy(p + 8, &t[1], 2);
    p += 1u + pc((msk >> 8) & 0xff) + (unsigned)(v[1] >> 63);
    _mm_storel_epi64((__m128i *)(void *)p, hi);
    memcpy(p + 8, &t[2], 2);
    p += 1u + pc((msk >> 16) & 0xff) + (unsigned)(v[2] >> 63);
    _mm_storeh_pd((double *)(void *)p, _mm_castsi128_pd(hi));
    memcpy(p + 8, &t[3], 2);
    p += 1u + pc(msk >> 24) + (unsigned)(v[3] >> 63);
    return p;
}

static size_t avx2_encode(uint8_t *dst, const uint64_t *src, size_t n) {
    uint8_t *p = dst;
    size_t i = 0;
    /* vpshufb controls for 16 values < 128: vector j puts its 4 low bytes at
     * bytes 4j..4j+1 of lane 0 and 4j+2..4j+3 of lane 1, so or-ing the lanes
     * gives them in order. */
    const __m256i s0 = _mm256_setr_epi8(0, 8, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z,  /**/
                                        Z, Z, 0, 8, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z);
    const __m256i s1 = _mm256_setr_epi8(Z, Z, Z, Z, 0, 8, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z,  /**/
                                        Z, Z, Z, Z, Z, Z, 0, 8, Z, Z, Z, Z, Z, Z, Z, Z);
    const __m256i s2 = _mm256_setr_epi8(Z, Z, Z, Z, Z, Z, Z, Z, 0, 8, Z, Z, Z, Z, Z, Z,  /**/
                                        Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, 0, 8, Z, Z, Z, Z);
    const __m256i s3 = _mm256_setr_epi8(Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, 0, 8, Z, Z,  /**/
                                        Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, Z, 0, 8);
    const __m256i gt7 = _mm256_set1_epi64x((long long)~0x7fULL);
    const __m256i top8 = _mm256_set1_epi64x((long long)0xff00000000000000ULL);
    while (i + 16 <= n) {
        const __m256i *q = (const __m256i *)(const void *)(src + i);
        __m256i a = _mm256_loadu_si256(q), b = _mm256_loadu_si256(q + 1);
        __m256i c = _mm256_loadu_si256(q + 2), d = _mm256_loadu_si256(q + 3);
        __m256i o = _mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d));
        if (_mm256_testz_si256(o, gt7)) { /* 16 one-byte values: 16 bytes */
            __m256i x = _mm256_or_si256(
                _mm256_or_si256(_mm256_shuffle_epi8(a, s0), _mm256_shuffle_epi8(b, s1)),
                _mm256_or_si256(_mm256_shuffle_epi8(c, s2), _mm256_shuffle_epi8(d, s3)));
            __m128i y = _mm_or_si128(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1));
            _mm_storeu_si128((__m128i *)(void *)p, y);
            p += 16;
            i += 16;
            continue;
        }
        /* (Reloading the 4 vectors, which are in L1, keeps them out of the
         * registers the encoding needs.) */
        if (HDI_LIKELY(_mm256_testz_si256(o, top8))) {
            for (int k = 0; k < 4; k++) p = put4(p, _mm256_loadu_si256(q + k));
        } else {
            for (int k = 0; k < 4; k++) {
                __m256i x = _mm256_loadu_si256(q + k);
                p = _mm256_testz_si256(x, top8) ? put4(p, x) : put4_any(p, x, src + i + 4 * k);
            }
        }
        i += 16;
    }
    for (; i + 4 <= n; i += 4) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(src + i));
        p = _mm256_testz_si256(x, top8) ? put4(p, x) : put4_any(p, x, src + i);
    }
    for (; i < n; i++) p = put_one(p, src[i]);
    return (size_t)(p - dst);
}

#undef Z

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
    /* Bytes 8 and 9 under masks, not branches: 9- and 10-byte values come
     * mixed (uniform 64-bit values are half of each), and a branch on the
     * length mispredicted every other value. */
    uint64_t b8 = ((uint64_t)(q[8] & 0x7f) << 56) & (0 - (uint64_t)(len >= 9));
    uint64_t b9 = ((uint64_t)q[9] << 63) & (0 - (uint64_t)(len >= 10));
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
                /* Malformed: more than 10 bytes, or a 10th byte > 1. One
                 * branch, never taken on good input (q[9] is in the
                 * window): the && form mispredicted on mixed 9- and
                 * 10-byte values. */
                if (HDI_UNLIKELY((adv > 10) | ((adv == 10) & (q[9] > 1)))) return 0;
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

const hdi_varint_kernel hdi_varint_avx2 = {"avx2", avx2_supported, avx2_encode, avx2_decode, NULL, NULL};
