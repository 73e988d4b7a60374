/*
 * scan_geo.c -- the geography of a scan (scan_geo.h): the files of data/
 * loaded once, and the det_geo callbacks the detectors call for every
 * position (nearest port, zones at a point) and vessel (MID allocated).
 *
 * The land mask (data/web/vendor/land-50m.json, the Natural Earth land the
 * report draws, rasterised at 2 arc minutes by geo/land.c in about 40 ms)
 * is the spoofing detector's: positions far inland, legs across land.
 *
 * Limits: the nearest-port search over the whole list (port_dist) is the
 * encounter's, loitering's and the gap's; port visits, which ask for every
 * position, look only a few kilometres around (port_within), which stays
 * cheap in the open sea.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"
#include "scan_geo.h"

struct scan_geo {
    geo_ports *ports;
    geo_zones *zones;
    geo_mid *mid;
    geo_land *land;
    uint64_t print; /* FNV-1a of the four files' bytes (scan_geo_print) */
};

/* Folds the bytes of the file at path into the FNV-1a hash *h (a file that
 * cannot be read folds its name: its loader has said why already). */
static void hash_file(const char *path, uint64_t *h) {
    FILE *f = fopen(path, "rb");
    unsigned char buf[65536];
    size_t n;
    if (!f) {
        for (const char *c = path; *c; c++)
            *h = (*h ^ (unsigned char)*c) * 1099511628211u;
        return;
    }
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t i = 0; i < n; i++)
            *h = (*h ^ buf[i]) * 1099511628211u;
    fclose(f);
}

static double port_dist(void *ud, double lat, double lon, int *port) {
    scan_geo *g = ud;
    double d = INFINITY;
    int i = geo_port_nearest(g->ports, lat, lon, &d);
    if (port)
        *port = i;
    return i < 0 ? INFINITY : d;
}

static double port_within(void *ud, double lat, double lon, double max_m, int *port) {
    scan_geo *g = ud;
    int idx;
    double d;
    if (geo_port_within(g->ports, lat, lon, max_m, &idx, &d, 1) < 1) {
        if (port)
            *port = -1;
        return INFINITY;
    }
    if (port)
        *port = idx;
    return d;
}

static const char *port_name(void *ud, int i) {
    return geo_port_name(((scan_geo *)ud)->ports, i);
}

static int port_concern(void *ud, int i) {
    return geo_port_concern(((scan_geo *)ud)->ports, i);
}

static int zones_at(void *ud, double lat, double lon, int *out, int cap) {
    return geo_zones_at(((scan_geo *)ud)->zones, lat, lon, out, cap);
}

static const char *zone_name(void *ud, int i) {
    return geo_zone_name(((scan_geo *)ud)->zones, i);
}

static bool zone_dwell(void *ud, int i) {
    return geo_zone_policy_of(((scan_geo *)ud)->zones, i) == GEO_ZONE_DWELL;
}

static bool mid_ok(void *ud, uint32_t mmsi) {
    char iso[3];
    scan_geo *g = ud;
    unsigned first = mmsi / 100000000;
    if (first < 2 || first > 7)
        return true; /* not a ship MMSI form: not judged here */
    return geo_mid_country(g->mid, mmsi, iso);
}

static bool land_inland(void *ud, double lat, double lon, double km) {
    return geo_land_inland(((scan_geo *)ud)->land, lat, lon, km);
}

static double land_depth(void *ud, double lat, double lon, double max_km) {
    return geo_land_depth_km(((scan_geo *)ud)->land, lat, lon, max_km);
}

static double land_crossing(void *ud, double lat1, double lon1, double lat2, double lon2, double margin_km) {
    return geo_land_crossing_inland_km(((scan_geo *)ud)->land, lat1, lon1, lat2, lon2, margin_km);
}

static double sea_route(void *ud, double lat1, double lon1, double lat2, double lon2, double margin_km, double max_km) {
    return geo_land_sea_route_km(((scan_geo *)ud)->land, lat1, lon1, lat2, lon2, margin_km, max_km);
}

static char *join(const char *dir, const char *file) {
    size_t n = strlen(dir) + strlen(file) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", dir, file);
    return s;
}

pel_status scan_geo_load(const char *data_dir, const char *zones_path, scan_geo **out, pel_error *err) {
    *out = NULL;
    scan_geo *g = calloc(1, sizeof *g);
    if (!g)
        return PEL_ERR_NOMEM;
    const char *dir = geo_data_dir(data_dir);
    char *pp = join(dir, "ports.csv"), *zp = zones_path ? NULL : join(dir, "zones.geojson"), *mp = join(dir, "mid.csv"),
         *lp = join(dir, "web/vendor/land-50m.json");
    pel_status st = PEL_OK;
    if (!pp || !mp || !lp || (!zones_path && !zp))
        st = PEL_ERR_NOMEM;
    if (st == PEL_OK)
        st = geo_ports_load(pp, &g->ports, err);
    if (st == PEL_OK)
        st = geo_zones_load(zones_path ? zones_path : zp, &g->zones, err);
    if (st == PEL_OK)
        st = geo_mid_load(mp, &g->mid, err);
    if (st == PEL_OK)
        st = geo_land_load(lp, &g->land, err);
    if (st == PEL_OK) {
        g->print = 14695981039346656037u;
        hash_file(pp, &g->print);
        hash_file(zones_path ? zones_path : zp, &g->print);
        hash_file(mp, &g->print);
        hash_file(lp, &g->print);
    }
    free(pp);
    free(zp);
    free(mp);
    free(lp);
    if (st != PEL_OK)
        scan_geo_free(g);
    else
        *out = g;
    return st;
}

uint64_t scan_geo_print(const scan_geo *g) {
    return g->print;
}

det_geo scan_geo_det(scan_geo *g) {
    return (det_geo){.port_dist_m = port_dist,
                     .port_within_m = port_within,
                     .port_name = port_name,
                     .port_concern = port_concern,
                     .zones_at = g->zones ? zones_at : NULL,
                     .zone_name = zone_name,
                     .zone_dwell = zone_dwell,
                     .mid_ok = g->mid ? mid_ok : NULL,
                     .land_inland = g->land ? land_inland : NULL,
                     .land_depth_km = g->land ? land_depth : NULL,
                     .land_crossing_km = g->land ? land_crossing : NULL,
                     .sea_route_km = g->land ? sea_route : NULL,
                     .ud = g};
}

const struct geo_mid *scan_geo_mid(const scan_geo *g) {
    return g ? g->mid : NULL;
}

void scan_geo_free(scan_geo *g) {
    if (!g)
        return;
    geo_ports_free(g->ports);
    geo_zones_free(g->zones);
    geo_mid_free(g->mid);
    geo_land_free(g->land);
    free(g);
}
