/* reader/reader_internal.h: the reader state, shared by the reader sources.
 *
 * One core serves every source. The window [p, end) is what is readable now:
 * for memory and mmap sources it is the whole rest of the input (never
 * refilled); for streaming sources it is a part of `buf`, refilled by
 * hdi_rd_ensure. While a record is decoded, the views it has handed out lie
 * in [keep_lo, keep_hi); a refill may move that region (and fix the views up)
 * but never drops it. */
#ifndef HDUMP_READER_INTERNAL_H
#define HDUMP_READER_INTERNAL_H

#include "../common/internal.h"
#include "../common/kernels.h"
#include "hdump/reader.h"

#define HDI_RD_MAXVIEWS 4

/* One hdump_reader_next step: the object fast path (reader.c). */
typedef hdump_status (*hdi_rd_next_fn)(hdump_reader *r, hdump_record *rec);

struct hdump_reader {
    hdump_alloc a;
    hdump_limits lim;
    int strict;
    uint64_t inline_max;
    int (*on_range)(void *ctx, const hdump_range_chunk *chunk);
    void *on_range_ctx;
    const hdi_varint_kernel *kern;
    int pext; /* the object fast path may gather varints with pext (reader.c) */

    /* Window. offset(x) = off_adj + (x - base). */
    const uint8_t *base;
    const uint8_t *p, *end;
    uint64_t off_adj;

    /* Streaming. */
    int streaming;
    uint8_t *buf;
    size_t cap;
    hdump_source src;
    int src_eof;
    uint64_t size; /* total input size, UINT64_MAX if unknown */
    const uint8_t *keep_lo, *keep_hi;
    hdump_bytes *views[HDI_RD_MAXVIEWS];
    int nviews;
    size_t nframes_cur; /* memprof frames decoded so far in this record */

    /* mmap */
    const uint8_t *map;
    size_t map_len;

    /* Arrays a record's lists are decoded into; at most lim.max_fields. */
    hdump_field *fields;
    size_t fields_cap;
    hdump_memprof_frame *frames;
    size_t frames_cap;

    int version;
    int state; /* 0 before the header, 1 in records, 2 after EOF */
    /* The fast path's gate (reader.c hdump_reader_next): lim.max_records
     * while state is 1, the version is go1.4+ and no error is set; else 0.
     * fast is the instance chosen with the header. */
    uint64_t hot_lim;
    hdi_rd_next_fn fast;
    unsigned addr_len; /* the fast path's last object-address varint length */
    /* Bytes of the byte ranges the checked path has stepped over in the
     * window (reader/scan.c's guesses measure their work without them). */
    uint64_t skipped;
    uint64_t nrec;
    uint64_t cur_tag; /* tag of the record being decoded, UINT64_MAX if none */
    hdump_record eof_rec;
    hdump_error err;
    /* Batches (hdump_reader_next_batch), kept after the hot fields so that
     * those keep their places. */
    /* hdi_rd_batch lends the fast path the pool (reader.c rd_lend_pool):
     * while fields_lent, fields/fields_cap are the pool's free rest and the
     * reader's array waits in fields_own/fields_own_cap. The checked path
     * takes its array back before anything else (rd_next_checked), so it
     * never grows or fills the pool; nothing stays lent between calls. */
    int fields_lent;
    hdump_field *fields_own;
    size_t fields_own_cap;
    /* While lent, the fast path reads a run of objects (reader/object_fast.h
     * RDF_RUN): into rec[0..run_max) while they start before run_stop;
     * run_count tells how many it read (0: none, and nothing changed). */
    const uint8_t *run_stop;
    size_t run_max, run_count;
    /* The pool lent in batches (HDI_RD_POOL entries), allocated by the
     * first batch of a memory reader. */
    hdump_field *pool;
};

/* Stream offset of a window pointer. */
static inline uint64_t hdi_rd_off(const hdump_reader *r, const uint8_t *x) {
    return r->off_adj + (uint64_t)(x - r->base);
}

/* Field-list entries a batch's records share (8 KiB): a batch ends when
 * fewer than HDI_RD_POOL_LOW are free. */
#define HDI_RD_POOL 512u
#define HDI_RD_POOL_LOW 64u

/* hdump_reader_next_batch (reader.c), whose records after the first must
 * start before `stop` (a window pointer; r->end for none): reader/scan.c's
 * on_batch reads through it, and its parts end there. */
HDI_HIDDEN hdump_status hdi_rd_batch(hdump_reader *r, hdump_record *recs, size_t max,
                                     const uint8_t *stop, size_t *n);

/* Records the first error (sticky) and returns its code. */
HDI_HIDDEN hdump_status hdi_rd_fail(hdump_reader *r, hdump_status st, uint64_t offset,
                                    const char *msg);

/* Makes at least n bytes readable at p when the input has them. Returns
 * HDUMP_OK even when it cannot (the caller compares end - p with n and
 * reports truncation); errors are I/O, out of memory, or the
 * max_record_bytes limit. The views in [keep_lo, keep_hi) may move with
 * their bytes; they are fixed up. */
HDI_HIDDEN hdump_status hdi_rd_ensure(hdump_reader *r, size_t n);
/* reader.c: whether a reader with kernel k may use the pext fast path. */
HDI_HIDDEN int hdi_rd_pick_pext(const hdi_varint_kernel *k);

/* reader.c, for reader/scan.c: puts r, a memory reader, in the records
 * state at stream offset `at` (a record's first byte, read as such), as if
 * it had read the header of `version` and nrec records, with max_records as
 * its record limit and no error. The window's end stays where it was. */
HDI_HIDDEN void hdi_rd_restart(hdump_reader *r, uint64_t at, int version, uint64_t nrec,
                               uint64_t max_records);

/* Creates a reader with resolved options (common to every source). */
HDI_HIDDEN hdump_status hdi_rd_create(const hdump_reader_opts *o, hdump_reader **out);

#endif
