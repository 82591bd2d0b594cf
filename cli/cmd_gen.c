/* cli/cmd_gen.c: `hdump gen`: a synthetic dump from the generator. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

static const char help[] =
    "usage: hdump gen --objects N [--seed S] [--profile P] [--format V] [-o FILE|-]\n"
    "\n"
    "Writes a synthetic Go heap dump, deterministic from the seed, streaming:\n"
    "memory does not grow with N.\n"
    "\n"
    "  --objects N   heap objects (suffixes k, M, G = 10^3, 10^6, 10^9); default 1000\n"
    "  --seed S      default 1\n"
    "  --profile P   mixed (default), small, large, pointers, goroutines, or\n"
    "                gobench: the heap bench/go/heapbench builds, as Go dumps it\n"
    "  --format V    go1.3, go1.4, go1.5, go1.6, go1.7 (default)\n"
    "  -o FILE       output file; '-' or no -o: standard output (not a terminal)\n"
    "\n"
    "exit codes: 0 success, 2 usage or I/O error\n";

int cmd_gen(int argc, char **argv) {
    hdump_gen_opts go;
    hdump_gen_opts_init(&go);
    const char *out = "-";
    for (int i = 1; i < argc; i++) {
        int k = cli_gen_option(argc, argv, &i, &go, "gen");
        if (k < 0) return CLI_USAGE;
        if (k > 0) continue;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "-o") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "hdump gen: -o needs a value\n");
                return CLI_USAGE;
            }
            out = argv[++i];
        } else {
            fprintf(stderr, "hdump gen: unknown argument '%s'\n\n%s", argv[i], help);
            return CLI_USAGE;
        }
    }
    int fd = 1;
    if (strcmp(out, "-") != 0) {
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            perror(out);
            return CLI_USAGE;
        }
    } else if (isatty(1)) {
        fprintf(stderr, "hdump gen: refusing to write a binary dump to a terminal; use -o FILE\n");
        return CLI_USAGE;
    }
    hdump_gen *g;
    hdump_writer *w;
    hdump_writer_opts wo;
    hdump_writer_opts_init(&wo);
    wo.kernel = cli_kernel();
    wo.version = go.version;
    wo.buffer_size = 1 << 16;
    hdump_status cs = hdump_gen_new(&go, &g);
    if (cs == HDUMP_OK) {
        cs = hdump_writer_new(&wo, hdump_sink_fd(fd), &w);
        if (cs != HDUMP_OK) hdump_gen_free(g);
    }
    if (cs != HDUMP_OK) {
        fprintf(stderr, "hdump gen: %s\n",
                cs == HDUMP_ERR_UNSUPPORTED ? "HDUMP_KERNEL names an unknown kernel, or one this CPU cannot run"
                                            : hdump_status_str(cs));
        if (fd != 1) close(fd);
        return CLI_USAGE;
    }
    cli_progress pr;
    cli_progress_start(&pr, "gen", 0);
    hdump_record rec;
    hdump_status st;
    uint64_t n = 0;
    while ((st = hdump_gen_next(g, &rec)) == HDUMP_OK) {
        if ((st = hdump_writer_put(w, &rec)) != HDUMP_OK) break;
        cli_progress_update(&pr, ++n, hdump_writer_bytes(w));
    }
    if (st == HDUMP_END) st = hdump_writer_finish(w);
    cli_progress_end(&pr);
    int rc = CLI_OK;
    if (st != HDUMP_OK) {
        fprintf(stderr, "hdump gen: %s: %s\n", strcmp(out, "-") ? out : "standard output",
                hdump_writer_error(w)->msg ? hdump_writer_error(w)->msg : hdump_status_str(st));
        rc = CLI_USAGE;
    }
    hdump_writer_free(w);
    hdump_gen_free(g);
    if (fd != 1 && close(fd) != 0) {
        perror(out);
        rc = CLI_USAGE;
    }
    return rc;
}
