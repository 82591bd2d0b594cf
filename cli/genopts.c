/* cli/genopts.c: the options `gen` and `roundtrip` share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_parse_u64(const char *s, uint64_t *out) {
    if (s == NULL || *s == '\0' || *s == '-') return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0) return -1;
    uint64_t mul = 1;
    if (*end == 'k' || *end == 'K') mul = 1000, end++;
    else if (*end == 'M') mul = 1000000, end++;
    else if (*end == 'G') mul = 1000000000, end++;
    if (*end != '\0') return -1;
    if (mul > 1 && v > UINT64_MAX / mul) return -1;
    *out = (uint64_t)v * mul;
    return 0;
}

int cli_parse_version(const char *s, hdump_version *v) {
    for (int i = HDUMP_GO1_3; i <= HDUMP_GO1_7; i++) {
        const char *n = hdump_version_name((hdump_version)i);
        if (strcmp(s, n) == 0 || (s[0] == '1' && strcmp(s, n + 2) == 0)) {
            *v = (hdump_version)i;
            return 0;
        }
    }
    return -1;
}

/* Returns 1 if argv[*i] was a generator option (consuming its value), 0 if
 * not one, -1 on a bad value (message printed). */
int cli_gen_option(int argc, char **argv, int *i, hdump_gen_opts *o, const char *cmd) {
    const char *a = argv[*i];
    const char *names[] = {"--objects", "--seed", "--profile", "--format"};
    int which = -1;
    for (int k = 0; k < 4; k++)
        if (strcmp(a, names[k]) == 0) which = k;
    if (which < 0) return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "hdump %s: %s needs a value\n", cmd, a);
        return -1;
    }
    const char *v = argv[++*i];
    switch (which) {
    case 0:
        if (cli_parse_u64(v, &o->objects) == 0) return 1;
        break;
    case 1:
        if (cli_parse_u64(v, &o->seed) == 0) return 1;
        break;
    case 2:
        if (hdump_gen_profile_parse(v, &o->profile) == HDUMP_OK) return 1;
        fprintf(stderr, "hdump %s: unknown profile '%s' (mixed, small, large, pointers, goroutines, gobench)\n",
                cmd, v);
        return -1;
    case 3:
        if (cli_parse_version(v, &o->version) == 0) return 1;
        fprintf(stderr, "hdump %s: unknown format '%s' (go1.3, go1.4, go1.5, go1.6, go1.7)\n", cmd,
                v);
        return -1;
    }
    fprintf(stderr, "hdump %s: bad value for %s: '%s'\n", cmd, a, v);
    return -1;
}
