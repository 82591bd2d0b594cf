/* writer/threads.c: hdump_writer_put_objects, a run of object records
 * encoded by several threads at once and given to the sink in order; and
 * the same for hdump_writer_put_spans' slots (chunks of slots, cut by a walk
 * over the spans, at the end of this file).
 *
 * Why: a record's bytes depend on nothing but the record (docs/format.md §4
 * tag 1: tag, address, contents, field list; go1.3 adds a type and a kind),
 * so consecutive runs of objects can be encoded apart and concatenated. One
 * thread's encoding is the writer's floor (docs/BENCHMARKS.md), so more
 * threads are the only way past it.
 *
 * How: the call's objects are cut into chunks of kobj objects (chunk j is
 * objects [j * kobj, (j + 1) * kobj)), kobj picked per call from a sample of
 * the objects' bounds so a chunk's bound fills about 3/4 of opts.chunk_size.
 * Any thread, the caller's included, claims the next chunk with one atomic
 * add and encodes it into slot j % nslots through a shadow writer: the
 * writer's own object path over the slot's buffer, object by object while
 * the object's bound (WP_FIXED a record, WP_FIELD a field entry, plus the
 * contents) fits the room left (measured from the bytes stored), so nothing
 * is ever flushed. An object whose bound does not fit is stored with every
 * store checked if its bytes do (hdi_wr_put_obj_fit: a list's entries take
 * 2-4 bytes, not 11), its long contents (WP_EXT_MIN) split off: the chunk
 * keeps the record without them and a segment naming them, given to the
 * sink from the caller's memory at delivery. A big object that still does
 * not fit (over 1/8 of a chunk) becomes a segment the calling thread writes
 * in its place; the objects after it stay the chunk's. Only a small object
 * that does not fit ends the chunk early:
 * the objects left are written by the calling thread in their turn, through
 * the usual path. (Chunks cut by a walk over the objects' sizes, under a
 * lock, held large objects better but cost the real Go dumps' small objects
 * 10-15% with two threads, as in session 12.) Only the calling thread
 * delivers, in chunk order,
 * through the writer's buffer (hdi_wr_deliver). A slot is reused by chunk
 * j + nslots only once chunk j was delivered, so memory is nslots chunks
 * whatever n is.
 *
 * Synchronisation within a call is by atomics alone: a claim is one add,
 * so no thread waits for another to claim, and a slot's done and free marks
 * are one store each. Waits spin, then yield, then sleep. Between calls
 * the helpers linger (spin) 200 us, then sleep on a condition variable;
 * they are detached, and leave when the writer is freed (its own pool) or
 * the pool is (hdump_threadpool_new: one a writer borrows, held by one
 * call at a time, whose helpers start once for many writers). The default
 * chunk, 256 KiB, was within 5% of the best measured (512 KiB) at half the
 * memory; 64 KiB and less were 10-40% slower, their hand-overs costing
 * more than they gained in balance (docs/BENCHMARKS.md, session 12).
 *
 * Errors: a shadow writer fails exactly where the writer would (the same
 * checks, before any byte of the record is stored), so its chunk holds the
 * records before the bad one; the calling thread delivers those and records
 * the error at its own offset and record index. After any error no chunk is
 * encoded any more; the ones claimed are waited for and dropped. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "../common/varint.h"
#include "spans.h"
#include "writer_internal.h"

/* Chunk buffers a thread: 3 let a helper run ahead of a slow chunk longer
 * before it waits for a free buffer. Against 2, the mixed heap's spans with
 * two threads took 4-8% less time, and 4 were no better (session 16,
 * alternated runs). */
#define WP_SLOTS_PER_THREAD 3
#define WP_MAX_SLOTS (WP_SLOTS_PER_THREAD * 64) /* opts.threads <= 64 */
/* A record's bound besides its contents and list: the tag, the address,
 * go1.3's type and kind, the length (a uvarint each) and the list's end. */
#define WP_FIXED (2 + 4 * HDI_UVARINT_MAX)
/* A field entry's bound: its kind (one byte when valid) and its offset. */
#define WP_FIELD (1 + HDI_UVARINT_MAX)
/* Contents at least this long that do not fit a chunk's room left are
 * split off: the chunk keeps the record without them (split at the
 * contents' place) and a segment naming them, and the calling thread gives
 * them to the sink from the caller's memory as it delivers. */
#define WP_EXT_MIN 1024
/* Objects sampled to pick kobj. */
#define WP_SAMPLE 256
/* Chunks a round of hdump_writer_put_spans cuts at once (p->cuts): the
 * pool's memory stays fixed whatever the spans; a round is ~200 MB. */
#define WP_CUTS 1024
/* next after an error: above any chunk index, far from overflowing */
#define WP_CLOSED (SIZE_MAX / 2)

/* A segment: after the chunk's bytes [.., at), either the contents of an
 * object split off (ptr, len), or an object the chunk could not hold at all
 * (obj, an index; ptr NULL), which the calling thread writes in its place
 * through the usual path. rec: the chunk's records before it. Segments are
 * kept at the top of the chunk's buffer, the k-th at buf + chunk - (k + 1) *
 * sizeof(wp_seg), and their room is counted as the records' is, so the two
 * never meet. */
typedef struct wp_seg {
    size_t at, rec;
    const uint8_t *ptr;
    size_t len, obj;
    uint64_t slot; /* spans: the object left is slot `slot` of span `obj` */
} wp_seg;

typedef struct wp_slot {
    _Atomic size_t free_for; /* the chunk that may fill the slot now          */
    _Atomic size_t done;     /* the chunk whose bytes the slot holds           */
    size_t lo, hi;           /* its objects [lo, hi)                           */
    size_t made;             /* objects [lo, made) encoded; the rest are left  */
    size_t len;              /* bytes made                                     */
    size_t nrec;             /* records made                                   */
    size_t nseg;             /* segments (wp_seg) at the buffer's top          */
    hdump_error err;         /* an error at object made (offset in the chunk)  */
    hdi_spos from, to;       /* spans: its slots [from, to)                     */
    hdi_spos made_at;        /* spans: slots from here on are left             */
    uint8_t *buf;
} wp_slot;

/* A writer's own pool (made by its first threaded call) or one it borrows
 * (hdump_threadpool_new, hdump_writer_opts.pool): the same thing. */
struct hdump_threadpool {
    hdump_alloc a; /* what the pool and its block were had from */
    pthread_mutex_t mu;
    pthread_cond_t cv; /* helpers: a call started, or quit */
    size_t chunk;
    size_t nslots;
    unsigned threads; /* the calling thread and the helpers asked for */
    /* a call holds the pool (pool_take): a borrowed pool is one writer's
     * at a time */
    _Atomic int taken;
    _Atomic uint64_t helped; /* chunks encoded by helpers (tests) */
    /* the calling writer's fixed state, copied for the shadow writers
     * (helpers never read the writer itself, which the caller changes as
     * it delivers); set by each call */
    hdump_writer proto;
    /* the call: set under mu while no helper is in one; gen and quit are
     * also read without mu by a lingering helper */
    _Atomic uint64_t gen;
    _Atomic int quit;
    int open;
    _Atomic unsigned alive; /* helpers that may still touch the pool */
    const hdump_object *objs;
    size_t n, kobj, nchunks;
    /* put_spans: chunk j is the slots [cuts[j], cuts[j + 1]) of spans */
    const hdump_span *spans;
    size_t nspans;
    hdi_spos cuts[WP_CUTS + 1];
    _Atomic size_t next;    /* the next chunk to claim                       */
    _Atomic int stop;       /* an error: encode nothing more                  */
    _Atomic unsigned active; /* helpers in the call                          */
    wp_slot slots[WP_MAX_SLOTS];
};

/* The shadow writers' sink: never called, because an object is stored only
 * when its bound fits the room left, and the writer flushes only when a
 * piece does not fit. */
static hdump_status refuse_write(void *ctx, const void *p, size_t n) {
    (void)ctx;
    (void)p;
    (void)n;
    return HDUMP_ERR_IO;
}

/* An object's bound, or SIZE_MAX when it exceeds a chunk. Reads only the
 * length and the entry count (list) or word count (maps: at most one entry
 * a word), so a bad object is bounded too; its error comes when encoded.
 * Both tests keep the sum below 2 * chunk + WP_FIXED, inside a 32-bit
 * size_t too (chunk <= 2^30). */
static inline size_t obj_bound(const hdump_object *o, size_t chunk) {
    const hdump_fields *f = &o->fields;
    uint64_t nf = f->bitmap != NULL && f->form != HDUMP_FIELDS_LIST ? f->nwords : f->count;
    if (o->contents.len > chunk || nf > chunk / WP_FIELD) return SIZE_MAX;
    return WP_FIXED + (size_t)o->contents.len + WP_FIELD * (size_t)nf;
}

/* How long a waiting thread spins, then yields, before it sleeps. A chunk
 * takes tens of microseconds to encode, and a wait that went to sleep after
 * 256 pauses (5 us on the machine of docs/BENCHMARKS.md) made a thread
 * sleep 50 us for a chunk done a few microseconds later: spinning 20 us
 * made the mixed heap's 2-thread writer 5-15% faster there (session 15,
 * interleaved runs of 5, 20 and 100 us). Measured in time, not pauses,
 * because a pause takes 10 to 150 cycles by CPU. */
#define WP_SPIN_NS 20000u
#define WP_YIELD_NS 500000u

/* A wait: pauses since it began (0: not begun) and when it began. */
typedef struct wp_wait {
    unsigned n;
    uint64_t t0;
} wp_wait;

static uint64_t wp_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* How long a helper spins after a call before it sleeps: a call soon after
 * (a runtime's puts one after another) starts without waking it, and
 * neither does hdump_writer_free soon after the last call. A sleeping
 * thread's wake-up cost 20-60 us on the machine of docs/BENCHMARKS.md
 * (a virtual CPU halted and woken); lingering, together with not joining
 * the helpers, took the mixed heap's 2-thread spans from 2.20 to 2.03 ms
 * (session 16, alternated runs). */
#define WP_LINGER_NS 200000u

static inline void wp_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Spins WP_SPIN_NS (the clock read every 64 pauses), then yields until
 * WP_YIELD_NS (more threads than cores), then sleeps 50 us at a time (the
 * calling thread is in a slow sink write: a helper waiting for a slot must
 * not burn a core). */
static void wp_pause(wp_wait *w) {
    if (w->n == 0) w->t0 = wp_now_ns();
    if ((++w->n & 63) != 0 || wp_now_ns() - w->t0 < WP_SPIN_NS) {
        wp_relax();
    } else if (wp_now_ns() - w->t0 < WP_YIELD_NS) {
        sched_yield();
    } else {
        struct timespec ts = {0, 50000};
        nanosleep(&ts, NULL);
    }
}

/* Encodes chunk j into its slot, up to the first object whose bound does
 * not fit the room left, and marks it done. REQUIRES: the slot is free for
 * j. Skipped (nothing made) after an error. */
static void encode_spans(struct hdump_threadpool *p, size_t j);

static void encode(struct hdump_threadpool *p, size_t j) {
    if (p->spans != NULL) {
        encode_spans(p, j);
        return;
    }
    wp_slot *s = &p->slots[j % p->nslots];
    hdump_writer sh = p->proto;
    sh.buf = s->buf;
    sh.cap = p->chunk;
    s->lo = j * p->kobj;
    s->hi = p->n - s->lo < p->kobj ? p->n : s->lo + p->kobj;
    size_t i = s->lo, nseg = 0;
    if (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
        const hdump_object *objs = p->objs;
        const int fit = p->proto.obj_fast != 0; /* go1.4+ */
        /* lim: where the segments start; the room is what is left below
         * it, measured from the bytes stored (the bounds overstate them) */
        for (size_t lim = p->chunk; i < s->hi; i++) {
            const hdump_object *o = &objs[i];
            size_t b = obj_bound(o, p->chunk), room = lim - sh.n;
            if (b <= room) {
                if (HDI_UNLIKELY(hdi_wr_put_obj(&sh, o) != HDUMP_OK)) break;
                continue;
            }
            /* Its bound does not fit. Its bytes may: stored with each store
             * checked, its long contents split off (given from the caller's
             * memory at delivery). Else a big object (a list longer than
             * any chunk holds, go1.3's long contents, a bad one) is left to
             * the calling thread in its place, so the objects after it stay
             * this thread's; a small one means the chunk is full. */
            if (room < 2 * sizeof(wp_seg)) break;
            wp_seg g;
            g.rec = (size_t)sh.records;
            if (fit && o->contents.len >= WP_EXT_MIN &&
                hdi_wr_put_obj_fit(&sh, o, lim - sizeof g, &g.at)) {
                g.ptr = o->contents.ptr;
                g.len = (size_t)o->contents.len;
                g.obj = SIZE_MAX;
            } else if (fit && o->contents.len < WP_EXT_MIN &&
                       hdi_wr_put_obj_fit(&sh, o, lim, NULL)) {
                continue;
            } else if (b > p->chunk / 8) {
                g.at = sh.n;
                g.ptr = NULL;
                g.len = 0;
                g.obj = i;
            } else {
                break;
            }
            lim -= sizeof g;
            memcpy(s->buf + lim, &g, sizeof g);
            nseg++;
        }
    }
    s->nseg = nseg;
    s->nrec = (size_t)sh.records;
    s->made = i;
    /* a failing record stored none of its bytes before failing */
    s->len = sh.err.code != HDUMP_OK ? (size_t)sh.err.offset : sh.n;
    s->err = sh.err;
    atomic_store_explicit(&s->done, j, memory_order_release);
}

/* Chunk j of a put_spans call: encode()'s policy over slots. Stores each
 * live slot while its bound fits the room left; else checked stores, its
 * contents split off when 1 KiB or more; else a big slot (over 1/8 of a
 * chunk) left to the calling thread in its place; else the chunk is full
 * and the slots from there on are left (made_at). */
static void encode_spans(struct hdump_threadpool *p, size_t j) {
    wp_slot *s = &p->slots[j % p->nslots];
    hdump_writer sh = p->proto;
    sh.buf = s->buf;
    sh.cap = p->chunk;
    const hdi_spos from = p->cuts[j], to = p->cuts[j + 1];
    const uint64_t ps = sh.ptr_size;
    const hdi_slots_fn slots = hdi_slots_for(sh.obj_fast);
    s->from = from;
    s->to = to;
    hdi_spos made = from;
    size_t nseg = 0;
    if (atomic_load_explicit(&p->stop, memory_order_relaxed)) goto out;
    size_t lim = p->chunk; /* where the segments start */
    const size_t end = to.span + (to.slot > 0); /* the chunk's spans */
    for (size_t i = from.span; i < end; i++) {
        hdi_sview v;
        span_prefetch(p->spans, i, p->nspans, ps);
        span_view(&v, &p->spans[i], ps);
        uint64_t at = i == from.span ? from.slot : 0, hi = i == to.span ? to.slot : v.nelem;
        const size_t bound = slot_bound(&v);
        while (at < hi) {
            sh.records += slots(sh.kern, sh.buf, &sh.n, lim, &v, &at, hi, ps);
            if (at >= hi) break;
            /* slot `at` is live and its bound does not fit the room left */
            made.span = i;
            made.slot = at;
            size_t room = lim - sh.n;
            if (room < 2 * sizeof(wp_seg)) goto out;
            hdi_wmap m = v.m;
            m.bit0 = at * v.m.words;
            const uint8_t *c = v.elem ? v.mem + at * v.elem : v.mem;
            uint64_t addr = v.base + at * v.elem;
            wp_seg g;
            g.rec = (size_t)sh.records;
            g.slot = 0;
            if (v.elem >= WP_EXT_MIN &&
                hdi_wr_put_mapped_fit(&sh, addr, c, v.elem, &m, lim - sizeof g, &g.at)) {
                g.ptr = c;
                g.len = (size_t)v.elem;
                g.obj = SIZE_MAX;
            } else if (v.elem < WP_EXT_MIN &&
                       hdi_wr_put_mapped_fit(&sh, addr, c, v.elem, &m, lim, NULL)) {
                at++;
                continue;
            } else if (bound > p->chunk / 8) {
                g.at = sh.n;
                g.ptr = NULL;
                g.len = 0;
                g.obj = i;
                g.slot = at;
            } else {
                goto out;
            }
            lim -= sizeof g;
            memcpy(s->buf + lim, &g, sizeof g);
            nseg++;
            at++;
        }
    }
    made = to;
out:
    s->made_at = made;
    s->nseg = nseg;
    s->nrec = (size_t)sh.records;
    s->len = sh.n; /* a slot's stores cannot fail */
    s->err = sh.err;
    atomic_store_explicit(&s->done, j, memory_order_release);
}

/* A helper's part of one call: claims chunks until none is left. */
static void help(struct hdump_threadpool *p) {
    for (;;) {
        size_t j = atomic_fetch_add(&p->next, 1);
        if (j >= p->nchunks) break;
        wp_slot *s = &p->slots[j % p->nslots];
        wp_wait wt = {0, 0};
        while (atomic_load_explicit(&s->free_for, memory_order_acquire) != j) wp_pause(&wt);
        encode(p, j);
        atomic_fetch_add_explicit(&p->helped, 1, memory_order_relaxed);
    }
    atomic_fetch_sub(&p->active, 1);
}

/* A helper, detached: between calls it lingers WP_LINGER_NS, then sleeps
 * on cv. When the writer is freed it leaves, and its last touch of the
 * pool is taking itself off `alive`, so the pool can be freed while the
 * thread still exits (hdi_wpool_free). */
static void *helper(void *arg) {
    struct hdump_threadpool *p = arg;
    uint64_t seen = 0;
    for (;;) {
        uint64_t t0 = wp_now_ns();
        for (unsigned n = 1; atomic_load_explicit(&p->gen, memory_order_relaxed) == seen &&
                             !atomic_load_explicit(&p->quit, memory_order_relaxed);
             n++) {
            if ((n & 63) == 0 && wp_now_ns() - t0 >= WP_LINGER_NS) break;
            wp_relax();
        }
        pthread_mutex_lock(&p->mu);
        while (!p->quit && p->gen == seen) pthread_cond_wait(&p->cv, &p->mu);
        if (p->quit) break;
        seen = p->gen;
        if (!p->open) { /* saw the call after it ended */
            pthread_mutex_unlock(&p->mu);
            continue;
        }
        atomic_fetch_add(&p->active, 1);
        pthread_mutex_unlock(&p->mu);
        help(p);
    }
    pthread_mutex_unlock(&p->mu);
    atomic_fetch_sub_explicit(&p->alive, 1, memory_order_release);
    return NULL;
}

/* Gives a done chunk to the writer: its bytes and records, then its error,
 * or else the objects it left, written here through the usual path. */
static hdump_status deliver(hdump_writer *w, const struct hdump_threadpool *p, const wp_slot *s) {
    const hdump_object *objs = p->objs;
    const size_t chunk = p->chunk;
    size_t from = 0, rec = 0;
    for (size_t k = 1; k <= s->nseg; k++) { /* in stream order */
        wp_seg g;
        memcpy(&g, s->buf + chunk - k * sizeof g, sizeof g);
        HDI_TRY(hdi_wr_deliver(w, s->buf + from, g.at - from));
        w->records += g.rec - rec; /* before a left object's own, for its errors */
        rec = g.rec;
        from = g.at;
        if (g.ptr == NULL && p->spans != NULL) {
            hdi_spos a = {g.obj, g.slot}, b = {g.obj, g.slot + 1};
            HDI_TRY(hdi_spans_write(w, p->spans, a, b));
        } else if (g.ptr == NULL) {
            HDI_TRY(hdi_wr_put_obj(w, &objs[g.obj]));
        } else {
            /* long contents in one write of their own, as put_object writes
             * them (a write(2) each 4 KiB would cost far more than the copy
             * it saves) */
            HDI_TRY(g.len >= w->cap ? hdi_wr_bytes(w, g.ptr, g.len)
                                    : hdi_wr_deliver(w, g.ptr, g.len));
        }
    }
    HDI_TRY(hdi_wr_deliver(w, s->buf + from, s->len - from));
    w->records += s->nrec - rec;
    if (s->err.code != HDUMP_OK)
        return hdi_wr_fail(w, s->err.code, hdump_writer_bytes(w), s->err.tag, s->err.msg);
    if (p->spans != NULL) return hdi_spans_write(w, p->spans, s->made_at, s->to);
    for (size_t i = s->made; i < s->hi; i++) HDI_TRY(hdi_wr_put_obj(w, &objs[i]));
    return HDUMP_OK;
}

/* Creates a pool of `threads` (the calling thread's share included) and
 * its helpers; NULL when not even the chunk buffers can be had. Fewer
 * helpers than asked for is fine: the calling thread takes every chunk
 * nobody else does. *helpers gets how many started. */
static struct hdump_threadpool *pool_new(const hdump_alloc *a, unsigned threads, size_t chunk,
                                         unsigned *helpers) {
    *helpers = 0;
    struct hdump_threadpool *p = a->alloc(a->ctx, sizeof *p);
    if (p == NULL) return NULL;
    memset(p, 0, sizeof *p);
    p->a = *a;
    p->chunk = chunk;
    p->threads = threads;
    p->nslots = WP_SLOTS_PER_THREAD * (size_t)threads;
    /* one block: freed and had again by the next writer as one, it came
     * back from the C library's heap untouched, where separate chunks were
     * given back to the system and faulted in again page by page */
    uint8_t *blk =
        p->chunk <= SIZE_MAX / p->nslots ? a->alloc(a->ctx, p->chunk * p->nslots) : NULL;
    if (blk == NULL) goto fail;
    for (size_t k = 0; k < p->nslots; k++) p->slots[k].buf = blk + k * p->chunk;
    if (pthread_mutex_init(&p->mu, NULL) != 0) goto fail;
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    pthread_attr_t at;
    if (pthread_attr_init(&at) != 0) return p; /* no helper: the caller encodes alone */
    if (pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED) == 0) {
        for (unsigned t = 1; t < threads; t++) {
            pthread_t th;
            atomic_fetch_add(&p->alive, 1);
            if (pthread_create(&th, &at, helper, p) != 0) {
                atomic_fetch_sub(&p->alive, 1);
                break;
            }
            ++*helpers;
        }
    }
    pthread_attr_destroy(&at);
    return p;
fail:
    if (blk != NULL) a->free(a->ctx, blk, p->chunk * p->nslots);
    a->free(a->ctx, p, sizeof *p);
    return NULL;
}

/* Stops the helpers and frees the pool. REQUIRES: no call holds it. */
static void pool_free(struct hdump_threadpool *p) {
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    /* not a join: a thread's exit cost 25-130 us on the machine of
     * docs/BENCHMARKS.md, and it touches nothing of the pool */
    wp_wait wt = {0, 0};
    while (atomic_load_explicit(&p->alive, memory_order_acquire) != 0) wp_pause(&wt);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    hdump_alloc a = p->a;
    a.free(a.ctx, p->slots[0].buf, p->chunk * p->nslots);
    a.free(a.ctx, p, sizeof *p);
}

void hdi_wpool_free(hdump_writer *w) {
    if (w->pool != NULL && !w->pool_borrowed) pool_free(w->pool);
    w->pool = NULL;
}

/* The writer's pool for one threaded call, held until pool_give: its own,
 * made by its first such call, or the one it borrows if no other writer's
 * call holds it. NULL: the calling thread encodes alone. */
static struct hdump_threadpool *pool_take(hdump_writer *w) {
    if (w->pool == NULL && !w->pool_borrowed) {
        unsigned helpers;
        w->pool = pool_new(&w->a, w->threads, w->chunk, &helpers);
    }
    struct hdump_threadpool *p = w->pool;
    if (p == NULL || atomic_exchange_explicit(&p->taken, 1, memory_order_acquire) != 0)
        return NULL;
    /* the shadow's fixed part: the writer's version, word size, kernel and
     * fast path, with no buffer, no sink, no cache, no pool and no error */
    hdump_writer *sh = &p->proto;
    memset(sh, 0, sizeof *sh);
    sh->a = w->a;
    sh->sink.write = refuse_write;
    sh->version = w->version;
    sh->ptr_size = w->ptr_size;
    sh->kern = w->kern;
    sh->obj_fast = w->obj_fast;
    sh->err.tag = UINT64_MAX;
    sh->threads = 1;
    return p;
}

static void pool_give(struct hdump_threadpool *p) {
    atomic_store_explicit(&p->taken, 0, memory_order_release);
}

/* Objects a chunk takes: 3/4 of a chunk over the mean bound of up to
 * WP_SAMPLE objects spread over the call. An object whose bound is over a
 * chunk counts as its likely bytes instead (contents of WP_EXT_MIN or more
 * split off; 4 bytes a field entry, about what Go's offsets take), at most
 * a chunk. */
static size_t pick_kobj(const hdump_object *objs, size_t n, size_t chunk, int split) {
    size_t ns = n < WP_SAMPLE ? n : WP_SAMPLE, step = n / ns;
    uint64_t sum = 0;
    for (size_t i = 0; i < ns; i++) {
        const hdump_object *o = &objs[i * step];
        uint64_t b = obj_bound(o, chunk);
        if (b > chunk) {
            const hdump_fields *f = &o->fields;
            uint64_t nf = f->bitmap != NULL && f->form != HDUMP_FIELDS_LIST ? f->nwords : f->count;
            uint64_t c = split && o->contents.len >= WP_EXT_MIN ? 0 : o->contents.len;
            b = WP_FIXED + sizeof(wp_seg) + c + (nf < chunk ? 4 * nf : chunk);
            if (b > chunk) b = chunk;
        }
        sum += b;
    }
    uint64_t k = (uint64_t)(chunk / 4 * 3) * ns / (sum ? sum : 1);
    return k < 1 ? 1 : (size_t)k;
}

/* The threaded call over nchunks chunks of p->objs (kobj a chunk) or of
 * p->spans (p->cuts), which the caller set while no helper was in a call.
 * REQUIRES: w->pool, no sticky error, not finished. */
static hdump_status put_threaded(hdump_writer *w, struct hdump_threadpool *p, size_t nchunks) {
    const size_t ns = p->nslots;
    pthread_mutex_lock(&p->mu);
    p->nchunks = nchunks;
    for (size_t k = 0; k < ns; k++) {
        atomic_store_explicit(&p->slots[k].free_for, k, memory_order_relaxed);
        atomic_store_explicit(&p->slots[k].done, SIZE_MAX, memory_order_relaxed);
    }
    atomic_store(&p->next, 0);
    atomic_store(&p->stop, 0);
    p->open = 1;
    p->gen++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);

    hdump_status st = HDUMP_OK;
    size_t end = nchunks; /* chunks to deliver or drop */
    wp_wait wt = {0, 0};
    for (size_t d = 0; d < end;) {
        wp_slot *s = &p->slots[d % ns];
        if (atomic_load_explicit(&s->done, memory_order_acquire) == d) {
            if (st == HDUMP_OK) {
                st = deliver(w, p, s);
                if (st != HDUMP_OK) {
                    /* nothing more is claimed; what was is dropped */
                    atomic_store(&p->stop, 1);
                    size_t c = atomic_exchange(&p->next, WP_CLOSED);
                    end = c < nchunks ? c : nchunks;
                }
            }
            atomic_store_explicit(&s->free_for, d + ns, memory_order_release);
            d++;
            wt.n = 0;
            continue;
        }
        /* the next chunk, if its slot is free (its chunk - ns delivered) */
        size_t j = atomic_load(&p->next);
        if (st == HDUMP_OK && j < nchunks && j < d + ns &&
            atomic_compare_exchange_weak(&p->next, &j, j + 1)) {
            encode(p, j);
            wt.n = 0;
            continue;
        }
        wp_pause(&wt);
    }
    /* no helper may still read this call's objects when it returns */
    pthread_mutex_lock(&p->mu);
    p->open = 0;
    pthread_mutex_unlock(&p->mu);
    wt.n = 0;
    while (atomic_load(&p->active) != 0) wp_pause(&wt);
    p->objs = NULL;
    p->spans = NULL;
    return st;
}

hdump_status hdump_writer_put_objects(hdump_writer *w, const hdump_object *objs, size_t n) {
    if (w == NULL || (objs == NULL && n > 0)) return HDUMP_ERR_USAGE;
    HDI_TRY(hdi_wr_ready(w, HDUMP_TAG_OBJECT));
    if (w->threads > 1 && n > 1) {
        size_t kobj = pick_kobj(objs, n, w->chunk, w->obj_fast != 0);
        size_t nchunks = n / kobj + (n % kobj != 0);
        /* one chunk: nothing to share, so no helper is woken */
        struct hdump_threadpool *p = nchunks > 1 ? pool_take(w) : NULL;
        if (p != NULL) {
            p->objs = objs;
            p->n = n;
            p->kobj = kobj;
            hdump_status st = put_threaded(w, p, nchunks);
            pool_give(p);
            return st;
        }
    }
    for (size_t i = 0; i < n; i++) HDI_TRY(hdi_wr_put_obj(w, &objs[i]));
    return HDUMP_OK;
}

/* ---- hdump_writer_put_spans ---- */

/* A span's bytes a slot, roughly (for cutting chunks only; the chunks
 * check every store): a slot's header and contents, and 1 byte for 16 of
 * contents when it has a map (a quarter of the words pointers, 2 or 3 bytes
 * an entry). Every slot is counted as live and neither bitmap
 * is read: this runs on the calling thread alone, before any chunk, where
 * a cache miss a span (its allocation bits) cost 0.4 ms of the mixed
 * heap's 2.6 with two threads (session 16), and counting map bits a third
 * of the encoding (session 15). A sparse span only makes its chunks hold
 * less than they could; none is ever overfilled by it. */
static uint64_t slot_estimate(const hdump_span *sp, uint64_t ptr_size) {
    uint64_t e = sp->elem_size < ((uint64_t)1 << 40) ? sp->elem_size : ((uint64_t)1 << 40);
    uint64_t per = e + 8 + (sp->ptrs != NULL && e >= ptr_size ? e / 16 : 0);
    return per;
}

/* Cuts chunks of about 3/4 of a chunk's room each (as pick_kobj aims) from
 * *pos on, at most max of them: cuts[0..k] bound chunks 0..k-1. Returns k
 * and moves *pos to where the last one ends. A slot whose estimate is over
 * a chunk's aim is a chunk of its own. REQUIRES: nelem > 0 for the spans
 * whose estimate is taken (empty spans are stepped over). */
static size_t cut_spans(const hdump_span *spans, size_t n, hdi_spos *pos, hdi_spos *cuts,
                        size_t max, size_t chunk, uint64_t ptr_size) {
    const uint64_t aim = chunk / 4 * 3;
    hdi_spos at = *pos;
    uint64_t per = 1;
    size_t per_of = SIZE_MAX, k = 0;
    while (k < max && at.span < n) {
        cuts[k++] = at;
        uint64_t budget = aim;
        while (at.span < n) {
            const hdump_span *sp = &spans[at.span];
            if (at.slot >= sp->nelem) {
                at.span++;
                at.slot = 0;
                continue;
            }
            if (per_of != at.span) {
                per = slot_estimate(sp, ptr_size);
                per_of = at.span;
            }
            uint64_t left = sp->nelem - at.slot, take = budget / per;
            if (left <= take) {
                budget -= left * per;
                at.span++;
                at.slot = 0;
                continue;
            }
            if (take == 0 && budget == aim) take = 1;
            at.slot += take;
            break;
        }
    }
    cuts[k] = at;
    *pos = at;
    return k;
}

int hdi_wpool_put_spans(hdump_writer *w, const hdump_span *spans, size_t n, hdump_status *st) {
    hdi_spos pos = {0, 0}, first[3];
    /* one chunk's worth: nothing to share, so no helper is woken */
    if (cut_spans(spans, n, &pos, first, 2, w->chunk, w->ptr_size) < 2) return 0;
    struct hdump_threadpool *p = pool_take(w);
    if (p == NULL) return 0;
    pos.span = 0;
    pos.slot = 0;
    *st = HDUMP_OK;
    /* rounds of at most WP_CUTS chunks, so the cuts take fixed memory */
    while (*st == HDUMP_OK && pos.span < n) {
        size_t k = cut_spans(spans, n, &pos, p->cuts, WP_CUTS, p->chunk, w->ptr_size);
        p->spans = spans;
        p->nspans = n;
        *st = put_threaded(w, p, k);
    }
    pool_give(p);
    return 1;
}

/* ---- hdump_threadpool: helpers and chunk buffers writers borrow ---- */

hdump_status hdump_threadpool_new(unsigned threads, size_t chunk_size, const hdump_alloc *alloc,
                                  hdump_threadpool **out) {
    if (out == NULL) return HDUMP_ERR_USAGE;
    *out = NULL;
    if (chunk_size == 0) chunk_size = HDI_CHUNK_DEFAULT;
    if (threads < 2 || threads > 64 || chunk_size < 1024 || chunk_size > ((size_t)1 << 30))
        return HDUMP_ERR_USAGE;
    hdump_alloc a;
    hdi_alloc_resolve(&a, alloc);
    unsigned helpers;
    hdump_threadpool *p = pool_new(&a, threads, chunk_size, &helpers);
    if (p == NULL) return HDUMP_ERR_NOMEM;
    if (helpers == 0) { /* a pool without helpers would only cost memory */
        pool_free(p);
        return HDUMP_ERR_NOMEM;
    }
    *out = p;
    return HDUMP_OK;
}

void hdump_threadpool_free(hdump_threadpool *p) {
    if (p != NULL) pool_free(p);
}

void hdi_wpool_borrow(hdump_writer *w, hdump_threadpool *p) {
    w->pool = p;
    w->pool_borrowed = 1;
    w->threads = p->threads;
    w->chunk = p->chunk;
}

uint64_t hdi_threadpool_helped(const hdump_threadpool *p) {
    return atomic_load_explicit(&p->helped, memory_order_relaxed);
}
