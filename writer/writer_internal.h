/* writer/writer_internal.h: the writer state, shared by the writer sources. */
#ifndef HDUMP_WRITER_INTERNAL_H
#define HDUMP_WRITER_INTERNAL_H

#include "../common/internal.h"
#include "../common/kernels.h"
#include "../common/typecache.h"
#include "hdump/writer.h"

struct hdump_writer {
    hdump_alloc a;
    hdump_sink sink;
    int version;
    uint64_t ptr_size;
    const hdi_varint_kernel *kern;

    /* The buffer: buf[0..n) holds bytes not yet given to the sink. */
    uint8_t *buf;
    size_t cap;
    size_t n;
    uint64_t delivered; /* bytes the sink has accepted */
    uint64_t records;

    hdi_typecache tc;

    int finished;
    hdump_status finish_status;
    hdump_error err;
};

/* The object fast path behind hdump_writer_put_object and hdump_writer_put. */
HDI_HIDDEN hdump_status hdi_wr_object(hdump_writer *w, uint64_t addr, const void *contents,
                                      uint64_t len, const hdump_fields *f);

/* Records the first error (sticky) and returns its code. */
HDI_HIDDEN hdump_status hdi_wr_fail(hdump_writer *w, hdump_status st, uint64_t offset,
                                    uint64_t tag, const char *msg);

#endif
