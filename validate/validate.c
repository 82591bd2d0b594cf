/* validate/validate.c: the validator's two passes and its public API
 * (docs/format.md §5.6 lists the checks and what the real dumps show).
 *
 * Pass 1 runs the pull reader once (structure: everything docs/format.md §5
 * says the reader checks) and builds the tables (validate/index.c): objects,
 * data/bss and stack ranges, goroutine/type/itab addresses, params and
 * memstats. It also checks what depends on record order (frames after their
 * goroutine, §3), uniqueness and bools. Pass 2 runs the reader again, with
 * every table sealed, and checks what needs the whole dump: field lists
 * against their contents, objects against the heap and each other, every
 * pointer field, the goroutines named by defers and panics, itab types.
 * Pass 2 runs only when pass 1 reached EOF: after a structure error the
 * tables are partial and its findings would be noise. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "validate_internal.h"

void hdump_validate_opts_init(hdump_validate_opts *o) {
    if (o == NULL) return;
    memset(o, 0, sizeof *o);
    hdump_reader_opts_init(&o->reader);
    o->max_objects = (uint64_t)1 << 28;
}

/* ==== Pass 1 ==== */

/* Order-dependent frame state: frames follow their goroutine (§3). */
typedef struct frame_chain {
    int open;            /* the previous record was a goroutine or its frame */
    uint64_t next_depth; /* depth the next frame must have                    */
    uint64_t prev_sp;    /* sp of the previous frame (its child sp)           */
} frame_chain;

static void check_bool(hdi_vstate *s, const hdump_record *rec, uint64_t v) {
    if (v > 1) hdi_vf_add(s, HDI_VS_BAD_BOOL, rec->offset, rec->index, v);
}

static void take_params(hdi_vstate *s, const hdump_record *rec) {
    const hdump_params *p = &rec->u.params;
    if (s->have_params) {
        hdi_vf_add(s, HDI_VS_DUP_PARAMS, rec->offset, rec->index, HDUMP_TAG_PARAMS);
        return;
    }
    s->have_params = 1;
    check_bool(s, rec, p->big_endian);
    s->big_endian = p->big_endian != 0;
    if (p->ptr_size != 4 && p->ptr_size != 8) {
        hdi_vf_add(s, HDI_VS_BAD_PARAMS, rec->offset, rec->index, p->ptr_size);
    } else if (p->heap_start > p->heap_end) {
        s->ptr_size = (unsigned)p->ptr_size;
        hdi_vf_add(s, HDI_VS_BAD_PARAMS, rec->offset, rec->index, p->heap_start);
    } else {
        s->ptr_size = (unsigned)p->ptr_size;
        s->params_ok = 1;
        s->heap_lo = p->heap_start;
        s->heap_hi = p->heap_end;
    }
    /* The allocation-header layout came with Go 1.22 under the unchanged
     * go1.7 header; only buildVersion tells (docs/format.md §2.5). */
    s->go122 = s->version == HDUMP_GO1_7 &&
               hdi_vgo_at_least_122(p->experiment.ptr, (size_t)p->experiment.len);
}

static void take_memstats(hdi_vstate *s, const hdump_record *rec) {
    if (s->have_memstats) {
        hdi_vf_add(s, HDI_VS_DUP_MEMSTATS, rec->offset, rec->index, HDUMP_TAG_MEMSTATS);
        return;
    }
    s->have_memstats = 1;
    s->ms_heap_objects = rec->u.memstats.v[HDUMP_MS_HEAP_OBJECTS];
    s->ms_heap_alloc = rec->u.memstats.v[HDUMP_MS_HEAP_ALLOC];
    s->ms_offset = rec->offset;
    s->ms_index = rec->index;
}

/* Go's dumpframe writes depth = frames below this one and child sp = the
 * sp of the frame written just before (0 for the innermost), so a
 * goroutine's frames read 0, 1, 2 ... with child sp = previous sp. */
static void take_frame(hdi_vstate *s, frame_chain *c, const hdump_record *rec) {
    const hdump_stackframe *f = &rec->u.frame;
    if (!c->open) {
        hdi_vf_add(s, HDI_VS_FRAME_ORPHAN, rec->offset, rec->index, f->sp);
        return;
    }
    if (f->depth != c->next_depth)
        hdi_vf_add(s, HDI_VS_FRAME_DEPTH, rec->offset, rec->index, f->depth);
    uint64_t want = c->next_depth == 0 ? 0 : c->prev_sp;
    if (f->child_sp != want)
        hdi_vf_add(s, HDI_VS_FRAME_CHILD_SP, rec->offset, rec->index, f->child_sp);
    /* Resynchronise on what the frame says, so one bad frame is one finding. */
    c->next_depth = f->depth + 1;
    c->prev_sp = f->sp;
}

static hdump_status take_record(hdi_vstate *s, frame_chain *c, const hdump_record *rec) {
    const hdump_alloc *a = &s->a;
    if (rec->tag != HDUMP_TAG_STACKFRAME) {
        c->open = rec->tag == HDUMP_TAG_GOROUTINE;
        c->next_depth = 0;
        c->prev_sp = 0;
    }
    switch (rec->tag) {
    case HDUMP_TAG_OBJECT: {
        const hdump_object *o = &rec->u.object;
        s->objects++;
        s->object_bytes += o->contents.len;
        /* go1.3 objects have no field list; the index still needs them. */
        return hdi_vidx_push(s, o->addr, o->contents.len, o->fields.count > 0);
    }
    case HDUMP_TAG_TYPE:
        check_bool(s, rec, rec->u.type.indirect);
        return hdi_vset_push(a, &s->types, rec->u.type.addr);
    case HDUMP_TAG_GOROUTINE:
        check_bool(s, rec, rec->u.goroutine.is_system);
        check_bool(s, rec, rec->u.goroutine.is_background);
        return hdi_vset_push(a, &s->gs, rec->u.goroutine.addr);
    case HDUMP_TAG_STACKFRAME: {
        const hdump_stackframe *f = &rec->u.frame;
        take_frame(s, c, rec);
        return hdi_vranges_push(a, &s->ranges, f->sp, hdi_vend(f->sp, f->contents.len));
    }
    case HDUMP_TAG_PARAMS:
        take_params(s, rec);
        return HDUMP_OK;
    case HDUMP_TAG_ITAB:
        if (s->version == HDUMP_GO1_3) check_bool(s, rec, rec->u.itab.data_is_ptr);
        return hdi_vset_push(a, &s->itabs, rec->u.itab.addr);
    case HDUMP_TAG_MEMSTATS:
        take_memstats(s, rec);
        return HDUMP_OK;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS: {
        const hdump_segment *g = &rec->u.segment;
        return hdi_vranges_push(a, &s->ranges, g->addr, hdi_vend(g->addr, g->contents.len));
    }
    default:
        return HDUMP_OK;
    }
}

/* Runs the reader over the input. Returns HDUMP_OK whether or not the input
 * is well-formed (a reader failure becomes the structure finding), or NOMEM
 * / LIMIT (max_objects) / USAGE, which end the validation. */
static hdump_status pass1(hdi_vstate *s, const hdump_reader_opts *ro, const void *data,
                          size_t size, hdump_validation *out) {
    hdump_reader *r;
    HDI_TRY(hdump_reader_new_mem(ro, data, size, &r));
    frame_chain c = {0, 0, 0};
    hdump_record rec;
    hdump_status st, ret = HDUMP_OK;
    hdump_version v;
    if (hdump_reader_version(r, &v) == HDUMP_OK) s->version = (int)v;
    for (;;) {
        st = hdump_reader_next(r, &rec);
        if (st < 0) break;
        s->records++;
        ret = take_record(s, &c, &rec);
        if (ret != HDUMP_OK || st == HDUMP_END) break;
    }
    if (ret == HDUMP_OK && st < 0) {
        const hdump_error *e = hdump_reader_error(r);
        if (e->code == HDUMP_ERR_NOMEM) {
            ret = HDUMP_ERR_NOMEM;
        } else {
            out->error = *e;
            hdi_vf_add(s, HDI_VS_STRUCTURE, e->offset, e->record_index, e->tag);
        }
    }
    s->structure_ok = ret == HDUMP_OK && st == HDUMP_END;
    hdump_reader_free(r);
    return ret;
}

/* ==== Pass 2 ==== */

/* Words a field entry covers (docs/format.md §2.4): go1.3 String 2 and
 * Slice 3, Iface/Eface 2 in go1.3 and go1.4, Ptr 1. */
static unsigned field_words(int version, uint64_t kind) {
    if (version == HDUMP_GO1_3) {
        if (kind == HDUMP_FIELD_GO13_SLICE) return 3;
        return kind == HDUMP_FIELD_PTR ? 1 : 2;
    }
    return kind == HDUMP_FIELD_PTR ? 1 : 2;
}

/* Which word of a field holds a pointer into memory: the data word of an
 * interface (its first word is an itab or type), word 0 of the others. */
static unsigned field_ptr_word(int version, uint64_t kind) {
    if (version == HDUMP_GO1_3)
        return kind == HDUMP_FIELD_GO13_IFACE || kind == HDUMP_FIELD_GO13_EFACE;
    return kind == HDUMP_FIELD_GO14_IFACE || kind == HDUMP_FIELD_GO14_EFACE;
}

static uint64_t load_word(const uint8_t *p, unsigned ps, int big_endian) {
    uint64_t v = 0;
    for (unsigned i = 0; i < ps; i++) {
        unsigned k = big_endian ? i : ps - 1 - i;
        v = v << 8 | p[k];
    }
    return v;
}

static int resolves(const hdi_vstate *s, uint64_t v) {
    return v == 0 || hdi_vidx_contains(s, v) || hdi_vranges_has(&s->ranges, v) ||
           hdi_vset_has(&s->itabs, v) || hdi_vset_has(&s->types, v);
}

/* A region's field list (docs/format.md §1.4, §4): every entry's words lie
 * inside the contents, offsets strictly ascend and are word multiples; each
 * pointer word inside the contents must resolve (when `resolve`). goexit
 * frames get a warning instead of field-outside: Go's dumpframe attributes a
 * callee's args to its caller, and for runtime.goexit (the outermost frame)
 * they lie past its own dumped contents (format-notes §4). */
static void check_fields(hdi_vstate *s, const hdump_record *rec, const hdump_bytes *contents,
                         uint64_t size, const hdump_fields *f, int resolve, int goexit) {
    unsigned ps = s->ptr_size;
    for (uint64_t i = 0; i < f->count; i++) {
        uint64_t kind = f->items[i].kind, off = f->items[i].offset;
        if (i > 0 && off <= f->items[i - 1].offset)
            hdi_vf_add(s, HDI_VS_FIELD_ORDER, rec->offset, rec->index, off);
        if (off % ps != 0) hdi_vf_add(s, HDI_VS_FIELD_ALIGN, rec->offset, rec->index, off);
        uint64_t span = (uint64_t)field_words(s->version, kind) * ps;
        if (off > size || span > size - off) {
            hdi_vf_add(s, goexit ? HDI_VS_GOEXIT_ARGS : HDI_VS_FIELD_OUTSIDE, rec->offset,
                       rec->index, off);
            continue;
        }
        if (!resolve || contents == NULL || contents->ptr == NULL) continue;
        uint64_t at = off + (uint64_t)field_ptr_word(s->version, kind) * ps;
        uint64_t v = load_word(contents->ptr + at, ps, s->big_endian);
        if (resolves(s, v)) continue;
        /* Off the heap (rodata, text, runtime memory from the OS) is normal:
         * every committed dump has 1,000-2,000 such words, and none that
         * points into the heap range at no object. */
        int offheap = s->params_ok && (v < s->heap_lo || v >= s->heap_hi);
        hdi_vf_add(s, offheap ? HDI_VS_OFFHEAP : HDI_VS_DANGLING, rec->offset, rec->index, v);
    }
}

static int is_goexit(const hdump_bytes *name) {
    static const char g[] = "runtime.goexit";
    return name->ptr != NULL && name->len >= sizeof g - 1 &&
           memcmp(name->ptr, g, sizeof g - 1) == 0 &&
           (name->len == sizeof g - 1 || name->ptr[sizeof g - 1] == '0' ||
            name->ptr[sizeof g - 1] == '1');
}

static void check_object(hdi_vstate *s, const hdump_record *rec) {
    const hdump_object *o = &rec->u.object;
    uint64_t len = o->contents.len;
    if (s->params_ok && (o->addr < s->heap_lo || hdi_vend(o->addr, len) > s->heap_hi))
        hdi_vf_add(s, HDI_VS_OUTSIDE_HEAP, rec->offset, rec->index, o->addr);
    size_t i = hdi_vidx_find(s, o->addr, len);
    if (i != SIZE_MAX) {
        if (hdi_vidx_overlaps(s, i))
            hdi_vf_add(s, HDI_VS_OVERLAP, rec->offset, rec->index, o->addr);
        if (s->objs[i].lenf & HDI_VOBJ_PHANTOM)
            hdi_vf_example(s, HDI_VS_PHANTOM, rec->offset, rec->index, o->addr);
    }
    if (s->go122 && hdi_vgo_malloc_header(s, len, &o->fields))
        hdi_vf_add(s, HDI_VS_MALLOC_HEADER, rec->offset, rec->index, o->addr);
    check_fields(s, rec, &o->contents, len, &o->fields, 1, 0);
}

static void check_record(hdi_vstate *s, const hdump_record *rec) {
    switch (rec->tag) {
    case HDUMP_TAG_OBJECT:
        check_object(s, rec);
        break;
    case HDUMP_TAG_TYPE:
        /* go1.3 types list their pointer fields within the type's size. */
        check_fields(s, rec, NULL, rec->u.type.size, &rec->u.type.fields, 0, 0);
        break;
    case HDUMP_TAG_STACKFRAME: {
        const hdump_stackframe *f = &rec->u.frame;
        check_fields(s, rec, &f->contents, f->contents.len, &f->fields, 1, is_goexit(&f->name));
        break;
    }
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS: {
        const hdump_segment *g = &rec->u.segment;
        check_fields(s, rec, &g->contents, g->contents.len, &g->fields, 1, 0);
        break;
    }
    case HDUMP_TAG_ITAB:
        if (s->version != HDUMP_GO1_3 && !hdi_vset_has(&s->types, rec->u.itab.type_addr))
            hdi_vf_add(s, HDI_VS_ITAB_TYPE, rec->offset, rec->index, rec->u.itab.type_addr);
        break;
    case HDUMP_TAG_DEFER:
        if (!hdi_vset_has(&s->gs, rec->u.defer.g))
            hdi_vf_add(s, HDI_VS_DEFER_G, rec->offset, rec->index, rec->u.defer.g);
        break;
    case HDUMP_TAG_PANIC:
        if (!hdi_vset_has(&s->gs, rec->u.panic.g))
            hdi_vf_add(s, HDI_VS_PANIC_G, rec->offset, rec->index, rec->u.panic.g);
        break;
    default:
        break;
    }
}

static hdump_status pass2(hdi_vstate *s, const hdump_reader_opts *ro, const void *data,
                          size_t size) {
    hdump_reader *r;
    HDI_TRY(hdump_reader_new_mem(ro, data, size, &r));
    hdump_record rec;
    hdump_status st;
    while ((st = hdump_reader_next(r, &rec)) >= 0) {
        check_record(s, &rec);
        if (st == HDUMP_END) break;
    }
    /* The input was read to EOF once; only memory can fail the second time. */
    hdump_reader_free(r);
    return st < 0 ? HDUMP_ERR_NOMEM : HDUMP_OK;
}

/* ==== Whole-dump checks ==== */

/* Go <= 1.21 dumps exactly the objects MemStats counts (README: 1.19.8 and
 * its rewrites, exact). Go >= 1.22 adds the phantoms, and nothing else: the
 * difference is explained when removing them gives MemStats exactly. */
static void check_memstats(hdi_vstate *s) {
    if (!s->have_memstats) return;
    uint64_t n = s->objects - s->phantoms, b = s->object_bytes - s->phantom_bytes;
    if (n == s->ms_heap_objects && b == s->ms_heap_alloc) return;
    hdi_vf_add(s, HDI_VS_MEMSTATS, s->ms_offset, s->ms_index, n);
    hdi_vf_example(s, HDI_VS_MEMSTATS, s->ms_offset, s->ms_index, b);
}

static hdump_status run(hdi_vstate *s, const hdump_validate_opts *o, const void *data,
                        size_t size, hdump_validation *out) {
    HDI_TRY(pass1(s, &o->reader, data, size, out));
    out->version = (hdump_version)s->version;
    out->bytes = size;
    out->records = s->records;
    out->objects = s->objects;
    out->object_bytes = s->object_bytes;
    if (!s->structure_ok) return HDUMP_OK;
    /* A salvaged prefix (cut at a record boundary, then EOF) lacks the
     * records that come late; checks that need them are skipped. These
     * findings have no example: there is no record to point at. */
    if (!s->have_params) hdi_vf_count(s, HDI_VS_MISSING_PARAMS, 1);
    if (!s->have_memstats) hdi_vf_count(s, HDI_VS_MISSING_MEMSTATS, 1);
    hdi_vidx_seal(s);
    hdi_vset_seal(&s->gs);
    hdi_vset_seal(&s->types);
    hdi_vset_seal(&s->itabs);
    hdi_vranges_seal(&s->ranges);
    if (s->go122) {
        HDI_TRY(hdi_vgo_phantoms(s));
        hdi_vf_count(s, HDI_VS_PHANTOM, s->phantoms);
    }
    HDI_TRY(pass2(s, &o->reader, data, size));
    check_memstats(s);
    return HDUMP_OK;
}

hdump_status hdump_validate_mem(const hdump_validate_opts *o, const void *data, size_t size,
                                hdump_validation *out) {
    if (out == NULL) return HDUMP_ERR_USAGE;
    memset(out, 0, sizeof *out);
    out->error.tag = UINT64_MAX;
    if (data == NULL && size > 0) return HDUMP_ERR_USAGE;
    hdump_validate_opts def;
    hdump_validate_opts_init(&def);
    if (o == NULL) o = &def;
    hdi_vstate *s;
    hdump_alloc a;
    hdi_alloc_resolve(&a, o->reader.alloc);
    /* The state holds the finding table (a few KiB): on the heap, not the stack. */
    s = a.alloc(a.ctx, sizeof *s);
    if (s == NULL) return HDUMP_ERR_NOMEM;
    memset(s, 0, sizeof *s);
    s->a = a;
    s->max_objects = o->max_objects ? o->max_objects : def.max_objects;
    s->ptr_size = 8;
    hdi_vf_init(s);
    hdump_status st = run(s, o, data, size, out);
    if (st == HDUMP_OK) st = hdi_vf_build(s, out);
    hdi_vstate_free(s);
    a.free(a.ctx, s, sizeof *s);
    if (st != HDUMP_OK) {
        hdump_validation_free(out);
        memset(out, 0, sizeof *out);
        out->error.tag = UINT64_MAX;
    }
    return st;
}

hdump_status hdump_validate_path(const hdump_validate_opts *o, const char *path,
                                 hdump_validation *out) {
    if (out == NULL) return HDUMP_ERR_USAGE;
    memset(out, 0, sizeof *out);
    out->error.tag = UINT64_MAX;
    if (path == NULL) return HDUMP_ERR_USAGE;
    const uint8_t *map;
    size_t len;
    HDI_TRY(hdi_map_file(path, &map, &len));
    hdump_status s = hdump_validate_mem(o, map, len, out);
    hdi_unmap_file(map, len);
    return s;
}
