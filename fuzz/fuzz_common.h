/* fuzz/fuzz_common.h: helpers shared by the fuzz targets.
 *
 *  - FZ_CHECK: a property violation is an abort() (what every engine and the
 *    replay driver treat as a crash).
 *  - fz_heap: the capping allocator installed in every target through
 *    hdump_alloc (libcbor's OSS-Fuzz `limited_malloc`): a live-byte budget,
 *    optional failure of the k-th allocation (libxml2 style), size checks on
 *    realloc/free (the hooks get the size back), and a leak check.
 *  - fz_gen_record: records of every kind for a version, from an fdp, with
 *    edge values (0, maxima, empty lists, long ranges that fit).
 *  - fz_read_*: reader helpers used by several targets.
 *
 * Everything is static so each target is one translation unit plus this
 * header, as OSS-Fuzz expects. */
#ifndef HDUMP_FUZZ_COMMON_H
#define HDUMP_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdp.h"
#include "hdump/hdump.h"

#if defined(__GNUC__) || defined(__clang__)
#define FZ_UNUSED __attribute__((unused))
#else
#define FZ_UNUSED
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond, ...)                                                     \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* ==== Capping allocator ==== */

/* Live bytes a target may hold through the library's hooks. Far below
 * libFuzzer's -malloc_limit_mb (= rss limit, 2560 MB on OSS-Fuzz), so a
 * runaway allocation becomes HDUMP_ERR_NOMEM in the library, not an OOM
 * report of the engine. */
#define FZ_HEAP_BUDGET ((size_t)256 << 20)

typedef struct fz_heap {
    size_t budget;     /* live-byte cap; an allocation past it returns NULL     */
    uint64_t fail_at;  /* 1-based index of the allocation to fail; 0 = never   */
    uint64_t count;    /* allocations (alloc + realloc) attempted               */
    uint64_t failures; /* allocations refused (budget or fail_at)               */
    size_t live, peak, blocks, largest;
} fz_heap;

#define FZ_MAGIC 0x68647a66u /* "fzdh" */
typedef struct fz_hdr {
    size_t n;
    uint32_t magic;
    uint32_t pad;
    uint64_t pad2; /* keep 32-byte headers: 16-byte alignment of the payload */
    uint64_t pad3;
} fz_hdr;

static FZ_UNUSED void fz_heap_init(fz_heap *h, size_t budget, uint64_t fail_at) {
    memset(h, 0, sizeof *h);
    h->budget = budget;
    h->fail_at = fail_at;
}

static int fz_heap_refuse(fz_heap *h, size_t grow) {
    h->count++;
    if ((h->fail_at != 0 && h->count == h->fail_at) || grow > h->budget - h->live) {
        h->failures++;
        return 1;
    }
    return 0;
}

static void *fz_alloc_fn(void *ctx, size_t n) {
    fz_heap *h = ctx;
    FZ_CHECK(n > 0, "zero-size allocation");
    if (fz_heap_refuse(h, n) || n > SIZE_MAX - sizeof(fz_hdr)) return NULL;
    fz_hdr *b = malloc(sizeof(fz_hdr) + n);
    if (b == NULL) return NULL;
    b->n = n;
    b->magic = FZ_MAGIC;
    h->live += n;
    h->blocks++;
    if (h->live > h->peak) h->peak = h->live;
    if (n > h->largest) h->largest = n;
    return b + 1;
}

static void *fz_realloc_fn(void *ctx, void *p, size_t old_n, size_t new_n) {
    fz_heap *h = ctx;
    if (p == NULL) return fz_alloc_fn(ctx, new_n);
    fz_hdr *b = (fz_hdr *)p - 1;
    FZ_CHECK(b->magic == FZ_MAGIC, "realloc of a block not from this heap");
    FZ_CHECK(b->n == old_n, "realloc old size %zu, block has %zu", old_n, b->n);
    FZ_CHECK(new_n > 0, "zero-size realloc");
    if (fz_heap_refuse(h, new_n > old_n ? new_n - old_n : 0) ||
        new_n > SIZE_MAX - sizeof(fz_hdr))
        return NULL;
    fz_hdr *q = realloc(b, sizeof(fz_hdr) + new_n);
    if (q == NULL) return NULL;
    q->n = new_n;
    h->live = h->live - old_n + new_n;
    if (h->live > h->peak) h->peak = h->live;
    if (new_n > h->largest) h->largest = new_n;
    return q + 1;
}

static void fz_free_fn(void *ctx, void *p, size_t n) {
    fz_heap *h = ctx;
    if (p == NULL) return;
    fz_hdr *b = (fz_hdr *)p - 1;
    FZ_CHECK(b->magic == FZ_MAGIC, "free of a block not from this heap");
    FZ_CHECK(b->n == n, "free size %zu, block has %zu", n, b->n);
    b->magic = 0;
    h->live -= n;
    h->blocks--;
    free(b);
}

static FZ_UNUSED hdump_alloc fz_heap_hooks(fz_heap *h) {
    hdump_alloc a;
    a.alloc = fz_alloc_fn;
    a.realloc = fz_realloc_fn;
    a.free = fz_free_fn;
    a.ctx = h;
    return a;
}

/* Every handle has been freed: nothing may be left. */
static FZ_UNUSED void fz_heap_check_empty(const fz_heap *h) {
    FZ_CHECK(h->live == 0 && h->blocks == 0, "leak: %zu bytes in %zu blocks", h->live, h->blocks);
}

/* ==== Kernels ==== */

/* The i-th kernel this CPU runs (i wraps), NULL = "best" when sel is 0. */
static FZ_UNUSED const char *fz_pick_kernel(uint64_t sel) {
    const char *names[8];
    size_t n = 0;
    for (size_t i = 0; i < hdump_kernel_count() && n < 8; i++)
        if (hdump_kernel_supported(hdump_kernel_name(i))) names[n++] = hdump_kernel_name(i);
    if (sel % (n + 1) == 0) return NULL;
    return names[sel % (n + 1) - 1];
}

/* ==== Versions and headers ==== */

static FZ_UNUSED hdump_version fz_version(uint64_t sel) {
    return (hdump_version)(HDUMP_GO1_3 + (int)(sel % 5));
}

/* 1 if data starts with one of the five headers. */
static FZ_UNUSED int fz_has_header(const uint8_t *d, size_t n, hdump_version *v) {
    if (n < HDUMP_HEADER_SIZE) return 0;
    for (int i = HDUMP_GO1_3; i <= HDUMP_GO1_7; i++)
        if (memcmp(d, hdump_version_header((hdump_version)i), HDUMP_HEADER_SIZE) == 0) {
            if (v) *v = (hdump_version)i;
            return 1;
        }
    return 0;
}

/* ==== Record generation (roundtrip, faults) ==== */

#define FZ_MAX_FIELDS 4096  /* longest generated field list  */
#define FZ_MAX_FRAMES 512   /* longest generated memprof stack */
#define FZ_BIG (1u << 20)

/* Pools the views of generated records point into (besides the input
 * itself). Reset with s->nf = s->nfr = 0 before generating a new set. */
#define FZ_MAX_BITMAPS 256 /* bitmap field lists per generated set */
typedef struct fz_store {
    hdump_field fields[4 * FZ_MAX_FIELDS];
    size_t nf;
    hdump_memprof_frame frames[4 * FZ_MAX_FRAMES];
    size_t nfr;
    uint64_t ptr_size;           /* the writer's ptr_size (0 = its default, 8) */
    uint8_t bits[64 * 1024];     /* bitmap field lists (sanitized copies)     */
    size_t nbits;
    struct {
        const uint8_t *bitmap;   /* key: the bitmap written                   */
        hdump_fields list;       /* what the reader must return for it        */
    } exp[FZ_MAX_BITMAPS];
    size_t nexp;
} fz_store;

/* Resets a store before generating a new set of records. */
static FZ_UNUSED void fz_store_reset(fz_store *s, uint64_t ptr_size) {
    s->nf = s->nfr = s->nbits = s->nexp = 0;
    s->ptr_size = ptr_size;
}

/* Deterministic filler for long ranges: no input bytes are spent on them. */
static const uint8_t *fz_big(void) {
    static uint8_t big[FZ_BIG];
    static int ready;
    if (!ready) {
        for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 31u + (i >> 9));
        ready = 1;
    }
    return big;
}

/* A byte range: mostly input bytes from the front; sometimes an edge length
 * served from the filler (empty, 127/128, 16383/16384, up to 1 MiB). */
static hdump_bytes fz_gen_bytes(fdp *p, size_t max_small) {
    static const size_t edge_len[] = {0, 1, 127, 128, 4095, 4096, 4097, 16383, 16384, 65536, FZ_BIG};
    hdump_bytes b;
    uint64_t how = fdp_range(p, 0, 15);
    if (how == 0) {
        size_t len = edge_len[fdp_range(p, 0, sizeof edge_len / sizeof edge_len[0] - 1)];
        b.ptr = len ? fz_big() : NULL;
        b.len = len;
        return b;
    }
    size_t len;
    const uint8_t *d = fdp_bytes(p, (size_t)fdp_range(p, 0, max_small), &len);
    b.ptr = len ? d : NULL;
    b.len = len;
    return b;
}

/* The 2-bit code of word i of a pointer map (docs/format.md §5). */
static unsigned fz_code2(const uint8_t *b, uint64_t i) {
    return (unsigned)(b[i / 4] >> (2 * (i % 4))) & 3u;
}
static void fz_set_code2(uint8_t *b, uint64_t i, unsigned c) {
    unsigned sh = (unsigned)(2 * (i % 4));
    b[i / 4] = (uint8_t)((b[i / 4] & ~(3u << sh)) | (c << sh));
}

/* A pointer map in bitmap form, from the input, made valid for its form
 * (a multi-word code never in the last word; go1.4's second code is 2 or
 * 3), and its expansion into the (kind, offset) list the reader must return:
 * written here independently of the writer's code, from the rules of
 * docs/format.md §5. Returns 0 when the store has no room left. */
static int fz_gen_bitmap(fdp *p, hdump_version v, fz_store *s, hdump_fields *out) {
    hdump_fields_form form = HDUMP_FIELDS_BITMAP1;
    if (fdp_bool(p)) {
        if (v == HDUMP_GO1_4) form = HDUMP_FIELDS_BITMAP2_GO14;
        if (v == HDUMP_GO1_3) form = HDUMP_FIELDS_BITMAP2_GO13;
    }
    uint64_t nwords = fdp_range(p, 0, 15) == 0 ? fdp_range(p, 0, 4096) : fdp_range(p, 0, 160);
    size_t per = form == HDUMP_FIELDS_BITMAP1 ? 8 : 4;
    size_t need = (size_t)(nwords + per - 1) / per;
    uint64_t room_items = sizeof s->fields / sizeof s->fields[0] - s->nf;
    if (s->nexp == FZ_MAX_BITMAPS || sizeof s->bits - s->nbits < need + 1 || room_items < nwords)
        return 0;
    uint8_t *b = s->bits + s->nbits;
    s->nbits += need + 1; /* +1: every bitmap has its own address (the key) */
    memset(b, 0, need);
    size_t got;
    const uint8_t *in = fdp_bytes(p, need, &got);
    if (got) memcpy(b, in, got);
    if (fdp_range(p, 0, 3) == 0) memset(b, 0xff, need); /* dense maps */
    uint64_t psz = s->ptr_size ? s->ptr_size : 8;
    hdump_field *it = s->fields + s->nf;
    uint64_t n = 0;
    if (form == HDUMP_FIELDS_BITMAP1) {
        for (uint64_t i = 0; i < nwords; i++)
            if ((b[i / 8] >> (i % 8)) & 1u) {
                it[n].kind = HDUMP_FIELD_PTR;
                it[n++].offset = i * psz;
            }
    } else {
        int go13 = form == HDUMP_FIELDS_BITMAP2_GO13;
        for (uint64_t i = 0; i < nwords; i++) {
            unsigned c = fz_code2(b, i);
            if (c == 3 && i + 1 >= nwords) fz_set_code2(b, i, c = 2);
            if (c < 2) continue;
            it[n].offset = i * psz;
            if (c == 2) {
                it[n++].kind = HDUMP_FIELD_PTR;
                continue;
            }
            unsigned c2 = fz_code2(b, i + 1);
            if (!go13 && c2 < 2) fz_set_code2(b, i + 1, c2 |= 2);
            if (go13) {
                static const uint64_t k13[4] = {HDUMP_FIELD_GO13_STRING, HDUMP_FIELD_GO13_SLICE,
                                                HDUMP_FIELD_GO13_IFACE, HDUMP_FIELD_GO13_EFACE};
                it[n++].kind = k13[c2];
                i += c2 == 1 ? 2 : 1; /* Slice is three words, the others two */
            } else {
                it[n++].kind = c2 == 2 ? HDUMP_FIELD_GO14_IFACE : HDUMP_FIELD_GO14_EFACE;
                i += 1;
            }
        }
    }
    s->nf += (size_t)n;
    memset(out, 0, sizeof *out);
    out->form = form;
    out->bitmap = b;
    out->nwords = nwords;
    s->exp[s->nexp].bitmap = b;
    memset(&s->exp[s->nexp].list, 0, sizeof s->exp[s->nexp].list);
    s->exp[s->nexp].list.items = n ? it : NULL;
    s->exp[s->nexp].list.count = n;
    s->nexp++;
    return 1;
}

static hdump_fields fz_gen_fields(fdp *p, hdump_version v, fz_store *s) {
    hdump_fields f;
    memset(&f, 0, sizeof f);
    uint64_t maxk = v == HDUMP_GO1_3 ? 5 : 3;
    size_t n;
    switch (fdp_range(p, 0, 9)) {
    case 0: n = 0; break;
    case 1: n = (size_t)fdp_range(p, 0, FZ_MAX_FIELDS); break;
    case 8:
    case 9:
        if (fz_gen_bitmap(p, v, s, &f)) return f;
        n = 0;
        break;
    default: n = (size_t)fdp_range(p, 0, 24); break;
    }
    size_t room = sizeof s->fields / sizeof s->fields[0] - s->nf;
    if (n > room) n = room;
    hdump_field *it = s->fields + s->nf;
    s->nf += n;
    for (size_t i = 0; i < n; i++) {
        it[i].kind = 1 + fdp_range(p, 0, maxk - 1);
        it[i].offset = fdp_bool(p) ? i * 8 : fdp_edge_u64(p);
    }
    f.items = n ? it : NULL;
    f.count = n;
    f.form = HDUMP_FIELDS_LIST;
    return f;
}

/* The record a reader must return for r: r itself, with a field list given
 * as a bitmap replaced by its (kind, offset) expansion. */
static FZ_UNUSED void fz_expect(const fz_store *s, const hdump_record *r, hdump_record *e) {
    *e = *r;
    hdump_fields *f = hdump_record_fields(e);
    if (f == NULL || f->form == HDUMP_FIELDS_LIST || f->bitmap == NULL) return;
    for (size_t i = 0; i < s->nexp; i++)
        if (s->exp[i].bitmap == f->bitmap) {
            *f = s->exp[i].list;
            return;
        }
    FZ_CHECK(0, "bitmap field list %p not generated by this store", (const void *)f->bitmap);
}

/* Fills *r with a record of `tag` (1..17) for version v. */
static void fz_gen_record_tag(fdp *p, hdump_version v, fz_store *s, hdump_record *r,
                              hdump_tag tag) {
    memset(r, 0, sizeof *r);
    r->tag = tag;
#define E fdp_edge_u64(p)
    switch (r->tag) {
    case HDUMP_TAG_EOF: break;
    case HDUMP_TAG_OBJECT:
        r->u.object.addr = E;
        if (v == HDUMP_GO1_3) {
            r->u.object.type_addr = E;
            r->u.object.kind = E;
        }
        r->u.object.contents = fz_gen_bytes(p, 256);
        if (v != HDUMP_GO1_3) r->u.object.fields = fz_gen_fields(p, v, s);
        break;
    case HDUMP_TAG_OTHERROOT:
        r->u.otherroot.description = fz_gen_bytes(p, 40);
        r->u.otherroot.ptr = E;
        break;
    case HDUMP_TAG_TYPE:
        r->u.type.addr = E;
        r->u.type.size = E;
        r->u.type.name = fz_gen_bytes(p, 60);
        r->u.type.indirect = E;
        if (v == HDUMP_GO1_3) r->u.type.fields = fz_gen_fields(p, v, s);
        break;
    case HDUMP_TAG_GOROUTINE: {
        hdump_goroutine *g = &r->u.goroutine;
        g->addr = E; g->sp = E; g->goid = E; g->gopc = E; g->status = E;
        g->is_system = E; g->is_background = E; g->wait_since = E;
        g->wait_reason = fz_gen_bytes(p, 40);
        g->ctxt = E; g->m = E; g->top_defer = E; g->top_panic = E;
        break;
    }
    case HDUMP_TAG_STACKFRAME: {
        hdump_stackframe *f = &r->u.frame;
        f->sp = E; f->depth = E; f->child_sp = E;
        f->contents = fz_gen_bytes(p, 256);
        f->entry_pc = E; f->pc = E; f->cont_pc = E;
        f->name = fz_gen_bytes(p, 80);
        f->fields = fz_gen_fields(p, v, s);
        break;
    }
    case HDUMP_TAG_PARAMS: {
        hdump_params *q = &r->u.params;
        q->big_endian = E; q->ptr_size = E;
        if (v == HDUMP_GO1_3) q->chan_header_size = E;
        q->heap_start = E; q->heap_end = E;
        if (v == HDUMP_GO1_7)
            q->arch = fz_gen_bytes(p, 16);
        else
            q->arch_char = E;
        q->experiment = fz_gen_bytes(p, 40);
        q->ncpu = E;
        break;
    }
    case HDUMP_TAG_FINALIZER:
    case HDUMP_TAG_QUEUEDFINALIZER: {
        hdump_finalizer *f = &r->u.finalizer;
        f->obj = E; f->fn = E; f->fn_pc = E; f->fint = E; f->ot = E;
        break;
    }
    case HDUMP_TAG_ITAB:
        r->u.itab.addr = E;
        if (v == HDUMP_GO1_3)
            r->u.itab.data_is_ptr = E;
        else
            r->u.itab.type_addr = E;
        break;
    case HDUMP_TAG_OSTHREAD:
        r->u.osthread.addr = E; r->u.osthread.id = E; r->u.osthread.procid = E;
        break;
    case HDUMP_TAG_MEMSTATS: {
        uint64_t fill = fdp_range(p, 0, 3);
        for (int i = 0; i < HDUMP_MEMSTATS_COUNT; i++)
            r->u.memstats.v[i] = fill == 0 ? 0 : fill == 1 ? UINT64_MAX : E;
        break;
    }
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS:
        r->u.segment.addr = E;
        r->u.segment.contents = fz_gen_bytes(p, 256);
        r->u.segment.fields = fz_gen_fields(p, v, s);
        break;
    case HDUMP_TAG_DEFER: {
        hdump_defer *d = &r->u.defer;
        d->addr = E; d->g = E; d->argp = E; d->pc = E; d->fn = E; d->fn_pc = E; d->link = E;
        break;
    }
    case HDUMP_TAG_PANIC: {
        hdump_panic *q = &r->u.panic;
        q->addr = E; q->g = E; q->arg_type = E; q->arg_data = E; q->defer = E; q->link = E;
        break;
    }
    case HDUMP_TAG_MEMPROF: {
        hdump_memprof *m = &r->u.memprof;
        m->bucket = E; m->size = E;
        size_t n = fdp_range(p, 0, 7) == 0 ? (size_t)fdp_range(p, 0, FZ_MAX_FRAMES)
                                            : (size_t)fdp_range(p, 0, 8);
        size_t room = sizeof s->frames / sizeof s->frames[0] - s->nfr;
        if (n > room) n = room;
        hdump_memprof_frame *fr = s->frames + s->nfr;
        s->nfr += n;
        for (size_t i = 0; i < n; i++) {
            fr[i].func = fz_gen_bytes(p, 40);
            fr[i].file = fz_gen_bytes(p, 40);
            fr[i].line = E;
        }
        m->stack = n ? fr : NULL;
        m->nstk = n;
        m->allocs = E; m->frees = E;
        break;
    }
    case HDUMP_TAG_ALLOCSAMPLE:
        r->u.allocsample.addr = E; r->u.allocsample.bucket = E;
        break;
    }
#undef E
}

/* Fills *r with a record (tag chosen by the fdp, never EOF) for version v. */
static FZ_UNUSED void fz_gen_record(fdp *p, hdump_version v, fz_store *s, hdump_record *r) {
    hdump_tag tag = (hdump_tag)fdp_range(p, 1, HDUMP_TAG_COUNT - 1);
    fz_gen_record_tag(p, v, s, r, tag);
}

/* Writes r with the per-tag call when `per_tag` and the call is exactly
 * equivalent to hdump_writer_put (see writer.h), else with hdump_writer_put. */
static FZ_UNUSED hdump_status fz_put(hdump_writer *w, hdump_version v, const hdump_record *r,
                                     int per_tag, int typecache_off) {
    if (per_tag) {
        switch (r->tag) {
        case HDUMP_TAG_OBJECT:
            if (v == HDUMP_GO1_3 || r->u.object.contents.len > SIZE_MAX) break;
            return hdump_writer_put_object(w, r->u.object.addr, r->u.object.contents.ptr,
                                           (size_t)r->u.object.contents.len,
                                           (r->u.object.fields.count ||
                                            r->u.object.fields.form != HDUMP_FIELDS_LIST)
                                               ? &r->u.object.fields
                                               : NULL);
        case HDUMP_TAG_OTHERROOT: return hdump_writer_put_otherroot(w, &r->u.otherroot);
        case HDUMP_TAG_TYPE:
            if (!typecache_off || r->u.type.addr == 0) break;
            return hdump_writer_put_type(w, &r->u.type, (uint32_t)r->u.type.addr);
        case HDUMP_TAG_GOROUTINE: return hdump_writer_put_goroutine(w, &r->u.goroutine);
        case HDUMP_TAG_STACKFRAME: return hdump_writer_put_stackframe(w, &r->u.frame);
        case HDUMP_TAG_PARAMS: return hdump_writer_put_params(w, &r->u.params);
        case HDUMP_TAG_FINALIZER: return hdump_writer_put_finalizer(w, &r->u.finalizer);
        case HDUMP_TAG_ITAB: return hdump_writer_put_itab(w, &r->u.itab, NULL, 0);
        case HDUMP_TAG_OSTHREAD: return hdump_writer_put_osthread(w, &r->u.osthread);
        case HDUMP_TAG_MEMSTATS: return hdump_writer_put_memstats(w, &r->u.memstats);
        case HDUMP_TAG_QUEUEDFINALIZER:
            return hdump_writer_put_queuedfinalizer(w, &r->u.finalizer);
        case HDUMP_TAG_DATA: return hdump_writer_put_data(w, &r->u.segment);
        case HDUMP_TAG_BSS: return hdump_writer_put_bss(w, &r->u.segment);
        case HDUMP_TAG_DEFER: return hdump_writer_put_defer(w, &r->u.defer);
        case HDUMP_TAG_PANIC: return hdump_writer_put_panic(w, &r->u.panic);
        case HDUMP_TAG_MEMPROF: return hdump_writer_put_memprof(w, &r->u.memprof);
        case HDUMP_TAG_ALLOCSAMPLE: return hdump_writer_put_allocsample(w, &r->u.allocsample);
        default: break;
        }
    }
    return hdump_writer_put(w, r);
}

/* ==== Streaming source over memory, chunk sizes from a schedule ==== */

typedef struct fz_chunks {
    const uint8_t *data;
    size_t len, pos;
    const uint8_t *sched; /* chunk sizes, cycled; each byte b -> 1 + b (or more) */
    size_t nsched, at;
    size_t scale;         /* chunk = (1 + b) * scale                         */
    uint64_t reads;
} fz_chunks;

static FZ_UNUSED hdump_status fz_chunks_read(void *ctx, void *buf, size_t cap, size_t *got) {
    fz_chunks *c = ctx;
    size_t want = 1;
    if (c->nsched) {
        want = ((size_t)c->sched[c->at % c->nsched] + 1) * c->scale;
        c->at++;
    }
    size_t k = c->len - c->pos;
    if (k > want) k = want;
    if (k > cap) k = cap;
    if (k) memcpy(buf, c->data + c->pos, k);
    c->pos += k;
    c->reads++;
    *got = k;
    return HDUMP_OK;
}

/* ==== Record checks against the input (read, read_chunked) ==== */

/* The view lies inside [lo, hi) of the input. */
static FZ_UNUSED void fz_check_view(const hdump_bytes *b, const uint8_t *lo, const uint8_t *hi,
                                    const char *what) {
    if (b->len == 0) return;
    FZ_CHECK(b->ptr != NULL, "%s: NULL view of %llu bytes from a memory reader", what,
             (unsigned long long)b->len);
    FZ_CHECK(b->ptr >= lo && b->ptr <= hi && b->len <= (uint64_t)(hi - b->ptr),
             "%s: view [%p,+%llu) outside the record [%p,%p)", what, (const void *)b->ptr,
             (unsigned long long)b->len, (const void *)lo, (const void *)hi);
}

#endif /* HDUMP_FUZZ_COMMON_H */
