/* reader/object_fast.h: the reader's object fast path, included twice by
 * reader/reader.c: once portable (RDF_PEXT 0), once with BMI2's pext for
 * the varints (RDF_PEXT 1, under a target attribute), like the writer's
 * writer/object_fast.h. The reader picks one when it is created.
 *
 * Parameters: RDF_(x) names this instance's functions, RDF_ATTR its
 * function attribute, RDF_PEXT 0/1. */

/* A uvarint of at most 8 bytes from one 8-byte load (docs/format.md §1.1):
 * the first byte without the continuation bit ends it; its 7-bit groups
 * are gathered by pext, or merged pairwise (7 -> 14 -> 28 -> 56 bits). The
 * caller guarantees 8 readable bytes. Returns the length, or 0 for a longer
 * value or (strict) an over-long one: the caller then takes the checked path. */
static inline RDF_ATTR unsigned RDF_(uv8)(const uint8_t *p, uint64_t *v, int strict) {
#if RDF_LE64
    uint64_t w;
    memcpy(&w, p, sizeof w);
    uint64_t stop = ~w & 0x8080808080808080ULL;
    if (stop == 0) return 0;
    unsigned len = (unsigned)__builtin_ctzll(stop) / 8 + 1;
    if (strict && len > 1 && p[len - 1] == 0) return 0;
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
    if (k <= 0 || (nc && strict)) return 0;
    return (unsigned)k;
#endif
}

/* A uvarint that is most often 1 to 3 bytes (a length, a field offset):
 * those inline, longer ones through uv8. Same contract as uv8. */
static inline RDF_ATTR unsigned RDF_(uv_short)(const uint8_t *p, uint64_t *v, int strict) {
    if (p[0] < 0x80) {
        *v = p[0];
        return 1;
    }
    if (p[1] < 0x80) {
        if (strict && p[1] == 0) return 0;
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return 2;
    }
    if (p[2] < 0x80) {
        if (strict && p[2] == 0) return 0;
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)(p[1] & 0x7f) << 7 | (uint64_t)p[2] << 14;
        return 3;
    }
    return RDF_(uv8)(p, v, strict);
}

/* The whole object record (docs/format.md §4 tag 1, go1.4+: address,
 * contents, field list) when it lies in the buffer with RD_SLOP spare bytes
 * and every value is short and well formed. Nothing is committed unless the
 * record is complete; anything else (a long or bad value, a limit, a range
 * streamed to the handler, a field array to grow) returns 0 and the checked
 * path decodes the record from the same place and reports it. */
static RDF_ATTR int RDF_(object)(hdump_reader *r, hdump_record *rec, uint64_t at) {
    const uint8_t *p = r->p, *e = r->end;
    if (e - p < 2 * RD_SLOP) return 0;
    uint64_t addr, len;
    unsigned k = RDF_(uv8)(p, &addr, r->strict);
    if (k == 0) return 0;
    p += k;
    k = RDF_(uv_short)(p, &len, r->strict);
    if (k == 0) return 0;
    p += k;
    if (len > r->lim.max_bytes || len >= (uint64_t)(e - p) - RD_SLOP) return 0;
    if (r->streaming) { /* memory: the buffer's end is the input's size */
        if (len > r->inline_max) return 0;
        uint64_t here = hdi_rd_off(r, p);
        if (r->size != UINT64_MAX && (here > r->size || len > r->size - here)) return 0;
    }
    const uint8_t *contents = p;
    p += len;
    /* Fields: (kind, offset) pairs, kind 0 ends (§1.4). Each step needs at
     * most 1 + 8 bytes, and stops when fewer than RD_SLOP are left. */
    uint64_t maxk = hdi_max_field_kind(r->version);
    hdump_field *fl = r->fields;
    size_t n = 0, cap = r->fields_cap;
    for (;;) {
        if (e - p < RD_SLOP) return 0;
        uint64_t kind = p[0];
        if (kind == 0) {
            p++;
            break;
        }
        if (kind > maxk || n == cap) return 0; /* an error, a long kind, or growth */
        uint64_t off;
        k = RDF_(uv_short)(p + 1, &off, r->strict);
        if (k == 0) return 0;
        p += 1 + k;
        fl[n].kind = kind;
        fl[n].offset = off;
        n++;
    }
    hdump_object *o = &rec->u.object;
    rec->tag = HDUMP_TAG_OBJECT;
    rec->offset = at;
    rec->index = r->nrec;
    o->addr = addr;
    o->type_addr = 0;
    o->kind = 0;
    o->contents.ptr = len ? contents : empty_view;
    o->contents.len = len;
    o->fields.items = fl;
    o->fields.count = n;
    o->fields.bitmap = NULL;
    o->fields.nwords = 0;
    o->fields.form = HDUMP_FIELDS_LIST;
    r->views[0] = &o->contents;
    r->nviews = 1;
    if (r->streaming && len) {
        r->keep_lo = contents;
        r->keep_hi = contents + len;
    }
    r->p = p;
    r->nrec++;
    return 1;
}
