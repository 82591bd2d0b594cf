/* fuzz/fdp.h: a tiny C FuzzedDataProvider (zstd fuzz_data_producer.h style).
 *
 * Integers are taken from the END of the input, bytes from the FRONT, so a
 * mutation of the payload does not shift every parameter and vice versa.
 * Once the input is exhausted every call returns 0 / an empty range, so any
 * input, including the empty one, is a valid parameter stream. */
#ifndef HDUMP_FUZZ_FDP_H
#define HDUMP_FUZZ_FDP_H

#include <stddef.h>
#include <stdint.h>

typedef struct fdp {
    const uint8_t *data;
    size_t size; /* bytes not consumed yet: data[0..size) */
} fdp;

static inline fdp fdp_init(const uint8_t *data, size_t size) {
    fdp p;
    p.data = size ? data : NULL;
    p.size = size;
    return p;
}

static inline size_t fdp_remaining(const fdp *p) { return p->size; }

/* An integer of `nbytes` bytes (<= 8) from the tail, little end last. */
static inline uint64_t fdp_bits(fdp *p, unsigned nbytes) {
    uint64_t v = 0;
    for (unsigned i = 0; i < nbytes && p->size > 0; i++) {
        v = (v << 8) | p->data[p->size - 1];
        p->size--;
    }
    return v;
}

/* A value in [lo, hi] (inclusive) using as few tail bytes as the range needs. */
static inline uint64_t fdp_range(fdp *p, uint64_t lo, uint64_t hi) {
    if (hi <= lo) return lo;
    uint64_t span = hi - lo;
    unsigned nbytes = 0;
    for (uint64_t s = span; s != 0; s >>= 8) nbytes++;
    uint64_t v = fdp_bits(p, nbytes);
    if (span == UINT64_MAX) return v;
    return lo + v % (span + 1);
}

static inline uint32_t fdp_u32(fdp *p) { return (uint32_t)fdp_bits(p, 4); }
static inline uint64_t fdp_u64(fdp *p) { return fdp_bits(p, 8); }
static inline int fdp_bool(fdp *p) { return (int)(fdp_bits(p, 1) & 1); }

/* Up to `max` bytes from the front; *len gets how many there were. The view
 * points into the input. */
static inline const uint8_t *fdp_bytes(fdp *p, size_t max, size_t *len) {
    size_t n = max < p->size ? max : p->size;
    const uint8_t *r = p->data;
    if (n) {
        p->data += n;
        p->size -= n;
    }
    *len = n;
    return r;
}

/* A uint64 drawn mostly from the edges a uvarint encoder cares about. */
static inline uint64_t fdp_edge_u64(fdp *p) {
    static const uint64_t edges[] = {0,
                                     1,
                                     0x7f,
                                     0x80,
                                     0x3fff,
                                     0x4000,
                                     0x1fffff,
                                     0x200000,
                                     0xfffffff,
                                     0x10000000,
                                     0xffffffffull,
                                     0x100000000ull,
                                     0x7ffffffffull,
                                     0x800000000ull,
                                     0x3ffffffffffull,
                                     0x40000000000ull,
                                     0x1ffffffffffffull,
                                     0x2000000000000ull,
                                     0xffffffffffffffull,
                                     0x100000000000000ull,
                                     0x7fffffffffffffffull,
                                     0x8000000000000000ull,
                                     0xfffffffffffffffeull,
                                     UINT64_MAX,
                                     0xc000000000ull,
                                     0xc000010000ull};
    uint64_t sel = fdp_bits(p, 1);
    switch (sel & 3) {
    case 0: return edges[(sel >> 2) % (sizeof edges / sizeof edges[0])];
    case 1: return fdp_bits(p, 1);
    case 2: return 0xc000000000ull + fdp_bits(p, 3) * 8;
    default: return fdp_u64(p);
    }
}

#endif /* HDUMP_FUZZ_FDP_H */
