/*
 * report_internal.h -- the pieces of pel_report (report.c), one concern a
 * file, and the state they share.  Internal to src/report/.
 *
 *   report.c          pel_report: the run, the order of the passes, the
 *                     five files put in place together; the run's start
 *                     and end, shared with the dossier
 *   dossier.c         pel_report_dossier: the same run and passes, one
 *                     page (dossier.html) with the timelines' series and
 *                     the evidence lines' text
 *   report_files.c    the output directory, whole files read, the report's
 *                     files written through util/outfile.h
 *   report_draw.c     a track simplified (Douglas-Peucker) for the map
 *   report_export.c   the tracks pass (tracks.geojson, each vessel's period,
 *                     extent and drawing, the closed gaps' lines) and what
 *                     the findings' writers are given (names, geometries)
 *   report_data.c     the page's data JSON: vessels, findings, tracks,
 *                     ports, zones, weights, statistics
 *   report_page.c     report.html: the template's markers filled, the data
 *                     escaped for a <script> element, the scripts' hashes
 *
 * Ownership follows rpt.h: a report owns everything it points to except
 * s and o, which are the caller's for the whole of pel_report.
 */
#ifndef PEL_REPORT_INTERNAL_H
#define PEL_REPORT_INTERNAL_H

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "findings/write.h"
#include "geo/geo.h"
#include "pelorus.h"
#include "report/rpt.h"
#include "store/store.h"
#include "util/outfile.h"

/* ---- files (report_files.c) ------------------------------------------- */

/* "a/b", malloc'd (the caller frees it), or NULL when out of memory. */
char *rpt_join(const char *a, const char *b);

/* Creates the directory path and its parents (mkdir -p).  PEL_ERR_IO with
 * the path that failed, or when path is not a directory at the end. */
pel_status rpt_make_dir(const char *path, pel_error *err);

/* Reads a whole file, NUL-terminated, *len its size (without the NUL).
 * malloc'd (the caller frees it), or NULL with errno set. */
char *rpt_slurp(const char *path, size_t *len);

/* Opens dir/name through util/outfile.h: written to a temporary file beside
 * it and renamed into place by rpt_out_close, never through a symbolic
 * link at its name.  On failure o is left empty (rpt_out_close on it is
 * harmless). */
pel_status rpt_out_open(outfile *o, const char *dir, const char *name, pel_error *err);

/* Finishes o: commits it when st is PEL_OK (a write, flush or rename error
 * then fails with its path), else discards it.  Returns the status. */
pel_status rpt_out_close(outfile *o, pel_status st, pel_error *err);

/* ---- drawing (report_draw.c) ------------------------------------------ */

/* How tracks are drawn, and the scratch space drawing needs.  Zeroed, then
 * set filled in; freed with rpt_drawer_free. */
typedef struct rpt_drawer {
    rpt_draw set;      /* tolerance and points per vessel (rpt.h) */
    pel_position *grp; /* scratch: the drawable positions, by segment */
    size_t grpcap;
    uint64_t points; /* points drawn so far, over every vessel */
    bool nomem;      /* an allocation failed: a drawing was left empty */
} rpt_drawer;

/* True when p can be drawn: it has a segment, is not flagged as a bad
 * coordinate, and both coordinates are in range. */
bool rpt_drawable(const pel_position *p);

/* The drawing of one vessel as the page's data holds it: {"mmsi",
 * "segments": [{"segment", "coords": [[lon, lat, unix seconds], ...]}]},
 * the drawable positions of p[0..n) (time order) grouped by segment and
 * simplified until they fit d->set.max_points.  p may be NULL when n is 0.
 * A new reference (the caller's); out of memory sets d->nomem and returns
 * what was drawn so far. */
json_t *rpt_draw_track(rpt_drawer *d, uint32_t mmsi, const pel_position *p, size_t n);

/* Frees d's scratch space.  d may be NULL. */
void rpt_drawer_free(rpt_drawer *d);

/* ---- the report's state ----------------------------------------------- */

/* A ranked vessel, as the report knows it after the tracks pass. */
typedef struct rpt_vinfo {
    uint32_t mmsi;
    size_t rank; /* index in the ranking */
    st_latest id;
    size_t positions; /* within the period */
    int64_t first, last;
    bool has_box;
    double box[4]; /* minlon, minlat, maxlon, maxlat */
    json_t *track; /* its drawing (rpt_draw_track), owned; NULL until drawn */
    json_t *speed; /* the dossier's speed series (rpt_speed_series), owned; NULL unless r->series */
} rpt_vinfo;

typedef struct rpt_report {
    pel_store *s;             /* borrowed */
    const pel_report_opts *o; /* borrowed */
    rpt_run run;
    rpt_vinfo *v; /* by MMSI */
    size_t nv;
    fnd_doc doc;        /* names and geometries for the findings' writers */
    fnd_geometry *geom; /* per finding of run.findings: where it is drawn */
    pel_export *tracks; /* tracks.geojson */
    rpt_drawer draw;
    uint64_t track_points; /* positions written to tracks.geojson */
    bool series;           /* the tracks pass keeps each vessel's speed series (the dossier) */
    geo_ports *ports;      /* the shipped data, owned (rpt_begin) */
    geo_mid *mid;
    json_t *zones, *licences;
} rpt_report;

/* The ranked vessel mmsi, or NULL. */
rpt_vinfo *rpt_find_vessel(rpt_report *r, uint32_t mmsi);

/* ---- the run (report.c) ------------------------------------------------ */

/* o as the report reads it: NULL the defaults, a zeroed period no limits
 * (then a copy in *copy).  The result is o, *copy or a static. */
const pel_report_opts *rpt_opts(const pel_report_opts *o, pel_report_opts *copy);

/* Starts a report: r is zeroed and filled -- the scan and ranking
 * (rpt_run_scan), the shipped data (ports, MID table, zones, licences), the
 * ranked vessels with their identities, the findings' document
 * (rpt_doc_init).  s and o are borrowed for the life of r.  On any status
 * r is the caller's to end (rpt_end); err is filled on failure. */
pel_status rpt_begin(rpt_report *r, pel_store *s, const pel_report_opts *o, pel_error *err);

/* Fills *st (may be NULL) from r, seconds since t0 (CLOCK_MONOTONIC). */
void rpt_stats(const rpt_report *r, const struct timespec *t0, pel_report_stats *st);

/* Frees everything r holds (not s and o) and zeroes it. */
void rpt_end(rpt_report *r);

/* ---- the tracks pass and the findings' document (report_export.c) ----- */

/* Sets r->doc and r->geom: every finding where its own members place it,
 * until the tracks pass draws the closed gaps' lines.  PEL_ERR_NOMEM. */
pel_status rpt_doc_init(rpt_report *r, pel_error *err);

/* Reads the tracks of the ranked vessels once (pel_tracks): writes each
 * vessel's positions within the period to out as tracks.geojson (out
 * stays the caller's; NULL: nothing written), keeps its speed series when
 * r->series (rpt_speed_series), sets its period, extent and drawing, and draws each
 * of its closed gaps from the gap's position to the first usable position
 * at or after the gap's end.  Needs rpt_doc_init first.  Returns PEL_OK,
 * or PEL_ERR_NOMEM or PEL_ERR_IO (writing tracks.geojson) with err
 * filled. */
pel_status rpt_tracks_pass(rpt_report *r, FILE *out, pel_error *err);

/* Writes findings.geojson, findings.kml and findings.csv (the document
 * form of findings/write.h) to the three streams, which stay the
 * caller's; write errors stay in the streams (ferror).  PEL_ERR_NOMEM
 * with err filled. */
pel_status rpt_write_findings(rpt_report *r, FILE *geojson, FILE *kml, FILE *csv, pel_error *err);

/* ---- the data (report_data.c) ----------------------------------------- */

/* The page's data (docs/report.md, "The data"), after the tracks pass:
 * on PEL_OK *out is a new object (the caller's); on failure NULL, with err
 * filled (PEL_ERR_NOMEM, or the store's error reading identities).  mid
 * may be NULL (no countries); zones and licences go in as they are (new
 * references). */
pel_status rpt_data_json(rpt_report *r, const geo_ports *ports, const geo_mid *mid, json_t *zones, json_t *licences,
                         json_t **out, pel_error *err);

/* ---- the page (report_page.c) ----------------------------------------- */

/* Writes a page to out: DATA_DIR/web/TEMPLATE (report.html, dossier.html)
 * with its markers filled -- DATA by the data (compact, every '<', '>', '&' and hidden
 * character as a \u escape), INCLUDE by the named file of web/,
 * SCRIPT-HASHES by the hashes of its scripts.  data is borrowed.
 * PEL_ERR_IO (template or include unreadable), PEL_ERR_FORMAT (a marker
 * or an include the page cannot hold), PEL_ERR_NOMEM, err filled. */
pel_status rpt_page_write(const char *data_dir, const char *template_name, json_t *data, FILE *out, pel_error *err);

/* ---- the dossier's series (dossier.c) ------------------------------------ */

/* At most this many points of speed a vessel's (an MMSI's) timeline holds. */
#define RPT_SPEED_MAX 2000

/* The speed over ground of p[0..n) (time order) as the dossier's data
 * holds it: [[unix seconds, knots], ...], the positions with a speed; when
 * more than RPT_SPEED_MAX, thinned deterministically to the lowest and
 * highest of each run of consecutive points (in time order).  A new
 * reference (the caller's), NULL when out of memory. */
json_t *rpt_speed_series(const pel_position *p, size_t n);

/* ---- numbers as the data writes them ------------------------------------ */

static inline double rpt_round_to(double v, double scale) {
    return round(v * scale) / scale;
}

#endif
