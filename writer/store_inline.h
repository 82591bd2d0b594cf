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

#endif
