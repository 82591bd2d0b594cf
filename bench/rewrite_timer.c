/* bench/rewrite_timer.c: how long hdump's writer takes to emit a given dump.
 *
 *   hdump_rewrite_timer [-r REPS] [-b BUFSIZE] [-t THREADS] [-c CHUNK] [-i INPUT] DUMP TARGET...
 *     (TARGET: a path, null, mem, floor)
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
 * of the dump into a 4 KiB ring (the bench's baseline) and the encode floor
 * (floors.h: the dump's object records made again from the same decoded
 * items by the shortest loop, checked against the dump first). It prints:
 *   memcpy-ring target=mem bytes=N reps=R median_s=..
 *   encode-floor target=null bytes=M objects=K reps=R median_s=..  (M: the objects' bytes)
 * -t THREADS (default 0: off) puts each run of objects with one
 * hdump_writer_put_objects call, with opts.threads = THREADS and
 * opts.chunk_size = CHUNK (default the writer's); the hdump_object array is
 * made before timing, as the decoded items are; lines then start
 * "hdump-objects-<THREADS>t". -i spans puts each run of objects with one
 * hdump_writer_put_spans call instead, over spans made before timing
 * (bs_spans_build; THREADS 1 without -t); lines then start
 * "hdump-spans-<THREADS>t". $HDUMP_KERNEL selects the varint kernel. Exit
 * status 0, or 1 on any error. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timer_util.h"

#include "bench_store.h"
#include "floors.h"

/* The "floor" target: ring memcpy and encode floor, alternated. */
static int run_floor(const bs_store *s, const uint8_t *data, size_t len, int reps) {
    static uint8_t buf[BS_FLOOR_BUF + 64], ring[4096];
    size_t want_n = 0;
    if (bs_encode_floor_check(s, data, len, &want_n) != 0) {
        fprintf(stderr, "floor: the encode floor does not make the dump's object bytes\n");
        return 1;
    }
    double *tm = malloc(sizeof(double) * (size_t)reps), *tf = malloc(sizeof(double) * (size_t)reps);
    if (tm == NULL || tf == NULL) {
        free(tm);
        free(tf);
        return 1;
    }
    int rc = 0;
    for (int r = 0; r < reps; r++) {
        double t0 = bt_now();
        for (size_t at = 0; at < len; at += sizeof ring) {
            size_t c = len - at < sizeof ring ? len - at : sizeof ring;
            memcpy(ring, data + at, c);
            __asm__ volatile("" : : "r"(ring) : "memory");
        }
        tm[r] = bt_now() - t0;
        t0 = bt_now();
        size_t made = bs_encode_floor(s, buf, NULL);
        __asm__ volatile("" : : "r"(buf) : "memory");
        tf[r] = bt_now() - t0;
        if (made != want_n) rc = 1; /* as many bytes as the checked run made */
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
    if (rc) fprintf(stderr, "floor: a timed run made a different number of bytes\n");
    return rc;
}

static hdump_status emit(const bs_store *s, const hdump_object *objs, const bs_spans *sp,
                         const hdump_writer_opts *o, hdump_sink sink) {
    hdump_writer *w;
    hdump_status st = hdump_writer_new(o, sink, &w);
    if (st != HDUMP_OK) return st;
    st = sp != NULL     ? bs_replay_spans(s, sp, w, 0)
         : objs != NULL ? bs_replay_objects(s, objs, w, 0)
                        : bs_replay(s, w, 0);
    hdump_writer_free(w);
    return st;
}

int main(int argc, char **argv) {
    int reps = 5;
    size_t bufsize = 4096;
    unsigned threads = 0;
    size_t chunk = 0;
    const char *input = "objects";
    /* -r, -b, -t, -c and -i, in any order */
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] != 0 && argv[i][2] == 0; i += 2) {
        const char *v = argv[i + 1];
        switch (argv[i][1]) {
        case 'r': reps = atoi(v); break;
        case 'b': bufsize = (size_t)strtoull(v, NULL, 10); break;
        case 't': threads = (unsigned)strtoul(v, NULL, 10); break;
        case 'c': chunk = (size_t)strtoull(v, NULL, 10); break;
        case 'i': input = v; break;
        default: goto usage;
        }
    }
    const int spans = strcmp(input, "spans") == 0;
    if (argc - i < 2 || reps < 1 || reps > 1000 || (!spans && strcmp(input, "objects") != 0)) {
    usage:
        fprintf(stderr,
                "usage: %s [-r REPS] [-b BUFSIZE] [-t THREADS] [-c CHUNK] [-i objects|spans] "
                "DUMP TARGET...\n"
                "  TARGET: a path, null, mem or floor\n",
                argv[0]);
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
    hdump_object *objs = NULL;
    bs_spans sp, *spp = NULL;
    char label[32] = "hdump";
    if (spans) {
        if (threads == 0) threads = 1;
        o.threads = threads;
        if (chunk) o.chunk_size = chunk;
        int r = bs_spans_build(&s, &sp);
        if (r != 0) {
            fprintf(stderr, "%s: %s\n", dump,
                    r == -1 ? "out of memory" : "some objects have no span form (go1.3, or a "
                                                "list that is not a pointer map's walk)");
            return 1;
        }
        spp = &sp;
        snprintf(label, sizeof label, "hdump-spans-%ut", threads);
    } else if (threads > 0) {
        o.threads = threads;
        if (chunk) o.chunk_size = chunk;
        if (s.version == HDUMP_GO1_3) {
            fprintf(stderr, "%s: -t: go1.3 objects are replayed as plain records\n", dump);
            return 1;
        }
        if (bs_objects_build(&s, NULL, &objs) != 0) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        snprintf(label, sizeof label, "hdump-objects-%ut", threads);
    }

    /* The very same bytes, or the comparison means nothing. */
    hdump_membuf m;
    hdump_membuf_init(&m, NULL);
    st = emit(&s, objs, spp, &o, hdump_sink_membuf(&m));
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
            st = emit(&s, objs, spp, &o, sink);
            t[r] = bt_now() - t0;
            if (fd >= 0) close(fd);
            if (st != HDUMP_OK) {
                fprintf(stderr, "%s: %s\n", target, hdump_status_str(st));
                rc = 1;
            }
        }
        if (rc) break;
        double med = bt_median(t, reps);
        printf("%s target=%s bytes=%zu objects=%llu reps=%d median_s=%.6f min_s=%.6f "
               "max_s=%.6f mbps=%.1f\n",
               label, target, len, (unsigned long long)s.objects, reps, med, t[0], t[reps - 1],
               (double)len / med / 1e6);
        fflush(stdout);
    }
    free(t);
    hdump_membuf_free(&m);
    free(objs);
    if (spp != NULL) bs_spans_free(spp);
    bs_free(&s);
    free(data);
    return rc;
}
