/* cli/input.c: opening inputs and reporting reader errors. */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

const char *cli_kernel(void) {
    const char *k = getenv("HDUMP_KERNEL");
    return k && *k ? k : NULL;
}

hdump_reader *cli_open(const char *path, const hdump_reader_opts *o) {
    hdump_reader_opts d;
    if (o == NULL) {
        hdump_reader_opts_init(&d);
        d.kernel = cli_kernel();
        o = &d;
    }
    hdump_reader *r = NULL;
    hdump_status st;
    if (strcmp(path, "-") == 0) {
        st = hdump_reader_new_fd(o, 0, &r);
    } else {
        struct stat sb;
        if (stat(path, &sb) != 0) {
            fprintf(stderr, "hdump: %s: %s\n", path, strerror(errno));
            return NULL;
        }
        if (S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "hdump: %s: is a directory\n", path);
            return NULL;
        }
        if (S_ISREG(sb.st_mode)) {
            st = hdump_reader_new_mmap(o, path, &r);
        } else {
            int fd = open(path, O_RDONLY);
            if (fd < 0) {
                fprintf(stderr, "hdump: %s: %s\n", path, strerror(errno));
                return NULL;
            }
            /* The descriptor lives as long as the process; the CLI reads one input. */
            st = hdump_reader_new_fd(o, fd, &r);
        }
    }
    if (st < 0) {
        if (st == HDUMP_ERR_UNSUPPORTED)
            fprintf(stderr, "hdump: HDUMP_KERNEL=%s: unknown kernel, or one this CPU cannot run\n",
                    o->kernel ? o->kernel : "");
        else
            fprintf(stderr, "hdump: %s: cannot open: %s\n", path, hdump_status_str(st));
        return NULL;
    }
    return r;
}

int cli_error_exit(hdump_status st) {
    switch (st) {
    case HDUMP_ERR_IO:
    case HDUMP_ERR_NOMEM:
    case HDUMP_ERR_USAGE:
    case HDUMP_ERR_UNSUPPORTED: return CLI_USAGE;
    default: return CLI_INVALID;
    }
}

void cli_print_error(const char *path, const hdump_error *e) {
    fprintf(stderr, "%s: offset %" PRIu64 ": %s (%s; record %" PRIu64, path, e->offset,
            e->msg ? e->msg : hdump_status_str(e->code), hdump_status_str(e->code),
            e->record_index);
    if (e->tag != UINT64_MAX) {
        const char *n = hdump_tag_name(e->tag);
        fprintf(stderr, ", tag %" PRIu64 "%s%s", e->tag, n ? " " : "", n ? n : "");
    }
    fprintf(stderr, ")\n");
}
