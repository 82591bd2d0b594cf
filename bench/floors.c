/* bench/floors.c: the decode and encode floors (floors.h). */
#include "floors.h"

#include <stdlib.h>
#include <string.h>

#include "../common/kernels.h"
#include "../common/varint.h"
#include "../writer/store_inline.h"

/* ==== Decode floor ==== */

/* An 8-byte-load uvarint, as the reader's fast path decodes addresses; 8
 * readable bytes at p (the padded copy). */
static inline unsigned dec_uv8(const uint8_t *p, uint64_t *v) {
    uint64_t w;
    memcpy(&w, p, sizeof w);
    uint64_t stop = ~w & 0x8080808080808080ULL;
    if (stop == 0) { /* 9 or 10 bytes: byte by byte */
        uint64_t x = 0;
        unsigned k = 0;
        do x |= (uint64_t)(p[k] & 0x7f) << (7 * k);
        while (p[k++] & 0x80);
        *v = x;
        return k;
    }
    unsigned len = (unsigned)__builtin_ctzll(stop) / 8 + 1;
    w &= (stop ^ (stop - 1)) & 0x7f7f7f7f7f7f7f7fULL;
    w = (w & 0x007f007f007f007fULL) | ((w & 0x7f007f007f007f00ULL) >> 1);
    w = (w & 0x00003fff00003fffULL) | ((w & 0x3fff00003fff0000ULL) >> 2);
    w = (w & 0x000000000fffffffULL) | ((w & 0x0fffffff00000000ULL) >> 4);
    *v = w;
    return len;
}

static inline unsigned dec_uv(const uint8_t *p, uint64_t *v) {
    if (p[0] < 0x80) {
        *v = p[0];
        return 1;
    }
    if (p[1] < 0x80) {
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return 2;
    }
    return dec_uv8(p, v);
}

static uint64_t decode_run(const uint8_t *p, const uint8_t *e, hdump_field *fl,
                           unsigned long long *nrec) {
    uint64_t sum = 0;
    unsigned long long n = 0;
    unsigned alen = 0;
    while (p < e) {
        uint64_t addr, len;
        p++; /* tag 1 */
        /* the reader's trick: a repeated address length is a predicted
         * branch, not a data dependency (reader/object_fast.h) */
        unsigned k = dec_uv8(p, &addr), g = alen;
        if (k == g) {
            __asm__("" : "+r"(g));
            p += g;
        } else {
            p += k;
            alen = k;
        }
        p += dec_uv(p, &len);
        p += len;
        size_t nf = 0;
        while (*p) {
            fl[nf].kind = *p;
            p += 1 + dec_uv(p + 1, &fl[nf].offset);
            nf++;
        }
        p++;
        sum += addr ^ len ^ nf;
        n++;
    }
    *nrec += n;
    return sum;
}

uint64_t bs_decode_floor(const bs_objruns *r, unsigned long long *records) {
    uint64_t sum = 0;
    *records = 0;
    for (size_t j = 0; j < r->n; j++)
        sum += decode_run(r->padded + r->lo[j], r->padded + r->hi[j], r->fields, records);
    return sum;
}

static int push_run(bs_objruns *r, size_t *cap, size_t lo, size_t hi) {
    if (r->n == *cap) {
        size_t c = *cap ? 2 * *cap : 64;
        size_t *a = realloc(r->lo, c * sizeof *a), *b;
        if (a == NULL) return -1;
        r->lo = a;
        b = realloc(r->hi, c * sizeof *b);
        if (b == NULL) return -1;
        r->hi = b;
        *cap = c;
    }
    r->lo[r->n] = lo;
    r->hi[r->n] = hi;
    r->n++;
    r->bytes += hi - lo;
    return 0;
}

int bs_objruns_find(bs_objruns *r, const uint8_t *data, size_t len) {
    memset(r, 0, sizeof *r);
    hdump_reader *rd;
    if (hdump_reader_new_mem(NULL, data, len, &rd) != HDUMP_OK) return -1;
    hdump_version v;
    if (hdump_reader_version(rd, &v) != HDUMP_OK || v == HDUMP_GO1_3) {
        hdump_reader_free(rd);
        return v == HDUMP_GO1_3 ? -2 : -1;
    }
    hdump_record rec;
    hdump_status st;
    size_t lo = 0, cap = 0;
    int in_run = 0, bad = 0;
    while ((st = hdump_reader_next(rd, &rec)) >= HDUMP_OK) {
        int obj = st == HDUMP_OK && rec.tag == HDUMP_TAG_OBJECT;
        if (obj) {
            const hdump_object *o = &rec.u.object;
            if (o->fields.count > r->max_fields) r->max_fields = (size_t)o->fields.count;
            r->sum += o->addr ^ o->contents.len ^ o->fields.count;
            r->records++;
            if (!in_run) lo = (size_t)rec.offset;
        } else if (in_run && push_run(r, &cap, lo, (size_t)rec.offset) != 0) {
            bad = 1;
            break;
        }
        in_run = obj;
        if (st == HDUMP_END) break;
    }
    hdump_reader_free(rd);
    r->padded = malloc(len + 16);
    r->fields = malloc((r->max_fields + 1) * sizeof *r->fields);
    if (bad || st != HDUMP_END || r->padded == NULL || r->fields == NULL) {
        bs_objruns_free(r);
        return -1;
    }
    memcpy(r->padded, data, len);
    memset(r->padded + len, 0, 16);
    return 0;
}

void bs_objruns_free(bs_objruns *r) {
    free(r->lo);
    free(r->hi);
    free(r->padded);
    free(r->fields);
    memset(r, 0, sizeof *r);
}

/* ==== Encode floor ==== */

/* The writer's own stores (writer/store_inline.h): the uvarint, the inline
 * copy of short contents, the field-list entry; lists longer than the
 * writer's inline ones (8 entries) through the kernel's pair store when it
 * has one, as the writer stores them (object_fast.h). k: the kernel the
 * writer would pick ($HDUMP_KERNEL, else the best; NULL in a shared build,
 * whose registry the bench cannot see: then entry by entry). */
static inline uint8_t *enc_pairs(const hdi_varint_kernel *k, uint8_t *p, const hdump_field *it,
                                 size_t n) {
    int bad = 0;
    if (n > 8 && k != NULL) return store_pairs(k, p, it, n, 3, &bad);
    for (size_t i = 0; i < n; i++) p = put_pair(p, it[i].kind, it[i].offset);
    return p;
}

static const hdi_varint_kernel *floor_kernel(void) {
#if defined(HDUMP_STATIC_DEFINE) /* the registry is hidden in a shared build */
    const hdi_varint_kernel *k = NULL;
    if (hdi_varint_pick(getenv("HDUMP_KERNEL"), &k) != HDUMP_OK) k = NULL;
    return k;
#else
    return NULL;
#endif
}

/* Field entries a piece of a long list: 11 bytes each at most. */
#define FLOOR_PIECE 256

size_t bs_encode_floor(const bs_store *s, uint8_t *buf, uint8_t *out) {
    return bs_encode_floor_range(s, 0, s->nitems, buf, out);
}

size_t bs_encode_floor_split(const bs_store *s) {
    uint64_t all = 0, half = 0;
    for (size_t i = 0; i < s->nitems; i++)
        if (s->items[i].kind == BS_OBJECT) all += s->items[i].len + 4 * s->items[i].nf + 8;
    for (size_t i = 0; i < s->nitems; i++) {
        if (s->items[i].kind != BS_OBJECT) continue;
        half += s->items[i].len + 4 * s->items[i].nf + 8;
        if (2 * half >= all) return i + 1;
    }
    return s->nitems;
}

size_t bs_encode_floor_range(const bs_store *s, size_t i0, size_t i1, uint8_t *buf, uint8_t *out) {
    size_t n = 0, total = 0;
    const hdi_varint_kernel *kern = floor_kernel();
    for (size_t i = i0; i < i1; i++) {
        const bs_item *it = &s->items[i];
        if (it->kind != BS_OBJECT) continue;
        const hdump_field *f = s->fields + it->f0;
        size_t len = (size_t)it->len;
        if (len >= BS_FLOOR_BUF || it->nf > FLOOR_PIECE) {
            /* a big object: the header, the contents written directly, the
             * list in pieces that each leave the buffer */
            uint8_t *p = buf + n;
            *p++ = HDUMP_TAG_OBJECT;
            p = hdi_uvarint_put_fast(p, it->addr);
            p = hdi_uvarint_put_fast(p, it->len);
            if (out) memcpy(out + total, buf, (size_t)(p - buf));
            total += (size_t)(p - buf);
            if (out) memcpy(out + total, it->ptr, len);
            total += len;
            for (uint32_t k = 0; k < it->nf; k += FLOOR_PIECE) {
                uint32_t m = it->nf - k < FLOOR_PIECE ? it->nf - k : FLOOR_PIECE;
                p = enc_pairs(kern, buf, f + k, m);
                if (out) memcpy(out + total, buf, (size_t)(p - buf));
                total += (size_t)(p - buf);
            }
            buf[0] = 0;
            n = 1;
            continue;
        }
        if (n + 1 + 2 * 10 + len + (size_t)it->nf * 11 + 1 > BS_FLOOR_BUF) {
            if (out) memcpy(out + total, buf, n);
            total += n;
            n = 0;
        }
        uint8_t *p = buf + n;
        *p++ = HDUMP_TAG_OBJECT;
        p = hdi_uvarint_put_fast(p, it->addr);
        p = hdi_uvarint_put_fast(p, it->len);
        if (len <= COPY_INLINE)
            copy_inline(p, it->ptr, len);
        else
            memcpy(p, it->ptr, len);
        p = enc_pairs(kern, p + len, f, it->nf);
        *p++ = 0;
        n = (size_t)(p - buf);
    }
    if (out) memcpy(out + total, buf, n);
    return total + n;
}

int bs_encode_floor_check(const bs_store *s, const uint8_t *data, size_t len,
                          size_t *object_bytes) {
    /* the object records' bytes of data, in order */
    uint8_t *want = malloc(len + 1), *got = malloc(len + 64);
    static uint8_t buf[BS_FLOOR_BUF + 64];
    hdump_reader *r;
    if (want == NULL || got == NULL || hdump_reader_new_mem(NULL, data, len, &r) != HDUMP_OK) {
        free(want);
        free(got);
        return -1;
    }
    hdump_record rec;
    hdump_status st;
    size_t n = 0;
    uint64_t obj_at = 0;
    int in_obj = 0;
    while ((st = hdump_reader_next(r, &rec)) >= HDUMP_OK) {
        if (in_obj) { /* the previous record was an object: it ends here */
            memcpy(want + n, data + obj_at, (size_t)(rec.offset - obj_at));
            n += (size_t)(rec.offset - obj_at);
        }
        in_obj = st == HDUMP_OK && rec.tag == HDUMP_TAG_OBJECT;
        obj_at = rec.offset;
        if (st == HDUMP_END) break;
    }
    hdump_reader_free(r);
    int ok = st == HDUMP_END && bs_encode_floor(s, buf, got) == n && memcmp(got, want, n) == 0;
    free(want);
    free(got);
    *object_bytes = n;
    return ok ? 0 : -1;
}
