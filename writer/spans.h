/* writer/spans.h: a span's slots (hdump_span), shared by spans.c (the call,
 * one thread) and threads.c (chunks of slots on several threads).
 *
 * A live slot i of a span is the object record (docs/format.md §4 tag 1)
 * (base + i * elem_size, mem[i * elem_size, (i + 1) * elem_size), the map
 * piece of words bits from bit i * words of ptrs), exactly what
 * hdump_writer_put_object writes for that address, contents and one-bit
 * map: the runtime's dumpobjs gives each object of a span its size class's
 * size and its own bits of the heap bitmap. */
#ifndef HDUMP_WRITER_SPANS_H
#define HDUMP_WRITER_SPANS_H

#include "writer_internal.h"

/* A place in a call's spans: slot `slot` of span `span`. */
typedef struct hdi_spos {
    size_t span;
    uint64_t slot;
} hdi_spos;

/* A span's fixed part, worked out once per span (the map's bit0 is set per
 * slot). */
typedef struct hdi_sview {
    const uint8_t *mem;
    uint64_t base, elem, nelem;
    const uint8_t *alloc; /* NULL: every slot is live */
    size_t abytes;
    hdi_wmap m;
} hdi_sview;

/* The checks hdump_writer_put_spans makes of a span before its first
 * object: NULL when it is good, else the error's message. */
static inline const char *span_bad(const hdump_span *s) {
    if (s->nelem != 0 && s->elem_size > UINT64_MAX / s->nelem) return "span's size overflows";
    uint64_t bytes = s->nelem * s->elem_size;
    if (bytes > SIZE_MAX) return "span's size overflows";
    if (s->mem == NULL && bytes > 0) return "span has objects but no memory";
    if (s->nelem != 0 && (s->nelem - 1) * s->elem_size > UINT64_MAX - s->base)
        return "span's last address is past 2^64 - 1";
    return NULL;
}

/* REQUIRES: span_bad(s) == NULL. */
static inline void span_view(hdi_sview *v, const hdump_span *s, uint64_t ptr_size) {
    v->mem = s->mem;
    v->base = s->base;
    v->elem = s->elem_size;
    v->nelem = s->nelem;
    v->alloc = s->alloc;
    v->abytes = (size_t)((s->nelem + 7) / 8);
    v->m.b = s->ptrs;
    v->m.words = s->ptrs != NULL ? s->elem_size / ptr_size : 0;
    v->m.nbytes = (size_t)((v->m.words * s->nelem + 7) / 8);
    v->m.bit0 = 0;
}

/* Before span i's slots: asks for what the next spans' slot loops will
 * read first, spans[i + 4]'s fields, and span i + 1's allocation bits and
 * first 1 KiB of its map (prefetches never fault, so the bits' addresses
 * need no check), n the spans that may be read, ps the word size. Without it every span's
 * first read of its bits waited on memory: a profile of one thread on the
 * mixed heap put 22% of the time on those two loads, then, with only the
 * bits asked for, 6% on reading the span array itself. With both, the mixed
 * heap took 4-8% less time with one or two threads, the small heap 4-5%
 * and the large heap 7-17% (session 17, alternated runs; the bits asked
 * for 2 or 3 spans ahead, the array 6 or 8, were no better). Always
 * inlined: gcc 12 took a function of prefetches alone for one without
 * effects and dropped its calls (tests/check_prefetch.sh checks the
 * built code). */
#define SPAN_AHEAD 4
#define SPAN_MAP_AHEAD 1024u
static inline __attribute__((always_inline)) void span_prefetch(const hdump_span *spans,
                                                                size_t i, size_t n,
                                                                uint64_t ps) {
    if (i + SPAN_AHEAD < n) __builtin_prefetch(&spans[i + SPAN_AHEAD]);
    if (i + 1 >= n) return;
    const hdump_span *q = &spans[i + 1];
    __builtin_prefetch(q->alloc);
    if (q->ptrs == NULL) return;
    uint64_t bytes = q->elem_size / ps * q->nelem / 8 + 1; /* no overflow: span_bad */
    size_t nb = bytes < SPAN_MAP_AHEAD ? (size_t)bytes : SPAN_MAP_AHEAD;
    for (size_t o = 0; o < nb; o += 64) __builtin_prefetch(q->ptrs + o);
}

/* The live slots among [at, at + nb) (nb 1..64), bit k for slot at + k. */
static inline uint64_t span_live(const hdi_sview *v, uint64_t at, unsigned nb) {
    if (v->alloc == NULL) return nb < 64 ? ((uint64_t)1 << nb) - 1 : ~(uint64_t)0;
    return map_bits(v->alloc, v->abytes, at, nb);
}

/* The record bound of a slot: OBJ_FIXED-like header (tag, address and
 * length, the list's end), its contents, 11 bytes a word of its map and
 * store_map's slack;
 * SIZE_MAX when that is past 2^62 (any room is smaller). */
static inline size_t slot_bound(const hdi_sview *v) {
    if (v->elem > ((uint64_t)1 << 62) || v->m.words > ((uint64_t)1 << 56)) return SIZE_MAX;
    uint64_t b = 2 + 2 * HDI_UVARINT_MAX + v->elem + (1 + HDI_UVARINT_MAX) * v->m.words +
                 (v->m.words ? MAP_SLACK : 0);
    return b > SIZE_MAX ? SIZE_MAX : (size_t)b;
}

/* The slot loop (slots.h), the instantiation for a writer's fast path
 * (w->obj_fast: OBJ_BMI2_ON takes the BMI2 twin). */
typedef size_t (*hdi_slots_fn)(const hdi_varint_kernel *k, uint8_t *buf, size_t *n, size_t lim,
                               const hdi_sview *v, uint64_t *at, uint64_t hi, uint64_t ps);
HDI_HIDDEN hdi_slots_fn hdi_slots_for(int obj_fast);

/* Writes the live slots of spans from `from` up to `to` (not included)
 * through w: each stored straight when its bound fits the headroom, else
 * through hdi_wr_put_mapped. REQUIRES: w->obj_fast; every span in the range
 * good (span_bad). */
HDI_HIDDEN hdump_status hdi_spans_write(hdump_writer *w, const hdump_span *spans, hdi_spos from,
                                        hdi_spos to);

/* The threaded call (threads.c). Returns 1 when it ran (its result in *st);
 * 0 when the spans are better written by the calling thread alone (one
 * chunk's worth, or no pool could be had). REQUIRES: w->obj_fast, every span
 * good. */
HDI_HIDDEN int hdi_wpool_put_spans(hdump_writer *w, const hdump_span *spans, size_t n,
                                   hdump_status *st);

#endif
