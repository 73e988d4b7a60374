/*
 * reader.c -- input files to lines: plain or gzip (detected from the first
 * two bytes, whatever the name), a path or standard input.  Lines end at LF;
 * a CR before it is the decoder's to strip.  A line longer than PEL_MAX_LINE
 * is reported with its first bytes and skipped without being held, so memory
 * stays bounded by the buffer whatever the input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pelorus.h"
#include "util/fail.h"

#define CHUNK (1u << 20)
#define BUFSZ (PEL_MAX_LINE + CHUNK)

typedef struct src {
    int fd;
    gzFile gz; /* NULL for plain input */
    uint8_t head[2];
    int nhead; /* bytes read to sniff, not yet handed out */
} src;

/* One line to the decoder: a line over PEL_MAX_LINE is too_long however it
 * arrived (whole in the buffer, or the last of the file), never parsed. */
static pel_status feed(pel_decoder *d, const char *p, size_t len, uint64_t lineno) {
    if (len > PEL_MAX_LINE) {
        pel_decoder_too_long(d, p, 200, lineno);
        return PEL_OK;
    }
    return pel_decoder_line(d, p, len, lineno);
}

/* Reads up to n bytes; returns the count, 0 at the end, -1 on error. */
static long src_read(src *s, char *buf, size_t n) {
    if (s->gz) {
        int r = gzread(s->gz, buf, (unsigned)n);
        return r;
    }
    if (s->nhead) {
        size_t k = (size_t)s->nhead < n ? (size_t)s->nhead : n;
        memcpy(buf, s->head, k);
        memmove(s->head, s->head + k, (size_t)s->nhead - k);
        s->nhead -= (int)k;
        return (long)k;
    }
    for (;;) {
        ssize_t r = read(s->fd, buf, n);
        if (r < 0 && errno == EINTR)
            continue;
        return (long)r;
    }
}

pel_status pel_decode_file(pel_decoder *d, const char *path, pel_error *err) {
    return pel_decode_file_at(d, path, 1, err);
}

pel_status pel_decode_file_at(pel_decoder *d, const char *path, uint64_t first_line, pel_error *err) {
    bool is_stdin = strcmp(path, "-") == 0;
    src s = {0};
    s.fd = is_stdin ? 0 : open(path, O_RDONLY);
    if (s.fd < 0) {
        pel_fail(err, PEL_ERR_IO, "%s: %s", path, strerror(errno));
        return PEL_ERR_IO;
    }
    /* sniff the gzip magic */
    while (s.nhead < 2) {
        ssize_t r = read(s.fd, s.head + s.nhead, (size_t)(2 - s.nhead));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        s.nhead += (int)r;
    }
    if (s.nhead == 2 && s.head[0] == 0x1f && s.head[1] == 0x8b) {
        if (lseek(s.fd, 0, SEEK_SET) != 0) {
            pel_fail(err, PEL_ERR_IO, "%s: %s", path, "compressed input must be a file, not a pipe");
            if (!is_stdin)
                close(s.fd);
            return PEL_ERR_IO;
        }
        s.gz = gzdopen(is_stdin ? dup(0) : s.fd, "rb");
        if (!s.gz) {
            pel_fail(err, PEL_ERR_NOMEM, "%s: %s", path, "cannot start gzip decompression");
            if (!is_stdin)
                close(s.fd);
            return PEL_ERR_NOMEM;
        }
        gzbuffer(s.gz, 256 * 1024);
        s.nhead = 0;
    }
    char *buf = malloc(BUFSZ + 1);
    if (!buf) {
        if (s.gz)
            gzclose(s.gz);
        else if (!is_stdin)
            close(s.fd);
        pel_fail(err, PEL_ERR_NOMEM, "%s: %s", path, "out of memory");
        return PEL_ERR_NOMEM;
    }
    pel_decoder_set_file(d, is_stdin ? "-" : path);
    pel_status st = PEL_OK;
    size_t have = 0;
    uint64_t lineno = 0;
    bool skipping = false; /* inside a line that was too long */
    for (;;) {
        long n = src_read(&s, buf + have, BUFSZ - have);
        if (n < 0) {
            int e = 0;
            const char *msg = s.gz ? gzerror(s.gz, &e) : strerror(errno);
            pel_fail(err, PEL_ERR_IO, "%s: %s", path, msg);
            st = PEL_ERR_IO;
            break;
        }
        bool eof = n == 0;
        have += (size_t)n;
        char *p = buf, *end = buf + have;
        while (p < end) {
            char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl)
                break;
            lineno++;
            if (skipping)
                skipping = false; /* the tail of a long line: already reported */
            else if (lineno < first_line)
                ; /* before the starting line: counted only */
            else if (feed(d, p, (size_t)(nl - p) - (nl > p && nl[-1] == '\r'), lineno) == PEL_STOPPED) {
                st = PEL_STOPPED;
                goto done;
            }
            p = nl + 1;
        }
        size_t left = (size_t)(end - p);
        if (eof) {
            if (left && !skipping) {
                lineno++;
                if (lineno >= first_line && feed(d, p, left, lineno) == PEL_STOPPED)
                    st = PEL_STOPPED;
            }
            break;
        }
        if (left > PEL_MAX_LINE || (skipping && left)) {
            if (!skipping && lineno + 1 >= first_line)
                pel_decoder_too_long(d, p, 200, lineno + 1);
            skipping = true;
            have = 0;
            continue;
        }
        memmove(buf, p, left);
        have = left;
    }
done:
    free(buf);
    if (s.gz) {
        /* gzclose also closes the descriptor it was given */
        if (gzclose(s.gz) != Z_OK && st == PEL_OK) {
            pel_fail(err, PEL_ERR_IO, "%s: %s", path, "truncated or corrupt gzip data");
            st = PEL_ERR_IO;
        }
    } else if (!is_stdin)
        close(s.fd);
    pel_decoder_flush(d);
    return st;
}
