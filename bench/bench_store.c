/* bench/bench_store.c: see bench_store.h. */
#include "bench_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bs_load_file(const char *path, uint8_t **data, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return -1;
    size_t cap = 1 << 20, n = 0;
    uint8_t *p = malloc(cap);
    for (;;) {
        if (p == NULL) break;
        if (n == cap) {
            uint8_t *q = realloc(p, cap * 2);
            if (q == NULL) {
                free(p);
                p = NULL;
                break;
            }
            p = q;
            cap *= 2;
        }
        size_t k = fread(p + n, 1, cap - n, f);
        n += k;
        if (k == 0) break;
    }
    int bad = p == NULL || ferror(f);
    fclose(f);
    if (bad) {
        free(p);
        if (errno == 0) errno = EIO;
        return -1;
    }
    *data = p;
    *len = n;
    return 0;
}

#define GROW(arr, n, cap, type)                                                      \
    do {                                                                             \
        if ((n) == (cap)) {                                                          \
            size_t nc_ = (cap) ? (cap) * 2 : 1024;                                   \
            type *np_ = realloc((arr), nc_ * sizeof(type));                          \
            if (np_ == NULL) return HDUMP_ERR_NOMEM;                                 \
            (arr) = np_;                                                             \
            (cap) = nc_;                                                             \
        }                                                                            \
    } while (0)

/* Copies a field list into the pool; returns the pool offset. */
static hdump_status keep_fields(bs_store *s, const hdump_fields *f, size_t *at) {
    *at = s->nfields;
    for (uint64_t i = 0; i < f->count; i++) {
        GROW(s->fields, s->nfields, s->capfields, hdump_field);
        s->fields[s->nfields++] = f->items[i];
    }
    return HDUMP_OK;
}

static hdump_status add_item(bs_store *s, bs_item it) {
    GROW(s->items, s->nitems, s->capitems, bs_item);
    s->items[s->nitems++] = it;
    return HDUMP_OK;
}

static hdump_status keep_record(bs_store *s, const hdump_record *in, uint32_t kind,
                                uint32_t aux) {
    GROW(s->recs, s->nrecs, s->caprecs, hdump_record);
    hdump_record *r = &s->recs[s->nrecs];
    *r = *in;
    hdump_fields *f = hdump_record_fields(r);
    if (f != NULL) {
        size_t at;
        hdump_status st = keep_fields(s, f, &at);
        if (st != HDUMP_OK) return st;
        /* pool offset for now; pointers are fixed once the pool stops moving */
        f->items = (const hdump_field *)(uintptr_t)at;
    }
    if (r->tag == HDUMP_TAG_MEMPROF) {
        size_t at = s->nframes;
        for (uint64_t i = 0; i < in->u.memprof.nstk; i++) {
            GROW(s->frames, s->nframes, s->capframes, hdump_memprof_frame);
            s->frames[s->nframes++] = in->u.memprof.stack[i];
        }
        r->u.memprof.stack = (const hdump_memprof_frame *)(uintptr_t)at;
    }
    bs_item it;
    memset(&it, 0, sizeof it);
    it.kind = kind;
    it.idx = (uint32_t)s->nrecs;
    it.aux = aux;
    s->nrecs++;
    return add_item(s, it);
}

hdump_status bs_decode(bs_store *s, const uint8_t *data, size_t len) {
    memset(s, 0, sizeof *s);
    s->input_bytes = len;
    hdump_reader *r;
    hdump_status st = hdump_reader_new_mem(NULL, data, len, &r);
    if (st != HDUMP_OK) return st;
    st = hdump_reader_version(r, &s->version);
    hdump_record rec;
    while (st == HDUMP_OK && (st = hdump_reader_next(r, &rec)) == HDUMP_OK) {
        s->records++;
        if (rec.tag == HDUMP_TAG_OBJECT && s->version != HDUMP_GO1_3) {
            bs_item it;
            memset(&it, 0, sizeof it);
            it.kind = BS_OBJECT;
            it.addr = rec.u.object.addr;
            it.ptr = rec.u.object.contents.ptr;
            it.len = rec.u.object.contents.len;
            it.nf = (uint32_t)rec.u.object.fields.count;
            st = keep_fields(s, &rec.u.object.fields, &it.f0);
            if (st == HDUMP_OK) st = add_item(s, it);
            s->objects++;
        } else if (rec.tag == HDUMP_TAG_TYPE) {
            st = keep_record(s, &rec, BS_TYPE, 0);
        } else if (rec.tag == HDUMP_TAG_ITAB) {
            /* the type this itab names, if a type record with its address came before */
            uint32_t t = UINT32_MAX;
            uint64_t ta = rec.u.itab.type_addr;
            for (size_t i = s->nitems; ta != 0 && i-- > 0;) {
                const bs_item *p = &s->items[i];
                if (p->kind == BS_TYPE && s->recs[p->idx].u.type.addr == ta) {
                    t = p->idx;
                    if (i + 1 == s->nitems) s->items[i].aux = 1;
                    break;
                }
            }
            st = keep_record(s, &rec, BS_ITAB, t);
        } else {
            if (rec.tag == HDUMP_TAG_OBJECT) s->objects++;
            st = keep_record(s, &rec, BS_RECORD, 0);
        }
    }
    hdump_reader_free(r);
    if (st != HDUMP_END) {
        bs_free(s);
        return st < 0 ? st : HDUMP_ERR_TRUNCATED;
    }
    s->records++; /* EOF */
    for (size_t i = 0; i < s->nrecs; i++) {
        hdump_record *q = &s->recs[i];
        hdump_fields *f = hdump_record_fields(q);
        if (f != NULL)
            f->items = f->count ? s->fields + (uintptr_t)f->items : NULL;
        if (q->tag == HDUMP_TAG_MEMPROF)
            q->u.memprof.stack =
                q->u.memprof.nstk ? s->frames + (uintptr_t)q->u.memprof.stack : NULL;
    }
    return HDUMP_OK;
}

void bs_free(bs_store *s) {
    free(s->items);
    free(s->recs);
    free(s->fields);
    free(s->frames);
    memset(s, 0, sizeof *s);
}

#if defined(__GNUC__)
#define HDI_BENCH_NOINLINE __attribute__((noinline))
#else
#define HDI_BENCH_NOINLINE
#endif

static uint32_t type_hash(uint64_t addr) {
    return (uint32_t)((addr * 0x9E3779B97F4A7C15ull) >> 32);
}

/* Every record that is not an object (rare: out of line). */
static HDI_BENCH_NOINLINE hdump_status put_other(const bs_store *s, const bs_item *it,
                                                 hdump_writer *w, int via_cache) {
    switch (it->kind) {
    case BS_TYPE:
        if (!via_cache) return hdump_writer_put(w, &s->recs[it->idx]);
        if (it->aux == 0) /* a type no itab follows: still through the cache */
            return hdump_writer_put_type(w, &s->recs[it->idx].u.type,
                                         type_hash(s->recs[it->idx].u.type.addr));
        return HDUMP_OK;
    case BS_ITAB:
        if (via_cache && it->aux != UINT32_MAX) {
            const hdump_type *t = &s->recs[it->aux].u.type;
            return hdump_writer_put_itab(w, &s->recs[it->idx].u.itab, t, type_hash(t->addr));
        }
        return hdump_writer_put(w, &s->recs[it->idx]);
    default: return hdump_writer_put(w, &s->recs[it->idx]);
    }
}

/* The replay loop; m NULL: every object with its list. Inlined into both
 * callers, so bs_replay's loop has no test for maps. */
static inline hdump_status replay(const bs_store *s, const bs_maps *m, hdump_writer *w,
                                  int via_cache) {
    hdump_status st = HDUMP_OK;
    for (size_t i = 0; i < s->nitems && st == HDUMP_OK; i++) {
        const bs_item *it = &s->items[i];
        if (it->kind == BS_OBJECT) {
            hdump_fields f;
            memset(&f, 0, sizeof f);
            if (m != NULL && m->at[i] != SIZE_MAX) {
                f.bitmap = m->bits + m->at[i];
                f.nwords = m->nwords[i];
                f.form = HDUMP_FIELDS_BITMAP1;
            } else {
                f.items = s->fields + it->f0;
                f.count = it->nf;
            }
            st = hdump_writer_put_object(w, it->addr, it->ptr, (size_t)it->len, &f);
        } else {
            st = put_other(s, it, w, via_cache);
        }
    }
    if (st == HDUMP_OK) st = hdump_writer_finish(w);
    return st;
}

hdump_status bs_replay(const bs_store *s, hdump_writer *w, int via_cache) {
    return replay(s, NULL, w, via_cache);
}

int bs_maps_build(const bs_store *s, bs_maps *m) {
    memset(m, 0, sizeof *m);
    m->at = malloc((s->nitems + 1) * sizeof *m->at);
    m->nwords = malloc((s->nitems + 1) * sizeof *m->nwords);
    if (m->at == NULL || m->nwords == NULL) {
        bs_maps_free(m);
        return -1;
    }
    size_t cap = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        const bs_item *it = &s->items[i];
        m->at[i] = SIZE_MAX;
        if (it->kind != BS_OBJECT || it->nf == 0) continue;
        const hdump_field *f = s->fields + it->f0;
        int ok = 1;
        for (uint32_t k = 0; k < it->nf && ok; k++)
            ok = f[k].kind == HDUMP_FIELD_PTR && f[k].offset % 8 == 0 &&
                 (k == 0 || f[k].offset > f[k - 1].offset) && f[k].offset / 8 < (1u << 26);
        if (!ok) continue;
        uint64_t nwords = f[it->nf - 1].offset / 8 + 1;
        size_t nbytes = (size_t)(nwords + 7) / 8;
        if (m->len + nbytes > cap) {
            size_t c = cap ? 2 * cap : 1 << 20;
            while (c < m->len + nbytes) c *= 2;
            uint8_t *p = realloc(m->bits, c);
            if (p == NULL) {
                bs_maps_free(m);
                return -1;
            }
            m->bits = p;
            cap = c;
        }
        uint8_t *b = m->bits + m->len;
        memset(b, 0, nbytes);
        for (uint32_t k = 0; k < it->nf; k++) {
            uint64_t wd = f[k].offset / 8;
            b[wd / 8] |= (uint8_t)(1u << (wd % 8));
        }
        m->at[i] = m->len;
        m->nwords[i] = nwords;
        m->len += nbytes;
        m->objects++;
    }
    return 0;
}

void bs_maps_free(bs_maps *m) {
    free(m->at);
    free(m->nwords);
    free(m->bits);
    memset(m, 0, sizeof *m);
}

hdump_status bs_replay_maps(const bs_store *s, const bs_maps *m, hdump_writer *w, int via_cache) {
    return replay(s, m, w, via_cache);
}

int bs_objects_build(bs_store *s, const bs_maps *m, hdump_object **out) {
    *out = NULL;
    if (s->objects == 0 || s->version == HDUMP_GO1_3) return 0;
    hdump_object *o = calloc((size_t)s->objects, sizeof *o);
    if (o == NULL) return -1;
    size_t k = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        const bs_item *it = &s->items[i];
        if (it->kind != BS_OBJECT) continue;
        o[k].addr = it->addr;
        o[k].contents.ptr = it->ptr;
        o[k].contents.len = it->len;
        o[k].fields.items = it->nf ? s->fields + it->f0 : NULL;
        o[k].fields.count = it->nf;
        if (m != NULL && m->at[i] != SIZE_MAX) {
            o[k].fields.items = NULL;
            o[k].fields.count = 0;
            o[k].fields.bitmap = m->bits + m->at[i];
            o[k].fields.nwords = m->nwords[i];
            o[k].fields.form = HDUMP_FIELDS_BITMAP1;
        }
        k++;
    }
    /* each run's first item keeps the run's length in idx (unused by objects) */
    for (size_t i = s->nitems; i-- > 0;)
        if (s->items[i].kind == BS_OBJECT)
            s->items[i].idx =
                i + 1 < s->nitems && s->items[i + 1].kind == BS_OBJECT ? s->items[i + 1].idx + 1 : 1;
    *out = o;
    return 0;
}

hdump_status bs_replay_objects(const bs_store *s, const hdump_object *objs, hdump_writer *w,
                               int via_cache) {
    hdump_status st = HDUMP_OK;
    size_t k = 0;
    for (size_t i = 0; i < s->nitems && st == HDUMP_OK;) {
        const bs_item *it = &s->items[i];
        if (it->kind == BS_OBJECT) {
            /* the run's length, found by bs_objects_build (no scan here) */
            st = hdump_writer_put_objects(w, objs + k, it->idx);
            k += it->idx;
            i += it->idx;
        } else {
            st = put_other(s, it, w, via_cache);
            i++;
        }
    }
    if (st == HDUMP_OK) st = hdump_writer_finish(w);
    return st;
}

/* Whether item it's list is a one-bit map's walk inside its contents
 * (Ptr at ascending multiples of 8 below its length). */
static int span_mappable(const bs_store *s, const bs_item *it) {
    const hdump_field *f = s->fields + it->f0;
    for (uint32_t k = 0; k < it->nf; k++)
        if (f[k].kind != HDUMP_FIELD_PTR || f[k].offset % 8 != 0 || f[k].offset / 8 >= it->len / 8 ||
            (k > 0 && f[k].offset <= f[k - 1].offset))
            return 0;
    return it->len > 0;
}

/* Objects [i, j) of a run that go in one span starting at item i. */
static size_t span_end(const bs_store *s, size_t i, size_t end) {
    const bs_item *a = &s->items[i];
    uint64_t last = 0;
    size_t j = i + 1;
    while (j < end) {
        const bs_item *b = &s->items[j];
        if (b->len != a->len || b->addr <= s->items[j - 1].addr || (b->addr - a->addr) % a->len ||
            (b->addr - a->addr) / a->len - last > 64 || !span_mappable(s, b))
            break;
        last = (b->addr - a->addr) / a->len;
        j++;
    }
    return j;
}

void bs_spans_free(bs_spans *p) {
    free(p->spans);
    free(p->run_item);
    free(p->run_len);
    free(p->run_span);
    free(p->pool);
    memset(p, 0, sizeof *p);
}

int bs_spans_build(const bs_store *s, bs_spans *p) {
    memset(p, 0, sizeof *p);
    if (s->version == HDUMP_GO1_3) return -2;
    size_t nruns = 0, nspans = 0, bytes = 0;
    /* pass 1: count the runs and spans, and size the pool */
    for (size_t i = 0; i < s->nitems;) {
        if (s->items[i].kind != BS_OBJECT) {
            i++;
            continue;
        }
        size_t end = i;
        while (end < s->nitems && s->items[end].kind == BS_OBJECT) end++;
        nruns++;
        while (i < end) {
            if (!span_mappable(s, &s->items[i])) return -2;
            size_t j = span_end(s, i, end);
            uint64_t e = s->items[i].len, nelem = (s->items[j - 1].addr - s->items[i].addr) / e + 1;
            bytes += (size_t)(nelem * e) + (size_t)(nelem + 7) / 8 + (size_t)(nelem * (e / 8) + 7) / 8;
            nspans++;
            i = j;
        }
    }
    p->spans = calloc(nspans + 1, sizeof *p->spans);
    p->run_item = calloc(nruns + 1, sizeof(size_t));
    p->run_len = calloc(nruns + 1, sizeof(size_t));
    p->run_span = calloc(nruns + 1, sizeof(size_t));
    p->pool = calloc(bytes + 1, 1);
    if (!p->spans || !p->run_item || !p->run_len || !p->run_span || !p->pool) {
        bs_spans_free(p);
        return -1;
    }
    /* pass 2: the spans, their memory and bits */
    uint8_t *at = p->pool;
    for (size_t i = 0; i < s->nitems;) {
        if (s->items[i].kind != BS_OBJECT) {
            i++;
            continue;
        }
        size_t end = i;
        while (end < s->nitems && s->items[end].kind == BS_OBJECT) end++;
        p->run_item[p->nruns] = i;
        p->run_len[p->nruns] = end - i;
        p->run_span[p->nruns++] = p->nspans;
        while (i < end) {
            size_t j = span_end(s, i, end);
            const bs_item *a = &s->items[i];
            hdump_span *sp = &p->spans[p->nspans++];
            uint64_t e = a->len, words = e / 8;
            sp->base = a->addr;
            sp->elem_size = e;
            sp->nelem = (s->items[j - 1].addr - a->addr) / e + 1;
            uint8_t *mem = at, *al = mem + sp->nelem * e, *pt = al + (sp->nelem + 7) / 8;
            at = pt + (sp->nelem * words + 7) / 8;
            for (size_t k = i; k < j; k++) {
                const bs_item *o = &s->items[k];
                uint64_t slot = (o->addr - a->addr) / e;
                memcpy(mem + slot * e, o->ptr, (size_t)e);
                al[slot / 8] |= (uint8_t)(1u << (slot % 8));
                const hdump_field *f = s->fields + o->f0;
                for (uint32_t q = 0; q < o->nf; q++) {
                    uint64_t b = slot * words + f[q].offset / 8;
                    pt[b / 8] |= (uint8_t)(1u << (b % 8));
                }
            }
            sp->mem = mem;
            sp->alloc = al;
            /* a span with no pointer at all is a runtime's noscan span,
             * which has no pointer bits to give */
            int any = 0;
            for (size_t q = 0; q < (size_t)(sp->nelem * words + 7) / 8 && !any; q++) any = pt[q] != 0;
            sp->ptrs = any ? pt : NULL;
            p->objects += j - i;
            i = j;
        }
    }
    p->run_span[p->nruns] = p->nspans;
    return 0;
}

hdump_status bs_replay_spans(const bs_store *s, const bs_spans *p, hdump_writer *w,
                             int via_cache) {
    hdump_status st = HDUMP_OK;
    size_t r = 0;
    for (size_t i = 0; i < s->nitems && st == HDUMP_OK;) {
        if (s->items[i].kind == BS_OBJECT) {
            st = hdump_writer_put_spans(w, p->spans + p->run_span[r],
                                        p->run_span[r + 1] - p->run_span[r]);
            i += p->run_len[r++];
        } else {
            st = put_other(s, &s->items[i], w, via_cache);
            i++;
        }
    }
    if (st == HDUMP_OK) st = hdump_writer_finish(w);
    return st;
}

hdump_status bs_generate(hdump_gen_profile p, uint64_t objects, uint64_t seed,
                         hdump_membuf *out) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    go.profile = p;
    go.objects = objects;
    go.seed = seed;
    hdump_gen *g;
    hdump_status st = hdump_gen_new(&go, &g);
    if (st != HDUMP_OK) return st;
    hdump_membuf_init(out, NULL);
    hdump_writer_opts wo;
    hdump_writer_opts_init(&wo);
    wo.buffer_size = 1 << 20;
    hdump_writer *w;
    st = hdump_writer_new(&wo, hdump_sink_membuf(out), &w);
    if (st == HDUMP_OK) {
        st = hdump_gen_write(g, w);
        hdump_writer_free(w);
    }
    hdump_gen_free(g);
    if (st != HDUMP_OK) hdump_membuf_free(out);
    return st;
}

const char *bs_cpu_model(void) {
    static char model[256];
    if (model[0]) return model;
    snprintf(model, sizeof model, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) return model;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        const char *c = strchr(line, ':');
        if (c == NULL) continue;
        c++;
        while (*c == ' ' || *c == '\t') c++;
        snprintf(model, sizeof model, "%s", c);
        size_t n = strlen(model);
        while (n > 0 && (model[n - 1] == '\n' || model[n - 1] == ' ')) model[--n] = 0;
        break;
    }
    fclose(f);
    return model;
}
