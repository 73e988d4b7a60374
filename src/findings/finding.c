/*
 * finding.c -- findings built, collected, ordered and read by member
 * (finding.h).
 *
 * A finding in a set is one allocation: its members, its evidence and
 * every string it holds (member names included), copied from the builder
 * or the reader that made it, strings made valid UTF-8 on the way.  The
 * set's array holds the fixed part (about 100 bytes), so sorting moves
 * little.  A spilling set (fnd_set_spill) keeps its findings in a file
 * instead: spill.c, behind the same functions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/finding.h"
#include "findings/spill.h"
#include "findings/write.h"
#include "util/escape.h"
#include "util/sha.h"
#include "util/xsort.h"

/* ---- the builder -------------------------------------------------------------------- */

/* The next member slot, counted into the arrays and objects open; NULL
 * (and the builder marked) when there is no room. */
static fnd_member *slot(fnd_builder *f, const char *name, fnd_kind kind) {
    if (f->nmem == FND_MAX_MEMBERS) {
        f->overflow = true;
        return NULL;
    }
    for (int d = 0; d < f->depth; d++)
        f->mem[f->open[d]].n++;
    fnd_member *m = &f->mem[f->nmem++];
    memset(m, 0, sizeof *m);
    m->name = name;
    m->kind = (uint8_t)kind;
    return m;
}

/* The value "%.*f" of v reads back as: what every reader of the text gets,
 * and what risk and the report have always worked on. */
static double as_written(double v, int prec) {
    char t[400];
    snprintf(t, sizeof t, "%.*f", prec, v);
    return strtod(t, NULL);
}

void fnd_num(fnd_builder *f, const char *name, double v, int prec) {
    if (isnan(v) || isinf(v)) {
        fnd_null(f, name);
        return;
    }
    if (prec < 0)
        prec = 0;
    if (prec > 17)
        prec = 17;
    fnd_member *m = slot(f, name, FND_NUM);
    if (m) {
        m->prec = (int8_t)prec;
        m->v.d = as_written(v, prec);
    }
}

void fnd_int(fnd_builder *f, const char *name, int64_t v) {
    fnd_member *m = slot(f, name, FND_INT);
    if (m)
        m->v.i = v;
}

void fnd_str(fnd_builder *f, const char *name, const char *s) {
    if (!s) {
        fnd_null(f, name);
        return;
    }
    fnd_member *m = slot(f, name, FND_STR);
    if (m)
        m->v.s = s;
}

void fnd_bool(fnd_builder *f, const char *name, int v) {
    if (v < 0) {
        fnd_null(f, name);
        return;
    }
    fnd_member *m = slot(f, name, FND_BOOL);
    if (m)
        m->v.b = v != 0;
}

void fnd_null(fnd_builder *f, const char *name) {
    slot(f, name, FND_NULL);
}

static void open_member(fnd_builder *f, const char *name, fnd_kind kind) {
    if (f->depth == (int)(sizeof f->open / sizeof f->open[0])) {
        f->overflow = true;
        return;
    }
    fnd_member *m = slot(f, name, kind);
    if (m)
        f->open[f->depth++] = (uint32_t)(m - f->mem);
}

void fnd_strs(fnd_builder *f, const char *name, const char *const *v, size_t n) {
    open_member(f, name, FND_ARR);
    for (size_t i = 0; i < n; i++)
        fnd_str(f, NULL, v[i]);
    fnd_end(f);
}

void fnd_obj(fnd_builder *f, const char *name) {
    open_member(f, name, FND_OBJ);
}

void fnd_arr(fnd_builder *f, const char *name) {
    open_member(f, name, FND_ARR);
}

void fnd_end(fnd_builder *f) {
    if (f->depth > 0)
        f->depth--;
}

/* ---- reading members ------------------------------------------------------------------ */

const fnd_member *fnd_get(const fnd_finding *f, const char *name) {
    const fnd_member *end = f->mem + f->nmem;
    for (const fnd_member *m = f->mem; m < end; m = fnd_next(m))
        if (m->name && !strcmp(m->name, name))
            return m;
    return NULL;
}

const char *fnd_get_str(const fnd_finding *f, const char *name) {
    const fnd_member *m = fnd_get(f, name);
    return m && m->kind == FND_STR ? m->v.s : NULL;
}

double fnd_get_num(const fnd_finding *f, const char *name, double def) {
    const fnd_member *m = fnd_get(f, name);
    if (m && m->kind == FND_NUM)
        return m->v.d;
    if (m && m->kind == FND_INT)
        return (double)m->v.i;
    return def;
}

int fnd_get_bool(const fnd_finding *f, const char *name) {
    const fnd_member *m = fnd_get(f, name);
    return m && m->kind == FND_BOOL ? m->v.b : -1;
}

bool fnd_has_str(const fnd_finding *f, const char *name, const char *value) {
    const fnd_member *m = fnd_get(f, name);
    if (!m)
        return false;
    if (m->kind == FND_STR)
        return !strcmp(m->v.s, value);
    if (m->kind != FND_ARR)
        return false;
    for (const fnd_member *e = m + 1, *end = m + 1 + m->n; e < end; e = fnd_next(e))
        if (e->kind == FND_STR && !strcmp(e->v.s, value))
            return true;
    return false;
}

const fnd_member *fnd_member_get(const fnd_member *obj, const char *name) {
    if (!obj || obj->kind != FND_OBJ)
        return NULL;
    for (const fnd_member *m = obj + 1, *end = obj + 1 + obj->n; m < end; m = fnd_next(m))
        if (m->name && !strcmp(m->name, name))
            return m;
    return NULL;
}

/* ---- the set ---------------------------------------------------------------------------- */

fnd_set *fnd_set_new(void) {
    return calloc(1, sizeof(fnd_set));
}

void fnd_set_free(fnd_set *s) {
    if (!s)
        return;
    spill_free(s->spill);
    for (size_t i = 0; s->v && i < s->n; i++)
        free(s->v[i].block);
    free(s->v);
    for (size_t i = 0; i < s->npaths; i++)
        free(s->paths[i]);
    free(s->paths);
    free(s);
}

void pel_findings_free(pel_findings *s) {
    fnd_set_free(s);
}

static double round6(double v) {
    return isnan(v) ? NAN : as_written(v, 6);
}

/* Makes dst a finding of its own from src (members, evidence and strings
 * borrowed): one block holding them all.  false when out of memory. */
static bool freeze(const fnd_finding *src, fnd_finding *dst) {
    size_t text = strlen(src->event ? src->event : "") + 1;
    for (size_t i = 0; i < src->nmem; i++) {
        const fnd_member *m = &src->mem[i];
        if (m->name)
            text += strlen(m->name) + 1;
        if (m->kind == FND_STR)
            text += esc_utf8_len(m->v.s) + 1;
    }
    size_t msz = src->nmem * sizeof(fnd_member), esz = src->nev * sizeof(fnd_evidence);
    char *block = malloc(msz + esz + text + 1);
    if (!block)
        return false;
    fnd_member *mem = (fnd_member *)block;
    fnd_evidence *evs = (fnd_evidence *)(block + msz);
    char *t = block + msz + esz;
    *dst = *src;
    dst->block = block;
    dst->event = strcpy(t, src->event ? src->event : "");
    t += strlen(t) + 1;
    for (size_t i = 0; i < src->nmem; i++) {
        mem[i] = src->mem[i];
        if (mem[i].name) {
            mem[i].name = strcpy(t, src->mem[i].name);
            t += strlen(t) + 1;
        }
        if (mem[i].kind == FND_STR) {
            mem[i].v.s = esc_utf8_copy(t, src->mem[i].v.s);
            t += strlen(t) + 1;
        }
    }
    if (esz)
        memcpy(evs, src->ev, esz);
    dst->mem = mem;
    dst->ev = evs;
    dst->lat = round6(src->lat);
    dst->lon = round6(src->lon);
    return true;
}

pel_status fnd_set_add(fnd_set *s, const fnd_finding *core) {
    if (s->spill) {
        fnd_finding f;
        if (!freeze(core, &f))
            return PEL_ERR_NOMEM;
        pel_status st = spill_add(s->spill, &f); /* takes f's block */
        s->n = spill_count(s->spill);
        return st;
    }
    if (s->n == s->cap) {
        size_t ncap = s->cap ? 2 * s->cap : 256;
        fnd_finding *nv = realloc(s->v, ncap * sizeof *nv);
        if (!nv)
            return PEL_ERR_NOMEM;
        s->v = nv;
        s->cap = ncap;
    }
    if (!freeze(core, &s->v[s->n]))
        return PEL_ERR_NOMEM;
    s->n++;
    return PEL_OK;
}

void fnd_view(const fnd_builder *b, fnd_finding *out) {
    *out = (fnd_finding){.event = b->event,
                         .mmsi = b->mmsi,
                         .mmsi2 = b->mmsi2,
                         .start_ms = b->start_ms,
                         .end_ms = b->end_ms,
                         .lat = b->lat,
                         .lon = b->lon,
                         .clocks = b->clocks,
                         .nev_total = b->nev_total,
                         .ev = b->ev,
                         .nev = b->nev,
                         .mem = b->mem,
                         .nmem = b->nmem};
}

void fnd_set_push(void *ud, const fnd_builder *f) {
    fnd_set *s = ud;
    if (s->failed != PEL_OK)
        return;
    if (f->overflow || f->depth) { /* a detector's member list outgrew FND_MAX_MEMBERS: a bug, not data */
        s->failed = PEL_ERR_ARG;
        return;
    }
    fnd_finding core;
    fnd_view(f, &core);
    pel_status st = fnd_set_add(s, &core);
    if (st != PEL_OK)
        s->failed = st;
}

pel_status fnd_set_spill(fnd_set *s, const char *const *hold) {
    if (s->n || s->spill)
        return PEL_ERR_ARG;
    pel_status st;
    fnd_spill *sp = spill_new(hold, &st);
    if (!sp)
        return st;
    free(s->v);
    s->v = NULL;
    s->cap = 0;
    s->spill = sp;
    return PEL_OK;
}

size_t fnd_set_count(const fnd_set *s) {
    return s->n;
}

fnd_key fnd_set_key(const fnd_set *s, size_t i) {
    if (s->spill)
        return spill_key(s->spill, i);
    const fnd_finding *f = &s->v[i];
    return (fnd_key){
        .event = f->event, .mmsi = f->mmsi, .mmsi2 = f->mmsi2, .start_ms = f->start_ms, .end_ms = f->end_ms};
}

const fnd_finding *fnd_set_get(const fnd_set *s, size_t i) {
    return s->spill ? spill_get(s->spill, i) : &s->v[i];
}

const char *fnd_set_error(const fnd_set *s) {
    return s->spill ? spill_error(s->spill) : "";
}

/* A new finding (a block of its own, in *dst) of f amended with b, as
 * fnd_set_append says.  false when out of memory. */
static bool amended(const fnd_finding *f, const fnd_builder *b, fnd_finding *dst) {
    size_t nmem = f->nmem + b->nmem, nev = f->nev + b->nev;
    if (nev > FND_MAX_EVIDENCE)
        nev = f->nev > FND_MAX_EVIDENCE ? f->nev : FND_MAX_EVIDENCE;
    fnd_member *mem = malloc((nmem ? nmem : 1) * sizeof *mem);
    fnd_evidence *ev = malloc((nev ? nev : 1) * sizeof *ev);
    if (!mem || !ev) {
        free(mem);
        free(ev);
        return false;
    }
    if (f->nmem)
        memcpy(mem, f->mem, f->nmem * sizeof *mem);
    if (b->nmem)
        memcpy(mem + f->nmem, b->mem, b->nmem * sizeof *mem);
    if (f->nev)
        memcpy(ev, f->ev, f->nev * sizeof *ev);
    if (nev > f->nev)
        memcpy(ev + f->nev, b->ev, (nev - f->nev) * sizeof *ev);
    fnd_finding src = *f;
    src.mem = mem;
    src.nmem = nmem;
    src.ev = ev;
    src.nev = nev;
    src.nev_total = f->nev_total + b->nev_total;
    src.clocks = f->clocks | b->clocks;
    bool ok = freeze(&src, dst);
    free(mem);
    free(ev);
    return ok;
}

pel_status fnd_set_append(fnd_set *s, size_t i, const fnd_builder *b) {
    if (b->overflow || b->depth)
        return PEL_ERR_ARG;
    const fnd_finding *f = fnd_set_get(s, i);
    if (!f)
        return spill_status(s->spill);
    fnd_finding dst;
    if (!amended(f, b, &dst))
        return PEL_ERR_NOMEM;
    if (s->spill)
        return spill_replace(s->spill, i, &dst); /* takes dst's block */
    free(s->v[i].block);
    s->v[i] = dst;
    return PEL_OK;
}

pel_status fnd_set_append_num(fnd_set *s, size_t i, const char *name, double v, int prec) {
    fnd_builder one = {0};
    fnd_num(&one, name, v, prec);
    return fnd_set_append(s, i, &one);
}

void fnd_set_keep(fnd_set *s, const bool *keep) {
    if (s->spill) {
        spill_keep(s->spill, keep);
        s->n = spill_count(s->spill);
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (keep[i])
            s->v[k++] = s->v[i];
        else
            free(s->v[i].block);
    }
    s->n = k;
}

/* Canonical order: start, event, vessel, end, then the members as text (as
 * a table shows them: the order of docs/findings.md never depended on
 * more). */
static int cmp_finding(const void *a, const void *b) {
    const fnd_finding *x = a, *y = b;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    int c = strcmp(x->event, y->event);
    if (c)
        return c;
    if (x->mmsi != y->mmsi)
        return x->mmsi < y->mmsi ? -1 : 1;
    if (x->mmsi2 != y->mmsi2)
        return x->mmsi2 < y->mmsi2 ? -1 : 1;
    if (x->end_ms != y->end_ms)
        return x->end_ms < y->end_ms ? -1 : 1;
    char *tx = fnd_members_text(x, false), *ty = fnd_members_text(y, false);
    c = tx && ty ? strcmp(tx, ty) : 0; /* out of memory: a tie, the order of two findings alike */
    free(tx);
    free(ty);
    return c;
}

void fnd_set_sort(fnd_set *s) {
    if (s->spill) {
        spill_sort(s->spill);
        if (spill_status(s->spill) != PEL_OK && s->failed == PEL_OK)
            s->failed = spill_status(s->spill);
        return;
    }
    xqsort(s->v, s->n, sizeof *s->v, cmp_finding);
}

void fnd_id(const fnd_set *s, size_t i, char out[FND_ID_LEN + 1]) {
    fnd_key f = fnd_set_key(s, i);
    /* findings alike in event, vessels and start stand together in the
     * canonical order: the second and after are told apart by their rank */
    unsigned rank = 0;
    for (size_t k = i; k-- > 0;) {
        fnd_key g = fnd_set_key(s, k);
        if (g.start_ms != f.start_ms || strcmp(g.event, f.event) || g.mmsi != f.mmsi || g.mmsi2 != f.mmsi2)
            break;
        rank++;
    }
    char key[160];
    int n = snprintf(key, sizeof key, "%s|%u|%u|%lld", f.event, f.mmsi, f.mmsi2, (long long)f.start_ms);
    if (rank && n > 0 && (size_t)n < sizeof key)
        n += snprintf(key + n, sizeof key - (size_t)n, "|%u", rank);
    sha_hex(key, n > 0 && (size_t)n < sizeof key ? (size_t)n : strlen(key), FND_ID_LEN / 2, out);
}

void fnd_set_paths(fnd_set *s, char **paths, size_t n) {
    for (size_t i = 0; i < s->npaths; i++)
        free(s->paths[i]);
    free(s->paths);
    s->paths = paths;
    s->npaths = n;
}

const char *fnd_evidence_file(const fnd_set *s, const fnd_evidence *e) {
    return e->input < s->npaths && s->paths[e->input] ? s->paths[e->input] : "?";
}
