/*
 * unit_link.c -- the links between MMSIs (src/detect/det_link.c): one ship
 * going on under a new MMSI, from NOAA CSV inputs ingested into a fresh
 * store and resolved with det_links_build; then the scan's findings of a
 * link (identity_change "mmsi", no open gap on the old MMSI, a gap with
 * cause identity across a long switch).  Each case is a few hundred rows.
 * Prints "unit_link: N passed, M failed".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "detect/detectors.h"
#include "pelorus.h"

static char dir[] = "/tmp/unit_link.XXXXXX";

#define A 412000001u
#define B 667000001u /* Sierra Leone: another flag */
#define C 511000001u

#define HDR                                                                                                            \
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,"    \
    "TransceiverClass\n"

typedef struct ship {
    uint32_t mmsi;
    const char *name, *callsign;
    uint32_t imo; /* 0: none */
    int length, width;
} ship;

/* n positions every 10 min from minute t0, from lat/lon eastward at sog kn. */
static void leg(FILE *f, const ship *s, int t0_min, double lat, double lon, int n, double sog) {
    double dlon = sog * (10.0 / 60.0) / (60.0 * cos(lat * 3.14159265358979323846 / 180.0));
    for (int i = 0; i < n; i++) {
        int m = t0_min + 10 * i;
        char imo[16] = "";
        if (s->imo)
            snprintf(imo, sizeof imo, "IMO%u", s->imo);
        fprintf(f, "%u,2024-01-%02dT%02d:%02d:00,%.6f,%.6f,%.1f,90.0,90,%s,%s,%s,70,0,%d,%d,8.0,,A\n", s->mmsi,
                1 + m / 1440, m / 60 % 24, m % 60, lat, lon + dlon * i, sog, s->name, imo, s->callsign, s->length,
                s->width);
    }
}

/* The longitude n steps of leg on from lon. */
static double lon_after(double lat, double lon, int n, double sog) {
    return lon + sog * (10.0 / 60.0) / (60.0 * cos(lat * 3.14159265358979323846 / 180.0)) * n;
}

static int ncase;

/* Writes the case's CSV with fill, ingests it into a fresh store. */
static pel_store *store_of(const char *name, void (*fill)(FILE *)) {
    char path[256], db[256];
    snprintf(path, sizeof path, "%s/%d-%s.csv", dir, ++ncase, name);
    snprintf(db, sizeof db, "%s/%d-%s.db", dir, ncase, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        CHECK(0, "%s: cannot write %s", name, path);
        return NULL;
    }
    fputs(HDR, f);
    fill(f);
    fclose(f);
    pel_error err = {0};
    pel_store *s = pel_store_open(db, false, &err);
    CHECK(s != NULL, "%s: open: %s", name, err.msg);
    if (!s)
        return NULL;
    const char *paths[] = {path};
    pel_ingest_opts o = {0};
    pel_ingest_stats st;
    pel_status rc = pel_ingest(s, paths, 1, &o, &st, &err);
    CHECK(rc == PEL_OK && st.positions > 0, "%s: ingest: %d %s", name, rc, err.msg);
    return s;
}

static det_links *links_of(pel_store *s, const char *name) {
    det_links *l = NULL;
    pel_error err = {0};
    pel_status rc = s ? det_links_build(s, NULL, &l, &err) : PEL_ERR_ARG;
    CHECK(rc == PEL_OK && l, "%s: links: %d %s", name, rc, err.msg);
    return l;
}

/* The scan's JSON lines (malloc'd, "" on failure). */
static char *scan_of(pel_store *s) {
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    pel_scan_opts o = {0};
    pel_error err = {0};
    pel_status rc = m ? pel_scan(s, &o, m, PEL_FIND_JSONL, NULL, &err) : PEL_ERR_NOMEM;
    if (m)
        fclose(m);
    CHECK(rc == PEL_OK, "scan: %d %s", rc, err.msg);
    return buf ? buf : calloc(1, 1);
}

/* The line of out holding every one of the strings (NULL-terminated), or NULL. */
static const char *line_with(const char *out, const char *const *want) {
    for (const char *l = out; l && *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        bool all = true;
        for (size_t k = 0; want[k] && all; k++) {
            const char *h = strstr(l, want[k]);
            all = h && h < l + n;
        }
        if (all)
            return l;
        l = e ? e + 1 : NULL;
    }
    return NULL;
}

#define HAS(out, ...) (line_with((out), (const char *const[]){__VA_ARGS__, NULL}) != NULL)

static const ship SA = {A, "GOLDEN STAR", "3EGS", 9074729, 120, 20};
static const ship SB = {B, "GOLDEN STAR", "3EGS", 9074729, 120, 20};
#define LAT 35.0
#define LON 124.0

/* ---- reachable: B starts 30 min after A stops, 4 nm on ------------------------------------ */

static void fill_reach(FILE *f) {
    leg(f, &SA, 0, LAT, LON, 145, 10); /* 24 h */
    leg(f, &SB, 24 * 60 + 30, LAT, lon_after(LAT, LON, 144 + 3, 10), 72, 10);
}

static void test_reachable(void) {
    pel_store *s = store_of("reach", fill_reach);
    det_links *l = links_of(s, "reach");
    CHECK(det_links_count(l) == 1, "reach: one link, got %zu", det_links_count(l));
    const det_link *k = det_link_from(l, A);
    CHECK(k && k->from == A && k->to == B, "reach: A -> B");
    CHECK(k && k->matched == (DET_LINK_IMO | DET_LINK_NAME | DET_LINK_CALLSIGN | DET_LINK_SIZE) && k->imo == 9074729,
          "reach: matched on IMO, name, call sign and size (%u)", k ? k->matched : 0);
    CHECK(k && k->silence_ms == 30 * 60000, "reach: 30 min of silence (%lld)", k ? (long long)k->silence_ms : -1);
    CHECK(k && fabs(k->distance_m / 1852.0 - 5.0) < 0.05, "reach: 5 nm (%.3f)", k ? k->distance_m / 1852.0 : -1);
    CHECK(k && k->reach_kn == 30.0, "reach: at 30 kn (12.5 reported)");
    CHECK(k && k->last.line == 146 && k->first.line == 147, "reach: A's last line 146, B's first 147 (%llu %llu)",
          k ? (unsigned long long)k->last.line : 0, k ? (unsigned long long)k->first.line : 0);
    CHECK(k && k->nident == 2 && k->ident[0].line == 2 && k->ident[1].line == 147,
          "reach: the identity reports: A's first line, B's first (%d)", k ? k->nident : -1);
    CHECK(det_link_to(l, B) == k && det_links_head(l, B) == A && det_links_head(l, A) == A, "reach: the chain");
    CHECK(!det_link_from(l, B) && !det_link_to(l, A), "reach: nothing else");
    /* the findings: a change of MMSI, no open gap on A, no imo_shared */
    char *out = s ? scan_of(s) : calloc(1, 1);
    CHECK(HAS(out, "\"event\":\"identity_change\",\"mmsi\":412000001,\"mmsi2\":667000001", "\"field\":\"mmsi\"",
              "\"from\":412000001,\"to\":667000001", "\"from_flag\":\"CN\",\"to_flag\":\"SL\",\"flag_changed\":true",
              "\"silence_h\":0.50", "\"distance_nm\":5.00", "\"speed_needed_kn\":10.0",
              "1-reach.csv\",\"line\":146},{\"file\":", "1-reach.csv\",\"line\":147},{\"file\":",
              "1-reach.csv\",\"line\":2}],\"evidence_total\":3,"),
          "reach: identity_change mmsi with its evidence:\n%s", out);
    CHECK(!strstr(out, "\"event\":\"gap\""), "reach: no gap");
    CHECK(!strstr(out, "imo_shared"), "reach: no imo_shared");
    free(out);
    det_links_free(l);
    pel_store_close(s);
}

/* ---- reachable after a long silence: a gap with cause identity ----------------------------- */

static void fill_long(FILE *f) {
    leg(f, &SA, 0, LAT, LON, 145, 10);
    /* another ship heard all along nearby: the feed was not down */
    ship o = {C + 9, "OTHER", "BOTH", 9310123, 100, 16};
    leg(f, &o, 0, LAT + 0.1, LON, 420, 8);
    /* 20 h later, 150 nm on (7.5 kn needed) */
    leg(f, &SB, 44 * 60, LAT, lon_after(LAT, LON, 144 + 90, 10), 145, 10);
}

static void test_long_silence(void) {
    pel_store *s = store_of("long", fill_long);
    det_links *l = links_of(s, "long");
    const det_link *k = det_link_from(l, A);
    CHECK(det_links_count(l) == 1 && k && k->to == B && k->silence_ms == 20 * 3600000LL, "long: A -> B after 20 h");
    char *out = s ? scan_of(s) : calloc(1, 1);
    CHECK(HAS(out, "\"event\":\"gap\",\"mmsi\":412000001,\"mmsi2\":667000001", "\"open\":false",
              "\"continued_as\":667000001", "\"duration_h\":20.00", "\"cause\":\"identity\",\"suspected\":false"),
          "long: a closed gap to B's first position, cause identity:\n%s", out);
    CHECK(!HAS(out, "\"event\":\"gap\"", "\"open\":true"), "long: no open gap");
    CHECK(HAS(out, "\"field\":\"mmsi\"", "\"silence_h\":20.00"), "long: the change of MMSI");
    free(out);
    det_links_free(l);
    pel_store_close(s);
}

/* ---- unreachable: 30 min later, 5 degrees on ----------------------------------------------- */

static void fill_far(FILE *f) {
    leg(f, &SA, 0, LAT, LON, 145, 10);
    leg(f, &SB, 24 * 60 + 30, LAT, lon_after(LAT, LON, 144, 10) + 5.0, 72, 10);
}

static void test_unreachable(void) {
    pel_store *s = store_of("far", fill_far);
    det_links *l = links_of(s, "far");
    CHECK(det_links_count(l) == 0, "far: no link (%zu)", det_links_count(l));
    char *out = s ? scan_of(s) : calloc(1, 1);
    CHECK(!strstr(out, "\"field\":\"mmsi\""), "far: no change of MMSI");
    CHECK(HAS(out, "\"event\":\"gap\",\"mmsi\":412000001,", "\"open\":true"), "far: A's open gap stays");
    free(out);
    det_links_free(l);
    pel_store_close(s);
}

/* ---- overlapping: both heard for 6 h: two ships sharing an IMO ------------------------------ */

static void fill_overlap(FILE *f) {
    leg(f, &SA, 0, LAT, LON, 145, 10);
    leg(f, &SB, 18 * 60, LAT, lon_after(LAT, LON, 108, 10) + 0.02, 72, 10);
}

static void test_overlap(void) {
    pel_store *s = store_of("overlap", fill_overlap);
    det_links *l = links_of(s, "overlap");
    CHECK(det_links_count(l) == 0, "overlap: no link (%zu)", det_links_count(l));
    char *out = s ? scan_of(s) : calloc(1, 1);
    CHECK(HAS(out, "\"mmsi\":412000001,\"mmsi2\":667000001", "\"field\":\"imo_shared\""), "overlap: imo_shared");
    CHECK(!strstr(out, "\"field\":\"mmsi\""), "overlap: no change of MMSI");
    free(out);
    det_links_free(l);
    pel_store_close(s);
}

/* ---- a switch-over: B's first 5 min before A's last (within link_overlap_s) ----------------- */

static void fill_switch(FILE *f) {
    leg(f, &SA, 0, LAT, LON, 145, 10);
    /* B from minute 1435 (A's last is 1440), a few hundred metres ahead */
    fprintf(f, "%u,2024-01-01T23:55:00,%.6f,%.6f,10.0,90.0,90,GOLDEN STAR,IMO9074729,3EGS,70,0,120,20,8.0,,A\n", B, LAT,
            lon_after(LAT, LON, 144, 10) + 0.005);
    leg(f, &SB, 24 * 60 + 5, LAT, lon_after(LAT, LON, 145, 10), 60, 10);
}

static void test_switch(void) {
    pel_store *s = store_of("switch", fill_switch);
    det_links *l = links_of(s, "switch");
    const det_link *k = det_link_from(l, A);
    CHECK(det_links_count(l) == 1 && k && k->to == B && k->silence_ms == -5 * 60000,
          "switch: A -> B, 5 min of both (%lld)", k ? (long long)k->silence_ms : 0);
    det_links_free(l);
    pel_store_close(s);
}

/* ---- no IMO: name, call sign and size; placeholders never ----------------------------------- */

static void fill_names(FILE *f) {
    /* a real name, call sign and size without an IMO: A -> B */
    ship a = {A, "KUM SAN", "HMKS", 0, 90, 14}, b = {B, "KUM SAN", "HMKS", 0, 90, 14};
    leg(f, &a, 0, LAT, LON, 145, 10);
    leg(f, &b, 24 * 60 + 30, LAT, lon_after(LAT, LON, 147, 10), 72, 10);
    /* placeholders: "UNKNOWN" and "0", same size, far from the others: C, then D */
    ship c = {C, "UNKNOWN", "0", 0, 50, 10}, d = {C + 1, "UNKNOWN", "0", 0, 50, 10};
    leg(f, &c, 0, LAT + 2, LON, 145, 10);
    leg(f, &d, 24 * 60 + 30, LAT + 2, lon_after(LAT + 2, LON, 147, 10), 72, 10);
    /* the same name and call sign but another size: never one ship */
    ship e = {C + 2, "SEA LION", "3FSL", 0, 80, 12}, g = {C + 3, "SEA LION", "3FSL", 0, 180, 30};
    leg(f, &e, 0, LAT - 2, LON, 145, 10);
    leg(f, &g, 24 * 60 + 30, LAT - 2, lon_after(LAT - 2, LON, 147, 10), 72, 10);
}

static void test_names(void) {
    pel_store *s = store_of("names", fill_names);
    det_links *l = links_of(s, "names");
    const det_link *k = det_link_from(l, A);
    CHECK(det_links_count(l) == 1 && k && k->to == B, "names: only A -> B (%zu links)", det_links_count(l));
    CHECK(k && k->matched == (DET_LINK_NAME | DET_LINK_CALLSIGN | DET_LINK_SIZE) && k->imo == 0,
          "names: matched on name, call sign and size, no IMO");
    CHECK(!det_link_from(l, C) && !det_link_from(l, C + 2), "names: no placeholder link, no link across sizes");
    det_links_free(l);
    pel_store_close(s);
}

/* ---- a valid IMO contradicts the name: two ships ---------------------------------------------- */

static void fill_other_imo(FILE *f) {
    ship b = SB;
    b.imo = 8955330;
    leg(f, &SA, 0, LAT, LON, 145, 10);
    leg(f, &b, 24 * 60 + 30, LAT, lon_after(LAT, LON, 147, 10), 72, 10);
}

static void test_other_imo(void) {
    pel_store *s = store_of("imo", fill_other_imo);
    det_links *l = links_of(s, "imo");
    CHECK(det_links_count(l) == 0, "imo: another valid IMO, no link (%zu)", det_links_count(l));
    det_links_free(l);
    pel_store_close(s);
}

/* ---- a clone: two transmitters on A at the end: which one went on? -------------------------- */

static void fill_clone(FILE *f) {
    leg(f, &SA, 0, LAT, LON, 145, 10);
    leg(f, &SA, 18 * 60 + 5, LAT + 3, LON, 36, 10); /* a second A 180 nm north, its last hours */
    leg(f, &SB, 24 * 60 + 30, LAT, lon_after(LAT, LON, 147, 10), 72, 10);
}

static void test_clone(void) {
    pel_store *s = store_of("clone", fill_clone);
    det_links *l = links_of(s, "clone");
    CHECK(det_links_count(l) == 0, "clone: no link (%zu)", det_links_count(l));
    char *out = s ? scan_of(s) : calloc(1, 1);
    CHECK(HAS(out, "\"event\":\"spoofing\",\"mmsi\":412000001", "\"kind\":\"parallel_segments\""),
          "clone: A's parallel segments are reported");
    CHECK(!strstr(out, "\"field\":\"mmsi\""), "clone: no change of MMSI");
    free(out);
    det_links_free(l);
    pel_store_close(s);
}

/* ---- a fork: A's IMO goes on as B, its name, call sign and hull as C: neither ------------- */

static void fill_fork(FILE *f) {
    ship b = SB, c = {C, "GOLDEN STAR", "3EGS", 0, 120, 20};
    b.name = "OTHER NAME";
    b.callsign = "XXOT";
    leg(f, &SA, 0, LAT, LON, 145, 10);
    leg(f, &b, 24 * 60 + 30, LAT, lon_after(LAT, LON, 147, 10), 72, 10);
    leg(f, &c, 24 * 60 + 40, LAT + 0.05, lon_after(LAT, LON, 147, 10), 72, 10);
}

static void fill_fork_b(FILE *f) { /* each branch alone is a link */
    ship b = SB;
    b.name = "OTHER NAME";
    b.callsign = "XXOT";
    leg(f, &SA, 0, LAT, LON, 145, 10);
    leg(f, &b, 24 * 60 + 30, LAT, lon_after(LAT, LON, 147, 10), 72, 10);
}

static void fill_fork_c(FILE *f) {
    ship c = {C, "GOLDEN STAR", "3EGS", 0, 120, 20};
    leg(f, &SA, 0, LAT, LON, 145, 10);
    leg(f, &c, 24 * 60 + 40, LAT + 0.05, lon_after(LAT, LON, 147, 10), 72, 10);
}

static void test_fork(void) {
    pel_store *s = store_of("fork", fill_fork);
    det_links *l = links_of(s, "fork");
    CHECK(det_links_count(l) == 0, "fork: two successors, no link (%zu)", det_links_count(l));
    det_links_free(l);
    pel_store_close(s);
    s = store_of("fork-b", fill_fork_b);
    l = links_of(s, "fork-b");
    CHECK(det_link_from(l, A) && det_link_from(l, A)->to == B &&
              det_link_from(l, A)->matched == (DET_LINK_IMO | DET_LINK_SIZE) &&
              !strcmp(det_link_from(l, A)->name, "OTHER NAME"),
          "fork: the IMO branch alone links, on the IMO and the hull, with B's name");
    det_links_free(l);
    pel_store_close(s);
    s = store_of("fork-c", fill_fork_c);
    l = links_of(s, "fork-c");
    CHECK(det_link_from(l, A) && det_link_from(l, A)->to == C &&
              det_link_from(l, A)->matched == (DET_LINK_NAME | DET_LINK_CALLSIGN | DET_LINK_SIZE),
          "fork: the name branch alone links (an IMO on one side only does not contradict)");
    det_links_free(l);
    pel_store_close(s);
}

/* ---- a chain: A -> B -> C, and the settings --------------------------------------------------- */

static void fill_chain(FILE *f) {
    ship c = SA;
    c.mmsi = C;
    leg(f, &SA, 0, LAT, LON, 73, 10);
    leg(f, &SB, 12 * 60 + 30, LAT, lon_after(LAT, LON, 75, 10), 73, 10);
    leg(f, &c, 25 * 60, LAT, lon_after(LAT, LON, 150, 10), 73, 10);
}

static void test_chain(void) {
    pel_store *s = store_of("chain", fill_chain);
    det_links *l = links_of(s, "chain");
    CHECK(det_links_count(l) == 2, "chain: two links (%zu)", det_links_count(l));
    CHECK(det_link_from(l, A) && det_link_from(l, A)->to == B && det_link_from(l, B) && det_link_from(l, B)->to == C,
          "chain: A -> B -> C");
    CHECK(det_links_head(l, C) == A && det_links_head(l, B) == A, "chain: one vessel, named by A");
    CHECK(det_links_at(l, 0) && det_links_at(l, 0)->from == A && det_links_at(l, 1) && det_links_at(l, 1)->from == B &&
              !det_links_at(l, 2),
          "chain: in order of from");
    det_links_free(l);
    /* a lower reach: 30 min at 5 kn plus 1 km is less than the 5 nm to B (the reported 10 kn still give 12.5) */
    det_identity_opts o;
    det_identity_default_opts(&o);
    o.link_max_speed_kn = 5;
    pel_error err = {0};
    CHECK(s && det_links_build(s, &o, &l, &err) == PEL_OK && det_links_count(l) == 2,
          "chain: the reported speed still reaches (%zu)", det_links_count(l));
    det_links_free(l);
    o.link_overlap_s = 0;
    o.link_noise_m = 0;
    CHECK(s && det_links_build(s, &o, &l, &err) == PEL_OK && det_links_count(l) == 2, "chain: no overlap needed");
    det_links_free(l);
    pel_store_close(s);
    CHECK(det_links_count(NULL) == 0 && !det_links_at(NULL, 0) && !det_link_from(NULL, A) &&
              det_links_head(NULL, A) == A,
          "no links: NULL is none");
}

int main(void) {
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_reachable();
    test_long_silence();
    test_unreachable();
    test_overlap();
    test_switch();
    test_names();
    test_other_imo();
    test_clone();
    test_fork();
    test_chain();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("unit_link: could not remove %s\n", dir);
    printf("unit_link: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
