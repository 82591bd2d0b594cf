/* hdump/scan.h: a dump in memory read by several threads at once.
 *
 * The dump is cut into parts of about equal size, eight per thread, which
 * the threads take in order as they finish the one before (a slower core
 * reads fewer). The first part starts after the header; every other part
 * starts at a guess (the format has no marker between records): a few
 * records into the first run of records that parses from an offset in the
 * part. When every thread has stopped, the guesses are checked in stream
 * order, on the calling thread: the part before reads on up to the guess,
 * and the guess is kept when a record ends exactly there. A wrong guess, or
 * a part that has none, is dropped (on_drop) and the part before reads on
 * over its bytes. So, for any input:
 *  - the parts not dropped, in order, hold exactly the records a single
 *    reader (hdump/reader.h, same options) returns, each record in one part,
 *    each part's records in stream order;
 *  - the scan ends as that reader would: HDUMP_END after the EOF record, or
 *    the same first error (code, offset, record index counted from the
 *    first record of the dump, tag, message).
 * Hostile input costs a few more passes at most (the search for a guess
 * parses at most about twice its part's bytes, and a dropped part is read
 * once more); it never changes the outcome.
 *
 * Callbacks of different parts run at the same time on different threads:
 * keep what you gather per part and merge the parts in order at the end.
 * The same goes for an allocator given in o->reader.alloc: each thread's
 * reader calls it, so it must be thread-safe (libc's is).
 *
 * Memory: one reader per thread (docs/limits.md: each bounded by the
 * limits) and a small array of the parts; nothing sized by the input.
 *
 * @code
 *   unsigned n = hdump_scan_parts(&o, size);   // size the per-part state
 *   hdump_scan_fns f = {.on_record = count_record, .on_drop = forget_part};
 *   hdump_scan_result res;
 *   hdump_status st = hdump_scan_mem(&o, data, size, &f, state, &res);
 *   // st == HDUMP_END: the sum of the parts' counts is the dump's
 * @endcode */
#ifndef HDUMP_SCAN_H
#define HDUMP_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "hdump/errors.h"
#include "hdump/export.h"
#include "hdump/reader.h"
#include "hdump/record.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Scan options. Initialise with hdump_scan_opts_init. */
typedef struct hdump_scan_opts {
    hdump_reader_opts reader; /* limits, strict, kernel, allocator of each part's reader */
    unsigned threads;         /* threads reading at once, the caller's included; 0: 2; at most 64 */
    size_t min_part;          /* fewest bytes in a part; 0: 1 MiB */
} hdump_scan_opts;

/** Reader defaults, 2 threads, parts of at least 1 MiB. */
HDUMP_API void hdump_scan_opts_init(hdump_scan_opts *o);

/** What the scan calls. ctx is hdump_scan_mem's. Set exactly one of
 *  on_record and on_batch. */
typedef struct hdump_scan_fns {
    /** Each record of part `part`, in stream order, on the thread reading that
     *  part; the EOF record too. rec->index counts from the part's first
     *  record; rec and its views are valid during the call. Return 0 to go
     *  on, non-zero to stop the scan (every part stops soon after). */
    int (*on_record)(void *ctx, unsigned part, const hdump_record *rec);
    /** Forget every record part `part` has received: its start was a wrong
     *  guess, or the part is read again. Called on the calling thread once
     *  the other threads have stopped; the part may receive records again
     *  afterwards, on the calling thread. May be NULL only if the callbacks keep
     *  nothing. */
    void (*on_drop)(void *ctx, unsigned part);
    /** Like on_record, for recs[0..n) (n >= 1): consecutive records of part
     *  `part` in stream order, each with its own views, all valid during the
     *  call. A batch holds up to 16 records; a record other than an object
     *  read by the reader's fast path (any other tag, EOF, an object with a
     *  long field list) ends its batch, and so does every record when
     *  o->reader.limits.max_fields is below 512. The reader's fast path reads a batch's
     *  objects in one call: on the real 5 M-object dump the scan takes
     *  9-12% less time than with on_record. Return non-zero to stop after this batch. */
    int (*on_batch)(void *ctx, unsigned part, const hdump_record *recs, size_t n);
} hdump_scan_fns;


/** How the scan went. */
typedef struct hdump_scan_result {
    hdump_error err;  /* the first error, as a single reader reports it; code HDUMP_OK if none */
    uint64_t records; /* records in the parts that were kept (EOF included) */
    unsigned parts;   /* parts the dump was cut into (hdump_scan_parts) */
    unsigned dropped; /* parts dropped after a wrong or missing guess */
    hdump_version version; /* the header's version; 0 when the header is bad */
} hdump_scan_result;

/** How many parts hdump_scan_mem cuts `size` bytes into: 8 per thread
 *  (1 for 1 thread), as many as min_part allows, at least 1. Every `part`
 *  argument of on_record and on_drop is below it. */
HDUMP_API unsigned hdump_scan_parts(const hdump_scan_opts *o, size_t size);

/** Reads the dump in data[0..size) with up to o->threads threads.
 *  @param o options; NULL means defaults. @param f callbacks (on_record required).
 *  @param res receives the outcome; may be NULL.
 *  @return HDUMP_END when the EOF record was reached with nothing after it;
 *  HDUMP_OK when a callback asked to stop (what the parts received is then
 *  not checked); the reader's error otherwise (also in res->err); or
 *  HDUMP_ERR_USAGE (NULL data with size > 0, no f, neither or both of
 *  on_record and on_batch, threads > 64,
 *  a limit the reader refuses), HDUMP_ERR_NOMEM. A thread that cannot be
 *  started leaves its parts to the others. */
HDUMP_API hdump_status hdump_scan_mem(const hdump_scan_opts *o, const void *data, size_t size,
                                      const hdump_scan_fns *f, void *ctx, hdump_scan_result *res);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_SCAN_H */
