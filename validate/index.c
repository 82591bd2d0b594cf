/* validate/index.c: the tables pass 1 fills and pass 2 looks addresses up
 * in: the object index (16 bytes per object, sorted by address), sets of
 * goroutine/type/itab addresses, and the merged data/bss/stack ranges. */
#include <stdlib.h>

#include "validate_internal.h"

/* ==== Objects ==== */

hdump_status hdi_vidx_push(hdi_vstate *s, uint64_t addr, uint64_t len, int has_fields) {
    if (len > HDI_VOBJ_LEN_MAX) return HDUMP_ERR_LIMIT; /* cannot be in memory */
    if (s->nobjs == s->objs_cap) {
        size_t max = SIZE_MAX / sizeof(hdi_vobj);
        if (s->max_objects < (uint64_t)max) max = (size_t)s->max_objects;
        if (s->nobjs >= max) return HDUMP_ERR_LIMIT;
        void *p = s->objs;
        HDI_TRY(hdi_grow(&s->a, &p, &s->objs_cap, sizeof(hdi_vobj), s->nobjs + 1, max));
        s->objs = p;
    }
    s->objs[s->nobjs].addr = addr;
    s->objs[s->nobjs].lenf = len | (has_fields ? HDI_VOBJ_PTR : 0);
    s->nobjs++;
    return HDUMP_OK;
}

static int cmp_obj(const void *pa, const void *pb) {
    const hdi_vobj *a = pa, *b = pb;
    if (a->addr != b->addr) return a->addr < b->addr ? -1 : 1;
    uint64_t la = hdi_vobj_len(a), lb = hdi_vobj_len(b);
    return la < lb ? -1 : la > lb;
}

void hdi_vidx_seal(hdi_vstate *s) {
    if (s->nobjs > 1) qsort(s->objs, s->nobjs, sizeof *s->objs, cmp_obj);
    /* One sweep with the furthest end seen so far finds every object that
     * starts inside an earlier one, however far back that one starts. */
    uint64_t maxend = 0;
    for (size_t i = 0; i < s->nobjs; i++) {
        hdi_vobj *o = &s->objs[i];
        if (i > 0 && maxend > o->addr) o->lenf |= HDI_VOBJ_COVERED;
        uint64_t e = hdi_vend(o->addr, hdi_vobj_len(o));
        if (e > maxend) maxend = e;
    }
}

/* First index whose address is >= addr. */
static size_t lower_bound(const hdi_vstate *s, uint64_t addr) {
    size_t lo = 0, hi = s->nobjs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->objs[mid].addr < addr) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

size_t hdi_vidx_find(const hdi_vstate *s, uint64_t addr, uint64_t len) {
    for (size_t i = lower_bound(s, addr); i < s->nobjs && s->objs[i].addr == addr; i++)
        if (hdi_vobj_len(&s->objs[i]) == len) return i;
    return SIZE_MAX;
}

int hdi_vidx_overlaps(const hdi_vstate *s, size_t i) {
    const hdi_vobj *o = &s->objs[i];
    if (o->lenf & HDI_VOBJ_COVERED) return 1;
    /* Another object at the same address (the sweep marks only the later
     * ones of such a run, and which one is "later" is arbitrary). */
    if (i > 0 && s->objs[i - 1].addr == o->addr) return 1;
    size_t j = i + 1;
    if (j < s->nobjs && s->objs[j].addr == o->addr) return 1;
    /* A later object that starts before this one ends. */
    return j < s->nobjs && s->objs[j].addr < hdi_vend(o->addr, hdi_vobj_len(o));
}

int hdi_vidx_contains(const hdi_vstate *s, uint64_t v) {
    size_t i = lower_bound(s, v);
    /* objs[i] starts at or after v: v is inside it only when equal. */
    if (i < s->nobjs && s->objs[i].addr == v && hdi_vobj_len(&s->objs[i]) > 0) return 1;
    if (i == 0) return 0;
    const hdi_vobj *o = &s->objs[i - 1];
    return v - o->addr < hdi_vobj_len(o);
}

/* ==== Address sets ==== */

hdump_status hdi_vset_push(const hdump_alloc *a, hdi_vset *set, uint64_t x) {
    if (set->n == set->cap) {
        void *p = set->v;
        HDI_TRY(hdi_grow(a, &p, &set->cap, sizeof(uint64_t), set->n + 1,
                         SIZE_MAX / sizeof(uint64_t)));
        set->v = p;
    }
    set->v[set->n++] = x;
    return HDUMP_OK;
}

static int cmp_u64(const void *pa, const void *pb) {
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

void hdi_vset_seal(hdi_vset *set) {
    if (set->n > 1) qsort(set->v, set->n, sizeof *set->v, cmp_u64);
}

int hdi_vset_has(const hdi_vset *set, uint64_t x) {
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->v[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo < set->n && set->v[lo] == x;
}

/* ==== Ranges ==== */

hdump_status hdi_vranges_push(const hdump_alloc *a, hdi_vranges *r, uint64_t lo, uint64_t hi) {
    if (hi <= lo) return HDUMP_OK;
    if (r->n == r->cap) {
        void *p = r->v;
        HDI_TRY(hdi_grow(a, &p, &r->cap, sizeof(hdi_vrange), r->n + 1,
                         SIZE_MAX / sizeof(hdi_vrange)));
        r->v = p;
    }
    r->v[r->n].lo = lo;
    r->v[r->n].hi = hi;
    r->n++;
    return HDUMP_OK;
}

static int cmp_range(const void *pa, const void *pb) {
    const hdi_vrange *a = pa, *b = pb;
    if (a->lo != b->lo) return a->lo < b->lo ? -1 : 1;
    return a->hi < b->hi ? -1 : a->hi > b->hi;
}

void hdi_vranges_seal(hdi_vranges *r) {
    if (r->n < 2) return;
    qsort(r->v, r->n, sizeof *r->v, cmp_range);
    size_t k = 0;
    for (size_t i = 1; i < r->n; i++) {
        if (r->v[i].lo <= r->v[k].hi) {
            if (r->v[i].hi > r->v[k].hi) r->v[k].hi = r->v[i].hi;
        } else {
            r->v[++k] = r->v[i];
        }
    }
    r->n = k + 1;
}

int hdi_vranges_has(const hdi_vranges *r, uint64_t v) {
    /* Last range with lo <= v; merged ranges are disjoint. */
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->v[mid].lo <= v) lo = mid + 1;
        else hi = mid;
    }
    return lo > 0 && v < r->v[lo - 1].hi;
}

void hdi_vstate_free(hdi_vstate *s) {
    const hdump_alloc *a = &s->a;
    if (s->objs) a->free(a->ctx, s->objs, s->objs_cap * sizeof *s->objs);
    if (s->ranges.v) a->free(a->ctx, s->ranges.v, s->ranges.cap * sizeof *s->ranges.v);
    if (s->gs.v) a->free(a->ctx, s->gs.v, s->gs.cap * sizeof *s->gs.v);
    if (s->types.v) a->free(a->ctx, s->types.v, s->types.cap * sizeof *s->types.v);
    if (s->itabs.v) a->free(a->ctx, s->itabs.v, s->itabs.cap * sizeof *s->itabs.v);
    if (s->scratch) a->free(a->ctx, s->scratch, s->scratch_cap * sizeof *s->scratch);
    s->objs = NULL;
    s->ranges.v = NULL;
    s->gs.v = s->types.v = s->itabs.v = NULL;
    s->scratch = NULL;
}
