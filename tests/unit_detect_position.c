/*
 * unit_detect_position.c -- unit tests of the position detector
 * (src/detect/det_position.c: spoofing kinds on_land, land_crossing,
 * common_point, circle; det_offset.c: offset) on synthetic tracks over the shipped land mask
 * (data/web/vendor/land-50m.json), and det_spoof.c's parallel segments
 * (interleaving, not nesting).  Prints one line per failure and
 * "unit_detect_position: N passed, M failed".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detectors.h"
#include "geo/geo.h"
#include "pelorus.h"

#include "check.h"
#include "seen.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define T0 1700000000000LL
#define MIN(m) (T0 + (int64_t)llround((m)*60000.0))

/* ---- the land mask as the scan gives it ------------------------------------ */

static geo_land *land;

static bool l_inland(void *ud, double lat, double lon, double km) {
    return geo_land_inland(ud, lat, lon, km);
}
static double l_depth(void *ud, double lat, double lon, double max_km) {
    return geo_land_depth_km(ud, lat, lon, max_km);
}
static double l_cross(void *ud, double lat1, double lon1, double lat2, double lon2, double m) {
    return geo_land_crossing_inland_km(ud, lat1, lon1, lat2, lon2, m);
}
static double l_route(void *ud, double lat1, double lon1, double lat2, double lon2, double m, double max_km) {
    return geo_land_sea_route_km(ud, lat1, lon1, lat2, lon2, m, max_km);
}

static det_geo geo;

/* ---- tracks and findings ------------------------------------------------- */

static pel_position trk[4][256];
static size_t ntrk[4];
static seen got[32];
static size_t ngot;

static void reset(void) {
    memset(ntrk, 0, sizeof ntrk);
    ngot = 0;
}

/* one position of vessel v at minute m */
static void pos(int v, double m, double lat, double lon) {
    pel_position *p = &trk[v][ntrk[v]];
    memset(p, 0, sizeof *p);
    p->mmsi = 273000001u + (uint32_t)v;
    p->t_ms = MIN(m);
    p->lat = (int32_t)lround(lat * PEL_DEG);
    p->lon = (int32_t)lround(lon * PEL_DEG);
    p->speed = 100;
    p->course = PEL_NA_COURSE;
    p->heading = PEL_NA_HEADING;
    p->status = PEL_NA_STATUS;
    p->type = 1;
    p->segment = 0;
    p->input = 1;
    p->line = (uint64_t)(v * 1000) + ntrk[v] + 1;
    ntrk[v]++;
}

static void collect(void *ud, const fnd_builder *f) {
    (void)ud;
    if (ngot < sizeof got / sizeof got[0])
        seen_of(&got[ngot], f);
    ngot++;
}

static bool has(const seen *f, const char *member) {
    return strstr(f->fields, member) != NULL;
}

static det_pos_opts opts(void) {
    det_pos_opts o;
    det_opts_default(&det_table[DET_POSITION], &o);
    return o;
}

/* Runs the detector's hooks over vessels 0..nv-1. */
static void run(const det_pos_opts *o, int nv) {
    det_env env = {0};
    env.geo = geo;
    det_call c = {.env = &env, .opts = o, .emit = collect};
    CHECK(det_pos_begin(&c) == PEL_OK, "begin");
    for (int v = 0; v < nv; v++)
        CHECK(det_pos_vessel(&c, trk[v][0].mmsi, trk[v], ntrk[v]) == PEL_OK, "vessel %d", v);
    CHECK(det_pos_finish(&c) == PEL_OK, "finish");
    det_pos_cleanup(&c);
    CHECK(c.state == NULL, "cleanup clears the state");
}

/* ---- on land ------------------------------------------------------------------ */

static void test_on_land(void) {
    det_pos_opts o = opts();
    /* at sea in Korea Bay every 10 minutes, then ten minutes later at
     * Pyongyang (about 110 km inland-ward: a jump), three reports there,
     * then back at sea */
    reset();
    for (int k = 0; k < 4; k++)
        pos(0, 10.0 * k, 38.9, 124.6 + 0.01 * k);
    for (int k = 0; k < 3; k++)
        pos(0, 40.0 + 10.0 * k, 39.03, 125.75);
    pos(0, 70, 38.9, 124.7);
    run(&o, 1);
    CHECK(ngot == 1, "one on_land finding, got %zu", ngot);
    if (ngot >= 1) {
        CHECK(has(&got[0], "\"kind\":\"on_land\",\"positions\":3,"), "on_land of 3 positions: %s", got[0].fields);
        CHECK(has(&got[0], "\"returned\":true"), "it came back: %s", got[0].fields);
        CHECK(got[0].nev == 5 && got[0].ev[0].line == 4 && got[0].ev[1].line == 5 && got[0].ev[4].line == 8,
              "evidence: the last position at sea, the run, the way back (%zu)", got[0].nev);
        CHECK(got[0].start_ms == MIN(40) && got[0].end_ms == MIN(60), "from the first inland report to the last");
        double depth = 0;
        const char *q = strstr(got[0].fields, "\"max_inland_km\":");
        if (q)
            depth = atof(q + 16);
        CHECK(depth >= 20 && depth <= 80, "Pyongyang is 20-80 km inland: %s", got[0].fields);
    }
    /* the same track, its inland reports an hour and a half later: the
     * vessel could have sailed up a river at 40 kn -- not judged */
    reset();
    for (int k = 0; k < 4; k++)
        pos(0, 10.0 * k, 38.9, 124.6 + 0.01 * k);
    for (int k = 0; k < 3; k++)
        pos(0, 200.0 + 10.0 * k, 39.03, 125.75);
    run(&o, 1);
    CHECK(ngot == 0, "inland at a believable speed: nothing, got %zu", ngot);
    /* a ship at Baton Rouge, on the Mississippi (66 km inland on the mask),
     * from its first report: never judged */
    reset();
    for (int k = 0; k < 20; k++)
        pos(0, 10.0 * k, 30.45, -91.18 + 0.0005 * k);
    run(&o, 1);
    CHECK(ngot == 0, "Baton Rouge from the first report: nothing, got %zu", ngot);
    /* a vessel coming up the river from the Gulf at 10 kn: neither on land
     * nor a crossing (its legs end inland) */
    reset();
    for (int k = 0; k <= 40; k++)
        pos(0, 30.0 * k, 29.0 + (30.45 - 29.0) * k / 40.0, -89.3 + (-91.18 + 89.3) * k / 40.0);
    run(&o, 1);
    CHECK(ngot == 0, "up the Mississippi at a ship's speed: nothing, got %zu", ngot);
    /* a jump onto a waterfront (not 5 km inland) is not on land */
    reset();
    pos(0, 0, 38.9, 124.6);
    pos(0, 5, 38.74, 125.38);
    run(&o, 1);
    CHECK(ngot == 0, "Nampo's waterfront: nothing, got %zu", ngot);
    /* inland_km 500: nowhere is that far inland in Korea */
    o.inland_km = 500;
    reset();
    pos(0, 0, 38.9, 124.6);
    pos(0, 10, 39.03, 125.75);
    run(&o, 1);
    CHECK(ngot == 0, "inland_km 500: nothing, got %zu", ngot);
}

/* ---- land crossings ------------------------------------------------------------- */

static void test_land_crossing(void) {
    det_pos_opts o = opts();
    CHECK(!geo_land_inland(land, 38.9, 124.9, 0) && !geo_land_inland(land, 39.2, 128.2, 0),
          "the test's ends are at sea");
    /* Korea Bay to the East Sea in 8 hours: 18 kn in a straight line over
     * the peninsula, the sea route round it over 1000 km */
    reset();
    pos(0, 0, 38.9, 124.9);
    pos(0, 480, 39.2, 128.2);
    run(&o, 1);
    CHECK(ngot == 1, "one land_crossing, got %zu", ngot);
    if (ngot >= 1) {
        CHECK(has(&got[0], "\"kind\":\"land_crossing\",\"to_lat\":39.200000,\"to_lon\":128.200000,"),
              "the leg's end: %s", got[0].fields);
        CHECK(has(&got[0], "\"hours\":8.00,\"reach_km\":592.6,"), "8 h, 593 km at 40 kn: %s", got[0].fields);
        CHECK(has(&got[0], "\"legs\":1,"), "one leg: %s", got[0].fields);
        CHECK(got[0].nev == 2 && got[0].ev[0].line == 1 && got[0].ev[1].line == 2, "evidence: both ends");
    }
    /* the same ends 3 days apart: it sailed round -- not impossible */
    reset();
    pos(0, 0, 38.9, 124.9);
    pos(0, 3 * 1440, 39.2, 128.2);
    run(&o, 1);
    CHECK(ngot == 0, "three days: a sea route fits, nothing, got %zu", ngot);
    /* the same ends 1 hour apart: impossible in a straight line already
     * (impossible_speed's), not a crossing */
    reset();
    pos(0, 0, 38.9, 124.9);
    pos(0, 60, 39.2, 128.2);
    run(&o, 1);
    CHECK(ngot == 0, "too fast in a straight line: not this detector's, got %zu", ngot);
    /* along the Yellow Sea: no land */
    reset();
    pos(0, 0, 37.0, 124.0);
    pos(0, 480, 35.0, 124.5);
    run(&o, 1);
    CHECK(ngot == 0, "the Yellow Sea: nothing, got %zu", ngot);
    /* through the Suez canal in 10 hours (Port Said to Suez, 160 km) */
    reset();
    pos(0, 0, 31.30, 32.32);
    pos(0, 600, 29.90, 32.55);
    run(&o, 1);
    CHECK(ngot == 0, "a Suez transit: nothing, got %zu", ngot);
    /* without a mask: nothing */
    det_geo saved = geo;
    geo = (det_geo){0};
    reset();
    pos(0, 0, 38.9, 124.9);
    pos(0, 480, 39.2, 128.2);
    run(&o, 1);
    CHECK(ngot == 0, "no land mask: nothing, got %zu", ngot);
    geo = saved;
}

/* ---- common points and circles ---------------------------------------------------- */

static void test_common_point(void) {
    det_pos_opts o = opts();
    /* three vessels each reported three times at one exact point in the
     * same hour (then elsewhere) */
    reset();
    for (int v = 0; v < 3; v++) {
        for (int k = 0; k < 3; k++)
            pos(v, 10.0 * k + v, 59.5, 24.5);
        pos(v, 40, 59.4 + 0.01 * v, 24.0);
    }
    run(&o, 3);
    CHECK(ngot == 3, "three common_point findings, got %zu", ngot);
    for (size_t i = 0; i < ngot && i < 3; i++) {
        CHECK(has(&got[i], "\"kind\":\"common_point\",\"reports\":3,\"vessels\":3,"), "%zu: %s", i, got[i].fields);
        CHECK(got[i].nev == 2 && got[i].nev_total == 3, "%zu: evidence first and last report of 3", i);
        CHECK(fabs(got[i].lat - 59.5) < 1e-9 && fabs(got[i].lon - 24.5) < 1e-9, "%zu: at the point", i);
    }
    if (ngot >= 1)
        CHECK(has(&got[0], "\"others\":[\"273000002\",\"273000003\"]"), "names the others: %s", got[0].fields);
    /* two vessels only: nothing */
    ngot = 0;
    run(&o, 2);
    CHECK(ngot == 0, "two vessels: nothing, got %zu", ngot);
    /* the third vessel there three days later: outside the 24 h window */
    reset();
    for (int v = 0; v < 3; v++)
        for (int k = 0; k < 3; k++)
            pos(v, 10.0 * k + (v == 2 ? 3 * 1440 : 0), 59.5, 24.5);
    run(&o, 3);
    CHECK(ngot == 0, "three days apart: nothing, got %zu", ngot);
    /* three receivers without a fix sending 0, 0: a fault, not a place */
    reset();
    for (int v = 0; v < 3; v++)
        for (int k = 0; k < 3; k++)
            pos(v, 10.0 * k, 0, 0);
    run(&o, 3);
    CHECK(ngot == 0, "0, 0: nothing, got %zu", ngot);
    /* three moored vessels a few metres apart, each reporting its own
     * coordinates again and again: nothing */
    reset();
    for (int v = 0; v < 3; v++)
        for (int k = 0; k < 6; k++)
            pos(v, 10.0 * k, 59.5 + 0.00005 * v, 24.5 + 0.00003 * (k % 2));
    run(&o, 3);
    CHECK(ngot == 0, "moored neighbours: nothing, got %zu", ngot);
}

/* positions of vessel v on a circle of r metres around (lat, lon), n of
 * them 30 degrees apart from angle a0, noise metres off the radius in
 * turn */
static void circle(int v, double m0, double lat, double lon, double r, int n, double a0, double noise) {
    for (int k = 0; k < n; k++) {
        double a = (a0 + 30.0 * k) * M_PI / 180.0, rr = r + (k % 2 ? noise : -noise);
        pos(v, m0 + 2.0 * k, lat + rr * sin(a) / 111320.0, lon + rr * cos(a) / (111320.0 * cos(lat * M_PI / 180.0)));
    }
}

static void test_circle(void) {
    det_pos_opts o = opts();
    /* three vessels near a terminal reported on circles of 1 km around one
     * point: each a circle finding naming the other two */
    reset();
    for (int v = 0; v < 3; v++) {
        pos(v, 0, 30.6 + 0.02 * v, 122.4); /* where it really was */
        circle(v, 10, 30.62, 122.3, 1000, 12, 40.0 * v, 0);
    }
    run(&o, 3);
    CHECK(ngot == 3, "three circle findings, got %zu", ngot);
    for (size_t i = 0; i < ngot && i < 3; i++) {
        CHECK(has(&got[i], "\"kind\":\"circle\",\"radius_m\":1000.0,"), "%zu: radius 1000 m: %s", i, got[i].fields);
        CHECK(has(&got[i], "\"arc_deg\":330,\"positions\":12,\"vessels\":3,"), "%zu: 12 positions, 330 degrees: %s", i,
              got[i].fields);
        CHECK(fabs(got[i].lat - 30.62) < 1e-4 && fabs(got[i].lon - 122.3) < 1e-4, "%zu: at the centre", i);
        CHECK(got[i].nev == 12 && got[i].ev[0].line == (uint64_t)(i * 1000 + 2), "%zu: the circle's positions", i);
    }
    /* the same, the radius 10 m off in turn (a ship turning): nothing */
    reset();
    for (int v = 0; v < 3; v++)
        circle(v, 10, 30.62, 122.3, 1000, 12, 40.0 * v, 10);
    run(&o, 3);
    CHECK(ngot == 0, "circles 10 m off: nothing, got %zu", ngot);
    /* two vessels: nothing; with min_vessels 1, a single exact circle is one */
    reset();
    for (int v = 0; v < 2; v++)
        circle(v, 10, 30.62, 122.3, 1000, 12, 40.0 * v, 0);
    run(&o, 2);
    CHECK(ngot == 0, "two vessels: nothing, got %zu", ngot);
    o.min_vessels = 1;
    ngot = 0;
    run(&o, 1);
    CHECK(ngot == 1 && has(&got[0], "\"vessels\":1,\"others\":[]"), "min_vessels 1: a lone circle, got %zu", ngot);
    o = opts();
    /* circles around centres 2 km apart: not one point */
    reset();
    for (int v = 0; v < 3; v++)
        circle(v, 10, 30.62 + 0.018 * v, 122.3, 1000, 12, 0, 0);
    run(&o, 3);
    CHECK(ngot == 0, "three centres: nothing, got %zu", ngot);
    /* a half circle and less: 5 positions 30 degrees apart are 120 degrees */
    reset();
    for (int v = 0; v < 3; v++)
        circle(v, 10, 30.62, 122.3, 1000, 5, 0, 0);
    run(&o, 3);
    CHECK(ngot == 0, "too few positions: nothing, got %zu", ngot);
    /* straight tracks: nothing */
    reset();
    for (int v = 0; v < 3; v++)
        for (int k = 0; k < 20; k++)
            pos(v, 2.0 * k, 30.5 + 0.001 * k, 122.5 + 0.002 * k + 0.01 * v);
    run(&o, 3);
    CHECK(ngot == 0, "straight tracks: nothing, got %zu", ngot);
}

/* ---- fixed offsets (det_offset.c) ----------------------------------------------- */

/* Vessel 0 sailing east at 12 kn along 35 N, a report every 2 minutes, n
 * of them; reports a <= k < b shifted by (dlat, dlon) degrees, in a
 * segment of their own (seg), as the segmenter would put them. */
static void offset_track(int n, int a, int b, double dlat, double dlon, int seg) {
    for (int k = 0; k < n; k++) {
        bool in = k >= a && k < b;
        pos(0, 2.0 * k, 35.0 + (in ? dlat : 0), 124.0 + 0.00812 * k + (in ? dlon : 0));
        if (in)
            trk[0][k].segment = seg;
    }
}

static void run_offset(const det_pos_opts *o) {
    CHECK(det_pos_offset_track(o, trk[0][0].mmsi, trk[0], ntrk[0], collect, NULL) == PEL_OK, "offset track");
}

static void test_offset(void) {
    det_pos_opts o = opts();
    /* displaced 0.2 degrees north (22 km) for six reports and back */
    reset();
    offset_track(30, 10, 16, 0.2, 0, 1);
    run_offset(&o);
    CHECK(ngot == 1, "displaced and back: one finding, got %zu", ngot);
    if (ngot >= 1) {
        CHECK(has(&got[0], "\"kind\":\"offset\",\"offset_km\":22.3,\"bearing_deg\":0,\"positions\":6,"
                           "\"duration_h\":0.17,\"mismatch_m\":0"),
              "offset members: %s", got[0].fields);
        CHECK(got[0].nev == 4 && got[0].ev[0].line == 10 && got[0].ev[1].line == 11 && got[0].ev[2].line == 16 &&
                  got[0].ev[3].line == 17,
              "evidence: the last true position, the run's ends, the first true one after (%zu)", got[0].nev);
        CHECK(got[0].start_ms == MIN(20) && got[0].end_ms == MIN(30), "from the first displaced report to the last");
    }
    /* the whole pipeline's view: the hook finds it too */
    reset();
    offset_track(30, 10, 16, 0.2, 0, 1);
    run(&o, 1);
    CHECK(ngot == 1 && has(&got[0], "\"kind\":\"offset\""), "through the hook: one offset, got %zu", ngot);
    /* back by half the vector only: the jumps do not cancel */
    reset();
    offset_track(30, 10, 16, 0.2, 0, 1);
    for (int k = 16; k < 30; k++)
        trk[0][k].lat += (int32_t)lround(0.1 * PEL_DEG);
    run_offset(&o);
    CHECK(ngot == 0, "jumps that do not cancel: nothing, got %zu", ngot);
    /* 0.05 degrees (5.6 km): under offset_min_km; found when it is lowered */
    reset();
    offset_track(30, 10, 16, 0.05, 0, 1);
    run_offset(&o);
    CHECK(ngot == 0, "a 5.6 km offset: nothing, got %zu", ngot);
    o.offset_min_km = 5;
    run_offset(&o);
    CHECK(ngot == 1 && has(&got[0], "\"offset_km\":5.6,"), "offset_min_km 5: found (%s)", ngot ? got[0].fields : "");
    o = opts();
    /* displaced until the end: a relocation or a second transmitter, not judged */
    reset();
    offset_track(30, 10, 30, 0.2, 0, 1);
    run_offset(&o);
    CHECK(ngot == 0, "open at the end: nothing, got %zu", ngot);
    /* two reports displaced: too few; found with offset_min_positions 2 */
    reset();
    offset_track(30, 10, 12, 0.2, 0, 1);
    run_offset(&o);
    CHECK(ngot == 0, "two displaced reports: nothing, got %zu", ngot);
    o.offset_min_positions = 2;
    run_offset(&o);
    CHECK(ngot == 1 && has(&got[0], "\"positions\":2,"), "offset_min_positions 2: found");
    o = opts();
    /* two runs: north 22 km, later east 0.3 degrees (27 km), in time order */
    reset();
    offset_track(60, 10, 15, 0.2, 0, 1);
    for (int k = 30; k < 36; k++) {
        trk[0][k].lon += (int32_t)lround(0.3 * PEL_DEG);
        trk[0][k].segment = 2;
    }
    run_offset(&o);
    CHECK(ngot == 2, "two displaced runs: two findings, got %zu", ngot);
    if (ngot == 2) {
        CHECK(has(&got[0], "\"bearing_deg\":0,\"positions\":5,") && got[0].start_ms == MIN(20), "the first, north: %s",
              got[0].fields);
        CHECK(has(&got[1], "\"offset_km\":27.4,\"bearing_deg\":90,\"positions\":6,") && got[1].start_ms == MIN(60),
              "the second, east: %s", got[1].fields);
    }
    /* a ship at 15 kn reporting every 10 minutes: each jump is 4.6 km off
     * the vector, the prediction takes it out */
    reset();
    for (int k = 0; k < 20; k++) {
        bool in = k >= 8 && k < 12;
        pos(0, 10.0 * k, 35.0 + 0.0416 * k + (in ? -0.15 : 0), 124.0 + (in ? 0.15 : 0));
        trk[0][k].segment = in;
    }
    run_offset(&o);
    CHECK(ngot == 1 && has(&got[0], "\"bearing_deg\":141,"), "15 kn, 10 minutes apart: found (%s)",
          ngot ? got[0].fields : "");
    /* two transmitters taking turns, four reports each, 22 km apart:
     * parallel segments (det_spoof.c), never offsets */
    reset();
    for (int k = 0; k < 40; k++) {
        bool b = (k / 4) % 2;
        pos(0, 2.0 * k, 35.0 + (b ? 0.2 : 0), 124.0);
        trk[0][k].segment = b;
    }
    run_offset(&o);
    CHECK(ngot == 0, "two transmitters interleaving: nothing, got %zu", ngot);
    det_spoof_track(trk[0][0].mmsi, trk[0], ntrk[0], NULL, NULL, &o, collect, NULL);
    CHECK(ngot == 1 && has(&got[0], "\"kind\":\"parallel_segments\""),
          "and det_spoof.c still sees them parallel (got %zu)", ngot);
    /* a clone sailing 60 km away, heard in turns with the ship: blocks of
     * one report (too few) and of three (judged), the clone's track going
     * on from one to the next -- no offset */
    reset();
    for (int k = 0, blk = 0; k < 80; blk++) {
        int len = blk % 2 ? (blk % 4 == 1 ? 3 : 1) : 4;
        for (int q = 0; q < len && k < 80; q++, k++) {
            bool b = blk % 2;
            pos(0, 1.0 * k, 35.0 + 0.0028 * k + (b ? 0.55 : 0), 124.0 + (b ? -0.1 + 0.0019 * k : 0));
            trk[0][k].segment = b;
        }
    }
    run_offset(&o);
    CHECK(ngot == 0, "a moving clone heard in turns: nothing, got %zu", ngot);
    /* an hour displaced as the segmenter cuts it: the run's first reports
     * in a segment of their own, the rest in the true one once it can
     * reach them, the first true reports after it in the run's -- two
     * interleaving segments; det_spoof.c takes the run out and sees one
     * transmitter and its jump */
    reset();
    offset_track(70, 10, 40, 0.2, 0, 0);
    for (int k = 0; k < 70; k++)
        trk[0][k].segment = (k >= 10 && k < 15) || (k >= 40 && k < 45);
    trk[0][10].flags = PEL_POS_SUSPECT_SPEED;
    det_spoof_track(trk[0][0].mmsi, trk[0], ntrk[0], NULL, NULL, NULL, collect, NULL);
    CHECK(ngot == 1 && has(&got[0], "\"kind\":\"parallel_segments\""),
          "without the offsets: parallel segments (the jump a second transmitter's), got %zu", ngot);
    reset();
    offset_track(70, 10, 40, 0.2, 0, 0);
    for (int k = 0; k < 70; k++)
        trk[0][k].segment = (k >= 10 && k < 15) || (k >= 40 && k < 45);
    trk[0][10].flags = PEL_POS_SUSPECT_SPEED;
    det_spoof_track(trk[0][0].mmsi, trk[0], ntrk[0], NULL, NULL, &o, collect, NULL);
    CHECK(ngot == 1 && has(&got[0], "\"kind\":\"impossible_speed\",\"jumps\":1"),
          "with them: the jump alone (got %zu: %s)", ngot, ngot ? got[0].fields : "");
    run_offset(&o);
    CHECK(ngot == 2 && has(&got[1], "\"kind\":\"offset\",\"offset_km\":22.3,\"bearing_deg\":0,\"positions\":30,"),
          "and the offset (%s)", ngot == 2 ? got[1].fields : "");
}

/* ---- parallel segments: interleaving, not nesting (det_spoof.c) ---------------- */

static void test_parallel(void) {
    /* a position moved far away for half an hour and back: segment 1
     * nested in a silence of segment 0 -- its jump, not two transmitters */
    reset();
    for (int k = 0; k < 6; k++)
        pos(0, 10.0 * k, 35.0, 124.0 + 0.01 * k);
    for (int k = 0; k < 3; k++) {
        pos(0, 60.0 + 10.0 * k, 39.0, 125.9);
        trk[0][ntrk[0] - 1].segment = 1;
    }
    trk[0][6].flags = PEL_POS_SUSPECT_SPEED;
    for (int k = 0; k < 3; k++)
        pos(0, 90.0 + 10.0 * k, 35.0, 124.1 + 0.01 * k);
    det_spoof_track(trk[0][0].mmsi, trk[0], ntrk[0], NULL, NULL, NULL, collect, NULL);
    CHECK(ngot == 1 && has(&got[0], "\"kind\":\"impossible_speed\",\"jumps\":1"),
          "nested: one impossible_speed, no parallel_segments (got %zu: %s)", ngot, ngot ? got[0].fields : "");
    /* two transmitters taking turns: parallel */
    reset();
    for (int k = 0; k < 8; k++) {
        pos(0, 10.0 * k, k % 2 ? 39.0 : 35.0, k % 2 ? 125.9 : 124.0);
        trk[0][k].segment = k % 2;
    }
    det_spoof_track(trk[0][0].mmsi, trk[0], ntrk[0], NULL, NULL, NULL, collect, NULL);
    CHECK(ngot == 1 && has(&got[0], "\"kind\":\"parallel_segments\",\"segment_a\":0,\"segment_b\":1,"),
          "interleaved: parallel_segments (got %zu: %s)", ngot, ngot ? got[0].fields : "");
}

int main(void) {
    pel_error err = {0};
    if (geo_land_load("data/web/vendor/land-50m.json", &land, &err) != PEL_OK) {
        CHECK(0, "land-50m.json: %s", err.msg);
        printf("unit_detect_position: %d passed, %d failed\n", passed, failed);
        return 1;
    }
    geo = (det_geo){.land_inland = l_inland,
                    .land_depth_km = l_depth,
                    .land_crossing_km = l_cross,
                    .sea_route_km = l_route,
                    .ud = land};
    test_on_land();
    test_land_crossing();
    test_common_point();
    test_circle();
    test_parallel();
    test_offset();
    geo_land_free(land);
    printf("unit_detect_position: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
