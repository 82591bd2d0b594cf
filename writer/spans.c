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

hdump_status hdi_spans_write(hdump_writer *w, const hdump_span *spans, hdi_spos from,
                             hdi_spos to) {
    const uint64_t ps = w->ptr_size;
    for (size_t i = from.span; i < to.span || (i == to.span && to.slot > 0); i++) {
        hdi_sview v;
        span_view(&v, &spans[i], ps);
        if (i + 1 < to.span) span_prefetch(&spans[i + 1]);
        uint64_t lo = i == from.span ? from.slot : 0, hi = i == to.span ? to.slot : v.nelem;
        const size_t bound = slot_bound(&v);
        for (uint64_t at = lo; at < hi;) {
            unsigned nb = hi - at < 64 ? (unsigned)(hi - at) : 64;
            uint64_t live = span_live(&v, at, nb);
            while (live) {
                uint64_t s = at + (unsigned)__builtin_ctzll(live);
                live &= live - 1;
                if (HDI_LIKELY(bound <= w->cap - w->n)) {
                    /* the fast branch of hdi_wr_put_mapped, inline */
                    w->n = (size_t)(slot_store(w->kern, w->buf + w->n, &v, s, ps) - w->buf);
                    w->records++;
                } else {
                    hdi_wmap m = v.m;
                    m.bit0 = s * v.m.words;
                    const uint8_t *c = v.elem ? v.mem + s * v.elem : v.mem;
                    HDI_TRY(hdi_wr_put_mapped(w, v.base + s * v.elem, c, v.elem, &m));
                }
            }
            at += nb;
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
    if (w->err.code != HDUMP_OK) return w->err.code;
    if (w->finished)
        return hdi_wr_fail(w, HDUMP_ERR_USAGE, hdump_writer_bytes(w), HDUMP_TAG_OBJECT,
                           "put after finish");
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
