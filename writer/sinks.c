/* writer/sinks.c: the built-in sinks. Each consumes all bytes or fails, so
 * the writer never counts bytes that were not delivered. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../common/internal.h"
#include "hdump/sink.h"

/* ---- fd: loops on short writes and EINTR ---- */
static hdump_status fd_write(void *ctx, const void *p, size_t n) {
    int fd = (int)(intptr_t)ctx;
    const uint8_t *q = p;
    while (n > 0) {
        ssize_t k = write(fd, q, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return HDUMP_ERR_IO;
        }
        if (k == 0) return HDUMP_ERR_IO;
        q += k;
        n -= (size_t)k;
    }
    return HDUMP_OK;
}

hdump_sink hdump_sink_fd(int fd) {
    hdump_sink s = {fd_write, (void *)(intptr_t)fd};
    return s;
}

/* ---- FILE* ---- */
static hdump_status file_write(void *ctx, const void *p, size_t n) {
    return fwrite(p, 1, n, (FILE *)ctx) == n ? HDUMP_OK : HDUMP_ERR_IO;
}

hdump_sink hdump_sink_file(FILE *f) {
    hdump_sink s = {file_write, f};
    return s;
}

/* ---- null ---- */
static hdump_status null_write(void *ctx, const void *p, size_t n) {
    (void)ctx;
    (void)p;
    (void)n;
    return HDUMP_OK;
}

hdump_sink hdump_sink_null(void) {
    hdump_sink s = {null_write, NULL};
    return s;
}

/* ---- growable memory ---- */
void hdump_membuf_init(hdump_membuf *m, const hdump_alloc *a) {
    memset(m, 0, sizeof *m);
    hdi_alloc_resolve(&m->alloc, a);
}

void hdump_membuf_free(hdump_membuf *m) {
    if (m->data) m->alloc.free(m->alloc.ctx, m->data, m->cap);
    m->data = NULL;
    m->len = m->cap = 0;
}

static hdump_status membuf_write(void *ctx, const void *p, size_t n) {
    hdump_membuf *m = ctx;
    size_t max = m->max ? m->max : SIZE_MAX;
    if (n > max - m->len) return HDUMP_ERR_NOSPACE;
    if (n > m->cap - m->len) {
        void *d = m->data;
        size_t cap = m->cap;
        hdump_status st = hdi_grow(&m->alloc, &d, &cap, 1, m->len + n, max);
        if (st != HDUMP_OK) return st;
        m->data = d;
        m->cap = cap;
    }
    memcpy(m->data + m->len, p, n);
    m->len += n;
    return HDUMP_OK;
}

hdump_sink hdump_sink_membuf(hdump_membuf *m) {
    hdump_sink s = {membuf_write, m};
    return s;
}

/* ---- fixed caller buffer ---- */
static hdump_status fixed_write(void *ctx, const void *p, size_t n) {
    hdump_fixedbuf *b = ctx;
    size_t room = b->cap - b->len;
    size_t k = n < room ? n : room;
    if (k) memcpy(b->data + b->len, p, k);
    b->len += k;
    return k == n ? HDUMP_OK : HDUMP_ERR_NOSPACE;
}

hdump_sink hdump_sink_fixed(hdump_fixedbuf *b) {
    hdump_sink s = {fixed_write, b};
    return s;
}
