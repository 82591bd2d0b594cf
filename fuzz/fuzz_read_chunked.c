/* fuzz/fuzz_read_chunked.c: one pass over memory vs a streaming reader fed
 * in chunk sizes chosen by the input (differential).
 *
 * The whole input is the dump. Its last bytes also choose the streaming
 * reader's buffer size (32 .. 4 KiB), inline_max (ranges longer than it are
 * streamed to on_range), whether the source's size is known, strict mode, the
 * varint kernel and a chunk-size schedule (1-byte reads up to 4 KiB reads).
 * The two readers are pulled in lockstep; they must return the same status,
 * tag, index and offset for every record, equal records
 * (hdump_record_equal), the same reader offsets, and at the end the same
 * status and the same error (code, offset, record index, tag). Streamed
 * ranges arrive in order, in pieces that tile the range, with the bytes the
 * memory reader's view has. Both readers use the capping allocator: no leak,
 * and the streaming reader's peak stays within the bound of docs/limits.md. */
#include "fuzz_common.h"

typedef struct range_ctx {
    const hdump_record *mem; /* the memory reader's copy of the same record,
                                NULL when the memory reader failed inside it
                                (a streaming reader with an unknown size may
                                stream part of a range before it sees the
                                truncation): then only the tiling is checked */
    uint64_t next_index, next_which, next_off;
    int started;
} range_ctx;

static const hdump_bytes *range_of(const hdump_record *r, uint32_t which) {
    switch (r->tag) {
    case HDUMP_TAG_OBJECT: return which == 0 ? &r->u.object.contents : NULL;
    case HDUMP_TAG_OTHERROOT: return which == 0 ? &r->u.otherroot.description : NULL;
    case HDUMP_TAG_TYPE: return which == 0 ? &r->u.type.name : NULL;
    case HDUMP_TAG_GOROUTINE: return which == 0 ? &r->u.goroutine.wait_reason : NULL;
    case HDUMP_TAG_STACKFRAME:
        return which == 0 ? &r->u.frame.contents : which == 1 ? &r->u.frame.name : NULL;
    case HDUMP_TAG_PARAMS:
        return which == 0 ? &r->u.params.arch : which == 1 ? &r->u.params.experiment : NULL;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS: return which == 0 ? &r->u.segment.contents : NULL;
    case HDUMP_TAG_MEMPROF:
        if (which / 2 >= r->u.memprof.nstk) return NULL;
        return which % 2 ? &r->u.memprof.stack[which / 2].file
                         : &r->u.memprof.stack[which / 2].func;
    default: return NULL;
    }
}

static int on_range(void *ctx, const hdump_range_chunk *c) {
    range_ctx *rc = ctx;
    const hdump_record *m = rc->mem;
    const hdump_bytes *b = NULL;
    if (m != NULL) {
        FZ_CHECK(c->record_index == m->index && c->tag == (uint64_t)m->tag,
                 "range chunk of record %llu (tag %llu) not matching the memory reader",
                 (unsigned long long)c->record_index, (unsigned long long)c->tag);
        b = range_of(m, c->which);
        FZ_CHECK(b != NULL, "range chunk for range %u of a tag %d record", c->which, (int)m->tag);
        FZ_CHECK(c->range_len == b->len, "range %u of a tag %d record: length %llu, memory reader %llu",
                 c->which, (int)m->tag, (unsigned long long)c->range_len, (unsigned long long)b->len);
    }
    if (!rc->started || c->which != rc->next_which || c->range_offset == 0) {
        FZ_CHECK(c->range_offset == 0, "range %u starts at offset %llu", c->which,
                 (unsigned long long)c->range_offset);
        rc->started = 1;
        rc->next_which = c->which;
        rc->next_off = 0;
    }
    FZ_CHECK(c->range_offset == rc->next_off, "chunk at %llu, expected %llu",
             (unsigned long long)c->range_offset, (unsigned long long)rc->next_off);
    FZ_CHECK(c->len > 0 && c->len <= c->range_len - c->range_offset, "chunk of %zu bytes", c->len);
    FZ_CHECK(b == NULL || memcmp(c->ptr, b->ptr + c->range_offset, c->len) == 0,
             "chunk bytes differ");
    rc->next_off += c->len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fdp p = fdp_init(data, size); /* parameters only; the reader gets all bytes */
    size_t nsched = (size_t)fdp_range(&p, 1, 16);
    uint8_t sched[16];
    for (size_t i = 0; i < nsched; i++) sched[i] = (uint8_t)fdp_bits(&p, 1);
    size_t scale = (size_t)1 << fdp_range(&p, 0, 4);
    size_t buffer_size = 32 + (size_t)fdp_range(&p, 0, 4096 - 32);
    uint64_t inline_max = fdp_range(&p, 0, 3) == 0 ? 0 : fdp_range(&p, 1, 8192);
    int known = fdp_bool(&p);
    int strict = fdp_bool(&p);
    const char *kernel = fz_pick_kernel(fdp_bits(&p, 1));

    fz_heap hm, hs;
    fz_heap_init(&hm, FZ_HEAP_BUDGET, 0);
    fz_heap_init(&hs, FZ_HEAP_BUDGET, 0);
    hdump_alloc am = fz_heap_hooks(&hm), as = fz_heap_hooks(&hs);
    range_ctx rc;
    memset(&rc, 0, sizeof rc);

    hdump_reader_opts om, os;
    hdump_reader_opts_init(&om);
    om.strict = strict;
    om.alloc = &am;
    os = om;
    os.alloc = &as;
    os.kernel = kernel;
    os.buffer_size = buffer_size;
    os.inline_max = inline_max;
    os.limits.max_record_bytes = UINT64_MAX; /* only the memory cap may differ */
    os.on_range = on_range;
    os.on_range_ctx = &rc;

    fz_chunks src;
    memset(&src, 0, sizeof src);
    src.data = data;
    src.len = size;
    src.sched = sched;
    src.nsched = nsched;
    src.scale = scale;
    hdump_source s = {fz_chunks_read, &src, known ? (uint64_t)size : UINT64_MAX};

    hdump_reader *rm, *rs;
    FZ_CHECK(hdump_reader_new_mem(&om, data, size, &rm) == HDUMP_OK, "reader_new_mem");
    FZ_CHECK(hdump_reader_new_source(&os, s, &rs) == HDUMP_OK, "reader_new_source");

    hdump_version vm = HDUMP_GO1_7, vs = HDUMP_GO1_7;
    hdump_status sm = hdump_reader_version(rm, &vm);
    hdump_status ss = hdump_reader_version(rs, &vs);
    FZ_CHECK(sm == ss && (sm != HDUMP_OK || vm == vs), "version: %s vs %s", hdump_status_str(sm),
             hdump_status_str(ss));
    hdump_record a, b;
    for (;;) {
        sm = hdump_reader_next(rm, &a);
        rc.mem = sm >= 0 ? &a : NULL;
        rc.started = 0;
        ss = hdump_reader_next(rs, &b);
        FZ_CHECK(sm == ss, "one pass %s, chunked %s (record %llu)", hdump_status_str(sm),
                 hdump_status_str(ss), (unsigned long long)a.index);
        if (sm < 0) break;
        FZ_CHECK(a.tag == b.tag && a.index == b.index && a.offset == b.offset,
                 "record %llu: tag %d/%d offset %llu/%llu", (unsigned long long)a.index,
                 (int)a.tag, (int)b.tag, (unsigned long long)a.offset,
                 (unsigned long long)b.offset);
        FZ_CHECK(hdump_record_equal(vm, &a, &b), "record %llu (tag %d) differs",
                 (unsigned long long)a.index, (int)a.tag);
        FZ_CHECK(hdump_reader_offset(rm) == hdump_reader_offset(rs), "offsets %llu / %llu",
                 (unsigned long long)hdump_reader_offset(rm),
                 (unsigned long long)hdump_reader_offset(rs));
        if (sm == HDUMP_END) break;
    }
    if (sm < 0) {
        const hdump_error *em = hdump_reader_error(rm), *es = hdump_reader_error(rs);
        FZ_CHECK(em->code == es->code && em->offset == es->offset &&
                     em->record_index == es->record_index && em->tag == es->tag,
                 "errors differ: one pass %s@%llu rec %llu tag %llu, chunked %s@%llu rec %llu "
                 "tag %llu",
                 hdump_status_str(em->code), (unsigned long long)em->offset,
                 (unsigned long long)em->record_index, (unsigned long long)em->tag,
                 hdump_status_str(es->code), (unsigned long long)es->offset,
                 (unsigned long long)es->record_index, (unsigned long long)es->tag);
    }
    hdump_reader_free(rm);
    hdump_reader_free(rs);
    fz_heap_check_empty(&hm);
    fz_heap_check_empty(&hs);
    size_t big = buffer_size > size ? buffer_size : size;
    FZ_CHECK(hs.peak <= 16384 + 48 * size + 4 * big, "streaming peak %zu for %zu bytes", hs.peak,
             size);
    return 0;
}
