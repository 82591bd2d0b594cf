/* cli/cli.h: what the subcommands share. Exit codes: 0 success, 1 the input is
 * malformed, 2 usage or I/O error. */
#ifndef HDUMP_CLI_H
#define HDUMP_CLI_H

#include <pthread.h>

#include "hdump/hdump.h"

#define CLI_OK 0
#define CLI_INVALID 1
#define CLI_USAGE 2

/* Opens `path` ("-" = standard input) for reading: regular files are mmap'd,
 * anything else is streamed. Prints the reason and returns NULL on failure. */
hdump_reader *cli_open(const char *path, const hdump_reader_opts *o);

/* The varint kernel the user asked for with HDUMP_KERNEL, or NULL (best).
 * The library never reads the environment; the tool passes it on. */
const char *cli_kernel(void);

/* Exit code for a reader error: 2 for I/O, out of memory or misuse, else 1. */
int cli_error_exit(hdump_status st);

/* Prints "FILE: offset N: what (record R, tag T)" on stderr. */
void cli_print_error(const char *path, const hdump_error *e);

/* Size of `path` ("-" = standard input) if it is a regular file, else 0
 * (for progress ETAs). */
uint64_t cli_input_size(const char *path);

int cmd_stats(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_roundtrip(int argc, char **argv);
int cmd_rewrite(int argc, char **argv);
int cmd_salvage(int argc, char **argv);
int cmd_kernels(int argc, char **argv);

/* genopts.c */
int cli_parse_u64(const char *s, uint64_t *out);
int cli_parse_version(const char *s, hdump_version *v);
int cli_gen_option(int argc, char **argv, int *i, hdump_gen_opts *o, const char *cmd);

/* cmd_roundtrip.c: flips bit 0 of stream byte `flip` when it lies in
 * p[0..n), the n bytes at stream offset `off` (roundtrip --flip: the
 * comparison must then find a difference). UINT64_MAX flips nothing. */
void cli_flip(uint8_t *p, size_t n, uint64_t off, uint64_t flip);

/* A growable byte buffer that a roundtrip writer's sink appends to: off is
 * the stream offset of the next byte appended (which --flip goes by), flip
 * the byte to flip (UINT64_MAX: none). Appending grows buf by doubling from
 * 64 KiB; HDUMP_ERR_NOMEM when it cannot. */
typedef struct cli_stream {
    uint8_t *buf;
    size_t len, cap;
    uint64_t off, flip;
} cli_stream;
hdump_status cli_stream_append(cli_stream *s, const void *p, size_t n);

/* stream.c: generates the dump of *go and writes it to sink (kernel from
 * HDUMP_KERNEL, the 4 KiB buffer). On failure *who (when not NULL) names
 * "generator" or "writer", and *werr (when not NULL) gets the writer's
 * error when the writer failed (what, and at which byte). */
hdump_status cli_write_all(const hdump_gen_opts *go, hdump_sink sink, const char **who,
                           hdump_error *werr);

/* cli_write_all into descriptor fd, with bit 0 of stream byte `flip`
 * flipped (UINT64_MAX: none). */
hdump_status cli_write_fd(const hdump_gen_opts *go, int fd, uint64_t flip, const char **who,
                          hdump_error *werr);

/* stream.c: the thread of a two-thread roundtrip mode with the mutex and
 * condition variable its handoff uses. cli_worker_start initialises them and
 * starts fn(arg); HDUMP_ERR_NOMEM when the thread cannot be made (nothing is
 * left to free). cli_worker_stop sets *stop under the lock, so a thread
 * waiting for room gives up, and, when watch is not NULL, reads *watch into
 * *seen under that same lock (what the thread had done on its own); then it
 * wakes, joins and destroys. */
typedef struct cli_worker {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
} cli_worker;
hdump_status cli_worker_start(cli_worker *w, void *(*fn)(void *), void *arg);
void cli_worker_stop(cli_worker *w, int *stop, const int *watch, int *seen);

/* roundtrip_pipe.c: `hdump roundtrip --via pipe`. pp_start makes a pipe and
 * starts a writer thread (generate + write into it); *read_fd is the end to
 * read the dump from. pp_end closes that end (a writer blocked on a full
 * pipe then fails with EPIPE: the stop, not a failure), joins, frees, and
 * returns the writer thread's failure when it is one: always the
 * generator's, and the writer's only after a clean read (read_ok). */
typedef struct rt_pipe rt_pipe;
hdump_status pp_start(const hdump_gen_opts *go, uint64_t flip, rt_pipe **out, int *read_fd);
hdump_status pp_end(rt_pipe *p, int read_ok, const char **who);

/* roundtrip_ring.c: `hdump roundtrip --via threads`. rg_start starts the
 * writer thread (generate + write into a ring of 1 MiB blocks); rg_source
 * is the source to read the dump from; rg_end stops, joins and frees, and
 * returns the failure of the generator or the writer, if the writer thread
 * had ended on its own (*who names which; a writer stopped because the
 * reader gave up early is not a failure). */
typedef struct rt_ring rt_ring;
hdump_status rg_start(const hdump_gen_opts *go, uint64_t flip, rt_ring **out);
hdump_source rg_source(rt_ring *q);
hdump_status rg_end(rt_ring *q, const char **who);

/* roundtrip_queue.c: `hdump roundtrip --via queue`. rt_start starts the
 * generator thread and makes the writer; rt_source is the source to read
 * the dump from (it drives the writer); rt_expect gives, after each record
 * read, the record it was written from (NULL: no record was written for
 * it); rt_end stops, joins and frees, and returns the first error of the
 * generator or the writer (*who names which). */
typedef struct rt_threads rt_threads;
hdump_status rt_start(const hdump_gen_opts *go, uint64_t flip, rt_threads **out);
hdump_source rt_source(rt_threads *t);
const hdump_record *rt_expect(rt_threads *t);
hdump_status rt_end(rt_threads *t, const char **who);

#endif
