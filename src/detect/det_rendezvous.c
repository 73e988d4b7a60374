/*
 * det_rendezvous.c -- the dark rendezvous: a vessel loitering at sea while
 * another vessel is silent, and that vessel could have sailed to the
 * loitering place and back within its silence.  In North Korean
 * ship-to-ship transfers one partner is often dark; the loitering vessel's
 * finding names it ("possible_partners") with the margins that make it
 * possible.  The loitering row's hooks (detectors.h) live here.
 *
 * Rules (det_rdv_reach_of), for a loitering L (its mean place P, from L0
 * to L1) and a gap G of another vessel (last position A at tA before the
 * silence, next position B at tB after; an open gap ends at the end of
 * the data and has no B):
 *   - the reach speed v is loitering.partner_speed_factor times the
 *     fastest speed over ground reported at A or B (a gap with no reported
 *     speed at either end is not judged: nothing says how fast it sails);
 *   - the earliest the partner could be at P is a = tA + |AP| / v, the
 *     latest it could leave P and still be at B on time b = tB - |PB| / v
 *     (open gap: tB, the return is not checked);
 *   - together_h = min(b, L1) - max(a, L0): how long both could have been
 *     at P; a possible partner when together_h >= partner_min_together_h.
 *   - the margins of each leg, as an analyst checks them: going, the time
 *     available from tA to the end of the shared time (min(L1, tB)), the
 *     time needed at v, the time to spare and the speed that the distance
 *     needs in the time available; returning, the same from the start of
 *     the shared time (max(L0, tA)) to tB.
 * Every gap counts, whatever its "suspected" (a gap in a coverage hole is
 * a weaker lead: the partner entry says which, for the risk to weigh).
 * The partners are listed the longest together first, then by MMSI and
 * gap start, at most loitering.max_partners.
 *
 * The seam: the gap row's finish runs before the loitering row's
 * (det_table).  It judges the gaps once every vessel is read, drops those
 * in holes of the feed, and leaves the ends of those that meet a
 * loitering in time in env->gap_ends (the findings hold only their
 * evidence lines); the loitering finish judges them against every
 * loitering and amends the loitering findings (fnd_set_append).
 *
 * Limits: the place is the loitering's mean position; a partner is
 * assumed to sail straight at a steady speed; the loiterer's own movement
 * (a few nm at under 2 kn) is not modelled.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "store/store.h"
#include "track/trk.h"
#include "util/xsort.h"

#define H_MS 3600000.0

static double deg(int32_t v) {
    return (double)v / PEL_DEG;
}

/* Hours needed to sail nm at kn (infinite when it cannot move). */
static double hours_at(double nm, double kn) {
    if (nm <= 0)
        return 0;
    return kn > 0 ? nm / kn : INFINITY;
}

bool det_rdv_reach_of(const det_loiter_opts *o, const fnd_finding *l, const det_rdv_gap *g, det_rdv_reach *r) {
    memset(r, 0, sizeof *r);
    if (g->mmsi == l->mmsi || isnan(l->lat) || isnan(l->lon))
        return false;
    double ta = (double)g->before.t_ms, tb = (double)g->end_ms, l0 = (double)l->start_ms, l1 = (double)l->end_ms;
    if (tb <= l0 || ta >= l1)
        return false; /* not dark while it loitered */
    double sa = g->before.speed != PEL_NA_SPEED ? g->before.speed / 10.0 : NAN;
    double sb = !g->open && g->after.speed != PEL_NA_SPEED ? g->after.speed / 10.0 : NAN;
    r->reported_kn = isnan(sa) ? sb : isnan(sb) ? sa : fmax(sa, sb);
    if (isnan(r->reported_kn))
        return false;
    r->reach_kn = r->reported_kn * o->partner_speed_factor;
    int32_t plat = (int32_t)lround(l->lat * PEL_DEG), plon = (int32_t)lround(l->lon * PEL_DEG);
    r->go_nm = trk_distance_m(g->before.lat, g->before.lon, plat, plon) / 1852.0;
    r->go_need_h = hours_at(r->go_nm, r->reach_kn);
    double a = ta + r->go_need_h * H_MS, b = tb;
    r->ret_nm = r->ret_need_h = r->ret_avail_h = NAN;
    if (!g->open) {
        r->ret_nm = trk_distance_m(plat, plon, g->after.lat, g->after.lon) / 1852.0;
        r->ret_need_h = hours_at(r->ret_nm, r->reach_kn);
        b = tb - r->ret_need_h * H_MS;
        r->ret_avail_h = (tb - fmax(l0, ta)) / H_MS;
    }
    r->go_avail_h = (fmin(l1, tb) - ta) / H_MS;
    r->together_h = (fmin(b, l1) - fmax(a, l0)) / H_MS;
    if (isnan(r->together_h))
        r->together_h = -INFINITY;
    return r->together_h >= o->partner_min_together_h;
}

typedef struct cand {
    size_t g;
    det_rdv_reach r;
} cand;

static int cmp_cand(const void *x, const void *y, const det_rdv_gap *g) {
    const cand *a = x, *b = y;
    if (a->r.together_h != b->r.together_h)
        return a->r.together_h > b->r.together_h ? -1 : 1;
    const det_rdv_gap *ga = &g[a->g], *gb = &g[b->g];
    if (ga->mmsi != gb->mmsi)
        return ga->mmsi < gb->mmsi ? -1 : 1;
    if (ga->before.t_ms != gb->before.t_ms)
        return ga->before.t_ms < gb->before.t_ms ? -1 : 1;
    return a->g < b->g ? -1 : a->g > b->g;
}

/* An insertion sort: a loitering has few partners. */
static void sort_cands(cand *c, size_t n, const det_rdv_gap *g) {
    for (size_t i = 1; i < n; i++) {
        cand x = c[i];
        size_t j = i;
        while (j > 0 && cmp_cand(&c[j - 1], &x, g) > 0) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = x;
    }
}

static void position_obj(fnd_builder *f, const char *name, const pel_position *p, char *const *paths, size_t npaths,
                         char t[40]) {
    pel_format_time(p->t_ms, t);
    fnd_obj(f, name);
    fnd_str(f, "time", t);
    fnd_num(f, "lat", deg(p->lat), 6);
    fnd_num(f, "lon", deg(p->lon), 6);
    fnd_num(f, "speed_kn", p->speed != PEL_NA_SPEED ? p->speed / 10.0 : NAN, 1);
    fnd_str(f, "file", p->input < npaths && paths[p->input] ? paths[p->input] : "?");
    fnd_int(f, "line", (int64_t)p->line);
    fnd_end(f);
}

static void leg_obj(fnd_builder *f, const char *name, double nm, double avail_h, double need_h) {
    fnd_obj(f, name);
    fnd_num(f, "distance_nm", nm, 1);
    fnd_num(f, "available_h", avail_h, 2);
    fnd_num(f, "needed_h", need_h, 2);
    fnd_num(f, "spare_h", avail_h - need_h, 2);
    fnd_num(f, "speed_needed_kn", avail_h > 0 ? nm / avail_h : NAN, 1);
    fnd_end(f);
}

/* The possible_partners of loitering i of s among the gaps. */
static pel_status amend_one(const det_loiter_opts *o, fnd_set *s, size_t i, const det_rdv_gap *g, size_t n,
                            char *const *paths, size_t npaths, cand *c) {
    const fnd_finding *f = fnd_set_get(s, i); /* valid until the append below */
    if (!f)
        return PEL_ERR_IO;
    size_t k = 0;
    for (size_t j = 0; j < n; j++)
        if (det_rdv_reach_of(o, f, &g[j], &c[k].r))
            c[k++].g = j;
    if (k == 0)
        return PEL_OK;
    sort_cands(c, k, g);
    size_t shown = k < (size_t)o->max_partners ? k : (size_t)o->max_partners;
    fnd_builder *b = calloc(1, sizeof *b); /* about 8 KiB: off the stack */
    if (!b)
        return PEL_ERR_NOMEM;
    char times[6][4][40]; /* borrowed by b until it is appended: max_partners <= 6 */
    if (shown > 6)
        shown = 6;
    fnd_int(b, "possible_partners_total", (int64_t)k);
    fnd_arr(b, "possible_partners");
    for (size_t x = 0; x < shown; x++) {
        const det_rdv_gap *gp = &g[c[x].g];
        const det_rdv_reach *r = &c[x].r;
        fnd_obj(b, NULL);
        fnd_int(b, "mmsi", gp->mmsi);
        pel_format_time(gp->before.t_ms, times[x][0]);
        pel_format_time(gp->end_ms, times[x][1]);
        fnd_str(b, "gap_start", times[x][0]);
        fnd_str(b, "gap_end", times[x][1]);
        fnd_bool(b, "gap_open", gp->open);
        fnd_bool(b, "gap_suspected", gp->suspected);
        if (gp->cause[0])
            fnd_str(b, "gap_cause", gp->cause);
        else
            fnd_null(b, "gap_cause");
        fnd_num(b, "together_h", r->together_h, 2);
        fnd_num(b, "reported_speed_kn", r->reported_kn, 1);
        fnd_num(b, "reach_speed_kn", r->reach_kn, 1);
        position_obj(b, "before", &gp->before, paths, npaths, times[x][2]);
        if (gp->open)
            fnd_null(b, "after");
        else
            position_obj(b, "after", &gp->after, paths, npaths, times[x][3]);
        leg_obj(b, "going", r->go_nm, r->go_avail_h, r->go_need_h);
        fnd_bool(b, "returning_checked", !gp->open);
        if (gp->open)
            fnd_null(b, "returning");
        else
            leg_obj(b, "returning", r->ret_nm, r->ret_avail_h, r->ret_need_h);
        fnd_end(b);
        fnd_add_position(b, &gp->before);
        if (!gp->open)
            fnd_add_position(b, &gp->after);
    }
    fnd_end(b);
    pel_status st = fnd_set_append(s, i, b); /* PEL_ERR_ARG: more members than a finding holds, a bug */
    free(b);
    return st;
}

pel_status det_rdv_amend(const det_loiter_opts *o, fnd_set *s, const det_rdv_gap *g, size_t n, char *const *paths,
                         size_t npaths) {
    if (n == 0 || o->max_partners <= 0)
        return PEL_OK;
    cand *c = malloc(n * sizeof *c);
    if (!c)
        return PEL_ERR_NOMEM;
    pel_status st = PEL_OK;
    for (size_t i = 0; i < fnd_set_count(s) && st == PEL_OK; i++)
        if (!strcmp(fnd_set_key(s, i).event, "loitering"))
            st = amend_one(o, s, i, g, n, paths, npaths, c);
    free(c);
    return st;
}

/* ---- the loitering row's hooks ------------------------------------------------------------ */

pel_status det_loiter_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n) {
    det_loiter_track(c->opts, &c->env->geo, mmsi, p, n, c->resume, c->emit, c->ud);
    return PEL_OK;
}

static int cmp_gap(const void *x, const void *y) {
    const det_rdv_gap *a = x, *b = y;
    if (a->mmsi != b->mmsi)
        return a->mmsi < b->mmsi ? -1 : 1;
    if (a->before.t_ms != b->before.t_ms)
        return a->before.t_ms < b->before.t_ms ? -1 : 1;
    return a->end_ms < b->end_ms ? -1 : a->end_ms > b->end_ms;
}

pel_status det_loiter_finish(det_call *c) {
    det_rdv_gaps *g = c->env->gap_ends;
    if (!g || g->n == 0)
        return PEL_OK;
    /* the gaps the gap's finish judged and kept, by vessel and time */
    xqsort(g->v, g->n, sizeof *g->v, cmp_gap);
    char **paths = NULL;
    size_t npaths = 0;
    pel_status st = st_input_paths(c->env->s, &paths, &npaths, c->err);
    if (st == PEL_OK)
        st = det_rdv_amend(c->opts, c->env->found, g->v, g->n, paths, npaths);
    for (size_t i = 0; i < npaths; i++)
        free(paths[i]);
    free(paths);
    return st;
}
