/* hdump/record.h: the record model shared by the writer and the reader.
 *
 * A record is a tag plus that tag's fields (docs/format.md §4). Byte ranges
 * are (pointer, length) views; field lists are arrays of (kind, offset).
 * The reader fills records whose views borrow its input or buffer; the
 * writer takes records whose views borrow the caller's memory. */
#ifndef HDUMP_RECORD_H
#define HDUMP_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "hdump/errors.h"
#include "hdump/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Format versions, named after the 16-byte header that starts a dump.
 *  go1.7 is written by every Go release from 1.7 to current. */
typedef enum hdump_version {
    HDUMP_GO1_3 = 3, /* "go1.3 heap dump\n" */
    HDUMP_GO1_4 = 4, /* "go1.4 heap dump\n" */
    HDUMP_GO1_5 = 5, /* "go1.5 heap dump\n" */
    HDUMP_GO1_6 = 6, /* "go1.6 heap dump\n" */
    HDUMP_GO1_7 = 7  /* "go1.7 heap dump\n" */
} hdump_version;

#define HDUMP_HEADER_SIZE 16

/** Record tags (docs/format.md §3). Values are the on-disk tag numbers. */
typedef enum hdump_tag {
    HDUMP_TAG_EOF = 0,
    HDUMP_TAG_OBJECT = 1,
    HDUMP_TAG_OTHERROOT = 2,
    HDUMP_TAG_TYPE = 3,
    HDUMP_TAG_GOROUTINE = 4,
    HDUMP_TAG_STACKFRAME = 5,
    HDUMP_TAG_PARAMS = 6,
    HDUMP_TAG_FINALIZER = 7,
    HDUMP_TAG_ITAB = 8,
    HDUMP_TAG_OSTHREAD = 9,
    HDUMP_TAG_MEMSTATS = 10,
    HDUMP_TAG_QUEUEDFINALIZER = 11,
    HDUMP_TAG_DATA = 12,
    HDUMP_TAG_BSS = 13,
    HDUMP_TAG_DEFER = 14,
    HDUMP_TAG_PANIC = 15,
    HDUMP_TAG_MEMPROF = 16,
    HDUMP_TAG_ALLOCSAMPLE = 17
} hdump_tag;

#define HDUMP_TAG_COUNT 18

/** Field kinds as written on disk. The numbering depends on the version
 *  (docs/format.md §2.4): go1.3 has 1..5, go1.4 and later 1..3 (go1.5+
 *  writers only ever emit Ptr). Kind 0 ends a list and is never stored. */
#define HDUMP_FIELD_PTR 1u
#define HDUMP_FIELD_GO13_STRING 2u
#define HDUMP_FIELD_GO13_SLICE 3u
#define HDUMP_FIELD_GO13_IFACE 4u
#define HDUMP_FIELD_GO13_EFACE 5u
#define HDUMP_FIELD_GO14_IFACE 2u
#define HDUMP_FIELD_GO14_EFACE 3u

/** Number of uvarints in a memstats record (24 + 256 PauseNs + NumGC). */
#define HDUMP_MEMSTATS_COUNT 281

/** Indexes into hdump_memstats.v, in runtime.MemStats field order. */
enum hdump_memstats_index {
    HDUMP_MS_ALLOC = 0, HDUMP_MS_TOTAL_ALLOC, HDUMP_MS_SYS, HDUMP_MS_LOOKUPS, HDUMP_MS_MALLOCS,
    HDUMP_MS_FREES, HDUMP_MS_HEAP_ALLOC, HDUMP_MS_HEAP_SYS, HDUMP_MS_HEAP_IDLE,
    HDUMP_MS_HEAP_INUSE, HDUMP_MS_HEAP_RELEASED, HDUMP_MS_HEAP_OBJECTS, HDUMP_MS_STACK_INUSE,
    HDUMP_MS_STACK_SYS, HDUMP_MS_MSPAN_INUSE, HDUMP_MS_MSPAN_SYS, HDUMP_MS_MCACHE_INUSE,
    HDUMP_MS_MCACHE_SYS, HDUMP_MS_BUCKHASH_SYS, HDUMP_MS_GC_SYS, HDUMP_MS_OTHER_SYS,
    HDUMP_MS_NEXT_GC, HDUMP_MS_LAST_GC, HDUMP_MS_PAUSE_TOTAL_NS,
    HDUMP_MS_PAUSE_NS = 24, /* 256 entries */
    HDUMP_MS_NUM_GC = 280
};

/** A byte range. In a record returned by a streaming reader, a range longer
 *  than the reader's inline limit is delivered in chunks to the range
 *  handler instead; its view then has ptr == NULL and len == the full
 *  length (see hdump_reader_opts.on_range). */
typedef struct hdump_bytes {
    const uint8_t *ptr;
    uint64_t len;
} hdump_bytes;

/** One field-list entry: a kind (never 0) and a byte offset from the start
 *  of the region (object, frame sp, segment start). */
typedef struct hdump_field {
    uint64_t kind;
    uint64_t offset;
} hdump_field;

/** Ways a writer may be given a field list instead of an explicit array.
 *  Bitmaps are byte arrays, least significant bit first, like the runtime's
 *  bitvectors. */
typedef enum hdump_fields_form {
    HDUMP_FIELDS_LIST = 0,    /* items[0..count)                                  */
    HDUMP_FIELDS_BITMAP1 = 1, /* 1 bit per word: set = Ptr at word*ptrsize         */
    /* 2 bits per word, the go1.4 runtime's pointer maps: 0 dead, 1 scalar,
     * 2 pointer, 3 multi-word; after a multi-word code the next word's code
     * says 2 Iface or 3 Eface (two words). go1.4 dumps only. */
    HDUMP_FIELDS_BITMAP2_GO14 = 2,
    /* 2 bits per word, the go1.3 runtime's: as go1.4, but after a multi-word
     * code the next word's code says 0 String (2 words), 1 Slice (3 words),
     * 2 Iface or 3 Eface (2 words). go1.3 dumps only. */
    HDUMP_FIELDS_BITMAP2_GO13 = 3
} hdump_fields_form;

/** A field list. The reader always fills items/count (form LIST, bitmap
 *  NULL); the writer also accepts a bitmap of nwords words. */
typedef struct hdump_fields {
    const hdump_field *items;
    uint64_t count;
    const uint8_t *bitmap;
    uint64_t nwords;
    hdump_fields_form form;
} hdump_fields;

/* ---- Per-tag records (docs/format.md §4). Bools are kept as the uvarint
 * ---- that was read (0 or 1 from every Go writer) so rewriting is exact. */

typedef struct hdump_object {        /* tag 1 */
    uint64_t addr;
    uint64_t type_addr;              /* go1.3 only: type address, 0 = unknown    */
    uint64_t kind;                   /* go1.3 only: 0 regular, 1 array, 2 chan,  */
                                     /*             127 conservatively scanned   */
    hdump_bytes contents;
    hdump_fields fields;             /* go1.4+ only                              */
} hdump_object;

/** A span: objects as a runtime's heap holds them (the Go runtime's mspan),
 *  for hdump_writer_put_spans. nelem slots of elem_size bytes each, back to
 *  back from mem; slot i holds the object at address base + i * elem_size,
 *  whose contents are mem[i * elem_size, (i + 1) * elem_size) and whose
 *  fields are slot i's piece of the pointer map, as the runtime's dumpobjs
 *  writes every object of a span. Bitmaps are byte arrays, least
 *  significant bit first, like the runtime's. */
typedef struct hdump_span {
    uint64_t base;                   /* address of slot 0                        */
    const uint8_t *mem;              /* nelem * elem_size bytes; free slots' are
                                        not read                                 */
    uint64_t elem_size;
    uint64_t nelem;
    const uint8_t *alloc;            /* bit i set: slot i is an object; NULL: all
                                        slots are (the rest are skipped)         */
    const uint8_t *ptrs;             /* a one-bit map of every slot's words,
                                        words = elem_size / the writer's
                                        ptr_size bits a slot, slot i's at bits
                                        [i * words, (i + 1) * words): bit
                                        i * words + k set means a Ptr field at
                                        offset k * ptr_size; NULL: none          */
} hdump_span;

typedef struct hdump_otherroot {     /* tag 2 */
    hdump_bytes description;
    uint64_t ptr;
} hdump_otherroot;

typedef struct hdump_type {          /* tag 3 */
    uint64_t addr;
    uint64_t size;
    hdump_bytes name;
    uint64_t indirect;               /* bool: "data word is a pointer"           */
    hdump_fields fields;             /* go1.3 only                               */
} hdump_type;

typedef struct hdump_goroutine {     /* tag 4 */
    uint64_t addr;
    uint64_t sp;
    uint64_t goid;
    uint64_t gopc;
    uint64_t status;                 /* 1 runnable, 3 syscall, 4 waiting         */
    uint64_t is_system;              /* bool                                     */
    uint64_t is_background;          /* bool                                     */
    uint64_t wait_since;
    hdump_bytes wait_reason;
    uint64_t ctxt;
    uint64_t m;
    uint64_t top_defer;
    uint64_t top_panic;
} hdump_goroutine;

typedef struct hdump_stackframe {    /* tag 5 */
    uint64_t sp;
    uint64_t depth;
    uint64_t child_sp;
    hdump_bytes contents;
    uint64_t entry_pc;
    uint64_t pc;
    uint64_t cont_pc;
    hdump_bytes name;
    hdump_fields fields;
} hdump_stackframe;

typedef struct hdump_params {        /* tag 6 */
    uint64_t big_endian;             /* bool                                     */
    uint64_t ptr_size;
    uint64_t chan_header_size;       /* go1.3 only                               */
    uint64_t heap_start;
    uint64_t heap_end;
    uint64_t arch_char;              /* go1.3 .. go1.6: '6' = amd64 etc.          */
    hdump_bytes arch;                /* go1.7: GOARCH string                      */
    hdump_bytes experiment;          /* GOEXPERIMENT, or runtime.buildVersion     */
    uint64_t ncpu;
} hdump_params;

typedef struct hdump_finalizer {     /* tags 7 and 11 */
    uint64_t obj;
    uint64_t fn;                     /* FuncVal pointer                          */
    uint64_t fn_pc;                  /* fn entry pc                               */
    uint64_t fint;                   /* argument type                            */
    uint64_t ot;                     /* object pointer type                      */
} hdump_finalizer;

typedef struct hdump_itab {          /* tag 8 */
    uint64_t addr;
    uint64_t type_addr;              /* go1.4+                                   */
    uint64_t data_is_ptr;            /* go1.3 only (bool)                        */
} hdump_itab;

typedef struct hdump_osthread {      /* tag 9 */
    uint64_t addr;
    uint64_t id;
    uint64_t procid;
} hdump_osthread;

typedef struct hdump_memstats {      /* tag 10 */
    uint64_t v[HDUMP_MEMSTATS_COUNT];
} hdump_memstats;

typedef struct hdump_segment {       /* tags 12 (data) and 13 (bss) */
    uint64_t addr;
    hdump_bytes contents;
    hdump_fields fields;
} hdump_segment;

typedef struct hdump_defer {         /* tag 14 */
    uint64_t addr;
    uint64_t g;
    uint64_t argp;
    uint64_t pc;
    uint64_t fn;
    uint64_t fn_pc;
    uint64_t link;
} hdump_defer;

typedef struct hdump_panic {         /* tag 15 */
    uint64_t addr;
    uint64_t g;
    uint64_t arg_type;
    uint64_t arg_data;
    uint64_t defer;
    uint64_t link;
} hdump_panic;

typedef struct hdump_memprof_frame {
    hdump_bytes func;
    hdump_bytes file;
    uint64_t line;
} hdump_memprof_frame;

typedef struct hdump_memprof {       /* tag 16 */
    uint64_t bucket;
    uint64_t size;
    const hdump_memprof_frame *stack;
    uint64_t nstk;
    uint64_t allocs;
    uint64_t frees;
} hdump_memprof;

typedef struct hdump_allocsample {   /* tag 17 */
    uint64_t addr;
    uint64_t bucket;
} hdump_allocsample;

/** A record: a tag, where it starts, and that tag's fields.
 *  `offset` and `index` are filled by the reader and ignored by the writer. */
typedef struct hdump_record {
    hdump_tag tag;
    uint64_t offset;                 /* stream offset of the tag's first byte    */
    uint64_t index;                  /* 0-based record index                     */
    union {
        hdump_object object;
        hdump_otherroot otherroot;
        hdump_type type;
        hdump_goroutine goroutine;
        hdump_stackframe frame;
        hdump_params params;
        hdump_finalizer finalizer;   /* FINALIZER and QUEUEDFINALIZER            */
        hdump_itab itab;
        hdump_osthread osthread;
        hdump_memstats memstats;
        hdump_segment segment;       /* DATA and BSS                             */
        hdump_defer defer;
        hdump_panic panic;
        hdump_memprof memprof;
        hdump_allocsample allocsample;
    } u;
} hdump_record;

/** The 16-byte header of a version, e.g. "go1.7 heap dump\n" (not
 *  NUL-terminated at byte 16; the string is NUL-terminated after it).
 *  Returns NULL for a value that is not an hdump_version. */
HDUMP_API const char *hdump_version_header(hdump_version v);

/** Short name of a version ("go1.7"); NULL for an unknown value. */
HDUMP_API const char *hdump_version_name(hdump_version v);

/** Lower-case tag name as used by the CLI ("object", "stackframe",
 *  "queuedfinalizer", ...); NULL for tags > 17. */
HDUMP_API const char *hdump_tag_name(uint64_t tag);

/** The field list a record carries, or NULL for a tag without one (object,
 *  stack frame, data, bss, and go1.3's type). The pointer is into *r.
 *  For a type record it is returned whatever the version; only go1.3 writes
 *  or reads it (docs/format.md §4). */
HDUMP_API hdump_fields *hdump_record_fields(hdump_record *r);

/** Field-by-field equality of two records of the given version: every field
 *  the version stores is compared, byte ranges by content (a streamed range,
 *  ptr == NULL, compares equal to any range of the same length), field lists
 *  entry by entry. `offset` and `index` are not compared. Bitmap-form field
 *  lists are not expanded: both lists must be in LIST form.
 *  Returns 1 when equal, 0 otherwise. */
HDUMP_API int hdump_record_equal(hdump_version v, const hdump_record *a, const hdump_record *b);

/** Bytes at the start of an hdump_record that hold a record of this tag:
 *  tag, offset, index and the tag's union member. Every call that takes a
 *  record reads no further for that tag, so that many bytes are a whole
 *  record (see hdump_record_copy). 0 for a tag > 17. */
HDUMP_API size_t hdump_record_struct_size(uint64_t tag);

/** Deep copy of *src into dst[0..cap): its first
 *  hdump_record_struct_size(src->tag) bytes, then every byte range, field
 *  list (items, or a bitmap's bytes) and memprof stack (frames and their
 *  strings) that version v stores for that tag, each at an 8-byte boundary,
 *  with the copy's views pointing at them. The copy lives as long as dst;
 *  read it as `(const hdump_record *)dst` (dst must be 8-byte aligned).
 *  A streamed range (ptr NULL) stays NULL with its length; views the
 *  version does not store are copied as they are (they still point where
 *  src's did) and are never read for v.
 *  *used receives the bytes the copy needs whether or not they fit, so a
 *  call with cap 0 sizes it; SIZE_MAX when no buffer could hold it.
 *  @return HDUMP_OK; HDUMP_ERR_LIMIT when cap < *used (nothing written);
 *  HDUMP_ERR_USAGE for a NULL src or used, a NULL or misaligned dst with
 *  cap > 0, a bad version, or a tag > 17 (*used is then 0). */
HDUMP_API hdump_status hdump_record_copy(hdump_version v, const hdump_record *src, void *dst,
                                         size_t cap, size_t *used);

#ifdef __cplusplus
}
#endif
#endif /* HDUMP_RECORD_H */
