/*
 * unit_detect.c -- unit tests of the encounter and loitering detectors
 * (src/detect/det_encounter.c, det_loiter.c) on synthetic tracks built
 * here: vessels sailing a course at a speed, reporting at an interval, and
 * a stub geography with one port.  Checks the exact findings (vessels,
 * start, end, duration), not only their number.  Ends with a scaling run
 * (2,000 vessels, a day each) whose time is printed, not asserted.  The
 * encounter detector's temporary file is checked to leave nothing behind,
 * and its failures (no directory, a file size limit) to be errors with a
 * message.  Prints
 * one line per failure and "unit_detect: N passed, M failed".
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "detect/detectors.h"
#include "findings/write.h"
#include "track/trk.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#include "check.h"
#include "seen.h"

#define T0 1700000400000LL /* a multiple of 10 minutes */
#define MIN 60000LL
#define HOUR 3600000LL

/* ---- synthetic tracks ------------------------------------------------------------ */

typedef struct track {
    pel_position p[8192];
    size_t n;
    uint32_t mmsi;
} track;

/* Appends positions from minute m0 to minute m1 (inclusive) every step_min
 * minutes, starting at (lat, lon) degrees at m0 and sailing course_deg at
 * speed_kn (flat-earth steps: fine over tens of km).  sog_tenths overrides
 * the reported speed when >= 0 (PEL_NA_SPEED for "not available"). */
static void sail(track *t, double lat, double lon, double course_deg, double speed_kn, int m0, int m1, int step_min,
                 int sog_tenths) {
    for (int m = m0; m <= m1 && t->n < sizeof t->p / sizeof t->p[0]; m += step_min) {
        double d = speed_kn * 1852.0 * (m - m0) / 60.0; /* metres */
        double c = course_deg * M_PI / 180;
        double la = lat + d * cos(c) / 111195.0, lo = lon + d * sin(c) / (111195.0 * cos(lat * M_PI / 180));
        pel_position *p = &t->p[t->n];
        memset(p, 0, sizeof *p);
        p->mmsi = t->mmsi;
        p->t_ms = T0 + m * MIN;
        p->lat = (int32_t)lround(la * PEL_DEG);
        p->lon = (int32_t)lround(lo * PEL_DEG);
        p->speed = (uint16_t)(sog_tenths >= 0 ? sog_tenths : lround(speed_kn * 10));
        p->course = (uint16_t)lround(course_deg * 10);
        p->heading = PEL_NA_HEADING;
        p->status = PEL_NA_STATUS;
        p->type = 1;
        p->input = t->mmsi % 1000;
        p->line = t->n + 1;
        p->second = -1;
        t->n++;
    }
}

/* metres north of a latitude, in degrees */
static double north(double m) {
    return m / 111195.0;
}

/* ---- a stub geography: one port ---------------------------------------------------- */

#define PORT_LAT 39.0
#define PORT_LON 125.0

static double port_dist(void *ud, double lat, double lon, int *port) {
    (void)ud;
    *port = 0;
    return trk_distance_m((int32_t)lround(lat * PEL_DEG), (int32_t)lround(lon * PEL_DEG),
                          (int32_t)lround(PORT_LAT * PEL_DEG), (int32_t)lround(PORT_LON * PEL_DEG));
}

static const char *port_name(void *ud, int i) {
    (void)ud;
    return i == 0 ? "NAMPO \"test\"" : NULL;
}

static const det_geo GEO = {.port_dist_m = port_dist, .port_name = port_name};

/* ---- collecting findings ----------------------------------------------------------- */

typedef struct found {
    seen v[64];
    size_t n;
} found;

static void collect(void *ud, const fnd_builder *f) {
    found *s = ud;
    if (s->n < 64)
        seen_of(&s->v[s->n++], f);
}

/* The number after "name": in a finding's fields, NAN when absent. */
static double num(const seen *f, const char *name) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *s = strstr(f->fields, key);
    return s ? strtod(s + strlen(key), NULL) : NAN;
}

static track *tracks; /* scratch, 8 tracks */

static void run_enc(const det_enc_opts *o, const det_geo *geo, track *const *t, size_t nt, found *out) {
    det_enc *e = det_enc_new(o);
    out->n = 0;
    CHECK(e != NULL, "det_enc_new");
    if (!e)
        return;
    for (size_t i = 0; i < nt; i++)
        CHECK(det_enc_add_track(e, t[i]->mmsi, t[i]->p, t[i]->n) == PEL_OK, "add");
    CHECK(det_enc_run(e, geo, collect, out) == PEL_OK, "run");
    det_enc_free(e);
}

/* The expected encounters of one case: (start, end) minutes after T0 and
 * closed steps; mmsi pair is always (A, B). */
typedef struct want {
    int start_min, end_min;
    int steps;
} want;

#define A 412000001u
#define B 412000002u

static void expect(const char *name, const found *f, const want *w, size_t nw) {
    CHECK(f->n == nw, "%s: %zu findings, want %zu", name, f->n, nw);
    for (size_t i = 0; i < f->n && i < nw; i++) {
        const seen *x = &f->v[i];
        CHECK(!strcmp(x->event, "encounter") && x->mmsi == A && x->mmsi2 == B, "%s[%zu]: %s %u %u", name, i, x->event,
              x->mmsi, x->mmsi2);
        CHECK(x->start_ms == T0 + w[i].start_min * MIN && x->end_ms == T0 + w[i].end_min * MIN,
              "%s[%zu]: start %+lld min, end %+lld min, want %d, %d", name, i, (long long)((x->start_ms - T0) / MIN),
              (long long)((x->end_ms - T0) / MIN), w[i].start_min, w[i].end_min);
        CHECK(fabs(num(x, "duration_h") - (w[i].end_min - w[i].start_min) / 60.0) < 0.006, "%s[%zu]: duration %s", name,
              i, x->fields);
        CHECK(num(x, "steps") == w[i].steps, "%s[%zu]: steps %s", name, i, x->fields);
    }
}

/* ---- encounters ---------------------------------------------------------------------- */

static void test_encounter(void) {
    det_enc_opts o;
    det_enc_default_opts(&o);
    CHECK(o.max_distance_m == 500 && o.min_duration_h == 2 && o.max_median_speed_kn == 2 &&
              o.min_port_distance_m == 10000 && o.merge_gap_h == 4 && o.step_s == 600 && o.max_interp_gap_s == 3600,
          "encounter defaults");
    track *a = &tracks[0], *b = &tracks[1];
    track *ab[2] = {b, a}; /* B first: the finding still says mmsi A < mmsi2 B */
    found f;
    const double LAT = 35.0, LON = 124.0; /* ~450 km from the port */

    /* 1. drifting together 300 m apart at 0.5 kn for 3 h: one encounter */
    a->mmsi = A, b->mmsi = B, a->n = b->n = 0;
    sail(a, LAT, LON, 90, 0.5, 0, 180, 1, -1);
    sail(b, LAT + north(300), LON, 90, 0.5, 0, 180, 1, -1);
    run_enc(NULL, &GEO, ab, 2, &f);
    expect("drift together", &f, (want[]){{0, 180, 19}}, 1);
    if (f.n == 1) {
        const seen *x = &f.v[0];
        CHECK(fabs(num(x, "median_distance_m") - 300) <= 2 && fabs(num(x, "min_distance_m") - 300) <= 2, "distances %s",
              x->fields);
        CHECK(num(x, "speed_kn_1") == 0.5 && num(x, "speed_kn_2") == 0.5 && num(x, "median_speed_kn") == 0.5,
              "speeds %s", x->fields);
        CHECK(fabs(num(x, "port_distance_km") - port_dist(NULL, x->lat, x->lon, &(int){0}) / 1000) < 0.06,
              "port distance %s", x->fields);
        CHECK(strstr(x->fields, "\"nearest_port\":\"NAMPO \\\"test\\\"\"") != NULL, "port name escaped: %s", x->fields);
        CHECK(strstr(x->fields, "unknown") == NULL, "port data known: %s", x->fields);
        CHECK(fabs(x->lat - (LAT + north(150))) < 0.001 && x->lon > LON && x->lon < LON + 0.05, "mean %f %f", x->lat,
              x->lon);
        /* raw positions at every step of both vessels: 2 x 19 */
        CHECK(x->nev_total == 38 && x->nev == 38, "evidence %zu/%llu", x->nev, (unsigned long long)x->nev_total);
        CHECK(x->ev[0].input == A % 1000 && x->ev[0].line == 1 && x->ev[1].input == B % 1000 && x->ev[2].line == 11,
              "evidence lines");
        char last = x->fields[strlen(x->fields) - 1];
        CHECK(last != ',' && x->fields[0] == '"', "fields shape: %s", x->fields);
    }
    /* the same reported with no port data, saying so */
    run_enc(NULL, NULL, ab, 2, &f);
    CHECK(f.n == 1 && strstr(f.v[0].fields, "\"port_distance\":\"unknown\"") &&
              strstr(f.v[0].fields, "\"port_distance_km\":null"),
          "no geo: %s", f.n ? f.v[0].fields : "");

    /* 2. anchored together inside the port for two days: no (port rule) */
    a->n = b->n = 0;
    sail(a, PORT_LAT + north(500), PORT_LON, 0, 0, 0, 2 * 1440, 5, -1);
    sail(b, PORT_LAT + north(800), PORT_LON, 0, 0, 0, 2 * 1440, 5, -1);
    run_enc(NULL, &GEO, ab, 2, &f);
    expect("anchored in port", &f, NULL, 0);
    run_enc(NULL, NULL, ab, 2, &f); /* only the port rule excluded it */
    expect("anchored, no port data", &f, (want[]){{0, 2880, 289}}, 1);

    /* 3. pair trawlers 400 m apart at 3.5 kn for 6 h: no (speed) */
    a->n = b->n = 0;
    sail(a, LAT, LON, 45, 3.5, 0, 360, 1, -1);
    sail(b, LAT + north(400), LON, 45, 3.5, 0, 360, 1, -1);
    run_enc(NULL, &GEO, ab, 2, &f);
    expect("pair trawlers", &f, NULL, 0);

    /* 4. crossing within 200 m at 12 kn: no (duration) */
    a->n = b->n = 0;
    double d = 12 * 1852.0; /* one hour at 12 kn */
    sail(a, LAT, LON - d / (111195.0 * cos(LAT * M_PI / 180)), 90, 12, 0, 120, 1, -1);
    sail(b, LAT - north(d) + north(200), LON, 0, 12, 0, 120, 1, -1);
    run_enc(NULL, &GEO, ab, 2, &f);
    expect("crossing", &f, NULL, 0);
    /* (the crossing is close at the 60 min step: a 0 h run is found and
     * refused by duration, shown by a threshold of 0) */
    det_enc_opts o0 = o;
    o0.min_duration_h = 0;
    o0.max_median_speed_kn = 20;
    run_enc(&o0, &GEO, ab, 2, &f);
    expect("crossing, no duration rule", &f, (want[]){{60, 60, 1}}, 1);

    /* 5. two raw encounters of the pair 2 h apart: merged into one */
    a->n = b->n = 0;
    sail(a, LAT, LON, 0, 0.3, 0, 660, 1, -1);
    sail(b, LAT + north(250), LON, 0, 0.3, 0, 150, 1, -1);
    sail(b, LAT + north(250) + north(6000), LON, 0, 0.3, 151, 269, 1, -1);
    sail(b, LAT + north(250) + north(0.3 * 1852 * 270 / 60), LON, 0, 0.3, 270, 420, 1, -1);
    run_enc(NULL, &GEO, ab, 2, &f);
    expect("2 h apart", &f, (want[]){{0, 420, 32}}, 1);

    /* 6. ... 6 h apart: two */
    b->n = 0;
    sail(b, LAT + north(250), LON, 0, 0.3, 0, 150, 1, -1);
    sail(b, LAT + north(250) + north(6000), LON, 0, 0.3, 151, 509, 1, -1);
    sail(b, LAT + north(250) + north(0.3 * 1852 * 510 / 60), LON, 0, 0.3, 510, 660, 1, -1);
    run_enc(NULL, &GEO, ab, 2, &f);
    expect("6 h apart", &f, (want[]){{0, 150, 16}, {510, 660, 16}}, 2);

    /* 7. a silence of 2 h inside an encounter is not interpolated: 1.5 h +
     * (2 h dark) + 1.5 h is no encounter; with 50 min dark it is one run */
    a->n = b->n = 0;
    sail(a, LAT, LON, 0, 0.5, 0, 300, 1, -1);
    sail(b, LAT + north(300), LON, 0, 0.5, 0, 90, 1, -1);
    sail(b, LAT + north(300) + north(0.5 * 1852 * 210 / 60), LON, 0, 0.5, 210, 300, 1, -1);
    run_enc(NULL, &GEO, ab, 2, &f);
    expect("2 h silence", &f, NULL, 0);
    b->n = 0;
    sail(b, LAT + north(300), LON, 0, 0.5, 0, 90, 1, -1);
    sail(b, LAT + north(300) + north(0.5 * 1852 * 140 / 60), LON, 0, 0.5, 140, 300, 1, -1);
    run_enc(NULL, &GEO, ab, 2, &f);
    expect("50 min silence", &f, (want[]){{0, 300, 31}}, 1);

    /* 8. speed not available: the speed implied by the positions is used */
    a->n = b->n = 0;
    sail(a, LAT, LON, 90, 0.5, 0, 180, 1, PEL_NA_SPEED);
    sail(b, LAT + north(300), LON, 90, 0.5, 0, 180, 1, PEL_NA_SPEED);
    run_enc(NULL, &GEO, ab, 2, &f);
    expect("no SOG", &f, (want[]){{0, 180, 19}}, 1);

    /* 9. across the antimeridian, and three vessels: each pair once, in
     * (start, mmsi, mmsi2) order */
    track *c = &tracks[2];
    a->n = b->n = c->n = 0;
    c->mmsi = 412000003u;
    sail(a, -20, 179.9995, 90, 0.2, 0, 180, 1, -1);
    sail(b, -20 + north(200), 179.9995, 90, 0.2, 0, 180, 1, -1);
    sail(c, -20 + north(100), 179.9995, 90, 0.2, 30, 180, 1, -1);
    track *abc[3] = {c, b, a};
    run_enc(NULL, &GEO, abc, 3, &f);
    CHECK(f.n == 3, "three vessels: %zu", f.n);
    if (f.n == 3) {
        CHECK(f.v[0].mmsi == A && f.v[0].mmsi2 == B && f.v[0].start_ms == T0, "first %u %u", f.v[0].mmsi, f.v[0].mmsi2);
        CHECK(f.v[1].mmsi == A && f.v[1].mmsi2 == c->mmsi && f.v[1].start_ms == T0 + 30 * MIN, "second %u %u",
              f.v[1].mmsi, f.v[1].mmsi2);
        CHECK(f.v[2].mmsi == B && f.v[2].mmsi2 == c->mmsi && f.v[2].start_ms == T0 + 30 * MIN, "third");
        CHECK(fabs(fabs(f.v[0].lon) - 180) < 0.01, "mean longitude at the antimeridian: %f", f.v[0].lon);
    }
}

/* ---- loitering ------------------------------------------------------------------------- */

static void run_loi(const det_geo *geo, const track *t, found *out) {
    out->n = 0;
    det_loiter_track(NULL, geo, t->mmsi, t->p, t->n, NULL, collect, out);
}

static void test_loiter(void) {
    det_loiter_opts o;
    det_loiter_default_opts(&o);
    CHECK(o.max_speed_kn == 2 && o.min_duration_h == 4 && o.min_port_distance_m == 37040 && o.max_gap_h == 1,
          "loitering defaults");
    track *t = &tracks[0];
    found f;
    const double OFF40 = PORT_LAT - north(40 * 1852.0); /* 40 nm south of the port */

    /* drifting at 1 kn for 5 h, 40 nm offshore (moving away): yes */
    t->mmsi = A, t->n = 0;
    sail(t, OFF40, PORT_LON, 180, 1, 0, 300, 3, -1);
    run_loi(&GEO, t, &f);
    CHECK(f.n == 1, "drift offshore: %zu", f.n);
    if (f.n == 1) {
        const seen *x = &f.v[0];
        CHECK(!strcmp(x->event, "loitering") && x->mmsi == A && x->mmsi2 == 0, "who");
        CHECK(x->start_ms == T0 && x->end_ms == T0 + 300 * MIN, "start/end");
        CHECK(num(x, "duration_h") == 5 && num(x, "positions") == 101 && num(x, "mean_speed_kn") == 1 &&
                  num(x, "max_speed_kn") == 1,
              "fields %s", x->fields);
        CHECK(fabs(num(x, "distance_from_port_nm") - 42.5) < 0.1, "distance %s", x->fields);
        CHECK(strstr(x->fields, "\"shore_distance_basis\":\"nearest_port\"") && !strstr(x->fields, "unknown"),
              "basis %s", x->fields);
        CHECK(x->nev == FND_MAX_EVIDENCE && x->nev_total == 101 && x->ev[0].line == 1 &&
                  x->ev[FND_MAX_EVIDENCE - 1].line == 101,
              "evidence %zu/%llu", x->nev, (unsigned long long)x->nev_total);
    }

    /* at berth in the port for 2 days: no (near port); yes without port data */
    t->n = 0;
    sail(t, PORT_LAT + north(300), PORT_LON, 0, 0, 0, 2880, 10, -1);
    run_loi(&GEO, t, &f);
    CHECK(f.n == 0, "berth: %zu", f.n);
    run_loi(NULL, t, &f);
    CHECK(f.n == 1 && f.v[0].start_ms == T0 && f.v[0].end_ms == T0 + 2880 * MIN &&
              strstr(f.v[0].fields, "\"port_distance\":\"unknown\"") &&
              strstr(f.v[0].fields, "\"distance_from_port_nm\":null"),
          "berth, no port data: %s", f.n ? f.v[0].fields : "");

    /* 3 h offshore: no (duration) */
    t->n = 0;
    sail(t, OFF40, PORT_LON, 180, 1, 0, 180, 3, -1);
    run_loi(&GEO, t, &f);
    CHECK(f.n == 0, "3 h: %zu", f.n);

    /* a 2 h silence in the middle of a 6 h drift: two runs of 2 h, no */
    t->n = 0;
    sail(t, OFF40, PORT_LON, 180, 1, 0, 120, 3, -1);
    sail(t, OFF40 - north(1852.0 * 4), PORT_LON, 180, 1, 240, 360, 3, -1);
    run_loi(&GEO, t, &f);
    CHECK(f.n == 0, "silence: %zu", f.n);

    /* fast then slow: the run starts at the first slow position */
    t->n = 0;
    sail(t, OFF40 + north(1852.0 * 12), PORT_LON, 180, 12, 0, 60, 3, -1);
    sail(t, OFF40, PORT_LON, 180, 1, 63, 363, 3, -1);
    sail(t, OFF40 - north(1852.0 * 5), PORT_LON, 180, 10, 366, 400, 3, -1);
    run_loi(&GEO, t, &f);
    CHECK(f.n == 1 && f.v[0].start_ms == T0 + 63 * MIN && f.v[0].end_ms == T0 + 363 * MIN, "fast-slow-fast");

    /* SOG says 0 but the vessel moves at 10 kn: SOG not believed, no */
    t->n = 0;
    sail(t, OFF40, PORT_LON, 180, 10, 0, 360, 3, 0);
    run_loi(&GEO, t, &f);
    CHECK(f.n == 0, "frozen SOG: %zu", f.n);

    /* SOG not available inside a run: judged by implied speed, continues */
    t->n = 0;
    sail(t, OFF40, PORT_LON, 180, 1, 0, 300, 3, -1);
    for (size_t i = 10; i < 60; i++)
        t->p[i].speed = PEL_NA_SPEED;
    run_loi(&GEO, t, &f);
    CHECK(f.n == 1 && f.v[0].start_ms == T0 && f.v[0].end_ms == T0 + 300 * MIN, "SOG n/a inside");
    /* ... but cannot start one: the run starts at the first SOG */
    t->n = 0;
    sail(t, OFF40, PORT_LON, 180, 1, 0, 300, 3, -1);
    for (size_t i = 0; i < 10; i++)
        t->p[i].speed = PEL_NA_SPEED;
    run_loi(&GEO, t, &f);
    CHECK(f.n == 1 && f.v[0].start_ms == T0 + 10 * 3 * MIN, "SOG n/a at the start: %lld",
          f.n ? (long long)(f.v[0].start_ms - T0) / MIN : -1);
}

/* ---- the grid finds every close pair: compared with all pairs ------------------------- */

static void count_steps(void *ud, const fnd_builder *f) {
    fnd_finding v;
    fnd_view(f, &v);
    *(long *)ud += lround(fnd_get_num(&v, "steps", NAN));
}

static void test_grid(void) {
    enum { NV = 300, NS = 12 };
    static const double where[][2] = {{35, 124}, {70, 20}, {-20, 179.98}, {85, -40}};
    for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
        det_enc_opts o;
        det_enc_default_opts(&o);
        o.max_distance_m = 2000;
        o.min_duration_h = 0;
        o.max_median_speed_kn = 1e9;
        o.merge_gap_h = 0;
        det_enc *e = det_enc_new(&o);
        CHECK(e != NULL, "new");
        if (!e)
            return;
        pel_position *all = calloc((size_t)NV * NS, sizeof *all);
        if (!all) {
            det_enc_free(e);
            return;
        }
        srand(7 + (unsigned)w);
        for (int v = 0; v < NV; v++) {
            for (int k = 0; k < NS; k++) {
                pel_position *p = &all[v * NS + k];
                p->mmsi = 300000000u + (uint32_t)v;
                p->t_ms = T0 + k * 10 * MIN; /* on the steps: resampled = raw */
                double lat = where[w][0] + 0.1 * rand() / RAND_MAX, lon = where[w][1] + 0.3 * rand() / RAND_MAX;
                p->lat = (int32_t)lround(lat * PEL_DEG);
                p->lon = (int32_t)lround((lon >= 180 ? lon - 360 : lon) * PEL_DEG);
                p->speed = 0;
            }
            det_enc_add_track(e, all[v * NS].mmsi, &all[v * NS], NS);
        }
        long brute = 0, got = 0;
        for (int k = 0; k < NS; k++)
            for (int i = 0; i < NV; i++)
                for (int j = i + 1; j < NV; j++) {
                    const pel_position *a = &all[i * NS + k], *b = &all[j * NS + k];
                    brute += trk_distance_m(a->lat, a->lon, b->lat, b->lon) <= o.max_distance_m;
                }
        CHECK(det_enc_run(e, NULL, count_steps, &got) == PEL_OK, "run");
        CHECK(got == brute && brute > 0, "grid at %g,%g: %ld close pair-steps, all pairs give %ld", where[w][0],
              where[w][1], got, brute);
        det_enc_free(e);
        free(all);
    }
}

/* ---- scaling ------------------------------------------------------------------------- */

static void count_one(void *ud, const fnd_builder *f) {
    (void)f;
    ++*(long *)ud;
}

/* ---- encounters over days: the detector pairs one day at a time ------------------------ */

static void test_encounter_days(void) {
    track *a = &tracks[0], *b = &tracks[1], *c = &tracks[2], *d = &tracks[3];
    const double LAT = 35.0, LON = 124.0;
    found f;
    /* (T0 is 22:20 UTC) A and B drift together for three days: one run
     * across four days; C and D meet on the second day, later and for 3 h:
     * their finding is final first but comes after A and B's */
    a->mmsi = A, b->mmsi = B, c->mmsi = 412000003u, d->mmsi = 412000004u;
    a->n = b->n = c->n = d->n = 0;
    sail(a, LAT, LON, 90, 0.2, 0, 3 * 1440, 10, -1);
    sail(b, LAT + north(300), LON, 90, 0.2, 0, 3 * 1440, 10, -1);
    sail(c, LAT + 1, LON, 0, 0.3, 1440, 1440 + 180, 5, -1);
    sail(d, LAT + 1 + north(200), LON, 0, 0.3, 1440, 1440 + 180, 5, -1);
    track *abcd[4] = {d, a, c, b};
    run_enc(NULL, &GEO, abcd, 4, &f);
    CHECK(f.n == 2, "days: %zu findings", f.n);
    if (f.n == 2) {
        CHECK(f.v[0].mmsi == A && f.v[0].mmsi2 == B && f.v[0].start_ms == T0 && f.v[0].end_ms == T0 + 3 * 1440 * MIN &&
                  num(&f.v[0], "steps") == 3 * 144 + 1,
              "three days together: %u %u %s", f.v[0].mmsi, f.v[0].mmsi2, f.v[0].fields);
        CHECK(f.v[1].mmsi == c->mmsi && f.v[1].mmsi2 == d->mmsi && f.v[1].start_ms == T0 + 1440 * MIN &&
                  f.v[1].end_ms == T0 + (1440 + 180) * MIN,
              "second day: %u %u", f.v[1].mmsi, f.v[1].mmsi2);
    }
    /* raw encounters of A and B 3 h apart, the gap over midnight and the
     * next day's first hours: merged into one spanning two days */
    a->n = b->n = 0;
    sail(a, LAT, LON, 0, 0, 0, 600, 10, -1);
    sail(b, LAT + north(250), LON, 0, 0, 0, 150, 10, -1);
    sail(b, LAT + north(9000), LON, 0, 0, 160, 320, 10, -1);
    sail(b, LAT + north(250), LON, 0, 0, 330, 600, 10, -1);
    run_enc(NULL, &GEO, (track *[]){a, b}, 2, &f);
    expect("merged over midnight", &f, (want[]){{0, 600, 16 + 28}}, 1);
}

/* ---- the temporary file: nothing left behind, failures are errors ------------------- */

/* Adds NV vessels (each a day at a step a minute: 1,440 points, 12 blocks)
 * to a new accumulator; returns the first status that is not PEL_OK. */
static pel_status fill_enc(det_enc *e, int nv) {
    track *t = &tracks[0];
    for (int v = 0; v < nv; v++) {
        t->mmsi = 300000000u + (uint32_t)v, t->n = 0;
        sail(t, 35 + 0.001 * v, 124, 0, 0.2, 0, 1440, 1, -1);
        pel_status st = det_enc_add_track(e, t->mmsi, t->p, t->n);
        if (st != PEL_OK)
            return st;
    }
    return PEL_OK;
}

static int dir_entries(const char *path) {
    DIR *d = opendir(path);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *de; (de = readdir(d));)
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(d);
    return n;
}

static void test_enc_tmpfile(void) {
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    char dir[] = "/tmp/unit_detect_XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    det_enc_opts o;
    det_enc_default_opts(&o);
    o.step_s = 60; /* a point a minute */
    /* nothing in TMPDIR, during and after */
    setenv("TMPDIR", dir, 1);
    det_enc *e = det_enc_new(&o);
    CHECK(e && fill_enc(e, 20) == PEL_OK, "fill");
    CHECK(dir_entries(dir) == 0, "a file left in %s while adding", dir);
    long got = 0;
    /* 111 m apart: every vessel meets the next four */
    CHECK(det_enc_run(e, &GEO, count_one, &got) == PEL_OK && got == 19 + 18 + 17 + 16, "run: %ld encounters", got);
    det_enc_free(e);
    CHECK(dir_entries(dir) == 0, "a file left in %s", dir);
    /* no such directory: an error with a message, and for good */
    char gone[sizeof dir + 8];
    snprintf(gone, sizeof gone, "%s/gone", dir);
    setenv("TMPDIR", gone, 1);
    e = det_enc_new(&o);
    CHECK(e && fill_enc(e, 1) == PEL_ERR_IO, "no directory: an I/O error");
    CHECK(e && strstr(det_enc_message(e), "cannot make a temporary file in") && strstr(det_enc_message(e), gone),
          "message: %s", e ? det_enc_message(e) : "");
    CHECK(e && fill_enc(e, 1) == PEL_ERR_IO && det_enc_run(e, &GEO, count_one, &got) == PEL_ERR_IO, "failed for good");
    det_enc_free(e);
    /* a write that fails (the file size limit: 3 blocks) */
    setenv("TMPDIR", dir, 1);
    struct rlimit rl, small;
    void (*xfsz)(int) = signal(SIGXFSZ, SIG_IGN);
    if (getrlimit(RLIMIT_FSIZE, &rl) == 0) {
        small = rl;
        small.rlim_cur = 3 * 4200;
        e = det_enc_new(&o);
        CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0, "setrlimit");
        pel_status st = e ? fill_enc(e, 2) : PEL_ERR_NOMEM;
        setrlimit(RLIMIT_FSIZE, &rl);
        CHECK(st == PEL_ERR_IO && strstr(det_enc_message(e), "writing the temporary file: File too large"),
              "write failure: %d %s", (int)st, e ? det_enc_message(e) : "");
        det_enc_free(e);
    }
    signal(SIGXFSZ, xfsz);
    CHECK(dir_entries(dir) == 0 && rmdir(dir) == 0, "a file left in %s", dir);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
}

static void test_scale(void) {
    enum { NV = 2000, NPOS = 480 }; /* a day every 3 min */
    track *t = &tracks[0];
    det_enc *e = det_enc_new(NULL);
    CHECK(e != NULL, "new");
    if (!e)
        return;
    srand(12345);
    found f = {0};
    size_t loiter = 0;
    int adds = 0;
    double plat = 0, plon = 0, pcourse = 0;
    clock_t c0 = clock();
    for (int v = 0; v < NV; v++) {
        t->mmsi = 200000000u + (uint32_t)v * 7;
        t->n = 0;
        double lat = 30 + 5.0 * rand() / RAND_MAX, lon = 120 + 5.0 * rand() / RAND_MAX;
        double course = 360.0 * rand() / RAND_MAX, speed = v % 10 == 0 ? 0.5 : 14.0 * rand() / RAND_MAX;
        if (v % 20 == 1) /* a companion 300 m from the previous (slow) vessel */
            lat = plat + north(300), lon = plon, course = pcourse, speed = 0.5;
        plat = lat, plon = lon, pcourse = course;
        sail(t, lat, lon, course, speed, 0, (NPOS - 1) * 3, 3, -1);
        adds += det_enc_add_track(e, t->mmsi, t->p, t->n) == PEL_OK;
        f.n = 0;
        det_loiter_track(NULL, &GEO, t->mmsi, t->p, t->n, NULL, collect, &f);
        loiter += f.n;
    }
    clock_t c1 = clock();
    CHECK(adds == NV, "adds %d", adds);
    long nenc = 0;
    CHECK(det_enc_run(e, &GEO, count_one, &nenc) == PEL_OK, "run");
    clock_t c2 = clock();
    CHECK(nenc >= NV / 20, "scaling: %ld encounters, want the %d planted ones at least", nenc, NV / 20);
    det_enc_free(e);
    printf("unit_detect: scaling: %d vessels x %d positions: resample + loitering %.3f s, pairing %.3f s "
           "(%ld encounters, %zu loitering)\n",
           NV, NPOS, (double)(c1 - c0) / CLOCKS_PER_SEC, (double)(c2 - c1) / CLOCKS_PER_SEC, nenc, loiter);
}

/* ---- possible partners: the dark rendezvous (det_rendezvous.c) ------------------------------- */

static pel_position rdv_pos(uint32_t mmsi, int64_t t, double lat, double lon, int sog_tenths, uint64_t line) {
    pel_position p = {.mmsi = mmsi,
                      .t_ms = t,
                      .lat = (int32_t)lround(lat * PEL_DEG),
                      .lon = (int32_t)lround(lon * PEL_DEG),
                      .speed = (uint16_t)sog_tenths,
                      .course = PEL_NA_COURSE,
                      .heading = PEL_NA_HEADING,
                      .status = PEL_NA_STATUS,
                      .type = 1,
                      .input = 1,
                      .line = line};
    return p;
}

static det_rdv_gap rdv_gap(uint32_t mmsi, pel_position a, const pel_position *b, int64_t end, int suspected) {
    det_rdv_gap g = {.mmsi = mmsi, .before = a, .after = b ? *b : a, .open = b == NULL, .suspected = suspected};
    g.end_ms = b ? b->t_ms : end;
    return g;
}

/* The member name of array element k of the partners. */
static const fnd_member *rdv_partner(const fnd_finding *f, size_t k) {
    const fnd_member *a = fnd_get(f, "possible_partners");
    if (!a || a->kind != FND_ARR)
        return NULL;
    const fnd_member *e = a + 1, *end = a + 1 + a->n;
    for (size_t i = 0; i < k && e < end; i++)
        e = fnd_next(e);
    return e < end ? e : NULL;
}

static double rdv_num(const fnd_member *obj, const char *a, const char *b) {
    const fnd_member *m = fnd_member_get(obj, a);
    if (b)
        m = fnd_member_get(m, b);
    return !m ? NAN : m->kind == FND_NUM ? m->v.d : m->kind == FND_INT ? (double)m->v.i : NAN;
}

static void test_rendezvous(void) {
    det_loiter_opts o;
    det_loiter_default_opts(&o);
    CHECK(o.partner_speed_factor == 1.2 && o.partner_min_together_h == 1 && o.max_partners == 3, "partner defaults");
    /* vessel 1 loiters at 35N 123E from 10:00 to 18:00 */
    fnd_set *s = fnd_set_new();
    fnd_builder l = {0};
    l.event = "loitering";
    l.mmsi = 1;
    l.start_ms = T0 + 10 * HOUR;
    l.end_ms = T0 + 18 * HOUR;
    l.lat = 35.0;
    l.lon = 123.0;
    fnd_num(&l, "duration_h", 8, 2);
    fnd_set_push(s, &l);
    CHECK(s->failed == PEL_OK && s->n == 1, "a loitering");
    const fnd_finding *lf = &s->v[0];
    double d_w = trk_distance_m(lround(35.0 * PEL_DEG), lround(122.8 * PEL_DEG), lround(35.0 * PEL_DEG),
                                lround(123.0 * PEL_DEG)) /
                 1852.0; /* 0.2 degrees of longitude: about 9.8 nm */
    pel_position a2 = rdv_pos(2, T0 + 6 * HOUR, 35.0, 122.8, 100, 21),
                 b2 = rdv_pos(2, T0 + 22 * HOUR, 35.0, 123.2, 80, 22);
    pel_position a3 = rdv_pos(3, T0 + 6 * HOUR, 35.0, 120.0, 100, 31),
                 b3 = rdv_pos(3, T0 + 22 * HOUR, 35.0, 126.0, 100, 32);
    pel_position a4 = rdv_pos(4, T0 + 19 * HOUR, 35.0, 123.0, 100, 41),
                 b4 = rdv_pos(4, T0 + 23 * HOUR, 35.0, 123.0, 100, 42);
    pel_position a5 = rdv_pos(5, T0 + 14 * HOUR, 35.1, 123.0, 50, 51);
    pel_position a6 = rdv_pos(6, T0 + 12 * HOUR, 35.0, 122.8, 100, 61),
                 b6 = rdv_pos(6, T0 + 20 * HOUR, 35.0, 123.2, 100, 62);
    pel_position a7 = rdv_pos(1, T0 + 6 * HOUR, 35.0, 122.8, 100, 71),
                 b7 = rdv_pos(1, T0 + 22 * HOUR, 35.0, 123.2, 100, 72);
    pel_position a8 = rdv_pos(8, T0 + 6 * HOUR, 35.0, 122.8, PEL_NA_SPEED, 81),
                 b8 = rdv_pos(8, T0 + 22 * HOUR, 35.0, 123.2, PEL_NA_SPEED, 82);
    det_rdv_gap g[] = {
        rdv_gap(6, a6, &b6, 0, 0),                /* reachable, less time together */
        rdv_gap(3, a3, &b3, 0, 1),                /* too far: 147 nm at 12 kn */
        rdv_gap(2, a2, &b2, 0, 1),                /* reachable, the whole loitering */
        rdv_gap(4, a4, &b4, 0, 1),                /* dark after the loitering */
        rdv_gap(5, a5, NULL, T0 + 48 * HOUR, -1), /* open: the going leg only */
        rdv_gap(1, a7, &b7, 0, 1),                /* the loiterer's own gap */
        rdv_gap(8, a8, &b8, 0, 1),                /* no speed reported */
    };
    det_rdv_reach r;
    CHECK(det_rdv_reach_of(&o, lf, &g[2], &r) && r.reported_kn == 10 && fabs(r.reach_kn - 12) < 1e-9 &&
              fabs(r.together_h - 8) < 1e-9 && fabs(r.go_nm - d_w) < 1e-9 && fabs(r.go_avail_h - 12) < 1e-9 &&
              fabs(r.go_need_h - d_w / 12) < 1e-9 && fabs(r.ret_avail_h - 12) < 1e-9,
          "reachable: %.3f h together, %.3f nm", r.together_h, r.go_nm);
    CHECK(!det_rdv_reach_of(&o, lf, &g[1], &r) && r.go_nm > 140 && r.together_h < 0, "too far: %.2f h", r.together_h);
    CHECK(!det_rdv_reach_of(&o, lf, &g[3], &r), "not dark while it loitered");
    CHECK(det_rdv_reach_of(&o, lf, &g[4], &r) && isnan(r.ret_nm) && fabs(r.go_nm - 6.0) < 0.05 &&
              fabs(r.together_h - (4 - r.go_nm / 6)) < 1e-9,
          "open gap: going only, %.3f h together", r.together_h);
    CHECK(det_rdv_reach_of(&o, lf, &g[0], &r) && fabs(r.together_h - (6 - d_w / 12)) < 1e-9, "a shorter time together");
    CHECK(!det_rdv_reach_of(&o, lf, &g[5], &r) && !det_rdv_reach_of(&o, lf, &g[6], &r),
          "not its own gap, nor one without a speed");
    /* a factor that makes the other side of the shorter gap too slow */
    det_loiter_opts slow = o;
    slow.partner_speed_factor = 0.1; /* 1 kn: 9.8 h each way */
    CHECK(!det_rdv_reach_of(&slow, lf, &g[0], &r) && !det_rdv_reach_of(&slow, lf, &g[2], &r), "out of reach at 1 kn");
    slow.partner_speed_factor = 0.2; /* 2 kn: 4.9 h each way: from 10:55 to 17:05 */
    CHECK(det_rdv_reach_of(&slow, lf, &g[2], &r) && fabs(r.together_h - (16 - d_w)) < 1e-9,
          "within reach at 2 kn: %.3f h", r.together_h);

    /* amended: three partners, the longest together first, two listed */
    o.max_partners = 2;
    char *paths[] = {NULL, "feed.nmea"};
    CHECK(det_rdv_amend(&o, s, g, sizeof g / sizeof g[0], paths, 2) == PEL_OK, "amended");
    lf = &s->v[0];
    const fnd_member *p0 = rdv_partner(lf, 0), *p1 = rdv_partner(lf, 1);
    CHECK(fnd_get_num(lf, "possible_partners_total", 0) == 3 && fnd_get(lf, "possible_partners")->kind == FND_ARR &&
              p0 && p1 && !rdv_partner(lf, 2),
          "three partners, two listed");
    CHECK(p0 && rdv_num(p0, "mmsi", NULL) == 2 && rdv_num(p0, "together_h", NULL) == 8 &&
              rdv_num(p0, "reach_speed_kn", NULL) == 12 && rdv_num(p0, "going", "available_h") == 12 &&
              rdv_num(p0, "before", "line") == 21 && rdv_num(p0, "after", "line") == 22 &&
              rdv_num(p0, "after", "speed_kn") == 8 &&
              !strcmp(fnd_member_get(fnd_member_get(p0, "after"), "file")->v.s, "feed.nmea") &&
              fnd_member_get(p0, "gap_suspected")->v.b && fnd_member_get(p0, "returning_checked")->v.b,
          "the first: the whole loitering");
    CHECK(p1 && rdv_num(p1, "mmsi", NULL) == 6 && fnd_member_get(p1, "gap_suspected")->kind == FND_BOOL &&
              !fnd_member_get(p1, "gap_suspected")->v.b &&
              fabs(rdv_num(p1, "going", "spare_h") -
                   (rdv_num(p1, "going", "available_h") - rdv_num(p1, "going", "needed_h"))) < 0.011,
          "the second: a coverage gap, its margins");
    CHECK(lf->nev == 4 && lf->ev[0].line == 21 && lf->ev[1].line == 22 && lf->ev[2].line == 61 &&
              lf->ev[3].line == 62 && lf->nev_total == 4,
          "the partners' positions are evidence: %zu", lf->nev);
    /* the open gap's entry: no return */
    fnd_set *s2 = fnd_set_new();
    fnd_set_push(s2, &l);
    det_rdv_gap open1[] = {g[4]};
    CHECK(det_rdv_amend(&o, s2, open1, 1, paths, 2) == PEL_OK, "amended with an open gap");
    const fnd_member *po = rdv_partner(&s2->v[0], 0);
    CHECK(po && fnd_member_get(po, "returning")->kind == FND_NULL && fnd_member_get(po, "after")->kind == FND_NULL &&
              !fnd_member_get(po, "returning_checked")->v.b && fnd_member_get(po, "gap_open")->v.b &&
              fnd_member_get(po, "gap_suspected")->kind == FND_NULL && s2->v[0].nev == 1,
          "open: the going leg only, said so");
    /* no partner: the finding is left as it was */
    det_rdv_gap none[] = {g[1], g[3]};
    fnd_set *s3 = fnd_set_new();
    fnd_set_push(s3, &l);
    CHECK(det_rdv_amend(&o, s3, none, 2, paths, 2) == PEL_OK && s3->v[0].nmem == 1 &&
              !fnd_get(&s3->v[0], "possible_partners"),
          "no partner, no member");
    /* the written line, and the same again */
    char *line = NULL, *again = NULL;
    FILE *f = open_memstream(&line, &(size_t){0});
    fnd_write_jsonl(f, s2);
    fclose(f);
    CHECK(line && strstr(line, "\"possible_partners_total\":1,\"possible_partners\":[{\"mmsi\":5,\"gap_start\":") &&
              strstr(line, "\"after\":null,\"going\":{\"distance_nm\":6.0,") &&
              strstr(line, "\"returning_checked\":false,\"returning\":null}]"),
          "written: %s", line);
    fnd_set *s4 = fnd_set_new();
    fnd_set_push(s4, &l);
    det_rdv_amend(&o, s4, open1, 1, paths, 2);
    f = open_memstream(&again, &(size_t){0});
    fnd_write_jsonl(f, s4);
    fclose(f);
    CHECK(line && again && !strcmp(line, again), "the same input, the same line");
    free(line);
    free(again);
    fnd_set_free(s);
    fnd_set_free(s2);
    fnd_set_free(s3);
    fnd_set_free(s4);
}

int main(void) {
    tracks = calloc(8, sizeof *tracks);
    if (!tracks)
        return 1;
    det_enc_free(NULL);
    test_encounter();
    test_encounter_days();
    test_enc_tmpfile();
    test_loiter();
    test_rendezvous();
    test_grid();
    test_scale();
    free(tracks);
    printf("unit_detect: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
