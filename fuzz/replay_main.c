/* fuzz/replay_main.c: a plain main() for any fuzz target, no libFuzzer needed
 * (zstd regression_driver.c, c-ares ares-fuzz.c).
 *
 *   fuzz_<target>_replay [--no-fork | --batch] [--timeout=S] FILE|DIR...
 *
 * Every regular file (directories are walked recursively, in name order) is
 * read into an exact-size heap block, so ASan sees any over-read, and passed
 * to LLVMFuzzerTestOneInput. By default each input runs in a forked child with
 * an alarm (default 25 s, OSS-Fuzz's per-input limit): a crash, an abort
 * (a violated property), a sanitizer report, a leak reported at the child's
 * exit or a hang fails that input only, and the run goes on.
 *
 * --batch (what ctest runs): every input in this process, as libFuzzer runs
 * a corpus, each under the same alarm. The first failure ends the run and
 * names its input ("FAIL <path>" on stderr, from a signal handler or the
 * sanitizers' death callback). Leaks are looked for as libFuzzer does: when
 * an input's mallocs and frees do not balance (the sanitizers' malloc
 * hooks count them), LeakSanitizer checks right then. Why:
 * under ASan a fork and a leak check per input cost 30-100 ms, 10-20 times
 * the input's own work, and were most of `make check`'s time.
 * --no-fork: the same, without the alarm or the handlers (for a debugger).
 * Prints "FAIL <path>" per failure and a closing "N passed, N failed" line;
 * exits 1 if anything failed or nothing was run. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int use_fork = 1, batch = 0;
static unsigned timeout_s = 25;
static unsigned long passed, failed;

/* --batch: the input running now, for the failure's message. */
static const char *volatile current;

/* Async-signal-safe: write(2) only. */
static void say_current(const char *why) {
    const char *p = current;
    const char *parts[4] = {"FAIL ", p ? p : "(after the last input)", why, "\n"};
    for (int i = 0; i < 4; i++) {
        size_t n = strlen(parts[i]);
        while (n > 0) {
            ssize_t k = write(2, parts[i], n);
            if (k <= 0) break;
            parts[i] += k;
            n -= (size_t)k;
        }
    }
}

static void on_alarm(int sig) {
    (void)sig;
    say_current(": timeout");
    _exit(1);
}

/* A crash or an abort: name the input, then die of the same signal (the
 * handler was reset by SA_RESETHAND). */
static void on_fatal(int sig) {
    say_current(": fatal signal");
    raise(sig);
}

/* ASan, UBSan and LSan call this before they exit with a report. */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));
static void on_sanitizer_death(void) { say_current(": sanitizer report"); }

/* Leaks: counted by the sanitizers' malloc hooks, checked by LSan when an
 * input's counts differ (libFuzzer's -detect_leaks rule). */
int __sanitizer_install_malloc_and_free_hooks(void (*m)(const volatile void *, size_t),
                                              void (*f)(const volatile void *))
    __attribute__((weak));
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));
static unsigned long mallocs, frees; /* any thread: atomic adds */
static void on_malloc(const volatile void *p, size_t n) {
    (void)p;
    (void)n;
    __atomic_fetch_add(&mallocs, 1, __ATOMIC_RELAXED);
}
static void on_free(const volatile void *p) {
    (void)p;
    __atomic_fetch_add(&frees, 1, __ATOMIC_RELAXED);
}

static void batch_setup(void) {
    if (__sanitizer_install_malloc_and_free_hooks && __lsan_do_recoverable_leak_check)
        __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    /* Only where nobody handles the signal yet: ASan's own SIGSEGV handler
     * prints the report, and its death callback names the input. */
    static const int fatal[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        struct sigaction old;
        if (sigaction(fatal[i], NULL, &old) != 0 || old.sa_handler != SIG_DFL) continue;
        sa.sa_handler = on_fatal;
        sa.sa_flags = (int)(SA_RESETHAND | SA_NODEFER);
        sigaction(fatal[i], &sa, NULL);
    }
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(on_sanitizer_death);
}

static int run_input(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (nb == NULL) free(buf);
            buf = nb;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (buf == NULL || err) {
        fprintf(stderr, "%s: cannot read\n", path);
        free(buf);
        return 1;
    }
    /* exact size: a read one past the end is a heap overflow under ASan */
    uint8_t *exact = malloc(len ? len : 1);
    if (exact == NULL) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static void one(const char *path) {
    if (batch) {
        current = path;
        unsigned long m0 = __atomic_load_n(&mallocs, __ATOMIC_RELAXED);
        unsigned long f0 = __atomic_load_n(&frees, __ATOMIC_RELAXED);
        alarm(timeout_s);
        int rc = run_input(path);
        alarm(0);
        /* run_input's own blocks balance: a difference is the target's */
        if (rc == 0 && __lsan_do_recoverable_leak_check &&
            __atomic_load_n(&mallocs, __ATOMIC_RELAXED) - m0 !=
                __atomic_load_n(&frees, __ATOMIC_RELAXED) - f0 &&
            __lsan_do_recoverable_leak_check() != 0) {
            printf("FAIL %s (leak)\n", path);
            printf("%lu passed, 1 failed\n", passed);
            fflush(stdout);
            _exit(1); /* reported: no second report at the exit */
        }
        current = NULL;
        if (rc != 0) {
            printf("FAIL %s\n", path);
            printf("%lu passed, 1 failed\n", passed);
            fflush(stdout);
            exit(1); /* the first failure ends a batch */
        }
        passed++;
        return;
    }
    if (!use_fork) {
        if (run_input(path) == 0)
            passed++;
        else {
            failed++;
            printf("FAIL %s\n", path);
        }
        return;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        alarm(timeout_s);
        int rc = run_input(path);
        exit(rc); /* runs LeakSanitizer's exit check, per input */
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        passed++;
        return;
    }
    failed++;
    if (WIFSIGNALED(status))
        printf("FAIL %s (signal %d%s)\n", path, WTERMSIG(status),
               WTERMSIG(status) == SIGALRM ? ": timeout" : "");
    else
        printf("FAIL %s (exit %d)\n", path, WEXITSTATUS(status));
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        failed++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        one(path);
        return;
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        perror(path);
        failed++;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue; /* ., .., and hidden files like .gitkeep */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (nn == NULL) exit(2);
            names = nn;
        }
        size_t l = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(l);
        if (names[n] == NULL) exit(2);
        snprintf(names[n], l, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n > 1) qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        walk(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv) {
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    int any = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-fork") == 0) {
            use_fork = 0;
        } else if (strcmp(argv[i], "--batch") == 0) {
            use_fork = 0;
            batch = 1;
            batch_setup();
        } else if (strncmp(argv[i], "--timeout=", 10) == 0) {
            timeout_s = (unsigned)strtoul(argv[i] + 10, NULL, 10);
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: %s [--no-fork | --batch] [--timeout=S] FILE|DIR...\n", argv[0]);
            return 0;
        } else {
            any = 1;
            walk(argv[i]);
        }
    }
    printf("%lu passed, %lu failed\n", passed, failed);
    return (failed || !any || passed == 0) ? 1 : 0;
}
