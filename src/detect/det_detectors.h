/*
 * det_detectors.h -- two behaviour detectors of the detect stage:
 *
 *   encounter  (det_encounter.c) two vessels close together, slow, far from
 *              any port, for hours: a possible ship-to-ship transfer.
 *              Global Fishing Watch's definition and defaults.
 *   loitering  (det_loiter.c) one vessel slow, far from shore, for hours.
 *
 * Both read tracks as det.h describes them (one vessel's usable positions,
 * time-ordered, no duplicates: the track stage guarantees it) and emit
 * findings (fnd_builder).  Every threshold is an option; the defaults are in
 * the comments below and are what *_default_opts() sets.  Internal to
 * libpelorus.
 */
#ifndef PEL_DET_DETECTORS_H
#define PEL_DET_DETECTORS_H

#include <stddef.h>
#include <stdint.h>

#include "det.h"

/* ---- det_encounter.c ------------------------------------------------------ */

typedef struct det_enc_opts {
    double max_distance_m;      /* "close": great-circle distance at a step <= this (500) */
    double min_duration_h;      /* a run of close steps lasts at least this (2); duration =
                                   last close step - first close step */
    double max_median_speed_kn; /* each vessel's median speed over the run < this (2) */
    double min_port_distance_m; /* the run's mean position >= this from the nearest port (10000) */
    double merge_gap_h;         /* encounters of a pair less than this apart are one (4) */
    int step_s;                 /* resampling step, aligned to multiples in Unix time (600) */
    int max_interp_gap_s;       /* never interpolate across a silence longer than this (3600) */
} det_enc_opts;

/* The encounter accumulator: tracks go in one vessel at a time, pairs come
 * out at det_enc_run. */
typedef struct det_enc det_enc;

/* Sets the defaults above. */
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

/* ---- det_loiter.c --------------------------------------------------------- */

typedef struct det_loiter_opts {
    double max_speed_kn;         /* every position's speed < this (2) */
    double min_duration_h;       /* the run lasts at least this (4): last - first position */
    double min_port_distance_m;  /* the run's mean position >= this from the nearest port
                                    (37040 = 20 nm; stands in for "from shore") */
    double max_gap_h;            /* a silence longer than this ends the run (1) */
    double max_implied_speed_kn; /* distance between consecutive positions, less noise_m, over
                                    their time apart must stay <= this (3), or the SOG is not
                                    believed and the run ends */
    double noise_m;              /* position jitter allowed for the check above (200) */
} det_loiter_opts;

/* Sets the defaults above. */
void det_loiter_default_opts(det_loiter_opts *o);

/* Finds the loitering runs of one vessel (n positions in time order, usable
 * ones only; p borrowed for the call) and emits one "loitering" finding per
 * run, in time order (the finding is borrowed by emit for the call).  o may
 * be NULL for the defaults; geo may be NULL ("port_distance":"unknown", port
 * rule not applied). */
void det_loiter_track(const det_loiter_opts *o, const det_geo *geo, uint32_t mmsi, const pel_position *p, size_t n,
                      fnd_emit_fn emit, void *ud);

#endif
