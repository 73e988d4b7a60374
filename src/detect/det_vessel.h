/*
 * det_vessel.h -- per-vessel behaviour detectors: AIS gaps (det_gap.c),
 * port visits (det_port.c) and zone stays (det_zone.c).
 *
 * Each detector takes one vessel's usable positions (segment >= 0) in time
 * order and emits findings (fnd_builder) through fnd_emit_fn.  They allocate
 * only a scratch array per call (freed before returning) and keep no state
 * between calls.  Same positions, options and callbacks: same findings in
 * the same order.
 *
 * Chains.  One MMSI may be shared by two transmitters (a clone, a spoofer);
 * the segmenter (docs/tracks.md) puts their positions in parallel segments
 * that interleave in time.  The detectors therefore never join positions of
 * two segments that run at the same time.  They follow "chains" of
 * positions (det_vessel_chains):
 *   - consecutive positions of the same segment are consecutive in a chain;
 *   - the first position of a segment continues the chain of the position
 *     just before it in time when that position is the LAST of its own
 *     (different) segment: the vessel was heard by nobody else in between,
 *     so one transmitter handed over to the next segment (the segmenter
 *     starts a new segment after 24 h of silence or an impossible jump);
 *   - otherwise the new segment starts a chain of its own.
 * A gap is two consecutive positions of a chain far apart in time; a port
 * visit and a zone stay are runs of consecutive positions of a chain.
 */
#ifndef PEL_DET_VESSEL_H
#define PEL_DET_VESSEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "det.h"

#define DET_CHAIN_END SIZE_MAX

/* Links the n positions p (one vessel, time order) into chains (above).
 * Returns a malloc'd array of 2 * n entries: [0, n) next position of the
 * same chain, [n, 2n) previous one, DET_CHAIN_END where there is none; a
 * chain starts at each i whose previous entry is DET_CHAIN_END.  The caller
 * frees it.  Returns NULL when n is 0 or an allocation fails. */
size_t *det_vessel_chains(const pel_position *p, size_t n);

/* ---- det_gap.c: AIS gaps ------------------------------------------------- */

typedef struct det_gap_opts {
    double min_gap_h;         /* a silence at least this long is a gap (12, as GFW) */
    double port_radius_m;     /* a gap end this close to a port is "near port" (5000) */
    double coverage_radius_m; /* radius around the gap start searched for other
                                 vessels heard during the gap (50000: about the
                                 reach of a shore station; wider areas mix in
                                 other stations' coverage) */
    long min_others;          /* positions of other vessels heard in that circle
                                 during the gap that prove reception worked there
                                 (3: a single stray report is not coverage) */
    double coverage_margin_s; /* the first and last this many seconds of the gap
                                 (at most a quarter of it) are left out of that
                                 count: other vessels heard just before a station
                                 failed, or just after it came back, prove nothing
                                 about the silence between (1800) */
    double draught_change_m;  /* draughts differing by at least this are a change
                                 (0.5: loading or discharge, not a typo fix) */
    double min_feed_fraction; /* in a feed of several vessels, a gap is reported
                                 only when positions of some vessel were heard in
                                 at least this fraction of its hours (0.5); below,
                                 the whole feed was silent: a hole in the data
                                 (applied by the scan, scan.c judge_gaps) */
} det_gap_opts;

/* Fills o with the defaults above.  o is the caller's. */
void det_gap_default_opts(det_gap_opts *o);

/* What the gap detector needs from the store; scan.c fills it.  Any
 * callback may be NULL: the judgement that needs it is then left out and
 * said so in the finding ("coverage": "unknown", draughts null). */
typedef struct det_gap_context {
    /* draught in metres reported nearest before (before = true: at or before
     * t_ms) or after (at or after t_ms) a time, NAN if none */
    double (*draught_at)(void *ud, uint32_t mmsi, int64_t t_ms, bool before);
    /* number of positions of vessels other than mmsi heard within radius_m
     * of (lat, lon) (degrees) between from_ms and to_ms (exclusive) */
    long (*others_heard)(void *ud, uint32_t mmsi, double lat, double lon, double radius_m, int64_t from_ms,
                         int64_t to_ms);
    int64_t data_end_ms; /* latest time in the data; 0 = unknown (no open gaps) */
    void *ud;            /* passed to the callbacks */
} det_gap_context;

/* Emits a "gap" finding for each pair of consecutive positions of a chain
 * at least o->min_gap_h apart, and an open gap ("open": true, end =
 * ctx->data_end_ms) when the vessel's last position is more than
 * o->min_gap_h before the end of the data.  Start is the position before
 * the gap, end the one after; lat/lon are those of the position before.
 * Fields: open, duration_h, distance_nm, implied_speed_kn, segment_before,
 * segment_after, same_mmsi_other_positions (positions of the same MMSI from
 * another, parallel segment heard during the gap), start_near_port,
 * start_port, start_port_concern, end_near_port, end_port,
 * end_port_concern, near_port_of_concern, draught_before_m,
 * draught_after_m, draught_changed, suspected, others_heard_nearby,
 * coverage_radius_km (or coverage "unknown"), min_others.  Gaps near ports
 * of concern are kept and marked.  Evidence: the positions before and
 * after.  o, geo, ctx may be NULL (defaults, no geography, no context); p
 * is borrowed for the call.  Returns PEL_OK, or PEL_ERR_NOMEM (findings
 * already emitted stay emitted). */
pel_status det_gap_track(const det_gap_opts *o, const det_geo *geo, const det_gap_context *ctx, uint32_t mmsi,
                         const pel_position *p, size_t n, fnd_emit_fn emit, void *ud);

/* ---- det_port.c: port visits --------------------------------------------- */

typedef struct det_port_opts {
    double entry_m; /* a visit starts at the first position this close to a port (3000) */
    double exit_m;  /* and ends at the last position before one farther than this (4000) */
    double stop_kn; /* a visit needs a reported speed below this somewhere inside (0.5) */
} det_port_opts;

/* Fills o with the defaults above.  o is the caller's. */
void det_port_default_opts(det_port_opts *o);

/* Emits a "port_visit" finding per visit, following chains: a visit starts
 * at the first position within o->entry_m of a port and lasts while the
 * positions stay within o->exit_m (hysteresis); it ends at the last
 * position before one beyond o->exit_m, or at the end of the chain.  A
 * visit counts only when some position inside reports a speed below
 * o->stop_kn (a pass-by is not a visit; positions without speed are not a
 * stop).  The port is the nearest one at the first stop; lat/lon are
 * those of that stop (det_geo gives no port coordinates).  Fields: port,
 * port_index, port_concern (null without geo->port_concern), duration_h,
 * positions, min_speed_kn, stopped, exit ("left", "silence": the chain
 * ended while inside but the vessel was heard later, "data_end": inside
 * at the vessel's last position), open (true for "data_end"; end is then
 * the last position, not the end of the data).  Evidence: entry, stop,
 * last position inside, first position outside.  No findings when
 * geo->port_dist_m is NULL.  o may be NULL (defaults); p and geo are
 * borrowed for the call.  Returns PEL_OK or PEL_ERR_NOMEM. */
pel_status det_port_track(const det_port_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                          fnd_emit_fn emit, void *ud);

/* ---- det_zone.c: zone stays ---------------------------------------------- */

#define DET_ZONE_MAX 16 /* zones one position may be in at once; more are ignored */

typedef struct det_zone_opts {
    long min_positions; /* stays with fewer positions inside are not reported (1) */
} det_zone_opts;

/* Fills o with the defaults above.  o is the caller's. */
void det_zone_default_opts(det_zone_opts *o);

/* Emits a "zone_entry" finding per stay in a zone (geo->zones_at).  A stay
 * is a run of consecutive positions of a chain inside the zone: one
 * position outside ends it (no hysteresis: zones are legal lines).  Start
 * is the first position inside, end the last; lat/lon those of the first.
 * Fields: zone (name, null without geo->zone_name), zone_index, positions,
 * duration_h, entered_from ({"time","lat","lon"} of the position before,
 * null when the chain starts inside), exit ("left", "silence", "data_end"
 * as for port visits), open (true for "data_end").  Evidence: position
 * before, first inside, last inside, first outside.  No findings when
 * geo->zones_at is NULL.  o may be NULL; p and geo are borrowed for the
 * call.  Returns PEL_OK or PEL_ERR_NOMEM. */
pel_status det_zone_track(const det_zone_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                          fnd_emit_fn emit, void *ud);

#endif
