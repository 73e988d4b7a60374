/*
 * coverage_out.c -- pel_coverage_write: the coverage map (docs/coverage.md)
 * as GeoJSON or CSV, one cell each, read from the store's rows in cell
 * order (every reception's, or one station's) with the stations that heard
 * each cell merged in from a second cursor in the same order.
 *
 * Limits: a cell's stations are listed by id, at most 64 of them (then
 * "..." ends the list).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geo/cell.h"
#include "pelorus.h"
#include "store/store.h"
#include "util/display.h"
#include "util/escape.h"
#include "util/fail.h"

#define MAX_LISTED 64

typedef struct cell_sum {
    uint32_t cell;
    long hours, slots;
    uint64_t positions, vessel_hours;
    uint32_t st[MAX_LISTED];
    size_t nst;
    bool more;
} cell_sum;

typedef struct cov_out {
    FILE *o;
    pel_export_format fmt;
    char **names;
    size_t nnames;
    double period_slots;
    size_t written;
} cov_out;

static void put_cell(cov_out *w, const cell_sum *c) {
    double lat0, lon0, lat1, lon1;
    if (!geo_cell_box(c->cell, &lat0, &lon0, &lat1, &lon1))
        return;
    double base = w->period_slots > 0 ? (double)c->slots / w->period_slots : 0;
    FILE *o = w->o;
    if (w->fmt == PEL_EXPORT_CSV) {
        fprintf(o, "%u,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%ld,%llu,%llu,%ld,%.4f,", c->cell, (lat0 + lat1) / 2,
                (lon0 + lon1) / 2, lat0, lon0, lat1, lon1, c->hours, (unsigned long long)c->positions,
                (unsigned long long)c->vessel_hours, c->slots, base);
        char list[4096];
        size_t k = 0;
        list[0] = 0;
        for (size_t i = 0; i < c->nst && k + 80 < sizeof list; i++) {
            const char *nm = c->st[i] < w->nnames && w->names[c->st[i]] ? w->names[c->st[i]] : "?";
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%.70s", i ? ";" : "", nm);
        }
        if (c->more && k + 4 < sizeof list)
            snprintf(list + k, sizeof list - k, ";...");
        esc_csv(o, list, 0);
        fputc('\n', o);
        return;
    }
    fprintf(o,
            "%s\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],"
            "[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]},\"properties\":{\"cell\":%u,\"lat\":%.6f,\"lon\":%.6f,"
            "\"hours\":%ld,\"positions\":%llu,\"vessel_hours\":%llu,\"slots\":%ld,\"baseline\":%.4f,\"stations\":[",
            w->written ? "," : "", lon0, lat0, lon1, lat0, lon1, lat1, lon0, lat1, lon0, lat0, c->cell,
            (lat0 + lat1) / 2, (lon0 + lon1) / 2, c->hours, (unsigned long long)c->positions,
            (unsigned long long)c->vessel_hours, c->slots, base);
    for (size_t i = 0; i < c->nst; i++) {
        if (i)
            fputc(',', o);
        esc_json_string(o, c->st[i] < w->nnames && w->names[c->st[i]] ? w->names[c->st[i]] : "?", 0);
    }
    fprintf(o, "]%s}}", c->more ? ",\"stations_more\":true" : "");
}

static bool in_box(const pel_track_filter *f, uint32_t cell) {
    double lat, lon;
    if (!f || !f->has_bbox)
        return true;
    return geo_cell_centre(cell, &lat, &lon) && lat >= f->min_lat && lat <= f->max_lat && lon >= f->min_lon &&
           lon <= f->max_lon;
}

pel_status pel_coverage_write(pel_store *s, const pel_track_filter *f, const char *station, FILE *out,
                              pel_export_format fmt, pel_error *err) {
    if (!s || !out)
        return pel_fail(err, PEL_ERR_ARG, "no store or no output");
    if (fmt != PEL_EXPORT_GEOJSON && fmt != PEL_EXPORT_CSV)
        return pel_fail(err, PEL_ERR_ARG, "the coverage map is written as GeoJSON or CSV");
    cov_out w = {.o = out, .fmt = fmt};
    pel_status st = st_source_names(s, &w.names, &w.nnames, err);
    uint32_t sid = 0;
    bool none = false;
    if (st == PEL_OK && station) {
        none = true;
        for (size_t i = 1; i < w.nnames; i++)
            if (w.names[i] && !strcmp(w.names[i], station)) {
                sid = (uint32_t)i;
                none = false;
                break;
            }
        if (none) {               /* a typo would otherwise read as a station that heard nothing */
            char known[200] = ""; /* names from the input: in their display form */
            size_t k = 0, nk = 0;
            for (size_t i = 1; i < w.nnames && k < sizeof known; i++)
                if (w.names[i]) {
                    char *d = disp_dup(w.names[i]);
                    k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", nk++ ? ", " : "", d ? d : "?");
                    free(d);
                }
            char *asked = disp_dup(station);
            st = pel_fail(err, PEL_ERR_ARG, "no station named \"%.60s\" in the database (%s%s)", asked ? asked : "?",
                          nk ? "its stations: " : "no receptions name a station", known);
            free(asked);
        }
    }
    int64_t first = 0, last = 0;
    bool span = st_data_span(s, &first, &last);
    int64_t from_ms = f && f->has_from ? f->from_ms : first, to_ms = f && f->has_to ? f->to_ms : last;
    int64_t h0 = from_ms / 3600000, h1 = to_ms / 3600000;
    if (!span && !(f && f->has_from && f->has_to))
        none = true;
    w.period_slots = (double)(to_ms / 600000 - from_ms / 600000 + 1);
    st_iter *a = NULL, *b = NULL;
    if (st == PEL_OK && !none) {
        a = st_coverage_rows(s, sid ? ST_COV_STATION : ST_COV_ALL, sid, h0, h1, err);
        if (!a)
            st = PEL_ERR_IO;
        else if (!sid && !(b = st_coverage_rows(s, ST_COV_STATIONS, 0, h0, h1, err)))
            st = PEL_ERR_IO;
    }
    if (st != PEL_OK)
        goto done; /* nothing written */
    if (fmt == PEL_EXPORT_CSV)
        fputs("cell,lat,lon,lat0,lon0,lat1,lon1,hours,positions,vessel_hours,slots,baseline,stations\n", out);
    else
        fputs("{\"type\":\"FeatureCollection\",\"features\":[", out);
    st_cov_row r, q;
    int ra = a ? st_cov_row_next(a, &r, err) : 0, rb = b ? st_cov_row_next(b, &q, err) : 0;
    while (st == PEL_OK && ra > 0) {
        cell_sum c = {.cell = r.cell};
        int64_t hour = INT64_MIN;
        while (ra > 0 && r.cell == c.cell) {
            if (r.hour != hour) {
                c.hours++;
                hour = r.hour;
            }
            c.positions += r.positions;
            c.vessel_hours += r.vessels;
            for (int k = 0; k < 6; k++) {
                int64_t sl = r.hour * 6 + k;
                if ((r.slots >> k & 1) && sl >= from_ms / 600000 && sl <= to_ms / 600000)
                    c.slots++;
            }
            ra = st_cov_row_next(a, &r, err);
        }
        if (sid) {
            c.st[c.nst++] = sid;
        } else {
            while (rb > 0 && q.cell < c.cell)
                rb = st_cov_row_next(b, &q, err);
            while (rb > 0 && q.cell == c.cell) {
                if (!c.nst || c.st[c.nst - 1] != q.station) {
                    if (c.nst < MAX_LISTED)
                        c.st[c.nst++] = q.station;
                    else
                        c.more = true;
                }
                rb = st_cov_row_next(b, &q, err);
            }
        }
        if (in_box(f, c.cell)) {
            put_cell(&w, &c);
            w.written++;
        }
    }
    if (st == PEL_OK && (ra < 0 || rb < 0))
        st = (pel_status) - (ra < 0 ? ra : rb);
    if (fmt == PEL_EXPORT_GEOJSON)
        fputs("\n]}\n", out);
done:
    st_iter_free(a);
    st_iter_free(b);
    for (size_t i = 0; i < w.nnames; i++)
        free(w.names[i]);
    free(w.names);
    return st;
}
