/* fuzz/fuzz_rewrite.c: if the input parses, write it again (hdump_copy).
 *
 *   out1 = rewrite(input), out2 = rewrite(out1)
 * Checks: the copy succeeds and reports the input complete with every record;
 * reading out1 gives the same records as reading the input (lockstep,
 * hdump_record_equal, same tags); out2 is byte-identical to out1 (a rewrite
 * is a fixed point after one cycle); the records written again with each run
 * of objects given to hdump_writer_put_objects (2 to 4 threads, chunks of 1
 * to 9 KiB, from the hash), or as spans to hdump_writer_put_spans, make
 * out1's bytes too; and when the input also parses in
 * strict mode (minimal uvarints) out1 is byte-identical to the input, as
 * convert.h promises for canonical dumps. A hash of the input chooses the
 * writer's kernel, buffer size and type-cache setting, so the input itself
 * is not disturbed. Capping allocator, no leaks. */
#include "fuzz_common.h"
#include "objspans.h"

static uint64_t hash(const uint8_t *d, size_t n) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ d[i]) * 1099511628211ull;
    return h;
}

/* Whole-input parse; returns the status and the record count. */
static hdump_status parse(const uint8_t *d, size_t n, int strict, hdump_alloc *a, uint64_t *count) {
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.strict = strict;
    o.alloc = a;
    hdump_reader *r;
    if (hdump_reader_new_mem(&o, d, n, &r) != HDUMP_OK) return HDUMP_ERR_NOMEM;
    hdump_record rec;
    hdump_status st;
    uint64_t k = 0;
    while ((st = hdump_reader_next(r, &rec)) == HDUMP_OK) k++;
    hdump_reader_free(r);
    *count = k + (st == HDUMP_END);
    return st;
}

static void rewrite(const uint8_t *d, size_t n, hdump_version v, uint64_t h, hdump_alloc *a,
                    hdump_membuf *out, uint64_t records) {
    hdump_reader_opts ro;
    hdump_reader_opts_init(&ro);
    ro.alloc = a;
    ro.kernel = fz_pick_kernel(h >> 8);
    hdump_writer_opts wo;
    hdump_writer_opts_init(&wo);
    wo.version = v;
    wo.alloc = a;
    wo.kernel = fz_pick_kernel(h >> 16);
    wo.buffer_size = 64 + (size_t)((h >> 24) % 8192);
    if ((h >> 40) & 1) wo.typecache_buckets = 0;
    hdump_reader *r;
    hdump_writer *w;
    FZ_CHECK(hdump_reader_new_mem(&ro, d, n, &r) == HDUMP_OK, "reader_new_mem");
    hdump_membuf_init(out, a);
    FZ_CHECK(hdump_writer_new(&wo, hdump_sink_membuf(out), &w) == HDUMP_OK, "writer_new");
    hdump_copy_report rep;
    hdump_status st = hdump_copy(r, w, 0, &rep);
    FZ_CHECK(st == HDUMP_OK, "copy of a parsing input: %s", hdump_status_str(st));
    FZ_CHECK(rep.complete && rep.records == records && rep.good_bytes == n && rep.input_bytes == n,
             "copy report: complete %d records %llu/%llu good %llu input %llu size %zu",
             rep.complete, (unsigned long long)rep.records, (unsigned long long)records,
             (unsigned long long)rep.good_bytes, (unsigned long long)rep.input_bytes, n);
    FZ_CHECK(hdump_writer_bytes(w) == out->len, "writer bytes != sink bytes");
    hdump_writer_free(w);
    hdump_reader_free(r);
}

/* objs[0..n) through hdump_writer_put_spans (objspans.h): each stretch of
 * one size at addresses a whole number of slots apart (at most 8 free
 * slots between, at most 256 slots) as one span; an object no span can
 * give through put_object. The writer's word size is its default, 8. */
static hdump_status put_run_spans(hdump_writer *w, const hdump_object *objs, size_t n) {
    hdump_status st = os_put_run(w, objs, n, 8, 8, 256, NULL);
    FZ_CHECK(st != HDUMP_ERR_NOMEM, "out of memory");
    return st;
}

/* The input's records written again, each run of objects with one
 * hdump_writer_put_objects call (threaded), or (go1.4+, by a bit of the
 * hash) through hdump_writer_put_spans as spans made of the run
 * (put_run_spans), the rest with hdump_writer_put: must be `want` byte for
 * byte. */
static void rewrite_objects(const uint8_t *d, size_t n, hdump_version v, uint64_t h,
                            hdump_alloc *a, const hdump_membuf *want) {
    hdump_reader_opts ro;
    hdump_reader_opts_init(&ro);
    ro.alloc = a;
    hdump_writer_opts wo;
    hdump_writer_opts_init(&wo);
    wo.version = v;
    wo.alloc = a;
    wo.kernel = fz_pick_kernel(h >> 12);
    wo.buffer_size = 64 + (size_t)((h >> 20) % 4096);
    wo.threads = 2 + (unsigned)((h >> 44) % 3);
    wo.chunk_size = 1024 + (size_t)((h >> 48) % 8192);
    const int spans = v != HDUMP_GO1_3 && ((h >> 61) & 1);
    hdump_reader *r;
    hdump_writer *w;
    hdump_membuf out;
    FZ_CHECK(hdump_reader_new_mem(&ro, d, n, &r) == HDUMP_OK, "reader_new_mem");
    hdump_membuf_init(&out, a);
    FZ_CHECK(hdump_writer_new(&wo, hdump_sink_membuf(&out), &w) == HDUMP_OK, "writer_new");
    hdump_object *objs = NULL;
    hdump_field **lists = NULL;
    size_t nobj = 0, cap = 0;
    hdump_record rec;
    hdump_status st, wst = HDUMP_OK;
    while ((st = hdump_reader_next(r, &rec)) == HDUMP_OK && wst == HDUMP_OK) {
        if (rec.tag == HDUMP_TAG_OBJECT) {
            if (nobj == cap) {
                cap = cap ? 2 * cap : 64;
                objs = realloc(objs, cap * sizeof *objs);
                lists = realloc(lists, cap * sizeof *lists);
                FZ_CHECK(objs != NULL && lists != NULL, "out of memory");
            }
            /* the contents view the input; the list is the reader's until its next call */
            hdump_object o = rec.u.object;
            lists[nobj] = NULL;
            if (o.fields.count > 0) {
                lists[nobj] = malloc(o.fields.count * sizeof(hdump_field));
                FZ_CHECK(lists[nobj] != NULL, "out of memory");
                memcpy(lists[nobj], o.fields.items, o.fields.count * sizeof(hdump_field));
                o.fields.items = lists[nobj];
            }
            objs[nobj++] = o;
            continue;
        }
        wst = spans ? put_run_spans(w, objs, nobj) : hdump_writer_put_objects(w, objs, nobj);
        if (wst == HDUMP_OK) wst = hdump_writer_put(w, &rec);
        for (size_t i = 0; i < nobj; i++) free(lists[i]);
        nobj = 0;
    }
    /* the objects before EOF (the reader returns HDUMP_END for it) */
    if (wst == HDUMP_OK)
        wst = spans ? put_run_spans(w, objs, nobj) : hdump_writer_put_objects(w, objs, nobj);
    for (size_t i = 0; i < nobj; i++) free(lists[i]);
    FZ_CHECK(st == HDUMP_END && wst == HDUMP_OK, "rewrite by put_%s: read %s, write %s",
             spans ? "spans" : "objects", hdump_status_str(st), hdump_status_str(wst));
    FZ_CHECK(hdump_writer_finish(w) == HDUMP_OK, "finish");
    FZ_CHECK(out.len == want->len && memcmp(out.data, want->data, out.len) == 0,
             "put_%s rewrite differs (%zu vs %zu bytes)", spans ? "spans" : "objects", out.len,
             want->len);
    free(objs);
    free(lists);
    hdump_writer_free(w);
    hdump_reader_free(r);
    hdump_membuf_free(&out);
}

/* Lockstep: both inputs give the same records. */
static void same_records(hdump_version v, const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                         hdump_alloc *al) {
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    o.alloc = al;
    hdump_reader *ra, *rb;
    FZ_CHECK(hdump_reader_new_mem(&o, a, na, &ra) == HDUMP_OK, "reader_new_mem");
    FZ_CHECK(hdump_reader_new_mem(&o, b, nb, &rb) == HDUMP_OK, "reader_new_mem");
    hdump_record x, y;
    hdump_status sa, sb;
    do {
        sa = hdump_reader_next(ra, &x);
        sb = hdump_reader_next(rb, &y);
        FZ_CHECK(sa == sb, "input %s, rewrite %s", hdump_status_str(sa), hdump_status_str(sb));
        FZ_CHECK(sa >= 0, "read: %s", hdump_status_str(sa));
        FZ_CHECK(x.tag == y.tag && x.index == y.index, "record %llu: tag %d vs %d",
                 (unsigned long long)x.index, (int)x.tag, (int)y.tag);
        FZ_CHECK(hdump_record_equal(v, &x, &y), "record %llu (tag %d) changed by the rewrite",
                 (unsigned long long)x.index, (int)x.tag);
    } while (sa == HDUMP_OK);
    hdump_reader_free(ra);
    hdump_reader_free(rb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    hdump_version v;
    if (!fz_has_header(data, size, &v)) return 0;
    fz_heap heap;
    fz_heap_init(&heap, FZ_HEAP_BUDGET, 0);
    hdump_alloc a = fz_heap_hooks(&heap);
    uint64_t records;
    if (parse(data, size, 0, &a, &records) != HDUMP_END) {
        fz_heap_check_empty(&heap);
        return 0;
    }
    uint64_t h = hash(data, size);
    hdump_membuf out1, out2;
    rewrite(data, size, v, h, &a, &out1, records);
    same_records(v, data, size, out1.data, out1.len, &a);
    rewrite(out1.data, out1.len, v, h * 31 + 7, &a, &out2, records);
    FZ_CHECK(out1.len == out2.len && memcmp(out1.data, out2.data, out1.len) == 0,
             "second rewrite differs (%zu vs %zu bytes)", out1.len, out2.len);
    rewrite_objects(data, size, v, h, &a, &out1);
    uint64_t strict_records;
    if (parse(data, size, 1, &a, &strict_records) == HDUMP_END) {
        size_t i = 0;
        while (i < size && i < out1.len && data[i] == out1.data[i]) i++;
        FZ_CHECK(out1.len == size && i == size,
                 "canonical input (%zu bytes) rewritten to %zu bytes, first difference at %zu",
                 size, out1.len, i);
    }
    hdump_membuf_free(&out1);
    hdump_membuf_free(&out2);
    fz_heap_check_empty(&heap);
    return 0;
}
