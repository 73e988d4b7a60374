/*
 * det_loiter.c -- loitering: one vessel slow for hours far from shore.
 * Defaults after Global Fishing Watch: under 2 kn for at least 4 h, at least
 * 20 nm (37,040 m) from shore.
 *
 * Rules.
 *  - A run is a maximal sequence of consecutive positions each slow: SOG <
 *    max_speed_kn.  A position without SOG (PEL_NA_SPEED) is judged by the
 *    speed implied by the distance from the previous position of the run
 *    (so it can continue a run, never start one).
 *  - A run ends before a position that is not slow, that comes more than
 *    max_gap_h (1 h) after the previous one (a dark period is the gap
 *    detector's business: the two sides are judged separately), or whose
 *    distance from the previous position, less noise_m (200 m of jitter),
 *    implies more than max_implied_speed_kn (3 kn): the reported SOG is not
 *    believed (broken or frozen SOG).  That position may start the next run.
 *  - A run is reported when last time - first time >= min_duration_h and
 *    its mean position is >= min_port_distance_m from the nearest port.
 *    There is no coastline data: the distance from the nearest port stands
 *    in for the distance from shore, and each finding says so with
 *    "shore_distance_basis":"nearest_port".  Without port data (geo or its
 *    port_dist_m NULL, or no port at all) the rule is not applied and the
 *    finding says "port_distance":"unknown".
 *
 * Findings: event "loitering", start/end (first and last position of the
 * run), the mean position, members duration_h, mean_speed_kn, max_speed_kn
 * (over the positions' speeds, implied ones included), positions,
 * distance_from_port_nm, nearest_port, shore_distance_basis; evidence: the
 * positions of the run, evenly sampled with the first and last included
 * when there are more than DET_MAX_EVIDENCE (nev_total = all of them).
 *
 * In the scan the loitering row runs after the gap row, and its finish
 * adds the vessels dark at the time that could have come alongside
 * ("possible_partners": det_rendezvous.c, which holds the hooks).
 *
 * Limits: the mean position is judged, not every position (a vessel
 * drifting under 2 kn moves at most a few nm in a run of hours).  Mean
 * longitude is taken relative to the first position, so runs across the
 * antimeridian are fine.  No memory is allocated.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "detectors.h"
#include "track/trk.h"

#define KN_MS (1852.0 / 3600.0)

void det_loiter_default_opts(det_loiter_opts *o) {
    det_opts_default(&det_table[DET_LOITERING], o);
}

static double implied_kn(const pel_position *a, const pel_position *b, double noise_m) {
    double dt = (b->t_ms - a->t_ms) / 1000.0;
    double d = trk_distance_m(a->lat, a->lon, b->lat, b->lon) - noise_m;
    if (d <= 0)
        return 0;
    return dt > 0 ? d / dt / KN_MS : INFINITY;
}

static double raw_kn(const pel_position *a, const pel_position *b) {
    double dt = (b->t_ms - a->t_ms) / 1000.0;
    return dt > 0 ? trk_distance_m(a->lat, a->lon, b->lat, b->lon) / dt / KN_MS : 0;
}

/* Speed of p[i] in knots for the run rules: its SOG, or when it has none,
 * the speed implied from prev (NAN without one). */
static double speed_of(const pel_position *p, const pel_position *prev) {
    if (p->speed != PEL_NA_SPEED)
        return p->speed / 10.0;
    return prev ? raw_kn(prev, p) : NAN;
}

static int32_t lon_norm(int64_t lon) {
    while (lon >= 180LL * PEL_DEG)
        lon -= 360LL * PEL_DEG;
    while (lon < -180LL * PEL_DEG)
        lon += 360LL * PEL_DEG;
    return (int32_t)lon;
}

static int64_t dlon_wrap(int32_t a, int32_t b) {
    int64_t d = (int64_t)b - a;
    if (d > 180LL * PEL_DEG)
        d -= 360LL * PEL_DEG;
    else if (d <= -180LL * PEL_DEG)
        d += 360LL * PEL_DEG;
    return d;
}

/* Judges the run p[i0..i1] and emits it when it qualifies. */
static void judge(const det_loiter_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t i0,
                  size_t i1, fnd_emit_fn emit, void *ud) {
    if ((double)(p[i1].t_ms - p[i0].t_ms) < o->min_duration_h * 3600000.0)
        return;
    size_t n = i1 - i0 + 1;
    double slat = 0, slon = 0, ssp = 0, msp = 0;
    for (size_t i = i0; i <= i1; i++) {
        slat += p[i].lat;
        slon += (double)dlon_wrap(p[i0].lon, p[i].lon);
        double v = speed_of(&p[i], i > i0 ? &p[i - 1] : NULL);
        if (isnan(v))
            v = 0; /* cannot happen: a run never starts without SOG */
        ssp += v;
        if (v > msp)
            msp = v;
    }
    double lat = slat / n / PEL_DEG, lon = lon_norm(p[i0].lon + llround(slon / n)) / (double)PEL_DEG;
    double nm = NAN;         /* to the nearest port: null when there is none, or no port data */
    const char *name = NULL; /* its name */
    if (geo && geo->port_dist_m) {
        int port = -1;
        double d = geo->port_dist_m(geo->ud, lat, lon, &port);
        if (isfinite(d)) {
            if (d < o->min_port_distance_m)
                return;
            nm = d / 1852.0;
        }
        if (port >= 0 && geo->port_name)
            name = geo->port_name(geo->ud, port);
    }
    fnd_builder f = {0};
    f.event = "loitering";
    f.mmsi = mmsi;
    f.start_ms = p[i0].t_ms;
    f.end_ms = p[i1].t_ms;
    f.lat = lat;
    f.lon = lon;
    fnd_num(&f, "duration_h", (p[i1].t_ms - p[i0].t_ms) / 3600000.0, 2);
    fnd_num(&f, "mean_speed_kn", ssp / n, 2);
    fnd_num(&f, "max_speed_kn", msp, 2);
    fnd_int(&f, "positions", (int64_t)n);
    fnd_num(&f, "distance_from_port_nm", nm, 1);
    fnd_str(&f, "nearest_port", name);
    fnd_str(&f, "shore_distance_basis", "nearest_port");
    if (isnan(nm))
        fnd_str(&f, "port_distance", "unknown");
    if (n <= FND_MAX_EVIDENCE) {
        for (size_t i = i0; i <= i1; i++)
            fnd_add_position(&f, &p[i]);
    } else {
        for (size_t k = 0; k < FND_MAX_EVIDENCE; k++)
            fnd_add_position(&f, &p[i0 + k * (n - 1) / (FND_MAX_EVIDENCE - 1)]);
        f.nev_total = n;
    }
    emit(ud, &f);
}

void det_loiter_track(const det_loiter_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                      const det_resume *r, fnd_emit_fn emit, void *ud) {
    det_loiter_opts dflt;
    if (!o) {
        det_loiter_default_opts(&dflt);
        o = &dflt;
    }
    const double gap_ms = o->max_gap_h * 3600000.0;
    size_t start = 0;
    bool open = false;
    for (size_t i = r ? r->from : 0; i < n; i++) {
        if (open) {
            const pel_position *prev = &p[i - 1];
            double v = speed_of(&p[i], prev);
            bool joins = (double)(p[i].t_ms - prev->t_ms) <= gap_ms && v < o->max_speed_kn &&
                         implied_kn(prev, &p[i], o->noise_m) <= o->max_implied_speed_kn;
            if (joins) {
                if (r && r->busy) /* the run goes on into p[i] */
                    r->busy[i] = 1;
                continue;
            }
            judge(o, geo, mmsi, p, start, i - 1, emit, ud);
            open = false;
        }
        if (p[i].speed != PEL_NA_SPEED && p[i].speed / 10.0 < o->max_speed_kn) {
            start = i;
            open = true;
        }
    }
    if (open)
        judge(o, geo, mmsi, p, start, n - 1, emit, ud);
}
