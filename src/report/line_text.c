/*
 * line_text.c -- the text of input lines by file name and line number
 * (line_text.h): what a finding's evidence "file:line" points at.
 *
 * Each file is read through zlib's gzopen/gzgets, which read a gzip file
 * decompressed and any other file as it is.  A reader keeps, per file
 * name, the open stream (at most MAX_OPEN at a time: the least recently
 * used is closed, and opened again when asked for), the number of the line
 * it will read next, and the offset (in the decompressed stream) of every
 * MARK_EVERY-th line it has passed; a line behind the current one is
 * reached by seeking to the nearest mark at or before it (gzseek: a plain
 * file seeks, a gzip one decompresses again from its start).  A file that
 * cannot be opened is remembered as missing and not tried again.
 *
 * Limits: the file is read as it is now -- an input changed or replaced
 * since it was ingested gives its new lines (the store keeps each input's
 * SHA-256, not its text); a line longer than MAX_LINE bytes gives NULL; the
 * files are matched by the name stored, so a relative name is read relative
 * to the current directory.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "report/line_text.h"

#define MAX_OPEN 16
#define MARK_EVERY 1024
#define MAX_LINE (16u << 20)

typedef struct lt_file {
    char *name;
    gzFile f;       /* NULL when closed */
    bool missing;   /* could not be opened */
    uint64_t next;  /* the number of the line the stream reads next (1 at the start) */
    z_off_t *marks; /* marks[k]: the offset of line 1 + k * MARK_EVERY */
    size_t nmarks, capmarks;
    bool eof; /* the last line is known: total */
    uint64_t total;
    uint64_t used; /* when last used (the reader's clock) */
} lt_file;

struct rpt_lines {
    lt_file *v;
    size_t n, cap;
    size_t open; /* streams open */
    uint64_t clock;
    char *buf; /* the last line read */
    size_t bufcap;
};

rpt_lines *rpt_lines_new(void) {
    return calloc(1, sizeof(rpt_lines));
}

void rpt_lines_free(rpt_lines *l) {
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].f)
            gzclose(l->v[i].f);
        free(l->v[i].name);
        free(l->v[i].marks);
    }
    free(l->v);
    free(l->buf);
    free(l);
}

/* The entry of name, added when new; NULL when out of memory. */
static lt_file *file_of(rpt_lines *l, const char *name) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].name, name))
            return &l->v[i];
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        lt_file *nv = realloc(l->v, nc * sizeof *nv);
        if (!nv)
            return NULL;
        l->v = nv;
        l->cap = nc;
    }
    lt_file *e = &l->v[l->n];
    memset(e, 0, sizeof *e);
    e->name = strdup(name);
    if (!e->name)
        return NULL;
    e->next = 1;
    l->n++;
    return e;
}

/* Opens e's stream (closing the least recently used one when MAX_OPEN are
 * open); false when it cannot be opened. */
static bool open_file(rpt_lines *l, lt_file *e) {
    if (e->f)
        return true;
    if (e->missing)
        return false;
    if (l->open >= MAX_OPEN) {
        lt_file *old = NULL;
        for (size_t i = 0; i < l->n; i++)
            if (l->v[i].f && (!old || l->v[i].used < old->used))
                old = &l->v[i];
        if (old) {
            gzclose(old->f);
            old->f = NULL;
            old->next = 1;
            l->open--;
        }
    }
    e->f = gzopen(e->name, "rb");
    if (!e->f) {
        e->missing = true;
        return false;
    }
    gzbuffer(e->f, 128 * 1024);
    e->next = 1;
    l->open++;
    return true;
}

/* Reads the next line of e into l->buf (*len bytes, without the line end);
 * 1 a line, 0 the end of the file, -1 a line too long (skipped) or out of
 * memory. */
static int read_line(rpt_lines *l, lt_file *e, size_t *len) {
    size_t n = 0;
    bool too_long = false, got = false;
    for (;;) {
        if (l->bufcap - n < 2) {
            size_t nc = l->bufcap ? l->bufcap * 2 : 65536;
            if (nc > MAX_LINE + 2) { /* keep reading the line, without keeping it */
                too_long = true;
                n = 0;
            } else {
                char *nb = realloc(l->buf, nc);
                if (!nb)
                    return -1;
                l->buf = nb;
                l->bufcap = nc;
            }
        }
        z_off_t before = gztell(e->f);
        if (!gzgets(e->f, l->buf + n, (int)(l->bufcap - n > INT32_MAX ? INT32_MAX : l->bufcap - n)))
            break;
        z_off_t after = gztell(e->f);
        size_t k = before >= 0 && after >= before ? (size_t)(after - before) : strlen(l->buf + n);
        got = true;
        n += k;
        if (n && l->buf[n - 1] == '\n')
            break;
    }
    if (!got) {
        e->eof = true;
        e->total = e->next - 1;
        return 0;
    }
    e->next++;
    if (too_long)
        return -1;
    if (n && l->buf[n - 1] == '\n')
        n--;
    if (n && l->buf[n - 1] == '\r')
        n--;
    l->buf[n] = 0;
    *len = n;
    return 1;
}

const char *rpt_lines_get(rpt_lines *l, const char *file, uint64_t line, size_t *len) {
    *len = 0;
    if (!l || !file || !line)
        return NULL;
    lt_file *e = file_of(l, file);
    if (!e || (e->eof && line > e->total) || !open_file(l, e))
        return NULL;
    e->used = ++l->clock;
    /* behind the stream, or a mark ahead of it: go to the nearest mark */
    size_t k = (size_t)((line - 1) / MARK_EVERY);
    if (k >= e->nmarks)
        k = e->nmarks ? e->nmarks - 1 : 0;
    uint64_t mline = 1 + (uint64_t)k * MARK_EVERY;
    if (e->nmarks && (line < e->next || mline > e->next)) {
        if (gzseek(e->f, e->marks[k], SEEK_SET) < 0) {
            gzclose(e->f);
            e->f = NULL;
            l->open--;
            return NULL;
        }
        e->next = mline;
    } else if (line < e->next) { /* no mark yet: from the start */
        gzrewind(e->f);
        e->next = 1;
    }
    while (e->next <= line) {
        if ((e->next - 1) % MARK_EVERY == 0 && (e->next - 1) / MARK_EVERY == e->nmarks) {
            if (e->nmarks == e->capmarks) {
                size_t nc = e->capmarks ? e->capmarks * 2 : 16;
                z_off_t *nm = realloc(e->marks, nc * sizeof *nm);
                if (!nm)
                    return NULL;
                e->marks = nm;
                e->capmarks = nc;
            }
            e->marks[e->nmarks++] = gztell(e->f);
        }
        bool want = e->next == line;
        size_t n = 0;
        int r = read_line(l, e, &n);
        if (r == 0)
            return NULL;
        if (want) {
            if (r != 1)
                return NULL;
            *len = n;
            return l->buf;
        }
    }
    return NULL;
}

const char *rpt_lines_text(void *ud, const char *file, uint64_t line, size_t *len) {
    return rpt_lines_get(ud, file, line, len);
}
