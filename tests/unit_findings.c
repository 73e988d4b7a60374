/*
 * unit_findings.c -- the findings layer (src/findings/) and the escaping
 * policy (src/util/escape.h) without a database: a finding built with every
 * kind of member, held by a set and read back by member; the canonical
 * order; the JSON Lines writer byte for byte; the reader (every golden scan
 * file read and written again in JSON Lines, CSV and GeoJSON is the same
 * file; format errors name line and cause); a spilling set (fnd_set_spill)
 * against the same findings in memory, and its file failing; the public
 * pel_findings functions; and each escaping mode.
 */
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "findings/read.h"
#include "findings/write.h"
#include "util/escape.h"

#include <sys/resource.h>

/* What fn writes, as a string (the caller frees). */
#define CAPTURE(out, call)                                                                                             \
    do {                                                                                                               \
        size_t len_;                                                                                                   \
        FILE *f = open_memstream(&(out), &len_);                                                                       \
        call;                                                                                                          \
        fclose(f);                                                                                                     \
    } while (0)

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(m);
    fclose(f);
    return buf;
}

/* ---- building and reading by member ---------------------------------------------- */

static void build_one(fnd_builder *f) {
    memset(f, 0, sizeof *f);
    f->event = "zone_entry";
    f->mmsi = 412000001;
    f->start_ms = 1700000000000;
    f->end_ms = 1700003600000;
    f->lat = 35.1234567;
    f->lon = -123.0000004;
    fnd_str(f, "zone", "A \"zone\"\\ \xE2\x80\xAE<x>\xff");
    fnd_int(f, "zone_index", -3);
    fnd_num(f, "duration_h", 2.3456, 2);
    fnd_num(f, "gone", NAN, 2);
    fnd_bool(f, "open", 0);
    fnd_bool(f, "unknown", -1);
    const char *why[] = {"flag", "callsign"};
    fnd_strs(f, "corroborated_by", why, 2);
    fnd_strs(f, "contradicted_by", NULL, 0);
    fnd_obj(f, "entered_from");
    fnd_str(f, "time", "2023-11-14T22:13:20Z");
    fnd_num(f, "lat", 35.0, 6);
    fnd_end(f);
    fnd_num(f, "distance_m", 412.4, 0);
    pel_position p = {.input = 1, .line = 7, .clock = PEL_CLOCK_TAG_BLOCK};
    fnd_add_position(f, &p);
    p.line = 9;
    p.clock = PEL_CLOCK_TRAILER;
    fnd_add_position(f, &p);
}

static void test_build(void) {
    fnd_set *s = fnd_set_new();
    fnd_builder b;
    build_one(&b);
    fnd_set_push(s, &b);
    CHECK(s && s->failed == PEL_OK && s->n == 1, "one finding held");
    const fnd_finding *x = &s->v[0];
    CHECK(!strcmp(x->event, "zone_entry") && x->mmsi == 412000001 && x->mmsi2 == 0, "core");
    CHECK(x->lat == 35.123457 && x->lon == -123.0, "lat/lon as written: %.9f %.9f", x->lat, x->lon);
    CHECK(fnd_get_num(x, "duration_h", 0) == 2.35, "a number as written: %.17g", fnd_get_num(x, "duration_h", 0));
    CHECK(fnd_get_num(x, "zone_index", 0) == -3 && fnd_get(x, "zone_index")->kind == FND_INT, "an integer");
    CHECK(fnd_get(x, "gone")->kind == FND_NULL && isnan(fnd_get_num(x, "gone", NAN)), "NaN is null");
    CHECK(fnd_get_bool(x, "open") == 0 && fnd_get_bool(x, "unknown") == -1 && fnd_get_bool(x, "nothing") == -1,
          "booleans");
    CHECK(!strcmp(fnd_get_str(x, "zone"), "A \"zone\"\\ \xE2\x80\xAE<x>\xEF\xBF\xBD"),
          "a string kept exactly, a bad byte as U+FFFD: %s", fnd_get_str(x, "zone"));
    CHECK(fnd_has_str(x, "corroborated_by", "callsign") && !fnd_has_str(x, "contradicted_by", "flag") &&
              fnd_has_str(x, "zone_index", "x") == false,
          "arrays of strings");
    CHECK(fnd_get(x, "lat") == NULL && fnd_get(x, "time") == NULL, "an object's members are not the finding's");
    CHECK(x->nev == 2 && x->nev_total == 2 && x->clocks == (1u << PEL_CLOCK_TAG_BLOCK | 1u << PEL_CLOCK_TRAILER),
          "evidence and clocks");

    char **paths = calloc(2, sizeof *paths);
    paths[1] = strdup("in \"1\".nmea");
    fnd_set_paths(s, paths, 2);
    char *out = NULL;
    CAPTURE(out, fnd_write_jsonl(f, s));
    const char *want =
        "{\"event\":\"zone_entry\",\"mmsi\":412000001,\"start\":\"2023-11-14T22:13:20Z\",\"end\":\"2023-11-14T23:13:"
        "20Z\","
        "\"lat\":35.123457,\"lon\":-123.000000,\"zone\":\"A \\\"zone\\\"\\\\ "
        "\\u202e<x>\xEF\xBF\xBD\",\"zone_index\":-3,"
        "\"duration_h\":2.35,\"gone\":null,\"open\":false,\"unknown\":null,\"corroborated_by\":[\"flag\",\"callsign\"],"
        "\"contradicted_by\":[],\"entered_from\":{\"time\":\"2023-11-14T22:13:20Z\",\"lat\":35.000000},"
        "\"distance_m\":412,\"clocks\":[\"tag_block\",\"trailer\"],\"evidence\":[{\"file\":\"in "
        "\\\"1\\\".nmea\",\"line\":7},"
        "{\"file\":\"in \\\"1\\\".nmea\",\"line\":9}],\"evidence_total\":2,"
        /* sha256("zone_entry|412000001|0|1700000000000"), its first 8 bytes (Python's hashlib) */
        "\"finding_id\":\"8cbe5569623fcf5b\"}\n";
    CHECK(out && !strcmp(out, want), "JSON line:\n%s\nwant\n%s", out, want);
    /* ... and read back, written again: the same line */
    fnd_set *back = fnd_set_new();
    char why2[160] = "";
    CHECK(fnd_read_line(back, out, strlen(out), why2, sizeof why2) == PEL_OK, "read back: %s", why2);
    char *again = NULL;
    CAPTURE(again, fnd_write_jsonl(f, back));
    CHECK(again && !strcmp(again, out), "read and written again:\n%s", again);
    free(again);
    /* the table and the CSV show the members, the hidden character as a mark */
    char *table = NULL, *csv = NULL;
    CAPTURE(table, fnd_write_table(f, s));
    CAPTURE(csv, fnd_write_csv(f, s, NULL));
    CHECK(table && strstr(table, "\"zone\":\"A \\\"zone\\\"\\\\ \xE2\x9F\xA8U+202E\xE2\x9F\xA9<x>"), "table: %s",
          table);
    CHECK(csv && strstr(csv, "\"{\"\"zone\"\":\"\"A \\\"\"zone\\\"\"\\\\ \xE2\x9F\xA8U+202E\xE2\x9F\xA9") &&
              strstr(csv, "\"in \"\"1\"\".nmea:7;in \"\"1\"\".nmea:9\"\n"),
          "CSV: %s", csv);
    free(table);
    free(csv);
    free(out);
    fnd_set_free(back);

    /* appended later (a gap's feed fraction), dropped, kept */
    CHECK(fnd_set_append_num(s, 0, "feed_hours_fraction", 0.456, 2) == PEL_OK &&
              fnd_get_num(&s->v[0], "feed_hours_fraction", 0) == 0.46 && fnd_get_num(&s->v[0], "duration_h", 0) == 2.35,
          "a member appended");
    /* amended with an array of objects and evidence of its own (a
     * loitering's possible partners): members after the others, evidence
     * after the finding's, the core untouched */
    {
        fnd_builder more = {0};
        more.event = "other";
        more.mmsi = 1;
        fnd_obj(&more, NULL); /* refused: an object left open */
        CHECK(fnd_set_append(s, 0, &more) == PEL_ERR_ARG && s->v[0].nmem == 15, "an open object is refused");
        pel_position q = {.input = 1, .line = 11, .clock = PEL_CLOCK_PGHP};
        memset(&more, 0, sizeof more);
        fnd_obj(&more, "partner");
        fnd_int(&more, "mmsi", 412000002);
        fnd_obj(&more, "leg");
        fnd_num(&more, "spare_h", 1.234, 1);
        fnd_end(&more);
        fnd_end(&more);
        fnd_add_position(&more, &q);
        CHECK(fnd_set_append(s, 0, &more) == PEL_OK, "amended");
        const fnd_finding *y = &s->v[0];
        const fnd_member *pm = fnd_get(y, "partner");
        CHECK(!strcmp(y->event, "zone_entry") && y->mmsi == 412000001 && y->nmem == 19 && pm && pm->kind == FND_OBJ &&
                  pm->n == 3,
              "members appended, core kept: %zu", y->nmem);
        CHECK(fnd_member_get(pm, "mmsi") && fnd_member_get(pm, "mmsi")->v.i == 412000002 &&
                  fnd_member_get(pm, "spare_h") == NULL &&
                  fnd_member_get(fnd_member_get(pm, "leg"), "spare_h")->v.d == 1.2 &&
                  fnd_member_get(fnd_get(y, "zone_index"), "mmsi") == NULL,
              "an object's members by name, its own only");
        CHECK(y->nev == 3 && y->ev[2].line == 11 && y->nev_total == 3 && (y->clocks & 1u << PEL_CLOCK_PGHP) &&
                  fnd_get_num(y, "feed_hours_fraction", 0) == 0.46,
              "evidence and clocks appended");
        char *line = NULL;
        CAPTURE(line, fnd_write_jsonl(f, s));
        CHECK(line &&
                  strstr(line, ",\"feed_hours_fraction\":0.46,\"partner\":{\"mmsi\":412000002,\"leg\":{\"spare_h\":"
                               "1.2}},\"clocks\":[\"tag_block\",\"pghp\",\"trailer\"],") &&
                  strstr(line, "\"line\":9},{\"file\":\"in \\\"1\\\".nmea\",\"line\":11}],\"evidence_total\":3,"),
              "written: %s", line);
        free(line);
        /* evidence beyond the cap is counted, not listed */
        memset(&more, 0, sizeof more);
        for (int k = 0; k < FND_MAX_EVIDENCE; k++)
            fnd_add_position(&more, &q);
        CHECK(fnd_set_append(s, 0, &more) == PEL_OK && s->v[0].nev == FND_MAX_EVIDENCE &&
                  s->v[0].nev_total == 3 + FND_MAX_EVIDENCE,
              "evidence capped: %zu of %llu", s->v[0].nev, (unsigned long long)s->v[0].nev_total);
    }
    bool keep = false;
    fnd_set_keep(s, &keep);
    CHECK(s->n == 0, "dropped");

    /* a builder that outgrew its members is refused, never cut */
    fnd_builder big = {0};
    big.event = "gap";
    for (int i = 0; i < FND_MAX_MEMBERS + 1; i++)
        fnd_int(&big, "n", i);
    CHECK(big.overflow, "overflow noticed");
    fnd_set_push(s, &big);
    CHECK(s->failed == PEL_ERR_ARG && s->n == 0, "an overflowing finding is refused");
    fnd_set_free(s);
}

static void test_order(void) {
    fnd_set *s = fnd_set_new();
    static const struct {
        const char *event;
        uint32_t mmsi;
        int64_t start;
        const char *field;
    } in[] = {
        {"identity_change", 2, 10, "name"},
        {"identity_change", 2, 10, "callsign"},
        {"gap", 2, 10, "x"},
        {"gap", 1, 10, "x"},
        {"encounter", 3, 5, "x"},
    };
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        fnd_builder b = {0};
        b.event = in[i].event;
        b.mmsi = in[i].mmsi;
        b.start_ms = b.end_ms = in[i].start;
        fnd_str(&b, "field", in[i].field);
        fnd_set_push(s, &b);
    }
    fnd_set_sort(s);
    static const char *const want[] = {"encounter/3/x", "gap/1/x", "gap/2/x", "identity_change/2/callsign",
                                       "identity_change/2/name"};
    for (size_t i = 0; i < s->n; i++) {
        char got[64];
        snprintf(got, sizeof got, "%s/%u/%s", s->v[i].event, s->v[i].mmsi, fnd_get_str(&s->v[i], "field"));
        CHECK(!strcmp(got, want[i]), "order %zu: %s, want %s", i, got, want[i]);
    }
    fnd_set_free(s);
}

/* ---- the reader -------------------------------------------------------------------- */

/* Every golden scan file, read and written again in each format, is the same file. */
static void test_round_trip(void) {
    static const char *const names[] = {"scenario_small", "scenario_hard", "yellow_sea_day"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/golden/scan/%s.jsonl", names[i]);
        fnd_set *s = NULL;
        pel_error err = {0};
        CHECK(fnd_read_file(path, &s, NULL, &err) == PEL_OK && s && s->n > 0, "%s reads: %s", path, err.msg);
        if (!s)
            continue;
        static const struct {
            const char *ext;
            pel_findings_format fmt;
        } forms[] = {{"jsonl", PEL_FIND_JSONL}, {"csv", PEL_FIND_CSV}, {"geojson", PEL_FIND_GEOJSON}};
        for (size_t k = 0; k < sizeof forms / sizeof forms[0]; k++) {
            snprintf(path, sizeof path, "tests/golden/scan/%s.%s", names[i], forms[k].ext);
            char *want = slurp(path), *got = NULL;
            CAPTURE(got, fnd_write(f, forms[k].fmt, s));
            CHECK(want && got && !strcmp(want, got), "%s: read and written again, the same bytes", path);
            free(want);
            free(got);
        }
        fnd_set_free(s);
    }
}

static void test_reader(void) {
    static const struct {
        const char *line, *why;
    } bad[] = {
        {"{\"event\":\"gap\",\"mmsi\":1,\"start\":\"2024-01-01T00:00:00Z\",",
         "not JSON: an object member without a name in quotes (column 56)"},
        {"[1, 2]", "not a JSON object with event, mmsi, start and end"},
        {"{\"event\":\"\",\"mmsi\":1,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-01T00:00:00Z\"}",
         "not a JSON object"},
        {"{\"event\":\"gap\",\"mmsi\":\"1\",\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-01T00:00:00Z\"}",
         "mmsi missing or not an integer"},
        {"{\"event\":\"gap\",\"mmsi\":4294967296,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-01T00:00:00Z\"}",
         "mmsi missing or not an integer"},
        {"{\"event\":\"gap\",\"mmsi\":1,\"start\":\"yesterday\",\"end\":\"2024-01-01T00:00:00Z\"}", "start or end"},
        {"{\"event\":\"gap\",\"mmsi\":1,\"start\":\"2024-01-02T00:00:00Z\",\"end\":\"2024-01-01T00:00:00Z\"}",
         "end before start"},
        {"{\"event\":\"gap\",\"mmsi\":1,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-01T00:00:00Z\","
         "\"clocks\":[\"sundial\"]}",
         "clocks"},
        {"{\"event\":\"gap\",\"mmsi\":1,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-01T00:00:00Z\","
         "\"evidence\":[{\"file\":\"a\"}]}",
         "evidence"},
        {"{\"event\":\"gap\\u0000\",\"mmsi\":1}", "\\u0000"},
        {"{\"a\":1} x", "text after the JSON value"},
        {"{\"a\":01}", "not JSON"},
        {"{\"a\":\"tab\there\"}", "a control character inside a string"},
        {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "nested deeper"},
    };
    fnd_set *s = fnd_set_new();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char why[160] = "";
        pel_status st = fnd_read_line(s, bad[i].line, strlen(bad[i].line), why, sizeof why);
        CHECK(st == PEL_ERR_FORMAT && strstr(why, bad[i].why), "bad %zu: %d [%s], want [%s]", i, (int)st, why,
              bad[i].why);
    }
    CHECK(s->n == 0, "nothing kept of bad lines");
    /* members of every kind, kept with their types; a finding of another event */
    const char *good = " {\"event\":\"sighting\",\"mmsi\":7,\"mmsi2\":null,\"start\":\"2024-01-01T00:00:00Z\","
                       "\"end\":\"2024-01-01T00:00:00.5Z\",\"x\":1e3,\"y\":-0,\"z\":12345678901234567890,"
                       "\"s\":\"\\ud83d\\udea2\\u00e9\\n\",\"o\":{\"a\":[1,{\"b\":null}]},\"t\":true,"
                       "\"finding_id\":\"not its own\"} ";
    char why[160] = "";
    CHECK(fnd_read_line(s, good, strlen(good), why, sizeof why) == PEL_OK && s->n == 1, "a foreign finding: %s", why);
    if (s->n == 1) {
        const fnd_finding *x = &s->v[0];
        CHECK(!strcmp(x->event, "sighting") && x->mmsi == 7 && x->mmsi2 == 0 && x->end_ms == 1704067200500 &&
                  isnan(x->lat),
              "its core");
        CHECK(fnd_get(x, "x")->kind == FND_NUM && fnd_get(x, "x")->prec == -1 && fnd_get_num(x, "x", 0) == 1000,
              "an exponent");
        CHECK(!strcmp(fnd_get_str(x, "s"), "\xF0\x9F\x9A\xA2\xC3\xA9\n"), "escapes decoded");
        CHECK(fnd_get(x, "o")->kind == FND_OBJ && fnd_get(x, "o")->n == 4 && fnd_get_bool(x, "t") == 1, "nesting");
        char *out = NULL;
        CAPTURE(out, fnd_write_jsonl(f, s));
        CHECK(out &&
                  strstr(out,
                         "\"x\":1000,\"y\":-0,\"z\":1.2345678901234567e+19,\"s\":\"\xF0\x9F\x9A\xA2\xC3\xA9\\u000a\","
                         "\"o\":{\"a\":[1,{\"b\":null}]},\"t\":true,\"evidence\":[],\"evidence_total\":0,"
                         /* derived again, not the one read: sha256("sighting|7|0|1704067200000") (hashlib) */
                         "\"finding_id\":\"50c040ca8482a4cf\"}"),
              "written: %s", out);
        free(out);
    }
    fnd_set_free(s);

    /* a file: line numbers of findings and of the error */
    const char *text =
        "\n{\"event\":\"gap\",\"mmsi\":1,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-01T00:00:00Z\"}\n"
        "   \n{\"event\":\"gap\",\"mmsi\":2,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-01T00:00:00Z\"}\n";
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    uint64_t *lines = NULL;
    pel_error err = {0};
    CHECK(fnd_read(in, "t.jsonl", &s, &lines, &err) == PEL_OK && s->n == 2 && lines[0] == 2 && lines[1] == 4,
          "line numbers: %s", err.msg);
    fclose(in);
    fnd_set_free(s);
    free(lines);
    const char *text2 =
        "{\"event\":\"gap\",\"mmsi\":1,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-01T00:00:00Z\"}\n"
        "{\"event\":1}\n";
    in = fmemopen((void *)text2, strlen(text2), "r");
    CHECK(fnd_read(in, "t.jsonl", &s, &lines, &err) == PEL_ERR_FORMAT && !s && !lines &&
              !strncmp(err.msg, "t.jsonl:2: ", 11),
          "an error names file and line: %s", err.msg);
    fclose(in);
}

/* ---- a spilling set ------------------------------------------------------------------------ */

/* Everything s writes, in every form, as one string (the caller frees). */
static char *all_forms(const fnd_set *s) {
    char *out = NULL;
    CAPTURE(out, {
        fnd_write(f, PEL_FIND_JSONL, s);
        fnd_write(f, PEL_FIND_CSV, s);
        fnd_write(f, PEL_FIND_GEOJSON, s);
        fnd_write(f, PEL_FIND_TABLE, s);
        fnd_write_kml(f, s, NULL);
        fnd_write_geojson(f, s, &(fnd_doc){0});
        fnd_write_csv(f, s, &(fnd_doc){0});
        for (size_t i = 0; i < fnd_set_count(s); i++) {
            char *line = fnd_json_line(s, i);
            fputs(line ? line : "(null)", f);
            free(line);
        }
    });
    return out;
}

/* A copy of s's paths for another set. */
static void copy_paths(fnd_set *to, const fnd_set *from) {
    char **p = calloc(from->npaths + 1, sizeof *p);
    for (size_t i = 0; p && i < from->npaths; i++)
        p[i] = from->paths[i] ? strdup(from->paths[i]) : NULL;
    fnd_set_paths(to, p, from->npaths);
}

/* Three findings alike in their core: the members' text orders them. */
static void add_twins(fnd_set *s) {
    for (int t = 0; t < 3; t++) {
        fnd_builder b = {0};
        b.event = "identity_change";
        b.mmsi = 7;
        b.start_ms = b.end_ms = 1700000000000;
        b.lat = b.lon = NAN;
        fnd_str(&b, "field", t == 0 ? "name" : t == 1 ? "callsign" : "imo");
        fnd_set_push(s, &b);
    }
}

/* The golden findings (and the order test's, alike in their core) given
 * to a set in memory and to spilling sets holding nothing, gaps and
 * loitering, or everything, in reverse order: sorted, amended, thinned,
 * written in every form, the same bytes. */
static void test_spill(void) {
    static const char *const names[] = {"scenario_small", "scenario_hard", "yellow_sea_day"};
    static const char *const hold_gaps[] = {"gap", "loitering", NULL};
    static const char *const hold_all[] = {
        "gap",        "loitering", "encounter", "zone_entry", "identity_change", "watchlist_match",
        "port_visit", "spoofing",  "position",  NULL};
    const char *const *holds[] = {NULL, hold_gaps, hold_all};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256];
        snprintf(path, sizeof path, "tests/golden/scan/%s.jsonl", names[i]);
        fnd_set *mem = NULL;
        pel_error err = {0};
        CHECK(fnd_read_file(path, &mem, NULL, &err) == PEL_OK && mem, "%s reads: %s", path, err.msg);
        if (!mem)
            continue;
        add_twins(mem);
        for (size_t h = 0; h < sizeof holds / sizeof holds[0]; h++) {
            fnd_set *sp = fnd_set_new();
            CHECK(fnd_set_spill(sp, holds[h]) == PEL_OK && sp->v == NULL, "%s: a spilling set", names[i]);
            CHECK(fnd_set_spill(sp, holds[h]) == PEL_ERR_ARG, "spilling twice is refused");
            for (size_t k = fnd_set_count(mem); k-- > 0;)
                CHECK(fnd_set_add(sp, fnd_set_get(mem, k)) == PEL_OK, "added");
            copy_paths(sp, mem);
            CHECK(fnd_set_count(sp) == fnd_set_count(mem) && sp->failed == PEL_OK, "%s: every finding", names[i]);
            fnd_set_sort(sp);
            fnd_set_sort(mem);
            char *want = all_forms(mem), *got = all_forms(sp);
            CHECK(want && got && !strcmp(want, got), "%s, hold %zu: sorted, the same bytes in every form", names[i], h);
            free(want);
            free(got);
            /* amended (a review, a gap's judgement) and thinned as a scan does */
            size_t n = fnd_set_count(mem);
            bool *keep = malloc(n * sizeof *keep);
            for (size_t k = 0; k < n; k++) {
                keep[k] = k % 3 != 1;
                CHECK(!strcmp(fnd_set_key(sp, k).event, fnd_set_key(mem, k).event) &&
                          fnd_set_key(sp, k).start_ms == fnd_set_key(mem, k).start_ms,
                      "%zu: the same core", k);
                if (k % 2 == 0) {
                    fnd_builder b = {0};
                    fnd_obj(&b, "review");
                    fnd_str(&b, "status", "confirmed");
                    fnd_int(&b, "reviews", (int64_t)k);
                    fnd_end(&b);
                    pel_position p = {.input = 0, .line = k + 1, .clock = PEL_CLOCK_TRAILER};
                    fnd_add_position(&b, &p);
                    CHECK(fnd_set_append(sp, k, &b) == PEL_OK && fnd_set_append(mem, k, &b) == PEL_OK, "amended");
                }
                if (k % 5 == 0)
                    CHECK(fnd_set_append_num(sp, k, "x", 1.25, 1) == PEL_OK &&
                              fnd_set_append_num(mem, k, "x", 1.25, 1) == PEL_OK,
                          "amended again");
            }
            fnd_set_keep(sp, keep);
            fnd_set_keep(mem, keep);
            free(keep);
            fnd_set_sort(sp);
            fnd_set_sort(mem);
            want = all_forms(mem);
            got = all_forms(sp);
            CHECK(fnd_set_count(sp) == fnd_set_count(mem) && want && got && !strcmp(want, got),
                  "%s, hold %zu: amended and thinned, the same bytes", names[i], h);
            CHECK(!fnd_set_error(sp)[0] && sp->failed == PEL_OK, "no failure: %s", fnd_set_error(sp));
            free(want);
            free(got);
            fnd_set_free(sp);
            /* mem was changed: read it again for the next hold list */
            fnd_set_free(mem);
            mem = NULL;
            CHECK(fnd_read_file(path, &mem, NULL, &err) == PEL_OK, "read again");
            if (!mem)
                break;
            add_twins(mem);
        }
        fnd_set_free(mem);
    }
    CHECK(!strcmp(fnd_set_error(&(fnd_set){0}), ""), "a set in memory has no file to fail");
}

/* The memory a spilling set holds grows by at most 48 bytes a finding
 * (its index entry, 40, and the index's room to grow), however big the
 * findings: 20,000 of build_one's (about 1 KiB each in memory).  glibc's
 * count of bytes in use (mallinfo2; the sanitizer build's allocator
 * counts none, so there the check holds trivially). */
static void test_spill_memory(void) {
    fnd_set *s = fnd_set_new();
    CHECK(fnd_set_spill(s, NULL) == PEL_OK, "a spilling set");
    fnd_builder b;
    build_one(&b);
    fnd_set_push(s, &b);               /* the buffers, once */
    struct mallinfo2 m0 = mallinfo2(); /* small blocks and mmap'd ones (the index, once it is large) */
    size_t before = m0.uordblks + m0.hblkhd;
    enum { N = 20000 };
    for (int i = 0; i < N; i++) {
        b.start_ms++;
        fnd_set_push(s, &b);
    }
    struct mallinfo2 m1 = mallinfo2();
    size_t after = m1.uordblks + m1.hblkhd, grew = after > before ? after - before : 0;
    CHECK(s->failed == PEL_OK && fnd_set_count(s) == N + 1, "every finding pushed");
    CHECK(grew <= 48 * (size_t)N, "%d findings: %zu bytes more, %.1f a finding", N, grew, (double)grew / N);
    fnd_set_sort(s);
    const fnd_finding *f = fnd_set_get(s, N);
    CHECK(f && f->start_ms == b.start_ms && fnd_get_num(f, "duration_h", 0) == 2.35, "the last read back");
    fnd_set_free(s);
}

/* A spilling set whose file cannot grow (the file size limit, as a full
 * disk): the push fails with PEL_ERR_IO and says why; nothing is written
 * to the standard streams, the set is freed as any. */
static void test_spill_fault(void) {
    struct rlimit old;
    if (getrlimit(RLIMIT_FSIZE, &old) != 0)
        return;
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    fnd_set *s = fnd_set_new();
    CHECK(fnd_set_spill(s, NULL) == PEL_OK, "a spilling set");
    struct rlimit lim = {64 * 1024, old.rlim_max};
    CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0, "the limit set");
    fnd_builder b;
    build_one(&b);
    for (int i = 0; i < 2000 && s->failed == PEL_OK; i++)
        fnd_set_push(s, &b);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, was);
    CHECK(s->failed == PEL_ERR_IO && strstr(fnd_set_error(s), "temporary file") &&
              strstr(fnd_set_error(s), "too large"),
          "a full file: %d, \"%s\"", (int)s->failed, fnd_set_error(s));
    size_t n = fnd_set_count(s);
    fnd_set_push(s, &b);
    CHECK(fnd_set_count(s) == n, "no finding added after the failure");
    fnd_set_free(s);
}

/* ---- the public face -------------------------------------------------------------------- */

static void test_api(void) {
    pel_findings *fs = NULL;
    pel_error err = {0};
    CHECK(pel_findings_read("tests/golden/scan/scenario_small.jsonl", &fs, &err) == PEL_OK, "read: %s", err.msg);
    size_t n = pel_findings_count(fs);
    CHECK(n > 5, "findings: %zu", n);
    bool zone = false, match = false;
    for (size_t i = 0; i < n; i++) {
        pel_finding_info fi;
        CHECK(pel_finding_get(fs, i, &fi), "finding %zu", i);
        if (!strcmp(fi.event, "zone_entry") && !zone) {
            zone = true;
            pel_value v = pel_finding_member(fs, i, "zone");
            CHECK(v.kind == PEL_VAL_STRING && v.s[0], "a zone's name");
            v = pel_finding_member(fs, i, "duration_h");
            CHECK(v.kind == PEL_VAL_NUMBER && v.decimals == 2, "duration_h with 2 decimals");
            CHECK(!strcmp(pel_finding_member_name(fs, i, 0), "zone") && pel_finding_member_name(fs, i, 99) == NULL,
                  "member names");
            const char *file;
            uint64_t line;
            CHECK(pel_finding_evidence(fs, i, 0, &file, &line) && !strcmp(file, "ais.nmea") && line > 0, "evidence");
            CHECK(fi.nevidence > 0 && !pel_finding_evidence(fs, i, fi.nevidence, &file, &line), "past the evidence");
        }
        if (!strcmp(fi.event, "watchlist_match") && !match) {
            match = true;
            pel_value v = pel_finding_member(fs, i, "matched_on");
            CHECK(v.kind == PEL_VAL_ARRAY && v.n >= 1, "matched_on is an array");
            v = pel_finding_member_item(fs, i, "matched_on", 0);
            CHECK(v.kind == PEL_VAL_STRING, "its first element");
            CHECK(pel_finding_member_item(fs, i, "matched_on", 99).kind == PEL_VAL_ABSENT, "past its end");
        }
    }
    CHECK(zone && match, "a zone entry and a list match seen");
    CHECK(pel_finding_member(fs, n, "zone").kind == PEL_VAL_ABSENT && !pel_finding_get(fs, n, &(pel_finding_info){0}),
          "past the last finding");
    char *out = NULL, *want = slurp("tests/golden/scan/scenario_small.jsonl");
    CAPTURE(out, pel_findings_write(fs, f, PEL_FIND_JSONL, &err));
    CHECK(out && want && !strcmp(out, want), "written back");
    free(out);
    free(want);
    pel_findings_free(fs);
    pel_findings_free(NULL);
    CHECK(pel_findings_read("tests/golden/scan/no-such.jsonl", &fs, &err) == PEL_ERR_IO && !fs, "a missing file");
}

/* ---- escaping ----------------------------------------------------------------------------- */

static void test_escape(void) {
    static const struct {
        const char *in;
        unsigned flags;
        const char *json, *csv, *xml;
    } cases[] = {
        /* text, flags, JSON, CSV, XML */
        {"A\"B\\C", 0, "\"A\\\"B\\\\C\"", "\"A\"\"B\\C\"", "A&quot;B\\C"},
        {"\xE2\x80\xAEX\x07", 0, "\"\\u202eX\\u0007\"",
         "\"\xE2\x9F\xA8U+202E\xE2\x9F\xA9X\xE2\x9F\xA8U+0007\xE2\x9F\xA9\"",
         "\xE2\x9F\xA8U+202E\xE2\x9F\xA9X\xE2\x9F\xA8U+0007\xE2\x9F\xA9"},
        {"<a href='x'>&", 0, "\"<a href='x'>&\"", "\"<a href='x'>&\"", "&lt;a href=&apos;x&apos;&gt;&amp;"},
        {"<a href='x'>&", ESC_HTML, "\"\\u003ca href='x'\\u003e\\u0026\"", NULL,
         "&amp;lt;a href=&amp;#39;x&amp;#39;&amp;gt;&amp;amp;"},
        {"-1+2", 0, NULL, "\"'-1+2\"", NULL},
        {"-1+2", ESC_MINIMAL, NULL, "\"'-1+2\"", NULL},
        {"plain", ESC_MINIMAL, NULL, "plain", NULL},
        {"a,b", ESC_MINIMAL, NULL, "\"a,b\"", NULL},
        {"=x,\xE2\x80\xAE", ESC_DATA, NULL, "\"=x,\xE2\x80\xAE\"", NULL},
        {"bad\xff", 0, "\"bad\xEF\xBF\xBD\"", "\"bad\xEF\xBF\xBD\"", "bad\xEF\xBF\xBD"},
        {"\xE2\x80\xAE\t\x7f", ESC_SHOWN, "\"\xE2\x80\xAE\\u0009\\u007f\"", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *j = NULL, *c = NULL, *x = NULL;
        if (cases[i].json) {
            CAPTURE(j, esc_json_string(f, cases[i].in, cases[i].flags));
            CHECK(!strcmp(j, cases[i].json), "case %zu JSON: [%s] want [%s]", i, j, cases[i].json);
        }
        if (cases[i].csv) {
            CAPTURE(c, esc_csv(f, cases[i].in, cases[i].flags));
            CHECK(!strcmp(c, cases[i].csv), "case %zu CSV: [%s] want [%s]", i, c, cases[i].csv);
        }
        if (cases[i].xml) {
            CAPTURE(x, esc_xml(f, cases[i].in, cases[i].flags));
            CHECK(!strcmp(x, cases[i].xml), "case %zu XML: [%s] want [%s]", i, x, cases[i].xml);
        }
        free(j);
        free(c);
        free(x);
    }
    char *t = NULL;
    CAPTURE(t, esc_json_text(f, "{\"a\":\"<\xE2\x80\xA8\xE2\x80\xAE>&\"}", ESC_HTML));
    CHECK(t && !strcmp(t, "{\"a\":\"\\u003c\\u2028\\u202e\\u003e\\u0026\"}"), "script-safe JSON text: %s", t);
    free(t);
    char *d = esc_dup(esc_csv, "@SUM(A1)", 0);
    CHECK(d && !strcmp(d, "\"'@SUM(A1)\""), "esc_dup: %s", d);
    free(d);
    const char *bad = "A\xff\xc3\xa9\xe2\x80";
    char buf[32];
    CHECK(esc_utf8_len(bad) == strlen(esc_utf8_copy(buf, bad)) &&
              !strcmp(buf, "A\xEF\xBF\xBD\xc3\xa9\xEF\xBF\xBD\xEF\xBF\xBD"),
          "esc_utf8_copy: %s", buf);
}

int main(void) {
    test_build();
    test_order();
    test_round_trip();
    test_spill();
    test_spill_memory();
    test_spill_fault();
    test_reader();
    test_api();
    test_escape();
    printf("unit_findings: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
