/*
 * trk.h -- the track stage: how positions are packed into chunks, and how a
 * vessel's positions are cut into segments.  Internal to libpelorus.
 */
#ifndef PEL_TRK_H
#define PEL_TRK_H

#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

/* ---- codec.c ------------------------------------------------------------ */

#define TRK_MAX_BYTES_PER_POS 64 /* worst case encoded size of one position */

/* Encodes n positions of one vessel (any order) into out, which must hold
 * 8 + n * TRK_MAX_BYTES_PER_POS bytes.  Returns the length written. */
size_t trk_encode(const pel_position *p, size_t n, uint8_t *out);

/* Returns the number of positions in an encoded chunk, or -1 if the
 * header is corrupt. */
long trk_count(const uint8_t *blob, size_t len);

/* Decodes a chunk into out (room for trk_count() positions), setting mmsi
 * on each.  Returns the count, or -1 if the blob is corrupt (out is then
 * partly written). */
long trk_decode(const uint8_t *blob, size_t len, uint32_t mmsi, pel_position *out, size_t cap);

/* ---- segment.c ---------------------------------------------------------- */

typedef struct trk_opts {
    double max_speed_kn;     /* implied speed above which a jump is impossible (30) */
    double noise_nm;         /* jumps shorter than this are always possible (0.5) */
    double max_silence_h;    /* a segment ends after this long without a position (24) */
    int dedupe_window_s;     /* the same report heard twice within this is one (30) */
    int64_t now_ms;          /* times after now + 1 day are flagged bad */
} trk_opts;

void trk_default_opts(trk_opts *o);

typedef struct trk_segment {
    int32_t id;
    int64_t t0, t1;          /* first and last time */
    uint32_t n;              /* positions */
    double distance_m;       /* along the segment */
    int32_t lat0, lon0, lat1, lon1; /* first and last position */
    int32_t min_lat, max_lat, min_lon, max_lon;
    bool parallel;           /* overlapped in time another segment of the vessel */
} trk_segment;

/* The canonical order of one vessel's positions: time, then every field of
 * the report (position, speed, course, heading, status, type, second), then
 * where it came from (input, line, source).  trk_cmp_report compares the
 * first part only: 0 means the same report at the same time, however it was
 * received, and of two such positions the build keeps the one first in
 * trk_cmp_pos order (never both).  Both return <0, 0 or >0. */
int trk_cmp_report(const pel_position *a, const pel_position *b);
int trk_cmp_pos(const pel_position *a, const pel_position *b);

/* Sorts p (one vessel) by time into canonical order, removes duplicate
 * receptions (moved to the end; *n_out is the count kept, *dups the count
 * removed), validates times and coordinates (PEL_POS_BAD_*), and assigns
 * segments (pel_position.segment, PEL_POS_SUSPECT_SPEED, PEL_POS_ISOLATED).
 * Segment summaries go to *segs (malloc'd, *nsegs entries; the caller frees).
 * Returns PEL_OK or PEL_ERR_NOMEM. */
pel_status trk_build(pel_position *p, size_t n, const trk_opts *o, size_t *n_out, size_t *dups, trk_segment **segs,
                     size_t *nsegs);

/* Great-circle distance in metres between two positions in 1/600000 degree. */
double trk_distance_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2);

#endif
