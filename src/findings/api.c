/*
 * api.c -- the public face of the findings layer (include/pelorus.h,
 * "findings as values"): pel_findings is an fnd_set, and these functions
 * read it and write it for programs that do not see src/.
 */
#include <stdio.h>
#include <string.h>

#include "findings/read.h"
#include "findings/write.h"
#include "util/fail.h"

size_t pel_findings_count(const pel_findings *fs) {
    return fs ? fnd_set_count(fs) : 0;
}

pel_status pel_findings_write(const pel_findings *fs, FILE *out, pel_findings_format fmt, pel_error *err) {
    pel_status st = fs && out ? fnd_write(out, fmt, fs) : PEL_ERR_ARG;
    if (st != PEL_OK)
        pel_fail(err, st, "%s",
                 st == PEL_ERR_ARG     ? "pel_findings_write: no findings or no output"
                 : st == PEL_ERR_NOMEM ? "out of memory"
                                       : "writing the findings failed");
    return st;
}

pel_status pel_findings_read(const char *path, pel_findings **out, pel_error *err) {
    return fnd_read_file(path, out, NULL, err);
}

bool pel_finding_get(const pel_findings *fs, size_t i, pel_finding_info *out) {
    if (!fs || i >= fs->n)
        return false;
    const fnd_finding *f = &fs->v[i];
    *out = (pel_finding_info){.event = f->event,
                              .mmsi = f->mmsi,
                              .mmsi2 = f->mmsi2,
                              .start_ms = f->start_ms,
                              .end_ms = f->end_ms,
                              .lat = f->lat,
                              .lon = f->lon,
                              .clocks = f->clocks,
                              .nevidence = f->nev,
                              .evidence_total = f->nev_total};
    return true;
}

bool pel_finding_evidence(const pel_findings *fs, size_t i, size_t k, const char **file, uint64_t *line) {
    if (!fs || i >= fs->n || k >= fs->v[i].nev)
        return false;
    *file = fnd_evidence_file(fs, &fs->v[i].ev[k]);
    *line = fs->v[i].ev[k].line;
    return true;
}

static pel_value value_of(const fnd_member *m) {
    pel_value v = {0};
    if (!m)
        return v;
    switch ((fnd_kind)m->kind) {
    case FND_NULL:
        v.kind = PEL_VAL_NULL;
        break;
    case FND_BOOL:
        v.kind = PEL_VAL_BOOL;
        v.b = m->v.b;
        break;
    case FND_INT:
        v.kind = PEL_VAL_INT;
        v.i = m->v.i;
        v.d = (double)m->v.i;
        break;
    case FND_NUM:
        v.kind = PEL_VAL_NUMBER;
        v.d = m->v.d;
        v.decimals = m->prec;
        break;
    case FND_STR:
        v.kind = PEL_VAL_STRING;
        v.s = m->v.s;
        break;
    case FND_ARR:
    case FND_OBJ: {
        v.kind = m->kind == FND_ARR ? PEL_VAL_ARRAY : PEL_VAL_OBJECT;
        for (const fnd_member *e = m + 1, *end = m + 1 + m->n; e < end; e = fnd_next(e))
            v.n++;
        break;
    }
    }
    return v;
}

pel_value pel_finding_member(const pel_findings *fs, size_t i, const char *name) {
    return value_of(fs && i < fs->n && name ? fnd_get(&fs->v[i], name) : NULL);
}

pel_value pel_finding_member_item(const pel_findings *fs, size_t i, const char *name, size_t k) {
    const fnd_member *m = fs && i < fs->n && name ? fnd_get(&fs->v[i], name) : NULL;
    if (!m || m->kind != FND_ARR)
        return value_of(NULL);
    for (const fnd_member *e = m + 1, *end = m + 1 + m->n; e < end; e = fnd_next(e))
        if (k-- == 0)
            return value_of(e);
    return value_of(NULL);
}

const char *pel_finding_member_name(const pel_findings *fs, size_t i, size_t k) {
    if (!fs || i >= fs->n)
        return NULL;
    const fnd_finding *f = &fs->v[i];
    for (const fnd_member *m = f->mem, *end = f->mem + f->nmem; m < end; m = fnd_next(m))
        if (k-- == 0)
            return m->name;
    return NULL;
}
