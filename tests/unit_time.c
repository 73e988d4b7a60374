/*
 * unit_time.c -- the time parsers (pel_parse_time, pel_parse_time_fmt,
 * pel_time_format_check) as tables of strings accepted, with the exact Unix
 * milliseconds expected (computed independently with Python's datetime), and
 * strings refused.  The refusals are issue 17 item 2 (reproducer
 * 16_time_parsing.sh: 31 February and offsets like -99:99 were accepted).
 * Prints one line per failure and "unit_time: N passed, M failed".
 */
#include <stdio.h>
#include <string.h>

#include "pelorus.h"

#include "check.h"

#define REFUSED INT64_MIN

typedef struct tcase {
    const char *s;
    int64_t ms; /* REFUSED: must be refused */
} tcase;

static void run(const char *fmt, const tcase *c, size_t n) {
    for (size_t i = 0; i < n; i++) {
        int64_t ms = 42;
        bool ok =
            fmt ? pel_parse_time_fmt(fmt, c[i].s, strlen(c[i].s), &ms) : pel_parse_time(c[i].s, strlen(c[i].s), &ms);
        if (c[i].ms == REFUSED)
            CHECK(!ok && ms == 42, "%s '%s' should be refused, gave %lld", fmt ? fmt : "pel_parse_time", c[i].s,
                  (long long)ms);
        else
            CHECK(ok && ms == c[i].ms, "%s '%s': %s %lld, want %lld", fmt ? fmt : "pel_parse_time", c[i].s,
                  ok ? "ok" : "refused", (long long)ms, (long long)c[i].ms);
    }
}

static void test_parse_time(void) {
    // clang-format off
    static const tcase cases[] = {
        /* accepted */
        {"1970-01-01T00:00:00Z", 0},
        {"2023-11-14T22:13:20Z", 1700000000000},
        {"2023-11-14T22:13:20", 1700000000000},        /* no zone: UTC */
        {"2023-11-14 22:13:20", 1700000000000},
        {"2023-11-14t22:13:20z", 1700000000000},
        {"  2023-11-14T22:13:20Z\t", 1700000000000},   /* blanks around */
        {"2023-11-15T00:13:20+02:00", 1700000000000},
        {"2023-11-15T00:13:20+0200", 1700000000000},
        {"2023-11-15T00:13:20+02", 1700000000000},
        {"2023-11-14T22:13:20+05:30", 1699980200000},
        {"2023-11-14T22:13:20-00:00", 1700000000000},
        {"2023-11-15T12:13:20+14:00", 1700000000000},  /* Kiribati, the widest offset */
        {"2023-11-14T08:13:20-14:00", 1700000000000},
        {"2022-01-03T19:00:00-05:00", 1641254400000},  /* crosses midnight */
        {"2022-01-03T00:00:00.123", 1641168000123},
        {"2022-01-03T00:00:00.1239999Z", 1641168000123}, /* digits after ms dropped */
        {"1999-12-31T23:59:59.999", 946684799999},
        {"2024-02-29T00:00:00", 1709164800000},        /* leap year */
        {"2000-02-29T12:34:56", 951827696000},         /* divisible by 400 */
        {"2022-12-31T23:59:59", 1672531199000},
        {"9999-12-31T23:59:59", 253402300799000},
        {"1700000000", 1700000000000},                  /* Unix seconds */
        {"1700000000.5", 1700000000500},
        {"1700000000123", 1700000000123},               /* 13 digits: milliseconds */
        /* refused */
        {"2022-02-29T00:00:00", REFUSED},              /* not a leap year */
        {"1900-02-29T00:00:00", REFUSED},              /* divisible by 100, not 400 */
        {"2022-02-30T00:00:00+00:00", REFUSED},
        {"2022-02-31T12:00:00Z", REFUSED},
        {"2022-04-31T00:00:00", REFUSED},
        {"2022-06-31T00:00:00", REFUSED},
        {"2022-09-31T00:00:00", REFUSED},
        {"2022-11-31T00:00:00", REFUSED},
        {"2022-01-32T00:00:00", REFUSED},
        {"2022-01-00T00:00:00", REFUSED},
        {"2022-00-10T00:00:00", REFUSED},
        {"2022-13-10T00:00:00", REFUSED},
        {"2022-01-03T24:00:00", REFUSED},
        {"2022-01-03T23:60:00", REFUSED},
        {"2022-01-03T23:59:60", REFUSED},              /* leap second: not Unix time */
        {"2022-01-03T23:59:61", REFUSED},
        {"2022-01-03T00:00:00-99:99", REFUSED},        /* the reproducer's offset */
        {"2022-01-03T00:00:00+14:01", REFUSED},
        {"2022-01-03T00:00:00+15:00", REFUSED},
        {"2022-01-03T00:00:00+05:60", REFUSED},
        {"2022-01-03T00:00:00+5:00", REFUSED},
        {"2022-01-03T00:00:00+05:0", REFUSED},
        {"2022-01-03T00:00:00+05:", REFUSED},
        {"2022-01-03T00:00:00+", REFUSED},
        {"2022-01-03T00:00:00ZZ", REFUSED},
        {"2022-01-03T00:00:00 UTC", REFUSED},
        {"2022-01-03T00:00:00.", REFUSED},             /* a point without digits */
        {"2022-01-03T00:00:00.Z", REFUSED},
        {"2022-01-03T00:00", REFUSED},
        {"2022-01-03", REFUSED},
        {"2022-1-03T00:00:00", REFUSED},
        {"22-01-03T00:00:00", REFUSED},
        {"2022-01-03X00:00:00", REFUSED},
        {"1700000000123.5", REFUSED},                  /* a fraction of a millisecond count */
        {"17000x0000", REFUSED},
        {"-1700000000", REFUSED},
        {"", REFUSED},
        {"   ", REFUSED},
    };
    // clang-format on
    run(NULL, cases, sizeof cases / sizeof cases[0]);
    int64_t ms = 42;
    CHECK(!pel_parse_time(NULL, 0, &ms) && ms == 42, "NULL refused");
    /* "auto" and NULL are pel_parse_time */
    run("auto", cases, sizeof cases / sizeof cases[0]);
    run("", cases, sizeof cases / sizeof cases[0]);
}

static void test_keywords(void) {
    // clang-format off
    static const tcase iso[] = {
        {"2022-01-03T00:00:00Z", 1641168000000},
        {"2026-06-30T05:49:19+00:00", 1782798559000},
        {"1641168000", REFUSED},
        {"2022-02-29T00:00:00", REFUSED},
    };
    static const tcase unix_s[] = {
        {"1641168000", 1641168000000},
        {"1641168000.25", 1641168000250},
        {"0", 0},
        {"1641168000123", REFUSED},                     /* 13 digits: not seconds */
        {"2022-01-03T00:00:00Z", REFUSED},
        {"1e9", REFUSED},
    };
    static const tcase unix_ms[] = {
        {"1641168000123", 1641168000123},
        {"1641168000", 1641168000},                     /* as given: milliseconds */
        {"1641168000.5", REFUSED},
        {"12345678901234567", REFUSED},                 /* 17 digits */
    };
    // clang-format on
    run("iso", iso, sizeof iso / sizeof iso[0]);
    run("unix", unix_s, sizeof unix_s / sizeof unix_s[0]);
    run("unix_ms", unix_ms, sizeof unix_ms / sizeof unix_ms[0]);
}

static void test_patterns(void) {
    // clang-format off
    static const struct {
        const char *fmt;
        tcase c;
    } cases[] = {
        /* DMA and Excel: day first, 1- or 2-digit fields */
        {"%d/%m/%Y %H:%M:%S", {"03/01/2022 00:00:00", 1641168000000}},
        {"%d/%m/%Y %H:%M:%S", {"3/1/2022 0:00:00", 1641168000000}},
        {"%d/%m/%Y %H:%M:%S", {"29/02/2024 00:00:00", 1709164800000}},
        {"%d/%m/%Y %H:%M:%S", {"29/02/2022 00:00:00", REFUSED}},
        {"%d/%m/%Y %H:%M:%S", {"31/04/2022 00:00:00", REFUSED}},
        {"%d/%m/%Y %H:%M:%S", {"01/13/2022 00:00:00", REFUSED}},
        {"%d/%m/%Y %H:%M:%S", {"03/01/2022 00:00", REFUSED}},     /* seconds missing */
        {"%d/%m/%Y %H:%M:%S", {"03/01/2022 00:00:00 extra", REFUSED}},
        /* US month first */
        {"%m/%d/%Y %H:%M", {"01/03/2022 19:00", 1641236400000}},
        /* AISHub-style: a zone written as text */
        {"%Y-%m-%d %H:%M:%S GMT", {"2022-01-03 00:00:00 GMT", 1641168000000}},
        {"%Y-%m-%d %H:%M:%S GMT", {"2022-01-03 00:00:00", REFUSED}},
        {"%Y-%m-%d %T", {"2022-01-03 23:59:59", 1641254399000}},
        {"%Y-%m-%d %T", {"2022-01-03 23:59:60", REFUSED}},
        /* fractions and offsets */
        {"%Y-%m-%dT%H:%M:%S.%f%z", {"2022-01-03T00:00:00.5+01:00", 1641164400500}},
        {"%Y-%m-%dT%H:%M:%S.%f%z", {"2022-01-03T00:00:00.123456789Z", 1641168000123}},
        {"%Y-%m-%dT%H:%M:%S.%f%z", {"2022-01-03T00:00:00.5-0530", 1641187800500}},
        {"%Y-%m-%dT%H:%M:%S.%f%z", {"2022-01-03T00:00:00.5+14:30", REFUSED}},
        {"%Y-%m-%dT%H:%M:%S.%f%z", {"2022-01-03T00:00:00.+01:00", REFUSED}},
        {"%Y-%m-%dT%H:%M:%S%z", {"2022-01-03T00:00:00-99:99", REFUSED}},
        /* month names, compact forms, literal % */
        {"%d-%b-%Y %H:%M", {"03-Jan-2022 12:30", 1641213000000}},
        {"%d-%b-%Y %H:%M", {"03-JAN-2022 12:30", 1641213000000}},
        {"%d-%b-%Y %H:%M", {"31-Feb-2022 12:30", REFUSED}},
        {"%d-%b-%Y %H:%M", {"03-Jnu-2022 12:30", REFUSED}},
        {"%Y%m%d%H%M%S", {"20220103235959", 1641254399000}},
        {"%Y%m%d", {"20220103", 1641168000000}},
        {"%Y-%m-%d 100%%", {"2022-01-03 100%", 1641168000000}},
        /* Unix seconds inside a pattern */
        {"@%s", {"@1641168000", 1641168000000}},
        {"@%s", {"@1641168000123", REFUSED}},
        {"%s%z", {"1641168000+01:00", 1641164400000}},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run(cases[i].fmt, &cases[i].c, 1);
}

static void test_check(void) {
    static const struct {
        const char *fmt;
        bool ok;
        const char *why; /* part of the reason */
    } cases[] = {
        {NULL, true, NULL},
        {"auto", true, NULL},
        {"iso", true, NULL},
        {"unix", true, NULL},
        {"unix_ms", true, NULL},
        {"%Y-%m-%d %H:%M:%S", true, NULL},
        {"%d-%b-%Y", true, NULL},
        {"%s", true, NULL},
        {"%H:%M:%S", false, "whole date"},
        {"%Y-%m %H", false, "whole date"},
        {"%Y-%m-%d %Q", false, "unknown directive"},
        {"%Y-%m-%d %", false, "lone %"},
        {"yyyy-mm-dd", false, "pattern"},
        {"ISO", false, "pattern"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char why[160] = "";
        bool ok = pel_time_format_check(cases[i].fmt, why, sizeof why);
        CHECK(ok == cases[i].ok && (ok || strstr(why, cases[i].why)), "check '%s': %d '%s'",
              cases[i].fmt ? cases[i].fmt : "(null)", ok, why);
    }
}

/* Everything pel_format_time writes, pel_parse_time reads back. */
static void test_round_trip(void) {
    int bad = 0;
    for (int64_t ms = -86400000LL * 366 * 30; ms < 86400000LL * 366 * 60; ms += 86400000LL * 7 + 3600123) {
        char buf[40];
        int64_t back;
        size_t n = pel_format_time(ms, buf);
        if (ms >= 0 && !(pel_parse_time(buf, n, &back) && back == ms))
            bad++;
    }
    CHECK(bad == 0, "round trip: %d times not read back", bad);
}

int main(void) {
    test_parse_time();
    test_keywords();
    test_patterns();
    test_check();
    test_round_trip();
    printf("unit_time: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
