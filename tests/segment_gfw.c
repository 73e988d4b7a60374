/*
 * segment_gfw.c -- our segmenter against Global Fishing Watch's
 * gpsdio-segment test tracks (../shared/data/real/gfw-gpsdio-segment/).
 *
 *   segment_gfw DIR
 *
 * 338013000.json carries GFW's expected segment for every point: one long
 * track with short noise segments.  We check that the points GFW puts in the
 * main track are the ones we put in our main track, point by point, and
 * print every disagreement; the disagreements must be exactly the known
 * ones listed (with their reasons) in main() below.
 * 416000000.json is a placeholder MMSI shared by several vessels: it must
 * come out as several parallel segments, never one track.
 * Prints "segment-gfw: N passed, M failed".
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelorus.h"
#include "track/trk.h"

static int passed, failed;
#define CHECK(c, ...)                                                                                                  \
    do {                                                                                                               \
        if (c)                                                                                                         \
            passed++;                                                                                                  \
        else {                                                                                                         \
            failed++;                                                                                                  \
            printf("FAIL: ");                                                                                          \
            printf(__VA_ARGS__);                                                                                       \
            printf("\n");                                                                                              \
        }                                                                                                              \
    } while (0)

typedef struct row {
    pel_position p;
    char expected[80];
} row;

/* Reads a GFW JSON-lines track; points without coordinates are skipped. */
static row *load(const char *path, size_t *n) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("FAIL: cannot open %s\n", path);
        failed++;
        *n = 0;
        return NULL;
    }
    size_t cap = 4096, k = 0;
    row *r = calloc(cap, sizeof *r);
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        json_error_t e;
        json_t *j = json_loads(line, 0, &e);
        if (!j)
            continue;
        json_t *lat = json_object_get(j, "lat"), *lon = json_object_get(j, "lon");
        const char *ts = json_string_value(json_object_get(j, "timestamp"));
        int64_t ms;
        if (json_is_number(lat) && json_is_number(lon) && ts && pel_parse_time(ts, strlen(ts), &ms)) {
            if (k == cap)
                r = realloc(r, (cap *= 2) * sizeof *r);
            row *x = &r[k++];
            memset(x, 0, sizeof *x);
            x->p.mmsi = (uint32_t)json_integer_value(json_object_get(j, "ssvid"));
            x->p.t_ms = ms;
            x->p.lat = (int32_t)(json_number_value(lat) * PEL_DEG + (json_number_value(lat) < 0 ? -0.5 : 0.5));
            x->p.lon = (int32_t)(json_number_value(lon) * PEL_DEG + (json_number_value(lon) < 0 ? -0.5 : 0.5));
            double sp = json_number_value(json_object_get(j, "speed"));
            x->p.speed = (uint16_t)(sp * 10 + 0.5);
            x->p.course = PEL_NA_COURSE;
            x->p.heading = PEL_NA_HEADING;
            x->p.status = PEL_NA_STATUS;
            x->p.type = 1;
            x->p.second = -1;
            x->p.line = k; /* the row number, to report disagreements */
            const char *ex = json_string_value(json_object_get(j, "expected"));
            snprintf(x->expected, sizeof x->expected, "%s", ex ? ex : "");
        }
        json_decref(j);
    }
    fclose(f);
    *n = k;
    return r;
}

/* Runs the segmenter; returns the segment of each row (by row number). */
static int32_t *segment(row *r, size_t n, size_t *nsegs, trk_segment **segs) {
    pel_position *p = malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = r[i].p;
    trk_opts o;
    trk_default_opts(&o);
    size_t kept, dups;
    trk_build(p, n, &o, &kept, &dups, segs, nsegs);
    int32_t *seg = malloc((n + 1) * sizeof *seg);
    for (size_t i = 0; i <= n; i++)
        seg[i] = -2; /* removed as a duplicate */
    for (size_t i = 0; i < kept; i++)
        seg[p[i].line] = p[i].segment;
    /* a reception removed as a duplicate belongs where its twin went */
    for (size_t i = 0; i < n; i++)
        if (seg[i + 1] == -2)
            for (size_t j = 0; j < kept; j++)
                if (llabs(p[j].t_ms - r[i].p.t_ms) <= 30000 && p[j].lat == r[i].p.lat && p[j].lon == r[i].p.lon) {
                    seg[i + 1] = p[j].segment;
                    break;
                }
    free(p);
    return seg;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "../shared/data/real/gfw-gpsdio-segment";
    char path[1024];

    /* 1. 338013000: the main track and its noise */
    snprintf(path, sizeof path, "%s/338013000.json", dir);
    size_t n;
    row *r = load(path, &n);
    CHECK(n == 1193, "338013000: %zu points with coordinates (1193 expected)", n);
    if (r) {
        size_t nsegs;
        trk_segment *segs;
        int32_t *seg = segment(r, n, &nsegs, &segs);
        /* GFW's main segment: the most frequent expected id */
        const char *main_ex = "338013000-2017-07-18T00:07:20.000000Z";
        size_t biggest = 0;
        for (size_t i = 1; i < nsegs; i++)
            if (segs[i].n > segs[biggest].n)
                biggest = i;
        /* Known deviations, each checked by hand (implied speeds from the
         * neighbouring positions): GFW's expected main track keeps positions
         * reached only at 70-540 kn -- rows 318 (151 kn), 363 (70 kn), 627
         * (139 kn), 803 (54 kn, then 1086 kn back), 877 (201 kn), 1067 and
         * 1069 (two fixes 20 nm off the track, 50 and 639 kn), 1126 (127 kn)
         * and 1127 (next to 1126) -- which our 30 kn rule puts aside; and it
         * splits off rows 804-825 and 1068, 22 + 1 positions that continue
         * the track at 11 kn, which we keep in it.  We prefer the physically
         * possible track; every other point agrees. */
        static const int known[] = {318, 363, 627, 803, 804, 805,  806,  807,  808,  809, 810,
                                    811, 812, 813, 814, 815, 816,  817,  818,  819,  820, 821,
                                    822, 823, 824, 825, 877, 1067, 1068, 1069, 1126, 1127};
        const int KNOWN = (int)(sizeof known / sizeof known[0]);
        int unexpected = 0;
        int disagree = 0, ours_main = 0, gfw_main = 0;
        if (getenv("SEG_DEBUG"))
            for (size_t i = 0; i < n; i++)
                if (i == 0 || seg[i + 1] != seg[i])
                    printf("  debug row %zu seg %d\n", i + 1, seg[i + 1]);
        for (size_t i = 0; i < n; i++) {
            bool g = strcmp(r[i].expected, main_ex) == 0, o = seg[i + 1] == segs[biggest].id;
            gfw_main += g;
            ours_main += o;
            if (g != o) {
                disagree++;
                bool listed = false;
                for (int k = 0; k < KNOWN; k++)
                    listed |= known[k] == (int)(i + 1);
                unexpected += !listed;
                char t[40];
                pel_format_time(r[i].p.t_ms, t);
                printf("  338013000 row %zu %s: GFW %s, ours %s\n", i + 1, t, g ? "main" : "noise",
                       o ? "main" : "not main");
            }
        }
        printf("  338013000: GFW main %d points, ours %d; %zu segments; %d disagree\n", gfw_main, ours_main, nsegs,
               disagree);
        CHECK(disagree == KNOWN && unexpected == 0,
              "338013000: %d points disagree with GFW's expected segmentation (%d known, %d not in the list)", disagree,
              KNOWN, unexpected);
        free(seg);
        free(segs);
        free(r);
    }

    /* 2. 416000000: a shared placeholder MMSI -> several parallel tracks */
    snprintf(path, sizeof path, "%s/416000000.json", dir);
    r = load(path, &n);
    if (r) {
        size_t nsegs;
        trk_segment *segs;
        int32_t *seg = segment(r, n, &nsegs, &segs);
        int parallel = 0, big = 0;
        for (size_t i = 0; i < nsegs; i++) {
            parallel += segs[i].parallel;
            big += segs[i].n >= 20;
        }
        printf("  416000000: %zu points, %zu segments, %d with 20+ points, %d parallel\n", n, nsegs, big, parallel);
        CHECK(big >= 3 && parallel >= 2, "416000000: the shared MMSI is not split into parallel tracks");
        /* no segment may contain a jump above 30 kn */
        int jumps = 0;
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++)
                if (seg[a + 1] >= 0 && seg[a + 1] == seg[b + 1]) {
                    /* b is the next point of a's segment */
                    double d = trk_distance_m(r[a].p.lat, r[a].p.lon, r[b].p.lat, r[b].p.lon) / 1852.0;
                    double h = (double)(r[b].p.t_ms - r[a].p.t_ms) / 3600000.0;
                    if (d > 0.5 && (h <= 0 || d / h > 30.0))
                        jumps++;
                    break;
                }
        CHECK(jumps == 0, "416000000: %d impossible jumps inside segments", jumps);
        free(seg);
        free(segs);
        free(r);
    }
    printf("segment-gfw: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
