/* writer/store_inline.h: the writer's inline stores, header-only: short
 * contents copied without a call, and one field-list entry in one store.
 * writer.c's fast paths use them; bench/floors.c's encode floor uses the
 * same code, so the floor keeps every trick the writer has. Field lists and
 * one-bit maps go through the kernel's stores when it has them (store_pairs,
 * store_word). */
#ifndef HDUMP_WRITER_STORE_INLINE_H
#define HDUMP_WRITER_STORE_INLINE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/kernels.h"
#include "../common/pair_table.h"
#include "../common/varint.h"

/* Contents up to this size are copied inline by the object fast path. */
#define COPY_INLINE 128

/* dst[0..n) = src[0..n) for n <= COPY_INLINE, without a call: a few
 * fixed-size (overlapping) loads and stores up to 64 bytes, 32-byte steps
 * and an overlapping last 32 above; nothing outside either range is
 * touched. (glibc's memcpy costs a call, a PLT jump and a size dispatch per
 * object, most of the cost of copying a small object.) */
#if defined(__GNUC__)
#define WR_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define WR_ALWAYS_INLINE inline
#endif
static WR_ALWAYS_INLINE void copy_inline(uint8_t *dst, const uint8_t *src, size_t n) {
    if (n > 64) {
        for (size_t i = 0; i + 32 < n; i += 32) {
            memcpy(dst + i, src + i, 16);
            memcpy(dst + i + 16, src + i + 16, 16);
#if defined(__GNUC__)
            /* keep the loop: GCC would turn it back into a memcpy call */
            __asm__("" : : "r"(dst) : "memory");
#endif
        }
        memcpy(dst + n - 32, src + n - 32, 16);
        memcpy(dst + n - 16, src + n - 16, 16);
    } else if (n >= 16) {
        if (n > 32) {
            memcpy(dst, src, 16);
            memcpy(dst + 16, src + 16, 16);
            memcpy(dst + n - 32, src + n - 32, 16);
            memcpy(dst + n - 16, src + n - 16, 16);
        } else {
            memcpy(dst, src, 16);
            memcpy(dst + n - 16, src + n - 16, 16);
        }
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else if (n > 0) {
        uint8_t a = src[0], b = src[n / 2], e = src[n - 1];
        dst[0] = a;
        dst[n / 2] = b;
        dst[n - 1] = e;
    }
}

/* Stores one field-list entry (docs/format.md §1.4: a kind, 1..3, then the
 * offset's uvarint): an offset below 2^21 (1 to 3 bytes) goes out with its
 * kind in one 4-byte store, a larger one value by value. Offsets come in runs
 * of one length (pointer words in ascending order), so the branches are
 * predicted. This replaced the batch kernel for field lists: the kernel
 * encodes each entry as two generic values, and on the Zen 1 machine of
 * docs/BENCHMARKS.md (session 9) these stores made the mixed heap's writer
 * ~10% faster. REQUIRES: 1 + HDI_UVARINT_MAX writable bytes at p (the
 * 4-byte store stays inside the entry's bound). */
/* x's 4 bytes at p, least significant first, on any byte order (GCC and
 * clang merge the four into one store on a little-endian CPU). */
static inline void store_le32(uint8_t *p, uint32_t x) {
    p[0] = (uint8_t)x;
    p[1] = (uint8_t)(x >> 8);
    p[2] = (uint8_t)(x >> 16);
    p[3] = (uint8_t)(x >> 24);
}

static inline uint8_t *put_pair(uint8_t *p, uint64_t kind, uint64_t o) {
    uint32_t k = (uint32_t)kind, x;
    if (o < 0x80) {
        x = k | (uint32_t)o << 8;
        store_le32(p, x);
        return p + 2;
    }
    if (o < 0x4000) {
        x = k | (((uint32_t)o & 0x7f) | 0x80) << 8 | (uint32_t)(o >> 7) << 16;
        store_le32(p, x);
        return p + 3;
    }
    if (o < 0x200000) {
        x = k | (((uint32_t)o & 0x7f) | 0x80) << 8 | (((uint32_t)(o >> 7) & 0x7f) | 0x80) << 16 |
            (uint32_t)(o >> 14) << 24;
        store_le32(p, x);
        return p + 4;
    }
    *p++ = (uint8_t)kind;
    return p + hdi_uvarint_put(p, o);
}

/* it[0..n): the kernel's pair store when it has one (8 entries a step,
 * kernels.h `pairs`), else put_pair entry by entry; a kind outside 1..maxk
 * sets *bad. REQUIRES: 11 bytes an entry at p. The one place the writer
 * and the floor choose between the two. */
static inline uint8_t *store_pairs(const hdi_varint_kernel *k, uint8_t *p, const hdump_field *it,
                                   size_t n, uint64_t maxk, int *bad) {
    if (k->pairs != NULL) return k->pairs(p, it, n, maxk, bad);
    int b = 0;
    for (size_t i = 0; i < n; i++) {
        b |= it[i].kind - 1 >= maxk; /* kind 0 wraps to the top */
        p = put_pair(p, it[i].kind, it[i].offset);
    }
    if (b) *bad = 1;
    return p;
}

/* One 64-word piece of a one-bit map (the entry (1, (base + i) * ptr_size)
 * for each set bit i): kernels.h `word_pairs` when the kernel has it, else
 * put_pair bit by bit. REQUIRES: 11 bytes a set bit at p. */
static inline uint8_t *store_word(const hdi_varint_kernel *k, uint8_t *p, uint64_t bits,
                                  uint64_t base, uint64_t ptr_size) {
    if (k->word_pairs != NULL) return k->word_pairs(p, bits, base, ptr_size);
    while (bits) {
        unsigned i = (unsigned)__builtin_ctzll(bits);
        bits &= bits - 1;
        p = put_pair(p, HDUMP_FIELD_PTR, (base + i) * ptr_size);
    }
    return p;
}

/* v's uvarint (docs/format.md §1.1) for v < 2^56, without a branch or a
 * loop: the 7-bit groups spread into bytes by shifts and masks, the
 * continuation bits of all but the last byte set, one 8-byte store. A
 * span's addresses (6 bytes in Go's 0xc0... arenas) take this instead of
 * the byte loop. REQUIRES: 8 writable bytes at p (bytes past the encoding
 * are overwritten). */
static inline uint8_t *uv_put_lt56(uint8_t *p, uint64_t v) {
    uint64_t x = (v & 0x7f) | (v << 1 & 0x7f00) | (v << 2 & 0x7f0000) | (v << 3 & 0x7f000000) |
                 (v << 4 & 0x7f00000000ull) | (v << 5 & 0x7f0000000000ull) |
                 (v << 6 & 0x7f000000000000ull) | (v << 7 & 0x7f00000000000000ull);
    unsigned len = ((unsigned)(63 - __builtin_clzll(v | 1)) * 37u >> 8) + 1; /* bits / 7 */
    x |= 0x8080808080808080ull & (((uint64_t)1 << (8 * (len - 1))) - 1);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    memcpy(p, &x, 8);
    return p + len;
}

/* Set bits of x (a portable build has no popcnt instruction, and
 * __builtin_popcountll would be a libgcc call). */
static inline unsigned popcount64(uint64_t x) {
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* A piece of a one-bit map (docs/format.md §1.4: a set bit k is the entry
 * (Ptr, k * ptr_size)): `words` bits from bit bit0 of b, least significant
 * first, whose bytes are b[0..nbytes) (nothing past them is read). An
 * object's own map starts at bit 0; a span's slot i at bit i * words
 * (hdump_span). words 0: no fields. */
typedef struct hdi_wmap {
    const uint8_t *b;
    size_t nbytes;
    uint64_t bit0, words;
} hdi_wmap;

/* nb (1..64) bits of b from bit `bit` on, least significant first.
 * REQUIRES: bit + nb <= 8 * nbytes. One 8-byte load (and a 9th byte when
 * the bits straddle it) while 9 bytes are left; byte by byte at the end. */
static inline uint64_t map_bits(const uint8_t *b, size_t nbytes, uint64_t bit, unsigned nb) {
    size_t at = (size_t)(bit >> 3);
    unsigned sh = (unsigned)(bit & 7);
    uint64_t v = 0;
    if (nbytes - at >= 9) {
        memcpy(&v, b + at, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        v >>= sh;
        if (sh + nb > 64) v |= (uint64_t)b[at + 8] << (64 - sh);
    } else if (nbytes >= 8) {
        /* the map's last 8 bytes hold every bit asked for (at >= nbytes - 8
         * and bit + nb <= 8 * nbytes) */
        memcpy(&v, b + nbytes - 8, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        v >>= bit - 8 * (uint64_t)(nbytes - 8);
    } else { /* a map of under 8 bytes */
        for (size_t j = at; j < nbytes; j++) v |= (uint64_t)b[j] << (8 * (j - at));
        v >>= sh;
    }
    return nb < 64 ? v & (((uint64_t)1 << nb) - 1) : v;
}

/* A map piece's set bits: the entries it gives. */
static inline uint64_t map_count(const hdi_wmap *m) {
    uint64_t c = 0;
    for (uint64_t base = 0; base < m->words; base += 64) {
        unsigned nb = m->words - base < 64 ? (unsigned)(m->words - base) : 64;
        c += popcount64(map_bits(m->b, m->nbytes, m->bit0 + base, nb));
    }
    return c;
}

/* x's 8 bytes at p, least significant first. */
static inline void store_le64(uint8_t *p, uint64_t x) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    memcpy(p, &x, 8);
}

/* Bytes store_map may store past its entries' bound of 11 a set bit. */
#define MAP_SLACK 16

/* The entries of the set bits among a map's first 8 * nb words (nb 1..4),
 * whose offsets i * ptr_size are all below 128, so each entry is 2 bytes:
 * (1, i * ptr_size). A map byte at a time by the pair table: its row (the
 * entries of those 8 words, offsets from the byte's first word) loaded
 * whole, the byte's first offset added to the row's offset bytes (no carry:
 * every sum is below 128), stored whole, p moved by the row's length. A
 * small object's few pointers at varying places cost a loop or a call a
 * mispredicted branch or more an object; this has none. REQUIRES: 11
 * writable bytes a set bit at p, plus MAP_SLACK. */
static inline uint8_t *store_small_pairs(uint8_t *p, uint64_t b, unsigned nb, unsigned ps8) {
    const uint8_t(*tab)[16] = hdi_pair_tab[ps8];
    for (unsigned j = 0; j < nb; j++) {
        unsigned m = (unsigned)(b >> (8 * j)) & 0xff;
        uint8_t o = (uint8_t)(8 * j << (ps8 ? 3 : 2));
        const uint8_t add8[8] = {0, o, 0, o, 0, o, 0, o};
        uint64_t lo, hi, add;
        memcpy(&lo, tab[m], 8);
        memcpy(&hi, tab[m] + 8, 8);
        memcpy(&add, add8, 8); /* byte lanes without carries: any byte order */
        lo += add;
        hi += add;
        memcpy(p, &lo, 8);
        memcpy(p + 8, &hi, 8);
        p += hdi_pair_len[m];
    }
    return p;
}

/* A map piece's entries (docs/format.md §1.4): the words whose offsets are
 * below 128 (16 of 8 bytes, 32 of 4) by store_small_pairs, the rest 64
 * words at a time by the kernel's store (store_word). REQUIRES: 11
 * writable bytes a set bit at p, plus MAP_SLACK. */
static inline uint8_t *store_map(const hdi_varint_kernel *k, uint8_t *p, const hdi_wmap *m,
                                 uint64_t ptr_size) {
    const unsigned ps8 = ptr_size == 8;
    const uint64_t small = ps8 ? 16 : 32; /* words with 2-byte entries */
    for (uint64_t base = 0; base < m->words; base += 64) {
        unsigned nb = m->words - base < 64 ? (unsigned)(m->words - base) : 64;
        uint64_t bits = map_bits(m->b, m->nbytes, m->bit0 + base, nb);
        if (base == 0) {
            uint64_t w = nb < small ? nb : small;
            p = store_small_pairs(p, bits, (unsigned)(w + 7) / 8, ps8);
            bits &= ~(((uint64_t)1 << small) - 1);
        }
        /* a runtime's maps are mostly zero words (noscan spans, scalar
         * tails): no call for them. (Taking a word's first set bits by
         * put_pair before the call made no difference: session 15.) */
        if (bits != 0) p = store_word(k, p, bits, base, ptr_size);
    }
    return p;
}

#endif
