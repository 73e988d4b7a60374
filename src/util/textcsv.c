/*
 * textcsv.c -- the in-memory CSV reader of textcsv.h.
 */
#include "util/textcsv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void textcsv_init(textcsv *c, const char *s, size_t len) {
    memset(c, 0, sizeof *c);
    c->p = s;
    c->end = s + len;
    c->line = 1;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3;
}

void textcsv_free(textcsv *c) {
    free(c->buf);
    free(c->off);
    c->buf = NULL;
    c->off = NULL;
}

const char *textcsv_get(const textcsv *c, size_t i) {
    return i < c->nf ? c->buf + c->off[i] : "";
}

static bool put(textcsv *c, char ch) {
    if (c->blen == c->bcap) {
        size_t n = c->bcap ? c->bcap * 2 : 1024;
        char *b = realloc(c->buf, n);
        if (!b)
            return false;
        c->buf = b;
        c->bcap = n;
    }
    c->buf[c->blen++] = ch;
    return true;
}

static bool field(textcsv *c) {
    if (c->nf == c->capf) {
        size_t n = c->capf ? c->capf * 2 : 16;
        size_t *o = realloc(c->off, n * sizeof *o);
        if (!o)
            return false;
        c->off = o;
        c->capf = n;
    }
    c->off[c->nf++] = c->blen;
    return true;
}

static int bad(textcsv *c, uint64_t line, const char *why) {
    c->err_line = line;
    c->why = why;
    return -1;
}

/* a CR that ends a line (before LF or at the end of the text) */
static bool line_cr(const textcsv *c, const char *p) {
    return *p == '\r' && (p + 1 == c->end || p[1] == '\n');
}

int textcsv_next(textcsv *c) {
    /* blank lines */
    for (;;) {
        if (c->p >= c->end)
            return 0;
        if (*c->p == '\n')
            c->p++, c->line++;
        else if (line_cr(c, c->p))
            c->p++;
        else
            break;
    }
    c->blen = c->nf = 0;
    c->rec_line = c->line;
    for (;;) {
        if (!field(c))
            return bad(c, c->line, "out of memory");
        const char *p = c->p;
        if (p < c->end && *p == '"') {
            uint64_t opened = c->line;
            for (p++;; p++) {
                if (p >= c->end)
                    return bad(c, opened, "quote opened here is never closed");
                if (*p == '"') {
                    if (p + 1 < c->end && p[1] == '"') {
                        p++;
                    } else {
                        p++;
                        break;
                    }
                } else if (*p == 0)
                    return bad(c, c->line, "NUL byte");
                else if (*p == '\n')
                    c->line++;
                if (!put(c, *p))
                    return bad(c, c->line, "out of memory");
            }
            if (p < c->end && *p != ',' && *p != '\n' && !line_cr(c, p))
                return bad(c, c->line, "text after a closing quote");
        } else {
            for (; p < c->end && *p != ',' && *p != '\n' && !line_cr(c, p); p++) {
                if (*p == '"')
                    return bad(c, c->line, "quote inside an unquoted field (quote the whole field)");
                if (*p == 0)
                    return bad(c, c->line, "NUL byte");
                if (!put(c, *p))
                    return bad(c, c->line, "out of memory");
            }
        }
        if (!put(c, 0))
            return bad(c, c->line, "out of memory");
        if (p < c->end && *p == ',') {
            c->p = p + 1;
            continue;
        }
        if (p < c->end && *p == '\r')
            p++;
        if (p < c->end && *p == '\n')
            p++, c->line++;
        c->p = p;
        return 1;
    }
}
