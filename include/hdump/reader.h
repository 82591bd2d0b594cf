/* hdump/reader.h: the pull reader and the visitor on top of it.
 *
 * A reader pulls one record per hdump_reader_next call from a source: a
 * memory buffer, an mmap'd file (both zero-copy), a file descriptor, a FILE*
 * or a callback (these stream through a bounded buffer). The version comes
 * from the 16-byte header, read by the first call.
 *
 * Input is hostile until proven otherwise: every length is checked against
 * the limits and against the bytes left before anything is read, the reader
 * never allocates from a declared length, and every malformed byte gets its
 * own status code, its stream offset and its record index (hdump/errors.h).
 * Memory is bounded by the options: the streaming buffer, the field-list and
 * memprof-stack arrays (max_fields entries), nothing else.
 *
 * Thread-safety: a reader is used by one thread at a time.
 *
 * @code
 *   hdump_reader *r;
 *   if (hdump_reader_new_mem(NULL, data, size, &r) < 0) return 1;
 *   hdump_record rec;
 *   hdump_status st;
 *   while ((st = hdump_reader_next(r, &rec)) == HDUMP_OK)
 *       if (rec.tag == HDUMP_TAG_OBJECT) total += rec.u.object.contents.len;
 *   if (st < 0) {
 *       const hdump_error *e = hdump_reader_error(r);
 *       fprintf(stderr, "offset %llu: %s\n", (unsigned long long)e->offset, e->msg);
 *   }
 *   hdump_reader_free(r);
 * @endcode */
#ifndef HDUMP_READER_H
#define HDUMP_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hdump/alloc.h"
#include "hdump/errors.h"
#include "hdump/export.h"
#include "hdump/record.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hdump_reader hdump_reader;

/** Limits on what one dump may declare (docs/limits.md). In
 *  hdump_reader_opts_init they get their defaults; 0 also means "default",
 *  UINT64_MAX means unlimited. Exceeding one is HDUMP_ERR_LIMIT at the first
 *  byte of the offending item. */
typedef struct hdump_limits {
    uint64_t max_bytes;        /* longest string or byte range; default 2^40         */
    uint64_t max_fields;       /* most entries in one field list or memprof stack;
                                  default 2^22; the reader's arrays hold at most
                                  this many 16-byte fields and 40-byte frames        */
    uint64_t max_records;      /* most records, EOF included; default unlimited      */
    uint64_t max_record_bytes; /* streaming sources: most bytes one record keeps in
                                  the buffer at once (inline ranges plus the item
                                  being decoded): a hard cap on the streaming
                                  buffer's growth; default 2^26                      */
} hdump_limits;

/** One piece of a byte range too long to keep inline (streaming sources). */
typedef struct hdump_range_chunk {
    uint64_t record_index;
    uint64_t tag;
    uint32_t which;        /* which range of the record: 0 = the first (contents,
                              name, description, arch), 1 = the second (frame name,
                              params experiment); memprof: 2*i func, 2*i+1 file  */
    uint64_t range_len;    /* the whole range's length                            */
    uint64_t range_offset; /* offset of this chunk within the range               */
    const uint8_t *ptr;    /* valid during the call only                          */
    size_t len;
} hdump_range_chunk;

/** Reader options. Initialise with hdump_reader_opts_init. */
typedef struct hdump_reader_opts {
    hdump_limits limits;
    int strict;              /* 1: over-long uvarints are HDUMP_ERR_NONCANONICAL  */
    size_t buffer_size;      /* streaming sources: initial buffer; default 256 KiB */
    uint64_t inline_max;     /* streaming sources: ranges longer than this are
                                streamed to on_range and returned as {NULL, len};
                                default buffer_size / 4; memory and mmap sources
                                are always zero-copy and ignore it               */
    /* Called for each chunk of a streamed range, in order, before
     * hdump_reader_next returns the record. Return 0 to go on, non-zero to
     * stop: the reader then fails with HDUMP_ERR_USAGE. NULL: chunks are
     * skipped (lengths are still checked). */
    int (*on_range)(void *ctx, const hdump_range_chunk *chunk);
    void *on_range_ctx;
    const char *kernel;       /* varint kernel by name; NULL = best; unknown or
                                 unsupported: creation fails, HDUMP_ERR_UNSUPPORTED */
    const hdump_alloc *alloc; /* NULL = libc; copied at creation                  */
} hdump_reader_opts;

/** Fills every option with its default. */
HDUMP_API void hdump_reader_opts_init(hdump_reader_opts *o);

/** A user source: read up to `cap` bytes into buf, set *got (0 = end of input)
 *  and return HDUMP_OK, or return an error (reported as HDUMP_ERR_IO). */
typedef struct hdump_source {
    hdump_status (*read)(void *ctx, void *buf, size_t cap, size_t *got);
    void *ctx;
    uint64_t size; /* total input size if known, else UINT64_MAX */
} hdump_source;

/** Reader over memory, zero-copy: views point into `data`, which must stay
 *  valid and unchanged while the reader is used.
 *  @param o options; NULL means defaults. @param out receives the reader.
 *  @return HDUMP_OK, HDUMP_ERR_USAGE (data NULL with size > 0), HDUMP_ERR_NOMEM. */
HDUMP_API hdump_status hdump_reader_new_mem(const hdump_reader_opts *o, const void *data,
                                            size_t size, hdump_reader **out);

/** Reader over an mmap'd file (read-only, private mapping), zero-copy.
 *  @return HDUMP_ERR_IO if the file cannot be opened, stat'ed or mapped. */
HDUMP_API hdump_status hdump_reader_new_mmap(const hdump_reader_opts *o, const char *path,
                                             hdump_reader **out);

/** Streaming reader over a file descriptor (not closed by hdump). EINTR is
 *  retried. If the fd is a regular file its size bounds declared lengths. */
HDUMP_API hdump_status hdump_reader_new_fd(const hdump_reader_opts *o, int fd,
                                           hdump_reader **out);

/** Streaming reader over a FILE* (not closed by hdump). */
HDUMP_API hdump_status hdump_reader_new_file(const hdump_reader_opts *o, FILE *f,
                                             hdump_reader **out);

/** Streaming reader over a user source. */
HDUMP_API hdump_status hdump_reader_new_source(const hdump_reader_opts *o, hdump_source src,
                                               hdump_reader **out);

/** Frees the reader (and unmaps an mmap'd file). NULL is a no-op. */
HDUMP_API void hdump_reader_free(hdump_reader *r);

/** Reads the header if that has not happened yet and gives the version.
 *  @return HDUMP_OK, or the sticky error (HDUMP_ERR_HEADER, TRUNCATED, IO). */
HDUMP_API hdump_status hdump_reader_version(hdump_reader *r, hdump_version *v);

/** Pulls the next record into *rec.
 *  @return HDUMP_OK with a record; HDUMP_END with rec holding the EOF record
 *  (tag 0) once it has been read and nothing follows it (and again on every
 *  later call); or an error, which is sticky (hdump_reader_error).
 *  Views (hdump_bytes, field and memprof-stack arrays) are valid until the
 *  next call on this reader. */
HDUMP_API hdump_status hdump_reader_next(hdump_reader *r, hdump_record *rec);

/** Pulls the next records into recs[0..*n), at most max: the records, and
 *  the status, that as many hdump_reader_next calls would give. Each record
 *  has its own views, all valid until the next call on this reader.
 *  A batch ends after max records, or early: after a record that is not an
 *  object the reader's fast path reads (any other tag, EOF, an object with
 *  a long field list, a long value, or more contents words than the pool
 *  has entries left), once its records' field lists fill
 *  most of an 8 KiB pool (about 100 objects of a Go heap), and after every
 *  record of a streaming reader (hdump_reader_new_fd/_file/_source: a
 *  refill may move the views of the records before) or of a reader whose
 *  limits.max_fields is below 512.
 *  Reading a memory or mmap dump this way saves a call per record and keeps
 *  the reader's position in registers from one object to the next: 6-9%
 *  less time than hdump_reader_next on the real 5 M-object dump.
 *  @param max at least 1. @param n receives the count (0 on a usage error).
 *  @return HDUMP_OK (*n >= 1); HDUMP_END when recs[*n - 1] is the EOF
 *  record (or, on every later call, with *n == 1 and the EOF record again);
 *  or an error, sticky as hdump_reader_next's, after the *n records before
 *  it; HDUMP_ERR_USAGE for NULL r, recs or n, or max == 0. */
HDUMP_API hdump_status hdump_reader_next_batch(hdump_reader *r, hdump_record *recs, size_t max,
                                               size_t *n);

/** The sticky error (code HDUMP_OK when there is none). Never NULL. */
HDUMP_API const hdump_error *hdump_reader_error(const hdump_reader *r);

/** Stream offset just past the last record returned. */
HDUMP_API uint64_t hdump_reader_offset(const hdump_reader *r);

/** The visitor: one callback per tag; NULL means skip that kind. A callback
 *  returns 0 to go on, non-zero to stop (hdump_reader_visit then returns
 *  HDUMP_OK). `rec` and its views are valid during the call. */
typedef int (*hdump_visit_fn)(void *ctx, const hdump_record *rec);
typedef struct hdump_visitor {
    hdump_visit_fn on_eof, on_object, on_otherroot, on_type, on_goroutine, on_stackframe,
        on_params, on_finalizer, on_itab, on_osthread, on_memstats, on_queuedfinalizer,
        on_data, on_bss, on_defer, on_panic, on_memprof, on_allocsample;
} hdump_visitor;

/** Runs the reader to the end, calling v's callbacks.
 *  @return HDUMP_END when the EOF record was reached, HDUMP_OK when a callback
 *  asked to stop (the reader can be pulled further), or an error. */
HDUMP_API hdump_status hdump_reader_visit(hdump_reader *r, const hdump_visitor *v, void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_READER_H */
