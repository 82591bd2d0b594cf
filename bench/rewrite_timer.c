/* bench/rewrite_timer.c: how long hdump's writer takes to emit a given dump.
 *
 *   hdump_rewrite_timer [-r REPS] [-b BUFSIZE] DUMP TARGET...   (TARGET: a path, null, mem, floor)
 *
 * Reads DUMP (e.g. one written by runtime/debug.WriteHeapDump) into memory and
 * decodes its records once (bench_store.h); checks that re-emitting them gives
 * DUMP back byte for byte; then, REPS times per TARGET (a path such as
 * /dev/null or a file, opened with O_TRUNC before each run, untimed, as Go's
 * os.Create), times writer creation, every put and hdump_writer_finish through
 * a BUFSIZE-byte buffer (default 4096, the runtime's) to an fd sink. The
 * special targets "null" and "mem" use the null sink and a pre-grown memory
 * buffer. Prints one line per target:
 *   hdump target=T bytes=N objects=K reps=R median_s=.. min_s=.. max_s=.. mbps=..
 * The special target "floor" times, alternately in the same reps, a memcpy
 * of the dump into a 4 KiB ring (the bench's baseline) and the encode floor:
 * the dump's object records encoded from the same decoded items by the
 * shortest loop that still makes their bytes (the varints, the contents
 * copied into a 4 KiB buffer, the field list with the writer's pair loop,
 * objects of 4 KiB or more with their contents counted as written directly,
 * as the writer does), with no checks, no calls and no flush policy; its
 * output is checked against the dump's object bytes first. No writer can do
 * less for those records. It prints:
 *   memcpy-ring target=mem bytes=N reps=R median_s=..
 *   encode-floor target=null bytes=M objects=K reps=R median_s=..  (M: the objects' bytes)
 * $HDUMP_KERNEL selects the varint kernel. Exit status 0, or 1 on any error. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timer_util.h"

#include "bench_store.h"

/* ---- The encode floor ---- */
static inline uint8_t *floor_uv(uint8_t *p, uint64_t v) {
    if (v < 0x80) {
        *p = (uint8_t)v;
        return p + 1;
    }
    if (v < 0x4000) {
        p[0] = (uint8_t)(v | 0x80);
        p[1] = (uint8_t)(v >> 7);
        return p + 2;
    }
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* As writer.c put_field_pairs. */
static inline uint8_t *floor_pairs(uint8_t *p, const hdump_field *it, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)it[i].kind, x;
        uint64_t o = it[i].offset;
        if (o < 0x80) {
            x = k | (uint32_t)o << 8;
            memcpy(p, &x, 4);
            p += 2;
        } else if (o < 0x4000) {
            x = k | (((uint32_t)o & 0x7f) | 0x80) << 8 | (uint32_t)(o >> 7) << 16;
            memcpy(p, &x, 4);
            p += 3;
        } else if (o < 0x200000) {
            x = k | (((uint32_t)o & 0x7f) | 0x80) << 8 |
                (((uint32_t)(o >> 7) & 0x7f) | 0x80) << 16 | (uint32_t)(o >> 14) << 24;
            memcpy(p, &x, 4);
            p += 4;
        } else {
            *p++ = (uint8_t)k;
            p = floor_uv(p, o);
        }
    }
    return p;
}

#define FLOOR_BUF 4096
#define FLOOR_PIECE 256 /* field entries a piece of a long list: 11 bytes each at most */

/* Encodes every object item of s; with out, also appends each buffer and
 * each directly written range there (the check). Returns the bytes made. */
static size_t floor_encode(const bs_store *s, uint8_t *buf, uint8_t *out) {
    size_t n = 0, total = 0;
    for (size_t i = 0; i < s->nitems; i++) {
        const bs_item *it = &s->items[i];
        if (it->kind != BS_OBJECT) continue;
        const hdump_field *f = s->fields + it->f0;
        size_t len = (size_t)it->len;
        if (len >= FLOOR_BUF || it->nf > FLOOR_PIECE) {
            /* a big object: the header, the contents written directly, the
             * list in pieces that each leave the buffer */
            uint8_t *p = buf + n;
            *p++ = HDUMP_TAG_OBJECT;
            p = floor_uv(p, it->addr);
            p = floor_uv(p, it->len);
            if (out) memcpy(out + total, buf, (size_t)(p - buf));
            total += (size_t)(p - buf);
            if (out) memcpy(out + total, it->ptr, len);
            total += len;
            for (uint32_t k = 0; k < it->nf; k += FLOOR_PIECE) {
                uint32_t m = it->nf - k < FLOOR_PIECE ? it->nf - k : FLOOR_PIECE;
                p = floor_pairs(buf, f + k, m);
                if (out) memcpy(out + total, buf, (size_t)(p - buf));
                total += (size_t)(p - buf);
            }
            buf[0] = 0;
            n = 1;
            continue;
        }
        if (n + 1 + 2 * 10 + len + (size_t)it->nf * 11 + 1 > FLOOR_BUF) {
            if (out) memcpy(out + total, buf, n);
            total += n;
            n = 0;
        }
        uint8_t *p = buf + n;
        *p++ = HDUMP_TAG_OBJECT;
        p = floor_uv(p, it->addr);
        p = floor_uv(p, it->len);
        memcpy(p, it->ptr, len);
        p = floor_pairs(p + len, f, it->nf);
        *p++ = 0;
        n = (size_t)(p - buf);
    }
    if (out) memcpy(out + total, buf, n);
    return total + n;
}

/* The object records' bytes of data, in order; NULL on failure. */
static uint8_t *object_bytes(const uint8_t *data, size_t len, size_t *n_out) {
    uint8_t *out = malloc(len);
    hdump_reader *r;
    if (out == NULL || hdump_reader_new_mem(NULL, data, len, &r) != HDUMP_OK) {
        free(out);
        return NULL;
    }
    hdump_record rec;
    hdump_status st;
    size_t n = 0;
    uint64_t obj_at = 0;
    int in_obj = 0;
    while ((st = hdump_reader_next(r, &rec)) >= HDUMP_OK) {
        if (in_obj) { /* the previous record was an object: it ends here */
            memcpy(out + n, data + obj_at, (size_t)(rec.offset - obj_at));
            n += (size_t)(rec.offset - obj_at);
        }
        in_obj = st == HDUMP_OK && rec.tag == HDUMP_TAG_OBJECT;
        obj_at = rec.offset;
        if (st == HDUMP_END) break;
    }
    hdump_reader_free(r);
    if (st != HDUMP_END) {
        free(out);
        return NULL;
    }
    *n_out = n;
    return out;
}

/* The "floor" target: ring memcpy and encode floor, alternated. */
static int run_floor(const bs_store *s, const uint8_t *data, size_t len, int reps) {
    static uint8_t buf[FLOOR_BUF + 64], ring[4096];
    size_t want_n = 0;
    uint8_t *want = object_bytes(data, len, &want_n);
    uint8_t *got = malloc(len + 64);
    if (want == NULL || got == NULL) {
        fprintf(stderr, "floor: cannot read the dump's object records\n");
        free(want);
        free(got);
        return 1;
    }
    size_t got_n = floor_encode(s, buf, got);
    int same = got_n == want_n && memcmp(got, want, want_n) == 0;
    free(want);
    free(got);
    if (!same) {
        fprintf(stderr, "floor: the encode floor does not make the dump's object bytes\n");
        return 1;
    }
    double *tm = malloc(sizeof(double) * (size_t)reps), *tf = malloc(sizeof(double) * (size_t)reps);
    if (tm == NULL || tf == NULL) {
        free(tm);
        free(tf);
        return 1;
    }
    size_t sink = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = bt_now();
        for (size_t at = 0; at < len; at += sizeof ring) {
            size_t c = len - at < sizeof ring ? len - at : sizeof ring;
            memcpy(ring, data + at, c);
            __asm__ volatile("" : : "r"(ring) : "memory");
        }
        tm[r] = bt_now() - t0;
        t0 = bt_now();
        sink += floor_encode(s, buf, NULL);
        __asm__ volatile("" : : "r"(buf) : "memory");
        tf[r] = bt_now() - t0;
    }
    double mm = bt_median(tm, reps), mf = bt_median(tf, reps);
    printf("memcpy-ring target=mem bytes=%zu reps=%d median_s=%.6f min_s=%.6f max_s=%.6f "
           "mbps=%.1f\n",
           len, reps, mm, tm[0], tm[reps - 1], (double)len / mm / 1e6);
    printf("encode-floor target=null bytes=%zu objects=%llu reps=%d median_s=%.6f min_s=%.6f "
           "max_s=%.6f mbps=%.1f\n",
           want_n, (unsigned long long)s->objects, reps, mf, tf[0], tf[reps - 1],
           (double)want_n / mf / 1e6);
    fflush(stdout);
    free(tm);
    free(tf);
    return sink == 0 && want_n > 0;
}

static hdump_status emit(const bs_store *s, const hdump_writer_opts *o, hdump_sink sink) {
    hdump_writer *w;
    hdump_status st = hdump_writer_new(o, sink, &w);
    if (st != HDUMP_OK) return st;
    st = bs_replay(s, w, 0);
    hdump_writer_free(w);
    return st;
}

int main(int argc, char **argv) {
    int reps = 5;
    size_t bufsize = 4096;
    int i = bt_options(argc, argv, &reps, &bufsize);
    if (argc - i < 2 || reps < 1 || reps > 1000) {
        fprintf(stderr, "usage: %s [-r REPS] [-b BUFSIZE] DUMP TARGET...  (TARGET: a path, null, mem "
                        "or floor)\n", argv[0]);
        return 1;
    }
    const char *dump = argv[i++];
    uint8_t *data;
    size_t len;
    if (bs_load_file(dump, &data, &len) != 0) {
        perror(dump);
        return 1;
    }
    bs_store s;
    hdump_status st = bs_decode(&s, data, len);
    if (st != HDUMP_OK) {
        fprintf(stderr, "%s: %s\n", dump, hdump_status_str(st));
        return 1;
    }
    hdump_writer_opts o;
    hdump_writer_opts_init(&o);
    o.version = s.version;
    o.buffer_size = bufsize;
    const char *k = getenv("HDUMP_KERNEL");
    o.kernel = k != NULL && *k ? k : NULL;

    /* The very same bytes, or the comparison means nothing. */
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    st = emit(&s, &o, hdump_sink_membuf(&m));
    if (st != HDUMP_OK || m.len != len || memcmp(m.data, data, len) != 0) {
        fprintf(stderr, "%s: re-emitting does not give the same bytes (%s)\n", dump,
                hdump_status_str(st));
        return 1;
    }
    fprintf(stderr, "rewrite_timer: %s: %zu bytes, %llu records, %llu objects; "
                    "re-emitted byte-identical (%s)\n",
            dump, len, (unsigned long long)s.records, (unsigned long long)s.objects,
            o.kernel ? o.kernel : "default kernel");

    double *t = malloc(sizeof(double) * (size_t)reps);
    int rc = 0;
    for (; i < argc && rc == 0; i++) {
        const char *target = argv[i];
        if (strcmp(target, "floor") == 0) {
            rc = run_floor(&s, data, len, reps);
            continue;
        }
        for (int r = 0; r < reps && rc == 0; r++) {
            hdump_sink sink;
            int fd = -1;
            if (strcmp(target, "null") == 0) {
                sink = hdump_sink_null();
            } else if (strcmp(target, "mem") == 0) {
                m.len = 0; /* pre-grown by the check above */
                sink = hdump_sink_membuf(&m);
            } else {
                fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd < 0) {
                    perror(target);
                    rc = 1;
                    break;
                }
                sink = hdump_sink_fd(fd);
            }
            double t0 = bt_now();
            st = emit(&s, &o, sink);
            t[r] = bt_now() - t0;
            if (fd >= 0) close(fd);
            if (st != HDUMP_OK) {
                fprintf(stderr, "%s: %s\n", target, hdump_status_str(st));
                rc = 1;
            }
        }
        if (rc) break;
        double med = bt_median(t, reps);
        printf("hdump target=%s bytes=%zu objects=%llu reps=%d median_s=%.6f min_s=%.6f "
               "max_s=%.6f mbps=%.1f\n",
               target, len, (unsigned long long)s.objects, reps, med, t[0], t[reps - 1],
               (double)len / med / 1e6);
        fflush(stdout);
    }
    free(t);
    hdump_membuf_free(&m);
    bs_free(&s);
    free(data);
    return rc;
}
