/*
 * geo.c -- port list, zones, MID table and great-circle distance for the
 * detectors (API and contracts in geo.h).
 *
 * Ports: the CSV is read whole, parsed by the RFC 4180 reader of util/textcsv.h,
 * and indexed in a 1-degree latitude/longitude grid (180 x 360 cells, each
 * holding its ports in file order).  The nearest-port query first visits
 * the rings of cells around the query's cell until one holds a port (at
 * most RING_MAX rings), which gives a first distance; then it visits the
 * rows in order of their latitude distance, stopping each way when that
 * distance alone exceeds the best found, and in each row the columns
 * outwards, stopping at the widest longitude difference that could still
 * beat the best (row_reach); a non-empty cell is skipped when the exact
 * spherical distance to its nearest possible point (cell_bound) does.
 * Every bound is a true lower bound (less a little slack for rounding:
 * 1 mm + 1e-9 of the distance), so the answer equals a linear scan's,
 * ties going to the lowest index: the unit test checks this on 10,000
 * random points over the WPI list and 20,000 over a sparse list.  Measured: about 1 us per query near
 * a coast, 5-15 us in open ocean, up to about 60 us near the poles (rows
 * there are short in distance, so many cells qualify), against about 300 us
 * for a linear scan of the 3,832 ports.
 *
 * Zones: any GeoJSON FeatureCollection of Polygon and MultiPolygon features,
 * read with jansson; anything else is refused with a message naming the
 * feature.  Containment is even-odd ray casting in the lon/lat plane after
 * a bounding-box test.  Limits: no antimeridian handling (split such
 * polygons, as RFC 7946 asks), no check that rings do not self-intersect
 * or that holes lie inside their shell (the even-odd rule then decides),
 * points on an edge go either way.
 *
 * MID table: 3-digit MIDs of ship MMSIs only (first digit 2-7); the other
 * MMSI forms carry a MID elsewhere or none and are answered "no".
 *
 * Nothing here prints or exits; errors are returned as pel_status with a
 * message in pel_error.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo.h"
#include "util/fail.h"
#include "util/textcsv.h"

#ifndef PEL_DATADIR
#define PEL_DATADIR "data"
#endif

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define DEG (M_PI / 180.0)

/* Central angle (radians) between two points given in radians. */
static double central(double p1, double p2, double dl) {
    double sp = sin((p2 - p1) / 2), sl = sin(dl / 2);
    double a = sp * sp + cos(p1) * cos(p2) * sl * sl;
    return 2 * asin(sqrt(a < 1 ? a : 1));
}

double geo_distance_m(double lat1, double lon1, double lat2, double lon2) {
    return GEO_EARTH_RADIUS_M * central(lat1 * DEG, lat2 * DEG, (lon2 - lon1) * DEG);
}

/* ---- reading files ------------------------------------------------------- */

/* Reads the whole file into a NUL-terminated malloc'd buffer. */
static pel_status slurp(const char *path, char **out, size_t *len, pel_error *err) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return pel_fail(err, PEL_ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
        } else {
            b = nb;
            cap *= 2;
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (!b)
        return pel_fail(err, PEL_ERR_NOMEM, "%s: out of memory", path);
    if (bad) {
        free(b);
        return pel_fail(err, PEL_ERR_IO, "%s: read error", path);
    }
    b[n] = 0;
    *out = b;
    *len = n;
    return PEL_OK;
}

const char *geo_data_dir(const char *given) {
    if (given && *given)
        return given;
    const char *env = getenv("PELORUS_DATA");
    return env && *env ? env : PEL_DATADIR;
}

/* Finds column name in the header record; -1 if absent. */
static int csv_column(const textcsv *c, const char *name) {
    for (size_t i = 0; i < c->nf; i++)
        if (strcmp(textcsv_get(c, i), name) == 0)
            return (int)i;
    return -1;
}

/* Parses a whole field as a finite number. */
static bool parse_num(const char *s, double *v) {
    char *end;
    if (!*s)
        return false;
    errno = 0;
    *v = strtod(s, &end);
    return *end == 0 && errno == 0 && isfinite(*v);
}

/* Opens path as CSV and reads its header.  On success c holds the header. */
static pel_status csv_open(const char *path, char **text, textcsv *c, pel_error *err) {
    size_t len = 0;
    pel_status st = slurp(path, text, &len, err);
    if (st != PEL_OK)
        return st;
    textcsv_init(c, *text, len);
    int r = textcsv_next(c);
    if (r <= 0) {
        st = r < 0 ? pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: %s", path, (unsigned long long)c->err_line, c->why)
                   : pel_fail(err, PEL_ERR_FORMAT, "%s: empty file (no header)", path);
        textcsv_free(c);
        free(*text);
        *text = NULL;
    }
    return st;
}

/* ---- ports ---------------------------------------------------------------- */

#define GRID_ROWS 180
#define GRID_COLS 360

struct geo_ports {
    geo_port *v;
    int n;
    char **blocks;   /* per port: its strings, one allocation */
    int *cell_start; /* GRID_ROWS * GRID_COLS + 1 offsets into cell_idx */
    int *cell_idx;   /* port indices by cell, ascending within a cell */
};

void geo_ports_free(geo_ports *p) {
    if (!p)
        return;
    for (int i = 0; i < p->n; i++)
        free(p->blocks[i]);
    free(p->blocks);
    free(p->v);
    free(p->cell_start);
    free(p->cell_idx);
    free(p);
}

int geo_ports_count(const geo_ports *p) {
    return p ? p->n : 0;
}

const geo_port *geo_port_get(const geo_ports *p, int i) {
    return p && i >= 0 && i < p->n ? &p->v[i] : NULL;
}

const char *geo_port_name(const geo_ports *p, int i) {
    return p && i >= 0 && i < p->n ? p->v[i].name : NULL;
}

int geo_port_concern(const geo_ports *p, int i) {
    return p && i >= 0 && i < p->n && p->v[i].concern ? 1 : 0;
}

/* Longitude into [-180, 180). */
static double norm_lon(double lon) {
    double l = fmod(lon + 180.0, 360.0);
    if (l < 0)
        l += 360.0;
    return l - 180.0;
}

static int row_of(double lat) {
    int r = (int)floor(lat + 90.0);
    return r < 0 ? 0 : r >= GRID_ROWS ? GRID_ROWS - 1 : r;
}

static int col_of(double nlon) {
    int c = (int)floor(nlon + 180.0);
    return c < 0 ? 0 : c >= GRID_COLS ? GRID_COLS - 1 : c;
}

static pel_status build_grid(geo_ports *p) {
    p->cell_start = calloc(GRID_ROWS * GRID_COLS + 1, sizeof *p->cell_start);
    p->cell_idx = malloc((size_t)(p->n ? p->n : 1) * sizeof *p->cell_idx);
    if (!p->cell_start || !p->cell_idx)
        return PEL_ERR_NOMEM;
    for (int i = 0; i < p->n; i++)
        p->cell_start[row_of(p->v[i].lat) * GRID_COLS + col_of(norm_lon(p->v[i].lon)) + 1]++;
    for (int k = 0; k < GRID_ROWS * GRID_COLS; k++)
        p->cell_start[k + 1] += p->cell_start[k];
    int *fill = malloc(GRID_ROWS * GRID_COLS * sizeof *fill);
    if (!fill)
        return PEL_ERR_NOMEM;
    memcpy(fill, p->cell_start, GRID_ROWS * GRID_COLS * sizeof *fill);
    for (int i = 0; i < p->n; i++)
        p->cell_idx[fill[row_of(p->v[i].lat) * GRID_COLS + col_of(norm_lon(p->v[i].lon))]++] = i;
    free(fill);
    return PEL_OK;
}

enum { P_WPI, P_NAME, P_ALT, P_LOCODE, P_COUNTRY, P_SIZE, P_TYPE, P_SOURCE, P_LAT, P_LON, P_CONCERN, P__N };
static const char *const port_cols[P__N] = {"wpi",         "name",   "alt_name", "unlocode", "country", "harbor_size",
                                            "harbor_type", "source", "lat",      "lon",      "concern"};

/* One data record into port *q (strings copied into one block). */
static pel_status port_row(const char *path, uint64_t line, const textcsv *c, const int *col, geo_port *q, char **block,
                           pel_error *err) {
    const char *f[P__N];
    for (int k = 0; k < P__N; k++)
        f[k] = col[k] >= 0 ? textcsv_get(c, (size_t)col[k]) : "";
    if (!*f[P_NAME])
        return pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: empty name", path, (unsigned long long)line);
    if (!parse_num(f[P_LAT], &q->lat) || q->lat < -90 || q->lat > 90)
        return pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: lat \"%.40s\" is not a latitude (-90..90)", path,
                        (unsigned long long)line, f[P_LAT]);
    if (!parse_num(f[P_LON], &q->lon) || q->lon < -180 || q->lon > 180)
        return pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: lon \"%.40s\" is not a longitude (-180..180)", path,
                        (unsigned long long)line, f[P_LON]);
    if (strcmp(f[P_CONCERN], "1") == 0)
        q->concern = true;
    else if (strcmp(f[P_CONCERN], "0") == 0 || !*f[P_CONCERN])
        q->concern = false;
    else
        return pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: concern \"%.40s\" is not 0 or 1", path, (unsigned long long)line,
                        f[P_CONCERN]);
    size_t total = 0;
    for (int k = 0; k < P_LAT; k++)
        total += strlen(f[k]) + 1;
    char *b = malloc(total);
    if (!b)
        return pel_fail(err, PEL_ERR_NOMEM, "%s: out of memory", path);
    const char **dst[P_LAT] = {&q->wpi,     &q->name,        &q->alt_name,    &q->unlocode,
                               &q->country, &q->harbor_size, &q->harbor_type, &q->source};
    char *w = b;
    for (int k = 0; k < P_LAT; k++) {
        size_t n = strlen(f[k]) + 1;
        memcpy(w, f[k], n);
        *dst[k] = w;
        w += n;
    }
    *block = b;
    return PEL_OK;
}

pel_status geo_ports_load(const char *path, geo_ports **out, pel_error *err) {
    *out = NULL;
    char *text;
    textcsv c;
    pel_status st = csv_open(path, &text, &c, err);
    if (st != PEL_OK)
        return st;
    int col[P__N];
    for (int k = 0; k < P__N; k++)
        col[k] = csv_column(&c, port_cols[k]);
    size_t nhead = c.nf;
    geo_ports *p = calloc(1, sizeof *p);
    size_t cap = 0;
    if (!p)
        st = pel_fail(err, PEL_ERR_NOMEM, "%s: out of memory", path);
    else if (col[P_NAME] < 0 || col[P_LAT] < 0 || col[P_LON] < 0)
        st = pel_fail(err, PEL_ERR_FORMAT, "%s: the header must name the columns name, lat and lon", path);
    while (st == PEL_OK) {
        int r = textcsv_next(&c);
        uint64_t line = c.rec_line;
        if (r == 0)
            break;
        if (r < 0) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: %s", path, (unsigned long long)c.err_line, c.why);
            break;
        }
        if (c.nf != nhead) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: %zu fields, the header has %zu", path,
                          (unsigned long long)line, c.nf, nhead);
            break;
        }
        if ((size_t)p->n == cap) {
            size_t ncap = cap ? 2 * cap : 4096;
            geo_port *nv = ncap <= (size_t)INT32_MAX ? realloc(p->v, ncap * sizeof *nv) : NULL;
            char **nb = nv ? realloc(p->blocks, ncap * sizeof *nb) : NULL;
            if (nv)
                p->v = nv;
            if (nb)
                p->blocks = nb;
            if (!nv || !nb) {
                st = pel_fail(err, PEL_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            cap = ncap;
        }
        geo_port *q = &p->v[p->n];
        memset(q, 0, sizeof *q);
        st = port_row(path, line, &c, col, q, &p->blocks[p->n], err);
        if (st == PEL_OK)
            p->n++;
    }
    textcsv_free(&c);
    free(text);
    if (st == PEL_OK && build_grid(p) != PEL_OK)
        st = pel_fail(err, PEL_ERR_NOMEM, "%s: out of memory", path);
    if (st != PEL_OK) {
        geo_ports_free(p);
        return st;
    }
    *out = p;
    return PEL_OK;
}

/* Smallest central angle from a point at latitude phi (radians) to any
 * point with latitude in [a, b] (radians) whose longitude differs from the
 * point's by at least dl (radians, 0..pi).  The distance grows with the
 * longitude difference, so the nearest such point lies at exactly dl; along
 * that meridian the distance has one minimum, at the foot of the
 * perpendicular (tan t = tan phi / cos dl; the pole on phi's side when
 * dl >= 90 degrees), so clamping t into [a, b] gives the minimum. */
static double cell_bound(double phi, double a, double b, double dl) {
    double t;
    if (dl <= 0)
        t = phi;
    else if (dl >= M_PI / 2)
        t = phi >= 0 ? M_PI / 2 : -M_PI / 2;
    else
        t = atan(tan(phi) / cos(dl));
    t = t < a ? a : t > b ? b : t;
    return central(phi, t, dl);
}

/* Angular distance (degrees, 0..180) of x degrees of longitude. */
static double tent(double x) {
    return x <= 180 ? x : 360 - x;
}

/* The search shared by nearest and within.  within: every port with
 * d <= limit is counted and the nearest cap of them kept, sorted; otherwise
 * limit shrinks to the best distance found and best is the nearest. */
typedef struct search {
    double limit; /* current pruning distance (metres) */
    bool within;
    int best;     /* nearest mode */
    int *out;     /* within mode: kept indices, nearest first */
    double *dist; /* their distances (scratch of cap entries if the caller gave none) */
    int cap, kept, count;
} search;

static void consider(search *s, int i, double d) {
    if (!s->within) {
        if (d < s->limit || (d == s->limit && (s->best < 0 || i < s->best))) {
            s->limit = d;
            s->best = i;
        }
        return;
    }
    if (d > s->limit)
        return;
    s->count++;
    /* insert into the sorted kept list (distance, then index) */
    int k = s->kept;
    while (k > 0 && (s->dist[k - 1] > d || (s->dist[k - 1] == d && s->out[k - 1] > i)))
        k--;
    if (k >= s->cap)
        return;
    int last = s->kept < s->cap ? s->kept : s->cap - 1;
    for (int j = last; j > k; j--) {
        s->out[j] = s->out[j - 1];
        s->dist[j] = s->dist[j - 1];
    }
    s->out[k] = i;
    s->dist[k] = d;
    if (s->kept < s->cap)
        s->kept++;
}

/* sin^2(x/2) */
static double hav(double x) {
    double h = sin(x / 2);
    return h * h;
}

/* The widest longitude difference (degrees) at which a point with latitude
 * in [a, b] can still be within central angle L of the query (latitude phi,
 * cos phi = cphi): from hav d = hav(dlat) + cos phi cos t hav(dlon) with
 * dlat and cos t at their smallest over the band. */
static double row_reach(double phi, double cphi, double a, double b, double L) {
    if (L >= M_PI)
        return 180;
    double dmin = fmax(0, fmax(a - phi, phi - b)), den = cphi * fmin(cos(a), cos(b));
    if (den <= 0)
        return 180;
    double h = (hav(L) - hav(dmin)) / den;
    return h < 0 ? -1 : h >= 1 ? 180 : 2 * asin(sqrt(h)) / DEG;
}

/* Slack added to the pruning distance for the rounding of the bounds. */
static double slack(double limit) {
    return limit * 1e-9 + 1e-3;
}

/* Visits the cells of row r whose ports may lie within s->limit, nearest
 * columns first, both ways from the query's column; the first skip + 1
 * columns each way were visited already (skip -1: none). */
static void scan_row(const geo_ports *p, search *s, int r, double lat, double lon, double phi, double cphi, int c0,
                     double f, int skip) {
    const double R = GEO_EARTH_RADIUS_M;
    double a = (r - 90) * DEG, b = (r - 89) * DEG;
    double lim = s->limit, reach = row_reach(phi, cphi, a, b, (lim + slack(lim)) / R);
    bool east = true, west = true;
    for (int j = 0; j <= GRID_COLS / 2 && (east || west); j++) {
        for (int side = 0; side < 2; side++) {
            if (side == 0 ? !east : !west)
                continue;
            if (side == 1 && (j == 0 || j == GRID_COLS / 2))
                continue; /* the same cell as side 0 */
            double dl = j == 0      ? 0
                        : side == 0 ? fmin(tent(j - f), tent(j + 1 - f))
                                    : fmin(tent(j - 1 + f), tent(j + f));
            if (dl > reach) { /* and every cell further this way */
                if (side == 0)
                    east = false;
                else
                    west = false;
                continue;
            }
            if (j <= skip)
                continue;
            int cc = ((c0 + (side == 0 ? j : -j)) % GRID_COLS + GRID_COLS) % GRID_COLS;
            int cell = r * GRID_COLS + cc, from = p->cell_start[cell], to = p->cell_start[cell + 1];
            if (from == to || R * cell_bound(phi, a, b, dl * DEG) > s->limit + slack(s->limit))
                continue;
            for (int k = from; k < to; k++) {
                int i = p->cell_idx[k];
                consider(s, i, geo_distance_m(lat, lon, p->v[i].lat, p->v[i].lon));
            }
            if (s->limit != lim) {
                lim = s->limit;
                reach = row_reach(phi, cphi, a, b, (lim + slack(lim)) / R);
            }
        }
    }
}

/* Visits every cell of the ring of cells k steps around (r0, c0), k <= RING_MAX. */
static void scan_ring(const geo_ports *p, search *s, int k, double lat, double lon, int r0, int c0) {
    for (int dr = -k; dr <= k; dr++) {
        int r = r0 + dr;
        if (r < 0 || r >= GRID_ROWS)
            continue;
        bool full = dr == -k || dr == k;
        for (int dc = -k; dc <= k; dc += full || k == 0 ? 1 : 2 * k) {
            int cell = r * GRID_COLS + ((c0 + dc) % GRID_COLS + GRID_COLS) % GRID_COLS;
            for (int j = p->cell_start[cell]; j < p->cell_start[cell + 1]; j++) {
                int i = p->cell_idx[j];
                consider(s, i, geo_distance_m(lat, lon, p->v[i].lat, p->v[i].lon));
            }
        }
    }
}

#define RING_MAX 20

/* Nearest mode first visits the rings of cells around the query's cell
 * until one holds a port (at most RING_MAX rings): a first, usually close,
 * limit.  Then, in both modes, the rows in order of their latitude
 * distance from the query, each way until that distance alone exceeds
 * s->limit, skipping the cells the rings covered. */
static void run_search(const geo_ports *p, double lat, double lon, search *s) {
    const double R = GEO_EARTH_RADIUS_M;
    double nlon = norm_lon(lon), phi = lat * DEG, cphi = cos(phi);
    int r0 = row_of(lat), c0 = col_of(nlon);
    double f = nlon + 180.0 - c0, g = lat + 90.0 - r0; /* position inside the cell, 0..1 */
    int done = -1;                                     /* rings visited */
    while (!s->within && s->best < 0 && done < RING_MAX)
        scan_ring(p, s, ++done, lat, lon, r0, c0);
    int up = 0, down = 1; /* next rows: r0 + up, r0 - down */
    for (;;) {
        double du = up == 0 ? 0 : up - g, dd = down - 1 + g; /* degrees to those rows' bands */
        bool can_up = r0 + up < GRID_ROWS && R * du * DEG <= s->limit + slack(s->limit);
        bool can_down = r0 - down >= 0 && R * dd * DEG <= s->limit + slack(s->limit);
        if (!can_up && !can_down)
            return;
        int r;
        if (can_up && (!can_down || du <= dd))
            r = r0 + up++;
        else
            r = r0 - down++;
        scan_row(p, s, r, lat, lon, phi, cphi, c0, f, abs(r - r0) <= done ? done : -1);
    }
}

int geo_port_nearest(const geo_ports *p, double lat, double lon, double *dist_m) {
    if (dist_m)
        *dist_m = INFINITY;
    if (!p || p->n == 0 || !isfinite(lat) || !isfinite(lon) || lat < -90 || lat > 90)
        return -1;
    search s = {.limit = INFINITY, .best = -1};
    run_search(p, lat, lon, &s);
    if (dist_m && s.best >= 0)
        *dist_m = s.limit;
    return s.best;
}

int geo_port_within(const geo_ports *p, double lat, double lon, double radius_m, int *out, double *dist_m, int cap) {
    if (!p || p->n == 0 || !isfinite(lat) || !isfinite(lon) || lat < -90 || lat > 90 || !(radius_m >= 0) ||
        (cap > 0 && !out))
        return 0;
    double scratch[64];
    if (cap < 0)
        cap = 0;
    if (!dist_m && cap > 64)
        cap = 64; /* without a distance array only the first 64 can be kept sorted */
    search s = {.limit = radius_m, .within = true, .out = out, .dist = dist_m ? dist_m : scratch, .cap = cap};
    run_search(p, lat, lon, &s);
    return s.count;
}

/* ---- zones --------------------------------------------------------------- */

typedef struct ring {
    size_t n;   /* positions, the closing one included */
    double *xy; /* lon, lat pairs */
} ring;

typedef struct poly {
    ring *r;
    size_t nr;
    double x0, y0, x1, y1; /* bounding box of the outer ring */
} poly;

typedef struct zone {
    char *name, *kind;
    bool concern;
    geo_zone_policy policy;
    poly *p;
    size_t np;
    double x0, y0, x1, y1;
} zone;

struct geo_zones {
    zone *z;
    int n;
};

static void zone_clear(zone *z) {
    for (size_t i = 0; i < z->np; i++) {
        for (size_t j = 0; j < z->p[i].nr; j++)
            free(z->p[i].r[j].xy);
        free(z->p[i].r);
    }
    free(z->p);
    free(z->name);
    free(z->kind);
}

void geo_zones_free(geo_zones *z) {
    if (!z)
        return;
    for (int i = 0; i < z->n; i++)
        zone_clear(&z->z[i]);
    free(z->z);
    free(z);
}

int geo_zones_count(const geo_zones *z) {
    return z ? z->n : 0;
}

const char *geo_zone_name(const geo_zones *z, int i) {
    return z && i >= 0 && i < z->n ? z->z[i].name : NULL;
}

const char *geo_zone_kind(const geo_zones *z, int i) {
    return z && i >= 0 && i < z->n ? z->z[i].kind : NULL;
}

bool geo_zone_concern(const geo_zones *z, int i) {
    return z && i >= 0 && i < z->n && z->z[i].concern;
}

geo_zone_policy geo_zone_policy_of(const geo_zones *z, int i) {
    return z && i >= 0 && i < z->n ? z->z[i].policy : GEO_ZONE_ENTRY;
}

const char *geo_zone_policy_name(geo_zone_policy p) {
    return p == GEO_ZONE_DWELL ? "dwell" : "entry";
}

/* Where a zone error happened, for the messages. */
typedef struct zctx {
    const char *path;
    size_t feature;   /* from 1 */
    const char *name; /* properties.name or NULL */
    pel_error *err;
} zctx;

static pel_status zfail(const zctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static pel_status zfail(const zctx *x, const char *fmt, ...) {
    char what[sizeof x->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (x->name)
        return pel_fail(x->err, PEL_ERR_FORMAT, "%s: feature %zu (\"%.40s\"): %s", x->path, x->feature, x->name, what);
    return pel_fail(x->err, PEL_ERR_FORMAT, "%s: feature %zu: %s", x->path, x->feature, what);
}

/* One linear ring: an array of at least 4 positions, closed. */
static pel_status read_ring(const zctx *x, json_t *a, size_t pi, size_t ri, ring *out) {
    if (!json_is_array(a))
        return zfail(x, "polygon %zu, ring %zu is not an array of positions", pi, ri);
    size_t n = json_array_size(a);
    if (n < 4)
        return zfail(x,
                     "polygon %zu, ring %zu has too few points (%zu; a ring needs 4 or more, the last repeating "
                     "the first)",
                     pi, ri, n);
    out->xy = malloc(2 * n * sizeof *out->xy);
    if (!out->xy) {
        if (x->err)
            pel_fail(x->err, PEL_ERR_NOMEM, "%s: out of memory", x->path);
        return PEL_ERR_NOMEM;
    }
    out->n = n;
    for (size_t k = 0; k < n; k++) {
        json_t *pos = json_array_get(a, k);
        if (!json_is_array(pos) || json_array_size(pos) < 2)
            return zfail(x, "polygon %zu, ring %zu, position %zu is not [lon, lat]", pi, ri, k + 1);
        json_t *jx = json_array_get(pos, 0), *jy = json_array_get(pos, 1);
        if (!json_is_number(jx) || !json_is_number(jy))
            return zfail(x, "polygon %zu, ring %zu, position %zu: coordinate is not a number", pi, ri, k + 1);
        double lon = json_number_value(jx), lat = json_number_value(jy);
        if (!isfinite(lon) || !isfinite(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90)
            return zfail(x, "polygon %zu, ring %zu, position %zu: [%g, %g] is not a [lon, lat] in range", pi, ri, k + 1,
                         lon, lat);
        out->xy[2 * k] = lon;
        out->xy[2 * k + 1] = lat;
    }
    if (out->xy[0] != out->xy[2 * n - 2] || out->xy[1] != out->xy[2 * n - 1])
        return zfail(x, "polygon %zu, ring %zu is not closed (first [%g, %g], last [%g, %g])", pi, ri, out->xy[0],
                     out->xy[1], out->xy[2 * n - 2], out->xy[2 * n - 1]);
    return PEL_OK;
}

/* One Polygon's coordinates: an array of rings, the first the shell. */
static pel_status read_poly(const zctx *x, json_t *a, size_t pi, poly *out) {
    if (!json_is_array(a) || json_array_size(a) == 0)
        return zfail(x, "polygon %zu is not a non-empty array of rings", pi);
    size_t n = json_array_size(a);
    out->r = calloc(n, sizeof *out->r);
    if (!out->r) {
        if (x->err)
            pel_fail(x->err, PEL_ERR_NOMEM, "%s: out of memory", x->path);
        return PEL_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        pel_status st = read_ring(x, json_array_get(a, i), pi, i + 1, &out->r[i]);
        out->nr = i + 1; /* so that zone_clear frees what was allocated */
        if (st != PEL_OK)
            return st;
    }
    const ring *s = &out->r[0];
    out->x0 = out->x1 = s->xy[0];
    out->y0 = out->y1 = s->xy[1];
    for (size_t k = 1; k < s->n; k++) {
        out->x0 = fmin(out->x0, s->xy[2 * k]);
        out->x1 = fmax(out->x1, s->xy[2 * k]);
        out->y0 = fmin(out->y0, s->xy[2 * k + 1]);
        out->y1 = fmax(out->y1, s->xy[2 * k + 1]);
    }
    /* holes outside the shell still count in the even-odd rule: widen */
    for (size_t j = 1; j < out->nr; j++)
        for (size_t k = 0; k < out->r[j].n; k++) {
            out->x0 = fmin(out->x0, out->r[j].xy[2 * k]);
            out->x1 = fmax(out->x1, out->r[j].xy[2 * k]);
            out->y0 = fmin(out->y0, out->r[j].xy[2 * k + 1]);
            out->y1 = fmax(out->y1, out->r[j].xy[2 * k + 1]);
        }
    return PEL_OK;
}

static pel_status read_feature(zctx *x, json_t *f, zone *z) {
    if (!json_is_object(f))
        return zfail(x, "not an object");
    json_t *props = json_object_get(f, "properties");
    json_t *jname = json_is_object(props) ? json_object_get(props, "name") : NULL;
    if (json_is_string(jname))
        x->name = json_string_value(jname);
    const char *type = json_string_value(json_object_get(f, "type"));
    if (!type || strcmp(type, "Feature") != 0)
        return zfail(x, "type is \"%.30s\", not \"Feature\"", type ? type : "(none)");
    char dflt[32];
    snprintf(dflt, sizeof dflt, "zone %zu", x->feature);
    z->name = strdup(x->name ? x->name : dflt);
    json_t *jkind = json_is_object(props) ? json_object_get(props, "kind") : NULL;
    if (json_is_string(jkind))
        z->kind = strdup(json_string_value(jkind));
    json_t *jconcern = json_is_object(props) ? json_object_get(props, "concern") : NULL;
    z->concern = json_is_true(jconcern);
    if (!z->name || (json_is_string(jkind) && !z->kind)) {
        if (x->err)
            pel_fail(x->err, PEL_ERR_NOMEM, "%s: out of memory", x->path);
        return PEL_ERR_NOMEM;
    }
    json_t *jpolicy = json_is_object(props) ? json_object_get(props, "policy") : NULL;
    z->policy = GEO_ZONE_ENTRY; /* none: every entry counts, as before there were policies */
    if (jpolicy && !json_is_null(jpolicy)) {
        const char *pv = json_string_value(jpolicy);
        if (!pv)
            return zfail(x, "properties.policy is not a string (\"entry\" or \"dwell\")");
        if (!strcmp(pv, "dwell"))
            z->policy = GEO_ZONE_DWELL;
        else if (strcmp(pv, "entry") != 0)
            return zfail(x, "properties.policy \"%.30s\" is neither \"entry\" nor \"dwell\"", pv);
    }
    json_t *g = json_object_get(f, "geometry");
    if (!json_is_object(g))
        return zfail(x, "no geometry (a zone needs a Polygon or MultiPolygon)");
    const char *gt = json_string_value(json_object_get(g, "type"));
    json_t *coords = json_object_get(g, "coordinates");
    bool multi;
    if (gt && strcmp(gt, "Polygon") == 0)
        multi = false;
    else if (gt && strcmp(gt, "MultiPolygon") == 0)
        multi = true;
    else
        return zfail(x, "geometry type \"%.30s\" is not Polygon or MultiPolygon", gt ? gt : "(none)");
    if (!json_is_array(coords))
        return zfail(x, "%s coordinates are not an array", gt);
    size_t np = multi ? json_array_size(coords) : 1;
    if (np == 0)
        return zfail(x, "MultiPolygon has no polygons");
    z->p = calloc(np, sizeof *z->p);
    if (!z->p) {
        if (x->err)
            pel_fail(x->err, PEL_ERR_NOMEM, "%s: out of memory", x->path);
        return PEL_ERR_NOMEM;
    }
    for (size_t i = 0; i < np; i++) {
        pel_status st = read_poly(x, multi ? json_array_get(coords, i) : coords, i + 1, &z->p[i]);
        z->np = i + 1;
        if (st != PEL_OK)
            return st;
        if (i == 0) {
            z->x0 = z->p[0].x0, z->y0 = z->p[0].y0, z->x1 = z->p[0].x1, z->y1 = z->p[0].y1;
        } else {
            z->x0 = fmin(z->x0, z->p[i].x0), z->y0 = fmin(z->y0, z->p[i].y0);
            z->x1 = fmax(z->x1, z->p[i].x1), z->y1 = fmax(z->y1, z->p[i].y1);
        }
    }
    return PEL_OK;
}

pel_status geo_zones_load(const char *path, geo_zones **out, pel_error *err) {
    *out = NULL;
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        FILE *probe = fopen(path, "rb");
        if (!probe)
            return pel_fail(err, PEL_ERR_IO, "%s: %s", path, strerror(errno));
        fclose(probe);
        return pel_fail(err, PEL_ERR_FORMAT, "%s:%d:%d: not JSON: %s", path, je.line, je.column, je.text);
    }
    pel_status st = PEL_OK;
    const char *type = json_is_object(root) ? json_string_value(json_object_get(root, "type")) : NULL;
    json_t *feats = json_is_object(root) ? json_object_get(root, "features") : NULL;
    geo_zones *z = NULL;
    if (!type || strcmp(type, "FeatureCollection") != 0)
        st = pel_fail(err, PEL_ERR_FORMAT, "%s: not a GeoJSON FeatureCollection (type is \"%.30s\")", path,
                      type ? type : "(none)");
    else if (!json_is_array(feats))
        st = pel_fail(err, PEL_ERR_FORMAT, "%s: the FeatureCollection has no \"features\" array", path);
    else if (json_array_size(feats) > (size_t)INT32_MAX)
        st = pel_fail(err, PEL_ERR_FORMAT, "%s: too many features", path);
    else if (!(z = calloc(1, sizeof *z)) ||
             (json_array_size(feats) && !(z->z = calloc(json_array_size(feats), sizeof *z->z))))
        st = pel_fail(err, PEL_ERR_NOMEM, "%s: out of memory", path);
    for (size_t i = 0; st == PEL_OK && i < json_array_size(feats); i++) {
        zctx x = {.path = path, .feature = i + 1, .err = err};
        st = read_feature(&x, json_array_get(feats, i), &z->z[i]);
        z->n = (int)i + 1; /* freed by geo_zones_free even when incomplete */
    }
    json_decref(root);
    if (st != PEL_OK) {
        geo_zones_free(z);
        return st;
    }
    *out = z;
    return PEL_OK;
}

/* Even-odd crossing test of one ring (x = lon, y = lat). */
static bool ring_crosses(const ring *r, double x, double y) {
    bool in = false;
    const double *p = r->xy;
    for (size_t i = 0; i + 1 < r->n; i++) {
        double xi = p[2 * i], yi = p[2 * i + 1], xj = p[2 * i + 2], yj = p[2 * i + 3];
        if ((yi > y) != (yj > y) && x < xi + (y - yi) * (xj - xi) / (yj - yi))
            in = !in;
    }
    return in;
}

bool geo_zone_contains(const geo_zones *z, int i, double lat, double lon) {
    if (!z || i < 0 || i >= z->n || !isfinite(lat) || !isfinite(lon))
        return false;
    const zone *q = &z->z[i];
    if (lon < q->x0 || lon > q->x1 || lat < q->y0 || lat > q->y1)
        return false;
    for (size_t k = 0; k < q->np; k++) {
        const poly *p = &q->p[k];
        if (lon < p->x0 || lon > p->x1 || lat < p->y0 || lat > p->y1)
            continue;
        bool in = false;
        for (size_t j = 0; j < p->nr; j++)
            in ^= ring_crosses(&p->r[j], lon, lat);
        if (in)
            return true;
    }
    return false;
}

int geo_zones_at(const geo_zones *z, double lat, double lon, int *out, int cap) {
    int n = 0;
    if (!z || !out)
        return 0;
    for (int i = 0; i < z->n && n < cap; i++)
        if (geo_zone_contains(z, i, lat, lon))
            out[n++] = i;
    return n;
}

/* ---- MID table ------------------------------------------------------------ */

#define MID_MIN 200
#define MID_MAX 799

typedef struct mid_entry {
    char iso2[3];
    char iso3[4];
    char *name;
} mid_entry;

struct geo_mid {
    mid_entry e[MID_MAX - MID_MIN + 1]; /* iso2[0] == 0: not allocated */
};

void geo_mid_free(geo_mid *m) {
    if (!m)
        return;
    for (size_t i = 0; i < sizeof m->e / sizeof m->e[0]; i++)
        free(m->e[i].name);
    free(m);
}

static bool upper_letters(const char *s, size_t n) {
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return false;
    return true;
}

pel_status geo_mid_load(const char *path, geo_mid **out, pel_error *err) {
    *out = NULL;
    char *text;
    textcsv c;
    pel_status st = csv_open(path, &text, &c, err);
    if (st != PEL_OK)
        return st;
    int cm = csv_column(&c, "mid"), c2 = csv_column(&c, "iso2"), c3 = csv_column(&c, "iso3"),
        cn = csv_column(&c, "name");
    if (c2 < 0)
        c2 = csv_column(&c, "iso3166_alpha2");
    if (c3 < 0)
        c3 = csv_column(&c, "iso3166_alpha3");
    size_t nhead = c.nf;
    geo_mid *m = calloc(1, sizeof *m);
    if (!m)
        st = pel_fail(err, PEL_ERR_NOMEM, "%s: out of memory", path);
    else if (cm < 0 || c2 < 0)
        st = pel_fail(err, PEL_ERR_FORMAT, "%s: the header must name the columns mid and iso2", path);
    while (st == PEL_OK) {
        int r = textcsv_next(&c);
        uint64_t line = c.rec_line;
        if (r == 0)
            break;
        if (r < 0) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: %s", path, (unsigned long long)c.err_line, c.why);
            break;
        }
        if (c.nf != nhead) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: %zu fields, the header has %zu", path,
                          (unsigned long long)line, c.nf, nhead);
            break;
        }
        const char *sm = textcsv_get(&c, (size_t)cm), *s2 = textcsv_get(&c, (size_t)c2);
        const char *s3 = c3 >= 0 ? textcsv_get(&c, (size_t)c3) : "", *sn = cn >= 0 ? textcsv_get(&c, (size_t)cn) : "";
        unsigned mid = 0;
        bool ok = strlen(sm) == 3;
        for (int k = 0; k < 3 && ok; k++) {
            ok = sm[k] >= '0' && sm[k] <= '9';
            mid = mid * 10 + (unsigned)(sm[k] - '0');
        }
        if (!ok || mid < 201 || mid > MID_MAX) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: mid \"%.20s\" is not a ship MID (201..799)", path,
                          (unsigned long long)line, sm);
            break;
        }
        if (!upper_letters(s2, 2) || (*s3 && !upper_letters(s3, 3))) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: MID %u: bad ISO 3166 code \"%.20s\"", path,
                          (unsigned long long)line, mid, upper_letters(s2, 2) ? s3 : s2);
            break;
        }
        mid_entry *e = &m->e[mid - MID_MIN];
        if (e->iso2[0]) {
            st = pel_fail(err, PEL_ERR_FORMAT, "%s:%llu: MID %u given twice", path, (unsigned long long)line, mid);
            break;
        }
        memcpy(e->iso2, s2, 3);
        if (*s3)
            memcpy(e->iso3, s3, 4);
        if (*sn && !(e->name = strdup(sn)))
            st = pel_fail(err, PEL_ERR_NOMEM, "%s: out of memory", path);
    }
    textcsv_free(&c);
    free(text);
    if (st != PEL_OK) {
        geo_mid_free(m);
        return st;
    }
    *out = m;
    return PEL_OK;
}

bool geo_mid_country(const geo_mid *m, uint32_t mmsi, char iso2[3]) {
    if (!m || mmsi < 200000000u || mmsi > 799999999u)
        return false;
    const mid_entry *e = &m->e[mmsi / 1000000u - MID_MIN];
    if (!e->iso2[0])
        return false;
    memcpy(iso2, e->iso2, 3);
    return true;
}

const char *geo_mid_name(const geo_mid *m, unsigned mid) {
    if (!m || mid < MID_MIN || mid > MID_MAX)
        return NULL;
    return m->e[mid - MID_MIN].name;
}

/* Letters only, upper case: "Korea, North" -> "KOREANORTH". */
static void country_key(const char *s, char *out, size_t cap) {
    size_t n = 0;
    for (; s && *s && n + 1 < cap; s++) {
        char c = *s;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c >= 'A' && c <= 'Z')
            out[n++] = c;
    }
    out[n] = 0;
}

bool geo_country_iso2(const geo_mid *m, const char *name, char iso2[3]) {
    if (!m || !name)
        return false;
    char key[64];
    country_key(name, key, sizeof key);
    if (!key[0])
        return false;
    /* the spellings sanctions lists use that the MID table words otherwise */
    // clang-format off
    static const struct { const char *key, *iso2; } alias[] = {
        {"KOREANORTH", "KP"}, {"NORTHKOREA", "KP"}, {"DPRK", "KP"}, {"KOREADEMOCRATICPEOPLESREPUBLICOF", "KP"},
        {"KOREASOUTH", "KR"}, {"SOUTHKOREA", "KR"}, {"REPUBLICOFKOREA", "KR"}, {"KOREAREPUBLICOF", "KR"},
        {"RUSSIANFEDERATION", "RU"}, {"IRANISLAMICREPUBLICOF", "IR"}, {"SYRIA", "SY"}, {"VIETNAM", "VN"},
        {"GABON", "GA"}, {"TOGO", "TG"}, {"TANZANIAUNITEDREPUBLICOF", "TZ"}, {"UNITEDSTATES", "US"}, {"USA", "US"},
        {"UNITEDKINGDOM", "GB"}, {"UK", "GB"}, {"STVINCENTANDTHEGRENADINES", "VC"}, {"STKITTSANDNEVIS", "KN"},
        {"STLUCIA", "LC"}, {"LAOS", "LA"}, {"BRUNEI", "BN"}, {"COTEDIVOIRE", "CI"}, {"CAPEVERDE", "CV"},
        {"MICRONESIAFEDERATEDSTATESOF", "FM"}, {"MOLDOVAREPUBLICOF", "MD"}, {"BOLIVIAPLURINATIONALSTATEOF", "BO"},
        {"VENEZUELABOLIVARIANREPUBLICOF", "VE"}, {"TURKIYE", "TR"}, {"TUNISIA", "TN"}, {"SOMALIA", "SO"},
        {"QATAR", "QA"}, {"KYRGYZSTAN", "KG"}, {"SLOVAKIA", "SK"}, {"CZECHIA", "CZ"}, {"NORTHMACEDONIA", "MK"},
        {"ESWATINI", "SZ"}, {"DEMOCRATICREPUBLICOFCONGO", "CD"}, {"CONGODEMOCRATICREPUBLICOFTHE", "CD"},
        {"PALESTINE", "PS"}, {"HONGKONGCHINA", "HK"}, {"TAIWANPROVINCEOFCHINA", "TW"}, {"CURACAO", "CW"},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (!strcmp(alias[i].key, key)) {
            memcpy(iso2, alias[i].iso2, 3);
            return true;
        }
    /* a code ("kp", "PRK") or the table's own name */
    for (size_t i = 0; i < sizeof m->e / sizeof m->e[0]; i++) {
        const mid_entry *e = &m->e[i];
        if (!e->iso2[0])
            continue;
        char nk[64] = "";
        country_key(e->name, nk, sizeof nk);
        if (!strcmp(key, e->iso2) || (e->iso3[0] && !strcmp(key, e->iso3)) || (nk[0] && !strcmp(key, nk))) {
            memcpy(iso2, e->iso2, 3);
            return true;
        }
    }
    return false;
}
