/* tests/unit/test_record_copy.c: hdump_record_copy and
 * hdump_record_struct_size: every tag of every version copied, checked
 * equal, checked to own its data (the source's memory is then wiped), sized
 * exactly (one byte short is refused and writes nothing); streamed ranges,
 * bitmap field lists, memprof stacks, impossible counts and bad arguments;
 * and hdump_gen_stable, the generator range such copies may keep pointing
 * into. */
#include "recgen.h"
#include "t.h"

#define CAP (1u << 20)

static recgen_arena arena, scratch;
static uint64_t buf[CAP / 8 + 1];

/* 1 when p lies in the copy's buffer [buf, buf + used). */
static int inside(const void *p, size_t used) {
    const uint8_t *b = (const uint8_t *)buf;
    return (const uint8_t *)p >= b && (const uint8_t *)p <= b + used;
}

/* Every view the version stores points into the copy (or stays NULL). */
static int views_inside(hdump_version v, const hdump_record *c, size_t used) {
    const hdump_bytes *b[4] = {NULL, NULL, NULL, NULL};
    const hdump_fields *f = NULL;
    switch (c->tag) {
    case HDUMP_TAG_OBJECT:
        b[0] = &c->u.object.contents;
        if (v != HDUMP_GO1_3) f = &c->u.object.fields;
        break;
    case HDUMP_TAG_OTHERROOT: b[0] = &c->u.otherroot.description; break;
    case HDUMP_TAG_TYPE:
        b[0] = &c->u.type.name;
        if (v == HDUMP_GO1_3) f = &c->u.type.fields;
        break;
    case HDUMP_TAG_GOROUTINE: b[0] = &c->u.goroutine.wait_reason; break;
    case HDUMP_TAG_STACKFRAME:
        b[0] = &c->u.frame.contents;
        b[1] = &c->u.frame.name;
        f = &c->u.frame.fields;
        break;
    case HDUMP_TAG_PARAMS:
        b[0] = &c->u.params.experiment;
        if (v == HDUMP_GO1_7) b[1] = &c->u.params.arch;
        break;
    case HDUMP_TAG_DATA:
    case HDUMP_TAG_BSS:
        b[0] = &c->u.segment.contents;
        f = &c->u.segment.fields;
        break;
    case HDUMP_TAG_MEMPROF: {
        const hdump_memprof *m = &c->u.memprof;
        if (m->nstk && !inside(m->stack, used)) return 0;
        for (uint64_t i = 0; i < m->nstk; i++)
            if (!inside(m->stack[i].func.ptr, used) || !inside(m->stack[i].file.ptr, used))
                return 0;
        break;
    }
    default: break;
    }
    for (int i = 0; i < 4; i++)
        if (b[i] != NULL && b[i]->ptr != NULL && !inside(b[i]->ptr, used)) return 0;
    if (f != NULL && f->items != NULL && !inside(f->items, used)) return 0;
    return 1;
}

/* Every tag of every version: sized, refused one byte short, copied equal,
 * and still equal once the source's memory is wiped. */
static void test_every_tag(void) {
    size_t bad = 0, cases = 0;
    for (int v = HDUMP_GO1_3; v <= HDUMP_GO1_7; v++) {
        for (int tag = 0; tag < HDUMP_TAG_COUNT; tag++) {
            for (uint64_t seed = 1; seed <= 40; seed++) {
                hdump_record src, want;
                scratch = arena;
                recgen_record(&src, (hdump_version)v, (hdump_tag)tag, seed, &scratch);
                recgen_record(&want, (hdump_version)v, (hdump_tag)tag, seed, &arena);
                size_t need = 0, used = 0;
                int ok = hdump_record_copy((hdump_version)v, &src, NULL, 0, &need) ==
                         (need == 0 ? HDUMP_OK : HDUMP_ERR_LIMIT);
                ok = ok && need >= hdump_record_struct_size((uint64_t)tag) && need % 8 == 0 &&
                     need <= CAP;
                /* one byte short: refused, nothing written */
                memset(buf, 0xa5, sizeof buf);
                ok = ok && hdump_record_copy((hdump_version)v, &src, buf, need - 1, &used) ==
                               HDUMP_ERR_LIMIT &&
                     used == need;
                const uint8_t *bb = (const uint8_t *)buf;
                for (size_t i = 0; ok && i < need; i++) ok = bb[i] == 0xa5;
                ok = ok && hdump_record_copy((hdump_version)v, &src, buf, need, &used) == HDUMP_OK &&
                     used == need;
                const hdump_record *c = (const hdump_record *)(const void *)buf;
                ok = ok && c->tag == (hdump_tag)tag && hdump_record_equal((hdump_version)v, c, &src) &&
                     views_inside((hdump_version)v, c, used);
                memset(&scratch, 0x5a, sizeof scratch); /* the source's data is gone */
                memset(&src, 0x5a, sizeof src);
                ok = ok && hdump_record_equal((hdump_version)v, c, &want);
                cases++;
                if (!ok && bad++ < 5)
                    fprintf(stderr, "copy: version %d tag %d seed %" PRIu64 " wrong\n", v, tag,
                            seed);
            }
        }
    }
    T_EQ(bad, 0);
    T_EQ(cases, 5u * HDUMP_TAG_COUNT * 40);
}

/* A streamed range stays {NULL, len}; a bitmap list is copied as its bytes. */
static void test_streamed_and_bitmaps(void) {
    hdump_record r;
    memset(&r, 0, sizeof r);
    r.tag = HDUMP_TAG_OBJECT;
    r.u.object.addr = 0xc000010000;
    r.u.object.contents.len = 1u << 30; /* streamed: nothing to copy */
    uint8_t bits[3] = {0x81, 0xff, 0x05};
    hdump_field unused = {1, 8};
    r.u.object.fields.items = &unused;
    r.u.object.fields.bitmap = bits;
    r.u.object.fields.nwords = 20; /* BITMAP1: 3 bytes */
    r.u.object.fields.form = HDUMP_FIELDS_BITMAP1;
    size_t used;
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &r, buf, CAP, &used), HDUMP_OK);
    const hdump_record *c = (const hdump_record *)(const void *)buf;
    T_EQ(used, hdump_record_struct_size(HDUMP_TAG_OBJECT) + 8);
    T_TRUE(c->u.object.contents.ptr == NULL);
    T_EQ(c->u.object.contents.len, 1u << 30);
    T_TRUE(c->u.object.fields.items == NULL);
    T_TRUE(inside(c->u.object.fields.bitmap, used));
    T_EQ(memcmp(c->u.object.fields.bitmap, bits, 3), 0);
    T_EQ(c->u.object.fields.nwords, 20);
    T_EQ(c->u.object.fields.form, HDUMP_FIELDS_BITMAP1);
    /* 2 bits a word: 9 words are 3 bytes */
    r.u.object.fields.form = HDUMP_FIELDS_BITMAP2_GO14;
    r.u.object.fields.nwords = 9;
    T_EQ(hdump_record_copy(HDUMP_GO1_4, &r, buf, CAP, &used), HDUMP_OK);
    T_EQ(used, hdump_record_struct_size(HDUMP_TAG_OBJECT) + 8);
    T_EQ(memcmp(c->u.object.fields.bitmap, bits, 3), 0);
    /* the writer takes both the copy and the source to the same bytes */
    hdump_membuf a, b;
    hdump_membuf_init(&a, NULL);
    hdump_membuf_init(&b, NULL);
    r.u.object.contents.len = 0;
    T_EQ(hdump_record_copy(HDUMP_GO1_4, &r, buf, CAP, &used), HDUMP_OK);
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = HDUMP_GO1_4;
    hdump_writer *w;
    T_EQ(hdump_writer_new(&o, hdump_sink_membuf(&a), &w), HDUMP_OK);
    T_EQ(hdump_writer_put(w, &r), HDUMP_OK);
    T_EQ(hdump_writer_finish(w), HDUMP_OK);
    hdump_writer_free(w);
    T_EQ(hdump_writer_new(&o, hdump_sink_membuf(&b), &w), HDUMP_OK);
    T_EQ(hdump_writer_put(w, c), HDUMP_OK);
    T_EQ(hdump_writer_finish(w), HDUMP_OK);
    hdump_writer_free(w);
    T_TRUE(a.len > 16 && a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    hdump_membuf_free(&a);
    hdump_membuf_free(&b);
}

/* Counts no buffer can hold, counts with nothing behind them, bad calls. */
static void test_limits_and_usage(void) {
    hdump_record r;
    size_t used = 7;
    memset(&r, 0, sizeof r);
    r.tag = HDUMP_TAG_OBJECT;
    hdump_field f = {1, 0};
    r.u.object.fields.items = &f;
    r.u.object.fields.count = UINT64_MAX / 2;
    memset(buf, 0xa5, 64);
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &r, buf, CAP, &used), HDUMP_ERR_LIMIT);
    T_EQ(used, SIZE_MAX);
    T_EQ(((const uint8_t *)buf)[0], 0xa5);
    r.u.object.fields.items = NULL; /* a count and no items */
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &r, buf, CAP, &used), HDUMP_ERR_USAGE);
    T_EQ(used, 0);
    memset(&r, 0, sizeof r);
    r.tag = HDUMP_TAG_MEMPROF;
    hdump_memprof_frame fr;
    memset(&fr, 0, sizeof fr);
    r.u.memprof.stack = &fr;
    r.u.memprof.nstk = UINT64_MAX;
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &r, buf, CAP, &used), HDUMP_ERR_LIMIT);
    T_EQ(used, SIZE_MAX);
    r.u.memprof.stack = NULL;
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &r, buf, CAP, &used), HDUMP_ERR_USAGE);
    r.u.memprof.nstk = 0;
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &r, buf, CAP, &used), HDUMP_OK);
    T_EQ(used, hdump_record_struct_size(HDUMP_TAG_MEMPROF));
    /* bad arguments */
    T_EQ(hdump_record_copy(HDUMP_GO1_7, NULL, buf, CAP, &used), HDUMP_ERR_USAGE);
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &r, buf, CAP, NULL), HDUMP_ERR_USAGE);
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &r, NULL, CAP, &used), HDUMP_ERR_USAGE);
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &r, (uint8_t *)buf + 4, CAP - 8, &used), HDUMP_ERR_USAGE);
    T_EQ(hdump_record_copy((hdump_version)8, &r, buf, CAP, &used), HDUMP_ERR_USAGE);
    /* an object (the one-pass path, taken before any grammar lookup) too */
    hdump_record ob;
    memset(&ob, 0, sizeof ob);
    ob.tag = HDUMP_TAG_OBJECT;
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &ob, buf, CAP, &used), HDUMP_OK);
    T_EQ(hdump_record_copy((hdump_version)8, &ob, buf, CAP, &used), HDUMP_ERR_USAGE);
    T_EQ(hdump_record_copy((hdump_version)2, &ob, buf, CAP, &used), HDUMP_ERR_USAGE);
    r.tag = (hdump_tag)18;
    T_EQ(hdump_record_copy(HDUMP_GO1_7, &r, buf, CAP, &used), HDUMP_ERR_USAGE);
    T_EQ(used, 0);
}

/* struct sizes: the header, plus exactly the tag's member. */
static void test_struct_size(void) {
    size_t h = offsetof(hdump_record, u);
    T_EQ(hdump_record_struct_size(HDUMP_TAG_EOF), h);
    T_EQ(hdump_record_struct_size(HDUMP_TAG_OBJECT), h + sizeof(hdump_object));
    T_EQ(hdump_record_struct_size(HDUMP_TAG_MEMSTATS), sizeof(hdump_record));
    T_EQ(hdump_record_struct_size(HDUMP_TAG_QUEUEDFINALIZER), h + sizeof(hdump_finalizer));
    T_EQ(hdump_record_struct_size(HDUMP_TAG_ALLOCSAMPLE), h + sizeof(hdump_allocsample));
    T_EQ(hdump_record_struct_size(18), 0);
    T_EQ(hdump_record_struct_size(UINT64_MAX), 0);
}

/* hdump_gen_stable: pointer-free object contents are windows on it, and
 * such views stay unchanged after the generator moves on. */
static void test_gen_stable(void) {
    hdump_bytes none = hdump_gen_stable(NULL);
    T_TRUE(none.ptr == NULL && none.len == 0);
    hdump_gen_opts o;
    hdump_gen_opts_init(&o);
    o.objects = 20000;
    hdump_gen *g;
    T_EQ(hdump_gen_new(&o, &g), HDUMP_OK);
    hdump_bytes st = hdump_gen_stable(g);
    T_TRUE(st.ptr != NULL && st.len >= 4096);
    uint8_t *snap = malloc((size_t)st.len);
    T_TRUE(snap != NULL);
    memcpy(snap, st.ptr, (size_t)st.len);
    hdump_record rec;
    uint64_t windows = 0, others = 0;
    hdump_bytes kept = {NULL, 0};
    while (hdump_gen_next(g, &rec) == HDUMP_OK) {
        if (rec.tag != HDUMP_TAG_OBJECT || rec.u.object.contents.len == 0) continue;
        const uint8_t *p = rec.u.object.contents.ptr;
        if (p >= st.ptr && p + rec.u.object.contents.len <= st.ptr + st.len) {
            windows++;
            if (kept.ptr == NULL) kept = rec.u.object.contents;
        } else {
            others++;
        }
    }
    T_TRUE(windows > 1000 && others > 1000); /* the mixed profile has both */
    T_EQ(memcmp(snap, st.ptr, (size_t)st.len), 0);
    T_TRUE(kept.ptr != NULL && memcmp(kept.ptr, snap + (kept.ptr - st.ptr), (size_t)kept.len) == 0);
    free(snap);
    hdump_gen_free(g);
}

int main(void) {
    recgen_arena_init(&arena, 7);
    test_every_tag();
    test_streamed_and_bitmaps();
    test_limits_and_usage();
    test_struct_size();
    test_gen_stable();
    return t_done();
}
