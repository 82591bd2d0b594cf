/* cli/stream.c: the byte streams of `hdump roundtrip`: --flip applied to
 * bytes on their way from the writer to the reader, and the growable stream
 * the memory and queue modes keep bytes in (cli.h). */
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
