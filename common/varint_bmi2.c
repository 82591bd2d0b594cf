/* common/varint_bmi2.c: the BMI2 varint kernel (built with -mbmi2).
 *
 * encode: 1-byte fast path; else length from clz, pdep of the value into the
 *         low 7 bits of 8 bytes, continuation bits or-ed in, one 8-byte store
 *         (values >= 2^56 add 1-2 byte stores). The 8-byte store for value i
 *         ends at most at dst + 10*i + 8, so nothing is stored at or past
 *         dst + 10*n (well inside the HDUMP_VARINT_SLOP contract).
 * decode: while 8 bytes remain, one 8-byte load: the end byte from the
 *         inverted continuation bits, pext of the 7-bit groups (1-byte fast
 *         path first; 9-10-byte values add bytes 8 and 9 when 10 bytes
 *         remain); the last bytes take the scalar path, which never reads
 *         past src + avail.
 * supported: BMI2 with fast pdep/pext (not AMD Zen 1/2, see cpu.h). */
#include <immintrin.h>
#include <string.h>

#include "cpu.h"
#include "kernels.h"
#include "varint.h"

#define LO7 0x7f7f7f7f7f7f7f7fULL
#define HI1 0x8080808080808080ULL

static int bmi2_supported(void) {
    unsigned f = hdi_cpu_features();
    return (f & HDI_CPU_BMI2_FAST) != 0;
}

/* Encoded length by clz(v) for v >= 1: ceil((64 - clz) / 7). */
static const uint8_t len_by_clz[64] = {
    10, 9, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7, 7,
    6,  6, 6, 6, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 3,
    3,  3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1};

static size_t bmi2_encode(uint8_t *dst, const uint64_t *src, size_t n) {
    uint8_t *p = dst;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = src[i];
        if (HDI_LIKELY(v < 0x80)) {
            *p++ = (uint8_t)v;
            continue;
        }
        unsigned len = len_by_clz[__builtin_clzll(v)];
        uint64_t x = _pdep_u64(v, LO7);
        if (HDI_LIKELY(len <= 8)) {
            x |= HI1 & ((1ULL << (8 * (len - 1))) - 1);
            memcpy(p, &x, 8);
            p += len;
        } else {
            x |= HI1;
            memcpy(p, &x, 8);
            uint64_t hi = v >> 56;
            if (hi < 0x80) {
                p[8] = (uint8_t)hi;
                p += 9;
            } else {
                p[8] = (uint8_t)(hi | 0x80);
                p[9] = 1;
                p += 10;
            }
        }
    }
    return (size_t)(p - dst);
}

static size_t bmi2_decode(uint64_t *dst, size_t n, const uint8_t *src, size_t avail) {
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (HDI_LIKELY(avail - used >= 8)) {
            uint64_t w;
            memcpy(&w, src + used, 8);
            if (HDI_LIKELY((w & 0x80) == 0)) {
                dst[i] = w & 0x7f;
                used++;
                continue;
            }
            uint64_t stop = ~w & HI1;
            if (HDI_LIKELY(stop != 0)) {
                uint64_t keep = stop ^ (stop - 1); /* bytes up to the end byte */
                dst[i] = _pext_u64(w, keep & LO7);
                used += ((unsigned)__builtin_ctzll(stop) + 1) >> 3;
                continue;
            }
            if (avail - used >= 10) { /* 9 or 10 bytes */
                uint64_t v = _pext_u64(w, LO7);
                uint8_t b8 = src[used + 8], b9 = src[used + 9];
                if (b8 < 0x80) {
                    dst[i] = v | (uint64_t)b8 << 56;
                    used += 9;
                    continue;
                }
                if (b9 > 1) return 0;
                dst[i] = v | (uint64_t)(b8 & 0x7f) << 56 | (uint64_t)b9 << 63;
                used += 10;
                continue;
            }
        }
        int nc;
        int k = hdi_uvarint_get(src + used, avail - used, &dst[i], &nc);
        if (k <= 0) return 0;
        used += (size_t)k;
    }
    return used;
}

const hdi_varint_kernel hdi_varint_bmi2 = {"bmi2", bmi2_supported, bmi2_encode, bmi2_decode, NULL, NULL};
