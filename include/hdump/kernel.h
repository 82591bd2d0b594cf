/* hdump/kernel.h: the varint kernels (batch uvarint encode and decode).
 *
 * A kernel encodes or decodes a batch of unsigned LEB128 varints (Go's
 * encoding/binary.PutUvarint: 7 bits a byte, low group first, 0x80 marks a
 * continuation, at most 10 bytes, a 10th byte > 1 is malformed). Every kernel
 * produces exactly the bytes and values of the portable "scalar" kernel; the
 * others use BMI2, AVX2 or AVX-512 when this CPU (and this build, see
 * HDUMP_SIMD in the CMake docs) has them. Writers and readers pick their
 * kernel once at creation (hdump_writer_opts.kernel, hdump_reader_opts.kernel);
 * these calls expose the same kernels for tests, benchmarks and callers with
 * their own integer arrays.
 *
 * Kernel names: "avx512", "avx2", "bmi2", "scalar". All calls are thread-safe
 * and allocation-free; none reads the environment. */
#ifndef HDUMP_KERNEL_H
#define HDUMP_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "hdump/errors.h"
#include "hdump/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The slop contract. An encoder may store up to HDUMP_VARINT_SLOP bytes past
 *  the end of what it encodes (the bytes there are unspecified afterwards),
 *  so an encode of n values needs 10*n + HDUMP_VARINT_SLOP writable bytes at
 *  dst. A decoder never reads a byte at or past src + avail: there is no slop
 *  on input. */
#define HDUMP_VARINT_SLOP 64

/** Encoded size bound for n values, slop included: 10*n + HDUMP_VARINT_SLOP.
 *  REQUIRES: n <= (SIZE_MAX - HDUMP_VARINT_SLOP) / 10. */
#define HDUMP_VARINT_ENCODE_BOUND(n) ((size_t)(n) * 10u + (size_t)HDUMP_VARINT_SLOP)

/** Number of kernels compiled into this build (at least 1: "scalar"),
 *  whether or not this CPU can run them. */
HDUMP_API size_t hdump_kernel_count(void);

/** Name of kernel i in registry order, best first (the scalar kernel is
 *  last); NULL when i >= hdump_kernel_count(). The string is static. */
HDUMP_API const char *hdump_kernel_name(size_t i);

/** 1 if `name` is compiled in and this CPU can run it, else 0 (also for an
 *  unknown name or NULL). */
HDUMP_API int hdump_kernel_supported(const char *name);

/** Name of the best kernel this CPU can run: what kernel = NULL selects
 *  everywhere. Never NULL (the scalar kernel always runs). */
HDUMP_API const char *hdump_kernel_best(void);

/** Encodes src[0..n) as consecutive uvarints at dst.
 *  @param kernel  kernel name, or NULL for hdump_kernel_best().
 *  @param dst     at least HDUMP_VARINT_ENCODE_BOUND(n) writable bytes
 *                 (10*n + HDUMP_VARINT_SLOP); bytes past the encoded end may
 *                 be overwritten.
 *  @param written set to the encoded length (may be NULL).
 *  @return HDUMP_OK; HDUMP_ERR_UNSUPPORTED when the kernel is unknown or this
 *          CPU cannot run it (nothing is written); HDUMP_ERR_USAGE when dst or
 *          src is NULL and n > 0. */
HDUMP_API hdump_status hdump_varint_encode(const char *kernel, uint8_t *dst, const uint64_t *src,
                                           size_t n, size_t *written);

/** Decodes n uvarints from src[0..avail) into dst[0..n). Never reads at or
 *  past src + avail. Bytes after the n-th value are ignored. Over-long but
 *  valid encodings (e.g. 0x80 0x00 for 0) decode to their value, as Go does.
 *  @param kernel kernel name, or NULL for hdump_kernel_best().
 *  @param used   on HDUMP_OK, the bytes consumed; on HDUMP_ERR_TRUNCATED or
 *                HDUMP_ERR_VARINT, the offset of the first byte of the bad
 *                value (the values before it are in dst; later entries of dst
 *                are unspecified). May be NULL.
 *  @return HDUMP_OK; HDUMP_ERR_TRUNCATED when src ends inside a value or
 *          before n values; HDUMP_ERR_VARINT for a value longer than 10 bytes
 *          or whose 10th byte is > 1 (the status is found by redoing the run
 *          with the scalar path, so it is the same for every kernel);
 *          HDUMP_ERR_UNSUPPORTED as for hdump_varint_encode; HDUMP_ERR_USAGE
 *          when dst or src is NULL and n > 0. */
HDUMP_API hdump_status hdump_varint_decode(const char *kernel, uint64_t *dst, size_t n,
                                           const uint8_t *src, size_t avail, size_t *used);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_KERNEL_H */
