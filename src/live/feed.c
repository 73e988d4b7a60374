/*
 * feed.c -- live feeds (feed.h): TCP clients, UDP listeners, followed files
 * and standard input, read in one thread with poll(2) and cut into lines.
 *
 * Each feed has two buffers: `in`, the bytes of the last read not yet cut
 * (so that a callback asking to stop in the middle of a read loses
 * nothing: the next feed_poll goes on where it stopped), and `line`, the
 * line being assembled (FEED_MAX_LINE bytes and room for a CR).  Timers
 * (reconnect, connect timeout, UDP bind retry and idle end, file checks)
 * run on CLOCK_MONOTONIC; arrival times are CLOCK_REALTIME.
 *
 * What is handed on: every line ending in LF, without the LF and a CR
 * before it; empty lines are not handed on (nor counted).  The end of a
 * UDP datagram ends a line.  At the end of standard input, of a TCP
 * connection closed by its peer, or of a file in a once set, an
 * unterminated last line is handed on too; on a read error, a file
 * rotation or truncation it is dropped.
 *
 * Known limits:
 *   - getaddrinfo blocks: a TCP host name is resolved in the poll thread
 *     (numeric addresses never wait).  Each connection attempt tries the
 *     addresses of the name in order; a connect that takes 10 s fails.
 *   - Standard input is not made non-blocking (its file description is
 *     shared with the parent); it is read once per poll round, when poll
 *     says it is readable.
 *   - A file is checked for rotation and truncation every 250 ms after it
 *     was read to its end: a file truncated and regrown past the read
 *     position within one check looks like growth.  A file that is gone
 *     (removed, renamed and not yet replaced) keeps being read through the
 *     open descriptor until a file appears at the path.
 *   - In a once set, a file that cannot be opened ends the feed with its
 *     error; a TCP feed that never connects ends after 5 attempts (1, 2, 4
 *     and 8 s apart); a UDP feed that never hears anything never ends.
 *   - file: is meant for regular files: a FIFO or a device is read by
 *     polling every 250 ms, as a file that stopped growing is.
 *   - Fairness counts bytes read: a UDP datagram is read whole, so a round
 *     may go past FEED_ROUND_BYTES by less than one datagram.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "live/feed.h"
#include "util/fail.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 60000
#define CONNECT_TIMEOUT_MS 10000
#define RETRY_MS 1000     /* UDP bind, a missing file */
#define FILE_CHECK_MS 250 /* rotation and truncation checks */
#define ONCE_ATTEMPTS 5   /* TCP connection attempts in a once set */
#define UDP_RCVBUF (4 << 20)
#define IDLE_DEFAULT_MS 3000

typedef enum tcp_state { TCP_WAIT, TCP_CONNECTING, TCP_UP } tcp_state;

typedef struct feed_in {
    feed_kind kind;
    char *name, *spec;
    char *host, *port; /* tcp, udp (host NULL: any address) */
    char *path;        /* file */
    int fd;            /* -1 none */
    feed_stats st;

    char *in; /* the last read, cut up to in_pos */
    size_t in_pos, in_len;
    bool dgram_end;     /* the end of `in` is the end of a datagram */
    uint64_t in_base;   /* file: the offset of in[0] */
    int64_t in_arrival; /* wall clock of the read that filled `in` */

    char *line; /* FEED_MAX_LINE + 1 bytes (a CR) */
    size_t len;
    bool skipping; /* inside a line too long, until its LF */

    int64_t due; /* monotonic ms: next connect/bind/open attempt */

    /* tcp */
    tcp_state tstate;
    struct addrinfo *ai, *ai_cur; /* during an attempt */
    int64_t connect_deadline;
    int64_t backoff;
    int attempts; /* failed attempts before ever connecting (once) */

    /* udp */
    bool heard;
    int64_t last_rx; /* monotonic */

    /* file */
    uint64_t ino, dev;
    uint64_t rd_off;     /* offset of the next byte read */
    uint64_t commit_off; /* just past the last complete line */
    bool resume;
    uint64_t resume_ino, resume_off;
    bool more;     /* the last read gave bytes: read again at once */
    bool rotating; /* another file is at the path: finish this one first */
    int64_t next_check;
} feed_in;

struct feed_set {
    bool once;
    int idle_ms;
    feed_in **f;
    size_t n, cap;
    size_t start; /* the feed served first in the next round */
};

static int64_t clock_ms(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void) {
    return clock_ms(CLOCK_MONOTONIC);
}

/* Sets the feed's error to fmt's text; a leading capital (strerror's
 * "Connection refused") is lowered. */
static void set_error(feed_in *f, const char *fmt, const char *a, const char *b) {
    snprintf(f->st.error, sizeof f->st.error, fmt, a, b);
    if (f->st.error[0] >= 'A' && f->st.error[0] <= 'Z' && f->st.error[1] >= 'a' && f->st.error[1] <= 'z')
        f->st.error[0] = (char)(f->st.error[0] - 'A' + 'a');
}

static bool set_nonblock(int fd) {
    int fl = fcntl(fd, F_GETFL);
    return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

static void close_fd(feed_in *f) {
    if (f->fd >= 0 && f->kind != FEED_STDIN)
        close(f->fd);
    f->fd = -1;
    f->st.up = false;
}

static void reset_line(feed_in *f) {
    f->len = 0;
    f->skipping = false;
    f->in_pos = f->in_len = 0;
    f->dgram_end = false;
}

static void feed_free(feed_in *f) {
    if (!f)
        return;
    close_fd(f);
    if (f->ai)
        freeaddrinfo(f->ai);
    free(f->name);
    free(f->spec);
    free(f->host);
    free(f->port);
    free(f->path);
    free(f->in);
    free(f->line);
    free(f);
}

feed_set *feed_set_new(bool once, int idle_ms) {
    feed_set *fs = calloc(1, sizeof *fs);
    if (!fs)
        return NULL;
    fs->once = once;
    fs->idle_ms = idle_ms > 0 ? idle_ms : IDLE_DEFAULT_MS;
    return fs;
}

void feed_set_free(feed_set *fs) {
    if (!fs)
        return;
    for (size_t i = 0; i < fs->n; i++)
        feed_free(fs->f[i]);
    free(fs->f);
    free(fs);
}

/* Splits "HOST:PORT" ("[V6]:PORT"; HOST may be empty when !need_host) into
 * f->host (NULL when empty) and f->port.  0, -1 unparsable, -2 no memory. */
static int split_hostport(feed_in *f, const char *s, bool need_host) {
    const char *colon, *h = s;
    size_t hl;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        h = s + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        hl = (size_t)(colon - s);
        if (memchr(s, ':', hl)) /* an IPv6 address needs its brackets */
            return -1;
    }
    const char *p = colon + 1;
    long port = 0;
    if (!*p || strlen(p) > 5)
        return -1;
    for (const char *q = p; *q; q++) {
        if (*q < '0' || *q > '9')
            return -1;
        port = port * 10 + (*q - '0');
    }
    if (port < 1 || port > 65535 || (need_host && hl == 0))
        return -1;
    if (hl && !(f->host = strndup(h, hl)))
        return -2;
    if (!(f->port = strndup(p, strlen(p))))
        return -2;
    return 0;
}

static void udp_bind(feed_in *f, int64_t now);

pel_status feed_add(feed_set *fs, const char *spec, const char *name, size_t *index, pel_error *err) {
    if (!fs || !spec || !name)
        return pel_fail(err, PEL_ERR_ARG, "feed_add: no set, spec or name");
    feed_in *f = calloc(1, sizeof *f);
    if (!f)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    f->fd = -1;
    f->backoff = BACKOFF_FIRST_MS;
    int r = 0;
    if (!strcmp(spec, "-")) {
        for (size_t i = 0; i < fs->n; i++)
            if (fs->f[i]->kind == FEED_STDIN) {
                feed_free(f);
                return pel_fail(err, PEL_ERR_ARG, "feed -: standard input given twice");
            }
        f->kind = FEED_STDIN;
        f->fd = 0;
        f->st.up = true;
    } else if (!strncmp(spec, "tcp://", 6)) {
        f->kind = FEED_TCP;
        r = split_hostport(f, spec + 6, true);
    } else if (!strncmp(spec, "udp://", 6)) {
        f->kind = FEED_UDP;
        r = split_hostport(f, spec + 6, false);
    } else if (!strncmp(spec, "file:", 5)) {
        f->kind = FEED_FILE;
        if (!spec[5])
            r = -1;
        else if (!(f->path = strndup(spec + 5, strlen(spec + 5))))
            r = -2;
    } else {
        feed_free(f);
        return pel_fail(err, PEL_ERR_ARG, "feed %s: not a feed (tcp://HOST:PORT, udp://ADDR:PORT, file:PATH or -)",
                        spec);
    }
    if (r == -1) {
        feed_free(f);
        return pel_fail(err, PEL_ERR_ARG, "feed %s: %s", spec,
                        !strncmp(spec, "file:", 5) ? "no path after file:"
                                                   : "not HOST:PORT (a port 1-65535; an IPv6 address in brackets)");
    }
    f->name = strndup(name, strlen(name));
    f->spec = strndup(spec, strlen(spec));
    f->in = malloc(FEED_ROUND_BYTES);
    f->line = malloc(FEED_MAX_LINE + 1);
    if (r == -2 || !f->name || !f->spec || !f->in || !f->line) {
        feed_free(f);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    if (fs->n == fs->cap) {
        size_t cap = fs->cap ? fs->cap * 2 : 4;
        feed_in **nf = realloc(fs->f, cap * sizeof *nf);
        if (!nf) {
            feed_free(f);
            return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        }
        fs->f = nf;
        fs->cap = cap;
    }
    /* a listener binds at once, so that nothing sent before the first poll
     * is lost; a TCP connection and a file wait for the first poll (after
     * feed_file_resume) */
    if (f->kind == FEED_UDP)
        udp_bind(f, mono_ms());
    fs->f[fs->n] = f;
    if (index)
        *index = fs->n;
    fs->n++;
    return PEL_OK;
}

/* ---- lines ---- */

/* Ends the line being assembled; 1 when fn asked to stop. */
static int end_line(size_t i, feed_in *f, feed_line_fn fn, void *ud) {
    if (f->skipping) {
        f->skipping = false;
        f->len = 0;
        return 0;
    }
    size_t len = f->len;
    if (len && f->line[len - 1] == '\r')
        len--;
    f->len = 0;
    if (len > FEED_MAX_LINE) {
        f->st.too_long++;
        return 0;
    }
    if (!len)
        return 0;
    f->st.lines++;
    f->backoff = BACKOFF_FIRST_MS;
    return fn && fn(ud, i, f->line, len, f->in_arrival) != 0;
}

static void add_bytes(feed_in *f, const char *p, size_t n) {
    if (f->skipping || !n)
        return;
    if (n > FEED_MAX_LINE + 1 - f->len) {
        f->st.too_long++;
        f->skipping = true;
        f->len = 0;
        return;
    }
    memcpy(f->line + f->len, p, n);
    f->len += n;
}

/* Cuts f->in from in_pos into lines; 1 when fn asked to stop (in_pos is
 * then just past the line it was given). */
static int cut(size_t i, feed_in *f, feed_line_fn fn, void *ud) {
    while (f->in_pos < f->in_len) {
        const char *p = f->in + f->in_pos;
        size_t n = f->in_len - f->in_pos;
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t)(nl - p) : n;
        add_bytes(f, p, take);
        f->in_pos += take;
        if (!nl)
            break;
        f->in_pos++;
        if (f->kind == FEED_FILE)
            f->commit_off = f->in_base + f->in_pos;
        if (end_line(i, f, fn, ud))
            return 1;
    }
    if (f->dgram_end) {
        f->dgram_end = false;
        return end_line(i, f, fn, ud);
    }
    return 0;
}

/* Takes n bytes just read into f->in. */
static void got(feed_in *f, size_t n) {
    f->in_pos = 0;
    f->in_len = n;
    f->in_arrival = clock_ms(CLOCK_REALTIME);
    f->st.bytes += n;
    f->st.last_heard_ms = f->in_arrival;
}

/* ---- TCP ---- */

/* The attempt or the connection is over: wait and retry, or end. */
static void tcp_lost(feed_set *fs, feed_in *f, int64_t now) {
    close_fd(f);
    if (f->ai)
        freeaddrinfo(f->ai);
    f->ai = f->ai_cur = NULL;
    f->tstate = TCP_WAIT;
    reset_line(f);
    if (fs->once && (f->st.connects > 0 || ++f->attempts >= ONCE_ATTEMPTS)) {
        f->st.ended = true;
        return;
    }
    f->due = now + f->backoff;
    f->backoff = f->backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : f->backoff * 2;
}

static void tcp_connected(feed_in *f) {
    if (f->ai)
        freeaddrinfo(f->ai);
    f->ai = f->ai_cur = NULL;
    f->tstate = TCP_UP;
    f->st.up = true;
    f->st.error[0] = 0;
    f->st.connects++;
    if (f->st.connects > 1)
        f->st.reconnects++;
    reset_line(f);
}

/* Starts connecting to f->ai_cur or the addresses after it; false when
 * none is left (the error says why the last failed). */
static bool tcp_try_next(feed_in *f, int64_t now) {
    for (; f->ai_cur; f->ai_cur = f->ai_cur->ai_next) {
        struct addrinfo *a = f->ai_cur;
        int s = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (s < 0) {
            set_error(f, "%s%s", strerror(errno), "");
            continue;
        }
        if (!set_nonblock(s)) {
            set_error(f, "%s%s", strerror(errno), "");
            close(s);
            continue;
        }
        f->fd = s;
        if (connect(s, a->ai_addr, a->ai_addrlen) == 0) {
            tcp_connected(f);
            return true;
        }
        if (errno == EINPROGRESS || errno == EINTR) {
            f->tstate = TCP_CONNECTING;
            f->connect_deadline = now + CONNECT_TIMEOUT_MS;
            return true;
        }
        set_error(f, "%s%s", strerror(errno), "");
        close(s);
        f->fd = -1;
    }
    return false;
}

static void tcp_start(feed_set *fs, feed_in *f, int64_t now) {
    struct addrinfo hints = {0};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int r = getaddrinfo(f->host, f->port, &hints, &f->ai);
    if (r != 0) {
        f->ai = NULL;
        set_error(f, "%s: %s", f->host, r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
        tcp_lost(fs, f, now);
        return;
    }
    f->ai_cur = f->ai;
    if (!tcp_try_next(f, now))
        tcp_lost(fs, f, now);
}

/* The connecting socket answered (or timed out: e is then ETIMEDOUT). */
static void tcp_answer(feed_set *fs, feed_in *f, int64_t now, int e) {
    if (!e) {
        socklen_t el = sizeof e;
        if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
            e = errno;
    }
    if (!e) {
        tcp_connected(f);
        return;
    }
    set_error(f, "%s%s", strerror(e), "");
    close_fd(f);
    f->ai_cur = f->ai_cur ? f->ai_cur->ai_next : NULL;
    if (!tcp_try_next(f, now))
        tcp_lost(fs, f, now);
}

/* Reads a connected socket; 1 when fn asked to stop. */
static int tcp_read(feed_set *fs, size_t i, feed_in *f, feed_line_fn fn, void *ud) {
    size_t budget = FEED_ROUND_BYTES;
    while (budget > 0 && f->fd >= 0) {
        ssize_t n = recv(f->fd, f->in, budget, 0);
        if (n > 0) {
            got(f, (size_t)n);
            budget -= (size_t)n;
            if (cut(i, f, fn, ud))
                return 1;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return 0;
        int64_t now = mono_ms();
        if (n == 0) {
            set_error(f, "%s%s", "closed by peer", "");
            int stop = f->len || f->skipping ? end_line(i, f, fn, ud) : 0;
            tcp_lost(fs, f, now);
            return stop;
        }
        set_error(f, "%s%s", strerror(errno), "");
        tcp_lost(fs, f, now);
        return 0;
    }
    return 0;
}

/* ---- UDP ---- */

static void udp_bind(feed_in *f, int64_t now) {
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    f->due = now + RETRY_MS;
    int r = getaddrinfo(f->host, f->port, &hints, &ai);
    if (r != 0) {
        set_error(f, "%s: %s", f->host ? f->host : "*", r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
        return;
    }
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        int s = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
        if (s < 0) {
            set_error(f, "%s%s", strerror(errno), "");
            continue;
        }
        int one = 1, rcv = UDP_RCVBUF;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv); /* best effort: the system may cap it */
        if (!set_nonblock(s) || bind(s, a->ai_addr, a->ai_addrlen) != 0) {
            set_error(f, "bind: %s%s", strerror(errno), "");
            close(s);
            continue;
        }
        f->fd = s;
        f->st.up = true;
        f->st.error[0] = 0;
        break;
    }
    freeaddrinfo(ai);
}

static int udp_read(size_t i, feed_in *f, feed_line_fn fn, void *ud) {
    size_t used = 0;
    while (used < FEED_ROUND_BYTES && f->fd >= 0) {
        ssize_t n = recv(f->fd, f->in, FEED_ROUND_BYTES, 0);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                set_error(f, "%s%s", strerror(errno), "");
            return 0;
        }
        got(f, (size_t)n);
        f->heard = true;
        f->last_rx = mono_ms();
        used += (size_t)n;
        f->dgram_end = true;
        if (cut(i, f, fn, ud))
            return 1;
    }
    return 0;
}

/* ---- files ---- */

/* Opens f->path (at the resumed offset the first time, if it is still the
 * same file). */
static void file_open(feed_set *fs, feed_in *f, int64_t now) {
    f->due = now + RETRY_MS;
    int fd = open(f->path, O_RDONLY | O_NONBLOCK);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        set_error(f, fs->once ? "%s: %s" : "%s: %s (waiting for it)", f->path, strerror(errno));
        if (fd >= 0)
            close(fd);
        if (fs->once)
            f->st.ended = true;
        return;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    f->fd = fd;
    f->ino = (uint64_t)sb.st_ino;
    f->dev = (uint64_t)sb.st_dev;
    f->rd_off = f->commit_off = 0;
    if (f->resume && f->ino == f->resume_ino && (uint64_t)sb.st_size >= f->resume_off &&
        lseek(fd, (off_t)f->resume_off, SEEK_SET) == (off_t)f->resume_off)
        f->rd_off = f->commit_off = f->resume_off;
    f->resume = false;
    f->st.up = true;
    f->st.error[0] = 0;
    f->more = true;
    f->rotating = false;
    f->next_check = now + FILE_CHECK_MS;
    reset_line(f);
}

/* Reads a file as far as the round allows, checks it for rotation and
 * truncation when at its end and due; 1 when fn asked to stop. */
static int file_read(feed_set *fs, size_t i, feed_in *f, feed_line_fn fn, void *ud, int64_t now) {
    if (f->fd < 0) {
        if (now >= f->due && !f->st.ended)
            file_open(fs, f, now);
        if (f->fd < 0)
            return 0;
    }
    if (!f->more && !f->rotating && now < f->next_check)
        return 0;
    size_t used = 0;
    while (used < FEED_ROUND_BYTES) {
        ssize_t n = read(f->fd, f->in, FEED_ROUND_BYTES - used);
        if (n > 0) {
            f->in_base = f->rd_off;
            f->rd_off += (uint64_t)n;
            got(f, (size_t)n);
            used += (size_t)n;
            f->more = true;
            if (cut(i, f, fn, ud))
                return 1;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            set_error(f, "%s: %s", f->path, strerror(errno));
            close_fd(f);
            f->due = now + RETRY_MS;
            if (fs->once)
                f->st.ended = true;
            return 0;
        }
        /* at the end */
        f->more = false;
        if (fs->once) {
            /* the last line is handed on, but the position stays before it:
             * a resumed run reads it again (whole, if it grew) */
            int stop = f->len || f->skipping ? end_line(i, f, fn, ud) : 0;
            close_fd(f);
            f->st.ended = true;
            return stop;
        }
        if (f->rotating) {
            close_fd(f);
            f->st.rotations++;
            file_open(fs, f, now);
            if (f->fd < 0)
                return 0;
            continue;
        }
        if (now < f->next_check)
            return 0;
        f->next_check = now + FILE_CHECK_MS;
        struct stat sb;
        if (stat(f->path, &sb) != 0)
            return 0; /* gone: keep the descriptor until another file is there */
        if ((uint64_t)sb.st_ino != f->ino || (uint64_t)sb.st_dev != f->dev) {
            f->rotating = true; /* read what is left of this one, then switch */
            continue;
        }
        if ((uint64_t)sb.st_size < f->rd_off) {
            if (lseek(f->fd, 0, SEEK_SET) != 0) {
                set_error(f, "%s: %s", f->path, strerror(errno));
                return 0;
            }
            f->st.rotations++;
            f->rd_off = f->commit_off = 0;
            reset_line(f);
            continue;
        }
        if ((uint64_t)sb.st_size == f->rd_off)
            return 0;
        /* grew between the read and the check: read on */
    }
    return 0;
}

/* ---- standard input ---- */

static int stdin_read(size_t i, feed_in *f, feed_line_fn fn, void *ud) {
    ssize_t n = read(0, f->in, FEED_ROUND_BYTES);
    if (n > 0) {
        got(f, (size_t)n);
        return cut(i, f, fn, ud);
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    if (n < 0)
        set_error(f, "standard input: %s%s", strerror(errno), "");
    int stop = n == 0 && (f->len || f->skipping) ? end_line(i, f, fn, ud) : 0;
    f->fd = -1;
    f->st.up = false;
    f->st.ended = true;
    return stop;
}

/* ---- the poll round ---- */

/* Timers that fire before the poll: connect, connect timeout, bind, UDP
 * idle end. */
static void before(feed_set *fs, feed_in *f, int64_t now) {
    if (f->st.ended)
        return;
    switch (f->kind) {
    case FEED_TCP:
        if (f->tstate == TCP_WAIT && now >= f->due)
            tcp_start(fs, f, now);
        else if (f->tstate == TCP_CONNECTING && now >= f->connect_deadline)
            tcp_answer(fs, f, now, ETIMEDOUT);
        break;
    case FEED_UDP:
        if (f->fd < 0 && now >= f->due)
            udp_bind(f, now);
        if (fs->once && f->heard && f->in_pos >= f->in_len && !f->dgram_end && now - f->last_rx >= fs->idle_ms) {
            /* silent, or only unread?  (the caller may have been busy for
             * longer than idle_ms: datagrams waiting are no silence) */
            char peek;
            if (f->fd >= 0 && recv(f->fd, &peek, 1, MSG_PEEK | MSG_DONTWAIT) >= 0) {
                f->last_rx = now;
                break;
            }
            close_fd(f);
            f->st.ended = true;
        }
        break;
    default:
        break;
    }
}

/* When f needs attention next (monotonic ms), or INT64_MAX. */
static int64_t next_due(const feed_set *fs, const feed_in *f, int64_t now) {
    if (f->st.ended)
        return INT64_MAX;
    if (f->in_pos < f->in_len || f->dgram_end)
        return now;
    switch (f->kind) {
    case FEED_TCP:
        return f->tstate == TCP_WAIT ? f->due : f->tstate == TCP_CONNECTING ? f->connect_deadline : INT64_MAX;
    case FEED_UDP:
        if (f->fd < 0)
            return f->due;
        return fs->once && f->heard ? f->last_rx + fs->idle_ms : INT64_MAX;
    case FEED_FILE:
        if (f->fd < 0)
            return f->due;
        return f->more || f->rotating ? now : f->next_check;
    default:
        return INT64_MAX;
    }
}

/* The events to poll f's descriptor for, 0 none. */
static short wanted(const feed_in *f) {
    if (f->st.ended || f->fd < 0)
        return 0;
    switch (f->kind) {
    case FEED_TCP:
        return f->tstate == TCP_CONNECTING ? POLLOUT : f->tstate == TCP_UP ? POLLIN : 0;
    case FEED_UDP:
    case FEED_STDIN:
        return POLLIN;
    default:
        return 0;
    }
}

/* Serves one feed after the poll; 1 when fn asked to stop. */
static int serve(feed_set *fs, size_t i, short rev, feed_line_fn fn, void *ud, int64_t now) {
    feed_in *f = fs->f[i];
    if (f->st.ended)
        return 0;
    /* first what a stopped round left */
    if ((f->in_pos < f->in_len || f->dgram_end) && cut(i, f, fn, ud))
        return 1;
    switch (f->kind) {
    case FEED_TCP:
        if (f->tstate == TCP_CONNECTING && rev)
            tcp_answer(fs, f, now, 0);
        else if (f->tstate == TCP_UP && rev)
            return tcp_read(fs, i, f, fn, ud);
        return 0;
    case FEED_UDP:
        if (rev && udp_read(i, f, fn, ud))
            return 1;
        before(fs, f, mono_ms()); /* the idle end, right at its time */
        return 0;
    case FEED_FILE:
        return file_read(fs, i, f, fn, ud, now);
    case FEED_STDIN:
        if (rev & POLLNVAL) {
            set_error(f, "standard input: %s%s", "not open", "");
            f->fd = -1;
            f->st.up = false;
            f->st.ended = true;
            return 0;
        }
        return rev ? stdin_read(i, f, fn, ud) : 0;
    }
    return 0;
}

pel_status feed_poll(feed_set *fs, int timeout_ms, feed_line_fn fn, void *ud, pel_error *err) {
    if (!fs)
        return pel_fail(err, PEL_ERR_ARG, "feed_poll: no set");
    int64_t now = mono_ms();
    for (size_t i = 0; i < fs->n; i++)
        before(fs, fs->f[i], now);
    if (fs->n == 0 || feed_all_ended(fs))
        return PEL_OK;
    struct pollfd pfd_small[16], *pfd = pfd_small;
    if (fs->n > 16 && !(pfd = malloc(fs->n * sizeof *pfd)))
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    int64_t due = timeout_ms < 0 ? INT64_MAX : now + timeout_ms;
    nfds_t np = 0;
    for (size_t i = 0; i < fs->n; i++) {
        int64_t d = next_due(fs, fs->f[i], now);
        if (d < due)
            due = d;
        short ev = wanted(fs->f[i]);
        pfd[i].fd = ev ? fs->f[i]->fd : -1; /* poll ignores a negative fd */
        pfd[i].events = ev;
        pfd[i].revents = 0;
        np++;
    }
    int wait = due == INT64_MAX ? -1 : due <= now ? 0 : due - now > 1000000 ? 1000000 : (int)(due - now);
    int r = poll(pfd, np, wait);
    if (r < 0) {
        int e = errno;
        if (pfd != pfd_small)
            free(pfd);
        if (e == EINTR)
            return PEL_OK;
        return pel_fail(err, PEL_ERR_IO, "poll: %s", strerror(e));
    }
    now = mono_ms();
    pel_status st = PEL_OK;
    size_t first = fs->start % fs->n;
    for (size_t k = 0; k < fs->n; k++) {
        size_t i = (first + k) % fs->n;
        if (serve(fs, i, pfd[i].revents, fn, ud, now)) {
            st = PEL_STOPPED;
            break;
        }
    }
    fs->start = (first + 1) % fs->n;
    if (pfd != pfd_small)
        free(pfd);
    return st;
}

/* ---- position and questions ---- */

void feed_file_resume(feed_set *fs, size_t feed, uint64_t inode, uint64_t offset) {
    if (!fs || feed >= fs->n || fs->f[feed]->kind != FEED_FILE)
        return;
    feed_in *f = fs->f[feed];
    f->resume = true;
    f->resume_ino = inode;
    f->resume_off = offset;
}

bool feed_file_position(const feed_set *fs, size_t feed, uint64_t *inode, uint64_t *offset) {
    if (!fs || feed >= fs->n || fs->f[feed]->kind != FEED_FILE)
        return false;
    const feed_in *f = fs->f[feed];
    if (inode)
        *inode = f->ino;
    if (offset)
        *offset = f->commit_off;
    return true;
}

bool feed_all_ended(const feed_set *fs) {
    if (!fs)
        return true;
    for (size_t i = 0; i < fs->n; i++)
        if (!fs->f[i]->st.ended)
            return false;
    return true;
}

size_t feed_count(const feed_set *fs) {
    return fs ? fs->n : 0;
}

const char *feed_name(const feed_set *fs, size_t feed) {
    return fs && feed < fs->n ? fs->f[feed]->name : NULL;
}

const char *feed_spec(const feed_set *fs, size_t feed) {
    return fs && feed < fs->n ? fs->f[feed]->spec : NULL;
}

feed_kind feed_kind_of(const feed_set *fs, size_t feed) {
    return fs && feed < fs->n ? fs->f[feed]->kind : FEED_STDIN;
}

const feed_stats *feed_stats_of(const feed_set *fs, size_t feed) {
    return fs && feed < fs->n ? &fs->f[feed]->st : NULL;
}
