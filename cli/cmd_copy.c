/* cli/cmd_copy.c: `hdump rewrite IN OUT` and `hdump salvage IN OUT`, both a
 * reader-to-writer copy (hdump_copy). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

static const char rewrite_help[] =
    "usage: hdump rewrite IN OUT\n"
    "\n"
    "Reads IN and writes every record again to OUT, in IN's format version. For\n"
    "every dump written by the Go runtime or by hdump the output is byte-identical\n"
    "to the input (a dump with over-long uvarints comes out canonical). IN or OUT\n"
    "may be '-' (standard input / output).\n"
    "\n"
    "exit codes: 0 success, 1 IN is malformed (OUT is removed), 2 usage or I/O error\n";

static const char salvage_help[] =
    "usage: hdump salvage IN OUT\n"
    "\n"
    "Keeps every complete record of a truncated or damaged dump, ends it with an\n"
    "EOF record, and reports on stderr where the damage starts and what was\n"
    "dropped. IN or OUT may be '-'.\n"
    "\n"
    "exit codes: 0 IN was intact (OUT is a copy), 1 damage found (OUT holds what\n"
    "was saved), 2 usage or I/O error, or IN is not a Go heap dump\n";

static int on_progress(void *ctx, uint64_t records, uint64_t bytes) {
    cli_progress_update(ctx, records, bytes);
    return 0;
}

/* Picks the version of a dump whose header is cut short: the one header the
 * bytes can still begin, else go1.7 (what every Go since 1.7 writes). */
static hdump_version guess_version(const char *path) {
    FILE *f = strcmp(path, "-") == 0 ? NULL : fopen(path, "rb");
    uint8_t h[HDUMP_HEADER_SIZE];
    size_t n = f ? fread(h, 1, sizeof h, f) : 0;
    if (f) fclose(f);
    hdump_version found = HDUMP_GO1_7;
    int matches = 0;
    for (int v = HDUMP_GO1_3; v <= HDUMP_GO1_7; v++)
        if (memcmp(h, hdump_version_header((hdump_version)v), n) == 0) {
            found = (hdump_version)v;
            matches++;
        }
    return matches == 1 ? found : HDUMP_GO1_7;
}

static int run(int argc, char **argv, int salvage) {
    const char *help = salvage ? salvage_help : rewrite_help;
    const char *cmd = salvage ? "salvage" : "rewrite";
    const char *in = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "hdump %s: unknown option '%s'\n\n%s", cmd, argv[i], help);
            return CLI_USAGE;
        } else if (in == NULL) {
            in = argv[i];
        } else if (out == NULL) {
            out = argv[i];
        } else {
            fprintf(stderr, "hdump %s: too many arguments\n\n%s", cmd, help);
            return CLI_USAGE;
        }
    }
    if (in == NULL || out == NULL) {
        fprintf(stderr, "hdump %s: needs IN and OUT\n\n%s", cmd, help);
        return CLI_USAGE;
    }
    struct stat si, so;
    int in_regular = strcmp(in, "-") != 0 && stat(in, &si) == 0 && S_ISREG(si.st_mode);
    if (in_regular && strcmp(out, "-") != 0 && stat(out, &so) == 0 && si.st_dev == so.st_dev &&
        si.st_ino == so.st_ino) {
        fprintf(stderr, "hdump %s: IN and OUT are the same file\n", cmd);
        return CLI_USAGE;
    }
    if (strcmp(out, "-") == 0 && isatty(1)) {
        fprintf(stderr, "hdump %s: refusing to write a binary dump to a terminal\n", cmd);
        return CLI_USAGE;
    }
    hdump_reader_opts ro;
    hdump_reader_opts_init(&ro);
    ro.kernel = cli_kernel();
    /* A copy needs whole ranges: keep them inline (a streaming input then
     * holds one record at a time, up to max_record_bytes). */
    ro.inline_max = UINT64_MAX;
    ro.limits.max_record_bytes = (uint64_t)1 << 32;
    hdump_reader *r = cli_open(in, &ro);
    if (r == NULL) return CLI_USAGE;
    hdump_version v;
    hdump_status st = hdump_reader_version(r, &v);
    if (st != HDUMP_OK) {
        if (!salvage || st != HDUMP_ERR_TRUNCATED) {
            cli_print_error(in, hdump_reader_error(r));
            hdump_reader_free(r);
            return salvage ? CLI_USAGE : cli_error_exit(st);
        }
        v = guess_version(in);
    }
    int fd = 1;
    if (strcmp(out, "-") != 0) {
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            perror(out);
            hdump_reader_free(r);
            return CLI_USAGE;
        }
    }
    hdump_writer_opts wo;
    hdump_writer_opts_init(&wo);
    wo.kernel = cli_kernel();
    wo.version = v;
    wo.buffer_size = 1 << 16;
    hdump_writer *w;
    if (hdump_writer_new(&wo, hdump_sink_fd(fd), &w) != HDUMP_OK) {
        fprintf(stderr, "hdump %s: out of memory\n", cmd);
        hdump_reader_free(r);
        if (fd != 1) close(fd);
        return CLI_USAGE;
    }
    hdump_copy_report rep;
    cli_progress pr;
    cli_progress_start(&pr, cmd, in_regular ? (uint64_t)si.st_size : 0);
    st = hdump_copy_progress(r, w, salvage ? HDUMP_COPY_SALVAGE : 0, &rep, on_progress, &pr);
    cli_progress_end(&pr);
    int rc = CLI_OK;
    if (st == HDUMP_ERR_USAGE) {
        fprintf(stderr, "hdump %s: %s: a byte range is too long to hold\n", cmd, in);
        rc = CLI_USAGE;
    } else if (st != HDUMP_OK && rep.error.code != HDUMP_OK) {
        cli_print_error(in, &rep.error);
        rc = cli_error_exit(st);
    } else if (st != HDUMP_OK) {
        fprintf(stderr, "hdump %s: %s: %s\n", cmd, out,
                hdump_writer_error(w)->msg ? hdump_writer_error(w)->msg : hdump_status_str(st));
        rc = CLI_USAGE;
    } else if (salvage && !rep.complete) {
        /* What was dropped: everything after the last complete record, up to
         * the input's end (known for a file; else where reading stopped). */
        uint64_t total = in_regular ? (uint64_t)si.st_size : rep.input_bytes;
        if (rep.error.code == HDUMP_ERR_TRAILING && !in_regular) total = rep.error.offset;
        uint64_t dropped = total > rep.good_bytes ? total - rep.good_bytes : 0;
        fprintf(stderr,
                "%s: damage at offset %" PRIu64 ": %s (%s)\n"
                "%s: kept %" PRIu64 " complete records (%" PRIu64
                " bytes) and added EOF; dropped %" PRIu64 " byte%s from offset %" PRIu64 "\n",
                in, rep.error.offset, rep.error.msg ? rep.error.msg : "",
                hdump_status_str(rep.error.code), out, rep.records - 1, rep.good_bytes, dropped,
                dropped == 1 ? "" : "s", rep.good_bytes);
        rc = CLI_INVALID;
    } else if (salvage) {
        fprintf(stderr, "%s: no damage: %" PRIu64 " records copied\n", in, rep.records);
    }
    hdump_writer_free(w);
    hdump_reader_free(r);
    if (fd != 1 && close(fd) != 0) {
        perror(out);
        rc = CLI_USAGE;
    }
    if (!salvage && rc != CLI_OK && fd != 1) unlink(out);
    return rc;
}

int cmd_rewrite(int argc, char **argv) { return run(argc, argv, 0); }
int cmd_salvage(int argc, char **argv) { return run(argc, argv, 1); }
