/*
 * report_data.c -- the data of report.html (report_internal.h): one JSON
 * object that report.js draws the whole page from (docs/report.md, "The
 * data"): title, version, database, period, weights, the ranked vessels
 * (identity, country, score, level, reasons, identity history, positions,
 * findings, extent), the findings (fnd_doc_json, with the report's names
 * and geometries), the drawn tracks, the zones, the ports the page shows
 * (every port of concern, and every port a finding names), statistics and
 * the vendored files' licences.
 *
 * Numbers: coordinates of ports with 6 decimals, extents with 5, reals
 * written by jansson (report_page.c dumps them with 10 significant
 * digits, '.' whatever the locale).  Every text is made valid UTF-8
 * (rpt_jstr); report_page.c escapes it for the page.  The order of every
 * array is the ranking's or the set's, so the same database and options
 * give the same data.
 *
 * Limits: a vessel without a usable position in the period takes its
 * extent from its findings' geometries, and has none (null) without them.
 * A port named by a finding is found by its name, the nearest of that name
 * to the finding when several share it.
 */
#include <stdlib.h>
#include <string.h>

#include "decode/ais_internal.h"
#include "geo/cell.h"
#include "report/report_internal.h"
#include "util/fail.h"
#include "util/xsort.h"

static json_t *jtime(int64_t ms) {
    char t[40];
    pel_format_time(ms, t);
    return json_string(t);
}

/* ---- vessels ---------------------------------------------------------- */

static json_t *vessel_json(rpt_report *r, const rpt_vinfo *v, const geo_mid *mid, pel_error *err, pel_status *st) {
    const rpt_vessel *rv = &r->run.rank.v[v->rank];
    json_t *o = json_object();
    char buf[96];
    json_object_set_new(o, "mmsi", json_integer(v->mmsi));
    /* a ship under several MMSIs: every one in time order, the identity
     * its last one broadcast, the positions and box of all */
    json_t *ms = json_array();
    const rpt_vinfo *all[64];
    size_t nall = 0;
    for (size_t k = 0; k < rv->nmmsis; k++) {
        json_array_append_new(ms, json_integer(rv->mmsis[k]));
        const rpt_vinfo *x = rpt_find_vessel(r, rv->mmsis[k]);
        if (x && nall < sizeof all / sizeof all[0])
            all[nall++] = x;
    }
    if (!nall)
        all[nall++] = v;
    json_object_set_new(o, "mmsis", ms);
    rpt_vinfo merged = *all[nall - 1]; /* its latest identity and flag: the last MMSI's */
    merged.positions = 0;
    merged.has_box = false;
    for (size_t k = 0; k < nall; k++) {
        const rpt_vinfo *x = all[k];
        if (x->positions) {
            merged.first = merged.positions && merged.first < x->first ? merged.first : x->first;
            merged.last = merged.positions && merged.last > x->last ? merged.last : x->last;
            merged.positions += x->positions;
        }
        if (x->has_box) {
            if (!merged.has_box)
                memcpy(merged.box, x->box, sizeof merged.box);
            merged.box[0] = fmin(merged.box[0], x->box[0]);
            merged.box[1] = fmin(merged.box[1], x->box[1]);
            merged.box[2] = fmax(merged.box[2], x->box[2]);
            merged.box[3] = fmax(merged.box[3], x->box[3]);
            merged.has_box = true;
        }
    }
    v = &merged;
    json_object_set_new(o, "name", rpt_jstr(v->id.name));
    json_object_set_new(o, "imo", v->id.imo ? json_integer(v->id.imo) : json_null());
    json_object_set_new(o, "callsign", rpt_jstr(v->id.callsign));
    json_object_set_new(o, "shiptype", v->id.shiptype >= 0 ? json_integer(v->id.shiptype) : json_null());
    json_object_set_new(o, "shiptype_text",
                        v->id.shiptype >= 0 ? rpt_jstr(ais_shiptype_text((unsigned)v->id.shiptype, buf, sizeof buf))
                                            : json_null());
    json_object_set_new(o, "destination", rpt_jstr(v->id.destination));
    char iso[3];
    const char *country = NULL;
    if (mid && geo_mid_country(mid, v->mmsi, iso))
        country = geo_mid_name(mid, v->mmsi / 1000000) ? geo_mid_name(mid, v->mmsi / 1000000) : iso;
    json_object_set_new(o, "country", rpt_jstr(country));
    json_object_set_new(o, "score", json_real(rv->score));
    json_object_set_new(o, "level", json_string(rv->level));
    json_t *rs = json_array();
    for (size_t k = 0; k < rv->nreasons; k++) {
        json_t *x = json_object();
        json_object_set_new(x, "text", rpt_jstr(rv->reasons[k].text));
        json_object_set_new(x, "points", json_real(rv->reasons[k].points));
        json_object_set_new(x, "finding",
                            rv->reasons[k].finding >= 0 ? json_integer(rv->reasons[k].finding) : json_null());
        json_array_append_new(rs, x);
    }
    json_object_set_new(o, "reasons", rs);
    st_identity *ids = NULL;
    size_t nids = 0;
    json_t *ja = json_array();
    for (size_t m = 0; m < nall && *st == PEL_OK; m++) {
        *st = st_identities(r->s, all[m]->mmsi, &ids, &nids, err);
        for (size_t k = 0; k < nids; k++) {
            json_t *x = json_object();
            if (nall > 1) /* which MMSI broadcast it */
                json_object_set_new(x, "mmsi", json_integer(all[m]->mmsi));
            json_object_set_new(x, "name", rpt_jstr(ids[k].name));
            json_object_set_new(x, "imo", ids[k].imo ? json_integer(ids[k].imo) : json_null());
            json_object_set_new(x, "callsign", rpt_jstr(ids[k].callsign));
            json_object_set_new(x, "shiptype", ids[k].shiptype >= 0 ? json_integer(ids[k].shiptype) : json_null());
            json_object_set_new(x, "first", jtime(ids[k].first_ms));
            json_object_set_new(x, "last", jtime(ids[k].last_ms));
            json_array_append_new(ja, x);
        }
        st_identities_free(ids, nids);
        ids = NULL;
        nids = 0;
    }
    json_object_set_new(o, "identities", ja);
    json_object_set_new(o, "positions", json_integer((json_int_t)v->positions));
    json_object_set_new(o, "first", v->positions ? jtime(v->first) : json_null());
    json_object_set_new(o, "last", v->positions ? jtime(v->last) : json_null());
    json_t *fi = json_array();
    for (size_t k = 0; k < rv->nfindings; k++)
        json_array_append_new(fi, json_integer((json_int_t)rv->findings[k]));
    json_object_set_new(o, "findings", fi);
    /* the box: the track, else the findings' geometries */
    bool has = v->has_box;
    double box[4] = {v->box[0], v->box[1], v->box[2], v->box[3]};
    for (size_t k = 0; !v->has_box && k < rv->nfindings; k++) {
        const fnd_geometry *g = &r->geom[rv->findings[k]];
        size_t np = g->type == FND_GEOM_POINT ? 1 : g->type == FND_GEOM_LINE ? 2 : 0;
        for (size_t j = 0; j < np; j++) {
            double lon = rpt_round_to(g->lon[j], 1e6),
                   lat = rpt_round_to(g->lat[j], 1e6); /* as the geometry is written */
            if (!has) {
                box[0] = box[2] = lon;
                box[1] = box[3] = lat;
                has = true;
            }
            box[0] = fmin(box[0], lon);
            box[1] = fmin(box[1], lat);
            box[2] = fmax(box[2], lon);
            box[3] = fmax(box[3], lat);
        }
    }
    if (has) {
        json_t *b = json_array();
        for (int k = 0; k < 4; k++)
            json_array_append_new(b, json_real(rpt_round_to(box[k], 1e5)));
        json_object_set_new(o, "bbox", b);
    } else
        json_object_set_new(o, "bbox", json_null());
    return o;
}

/* ---- ports -------------------------------------------------------------- */

/* Port indexes sorted by name, to find a port a finding names. */
static const geo_ports *sort_ports;
static int cmp_port_name(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    int c = strcmp(geo_port_name(sort_ports, x), geo_port_name(sort_ports, y));
    return c ? c : (x > y) - (x < y);
}

/* The index of the port named name nearest to (lat, lon), -1 if none;
 * byname holds every port index sorted by name. */
static int port_by_name(const geo_ports *ports, const int *byname, int np, const char *name, double lat, double lon) {
    if (!name)
        return -1;
    int lo = 0, hi = np;
    while (lo < hi) { /* the first with a name >= name */
        int mid = (lo + hi) / 2;
        if (strcmp(geo_port_name(ports, byname[mid]), name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int best = -1;
    double bd = INFINITY;
    for (int k = lo; k < np && !strcmp(geo_port_name(ports, byname[k]), name); k++) {
        const geo_port *p = geo_port_get(ports, byname[k]);
        double d = isnan(lat) || isnan(lon) ? 0 : geo_distance_m(lat, lon, p->lat, p->lon);
        if (best < 0 || d < bd) {
            best = byname[k];
            bd = d;
        }
    }
    return best;
}

/* The ports the page shows; *nomem set when an allocation failed (the
 * array is then empty). */
static json_t *ports_json(rpt_report *r, const geo_ports *ports, bool *nomem) {
    int np = geo_ports_count(ports);
    bool *use = calloc(np ? (size_t)np : 1, sizeof *use);
    int *byname = malloc((np ? (size_t)np : 1) * sizeof *byname);
    json_t *a = json_array();
    if (!use || !byname) {
        free(use);
        free(byname);
        *nomem = true;
        return a;
    }
    for (int i = 0; i < np; i++) {
        use[i] = geo_port_concern(ports, i);
        byname[i] = i;
    }
    sort_ports = ports;
    if (np)
        xqsort(byname, (size_t)np, sizeof *byname, cmp_port_name);
    for (size_t k = 0; k < r->run.findings->n; k++) {
        const fnd_finding *f = &r->run.findings->v[k];
        const fnd_member *pi = fnd_get(f, "port_index");
        bool has_index = pi && pi->kind == FND_INT;
        if (has_index && pi->v.i >= 0 && pi->v.i < np)
            use[pi->v.i] = true;
        static const char *const keys[] = {"port", "nearest_port", "start_port", "end_port"};
        for (size_t j = 0; j < sizeof keys / sizeof keys[0]; j++) {
            if (j == 0 && has_index)
                continue;
            int i = port_by_name(ports, byname, np, fnd_get_str(f, keys[j]), f->lat, f->lon);
            if (i >= 0)
                use[i] = true;
        }
    }
    for (int i = 0; i < np; i++) {
        if (!use[i])
            continue;
        const geo_port *p = geo_port_get(ports, i);
        json_t *o = json_object();
        json_object_set_new(o, "name", rpt_jstr(p->name));
        json_object_set_new(o, "lat", json_real(rpt_round_to(p->lat, 1e6)));
        json_object_set_new(o, "lon", json_real(rpt_round_to(p->lon, 1e6)));
        json_object_set_new(o, "concern", json_boolean(p->concern));
        json_array_append_new(a, o);
    }
    free(use);
    free(byname);
    return a;
}

/* ---- the whole -------------------------------------------------------------- */

/* The findings as the data holds them (fnd_doc_json), once the gaps' lines
 * are known; NULL when out of memory. */
static json_t *findings_json(rpt_report *r) {
    json_t *a = json_array();
    if (!a)
        return NULL;
    for (size_t i = 0; i < r->run.findings->n; i++) {
        json_t *e = fnd_doc_json(r->run.findings, i, &r->doc);
        if (!e || json_array_append_new(a, e)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The coverage map for the page's layer (docs/coverage.md): per cell heard
 * in the report's period [lat0, lon0, lat1, lon1, baseline, hours], the
 * baseline the share of the period's ten-minute slots it heard something
 * in; at most RPT_COVERAGE_MAX cells, in cell order (then "truncated"). */
#define RPT_COVERAGE_MAX 20000
static json_t *coverage_json(rpt_report *r, bool *nomem) {
    json_t *o = json_object(), *cells = json_array();
    int64_t a, b;
    bool truncated = false;
    if (!o || !cells) {
        *nomem = true;
        json_decref(o);
        json_decref(cells);
        return json_null();
    }
    if (st_data_span(r->s, &a, &b)) {
        a = a > r->o->from_ms ? a : r->o->from_ms;
        b = b < r->o->to_ms ? b : r->o->to_ms;
        int64_t s0 = a / 600000, s1 = b / 600000;
        double period = (double)(s1 - s0 + 1);
        st_iter *it = b >= a ? st_coverage_rows(r->s, ST_COV_ALL, 0, a / 3600000, b / 3600000, NULL) : NULL;
        st_cov_row row;
        int step = it ? st_cov_row_next(it, &row, NULL) : 0;
        while (step > 0) {
            uint32_t cell = row.cell;
            long slots = 0, hours = 0;
            while (step > 0 && row.cell == cell) {
                hours++;
                for (int k = 0; k < 6; k++) {
                    int64_t sl = row.hour * 6 + k;
                    slots += (row.slots >> k & 1) && sl >= s0 && sl <= s1;
                }
                step = st_cov_row_next(it, &row, NULL);
            }
            double lat0, lon0, lat1, lon1;
            if (!geo_cell_box(cell, &lat0, &lon0, &lat1, &lon1))
                continue;
            if (json_array_size(cells) >= RPT_COVERAGE_MAX) {
                truncated = true;
                break;
            }
            json_t *c =
                json_pack("[ffffff]", lat0, lon0, lat1, lon1, round(slots / period * 1000) / 1000, (double)hours);
            if (!c || json_array_append_new(cells, c))
                *nomem = true;
        }
        st_iter_free(it);
    }
    json_object_set_new(o, "cells", cells);
    json_object_set_new(o, "truncated", json_boolean(truncated));
    return o;
}

pel_status rpt_data_json(rpt_report *r, const geo_ports *ports, const geo_mid *mid, json_t *zones, json_t *licences,
                         json_t **out, pel_error *err) {
    *out = NULL;
    json_t *findings = findings_json(r);
    if (!findings)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    pel_status st = PEL_OK;
    bool nomem = false;
    json_t *root = json_object();
    json_object_set_new(root, "title", json_string("Pelorus evidence report"));
    json_object_set_new(root, "version", json_string(PEL_VERSION));
    const char *db = st_db_name(r->s), *base = db ? strrchr(db, '/') : NULL;
    json_object_set_new(root, "database", rpt_jstr(base ? base + 1 : db));
    json_t *period = json_object();
    int64_t a, b;
    if (st_data_span(r->s, &a, &b)) {
        a = a > r->o->from_ms ? a : r->o->from_ms;
        b = b < r->o->to_ms ? b : r->o->to_ms;
        json_object_set_new(period, "from", jtime(a));
        json_object_set_new(period, "to", jtime(b));
    } else {
        json_object_set_new(period, "from", json_null());
        json_object_set_new(period, "to", json_null());
    }
    json_object_set_new(root, "period", period);
    json_t *w = json_object();
    for (int i = 0; i < RPT_W__COUNT; i++)
        json_object_set_new(w, rpt_weight_name(i), json_real(r->run.w.w[i]));
    json_object_set_new(root, "weights", w);
    json_t *va = json_array(), *ta = json_array();
    for (size_t i = 0; i < r->run.rank.n && st == PEL_OK; i++) {
        const rpt_vessel *rv = &r->run.rank.v[i];
        rpt_vinfo *v = rpt_find_vessel(r, rv->mmsi);
        json_array_append_new(va, vessel_json(r, v, mid, err, &st));
        for (size_t k = 0; k < (rv->nmmsis ? rv->nmmsis : 1); k++) { /* a track per MMSI */
            rpt_vinfo *x = rv->nmmsis ? rpt_find_vessel(r, rv->mmsis[k]) : v;
            if (!x)
                continue;
            if (!x->track)
                x->track = rpt_draw_track(&r->draw, x->mmsi, NULL, 0);
            json_array_append(ta, x->track);
        }
    }
    json_object_set_new(root, "vessels", va);
    json_object_set_new(root, "findings", findings);
    json_object_set_new(root, "tracks", ta);
    json_object_set(root, "zones", zones);
    json_object_set_new(root, "ports", ports_json(r, ports, &nomem));
    json_object_set_new(root, "coverage", coverage_json(r, &nomem));
    json_t *stats = json_object();
    json_object_set_new(stats, "vessels", json_integer((json_int_t)r->run.rank.n));
    json_object_set_new(stats, "findings", json_integer((json_int_t)json_array_size(findings)));
    json_object_set_new(stats, "track_points", json_integer((json_int_t)r->track_points));
    json_object_set_new(stats, "drawn_points", json_integer((json_int_t)r->draw.points));
    json_object_set_new(root, "stats", stats);
    json_object_set(root, "licences", licences);
    if (st == PEL_OK && (nomem || r->draw.nomem))
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st != PEL_OK)
        json_decref(root);
    else
        *out = root;
    return st;
}
