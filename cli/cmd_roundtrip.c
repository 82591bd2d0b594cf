/* cli/cmd_roundtrip.c: `hdump roundtrip`: generate, write, read back, and
 * compare every record field by field with a second generator run in lock
 * step. Memory stays bounded: nothing holds the whole dump. */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

static const char help[] =
    "usage: hdump roundtrip --objects N [--seed S] [--profile P] [--format V]\n"
    "                       [--via memory|threads|pipe|FILE]\n"
    "\n"
    "Generates a dump, writes it, reads it back and compares every record field by\n"
    "field with a regenerated expectation; prints records/s and bytes/s. Memory is\n"
    "bounded (a few MiB) whatever N is.\n"
    "\n"
    "  --via memory  (default) the reader pulls bytes the writer produces on demand\n"
    "  --via threads a writer thread (generate + write) hands 1 MiB blocks to the\n"
    "                reading thread (read + regenerate + compare): two cores\n"
    "  --via pipe    a writer thread feeds a pipe the reader reads\n"
    "  --via FILE    the dump is written to FILE, then read back from it\n"
    "  other options as in `hdump gen`\n"
    "\n"
    "exit codes: 0 every record equal, 1 a difference (printed), 2 usage or I/O error\n";

/* ---- memory: a source that runs the generator and writer on demand ---- */
typedef struct pump {
    hdump_gen *g;
    hdump_writer *w;
    uint8_t *buf;
    size_t len, pos, cap;
    int done;
    hdump_status st;
} pump;

static hdump_status pump_sink(void *ctx, const void *p, size_t n) {
    pump *q = ctx;
    if (q->len + n > q->cap) {
        size_t cap = q->cap ? q->cap : 1 << 16;
        while (cap < q->len + n) cap *= 2;
        uint8_t *b = realloc(q->buf, cap);
        if (b == NULL) return HDUMP_ERR_NOMEM;
        q->buf = b;
        q->cap = cap;
    }
    memcpy(q->buf + q->len, p, n);
    q->len += n;
    return HDUMP_OK;
}

static hdump_status pump_read(void *ctx, void *buf, size_t cap, size_t *got) {
    pump *q = ctx;
    while (q->pos == q->len && !q->done) {
        q->pos = q->len = 0;
        hdump_record rec;
        hdump_status st = hdump_gen_next(q->g, &rec);
        if (st == HDUMP_OK) st = hdump_writer_put(q->w, &rec);
        else if (st == HDUMP_END) {
            st = hdump_writer_finish(q->w);
            q->done = 1;
        }
        if (st != HDUMP_OK) {
            q->st = st;
            return HDUMP_ERR_IO;
        }
    }
    size_t k = q->len - q->pos < cap ? q->len - q->pos : cap;
    memcpy(buf, q->buf + q->pos, k);
    q->pos += k;
    *got = k;
    return HDUMP_OK;
}

/* ---- threads: a writer thread hands blocks to the reading thread ---- */
#define RING_SLOTS 4
#define RING_BLOCK ((size_t)1 << 20)
typedef struct ring {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t *slot[RING_SLOTS];
    size_t len[RING_SLOTS];
    uint64_t head, tail; /* blocks published, blocks consumed */
    uint8_t *fill;       /* writer side: the block being filled */
    size_t flen;
    size_t pos;          /* reader side: position in block `tail` */
    int done, stop;      /* the writer finished / the reader is gone */
    hdump_gen_opts go;
    hdump_status st;
} ring;

static void ring_publish(ring *q) {
    pthread_mutex_lock(&q->mu);
    q->len[q->head % RING_SLOTS] = q->flen;
    q->head++;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    q->fill = NULL;
}

static hdump_status ring_sink(void *ctx, const void *p, size_t n) {
    ring *q = ctx;
    const uint8_t *b = p;
    while (n > 0) {
        if (q->fill == NULL) {
            pthread_mutex_lock(&q->mu);
            while (q->head - q->tail == RING_SLOTS && !q->stop) pthread_cond_wait(&q->cv, &q->mu);
            int stop = q->stop;
            pthread_mutex_unlock(&q->mu);
            if (stop) return HDUMP_ERR_IO;
            q->fill = q->slot[q->head % RING_SLOTS];
            q->flen = 0;
        }
        size_t k = RING_BLOCK - q->flen < n ? RING_BLOCK - q->flen : n;
        memcpy(q->fill + q->flen, b, k);
        q->flen += k;
        b += k;
        n -= k;
        if (q->flen == RING_BLOCK) ring_publish(q);
    }
    return HDUMP_OK;
}

static hdump_status ring_read(void *ctx, void *buf, size_t cap, size_t *got) {
    ring *q = ctx;
    pthread_mutex_lock(&q->mu);
    while (q->head == q->tail && !q->done) pthread_cond_wait(&q->cv, &q->mu);
    int empty = q->head == q->tail;
    pthread_mutex_unlock(&q->mu);
    *got = 0;
    if (empty) return HDUMP_OK; /* the writer finished: end of input */
    size_t i = (size_t)(q->tail % RING_SLOTS);
    size_t k = q->len[i] - q->pos < cap ? q->len[i] - q->pos : cap;
    memcpy(buf, q->slot[i] + q->pos, k);
    q->pos += k;
    *got = k;
    if (q->pos == q->len[i]) {
        pthread_mutex_lock(&q->mu);
        q->tail++;
        q->pos = 0;
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);
    }
    return HDUMP_OK;
}

static hdump_status write_all(const hdump_gen_opts *go, hdump_sink sink);

static void *ring_feed(void *arg) {
    ring *q = arg;
    hdump_sink s = {ring_sink, q};
    q->st = write_all(&q->go, s);
    if (q->st == HDUMP_OK && q->fill != NULL && q->flen > 0) ring_publish(q);
    pthread_mutex_lock(&q->mu);
    q->done = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* ---- pipe: a writer thread ---- */
typedef struct feeder {
    hdump_gen_opts go;
    int fd;
    hdump_status st;
} feeder;

static hdump_status write_all(const hdump_gen_opts *go, hdump_sink sink) {
    hdump_gen *g;
    hdump_writer *w;
    hdump_writer_opts wo;
    hdump_writer_opts_init(&wo);
    wo.kernel = cli_kernel();
    wo.version = go->version;
    hdump_status st = hdump_gen_new(go, &g);
    if (st != HDUMP_OK) return st;
    st = hdump_writer_new(&wo, sink, &w);
    if (st == HDUMP_OK) {
        st = hdump_gen_write(g, w);
        hdump_writer_free(w);
    }
    hdump_gen_free(g);
    return st;
}

static void *feed(void *arg) {
    feeder *f = arg;
    f->st = write_all(&f->go, hdump_sink_fd(f->fd));
    close(f->fd);
    return NULL;
}

int cmd_roundtrip(int argc, char **argv) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    const char *via = "memory";
    for (int i = 1; i < argc; i++) {
        int k = cli_gen_option(argc, argv, &i, &go, "roundtrip");
        if (k < 0) return CLI_USAGE;
        if (k > 0) continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--via") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "hdump roundtrip: --via needs a value\n");
                return CLI_USAGE;
            }
            via = argv[++i];
        } else {
            fprintf(stderr, "hdump roundtrip: unknown argument '%s'\n\n%s", argv[i], help);
            return CLI_USAGE;
        }
    }
    double t0 = cli_now();
    hdump_reader_opts ro;
    hdump_reader_opts_init(&ro);
    ro.kernel = cli_kernel();
    /* Objects are at most 1 MiB: keep every range inline so each is compared
     * byte for byte, in a buffer that stays a few MiB. */
    ro.buffer_size = 4u << 20;
    ro.inline_max = 2u << 20;
    hdump_reader *r = NULL;
    pump q;
    memset(&q, 0, sizeof q);
    feeder f;
    ring rg;
    memset(&rg, 0, sizeof rg);
    int ring_init = 0;
    pthread_t th;
    int thread = 0, fd = -1;
    hdump_status st = HDUMP_OK;
    if (strcmp(via, "memory") == 0) {
        hdump_writer_opts wo;
        hdump_writer_opts_init(&wo);
        wo.kernel = cli_kernel();
        wo.version = go.version;
        hdump_sink s = {pump_sink, &q};
        if ((st = hdump_gen_new(&go, &q.g)) == HDUMP_OK && (st = hdump_writer_new(&wo, s, &q.w)) == HDUMP_OK) {
            hdump_source src = {pump_read, &q, UINT64_MAX};
            st = hdump_reader_new_source(&ro, src, &r);
        }
    } else if (strcmp(via, "threads") == 0) {
        rg.go = go;
        for (int i = 0; i < RING_SLOTS; i++)
            if ((rg.slot[i] = malloc(RING_BLOCK)) == NULL) st = HDUMP_ERR_NOMEM;
        if (st == HDUMP_OK) {
            pthread_mutex_init(&rg.mu, NULL);
            pthread_cond_init(&rg.cv, NULL);
            ring_init = 1;
            pthread_create(&th, NULL, ring_feed, &rg);
            thread = 2;
            hdump_source src = {ring_read, &rg, UINT64_MAX};
            st = hdump_reader_new_source(&ro, src, &r);
        }
    } else if (strcmp(via, "pipe") == 0) {
        int p[2];
        if (pipe(p) != 0) {
            perror("pipe");
            return CLI_USAGE;
        }
        signal(SIGPIPE, SIG_IGN); /* a failed write is reported, not fatal */
        f.go = go;
        f.fd = p[1];
        f.st = HDUMP_OK;
        pthread_create(&th, NULL, feed, &f);
        thread = 1;
        fd = p[0];
        st = hdump_reader_new_fd(&ro, fd, &r);
    } else {
        fd = open(via, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            perror(via);
            return CLI_USAGE;
        }
        st = write_all(&go, hdump_sink_fd(fd));
        if (close(fd) != 0 && st == HDUMP_OK) st = HDUMP_ERR_IO;
        fd = -1;
        if (st == HDUMP_OK) {
            fd = open(via, O_RDONLY);
            st = fd < 0 ? HDUMP_ERR_IO : hdump_reader_new_fd(&ro, fd, &r);
        }
    }
    if (st != HDUMP_OK) {
        fprintf(stderr, "hdump roundtrip: cannot set up '%s': %s\n", via, hdump_status_str(st));
        return CLI_USAGE;
    }
    double t_write = cli_now() - t0;

    hdump_gen *exp;
    if ((st = hdump_gen_new(&go, &exp)) != HDUMP_OK) {
        fprintf(stderr, "hdump roundtrip: %s\n", hdump_status_str(st));
        return CLI_USAGE;
    }
    cli_progress pr;
    cli_progress_start(&pr, "roundtrip", 0);
    hdump_record want, got;
    hdump_status se, sr;
    uint64_t n = 0, bad = 0;
    do {
        se = hdump_gen_next(exp, &want);
        sr = hdump_reader_next(r, &got);
        if (sr < 0) break;
        if (se != sr || !hdump_record_equal(go.version, &want, &got) || want.index != got.index) {
            if (bad++ == 0)
                fprintf(stderr, "hdump roundtrip: record %" PRIu64 " differs: expected tag %d, read tag %d at offset %" PRIu64 "\n",
                        n, (int)want.tag, (int)got.tag, got.offset);
        }
        n++;
        cli_progress_update(&pr, n, hdump_reader_offset(r));
    } while (se == HDUMP_OK && sr == HDUMP_OK);
    cli_progress_end(&pr);
    uint64_t bytes = hdump_reader_offset(r);
    int rc = CLI_OK;
    if (sr < 0) {
        cli_print_error(via, hdump_reader_error(r));
        rc = CLI_INVALID;
    } else if (bad) {
        fprintf(stderr, "hdump roundtrip: %" PRIu64 " of %" PRIu64 " records differ\n", bad, n);
        rc = CLI_INVALID;
    }
    hdump_reader_free(r);
    /* Close our end first: a writer thread blocked on a full pipe then fails
     * with EPIPE instead of waiting for a reader that has stopped. */
    if (fd >= 0) close(fd);
    fd = -1;
    if (thread == 1) {
        pthread_join(th, NULL);
        if (f.st != HDUMP_OK && rc == CLI_OK) rc = CLI_USAGE;
    }
    if (thread == 2) {
        /* A writer blocked on a full ring then fails instead of waiting. */
        pthread_mutex_lock(&rg.mu);
        rg.stop = 1;
        pthread_cond_broadcast(&rg.cv);
        pthread_mutex_unlock(&rg.mu);
        pthread_join(th, NULL);
        if (rg.st != HDUMP_OK && rc == CLI_OK) rc = CLI_USAGE;
    }
    if (ring_init) {
        pthread_mutex_destroy(&rg.mu);
        pthread_cond_destroy(&rg.cv);
    }
    for (int i = 0; i < RING_SLOTS; i++) free(rg.slot[i]);
    if (fd >= 0) close(fd);
    if (q.st != HDUMP_OK && rc == CLI_OK) rc = CLI_USAGE;
    hdump_writer_free(q.w);
    hdump_gen_free(q.g);
    free(q.buf);
    hdump_gen_free(exp);
    double el = cli_now() - t0;
    (void)t_write;
    if (rc == CLI_OK) {
        printf("roundtrip: %s, %s, %" PRIu64 " objects, seed %" PRIu64 ", via %s: %" PRIu64
               " records, %" PRIu64 " bytes, all equal\n",
               hdump_version_name(go.version), hdump_gen_profile_name(go.profile), go.objects,
               go.seed, via, n, bytes);
        printf("roundtrip: %.2f s, %.2f M records/s, %.1f MB/s (generate, write, read, compare)\n",
               el, (double)n / el / 1e6, (double)bytes / el / 1e6);
    }
    return rc;
}
