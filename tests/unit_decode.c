/*
 * unit_decode.c -- unit tests of the decode stage's public functions, as
 * tables of input and expected output.  Prints one line per failure and
 * "unit_decode: N passed, M failed".
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pelorus.h"

#include "check.h"

static void test_imo(void) {
    static const struct {
        uint32_t imo;
        bool valid;
    } cases[] = {
        {9134270, true},  /* EVER DIADEM, gpsd sample */
        {9179842, true},  /* ANGARA, OFAC */
        {9161003, true},  /* LADY R, OFAC */
        {8606173, true},  /* RYONG GUN BONG, OFAC */
        {9123456, false}, {9134271, false}, {0, false}, {999999, false}, {10000000, false},
        {5342883, false}, /* an IMO company number (different check rule) */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(pel_imo_valid(cases[i].imo) == cases[i].valid, "imo %u", cases[i].imo);
}

static void test_time(void) {
    static const struct {
        int64_t ms;
        const char *iso;
    } cases[] = {
        {0, "1970-01-01T00:00:00Z"},
        {1700000000000, "2023-11-14T22:13:20Z"},
        {1700000000123, "2023-11-14T22:13:20.123Z"},
        {951782400000, "2000-02-29T00:00:00Z"},
        {-1000, "1969-12-31T23:59:59Z"},
        {253402300799000, "9999-12-31T23:59:59Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[40];
        pel_format_time(cases[i].ms, buf);
        CHECK(strcmp(buf, cases[i].iso) == 0, "format %lld: %s != %s", (long long)cases[i].ms, buf, cases[i].iso);
        int64_t back = -1;
        bool ok = pel_parse_time(cases[i].iso, strlen(cases[i].iso), &back);
        CHECK(cases[i].ms < 0 || (ok && back == cases[i].ms), "parse %s -> %lld", cases[i].iso, (long long)back);
    }
    static const struct {
        const char *s;
        bool ok;
        int64_t ms;
    } parses[] = {
        {"1700000000", true, 1700000000000},
        {"1700000000.5", true, 1700000000500},
        {"1700000000123", true, 1700000000123},
        {"2023-11-14 22:13:20", true, 1700000000000},
        {"2023-11-14T22:13:20.25Z", true, 1700000000250},
        {"2023-11-15T00:13:20+02:00", true, 1700000000000},
        {"2023-13-14T22:13:20Z", false, 0},
        {"2023-11-14T22:13", false, 0},
        {"17000x0000", false, 0},
        {"", false, 0},
    };
    for (size_t i = 0; i < sizeof parses / sizeof parses[0]; i++) {
        int64_t ms = 0;
        bool ok = pel_parse_time(parses[i].s, strlen(parses[i].s), &ms);
        CHECK(ok == parses[i].ok && (!ok || ms == parses[i].ms), "parse '%s': %d %lld", parses[i].s, ok,
              (long long)ms);
    }
}

/* One sentence through a decoder; returns the message count. */
static pel_ais_msg last;
static int nmsg;
static pel_reject last_reject;
static char last_source[300];
static int on_msg(void *ud, const pel_ais_msg *m) {
    (void)ud;
    pel_ais_msg_copy(&last, m); /* the texts must outlive the decoder */
    snprintf(last_source, sizeof last_source, "%s", m->source ? m->source : "");
    last.source = NULL;
    last.file = NULL;
    nmsg++;
    return 0;
}
static void on_reject(void *ud, const pel_reject_info *r) {
    (void)ud;
    last_reject = r->why;
}

static int feed(const char *const *lines, int n) {
    pel_decode_cb cb = {on_msg, on_reject, NULL};
    pel_decoder *d = pel_decoder_new(NULL, &cb);
    nmsg = 0;
    last_reject = PEL_REJ_NONE;
    for (int i = 0; i < n; i++)
        pel_decoder_line(d, lines[i], strlen(lines[i]), (uint64_t)i + 1);
    pel_decoder_flush(d);
    pel_decoder_free(d);
    return nmsg;
}

static void test_normalised(void) {
    /* gpsd sample type 1: 371798000 at 48.38163333 -123.39538333, 12.3 kn, 224.0, heading 215 */
    const char *l1[] = {"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"};
    CHECK(feed(l1, 1) == 1, "type 1 decoded");
    CHECK(last.type == 1 && last.mmsi == 371798000, "type/mmsi %d %u", last.type, last.mmsi);
    CHECK(fabs(last.lat - 48.38163333) < 1e-6 && fabs(last.lon + 123.39538333) < 1e-6, "lat/lon %f %f", last.lat,
          last.lon);
    CHECK(fabs(last.speed - 12.3) < 1e-9 && fabs(last.course - 224.0) < 1e-9 && last.heading == 215,
          "speed/course/heading %f %f %d", last.speed, last.course, last.heading);
    CHECK(!last.has_rx && last.line == 1, "no receive time, line 1");

    /* heading 511 is "not available" */
    const char *l2[] = {"!AIVDM,1,1,,A,15N7th0P00ISsi4A5I?:fgvP2<40,0*06"};
    feed(l2, 1);
    CHECK(nmsg == 1 && last.heading == -1, "heading n/a -> -1 (%d)", last.heading);

    /* type 5 across two sentences: gpsd sample EVER DIADEM */
    const char *l5[] = {"!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
                        "!AIVDM,2,2,1,A,88888888880,2*25"};
    CHECK(feed(l5, 2) == 1, "type 5 reassembled");
    CHECK(last.type == 5 && last.imo == 9134270 && last.shipname && strcmp(last.shipname, "EVER DIADEM") == 0 &&
              last.callsign && strcmp(last.callsign, "3FOF8") == 0 && last.shiptype == 70 &&
              fabs(last.draught - 12.2) < 1e-9 && last.destination && strcmp(last.destination, "NEW YORK") == 0,
          "type 5 fields");
    CHECK(last.line == 1 && last.line_last == 2 && last.fragments == 2, "type 5 lines %llu-%llu",
          (unsigned long long)last.line, (unsigned long long)last.line_last);
    CHECK(last.to_bow == 225 && last.to_stern == 70 && last.to_port == 1 && last.to_starboard == 31, "dims");

    /* tag block time and source */
    const char *lt[] = {"\\s:rSTN01,c:1700000000*00\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"};
    feed(lt, 1);
    CHECK(nmsg == 1 && last.has_rx && last.rx_ms == 1700000000000 && strcmp(last_source, "rSTN01") == 0,
          "tag block");
    /* a wrong sentence checksum */
    const char *lc[] = {"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B"};
    CHECK(feed(lc, 1) == 0 && last_reject == PEL_REJ_CHECKSUM, "checksum reject");
}

static void test_json_limits(void) {
    const char *l1[] = {"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"};
    feed(l1, 1);
    char small[32], big[PEL_AIS_JSON_MAX];
    CHECK(pel_ais_json(&last, 0, small, sizeof small) == 0, "too small a buffer gives 0");
    size_t n = pel_ais_json(&last, PEL_JSON_NO_META, big, sizeof big);
    CHECK(n == strlen(big) && n > 0, "length %zu", n);
    const char *want = "{\"class\":\"AIS\",\"type\":1,\"repeat\":0,\"mmsi\":371798000,\"scaled\":true,\"status\":0,"
                       "\"status_text\":\"Under way using engine\",\"turn\":\"fastleft\",\"speed\":12.3,\"accuracy\":"
                       "true,\"lon\":-123.3953833,\"lat\":48.3816333,\"course\":224.0,\"heading\":215,\"second\":33,"
                       "\"maneuver\":0,\"raim\":false,\"radio\":34017}";
    CHECK(strcmp(big, want) == 0, "json:\n%s\n%s", big, want);
    const pel_ais_field *f = pel_ais_get(&last, "speed");
    CHECK(f && f->v == 123, "raw speed");
    CHECK(pel_ais_get(&last, "nosuch") == NULL, "missing field");
}

static void test_reject_names(void) {
    for (int i = 0; i < PEL_REJ__COUNT; i++) {
        const char *a = pel_reject_name((pel_reject)i);
        CHECK(a && *a, "name of %d", i);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(a, pel_reject_name((pel_reject)j)) != 0, "names %d and %d differ", i, j);
    }
}

int main(void) {
    test_imo();
    test_time();
    test_normalised();
    test_json_limits();
    test_reject_names();
    printf("unit_decode: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
