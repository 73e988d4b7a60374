/*
 * unit_reach.c -- when track building (src/track/segment.c) calls a
 * position unreachable: tables of small tracks, each with the number of
 * positions it must flag as reached only at an impossible speed.
 *   - fast craft reporting their own speed are reachable at that speed;
 *   - a forged speed over ground does not hide a leap across an ocean;
 *   - times from an arrival trailer (satellite lines delivered late and out
 *     of order) are allowed --arrival-slack-hours of lateness;
 *   - receiver times are taken as they are.
 */
#include <stdlib.h>
#include <string.h>

#include "pelorus.h"
#include "track/trk.h"

#include "check.h"

typedef struct pt {
    int t_s; /* seconds from the start */
    double lat, lon;
    int speed_dkn; /* 1/10 kn, -1 unknown */
    int clock;     /* pel_clock */
} pt;

/* Builds the track and returns how many positions were flagged. */
static int jumps(const pt *v, size_t n) {
    pel_position p[32];
    for (size_t i = 0; i < n; i++) {
        memset(&p[i], 0, sizeof p[i]);
        p[i].mmsi = 412000001;
        p[i].t_ms = 1700000000000LL + (int64_t)v[i].t_s * 1000;
        p[i].lat = (int32_t)(v[i].lat * PEL_DEG);
        p[i].lon = (int32_t)(v[i].lon * PEL_DEG);
        p[i].speed = (uint16_t)(v[i].speed_dkn < 0 ? PEL_NA_SPEED : v[i].speed_dkn);
        p[i].course = PEL_NA_COURSE;
        p[i].heading = PEL_NA_HEADING;
        p[i].status = PEL_NA_STATUS;
        p[i].type = 1;
        p[i].second = -1;
        p[i].line = i + 1;
        p[i].clock = (uint8_t)v[i].clock;
    }
    trk_opts o;
    trk_default_opts(&o);
    size_t kept, dups, ns;
    trk_segment *segs;
    if (trk_build(p, n, &o, &kept, &dups, &segs, &ns) != PEL_OK)
        return -1;
    free(segs);
    int k = 0;
    for (size_t i = 0; i < kept; i++)
        k += (p[i].flags & PEL_POS_SUSPECT_SPEED) != 0;
    return k;
}

int main(void) {
    enum { R = PEL_CLOCK_TAG_BLOCK, A = PEL_CLOCK_TRAILER };
    /* 0.01 degree of latitude = 0.6 nm; 90 s at 36 kn = 0.9 nm = 0.015 degree */
    static const pt fast[] = {{0, 29.000, -89.0, 366, R},
                              {90, 29.015, -89.0, 368, R},
                              {180, 29.030, -89.0, 369, R},
                              {270, 29.045, -89.0, 371, R},
                              {360, 29.060, -89.0, 364, R}};
    CHECK(jumps(fast, 5) == 0, "a crew boat at 36 kn reporting 36 kn: no jump, got %d", jumps(fast, 5));
    static const pt fast_silent[] = {{0, 29.000, -89.0, -1, R},
                                     {90, 29.015, -89.0, -1, R},
                                     {180, 29.030, -89.0, -1, R},
                                     {270, 29.045, -89.0, -1, R},
                                     {360, 29.060, -89.0, -1, R}};
    CHECK(jumps(fast_silent, 5) > 0, "the same at 36 kn with no speed reported: jumps");
    /* a forged 102 kn cannot hide 10 degrees in an hour (600 nm/h) */
    static const pt leap[] = {{0, 29.0, -89.0, 1022, R},     {600, 29.01, -89.0, 1022, R},
                              {1200, 29.02, -89.0, 1022, R}, {4800, 39.0, -89.0, 1022, R},
                              {5400, 29.03, -89.0, 1022, R}, {6000, 29.04, -89.0, 1022, R}};
    CHECK(jumps(leap, 6) == 1, "a forged speed does not hide a leap: got %d", jumps(leap, 6));
    /* a satellite pass: lines timed on arrival, 40 min late for some, out of order */
    static const pt sat[] = {{0, 10.00, 60.0, 120, A},    {600, 10.05, 60.0, 120, A},  {1200, 10.00, 60.0, 120, A},
                             {1800, 10.10, 60.0, 120, A}, {2400, 10.05, 60.0, 120, A}, {3000, 10.15, 60.0, 120, A}};
    CHECK(jumps(sat, 6) == 0, "arrival times out of order: no jump, got %d", jumps(sat, 6));
    /* the same times from a receiver clock: 3 nm back in 10 min at 12 kn is
     * possible (18 kn), 6 nm back is not (36 kn) */
    static const pt rx[] = {
        {0, 10.00, 60.0, 120, R}, {600, 10.10, 60.0, 120, R}, {1200, 10.00, 60.0, 120, R}, {1800, 10.10, 60.0, 120, R}};
    CHECK(jumps(rx, 4) >= 1, "receiver times: a 6 nm jump in 10 min is flagged, got %d", jumps(rx, 4));
    /* an arrival time cannot hide a leap of hundreds of miles either */
    static const pt sat_leap[] = {{0, 10.0, 60.0, 120, A},
                                  {600, 10.02, 60.0, 120, A},
                                  {1200, 20.0, 60.0, 120, A},
                                  {1800, 10.04, 60.0, 120, A},
                                  {2400, 10.06, 60.0, 120, A}};
    CHECK(jumps(sat_leap, 5) == 1, "arrival times: a 600 nm leap is flagged, got %d", jumps(sat_leap, 5));
    printf("unit_reach: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
