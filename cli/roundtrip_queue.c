/* cli/roundtrip_queue.c: `hdump roundtrip --via queue`, on two cores.
 *
 * The generator runs once, on its own thread, and deep-copies every record
 * into a queue of chunks (hdump_record_copy; an object's contents are not
 * copied when they are a window on the generator's stable noise table,
 * hdump_gen_stable). The main thread takes the records from the queue,
 * writes them with the runtime's 4 KiB buffer policy, and reads them back:
 * the reader's source callback drives the writer, whose sink stores straight
 * into the reader's buffer, so the dump's bytes are copied once between the
 * two. Every record read is then compared with the queued record it was
 * written from (rt_expect).
 *
 * Two cursors walk the queue on the main thread: `w` (taken and written) and
 * `c` (compared), c never past w. A chunk is released once c leaves it:
 * 1 MiB chunks go to a spare list the generator takes from before it
 * allocates (no malloc, free and fresh page faults per MiB; the chunks
 * allocated never pass what the queue's bound let be in use), larger ones
 * are freed. The generator publishes every RT_PUBLISH bytes under the lock,
 * and waits while the chunks in use reach RT_QUEUE_BYTES, publishing first. It cannot wait
 * forever: the callback takes records only until it has RT_READ_MIN bytes
 * for the reader (or the reader's room), so the written-but-not-compared
 * records are a few dozen KiB of dump, far below the queue's bound; a record
 * larger than a chunk gets a chunk of its own. Memory: the queue's 8 MiB, the
 * reader's buffer and the largest record's bytes kept back for the reader. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define RT_CHUNK ((size_t)1 << 20)
#define RT_QUEUE_BYTES ((size_t)8 << 20)
#define RT_PUBLISH ((size_t)64 << 10)
#define RT_READ_MIN ((size_t)64 << 10)
#define RT_PREFETCH ((size_t)4 << 10)

typedef struct rt_chunk {
    struct rt_chunk *next; /* set by the generator before it seals this one  */
    size_t cap;            /* bytes of data                                  */
    size_t len;            /* bytes published (under mu)                     */
    size_t end;            /* main: where the w cursor left it, else SIZE_MAX */
    int sealed;            /* nothing more will be added (under mu)          */
    uint64_t data[];       /* entries: a uint64_t size, then a record copy   */
} rt_chunk;

/* The three groups of fields start on cache lines of their own (RT_LINE):
 * each thread writes its own group on every record, and sharing a line with
 * the other thread's fields would send it between the cores each time
 * (false sharing: in a profile, half the generator thread's samples were
 * loads of its own fields; 10 M small objects took 1.56-1.74 s before the
 * split, 1.17-1.53 s after). */
#define RT_LINE 64
struct rt_threads {
    cli_worker wk; /* the generator thread, and the lock of what follows */
    /* shared, under mu */
    rt_chunk *head, *tail, *spare;
    size_t in_use;
    int done, stop;
    int starved; /* the main thread waits for a record */
    hdump_status gst;
    int halted; /* the generator saw stop */
    /* the generator's */
    _Alignas(RT_LINE) hdump_gen *g;
    hdump_version v;
    hdump_bytes stable;
    size_t gpos, gpub;
    /* the main thread's */
    _Alignas(RT_LINE) rt_chunk *wc, *cc;
    size_t wpos, wavail, cpos;
    size_t pf; /* queue bytes of wc prefetched: [wpos, pf) */
    uint64_t written, compared;
    hdump_writer *w;
    int finished;
    hdump_status wst;
    uint8_t *dst; /* the reader's buffer during a callback */
    size_t room, got;
    cli_stream pend; /* what the sink had no room for; its off counts */
    size_t ppos;     /* every byte the writer gave, flip is --flip      */
};

/* ---- the generator's side ---- */

static void rt_publish_locked(rt_threads *t) {
    if (t->tail != NULL) t->tail->len = t->gpos;
    t->gpub = t->gpos;
    pthread_cond_broadcast(&t->wk.cv);
}

/* A new chunk for at least n bytes, once the queue has room. Returns NULL
 * when the main thread has stopped (t->halted) or memory ran out. */
static uint8_t *rt_new_chunk(rt_threads *t, size_t n) {
    size_t cap = n > RT_CHUNK ? n : RT_CHUNK;
    pthread_mutex_lock(&t->wk.mu);
    rt_publish_locked(t);
    while (t->in_use > 0 && t->in_use + cap > RT_QUEUE_BYTES && !t->stop && !t->starved)
        pthread_cond_wait(&t->wk.cv, &t->wk.mu);
    rt_chunk *c = NULL;
    if (!t->stop && cap == RT_CHUNK && t->spare != NULL) {
        c = t->spare;
        t->spare = c->next;
    }
    t->halted = t->stop;
    if (!t->halted) t->in_use += cap;
    pthread_mutex_unlock(&t->wk.mu);
    if (t->halted) return NULL;
    if (c == NULL) c = malloc(sizeof *c + cap);
    if (c == NULL) return NULL;
    c->next = NULL;
    c->cap = cap;
    c->len = 0;
    c->end = SIZE_MAX;
    c->sealed = 0;
    pthread_mutex_lock(&t->wk.mu);
    if (t->tail != NULL) {
        t->tail->next = c;
        t->tail->sealed = 1;
    } else {
        t->head = c;
    }
    t->tail = c;
    t->gpos = t->gpub = 0;
    pthread_cond_broadcast(&t->wk.cv);
    pthread_mutex_unlock(&t->wk.mu);
    return (uint8_t *)c->data;
}

/* Queues a deep copy of *rec: a size word, then the copy. */
static hdump_status rt_push(rt_threads *t, const hdump_record *rec) {
    const hdump_object *o = &rec->u.object;
    hdump_record tmp;
    const hdump_record *src = rec;
    if (rec->tag == HDUMP_TAG_OBJECT && o->contents.len > 0 && o->contents.ptr >= t->stable.ptr &&
        o->contents.len <= t->stable.len &&
        o->contents.ptr <= t->stable.ptr + (t->stable.len - o->contents.len)) {
        /* A window on the stable table: copied as a streamed range (ptr
         * NULL, nothing copied), then pointed at the table again. */
        memcpy(&tmp, rec, hdump_record_struct_size(HDUMP_TAG_OBJECT));
        tmp.u.object.contents.ptr = NULL;
        src = &tmp;
    }
    size_t room = t->tail != NULL ? t->tail->cap - t->gpos : 0;
    uint8_t *at = t->tail != NULL ? (uint8_t *)t->tail->data + t->gpos : NULL;
    size_t need = 0;
    hdump_status st = room > 8 ? hdump_record_copy(t->v, src, at + 8, room - 8, &need)
                               : hdump_record_copy(t->v, src, NULL, 0, &need);
    if (st == HDUMP_ERR_LIMIT) { /* not in this chunk: the next one */
        if (need > SIZE_MAX - 8) return HDUMP_ERR_LIMIT;
        at = rt_new_chunk(t, need + 8);
        if (at == NULL) return t->halted ? HDUMP_OK : HDUMP_ERR_NOMEM;
        st = hdump_record_copy(t->v, src, at + 8, need, &need);
    }
    if (st != HDUMP_OK) return st;
    if (src == &tmp) ((hdump_record *)(void *)(at + 8))->u.object.contents.ptr = o->contents.ptr;
    uint64_t sz = need;
    memcpy(at, &sz, 8);
    t->gpos += need + 8;
    if (t->gpos - t->gpub >= RT_PUBLISH) {
        pthread_mutex_lock(&t->wk.mu);
        rt_publish_locked(t);
        pthread_mutex_unlock(&t->wk.mu);
    }
    return HDUMP_OK;
}

static void *rt_generate(void *arg) {
    rt_threads *t = arg;
    hdump_status st;
    hdump_record rec;
    do {
        st = hdump_gen_next(t->g, &rec);
        if (st != HDUMP_OK && st != HDUMP_END) break;
        hdump_status ps = rt_push(t, &rec);
        if (ps != HDUMP_OK) st = ps;
    } while (st == HDUMP_OK && !t->halted);
    pthread_mutex_lock(&t->wk.mu);
    rt_publish_locked(t);
    if (t->tail != NULL) t->tail->sealed = 1;
    t->done = 1;
    t->gst = st == HDUMP_END ? HDUMP_OK : st;
    pthread_cond_broadcast(&t->wk.cv);
    pthread_mutex_unlock(&t->wk.mu);
    return NULL;
}

/* ---- the main thread's side ---- */

/* The entry at *pos of chunk c (its size word, then a record copy); moves
 * *pos past it. */
static const hdump_record *rt_entry(const rt_chunk *c, size_t *pos) {
    const uint8_t *e = (const uint8_t *)c->data + *pos;
    uint64_t sz;
    memcpy(&sz, e, 8);
    *pos += 8 + (size_t)sz;
    return (const hdump_record *)(const void *)(e + 8);
}

/* The next queued record for the writer, or NULL when there is none (the
 * generator ended, or failed: t->gst). */
static const hdump_record *rt_take(rt_threads *t) {
    if (t->wc == NULL || t->wpos == t->wavail) {
        pthread_mutex_lock(&t->wk.mu);
        for (;;) {
            if (t->wc == NULL) t->wc = t->head;
            if (t->wc != NULL) {
                t->wavail = t->wc->len;
                if (t->wpos < t->wavail) break;
                if (t->wc->sealed && t->wc->next != NULL) {
                    t->wc->end = t->wpos;
                    t->wc = t->wc->next;
                    t->wpos = 0;
                    t->pf = 0;
                    continue;
                }
            }
            if (t->done) break;
            t->starved = 1; /* the generator must not wait for room now */
            pthread_cond_broadcast(&t->wk.cv);
            pthread_cond_wait(&t->wk.cv, &t->wk.mu);
            t->starved = 0;
        }
        pthread_mutex_unlock(&t->wk.mu);
        if (t->wc == NULL || t->wpos == t->wavail) return NULL;
    }
    t->written++;
    /* The queue's bytes were written by the other core: ask for them
     * RT_PREFETCH ahead, or every record's first touch waits for a line to
     * come across (10 M small objects: 2.0 s without, 1.56-1.74 s with). */
    size_t lim = t->wavail - t->wpos > RT_PREFETCH ? t->wpos + RT_PREFETCH : t->wavail;
    if (t->pf < t->wpos) t->pf = t->wpos;
    for (; t->pf < lim; t->pf += RT_LINE) __builtin_prefetch((const uint8_t *)t->wc->data + t->pf);
    return rt_entry(t->wc, &t->wpos);
}

const hdump_record *rt_expect(rt_threads *t) {
    if (t->compared == t->written) return NULL;
    if (t->cc == NULL) t->cc = t->head; /* head is stable once w has taken */
    if (t->cpos == t->cc->end) {         /* w has left this chunk: free it  */
        rt_chunk *c = t->cc;
        pthread_mutex_lock(&t->wk.mu);
        rt_chunk *next = c->next; /* before the generator may reuse c */
        t->head = next;
        t->in_use -= c->cap;
        if (c->cap == RT_CHUNK) {
            c->next = t->spare;
            t->spare = c;
            c = NULL;
        }
        pthread_cond_broadcast(&t->wk.cv);
        pthread_mutex_unlock(&t->wk.mu);
        t->cc = next;
        free(c);
        t->cpos = 0;
    }
    t->compared++;
    return rt_entry(t->cc, &t->cpos);
}

/* The writer's sink: into the reader's buffer while a read callback runs,
 * the rest kept back for the next one. --flip applies to what is stored. */
static hdump_status rt_sink(void *ctx, const void *p, size_t n) {
    rt_threads *t = ctx;
    const uint8_t *b = p;
    cli_stream *s = &t->pend;
    if (t->dst != NULL && t->ppos == s->len && t->got < t->room) {
        size_t k = t->room - t->got < n ? t->room - t->got : n;
        memcpy(t->dst + t->got, b, k);
        cli_flip(t->dst + t->got, k, s->off, s->flip);
        t->got += k;
        s->off += k;
        b += k;
        n -= k;
    }
    if (n == 0) return HDUMP_OK;
    if (t->ppos == s->len) t->ppos = s->len = 0;
    return cli_stream_append(s, b, n);
}

/* The reader's source: bytes kept back first, then records taken and
 * written until RT_READ_MIN bytes (or the room) are there, or the end. */
static hdump_status rt_read(void *ctx, void *buf, size_t cap, size_t *got) {
    rt_threads *t = ctx;
    t->dst = buf;
    t->room = cap;
    t->got = 0;
    if (t->ppos < t->pend.len) {
        size_t k = t->pend.len - t->ppos < cap ? t->pend.len - t->ppos : cap;
        memcpy(t->dst, t->pend.buf + t->ppos, k);
        t->ppos += k;
        t->got = k;
    }
    hdump_status st = HDUMP_OK;
    while (t->got < cap && t->got < RT_READ_MIN && !t->finished) {
        const hdump_record *rec = rt_take(t);
        if (rec == NULL) {
            st = HDUMP_ERR_IO; /* the generator stopped before its EOF record */
            break;
        }
        if (rec->tag == HDUMP_TAG_EOF) {
            t->finished = 1;
            st = hdump_writer_finish(t->w);
        } else {
            st = hdump_writer_put(t->w, rec);
        }
        if (st != HDUMP_OK) {
            t->wst = st;
            break;
        }
    }
    *got = t->got;
    t->dst = NULL;
    return st == HDUMP_OK ? HDUMP_OK : HDUMP_ERR_IO;
}

hdump_status rt_start(const hdump_gen_opts *go, uint64_t flip, rt_threads **out) {
    rt_threads *t = aligned_alloc(RT_LINE, sizeof *t); /* a multiple of RT_LINE */
    if (t == NULL) return HDUMP_ERR_NOMEM;
    memset(t, 0, sizeof *t);
    t->v = go->version;
    t->pend.flip = flip;
    t->gst = t->wst = HDUMP_OK;
    hdump_writer_opts wo;
    hdump_writer_opts_init(&wo);
    wo.kernel = cli_kernel();
    wo.version = go->version;
    hdump_sink s = {rt_sink, t};
    hdump_status st = hdump_gen_new(go, &t->g);
    if (st == HDUMP_OK) st = hdump_writer_new(&wo, s, &t->w);
    if (st == HDUMP_OK) {
        t->stable = hdump_gen_stable(t->g);
        st = cli_worker_start(&t->wk, rt_generate, t);
    }
    if (st != HDUMP_OK) {
        hdump_writer_free(t->w);
        hdump_gen_free(t->g);
        free(t);
        return st;
    }
    *out = t;
    return HDUMP_OK;
}

hdump_source rt_source(rt_threads *t) {
    hdump_source src = {rt_read, t, UINT64_MAX};
    return src;
}

/* Frees a list of chunks linked by `next`. */
static void rt_free_chunks(rt_chunk *c) {
    while (c != NULL) {
        rt_chunk *n = c->next;
        free(c);
        c = n;
    }
}

hdump_status rt_end(rt_threads *t, const char **who) {
    if (t == NULL) return HDUMP_OK;
    cli_worker_stop(&t->wk, &t->stop, NULL, NULL); /* a generator waiting for room gives up */
    hdump_status st = HDUMP_OK;
    if (t->gst != HDUMP_OK) {
        st = t->gst;
        *who = "generator";
    } else if (t->wst != HDUMP_OK) {
        st = t->wst;
        *who = "writer";
    }
    rt_free_chunks(t->head); /* what the queue still held */
    rt_free_chunks(t->spare);
    free(t->pend.buf);
    hdump_writer_free(t->w);
    hdump_gen_free(t->g);
    free(t);
    return st;
}
