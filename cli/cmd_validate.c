/* cli/cmd_validate.c: `hdump validate [--json] [--strict] FILE`: structure
 * (everything the reader checks) and meaning (hdump/validate.h). Exit 0
 * valid (warnings allowed), 1 invalid, 2 usage or I/O. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char help[] =
    "usage: hdump validate [--json] [--strict] FILE\n"
    "\n"
    "Checks FILE ('-' = standard input) in two passes. Structure: everything the\n"
    "reader checks (header, tags, uvarints, lengths, field kinds, EOF). Meaning:\n"
    "field offsets inside the contents, ascending and word-aligned; objects that\n"
    "do not overlap and lie in the params heap range; pointers that resolve to\n"
    "nil, an object, data/bss, a stack, a type or an itab; frames that follow\n"
    "their goroutine with depths 0, 1, 2 ... and a consistent child sp; defers,\n"
    "panics and itabs that name goroutines and types of the dump; memstats that\n"
    "agree with the objects; and, for Go >= 1.22, phantom objects (heap-bitmap\n"
    "tails dumped as objects) and 8-byte malloc headers.\n"
    "\n"
    "Findings are errors (the dump is invalid) or warnings and facts (it is\n"
    "still valid). Text output lists every finding with its count and first\n"
    "examples; errors are also printed on stderr as 'FILE: offset N: <what>',\n"
    "N being the offending item's offset (for a truncated dump: its size).\n"
    "\n"
    "  --json     one JSON object on stdout: {\"file\", \"valid\", \"version\",\n"
    "             \"bytes\", \"records\", \"objects\", \"object_bytes\", \"error\",\n"
    "             \"findings\": [{\"name\", \"severity\", \"count\", \"message\",\n"
    "             \"examples\": [{\"offset\", \"record\", \"value\"}]}]}\n"
    "  --strict   also reject over-long (non-minimal) uvarints\n"
    "\n"
    "exit codes: 0 valid (warnings allowed), 1 invalid, 2 usage or I/O error\n";

static const char *sev_name(hdump_severity s) {
    return s == HDUMP_SEV_ERROR ? "error" : s == HDUMP_SEV_WARNING ? "warning" : "info";
}

static void json_str(const char *s) {
    putchar('"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 0x20) printf("\\u%04x", c);
        else putchar(c);
    }
    putchar('"');
}

/* Reads a non-regular input (standard input, a pipe) into memory. */
static uint8_t *slurp(int fd, size_t *len) {
    size_t cap = 1 << 20, n = 0;
    uint8_t *d = malloc(cap);
    while (d) {
        if (n == cap) {
            uint8_t *e = realloc(d, cap *= 2);
            if (e == NULL) break;
            d = e;
        }
        ssize_t k = read(fd, d + n, cap - n);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) break;
        if (k == 0) {
            *len = n;
            return d;
        }
        n += (size_t)k;
    }
    free(d);
    return NULL;
}

int cmd_validate(int argc, char **argv) {
    const char *path = NULL;
    int json = 0;
    hdump_validate_opts o;
    hdump_validate_opts_init(&o);
    o.reader.kernel = cli_kernel();
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--strict") == 0) {
            o.reader.strict = 1;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
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
    hdump_validation v;
    hdump_status st;
    struct stat sb;
    int is_stdin = strcmp(path, "-") == 0;
    if (!is_stdin && stat(path, &sb) != 0) {
        fprintf(stderr, "hdump: %s: %s\n", path, strerror(errno));
        return CLI_USAGE;
    }
    if (!is_stdin && S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "hdump: %s: is a directory\n", path);
        return CLI_USAGE;
    }
    if (!is_stdin && S_ISREG(sb.st_mode)) {
        st = hdump_validate_path(&o, path, &v);
    } else {
        int fd = is_stdin ? 0 : open(path, O_RDONLY);
        size_t len = 0;
        uint8_t *data = fd >= 0 ? slurp(fd, &len) : NULL;
        if (fd > 0) close(fd);
        if (data == NULL) {
            fprintf(stderr, "hdump: %s: cannot read input\n", path);
            return CLI_USAGE;
        }
        st = hdump_validate_mem(&o, data, len, &v);
        free(data);
    }
    if (st != HDUMP_OK) {
        fprintf(stderr, "hdump: %s: cannot validate: %s\n", path, hdump_status_str(st));
        return CLI_USAGE;
    }
    /* An input the reader could not get at is an I/O problem, not a verdict. */
    int io = v.error.code == HDUMP_ERR_IO || v.error.code == HDUMP_ERR_NOMEM;
    const char *vname = v.version ? hdump_version_name(v.version) : "unknown";
    if (v.error.code != HDUMP_OK) cli_print_error(path, &v.error);
    for (size_t i = 0; i < v.nfindings; i++) {
        const hdump_finding *f = &v.findings[i];
        if (f->severity != HDUMP_SEV_ERROR || f->kind == HDUMP_FIND_STRUCTURE) continue;
        fprintf(stderr, "%s: offset %" PRIu64 ": %s: %s (%" PRIu64 " in all)\n", path,
                f->nexamples ? f->examples[0].offset : 0, f->name, f->msg, f->count);
    }
    if (json) {
        printf("{\"file\":");
        json_str(path);
        printf(",\"valid\":%s,\"version\":", v.valid ? "true" : "false");
        json_str(vname);
        printf(",\"bytes\":%" PRIu64 ",\"records\":%" PRIu64 ",\"objects\":%" PRIu64
               ",\"object_bytes\":%" PRIu64 ",\"error\":",
               v.bytes, v.records, v.objects, v.object_bytes);
        if (v.error.code == HDUMP_OK) {
            printf("null");
        } else {
            printf("{\"status\":");
            json_str(hdump_status_str(v.error.code));
            printf(",\"offset\":%" PRIu64 ",\"record\":%" PRIu64 ",\"message\":", v.error.offset,
                   v.error.record_index);
            json_str(v.error.msg);
            printf("}");
        }
        printf(",\"findings\":[");
        for (size_t i = 0; i < v.nfindings; i++) {
            const hdump_finding *f = &v.findings[i];
            printf("%s{\"name\":", i ? "," : "");
            json_str(f->name);
            printf(",\"severity\":\"%s\",\"count\":%" PRIu64 ",\"message\":", sev_name(f->severity),
                   f->count);
            json_str(f->msg);
            printf(",\"examples\":[");
            for (size_t k = 0; k < f->nexamples; k++)
                printf("%s{\"offset\":%" PRIu64 ",\"record\":%" PRIu64 ",\"value\":%" PRIu64 "}",
                       k ? "," : "", f->examples[k].offset, f->examples[k].record_index,
                       f->examples[k].value);
            printf("]}");
        }
        printf("]}\n");
    } else {
        printf("%s: %s: %s, %" PRIu64 " records, %" PRIu64 " bytes, %" PRIu64 " objects\n", path,
               v.valid ? "ok" : "invalid", vname, v.records, v.bytes, v.objects);
        for (size_t i = 0; i < v.nfindings; i++) {
            const hdump_finding *f = &v.findings[i];
            printf("  %-7s %s: %" PRIu64 ": %s\n", sev_name(f->severity), f->name, f->count, f->msg);
            for (size_t k = 0; k < f->nexamples; k++)
                printf("          at offset %" PRIu64 " (record %" PRIu64 "): 0x%" PRIx64 "\n",
                       f->examples[k].offset, f->examples[k].record_index, f->examples[k].value);
        }
    }
    int rc = io ? CLI_USAGE : v.valid ? CLI_OK : CLI_INVALID;
    hdump_validation_free(&v);
    return rc;
}
