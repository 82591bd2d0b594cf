/* common/varint_scalar.c: the reference varint kernel (plain C, any CPU).
 * It writes exactly the encoded bytes (no slop) and reads only src[0..avail). */
#include "kernels.h"
#include "varint.h"

static int scalar_supported(void) { return 1; }

size_t hdi_varint_scalar_encode(uint8_t *dst, const uint64_t *src, size_t n) {
    uint8_t *p = dst;
    for (size_t i = 0; i < n; i++) p += hdi_uvarint_put(p, src[i]);
    return (size_t)(p - dst);
}

size_t hdi_varint_scalar_decode(uint64_t *dst, size_t n, const uint8_t *src, size_t avail) {
    return hdi_uvarint_decode_run(dst, 0, n, src, 0, avail);
}

uint8_t *hdi_varint_scalar_pairs(uint8_t *dst, const hdump_field *src, size_t n, uint64_t maxk,
                                 int *bad) {
    int b = 0;
    for (size_t i = 0; i < n; i++) {
        b |= src[i].kind - 1 >= maxk; /* kind 0 wraps to the top */
        *dst++ = (uint8_t)src[i].kind;
        dst += hdi_uvarint_put(dst, src[i].offset);
    }
    if (b) *bad = 1;
    return dst;
}

uint8_t *hdi_varint_scalar_word_pairs(uint8_t *dst, uint64_t bits, uint64_t base,
                                      uint64_t ptr_size) {
    while (bits) {
        unsigned i = (unsigned)__builtin_ctzll(bits);
        bits &= bits - 1;
        *dst++ = HDUMP_FIELD_PTR;
        dst += hdi_uvarint_put(dst, (base + i) * ptr_size);
    }
    return dst;
}

/* No `pairs` of its own: the writer's one-entry store (put_pair) is this
 * kernel's. hdi_varint_scalar_pairs above is the tests' reference. */
const hdi_varint_kernel hdi_varint_scalar = {"scalar", scalar_supported, hdi_varint_scalar_encode,
                                             hdi_varint_scalar_decode, NULL, NULL};
