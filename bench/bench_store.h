/* bench/bench_store.h: a dump decoded once into memory, to time the writer alone.
 *
 * bs_decode reads a whole in-memory dump with a memory reader and keeps every
 * record: objects as compact items whose contents point into the dump, other
 * records as hdump_record copies; field lists and memprof stacks are copied
 * into pools (the reader's arrays only live until its next call). bs_replay
 * then puts every record through a writer and finishes it, so a timed replay
 * costs the writer's work and nothing else.
 *
 * Shared by the Google Benchmark shim (bench_*.cc) and bench/rewrite_timer.c. */
#ifndef HDUMP_BENCH_STORE_H
#define HDUMP_BENCH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "hdump/hdump.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { BS_OBJECT = 0, BS_RECORD = 1, BS_TYPE = 2, BS_ITAB = 3 };

typedef struct bs_item {
    uint32_t kind;      /* BS_*                                                   */
    uint32_t idx;       /* BS_RECORD/TYPE/ITAB: index into recs; BS_OBJECT: after
                           bs_objects_build, the objects from here to the run's end */
    uint32_t aux;       /* BS_ITAB: index of its type record (UINT32_MAX: none);
                           BS_TYPE: 1 when the next item is the itab that names it */
    uint32_t nf;        /* BS_OBJECT: field count                                 */
    uint64_t addr;      /* BS_OBJECT: address                                     */
    const uint8_t *ptr; /* BS_OBJECT: contents (inside the dump)                  */
    uint64_t len;
    size_t f0;          /* BS_OBJECT: first field in the pool                     */
} bs_item;

typedef struct bs_store {
    hdump_version version;
    bs_item *items;
    size_t nitems, capitems;
    hdump_record *recs; /* every record that is not an object                    */
    size_t nrecs, caprecs;
    hdump_field *fields;
    size_t nfields, capfields;
    hdump_memprof_frame *frames;
    size_t nframes, capframes;
    uint64_t objects;     /* object records                                        */
    uint64_t records;     /* records, EOF included                                 */
    uint64_t input_bytes; /* the dump's size                                       */
} bs_store;

/** Reads a whole file into malloc'd memory. Returns 0, or -1 (errno set). */
int bs_load_file(const char *path, uint8_t **data, size_t *len);

/** Decodes data[0..len) (which must outlive the store). */
hdump_status bs_decode(bs_store *s, const uint8_t *data, size_t len);
void bs_free(bs_store *s);

/** Puts every record through w and finishes it.
 *  via_cache = 0: every record verbatim (hdump_writer_put): the output is the
 *  input, byte for byte. via_cache = 1: as the runtime writes: each itab's type
 *  goes through the writer's type cache (hdump_writer_put_itab) with a hash of
 *  its address, so the type-cache statistics mean something. */
hdump_status bs_replay(const bs_store *s, hdump_writer *w, int via_cache);

/** The objects' field lists as one-bit maps (HDUMP_FIELDS_BITMAP1, the form
 *  a runtime's pointer bitvector has), for every object whose list is
 *  exactly such a map's walk: Ptr kinds only, at ascending multiples of 8.
 *  at[i] is item i's map in bits (SIZE_MAX: it keeps its list), nwords[i]
 *  its words. */
typedef struct bs_maps {
    size_t *at;
    uint64_t *nwords;
    uint8_t *bits;
    size_t len;
    uint64_t objects; /* objects given a map */
} bs_maps;

/** Builds the maps of s (64-bit words). Returns 0, or -1 (no memory). */
int bs_maps_build(const bs_store *s, bs_maps *m);
void bs_maps_free(bs_maps *m);

/** As bs_replay, with every object that has a map in m put with the map
 *  instead of its list: the same bytes. */
hdump_status bs_replay_maps(const bs_store *s, const bs_maps *m, hdump_writer *w, int via_cache);

/** The store's object items as hdump_object records, in item order (go1.4+
 *  dumps: go1.3 objects are kept as plain records), for
 *  hdump_writer_put_objects. *out is malloc'd; NULL when there are none.
 *  Also stores in each object item's idx the length of the run of objects
 *  it starts, for bs_replay_objects. m NULL: every object with its list;
 *  else each object m gives a map puts that map (the same bytes).
 *  Returns 0, or -1 (no memory). */
int bs_objects_build(bs_store *s, const bs_maps *m, hdump_object **out);

/** As bs_replay, each run of consecutive objects put with one
 *  hdump_writer_put_objects call over objs (from bs_objects_build): the same
 *  bytes. */
hdump_status bs_replay_objects(const bs_store *s, const hdump_object *objs, hdump_writer *w,
                               int via_cache);

/** The store's objects as spans (hdump_span, the form a runtime's heap has):
 *  each stretch of a run of objects of one size at addresses a whole number
 *  of slots apart (at most 64 free slots between) becomes one span, whose
 *  memory (the objects' contents in their slots), allocation bits and
 *  pointer map are made here (no map for a span without pointers, as a
 *  runtime's noscan span has none). Runs are in item order: run r starts at item
 *  run_item[r], holds run_len[r] objects and spans [run_span[r],
 *  run_span[r + 1]). */
typedef struct bs_spans {
    hdump_span *spans;
    size_t nspans;
    size_t *run_item, *run_len, *run_span;
    size_t nruns;
    uint8_t *pool; /* every span's memory and bits */
    uint64_t objects;
} bs_spans;

/** Builds the spans of s (go1.4+, 64-bit words). Returns 0; -1 (no
 *  memory); -2 when some object has no span form (a list that is not a
 *  one-bit map's walk inside its contents, or no contents). */
int bs_spans_build(const bs_store *s, bs_spans *p);
void bs_spans_free(bs_spans *p);

/** As bs_replay, each run of objects put with one hdump_writer_put_spans
 *  call: the same bytes. */
hdump_status bs_replay_spans(const bs_store *s, const bs_spans *p, hdump_writer *w,
                             int via_cache);

/** Generates a synthetic dump (hdump_gen, go1.7) into a growable buffer. */
hdump_status bs_generate(hdump_gen_profile p, uint64_t objects, uint64_t seed,
                         hdump_membuf *out);

/** "AMD EPYC 7B13" etc. from /proc/cpuinfo, or "unknown". Static storage. */
const char *bs_cpu_model(void);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_BENCH_STORE_H */
