/* writer/spans.c: hdump_writer_put_spans, the heap as the runtime holds it.
 *
 * Why a call of its own: for hdump_writer_put_objects the writer reads an
 * 80-byte hdump_object and a field list (or a map) per object besides its
 * contents, about as many bytes again as it writes on the mixed heap
 * (docs/BENCHMARKS.md, session 14). A span gives the address, the size and
 * the map position of every slot by arithmetic, so the writer reads little
 * more than the bytes it writes: the contents, one bit a word and one bit a
 * slot. The records are those of one hdump_writer_put_object call per live
 * slot (spans.h), so the output is the same byte for byte. */
#include <string.h>

#include "spans.h"
#include "uv_bmi2.h"

/* The slot loop twice (slots.h): portable, with the address by the
 * branch-free uv_put_lt56; and, where built, with every shift, bit scan
 * and varint of BMI2 (pdep), as the object path's twin (writer.c). */
/* The kinds of span the slot loop is specialised for (slots.h). */
enum { SK_NOSCAN, SK_SMALL, SK_ANY };
static inline uint8_t *slots_uv_gen(uint8_t *p, uint64_t v) {
    return HDI_LIKELY(v >> 56 == 0) ? uv_put_lt56(p, v) : p + hdi_uvarint_put(p, v);
}
#define SLOTS_NAME slots_gen
#define SLOTS_ATTR
#define SLOTS_UV slots_uv_gen
#include "slots.h"
#undef SLOTS_NAME
#undef SLOTS_ATTR
#undef SLOTS_UV
#if OBJ_BMI2
#define SLOTS_NAME slots_bmi2
#define SLOTS_ATTR __attribute__((target("bmi2")))
#define SLOTS_UV uv_put_bmi2
#include "slots.h"
#undef SLOTS_NAME
#undef SLOTS_ATTR
#undef SLOTS_UV
#endif

hdi_slots_fn hdi_slots_for(int obj_fast) {
#if OBJ_BMI2
    if (obj_fast == OBJ_BMI2_ON) return slots_bmi2;
#endif
    (void)obj_fast;
    return slots_gen;
}

hdump_status hdi_spans_write(hdump_writer *w, const hdump_span *spans, hdi_spos from,
                             hdi_spos to) {
    const uint64_t ps = w->ptr_size;
    const hdi_slots_fn slots = hdi_slots_for(w->obj_fast);
    const size_t end = to.span + (to.slot > 0); /* the spans read */
    for (size_t i = from.span; i < end; i++) {
        hdi_sview v;
        span_prefetch(spans, i, end, ps);
        span_view(&v, &spans[i], ps);
        uint64_t at = i == from.span ? from.slot : 0, hi = i == to.span ? to.slot : v.nelem;
        while (at < hi) {
            w->records += slots(w->kern, w->buf, &w->n, w->cap, &v, &at, hi, ps);
            if (at >= hi) break;
            /* slot `at` is live and its bound does not fit the headroom:
             * as put_object would write it (a set bit's bound may fit, or
             * it goes piece by piece through the dwrite policy) */
            hdi_wmap m = v.m;
            m.bit0 = at * v.m.words;
            const uint8_t *c = v.elem ? v.mem + at * v.elem : v.mem;
            HDI_TRY(hdi_wr_put_mapped(w, v.base + at * v.elem, c, v.elem, &m));
            at++;
        }
    }
    return HDUMP_OK;
}

/* go1.3: objects without field lists (docs/format.md §4 tag 1), as
 * hdump_writer_put_object writes them there. */
static hdump_status put_spans_go13(hdump_writer *w, const hdump_span *spans, size_t n) {
    for (size_t i = 0; i < n; i++) {
        hdi_sview v;
        span_view(&v, &spans[i], w->ptr_size);
        for (uint64_t at = 0; at < v.nelem; at += 64) {
            unsigned nb = v.nelem - at < 64 ? (unsigned)(v.nelem - at) : 64;
            uint64_t live = span_live(&v, at, nb);
            while (live) {
                uint64_t s = at + (unsigned)__builtin_ctzll(live);
                live &= live - 1;
                const uint8_t *c = v.elem ? v.mem + s * v.elem : v.mem;
                HDI_TRY(hdump_writer_put_object(w, v.base + s * v.elem, c, (size_t)v.elem, NULL));
            }
        }
    }
    return HDUMP_OK;
}

hdump_status hdump_writer_put_spans(hdump_writer *w, const hdump_span *spans, size_t n) {
    if (w == NULL || (spans == NULL && n > 0)) return HDUMP_ERR_USAGE;
    HDI_TRY(hdi_wr_ready(w, HDUMP_TAG_OBJECT));
    /* the spans before the first bad one are written, then its error comes
     * where its first record would have gone */
    size_t good = 0;
    const char *why = NULL;
    while (good < n && (why = span_bad(&spans[good])) == NULL) good++;
    hdump_status st = HDUMP_OK;
    if (w->version == HDUMP_GO1_3) {
        st = put_spans_go13(w, spans, good);
    } else if (good > 0) {
        /* w->obj_fast: go1.4+, no error, not finished */
        if (w->threads <= 1 || !hdi_wpool_put_spans(w, spans, good, &st)) {
            hdi_spos from = {0, 0}, to = {good, 0};
            st = hdi_spans_write(w, spans, from, to);
        }
    }
    if (st != HDUMP_OK) return st;
    if (good < n)
        return hdi_wr_fail(w, HDUMP_ERR_USAGE, hdump_writer_bytes(w), HDUMP_TAG_OBJECT, why);
    return HDUMP_OK;
}
