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
 *   - Cause (docs/coverage.md): the gap's cells -- those within corridor_m
 *     of the line from its last to its next position, or within
 *     open_radius_m of the last position for an open gap -- are judged in
 *     its window (less coverage_margin_s at each end, at most a quarter of
 *     it) against their own baseline outside it (the vessel's own hours
 *     left out): a cell with a baseline (min_baseline of its slots heard,
 *     min_vessels other vessels, min_baseline_h hours) kept hearing when it
 *     heard keep_ratio of its usual share; a thinner one fell silent when
 *     silent_vessels vessel-hours were due and none came (when it is heard
 *     in thin_min_share of its slots at all), else is judged by
 *     the continuous station that served it (serve_hours).  "dark" when
 *     dark_share of the cells that can tell kept hearing, "coverage" when
 *     not, "sparse" when none can tell; "suspected" is true for "dark"
 *     only; null without the callback.  A gap closed by a link is
 *     "identity" and not judged against the coverage (emit_gap).
 *   - Gaps starting or ending near a port of concern are kept and marked.
 *   - In the scan (the hooks at the end): the cells' counts come from the
 *     store's coverage map (st_covmap, st_coverage_rows), the draughts from its voyage reports;
 *     every vessel's positions make the feed's pulse (positions heard per
 *     hour), and once every vessel is read, a gap during which the whole
 *     feed was silent most of the time is a hole in the data, not a
 *     vessel's gap (det_gap_finish).
 *
 * Defaults: det_table's settings (detectors.c).
 *
 * Limits: every cell is judged over the whole window, not the hours the
 * vessel could have been in it; the path is a straight corridor.  A gap is measured
 * between received positions, so one shorter than min_gap_h plus the
 * reporting interval may be missed at the threshold.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detectors.h"
#include "geo/cell.h"
#include "geo/geo.h"
#include "store/store.h"
#include "track/trk.h"
#include "util/fail.h"
#include "util/tmpfd.h"
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
    /* most tracks are already in order (one segment, or segments that
     * follow each other): then there is nothing to sort */
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; i++)
        sorted = s[i - 1].seg <= s[i].seg;
    if (!sorted)
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

/* ---- the cause (docs/findings.md, "gap"; docs/coverage.md) ------------------------------------ */

#define GAP_MAX_CELLS 512 /* cells judged along a path (a longer one: its first ones) */
#define GAP_SHOW_CELLS 6  /* cells listed as evidence in coverage_cells */

/* One judged cell, for the evidence. */
typedef struct judged {
    uint32_t cell;
    det_cell_heard h;
    double usual; /* base_heard / base_slots, -1 when none */
    int state;    /* 0 no baseline, 1 baseline and kept hearing, 2 baseline and silent */
} judged;

/* "cell=ID lat=.. lon=.. slots=HEARD/OF usual=.. positions=N usual_per_h=.." */
static void cell_text(const judged *j, char *buf, size_t size) {
    double lat = NAN, lon = NAN;
    geo_cell_centre(j->cell, &lat, &lon);
    int k = snprintf(buf, size,
                     "cell=%u lat=%.4f lon=%.4f slots=%ld/%ld usual=%.2f vessel_hours=%ld usual_per_h=%.2f others=%ld",
                     j->cell, lat, lon, j->h.slots_heard, j->h.slots, j->usual < 0 ? 0.0 : j->usual, j->h.vessel_hours,
                     j->h.base_hours > 0 ? (double)j->h.base_vessel_hours / j->h.base_hours : 0.0, j->h.base_vessels);
    if (j->h.served >= 0 && k > 0 && (size_t)k < size)
        snprintf(buf + k, size - (size_t)k, " station=%.40s %s", j->h.station ? j->h.station : "?",
                 j->h.served ? "up" : "silent");
}

/* The order cells are listed in: the silent cells with a baseline first
 * (the reason for "coverage"), then those that kept hearing (the reason
 * for "dark"), then the rest; path order within each. */
static int state_rank(int state) {
    return state == 2 ? 0 : state == 1 ? 1 : 2;
}

/* The cells of a closed gap's corridor: those on the line from (lat0,
 * lon0) to (lat1, lon1) and those whose centre is within corridor_m of a
 * point of it sampled every quarter cell, in order along the line, each
 * once; up to cap.  Returns how many were written. */
static size_t path_cells(double lat0, double lon0, double lat1, double lon1, double corridor_m, uint32_t *out,
                         size_t cap) {
    uint32_t line[GAP_MAX_CELLS], near[64];
    size_t nl = geo_cells_on_line(lat0, lon0, lat1, lon1, 0, line, GAP_MAX_CELLS), n = 0;
    if (nl > GAP_MAX_CELLS)
        nl = GAP_MAX_CELLS;
    double d = geo_distance_m(lat0, lon0, lat1, lon1), dlon = lon1 - lon0;
    if (dlon > 180)
        dlon -= 360;
    if (dlon < -180)
        dlon += 360;
    long steps = (long)ceil(d / (GEO_CELL_SIZE_M / 4));
    if (steps > 4 * GAP_MAX_CELLS)
        steps = 4 * GAP_MAX_CELLS;
    for (long s = 0; s <= steps && n < cap; s++) {
        double f = steps ? (double)s / (double)steps : 0;
        size_t k = geo_cells_near(lat0 + f * (lat1 - lat0), lon0 + f * dlon, corridor_m, near, 64);
        if (k > 64)
            k = 64;
        for (size_t i = 0; i < k && n < cap; i++) {
            bool seen = false;
            for (size_t m = n; m-- > 0 && !seen;)
                seen = out[m] == near[i];
            if (!seen)
                out[n++] = near[i];
        }
    }
    /* the line's own cells, should sampling have missed a corner */
    for (size_t i = 0; i < nl && n < cap; i++) {
        bool seen = false;
        for (size_t m = n; m-- > 0 && !seen;)
            seen = out[m] == line[i];
        if (!seen)
            out[n++] = line[i];
    }
    return n;
}

static int cmp_own(const void *x, const void *y) {
    const det_own_hour *a = x, *b = y;
    if (a->cell != b->cell)
        return a->cell < b->cell ? -1 : 1;
    return (a->hour > b->hour) - (a->hour < b->hour);
}

/* The vessel's receptions per cell and hour, sorted, of the hours from
 * hour_min on; *n their count.  NULL with *n 0 when there is no memory
 * (then nothing is left out). */
static det_own_hour *own_hours(const pel_position *p, size_t n, int64_t hour_min, size_t *nout) {
    *nout = 0;
    det_own_hour *v = n ? malloc(n * sizeof *v) : NULL;
    if (!v)
        return NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].t_ms / 3600000 >= hour_min)
            v[m++] = (det_own_hour){geo_cell_of(p[i].lat, p[i].lon), p[i].t_ms / 3600000, 1};
    n = m;
    xqsort(v, n, sizeof *v, cmp_own);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k && v[k - 1].cell == v[i].cell && v[k - 1].hour == v[i].hour)
            v[k - 1].positions++;
        else
            v[k++] = v[i];
    *nout = k;
    return v;
}

/* How many hours either side of a gap its judgement set aside keeps of
 * the vessel's own hours (defer_gap): the baseline's days and a slot's
 * rounding. */
static int64_t own_reach_h(const det_gap_opts *o) {
    return (int64_t)llround(o->baseline_days * 24.0) + 2;
}

/* The cells a gap is judged over (judge_cause's): up to GAP_MAX_CELLS
 * into cells, how many. */
static size_t gap_cells(const det_gap_opts *o, const pel_position *a, const pel_position *z, uint32_t *cells) {
    double lat0 = (double)a->lat / PEL_DEG, lon0 = (double)a->lon / PEL_DEG;
    size_t nc = z ? path_cells(lat0, lon0, (double)z->lat / PEL_DEG, (double)z->lon / PEL_DEG, o->corridor_m, cells,
                               GAP_MAX_CELLS)
                  : geo_cells_near(lat0, lon0, o->open_radius_m, cells, GAP_MAX_CELLS);
    return nc > GAP_MAX_CELLS ? GAP_MAX_CELLS : nc;
}

/* Adds "cause", "suspected" and the cause's evidence: the seam of identity
 * first, then the coverage cells along the vessel's plausible path (last
 * to next position; an open gap: the cells within open_radius_m of its
 * last position) in the gap's window (less the margins), each against its
 * own baseline.  Without ctx->cell_heard: cause null, suspected null,
 * "coverage":"unknown". */
typedef char cell_texts[GAP_SHOW_CELLS][256]; /* the evidence's texts: borrowed by the builder until the emit */

static pel_status judge_cause(cell_texts text, const det_gap_opts *o, const det_gap_context *ctx, uint32_t mmsi,
                              const pel_position *a, const pel_position *z, int64_t end_ms, const uint32_t *cells,
                              size_t nc, const det_own_hour *own, size_t nown, fnd_builder *b) {
    if (!ctx || !ctx->cell_heard) {
        fnd_null(b, "cause");
        fnd_bool(b, "suspected", -1);
        fnd_str(b, "coverage", "unknown");
        return PEL_OK;
    }
    int64_t margin = (int64_t)(o->coverage_margin_s * 1000.0), quarter = (end_ms - a->t_ms) / 4;
    if (margin > quarter)
        margin = quarter;
    if (margin < 0)
        margin = 0;
    int64_t from = a->t_ms + margin, to = end_ms - margin;
    uint32_t mine[GAP_MAX_CELLS];
    if (!cells) {
        nc = gap_cells(o, a, z, mine);
        cells = mine;
    }
    judged *j = malloc((nc ? nc : 1) * sizeof *j);
    if (!j)
        return PEL_ERR_NOMEM;
    long base = 0, kept = 0;
    for (size_t i = 0; i < nc; i++) {
        j[i] = (judged){.cell = cells[i], .usual = -1};
        /* the vessel's own hours in this cell */
        size_t lo = 0, hi = nown;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (own[mid].cell < cells[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t k = lo;
        while (k < nown && own[k].cell == cells[i])
            k++;
        pel_status st = ctx->cell_heard(ctx->ud, mmsi, cells[i], from, to, own + lo, k - lo, &j[i].h);
        if (st != PEL_OK) {
            free(j);
            return st;
        }
        const det_cell_heard *h = &j[i].h;
        if (h->base_slots > 0)
            j[i].usual = (double)h->base_heard / (double)h->base_slots;
        if (h->slots <= 0)
            continue;
        bool enough = h->base_hours >= o->min_baseline_h - 1e-9 && h->base_vessels >= o->min_vessels;
        if (enough && j[i].usual >= o->min_baseline) {
            double during = (double)h->slots_heard / (double)h->slots;
            j[i].state = during >= o->keep_ratio * j[i].usual - 1e-12 ? 1 : 2;
        } else if (enough && h->base_hours > 0 && h->slots_heard == 0 && j[i].usual >= o->thin_min_share - 1e-12 &&
                   (double)h->base_vessel_hours / h->base_hours * ((double)h->slots / 6.0) >= o->silent_vessels - 1e-9)
            j[i].state = 2; /* thin, but a silence this long is not chance (a cell heard in fewer than
                               thin_min_share of its slots -- a satellite's passes -- cannot tell) */
        else if (h->served >= 0 && h->base_vessels >= o->min_vessels)
            j[i].state = h->served ? 1 : 2;
        else
            continue;
        base++;
        kept += j[i].state == 1;
    }
    const char *cause = base == 0                                              ? "sparse"
                        : (double)kept >= o->dark_share * (double)base - 1e-12 ? "dark"
                                                                               : "coverage";
    fnd_str(b, "cause", cause);
    fnd_bool(b, "suspected", strcmp(cause, "dark") == 0);
    fnd_int(b, "cells", (int64_t)nc);
    fnd_int(b, "cells_baseline", base);
    fnd_int(b, "cells_heard", kept);
    /* the evidence: up to GAP_SHOW_CELLS cells, the telling ones first */
    const char *shown[GAP_SHOW_CELLS];
    size_t ns = 0;
    for (int rank = 0; rank < 3 && ns < GAP_SHOW_CELLS; rank++)
        for (size_t i = 0; i < nc && ns < GAP_SHOW_CELLS; i++)
            if (state_rank(j[i].state) == rank && (rank < 2 || j[i].h.base_heard > 0 || j[i].h.slots_heard > 0)) {
                cell_text(&j[i], text[ns], sizeof text[ns]);
                shown[ns] = text[ns];
                ns++;
            }
    fnd_strs(b, "coverage_cells", shown, ns);
    free(j);
    return PEL_OK;
}

/* Adds the cause of gap b (its members up to the cause; ends a and z, z
 * NULL when open): "identity" when the ship went on as another MMSI
 * (b->mmsi2, a link: the MMSI change, not a silence, is why this one was
 * never heard again), else judged against the coverage (judge_cause, over
 * cells[0, nc), NULL: gap_cells', with the vessel's own hours own[0,
 * nown)).  texts are borrowed by b until it
 * is emitted. */
static pel_status gap_cause(cell_texts texts, const det_gap_opts *o, const det_gap_context *ctx, const pel_position *a,
                            const pel_position *z, const uint32_t *cells, size_t nc, const det_own_hour *own,
                            size_t nown, fnd_builder *b) {
    if (b->mmsi2) {
        fnd_str(b, "cause", "identity");
        fnd_bool(b, "suspected", 0);
        return PEL_OK;
    }
    return judge_cause(texts, o, ctx, b->mmsi, a, z, b->end_ms, cells, nc, own, nown, b);
}

/* Builds and emits one gap from a (position before) to z (position after,
 * NULL for an open gap ending at end_ms), or hands it to ctx->defer. */
static pel_status emit_gap(const det_gap_opts *o, const det_geo *geo, const det_gap_context *ctx, uint32_t mmsi,
                           const pel_position *a, const pel_position *z, int64_t end_ms, size_t others_same,
                           const det_own_hour *own, size_t nown, fnd_emit_fn emit, void *ud) {
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

    if (ctx && ctx->defer)
        return ctx->defer(ctx->ud, b, a, z, own, nown);
    cell_texts texts; /* until the emit below */
    pel_status st = gap_cause(texts, o, ctx, a, z, NULL, 0, own, nown, b);
    if (st != PEL_OK)
        return st;
    fnd_add_position(&f, a);
    if (z)
        fnd_add_position(&f, z);
    emit(ud, &f);
    return PEL_OK;
}

pel_status det_gap_track(const det_gap_opts *o, const det_geo *geo, const det_gap_context *ctx, uint32_t mmsi,
                         const pel_position *p, size_t n, const det_resume *r, fnd_emit_fn emit, void *ud) {
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
    det_own_hour *own = NULL;
    size_t nown = 0;
    bool asked = false; /* the own hours are counted once, for the first gap */
    /* judged from a quiet position, gaps set aside keep only the own hours
     * within reach of a gap from there on (defer_gap): those before are
     * never counted */
    int64_t hour_min = INT64_MIN;
    if (r && r->from > 0 && r->from < n && ctx && ctx->defer) {
        int64_t t = INT64_MAX;
        for (size_t i = r->from; i < n; i++)
            t = p[i].t_ms < t ? p[i].t_ms : t;
        hour_min = t / 3600000 - own_reach_h(o);
    }
    pel_status st = PEL_OK;
    for (size_t i = r ? r->from : 0; i < n && st == PEL_OK; i++) {
        size_t j = next[i];
        if (j == DET_CHAIN_END || p[j].t_ms - p[i].t_ms < min_ms)
            continue;
        for (size_t k = i + 1; r && r->busy && k <= j; k++) /* the gap spans the steps to its end */
            r->busy[k] = 1;
        if (!asked && ctx && ctx->cell_heard) {
            own = own_hours(p, n, hour_min, &nown);
            asked = true;
        }
        st = emit_gap(o, geo, ctx, mmsi, &p[i], &p[j], p[j].t_ms, j - i - 1, own, nown, emit, ud);
    }
    free(link);
    if (st == PEL_OK && ctx && ctx->data_end_ms > 0 && ctx->data_end_ms - p[n - 1].t_ms > min_ms) {
        /* silent until the end: unless the ship went on under another MMSI
         * (a link, det_link.c), whose first position then ends the gap
         * ("cause":"identity") or, sooner than min_gap_h, leaves none */
        const det_link *k = det_link_from(ctx->links, mmsi);
        if (!asked && ctx->cell_heard)
            own = own_hours(p, n, hour_min, &nown);
        if (!k)
            st = emit_gap(o, geo, ctx, mmsi, &p[n - 1], NULL, ctx->data_end_ms, 0, own, nown, emit, ud);
        else if (k->first.t_ms - p[n - 1].t_ms >= min_ms)
            st = emit_gap(o, geo, ctx, mmsi, &p[n - 1], &k->first, k->first.t_ms, 0, own, nown, emit, ud);
    }
    free(own);
    return st;
}

/* ---- in the scan: hooks (detectors.h) ---------------------------------------------------- */

/* A gap set aside (det_gap_context.defer) until every vessel is read, as
 * the spill file holds it: this, then its nmem members (fnd_member: their
 * names and strings are static or the geography's, both of which outlive
 * the scan), then its nown own hours, then its ncells cells (gap_cells',
 * in their order; none for a link). */
typedef struct gap_rec {
    uint32_t mmsi, mmsi2;
    int64_t start_ms, end_ms;
    double lat, lon;
    uint32_t nmem, nown, ncells;
    bool has_z;
    pel_position a, z;
} gap_rec;

/* Where a gap set aside is in the spill file, and its place in the order
 * of judgement: by the time it starts, then as set aside. */
typedef struct gap_key {
    int64_t t;
    uint64_t seq;
    int64_t off;
} gap_key;

typedef struct gap_scan {
    pel_store *s;
    det_cellsum *sums; /* the coverage map's cells with running totals, for cell_heard */
    const det_gap_opts *o;
    const det_geo *geo;
    /* the scan's (det_env.stations): each station's name and pulse over
     * the data's span; NULL: none (a cell without a baseline of its own is
     * then left without a judgement) */
    const det_stations *stations;
    pel_error *err; /* the scan's, for cell_heard's failures */
    det_gap_context ctx;
    int64_t data_start, data_end;
    uint16_t *hours; /* positions heard per hour since data_start (saturating) */
    size_t nhours;
    uint64_t vessels_heard; /* vessels with usable positions */
    FILE *spill;            /* the gaps set aside (util_tmp_fd), NULL before the first */
    int64_t spill_end;      /* bytes written to it */
    gap_key *keys;          /* one per gap set aside */
    size_t nkeys, capkeys;
    det_own_hour *kept; /* a gap's own hours, as set aside (a buffer) */
    size_t capkept;
    /* the ends of the gaps an incremental scan kept judged from the last
     * (det_gap_kept): judged again as partners only */
    det_rdv_gap *kends;
    size_t nkends, capkends;
} gap_scan;

static double draught_at(void *ud, uint32_t mmsi, int64_t t, bool before) {
    gap_scan *g = ud;
    return st_draught_near(g->s, mmsi, t, before);
}

/* The slots of bits[from, to) that are set. */
static long bits_set(const uint64_t *bits, int64_t from, int64_t to) {
    long k = 0;
    while (from < to && from % 64)
        k += (long)(bits[from / 64] >> (from % 64) & 1), from++;
    for (; from + 64 <= to; from += 64)
        k += __builtin_popcountll(bits[from / 64]);
    for (; from < to; from++)
        k += (long)(bits[from / 64] >> (from % 64) & 1);
    return k;
}

/* The ten-minute slots of a gap's baseline: its window [ws, we) widened
 * by baseline_days each side, within the span [ss, se). */
static void baseline_range(const det_gap_opts *o, int64_t ss, int64_t se, int64_t ws, int64_t we, int64_t *bs,
                           int64_t *be) {
    int64_t w = (int64_t)llround(o->baseline_days * 144.0);
    *bs = ws - w > ss ? ws - w : ss;
    *be = we + w < se ? we + w : se;
}

/* A cell's ten-minute slots and positions heard (every reception: station
 * 0 of the map) in the window [from_ms, to_ms) and, as its baseline,
 * outside it within baseline_days of it (and the data's span).  Slots
 * count when wholly inside the window; positions by hour, an hour the
 * window cuts counted on neither side. */
static pel_status cell_heard(void *ud, uint32_t mmsi, uint32_t cell, int64_t from_ms, int64_t to_ms,
                             const det_own_hour *own, size_t nown, det_cell_heard *out) {
    gap_scan *g = ud;
    *out = (det_cell_heard){0};
    const int64_t slot_ms = 600000;
    int64_t ss = g->data_start / slot_ms, se = g->data_end / slot_ms + 1;
    int64_t ws = (from_ms + slot_ms - 1) / slot_ms, we = to_ms / slot_ms;
    if (ws < ss)
        ws = ss;
    if (we > se)
        we = se;
    if (we < ws)
        we = ws;
    int64_t bs, be;
    baseline_range(g->o, ss, se, ws, we, &bs, &be);
    out->slots = (long)(we - ws);
    out->base_slots = (long)((be - bs) - (we - ws));
    if (!g->sums && !(g->sums = det_cellsum_new(g->s, ss, se)))
        return pel_fail(g->err, PEL_ERR_NOMEM, "out of memory for the coverage map's sums");
    uint64_t base_seen = 0;
    const det_stations *m = g->stations;
    det_cellsum_best q = {.want = m && m->pulse, .nstations = m ? m->nnames : 0, .names = m ? m->names : NULL};
    pel_status st = det_cellsum_heard(g->sums, cell, ws, we, bs, be, own, nown, out, &base_seen, &q, g->err);
    if (st != PEL_OK)
        return st;
    /* no baseline of its own: the station that served it, by vessel-hours
     * outside the window (the most; the first by name on a tie) */
    out->served = -1;
    uint32_t best = q.station;
    long best_vh = q.vessel_hours;
    if (m && m->pulse && best && best_vh >= g->o->serve_hours) {
        const uint64_t *bits = m->pulse + (size_t)best * m->words;
        long all = (long)(we - ws), in = bits_set(bits, ws - ss, we - ss);
        long out_heard = bits_set(bits, bs - ss, be - ss) - in, out_all = (long)(be - bs) - all;
        double usual = out_all > 0 ? (double)out_heard / (double)out_all : 0;
        if (usual >= g->o->min_baseline && all > 0 && (double)out_all / 6.0 >= g->o->min_baseline_h - 1e-9) {
            out->served = (double)in / (double)all >= g->o->keep_ratio * usual - 1e-12;
            out->station = best < m->nnames && m->names[best] ? m->names[best] : "?";
        }
    }
    /* distinct others outside the window: the vessels' bits less its own
     * (a lower bound: another vessel may share a bit) */
    uint64_t own_bit = st_cov_bit(mmsi);
    out->base_vessels = __builtin_popcountll(base_seen & ~own_bit);
    /* the hours of the baseline's range less those the window meets */
    int64_t hs = bs / 6, he = (be - 1) / 6, base_hours = he - hs + 1;
    if (we > ws) {
        int64_t o0 = ws / 6, o1 = (we + 5) / 6 - 1;
        if (o0 < hs)
            o0 = hs;
        if (o1 > he)
            o1 = he;
        if (o1 >= o0)
            base_hours -= o1 - o0 + 1;
    }
    out->base_hours = (double)base_hours;
    return PEL_OK;
}

static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* det_gap_context.defer: writes the gap to the spill file with the own
 * hours its judgement can ask about (those in its cells, within its
 * baseline's reach), and keeps its key. */
static pel_status defer_gap(void *ud, const fnd_builder *b, const pel_position *a, const pel_position *z,
                            const det_own_hour *own, size_t nown) {
    gap_scan *g = ud;
    if (!g->spill) {
        char why[240];
        int fd = util_tmp_fd("gaps", why, sizeof why);
        if (fd < 0)
            return pel_fail(g->err, PEL_ERR_IO, "gaps: %s", why);
        if (!(g->spill = fdopen(fd, "w+b"))) {
            close(fd);
            return pel_fail(g->err, PEL_ERR_IO, "gaps: cannot open the temporary file: %s", strerror(errno));
        }
    }
    if (g->nkeys == g->capkeys) {
        size_t cap = g->capkeys ? 2 * g->capkeys : 1024;
        gap_key *v = realloc(g->keys, cap * sizeof *v);
        if (!v)
            return pel_fail(g->err, PEL_ERR_NOMEM, "out of memory for the gaps");
        g->keys = v;
        g->capkeys = cap;
    }
    size_t nk = 0, nc = 0;
    uint32_t cells[GAP_MAX_CELLS], sorted[GAP_MAX_CELLS];
    if (!b->mmsi2)
        nc = gap_cells(g->o, a, z, cells);
    if (nc && nown) {
        if (nown > g->capkept) {
            det_own_hour *v = realloc(g->kept, nown * sizeof *v);
            if (!v)
                return pel_fail(g->err, PEL_ERR_NOMEM, "out of memory for the gaps");
            g->kept = v;
            g->capkept = nown;
        }
        memcpy(sorted, cells, nc * sizeof *cells);
        xqsort(sorted, nc, sizeof *sorted, cmp_u32);
        size_t ns = 0; /* each cell once */
        for (size_t c = 0; c < nc; c++)
            if (!ns || sorted[ns - 1] != sorted[c])
                sorted[ns++] = sorted[c];
        int64_t reach = own_reach_h(g->o);
        int64_t h0 = a->t_ms / 3600000 - reach, h1 = b->end_ms / 3600000 + reach;
        /* own is by cell, then hour: each cell's hours in reach are a run
         * found by a binary search (a walk over all of them per gap would
         * cost the square of a vessel's history) */
        for (size_t c = 0; c < ns; c++) {
            size_t lo = 0, hi = nown;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (own[mid].cell < sorted[c] || (own[mid].cell == sorted[c] && own[mid].hour < h0))
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (; lo < nown && own[lo].cell == sorted[c] && own[lo].hour <= h1; lo++)
                g->kept[nk++] = own[lo];
        }
    }
    gap_rec r = {.mmsi = b->mmsi,
                 .mmsi2 = b->mmsi2,
                 .start_ms = b->start_ms,
                 .end_ms = b->end_ms,
                 .lat = b->lat,
                 .lon = b->lon,
                 .nmem = (uint32_t)b->nmem,
                 .nown = (uint32_t)nk,
                 .ncells = (uint32_t)nc,
                 .has_z = z != NULL,
                 .a = *a,
                 .z = z ? *z : *a};
    if (fwrite(&r, sizeof r, 1, g->spill) != 1 ||
        (b->nmem && fwrite(b->mem, sizeof *b->mem, b->nmem, g->spill) != b->nmem) ||
        (nk && fwrite(g->kept, sizeof *g->kept, nk, g->spill) != nk) ||
        (nc && fwrite(cells, sizeof *cells, nc, g->spill) != nc))
        return pel_fail(g->err, PEL_ERR_IO, "writing the gaps to a temporary file failed: %s", strerror(errno));
    g->keys[g->nkeys] = (gap_key){.t = a->t_ms, .seq = g->nkeys, .off = g->spill_end};
    g->nkeys++;
    g->spill_end += (int64_t)(sizeof r + b->nmem * sizeof *b->mem + nk * sizeof *g->kept + nc * sizeof *cells);
    return PEL_OK;
}

pel_status det_gap_begin(det_call *c) {
    const det_env *env = c->env;
    gap_scan *g = calloc(1, sizeof *g);
    if (!g)
        return PEL_ERR_NOMEM;
    c->state = g;
    g->s = env->s;
    g->err = c->err;
    g->o = c->opts;
    g->geo = &env->geo;
    g->data_start = env->data_start_ms;
    g->data_end = env->data_end_ms;
    g->stations = env->stations;
    if (env->data_end_ms > env->data_start_ms) {
        /* times are checked at ingest (1990 .. tomorrow): at most ~330,000 hours */
        g->nhours = (size_t)((env->data_end_ms - env->data_start_ms) / 3600000 + 1);
        g->hours = calloc(g->nhours, sizeof *g->hours);
        if (!g->hours)
            return PEL_ERR_NOMEM;
    }
    g->ctx = (det_gap_context){.draught_at = draught_at,
                               .cell_heard = cell_heard,
                               .data_end_ms = env->data_end_ms,
                               .links = env->links,
                               .defer = defer_gap,
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
    return det_gap_track(c->opts, &c->env->geo, &g->ctx, mmsi, p, n, c->resume, c->emit, c->ud);
}

static int cmp_key(const void *x, const void *y) {
    const gap_key *a = x, *b = y;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* The loiterings, by start: what the reach of a gap needs of their
 * findings (det_rdv_reach_of: vessel, place and period; no members). */
typedef struct span {
    int64_t start;
    fnd_finding l;
} span;

static int cmp_span(const void *x, const void *y) {
    const span *a = x, *b = y;
    return (a->start > b->start) - (a->start < b->start);
}

/* True when gap e is a possible partner of some loitering of v[0, n) (by
 * start). */
static bool partner(const det_loiter_opts *o, const span *v, size_t n, const det_rdv_gap *e) {
    size_t lo = 0, hi = n; /* the loiterings starting before the gap ends: [0, lo) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].start < e->end_ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    det_rdv_reach r;
    for (size_t k = 0; k < lo; k++)
        if (v[k].l.end_ms > e->before.t_ms && det_rdv_reach_of(o, &v[k].l, e, &r))
            return true;
    return false;
}

/* The gaps against the feed's pulse: in data from many vessels, a silence
 * during which the whole feed was silent most of the time (no position of
 * any vessel in more than half of its hours: a receiver network down, a
 * file holding two days a year apart) is a hole in the data, not a
 * vessel's gap; it is left out (counted in the scan's statistics).  Every
 * gap kept says how much of it the feed covered ("feed_hours_fraction").
 * A store holding one vessel only cannot be judged: its gaps are kept.
 * Returns true to keep the gap, with *frac set (NAN: not judged). */
static bool in_feed(const gap_scan *g, int64_t start_ms, int64_t end_ms, double *frac) {
    *frac = NAN;
    if (!g->hours)
        return true;
    /* the hours strictly inside the gap: its edges hold its own positions */
    int64_t h0 = (start_ms - g->data_start) / 3600000 + 1, h1 = (end_ms - g->data_start) / 3600000 - 1;
    size_t heard = 0, all = 0;
    if (h0 < 0) /* a period's scan: the hours before it are not the feed's to judge */
        h0 = 0;
    for (int64_t h = h0; h <= h1; h++, all++)
        heard += (size_t)h < g->nhours && g->hours[h] > 0;
    *frac = all ? (double)heard / (double)all : 1.0;
    return !(g->vessels_heard > 1 && *frac < g->o->min_feed_fraction);
}

pel_status det_gap_kept(det_call *c, const det_rdv_gap *e) {
    gap_scan *g = c->state;
    if (g->nkends == g->capkends) {
        size_t cap = g->capkends ? 2 * g->capkends : 64;
        det_rdv_gap *v = realloc(g->kends, cap * sizeof *v);
        if (!v)
            return PEL_ERR_NOMEM;
        g->kends = v;
        g->capkends = cap;
    }
    g->kends[g->nkends++] = *e;
    return PEL_OK;
}

/* Adds e to the partners' gaps (ends) when it is some loitering's possible
 * partner. */
static pel_status add_end(det_rdv_gaps *ends, const det_loiter_opts *lo, const span *sp, size_t nsp,
                          const det_rdv_gap *e) {
    if (!partner(lo, sp, nsp, e))
        return PEL_OK;
    if (ends->n == ends->cap) {
        size_t cap = ends->cap ? 2 * ends->cap : 64;
        det_rdv_gap *v = realloc(ends->v, cap * sizeof *v);
        if (!v)
            return PEL_ERR_NOMEM;
        ends->v = v;
        ends->cap = cap;
    }
    ends->v[ends->n++] = *e;
    return PEL_OK;
}

/* Judges the gaps set aside, in time order (the coverage cache then reads
 * each cell's hours about once), and emits those the feed covered; the
 * ends of those that meet a loitering in time go to env->gap_ends, with
 * those of the gaps kept judged (det_gap_kept). */
pel_status det_gap_finish(det_call *c) {
    gap_scan *g = c->state;
    const det_gap_opts *o = c->opts;
    if (!g->nkeys && !g->nkends)
        return PEL_OK;
    if (!g->spill) /* only gaps kept judged: nothing set aside */
        g->nkeys = 0;
    if (g->spill && fflush(g->spill) != 0)
        return pel_fail(c->err, PEL_ERR_IO, "writing the gaps to a temporary file failed: %s", strerror(errno));
    xqsort(g->keys, g->nkeys, sizeof *g->keys, cmp_key);
    /* the loiterings' periods (the loitering row's vessel hooks have run) */
    fnd_set *set = c->env->found;
    span *sp = NULL;
    size_t nsp = 0;
    det_rdv_gaps *ends = c->env->gap_ends;
    const det_loiter_opts *lo = c->env->loiter;
    if (!lo || lo->max_partners <= 0)
        ends = NULL; /* no partners asked for */
    size_t nset = fnd_set_count(set);
    for (size_t i = 0; ends && i < nset; i++)
        nsp += strcmp(fnd_set_key(set, i).event, "loitering") == 0;
    if (nsp && !(sp = malloc(nsp * sizeof *sp)))
        return PEL_ERR_NOMEM;
    nsp = 0;
    for (size_t i = 0; sp && i < nset; i++) {
        if (strcmp(fnd_set_key(set, i).event, "loitering") != 0)
            continue;
        const fnd_finding *f = fnd_set_get(set, i);
        if (!f) {
            free(sp);
            return pel_fail(c->err, PEL_ERR_IO, "reading the loiterings back failed: %s", fnd_set_error(set));
        }
        sp[nsp++] = (span){.start = f->start_ms,
                           .l = {.event = f->event,
                                 .mmsi = f->mmsi,
                                 .start_ms = f->start_ms,
                                 .end_ms = f->end_ms,
                                 .lat = f->lat,
                                 .lon = f->lon}};
    }
    xqsort(sp, nsp, sizeof *sp, cmp_span);
    fnd_builder *b = malloc(sizeof *b);
    det_own_hour *own = NULL;
    size_t owncap = 0;
    pel_status st = b ? PEL_OK : PEL_ERR_NOMEM;
    int64_t reach_ms = (int64_t)llround(o->baseline_days * 86400000.0);
    for (size_t k = 0; k < g->nkeys && st == PEL_OK; k++) {
        gap_rec r;
        if (fseeko(g->spill, (off_t)g->keys[k].off, SEEK_SET) != 0 || fread(&r, sizeof r, 1, g->spill) != 1 ||
            r.nmem > FND_MAX_MEMBERS || r.ncells > GAP_MAX_CELLS) {
            st = pel_fail(c->err, PEL_ERR_IO, "reading the gaps back from a temporary file failed");
            break;
        }
        if (r.nown > owncap) {
            det_own_hour *v = realloc(own, r.nown * sizeof *v);
            if (!v) {
                st = PEL_ERR_NOMEM;
                break;
            }
            own = v;
            owncap = r.nown;
        }
        memset(b, 0, offsetof(fnd_builder, mem));
        b->event = "gap";
        b->mmsi = r.mmsi;
        b->mmsi2 = r.mmsi2;
        b->start_ms = r.start_ms;
        b->end_ms = r.end_ms;
        b->lat = r.lat;
        b->lon = r.lon;
        b->nmem = r.nmem;
        b->depth = 0;
        b->overflow = false;
        uint32_t cells[GAP_MAX_CELLS];
        if ((r.nmem && fread(b->mem, sizeof *b->mem, r.nmem, g->spill) != r.nmem) ||
            (r.nown && fread(own, sizeof *own, r.nown, g->spill) != r.nown) ||
            (r.ncells && fread(cells, sizeof *cells, r.ncells, g->spill) != r.ncells)) {
            st = pel_fail(c->err, PEL_ERR_IO, "reading the gaps back from a temporary file failed");
            break;
        }
        double frac;
        if (!in_feed(g, r.start_ms, r.end_ms, &frac)) {
            c->env->stats->gaps_in_holes++;
            if (c->env->gap_hole)
                c->env->gap_hole(c->env->gap_hole_ud, r.mmsi, r.start_ms, r.end_ms);
            continue;
        }
        /* gaps come in time order: the coverage before this one's reach is done with */
        if (g->sums)
            det_cellsum_forget(g->sums, (r.a.t_ms - reach_ms) / 3600000 - 1);
        cell_texts texts; /* until the emit below */
        const pel_position *z = r.has_z ? &r.z : NULL;
        if ((st = gap_cause(texts, o, &g->ctx, &r.a, z, cells, r.ncells, own, r.nown, b)) != PEL_OK)
            break;
        if (!isnan(frac))
            fnd_num(b, "feed_hours_fraction", frac, 2);
        fnd_add_position(b, &r.a);
        if (z)
            fnd_add_position(b, z);
        size_t before = fnd_set_count(set);
        c->emit(c->ud, b);
        /* the ends of a gap the set took, for the dark rendezvous: one of the
         * vessel's own (not a link) that is a loitering's possible partner */
        if (fnd_set_count(set) == before || !ends || r.mmsi2 || !nsp)
            continue;
        det_rdv_gap e = {.mmsi = r.mmsi, .before = r.a, .after = r.z, .open = !r.has_z, .end_ms = r.end_ms};
        fnd_finding f;
        fnd_view(b, &f);
        const char *cause = fnd_get_str(&f, "cause");
        e.suspected = fnd_get_bool(&f, "suspected");
        snprintf(e.cause, sizeof e.cause, "%s", cause ? cause : "");
        st = add_end(ends, lo, sp, nsp, &e);
    }
    for (size_t k = 0; st == PEL_OK && ends && nsp && k < g->nkends; k++)
        st = add_end(ends, lo, sp, nsp, &g->kends[k]);
    free(b);
    free(own);
    free(sp);
    return st;
}

void det_gap_cleanup(det_call *c) {
    gap_scan *g = c->state;
    if (!g)
        return;
    det_cellsum_free(g->sums);
    free(g->hours);
    if (g->spill)
        fclose(g->spill);
    free(g->keys);
    free(g->kept);
    free(g->kends);
    free(g);
    c->state = NULL;
}
