/* common/record.c: record equality, the one comparison used by tests,
 * fuzzers and round trips. It walks the same grammar as the codecs. */
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
