/* cli/main.c: the hdump command: dispatch to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: hdump <command> [options] FILE\n"
    "\n"
    "Reads and checks Go runtime heap dumps (runtime/debug.WriteHeapDump;\n"
    "headers go1.3 ... go1.7). FILE may be '-' for standard input.\n"
    "\n"
    "commands:\n"
    "  stats [--json] FILE   per-tag record counts and bytes\n"
    "  validate [--strict] FILE\n"
    "                        exit 0 if well formed, 1 if not (with the offset)\n"
    "\n"
    "options:\n"
    "  -h, --help            this help (also: hdump <command> --help)\n"
    "  --version             print the version\n"
    "\n"
    "exit codes: 0 success, 1 malformed input, 2 usage or I/O error\n";

static int run(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("hdump %s\n", HDUMP_VERSION_STRING);
        return CLI_OK;
    }
    if (strcmp(cmd, "stats") == 0) return cmd_stats(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0) return cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "gen") == 0) return cmd_gen(argc - 1, argv + 1);
    if (strcmp(cmd, "roundtrip") == 0) return cmd_roundtrip(argc - 1, argv + 1);
    if (strcmp(cmd, "rewrite") == 0) return cmd_rewrite(argc - 1, argv + 1);
    if (strcmp(cmd, "salvage") == 0) return cmd_salvage(argc - 1, argv + 1);
    fprintf(stderr, "hdump: unknown command '%s'\n\n%s", cmd, usage);
    return CLI_USAGE;
}

/* A tool whose output did not arrive has failed: check stdout before exiting. */
int main(int argc, char **argv) {
    int rc = run(argc, argv);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "hdump: error writing standard output\n");
        return CLI_USAGE;
    }
    return rc;
}
