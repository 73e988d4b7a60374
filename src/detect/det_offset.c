/*
 * det_offset.c -- a vessel's track displaced by one fixed vector and back
 * (the "position" row of the detector table, event "spoofing", kind
 * "offset"): GNSS manipulation shifting a receiver's fix by a constant
 * offset, named beside circles as a documented pattern (C4ADS, "Above Us
 * Only Stars", 2019).
 *
 *   offset  a run of positions entered by a jump V (faster than
 *           position.max_speed_kn) and left by a jump back of about -V,
 *           the run itself going on at possible speeds (the vessel keeps
 *           sailing, shifted).  Judged when |V| is at least
 *           position.offset_min_km, the two jumps cancel to within
 *           position.offset_tolerance_km or position.offset_tolerance_pct
 *           of |V| (whichever is more), and the run has at least
 *           position.offset_min_positions positions.  One finding per run:
 *           offset_km and bearing_deg of V, positions, duration_h,
 *           mismatch_m (|V_out + V_back|); evidence: the last true
 *           position before, the run's first and last, the first true one
 *           after.
 *
 * The jumps are measured against where the vessel would have been: each
 * is the distance from the position reached to the one the previous step
 * predicts (its last position carried on at the velocity of the step
 * before it, when that step was a possible one), so a ship at 15 kn
 * reporting every few minutes does not make the jumps fail to cancel.
 * Steps shorter than position.offset_tolerance_km are never jumps (GNSS
 * jitter between reports seconds apart).
 *
 * Not reported: a run still displaced at the end of the data (no jump
 * back: a relocation or a second transmitter look the same), a run whose
 * jumps do not cancel, and a run whose displaced track goes on -- carried
 * at its own velocity, it meets the positions after the true stretch that
 * follows it, or before the one that precedes it, within the tolerance --
 * as two transmitters taking turns do (offsets that come and go:
 * det_spoof.c's parallel_segments reports them).  The
 * runs are judged in time order, not by segment: the segmenter puts a
 * run's first positions in a segment of their own but, once the true
 * segment can reach the displaced place (half an hour for 25 km), the rest
 * in the true one.  det_spoof.c takes the runs found here out of the
 * segments before it seeks parallel ones, so an offset is not also two
 * transmitters; its jumps stay impossible_speed's.
 *
 * Limits: a vessel displaced twice by the same vector while it sails
 * straight looks like two transmitters taking turns: parallel_segments,
 * not two offsets.  A run whose jump
 * back comes after a silence long enough to make it possible is not seen.
 * Tracks across the antimeridian are not judged.  Flat geometry (metres
 * east and north at the jump's latitude): right to a fraction of a percent
 * for offsets of a few hundred kilometres.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "detectors.h"
#include "track/trk.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define KN_MS (1852.0 / 3600.0) /* metres per second in a knot */
#define M_DEG 111320.0          /* metres per degree of latitude */

/* True when the step from a to b is a jump: at least tol_m long and
 * faster than max_kn (any length in no time). */
static bool is_jump(const pel_position *a, const pel_position *b, double max_kn, double tol_m) {
    /* a bound first, without trigonometry: most steps are short */
    double s = (double)(b->t_ms - a->t_ms) / 1000.0;
    double bound = (fabs((double)(b->lat - a->lat)) + fabs((double)(b->lon - a->lon))) / PEL_DEG * 111200.0 * 1.01;
    if (bound < tol_m || (s > 0 && bound / s / KN_MS <= max_kn))
        return false;
    double d = trk_distance_m(a->lat, a->lon, b->lat, b->lon);
    if (d < tol_m || d == 0)
        return false;
    return s <= 0 || d / s / KN_MS > max_kn;
}

/* The vector, metres east (*e) and north (*nn), from where the vessel at
 * p[k] would be at p[k + 1]'s time to p[k + 1]: p[k] carried on at the
 * velocity of the step p[k - 1] -> p[k] when that step is no jump. */
static void jump_vector(const det_pos_opts *o, const pel_position *p, size_t k, double *e, double *nn) {
    double coslat = cos((double)p[k].lat / PEL_DEG * M_PI / 180.0);
    double pe = 0, pn = 0; /* the predicted move from p[k], metres */
    if (k >= 1 && p[k].t_ms > p[k - 1].t_ms &&
        !is_jump(&p[k - 1], &p[k], o->max_speed_kn, o->offset_tolerance_km * 1000.0)) {
        double f = (double)(p[k + 1].t_ms - p[k].t_ms) / (double)(p[k].t_ms - p[k - 1].t_ms);
        pe = (double)(p[k].lon - p[k - 1].lon) / PEL_DEG * M_DEG * coslat * f;
        pn = (double)(p[k].lat - p[k - 1].lat) / PEL_DEG * M_DEG * f;
    }
    *e = (double)(p[k + 1].lon - p[k].lon) / PEL_DEG * M_DEG * coslat - pe;
    *nn = (double)(p[k + 1].lat - p[k].lat) / PEL_DEG * M_DEG - pn;
}

/* Emits the offset finding of the run p[i..j) (p[i - 1] and p[j] true). */
static void emit_offset(uint32_t mmsi, const pel_position *p, size_t i, size_t j, double ve, double vn, double mismatch,
                        fnd_emit_fn emit, void *ud) {
    fnd_builder f = {0};
    f.event = "spoofing";
    f.mmsi = mmsi;
    f.start_ms = p[i].t_ms;
    f.end_ms = p[j - 1].t_ms;
    f.lat = (double)p[i].lat / PEL_DEG;
    f.lon = (double)p[i].lon / PEL_DEG;
    double bearing = atan2(ve, vn) * 180.0 / M_PI;
    if (bearing < 0)
        bearing += 360.0;
    fnd_str(&f, "kind", "offset");
    fnd_num(&f, "offset_km", hypot(ve, vn) / 1000.0, 1);
    fnd_num(&f, "bearing_deg", bearing, 0);
    fnd_int(&f, "positions", (int64_t)(j - i));
    fnd_num(&f, "duration_h", (double)(p[j - 1].t_ms - p[i].t_ms) / 3600000.0, 2);
    fnd_num(&f, "mismatch_m", mismatch, 0);
    /* the evidence: the last true position, the run's ends, the first true one after */
    fnd_add_position(&f, &p[i - 1]);
    fnd_add_position(&f, &p[i]);
    if (j - 1 > i)
        fnd_add_position(&f, &p[j - 1]);
    fnd_add_position(&f, &p[j]);
    emit(ud, &f);
}

/* Metres from p[b] to where the track through p[a0] and p[a1] would be at
 * p[b]'s time, carried on (or back) at that velocity (none when a0 is a1). */
static double residual_m(const pel_position *p, size_t a0, size_t a1, size_t b) {
    double coslat = cos((double)p[a1].lat / PEL_DEG * M_PI / 180.0), f = 0;
    if (a0 != a1 && p[a1].t_ms != p[a0].t_ms)
        f = (double)(p[b].t_ms - p[a1].t_ms) / (double)(p[a1].t_ms - p[a0].t_ms);
    double e = ((double)(p[b].lon - p[a1].lon) - f * (double)(p[a1].lon - p[a0].lon)) / PEL_DEG * M_DEG * coslat;
    double nn = ((double)(p[b].lat - p[a1].lat) - f * (double)(p[a1].lat - p[a0].lat)) / PEL_DEG * M_DEG;
    return hypot(e, nn);
}

/* The step from a to b is possible at max_kn (or short): no jump. */
static bool possible(const det_pos_opts *o, const pel_position *a, const pel_position *b) {
    return !is_jump(a, b, o->max_speed_kn, o->offset_tolerance_km * 1000.0);
}

pel_status det_offset_runs(const det_pos_opts *o, const pel_position *p, size_t n, det_offset_run **runs,
                           size_t *nruns) {
    *runs = NULL;
    *nruns = 0;
    if (n < 3)
        return PEL_OK;
    det_offset_run *v = NULL;
    size_t nv = 0, cap = 0;
    double tol_m = o->offset_tolerance_km * 1000.0;
    size_t i = 1;
    while (i < n) {
        /* a jump out: p[i - 1] -> p[i] (across the antimeridian: not judged) */
        if (possible(o, &p[i - 1], &p[i]) || abs(p[i].lon - p[i - 1].lon) > 180 * PEL_DEG) {
            i++;
            continue;
        }
        /* the run: possible steps up to the next jump */
        size_t j = i + 1;
        while (j < n && possible(o, &p[j - 1], &p[j]))
            j++;
        if (j >= n)
            break; /* still displaced at the end: not judged */
        double oe, on, be, bn;
        jump_vector(o, p, i - 1, &oe, &on);
        jump_vector(o, p, j - 1, &be, &bn);
        double ve = (oe - be) / 2, vn = (on - bn) / 2, len = hypot(ve, vn), mismatch = hypot(oe + be, on + bn);
        double tol = tol_m > len * o->offset_tolerance_pct / 100.0 ? tol_m : len * o->offset_tolerance_pct / 100.0;
        if (len < o->offset_min_km * 1000.0 || mismatch > tol || j - i < (size_t)o->offset_min_positions ||
            abs(p[j].lon - p[j - 1].lon) > 180 * PEL_DEG) {
            i = j; /* the jump that ended this run may start another */
            continue;
        }
        if (nv == cap) {
            size_t nc = cap ? 2 * cap : 4;
            det_offset_run *q = realloc(v, nc * sizeof *q);
            if (!q) {
                free(v);
                return PEL_ERR_NOMEM;
            }
            v = q;
            cap = nc;
        }
        v[nv++] = (det_offset_run){i, j, ve, vn, mismatch};
        i = j + 1;
    }
    /* two transmitters taking turns: a run whose displaced track goes on
     * after the true stretch that follows it, or went on before the one
     * that precedes it, is neither's offset */
    size_t w = 0;
    for (size_t r = 0; r < nv; r++) {
        size_t i0 = v[r].i, j0 = v[r].j;
        double tol = tol_m > hypot(v[r].east_m, v[r].north_m) * o->offset_tolerance_pct / 100.0
                         ? tol_m
                         : hypot(v[r].east_m, v[r].north_m) * o->offset_tolerance_pct / 100.0;
        size_t m = j0 + 1; /* the jump ending the true stretch after the run */
        while (m < n && possible(o, &p[m - 1], &p[m]))
            m++;
        size_t l = i0 - 1; /* the jump starting the true stretch before it */
        while (l > 0 && possible(o, &p[l - 1], &p[l]))
            l--;
        bool after = m < n && residual_m(p, j0 - 1 > i0 ? j0 - 2 : j0 - 1, j0 - 1, m) <= tol;
        bool before = l > 0 && residual_m(p, i0 + 1 < j0 ? i0 + 1 : i0, i0, l - 1) <= tol;
        if (!after && !before)
            v[w++] = v[r];
    }
    if (!w) {
        free(v);
        v = NULL;
    }
    *runs = v;
    *nruns = w;
    return PEL_OK;
}

pel_status det_pos_offset_track(const det_pos_opts *o, uint32_t mmsi, const pel_position *p, size_t n, fnd_emit_fn emit,
                                void *ud) {
    det_offset_run *runs;
    size_t nruns;
    pel_status rc = det_offset_runs(o, p, n, &runs, &nruns);
    for (size_t r = 0; rc == PEL_OK && r < nruns; r++)
        emit_offset(mmsi, p, runs[r].i, runs[r].j, runs[r].east_m, runs[r].north_m, runs[r].mismatch_m, emit, ud);
    free(runs);
    return rc;
}
