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

/* Generated dumps are little endian (params). One store on a little-endian
 * host; gcc does not merge the byte loop into one. */
static inline void put64(uint8_t *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, &v, 8);
#else
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
#endif
}

/* (bits * n) >> nbits: a value below n from nbits random bits, without a
 * division (Lemire's multiply-shift; n << nbits must fit 64 bits). */
static inline uint64_t below(uint64_t bits, unsigned nbits, uint64_t n) {
    return (bits * n) >> nbits;
}

/* A pointer target from one random word r: bits 0-15 choose the kind of
 * target, 16-31 the reservoir entry, 32-55 the offset; 56-63 are left to
 * the caller. It runs once per pointer word generated, so: no division, and
 * no branch on the random kind (every candidate is computed, one selected;
 * a mispredicted branch a pointer cost more than all of them). res/rn:
 * the reservoir, passed in so that callers keep them in registers. */
static inline uint64_t pick_target(const gen_res *res, uint64_t rn,
                                   uint64_t r, uint64_t stack_lo, uint64_t stack_hi) {
    uint64_t pick = below(r & 0xffff, 16, 100);
    size_t i = (size_t)below((r >> 16) & 0xffff, 16, rn); /* 0 when rn is 0 */
    uint64_t u = (r >> 32) & 0xffffff;
    uint64_t obj = GEN_RES_ADDR(res[i]);
    uint64_t inner = obj + 8 * below(u, 24, GEN_RES_WORDS(res[i]));
    /* data or bss by u's low bit, a word inside it by the next bits */
    uint64_t w = u >> 1;
    uint64_t bss = GEN_BSS + 8 * (w % (GEN_BSS_LEN / 8));
    uint64_t data = GEN_DATA + 8 * (w % (GEN_DATA_LEN / 8));
    uint64_t seg = bss ^ ((0 - (u & 1)) & (bss ^ data));
    uint64_t stk = stack_hi > stack_lo ? stack_lo + 8 * below(u, 24, (stack_hi - stack_lo) / 8)
                                       : obj;
    /* select with masks: gcc turns a chain of ?: into branches here */
    uint64_t m_obj = 0 - (uint64_t)(pick < 65), m_inner = 0 - (uint64_t)(pick >= 65 && pick < 80);
    uint64_t m_seg = 0 - (uint64_t)(pick >= 80 && pick < 90), m_stk = 0 - (uint64_t)(pick >= 90);
    uint64_t v = (obj & m_obj) | (inner & m_inner) | (seg & m_seg) | (stk & m_stk);
    return v & (0 - (uint64_t)(pick >= 20 && rn != 0));
}

static inline uint64_t target_r(const hdump_gen *g, uint64_t r, uint64_t stack_lo,
                                uint64_t stack_hi) {
    return pick_target(g->res, g->res_n, r, stack_lo, stack_hi);
}

uint64_t hdi_gen_target(hdump_gen *g, uint64_t stack_lo, uint64_t stack_hi) {
    return target_r(g, gen_rand(&g->rng), stack_lo, stack_hi);
}

/* Pointer words at the word indices b + (each bit set in bits) of p, described
 * as Ptr fields fl[n], fl[n + 1], ...; returns the new count. *rng is the
 * caller's local copy of the generator's stream (stores through p may alias
 * anything, so state behind g would be reloaded every word). Targets may be
 * on the stack [slo, shi) (pick_target). */
static inline uint64_t put_ptrs(uint8_t *p, uint64_t b, uint64_t bits, const gen_res *res,
                                uint64_t rn, uint64_t *rng, uint64_t slo, uint64_t shi,
                                hdump_field *fl, uint64_t n) {
    while (bits) {
        uint64_t i = b + (uint64_t)__builtin_ctzll(bits);
        bits &= bits - 1;
        put64(p + i * 8, pick_target(res, rn, gen_rand(rng), slo, shi));
        fl[n].kind = HDUMP_FIELD_PTR;
        fl[n].offset = i * 8;
        n++;
    }
    return n;
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
    if (g->version >= HDUMP_GO1_5) {
        /* Plain pointers only (go1.5+): visit the mask's words by bit scans
         * over the 8-word pattern repeated across 64 words. */
        uint64_t rep = (uint64_t)mask * 0x0101010101010101ull;
        uint64_t rng = g->rng;
        for (uint64_t b = 0; b < nwords; b += 64) {
            uint64_t bits = nwords - b < 64 ? rep & ((1ull << (nwords - b)) - 1) : rep;
            n = put_ptrs(p, b, bits, g->res, g->res_n, &rng, slo, shi, g->fields, n);
        }
        g->rng = rng;
        nwords = 0; /* done: skip the go1.3/go1.4 loop below */
    }
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
        uint64_t rw = gen_rand(&g->rng);
        uint64_t tgt = target_r(g, rw, slo, shi);
        uint64_t tk = below(rw >> 56, 8, GEN_NTYPES);
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

/* Pointer words at the word indices set in `words` (gobench's fixed
 * shapes), described as Ptr fields: go1.4 and go1.5+ share that kind. */
static void fill_words(hdump_gen *g, uint8_t *p, uint64_t words, hdump_fields *f) {
    uint64_t rng = g->rng;
    /* hdump_gen_new gives g->fields 64 entries; words has at most 32 bits set */
    uint64_t n = put_ptrs(p, 0, words, g->res, g->res_n, &rng, 0, 0, g->fields, 0);
    g->rng = rng;
    f->items = g->fields;
    f->count = n;
    f->bitmap = NULL;
    f->nwords = 0;
    f->form = HDUMP_FIELDS_LIST;
}

/* A gobench object's pointer words: a node's next, its payload's data and
 * its interface's data (words 0, 2 and 6, as Go 1.19 dumps the node); a
 * pointer slice's n words, n drawn from the lengths whose 8n bytes fall in
 * this class (4..32 in all). bits: 16 random bits. */
static uint64_t go_words(int kind, uint64_t size, uint64_t bits) {
    if (kind == GEN_SPAN_NODE) return 0x45;
    uint64_t lo = (size == 32 ? 24 : size - 16) / 8 + 1, hi = size / 8;
    if (lo < 4) lo = 4;
    if (hi > 32) hi = 32;
    uint64_t n = lo + below(bits, 16, hi - lo + 1);
    return (1ull << n) - 1;
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
    /* One random word per object: bits 0-15 pointerful or not (gobench: a
     * pointer slice's length), 16-18 and 19-30 the reservoir, 31-36
     * sampling, 40-63 where in the noise table. */
    uint64_t r = gen_rand(&g->rng);
    int kind = g->lay.span.kind;
    int ptrs = kind == GEN_SPAN_ANY ? below(r & 0xffff, 16, 1000) < pointerful_permille(g->o.profile)
                                    : kind != GEN_SPAN_NOSCAN;
    /* The field list is filled in place, not through a local copy. */
    o->fields.items = NULL;
    o->fields.count = 0;
    o->fields.bitmap = NULL;
    o->fields.nwords = 0;
    o->fields.form = HDUMP_FIELDS_LIST;
    if (ptrs || size > GEN_NOISE) {
        hdi_gen_noise(g, g->buf, size);
        if (ptrs && kind != GEN_SPAN_ANY)
            fill_words(g, g->buf, go_words(kind, size, r & 0xffff), &o->fields);
        else if (ptrs)
            HDI_TRY(hdi_gen_fill(g, g->buf, addr, size, g->o.profile == HDUMP_GEN_POINTERS, 0,
                                 &o->fields));
        o->contents.ptr = g->buf;
    } else {
        /* No pointer words to write: the contents are a window on the noise
         * table itself, nothing copied. */
        o->contents.ptr = g->noise + below(r >> 40, 24, GEN_NOISE - size + 1);
    }
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
    }
    /* Later pointers may target this object: a bounded reservoir. */
    if (g->res_n < GEN_RESERVOIR) {
        g->res[g->res_n] = GEN_RES(addr, size);
        g->res_n++;
    } else if (((r >> 16) & 7) == 0) {
        size_t i = (size_t)((r >> 19) % GEN_RESERVOIR);
        g->res[i] = GEN_RES(addr, size);
    }
    if (g->nsamples < GEN_MAX_SAMPLES && ((r >> 31) & 63) == 0) g->samples[g->nsamples++] = addr;
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
