/*
 * land.c -- a land mask: which places are land, for the checks that a
 * position cannot be right (a ship far inland, a straight leg across a
 * peninsula).
 *
 * Source: Natural Earth's 1:50m land (public domain), as the TopoJSON the
 * report already ships (data/web/vendor/land-50m.json, world-atlas by Mike
 * Bostock, ISC).  At load its rings are rasterised, even-odd, onto a grid of
 * LAND_RES cells a degree (2 arc minutes: 3.7 km north-south, less
 * east-west away from the equator), a cell being land when its centre is:
 * 10,800 x 5,400 cells, one bit each (7.3 MB), built in a few tens of
 * milliseconds (each ring edge adds its crossings to the rows it spans;
 * rows are then filled between pairs of crossings).
 *
 * Limits: the 1:50m coast is generalised (an error of a kilometre or two,
 * islands under a few kilometres missing), so "on land" is only asked with a
 * margin (geo_land_inland); lakes are not cut out of the land (Natural
 * Earth's land polygons include them), so a boat on a large lake reads as
 * inland -- vessels on lakes do not broadcast under the MIDs we hunt, and
 * the checks that use this say so.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "util/fail.h"
#include "util/xsort.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define LAND_RES 30 /* cells a degree */
#define LAND_W (360 * LAND_RES)
#define LAND_H (180 * LAND_RES)

struct geo_land {
    uint8_t *bits; /* LAND_H rows of LAND_W bits, row 0 at 90 N */
};

typedef struct xs {
    float *x; /* crossings of one row, in cells */
    uint32_t n, cap;
} xs;

static pel_status fail(pel_error *err, pel_status code, const char *path, const char *why) {
    return pel_fail(err, code, "%s: %s", path, why);
}

/* Adds the crossings of the edge (x0, y0)-(x1, y1), in cells (y down from
 * 90 N), with the horizontal lines through the row centres. */
static bool add_edge(xs *rows, double x0, double y0, double x1, double y1) {
    if (y0 == y1)
        return true;
    if (y0 > y1) {
        double t = x0;
        x0 = x1, x1 = t;
        t = y0, y0 = y1, y1 = t;
    }
    /* rows whose centre r + 0.5 lies in [y0, y1) */
    long r0 = (long)ceil(y0 - 0.5), r1 = (long)ceil(y1 - 0.5) - 1;
    if (r0 < 0)
        r0 = 0;
    if (r1 > LAND_H - 1)
        r1 = LAND_H - 1;
    for (long r = r0; r <= r1; r++) {
        double yc = (double)r + 0.5, x = x0 + (x1 - x0) * (yc - y0) / (y1 - y0);
        xs *row = &rows[r];
        if (row->n == row->cap) {
            uint32_t nc = row->cap ? 2 * row->cap : 8;
            float *nx = realloc(row->x, nc * sizeof *nx);
            if (!nx)
                return false;
            row->x = nx;
            row->cap = nc;
        }
        row->x[row->n++] = (float)x;
    }
    return true;
}

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* The cell coordinates of an arc point. */
static void to_cells(double lon, double lat, double *x, double *y) {
    *x = (lon + 180.0) * LAND_RES;
    *y = (90.0 - lat) * LAND_RES;
}

pel_status geo_land_load(const char *path, geo_land **out, pel_error *err) {
    *out = NULL;
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return fail(err, PEL_ERR_FORMAT, path, je.text);
    json_t *arcs = json_object_get(root, "arcs"), *tr = json_object_get(root, "transform"),
           *land = json_object_get(json_object_get(root, "objects"), "land");
    json_t *sc = json_object_get(tr, "scale"), *tl = json_object_get(tr, "translate");
    if (!json_is_array(arcs) || json_array_size(sc) != 2 || json_array_size(tl) != 2 || !json_is_object(land)) {
        json_decref(root);
        return fail(err, PEL_ERR_FORMAT, path, "not a TopoJSON topology with a quantised land object");
    }
    double kx = json_number_value(json_array_get(sc, 0)), ky = json_number_value(json_array_get(sc, 1)),
           tx = json_number_value(json_array_get(tl, 0)), ty = json_number_value(json_array_get(tl, 1));
    xs *rows = calloc(LAND_H, sizeof *rows);
    geo_land *g = calloc(1, sizeof *g);
    if (g)
        g->bits = calloc((size_t)LAND_W * LAND_H / 8, 1);
    pel_status st = rows && g && g->bits ? PEL_OK : fail(err, PEL_ERR_NOMEM, path, "out of memory");
    /* every ring of every polygon of the land object: its arcs' edges
     * (an arc shared by two rings counts twice and cancels, even-odd) */
    json_t *geoms = json_object_get(land, "geometries");
    if (!geoms)
        geoms = json_pack("[O]", land);
    else
        json_incref(geoms);
    size_t gi, pi, ri, ai;
    json_t *gm, *poly, *ring, *ref;
    json_array_foreach(geoms, gi, gm) {
        const char *type = json_string_value(json_object_get(gm, "type"));
        json_t *polys = json_object_get(gm, "arcs");
        if (st != PEL_OK || !type)
            break;
        bool multi = !strcmp(type, "MultiPolygon");
        if (!multi && strcmp(type, "Polygon"))
            continue;
        size_t np = multi ? json_array_size(polys) : 1;
        for (pi = 0; pi < np && st == PEL_OK; pi++) {
            poly = multi ? json_array_get(polys, pi) : polys;
            json_array_foreach(poly, ri, ring) {
                json_array_foreach(ring, ai, ref) {
                    json_int_t k = json_integer_value(ref);
                    json_t *arc = json_array_get(arcs, (size_t)(k < 0 ? ~k : k));
                    /* delta-decoded points; the direction does not matter */
                    double qx = 0, qy = 0, px = 0, py = 0;
                    size_t ji;
                    json_t *pt;
                    json_array_foreach(arc, ji, pt) {
                        qx += json_number_value(json_array_get(pt, 0));
                        qy += json_number_value(json_array_get(pt, 1));
                        double x, y;
                        to_cells(tx + qx * kx, ty + qy * ky, &x, &y);
                        if (ji && !add_edge(rows, px, py, x, y)) {
                            st = fail(err, PEL_ERR_NOMEM, path, "out of memory");
                            break;
                        }
                        px = x, py = y;
                    }
                }
            }
        }
    }
    json_decref(geoms);
    json_decref(root);
    /* fill between pairs of crossings: a cell is land when its centre is */
    for (long r = 0; st == PEL_OK && r < LAND_H; r++) {
        xs *row = &rows[r];
        xqsort(row->x, row->n, sizeof *row->x, cmp_float);
        for (uint32_t i = 0; i + 1 < row->n; i += 2) {
            long c0 = (long)ceil(row->x[i] - 0.5), c1 = (long)ceil(row->x[i + 1] - 0.5) - 1;
            if (c0 < 0)
                c0 = 0;
            if (c1 > LAND_W - 1)
                c1 = LAND_W - 1;
            for (long c = c0; c <= c1; c++)
                g->bits[((size_t)r * LAND_W + (size_t)c) >> 3] |= (uint8_t)(0x80u >> (c & 7));
        }
    }
    for (long r = 0; rows && r < LAND_H; r++)
        free(rows[r].x);
    free(rows);
    if (st != PEL_OK) {
        geo_land_free(g);
        return st;
    }
    *out = g;
    return PEL_OK;
}

void geo_land_free(geo_land *g) {
    if (!g)
        return;
    free(g->bits);
    free(g);
}

/* The cell of (lat, lon); false outside the grid. */
static bool cell_of(double lat, double lon, long *r, long *c) {
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180))
        return false;
    *r = (long)floor((90.0 - lat) * LAND_RES);
    *c = (long)floor((lon + 180.0) * LAND_RES);
    if (*r >= LAND_H)
        *r = LAND_H - 1;
    if (*c >= LAND_W)
        *c = LAND_W - 1;
    return true;
}

static bool bit(const geo_land *g, long r, long c) {
    if (r < 0 || r >= LAND_H)
        return false;
    c = ((c % LAND_W) + LAND_W) % LAND_W; /* around the antimeridian */
    return g->bits[((size_t)r * LAND_W + (size_t)c) >> 3] & (0x80u >> (c & 7));
}

bool geo_land_at(const geo_land *g, double lat, double lon) {
    long r, c;
    return g && cell_of(lat, lon, &r, &c) && bit(g, r, c);
}

bool geo_land_inland(const geo_land *g, double lat, double lon, double km) {
    long r, c;
    if (!g || !cell_of(lat, lon, &r, &c))
        return false;
    /* every cell within km of the point's cell is land: rows are 1/30 degree
     * apart (3.7 km), columns closer by the cosine of the latitude */
    double cell_ns = 111.32 / LAND_RES, cell_ew = cell_ns * fmax(0.05, cos(lat * M_PI / 180.0));
    long dr = (long)ceil(km / cell_ns), dc = (long)ceil(km / cell_ew);
    if (dc > LAND_W / 2)
        dc = LAND_W / 2;
    for (long i = -dr; i <= dr; i++)
        for (long j = -dc; j <= dc; j++)
            if (!bit(g, r + i, c + j))
                return false;
    return true;
}

double geo_land_crossing_km(const geo_land *g, double lat1, double lon1, double lat2, double lon2) {
    if (!g)
        return 0;
    /* sample the straight leg (in degrees: legs between two reports are
     * short) every half cell, and measure the longest run over land */
    double dlat = lat2 - lat1, dlon = lon2 - lon1;
    if (dlon > 180)
        dlon -= 360;
    else if (dlon < -180)
        dlon += 360;
    double km_total = hypot(dlat * 111.32, dlon * 111.32 * cos((lat1 + lat2) * M_PI / 360.0));
    long steps = (long)ceil(hypot(dlat, dlon) * LAND_RES * 2) + 1;
    if (steps > 200000)
        steps = 200000;
    double run = 0, best = 0, step_km = km_total / (double)steps;
    for (long i = 0; i <= steps; i++) {
        double t = (double)i / (double)steps, lon = lon1 + dlon * t;
        if (lon > 180)
            lon -= 360;
        else if (lon < -180)
            lon += 360;
        if (geo_land_at(g, lat1 + dlat * t, lon)) {
            run += i ? step_km : 0;
            if (run > best)
                best = run;
        } else
            run = 0;
    }
    return best;
}
