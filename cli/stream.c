/* cli/stream.c: the byte streams of `hdump roundtrip`: --flip applied to
 * bytes on their way from the writer to the reader, the growable stream
 * the memory and queue modes keep bytes in, and cli_write_all, which
 * generates a whole dump into a sink (cli_write_fd: into a descriptor,
 * through --flip); and cli_worker, the thread of the queue and ring modes
 * (cli.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_flip(uint8_t *p, size_t n, uint64_t off, uint64_t flip) {
    if (flip >= off && flip - off < n) p[flip - off] ^= 1;
}

hdump_status cli_stream_append(cli_stream *s, const void *p, size_t n) {
    if (s->cap - s->len < n) {
        size_t cap = s->cap ? s->cap : (size_t)1 << 16;
        while (cap - s->len < n) {
            if (cap > SIZE_MAX / 2) return HDUMP_ERR_NOMEM;
            cap *= 2;
        }
        uint8_t *b = realloc(s->buf, cap);
        if (b == NULL) return HDUMP_ERR_NOMEM;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, p, n);
    cli_flip(s->buf + s->len, n, s->off, s->flip);
    s->len += n;
    s->off += n;
    return HDUMP_OK;
}

hdump_status cli_write_all(const hdump_gen_opts *go, hdump_sink sink, const char **who,
                           hdump_error *werr) {
    hdump_gen *g;
    hdump_writer *w;
    hdump_writer_opts wo;
    hdump_writer_opts_init(&wo);
    wo.kernel = cli_kernel();
    wo.version = go->version;
    const char *failed = "generator";
    hdump_status st = hdump_gen_new(go, &g);
    if (st == HDUMP_OK) {
        st = hdump_writer_new(&wo, sink, &w);
        if (st == HDUMP_OK) {
            st = hdump_gen_write(g, w);
            /* The writer's error is sticky: set, the writer (or its sink)
             * failed; clear, the generator did. */
            if (st != HDUMP_OK && hdump_writer_error(w)->code != HDUMP_OK) {
                failed = "writer";
                if (werr != NULL) *werr = *hdump_writer_error(w);
            }
            hdump_writer_free(w);
        } else {
            failed = "writer";
        }
        hdump_gen_free(g);
    }
    if (st != HDUMP_OK && who != NULL) *who = failed;
    return st;
}

/* A sink that passes everything on to `fd`, with --flip applied to a copy
 * of the one piece that holds that byte. */
typedef struct flip_sink {
    hdump_sink fd;
    uint64_t off, flip;
} flip_sink;

static hdump_status flip_write(void *ctx, const void *p, size_t n) {
    flip_sink *f = ctx;
    uint64_t at = f->off;
    f->off += n;
    if (!(f->flip >= at && f->flip - at < n)) return f->fd.write(f->fd.ctx, p, n);
    uint8_t *c = malloc(n);
    if (c == NULL) return HDUMP_ERR_NOMEM;
    memcpy(c, p, n);
    cli_flip(c, n, at, f->flip);
    hdump_status st = f->fd.write(f->fd.ctx, c, n);
    free(c);
    return st;
}

hdump_status cli_write_fd(const hdump_gen_opts *go, int fd, uint64_t flip, const char **who,
                             hdump_error *werr) {
    flip_sink fs = {hdump_sink_fd(fd), 0, flip};
    hdump_sink sink = {flip_write, &fs};
    return cli_write_all(go, sink, who, werr);
}

hdump_status cli_worker_start(cli_worker *w, void *(*fn)(void *), void *arg) {
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->th, NULL, fn, arg) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        return HDUMP_ERR_NOMEM;
    }
    return HDUMP_OK;
}

void cli_worker_stop(cli_worker *w, int *stop, const int *watch, int *seen) {
    pthread_mutex_lock(&w->mu);
    if (watch != NULL) *seen = *watch;
    *stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
}
