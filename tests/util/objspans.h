/* tests/util/objspans.h: a run of object records regrouped as a runtime's
 * spans and written through hdump_writer_put_spans, so that its bytes can
 * be checked against the records' own (test_writer_spans.c on real and
 * generated dumps, fuzz/fuzz_rewrite.c on any input). Header-only. */
#ifndef HDUMP_TESTS_OBJSPANS_H
#define HDUMP_TESTS_OBJSPANS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdump/hdump.h"

/* Whether o can be a span's slot for word size ps: contents, and a list
 * that is a one-bit map's walk (Ptr entries at ascending multiples of ps
 * inside the contents). */
static inline int os_mappable(const hdump_object *o, uint64_t ps) {
    uint64_t words = o->contents.len / ps;
    for (uint64_t k = 0; k < o->fields.count; k++) {
        const hdump_field *f = &o->fields.items[k];
        if (f->kind != HDUMP_FIELD_PTR || f->offset % ps != 0 || f->offset / ps >= words ||
            (k > 0 && f->offset <= o->fields.items[k - 1].offset))
            return 0;
    }
    return o->contents.len > 0;
}

/* objs[0..n) through w: each stretch of mappable objects of one size at
 * addresses a whole number of slots after its first (at most max_gap free
 * slots between two, fewer than max_slots slots in all) as one span, its
 * memory, allocation bits and pointer map made here; any other object
 * through hdump_writer_put_object. *spanned counts the objects that went
 * in spans. HDUMP_ERR_NOMEM when a span's arrays cannot be had. */
static inline hdump_status os_put_run(hdump_writer *w, const hdump_object *objs, size_t n,
                                      uint64_t ps, uint64_t max_gap, uint64_t max_slots,
                                      uint64_t *spanned) {
    for (size_t i = 0; i < n;) {
        const hdump_object *a = &objs[i];
        if (!os_mappable(a, ps)) {
            hdump_status st = hdump_writer_put_object(w, a->addr, a->contents.ptr,
                                                      (size_t)a->contents.len, &a->fields);
            if (st != HDUMP_OK) return st;
            i++;
            continue;
        }
        uint64_t e = a->contents.len, last = 0;
        size_t j = i + 1;
        while (j < n && objs[j].contents.len == e && objs[j].addr > objs[j - 1].addr &&
               (objs[j].addr - a->addr) % e == 0 && (objs[j].addr - a->addr) / e - last <= max_gap &&
               (objs[j].addr - a->addr) / e < max_slots && os_mappable(&objs[j], ps)) {
            last = (objs[j].addr - a->addr) / e;
            j++;
        }
        hdump_span s;
        s.base = a->addr;
        s.elem_size = e;
        s.nelem = last + 1;
        uint64_t words = e / ps;
        uint8_t *mem = calloc((size_t)(s.nelem * e), 1);
        uint8_t *al = calloc((size_t)(s.nelem + 7) / 8, 1);
        uint8_t *pt = calloc((size_t)(s.nelem * words + 7) / 8 + 1, 1);
        hdump_status st = HDUMP_ERR_NOMEM;
        if (mem != NULL && al != NULL && pt != NULL) {
            for (size_t k = i; k < j; k++) {
                uint64_t slot = (objs[k].addr - a->addr) / e;
                memcpy(mem + slot * e, objs[k].contents.ptr, (size_t)e);
                al[slot / 8] |= (uint8_t)(1u << (slot % 8));
                for (uint64_t f = 0; f < objs[k].fields.count; f++) {
                    uint64_t b = slot * words + objs[k].fields.items[f].offset / ps;
                    pt[b / 8] |= (uint8_t)(1u << (b % 8));
                }
            }
            s.mem = mem;
            s.alloc = al;
            s.ptrs = pt;
            st = hdump_writer_put_spans(w, &s, 1);
            if (spanned != NULL) *spanned += j - i;
        }
        free(mem);
        free(al);
        free(pt);
        if (st != HDUMP_OK) return st;
        i = j;
    }
    return HDUMP_OK;
}

#endif /* HDUMP_TESTS_OBJSPANS_H */
