/*
 * unit_feed.c -- live/feed.h against loopback sockets and temporary files
 * the test opens itself: TCP lines split across writes, CRLF, a line too
 * long, reconnecting after the peer closes, a once set ending; UDP
 * datagrams of several lines and of one without its LF, a once UDP feed
 * ending when idle; a followed file growing, rotated, truncated, resumed;
 * fairness under a flood and a callback stopping in the middle of a read
 * or of a datagram; a signal interrupting the wait;
 * standard input (a pipe on fd 0 in a child).  Every wait is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "live/feed.h"

#define MAXF 4
#define KEEP 64

typedef struct col {
    int n[MAXF];
    char got[MAXF][KEEP][128];
    size_t glen[MAXF][KEEP];
    int64_t arrival;
    int stop_every; /* nonzero: ask to stop after every stop_every-th line */
    int calls;
    int flood; /* the feed index of the flood, -1 none */
    long seq;  /* the next flood number expected */
    bool seq_ok;
} col;

static int on_line(void *ud, size_t feed, const char *line, size_t len, int64_t arrival_ms) {
    col *c = ud;
    c->calls++;
    c->arrival = arrival_ms;
    if (feed < MAXF) {
        if ((int)feed == c->flood) {
            char want[32];
            snprintf(want, sizeof want, "L%07ld", c->seq++);
            if (len != strlen(want) || memcmp(line, want, len))
                c->seq_ok = false;
        } else if (c->n[feed] < KEEP) {
            size_t k = len < 127 ? len : 127;
            memcpy(c->got[feed][c->n[feed]], line, k);
            c->got[feed][c->n[feed]][k] = 0;
            c->glen[feed][c->n[feed]] = len;
        }
        c->n[feed]++;
    }
    return c->stop_every && c->calls % c->stop_every == 0;
}

static void col_init(col *c) {
    memset(c, 0, sizeof *c);
    c->flood = -1;
    c->seq_ok = true;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Polls until cond holds or ms pass; whether it held. */
static bool pump_until(feed_set *fs, col *c, int ms, bool (*cond)(feed_set *, col *, void *), void *arg) {
    int64_t end = now_ms() + ms;
    while (!cond(fs, c, arg) && now_ms() < end)
        feed_poll(fs, 20, on_line, c, NULL);
    return cond(fs, c, arg);
}

/* Polls for ms, whatever happens. */
static void pump_for(feed_set *fs, col *c, int ms) {
    int64_t end = now_ms() + ms;
    while (now_ms() < end)
        feed_poll(fs, 10, on_line, c, NULL);
}

static bool lines_at_least(feed_set *fs, col *c, void *arg) {
    (void)fs;
    const int *want = arg; /* {feed, count} */
    return c->n[want[0]] >= want[1];
}

static bool wait_lines(feed_set *fs, col *c, int feed, int count, int ms) {
    int arg[2] = {feed, count};
    return pump_until(fs, c, ms, lines_at_least, arg);
}

static bool ended(feed_set *fs, col *c, void *arg) {
    (void)c;
    return feed_stats_of(fs, *(size_t *)arg)->ended;
}

static bool connected(feed_set *fs, col *c, void *arg) {
    (void)c;
    const int *want = arg; /* {feed, connects} */
    const feed_stats *st = feed_stats_of(fs, (size_t)want[0]);
    return st->up && st->connects >= (uint64_t)want[1];
}

static bool wait_connects(feed_set *fs, col *c, int feed, int connects, int ms) {
    int arg[2] = {feed, connects};
    return pump_until(fs, c, ms, connected, arg);
}

static bool went_down(feed_set *fs, col *c, void *arg) {
    (void)c;
    return !feed_stats_of(fs, *(size_t *)arg)->up;
}

/* A socket of type on 127.0.0.1, port 0; its port in *port. */
static int local_socket(int type, int *port) {
    int s = socket(AF_INET, type, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(s, (struct sockaddr *)&a, &al) != 0)
        return -1;
    if (type == SOCK_STREAM && listen(s, 4) != 0)
        return -1;
    *port = ntohs(a.sin_port);
    return s;
}

/* A port nothing is bound to just now. */
static int free_port(int type) {
    int port = 0, s = local_socket(type, &port);
    close(s);
    return port;
}

static void send_all(int fd, const char *s) {
    size_t n = strlen(s);
    while (n) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void udp_send(int port, const char *s, size_t n) {
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    sendto(u, s, n, 0, (struct sockaddr *)&a, sizeof a);
    close(u);
}

static char dir[256];

static char *path_of(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void append(const char *path, const char *text) {
    FILE *f = fopen(path, "a");
    fputs(text, f);
    fclose(f);
}

static uint64_t inode_of(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_ino : 0;
}

static void test_specs(void) {
    feed_set *fs = feed_set_new(false, 0);
    pel_error err = {0};
    size_t ix = 99;
    const char *bad[] = {"tcp://nohost", "tcp://:80", "tcp://h:0", "tcp://h:99999", "tcp://h:1x",       "tcp://::1:80",
                         "tcp://[::1]",  "udp://",    "file:",     "ftp://h:21",    "/var/log/ais.log", "",
                         "tcp://h:80a",  NULL};
    for (int i = 0; bad[i]; i++) {
        err.msg[0] = 0;
        CHECK(feed_add(fs, bad[i], "x", &ix, &err) == PEL_ERR_ARG && err.msg[0], "spec [%s] refused: %s", bad[i],
              err.msg);
    }
    CHECK(feed_count(fs) == 0 && ix == 99, "nothing added by refused specs");
    CHECK(feed_add(fs, "-", "in", &ix, &err) == PEL_OK && ix == 0, "- added as feed 0");
    CHECK(feed_add(fs, "-", "in2", &ix, &err) == PEL_ERR_ARG && strstr(err.msg, "twice"), "- twice refused: %s",
          err.msg);
    CHECK(feed_add(fs, "tcp://[::1]:5000", "six", &ix, &err) == PEL_OK && ix == 1, "a bracketed IPv6 host");
    CHECK(feed_add(fs, "udp://:0", "any", &ix, &err) == PEL_ERR_ARG, "port 0 refused");
    CHECK(feed_add(fs, "file:/nonexistent/dir/x", "f", &ix, &err) == PEL_OK && ix == 2,
          "a file not there yet is not an error");
    CHECK(feed_count(fs) == 3 && !strcmp(feed_name(fs, 1), "six") && !strcmp(feed_spec(fs, 1), "tcp://[::1]:5000") &&
              feed_kind_of(fs, 0) == FEED_STDIN && feed_kind_of(fs, 1) == FEED_TCP && feed_kind_of(fs, 2) == FEED_FILE,
          "names, specs and kinds kept");
    CHECK(feed_name(fs, 3) == NULL && feed_stats_of(fs, 3) == NULL, "out of range is NULL");
    uint64_t ino, off;
    CHECK(!feed_file_position(fs, 1, &ino, &off), "no position for a TCP feed");
    CHECK(!feed_all_ended(fs), "not a once set: never all ended");
    feed_set_free(fs);
    feed_set_free(NULL);
}

static void test_tcp(void) {
    int port;
    int ls = local_socket(SOCK_STREAM, &port);
    char spec[64];
    snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", port);
    feed_set *fs = feed_set_new(false, 0);
    col c;
    col_init(&c);
    size_t ix;
    CHECK(feed_add(fs, spec, "ais-catcher", &ix, NULL) == PEL_OK && ix == 0, "tcp feed added");
    CHECK(wait_connects(fs, &c, 0, 1, 2000), "connected");
    int cs = accept(ls, NULL, NULL);
    const feed_stats *st = feed_stats_of(fs, 0);
    CHECK(st->up && st->connects == 1 && st->reconnects == 0, "one connection, up");

    /* a line split across writes, CRLF */
    send_all(cs, "!AIVDM,1,1,,A,");
    pump_for(fs, &c, 100);
    CHECK(c.n[0] == 0, "a partial line waits, got %d", c.n[0]);
    send_all(cs, "13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\r\nsecond\n\n");
    CHECK(wait_lines(fs, &c, 0, 2, 2000), "two lines, got %d", c.n[0]);
    CHECK(!strcmp(c.got[0][0], "!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24"), "joined, CR dropped: [%s]",
          c.got[0][0]);
    CHECK(!strcmp(c.got[0][1], "second"), "second line: [%s]", c.got[0][1]);
    int64_t wall = (int64_t)time(NULL) * 1000;
    CHECK(c.arrival > wall - 5000 && c.arrival <= wall + 1000, "arrival is the wall clock: %lld vs %lld",
          (long long)c.arrival, (long long)wall);
    CHECK(st->last_heard_ms == c.arrival, "last heard is the last arrival");

    /* too long: counted, skipped to its LF; exactly FEED_MAX_LINE (and a CR) kept */
    char *big = malloc(FEED_MAX_LINE + 16);
    memset(big, 'x', FEED_MAX_LINE + 1);
    strcpy(big + FEED_MAX_LINE + 1, "\nafter\n");
    send_all(cs, big);
    memset(big, 'y', FEED_MAX_LINE);
    strcpy(big + FEED_MAX_LINE, "\r\n");
    send_all(cs, big);
    CHECK(wait_lines(fs, &c, 0, 4, 2000), "after the long line, got %d", c.n[0]);
    CHECK(st->too_long == 1, "one too long, got %llu", (unsigned long long)st->too_long);
    CHECK(!strcmp(c.got[0][2], "after"), "the line after the long one: [%s]", c.got[0][2]);
    CHECK(c.glen[0][3] == FEED_MAX_LINE && c.got[0][3][0] == 'y', "a line of FEED_MAX_LINE bytes kept, length %zu",
          c.glen[0][3]);
    CHECK(st->lines == 4, "4 lines counted, got %llu", (unsigned long long)st->lines);
    uint64_t want_bytes = strlen("!AIVDM,1,1,,A,13u?etPv2;0n:dDPwUM1U1Cb069D,0*24\r\nsecond\n\n") +
                          (FEED_MAX_LINE + 1 + 7) + (FEED_MAX_LINE + 2);
    CHECK(st->bytes == want_bytes, "bytes %llu, want %llu", (unsigned long long)st->bytes,
          (unsigned long long)want_bytes);
    free(big);

    /* the peer closes after an unterminated line: handed on, then a
     * reconnect 1 s later (a line was heard) */
    send_all(cs, "tail");
    close(cs);
    size_t zero = 0;
    CHECK(pump_until(fs, &c, 2000, went_down, &zero), "down after the close");
    CHECK(!strcmp(st->error, "closed by peer"), "error: [%s]", st->error);
    CHECK(c.n[0] == 5 && !strcmp(c.got[0][4], "tail"), "the unterminated last line handed on: %d [%s]", c.n[0],
          c.got[0][4]);
    int64_t t0 = now_ms();
    CHECK(wait_connects(fs, &c, 0, 2, 3000), "reconnected");
    int64_t waited = now_ms() - t0;
    CHECK(waited >= 800 && waited <= 2000, "reconnected after about 1 s: %lld ms", (long long)waited);
    CHECK(st->connects == 2 && st->reconnects == 1 && st->error[0] == 0, "connects %llu reconnects %llu error [%s]",
          (unsigned long long)st->connects, (unsigned long long)st->reconnects, st->error);
    cs = accept(ls, NULL, NULL);
    send_all(cs, "from the second\n");
    CHECK(wait_lines(fs, &c, 0, 6, 2000) && !strcmp(c.got[0][5], "from the second"), "a line of the second connection");
    close(cs);
    close(ls);

    /* nothing listening: refused, retried */
    CHECK(pump_until(fs, &c, 2000, went_down, &zero), "down again");
    CHECK(wait_connects(fs, &c, 0, 3, 1500) == false, "no third connection");
    CHECK(!strcmp(st->error, "connection refused"), "refused: [%s]", st->error);
    CHECK(!st->ended, "not ended outside a once set");
    feed_set_free(fs);
}

static void test_tcp_once(void) {
    int port;
    int ls = local_socket(SOCK_STREAM, &port);
    char spec[64];
    snprintf(spec, sizeof spec, "tcp://localhost:%d", port); /* ::1 may be refused first */
    feed_set *fs = feed_set_new(true, 0);
    col c;
    col_init(&c);
    size_t ix;
    feed_add(fs, spec, "once", &ix, NULL);
    CHECK(wait_connects(fs, &c, 0, 1, 2000), "once: connected (localhost)");
    int cs = accept(ls, NULL, NULL);
    send_all(cs, "x1\nx2");
    close(cs);
    CHECK(pump_until(fs, &c, 2000, ended, &ix), "once: ended after the close");
    CHECK(feed_all_ended(fs), "once: all ended");
    CHECK(c.n[0] == 2 && !strcmp(c.got[0][1], "x2"), "once: both lines, got %d", c.n[0]);
    const feed_stats *st = feed_stats_of(fs, 0);
    CHECK(!st->up && st->connects == 1 && st->reconnects == 0, "once: no reconnect");
    pump_for(fs, &c, 100);
    CHECK(st->connects == 1 && c.n[0] == 2, "once: nothing more after the end");
    CHECK(feed_poll(fs, 5000, on_line, &c, NULL) == PEL_OK, "poll of an ended set returns at once");
    close(ls);
    feed_set_free(fs);

    /* never connecting in a once set: retried (5 attempts, 15 s: only the
     * first is waited for here) */
    snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", free_port(SOCK_STREAM));
    fs = feed_set_new(true, 0);
    feed_add(fs, spec, "nobody", &ix, NULL);
    pump_for(fs, &c, 100);
    st = feed_stats_of(fs, 0);
    CHECK(!st->ended && !st->up && !strcmp(st->error, "connection refused") && !feed_all_ended(fs),
          "once, refused: not ended after one attempt [%s]", st->error);
    feed_set_free(fs);
}

static volatile sig_atomic_t usr1;

static void on_usr1(int sig) {
    (void)sig;
    usr1++;
}

static void test_udp(void) {
    int port = free_port(SOCK_DGRAM);
    char spec[64];
    snprintf(spec, sizeof spec, "udp://127.0.0.1:%d", port);
    feed_set *fs = feed_set_new(false, 0);
    col c;
    col_init(&c);
    size_t ix;
    CHECK(feed_add(fs, spec, "udp", &ix, NULL) == PEL_OK, "udp feed added");
    const feed_stats *st = feed_stats_of(fs, 0);
    CHECK(st->up && !st->error[0], "bound at once: [%s]", st->error);
    udp_send(port, "a1\r\na2\n", 7);
    udp_send(port, "b1 no newline", 13);
    udp_send(port, "c1\nc2", 5);
    CHECK(wait_lines(fs, &c, 0, 5, 2000), "5 lines, got %d", c.n[0]);
    const char *want[] = {"a1", "a2", "b1 no newline", "c1", "c2"};
    for (int i = 0; i < 5; i++)
        CHECK(!strcmp(c.got[0][i], want[i]), "udp line %d: [%s] want [%s]", i, c.got[0][i], want[i]);
    CHECK(st->lines == 5 && st->bytes == 25, "lines %llu bytes %llu", (unsigned long long)st->lines,
          (unsigned long long)st->bytes);

    /* a callback stopping after every line, in the middle of a datagram
     * that ends without LF: each call hands on one line, none lost */
    c.stop_every = 1;
    c.calls = 0;
    udp_send(port, "u1\nu2\nu3", 8);
    int stops = 0;
    for (int k = 0; k < 100 && c.n[0] < 8; k++)
        stops += feed_poll(fs, 20, on_line, &c, NULL) == PEL_STOPPED;
    CHECK(c.n[0] == 8 && stops == 3, "stopped 3 times, %d lines", c.n[0]);
    CHECK(!strcmp(c.got[0][5], "u1") && !strcmp(c.got[0][6], "u2") && !strcmp(c.got[0][7], "u3"), "[%s] [%s] [%s]",
          c.got[0][5], c.got[0][6], c.got[0][7]);
    c.stop_every = 0;

    /* a signal during the wait: PEL_OK at once, so its handler runs */
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART */
    pid_t kid = fork();
    if (kid == 0) {
        nanosleep(&(struct timespec){0, 100000000}, NULL);
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    int64_t t0 = now_ms();
    pel_status ps = feed_poll(fs, 3000, on_line, &c, NULL);
    int64_t took = now_ms() - t0;
    waitpid(kid, NULL, 0);
    CHECK(ps == PEL_OK && usr1 == 1 && took < 2000, "interrupted wait: status %d, signal %d, %lld ms", ps, (int)usr1,
          (long long)took);
    signal(SIGUSR1, SIG_DFL);

    /* an address of no interface here: retried, not an error */
    size_t ix2;
    CHECK(feed_add(fs, "udp://192.0.2.1:9", "bad", &ix2, NULL) == PEL_OK, "an address that cannot bind is no error");
    CHECK(!feed_stats_of(fs, ix2)->up && feed_stats_of(fs, ix2)->error[0], "but it is down with an error: [%s]",
          feed_stats_of(fs, ix2)->error);
    feed_set_free(fs);

    /* once: ended when idle for idle_ms after the first datagram */
    port = free_port(SOCK_DGRAM);
    snprintf(spec, sizeof spec, "udp://127.0.0.1:%d", port);
    fs = feed_set_new(true, 200);
    col_init(&c);
    feed_add(fs, spec, "udp", &ix, NULL);
    pump_for(fs, &c, 300);
    CHECK(!feed_stats_of(fs, 0)->ended, "once udp: not ended before the first datagram");
    udp_send(port, "z\n", 2);
    t0 = now_ms();
    CHECK(pump_until(fs, &c, 2000, ended, &ix), "once udp: ended");
    took = now_ms() - t0;
    CHECK(took >= 190 && took < 600, "once udp: ended after about idle_ms: %lld", (long long)took);
    CHECK(c.n[0] == 1 && feed_all_ended(fs), "once udp: the line, all ended");
    feed_set_free(fs);
}

static void test_file(void) {
    char p[512];
    snprintf(p, sizeof p, "%s", path_of("ais.log"));
    append(p, "l1\nl2\npart");
    feed_set *fs = feed_set_new(false, 0);
    col c;
    col_init(&c);
    size_t ix;
    char spec[600];
    snprintf(spec, sizeof spec, "file:%s", p);
    CHECK(feed_add(fs, spec, "log", &ix, NULL) == PEL_OK, "file feed added");
    CHECK(wait_lines(fs, &c, 0, 2, 2000), "the lines there, got %d", c.n[0]);
    pump_for(fs, &c, 50);
    uint64_t ino = 0, off = 0;
    CHECK(feed_file_position(fs, 0, &ino, &off) && ino == inode_of(p) && off == 6,
          "position past l2 (the partial line not counted): %llu", (unsigned long long)off);
    CHECK(c.n[0] == 2 && feed_stats_of(fs, 0)->up, "the partial line waits");

    append(p, "ial\nl3\n");
    CHECK(wait_lines(fs, &c, 0, 4, 2000), "appended lines read, got %d", c.n[0]);
    CHECK(!strcmp(c.got[0][2], "partial") && !strcmp(c.got[0][3], "l3"), "[%s] [%s]", c.got[0][2], c.got[0][3]);
    feed_file_position(fs, 0, &ino, &off);
    CHECK(off == 17, "position at the end: %llu", (unsigned long long)off);

    /* rotation: renamed, the old one written once more, a new one */
    rename(p, path_of("ais.log.1"));
    append(path_of("ais.log.1"), "old\n");
    append(p, "new1\nnew2\n");
    CHECK(wait_lines(fs, &c, 0, 7, 3000), "old and new lines, got %d", c.n[0]);
    CHECK(!strcmp(c.got[0][4], "old") && !strcmp(c.got[0][5], "new1") && !strcmp(c.got[0][6], "new2"),
          "the old file finished first: [%s] [%s] [%s]", c.got[0][4], c.got[0][5], c.got[0][6]);
    const feed_stats *st = feed_stats_of(fs, 0);
    CHECK(st->rotations == 1, "one rotation, got %llu", (unsigned long long)st->rotations);
    feed_file_position(fs, 0, &ino, &off);
    CHECK(ino == inode_of(p) && ino != inode_of(path_of("ais.log.1")) && off == 10, "the new file's position: %llu",
          (unsigned long long)off);

    /* truncation */
    FILE *f = fopen(p, "w");
    fputs("t1\n", f);
    fclose(f);
    CHECK(wait_lines(fs, &c, 0, 8, 3000), "the truncated file read again, got %d", c.n[0]);
    CHECK(!strcmp(c.got[0][7], "t1") && st->rotations == 2, "[%s] rotations %llu", c.got[0][7],
          (unsigned long long)st->rotations);
    feed_file_position(fs, 0, &ino, &off);
    CHECK(off == 3, "position after truncation: %llu", (unsigned long long)off);
    feed_set_free(fs);

    /* resume: the same inode at an offset; another inode from the start */
    char r[512];
    snprintf(r, sizeof r, "%s", path_of("resume.log"));
    append(r, "a\nb\nc\n");
    for (int same = 1; same >= 0; same--) {
        fs = feed_set_new(false, 0);
        col_init(&c);
        snprintf(spec, sizeof spec, "file:%s", r);
        feed_add(fs, spec, "r", &ix, NULL);
        feed_file_resume(fs, ix, same ? inode_of(r) : inode_of(r) + 1, 2);
        CHECK(wait_lines(fs, &c, 0, same ? 2 : 3, 2000), "resumed (same %d): %d lines", same, c.n[0]);
        pump_for(fs, &c, 50);
        CHECK(c.n[0] == (same ? 2 : 3) && !strcmp(c.got[0][0], same ? "b" : "a"), "same %d: %d lines from [%s]", same,
              c.n[0], c.got[0][0]);
        feed_file_position(fs, 0, &ino, &off);
        CHECK(off == 6, "position %llu", (unsigned long long)off);
        feed_set_free(fs);
    }

    /* once: ended at the end; the unterminated last line handed on but not
     * counted in the position */
    append(r, "d");
    fs = feed_set_new(true, 0);
    col_init(&c);
    feed_add(fs, spec, "r", &ix, NULL);
    CHECK(pump_until(fs, &c, 2000, ended, &ix), "once file: ended");
    CHECK(c.n[0] == 4 && !strcmp(c.got[0][3], "d"), "once file: 4 lines, the last [%s]", c.got[0][3]);
    feed_file_position(fs, 0, &ino, &off);
    CHECK(off == 6 && feed_all_ended(fs), "once file: position before the unterminated line: %llu",
          (unsigned long long)off);
    feed_set_free(fs);

    /* a file not there yet: waited for */
    char later[512];
    snprintf(later, sizeof later, "%s", path_of("later.log"));
    snprintf(spec, sizeof spec, "file:%s", later);
    fs = feed_set_new(false, 0);
    col_init(&c);
    feed_add(fs, spec, "later", &ix, NULL);
    pump_for(fs, &c, 100);
    st = feed_stats_of(fs, 0);
    CHECK(!st->up && strstr(st->error, "waiting for it"), "missing file: [%s]", st->error);
    append(later, "here\n");
    CHECK(wait_lines(fs, &c, 0, 1, 2500) && !strcmp(c.got[0][0], "here"), "read once it exists");
    CHECK(st->up && !st->error[0], "up, error cleared");
    feed_set_free(fs);

    /* in a once set a missing file ends with its error */
    fs = feed_set_new(true, 0);
    snprintf(spec, sizeof spec, "file:%s", path_of("never.log"));
    feed_add(fs, spec, "never", &ix, NULL);
    feed_poll(fs, 10, on_line, &c, NULL);
    CHECK(feed_stats_of(fs, 0)->ended && strstr(feed_stats_of(fs, 0)->error, "never.log"), "once missing: [%s]",
          feed_stats_of(fs, 0)->error);
    feed_set_free(fs);
    unlink(path_of("ais.log"));
    unlink(path_of("ais.log.1"));
    unlink(r);
    unlink(later);
}

/* A TCP peer floods; a UDP line still comes in the first rounds, each
 * round takes at most FEED_ROUND_BYTES of the flood, and a callback asking
 * to stop loses nothing. */
static void test_fairness(void) {
    int port;
    int ls = local_socket(SOCK_STREAM, &port);
    int uport = free_port(SOCK_DGRAM);
    char spec[64], uspec[64];
    snprintf(spec, sizeof spec, "tcp://127.0.0.1:%d", port);
    snprintf(uspec, sizeof uspec, "udp://127.0.0.1:%d", uport);
    feed_set *fs = feed_set_new(false, 0);
    col c;
    col_init(&c);
    size_t ix;
    feed_add(fs, spec, "flood", &ix, NULL);
    feed_add(fs, uspec, "quiet", &ix, NULL);
    c.flood = 0;
    CHECK(wait_connects(fs, &c, 0, 1, 2000), "flood connected");
    int cs = accept(ls, NULL, NULL);
    fcntl(cs, F_SETFL, O_NONBLOCK);
    /* 9-byte lines until the socket buffers are full; what a short send
     * left is sent while reading */
    long sent = 0;
    static char chunk[9 * 1000 + 1];
    size_t rest = 0, restlen = 0;
    for (;;) {
        for (int i = 0; i < 1000; i++) {
            char one[32];
            snprintf(one, sizeof one, "L%07ld\n", sent + i);
            memcpy(chunk + 9 * i, one, 9);
        }
        sent += 1000;
        ssize_t w = send(cs, chunk, 9000, MSG_NOSIGNAL);
        if (w != 9000) {
            rest = w > 0 ? (size_t)w : 0;
            restlen = 9000;
            break;
        }
    }
    CHECK(sent * 9 > 4 * FEED_ROUND_BYTES, "a flood of %ld bytes queued", sent * 9);
    udp_send(uport, "quiet line\n", 11);
    int rounds = 0, max_round = 0;
    while (c.n[1] == 0 && rounds < 3) {
        int b = c.n[0];
        feed_poll(fs, 200, on_line, &c, NULL);
        if (c.n[0] - b > max_round)
            max_round = c.n[0] - b;
        rounds++;
    }
    CHECK(c.n[1] == 1 && !strcmp(c.got[1][0], "quiet line"), "the quiet line came in round %d", rounds);
    CHECK(rounds <= 2, "within two rounds: %d", rounds);
    CHECK(max_round <= FEED_ROUND_BYTES / 9 + 1, "a round took at most FEED_ROUND_BYTES: %d lines", max_round);
    CHECK(c.n[0] < sent - 1000, "the flood not all read yet: %d of %ld", c.n[0], sent);

    /* stop every 1000 lines: PEL_STOPPED, and nothing lost */
    c.stop_every = 1000;
    c.calls = 0;
    int stopped = 0;
    int64_t end = now_ms() + 5000;
    while (c.n[0] < sent && now_ms() < end) {
        pel_status s = feed_poll(fs, 20, on_line, &c, NULL);
        stopped += s == PEL_STOPPED;
        if (rest < restlen) {
            ssize_t w = send(cs, chunk + rest, restlen - rest, MSG_NOSIGNAL);
            if (w > 0)
                rest += (size_t)w;
        }
    }
    CHECK(stopped > 0, "the callback stopped rounds: %d", stopped);
    CHECK(c.seq_ok && c.seq == c.n[0], "flood lines in order, none lost: %ld", c.seq);
    close(cs);
    close(ls);
    feed_set_free(fs);
}

/* "-": a pipe on fd 0 in a child; ended at its end (a set of "-" alone is
 * then all ended, once or not), the last line handed on. */
static void test_stdin(void) {
    int p[2];
    if (pipe(p) != 0)
        return;
    pid_t kid = fork();
    if (kid == 0) {
        close(p[1]);
        dup2(p[0], 0);
        close(p[0]);
        feed_set *fs = feed_set_new(false, 0);
        col c;
        col_init(&c);
        size_t ix;
        feed_add(fs, "-", "stdin", &ix, NULL);
        int64_t end = now_ms() + 3000;
        while (!feed_stats_of(fs, 0)->ended && now_ms() < end)
            feed_poll(fs, 50, on_line, &c, NULL);
        int ok = feed_stats_of(fs, 0)->ended && c.n[0] == 2 && !strcmp(c.got[0][0], "s1") &&
                 !strcmp(c.got[0][1], "s2") && !feed_stats_of(fs, 0)->up && feed_all_ended(fs);
        feed_set_free(fs);
        _exit(ok ? 0 : 1);
    }
    close(p[0]);
    write(p[1], "s1\r\n", 4);
    nanosleep(&(struct timespec){0, 50000000}, NULL);
    write(p[1], "s2", 2);
    close(p[1]);
    int status = 0;
    waitpid(kid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "stdin: two lines and the end, status %d", status);
}

int main(void) {
    snprintf(dir, sizeof dir, "%s/unit_feed.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        printf("unit_feed: cannot create a temporary directory\n");
        return 1;
    }
    test_specs();
    test_tcp();
    test_tcp_once();
    test_udp();
    test_file();
    test_fairness();
    test_stdin();
    rmdir(dir);
    printf("unit_feed: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
