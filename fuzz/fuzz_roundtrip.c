/* fuzz/fuzz_roundtrip.c: fdp -> records of every kind -> writer -> reader ->
 * equal field by field, else abort (zstd simple_round_trip style).
 *
 * The input's tail chooses the version, the writer's buffer size (64 .. 8 KiB,
 * sometimes 1 MiB), ptr_size, type-cache geometry, the writer's and the
 * reader's kernels, the sink (growable memory, a fixed buffer, a memfd through
 * hdump_sink_fd, a FILE* through hdump_sink_file, or memory plus a second
 * writer into the null sink), the reader (memory; streaming with a chunk
 * schedule and buffer; fd; FILE*; mmap by path) and, per record, the tag,
 * per-tag call vs hdump_writer_put, and edge values (0, 2^k-1/2^k boundaries,
 * UINT64_MAX, empty and 1 MiB ranges, empty and 4096-entry field lists, field
 * lists given as bitmaps in every form, 512-frame stacks); its front supplies
 * range bytes.
 * Checks: every put succeeds, counters match, the reader returns exactly the
 * records (hdump_record_equal against the expected record, bitmaps expanded;
 * tag, index, contiguous offsets) then HDUMP_END at the end of the output,
 * and nothing leaks through the capping allocator.
 *
 * Sometimes one record is made invalid on purpose (a count without items, a
 * field kind the version lacks, a range length without bytes, a tag > 17, a
 * two-bit pointer map in the wrong version or ending in a multi-word code, a
 * memprof count without frames, a put after finish): that put must fail with
 * HDUMP_ERR_USAGE, the error must be sticky and name the record's index, tag
 * and offset, and what reached the sink must read back as the records before
 * it (a prefix: TRUNCATED at its end). */
#define _GNU_SOURCE /* memfd_create, fmemopen */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"

#define MAX_RECORDS 48
#define FIXED_CAP ((size_t)8 << 20)

static fz_store store;
static hdump_record recs[MAX_RECORDS];
static hdump_record back[MAX_RECORDS]; /* what reading recs[i] back gives */
static uint8_t fixed_mem[FIXED_CAP];

enum { SINK_MEM, SINK_FIXED, SINK_FD, SINK_FILE, SINK_MEM_AND_NULL, SINK_N };
enum { SRC_MEM, SRC_CHUNKS, SRC_FD, SRC_FILE, SRC_MMAP, SRC_N };

static int memfd_with(const uint8_t *d, size_t n) {
    int fd = memfd_create("hdump-fuzz", 0);
    FZ_CHECK(fd >= 0, "memfd_create failed");
    for (size_t at = 0; at < n;) {
        ssize_t k = write(fd, d + at, n - at);
        FZ_CHECK(k > 0, "write to a memfd failed");
        at += (size_t)k;
    }
    FZ_CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    return fd;
}

/* The whole content of a memfd, in a malloc'd buffer (*n bytes). */
static uint8_t *memfd_contents(int fd, size_t *n) {
    off_t end = lseek(fd, 0, SEEK_END);
    FZ_CHECK(end >= 0, "lseek end");
    *n = (size_t)end;
    uint8_t *d = malloc(*n ? *n : 1);
    FZ_CHECK(d != NULL, "malloc");
    for (size_t at = 0; at < *n;) {
        ssize_t k = pread(fd, d + at, *n - at, (off_t)at);
        FZ_CHECK(k > 0, "pread from a memfd failed");
        at += (size_t)k;
    }
    return d;
}

/* One byte range of r that the writer validates, or NULL. */
static hdump_bytes *a_range(hdump_record *r) {
    switch (r->tag) {
    case HDUMP_TAG_OBJECT: return &r->u.object.contents;
    case HDUMP_TAG_OTHERROOT: return &r->u.otherroot.description;
    case HDUMP_TAG_TYPE: return &r->u.type.name;
    case HDUMP_TAG_GOROUTINE: return &r->u.goroutine.wait_reason;
    case HDUMP_TAG_STACKFRAME: return &r->u.frame.contents;
    case HDUMP_TAG_PARAMS: return &r->u.params.experiment;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS: return &r->u.segment.contents;
    default: return NULL;
    }
}

/* Makes *r invalid in the way `how` asks, if the record allows it; returns 1
 * when it did (0: r unchanged). A USAGE error is what the writer must say. */
static int make_invalid(hdump_version v, hdump_record *r, unsigned how, uint64_t x) {
    static const hdump_field bad_kind[1] = {{0, 8}};
    static hdump_field undefined_kind[1];
    static const uint8_t last_word_multi[1] = {0x03}; /* code 3 in the only word */
    static const uint8_t go14_bad_second[1] = {0x07}; /* 3 then 1 (scalar)      */
    hdump_fields *f = hdump_record_fields(r);
    if (f != NULL && v == HDUMP_GO1_3 && r->tag == HDUMP_TAG_OBJECT) f = NULL;
    if (f != NULL && v != HDUMP_GO1_3 && r->tag == HDUMP_TAG_TYPE) f = NULL;
    switch (how) {
    case 0: /* a count without items */
        if (f == NULL) return 0;
        memset(f, 0, sizeof *f);
        f->count = 1 + x % 1000;
        return 1;
    case 1: /* kind 0, or a kind past the version's last */
        if (f == NULL) return 0;
        memset(f, 0, sizeof *f);
        undefined_kind[0].kind = (v == HDUMP_GO1_3 ? 6 : 4) + x % 60;
        f->items = (x & 1) ? bad_kind : undefined_kind;
        f->count = 1;
        return 1;
    case 2: { /* a range length without bytes */
        hdump_bytes *b = a_range(r);
        if (b == NULL) return 0;
        b->ptr = NULL;
        b->len = 1 + x % 5000;
        return 1;
    }
    case 3: /* a tag past 17 */
        r->tag = (hdump_tag)(HDUMP_TAG_COUNT + x % 200);
        return 1;
    case 4: /* a two-bit pointer map in a version that has none / the other one */
        if (f == NULL) return 0;
        memset(f, 0, sizeof *f);
        f->form = v == HDUMP_GO1_4 ? HDUMP_FIELDS_BITMAP2_GO13 : HDUMP_FIELDS_BITMAP2_GO14;
        f->bitmap = last_word_multi;
        f->nwords = 0;
        return 1;
    case 5: /* a pointer map ending in a multi-word code; go1.4: 3 then 0/1 */
        if (f == NULL || (v != HDUMP_GO1_3 && v != HDUMP_GO1_4)) return 0;
        memset(f, 0, sizeof *f);
        f->form = v == HDUMP_GO1_3 ? HDUMP_FIELDS_BITMAP2_GO13 : HDUMP_FIELDS_BITMAP2_GO14;
        if (v == HDUMP_GO1_4 && (x & 1)) {
            f->bitmap = go14_bad_second;
            f->nwords = 2;
        } else {
            f->bitmap = last_word_multi;
            f->nwords = 1;
        }
        return 1;
    case 6: /* a memprof stack count without frames */
        if (r->tag != HDUMP_TAG_MEMPROF) return 0;
        r->u.memprof.stack = NULL;
        r->u.memprof.nstk = 1 + x % 100;
        return 1;
    default: return 0;
    }
}

/* Reads outd[0..outn) with the reader `how` asks for and checks it holds
 * back[0..nrec) then, when `complete`, HDUMP_END at the end; else records
 * back[0..j) for some j <= nrec then TRUNCATED at most at outn. */
static void read_back(hdump_version v, const uint8_t *outd, size_t outn, size_t nrec,
                      int complete, fdp *p, hdump_alloc *hooks) {
    hdump_reader_opts ro;
    hdump_reader_opts_init(&ro);
    ro.alloc = hooks;
    ro.kernel = fz_pick_kernel(fdp_bits(p, 1));
    ro.strict = 1; /* the writer only writes minimal uvarints */
    unsigned how = (unsigned)fdp_range(p, 0, SRC_N - 1);
    if (how != SRC_MEM && how != SRC_MMAP) {
        ro.buffer_size = 32 + (size_t)fdp_range(p, 0, 1 << 16);
        ro.inline_max = 1 + fdp_range(p, 0, 1 << 16);
        ro.limits.max_record_bytes = UINT64_MAX;
    }
    hdump_reader *r = NULL;
    hdump_status st;
    fz_chunks src;
    uint8_t sched[4] = {0, 0, 0, 0};
    int fd = -1;
    FILE *f = NULL;
    switch (how) {
    case SRC_CHUNKS: {
        for (size_t i = 0; i < 4; i++) sched[i] = (uint8_t)fdp_bits(p, 1);
        memset(&src, 0, sizeof src);
        src.data = outd;
        src.len = outn;
        src.sched = sched;
        src.nsched = 4;
        src.scale = (size_t)1 << fdp_range(p, 0, 8);
        /* keep long outputs to <= ~4096 source calls (exec/s) */
        if (src.scale < outn / 4096) src.scale = outn / 4096;
        hdump_source s = {fz_chunks_read, &src, fdp_bool(p) ? (uint64_t)outn : UINT64_MAX};
        st = hdump_reader_new_source(&ro, s, &r);
        break;
    }
    case SRC_FD:
        fd = memfd_with(outd, outn);
        st = hdump_reader_new_fd(&ro, fd, &r);
        break;
    case SRC_FILE:
        f = fmemopen((void *)(uintptr_t)outd, outn, "r");
        FZ_CHECK(f != NULL, "fmemopen");
        st = hdump_reader_new_file(&ro, f, &r);
        break;
    case SRC_MMAP: {
        char path[64];
        fd = memfd_with(outd, outn);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        st = hdump_reader_new_mmap(&ro, path, &r);
        break;
    }
    default: st = hdump_reader_new_mem(&ro, outd, outn, &r); break;
    }
    FZ_CHECK(st == HDUMP_OK, "reader_new (source %u): %s", how, hdump_status_str(st));
    hdump_version rv;
    st = hdump_reader_version(r, &rv);
    FZ_CHECK(st == HDUMP_OK && rv == v, "version back: %s", hdump_status_str(st));
    uint64_t at = HDUMP_HEADER_SIZE;
    hdump_record b;
    size_t i = 0;
    for (; i < nrec; i++) {
        st = hdump_reader_next(r, &b);
        if (st != HDUMP_OK) break;
        FZ_CHECK(b.tag == back[i].tag && b.index == i && b.offset == at,
                 "record %zu: tag %d/%d index %llu offset %llu/%llu", i, (int)back[i].tag,
                 (int)b.tag, (unsigned long long)b.index, (unsigned long long)b.offset,
                 (unsigned long long)at);
        FZ_CHECK(hdump_record_equal(v, &back[i], &b), "record %zu (tag %d) differs after a round trip",
                 i, (int)back[i].tag);
        at = hdump_reader_offset(r);
    }
    if (complete) {
        if (i < nrec) {
            const hdump_error *e = hdump_reader_error(r);
            FZ_CHECK(0, "record %zu (tag %d) read back (source %u): %s at %llu (%s)", i,
                     (int)back[i].tag, how, hdump_status_str(st), (unsigned long long)e->offset,
                     e->msg ? e->msg : "");
        }
        st = hdump_reader_next(r, &b);
        FZ_CHECK(st == HDUMP_END && b.offset == at, "after %zu records: %s", nrec,
                 hdump_status_str(st));
        FZ_CHECK(hdump_reader_offset(r) == outn, "END at %llu, %zu bytes written",
                 (unsigned long long)hdump_reader_offset(r), outn);
    } else {
        if (i == nrec) st = hdump_reader_next(r, &b);
        const hdump_error *e = hdump_reader_error(r);
        FZ_CHECK(st == HDUMP_ERR_TRUNCATED && e->offset <= outn,
                 "prefix of %zu bytes after an invalid record: %s at %llu after %zu records", outn,
                 hdump_status_str(st), (unsigned long long)e->offset, i);
    }
    hdump_reader_free(r);
    if (f != NULL) fclose(f);
    if (fd >= 0) close(fd);
}

/* The sink filled up, which a big enough input legitimately does: the fixed
 * buffer (NOSPACE), or the growable memory sink past the capping
 * allocator's budget (NOMEM, with an allocation refused). What reached the
 * sink must then be a readable prefix. */
static int sink_full(hdump_status st, unsigned sink, const fz_heap *heap) {
    if (sink == SINK_FIXED) return st == HDUMP_ERR_NOSPACE;
    if (sink == SINK_MEM || sink == SINK_MEM_AND_NULL)
        return st == HDUMP_ERR_NOMEM && heap->failures > 0;
    return 0;
}

/* A writer refuses bad options (USAGE; an unknown kernel: UNSUPPORTED) and
 * leaves *out NULL. */
static void check_bad_opts(const hdump_writer_opts *good, unsigned how) {
    hdump_writer_opts o = *good;
    hdump_status want = HDUMP_ERR_USAGE;
    hdump_sink s = hdump_sink_null();
    switch (how) {
    case 0: o.version = (hdump_version)(HDUMP_GO1_7 + 1); break;
    case 1: o.buffer_size = 63; break;
    case 2: o.ptr_size = 5; break;
    case 3: o.typecache_buckets = 3; o.typecache_ways = 1; break;
    case 4: o.typecache_buckets = 1; o.typecache_ways = 65; break;
    case 5: o.kernel = "no-such-kernel"; want = HDUMP_ERR_UNSUPPORTED; break;
    case 6: s.write = NULL; break;
    default: { /* NULL options are the defaults */
        hdump_writer *w = NULL;
        FZ_CHECK(hdump_writer_new(NULL, hdump_sink_null(), &w) == HDUMP_OK && w != NULL,
                 "writer_new with NULL options");
        FZ_CHECK(hdump_writer_finish(w) == HDUMP_OK && hdump_writer_bytes(w) == HDUMP_HEADER_SIZE + 1,
                 "empty dump from the defaults");
        hdump_writer_free(w);
        return;
    }
    }
    hdump_writer *w = (hdump_writer *)(uintptr_t)1;
    hdump_status st = hdump_writer_new(&o, s, &w);
    FZ_CHECK(st == want && w == NULL, "bad writer option %u: %s", how, hdump_status_str(st));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fdp p = fdp_init(data, size);
    hdump_version v = fz_version(fdp_bits(&p, 1));
    size_t nrec = (size_t)fdp_range(&p, 0, MAX_RECORDS);
    hdump_writer_opts wo;
    hdump_writer_opts_init(&wo);
    wo.version = v;
    wo.buffer_size = fdp_range(&p, 0, 15) == 0 ? (size_t)1 << 20 : 64 + (size_t)fdp_range(&p, 0, 8192);
    if (fdp_range(&p, 0, 3) == 0) wo.ptr_size = 4; /* else the default, 8 */
    if (fdp_range(&p, 0, 15) == 0) check_bad_opts(&wo, (unsigned)fdp_range(&p, 0, 7));
    int nocache = fdp_bool(&p);
    if (nocache) {
        wo.typecache_buckets = 0;
    } else {
        wo.typecache_buckets = 1u << fdp_range(&p, 0, 8);
        wo.typecache_ways = 1 + (uint32_t)fdp_range(&p, 0, 7);
    }
    wo.kernel = fz_pick_kernel(fdp_bits(&p, 1));
    unsigned sink = (unsigned)fdp_range(&p, 0, SINK_N - 1);
    /* 1 in 8: record `bad` is made invalid in way `bad_how` (7: put after finish) */
    int invalid = fdp_range(&p, 0, 7) == 0;
    size_t bad = nrec ? (size_t)fdp_range(&p, 0, nrec - 1) : 0;
    unsigned bad_how = (unsigned)fdp_range(&p, 0, 7);
    uint64_t bad_x = fdp_bits(&p, 2);

    fz_store_reset(&store, wo.ptr_size);
    uint64_t per_tag_bits = fdp_u64(&p);
    for (size_t i = 0; i < nrec; i++) fz_gen_record(&p, v, &store, &recs[i]);
    for (size_t i = 0; i < nrec; i++) fz_expect(&store, &recs[i], &back[i]);
    if (invalid && (nrec == 0 || (bad_how != 7 && !make_invalid(v, &recs[bad], bad_how, bad_x))))
        invalid = 0;

    fz_heap heap;
    fz_heap_init(&heap, FZ_HEAP_BUDGET, 0);
    hdump_alloc hooks = fz_heap_hooks(&heap);
    wo.alloc = &hooks;
    hdump_membuf out;
    hdump_membuf_init(&out, &hooks);
    hdump_fixedbuf fixed = {fixed_mem, FIXED_CAP, 0};
    int fd = -1;
    FILE *file = NULL;
    hdump_sink s;
    switch (sink) {
    case SINK_FIXED: s = hdump_sink_fixed(&fixed); break;
    case SINK_FD:
        fd = memfd_with(NULL, 0);
        s = hdump_sink_fd(fd);
        break;
    case SINK_FILE:
        fd = memfd_with(NULL, 0);
        file = fdopen(dup(fd), "w");
        FZ_CHECK(file != NULL, "fdopen");
        s = hdump_sink_file(file);
        break;
    default: s = hdump_sink_membuf(&out); break;
    }
    hdump_writer *w, *wn = NULL;
    hdump_status st = hdump_writer_new(&wo, s, &w);
    FZ_CHECK(st == HDUMP_OK, "writer_new: %s", hdump_status_str(st));
    if (sink == SINK_MEM_AND_NULL) {
        st = hdump_writer_new(&wo, hdump_sink_null(), &wn);
        FZ_CHECK(st == HDUMP_OK, "writer_new (null sink): %s", hdump_status_str(st));
    }
    size_t nput = invalid ? bad + 1 : nrec; /* puts that are made */
    int nospace = 0;                          /* the sink filled up (sink_full) */
    uint64_t nospace_at = 0;                  /* bytes the writer delivered then */
    for (size_t i = 0; i < nput && !nospace; i++) {
        int per_tag = (int)((per_tag_bits >> (i % 64)) & 1);
        if (invalid && i == bad) {
            uint64_t before = hdump_writer_bytes(w), nrecs = hdump_writer_records(w);
            if (bad_how == 7) {
                st = hdump_writer_finish(w);
                if (sink_full(st, sink, &heap)) {
                    nospace = 1;
                    break;
                }
                FZ_CHECK(st == HDUMP_OK, "finish: %s", hdump_status_str(st));
                before = hdump_writer_bytes(w);
                nrecs = hdump_writer_records(w);
            }
            st = fz_put(w, v, &recs[i], per_tag && bad_how != 3, nocache);
            if (sink_full(st, sink, &heap)) {
                nospace = 1;
                break;
            }
            FZ_CHECK(st == HDUMP_ERR_USAGE, "invalid record %zu (way %u, tag %d) was put: %s", i,
                     bad_how, (int)recs[i].tag, hdump_status_str(st));
            const hdump_error *e = hdump_writer_error(w);
            FZ_CHECK(e->code == HDUMP_ERR_USAGE && e->offset == before && e->record_index == nrecs &&
                         e->tag == (uint64_t)recs[i].tag && e->msg != NULL,
                     "usage error: code %d offset %llu/%llu index %llu/%llu tag %llu/%d", (int)e->code,
                     (unsigned long long)e->offset, (unsigned long long)before,
                     (unsigned long long)e->record_index, (unsigned long long)nrecs,
                     (unsigned long long)e->tag, (int)recs[i].tag);
            FZ_CHECK(hdump_writer_bytes(w) == before, "a failed put changed the byte count");
            /* sticky: the next put and finish say the same */
            if (bad_how != 7) {
                FZ_CHECK(hdump_writer_put(w, &back[0]) == HDUMP_ERR_USAGE, "error not sticky (put)");
                FZ_CHECK(hdump_writer_finish(w) == HDUMP_ERR_USAGE, "error not sticky (finish)");
            } else {
                FZ_CHECK(hdump_writer_finish(w) == HDUMP_OK, "second finish changed its result");
            }
            break;
        }
        st = fz_put(w, v, &recs[i], per_tag, nocache);
        if (sink_full(st, sink, &heap)) {
            nospace = 1;
            break;
        }
        FZ_CHECK(st == HDUMP_OK, "put record %zu (tag %d): %s", i, (int)recs[i].tag,
                 hdump_status_str(st));
        if (wn != NULL) {
            st = fz_put(wn, v, &recs[i], per_tag, nocache);
            FZ_CHECK(st == HDUMP_OK, "put record %zu (null sink): %s", i, hdump_status_str(st));
        }
    }
    if (!invalid && !nospace) {
        st = hdump_writer_finish(w);
        if (sink_full(st, sink, &heap)) nospace = 1;
        else FZ_CHECK(st == HDUMP_OK, "finish: %s", hdump_status_str(st));
        if (!nospace)
            FZ_CHECK(hdump_writer_records(w) == nrec + 1, "writer counted %llu records, wrote %zu",
                     (unsigned long long)hdump_writer_records(w), nrec + 1);
    }
    if (nospace && sink == SINK_FIXED) {
        /* The fixed buffer is full: the writer never counts what did not fit. */
        const hdump_error *e = hdump_writer_error(w);
        FZ_CHECK(e->code == HDUMP_ERR_NOSPACE && e->offset <= fixed.len && fixed.len == FIXED_CAP,
                 "NOSPACE at %llu, %zu bytes stored", (unsigned long long)e->offset, fixed.len);
        FZ_CHECK(hdump_writer_finish(w) == HDUMP_ERR_NOSPACE, "NOSPACE not sticky");
        nospace_at = e->offset;
    } else if (nospace) {
        /* The output outgrew the capping allocator's budget: the memory
         * sink refused to grow and stored nothing of that write. */
        const hdump_error *e = hdump_writer_error(w);
        FZ_CHECK(e->code == HDUMP_ERR_NOMEM && e->offset == out.len,
                 "NOMEM at %llu, %zu bytes stored", (unsigned long long)e->offset, out.len);
        FZ_CHECK(hdump_writer_finish(w) == HDUMP_ERR_NOMEM, "NOMEM not sticky");
        nospace_at = e->offset;
    }
    if (wn != NULL) {
        /* (after a full sink the two writers stopped at different places) */
        if (!invalid) FZ_CHECK(hdump_writer_finish(wn) == HDUMP_OK, "finish (null sink)");
        else FZ_CHECK(hdump_writer_flush(wn) == HDUMP_OK, "flush (null sink)");
        FZ_CHECK(hdump_writer_bytes(wn) == hdump_writer_bytes(w) ||
                     (invalid && bad_how == 7) || nospace,
                 "null sink: %llu bytes, memory: %llu", (unsigned long long)hdump_writer_bytes(wn),
                 (unsigned long long)hdump_writer_bytes(w));
        hdump_writer_free(wn);
    }
    uint64_t wbytes = hdump_writer_bytes(w);
    hdump_writer_free(w);

    /* What reached the sink. */
    const uint8_t *outd = out.data;
    size_t outn = out.len;
    uint8_t *owned = NULL;
    if (sink == SINK_FIXED) {
        outd = fixed.data;
        outn = fixed.len;
    } else if (sink == SINK_FD || sink == SINK_FILE) {
        if (file != NULL) FZ_CHECK(fclose(file) == 0, "fclose");
        owned = memfd_contents(fd, &outn);
        outd = owned;
        close(fd);
    }
    if (nospace) {
        /* The sink kept what fit of the failed write; the writer counts
         * only the writes it completed, and those are a prefix of the dump. */
        outn = (size_t)nospace_at;
    } else if (!invalid) {
        FZ_CHECK(wbytes == outn, "writer bytes %llu, sink got %zu", (unsigned long long)wbytes, outn);
    } else {
        FZ_CHECK(outn <= wbytes, "sink got %zu bytes, writer counted %llu", outn,
                 (unsigned long long)wbytes);
    }
    if (nospace) {
        if (outn >= HDUMP_HEADER_SIZE) read_back(v, outd, outn, nrec, 0, &p, &hooks);
    } else if (invalid && bad_how == 7) {
        read_back(v, outd, outn, bad, 1, &p, &hooks); /* finished before record `bad` */
    } else if (invalid) {
        if (outn >= HDUMP_HEADER_SIZE) read_back(v, outd, outn, bad, 0, &p, &hooks);
    } else {
        read_back(v, outd, outn, nrec, 1, &p, &hooks);
    }
    free(owned);
    hdump_membuf_free(&out);
    fz_heap_check_empty(&heap);
    return 0;
}
