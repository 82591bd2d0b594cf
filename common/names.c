/* common/names.c: status strings, version headers and tag names. */
#include <string.h>

#include "internal.h"

/* docs/format.md §2: the five headers; go1.7 is still written by Go 1.23. */
static const char *const headers[8] = {
    NULL, NULL, NULL, "go1.3 heap dump\n", "go1.4 heap dump\n",
    "go1.5 heap dump\n", "go1.6 heap dump\n", "go1.7 heap dump\n",
};
static const char *const vnames[8] = {NULL, NULL, NULL, "go1.3", "go1.4", "go1.5", "go1.6", "go1.7"};

static const char *const tags[HDUMP_TAG_COUNT] = {
    "eof",      "object",   "otherroot", "type",  "goroutine", "stackframe",
    "params",   "finalizer", "itab",     "osthread", "memstats", "queuedfinalizer",
    "data",     "bss",      "defer",     "panic", "memprof",   "allocsample",
};

const char *hdump_version_header(hdump_version v) {
    return ((unsigned)v < 8) ? headers[v] : NULL;
}

const char *hdump_version_name(hdump_version v) {
    return ((unsigned)v < 8) ? vnames[v] : NULL;
}

const char *hdump_tag_name(uint64_t tag) {
    return tag < HDUMP_TAG_COUNT ? tags[tag] : NULL;
}

int hdi_header_version(const uint8_t *h) {
    for (int v = HDUMP_GO1_3; v <= HDUMP_GO1_7; v++)
        if (memcmp(h, headers[v], HDUMP_HEADER_SIZE) == 0) return v;
    return 0;
}

int hdi_header_prefix_ok(const uint8_t *h, size_t n) {
    for (int v = HDUMP_GO1_3; v <= HDUMP_GO1_7; v++)
        if (memcmp(h, headers[v], n) == 0) return 1;
    return 0;
}

const char *hdump_status_str(hdump_status st) {
    switch (st) {
    case HDUMP_OK: return "ok";
    case HDUMP_END: return "end of dump";
    case HDUMP_ERR_TRUNCATED: return "truncated input";
    case HDUMP_ERR_VARINT: return "malformed uvarint";
    case HDUMP_ERR_TAG: return "unknown record tag";
    case HDUMP_ERR_FIELD_KIND: return "unknown field kind";
    case HDUMP_ERR_LIMIT: return "limit exceeded";
    case HDUMP_ERR_HEADER: return "bad header";
    case HDUMP_ERR_TRAILING: return "data after EOF record";
    case HDUMP_ERR_IO: return "I/O error";
    case HDUMP_ERR_NOMEM: return "out of memory";
    case HDUMP_ERR_USAGE: return "API misuse";
    case HDUMP_ERR_NOSPACE: return "output buffer full";
    case HDUMP_ERR_UNSUPPORTED: return "unsupported";
    case HDUMP_ERR_NONCANONICAL: return "non-canonical uvarint";
    }
    return "unknown status";
}
