/* reader/visit.c: the callback visitor, a thin layer over the pull core. */
#include "reader_internal.h"

hdump_status hdump_reader_visit(hdump_reader *r, const hdump_visitor *v, void *ctx) {
    if (r == NULL || v == NULL) return HDUMP_ERR_USAGE;
    /* Indexed by tag; the struct's members are in tag order. */
    const hdump_visit_fn fns[HDUMP_TAG_COUNT] = {
        v->on_eof,      v->on_object,    v->on_otherroot, v->on_type,
        v->on_goroutine, v->on_stackframe, v->on_params,  v->on_finalizer,
        v->on_itab,     v->on_osthread,  v->on_memstats,  v->on_queuedfinalizer,
        v->on_data,     v->on_bss,       v->on_defer,     v->on_panic,
        v->on_memprof,  v->on_allocsample};
    hdump_record rec;
    for (;;) {
        hdump_status st = hdump_reader_next(r, &rec);
        if (st < 0) return st;
        hdump_visit_fn fn = fns[rec.tag];
        if (fn != NULL && fn(ctx, &rec) != 0) return st == HDUMP_END ? HDUMP_END : HDUMP_OK;
        if (st == HDUMP_END) return HDUMP_END;
    }
}
