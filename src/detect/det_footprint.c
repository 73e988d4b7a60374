/*
 * det_footprint.c -- receiver footprints (issue 12 part 4): a position
 * heard by a receiving station far outside the area that station usually
 * hears is a spoofing sign ("kind":"out_of_footprint"): the check Spire and
 * Windward sell as position validation.
 *
 * Rules:
 *   - A station's footprint comes from the coverage map (docs/coverage.md):
 *     the cells its own rows heard, each weighted by its receptions.  Its
 *     centre is the weighted median latitude and longitude of those cells;
 *     its usual range the distance from the centre within which 99 % of
 *     its receptions lie.  A station with fewer than min_receptions
 *     receptions, or heard in fewer than 10 cells, has no footprint.
 *   - A position heard by a station with a footprint, farther from its
 *     centre than range_factor times its usual range plus margin_km, is out
 *     of the footprint.  One finding per vessel and station: the farthest
 *     position is the place, every such position evidence.
 *   - A satellite's footprint is its whole orbit's: its usual range is
 *     thousands of km and nothing on Earth is far outside it, which is
 *     right: it proves nothing about where a ship was.
 *
 * Defaults: det_table's settings (detectors.c).
 *
 * Limits: the centre is a median in latitude and longitude (a station
 * whose cells straddle the antimeridian gets a wrong centre: its range is
 * then wide, so it fires less, never more); the map counts the positions
 * it judges, but one spoofer's few receptions move the 99th percentile
 * little.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "geo/cell.h"
#include "geo/geo.h"
#include "util/xsort.h"

#define FP_MIN_CELLS 10

typedef struct fp_cell {
    double lat, lon;
    uint64_t w;
} fp_cell;

typedef struct fp_station {
    bool ok;
    double lat, lon, range_m;
    uint64_t receptions;
} fp_station;

typedef struct fp_state {
    fp_station *st;
    size_t nst;
    char *const *names; /* per station id, its name: the scan's stations' (borrowed) */
} fp_state;

static int cmp_lat(const void *a, const void *b) {
    const fp_cell *x = a, *y = b;
    return (x->lat > y->lat) - (x->lat < y->lat);
}
static int cmp_lon(const void *a, const void *b) {
    const fp_cell *x = a, *y = b;
    return (x->lon > y->lon) - (x->lon < y->lon);
}

typedef struct fp_dist {
    double d;
    uint64_t w;
} fp_dist;
static int cmp_dist(const void *a, const void *b) {
    const fp_dist *x = a, *y = b;
    return (x->d > y->d) - (x->d < y->d);
}

/* The weighted median of v's lat (by_lat) or lon; v is sorted. */
static double wmedian(fp_cell *v, size_t n, uint64_t total, bool by_lat) {
    xqsort(v, n, sizeof *v, by_lat ? cmp_lat : cmp_lon);
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += v[i].w;
        if (2 * acc >= total)
            return by_lat ? v[i].lat : v[i].lon;
    }
    return by_lat ? v[n - 1].lat : v[n - 1].lon;
}

/* One station's footprint from its cells. */
static pel_status footprint(const det_fp_opts *o, fp_station *s, fp_cell *v, size_t n) {
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].w;
    s->receptions = total;
    if (n < FP_MIN_CELLS || total < (uint64_t)o->min_receptions)
        return PEL_OK;
    s->lat = wmedian(v, n, total, true);
    s->lon = wmedian(v, n, total, false);
    fp_dist *d = malloc(n * sizeof *d);
    if (!d)
        return PEL_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        d[i] = (fp_dist){geo_distance_m(s->lat, s->lon, v[i].lat, v[i].lon), v[i].w};
    xqsort(d, n, sizeof *d, cmp_dist);
    uint64_t acc = 0;
    s->range_m = d[n - 1].d;
    for (size_t i = 0; i < n; i++) {
        acc += d[i].w;
        if ((double)acc >= 0.99 * (double)total) {
            s->range_m = d[i].d;
            break;
        }
    }
    free(d);
    s->ok = true;
    return PEL_OK;
}

void det_fp_default_opts(det_fp_opts *o) {
    det_opts_default(&det_table[DET_FOOTPRINT], o);
}

pel_status det_fp_begin(det_call *c) {
    const det_fp_opts *o = c->opts;
    fp_state *g = calloc(1, sizeof *g);
    if (!g)
        return PEL_ERR_NOMEM;
    c->state = g;
    /* every station's cells, weighted by receptions: the scan read the map
     * once for every row (det_env.stations; NULL: no footprint) */
    const det_stations *m = c->env->stations;
    if (!m || m->nnames < 2)
        return PEL_OK;
    g->names = m->names;
    g->nst = m->nnames;
    if (!(g->st = calloc(g->nst, sizeof *g->st)))
        return PEL_ERR_NOMEM;
    pel_status st = PEL_OK;
    fp_cell *v = NULL;
    size_t cap = 0;
    for (size_t k = 1; st == PEL_OK && k < g->nst; k++) {
        if (m->ncells[k] > cap) {
            fp_cell *nv = realloc(v, m->ncells[k] * sizeof *nv);
            if (!nv) {
                st = PEL_ERR_NOMEM;
                break;
            }
            v = nv;
            cap = m->ncells[k];
        }
        for (size_t i = 0; i < m->ncells[k]; i++) {
            geo_cell_centre(m->cells[k][i].cell, &v[i].lat, &v[i].lon);
            v[i].w = m->cells[k][i].w;
        }
        st = footprint(o, &g->st[k], v, m->ncells[k]);
    }
    free(v);
    return st;
}

pel_status det_fp_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n) {
    fp_state *g = c->state;
    const det_fp_opts *o = c->opts;
    if (!g || !g->st)
        return PEL_OK;
    /* each station heard out of its footprint, in id order: one finding each */
    for (size_t k = 1; k < g->nst; k++) {
        const fp_station *s = &g->st[k];
        if (!s->ok)
            continue;
        double limit = o->range_factor * s->range_m + o->margin_km * 1000.0;
        fnd_builder f = {0};
        const pel_position *far = NULL;
        double farthest = 0;
        size_t count = 0;
        for (size_t i = 0; i < n; i++) {
            if (p[i].source != k)
                continue;
            double d = geo_distance_m(s->lat, s->lon, (double)p[i].lat / PEL_DEG, (double)p[i].lon / PEL_DEG);
            if (d <= limit)
                continue;
            if (!count)
                f.start_ms = p[i].t_ms;
            f.end_ms = p[i].t_ms;
            count++;
            fnd_add_position(&f, &p[i]);
            if (d > farthest) {
                farthest = d;
                far = &p[i];
            }
        }
        if (!count)
            continue;
        f.event = "spoofing";
        f.mmsi = mmsi;
        f.lat = (double)far->lat / PEL_DEG;
        f.lon = (double)far->lon / PEL_DEG;
        fnd_str(&f, "kind", "out_of_footprint");
        fnd_str(&f, "station", g->names[k]);
        fnd_int(&f, "positions", (int64_t)count);
        fnd_num(&f, "distance_km", farthest / 1000.0, 1);
        fnd_num(&f, "station_range_km", s->range_m / 1000.0, 1);
        fnd_num(&f, "limit_km", limit / 1000.0, 1);
        fnd_num(&f, "station_lat", s->lat, 4);
        fnd_num(&f, "station_lon", s->lon, 4);
        fnd_int(&f, "station_receptions", (int64_t)s->receptions);
        c->emit(c->ud, &f);
    }
    return PEL_OK;
}

void det_fp_cleanup(det_call *c) {
    fp_state *g = c->state;
    if (!g)
        return;
    free(g->st);
    free(g);
    c->state = NULL;
}
