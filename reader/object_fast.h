/* reader/object_fast.h: the reader's object fast path, included eight
 * times by reader/reader.c through reader/object_fast_set.h: portable or with
 * BMI2's pext for the varints (RDF_PEXT 0/1, like the writer's
 * writer/object_fast.h), lax or strict about over-long varints
 * (RDF_STRICT 0/1), memory/mmap or streaming source (RDF_STREAM 0/1). The
 * reader picks its instance when it has read the header (rd_pick_fast);
 * fixing those three as constants keeps their tests out of the hot call.
 * Four more memory instances (RDF_RUN 1) serve batches (reader.c
 * hdi_rd_batch: hdump_reader_next_batch and the scan's on_batch): they
 * read a run of objects, each list in the lent pool after the one before.
 *
 * Parameters: RDF_(x) names this instance's functions, RDF_ATTR its
 * function attribute, RDF_PEXT, RDF_STRICT, RDF_STREAM, RDF_RUN. */

#ifndef RDF_OPAQUE
#if defined(__GNUC__) || defined(__clang__)
/* Hides x's value from the optimiser, which could otherwise replace it by
 * an equal value it has compared it with. */
#define RDF_OPAQUE(x) __asm__("" : "+r"(x))
#else
#define RDF_OPAQUE(x) ((void)0)
#endif
#endif

/* A uvarint of at most 8 bytes from one 8-byte load (docs/format.md §1.1):
 * the first byte without the continuation bit ends it; its 7-bit groups
 * are gathered by pext, or merged pairwise (7 -> 14 -> 28 -> 56 bits). The
 * caller guarantees 8 readable bytes. Returns the length, or 0 for a longer
 * value or (strict) an over-long one: the caller then takes the checked path. */
static inline RDF_ATTR unsigned RDF_(uv8)(const uint8_t *p, uint64_t *v) {
#if RDF_LE64
    uint64_t w;
    memcpy(&w, p, sizeof w);
    uint64_t stop = ~w & 0x8080808080808080ULL;
    if (stop == 0) return 0;
    unsigned len = (unsigned)__builtin_ctzll(stop) / 8 + 1;
    if (RDF_STRICT && len > 1 && p[len - 1] == 0) return 0;
    w &= stop ^ (stop - 1); /* the bytes up to the first stop bit (blsmsk) */
#if RDF_PEXT
    *v = _pext_u64(w, 0x7f7f7f7f7f7f7f7fULL);
#else
    w &= 0x7f7f7f7f7f7f7f7fULL;
    w = (w & 0x007f007f007f007fULL) | ((w & 0x7f007f007f007f00ULL) >> 1);
    w = (w & 0x00003fff00003fffULL) | ((w & 0x3fff00003fff0000ULL) >> 2);
    w = (w & 0x000000000fffffffULL) | ((w & 0x0fffffff00000000ULL) >> 4);
    *v = w;
#endif
    return len;
#else
    int nc = 0;
    int k = hdi_uvarint_get(p, 8, v, &nc);
    if (k <= 0 || (nc && RDF_STRICT)) return 0;
    return (unsigned)k;
#endif
}

/* A uvarint of 1 to 3 bytes (below 2^21), inline; 0 for a longer one (or,
 * strict, an over-long one). Field offsets: an object of 2 MiB or more
 * has its field list read by the checked path. */
static inline RDF_ATTR unsigned RDF_(uv3)(const uint8_t *p, uint64_t *v) {
    if (p[0] < 0x80) {
        *v = p[0];
        return 1;
    }
    if (p[1] < 0x80) {
        if (RDF_STRICT && p[1] == 0) return 0;
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return 2;
    }
    if (p[2] < 0x80) {
        if (RDF_STRICT && p[2] == 0) return 0;
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)(p[1] & 0x7f) << 7 | (uint64_t)p[2] << 14;
        return 3;
    }
    return 0;
}

/* A uvarint that is most often 1 to 3 bytes (a length): those inline,
 * longer ones through uv8. Same contract as uv8. */
static inline RDF_ATTR unsigned RDF_(uv_short)(const uint8_t *p, uint64_t *v) {
    unsigned k = RDF_(uv3)(p, v);
    return k ? k : RDF_(uv8)(p, v);
}

/* The whole object record (docs/format.md §4 tag 1, go1.4+: tag 1, address,
 * contents, field list), tag included, when it lies in the window with
 * RD_SLOP spare bytes and every value is short and well formed. The reader
 * moves on only when the record is complete; anything else (another tag, a
 * long or bad value, a limit, a range streamed to the handler, a field array
 * to grow) goes to rd_next_checked, which decodes the record from the same
 * place and reports it. The caller has checked that records may be read
 * (r->hot_lim).
 *
 * The record's views need no keep_lo/keep_hi or views[] entry: those matter
 * only to a refill inside the record, and this path never refills. */
static RDF_ATTR hdump_status RDF_(object)(hdump_reader *r, hdump_record *rec) {
    const uint8_t *p = r->p, *e = r->end;
#if RDF_RUN
    /* A run (reader.c hdi_rd_batch): objects into rec[0], rec[1], ...
     * while they start before run_stop, at most run_max of them, under the
     * record limit; their lists one after another in the lent pool. The
     * position, the pool's free rest and the record count stay in
     * registers from one object to the next. */
    hdump_record *const rec0 = rec;
    hdump_field *fl = r->fields;
    size_t cap = r->fields_cap, left = r->run_max;
    uint64_t nrec = r->nrec;
    const uint64_t lim = r->hot_lim;
    const uint8_t *const stop = r->run_stop, *start;
    unsigned g = r->addr_len;
next:
    start = p;
#else
    const uint8_t *start = p;
#endif
    if (e - p < 2 * RD_SLOP || p[0] != HDUMP_TAG_OBJECT) goto decline;
    p++;
    uint64_t addr, len;
    unsigned k = RDF_(uv8)(p, &addr);
    if (k == 0) goto decline;
    /* The length of the address varint repeats from object to object (6
     * bytes for every amd64 and arm64 Go heap address): when it is the last
     * one's, p moves by that remembered length. That turns the wait for this
     * length, a data dependency of everything after it, into a predicted
     * branch. The empty asm keeps the compiler from using k instead. */
#if RDF_RUN
    if (HDI_LIKELY(k == g)) {
        RDF_OPAQUE(g);
        p += g;
    } else {
        p += k;
        g = k;
    }
#else
    unsigned g = r->addr_len;
    if (HDI_LIKELY(k == g)) {
        RDF_OPAQUE(g);
        p += g;
    } else {
        p += k;
        r->addr_len = k;
    }
#endif
    k = RDF_(uv_short)(p, &len);
    if (k == 0) goto decline;
    p += k;
    if (len > r->lim.max_bytes || len >= (uint64_t)(e - p) - RD_SLOP) goto decline;
#if RDF_RUN
    /* An object with room for more pointer words than the pool has left
     * most often has a longer list: it goes the reader's own way before its
     * list is parsed twice (a guess for speed only; any list that does not
     * fit makes the run decline below). */
    if (len >> 3 > cap) goto decline;
#endif
#if RDF_STREAM
    /* A streaming window ends before the input does: a range past inline_max
     * goes to on_range, and a declared size is checked here. (A memory
     * window's end is the input's size, checked above.) */
    if (len > r->inline_max) goto decline;
    uint64_t here = hdi_rd_off(r, p);
    if (r->size != UINT64_MAX && (here > r->size || len > r->size - here)) goto decline;
#endif
    /* Stored as soon as decoded, so that they need no registers across the
     * field loop; after a decline the checked path rewrites the record. */
    hdump_object *o = &rec->u.object;
    rec->tag = HDUMP_TAG_OBJECT;
    rec->offset = hdi_rd_off(r, start);
#if RDF_RUN
    rec->index = nrec;
#else
    rec->index = r->nrec;
#endif
    o->addr = addr;
    o->type_addr = 0;
    o->kind = 0;
    o->contents.ptr = len ? p : empty_view;
    o->contents.len = len;
    p += len;
    /* Fields: (kind, offset) pairs, kind 0 ends (§1.4); go1.4+ kinds are
     * 1..3 (hdi_max_field_kind), and go1.3 never comes here. Each step needs
     * at most 1 + 8 bytes, and stops when fewer than RD_SLOP are left. */
#if !RDF_RUN
    hdump_field *fl = r->fields;
    size_t cap = r->fields_cap;
#endif
    size_t n = 0;
    for (;;) {
        if (e - p < RD_SLOP) goto decline;
        uint64_t kind = p[0];
        if (kind == 0) {
            p++;
            break;
        }
        if (kind > 3 || n == cap) goto decline; /* an error, a long kind, or growth */
        uint64_t off;
        k = RDF_(uv3)(p + 1, &off);
        if (k == 0) goto decline;
        p += 1 + k;
        fl[n].kind = kind;
        fl[n].offset = off;
        n++;
    }
    o->fields.items = fl;
    o->fields.count = n;
    o->fields.bitmap = NULL;
    o->fields.nwords = 0;
    o->fields.form = HDUMP_FIELDS_LIST;
#if RDF_RUN
    fl += n;
    cap -= n;
    nrec++;
    rec++;
    if (--left != 0 && p < stop && nrec < lim) goto next;
    start = p;
run_end: /* objects rec0..rec-1 done; the next record starts at `start` */
    r->p = start;
    r->nrec = nrec;
    r->fields = fl;
    r->fields_cap = cap;
    r->addr_len = g;
    r->run_count = (size_t)(rec - rec0);
    return HDUMP_OK;
decline:
    if (rec != rec0) goto run_end;
    /* nothing read: the caller reads this record the reader's own way (a
     * list longer than the pool's rest then still takes the fast path,
     * into the reader's array) */
    r->addr_len = g;
    r->run_count = 0;
    return HDUMP_OK;
#else
    r->p = p;
    r->nrec++;
    return HDUMP_OK;
decline:
    return rd_next_checked(r, rec);
#endif
}
