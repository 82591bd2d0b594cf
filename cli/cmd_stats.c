/* cli/cmd_stats.c: `hdump stats [--json] FILE`. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: hdump stats [--json] FILE\n"
    "\n"
    "Reads FILE ('-' = standard input) to the EOF record and prints, per record\n"
    "tag, how many records there are and how many bytes they take.\n"
    "\n"
    "  --json   one JSON object: {\"version\", \"bytes\", \"records\": {tag: count},\n"
    "           \"record_bytes\": {tag: bytes}}\n"
    "\n"
    "exit codes: 0 success, 1 malformed input (error on stderr), 2 usage or I/O\n";

int cmd_stats(int argc, char **argv) {
    int json = 0;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return CLI_OK;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "hdump stats: unknown option '%s'\n\n%s", argv[i], help);
            return CLI_USAGE;
        } else if (path == NULL) {
            path = argv[i];
        } else {
            fprintf(stderr, "hdump stats: more than one FILE\n\n%s", help);
            return CLI_USAGE;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "hdump stats: missing FILE\n\n%s", help);
        return CLI_USAGE;
    }
    hdump_reader *r = cli_open(path, NULL);
    if (r == NULL) return CLI_USAGE;
    uint64_t count[HDUMP_TAG_COUNT] = {0}, bytes[HDUMP_TAG_COUNT] = {0};
    hdump_record rec;
    hdump_status st;
    do {
        st = hdump_reader_next(r, &rec);
        if (st < 0) break;
        count[rec.tag]++;
        bytes[rec.tag] += hdump_reader_offset(r) - rec.offset;
    } while (st == HDUMP_OK);
    if (st < 0) {
        cli_print_error(path, hdump_reader_error(r));
        int rc = cli_error_exit(st);
        hdump_reader_free(r);
        return rc;
    }
    hdump_version v;
    hdump_reader_version(r, &v);
    uint64_t total = hdump_reader_offset(r), nrec = 0;
    for (int t = 0; t < HDUMP_TAG_COUNT; t++) nrec += count[t];
    if (json) {
        printf("{\"version\":\"%s\",\"bytes\":%" PRIu64 ",\"records\":{", hdump_version_name(v),
               total);
        for (int t = 0; t < HDUMP_TAG_COUNT; t++)
            printf("%s\"%s\":%" PRIu64, t ? "," : "", hdump_tag_name((uint64_t)t), count[t]);
        printf("},\"record_bytes\":{");
        for (int t = 0; t < HDUMP_TAG_COUNT; t++)
            printf("%s\"%s\":%" PRIu64, t ? "," : "", hdump_tag_name((uint64_t)t), bytes[t]);
        printf("}}\n");
    } else {
        printf("%s: %s, %" PRIu64 " bytes, %" PRIu64 " records\n", path, hdump_version_name(v),
               total, nrec);
        printf("%-18s %12s %14s\n", "tag", "records", "bytes");
        for (int t = 0; t < HDUMP_TAG_COUNT; t++)
            printf("%2d %-15s %12" PRIu64 " %14" PRIu64 "\n", t, hdump_tag_name((uint64_t)t),
                   count[t], bytes[t]);
        printf("%-18s %12s %14" PRIu64 "\n", "header", "", (uint64_t)HDUMP_HEADER_SIZE);
    }
    hdump_reader_free(r);
    return CLI_OK;
}
