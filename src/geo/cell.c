/*
 * cell.c -- the coverage map's equal-area cells (cell.h has the grid and
 * its rules).
 *
 * Limits: lines are interpolated in latitude and longitude, not along the
 * great circle (the difference is under a cell for the lengths of a gap at
 * sea below 60 degrees); a line is sampled, so a cell it only clips at a
 * corner, for less than the step, may be left out.
 */
#include <math.h>
#include <stdlib.h>

#include "geo/cell.h"
#include "geo/geo.h"
#include "util/xsort.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define UNITS_PER_DEG 600000LL

int geo_cell_cols(int band) {
    if (band < 0 || band >= GEO_CELL_BANDS)
        return 0;
    double mid = -90.0 + ((double)band + 0.5) * 0.125;
    long n = lround(GEO_CELL_COLS_MAX * cos(mid * M_PI / 180.0));
    return n < 1 ? 1 : n > GEO_CELL_COLS_MAX ? GEO_CELL_COLS_MAX : (int)n;
}

uint32_t geo_cell_of(int32_t lat, int32_t lon) {
    int64_t la = (int64_t)lat + 90 * UNITS_PER_DEG;
    if (la < 0)
        la = 0;
    int64_t band = la / GEO_CELL_UNITS;
    if (band >= GEO_CELL_BANDS)
        band = GEO_CELL_BANDS - 1;
    int64_t lo = ((int64_t)lon + 180 * UNITS_PER_DEG) % (360 * UNITS_PER_DEG);
    if (lo < 0)
        lo += 360 * UNITS_PER_DEG;
    int64_t cols = geo_cell_cols((int)band);
    int64_t col = lo * cols / (360 * UNITS_PER_DEG);
    if (col >= cols)
        col = cols - 1;
    return (uint32_t)(band * GEO_CELL_COLS_MAX + col);
}

uint32_t geo_cell_of_deg(double lat, double lon) {
    if (isnan(lat) || isnan(lon))
        return GEO_CELL_NONE;
    if (lat > 90)
        lat = 90;
    if (lat < -90)
        lat = -90;
    lon = fmod(lon, 360.0);
    if (lon >= 180)
        lon -= 360;
    if (lon < -180)
        lon += 360;
    return geo_cell_of((int32_t)llround(lat * UNITS_PER_DEG), (int32_t)llround(lon * UNITS_PER_DEG));
}

bool geo_cell_valid(uint32_t cell) {
    uint32_t band = cell / GEO_CELL_COLS_MAX, col = cell % GEO_CELL_COLS_MAX;
    return band < GEO_CELL_BANDS && (int)col < geo_cell_cols((int)band);
}

bool geo_cell_box(uint32_t cell, double *lat0, double *lon0, double *lat1, double *lon1) {
    if (!geo_cell_valid(cell))
        return false;
    int band = (int)(cell / GEO_CELL_COLS_MAX), col = (int)(cell % GEO_CELL_COLS_MAX);
    int cols = geo_cell_cols(band);
    *lat0 = -90.0 + band * 0.125;
    *lat1 = *lat0 + 0.125;
    *lon0 = -180.0 + 360.0 * col / cols;
    *lon1 = -180.0 + 360.0 * (col + 1) / cols;
    return true;
}

bool geo_cell_centre(uint32_t cell, double *lat, double *lon) {
    double a, b, c, d;
    if (!geo_cell_box(cell, &a, &b, &c, &d))
        return false;
    *lat = (a + c) / 2;
    *lon = (b + d) / 2;
    return true;
}

/* Appends cell to out (n so far) unless it is the last one added or
 * already there; returns the new count. */
static size_t add_cell(uint32_t *out, size_t n, size_t cap, uint32_t cell) {
    size_t have = n < cap ? n : cap;
    for (size_t i = have; i-- > 0;)
        if (out[i] == cell)
            return n;
    if (n < cap)
        out[n] = cell;
    return n + 1;
}

size_t geo_cells_on_line(double lat0, double lon0, double lat1, double lon1, double step_m, uint32_t *out, size_t cap) {
    if (isnan(lat0) || isnan(lon0) || isnan(lat1) || isnan(lon1))
        return 0;
    double dlon = lon1 - lon0;
    while (dlon > 180)
        dlon -= 360;
    while (dlon < -180)
        dlon += 360;
    double d = geo_distance_m(lat0, lon0, lat1, lon1);
    if (!(step_m > 0))
        step_m = GEO_CELL_SIZE_M / 4;
    double steps = ceil(d / step_m);
    long k = steps > 100000 ? 100000 : (long)steps; /* a line across an ocean: coarser */
    size_t n = 0;
    for (long i = 0; i <= k; i++) {
        double f = k ? (double)i / (double)k : 0;
        n = add_cell(out, n, cap, geo_cell_of_deg(lat0 + f * (lat1 - lat0), lon0 + f * dlon));
    }
    return n;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

size_t geo_cells_near(double lat, double lon, double radius_m, uint32_t *out, size_t cap) {
    if (isnan(lat) || isnan(lon))
        return 0;
    uint32_t own = geo_cell_of_deg(lat, lon);
    size_t n = add_cell(out, 0, cap, own);
    if (!(radius_m > 0))
        return n;
    double dlat = radius_m / GEO_CELL_SIZE_M * 0.125 + 0.125;
    int b0 = (int)floor((lat - dlat + 90.0) / 0.125), b1 = (int)floor((lat + dlat + 90.0) / 0.125);
    if (b0 < 0)
        b0 = 0;
    if (b1 >= GEO_CELL_BANDS)
        b1 = GEO_CELL_BANDS - 1;
    for (int b = b0; b <= b1; b++) {
        int cols = geo_cell_cols(b);
        double mid = -90.0 + (b + 0.5) * 0.125;
        double cosm = cos(mid * M_PI / 180.0);
        /* the columns within reach of the point's longitude, at this band's latitude */
        double reach = cosm > 1e-6 ? radius_m / (GEO_CELL_SIZE_M * 8.0 * cosm) + 360.0 / cols : 360.0;
        long c0, c1;
        if (reach >= 180.0) {
            c0 = 0;
            c1 = cols - 1;
        } else {
            c0 = (long)floor((lon - reach + 180.0) / 360.0 * cols);
            c1 = (long)floor((lon + reach + 180.0) / 360.0 * cols);
        }
        for (long c = c0; c <= c1; c++) {
            long cc = ((c % cols) + cols) % cols;
            uint32_t cell = (uint32_t)b * GEO_CELL_COLS_MAX + (uint32_t)cc;
            double clat, clon;
            if (cell == own || !geo_cell_centre(cell, &clat, &clon))
                continue;
            if (geo_distance_m(lat, lon, clat, clon) <= radius_m)
                n = add_cell(out, n, cap, cell);
        }
    }
    size_t have = n < cap ? n : cap;
    if (have > 2)
        xqsort(out + 1, have - 1, sizeof *out, cmp_u32);
    return n;
}
