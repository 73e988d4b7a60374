/*
 * scan_geo.h -- the geography of a scan (scan_geo.c): the port list, the
 * areas of interest, the MID table and the land mask from data/
 * (docs/findings.md names them), or a zones file of the user's, given to the detectors as a
 * det_geo.  Internal to the scan stage (src/scan/).
 */
#ifndef PEL_SCAN_GEO_H
#define PEL_SCAN_GEO_H

#include "detect/detectors.h"

typedef struct scan_geo scan_geo;

/* Loads ports.csv, zones.geojson (or zones_path, when not NULL), mid.csv
 * and the land mask web/vendor/land-50m.json from data_dir (geo_data_dir:
 * NULL is $PELORUS_DATA or the built-in data/).  On PEL_OK *out is the
 * caller's (scan_geo_free); otherwise *out is NULL and err (may be NULL)
 * says which file failed (PEL_ERR_NOMEM with err untouched when out of
 * memory). */
pel_status scan_geo_load(const char *data_dir, const char *zones_path, scan_geo **out, pel_error *err);

/* The detectors' view of g: nearest ports (and ports within a distance),
 * their names and concern, the zones at a point (zones_at NULL when no
 * zones were loaded), whether an MMSI's MID is allocated (mid_ok NULL
 * without a MID table), the land mask's questions.  Valid while g lives. */
det_geo scan_geo_det(scan_geo *g);

/* A fingerprint of g's four files (their bytes): what a scan's kept state
 * (scan_state.c) was judged with. */
uint64_t scan_geo_print(const scan_geo *g);

/* The MID table, or NULL.  Borrowed from g. */
const struct geo_mid *scan_geo_mid(const scan_geo *g);

/* Frees g; NULL is accepted. */
void scan_geo_free(scan_geo *g);

#endif
