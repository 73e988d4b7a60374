/*
 * unit_detect_vessel.c -- unit tests of the per-vessel detectors (gaps,
 * port visits, zone stays: src/detect/detectors.h) on synthetic tracks
 * built here, with a stub geography (two ports, one of concern; one square
 * zone) and stub store callbacks.  Prints one line per failure and
 * "unit_detect_vessel: N passed, M failed".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detectors.h"
#include "pelorus.h"

#include "check.h"
#include "seen.h"

#define T0 1700000000000LL
#define H(h) (T0 + (int64_t)llround((h)*3600000.0))
#define MMSI 273123456u

/* ---- stub geography ------------------------------------------------------ */

// clang-format off
static const struct { const char *name; double lat, lon; int concern; } ports[] = {
    {"Alphaport", 10.0, 20.0, 0},
    {"Betaport",  30.0, 40.0, 1},
};
// clang-format on

static double hav_m(double lat1, double lon1, double lat2, double lon2) {
    double r = 3.14159265358979323846 / 180, dl = (lat2 - lat1) * r, dn = (lon2 - lon1) * r;
    double a = sin(dl / 2) * sin(dl / 2) + cos(lat1 * r) * cos(lat2 * r) * sin(dn / 2) * sin(dn / 2);
    return 2 * 6371008.8 * asin(sqrt(a));
}

static double stub_port_dist(void *ud, double lat, double lon, int *port) {
    (void)ud;
    double best = INFINITY;
    for (int i = 0; i < 2; i++) {
        double d = hav_m(lat, lon, ports[i].lat, ports[i].lon);
        if (d < best) {
            best = d;
            *port = i;
        }
    }
    return best;
}
static const char *stub_port_name(void *ud, int i) {
    return (void)ud, ports[i].name;
}
static int stub_port_concern(void *ud, int i) {
    return (void)ud, ports[i].concern;
}
/* zone 0 "Box": 0 <= lat < 1, 0 <= lon < 1 */
static int stub_zones(void *ud, double lat, double lon, int *out, int cap) {
    (void)ud;
    if (cap > 0 && lat >= 0 && lat < 1 && lon >= 0 && lon < 1) {
        out[0] = 0;
        return 1;
    }
    return 0;
}
static const char *stub_zone_name(void *ud, int z) {
    return (void)ud, z == 0 ? "Box" : "?";
}

static const det_geo geo = {.port_dist_m = stub_port_dist,
                            .port_name = stub_port_name,
                            .port_concern = stub_port_concern,
                            .zones_at = stub_zones,
                            .zone_name = stub_zone_name};

/* ---- stub store callbacks ------------------------------------------------ */

/* What every coverage cell the gap detector asks about heard (stub_cell). */
enum {
    CELLS_NONE = 0,     /* nothing ever: no baseline, no station (sparse) */
    CELLS_KEPT,         /* 90 % of its slots outside the gap and during it */
    CELLS_SILENT,       /* 90 % outside, none during (a hole) */
    CELLS_STATION_UP,   /* thin (2 %), its station kept hearing */
    CELLS_STATION_DOWN, /* thin (2 %), its station fell silent */
    CELLS_SATELLITE,    /* a pass every 90 min: 1 slot in 9, during it too; no continuous station */
    CELLS_HALF,         /* even cell ids kept hearing, odd ones fell silent */
};
static int others_count; /* a CELLS_ value */
static int others_calls;
static int64_t others_from, others_to;
static double draught_before = NAN, draught_after = NAN;

static pel_status stub_cell(void *ud, uint32_t mmsi, uint32_t cell, int64_t from_ms, int64_t to_ms,
                            const det_own_hour *own, size_t nown, det_cell_heard *h) {
    (void)ud, (void)mmsi, (void)own, (void)nown;
    others_calls++;
    others_from = from_ms;
    others_to = to_ms;
    long w = (long)((to_ms - from_ms) / 600000), b = 288;
    int mode = others_count == CELLS_HALF ? (cell % 2 ? CELLS_SILENT : CELLS_KEPT) : others_count;
    *h = (det_cell_heard){.slots = w, .base_slots = b, .base_hours = 48.0, .base_vessels = 5, .served = -1};
    switch (mode) {
    case CELLS_KEPT:
        h->slots_heard = w * 9 / 10;
        h->base_heard = b * 9 / 10;
        h->positions = w * 3;
        h->base_positions = b * 3;
        break;
    case CELLS_SILENT:
        h->base_heard = b * 9 / 10;
        h->base_positions = b * 3;
        break;
    case CELLS_STATION_UP:
    case CELLS_STATION_DOWN:
        h->base_heard = b / 50;
        h->base_positions = b / 10;
        h->served = mode == CELLS_STATION_UP;
        h->station = "rx-a";
        break;
    case CELLS_SATELLITE:
        h->slots_heard = w / 9;
        h->base_heard = b / 9;
        h->positions = w / 9 * 5;
        h->base_positions = b / 9 * 5;
        break;
    default:
        break;
    }
    return PEL_OK;
}
static double stub_draught(void *ud, uint32_t mmsi, int64_t t_ms, bool before) {
    (void)ud, (void)mmsi, (void)t_ms;
    return before ? draught_before : draught_after;
}

/* ---- tracks and findings ------------------------------------------------- */

static pel_position trk[512];
static size_t ntrk;
static seen got[32];
static size_t ngot;

static void reset(void) {
    ntrk = ngot = 0;
    others_count = 0;
    others_calls = 0;
    draught_before = draught_after = NAN;
}

/* one position at hour h; kn < 0 means speed not available */
static void pos(double h, double lat, double lon, double kn, int32_t seg) {
    pel_position *p = &trk[ntrk];
    memset(p, 0, sizeof *p);
    p->mmsi = MMSI;
    p->t_ms = H(h);
    p->lat = (int32_t)lround(lat * PEL_DEG);
    p->lon = (int32_t)lround(lon * PEL_DEG);
    p->speed = kn < 0 ? PEL_NA_SPEED : (uint16_t)lround(kn * 10);
    p->course = PEL_NA_COURSE;
    p->heading = PEL_NA_HEADING;
    p->status = PEL_NA_STATUS;
    p->type = 1;
    p->segment = seg;
    p->input = 1;
    p->line = ntrk + 1;
    ntrk++;
}

/* hourly positions from h0 to h1 inclusive at one place */
static void hourly(double h0, double h1, double lat, double lon, double kn, int32_t seg) {
    for (double h = h0; h <= h1 + 1e-9; h += 1)
        pos(h, lat, lon, kn, seg);
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

/* the fields must be JSON members: wrapped in braces they parse as an
 * object (checked loosely: balanced quotes and braces, no trailing comma) */
static bool fields_ok(const seen *f) {
    size_t n = strlen(f->fields);
    int depth = 0, quotes = 0;
    for (size_t i = 0; i < n; i++) {
        if (f->fields[i] == '\\') {
            i++;
            continue;
        }
        if (f->fields[i] == '"')
            quotes ^= 1;
        else if (!quotes && f->fields[i] == '{')
            depth++;
        else if (!quotes && f->fields[i] == '}')
            depth--;
    }
    return n > 0 && f->fields[0] == '"' && f->fields[n - 1] != ',' && depth == 0 && quotes == 0;
}

static det_gap_context ctx_full(int64_t end_ms) {
    return (det_gap_context){.draught_at = stub_draught, .cell_heard = stub_cell, .data_end_ms = end_ms};
}

/* ---- gaps ---------------------------------------------------------------- */

static void test_gap_defaults(void) {
    det_gap_opts o;
    det_gap_default_opts(&o);
    CHECK(o.min_gap_h == 12 && o.port_radius_m == 5000 && o.open_radius_m == 50000 && o.min_baseline == 0.5 &&
              o.keep_ratio == 0.5 && o.silent_vessels == 3 && o.serve_hours == 3 && o.dark_share == 0.8 &&
              o.coverage_margin_s == 1800 && o.draught_change_m == 0.5,
          "gap defaults");
}

/* a short gap: the coverage margin is at most a quarter of the gap */
static void test_gap_margin_quarter(void) {
    reset();
    hourly(0, 5, 5.0, 60.0, 11, 0);
    hourly(6.6, 8.6, 5.0, 60.0 + 1.6 * 11 / 60.0, 11, 0);
    det_gap_opts o;
    det_gap_default_opts(&o);
    o.min_gap_h = 1.5;
    det_gap_context ctx = ctx_full(H(8.6));
    pel_status st = det_gap_track(&o, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(st == PEL_OK && ngot == 1, "margin: %zu gaps", ngot);
    CHECK(others_calls >= 1 && others_from == H(5) + 1440000 && others_to == H(6.6) - 1440000,
          "margin: a 1.6 h gap leaves out 24 min at each end, not 30 (%lld..%lld)", (long long)others_from,
          (long long)others_to);
}

/* the cells of the mid-sea gap's path, 5N 60E to 5N 62.57E: 2.57 degrees
 * of 0.1253 (2869 columns at 5N), from the cell west of 60E, in the two
 * rows of cells (4.875..5 and 5..5.125N) the 15 km corridor meets */
#define NC_MID_SEA 44

/* want with every "NC" replaced by nc */
static void expand_nc(char *out, size_t size, const char *want, int nc) {
    size_t k = 0;
    for (const char *p = want; *p && k + 8 < size; p++)
        if (p[0] == 'N' && p[1] == 'C') {
            k += (size_t)snprintf(out + k, size - k, "%d", nc);
            p++;
        } else
            out[k++] = *p;
    out[k] = 0;
}

static void test_gap_mid_sea(void) {
    /* 14 h silence at sea (5N 60E), hourly otherwise; others heard */
    static const struct {
        int cells;
        bool with_cb;
        const char *expect;
    } cases[] = {
        {CELLS_KEPT, true,
         "\"cause\":\"dark\",\"suspected\":true,\"cells\":NC,\"cells_baseline\":NC,\"cells_heard\":NC,"},
        {CELLS_SILENT, true,
         "\"cause\":\"coverage\",\"suspected\":false,\"cells\":NC,\"cells_baseline\":NC,\"cells_heard\":0,"},
        {CELLS_NONE, true,
         "\"cause\":\"sparse\",\"suspected\":false,\"cells\":NC,\"cells_baseline\":0,\"cells_heard\":0,\"coverage_"
         "cells\":[]"},
        {CELLS_STATION_UP, true,
         "\"cause\":\"dark\",\"suspected\":true,\"cells\":NC,\"cells_baseline\":NC,\"cells_heard\":NC,"},
        {CELLS_STATION_DOWN, true,
         "\"cause\":\"coverage\",\"suspected\":false,\"cells\":NC,\"cells_baseline\":NC,\"cells_heard\":0,"},
        {CELLS_SATELLITE, true, "\"cause\":\"sparse\",\"suspected\":false,\"cells\":NC,\"cells_baseline\":0,"},
        {CELLS_HALF, true,
         "\"cause\":\"coverage\",\"suspected\":false,\"cells\":NC,\"cells_baseline\":NC,\"cells_heard\":"},
        {CELLS_NONE, false, "\"cause\":null,\"suspected\":null,\"coverage\":\"unknown\""},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        reset();
        hourly(0, 5, 5.0, 60.0, 11, 0);
        hourly(19, 24, 5.0, 60.0 + 14 * 11 / 60.0, 11, 0);
        others_count = cases[c].cells;
        det_gap_context ctx = ctx_full(H(24));
        if (!cases[c].with_cb)
            ctx.cell_heard = NULL;
        pel_status st = det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
        CHECK(st == PEL_OK && ngot == 1, "mid-sea %zu: %zu gaps", c, ngot);
        if (ngot != 1)
            continue;
        const seen *f = &got[0];
        CHECK(strcmp(f->event, "gap") == 0 && f->mmsi == MMSI, "mid-sea %zu: event", c);
        CHECK(f->start_ms == H(5) && f->end_ms == H(19), "mid-sea %zu: %lld..%lld", c, (long long)f->start_ms,
              (long long)f->end_ms);
        CHECK(fabs(f->lat - 5.0) < 1e-6 && fabs(f->lon - 60.0) < 1e-6, "mid-sea %zu: where", c);
        CHECK(has(f, "\"open\":false,\"duration_h\":14.00"), "mid-sea %zu: %s", c, f->fields);
        char want[512];
        expand_nc(want, sizeof want, cases[c].expect, NC_MID_SEA);
        CHECK(has(f, want), "mid-sea %zu: want %s in %s", c, want, f->fields);
        CHECK(has(f, "\"start_near_port\":false") && has(f, "\"end_near_port\":false") &&
                  has(f, "\"near_port_of_concern\":false"),
              "mid-sea %zu: ports %s", c, f->fields);
        CHECK(has(f, "\"draught_changed\":null"), "mid-sea %zu: draught %s", c, f->fields);
        /* 14 h at 11 kn due east at 5N: 153.5 nm (cos 5 deg), implied 10.97 kn */
        CHECK(has(f, "\"distance_nm\":153.52,\"implied_speed_kn\":10.97"), "mid-sea %zu: speed %s", c, f->fields);
        CHECK(f->nev == 2 && f->ev[0].line == 6 && f->ev[1].line == 7, "mid-sea %zu: evidence", c);
        CHECK(fields_ok(f), "mid-sea %zu: json %s", c, f->fields);
        if (cases[c].with_cb)
            /* every cell of the path asked, the first and last 30 min of the gap left out */
            CHECK(others_calls == NC_MID_SEA && others_from == H(5) + 1800000 && others_to == H(19) - 1800000,
                  "mid-sea %zu: cell_heard args (%d calls)", c, others_calls);
    }
}

static void test_gap_none(void) {
    /* 8 h silence: not a gap */
    reset();
    hourly(0, 5, 5.0, 60.0, 11, 0);
    hourly(13, 20, 5.0, 61.0, 11, 0);
    det_gap_context ctx = ctx_full(H(20));
    det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 0, "8 h silence: %zu gaps", ngot);

    /* exactly 12 h: a gap (at least min_gap_h) */
    reset();
    hourly(0, 5, 5.0, 60.0, 11, 0);
    hourly(17, 20, 5.0, 61.0, 11, 0);
    ctx = ctx_full(H(20));
    det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1 && got[0].start_ms == H(5) && got[0].end_ms == H(17), "12 h silence: %zu gaps", ngot);

    /* two transmitters on one MMSI, far apart, each hourly, interleaved:
     * no gap, even though each position's neighbour in time is the other
     * transmitter's and 30 h of data pass */
    reset();
    for (int h = 0; h <= 30; h++) {
        pos(h, 5.0, 60.0, 10, 0);
        pos(h + 0.5, -20.0, 100.0, 10, 1);
    }
    ctx = ctx_full(H(30.5));
    det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 0, "two transmitters: %zu gaps", ngot);

    /* ... and when one of them falls silent 14 h while the other goes on,
     * the silent one has a gap, never one between the two */
    reset();
    for (int h = 0; h <= 30; h++) {
        if (h <= 5 || h >= 19)
            pos(h, 5.0, 60.0, 10, 0);
        pos(h + 0.5, -20.0, 100.0, 10, 1);
    }
    ctx = ctx_full(H(30.5));
    det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1 && got[0].start_ms == H(5) && got[0].end_ms == H(19) && fabs(got[0].lat - 5.0) < 1e-6,
          "one of two silent: %zu gaps", ngot);
    CHECK(ngot == 1 && has(&got[0], "\"segment_before\":0,\"segment_after\":0,\"same_mmsi_other_positions\":14"),
          "one of two silent: %s", ngot ? got[0].fields : "");
}

static void test_gap_segments(void) {
    /* a segment closes after 24 h of silence; the next one takes over: the
     * gap spans the two segments */
    reset();
    hourly(0, 5, 5.0, 60.0, 11, 0);
    hourly(40, 45, 6.0, 62.0, 11, 1);
    det_gap_context ctx = ctx_full(H(45));
    det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1 && got[0].start_ms == H(5) && got[0].end_ms == H(40), "hand-over: %zu gaps", ngot);
    CHECK(ngot == 1 && has(&got[0], "\"duration_h\":35.00") && has(&got[0], "\"segment_before\":0,\"segment_after\":1"),
          "hand-over: %s", ngot ? got[0].fields : "");

    /* chains: interleaved segments are not linked, a hand-over is */
    reset();
    pos(0, 5, 60, 10, 0);
    pos(0.5, -20, 100, 10, 1);
    pos(1, 5, 60, 10, 0);
    pos(1.5, -20, 100, 10, 1);
    pos(30, 5, 61, 10, 2);
    size_t *l = det_vessel_chains(trk, ntrk);
    CHECK(l != NULL, "chains: allocation");
    if (l) {
        const size_t *next = l, *prev = l + ntrk;
        CHECK(next[0] == 2 && next[1] == 3 && next[2] == DET_CHAIN_END && next[3] == 4 && next[4] == DET_CHAIN_END,
              "chains: next %zu %zu %zu %zu", next[0], next[1], next[2], next[3]);
        CHECK(prev[0] == DET_CHAIN_END && prev[1] == DET_CHAIN_END && prev[4] == 3, "chains: prev");
        free(l);
    }
    CHECK(det_vessel_chains(trk, 0) == NULL, "chains: empty");
}

static void test_gap_open(void) {
    reset();
    hourly(0, 5, 5.0, 60.0, 11, 0);
    others_count = CELLS_KEPT;
    det_gap_context ctx = ctx_full(H(30));
    det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1, "open: %zu gaps", ngot);
    if (ngot == 1) {
        CHECK(got[0].start_ms == H(5) && got[0].end_ms == H(30), "open: times");
        CHECK(has(&got[0], "\"open\":true,\"duration_h\":25.00,\"distance_nm\":null,\"implied_speed_kn\":null"),
              "open: %s", got[0].fields);
        CHECK(has(&got[0], "\"segment_after\":null") && has(&got[0], "\"end_port\":null") &&
                  has(&got[0], "\"suspected\":true"),
              "open: %s", got[0].fields);
        CHECK(others_to == H(30) - 1800000, "open: cell_heard until data end, less the margin");
        /* the cells within 50 km of the last position */
        CHECK(has(&got[0],
                  "\"cause\":\"dark\",\"suspected\":true,\"cells\":41,\"cells_baseline\":41,\"cells_heard\":41,"),
              "open: cells %s", got[0].fields);
        CHECK(got[0].nev == 1 && got[0].ev[0].line == 6, "open: evidence");
        CHECK(fields_ok(&got[0]), "open: json %s", got[0].fields);
    }
    /* 12 h before the end exactly: not yet open (more than min_gap_h) */
    reset();
    hourly(0, 5, 5.0, 60.0, 11, 0);
    ctx = ctx_full(H(17));
    det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 0, "open at 12 h: %zu", ngot);
    /* unknown data end: no open gap */
    ctx = ctx_full(0);
    det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
    det_gap_track(NULL, NULL, NULL, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 0, "open, end unknown: %zu", ngot);
}

static void test_gap_port_of_concern(void) {
    /* moored 1.1 km from Betaport (of concern), silent 14 h, then at sea */
    reset();
    hourly(0, 5, 30.01, 40.0, 0, 0);
    hourly(19, 22, 30.5, 41.0, 12, 0);
    others_count = CELLS_NONE;
    det_gap_context ctx = ctx_full(H(22));
    det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1, "port of concern: %zu gaps", ngot);
    if (ngot == 1) {
        CHECK(got[0].start_ms == H(5) && got[0].end_ms == H(19), "port of concern: times");
        CHECK(has(&got[0], "\"start_near_port\":true,\"start_port\":\"Betaport\",\"start_port_concern\":true,"
                           "\"start_port_dist_km\":1.1"),
              "port of concern: %s", got[0].fields);
        CHECK(has(&got[0], "\"end_near_port\":false,\"end_port\":null") &&
                  has(&got[0], "\"near_port_of_concern\":true"),
              "port of concern: %s", got[0].fields);
        CHECK(has(&got[0], "\"suspected\":false"), "port of concern: suspected %s", got[0].fields);
    }
    /* near the other port (not of concern) */
    reset();
    hourly(0, 5, 10.0, 20.02, 0, 0);
    hourly(19, 22, 10.0, 20.03, 0, 0);
    det_gap_track(NULL, &geo, NULL, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1 && has(&got[0], "\"start_port\":\"Alphaport\",\"start_port_concern\":false") &&
              has(&got[0], "\"end_port\":\"Alphaport\"") && has(&got[0], "\"near_port_of_concern\":false") &&
              has(&got[0], "\"coverage\":\"unknown\""),
          "alphaport: %s", ngot ? got[0].fields : "");
    /* no geography at all */
    reset();
    hourly(0, 5, 10.0, 20.02, 0, 0);
    hourly(19, 22, 10.0, 20.03, 0, 0);
    det_gap_track(NULL, NULL, NULL, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1 && has(&got[0], "\"start_near_port\":null") && has(&got[0], "\"near_port_of_concern\":null") &&
              fields_ok(&got[0]),
          "no geo: %s", ngot ? got[0].fields : "");
}

static void test_gap_draught(void) {
    static const struct {
        double before, after;
        const char *expect;
    } cases[] = {
        {8.0, 14.5, "\"draught_before_m\":8.0,\"draught_after_m\":14.5,\"draught_changed\":true"},
        {8.0, 8.2, "\"draught_before_m\":8.0,\"draught_after_m\":8.2,\"draught_changed\":false"},
        {14.5, 14.0, "\"draught_changed\":true"},
        {NAN, 9.0, "\"draught_before_m\":null,\"draught_after_m\":9.0,\"draught_changed\":null"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        reset();
        hourly(0, 5, 5.0, 60.0, 11, 0);
        hourly(19, 24, 5.0, 61.0, 11, 0);
        draught_before = cases[c].before;
        draught_after = cases[c].after;
        det_gap_context ctx = ctx_full(H(24));
        det_gap_track(NULL, &geo, &ctx, MMSI, trk, ntrk, NULL, collect, NULL);
        CHECK(ngot == 1 && has(&got[0], cases[c].expect), "draught %zu: %s", c, ngot ? got[0].fields : "");
    }
}

/* ---- port visits --------------------------------------------------------- */

/* latitude offset north of Alphaport for a distance in km */
static double km_n(double km) {
    return 10.0 + km / 111.195;
}

static void test_port(void) {
    det_port_opts o;
    det_port_default_opts(&o);
    CHECK(o.entry_m == 3000 && o.exit_m == 4000 && o.stop_kn == 0.5, "port defaults");

    /* approach, stop, leave */
    reset();
    pos(0, km_n(20), 20.0, 12, 0);
    pos(1, km_n(5), 20.0, 10, 0);
    pos(2, km_n(2.5), 20.0, 6, 0);   /* entry: line 3 */
    pos(3, km_n(0.5), 20.0, 0.2, 0); /* stop: line 4 */
    pos(9, km_n(0.5), 20.0, 0.0, 0);
    pos(20, km_n(3.8), 20.0, 8, 0); /* last inside 4 km: line 6 */
    pos(21, km_n(6), 20.0, 12, 0);  /* out: line 7 */
    det_port_track(NULL, &geo, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1, "visit: %zu", ngot);
    if (ngot == 1) {
        const seen *f = &got[0];
        CHECK(strcmp(f->event, "port_visit") == 0 && f->start_ms == H(2) && f->end_ms == H(20),
              "visit: times %lld %lld", (long long)(f->start_ms - T0), (long long)(f->end_ms - T0));
        CHECK(has(f, "\"port\":\"Alphaport\",\"port_index\":0,\"port_concern\":false,\"duration_h\":18.00,"
                     "\"positions\":4,\"min_speed_kn\":0.0,\"stopped\":true,\"exit\":\"left\",\"open\":false"),
              "visit: %s", f->fields);
        CHECK(f->nev == 4 && f->ev[0].line == 3 && f->ev[1].line == 4 && f->ev[2].line == 6 && f->ev[3].line == 7,
              "visit: evidence");
        CHECK(fabs(f->lat - km_n(0.5)) < 1e-5, "visit: lat of stop");
        CHECK(fields_ok(f), "visit: json");
    }

    /* pass-by at 12 kn within 2 km: no visit */
    reset();
    for (int i = 0; i < 10; i++)
        pos(i * 0.1, km_n(1.8), 19.9 + i * 0.022, 12, 0);
    det_port_track(NULL, &geo, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 0, "pass-by: %zu", ngot);

    /* hysteresis: swinging out to 3.5 km does not end the visit */
    reset();
    pos(0, km_n(2), 20.0, 3, 0);     /* entry */
    pos(1, km_n(1), 20.0, 0.1, 0);   /* stop */
    pos(2, km_n(3.5), 20.0, 0.3, 0); /* wobble */
    pos(3, km_n(1), 20.0, 0.1, 0);
    pos(4, km_n(3.5), 20.0, 0.3, 0);
    pos(5, km_n(2.9), 20.0, 0.3, 0);
    pos(6, km_n(4.5), 20.0, 9, 0); /* out */
    det_port_track(NULL, &geo, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1 && got[0].start_ms == H(0) && got[0].end_ms == H(5) && has(&got[0], "\"positions\":6"),
          "hysteresis: %zu visits", ngot);

    /* still inside at the end: open; Betaport of concern */
    reset();
    pos(0, 30.1, 40.0, 10, 0);
    pos(1, 30.02, 40.0, 5, 0);
    pos(2, 30.001, 40.0, 0, 0);
    pos(30, 30.001, 40.0, -1, 0);
    det_port_track(NULL, &geo, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1 && got[0].start_ms == H(1) && got[0].end_ms == H(30) &&
              has(&got[0], "\"port\":\"Betaport\",\"port_index\":1,\"port_concern\":true") &&
              has(&got[0], "\"exit\":\"data_end\",\"open\":true"),
          "open visit: %s", ngot ? got[0].fields : "");

    /* a clone far away on the same MMSI does not cut the visit */
    reset();
    for (int h = 0; h <= 10; h++) {
        pos(h, km_n(h == 0 || h == 10 ? 6 : 1), 20.0, h == 5 ? 0 : 4, 0);
        pos(h + 0.5, -20.0, 100.0, 10, 1);
    }
    det_port_track(NULL, &geo, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 1 && got[0].start_ms == H(1) && got[0].end_ms == H(9) && has(&got[0], "\"positions\":9"),
          "visit with clone: %zu", ngot);

    /* no port data: nothing */
    reset();
    pos(0, km_n(1), 20.0, 0, 0);
    det_geo nogeo = {0};
    det_port_track(NULL, &nogeo, MMSI, trk, ntrk, NULL, collect, NULL);
    det_port_track(NULL, NULL, MMSI, trk, ntrk, NULL, collect, NULL);
    CHECK(ngot == 0, "no ports: %zu", ngot);
}

/* ---- zones --------------------------------------------------------------- */

static void test_zone(void) {
    reset();
    pos(0, 0.5, -0.5, 10, 0); /* outside: entered_from, line 1 */
    pos(1, 0.5, 0.2, 10, 0);  /* first inside, line 2 */
    pos(2, 0.5, 0.6, 10, 0);
    pos(3, 0.5, 0.9, 10, 0);  /* last inside, line 4 */
    pos(4, 0.5, 1.5, 10, 0);  /* outside, line 5 */
    pos(5, 0.5, 0.95, 10, 0); /* back in, to the end: open */
    pos(6, 0.4, 0.95, 0, 0);
    det_zone_track(NULL, &geo, MMSI, trk, ntrk, NULL, collect, NULL, NULL, NULL);
    CHECK(ngot == 2, "zone: %zu stays", ngot);
    if (ngot == 2) {
        const seen *f = &got[0];
        CHECK(strcmp(f->event, "zone_entry") == 0 && f->start_ms == H(1) && f->end_ms == H(3), "zone: times");
        CHECK(has(f, "\"zone\":\"Box\",\"zone_index\":0,\"policy\":\"entry\",\"positions\":3,\"duration_h\":2.00,"
                     "\"entered_from\":{\"time\":\"2023-11-14T22:13:20Z\",\"lat\":0.500000,\"lon\":-0.500000},"
                     "\"exit\":\"left\",\"open\":false"),
              "zone: %s", f->fields);
        CHECK(f->nev == 4 && f->ev[0].line == 1 && f->ev[1].line == 2 && f->ev[2].line == 4 && f->ev[3].line == 5,
              "zone: evidence");
        CHECK(fields_ok(f), "zone: json");
        f = &got[1];
        CHECK(f->start_ms == H(5) && f->end_ms == H(6) && has(f, "\"positions\":2") &&
                  has(f, "\"exit\":\"data_end\",\"open\":true"),
              "zone open: %s", f->fields);
    }
    /* starting inside: entered_from null */
    reset();
    pos(0, 0.5, 0.5, 10, 0);
    pos(1, 0.5, 1.5, 10, 0);
    det_zone_track(NULL, &geo, MMSI, trk, ntrk, NULL, collect, NULL, NULL, NULL);
    CHECK(ngot == 1 && got[0].start_ms == H(0) && got[0].end_ms == H(0) && has(&got[0], "\"entered_from\":null") &&
              has(&got[0], "\"positions\":1"),
          "zone from start: %s", ngot ? got[0].fields : "");
    /* never inside, or no zones */
    reset();
    pos(0, 5, 5, 10, 0);
    pos(1, 6, 6, 10, 0);
    det_zone_track(NULL, &geo, MMSI, trk, ntrk, NULL, collect, NULL, NULL, NULL);
    det_zone_track(NULL, NULL, MMSI, trk, ntrk, NULL, collect, NULL, NULL, NULL);
    CHECK(ngot == 0, "zone never: %zu", ngot);
}

/* ---- zone policies: dwell vs transit -------------------------------------------------------- */

static bool stub_dwell(void *ud, int z) {
    return (void)ud, z == 0;
}

static seen transits[8];
static size_t ntransits;

static void collect_transit(void *ud, const fnd_builder *f) {
    (void)ud;
    if (ntransits < 8) {
        size_t keep = ngot;
        collect(NULL, f);
        transits[ntransits++] = got[keep];
        ngot = keep;
    }
}

static void test_zone_dwell(void) {
    det_geo dg = geo;
    dg.zone_dwell = stub_dwell;
    /* a transit at 10 kn: no finding, a transit */
    reset();
    ntransits = 0;
    pos(0, 0.5, -0.5, 10, 0);
    pos(1, 0.5, 0.2, 10, 0);
    pos(2, 0.5, 0.6, 10, 0);
    pos(3, 0.5, 1.5, 10, 0);
    det_zone_track(NULL, &dg, MMSI, trk, ntrk, NULL, collect, NULL, collect_transit, NULL);
    CHECK(ngot == 0 && ntransits == 1 && !strcmp(transits[0].event, "zone_transit") &&
              has(&transits[0], "\"zone_index\":0,\"policy\":\"dwell\",\"dwell_h\":0.00,\"positions\":2,"),
          "dwell zone, transit: %zu findings, %zu transits %s", ngot, ntransits, ntransits ? transits[0].fields : "");
    /* the same without a transits sink: nothing at all; in an entry zone: a finding */
    reset();
    pos(1, 0.5, 0.2, 10, 0);
    pos(2, 0.5, 0.6, 10, 0);
    det_zone_track(NULL, &dg, MMSI, trk, ntrk, NULL, collect, NULL, NULL, NULL);
    CHECK(ngot == 0, "a transit without a sink: %zu", ngot);
    det_zone_track(NULL, &geo, MMSI, trk, ntrk, NULL, collect, NULL, NULL, NULL);
    CHECK(ngot == 1 && has(&got[0], "\"policy\":\"entry\",\"positions\":2"), "an entry zone: every stay");
    /* slow for 2.5 h in a row inside: a finding, dwell_h 2.50 */
    reset();
    ntransits = 0;
    pos(0, 0.5, -0.5, 10, 0);
    pos(1, 0.5, 0.2, 10, 0);
    pos(2, 0.5, 0.3, 1, 0);
    pos(3, 0.5, 0.3, 0.5, 0);
    pos(4.5, 0.5, 0.3, 1.9, 0);
    pos(5, 0.5, 0.4, 10, 0);
    pos(6, 0.5, 1.5, 10, 0);
    det_zone_track(NULL, &dg, MMSI, trk, ntrk, NULL, collect, NULL, collect_transit, NULL);
    CHECK(ngot == 1 && ntransits == 0 && got[0].start_ms == H(1) && got[0].end_ms == H(5) &&
              has(&got[0], "\"policy\":\"dwell\",\"dwell_h\":2.50,\"positions\":5,\"duration_h\":4.00,"),
          "dwell zone, a slow stay: %s", ngot ? got[0].fields : "");
    /* two slow runs of 1.5 h cut by a 5 kn report, or by one without a speed: transits */
    for (int cut = 0; cut < 2; cut++) {
        reset();
        ntransits = 0;
        pos(1, 0.5, 0.2, 1, 0);
        pos(2.5, 0.5, 0.2, 1, 0);
        pos(3, 0.5, 0.3, cut ? -1 : 5, 0);
        pos(3.5, 0.5, 0.3, 1, 0);
        pos(5, 0.5, 0.3, 1, 0);
        det_zone_track(NULL, &dg, MMSI, trk, ntrk, NULL, collect, NULL, collect_transit, NULL);
        CHECK(ngot == 0 && ntransits == 1 && has(&transits[0], "\"dwell_h\":1.50"), "cut slow runs (%s): %zu",
              cut ? "no speed" : "5 kn", ngot);
        /* with zone_entry.dwell_min_h = 1.5 they count; at 6 kn everything is slow */
        det_zone_opts o;
        det_zone_default_opts(&o);
        CHECK(o.dwell_min_h == 2 && o.dwell_max_speed_kn == 2 && o.min_positions == 1, "zone defaults");
        o.dwell_min_h = 1.5;
        det_zone_track(&o, &dg, MMSI, trk, ntrk, NULL, collect, NULL, NULL, NULL);
        CHECK(ngot == 1 && has(&got[0], "\"dwell_h\":1.50"), "dwell_min_h 1.5: %zu", ngot);
        o.dwell_min_h = 2;
        o.dwell_max_speed_kn = 6;
        ngot = 0;
        det_zone_track(&o, &dg, MMSI, trk, ntrk, NULL, collect, NULL, NULL, NULL);
        CHECK(ngot == (size_t)(cut ? 0 : 1) && (cut || has(&got[0], "\"dwell_h\":4.00")),
              "dwell_max_speed_kn 6 (%s): %zu", cut ? "no speed still cuts" : "one run", ngot);
    }
}

int main(void) {
    test_gap_defaults();
    test_gap_mid_sea();
    test_gap_margin_quarter();
    test_gap_none();
    test_gap_segments();
    test_gap_open();
    test_gap_port_of_concern();
    test_gap_draught();
    test_port();
    test_zone();
    test_zone_dwell();
    printf("unit_detect_vessel: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
