/* validate/golayout.c: the Go >= 1.22 heap-layout rules (docs/format.md
 * §2.5; format-notes §5.10; corpus/real/README.md "Objects vs MemStats").
 * Go 1.22 added malloc headers and moved the pointer bitmap of small
 * pointerful spans into the span's last bytes, without changing the header,
 * so the only way to know the rules apply is the params buildVersion. */
#include <stdlib.h>
#include <string.h>

#include "validate_internal.h"

/* Go's heap page; spans are runs of these, page-aligned, on every arch. */
#define PAGE_SIZE 8192u
/* Objects up to this size keep their pointer bitmap in the span
 * (runtime minSizeForMallocHeader); larger ones get a malloc header. */
#define HEAP_BITS_MAX 512u
/* The largest small size class; larger objects have their own span. */
#define SMALL_MAX 32768u

static int parse_uint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
    const uint8_t *q = *p;
    uint64_t x = 0;
    while (q < end && *q >= '0' && *q <= '9' && x < 100000) x = x * 10 + (uint64_t)(*q++ - '0');
    if (q == *p) return 0;
    *p = q;
    *v = x;
    return 1;
}

int hdi_vgo_at_least_122(const uint8_t *p, size_t n) {
    if (p == NULL) return 0;
    const uint8_t *end = p + n;
    /* Development builds: "devel go1.24-abcdef Tue ..." */
    if (n >= 6 && memcmp(p, "devel ", 6) == 0) p += 6;
    if (end - p < 3 || p[0] != 'g' || p[1] != 'o') return 0;
    p += 2;
    uint64_t major, minor;
    if (!parse_uint(&p, end, &major)) return 0;
    if (major != 1) return major > 1;
    if (p == end || *p != '.') return 0;
    p++;
    if (!parse_uint(&p, end, &minor)) return 0;
    return minor >= 22;
}

static int cmp_u64(const void *pa, const void *pb) {
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

/* 1 if key (len << 1 | 1) is in the sorted keys[0..n). */
static int has_key(const uint64_t *keys, size_t n, uint64_t key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && keys[lo] == key;
}

/* The rule measured on the committed 1.23 dumps (corpus/real/README.md):
 * in a page, among objects of one size <= 512 B, if some have fields, the
 * ones without are phantoms. We also require what the runtime's layout
 * implies: a phantom slot reaches into the page's last 8192/(8*ptrsize)
 * bytes, where the bitmap lives (all spans of these size classes are one
 * page), so a real fieldless object earlier in the page is never counted.
 * On the committed dumps both forms find exactly the same objects. */
static void page_run(hdi_vstate *s, size_t from, size_t to, uint64_t *keys) {
    size_t nk = 0;
    for (size_t i = from; i < to; i++) {
        uint64_t len = hdi_vobj_len(&s->objs[i]);
        if (len == 0 || len > HEAP_BITS_MAX) continue;
        keys[nk++] = len << 1 | ((s->objs[i].lenf & HDI_VOBJ_PTR) ? 1u : 0u);
    }
    if (nk < 2) return;
    qsort(keys, nk, sizeof *keys, cmp_u64);
    uint64_t tail = PAGE_SIZE - PAGE_SIZE / (8u * s->ptr_size);
    for (size_t i = from; i < to; i++) {
        hdi_vobj *o = &s->objs[i];
        uint64_t len = hdi_vobj_len(o);
        if (len == 0 || len > HEAP_BITS_MAX || (o->lenf & HDI_VOBJ_PTR)) continue;
        if (o->addr % PAGE_SIZE + len <= tail) continue;
        if (!has_key(keys, nk, len << 1 | 1u)) continue;
        o->lenf |= HDI_VOBJ_PHANTOM;
        s->phantoms++;
        s->phantom_bytes += len;
    }
}

hdump_status hdi_vgo_phantoms(hdi_vstate *s) {
    size_t i = 0;
    while (i < s->nobjs) {
        uint64_t page = s->objs[i].addr / PAGE_SIZE;
        size_t j = i + 1;
        while (j < s->nobjs && s->objs[j].addr / PAGE_SIZE == page) j++;
        if (j - i > s->scratch_cap) {
            void *p = s->scratch;
            HDI_TRY(hdi_grow(&s->a, &p, &s->scratch_cap, sizeof(uint64_t), j - i,
                             SIZE_MAX / sizeof(uint64_t)));
            s->scratch = p;
        }
        page_run(s, i, j, s->scratch);
        i = j;
    }
    return HDUMP_OK;
}

int hdi_vgo_malloc_header(const hdi_vstate *s, uint64_t len, const hdump_fields *f) {
    /* Large objects (> 32 KiB, own span) keep their type in the span and
     * start at offset 0; small ones over 512 B have the header in word 0, a
     * *_type that is not listed as a Ptr field. The first field is then at
     * 8 for most types but later when the type starts with scalars: on the
     * committed 1.23 dumps 113 of 122 / 24 of 32 / 7 of 10 such objects
     * have it at 8, the rest at 16..104; none at 0. */
    return len > HEAP_BITS_MAX && len <= SMALL_MAX && f->count > 0 &&
           f->items[0].offset >= s->ptr_size;
}
