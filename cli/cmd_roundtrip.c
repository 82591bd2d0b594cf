/* cli/cmd_roundtrip.c: `hdump roundtrip`: generate, write, read back, and
 * compare every record field by field with what was generated: a second
 * generator run in lock step, or (--via queue, roundtrip_queue.c) the
 * records the one generator queued. Memory stays bounded: nothing holds the
 * whole dump. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

static const char help[] =
    "usage: hdump roundtrip --objects N [--seed S] [--profile P] [--format V]\n"
    "                       [--via memory|threads|queue|pipe|FILE] [--flip N]\n"
    "\n"
    "Generates a dump, writes it, reads it back and compares every record field by\n"
    "field with what was generated; prints records/s and bytes/s. Memory is\n"
    "bounded whatever N is: ~15 MiB, ~25 MiB with --via queue.\n"
    "\n"
    "  --via memory  (default) the reader pulls bytes the writer produces on demand\n"
    "  --via threads two cores: a writer thread (generate + write) hands 1 MiB\n"
    "                blocks to the reading thread (read + regenerate + compare)\n"
    "  --via queue   two cores: a thread generates once and queues a copy of each\n"
    "                record; the main thread writes, reads back and compares\n"
    "  --via pipe    a writer thread feeds a pipe the reader reads\n"
    "  --via FILE    the dump is written to FILE, then read back from it\n"
    "  --flip N      flip bit 0 of byte N of the dump between writer and reader: a\n"
    "                self-test, the round trip must then fail (exit 1)\n"
    "  other options as in `hdump gen`\n"
    "\n"
    "exit codes: 0 every record equal, 1 a difference (printed), 2 usage or I/O\n"
    "error, or the generator or the writer failed (named)\n";

/* ---- memory: a source that runs the generator and writer on demand ---- */
typedef struct pump {
    hdump_gen *g;
    hdump_writer *w;
    cli_stream out; /* what the writer gave, not yet read */
    size_t pos;
    int done;
    hdump_status st;
    const char *who; /* which of the two failed with st */
} pump;

static hdump_status pump_sink(void *ctx, const void *p, size_t n) {
    return cli_stream_append(&((pump *)ctx)->out, p, n);
}

static hdump_status pump_read(void *ctx, void *buf, size_t cap, size_t *got) {
    pump *q = ctx;
    while (q->pos == q->out.len && !q->done) {
        q->pos = q->out.len = 0;
        hdump_record rec;
        hdump_status st = hdump_gen_next(q->g, &rec);
        q->who = "writer";
        if (st == HDUMP_OK) st = hdump_writer_put(q->w, &rec);
        else if (st == HDUMP_END) {
            st = hdump_writer_finish(q->w);
            q->done = 1;
        } else {
            q->who = "generator";
        }
        if (st != HDUMP_OK) {
            q->st = st;
            return HDUMP_ERR_IO;
        }
    }
    size_t k = q->out.len - q->pos < cap ? q->out.len - q->pos : cap;
    memcpy(buf, q->out.buf + q->pos, k);
    q->pos += k;
    *got = k;
    return HDUMP_OK;
}

int cmd_roundtrip(int argc, char **argv) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    const char *via = "memory";
    uint64_t flip = UINT64_MAX;
    for (int i = 1; i < argc; i++) {
        int k = cli_gen_option(argc, argv, &i, &go, "roundtrip");
        if (k < 0) return CLI_USAGE;
        if (k > 0) continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--via") == 0 || strcmp(argv[i], "--flip") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "hdump roundtrip: %s needs a value\n", argv[i]);
                return CLI_USAGE;
            }
            if (argv[i][2] == 'v') {
                via = argv[++i];
            } else if (cli_parse_u64(argv[++i], &flip) != 0 || flip == UINT64_MAX) {
                fprintf(stderr, "hdump roundtrip: --flip takes a byte offset, not '%s'\n", argv[i]);
                return CLI_USAGE;
            }
        } else {
            fprintf(stderr, "hdump roundtrip: unknown argument '%s'\n\n%s", argv[i], help);
            return CLI_USAGE;
        }
    }
    double t0 = cli_now();
    hdump_reader_opts ro;
    hdump_reader_opts_init(&ro);
    ro.kernel = cli_kernel();
    /* Objects are at most 1 MiB: keep every range inline so each is compared
     * byte for byte, in a buffer that stays a few MiB. */
    ro.buffer_size = 4u << 20;
    ro.inline_max = 2u << 20;
    hdump_reader *r = NULL;
    pump q;
    memset(&q, 0, sizeof q);
    q.out.flip = flip;
    rt_pipe *pp = NULL;
    rt_ring *rg = NULL;
    rt_threads *rt = NULL;
    int fd = -1;
    hdump_status st = HDUMP_OK;
    if (strcmp(via, "memory") == 0) {
        hdump_writer_opts wo;
        hdump_writer_opts_init(&wo);
        wo.kernel = cli_kernel();
        wo.version = go.version;
        hdump_sink s = {pump_sink, &q};
        if ((st = hdump_gen_new(&go, &q.g)) == HDUMP_OK && (st = hdump_writer_new(&wo, s, &q.w)) == HDUMP_OK) {
            hdump_source src = {pump_read, &q, UINT64_MAX};
            st = hdump_reader_new_source(&ro, src, &r);
        }
    } else if (strcmp(via, "threads") == 0) {
        if ((st = rg_start(&go, flip, &rg)) == HDUMP_OK)
            st = hdump_reader_new_source(&ro, rg_source(rg), &r);
    } else if (strcmp(via, "queue") == 0) {
        if ((st = rt_start(&go, flip, &rt)) == HDUMP_OK)
            st = hdump_reader_new_source(&ro, rt_source(rt), &r);
    } else if (strcmp(via, "pipe") == 0) {
        if ((st = pp_start(&go, flip, &pp, &fd)) == HDUMP_OK) st = hdump_reader_new_fd(&ro, fd, &r);
    } else {
        fd = open(via, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            perror(via);
            return CLI_USAGE;
        }
        hdump_error werr;
        memset(&werr, 0, sizeof werr);
        st = cli_write_fd(&go, fd, flip, NULL, &werr);
        if (close(fd) != 0 && st == HDUMP_OK) st = HDUMP_ERR_IO;
        fd = -1;
        if (st != HDUMP_OK && werr.code != HDUMP_OK) {
            /* Name the write that failed (e.g. a full disk), not just "set up". */
            fprintf(stderr, "hdump roundtrip: writing '%s' failed at byte %" PRIu64 ": %s (%s)\n", via,
                    werr.offset, werr.msg ? werr.msg : "", hdump_status_str(werr.code));
            return CLI_USAGE;
        }
        if (st == HDUMP_OK) {
            fd = open(via, O_RDONLY);
            st = fd < 0 ? HDUMP_ERR_IO : hdump_reader_new_fd(&ro, fd, &r);
        }
    }
    if (st != HDUMP_OK) {
        fprintf(stderr, "hdump roundtrip: cannot set up '%s': %s\n", via, hdump_status_str(st));
        const char *who = "";
        rt_end(rt, &who);
        rg_end(rg, &who);
        pp_end(pp, 0, &who);
        return CLI_USAGE;
    }

    hdump_gen *exp = NULL;
    if (rt == NULL && (st = hdump_gen_new(&go, &exp)) != HDUMP_OK) {
        fprintf(stderr, "hdump roundtrip: %s\n", hdump_status_str(st));
        return CLI_USAGE;
    }
    cli_progress pr;
    cli_progress_start(&pr, "roundtrip", 0);
    hdump_record want, got;
    hdump_status se, sr;
    uint64_t n = 0, bad = 0;
    do {
        const hdump_record *wp = &want;
        if (rt != NULL) { /* the read drives the writer: read first */
            sr = hdump_reader_next(r, &got);
            if (sr < 0) break;
            wp = rt_expect(rt);
            if (wp == NULL) {
                fprintf(stderr, "hdump roundtrip: record %" PRIu64 " was read but never written\n", n);
                bad++;
                break;
            }
            se = wp->tag == HDUMP_TAG_EOF ? HDUMP_END : HDUMP_OK;
        } else {
            se = hdump_gen_next(exp, &want);
            sr = hdump_reader_next(r, &got);
            if (sr < 0) break;
        }
        if (se != sr || !hdump_record_equal(go.version, wp, &got) || wp->index != got.index) {
            if (bad++ == 0)
                fprintf(stderr, "hdump roundtrip: record %" PRIu64 " differs: expected tag %d, read tag %d at offset %" PRIu64 "\n",
                        n, (int)wp->tag, (int)got.tag, got.offset);
        }
        n++;
        cli_progress_update(&pr, n, hdump_reader_offset(r));
    } while (se == HDUMP_OK && sr == HDUMP_OK);
    cli_progress_end(&pr);
    uint64_t bytes = hdump_reader_offset(r);
    int rc = CLI_OK;
    /* A writer or generator failure is ours, not the dump's: name it, exit 2. */
    const char *who = NULL;
    hdump_status fail = HDUMP_OK;
    if (pp != NULL) {
        /* --via pipe: pp_end closes the reading end (r reads no more), so a
         * writer blocked on a full pipe ends, and joins it. */
        fail = pp_end(pp, sr >= 0 && bad == 0, &who);
        fd = -1;
    } else if (rg != NULL) {
        fail = rg_end(rg, &who); /* --via threads */
    } else if (rt != NULL) {
        fail = rt_end(rt, &who); /* --via queue */
    } else if (q.st != HDUMP_OK) {
        fail = q.st;
        who = q.who;
    }
    if (fail != HDUMP_OK) {
        fprintf(stderr, "hdump roundtrip: the %s failed: %s\n", who, hdump_status_str(fail));
        rc = CLI_USAGE;
    } else if (sr < 0) {
        cli_print_error(via, hdump_reader_error(r));
        rc = CLI_INVALID;
    } else if (bad) {
        fprintf(stderr, "hdump roundtrip: %" PRIu64 " of %" PRIu64 " records differ\n", bad, n);
        rc = CLI_INVALID;
    }
    if (rc == CLI_OK && flip != UINT64_MAX && flip >= bytes) {
        fprintf(stderr, "hdump roundtrip: --flip %" PRIu64 " is past the dump's %" PRIu64
                " bytes: nothing was flipped\n", flip, bytes);
        rc = CLI_USAGE;
    }
    hdump_reader_free(r);
    if (fd >= 0) close(fd); /* --via FILE */
    fd = -1;
    hdump_writer_free(q.w);
    hdump_gen_free(q.g);
    free(q.out.buf);
    hdump_gen_free(exp);
    double el = cli_now() - t0;
    if (rc == CLI_OK) {
        printf("roundtrip: %s, %s, %" PRIu64 " objects, seed %" PRIu64 ", via %s: %" PRIu64
               " records, %" PRIu64 " bytes, all equal\n",
               hdump_version_name(go.version), hdump_gen_profile_name(go.profile), go.objects,
               go.seed, via, n, bytes);
        printf("roundtrip: %.2f s, %.2f M records/s, %.1f MB/s (generate, write, read, compare)\n",
               el, (double)n / el / 1e6, (double)bytes / el / 1e6);
    }
    return rc;
}
