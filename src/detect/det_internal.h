/*
 * det_internal.h -- what scan.c needs from the detectors it drives and
 * does not belong in det.h (which the detectors share).
 */
#ifndef PEL_DET_INTERNAL_H
#define PEL_DET_INTERNAL_H

#include <math.h>

#include "det.h"
#include "trk.h"

/* True when the MMSI's MID is allocated (ship MMSIs 2xx-7xx). */
typedef bool (*det_mid_fn)(void *ud, uint32_t mmsi);

/* det_identity.c: identity changes and shared IMO numbers over every
 * identity in the store s */
pel_status det_identity_run(pel_store *s, det_emit_fn emit, void *ud);
void det_spoof_track(uint32_t mmsi, const pel_position *p, size_t n, const det_mid_fn mid_ok, void *mid_ud,
                     det_emit_fn emit, void *ud);

/* findings.c */
int det_event_index(const char *event);
int det_cmp_findings(const void *a, const void *b);
/* Writes n findings (already sorted) to f; paths maps inputs.id to a path. */
pel_status det_write(FILE *f, pel_findings_format fmt, const det_finding *v, size_t n, const char *const *paths,
                     size_t npaths);

/* A growing array of findings; det_vec_push is a det_emit_fn whose ud is a
 * det_vec (or a struct whose first member is one). */
typedef struct det_vec {
    det_finding *v;
    size_t n, cap;
    bool nomem; /* a push failed: the array is incomplete */
} det_vec;
void det_vec_push(void *ud, const det_finding *f);

#endif
