/* common/varint_avx512.c: the AVX-512 varint kernel (built with -mavx512f
 * -mavx512cd -mavx512bw -mavx512vbmi -mavx512vbmi2 -mbmi2; needs all six,
 * BMI2 with fast pdep/pext).
 *
 * encode: 8 values a step. All < 128: one vpmovqb, 8 bytes out. All < 2^56:
 *         vpmultishiftqb spreads each value's 7-bit groups into the bytes of
 *         its qword; each value's length comes from vplzcntq (CD) and two
 *         vpermb (a length table), and two byte compares against it give
 *         the bytes kept and the continuation bytes as mask registers (the
 *         earlier scalar smear of a vptestmb mask in a general register was
 *         24% slower on the heap mix on an AMD Zen 5, docs/BENCHMARKS.md
 *         session 13); vpcompressb
 *         (VBMI2) packs the bytes and one 64-byte store writes them (a full
 *         step holds 80 bytes of budget, so the store never reaches
 *         dst + 10*n). Otherwise two 4-value halves with 16 bytes a value
 *         (10-byte values) and a masked store. The last n % 8 values use
 *         masked loads and masked stores. Nothing is stored at or past
 *         dst + 10*n.
 * pairs, word_pairs: field-list entries (a kind byte and an offset
 *         uvarint), from a list or a one-bit map's word: see pair_step below.
 * decode: MaskedVByte-style table steps (common/varint_table.h, shared with
 *         the AVX2 kernel) over 64-byte windows while 16 values and 64
 *         bytes remain: one vpmovb2m gives the window's continuation mask,
 *         and steps walk it while they start in its first 48 bytes. A window
 *         of 64 1-byte values is widened 8 at a time (vpmovzxbq). A window
 *         with no value over 4 bytes first takes 16 values at a time while
 *         16 end in it (dec16: dec8's way in 32-bit lanes). A step
 *         whose next 16 bits are clear widens 16 1-byte values; otherwise the
 *         12-bit table entry gives 6 values of <= 2 bytes, 4 of <= 3 or 2 of
 *         <= 8 (pshufb, multiply-add merge, widen); for 2 values over >= 9 bytes
 *         (u32-like data), 8 values <= 8 bytes at once are decoded in vector
 *         registers instead (dec8: pdep picks their ends, vpcompressb lists
 *         them, vpermb gathers each value into a qword, multiply-adds merge
 *         the 7-bit groups); a value no case takes is decoded alone from its
 *         mask length (pext of 8 bytes plus bytes 8 and 9). Malformed values
 *         (> 10 bytes, 10th byte > 1) return 0. The last < 16 values or
 *         < 64 bytes take the scalar path, so nothing at or past
 *         src + avail is read, and nothing at or past dst + n is written. */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "cpu.h"
#include "kernels.h"
#include "varint.h"
#include "varint_table_step.h"

#define LO7 0x7f7f7f7f7f7f7f7fULL

static int avx512_supported(void) {
    const unsigned need = HDI_CPU_AVX512F | HDI_CPU_AVX512CD | HDI_CPU_AVX512BW | HDI_CPU_AVX512VBMI |
                          HDI_CPU_AVX512VBMI2 | HDI_CPU_BMI2_FAST;
    return (hdi_cpu_features() & need) == need;
}

/* ---- encode ---- */

/* Encodes the 4 values in lanes 0..3 of v4 (lanes >= cnt ignored), up to 10
 * bytes each, with a masked store of exactly the encoded bytes. */
static inline uint8_t *enc4(uint8_t *p, __m256i v4, unsigned cnt) {
    /* Each 128-bit lane holds the value twice: the low qword yields groups
     * 0-7 (bit offsets 0..49), the high qword groups 8 and 9 (56, 63). */
    const __m512i dup = _mm512_set_epi64(3, 3, 2, 2, 1, 1, 0, 0);
    const __m512i ctrl = _mm512_set_epi64(0x3f38, 0x312a231c150e0700, 0x3f38, 0x312a231c150e0700,
                                          0x3f38, 0x312a231c150e0700, 0x3f38, 0x312a231c150e0700);
    const __m512i and7 = _mm512_set_epi64(0x017f, (long long)LO7, 0x017f, (long long)LO7, 0x017f,
                                          (long long)LO7, 0x017f, (long long)LO7);
    __m512i v = _mm512_permutexvar_epi64(dup, _mm512_castsi256_si512(v4));
    __m512i g = _mm512_and_si512(_mm512_multishift_epi64_epi8(ctrl, v), and7);
    uint64_t t = _mm512_test_epi8_mask(g, g) | 0x0001000100010001ULL;
    t |= (t >> 1) & 0x7fff7fff7fff7fffULL; /* smear down inside each 16-bit lane */
    t |= (t >> 2) & 0x3fff3fff3fff3fffULL;
    t |= (t >> 4) & 0x0fff0fff0fff0fffULL;
    t |= (t >> 8) & 0x00ff00ff00ff00ffULL;
    uint64_t cont = (t >> 1) & 0x7fff7fff7fff7fffULL;
    uint64_t keep = cnt >= 4 ? t : t & ((1ULL << (16 * cnt)) - 1);
    __m512i x = _mm512_or_si512(g, _mm512_maskz_mov_epi8(cont, _mm512_set1_epi8((char)0x80)));
    __m512i y = _mm512_maskz_compress_epi8(keep, x);
    unsigned len = (unsigned)__builtin_popcountll(keep);
    _mm512_mask_storeu_epi8(p, (1ULL << len) - 1, y); /* len <= 40 */
    return p + len;
}

/* Encodes src[0..cnt), cnt 1..8. */
static inline uint8_t *enc8(uint8_t *p, const uint64_t *src, unsigned cnt) {
    const __mmask8 lanes = (__mmask8)((1u << cnt) - 1);
    __m512i v = cnt == 8 ? _mm512_loadu_si512(src) : _mm512_maskz_loadu_epi64(lanes, src);
    __mmask8 small = _mm512_cmplt_epu64_mask(v, _mm512_set1_epi64(0x80));
    if ((small & lanes) == lanes) {
        if (cnt == 8) {
            _mm_storel_epi64((__m128i *)(void *)p, _mm512_cvtepi64_epi8(v));
        } else {
            _mm512_mask_cvtepi64_storeu_epi8(p, lanes, v);
        }
        return p + cnt;
    }
    __mmask8 big = _mm512_cmpge_epu64_mask(v, _mm512_set1_epi64(1LL << 56));
    if ((big & lanes) != 0) {
        p = enc4(p, _mm512_castsi512_si256(v), cnt);
        if (cnt > 4) p = enc4(p, _mm512_extracti64x4_epi64(v, 1), cnt - 4);
        return p;
    }
    const __m512i ctrl = _mm512_set1_epi64(0x312a231c150e0700); /* 0,7,..,49 */
    __m512i g = _mm512_and_si512(_mm512_multishift_epi64_epi8(ctrl, v),
                                 _mm512_set1_epi8(0x7f));
    /* Each value's length in every byte of its qword, all in vector
     * registers: lzcnt (of v | 1, so 0 counts as 1 bit), copied to the
     * qword's 8 bytes (vpermb), looked up in a 64-entry table of
     * ceil((64 - lz) / 7) (vpermb); then a byte is kept when its index in
     * the qword is below the length, and continued when the next one is. */
    const __m512i lane0 = _mm512_set_epi64(0x3838383838383838, 0x3030303030303030,
                                           0x2828282828282828, 0x2020202020202020,
                                           0x1818181818181818, 0x1010101010101010,
                                           0x0808080808080808, 0x0000000000000000);
    /* lz 0..63 -> ceil((64 - lz) / 7): 10, then 9 x7, 8 x7, ..., 1 x7 */
    const __m512i lentab = _mm512_set_epi64(0x0101010101010102, 0x0202020202020303,
                                            0x0303030303040404, 0x0404040405050505,
                                            0x0505050606060606, 0x0606070707070707,
                                            0x0708080808080808, 0x090909090909090a);
    __m512i lz = _mm512_lzcnt_epi64(_mm512_or_si512(v, _mm512_set1_epi64(1)));
    __m512i lenb = _mm512_permutexvar_epi8(_mm512_permutexvar_epi8(lane0, lz), lentab);
    const __m512i pos = _mm512_set1_epi64(0x0706050403020100);
    const __m512i pos1 = _mm512_set1_epi64(0x0807060504030201);
    uint64_t keep = _mm512_cmplt_epu8_mask(pos, lenb);
    __mmask64 cont = _mm512_cmplt_epu8_mask(pos1, lenb);
    if (cnt != 8) keep &= (1ULL << (8 * cnt)) - 1;
    __m512i x = _mm512_or_si512(g, _mm512_maskz_mov_epi8(cont, _mm512_set1_epi8((char)0x80)));
    __m512i y = _mm512_maskz_compress_epi8(keep, x);
    unsigned len = (unsigned)__builtin_popcountll(keep);
    if (cnt == 8) {
        _mm512_storeu_si512(p, y); /* 64 <= the 80 bytes this step may use */
    } else {
        _mm512_mask_storeu_epi8(p, (1ULL << len) - 1, y); /* len <= 56 */
    }
    return p + len;
}

static size_t avx512_encode(uint8_t *dst, const uint64_t *src, size_t n) {
    uint8_t *p = dst;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) p = enc8(p, src + i, 8);
    if (i < n) p = enc8(p, src + i, (unsigned)(n - i));
    return (size_t)(p - dst);
}

/* ---- decode ---- */

/* dst[0..k) = p[0..k), zero-extended; reads only p[0..k). */
static inline void widen(uint64_t *dst, const uint8_t *p, size_t k) {
    size_t j = 0;
    for (; j + 8 <= k; j += 8)
        _mm512_storeu_si512(dst + j, _mm512_cvtepu8_epi64(_mm_loadl_epi64((const __m128i *)(const void *)(p + j))));
    if (j < k) {
        __mmask8 m = (__mmask8)((1u << (k - j)) - 1);
        __m128i b = _mm512_castsi512_si128(_mm512_maskz_loadu_epi8((__mmask64)m, p + j));
        _mm512_mask_storeu_epi64(dst + j, m, _mm512_cvtepu8_epi64(b));
    }
}

/* The values whose ends are the set bits of `e` (their count: spread's
 * lanes), the first starting at byte `start` of the window, laid out one a
 * lane: for each byte of a lane, idx is its window index (the value's
 * start plus the byte's place in the lane, lane_iota) and E its value's
 * end. vpcompressb lists the ends; the starts are the ends moved up one
 * byte, plus one. */
typedef struct vlanes {
    __m512i idx, E;
} vlanes;
static inline vlanes lanes_of(uint64_t e, unsigned start, __m512i spread, __m512i lane_iota) {
    const __m512i iota = _mm512_set_epi64(0x3f3e3d3c3b3a3938, 0x3736353433323130, 0x2f2e2d2c2b2a2928,
                                          0x2726252423222120, 0x1f1e1d1c1b1a1918, 0x1716151413121110,
                                          0x0f0e0d0c0b0a0908, 0x0706050403020100);
    __m512i epos = _mm512_maskz_compress_epi8(e, iota); /* the ends, in order */
    /* starts: s0 = start, s_j = e_{j-1} + 1 (byte arithmetic wraps) */
    __m128i st = _mm_add_epi8(_mm_add_epi8(_mm_bslli_si128(_mm512_castsi512_si128(epos), 1),
                                           _mm_set1_epi8(1)),
                              _mm_cvtsi32_si128((int)((start - 1) & 0xff)));
    vlanes r;
    r.idx = _mm512_add_epi8(_mm512_permutexvar_epi8(spread, _mm512_castsi128_si512(st)), lane_iota);
    r.E = _mm512_permutexvar_epi8(spread, epos);
    return r;
}

/* Decodes the 8 values whose ends are the 8 lowest set bits of `ends`, the
 * first starting at byte `start` of the window, into dst[0..8): vpcompressb
 * gathers the end positions, vpermb moves each value's bytes into its own
 * qword, and two multiply-adds merge the 7-bit groups. Returns 0 (dst
 * untouched) when one of them is longer than 8 bytes. REQUIRES: popcount(ends)
 * >= 8, every bit of ends >= start. */
static inline int dec8(uint64_t *dst, __m512i win, uint64_t ends, unsigned start) {
    const __m512i spread = _mm512_set_epi64(0x0707070707070707, 0x0606060606060606, 0x0505050505050505,
                                            0x0404040404040404, 0x0303030303030303, 0x0202020202020202,
                                            0x0101010101010101, 0x0000000000000000);
    vlanes l = lanes_of(_pdep_u64(0xff, ends), start, spread,
                        _mm512_set1_epi64(0x0706050403020100));
    /* byte 7 of a lane still before its end: that value is > 8 bytes */
    if (_mm512_cmplt_epu8_mask(l.idx, l.E) & 0x8080808080808080ULL) return 0;
    __mmask64 in = _mm512_cmple_epu8_mask(l.idx, l.E);
    __m512i b = _mm512_and_si512(_mm512_maskz_permutexvar_epi8(in, l.idx, win),
                                 _mm512_set1_epi8(0x7f));
    /* 16-bit: b0 | b1 << 7; 32-bit: w0 + w1 << 14; 64-bit: d0 | d1 << 28 */
    __m512i x = _mm512_ternarylogic_epi64(_mm512_set1_epi16((short)0xff80), _mm512_srli_epi16(b, 1),
                                          b, 0xca);
    x = _mm512_madd_epi16(x, _mm512_set1_epi32(0x40000001));
    x = _mm512_ternarylogic_epi64(_mm512_set1_epi64(0x0fffffff), x, _mm512_srli_epi64(x, 4), 0xca);
    _mm512_storeu_si512(dst, x);
    return 1;
}

/* Decodes the 16 values whose ends are the 16 lowest set bits of `ends`
 * (e16: just those bits), the first starting at byte `start` of the window,
 * into dst[0..16), when none is over 4 bytes (REQUIRED: the caller's check
 * on the continuation bits): dec8's way with 32-bit lanes, so twice the
 * values a step. vpcompressb lists the ends, vpermb gathers each value's
 * bytes into its dword (bytes past its end zeroed by the mask), and two
 * multiply-adds merge the 7-bit groups into 28 bits; two vpmovzxdq widen
 * them. REQUIRES: popcount(ends) >= 16, every bit of ends >= start. */
static inline void dec16(uint64_t *dst, __m512i win, uint64_t e16, unsigned start) {
    const __m512i spread = _mm512_set_epi64(0x0f0f0f0f0e0e0e0e, 0x0d0d0d0d0c0c0c0c, 0x0b0b0b0b0a0a0a0a,
                                            0x0909090908080808, 0x0707070706060606, 0x0505050504040404,
                                            0x0303030302020202, 0x0101010100000000);
    vlanes l = lanes_of(e16, start, spread, _mm512_set1_epi32(0x03020100));
    __mmask64 in = _mm512_cmple_epu8_mask(l.idx, l.E);
    __m512i b = _mm512_and_si512(_mm512_maskz_permutexvar_epi8(in, l.idx, win),
                                 _mm512_set1_epi8(0x7f));
    /* 16-bit: b0 + b1 * 2^7 (pmaddubsw: bytes <= 0x7f, no saturation);
     * 32-bit: w0 + w1 * 2^14 */
    __m512i x = _mm512_maddubs_epi16(_mm512_set1_epi16((short)0x8001), b);
    x = _mm512_madd_epi16(x, _mm512_set1_epi32(0x40000001));
    _mm512_storeu_si512(dst, _mm512_cvtepu32_epi64(_mm512_castsi512_si256(x)));
    _mm512_storeu_si512(dst + 8, _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(x, 1)));
}

/* The value of `len` (1..10) bytes at q, with no byte loop: an 8-byte pext
 * (bzhi mask by length) plus bytes 8 and 9. REQUIRES: 10 readable bytes at
 * q; a well-formed value (a 10th byte <= 1). */
static inline uint64_t get_one(const uint8_t *q, unsigned len) {
    uint64_t w;
    memcpy(&w, q, 8);
    /* bzhi keeps all 64 bits for an index >= 64 (len 8..10) */
    uint64_t v = _pext_u64(w, _bzhi_u64(LO7, 8 * len));
    uint64_t b8 = len >= 9 ? (uint64_t)(q[8] & 0x7f) << 56 : 0;
    uint64_t b9 = len >= 10 ? (uint64_t)q[9] << 63 : 0;
    return v | b8 | b9;
}

/* Window: the continuation bits of 64 bytes (one vpmovb2m); steps walk them
 * while they start in its first 48 bytes, so a step's 16-byte load, its 16
 * mask bits and a single value's first 10 bytes stay inside it. */
#define WIN 64
#define STEP_LAST (WIN - 16)

/* Where dec16_run left a window: values decoded in all, bytes taken. */
typedef struct dec16_pos {
    size_t i;     /* values decoded so far */
    unsigned off; /* the window's bytes they took */
} dec16_pos;
/* dec16 from the window's start (value i on) while 16 values end in it and
 * 16 are wanted. REQUIRES: no value in the window over 4 bytes. Out of line
 * on purpose: inlined into avx512_decode, its registers made the loop of
 * the other data 5-25% slower (uniform 32-bit values most), as that loop's
 * comment warns; out of line they kept their speed (session 16). */
static __attribute__((noinline)) dec16_pos dec16_run(uint64_t *dst, size_t i, size_t n, __m512i win,
                                                     uint64_t cont) {
    unsigned off = 0;
    while (off <= WIN - 16 && n - i >= 16) {
        uint64_t e16 = _pdep_u64(0xffff, ~cont & (~0ULL << off));
        if (__builtin_popcountll(e16) != 16) break;
        dec16(dst + i, win, e16, off);
        off = 64 - (unsigned)__builtin_clzll(e16);
        i += 16;
    }
    dec16_pos r = {i, off};
    return r;
}
static size_t avx512_decode(uint64_t *dst, size_t n, const uint8_t *src, size_t avail) {
    size_t used = 0, i = 0;
    while (n - i >= 16 && avail - used >= WIN) {
        const uint8_t *p = src + used;
        __m512i win = _mm512_loadu_si512(p);
        uint64_t cont = _mm512_movepi8_mask(win);
        if (cont == 0) { /* 64 one-byte values */
            size_t k = n - i < WIN ? n - i : WIN;
            widen(dst + i, p, k);
            i += k;
            used += k;
            continue;
        }
        /* No value over 4 bytes in the window (none has 4 continuation
         * bytes in a row: one test a window, so data with long values keeps
         * its loop): dec16 from its start while 16 values end in it; the
         * table steps take the rest. Sizes, counts and offsets of 1-3
         * bytes decode 1.3x faster so. */
        unsigned off = 0;
        if ((cont & cont >> 1 & cont >> 2 & cont >> 3) == 0) {
            dec16_pos r = dec16_run(dst, i, n, win, cont);
            i = r.i;
            off = r.off;
        }
        if (off > STEP_LAST || n - i < 16) {
            used += off;
            continue;
        }
        /* m = cont >> off is kept shifted, so the loop-carried chain of a
         * step is: and, table load, shift. (The loop's shape is measured:
         * tests of the pattern before the case-A/B step, or the long-value
         * paths inline in other places, made gcc keep the step's state in
         * memory or mask registers, ~10% on short values.) */
        uint64_t m = cont >> off;
        do {
            const uint8_t *q = p + off;
            unsigned adv = hdi_vt_used[m & 0xfff];
            if (HDI_LIKELY(adv != 0) && (m & 0xffff) != 0) {
                unsigned pat = hdi_vt_pat[m & 0xfff];
                if (pat < HDI_VT_C) { /* cases A, B */
                    i += hdi_vt_step(dst + i, q, pat);
                } else {
                    /* Case C over >= 9 bytes (long values): 8 values at once
                     * if 8 end in the window and none is over 8 bytes. */
                    uint64_t ends = ~cont & (~0ULL << off);
                    if (adv >= 9 && __builtin_popcountll(ends) >= 8 &&
                        dec8(dst + i, win, ends, off)) {
                        off = 64 - (unsigned)__builtin_clzll(_pdep_u64(0xff, ends));
                        m = off < WIN ? cont >> off : 0;
                        i += 8;
                        continue;
                    }
                    i += hdi_vt_step(dst + i, q, pat);
                }
            } else if ((m & 0xffff) == 0) {
                hdi_vt_ones16(dst + i, q);
                i += 16;
                adv = 16;
            } else {
                /* No case: the next value alone (> 8 bytes, or the second of
                 * a pair not ending in 12 bytes). Its length from the mask
                 * (m has 0 bits shifted in at the top; the | keeps tzcnt
                 * defined at off 0); it starts at off <= 48, so its first 10
                 * bytes and their continuation bits are in the window. */
                adv = (unsigned)__builtin_ctzll(~m | (1ULL << 63)) + 1;
                if (HDI_UNLIKELY(adv >= 10) && (adv > 10 || q[9] > 1)) return 0;
                dst[i++] = get_one(q, adv);
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

/* ==== pairs: field-list entries, 8 a step ====
 * An entry is a kind (one byte: kinds are 1..3, docs/format.md §4) and an
 * offset uvarint; the offsets of real objects are below 2^21, so an entry
 * is 2 to 4 bytes. Per step: two 64-byte loads (8 hdump_field), one vpermt2d
 * puts each entry's kind and offset (their low halves) in one qword (kind |
 * offset << 32), one vpmultishiftqb takes from it the bytes kind,
 * offset[0..8), offset[7..15), offset[14..22), masked to 7 bits; two
 * compares (offset >= 2^7, >= 2^14) give, through pdep, the bytes kept and
 * the continuation bits; vpcompressb packs them and one 64-byte store
 * writes them (8 entries hold 88 bytes of budget). A step with an offset
 * >= 2^21 or a high half set takes the scalar store. The last n % 8 entries
 * use masked loads and a masked store. The generic encoder above, given the
 * entries as 2n values, took 0.9-1.7 ns an entry on the mixed heap's lists
 * (this store's throwaway A/B, docs/BENCHMARKS.md session 14). */
#define PAIR_LANES 0x0101010101010101ULL

/* Stores the r <= 8 entries whose qwords (kind | offset << 32, offsets
 * below 2^21) are v's first r lanes; returns the end. A full step stores 64
 * bytes (its 8 entries hold 88 of budget); a short one stores only its own
 * bytes. */
static inline uint8_t *pair_step(uint8_t *p, __m512i v, unsigned r) {
    const __m512i ctrl = _mm512_set1_epi64(0x2E272000); /* bits 0, 32, 39, 46 */
    const __m512i m7f = _mm512_set1_epi8(0x7f), x80 = _mm512_set1_epi8((char)0x80);
    uint64_t m1 = _mm512_cmpge_epu64_mask(v, _mm512_set1_epi64(0x80LL << 32));
    uint64_t m2 = _mm512_cmpge_epu64_mask(v, _mm512_set1_epi64(0x4000LL << 32));
    uint64_t keep = (3 * PAIR_LANES) | _pdep_u64(m1, 4 * PAIR_LANES) | _pdep_u64(m2, 8 * PAIR_LANES);
    uint64_t cont = _pdep_u64(m1, 2 * PAIR_LANES) | _pdep_u64(m2, 4 * PAIR_LANES);
    if (r < 8) keep &= (1ULL << (8 * r)) - 1;
    __m512i y = _mm512_and_si512(_mm512_multishift_epi64_epi8(ctrl, v), m7f);
    y = _mm512_or_si512(y, _mm512_maskz_mov_epi8(cont, x80));
    __m512i z = _mm512_maskz_compress_epi8(keep, y);
    unsigned len = (unsigned)__builtin_popcountll(keep);
    if (r == 8)
        _mm512_storeu_si512(p, z);
    else
        _mm512_mask_storeu_epi8(p, (1ULL << len) - 1, z); /* len <= 28 */
    return p + len;
}

static uint8_t *avx512_pairs(uint8_t *dst, const hdump_field *src, size_t n, uint64_t maxk,
                             int *bad) {
    const __m512i idx =
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i hi32 = _mm512_set1_epi64((long long)0xFFFFFFFF00000000ULL);
    const __m512i lo32 = _mm512_set1_epi64(0xFFFFFFFFLL);
    const __m512i g3 = _mm512_set1_epi64(0x200000LL << 32);
    const __m512i one = _mm512_set1_epi64(1), vmaxk = _mm512_set1_epi64((long long)maxk);
    uint8_t *p = dst;
    int b = 0;
    for (size_t i = 0; i < n;) {
        size_t r = n - i < 8 ? n - i : 8;
        const hdump_field *e = src + i;
        __m512i a, c;
        if (r == 8) {
            a = _mm512_loadu_si512(e);
            c = _mm512_loadu_si512(e + 4);
        } else { /* masked: no lane past the list is read */
            __mmask8 ma = (__mmask8)(r >= 4 ? 0xff : (1u << (2 * r)) - 1);
            __mmask8 mc = (__mmask8)(r > 4 ? (1u << (2 * (r - 4))) - 1 : 0);
            a = _mm512_maskz_loadu_epi64(ma, e);
            c = _mm512_maskz_loadu_epi64(mc, (const void *)((uintptr_t)e + 64));
        }
        const __mmask8 valid = (__mmask8)((1u << r) - 1);
        __m512i v = _mm512_permutex2var_epi32(a, idx, c);
        __mmask8 far = _mm512_cmpge_epu64_mask(v, g3);
        if (HDI_UNLIKELY(_mm512_test_epi64_mask(_mm512_or_si512(a, c), hi32) || (far & valid))) {
            p = hdi_varint_scalar_pairs(p, e, r, maxk, &b);
            i += r;
            continue;
        }
        __mmask8 kb = _mm512_cmpge_epu64_mask(_mm512_sub_epi64(_mm512_and_si512(v, lo32), one), vmaxk);
        b |= (kb & valid) != 0;
        p = pair_step(p, v, (unsigned)r);
        i += r;
    }
    if (b) *bad = 1;
    return p;
}

/* word_pairs: the set bits' positions as bytes (vpcompressb of 0..63 by the
 * word), 8 at a time widened to qwords (vpmovzxbq), the offsets (base + i)
 * * ptr_size by a shift, then pair_step. A word whose offsets may reach
 * 2^21 takes the scalar store. */
static uint8_t *avx512_word_pairs(uint8_t *dst, uint64_t bits, uint64_t base, uint64_t ptr_size) {
    if (bits == 0) return dst;
    if (HDI_UNLIKELY(base >= (1u << 21) || (base + 64) * ptr_size > (1u << 21)))
        return hdi_varint_scalar_word_pairs(dst, bits, base, ptr_size);
    const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50,
                                         49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36,
                                         35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22,
                                         21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7,
                                         6, 5, 4, 3, 2, 1, 0);
    __m512i at = _mm512_maskz_compress_epi8(bits, iota);
    const __m512i vbase = _mm512_set1_epi64((long long)base), one = _mm512_set1_epi64(1);
    const unsigned sh = ptr_size == 8 ? 35 : 34; /* * ptr_size, then << 32 */
    unsigned cnt = (unsigned)__builtin_popcountll(bits);
    uint8_t *p = dst;
    for (unsigned j = 0; j < cnt; j += 8) {
        if (j > 0) at = _mm512_permutexvar_epi8(_mm512_add_epi8(iota, _mm512_set1_epi8(8)), at);
        __m512i ix = _mm512_cvtepu8_epi64(_mm512_castsi512_si128(at));
        __m512i v = _mm512_or_si512(_mm512_slli_epi64(_mm512_add_epi64(ix, vbase), sh), one);
        p = pair_step(p, v, cnt - j < 8 ? cnt - j : 8);
    }
    return p;
}

const hdi_varint_kernel hdi_varint_avx512 = {"avx512", avx512_supported, avx512_encode,
                                             avx512_decode, avx512_pairs,
                                             avx512_word_pairs};
