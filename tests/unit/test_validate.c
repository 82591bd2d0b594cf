/* tests/unit/test_validate.c CORPUS_DIR: the validator (hdump/validate.h).
 *  1. every committed real dump is valid; the Go 1.23.5 ones report exactly
 *     65 / 88 / 49 phantom objects and malloc headers, the Go 1.19.8 ones and
 *     their go1.3-go1.6 rewrites neither; MemStats agree (after removing the
 *     phantoms); memory and mmap give the same result;
 *  2. a real dump cut at record boundaries and ended with EOF (a salvaged
 *     prefix) stays valid;
 *  3. hand-built dumps (written with the library's writer) trigger each
 *     finding with its count, severity and example offset;
 *  4. the allocator: every byte goes through the hooks and is given back,
 *     and a failing allocator gives HDUMP_ERR_NOMEM without leaks. */
#include "hdump/hdump.h"
#include "t.h"

static const char *corpus;

static const hdump_finding *find(const hdump_validation *v, const char *name) {
    for (size_t i = 0; i < v->nfindings; i++)
        if (strcmp(v->findings[i].name, name) == 0) return &v->findings[i];
    return NULL;
}

static uint64_t count_of(const hdump_validation *v, const char *name) {
    const hdump_finding *f = find(v, name);
    return f ? f->count : 0;
}

static size_t errors_of(const hdump_validation *v) {
    size_t n = 0;
    for (size_t i = 0; i < v->nfindings; i++) n += v->findings[i].severity == HDUMP_SEV_ERROR;
    return n;
}

static void dump_findings(const char *what, const hdump_validation *v) {
    for (size_t i = 0; i < v->nfindings; i++)
        fprintf(stderr, "  %s: %s (%d) count %" PRIu64 "\n", what, v->findings[i].name,
                (int)v->findings[i].severity, v->findings[i].count);
}

/* ==== 1. Real dumps ==== */

typedef struct real_case {
    const char *name;
    hdump_version version;
    uint64_t phantoms;   /* corpus/real/README.md, "Objects vs MemStats" */
    uint64_t malloc_headers; /* Go >= 1.22: measured on the committed files */
} real_case;

static const real_case reals[] = {
    {"heapgen_go1.19.8_small", HDUMP_GO1_7, 0, 0},
    {"heapgen_go1.19.8_large", HDUMP_GO1_7, 0, 0},
    {"heapgen_go1.23.5_small", HDUMP_GO1_7, 65, 32},
    {"heapgen_go1.23.5_large", HDUMP_GO1_7, 88, 122},
    {"sample_go1.19.8", HDUMP_GO1_7, 0, 0},
    {"sample_go1.23.5", HDUMP_GO1_7, 49, 10},
    {"sample_go1.19.8_as_go1.3", HDUMP_GO1_3, 0, 0},
    {"sample_go1.19.8_as_go1.4", HDUMP_GO1_4, 0, 0},
    {"sample_go1.19.8_as_go1.5", HDUMP_GO1_5, 0, 0},
    {"sample_go1.19.8_as_go1.6", HDUMP_GO1_6, 0, 0},
};

static int same_findings(const hdump_validation *a, const hdump_validation *b) {
    if (a->nfindings != b->nfindings || a->valid != b->valid) return 0;
    for (size_t i = 0; i < a->nfindings; i++) {
        const hdump_finding *x = &a->findings[i], *y = &b->findings[i];
        if (x->kind != y->kind || x->count != y->count || x->nexamples != y->nexamples ||
            strcmp(x->name, y->name) != 0)
            return 0;
        for (size_t k = 0; k < x->nexamples; k++)
            if (x->examples[k].offset != y->examples[k].offset ||
                x->examples[k].value != y->examples[k].value)
                return 0;
    }
    return 1;
}

static void test_real(const real_case *c) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.dump", corpus, c->name);
    hdump_validation v;
    T_EQ(hdump_validate_path(NULL, path, &v), HDUMP_OK);
    T_CHECK(v.valid == 1, "%s not valid", c->name);
    T_EQ(errors_of(&v), 0);
    if (errors_of(&v)) dump_findings(c->name, &v);
    T_EQ(v.version, c->version);
    T_EQ(v.error.code, HDUMP_OK);
    T_EQ(count_of(&v, "phantom-objects"), c->phantoms);
    const hdump_finding *ph = find(&v, "phantom-objects");
    if (c->phantoms) {
        T_TRUE(ph != NULL && strstr(ph->name, "phantom") != NULL);
        T_TRUE(ph != NULL && ph->severity == HDUMP_SEV_WARNING);
        T_TRUE(ph != NULL && ph->nexamples == HDUMP_FINDING_EXAMPLES);
        /* Every phantom reaches into the last 128 bytes of its 8 KiB page. */
        for (size_t k = 0; ph != NULL && k < ph->nexamples; k++)
            T_TRUE(ph->examples[k].value % 8192 >= 8192 - 128 - 512);
    }
    const hdump_finding *mh = find(&v, "malloc-headers");
    T_EQ(mh != NULL, c->malloc_headers != 0);
    T_EQ(count_of(&v, "malloc-headers"), c->malloc_headers);
    if (mh) T_EQ(mh->severity, HDUMP_SEV_INFO);
    /* Real dumps hold pointers to rodata/text: info, not a warning. */
    T_TRUE(count_of(&v, "offheap-pointer") > 0);
    /* Objects agree with MemStats once the phantoms are removed. */
    T_EQ(count_of(&v, "memstats-mismatch"), 0);
    /* No pointer into the heap range misses an object in any real dump. */
    T_EQ(count_of(&v, "dangling-pointer"), 0);
    T_EQ(count_of(&v, "missing-params") + count_of(&v, "missing-memstats"), 0);
    /* Findings come in kind order. */
    for (size_t i = 1; i < v.nfindings; i++)
        T_TRUE(v.findings[i - 1].kind <= v.findings[i].kind);

    size_t len;
    uint8_t *data = t_read_file(path, &len);
    hdump_validation m;
    T_EQ(hdump_validate_mem(NULL, data, len, &m), HDUMP_OK);
    T_TRUE(same_findings(&v, &m));
    T_EQ(m.bytes, len);
    T_EQ(m.objects, v.objects);
    hdump_validation_free(&m);
    free(data);
    hdump_validation_free(&v);
    T_EQ(v.findings, NULL);
}

/* ==== 2. Salvaged prefixes ==== */

static void test_prefixes(const char *name, size_t stride) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.dump", corpus, name);
    size_t len;
    uint8_t *data = t_read_file(path, &len);
    hdump_reader *r;
    T_EQ(hdump_reader_new_mem(NULL, data, len, &r), HDUMP_OK);
    size_t cap = 1024, n = 0;
    uint64_t *offs = malloc(cap * sizeof *offs);
    hdump_record rec;
    while (hdump_reader_next(r, &rec) == HDUMP_OK) {
        if (n == cap) offs = realloc(offs, (cap *= 2) * sizeof *offs);
        offs[n++] = rec.offset;
    }
    hdump_reader_free(r);
    uint8_t *buf = malloc(len + 1);
    size_t tried = 0, bad = 0;
    /* Every stride-th boundary, plus the first and last 12. */
    for (size_t i = 0; i < n; i++) {
        if (i % stride != 0 && i >= 12 && i + 12 < n) continue;
        size_t cut = (size_t)offs[i];
        memcpy(buf, data, cut);
        buf[cut] = 0; /* EOF */
        hdump_validation v;
        hdump_status st = hdump_validate_mem(NULL, buf, cut + 1, &v);
        tried++;
        if (st != HDUMP_OK || !v.valid) {
            if (bad++ < 3) {
                fprintf(stderr, "%s: cut before record %zu (offset %zu) invalid\n", name, i, cut);
                dump_findings("cut", &v);
            }
        }
        if (st == HDUMP_OK && count_of(&v, "structure") != 0) bad++;
        hdump_validation_free(&v);
    }
    T_EQ(bad, 0);
    T_TRUE(tried > 100);
    free(buf);
    free(offs);
    free(data);
}

/* ==== 3. Hand-built dumps ==== */

#define HEAP_LO UINT64_C(0xc000000000)
#define HEAP_HI UINT64_C(0xc004000000)

typedef struct tb {
    hdump_membuf m;
    hdump_writer *w;
    hdump_version version;
} tb;

static void tb_start(tb *b, hdump_version version) {
    hdump_membuf_init(&b->m, NULL);
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = version;
    b->version = version;
    if (hdump_writer_new(&o, hdump_sink_membuf(&b->m), &b->w) != HDUMP_OK) exit(2);
}

/* The offset the next record will start at. */
static uint64_t tb_at(tb *b) { return hdump_writer_bytes(b->w); }

static void tb_params_full(tb *b, const char *build, uint64_t ptr_size, uint64_t big_endian) {
    hdump_params p;
    memset(&p, 0, sizeof p);
    p.big_endian = big_endian;
    p.ptr_size = ptr_size;
    p.heap_start = HEAP_LO;
    p.heap_end = HEAP_HI;
    p.arch_char = '6';
    p.arch.ptr = (const uint8_t *)"amd64";
    p.arch.len = 5;
    p.experiment.ptr = (const uint8_t *)build;
    p.experiment.len = strlen(build);
    p.ncpu = 2;
    T_EQ(hdump_writer_put_params(b->w, &p), HDUMP_OK);
}

static void tb_params(tb *b) { tb_params_full(b, "go1.19.8", 8, 0); }

static void tb_memstats(tb *b, uint64_t objects, uint64_t bytes) {
    hdump_memstats m;
    memset(&m, 0, sizeof m);
    m.v[HDUMP_MS_HEAP_OBJECTS] = objects;
    m.v[HDUMP_MS_HEAP_ALLOC] = bytes;
    m.v[HDUMP_MS_ALLOC] = bytes;
    T_EQ(hdump_writer_put_memstats(b->w, &m), HDUMP_OK);
}

/* An object of `len` bytes (<= 8192) whose words are `words` (then zero),
 * with Ptr fields at the given offsets. */
static void tb_obj(tb *b, uint64_t addr, size_t len, const uint64_t *words, size_t nwords,
                   const uint64_t *ptr_offs, size_t nptr) {
    static uint8_t buf[8192];
    hdump_field f[64];
    if (len > sizeof buf || nwords * 8 > len || nptr > 64) exit(2);
    memset(buf, 0, sizeof buf);
    for (size_t i = 0; i < nwords; i++) memcpy(buf + 8 * i, &words[i], 8);
    for (size_t i = 0; i < nptr; i++) {
        f[i].kind = HDUMP_FIELD_PTR;
        f[i].offset = ptr_offs[i];
    }
    hdump_fields fl;
    memset(&fl, 0, sizeof fl);
    fl.items = f;
    fl.count = nptr;
    T_EQ(hdump_writer_put_object(b->w, addr, buf, len, &fl), HDUMP_OK);
}

static void tb_goroutine(tb *b, uint64_t addr, uint64_t is_system) {
    hdump_goroutine g;
    memset(&g, 0, sizeof g);
    g.addr = addr;
    g.sp = 0xc000400000;
    g.goid = 1;
    g.status = 4;
    g.is_system = is_system;
    T_EQ(hdump_writer_put_goroutine(b->w, &g), HDUMP_OK);
}

static void tb_frame(tb *b, uint64_t sp, uint64_t depth, uint64_t child_sp, const char *name,
                     size_t len, const uint64_t *ptr_offs, size_t nptr) {
    static uint8_t buf[256];
    memset(buf, 0, sizeof buf);
    hdump_field f[8];
    for (size_t i = 0; i < nptr; i++) {
        f[i].kind = HDUMP_FIELD_PTR;
        f[i].offset = ptr_offs[i];
    }
    hdump_stackframe fr;
    memset(&fr, 0, sizeof fr);
    fr.sp = sp;
    fr.depth = depth;
    fr.child_sp = child_sp;
    fr.contents.ptr = buf;
    fr.contents.len = len;
    fr.name.ptr = (const uint8_t *)name;
    fr.name.len = strlen(name);
    fr.fields.items = f;
    fr.fields.count = nptr;
    T_EQ(hdump_writer_put_stackframe(b->w, &fr), HDUMP_OK);
}

/* Finishes the dump and validates it. */
static void tb_validate(tb *b, const hdump_validate_opts *o, hdump_validation *v) {
    T_EQ(hdump_writer_finish(b->w), HDUMP_OK);
    hdump_writer_free(b->w);
    T_EQ(hdump_validate_mem(o, b->m.data, b->m.len, v), HDUMP_OK);
    hdump_membuf_free(&b->m);
}

/* One finding: its count, severity, and first example (offset, value). */
static void expect(const hdump_validation *v, const char *name, uint64_t count,
                   hdump_severity sev, uint64_t off0, uint64_t val0) {
    const hdump_finding *f = find(v, name);
    T_CHECK(f != NULL, "no finding %s", name);
    if (f == NULL) {
        dump_findings(name, v);
        return;
    }
    T_EQ(f->count, count);
    T_EQ(f->severity, sev);
    T_TRUE(f->nexamples >= 1);
    if (f->nexamples >= 1) {
        T_EQ(f->examples[0].offset, off0);
        T_EQ(f->examples[0].value, val0);
    }
}

/* The finding's only other findings are the listed names. */
static void expect_only(const hdump_validation *v, const char *a, const char *b2) {
    for (size_t i = 0; i < v->nfindings; i++) {
        const char *n = v->findings[i].name;
        int ok = (a && strcmp(n, a) == 0) || (b2 && strcmp(n, b2) == 0);
        T_CHECK(ok, "unexpected finding %s", n);
    }
}

static void test_clean(void) {
    tb b;
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    uint64_t w[2] = {HEAP_LO + 0x108, 0}; /* interior pointer into the next object */
    uint64_t p0[1] = {0};
    tb_obj(&b, HEAP_LO + 0x000, 32, w, 1, p0, 1);
    tb_obj(&b, HEAP_LO + 0x100, 64, NULL, 0, NULL, 0);
    tb_memstats(&b, 2, 96);
    hdump_validation v;
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 1);
    T_EQ(v.nfindings, 0);
    T_EQ(v.objects, 2);
    T_EQ(v.object_bytes, 96);
    T_EQ(v.records, 5);
    hdump_validation_free(&v);
}

static void test_objects(void) {
    tb b;
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    uint64_t a0 = tb_at(&b);
    tb_obj(&b, HEAP_LO + 0x000, 64, NULL, 0, NULL, 0);
    uint64_t a1 = tb_at(&b);
    tb_obj(&b, HEAP_LO + 0x020, 16, NULL, 0, NULL, 0); /* inside the first */
    uint64_t a2 = tb_at(&b);
    tb_obj(&b, UINT64_C(0xb000000000), 16, NULL, 0, NULL, 0); /* below the heap */
    uint64_t a3 = tb_at(&b);
    tb_obj(&b, HEAP_HI - 8, 16, NULL, 0, NULL, 0); /* runs past its end */
    tb_memstats(&b, 4, 112);
    hdump_validation v;
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 0);
    expect(&v, "object-overlap", 2, HDUMP_SEV_ERROR, a0, HEAP_LO);
    const hdump_finding *f = find(&v, "object-overlap");
    if (f && f->nexamples >= 2) T_EQ(f->examples[1].offset, a1);
    expect(&v, "object-outside-heap", 2, HDUMP_SEV_ERROR, a2, UINT64_C(0xb000000000));
    f = find(&v, "object-outside-heap");
    if (f && f->nexamples >= 2) T_EQ(f->examples[1].offset, a3);
    T_EQ(find(&v, "object-overlap")->kind, HDUMP_FIND_OBJECT_OVERLAP);
    expect_only(&v, "object-overlap", "object-outside-heap");
    hdump_validation_free(&v);

    /* Identical objects overlap too; a large object covering a later one
     * that does not touch its immediate successor is found as well. */
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    tb_obj(&b, HEAP_LO, 16, NULL, 0, NULL, 0);
    tb_obj(&b, HEAP_LO, 16, NULL, 0, NULL, 0);
    tb_obj(&b, HEAP_LO + 0x1000, 0x1000, NULL, 0, NULL, 0);
    tb_obj(&b, HEAP_LO + 0x1100, 16, NULL, 0, NULL, 0);
    tb_obj(&b, HEAP_LO + 0x1800, 16, NULL, 0, NULL, 0);
    tb_memstats(&b, 5, 0x1040);
    tb_validate(&b, NULL, &v);
    T_EQ(count_of(&v, "object-overlap"), 5);
    hdump_validation_free(&v);
}

static void test_fields(void) {
    tb b;
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    uint64_t at_out = tb_at(&b);
    uint64_t outside[2] = {8, 16}; /* the word at 16 ends at 24 > 16 */
    tb_obj(&b, HEAP_LO + 0x000, 16, NULL, 0, outside, 2);
    uint64_t at_order = tb_at(&b);
    uint64_t order[3] = {8, 0, 16};
    tb_obj(&b, HEAP_LO + 0x100, 32, NULL, 0, order, 3);
    uint64_t at_align = tb_at(&b);
    uint64_t align[1] = {4};
    tb_obj(&b, HEAP_LO + 0x200, 16, NULL, 0, align, 1);
    tb_memstats(&b, 3, 64);
    hdump_validation v;
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 0);
    expect(&v, "field-outside", 1, HDUMP_SEV_ERROR, at_out, 16);
    expect(&v, "field-order", 1, HDUMP_SEV_ERROR, at_order, 0);
    expect(&v, "field-align", 1, HDUMP_SEV_ERROR, at_align, 4);
    hdump_validation_free(&v);

    /* data/bss and frame fields are checked the same way. */
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    static const uint8_t seg[16] = {0};
    hdump_field sf[1] = {{HDUMP_FIELD_PTR, 16}};
    hdump_segment s;
    memset(&s, 0, sizeof s);
    s.addr = 0x500000;
    s.contents.ptr = seg;
    s.contents.len = sizeof seg;
    s.fields.items = sf;
    s.fields.count = 1;
    uint64_t at_seg = tb_at(&b);
    T_EQ(hdump_writer_put_bss(b.w, &s), HDUMP_OK);
    tb_memstats(&b, 0, 0);
    tb_validate(&b, NULL, &v);
    expect(&v, "field-outside", 1, HDUMP_SEV_ERROR, at_seg, 16);
    hdump_validation_free(&v);
}

static void test_pointers(void) {
    tb b;
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    /* Resolved: nil, an object's start, inside one, data, a stack, a type
     * and an itab. Then one dangling word in the heap, one off the heap. */
    hdump_type t;
    memset(&t, 0, sizeof t);
    t.addr = 0x4a0000;
    t.size = 8;
    t.indirect = 1;
    hdump_itab it;
    memset(&it, 0, sizeof it);
    it.addr = 0x4b0000;
    it.type_addr = t.addr;
    T_EQ(hdump_writer_put_itab(b.w, &it, &t, 1), HDUMP_OK);
    uint64_t words[9] = {0, HEAP_LO + 0x100, HEAP_LO + 0x13f, 0x500008, 0xc000400010,
                         0x4a0000, 0x4b0000, HEAP_LO + 0x140, 0x401000};
    uint64_t offs[9] = {0, 8, 16, 24, 32, 40, 48, 56, 64};
    uint64_t at_obj = tb_at(&b);
    tb_obj(&b, HEAP_LO, 80, words, 9, offs, 9);
    tb_obj(&b, HEAP_LO + 0x100, 64, NULL, 0, NULL, 0);
    tb_goroutine(&b, HEAP_LO + 0x200, 0);
    tb_frame(&b, 0xc000400000, 0, 0, "main.main", 32, NULL, 0);
    tb_obj(&b, HEAP_LO + 0x200, 64, NULL, 0, NULL, 0);
    static const uint8_t seg[16] = {0};
    hdump_segment s;
    memset(&s, 0, sizeof s);
    s.addr = 0x500000;
    s.contents.ptr = seg;
    s.contents.len = sizeof seg;
    T_EQ(hdump_writer_put_data(b.w, &s), HDUMP_OK);
    tb_memstats(&b, 3, 208);
    hdump_validation v;
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 1);
    expect(&v, "dangling-pointer", 1, HDUMP_SEV_WARNING, at_obj, HEAP_LO + 0x140);
    expect(&v, "offheap-pointer", 1, HDUMP_SEV_INFO, at_obj, 0x401000);
    expect_only(&v, "dangling-pointer", "offheap-pointer");
    hdump_validation_free(&v);

    /* Big-endian, 4-byte pointers: the word is read in the dump's order. */
    tb_start(&b, HDUMP_GO1_7);
    tb_params_full(&b, "go1.19.8", 4, 1);
    /* Word 0 names the data segment read big-endian (0x00500004), but not
     * little-endian (0x04005000); word 1 is off the heap either way and is
     * reported as read big-endian. */
    static const uint8_t be[8] = {0x00, 0x50, 0x00, 0x04, 0x00, 0x40, 0x10, 0x00};
    uint64_t w0;
    memcpy(&w0, be, 8);
    uint64_t o4[2] = {0, 4};
    uint64_t at_be = tb_at(&b);
    tb_obj(&b, HEAP_LO, 8, &w0, 1, o4, 2);
    T_EQ(hdump_writer_put_data(b.w, &s), HDUMP_OK);
    tb_memstats(&b, 1, 8);
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 1);
    expect(&v, "offheap-pointer", 1, HDUMP_SEV_INFO, at_be, 0x401000);
    hdump_validation_free(&v);
}

static void test_frames(void) {
    tb b;
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    uint64_t at_orphan = tb_at(&b);
    tb_frame(&b, 0xc000400000, 0, 0, "main.f", 16, NULL, 0); /* no goroutine before it */
    tb_goroutine(&b, HEAP_LO, 0);
    tb_frame(&b, 0xc000400000, 0, 0, "main.f", 16, NULL, 0);
    uint64_t at_depth = tb_at(&b);
    tb_frame(&b, 0xc000400010, 2, 0xc000400000, "main.g", 16, NULL, 0); /* skips 1 */
    uint64_t at_child = tb_at(&b);
    tb_frame(&b, 0xc000400020, 3, 0xc000400008, "main.h", 16, NULL, 0); /* wrong child */
    tb_goroutine(&b, HEAP_LO + 0x100, 0);
    uint64_t at_child0 = tb_at(&b);
    tb_frame(&b, 0xc000500000, 0, 0xc0004fff00, "main.k", 16, NULL, 0); /* depth 0, child */
    uint64_t at_goexit = tb_at(&b);
    uint64_t args[1] = {16}; /* the entry function's args, past goexit's 8 bytes */
    tb_frame(&b, 0xc000500010, 1, 0xc000500000, "runtime.goexit", 8, args, 1);
    tb_obj(&b, HEAP_LO, 64, NULL, 0, NULL, 0);
    tb_obj(&b, HEAP_LO + 0x100, 64, NULL, 0, NULL, 0);
    tb_memstats(&b, 2, 128);
    hdump_validation v;
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 0);
    expect(&v, "frame-orphan", 1, HDUMP_SEV_ERROR, at_orphan, 0xc000400000);
    expect(&v, "frame-depth", 1, HDUMP_SEV_ERROR, at_depth, 2);
    expect(&v, "frame-child-sp", 2, HDUMP_SEV_ERROR, at_child, 0xc000400008);
    const hdump_finding *f = find(&v, "frame-child-sp");
    if (f && f->nexamples >= 2) T_EQ(f->examples[1].offset, at_child0);
    expect(&v, "goexit-args-outside", 1, HDUMP_SEV_WARNING, at_goexit, 16);
    T_EQ(count_of(&v, "field-outside"), 0);
    hdump_validation_free(&v);

    /* A frame after a defer is no longer in its goroutine's chain. */
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    tb_goroutine(&b, HEAP_LO, 0);
    hdump_defer d;
    memset(&d, 0, sizeof d);
    d.g = HEAP_LO;
    T_EQ(hdump_writer_put_defer(b.w, &d), HDUMP_OK);
    uint64_t at = tb_at(&b);
    tb_frame(&b, 0xc000400000, 0, 0, "main.f", 16, NULL, 0);
    tb_obj(&b, HEAP_LO, 64, NULL, 0, NULL, 0);
    tb_memstats(&b, 1, 64);
    tb_validate(&b, NULL, &v);
    expect(&v, "frame-orphan", 1, HDUMP_SEV_ERROR, at, 0xc000400000);
    expect_only(&v, "frame-orphan", NULL);
    hdump_validation_free(&v);
}

static void test_links(void) {
    tb b;
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    hdump_itab it;
    memset(&it, 0, sizeof it);
    it.addr = 0x4b0000;
    it.type_addr = 0x4a0000; /* no type record */
    uint64_t at_itab = tb_at(&b);
    T_EQ(hdump_writer_put_itab(b.w, &it, NULL, 0), HDUMP_OK);
    tb_obj(&b, HEAP_LO, 64, NULL, 0, NULL, 0);
    tb_goroutine(&b, HEAP_LO, 0);
    hdump_defer d;
    memset(&d, 0, sizeof d);
    d.g = HEAP_LO; /* known */
    T_EQ(hdump_writer_put_defer(b.w, &d), HDUMP_OK);
    d.g = 0x1234;
    uint64_t at_defer = tb_at(&b);
    T_EQ(hdump_writer_put_defer(b.w, &d), HDUMP_OK);
    hdump_panic p;
    memset(&p, 0, sizeof p);
    p.g = HEAP_LO; /* known */
    T_EQ(hdump_writer_put_panic(b.w, &p), HDUMP_OK);
    p.g = 0x5678;
    uint64_t at_panic = tb_at(&b);
    T_EQ(hdump_writer_put_panic(b.w, &p), HDUMP_OK);
    tb_memstats(&b, 1, 64);
    hdump_validation v;
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 0);
    expect(&v, "itab-type", 1, HDUMP_SEV_ERROR, at_itab, 0x4a0000);
    expect(&v, "defer-goroutine", 1, HDUMP_SEV_ERROR, at_defer, 0x1234);
    expect(&v, "panic-goroutine", 1, HDUMP_SEV_ERROR, at_panic, 0x5678);
    hdump_validation_free(&v);
}

static void test_records(void) {
    tb b;
    hdump_validation v;
    /* Duplicate params and memstats; a bad bool. */
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    uint64_t at_dup = tb_at(&b);
    tb_params(&b);
    uint64_t at_bool = tb_at(&b);
    tb_goroutine(&b, HEAP_LO, 2);
    tb_obj(&b, HEAP_LO, 64, NULL, 0, NULL, 0);
    tb_memstats(&b, 1, 64);
    uint64_t at_dupm = tb_at(&b);
    tb_memstats(&b, 1, 64);
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 0);
    expect(&v, "duplicate-params", 1, HDUMP_SEV_ERROR, at_dup, HDUMP_TAG_PARAMS);
    expect(&v, "duplicate-memstats", 1, HDUMP_SEV_ERROR, at_dupm, HDUMP_TAG_MEMSTATS);
    expect(&v, "bad-bool", 1, HDUMP_SEV_WARNING, at_bool, 2);
    T_EQ(find(&v, "duplicate-params")->kind, HDUMP_FIND_DUPLICATE);
    hdump_validation_free(&v);

    /* Missing memstats / params: warnings, still valid. */
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    tb_obj(&b, HEAP_LO, 64, NULL, 0, NULL, 0);
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 1);
    T_EQ(count_of(&v, "missing-memstats"), 1);
    T_EQ(find(&v, "missing-memstats")->severity, HDUMP_SEV_WARNING);
    T_EQ(find(&v, "missing-memstats")->kind, HDUMP_FIND_MISSING);
    expect_only(&v, "missing-memstats", NULL);
    hdump_validation_free(&v);

    tb_start(&b, HDUMP_GO1_7);
    uint64_t w[1] = {0x401000};
    uint64_t o0[1] = {0};
    tb_obj(&b, 0x1000, 64, w, 1, o0, 1); /* no heap range to be outside of */
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 1);
    T_EQ(count_of(&v, "missing-params"), 1);
    T_EQ(count_of(&v, "missing-memstats"), 1);
    /* Without a heap range every unresolved pointer is a dangling one. */
    T_EQ(count_of(&v, "dangling-pointer"), 1);
    T_EQ(count_of(&v, "object-outside-heap"), 0);
    hdump_validation_free(&v);

    /* Bad params: pointer size 3. */
    tb_start(&b, HDUMP_GO1_7);
    uint64_t at_p = tb_at(&b);
    tb_params_full(&b, "go1.19.8", 3, 0);
    tb_memstats(&b, 0, 0);
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 0);
    expect(&v, "bad-params", 1, HDUMP_SEV_ERROR, at_p, 3);
    hdump_validation_free(&v);

    /* MemStats that disagree. */
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    tb_obj(&b, HEAP_LO, 64, NULL, 0, NULL, 0);
    uint64_t at_ms = tb_at(&b);
    tb_memstats(&b, 2, 64);
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 1);
    expect(&v, "memstats-mismatch", 1, HDUMP_SEV_WARNING, at_ms, 1);
    const hdump_finding *f = find(&v, "memstats-mismatch");
    if (f && f->nexamples == 2) T_EQ(f->examples[1].value, 64);
    hdump_validation_free(&v);

    /* Structure: a truncated dump. */
    tb_start(&b, HDUMP_GO1_7);
    tb_params(&b);
    tb_obj(&b, HEAP_LO, 64, NULL, 0, NULL, 0);
    T_EQ(hdump_writer_finish(b.w), HDUMP_OK);
    hdump_writer_free(b.w);
    T_EQ(hdump_validate_mem(NULL, b.m.data, b.m.len - 10, &v), HDUMP_OK);
    T_EQ(v.valid, 0);
    T_EQ(v.error.code, HDUMP_ERR_TRUNCATED);
    T_EQ(v.error.offset, b.m.len - 10);
    expect(&v, "structure", 1, HDUMP_SEV_ERROR, b.m.len - 10, HDUMP_TAG_OBJECT);
    hdump_validation_free(&v);
    /* max_objects: one object is within a bound of one. */
    hdump_validate_opts o;
    hdump_validate_opts_init(&o);
    o.max_objects = 1;
    T_EQ(hdump_validate_mem(&o, b.m.data, b.m.len, &v), HDUMP_OK);
    T_EQ(v.valid, 1);
    hdump_validation_free(&v);
    hdump_membuf_free(&b.m);
    /* Not a dump at all. */
    T_EQ(hdump_validate_mem(NULL, "hello, world, this is not a dump", 32, &v), HDUMP_OK);
    T_EQ(v.valid, 0);
    T_EQ(v.version, 0);
    T_EQ(v.error.code, HDUMP_ERR_HEADER);
    T_EQ(count_of(&v, "structure"), 1);
    hdump_validation_free(&v);

    tb_start(&b, HDUMP_GO1_7);
    tb_obj(&b, HEAP_LO, 64, NULL, 0, NULL, 0);
    tb_obj(&b, HEAP_LO + 64, 64, NULL, 0, NULL, 0);
    T_EQ(hdump_writer_finish(b.w), HDUMP_OK);
    hdump_writer_free(b.w);
    T_EQ(hdump_validate_mem(&o, b.m.data, b.m.len, &v), HDUMP_ERR_LIMIT);
    T_EQ(v.nfindings, 0);
    T_EQ(v.findings, NULL);
    hdump_membuf_free(&b.m);

    /* Usage. */
    T_EQ(hdump_validate_mem(NULL, NULL, 5, &v), HDUMP_ERR_USAGE);
    T_EQ(hdump_validate_mem(NULL, "x", 1, NULL), HDUMP_ERR_USAGE);
    T_EQ(hdump_validate_path(NULL, "/nonexistent/heap.dump", &v), HDUMP_ERR_IO);
}

/* go1.3: the type field list is checked against the type's size, and a
 * Slice covers three words. */
static void test_go13(void) {
    tb b;
    tb_start(&b, HDUMP_GO1_3);
    tb_params(&b);
    hdump_field tf[1] = {{HDUMP_FIELD_GO13_SLICE, 8}};
    hdump_record r;
    memset(&r, 0, sizeof r);
    r.tag = HDUMP_TAG_TYPE;
    r.u.type.addr = 0x4a0000;
    r.u.type.size = 24; /* a slice at 8 needs 32 */
    r.u.type.name.ptr = (const uint8_t *)"main.T";
    r.u.type.name.len = 6;
    r.u.type.fields.items = tf;
    r.u.type.fields.count = 1;
    uint64_t at = tb_at(&b);
    T_EQ(hdump_writer_put(b.w, &r), HDUMP_OK);
    hdump_itab it;
    memset(&it, 0, sizeof it);
    it.addr = 0x4b0000;
    it.data_is_ptr = 3;
    uint64_t at_it = tb_at(&b);
    T_EQ(hdump_writer_put_itab(b.w, &it, NULL, 0), HDUMP_OK);
    tb_memstats(&b, 0, 0);
    hdump_validation v;
    tb_validate(&b, NULL, &v);
    expect(&v, "field-outside", 1, HDUMP_SEV_ERROR, at, 8);
    expect(&v, "bad-bool", 1, HDUMP_SEV_WARNING, at_it, 3);
    T_EQ(count_of(&v, "itab-type"), 0); /* go1.3 itabs name no type */
    hdump_validation_free(&v);
}

/* A Go >= 1.22 page: a pointerful 64-byte span whose last two slots reach
 * into the bitmap tail; a malloc-header object. The same records under a
 * Go 1.21 buildVersion report neither (and MemStats then disagree). */
static void build_122(tb *b, const char *build, uint64_t *at_phantom, uint64_t *at_mh) {
    tb_start(b, HDUMP_GO1_7);
    tb_params_full(b, build, 8, 0);
    uint64_t page = HEAP_LO + 0x10000, o0[1] = {0}, o8[1] = {8};
    tb_obj(b, page + 0, 64, NULL, 0, NULL, 0); /* fieldless, but not in the tail */
    tb_obj(b, page + 64, 64, NULL, 0, o0, 1);
    tb_obj(b, page + 128, 64, NULL, 0, o0, 1);
    *at_phantom = tb_at(b);
    tb_obj(b, page + 8064, 64, NULL, 0, NULL, 0); /* 8064..8128: reaches the tail */
    tb_obj(b, page + 8128, 64, NULL, 0, NULL, 0);
    uint64_t t[1] = {0x4a0000};
    *at_mh = tb_at(b);
    tb_obj(b, HEAP_LO + 0x20000, 1024, t, 1, o8, 1);
    tb_obj(b, HEAP_LO + 0x30000, 1024, NULL, 0, o0, 1); /* word 0 listed: no header */
    tb_memstats(b, 5, 64 * 3 + 2048);
}

static void test_go122(void) {
    tb b;
    uint64_t at_ph, at_mh;
    hdump_validation v;
    build_122(&b, "go1.23.5", &at_ph, &at_mh);
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 1);
    expect(&v, "phantom-objects", 2, HDUMP_SEV_WARNING, at_ph, HEAP_LO + 0x10000 + 8064);
    expect(&v, "malloc-headers", 1, HDUMP_SEV_INFO, at_mh, HEAP_LO + 0x20000);
    T_EQ(count_of(&v, "memstats-mismatch"), 0);
    T_TRUE(strstr(find(&v, "phantom-objects")->msg, "bitmap") != NULL);
    hdump_validation_free(&v);

    build_122(&b, "devel go1.24-abcdef Tue Jan 1 2025", &at_ph, &at_mh);
    tb_validate(&b, NULL, &v);
    T_EQ(count_of(&v, "phantom-objects"), 2);
    hdump_validation_free(&v);

    build_122(&b, "go1.21.13", &at_ph, &at_mh);
    tb_validate(&b, NULL, &v);
    T_EQ(v.valid, 1);
    T_EQ(count_of(&v, "phantom-objects"), 0);
    T_EQ(count_of(&v, "malloc-headers"), 0);
    T_EQ(count_of(&v, "memstats-mismatch"), 1);
    hdump_validation_free(&v);
}

/* ==== 4. Allocator ==== */

typedef struct counting {
    size_t live, calls, fail_at;
} counting;

static void *c_alloc(void *ctx, size_t n) {
    counting *c = ctx;
    if (c->fail_at && ++c->calls >= c->fail_at) return NULL;
    c->live += n;
    return malloc(n);
}
static void *c_realloc(void *ctx, void *p, size_t o, size_t n) {
    counting *c = ctx;
    if (c->fail_at && ++c->calls >= c->fail_at) return NULL;
    void *q = realloc(p, n);
    if (q) c->live = c->live - o + n;
    return q;
}
static void c_free(void *ctx, void *p, size_t n) {
    counting *c = ctx;
    c->live -= n;
    free(p);
}

static void test_alloc(void) {
    char path[4096];
    snprintf(path, sizeof path, "%s/sample_go1.23.5.dump", corpus);
    counting c = {0, 0, 0};
    hdump_alloc a = {c_alloc, c_realloc, c_free, &c};
    hdump_validate_opts o;
    hdump_validate_opts_init(&o);
    o.reader.alloc = &a;
    hdump_validation v;
    T_EQ(hdump_validate_path(&o, path, &v), HDUMP_OK);
    T_EQ(count_of(&v, "phantom-objects"), 49);
    T_TRUE(c.live > 0); /* the findings */
    hdump_validation_free(&v);
    T_EQ(c.live, 0);
    int nomem = 0, ok = 0;
    for (size_t k = 1; k < 200; k++) {
        counting f = {0, 0, k};
        hdump_alloc fa = {c_alloc, c_realloc, c_free, &f};
        o.reader.alloc = &fa;
        hdump_status st = hdump_validate_path(&o, path, &v);
        if (st == HDUMP_ERR_NOMEM) {
            nomem++;
            T_EQ(v.findings, NULL);
        } else {
            T_EQ(st, HDUMP_OK);
            ok++;
            hdump_validation_free(&v);
        }
        T_EQ(f.live, 0);
    }
    T_TRUE(nomem > 0);
    T_TRUE(ok > 0);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_validate CORPUS_DIR\n");
        return 2;
    }
    corpus = argv[1];
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) test_real(&reals[i]);
    test_prefixes("sample_go1.23.5", 7);
    test_prefixes("heapgen_go1.19.8_small", 13);
    test_clean();
    test_objects();
    test_fields();
    test_pointers();
    test_frames();
    test_links();
    test_records();
    test_go13();
    test_go122();
    test_alloc();
    return t_done();
}
