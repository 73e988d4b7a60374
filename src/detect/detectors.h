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
 *   gap         (det_gap.c) a vessel silent for hours, judged against the
 *               coverage around it and the pulse of the whole feed
 *   loitering   (det_loiter.c) one vessel slow, far from shore, for hours;
 *               its finish, after the gap's, names the vessels dark at the
 *               time that could have come alongside (det_rendezvous.c):
 *               it runs after the gap detector for that
 *   port_visit  (det_port.c) a stop at a port (ports of concern marked)
 *   zone_entry  (det_zone.c) a stay in an area of interest
 *   spoofing    (det_spoof.c) signs in a track: one MMSI in two places,
 *               impossible jumps, an unallocated MID, an invalid MMSI
 *   position    (det_position.c) positions a ship cannot have had: on land
 *               (reached by a jump), legs across land no sea route fits,
 *               many vessels at one point or on circles around one
 *               (GNSS manipulation), a track displaced by a fixed offset
 *               and back (det_offset.c)
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
    /* true when only a slow stay in the zone counts (its policy "dwell");
     * NULL: every zone's policy is "entry" */
    bool (*zone_dwell)(void *ud, int zone);
    /* true when the MMSI's MID (ship MMSIs 2xx-7xx) is allocated to a
     * country; other forms are not judged (true) */
    bool (*mid_ok)(void *ud, uint32_t mmsi);
    /* the land mask (geo/land.c: Natural Earth 1:50m at 2 arc minutes; NULL
     * all four without one): true when every place within km of the point
     * is land; how far inland a point is (whole km, at most max_km); the
     * longest stretch of a straight leg over land at least margin_km
     * inland; a lower bound of the sea route between two places (INFINITY
     * when none is max_km or shorter, NAN when not judged) */
    bool (*land_inland)(void *ud, double lat, double lon, double km);
    double (*land_depth_km)(void *ud, double lat, double lon, double max_km);
    double (*land_crossing_km)(void *ud, double lat1, double lon1, double lat2, double lon2, double margin_km);
    double (*sea_route_km)(void *ud, double lat1, double lon1, double lat2, double lon2, double margin_km,
                           double max_km);
    void *ud;
} det_geo;

/* ---- the table ------------------------------------------------------------------ */

typedef struct det_call det_call;
struct det_pos_opts;

/* What the scan gives every detector: the same for all, for the whole
 * scan. */
typedef struct det_env {
    pel_store *s;              /* the store scanned */
    det_geo geo;               /* ports, zones (zones_at NULL without zones), MIDs */
    const struct geo_mid *mid; /* the MID table (screening's flag check), or NULL */
    const char *data_dir;      /* as pel_scan_opts.data_dir (screening's shipped list) */
    bool stored_lists_only;    /* as pel_scan_opts: screening's lists */
    bool lists_default;
    int64_t data_start_ms;         /* the first and last position time in the store; */
    int64_t data_end_ms;           /* both 0 when it has none */
    const struct det_links *links; /* the links between MMSIs (det_link.c), NULL for none */
    /* the coverage map's stations, read once (det_stations.c); NULL: the
     * rows that need them read the map themselves */
    const struct det_stations *stations;
    /* the position row's settings, for the spoofing row: the fixed-offset
     * runs it finds (det_offset_runs) are not parallel segments; NULL: none */
    const struct det_pos_opts *position;
    /* the loitering row's settings, for the gap row's finish: it keeps for
     * the dark rendezvous only the gaps that are some loitering's possible
     * partner (det_rdv_reach_of); NULL: none */
    const struct det_loiter_opts *loiter;
    /* the findings so far: a finish may amend its own (loitering); pel_scan's
     * spills (fnd_set_spill), so read it by fnd_set_count/key/get, never v */
    fnd_set *found;
    /* the gaps judged (det_gap_finish) that are a possible partner of some
     * loitering, for the dark rendezvous (det_rendezvous.c): the scan's,
     * empty at the start; NULL when there is none to fill */
    struct det_rdv_gaps *gap_ends;
    pel_scan_stats *stats; /* never NULL: a detector adds its own counts */
    /* NULL, or told of every run of close steps the encounter row pairs
     * (det_enc_on_span): the incremental scan's */
    void (*enc_span)(void *ud, uint32_t mmsi, uint32_t partner, int64_t from_ms, int64_t to_ms);
    void *enc_span_ud;
    /* NULL, or told of every gap the gap row's finish leaves out as a hole
     * in the data (the whole feed silent): the incremental scan's, which
     * judges it again when late data may fill the hole */
    void (*gap_hole)(void *ud, uint32_t mmsi, int64_t start_ms, int64_t end_ms);
    void *gap_hole_ud;
    /* the screening row's finish (src/scan/scan_screen.c), NULL for no
     * screening: the screen stage is the scan's to call, not detect's */
    pel_status (*screening)(det_call *c);
} det_env;

/* ---- resuming a vessel's track from a quiet point ----------------------------------- */

/* Where a per-vessel detector starts judging a track, and what it tells of
 * its state along it: the seam of incremental detection
 * (docs/incremental.md).
 *
 * A detector that takes a det_resume judges p[from, n) of the track p[0,
 * n) with its state empty at p[from]; the positions before are context
 * only (a chain's true head, the position a zone was entered from, the
 * vessel's own receptions around a gap).  With busy non-NULL it sets
 * busy[i] (from < i < n) where its state is not empty before p[i]: a
 * loitering run, a port visit, a zone stay, an on-land run or a gap spans
 * the step into p[i].  It never clears a flag, so that the flags of
 * several detectors add up.
 *
 * The contract, held by tests/unit_resume.c on every vessel of the shipped
 * scenarios and the recorded feeds: when busy[i] is clear after a run
 * from 0 (and p[i] is later than p[i - 1]), the run from i emits exactly
 * the findings of the run from 0 that start at p[i] or later, and every
 * other finding of the run from 0 ends before p[i]. */
typedef struct det_resume {
    size_t from;   /* the first position judged (0: the whole track) */
    uint8_t *busy; /* NULL, or n flags (the caller's): set where the state spans the step */
} det_resume;

/* One call of a detector's hook. */
struct det_call {
    const det_env *env;
    const void *opts; /* its options struct, the settings applied; NULL when it has no settings */
    void *state;      /* its own, from begin to cleanup (NULL before begin) */
    fnd_emit_fn emit; /* where its findings go: det_push, checking each against its kinds */
    void *ud;
    pel_error *err; /* may be NULL: for a message of its own when a hook fails */
    /* NULL: the whole track; else where the vessel hook starts and where it
     * marks its state (det_resume; only the detectors that say so take it) */
    const det_resume *resume;
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
    DET_GAP,
    DET_LOITERING, /* after DET_GAP: its finish reads the gaps judged (det_rendezvous.c) */
    DET_PORT_VISIT,
    DET_ZONE_ENTRY,
    DET_SPOOFING,
    DET_POSITION,
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
    char bad[160];            /* the first finding d emitted of a kind it does not declare ("" if none) */
    const uint32_t *subjects; /* NULL, or the only vessels findings are about (sorted): a finding
                                 about none of them (mmsi, mmsi2) is dropped (pel_scan_opts.subjects) */
    size_t nsubjects;
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
 * out at det_enc_run.  The resampled points wait in a temporary file
 * ($TMPDIR, else /tmp; unlinked as soon as it is made), so that memory
 * grows with the vessels active in a day, never with the history's length
 * (det_encounter.c). */
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
 * not added), PEL_ERR_IO (the temporary file could not be made or written,
 * det_enc_message says why: e has failed for good, every later add and run
 * returns PEL_ERR_IO) or PEL_ERR_ARG (e NULL, or more than 2^32-2 points in
 * a day). */
pel_status det_enc_add_track(det_enc *e, uint32_t mmsi, const pel_position *p, size_t n);

/* Pairs the vessels added so far and emits one "encounter" finding per
 * merged encounter, in (start, mmsi, mmsi2) order, mmsi < mmsi2, each as
 * soon as no finding to come can precede it.  geo may be NULL (or its
 * port_dist_m NULL): the port rule is then not applied and the finding says
 * "port_distance":"unknown".  Findings are borrowed by emit for the call.
 * The accumulator keeps its points, and may be given more tracks and run
 * again.  Returns PEL_OK, PEL_ERR_NOMEM or PEL_ERR_IO (reading the
 * temporary file failed, det_enc_message says why); after a failure the
 * findings emitted are not all there are. */
pel_status det_enc_run(det_enc *e, const det_geo *geo, fnd_emit_fn emit, void *ud);

/* Why the last add or run of e failed with PEL_ERR_IO ("out of memory"
 * otherwise).  Static or e's own: valid until e's next call. */
const char *det_enc_message(const det_enc *e);

/* Frees e, its points and its temporary file; NULL is accepted. */
void det_enc_free(det_enc *e);

/* Has det_enc_run tell fn (ud) of every run of close steps of a pair,
 * an encounter or not, once for each of its two vessels (mmsi, and the
 * other as partner): from its first close step to its last plus
 * merge_gap_h (a run starting before then would be merged with it).  An
 * incremental scan resumes a vessel's track only outside them
 * (docs/incremental.md).  fn NULL: none. */
void det_enc_on_span(det_enc *e, void (*fn)(void *ud, uint32_t mmsi, uint32_t partner, int64_t from_ms, int64_t to_ms),
                     void *ud);

/* The hooks resume (det_resume): the vessel hook resamples the track from
 * r->from on, where the caller knows no run spans (det_enc_on_span). */

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
    /* possible partners (det_rendezvous.c) */
    double partner_speed_factor;   /* a dark vessel could sail this times its fastest reported
                                      speed at the gap's ends */
    double partner_min_together_h; /* it could have been at the loitering place, with the
                                      loiterer, for at least this long */
    int max_partners;              /* the partners listed, the likeliest first (0: none) */
} det_loiter_opts;

/* Sets the defaults. */
void det_loiter_default_opts(det_loiter_opts *o);

/* Finds the loitering runs of one vessel (n positions in time order, usable
 * ones only; p borrowed for the call) and emits one "loitering" finding per
 * run, in time order (the finding is borrowed by emit for the call).  o may
 * be NULL for the defaults; geo may be NULL ("port_distance":"unknown", port
 * rule not applied); r may be NULL (the whole track), else the run resumes
 * (det_resume). */
void det_loiter_track(const det_loiter_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                      const det_resume *r, fnd_emit_fn emit, void *ud);

/* ---- possible partners: the dark rendezvous (det_rendezvous.c) ---------------------------- */

/* A gap of another vessel, as the rendezvous judges it: the partner's
 * last position before the silence and the next one after (none for an
 * open gap, which ends at end_ms, the end of the data). */
typedef struct det_rdv_gap {
    uint32_t mmsi;
    pel_position before, after; /* after unused when open */
    bool open;
    int64_t end_ms; /* after.t_ms, or the end of the data for an open gap */
    int suspected;  /* the gap finding's "suspected": 1, 0, or -1 for null */
    char cause[12]; /* the gap finding's "cause" ("dark", "coverage", ...), "" for none */
} det_rdv_gap;

/* Gaps for the dark rendezvous (det_env.gap_ends): v[0, n) in a buffer
 * of cap, malloc'd, owned by whoever owns the struct. */
typedef struct det_rdv_gaps {
    det_rdv_gap *v;
    size_t n, cap;
} det_rdv_gaps;

/* The reachability of one gap from one loitering (docs/findings.md,
 * "possible_partners"). */
typedef struct det_rdv_reach {
    double reported_kn, reach_kn;           /* the fastest reported speed at the ends; times the factor */
    double together_h;                      /* the longest the partner could have been at the place while
                                               the loiterer was there */
    double go_nm, go_avail_h, go_need_h;    /* last position to the place; the time from it to the
                                               end of the loitering or of the gap; at reach_kn */
    double ret_nm, ret_avail_h, ret_need_h; /* the place to the next position (NAN when open) */
} det_rdv_reach;

/* Judges whether the vessel of gap g could have met the loitering l (a
 * "loitering" finding: its place, start and end): fills r and returns
 * true when r->together_h >= o->partner_min_together_h.  A gap of the
 * loiterer itself, one without a reported speed at either end or one
 * not overlapping the loitering is never a partner. */
bool det_rdv_reach_of(const det_loiter_opts *o, const fnd_finding *l, const det_rdv_gap *g, det_rdv_reach *r);

/* Adds "possible_partners" to every loitering of s that has some among
 * the n gaps g (borrowed): at most o->max_partners, the longest
 * together_h first (then MMSI, then gap start), each with its margins
 * and the file (paths[input], NULL or out of range: "?") and line of the
 * partner's positions; those positions join the finding's evidence.
 * Loiterings without partners are left as they are.  Returns PEL_OK or
 * PEL_ERR_NOMEM (some loiterings may be amended already). */
pel_status det_rdv_amend(const det_loiter_opts *o, fnd_set *s, const det_rdv_gap *g, size_t n, char *const *paths,
                         size_t npaths);

/* Hooks: vessel finds the vessel's loitering runs, finish (after the gap's, which leaves in env->gap_ends the gaps
 * judged that overlap some loitering) adds the partners. */
pel_status det_loiter_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);
pel_status det_loiter_finish(det_call *c);

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
    double thin_min_share;    /* ... when it is heard in at least this share
                                 of its slots outside the gap at all */
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
    double baseline_days;     /* a cell's or station's baseline is what it heard
                                 this many days either side of the gap (within
                                 the data): local, so that a gap's judgement
                                 does not depend on data far from it */
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
 * (every reception together, every station's rows summed) and positions. */
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

/* ---- det_stations.c: the coverage map read once for a scan ---- */

/* A station's cell: its id (geo/cell.h) and the station's receptions in it. */
typedef struct det_station_cell {
    uint32_t cell;
    uint64_t w;
} det_station_cell;

/* What a scan reads of the coverage map once, for every row that asks. */
typedef struct det_stations {
    char **names; /* per station id, its name (st_source_names) */
    size_t nnames;
    /* each station's cells (id 1 on), ascending, with its receptions */
    det_station_cell **cells;
    size_t *ncells, *capcells;
    /* each station's pulse: bit k of pulse[id * words ..] is ten-minute slot
     * ss + k of the data's span [ss, se) in which it heard anything; NULL
     * with fewer than two stations, or too many slots to hold */
    uint64_t *pulse;
    size_t words;
    int64_t ss, se;
    /* per hour h0 + i of the data's span (i < nh), a digest of its rows:
     * the sum of a hash of each (every station's); hours[nh] those of the
     * hours outside the span; NULL when the store has no data */
    uint64_t *hours;
    int64_t h0;
    size_t nh;
} det_stations;

/* Reads the map of s once for a scan of the data's span [data_start_ms,
 * data_end_ms] into *out (free with det_stations_free, NULL accepted).
 * PEL_OK, or the store's error (or PEL_ERR_NOMEM) with err filled. */
pel_status det_stations_read(pel_store *s, int64_t data_start_ms, int64_t data_end_ms, det_stations **out,
                             pel_error *err);
void det_stations_free(det_stations *m);

/* ---- det_cellsum.c: coverage cells summed once, for cell_heard ---- */

/* A cache of coverage cells' rows with running totals, read from s (borrowed
 * for the cache's life), for a scan over the data's span [ss, se) in ten-minute slots.  NULL when out of memory;
 * free with det_cellsum_free (NULL accepted). */
typedef struct det_cellsum det_cellsum;
det_cellsum *det_cellsum_new(pel_store *s, int64_t ss, int64_t se);
void det_cellsum_free(det_cellsum *m);

/* The station asked for by det_cellsum_heard: when want, the station (id
 * > 0 and < nstations) that heard the most other vessel-hours in the cell
 * outside the window (on a tie the first by name, names[id] -- so that the
 * choice does not depend on the order the stations were first heard in, as
 * a case's lines alone number them otherwise; the lowest id without names),
 * 0 for none, and those vessel-hours. */
typedef struct det_cellsum_best {
    bool want;
    size_t nstations;
    char *const *names; /* per station id, or NULL */
    uint32_t station;
    long vessel_hours;
} det_cellsum_best;

/* Adds to out what cell heard (every reception, st_cov_all) in
 * the window [ws, we) of ten-minute slots (within the span) and outside
 * it within the baseline's range [bs, be) (which holds the window, within
 * the span): slots_heard, base_heard, positions, vessel_hours,
 * base_positions, base_vessel_hours, less the vessel's own (own, its nown
 * hours in the cell by hour: an hour it alone was heard in counts as
 * silent); *base_seen the or of the vessels' bits of the baseline's hours
 * wholly outside the window; and best as above.  The cell's rows are read
 * from m's store when first needed and kept while there is room.  PEL_OK,
 * or the store's error or PEL_ERR_NOMEM with err filled. */
pel_status det_cellsum_heard(det_cellsum *m, uint32_t cell, int64_t ws, int64_t we, int64_t bs, int64_t be,
                             const det_own_hour *own, size_t nown, det_cell_heard *out, uint64_t *base_seen,
                             det_cellsum_best *best, pel_error *err);

/* Tells m that no question will need an hour before `hour` any more (the
 * asker goes in time order): the cells read only for earlier hours are the
 * first to go when the cache is full. */
void det_cellsum_forget(det_cellsum *m, int64_t hour);

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
    int64_t data_end_ms;           /* latest time in the data; 0 = unknown (no open gaps) */
    const struct det_links *links; /* MMSIs given up for others (det_link.c), NULL for none */
    /* NULL, or where each gap goes instead of being judged and emitted at
     * once (the scan judges them later, in time order: det_gap_finish):
     * b holds its members up to the cause (no evidence yet), a and z its
     * ends (z NULL: open; z->mmsi another MMSI: a link), own[0, nown) the
     * vessel's own hours (by cell, then hour); all borrowed for the call */
    pel_status (*defer)(void *ud, const fnd_builder *b, const pel_position *a, const pel_position *z,
                        const det_own_hour *own, size_t nown);
    void *ud; /* passed to the callbacks */
} det_gap_context;

/* Emits a "gap" finding for each pair of consecutive positions of a chain
 * at least o->min_gap_h apart, and an open gap ("open": true, end =
 * ctx->data_end_ms) when the vessel's last position is more than
 * o->min_gap_h before the end of the data -- unless ctx->links has the
 * ship going on under another MMSI: then a gap to that MMSI's first
 * position (mmsi2 that MMSI) when it came o->min_gap_h or more later,
 * none when sooner.  Start is the position before
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
 * is borrowed for the call; r may be NULL (the whole track), else the run
 * resumes (det_resume: a gap spans the steps up to its end).  Returns
 * PEL_OK, or PEL_ERR_NOMEM or the error of ctx->cell_heard (findings
 * already emitted stay emitted). */
pel_status det_gap_track(const det_gap_opts *o, const det_geo *geo, const det_gap_context *ctx, uint32_t mmsi,
                         const pel_position *p, size_t n, const det_resume *r, fnd_emit_fn emit, void *ud);

/* Hooks: begin opens the store's coverage and the feed's pulse; vessel
 * counts the pulse and finds the gaps, setting them aside (a temporary
 * file); finish judges them in time order against the coverage and the
 * pulse (feed_hours_fraction; gaps in holes of the feed dropped, counted in
 * stats->gaps_in_holes), emits them, and leaves in env->gap_ends those
 * that are a possible partner of some loitering (env->loiter's settings). */
pel_status det_gap_begin(det_call *c);
pel_status det_gap_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);
pel_status det_gap_finish(det_call *c);
void det_gap_cleanup(det_call *c);

/* A gap an incremental scan kept judged from the last (src/scan/scan.c: the
 * finding itself goes into the set as it is), its ends e (borrowed) handed
 * to the finish to be judged as a loitering's possible partner like the
 * gaps judged now.  PEL_OK or PEL_ERR_NOMEM. */
pel_status det_gap_kept(det_call *c, const det_rdv_gap *e);

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
 * borrowed for the call; r may be NULL (the whole track), else the run
 * resumes (det_resume: a visit, stopped or not, spans the steps after its
 * entry).  Returns PEL_OK or PEL_ERR_NOMEM. */
pel_status det_port_track(const det_port_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                          const det_resume *r, fnd_emit_fn emit, void *ud);

pel_status det_port_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);

/* ---- zone_entry (det_zone.c) -------------------------------------------------------- */

#define DET_ZONE_MAX 16 /* zones one position may be in at once; more are ignored */

/* Defaults: det_table's settings. */
typedef struct det_zone_opts {
    long min_positions;        /* stays with fewer positions inside are not reported */
    double dwell_max_speed_kn; /* in a "dwell" zone, a position is slow under this SOG */
    double dwell_min_h;        /* and a stay counts only with slow positions in a row
                                  lasting at least this (first to last) */
} det_zone_opts;

/* Fills o with the defaults.  o is the caller's. */
void det_zone_default_opts(det_zone_opts *o);

/* Emits a "zone_entry" finding per stay in a zone (geo->zones_at).  A stay
 * is a run of consecutive positions of a chain inside the zone: one
 * position outside ends it (no hysteresis: zones are legal lines).  In a
 * zone whose policy is "dwell" (geo->zone_dwell) a stay counts only when
 * some positions in a row inside report a SOG under o->dwell_max_speed_kn
 * for at least o->dwell_min_h: a transit is no finding (transits, when
 * not NULL, gets it instead, built the same way).  Start is the first
 * position inside, end the last; lat/lon those of the first.  Fields: zone
 * (name, null without geo->zone_name), zone_index, policy ("entry",
 * "dwell"), dwell_h (dwell zones: the longest slow run, hours), positions,
 * duration_h, entered_from ({"time","lat","lon"} of the position before,
 * null when the chain starts inside), exit ("left", "silence", "data_end"
 * as for port visits), open (true for "data_end").  Evidence: position
 * before, first inside, last inside, first outside.  No findings when
 * geo->zones_at is NULL.  o may be NULL; p and geo are borrowed for the
 * call; r may be NULL (the whole track), else the run resumes (det_resume:
 * a stay, reported or not, spans the steps after its first position).  Returns PEL_OK or PEL_ERR_NOMEM. */
pel_status det_zone_track(const det_zone_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                          const det_resume *r, fnd_emit_fn emit, void *ud, fnd_emit_fn transits, void *tud);

pel_status det_zone_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);

/* ---- spoofing (det_spoof.c) -------------------------------------------------------- */

/* Emits the spoofing signs of one vessel's track (n positions, time order,
 * p borrowed for the call): "invalid_mmsi" alone when the MMSI identifies
 * no ship, otherwise "impossible_speed" (the flagged jumps),
 * "parallel_segments" (per pair of segments overlapping in time) and
 * "unallocated_mid" (when mid_ok, which may be NULL, says so).  offsets,
 * the position row's settings or NULL: the fixed-offset runs they find
 * (det_offset_runs) are taken out of the segments before parallel ones are
 * sought (out of memory: the track is judged as it is). */
void det_spoof_track(uint32_t mmsi, const pel_position *p, size_t n, bool (*mid_ok)(void *ud, uint32_t mmsi),
                     void *mid_ud, const struct det_pos_opts *offsets, fnd_emit_fn emit, void *ud);

pel_status det_spoof_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);

/* ---- position (det_position.c) ------------------------------------------------------ */

/* Defaults: det_table's settings. */
typedef struct det_pos_opts {
    double inland_km;          /* "on land": every place within this of the position is land */
    double max_speed_kn;       /* faster than this is a jump (on land) or no sea route (crossing) */
    double crossing_km;        /* a leg crossing this much land, inland_km inland, is judged */
    long min_vessels;          /* vessels at one point or around one centre */
    double window_h;           /* their reports at most this far apart in time */
    long point_min_reports;    /* a vessel reports the point at least this many times */
    long circle_points;        /* a circle is at least this many consecutive positions */
    double circle_tolerance_m; /* each within this of the radius */
    double circle_min_radius_m;
    double circle_max_radius_m;
    double circle_min_arc_deg;   /* the positions cover at least this arc */
    double circle_center_m;      /* centres this close are one centre */
    double offset_min_km;        /* a fixed offset is at least this long */
    double offset_tolerance_km;  /* its two jumps cancel within this (and steps under it are no jumps) */
    double offset_tolerance_pct; /* or within this percentage of the offset, when more */
    long offset_min_positions;   /* the displaced run has at least this many positions */
} det_pos_opts;

/* On-land runs and land crossings of one vessel's track (n positions in
 * time order, usable ones only; p borrowed for the call): emits one
 * "on_land" finding per run and one "land_crossing" finding for the
 * vessel, in time order.  Nothing without a land mask (g NULL or its land
 * callbacks NULL).  r may be NULL (the whole track), else the run resumes
 * (det_resume: an on-land run spans the steps after its first position, and
 * a land_crossing, one finding for the whole track, every step after r->from).
 * PEL_OK, or PEL_ERR_NOMEM (nothing emitted). */
pel_status det_pos_land_track(const det_pos_opts *o, const det_geo *g, uint32_t mmsi, const pel_position *p, size_t n,
                              const det_resume *r, fnd_emit_fn emit, void *ud);

/* Fixed offsets in one vessel's track (n positions in time order, usable
 * ones only, with their segment ids; p borrowed for the call): emits one
 * "offset" finding per run displaced by one vector and back
 * (det_offset.c), in time order.  PEL_OK, or PEL_ERR_NOMEM (nothing
 * emitted). */
pel_status det_pos_offset_track(const det_pos_opts *o, uint32_t mmsi, const pel_position *p, size_t n, fnd_emit_fn emit,
                                void *ud);

/* One fixed-offset run: p[i..j) displaced, p[i - 1] and p[j] true; the
 * vector (metres east and north) and how far its two jumps are from
 * cancelling. */
typedef struct det_offset_run {
    size_t i, j;
    double east_m, north_m, mismatch_m;
} det_offset_run;

/* The fixed-offset runs of one vessel's track (as det_pos_offset_track;
 * runs whose displaced track goes on beyond the true stretch after or
 * before them, two transmitters taking turns, left out): *runs becomes a malloc'd array of
 * *nruns in time order, the caller's to free (NULL, 0 for none).  PEL_OK,
 * or PEL_ERR_NOMEM (*runs NULL). */
pel_status det_offset_runs(const det_pos_opts *o, const pel_position *p, size_t n, det_offset_run **runs,
                           size_t *nruns);

/* Hooks: begin makes the state, vessel judges land and keeps the vessel's
 * circles and repeated points, finish groups them across vessels. */
pel_status det_pos_begin(det_call *c);
pel_status det_pos_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n);
pel_status det_pos_finish(det_call *c);
void det_pos_cleanup(det_call *c);

/* ---- identity (det_identity.c) and the links between MMSIs (det_link.c) ------------- */

/* Defaults: det_table's settings. */
typedef struct det_identity_opts {
    double link_max_speed_kn; /* between A's last and B's first position, at least; more when
                                 their reported speeds say so (trk_reach_kn) */
    double link_noise_m;      /* a distance always within reach (position jitter) */
    double link_overlap_s;    /* how long A and B may both be heard at the switch-over */
    double link_alone_h;      /* A's last transmitter (B's first) alone under its MMSI this long */
} det_identity_opts;

/* Fills o with the defaults.  o is the caller's. */
void det_identity_default_opts(det_identity_opts *o);

/* What a link matched on. */
enum { DET_LINK_IMO = 1u, DET_LINK_NAME = 2u, DET_LINK_CALLSIGN = 4u, DET_LINK_SIZE = 8u };

#define DET_LINK_MAX_IDENT 8

/* An identity report a link rests on: where it was first heard. */
typedef struct det_link_ident {
    uint32_t input;
    uint64_t line;
    unsigned clocks; /* 1 << pel_clock of its reports */
} det_link_ident;

/* MMSI `from` (A) fell silent and the same ship went on as `to` (B)
 * (det_link.c has the rules). */
typedef struct det_link {
    uint32_t from, to;
    unsigned matched;                         /* DET_LINK_ bits: what A's last identity and B's first share */
    uint32_t imo;                             /* the valid IMO both broadcast, 0 when not matched */
    char name[64], callsign[16];              /* B's first name and call sign as broadcast ("" none) */
    int length_m, beam_m;                     /* B's first size, -1 unknown */
    pel_position last, first;                 /* A's last position, B's first (segments of their own) */
    det_link_ident ident[DET_LINK_MAX_IDENT]; /* the matching identity reports, A's then B's */
    int nident;
    double distance_m;  /* from last to first */
    double reach_kn;    /* the speed allowed between them (trk_reach_kn) */
    int64_t silence_ms; /* first.t_ms - last.t_ms; negative when both were heard at once */
} det_link;

/* The links of a store: every MMSI has at most one successor and one
 * predecessor, and links go forward in time, so they make chains (one
 * vessel each).  Opaque; read with the functions below. */
typedef struct det_links det_links;

/* Resolves the links of the store s with the settings o (NULL: the
 * defaults), reading its identities and the positions of the MMSIs whose
 * identity another MMSI broadcast (store.h).  On PEL_OK *out is the
 * caller's (det_links_free); otherwise *out is NULL and err (may be NULL)
 * says why (PEL_ERR_NOMEM, the store's error).  Deterministic. */
pel_status det_links_build(pel_store *s, const det_identity_opts *o, det_links **out, pel_error *err);

/* Frees l; NULL is accepted. */
void det_links_free(det_links *l);

/* The number of links, and link i in order of `from` (NULL past the end);
 * l may be NULL (no links).  Borrowed from l. */
size_t det_links_count(const det_links *l);
const det_link *det_links_at(const det_links *l, size_t i);

/* The link from mmsi (its successor), the link to mmsi (its predecessor),
 * or NULL.  Borrowed from l (may be NULL). */
const det_link *det_link_from(const det_links *l, uint32_t mmsi);
const det_link *det_link_to(const det_links *l, uint32_t mmsi);

/* The first MMSI of mmsi's chain (mmsi itself when nothing links to it):
 * the vessel's name among its MMSIs. */
uint32_t det_links_head(const det_links *l, uint32_t mmsi);

/* Emits the identity_change of link k ("field":"mmsi", mmsi = from, mmsi2 =
 * to; docs/findings.md): start and end the two positions, at A's last
 * place; the flags from mid (may be NULL: null).  Evidence: A's last and
 * B's first position, then the matching identity reports. */
void det_link_emit(const det_link *k, const struct geo_mid *mid, fnd_emit_fn emit, void *ud);

/* Identity changes, shared IMO numbers and IMO data-quality notes over
 * every identity in the store s; links (may be NULL) add one
 * identity_change "mmsi" each (mid for their flags, may be NULL) and
 * take their pairs out of the shared IMOs: an IMO used by one MMSI after
 * another of the same chain is a change of MMSI, not a sharing.  Returns
 * PEL_OK, PEL_ERR_NOMEM or the store's error. */
pel_status det_identity_run(pel_store *s, const det_links *links, const struct geo_mid *mid, fnd_emit_fn emit,
                            void *ud);

pel_status det_identity_finish(det_call *c);

#endif
