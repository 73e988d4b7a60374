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
#define TRK_CHUNK 1024           /* positions per stored chunk and per staged row, at most */

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
    double max_speed_kn;    /* implied speed above which a jump is impossible (30) */
    double noise_nm;        /* jumps shorter than this are always possible (0.5) */
    double max_silence_h;   /* a segment ends after this long without a position (24) */
    int dedupe_window_s;    /* the same report heard twice within this is one (30) */
    double arrival_slack_h; /* a time that is not a receiver's (an arrival trailer, an
                               assumed time) may be this late: it widens the reach of
                               the speed check (3) */
    int64_t now_ms;         /* times after now + 1 day are flagged bad */
} trk_opts;

void trk_default_opts(trk_opts *o);

typedef struct trk_segment {
    int32_t id;
    int64_t t0, t1;                 /* first and last time */
    uint32_t n;                     /* positions */
    double distance_m;              /* along the segment */
    int32_t lat0, lon0, lat1, lon1; /* first and last position */
    int32_t min_lat, max_lat, min_lon, max_lon;
    bool parallel; /* overlapped in time another segment of the vessel */
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
 * receptions (p[0..*n_out) are the kept positions in order, *dups the count
 * removed; what lies beyond *n_out is unspecified), validates times and
 * coordinates (PEL_POS_BAD_*), and assigns segments (pel_position.segment,
 * PEL_POS_SUSPECT_SPEED, PEL_POS_ISOLATED).  Segment summaries, parallel
 * flags included, go to *segs (malloc'd, *nsegs entries in id order; the
 * caller frees).  Memory: the segment summaries, on top of p.  Returns
 * PEL_OK or PEL_ERR_NOMEM.  The same as a trk_stream fed p in canonical
 * order, followed by trk_parallel. */
pel_status trk_build(pel_position *p, size_t n, const trk_opts *o, size_t *n_out, size_t *dups, trk_segment **segs,
                     size_t *nsegs);

/* ---- the same, one position at a time --------------------------------------- */

/* Where a trk_stream's results go.  Each callback returns PEL_OK to go on;
 * anything else stops the stream with that status. */
typedef struct trk_sink {
    /* A kept position, in canonical order, with seq its number among the
     * kept ones (from 0): flags and segment final except PEL_POS_ISOLATED,
     * which isolated() adds later.  p is borrowed for the call. */
    pel_status (*position)(void *ud, const pel_position *p, uint64_t seq);
    /* The kept position seq (already given to position()) is alone in its
     * segment: add PEL_POS_ISOLATED to its flags.  May be NULL. */
    pel_status (*isolated)(void *ud, uint64_t seq);
    /* A segment is finished (no position will join it): its summary, with
     * parallel false (see trk_parallel).  Segments finish in no particular
     * order.  g is borrowed for the call.  May be NULL. */
    pel_status (*segment)(void *ud, const trk_segment *g);
    void *ud;
} trk_sink;

typedef struct trk_stream trk_stream;

/* Creates a stream of one vessel's positions into sink (copied, as is o).
 * NULL when out of memory.  Free with trk_stream_free (NULL accepted). */
trk_stream *trk_stream_new(const trk_opts *o, const trk_sink *sink);
void trk_stream_free(trk_stream *t);

/* Takes the next position (borrowed for the call; canonical order,
 * trk_cmp_pos, is the caller's to keep): a duplicate reception is counted
 * and dropped; anything else is checked, segmented and given to the sink,
 * and may finish segments.  Returns PEL_OK, PEL_ERR_NOMEM, or the status a
 * callback returned (the stream then refuses more). */
pel_status trk_stream_push(trk_stream *t, const pel_position *p);

/* The smallest seq whose PEL_POS_ISOLATED is still undecided (its segment
 * is open with that one position), or UINT64_MAX: the caller may write out
 * every kept position before it as final. */
uint64_t trk_stream_undecided(const trk_stream *t);

/* Ends the stream: finishes the open segments (in id order) and returns
 * the counts of kept positions, duplicates removed and segments. */
pel_status trk_stream_end(trk_stream *t, uint64_t *kept, uint64_t *dups, uint32_t *nsegs);

/* Parallel segments: one MMSI in two places at once, i.e. two segments of
 * more than one position that overlap in time.  Fed every finished segment
 * in id order, then NULL, it decides each segment of several positions with
 * one segment of look-ahead, in constant memory.  trk_parallel_next returns
 * 1 when it decided one, setting *decided to its id if parallel, else to
 * -1 - id; 0 when none was decided by this call. */
typedef struct trk_parallel {
    bool any, held, held_parallel;
    int64_t max_t1, held_t1;
    int32_t held_id;
} trk_parallel;

void trk_parallel_init(trk_parallel *pp);
int trk_parallel_next(trk_parallel *pp, const trk_segment *g, int32_t *decided);

/* The fastest a vessel is believed to have gone between positions a and b
 * (knots): max_speed_kn, or more when it says so itself -- 1.25 times the
 * higher of the two reported speeds over ground, up to 50 kn (a forged
 * speed cannot hide a leap across an ocean).  The segmenter's rule; the
 * links between MMSIs (detect/det_link.c) use it too. */
double trk_reach_kn(double max_speed_kn, const pel_position *a, const pel_position *b);

/* Great-circle distance in metres between two positions in 1/600000 degree. */
double trk_distance_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2);

#endif
