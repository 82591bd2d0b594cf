/* fuzz/custom_mutator.c: a structure-aware LLVMFuzzerCustomMutator for the
 * reader targets (libFuzzer only; linked into fuzz_read_structured).
 *
 * decode (memory reader, records up to the first error; the bytes after the
 * last complete record are kept raw) -> one mutation -> encode (the writer,
 * same version) -> append the raw tail. Mutations: a scalar field of one
 * record set to an edge value (0, 1, 127, 128, 2^32-1, 2^63, UINT64_MAX, ...);
 * one uvarint in the encoded bytes replaced by an edge encoding (over-long,
 * 10-byte maximum, 10th byte 2, 11 bytes, truncated); a byte range resized
 * and mutated by LLVMFuzzerMutate; a field-list entry or count changed; a
 * record deleted, duplicated or swapped with another. An input without a
 * header, or with bad luck, gets plain LLVMFuzzerMutate. Deterministic for a
 * given Seed. */
#include "fuzz_common.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

#define MAX_RECS 4096

typedef struct mrec {
    hdump_record r;
    hdump_field *fields;         /* owned copy of the record's field list */
    hdump_memprof_frame *frames; /* owned copy of a memprof stack          */
    uint8_t *bytes;              /* owned replacement range, if mutated   */
    uint64_t off, end;           /* where the record was in the input     */
} mrec;

static uint64_t rnd(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t edge(uint64_t *s) {
    static const uint64_t e[] = {0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x3fff, 0x4000, 0xffffffffull,
                                 0x100000000ull, 1ull << 62, 1ull << 63, UINT64_MAX - 1,
                                 UINT64_MAX, 0xc000000000ull};
    return e[rnd(s) % (sizeof e / sizeof e[0])];
}

static hdump_bytes *range_of(hdump_record *r, uint64_t sel) {
    switch (r->tag) {
    case HDUMP_TAG_OBJECT: return &r->u.object.contents;
    case HDUMP_TAG_OTHERROOT: return &r->u.otherroot.description;
    case HDUMP_TAG_TYPE: return &r->u.type.name;
    case HDUMP_TAG_GOROUTINE: return &r->u.goroutine.wait_reason;
    case HDUMP_TAG_STACKFRAME: return sel & 1 ? &r->u.frame.name : &r->u.frame.contents;
    case HDUMP_TAG_PARAMS: return sel & 1 ? &r->u.params.experiment : &r->u.params.arch;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS: return &r->u.segment.contents;
    default: return NULL;
    }
}

/* The record's scalar fields, as an array of uint64_t (every per-tag struct
 * but memprof's starts with plain uint64_t members; pick among the leading
 * ones that are scalars). */
static uint64_t *pick_scalar(hdump_record *r, uint64_t *s) {
    uint64_t *c[16];
    size_t n = 0;
#define S(x) c[n++] = &(x)
    switch (r->tag) {
    case HDUMP_TAG_OBJECT: S(r->u.object.addr); S(r->u.object.type_addr); S(r->u.object.kind); break;
    case HDUMP_TAG_OTHERROOT: S(r->u.otherroot.ptr); break;
    case HDUMP_TAG_TYPE: S(r->u.type.addr); S(r->u.type.size); S(r->u.type.indirect); break;
    case HDUMP_TAG_GOROUTINE: {
        hdump_goroutine *g = &r->u.goroutine;
        S(g->addr); S(g->sp); S(g->goid); S(g->gopc); S(g->status); S(g->is_system);
        S(g->is_background); S(g->wait_since); S(g->ctxt); S(g->m); S(g->top_defer); S(g->top_panic);
        break;
    }
    case HDUMP_TAG_STACKFRAME: {
        hdump_stackframe *f = &r->u.frame;
        S(f->sp); S(f->depth); S(f->child_sp); S(f->entry_pc); S(f->pc); S(f->cont_pc);
        break;
    }
    case HDUMP_TAG_PARAMS: {
        hdump_params *p = &r->u.params;
        S(p->big_endian); S(p->ptr_size); S(p->chan_header_size); S(p->heap_start);
        S(p->heap_end); S(p->arch_char); S(p->ncpu);
        break;
    }
    case HDUMP_TAG_FINALIZER:
    case HDUMP_TAG_QUEUEDFINALIZER: {
        hdump_finalizer *f = &r->u.finalizer;
        S(f->obj); S(f->fn); S(f->fn_pc); S(f->fint); S(f->ot);
        break;
    }
    case HDUMP_TAG_ITAB: S(r->u.itab.addr); S(r->u.itab.type_addr); S(r->u.itab.data_is_ptr); break;
    case HDUMP_TAG_OSTHREAD: S(r->u.osthread.addr); S(r->u.osthread.id); S(r->u.osthread.procid); break;
    case HDUMP_TAG_MEMSTATS: return &r->u.memstats.v[rnd(s) % HDUMP_MEMSTATS_COUNT];
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS: S(r->u.segment.addr); break;
    case HDUMP_TAG_DEFER: {
        hdump_defer *d = &r->u.defer;
        S(d->addr); S(d->g); S(d->argp); S(d->pc); S(d->fn); S(d->fn_pc); S(d->link);
        break;
    }
    case HDUMP_TAG_PANIC: {
        hdump_panic *p = &r->u.panic;
        S(p->addr); S(p->g); S(p->arg_type); S(p->arg_data); S(p->defer); S(p->link);
        break;
    }
    case HDUMP_TAG_MEMPROF: {
        hdump_memprof *m = &r->u.memprof;
        S(m->bucket); S(m->size); S(m->allocs); S(m->frees);
        break;
    }
    case HDUMP_TAG_ALLOCSAMPLE: S(r->u.allocsample.addr); S(r->u.allocsample.bucket); break;
    default: break;
    }
#undef S
    return n ? c[rnd(s) % n] : NULL;
}

/* Edge encodings of one uvarint. */
static size_t edge_varint(uint8_t *out, uint64_t *s) {
    static const uint8_t enc[][11] = {
        {1, 0x00},
        {2, 0x80, 0x00},                                                  /* over-long 0   */
        {2, 0x80, 0x01},                                                  /* 128           */
        {1, 0x7f},
        {10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, /* UINT64_MAX    */
        {10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, /* 10th byte 2   */
        {10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80}, /* 11+ bytes     */
        {5, 0xff, 0xff, 0xff, 0xff, 0x0f},                                /* 2^32-1        */
        {1, 0x80},                                                        /* cut           */
        {9, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40},        /* 2^62          */
    };
    const uint8_t *e = enc[rnd(s) % (sizeof enc / sizeof enc[0])];
    memcpy(out, e + 1, e[0]);
    return e[0];
}

static void free_recs(mrec *m, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(m[i].fields);
        free(m[i].frames);
        free(m[i].bytes);
    }
    free(m);
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
    uint64_t s = seed;
    hdump_version v;
    if (!fz_has_header(data, size, &v) || rnd(&s) % 8 == 0)
        return LLVMFuzzerMutate(data, size, max_size);

    uint8_t *in = malloc(size);
    mrec *m = calloc(MAX_RECS + 1, sizeof *m);
    if (in == NULL || m == NULL) {
        free(in);
        free(m);
        return LLVMFuzzerMutate(data, size, max_size);
    }
    memcpy(in, data, size);
    hdump_reader *r;
    size_t n = 0;
    uint64_t tail = HDUMP_HEADER_SIZE;
    if (hdump_reader_new_mem(NULL, in, size, &r) == HDUMP_OK) {
        while (n < MAX_RECS && hdump_reader_next(r, &m[n].r) == HDUMP_OK) {
            mrec *x = &m[n];
            hdump_fields *f = hdump_record_fields(&x->r);
            if (f && f->count) {
                x->fields = malloc(f->count * sizeof *x->fields);
                if (x->fields) memcpy(x->fields, f->items, f->count * sizeof *x->fields);
                f->items = x->fields;
                if (!x->fields) f->count = 0;
            }
            if (x->r.tag == HDUMP_TAG_MEMPROF && x->r.u.memprof.nstk) {
                x->frames = malloc(x->r.u.memprof.nstk * sizeof *x->frames);
                if (x->frames)
                    memcpy(x->frames, x->r.u.memprof.stack, x->r.u.memprof.nstk * sizeof *x->frames);
                else
                    x->r.u.memprof.nstk = 0;
                x->r.u.memprof.stack = x->frames;
            }
            x->off = x->r.offset;
            x->end = tail = hdump_reader_offset(r);
            n++;
        }
        hdump_reader_free(r);
    }

    size_t out_len = 0;
    int raw = 0;
    unsigned op = (unsigned)(rnd(&s) % 8);
    if (n == 0) op = 7;
    size_t i = n ? (size_t)(rnd(&s) % n) : 0;
    switch (op) {
    case 0: { /* scalar to an edge value */
        uint64_t *x = pick_scalar(&m[i].r, &s);
        if (x) *x = edge(&s);
        break;
    }
    case 1: /* delete */
        free(m[i].fields);
        free(m[i].frames);
        free(m[i].bytes);
        memmove(&m[i], &m[i + 1], (n - i - 1) * sizeof *m);
        n--;
        break;
    case 2: /* duplicate (views shared; only the original owns them) */
        if (n < MAX_RECS) {
            memmove(&m[i + 1], &m[i], (n - i) * sizeof *m);
            m[i + 1].fields = NULL;
            m[i + 1].frames = NULL;
            m[i + 1].bytes = NULL;
            n++;
        }
        break;
    case 3: { /* swap */
        size_t j = (size_t)(rnd(&s) % n);
        hdump_record t = m[i].r;
        m[i].r = m[j].r;
        m[j].r = t;
        break;
    }
    case 4: { /* resize and mutate a byte range */
        hdump_bytes *b = range_of(&m[i].r, rnd(&s));
        if (b == NULL) break;
        size_t cap = (size_t)b->len + 64;
        uint8_t *nb = malloc(cap);
        if (nb == NULL) break;
        if (b->len) memcpy(nb, b->ptr, (size_t)b->len);
        size_t nl = LLVMFuzzerMutate(nb, (size_t)b->len, cap);
        b->ptr = nb;
        b->len = nl;
        free(m[i].bytes);
        m[i].bytes = nb;
        break;
    }
    case 5: { /* a field-list entry or the list's length */
        hdump_fields *f = hdump_record_fields(&m[i].r);
        if (f == NULL || f->count == 0) break;
        hdump_field *it = (hdump_field *)(uintptr_t)f->items;
        size_t j = (size_t)(rnd(&s) % f->count);
        switch (rnd(&s) % 3) {
        case 0: it[j].offset = edge(&s); break;
        case 1: it[j].kind = 1 + rnd(&s) % (v == HDUMP_GO1_3 ? 5 : 3); break;
        default: f->count = j; break;
        }
        break;
    }
    default: /* 6, 7: one uvarint in the encoded bytes */
        raw = 1;
        break;
    }

    if (raw) {
        /* Replace 1..10 bytes at a position inside a record (or the tail). */
        uint64_t lo = n ? m[i].off : HDUMP_HEADER_SIZE, hi = n ? m[i].end : size;
        if (hi <= lo) hi = lo + 1;
        size_t pos = (size_t)(lo + rnd(&s) % (hi - lo));
        if (pos > size) pos = size;
        size_t cut = 1 + (size_t)(rnd(&s) % 10);
        if (cut > size - pos) cut = size - pos;
        uint8_t e[11];
        size_t el = edge_varint(e, &s);
        if (size - cut + el <= max_size) {
            memmove(data + pos + el, in + pos + cut, size - pos - cut);
            memcpy(data + pos, e, el);
            out_len = size - cut + el;
        }
    } else {
        hdump_membuf out;
        hdump_membuf_init(&out, NULL);
        out.max = max_size;
        hdump_writer_opts o;
        hdump_writer_opts_init(&o);
        o.version = v;
        o.typecache_buckets = 0;
        hdump_writer *w;
        int ok = hdump_writer_new(&o, hdump_sink_membuf(&out), &w) == HDUMP_OK;
        for (size_t k = 0; ok && k < n; k++) ok = hdump_writer_put(w, &m[k].r) == HDUMP_OK;
        if (ok) ok = hdump_writer_flush(w) == HDUMP_OK;
        if (w) hdump_writer_free(w);
        if (ok && out.len + (size - tail) <= max_size) {
            memcpy(data, out.data, out.len);
            memcpy(data + out.len, in + tail, size - (size_t)tail);
            out_len = out.len + (size - (size_t)tail);
        }
        hdump_membuf_free(&out);
    }
    free_recs(m, n);
    free(in);
    if (out_len == 0) return LLVMFuzzerMutate(data, size, max_size);
    return out_len;
}
