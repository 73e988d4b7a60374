/*
 * unit_export.c -- unit tests of the track export (pel_export_*), as tables
 * of input and expected output: exact bytes for small documents, the
 * golden files tests/data/export/sample.{geojson,csv,kml}, the display
 * name in all three formats, number and time formatting, grouping by
 * segment, the antimeridian, write errors.  Prints one line per failure and
 * "unit_export: N passed, M failed".
 *
 *   unit_export [--golden DIR]   run the tests (DIR: tests/data/export)
 *   unit_export --write DIR      write sample.* and empty.* into DIR and
 *                                exit; tests/export_validate.sh uses this,
 *                                and a person regenerates the golden files
 *                                with it (review the diff before committing)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pelorus.h"

#include "check.h"

#define T0 1700000000000LL /* 2023-11-14T22:13:20Z */
#define NA_SEG (-1)
#define LAT(d) ((int32_t)((d)*PEL_DEG)) /* whole degrees to 1/600000 degree */
#define LON(d) ((int32_t)((d)*PEL_DEG))

/* A position with the given time, place, segment and flags; speed, course,
 * heading and status absent, type 1, input 1, no source. */
static pel_position P(int64_t t, int32_t lat, int32_t lon, int32_t seg, unsigned flags, uint64_t line) {
    pel_position p;
    memset(&p, 0, sizeof p);
    p.mmsi = 0;
    p.t_ms = t;
    p.lat = lat;
    p.lon = lon;
    p.speed = PEL_NA_SPEED;
    p.course = PEL_NA_COURSE;
    p.heading = PEL_NA_HEADING;
    p.status = PEL_NA_STATUS;
    p.type = 1;
    p.flags = (uint8_t)flags;
    p.segment = seg;
    p.input = 1;
    p.source = 0;
    p.line = line;
    return p;
}

typedef struct vessel {
    uint32_t mmsi;
    const char *name;
    pel_position pos[8];
    size_t n;
} vessel;

static const char HOSTILE[] = "<script>alert(\"x\")</script> & 'Co'\x01";

/* The sample: every case the formats must handle, in four vessels. */
static size_t sample(vessel *v) {
    memset(v, 0, 4 * sizeof *v);
    /* A: one track with a skipped position in it, a lone outlier (Point),
     * a position without a segment, fractional seconds, all fields */
    v[0].mmsi = 123456789;
    v[0].name = "TEST";
    v[0].pos[0] = P(T0, 33300000, 7200000, 0, 0, 10); /* 55.5 N 12.0 E */
    v[0].pos[0].speed = 123;
    v[0].pos[0].course = 2240;
    v[0].pos[0].heading = 215;
    v[0].pos[0].status = 0;
    v[0].pos[0].source = 2;
    v[0].pos[1] = P(T0 + 60000, 33300600, 7201200, 0, PEL_POS_SUSPECT_SPEED, 11);
    v[0].pos[1].type = 18;
    v[0].pos[2] = P(T0 + 120000, PEL_NA_LAT, PEL_NA_LON, NA_SEG, PEL_POS_BAD_COORD, 12);
    v[0].pos[3] = P(T0 + 180000, -1, -1, 1, PEL_POS_ISOLATED, 13);
    v[0].pos[4] = P(T0 + 240500, 33301200, 7202400, 0, 0, 14);
    v[0].pos[5] = P(T0 + 300000, 95 * PEL_DEG, 7203000, 0, 0, 15); /* out of range, yet in a segment */
    v[0].n = 6;
    /* B: no name, three segments, two of them parallel (interleaved in time) */
    v[1].mmsi = 987654321;
    v[1].name = NULL;
    v[1].pos[0] = P(T0, 6000000, 6000000, 0, 0, 20);
    v[1].pos[1] = P(T0 + 1000, -6000000, -6000000, 1, 0, 21);
    v[1].pos[2] = P(T0 + 2000, 6000600, 6000600, 0, 0, 22);
    v[1].pos[3] = P(T0 + 3000, -6000600, -6000600, 1, 0, 23);
    v[1].pos[4] = P(T0 + 4000, 0, 0, 2, 0, 24);
    v[1].pos[5] = P(T0 + 5000, 600, 600, 2, 0, 25);
    v[1].n = 6;
    /* C: across the antimeridian eastwards, 179.9 E -> 179.9 W */
    v[2].mmsi = 111111111;
    v[2].name = "DATELINE";
    v[2].pos[0] = P(T0, 6000000, 107940000, 0, 0, 30);
    v[2].pos[1] = P(T0 + 3600000, 6120000, -107940000, 0, 0, 31);
    v[2].pos[2] = P(T0 + 7200000, 6180000, -107880000, 0, 0, 32);
    v[2].n = 3;
    /* D: a hostile name, one position */
    v[3].mmsi = 222222222;
    v[3].name = HOSTILE;
    v[3].pos[0] = P(T0, 0, 0, 0, 0, 40);
    v[3].n = 1;
    return 4;
}

/* Exports nv vessels into a malloc'd, NUL-terminated string (*len bytes);
 * *st gets pel_export_finish's status. */
static char *export_doc(pel_export_format fmt, const vessel *v, size_t nv, size_t *len, pel_status *st) {
    FILE *f = tmpfile();
    if (!f)
        return NULL;
    pel_export *x = pel_export_new(f, fmt, NULL);
    for (size_t i = 0; i < nv; i++)
        pel_export_vessel(x, v[i].mmsi, v[i].name, v[i].pos, v[i].n);
    *st = pel_export_finish(x, NULL);
    long size = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)(size > 0 ? size : 0) + 1);
    *len = buf ? fread(buf, 1, (size_t)size, f) : 0;
    if (buf)
        buf[*len] = 0;
    fclose(f);
    return buf;
}

/* The same, never NULL (the harness gives up when out of memory); checks
 * that the export succeeded. */
static char *export1(pel_export_format fmt, const vessel *v, size_t nv) {
    size_t len;
    pel_status st;
    char *s = export_doc(fmt, v, nv, &len, &st);
    if (!s) {
        printf("unit_export: cannot export (tmpfile or memory)\n");
        exit(1);
    }
    CHECK(st == PEL_OK && len == strlen(s), "export format %d: status %d", (int)fmt, (int)st);
    return s;
}

static size_t count(const char *hay, const char *needle) {
    size_t k = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        k++;
    return k;
}

static const char *const EXT[4] = {"", "geojson", "csv", "kml"};

/* ---- exact documents ------------------------------------------------------ */

static void test_empty(void) {
    static const char *const want[4] = {
        "",
        "{\"type\":\"FeatureCollection\",\"features\":[\n]}\n",
        "mmsi,name,time,lat,lon,speed,course,heading,status,type,segment,flags,input,source,line\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n"
        "<Document>\n"
        "<name>Pelorus tracks</name>\n"
        "<Style id=\"track\"><LineStyle><color>ff00ffff</color><width>2</width></LineStyle></Style>\n"
        "</Document>\n"
        "</kml>\n",
    };
    for (int fmt = PEL_EXPORT_GEOJSON; fmt <= PEL_EXPORT_KML; fmt++) {
        char *s = export1((pel_export_format)fmt, NULL, 0);
        CHECK(strcmp(s, want[fmt]) == 0, "empty %s:\n%s", EXT[fmt], s);
        free(s);
        /* a vessel without positions writes nothing */
        vessel none = {.mmsi = 1, .name = "NOTHING", .n = 0};
        s = export1((pel_export_format)fmt, &none, 1);
        CHECK(strcmp(s, want[fmt]) == 0, "vessel without positions %s:\n%s", EXT[fmt], s);
        free(s);
    }
}

/* Vessel A of the sample alone, byte for byte. */
static void test_small(void) {
    static const char *const want[4] = {
        "",
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"properties\":{\"mmsi\":123456789,\"name\":\"TEST\",\"segment\":0,"
        "\"start\":\"2023-11-14T22:13:20Z\",\"end\":\"2023-11-14T22:18:20Z\",\"points\":3,\"skipped\":1,"
        "\"flags\":\"suspect_speed\",\"flagged\":1},\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
        "[[12.000000,55.500000],[12.002000,55.501000],[12.004000,55.502000]]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"mmsi\":123456789,\"name\":\"TEST\",\"segment\":1,"
        "\"start\":\"2023-11-14T22:16:20Z\",\"end\":\"2023-11-14T22:16:20Z\",\"points\":1,\"skipped\":0,"
        "\"flags\":\"isolated\",\"flagged\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":"
        "[-0.000002,-0.000002]}},\n"
        "{\"type\":\"Feature\",\"properties\":{\"mmsi\":123456789,\"name\":\"TEST\",\"segment\":null,"
        "\"start\":\"2023-11-14T22:15:20Z\",\"end\":\"2023-11-14T22:15:20Z\",\"points\":0,\"skipped\":1,"
        "\"flags\":\"bad_coord\",\"flagged\":1},\"geometry\":null}\n"
        "]}\n",
        "mmsi,name,time,lat,lon,speed,course,heading,status,type,segment,flags,input,source,line\n"
        "123456789,TEST,2023-11-14T22:13:20Z,55.500000,12.000000,12.3,224.0,215,0,1,0,,1,2,10\n"
        "123456789,TEST,2023-11-14T22:14:20Z,55.501000,12.002000,,,,,18,0,suspect_speed,1,,11\n"
        "123456789,TEST,2023-11-14T22:15:20Z,,,,,,,1,,bad_coord,1,,12\n"
        "123456789,TEST,2023-11-14T22:16:20Z,-0.000002,-0.000002,,,,,1,1,isolated,1,,13\n"
        "123456789,TEST,2023-11-14T22:17:20.500Z,55.502000,12.004000,,,,,1,0,,1,,14\n"
        "123456789,TEST,2023-11-14T22:18:20Z,,12.005000,,,,,1,0,,1,,15\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n"
        "<Document>\n"
        "<name>Pelorus tracks</name>\n"
        "<Style id=\"track\"><LineStyle><color>ff00ffff</color><width>2</width></LineStyle></Style>\n"
        "<Folder>\n"
        "<name>TEST (123456789)</name>\n"
        "<Placemark>\n"
        "<name>123456789 segment 0</name>\n"
        "<description>positions: 3 drawn, 1 not drawn; from 2023-11-14T22:13:20Z to 2023-11-14T22:18:20Z; "
        "flagged: 1 (suspect_speed)</description>\n"
        "<TimeSpan><begin>2023-11-14T22:13:20Z</begin><end>2023-11-14T22:18:20Z</end></TimeSpan>\n"
        "<styleUrl>#track</styleUrl>\n"
        "<ExtendedData>\n"
        "<Data name=\"mmsi\"><value>123456789</value></Data>\n"
        "<Data name=\"segment\"><value>0</value></Data>\n"
        "<Data name=\"start\"><value>2023-11-14T22:13:20Z</value></Data>\n"
        "<Data name=\"end\"><value>2023-11-14T22:18:20Z</value></Data>\n"
        "<Data name=\"points\"><value>3</value></Data>\n"
        "<Data name=\"skipped\"><value>1</value></Data>\n"
        "<Data name=\"flags\"><value>suspect_speed</value></Data>\n"
        "<Data name=\"flagged\"><value>1</value></Data>\n"
        "</ExtendedData>\n"
        "<LineString><tessellate>1</tessellate><coordinates>12.000000,55.500000,0 12.002000,55.501000,0 "
        "12.004000,55.502000,0</coordinates></LineString>\n"
        "</Placemark>\n"
        "<Placemark>\n"
        "<name>123456789 segment 1</name>\n"
        "<description>positions: 1 drawn, 0 not drawn; from 2023-11-14T22:16:20Z to 2023-11-14T22:16:20Z; "
        "flagged: 1 (isolated)</description>\n"
        "<TimeSpan><begin>2023-11-14T22:16:20Z</begin><end>2023-11-14T22:16:20Z</end></TimeSpan>\n"
        "<styleUrl>#track</styleUrl>\n"
        "<ExtendedData>\n"
        "<Data name=\"mmsi\"><value>123456789</value></Data>\n"
        "<Data name=\"segment\"><value>1</value></Data>\n"
        "<Data name=\"start\"><value>2023-11-14T22:16:20Z</value></Data>\n"
        "<Data name=\"end\"><value>2023-11-14T22:16:20Z</value></Data>\n"
        "<Data name=\"points\"><value>1</value></Data>\n"
        "<Data name=\"skipped\"><value>0</value></Data>\n"
        "<Data name=\"flags\"><value>isolated</value></Data>\n"
        "<Data name=\"flagged\"><value>1</value></Data>\n"
        "</ExtendedData>\n"
        "<Point><coordinates>-0.000002,-0.000002,0</coordinates></Point>\n"
        "</Placemark>\n"
        "<Placemark>\n"
        "<name>123456789 no segment</name>\n"
        "<description>positions: 0 drawn, 1 not drawn; from 2023-11-14T22:15:20Z to 2023-11-14T22:15:20Z; "
        "flagged: 1 (bad_coord)</description>\n"
        "<TimeSpan><begin>2023-11-14T22:15:20Z</begin><end>2023-11-14T22:15:20Z</end></TimeSpan>\n"
        "<styleUrl>#track</styleUrl>\n"
        "<ExtendedData>\n"
        "<Data name=\"mmsi\"><value>123456789</value></Data>\n"
        "<Data name=\"segment\"><value></value></Data>\n"
        "<Data name=\"start\"><value>2023-11-14T22:15:20Z</value></Data>\n"
        "<Data name=\"end\"><value>2023-11-14T22:15:20Z</value></Data>\n"
        "<Data name=\"points\"><value>0</value></Data>\n"
        "<Data name=\"skipped\"><value>1</value></Data>\n"
        "<Data name=\"flags\"><value>bad_coord</value></Data>\n"
        "<Data name=\"flagged\"><value>1</value></Data>\n"
        "</ExtendedData>\n"
        "</Placemark>\n"
        "</Folder>\n"
        "</Document>\n"
        "</kml>\n",
    };
    vessel v[4];
    sample(v);
    for (int fmt = PEL_EXPORT_GEOJSON; fmt <= PEL_EXPORT_KML; fmt++) {
        char *s = export1((pel_export_format)fmt, v, 1);
        CHECK(strcmp(s, want[fmt]) == 0, "vessel A as %s:\n%s", EXT[fmt], s);
        free(s);
    }
}

/* ---- the sample against the golden files ---------------------------------- */

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (cap - *len < 4096) {
            char *nb = realloc(buf, cap = cap * 2 + 8192);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t k = fread(buf + *len, 1, cap - *len - 1, f);
        *len += k;
        if (k == 0)
            break;
    }
    buf[*len] = 0;
    fclose(f);
    return buf;
}

static void test_golden(const char *dir) {
    vessel v[4];
    size_t nv = sample(v);
    for (int fmt = PEL_EXPORT_GEOJSON; fmt <= PEL_EXPORT_KML; fmt++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/sample.%s", dir, EXT[fmt]);
        size_t glen = 0, len = 0;
        pel_status st;
        char *want = read_file(path, &glen);
        char *got = export_doc((pel_export_format)fmt, v, nv, &len, &st);
        CHECK(want != NULL, "cannot read %s (run from the repository root, or pass --golden DIR)", path);
        CHECK(got && st == PEL_OK, "sample %s: status %d", EXT[fmt], (int)st);
        if (want && got) {
            size_t i = 0;
            while (i < len && i < glen && got[i] == want[i])
                i++;
            CHECK(len == glen && i == len, "sample.%s differs from %s at byte %zu (regenerate with --write and review)",
                  EXT[fmt], path, i);
        }
        /* determinism: the same input, the same bytes */
        size_t len2 = 0;
        char *again = export_doc((pel_export_format)fmt, v, nv, &len2, &st);
        CHECK(got && again && len == len2 && memcmp(got, again, len) == 0, "sample %s twice differs", EXT[fmt]);
        free(want);
        free(got);
        free(again);
    }
}

/* ---- structure ------------------------------------------------------------ */

static void test_structure(void) {
    vessel v[4];
    sample(v);
    char *js = export1(PEL_EXPORT_GEOJSON, &v[1], 1);
    char *kml = export1(PEL_EXPORT_KML, &v[1], 1);
    /* B: three segments, two interleaved: three LineStrings, grouped by id */
    CHECK(count(js, "\"type\":\"LineString\"") == 3 && count(js, "\"type\":\"Feature\"") == 3,
          "three segments, three LineStrings:\n%s", js);
    CHECK(strstr(js, "\"segment\":0,") && strstr(js, "[[10.000000,10.000000],[10.001000,10.001000]]") &&
              strstr(js, "[[-10.000000,-10.000000],[-10.001000,-10.001000]]") &&
              strstr(js, "[[0.000000,0.000000],[0.001000,0.001000]]"),
          "parallel segments grouped by id:\n%s", js);
    CHECK(strstr(js, "\"name\":null"), "no name is null");
    CHECK(count(kml, "<LineString>") == 3 && count(kml, "<Placemark>") == 3 && count(kml, "<Folder>") == 1,
          "KML: three LineStrings in one Folder");
    CHECK(strstr(kml, "<Folder>\n<name>987654321</name>"), "KML: a Folder without a name is its MMSI");
    free(js);
    free(kml);

    /* A: the lone outlier is a Point; bad coordinates are not drawn */
    js = export1(PEL_EXPORT_GEOJSON, &v[0], 1);
    kml = export1(PEL_EXPORT_KML, &v[0], 1);
    char *csv = export1(PEL_EXPORT_CSV, &v[0], 1);
    CHECK(count(js, "\"type\":\"Point\"") == 1 && count(kml, "<Point>") == 1, "single point is a Point");
    CHECK(!strstr(js, "95.") && !strstr(js, "91.") && !strstr(js, "181.") && !strstr(kml, "95.") &&
              !strstr(kml, "91.") && !strstr(kml, "181."),
          "out-of-range coordinates not written");
    CHECK(count(csv, "\n") == 7 && strstr(csv, "22:15:20Z,,,") && strstr(csv, "22:18:20Z,,12.005000,"),
          "CSV: every position, absent coordinates empty");
    free(js);
    free(kml);
    free(csv);

    /* C: the antimeridian, eastwards (golden) and westwards */
    js = export1(PEL_EXPORT_GEOJSON, &v[2], 1);
    CHECK(strstr(js, "{\"type\":\"MultiLineString\",\"coordinates\":[[[179.900000,10.000000],[180.000000,"
                     "10.100000]],[[-180.000000,10.100000],[-179.900000,10.200000],[-179.800000,10.300000]]]}"),
          "cut eastwards:\n%s", js);
    CHECK(strstr(js, "\"points\":3,"), "cut: points counts positions, not vertices");
    free(js);
    vessel w = {.mmsi = 5, .name = "W", .n = 4};
    w.pos[0] = P(T0, 0, -107940000, 3, 0, 1);            /* 179.9 W */
    w.pos[1] = P(T0 + 1000, 600000, 107880000, 3, 0, 2); /* 179.8 E: 0.3 deg west */
    w.pos[2] = P(T0 + 2000, 0, -LON(180), 3, 0, 3);
    w.pos[3] = P(T0 + 3000, 600000, LON(180), 3, 0, 4);
    js = export1(PEL_EXPORT_GEOJSON, &w, 1);
    /* 179.9 W -> 179.8 E crosses at 1/3 of the way; 179.8 E -> 180 W crosses
     * at its end; 180 W -> 180 E: the same meridian, cut where it is */
    CHECK(strstr(js, "{\"type\":\"MultiLineString\",\"coordinates\":[[[-179.900000,0.000000],[-180.000000,0.333333]],"
                     "[[180.000000,0.333333],[179.800000,1.000000],[180.000000,0.000000]],"
                     "[[-180.000000,0.000000],[-180.000000,0.000000],[-180.000000,0.000000]],"
                     "[[180.000000,0.000000],[180.000000,1.000000]]]}"),
          "cut westwards, and 180 -> -180 -> 180:\n%s", js);
    free(js);
    /* exactly 180 degrees apart: not cut */
    w.n = 2;
    w.pos[0] = P(T0, 0, -LON(90), 3, 0, 1);
    w.pos[1] = P(T0 + 1000, 0, LON(90), 3, 0, 2);
    js = export1(PEL_EXPORT_GEOJSON, &w, 1);
    CHECK(strstr(js, "\"LineString\",\"coordinates\":[[-90.000000,0.000000],[90.000000,0.000000]]"),
          "180 degrees: not cut:\n%s", js);
    free(js);

    /* a segment whose positions cannot be drawn: geometry null / no geometry */
    w.n = 2;
    w.pos[0] = P(T0, PEL_NA_LAT, 0, 7, 0, 1);
    w.pos[1] = P(T0 + 1000, 0, -LON(181), 7, 0, 2);
    js = export1(PEL_EXPORT_GEOJSON, &w, 1);
    kml = export1(PEL_EXPORT_KML, &w, 1);
    CHECK(strstr(js, "\"segment\":7,") && strstr(js, "\"points\":0,\"skipped\":2,") && strstr(js, "\"geometry\":null}"),
          "undrawable segment:\n%s", js);
    CHECK(!strstr(kml, "<coordinates>") && count(kml, "<Placemark>") == 1, "undrawable segment in KML");
    free(js);
    free(kml);
    /* in range but flagged bad: not drawn */
    w.n = 1;
    w.pos[0] = P(T0, 0, 0, 0, PEL_POS_BAD_COORD, 1);
    js = export1(PEL_EXPORT_GEOJSON, &w, 1);
    CHECK(strstr(js, "\"geometry\":null}"), "PEL_POS_BAD_COORD is not drawn");
    free(js);
}

/* ---- names ---------------------------------------------------------------- */

#define FFFD "\xEF\xBF\xBD"
#define MARK(hex) "\xE2\x9F\xA8U+" hex "\xE2\x9F\xA9" /* util/display.h: a hidden character shown */

static void test_names(void) {
    // clang-format off
    static const struct {
        const char *name, *json, *csv, *xml;
    } cases[] = {
        {"TEST", "TEST", "TEST", "TEST"},
        {HOSTILE, "<script>alert(\\\"x\\\")</script> & 'Co'\\u0001", "\"<script>alert(\"\"x\"\")</script> & 'Co'" MARK("0001") "\"",
         "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;Co&apos;" MARK("0001")},
        {"A,B", "A,B", "\"A,B\"", "A,B"},
        {"SAY \"HI\"", "SAY \\\"HI\\\"", "\"SAY \"\"HI\"\"\"", "SAY &quot;HI&quot;"},
        {"LINE\r\nBREAK\tTAB", "LINE\\u000d\\u000aBREAK\\u0009TAB", "LINE" MARK("000D") MARK("000A") "BREAK" MARK("0009") "TAB",
         "LINE" MARK("000D") MARK("000A") "BREAK" MARK("0009") "TAB"},
        {"back\\slash", "back\\\\slash", "back\\slash", "back\\slash"},
        {"DEL\x7f", "DEL\\u007f", "DEL" MARK("007F"), "DEL" MARK("007F")},
        {"=HYPERLINK(\"http://x\")", "=HYPERLINK(\\\"http://x\\\")", "\"'=HYPERLINK(\"\"http://x\"\")\"",
         "=HYPERLINK(&quot;http://x&quot;)"},
        {"-5", "-5", "\"'-5\"", "-5"},
        {"+CMD", "+CMD", "\"'+CMD\"", "+CMD"},
        {"@SUM", "@SUM", "\"'@SUM\"", "@SUM"},
        {"M\xC3\x9CNCHEN \xF0\x9F\x9A\xA2", "M\xC3\x9CNCHEN \xF0\x9F\x9A\xA2", "M\xC3\x9CNCHEN \xF0\x9F\x9A\xA2",
         "M\xC3\x9CNCHEN \xF0\x9F\x9A\xA2"},
        {"\xff\xfe" "BAD", FFFD FFFD "BAD", FFFD FFFD "BAD", FFFD FFFD "BAD"},
        {"\xC0\xAF", FFFD FFFD, FFFD FFFD, FFFD FFFD},                      /* overlong '/' */
        {"\xED\xA0\x80", FFFD FFFD FFFD, FFFD FFFD FFFD, FFFD FFFD FFFD},   /* surrogate */
        {"\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD, FFFD FFFD FFFD FFFD, FFFD FFFD FFFD FFFD}, /* > U+10FFFF */
        {"AB\xE2\x82", "AB" FFFD FFFD, "AB" FFFD FFFD, "AB" FFFD FFFD},     /* truncated */
        {"\xEF\xBF\xBE", "\\ufffe", MARK("FFFE"), MARK("FFFE")},             /* U+FFFE */
        {"NEL\xC2\x85", "NEL\\u0085", "NEL" MARK("0085"), "NEL" MARK("0085")}, /* C1 control */
        {"ABC\xE2\x80\xAE", "ABC\\u202e", "ABC" MARK("202E"), "ABC" MARK("202E")}, /* right-to-left override */
        {"\xE2\x81\xA6X\xE2\x80\x8F", "\\u2066X\\u200f", MARK("2066") "X" MARK("200F"), MARK("2066") "X" MARK("200F")}, /* isolate, RLM */
        {"A\xE2\x80\x8B" "B", "A\\u200bB", "A" MARK("200B") "B", "A" MARK("200B") "B"}, /* zero-width space */
        {"T\xF3\xA0\x81\x81", "T\\udb40\\udc41", "T" MARK("E0041"), "T" MARK("E0041")}, /* a tag character */
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vessel v = {.mmsi = 123456789, .name = cases[i].name, .n = 1};
        v.pos[0] = P(T0, 0, 0, 0, 0, 1);
        char want[512];
        char *s = export1(PEL_EXPORT_GEOJSON, &v, 1);
        snprintf(want, sizeof want, "\"name\":\"%s\",\"segment\":0,", cases[i].json);
        CHECK(strstr(s, want), "name %zu as JSON: want %s in\n%s", i, want, s);
        free(s);
        s = export1(PEL_EXPORT_CSV, &v, 1);
        snprintf(want, sizeof want, "\n123456789,%s,2023-11-14T22:13:20Z,0.000000,0.000000,,,,,1,0,,1,,1\n",
                 cases[i].csv);
        CHECK(strstr(s, want) && count(s, "\n") == 2, "name %zu as CSV: want %s in\n%s", i, want, s);
        free(s);
        s = export1(PEL_EXPORT_KML, &v, 1);
        snprintf(want, sizeof want, "<Folder>\n<name>%s (123456789)</name>\n", cases[i].xml);
        CHECK(strstr(s, want), "name %zu as KML: want %s in\n%s", i, want, s);
        /* the name appears nowhere else in KML (descriptions are HTML to Google Earth) */
        CHECK(count(s, cases[i].xml) == 1, "name %zu once in KML", i);
        free(s);
    }
    /* no raw '<' or control byte of the hostile name survives anywhere */
    vessel v = {.mmsi = 1, .name = HOSTILE, .n = 1};
    v.pos[0] = P(T0, 0, 0, 0, 0, 1);
    for (int fmt = PEL_EXPORT_GEOJSON; fmt <= PEL_EXPORT_KML; fmt++) {
        char *s = export1((pel_export_format)fmt, &v, 1);
        CHECK(!strchr(s, '\x01'), "control byte in %s", EXT[fmt]);
        CHECK((fmt != PEL_EXPORT_KML || !strstr(s, "<script")), "raw <script in KML");
        free(s);
    }
    /* an empty name is no name */
    v.name = "";
    char *s = export1(PEL_EXPORT_GEOJSON, &v, 1);
    CHECK(strstr(s, "\"name\":null"), "empty name is null");
    free(s);
}

/* ---- numbers and times, through CSV rows ---------------------------------- */

static void test_numbers(void) {
    // clang-format off
    static const struct {
        int32_t lat, lon;
        const char *want; /* "lat,lon" */
    } coords[] = {
        {0, 0, "0.000000,0.000000"},
        {1, -1, "0.000002,-0.000002"},         /* 1/600000 = 0.0000016667 */
        {3, -3, "0.000005,-0.000005"},         /* exactly 0.000005 */
        {5, -5, "0.000008,-0.000008"},         /* 0.0000083333 */
        {599999, -599999, "0.999998,-0.999998"},
        {33300001, 7500000, "55.500002,12.500000"},
        {LAT(90), LON(-180), "90.000000,-180.000000"},
        {LAT(-90), LON(180), "-90.000000,180.000000"},
        {LAT(90) + 1, LON(180) + 1, ","},
        {LAT(-90) - 1, LON(-180) - 1, ","},
        {PEL_NA_LAT, PEL_NA_LON, ","},
        {INT32_MIN, INT32_MAX, ","},
        {INT32_MAX, INT32_MIN, ","},
        {LAT(45), PEL_NA_LON, "45.000000,"},   /* each coordinate on its own in CSV */
        {PEL_NA_LAT, LON(-45), ",-45.000000"},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof coords / sizeof coords[0]; i++) {
        vessel v = {.mmsi = 1, .n = 1};
        v.pos[0] = P(T0, coords[i].lat, coords[i].lon, -1, 0, 1);
        char *s = export1(PEL_EXPORT_CSV, &v, 1);
        char want[256];
        snprintf(want, sizeof want, "\n1,,2023-11-14T22:13:20Z,%s,,,,,1,,,1,,1\n", coords[i].want);
        CHECK(strstr(s, want), "coordinates %d %d: want %s in\n%s", coords[i].lat, coords[i].lon, want, s);
        free(s);
    }
    // clang-format off
    static const struct {
        unsigned speed, course, heading, status, type;
        const char *want; /* "speed,course,heading,status,type" */
    } values[] = {
        {0, 0, 0, 0, 1, "0.0,0.0,0,0,1"},
        {1022, 3599, 359, 14, 27, "102.2,359.9,359,14,27"},
        {1023, 3600, 511, 15, 0, ",,,,"},
        {2000, 4000, 360, 200, 255, ",,,,255"},
        {5, 5, 5, 5, 18, "0.5,0.5,5,5,18"},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        vessel v = {.mmsi = 1, .n = 1};
        v.pos[0] = P(T0, 0, 0, 0, 0, 1);
        v.pos[0].speed = (uint16_t)values[i].speed;
        v.pos[0].course = (uint16_t)values[i].course;
        v.pos[0].heading = (uint16_t)values[i].heading;
        v.pos[0].status = (uint8_t)values[i].status;
        v.pos[0].type = (uint8_t)values[i].type;
        char *s = export1(PEL_EXPORT_CSV, &v, 1);
        char want[256];
        snprintf(want, sizeof want, ",0.000000,0.000000,%s,0,,1,,1\n", values[i].want);
        CHECK(strstr(s, want), "values %zu: want %s in\n%s", i, want, s);
        free(s);
    }
    // clang-format off
    static const struct {
        int64_t t;
        const char *want;
    } times[] = {
        {T0 + 123, "2023-11-14T22:13:20.123Z"},
        {0, "1970-01-01T00:00:00Z"},
        {-62167219200000LL, "0000-01-01T00:00:00Z"},
        {-62167219200001LL, ""},
        {253402300799999LL, "9999-12-31T23:59:59.999Z"},
        {253402300800000LL, ""},
        {INT64_MIN, ""},
        {INT64_MAX, ""},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        vessel v = {.mmsi = 1, .n = 1};
        v.pos[0] = P(times[i].t, 0, 0, 0, PEL_POS_BAD_TIME, 1);
        char *s = export1(PEL_EXPORT_CSV, &v, 1);
        char want[256];
        snprintf(want, sizeof want, "\n1,,%s,0.000000,0.000000,", times[i].want);
        CHECK(strstr(s, want), "time %lld: want %s in\n%s", (long long)times[i].t, want, s);
        free(s);
        s = export1(PEL_EXPORT_GEOJSON, &v, 1);
        if (times[i].want[0])
            snprintf(want, sizeof want, "\"start\":\"%s\",\"end\":\"%s\",", times[i].want, times[i].want);
        else
            snprintf(want, sizeof want, "\"start\":null,\"end\":null,");
        CHECK(strstr(s, want), "GeoJSON time %lld: want %s in\n%s", (long long)times[i].t, want, s);
        free(s);
        s = export1(PEL_EXPORT_KML, &v, 1);
        CHECK((times[i].want[0] ? strstr(s, "<TimeSpan>") != NULL : strstr(s, "<TimeSpan>") == NULL),
              "KML TimeSpan only with a time");
        free(s);
    }
    /* every flag, and the unnamed bits */
    vessel v = {.mmsi = 1, .n = 1};
    v.pos[0] = P(T0, 0, 0, -1, 0xFF, 1);
    v.pos[0].source = 7;
    v.pos[0].input = 4294967295u;
    v.pos[0].line = UINT64_MAX;
    char *s = export1(PEL_EXPORT_CSV, &v, 1);
    CHECK(strstr(s, ",,suspect_speed|isolated|bad_coord|bad_time|bit4|bit5|bit6|bit7,4294967295,7,"
                    "18446744073709551615\n"),
          "flags, input, source, line:\n%s", s);
    free(s);
}

/* ---- a vessel larger than the output buffer ------------------------------- */

static void test_large(void) {
    enum { N = 20000 };
    pel_position *p = malloc(N * sizeof *p), *copy = malloc(N * sizeof *p);
    if (!p || !copy) {
        CHECK(0, "out of memory");
        free(p);
        free(copy);
        return;
    }
    for (int i = 0; i < N; i++)
        p[i] = P(T0 + i * 1000LL, i, -i, i % 2, 0, (uint64_t)i + 1); /* two parallel segments */
    memcpy(copy, p, N * sizeof *p);
    for (int fmt = PEL_EXPORT_GEOJSON; fmt <= PEL_EXPORT_KML; fmt++) {
        FILE *f = tmpfile();
        pel_export *x = pel_export_new(f, (pel_export_format)fmt, NULL);
        pel_status st = pel_export_vessel(x, 42, "BIG", p, N);
        CHECK(st == PEL_OK && pel_export_finish(x, NULL) == PEL_OK, "large %s", EXT[fmt]);
        long size = ftell(f);
        rewind(f);
        char *s = malloc((size_t)size + 1);
        size_t len = s ? fread(s, 1, (size_t)size, f) : 0;
        fclose(f);
        if (!s)
            continue;
        s[len] = 0;
        CHECK(len > 2 * 65536, "large %s is larger than the buffer (%zu)", EXT[fmt], len);
        if (fmt == PEL_EXPORT_GEOJSON)
            CHECK(count(s, "],[") == N - 2 && count(s, "\"LineString\"") == 2 && strstr(s, "\"points\":10000,") &&
                      strcmp(s + len - 5, "}\n]}\n") == 0,
                  "large GeoJSON");
        else if (fmt == PEL_EXPORT_CSV)
            CHECK(count(s, "\n") == N + 1 && strstr(s, "\n42,BIG,2023-11-15T03:46:39Z,0.033332,-0.033332,"),
                  "large CSV");
        else
            CHECK(count(s, ",0 ") == N - 2 && strcmp(s + len - 7, "</kml>\n") == 0, "large KML");
        free(s);
    }
    CHECK(memcmp(p, copy, N * sizeof *p) == 0, "positions are not changed");
    free(p);
    free(copy);
}

/* ---- errors --------------------------------------------------------------- */

static void test_errors(void) {
    pel_error err = {0};
    CHECK(pel_export_new(NULL, PEL_EXPORT_CSV, &err) == NULL && err.code == PEL_ERR_ARG && err.msg[0], "no stream");
    memset(&err, 0, sizeof err);
    CHECK(pel_export_new(stdout, (pel_export_format)99, &err) == NULL && err.code == PEL_ERR_ARG, "bad format");
    CHECK(pel_export_new(stdout, (pel_export_format)0, NULL) == NULL, "format 0");
    CHECK(pel_export_finish(NULL, NULL) == PEL_OK, "finish(NULL)");
    pel_position one = P(T0, 0, 0, 0, 0, 1);
    CHECK(pel_export_vessel(NULL, 1, "X", &one, 1) == PEL_ERR_ARG, "vessel(NULL)");

    FILE *f = tmpfile();
    pel_export *x = pel_export_new(f, PEL_EXPORT_GEOJSON, NULL);
    CHECK(pel_export_vessel(x, 1, "X", NULL, 1) == PEL_ERR_ARG, "pos NULL with n > 0");
    CHECK(pel_export_vessel(x, 1, "X", NULL, 0) == PEL_OK, "pos NULL with n = 0");
    CHECK(pel_export_finish(x, NULL) == PEL_OK, "argument errors do not spoil the export");
    fclose(f);

    /* a stream that cannot be written: the vessel call and finish say so */
    f = fopen("/dev/null", "r");
    CHECK(f != NULL, "open /dev/null");
    if (f) {
        x = pel_export_new(f, PEL_EXPORT_KML, NULL);
        CHECK(pel_export_vessel(x, 1, "X", &one, 1) == PEL_ERR_IO, "read-only stream: vessel reports PEL_ERR_IO");
        CHECK(pel_export_vessel(x, 2, "Y", &one, 1) == PEL_ERR_IO, "and goes on reporting it");
        memset(&err, 0, sizeof err);
        CHECK(pel_export_finish(x, &err) == PEL_ERR_IO && err.code == PEL_ERR_IO && strstr(err.msg, "export"),
              "read-only stream: finish reports PEL_ERR_IO (%s)", err.msg);
        fclose(f);
    }
    /* a full disk: seen at the latest by finish */
    f = fopen("/dev/full", "w");
    if (f) {
        x = pel_export_new(f, PEL_EXPORT_CSV, NULL);
        pel_export_vessel(x, 1, "X", &one, 1);
        memset(&err, 0, sizeof err);
        CHECK(pel_export_finish(x, &err) == PEL_ERR_IO && err.code == PEL_ERR_IO, "disk full: finish (%s)", err.msg);
        fclose(f);
        /* ... and by the vessel call when it writes more than the stream buffers */
        f = fopen("/dev/full", "w");
        enum { N = 5000 };
        pel_position *p = malloc(N * sizeof *p);
        if (f && p) {
            for (int i = 0; i < N; i++)
                p[i] = P(T0 + i, 0, 0, 0, 0, 1);
            x = pel_export_new(f, PEL_EXPORT_CSV, NULL);
            CHECK(pel_export_vessel(x, 1, "X", p, N) == PEL_ERR_IO, "disk full: vessel");
            CHECK(pel_export_finish(x, NULL) == PEL_ERR_IO, "disk full: finish after vessel");
        }
        free(p);
        if (f)
            fclose(f);
    } else
        printf("note: /dev/full not available, disk-full cases not run\n");
}

/* ---- --write -------------------------------------------------------------- */

static int write_docs(const char *dir) {
    vessel v[4];
    size_t nv = sample(v);
    static const char *const docs[2] = {"sample", "empty"};
    for (int d = 0; d < 2; d++)
        for (int fmt = PEL_EXPORT_GEOJSON; fmt <= PEL_EXPORT_KML; fmt++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/%s.%s", dir, docs[d], EXT[fmt]);
            FILE *f = fopen(path, "wb");
            if (!f) {
                fprintf(stderr, "unit_export: cannot write %s\n", path);
                return 1;
            }
            pel_error err = {0};
            pel_export *x = pel_export_new(f, (pel_export_format)fmt, &err);
            for (size_t i = 0; d == 0 && i < nv; i++)
                pel_export_vessel(x, v[i].mmsi, v[i].name, v[i].pos, v[i].n);
            if (pel_export_finish(x, &err) != PEL_OK || fclose(f) != 0) {
                fprintf(stderr, "unit_export: %s: %s\n", path, err.msg);
                return 1;
            }
        }
    return 0;
}

int main(int argc, char **argv) {
    const char *golden = "tests/data/export";
    if (argc == 3 && strcmp(argv[1], "--write") == 0)
        return write_docs(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--golden") == 0)
        golden = argv[2];
    else if (argc != 1) {
        fprintf(stderr, "usage: unit_export [--golden DIR | --write DIR]\n");
        return 2;
    }
    test_empty();
    test_small();
    test_golden(golden);
    test_structure();
    test_names();
    test_numbers();
    test_large();
    test_errors();
    printf("unit_export: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
