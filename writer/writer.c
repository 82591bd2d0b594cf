/* writer/writer.c: the buffer, the primitives and the table-driven record
 * encoder (docs/format.md §1 primitives, §4 records).
 *
 * Buffer policy, as the runtime's dwrite: data that fits is copied into the
 * buffer; otherwise the buffer goes to the sink, and then data at least the
 * buffer's size goes straight to the sink while smaller data starts the
 * buffer anew. Uvarints are encoded in place when 10 bytes of headroom are
 * left (they then fit, as in the runtime) and through a 10-byte temporary
 * otherwise, so a 4 KiB writer issues exactly the runtime's sink writes. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../common/grammar.h"
#include "../common/varint.h"
#include "store_inline.h"
#include "uv_bmi2.h"
#include "writer_internal.h"


hdump_status hdi_wr_fail(hdump_writer *w, hdump_status st, uint64_t offset, uint64_t tag,
                         const char *msg) {
    if (w->err.code == HDUMP_OK) {
        w->obj_fast = 0;
        w->err.code = st;
        w->err.offset = offset;
        w->err.record_index = w->records;
        w->err.tag = tag;
        w->err.msg = msg;
    }
    return w->err.code;
}

/* ==== Buffer and primitives ==== */

/* hdump_writer_bytes, inline: the stream offset of the next byte. */
static inline uint64_t wr_offset(const hdump_writer *w) { return w->delivered + w->n; }

static hdump_status sink_write(hdump_writer *w, const void *p, size_t len, uint64_t tag) {
    if (len == 0) return HDUMP_OK;
    hdump_status st = w->sink.write(w->sink.ctx, p, len);
    if (st != HDUMP_OK) {
        if (st > 0 || st == HDUMP_ERR_USAGE) st = HDUMP_ERR_IO;
        return hdi_wr_fail(w, st, w->delivered, tag,
                           st == HDUMP_ERR_NOSPACE ? "sink is full" : "sink write failed");
    }
    w->delivered += len;
    return HDUMP_OK;
}

/* The runtime's dwrite. Returns the sticky error on a sink failure. */
static HDI_NOINLINE hdump_status wr_bytes_slow(hdump_writer *w, const uint8_t *p, size_t len,
                                               uint64_t tag) {
    hdump_status st = sink_write(w, w->buf, w->n, tag);
    w->n = 0;
    if (st != HDUMP_OK) return st;
    if (len >= w->cap) return sink_write(w, p, len, tag);
    memcpy(w->buf, p, len);
    w->n = len;
    return HDUMP_OK;
}

static inline hdump_status wr_bytes(hdump_writer *w, const uint8_t *p, size_t len, uint64_t tag) {
    if (HDI_LIKELY(len <= w->cap - w->n)) {
        if (len) memcpy(w->buf + w->n, p, len);
        w->n += len;
        return HDUMP_OK;
    }
    return wr_bytes_slow(w, p, len, tag);
}

static HDI_NOINLINE hdump_status wr_u_slow(hdump_writer *w, uint64_t v, uint64_t tag) {
    uint8_t tmp[HDI_UVARINT_MAX];
    size_t k = hdi_uvarint_put(tmp, v);
    return wr_bytes(w, tmp, k, tag);
}

static inline hdump_status wr_u(hdump_writer *w, uint64_t v, uint64_t tag) {
    if (HDI_LIKELY(w->cap - w->n >= HDI_UVARINT_MAX)) {
        w->n += hdi_uvarint_put(w->buf + w->n, v);
        return HDUMP_OK;
    }
    return wr_u_slow(w, v, tag);
}

/* ==== Field lists (docs/format.md §1.4) ==== */

static inline unsigned bits2(const uint8_t *b, uint64_t word) {
    uint64_t bit = word * 2;
    return (unsigned)(b[bit / 8] >> (bit % 8)) & 3u;
}

/* Walks a field list in any form, calling emit(kind, word-or-offset) for each
 * entry; validates without writing when w == NULL. Returns HDUMP_OK or
 * HDUMP_ERR_USAGE with *why set. */
static hdump_status fields_walk(hdump_writer *w, int version, uint64_t ptr_size,
                                const hdump_fields *f, uint64_t tag, const char **why) {
    if (f == NULL) return w ? wr_u(w, 0, tag) : HDUMP_OK;
    uint64_t maxk = hdi_max_field_kind(version);
    if (f->bitmap == NULL || f->form == HDUMP_FIELDS_LIST) {
        if (f->count > 0 && f->items == NULL) {
            *why = "field list has a count but no items";
            return HDUMP_ERR_USAGE;
        }
        for (uint64_t i = 0; i < f->count; i++) {
            uint64_t k = f->items[i].kind;
            if (w == NULL) {
                if (k == 0 || k > maxk) {
                    *why = "field kind is 0 or not defined by this version";
                    return HDUMP_ERR_USAGE;
                }
                continue;
            }
            HDI_TRY(wr_u(w, k, tag));
            HDI_TRY(wr_u(w, f->items[i].offset, tag));
        }
        return w ? wr_u(w, 0, tag) : HDUMP_OK;
    }
    const uint8_t *b = f->bitmap;
    uint64_t n = f->nwords;
    switch (f->form) {
    case HDUMP_FIELDS_BITMAP1:
        if (w == NULL) return HDUMP_OK;
        for (uint64_t i = 0; i < n; i++) {
            if (!((unsigned)(b[i / 8] >> (i % 8)) & 1u)) continue;
            HDI_TRY(wr_u(w, HDUMP_FIELD_PTR, tag));
            HDI_TRY(wr_u(w, i * ptr_size, tag));
        }
        return wr_u(w, 0, tag);
    case HDUMP_FIELDS_BITMAP2_GO14:
    case HDUMP_FIELDS_BITMAP2_GO13: {
        int go13 = f->form == HDUMP_FIELDS_BITMAP2_GO13;
        if (version != (go13 ? HDUMP_GO1_3 : HDUMP_GO1_4)) {
            *why = "two-bit pointer maps exist only in the go1.3 and go1.4 formats";
            return HDUMP_ERR_USAGE;
        }
        /* The runtime's dumpbv: 0 dead, 1 scalar, 2 pointer, 3 multi-word;
         * the word after a multi-word code names the kind. */
        for (uint64_t i = 0; i < n; i++) {
            unsigned c = bits2(b, i);
            uint64_t kind, skip = 0;
            if (c < 2) continue;
            if (c == 2) {
                kind = HDUMP_FIELD_PTR;
            } else {
                if (i + 1 >= n) {
                    *why = "multi-word code in the last word of a pointer map";
                    return HDUMP_ERR_USAGE;
                }
                unsigned c2 = bits2(b, i + 1);
                if (go13) {
                    static const uint64_t k13[4] = {HDUMP_FIELD_GO13_STRING, HDUMP_FIELD_GO13_SLICE,
                                                    HDUMP_FIELD_GO13_IFACE, HDUMP_FIELD_GO13_EFACE};
                    kind = k13[c2];
                    skip = (c2 == 1) ? 2 : 1;
                } else {
                    if (c2 < 2) {
                        *why = "multi-word code not followed by Iface (2) or Eface (3)";
                        return HDUMP_ERR_USAGE;
                    }
                    kind = c2 == 2 ? HDUMP_FIELD_GO14_IFACE : HDUMP_FIELD_GO14_EFACE;
                    skip = 1;
                }
            }
            if (w != NULL) {
                HDI_TRY(wr_u(w, kind, tag));
                HDI_TRY(wr_u(w, i * ptr_size, tag));
            }
            i += skip;
        }
        return w ? wr_u(w, 0, tag) : HDUMP_OK;
    }
    default:
        *why = "unknown field-list form";
        return HDUMP_ERR_USAGE;
    }
}

/* ==== Records ==== */

static hdump_status check_record(hdump_writer *w, const hdump_record *rec, const hdi_op *ops,
                                 const char **why) {
    for (const hdi_op *op = ops; op->op != HDI_OP_END; op++) {
        const char *at = (const char *)rec + op->off;
        if (op->op == HDI_OP_S) {
            const hdump_bytes *b = (const hdump_bytes *)(const void *)at;
            if (b->ptr == NULL && b->len > 0) {
                *why = "byte range has a length but no data";
                return HDUMP_ERR_USAGE;
            }
            if (b->len > SIZE_MAX) {
                *why = "byte range longer than this platform can address";
                return HDUMP_ERR_USAGE;
            }
        } else if (op->op == HDI_OP_F) {
            HDI_TRY(fields_walk(NULL, w->version, w->ptr_size,
                                (const hdump_fields *)(const void *)at, rec->tag, why));
        } else if (op->op == HDI_OP_STACK) {
            const hdump_memprof *m = (const hdump_memprof *)(const void *)at;
            if (m->nstk > 0 && m->stack == NULL) {
                *why = "memprof stack has a count but no frames";
                return HDUMP_ERR_USAGE;
            }
            for (uint64_t i = 0; i < m->nstk; i++)
                if ((m->stack[i].func.ptr == NULL && m->stack[i].func.len) ||
                    (m->stack[i].file.ptr == NULL && m->stack[i].file.len)) {
                    *why = "byte range has a length but no data";
                    return HDUMP_ERR_USAGE;
                }
        }
    }
    return HDUMP_OK;
}

static hdump_status put_ops(hdump_writer *w, const hdump_record *rec, const hdi_op *ops) {
    uint64_t tag = (uint64_t)rec->tag;
    HDI_TRY(wr_u(w, tag, tag));
    for (const hdi_op *op = ops; op->op != HDI_OP_END; op++) {
        const char *at = (const char *)rec + op->off;
        switch (op->op) {
        case HDI_OP_U:
            HDI_TRY(wr_u(w, *(const uint64_t *)(const void *)at, tag));
            break;
        case HDI_OP_S: {
            const hdump_bytes *b = (const hdump_bytes *)(const void *)at;
            HDI_TRY(wr_u(w, b->len, tag));
            HDI_TRY(wr_bytes(w, b->ptr, (size_t)b->len, tag));
            break;
        }
        case HDI_OP_F: {
            const char *why = NULL;
            HDI_TRY(fields_walk(w, w->version, w->ptr_size,
                                (const hdump_fields *)(const void *)at, tag, &why));
            break;
        }
        case HDI_OP_MEMSTATS: {
            const uint64_t *v = ((const hdump_memstats *)(const void *)at)->v;
            if (w->cap - w->n >= HDUMP_MEMSTATS_COUNT * HDI_UVARINT_MAX + HDUMP_VARINT_SLOP) {
                w->n += w->kern->encode(w->buf + w->n, v, HDUMP_MEMSTATS_COUNT);
            } else {
                for (size_t i = 0; i < HDUMP_MEMSTATS_COUNT; i++) HDI_TRY(wr_u(w, v[i], tag));
            }
            break;
        }
        case HDI_OP_STACK: {
            const hdump_memprof *m = (const hdump_memprof *)(const void *)at;
            HDI_TRY(wr_u(w, m->nstk, tag));
            for (uint64_t i = 0; i < m->nstk; i++) {
                const hdump_memprof_frame *fr = &m->stack[i];
                HDI_TRY(wr_u(w, fr->func.len, tag));
                HDI_TRY(wr_bytes(w, fr->func.ptr, (size_t)fr->func.len, tag));
                HDI_TRY(wr_u(w, fr->file.len, tag));
                HDI_TRY(wr_bytes(w, fr->file.ptr, (size_t)fr->file.len, tag));
                HDI_TRY(wr_u(w, fr->line, tag));
            }
            break;
        }
        default:
            break;
        }
    }
    w->records++;
    return HDUMP_OK;
}

/* ==== Object records (docs/format.md §4 tag 1, go1.4+) ====
 * Object records are ~99.9% of a dump's bytes. A record whose bound fits the
 * buffer's headroom (nearly all: a 4 KiB buffer flushes once per ~25 records
 * of a Go-like heap) is stored in one pass after one check (object_fast.h):
 * nothing is flushed inside it, so the sink sees what dwrite would give it.
 * The rest (no room, two-bit maps) take put_object_slow: the list checked
 * first, then the pieces through the dwrite policy, fields in runs after one
 * check per run. One-bit maps, an object's or a span's slot's, take
 * hdi_wr_put_mapped: stored in one pass when their bound fits, else the
 * pieces through the dwrite policy, a map word at a time. */

/* Short field lists are encoded in the fast path's body, longer ones out of
 * line (OBJ_FAST_REST), after a check of all their kinds. */
#define FIELDS_INLINE 8
/* Header bound: tag (1) + address and length (10 each) + the list's end (1). */
#define OBJ_FIXED (1 + 2 * HDI_UVARINT_MAX + 1)
/* A checked list entry: a kind (1..3, one byte) and an offset. */
#define OBJ_FIELD (1 + HDI_UVARINT_MAX)


/* 1 if a list entry's kind is not 1..maxk: one compare for both ends. */
static inline int kind_bad(uint64_t k, uint64_t maxk) { return k - 1 >= maxk; }

/* Writes the checked entries it[0..count) (kinds 1..3) through the dwrite
 * policy. Each run that fits the headroom (OBJ_FIELD an entry) is stored
 * straight (every piece of it would be copied by dwrite too); with less than
 * one entry's bound left, one entry goes value by value (which may flush). */
static hdump_status put_field_list(hdump_writer *w, const hdump_field *it, uint64_t count) {
    uint64_t i = 0;
    const uint64_t maxk = hdi_max_field_kind(HDUMP_GO1_4);
    int bad = 0; /* the kinds were checked before the record's first byte */
    while (i < count) {
        if (w->cap - w->n >= OBJ_FIELD) {
            /* as many entries as their bound fits, in one store */
            size_t k = (w->cap - w->n) / OBJ_FIELD;
            if (k > count - i) k = (size_t)(count - i);
            w->n = (size_t)(store_pairs(w->kern, w->buf + w->n, it + i, k, maxk, &bad) - w->buf);
            i += k;
        } else {
            HDI_TRY(wr_u(w, it[i].kind, HDUMP_TAG_OBJECT));
            HDI_TRY(wr_u(w, it[i].offset, HDUMP_TAG_OBJECT));
            i++;
        }
    }
    return HDUMP_OK;
}

/* A map piece's entries through the dwrite policy: stored straight while
 * one entry's bound fits (each of their pieces would be copied by dwrite
 * too), value by value when less is left (which may flush). */
static hdump_status put_map_fields(hdump_writer *w, const hdi_wmap *m) {
    const uint64_t ps = w->ptr_size;
    for (uint64_t base = 0; base < m->words; base += 64) {
        unsigned nb = m->words - base < 64 ? (unsigned)(m->words - base) : 64;
        uint64_t bits = map_bits(m->b, m->nbytes, m->bit0 + base, nb);
        if (bits != 0 &&
            w->cap - w->n >= OBJ_FIELD * (size_t)popcount64(bits)) {
            /* the word's entries in one store (kernels.h word_pairs) */
            w->n = (size_t)(store_word(w->kern, w->buf + w->n, bits, base, ps) - w->buf);
            continue;
        }
        while (bits) {
            if (w->cap - w->n >= OBJ_FIELD) {
                uint8_t *p = w->buf + w->n, *last = w->buf + w->cap - OBJ_FIELD;
                while (bits && p <= last) {
                    unsigned i = (unsigned)__builtin_ctzll(bits);
                    bits &= bits - 1;
                    p = put_pair(p, HDUMP_FIELD_PTR, (base + i) * ps);
                }
                w->n = (size_t)(p - w->buf);
            } else {
                unsigned i = (unsigned)__builtin_ctzll(bits);
                bits &= bits - 1;
                HDI_TRY(wr_u(w, HDUMP_FIELD_PTR, HDUMP_TAG_OBJECT));
                HDI_TRY(wr_u(w, (base + i) * ps, HDUMP_TAG_OBJECT));
            }
        }
    }
    return HDUMP_OK;
}

/* An object's one-bit map as a map piece (bit 0 on). */
static inline hdi_wmap map_of(const hdump_fields *f) {
    hdi_wmap m;
    m.b = f->bitmap;
    m.words = f->nwords;
    m.bit0 = 0;
    m.nbytes = (size_t)((f->nwords + 7) / 8);
    return m;
}

/* A record's tag, address, length and contents through the dwrite policy
 * (the slow paths: the list or map comes after). REQUIRES: len <= SIZE_MAX. */
static hdump_status put_object_head(hdump_writer *w, uint64_t addr, const uint8_t *c,
                                    uint64_t len) {
    if (w->cap - w->n >= 3 * HDI_UVARINT_MAX) {
        uint8_t *p = w->buf + w->n;
        *p++ = HDUMP_TAG_OBJECT;
        p += hdi_uvarint_put(p, addr);
        p += hdi_uvarint_put(p, len);
        w->n = (size_t)(p - w->buf);
    } else {
        HDI_TRY(wr_u(w, HDUMP_TAG_OBJECT, HDUMP_TAG_OBJECT));
        HDI_TRY(wr_u(w, addr, HDUMP_TAG_OBJECT));
        HDI_TRY(wr_u(w, len, HDUMP_TAG_OBJECT));
    }
    return wr_bytes(w, c, (size_t)len, HDUMP_TAG_OBJECT);
}

/* The careful path for an object that may not fit the buffer's headroom, or
 * whose field list is a two-bit map: validate first, then write piece by
 * piece through the dwrite policy.
 * REQUIRES: version >= go1.4; no sticky error; not finished; the contents
 * checked (put_object_fast). */
static HDI_NOINLINE hdump_status put_object_slow(hdump_writer *w, uint64_t addr, const uint8_t *c,
                                                 uint64_t len, const hdump_fields *f) {
    uint64_t at = wr_offset(w);
    if (len > SIZE_MAX)
        return hdi_wr_fail(w, HDUMP_ERR_USAGE, at, HDUMP_TAG_OBJECT,
                           "byte range has a length but no data");
    int list = f == NULL || f->bitmap == NULL || f->form == HDUMP_FIELDS_LIST;
    if (list && f != NULL && f->count > 0) {
        /* the whole list is checked before its first byte can reach the sink */
        if (f->items == NULL)
            return hdi_wr_fail(w, HDUMP_ERR_USAGE, at, HDUMP_TAG_OBJECT,
                               "field list has a count but no items");
        const uint64_t maxk = hdi_max_field_kind(w->version);
        int bad = 0;
        for (uint64_t i = 0; i < f->count; i++) bad |= kind_bad(f->items[i].kind, maxk);
        if (bad)
            return hdi_wr_fail(w, HDUMP_ERR_USAGE, at, HDUMP_TAG_OBJECT,
                               "field kind is 0 or not defined by this version");
    } else if (!list && f->form != HDUMP_FIELDS_BITMAP1) {
        const char *why = NULL;
        hdump_status st = fields_walk(NULL, w->version, w->ptr_size, f, HDUMP_TAG_OBJECT, &why);
        if (st != HDUMP_OK) return hdi_wr_fail(w, st, at, HDUMP_TAG_OBJECT, why);
    }
    HDI_TRY(put_object_head(w, addr, c, len));
    if (f != NULL && list && f->count > 0) {
        HDI_TRY(put_field_list(w, f->items, f->count));
    } else if (f != NULL && !list) {
        const char *why = NULL;
        hdump_fields g = *f;
        /* two-bit maps: the general walker writes the list and its end */
        HDI_TRY(fields_walk(w, w->version, w->ptr_size, &g, HDUMP_TAG_OBJECT, &why));
        w->records++;
        return HDUMP_OK;
    }
    HDI_TRY(wr_u(w, 0, HDUMP_TAG_OBJECT));
    w->records++;
    return HDUMP_OK;
}

/* An object whose fields come as a map piece: a one-bit map
 * (HDUMP_FIELDS_BITMAP1, the form a runtime's pointer bitvector has; any
 * bits are valid), or a span's slot (spans.c). When the record's bound
 * (OBJ_FIXED + len + OBJ_FIELD a word of the map) fits the headroom, every
 * piece of it would be copied by the runtime's dwrite too, so it is stored
 * straight, as object_fast.h stores a list; otherwise it is written piece by
 * piece through the dwrite policy. REQUIRES: w->obj_fast; c set when
 * len > 0. */
hdump_status hdi_wr_put_mapped(hdump_writer *w, uint64_t addr, const uint8_t *c, uint64_t len,
                               const hdi_wmap *m) {
    uint64_t nw = m->words;
    size_t room = w->cap - w->n;
    /* len <= room also keeps len below SIZE_MAX; nw < 2^16 keeps
     * OBJ_FIELD * nw from overflowing. When a word's bound does not fit,
     * a set bit's may: a map of mostly scalar words (a span's noscan
     * slots) is then stored straight too (with the MAP_SLACK bytes
     * store_map may store past its entries). Either way nothing is flushed
     * (every piece fits), so the bytes and the sink's writes are those of
     * the piece-by-piece path. */
    if ((nw > 0xffff || len > room ||
         room - (size_t)len < OBJ_FIXED + MAP_SLACK + OBJ_FIELD * (size_t)nw) &&
        (len > room || (nw = map_count(m)) > (room - (size_t)len) / OBJ_FIELD ||
         room - (size_t)len - OBJ_FIELD * (size_t)nw < OBJ_FIXED + MAP_SLACK)) {
        if (len > SIZE_MAX)
            return hdi_wr_fail(w, HDUMP_ERR_USAGE, wr_offset(w), HDUMP_TAG_OBJECT,
                               "byte range has a length but no data");
        HDI_TRY(put_object_head(w, addr, c, len));
        HDI_TRY(put_map_fields(w, m));
        HDI_TRY(wr_u(w, 0, HDUMP_TAG_OBJECT));
        w->records++;
        return HDUMP_OK;
    }
    uint8_t *p = w->buf + w->n;
    *p++ = HDUMP_TAG_OBJECT;
    p = hdi_uvarint_put_fast(p, addr);
    p = hdi_uvarint_put_fast(p, len);
    if (len <= COPY_INLINE)
        copy_inline(p, c, (size_t)len);
    else
        memcpy(p, c, (size_t)len);
    p = store_map(w->kern, p + len, m, w->ptr_size);
    *p++ = 0;
    w->n = (size_t)(p - w->buf);
    w->records++;
    return HDUMP_OK;
}

static HDI_NOINLINE hdump_status put_object_bitmap1(hdump_writer *w, uint64_t addr,
                                                    const uint8_t *c, uint64_t len,
                                                    const hdump_fields *f) {
    hdi_wmap m = map_of(f);
    return hdi_wr_put_mapped(w, addr, c, len, &m);
}

/* ==== The object fast path, instantiated twice (object_fast.h) ====
 * obj_put_gen: portable; the 1- and 2-byte varints on short branches.
 * obj_put_bmi2 (x86-64): every varint below 2^56 as one pdep and one 8-byte
 * store. Picked at creation (hdump_writer_new: the bmi2 kernel must be built
 * and supported, and the writer's kernel not "scalar", so HDUMP_KERNEL=scalar
 * forces the portable twin); w->obj_fast holds the choice. */

#define OBJ_FAST_NAME obj_put_gen
#define OBJ_FAST_REST obj_put_gen_rest
#define OBJ_FAST_ATTR
#define OBJ_FAST_UV hdi_uvarint_put_fast
#include "object_fast.h"
#undef OBJ_FAST_NAME
#undef OBJ_FAST_REST
#undef OBJ_FAST_ATTR
#undef OBJ_FAST_UV

#if OBJ_BMI2
#define OBJ_FAST_NAME obj_put_bmi2
#define OBJ_FAST_REST obj_put_bmi2_rest
#define OBJ_FAST_ATTR __attribute__((target("bmi2")))
#define OBJ_FAST_UV uv_put_bmi2
#include "object_fast.h"
#undef OBJ_FAST_NAME
#undef OBJ_FAST_REST
#undef OBJ_FAST_ATTR
#undef OBJ_FAST_UV
#endif

/* The fast path the writer picked (w->obj_fast is OBJ_GEN or OBJ_BMI2_ON). */
static inline hdump_status put_object_fast(hdump_writer *w, uint64_t addr, const uint8_t *c,
                                           uint64_t len, const hdump_fields *f) {
#if OBJ_BMI2
    if (w->obj_fast == OBJ_BMI2_ON) return obj_put_bmi2(w, addr, c, len, f);
#endif
    return obj_put_gen(w, addr, c, len, f);
}

/* Calls that cannot take the fast path: no writer, a sticky error, after
 * finish, or go1.3 (whose object records have no field list). */
static HDI_NOINLINE hdump_status put_object_other(hdump_writer *w, uint64_t addr,
                                                  const void *contents, uint64_t len,
                                                  const hdump_fields *f) {
    if (w == NULL) return HDUMP_ERR_USAGE;
    HDI_TRY(hdi_wr_ready(w, HDUMP_TAG_OBJECT));
    if (w->version == HDUMP_GO1_3) {
        hdump_record rec;
        rec.tag = HDUMP_TAG_OBJECT;
        memset(&rec.u.object, 0, sizeof rec.u.object);
        rec.u.object.addr = addr;
        rec.u.object.contents.ptr = contents;
        rec.u.object.contents.len = len;
        return hdump_writer_put(w, &rec);
    }
    return put_object_fast(w, addr, contents, len, f);
}

hdump_status hdump_writer_put_object(hdump_writer *w, uint64_t addr, const void *contents,
                                     size_t len, const hdump_fields *fields) {
    if (HDI_LIKELY(w != NULL && w->obj_fast))
        return put_object_fast(w, addr, contents, len, fields);
    return put_object_other(w, addr, contents, len, fields);
}

hdump_status hdi_wr_put_obj(hdump_writer *w, const hdump_object *o) {
    if (HDI_LIKELY(w->obj_fast))
        return put_object_fast(w, o->addr, o->contents.ptr, o->contents.len, &o->fields);
    hdump_record rec;
    rec.tag = HDUMP_TAG_OBJECT;
    rec.u.object = *o;
    return hdump_writer_put(w, &rec);
}

/* The checked stores' map and end (hdi_wr_put_obj_fit, hdi_wr_put_mapped_fit):
 * p is past the contents (or their place). */
static int put_map_fit_rest(hdump_writer *w, uint8_t *p, uint8_t *const lim, const hdi_wmap *m) {
    for (uint64_t base = 0; base < m->words; base += 64) {
        unsigned nb = m->words - base < 64 ? (unsigned)(m->words - base) : 64;
        uint64_t bits = map_bits(m->b, m->nbytes, m->bit0 + base, nb);
        if ((size_t)(lim - p) < OBJ_FIELD * 64 + 1) return 0;
        p = store_word(w->kern, p, bits, base, w->ptr_size);
    }
    if (p >= lim) return 0;
    *p++ = 0;
    w->n = (size_t)(p - w->buf);
    w->records++;
    return 1;
}

int hdi_wr_put_mapped_fit(hdump_writer *w, uint64_t addr, const uint8_t *c, uint64_t len,
                          const hdi_wmap *m, size_t end, size_t *split) {
    uint8_t *p = w->buf + w->n, *const lim = w->buf + end;
    if (end < w->n || (size_t)(lim - p) < OBJ_FIXED) return 0;
    *p++ = HDUMP_TAG_OBJECT;
    p = hdi_uvarint_put_fast(p, addr);
    p = hdi_uvarint_put_fast(p, len);
    if (split != NULL) {
        *split = (size_t)(p - w->buf);
    } else {
        if (len > (uint64_t)(lim - p)) return 0;
        memcpy(p, c, (size_t)len);
        p += len;
    }
    return put_map_fit_rest(w, p, lim, m);
}

int hdi_wr_put_obj_fit(hdump_writer *w, const hdump_object *o, size_t end, size_t *split) {
    const hdump_fields *f = &o->fields;
    const uint64_t len = o->contents.len;
    if (o->contents.ptr == NULL && len > 0) return 0;
    int map = f->bitmap != NULL && f->form != HDUMP_FIELDS_LIST;
    if (map && f->form != HDUMP_FIELDS_BITMAP1) return 0; /* two-bit maps: walked */
    if (!map) {
        if (f->count > 0 && f->items == NULL) return 0;
        const uint64_t maxk = hdi_max_field_kind(HDUMP_GO1_4); /* the same for go1.4+ */
        int bad = 0;
        for (uint64_t i = 0; i < f->count; i++) bad |= kind_bad(f->items[i].kind, maxk);
        if (bad) return 0;
    }
    /* Every store below is checked against `end` before it is made, in
     * runs: a run of k entries needs OBJ_FIELD * k bytes (and the list's
     * end byte). Running out just returns 0: w->n has not moved. */
    uint8_t *p = w->buf + w->n, *const lim = w->buf + end;
    if (end < w->n || (size_t)(lim - p) < OBJ_FIXED) return 0;
    *p++ = HDUMP_TAG_OBJECT;
    p = hdi_uvarint_put_fast(p, o->addr);
    p = hdi_uvarint_put_fast(p, len);
    if (split != NULL) {
        *split = (size_t)(p - w->buf);
    } else {
        if (len > (uint64_t)(lim - p)) return 0;
        memcpy(p, o->contents.ptr, (size_t)len);
        p += len;
    }
    if (map) {
        hdi_wmap m = map_of(f);
        return put_map_fit_rest(w, p, lim, &m);
    } else {
        const uint64_t maxk = hdi_max_field_kind(HDUMP_GO1_4);
        int bad = 0; /* the kinds were checked above */
        for (uint64_t i = 0; i < f->count;) {
            uint64_t k = f->count - i < 64 ? f->count - i : 64;
            if ((size_t)(lim - p) < OBJ_FIELD * (size_t)k + 1) return 0;
            p = store_pairs(w->kern, p, f->items + i, (size_t)k, maxk, &bad);
            i += k;
        }
    }
    if (p >= lim) return 0;
    *p++ = 0;
    w->n = (size_t)(p - w->buf);
    w->records++;
    return 1;
}

hdump_status hdi_wr_bytes(hdump_writer *w, const uint8_t *p, size_t len) {
    return wr_bytes(w, p, len, HDUMP_TAG_OBJECT);
}

hdump_status hdi_wr_deliver(hdump_writer *w, const uint8_t *p, size_t len) {
    size_t room = w->cap - w->n;
    if (len <= room) {
        if (len) memcpy(w->buf + w->n, p, len);
        w->n += len;
        return HDUMP_OK;
    }
    memcpy(w->buf + w->n, p, room);
    p += room;
    len -= room;
    hdump_status st = sink_write(w, w->buf, w->cap, HDUMP_TAG_OBJECT);
    w->n = 0;
    if (st != HDUMP_OK) return st;
    for (; len >= w->cap; p += w->cap, len -= w->cap)
        HDI_TRY(sink_write(w, p, w->cap, HDUMP_TAG_OBJECT));
    memcpy(w->buf, p, len);
    w->n = len;
    return HDUMP_OK;
}

hdump_status hdump_writer_put(hdump_writer *w, const hdump_record *rec) {
    if (w == NULL || rec == NULL) return HDUMP_ERR_USAGE;
    /* Objects first: one test for the common case. */
    if (HDI_LIKELY(rec->tag == HDUMP_TAG_OBJECT && w->obj_fast))
        return put_object_fast(w, rec->u.object.addr, rec->u.object.contents.ptr,
                               rec->u.object.contents.len, &rec->u.object.fields);
    HDI_TRY(hdi_wr_ready(w, (uint64_t)rec->tag));
    uint64_t at = hdump_writer_bytes(w);
    if ((unsigned)rec->tag >= HDUMP_TAG_COUNT)
        return hdi_wr_fail(w, HDUMP_ERR_USAGE, at, (uint64_t)rec->tag, "record tag is not 0..17");
    if (rec->tag == HDUMP_TAG_EOF) return hdump_writer_finish(w);
    if (rec->tag == HDUMP_TAG_OBJECT && w->version != HDUMP_GO1_3)
        return put_object_fast(w, rec->u.object.addr, rec->u.object.contents.ptr,
                               rec->u.object.contents.len, &rec->u.object.fields);
    const hdi_op *ops = hdi_grammar(w->version, (uint64_t)rec->tag);
    const char *why = NULL;
    hdump_status st = check_record(w, rec, ops, &why);
    if (st != HDUMP_OK) return hdi_wr_fail(w, st, at, (uint64_t)rec->tag, why);
    return put_ops(w, rec, ops);
}

/* ==== Lifecycle ==== */

void hdump_writer_opts_init(hdump_writer_opts *o) {
    memset(o, 0, sizeof *o);
    o->version = HDUMP_GO1_7;
    o->buffer_size = 4096;
    o->typecache_buckets = 256;
    o->typecache_ways = 4;
    o->ptr_size = 8;
    o->threads = 1;
    o->chunk_size = HDI_CHUNK_DEFAULT;
}

/* opts.threads and chunk_size (not read when the writer borrows a pool). */
static int threads_ok(unsigned threads, size_t chunk) {
    return threads <= 64 && (threads <= 1 || (chunk >= 1024 && chunk <= ((size_t)1 << 30)));
}

hdump_status hdump_writer_new(const hdump_writer_opts *o, hdump_sink sink, hdump_writer **out) {
    if (out == NULL) return HDUMP_ERR_USAGE;
    *out = NULL;
    hdump_writer_opts d;
    if (o == NULL) {
        hdump_writer_opts_init(&d);
        o = &d;
    }
    if (sink.write == NULL || o->version < HDUMP_GO1_3 || o->version > HDUMP_GO1_7 ||
        o->buffer_size < 64 || (o->ptr_size != 4 && o->ptr_size != 8) ||
        (o->pool == NULL && !threads_ok(o->threads, o->chunk_size)))
        return HDUMP_ERR_USAGE;
    int cache = o->typecache_buckets != 0 && o->typecache_ways != 0;
    if (cache && ((o->typecache_buckets & (o->typecache_buckets - 1)) != 0 ||
                  o->typecache_buckets > (1u << 24) || o->typecache_ways > 64))
        return HDUMP_ERR_USAGE;
    const hdi_varint_kernel *kern;
    HDI_TRY(hdi_varint_pick(o->kernel, &kern));

    hdump_alloc a;
    hdi_alloc_resolve(&a, o->alloc);
    hdump_writer *w = a.alloc(a.ctx, sizeof *w);
    if (w == NULL) return HDUMP_ERR_NOMEM;
    memset(w, 0, sizeof *w);
    w->a = a;
    w->sink = sink;
    w->version = (int)o->version;
    w->ptr_size = o->ptr_size;
    w->kern = kern;
    w->cap = o->buffer_size;
    w->threads = o->threads ? o->threads : 1;
    w->chunk = o->chunk_size;
    if (o->pool != NULL) hdi_wpool_borrow(w, o->pool);
    w->buf = a.alloc(a.ctx, w->cap);
    if (w->buf == NULL) {
        hdump_writer_free(w);
        return HDUMP_ERR_NOMEM;
    }
    if (hdi_typecache_init(&w->tc, &a, cache ? o->typecache_buckets : 0,
                           cache ? o->typecache_ways : 0) != HDUMP_OK) {
        hdump_writer_free(w);
        return HDUMP_ERR_NOMEM;
    }
    w->err.tag = UINT64_MAX;
    /* docs/format.md §3: the file starts with the 16-byte header. */
    memcpy(w->buf, hdump_version_header(o->version), HDUMP_HEADER_SIZE);
    w->n = HDUMP_HEADER_SIZE;
    w->obj_fast = 0;
    if (w->version != HDUMP_GO1_3) {
        const hdi_varint_kernel *bmi2;
        w->obj_fast = OBJ_GEN;
        if (OBJ_BMI2 && kern != &hdi_varint_scalar && hdi_varint_pick("bmi2", &bmi2) == HDUMP_OK)
            w->obj_fast = OBJ_BMI2_ON;
    }
    *out = w;
    return HDUMP_OK;
}

void hdump_writer_free(hdump_writer *w) {
    if (w == NULL) return;
    hdump_alloc a = w->a;
    hdi_wpool_free(w);
    if (w->buf) a.free(a.ctx, w->buf, w->cap);
    hdi_typecache_free(&w->tc, &a);
    a.free(a.ctx, w, sizeof *w);
}

const hdump_error *hdump_writer_error(const hdump_writer *w) { return &w->err; }

uint64_t hdump_writer_bytes(const hdump_writer *w) { return wr_offset(w); }

uint64_t hdump_writer_records(const hdump_writer *w) { return w->records; }

void hdump_writer_typecache_stats(const hdump_writer *w, uint64_t *hits, uint64_t *misses) {
    if (hits) *hits = w->tc.hits;
    if (misses) *misses = w->tc.misses;
}

hdump_status hdump_writer_flush(hdump_writer *w) {
    if (w == NULL) return HDUMP_ERR_USAGE;
    if (w->err.code != HDUMP_OK) return w->err.code;
    hdump_status st = sink_write(w, w->buf, w->n, UINT64_MAX);
    w->n = 0;
    return st;
}

hdump_status hdump_writer_finish(hdump_writer *w) {
    if (w == NULL) return HDUMP_ERR_USAGE;
    if (w->finished) return w->finish_status;
    if (w->err.code != HDUMP_OK) return w->err.code;
    w->finished = 1;
    w->obj_fast = 0;
    hdump_status st = wr_u(w, HDUMP_TAG_EOF, HDUMP_TAG_EOF);
    if (st == HDUMP_OK) {
        w->records++;
        st = hdump_writer_flush(w);
    }
    w->finish_status = st;
    return st;
}
