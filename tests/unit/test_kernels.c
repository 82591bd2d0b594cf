/* tests/unit/test_kernels.c: every varint kernel this CPU can run, byte for
 * byte against the scalar reference (house-style 7.7): edge values, every
 * encoded length, every batch size 0..200 (all tail lengths of 8/16/32/64
 * wide steps), seeded random mixes, the slop contract (canaries past
 * 10*n + HDUMP_VARINT_SLOP; decoder input ending at a PROT_NONE guard page),
 * malformed and truncated runs (same status and offset as scalar through
 * hdump_varint_decode), over-long encodings. Kernels this CPU cannot run are
 * reported as skipped and must be refused with HDUMP_ERR_UNSUPPORTED. */
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS */
#include <sys/mman.h>
#include <unistd.h>

#include "hdump/hdump.h"
#include "t.h"

#if defined(HDUMP_STATIC_DEFINE)
/* Static builds can also call the raw kernels, so that a kernel which fails a
 * good run (hidden by hdump_varint_decode's scalar redo) is caught. */
#include "common/kernels.h"
#define HAVE_RAW 1
#else
#define HAVE_RAW 0
#endif

#define MAXN 20000
#define CANARY 0xA5

static uint64_t rng_state = 0x243f6a8885a308d3ULL;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* An independent reference (Go's binary.PutUvarint / binary.Uvarint). */
static size_t ref_put(uint8_t *p, uint64_t v) {
    size_t i = 0;
    for (; v >= 0x80; v >>= 7) p[i++] = (uint8_t)(v | 0x80);
    p[i++] = (uint8_t)v;
    return i;
}
/* Length; 0 when avail ends inside the value; -1 when malformed: 10 bytes
 * without an end, or a 10th byte > 1 (docs/format.md 1.1, varint.h). */
static int ref_get(const uint8_t *p, size_t avail, uint64_t *v) {
    uint64_t x = 0;
    for (size_t i = 0; i < avail && i < 10; i++) {
        uint8_t b = p[i];
        if (i == 9 && b > 1) return -1;
        x |= (uint64_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            *v = x;
            return (int)i + 1;
        }
    }
    return avail >= 10 ? -1 : 0;
}

/* Buffers: encode output (+ canary zone), reference output, decoded values,
 * and the guarded input region (data placed to end at the guard page). */
static uint8_t *enc_buf, *ref_buf;
static uint64_t *dec_buf, *ref_dec;
static uint8_t *guard_lo; /* start of the readable region */
static size_t guard_len;  /* its size; guard_lo + guard_len is PROT_NONE */
static const char *cur;   /* kernel under test */

static uint8_t *at_guard(const uint8_t *p, size_t len) {
    if (len > guard_len) {
        fprintf(stderr, "guard region too small\n");
        exit(2);
    }
    uint8_t *q = guard_lo + guard_len - len;
    if (len) memcpy(q, p, len);
    return q;
}

static size_t scalar_enc(const uint64_t *v, size_t n, uint8_t *out) {
    size_t w = 0;
    hdump_status st = hdump_varint_encode("scalar", out, v, n, &w);
    if (st != HDUMP_OK) exit(3);
    return w;
}

/* Encodes v[0..n) with the kernel under test and with scalar, compares, and
 * decodes it back from the guard page, both through the public call and
 * (static builds) the raw kernel. */
static void check_vals(const uint64_t *v, size_t n, const char *what) {
    size_t bound = 10 * n + HDUMP_VARINT_SLOP;
    size_t wr = scalar_enc(v, n, ref_buf);
    memset(enc_buf, CANARY, bound + 256);
    size_t wk = (size_t)-1;
    hdump_status st = hdump_varint_encode(cur, enc_buf, v, n, &wk);
    T_CHECK(st == HDUMP_OK && wk == wr, "%s %s n=%zu: encode st=%d len %zu, scalar %zu", cur, what,
            n, (int)st, wk, wr);
    if (wk != wr) return;
    T_CHECK(memcmp(enc_buf, ref_buf, wr) == 0, "%s %s n=%zu: bytes differ from scalar", cur, what,
            n);
    /* The contract: nothing at or past 10*n + SLOP. This tree's kernels also
     * leave [10*n, ...) alone (writer/writer.c's memstats path needs that). */
    size_t first = 10 * n, bad = 0;
    for (size_t i = first; i < bound + 256; i++) bad += enc_buf[i] != CANARY;
    T_CHECK(bad == 0, "%s %s n=%zu: %zu bytes written at or past 10*n", cur, what, n, bad);

    /* Decode from the end of the readable region: any over-read faults. */
    const uint8_t *in = at_guard(ref_buf, wr);
    size_t used = (size_t)-1;
    for (size_t i = 0; i < n; i++) dec_buf[i] = ~v[i];
    st = hdump_varint_decode(cur, dec_buf, n, in, wr, &used);
    T_CHECK(st == HDUMP_OK && used == wr, "%s %s n=%zu: decode st=%d used %zu, want %zu", cur,
            what, n, (int)st, used, wr);
    T_CHECK(n == 0 || memcmp(dec_buf, v, n * sizeof *v) == 0, "%s %s n=%zu: values differ", cur,
            what, n);
#if HAVE_RAW
    const hdi_varint_kernel *k;
    if (n > 0 && hdi_varint_pick(cur, &k) == HDUMP_OK) {
        size_t u = k->decode(dec_buf, n, in, wr);
        T_CHECK(u == wr, "%s %s n=%zu: raw decode %zu, want %zu", cur, what, n, u, wr);
        T_CHECK(memcmp(dec_buf, v, n * sizeof *v) == 0, "%s %s n=%zu: raw values differ", cur,
                what, n);
    }
#endif
    /* A prefix of the run: bytes after the last value wanted are ignored. */
    if (n >= 2) {
        size_t h = n / 2, hw = scalar_enc(v, h, ref_buf);
        in = at_guard(enc_buf, wr);
        st = hdump_varint_decode(cur, dec_buf, h, in, wr, &used);
        T_CHECK(st == HDUMP_OK && used == hw, "%s %s n=%zu: prefix %zu used %zu want %zu", cur,
                what, n, h, used, hw);
        T_CHECK(memcmp(dec_buf, v, h * sizeof *v) == 0, "%s %s: prefix values differ", cur, what);
    }
}

/* Decodes n values from in[0..len) with the kernel and with scalar (both
 * through hdump_varint_decode) and requires the same status, offset and
 * values. */
static void check_decode_same(const uint8_t *bytes, size_t len, size_t n, const char *what) {
    const uint8_t *in = at_guard(bytes, len);
    size_t us = (size_t)-2, uk = (size_t)-3;
    hdump_status ss = hdump_varint_decode("scalar", ref_dec, n, in, len, &us);
    hdump_status sk = hdump_varint_decode(cur, dec_buf, n, in, len, &uk);
    T_CHECK(ss == sk && us == uk, "%s %s n=%zu len=%zu: st %d/%zu, scalar %d/%zu", cur, what, n,
            len, (int)sk, uk, (int)ss, us);
    size_t good = n;
    if (ss != HDUMP_OK) { /* values before the bad one are kept */
        good = 0;
        for (size_t off = 0; off < us; good++) {
            uint64_t x;
            int r = ref_get(in + off, len - off, &x);
            off += (size_t)r;
        }
    }
    T_CHECK(memcmp(dec_buf, ref_dec, good * sizeof *dec_buf) == 0, "%s %s: values differ", cur,
            what);
#if HAVE_RAW
    const hdi_varint_kernel *k;
    if (n > 0 && hdi_varint_pick(cur, &k) == HDUMP_OK) {
        size_t u = k->decode(dec_buf, n, in, len);
        T_CHECK(u == (ss == HDUMP_OK ? us : 0), "%s %s: raw decode %zu (scalar st %d used %zu)",
                cur, what, u, (int)ss, us);
    }
#endif
}

/* ---- value sets ---- */

static uint64_t vals[MAXN];

static uint64_t heap_mix(void) {
    uint64_t r = rnd(), c = r % 100;
    if (c < 70) return (r >> 8) & 0x7f;
    if (c < 80) return 128 + ((r >> 8) % (16384 - 128));
    return 0xc000000000ULL + ((r >> 8) & 0xffffffffffULL); /* 5-6 byte addresses */
}
static uint64_t all_small(void) { return rnd() & 0x7f; }
static uint64_t uni32(void) { return rnd() >> 32; }
static uint64_t uni64(void) { return rnd(); }
static uint64_t any_len(void) { /* encoded length uniform in 1..10 */
    unsigned len = (unsigned)(rnd() % 10) + 1;
    uint64_t lo = len == 1 ? 0 : 1ULL << (7 * (len - 1));
    uint64_t hi = len == 10 ? UINT64_MAX : (1ULL << (7 * len)) - 1;
    return lo + rnd() % (hi - lo + (hi != UINT64_MAX)) ;
}
static uint64_t mostly_small(void) { /* long 1-byte runs broken by rare big values */
    uint64_t r = rnd();
    return r % 37 == 0 ? r >> (r % 64) : r & 0x7f;
}

static uint64_t go_mix(void) { /* real Go dumps: 84.5% 1 byte, 1.3% 2, 2.2% 3, 11.7% 6 */
    uint64_t r = rnd(), c = r % 1000, q = r >> 20;
    if (c < 845) return q & 0x7f;
    if (c < 858) return 128 + q % (16384 - 128);
    if (c < 880) return 16384 + q % ((1ULL << 21) - 16384);
    if (c < 883) return (1ULL << 21) + q % ((1ULL << 28) - (1ULL << 21));
    return 0xc000000000ULL + (q & 0x3fffffffULL) * 8;
}

/* Encoded length uniform in 1..max: sizes, counts and offsets (max 3, the
 * bench's len123), the longest values AVX-512's dec16 takes (4), and runs
 * it must leave to the table steps now and then (5). */
static uint64_t len_upto(unsigned max) {
    unsigned len = (unsigned)(rnd() % max) + 1;
    uint64_t lo = len == 1 ? 0 : 1ULL << (7 * (len - 1)), hi = (1ULL << (7 * len)) - 1;
    return lo + rnd() % (hi - lo + 1);
}
static uint64_t len123(void) { return len_upto(3); }
static uint64_t len1234(void) { return len_upto(4); }
static uint64_t len1to5(void) { return len_upto(5); }

static const struct {
    const char *name;
    uint64_t (*gen)(void);
} mixes[] = {{"len123", len123},     {"len1-4", len1234},    {"len1-5", len1to5},{"heap", heap_mix},       {"small", all_small},   {"u32", uni32},
             {"u64", uni64},           {"anylen", any_len},    {"mostly-small", mostly_small},
             {"gomix", go_mix}};
#define NMIX (sizeof mixes / sizeof *mixes)

static size_t edge_values(uint64_t *v) {
    size_t n = 0;
    v[n++] = 0;
    v[n++] = 1;
    v[n++] = 127;
    v[n++] = 128;
    for (unsigned k = 1; k < 64; k++) {
        v[n++] = (1ULL << k) - 1;
        v[n++] = 1ULL << k;
        v[n++] = (1ULL << k) + 1;
    }
    v[n++] = 1ULL << 63;
    v[n++] = UINT64_MAX;
    v[n++] = UINT64_MAX - 1;
    for (unsigned len = 1; len <= 10; len++) { /* both ends of every encoded length */
        v[n++] = len == 1 ? 0 : 1ULL << (7 * (len - 1));
        v[n++] = len == 10 ? UINT64_MAX : (1ULL << (7 * len)) - 1;
    }
    return n;
}

static void test_values(void) {
    static uint64_t edge[256], tmp[256];
    size_t ne = edge_values(edge);
    check_vals(edge, ne, "edge");
    for (size_t i = 0; i < ne; i++) check_vals(&edge[i], 1, "edge-one");
    /* Each edge value at every lane position of a 64-wide step, among small
     * and among big neighbours. */
    for (size_t i = 0; i < ne; i++) {
        for (size_t at = 0; at < 72; at += 1) {
            size_t n = at + 1 + (at % 9);
            for (size_t j = 0; j < n; j++) tmp[j] = (at & 1) ? UINT64_MAX >> (j % 64) : j & 0x7f;
            tmp[at] = edge[i];
            check_vals(tmp, n, "edge-pos");
        }
    }
    /* Every batch size 0..200 for every mix, at several offsets. */
    for (size_t m = 0; m < NMIX; m++) {
        for (size_t n = 0; n <= 200; n++) {
            for (size_t i = 0; i < n; i++) vals[i] = mixes[m].gen();
            check_vals(vals, n, mixes[m].name);
        }
    }
    /* Long runs, fixed seed. */
    for (size_t m = 0; m < NMIX; m++) {
        for (int rep = 0; rep < 4; rep++) {
            size_t n = rep == 0 ? MAXN : 1000 + (size_t)(rnd() % 4000);
            for (size_t i = 0; i < n; i++) vals[i] = mixes[m].gen();
            check_vals(vals, n, mixes[m].name);
        }
    }
}

/* ---- bad input ---- */

static uint8_t bad_buf[4096];

static void test_bad(void) {
    static const uint8_t over11[11] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0x01};
    static const uint8_t tenth2[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02};
    static const uint8_t tenth80[10] = {0x80, 0x80, 0x80, 0x80, 0x80,
                                        0x80, 0x80, 0x80, 0x80, 0x80};
    static const uint8_t max10[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    static const struct {
        const uint8_t *b;
        size_t len;
        const char *name;
    } bads[] = {{over11, 11, "11-byte"}, {tenth2, 10, "10th=0x02"}, {tenth80, 10, "10th=0x80"}};
    /* The bad value after `pre` valid values of each mix (so it falls at
     * every window position), followed by good values. */
    for (size_t b = 0; b < sizeof bads / sizeof *bads; b++) {
        for (size_t m = 0; m < NMIX; m++) {
            for (size_t pre = 0; pre < 80; pre++) {
                size_t len = 0;
                for (size_t i = 0; i < pre; i++) len += ref_put(bad_buf + len, mixes[m].gen());
                memcpy(bad_buf + len, bads[b].b, bads[b].len);
                len += bads[b].len;
                size_t post = (size_t)(rnd() % 70);
                for (size_t i = 0; i < post; i++) len += ref_put(bad_buf + len, mixes[m].gen());
                check_decode_same(bad_buf, len, pre + 1 + post, bads[b].name);
            }
        }
    }
    /* Bad value last, ending at the guard page. */
    for (size_t b = 0; b < sizeof bads / sizeof *bads; b++) {
        for (size_t pre = 0; pre < 80; pre++) {
            size_t len = 0;
            for (size_t i = 0; i < pre; i++) len += ref_put(bad_buf + len, heap_mix());
            memcpy(bad_buf + len, bads[b].b, bads[b].len);
            len += bads[b].len;
            check_decode_same(bad_buf, len, pre + 1, bads[b].name);
            check_decode_same(bad_buf, len, pre + 2, bads[b].name);
        }
    }
    /* A 70-byte run of continuation bytes (no end in a whole window). */
    memset(bad_buf, 0x80, 200);
    for (size_t len = 1; len <= 200; len++) check_decode_same(bad_buf, len, 1, "all-0x80");
    /* Truncation at every position: a run of each mix (with a 10-byte value
     * inside), cut at every byte. */
    for (size_t m = 0; m < NMIX; m++) {
        uint64_t v[60];
        size_t len = 0;
        for (size_t i = 0; i < 60; i++) {
            v[i] = i == 30 ? UINT64_MAX : mixes[m].gen();
            len += ref_put(bad_buf + len, v[i]);
        }
        memcpy(bad_buf + len, max10, sizeof max10);
        for (size_t cut = 0; cut < len; cut++) check_decode_same(bad_buf, cut, 60, "truncated");
        check_decode_same(bad_buf, len, 60, "whole");
        check_decode_same(bad_buf, len, 61, "one-more");
        check_decode_same(bad_buf, len + 10, 61, "max10-last");
        for (size_t cut = len; cut < len + 10; cut++) check_decode_same(bad_buf, cut, 61, "trunc10");
    }
    /* Over-long (non-canonical) encodings decode like scalar (as Go). */
    static const uint8_t nc[][10] = {{0x80, 0x00},
                                     {0xff, 0x80, 0x00},
                                     {0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
                                     {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
                                     {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
                                     {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80, 0x00}};
    static const size_t nclen[] = {2, 3, 9, 10, 10, 9};
    for (size_t j = 0; j < sizeof nclen / sizeof *nclen; j++) {
        for (size_t pre = 0; pre < 70; pre++) {
            size_t len = 0;
            for (size_t i = 0; i < pre; i++) len += ref_put(bad_buf + len, all_small());
            memcpy(bad_buf + len, nc[j], nclen[j]);
            len += nclen[j];
            size_t post = pre % 11;
            for (size_t i = 0; i < post; i++) len += ref_put(bad_buf + len, heap_mix());
            check_decode_same(bad_buf, len, pre + 1 + post, "noncanonical");
        }
    }
}

static void test_api(void) {
    uint8_t b[16];
    uint64_t v[2] = {1, 2};
    size_t w = 123;
    T_EQ(hdump_varint_encode("no-such-kernel", b, v, 1, &w), HDUMP_ERR_UNSUPPORTED);
    T_EQ(hdump_varint_decode("no-such-kernel", v, 1, b, 1, &w), HDUMP_ERR_UNSUPPORTED);
    T_EQ(hdump_kernel_supported("no-such-kernel"), 0);
    T_EQ(hdump_kernel_supported(NULL), 0);
    T_EQ(hdump_kernel_supported("scalar"), 1);
    T_TRUE(hdump_kernel_count() >= 1);
    T_TRUE(hdump_kernel_name(hdump_kernel_count()) == NULL);
    T_TRUE(strcmp(hdump_kernel_name(hdump_kernel_count() - 1), "scalar") == 0);
    /* best = first supported in registry order */
    const char *best = NULL;
    for (size_t i = 0; i < hdump_kernel_count() && best == NULL; i++)
        if (hdump_kernel_supported(hdump_kernel_name(i))) best = hdump_kernel_name(i);
    T_TRUE(best != NULL && strcmp(best, hdump_kernel_best()) == 0);
    /* NULL = best; n = 0; usage */
    T_EQ(hdump_varint_encode(NULL, b, v, 2, &w), HDUMP_OK);
    T_EQ(w, 2);
    T_EQ(hdump_varint_encode(NULL, b, v, 0, &w), HDUMP_OK);
    T_EQ(w, 0);
    T_EQ(hdump_varint_decode(NULL, v, 0, b, 0, &w), HDUMP_OK);
    T_EQ(w, 0);
    T_EQ(hdump_varint_encode(NULL, NULL, v, 1, &w), HDUMP_ERR_USAGE);
    T_EQ(hdump_varint_decode(NULL, v, 1, NULL, 0, &w), HDUMP_ERR_USAGE);
    b[0] = 5;
    T_EQ(hdump_varint_decode(NULL, v, 1, b, 1, NULL), HDUMP_OK);
    T_EQ(v[0], 5);
}

#if HAVE_RAW
/* The pair store (kernels.h `pairs`), for kernels that have one, against
 * hdi_varint_scalar_pairs: every list length 0..70 and some long ones,
 * offsets of every class (1-3 bytes, the 2^21 boundary the vector path
 * leaves to the scalar one, 5-10 bytes, high halves set), kinds good and
 * bad. The input ends at the guard page (no entry past the list is read);
 * canaries follow the output (nothing is stored at or past 11*n). */
static uint64_t pair_off(unsigned cls) {
    static const uint64_t edge[] = {0,          1,           127,         128,
                                    16383,      16384,       (1u << 21) - 1, 1u << 21,
                                    0xffffffffu, 1ULL << 32, 1ULL << 63, UINT64_MAX};
    switch (cls % 6) {
    case 0: return rnd() & 0x7f;
    case 1: return rnd() & 0x3fff;
    case 2: return rnd() & 0x1fffff;
    case 3: return edge[rnd() % (sizeof edge / sizeof edge[0])];
    case 4: return (rnd() & 0x1fffff) < 0x1000 ? rnd() >> (rnd() % 64) : rnd() & 0x3fff;
    default: return rnd() % 1000 * 8; /* Go-like: word offsets */
    }
}

static void test_pairs(const hdi_varint_kernel *k) {
    static hdump_field f[4096];
    static uint8_t ref[11 * 4096];
    size_t checked = 0;
    for (unsigned round = 0; round < 12; round++) {
        for (size_t n = 0; n <= 4096; n = n < 70 ? n + 1 : n * 3 + 1) {
            uint64_t maxk = round % 4 == 3 ? 1 : 3;
            int want_bad = round % 3 == 2 && n > 0;
            for (size_t i = 0; i < n; i++) {
                f[i].kind = 1 + rnd() % maxk;
                f[i].offset = pair_off(round + (unsigned)(rnd() % 3));
            }
            if (want_bad) { /* one bad kind somewhere: 0, past maxk, 255, a high half */
                static const uint64_t badk[] = {0, 4, 255, 1ULL << 40};
                f[rnd() % n].kind = round % 4 == 3 ? 2 : badk[rnd() % 4];
            }
            int rb = 0, kb = 0;
            size_t rl = (size_t)(hdi_varint_scalar_pairs(ref, f, n, maxk, &rb) - ref);
            /* the input ends at the guard page (nothing past it is read),
             * the output is followed by canaries */
            /* 16-byte aligned: the guard region ends at a page */
            hdump_field *src = (hdump_field *)(void *)at_guard((const uint8_t *)f, n * sizeof *f);
            uint8_t *dst = enc_buf;
            memset(dst, CANARY, 11 * n + 128);
            size_t kl = (size_t)(k->pairs(dst, src, n, maxk, &kb) - dst);
            size_t past = 0;
            for (size_t j = 11 * n; j < 11 * n + 128; j++) past += dst[j] != CANARY;
            T_CHECK(past == 0, "%s pairs n=%zu: %zu bytes stored at or past 11*n", k->name, n,
                    past);
            T_CHECK(rb == want_bad && kb == rb, "%s pairs n=%zu: bad %d, reference %d (want %d)",
                    k->name, n, kb, rb, want_bad);
            if (!rb) {
                T_CHECK(kl == rl && memcmp(dst, ref, rl) == 0,
                        "%s pairs n=%zu round %u: %zu bytes, reference %zu, or they differ",
                        k->name, n, round, kl, rl);
            }
            checked++;
        }
    }
    /* the output bound: 11*n (an entry of a 10-byte offset takes 11) */
    for (size_t n = 1; n <= 20; n++) {
        for (size_t i = 0; i < n; i++) {
            f[i].kind = 1;
            f[i].offset = UINT64_MAX;
        }
        int b = 0;
        uint8_t *dst = enc_buf;
        memset(dst, CANARY, 11 * n + 128);
        T_CHECK((size_t)(k->pairs(dst, f, n, 3, &b) - dst) == 11 * n && !b &&
                    dst[11 * n] == CANARY,
                "%s pairs: %zu 11-byte entries", k->name, n);
    }
    printf("kernel %s: pairs checked on %zu lists\n", k->name, checked);
}

/* The one-bit map store (kernels.h `word_pairs`) against
 * hdi_varint_scalar_word_pairs: words of every popcount 0..64 (random bits,
 * runs, single bits at 0 and 63), bases from 0 up past where the offsets
 * cross 2^7, 2^14 and 2^21 (the scalar store's), word sizes 4 and 8;
 * canaries past 11 * popcount. */
static void test_word_pairs(const hdi_varint_kernel *k) {
    static uint8_t ref[11 * 64];
    static const uint64_t bases[] = {0,     64,    128,   1984,  2048,  4032,  32704, 32768,
                                     65472, 65536, 65600, 262080, 262144, 524224,
                                     524288, 1u << 20, 1ULL << 40};
    size_t checked = 0;
    for (size_t bi = 0; bi < sizeof bases / sizeof bases[0]; bi++) {
        for (uint64_t ps = 4; ps <= 8; ps += 4) {
            for (unsigned pc = 0; pc <= 64; pc++) {
                for (unsigned rep = 0; rep < 3; rep++) {
                    uint64_t bits = 0;
                    if (rep == 0) { /* pc random bits */
                        while ((unsigned)__builtin_popcountll(bits) < pc) bits |= 1ULL << (rnd() % 64);
                    } else if (rep == 1) { /* a run of pc bits */
                        bits = pc == 64 ? ~0ULL : ((1ULL << pc) - 1) << (rnd() % (65 - pc) % 64);
                        if (pc == 0) bits = 0;
                    } else { /* the two ends */
                        bits = pc == 0 ? 0 : pc == 1 ? 1ULL << 63 : (1ULL | 1ULL << 63);
                    }
                    size_t want = (size_t)__builtin_popcountll(bits);
                    size_t rl = (size_t)(hdi_varint_scalar_word_pairs(ref, bits, bases[bi], ps) - ref);
                    memset(enc_buf, CANARY, 11 * want + 128);
                    size_t kl = (size_t)(k->word_pairs(enc_buf, bits, bases[bi], ps) - enc_buf);
                    size_t past = 0;
                    for (size_t j = 11 * want; j < 11 * want + 128; j++) past += enc_buf[j] != CANARY;
                    T_CHECK(kl == rl && memcmp(enc_buf, ref, rl) == 0 && past == 0,
                            "%s word_pairs bits=%016llx base=%llu ptr %llu: %zu bytes, reference "
                            "%zu, %zu stored past 11 an entry",
                            k->name, (unsigned long long)bits, (unsigned long long)bases[bi],
                            (unsigned long long)ps, kl, rl, past);
                    checked++;
                }
            }
        }
    }
    printf("kernel %s: word_pairs checked on %zu words\n", k->name, checked);
}
#endif

int main(void) {
    long pg = sysconf(_SC_PAGESIZE);
    size_t page = pg > 0 ? (size_t)pg : 4096;
    guard_len = (10 * MAXN + 2 * HDUMP_VARINT_SLOP + page - 1) / page * page;
    uint8_t *map = mmap(NULL, guard_len + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    if (map == MAP_FAILED || mprotect(map + guard_len, page, PROT_NONE) != 0) {
        perror("mmap");
        return 2;
    }
    guard_lo = map;
    enc_buf = malloc(10 * MAXN + HDUMP_VARINT_SLOP + 256);
    ref_buf = malloc(10 * MAXN + HDUMP_VARINT_SLOP + 256);
    dec_buf = malloc(MAXN * sizeof *dec_buf);
    ref_dec = malloc(MAXN * sizeof *ref_dec);
    if (!enc_buf || !ref_buf || !dec_buf || !ref_dec) return 2;

    test_api();
    /* The scalar kernel against the independent reference first. */
    {
        static uint64_t edge[256];
        static uint8_t a[4096];
        size_t ne = edge_values(edge), len = 0;
        for (size_t i = 0; i < ne; i++) len += ref_put(a + len, edge[i]);
        size_t w = scalar_enc(edge, ne, ref_buf);
        T_EQ(w, len);
        T_TRUE(memcmp(a, ref_buf, len) == 0);
    }
    char ran[256] = "", skipped[256] = "";
    for (size_t i = 0; i < hdump_kernel_count(); i++) {
        const char *name = hdump_kernel_name(i);
        if (!hdump_kernel_supported(name)) {
            uint8_t b[80];
            uint64_t v[1] = {300};
            size_t w;
            printf("kernel %s: skipped (this CPU cannot run it)\n", name);
            T_EQ(hdump_varint_encode(name, b, v, 1, &w), HDUMP_ERR_UNSUPPORTED);
            T_EQ(hdump_varint_decode(name, v, 1, b, 1, &w), HDUMP_ERR_UNSUPPORTED);
            strncat(skipped, " ", sizeof skipped - strlen(skipped) - 1);
            strncat(skipped, name, sizeof skipped - strlen(skipped) - 1);
            continue;
        }
        cur = name;
        int before = t_fail;
        rng_state = 0x243f6a8885a308d3ULL; /* same inputs for every kernel */
        test_values();
        test_bad();
#if HAVE_RAW
        {
            const hdi_varint_kernel *k = NULL;
            if (hdi_varint_pick(name, &k) == HDUMP_OK && k->pairs != NULL) test_pairs(k);
            if (k != NULL && k->word_pairs != NULL) test_word_pairs(k);
        }
#endif
        printf("kernel %s: ran, %d failures\n", name, t_fail - before);
        strncat(ran, " ", sizeof ran - strlen(ran) - 1);
        strncat(ran, name, sizeof ran - strlen(ran) - 1);
    }
    printf("kernels ran:%s; skipped:%s; best: %s\n", ran, skipped[0] ? skipped : " none",
           hdump_kernel_best());
    free(enc_buf);
    free(ref_buf);
    free(dec_buf);
    free(ref_dec);
    munmap(map, guard_len + page);
    return t_done();
}
