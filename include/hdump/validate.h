/* hdump/validate.h: the validator. Structure (everything the reader checks)
 * and meaning (field offsets, object layout, pointers, goroutine/frame/defer/
 * panic links, itabs, memstats, Go >= 1.22 heap-layout findings).
 * docs/format.md §5.6 lists every check and the evidence behind it.
 *
 * The validator reads its input twice (memory or an mmap'd file): the first
 * pass indexes objects, segments and stacks, the second resolves pointers.
 * Its memory is the index: 16 bytes per object (bounded by max_objects) plus
 * small per-goroutine, per-type, per-itab and per-frame tables (16 bytes per
 * frame, 8 per goroutine/type/itab), the reader's arrays, and the findings.
 *
 * Findings are errors (the dump is invalid), warnings (worth knowing, the
 * dump is still valid) or info (facts). A dump cut at a record boundary and
 * ended with EOF (a salvaged prefix) is valid: checks that need a record it
 * lacks (params, memstats) are skipped and reported as missing-* warnings.
 * After a structure error only the findings of the records before it are
 * reported (the pointer checks need the whole dump and are skipped).
 * Thread-safety: none needed; no global state. Nothing is printed.
 *
 * @code
 *   hdump_validation v;
 *   hdump_status st = hdump_validate_path(NULL, "heap.dump", &v);
 *   if (st < 0) return 2;                         // could not read the file
 *   printf("%s\n", v.valid ? "valid" : "invalid");
 *   for (size_t i = 0; i < v.nfindings; i++) puts(v.findings[i].name);
 *   hdump_validation_free(&v);
 * @endcode */
#ifndef HDUMP_VALIDATE_H
#define HDUMP_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "hdump/errors.h"
#include "hdump/export.h"
#include "hdump/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hdump_severity {
    HDUMP_SEV_INFO = 0,    /* a fact about the dump (e.g. malloc headers seen)   */
    HDUMP_SEV_WARNING = 1, /* suspicious or lossy, the dump is still valid        */
    HDUMP_SEV_ERROR = 2    /* the dump is invalid                                */
} hdump_severity;

/** Finding kinds. Values are pinned, append-only. A kind may appear under
 *  more than one name (MISSING: "missing-params", "missing-memstats";
 *  DUPLICATE: "duplicate-params", "duplicate-memstats"): one finding per
 *  name. Severity and name per kind are listed in docs/format.md §5.6.
 *  Example values: the offending address (objects, pointers, frame sp for
 *  orphans, goroutine of defers/panics, itab type), the field offset (field
 *  kinds), the depth or child sp (frames), the bool's value, the tag
 *  (duplicates), the ptr size or heap start (bad-params), the reader error's
 *  tag (structure); memstats-mismatch has two: the object count and the
 *  object bytes (phantoms removed). missing-* have no example. */
typedef enum hdump_finding_kind {
    HDUMP_FIND_STRUCTURE = 1,          /* the reader failed (error; see .error)      */
    HDUMP_FIND_FIELD_OUTSIDE = 2,      /* a field's word lies outside the contents   */
    HDUMP_FIND_FIELD_ORDER = 3,        /* field offsets not strictly ascending       */
    HDUMP_FIND_FIELD_ALIGN = 4,        /* field offset not a multiple of ptr size    */
    HDUMP_FIND_OBJECT_OVERLAP = 5,     /* two objects overlap                        */
    HDUMP_FIND_OBJECT_OUTSIDE_HEAP = 6,/* object outside params' heap range          */
    HDUMP_FIND_DANGLING = 7,           /* pointer into the heap range to no object,
                                          segment or stack (anywhere if the range
                                          is unknown)                                */
    HDUMP_FIND_FRAME_ORPHAN = 8,       /* frame not preceded by its goroutine        */
    HDUMP_FIND_FRAME_DEPTH = 9,        /* frame depths not 0, 1, 2, ...              */
    HDUMP_FIND_FRAME_CHILD_SP = 10,    /* child sp not the previous frame's sp       */
    HDUMP_FIND_DEFER_GOROUTINE = 11,   /* defer names an unknown goroutine           */
    HDUMP_FIND_PANIC_GOROUTINE = 12,   /* panic names an unknown goroutine           */
    HDUMP_FIND_ITAB_TYPE = 13,         /* itab names a type never emitted            */
    HDUMP_FIND_MEMSTATS = 14,          /* memstats disagree with the objects         */
    HDUMP_FIND_PHANTOM = 15,           /* Go >= 1.22 heap-bitmap tails dumped as objects */
    HDUMP_FIND_MALLOC_HEADER = 16,     /* Go >= 1.22 8-byte malloc headers           */
    HDUMP_FIND_MISSING = 17,           /* params or memstats record absent           */
    HDUMP_FIND_DUPLICATE = 18,         /* a record that must be unique is repeated   */
    HDUMP_FIND_BAD_BOOL = 19,          /* a bool field other than 0 or 1             */
    HDUMP_FIND_BAD_PARAMS = 20,        /* ptr size not 4/8, or heap start > end      */
    HDUMP_FIND_GOEXIT_ARGS = 21,       /* runtime.goexit frame fields past its
                                          contents (a runtime quirk: warning)        */
    HDUMP_FIND_POINTER_OFFHEAP = 22    /* pointer outside the heap range to nothing
                                          dumped (rodata, text, runtime memory;
                                          normal in Go dumps: info)                  */
} hdump_finding_kind;

#define HDUMP_FINDING_EXAMPLES 5

/** One finding, aggregated: how often, and where the first few were (in
 *  stream order). */
typedef struct hdump_finding {
    hdump_finding_kind kind;
    hdump_severity severity;
    const char *name;     /* static, stable, lower-case with dashes, e.g.
                             "dangling-pointer", "phantom-objects"           */
    const char *msg;      /* static one-line explanation                     */
    uint64_t count;
    size_t nexamples;     /* <= HDUMP_FINDING_EXAMPLES                        */
    struct {
        uint64_t offset;  /* stream offset of the record                     */
        uint64_t record_index;
        uint64_t value;   /* the offending value (address, offset, ...)      */
    } examples[HDUMP_FINDING_EXAMPLES];
} hdump_finding;

/** Validator options. Initialise with hdump_validate_opts_init. */
typedef struct hdump_validate_opts {
    hdump_reader_opts reader;   /* limits, strict mode, allocator             */
    uint64_t max_objects;       /* index size bound; default 2^28 (0 = default);
                                   more objects is HDUMP_ERR_LIMIT             */
} hdump_validate_opts;

HDUMP_API void hdump_validate_opts_init(hdump_validate_opts *o);

/** The result. Free with hdump_validation_free. */
typedef struct hdump_validation {
    int valid;                  /* 1: no error findings                        */
    hdump_version version;      /* 0 if the header was unreadable              */
    uint64_t bytes;             /* input size                                   */
    uint64_t records;           /* records read (EOF included when reached)    */
    uint64_t objects;           /* object records                              */
    uint64_t object_bytes;      /* sum of object contents lengths              */
    hdump_error error;          /* the reader's error if structure failed
                                   (code HDUMP_OK otherwise)                    */
    size_t nfindings;
    hdump_finding *findings;    /* ordered by kind                             */
    hdump_alloc alloc;          /* internal: frees findings                    */
} hdump_validation;

/** Validates a dump in memory. Returns HDUMP_OK when the validation ran (the
 *  verdict is in out->valid, structure errors included), or HDUMP_ERR_NOMEM,
 *  HDUMP_ERR_LIMIT (more than max_objects), HDUMP_ERR_USAGE, or
 *  HDUMP_ERR_UNSUPPORTED (o->reader.kernel unknown). On an error
 *  *out holds no findings (hdump_validation_free is still safe). Memory comes
 *  from o->reader.alloc. */
HDUMP_API hdump_status hdump_validate_mem(const hdump_validate_opts *o, const void *data,
                                          size_t size, hdump_validation *out);

/** The same over an mmap'd file; HDUMP_ERR_IO if it cannot be mapped. */
HDUMP_API hdump_status hdump_validate_path(const hdump_validate_opts *o, const char *path,
                                           hdump_validation *out);

HDUMP_API void hdump_validation_free(hdump_validation *v);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_VALIDATE_H */
