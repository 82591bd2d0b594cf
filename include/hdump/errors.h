/* hdump/errors.h: the one status type and the positional error record.
 *
 * Every hdump call that can fail returns an hdump_status. Values are ABI:
 * they are pinned, append-only, and never renumbered or reused.
 * Errors are negative, so the check is `if (st < 0)`. */
#ifndef HDUMP_ERRORS_H
#define HDUMP_ERRORS_H

#include <stdint.h>

#include "hdump/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hdump_status {
    HDUMP_OK = 0,
    HDUMP_END = 2,               /* reader: the EOF record has been consumed          */
    HDUMP_ERR_TRUNCATED = -1,    /* input ended inside a value or before EOF          */
    HDUMP_ERR_VARINT = -2,       /* uvarint > 10 bytes, or 10th byte > 1              */
    HDUMP_ERR_TAG = -3,          /* unknown record tag                                */
    HDUMP_ERR_FIELD_KIND = -4,   /* unknown field kind in a field list                */
    HDUMP_ERR_LIMIT = -5,        /* an hdump_limits bound was exceeded                */
    HDUMP_ERR_HEADER = -6,       /* the 16-byte header is not a known version         */
    HDUMP_ERR_TRAILING = -7,     /* bytes follow the EOF record                       */
    HDUMP_ERR_IO = -8,           /* a sink or source reported failure                 */
    HDUMP_ERR_NOMEM = -9,        /* an allocation failed                              */
    HDUMP_ERR_USAGE = -10,       /* bad argument, or a call in the wrong state        */
    HDUMP_ERR_NOSPACE = -11,     /* fixed caller buffer sink is full                  */
    HDUMP_ERR_UNSUPPORTED = -12, /* requested feature/kernel not available here       */
    HDUMP_ERR_NONCANONICAL = -13 /* strict mode: an over-long (non-minimal) uvarint   */
} hdump_status;

/** Positional error, yyjson style. Filled on the first error of a handle and
 *  kept (sticky) until the handle is freed.
 *  - offset: byte offset in the whole stream (header included). For a
 *    truncation it is the input's size (the first byte that is missing); for
 *    every other error it is the first byte of the offending item.
 *  - record_index: 0-based index of the record being decoded or written
 *    (the header is not a record).
 *  - tag: the tag of that record if it was read, else UINT64_MAX.
 *  - msg: a static string; never freed; NULL only when code == HDUMP_OK. */
typedef struct hdump_error {
    hdump_status code;
    uint64_t offset;
    uint64_t record_index;
    uint64_t tag;
    const char *msg;
} hdump_error;

/** A static, human-readable name for any status value (total: unknown values
 *  give "unknown status"). Thread-safe. */
HDUMP_API const char *hdump_status_str(hdump_status st);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_ERRORS_H */
