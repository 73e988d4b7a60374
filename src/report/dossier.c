/*
 * dossier.c -- pel_report_dossier: the printable case dossier of
 * docs/report.md, "Dossier".  One self-contained page, dossier.html,
 * written as report.html is (a temporary file renamed into place).
 *
 * It is the evidence report narrowed to a case, not a second report: the
 * same run (rpt_begin: the scan, the ranking as o filters it, the shipped
 * data, the identities), the same tracks pass (without tracks.geojson) and
 * the same data JSON (rpt_data_json), to which it adds
 *   - "title": the dossier's title;
 *   - "dossier": per ranked vessel (in the ranking's order, as "vessels")
 *     its timeline's series: the speed over ground from its positions
 *     within the period (rpt_speed_series, thinned past RPT_SPEED_MAX
 *     points an MMSI) and the draught from its voyage reports overlapping
 *     the period ([first, last, metres], a row of the voyages table each);
 *   - "text" in every evidence entry of every finding: the input line as
 *     o->line_text gives it (made valid UTF-8), or null when it is not
 *     known (no line_text, a file gone or shorter).
 * The page (data/web/dossier.html: report.js draws the header and the map,
 * dossier.js the rest) draws the charts and the evidence from that.
 *
 * line_text is called once per distinct (file, line), in the order of file
 * name then line, so that a reader can stream each file once.
 *
 * Deterministic: the same store, options and line texts give the same
 * bytes (no clock, no random).
 *
 * Limits: the timelines hold the positions within the period only; a
 * voyage row is one span of a draught (first to last heard), so a draught
 * reported again after a different one shows as two overlapping spans.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "util/escape.h"
#include "util/fail.h"
#include "util/xsort.h"

/* ---- the speed series ------------------------------------------------- */

static json_t *speed_point(const pel_position *p) {
    return json_pack("[If]", (json_int_t)(p->t_ms / 1000), (double)p->speed / 10.0);
}

json_t *rpt_speed_series(const pel_position *p, size_t n) {
    json_t *a = json_array();
    if (!a)
        return NULL;
    size_t have = 0;
    for (size_t i = 0; i < n; i++)
        have += p[i].speed != PEL_NA_SPEED;
    /* thinned: runs of k points, each giving its lowest and highest, in
     * time order */
    size_t k = have <= RPT_SPEED_MAX ? 1 : (have + RPT_SPEED_MAX / 2 - 1) / (RPT_SPEED_MAX / 2);
    size_t lo = SIZE_MAX, hi = SIZE_MAX, in_run = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        if (p[i].speed == PEL_NA_SPEED)
            continue;
        if (k == 1) {
            ok = !json_array_append_new(a, speed_point(&p[i]));
            continue;
        }
        if (lo == SIZE_MAX || p[i].speed < p[lo].speed)
            lo = i;
        if (hi == SIZE_MAX || p[i].speed > p[hi].speed)
            hi = i;
        if (++in_run == k || i + 1 == n) {
            size_t x = lo < hi ? lo : hi, y = lo < hi ? hi : lo;
            ok = !json_array_append_new(a, speed_point(&p[x]));
            if (ok && y != x)
                ok = !json_array_append_new(a, speed_point(&p[y]));
            lo = hi = SIZE_MAX;
            in_run = 0;
        }
    }
    if (ok && lo != SIZE_MAX) { /* the last run, when the last positions had no speed */
        size_t x = lo < hi ? lo : hi, y = lo < hi ? hi : lo;
        ok = !json_array_append_new(a, speed_point(&p[x]));
        if (ok && y != x)
            ok = !json_array_append_new(a, speed_point(&p[y]));
    }
    if (!ok) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* ---- a vessel's timeline ------------------------------------------------ */

/* The draught spans of mmsi overlapping the period appended to a. */
static pel_status draught_of(rpt_report *r, uint32_t mmsi, json_t *a, pel_error *err) {
    st_iter *it = st_voyages_of(r->s, mmsi, err);
    if (!it)
        return err && err->code ? err->code : pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    st_voyage_row v;
    int step;
    bool nomem = false;
    while ((step = st_voyage_next(it, &v, err)) > 0) {
        if (v.draught_dm < 0 || v.last_ms < r->o->from_ms || v.first_ms > r->o->to_ms)
            continue;
        json_t *x = json_pack("[IIf]", (json_int_t)(v.first_ms / 1000), (json_int_t)(v.last_ms / 1000),
                              (double)v.draught_dm / 10.0);
        if (!x || json_array_append_new(a, x))
            nomem = true;
    }
    st_iter_free(it);
    if (step < 0)
        return err && err->code ? err->code : PEL_ERR_IO;
    return nomem ? pel_fail(err, PEL_ERR_NOMEM, "out of memory") : PEL_OK;
}

/* A point of a series and where it was: a ship's MMSIs' series sorted
 * together by time, equal times in their order. */
typedef struct at_point {
    json_t *p;
    size_t i;
} at_point;

static int cmp_point(const void *a, const void *b) {
    const at_point *x = a, *y = b;
    json_int_t tx = json_integer_value(json_array_get(x->p, 0)), ty = json_integer_value(json_array_get(y->p, 0));
    if (tx != ty)
        return tx < ty ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* The arrays of a sorted by their first element (time): a new array, NULL
 * when out of memory. */
static json_t *sorted(json_t *a) {
    size_t n = json_array_size(a);
    at_point *v = malloc((n ? n : 1) * sizeof *v);
    json_t *out = v ? json_array() : NULL;
    if (!out) {
        free(v);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = (at_point){json_array_get(a, i), i};
    xqsort(v, n, sizeof *v, cmp_point);
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i].p);
    free(v);
    return out;
}

/* The "dossier" member: the timelines' series of every ranked vessel. */
static pel_status series_json(rpt_report *r, json_t **out, pel_error *err) {
    json_t *va = json_array();
    pel_status st = va ? PEL_OK : pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == PEL_OK && i < r->run.rank.n; i++) {
        const rpt_vessel *rv = &r->run.rank.v[i];
        json_t *o = json_object(), *sp = json_array(), *dr = json_array();
        if (!o || !sp || !dr || json_array_append_new(va, o)) {
            json_decref(sp);
            json_decref(dr);
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            break;
        }
        json_object_set_new(o, "mmsi", json_integer(rv->mmsi));
        size_t nm = rv->nmmsis ? rv->nmmsis : 1;
        for (size_t k = 0; st == PEL_OK && k < nm; k++) {
            uint32_t m = rv->nmmsis ? rv->mmsis[k] : rv->mmsi;
            const rpt_vinfo *x = rpt_find_vessel(r, m);
            if (x && x->speed)
                json_array_extend(sp, x->speed);
            st = draught_of(r, m, dr, err);
        }
        if (st == PEL_OK && nm > 1) { /* several MMSIs: one series in time order */
            json_t *a = sorted(sp), *b = sorted(dr);
            if (!a || !b) {
                json_decref(a);
                json_decref(b);
                st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            } else {
                json_decref(sp);
                json_decref(dr);
                sp = a;
                dr = b;
            }
        }
        json_object_set_new(o, "speed", sp);
        json_object_set_new(o, "draught", dr);
    }
    json_t *d = st == PEL_OK ? json_object() : NULL;
    if (st == PEL_OK && !d)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st != PEL_OK) {
        json_decref(va);
        return st;
    }
    json_object_set_new(d, "vessels", va);
    json_object_set_new(d, "speed_max", json_integer(RPT_SPEED_MAX));
    *out = d;
    return PEL_OK;
}

/* ---- the evidence lines' text ------------------------------------------- */

typedef struct ev_ref {
    const char *file;
    uint64_t line;
    json_t *entry; /* the evidence entry {"file", "line"}: gets "text" */
} ev_ref;

static int cmp_ref(const void *a, const void *b) {
    const ev_ref *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Sets "text" in every evidence entry of the findings (an array of the
 * data's findings); counts the lines and those with a text. */
static pel_status evidence_text(const pel_report_opts *o, json_t *findings, uint64_t *nlines, uint64_t *ntext,
                                pel_error *err) {
    size_t n = 0, cap = 0;
    ev_ref *v = NULL;
    pel_status st = PEL_OK;
    for (size_t i = 0; st == PEL_OK && i < json_array_size(findings); i++) {
        json_t *ev = json_object_get(json_array_get(findings, i), "evidence");
        for (size_t k = 0; k < json_array_size(ev); k++) {
            json_t *e = json_array_get(ev, k);
            const char *file = json_string_value(json_object_get(e, "file"));
            json_t *line = json_object_get(e, "line");
            if (!file || !json_is_integer(line) || json_integer_value(line) < 0) {
                json_object_set_new(e, "text", json_null());
                continue;
            }
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 256;
                ev_ref *nv = realloc(v, nc * sizeof *nv);
                if (!nv) {
                    st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
                    break;
                }
                v = nv;
                cap = nc;
            }
            v[n++] = (ev_ref){file, (uint64_t)json_integer_value(line), e};
        }
    }
    if (st == PEL_OK && n)
        xqsort(v, n, sizeof *v, cmp_ref);
    /* one call per distinct line, in file and line order */
    json_t *text = NULL;
    *nlines = n;
    *ntext = 0;
    for (size_t i = 0; st == PEL_OK && i < n; i++) {
        if (i == 0 || cmp_ref(&v[i - 1], &v[i])) {
            json_decref(text);
            text = NULL;
            size_t len = 0;
            const char *t = o->line_text ? o->line_text(o->line_ud, v[i].file, v[i].line, &len) : NULL;
            if (t) {
                char *u = esc_utf8_dup(t, len);
                text = u ? json_string(u) : NULL;
                free(u);
                if (!text)
                    st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            }
        }
        if (st == PEL_OK) {
            json_object_set(v[i].entry, "text", text ? text : json_null());
            *ntext += text != NULL;
        }
    }
    json_decref(text);
    free(v);
    return st;
}

/* ---- the dossier ------------------------------------------------------------ */

pel_status pel_report_dossier(pel_store *s, const pel_report_opts *o, const char *title, const char *path,
                              pel_report_stats *stp, pel_error *err) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pel_report_opts copy;
    o = rpt_opts(o, &copy);
    if (!s || !path || !path[0])
        return pel_fail(err, PEL_ERR_ARG, "pel_report_dossier: no store or no output file");
    rpt_report r;
    json_t *root = NULL, *d = NULL;
    outfile f;
    memset(&f, 0, sizeof f);
    pel_status st = rpt_begin(&r, s, o, err);
    r.series = true;
    /* opened before anything is read, so that a name that cannot be
     * written stops it early */
    if (st == PEL_OK)
        st = outfile_open(&f, path, err);
    if (st == PEL_OK)
        st = rpt_tracks_pass(&r, NULL, err);
    if (st == PEL_OK)
        st = rpt_data_json(&r, r.ports, r.mid, r.zones, r.licences, &root, err);
    if (st == PEL_OK)
        st = series_json(&r, &d, err);
    uint64_t nlines = 0, ntext = 0;
    if (st == PEL_OK)
        st = evidence_text(o, json_object_get(root, "findings"), &nlines, &ntext, err);
    if (st == PEL_OK) {
        json_t *t = rpt_jstr(title && title[0] ? title : "Pelorus case dossier");
        json_object_set(root, "title", t);
        json_object_set_new(d, "title", t);
        json_object_set_new(d, "evidence_lines", json_integer((json_int_t)nlines));
        json_object_set_new(d, "evidence_texts", json_integer((json_int_t)ntext));
        json_object_set_new(root, "dossier", d);
        d = NULL;
        st = rpt_page_write(r.run.data_dir, "dossier.html", root, f.f, err);
    }
    st = rpt_out_close(&f, st, err);
    rpt_stats(&r, &t0, stp);
    json_decref(d);
    json_decref(root);
    rpt_end(&r);
    return st;
}
