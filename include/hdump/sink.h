/* hdump/sink.h: where a writer's bytes go.
 *
 * A sink either consumes all n bytes or fails; a failure makes the writer's
 * error sticky. The built-in sinks are plain values that borrow their state
 * (an fd, a FILE*, a buffer struct) from the caller. */
#ifndef HDUMP_SINK_H
#define HDUMP_SINK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hdump/alloc.h"
#include "hdump/errors.h"
#include "hdump/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A sink. `write` must deliver all n bytes (n > 0) and return HDUMP_OK, or
 *  return an error (HDUMP_ERR_IO, HDUMP_ERR_NOSPACE, ...). A user callback sink
 *  is simply this struct filled in by the caller. */
typedef struct hdump_sink {
    hdump_status (*write)(void *ctx, const void *p, size_t n);
    void *ctx;
} hdump_sink;

/** File-descriptor sink: loops on short writes and EINTR; any other write(2)
 *  failure, or a write that returns 0, is HDUMP_ERR_IO. The fd is not closed. */
HDUMP_API hdump_sink hdump_sink_fd(int fd);

/** stdio sink: fwrite; a short fwrite (ferror) is HDUMP_ERR_IO. Not flushed or
 *  closed by hdump. */
HDUMP_API hdump_sink hdump_sink_file(FILE *f);

/** Discards everything; for benchmarks and for sizing a dump. */
HDUMP_API hdump_sink hdump_sink_null(void);

/** Growable memory. Initialise with hdump_membuf_init; the data is owned by the
 *  membuf and released with hdump_membuf_free. `max` (0 = unlimited) caps the
 *  size: growing past it is HDUMP_ERR_NOSPACE. */
typedef struct hdump_membuf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t max;
    hdump_alloc alloc;
} hdump_membuf;

/** @param a allocator for the data; NULL means libc. */
HDUMP_API void hdump_membuf_init(hdump_membuf *m, const hdump_alloc *a);
HDUMP_API void hdump_membuf_free(hdump_membuf *m);
HDUMP_API hdump_sink hdump_sink_membuf(hdump_membuf *m);

/** A fixed caller buffer. Bytes that fit are stored (len grows); a write that
 *  does not fit stores what fits and fails with HDUMP_ERR_NOSPACE. */
typedef struct hdump_fixedbuf {
    uint8_t *data;
    size_t cap;
    size_t len;
} hdump_fixedbuf;

HDUMP_API hdump_sink hdump_sink_fixed(hdump_fixedbuf *b);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_SINK_H */
