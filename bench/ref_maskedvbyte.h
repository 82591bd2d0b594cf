/* bench/ref_maskedvbyte.h: a MaskedVByte-style decoder, the baseline the
 * varint decode benchmarks are compared with (not part of the library).
 *
 * Written from the published algorithm (J. Plaisance, N. Kurz, D. Lemire,
 * "Vectorized VByte Decoding", 2015), not from any project's code: 16-byte
 * SSE loads, pmovmskb of the continuation bits, the low 12 bits of that mask
 * index a table built at start-up that gives the bytes consumed and a pshufb
 * pattern for one of four cases (16 one-byte ints; 6 ints of <= 2 bytes; 4 of
 * <= 3 bytes; 2 of <= 5 bytes); the last < 16 bytes (or < 16 values) are
 * decoded one at a time. It decodes 32-bit integers (at most 5 bytes each)
 * and writes them widened to uint64_t, as hdump's kernels do. */
#ifndef HDUMP_BENCH_REF_MASKEDVBYTE_H
#define HDUMP_BENCH_REF_MASKEDVBYTE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 1 if this CPU has SSSE3 and SSE4.1 (and this build compiled the decoder). */
int hb_mvb_supported(void);

/* Builds the tables. Call once before hb_mvb_decode (not thread-safe). */
void hb_mvb_init(void);

/* Decodes n varints from src[0..avail) into dst[0..n), reading nothing at or
 * past src + avail. Returns the bytes consumed, or 0 when the input ends
 * early or holds a value longer than 5 bytes (not a 32-bit VByte stream). */
size_t hb_mvb_decode(uint64_t *dst, size_t n, const uint8_t *src, size_t avail);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_BENCH_REF_MASKEDVBYTE_H */
