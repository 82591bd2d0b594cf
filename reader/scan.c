/* reader/scan.c: hdump_scan_mem, a dump in memory read by several threads
 * (include/hdump/scan.h). Each thread has a memory reader over the whole
 * input and takes parts, in order, from a shared counter, so a thread that
 * runs faster reads more of them; hdi_rd_restart puts its reader at a
 * part's (guessed) first record. The outcome is decided on the calling
 * thread, in stream order, after every other thread has stopped
 * (sc_settle): that is what makes it the single reader's outcome whatever
 * the guesses were. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "hdump/scan.h"
#include "reader_internal.h"

#define SC_MAX_THREADS 64u
/* Parts per thread: enough that a slower core (a busy sibling, another
 * tenant) costs little more than its share. */
#define SC_PARTS_PER_THREAD 8u
/* A guess is the first offset from which SC_CHAIN records parse (or the
 * records up to a well-formed EOF). A wrong guess costs only time. */
#define SC_CHAIN 16u
/* Bytes the guesses of one part may decode (their byte ranges, stepped
 * over, not counted), beyond twice the part's size: bounds the search on
 * hostile input (runs of bytes that parse from every offset) to a few
 * passes. */
#define SC_GUESS_SLACK (1u << 12)

/* Records per on_batch call at most (hdi_rd_batch); each thread has an
 * array of them when on_batch is set. */
#define SC_BATCH 16u
#define SC_BATCH_BYTES (SC_BATCH * sizeof(hdump_record))

enum { SC_NONE, SC_BOUNDARY, SC_END, SC_ERROR, SC_STOP };

typedef struct sc_shared {
    const uint8_t *data;
    size_t size;
    const hdump_scan_fns *f;
    void *ctx;
    int version;
    int strict;
    uint64_t max_records;
    uint64_t hdr; /* the first record's offset */
    struct sc_part *pt;
    unsigned np;
    atomic_uint next; /* the next part a thread takes */
    atomic_int stop;
} sc_shared;

typedef struct sc_part {
    uint64_t lo, hi; /* the bytes where this part's records start: [lo, hi) */
    uint64_t start;  /* its first record (found: the guess) */
    int found;
    int outcome;    /* SC_*; SC_BOUNDARY: the next record starts at `end`, >= hi */
    uint64_t end;
    uint64_t n;     /* records given to on_record since the last drop */
    hdump_error err;
} sc_part;

typedef struct sc_thread {
    sc_shared *sh;
    hdump_reader *r;
    hdump_record *recs; /* SC_BATCH of them; NULL without on_batch */
    pthread_t th;
    int started;
} sc_thread;

void hdump_scan_opts_init(hdump_scan_opts *o) {
    if (o == NULL) return;
    memset(o, 0, sizeof *o);
    hdump_reader_opts_init(&o->reader);
    o->threads = 2;
    o->min_part = (size_t)1 << 20;
}

unsigned hdump_scan_parts(const hdump_scan_opts *o, size_t size) {
    unsigned t = o != NULL && o->threads != 0 ? o->threads : 2;
    size_t m = o != NULL && o->min_part != 0 ? o->min_part : (size_t)1 << 20;
    if (t > SC_MAX_THREADS) t = SC_MAX_THREADS;
    size_t n = size / m;
    if (n < 1) n = 1;
    if (t == 1) return 1;
    t *= SC_PARTS_PER_THREAD;
    return n < t ? (unsigned)n : t;
}

/* Reads records with r, from where it stands, while they start before hi,
 * and gives them to part `to`: one by one (on_record), or in batches as
 * hdump_reader_next_batch makes them (on_batch, when recs is set), whose
 * objects must also start before hi. (Reading in batches and calling
 * on_record for each record was 4% slower than hdump_reader_next on the
 * real 5 M dump, one thread, alternated.) */
static void sc_read(sc_shared *sh, hdump_record *recs, hdump_reader *r, sc_part *pt, unsigned to,
                    uint64_t hi) {
    hdump_record rec;
    const uint8_t *stop = hi < hdi_rd_off(r, r->end) ? r->base + (size_t)(hi - r->off_adj) : r->end;
    uint64_t n = 0; /* counted here, stored once: parts side by side are written by different threads */
    int outcome;
    for (;;) {
        uint64_t at = hdi_rd_off(r, r->p);
        if (at >= hi) {
            outcome = SC_BOUNDARY;
            pt->end = at;
            break;
        }
        if (atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
            outcome = SC_STOP;
            break;
        }
        size_t k;
        hdump_status st;
        int halt;
        if (recs != NULL) {
            st = hdi_rd_batch(r, recs, SC_BATCH, stop, &k);
            halt = k > 0 && sh->f->on_batch(sh->ctx, to, recs, k) != 0;
        } else {
            st = hdump_reader_next(r, &rec);
            k = st == HDUMP_OK || st == HDUMP_END ? 1u : 0u;
            halt = k > 0 && sh->f->on_record(sh->ctx, to, &rec) != 0;
        }
        n += k;
        if (halt) {
            atomic_store_explicit(&sh->stop, 1, memory_order_relaxed);
            outcome = SC_STOP;
            break;
        }
        if (st == HDUMP_END) {
            outcome = SC_END;
            break;
        }
        if (st != HDUMP_OK) {
            outcome = SC_ERROR;
            pt->err = r->err;
            break;
        }
    }
    pt->n += n;
    pt->outcome = outcome;
}

/* Part pt's first record, a guess: the first offset c in [lo, hi) (with
 * a tag byte of 1, or failing that any tag) from which SC_CHAIN records parse (lax: a boundary the caller's strict reader
 * accepts is one the lax reader accepts), or the records up to a
 * well-formed EOF; then not c itself but the start of the chain's record
 * SC_SETTLE (or its last): a chain that starts inside a record (in its
 * contents, or a varint's tail) most often falls into step with the real
 * records after one or two, and from there every start it finds is a real
 * one. A record's tag is a uvarint of 0..17, so a canonical one is a single
 * byte below 18; a boundary with an over-long tag is missed. */
#define SC_SETTLE 8u
static int sc_guess(sc_shared *sh, hdump_reader *r, sc_part *pt) {
    hdump_record rec;
    uint64_t top = pt->hi < sh->size ? pt->hi : sh->size; /* the last part's hi is UINT64_MAX */
    uint64_t budget = 2 * (top - pt->lo) + SC_GUESS_SLACK;
    r->strict = 0;
    /* Object records (tag 1) first: most of a dump, and a first byte of 1
     * is rarer inside contents than one below 18. Then any tag, for a part
     * with no object record in it. */
    for (int pass = 0; pass < 2; pass++) {
        for (uint64_t c = pt->lo; c < top; c++) {
            uint8_t b = sh->data[c];
            if (pass == 0 ? b != HDUMP_TAG_OBJECT : b >= 18) continue;
            if (atomic_load_explicit(&sh->stop, memory_order_relaxed)) return 0;
            hdi_rd_restart(r, c, sh->version, 0, UINT64_MAX);
            r->hot_lim = 0; /* the checked path, which counts the ranges it steps over */
            unsigned i = 0;
            uint64_t pick = c, at = c;
            hdump_status st = HDUMP_OK;
            while (i < SC_CHAIN) {
                at = hdi_rd_off(r, r->p);
                if ((st = hdump_reader_next(r, &rec)) != HDUMP_OK) break;
                if (i == SC_SETTLE) pick = at;
                i++;
            }
            if (i == SC_CHAIN || st == HDUMP_END) {
                pt->start = i > SC_SETTLE ? pick : at; /* at: the EOF record's start */
                return 1;
            }
            uint64_t cost = hdi_rd_off(r, r->p) - c - r->skipped + 1;
            if (cost >= budget) return 0;
            budget -= cost;
        }
    }
    return 0;
}

/* A thread: takes parts in order until none is left; for each, guesses
 * its start (part 0's is known), then reads up to its end. */
static void *sc_worker(void *arg) {
    sc_thread *t = arg;
    sc_shared *sh = t->sh;
    for (;;) {
        unsigned k = atomic_fetch_add_explicit(&sh->next, 1, memory_order_relaxed);
        if (k >= sh->np) break;
        sc_part *pt = &sh->pt[k];
        if (k == 0) {
            pt->start = sh->hdr;
            pt->found = 1;
        } else {
            pt->found = sc_guess(sh, t->r, pt);
        }
        if (!pt->found) continue;
        t->r->strict = sh->strict;
        hdi_rd_restart(t->r, pt->start, sh->version, 0, sh->max_records);
        sc_read(sh, t->recs, t->r, pt, k, pt->hi);
    }
    return NULL;
}

static void sc_drop(sc_shared *sh, unsigned part) {
    if (sh->f->on_drop) sh->f->on_drop(sh->ctx, part);
}

/* The outcome, in stream order, on the calling thread. Part k is the one
 * whose records are known to be the single reader's, `before` records
 * precede it. When part k's last record ends where the next part's guess
 * starts, that part is kept as it is; otherwise it is dropped and part k
 * reads on over its bytes. A part read without knowing `before` may have
 * read past max_records: it is read again with the exact limit. */
static hdump_status sc_settle(sc_shared *sh, hdump_record *recs, hdump_reader *r,
                              hdump_scan_result *res) {
    sc_part *pt = sh->pt;
    unsigned np = sh->np;
    r->strict = sh->strict;
    uint64_t before = 0;
    unsigned k = 0, next = 1;
    int exact = 1; /* part 0's reader had the whole limit */
    hdump_status st;
    for (;;) {
        sc_part *p = &pt[k];
        if (!exact && p->outcome != SC_STOP && before + p->n >= sh->max_records) {
            sc_drop(sh, k);
            p->n = 0;
            hdi_rd_restart(r, p->start, sh->version, 0, sh->max_records - before);
            sc_read(sh, recs, r, p, k, p->hi);
            exact = 1;
            continue;
        }
        if (p->outcome == SC_STOP) {
            st = HDUMP_OK;
            break;
        }
        if (p->outcome == SC_END) {
            st = HDUMP_END;
            break;
        }
        if (p->outcome == SC_ERROR) {
            res->err = p->err;
            res->err.record_index += before;
            st = p->err.code;
            break;
        }
        /* SC_BOUNDARY: hi < the input's size, so a part follows. Its guess
         * may lie a few records on: part k reads on up to it, and keeps it
         * if it lands there. */
        sc_part *q = &pt[next];
        if (q->found && q->start > p->end) {
            hdi_rd_restart(r, p->end, sh->version, p->n, sh->max_records - before);
            sc_read(sh, recs, r, p, k, q->start);
            exact = 1;
            if (p->outcome != SC_BOUNDARY) continue; /* an error, EOF or stop first */
        }
        if (q->found && q->start == p->end) {
            before += p->n;
            k = next++;
            exact = 0;
            continue;
        }
        sc_drop(sh, next);
        res->dropped++;
        p->hi = q->hi;
        next++;
        hdi_rd_restart(r, p->end, sh->version, p->n, sh->max_records - before);
        sc_read(sh, recs, r, p, k, p->hi);
        exact = 1;
    }
    for (unsigned j = next; j < np; j++) {
        sc_drop(sh, j);
        res->dropped++;
    }
    res->records = before + pt[k].n;
    return st;
}

hdump_status hdump_scan_mem(const hdump_scan_opts *o, const void *data, size_t size,
                            const hdump_scan_fns *f, void *ctx, hdump_scan_result *res) {
    hdump_scan_result dummy;
    if (res == NULL) res = &dummy;
    memset(res, 0, sizeof *res);
    res->err.tag = UINT64_MAX;
    hdump_scan_opts def;
    hdump_scan_opts_init(&def);
    if (o == NULL) o = &def;
    if ((data == NULL && size > 0) || f == NULL || (f->on_record == NULL) == (f->on_batch == NULL) ||
        o->threads > SC_MAX_THREADS)
        return res->err.code = HDUMP_ERR_USAGE;
    unsigned np = hdump_scan_parts(o, size);
    res->parts = np;

    sc_shared sh;
    memset(&sh, 0, sizeof sh);
    sh.data = data;
    sh.size = size;
    sh.f = f;
    sh.ctx = ctx;
    sh.strict = o->reader.strict;
    sh.np = np;
    atomic_init(&sh.next, 0);
    atomic_init(&sh.stop, 0);
    unsigned nt = o->threads ? o->threads : 2;
    if (nt > np) nt = np;
    hdump_alloc a;
    hdi_alloc_resolve(&a, o->reader.alloc);
    size_t pbytes = (size_t)np * sizeof(sc_part);
    sc_thread th[SC_MAX_THREADS];
    memset(th, 0, sizeof th);
    sh.pt = a.alloc(a.ctx, pbytes);
    if (sh.pt == NULL) return res->err.code = HDUMP_ERR_NOMEM;
    memset(sh.pt, 0, pbytes);
    /* one batch per thread: the calling thread's now, the others' with their readers */
    int batched = f->on_batch != NULL;
    hdump_status st = HDUMP_OK;
    if (batched && (th[0].recs = a.alloc(a.ctx, SC_BATCH_BYTES)) == NULL) st = HDUMP_ERR_NOMEM;
    if (st == HDUMP_OK) st = hdump_reader_new_mem(&o->reader, data, size, &th[0].r);
    if (st != HDUMP_OK) {
        if (th[0].recs) a.free(a.ctx, th[0].recs, SC_BATCH_BYTES);
        a.free(a.ctx, sh.pt, pbytes);
        return res->err.code = st;
    }
    hdump_reader *r0 = th[0].r;
    /* the limit as the reader resolved it (0 means its default) */
    sh.max_records = r0->lim.max_records;
    hdump_version v = HDUMP_GO1_7;
    if (hdump_reader_version(r0, &v) != HDUMP_OK) {
        /* a bad header: one part, read by the reader that holds the error */
        sh.np = 1;
        sh.pt[0].hi = UINT64_MAX;
        sc_read(&sh, th[0].recs, r0, &sh.pt[0], 0, UINT64_MAX);
        st = sc_settle(&sh, th[0].recs, r0, res);
    } else {
        sh.version = (int)v;
        res->version = v;
        sh.hdr = hdump_reader_offset(r0);
        for (unsigned k = 0; k < np; k++) {
            sc_part *p = &sh.pt[k];
            p->lo = k == 0 ? sh.hdr : (uint64_t)size / np * k;
            if (p->lo < sh.hdr) p->lo = sh.hdr;
            p->hi = k + 1 == np ? UINT64_MAX : (uint64_t)size / np * (k + 1);
            if (p->lo > size) p->lo = size; /* then no guess: the part before reads it */
        }
        for (unsigned t = 0; t < nt; t++) {
            th[t].sh = &sh;
            if (t == 0 || (batched && (th[t].recs = a.alloc(a.ctx, SC_BATCH_BYTES)) == NULL))
                continue;
            if (hdump_reader_new_mem(&o->reader, data, size, &th[t].r) == HDUMP_OK)
                th[t].started = pthread_create(&th[t].th, NULL, sc_worker, &th[t]) == 0;
        }
        /* the calling thread takes parts too; a part no thread reads keeps
         * found == 0 and is read on by the part before it */
        sc_worker(&th[0]);
        for (unsigned t = 1; t < nt; t++)
            if (th[t].started) pthread_join(th[t].th, NULL);
        st = sc_settle(&sh, th[0].recs, r0, res);
    }
    for (unsigned t = 0; t < nt; t++) {
        hdump_reader_free(th[t].r);
        if (th[t].recs) a.free(a.ctx, th[t].recs, SC_BATCH_BYTES);
    }
    a.free(a.ctx, sh.pt, pbytes);
    return st;
}
