/*
 * report_draw.c -- a vessel's track as the report's map draws it
 * (report_internal.h): the drawable positions grouped by segment, each
 * segment simplified by Douglas-Peucker, the tolerance doubled until the
 * whole vessel fits report.max_points_per_vessel points
 * (report.simplify_deg to start with, docs/report.md).  tracks.geojson
 * keeps every position; only the page's drawing is simplified.
 *
 * Coordinates are written with 5 decimals (about a metre), times as whole
 * Unix seconds (rounded down).  The same positions and settings give the
 * same drawing.
 *
 * Memory: the vessel's drawable positions once more (scratch kept between
 * vessels), a flag and a stack entry per position.
 *
 * Limits: simplified in the plane of longitude and latitude (no
 * antimeridian handling: a track across it is drawn the long way, but
 * never with NaNs); the doubling stops after 60 rounds or past 360 degrees,
 * so a vessel of very many segments may keep more points than the limit
 * (each segment keeps its two ends).
 */
#include <stdlib.h>
#include <string.h>

#include "report/report_internal.h"
#include "util/xsort.h"

static json_t *jcoord(int32_t raw, double scale) {
    return json_real(rpt_round_to((double)raw / PEL_DEG, scale));
}

/* Distance in degrees (plane) from p to the segment a-b. */
static double seg_dist(double px, double py, double ax, double ay, double bx, double by) {
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy, t = 0;
    if (len2 > 0) {
        t = ((px - ax) * dx + (py - ay) * dy) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
    }
    double ex = ax + t * dx - px, ey = ay + t * dy - py;
    return sqrt(ex * ex + ey * ey);
}

/* Douglas-Peucker over p[0..n) with tolerance tol: marks keep[i]; returns
 * how many are kept (the ends always).  Iterative: an explicit stack of
 * ranges, at most n entries. */
static size_t simplify(const pel_position *p, size_t n, double tol, bool *keep, size_t *stack) {
    if (!n)
        return 0;
    memset(keep, 0, n * sizeof *keep);
    keep[0] = keep[n - 1] = true;
    size_t kept = n > 1 ? 2 : 1, sp = 0;
    if (n > 2) {
        stack[sp++] = 0;
        stack[sp++] = n - 1;
    }
    while (sp) {
        size_t b = stack[--sp], a = stack[--sp];
        double ax = (double)p[a].lon / PEL_DEG, ay = (double)p[a].lat / PEL_DEG;
        double bx = (double)p[b].lon / PEL_DEG, by = (double)p[b].lat / PEL_DEG;
        double best = -1;
        size_t at = 0;
        for (size_t i = a + 1; i < b; i++) {
            double d = seg_dist((double)p[i].lon / PEL_DEG, (double)p[i].lat / PEL_DEG, ax, ay, bx, by);
            if (d > best) {
                best = d;
                at = i;
            }
        }
        if (best > tol) {
            keep[at] = true;
            kept++;
            if (at - a > 1) {
                stack[sp++] = a;
                stack[sp++] = at;
            }
            if (b - at > 1) {
                stack[sp++] = at;
                stack[sp++] = b;
            }
        }
    }
    return kept;
}

bool rpt_drawable(const pel_position *p) {
    return p->segment >= 0 && !(p->flags & PEL_POS_BAD_COORD) && p->lat >= -90 * PEL_DEG && p->lat <= 90 * PEL_DEG &&
           p->lon >= -180 * PEL_DEG && p->lon <= 180 * PEL_DEG;
}

static int cmp_seg(const void *a, const void *b) {
    const pel_position *x = a, *y = b;
    if (x->segment != y->segment)
        return x->segment < y->segment ? -1 : 1;
    if (x->t_ms != y->t_ms)
        return x->t_ms < y->t_ms ? -1 : 1;
    return 0;
}

json_t *rpt_draw_track(rpt_drawer *d, uint32_t mmsi, const pel_position *p, size_t n) {
    json_t *t = json_object(), *segs = json_array();
    json_object_set_new(t, "mmsi", json_integer(mmsi));
    json_object_set_new(t, "segments", segs);
    if (!n)
        return t;
    if (n > d->grpcap) {
        pel_position *ng = realloc(d->grp, n * sizeof *ng);
        if (!ng) {
            d->nomem = true;
            return t;
        }
        d->grp = ng;
        d->grpcap = n;
    }
    pel_position *g = d->grp;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (rpt_drawable(&p[i]))
            g[k++] = p[i];
    if (!k)
        return t;
    /* stable by time within a segment: positions come in time order */
    xqsort(g, k, sizeof *g, cmp_seg);
    bool *keep = malloc(k * sizeof *keep);
    size_t *stack = malloc((k + 2) * sizeof *stack);
    if (!keep || !stack) {
        free(keep);
        free(stack);
        d->nomem = true;
        return t;
    }
    double tol = d->set.simplify_deg;
    for (int round = 0;; round++) {
        size_t total = 0;
        for (size_t a = 0, b; a < k; a = b) {
            for (b = a + 1; b < k && g[b].segment == g[a].segment; b++)
                ;
            total += simplify(g + a, b - a, tol, keep + a, stack);
        }
        if (total <= d->set.max_points || round >= 60 || tol > 360)
            break;
        tol = tol > 0 ? tol * 2 : 1e-6;
    }
    for (size_t a = 0, b; a < k; a = b) {
        for (b = a + 1; b < k && g[b].segment == g[a].segment; b++)
            ;
        json_t *seg = json_object(), *coords = json_array();
        json_object_set_new(seg, "segment", json_integer(g[a].segment));
        for (size_t i = a; i < b; i++) {
            if (!keep[i])
                continue;
            json_t *c = json_array();
            json_array_append_new(c, jcoord(g[i].lon, 1e5));
            json_array_append_new(c, jcoord(g[i].lat, 1e5));
            int64_t ms = g[i].t_ms;
            json_array_append_new(c, json_integer(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000)));
            json_array_append_new(coords, c);
            d->points++;
        }
        json_object_set_new(seg, "coords", coords);
        json_array_append_new(segs, seg);
    }
    free(keep);
    free(stack);
    return t;
}

void rpt_drawer_free(rpt_drawer *d) {
    if (!d)
        return;
    free(d->grp);
    d->grp = NULL;
    d->grpcap = 0;
}
