/*
 * unit_geo.c -- unit tests of the geography module (src/geo): the shipped
 * data files (data/ports.csv, data/zones.geojson, data/mid.csv), the
 * nearest-port index against a linear scan, zone containment, and the
 * errors for malformed inputs (tests/data/geo/).  Run from the repository
 * root.  Prints one line per failure and "unit_geo: N passed, M failed".
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "geo/geo.h"
#include "pelorus.h"
#include "track/trk.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#include "check.h"
#include "geo/cell.h"

#define NOM (sizeof cases / sizeof cases[0])

/* The World Port Index rows plus the hand-added ones (data/ports.README). */
#define WPI_ROWS 3831
#define HAND_ROWS 1

/* A point d metres from (lat, lon) on bearing b degrees (spherical). */
static void dest(double lat, double lon, double d, double b, double *la, double *lo) {
    const double k = M_PI / 180, dd = d / GEO_EARTH_RADIUS_M;
    double p1 = lat * k, t = b * k;
    double p2 = asin(sin(p1) * cos(dd) + cos(p1) * sin(dd) * cos(t));
    *la = p2 / k;
    *lo = lon + atan2(sin(t) * sin(dd) * cos(p1), cos(dd) - sin(p1) * sin(p2)) / k;
}

static int find_port(const geo_ports *p, const char *name) {
    for (int i = 0; i < geo_ports_count(p); i++)
        if (strcmp(geo_port_name(p, i), name) == 0)
            return i;
    return -1;
}

/* xorshift64*: the same points on every run */
static uint64_t rng = 0x9E3779B97F4A7C15u;
static double uniform(void) {
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717u) >> 11) / 9007199254740992.0;
}

static int brute_nearest(const geo_ports *p, double lat, double lon, double *d) {
    int best = -1;
    *d = INFINITY;
    for (int i = 0; i < geo_ports_count(p); i++) {
        const geo_port *q = geo_port_get(p, i);
        double x = geo_distance_m(lat, lon, q->lat, q->lon);
        if (x < *d) {
            *d = x;
            best = i;
        }
    }
    return best;
}

/* ---- the shipped port list ------------------------------------------------ */

static void test_ports_file(geo_ports *p) {
    CHECK(geo_ports_count(p) == WPI_ROWS + HAND_ROWS, "ports.csv rows: %d", geo_ports_count(p));
    static const struct {
        const char *name;
        double lat, lon;
        int concern;
    } cases[] = {
        {"Nampo", 38.716667, 125.4, 1},
        {"Kyomip'o", 38.733333, 125.616667, 1},
        {"Najin", 42.233333, 130.3, 1},
        {"Vostochnyy", 42.75, 133.083333, 1},
        {"Vladivostok", 43.108889, 131.888333, 1},
        {"Zarubino", 42.633333, 131.083333, 1},
        {"Bolshoy Kamen", 43.116667, 132.35, 1},
        {"Busan", 35.083333, 129.05, 0},
        {"Dalian", 38.933333, 121.65, 0},
        {"Rotterdam", 51.9, 4.483333, 0},
    };
    for (size_t i = 0; i < NOM; i++) {
        int k = find_port(p, cases[i].name);
        const geo_port *q = geo_port_get(p, k);
        CHECK(q != NULL, "port %s present", cases[i].name);
        if (!q)
            continue;
        CHECK(geo_port_concern(p, k) == cases[i].concern, "%s concern %d", cases[i].name, geo_port_concern(p, k));
        CHECK(fabs(q->lat - cases[i].lat) < 0.02 && fabs(q->lon - cases[i].lon) < 0.02, "%s at %f,%f", cases[i].name,
              q->lat, q->lon);
    }
    /* exactly the ports of concern listed in data/ports.README */
    static const char *const concern[] = {
        "Kyomip'o",  "Nampo",       "Haeju Hang",      "Wonsan",     "Ch'aho",   "Hungnam",
        "Kimch'aek", "Ch'ongjin",   "Najin",           "Senbong",    "Pos'yet",  "Zarubino",
        "Slavyanka", "Vladivostok", "Bukhta Gaydamak", "Vostochnyy", "Nakhodka", "Bolshoy Kamen",
    };
    int nconcern = 0;
    for (int i = 0; i < geo_ports_count(p); i++)
        nconcern += geo_port_concern(p, i);
    CHECK(nconcern == (int)(sizeof concern / sizeof concern[0]), "ports of concern: %d", nconcern);
    for (size_t i = 0; i < sizeof concern / sizeof concern[0]; i++)
        CHECK(geo_port_concern(p, find_port(p, concern[i])) == 1, "%s of concern", concern[i]);
    int nk = 0;
    for (int i = 0; i < geo_ports_count(p); i++)
        if (strcmp(geo_port_get(p, i)->country, "North Korea") == 0) {
            nk++;
            CHECK(geo_port_concern(p, i), "North Korean %s of concern", geo_port_name(p, i));
        }
    CHECK(nk == 10, "North Korean ports: %d", nk);
    const geo_port *nampo = geo_port_get(p, find_port(p, "Nampo"));
    CHECK(nampo && strcmp(nampo->wpi, "60280") == 0 && strcmp(nampo->unlocode, "KPNAM") == 0 &&
              strcmp(nampo->alt_name, "Chinnampo") == 0 && !*nampo->source,
          "Nampo's fields");
    const geo_port *bk = geo_port_get(p, find_port(p, "Bolshoy Kamen"));
    CHECK(bk && !*bk->wpi && strstr(bk->source, "Wikipedia"), "Bolshoy Kamen is hand-added with a source");
    /* a quoted field with a comma survives */
    int sh = find_port(p, "Jamestown");
    CHECK(sh >= 0 && strcmp(geo_port_get(p, sh)->country, "Saint Helena, Ascension, and Tristan da Cunha") == 0,
          "quoted country");
    CHECK(geo_port_get(p, -1) == NULL && geo_port_get(p, geo_ports_count(p)) == NULL &&
              geo_port_name(p, 1 << 20) == NULL && geo_port_concern(p, -5) == 0,
          "out-of-range port indices");
}

/* ---- nearest and within --------------------------------------------------- */

static void test_nearest(geo_ports *p) {
    int nampo = find_port(p, "Nampo");
    double la, lo, d;
    dest(38.716667, 125.4, 1000, 250, &la, &lo);
    int i = geo_port_nearest(p, la, lo, &d);
    CHECK(i == nampo && fabs(d - 1000) < 0.5, "1 km off Nampo: %s at %.3f m", geo_port_name(p, i), d);
    i = geo_port_nearest(p, 38.716667, 125.4, &d);
    CHECK(i == nampo && d == 0, "at Nampo: %d %.3f", i, d);

    /* 10,000 random points uniform on the sphere, then the awkward ones: the
     * poles, the antimeridian, cell corners, every port's own position */
    int bad = 0, worst = -1;
    for (int k = 0; k < 10000; k++) {
        double lat = asin(2 * uniform() - 1) * 180 / M_PI, lon = 360 * uniform() - 180, d1, d2;
        int a = geo_port_nearest(p, lat, lon, &d1), b = brute_nearest(p, lat, lon, &d2);
        if (a != b || d1 != d2) {
            if (bad++ < 5)
                printf("  nearest(%f,%f): index %d %.6f m, linear scan %d %.6f m\n", lat, lon, a, d1, b, d2);
            worst = k;
        }
    }
    CHECK(bad == 0, "nearest = linear scan on 10,000 random points (%d differ, last %d)", bad, worst);
    static const double odd[][2] = {
        {90, 0},    {-90, 0},     {89.999, 179.999}, {-89.5, -180}, {0, 180},         {0, -180},     {10, 180},
        {-10, 540}, {38, 125},    {38, 126},         {0, 0},        {-77.85, 166.65}, {64.1, -21.9}, {71, 28},
        {51, -180}, {51, 179.99}, {-60, 0},          {45, -179.5},  {45, 179.5},
    };
    bad = 0;
    for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
        double d1, d2;
        int a = geo_port_nearest(p, odd[k][0], odd[k][1], &d1), b = brute_nearest(p, odd[k][0], odd[k][1], &d2);
        CHECK(a == b && d1 == d2, "nearest(%g,%g): %d %.3f vs %d %.3f", odd[k][0], odd[k][1], a, d1, b, d2);
    }
    for (int k = 0; k < geo_ports_count(p); k++) {
        const geo_port *q = geo_port_get(p, k);
        double d1, d2;
        int a = geo_port_nearest(p, q->lat, q->lon, &d1), b = brute_nearest(p, q->lat, q->lon, &d2);
        if (a != b || d1 != d2 || d1 != 0)
            bad++;
    }
    CHECK(bad == 0, "nearest at each port's own position: %d differ", bad);

    /* within: count and order against the linear scan */
    static const double radii[] = {3000, 50000, 400000};
    bad = 0;
    for (int k = 0; k < 1000; k++) {
        double lat = asin(2 * uniform() - 1) * 180 / M_PI, lon = 360 * uniform() - 180;
        for (size_t r = 0; r < sizeof radii / sizeof radii[0]; r++) {
            int out[8];
            double dist[8];
            int n = geo_port_within(p, lat, lon, radii[r], out, dist, 8), m = 0;
            int want[8];
            double wd[8];
            for (int j = 0; j < geo_ports_count(p); j++) {
                double x = geo_distance_m(lat, lon, geo_port_get(p, j)->lat, geo_port_get(p, j)->lon);
                if (x > radii[r])
                    continue;
                /* insertion into the 8 nearest, ties by index (j ascends) */
                int s = m < 8 ? m : 8;
                while (s > 0 && wd[s - 1] > x)
                    s--;
                if (s < 8) {
                    for (int t = (m < 8 ? m : 7); t > s; t--) {
                        want[t] = want[t - 1];
                        wd[t] = wd[t - 1];
                    }
                    want[s] = j;
                    wd[s] = x;
                }
                m++;
            }
            bool same = n == m;
            for (int j = 0; same && j < (m < 8 ? m : 8); j++)
                same = out[j] == want[j] && dist[j] == wd[j];
            if (!same && bad++ < 3)
                printf("  within(%f,%f,%g): %d ports, linear scan %d\n", lat, lon, radii[r], n, m);
        }
    }
    CHECK(bad == 0, "within = linear scan on 1,000 points x 3 radii (%d differ)", bad);
    int out[4];
    double dist[4];
    int n = geo_port_within(p, 38.72, 125.5, 30000, out, dist, 4);
    CHECK(n == 2 && out[0] == nampo && out[1] == find_port(p, "Kyomip'o") && dist[0] <= dist[1],
          "Nampo and Songnim within 30 km of a point between them: %d", n);
    CHECK(geo_port_within(p, 38.72, 125.5, 30000, out, NULL, 1) == 2 && out[0] == nampo, "within without distances");
    CHECK(geo_port_within(p, 0, -140, 10000, out, dist, 4) == 0, "no port within 10 km mid-Pacific");

    /* bad arguments */
    CHECK(geo_port_nearest(p, NAN, 0, &d) == -1 && isinf(d), "NaN latitude");
    CHECK(geo_port_nearest(p, 91, 0, &d) == -1, "latitude 91");
    CHECK(geo_port_nearest(NULL, 0, 0, &d) == -1 && isinf(d), "no port list");
    CHECK(geo_port_within(p, 0, 0, -1, out, dist, 4) == 0, "negative radius");
}

/* A sparse list (40 ports, some at the poles and on the antimeridian, and two
 * at the same distance from a point): long searches, where the bounds of
 * far rows and columns decide. */
static void test_nearest_sparse(void) {
    geo_ports *p;
    pel_error err = {0};
    if (geo_ports_load("tests/data/geo/ports_sparse.csv", &p, &err) != PEL_OK) {
        CHECK(0, "ports_sparse.csv: %s", err.msg);
        return;
    }
    int bad = 0;
    for (int k = 0; k < 20000; k++) {
        double lat = asin(2 * uniform() - 1) * 180 / M_PI, lon = 360 * uniform() - 180, d1, d2;
        int a = geo_port_nearest(p, lat, lon, &d1), b = brute_nearest(p, lat, lon, &d2);
        if (a != b || d1 != d2) {
            if (bad++ < 5)
                printf("  sparse nearest(%f,%f): index %d %.6f m, linear scan %d %.6f m\n", lat, lon, a, d1, b, d2);
        }
    }
    CHECK(bad == 0, "sparse: nearest = linear scan on 20,000 random points (%d differ)", bad);
    bad = 0;
    for (int k = 0; k < 2000; k++) {
        double lat = asin(2 * uniform() - 1) * 180 / M_PI, lon = 360 * uniform() - 180;
        int out[64];
        double dist[64];
        int n = geo_port_within(p, lat, lon, 3000000, out, dist, 64), m = 0;
        bool same = true;
        for (int j = 0; j < geo_ports_count(p); j++)
            m += geo_distance_m(lat, lon, geo_port_get(p, j)->lat, geo_port_get(p, j)->lon) <= 3000000;
        for (int j = 1; j < n && same; j++)
            same = dist[j - 1] < dist[j] || (dist[j - 1] == dist[j] && out[j - 1] < out[j]);
        if ((n != m || !same) && bad++ < 3)
            printf("  sparse within(%f,%f): %d ports, linear scan %d\n", lat, lon, n, m);
    }
    CHECK(bad == 0, "sparse: within 3,000 km = linear scan on 2,000 points (%d differ)", bad);
    double d;
    int i = geo_port_nearest(p, 10, 100, &d);
    CHECK(i >= 0 && strcmp(geo_port_name(p, i), "TieWest") == 0, "a tie goes to the lower index: %s",
          geo_port_name(p, i));
    geo_ports_free(p);
}

/* ---- distance ------------------------------------------------------------- */

static void test_distance(void) {
    static const struct {
        double lat1, lon1, lat2, lon2, m, tol;
    } cases[] = {
        {0, 0, 0, 1, 111195.08, 0.01},          /* one degree of the equator on this sphere */
        {0, 179.5, 0, -179.5, 111195.08, 0.01}, /* across the antimeridian */
        {90, 0, -90, 0, 20015114.35, 0.1},      /* pole to pole */
        {38.716667, 125.4, 38.716667, 125.4, 0, 0},
    };
    for (size_t i = 0; i < NOM; i++) {
        double d = geo_distance_m(cases[i].lat1, cases[i].lon1, cases[i].lat2, cases[i].lon2);
        CHECK(fabs(d - cases[i].m) <= cases[i].tol, "distance case %zu: %.3f", i, d);
    }
    /* the same sphere as the track stage's distance */
    for (int k = 0; k < 1000; k++) {
        int32_t a = (int32_t)((uniform() * 180 - 90) * PEL_DEG), b = (int32_t)((uniform() * 360 - 180) * PEL_DEG);
        int32_t c = (int32_t)((uniform() * 180 - 90) * PEL_DEG), e = (int32_t)((uniform() * 360 - 180) * PEL_DEG);
        double t = trk_distance_m(a, b, c, e),
               g = geo_distance_m((double)a / PEL_DEG, (double)b / PEL_DEG, (double)c / PEL_DEG, (double)e / PEL_DEG);
        if (fabs(t - g) > 1e-6 * (t + 1)) {
            CHECK(0, "geo_distance_m %.6f vs trk_distance_m %.6f", g, t);
            break;
        }
    }
}

/* ---- small port files: parsing and errors ----------------------------------- */

static void test_ports_parsing(void) {
    geo_ports *p;
    pel_error err = {0};
    pel_status st = geo_ports_load("tests/data/geo/ports_ok.csv", &p, &err);
    CHECK(st == PEL_OK, "ports_ok.csv: %s", err.msg);
    if (st == PEL_OK) {
        CHECK(geo_ports_count(p) == 3, "ports_ok rows %d", geo_ports_count(p));
        CHECK(strcmp(geo_port_name(p, 0), "Port \"X\", Y") == 0, "quoted name: %s", geo_port_name(p, 0));
        CHECK(geo_port_get(p, 0)->lat == 10.5 && geo_port_get(p, 0)->lon == -20.25 && geo_port_concern(p, 0),
              "row 1 values");
        CHECK(strcmp(geo_port_get(p, 0)->wpi, "1") == 0 && !*geo_port_get(p, 0)->country, "absent column is \"\"");
        CHECK(!geo_port_concern(p, 1) && !geo_port_concern(p, 2), "concern 0 and empty");
        double d;
        CHECK(geo_port_nearest(p, 10, 175, &d) == 1, "nearest to (10, 175)");
        CHECK(geo_port_nearest(p, -10, -175, &d) == 1 && fabs(d - geo_distance_m(-10, -175, -10, 170)) < 1e-6,
              "nearest wraps at 180: %.1f", d);
        geo_ports_free(p);
    }
    static const struct {
        const char *file;
        pel_status st;
        const char *want;
    } cases[] = {
        {"bad_ports_quote.csv", PEL_ERR_FORMAT, "bad_ports_quote.csv:2: quote opened here is never closed"},
        {"bad_ports_fields.csv", PEL_ERR_FORMAT, "bad_ports_fields.csv:3: 3 fields, the header has 4"},
        {"bad_ports_lat.csv", PEL_ERR_FORMAT, "bad_ports_lat.csv:3: lat \"north\""},
        {"bad_ports_range.csv", PEL_ERR_FORMAT, "lat \"91\" is not a latitude"},
        {"bad_ports_header.csv", PEL_ERR_FORMAT, "must name the columns name, lat and lon"},
        {"bad_ports_concern.csv", PEL_ERR_FORMAT, "concern \"yes\" is not 0 or 1"},
        {"bad_ports_stray_quote.csv", PEL_ERR_FORMAT, ":2: quote inside an unquoted field"},
        {"no_such_file.csv", PEL_ERR_IO, "no_such_file.csv: No such file"},
    };
    for (size_t i = 0; i < NOM; i++) {
        char path[128];
        snprintf(path, sizeof path, "tests/data/geo/%s", cases[i].file);
        p = (geo_ports *)&err; /* must be reset to NULL */
        memset(&err, 0, sizeof err);
        st = geo_ports_load(path, &p, &err);
        CHECK(st == cases[i].st && err.code == st && p == NULL && strstr(err.msg, cases[i].want),
              "%s: status %d, message \"%s\"", cases[i].file, st, err.msg);
    }
    CHECK(geo_ports_load("tests/data/geo/no_such_file.csv", &p, NULL) == PEL_ERR_IO, "err may be NULL");
    geo_ports_free(NULL);
}

/* ---- zones ----------------------------------------------------------------- */

static int find_zone(const geo_zones *z, const char *prefix) {
    for (int i = 0; i < geo_zones_count(z); i++)
        if (strncmp(geo_zone_name(z, i), prefix, strlen(prefix)) == 0)
            return i;
    return -1;
}

static void test_zones_file(void) {
    geo_zones *z;
    pel_error err = {0};
    pel_status st = geo_zones_load("data/zones.geojson", &z, &err);
    CHECK(st == PEL_OK, "data/zones.geojson: %s", err.msg);
    if (st != PEL_OK)
        return;
    CHECK(geo_zones_count(z) == 12, "zones: %d", geo_zones_count(z));
    int nports = 0, nsts = 0;
    for (int i = 0; i < geo_zones_count(z); i++) {
        CHECK(geo_zone_concern(z, i), "zone %s of concern", geo_zone_name(z, i));
        const char *k = geo_zone_kind(z, i);
        nports += k && strcmp(k, "port_approach") == 0;
        nsts += k && strcmp(k, "sts_area") == 0;
    }
    CHECK(nports == 8 && nsts == 4, "kinds: %d port approaches, %d STS areas", nports, nsts);
    int ndwell = 0;
    for (int i = 0; i < geo_zones_count(z); i++) {
        const char *k = geo_zone_kind(z, i);
        geo_zone_policy p = geo_zone_policy_of(z, i);
        ndwell += p == GEO_ZONE_DWELL;
        CHECK(p == (k && !strcmp(k, "sts_area") ? GEO_ZONE_DWELL : GEO_ZONE_ENTRY), "zone %s: policy %s",
              geo_zone_name(z, i), geo_zone_policy_name(p));
    }
    CHECK(ndwell == 4, "the transfer areas are dwell zones, the port approaches entry zones: %d", ndwell);

    /* every port approach: its centre and 20 km out are inside, 24 km out is
     * not (vertices on the 12 nm = 22.2 km circle, edges 21.8 km out) */
    static const struct {
        const char *zone;
        double lat, lon;
    } ports[] = {
        {"Nampo", 38.716667, 125.4},   {"Songnim", 38.733333, 125.616667}, {"Haeju", 38.0, 125.7},
        {"Wonsan", 39.166667, 127.45}, {"Hungnam", 39.833333, 127.616667}, {"Chongjin", 41.766667, 129.816667},
        {"Rajin", 42.233333, 130.3},   {"Kimchaek", 40.666667, 129.2},
    };
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++) {
        int k = find_zone(z, ports[i].zone);
        CHECK(k >= 0, "zone %s present", ports[i].zone);
        double la, lo;
        CHECK(geo_zone_contains(z, k, ports[i].lat, ports[i].lon), "%s centre inside", ports[i].zone);
        for (int b = 0; b < 360; b += 45) {
            dest(ports[i].lat, ports[i].lon, 20000, b + 11.25, &la, &lo);
            CHECK(geo_zone_contains(z, k, la, lo), "%s 20 km at %d deg inside", ports[i].zone, b);
            dest(ports[i].lat, ports[i].lon, 24000, b + 11.25, &la, &lo);
            CHECK(!geo_zone_contains(z, k, la, lo), "%s 24 km at %d deg outside", ports[i].zone, b);
        }
    }
    static const struct {
        const char *zone;
        double lat, lon;
        bool in;
    } cases[] = {
        {"Korea Bay", 38.8, 124.8, true},
        {"Korea Bay", 39.25, 124.35, true},
        {"Korea Bay", 38.8, 124.2, false},
        {"Korea Bay", 39.5, 124.8, false},
        /* from Shanghai (31.23N 121.474E): distance, bearing */
        {"East China Sea", 31.162, 125.679, true},  /* 400 km, 90 deg */
        {"East China Sea", 32.692, 125.348, true},  /* 400 km, 65 deg */
        {"East China Sea", 29.655, 125.226, true},  /* 400 km, 115 deg */
        {"East China Sea", 31.191, 124.628, false}, /* 300 km, 90 deg */
        {"East China Sea", 31.123, 126.729, false}, /* 500 km, 90 deg */
        {"East China Sea", 33.956, 124.261, false}, /* 400 km, 40 deg */
        {"East China Sea", 28.448, 124.103, false}, /* 400 km, 140 deg */
        {"East Korea Bay", 39.35, 128.05, true},
        {"East Korea Bay", 38.95, 128.55, true},
        {"East Korea Bay", 39.35, 128.7, false},
        {"East Korea Bay", 39.166667, 127.45, false}, /* Wonsan itself: west of the box */
        {"Gulf of Tonkin", 20.6, 107.8, true},
        {"Gulf of Tonkin", 21.4, 106.9, true},
        {"Gulf of Tonkin", 19.5, 107.8, false},
        {"Gulf of Tonkin", 20.6, 109.0, false},
    };
    for (size_t i = 0; i < NOM; i++) {
        int k = find_zone(z, cases[i].zone);
        CHECK(k >= 0 && geo_zone_contains(z, k, cases[i].lat, cases[i].lon) == cases[i].in, "%s (%g, %g) %s",
              cases[i].zone, cases[i].lat, cases[i].lon, cases[i].in ? "inside" : "outside");
    }
    /* zones_at: overlapping zones, in index order */
    int out[16];
    int n = geo_zones_at(z, 38.716667, 125.5, out, 16);
    CHECK(n == 2 && out[0] == find_zone(z, "Nampo") && out[1] == find_zone(z, "Songnim"),
          "between Nampo and Songnim: %d zones", n);
    CHECK(geo_zones_at(z, 38.716667, 125.5, out, 1) == 1 && out[0] == find_zone(z, "Nampo"), "cap respected");
    CHECK(geo_zones_at(z, 51.9, 4.48, out, 16) == 0, "Rotterdam in no zone");
    geo_zones_free(z);
}

static void test_zones_shapes(void) {
    geo_zones *z;
    pel_error err = {0};
    pel_status st = geo_zones_load("tests/data/geo/shapes.geojson", &z, &err);
    CHECK(st == PEL_OK, "shapes.geojson: %s", err.msg);
    if (st != PEL_OK)
        return;
    CHECK(geo_zones_count(z) == 5, "shapes: %d", geo_zones_count(z));
    CHECK(strcmp(geo_zone_name(z, 0), "Square with a hole") == 0, "name 0");
    CHECK(strcmp(geo_zone_name(z, 1), "zone 2") == 0, "unnamed feature: %s", geo_zone_name(z, 1));
    CHECK(strcmp(geo_zone_name(z, 4), "zone 5") == 0, "non-string name: %s", geo_zone_name(z, 4));
    CHECK(geo_zone_concern(z, 2) && !geo_zone_concern(z, 0) && !geo_zone_concern(z, 1), "concern flags");
    CHECK(geo_zone_kind(z, 0) && strcmp(geo_zone_kind(z, 0), "test") == 0 && geo_zone_kind(z, 2) == NULL, "kinds");
    CHECK(geo_zone_name(z, 5) == NULL && geo_zone_name(z, -1) == NULL, "out of range names");
    CHECK(geo_zone_policy_of(z, 0) == GEO_ZONE_DWELL && geo_zone_policy_of(z, 1) == GEO_ZONE_ENTRY &&
              geo_zone_policy_of(z, 2) == GEO_ZONE_ENTRY && geo_zone_policy_of(z, 3) == GEO_ZONE_ENTRY &&
              geo_zone_policy_of(z, 9) == GEO_ZONE_ENTRY && !strcmp(geo_zone_policy_name(GEO_ZONE_DWELL), "dwell"),
          "policies: dwell, none (entry), entry, null (entry)");
    static const struct {
        int zone;
        double lat, lon;
        bool in;
    } cases[] = {
        /* Polygon with a hole */
        {0, 2, 2, true},
        {0, 5, 5, false},
        {0, 8, 5, true},
        {0, 5, 4.5, false},
        {0, 3.9, 5, true},
        {0, 11, 5, false},
        {0, -1, 5, false},
        {0, 5, 10.5, false},
        /* MultiPolygon: first part with a hole, second plain */
        {1, 2, 22, true},
        {1, 5, 25, false},
        {1, 5, 35, false},
        {1, 5, 45, true},
        {1, 9.9, 49.9, true},
        {1, 5, 51, false},
        /* concave L: the notch is outside */
        {2, -18, -18, true},
        {2, -12, -18, true},
        {2, -18, -12, true},
        {2, -12, -12, false},
        {2, -16, -14, true},
        {2, -14, -16, true},
        /* a box ending at 180: not wrapped */
        {3, 52, 179.9, true},
        {3, 52, -179.9, false},
        {3, 52, 169.9, false},
        /* a small triangle in the Southern Ocean */
        {4, -60, 0.5, true},
        {4, -59.2, 0.3, false},
        {4, -60.3, 1.2, false},
    };
    for (size_t i = 0; i < NOM; i++)
        CHECK(geo_zone_contains(z, cases[i].zone, cases[i].lat, cases[i].lon) == cases[i].in,
              "shape %d (%g, %g) should be %s", cases[i].zone, cases[i].lat, cases[i].lon,
              cases[i].in ? "inside" : "outside");
    CHECK(!geo_zone_contains(z, 9, 2, 2) && !geo_zone_contains(z, 0, NAN, 2), "bad zone index, NaN");
    int out[4];
    CHECK(geo_zones_at(z, 2, 2, out, 4) == 1 && out[0] == 0, "zones_at in the square");
    CHECK(geo_zones_at(z, 5, 5, out, 4) == 0, "zones_at in the hole");
    geo_zones_free(z);

    static const struct {
        const char *file;
        pel_status st;
        const char *want;
    } bad[] = {
        {"bad_not_fc.geojson", PEL_ERR_FORMAT, "not a GeoJSON FeatureCollection (type is \"Feature\")"},
        {"bad_no_features.geojson", PEL_ERR_FORMAT, "has no \"features\" array"},
        {"bad_unclosed.geojson", PEL_ERR_FORMAT,
         "feature 2 (\"Open ring\"): polygon 1, ring 1 is not closed (first [0, 0], last [0, 1])"},
        {"bad_nonnumeric.geojson", PEL_ERR_FORMAT,
         "feature 1 (\"Text coordinate\"): polygon 1, ring 1, position 3: coordinate is not a number"},
        {"bad_few_points.geojson", PEL_ERR_FORMAT, "feature 1 (\"Segment\"): polygon 1, ring 1 has too few points (3;"},
        {"bad_hole_few_points.geojson", PEL_ERR_FORMAT,
         "feature 1 (\"Bad hole\"): polygon 2, ring 2 has too few points"},
        {"bad_geom_type.geojson", PEL_ERR_FORMAT,
         "feature 1 (\"A line\"): geometry type \"LineString\" is not Polygon or MultiPolygon"},
        {"bad_no_geometry.geojson", PEL_ERR_FORMAT, "feature 1 (\"Nowhere\"): no geometry"},
        {"bad_json.geojson", PEL_ERR_FORMAT, "bad_json.geojson:4:"},
        {"bad_range.geojson", PEL_ERR_FORMAT, "feature 1 (\"Beyond the pole\"): polygon 1, ring 1, position 2"},
        {"bad_position.geojson", PEL_ERR_FORMAT, "feature 1: polygon 1, ring 1, position 2 is not [lon, lat]"},
        {"bad_feature_type.geojson", PEL_ERR_FORMAT, "feature 1: type is \"Point\", not \"Feature\""},
        {"bad_multi_empty.geojson", PEL_ERR_FORMAT, "feature 1 (\"Empty multi\"): MultiPolygon has no polygons"},
        {"bad_policy.geojson", PEL_ERR_FORMAT,
         "feature 2 (\"Stay box\"): properties.policy \"stay\" is neither \"entry\" nor \"dwell\""},
        {"bad_policy_type.geojson", PEL_ERR_FORMAT,
         "feature 1 (\"Boolean policy\"): properties.policy is not a string (\"entry\" or \"dwell\")"},
        {"no_such_file.geojson", PEL_ERR_IO, "no_such_file.geojson: No such file"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "tests/data/geo/%s", bad[i].file);
        z = (geo_zones *)&err; /* must be reset to NULL */
        memset(&err, 0, sizeof err);
        st = geo_zones_load(path, &z, &err);
        CHECK(st == bad[i].st && err.code == st && z == NULL && strstr(err.msg, bad[i].want),
              "%s: status %d, message \"%s\"", bad[i].file, st, err.msg);
    }
    CHECK(geo_zones_at(NULL, 0, 0, out, 4) == 0 && geo_zones_count(NULL) == 0, "NULL zones");
    geo_zones_free(NULL);
}

/* ---- MID table ------------------------------------------------------------------ */

static void test_mid(void) {
    geo_mid *m;
    pel_error err = {0};
    pel_status st = geo_mid_load("data/mid.csv", &m, &err);
    CHECK(st == PEL_OK, "data/mid.csv: %s", err.msg);
    if (st != PEL_OK)
        return;
    static const struct {
        uint32_t mmsi;
        const char *iso2; /* NULL: no country */
    } cases[] = {
        {445123456, "KP"}, {273345678, "RU"}, {412000001, "CN"},   {413999999, "CN"}, {440123456, "KR"},
        {441123456, "KR"}, {416000000, "TW"}, {477123456, "HK"},   {511123456, "PW"}, {667123456, "SL"},
        {775123456, "VE"}, {201000000, "AL"}, {636123456, "LR"},   {538000000, "MH"}, {471123456, "AE"},
        {334123456, "HN"}, {550123456, "TL"}, {3669999, NULL}, /* 00MIDxxxx coast station (003669999) */
        {4450001, NULL},                                       /* 00MID coast station of the DPRK */
        {44512345, NULL},                                      /* 0MIDxxxxx group call */
        {111445123, NULL},                                     /* 111MID SAR aircraft */
        {984451234, NULL},                                     /* 98MID craft associated with a parent ship */
        {994451234, NULL},                                     /* 99MID aid to navigation */
        {970123456, NULL},                                     /* AIS-SART */
        {200123456, NULL},                                     /* MID 200: not allocated */
        {799999999, NULL},                                     /* MID 799: not allocated */
        {800000000, NULL}, {0, NULL},         {4294967295u, NULL},
    };
    for (size_t i = 0; i < NOM; i++) {
        char iso[3] = "--";
        bool ok = geo_mid_country(m, cases[i].mmsi, iso);
        if (cases[i].iso2)
            CHECK(ok && strcmp(iso, cases[i].iso2) == 0, "MMSI %09u -> %s, got %s", cases[i].mmsi, cases[i].iso2,
                  ok ? iso : "none");
        else
            CHECK(!ok && strcmp(iso, "--") == 0, "MMSI %09u has no country, got %s", cases[i].mmsi, iso);
    }
    CHECK(geo_mid_name(m, 445) && strcmp(geo_mid_name(m, 445), "Democratic People's Republic of Korea") == 0,
          "name of 445");
    CHECK(geo_mid_name(m, 200) == NULL && geo_mid_name(m, 1000) == NULL, "names of unallocated MIDs");
    int allocated = 0;
    for (unsigned mid = 200; mid <= 799; mid++)
        allocated += geo_mid_name(m, mid) != NULL;
    CHECK(allocated == 293, "MIDs in the table: %d", allocated);
    geo_mid_free(m);

    static const struct {
        const char *file;
        const char *want;
    } bad[] = {
        {"bad_mid_dup.csv", "bad_mid_dup.csv:3: MID 445 given twice"},
        {"bad_mid_code.csv", "bad_mid_code.csv:2: mid \"045\" is not a ship MID"},
        {"ports_ok.csv", "must name the columns mid and iso2"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "tests/data/geo/%s", bad[i].file);
        memset(&err, 0, sizeof err);
        st = geo_mid_load(path, &m, &err);
        CHECK(st == PEL_ERR_FORMAT && m == NULL && strstr(err.msg, bad[i].want), "%s: \"%s\"", bad[i].file, err.msg);
    }
    char iso[3];
    CHECK(!geo_mid_country(NULL, 445123456, iso), "NULL table");
    geo_mid_free(NULL);
}

/* ---- land mask ------------------------------------------------------------------ */

static void test_land(void) {
    geo_land *g = NULL;
    pel_error err = {0};
    pel_status st = geo_land_load("data/web/vendor/land-50m.json", &g, &err);
    CHECK(st == PEL_OK, "land-50m.json: %s", err.msg);
    if (st != PEL_OK)
        return;
    // clang-format off
    static const struct { const char *name; double lat, lon; bool land, inland; } pts[] = {
        {"Pyongyang", 39.03, 125.75, true, true},     {"Moscow", 55.75, 37.6, true, true},
        {"central Sahara", 23, 12, true, true},       {"Antarctica", -80, 0, true, true},
        {"Yellow Sea", 37, 124, false, false},        {"Korea Bay", 39.0, 124.5, false, false},
        {"off Nampo", 38.72, 125.30, false, false},   {"mid-Atlantic", 30, -40, false, false},
        {"Pacific at 180", 10, 180, false, false},    {"Pacific at -180", 10, -180, false, false},
        {"Strait of Hormuz", 26.5, 56.4, false, false},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        CHECK(geo_land_at(g, pts[i].lat, pts[i].lon) == pts[i].land, "%s: land %d", pts[i].name, pts[i].land);
        CHECK(geo_land_inland(g, pts[i].lat, pts[i].lon, 10) == pts[i].inland, "%s: 10 km inland %d", pts[i].name,
              pts[i].inland);
    }
    /* the coast itself is land or sea, but never 10 km inland */
    CHECK(!geo_land_inland(g, 38.74, 125.38, 10), "Nampo's waterfront is not 10 km inland");
    /* a straight leg from Korea Bay to the East Sea crosses the peninsula;
     * one along the Yellow Sea does not */
    double k = geo_land_crossing_km(g, 38.72, 125.2, 39.17, 127.6);
    CHECK(k > 150 && k < 260, "Korea Bay -> Wonsan crosses about 200 km of land, got %.0f", k);
    CHECK(geo_land_crossing_km(g, 37.0, 124.0, 35.0, 124.5) == 0, "along the Yellow Sea: no land");
    CHECK(!geo_land_at(NULL, 39.03, 125.75) && !geo_land_at(g, 95, 0) && !geo_land_at(g, 0, 200),
          "no mask or no place: not land");
    /* depth: Pyongyang is tens of km inland, the sea and the coast none */
    double dp = geo_land_depth_km(g, 39.03, 125.75, 200);
    CHECK(dp >= 20 && dp <= 80, "Pyongyang is 20-80 km inland, got %.0f", dp);
    CHECK(geo_land_depth_km(g, 37, 124, 200) == 0 && geo_land_depth_km(NULL, 39.03, 125.75, 200) == 0,
          "the sea, or no mask: 0 km inland");
    CHECK(geo_land_depth_km(g, 23, 12, 50) == 50, "the Sahara: at least the 50 km asked");
    /* the crossing with a margin: the peninsula still, a cape clipped by a
     * kilometre not */
    double ki = geo_land_crossing_inland_km(g, 38.72, 125.2, 39.17, 127.6, 5);
    CHECK(ki > 100 && ki <= k, "Korea Bay -> Wonsan: over 100 km at least 5 km inland, got %.0f of %.0f", ki, k);
    CHECK(geo_land_crossing_inland_km(g, 37.0, 124.0, 35.0, 124.5, 5) == 0, "the Yellow Sea: none inland");
    /* the canals carved back: Suez and Kiel are not inland */
    CHECK(!geo_land_inland(g, 30.58, 32.29, 0.5) && !geo_land_inland(g, 54.10, 9.45, 0.5),
          "Suez at Ismailia, Kiel at Rendsburg: water");
    /* sea routes: around the Korean peninsula is far over 800 km; Incheon to
     * off Nampo by sea is about the straight line */
    double sr = geo_land_sea_route_km(g, 38.72, 125.2, 39.17, 127.6, 5, 800);
    CHECK(isinf(sr) && sr > 0, "Korea Bay -> Wonsan: no sea route of 800 km, got %.0f", sr);
    sr = geo_land_sea_route_km(g, 38.72, 125.2, 39.17, 127.6, 5, 2500);
    CHECK(sr > 1000 && sr < 2500, "Korea Bay -> Wonsan by sea: 1000-2500 km, got %.0f", sr);
    double sd = geo_distance_m(37.3, 125.9, 38.5, 124.9) / 1000;
    sr = geo_land_sea_route_km(g, 37.3, 125.9, 38.5, 124.9, 5, 400);
    CHECK(sr >= sd && sr < sd * 1.3, "off Incheon -> off Nampo: about the straight %.0f km, got %.0f", sd, sr);
    CHECK(isnan(geo_land_sea_route_km(NULL, 37, 124, 35, 124.5, 5, 400)) &&
              isnan(geo_land_sea_route_km(g, 10, 179, 10, -179, 5, 400)),
          "no mask, or across the antimeridian: not judged");
    geo_land_free(g);
    geo_land_free(NULL);
    CHECK(geo_land_load("tests/data/geo/no-such.json", &g, &err) != PEL_OK && g == NULL, "a missing file fails");
}

/* the coverage map's cells (geo/cell.h) */
static void test_cells(void) {
    for (int b = 0; b < GEO_CELL_BANDS; b++) {
        double mid = -90.0 + (b + 0.5) * 0.125;
        long n = lround(2880 * cos(mid * M_PI / 180.0));
        CHECK(geo_cell_cols(b) == (n < 1 ? 1 : n), "band %d: %d columns, cos says %ld", b, geo_cell_cols(b), n);
    }
    CHECK(geo_cell_cols(720) == 2880 && geo_cell_cols(-1) == 0 && geo_cell_cols(GEO_CELL_BANDS) == 0,
          "columns at the equator, none out of range");
    /* ids: band * 2880 + column, band 0 at 90 S */
    CHECK(geo_cell_of_deg(0.01, 0.01) == 720u * 2880 + 1440, "0.01N 0.01E: %u", geo_cell_of_deg(0.01, 0.01));
    CHECK(geo_cell_of_deg(-0.01, -0.01) == 719u * 2880 + 1439, "0.01S 0.01W: %u", geo_cell_of_deg(-0.01, -0.01));
    CHECK(geo_cell_of_deg(35.0625, 129.05) == geo_cell_of(21037500, 77430000), "degrees and units agree");
    CHECK(geo_cell_of_deg(NAN, 1) == GEO_CELL_NONE && !geo_cell_valid(GEO_CELL_NONE), "no cell for NaN");
    CHECK(geo_cell_of_deg(10, 180) == geo_cell_of_deg(10, -180), "180 E is 180 W");
    /* every point lies in its cell's box; a cell is about 13.9 km a side */
    static const double pts[][2] = {{35.5, 125.2}, {-33.9, 151.2}, {60.1, 5.3}, {79.9, -20.0}, {0, 0}, {-0.1, 179.99}};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        uint32_t c = geo_cell_of_deg(pts[i][0], pts[i][1]);
        double a, b, d, e, la, lo;
        CHECK(geo_cell_valid(c) && geo_cell_box(c, &a, &b, &d, &e) && geo_cell_centre(c, &la, &lo), "cell %zu", i);
        CHECK(pts[i][0] >= a && pts[i][0] < d && pts[i][1] >= b && pts[i][1] < e, "point %zu in its box", i);
        double ew = geo_distance_m(la, b, la, e), ns = geo_distance_m(a, lo, d, lo);
        CHECK(fabs(ns - GEO_CELL_SIZE_M) < 20 && fabs(ew - GEO_CELL_SIZE_M) < 80, "point %zu: a cell %.0f x %.0f m", i,
              ns, ew);
    }
    /* a line due east along 5.06N from 60E to 62.57E: 22 cells, in order */
    uint32_t out[64];
    size_t n = geo_cells_on_line(5.0625, 59.99, 5.0625, 62.57, 0, out, 64);
    CHECK(n == 22 && out[0] == geo_cell_of_deg(5.0625, 59.99) && out[21] == geo_cell_of_deg(5.0625, 62.57),
          "line: %zu cells", n);
    for (size_t i = 1; i < n && i < 64; i++)
        CHECK(out[i] == out[i - 1] + 1, "line: cell %zu next to the one before", i);
    /* the cells near a point: its own first, the others by id, each centre within reach */
    n = geo_cells_near(35.0, 125.0, 20000, out, 64);
    CHECK(n >= 5 && n < 20 && out[0] == geo_cell_of_deg(35.0, 125.0), "near: %zu cells", n);
    for (size_t i = 1; i < n && i < 64; i++) {
        double la, lo;
        geo_cell_centre(out[i], &la, &lo);
        CHECK(geo_distance_m(35.0, 125.0, la, lo) <= 20000 && (i < 2 || out[i] > out[i - 1]), "near: cell %zu", i);
    }
    CHECK(geo_cells_near(35.0, 125.0, 0, out, 64) == 1, "near, radius 0: its own cell");
    /* against every cell of the bands within reach, by geo_distance_m: the
     * same cells, at random points (poles and the antimeridian among them),
     * at a random radius, then at radii exactly on the farthest centre
     * found and a hair short of it */
    uint64_t rnd = 88172645463325252u;
    int same = 0, tried = 0;
    for (int k = 0; k < 40; k++) {
        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
        double la = k < 4 ? (k < 2 ? 89.9 : -89.9) : (double)(rnd % 1780000) / 10000.0 - 89.0;
        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
        double lo = k % 5 == 0 ? 179.99 : (double)(rnd % 3600000) / 10000.0 - 180.0;
        double r = 1000.0 + (double)(rnd % 99000), far = 0;
        uint32_t own = geo_cell_of_deg(la, lo);
        for (int pass = 0; pass < 3; pass++) {
            if (pass == 1)
                r = far;
            if (pass == 2)
                r = far * (1 - 1e-7);
            static uint32_t want[4096], got[4096];
            size_t nw = 0;
            for (int b = 0; b < GEO_CELL_BANDS; b++) {
                double mid = -90.0 + (b + 0.5) * 0.125;
                if (fabs(mid - la) * 111195.0 > r + 20000.0)
                    continue;
                for (int c = 0; c < geo_cell_cols(b); c++) {
                    uint32_t cell = (uint32_t)b * GEO_CELL_COLS_MAX + (uint32_t)c;
                    double cla, clo, d;
                    if (cell == own || !geo_cell_centre(cell, &cla, &clo) || (d = geo_distance_m(la, lo, cla, clo)) > r)
                        continue;
                    if (nw < 4096)
                        want[nw++] = cell;
                    if (pass == 0 && d > far)
                        far = d;
                }
            }
            size_t ng = geo_cells_near(la, lo, r, got, 4096);
            bool ok = ng == nw + 1 && got[0] == own;
            for (size_t i = 0; ok && i < nw; i++) /* want is by id, as got after its own cell */
                ok = got[i + 1] == want[i];
            same += ok;
            tried++;
        }
    }
    CHECK(same == tried, "near: the cells geo_distance_m finds, %d of %d points", same, tried);
}

int main(void) {
    test_cells();
    geo_ports *p = NULL;
    pel_error err = {0};
    if (geo_ports_load("data/ports.csv", &p, &err) != PEL_OK) {
        CHECK(0, "data/ports.csv: %s", err.msg);
    } else {
        test_ports_file(p);
        test_nearest(p);
        geo_ports_free(p);
    }
    test_nearest_sparse();
    test_distance();
    test_ports_parsing();
    test_zones_file();
    test_zones_shapes();
    test_mid();
    test_land();
    printf("unit_geo: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
