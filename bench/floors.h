/* bench/floors.h: the decode and encode floors, the bounds the reader and
 * writer numbers are read against.
 *
 * A floor does a dump's object records' part of the work and nothing else:
 * the decode floor turns their bytes into every value a reader hands out
 * (address, contents length, each field's kind and offset into an array);
 * the encode floor turns decoded items (bench_store.h) back into their
 * bytes through a 4 KiB buffer (objects of 4 KiB or more with their
 * contents counted as written directly, as the writer does). Neither
 * checks anything, makes a call per record or keeps any state a real
 * reader or writer must keep (record structs, errors, limits, the dwrite
 * flush policy), and each borrows every trick of the code it bounds (the
 * reader's remembered address length; the writer's inline copy of short
 * contents and its field-pair stores, whose code the encode floor shares
 * through writer/store_inline.h). They
 * are the fastest loops for those records measured here (docs/BENCHMARKS.md
 * lists what else was tried): a reader or writer above its floor would need
 * a faster way to decode or encode them than any of those. Both are checked
 * against the dump before they are timed.
 *
 * Used by hdump_read_timer, hdump_rewrite_timer and the bench shim
 * (decode-floor/<dataset>, encode-floor/<dataset>). */
#ifndef HDUMP_BENCH_FLOORS_H
#define HDUMP_BENCH_FLOORS_H

#include <stddef.h>
#include <stdint.h>

#include "bench_store.h"
#include "hdump/hdump.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Decode floor ---- */

/** Where a dump's object records lie, and what decoding them must give. */
typedef struct bs_objruns {
    size_t *lo, *hi;            /* [lo[i], hi[i]): a run of consecutive objects       */
    size_t n;
    size_t bytes;               /* their bytes in all                                 */
    size_t max_fields;          /* the longest field list                             */
    uint64_t sum;               /* the reader's values, summed as the floor sums them */
    unsigned long long records; /* object records                                     */
    uint8_t *padded;            /* the dump with 16 spare zero bytes (8-byte loads)   */
    hdump_field *fields;        /* room for the longest field list                    */
} bs_objruns;

/** Finds the runs with hdump's reader; 0, -1 (the dump does not parse to
 *  its end, or no memory) or -2 (a go1.3 dump: its objects carry a type and
 *  a kind, and the floor decodes go1.4+ objects only). */
int bs_objruns_find(bs_objruns *r, const uint8_t *data, size_t len);
void bs_objruns_free(bs_objruns *r);

/** Decodes every run. Returns the values' sum, to compare with r->sum, and
 *  sets *records, to compare with r->records. */
uint64_t bs_decode_floor(const bs_objruns *r, unsigned long long *records);

/* ---- Encode floor ---- */

#define BS_FLOOR_BUF 4096

/** Encodes every object item of s through buf (BS_FLOOR_BUF + 64 bytes);
 *  with out (room for the dump's size), also appends the bytes made there.
 *  Returns how many bytes it made. */
size_t bs_encode_floor(const bs_store *s, uint8_t *buf, uint8_t *out);

/** The same over items [i0, i1) only: what one thread of a two-thread
 *  floor does (each thread with its own buf). */
size_t bs_encode_floor_range(const bs_store *s, size_t i0, size_t i1, uint8_t *buf, uint8_t *out);

/** The item index that cuts s's object records into two halves of about
 *  equal work (contents, plus 4 bytes a field and 8 a record). */
size_t bs_encode_floor_split(const bs_store *s);

/** Checks bs_encode_floor against the object records of data: 0 when it
 *  makes exactly their bytes, in order; *object_bytes gets their size. */
int bs_encode_floor_check(const bs_store *s, const uint8_t *data, size_t len,
                          size_t *object_bytes);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_BENCH_FLOORS_H */
