/*
 * report.c -- pel_report: the evidence report of docs/report.md.
 *
 * Into the output directory go
 *   findings.geojson  the findings of the ranking (as filtered), a Feature each
 *   tracks.geojson    the full-resolution tracks of the ranked vessels within
 *                     the period, through export.c's writer
 *   findings.kml      a Placemark per finding (Google Earth)
 *   findings.csv      a row per finding
 *   report.html       data/web/report.html with its includes and the data
 *                     JSON put in place: one self-contained file
 *
 * This file runs the report: the scan and ranking (rpt_run_scan), the
 * shipped data (ports, MID table, zones, licences), the ranked vessels'
 * identities, then the passes of report_internal.h in order -- tracks
 * (report_export.c), data (report_data.c), the findings' files
 * (report_export.c), the page (report_page.c) -- and puts the five files in
 * place together.  The findings come from the scan as structured values and
 * go into every file through the writers of findings/write.h; the KML and
 * CSV show hidden characters as marks, the GeoJSON keeps them as escapes
 * (docs/report.md, "Display").  Everything is deterministic: the same
 * database and options give the same bytes (no clock, no random, no
 * locale: jansson formats reals with '.').
 *
 * The five files are opened (as temporary files, util/outfile.h) before any
 * is written, so that a name that cannot be written (a symbolic link, a
 * directory) stops the report before it replaces anything; they are put in
 * place only when every one is complete, report.html last; after a failure
 * none is.
 *
 * Memory: the findings and one vessel's track at a time, plus the
 * simplified tracks (report.max_points_per_vessel points a vessel at most)
 * and the page (held whole to hash its scripts).
 *
 * Limits: see each pass's file; the report is all or nothing (no partial
 * report after a failure), and a vessel is in it only when it has a
 * finding in the period.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report_internal.h"
#include "util/fail.h"
#include "util/xsort.h"

/* The files of a report, in the order they are put in place. */
enum { F_TRACKS, F_GEOJSON, F_KML, F_CSV, F_HTML, F__COUNT };
static const char *const file_names[F__COUNT] = {"tracks.geojson", "findings.geojson", "findings.kml", "findings.csv",
                                                 "report.html"};

static int cmp_vinfo(const void *a, const void *b) {
    const rpt_vinfo *x = a, *y = b;
    return x->mmsi < y->mmsi ? -1 : x->mmsi > y->mmsi;
}

rpt_vinfo *rpt_find_vessel(rpt_report *r, uint32_t mmsi) {
    rpt_vinfo key = {.mmsi = mmsi};
    return r->nv ? xbsearch(&key, r->v, r->nv, sizeof *r->v, cmp_vinfo) : NULL;
}

const pel_report_opts *rpt_opts(const pel_report_opts *o, pel_report_opts *copy) {
    static const pel_report_opts dflt = {.from_ms = INT64_MIN, .to_ms = INT64_MAX};
    if (!o)
        return &dflt;
    if (o->from_ms == 0 && o->to_ms == 0) { /* a zeroed struct: no time limits */
        *copy = *o;
        copy->from_ms = INT64_MIN;
        copy->to_ms = INT64_MAX;
        return copy;
    }
    return o;
}

pel_status rpt_begin(rpt_report *r, pel_store *s, const pel_report_opts *o, pel_error *err) {
    memset(r, 0, sizeof *r);
    r->s = s;
    r->o = o;
    pel_status st = rpt_run_scan(s, o, &r->run, err);
    if (st != PEL_OK)
        return st;
    r->draw.set = r->run.draw;
    char *pp = rpt_join(r->run.data_dir, "ports.csv"), *mp = rpt_join(r->run.data_dir, "mid.csv"),
         *zp = o->zones_path ? strdup(o->zones_path) : rpt_join(r->run.data_dir, "zones.geojson"),
         *lp = rpt_join(r->run.data_dir, "web/licences.json");
    if (!pp || !mp || !zp || !lp)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK)
        st = geo_ports_load(pp, &r->ports, err);
    if (st == PEL_OK)
        st = geo_mid_load(mp, &r->mid, err);
    if (st == PEL_OK) {
        json_error_t je;
        r->zones = json_load_file(zp, 0, &je);
        if (!r->zones)
            st = pel_fail(err, PEL_ERR_FORMAT, "%s:%d: %s", zp, je.line, je.text);
        FILE *lf = st == PEL_OK ? fopen(lp, "r") : NULL;
        if (lf) {
            fclose(lf);
            r->licences = json_load_file(lp, 0, &je);
            if (!json_is_array(r->licences))
                st = pel_fail(err, PEL_ERR_FORMAT, "%s: %s", lp, r->licences ? "not an array" : je.text);
        } else if (st == PEL_OK)
            r->licences = json_array();
    }
    /* the vessels, by MMSI, with their identities */
    if (st == PEL_OK) {
        /* one entry per MMSI: a ship under several MMSIs (one ranked
         * vessel) has one for each, all pointing to its rank */
        r->nv = 0;
        for (size_t i = 0; i < r->run.rank.n; i++)
            r->nv += r->run.rank.v[i].nmmsis ? r->run.rank.v[i].nmmsis : 1;
        r->v = calloc(r->nv ? r->nv : 1, sizeof *r->v);
        if (!r->v) {
            r->nv = 0;
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0, j = 0; st == PEL_OK && i < r->run.rank.n; i++) {
            const rpt_vessel *rv = &r->run.rank.v[i];
            for (size_t k = 0; st == PEL_OK && k < (rv->nmmsis ? rv->nmmsis : 1); k++, j++) {
                r->v[j].mmsi = rv->nmmsis ? rv->mmsis[k] : rv->mmsi;
                r->v[j].rank = i;
                st = st_latest_identity(s, r->v[j].mmsi, &r->v[j].id, err);
            }
        }
        if (r->nv)
            xqsort(r->v, r->nv, sizeof *r->v, cmp_vinfo);
    }
    /* where each finding is drawn: a closed gap's line comes with its track */
    if (st == PEL_OK)
        st = rpt_doc_init(r, err);
    free(pp);
    free(mp);
    free(zp);
    free(lp);
    return st;
}

void rpt_stats(const rpt_report *r, const struct timespec *t0, pel_report_stats *stp) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!stp)
        return;
    memset(stp, 0, sizeof *stp);
    stp->vessels = r->run.rank.n;
    stp->findings = r->run.findings ? r->run.findings->n : 0;
    stp->track_points = r->track_points;
    stp->drawn_points = r->draw.points;
    stp->seconds = (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

void rpt_end(rpt_report *r) {
    for (size_t i = 0; i < r->nv; i++) {
        st_latest_clear(&r->v[i].id);
        json_decref(r->v[i].track);
        json_decref(r->v[i].speed);
    }
    free(r->v);
    rpt_drawer_free(&r->draw);
    free(r->geom);
    json_decref(r->zones);
    json_decref(r->licences);
    geo_ports_free(r->ports);
    geo_mid_free(r->mid);
    rpt_run_free(&r->run);
    memset(r, 0, sizeof *r);
}

pel_status pel_report(pel_store *s, const pel_report_opts *o, const char *out_dir, pel_report_stats *stp,
                      pel_error *err) {
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pel_report_opts copy;
    o = rpt_opts(o, &copy);
    if (!s || !out_dir || !out_dir[0])
        return pel_fail(err, PEL_ERR_ARG, "pel_report: no store or no output directory");
    rpt_report r;
    json_t *root = NULL;
    pel_status st = rpt_begin(&r, s, o, err);
    if (st == PEL_OK)
        st = rpt_make_dir(out_dir, err);
    outfile files[F__COUNT];
    memset(files, 0, sizeof files);
    for (int k = 0; k < F__COUNT && st == PEL_OK; k++)
        st = rpt_out_open(&files[k], out_dir, file_names[k], err);
    /* tracks: tracks.geojson, the drawings, the gaps' far ends */
    if (st == PEL_OK)
        st = rpt_tracks_pass(&r, files[F_TRACKS].f, err);
    if (st == PEL_OK)
        st = rpt_data_json(&r, r.ports, r.mid, r.zones, r.licences, &root, err);
    if (st == PEL_OK)
        st = rpt_write_findings(&r, files[F_GEOJSON].f, files[F_KML].f, files[F_CSV].f, err);
    if (st == PEL_OK)
        st = rpt_page_write(r.run.data_dir, "report.html", root, files[F_HTML].f, err);
    /* into place, report.html last; after a failure none is */
    for (int k = 0; k < F__COUNT; k++)
        st = rpt_out_close(&files[k], st, err);
    rpt_stats(&r, &t0, stp);
    json_decref(root);
    rpt_end(&r);
    return st;
}
