/*
 * write.h -- findings out, one writer per format: JSON Lines (the contract,
 * docs/findings.md), GeoJSON, CSV, KML and a readable table.  Internal to
 * libpelorus.  Every text goes through util/escape.h (JSON keeps the exact
 * text, CSV and KML show hidden characters as marks, CSV defuses
 * formulas); tables through util/display.h.
 *
 * Two forms:
 *   - the files of `pelorus scan` and `pelorus screen` (doc NULL): every
 *     number as the detector measured it ("duration_h":2.50), in the
 *     contract's members (fnd_write);
 *   - a document about the findings, the evidence report (an fnd_doc):
 *     each finding also gets its index ("id"), the vessels' names and a
 *     geometry, and is written as the report's JSON is (jansson, reals
 *     compact: 2.5); findings.geojson, findings.kml and findings.csv of
 *     docs/report.md, and fnd_doc_json for the data inside report.html.
 * The same set and form always give the same bytes.
 */
#ifndef PEL_FND_WRITE_H
#define PEL_FND_WRITE_H

#include <jansson.h>
#include <stdio.h>

#include "findings/finding.h"

/* Writes s (in its order) to f in fmt, the files of pelorus scan and
 * screen (the writers below with doc NULL).  Returns PEL_OK, PEL_ERR_IO
 * when writing failed (ferror) or a spilling set's file could not be read
 * (fnd_set_error says so), or PEL_ERR_NOMEM. */
pel_status fnd_write(FILE *f, pel_findings_format fmt, const fnd_set *s);

/* Finding i of s as one JSON object, exactly as its line of fnd_write's
 * JSON Lines (without the newline).  A new string (malloc'd, the caller
 * frees), or NULL when out of memory (or a spilling set's file failed). */
char *fnd_json_line(const fnd_set *s, size_t i);

/* The members of f as JSON text, strings escaped only as JSON requires
 * (ESC_SHOWN of util/escape.h: the display marks the other hidden
 * characters): without braces ("\"field\":\"name\",...", "" when none) what
 * the table shows and the last key of the canonical order; as an object
 * with the clocks after the members ("{...,\"clocks\":[...]}") the CSV's
 * details.  A new string (malloc'd, the caller frees), or NULL when out of
 * memory. */
char *fnd_members_text(const fnd_finding *f, bool object);

/* ---- documents ------------------------------------------------------------------------ */

typedef enum fnd_geom_type { FND_GEOM_NONE = 0, FND_GEOM_POINT, FND_GEOM_LINE } fnd_geom_type;

/* Where a finding is drawn: a point (lon[0], lat[0]) or a line from there
 * to (lon[1], lat[1]). */
typedef struct fnd_geometry {
    fnd_geom_type type;
    double lon[2], lat[2];
} fnd_geometry;

/* The geometry of docs/report.md ("Geometry of a finding") that needs no
 * track: a Point at lat/lon for encounters, loitering, port visits, zone
 * entries and gaps (the report draws a closed gap's line from the track),
 * a line to lat_b/lon_b for parallel segments, none otherwise. */
fnd_geometry fnd_geometry_of(const fnd_finding *f);

/* What a document adds to each finding.  Callbacks may be NULL. */
typedef struct fnd_doc {
    /* the display name of a vessel (latest broadcast), NULL when none; valid
       until the next call */
    const char *(*name)(void *ud, uint32_t mmsi);
    /* the geometry of finding i of the set; NULL: fnd_geometry_of */
    fnd_geometry (*geometry)(void *ud, size_t i);
    void *ud;
} fnd_doc;

/* Finding i of s as the report's JSON object (docs/report.md, "The data
 * JSON"): "id", the contract's members in order, "vessel_name",
 * "vessel2_name", "geometry".  A new reference, or NULL when out of
 * memory (or a spilling set's file failed). */
json_t *fnd_doc_json(const fnd_set *s, size_t i, const fnd_doc *doc);

/* ---- the writers ------------------------------------------------------------------------ */

/* Each writes s in its order, reading each finding through fnd_set_get
 * (s may be spilling: finding.h); doc NULL gives the form of pelorus
 * scan's files, an fnd_doc the report's.  They return PEL_OK,
 * PEL_ERR_NOMEM or PEL_ERR_IO when a spilling set's file could not be
 * read (fnd_set_error; what was written so far stays in f); write errors
 * stay in f (ferror). */

/* JSON Lines: one object per finding (the contract; no document form). */
pel_status fnd_write_jsonl(FILE *f, const fnd_set *s);

/* A FeatureCollection, one Feature per line: scan's a Point at lat/lon (or
 * null) with the contract's object as properties; a document's its
 * geometry with the fnd_doc_json object (without geometry) as properties. */
pel_status fnd_write_geojson(FILE *f, const fnd_set *s, const fnd_doc *doc);

/* CSV: scan's event,mmsi,mmsi2,start,end,lat,lon,details,evidence; a
 * document's id,event,mmsi,vessel_name,mmsi2,vessel2_name,start,end,lat,
 * lon,details,evidence.  details: the other members (and clocks) as one
 * JSON object; evidence: file:line joined by ';'. */
pel_status fnd_write_csv(FILE *f, const fnd_set *s, const fnd_doc *doc);

/* KML 2.2 (a document's form only; doc may be NULL for no names and the
 * geometry of fnd_geometry_of): a Placemark per finding named "event --
 * NAME (MMSI)", a TimeSpan, ExtendedData with every member, the geometry. */
pel_status fnd_write_kml(FILE *f, const fnd_set *s, const fnd_doc *doc);

/* A readable table (no document form): event, vessels, times, place and
 * the members cut to 100 characters. */
pel_status fnd_write_table(FILE *f, const fnd_set *s);

#endif
