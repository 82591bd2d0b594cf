/* writer/slots.h: the slot loop of a span (spans.h), included by spans.c
 * once per instantiation, as writer.c includes object_fast.h:
 *   SLOTS_NAME  the function's name
 *   SLOTS_ATTR  its attributes (a target ISA, or nothing)
 *   SLOTS_UV    the address store: uint8_t *SLOTS_UV(uint8_t *p, uint64_t v),
 *               10 bytes at p, bytes past the encoding may be overwritten
 * Not a header in its own right: only spans.c includes it. */

#define SLOTS_CAT2(a, b) a##b
#define SLOTS_CAT(a, b) SLOTS_CAT2(a, b)
#define SLOTS_RUN SLOTS_CAT(SLOTS_NAME, _run)
/* The loop for one kind of span, `kind` a constant where it is inlined:
 * SK_NOSCAN no map, SK_SMALL a map of at most 16 (8-byte) or 32 (4-byte)
 * words (every offset below 128: one map_bits and the pair table, no loop
 * over 64-word pieces, no kernel call), SK_ANY the rest (store_map). One
 * loop for all three kept store_map's branches and registers in every
 * slot's path: split, one thread of spans took 13-18% less time on the
 * small heap and 8-9% on the mixed heap, two threads 16% and 8-11%
 * (session 16, alternated runs). */
static inline __attribute__((always_inline)) SLOTS_ATTR size_t SLOTS_RUN(
    const hdi_varint_kernel *k, uint8_t *buf, size_t *n, size_t lim, const hdi_sview *v,
    uint64_t *at, uint64_t hi, uint64_t ps, const int kind) {
    const size_t bound = slot_bound(v);
    const uint64_t elem = v->elem, words = v->m.words;
    size_t m = *n, rec = 0;
    for (uint64_t a = *at; a < hi;) {
        unsigned nb = hi - a < 64 ? (unsigned)(hi - a) : 64;
        for (uint64_t live = span_live(v, a, nb); live; live &= live - 1) {
            uint64_t i = a + (unsigned)__builtin_ctzll(live);
            if (HDI_UNLIKELY(bound > lim - m)) {
                *n = m;
                *at = i;
                return rec;
            }
            uint8_t *p = buf + m;
            const uint8_t *c = elem ? v->mem + i * elem : v->mem; /* no NULL + 0 */
            *p++ = HDUMP_TAG_OBJECT;
            p = SLOTS_UV(p, v->base + i * elem);
            p = SLOTS_UV(p, elem);
            if (elem <= COPY_INLINE)
                copy_inline(p, c, (size_t)elem);
            else
                memcpy(p, c, (size_t)elem);
            p += elem;
            if (kind == SK_SMALL) {
                uint64_t bits = map_bits(v->m.b, v->m.nbytes, i * words, (unsigned)words);
                p = store_small_pairs(p, bits, (unsigned)(words + 7) / 8, ps == 8);
            } else if (kind == SK_ANY && words != 0) {
                hdi_wmap mp = v->m;
                mp.bit0 = i * words;
                p = store_map(k, p, &mp, ps);
            }
            *p++ = 0;
            m = (size_t)(p - buf);
            rec++;
        }
        a += nb;
    }
    *n = m;
    *at = hi;
    return rec;
}

/* Stores span v's live slots from *at up to hi at buf + *n, each record
 * (docs/format.md §4 tag 1: tag, address, length, contents, the slot's map
 * piece as entries, the list's end) while its bound (slot_bound) fits below
 * lim; stops at the first live slot whose bound does not, *at left on it
 * (else at hi). Returns the records stored; *n moves past them. Nothing is
 * checked here: the span is good (span_bad) and the bound decides. The
 * loop instantiated for v's kind. */
static HDI_NOINLINE SLOTS_ATTR size_t SLOTS_NAME(const hdi_varint_kernel *k, uint8_t *buf,
                                                  size_t *n, size_t lim, const hdi_sview *v,
                                                  uint64_t *at, uint64_t hi, uint64_t ps) {
    if (v->m.words == 0) return SLOTS_RUN(k, buf, n, lim, v, at, hi, ps, SK_NOSCAN);
    if (v->m.words <= (ps == 8 ? 16u : 32u))
        return SLOTS_RUN(k, buf, n, lim, v, at, hi, ps, SK_SMALL);
    return SLOTS_RUN(k, buf, n, lim, v, at, hi, ps, SK_ANY);
}
#undef SLOTS_RUN
