/* tests/util/tdump.h: inputs and record lists for the tests that compare two
 * ways of reading (test_scan, test_reader_batch): generated dumps, dumps of
 * long field lists, random damage, and a list of record digests. */
#ifndef HDUMP_TESTS_TDUMP_H
#define HDUMP_TESTS_TDUMP_H

#include "t.h"

/* Record digests (digest.h) and the index each record was given. */
typedef struct t_rlist {
    uint64_t *h;
    uint64_t *idx;
    size_t n, cap;
} t_rlist;

static inline void t_rl_push(t_rlist *l, uint64_t h, uint64_t idx) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->h = realloc(l->h, l->cap * sizeof *l->h);
        l->idx = realloc(l->idx, l->cap * sizeof *l->idx);
        if (l->h == NULL || l->idx == NULL) abort();
    }
    l->h[l->n] = h;
    l->idx[l->n] = idx;
    l->n++;
}

static inline void t_rl_free(t_rlist *l) {
    free(l->h);
    free(l->idx);
    memset(l, 0, sizeof *l);
}

/* The header's version, or go1.7 when the header is bad. */
static inline int t_version_of(const uint8_t *d, size_t n) {
    hdump_reader *r;
    hdump_version v = HDUMP_GO1_7;
    if ((hdump_reader_new_mem)(NULL, d, n, &r) != HDUMP_OK) abort();
    if (hdump_reader_version(r, &v) != HDUMP_OK) v = HDUMP_GO1_7;
    hdump_reader_free(r);
    return (int)v;
}

/* A generated dump (hdump/gen.h) of version v. */
static inline hdump_membuf t_gen_dump(hdump_version v, hdump_gen_profile p, uint64_t objects,
                                      uint64_t seed) {
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    go.objects = objects;
    go.seed = seed;
    go.profile = p;
    go.version = v;
    hdump_gen *g;
    if (hdump_gen_new(&go, &g) != HDUMP_OK) abort();
    hdump_writer_opts wo;
    t_writer_opts_init(&wo);
    wo.version = v;
    hdump_writer *w;
    if (hdump_writer_new(&wo, hdump_sink_membuf(&m), &w) != HDUMP_OK) abort();
    if (hdump_gen_write(g, w) != HDUMP_OK) abort();
    hdump_writer_free(w);
    hdump_gen_free(g);
    return m;
}

/* Gives fn each real dump named in argv[1..argc) (generated 0), then a
 * generated goroutines dump of every version, go1.3 to go1.7, seeds seed,
 * seed + 1, ... (generated 1). */
typedef void (*t_input_fn)(const char *name, const uint8_t *d, size_t n, int generated);
static inline void t_each_input(int argc, char **argv, uint64_t seed, t_input_fn fn) {
    for (int i = 1; i < argc; i++) {
        size_t n;
        uint8_t *d = t_read_file(argv[i], &n);
        fn(argv[i], d, n, 0);
        free(d);
    }
    static const hdump_version vs[] = {HDUMP_GO1_3, HDUMP_GO1_4, HDUMP_GO1_5, HDUMP_GO1_6,
                                       HDUMP_GO1_7};
    char name[96];
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        hdump_membuf m = t_gen_dump(vs[i], HDUMP_GEN_GOROUTINES, 3000, seed + i);
        snprintf(name, sizeof name, "gen go1.%d goroutines", (int)vs[i] + 2);
        fn(name, m.data, m.len, 1);
        hdump_membuf_free(&m);
    }
}

/* A go1.7 dump of objects whose field lists have 0 to maxf entries (one in
 * eight; the others fewer than 12), random kinds, offsets and lengths. */
static inline hdump_membuf t_fields_dump(uint64_t objects, size_t maxf, uint64_t *rng) {
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    hdump_writer *w;
    if (maxf > 1000 || hdump_writer_new(t_wo(NULL), hdump_sink_membuf(&m), &w) != HDUMP_OK)
        abort();
    static hdump_field fl[1000];
    static uint8_t contents[8 * 1000 + 72];
    uint64_t addr = 0xc000100000ULL;
    for (uint64_t i = 0; i < objects; i++) {
        size_t nf = t_rand(rng) % 8 == 0 ? (size_t)(t_rand(rng) % (maxf + 1))
                                         : (size_t)(t_rand(rng) % 12);
        for (size_t j = 0; j < nf; j++) {
            fl[j].kind = 1 + t_rand(rng) % 3;
            fl[j].offset = 8 * j + t_rand(rng) % 8;
        }
        size_t len = 8 * nf + 8 + (size_t)(t_rand(rng) % 64);
        hdump_fields f = {fl, nf, NULL, 0, HDUMP_FIELDS_LIST};
        if (hdump_writer_put_object(w, addr, contents, len, &f) != HDUMP_OK) abort();
        addr += len + 16;
    }
    if (hdump_writer_finish(w) != HDUMP_OK) abort();
    hdump_writer_free(w);
    return m;
}

/* Random damage into m (room for n + 64 bytes): one or two bytes changed
 * (kinds 0, 1), a truncation (2), or trailing bytes (3). Returns the length. */
static inline size_t t_mutate(uint8_t *m, const uint8_t *d, size_t n, uint64_t *rng, int *kind) {
    memcpy(m, d, n);
    size_t len = n;
    *kind = (int)(t_rand(rng) % 4);
    if (*kind == 0 || *kind == 1) {
        m[t_rand(rng) % n] = (uint8_t)t_rand(rng);
        if (*kind == 1) m[t_rand(rng) % n] ^= (uint8_t)(1u << (t_rand(rng) % 8));
    } else if (*kind == 2) {
        len = (size_t)(t_rand(rng) % n);
    } else {
        size_t k = 1 + (size_t)(t_rand(rng) % 63);
        for (size_t j = 0; j < k; j++) m[n + j] = (uint8_t)t_rand(rng);
        len = n + k;
    }
    return len;
}

#endif
