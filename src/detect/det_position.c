/*
 * det_position.c -- positions a ship cannot have had: spoofed or
 * manipulated GNSS positions (the "position" row of the detector table,
 * event "spoofing"):
 *
 *   on_land       a run of positions at least position.inland_km inland
 *                 (the land mask, geo/land.c) that the vessel entered by a
 *                 jump: its last position off land is farther from the
 *                 run's first than position.max_speed_kn allows in the time
 *                 between, and at least position.inland_km from it.  One
 *                 finding per run.
 *   land_crossing legs between consecutive positions of one segment (one
 *                 transmitter), both off land, whose
 *                 straight line crosses at least position.crossing_km of
 *                 land (at least position.inland_km inland) and for which
 *                 no sea route fits the time at position.max_speed_kn (the
 *                 route is a lower bound searched over the mask).  Legs
 *                 already too fast in a straight line are impossible_speed's
 *                 (det_spoof.c), not this.  One finding per vessel, the legs
 *                 as evidence.
 *   common_point  position.min_vessels or more vessels reporting the very
 *                 same coordinates (to the AIS resolution, 1/10000 minute),
 *                 each at least position.point_min_reports times in a row,
 *                 within
 *                 position.window_h of each other: GNSS manipulation moving
 *                 receivers to one place (C4ADS, "Above Us Only Stars",
 *                 2019).  One finding per vessel, naming the others.
 *   circle        runs of at least position.circle_points consecutive
 *                 positions on a circle (every position within
 *                 position.circle_tolerance_m of one radius between
 *                 position.circle_min_radius_m and circle_max_radius_m,
 *                 covering position.circle_min_arc_deg of arc), when
 *                 position.min_vessels vessels draw such circles around
 *                 centres within position.circle_center_m of each other,
 *                 within position.window_h: circle spoofing near ports and
 *                 terminals (SkyTruth, 2019-2020).  One finding per circle,
 *                 naming the other vessels.
 *   offset        a run displaced by one vector and back (det_offset.c).
 *
 * Why a jump for on_land: the mask (Natural Earth 1:50m) has no rivers,
 * canals or lakes; barges on the Rhine, ships at Baton Rouge on the
 * Mississippi and on the Great Lakes are all "inland" by it.  A vessel that
 * is inland from its first position, or got there at a believable speed,
 * is not judged; one reported at sea and, minutes later, tens of kilometres
 * inland is.  Land crossings are judged only between positions off land for
 * the same reason.
 *
 * Limits: the mask's coast is good to a kilometre or two and islands under
 * a few kilometres are missing (hence the margins); the sea route is a lower
 * bound (necks under twice inland_km pass); legs across the antimeridian are
 * not judged.  Exactness is what separates manipulation from a moored fleet:
 * vessels at a berth or an anchorage do not share coordinates to 0.2 m, nor
 * sit on circles to a metre; a single vessel circling is reported only when
 * min_vessels is 1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "track/trk.h"
#include "util/xsort.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define KN_MS (1852.0 / 3600.0) /* metres per second in a knot */
#define MAX_OTHERS 16           /* other vessels a finding names */
#define MAX_SEEN 1024           /* other vessels a circle counts */

static double lat_of(const pel_position *p) {
    return (double)p->lat / PEL_DEG;
}

static double lon_of(const pel_position *p) {
    return (double)p->lon / PEL_DEG;
}

/* Metres between two places in degrees. */
static double geo_m(double lat1, double lon1, double lat2, double lon2) {
    return trk_distance_m((int32_t)lround(lat1 * PEL_DEG), (int32_t)lround(lon1 * PEL_DEG),
                          (int32_t)lround(lat2 * PEL_DEG), (int32_t)lround(lon2 * PEL_DEG));
}

/* The MMSIs of others as strings in buf (n <= MAX_OTHERS), pointers in v. */
static void mmsi_names(const uint32_t *mm, size_t n, char buf[][12], const char **v) {
    for (size_t i = 0; i < n; i++) {
        snprintf(buf[i], sizeof buf[i], "%u", (unsigned)mm[i]);
        v[i] = buf[i];
    }
}

/* ---- on land, and legs across it ------------------------------------------------ */

/* True when p is position.inland_km inland (a cheap look at its own cell
 * first: most positions are at sea). */
static bool inland(const det_geo *g, const det_pos_opts *o, const pel_position *p) {
    return g->land_inland(g->ud, lat_of(p), lon_of(p), 0) && g->land_inland(g->ud, lat_of(p), lon_of(p), o->inland_km);
}

/* The speed in knots from a to b (INFINITY when no time passed and they differ). */
static double implied_kn(const pel_position *a, const pel_position *b) {
    double d = trk_distance_m(a->lat, a->lon, b->lat, b->lon), s = (double)(b->t_ms - a->t_ms) / 1000.0;
    if (s <= 0)
        return d > 0 ? INFINITY : 0;
    return d / s / KN_MS;
}

/* Emits the on_land finding for the run p[run[0..nrun)] entered from
 * position from, and left to position to (may be NULL). */
static void emit_on_land(const det_geo *g, uint32_t mmsi, const pel_position *p, const size_t *run, size_t nrun,
                         const pel_position *from, const pel_position *to, fnd_emit_fn emit, void *ud) {
    fnd_builder f = {0};
    f.event = "spoofing";
    f.mmsi = mmsi;
    f.start_ms = p[run[0]].t_ms;
    f.end_ms = p[run[nrun - 1]].t_ms;
    f.lat = lat_of(&p[run[0]]);
    f.lon = lon_of(&p[run[0]]);
    /* the deepest position (measured up to 200 km; each place once: a
     * spoofed position often stays put) */
    double depth = 0;
    for (size_t k = 0; g->land_depth_km && k < nrun; k++) {
        const pel_position *q = &p[run[k]];
        if (k && q->lat == p[run[k - 1]].lat && q->lon == p[run[k - 1]].lon)
            continue;
        double d = g->land_depth_km(g->ud, lat_of(q), lon_of(q), 200);
        if (d > depth)
            depth = d;
    }
    fnd_str(&f, "kind", "on_land");
    fnd_int(&f, "positions", (int64_t)nrun);
    fnd_num(&f, "max_inland_km", g->land_depth_km ? depth : NAN, 0);
    fnd_num(&f, "from_lat", lat_of(from), 6);
    fnd_num(&f, "from_lon", lon_of(from), 6);
    fnd_num(&f, "jump_km", trk_distance_m(from->lat, from->lon, p[run[0]].lat, p[run[0]].lon) / 1000.0, 1);
    fnd_num(&f, "jump_kn", implied_kn(from, &p[run[0]]), 1);
    fnd_bool(&f, "returned", to != NULL);
    /* the evidence: the last position off land, the run, the way back */
    fnd_add_position(&f, from);
    for (size_t k = 0; k < nrun; k++)
        fnd_add_position(&f, &p[run[k]]);
    if (to)
        fnd_add_position(&f, to);
    emit(ud, &f);
}

pel_status det_pos_land_track(const det_pos_opts *o, const det_geo *g, uint32_t mmsi, const pel_position *p, size_t n,
                              const det_resume *r, fnd_emit_fn emit, void *ud) {
    size_t at = r ? r->from : 0; /* the first position judged: the state is empty there */
    if (!g || !g->land_inland || n < 2 || at >= n)
        return PEL_OK;
    bool *in = malloc(n * sizeof *in);
    size_t *run = malloc(n * sizeof *run);
    if (!in || !run) {
        free(in);
        free(run);
        return PEL_ERR_NOMEM;
    }
    for (size_t i = at; i < n; i++)
        in[i] = inland(g, o, &p[i]);
    /* on land: runs of inland positions in time order (not along chains:
     * the track stage puts a jump inland in a segment of its own), entered
     * by a jump */
    size_t nrun = 0;
    const pel_position *from = NULL;
    bool jumped = false;
    for (size_t i = at; i < n; i++) {
        if (in[i]) {
            if (nrun && r && r->busy) /* the run goes on into p[i] */
                r->busy[i] = 1;
            if (!nrun) {
                /* a jump: too fast, and at least inland_km long (a GPS
                 * glitch of a few hundred metres on a river whose banks the
                 * mask blurs is not one) */
                jumped = i > 0 && implied_kn(&p[i - 1], &p[i]) > o->max_speed_kn &&
                         trk_distance_m(p[i - 1].lat, p[i - 1].lon, p[i].lat, p[i].lon) >= o->inland_km * 1000.0;
                from = i > 0 ? &p[i - 1] : NULL;
            }
            run[nrun++] = i;
            continue;
        }
        if (nrun && jumped)
            emit_on_land(g, mmsi, p, run, nrun, from, &p[i], emit, ud);
        nrun = 0;
    }
    if (nrun && jumped)
        emit_on_land(g, mmsi, p, run, nrun, from, NULL, emit, ud);
    /* legs across land: both ends off land, long enough to cross
     * crossing_km, believable in a straight line, impossible by sea */
    fnd_builder f = {0};
    double max_land = 0, first_land = NAN;
    for (size_t i = at; i + 1 < n && g->land_crossing_km && g->sea_route_km; i++) {
        size_t j = i + 1; /* the next position of the same segment: one transmitter's leg */
        if (p[j].segment != p[i].segment || in[i] || in[j])
            continue;
        /* a cheap bound first: legs well under crossing_km in both
         * latitude and longitude (km per degree at most 111.2) */
        if (fabs((double)(p[j].lat - p[i].lat)) / PEL_DEG * 111.2 < 0.7 * o->crossing_km &&
            fabs((double)(p[j].lon - p[i].lon)) / PEL_DEG * 111.2 < 0.7 * o->crossing_km)
            continue;
        double d_km = trk_distance_m(p[i].lat, p[i].lon, p[j].lat, p[j].lon) / 1000.0;
        double hours = (double)(p[j].t_ms - p[i].t_ms) / 3600000.0;
        if (d_km < o->crossing_km || hours <= 0 || implied_kn(&p[i], &p[j]) > o->max_speed_kn)
            continue;
        double land =
            g->land_crossing_km(g->ud, lat_of(&p[i]), lon_of(&p[i]), lat_of(&p[j]), lon_of(&p[j]), o->inland_km);
        if (land < o->crossing_km)
            continue;
        double reach_km = hours * o->max_speed_kn * 1.852;
        double route =
            g->sea_route_km(g->ud, lat_of(&p[i]), lon_of(&p[i]), lat_of(&p[j]), lon_of(&p[j]), o->inland_km, reach_km);
        if (!isinf(route))
            continue; /* a sea route fits the time, or not judged (NAN) */
        if (!f.event) {
            f.event = "spoofing";
            f.mmsi = mmsi;
            f.start_ms = p[i].t_ms;
            f.lat = lat_of(&p[i]);
            f.lon = lon_of(&p[i]);
            fnd_str(&f, "kind", "land_crossing");
            fnd_num(&f, "to_lat", lat_of(&p[j]), 6);
            fnd_num(&f, "to_lon", lon_of(&p[j]), 6);
            fnd_num(&f, "distance_km", d_km, 1);
            fnd_num(&f, "hours", hours, 2);
            fnd_num(&f, "reach_km", reach_km, 1);
            first_land = land;
        }
        if (land > max_land)
            max_land = land;
        f.end_ms = p[j].t_ms;
        fnd_add_position(&f, &p[i]);
        fnd_add_position(&f, &p[j]);
    }
    if (f.event) {
        /* one finding for the whole track: no step after the first judged
         * is quiet */
        for (size_t k = at + 1; r && r->busy && k < n; k++)
            r->busy[k] = 1;
        fnd_num(&f, "land_km", first_land, 1);
        fnd_int(&f, "legs", (int64_t)(f.nev_total / 2));
        fnd_num(&f, "max_land_km", max_land, 1);
        emit(ud, &f);
    }
    free(in);
    free(run);
    return PEL_OK;
}

/* ---- circles and common points: kept per vessel, judged at the finish ---------- */

/* A circle one vessel's positions drew. */
typedef struct pos_circle {
    uint32_t mmsi;
    double clat, clon, radius_m, arc_deg, dev_m;
    int64_t t0, t1;
    size_t npos;
    pel_position ev[FND_MAX_EVIDENCE / 2]; /* its first positions */
    size_t nev;
} pos_circle;

/* Coordinates one vessel reported again and again. */
typedef struct pos_point {
    int32_t lat, lon;
    uint32_t mmsi;
    uint32_t reports;
    int64_t t0, t1;
    pel_position first, last;
} pos_point;

typedef struct pos_state {
    pos_circle *c;
    size_t nc, capc;
    pos_point *pt;
    size_t npt, cappt;
    bool nomem;
} pos_state;

/* Fits a circle to m points (x, y in metres): Kasa's algebraic fit.
 * False when they are degenerate (all in one place, on a line). */
static bool fit_circle(const double *x, const double *y, size_t m, double *cx, double *cy, double *r) {
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, sxz = 0, syz = 0, sz = 0;
    for (size_t k = 0; k < m; k++) {
        double z = x[k] * x[k] + y[k] * y[k];
        sx += x[k];
        sy += y[k];
        sxx += x[k] * x[k];
        syy += y[k] * y[k];
        sxy += x[k] * y[k];
        sxz += x[k] * z;
        syz += y[k] * z;
        sz += z;
    }
    /* solve [sxx sxy sx; sxy syy sy; sx sy m] [D E F]' = -[sxz syz sz]' */
    double a[3][4] = {{sxx, sxy, sx, -sxz}, {sxy, syy, sy, -syz}, {sx, sy, (double)m, -sz}};
    for (int c = 0; c < 3; c++) {
        int piv = c;
        for (int r2 = c + 1; r2 < 3; r2++)
            if (fabs(a[r2][c]) > fabs(a[piv][c]))
                piv = r2;
        if (fabs(a[piv][c]) < 1e-9)
            return false;
        for (int k = 0; k < 4; k++) {
            double t = a[c][k];
            a[c][k] = a[piv][k];
            a[piv][k] = t;
        }
        for (int r2 = 0; r2 < 3; r2++)
            if (r2 != c) {
                double fct = a[r2][c] / a[c][c];
                for (int k = 0; k < 4; k++)
                    a[r2][k] -= fct * a[c][k];
            }
    }
    double D = a[0][3] / a[0][0], E = a[1][3] / a[1][1], F = a[2][3] / a[2][2];
    *cx = -D / 2;
    *cy = -E / 2;
    double r2 = *cx * *cx + *cy * *cy - F;
    if (!(r2 > 0))
        return false;
    *r = sqrt(r2);
    return true;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The arc, in degrees, the angles ang[0..m) (radians, sorted in place)
 * cover: 360 less the widest gap between neighbours. */
static double arc_covered(double *ang, size_t m) {
    xqsort(ang, m, sizeof *ang, cmp_double);
    double gap = ang[0] + 2 * M_PI - ang[m - 1];
    for (size_t k = 1; k < m; k++)
        if (ang[k] - ang[k - 1] > gap)
            gap = ang[k] - ang[k - 1];
    return 360.0 - gap * 180.0 / M_PI;
}

/* Positions p[i..) in metres east and north of p[i], m of them, into x, y. */
static void local_xy(const pel_position *p, size_t i, size_t m, double *x, double *y) {
    double k = cos(lat_of(&p[i]) * M_PI / 180.0) * 111320.0;
    for (size_t q = 0; q < m; q++) {
        x[q] = (double)(p[i + q].lon - p[i].lon) / PEL_DEG * k;
        y[q] = (double)(p[i + q].lat - p[i].lat) / PEL_DEG * 111320.0;
    }
}

/* True when the circle through a, b and c (metres east and north of a,
 * flat) has a radius from circle_min_radius_m / 2 to 2 circle_max_radius_m:
 * the window's only chance of lying on a circle judged. */
static bool three_point_radius_ok(const det_pos_opts *o, const pel_position *a, const pel_position *b,
                                  const pel_position *c, double coslat) {
    double k = 111320.0 / PEL_DEG, ke = k * coslat;
    double bx = (double)(b->lon - a->lon) * ke, by = (double)(b->lat - a->lat) * k;
    double cx = (double)(c->lon - a->lon) * ke, cy = (double)(c->lat - a->lat) * k;
    double ab2 = bx * bx + by * by, ac2 = cx * cx + cy * cy, bc2 = (cx - bx) * (cx - bx) + (cy - by) * (cy - by);
    double cross = fabs(bx * cy - by * cx); /* twice the triangle's area */
    double rmin = o->circle_min_radius_m / 2, rmax = 2 * o->circle_max_radius_m;
    if (cross == 0)
        return false;
    /* R = |ab| |ac| |bc| / (2 cross), compared squared */
    double r2 = ab2 * ac2 * bc2 / (4 * cross * cross);
    return r2 >= rmin * rmin && r2 <= rmax * rmax;
}

/* Finds one vessel's circles (each run of consecutive positions of one
 * segment on an exact circle) and keeps them in st. */
static void find_circles(const det_pos_opts *o, pos_state *st, uint32_t mmsi, const pel_position *p, size_t n) {
    size_t K = (size_t)o->circle_points;
    if (n < K)
        return;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *ang = malloc(n * sizeof *ang);
    if (!x || !y || !ang) {
        st->nomem = true;
        goto out;
    }
    int32_t cos_at = p[0].lat;
    double coslat = cos((double)cos_at / PEL_DEG * M_PI / 180.0);
    for (size_t i = 0; i + K <= n;) {
        /* a window of one segment whose first, middle and last positions
         * lie on a circle of a radius judged (a cheap look: most windows
         * are straight or still) */
        if (fabs((double)(p[i].lat - cos_at)) > PEL_DEG) { /* the cosine again every degree of latitude */
            cos_at = p[i].lat;
            coslat = cos((double)cos_at / PEL_DEG * M_PI / 180.0);
        }
        if (p[i].segment != p[i + K - 1].segment ||
            !three_point_radius_ok(o, &p[i], &p[i + K / 2], &p[i + K - 1], coslat)) {
            i++;
            continue;
        }
        local_xy(p, i, K, x, y);
        double cx, cy, r;
        bool ok = fit_circle(x, y, K, &cx, &cy, &r) && r >= o->circle_min_radius_m && r <= o->circle_max_radius_m;
        double dev = 0;
        for (size_t q = 0; ok && q < K; q++) {
            double e = fabs(hypot(x[q] - cx, y[q] - cy) - r);
            dev = e > dev ? e : dev;
            ok = e <= o->circle_tolerance_m;
        }
        if (!ok) {
            i++;
            continue;
        }
        /* extend the run while the next position stays on the circle */
        size_t j = i + K;
        double k = cos(lat_of(&p[i]) * M_PI / 180.0) * 111320.0;
        while (j < n && p[j].segment == p[i].segment) {
            double xj = (double)(p[j].lon - p[i].lon) / PEL_DEG * k,
                   yj = (double)(p[j].lat - p[i].lat) / PEL_DEG * 111320.0;
            double e = fabs(hypot(xj - cx, yj - cy) - r);
            if (e > o->circle_tolerance_m)
                break;
            dev = e > dev ? e : dev;
            j++;
        }
        size_t m = j - i;
        local_xy(p, i, m, x, y);
        for (size_t q = 0; q < m; q++)
            ang[q] = atan2(y[q] - cy, x[q] - cx);
        double arc = arc_covered(ang, m);
        if (arc < o->circle_min_arc_deg) {
            i++;
            continue;
        }
        if (st->nc == st->capc) {
            size_t nc = st->capc ? 2 * st->capc : 16;
            pos_circle *nv = realloc(st->c, nc * sizeof *nv);
            if (!nv) {
                st->nomem = true;
                goto out;
            }
            st->c = nv;
            st->capc = nc;
        }
        pos_circle *c = &st->c[st->nc++];
        memset(c, 0, sizeof *c);
        c->mmsi = mmsi;
        c->clat = lat_of(&p[i]) + cy / 111320.0;
        c->clon = lon_of(&p[i]) + cx / k;
        c->radius_m = r;
        c->arc_deg = arc;
        c->dev_m = dev;
        c->t0 = p[i].t_ms;
        c->t1 = p[j - 1].t_ms;
        c->npos = m;
        for (size_t q = 0; q < m && c->nev < sizeof c->ev / sizeof c->ev[0]; q++)
            c->ev[c->nev++] = p[i + q];
        i = j;
    }
out:
    free(x);
    free(y);
    free(ang);
}

static int cmp_point(const void *a, const void *b);

/* Keeps the coordinates one vessel reported point_min_reports times or more
 * in a row (a receiver moved to a fixed point reports it again and again;
 * looking only at runs keeps a moving vessel's positions out at the cost of
 * one comparison each), runs at the same coordinates merged. */
static void find_points(const det_pos_opts *o, pos_state *st, uint32_t mmsi, const pel_position *p, size_t n) {
    size_t first = st->npt;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && p[j].lat == p[i].lat && p[j].lon == p[i].lon)
            j++;
        /* 0, 0 is what a receiver without a fix sends, not a place */
        if (j - i >= (size_t)o->point_min_reports && (p[i].lat || p[i].lon)) {
            if (st->npt == st->cappt) {
                size_t nc = st->cappt ? 2 * st->cappt : 64;
                pos_point *nv = realloc(st->pt, nc * sizeof *nv);
                if (!nv) {
                    st->nomem = true;
                    return;
                }
                st->pt = nv;
                st->cappt = nc;
            }
            st->pt[st->npt++] =
                (pos_point){p[i].lat, p[i].lon, mmsi, (uint32_t)(j - i), p[i].t_ms, p[j - 1].t_ms, p[i], p[j - 1]};
        }
        i = j;
    }
    /* one entry per coordinate of this vessel */
    size_t m = st->npt - first, w = first;
    xqsort(st->pt + first, m, sizeof *st->pt, cmp_point);
    for (size_t k = first; k < st->npt; k++) {
        pos_point *q = &st->pt[k], *last = w > first ? &st->pt[w - 1] : NULL;
        if (last && last->lat == q->lat && last->lon == q->lon) {
            last->reports += q->reports;
            if (q->t1 > last->t1) {
                last->t1 = q->t1;
                last->last = q->last;
            }
            continue;
        }
        st->pt[w++] = *q;
    }
    st->npt = w;
}

static int cmp_point(const void *a, const void *b) {
    const pos_point *x = a, *y = b;
    if (x->lat != y->lat)
        return x->lat < y->lat ? -1 : 1;
    if (x->lon != y->lon)
        return x->lon < y->lon ? -1 : 1;
    if (x->t0 != y->t0)
        return x->t0 < y->t0 ? -1 : 1;
    return (x->mmsi > y->mmsi) - (x->mmsi < y->mmsi);
}

/* Emits common_point findings: for each coordinate, clusters of vessels
 * whose reports there lie within window_h of each other. */
static void emit_points(const det_pos_opts *o, pos_state *st, fnd_emit_fn emit, void *ud) {
    xqsort(st->pt, st->npt, sizeof *st->pt, cmp_point);
    int64_t win = (int64_t)(o->window_h * 3600000.0);
    for (size_t i = 0; i < st->npt;) {
        /* a cluster: same coordinates, each report span starting within
         * the window of the spans before it */
        size_t j = i + 1;
        int64_t end = st->pt[i].t1;
        while (j < st->npt && st->pt[j].lat == st->pt[i].lat && st->pt[j].lon == st->pt[i].lon &&
               st->pt[j].t0 <= end + win) {
            if (st->pt[j].t1 > end)
                end = st->pt[j].t1;
            j++;
        }
        if (j - i >= (size_t)o->min_vessels)
            for (size_t a = i; a < j; a++) {
                const pos_point *q = &st->pt[a];
                uint32_t others[MAX_OTHERS];
                size_t no = 0;
                for (size_t b = i; b < j && no < MAX_OTHERS; b++)
                    if (b != a)
                        others[no++] = st->pt[b].mmsi;
                char buf[MAX_OTHERS][12];
                const char *v[MAX_OTHERS];
                mmsi_names(others, no, buf, v);
                fnd_builder f = {0};
                f.event = "spoofing";
                f.mmsi = q->mmsi;
                f.start_ms = q->t0;
                f.end_ms = q->t1;
                f.lat = (double)q->lat / PEL_DEG;
                f.lon = (double)q->lon / PEL_DEG;
                fnd_str(&f, "kind", "common_point");
                fnd_int(&f, "reports", q->reports);
                fnd_int(&f, "vessels", (int64_t)(j - i));
                fnd_strs(&f, "others", v, no);
                fnd_add_position(&f, &q->first);
                if (q->reports > 1)
                    fnd_add_position(&f, &q->last);
                f.nev_total = q->reports;
                emit(ud, &f);
            }
        i = j;
    }
}

/* Emits circle findings: each circle with at least min_vessels - 1 other
 * vessels' circles around a centre within circle_center_m, in time within
 * window_h of it. */
static void emit_circles(const det_pos_opts *o, pos_state *st, fnd_emit_fn emit, void *ud) {
    int64_t win = (int64_t)(o->window_h * 3600000.0);
    for (size_t a = 0; a < st->nc; a++) {
        const pos_circle *c = &st->c[a];
        uint32_t seen[MAX_SEEN];
        size_t nv = 0; /* distinct other vessels (counted up to MAX_SEEN) */
        for (size_t b = 0; b < st->nc && nv < MAX_SEEN; b++) {
            const pos_circle *d = &st->c[b];
            if (d->mmsi == c->mmsi || d->t0 > c->t1 + win || c->t0 > d->t1 + win)
                continue;
            if (geo_m(c->clat, c->clon, d->clat, d->clon) > o->circle_center_m)
                continue;
            bool dup = false;
            for (size_t k = 0; k < nv && !dup; k++)
                dup = seen[k] == d->mmsi;
            if (!dup)
                seen[nv++] = d->mmsi;
        }
        size_t no = nv < MAX_OTHERS ? nv : MAX_OTHERS;
        uint32_t *others = seen;
        nv++; /* and this one */
        if (nv < (size_t)o->min_vessels)
            continue;
        char buf[MAX_OTHERS][12];
        const char *v[MAX_OTHERS];
        mmsi_names(others, no, buf, v);
        fnd_builder f = {0};
        f.event = "spoofing";
        f.mmsi = c->mmsi;
        f.start_ms = c->t0;
        f.end_ms = c->t1;
        f.lat = c->clat;
        f.lon = c->clon;
        fnd_str(&f, "kind", "circle");
        fnd_num(&f, "radius_m", c->radius_m, 1);
        fnd_num(&f, "max_deviation_m", c->dev_m, 2);
        fnd_num(&f, "arc_deg", c->arc_deg, 0);
        fnd_int(&f, "positions", (int64_t)c->npos);
        fnd_int(&f, "vessels", (int64_t)nv);
        fnd_strs(&f, "others", v, no);
        for (size_t k = 0; k < c->nev; k++)
            fnd_add_position(&f, &c->ev[k]);
        f.nev_total = c->npos;
        emit(ud, &f);
    }
}

/* ---- hooks --------------------------------------------------------------------- */

pel_status det_pos_begin(det_call *c) {
    c->state = calloc(1, sizeof(pos_state));
    return c->state ? PEL_OK : PEL_ERR_NOMEM;
}

pel_status det_pos_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n) {
    const det_pos_opts *o = c->opts;
    pos_state *st = c->state;
    pel_status rc = det_pos_land_track(o, &c->env->geo, mmsi, p, n, c->resume, c->emit, c->ud);
    if (rc == PEL_OK)
        rc = det_pos_offset_track(o, mmsi, p, n, c->emit, c->ud);
    find_circles(o, st, mmsi, p, n);
    find_points(o, st, mmsi, p, n);
    return rc != PEL_OK ? rc : st->nomem ? PEL_ERR_NOMEM : PEL_OK;
}

pel_status det_pos_finish(det_call *c) {
    pos_state *st = c->state;
    emit_points(c->opts, st, c->emit, c->ud);
    emit_circles(c->opts, st, c->emit, c->ud);
    return PEL_OK;
}

void det_pos_cleanup(det_call *c) {
    pos_state *st = c->state;
    if (st) {
        free(st->c);
        free(st->pt);
        free(st);
    }
    c->state = NULL;
}
