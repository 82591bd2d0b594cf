/* tests/util/t.h: a tiny assertion harness. Each test binary prints
 * "N passed, N failed" and exits non-zero if anything failed. */
#ifndef HDUMP_TESTS_T_H
#define HDUMP_TESTS_T_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_pass, t_fail;

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
