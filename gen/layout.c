/* gen/layout.c: where objects go. Go's size classes, spans of whole pages,
 * 64 MiB arenas from 0xc000000000, objects in span order and address order
 * inside a span, some slots left free, large objects in spans of their own. */
#include "gen_internal.h"

/* Go's small size classes: object size and span size (Go 1.19 sizeclasses). */
static const uint32_t class_size[] = {
    8,     16,    24,    32,    48,    64,    80,    96,    112,   128,   144,   160,
    176,   192,   208,   224,   240,   256,   288,   320,   352,   384,   416,   448,
    480,   512,   576,   640,   704,   768,   896,   1024,  1152,  1280,  1408,  1536,
    1792,  2048,  2304,  2688,  3072,  3200,  3456,  4096,  4864,  5376,  6144,  6528,
    6784,  6912,  8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384, 18432,
    19072, 20480, 21760, 24576, 27264, 28672, 32768};
static const uint32_t class_span[] = {
    8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,
    8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,
    8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  8192,  16384, 8192,
    16384, 8192,  16384, 8192,  24576, 16384, 24576, 8192,  24576, 16384, 24576, 32768,
    40960, 49152, 8192,  57344, 49152, 40960, 32768, 24576, 40960, 57344, 16384, 73728,
    57344, 40960, 65536, 24576, 81920, 57344, 32768};
#define NCLASS (sizeof class_size / sizeof class_size[0])

void hdi_gen_layout_init(gen_layout *l, const hdump_gen_opts *o) {
    l->rng = o->seed * 0x2545f4914f6cdd1dull + 0x1234567u;
    l->cursor = GEN_HEAP_START;
    l->placed = 0;
    l->span_bytes = 0;
    l->nspans = 0;
    l->pool = 0;
    l->pool_n = 0;
    l->span.nelem = 0;
    l->span.slot = 0;
    l->span.kind = GEN_SPAN_ANY;
}

/* A size class index for the profile: small classes are far more common. */
static size_t pick_class(gen_layout *l, hdump_gen_profile p) {
    uint64_t r = gen_rand(&l->rng);
    switch (p) {
    case HDUMP_GEN_SMALL: return (size_t)(r % 18); /* 8 .. 256 */
    case HDUMP_GEN_LARGE: return 31 + (size_t)(r % 13); /* 1 KiB .. 4 KiB */
    default: {
        /* geometric-ish: halve the weight every 8 classes */
        size_t c = (size_t)(r % 24);
        uint64_t r2 = r >> 8;
        while (c + 8 < NCLASS && (r2 & 3) == 0) {
            c += 8;
            r2 >>= 2;
        }
        return c;
    }
    }
}

/* The gobench profile's spans: the object classes of a Go 1.19 dump of
 * bench/go/heapbench's heap (`hdump stats` and the field lists of its 5 M
 * object dump): noscan byte payloads, 64 B nodes holding three pointers, and
 * pointer slices of n = 4..32 words in the class of 8n bytes. share: of the
 * objects, in units of 0.01%. A span is picked with weight share * size:
 * all these classes have 8 KiB spans, so a span of size-byte objects holds
 * 8192/size of them. */
static const struct {
    uint16_t size, kind, share;
} go_spans[] = {
    {16, GEN_SPAN_NOSCAN, 1020}, {24, GEN_SPAN_NOSCAN, 270},  {32, GEN_SPAN_NOSCAN, 290},
    {48, GEN_SPAN_NOSCAN, 580},  {64, GEN_SPAN_NOSCAN, 580},  {80, GEN_SPAN_NOSCAN, 580},
    {96, GEN_SPAN_NOSCAN, 570},  {112, GEN_SPAN_NOSCAN, 570}, {128, GEN_SPAN_NOSCAN, 580},
    {64, GEN_SPAN_NODE, 4370},   {32, GEN_SPAN_SLAB, 19},     {48, GEN_SPAN_SLAB, 37},
    {64, GEN_SPAN_SLAB, 37},     {80, GEN_SPAN_SLAB, 37},     {96, GEN_SPAN_SLAB, 37},
    {112, GEN_SPAN_SLAB, 37},    {128, GEN_SPAN_SLAB, 37},    {144, GEN_SPAN_SLAB, 37},
    {160, GEN_SPAN_SLAB, 37},    {176, GEN_SPAN_SLAB, 37},    {192, GEN_SPAN_SLAB, 37},
    {208, GEN_SPAN_SLAB, 37},    {224, GEN_SPAN_SLAB, 37},    {240, GEN_SPAN_SLAB, 37},
    {256, GEN_SPAN_SLAB, 37}};
#define NGO_SPANS (sizeof go_spans / sizeof go_spans[0])

static void go_span(gen_layout *l, gen_span *s) {
    uint64_t total = 0;
    for (size_t i = 0; i < NGO_SPANS; i++) total += (uint64_t)go_spans[i].share * go_spans[i].size;
    uint64_t x = gen_rand(&l->rng) % total;
    size_t i = 0;
    while (x >= (uint64_t)go_spans[i].share * go_spans[i].size) {
        x -= (uint64_t)go_spans[i].share * go_spans[i].size;
        i++;
    }
    s->elem = go_spans[i].size;
    s->bytes = GEN_PAGE;
    s->nelem = s->bytes / s->elem;
    s->kind = go_spans[i].kind;
}

static int is_large(gen_layout *l, hdump_gen_profile p) {
    uint64_t r = gen_rand(&l->rng) % 1000;
    switch (p) {
    case HDUMP_GEN_SMALL:
    case HDUMP_GEN_GOBENCH: return 0;
    case HDUMP_GEN_LARGE: return r < 30;
    default: return r < 10;
    }
}

/* Puts a span of `bytes` at the cursor; a span never crosses an arena. */
static uint64_t place(gen_layout *l, uint64_t bytes) {
    uint64_t arena_end = (l->cursor - GEN_HEAP_START) / GEN_ARENA * GEN_ARENA + GEN_ARENA +
                         GEN_HEAP_START;
    if (l->cursor + bytes > arena_end && bytes <= GEN_ARENA) l->cursor = arena_end;
    uint64_t base = l->cursor;
    l->cursor += bytes;
    l->span_bytes += bytes;
    l->nspans++;
    return base;
}

void hdi_gen_layout_span(gen_layout *l, hdump_gen_profile p) {
    gen_span *s = &l->span;
    s->kind = GEN_SPAN_ANY;
    if (is_large(l, p)) {
        /* > 32 KiB, rounded up to whole pages (docs/format.md §4 tag 1). */
        /* The large profile has more, smaller large objects, so that ten
         * million of them stay a dump of tens of GB, not terabytes. */
        uint64_t max = p == HDUMP_GEN_LARGE ? (128u << 10) : GEN_LARGE_MAX;
        uint64_t sz = 32768 + 8 + gen_rand(&l->rng) % (max - 32768 - 8);
        sz = (sz + GEN_PAGE - 1) / GEN_PAGE * GEN_PAGE;
        s->elem = sz;
        s->nelem = 1;
        s->bytes = sz;
    } else if (p == HDUMP_GEN_GOBENCH) {
        go_span(l, s);
    } else {
        size_t c = pick_class(l, p);
        s->elem = class_size[c];
        s->bytes = class_span[c];
        s->nelem = s->bytes / s->elem;
    }
    s->base = place(l, s->bytes);
    s->slot = 0;
}

/* The pre-pass: the state n calls of hdi_gen_layout_next leave, stopping
 * early once the cursor reaches GEN_ADDR_LIMIT. Whole draws of the free-slot
 * pool are counted at once: a slot is taken when its 3 bits are not all zero
 * (or when its span has one slot), so the objects placed by k draws are the
 * nonzero 3-bit groups among the pool's low 3k bits. Only the batch holding
 * the n-th object is walked slot by slot. */
void hdi_gen_layout_skip(gen_layout *l, hdump_gen_profile p, uint64_t n) {
    gen_span *s = &l->span;
    while (n > 0 && l->cursor < GEN_ADDR_LIMIT) {
        if (s->slot >= s->nelem) {
            hdi_gen_layout_span(l, p);
            continue;
        }
        if (l->pool_n == 0) {
            l->pool = gen_rand(&l->rng);
            l->pool_n = 21;
        }
        uint64_t k = s->nelem - s->slot < l->pool_n ? s->nelem - s->slot : l->pool_n;
        uint64_t low = l->pool & ((1ull << (3 * k)) - 1); /* 3k <= 63 */
        uint64_t taken = s->nelem == 1
                             ? k
                             : (uint64_t)__builtin_popcountll((low | low >> 1 | low >> 2) &
                                                              0x1249249249249249ull);
        if (taken >= n) {
            uint64_t addr, size;
            while (n > 0) {
                hdi_gen_layout_next(l, p, &addr, &size);
                n--;
            }
            return;
        }
        l->pool >>= 3 * k;
        l->pool_n -= (unsigned)k;
        s->slot += k;
        l->placed += taken;
        n -= taken;
    }
}
