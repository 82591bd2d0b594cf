/* fuzz/replay_selftest.c: a target that fails on purpose, so ctest can show
 * that replay_main.c's --batch mode (what the fuzz_replay_* tests run) fails
 * on each kind of failure and names the input: an input starting "abort"
 * aborts (a violated property), "segv" writes through a null pointer,
 * "hang" never returns, "leak" leaks a block (LeakSanitizer, at the exit,
 * in sanitized builds), "oob" reads one byte past the input (ASan, in
 * sanitized builds); anything else passes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int starts(const uint8_t *d, size_t n, const char *w) {
    size_t k = strlen(w);
    return n >= k && memcmp(d, w, k) == 0;
}

static void *volatile kept; /* keeps the optimiser from dropping the leak */
static volatile int sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (starts(data, size, "abort")) abort();
    if (starts(data, size, "segv")) {
        int *volatile p = NULL;
        *p = 1;
    }
    if (starts(data, size, "hang"))
        for (;;) sink++;
    if (starts(data, size, "leak")) {
        kept = malloc(64);
        kept = NULL;
    }
    if (starts(data, size, "oob")) sink = data[size];
    return 0;
}
