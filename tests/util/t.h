/* tests/util/t.h: a tiny assertion harness. Each test binary prints
 * "N passed, N failed" and exits non-zero if anything failed. */
#ifndef HDUMP_TESTS_T_H
#define HDUMP_TESTS_T_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdump/hdump.h"

static int t_pass, t_fail;

/* ---- HDUMP_KERNEL: `make check` runs the suite once per kernel. The library
 * never reads the environment, so every test passes the kernel on: option
 * initialisers and NULL options are routed through these wrappers. ---- */
static inline const char *t_kernel(void) {
    const char *k = getenv("HDUMP_KERNEL");
    return k && *k ? k : NULL;
}
static inline void t_reader_opts_init(hdump_reader_opts *o) {
    (hdump_reader_opts_init)(o);
    o->kernel = t_kernel();
}
static inline void t_writer_opts_init(hdump_writer_opts *o) {
    (hdump_writer_opts_init)(o);
    o->kernel = t_kernel();
}
static inline void t_validate_opts_init(hdump_validate_opts *o) {
    (hdump_validate_opts_init)(o);
    o->reader.kernel = t_kernel();
}
static inline const hdump_reader_opts *t_ro(const hdump_reader_opts *o) {
    static hdump_reader_opts d;
    if (o != NULL) return o;
    t_reader_opts_init(&d);
    return &d;
}
static inline const hdump_writer_opts *t_wo(const hdump_writer_opts *o) {
    static hdump_writer_opts d;
    if (o != NULL) return o;
    t_writer_opts_init(&d);
    return &d;
}
static inline const hdump_validate_opts *t_vo(const hdump_validate_opts *o) {
    static hdump_validate_opts d;
    if (o != NULL) return o;
    t_validate_opts_init(&d);
    return &d;
}
#define hdump_reader_opts_init t_reader_opts_init
#define hdump_writer_opts_init t_writer_opts_init
#define hdump_validate_opts_init t_validate_opts_init
#define hdump_reader_new_mem(o, ...) (hdump_reader_new_mem)(t_ro(o), __VA_ARGS__)
#define hdump_reader_new_mmap(o, ...) (hdump_reader_new_mmap)(t_ro(o), __VA_ARGS__)
#define hdump_reader_new_fd(o, ...) (hdump_reader_new_fd)(t_ro(o), __VA_ARGS__)
#define hdump_reader_new_file(o, ...) (hdump_reader_new_file)(t_ro(o), __VA_ARGS__)
#define hdump_reader_new_source(o, ...) (hdump_reader_new_source)(t_ro(o), __VA_ARGS__)
#define hdump_writer_new(o, ...) (hdump_writer_new)(t_wo(o), __VA_ARGS__)
#define hdump_validate_mem(o, ...) (hdump_validate_mem)(t_vo(o), __VA_ARGS__)
#define hdump_validate_path(o, ...) (hdump_validate_path)(t_vo(o), __VA_ARGS__)

#define T_CHECK(cond, ...)                                                    \
    do {                                                                      \
        if (cond) {                                                           \
            t_pass++;                                                         \
        } else {                                                              \
            t_fail++;                                                         \
            fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                     \
            fprintf(stderr, "\n");                                            \
        }                                                                     \
    } while (0)

#define T_EQ(a, b)                                                            \
    do {                                                                      \
        uint64_t t_a_ = (uint64_t)(a), t_b_ = (uint64_t)(b);                  \
        T_CHECK(t_a_ == t_b_, "%s = %" PRIu64 " (0x%" PRIx64 "), want %" PRIu64 \
                " (0x%" PRIx64 ")", #a, t_a_, t_a_, t_b_, t_b_);              \
    } while (0)

#define T_TRUE(c) T_CHECK((c), "expected true")

static inline int t_done(void) {
    printf("%d passed, %d failed\n", t_pass, t_fail);
    return t_fail ? 1 : 0;
}

/* xorshift64: a repeatable stream of test values from *state (non-zero). */
static inline uint64_t t_rand(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Reads a whole file into malloc'd memory; exits the test on failure. */
static inline uint8_t *t_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    size_t cap = 1 << 20, n = 0;
    uint8_t *d = malloc(cap);
    size_t k;
    while (d && (k = fread(d + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) d = realloc(d, cap *= 2);
    }
    fclose(f);
    if (d == NULL) exit(2);
    *len = n;
    return d;
}

#endif
