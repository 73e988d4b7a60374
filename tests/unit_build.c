/*
 * unit_build.c -- the store's streaming track build (src/store/build.c)
 * against trk_build in memory, on staged rows of every shape the build must
 * take: rows written by an older Pelorus (longer than a chunk and not
 * sorted), a hundred sorted runs for one vessel (merged 64 at a time first),
 * runs that continue one another, a vessel marked dirty with nothing staged,
 * and a second build on top of a first (old chunks merged with new rows).
 * The stored positions (every field and flag), segments (distances to the
 * bit, parallel flags) and vessel summaries must be those of trk_build over
 * the same positions.  Written over the store interface (store/store.h), as
 * a second backend's build would be tested.  Prints "unit_build: N passed,
 * M failed".
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store/store.h"
#include "track/trk.h"

static uint64_t rng = 0x2545F4914F6CDD1Du;
static int64_t rint_(int64_t lo, int64_t hi) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return lo + (int64_t)(rng % (uint64_t)(hi - lo + 1));
}

/* n positions of one vessel: a track with repeated receptions, outliers, a
 * second transmitter, long silences and bad times, in time order from t. */
static void track(pel_position *p, size_t n, uint32_t mmsi, int64_t t, uint32_t input) {
    int32_t lat = 35 * PEL_DEG, lon = 124 * PEL_DEG;
    for (size_t i = 0; i < n; i++) {
        pel_position *q = &p[i];
        memset(q, 0, sizeof *q);
        q->mmsi = mmsi;
        t += rint_(0, 80) == 0 ? rint_(20, 40) * 3600000 : rint_(0, 20) * 1000;
        lat += (int32_t)rint_(-300, 300);
        lon += (int32_t)rint_(-300, 300);
        q->t_ms = t;
        q->lat = lat;
        q->lon = lon;
        if (rint_(0, 4) == 0) { /* a second transmitter */
            q->lat -= 3 * PEL_DEG;
            q->lon += 2 * PEL_DEG;
        } else if (rint_(0, 40) == 0) { /* an outlier */
            q->lat = (int32_t)rint_(-60, 60) * PEL_DEG;
            q->lon = (int32_t)rint_(-170, 170) * PEL_DEG;
        } else if (rint_(0, 200) == 0)
            q->t_ms = 400000000000; /* before 1990 */
        q->speed = (uint16_t)rint_(0, 150);
        q->course = (uint16_t)rint_(0, 3599);
        q->heading = PEL_NA_HEADING;
        q->status = PEL_NA_STATUS;
        q->type = 1;
        q->second = (int8_t)rint_(-1, 59);
        q->input = input;
        q->line = i + 1;
        q->source = (uint32_t)rint_(0, 3);
        q->segment = -1;
        if (i && rint_(0, 3) == 0) { /* heard again, up to 40 s later */
            *q = p[i - 1 - (size_t)rint_(0, i > 5 ? 5 : (int64_t)i - 1)];
            q->line = i + 1;
            q->t_ms += rint_(0, 40) * 1000;
        }
    }
}

static int64_t gen; /* the generation being staged */

static void stage(pel_store *s, uint32_t mmsi, const pel_position *p, size_t n) {
    CHECK(st_stage(s, mmsi, gen, p, n, NULL) == PEL_OK, "staging %u", mmsi);
}

/* The summary of mmsi (the vessels table). */
static st_vessel vessel(pel_store *s, uint32_t mmsi) {
    st_vessel v;
    bool found = false;
    CHECK(st_vessel_get(s, mmsi, &v, &found, NULL) == PEL_OK && found, "vessel %u: its row", mmsi);
    return v;
}

static int cmp_canon(const void *a, const void *b) {
    return trk_cmp_pos(a, b);
}

/* Stages p[0..n) for mmsi in rows of row positions, each row sorted if
 * sorted, else reversed. */
static void stage_rows(pel_store *s, uint32_t mmsi, pel_position *p, size_t n, size_t row, bool sorted) {
    st_vessel_touch(s, mmsi, NULL);
    for (size_t at = 0; at < n; at += row) {
        size_t m = n - at < row ? n - at : row;
        pel_position *r = malloc(m * sizeof *r);
        memcpy(r, p + at, m * sizeof *r);
        qsort(r, m, sizeof *r, cmp_canon);
        if (!sorted)
            for (size_t i = 0; i < m / 2; i++) {
                pel_position x = r[i];
                r[i] = r[m - 1 - i];
                r[m - 1 - i] = x;
            }
        stage(s, mmsi, r, m);
        free(r);
    }
}

typedef struct got {
    uint32_t mmsi;
    pel_position *p;
    size_t n;
} got;

static int on_vessel(void *ud, uint32_t mmsi, const char *name, const pel_position *pos, size_t n) {
    (void)name;
    got *g = ud;
    if (mmsi == g->mmsi) {
        g->p = malloc((n + 1) * sizeof *pos);
        memcpy(g->p, pos, n * sizeof *pos);
        g->n = n;
    }
    return 0;
}

/* The stored track of mmsi against trk_build over the n positions in want
 * (scrambled here; trk_build sorts). */
static void compare(pel_store *s, const char *name, uint32_t mmsi, pel_position *want, size_t n, uint64_t dups_before) {
    trk_opts o;
    trk_default_opts(&o);
    o.now_ms = (int64_t)time(NULL) * 1000;
    size_t kept, dups, nsegs;
    trk_segment *segs;
    CHECK(trk_build(want, n, &o, &kept, &dups, &segs, &nsegs) == PEL_OK, "%s: trk_build", name);
    got g = {.mmsi = mmsi};
    pel_track_filter f = {0};
    pel_error err = {0};
    CHECK(pel_tracks(s, &f, on_vessel, &g, &err) == PEL_OK, "%s: pel_tracks: %s", name, err.msg);
    CHECK(g.n == kept, "%s: %zu positions stored, %zu kept in memory", name, g.n, kept);
    size_t diff = 0, flagged = 0;
    for (size_t i = 0; i < kept && i < g.n; i++) {
        const pel_position *a = &want[i], *b = &g.p[i];
        diff += a->t_ms != b->t_ms || a->lat != b->lat || a->lon != b->lon || a->speed != b->speed ||
                a->course != b->course || a->flags != b->flags || a->segment != b->segment || a->input != b->input ||
                a->line != b->line || a->source != b->source || a->second != b->second;
        flagged += a->flags != 0;
    }
    CHECK(diff == 0, "%s: %zu stored positions differ", name, diff);
    st_iter *q = st_segments_of(s, mmsi, -1, 0, NULL);
    size_t k = 0, sdiff = 0;
    double dist = 0;
    st_segment sg;
    while (st_segment_next(q, &sg, NULL) > 0) {
        if (k < nsegs) {
            const trk_segment *w = &segs[k];
            double d = sg.distance_m;
            sdiff += sg.seg != w->id || sg.t0 != w->t0 || sg.t1 != w->t1 || sg.n != w->n ||
                     memcmp(&d, &w->distance_m, sizeof d) != 0 || sg.lat0 != w->lat0 || sg.lon0 != w->lon0 ||
                     sg.lat1 != w->lat1 || sg.lon1 != w->lon1 || sg.parallel != w->parallel;
            dist += w->distance_m;
        }
        k++;
    }
    st_iter_free(q);
    size_t npar = 0;
    for (size_t i = 0; i < nsegs; i++)
        npar += segs[i].parallel;
    CHECK(k == nsegs && sdiff == 0, "%s: %zu segments stored, %zu in memory, %zu differ", name, k, nsegs, sdiff);
    st_vessel v = vessel(s, mmsi);
    double vd = v.distance_m;
    CHECK(v.positions == kept && v.flagged == flagged && v.segments == nsegs && memcmp(&vd, &dist, sizeof vd) == 0 &&
              v.duplicates == dups_before + dups && !v.dirty,
          "%s: vessel summary", name);
    printf("  %s: %zu positions, %zu kept, %zu duplicates, %zu segments (%zu parallel), %zu flagged\n", name, n, kept,
           dups, nsegs, npar, flagged);
    free(g.p);
    free(segs);
}

static void next_gen(pel_store *s) {
    CHECK(st_begin(s, NULL) == PEL_OK && st_generation_next(s, &gen, NULL) == PEL_OK, "a new generation");
}

static void build(pel_store *s, const char *name) {
    CHECK(st_commit(s, NULL) == PEL_OK, "%s: commit", name);
    pel_ingest_opts o = {0};
    pel_ingest_stats st = {0};
    pel_error err = {0};
    CHECK(st_build_dirty(s, &o, &st, &err) == PEL_OK, "%s: build: %s", name, err.msg);
}

int main(void) {
    const char *dir = getenv("BUILD") ? getenv("BUILD") : "build";
    char path[512];
    snprintf(path, sizeof path, "%s/unit_build.db", dir);
    unlink(path);
    pel_error err = {0};
    pel_store *s = pel_store_open(path, false, &err);
    CHECK(s != NULL, "open %s: %s", path, err.msg);
    if (!s)
        return 1;
    enum { N1 = 6000, N2 = 60000, N3 = 9000, N1B = 4000 };
    pel_position *v1 = malloc((N1 + N1B) * sizeof *v1), *v2 = malloc(N2 * sizeof *v2), *v3 = malloc(N3 * sizeof *v3);
    pel_position *w = malloc(N2 * sizeof *w);
    track(v1, N1, 412000001, 1690000000000, 1);
    track(v2, N2, 412000002, 1690000000000, 1);
    track(v3, N3, 412000003, 1690000000000, 1);

    next_gen(s);
    stage_rows(s, 412000001, v1, N1, 2500, false); /* an older Pelorus: long rows, not sorted */
    /* a hundred runs that do not continue one another: rows of the second
     * half of the track before rows of the first */
    for (int r = 0; r < 100; r++) {
        size_t at = (size_t)(r % 2 ? r / 2 : 50 + r / 2) * (N2 / 100);
        stage_rows(s, 412000002, v2 + at, N2 / 100, 1000, true);
    }
    stage_rows(s, 412000003, v3, N3, 700, true); /* runs that continue one another: one run */
    st_vessel_touch(s, 412000004, NULL);         /* dirty, and nothing staged */
    build(s, "first build");

    memcpy(w, v1, N1 * sizeof *w);
    compare(s, "rows longer than a chunk, unsorted", 412000001, w, N1, 0);
    memcpy(w, v2, N2 * sizeof *w);
    compare(s, "a hundred runs", 412000002, w, N2, 0);
    memcpy(w, v3, N3 * sizeof *w);
    compare(s, "one run in many rows", 412000003, w, N3, 0);
    st_vessel v4 = vessel(s, 412000004);
    CHECK(v4.positions == 0 && v4.segments == 0 && !v4.dirty, "a vessel with nothing staged: built empty");
    char *dump = NULL;
    size_t dlen = 0;
    FILE *df = open_memstream(&dump, &dlen);
    CHECK(df && pel_store_dump(s, df, &err) == PEL_OK, "dump: %s", err.msg);
    if (df)
        fclose(df);
    CHECK(dump && strstr(dump, "\nstaging|0\n"), "staging emptied");
    free(dump);

    /* a second build: vessel 1's stored chunks merged with new rows that
     * interleave with them in time (some of them duplicates of stored ones) */
    uint64_t d1 = vessel(s, 412000001).duplicates;
    got g = {.mmsi = 412000001};
    pel_track_filter f = {0};
    pel_tracks(s, &f, on_vessel, &g, &err);
    track(v1 + N1, N1B, 412000001, 1690000000000, 2);
    for (size_t i = N1; i < N1 + N1B; i += 7) /* heard again by another input */
        if (g.n) {
            uint64_t line = v1[i].line;
            v1[i] = g.p[(size_t)rint_(0, (int64_t)g.n - 1)];
            v1[i].input = 2;
            v1[i].line = line;
        }
    next_gen(s);
    stage_rows(s, 412000001, v1 + N1, N1B, 1024, true);
    build(s, "second build");
    memcpy(w, g.p, g.n * sizeof *w);
    for (size_t i = 0; i < g.n; i++) { /* the stored ones come back with their flags cleared */
        w[i].flags = 0;
        w[i].segment = -1;
    }
    memcpy(w + g.n, v1 + N1, N1B * sizeof *w);
    compare(s, "stored chunks and new rows", 412000001, w, g.n + N1B, d1);
    free(g.p);

    pel_store_close(s);
    unlink(path);
    free(v1);
    free(v2);
    free(v3);
    free(w);
    printf("unit_build: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
