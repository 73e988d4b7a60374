/*
 * scan_state.h -- what a whole-store scan keeps for the next (scan_state.c),
 * so that the next judges each vessel's track only from a quiet point: the
 * incremental scan of docs/incremental.md.  Internal to the scan stage.
 *
 * Per vessel the state holds a few cuts -- positions at which every
 * detector that resumes (det_resume) had an empty state -- each with a
 * digest of what its quietness rests on, and the findings of those
 * detectors.  The next scan resumes the vessel from the latest cut whose
 * digest its track still has (nothing before it changed: no late position,
 * no new link between its chains), takes the kept findings that start
 * before it, and judges from there.  The state is taken only when it was
 * kept with the same settings and geography (a fingerprint); otherwise
 * every track is judged from its start.
 */
#ifndef PEL_SCAN_STATE_H
#define PEL_SCAN_STATE_H

#include <stdint.h>

#include "findings/finding.h"
#include "findings/record.h"
#include "pelorus.h"
#include "store/store.h"

typedef struct scan_state scan_state;         /* the last scan's (read) */
typedef struct scan_state_new scan_state_new; /* this scan's (being written) */

/* The state s keeps, when it was kept with fingerprint print; NULL when
 * there is none, it is of another fingerprint or version, or it cannot be
 * read (the scan then judges every track whole).  Free with
 * scan_state_free. */
scan_state *scan_state_load(pel_store *s, uint64_t print);
void scan_state_free(scan_state *st);

/* Where to judge vessel mmsi's track p[0, n) from (link: its chains,
 * det_vessel_chains): the latest cut of st (may be NULL) whose digest the
 * track still has, 0 for none. */
size_t scan_state_from(const scan_state *st, uint32_t mmsi, const pel_position *p, size_t n, const size_t *link);

/* The kept findings of mmsi that start before before_ms (those a track
 * judged from the cut does not find again): each added to set, and to w's
 * vessel under way.  PEL_OK, PEL_ERR_NOMEM, or PEL_ERR_IO (a spilling set's
 * file; a state that cannot be read is PEL_ERR_FORMAT). */
pel_status scan_state_kept(const scan_state *st, uint32_t mmsi, int64_t before_ms, fnd_set *set, scan_state_new *w);

/* A new state with fingerprint print; NULL when out of memory. */
scan_state_new *scan_state_new_make(uint64_t print);
void scan_state_new_free(scan_state_new *w);

/* Adds f (borrowed) to the findings of the vessel under way. */
void scan_state_finding(scan_state_new *w, const fnd_finding *f);

/* Ends the vessel under way, mmsi (vessels come in ascending order): its
 * cuts from busy (n flags, as det_resume: the steps of p[from, n) some
 * resuming detector's state spans; from itself is quiet) and the findings
 * added since the last vessel. */
void scan_state_vessel(scan_state_new *w, uint32_t mmsi, const pel_position *p, size_t n, const size_t *link,
                       const uint8_t *busy, size_t from);

/* Keeps w in the store (st_scan_state_put).  PEL_OK, PEL_ERR_NOMEM (w ran
 * out of memory on the way), or the store's error with err filled. */
pel_status scan_state_save(scan_state_new *w, pel_store *s, pel_error *err);

#endif
