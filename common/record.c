/* common/record.c: record equality (the one comparison used by tests,
 * fuzzers and round trips), deep copies, and per-tag struct sizes. Equality
 * and copies walk the same grammar as the codecs. */
#include <string.h>

#include "grammar.h"
#include "hdump/record.h"

static int bytes_equal(const hdump_bytes *a, const hdump_bytes *b) {
    if (a->len != b->len) return 0;
    if (a->len == 0 || a->ptr == NULL || b->ptr == NULL) return 1;
    return memcmp(a->ptr, b->ptr, (size_t)a->len) == 0;
}

static int fields_equal(const hdump_fields *a, const hdump_fields *b) {
    if (a->count != b->count) return 0;
    if (a->count == 0) return 1;
    /* hdump_field is two uint64_t, no padding: one memcmp for the list */
    return memcmp(a->items, b->items, (size_t)a->count * sizeof(hdump_field)) == 0;
}

int hdump_record_equal(hdump_version v, const hdump_record *a, const hdump_record *b) {
    if (a->tag != b->tag) return 0;
    if (a->tag == HDUMP_TAG_OBJECT && v >= HDUMP_GO1_4 && v <= HDUMP_GO1_7) {
        /* ~all of a dump's records: g_object's three fields, without the
         * table walk (docs/format.md §4 tag 1, go1.4+) */
        const hdump_object *x = &a->u.object, *y = &b->u.object;
        return x->addr == y->addr && bytes_equal(&x->contents, &y->contents) &&
               fields_equal(&x->fields, &y->fields);
    }
    const hdi_op *ops = hdi_grammar((int)v, (uint64_t)a->tag);
    if (ops == NULL) return 0;
    for (const hdi_op *op = ops; op->op != HDI_OP_END; op++) {
        const char *x = (const char *)a + op->off, *y = (const char *)b + op->off;
        switch (op->op) {
        case HDI_OP_U:
            if (*(const uint64_t *)(const void *)x != *(const uint64_t *)(const void *)y) return 0;
            break;
        case HDI_OP_S:
            if (!bytes_equal((const hdump_bytes *)(const void *)x,
                             (const hdump_bytes *)(const void *)y))
                return 0;
            break;
        case HDI_OP_F:
            if (!fields_equal((const hdump_fields *)(const void *)x,
                              (const hdump_fields *)(const void *)y))
                return 0;
            break;
        case HDI_OP_MEMSTATS:
            if (memcmp(x, y, sizeof(hdump_memstats)) != 0) return 0;
            break;
        case HDI_OP_STACK: {
            const hdump_memprof *m = (const hdump_memprof *)(const void *)x;
            const hdump_memprof *n = (const hdump_memprof *)(const void *)y;
            if (m->nstk != n->nstk) return 0;
            for (uint64_t i = 0; i < m->nstk; i++)
                if (!bytes_equal(&m->stack[i].func, &n->stack[i].func) ||
                    !bytes_equal(&m->stack[i].file, &n->stack[i].file) ||
                    m->stack[i].line != n->stack[i].line)
                    return 0;
            break;
        }
        default:
            break;
        }
    }
    return 1;
}

hdump_fields *hdump_record_fields(hdump_record *r) {
    switch (r->tag) {
    case HDUMP_TAG_OBJECT: return &r->u.object.fields;
    case HDUMP_TAG_TYPE: return &r->u.type.fields;
    case HDUMP_TAG_STACKFRAME: return &r->u.frame.fields;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS: return &r->u.segment.fields;
    default: return NULL;
    }
}

size_t hdump_record_struct_size(uint64_t tag) {
    size_t m;
    switch (tag) {
    case HDUMP_TAG_EOF: m = 0; break;
    case HDUMP_TAG_OBJECT: m = sizeof(hdump_object); break;
    case HDUMP_TAG_OTHERROOT: m = sizeof(hdump_otherroot); break;
    case HDUMP_TAG_TYPE: m = sizeof(hdump_type); break;
    case HDUMP_TAG_GOROUTINE: m = sizeof(hdump_goroutine); break;
    case HDUMP_TAG_STACKFRAME: m = sizeof(hdump_stackframe); break;
    case HDUMP_TAG_PARAMS: m = sizeof(hdump_params); break;
    case HDUMP_TAG_FINALIZER:
    case HDUMP_TAG_QUEUEDFINALIZER: m = sizeof(hdump_finalizer); break;
    case HDUMP_TAG_ITAB: m = sizeof(hdump_itab); break;
    case HDUMP_TAG_OSTHREAD: m = sizeof(hdump_osthread); break;
    case HDUMP_TAG_MEMSTATS: m = sizeof(hdump_memstats); break;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS: m = sizeof(hdump_segment); break;
    case HDUMP_TAG_DEFER: m = sizeof(hdump_defer); break;
    case HDUMP_TAG_PANIC: m = sizeof(hdump_panic); break;
    case HDUMP_TAG_MEMPROF: m = sizeof(hdump_memprof); break;
    case HDUMP_TAG_ALLOCSAMPLE: m = sizeof(hdump_allocsample); break;
    default: return 0;
    }
    return offsetof(hdump_record, u) + m;
}

/* ---- hdump_record_copy: one walk of the grammar sizes the copy, a second
 * ---- stores it. Sizes saturate at SIZE_MAX (no buffer holds that). */

/* n += k rounded up to 8, saturating. */
static size_t cp_add(size_t n, uint64_t k) {
    if (n == SIZE_MAX || k > (uint64_t)(SIZE_MAX - 7) - n) return SIZE_MAX;
    return n + (((size_t)k + 7) & ~(size_t)7);
}

/* Bytes of a field list's storage: its items, or its bitmap in a bitmap
 * form (the writer reads the bitmap then, docs/format.md §2.4). */
static uint64_t cp_fields_bytes(const hdump_fields *f, int *bad) {
    if (f->form != HDUMP_FIELDS_LIST && f->bitmap != NULL) {
        uint64_t per = f->form == HDUMP_FIELDS_BITMAP1 ? 8 : 4; /* words per byte */
        return f->nwords / per + (f->nwords % per != 0);
    }
    if (f->count == 0) return 0;
    if (f->items == NULL) *bad = 1;
    if (f->count > UINT64_MAX / sizeof(hdump_field)) return UINT64_MAX;
    return f->count * sizeof(hdump_field);
}

/* Stores n bytes of p at *at (when p is not NULL) and moves *at on. */
static const uint8_t *cp_put(uint8_t **at, const void *p, uint64_t n) {
    if (p == NULL) return NULL;
    uint8_t *q = *at;
    if (n) memcpy(q, p, (size_t)n);
    *at += ((size_t)n + 7) & ~(size_t)7;
    return q;
}

hdump_status hdump_record_copy(hdump_version v, const hdump_record *src, void *dst, size_t cap,
                               size_t *used) {
    if (used == NULL) return HDUMP_ERR_USAGE;
    *used = 0;
    if (src == NULL || (cap > 0 && (dst == NULL || ((uintptr_t)dst & 7) != 0)))
        return HDUMP_ERR_USAGE;
    size_t head = hdump_record_struct_size((uint64_t)src->tag);
    if (head == 0 || v < HDUMP_GO1_3 || v > HDUMP_GO1_7) return HDUMP_ERR_USAGE;
    const hdump_object *o = &src->u.object;
    if (src->tag == HDUMP_TAG_OBJECT && v != HDUMP_GO1_3 &&
        (o->fields.form == HDUMP_FIELDS_LIST || o->fields.bitmap == NULL)) {
        /* ~all of a dump's records: g_object's walk (go1.4+: addr, contents,
         * a field list) without the table, in one pass */
        if (o->fields.count > 0 && o->fields.items == NULL) return HDUMP_ERR_USAGE;
        size_t n = cp_add(cp_add(0, head), o->contents.ptr != NULL ? o->contents.len : 0);
        n = cp_add(n, o->fields.count > UINT64_MAX / sizeof(hdump_field)
                          ? UINT64_MAX
                          : o->fields.count * sizeof(hdump_field));
        *used = n;
        if (cap < n) return HDUMP_ERR_LIMIT;
        uint8_t *at = dst;
        memcpy(at, src, head);
        hdump_object *d = &((hdump_record *)(void *)at)->u.object;
        at += (head + 7) & ~(size_t)7;
        d->contents.ptr = cp_put(&at, o->contents.ptr, o->contents.len);
        d->fields.items = (const hdump_field *)(const void *)cp_put(
            &at, o->fields.items, o->fields.count * sizeof(hdump_field));
        d->fields.bitmap = NULL;
        return HDUMP_OK;
    }
    /* The version's grammar, looked up only for the records the path above
     * does not take (every version has object records). */
    const hdi_op *ops = hdi_grammar((int)v, (uint64_t)src->tag);
    if (ops == NULL) return HDUMP_ERR_USAGE;
    /* pass 1: the size */
    size_t n = cp_add(0, head);
    int bad = 0;
    for (const hdi_op *op = ops; op->op != HDI_OP_END; op++) {
        const char *x = (const char *)src + op->off;
        if (op->op == HDI_OP_S) {
            const hdump_bytes *b = (const hdump_bytes *)(const void *)x;
            if (b->ptr != NULL) n = cp_add(n, b->len);
        } else if (op->op == HDI_OP_F) {
            n = cp_add(n, cp_fields_bytes((const hdump_fields *)(const void *)x, &bad));
        } else if (op->op == HDI_OP_STACK) {
            const hdump_memprof *m = (const hdump_memprof *)(const void *)x;
            if (m->nstk == 0) continue;
            if (m->stack == NULL) {
                bad = 1;
                continue;
            }
            n = cp_add(n, m->nstk > UINT64_MAX / sizeof(hdump_memprof_frame)
                              ? UINT64_MAX
                              : m->nstk * sizeof(hdump_memprof_frame));
            for (uint64_t i = 0; i < m->nstk && n != SIZE_MAX; i++) {
                if (m->stack[i].func.ptr != NULL) n = cp_add(n, m->stack[i].func.len);
                if (m->stack[i].file.ptr != NULL) n = cp_add(n, m->stack[i].file.len);
            }
        }
    }
    if (bad) return HDUMP_ERR_USAGE; /* a count with no array behind it */
    *used = n;
    if (cap < n) return HDUMP_ERR_LIMIT;
    /* pass 2: the record's bytes, then each view's data */
    uint8_t *at = dst;
    memcpy(at, src, head);
    char *rec = (char *)at;
    at += (head + 7) & ~(size_t)7;
    for (const hdi_op *op = ops; op->op != HDI_OP_END; op++) {
        char *y = rec + op->off;
        if (op->op == HDI_OP_S) {
            hdump_bytes *b = (hdump_bytes *)(void *)y;
            b->ptr = cp_put(&at, b->ptr, b->len);
        } else if (op->op == HDI_OP_F) {
            hdump_fields *f = (hdump_fields *)(void *)y;
            int unused = 0;
            uint64_t k = cp_fields_bytes(f, &unused);
            if (f->form != HDUMP_FIELDS_LIST && f->bitmap != NULL) {
                f->bitmap = cp_put(&at, f->bitmap, k);
                f->items = NULL;
            } else {
                f->items = (const hdump_field *)(const void *)cp_put(&at, f->items, k);
                f->bitmap = NULL;
            }
        } else if (op->op == HDI_OP_STACK) {
            hdump_memprof *m = (hdump_memprof *)(void *)y;
            if (m->nstk == 0) continue;
            const hdump_memprof_frame *from = m->stack;
            hdump_memprof_frame *fr = (hdump_memprof_frame *)(void *)at;
            m->stack = fr;
            at += (size_t)m->nstk * sizeof *fr; /* a multiple of 8 */
            for (uint64_t i = 0; i < m->nstk; i++) {
                fr[i] = from[i];
                fr[i].func.ptr = cp_put(&at, from[i].func.ptr, from[i].func.len);
                fr[i].file.ptr = cp_put(&at, from[i].file.ptr, from[i].file.len);
            }
        }
    }
    return HDUMP_OK;
}
