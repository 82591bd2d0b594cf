/* common/pair_table.h: a one-bit pointer map's byte (8 words) to its
 * field-list entries (docs/format.md §1.4: for each set bit i, the entry
 * (Ptr, i * ptr_size)), for offsets below 128, where each entry is 2 bytes:
 * the kind 1 and the offset's one-byte uvarint.
 *   hdi_pair_tab[s][m]  the entries of byte m, lowest bit first, packed
 *                       from byte 0 (the rest zero); s = 0 for 4-byte
 *                       words, 1 for 8-byte words;
 *   hdi_pair_len[m]     their bytes, 2 * popcount(m).
 * The writer stores a row whole and moves on by the length: the entries of
 * 8 words without a branch (writer/store_inline.h store_small_pairs).
 * Generated at build time by tools/gen_pair_table.c into the build tree, so
 * it is read-only data with no run-time initialisation. */
#ifndef HDUMP_COMMON_PAIR_TABLE_H
#define HDUMP_COMMON_PAIR_TABLE_H

#include <stdint.h>

#include "internal.h"

HDI_HIDDEN extern const uint8_t hdi_pair_tab[2][256][16];
HDI_HIDDEN extern const uint8_t hdi_pair_len[256];

#endif
