/* common/grammar.h: the record layouts of every version, as data.
 *
 * docs/format.md §4 is this table in prose. The writer and the reader both
 * walk it, so a layout is described once; the versions differ only in the
 * rows that say so. */
#ifndef HDUMP_COMMON_GRAMMAR_H
#define HDUMP_COMMON_GRAMMAR_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef enum hdi_opkind {
    HDI_OP_END = 0, /* end of the record                                    */
    HDI_OP_U,       /* uvarint (also bools) -> uint64_t at off              */
    HDI_OP_S,       /* string / byte range  -> hdump_bytes at off           */
    HDI_OP_F,       /* field list           -> hdump_fields at off          */
    HDI_OP_MEMSTATS,/* 281 uvarints         -> hdump_memstats at off        */
    HDI_OP_STACK    /* memprof stack: u nstk, nstk x (s func, s file, u line) */
} hdi_opkind;

typedef struct hdi_op {
    uint8_t op;    /* hdi_opkind                                   */
    uint8_t which; /* for S: index of the range within the record */
    uint16_t off;  /* offset of the value inside hdump_record     */
} hdi_op;

/* The ops of `tag` in version v (HDUMP_GO1_3..7), END-terminated; NULL when
 * tag > 17. Tag 0 (EOF) has no ops. */
HDI_HIDDEN const hdi_op *hdi_grammar(int v, uint64_t tag);

/* Largest field kind the version defines (go1.3: 5 String/Slice/Iface/Eface;
 * go1.4+: 3 Iface/Eface, docs/format.md §2.4). */
static inline uint64_t hdi_max_field_kind(int v) { return v == HDUMP_GO1_3 ? 5u : 3u; }

#endif /* HDUMP_COMMON_GRAMMAR_H */
