/*
 * segment.c -- one vessel's positions into canonical order and segments.
 *
 * In the spirit of Global Fishing Watch's segmenter (gpsdio-segment): a
 * position joins the open segment it can be reached from at a possible
 * speed (the nearest one, if several); when none can reach it, it starts a
 * segment of its own, alongside the others that stay open.  Two
 * transmitters sharing one MMSI thus become parallel segments, never one
 * zig-zag track, and a lone outlier becomes a one-position segment flagged
 * PEL_POS_ISOLATED.  A segment closes after max_silence_h without a
 * position.  Nothing is deleted: bad positions are flagged and left out of
 * segments (segment -1).
 *
 * Duplicates: the same report heard by several receivers (or ingested
 * twice) -- equal message class, position, speed, course, heading, status
 * and report second within dedupe_window_s -- is kept once: the earliest,
 * ties broken by input and line, so the result does not depend on input
 * order.
 *
 * Limits: at most 16 segments open at once (the oldest closes first).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trk.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define MAX_OPEN 16
#define NM 1852.0

void trk_default_opts(trk_opts *o) {
    o->max_speed_kn = 30.0;
    o->noise_nm = 0.5;
    o->max_silence_h = 24.0;
    o->dedupe_window_s = 30;
    o->now_ms = INT64_MAX / 2;
}

double trk_distance_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2) {
    const double k = M_PI / 180.0 / PEL_DEG;
    double p1 = lat1 * k, p2 = lat2 * k, dp = (lat2 - lat1) * k, dl = (lon2 - lon1) * k;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * 6371008.8 * asin(sqrt(a < 1 ? a : 1));
}

/* Canonical order: time, then every field of the report, then where it
 * came from, so equal inputs sort equally. */
#define CMP(f)                                                                                                         \
    if (x->f != y->f)                                                                                                  \
    return x->f < y->f ? -1 : 1
int trk_cmp_report(const pel_position *x, const pel_position *y) {
    CMP(t_ms);
    CMP(lat);
    CMP(lon);
    CMP(speed);
    CMP(course);
    CMP(heading);
    CMP(status);
    CMP(type);
    CMP(second);
    return 0;
}

int trk_cmp_pos(const pel_position *x, const pel_position *y) {
    int c = trk_cmp_report(x, y);
    if (c)
        return c;
    CMP(input);
    CMP(line);
    CMP(source);
    return 0;
}
#undef CMP

static int cmp_pos(const void *a, const void *b) { return trk_cmp_pos(a, b); }

static bool same_report(const pel_position *a, const pel_position *b) {
    bool class_a = a->type != 18 && a->type != 19, class_b = b->type != 18 && b->type != 19;
    return a->lat == b->lat && a->lon == b->lon && a->speed == b->speed && a->course == b->course &&
           a->heading == b->heading && a->status == b->status && class_a == class_b &&
           (a->second < 0 || b->second < 0 || a->second == b->second);
}

static bool bad_coord(const pel_position *p) {
    return p->lat < -90 * PEL_DEG || p->lat > 90 * PEL_DEG || p->lon < -180 * PEL_DEG || p->lon > 180 * PEL_DEG;
}

pel_status trk_build(pel_position *p, size_t n, const trk_opts *o, size_t *n_out, size_t *dups, trk_segment **segs,
                     size_t *nsegs) {
    *segs = NULL;
    *nsegs = 0;
    *dups = 0;
    qsort(p, n, sizeof *p, cmp_pos);

    /* duplicates: compare with the kept positions of the last window */
    int64_t window = (int64_t)o->dedupe_window_s * 1000;
    size_t k = 0, first_in_window = 0;
    for (size_t i = 0; i < n; i++) {
        while (first_in_window < k && p[i].t_ms - p[first_in_window].t_ms > window)
            first_in_window++;
        bool dup = false;
        for (size_t j = first_in_window; j < k && !dup; j++)
            dup = same_report(&p[j], &p[i]);
        if (dup) {
            (*dups)++;
            continue;
        }
        if (k != i) {
            pel_position t = p[k];
            p[k] = p[i];
            p[i] = t;
        }
        p[k].flags = 0;
        p[k].segment = -1;
        k++;
    }
    *n_out = k;
    n = k;

    size_t cap = 16;
    trk_segment *sv = malloc(cap * sizeof *sv);
    if (!sv)
        return PEL_ERR_NOMEM;
    size_t ns = 0;
    int open[MAX_OPEN];
    size_t last[MAX_OPEN]; /* index of each open segment's last position */
    int nopen = 0;
    int64_t silence = (int64_t)(o->max_silence_h * 3600000.0);
    int64_t earliest = (int64_t)631152000000; /* 1990-01-01: AIS did not exist before */

    for (size_t i = 0; i < n; i++) {
        pel_position *q = &p[i];
        if (q->t_ms < earliest || q->t_ms > o->now_ms + 86400000) {
            q->flags |= PEL_POS_BAD_TIME;
            continue;
        }
        if (bad_coord(q)) {
            q->flags |= PEL_POS_BAD_COORD;
            continue;
        }
        /* close what has been silent too long */
        for (int j = 0; j < nopen;) {
            if (q->t_ms - p[last[j]].t_ms > silence) {
                open[j] = open[nopen - 1];
                last[j] = last[nopen - 1];
                nopen--;
            } else
                j++;
        }
        /* of the segments that can reach it, the established one (most
         * positions) wins, so a lone outlier never takes the track over;
         * then the nearer one */
        int best = -1;
        double best_d = 0;
        for (int j = 0; j < nopen; j++) {
            const pel_position *l = &p[last[j]];
            double d = trk_distance_m(l->lat, l->lon, q->lat, q->lon);
            double hours = (double)(q->t_ms - l->t_ms) / 3600000.0;
            bool ok = d <= o->noise_nm * NM || (hours > 0 && d / NM / hours <= o->max_speed_kn);
            if (!ok)
                continue;
            uint32_t nj = sv[open[j]].n, nb = best >= 0 ? sv[open[best]].n : 0;
            if (best < 0 || nj > nb || (nj == nb && d < best_d)) {
                best = j;
                best_d = d;
            }
        }
        if (best >= 0) {
            trk_segment *s = &sv[open[best]];
            s->distance_m += best_d;
            s->t1 = q->t_ms;
            s->n++;
            s->lat1 = q->lat;
            s->lon1 = q->lon;
            if (q->lat < s->min_lat) s->min_lat = q->lat;
            if (q->lat > s->max_lat) s->max_lat = q->lat;
            if (q->lon < s->min_lon) s->min_lon = q->lon;
            if (q->lon > s->max_lon) s->max_lon = q->lon;
            q->segment = s->id;
            last[best] = i;
            continue;
        }
        /* a new segment; if others are open, this one could not be reached */
        if (nopen > 0)
            q->flags |= PEL_POS_SUSPECT_SPEED;
        if (ns == cap) {
            trk_segment *nv = realloc(sv, 2 * cap * sizeof *sv);
            if (!nv) {
                free(sv);
                return PEL_ERR_NOMEM;
            }
            sv = nv;
            cap *= 2;
        }
        trk_segment *s = &sv[ns];
        memset(s, 0, sizeof *s);
        s->id = (int32_t)ns;
        s->t0 = s->t1 = q->t_ms;
        s->n = 1;
        s->lat0 = s->lat1 = s->min_lat = s->max_lat = q->lat;
        s->lon0 = s->lon1 = s->min_lon = s->max_lon = q->lon;
        q->segment = s->id;
        if (nopen == MAX_OPEN) { /* close the one silent longest */
            int oldest = 0;
            for (int j = 1; j < nopen; j++)
                if (p[last[j]].t_ms < p[last[oldest]].t_ms)
                    oldest = j;
            open[oldest] = open[nopen - 1];
            last[oldest] = last[nopen - 1];
            nopen--;
        }
        open[nopen] = (int)ns;
        last[nopen] = i;
        nopen++;
        ns++;
    }
    /* lone positions, and segments that overlap in time */
    for (size_t i = 0; i < n; i++)
        if (p[i].segment >= 0 && sv[p[i].segment].n == 1)
            p[i].flags |= PEL_POS_ISOLATED;
    for (size_t a = 0; a < ns; a++)
        for (size_t b = a + 1; b < ns && sv[b].t0 <= sv[a].t1; b++)
            if (sv[a].n > 1 && sv[b].n > 1)
                sv[a].parallel = sv[b].parallel = true;
    *segs = sv;
    *nsegs = ns;
    return PEL_OK;
}
