/* cli/progress.h: progress on stderr, only when stderr is a terminal and the
 * work has lasted more than a second (records/s, bytes/s, ETA when the total
 * size is known). Nothing at all otherwise. */
#ifndef HDUMP_CLI_PROGRESS_H
#define HDUMP_CLI_PROGRESS_H

#include <stdint.h>

typedef struct cli_progress {
    int on;            /* stderr is a terminal */
    int shown;         /* a line was printed (clear it at the end) */
    double start, last;
    uint64_t total;    /* total bytes if known, else 0 */
    const char *what;
} cli_progress;

void cli_progress_start(cli_progress *p, const char *what, uint64_t total_bytes);
/* Cheap to call often: looks at the clock every 4096 calls. */
void cli_progress_update(cli_progress *p, uint64_t records, uint64_t bytes);
void cli_progress_end(cli_progress *p);
double cli_now(void);

#endif
