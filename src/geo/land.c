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
 * The ship canals the 1:50m land closes (Suez, Panama, Kiel, Chesapeake &
 * Delaware, Cape Cod, Corinth: canals[]
 * below, drawn by us from their ports and locks) are carved back as water,
 * one cell wide, so that a transit is neither "inland" nor a crossing.
 *
 * Sea routes (geo_land_sea_route_km): the shortest path between two places
 * over cells that are not "inland" by a margin, 8-connected, searched
 * (Dijkstra) only within the box that holds every route up to a given
 * length -- a lower bound of the true sea route (necks of land narrower than
 * twice the margin are taken as passable, the grid's own overestimate is
 * divided out), so that "no route that short" is a safe claim.
 *
 * Limits: the 1:50m coast is generalised (an error of a kilometre or two,
 * islands under a few kilometres missing), so "on land" is only asked with a
 * margin (geo_land_inland); lakes are not cut out of the land (Natural
 * Earth's land polygons include them), so a boat on a large lake reads as
 * inland, and so does one on a river (no river is in the mask): the checks
 * that use this say how they keep waterways out.  Sea routes are not
 * searched across the antimeridian.
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

#define LAND_CELL_KM (111.32 / LAND_RES) /* a row, north-south */
#define ROUTE_MAX_CELLS 4000000          /* the largest box a sea route is searched in */
#define OCTILE_OVER 1.0824               /* an 8-connected path is at most this much longer than straight */

struct geo_land {
    uint8_t *bits; /* LAND_H rows of LAND_W bits, row 0 at 90 N */
};

/* The ship canals Natural Earth's 1:50m land closes, as polylines [lat,
 * lon] through their entrances, locks and lakes (ours, from the ports'
 * positions; a cell wide is enough: the checks ask with a margin). */
static const double canal_suez[][2] = {{31.27, 32.31}, {30.85, 32.31}, {30.58, 32.29}, {30.42, 32.35},
                                       {30.33, 32.40}, {30.22, 32.50}, {30.10, 32.55}, {29.93, 32.56}};
static const double canal_panama[][2] = {{9.38, -79.92}, {9.27, -79.92}, {9.20, -79.87}, {9.12, -79.75}, {9.05, -79.66},
                                         {9.02, -79.61}, {9.00, -79.59}, {8.95, -79.56}, {8.87, -79.52}};
static const double canal_kiel[][2] = {{53.88, 9.14}, {54.00, 9.30}, {54.10, 9.45},
                                       {54.30, 9.67}, {54.35, 9.95}, {54.37, 10.16}};
static const double canal_chesapeake_delaware[][2] = {{39.53, -75.87}, {39.53, -75.81}, {39.56, -75.59}};
static const double canal_cape_cod[][2] = {{41.74, -70.62}, {41.77, -70.50}};
static const double canal_corinth[][2] = {{37.95, 22.95}, {37.92, 23.00}};
static const struct {
    const double (*pt)[2];
    size_t n;
} canals[] = {
    {canal_suez, sizeof canal_suez / sizeof canal_suez[0]},
    {canal_panama, sizeof canal_panama / sizeof canal_panama[0]},
    {canal_kiel, sizeof canal_kiel / sizeof canal_kiel[0]},
    {canal_chesapeake_delaware, sizeof canal_chesapeake_delaware / sizeof canal_chesapeake_delaware[0]},
    {canal_cape_cod, sizeof canal_cape_cod / sizeof canal_cape_cod[0]},
    {canal_corinth, sizeof canal_corinth / sizeof canal_corinth[0]},
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

/* Clears the cells along every canal (sampled every quarter cell). */
static void carve_canals(geo_land *g) {
    for (size_t k = 0; k < sizeof canals / sizeof canals[0]; k++)
        for (size_t i = 0; i + 1 < canals[k].n; i++) {
            const double *a = canals[k].pt[i], *b = canals[k].pt[i + 1];
            long steps = (long)ceil(hypot(b[0] - a[0], b[1] - a[1]) * LAND_RES * 4) + 1;
            for (long j = 0; j <= steps; j++) {
                double t = (double)j / (double)steps, x, y;
                to_cells(a[1] + (b[1] - a[1]) * t, a[0] + (b[0] - a[0]) * t, &x, &y);
                long r = (long)floor(y), c = (long)floor(x);
                if (r >= 0 && r < LAND_H && c >= 0 && c < LAND_W)
                    g->bits[((size_t)r * LAND_W + (size_t)c) >> 3] &= (uint8_t) ~(0x80u >> (c & 7));
            }
        }
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
    if (st == PEL_OK)
        carve_canals(g);
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

/* True when every cell within km of cell (r, c), at latitude lat, is land:
 * rows are 1/30 degree apart (3.7 km), columns closer by the cosine of
 * the latitude. */
static bool inland_cell(const geo_land *g, long r, long c, double lat, double km) {
    double cell_ew = LAND_CELL_KM * fmax(0.05, cos(lat * M_PI / 180.0));
    long dr = (long)ceil(km / LAND_CELL_KM), dc = (long)ceil(km / cell_ew);
    if (dc > LAND_W / 2)
        dc = LAND_W / 2;
    for (long i = -dr; i <= dr; i++)
        for (long j = -dc; j <= dc; j++)
            if (!bit(g, r + i, c + j))
                return false;
    return true;
}

bool geo_land_inland(const geo_land *g, double lat, double lon, double km) {
    long r, c;
    if (!g || !cell_of(lat, lon, &r, &c))
        return false;
    if (km <= 0)
        return bit(g, r, c); /* its own cell (the common question: no cosine) */
    return inland_cell(g, r, c, lat, km);
}

double geo_land_depth_km(const geo_land *g, double lat, double lon, double max_km) {
    if (!geo_land_inland(g, lat, lon, 0))
        return 0;
    /* the largest whole km still inland, by bisection (inland at k implies
     * inland at every smaller k) */
    double lo = 0, hi = floor(max_km);
    if (geo_land_inland(g, lat, lon, hi))
        return hi;
    while (hi - lo > 1) {
        double mid = floor((lo + hi) / 2);
        if (geo_land_inland(g, lat, lon, mid))
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The longest run of the straight leg over land, or over land margin_km
 * inland when margin_km > 0. */
static double crossing(const geo_land *g, double lat1, double lon1, double lat2, double lon2, double margin_km) {
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
        if (margin_km > 0 ? geo_land_inland(g, lat1 + dlat * t, lon, margin_km)
                          : geo_land_at(g, lat1 + dlat * t, lon)) {
            run += i ? step_km : 0;
            if (run > best)
                best = run;
        } else
            run = 0;
    }
    return best;
}

double geo_land_crossing_km(const geo_land *g, double lat1, double lon1, double lat2, double lon2) {
    return crossing(g, lat1, lon1, lat2, lon2, 0);
}

double geo_land_crossing_inland_km(const geo_land *g, double lat1, double lon1, double lat2, double lon2,
                                   double margin_km) {
    return crossing(g, lat1, lon1, lat2, lon2, margin_km > 0 ? margin_km : 0);
}

/* ---- sea routes ---------------------------------------------------------- */

typedef struct heap_item {
    float d;
    uint32_t i;
} heap_item;

typedef struct heap {
    heap_item *v;
    size_t n, cap;
} heap;

static bool heap_push(heap *h, float d, uint32_t i) {
    if (h->n == h->cap) {
        size_t nc = h->cap ? 2 * h->cap : 1024;
        heap_item *nv = realloc(h->v, nc * sizeof *nv);
        if (!nv)
            return false;
        h->v = nv;
        h->cap = nc;
    }
    size_t k = h->n++;
    while (k > 0 && h->v[(k - 1) / 2].d > d) {
        h->v[k] = h->v[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    h->v[k] = (heap_item){d, i};
    return true;
}

static heap_item heap_pop(heap *h) {
    heap_item top = h->v[0], last = h->v[--h->n];
    size_t k = 0;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1].d < h->v[c].d)
            c++;
        if (h->v[c].d >= last.d)
            break;
        h->v[k] = h->v[c];
        k = c;
    }
    if (h->n)
        h->v[k] = last;
    return top;
}

double geo_land_sea_route_km(const geo_land *g, double lat1, double lon1, double lat2, double lon2, double margin_km,
                             double max_km) {
    long r1, c1, r2, c2;
    if (!g || !cell_of(lat1, lon1, &r1, &c1) || !cell_of(lat2, lon2, &r2, &c2) || !(max_km > 0) ||
        fabs(lon2 - lon1) > 180)
        return NAN;
    double d = geo_distance_m(lat1, lon1, lat2, lon2) / 1000.0;
    if (d > max_km)
        return INFINITY;
    /* every route up to max_km lies in the ellipse with the two places as
     * foci: within sqrt(max^2 - d^2) / 2 of the straight leg */
    double ext = sqrt(max_km * max_km - d * d) / 2 + margin_km + 2 * LAND_CELL_KM;
    double latmax = fmin(89.0, fmax(fabs(lat1), fabs(lat2)) + ext / 111.32);
    long er = (long)ceil(ext / LAND_CELL_KM), ec = (long)ceil(ext / (LAND_CELL_KM * cos(latmax * M_PI / 180.0)));
    long rlo = (r1 < r2 ? r1 : r2) - er, rhi = (r1 > r2 ? r1 : r2) + er;
    long clo = (c1 < c2 ? c1 : c2) - ec, chi = (c1 > c2 ? c1 : c2) + ec;
    if (rlo < 0)
        rlo = 0;
    if (rhi > LAND_H - 1)
        rhi = LAND_H - 1;
    if (clo < 0)
        clo = 0;
    if (chi > LAND_W - 1)
        chi = LAND_W - 1;
    long h = rhi - rlo + 1, w = chi - clo + 1;
    if ((double)h * (double)w > ROUTE_MAX_CELLS)
        return NAN;
    size_t ncell = (size_t)h * (size_t)w;
    float *dist = malloc(ncell * sizeof *dist);
    uint8_t *pass = malloc(ncell); /* 0 unknown, 1 passable, 2 not */
    heap q = {0};
    if (!dist || !pass) {
        free(dist);
        free(pass);
        return NAN;
    }
    for (size_t i = 0; i < ncell; i++)
        dist[i] = INFINITY;
    memset(pass, 0, ncell);
    double limit = max_km * OCTILE_OVER, found = INFINITY;
    size_t src = (size_t)(r1 - rlo) * (size_t)w + (size_t)(c1 - clo),
           dst = (size_t)(r2 - rlo) * (size_t)w + (size_t)(c2 - clo);
    dist[src] = 0;
    bool ok = heap_push(&q, 0, (uint32_t)src);
    while (ok && q.n) {
        heap_item it = heap_pop(&q);
        if (it.d > dist[it.i])
            continue;
        if (it.i == dst) {
            found = it.d;
            break;
        }
        long r = rlo + (long)(it.i / (size_t)w), c = clo + (long)(it.i % (size_t)w);
        for (int dr = -1; dr <= 1 && ok; dr++)
            for (int dc = -1; dc <= 1 && ok; dc++) {
                long nr = r + dr, nc = c + dc;
                if ((!dr && !dc) || nr < rlo || nr > rhi || nc < clo || nc > chi)
                    continue;
                size_t k = (size_t)(nr - rlo) * (size_t)w + (size_t)(nc - clo);
                if (!pass[k]) {
                    double lat = 90.0 - ((double)nr + 0.5) / LAND_RES;
                    /* the ends are taken as passable: they are where the vessel was */
                    pass[k] = k == dst || !inland_cell(g, nr, nc, lat, margin_km) ? 1 : 2;
                }
                if (pass[k] != 1)
                    continue;
                double mlat = 90.0 - ((double)r + (double)nr + 1.0) / (2.0 * LAND_RES);
                double ew = dc ? LAND_CELL_KM * cos(mlat * M_PI / 180.0) : 0, ns = dr ? LAND_CELL_KM : 0;
                double nd = (double)it.d + sqrt(ew * ew + ns * ns);
                if (nd < dist[k] && nd <= limit) {
                    dist[k] = (float)nd;
                    ok = heap_push(&q, (float)nd, (uint32_t)k);
                }
            }
    }
    free(q.v);
    free(dist);
    free(pass);
    if (!ok)
        return NAN;
    if (isinf(found))
        return INFINITY;
    /* a lower bound of the route: the grid's overestimate out, a cell off
     * for where each end lies in its cell, never under the straight line */
    return fmax(d, found / OCTILE_OVER - 2 * LAND_CELL_KM);
}
