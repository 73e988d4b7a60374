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
pel_status det_identity_run(pel_store *s, fnd_emit_fn emit, void *ud);
void det_spoof_track(uint32_t mmsi, const pel_position *p, size_t n, const det_mid_fn mid_ok, void *mid_ud,
                     fnd_emit_fn emit, void *ud);

#endif
