/* tests/util/recgen.h: deterministic records of every tag for every version,
 * with edge values, for round-trip tests. Views point into static storage or
 * into the caller's arena, which must outlive the record. */
#ifndef HDUMP_TESTS_RECGEN_H
#define HDUMP_TESTS_RECGEN_H

#include <stdint.h>
#include <string.h>

#include "hdump/hdump.h"
#include "t.h" /* HDUMP_KERNEL pass-through for the helpers below */

typedef struct recgen_arena {
    uint8_t bytes[1 << 16];
    hdump_field fields[256];
    hdump_memprof_frame frames[16];
} recgen_arena;

static inline uint64_t recgen_rand(uint64_t *s) {
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A value drawn from the edges and the ranges a real dump has. */
static inline uint64_t recgen_value(uint64_t *s) {
    static const uint64_t edges[] = {0, 1, 127, 128, 16383, 16384, (1ull << 32) - 1,
                                     1ull << 32, 1ull << 63, UINT64_MAX, 0xc000010000ull};
    uint64_t r = recgen_rand(s);
    switch (r % 4) {
    case 0: return edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
    case 1: return (r >> 8) % 128;
    case 2: return 0xc000000000ull + ((r >> 8) % (1ull << 30)) * 8;
    default: return r >> (r % 64);
    }
}

static inline hdump_bytes recgen_bytes(recgen_arena *a, uint64_t *s, size_t maxlen) {
    size_t len = (size_t)(recgen_rand(s) % (maxlen + 1));
    size_t at = (size_t)(recgen_rand(s) % (sizeof a->bytes - len));
    hdump_bytes b = {a->bytes + at, len};
    return b;
}

static inline void recgen_arena_init(recgen_arena *a, uint64_t seed) {
    for (size_t i = 0; i < sizeof a->bytes; i++) a->bytes[i] = (uint8_t)recgen_rand(&seed);
}

static inline hdump_fields recgen_fields(recgen_arena *a, uint64_t *s, hdump_version v) {
    hdump_fields f;
    memset(&f, 0, sizeof f);
    size_t n = (size_t)(recgen_rand(s) % 40);
    if (recgen_rand(s) % 8 == 0) n = 0;
    uint64_t maxk = v == HDUMP_GO1_3 ? 5 : v == HDUMP_GO1_4 ? 3 : 1;
    for (size_t i = 0; i < n; i++) {
        a->fields[i].kind = 1 + recgen_rand(s) % maxk;
        a->fields[i].offset = i * 8 + (recgen_rand(s) % 3 == 0 ? recgen_value(s) : 0);
    }
    f.items = a->fields;
    f.count = n;
    return f;
}

/* Fills *r with a record of `tag` for version v. */
static inline void recgen_record(hdump_record *r, hdump_version v, hdump_tag tag, uint64_t seed,
                                 recgen_arena *a) {
    uint64_t s = seed * 1000003u + (uint64_t)tag;
    memset(r, 0, sizeof *r);
    r->tag = tag;
    switch (tag) {
    case HDUMP_TAG_EOF: break;
    case HDUMP_TAG_OBJECT:
        r->u.object.addr = recgen_value(&s);
        if (v == HDUMP_GO1_3) {
            r->u.object.type_addr = recgen_value(&s);
            r->u.object.kind = recgen_rand(&s) % 2 ? 127 : recgen_rand(&s) % 3;
        }
        r->u.object.contents = recgen_bytes(a, &s, recgen_rand(&s) % 4 ? 200 : 40000);
        if (v != HDUMP_GO1_3) r->u.object.fields = recgen_fields(a, &s, v);
        break;
    case HDUMP_TAG_OTHERROOT:
        r->u.otherroot.description = recgen_bytes(a, &s, 30);
        r->u.otherroot.ptr = recgen_value(&s);
        break;
    case HDUMP_TAG_TYPE:
        r->u.type.addr = recgen_value(&s);
        r->u.type.size = recgen_value(&s);
        r->u.type.name = recgen_bytes(a, &s, 60);
        r->u.type.indirect = recgen_rand(&s) % 2;
        if (v == HDUMP_GO1_3) r->u.type.fields = recgen_fields(a, &s, v);
        break;
    case HDUMP_TAG_GOROUTINE: {
        hdump_goroutine *g = &r->u.goroutine;
        g->addr = recgen_value(&s);
        g->sp = recgen_value(&s);
        g->goid = recgen_value(&s);
        g->gopc = recgen_value(&s);
        g->status = recgen_value(&s);
        g->is_system = recgen_value(&s);
        g->is_background = recgen_value(&s);
        g->wait_since = recgen_value(&s);
        r->u.goroutine.wait_reason = recgen_bytes(a, &s, 30);
        r->u.goroutine.ctxt = recgen_value(&s);
        r->u.goroutine.m = recgen_value(&s);
        r->u.goroutine.top_defer = recgen_value(&s);
        r->u.goroutine.top_panic = recgen_value(&s);
        break;
    }
    case HDUMP_TAG_STACKFRAME:
        r->u.frame.sp = recgen_value(&s);
        r->u.frame.depth = recgen_value(&s);
        r->u.frame.child_sp = recgen_value(&s);
        r->u.frame.contents = recgen_bytes(a, &s, 500);
        r->u.frame.entry_pc = recgen_value(&s);
        r->u.frame.pc = recgen_value(&s);
        r->u.frame.cont_pc = recgen_value(&s);
        r->u.frame.name = recgen_bytes(a, &s, 80);
        r->u.frame.fields = recgen_fields(a, &s, v);
        break;
    case HDUMP_TAG_PARAMS:
        r->u.params.big_endian = recgen_rand(&s) % 2;
        r->u.params.ptr_size = recgen_rand(&s) % 2 ? 8 : 4;
        if (v == HDUMP_GO1_3) r->u.params.chan_header_size = recgen_value(&s);
        r->u.params.heap_start = recgen_value(&s);
        r->u.params.heap_end = recgen_value(&s);
        if (v == HDUMP_GO1_7)
            r->u.params.arch = recgen_bytes(a, &s, 10);
        else
            r->u.params.arch_char = recgen_value(&s);
        r->u.params.experiment = recgen_bytes(a, &s, 20);
        r->u.params.ncpu = recgen_value(&s);
        break;
    case HDUMP_TAG_FINALIZER:
    case HDUMP_TAG_QUEUEDFINALIZER: {
        hdump_finalizer *f = &r->u.finalizer;
        f->obj = recgen_value(&s);
        f->fn = recgen_value(&s);
        f->fn_pc = recgen_value(&s);
        f->fint = recgen_value(&s);
        f->ot = recgen_value(&s);
        break;
    }
    case HDUMP_TAG_ITAB:
        r->u.itab.addr = recgen_value(&s);
        if (v == HDUMP_GO1_3)
            r->u.itab.data_is_ptr = recgen_rand(&s) % 2;
        else
            r->u.itab.type_addr = recgen_value(&s);
        break;
    case HDUMP_TAG_OSTHREAD:
        r->u.osthread.addr = recgen_value(&s);
        r->u.osthread.id = recgen_value(&s);
        r->u.osthread.procid = recgen_value(&s);
        break;
    case HDUMP_TAG_MEMSTATS:
        for (int i = 0; i < HDUMP_MEMSTATS_COUNT; i++) r->u.memstats.v[i] = recgen_value(&s);
        break;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS:
        r->u.segment.addr = recgen_value(&s);
        r->u.segment.contents = recgen_bytes(a, &s, recgen_rand(&s) % 2 ? 3000 : 60000);
        r->u.segment.fields = recgen_fields(a, &s, v);
        break;
    case HDUMP_TAG_DEFER: {
        hdump_defer *d = &r->u.defer;
        d->addr = recgen_value(&s);
        d->g = recgen_value(&s);
        d->argp = recgen_value(&s);
        d->pc = recgen_value(&s);
        d->fn = recgen_value(&s);
        d->fn_pc = recgen_value(&s);
        d->link = recgen_value(&s);
        break;
    }
    case HDUMP_TAG_PANIC: {
        hdump_panic *p = &r->u.panic;
        p->addr = recgen_value(&s);
        p->g = recgen_value(&s);
        p->arg_type = recgen_value(&s);
        p->arg_data = recgen_value(&s);
        p->defer = recgen_value(&s);
        p->link = recgen_value(&s);
        break;
    }
    case HDUMP_TAG_MEMPROF: {
        r->u.memprof.bucket = recgen_value(&s);
        r->u.memprof.size = recgen_value(&s);
        size_t n = (size_t)(recgen_rand(&s) % 16);
        for (size_t i = 0; i < n; i++) {
            a->frames[i].func = recgen_bytes(a, &s, 60);
            a->frames[i].file = recgen_bytes(a, &s, 60);
            a->frames[i].line = recgen_value(&s);
        }
        r->u.memprof.stack = a->frames;
        r->u.memprof.nstk = n;
        r->u.memprof.allocs = recgen_value(&s);
        r->u.memprof.frees = recgen_value(&s);
        break;
    }
    case HDUMP_TAG_ALLOCSAMPLE:
        r->u.allocsample.addr = recgen_value(&s);
        r->u.allocsample.bucket = recgen_value(&s);
        break;
    }
}

/* Writes records 0..n-1 (tags 1..17 in turn) and finishes the dump. The
 * arena is copied per record so every record sees the same bytes. */
static inline hdump_status recgen_write(hdump_writer *w, const recgen_arena *arena,
                                        hdump_version v, size_t n) {
    static recgen_arena scratch;
    for (size_t i = 0; i < n; i++) {
        hdump_record r;
        scratch = *arena;
        recgen_record(&r, v, (hdump_tag)(1 + i % 17), i, &scratch);
        hdump_status st = hdump_writer_put(w, &r);
        if (st != HDUMP_OK) return st;
    }
    return hdump_writer_finish(w);
}

/* The same stream as a complete dump in memory (data NULL on failure). */
static inline hdump_membuf recgen_dump(const recgen_arena *arena, hdump_version v, size_t n) {
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = v;
    hdump_writer *w;
    if (hdump_writer_new(&o, hdump_sink_membuf(&m), &w) == HDUMP_OK) {
        if (recgen_write(w, arena, v, n) != HDUMP_OK) hdump_membuf_free(&m);
        hdump_writer_free(w);
    }
    return m;
}

#endif
