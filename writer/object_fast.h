/* writer/object_fast.h: the body of the object fast path (writer.c),
 * included once per instantiation, as zstd compiles one body twice:
 *   OBJ_FAST_NAME  the entry's name
 *   OBJ_FAST_REST  the name of its out-of-line continuation
 *   OBJ_FAST_ATTR  their attributes (a target ISA, or nothing)
 *   OBJ_FAST_UV    the single-value uvarint store they inline for the
 *                  header: uint8_t *OBJ_FAST_UV(uint8_t *p, uint64_t v),
 *                  10 bytes at p
 * Uses writer.c's helpers (copy_inline, kind_bad, put_object_slow, ...).
 * Not a header in its own right: only writer.c includes it. */

/* The record from its contents on, for contents longer than COPY_INLINE or
 * lists longer than FIELDS_INLINE. p is just past the header in the buffer;
 * the caller checked that the record's bound fits and did not move w->n. */
static HDI_NOINLINE OBJ_FAST_ATTR hdump_status OBJ_FAST_REST(hdump_writer *w, uint8_t *p,
                                                              const uint8_t *c, uint64_t len,
                                                              const hdump_field *it,
                                                              uint64_t nf) {
    if (len <= COPY_INLINE)
        copy_inline(p, c, (size_t)len);
    else
        memcpy(p, c, (size_t)len);
    p += len;
    const uint64_t maxk = hdi_max_field_kind(HDUMP_GO1_4); /* the same for go1.4+ */
    /* Stored and checked in one pass: a bad kind leaves its bytes past w->n,
     * which does not move (the caller checked OBJ_FIELD bytes an entry,
     * whatever the kind). */
    int bad = 0;
    p = store_pairs(w->kern, p, it, (size_t)nf, maxk, &bad);
    if (HDI_UNLIKELY(bad)) goto bad_kind;
    *p++ = 0;
    w->n = (size_t)(p - w->buf);
    w->records++;
    return HDUMP_OK;
bad_kind:
    return hdi_wr_fail(w, HDUMP_ERR_USAGE, wr_offset(w), HDUMP_TAG_OBJECT,
                       "field kind is 0 or not defined by this version");
}

/* REQUIRES: w->obj_fast (go1.4+, no sticky error, not finished).
 * When the whole record fits the buffer's headroom (its bound: OBJ_FIXED +
 * len + OBJ_FIELD an entry), every piece of it would be copied by the
 * runtime's dwrite too, so it is stored straight: the header varints, the
 * contents, and the field list, whose kinds are checked as they are stored;
 * w->n moves only once the record is whole, so a bad kind leaves the buffer
 * as it was. Contents up to COPY_INLINE bytes and lists up to FIELDS_INLINE
 * entries are done here, without a call (no registers to save); longer ones
 * in OBJ_FAST_REST. One-bit maps go to put_object_bitmap1; any other record
 * (two-bit maps, no room) takes put_object_slow, which checks first and
 * writes piece by piece. */
static HDI_NOINLINE OBJ_FAST_ATTR hdump_status OBJ_FAST_NAME(hdump_writer *w, uint64_t addr,
                                                              const uint8_t *c, uint64_t len,
                                                              const hdump_fields *f) {
    if (HDI_UNLIKELY(c == NULL && len > 0))
        return hdi_wr_fail(w, HDUMP_ERR_USAGE, wr_offset(w), HDUMP_TAG_OBJECT,
                           "byte range has a length but no data");
    const hdump_field *it = NULL;
    uint64_t nf = 0;
    if (f != NULL) {
        if (HDI_UNLIKELY(f->bitmap != NULL && f->form != HDUMP_FIELDS_LIST))
            return f->form == HDUMP_FIELDS_BITMAP1 ? put_object_bitmap1(w, addr, c, len, f)
                                                   : put_object_slow(w, addr, c, len, f);
        it = f->items;
        nf = f->count;
        if (HDI_UNLIKELY(nf > 0 && it == NULL))
            return hdi_wr_fail(w, HDUMP_ERR_USAGE, wr_offset(w), HDUMP_TAG_OBJECT,
                               "field list has a count but no items");
    }
    size_t room = w->cap - w->n;
    /* len <= room also keeps len below SIZE_MAX; nf < 2^16 keeps
     * OBJ_FIELD * nf from overflowing */
    if (HDI_UNLIKELY(nf > 0xffff || len > room ||
                     room - (size_t)len < OBJ_FIXED + OBJ_FIELD * (size_t)nf))
        return put_object_slow(w, addr, c, len, f);
    uint8_t *p = w->buf + w->n;
    *p++ = HDUMP_TAG_OBJECT;
    p = OBJ_FAST_UV(p, addr);
    p = OBJ_FAST_UV(p, len);
    if (HDI_UNLIKELY(len > COPY_INLINE || nf > FIELDS_INLINE))
        return OBJ_FAST_REST(w, p, c, len, it, nf);
    copy_inline(p, c, (size_t)len);
    p += len;
    const uint64_t maxk = hdi_max_field_kind(HDUMP_GO1_4); /* the same for go1.4+ */
    /* stored and checked in one pass, as in OBJ_FAST_REST: a bad kind's
     * bytes stay past w->n */
    int bad = 0;
    for (size_t i = 0; i < (size_t)nf; i++) {
        bad |= kind_bad(it[i].kind, maxk);
        p = put_pair(p, it[i].kind, it[i].offset);
    }
    if (HDI_UNLIKELY(bad))
        return hdi_wr_fail(w, HDUMP_ERR_USAGE, wr_offset(w), HDUMP_TAG_OBJECT,
                           "field kind is 0 or not defined by this version");
    *p++ = 0;
    w->n = (size_t)(p - w->buf);
    w->records++;
    return HDUMP_OK;
}
