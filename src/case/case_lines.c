/*
 * case_lines.c -- a case's lines: taken byte for byte from an original
 * input (plain or gzip: the lines as decompressed, which is what the
 * ingest numbered), each bundle with an index giving every line's number
 * in the original and the SHA-256 of its bytes; checked back against the
 * index by verify; looked up by (original, line) for the dossier.
 *
 * A line is its bytes up to '\n', without it ("\r" kept); a bundle writes
 * each followed by '\n'.
 */
#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "case/case.h"
#include "report/line_text.h"
#include "util/fail.h"
#include "util/xsort.h"

pel_status case_sel_add(case_sel *s, uint64_t from, uint64_t to) {
    for (uint64_t k = from; k <= to; k++) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 1024;
            uint64_t *v = realloc(s->v, cap * sizeof *v);
            if (!v)
                return PEL_ERR_NOMEM;
            s->v = v;
            s->cap = cap;
        }
        s->v[s->n++] = k;
    }
    return PEL_OK;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void case_sel_finish(case_sel *s) {
    xqsort(s->v, s->n, sizeof *s->v, cmp_u64);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (k == 0 || s->v[k - 1] != s->v[i])
            s->v[k++] = s->v[i];
    s->n = k;
}

void case_sel_free(case_sel *s) {
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* A reader of lines of any length from a plain or gzip file. */
typedef struct lreader {
    gzFile z;
    char *buf;
    size_t cap, len, at; /* buf[at, len) not yet given */
    char *line;          /* the current line */
    size_t lcap;
    bool eof;
} lreader;

static bool lr_open(lreader *r, const char *path) {
    memset(r, 0, sizeof *r);
    r->z = gzopen(path, "rb");
    r->cap = 1 << 16;
    r->buf = malloc(r->cap);
    return r->z && r->buf;
}

static void lr_close(lreader *r) {
    if (r->z)
        gzclose(r->z);
    free(r->buf);
    free(r->line);
}

/* The next line into r->line (*len bytes, without '\n'): 1, 0 at the end,
 * -1 on a read error or out of memory. */
static int lr_next(lreader *r, size_t *len) {
    size_t n = 0;
    for (;;) {
        if (r->at == r->len) {
            if (r->eof)
                break;
            int got = gzread(r->z, r->buf, (unsigned)r->cap);
            if (got < 0)
                return -1;
            if (got == 0) {
                r->eof = true;
                break;
            }
            r->len = (size_t)got;
            r->at = 0;
        }
        char *nl = memchr(r->buf + r->at, '\n', r->len - r->at);
        size_t take = nl ? (size_t)(nl - (r->buf + r->at)) : r->len - r->at;
        if (n + take + 1 > r->lcap) {
            size_t c = (n + take + 1) * 2;
            char *l = realloc(r->line, c);
            if (!l)
                return -1;
            r->line = l;
            r->lcap = c;
        }
        memcpy(r->line + n, r->buf + r->at, take);
        n += take;
        r->at += take;
        if (nl) {
            r->at++;
            *len = n;
            return 1;
        }
    }
    *len = n;
    return n > 0 ? 1 : 0;
}

static void hex_sha(const char *p, size_t n, char out[65]) {
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    sha256_update(&c, n, (const uint8_t *)p);
    sha256_digest(&c, sizeof d, d);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static char *join_ext(const char *dir, const char *rel, const char *ext) {
    size_t n = strlen(dir) + strlen(rel) + strlen(ext) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s%s", dir, rel, ext);
    return p;
}

pel_status case_lines_copy(const char *src, const case_sel *s, const char *dir, const char *rel, uint64_t *count,
                           pel_error *err) {
    *count = 0;
    char *lp = join_ext(dir, rel, ""), *ip = join_ext(dir, rel, ".index");
    lreader r;
    bool ok = lr_open(&r, src);
    FILE *lf = lp ? fopen(lp, "wbx") : NULL, *xf = ip ? fopen(ip, "wbx") : NULL;
    pel_status st = PEL_OK;
    if (!lp || !ip || !r.buf)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    else if (!ok)
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", src, strerror(errno));
    else if (!lf || !xf)
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", !lf ? lp : ip, strerror(errno));
    uint64_t line = 0;
    size_t j = 0, len;
    int k = 0;
    while (st == PEL_OK && j < s->n && (k = lr_next(&r, &len)) > 0) {
        line++;
        if (line != s->v[j])
            continue;
        j++;
        char h[65];
        hex_sha(r.line, len, h);
        if (fwrite(r.line, 1, len, lf) != len || fputc('\n', lf) == EOF ||
            fprintf(xf, "%llu %s\n", (unsigned long long)line, h) < 0)
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", lp, strerror(errno));
        (*count)++;
    }
    if (st == PEL_OK && k < 0)
        st = pel_fail(err, PEL_ERR_IO, "%s: read error", src);
    if (st == PEL_OK && j < s->n)
        st = pel_fail(err, PEL_ERR_IO,
                      "%s: has %llu lines, fewer than its database counted (%llu): changed since it "
                      "was ingested?",
                      src, (unsigned long long)line, (unsigned long long)s->v[s->n - 1]);
    if (lf && fclose(lf) != 0 && st == PEL_OK)
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", lp, strerror(errno));
    if (xf && fclose(xf) != 0 && st == PEL_OK)
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", ip, strerror(errno));
    lr_close(&r);
    free(lp);
    free(ip);
    return st;
}

/* Reads an index: numbers and, when sums is not NULL, the hashes. */
static pel_status index_read(const char *dir, const char *rel, uint64_t **orig, char (**sums)[65], size_t *n,
                             pel_error *err) {
    *orig = NULL;
    *n = 0;
    if (sums)
        *sums = NULL;
    char *ip = join_ext(dir, rel, ".index");
    if (!ip)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    FILE *f = fopen(ip, "rb");
    if (!f) {
        pel_status st = pel_fail(err, PEL_ERR_IO, "%s.index: %s", rel, strerror(errno));
        free(ip);
        return st;
    }
    size_t cap = 0;
    char buf[160];
    pel_status st = PEL_OK;
    uint64_t ln = 0;
    while (st == PEL_OK && fgets(buf, sizeof buf, f)) {
        ln++;
        unsigned long long v;
        char h[65];
        int used = 0;
        if (sscanf(buf, "%llu %64[0-9a-f]%n", &v, h, &used) != 2 || strlen(h) != 64 || buf[used] != '\n' || v == 0 ||
            (*n && v <= (*orig)[*n - 1])) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s.index:%llu: not \"LINE SHA256\" in increasing line order", rel,
                          (unsigned long long)ln);
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            uint64_t *o = realloc(*orig, cap * sizeof *o);
            char(*sm)[65] = sums ? realloc(*sums, cap * sizeof *sm) : NULL;
            if (o)
                *orig = o;
            if (sm)
                *sums = sm;
            if (!o || (sums && !sm)) {
                st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
                break;
            }
        }
        (*orig)[*n] = v;
        if (sums)
            memcpy((*sums)[*n], h, 65);
        (*n)++;
    }
    fclose(f);
    free(ip);
    if (st != PEL_OK) {
        free(*orig);
        *orig = NULL;
        if (sums) {
            free(*sums);
            *sums = NULL;
        }
        *n = 0;
    }
    return st;
}

pel_status case_index_read(const char *dir, const char *rel, uint64_t **orig, size_t *n, pel_error *err) {
    return index_read(dir, rel, orig, NULL, n, err);
}

pel_status case_lines_check(const char *dir, const char *rel, const char *orig_name,
                            void (*problem)(void *ud, const char *file, uint64_t line, const char *what), void *ud,
                            uint64_t *bad, pel_error *err) {
    *bad = 0;
    uint64_t *orig;
    char(*sums)[65];
    size_t n;
    pel_status st = index_read(dir, rel, &orig, &sums, &n, err);
    if (st != PEL_OK)
        return st;
    char *lp = join_ext(dir, rel, "");
    lreader r;
    if (!lp || !lr_open(&r, lp)) {
        st = lp ? pel_fail(err, PEL_ERR_IO, "%s: %s", rel, strerror(errno)) : PEL_ERR_NOMEM;
        free(lp);
        free(orig);
        free(sums);
        return st;
    }
    /* walk the bundle and the index together: a line whose hash is not the
     * index's is changed, unless it is the next entry's (one dropped) or the
     * index's entry is the next line's (one added) */
    char what[512], h[65];
    size_t j = 0, len;
    uint64_t line = 0;
    int k;
    while ((k = lr_next(&r, &len)) > 0) {
        line++;
        hex_sha(r.line, len, h);
        if (j < n && !strcmp(h, sums[j])) {
            j++;
            continue;
        }
        if (j + 1 < n && !strcmp(h, sums[j + 1])) {
            snprintf(what, sizeof what, "line %llu of %s is missing (dropped before this line)",
                     (unsigned long long)orig[j], orig_name);
            problem(ud, rel, line, what);
            (*bad)++;
            j += 2;
            continue;
        }
        if (j < n) {
            snprintf(what, sizeof what, "changed: not line %llu of %s as exported (SHA-256 differs)",
                     (unsigned long long)orig[j], orig_name);
            j++;
        } else
            snprintf(what, sizeof what, "a line added after the last one exported");
        problem(ud, rel, line, what);
        (*bad)++;
    }
    if (k < 0)
        st = pel_fail(err, PEL_ERR_IO, "%s: read error", rel);
    for (; st == PEL_OK && j < n; j++) {
        snprintf(what, sizeof what, "line %llu of %s is missing (the bundle ends before it)",
                 (unsigned long long)orig[j], orig_name);
        problem(ud, rel, line + 1, what);
        (*bad)++;
    }
    lr_close(&r);
    free(lp);
    free(orig);
    free(sums);
    return st;
}

/* ---- line texts for the dossier ---- */

/* Each bundle's original line numbers (its index) and where it is: a line
 * asked for by its original's name and number is looked up in the index
 * and read from the bundle by the report's line reader (report/line_text.h,
 * which shows a line as text: its CR left out). */
typedef struct text_input {
    const char *file; /* the original's name (borrowed from the doc) */
    char *bundle;     /* the bundle's path */
    uint64_t *orig;
    size_t n;
} text_input;

struct case_text {
    text_input *in;
    size_t n;
    rpt_lines *lines;
};

case_text *case_text_open(const char *dir, const case_doc *d, pel_error *err) {
    case_text *t = calloc(1, sizeof *t);
    if (!t || !(t->in = calloc(d->nin + 1, sizeof *t->in)) || !(t->lines = rpt_lines_new())) {
        case_text_free(t);
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < d->nin; i++) {
        text_input *x = &t->in[t->n++];
        x->file = d->in[i].path;
        pel_status st = case_index_read(dir, d->in[i].lines, &x->orig, &x->n, err);
        if (st == PEL_OK && !(x->bundle = join_ext(dir, d->in[i].lines, "")))
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        if (st != PEL_OK) {
            case_text_free(t);
            return NULL;
        }
    }
    return t;
}

static int cmp_line(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

const char *case_text_line(void *ud, const char *file, uint64_t line, size_t *len) {
    case_text *t = ud;
    for (size_t i = 0; i < t->n; i++) {
        const text_input *x = &t->in[i];
        const uint64_t *at = strcmp(x->file, file) ? NULL : xbsearch(&line, x->orig, x->n, sizeof *x->orig, cmp_line);
        if (at)
            return rpt_lines_get(t->lines, x->bundle, (uint64_t)(at - x->orig) + 1, len);
    }
    return NULL;
}

void case_text_free(case_text *t) {
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        free(t->in[i].bundle);
        free(t->in[i].orig);
    }
    free(t->in);
    rpt_lines_free(t->lines);
    free(t);
}
