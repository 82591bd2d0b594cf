/* fuzz/fuzz_read.c: arbitrary bytes -> the memory reader.
 *
 * Runs: the input as is, in default and strict mode; then the input's body
 * (the input minus its header, if it has one) behind each of the five
 * headers, so every version's grammar sees the same bytes, once with tight
 * limits chosen by the input. Each run checks, record by record:
 *   - records are contiguous (each starts where the previous ended, the first
 *     right after the header), indexes count up from 0, offsets stay inside
 *     the input;
 *   - every view lies inside its record's bytes; field kinds are legal for
 *     the version; lists and stacks respect max_fields;
 *   - HDUMP_END comes with the EOF record, at the end of the input, and is
 *     repeated; an error is negative, has a message, its offset lies in
 *     [end of the last record, input size], its record index is the number
 *     of records returned, and it is sticky;
 *   - strict mode stops no later than default mode, and only strict mode
 *     reports HDUMP_ERR_NONCANONICAL;
 *   - every record deep-copies (hdump_record_copy) equal, in the size given;
 *   - memory: every allocation goes through the capping allocator, peak live
 *     bytes stay under 16 KiB + 48 bytes per input byte (docs/limits.md:
 *     handle + field array + frame array), nothing leaks, and a refused
 *     allocation surfaces as HDUMP_ERR_NOMEM. */
#include "fuzz_common.h"

/* Every record the reader returns deep-copies (hdump_record_copy) into a
 * record equal to it, in exactly the bytes the sizing call gave. */
static void check_copy(const hdump_record *r, hdump_version v) {
    static uint64_t buf[(1u << 20) / 8];
    size_t need = 0, used = 0;
    hdump_status st = hdump_record_copy(v, r, NULL, 0, &need);
    FZ_CHECK(st == HDUMP_OK || st == HDUMP_ERR_LIMIT, "copy sizing: %d", (int)st);
    FZ_CHECK(need >= hdump_record_struct_size((uint64_t)r->tag), "copy size %zu", need);
    if (need > sizeof buf) return;
    st = hdump_record_copy(v, r, buf, need, &used);
    FZ_CHECK(st == HDUMP_OK && used == need, "copy: %d, %zu of %zu bytes", (int)st, used, need);
    FZ_CHECK(hdump_record_equal(v, (const hdump_record *)(const void *)buf, r),
             "copy of a tag %d record differs", (int)r->tag);
}

typedef struct read_result {
    hdump_status st;
    uint64_t records; /* records returned with HDUMP_OK */
    uint64_t err_offset;
} read_result;

static void check_fields(const hdump_fields *f, hdump_version v, const hdump_limits *lim) {
    FZ_CHECK(f->form == HDUMP_FIELDS_LIST && f->bitmap == NULL, "reader returned a bitmap form");
    FZ_CHECK(f->count <= lim->max_fields, "field list of %llu > max_fields",
             (unsigned long long)f->count);
    FZ_CHECK(f->count == 0 || f->items != NULL, "non-empty list without items");
    uint64_t maxk = v == HDUMP_GO1_3 ? 5 : 3;
    for (uint64_t i = 0; i < f->count; i++)
        FZ_CHECK(f->items[i].kind >= 1 && f->items[i].kind <= maxk, "field kind %llu",
                 (unsigned long long)f->items[i].kind);
}

static void check_record(const hdump_record *r, hdump_version v, const uint8_t *lo,
                         const uint8_t *hi, const hdump_limits *lim) {
    switch (r->tag) {
    case HDUMP_TAG_OBJECT:
        fz_check_view(&r->u.object.contents, lo, hi, "object contents");
        check_fields(&r->u.object.fields, v, lim);
        break;
    case HDUMP_TAG_OTHERROOT: fz_check_view(&r->u.otherroot.description, lo, hi, "otherroot"); break;
    case HDUMP_TAG_TYPE:
        fz_check_view(&r->u.type.name, lo, hi, "type name");
        check_fields(&r->u.type.fields, v, lim);
        break;
    case HDUMP_TAG_GOROUTINE: fz_check_view(&r->u.goroutine.wait_reason, lo, hi, "wait reason"); break;
    case HDUMP_TAG_STACKFRAME:
        fz_check_view(&r->u.frame.contents, lo, hi, "frame contents");
        fz_check_view(&r->u.frame.name, lo, hi, "frame name");
        check_fields(&r->u.frame.fields, v, lim);
        break;
    case HDUMP_TAG_PARAMS:
        fz_check_view(&r->u.params.arch, lo, hi, "params arch");
        fz_check_view(&r->u.params.experiment, lo, hi, "params experiment");
        break;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS:
        fz_check_view(&r->u.segment.contents, lo, hi, "segment contents");
        check_fields(&r->u.segment.fields, v, lim);
        break;
    case HDUMP_TAG_MEMPROF:
        FZ_CHECK(r->u.memprof.nstk <= lim->max_fields, "memprof nstk > max_fields");
        FZ_CHECK(r->u.memprof.nstk == 0 || r->u.memprof.stack != NULL, "stack without frames");
        for (uint64_t i = 0; i < r->u.memprof.nstk; i++) {
            fz_check_view(&r->u.memprof.stack[i].func, lo, hi, "memprof func");
            fz_check_view(&r->u.memprof.stack[i].file, lo, hi, "memprof file");
        }
        break;
    default:
        FZ_CHECK(r->tag > HDUMP_TAG_EOF && r->tag < HDUMP_TAG_COUNT, "tag %d", (int)r->tag);
        break;
    }
}

static read_result read_one(const uint8_t *data, size_t size, int strict,
                            const hdump_limits *limits) {
    fz_heap heap;
    fz_heap_init(&heap, FZ_HEAP_BUDGET, 0);
    hdump_alloc hooks = fz_heap_hooks(&heap);
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    if (limits) o.limits = *limits;
    o.strict = strict;
    o.alloc = &hooks;
    hdump_limits lim = o.limits; /* 0 means default (docs/limits.md) */
    hdump_reader_opts def;
    hdump_reader_opts_init(&def);
    if (lim.max_fields == 0) lim.max_fields = def.limits.max_fields;

    read_result res = {HDUMP_OK, 0, 0};
    hdump_reader *r;
    hdump_status st = hdump_reader_new_mem(&o, data, size, &r);
    FZ_CHECK(st == HDUMP_OK, "reader_new_mem: %s", hdump_status_str(st));
    hdump_version v = HDUMP_GO1_7;
    hdump_version hv;
    int has_hdr = fz_has_header(data, size, &hv);
    st = hdump_reader_version(r, &v);
    if (st == HDUMP_OK) {
        FZ_CHECK(has_hdr && v == hv, "version %d without a matching header", (int)v);
    } else {
        FZ_CHECK(!has_hdr, "valid header refused: %s", hdump_status_str(st));
    }
    uint64_t prev_end = HDUMP_HEADER_SIZE, n = 0;
    hdump_record rec;
    while (st == HDUMP_OK && (st = hdump_reader_next(r, &rec)) == HDUMP_OK) {
        uint64_t end = hdump_reader_offset(r);
        FZ_CHECK(rec.index == n, "record index %llu, expected %llu",
                 (unsigned long long)rec.index, (unsigned long long)n);
        FZ_CHECK(rec.offset == prev_end, "record %llu at %llu, previous ended at %llu",
                 (unsigned long long)n, (unsigned long long)rec.offset,
                 (unsigned long long)prev_end);
        FZ_CHECK(end > rec.offset && end <= size, "record end %llu (start %llu, size %zu)",
                 (unsigned long long)end, (unsigned long long)rec.offset, size);
        check_record(&rec, v, data + rec.offset, data + end, &lim);
        check_copy(&rec, v);
        prev_end = end;
        n++;
    }
    res.st = st;
    res.records = n;
    if (st == HDUMP_END) {
        FZ_CHECK(rec.tag == HDUMP_TAG_EOF && rec.index == n, "END without the EOF record");
        FZ_CHECK(rec.offset == prev_end, "EOF record at %llu, expected %llu",
                 (unsigned long long)rec.offset, (unsigned long long)prev_end);
        FZ_CHECK(hdump_reader_offset(r) == size, "END at %llu before the end (%zu)",
                 (unsigned long long)hdump_reader_offset(r), size);
        FZ_CHECK(hdump_reader_next(r, &rec) == HDUMP_END, "END is not repeated");
        FZ_CHECK(hdump_reader_error(r)->code == HDUMP_OK, "error set after END");
    } else {
        const hdump_error *e = hdump_reader_error(r);
        FZ_CHECK(st < 0 && e->code == st, "status %d, error code %d", (int)st, (int)e->code);
        FZ_CHECK(e->msg != NULL, "error without a message");
        uint64_t lo = size < HDUMP_HEADER_SIZE ? 0 : (n ? prev_end : 0);
        FZ_CHECK(e->offset >= lo && e->offset <= size,
                 "error %s at %llu outside [%llu, %zu]", hdump_status_str(st),
                 (unsigned long long)e->offset, (unsigned long long)lo, size);
        /* TRAILING: the EOF record (index n) was consumed; the junk is "record" n+1 */
        uint64_t want_index = st == HDUMP_ERR_TRAILING ? n + 1 : n;
        FZ_CHECK(e->record_index == want_index, "%s: error record index %llu, %llu records read",
                 hdump_status_str(st), (unsigned long long)e->record_index, (unsigned long long)n);
        FZ_CHECK(st != HDUMP_ERR_IO && st != HDUMP_ERR_USAGE && st != HDUMP_ERR_UNSUPPORTED &&
                     st != HDUMP_ERR_NOSPACE,
                 "unexpected status %s", hdump_status_str(st));
        FZ_CHECK(st != HDUMP_ERR_NOMEM || heap.failures > 0, "NOMEM without a refused allocation");
        FZ_CHECK(strict || st != HDUMP_ERR_NONCANONICAL, "NONCANONICAL in default mode");
        hdump_status again = hdump_reader_next(r, &rec);
        FZ_CHECK(again == st, "error not sticky: %s then %s", hdump_status_str(st),
                 hdump_status_str(again));
        res.err_offset = e->offset;
    }
    FZ_CHECK(heap.failures == 0 || st == HDUMP_ERR_NOMEM, "refused allocation not reported");
    hdump_reader_free(r);
    fz_heap_check_empty(&heap);
    FZ_CHECK(heap.peak <= 16384 + 48 * (size_t)size, "peak %zu bytes for a %zu-byte input",
             heap.peak, size);
    return res;
}

/* Strict mode accepts a subset: it stops at the same place or earlier. */
static void check_strict(const read_result *d, const read_result *s) {
    if (s->st == HDUMP_END) {
        FZ_CHECK(d->st == HDUMP_END && d->records == s->records, "strict END, default %s",
                 hdump_status_str(d->st));
    } else if (s->st == HDUMP_ERR_NONCANONICAL) {
        FZ_CHECK(s->records <= d->records, "strict read more records than default");
    } else {
        FZ_CHECK(d->st == s->st && d->records == s->records && d->err_offset == s->err_offset,
                 "strict %s@%llu, default %s@%llu", hdump_status_str(s->st),
                 (unsigned long long)s->err_offset, hdump_status_str(d->st),
                 (unsigned long long)d->err_offset);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    read_result d = read_one(data, size, 0, NULL);
    read_result s = read_one(data, size, 1, NULL);
    check_strict(&d, &s);

    /* The body behind every header. */
    size_t skip = fz_has_header(data, size, NULL) ? HDUMP_HEADER_SIZE : 0;
    size_t blen = size - skip;
    uint8_t *buf = malloc(HDUMP_HEADER_SIZE + blen);
    if (buf == NULL) return 0;
    if (blen) memcpy(buf + HDUMP_HEADER_SIZE, data + skip, blen);
    uint8_t sel = size ? data[size - 1] : 0;
    for (int v = HDUMP_GO1_3; v <= HDUMP_GO1_7; v++) {
        memcpy(buf, hdump_version_header((hdump_version)v), HDUMP_HEADER_SIZE);
        if ((sel % 5) + HDUMP_GO1_3 == v) {
            /* tight limits, from the input's last byte */
            hdump_limits lim = {1 + (uint64_t)(sel & 0x3f), 1 + (uint64_t)(sel >> 5),
                                1 + (uint64_t)(sel >> 2), 0};
            read_one(buf, HDUMP_HEADER_SIZE + blen, sel & 1, &lim);
        } else {
            read_one(buf, HDUMP_HEADER_SIZE + blen, 0, NULL);
        }
    }
    free(buf);
    return 0;
}
