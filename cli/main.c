/* cli/main.c: the hdump command: dispatch to one file per subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: hdump <command> [options] [FILE ...]\n"
    "       hdump help <command>\n"
    "       hdump --version\n"
    "\n"
    "Reads, checks, writes and generates Go runtime heap dumps\n"
    "(runtime/debug.WriteHeapDump; headers go1.3 ... go1.7). An input FILE may\n"
    "be '-' for standard input, an output FILE '-' for standard output.\n"
    "\n"
    "commands:\n"
    "  stats      per-tag record counts and bytes, object sizes, largest objects\n"
    "  validate   exit 0 if the dump is well formed, 1 if not (with the offset)\n"
    "  cat        one line per record, every field by name (text or NDJSON)\n"
    "  gen        write a synthetic dump, deterministic from a seed\n"
    "  roundtrip  generate, write, read back and compare every record\n"
    "  rewrite    read a dump and write it again (byte-identical)\n"
    "  salvage    keep the complete records of a truncated or damaged dump\n"
    "  kernels    the varint kernels built in and which this CPU runs\n"
    "\n"
    "options:\n"
    "  -h, --help  this help; 'hdump help <command>' or 'hdump <command> --help'\n"
    "              for a command's\n"
    "  --version   print the version\n"
    "\n"
    "HDUMP_KERNEL=<name> in the environment picks a varint kernel (see 'kernels').\n"
    "Progress goes to stderr when it is a terminal and the work lasts more than a\n"
    "second; nothing is printed there otherwise.\n"
    "\n"
    "exit codes: 0 success, 1 malformed input (or, for roundtrip, a difference),\n"
    "2 usage or I/O error; each command's help says which apply to it\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"stats", cmd_stats},         {"validate", cmd_validate}, {"cat", cmd_cat},
    {"gen", cmd_gen},             {"roundtrip", cmd_roundtrip}, {"rewrite", cmd_rewrite},
    {"salvage", cmd_salvage},     {"kernels", cmd_kernels},
};

static const command *find(const char *name) {
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static int run(int argc, char **argv) {
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 ||
        (strcmp(cmd, "help") == 0 && argc == 2)) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        const command *c = find(argv[2]);
        if (c == NULL || argc > 3) {
            if (c == NULL) fprintf(stderr, "hdump help: unknown command '%s'\n\n%s", argv[2], usage);
            else fprintf(stderr, "hdump help: too many arguments\n\n%s", usage);
            return CLI_USAGE;
        }
        char name[16], opt[] = "--help";
        snprintf(name, sizeof name, "%s", c->name);
        char *av[] = {name, opt, NULL};
        return c->run(2, av);
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("hdump %s\n", HDUMP_VERSION_STRING);
        return CLI_OK;
    }
    const command *c = find(cmd);
    if (c != NULL) return c->run(argc - 1, argv + 1);
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
