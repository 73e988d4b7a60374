/*
 * det_spoof.c -- spoofing signs in one vessel's track (the segments the
 * track stage cut and the positions it flagged, docs/tracks.md):
 *
 *   invalid_mmsi       an MMSI that identifies no ship (zero, too short or
 *                      long, a default many transponders share, nine digits
 *                      in no ITU form): one finding for the whole track,
 *                      standing for the jumps and parallel segments of the
 *                      several transmitters behind it;
 *   impossible_speed   positions reached only at an impossible speed (one
 *                      finding per vessel, the jumps as evidence);
 *   parallel_segments  two segments of more than one position whose time
 *                      spans overlap, each with positions within the
 *                      other's span: one MMSI in two places at once (a
 *                      segment nested in the other's silence is a position
 *                      moved away and back: its jumps, and the position
 *                      detector's on_land);
 *   unallocated_mid    country digits (MID) allocated to no country.
 *
 * A run of positions displaced by a fixed offset and back (det_offset.c,
 * the position row's settings: det_env.position) is taken out of the
 * segments before the parallel ones are sought: the segmenter puts the
 * run's first positions in a segment of their own but, once the true
 * track's segment can reach the displaced place, the rest in the true one,
 * and the first true positions after it in the run's -- two segments that
 * interleave, though only one transmitter spoke.  The jumps stay
 * impossible_speed's.
 *
 * Limits: jumps and parallel segments are only as good as the clocks of
 * the positions (a collector's arrival time makes false ones: the real-data
 * review, docs/real-data.md).  The MID check needs the MID table.
 */
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "track/trk.h"

/* h becomes an empty spoofing finding about the vessel's whole track (n
 * >= 1 positions): from its first position to its last, placed at the
 * first.  h is the caller's. */
static void whole_track(fnd_builder *h, uint32_t mmsi, const pel_position *p, size_t n) {
    memset(h, 0, sizeof *h);
    h->event = "spoofing";
    h->mmsi = mmsi;
    h->start_ms = p[0].t_ms;
    h->end_ms = p[n - 1].t_ms;
    h->lat = (double)p[0].lat / PEL_DEG;
    h->lon = (double)p[0].lon / PEL_DEG;
}

/* The index of the first position of segment seg (firsti from the
 * segment table), or i itself when there is no table or no segment. */
static size_t firsti_or(const size_t *firsti, int32_t seg, size_t i) {
    return firsti && seg >= 0 ? firsti[seg] : i;
}

/* The positions grouped by segment, each group in time order: ord[off[s]
 * .. off[s + 1]) are segment s's indices into p. */
typedef struct seg_index {
    size_t *ord, *off;
} seg_index;

/* True when segment s has a position from lo to hi (ms). */
static bool seg_has_within(const seg_index *x, const pel_position *p, size_t s, int64_t lo, int64_t hi) {
    size_t a = x->off[s], b = x->off[s + 1];
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (p[x->ord[m]].t_ms < lo)
            a = m + 1;
        else
            b = m;
    }
    return a < x->off[s + 1] && p[x->ord[a]].t_ms <= hi;
}

/* Two segments of more than one position run in parallel when their spans
 * overlap and each has a position within the other's span: two
 * transmitters interleaving.  A segment nested in a silence of another (a
 * position moved far away for a while and back: the position detector's
 * on_land, or jumps) is not. */
static bool run_parallel(const seg_index *x, const pel_position *p, const int64_t *t0, const int64_t *t1,
                         const size_t *cnt, size_t a, size_t b) {
    return cnt[a] >= 2 && cnt[b] >= 2 && t0[b] <= t1[a] && t0[a] <= t1[b] && seg_has_within(x, p, a, t0[b], t1[b]) &&
           seg_has_within(x, p, b, t0[a], t1[a]);
}

/* Spoofing signs in one vessel's track: parallel segments and jumps. */
static void spoof_track(uint32_t mmsi, const pel_position *p, size_t n, bool (*mid_ok)(void *ud, uint32_t mmsi),
                        void *mid_ud, fnd_emit_fn emit, void *ud) {
    if (n == 0)
        return;
    /* the segments: time span and size of each */
    int32_t maxseg = -1;
    for (size_t i = 0; i < n; i++)
        if (p[i].segment > maxseg)
            maxseg = p[i].segment;
    size_t ns = (size_t)(maxseg + 1);
    int64_t *t0 = malloc((ns + 1) * sizeof *t0), *t1 = malloc((ns + 1) * sizeof *t1);
    size_t *cnt = calloc(ns + 1, sizeof *cnt), *firsti = malloc((ns + 1) * sizeof *firsti);
    bool *parallel = calloc(ns + 1, sizeof *parallel);
    seg_index sx = {malloc((n + 1) * sizeof *sx.ord), calloc(ns + 2, sizeof *sx.off)};
    bool have = t0 && t1 && cnt && firsti && parallel && sx.ord && sx.off;
    if (have) {
        /* positions by segment (a counting sort keeps time order) */
        for (size_t i = 0; i < n; i++)
            if (p[i].segment >= 0)
                sx.off[p[i].segment + 1]++;
        for (size_t k = 0; k < ns; k++)
            sx.off[k + 1] += sx.off[k];
        size_t *fill = firsti; /* borrowed as a cursor, refilled below */
        for (size_t k = 0; k < ns; k++)
            fill[k] = sx.off[k];
        for (size_t i = 0; i < n; i++)
            if (p[i].segment >= 0)
                sx.ord[fill[p[i].segment]++] = i;
        for (size_t i = 0; i < n; i++) {
            int32_t s = p[i].segment;
            if (s < 0)
                continue;
            if (!cnt[s]) {
                t0[s] = p[i].t_ms;
                firsti[s] = i;
            }
            t1[s] = p[i].t_ms;
            cnt[s]++;
        }
        for (size_t a = 0; a < ns; a++)
            for (size_t b = a + 1; b < ns; b++)
                if (run_parallel(&sx, p, t0, t1, cnt, a, b))
                    parallel[a] = parallel[b] = true;
    }
    /* an MMSI that identifies no ship: one finding, which also stands for
     * the jumps and parallel segments of the several transmitters that
     * share such a number (they are counted in it, not reported apart) */
    pel_mmsi_kind mk = pel_mmsi_classify(mmsi);
    if (mk != PEL_MMSI_SHIP && mk != PEL_MMSI_OTHER) {
        size_t npar = 0, jumps = 0;
        for (size_t a = 0; have && a < ns; a++)
            npar += parallel[a];
        fnd_builder h;
        whole_track(&h, mmsi, p, n);
        for (size_t i = 0; i < n; i++) {
            jumps += (p[i].flags & PEL_POS_SUSPECT_SPEED) != 0;
            /* the first position of each segment: where each transmitter was */
            if (i == firsti_or(have ? firsti : NULL, p[i].segment, i))
                fnd_add_position(&h, &p[i]);
        }
        fnd_str(&h, "kind", "invalid_mmsi");
        fnd_str(&h, "mmsi_problem", pel_mmsi_kind_name(mk));
        fnd_int(&h, "positions", (int64_t)n);
        fnd_int(&h, "segments", (int64_t)ns);
        fnd_int(&h, "parallel_segments", (int64_t)npar);
        fnd_int(&h, "jumps", (int64_t)jumps);
        emit(ud, &h);
        free(t0);
        free(t1);
        free(cnt);
        free(firsti);
        free(parallel);
        free(sx.ord);
        free(sx.off);
        return;
    }
    /* impossible jumps: one finding for the vessel, with the flagged
     * positions -- except those that start a parallel segment, which the
     * parallel_segments finding below reports (a second transmitter is not
     * a jump of the first) */
    fnd_builder f = {0};
    for (size_t i = 0; i < n; i++)
        if ((p[i].flags & PEL_POS_SUSPECT_SPEED) && !(have && p[i].segment >= 0 && parallel[p[i].segment])) {
            if (!f.event) {
                f.event = "spoofing";
                f.mmsi = mmsi;
                f.start_ms = p[i].t_ms;
                f.lat = (double)p[i].lat / PEL_DEG;
                f.lon = (double)p[i].lon / PEL_DEG;
            }
            f.end_ms = p[i].t_ms;
            fnd_add_position(&f, &p[i]);
        }
    if (f.event) {
        fnd_str(&f, "kind", "impossible_speed");
        fnd_int(&f, "jumps", (int64_t)f.nev_total);
        emit(ud, &f);
    }
    /* parallel segments: two segments with more than one position whose
     * time spans overlap */
    if (have && maxseg >= 1) {
        {
            for (size_t a = 0; a < ns; a++)
                for (size_t b = a + 1; b < ns; b++) {
                    if (!run_parallel(&sx, p, t0, t1, cnt, a, b))
                        continue;
                    fnd_builder g = {0};
                    g.event = "spoofing";
                    g.mmsi = mmsi;
                    g.start_ms = t0[a] > t0[b] ? t0[a] : t0[b];
                    g.end_ms = t1[a] < t1[b] ? t1[a] : t1[b];
                    const pel_position *pa = &p[firsti[a]], *pb = &p[firsti[b]];
                    /* the positions of each segment inside the overlap */
                    const pel_position *la = NULL, *lb = NULL;
                    for (size_t i = 0; i < n; i++) {
                        if (p[i].t_ms < g.start_ms || p[i].t_ms > g.end_ms)
                            continue;
                        if ((size_t)p[i].segment == a || (size_t)p[i].segment == b) {
                            fnd_add_position(&g, &p[i]);
                            if ((size_t)p[i].segment == a && !la)
                                la = &p[i];
                            if ((size_t)p[i].segment == b && !lb)
                                lb = &p[i];
                        }
                    }
                    if (!la)
                        la = pa;
                    if (!lb)
                        lb = pb;
                    g.lat = (double)la->lat / PEL_DEG;
                    g.lon = (double)la->lon / PEL_DEG;
                    fnd_str(&g, "kind", "parallel_segments");
                    fnd_int(&g, "segment_a", (int64_t)a);
                    fnd_int(&g, "segment_b", (int64_t)b);
                    fnd_int(&g, "positions_a", (int64_t)cnt[a]);
                    fnd_int(&g, "positions_b", (int64_t)cnt[b]);
                    fnd_num(&g, "lat_b", (double)lb->lat / PEL_DEG, 6);
                    fnd_num(&g, "lon_b", (double)lb->lon / PEL_DEG, 6);
                    fnd_num(&g, "separation_nm", trk_distance_m(la->lat, la->lon, lb->lat, lb->lon) / 1852.0, 1);
                    emit(ud, &g);
                }
        }
    }
    free(t0);
    free(t1);
    free(cnt);
    free(firsti);
    free(parallel);
    free(sx.ord);
    free(sx.off);
    /* an MMSI whose MID is allocated to no country */
    if (mid_ok && !mid_ok(mid_ud, mmsi)) {
        fnd_builder h;
        whole_track(&h, mmsi, p, n);
        fnd_str(&h, "kind", "unallocated_mid");
        fnd_int(&h, "mid", mmsi / 1000000);
        fnd_add_position(&h, &p[0]);
        emit(ud, &h);
    }
}

/* The track as spoof_track judges it: the positions of fixed-offset runs
 * (det_offset.c) out of every segment, so that a run the segmenter mixed
 * into the true track's segments is not two transmitters. */
void det_spoof_track(uint32_t mmsi, const pel_position *p, size_t n, bool (*mid_ok)(void *ud, uint32_t mmsi),
                     void *mid_ud, const struct det_pos_opts *offsets, fnd_emit_fn emit, void *ud) {
    det_offset_run *runs = NULL;
    size_t nruns = 0;
    pel_position *view = NULL;
    if (offsets && det_offset_runs(offsets, p, n, &runs, &nruns) == PEL_OK && nruns &&
        (view = malloc(n * sizeof *view)) != NULL) {
        memcpy(view, p, n * sizeof *view);
        for (size_t r = 0; r < nruns; r++)
            for (size_t k = runs[r].i; k < runs[r].j; k++)
                view[k].segment = -1;
        p = view;
    }
    free(runs);
    spoof_track(mmsi, p, n, mid_ok, mid_ud, emit, ud);
    free(view);
}

pel_status det_spoof_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n) {
    const det_geo *g = &c->env->geo;
    det_spoof_track(mmsi, p, n, g->mid_ok, g->ud, c->env->position, c->emit, c->ud);
    return PEL_OK;
}
