/* hdump/gen.h: the synthetic heap generator.
 *
 * Produces, deterministically from a seed, the records of a realistic Go heap
 * dump in the runtime's order: params, types and itabs (through a type cache
 * of the runtime's geometry), objects in Go's size classes laid out span by
 * span in 64 MiB arenas from 0xc000000000 (pointer fields pointing at other
 * objects, interior words, data and bss), goroutines with stacks of frames,
 * defers and panics, OS threads, data and bss, finalizers, memstats that
 * agree with the objects, memprof buckets and alloc samples, EOF.
 *
 * Streaming: records are produced on the fly; memory does not grow with the
 * object count (a few MiB of scratch and a bounded reservoir of pointer
 * targets). Two generators with the same options produce the same records,
 * which is how a round trip compares what it reads with what it wrote.
 *
 * @code
 *   hdump_gen_opts go;
 *   hdump_gen_opts_init(&go);
 *   go.objects = 1000000;
 *   hdump_gen *g;
 *   hdump_writer *w;
 *   hdump_gen_new(&go, &g);
 *   hdump_writer_new(NULL, hdump_sink_fd(1), &w);
 *   hdump_status st = hdump_gen_write(g, w);   // every record, then finish
 *   hdump_writer_free(w);
 *   hdump_gen_free(g);
 * @endcode */
#ifndef HDUMP_GEN_H
#define HDUMP_GEN_H

#include <stdint.h>

#include "hdump/alloc.h"
#include "hdump/errors.h"
#include "hdump/export.h"
#include "hdump/record.h"
#include "hdump/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Heap shapes. */
typedef enum hdump_gen_profile {
    HDUMP_GEN_MIXED = 0,      /* Go-like mix of size classes, 1% of spans large (up to
                                 1 MiB), half the objects pointerful                    */
    HDUMP_GEN_SMALL = 1,      /* classes 8..256 B only                                  */
    HDUMP_GEN_LARGE = 2,      /* classes 1-4 KiB, 3% of spans large (32-128 KiB)        */
    HDUMP_GEN_POINTERS = 3,   /* every object pointerful, pointer-dense                 */
    HDUMP_GEN_GOROUTINES = 4, /* many goroutines with deep stacks, defers and panics    */
    HDUMP_GEN_GOBENCH = 5     /* the heap of bench/go/heapbench as Go 1.19 dumps it:
                                 64 B nodes with 3 pointers, byte payloads of 16-128 B,
                                 pointer slices of 4-32 words; ~84 dump bytes an
                                 object, Go's own dump of it 88 (docs/generator.md)   */
} hdump_gen_profile;

typedef struct hdump_gen_opts {
    uint64_t objects;          /* heap objects; default 1000                            */
    uint64_t seed;             /* default 1                                             */
    hdump_gen_profile profile; /* default HDUMP_GEN_MIXED                               */
    hdump_version version;     /* default HDUMP_GO1_7                                   */
    const hdump_alloc *alloc;  /* NULL = libc                                           */
} hdump_gen_opts;

typedef struct hdump_gen hdump_gen;

HDUMP_API void hdump_gen_opts_init(hdump_gen_opts *o);

/** @return HDUMP_OK, HDUMP_ERR_USAGE (bad version or profile), HDUMP_ERR_LIMIT
 *  (so many objects that the heap would pass address 2^44, 16 TiB: billions
 *  of objects), HDUMP_ERR_NOMEM. */
HDUMP_API hdump_status hdump_gen_new(const hdump_gen_opts *o, hdump_gen **out);
HDUMP_API void hdump_gen_free(hdump_gen *g);

/** The next record: HDUMP_OK, or HDUMP_END with the EOF record (and again on
 *  every later call). Views are valid until the next call on g. */
HDUMP_API hdump_status hdump_gen_next(hdump_gen *g, hdump_record *rec);

/** The generator's stable bytes: a view of a record that lies inside this
 *  range (the noise table that pointer-free contents are windows on) stays
 *  valid and unchanged until hdump_gen_free, not only until the next call;
 *  so a consumer that keeps records (e.g. `hdump roundtrip --via queue`)
 *  need not copy it. {NULL, 0} for a NULL g. */
HDUMP_API hdump_bytes hdump_gen_stable(const hdump_gen *g);

/** Writes every remaining record to w (whose version must be the generator's)
 *  and finishes it. Returns the first error. */
HDUMP_API hdump_status hdump_gen_write(hdump_gen *g, hdump_writer *w);

/** Totals so far: records produced, heap objects, their bytes. */
HDUMP_API void hdump_gen_counts(const hdump_gen *g, uint64_t *records, uint64_t *objects,
                                uint64_t *object_bytes);

/** "mixed", "small", ...; NULL for an unknown value. */
HDUMP_API const char *hdump_gen_profile_name(hdump_gen_profile p);
/** Parses a profile name; HDUMP_ERR_USAGE if unknown. */
HDUMP_API hdump_status hdump_gen_profile_parse(const char *name, hdump_gen_profile *out);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_GEN_H */
