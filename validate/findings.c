/* validate/findings.c: the finding table (kind, severity, name, message of
 * every slot), the tallies the passes add to, and the result they become. */
#include <string.h>

#include "validate_internal.h"

typedef struct slot_def {
    hdump_finding_kind kind;
    hdump_severity sev;
    const char *name;
    const char *msg;
} slot_def;

/* In hdi_vslot order, which is kind order. Names are API: stable. */
static const slot_def defs[HDI_VS_COUNT] = {
    {HDUMP_FIND_STRUCTURE, HDUMP_SEV_ERROR, "structure",
     "the reader failed; see the validation's error"},
    {HDUMP_FIND_FIELD_OUTSIDE, HDUMP_SEV_ERROR, "field-outside",
     "a field's words lie outside the record's contents"},
    {HDUMP_FIND_FIELD_ORDER, HDUMP_SEV_ERROR, "field-order",
     "field offsets are not strictly ascending"},
    {HDUMP_FIND_FIELD_ALIGN, HDUMP_SEV_ERROR, "field-align",
     "a field offset is not a multiple of the pointer size"},
    {HDUMP_FIND_OBJECT_OVERLAP, HDUMP_SEV_ERROR, "object-overlap",
     "objects overlap (count: objects that overlap another)"},
    {HDUMP_FIND_OBJECT_OUTSIDE_HEAP, HDUMP_SEV_ERROR, "object-outside-heap",
     "an object lies outside the params heap range"},
    {HDUMP_FIND_DANGLING, HDUMP_SEV_WARNING, "dangling-pointer",
     "a pointer into the heap range (or anywhere, when the range is unknown) "
     "names no object, data/bss, stack, type or itab"},
    {HDUMP_FIND_FRAME_ORPHAN, HDUMP_SEV_ERROR, "frame-orphan",
     "a stack frame does not follow a goroutine or its frames"},
    {HDUMP_FIND_FRAME_DEPTH, HDUMP_SEV_ERROR, "frame-depth",
     "a goroutine's frame depths are not 0, 1, 2, ..."},
    {HDUMP_FIND_FRAME_CHILD_SP, HDUMP_SEV_ERROR, "frame-child-sp",
     "a frame's child sp is not the previous frame's sp (0 at depth 0)"},
    {HDUMP_FIND_DEFER_GOROUTINE, HDUMP_SEV_ERROR, "defer-goroutine",
     "a defer names a goroutine that is not in the dump"},
    {HDUMP_FIND_PANIC_GOROUTINE, HDUMP_SEV_ERROR, "panic-goroutine",
     "a panic names a goroutine that is not in the dump"},
    {HDUMP_FIND_ITAB_TYPE, HDUMP_SEV_ERROR, "itab-type",
     "an itab names a type that has no type record"},
    {HDUMP_FIND_MEMSTATS, HDUMP_SEV_WARNING, "memstats-mismatch",
     "object count/bytes differ from MemStats HeapObjects/HeapAlloc "
     "(examples: the count, then the bytes)"},
    {HDUMP_FIND_PHANTOM, HDUMP_SEV_WARNING, "phantom-objects",
     "Go >= 1.22 dumped the heap bitmap at the end of small pointerful spans as "
     "objects without pointers; they are not real objects"},
    {HDUMP_FIND_MALLOC_HEADER, HDUMP_SEV_INFO, "malloc-headers",
     "Go >= 1.22 pointerful objects over 512 B start with an 8-byte type pointer "
     "(malloc header); references point 8 bytes in"},
    {HDUMP_FIND_MISSING, HDUMP_SEV_WARNING, "missing-params",
     "no params record; pointer size 8 assumed, heap range and Go version unknown"},
    {HDUMP_FIND_MISSING, HDUMP_SEV_WARNING, "missing-memstats",
     "no memstats record; the objects cannot be checked against MemStats"},
    {HDUMP_FIND_DUPLICATE, HDUMP_SEV_ERROR, "duplicate-params",
     "more than one params record; the first is used"},
    {HDUMP_FIND_DUPLICATE, HDUMP_SEV_ERROR, "duplicate-memstats",
     "more than one memstats record; the first is used"},
    {HDUMP_FIND_BAD_BOOL, HDUMP_SEV_WARNING, "bad-bool",
     "a bool field holds a value other than 0 or 1"},
    {HDUMP_FIND_BAD_PARAMS, HDUMP_SEV_ERROR, "bad-params",
     "params: pointer size not 4 or 8, or heap start above heap end; "
     "pointer size 8 assumed, heap range not checked"},
    {HDUMP_FIND_GOEXIT_ARGS, HDUMP_SEV_WARNING, "goexit-args-outside",
     "a runtime.goexit frame lists its callee's arguments past its own contents "
     "(a known runtime quirk)"},
    {HDUMP_FIND_POINTER_OFFHEAP, HDUMP_SEV_INFO, "offheap-pointer",
     "a pointer outside the heap range names no data/bss, stack, type or itab "
     "(rodata, text or runtime memory; normal in Go dumps)"},
};

void hdi_vf_init(hdi_vstate *s) {
    for (size_t i = 0; i < HDI_VS_COUNT; i++) {
        hdump_finding *f = &s->f[i];
        memset(f, 0, sizeof *f);
        f->kind = defs[i].kind;
        f->severity = defs[i].sev;
        f->name = defs[i].name;
        f->msg = defs[i].msg;
    }
}

void hdi_vf_example(hdi_vstate *s, hdi_vslot k, uint64_t offset, uint64_t index,
                    uint64_t value) {
    hdump_finding *f = &s->f[k];
    if (f->nexamples >= HDUMP_FINDING_EXAMPLES) return;
    f->examples[f->nexamples].offset = offset;
    f->examples[f->nexamples].record_index = index;
    f->examples[f->nexamples].value = value;
    f->nexamples++;
}

void hdi_vf_count(hdi_vstate *s, hdi_vslot k, uint64_t n) {
    hdump_finding *f = &s->f[k];
    f->count = n > UINT64_MAX - f->count ? UINT64_MAX : f->count + n;
}

void hdi_vf_add(hdi_vstate *s, hdi_vslot k, uint64_t offset, uint64_t index, uint64_t value) {
    hdi_vf_count(s, k, 1);
    hdi_vf_example(s, k, offset, index, value);
}

hdump_status hdi_vf_build(hdi_vstate *s, hdump_validation *out) {
    size_t n = 0;
    int valid = 1;
    for (size_t i = 0; i < HDI_VS_COUNT; i++) {
        if (s->f[i].count == 0) continue;
        n++;
        if (s->f[i].severity == HDUMP_SEV_ERROR) valid = 0;
    }
    out->valid = valid;
    out->nfindings = 0;
    out->findings = NULL;
    out->alloc = s->a;
    if (n == 0) return HDUMP_OK;
    hdump_finding *v = s->a.alloc(s->a.ctx, n * sizeof *v);
    if (v == NULL) return HDUMP_ERR_NOMEM;
    size_t j = 0;
    for (size_t i = 0; i < HDI_VS_COUNT; i++)
        if (s->f[i].count != 0) v[j++] = s->f[i];
    out->findings = v;
    out->nfindings = n;
    return HDUMP_OK;
}

void hdump_validation_free(hdump_validation *v) {
    if (v == NULL) return;
    if (v->findings != NULL && v->alloc.free != NULL)
        v->alloc.free(v->alloc.ctx, v->findings, v->nfindings * sizeof *v->findings);
    v->findings = NULL;
    v->nfindings = 0;
}
