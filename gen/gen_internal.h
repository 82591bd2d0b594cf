/* gen/gen_internal.h: the generator state, shared by the generator sources. */
#ifndef HDUMP_GEN_INTERNAL_H
#define HDUMP_GEN_INTERNAL_H

#include "../common/internal.h"
#include "../common/typecache.h"
#include "hdump/gen.h"

/* ---- Address map of a generated dump (docs/generator.md) ---- */
#define GEN_HEAP_START 0xc000000000ull  /* first 64 MiB arena                       */
#define GEN_ARENA 0x4000000ull           /* 64 MiB                                   */
#define GEN_PAGE 8192u
#define GEN_TYPES 0x4a0000ull            /* type descriptors, 0x60 apart             */
#define GEN_ITABS 0x4e0000ull            /* itabs, 0x20 apart                        */
#define GEN_TEXT 0x401000ull             /* function entry points                    */
#define GEN_DATA 0x5a0000ull             /* data segment                             */
#define GEN_BSS 0x600000ull              /* bss segment                              */
#define GEN_FUNCVALS 0x5b0000ull         /* finalizer FuncVals                       */
#define GEN_MS 0x800000ull               /* M structures, 0x400 apart                */
#define GEN_GS 0xc800000000ull           /* G structures, 0x200 apart                */
#define GEN_STACKS 0xc900000000ull       /* one 64 KiB stack per goroutine           */
#define GEN_STACK_SIZE 0x10000ull
#define GEN_BUCKETS 0x7f0000000000ull    /* memprof bucket ids, 0x200 apart          */

#define GEN_NTYPES 80u
#define GEN_NITABS 200u
#define GEN_DATA_LEN 16384u
#define GEN_BSS_LEN 65536u
#define GEN_RESERVOIR 4096u
#define GEN_MAX_SAMPLES 4096u
#define GEN_MAX_FRAMES 48u
#define GEN_MAX_STACK 32u
#define GEN_LARGE_MAX (1u << 20)
#define GEN_NOISE (1u << 16)

/* One span of objects, or one large object. */
typedef struct gen_span {
    uint64_t base;
    uint64_t elem;   /* object (slot) size */
    uint64_t nelem;  /* slots in the span */
    uint64_t bytes;  /* span size (pages) */
    uint64_t slot;   /* next slot to consider */
    int kind;        /* GEN_SPAN_*: what its objects hold */
} gen_span;

/* What a span's objects hold. ANY: each object draws pointerful or not
 * (every profile but gobench); the others are gobench's span kinds, which,
 * as in Go, are scan or noscan spans. */
enum { GEN_SPAN_ANY = 0, GEN_SPAN_NOSCAN, GEN_SPAN_NODE, GEN_SPAN_SLAB };

/* A reservoir entry: an object's address (bits 0-43) and size in words
 * (bits 44-63) in one word, so that the 4096 entries (32 KiB) stay in L1
 * while a pointer target is picked for every pointer word generated.
 * Addresses stay below GEN_ADDR_LIMIT = 2^44 (hdump_gen_new's layout pre-pass
 * refuses a heap that would reach it) and objects are at most 1 MiB. */
typedef uint64_t gen_res;
#define GEN_ADDR_LIMIT (1ull << 44)
#define GEN_RES(addr, size) ((addr) | ((size) / 8) << 44)
#define GEN_RES_ADDR(e) ((e) & ((1ull << 44) - 1))
#define GEN_RES_WORDS(e) ((e) >> 44)

/* The layout walk: which slots hold objects, where spans go. It uses its own
 * random stream so a pre-pass can size the heap without making contents. */
typedef struct gen_layout {
    uint64_t rng;
    uint64_t cursor;      /* next free address */
    uint64_t placed;      /* objects placed */
    uint64_t span_bytes;  /* bytes of spans in use */
    uint64_t nspans;
    uint64_t pool;        /* random bits for the free-slot draws */
    unsigned pool_n;      /* draws left in pool */
    gen_span span;
} gen_layout;

struct hdump_gen {
    hdump_alloc a;
    hdump_gen_opts o;
    int version;
    uint64_t rng; /* contents, pointers, goroutines */

    int phase;
    uint64_t i, j, k;
    uint64_t records;
    int pending_itab;

    gen_layout lay;
    uint64_t heap_end;
    uint64_t objects, object_bytes;

    hdi_typecache tc;
    gen_res res[GEN_RESERVOIR]; /* earlier objects, pointer targets */
    size_t res_n;
    uint64_t samples[GEN_MAX_SAMPLES];
    size_t nsamples;

    uint64_t ngoroutines, nthreads, nfinalizers, nqueued, nbuckets;

    /* Current goroutine. */
    uint64_t g_frames, g_defers, g_panics;
    uint64_t frame_sp[GEN_MAX_FRAMES + 1];
    uint32_t frame_len[GEN_MAX_FRAMES];

    uint8_t *buf; /* contents scratch, GEN_LARGE_MAX bytes */
    hdump_field *fields;
    size_t fields_cap;
    uint8_t noise[GEN_NOISE];
    char names[2 * GEN_MAX_STACK + 4][64];
    hdump_memprof_frame frames[GEN_MAX_STACK];
    hdump_record eof;
};

static inline uint64_t gen_rand(uint64_t *s) {
    /* splitmix64: fast, and good enough for shapes */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* gen/layout.c */
HDI_HIDDEN void hdi_gen_layout_init(gen_layout *l, const hdump_gen_opts *o);
/* Starts the next span (or large object) at the cursor. */
HDI_HIDDEN void hdi_gen_layout_span(gen_layout *l, hdump_gen_profile p);

/* Places the next object: *addr, *size. REQUIRES: more objects wanted.
 * Inline: it runs once per object, a new span only every few dozen. */
static inline void hdi_gen_layout_next(gen_layout *l, hdump_gen_profile p, uint64_t *addr,
                                       uint64_t *size) {
    gen_span *s = &l->span;
    for (;;) {
        while (s->slot < s->nelem) {
            uint64_t slot = s->slot++;
            /* One slot in eight is free, as in a heap that has been
             * collected: 3 random bits a slot, 21 slots a random word. */
            if (l->pool_n == 0) {
                l->pool = gen_rand(&l->rng);
                l->pool_n = 21;
            }
            uint64_t free_slot = (l->pool & 7) == 0;
            l->pool >>= 3;
            l->pool_n--;
            if (free_slot && s->nelem > 1) continue;
            *addr = s->base + slot * s->elem;
            *size = s->elem;
            l->placed++;
            return;
        }
        hdi_gen_layout_span(l, p);
    }
}

/* Places n objects without their addresses (the pre-pass), as fast as whole
 * pool draws allow; stops early once the cursor reaches GEN_ADDR_LIMIT. */
HDI_HIDDEN void hdi_gen_layout_skip(gen_layout *l, hdump_gen_profile p, uint64_t n);

/* gen/heap.c: object, data and bss contents with their pointer fields. */
HDI_HIDDEN void hdi_gen_noise(hdump_gen *g, uint8_t *p, uint64_t len);
HDI_HIDDEN hdump_status hdi_gen_object(hdump_gen *g, hdump_record *rec);
HDI_HIDDEN hdump_status hdi_gen_segment(hdump_gen *g, hdump_record *rec, uint64_t base,
                                        uint64_t len);
HDI_HIDDEN hdump_status hdi_gen_fill(hdump_gen *g, uint8_t *p, uint64_t base, uint64_t len,
                                     int dense, int stack_ok, hdump_fields *f);
HDI_HIDDEN uint64_t hdi_gen_target(hdump_gen *g, uint64_t stack_lo, uint64_t stack_hi);

/* gen/goroutines.c */
HDI_HIDDEN void hdi_gen_goroutine_plan(hdump_gen *g, uint64_t gi);
HDI_HIDDEN hdump_status hdi_gen_goroutine_record(hdump_gen *g, hdump_record *rec, uint64_t gi);
HDI_HIDDEN hdump_status hdi_gen_frame(hdump_gen *g, hdump_record *rec, uint64_t gi, uint64_t d);
HDI_HIDDEN void hdi_gen_defer(hdump_gen *g, hdump_record *rec, uint64_t gi, uint64_t k);
HDI_HIDDEN void hdi_gen_panic(hdump_gen *g, hdump_record *rec, uint64_t gi);

#endif
