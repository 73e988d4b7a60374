/*
 * scan_state.h -- what a whole-store scan keeps for the next (scan_state.c),
 * so that the next judges each vessel's track only from a quiet point: the
 * incremental scan of docs/incremental.md.  Internal to the scan stage.
 *
 * Per vessel the state holds:
 *   - checkpoints of its raw track (every position, usable or not): how
 *     many positions, and a digest of them -- which tell the next scan from
 *     when on the vessel's positions are new;
 *   - a few cuts: positions of its usable track at which every detector
 *     that resumes (det_resume) had an empty state, each with a digest of
 *     what its quietness rests on;
 *   - the findings of the resuming detectors (gaps judged included),
 *     compressed, a chunk a week: a chunk that comes out the same is not
 *     written again.
 * The next scan resumes the vessel from a cut whose digest its track still
 * has, takes the kept findings before it, and judges from there
 * (src/scan/scan.c decides which).  The state is taken only when it was kept
 * with the same settings and geography (a fingerprint); otherwise every
 * track is judged from its start.
 */
#ifndef PEL_SCAN_STATE_H
#define PEL_SCAN_STATE_H

#include <stdint.h>

#include "findings/finding.h"
#include "findings/record.h"
#include "pelorus.h"
#include "store/store.h"

#define SCAN_STATE_CUTS 8 /* cuts kept per vessel, at most */

/* A cut's flag: no run of close steps of the encounter row spans it. */
#define SCAN_CUT_ENCOUNTER 1u

/* A vessel's flag: it was fishing gear, left out of every detector (and
 * of the feed's pulse the gap row judges silences against). */
#define SCAN_VESSEL_GEAR 1u

/* A run of close steps of vessel mmsi with partner (det_enc_on_span). */
typedef struct scan_span {
    uint32_t mmsi, partner;
    int64_t from_ms, to_ms;
} scan_span;

typedef struct scan_state scan_state;         /* the last scan's (read) */
typedef struct scan_prev scan_prev;           /* its chunks, for the next save to compare with */
typedef struct scan_state_new scan_state_new; /* this scan's (being written) */

/* What the last scan saw of the store. */
typedef struct scan_state_info {
    int64_t data_start_ms, data_end_ms; /* its data's span */
    uint64_t vessels;                   /* the vessels it judged */
} scan_state_info;

/* The state s keeps, when it was kept with fingerprint print; NULL when
 * there is none, it is of another fingerprint or version, or it cannot be
 * read (the scan then judges every track whole).  Free with
 * scan_state_free. */
scan_state *scan_state_load(pel_store *s, uint64_t print);
void scan_state_free(scan_state *st);
const scan_state_info *scan_state_about(const scan_state *st);

/* The first hour (its start, Unix ms) whose digest of the coverage map
 * (det_stations: hours[0, nh] from hour h0, the last those outside the
 * span; NULL: no data) differs from the one the state kept: INT64_MAX when
 * none does, INT64_MIN when the hours outside the span differ. */
int64_t scan_state_cov_news(const scan_state *st, const uint64_t *hours, int64_t h0, size_t nh);

/* The vessels are asked for in ascending MMSI, once each per pass (the
 * state is read in step with the tracks); a second pass starts with
 * scan_state_rewind (false when the store fails: the state is then
 * taken as empty). */
bool scan_state_rewind(scan_state *st);

/* True when the state has a row for vessel mmsi that does not hold
 * together (cut short, or its counts past its end): the other functions
 * take it as none. */
bool scan_state_damaged(scan_state *st, uint32_t mmsi);

/* The time of the first position of vessel mmsi's raw track p[0, n) (every
 * position, in time order) that the last scan may not have seen: after the
 * latest checkpoint whose digest p still has; INT64_MAX when it saw them
 * all; p[0]'s (or INT64_MAX for n 0) when the vessel is new to it. */
int64_t scan_state_news(scan_state *st, uint32_t mmsi, const pel_position *p, size_t n);

/* The cuts of vessel mmsi whose digest its usable track p[0, n) (link: its
 * chains, det_vessel_chains) still has, latest first, into out and their
 * flags (SCAN_CUT_) into flags (room for SCAN_STATE_CUTS each); returns how
 * many. */
size_t scan_state_cuts(scan_state *st, uint32_t mmsi, const pel_position *p, size_t n, const size_t *link, size_t *out,
                       unsigned *flags);

/* The digest of vessel mmsi's voyage reports the last scan kept (the
 * draughts its gaps were judged with); 0 when it kept none. */
uint64_t scan_state_voyages(scan_state *st, uint32_t mmsi);

/* Calls cb with each run of close steps of mmsi the last scan kept (those
 * that end after its earliest cut), mmsi set. */
void scan_state_spans(scan_state *st, uint32_t mmsi, void (*cb)(void *ud, const scan_span *s), void *ud);

/* Calls cb with each gap of mmsi the last scan left out as a hole in the
 * data (det_env.gap_hole; partner 0). */
void scan_state_holes(scan_state *st, uint32_t mmsi, void (*cb)(void *ud, const scan_span *s), void *ud);

/* Calls cb with each kept finding of mmsi (borrowed for the call), in the
 * order kept; cb returning nonzero stops.  PEL_OK, PEL_ERR_FORMAT (the
 * state is damaged) or PEL_ERR_NOMEM. */
pel_status scan_state_each(scan_state *st, uint32_t mmsi, int (*cb)(void *ud, const fnd_finding *f), void *ud);

/* The chunks of the vessels whose kept findings all read back, taken from
 * st for scan_state_save (st keeps none after); NULL when out of memory
 * (the save then writes every chunk).  Free with scan_prev_free. */
scan_prev *scan_state_detach(scan_state *st);
void scan_prev_free(scan_prev *p);

/* What scan_state_save did with the chunks. */
typedef struct scan_save_stats {
    uint64_t chunks_kept;    /* the same as the last state's: not written again */
    uint64_t chunks_written; /* new or changed */
} scan_save_stats;

/* A new state with fingerprint print about the data's span; NULL when out
 * of memory. */
scan_state_new *scan_state_new_make(uint64_t print, int64_t data_start_ms, int64_t data_end_ms);
void scan_state_new_free(scan_state_new *w);

/* Keeps the coverage map's digests (as scan_state_cov_news takes them) in
 * w; false when out of memory. */
bool scan_state_new_cov(scan_state_new *w, const uint64_t *hours, int64_t h0, size_t nh);

/* Begins vessel mmsi (vessels come in ascending order) with its raw track
 * p[0, n): its checkpoints. */
void scan_state_begin(scan_state_new *w, uint32_t mmsi, const pel_position *p, size_t n);

/* Sets the digest of the voyage reports of the vessel begun (0: none known). */
void scan_state_set_voyages(scan_state_new *w, uint64_t digest);

/* The flags (SCAN_VESSEL_) the last scan kept for vessel mmsi into *flags;
 * false when it kept no row for it. */
bool scan_state_flags(scan_state *st, uint32_t mmsi, uint64_t *flags);

/* Sets the flags (SCAN_VESSEL_) of the vessel begun. */
void scan_state_set_flags(scan_state_new *w, uint64_t flags);

/* Ends the vessel begun: its cuts, the positions cuts[0, ncuts) of its
 * usable track p[0, n) (link: its chains; none when p is NULL), each
 * quiet for every resuming detector. */
void scan_state_end(scan_state_new *w, const pel_position *p, size_t n, const size_t *link, const size_t *cuts,
                    size_t ncuts);

/* Keeps w in the store (st_scan_write_begin ...), saying it judged
 * `vessels`, with the findings i of set (the scan's, final) for which
 * keep(set, i) is true, each with the vessel of its mmsi (compressed, a
 * chunk per vessel and week), and the runs of close steps spans[0,
 * nspans) (sorted by vessel, every one the encounter row's pairing has
 * now): each cut flagged SCAN_CUT_ENCOUNTER when none of its vessel's
 * spans holds it, and a vessel's spans that end after its earliest cut
 * kept with it; and the gaps left out as holes holes[0, nholes) (sorted by
 * vessel, partner 0).  prev (borrowed; NULL: none, every chunk is dropped and
 * written) is what the last state's chunks were: one that comes out the
 * same is left as it is.  stats (NULL: none) says how many were.  PEL_OK,
 * PEL_ERR_NOMEM (w ran out of memory on the way), PEL_ERR_IO (the set's
 * file), or the store's error with err filled. */
pel_status scan_state_save(scan_state_new *w, const fnd_set *set, bool (*keep)(const fnd_set *set, size_t i),
                           uint64_t vessels, const scan_span *spans, size_t nspans, const scan_span *holes,
                           size_t nholes, scan_prev *prev, pel_store *s, scan_save_stats *stats, pel_error *err);

#endif
