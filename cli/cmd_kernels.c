/* cli/cmd_kernels.c: `hdump kernels`: the varint kernels built in, best
 * first, and which this CPU runs (HDUMP_KERNEL=<name> picks one). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "usage: hdump kernels [--supported]\n"
    "\n"
    "Lists the varint kernels built into hdump, best first, each marked 'yes' if\n"
    "this CPU can run it. Every command uses the best one unless the environment\n"
    "variable HDUMP_KERNEL names another.\n"
    "\n"
    "  --supported   only the names of the kernels this CPU runs, one per line\n"
    "\n"
    "exit codes: 0 success, 2 usage error\n";

int cmd_kernels(int argc, char **argv) {
    int only = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--supported") == 0) {
            only = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(help, stdout);
            return CLI_OK;
        } else {
            fprintf(stderr, "hdump kernels: unknown argument '%s'\n\n%s", argv[i], help);
            return CLI_USAGE;
        }
    }
    for (size_t i = 0; i < hdump_kernel_count(); i++) {
        const char *n = hdump_kernel_name(i);
        int ok = hdump_kernel_supported(n);
        if (only) {
            if (ok) printf("%s\n", n);
        } else {
            printf("%-8s %s%s\n", n, ok ? "yes" : "no", strcmp(n, hdump_kernel_best()) ? "" : " (best)");
        }
    }
    return CLI_OK;
}
