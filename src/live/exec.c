/*
 * exec.c -- pelorus watch --exec: a command run per alert, the alert on
 * its standard input, at most `jobs` at a time.  Alerts wait in a bounded
 * queue while every slot is busy; past it they are dropped and counted,
 * so that a slow or hanging command never holds back ingest.  A command
 * that exits with a nonzero status, is killed by a signal or cannot be
 * started counts as failed.  Children are reaped without blocking
 * (exec_poll).
 *
 * Limits: the alert is written to the child's pipe at once; an alert
 * longer than the pipe's buffer (64 KiB on Linux) is cut there and counted
 * failed.  The command runs through /bin/sh -c.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"

#define EXEC_QUEUE 10000

struct exec_pool {
    char *cmd;
    int jobs;
    pid_t *pid; /* per slot, 0 free */
    char **queue;
    size_t qhead, qlen;
    exec_stats st;
};

exec_pool *exec_pool_new(const char *cmd, int jobs) {
    exec_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->jobs = jobs > 0 ? jobs : 4;
    p->cmd = strdup(cmd);
    p->pid = calloc((size_t)p->jobs, sizeof *p->pid);
    p->queue = calloc(EXEC_QUEUE, sizeof *p->queue);
    if (!p->cmd || !p->pid || !p->queue) {
        exec_pool_free(p);
        return NULL;
    }
    return p;
}

/* Starts cmd in slot k with text on its standard input. */
static void start(exec_pool *p, int k, const char *text) {
    int fd[2];
    if (pipe(fd) != 0) {
        p->st.failed++;
        return;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        p->st.failed++;
        return;
    }
    if (pid == 0) {
        dup2(fd[0], 0);
        /* nothing of the service's but the alert: not the database, the
         * journal or the feeds' sockets */
        long max = sysconf(_SC_OPEN_MAX);
        for (int d = 3; d < (max > 0 && max < 65536 ? max : 65536); d++)
            close(d);
        signal(SIGPIPE, SIG_DFL);
        execl("/bin/sh", "sh", "-c", p->cmd, (char *)NULL);
        _exit(127);
    }
    close(fd[0]);
    p->pid[k] = pid;
    p->st.started++;
    int fl = fcntl(fd[1], F_GETFL);
    if (fl >= 0)
        fcntl(fd[1], F_SETFL, fl | O_NONBLOCK);
    /* the alert, then its line end */
    const char *part[2] = {text, "\n"};
    bool stop = false, cut = false;
    for (int i = 0; i < 2 && !stop; i++)
        for (size_t n = strlen(part[i]), off = 0; off < n && !stop;) {
            ssize_t w = write(fd[1], part[i] + off, n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                stop = true;
                cut = errno != EPIPE; /* a command that does not read its input is no failure */
            } else
                off += (size_t)w;
        }
    if (cut)
        p->st.cut++;
    close(fd[1]);
}

void exec_poll(exec_pool *p) {
    if (!p)
        return;
    for (int k = 0; k < p->jobs; k++) {
        if (!p->pid[k])
            continue;
        int status;
        pid_t r = waitpid(p->pid[k], &status, WNOHANG);
        if (r == p->pid[k] || (r < 0 && errno == ECHILD)) {
            p->pid[k] = 0;
            if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                p->st.failed++;
            else
                p->st.ok++;
        }
    }
    for (int k = 0; k < p->jobs && p->qlen; k++)
        if (!p->pid[k]) {
            char *t = p->queue[p->qhead];
            p->queue[p->qhead] = NULL;
            p->qhead = (p->qhead + 1) % EXEC_QUEUE;
            p->qlen--;
            start(p, k, t);
            free(t);
        }
}

void exec_alert(exec_pool *p, const char *text) {
    if (!p)
        return;
    exec_poll(p);
    for (int k = 0; k < p->jobs; k++)
        if (!p->pid[k] && !p->qlen) {
            start(p, k, text);
            return;
        }
    char *t = p->qlen < EXEC_QUEUE ? strdup(text) : NULL;
    if (!t) {
        p->st.dropped++;
        return;
    }
    p->queue[(p->qhead + p->qlen) % EXEC_QUEUE] = t;
    p->qlen++;
}

bool exec_busy(const exec_pool *p) {
    if (!p)
        return false;
    for (int k = 0; k < p->jobs; k++)
        if (p->pid[k])
            return true;
    return p->qlen > 0;
}

const exec_stats *exec_stats_of(const exec_pool *p) {
    return p ? &p->st : NULL;
}

void exec_pool_free(exec_pool *p) {
    if (!p)
        return;
    for (size_t i = 0; p->queue && i < EXEC_QUEUE; i++)
        free(p->queue[i]);
    free(p->queue);
    free(p->pid);
    free(p->cmd);
    free(p);
}
