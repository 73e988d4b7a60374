/*
 * det_gap.c -- AIS gaps: a vessel silent for at least 12 h (Global Fishing
 * Watch's definition of a possible intentional disabling), judged against
 * the reception around it and the pulse of the whole feed; and the chains
 * of positions the per-vessel detectors share (detectors.h).
 *
 * Rules:
 *   - A gap lies between two consecutive positions of a chain
 *     (detectors.h): positions of the same segment, or the last position
 *     of a segment and the first of the next when no other position of the
 *     MMSI was heard in between.  Two transmitters sharing an MMSI never
 *     make a gap together; a transmitter silent while a parallel one goes
 *     on is still a gap (same_mmsi_other_positions says how many positions
 *     the other one sent meanwhile).
 *   - Open gap: the vessel's last position (over all chains) is more than
 *     min_gap_h before ctx->data_end_ms.  A chain that ends while another
 *     chain of the MMSI goes on is not an open gap.  Nor is an MMSI the
 *     ship gave up for another (a link, det_link.c): its silence ends at
 *     the new MMSI's first position -- a closed gap, mmsi2 and
 *     continued_as the new MMSI, "cause":"identity", "suspected":false
 *     (the change of MMSI explains it; the silence itself is told by
 *     duration_h and the identity_change's silence_h) -- when that is
 *     min_gap_h or more later, and is no gap at all when sooner.
 *   - Reception: a silence is "suspected" when at least min_others
 *     positions of other vessels were heard within coverage_radius_m of the
 *     gap start during the gap, leaving out its first and last
 *     coverage_margin_s (at most a quarter of the gap), i.e. the place was
 *     covered; false otherwise (a reception hole explains it), null without
 *     the callback.
 *   - Gaps starting or ending near a port of concern are kept and marked.
 *   - In the scan (the hooks at the end): the reception comes from the
 *     store's coverage (st_coverage), the draughts from its voyage reports;
 *     every vessel's positions make the feed's pulse (positions heard per
 *     hour), and once every vessel is read, a gap during which the whole
 *     feed was silent most of the time is a hole in the data, not a
 *     vessel's gap (det_gap_finish).
 *
 * Defaults: det_table's settings (detectors.c).
 *
 * Limits: the coverage test looks around the start of the gap only, over
 * the whole gap, and counts positions, not vessels.  Satellite coverage
 * that comes and goes within the gap is not modelled.  A gap is measured
 * between received positions, so one shorter than min_gap_h plus the
 * reporting interval may be missed at the threshold.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "store/store.h"
#include "track/trk.h"
#include "util/xsort.h"

/* ---- chains -------------------------------------------------------------- */

typedef struct segidx {
    int32_t seg;
    size_t i;
} segidx;

static int cmp_segidx(const void *a, const void *b) {
    const segidx *x = a, *y = b;
    if (x->seg != y->seg)
        return x->seg < y->seg ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

size_t *det_vessel_chains(const pel_position *p, size_t n) {
    if (n == 0 || n > SIZE_MAX / (2 * sizeof(size_t)))
        return NULL;
    size_t *link = malloc(2 * n * sizeof *link);
    segidx *s = malloc(n * sizeof *s);
    unsigned char *last = malloc(n);
    if (!link || !s || !last) {
        free(link);
        free(s);
        free(last);
        return NULL;
    }
    size_t *next = link, *prev = link + n;
    for (size_t i = 0; i < n; i++) {
        next[i] = prev[i] = DET_CHAIN_END;
        s[i].seg = p[i].segment;
        s[i].i = i;
    }
    xqsort(s, n, sizeof *s, cmp_segidx);
    for (size_t k = 0; k < n; k++) {
        if (k > 0 && s[k - 1].seg == s[k].seg) {
            prev[s[k].i] = s[k - 1].i;
            next[s[k - 1].i] = s[k].i;
        }
        last[s[k].i] = k + 1 == n || s[k + 1].seg != s[k].seg;
    }
    /* hand-over: a segment's first position continues the chain of the
     * position just before it when that one closed its own segment */
    for (size_t j = 1; j < n; j++)
        if (prev[j] == DET_CHAIN_END && last[j - 1] && next[j - 1] == DET_CHAIN_END &&
            p[j - 1].segment != p[j].segment) {
            next[j - 1] = j;
            prev[j] = j - 1;
        }
    free(s);
    free(last);
    return link;
}

/* ---- gaps ---------------------------------------------------------------- */

void det_gap_default_opts(det_gap_opts *o) {
    det_opts_default(&det_table[DET_GAP], o);
}

/* The port members of a gap's two ends: start_* and end_*. */
static const char *const port_names[2][4] = {
    {"start_near_port", "start_port", "start_port_concern", "start_port_dist_km"},
    {"end_near_port", "end_port", "end_port_concern", "end_port_dist_km"},
};

/* Adds <end>_near_port, <end>_port, <end>_port_concern, <end>_port_dist_km
 * for position q (end 0: the start, 1: the end; q NULL: unknown); returns
 * 1 when near a port of concern. */
static int port_members(fnd_builder *b, const det_geo *geo, const det_gap_opts *o, const pel_position *q, int end) {
    const char *near = port_names[end][0], *name = port_names[end][1], *concern = port_names[end][2],
               *dist = port_names[end][3];
    if (!q || !geo || !geo->port_dist_m) {
        fnd_bool(b, near, -1);
        fnd_str(b, name, NULL);
        fnd_bool(b, concern, -1);
        fnd_num(b, dist, NAN, 1);
        return 0;
    }
    int idx = -1;
    double d = geo->port_dist_m(geo->ud, (double)q->lat / PEL_DEG, (double)q->lon / PEL_DEG, &idx);
    bool is_near = !isnan(d) && d <= o->port_radius_m && idx >= 0;
    int c = -1;
    if (is_near && geo->port_concern)
        c = geo->port_concern(geo->ud, idx) ? 1 : 0;
    fnd_bool(b, near, is_near);
    fnd_str(b, name, is_near && geo->port_name ? geo->port_name(geo->ud, idx) : NULL);
    fnd_bool(b, concern, is_near ? c : -1);
    fnd_num(b, dist, d / 1000.0, 1);
    return c == 1;
}

/* Builds and emits one gap from a (position before) to z (position after,
 * NULL for an open gap ending at end_ms). */
static void emit_gap(const det_gap_opts *o, const det_geo *geo, const det_gap_context *ctx, uint32_t mmsi,
                     const pel_position *a, const pel_position *z, int64_t end_ms, size_t others_same, fnd_emit_fn emit,
                     void *ud) {
    fnd_builder f = {0};
    f.event = "gap";
    f.mmsi = mmsi;
    uint32_t after = z && z->mmsi && z->mmsi != mmsi ? z->mmsi : mmsi; /* heard again under another MMSI (a link) */
    f.mmsi2 = after != mmsi ? after : 0;
    f.start_ms = a->t_ms;
    f.end_ms = z ? z->t_ms : end_ms;
    f.lat = (double)a->lat / PEL_DEG;
    f.lon = (double)a->lon / PEL_DEG;
    fnd_builder *b = &f;

    double hours = (double)(f.end_ms - f.start_ms) / 3.6e6;
    double nm = z ? trk_distance_m(a->lat, a->lon, z->lat, z->lon) / 1852.0 : NAN;
    fnd_bool(b, "open", z == NULL);
    if (after != mmsi)
        fnd_int(b, "continued_as", after);
    fnd_num(b, "duration_h", hours, 2);
    fnd_num(b, "distance_nm", nm, 2);
    fnd_num(b, "implied_speed_kn", hours > 0 ? nm / hours : NAN, 2);
    fnd_int(b, "segment_before", a->segment);
    if (z)
        fnd_int(b, "segment_after", z->segment);
    else
        fnd_null(b, "segment_after");
    fnd_int(b, "same_mmsi_other_positions", (int64_t)others_same);

    int concern = port_members(b, geo, o, a, 0);
    concern |= port_members(b, geo, o, z, 1); /* an open gap has no end position: unknown */
    fnd_bool(b, "near_port_of_concern", (geo && geo->port_dist_m && geo->port_concern) ? concern : -1);

    double d0 = NAN, d1 = NAN;
    if (ctx && ctx->draught_at) {
        d0 = ctx->draught_at(ctx->ud, mmsi, a->t_ms, true);
        if (z)
            d1 = ctx->draught_at(ctx->ud, after, z->t_ms, false);
    }
    fnd_num(b, "draught_before_m", d0, 1);
    fnd_num(b, "draught_after_m", d1, 1);
    fnd_bool(b, "draught_changed", isnan(d0) || isnan(d1) ? -1 : fabs(d1 - d0) >= o->draught_change_m - 1e-9);

    if (after != mmsi) {
        /* the ship went on as another MMSI (a link): the MMSI change, not a
         * silence, is why this one was never heard again */
        fnd_str(b, "cause", "identity");
        fnd_bool(b, "suspected", 0);
    } else if (ctx && ctx->others_heard) {
        int64_t margin = (int64_t)(o->coverage_margin_s * 1000.0), quarter = (f.end_ms - f.start_ms) / 4;
        if (margin > quarter)
            margin = quarter;
        if (margin < 0)
            margin = 0;
        long heard = ctx->others_heard(ctx->ud, mmsi, f.lat, f.lon, o->coverage_radius_m, f.start_ms + margin,
                                       f.end_ms - margin);
        fnd_bool(b, "suspected", heard >= o->min_others);
        fnd_int(b, "others_heard_nearby", heard);
        fnd_num(b, "coverage_radius_km", o->coverage_radius_m / 1000.0, 1);
        fnd_int(b, "min_others", o->min_others);
    } else {
        fnd_bool(b, "suspected", -1);
        fnd_str(b, "coverage", "unknown");
    }

    fnd_add_position(&f, a);
    if (z)
        fnd_add_position(&f, z);
    emit(ud, &f);
}

pel_status det_gap_track(const det_gap_opts *o, const det_geo *geo, const det_gap_context *ctx, uint32_t mmsi,
                         const pel_position *p, size_t n, fnd_emit_fn emit, void *ud) {
    det_gap_opts def;
    if (!o) {
        det_gap_default_opts(&def);
        o = &def;
    }
    if (n == 0 || !emit)
        return n == 0 ? PEL_OK : PEL_ERR_ARG;
    size_t *link = det_vessel_chains(p, n);
    if (!link)
        return PEL_ERR_NOMEM;
    const size_t *next = link;
    int64_t min_ms = (int64_t)llround(o->min_gap_h * 3.6e6);
    for (size_t i = 0; i < n; i++) {
        size_t j = next[i];
        if (j == DET_CHAIN_END || p[j].t_ms - p[i].t_ms < min_ms)
            continue;
        emit_gap(o, geo, ctx, mmsi, &p[i], &p[j], p[j].t_ms, j - i - 1, emit, ud);
    }
    free(link);
    if (ctx && ctx->data_end_ms > 0 && ctx->data_end_ms - p[n - 1].t_ms > min_ms) {
        /* silent until the end: unless the ship went on under another MMSI
         * (a link, det_link.c), whose first position then ends the gap
         * ("cause":"identity") or, sooner than min_gap_h, leaves none */
        const det_link *k = det_link_from(ctx->links, mmsi);
        if (!k)
            emit_gap(o, geo, ctx, mmsi, &p[n - 1], NULL, ctx->data_end_ms, 0, emit, ud);
        else if (k->first.t_ms - p[n - 1].t_ms >= min_ms)
            emit_gap(o, geo, ctx, mmsi, &p[n - 1], &k->first, k->first.t_ms, 0, emit, ud);
    }
    return PEL_OK;
}

/* ---- in the scan: hooks (detectors.h) ---------------------------------------------------- */

typedef struct gap_scan {
    pel_store *s;
    st_coverage *cov; /* positions heard near a gap, for others_heard */
    det_gap_context ctx;
    int64_t data_start;
    uint16_t *hours; /* positions heard per hour since data_start (saturating) */
    size_t nhours;
    uint64_t vessels_heard; /* vessels with usable positions */
} gap_scan;

static double draught_at(void *ud, uint32_t mmsi, int64_t t, bool before) {
    gap_scan *g = ud;
    return st_draught_near(g->s, mmsi, t, before);
}

/* Positions of other vessels heard within radius_m of (lat, lon) between
 * from and to (inclusive): the coverage judgement above. */
static long others_heard(void *ud, uint32_t mmsi, double lat, double lon, double radius_m, int64_t from, int64_t to) {
    gap_scan *g = ud;
    return st_coverage_count(g->cov, mmsi, lat, lon, radius_m, from, to);
}

pel_status det_gap_begin(det_call *c) {
    const det_env *env = c->env;
    gap_scan *g = calloc(1, sizeof *g);
    if (!g)
        return PEL_ERR_NOMEM;
    c->state = g;
    g->s = env->s;
    if (!(g->cov = st_coverage_new(env->s, c->err)))
        return PEL_ERR_IO;
    g->data_start = env->data_start_ms;
    if (env->data_end_ms > env->data_start_ms) {
        /* times are checked at ingest (1990 .. tomorrow): at most ~330,000 hours */
        g->nhours = (size_t)((env->data_end_ms - env->data_start_ms) / 3600000 + 1);
        g->hours = calloc(g->nhours, sizeof *g->hours);
        if (!g->hours)
            return PEL_ERR_NOMEM;
    }
    g->ctx = (det_gap_context){.draught_at = draught_at,
                               .others_heard = others_heard,
                               .data_end_ms = env->data_end_ms,
                               .links = env->links,
                               .ud = g};
    return PEL_OK;
}

pel_status det_gap_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n) {
    gap_scan *g = c->state;
    /* the feed's pulse, for judging gaps once every vessel is read */
    g->vessels_heard++;
    for (size_t i = 0; g->hours && i < n; i++) {
        int64_t h = (p[i].t_ms - g->data_start) / 3600000;
        if (h >= 0 && (size_t)h < g->nhours && g->hours[h] < UINT16_MAX)
            g->hours[h]++;
    }
    return det_gap_track(c->opts, &c->env->geo, &g->ctx, mmsi, p, n, c->emit, c->ud);
}

/* Gaps against the feed's pulse: in data from many vessels, a silence
 * during which the whole feed was silent most of the time (no position of
 * any vessel in more than half of its hours: a receiver network down, a
 * file holding two days a year apart) is a hole in the data, not a
 * vessel's gap; it is left out (counted in the scan's statistics).  Every
 * gap kept says how much of it the feed covered ("feed_hours_fraction").
 * A store holding one vessel only cannot be judged: its gaps are kept. */
pel_status det_gap_finish(det_call *c) {
    gap_scan *g = c->state;
    const det_gap_opts *o = c->opts;
    fnd_set *s = c->env->found;
    bool *keep = malloc((s->n ? s->n : 1) * sizeof *keep);
    if (!keep)
        return PEL_ERR_NOMEM;
    for (size_t i = 0; i < s->n; i++) {
        const fnd_finding *f = &s->v[i];
        keep[i] = true;
        if (strcmp(f->event, "gap") != 0 || !g->hours)
            continue;
        /* the hours strictly inside the gap: its edges hold its own positions */
        int64_t h0 = (f->start_ms - g->data_start) / 3600000 + 1, h1 = (f->end_ms - g->data_start) / 3600000 - 1;
        size_t heard = 0, all = 0;
        for (int64_t h = h0; h <= h1; h++, all++)
            heard += h >= 0 && (size_t)h < g->nhours && g->hours[h] > 0;
        double frac = all ? (double)heard / (double)all : 1.0;
        if (g->vessels_heard > 1 && frac < o->min_feed_fraction) {
            c->env->stats->gaps_in_holes++;
            keep[i] = false;
            continue;
        }
        if (fnd_set_append_num(s, i, "feed_hours_fraction", frac, 2) != PEL_OK) {
            free(keep);
            return PEL_ERR_NOMEM;
        }
    }
    fnd_set_keep(s, keep);
    free(keep);
    return PEL_OK;
}

void det_gap_cleanup(det_call *c) {
    gap_scan *g = c->state;
    if (!g)
        return;
    st_coverage_free(g->cov);
    free(g->hours);
    free(g);
    c->state = NULL;
}
