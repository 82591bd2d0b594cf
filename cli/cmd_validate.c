/* cli/cmd_validate.c: `hdump validate FILE`: structure checks (everything the
 * reader checks), exit 0 valid, 1 malformed, 2 usage or I/O. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: hdump validate [--strict] FILE\n"
    "\n"
    "Reads FILE ('-' = standard input) to the EOF record. A well-formed dump\n"
    "exits 0 and prints a one-line summary on stdout; a malformed one exits 1\n"
    "and prints 'FILE: offset N: <what is wrong>' on stderr, N being the byte\n"
    "offset of the offending item (for a truncated dump: the input's size).\n"
    "\n"
    "  --strict   also reject over-long (non-minimal) uvarints\n"
    "\n"
    "exit codes: 0 valid, 1 malformed, 2 usage or I/O error\n";

int cmd_validate(int argc, char **argv) {
    const char *path = NULL;
    hdump_reader_opts o;
    hdump_reader_opts_init(&o);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--strict") == 0) {
            o.strict = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "hdump validate: unknown option '%s'\n\n%s", argv[i], help);
            return CLI_USAGE;
        } else if (path == NULL) {
            path = argv[i];
        } else {
            fprintf(stderr, "hdump validate: more than one FILE\n\n%s", help);
            return CLI_USAGE;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "hdump validate: missing FILE\n\n%s", help);
        return CLI_USAGE;
    }
    hdump_reader *r = cli_open(path, &o);
    if (r == NULL) return CLI_USAGE;
    hdump_record rec;
    hdump_status st;
    uint64_t n = 0;
    while ((st = hdump_reader_next(r, &rec)) == HDUMP_OK) n++;
    if (st < 0) {
        cli_print_error(path, hdump_reader_error(r));
        int rc = cli_error_exit(st);
        hdump_reader_free(r);
        return rc;
    }
    hdump_version v;
    hdump_reader_version(r, &v);
    printf("%s: ok: %s, %" PRIu64 " records, %" PRIu64 " bytes\n", path, hdump_version_name(v),
           n + 1, hdump_reader_offset(r));
    hdump_reader_free(r);
    return CLI_OK;
}
