/*
 * read.c -- JSON lines into structured findings (read.h).
 *
 * A small JSON parser of its own (RFC 8259, one object per line), not a
 * general JSON library: it keeps what a finding needs and a library loses
 * -- the number of decimals a number was written with, and the order of
 * the members -- so that a file read and written again is the same file.
 * The parsed members go into one flat array (an array's or object's
 * contents follow it, as fnd_member says) and their strings into one text
 * buffer; then the members every finding has are checked and taken out,
 * and the rest is copied into the set with fnd_set_add.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/read.h"
#include "util/fail.h"

#define MAX_DEPTH 32

typedef struct parser {
    const char *start, *p, *end;
    const char *why; /* static: what is wrong */
    size_t at;       /* where (offset in the line) */
    fnd_member *mem; /* while parsing: names and strings are offsets into text, kept in noff / v.i */
    size_t *noff;    /* name offsets, SIZE_MAX for none */
    size_t n, cap;
    char *text;
    size_t tlen, tcap;
    int depth;
    bool nomem;
} parser;

static bool fail(parser *ps, const char *why) {
    if (!ps->why) {
        ps->why = why;
        ps->at = (size_t)(ps->p - ps->start);
    }
    return false;
}

static bool nomem(parser *ps) {
    ps->nomem = true;
    return fail(ps, "out of memory");
}

static void ws(parser *ps) {
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' || *ps->p == '\n'))
        ps->p++;
}

static bool text_put(parser *ps, const char *s, size_t n) {
    if (ps->tlen + n + 1 > ps->tcap) {
        size_t ncap = ps->tcap ? ps->tcap * 2 : 256;
        while (ncap < ps->tlen + n + 1)
            ncap *= 2;
        char *nt = realloc(ps->text, ncap);
        if (!nt)
            return nomem(ps);
        ps->text = nt;
        ps->tcap = ncap;
    }
    memcpy(ps->text + ps->tlen, s, n);
    ps->tlen += n;
    return true;
}

static void put_utf8(char *b, size_t *n, uint32_t cp) {
    if (cp < 0x80)
        b[(*n)++] = (char)cp;
    else if (cp < 0x800) {
        b[(*n)++] = (char)(0xC0 | cp >> 6);
        b[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        b[(*n)++] = (char)(0xE0 | cp >> 12);
        b[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        b[(*n)++] = (char)(0xF0 | cp >> 18);
        b[(*n)++] = (char)(0x80 | (cp >> 12 & 0x3F));
        b[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        b[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int hex4(const char *s, uint32_t *v) {
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return 0;
        *v = *v << 4 | (uint32_t)d;
    }
    return 1;
}

/* A string at ps->p (the opening quote), decoded into text; *off its
 * offset there (NUL-terminated). */
static bool string(parser *ps, size_t *off) {
    ps->p++;
    *off = ps->tlen;
    for (;;) {
        const char *run = ps->p;
        while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' && (unsigned char)*ps->p >= 0x20)
            ps->p++;
        if (ps->p > run && !text_put(ps, run, (size_t)(ps->p - run)))
            return false;
        if (ps->p >= ps->end)
            return fail(ps, "a string is not closed");
        char c = *ps->p;
        if (c == '"') {
            ps->p++;
            return text_put(ps, "", 1);
        }
        if (c != '\\')
            return fail(ps, "a control character inside a string");
        if (ps->end - ps->p < 2)
            return fail(ps, "a string is not closed");
        char e = ps->p[1], b[8];
        size_t n = 0;
        ps->p += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            b[n++] = e;
            break;
        case 'b':
            b[n++] = '\b';
            break;
        case 'f':
            b[n++] = '\f';
            break;
        case 'n':
            b[n++] = '\n';
            break;
        case 'r':
            b[n++] = '\r';
            break;
        case 't':
            b[n++] = '\t';
            break;
        case 'u': {
            uint32_t cp, lo;
            if (ps->end - ps->p < 4 || !hex4(ps->p, &cp))
                return fail(ps, "a \\u escape without four hex digits");
            ps->p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u' &&
                hex4(ps->p + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                ps->p += 6;
            } else if (cp >= 0xD800 && cp <= 0xDFFF)
                cp = 0xFFFD; /* a lone surrogate is no character */
            if (cp == 0)
                return fail(ps, "\\u0000 inside a string");
            put_utf8(b, &n, cp);
            break;
        }
        default:
            ps->p--;
            return fail(ps, "an unknown escape in a string");
        }
        if (!text_put(ps, b, n))
            return false;
    }
}

static fnd_member *add(parser *ps, size_t name_off, fnd_kind kind) {
    if (ps->n == ps->cap) {
        size_t ncap = ps->cap ? ps->cap * 2 : 64;
        fnd_member *nm = realloc(ps->mem, ncap * sizeof *nm);
        if (nm)
            ps->mem = nm;
        size_t *no = nm ? realloc(ps->noff, ncap * sizeof *no) : NULL;
        if (!no) {
            nomem(ps);
            return NULL;
        }
        ps->noff = no;
        ps->cap = ncap;
    }
    fnd_member *m = &ps->mem[ps->n];
    memset(m, 0, sizeof *m);
    m->kind = (uint8_t)kind;
    ps->noff[ps->n++] = name_off;
    return m;
}

/* A number: an integer (FND_INT, or FND_NUM when beyond int64 or "-0"), or
 * a number with decimals (FND_NUM with their count) or an exponent (prec
 * -1). */
static bool number(parser *ps, size_t name_off) {
    const char *s = ps->p;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    if (ps->p >= ps->end || !(*ps->p >= '0' && *ps->p <= '9'))
        return fail(ps, "not a JSON value");
    if (*ps->p == '0')
        ps->p++;
    else
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    int decimals = -1;
    bool exp = false;
    if (ps->p < ps->end && *ps->p == '.') {
        const char *d = ++ps->p;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
        if (ps->p == d)
            return fail(ps, "a number without digits after its point");
        decimals = (int)(ps->p - d);
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        const char *d = ps->p;
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
        if (ps->p == d)
            return fail(ps, "a number without digits in its exponent");
        exp = true;
    }
    char t[400];
    size_t len = (size_t)(ps->p - s);
    if (len >= sizeof t)
        return fail(ps, "a number of over 400 characters");
    memcpy(t, s, len);
    t[len] = 0;
    fnd_member *m = NULL;
    if (decimals < 0 && !exp && strcmp(t, "-0") != 0) {
        errno = 0;
        long long v = strtoll(t, NULL, 10);
        if (errno != ERANGE) {
            if (!(m = add(ps, name_off, FND_INT)))
                return false;
            m->v.i = v;
            return true;
        }
    }
    if (!(m = add(ps, name_off, FND_NUM)))
        return false;
    m->v.d = strtod(t, NULL);
    m->prec = (int8_t)(exp || decimals > 17 ? -1 : decimals < 0 ? 0 : decimals);
    if (!exp && decimals < 0 && (fabs(m->v.d) >= 1e17)) /* an integer beyond int64: as many digits as give it back */
        m->prec = -1;
    return true;
}

static bool literal(parser *ps, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
        return fail(ps, "not a JSON value");
    ps->p += n;
    return true;
}

static bool value(parser *ps, size_t name_off);

/* An array or an object at ps->p; its members follow it. */
static bool container(parser *ps, size_t name_off, bool object) {
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, "nested deeper than 32 levels");
    size_t at = ps->n;
    if (!add(ps, name_off, object ? FND_OBJ : FND_ARR))
        return false;
    ps->p++;
    ws(ps);
    char close = object ? '}' : ']';
    if (ps->p < ps->end && *ps->p == close)
        ps->p++;
    else
        for (;;) {
            size_t key = SIZE_MAX;
            ws(ps);
            if (object) {
                if (ps->p >= ps->end || *ps->p != '"')
                    return fail(ps, "an object member without a name in quotes");
                if (!string(ps, &key))
                    return false;
                ws(ps);
                if (ps->p >= ps->end || *ps->p != ':')
                    return fail(ps, "no ':' after a member's name");
                ps->p++;
            }
            if (!value(ps, key))
                return false;
            ws(ps);
            if (ps->p < ps->end && *ps->p == ',') {
                ps->p++;
                continue;
            }
            if (ps->p < ps->end && *ps->p == close) {
                ps->p++;
                break;
            }
            return fail(ps, object ? "no ',' or '}' after a member" : "no ',' or ']' after an element");
        }
    ps->mem[at].n = (uint32_t)(ps->n - at - 1);
    ps->depth--;
    return true;
}

static bool value(parser *ps, size_t name_off) {
    ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, "a value is missing");
    switch (*ps->p) {
    case '{':
        return container(ps, name_off, true);
    case '[':
        return container(ps, name_off, false);
    case '"': {
        size_t off;
        if (!string(ps, &off))
            return false;
        fnd_member *m = add(ps, name_off, FND_STR);
        if (m)
            m->v.i = (int64_t)off;
        return m != NULL;
    }
    case 't':
        if (!literal(ps, "true"))
            return false;
        fnd_member *t = add(ps, name_off, FND_BOOL);
        if (t)
            t->v.b = true;
        return t != NULL;
    case 'f':
        if (!literal(ps, "false"))
            return false;
        return add(ps, name_off, FND_BOOL) != NULL;
    case 'n':
        return literal(ps, "null") && add(ps, name_off, FND_NULL) != NULL;
    default:
        return number(ps, name_off);
    }
}

/* ---- the finding ------------------------------------------------------------------------ */

static const char *name_of(const parser *ps, size_t i) {
    return ps->noff[i] == SIZE_MAX ? NULL : ps->text + ps->noff[i];
}

static const char *str_of(const parser *ps, size_t i) {
    return ps->text + (size_t)ps->mem[i].v.i;
}

static bool get_u32(const fnd_member *m, uint32_t *out) {
    if (m->kind != FND_INT || m->v.i < 0 || m->v.i > (int64_t)UINT32_MAX)
        return false;
    *out = (uint32_t)m->v.i;
    return true;
}

/* The input of file in s's paths, added when new; UINT32_MAX when out of
 * memory. */
static uint32_t intern(fnd_set *s, const char *file) {
    for (size_t i = s->npaths; i-- > 0;)
        if (s->paths[i] && !strcmp(s->paths[i], file))
            return (uint32_t)i;
    char **np = realloc(s->paths, (s->npaths + 1) * sizeof *np);
    if (!np)
        return UINT32_MAX;
    s->paths = np;
    if (!(np[s->npaths] = strdup(file)))
        return UINT32_MAX;
    return (uint32_t)s->npaths++;
}

/* Takes the members every finding has out of the parsed object (ps->mem[0]
 * and what follows) into core, the others into keep (indexes); returns the
 * reason of a format error or NULL. */
static const char *take_core(parser *ps, fnd_set *s, fnd_finding *core, fnd_evidence **ev, size_t *nev, bool *keep) {
    static const char shape[] = "not a JSON object with event, mmsi, start and end";
    if (ps->mem[0].kind != FND_OBJ)
        return shape;
    bool have_event = false, have_mmsi = false, have_start = false, have_end = false, have_total = false;
    core->lat = core->lon = NAN;
    for (size_t i = 1; i < ps->n; i = (size_t)(fnd_next(&ps->mem[i]) - ps->mem)) {
        const fnd_member *m = &ps->mem[i];
        const char *name = name_of(ps, i);
        keep[i] = false;
        if (!strcmp(name, "event")) {
            if (m->kind != FND_STR || !*str_of(ps, i))
                return shape;
            core->event = str_of(ps, i);
            have_event = true;
        } else if (!strcmp(name, "mmsi")) {
            if (!get_u32(m, &core->mmsi))
                return "mmsi missing or not an integer in 0..4294967295";
            have_mmsi = true;
        } else if (!strcmp(name, "mmsi2")) {
            core->mmsi2 = 0;
            if (m->kind != FND_NULL && !get_u32(m, &core->mmsi2))
                return "mmsi2 not an integer in 0..4294967295";
        } else if (!strcmp(name, "start") || !strcmp(name, "end")) {
            bool start = name[0] == 's';
            const char *t = m->kind == FND_STR ? str_of(ps, i) : NULL;
            if (!t || !pel_parse_time(t, strlen(t), start ? &core->start_ms : &core->end_ms))
                return "start or end missing or not an ISO-8601 time";
            *(start ? &have_start : &have_end) = true;
        } else if (!strcmp(name, "lat") || !strcmp(name, "lon")) {
            double v = m->kind == FND_NUM ? m->v.d : m->kind == FND_INT ? (double)m->v.i : NAN;
            if (m->kind != FND_NULL && isnan(v))
                return "lat or lon not a number";
            *(name[1] == 'a' ? &core->lat : &core->lon) = v;
        } else if (!strcmp(name, "clocks")) {
            core->clocks = 0;
            for (size_t k = i + 1; m->kind == FND_ARR && k < i + 1 + m->n; k++) {
                int c = 1;
                while (c < PEL_CLOCK__COUNT &&
                       (ps->mem[k].kind != FND_STR || strcmp(str_of(ps, k), pel_clock_name((pel_clock)c))))
                    c++;
                if (c == PEL_CLOCK__COUNT)
                    return "clocks: not an array of clock names (docs/findings.md)";
                core->clocks |= 1u << c;
            }
            if (m->kind != FND_ARR)
                return "clocks: not an array of clock names (docs/findings.md)";
        } else if (!strcmp(name, "evidence")) {
            if (m->kind != FND_ARR)
                return "evidence: not an array of {\"file\", \"line\"}";
            free(*ev);
            *ev = malloc((m->n ? m->n : 1) * sizeof **ev);
            *nev = 0;
            if (!*ev)
                return "";
            for (const fnd_member *e = m + 1, *end = m + 1 + m->n; e < end; e = fnd_next(e)) {
                const char *file = NULL;
                int64_t line = -1;
                for (const fnd_member *q = e + 1, *qend = e->kind == FND_OBJ ? e + 1 + e->n : e + 1; q < qend;
                     q = fnd_next(q)) {
                    size_t qi = (size_t)(q - ps->mem);
                    if (!strcmp(name_of(ps, qi), "file") && q->kind == FND_STR)
                        file = str_of(ps, qi);
                    else if (!strcmp(name_of(ps, qi), "line") && q->kind == FND_INT && q->v.i >= 0)
                        line = q->v.i;
                }
                if (e->kind != FND_OBJ || !file || line < 0)
                    return "evidence: not an array of {\"file\", \"line\"}";
                uint32_t in = intern(s, file);
                if (in == UINT32_MAX)
                    return "";
                (*ev)[(*nev)++] = (fnd_evidence){in, (uint64_t)line};
            }
        } else if (!strcmp(name, "finding_id")) {
            if (m->kind != FND_STR)
                return "finding_id not a string";
            /* derived from the rest (fnd_id): written again as it was */
        } else if (!strcmp(name, "evidence_total")) {
            if (m->kind != FND_INT || m->v.i < 0)
                return "evidence_total not a count";
            core->nev_total = (uint64_t)m->v.i;
            have_total = true;
        } else
            keep[i] = true;
    }
    if (!have_event || !have_start || !have_end)
        return !have_event ? shape : "start or end missing or not an ISO-8601 time";
    if (!have_mmsi)
        return "mmsi missing or not an integer in 0..4294967295";
    if (core->end_ms < core->start_ms)
        return "end before start";
    if (!have_total)
        core->nev_total = *nev;
    return NULL;
}

pel_status fnd_read_line(fnd_set *s, const char *text, size_t len, char *why, size_t cap) {
    parser ps = {.start = text, .p = text, .end = text + len};
    pel_status st = PEL_OK;
    bool ok = value(&ps, SIZE_MAX);
    if (ok) {
        ws(&ps);
        if (ps.p < ps.end)
            ok = fail(&ps, "text after the JSON value");
    }
    if (!ok) {
        snprintf(why, cap, "%s%s (column %zu)", ps.nomem ? "" : "not JSON: ", ps.why, ps.at + 1);
        st = ps.nomem ? PEL_ERR_NOMEM : PEL_ERR_FORMAT;
    }
    fnd_finding core = {0};
    fnd_evidence *ev = NULL;
    size_t nev = 0;
    bool *keep = st == PEL_OK ? calloc(ps.n + 1, sizeof *keep) : NULL;
    if (st == PEL_OK && !keep)
        st = PEL_ERR_NOMEM;
    const char *bad = st == PEL_OK ? take_core(&ps, s, &core, &ev, &nev, keep) : NULL;
    if (bad) {
        snprintf(why, cap, "%s", *bad ? bad : "out of memory");
        st = *bad ? PEL_ERR_FORMAT : PEL_ERR_NOMEM;
    }
    fnd_member *mem = st == PEL_OK ? malloc((ps.n + 1) * sizeof *mem) : NULL;
    if (st == PEL_OK && !mem)
        st = PEL_ERR_NOMEM;
    if (st == PEL_OK) {
        size_t k = 0;
        for (size_t i = 1; i < ps.n; i = (size_t)(fnd_next(&ps.mem[i]) - ps.mem)) {
            if (!keep[i])
                continue;
            size_t span = (size_t)(fnd_next(&ps.mem[i]) - &ps.mem[i]);
            for (size_t j = i; j < i + span; j++) {
                mem[k] = ps.mem[j];
                mem[k].name = name_of(&ps, j);
                if (mem[k].kind == FND_STR)
                    mem[k].v.s = str_of(&ps, j);
                k++;
            }
        }
        core.mem = mem;
        core.nmem = k;
        core.ev = ev;
        core.nev = nev;
        st = fnd_set_add(s, &core);
        if (st != PEL_OK)
            snprintf(why, cap, "out of memory");
    } else if (st == PEL_ERR_NOMEM)
        snprintf(why, cap, "out of memory");
    free(mem);
    free(keep);
    free(ev);
    free(ps.mem);
    free(ps.noff);
    free(ps.text);
    return st;
}

static bool blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

static pel_status read_error(pel_error *err, pel_status st, const char *name, uint64_t line, const char *why) {
    return pel_fail(err, st, "%s:%llu: %s", name, (unsigned long long)line, why);
}

pel_status fnd_read(FILE *in, const char *name, fnd_set **out, uint64_t **lines, pel_error *err) {
    *out = NULL;
    if (lines)
        *lines = NULL;
    fnd_set *s = fnd_set_new();
    uint64_t *ln = NULL;
    size_t lcap = 0;
    if (!s)
        return read_error(err, PEL_ERR_NOMEM, name, 0, "out of memory");
    char *buf = NULL, why[160];
    size_t bcap = 0;
    uint64_t line = 0;
    pel_status st = PEL_OK;
    ssize_t n;
    while ((n = getline(&buf, &bcap, in)) >= 0) {
        line++;
        if (blank(buf, (size_t)n))
            continue;
        if (lines && s->n == lcap) {
            size_t nc = lcap ? 2 * lcap : 256;
            uint64_t *nl = realloc(ln, nc * sizeof *nl);
            if (!nl) {
                st = read_error(err, PEL_ERR_NOMEM, name, line, "out of memory");
                break;
            }
            ln = nl;
            lcap = nc;
        }
        st = fnd_read_line(s, buf, (size_t)n, why, sizeof why);
        if (st != PEL_OK) {
            read_error(err, st, name, line, why);
            break;
        }
        if (lines)
            ln[s->n - 1] = line;
    }
    if (st == PEL_OK && ferror(in))
        st = read_error(err, PEL_ERR_IO, name, line + 1, strerror(errno));
    free(buf);
    if (st != PEL_OK) {
        fnd_set_free(s);
        free(ln);
        return st;
    }
    *out = s;
    if (lines)
        *lines = ln;
    else
        free(ln);
    return PEL_OK;
}

pel_status fnd_read_file(const char *path, fnd_set **out, uint64_t **lines, pel_error *err) {
    bool std = !strcmp(path, "-");
    FILE *f = std ? stdin : fopen(path, "r");
    if (!f) {
        *out = NULL;
        if (lines)
            *lines = NULL;
        return pel_fail(err, PEL_ERR_IO, "%s: %s", path, strerror(errno));
    }
    pel_status st = fnd_read(f, path, out, lines, err);
    if (!std)
        fclose(f);
    return st;
}
