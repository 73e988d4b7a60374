/*
 * replay.c -- pel_replay: an NMEA file served over TCP or sent over UDP, at
 * its own times (--speed), at a capped rate (--rate) or as fast as the
 * reader takes it; what pelorus watch's tests and demos are fed with.
 *
 * The file is streamed (plain or gzip through zlib, which reads plain files
 * as they are), so memory stays bounded by the longest line and one batch.
 * Lines go out as read, a CR before the LF dropped, with "\n".
 *
 * TCP: one client at a time.  Bytes wait in an output buffer of whole lines
 * until send() has taken them; when a client goes (send fails, or it closes
 * while we wait for a line's time) the lines it took whole are done and the
 * rest, from the line it got part of, goes to the next client.  A client
 * that closes while lines sit unread in its socket loses those: the
 * replayer counts what send() took, not what the client read.
 *
 * Time of a line: the tag block's c: field, else a time before the
 * sentence (ISO-8601 or Unix, as pel_parse_time reads it), else none.
 *
 * Limits: one client at a time (a second waits in the listen queue); a UDP
 * line longer than MAX_DGRAM is skipped (counted); waiting is to the
 * millisecond (poll) above 2 ms and with nanosleep below.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "pelorus.h"
#include "util/fail.h"

#define HOST_MAX 256 /* numeric host text (NI_MAXHOST is not POSIX) */
#define URL_MAX (HOST_MAX + 40)
#define CHUNK 65536
#define BATCH 65536     /* unpaced TCP: lines gathered into one send */
#define MAX_DGRAM 65507 /* the most a UDP datagram holds */
#define UDP_DEFAULT_RATE 20000.0
#define BURST 0.05 /* seconds of lines a rate cap lets through at once after a stall */

typedef struct rp {
    const char *path;
    gzFile gz;
    char *chunk; /* CHUNK bytes read, [cpos, clen) not yet cut */
    size_t cpos, clen;
    bool eof;
    char *out; /* lines with their LF, waiting to be sent */
    size_t olen, ocap;
    uint64_t olines; /* lines in out */
    /* pacing */
    double speed, rate;
    bool have_t0;
    int64_t t0_ms, latest_ms;
    double w0;        /* wall clock (monotonic s) of the first timed line */
    double due;       /* when out may go */
    double rate_next; /* earliest time for the next line under the rate cap */
} rp;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s) {
    if (s <= 0)
        return;
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ---- the file, line by line ---------------------------------------------- */

/* Appends the next line of the file (without its line end, a CR before
 * the LF dropped) and "\n" to r->out; *start gets where it begins.
 * PEL_OK with *got true for a line, false at the end; PEL_ERR_IO or
 * PEL_ERR_NOMEM with err. */
static pel_status next_line(rp *r, bool *got, size_t *start, pel_error *err) {
    *got = false;
    *start = r->olen;
    bool any = false;
    for (;;) {
        if (r->cpos == r->clen) {
            if (r->eof)
                break;
            int n = gzread(r->gz, r->chunk, CHUNK);
            if (n < 0) {
                int e;
                const char *m = gzerror(r->gz, &e);
                return pel_fail(err, PEL_ERR_IO, "%s: %s", r->path, e == Z_ERRNO ? strerror(errno) : m);
            }
            if (n == 0) {
                r->eof = true;
                break;
            }
            r->cpos = 0;
            r->clen = (size_t)n;
        }
        char *p = r->chunk + r->cpos;
        size_t avail = r->clen - r->cpos;
        char *nl = memchr(p, '\n', avail);
        size_t take = nl ? (size_t)(nl - p) : avail;
        if (r->olen + take + 2 > r->ocap) {
            size_t ncap = r->ocap ? r->ocap : BATCH;
            while (ncap < r->olen + take + 2)
                ncap *= 2;
            char *no = realloc(r->out, ncap);
            if (!no)
                return pel_fail(err, PEL_ERR_NOMEM, "out of memory reading %s", r->path);
            r->out = no;
            r->ocap = ncap;
        }
        memcpy(r->out + r->olen, p, take);
        r->olen += take;
        r->cpos += take;
        any = true;
        if (nl) {
            r->cpos++;
            break;
        }
    }
    if (!any && r->eof)
        return PEL_OK;
    if (r->olen > *start && r->out[r->olen - 1] == '\r')
        r->olen--;
    r->out[r->olen++] = '\n';
    r->olines++;
    *got = true;
    return PEL_OK;
}

/* The receive time of line [p, p+len) in ms: the tag block's c:, else a
 * time before the sentence.  False when it has none. */
static bool line_time(const char *p, size_t len, int64_t *ms) {
    if (len > 1 && p[0] == '\\') {
        const char *end = memchr(p + 1, '\\', len - 1);
        if (!end)
            return false;
        const char *f = p + 1;
        const char *star = memchr(f, '*', (size_t)(end - f));
        const char *stop = star ? star : end;
        while (f < stop) {
            const char *comma = memchr(f, ',', (size_t)(stop - f));
            const char *fe = comma ? comma : stop;
            if (fe - f > 2 && f[0] == 'c' && f[1] == ':')
                return pel_parse_time(f + 2, (size_t)(fe - f - 2), ms);
            f = fe + 1;
        }
        return false;
    }
    /* a time, then the sentence: "2023-11-14T00:00:00Z !AIVDM..." or "1700000000.5,!AIVDM..." */
    size_t k = 0;
    while (k < len && p[k] != '!' && p[k] != '$')
        k++;
    if (k == 0 || k == len)
        return false;
    while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t' || p[k - 1] == ',' || p[k - 1] == ';'))
        k--;
    return k > 0 && pel_parse_time(p, k, ms);
}

/* Sets r->due for the line at [start, olen) just read. */
static void schedule(rp *r, size_t start) {
    double now = now_s();
    double due = now;
    int64_t t;
    if (r->speed > 0 && line_time(r->out + start, r->olen - start - 1, &t)) {
        if (!r->have_t0) {
            r->have_t0 = true;
            r->t0_ms = r->latest_ms = t;
            r->w0 = now;
        } else if (t >= r->latest_ms) {
            r->latest_ms = t;
            due = r->w0 + (double)(t - r->t0_ms) / 1000.0 / r->speed;
        }
    }
    if (r->rate > 0 && r->rate_next > due)
        due = r->rate_next;
    r->due = due;
}

/* After a line (or a batch) went out at time `at`: the next may go 1/rate
 * after this one was due.  A line late by oversleeping (20,000 a second is
 * below what nanosleep keeps to) lets the next ones catch up, by at most
 * BURST seconds' worth; the first line starts the count. */
static void sent_one(rp *r, double at) {
    if (r->rate > 0) {
        double base = r->rate_next == 0 ? at : r->rate_next > at - BURST ? r->rate_next : at - BURST;
        r->rate_next = base + 1.0 / r->rate;
    }
}

/* ---- addresses ------------------------------------------------------------ */

/* Splits "tcp://HOST:PORT" into *udp, host (NULL for empty) and port. */
static pel_status parse_serve(const char *serve, bool *udp, char *host, size_t hcap, char *port, size_t pcap,
                              pel_error *err) {
    const char *rest;
    if (!strncmp(serve, "tcp://", 6))
        *udp = false;
    else if (!strncmp(serve, "udp://", 6))
        *udp = true;
    else
        return pel_fail(err, PEL_ERR_ARG, "--serve wants tcp://HOST:PORT or udp://HOST:PORT, not \"%s\"", serve);
    rest = serve + 6;
    const char *colon, *h = rest;
    size_t hl;
    if (*rest == '[') {
        const char *rb = strchr(rest, ']');
        if (!rb || rb[1] != ':')
            return pel_fail(err, PEL_ERR_ARG, "--serve: \"%s\" has no port after [ADDRESS]", serve);
        h = rest + 1;
        hl = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        colon = strrchr(rest, ':');
        if (!colon)
            return pel_fail(err, PEL_ERR_ARG, "--serve: \"%s\" has no :PORT", serve);
        hl = (size_t)(colon - rest);
    }
    const char *ps = colon + 1;
    size_t pl = strlen(ps);
    bool digits = pl > 0 && pl <= 5;
    for (size_t i = 0; digits && i < pl; i++)
        digits = ps[i] >= '0' && ps[i] <= '9';
    if (!digits || atol(ps) > 65535 || (*udp && atol(ps) == 0))
        return pel_fail(err, PEL_ERR_ARG, "--serve: the port of \"%s\" is not %s", serve,
                        *udp ? "1 to 65535" : "0 to 65535");
    if (hl >= hcap || pl >= pcap)
        return pel_fail(err, PEL_ERR_ARG, "--serve: \"%s\" is too long", serve);
    memcpy(host, h, hl);
    host[hl] = 0;
    memcpy(port, ps, pl + 1);
    return PEL_OK;
}

/* "tcp://ADDR:PORT" of a socket address. */
static void url_of(const char *scheme, const struct sockaddr *sa, socklen_t len, char *url, size_t cap) {
    char h[HOST_MAX], s[16];
    if (getnameinfo(sa, len, h, sizeof h, s, sizeof s, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(url, cap, "%s://?", scheme);
        return;
    }
    snprintf(url, cap, sa->sa_family == AF_INET6 ? "%s://[%s]:%s" : "%s://%s:%s", scheme, h, s);
}

/* ---- TCP -------------------------------------------------------------- */

/* Waits until r->due, watching client fd: false when the client went. */
static bool wait_due(rp *r, int fd) {
    for (;;) {
        double left = r->due - now_s();
        if (left <= 0)
            return true;
        if (fd < 0 || left < 0.002) {
            sleep_s(left);
            continue;
        }
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        int ms = (int)(left * 1000.0);
        if (ms > 1000)
            ms = 1000;
        int n = poll(&pf, 1, ms);
        if (n < 0 && errno != EINTR)
            return false;
        if (n > 0) {
            if (pf.revents & (POLLERR | POLLHUP | POLLNVAL))
                return false;
            char junk[512];
            ssize_t k = recv(fd, junk, sizeof junk, MSG_DONTWAIT);
            if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
                return false; /* closed or reset; what it sends us is dropped */
        }
    }
}

/* True when the client closed or reset (a look without waiting). */
static bool client_gone(int fd) {
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    if (poll(&pf, 1, 0) <= 0)
        return false;
    if (pf.revents & (POLLERR | POLLHUP | POLLNVAL))
        return true;
    char junk[512];
    ssize_t k = recv(fd, junk, sizeof junk, MSG_DONTWAIT);
    return k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

/* Writes r->out to fd.  True when all went; false when the client went,
 * with the lines it took whole dropped from out (counted in st) and the
 * line it got part of left at the front. */
static bool send_out(rp *r, int fd, pel_replay_stats *st) {
    size_t done = 0;
    while (done < r->olen) {
        ssize_t n = send(fd, r->out + done, r->olen - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    if (done == r->olen) {
        st->lines += r->olines;
        st->bytes += r->olen;
        r->olen = 0;
        r->olines = 0;
        return true;
    }
    size_t whole = done;
    while (whole > 0 && r->out[whole - 1] != '\n')
        whole--;
    for (size_t i = 0; i < whole; i++)
        if (r->out[i] == '\n') {
            st->lines++;
            r->olines--;
        }
    st->bytes += whole;
    if (done > whole)
        st->resent++;
    memmove(r->out, r->out + whole, r->olen - whole);
    r->olen -= whole;
    return false;
}

static int listen_on(const char *host, const char *port, char *url, size_t ucap, pel_error *err) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai = NULL;
    int g = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (g != 0) {
        pel_fail(err, PEL_ERR_IO, "tcp://%s:%s: %s", host, port, gai_strerror(g));
        return -1;
    }
    int fd = -1, e = 0;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 4) == 0)
            break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        pel_fail(err, PEL_ERR_IO, "cannot listen on tcp://%s:%s: %s", host, port, strerror(e));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        url_of("tcp", (struct sockaddr *)&ss, sl, url, ucap);
    return fd;
}

/* The next client of lfd (counted in st), or -1 with *rc and err set. */
static int accept_one(int lfd, const char *url, pel_replay_stats *st, pel_error *err, pel_status *rc) {
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd >= 0) {
            st->clients++;
            return fd;
        }
        if (errno != EINTR && errno != ECONNABORTED) {
            *rc = pel_fail(err, PEL_ERR_IO, "%s: accept: %s", url, strerror(errno));
            return -1;
        }
    }
}

static pel_status serve_tcp(rp *r, const char *host, const char *port, const pel_replay_opts *o, pel_replay_stats *st,
                            pel_error *err) {
    char url[URL_MAX] = "tcp://?";
    int lfd = listen_on(host, port, url, sizeof url, err);
    if (lfd < 0)
        return PEL_ERR_IO;
    if (o && o->on_ready)
        o->on_ready(o->ud, url);
    bool unpaced = r->speed <= 0 && r->rate <= 0;
    int cfd = -1;
    double start = 0, gone_at = now_s(); /* since when there is no client */
    pel_status rc = PEL_OK;
    for (;;) {
        if (r->olen == 0) {
            bool got;
            size_t at;
            if ((rc = next_line(r, &got, &at, err)) != PEL_OK)
                break;
            if (!got) {
                if (st->clients == 0) /* an empty file: still one client, served nothing */
                    cfd = accept_one(lfd, url, st, err, &rc);
                break;
            }
            if (unpaced)
                while (r->olen < BATCH && got)
                    if ((rc = next_line(r, &got, &at, err)) != PEL_OK)
                        goto out;
            schedule(r, at);
        }
        if (cfd < 0) {
            if ((cfd = accept_one(lfd, url, st, err, &rc)) < 0)
                break;
            /* the time without a client does not count: the schedule moves on by it */
            double now = now_s(), pause = now - gone_at;
            if (st->clients == 1)
                start = now;
            r->w0 += pause;
            r->due += pause;
            if (r->rate_next > 0)
                r->rate_next += pause;
        }
        if (!wait_due(r, cfd) || client_gone(cfd) || !send_out(r, cfd, st)) {
            close(cfd);
            cfd = -1;
            gone_at = now_s();
            continue;
        }
        sent_one(r, now_s());
    }
out:
    if (cfd >= 0) {
        shutdown(cfd, SHUT_WR);
        /* what the client sent, read, so that closing does not reset the
         * connection before it has read the end */
        char junk[512];
        while (recv(cfd, junk, sizeof junk, MSG_DONTWAIT) > 0)
            ;
        close(cfd);
    }
    close(lfd);
    st->seconds = start > 0 ? now_s() - start : 0;
    return rc;
}

/* ---- UDP ---------------------------------------------------------------- */

static pel_status serve_udp(rp *r, const char *host, const char *port, const pel_replay_opts *o, pel_replay_stats *st,
                            pel_error *err) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM};
    struct addrinfo *ai = NULL;
    int g = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (g != 0)
        return pel_fail(err, PEL_ERR_IO, "udp://%s:%s: %s", host, port, gai_strerror(g));
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
        int e = errno;
        freeaddrinfo(ai);
        return pel_fail(err, PEL_ERR_IO, "udp://%s:%s: socket: %s", host, port, strerror(e));
    }
    char url[URL_MAX];
    url_of("udp", ai->ai_addr, ai->ai_addrlen, url, sizeof url);
    if (o && o->on_ready)
        o->on_ready(o->ud, url);
    if (r->speed <= 0 && r->rate <= 0)
        r->rate = UDP_DEFAULT_RATE;
    double start = now_s();
    pel_status rc = PEL_OK;
    for (;;) {
        bool got;
        size_t at;
        r->olen = 0;
        r->olines = 0;
        if ((rc = next_line(r, &got, &at, err)) != PEL_OK || !got)
            break;
        if (r->olen > MAX_DGRAM) {
            st->skipped++;
            continue;
        }
        schedule(r, at);
        wait_due(r, -1);
        for (;;) {
            ssize_t n = sendto(fd, r->out, r->olen, MSG_NOSIGNAL, ai->ai_addr, ai->ai_addrlen);
            if (n >= 0 || errno == ECONNREFUSED)
                break; /* nobody listening yet is not our failure: UDP has no receipt */
            if (errno == EINTR)
                continue;
            if (errno == ENOBUFS || errno == EAGAIN) {
                sleep_s(0.001);
                continue;
            }
            rc = pel_fail(err, PEL_ERR_IO, "%s: %s", url, strerror(errno));
            goto out;
        }
        st->lines++;
        st->bytes += r->olen;
        sent_one(r, now_s());
    }
out:
    close(fd);
    freeaddrinfo(ai);
    st->seconds = now_s() - start;
    return rc;
}

pel_status pel_replay(const char *path, const char *serve, const pel_replay_opts *o, pel_replay_stats *stats,
                      pel_error *err) {
    pel_replay_stats local;
    pel_replay_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    if (!path || !serve)
        return pel_fail(err, PEL_ERR_ARG, "pel_replay: no file or no address");
    double speed = o ? o->speed : 0, rate = o ? o->rate : 0;
    if (!(speed >= 0) || !(rate >= 0) || speed > 1e9 || rate > 1e9)
        return pel_fail(err, PEL_ERR_ARG, "pel_replay: speed and rate must be from 0 to 1e9");
    bool udp = false;
    char host[256], port[8];
    pel_status rc = parse_serve(serve, &udp, host, sizeof host, port, sizeof port, err);
    if (rc != PEL_OK)
        return rc;
    rp r = {.path = path, .speed = speed, .rate = rate};
    r.gz = gzopen(path, "rb");
    if (!r.gz)
        return pel_fail(err, PEL_ERR_IO, "%s: %s", path, errno ? strerror(errno) : "cannot open");
    r.chunk = malloc(CHUNK);
    if (!r.chunk) {
        gzclose(r.gz);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    rc = udp ? serve_udp(&r, host, port, o, st, err) : serve_tcp(&r, host, port, o, st, err);
    gzclose(r.gz);
    free(r.chunk);
    free(r.out);
    return rc;
}
