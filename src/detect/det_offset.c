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
 * jumps do not cancel, and a run with a position in a segment the track
 * stage's segments make parallel to another (two transmitters taking turns
 * look like offsets that come and go: det_spoof.c's parallel_segments
 * reports them).  The segmenter puts the displaced run in a segment of its
 * own nested in the true one's silence, which is not parallel; the jumps
 * stay impossible_speed's too.
 *
 * Limits: a vessel displaced twice by the same vector has its two runs
 * joined in one segment by the segmenter, parallel to the true track: that
 * is reported as parallel_segments, not as two offsets.  A run whose jump
 * back comes after a silence long enough to make it possible is not seen.
 * Tracks across the antimeridian are not judged.  Flat geometry (metres
 * east and north at the jump's latitude): right to a fraction of a percent
 * for offsets of a few hundred kilometres.
 */
#include <math.h>
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
    double d = trk_distance_m(a->lat, a->lon, b->lat, b->lon);
    if (d < tol_m || d == 0)
        return false;
    double s = (double)(b->t_ms - a->t_ms) / 1000.0;
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
static void emit_offset(uint32_t mmsi, const pel_position *p, size_t i, size_t j, double ve, double vn,
                        double mismatch, fnd_emit_fn emit, void *ud) {
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

/* True when one of p[i..j) is in a parallel segment. */
static bool run_parallel(const pel_position *p, size_t i, size_t j, const bool *par, size_t ns) {
    for (size_t k = i; par && k < j; k++)
        if (p[k].segment >= 0 && (size_t)p[k].segment < ns && par[p[k].segment])
            return true;
    return false;
}

pel_status det_pos_offset_track(const det_pos_opts *o, uint32_t mmsi, const pel_position *p, size_t n,
                                fnd_emit_fn emit, void *ud) {
    if (n < 3)
        return PEL_OK;
    double tol_m = o->offset_tolerance_km * 1000.0;
    bool *par = NULL;
    size_t ns = 0;
    bool looked = false; /* the parallel segments are found at the first candidate run */
    pel_status rc = PEL_OK;
    size_t i = 1;
    while (i < n) {
        /* a jump out: p[i - 1] -> p[i] */
        if (!is_jump(&p[i - 1], &p[i], o->max_speed_kn, tol_m) ||
            abs(p[i].lon - p[i - 1].lon) > 180 * PEL_DEG) { /* across the antimeridian: not judged */
            i++;
            continue;
        }
        /* the run: possible steps up to the next jump */
        size_t j = i + 1;
        while (j < n && !is_jump(&p[j - 1], &p[j], o->max_speed_kn, tol_m))
            j++;
        if (j >= n)
            break; /* still displaced at the end: not judged */
        double oe, on, be, bn;
        jump_vector(o, p, i - 1, &oe, &on);
        jump_vector(o, p, j - 1, &be, &bn);
        double ve = (oe - be) / 2, vn = (on - bn) / 2, v = hypot(ve, vn), mismatch = hypot(oe + be, on + bn);
        double tol = tol_m > v * o->offset_tolerance_pct / 100.0 ? tol_m : v * o->offset_tolerance_pct / 100.0;
        if (v < o->offset_min_km * 1000.0 || mismatch > tol || j - i < (size_t)o->offset_min_positions ||
            abs(p[j].lon - p[j - 1].lon) > 180 * PEL_DEG) {
            i = j; /* the jump that ended this run may start another */
            continue;
        }
        if (!looked) {
            looked = true;
            rc = det_spoof_parallel(p, n, &par, &ns);
            if (rc != PEL_OK)
                break;
        }
        if (!run_parallel(p, i, j, par, ns))
            emit_offset(mmsi, p, i, j, ve, vn, mismatch, emit, ud);
        i = j + 1;
    }
    free(par);
    return rc;
}
