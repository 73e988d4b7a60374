/*
 * detectors.h -- the detect stage: every behaviour detector of `pelorus
 * scan`, declared once.  Internal to libpelorus; pel_scan (src/scan/scan.c) drives
 * them, docs/findings.md is their contract, HACKING.md ("Adding a
 * detector") the recipe.
 *
 * The table.  det_table (detectors.c) has one row per detector, in the
 * order the scan runs them:
 *
 *   encounter   (det_encounter.c) two vessels close, slow, far from port,
 *               for hours: a possible ship-to-ship transfer
 *   loitering   (det_loiter.c) one vessel slow, far from shore, for hours
 *   gap         (det_gap.c) a vessel silent for hours, judged against the
 *               coverage around it and the pulse of the whole feed
 *   port_visit  (det_port.c) a stop at a port (ports of concern marked)
 *   zone_entry  (det_zone.c) a stay in an area of interest
 *   spoofing    (det_spoof.c) signs in a track: one MMSI in two places,
 *               impossible jumps, an unallocated MID, an invalid MMSI
 *   identity    (det_identity.c) identity changes, IMOs shared by MMSIs,
 *               data-quality notes on IMOs that are no IMO
 *   screening   (detectors.c) the identities against sanctions lists:
 *               the row declares it, the scan supplies the work
 *               (det_env.screening: src/scan/scan_screen.c over
 *               src/screen/), so that detect/ and screen/ know nothing
 *               of each other
 *
 * A row gives the detector's name (the prefix of its settings), a line of
 * documentation, its settings (name, default, allowed range, unit and a
 * line of documentation each: every member of its options struct is one),
 * the kinds of finding it may emit (event, and the member and value that
 * tell an event's kinds apart: spoofing's "kind", identity_change's
 * "field"), and its hooks.  Every hook has the one shape
 *
 *     pel_status hook(det_call *c, ...)
 *
 * begin (set up c->state), vessel (one vessel's usable positions), finish
 * (after every vessel: the whole store, or what the vessels left in
 * c->state) and cleanup (free c->state, always called); any may be NULL.
 *
 * What derives from the table: the scan's driver (src/scan/scan.c), `--set` and
 * pel_scan_check_settings (det_settings_apply, with the messages of
 * docs/findings.md), the options' defaults (det_opts_default), the event
 * names and their order (pel_event_name, pel_scan_stats.by_event), the
 * settings table of docs/findings.md (written from it by `make golden`),
 * and the check that every kind has a risk weight (report/risk.c).  The
 * scan refuses a finding its detector does not declare (det_push), and
 * tests/unit_detectors.c holds the docs, the risk weights and the golden
 * findings to the table.
 *
 * Every detector reads tracks (one vessel's usable positions in time
 * order: pel_position with segment >= 0, no duplicates: the track stage
 * guarantees it) or the store, and emits findings through an fnd_emit_fn:
 * an fnd_builder (findings/finding.h) holding the measured quantities that
 * justify it and the evidence, the input and line of the positions it
 * rests on.  Detectors are deterministic: same data and settings, same
 * findings in the same order.
 */
#ifndef PEL_DETECTORS_H
#define PEL_DETECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "findings/finding.h"
#include "pelorus.h"

/* ---- the events --------------------------------------------------------------- */

/* Every event a detector emits, in the order of pel_event_name() and
 * pel_scan_stats.by_event (a new event goes at the end: the indices are
 * public). */
typedef enum det_event {
    DET_EV_ENCOUNTER,
    DET_EV_LOITERING,
    DET_EV_GAP,
    DET_EV_PORT_VISIT,
    DET_EV_ZONE_ENTRY,
    DET_EV_SPOOFING,
    DET_EV_IDENTITY_CHANGE,
    DET_EV_WATCHLIST_MATCH,
    DET_EV_DATA_QUALITY,
    DET_EV__COUNT
} det_event;

/* The name of event e ("port_visit"), NULL for none.  Static. */
const char *det_event_name(int e);

/* The index of an event name, or -1. */
int det_event_index(const char *name);

/* ---- geography, supplied by the scan (src/scan/scan_geo.c)-------------------------- */

/* NULL functions mean "no data". */
typedef struct det_geo {
    /* distance in metres to the nearest port or anchorage; *port gets its
     * index (for port_name), -1 and INFINITY when there is none */
    double (*port_dist_m)(void *ud, double lat, double lon, int *port);
    /* the same, looking only max_m around the point (cheaper in the open
     * sea): farther ports read as none; NULL: port_dist_m is used */
    double (*port_within_m)(void *ud, double lat, double lon, double max_m, int *port);
    const char *(*port_name)(void *ud, int port);
    int (*port_concern)(void *ud, int port); /* 1 for ports of concern */
    /* zones containing a point: up to cap indices into out, returns count */
    int (*zones_at)(void *ud, double lat, double lon, int *out, int cap);
    const char *(*zone_name)(void *ud, int zone);
    /* true when the MMSI's MID (ship MMSIs 2xx-7xx) is allocated to a
     * country; other forms are not judged (true) */
    bool (*mid_ok)(void *ud, uint32_t mmsi);
    void *ud;
} det_geo;

/* ---- the table ------------------------------------------------------------------ */

typedef struct det_call det_call;

/* What the scan gives every detector: the same for all, for the whole
 * scan. */
typedef struct det_env {
    pel_store *s;              /* the store scanned */
    det_geo geo;               /* ports, zones (zones_at NULL without zones), MIDs */
    const struct geo_mid *mid; /* the MID table (screening's flag check), or NULL */
    const char *data_dir;      /* as pel_scan_opts.data_dir (screening's shipped list) */
    int64_t data_start_ms;     /* the first and last position time in the store; */
    int64_t data_end_ms;       /* both 0 when it has none */
    fnd_set *found;            /* the findings so far: a finish may judge its own (gaps) */
    pel_scan_stats *stats;     /* never NULL: a detector adds its own counts */
    /* the screening row's finish (src/scan/scan_screen.c), NULL for no
     * screening: the screen stage is the scan's to call, not detect's */
    pel_status (*screening)(det_call *c);
} det_env;

/* One call of a detector's hook. */
struct det_call {
    const det_env *env;
    const void *opts; /* its options struct, the settings applied; NULL when it has no settings */
    void *state;      /* its own, from begin to cleanup (NULL before begin) */
    fnd_emit_fn emit; /* where its findings go: det_push, checking each against its kinds */
    void *ud;
    pel_error *err; /* may be NULL: for a message of its own when a hook fails */
};

typedef pel_status (*det_hook)(det_call *c);
typedef pel_status (*det_vessel_hook)(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);

typedef enum det_type { DET_REAL, DET_INT, DET_LONG } det_type;

/* One setting: "DETECTOR.MEMBER" sets that member of the detector's
 * options.  Whole numbers only when the member is an integer. */
typedef struct det_setting {
    const char *name;        /* "encounter.max_distance_m" */
    det_type type;           /* of the member: double, int or long */
    size_t offset;           /* of the member in the options struct */
    double dflt, lo, hi;     /* default; allowed, inclusive */
    const char *unit;        /* "metres": in the refusal message and docs/findings.md */
    const char *doc;         /* one line: what it does (docs/findings.md) */
    const char *at_most;     /* a setting of the same detector this one may not exceed, or NULL */
    const char *at_most_why; /* the reason, for the message */
} det_setting;

/* One kind of finding: an event, and when the event has several kinds the
 * string member that says which and its value. */
typedef struct det_kind {
    det_event event;
    const char *member; /* "kind", "field"; NULL: every finding of the event */
    const char *value;  /* "parallel_segments" */
} det_kind;

enum {
    DET_EVERY_MMSI = 1, /* also sees MMSI 0 and the defaults many transponders share (several
                           vessels under one number: no behaviour, only spoofing signs) */
};

typedef struct det_detector {
    const char *name; /* "port_visit": the prefix of its settings */
    const char *doc;  /* one line */
    size_t opts_size; /* its options struct (at most DET_OPTS_MAX bytes); 0: none */
    const det_setting *settings;
    size_t nsettings;
    const det_kind *kinds; /* what it may emit */
    size_t nkinds;
    unsigned flags; /* DET_EVERY_MMSI */
    det_hook begin;
    det_vessel_hook vessel;
    det_hook finish;
    void (*cleanup)(det_call *c);
} det_detector;

enum {
    DET_ENCOUNTER,
    DET_LOITERING,
    DET_GAP,
    DET_PORT_VISIT,
    DET_ZONE_ENTRY,
    DET_SPOOFING,
    DET_FOOTPRINT,
    DET_IDENTITY,
    DET_SCREENING,
    DET__COUNT
};

/* The detectors, in the order the scan runs them (detectors.c). */
extern const det_detector det_table[DET__COUNT];

/* ---- settings ------------------------------------------------------------------ */

#define DET_OPTS_MAX 128 /* bytes of the largest options struct */

/* Room for any detector's options. */
typedef union det_opts {
    double align;
    long along;
    unsigned char b[DET_OPTS_MAX];
} det_opts;

/* Sets every member of d's options (opts, d->opts_size bytes, the
 * caller's) to its default. */
void det_opts_default(const det_detector *d, void *opts);

/* Sets every detector's options: opts[i] for det_table[i], the defaults,
 * then each "NAME=VALUE" of set (borrowed for the call) in turn.  Returns
 * PEL_OK, or PEL_ERR_ARG with err (may be NULL) naming the first unknown
 * setting, the first value that is not a plain decimal number in the
 * setting's range (a whole number where the member is an integer), or a
 * setting beyond its at_most: the messages of docs/findings.md. */
pel_status det_settings_apply(det_opts opts[DET__COUNT], const char *const *set, size_t nset, pel_error *err);

/* Writes docs/findings.md's settings table (a header row, then one row per
 * setting, in table order) to out. */
void det_settings_markdown(FILE *out);

/* ---- the kinds a detector emits ---------------------------------------------------- */

/* The kind of d (NULL: of any detector) that finding f is, or NULL when
 * none declares it. */
const det_kind *det_kind_of(const det_detector *d, const fnd_finding *f);

/* Where a detector's findings go: the scan's set, through a check. */
typedef struct det_sink {
    fnd_set *set;
    const det_detector *d;
    char bad[160]; /* the first finding d emitted of a kind it does not declare ("" if none) */
} det_sink;

/* An fnd_emit_fn (ud a det_sink): pushes f into the sink's set
 * (fnd_set_push) when its detector declares its kind; otherwise the set
 * fails with PEL_ERR_ARG and bad says what came. */
void det_push(void *sink, const fnd_builder *f);

/* ---- chains: how the per-vessel detectors follow a track (det_gap.c) ------------- */

/* One MMSI may be shared by two transmitters (a clone, a spoofer); the
 * segmenter (docs/tracks.md) puts their positions in parallel segments
 * that interleave in time.  The detectors therefore never join positions of
 * two segments that run at the same time.  They follow "chains":
 *   - consecutive positions of the same segment are consecutive in a chain;
 *   - the first position of a segment continues the chain of the position
 *     just before it in time when that position is the LAST of its own
 *     (different) segment: the vessel was heard by nobody else in between,
 *     so one transmitter handed over to the next segment (the segmenter
 *     starts a new segment after 24 h of silence or an impossible jump);
 *   - otherwise the new segment starts a chain of its own.
 * A gap is two consecutive positions of a chain far apart in time; a port
 * visit and a zone stay are runs of consecutive positions of a chain. */

#define DET_CHAIN_END SIZE_MAX

/* Links the n positions p (one vessel, time order) into chains (above).
 * Returns a malloc'd array of 2 * n entries: [0, n) next position of the
 * same chain, [n, 2n) previous one, DET_CHAIN_END where there is none; a
 * chain starts at each i whose previous entry is DET_CHAIN_END.  The caller
 * frees it.  Returns NULL when n is 0 or an allocation fails. */
size_t *det_vessel_chains(const pel_position *p, size_t n);

/* ---- encounter (det_encounter.c) -------------------------------------------------- */

/* Defaults: det_table's settings. */
typedef struct det_enc_opts {
    double max_distance_m;      /* "close": great-circle distance at a step <= this */
    double min_duration_h;      /* a run of close steps lasts at least this; duration =
                                   last close step - first close step */
    double max_median_speed_kn; /* each vessel's median speed over the run < this */
    double min_port_distance_m; /* the run's mean position >= this from the nearest port */
    double merge_gap_h;         /* encounters of a pair less than this apart are one */
    int step_s;                 /* resampling step, aligned to multiples in Unix time */
    int max_interp_gap_s;       /* never interpolate across a silence longer than this */
} det_enc_opts;

/* The encounter accumulator: tracks go in one vessel at a time, pairs come
 * out at det_enc_run. */
typedef struct det_enc det_enc;

/* Sets the defaults. */
void det_enc_default_opts(det_enc_opts *o);

/* Creates an accumulator; o is copied (NULL: defaults; a step_s or
 * max_interp_gap_s <= 0 is replaced by its default).  Returns NULL when out
 * of memory.  Free with det_enc_free. */
det_enc *det_enc_new(const det_enc_opts *o);

/* Resamples one vessel's track (n positions in time order, usable ones
 * only) and keeps the resampled points.  p is borrowed for the call only:
 * nothing points into it afterwards.  Call once per vessel (a second call
 * with the same MMSI adds a separate track that is never paired with the
 * first).  Returns PEL_OK, PEL_ERR_NOMEM (e is unchanged then: the track is
 * not added) or PEL_ERR_ARG (e NULL, or more than 2^32-2 points). */
pel_status det_enc_add_track(det_enc *e, uint32_t mmsi, const pel_position *p, size_t n);

/* Pairs the vessels added so far and emits one "encounter" finding per
 * merged encounter, in (start, mmsi, mmsi2) order, mmsi < mmsi2.  geo may be
 * NULL (or its port_dist_m NULL): the port rule is then not applied and the
 * finding says "port_distance":"unknown".  Findings are borrowed by emit for
 * the call.  The accumulator keeps its points (reordered), and may be given
 * more tracks and run again.  Returns
 * PEL_OK or PEL_ERR_NOMEM (no finding emitted then). */
pel_status det_enc_run(det_enc *e, const det_geo *geo, fnd_emit_fn emit, void *ud);

/* Frees e and its points; NULL is accepted. */
void det_enc_free(det_enc *e);

/* Hooks: begin makes the accumulator, vessel adds a track, finish pairs. */
pel_status det_enc_begin(det_call *c);
pel_status det_enc_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);
pel_status det_enc_finish(det_call *c);
void det_enc_cleanup(det_call *c);

/* ---- loitering (det_loiter.c) ----------------------------------------------------- */

/* Defaults: det_table's settings. */
typedef struct det_loiter_opts {
    double max_speed_kn;         /* every position's speed < this */
    double min_duration_h;       /* the run lasts at least this: last - first position */
    double min_port_distance_m;  /* the run's mean position >= this from the nearest port
                                    (stands in for "from shore") */
    double max_gap_h;            /* a silence longer than this ends the run */
    double max_implied_speed_kn; /* distance between consecutive positions, less noise_m, over
                                    their time apart must stay <= this, or the SOG is not
                                    believed and the run ends */
    double noise_m;              /* position jitter allowed for the check above */
} det_loiter_opts;

/* Sets the defaults. */
void det_loiter_default_opts(det_loiter_opts *o);

/* Finds the loitering runs of one vessel (n positions in time order, usable
 * ones only; p borrowed for the call) and emits one "loitering" finding per
 * run, in time order (the finding is borrowed by emit for the call).  o may
 * be NULL for the defaults; geo may be NULL ("port_distance":"unknown", port
 * rule not applied). */
void det_loiter_track(const det_loiter_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                      fnd_emit_fn emit, void *ud);

pel_status det_loiter_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);

/* ---- gap (det_gap.c) ---------------------------------------------------------------- */

/* Defaults: det_table's settings. */
typedef struct det_gap_opts {
    double min_gap_h;         /* a silence at least this long is a gap (as GFW) */
    double port_radius_m;     /* a gap end this close to a port is "near port" */
    double open_radius_m;     /* an open gap's cells: those whose centre is
                                 within this of its last position */
    double corridor_m;        /* a closed gap's cells: those whose centre is
                                 within this of the line from its last to
                                 its next position */
    long min_vessels;         /* a baseline needs at least this many distinct
                             other vessels heard in the cell outside the
                             gap (one partner that sat beside it and left
                             is no reception model) */
    double min_baseline_h;    /* a baseline needs this many hours of data
                                 outside the gap */
    double min_baseline;      /* a cell with a share of ten-minute slots heard
                                 outside the gap below this has no baseline
                                 (satellite passes, a lane crossed now and
                                 then): it cannot say who went dark */
    double keep_ratio;        /* a cell kept hearing when its share of slots
                                 heard during the gap is at least this times
                                 its baseline */
    double silent_vessels;    /* a cell without a baseline in which other
                                 vessels would have been heard this many
                                 vessel-hours during the gap at their usual
                                 rate, and nothing was heard, fell silent */
    long serve_hours;         /* a station serves a cell it heard vessels in
                                 for at least this many vessel-hours outside
                                 the gap */
    double dark_share;        /* dark when at least this share of the cells
                                 with a baseline kept hearing */
    double coverage_margin_s; /* the first and last this many seconds of the gap
                                 (at most a quarter of it) are left out of the
                                 cells' counts: other vessels heard just before a
                                 station failed, or just after it came back,
                                 prove nothing about the silence between */
    double draught_change_m;  /* draughts differing by at least this are a change
                                 (loading or discharge, not a typo fix) */
    double min_feed_fraction; /* in a feed of several vessels, a gap is reported
                                 only when positions of some vessel were heard in
                                 at least this fraction of its hours; below, the
                                 whole feed was silent: a hole in the data
                                 (judged at the gap detector's finish) */
} det_gap_opts;

/* Fills o with the defaults.  o is the caller's. */
void det_gap_default_opts(det_gap_opts *o);

/* The vessel's own receptions in one coverage cell and hour: what the
 * cell heard from it is no evidence about anyone's reception of it. */
typedef struct det_own_hour {
    uint32_t cell;
    int64_t hour; /* t_ms / 3600000 */
    uint32_t positions;
} det_own_hour;

/* What a coverage cell heard, for the gap's judgement: ten-minute slots
 * (every reception together, station 0 of the map) and positions. */
typedef struct det_cell_heard {
    long slots, slots_heard;        /* in the gap's window, and those heard */
    long base_slots, base_heard;    /* outside it, within the data's span */
    long positions, base_positions; /* positions heard in and outside it */
    double base_hours;              /* hours outside it */
    long vessel_hours;              /* other vessels heard, summed over the hours inside it */
    long base_vessel_hours;         /* other vessels heard, summed over the hours outside it */
    long base_vessels;              /* distinct other vessels heard outside it (asked only
                                       when something was heard there outside it) */
    /* a cell with no baseline of its own is judged by the station that
     * served it (heard other vessels there outside the window): */
    int served;          /* -1 no such station with a baseline of its own, 1
                            it kept hearing (anywhere) during the window, 0
                            it fell silent (a station outage) */
    const char *station; /* its name, borrowed; NULL when served is -1 */
} det_cell_heard;

/* What the gap detector needs from the store (the hooks fill it from the
 * scan's store).  Any callback may be NULL: the judgement that needs it is
 * then left out and said so in the finding ("coverage": "unknown",
 * draughts null). */
typedef struct det_gap_context {
    /* draught in metres reported nearest before (before = true: at or before
     * t_ms) or after (at or after t_ms) a time, NAN if none */
    double (*draught_at)(void *ud, uint32_t mmsi, int64_t t_ms, bool before);
    /* what coverage cell `cell` (geo/cell.h) heard from from_ms to to_ms
     * and, as its baseline, outside that window over the data's span
     * (det_cell_heard), less the vessel's own receptions there (own, the
     * nown hours of it in that cell, by hour): an hour in which the
     * vessel was the only one heard there counts as silent; PEL_OK or an
     * error (the scan fails with it) */
    pel_status (*cell_heard)(void *ud, uint32_t mmsi, uint32_t cell, int64_t from_ms, int64_t to_ms,
                             const det_own_hour *own, size_t nown, det_cell_heard *out);
    /* the seam for identity (issue 12 part 2, MMSI links): the MMSI the
     * vessel went on under after its last position `last` before the gap
     * (ending at end_ms), 0 when none or not known.  NULL: not asked. */
    uint32_t (*continued_as)(void *ud, uint32_t mmsi, const pel_position *last, int64_t end_ms);
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
 * draught_after_m, draught_changed, cause, suspected, and the cause's
 * evidence (continued_as, or cells, cells_baseline, cells_heard,
 * coverage_cells; "cause" null and "coverage":"unknown" without
 * ctx->cell_heard).  Gaps near ports
 * of concern are kept and marked.  Evidence: the positions before and
 * after.  o, geo, ctx may be NULL (defaults, no geography, no context); p
 * is borrowed for the call.  Returns PEL_OK, or PEL_ERR_NOMEM or the error
 * of ctx->cell_heard (findings already emitted stay emitted). */
pel_status det_gap_track(const det_gap_opts *o, const det_geo *geo, const det_gap_context *ctx, uint32_t mmsi,
                         const pel_position *p, size_t n, fnd_emit_fn emit, void *ud);

/* Hooks: begin opens the store's coverage and the feed's pulse, vessel
 * counts the pulse and finds the gaps, finish judges them against the
 * pulse (feed_hours_fraction; gaps in holes of the feed dropped, counted in
 * stats->gaps_in_holes). */
pel_status det_gap_begin(det_call *c);
pel_status det_gap_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);
pel_status det_gap_finish(det_call *c);
void det_gap_cleanup(det_call *c);

/* ---- footprint (det_footprint.c) ------------------------------------------------ */

/* Defaults: det_table's settings. */
typedef struct det_fp_opts {
    double margin_km;    /* a position farther than range_factor times the
                            station's usual range plus this is outside */
    double range_factor; /* times the distance holding 99 % of its receptions */
    long min_receptions; /* a station heard fewer times has no footprint */
} det_fp_opts;

void det_fp_default_opts(det_fp_opts *o);

/* Hooks: begin builds every station's footprint from the coverage map,
 * vessel emits a spoofing "out_of_footprint" finding per station that
 * heard the vessel outside its footprint. */
pel_status det_fp_begin(det_call *c);
pel_status det_fp_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);
void det_fp_cleanup(det_call *c);

/* ---- port_visit (det_port.c) -------------------------------------------------------- */

/* Defaults: det_table's settings. */
typedef struct det_port_opts {
    double entry_m; /* a visit starts at the first position this close to a port */
    double exit_m;  /* and ends at the last position before one farther than this */
    double stop_kn; /* a visit needs a reported speed below this somewhere inside */
} det_port_opts;

/* Fills o with the defaults.  o is the caller's. */
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

pel_status det_port_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);

/* ---- zone_entry (det_zone.c) -------------------------------------------------------- */

#define DET_ZONE_MAX 16 /* zones one position may be in at once; more are ignored */

/* Defaults: det_table's settings. */
typedef struct det_zone_opts {
    long min_positions; /* stays with fewer positions inside are not reported */
} det_zone_opts;

/* Fills o with the defaults.  o is the caller's. */
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

pel_status det_zone_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);

/* ---- spoofing (det_spoof.c) -------------------------------------------------------- */

/* Emits the spoofing signs of one vessel's track (n positions, time order,
 * p borrowed for the call): "invalid_mmsi" alone when the MMSI identifies
 * no ship, otherwise "impossible_speed" (the flagged jumps),
 * "parallel_segments" (per pair of segments overlapping in time) and
 * "unallocated_mid" (when mid_ok, which may be NULL, says so). */
void det_spoof_track(uint32_t mmsi, const pel_position *p, size_t n, bool (*mid_ok)(void *ud, uint32_t mmsi),
                     void *mid_ud, fnd_emit_fn emit, void *ud);

pel_status det_spoof_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);

/* ---- identity (det_identity.c) ----------------------------------------------------- */

/* Identity changes, shared IMO numbers and IMO data-quality notes over
 * every identity in the store s.  Returns PEL_OK, PEL_ERR_NOMEM or the
 * store's error. */
pel_status det_identity_run(pel_store *s, fnd_emit_fn emit, void *ud);

pel_status det_identity_finish(det_call *c);

#endif
