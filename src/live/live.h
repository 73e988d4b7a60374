/*
 * live.h -- the parts of pelorus watch inside libpelorus (internal): the
 * per-alert command pool (exec.c); the feeds are in feed.h and the
 * service itself is pel_watch (watch.c, pelorus.h).
 */
#ifndef PEL_LIVE_H
#define PEL_LIVE_H

#include <stdbool.h>
#include <stdint.h>

/* ---- exec.c: a command per alert ---- */

typedef struct exec_stats {
    uint64_t started, ok, failed; /* failed: nonzero exit, signal, or not started */
    uint64_t dropped;             /* alerts not run: the queue was full */
    uint64_t cut;                 /* alerts longer than the pipe could take at once */
} exec_stats;

typedef struct exec_pool exec_pool;

/* A pool running cmd (copied; through /bin/sh -c) at most jobs at a time
 * (<= 0: 4).  NULL when out of memory.  Free with exec_pool_free, which
 * leaves running children alone (they are reaped by whoever waits). */
exec_pool *exec_pool_new(const char *cmd, int jobs);
void exec_pool_free(exec_pool *p);

/* Runs cmd with text (one alert, without its line end; borrowed for the
 * call) and a line end on its standard input, now or when a slot frees
 * (queued, copied).  p NULL: nothing. */
void exec_alert(exec_pool *p, const char *text);

/* Reaps finished commands and starts queued ones; never blocks. */
void exec_poll(exec_pool *p);

/* True while a command runs or waits. */
bool exec_busy(const exec_pool *p);

const exec_stats *exec_stats_of(const exec_pool *p);

#endif
