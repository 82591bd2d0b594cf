/* tests/unit/test_gen.c: the generator is deterministic, follows the
 * runtime's record order, lays objects out in size classes and arenas,
 * points every pointer at something real, keeps memstats consistent with
 * the objects, goes through the type cache, and uses bounded memory. */
#include "t.h"

#include "hdump/hdump.h"
#include "gen/gen_internal.h" /* hdi_gen_layout_skip against the slot walk */

/* The runtime's order as a rank per tag (docs/format.md §3). */
static int rank(hdump_tag t) {
    switch (t) {
    case HDUMP_TAG_PARAMS: return 0;
    case HDUMP_TAG_TYPE:
    case HDUMP_TAG_ITAB: return 1;
    case HDUMP_TAG_OTHERROOT: return 2;
    case HDUMP_TAG_OBJECT: return 3;
    case HDUMP_TAG_GOROUTINE:
    case HDUMP_TAG_STACKFRAME:
    case HDUMP_TAG_DEFER:
    case HDUMP_TAG_PANIC: return 4;
    case HDUMP_TAG_OSTHREAD: return 5;
    case HDUMP_TAG_DATA: return 6;
    case HDUMP_TAG_BSS: return 7;
    case HDUMP_TAG_FINALIZER: return 8;
    case HDUMP_TAG_QUEUEDFINALIZER: return 9;
    case HDUMP_TAG_MEMSTATS: return 10;
    case HDUMP_TAG_MEMPROF: return 11;
    case HDUMP_TAG_ALLOCSAMPLE: return 12;
    default: return 13;
    }
}

static int is_class_size(uint64_t s) {
    static const uint32_t cls[] = {8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192,
                                   208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512,
                                   576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
                                   2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144,
                                   6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288,
                                   13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576,
                                   27264, 28672, 32768};
    for (size_t i = 0; i < sizeof cls / sizeof cls[0]; i++)
        if (s == cls[i]) return 1;
    return s > 32768 && s % 8192 == 0;
}

static uint64_t rd64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

#define MAXOBJ 20000
static uint64_t oaddr[MAXOBJ], osize[MAXOBJ];

/* 1 if v is nil, inside a generated object, data, bss, a stack, a type or an itab. */
static int resolves(uint64_t v, size_t nobj) {
    if (v == 0) return 1;
    if (v >= 0x5a0000 && v < 0x5a0000 + 16384) return 1;             /* data */
    if (v >= 0x600000 && v < 0x600000 + 65536) return 1;             /* bss */
    if (v >= 0x4a0000 && v < 0x4a0000 + 80 * 0x60) return 1;         /* types */
    if (v >= 0x4e0000 && v < 0x4e0000 + 200 * 0x20) return 1;        /* itabs */
    if (v >= 0xc900000000ull && v < 0xc900000000ull + (1ull << 36)) return 1; /* stacks */
    size_t lo = 0, hi = nobj;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (oaddr[mid] + osize[mid] <= v) lo = mid + 1;
        else hi = mid;
    }
    return lo < nobj && oaddr[lo] <= v;
}

static void check_pointers(hdump_version v, const hdump_bytes *c, const hdump_fields *f,
                           size_t nobj, uint64_t *bad) {
    for (uint64_t i = 0; i < f->count; i++) {
        uint64_t off = f->items[i].offset, k = f->items[i].kind;
        /* both words of a two-word entry must resolve (itab/type, data) */
        uint64_t at = off;
        if (at + 8 > c->len) {
            (*bad)++;
            continue;
        }
        if (!resolves(rd64(c->ptr + at), nobj)) (*bad)++;
        /* go1.4 Iface/Eface: the second word is the data pointer */
        if (v == HDUMP_GO1_4 && k != 1 && off + 16 <= c->len && !resolves(rd64(c->ptr + off + 8), nobj))
            (*bad)++;
    }
}

static void test_stream(hdump_version v, hdump_gen_profile p, uint64_t nobj) {
    hdump_gen_opts o;
    hdump_gen_opts_init(&o);
    o.objects = nobj;
    o.version = v;
    o.profile = p;
    o.seed = 7;
    hdump_gen *a, *b;
    T_EQ(hdump_gen_new(&o, &a), HDUMP_OK);
    T_EQ(hdump_gen_new(&o, &b), HDUMP_OK);
    hdump_record ra, rb;
    hdump_status sa, sb;
    int last_rank = -1, order_bad = 0;
    size_t n = 0, unequal = 0;
    uint64_t heap_start = 0, heap_end = 0, sum = 0, prev_end = 0, layout_bad = 0, ptr_bad = 0;
    uint64_t types = 0, itabs = 0, type_repeats = 0, frames_bad = 0, last_sp = 0, next_depth = 0;
    uint64_t seen_types[256];
    size_t nseen = 0;
    hdump_memstats ms;
    memset(&ms, 0, sizeof ms);
    do {
        sa = hdump_gen_next(a, &ra);
        sb = hdump_gen_next(b, &rb);
        if (sa != sb || !hdump_record_equal(v, &ra, &rb) || ra.index != n) unequal++;
        int rk = rank(ra.tag);
        if (rk < last_rank) order_bad++;
        last_rank = rk;
        switch (ra.tag) {
        case HDUMP_TAG_PARAMS:
            heap_start = ra.u.params.heap_start;
            heap_end = ra.u.params.heap_end;
            break;
        case HDUMP_TAG_TYPE:
            types++;
            for (size_t i = 0; i < nseen; i++)
                if (seen_types[i] == ra.u.type.addr) type_repeats++;
            if (nseen < 256) seen_types[nseen++] = ra.u.type.addr;
            break;
        case HDUMP_TAG_ITAB: itabs++; break;
        case HDUMP_TAG_OBJECT: {
            const hdump_object *ob = &ra.u.object;
            uint64_t len = ob->contents.len;
            if (ob->addr < prev_end || ob->addr < heap_start || ob->addr + len > heap_end ||
                !is_class_size(len) ||
                /* a span never crosses a 64 MiB arena boundary */
                (len <= 32768 && (ob->addr - heap_start) / 0x4000000 !=
                                     (ob->addr + len - 1 - heap_start) / 0x4000000))
                layout_bad++;
            prev_end = ob->addr + len;
            sum += len;
            size_t k = (size_t)(ms.v[0]++);
            if (k < MAXOBJ) {
                oaddr[k] = ob->addr;
                osize[k] = len;
            }
            if (v != HDUMP_GO1_3) check_pointers(v, &ob->contents, &ob->fields, k, &ptr_bad);
            break;
        }
        case HDUMP_TAG_GOROUTINE:
            last_sp = ra.u.goroutine.sp;
            next_depth = 0;
            break;
        case HDUMP_TAG_STACKFRAME: {
            const hdump_stackframe *f = &ra.u.frame;
            if (f->depth != next_depth) frames_bad++;
            if (next_depth == 0 ? (f->child_sp != 0 || f->sp != last_sp) : f->child_sp != last_sp)
                frames_bad++;
            last_sp = f->sp;
            next_depth++;
            break;
        }
        case HDUMP_TAG_MEMSTATS: {
            uint64_t count = ms.v[0];
            ms = ra.u.memstats;
            T_EQ(ms.v[HDUMP_MS_HEAP_OBJECTS], count);
            T_EQ(ms.v[HDUMP_MS_HEAP_ALLOC], sum);
            T_EQ(ms.v[HDUMP_MS_ALLOC], sum);
            T_EQ(ms.v[HDUMP_MS_MALLOCS] - ms.v[HDUMP_MS_FREES], count);
            T_TRUE(ms.v[HDUMP_MS_HEAP_INUSE] >= sum);
            T_EQ(ms.v[HDUMP_MS_HEAP_SYS], heap_end - heap_start);
            T_TRUE(ms.v[HDUMP_MS_NUM_GC] > 0);
            break;
        }
        default: break;
        }
        n++;
    } while (sa == HDUMP_OK && sb == HDUMP_OK);
    T_EQ(sa, HDUMP_END);
    T_EQ(ra.tag, HDUMP_TAG_EOF);
    T_EQ(unequal, 0);
    T_EQ(order_bad, 0);
    T_EQ(layout_bad, 0);
    if (ptr_bad) fprintf(stderr, "v%d p%d: ptr_bad %" PRIu64 "\n", (int)v, (int)p, ptr_bad);
    T_EQ(ptr_bad, 0);
    T_EQ(frames_bad, 0);
    T_EQ(heap_start, 0xc000000000ull);
    T_TRUE((heap_end - heap_start) % 0x4000000 == 0);
    T_EQ(itabs, 200);
    /* 80 types in 16 buckets of a 4-way cache: some are written again. */
    T_TRUE(types < itabs && type_repeats > 0);
    uint64_t recs, objs, bytes;
    hdump_gen_counts(a, &recs, &objs, &bytes);
    T_EQ(objs, nobj);
    T_EQ(bytes, sum);
    T_EQ(recs, n);
    /* After the end, the EOF record again. */
    T_EQ(hdump_gen_next(a, &ra), HDUMP_END);
    hdump_gen_free(a);
    hdump_gen_free(b);
}

/* ---- memory does not grow with the object count ---- */
typedef struct peak {
    size_t live, peak;
} peak;
static void *pk_alloc(void *c, size_t n) {
    peak *p = c;
    p->live += n;
    if (p->live > p->peak) p->peak = p->live;
    return malloc(n);
}
static void *pk_realloc(void *c, void *q, size_t o, size_t n) {
    peak *p = c;
    p->live += n - o;
    if (p->live > p->peak) p->peak = p->live;
    return realloc(q, n);
}
static void pk_free(void *c, void *q, size_t n) {
    peak *p = c;
    p->live -= n;
    free(q);
}

static size_t peak_for(uint64_t nobj) {
    peak pk = {0, 0};
    hdump_alloc al = {pk_alloc, pk_realloc, pk_free, &pk};
    hdump_gen_opts o;
    hdump_gen_opts_init(&o);
    o.objects = nobj;
    o.alloc = &al;
    hdump_gen *g;
    T_EQ(hdump_gen_new(&o, &g), HDUMP_OK);
    hdump_record r;
    while (hdump_gen_next(g, &r) == HDUMP_OK) {
    }
    hdump_gen_free(g);
    T_EQ(pk.live, 0);
    return pk.peak;
}

/* ---- the pre-pass (hdi_gen_layout_skip) finds the heap's end exactly ----
 * params' heap end comes from a pre-pass that counts free-slot draws in
 * batches; it must be the end of the 64 MiB arena holding the last object
 * (spans never cross an arena), for every count: a batch's last object,
 * a span's last slot, one object, and single-slot large spans. */
static void test_heap_end(hdump_gen_profile p, uint64_t nobj, uint64_t *bad) {
    hdump_gen_opts o;
    hdump_gen_opts_init(&o);
    o.objects = nobj;
    o.profile = p;
    o.seed = nobj * 31 + (uint64_t)p;
    hdump_gen *g;
    T_EQ(hdump_gen_new(&o, &g), HDUMP_OK);
    hdump_record r;
    uint64_t start = 0, end = 0, last = 0, objs = 0;
    while (hdump_gen_next(g, &r) == HDUMP_OK) {
        if (r.tag == HDUMP_TAG_PARAMS) start = r.u.params.heap_start, end = r.u.params.heap_end;
        if (r.tag == HDUMP_TAG_OBJECT) last = r.u.object.addr + r.u.object.contents.len, objs++;
    }
    uint64_t want = start + (last - start + 0x4000000 - 1) / 0x4000000 * 0x4000000;
    if (objs != nobj || end != want) {
        if ((*bad)++ == 0)
            fprintf(stderr, "profile %d, %" PRIu64 " objects: heap end %#" PRIx64 ", last object ends at %#" PRIx64 "\n",
                    (int)p, nobj, end, last);
    }
    hdump_gen_free(g);
}

/* The batched pre-pass leaves exactly the state of n single placements. */
static void test_layout_skip(hdump_gen_profile p, uint64_t n, uint64_t *bad) {
    hdump_gen_opts o;
    hdump_gen_opts_init(&o);
    o.profile = p;
    o.seed = n + 1000 * (uint64_t)p;
    gen_layout a, b;
    memset(&a, 0, sizeof a); /* init leaves the span's unused fields alone */
    memset(&b, 0, sizeof b);
    hdi_gen_layout_init(&a, &o);
    hdi_gen_layout_init(&b, &o);
    hdi_gen_layout_skip(&a, p, n);
    uint64_t addr, size;
    for (uint64_t i = 0; i < n; i++) hdi_gen_layout_next(&b, p, &addr, &size);
    if (a.rng != b.rng || a.cursor != b.cursor || a.placed != b.placed || a.pool != b.pool ||
        a.pool_n != b.pool_n || a.nspans != b.nspans || a.span_bytes != b.span_bytes ||
        memcmp(&a.span, &b.span, sizeof a.span) != 0) {
        if ((*bad)++ == 0)
            fprintf(stderr, "profile %d, %" PRIu64 " objects: the skip's layout state differs\n", (int)p, n);
    }
}

/* ---- gobench: the shapes and proportions docs/generator.md gives ----
 * Objects are noscan (no fields), 64-byte nodes with fields at 0, 16 and 48,
 * or pointer slices whose n fields are words 0..n-1 with 8n bytes in their
 * class; per object about 70 contents bytes and 2.3 fields (Go's dump of the
 * same heap: 69.0 and 2.28), nodes ~44% and slices ~5.4% of the objects. */
static void test_gobench(void) {
    hdump_gen_opts o;
    hdump_gen_opts_init(&o);
    o.objects = 1000000;
    o.profile = HDUMP_GEN_GOBENCH;
    hdump_gen *g;
    T_EQ(hdump_gen_new(&o, &g), HDUMP_OK);
    hdump_record r;
    uint64_t objs = 0, bytes = 0, fields = 0, nodes = 0, slabs = 0, shape_bad = 0;
    while (hdump_gen_next(g, &r) == HDUMP_OK) {
        if (r.tag != HDUMP_TAG_OBJECT) continue;
        const hdump_object *ob = &r.u.object;
        uint64_t len = ob->contents.len, nf = ob->fields.count;
        objs++;
        bytes += len;
        fields += nf;
        if (nf == 0) {
            if (len < 16 || len > 128) shape_bad++;
        } else if (nf == 3 && len == 64 && ob->fields.items[0].offset == 0 &&
                   ob->fields.items[1].offset == 16 && ob->fields.items[2].offset == 48) {
            nodes++;
        } else {
            slabs++;
            uint64_t prev = len == 32 ? 24 : len - 16;
            if (nf < 4 || nf > 32 || 8 * nf > len || 8 * nf <= prev) shape_bad++;
            for (uint64_t i = 0; i < nf; i++)
                if (ob->fields.items[i].offset != 8 * i) shape_bad++;
        }
    }
    hdump_gen_free(g);
    T_EQ(objs, 1000000);
    T_EQ(shape_bad, 0);
    printf("gobench: %.1f contents bytes, %.2f fields an object; nodes %.1f%%, slices %.1f%%\n",
           (double)bytes / (double)objs, (double)fields / (double)objs,
           100.0 * (double)nodes / (double)objs, 100.0 * (double)slabs / (double)objs);
    T_TRUE(bytes > 65 * objs && bytes < 75 * objs);
    T_TRUE(10 * fields > 21 * objs && 10 * fields < 25 * objs);
    T_TRUE(nodes > 42 * objs / 100 && nodes < 46 * objs / 100);
    T_TRUE(slabs > 4 * objs / 100 && slabs < 7 * objs / 100);
}

int main(void) {
    uint64_t bad = 0;
    test_gobench();
    for (int p = 0; p <= HDUMP_GEN_GOBENCH; p++) {
        for (uint64_t n = 0; n <= 3000; n++) test_layout_skip((hdump_gen_profile)p, n, &bad);
        for (uint64_t n = 100000; n <= 1000000; n += 150001) test_layout_skip((hdump_gen_profile)p, n, &bad);
    }
    for (int p = 0; p <= HDUMP_GEN_GOBENCH; p++) {
        for (uint64_t n = 1; n <= 300; n++) test_heap_end((hdump_gen_profile)p, n, &bad);
        /* far enough to cross arenas (mixed: ~90 KiB of heap per 1000
         * objects with its large spans; large: ~2.6 MiB) */
        for (uint64_t n = 20000; n <= 200000; n += 45001) test_heap_end((hdump_gen_profile)p, n, &bad);
    }
    T_EQ(bad, 0);
    for (int v = HDUMP_GO1_3; v <= HDUMP_GO1_7; v++)
        for (int p = 0; p <= HDUMP_GEN_GOBENCH; p++) test_stream((hdump_version)v, (hdump_gen_profile)p, 5000);
    size_t small = peak_for(1000), big = peak_for(300000);
    printf("generator peak memory: %zu bytes at 1k objects, %zu at 300k\n", small, big);
    T_TRUE(big < 4u << 20);
    T_TRUE(big <= small + (1u << 20)); /* field scratch may grow, nothing else */
    /* Seeds matter; bad options are refused. */
    hdump_gen_opts o;
    hdump_gen_opts_init(&o);
    hdump_gen *g;
    o.version = (hdump_version)2;
    T_EQ(hdump_gen_new(&o, &g), HDUMP_ERR_USAGE);
    hdump_gen_opts_init(&o);
    o.profile = (hdump_gen_profile)9;
    T_EQ(hdump_gen_new(&o, &g), HDUMP_ERR_USAGE);
    hdump_gen_profile pr;
    T_EQ(hdump_gen_profile_parse("pointers", &pr), HDUMP_OK);
    T_EQ(pr, HDUMP_GEN_POINTERS);
    T_EQ(hdump_gen_profile_parse("huge", &pr), HDUMP_ERR_USAGE);
    return t_done();
}
