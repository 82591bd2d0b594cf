/* cli/roundtrip_pipe.c: `hdump roundtrip --via pipe`: a writer thread
 * generates the dump and writes it into a pipe; the main thread reads it
 * from the other end (hdump_reader_new_fd), regenerates the expectation
 * and compares. SIGPIPE is ignored, so a write to a pipe whose reader has
 * gone fails with EPIPE instead of killing the process. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct rt_pipe {
    hdump_gen_opts go;
    int wfd, rfd;
    uint64_t flip;
    hdump_status st;
    const char *who; /* which of the generator and the writer failed */
    pthread_t th;
};

static void *feed(void *arg) {
    rt_pipe *p = arg;
    p->st = cli_write_fd(&p->go, p->wfd, p->flip, &p->who, NULL);
    close(p->wfd); /* the reader sees the end of the dump */
    return NULL;
}

hdump_status pp_start(const hdump_gen_opts *go, uint64_t flip, rt_pipe **out, int *read_fd) {
    rt_pipe *p = calloc(1, sizeof *p);
    if (p == NULL) return HDUMP_ERR_NOMEM;
    int fds[2];
    if (pipe(fds) != 0) {
        free(p);
        return HDUMP_ERR_IO;
    }
    signal(SIGPIPE, SIG_IGN); /* a failed write is reported, not fatal */
    p->go = *go;
    p->rfd = fds[0];
    p->wfd = fds[1];
    p->flip = flip;
    p->st = HDUMP_OK;
    if (pthread_create(&p->th, NULL, feed, p) != 0) {
        close(fds[0]);
        close(fds[1]);
        free(p);
        return HDUMP_ERR_NOMEM;
    }
    *read_fd = p->rfd;
    *out = p;
    return HDUMP_OK;
}

hdump_status pp_end(rt_pipe *p, int read_ok, const char **who) {
    if (p == NULL) return HDUMP_OK;
    close(p->rfd);
    pthread_join(p->th, NULL);
    hdump_status st = HDUMP_OK;
    const char *w = p->who != NULL ? p->who : "writer";
    /* The generator failing is always its own failure; the writer's after
     * a failed read is the EPIPE of the close above, the stop. */
    if (p->st != HDUMP_OK && (read_ok || strcmp(w, "generator") == 0)) {
        st = p->st;
        *who = w;
    }
    free(p);
    return st;
}
