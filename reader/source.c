/* reader/source.c: sources (memory, mmap, fd, FILE*, callback), reader
 * creation, and the streaming buffer (refill, compaction, growth). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/internal.h"
#include "reader_internal.h"

static const uint8_t empty_input[1] = {0};

/* ==== Options and creation ==== */

void hdump_reader_opts_init(hdump_reader_opts *o) {
    memset(o, 0, sizeof *o);
    o->limits.max_bytes = (uint64_t)1 << 40;
    o->limits.max_fields = (uint64_t)1 << 22;
    o->limits.max_records = UINT64_MAX;
    o->limits.max_record_bytes = (uint64_t)1 << 26;
    o->buffer_size = (size_t)256 << 10;
}

hdump_status hdi_rd_create(const hdump_reader_opts *o, hdump_reader **out) {
    if (out == NULL) return HDUMP_ERR_USAGE;
    *out = NULL;
    hdump_reader_opts d, def;
    hdump_reader_opts_init(&def);
    if (o == NULL) o = &def;
    d = *o;
    /* 0 means "default" for every limit (docs/limits.md). */
    if (d.limits.max_bytes == 0) d.limits.max_bytes = def.limits.max_bytes;
    if (d.limits.max_fields == 0) d.limits.max_fields = def.limits.max_fields;
    if (d.limits.max_records == 0) d.limits.max_records = def.limits.max_records;
    if (d.limits.max_record_bytes == 0) d.limits.max_record_bytes = def.limits.max_record_bytes;
    if (d.buffer_size == 0) d.buffer_size = def.buffer_size;
    if (d.buffer_size < 32) return HDUMP_ERR_USAGE;
    if (d.inline_max == 0) d.inline_max = d.buffer_size / 4;
    const hdi_varint_kernel *kern;
    HDI_TRY(hdi_varint_pick(d.kernel, &kern));

    hdump_alloc a;
    hdi_alloc_resolve(&a, d.alloc);
    hdump_reader *r = a.alloc(a.ctx, sizeof *r);
    if (r == NULL) return HDUMP_ERR_NOMEM;
    memset(r, 0, sizeof *r);
    r->a = a;
    r->lim = d.limits;
    r->strict = d.strict;
    r->inline_max = d.inline_max;
    r->on_range = d.on_range;
    r->on_range_ctx = d.on_range_ctx;
    r->kern = kern;
    r->pext = hdi_rd_pick_pext(kern);
    r->cap = d.buffer_size;
    r->size = UINT64_MAX;
    r->err.tag = UINT64_MAX;
    r->cur_tag = UINT64_MAX;
    r->base = r->p = r->end = empty_input;
    *out = r;
    return HDUMP_OK;
}

void hdump_reader_free(hdump_reader *r) {
    if (r == NULL) return;
    hdump_alloc a = r->a;
    if (r->buf) a.free(a.ctx, r->buf, r->cap);
    if (r->fields) a.free(a.ctx, r->fields, r->fields_cap * sizeof *r->fields);
    if (r->frames) a.free(a.ctx, r->frames, r->frames_cap * sizeof *r->frames);
    if (r->pool) a.free(a.ctx, r->pool, HDI_RD_POOL * sizeof *r->pool);
    hdi_unmap_file(r->map, r->map_len);
    a.free(a.ctx, r, sizeof *r);
}

/* ==== Memory and mmap: zero-copy, the window is the whole input ==== */

hdump_status hdump_reader_new_mem(const hdump_reader_opts *o, const void *data, size_t size,
                                  hdump_reader **out) {
    if (out != NULL) *out = NULL;
    if (data == NULL && size > 0) return HDUMP_ERR_USAGE;
    hdump_reader *r;
    HDI_TRY(hdi_rd_create(o, &r));
    if (size > 0) {
        r->base = r->p = data;
        r->end = r->base + size;
    }
    r->size = size;
    r->src_eof = 1;
    *out = r;
    return HDUMP_OK;
}

hdump_status hdump_reader_new_mmap(const hdump_reader_opts *o, const char *path,
                                   hdump_reader **out) {
    if (out != NULL) *out = NULL;
    if (path == NULL || out == NULL) return HDUMP_ERR_USAGE;
    const uint8_t *map;
    size_t len;
    HDI_TRY(hdi_map_file(path, &map, &len));
    hdump_status s = hdump_reader_new_mem(o, map, len, out);
    if (s != HDUMP_OK) {
        hdi_unmap_file(map, len);
        return s;
    }
    (*out)->map = map;
    (*out)->map_len = len;
    return HDUMP_OK;
}

/* ==== Streaming sources ==== */

static hdump_status fd_read(void *ctx, void *buf, size_t cap, size_t *got) {
    int fd = (int)(intptr_t)ctx;
    for (;;) {
        ssize_t k = read(fd, buf, cap);
        if (k >= 0) {
            *got = (size_t)k;
            return HDUMP_OK;
        }
        if (errno != EINTR) return HDUMP_ERR_IO;
    }
}

static hdump_status file_read(void *ctx, void *buf, size_t cap, size_t *got) {
    FILE *f = ctx;
    size_t k = fread(buf, 1, cap, f);
    *got = k;
    if (k == 0 && ferror(f)) return HDUMP_ERR_IO;
    return HDUMP_OK;
}

hdump_status hdump_reader_new_source(const hdump_reader_opts *o, hdump_source src,
                                     hdump_reader **out) {
    if (out != NULL) *out = NULL;
    if (src.read == NULL) return HDUMP_ERR_USAGE;
    hdump_reader *r;
    HDI_TRY(hdi_rd_create(o, &r));
    r->buf = r->a.alloc(r->a.ctx, r->cap);
    if (r->buf == NULL) {
        hdump_reader_free(r);
        return HDUMP_ERR_NOMEM;
    }
    r->streaming = 1;
    r->src = src;
    r->size = src.size;
    r->base = r->p = r->end = r->buf;
    *out = r;
    return HDUMP_OK;
}

hdump_status hdump_reader_new_fd(const hdump_reader_opts *o, int fd, hdump_reader **out) {
    if (out != NULL) *out = NULL;
    if (fd < 0) return HDUMP_ERR_USAGE;
    hdump_source s = {fd_read, (void *)(intptr_t)fd, UINT64_MAX};
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t pos = lseek(fd, 0, SEEK_CUR);
        if (pos >= 0 && st.st_size >= pos) s.size = (uint64_t)(st.st_size - pos);
    }
    return hdump_reader_new_source(o, s, out);
}

hdump_status hdump_reader_new_file(const hdump_reader_opts *o, FILE *f, hdump_reader **out) {
    if (out != NULL) *out = NULL;
    if (f == NULL) return HDUMP_ERR_USAGE;
    hdump_source s = {file_read, f, UINT64_MAX};
    return hdump_reader_new_source(o, s, out);
}

/* ==== The streaming buffer ==== */

/* Points a view that lay in the old kept region [lo, lo + klen) at the same
 * byte in its new place. Only the old pointer's value is used. */
static void fixup(hdump_bytes *v, uintptr_t lo, size_t klen, uint8_t *dst) {
    uintptr_t x = (uintptr_t)v->ptr;
    if (v->ptr != NULL && v->len > 0 && x - lo < klen) v->ptr = dst + (x - lo);
}

/* Moves the kept views and the unread bytes to the start of dst (which is
 * buf, or a new larger buffer), fixing up every view of the current record. */
static void relocate(hdump_reader *r, uint8_t *dst) {
    size_t klen = r->keep_lo ? (size_t)(r->keep_hi - r->keep_lo) : 0;
    size_t ulen = (size_t)(r->end - r->p);
    uint64_t p_off = hdi_rd_off(r, r->p);
    uintptr_t lo = (uintptr_t)r->keep_lo;
    if (klen) memmove(dst, r->keep_lo, klen);
    if (ulen) memmove(dst + klen, r->p, ulen);
    if (klen) {
        for (int i = 0; i < r->nviews; i++) fixup(r->views[i], lo, klen, dst);
        for (size_t i = 0; i < r->nframes_cur; i++) {
            fixup(&r->frames[i].func, lo, klen, dst);
            fixup(&r->frames[i].file, lo, klen, dst);
        }
        r->keep_lo = dst;
        r->keep_hi = dst + klen;
    }
    r->base = dst;
    r->p = dst + klen;
    r->end = r->p + ulen;
    r->off_adj = p_off - klen;
}

hdump_status hdi_rd_ensure(hdump_reader *r, size_t n) {
    if ((size_t)(r->end - r->p) >= n) return HDUMP_OK;
    if (!r->streaming) return HDUMP_OK;
    while (!r->src_eof && (size_t)(r->end - r->p) < n) {
        size_t klen = r->keep_lo ? (size_t)(r->keep_hi - r->keep_lo) : 0;
        size_t ulen = (size_t)(r->end - r->p);
        if ((size_t)(r->buf + r->cap - r->end) < n - ulen) {
            /* The tail is too small: compact, or grow when the kept views
             * plus the item do not fit (bounded by max_record_bytes). */
            if (klen + n > r->cap) {
                if ((uint64_t)klen + n > r->lim.max_record_bytes)
                    return hdi_rd_fail(r, HDUMP_ERR_LIMIT, hdi_rd_off(r, r->p),
                                       "record keeps more than max_record_bytes in the buffer");
                /* Double, but never past max_record_bytes: the limit is a
                 * hard cap on the buffer (docs/limits.md). */
                size_t ncap = r->cap * 2;
                if ((uint64_t)ncap > r->lim.max_record_bytes) ncap = (size_t)r->lim.max_record_bytes;
                if (ncap < klen + n) ncap = klen + n;
                uint8_t *nb = r->a.alloc(r->a.ctx, ncap);
                if (nb == NULL)
                    return hdi_rd_fail(r, HDUMP_ERR_NOMEM, hdi_rd_off(r, r->p),
                                       "cannot grow the read buffer");
                relocate(r, nb);
                r->a.free(r->a.ctx, r->buf, r->cap);
                r->buf = nb;
                r->cap = ncap;
            } else {
                relocate(r, r->buf);
            }
        }
        size_t room = (size_t)(r->buf + r->cap - r->end);
        size_t got = 0;
        hdump_status st = r->src.read(r->src.ctx, (uint8_t *)r->end, room, &got);
        if (st != HDUMP_OK || got > room)
            return hdi_rd_fail(r, HDUMP_ERR_IO, hdi_rd_off(r, r->end), "read from source failed");
        if (got == 0) r->src_eof = 1;
        r->end += got;
    }
    return HDUMP_OK;
}
