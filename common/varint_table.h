/* common/varint_table.h: the MaskedVByte-style step table shared by the AVX2
 * and AVX-512 varint decoders (J. Plaisance, N. Kurz, D. Lemire, "Vectorized
 * VByte Decoding", 2015). The table is generated at build time by
 * tools/gen_varint_table.c (CMake runs it; the output lives in the build
 * tree), so there is no run-time initialisation and it is read-only data.
 *
 * Index: the 12 continuation bits of the next 12 input bytes (bit j set:
 * byte j has 0x80, i.e. its value goes on), m = mask & 0xfff:
 *   hdi_vt_used[m]  bytes the step consumes (1..12), or 0: no case applies
 *                   (a value longer than 8 bytes, or one not ending in the 12
 *                   bytes, comes too early) and the caller decodes the next
 *                   value another way;
 *   hdi_vt_pat[m]   pattern p, the row of hdi_vt_shuf (a pshufb control):
 *     p <  HDI_VT_B:  case A, the next 6 values are all <= 2 bytes: value k
 *                     goes to 16-bit lane k;
 *     p <  HDI_VT_C:  case B, the next 4 values are all <= 3 bytes: value k
 *                     goes to 32-bit lane k;
 *     else:           case C, the next 2 values are both <= 8 bytes (and
 *                     end in the 12 bytes): value k goes to 64-bit lane k.
 *                     (The published decoder of 32-bit integers stops at 5
 *                     bytes; going to 8 covers the 5-6-byte heap addresses
 *                     of a dump.)
 * The first case that applies is taken (more values first). Bytes of a lane
 * past its value, and lanes past the last value, are zeroed (control byte
 * 0x80). The values covered always end inside the 12 bytes, so a step never
 * needs a continuation bit it was not given. used and pat are two byte
 * arrays, not one 16-bit entry, so that the byte count (on the decoder's
 * loop-carried chain) is one load with no shift. */
#ifndef HDUMP_COMMON_VARINT_TABLE_H
#define HDUMP_COMMON_VARINT_TABLE_H

#include <stdint.h>

#include "internal.h"

/* Rows of hdi_vt_shuf: case A has 2^6 length patterns (rows 0..63), case B
 * 3^4 (64..144), case C 8^2 (145..208). */
#define HDI_VT_B 64                /* first case-B row */
#define HDI_VT_C (64 + 81)         /* first case-C row */
#define HDI_VT_NPAT (64 + 81 + 64) /* rows; a pattern index is one byte */
_Static_assert(HDI_VT_NPAT <= 256, "hdi_vt_pat entries are bytes");
#define HDI_VT_CASE_A 6 /* values a case-A step decodes */
#define HDI_VT_CASE_B 4 /* values a case-B step decodes */
#define HDI_VT_CASE_C 2 /* values a case-C step decodes */

HDI_HIDDEN extern const uint8_t hdi_vt_used[4096];
HDI_HIDDEN extern const uint8_t hdi_vt_pat[4096];
HDI_HIDDEN extern const uint8_t hdi_vt_shuf[HDI_VT_NPAT][16];

#endif /* HDUMP_COMMON_VARINT_TABLE_H */
