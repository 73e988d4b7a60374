/*
 * det_encounter.c -- encounters: two vessels close together, slow, far from
 * any port, for hours (a possible ship-to-ship transfer).  Global Fishing
 * Watch's definition: within 500 m for at least 2 h, the median speed of
 * each vessel under 2 kn, at least 10 km from any port or anchorage;
 * encounters of the same pair less than 4 h apart are merged.
 *
 * Method.
 *  1. Resampling (det_enc_add_track).  Each track is resampled at the times
 *     that are multiples of step_s (600 s) in Unix time, by linear
 *     interpolation between the raw positions on either side of the step
 *     time, never across a silence longer than max_interp_gap_s (3600 s): a
 *     step inside such a silence has no point.  A raw position exactly at a
 *     step time is used as it is.  Each point keeps a speed (SOG
 *     interpolated when both raw positions have one, else the one that
 *     exists, else the speed implied by the two raw positions) and the raw
 *     position nearest in time (ties: the earlier), whose input and line
 *     are the evidence.  Only resampled points are kept (32 bytes each).
 *  2. Pairing (det_enc_run).  Points are sorted by step; within a step they
 *     go into a grid of cells max_distance_m high and as wide in degrees,
 *     and each point looks at the cells that can hold a point within
 *     max_distance_m: the latitude bands either side, and the longitude
 *     range that the haversine formula bounds at the highest latitude of
 *     those bands (wrapping at the antimeridian).  Never all pairs.  A pair
 *     is close at a step when the great-circle distance <= max_distance_m.
 *  3. Runs.  Consecutive close steps of a pair form a run; a missing step
 *     (not close, or a vessel without a point) ends it.  A run's duration is
 *     its last close step minus its first (13 steps = 2 h): start and end
 *     are times at which the pair was actually seen close.  A run is a raw
 *     encounter when duration >= min_duration_h, the median speed of each
 *     vessel over the run is < max_median_speed_kn, and the run's mean
 *     position (mean of both vessels' points) is >= min_port_distance_m
 *     from the nearest port (rule skipped without port data).
 *  4. Merging.  Raw encounters of a pair whose gap (next start - previous
 *     end) is < merge_gap_h are one finding spanning both; its measures are
 *     taken over the union of their close steps.
 *
 * Findings: event "encounter", mmsi < mmsi2, start/end, the mean position,
 * members duration_h, steps, median_distance_m, min_distance_m,
 * median_speed_kn (both vessels' speeds together), speed_kn_1, speed_kn_2
 * (each vessel's median), port_distance_km, nearest_port, and
 * "port_distance":"unknown" when there is no port data; evidence: the raw
 * positions nearest to each close step, both vessels (consecutive repeats
 * counted once).  Order: (start, mmsi, mmsi2, end).
 *
 * Limits: memory is 32 bytes per resampled point (a vessel reporting for a
 * month is 4,320 points at 10 min), 8 more while they are sorted, plus 24
 * bytes per close pair-step; at
 * most 2^32-2 points.  Speeds are medians of tenths of a knot.  The grid is
 * exact (no pair within the distance is missed) but near the poles the
 * longitude range grows and pairing slows down.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "findings/write.h"
#include "track/trk.h"
#include "util/xsort.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define KN_MS (1852.0 / 3600.0) /* metres per second in a knot */

typedef struct rpt {
    uint64_t line; /* evidence: the nearest raw position */
    uint32_t input;
    int32_t step; /* t / step_s */
    int32_t lat, lon;
    uint32_t vessel; /* index into det_enc.mmsi */
    uint16_t speed;  /* 1/10 knot */
} rpt;

struct det_enc {
    det_enc_opts o;
    rpt *pt;
    size_t npt, cappt;
    uint32_t *mmsi; /* per vessel */
    size_t nv, capv;
};

typedef struct cell {
    int32_t cy, cx;
    uint32_t i; /* point */
} cell;

typedef struct closerec {
    uint32_t a, b;   /* points of the lower and higher vessel */
    uint32_t va, vb; /* their vessels */
    int32_t step;
    float dist;
} closerec;

typedef struct rawenc {
    size_t c0, c1; /* close records [c0, c1) */
} rawenc;

void det_enc_default_opts(det_enc_opts *o) {
    det_opts_default(&det_table[DET_ENCOUNTER], o);
}

det_enc *det_enc_new(const det_enc_opts *o) {
    det_enc *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    det_enc_default_opts(&e->o);
    if (o) {
        int step = e->o.step_s, gap = e->o.max_interp_gap_s;
        e->o = *o;
        if (e->o.step_s <= 0)
            e->o.step_s = step;
        if (e->o.max_interp_gap_s <= 0)
            e->o.max_interp_gap_s = gap;
    }
    return e;
}

void det_enc_free(det_enc *e) {
    if (!e)
        return;
    free(e->pt);
    free(e->mmsi);
    free(e);
}

static int64_t floor_div(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static uint16_t tenths(double kn) {
    if (!(kn >= 0))
        return 0;
    return kn * 10 > PEL_NA_SPEED - 1 ? PEL_NA_SPEED - 1 : (uint16_t)lround(kn * 10);
}

/* Longitude difference b - a folded into (-180, 180] degrees, in units. */
static int64_t dlon_wrap(int32_t a, int32_t b) {
    int64_t d = (int64_t)b - a;
    if (d > 180LL * PEL_DEG)
        d -= 360LL * PEL_DEG;
    else if (d <= -180LL * PEL_DEG)
        d += 360LL * PEL_DEG;
    return d;
}

static int32_t lon_norm(int64_t lon) {
    while (lon >= 180LL * PEL_DEG)
        lon -= 360LL * PEL_DEG;
    while (lon < -180LL * PEL_DEG)
        lon += 360LL * PEL_DEG;
    return (int32_t)lon;
}

pel_status det_enc_add_track(det_enc *e, uint32_t mmsi, const pel_position *p, size_t n) {
    if (!e)
        return PEL_ERR_ARG;
    if (e->nv == e->capv) {
        size_t nc = e->capv ? 2 * e->capv : 1024;
        uint32_t *nm = realloc(e->mmsi, nc * sizeof *nm);
        if (!nm)
            return PEL_ERR_NOMEM;
        e->mmsi = nm;
        e->capv = nc;
    }
    if (!n)
        return PEL_OK;
    const int64_t step_ms = (int64_t)e->o.step_s * 1000, gap_ms = (int64_t)e->o.max_interp_gap_s * 1000;
    int64_t s0 = -floor_div(-p[0].t_ms, step_ms), s1 = floor_div(p[n - 1].t_ms, step_ms);
    if (s1 < s0)
        s1 = s0 - 1;
    if (s0 < INT32_MIN || s1 > INT32_MAX)
        return PEL_ERR_ARG;
    size_t need = (size_t)(s1 - s0 + 1);
    if (e->npt + need > UINT32_MAX - 1)
        return PEL_ERR_ARG;
    if (e->npt + need > e->cappt) {
        size_t nc = e->cappt ? e->cappt : 4096;
        while (nc < e->npt + need)
            nc *= 2;
        rpt *np = realloc(e->pt, nc * sizeof *np);
        if (!np)
            return PEL_ERR_NOMEM;
        e->pt = np;
        e->cappt = nc;
    }
    uint32_t v = (uint32_t)e->nv;
    size_t i = 0;
    for (int64_t s = s0; s <= s1; s++) {
        int64_t t = s * step_ms;
        while (i + 1 < n && p[i + 1].t_ms <= t)
            i++;
        const pel_position *a = &p[i], *b = i + 1 < n ? &p[i + 1] : NULL, *near;
        rpt r;
        if (a->t_ms == t) {
            near = a;
            r.lat = a->lat;
            r.lon = a->lon;
            if (a->speed != PEL_NA_SPEED)
                r.speed = a->speed;
            else if (b && b->t_ms - a->t_ms <= gap_ms && b->speed != PEL_NA_SPEED)
                r.speed = b->speed;
            else if (b && b->t_ms - a->t_ms <= gap_ms)
                r.speed =
                    tenths(trk_distance_m(a->lat, a->lon, b->lat, b->lon) / ((b->t_ms - a->t_ms) / 1000.0) / KN_MS);
            else
                r.speed = 0;
        } else {
            if (!b || a->t_ms > t || b->t_ms - a->t_ms > gap_ms)
                continue; /* before the first, or inside a silence */
            double f = (double)(t - a->t_ms) / (double)(b->t_ms - a->t_ms);
            near = t - a->t_ms <= b->t_ms - t ? a : b;
            r.lat = (int32_t)lround(a->lat + (b->lat - (double)a->lat) * f);
            r.lon = lon_norm(a->lon + llround((double)dlon_wrap(a->lon, b->lon) * f));
            if (a->speed != PEL_NA_SPEED && b->speed != PEL_NA_SPEED)
                r.speed = (uint16_t)lround(a->speed + (b->speed - (double)a->speed) * f);
            else if (a->speed != PEL_NA_SPEED || b->speed != PEL_NA_SPEED)
                r.speed = a->speed != PEL_NA_SPEED ? a->speed : b->speed;
            else
                r.speed =
                    tenths(trk_distance_m(a->lat, a->lon, b->lat, b->lon) / ((b->t_ms - a->t_ms) / 1000.0) / KN_MS);
        }
        r.step = (int32_t)s;
        r.vessel = v;
        r.input = near->input;
        r.line = near->line;
        e->pt[e->npt++] = r;
    }
    e->mmsi[e->nv++] = mmsi;
    return PEL_OK;
}

/* ---- pairing ------------------------------------------------------------------ */

/* At det_enc_run, vessels are renumbered in (mmsi, order added) order, so
 * comparing vessel numbers compares MMSIs. */
typedef struct vrank {
    uint32_t mmsi, v;
} vrank;

static int cmp_vrank(const void *x, const void *y) {
    const vrank *a = x, *b = y;
    if (a->mmsi != b->mmsi)
        return a->mmsi < b->mmsi ? -1 : 1;
    return a->v < b->v ? -1 : a->v > b->v;
}

static int cmp_cell(const void *x, const void *y) {
    const cell *a = x, *b = y;
    if (a->cy != b->cy)
        return a->cy < b->cy ? -1 : 1;
    if (a->cx != b->cx)
        return a->cx < b->cx ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static int cmp_close(const void *x, const void *y) {
    const closerec *a = x, *b = y;
    if (a->va != b->va)
        return a->va < b->va ? -1 : 1;
    if (a->vb != b->vb)
        return a->vb < b->vb ? -1 : 1;
    return a->step < b->step ? -1 : a->step > b->step;
}

static size_t lower_bound(const cell *c, size_t n, int32_t cy, int32_t cx) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].cy < cy || (c[mid].cy == cy && c[mid].cx < cx))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct closebuf {
    closerec *v;
    size_t n, cap;
} closebuf;

static int push_close(closebuf *cb, const det_enc *e, uint32_t a, uint32_t b, int32_t step, double d) {
    if (cb->n == cb->cap) {
        size_t nc = cb->cap ? 2 * cb->cap : 1024;
        closerec *nv = realloc(cb->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        cb->v = nv;
        cb->cap = nc;
    }
    cb->v[cb->n++] = (closerec){a, b, e->pt[a].vessel, e->pt[b].vessel, step, (float)d};
    return 0;
}

/* Close pairs among the points [p0, p1) of one step. */
static int pair_step(const det_enc *e, size_t p0, size_t p1, cell *cells, int32_t ch, int32_t ncx, closebuf *cb) {
    size_t m = p1 - p0;
    const double R = 6371008.8, dmax = e->o.max_distance_m;
    for (size_t k = 0; k < m; k++) {
        const rpt *r = &e->pt[p0 + k];
        cells[k].cy = (int32_t)floor_div(r->lat, ch);
        cells[k].cx = (int32_t)floor_div((int64_t)r->lon + 180LL * PEL_DEG, ch) % ncx;
        cells[k].i = (uint32_t)(p0 + k);
    }
    xqsort(cells, m, sizeof *cells, cmp_cell);
    for (size_t k = 0; k < m; k++) {
        const rpt *r = &e->pt[cells[k].i];
        /* the longitude span that can hold a point within dmax (haversine
         * bound at the highest latitude of the bands looked at) */
        double latmax = fabs((double)r->lat) / PEL_DEG + 2.0 * ch / PEL_DEG;
        double cosm = latmax >= 90 ? 0 : cos(latmax * M_PI / 180), s = sin(dmax / (2 * R));
        int32_t span;
        if (cosm <= s)
            span = ncx;
        else {
            double dl = 2 * asin(s / cosm) * 180 / M_PI * PEL_DEG * 1.001 + 1;
            double w = ceil(dl / ch);
            span = w * 2 + 1 >= ncx ? ncx : (int32_t)w;
        }
        /* up to two contiguous cx ranges (wrapping at the antimeridian) */
        int32_t ra[2][2];
        int nr = 0;
        if (span >= ncx) {
            ra[0][0] = 0, ra[0][1] = ncx - 1, nr = 1;
        } else {
            int32_t lo = cells[k].cx - span, hi = cells[k].cx + span;
            if (lo < 0) {
                ra[nr][0] = lo + ncx, ra[nr][1] = ncx - 1, nr++;
                lo = 0;
            }
            if (hi >= ncx) {
                ra[nr][0] = 0, ra[nr][1] = hi - ncx, nr++;
                hi = ncx - 1;
            }
            ra[nr][0] = lo, ra[nr][1] = hi, nr++;
        }
        /* The bound is the querying point's, so a pair may be found from
         * both sides: duplicates are removed once the records are sorted. */
        for (int32_t dy = -1; dy <= 1; dy++) {
            int32_t cy = cells[k].cy + dy;
            for (int q = 0; q < nr; q++) {
                for (size_t j = lower_bound(cells, m, cy, ra[q][0]);
                     j < m && cells[j].cy == cy && cells[j].cx <= ra[q][1]; j++) {
                    const rpt *o = &e->pt[cells[j].i];
                    if (cells[j].i == cells[k].i || e->mmsi[o->vessel] == e->mmsi[r->vessel])
                        continue;
                    double d = trk_distance_m(r->lat, r->lon, o->lat, o->lon);
                    uint32_t a = cells[k].i < cells[j].i ? cells[k].i : cells[j].i;
                    uint32_t b = cells[k].i < cells[j].i ? cells[j].i : cells[k].i;
                    if (d <= dmax && push_close(cb, e, a, b, r->step, d))
                        return -1;
                }
            }
        }
    }
    return 0;
}

/* ---- runs, measures, findings ------------------------------------------------------ */

typedef struct measure {
    int64_t start, end; /* ms */
    size_t steps;
    double lat, lon;                                      /* mean, degrees */
    double med_dist, min_dist, med_speed, speed1, speed2; /* m, kn */
} measure;

typedef struct scratch {
    uint16_t *s1, *s2, *sb;
    float *d;
    size_t cap;
} scratch;

static int cmp_u16(const void *x, const void *y) {
    uint16_t a = *(const uint16_t *)x, b = *(const uint16_t *)y;
    return a < b ? -1 : a > b;
}

static int cmp_float(const void *x, const void *y) {
    float a = *(const float *)x, b = *(const float *)y;
    return a < b ? -1 : a > b;
}

static double median_u16(uint16_t *v, size_t n) {
    xqsort(v, n, sizeof *v, cmp_u16);
    return (v[(n - 1) / 2] + v[n / 2]) / 20.0;
}

static int grow(scratch *s, size_t n) {
    if (n <= s->cap)
        return 0;
    size_t nc = s->cap ? s->cap : 256;
    while (nc < n)
        nc *= 2;
    uint16_t *a = realloc(s->s1, nc * sizeof *a);
    if (a)
        s->s1 = a;
    uint16_t *b = realloc(s->s2, nc * sizeof *b);
    if (b)
        s->s2 = b;
    uint16_t *c = realloc(s->sb, 2 * nc * sizeof *c);
    if (c)
        s->sb = c;
    float *d = realloc(s->d, nc * sizeof *d);
    if (d)
        s->d = d;
    if (!a || !b || !c || !d)
        return -1;
    s->cap = nc;
    return 0;
}

/* Measures over the close records of the runs r[0..nr). */
static int measure_runs(const det_enc *e, const closerec *c, const rawenc *r, size_t nr, scratch *s, measure *m) {
    size_t n = 0;
    for (size_t k = 0; k < nr; k++)
        n += r[k].c1 - r[k].c0;
    if (grow(s, n))
        return -1;
    const int64_t step_ms = (int64_t)e->o.step_s * 1000;
    const rpt *first = &e->pt[c[r[0].c0].a];
    double slat = 0, slon = 0;
    size_t j = 0;
    m->min_dist = INFINITY;
    for (size_t k = 0; k < nr; k++)
        for (size_t i = r[k].c0; i < r[k].c1; i++, j++) {
            const rpt *a = &e->pt[c[i].a], *b = &e->pt[c[i].b];
            s->s1[j] = a->speed;
            s->s2[j] = b->speed;
            s->sb[2 * j] = a->speed;
            s->sb[2 * j + 1] = b->speed;
            s->d[j] = c[i].dist;
            if (c[i].dist < m->min_dist)
                m->min_dist = c[i].dist;
            slat += (double)a->lat + b->lat;
            slon += 2.0 * first->lon + dlon_wrap(first->lon, a->lon) + dlon_wrap(first->lon, b->lon);
        }
    m->steps = n;
    m->start = (int64_t)c[r[0].c0].step * step_ms;
    m->end = (int64_t)c[r[nr - 1].c1 - 1].step * step_ms;
    m->lat = slat / (2.0 * n) / PEL_DEG;
    m->lon = lon_norm(llround(slon / (2.0 * n))) / (double)PEL_DEG;
    m->speed1 = median_u16(s->s1, n);
    m->speed2 = median_u16(s->s2, n);
    m->med_speed = median_u16(s->sb, 2 * n);
    xqsort(s->d, n, sizeof *s->d, cmp_float);
    m->med_dist = ((double)s->d[(n - 1) / 2] + s->d[n / 2]) / 2;
    return 0;
}

static bool have_ports(const det_geo *geo) {
    return geo && geo->port_dist_m;
}

/* Distance to the nearest port (INFINITY when there is none) and its index. */
static double port_distance(const det_geo *geo, double lat, double lon, int *port) {
    *port = -1;
    double d = geo->port_dist_m(geo->ud, lat, lon, port);
    return isnan(d) ? INFINITY : d;
}

typedef struct fvec {
    fnd_builder *v;
    size_t n, cap;
} fvec;

static int make_finding(const det_enc *e, const det_geo *geo, const closerec *c, const rawenc *r, size_t nr, scratch *s,
                        fvec *out) {
    measure m;
    if (measure_runs(e, c, r, nr, s, &m))
        return -1;
    if (out->n == out->cap) {
        size_t nc = out->cap ? 2 * out->cap : 16;
        fnd_builder *nv = realloc(out->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        out->v = nv;
        out->cap = nc;
    }
    fnd_builder *f = &out->v[out->n++];
    memset(f, 0, sizeof *f);
    f->event = "encounter";
    f->mmsi = e->mmsi[e->pt[c[r[0].c0].a].vessel];
    f->mmsi2 = e->mmsi[e->pt[c[r[0].c0].b].vessel];
    f->start_ms = m.start;
    f->end_ms = m.end;
    f->lat = m.lat;
    f->lon = m.lon;
    double km = NAN;         /* to the nearest port: null when there is none, or no port data */
    const char *name = NULL; /* its name */
    if (have_ports(geo)) {
        int port;
        double d = port_distance(geo, m.lat, m.lon, &port);
        if (isfinite(d))
            km = d / 1000;
        if (port >= 0 && geo->port_name)
            name = geo->port_name(geo->ud, port);
    }
    fnd_num(f, "duration_h", (m.end - m.start) / 3600000.0, 2);
    fnd_int(f, "steps", (int64_t)m.steps);
    fnd_num(f, "median_distance_m", m.med_dist, 0);
    fnd_num(f, "min_distance_m", m.min_dist, 0);
    fnd_num(f, "median_speed_kn", m.med_speed, 2);
    fnd_num(f, "speed_kn_1", m.speed1, 2);
    fnd_num(f, "speed_kn_2", m.speed2, 2);
    fnd_num(f, "port_distance_km", km, 1);
    fnd_str(f, "nearest_port", name);
    if (isnan(km))
        fnd_str(f, "port_distance", "unknown");
    /* evidence: the raw positions nearest to each close step, both vessels,
     * a position repeated at consecutive steps counted once */
    uint32_t li[2] = {0, 0};
    uint64_t ll[2] = {0, 0};
    bool any[2] = {false, false};
    for (size_t k = 0; k < nr; k++)
        for (size_t i = r[k].c0; i < r[k].c1; i++)
            for (int w = 0; w < 2; w++) {
                const rpt *q = &e->pt[w ? c[i].b : c[i].a];
                if (any[w] && li[w] == q->input && ll[w] == q->line)
                    continue;
                any[w] = true;
                li[w] = q->input;
                ll[w] = q->line;
                pel_position pos = {.input = q->input, .line = q->line};
                fnd_add_position(f, &pos);
            }
    return 0;
}

/* Emission order: start, vessels, end, then the members' text (as the
 * canonical order of findings/finding.h, whose event key is the same for
 * all of these). */
static int cmp_finding(const void *x, const void *y) {
    const fnd_builder *a = x, *b = y;
    if (a->start_ms != b->start_ms)
        return a->start_ms < b->start_ms ? -1 : 1;
    if (a->mmsi != b->mmsi)
        return a->mmsi < b->mmsi ? -1 : 1;
    if (a->mmsi2 != b->mmsi2)
        return a->mmsi2 < b->mmsi2 ? -1 : 1;
    if (a->end_ms != b->end_ms)
        return a->end_ms < b->end_ms ? -1 : 1;
    fnd_finding va, vb;
    fnd_view(a, &va);
    fnd_view(b, &vb);
    char *ta = fnd_members_text(&va, false), *tb = fnd_members_text(&vb, false);
    int c = ta && tb ? strcmp(ta, tb) : 0;
    free(ta);
    free(tb);
    return c;
}

/* The raw encounters among the runs of one pair's close records [g0, g1),
 * merged, into out. */
static int pair_findings(const det_enc *e, const det_geo *geo, const closerec *c, size_t g0, size_t g1, rawenc **raw,
                         size_t *rawcap, scratch *s, fvec *out) {
    const int64_t step_ms = (int64_t)e->o.step_s * 1000;
    const int64_t min_ms = llround(e->o.min_duration_h * 3600000.0), merge_ms = llround(e->o.merge_gap_h * 3600000.0);
    size_t nraw = 0;
    for (size_t i = g0; i < g1;) {
        size_t j = i + 1;
        while (j < g1 && c[j].step == c[j - 1].step + 1)
            j++;
        rawenc run = {i, j};
        i = j;
        if ((int64_t)(c[run.c1 - 1].step - c[run.c0].step) * step_ms < min_ms)
            continue;
        measure m;
        if (measure_runs(e, c, &run, 1, s, &m))
            return -1;
        if (!(m.speed1 < e->o.max_median_speed_kn && m.speed2 < e->o.max_median_speed_kn))
            continue;
        if (have_ports(geo)) {
            int port;
            if (port_distance(geo, m.lat, m.lon, &port) < e->o.min_port_distance_m)
                continue;
        }
        if (nraw == *rawcap) {
            size_t nc = *rawcap ? 2 * *rawcap : 16;
            rawenc *nv = realloc(*raw, nc * sizeof *nv);
            if (!nv)
                return -1;
            *raw = nv;
            *rawcap = nc;
        }
        (*raw)[nraw++] = run;
    }
    for (size_t k = 0; k < nraw;) {
        size_t l = k + 1;
        while (l < nraw && (int64_t)(c[(*raw)[l].c0].step - c[(*raw)[l - 1].c1 - 1].step) * step_ms < merge_ms)
            l++;
        if (make_finding(e, geo, c, *raw + k, l - k, s, out))
            return -1;
        k = l;
    }
    return 0;
}

static bool same_pair(const closerec *x, const closerec *y) {
    return x->va == y->va && x->vb == y->vb;
}

/* Renumbers the vessels in (mmsi, order added) order.  Returns -1 when out
 * of memory (nothing changed then). */
static int renumber(det_enc *e) {
    vrank *r = malloc(e->nv * sizeof *r);
    uint32_t *to = malloc(e->nv * sizeof *to);
    if (!r || !to) {
        free(r);
        free(to);
        return -1;
    }
    for (size_t v = 0; v < e->nv; v++)
        r[v] = (vrank){e->mmsi[v], (uint32_t)v};
    xqsort(r, e->nv, sizeof *r, cmp_vrank);
    for (size_t k = 0; k < e->nv; k++) {
        to[r[k].v] = (uint32_t)k;
        e->mmsi[k] = r[k].mmsi;
    }
    for (size_t i = 0; i < e->npt; i++)
        e->pt[i].vessel = to[e->pt[i].vessel];
    free(r);
    free(to);
    return 0;
}

/* Sorts e->pt by (step, vessel) -- keys are unique, a vessel having at most
 * one point a step -- without qsort's temporary copy of the whole array
 * (32 bytes a point): two stable counting sorts (vessel, then step) give
 * each point its place in 8 bytes a point, and the points are then moved
 * there in place, cycle by cycle.  Returns -1 when out of memory (nothing
 * changed then). */
static int sort_points(det_enc *e) {
    size_t n = e->npt;
    int32_t smin = e->pt[0].step, smax = e->pt[0].step;
    for (size_t i = 1; i < n; i++) {
        if (e->pt[i].step < smin)
            smin = e->pt[i].step;
        if (e->pt[i].step > smax)
            smax = e->pt[i].step;
    }
    size_t nsteps = (size_t)((int64_t)smax - smin) + 1, nb = nsteps > e->nv ? nsteps : e->nv;
    uint32_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    size_t *cnt = calloc(nb + 1, sizeof *cnt);
    if (!a || !b || !cnt) {
        free(a);
        free(b);
        free(cnt);
        return -1;
    }
    /* by vessel: a = indices in vessel order */
    for (size_t i = 0; i < n; i++)
        cnt[e->pt[i].vessel + 1]++;
    for (size_t v = 0; v < e->nv; v++)
        cnt[v + 1] += cnt[v];
    for (size_t i = 0; i < n; i++)
        a[cnt[e->pt[i].vessel]++] = (uint32_t)i;
    /* then by step, stable: b = indices in (step, vessel) order */
    memset(cnt, 0, (nb + 1) * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[(size_t)(e->pt[i].step - smin) + 1]++;
    for (size_t k = 0; k < nsteps; k++)
        cnt[k + 1] += cnt[k];
    for (size_t k = 0; k < n; k++)
        b[cnt[(size_t)(e->pt[a[k]].step - smin)]++] = a[k];
    /* a = where each point goes; then follow the cycles */
    for (size_t k = 0; k < n; k++)
        a[b[k]] = (uint32_t)k;
    for (size_t i = 0; i < n; i++)
        while (a[i] != i) {
            uint32_t j = a[i];
            rpt t = e->pt[j];
            e->pt[j] = e->pt[i];
            e->pt[i] = t;
            a[i] = a[j];
            a[j] = j;
        }
    free(a);
    free(b);
    free(cnt);
    return 0;
}

pel_status det_enc_run(det_enc *e, const det_geo *geo, fnd_emit_fn emit, void *ud) {
    if (!e)
        return PEL_ERR_ARG;
    if (e->o.max_distance_m <= 0 || e->npt == 0)
        return PEL_OK;
    pel_status st = PEL_OK;
    closebuf cb = {0};
    cell *cells = NULL;
    rawenc *raw = NULL;
    size_t rawcap = 0;
    scratch s = {0};
    fvec out = {0};
    if (renumber(e) || sort_points(e))
        goto nomem;
    /* cell height in 1/600000 degree: at least max_distance_m of latitude */
    double chd = ceil(e->o.max_distance_m / 111000.0 * PEL_DEG);
    int32_t ch = chd > 60.0 * PEL_DEG ? 60 * PEL_DEG : (int32_t)chd;
    int32_t ncx = (int32_t)((360LL * PEL_DEG + ch - 1) / ch);
    size_t maxm = 0;
    for (size_t i = 0; i < e->npt;) {
        size_t j = i;
        while (j < e->npt && e->pt[j].step == e->pt[i].step)
            j++;
        if (j - i > maxm)
            maxm = j - i;
        i = j;
    }
    cells = malloc(maxm * sizeof *cells);
    if (!cells)
        goto nomem;
    for (size_t i = 0; i < e->npt;) {
        size_t j = i;
        while (j < e->npt && e->pt[j].step == e->pt[i].step)
            j++;
        if (j - i > 1 && pair_step(e, i, j, cells, ch, ncx, &cb))
            goto nomem;
        i = j;
    }
    free(cells);
    cells = NULL;
    if (cb.n)
        xqsort(cb.v, cb.n, sizeof *cb.v, cmp_close);
    size_t k = 0;
    for (size_t i = 0; i < cb.n; i++)
        if (!k || cb.v[i].a != cb.v[k - 1].a || cb.v[i].b != cb.v[k - 1].b)
            cb.v[k++] = cb.v[i];
    cb.n = k;
    for (size_t i = 0; i < cb.n;) {
        size_t j = i + 1;
        while (j < cb.n && same_pair(&cb.v[i], &cb.v[j]))
            j++;
        if (pair_findings(e, geo, cb.v, i, j, &raw, &rawcap, &s, &out))
            goto nomem;
        i = j;
    }
    if (out.n)
        xqsort(out.v, out.n, sizeof *out.v, cmp_finding);
    for (size_t i = 0; i < out.n; i++)
        emit(ud, &out.v[i]);
    goto done;
nomem:
    st = PEL_ERR_NOMEM;
done:
    free(cells);
    free(cb.v);
    free(raw);
    free(s.s1);
    free(s.s2);
    free(s.sb);
    free(s.d);
    free(out.v);
    return st;
}

/* ---- hooks (detectors.h) ------------------------------------------------------------ */

pel_status det_enc_begin(det_call *c) {
    c->state = det_enc_new(c->opts);
    return c->state ? PEL_OK : PEL_ERR_NOMEM;
}

pel_status det_enc_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n) {
    return det_enc_add_track(c->state, mmsi, p, n);
}

pel_status det_enc_finish(det_call *c) {
    return det_enc_run(c->state, &c->env->geo, c->emit, c->ud) == PEL_OK ? PEL_OK : PEL_ERR_NOMEM;
}

void det_enc_cleanup(det_call *c) {
    det_enc_free(c->state);
    c->state = NULL;
}
