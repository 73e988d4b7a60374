/*
 * report_export.c -- what the report exports besides the page
 * (report_internal.h): tracks.geojson, written in one pass over the tracks
 * of the ranked vessels that also gives the page each vessel's period,
 * extent and drawing; and findings.geojson, findings.kml and findings.csv,
 * written by the findings' own writers (findings/write.h) in their
 * document form, to which the report adds only the vessels' names and the
 * geometries.
 *
 * A finding is drawn where its members place it (fnd_geometry_of), except
 * a closed gap: a line from where the vessel went dark to the first usable
 * position at or after the gap's end, taken from the track.
 *
 * Memory: one vessel's track at a time (pel_tracks), plus its drawing.
 *
 * Limits: a closed gap whose vessel has no usable position after its end
 * keeps its point.  tracks.geojson holds the positions within the period
 * (--from/--to), not the whole track.
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "util/fail.h"

/* ---- the findings' document ------------------------------------------ */

static const char *doc_name(void *ud, uint32_t mmsi) {
    rpt_vinfo *v = mmsi ? rpt_find_vessel(ud, mmsi) : NULL;
    return v ? v->id.name : NULL;
}

static fnd_geometry doc_geometry(void *ud, size_t i) {
    return ((rpt_report *)ud)->geom[i];
}

pel_status rpt_doc_init(rpt_report *r, pel_error *err) {
    r->doc = (fnd_doc){doc_name, doc_geometry, r};
    r->geom = malloc((r->run.findings->n + 1) * sizeof *r->geom);
    if (!r->geom)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < r->run.findings->n; i++)
        r->geom[i] = fnd_geometry_of(&r->run.findings->v[i]);
    return PEL_OK;
}

pel_status rpt_write_findings(rpt_report *r, FILE *geojson, FILE *kml, FILE *csv, pel_error *err) {
    if (fnd_write_geojson(geojson, r->run.findings, &r->doc) != PEL_OK ||
        fnd_write_kml(kml, r->run.findings, &r->doc) != PEL_OK ||
        fnd_write_csv(csv, r->run.findings, &r->doc) != PEL_OK)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    return PEL_OK;
}

/* ---- the tracks pass -------------------------------------------------- */

static int on_track(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    rpt_report *r = ud;
    rpt_vinfo *v = rpt_find_vessel(r, mmsi);
    if (!v)
        return 0;
    /* the positions within the period (p is in time order) */
    size_t a = 0, b = n;
    while (a < n && p[a].t_ms < r->o->from_ms)
        a++;
    while (b > a && p[b - 1].t_ms > r->o->to_ms)
        b--;
    v->positions = b - a;
    if (b > a) {
        v->first = p[a].t_ms;
        v->last = p[b - 1].t_ms;
        for (size_t i = a; i < b; i++) {
            if (!rpt_drawable(&p[i]))
                continue;
            double lon = (double)p[i].lon / PEL_DEG, lat = (double)p[i].lat / PEL_DEG;
            if (!v->has_box) {
                v->box[0] = v->box[2] = lon;
                v->box[1] = v->box[3] = lat;
                v->has_box = true;
            }
            v->box[0] = fmin(v->box[0], lon);
            v->box[1] = fmin(v->box[1], lat);
            v->box[2] = fmax(v->box[2], lon);
            v->box[3] = fmax(v->box[3], lat);
        }
        if (r->tracks && pel_export_vessel(r->tracks, mmsi, name, p + a, b - a) != PEL_OK)
            return 1;
        r->track_points += b - a;
    }
    json_decref(v->track);
    v->track = rpt_draw_track(&r->draw, mmsi, p + a, b - a);
    if (r->series) {
        json_decref(v->speed);
        v->speed = rpt_speed_series(p + a, b - a);
        if (!v->speed)
            r->draw.nomem = true;
    }
    /* the far end of each closed gap: the first usable position at or after its end */
    const rpt_vessel *rv = &r->run.rank.v[v->rank];
    for (size_t k = 0; k < rv->nfindings; k++) {
        const fnd_finding *f = &r->run.findings->v[rv->findings[k]];
        if (strcmp(f->event, "gap") || fnd_get_bool(f, "open") == 1 || f->mmsi != mmsi)
            continue;
        if (isnan(f->lat) || isnan(f->lon))
            continue;
        for (size_t i = 0; i < n; i++)
            if (p[i].t_ms >= f->end_ms && rpt_drawable(&p[i])) {
                r->geom[rv->findings[k]] = (fnd_geometry){
                    FND_GEOM_LINE, {f->lon, (double)p[i].lon / PEL_DEG}, {f->lat, (double)p[i].lat / PEL_DEG}};
                break;
            }
    }
    return r->draw.nomem;
}

pel_status rpt_tracks_pass(rpt_report *r, FILE *out, pel_error *err) {
    pel_status st = PEL_OK;
    r->tracks = out ? pel_export_new(out, PEL_EXPORT_GEOJSON, err) : NULL;
    if (out && !r->tracks)
        return PEL_ERR_NOMEM;
    if (r->nv) {
        uint32_t *ms = malloc(r->nv * sizeof *ms);
        if (!ms)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        else {
            for (size_t i = 0; i < r->nv; i++)
                ms[i] = r->v[i].mmsi;
            pel_track_filter f = {.mmsi = ms, .nmmsi = r->nv};
            st = pel_tracks(r->s, &f, on_track, r, err);
            if (st == PEL_STOPPED || r->draw.nomem)
                st = r->draw.nomem ? pel_fail(err, PEL_ERR_NOMEM, "out of memory")
                                   : pel_fail(err, PEL_ERR_IO, "writing tracks.geojson failed");
            free(ms);
        }
    }
    pel_status xs = r->tracks ? pel_export_finish(r->tracks, st == PEL_OK ? err : NULL) : PEL_OK;
    r->tracks = NULL;
    return st == PEL_OK ? xs : st;
}
