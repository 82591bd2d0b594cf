/* hdump/convert.h: reader-to-writer loops: rewrite (byte-identical for every
 * dump written by the Go runtime or by hdump) and salvage (keep every
 * complete record of a damaged dump, end it with EOF).
 *
 * @code
 *   hdump_copy_report rep;
 *   hdump_status st = hdump_copy(r, w, HDUMP_COPY_SALVAGE, &rep);
 *   // rep.complete == 0: the damage starts at rep.error.offset; the output
 *   // holds rep.records records, rep.good_bytes bytes of the input
 * @endcode */
#ifndef HDUMP_CONVERT_H
#define HDUMP_CONVERT_H

#include <stdint.h>

#include "hdump/errors.h"
#include "hdump/export.h"
#include "hdump/reader.h"
#include "hdump/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HDUMP_COPY_SALVAGE 1u /* on a reader error: finish the output and succeed */

typedef struct hdump_copy_report {
    int complete;          /* 1: the input's EOF record was reached            */
    uint64_t records;      /* records written, EOF included                    */
    uint64_t good_bytes;   /* input bytes up to the end of the last complete
                              record (header included)                         */
    uint64_t input_bytes;  /* input bytes the reader consumed or saw           */
    hdump_error error;     /* the reader's error when complete == 0            */
} hdump_copy_report;

/** Copies every record from r to w, then finishes w (EOF and flush). The
 *  writer should have the reader's version for a byte-identical copy; a
 *  different version converts (fields the target lacks are dropped, fields
 *  it adds are 0).
 *  A record whose byte range the reader streamed (ptr NULL) cannot be copied:
 *  give streaming readers an inline_max of at least the longest range.
 *  @param flags 0, or HDUMP_COPY_SALVAGE.
 *  @return HDUMP_OK; without SALVAGE, the reader's error; the writer's error;
 *  HDUMP_ERR_USAGE for a streamed range. */
HDUMP_API hdump_status hdump_copy(hdump_reader *r, hdump_writer *w, unsigned flags,
                                  hdump_copy_report *rep);

/** Called by hdump_copy_progress after every record copied, with the records
 *  and input bytes so far. Return 0 to go on; non-zero stops the copy with
 *  HDUMP_ERR_USAGE (the output is then unfinished). */
typedef int (*hdump_copy_progress_fn)(void *ctx, uint64_t records, uint64_t bytes);

/** hdump_copy with a progress callback (NULL: none). */
HDUMP_API hdump_status hdump_copy_progress(hdump_reader *r, hdump_writer *w, unsigned flags,
                                           hdump_copy_report *rep, hdump_copy_progress_fn fn,
                                           void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_CONVERT_H */
