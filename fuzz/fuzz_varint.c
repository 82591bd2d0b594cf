/* fuzz/fuzz_varint.c: every varint kernel against the scalar kernel and
 * against a tiny reference with Go's encoding/binary semantics.
 *
 * Encode: values from the input's tail (mostly 7-bit boundary edges) are
 * encoded by every kernel this CPU runs into an exact-size buffer of
 * HDUMP_VARINT_ENCODE_BOUND(n) bytes (so ASan sees slop overruns); the bytes
 * and the length must equal Go's PutUvarint, and every kernel must decode
 * them back to the values with used == length.
 * Decode: the input's front, copied to an exact-size buffer (so ASan sees any
 * read at or past src + avail), is decoded as n uvarints by every kernel; the
 * status, `used` and the values before the first bad one must equal the
 * reference (Go's Uvarint: at most 10 bytes, overflow when the 10th byte is
 * > 1 or an 11th byte is needed; running out of input is truncation), with
 * one documented difference: input that ends after 10 continuation bytes is
 * HDUMP_ERR_VARINT in hdump (the 10th byte is > 1), "too small" in Go. */
#include "fuzz_common.h"

#define MAXN 256

/* Go 1.21 encoding/binary.Uvarint: (value, n); n == 0: buffer too small;
 * n < 0: overflow, -n bytes read. */
static uint64_t go_uvarint(const uint8_t *buf, size_t len, int *n) {
    uint64_t x = 0;
    unsigned s = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = buf[i];
        if (i == 10) {
            *n = -(int)(i + 1);
            return 0;
        }
        if (b < 0x80) {
            if (i == 9 && b > 1) {
                *n = -(int)(i + 1);
                return 0;
            }
            *n = (int)(i + 1);
            return x | (uint64_t)b << s;
        }
        x |= (uint64_t)(b & 0x7f) << s;
        s += 7;
    }
    *n = 0;
    return 0;
}

static size_t go_put_uvarint(uint8_t *buf, uint64_t x) {
    size_t i = 0;
    while (x >= 0x80) {
        buf[i++] = (uint8_t)(x | 0x80);
        x >>= 7;
    }
    buf[i++] = (uint8_t)x;
    return i;
}

static const char *kernels[8];
static size_t nkernels;

static void init_kernels(void) {
    if (nkernels) return;
    for (size_t i = 0; i < hdump_kernel_count() && nkernels < 8; i++)
        if (hdump_kernel_supported(hdump_kernel_name(i))) kernels[nkernels++] = hdump_kernel_name(i);
    FZ_CHECK(nkernels > 0 && strcmp(kernels[nkernels - 1], "scalar") == 0,
             "scalar kernel missing or not last");
}

static void check_encode(const uint64_t *vals, size_t n) {
    uint8_t ref[MAXN * 10];
    size_t rlen = 0;
    for (size_t i = 0; i < n; i++) rlen += go_put_uvarint(ref + rlen, vals[i]);
    size_t cap = HDUMP_VARINT_ENCODE_BOUND(n);
    for (size_t k = 0; k < nkernels; k++) {
        uint8_t *dst = malloc(cap);
        FZ_CHECK(dst != NULL, "malloc");
        size_t written = 0;
        hdump_status st = hdump_varint_encode(kernels[k], dst, vals, n, &written);
        FZ_CHECK(st == HDUMP_OK, "%s encode: %s", kernels[k], hdump_status_str(st));
        FZ_CHECK(written == rlen && (rlen == 0 || memcmp(dst, ref, rlen) == 0),
                 "%s encode of %zu values: %zu bytes, Go's PutUvarint %zu", kernels[k], n, written,
                 rlen);
        free(dst);
        /* decode Go's bytes back from an exact-size copy */
        uint8_t *src = malloc(rlen ? rlen : 1);
        uint64_t *out = malloc((n ? n : 1) * sizeof *out);
        FZ_CHECK(src != NULL && out != NULL, "malloc");
        if (rlen) memcpy(src, ref, rlen);
        size_t used = 0;
        st = hdump_varint_decode(kernels[k], out, n, src, rlen, &used);
        FZ_CHECK(st == HDUMP_OK && used == rlen, "%s decode of encoded values: %s used %zu/%zu",
                 kernels[k], hdump_status_str(st), used, rlen);
        for (size_t i = 0; i < n; i++)
            FZ_CHECK(out[i] == vals[i], "%s decode value %zu: %llu, wrote %llu", kernels[k], i,
                     (unsigned long long)out[i], (unsigned long long)vals[i]);
        free(src);
        free(out);
    }
}

static void check_decode(const uint8_t *bytes, size_t len, size_t n) {
    /* reference */
    uint64_t ref[MAXN];
    size_t pos = 0, good = 0;
    hdump_status rst = HDUMP_OK;
    for (; good < n; good++) {
        int k;
        ref[good] = go_uvarint(bytes + pos, len - pos, &k);
        if (k == 0) {
            /* Go stops short ("buffer too small") when the input ends after
             * 10 continuation bytes; hdump already knows such a value is
             * malformed (kernel.h: a 10th byte > 1), so it says VARINT.
             * corpus/varint/ten_continuation_bytes_at_end pins this. */
            rst = len - pos >= 10 ? HDUMP_ERR_VARINT : HDUMP_ERR_TRUNCATED;
            break;
        }
        if (k < 0) {
            rst = HDUMP_ERR_VARINT;
            break;
        }
        pos += (size_t)k;
    }
    uint8_t *src = malloc(len ? len : 1);
    uint64_t *out = malloc((n ? n : 1) * sizeof *out);
    FZ_CHECK(src != NULL && out != NULL, "malloc");
    if (len) memcpy(src, bytes, len);
    for (size_t k = 0; k < nkernels; k++) {
        size_t used = (size_t)-1;
        hdump_status st = hdump_varint_decode(kernels[k], out, n, len ? src : NULL, len, &used);
        if (len == 0 && n > 0 && st == HDUMP_ERR_USAGE) continue; /* NULL src, documented */
        FZ_CHECK(st == rst && used == pos,
                 "%s decode of %zu values from %zu bytes: %s used %zu; Go: %s at %zu (value %zu)",
                 kernels[k], n, len, hdump_status_str(st), used, hdump_status_str(rst), pos, good);
        for (size_t i = 0; i < good; i++)
            FZ_CHECK(out[i] == ref[i], "%s value %zu: %llu, Go %llu", kernels[k], i,
                     (unsigned long long)out[i], (unsigned long long)ref[i]);
    }
    free(src);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    init_kernels();
    fdp p = fdp_init(data, size);
    size_t n_dec = (size_t)fdp_range(&p, 0, MAXN);
    size_t n_enc = (size_t)fdp_range(&p, 0, 64);
    uint64_t vals[MAXN];
    for (size_t i = 0; i < n_enc; i++) vals[i] = fdp_edge_u64(&p);
    check_encode(vals, n_enc);
    size_t len;
    const uint8_t *bytes = fdp_bytes(&p, fdp_remaining(&p), &len);
    check_decode(bytes, len, n_dec);
    return 0;
}
