/* validate/validate_internal.h: the validator's state, shared by its files.
 *
 * validate.c runs the two passes (docs/format.md §5.6); findings.c keeps the
 * per-kind tallies and builds the result; index.c holds the sorted tables the
 * passes look addresses up in; golayout.c holds the Go >= 1.22 heap-layout
 * rules (docs/format.md §2.5). */
#ifndef HDUMP_VALIDATE_INTERNAL_H
#define HDUMP_VALIDATE_INTERNAL_H

#include "../common/internal.h"
#include "hdump/validate.h"

/* ---- Findings (findings.c) ----
 * A slot is one (kind, name) pair. Slots are listed in kind order, so the
 * result, built slot by slot, is ordered by kind. Two kinds have two names
 * each (missing-params / missing-memstats, duplicate-params /
 * duplicate-memstats): one finding per name, both with the same kind. */
typedef enum hdi_vslot {
    HDI_VS_STRUCTURE = 0,
    HDI_VS_FIELD_OUTSIDE,
    HDI_VS_FIELD_ORDER,
    HDI_VS_FIELD_ALIGN,
    HDI_VS_OVERLAP,
    HDI_VS_OUTSIDE_HEAP,
    HDI_VS_DANGLING,
    HDI_VS_FRAME_ORPHAN,
    HDI_VS_FRAME_DEPTH,
    HDI_VS_FRAME_CHILD_SP,
    HDI_VS_DEFER_G,
    HDI_VS_PANIC_G,
    HDI_VS_ITAB_TYPE,
    HDI_VS_MEMSTATS,
    HDI_VS_PHANTOM,
    HDI_VS_MALLOC_HEADER,
    HDI_VS_MISSING_PARAMS,
    HDI_VS_MISSING_MEMSTATS,
    HDI_VS_DUP_PARAMS,
    HDI_VS_DUP_MEMSTATS,
    HDI_VS_BAD_BOOL,
    HDI_VS_BAD_PARAMS,
    HDI_VS_GOEXIT_ARGS,
    HDI_VS_OFFHEAP,
    HDI_VS_COUNT
} hdi_vslot;

/* ---- Tables (index.c) ---- */

/* One heap object in 16 bytes: the address, and the contents length in the
 * low 56 bits with three flags above (a length never reaches 2^56: it is
 * bounded by the input's size, which is in memory). */
typedef struct hdi_vobj {
    uint64_t addr;
    uint64_t lenf;
} hdi_vobj;

#define HDI_VOBJ_LEN_MAX ((UINT64_C(1) << 56) - 1)
#define HDI_VOBJ_PTR (UINT64_C(1) << 63)     /* the record lists fields         */
#define HDI_VOBJ_COVERED (UINT64_C(1) << 62) /* starts inside an earlier object */
#define HDI_VOBJ_PHANTOM (UINT64_C(1) << 61) /* Go >= 1.22 heap-bitmap tail     */

static inline uint64_t hdi_vobj_len(const hdi_vobj *o) { return o->lenf & HDI_VOBJ_LEN_MAX; }

/* addr + len, saturated: an object that wraps around is outside any heap. */
static inline uint64_t hdi_vend(uint64_t addr, uint64_t len) {
    return len > UINT64_MAX - addr ? UINT64_MAX : addr + len;
}

/* A half-open address range [lo, hi). */
typedef struct hdi_vrange {
    uint64_t lo, hi;
} hdi_vrange;

/* A growable array of addresses; a set once hdi_vset_seal has run. */
typedef struct hdi_vset {
    uint64_t *v;
    size_t n, cap;
} hdi_vset;

/* A growable array of ranges; sorted and merged by hdi_vranges_seal. */
typedef struct hdi_vranges {
    hdi_vrange *v;
    size_t n, cap;
} hdi_vranges;

/* ---- The whole state of one validation ---- */
typedef struct hdi_vstate {
    hdump_alloc a;
    uint64_t max_objects;

    /* Pass 1 tables. */
    hdi_vobj *objs;
    size_t nobjs, objs_cap;
    hdi_vranges ranges; /* data, bss and stack frames: memory a pointer may name */
    hdi_vset gs;        /* goroutine addresses                                  */
    hdi_vset types;     /* type record addresses                                */
    hdi_vset itabs;     /* itab addresses                                       */
    uint64_t *scratch;  /* golayout.c: keys of one page's objects               */
    size_t scratch_cap;

    int version; /* hdump_version, 0 before the header */
    int structure_ok;

    /* Params (first record only; a repeat is duplicate-params). */
    int have_params;
    int params_ok;          /* ptr size 4 or 8 and heap start <= end    */
    unsigned ptr_size;      /* params' if valid, else 8                 */
    int big_endian;
    uint64_t heap_lo, heap_hi;
    int go122;              /* buildVersion says Go >= 1.22             */

    /* Memstats (first record only). */
    int have_memstats;
    uint64_t ms_heap_objects, ms_heap_alloc;
    uint64_t ms_offset, ms_index;

    uint64_t records, objects, object_bytes;
    uint64_t phantoms, phantom_bytes;

    hdump_finding f[HDI_VS_COUNT];
} hdi_vstate;

/* ---- findings.c ---- */

/* Sets up every slot's kind, severity, name and message. */
HDI_HIDDEN void hdi_vf_init(hdi_vstate *s);
/* Counts one occurrence of slot `k` and keeps (offset, index, value) as an
 * example if fewer than HDUMP_FINDING_EXAMPLES are kept. */
HDI_HIDDEN void hdi_vf_add(hdi_vstate *s, hdi_vslot k, uint64_t offset, uint64_t index,
                           uint64_t value);
/* Keeps an example without counting (for slots whose count is computed
 * elsewhere, e.g. phantom-objects). */
HDI_HIDDEN void hdi_vf_example(hdi_vstate *s, hdi_vslot k, uint64_t offset, uint64_t index,
                               uint64_t value);
/* Adds n to slot k's count. */
HDI_HIDDEN void hdi_vf_count(hdi_vstate *s, hdi_vslot k, uint64_t n);
/* Copies the slots that occurred into out->findings (allocated with s->a),
 * in kind order, and sets out->valid. REQUIRES: out->findings is NULL. */
HDI_HIDDEN hdump_status hdi_vf_build(hdi_vstate *s, hdump_validation *out);

/* ---- index.c ---- */

/* Appends an object. HDUMP_ERR_LIMIT past s->max_objects; NOMEM. */
HDI_HIDDEN hdump_status hdi_vidx_push(hdi_vstate *s, uint64_t addr, uint64_t len, int has_fields);
/* Sorts the objects by address (then length) and sets HDI_VOBJ_COVERED on
 * every object that starts inside one that starts earlier. */
HDI_HIDDEN void hdi_vidx_seal(hdi_vstate *s);
/* Index of the first object with this address and length, or SIZE_MAX.
 * REQUIRES: hdi_vidx_seal has run. */
HDI_HIDDEN size_t hdi_vidx_find(const hdi_vstate *s, uint64_t addr, uint64_t len);
/* 1 if the object at index i overlaps any other object. REQUIRES: sealed. */
HDI_HIDDEN int hdi_vidx_overlaps(const hdi_vstate *s, size_t i);
/* 1 if v lies in [addr, addr + len) of some object. With overlapping objects
 * (already an error) only the last object starting at or below v is tried.
 * REQUIRES: sealed. */
HDI_HIDDEN int hdi_vidx_contains(const hdi_vstate *s, uint64_t v);

HDI_HIDDEN hdump_status hdi_vset_push(const hdump_alloc *a, hdi_vset *set, uint64_t x);
/* Sorts the set (duplicates are harmless). */
HDI_HIDDEN void hdi_vset_seal(hdi_vset *set);
/* REQUIRES: hdi_vset_seal has run. */
HDI_HIDDEN int hdi_vset_has(const hdi_vset *set, uint64_t x);

/* Appends [lo, hi); empty ranges are dropped. */
HDI_HIDDEN hdump_status hdi_vranges_push(const hdump_alloc *a, hdi_vranges *r, uint64_t lo,
                                         uint64_t hi);
/* Sorts and merges overlapping or touching ranges, so adjacent stack frames
 * become one range per stack. */
HDI_HIDDEN void hdi_vranges_seal(hdi_vranges *r);
/* REQUIRES: hdi_vranges_seal has run. */
HDI_HIDDEN int hdi_vranges_has(const hdi_vranges *r, uint64_t v);

/* Frees every table (not the findings). */
HDI_HIDDEN void hdi_vstate_free(hdi_vstate *s);

/* ---- golayout.c ---- */

/* 1 if a params buildVersion string names Go 1.22 or later ("go1.22.3",
 * "go1.23rc1", "devel go1.24-abc", "go2..."). GOEXPERIMENT strings and
 * versions before 1.22 give 0. */
HDI_HIDDEN int hdi_vgo_at_least_122(const uint8_t *p, size_t n);
/* Marks phantom objects (HDI_VOBJ_PHANTOM) and sets s->phantoms and
 * s->phantom_bytes. REQUIRES: hdi_vidx_seal has run; s->go122. */
HDI_HIDDEN hdump_status hdi_vgo_phantoms(hdi_vstate *s);
/* 1 if an object of a Go >= 1.22 dump carries a malloc header: a small
 * object (512 B < size <= 32 KiB) with fields, whose word 0 is not one. */
HDI_HIDDEN int hdi_vgo_malloc_header(const hdi_vstate *s, uint64_t len, const hdump_fields *f);

#endif /* HDUMP_VALIDATE_INTERNAL_H */
