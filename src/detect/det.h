/*
 * det.h -- the detect stage: behaviour detectors over stored tracks.
 * Internal to libpelorus; `pelorus scan` drives it (src/detect/scan.c).
 *
 * Every detector reads tracks (one vessel's usable positions in time
 * order: pel_position with segment >= 0) and emits det_finding values
 * through a callback.  Findings carry the measured quantities that justify
 * them (as ready-made JSON members) and the evidence: the input and line of
 * the positions they rest on.  Detectors are deterministic: same tracks and
 * settings, same findings in the same order.
 */
#ifndef PEL_DET_H
#define PEL_DET_H

#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

#define DET_MAX_EVIDENCE 64

typedef struct det_evidence {
    uint32_t input;  /* inputs.id */
    uint64_t line;   /* line in that input */
} det_evidence;

typedef struct det_finding {
    const char *event;          /* "encounter", "loitering", "gap", "port_visit", "zone_entry",
                                   "spoofing", "identity_change", "watchlist_match" (static) */
    uint32_t mmsi, mmsi2;       /* mmsi2 0 unless two vessels */
    int64_t start_ms, end_ms;
    double lat, lon;            /* where (degrees) */
    char fields[2048];          /* further JSON members, without braces or a
                                   leading comma: "\"distance_m\":412,\"median_speed_kn\":0.8" */
    unsigned clocks;            /* 1 << pel_clock of every position it rests on */
    size_t nev;                 /* evidence entries used */
    det_evidence ev[DET_MAX_EVIDENCE];
    uint64_t nev_total;         /* positions the finding rests on (>= nev) */
} det_finding;

typedef void (*det_emit_fn)(void *ud, const det_finding *f);

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

/* ---- det_json.c: the JSON members of a finding ---- */

/* Writes s as a JSON string (quotes and escapes included) into out of size
 * cap, truncating long texts; returns the length. */
size_t det_json_str(char *out, size_t cap, const char *s);

/* A builder over a finding's fields: s is the caller's buffer. */
typedef struct det_fbuf {
    char *s;
    size_t cap, len;
} det_fbuf;

/* Appends "name":<printf text>, with a comma when not the first; a member
 * that does not fit is dropped whole. */
void det_fb_raw(det_fbuf *b, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A number with prec decimals, null when NaN or infinite. */
void det_fb_num(det_fbuf *b, const char *name, double v, int prec);
/* true, false, or null when v < 0. */
void det_fb_bool(det_fbuf *b, const char *name, int v);
/* A string (null when s is NULL). */
void det_fb_str(det_fbuf *b, const char *name, const char *s);

/* Appends one evidence entry (input, line) if there is room; counts it
 * and notes the clock its time came from. */
static inline void det_add_evidence(det_finding *f, const pel_position *p) {
    f->clocks |= 1u << (p->clock & 7);
    if (f->nev < DET_MAX_EVIDENCE) {
        f->ev[f->nev].input = p->input;
        f->ev[f->nev].line = p->line;
        f->nev++;
    }
    f->nev_total++;
}

#endif
