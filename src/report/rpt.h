/*
 * rpt.h -- the report stage: the explainable risk score of a vessel from
 * its findings (risk.c) and the evidence report built on it (report.c and
 * its pieces, report_internal.h).  Internal to libpelorus; pel_rank and
 * pel_report are the public entry points.  docs/report.md documents the
 * weights, the levels and the files.
 *
 * The score works on exactly what `pelorus scan` reports: the findings are
 * pel_scan's own, as structured values (pel_scan_findings, findings/
 * finding.h), so that a reason can always be traced to a line of the
 * scan's output.
 */
#ifndef PEL_RPT_H
#define PEL_RPT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "findings/finding.h"
#include "pelorus.h"

/* The weights, in the order docs/report.md lists them; the last two are the
 * level thresholds.  Settable as "risk.NAME=value". */
enum {
    RPT_W_DESIGNATION_IMO,
    RPT_W_DESIGNATION_CORROBORATED,
    RPT_W_DESIGNATION_NAME,
    RPT_W_ENCOUNTER,
    RPT_W_ENCOUNTER_DESIGNATED,
    RPT_W_GAP_SUSPECTED,
    RPT_W_GAP_DRAUGHT,
    RPT_W_GAP_PORT_CONCERN,
    RPT_W_GAP_COVERAGE,
    RPT_W_PORT_CONCERN,
    RPT_W_ZONE,
    RPT_W_LOITERING,
    RPT_W_LOITERING_PARTNER,
    RPT_W_LOITERING_PARTNER_COVERAGE,
    RPT_W_GAP_RENDEZVOUS,
    RPT_W_SPOOFING_PARALLEL,
    RPT_W_SPOOFING_SPEED,
    RPT_W_SPOOFING_MID,
    RPT_W_SPOOFING_MMSI,
    RPT_W_SPOOFING_LAND,
    RPT_W_SPOOFING_GNSS,
    RPT_W_SPOOFING_FOOTPRINT,
    RPT_W_DATA_IMO,
    RPT_W_IDENTITY_IMO,
    RPT_W_IDENTITY_NAME,
    RPT_W_IDENTITY_OTHER,
    RPT_W_IDENTITY_MMSI,
    RPT_W_FLAG_DPRK,
    RPT_W_HIGH, /* level thresholds */
    RPT_W_MEDIUM,
    RPT_W__COUNT
};

/* How many findings of a capped kind count (encounters, zone entries,
 * loitering). */
#define RPT_CAP 3

typedef struct rpt_weights {
    double w[RPT_W__COUNT];
} rpt_weights;

/* Name of weight i without the "risk." prefix ("designation_imo"), NULL past
 * the end.  Static. */
const char *rpt_weight_name(int i);

/* The weights a kind of finding counts for (risk.c's table beside the
 * weights): w lists RPT_W_ indices, -1 at its end; a kind that counts for
 * none says why in weightless. */
typedef struct rpt_kind_weights {
    const char *event; /* "spoofing" */
    const char *kind;  /* its kind or field ("parallel_segments"); NULL: every finding of the event */
    const int *w;
    const char *weightless;
} rpt_kind_weights;

/* The row of a finding's event and kind (kind NULL when it has none), or
 * NULL when the table has none.  Static. */
const rpt_kind_weights *rpt_kind_weights_of(const char *event, const char *kind);

/* Row i of that table, NULL past its end.  Static. */
const rpt_kind_weights *rpt_kind_weights_row(size_t i);

/* Sets every weight to its default. */
void rpt_weights_default(rpt_weights *w);

/* How the report draws tracks: Douglas-Peucker tolerance in degrees and
 * the most points per vessel ("report.simplify_deg", 0.0005;
 * "report.max_points_per_vessel", 2000). */
typedef struct rpt_draw {
    double simplify_deg;
    size_t max_points;
} rpt_draw;

/* Splits the caller's settings: "risk.NAME=value" entries set w (NAME must
 * be a weight, value a plain decimal number from 0 to 1000 points, or to
 * 1000000 for the level thresholds high and medium, medium not above
 * high), "report.NAME=value" set d (within the ranges of docs/report.md),
 * the others are copied (the pointers, borrowed from set) into det, which
 * has room for nset, *ndet getting their count (they are not checked here:
 * pel_scan does).  Returns PEL_OK, or PEL_ERR_ARG naming the entry and its
 * allowed range. */
pel_status rpt_split_settings(const char *const *set, size_t nset, rpt_weights *w, rpt_draw *d, const char **det,
                              size_t *ndet, pel_error *err);

/* "high", "medium", "low" or "none" for a score.  Static string. */
const char *rpt_level(const rpt_weights *w, double score);

/* One reason: a contributing finding (or the MMSI's country), in words. */
typedef struct rpt_reason {
    char *text;    /* owned by the ranking */
    double points; /* rounded to 0.1 */
    long finding;  /* index into the findings array, -1 when no finding */
} rpt_reason;

typedef struct rpt_vessel {
    uint32_t mmsi;       /* the vessel: its first MMSI */
    uint32_t *mmsis;     /* every MMSI of the ship in time order (identity_change "mmsi"), mmsi first; owned */
    size_t nmmsis;       /* 1 for a ship of one MMSI */
    double score;        /* the sum of the reasons' points */
    double low_points;   /* of which from low-confidence designations (a name alone) */
    const char *level;   /* static */
    rpt_reason *reasons; /* points descending, then finding order; owned */
    size_t nreasons;
    size_t *findings; /* indexes of the findings about the vessel, ascending; owned */
    size_t nfindings;
} rpt_vessel;

typedef struct rpt_ranking {
    rpt_vessel *v; /* riskiest first, ties by MMSI; owned */
    size_t n;
} rpt_ranking;

/* A vessel's display name for the reasons' texts, or NULL.  The string
 * needs to stay valid only until the next call. */
typedef const char *(*rpt_name_fn)(void *ud, uint32_t mmsi);

/* Scores every vessel named by a finding of the set findings (mmsi and
 * mmsi2), plus the extra MMSIs (which may have no finding; may be NULL).
 * designated (sorted ascending, may be NULL: then taken from the
 * watchlist_match findings of the set) are the MMSIs on a sanctions list,
 * for encounter_designated.  name may be NULL.  findings is borrowed for
 * the call; a reason's finding is its index in it.  On PEL_OK *out is the
 * caller's, freed with rpt_ranking_free; on failure it is empty and err
 * (may be NULL) says why (PEL_ERR_NOMEM). */
pel_status rpt_score(const fnd_set *findings, const rpt_weights *w, const uint32_t *extra, size_t nextra,
                     const uint32_t *designated, size_t ndesignated, rpt_name_fn name, void *ud, rpt_ranking *out,
                     pel_error *err);

/* Frees what rpt_score put in r and empties it.  r may be NULL. */
void rpt_ranking_free(rpt_ranking *r);

/* Everything pel_rank and pel_report share: the settings, the findings of
 * the scan filtered by the options, the ranking. */
typedef struct rpt_run {
    rpt_weights w;
    rpt_draw draw;
    fnd_set *findings;    /* the filtered findings, owned */
    uint32_t *designated; /* MMSIs with a watchlist_match in the whole scan, sorted; owned */
    size_t ndesignated;
    rpt_ranking rank;
    char *data_dir; /* resolved as pel_scan resolves it; owned */
} rpt_run;

/* Runs the scan (pel_scan_findings) with o's detector settings, keeps the
 * findings o selects (vessels: finding's mmsi or mmsi2 among o->mmsi;
 * time: [start, end] overlapping [from_ms, to_ms]) and ranks the vessels.
 * s and o are borrowed.  On PEL_OK r is the caller's (rpt_run_free); on
 * failure r is emptied and err (may be NULL) filled. */
pel_status rpt_run_scan(pel_store *s, const pel_report_opts *o, rpt_run *r, pel_error *err);

/* Frees r's members; r may be NULL. */
void rpt_run_free(rpt_run *r);

/* A JSON string of s made valid UTF-8 (json_null() for NULL or when out of
 * memory).  The caller owns the reference. */
json_t *rpt_jstr(const char *s);

#endif
