/* common/kernels.h: the varint kernel registry.
 *
 * Kernels work on batches of values (a memstats record's 281, or any run of
 * uvarints a caller has); one value at a time is always the inline scalar
 * path in varint.h. (The writer stores field lists with its own pair store,
 * writer.c put_pair: a kind is one byte and most offsets three at most,
 * which measured faster than two generic values an entry.) The scalar
 * kernel is always built, is last in the registry and is the reference
 * every other kernel must match byte for byte. A writer or reader picks its
 * kernel when it is created and keeps it.
 *
 * Kernels (each its own translation unit, built with its own ISA flags; see
 * the kernel block of the root CMakeLists.txt):
 *   avx512  encode: AVX-512 VBMI multishift, CD lzcnt lengths + VBMI2
 *                   vpcompressb, 8 values a step (4 a step when one is
 *                   >= 2^56);
 *           decode: MaskedVByte-style table steps (varint_table.h: 6 values
 *                   <= 2 bytes, 4 <= 3 or 2 <= 8 per pshufb) walking the
 *                   vpmovb2m continuation mask of 64-byte windows, 16 1-byte
 *                   values per step, whole 1-byte windows widened; 8 values
 *                   at once (vpcompressb/vpermb) for long values; BMI2 pext
 *                   for a value no table case takes;
 *           pairs, word_pairs: field-list entries from a list or from a
 *                   one-bit map's word, 8 a step (vpmultishiftqb, pdep of
 *                   two compares, vpcompressb); the only kernel with them.
 *   avx2    encode: bulk packing of runs of values < 128; else 4 values a
 *                   step, no byte loop and no pdep (AVX2 runs on Zen 1/2):
 *                   vpshufb + vpmulhuw spread the 7-bit groups, a borrow
 *                   gives the continuation bits, popcnt of vpmovmskb the
 *                   lengths, pairs stored 16 bytes at a time;
 *           decode: the same table steps walking the vpmovmskb mask of 64
 *                   bytes, whole 1-byte windows widened, a shift-and-merge
 *                   for a value no table case takes.
 *   bmi2    encode: clz length + pdep + continuation bits, 1-byte fast path;
 *           decode: 8-byte load + pext while 8 bytes remain, else scalar.
 *   scalar  the reference byte loops (varint.h).
 *
 * Slop contract (HDUMP_VARINT_SLOP, hdump/kernel.h): an encoder may write up
 * to HDUMP_VARINT_SLOP bytes past the encoded end, so callers give
 * 10*n + HDUMP_VARINT_SLOP bytes. (The kernels in this tree in fact never store
 * at or past dst + 10*n: writer/writer.c's memstats path, which checks for
 * only 10*n bytes, relies on that until it reserves the slop; the test
 * checks it.) A decoder never reads at or past src + avail: windows at the
 * end of the input are masked loads or the scalar path. Nor does it write
 * at or past dst + n. The table of the avx2/avx512 decoders' steps is
 * generated at build time (tools/gen_varint_table.c): read-only data, no
 * run-time set-up, so the kernels stay callable from any thread. */
#ifndef HDUMP_COMMON_KERNELS_H
#define HDUMP_COMMON_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "hdump/kernel.h"
#include "hdump/record.h"
#include "internal.h"

typedef struct hdi_varint_kernel {
    const char *name;
    /* 1 if this CPU can run the kernel. */
    int (*supported)(void);
    /* Encodes src[0..n) at dst. REQUIRES: 10*n + HDUMP_VARINT_SLOP writable
     * bytes at dst (see the slop contract above). Returns the bytes written
     * (the encoded length). */
    size_t (*encode)(uint8_t *dst, const uint64_t *src, size_t n);
    /* Decodes n uvarints from src[0..avail) into dst, reading nothing at or
     * past src + avail. Returns the bytes consumed, or 0 when the run is
     * truncated or malformed (the caller then redoes the run one value at a
     * time to find and report the bad one). n = 0 also returns 0. */
    size_t (*decode)(uint64_t *dst, size_t n, const uint8_t *src, size_t avail);
    /* Stores n field-list entries (docs/format.md §4, tag 1: a kind, one
     * byte when valid, then the offset as a uvarint) at dst and returns the
     * end. A kind outside 1..maxk sets *bad (never clears it); that entry's
     * bytes are then unspecified (its record is refused). REQUIRES: 11*n
     * writable bytes at dst; nothing is stored at or past dst + 11*n. NULL:
     * the kernel has none, and the writer stores entries one at a time
     * (writer/store_inline.h put_pair). hdi_varint_scalar_pairs is the
     * reference. */
    uint8_t *(*pairs)(uint8_t *dst, const hdump_field *src, size_t n, uint64_t maxk, int *bad);
    /* One 64-word piece of a one-bit pointer map (HDUMP_FIELDS_BITMAP1, the
     * runtime's bitvector walk): for each set bit i of bits, lowest first,
     * the entry (HDUMP_FIELD_PTR, (base + i) * ptr_size), stored as `pairs`
     * stores it. REQUIRES: ptr_size 4 or 8; 11 * popcount(bits) writable
     * bytes at dst, nothing stored at or past them. NULL: the writer's
     * one-entry store. hdi_varint_scalar_word_pairs is the reference. */
    uint8_t *(*word_pairs)(uint8_t *dst, uint64_t bits, uint64_t base, uint64_t ptr_size);
} hdi_varint_kernel;

/* NULL-terminated, best first; the scalar kernel is last. Only the kernels
 * this build compiled are listed (HDUMP_SIMD). */
HDI_HIDDEN extern const hdi_varint_kernel *const hdi_varint_kernels[];
HDI_HIDDEN extern const hdi_varint_kernel hdi_varint_scalar;
#if defined(HDUMP_KERNEL_BMI2)
HDI_HIDDEN extern const hdi_varint_kernel hdi_varint_bmi2;
#endif
#if defined(HDUMP_KERNEL_AVX2)
HDI_HIDDEN extern const hdi_varint_kernel hdi_varint_avx2;
#endif
#if defined(HDUMP_KERNEL_AVX512)
HDI_HIDDEN extern const hdi_varint_kernel hdi_varint_avx512;
#endif

/* The scalar routines, shared by kernels that vectorize only one direction
 * or fall back for tails. */
HDI_HIDDEN size_t hdi_varint_scalar_encode(uint8_t *dst, const uint64_t *src, size_t n);
HDI_HIDDEN size_t hdi_varint_scalar_decode(uint64_t *dst, size_t n, const uint8_t *src,
                                           size_t avail);
/* The reference pair store (the `pairs` contract above): the kind's low
 * byte, then the offset's uvarint, entry by entry. */
HDI_HIDDEN uint8_t *hdi_varint_scalar_pairs(uint8_t *dst, const hdump_field *src, size_t n,
                                            uint64_t maxk, int *bad);
HDI_HIDDEN uint8_t *hdi_varint_scalar_word_pairs(uint8_t *dst, uint64_t bits, uint64_t base,
                                                 uint64_t ptr_size);

/* name NULL = the best kernel this CPU supports; an unknown name, or one this
 * CPU cannot run, is HDUMP_ERR_UNSUPPORTED. */
HDI_HIDDEN hdump_status hdi_varint_pick(const char *name, const hdi_varint_kernel **out);

#endif /* HDUMP_COMMON_KERNELS_H */
