/* bench/write_ceiling.c: the syscall ceiling for a 4 KiB-buffered writer.
 *
 *   hdump_write_ceiling [-r REPS] [-b BUFSIZE] BYTES TARGET...
 *   hdump_write_ceiling [-r REPS] [-b BUFSIZE] -c DUMP TARGET...
 *
 * Writes BYTES bytes to each TARGET (e.g. /dev/null; opened with O_TRUNC
 * before each run, untimed) as bare write(2) calls of BUFSIZE bytes (default
 * 4096, the runtime's dump buffer; the last call takes the remainder) from
 * one static buffer: no encoding, no copying, only the calls any writer with
 * that buffer size has to make. REPS runs per target (default 5). Prints one
 * line per target, in bench/rewrite_timer.c's format:
 *   ceiling target=T bytes=N calls=C reps=R median_s=.. min_s=.. max_s=.. mbps=..
 * With -c DUMP, the bytes are DUMP's (read into memory first, untimed) and
 * each call's BUFSIZE bytes are first memcpy'd from them into the buffer:
 * a writer that spends nothing on encoding but still copies every byte
 * into its buffer, as the format's inline contents make any buffered
 * writer do. Its lines start with "copyfloor" instead of "ceiling".
 * Used by bench/vs-go.sh. Exit status 0, or 1 on any error. */
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_store.h"
#include "timer_util.h"

/* Writes all of p[0..n), retrying short writes and EINTR (as hdump's fd sink). */
static int write_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

int main(int argc, char **argv) {
    int reps = 5;
    size_t bufsize = 4096;
    int i = bt_options(argc, argv, &reps, &bufsize);
    uint8_t *src = NULL;
    unsigned long long bytes = 0;
    if (argc - i >= 3 && strcmp(argv[i], "-c") == 0) {
        size_t len;
        if (bs_load_file(argv[i + 1], &src, &len) != 0 || len == 0) {
            fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i + 1]);
            return 1;
        }
        bytes = len;
        i += 2;
    } else if (argc - i >= 2) {
        bytes = strtoull(argv[i++], NULL, 10);
    }
    if (argc - i < 1 || reps < 1 || reps > 1000 || bufsize == 0 || bufsize > (1u << 30)) {
        fprintf(stderr, "usage: %s [-r REPS] [-b BUFSIZE] BYTES|-c DUMP TARGET...\n", argv[0]);
        return 1;
    }
    unsigned char *buf = malloc(bufsize);
    double *t = malloc(sizeof(double) * (size_t)reps);
    if (buf == NULL || t == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    memset(buf, 0x5a, bufsize);
    unsigned long long calls = (bytes + bufsize - 1) / bufsize;
    int rc = 0;
    for (; i < argc && rc == 0; i++) {
        const char *target = argv[i];
        for (int r = 0; r < reps && rc == 0; r++) {
            int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0) {
                perror(target);
                rc = 1;
                break;
            }
            double t0 = bt_now();
            for (unsigned long long left = bytes; left > 0 && rc == 0;) {
                size_t k = left < bufsize ? (size_t)left : bufsize;
                if (src != NULL) memcpy(buf, src + (bytes - left), k);
                if (write_all(fd, buf, k) != 0) {
                    perror(target);
                    rc = 1;
                }
                left -= k;
            }
            t[r] = bt_now() - t0;
            close(fd);
        }
        if (rc) break;
        double med = bt_median(t, reps);
        printf("%s target=%s bytes=%llu calls=%llu reps=%d median_s=%.6f min_s=%.6f "
               "max_s=%.6f mbps=%.1f\n",
               src != NULL ? "copyfloor" : "ceiling", target, bytes, calls, reps, med, t[0], t[reps - 1], (double)bytes / med / 1e6);
        fflush(stdout);
    }
    free(t);
    free(buf);
    free(src);
    return rc;
}
