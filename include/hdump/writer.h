/* hdump/writer.h: the streaming writer.
 *
 * A writer writes the 16-byte header when it is created, then one record per
 * put call, then EOF and the final flush in hdump_writer_finish. Output goes
 * through a buffer (default 4096 bytes, the Go runtime's): data that fits is
 * copied into the buffer; when it does not, the buffer is flushed, and data at
 * least the buffer's size goes straight to the sink. So a writer with the
 * default buffer issues the same sink writes as the runtime's WriteHeapDump.
 *
 * Errors are sticky: after the first error every call returns it, and
 * hdump_writer_error tells what and where. A writer never reports success
 * for bytes its sink did not accept.
 *
 * Thread-safety: a writer is used by one thread at a time. With
 * opts.threads > 1, hdump_writer_put_objects and hdump_writer_put_spans
 * encode on helper threads the writer owns, or borrows from an
 * hdump_threadpool (opts.pool), which writers on several threads may
 * share; the caller still makes every call from one thread at a time, and
 * the sink and the allocator are only ever called from the calling thread.
 * A helper spins for 200 us after a call before it sleeps (so calls in a
 * row do not wait for it to wake); after hdump_writer_free returns, none
 * touches the writer's memory.
 *
 * @code
 *   hdump_writer_opts o;
 *   hdump_writer_opts_init(&o);
 *   hdump_writer *w;
 *   if (hdump_writer_new(&o, hdump_sink_fd(1), &w) < 0) return 1;
 *   hdump_params p = {0};
 *   p.ptr_size = 8; p.heap_start = 0xc000000000; p.heap_end = 0xc004000000;
 *   p.arch.ptr = (const uint8_t *)"amd64"; p.arch.len = 5; p.ncpu = 2;
 *   hdump_writer_put_params(w, &p);
 *   hdump_writer_put_object(w, 0xc000010000, buf, 64, NULL);
 *   hdump_status st = hdump_writer_finish(w);   // EOF + flush
 *   hdump_writer_free(w);
 * @endcode */
#ifndef HDUMP_WRITER_H
#define HDUMP_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "hdump/alloc.h"
#include "hdump/errors.h"
#include "hdump/export.h"
#include "hdump/record.h"
#include "hdump/sink.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hdump_writer hdump_writer;
typedef struct hdump_threadpool hdump_threadpool;

/** Writer options. Initialise with hdump_writer_opts_init, then change what
 *  you need. */
typedef struct hdump_writer_opts {
    hdump_version version;          /* default HDUMP_GO1_7                       */
    size_t buffer_size;             /* default 4096; minimum 64                  */
    uint32_t typecache_buckets;     /* default 256; power of two; 0 = no cache   */
    uint32_t typecache_ways;        /* default 4; 0 = no cache                   */
    uint64_t ptr_size;              /* word size for bitmap field lists; def. 8  */
    const char *kernel;             /* varint kernel by name; NULL = best for this
                                       CPU; unknown or unsupported names make
                                       hdump_writer_new fail with
                                       HDUMP_ERR_UNSUPPORTED                      */
    const hdump_alloc *alloc;       /* NULL = libc; copied at creation           */
    unsigned threads;               /* threads hdump_writer_put_objects encodes
                                       with, the caller's included; default 1
                                       (0 or 1: the caller's alone); at most 64  */
    size_t chunk_size;              /* put_objects with threads > 1: the bytes
                                       one thread encodes at once (a bound:
                                       contents plus 11 bytes a field and 42 a
                                       record); default 262144; 1024 .. 2^30.
                                       The writer holds 3 * threads such chunks
                                       (one block) once put_objects or
                                       put_spans first runs threaded.            */
    hdump_threadpool *pool;         /* NULL (default): threads and chunk_size
                                       above. Else the writer borrows this
                                       pool's helper threads and chunk buffers,
                                       whose thread count and chunk size it
                                       takes (threads and chunk_size are then
                                       ignored), and starts none of its own.
                                       The pool must outlive the writer.         */
} hdump_writer_opts;

/** Fills every option with its default. */
HDUMP_API void hdump_writer_opts_init(hdump_writer_opts *o);

/** A pool of helper threads and chunk buffers for hdump_writer_put_objects
 *  and put_spans, which writers borrow (hdump_writer_opts.pool) instead of
 *  starting their own. For a program that writes dump after dump: a writer
 *  with threads > 1 starts its helpers at its first threaded call and stops
 *  them when freed, and a thread's start cost 50-130 us on the machine of
 *  docs/BENCHMARKS.md; borrowing a pool, writers of its 27 MB mixed heap with
 *  2 threads took 3-12% less time.
 *  A pool's helpers start once, here, and wait between calls as a writer's
 *  own do (they spin 200 us after a call, then sleep).
 *
 *  Writers on any threads may borrow one pool; one call at a time uses it.
 *  A call that finds it in use by another writer's call is encoded by its
 *  calling thread alone (the same output). Memory: the pool's state and 3 *
 *  threads chunks of chunk_size bytes as one block (docs/limits.md), had
 *  from alloc.
 *  @param threads the threads a call encodes with, the caller's included
 *  (threads - 1 helpers), 2..64.
 *  @param chunk_size as hdump_writer_opts.chunk_size; 0 = its default.
 *  @param alloc NULL = libc; copied.
 *  @param out receives the pool (NULL on failure).
 *  @return HDUMP_OK (some helpers may have failed to start; a call's
 *  calling thread takes the chunks nobody else does); HDUMP_ERR_USAGE (out
 *  NULL, threads or chunk_size out of range); HDUMP_ERR_NOMEM (no memory, or
 *  no helper thread could be started). */
HDUMP_API hdump_status hdump_threadpool_new(unsigned threads, size_t chunk_size,
                                            const hdump_alloc *alloc, hdump_threadpool **out);

/** Stops the helpers and frees the pool. REQUIRES: every writer that
 *  borrows it was freed (or at least is in no call). NULL is a no-op. */
HDUMP_API void hdump_threadpool_free(hdump_threadpool *p);

/** Creates a writer and writes the header into its buffer.
 *  @param o options; NULL means all defaults.
 *  @param sink where bytes go; sink.write must not be NULL.
 *  @param out receives the writer (NULL on failure). Free with hdump_writer_free.
 *  @return HDUMP_OK, HDUMP_ERR_USAGE (bad option), HDUMP_ERR_UNSUPPORTED
 *  (kernel), HDUMP_ERR_NOMEM. */
HDUMP_API hdump_status hdump_writer_new(const hdump_writer_opts *o, hdump_sink sink,
                                        hdump_writer **out);

/** Frees the writer; does not flush (call hdump_writer_finish first). NULL is a no-op. */
HDUMP_API void hdump_writer_free(hdump_writer *w);

/** The sticky error (code HDUMP_OK when there is none). Never NULL; valid
 *  until the writer is freed. For a sink failure the offset is the number of
 *  bytes the sink had accepted before the failing write; for a misuse it is
 *  the number of bytes the writer had accepted when the call started. */
HDUMP_API const hdump_error *hdump_writer_error(const hdump_writer *w);

/** Bytes accepted so far (header included), whether flushed or buffered. */
HDUMP_API uint64_t hdump_writer_bytes(const hdump_writer *w);

/** Records written so far (EOF included once finished). */
HDUMP_API uint64_t hdump_writer_records(const hdump_writer *w);

/** Type-cache statistics: lookups that found the type (not written) and
 *  lookups that missed (type record written). */
HDUMP_API void hdump_writer_typecache_stats(const hdump_writer *w, uint64_t *hits,
                                            uint64_t *misses);

/** Writes any record, verbatim, in the writer's version (the generic path every
 *  per-tag call below uses). Type records written this way bypass the type
 *  cache. A tag of HDUMP_TAG_EOF is hdump_writer_finish.
 *  @return HDUMP_OK; HDUMP_ERR_USAGE for a tag > 17, a field kind the version
 *  does not have, a bitmap form the version does not have, or a call after
 *  finish; sink errors. */
HDUMP_API hdump_status hdump_writer_put(hdump_writer *w, const hdump_record *rec);

/* ---- One call per record kind (docs/format.md §4). `fields` may be NULL for
 * ---- an empty list. Every byte range is copied before the call returns. */

/** tag 1. go1.3 writes (addr, type 0, kind 0, contents); use hdump_writer_put
 *  to set go1.3's type address and kind. Fields as a list or as a one-bit map
 *  (HDUMP_FIELDS_BITMAP1) are stored in one pass when the record fits the
 *  buffer's headroom; two-bit maps are walked piece by piece. */
HDUMP_API hdump_status hdump_writer_put_object(hdump_writer *w, uint64_t addr,
                                               const void *contents, size_t len,
                                               const hdump_fields *fields);
/** n object records, objs[0..n) in order: the same bytes, records and
 *  errors as n calls of hdump_writer_put with tag HDUMP_TAG_OBJECT (so go1.3's
 *  type address and kind are written, and every field-list form is taken).
 *
 *  With opts.threads > 1 the objects are cut into chunks of about
 *  opts.chunk_size bytes (a bound: contents plus 11 bytes a field and 42 a
 *  record), which the calling thread and threads - 1 helper threads
 *  (started by the first such call, stopped by hdump_writer_free) encode at
 *  the same time into the writer's own chunk buffers; the calling thread
 *  gives the chunks to the sink in order, in writes of exactly buffer_size
 *  bytes (the rest stays buffered, as always). Contents of 1 KiB or more
 *  that do not fit their chunk's room are not copied into it: they are
 *  given from objs' memory, those of buffer_size bytes or more in one write
 *  of their own after the buffered bytes, as hdump_writer_put_object writes
 *  them. Objects a chunk cannot hold otherwise (a long field list, go1.3's
 *  long contents) are written in their turn by the calling thread, as
 *  hdump_writer_put_object writes them. A call whose objects fit one chunk
 *  is encoded by the calling thread alone.
 *  objs and everything it points to are read until the call returns, by
 *  several threads, and must not change meanwhile. On the first error (a bad
 *  object, or the sink) nothing after it is written and the error is the one
 *  the record-by-record calls give; for a sink failure, the offset is where
 *  that failing sink write started. When the helper threads or the chunk
 *  buffers cannot be had, the calling thread encodes alone: the output is
 *  the same. Within a call a waiting thread spins briefly, then yields,
 *  then sleeps 50 us at a time; between calls the helpers sleep.
 *  @return HDUMP_OK; HDUMP_ERR_USAGE (objs NULL with n > 0, or any error
 *  hdump_writer_put gives for one of the objects); sink errors. */
HDUMP_API hdump_status hdump_writer_put_objects(hdump_writer *w, const hdump_object *objs,
                                                size_t n);
/** The objects of n spans, spans[0..n) in order and each span's slots in
 *  address order, free slots skipped: the same bytes, records and errors as
 *  one hdump_writer_put_object call per object, with its slot's contents
 *  and its piece of the pointer map as a one-bit map (go1.3: no fields, as
 *  hdump_writer_put_object writes them). The runtime's own form of the heap:
 *  a runtime gives its spans as they are, with no per-object array to build,
 *  and nothing per object is read but its contents and its bits.
 *
 *  With opts.threads > 1 (go1.4+; go1.3's records, without fields, are
 *  written by the calling thread), as hdump_writer_put_objects: the slots are cut
 *  into chunks of about opts.chunk_size bytes (a span may be cut between
 *  its slots), encoded by the calling thread and the helpers, and given to
 *  the sink in order by the calling thread; contents of 1 KiB or more that
 *  do not fit a chunk's room are given from the span's memory; objects a
 *  chunk cannot hold are written by the calling thread in their turn.
 *  spans and everything they point to are read until the call returns, by
 *  several threads, and must not change meanwhile.
 *
 *  A span is checked before its first object is written: mem NULL while
 *  nelem * elem_size > 0, a size that overflows size_t, or a last address
 *  past 2^64 - 1 is HDUMP_ERR_USAGE, with the objects of the spans before
 *  it written.
 *  @return HDUMP_OK; HDUMP_ERR_USAGE (spans NULL with n > 0, a bad span, a
 *  call after finish); sink errors. */
HDUMP_API hdump_status hdump_writer_put_spans(hdump_writer *w, const hdump_span *spans, size_t n);
HDUMP_API hdump_status hdump_writer_put_otherroot(hdump_writer *w, const hdump_otherroot *r);
/** tag 3, through the type cache: if `addr` is cached in bucket
 *  (hash & (buckets-1)) it is not written again (returns HDUMP_OK); otherwise
 *  it becomes most recent in its bucket, evicting the least recent, and the
 *  record is written. Pass the runtime's type hash; any value works. A type
 *  address of 0 (the runtime's nil type) writes nothing. */
HDUMP_API hdump_status hdump_writer_put_type(hdump_writer *w, const hdump_type *t,
                                             uint32_t hash);
HDUMP_API hdump_status hdump_writer_put_goroutine(hdump_writer *w, const hdump_goroutine *g);
HDUMP_API hdump_status hdump_writer_put_stackframe(hdump_writer *w, const hdump_stackframe *f);
HDUMP_API hdump_status hdump_writer_put_params(hdump_writer *w, const hdump_params *p);
HDUMP_API hdump_status hdump_writer_put_finalizer(hdump_writer *w, const hdump_finalizer *f);
/** tag 8, as the runtime's itab dump does: the concrete type `t` goes through
 *  the type cache first (t may be NULL to write the itab alone), then the itab. */
HDUMP_API hdump_status hdump_writer_put_itab(hdump_writer *w, const hdump_itab *i,
                                             const hdump_type *t, uint32_t hash);
HDUMP_API hdump_status hdump_writer_put_osthread(hdump_writer *w, const hdump_osthread *t);
HDUMP_API hdump_status hdump_writer_put_memstats(hdump_writer *w, const hdump_memstats *m);
HDUMP_API hdump_status hdump_writer_put_queuedfinalizer(hdump_writer *w,
                                                        const hdump_finalizer *f);
HDUMP_API hdump_status hdump_writer_put_data(hdump_writer *w, const hdump_segment *s);
HDUMP_API hdump_status hdump_writer_put_bss(hdump_writer *w, const hdump_segment *s);
HDUMP_API hdump_status hdump_writer_put_defer(hdump_writer *w, const hdump_defer *d);
HDUMP_API hdump_status hdump_writer_put_panic(hdump_writer *w, const hdump_panic *p);
HDUMP_API hdump_status hdump_writer_put_memprof(hdump_writer *w, const hdump_memprof *m);
HDUMP_API hdump_status hdump_writer_put_allocsample(hdump_writer *w,
                                                    const hdump_allocsample *a);

/** tag 0: writes the EOF record and flushes everything to the sink. After it
 *  every put fails with HDUMP_ERR_USAGE; calling finish again returns the
 *  first result. */
HDUMP_API hdump_status hdump_writer_finish(hdump_writer *w);

/** Flushes buffered bytes to the sink without ending the dump. */
HDUMP_API hdump_status hdump_writer_flush(hdump_writer *w);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_WRITER_H */
