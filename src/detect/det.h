/*
 * det.h -- the detect stage: behaviour detectors over stored tracks.
 * Internal to libpelorus; `pelorus scan` drives it (src/detect/scan.c).
 *
 * Every detector reads tracks (one vessel's usable positions in time
 * order: pel_position with segment >= 0) and emits findings through an
 * fnd_emit_fn: an fnd_builder (findings/finding.h) holding the measured
 * quantities that justify it as typed members, and the evidence: the input
 * and line of the positions it rests on.  Detectors are deterministic:
 * same tracks and settings, same findings in the same order.
 */
#ifndef PEL_DET_H
#define PEL_DET_H

#include <stddef.h>
#include <stdint.h>

#include "findings/finding.h"
#include "pelorus.h"

/* Geography, supplied by the caller (scan.c wires in the port list and the
 * zones); NULL functions mean "no data". */
typedef struct det_geo {
    /* distance in metres to the nearest port or anchorage; *port gets its
     * index (for det_geo.port_name) */
    double (*port_dist_m)(void *ud, double lat, double lon, int *port);
    const char *(*port_name)(void *ud, int port);
    int (*port_concern)(void *ud, int port);   /* 1 for ports of concern */
    /* zones containing a point: up to cap indices into out, returns count */
    int (*zones_at)(void *ud, double lat, double lon, int *out, int cap);
    const char *(*zone_name)(void *ud, int zone);
    void *ud;
} det_geo;

#endif
