/* gen/heap.c: object, data and bss contents. Pointer words point at earlier
 * objects (their start or inside them), at data and bss, or (in frames) at
 * the goroutine's own stack, so every pointer of a generated dump resolves. */
#include <string.h>

#include "gen_internal.h"

/* Fills p[0..len) with noise from the generator's noise table. */
void hdi_gen_noise(hdump_gen *g, uint8_t *p, uint64_t len) {
    uint64_t at = gen_rand(&g->rng) % GEN_NOISE;
    while (len > 0) {
        uint64_t k = GEN_NOISE - at;
        if (k > len) k = len;
        memcpy(p, g->noise + at, (size_t)k);
        p += k;
        len -= k;
        at = 0;
    }
}

static void put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); /* params: little endian */
}

uint64_t hdi_gen_target(hdump_gen *g, uint64_t stack_lo, uint64_t stack_hi) {
    uint64_t r = gen_rand(&g->rng);
    uint64_t pick = r % 100, r2 = r >> 8;
    if (pick < 20 || g->res_n == 0) return 0;
    size_t i = (size_t)(r2 % g->res_n);
    r2 /= GEN_RESERVOIR;
    if (pick < 65) return g->res_addr[i];
    if (pick < 80) return g->res_addr[i] + 8 * (r2 % (g->res_size[i] / 8));
    if (pick < 90)
        return (r2 & 1) ? GEN_DATA + 8 * ((r2 >> 1) % (GEN_DATA_LEN / 8))
                        : GEN_BSS + 8 * ((r2 >> 1) % (GEN_BSS_LEN / 8));
    if (stack_hi > stack_lo) return stack_lo + 8 * (r2 % ((stack_hi - stack_lo) / 8));
    return g->res_addr[i];
}

/* Writes pointer words into p[0..len) (region base `base`) and describes them
 * in g->fields as this version's field kinds (docs/format.md §2.4): Ptr; go1.4
 * also Iface/Eface pairs; go1.3 (frames and segments) String, Slice, Iface and
 * Eface. dense: most words are pointers. stack_ok: pointers may target the
 * current goroutine's stack [frame_sp[0], frame_sp[g_frames]). */
hdump_status hdi_gen_fill(hdump_gen *g, uint8_t *p, uint64_t base, uint64_t len, int dense,
                          int stack_ok, hdump_fields *f) {
    (void)base;
    uint64_t nwords = len / 8;
    uint64_t r = gen_rand(&g->rng);
    unsigned mask = dense ? (0xffu & ~(1u << (r % 8))) : (unsigned)((r >> 8) & (r >> 16) & 0xff);
    if (mask == 0) mask = 1;
    uint64_t slo = stack_ok ? g->frame_sp[0] : 0, shi = stack_ok ? g->frame_sp[g->g_frames] : 0;
    uint64_t need = 0;
    for (uint64_t i = 0; i < nwords && i < 8; i++) need += (mask >> i) & 1;
    need = need * (nwords / 8 + 1);
    if (need > g->fields_cap) {
        void *q = g->fields;
        if (hdi_grow(&g->a, &q, &g->fields_cap, sizeof(hdump_field), (size_t)need,
                     (size_t)need) != HDUMP_OK)
            return HDUMP_ERR_NOMEM;
        g->fields = q;
    }
    uint64_t n = 0;
    /* Word shapes; the kind numbers differ between go1.3 and go1.4. */
    enum { PTR, STR, SLICE, IFACE, EFACE };
    static const uint64_t k13[] = {HDUMP_FIELD_PTR, HDUMP_FIELD_GO13_STRING, HDUMP_FIELD_GO13_SLICE,
                                   HDUMP_FIELD_GO13_IFACE, HDUMP_FIELD_GO13_EFACE};
    static const uint64_t k14[] = {HDUMP_FIELD_PTR, 0, 0, HDUMP_FIELD_GO14_IFACE,
                                   HDUMP_FIELD_GO14_EFACE};
    for (uint64_t i = 0; i < nwords; i++) {
        if (!((mask >> (i & 7)) & 1)) continue;
        int shape = PTR;
        uint64_t words = 1;
        int next_set = i + 1 < nwords && ((mask >> ((i + 1) & 7)) & 1);
        if (g->version == HDUMP_GO1_4 && next_set && (i & 1) == 0) {
            uint64_t c = gen_rand(&g->rng) % 4;
            if (c == 0) shape = IFACE, words = 2;
            if (c == 1) shape = EFACE, words = 2;
        } else if (g->version == HDUMP_GO1_3 && next_set && (i & 1) == 0) {
            uint64_t c = gen_rand(&g->rng) % 8;
            if (c == 0) shape = STR, words = 2;
            if (c == 1 && i + 2 < nwords) shape = SLICE, words = 3;
            if (c == 2) shape = IFACE, words = 2;
            if (c == 3) shape = EFACE, words = 2;
        }
        uint64_t kind = g->version == HDUMP_GO1_3 ? k13[shape] : k14[shape];
        uint8_t *w = p + i * 8;
        uint64_t tgt = hdi_gen_target(g, slo, shi);
        uint64_t tk = gen_rand(&g->rng) % GEN_NTYPES;
        switch (shape) {
        case STR: /* data pointer, length */
            put64(w, tgt);
            put64(w + 8, tgt ? 1 + tk : 0);
            break;
        case SLICE: /* data pointer, length, capacity */
            put64(w, tgt);
            put64(w + 8, tk);
            put64(w + 16, tk * 2);
            break;
        case IFACE: /* itab, data */
            put64(w, GEN_ITABS + (tk % GEN_NITABS) * 0x20);
            put64(w + 8, tgt);
            break;
        case EFACE: /* type, data */
            put64(w, GEN_TYPES + tk * 0x60);
            put64(w + 8, tgt);
            break;
        default:
            put64(w, tgt);
            break;
        }
        g->fields[n].kind = kind;
        g->fields[n].offset = i * 8;
        n++;
        i += words - 1;
    }
    f->items = g->fields;
    f->count = n;
    f->bitmap = NULL;
    f->nwords = 0;
    f->form = HDUMP_FIELDS_LIST;
    return HDUMP_OK;
}

/* How many objects of a profile hold pointers (per mille). */
static uint64_t pointerful_permille(hdump_gen_profile p) {
    switch (p) {
    case HDUMP_GEN_POINTERS: return 1000;
    case HDUMP_GEN_LARGE: return 400;
    default: return 500;
    }
}

hdump_status hdi_gen_object(hdump_gen *g, hdump_record *rec) {
    uint64_t addr, size;
    hdi_gen_layout_next(&g->lay, g->o.profile, &addr, &size);
    rec->tag = HDUMP_TAG_OBJECT;
    hdump_object *o = &rec->u.object;
    o->addr = addr;
    hdi_gen_noise(g, g->buf, size);
    int ptrs = gen_rand(&g->rng) % 1000 < pointerful_permille(g->o.profile);
    hdump_fields f = {NULL, 0, NULL, 0, HDUMP_FIELDS_LIST};
    if (ptrs)
        HDI_TRY(hdi_gen_fill(g, g->buf, addr, size, g->o.profile == HDUMP_GEN_POINTERS, 0, &f));
    o->contents.ptr = g->buf;
    o->contents.len = size;
    if (g->version == HDUMP_GO1_3) {
        /* go1.3 objects carry a type and a kind instead of a field list;
         * the runtime wrote kind 127 (conservative) for objects it scanned
         * without type information. */
        o->type_addr = 0;
        o->kind = ptrs ? 127 : 0;
        memset(&o->fields, 0, sizeof o->fields);
    } else {
        o->type_addr = 0;
        o->kind = 0;
        o->fields = f;
    }
    /* Later pointers may target this object: a bounded reservoir. */
    if (g->res_n < GEN_RESERVOIR) {
        g->res_addr[g->res_n] = addr;
        g->res_size[g->res_n] = size;
        g->res_n++;
    } else if ((gen_rand(&g->rng) & 7) == 0) {
        size_t i = (size_t)(gen_rand(&g->rng) % GEN_RESERVOIR);
        g->res_addr[i] = addr;
        g->res_size[i] = size;
    }
    if (g->nsamples < GEN_MAX_SAMPLES && (gen_rand(&g->rng) & 63) == 0)
        g->samples[g->nsamples++] = addr;
    g->objects++;
    g->object_bytes += size;
    return HDUMP_OK;
}

hdump_status hdi_gen_segment(hdump_gen *g, hdump_record *rec, uint64_t base, uint64_t len) {
    hdump_segment *s = &rec->u.segment;
    s->addr = base;
    hdi_gen_noise(g, g->buf, len);
    g->g_frames = 0;
    HDI_TRY(hdi_gen_fill(g, g->buf, base, len, 0, 0, &s->fields));
    s->contents.ptr = g->buf;
    s->contents.len = len;
    return HDUMP_OK;
}
