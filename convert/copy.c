/* convert/copy.c: the reader-to-writer loop behind rewrite and salvage.
 * Because the writer encodes every field exactly as the runtime does
 * (minimal uvarints, bools as read, type records verbatim: docs/format.md
 * §1, §3), a copy of a runtime-written dump is byte-identical. */
#include <string.h>

#include "hdump/convert.h"

static int has_streamed(const hdump_record *r) {
    const hdump_bytes *b[2] = {NULL, NULL};
    switch (r->tag) {
    case HDUMP_TAG_OBJECT: b[0] = &r->u.object.contents; break;
    case HDUMP_TAG_OTHERROOT: b[0] = &r->u.otherroot.description; break;
    case HDUMP_TAG_TYPE: b[0] = &r->u.type.name; break;
    case HDUMP_TAG_GOROUTINE: b[0] = &r->u.goroutine.wait_reason; break;
    case HDUMP_TAG_STACKFRAME: b[0] = &r->u.frame.contents, b[1] = &r->u.frame.name; break;
    case HDUMP_TAG_PARAMS: b[0] = &r->u.params.arch, b[1] = &r->u.params.experiment; break;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS: b[0] = &r->u.segment.contents; break;
    case HDUMP_TAG_MEMPROF:
        for (uint64_t i = 0; i < r->u.memprof.nstk; i++)
            if ((!r->u.memprof.stack[i].func.ptr && r->u.memprof.stack[i].func.len) ||
                (!r->u.memprof.stack[i].file.ptr && r->u.memprof.stack[i].file.len))
                return 1;
        return 0;
    default: return 0;
    }
    for (int i = 0; i < 2; i++)
        if (b[i] && b[i]->ptr == NULL && b[i]->len > 0) return 1;
    return 0;
}

hdump_status hdump_copy(hdump_reader *r, hdump_writer *w, unsigned flags,
                        hdump_copy_report *rep) {
    return hdump_copy_progress(r, w, flags, rep, NULL, NULL);
}

hdump_status hdump_copy_progress(hdump_reader *r, hdump_writer *w, unsigned flags,
                                 hdump_copy_report *rep, hdump_copy_progress_fn fn, void *ctx) {
    hdump_copy_report dummy;
    if (rep == NULL) rep = &dummy;
    memset(rep, 0, sizeof *rep);
    if (r == NULL || w == NULL) return HDUMP_ERR_USAGE;
    hdump_record rec;
    hdump_status st;
    hdump_version v;
    st = hdump_reader_version(r, &v);
    rep->good_bytes = st == HDUMP_OK ? HDUMP_HEADER_SIZE : 0;
    while (st == HDUMP_OK && (st = hdump_reader_next(r, &rec)) == HDUMP_OK) {
        if (has_streamed(&rec)) return HDUMP_ERR_USAGE;
        hdump_status ws = hdump_writer_put(w, &rec);
        if (ws != HDUMP_OK) return ws;
        rep->records++;
        rep->good_bytes = hdump_reader_offset(r);
        if (fn != NULL && fn(ctx, rep->records, rep->good_bytes) != 0) return HDUMP_ERR_USAGE;
    }
    rep->input_bytes = hdump_reader_offset(r);
    if (st == HDUMP_END) {
        rep->complete = 1;
        rep->good_bytes = hdump_reader_offset(r);
    } else {
        rep->error = *hdump_reader_error(r);
        if (rep->error.code == HDUMP_ERR_TRUNCATED) rep->input_bytes = rep->error.offset;
        if (!(flags & HDUMP_COPY_SALVAGE) || rep->error.code == HDUMP_ERR_IO ||
            rep->error.code == HDUMP_ERR_NOMEM)
            return rep->error.code;
    }
    hdump_status fs = hdump_writer_finish(w);
    if (fs == HDUMP_OK) rep->records++;
    return fs;
}
