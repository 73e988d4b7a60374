/*
 * cell.h -- the cells of the coverage map (docs/coverage.md): an
 * equal-area grid of about 13.9 km a side that the store counts receptions
 * in (src/store/coverage.c), the gap detector judges silences against
 * (src/detect/det_gap.c) and `pelorus coverage` draws.
 *
 * The grid: latitude bands of 0.125 degree (75000 units of 1/600000
 * degree: 13.9 km), band b covering [-90 + b/8, -90 + (b+1)/8); each band
 * cut into round(2880 cos(latitude of its middle)) columns of equal
 * longitude (at least one), so that a cell is about 13.9 km east-west at
 * any latitude instead of shrinking towards the poles: 2880 columns of
 * 0.125 degree at the equator, 1440 of 0.25 degree at 60 degrees, 495 of
 * 0.727 degree at 80 degrees.  Cells are then equal in area to within the
 * rounding of the column count (under 0.1 % below 80 degrees).  A cell's id
 * is b * 2880 + column: ids are stable, dense per band and sort by
 * latitude band first.  The column counts are a table in cell.c (from
 * cos(), checked by tests/unit_geo.c), so stored ids do not depend on the
 * machine's libm.
 *
 * Everything here is pure arithmetic: no state, safe from any thread.
 */
#ifndef PEL_GEO_CELL_H
#define PEL_GEO_CELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEO_CELL_UNITS 75000     /* a band's height in 1/600000 degree (0.125 degree) */
#define GEO_CELL_BANDS 1440      /* 180 / 0.125 */
#define GEO_CELL_COLS_MAX 2880   /* columns of the bands at the equator */
#define GEO_CELL_SIZE_M 13899.6  /* a band's height in metres (0.125 degree on GEO_EARTH_RADIUS_M) */
#define GEO_CELL_NONE UINT32_MAX /* no cell */

/* The cell holding a position in AIS units (1/600000 degree); latitude is
 * clamped to -90..90, longitude taken modulo 360. */
uint32_t geo_cell_of(int32_t lat, int32_t lon);

/* The same for degrees. */
uint32_t geo_cell_of_deg(double lat, double lon);

/* True when id names a cell of the grid. */
bool geo_cell_valid(uint32_t cell);

/* The columns of band b (0..GEO_CELL_BANDS-1); 0 for no band. */
int geo_cell_cols(int band);

/* A cell's box in degrees (south, west, north, east; west < east, within
 * -180..180) and its centre.  False, nothing set, for an invalid id. */
bool geo_cell_box(uint32_t cell, double *lat0, double *lon0, double *lat1, double *lon1);
bool geo_cell_centre(uint32_t cell, double *lat, double *lon);

/* The distinct cells a straight line from (lat0, lon0) to (lat1, lon1)
 * (degrees, interpolated in latitude and longitude, the short way across
 * the antimeridian) passes through, in order along it, sampled every
 * step_m metres or finer: up to cap ids into out; returns how many there
 * are (more than cap: the first cap were written). */
size_t geo_cells_on_line(double lat0, double lon0, double lat1, double lon1, double step_m, uint32_t *out, size_t cap);

/* The cells whose centre lies within radius_m of (lat, lon), and always
 * the cell of the point itself (first), the others by id: up to cap into
 * out; returns how many there are. */
size_t geo_cells_near(double lat, double lon, double radius_m, uint32_t *out, size_t cap);

#endif
