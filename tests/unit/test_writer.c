/* tests/unit/test_writer.c: sinks, the buffer policy, failures and
 * allocator hooks. A writer must report every byte its sink did not take. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "recgen.h"
#include "t.h"

static recgen_arena arena;

static hdump_status write_records(hdump_writer *w, hdump_version v, size_t n) {
    return recgen_write(w, &arena, v, n);
}

static hdump_membuf reference(hdump_version v, size_t n) { return recgen_dump(&arena, v, n); }

/* ---- The runtime's dwrite policy, modelled on the sink's write sizes ---- */
typedef struct rec_sink {
    size_t calls, bytes, fail_at; /* fail_at: 1-based call that fails, 0 = never */
    size_t sizes[1 << 16];
    hdump_membuf copy;
} rec_sink;

static hdump_status rec_write(void *ctx, const void *p, size_t n) {
    rec_sink *s = ctx;
    s->calls++;
    if (s->fail_at && s->calls >= s->fail_at) return HDUMP_ERR_IO;
    if (s->calls <= sizeof s->sizes / sizeof s->sizes[0]) s->sizes[s->calls - 1] = n;
    s->bytes += n;
    return hdump_sink_membuf(&s->copy).write(&s->copy, p, n);
}

static void test_buffer_policy(void) {
    /* Every sink write is either a full flush of <= cap buffered bytes made
     * because the next piece did not fit, or a piece >= cap written directly;
     * with the default 4096 no write exceeds 4096 unless it is one piece. */
    hdump_membuf ref = reference(HDUMP_GO1_7, 600);
    static const size_t caps[] = {64, 4096, 65536};
    for (size_t c = 0; c < 3; c++) {
        static rec_sink s;
        memset(&s, 0, sizeof s);
        hdump_membuf_init(&s.copy, NULL);
        hdump_writer_opts o;
        hdump_writer_opts_init(&o);
        o.buffer_size = caps[c];
        hdump_writer *w;
        hdump_sink sink = {rec_write, &s};
        T_EQ(hdump_writer_new(&o, sink, &w), HDUMP_OK);
        T_EQ(hdump_writer_bytes(w), 16); /* the header, written at creation */
        T_EQ(s.calls, 0);                /* ... into the buffer */
        T_EQ(write_records(w, HDUMP_GO1_7, 600), HDUMP_OK);
        T_EQ(s.bytes, ref.len);
        T_TRUE(s.copy.len == ref.len && memcmp(s.copy.data, ref.data, ref.len) == 0);
        size_t over = 0, zero = 0;
        for (size_t i = 0; i < s.calls && i < sizeof s.sizes / sizeof s.sizes[0]; i++) {
            if (s.sizes[i] == 0) zero++;
            /* A write larger than the buffer is a byte range passed straight
             * through: it must be a range of the stream longer than cap. */
            if (s.sizes[i] > caps[c]) over++;
        }
        T_EQ(zero, 0);
        if (caps[c] == 65536) T_EQ(over, 0); /* no range in this stream reaches 64 KiB */
        if (caps[c] == 64) T_TRUE(over > 0);  /* ranges of 64+ bytes bypass the buffer */
        hdump_writer_free(w);
        hdump_membuf_free(&s.copy);
    }
    hdump_membuf_free(&ref);
}

/* ---- A sink that fails at call k: the error is sticky and what reached the
 * ---- sink is exactly the bytes the writer says were delivered. ---- */
static void test_failing_sink(void) {
    for (size_t k = 1; k <= 40; k++) {
        static rec_sink s;
        memset(&s, 0, sizeof s);
        hdump_membuf_init(&s.copy, NULL);
        s.fail_at = k;
        hdump_writer_opts o;
        hdump_writer_opts_init(&o);
        o.buffer_size = 256;
        hdump_writer *w;
        hdump_sink sink = {rec_write, &s};
        T_EQ(hdump_writer_new(&o, sink, &w), HDUMP_OK);
        hdump_status st = write_records(w, HDUMP_GO1_7, 200);
        T_EQ(st, HDUMP_ERR_IO);
        const hdump_error *e = hdump_writer_error(w);
        T_EQ(e->code, HDUMP_ERR_IO);
        T_EQ(e->offset, s.bytes); /* bytes the sink accepted before failing */
        T_TRUE(e->msg != NULL);
        /* Sticky: later calls fail the same way and write nothing more. */
        size_t calls = s.calls;
        T_EQ(hdump_writer_put_object(w, 1, "x", 1, NULL), HDUMP_ERR_IO);
        T_EQ(hdump_writer_finish(w), HDUMP_ERR_IO);
        T_EQ(hdump_writer_flush(w), HDUMP_ERR_IO);
        T_EQ(s.calls, calls);
        hdump_writer_free(w);
        hdump_membuf_free(&s.copy);
    }
}

static void test_fixed_and_membuf_limits(void) {
    hdump_membuf ref = reference(HDUMP_GO1_7, 100);
    /* Big enough: exact bytes. */
    uint8_t *big = malloc(ref.len);
    hdump_fixedbuf fb = {big, ref.len, 0};
    hdump_writer *w;
    T_EQ(hdump_writer_new(NULL, hdump_sink_fixed(&fb), &w), HDUMP_OK);
    T_EQ(write_records(w, HDUMP_GO1_7, 100), HDUMP_OK);
    T_TRUE(fb.len == ref.len && memcmp(big, ref.data, ref.len) == 0);
    hdump_writer_free(w);
    /* One byte short: HDUMP_ERR_NOSPACE, the prefix that fit is intact. */
    hdump_fixedbuf small = {big, ref.len - 1, 0};
    T_EQ(hdump_writer_new(NULL, hdump_sink_fixed(&small), &w), HDUMP_OK);
    T_EQ(write_records(w, HDUMP_GO1_7, 100), HDUMP_ERR_NOSPACE);
    T_EQ(hdump_writer_error(w)->code, HDUMP_ERR_NOSPACE);
    T_EQ(small.len, ref.len - 1);
    T_TRUE(memcmp(big, ref.data, small.len) == 0);
    hdump_writer_free(w);
    free(big);
    /* A growable buffer with a cap. */
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    m.max = 1000;
    T_EQ(hdump_writer_new(NULL, hdump_sink_membuf(&m), &w), HDUMP_OK);
    T_EQ(write_records(w, HDUMP_GO1_7, 100), HDUMP_ERR_NOSPACE);
    T_TRUE(m.len <= 1000);
    hdump_writer_free(w);
    hdump_membuf_free(&m);
    hdump_membuf_free(&ref);
}

/* ---- fd sink: short writes and EINTR ---- */
static volatile sig_atomic_t alarms;
static void on_alarm(int sig) {
    (void)sig;
    alarms++;
}

typedef struct drain {
    int fd;
    hdump_membuf got;
} drain;

static void *drain_pipe(void *arg) {
    drain *d = arg;
    uint8_t buf[777];
    for (;;) {
        ssize_t k = read(d->fd, buf, sizeof buf);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) break;
        hdump_sink_membuf(&d->got).write(&d->got, buf, (size_t)k);
        struct timespec ts = {0, 1000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void test_fd_sink_interrupted(void) {
    /* A slow reader and a timer signal without SA_RESTART make write(2) on a
     * pipe return short counts and EINTR; the sink must still deliver every
     * byte in order. */
    hdump_membuf ref = reference(HDUMP_GO1_7, 3000);
    int p[2];
    T_EQ(pipe(p), 0);
    drain d = {p[0], {0}};
    hdump_membuf_init(&d.got, NULL);
    pthread_t th;
    pthread_create(&th, NULL, drain_pipe, &d);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 200}, {0, 200}};
    setitimer(ITIMER_REAL, &it, NULL);
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.buffer_size = 1 << 20; /* big writes are the ones that get cut short */
    hdump_writer *w;
    T_EQ(hdump_writer_new(&o, hdump_sink_fd(p[1]), &w), HDUMP_OK);
    T_EQ(write_records(w, HDUMP_GO1_7, 3000), HDUMP_OK);
    hdump_writer_free(w);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    close(p[1]);
    pthread_join(th, NULL);
    close(p[0]);
    T_EQ(d.got.len, ref.len);
    T_TRUE(d.got.len == ref.len && memcmp(d.got.data, ref.data, ref.len) == 0);
    T_TRUE(alarms > 0); /* the writes were interrupted */
    hdump_membuf_free(&d.got);
    hdump_membuf_free(&ref);
}

static void test_fd_and_file_errors(void) {
    /* A closed descriptor and a full device are I/O errors, never success. */
    int p[2];
    T_EQ(pipe(p), 0);
    close(p[0]);
    close(p[1]);
    hdump_writer *w;
    T_EQ(hdump_writer_new(NULL, hdump_sink_fd(p[1]), &w), HDUMP_OK);
    T_EQ(hdump_writer_finish(w), HDUMP_ERR_IO);
    T_EQ(hdump_writer_error(w)->offset, 0);
    hdump_writer_free(w);
    FILE *f = fopen("/dev/full", "wb");
    if (f != NULL) {
        setvbuf(f, NULL, _IONBF, 0);
        T_EQ(hdump_writer_new(NULL, hdump_sink_file(f), &w), HDUMP_OK);
        T_EQ(hdump_writer_finish(w), HDUMP_ERR_IO);
        hdump_writer_free(w);
        fclose(f);
    }
    /* The null sink takes everything. */
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = HDUMP_GO1_4;
    T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_OK);
    T_EQ(write_records(w, HDUMP_GO1_4, 300), HDUMP_OK);
    hdump_membuf ref = reference(HDUMP_GO1_4, 300);
    T_EQ(hdump_writer_bytes(w), ref.len);
    hdump_writer_free(w);
    hdump_membuf_free(&ref);
}

/* ---- Allocator hooks: fail the k-th allocation ---- */
typedef struct fail_alloc {
    size_t n, fail_at, live;
} fail_alloc;

static void *fa_alloc(void *ctx, size_t n) {
    fail_alloc *a = ctx;
    if (++a->n == a->fail_at) return NULL;
    a->live++;
    return malloc(n);
}
static void *fa_realloc(void *ctx, void *p, size_t o, size_t n) {
    fail_alloc *a = ctx;
    (void)o;
    if (++a->n == a->fail_at) return NULL;
    return realloc(p, n);
}
static void fa_free(void *ctx, void *p, size_t n) {
    fail_alloc *a = ctx;
    (void)n;
    if (p) a->live--;
    free(p);
}

static void test_alloc_failures(void) {
    size_t succeeded = 0;
    for (size_t k = 1; k < 10; k++) {
        fail_alloc fa = {0, k, 0};
        hdump_alloc al = {fa_alloc, fa_realloc, fa_free, &fa};
        hdump_writer_opts o;
        hdump_writer_opts_init(&o);
        o.alloc = &al;
        hdump_writer *w = (hdump_writer *)&fa; /* must be set to NULL on failure */
        hdump_status st = hdump_writer_new(&o, hdump_sink_null(), &w);
        if (st == HDUMP_OK) {
            succeeded++;
            T_EQ(write_records(w, HDUMP_GO1_7, 50), HDUMP_OK);
            hdump_writer_free(w);
        } else {
            T_EQ(st, HDUMP_ERR_NOMEM);
            T_TRUE(w == NULL);
        }
        T_EQ(fa.live, 0);
    }
    T_TRUE(succeeded > 0);
    /* Reader: fail each allocation of a full read of a dump with field lists
     * and memprof stacks; each run ends in NOMEM or END, leaking nothing. */
    hdump_membuf ref = reference(HDUMP_GO1_7, 200);
    size_t nomem = 0;
    for (size_t k = 1; k < 12; k++) {
        fail_alloc fa = {0, k, 0};
        hdump_alloc al = {fa_alloc, fa_realloc, fa_free, &fa};
        hdump_reader_opts o;
        hdump_reader_opts_init(&o);
        o.alloc = &al;
        hdump_reader *r;
        hdump_status st = hdump_reader_new_mem(&o, ref.data, ref.len, &r);
        if (st == HDUMP_OK) {
            hdump_record rec;
            while ((st = hdump_reader_next(r, &rec)) == HDUMP_OK) {
            }
            hdump_reader_free(r);
        }
        T_TRUE(st == HDUMP_END || st == HDUMP_ERR_NOMEM);
        if (st == HDUMP_ERR_NOMEM) nomem++;
        T_EQ(fa.live, 0);
    }
    T_TRUE(nomem > 1);
    hdump_membuf_free(&ref);
}

static void test_misuse(void) {
    hdump_writer *w;
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.buffer_size = 8;
    T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_ERR_USAGE);
    hdump_writer_opts_init(&o);
    o.typecache_buckets = 3;
    T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_ERR_USAGE);
    hdump_writer_opts_init(&o);
    o.version = (hdump_version)8;
    T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_ERR_USAGE);
    hdump_writer_opts_init(&o);
    o.kernel = "no-such-kernel";
    T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_ERR_UNSUPPORTED);
    o.kernel = "scalar";
    T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_OK);
    hdump_writer_free(w);
    hdump_sink nosink = {NULL, NULL};
    T_EQ(hdump_writer_new(NULL, nosink, &w), HDUMP_ERR_USAGE);

    /* Bad records: a kind the version lacks, a range without data, a tag
     * out of range, a two-bit map in the wrong version; each is sticky. */
    static const hdump_field bad_kind[] = {{4, 0}};
    hdump_fields f = {bad_kind, 1, NULL, 0, HDUMP_FIELDS_LIST};
    T_EQ(hdump_writer_new(NULL, hdump_sink_null(), &w), HDUMP_OK);
    T_EQ(hdump_writer_put_object(w, 1, "abcdefgh", 8, &f), HDUMP_ERR_USAGE);
    T_EQ(hdump_writer_error(w)->tag, HDUMP_TAG_OBJECT);
    T_EQ(hdump_writer_error(w)->offset, 16);
    T_EQ(hdump_writer_finish(w), HDUMP_ERR_USAGE);
    hdump_writer_free(w);

    T_EQ(hdump_writer_new(NULL, hdump_sink_null(), &w), HDUMP_OK);
    T_EQ(hdump_writer_put_object(w, 1, NULL, 8, NULL), HDUMP_ERR_USAGE);
    hdump_writer_free(w);

    hdump_record r;
    memset(&r, 0, sizeof r);
    r.tag = (hdump_tag)18;
    T_EQ(hdump_writer_new(NULL, hdump_sink_null(), &w), HDUMP_OK);
    T_EQ(hdump_writer_put(w, &r), HDUMP_ERR_USAGE);
    hdump_writer_free(w);

    static const uint8_t map[] = {0x0e};
    hdump_fields bm = {NULL, 0, map, 2, HDUMP_FIELDS_BITMAP2_GO14};
    T_EQ(hdump_writer_new(NULL, hdump_sink_null(), &w), HDUMP_OK); /* go1.7 */
    T_EQ(hdump_writer_put_object(w, 1, "abcdefghabcdefgh", 16, &bm), HDUMP_ERR_USAGE);
    hdump_writer_free(w);

    /* Two-bit maps: a multi-word code in the last word, and (go1.4) a
     * multi-word code followed by a code that names no interface kind. */
    hdump_writer_opts o4;
    hdump_writer_opts_init(&o4);
    o4.version = HDUMP_GO1_4;
    static const uint8_t last_mw[] = {0xc0}; /* word 3 = 3 (multi-word), no word 4 */
    hdump_fields lm = {NULL, 0, last_mw, 4, HDUMP_FIELDS_BITMAP2_GO14};
    T_EQ(hdump_writer_new(&o4, hdump_sink_null(), &w), HDUMP_OK);
    T_EQ(hdump_writer_put_object(w, 1, "abcdefghabcdefghabcdefghabcdefgh", 32, &lm),
         HDUMP_ERR_USAGE);
    hdump_writer_free(w);
    static const uint8_t mw_scalar[] = {0x07}; /* word 0 = 3, word 1 = 1 (scalar) */
    hdump_fields ms = {NULL, 0, mw_scalar, 2, HDUMP_FIELDS_BITMAP2_GO14};
    T_EQ(hdump_writer_new(&o4, hdump_sink_null(), &w), HDUMP_OK);
    T_EQ(hdump_writer_put_object(w, 1, "abcdefghabcdefgh", 16, &ms), HDUMP_ERR_USAGE);
    hdump_writer_free(w);
    hdump_fields bad_form = {NULL, 0, mw_scalar, 2, (hdump_fields_form)9};
    T_EQ(hdump_writer_new(&o4, hdump_sink_null(), &w), HDUMP_OK);
    T_EQ(hdump_writer_put_object(w, 1, "abcdefghabcdefgh", 16, &bad_form), HDUMP_ERR_USAGE);
    hdump_writer_free(w);

    /* Put after finish. */
    T_EQ(hdump_writer_new(NULL, hdump_sink_null(), &w), HDUMP_OK);
    T_EQ(hdump_writer_finish(w), HDUMP_OK);
    T_EQ(hdump_writer_finish(w), HDUMP_OK);
    T_EQ(hdump_writer_records(w), 1);
    T_EQ(hdump_writer_put_object(w, 1, "x", 1, NULL), HDUMP_ERR_USAGE);
    hdump_writer_free(w);
}

static void test_typecache_geometry(void) {
    /* 0 buckets disables the cache: every put_type writes a record. */
    static const uint8_t name[] = "main.T";
    hdump_type t = {0x1000, 8, {name, 6}, 1, {NULL, 0, NULL, 0, HDUMP_FIELDS_LIST}};
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.typecache_buckets = 0;
    hdump_writer *w;
    T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_OK);
    for (int i = 0; i < 5; i++) T_EQ(hdump_writer_put_type(w, &t, 9), HDUMP_OK);
    uint64_t hits, misses;
    hdump_writer_typecache_stats(w, &hits, &misses);
    T_EQ(hits, 0);
    T_EQ(misses, 5);
    T_EQ(hdump_writer_records(w), 5);
    hdump_writer_free(w);
    /* 1 bucket x 1 way: alternating types always miss; repeats hit. */
    o.typecache_buckets = 1;
    o.typecache_ways = 1;
    T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_OK);
    hdump_type u = t;
    u.addr = 0x2000;
    T_EQ(hdump_writer_put_type(w, &t, 1), HDUMP_OK);
    T_EQ(hdump_writer_put_type(w, &t, 2), HDUMP_OK);
    T_EQ(hdump_writer_put_type(w, &u, 3), HDUMP_OK);
    T_EQ(hdump_writer_put_type(w, &t, 4), HDUMP_OK);
    hdump_writer_typecache_stats(w, &hits, &misses);
    T_EQ(hits, 1);
    T_EQ(misses, 3);
    /* put_itab writes the type through the cache, then the itab. */
    hdump_itab it = {0x3000, 0x1000, 0};
    T_EQ(hdump_writer_put_itab(w, &it, &t, 5), HDUMP_OK);
    T_EQ(hdump_writer_records(w), 4);
    hdump_writer_free(w);
}

static void test_ptr_size_and_nil_type(void) {
    /* With 4-byte words a one-bit map's offsets step by 4:
     * map 0b101 -> Ptr@0, Ptr@8. Expected bytes: header | 01 | 05 | 12 bytes |
     * 01 00 01 08 00 | 00 (EOF). */
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.ptr_size = 4;
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    hdump_writer *w;
    T_EQ(hdump_writer_new(&o, hdump_sink_membuf(&m), &w), HDUMP_OK);
    static const uint8_t map[] = {0x05};
    hdump_fields f = {NULL, 0, map, 3, HDUMP_FIELDS_BITMAP1};
    T_EQ(hdump_writer_put_object(w, 5, "abcdefghijkl", 12, &f), HDUMP_OK);
    /* A nil type (address 0) writes nothing, as the runtime's dumptype. */
    hdump_type nil = {0, 8, {(const uint8_t *)"x", 1}, 1, {NULL, 0, NULL, 0, HDUMP_FIELDS_LIST}};
    T_EQ(hdump_writer_put_type(w, &nil, 0), HDUMP_OK);
    T_EQ(hdump_writer_finish(w), HDUMP_OK);
    static const uint8_t want[] = {'g', 'o', '1', '.', '7', ' ', 'h', 'e', 'a', 'p', ' ', 'd',
                                   'u', 'm', 'p', '\n', 0x01, 0x05, 0x0c, 'a', 'b', 'c', 'd',
                                   'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 0x01, 0x00, 0x01,
                                   0x08, 0x00, 0x00};
    T_EQ(m.len, sizeof want);
    T_TRUE(m.len == sizeof want && memcmp(m.data, want, sizeof want) == 0);
    T_EQ(hdump_writer_records(w), 2);
    hdump_writer_free(w);
    hdump_membuf_free(&m);
    o.ptr_size = 2;
    T_EQ(hdump_writer_new(&o, hdump_sink_null(), &w), HDUMP_ERR_USAGE);
}

int main(void) {
    recgen_arena_init(&arena, 7);
    test_ptr_size_and_nil_type();
    test_buffer_policy();
    test_failing_sink();
    test_fixed_and_membuf_limits();
    test_fd_sink_interrupted();
    test_fd_and_file_errors();
    test_alloc_failures();
    test_misuse();
    test_typecache_geometry();
    return t_done();
}
