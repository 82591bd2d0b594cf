/* fuzz/gen_seeds.c: deterministic seed corpora, made with the library's own
 * writer and generator (zstd `make seedcorpora`, libxml2 *Seed.c).
 *
 *   gen_seeds OUTDIR      writes OUTDIR/<target>/<name> for every target
 *
 * read, read_chunked, rewrite: for each version, dumps of every record kind
 * (small ranges and lists), a small synthetic heap (go1.3, go1.7), a header alone, prefixes cut inside a record, a dump with an
 * over-long uvarint and one with bytes after EOF. roundtrip and faults:
 * pseudo-random parameter streams of several lengths. varint: encoded edge
 * values and malformed varints. Seeds larger than 64 KiB (256 KiB for the
 * synthetic heaps) are skipped. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <sys/stat.h>

#include "fuzz_common.h"

#define MAX_SEED (64u << 10)

static const char *outdir;
static unsigned long written;

static size_t max_seed = MAX_SEED;

static void put_file(const char *target, const char *name, const uint8_t *d, size_t n) {
    if (n > max_seed) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", outdir, target);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || (n && fwrite(d, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    written++;
}

static void put_dump(const char *name, const uint8_t *d, size_t n) {
    put_file("read", name, d, n);
    put_file("read_chunked", name, d, n);
    put_file("rewrite", name, d, n);
}

static uint64_t mix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void random_bytes(uint8_t *b, size_t n, uint64_t seed) {
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)mix(&seed);
}

static fz_store store;

/* A dump of `nrec` records generated from a pseudo-random parameter stream. */
static void records_dump(hdump_version v, uint64_t seed, size_t nrec, hdump_membuf *m) {
    static uint8_t params[1 << 14];
    random_bytes(params, sizeof params, seed);
    fdp p = fdp_init(params, sizeof params);
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = v;
    o.typecache_buckets = 0;
    hdump_writer *w;
    hdump_membuf_init(m, NULL);
    if (hdump_writer_new(&o, hdump_sink_membuf(m), &w) != HDUMP_OK) exit(1);
    fz_store_reset(&store, 0);
    for (size_t i = 0; i < nrec; i++) {
        hdump_record r;
        if (seed % 2 == 0)
            fz_gen_record_tag(&p, v, &store, &r, (hdump_tag)(1 + i % 17));
        else
            fz_gen_record(&p, v, &store, &r);
        if (hdump_writer_put(w, &r) != HDUMP_OK) exit(1);
    }
    if (hdump_writer_finish(w) != HDUMP_OK) exit(1);
    hdump_writer_free(w);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: gen_seeds OUTDIR\n");
        return 2;
    }
    outdir = argv[1];
    if (mkdir(outdir, 0777) != 0 && errno != EEXIST) {
        perror(outdir);
        return 1;
    }
    char name[128];
    for (int vi = HDUMP_GO1_3; vi <= HDUMP_GO1_7; vi++) {
        hdump_version v = (hdump_version)vi;
        const char *vn = hdump_version_name(v);
        hdump_membuf m;
        /* every kind, several times */
        for (uint64_t seed = 1; seed <= 6; seed++) {
            records_dump(v, seed * 7 + (uint64_t)vi, 6 + (size_t)seed * 4, &m);
            snprintf(name, sizeof name, "%s_records_%u", vn, (unsigned)seed);
            put_dump(name, m.data, m.len);
            if (seed == 1 && m.len > 40) {
                snprintf(name, sizeof name, "%s_records_cut", vn);
                put_dump(name, m.data, m.len * 2 / 3);
                snprintf(name, sizeof name, "%s_trailing", vn);
                uint8_t *t = malloc(m.len + 3);
                memcpy(t, m.data, m.len);
                memcpy(t + m.len, "\x01\x02\x03", 3);
                put_dump(name, t, m.len + 3);
                free(t);
            }
            hdump_membuf_free(&m);
        }
        /* synthetic heaps: even one object makes ~150 KiB (segments, memstats),
         * so only the small profile, for go1.3 and go1.7, up to 256 KiB */
        for (int prof = HDUMP_GEN_SMALL; prof <= HDUMP_GEN_SMALL; prof++) {
            if (v != HDUMP_GO1_3 && v != HDUMP_GO1_7) break;
            hdump_gen_opts go;
            hdump_gen_opts_init(&go);
            go.objects = 3;
            go.seed = (uint64_t)prof + 1;
            go.profile = (hdump_gen_profile)prof;
            go.version = v;
            hdump_gen *g;
            hdump_writer_opts o;
            hdump_writer_opts_init(&o);
            o.version = v;
            hdump_writer *w;
            hdump_membuf_init(&m, NULL);
            if (hdump_gen_new(&go, &g) != HDUMP_OK ||
                hdump_writer_new(&o, hdump_sink_membuf(&m), &w) != HDUMP_OK ||
                hdump_gen_write(g, w) != HDUMP_OK)
                return 1;
            snprintf(name, sizeof name, "%s_gen_%s", vn, hdump_gen_profile_name(go.profile));
            max_seed = 256u << 10;
            put_dump(name, m.data, m.len);
            max_seed = MAX_SEED;
            hdump_writer_free(w);
            hdump_gen_free(g);
            hdump_membuf_free(&m);
        }
        /* header alone, header + EOF, an over-long uvarint (strict rejects) */
        uint8_t small[64];
        memcpy(small, hdump_version_header(v), HDUMP_HEADER_SIZE);
        snprintf(name, sizeof name, "%s_header_only", vn);
        put_dump(name, small, HDUMP_HEADER_SIZE);
        small[16] = 0;
        snprintf(name, sizeof name, "%s_empty_dump", vn);
        put_dump(name, small, 17);
        /* alloc sample (17) with addr 0 over-long, bucket UINT64_MAX, EOF */
        static const uint8_t body[] = {0x11, 0x80, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
                                       0xff, 0xff, 0xff, 0xff, 0x01, 0x00};
        memcpy(small + 16, body, sizeof body);
        snprintf(name, sizeof name, "%s_overlong_varint", vn);
        put_dump(name, small, 16 + sizeof body);
    }

    /* parameter streams for the structured targets */
    static const size_t lens[] = {0, 8, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        static uint8_t b[16384];
        for (uint64_t k = 0; k < 3; k++) {
            random_bytes(b, lens[i], i * 131 + k);
            snprintf(name, sizeof name, "random_%zu_%u", lens[i], (unsigned)k);
            put_file("roundtrip", name, b, lens[i]);
            put_file("faults", name, b, lens[i]);
            put_file("varint", name, b, lens[i]);
        }
    }

    /* varint: encoded edges and malformed encodings */
    {
        uint64_t vals[64];
        uint64_t s = 5;
        fdp p;
        uint8_t pb[256];
        random_bytes(pb, sizeof pb, 9);
        p = fdp_init(pb, sizeof pb);
        for (int i = 0; i < 64; i++) vals[i] = fdp_edge_u64(&p);
        uint8_t enc[HDUMP_VARINT_ENCODE_BOUND(64) + 2];
        size_t wlen;
        if (hdump_varint_encode("scalar", enc, vals, 64, &wlen) != HDUMP_OK) return 1;
        enc[wlen] = 64; /* n_dec is read from the tail */
        put_file("varint", "edges_64", enc, wlen + 1);
        static const uint8_t bad[][13] = {
            {11, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x01},
            {11, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01},
            {12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x02},
            {11, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
            {4, 0x80, 0x00, 0x80, 0x02},
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            snprintf(name, sizeof name, "malformed_%zu", i);
            put_file("varint", name, bad[i] + 1, bad[i][0]);
        }
        (void)s;
    }
    printf("gen_seeds: %lu files in %s\n", written, outdir);
    return 0;
}
