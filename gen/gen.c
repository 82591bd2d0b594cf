/* gen/gen.c: the generator's record order, the runtime's (docs/format.md §3):
 * params, types and itabs, (go1.3: other roots), objects, goroutines with
 * their frames, defers and panics, OS threads, data, bss, finalizers, queued
 * finalizers, memstats, memprof buckets, alloc samples, EOF. */
#include <stdio.h>
#include <string.h>

#include "gen_internal.h"

enum {
    PH_PARAMS, PH_ITABS, PH_OTHERROOTS, PH_OBJECTS, PH_GOROUTINES, PH_THREADS, PH_DATA, PH_BSS,
    PH_FINALIZERS, PH_QUEUED, PH_MEMSTATS, PH_MEMPROF, PH_SAMPLES, PH_EOF, PH_DONE
};

static const char *const profile_names[] = {"mixed",    "small",      "large",
                                             "pointers", "goroutines", "gobench"};
#define NPROFILES (sizeof profile_names / sizeof profile_names[0])

const char *hdump_gen_profile_name(hdump_gen_profile p) {
    return (unsigned)p < NPROFILES ? profile_names[p] : NULL;
}

hdump_status hdump_gen_profile_parse(const char *name, hdump_gen_profile *out) {
    for (unsigned i = 0; name != NULL && i < NPROFILES; i++)
        if (strcmp(name, profile_names[i]) == 0) {
            *out = (hdump_gen_profile)i;
            return HDUMP_OK;
        }
    return HDUMP_ERR_USAGE;
}

void hdump_gen_opts_init(hdump_gen_opts *o) {
    memset(o, 0, sizeof *o);
    o->objects = 1000;
    o->seed = 1;
    o->profile = HDUMP_GEN_MIXED;
    o->version = HDUMP_GO1_7;
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

hdump_status hdump_gen_new(const hdump_gen_opts *o, hdump_gen **out) {
    if (out == NULL) return HDUMP_ERR_USAGE;
    *out = NULL;
    hdump_gen_opts d;
    if (o == NULL) {
        hdump_gen_opts_init(&d);
        o = &d;
    }
    if (o->version < HDUMP_GO1_3 || o->version > HDUMP_GO1_7 || (unsigned)o->profile >= NPROFILES)
        return HDUMP_ERR_USAGE;
    hdump_alloc a;
    hdi_alloc_resolve(&a, o->alloc);
    hdump_gen *g = a.alloc(a.ctx, sizeof *g);
    if (g == NULL) return HDUMP_ERR_NOMEM;
    memset(g, 0, sizeof *g);
    g->a = a;
    g->o = *o;
    g->o.alloc = NULL;
    g->version = (int)o->version;
    g->buf = a.alloc(a.ctx, GEN_LARGE_MAX);
    void *fl = NULL;
    if (g->buf == NULL || hdi_grow(&a, &fl, &g->fields_cap, sizeof(hdump_field), 64, 64) != HDUMP_OK ||
        hdi_typecache_init(&g->tc, &a, 256, 4) != HDUMP_OK) {
        g->fields = fl;
        hdump_gen_free(g);
        return HDUMP_ERR_NOMEM;
    }
    g->fields = fl;
    g->rng = o->seed * 0x9e3779b97f4a7c15ull + 0xdeadbeefu;
    for (size_t i = 0; i < GEN_NOISE; i++) g->noise[i] = (uint8_t)gen_rand(&g->rng);

    /* Pre-pass over the layout alone: params come first and must give the
     * heap range, so find where the last object lands (no contents made). */
    hdi_gen_layout_init(&g->lay, o);
    hdi_gen_layout_skip(&g->lay, o->profile, o->objects);
    if (g->lay.cursor >= GEN_ADDR_LIMIT) {
        /* the reservoir packs addresses in 44 bits (gen_res) */
        hdump_gen_free(g);
        return HDUMP_ERR_LIMIT;
    }
    uint64_t used = g->lay.cursor - GEN_HEAP_START;
    g->heap_end = GEN_HEAP_START + (used + GEN_ARENA - 1) / GEN_ARENA * GEN_ARENA;
    if (g->heap_end == GEN_HEAP_START) g->heap_end += GEN_ARENA;
    hdi_gen_layout_init(&g->lay, o);

    int many = o->profile == HDUMP_GEN_GOROUTINES;
    g->ngoroutines = many ? 64 + min64(o->objects / 200, 1000000) : 16 + min64(o->objects / 20000, 100000);
    g->nthreads = 4 + min64(g->ngoroutines / 1000, 60);
    g->nfinalizers = 4 + min64(o->objects / 5000, 10000);
    g->nqueued = 2 + min64(o->objects / 10000, 5000);
    g->nbuckets = 8 + min64(o->objects / 20000, 50000);
    g->eof.tag = HDUMP_TAG_EOF;
    *out = g;
    return HDUMP_OK;
}

void hdump_gen_free(hdump_gen *g) {
    if (g == NULL) return;
    hdump_alloc a = g->a;
    if (g->buf) a.free(a.ctx, g->buf, GEN_LARGE_MAX);
    if (g->fields) a.free(a.ctx, g->fields, g->fields_cap * sizeof *g->fields);
    hdi_typecache_free(&g->tc, &a);
    a.free(a.ctx, g, sizeof *g);
}

void hdump_gen_counts(const hdump_gen *g, uint64_t *records, uint64_t *objects,
                      uint64_t *object_bytes) {
    if (records) *records = g->records;
    if (objects) *objects = g->objects;
    if (object_bytes) *object_bytes = g->object_bytes;
}

hdump_bytes hdump_gen_stable(const hdump_gen *g) {
    /* g->noise is filled once by hdump_gen_new and only read afterwards */
    hdump_bytes b = {NULL, 0};
    if (g != NULL) {
        b.ptr = g->noise;
        b.len = GEN_NOISE;
    }
    return b;
}

static hdump_bytes cstr(const char *s) {
    hdump_bytes b = {(const uint8_t *)s, strlen(s)};
    return b;
}

static void params(hdump_gen *g, hdump_record *rec) {
    hdump_params *p = &rec->u.params;
    rec->tag = HDUMP_TAG_PARAMS;
    p->big_endian = 0;
    p->ptr_size = 8;
    p->heap_start = GEN_HEAP_START;
    p->heap_end = g->heap_end;
    /* docs/format.md §2.1: thechar '6' before go1.7, the GOARCH string after;
     * go1.3 also had the channel header size. */
    if (g->version == HDUMP_GO1_3) p->chan_header_size = 88;
    if (g->version == HDUMP_GO1_7) {
        p->arch = cstr("amd64");
        p->experiment = cstr("hdump-gen");
    } else {
        p->arch_char = '6';
        p->experiment = cstr("");
    }
    p->ncpu = 2;
}

/* Type k: a fixed table of 80 types; hash k % 16 puts five in each of 16
 * buckets, so a 4-way cache evicts and some types are written again. */
static void type_record(hdump_gen *g, hdump_record *rec, uint64_t k) {
    hdump_type *t = &rec->u.type;
    rec->tag = HDUMP_TAG_TYPE;
    t->addr = GEN_TYPES + k * 0x60;
    t->size = 8 * (1 + k % 12);
    snprintf(g->names[2], sizeof g->names[2], "main.T%u", (unsigned)k);
    t->name = cstr(g->names[2]);
    t->indirect = 1;
    if (g->version == HDUMP_GO1_3) {
        /* go1.3 types carry their pointer fields: the even words. */
        size_t n = 0;
        for (uint64_t w = 0; w < t->size / 8; w += 2) {
            g->fields[n].kind = HDUMP_FIELD_PTR;
            g->fields[n].offset = w * 8;
            n++;
        }
        t->fields.items = g->fields;
        t->fields.count = n;
    }
}

/* Returns 1 and a record, or 0 when the phase is over. */
static int step(hdump_gen *g, hdump_record *rec) {
    switch (g->phase) {
    case PH_PARAMS:
        if (g->i++) return 0;
        params(g, rec);
        return 1;
    case PH_ITABS: {
        if (g->i >= GEN_NITABS) return 0;
        /* Two itabs in three name one of 16 hot types (cache hits); the rest
         * walk the other 64 and come round again, five types to a bucket
         * in all, so the 4-way cache evicts and some types are written
         * again, as the runtime's dump allows. */
        uint64_t k = g->i % 3 ? (g->i * 7 + g->o.seed) % 16
                              : 16 + ((g->i / 3) * 5 + g->o.seed) % (GEN_NTYPES - 16);
        /* The runtime dumps an itab's type through the cache, then the itab. */
        if (!g->pending_itab) {
            g->pending_itab = 1;
            if (!hdi_typecache_lookup(&g->tc, GEN_TYPES + k * 0x60, (uint32_t)(k % 16))) {
                type_record(g, rec, k);
                return 1;
            }
        }
        g->pending_itab = 0;
        rec->tag = HDUMP_TAG_ITAB;
        rec->u.itab.addr = GEN_ITABS + g->i * 0x20;
        if (g->version == HDUMP_GO1_3)
            rec->u.itab.data_is_ptr = 1;
        else
            rec->u.itab.type_addr = GEN_TYPES + k * 0x60;
        g->i++;
        return 1;
    }
    case PH_OTHERROOTS:
        /* go1.3 wrote other roots (the runtime's type info); later versions none. */
        if (g->version != HDUMP_GO1_3 || g->i >= 2) return 0;
        rec->tag = HDUMP_TAG_OTHERROOT;
        rec->u.otherroot.description = cstr(g->i ? "finalizer queue" : "runtime type info");
        rec->u.otherroot.ptr = GEN_BSS + 0x100 * (g->i + 1);
        g->i++;
        return 1;
    case PH_OBJECTS:
        if (g->i >= g->o.objects) return 0;
        g->i++;
        return hdi_gen_object(g, rec) == HDUMP_OK ? 1 : -1;
    case PH_GOROUTINES: {
        /* j: 0 = goroutine record next; then frames, defers, panics. */
        if (g->j == 0) {
            if (g->i >= g->ngoroutines) return 0;
            hdi_gen_goroutine_plan(g, g->i);
            rec->tag = HDUMP_TAG_GOROUTINE;
            hdi_gen_goroutine_record(g, rec, g->i);
            g->j = 1;
            return 1;
        }
        uint64_t s = g->j - 1;
        g->j++;
        if (s < g->g_frames) {
            rec->tag = HDUMP_TAG_STACKFRAME;
            return hdi_gen_frame(g, rec, g->i, s) == HDUMP_OK ? 1 : -1;
        }
        s -= g->g_frames;
        if (s < g->g_defers) {
            rec->tag = HDUMP_TAG_DEFER;
            hdi_gen_defer(g, rec, g->i, s);
            return 1;
        }
        s -= g->g_defers;
        if (s < g->g_panics) {
            rec->tag = HDUMP_TAG_PANIC;
            hdi_gen_panic(g, rec, g->i);
            return 1;
        }
        g->j = 0;
        g->i++;
        return step(g, rec);
    }
    case PH_THREADS:
        if (g->i >= g->nthreads) return 0;
        rec->tag = HDUMP_TAG_OSTHREAD;
        rec->u.osthread.addr = GEN_MS + g->i * 0x400;
        rec->u.osthread.id = g->i;
        rec->u.osthread.procid = 4000 + g->i;
        g->i++;
        return 1;
    case PH_DATA:
    case PH_BSS:
        if (g->i++) return 0;
        rec->tag = g->phase == PH_DATA ? HDUMP_TAG_DATA : HDUMP_TAG_BSS;
        return hdi_gen_segment(g, rec, g->phase == PH_DATA ? GEN_DATA : GEN_BSS,
                               g->phase == PH_DATA ? GEN_DATA_LEN : GEN_BSS_LEN) == HDUMP_OK
                   ? 1
                   : -1;
    case PH_FINALIZERS:
    case PH_QUEUED: {
        uint64_t n = g->phase == PH_FINALIZERS ? g->nfinalizers : g->nqueued;
        if (g->i >= n || g->res_n == 0) return 0;
        uint64_t r = gen_rand(&g->rng);
        hdump_finalizer *f = &rec->u.finalizer;
        rec->tag = g->phase == PH_FINALIZERS ? HDUMP_TAG_FINALIZER : HDUMP_TAG_QUEUEDFINALIZER;
        f->obj = GEN_RES_ADDR(g->res[r % g->res_n]);
        f->fn = GEN_FUNCVALS + (g->i % 64) * 16;
        f->fn_pc = GEN_TEXT + 0x8000 + (g->i % 64) * 0x40;
        f->fint = GEN_TYPES + ((r >> 20) % GEN_NTYPES) * 0x60;
        f->ot = GEN_TYPES + ((r >> 30) % GEN_NTYPES) * 0x60;
        g->i++;
        return 1;
    }
    case PH_MEMSTATS: {
        if (g->i++) return 0;
        rec->tag = HDUMP_TAG_MEMSTATS;
        uint64_t *v = rec->u.memstats.v;
        memset(v, 0, sizeof rec->u.memstats);
        /* Consistent with the objects (docs/format.md §4 tag 10). */
        uint64_t freed = g->objects / 3, freed_bytes = g->object_bytes / 3;
        uint64_t heap_sys = g->heap_end - GEN_HEAP_START;
        v[HDUMP_MS_ALLOC] = g->object_bytes;
        v[HDUMP_MS_TOTAL_ALLOC] = g->object_bytes + freed_bytes;
        v[HDUMP_MS_MALLOCS] = g->objects + freed;
        v[HDUMP_MS_FREES] = freed;
        v[HDUMP_MS_HEAP_ALLOC] = g->object_bytes;
        v[HDUMP_MS_HEAP_SYS] = heap_sys;
        v[HDUMP_MS_HEAP_INUSE] = g->lay.span_bytes;
        v[HDUMP_MS_HEAP_IDLE] = heap_sys - g->lay.span_bytes;
        v[HDUMP_MS_HEAP_RELEASED] = (heap_sys - g->lay.span_bytes) / 2;
        v[HDUMP_MS_HEAP_OBJECTS] = g->objects;
        v[HDUMP_MS_STACK_INUSE] = g->ngoroutines * GEN_STACK_SIZE;
        v[HDUMP_MS_STACK_SYS] = g->ngoroutines * GEN_STACK_SIZE;
        v[HDUMP_MS_MSPAN_INUSE] = g->lay.nspans * 160;
        v[HDUMP_MS_MSPAN_SYS] = g->lay.nspans * 160 + 16384;
        v[HDUMP_MS_MCACHE_INUSE] = 2 * 16384;
        v[HDUMP_MS_MCACHE_SYS] = 2 * 16384;
        v[HDUMP_MS_BUCKHASH_SYS] = 1u << 20;
        v[HDUMP_MS_GC_SYS] = heap_sys / 32;
        v[HDUMP_MS_OTHER_SYS] = 1u << 20;
        v[HDUMP_MS_NEXT_GC] = 2 * g->object_bytes + 4194304;
        v[HDUMP_MS_NUM_GC] = 3 + g->o.seed % 50;
        uint64_t pause = 0;
        for (uint64_t k = 0; k < v[HDUMP_MS_NUM_GC] && k < 256; k++) {
            v[HDUMP_MS_PAUSE_NS + k] = 20000 + gen_rand(&g->rng) % 200000;
            pause += v[HDUMP_MS_PAUSE_NS + k];
        }
        v[HDUMP_MS_PAUSE_TOTAL_NS] = pause;
        v[HDUMP_MS_LAST_GC] = 1763800000000000000ull + g->o.seed;
        v[HDUMP_MS_SYS] = heap_sys + v[HDUMP_MS_STACK_SYS] + v[HDUMP_MS_MSPAN_SYS] +
                          v[HDUMP_MS_MCACHE_SYS] + v[HDUMP_MS_BUCKHASH_SYS] +
                          v[HDUMP_MS_GC_SYS] + v[HDUMP_MS_OTHER_SYS];
        return 1;
    }
    case PH_MEMPROF: {
        if (g->i >= g->nbuckets) return 0;
        uint64_t r = gen_rand(&g->rng);
        hdump_memprof *m = &rec->u.memprof;
        rec->tag = HDUMP_TAG_MEMPROF;
        m->bucket = GEN_BUCKETS + g->i * 0x200;
        m->size = 16u << (r % 10);
        m->nstk = 1 + (r >> 8) % GEN_MAX_STACK;
        for (uint64_t k = 0; k < m->nstk; k++) {
            char *fn = g->names[4 + 2 * k], *file = g->names[5 + 2 * k];
            snprintf(fn, 64, "main.alloc%u", (unsigned)((r >> (k % 40)) % 97));
            snprintf(file, 64, "/src/app/file%u.go", (unsigned)(k % 7));
            g->frames[k].func = cstr(fn);
            g->frames[k].file = cstr(file);
            g->frames[k].line = 10 + (r >> 16) % 900 + k;
        }
        m->stack = g->frames;
        m->allocs = 1 + (r >> 24) % 10000;
        m->frees = m->allocs - (r >> 40) % m->allocs;
        g->i++;
        return 1;
    }
    case PH_SAMPLES:
        if (g->i >= g->nsamples) return 0;
        rec->tag = HDUMP_TAG_ALLOCSAMPLE;
        rec->u.allocsample.addr = g->samples[g->i];
        rec->u.allocsample.bucket = GEN_BUCKETS + (g->samples[g->i] / 16 % g->nbuckets) * 0x200;
        g->i++;
        return 1;
    default:
        return 0;
    }
}

hdump_status hdump_gen_next(hdump_gen *g, hdump_record *rec) {
    if (g == NULL || rec == NULL) return HDUMP_ERR_USAGE;
    if (g->phase == PH_OBJECTS && g->i < g->o.objects) {
        /* The bulk of every dump: no union to clear, hdi_gen_object sets
         * every field of the object record. */
        g->i++;
        rec->offset = 0;
        if (hdi_gen_object(g, rec) != HDUMP_OK) return HDUMP_ERR_NOMEM;
        rec->index = g->records++;
        return HDUMP_OK;
    }
    for (;;) {
        if (g->phase >= PH_EOF) {
            *rec = g->eof;
            rec->index = g->records;
            if (g->phase == PH_EOF) {
                g->phase = PH_DONE;
                g->records++;
            } else {
                rec->index = g->records - 1;
            }
            return HDUMP_END;
        }
        memset(&rec->u, 0, sizeof(rec->u.goroutine) > sizeof(rec->u.frame)
                               ? sizeof(rec->u.goroutine)
                               : sizeof(rec->u.frame));
        if (g->phase == PH_MEMSTATS) memset(&rec->u, 0, sizeof rec->u);
        rec->offset = 0;
        int k = step(g, rec);
        if (k < 0) return HDUMP_ERR_NOMEM;
        if (k > 0) {
            rec->index = g->records++;
            return HDUMP_OK;
        }
        g->phase++;
        g->i = g->j = 0;
    }
}

hdump_status hdump_gen_write(hdump_gen *g, hdump_writer *w) {
    hdump_record rec;
    hdump_status st;
    while ((st = hdump_gen_next(g, &rec)) == HDUMP_OK) HDI_TRY(hdump_writer_put(w, &rec));
    if (st != HDUMP_END) return st;
    return hdump_writer_finish(w);
}
