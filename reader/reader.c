/* reader/reader.c: the pull core. Decodes the header and then one record per
 * call by walking the version's grammar (common/grammar.c), checking every
 * claim the input makes before acting on it (docs/format.md §5). */
#include <string.h>

#include "../common/cpu.h"
#include "../common/grammar.h"
#include "../common/kernels.h"
#include "../common/varint.h"
#include "reader_internal.h"

#if defined(__x86_64__) && defined(__GNUC__) && defined(HDUMP_KERNEL_BMI2)
#include <immintrin.h>
#endif

static const uint8_t empty_view[1] = {0};

hdump_status hdi_rd_fail(hdump_reader *r, hdump_status st, uint64_t offset, const char *msg) {
    if (r->err.code == HDUMP_OK) {
        r->err.code = st;
        r->err.offset = offset;
        r->err.record_index = r->nrec;
        r->err.tag = r->cur_tag;
        r->err.msg = msg;
    }
    r->hot_lim = 0; /* every call now goes the checked way and returns the error */
    return r->err.code;
}

/* Truncation is reported at the input's size: where the data ended once the
 * source is exhausted, else (a length checked against a known size before
 * anything is read) that size. */
static hdump_status fail_truncated(hdump_reader *r, const char *msg) {
    uint64_t at = r->src_eof ? hdi_rd_off(r, r->end) : r->size;
    return hdi_rd_fail(r, HDUMP_ERR_TRUNCATED, at, msg);
}

/* ==== Primitives ==== */

static HDI_NOINLINE hdump_status rd_u_slow(hdump_reader *r, uint64_t *v, const char *what) {
    HDI_TRY(hdi_rd_ensure(r, HDI_UVARINT_MAX));
    int nc = 0;
    int k = hdi_uvarint_get(r->p, (size_t)(r->end - r->p), v, &nc);
    if (k == 0) return fail_truncated(r, what);
    if (k < 0)
        return hdi_rd_fail(r, HDUMP_ERR_VARINT, hdi_rd_off(r, r->p),
                           "uvarint longer than 10 bytes or overflowing 64 bits");
    if (nc && r->strict)
        return hdi_rd_fail(r, HDUMP_ERR_NONCANONICAL, hdi_rd_off(r, r->p),
                           "over-long uvarint (strict mode)");
    r->p += k;
    return HDUMP_OK;
}

/* One uvarint (docs/format.md §1.1). `what` names the value for a truncation. */
static inline hdump_status rd_u(hdump_reader *r, uint64_t *v, const char *what) {
    if (HDI_LIKELY(r->end - r->p >= HDI_UVARINT_MAX)) {
        if (HDI_LIKELY(r->p[0] < 0x80)) {
            *v = *r->p++;
            return HDUMP_OK;
        }
        int nc = 0;
        int k = hdi_uvarint_get(r->p, HDI_UVARINT_MAX, v, &nc);
        if (HDI_LIKELY(k > 0 && !(nc && r->strict))) {
            r->p += k;
            return HDUMP_OK;
        }
    }
    return rd_u_slow(r, v, what);
}

/* A string or byte range (docs/format.md §1.2): the length is a claim,
 * checked against the limit and the bytes left before anything is read.
 * Inline ranges become views; on a streaming source, ranges longer than
 * inline_max go to on_range in chunks and come back as {NULL, len}. */
static hdump_status rd_range(hdump_reader *r, hdump_bytes *out, uint32_t which) {
    uint64_t at = hdi_rd_off(r, r->p);
    uint64_t len;
    HDI_TRY(rd_u(r, &len, "input ends inside a length"));
    if (len > r->lim.max_bytes)
        return hdi_rd_fail(r, HDUMP_ERR_LIMIT, at, "byte range longer than max_bytes");
    uint64_t here = hdi_rd_off(r, r->p);
    if (r->size != UINT64_MAX && here > r->size) r->size = UINT64_MAX; /* size was wrong */
    if (r->size != UINT64_MAX && len > r->size - here)
        return fail_truncated(r, "byte range runs past the end of input");
    if (len == 0) {
        out->ptr = empty_view;
        out->len = 0;
        return HDUMP_OK;
    }
    if (!r->streaming || len <= r->inline_max) {
        if ((uint64_t)(r->end - r->p) < len) {
            HDI_TRY(hdi_rd_ensure(r, (size_t)len));
            if ((uint64_t)(r->end - r->p) < len)
                return fail_truncated(r, "byte range runs past the end of input");
        }
        out->ptr = r->p;
        out->len = len;
        r->p += len;
        r->skipped += len;
        if (r->streaming) {
            if (r->keep_lo == NULL) r->keep_lo = out->ptr;
            r->keep_hi = r->p;
        }
        return HDUMP_OK;
    }
    /* Streamed: memory stays bounded by the buffer, whatever len says. */
    hdump_range_chunk c;
    c.record_index = r->nrec;
    c.tag = r->cur_tag;
    c.which = which;
    c.range_len = len;
    c.range_offset = 0;
    while (c.range_offset < len) {
        if (r->p == r->end) {
            HDI_TRY(hdi_rd_ensure(r, 1));
            if (r->p == r->end) return fail_truncated(r, "byte range runs past the end of input");
        }
        uint64_t left = len - c.range_offset;
        size_t k = (size_t)(r->end - r->p);
        if ((uint64_t)k > left) k = (size_t)left;
        c.ptr = r->p;
        c.len = k;
        if (r->on_range && r->on_range(r->on_range_ctx, &c) != 0)
            return hdi_rd_fail(r, HDUMP_ERR_USAGE, hdi_rd_off(r, r->p),
                               "range handler asked to stop");
        r->p += k;
        c.range_offset += k;
    }
    out->ptr = NULL;
    out->len = len;
    return HDUMP_OK;
}

/* A field list (docs/format.md §1.4): (kind, offset) pairs ended by kind 0. */
static hdump_status rd_fields(hdump_reader *r, hdump_fields *f) {
    uint64_t maxk = hdi_max_field_kind(r->version);
    size_t n = 0;
    for (;;) {
        uint64_t kind, off;
        /* Most entries are a Ptr at a small offset: two one-byte uvarints. */
        if (HDI_LIKELY(r->end - r->p >= 2) && r->p[0] == HDUMP_FIELD_PTR && r->p[1] < 0x80 &&
            n < r->fields_cap) {
            r->fields[n].kind = HDUMP_FIELD_PTR;
            r->fields[n].offset = r->p[1];
            r->p += 2;
            n++;
            continue;
        }
        uint64_t at = hdi_rd_off(r, r->p);
        HDI_TRY(rd_u(r, &kind, "input ends inside a field list"));
        if (kind == 0) break;
        if (kind > maxk)
            return hdi_rd_fail(r, HDUMP_ERR_FIELD_KIND, at,
                               "field kind not defined by this version");
        HDI_TRY(rd_u(r, &off, "input ends inside a field list"));
        if (n == r->fields_cap) {
            if ((uint64_t)n >= r->lim.max_fields)
                return hdi_rd_fail(r, HDUMP_ERR_LIMIT, at, "field list longer than max_fields");
            void *p = r->fields;
            size_t max = r->lim.max_fields > SIZE_MAX / sizeof(hdump_field)
                             ? SIZE_MAX / sizeof(hdump_field)
                             : (size_t)r->lim.max_fields;
            if (hdi_grow(&r->a, &p, &r->fields_cap, sizeof(hdump_field), n + 1, max) != HDUMP_OK)
                return hdi_rd_fail(r, HDUMP_ERR_NOMEM, at, "cannot grow the field array");
            r->fields = p;
        }
        r->fields[n].kind = kind;
        r->fields[n].offset = off;
        n++;
    }
    f->items = r->fields;
    f->count = n;
    f->bitmap = NULL;
    f->nwords = 0;
    f->form = HDUMP_FIELDS_LIST;
    return HDUMP_OK;
}

/* The memprof stack (docs/format.md §4, tag 16). Frames are stored as they
 * are decoded: the declared count never sizes an allocation. */
static hdump_status rd_stack(hdump_reader *r, hdump_memprof *m) {
    uint64_t at = hdi_rd_off(r, r->p);
    uint64_t nstk;
    HDI_TRY(rd_u(r, &nstk, "input ends inside a memprof record"));
    if (nstk > r->lim.max_fields)
        return hdi_rd_fail(r, HDUMP_ERR_LIMIT, at, "memprof stack deeper than max_fields");
    r->nframes_cur = 0;
    for (uint64_t i = 0; i < nstk; i++) {
        if (r->nframes_cur == r->frames_cap) {
            void *p = r->frames;
            if (hdi_grow(&r->a, &p, &r->frames_cap, sizeof(hdump_memprof_frame),
                         r->nframes_cur + 1, (size_t)nstk) != HDUMP_OK)
                return hdi_rd_fail(r, HDUMP_ERR_NOMEM, hdi_rd_off(r, r->p),
                                   "cannot grow the memprof frame array");
            r->frames = p;
        }
        hdump_memprof_frame *fr = &r->frames[i];
        fr->func.ptr = fr->file.ptr = NULL;
        fr->func.len = fr->file.len = 0;
        r->nframes_cur = (size_t)i + 1;
        HDI_TRY(rd_range(r, &fr->func, (uint32_t)(2 * i)));
        HDI_TRY(rd_range(r, &fr->file, (uint32_t)(2 * i + 1)));
        HDI_TRY(rd_u(r, &fr->line, "input ends inside a memprof record"));
    }
    m->stack = r->frames;
    m->nstk = nstk;
    return HDUMP_OK;
}

/* ==== The object fast path (reader/object_fast.h) ====
 * Eight instances: portable (rd_fast_gen_*) or, in x86-64 builds with the
 * bmi2 kernel, with varints gathered by pext (rd_fast_pext_*), each lax or
 * strict and for a memory or a streaming window. rd_pick_fast chooses one
 * when the header has been read; pext (r->pext, from hdi_rd_pick_pext at
 * creation) when the bmi2 kernel is supported with a fast pdep/pext and the
 * reader's kernel is not "scalar" (so HDUMP_KERNEL=scalar forces the
 * portable twin). Every instance hands what it declines to rd_next_checked. */
static HDI_NOINLINE hdump_status rd_next_checked(hdump_reader *r, hdump_record *rec);

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    (defined(__GNUC__) || defined(__clang__))
#define RDF_LE64 1
#else
#define RDF_LE64 0
#endif
#define RD_SLOP 16

#define RDF_NAME(x) rd_fast_gen_##x
#define RDF_ATTR
#define RDF_PEXT 0
#include "object_fast_set.h"
#undef RDF_NAME
#undef RDF_ATTR
#undef RDF_PEXT

#if RDF_LE64 && defined(__x86_64__) && defined(HDUMP_KERNEL_BMI2)
#define RD_HAVE_PEXT 1
#define RDF_NAME(x) rd_fast_pext_##x
#define RDF_ATTR __attribute__((target("bmi,bmi2")))
#define RDF_PEXT 1
#include "object_fast_set.h"
#undef RDF_NAME
#undef RDF_ATTR
#undef RDF_PEXT
#else
#define RD_HAVE_PEXT 0
#endif

/* Whether a reader with kernel k may use the pext instances. */
int hdi_rd_pick_pext(const hdi_varint_kernel *k) {
#if RD_HAVE_PEXT
    const hdi_varint_kernel *bmi2;
    return k != &hdi_varint_scalar && hdi_varint_pick("bmi2", &bmi2) == HDUMP_OK &&
           (hdi_cpu_features() & HDI_CPU_BMI2_FAST);
#else
    (void)k;
    return 0;
#endif
}

static hdi_rd_next_fn rd_pick_fast(const hdump_reader *r);

/* The run instance for r (see rd_lend_pool). */
static hdi_rd_next_fn rd_pick_run(const hdump_reader *r) {
    static const hdi_rd_next_fn gen[2] = {rd_fast_gen_lb_object, rd_fast_gen_sb_object};
    int s = r->strict != 0;
#if RD_HAVE_PEXT
    static const hdi_rd_next_fn pext[2] = {rd_fast_pext_lb_object, rd_fast_pext_sb_object};
    if (r->pext) return pext[s];
#endif
    return gen[s];
}

/* Lends the fast path the whole pool for a batch's field lists (see
 * fields_lent): it switches to its run instance, which reads a run of
 * objects (run_stop, run_max, run_count), puts each list after the one
 * before, leaves fields/fields_cap at the rest of the pool, and ends the run
 * at a list that does not fit. hdi_rd_batch lends only when max_fields is
 * at least the pool's size, as the reader's own array never outgrows it. */
static void rd_lend_pool(hdump_reader *r, const uint8_t *stop) {
    r->fields_own = r->fields;
    r->fields_own_cap = r->fields_cap;
    r->fields_lent = 1;
    r->fast = rd_pick_run(r);
    r->fields = r->pool;
    r->fields_cap = HDI_RD_POOL;
    r->run_stop = stop;
}

/* Gives the reader its own field array and fast path back (no-op when
 * nothing is lent). */
static void rd_return_pool(hdump_reader *r) {
    if (!r->fields_lent) return;
    r->fields = r->fields_own;
    r->fields_cap = r->fields_own_cap;
    r->fields_lent = 0;
    r->fast = rd_pick_fast(r);
}

static hdi_rd_next_fn rd_pick_fast(const hdump_reader *r) {
    static const hdi_rd_next_fn gen[2][2] = {{rd_fast_gen_lm_object, rd_fast_gen_ls_object},
                                             {rd_fast_gen_sm_object, rd_fast_gen_ss_object}};
    int s = r->strict != 0, t = r->streaming != 0;
#if RD_HAVE_PEXT
    static const hdi_rd_next_fn pext[2][2] = {{rd_fast_pext_lm_object, rd_fast_pext_ls_object},
                                              {rd_fast_pext_sm_object, rd_fast_pext_ss_object}};
    if (r->pext) return pext[s][t];
#endif
    return gen[s][t];
}

/* ==== Header and records ==== */

/* Records may be read from here on: the fast path's instance and gate
 * (hot_lim: see hdump_reader_next). go1.3's objects carry a type and a
 * kind: they take the grammar walk, so go1.3 keeps the gate shut. */
static void rd_open_records(hdump_reader *r) {
    r->state = 1;
    r->fast = rd_pick_fast(r);
    r->hot_lim = r->version != HDUMP_GO1_3 ? r->lim.max_records : 0;
}

static hdump_status rd_header(hdump_reader *r) {
    HDI_TRY(hdi_rd_ensure(r, HDUMP_HEADER_SIZE));
    size_t avail = (size_t)(r->end - r->p);
    if (avail < HDUMP_HEADER_SIZE) {
        if (hdi_header_prefix_ok(r->p, avail)) return fail_truncated(r, "input ends inside the header");
        return hdi_rd_fail(r, HDUMP_ERR_HEADER, 0, "not a Go heap dump header");
    }
    int v = hdi_header_version(r->p);
    if (v == 0) return hdi_rd_fail(r, HDUMP_ERR_HEADER, 0, "not a Go heap dump header (go1.3 .. go1.7)");
    r->version = v;
    r->p += HDUMP_HEADER_SIZE;
    rd_open_records(r);
    return HDUMP_OK;
}

void hdi_rd_restart(hdump_reader *r, uint64_t at, int version, uint64_t nrec,
                    uint64_t max_records) {
    r->p = r->base + (size_t)(at - r->off_adj);
    r->version = version;
    r->nrec = nrec;
    r->lim.max_records = max_records;
    memset(&r->err, 0, sizeof r->err);
    r->err.tag = UINT64_MAX;
    r->cur_tag = UINT64_MAX;
    r->keep_lo = r->keep_hi = NULL;
    r->nviews = 0;
    r->nframes_cur = 0;
    r->addr_len = 0;
    r->skipped = 0;
    rd_open_records(r);
}

hdump_status hdump_reader_version(hdump_reader *r, hdump_version *v) {
    if (r == NULL || v == NULL) return HDUMP_ERR_USAGE;
    if (r->err.code != HDUMP_OK) return r->err.code;
    if (r->state == 0) HDI_TRY(rd_header(r));
    *v = (hdump_version)r->version;
    return HDUMP_OK;
}

static hdump_status rd_record(hdump_reader *r, hdump_record *rec) {
    uint64_t at = hdi_rd_off(r, r->p);
    r->cur_tag = UINT64_MAX;
    r->keep_lo = r->keep_hi = NULL;
    r->nviews = 0;
    r->nframes_cur = 0;
    if (HDI_UNLIKELY(r->p == r->end)) {
        HDI_TRY(hdi_rd_ensure(r, 1));
        if (r->p == r->end) return fail_truncated(r, "input ends before the EOF record");
    }
    if (r->nrec >= r->lim.max_records)
        return hdi_rd_fail(r, HDUMP_ERR_LIMIT, at, "more records than max_records");
    uint64_t tag;
    HDI_TRY(rd_u(r, &tag, "input ends inside a record tag"));
    r->cur_tag = tag; /* also for an unknown tag: the error then names it */
    if (tag == HDUMP_TAG_OBJECT && r->version != HDUMP_GO1_3) {
        /* The objects the fast path declined (docs/format.md §4 tag 1): the
         * same checks as the table walk, without its dispatch. */
        hdump_object *o = &rec->u.object;
        rec->tag = HDUMP_TAG_OBJECT;
        rec->offset = at;
        rec->index = r->nrec;
        o->type_addr = 0;
        o->kind = 0;
        HDI_TRY(rd_u(r, &o->addr, "input ends inside a record"));
        o->contents.ptr = NULL;
        o->contents.len = 0;
        r->views[0] = &o->contents;
        r->nviews = 1;
        HDI_TRY(rd_range(r, &o->contents, 0));
        HDI_TRY(rd_fields(r, &o->fields));
        r->nrec++;
        return HDUMP_OK;
    }
    const hdi_op *ops = hdi_grammar(r->version, tag);
    if (ops == NULL) return hdi_rd_fail(r, HDUMP_ERR_TAG, at, "record tag is not 0..17");
    memset(&rec->u, 0, hdump_record_struct_size(tag) - offsetof(hdump_record, u));
    rec->tag = (hdump_tag)tag;
    rec->offset = at;
    rec->index = r->nrec;
    for (const hdi_op *op = ops; op->op != HDI_OP_END; op++) {
        char *dst = (char *)rec + op->off;
        switch (op->op) {
        case HDI_OP_U:
            HDI_TRY(rd_u(r, (uint64_t *)(void *)dst, "input ends inside a record"));
            break;
        case HDI_OP_S: {
            hdump_bytes *b = (hdump_bytes *)(void *)dst;
            b->ptr = NULL;
            b->len = 0;
            if (r->nviews < HDI_RD_MAXVIEWS) r->views[r->nviews++] = b;
            HDI_TRY(rd_range(r, b, op->which));
            break;
        }
        case HDI_OP_F:
            HDI_TRY(rd_fields(r, (hdump_fields *)(void *)dst));
            break;
        case HDI_OP_MEMSTATS: {
            uint64_t *v = ((hdump_memstats *)(void *)dst)->v;
            /* A run of 281 uvarints: one kernel call when the bytes are there
             * (strict mode needs the per-value canonical check). On bad or
             * short input the kernel declines and the per-value path finds
             * and reports the offending value. */
            if (!r->strict && (!r->streaming || r->lim.max_record_bytes >= 4096)) {
                HDI_TRY(hdi_rd_ensure(r, HDUMP_MEMSTATS_COUNT * HDI_UVARINT_MAX));
                size_t used = r->kern->decode(v, HDUMP_MEMSTATS_COUNT, r->p, (size_t)(r->end - r->p));
                if (used > 0) {
                    r->p += used;
                    break;
                }
            }
            for (size_t i = 0; i < HDUMP_MEMSTATS_COUNT; i++)
                HDI_TRY(rd_u(r, &v[i], "input ends inside a memstats record"));
            break;
        }
        case HDI_OP_STACK:
            HDI_TRY(rd_stack(r, (hdump_memprof *)(void *)dst));
            break;
        default:
            break;
        }
    }
    r->nrec++;
    if (tag == HDUMP_TAG_EOF) {
        /* docs/format.md §3: nothing follows the EOF record. */
        HDI_TRY(hdi_rd_ensure(r, 1));
        if (r->p < r->end) {
            r->cur_tag = UINT64_MAX; /* the error is about the bytes after EOF */
            return hdi_rd_fail(r, HDUMP_ERR_TRAILING, hdi_rd_off(r, r->p),
                               "data after the EOF record");
        }
        r->state = 2;
        r->hot_lim = 0;
        r->eof_rec = *rec;
        return HDUMP_END;
    }
    return HDUMP_OK;
}

/* Everything but the object fast path: errors, the header, EOF, and every
 * record r->fast declines. Kept out of line so that the hot call
 * stays a leaf that needs no callee-saved registers. */
static HDI_NOINLINE hdump_status rd_next_checked(hdump_reader *r, hdump_record *rec) {
    /* a batch's gate-shut record (go1.3, an error, EOF, the record limit)
     * is read here into the reader's own arrays, never into the pool */
    if (HDI_UNLIKELY(r->fields_lent)) rd_return_pool(r);
    if (r->err.code != HDUMP_OK) return r->err.code;
    if (r->state == 2) {
        *rec = r->eof_rec;
        return HDUMP_END;
    }
    if (r->state == 0) HDI_TRY(rd_header(r));
    return rd_record(r, rec);
}

hdump_status hdump_reader_next(hdump_reader *r, hdump_record *rec) {
    if (r == NULL || rec == NULL) return HDUMP_ERR_USAGE;
    /* hot_lim is max_records while records are being read with no error,
     * else 0: one compare admits the fast path (rd_record's own checks:
     * no sticky error, past the header, not after EOF, under max_records). */
    if (HDI_LIKELY(r->nrec < r->hot_lim)) return r->fast(r, rec);
    return rd_next_checked(r, rec);
}

/* A memory reader with a max_fields of at least the pool's size lends its
 * pool to the fast path's run instance, which reads objects into recs[k..]
 * until a record it declines, the batch's room, the pool's free rest or
 * `stop`; a record it declines first is read by hdump_reader_next into the
 * reader's own arrays, which the next one overwrites, so it ends the batch. A
 * streaming reader's views may move at its next refill: one record per
 * batch. */
hdump_status hdi_rd_batch(hdump_reader *r, hdump_record *recs, size_t max, const uint8_t *stop,
                          size_t *n) {
    size_t k = 0;
    hdump_status st = HDUMP_OK;
    int lend = !r->streaming && r->lim.max_fields >= HDI_RD_POOL;
    if (lend && r->pool == NULL) {
        r->pool = r->a.alloc(r->a.ctx, HDI_RD_POOL * sizeof *r->pool);
        lend = r->pool != NULL;
    }
    int lent = 0; /* the pool is lent once a batch, from its start */
    while (k < max && (k == 0 || r->p < stop)) {
        /* an object (tag byte 1, §4) may start a run; anything else goes
         * the reader's own way at once */
        if (lend && r->p < r->end && *r->p == HDUMP_TAG_OBJECT) {
            if (!lent) {
                rd_lend_pool(r, stop);
                lent = 1;
            }
            r->run_max = max - k;
            st = hdump_reader_next(r, &recs[k]);
            if (st != HDUMP_OK && st != HDUMP_END) break;
            if (!r->fields_lent) { /* the checked path took it, into the reader's arrays */
                k++;
                break;
            }
            if (r->run_count > 0) {
                k += r->run_count;
                if (r->fields_cap < HDI_RD_POOL_LOW) break;
                continue;
            }
            /* the run read nothing (a long list, a long value): the reader's own way */
        }
        rd_return_pool(r);
        st = hdump_reader_next(r, &recs[k]);
        if (st == HDUMP_OK || st == HDUMP_END) k++;
        break; /* its lists are in the reader's arrays, which the next record overwrites */
    }
    rd_return_pool(r); /* every way out: nothing stays lent between calls */
    *n = k;
    return st;
}

hdump_status hdump_reader_next_batch(hdump_reader *r, hdump_record *recs, size_t max, size_t *n) {
    if (n != NULL) *n = 0;
    if (r == NULL || recs == NULL || max == 0 || n == NULL) return HDUMP_ERR_USAGE;
    return hdi_rd_batch(r, recs, max, r->end, n);
}

const hdump_error *hdump_reader_error(const hdump_reader *r) { return &r->err; }

uint64_t hdump_reader_offset(const hdump_reader *r) { return hdi_rd_off(r, r->p); }
