/* writer/put.c: one call per record kind, thin wrappers over
 * hdump_writer_put, plus the two that go through the type cache. */
#include <string.h>

#include "writer_internal.h"

#define PUT_AS(TAG, MEMBER, VAL)                 \
    do {                                         \
        /* only the member the tag names is read */ \
        hdump_record rec_;                       \
        rec_.tag = (TAG);                        \
        if ((VAL) == NULL) return HDUMP_ERR_USAGE; \
        rec_.u.MEMBER = *(VAL);                  \
        return hdump_writer_put(w, &rec_);       \
    } while (0)

/* hdump_writer_put_object is in writer.c, next to the object fast path. */

hdump_status hdump_writer_put_otherroot(hdump_writer *w, const hdump_otherroot *r) {
    PUT_AS(HDUMP_TAG_OTHERROOT, otherroot, r);
}

hdump_status hdump_writer_put_type(hdump_writer *w, const hdump_type *t, uint32_t hash) {
    if (w == NULL || t == NULL) return HDUMP_ERR_USAGE;
    HDI_TRY(hdi_wr_ready(w, HDUMP_TAG_TYPE));
    /* The runtime's dumptype writes nothing for a nil type. */
    if (t->addr == 0) return HDUMP_OK;
    if (hdi_typecache_lookup(&w->tc, t->addr, hash)) return HDUMP_OK;
    PUT_AS(HDUMP_TAG_TYPE, type, t);
}

hdump_status hdump_writer_put_goroutine(hdump_writer *w, const hdump_goroutine *g) {
    PUT_AS(HDUMP_TAG_GOROUTINE, goroutine, g);
}

hdump_status hdump_writer_put_stackframe(hdump_writer *w, const hdump_stackframe *f) {
    PUT_AS(HDUMP_TAG_STACKFRAME, frame, f);
}

hdump_status hdump_writer_put_params(hdump_writer *w, const hdump_params *p) {
    PUT_AS(HDUMP_TAG_PARAMS, params, p);
}

hdump_status hdump_writer_put_finalizer(hdump_writer *w, const hdump_finalizer *f) {
    PUT_AS(HDUMP_TAG_FINALIZER, finalizer, f);
}

hdump_status hdump_writer_put_itab(hdump_writer *w, const hdump_itab *i, const hdump_type *t,
                                   uint32_t hash) {
    if (t != NULL) HDI_TRY(hdump_writer_put_type(w, t, hash));
    PUT_AS(HDUMP_TAG_ITAB, itab, i);
}

hdump_status hdump_writer_put_osthread(hdump_writer *w, const hdump_osthread *t) {
    PUT_AS(HDUMP_TAG_OSTHREAD, osthread, t);
}

hdump_status hdump_writer_put_memstats(hdump_writer *w, const hdump_memstats *m) {
    PUT_AS(HDUMP_TAG_MEMSTATS, memstats, m);
}

hdump_status hdump_writer_put_queuedfinalizer(hdump_writer *w, const hdump_finalizer *f) {
    PUT_AS(HDUMP_TAG_QUEUEDFINALIZER, finalizer, f);
}

hdump_status hdump_writer_put_data(hdump_writer *w, const hdump_segment *s) {
    PUT_AS(HDUMP_TAG_DATA, segment, s);
}

hdump_status hdump_writer_put_bss(hdump_writer *w, const hdump_segment *s) {
    PUT_AS(HDUMP_TAG_BSS, segment, s);
}

hdump_status hdump_writer_put_defer(hdump_writer *w, const hdump_defer *d) {
    PUT_AS(HDUMP_TAG_DEFER, defer, d);
}

hdump_status hdump_writer_put_panic(hdump_writer *w, const hdump_panic *p) {
    PUT_AS(HDUMP_TAG_PANIC, panic, p);
}

hdump_status hdump_writer_put_memprof(hdump_writer *w, const hdump_memprof *m) {
    PUT_AS(HDUMP_TAG_MEMPROF, memprof, m);
}

hdump_status hdump_writer_put_allocsample(hdump_writer *w, const hdump_allocsample *a) {
    PUT_AS(HDUMP_TAG_ALLOCSAMPLE, allocsample, a);
}
