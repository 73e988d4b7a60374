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
    // clang-format off
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
    // clang-format on
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
        CHECK(ok == parses[i].ok && (!ok || ms == parses[i].ms), "parse '%s': %d %lld", parses[i].s, ok, (long long)ms);
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
    /* the ETA as the JSON writes it, kept in the message; the record borrows it from there */
    CHECK(!strcmp(last.eta, "05-15T14:00Z"), "type 5 eta [%s]", last.eta);
    pel_record rec;
    CHECK(pel_record_from_msg(&rec, &last) && rec.eta == last.eta, "the record's eta points into the message");
    feed(l1, 1);
    CHECK(last.eta[0] == 0, "no eta on a type 1 [%s]", last.eta);

    /* tag block time and source */
    const char *lt[] = {"\\s:rSTN01,c:1700000000*00\\!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"};
    feed(lt, 1);
    CHECK(nmsg == 1 && last.has_rx && last.rx_ms == 1700000000000 && strcmp(last_source, "rSTN01") == 0, "tag block");
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

/* ---- receive time, fragments, oversize, tag blocks: lines through a decoder ---- */

/* A line of input at a line number; the lines between are fed blank. */
typedef struct at {
    uint64_t line;
    const char *text;
} at;

typedef struct ev { /* a callback, in the order it came */
    bool msg;
    uint64_t line, line_last, at_line;
    int clock, type;
    int64_t ms;
    pel_reject why;
    char source[32];
} ev;

static ev evs[64];
static int nev;

static int ev_msg(void *ud, const pel_ais_msg *m) {
    (void)ud;
    if (nev < 64)
        evs[nev++] = (ev){.msg = true,
                          .line = m->line,
                          .line_last = m->line_last,
                          .clock = m->has_rx ? m->rx_clock : -1,
                          .type = m->type,
                          .ms = m->has_rx ? m->rx_ms : -1};
    if (nev <= 64 && m->source)
        snprintf(evs[nev - 1].source, sizeof evs[0].source, "%s", m->source);
    return 0;
}
static void ev_reject(void *ud, const pel_reject_info *r) {
    (void)ud;
    if (nev < 64)
        evs[nev++] = (ev){.msg = false, .line = r->line, .at_line = r->at_line, .why = r->why};
}

/* Feeds the lines (blank lines between them), flushes, returns the counters. */
static pel_stats run(const at *in, int n) {
    pel_decode_cb cb = {ev_msg, ev_reject, NULL};
    pel_decoder *d = pel_decoder_new(NULL, &cb);
    nev = 0;
    uint64_t next = 1;
    for (int i = 0; i < n && in[i].text; i++) {
        for (; next < in[i].line; next++)
            pel_decoder_line(d, "", 0, next);
        pel_decoder_line(d, in[i].text, strlen(in[i].text), next++);
    }
    pel_decoder_flush(d);
    pel_stats st = *pel_decoder_stats(d);
    pel_decoder_free(d);
    return st;
}

/* The messages and rejects (stale ones aside) come in line order. */
static bool in_order(void) {
    uint64_t prev = 0;
    for (int i = 0; i < nev; i++) {
        if (!evs[i].msg && evs[i].why == PEL_REJ_FRAG_STALE)
            continue;
        if (evs[i].line < prev)
            return false;
        prev = evs[i].line;
    }
    return true;
}

/* Sentences (types 1 and 5) with distinct checksums, and $PGHP lines for them. */
#define SX "!AIVDM,1,1,,A,16`Ngp0P058uTw0F9?83Q2l00000,0*57"
#define SY "!AIVDM,1,1,,A,16`NgqhP058uTw0F9?83Q2l20000,0*0C"
#define SZ "!AIVDM,1,1,,A,16`NgsPP058uTw0F9?83Q2l40000,0*30"
#define M1 "!AIVDM,2,1,4,A,56aEWV02;=`0PmQP000<Ptr0l61<4p00000,0*16"
#define M2 "!AIVDM,2,2,4,A,0001@<PD:<4o6N=kPCD3h000000000000000,2*36"
#define TR ",1327992119173" /* an exactEarth arrival trailer, ms */
#define PG_X "$PGHP,1,2012,1,31,5,7,2,151,316,2,316000002,1AIS_S,57*71"
#define PG_Y "$PGHP,1,2012,1,31,5,7,2,151,316,2,316000002,1AIS_S,0C*00"
#define PG_Z "$PGHP,1,2012,1,31,5,7,2,151,316,2,316000002,1AIS_S,30*70"
#define PG_M "$PGHP,1,2012,1,31,5,7,2,151,316,2,316000002,1AIS_S,20*71"  /* 16 ^ 36 */
#define PG_M1 "$PGHP,1,2012,1,31,5,7,2,151,316,2,316000002,1AIS_S,16*74" /* the first sentence's only */
#define PG_00 "$PGHP,1,2012,1,31,5,7,2,151,316,2,316000002,1AIS_S,00*73"
#define VDO "!AIVDO,1,1,,A,16`Ngp0P058uTw0F9?83Q2lD0000,0*21"
#define PG_X_LATE "$PGHP,1,2012,1,31,5,17,2,151,316,2,316000002,1AIS_S,57*40"
#define PG_NOCC "$PGHP,1,2012,1,31,5,7,2,151,316,2,316000002,1AIS_S*5F"
#define PG_NONE "$PGHP,1,2012,1,31,5,7,2,151,316,2,316000002,1AIS_S,7F*02"
#define T_PGHP INT64_C(1327986422151) /* 2012-01-31T05:07:02.151Z */
#define T_TRAIL INT64_C(1327992119173)

static void test_receive_time(void) {
    enum { NONE = -1, TB = PEL_CLOCK_TAG_BLOCK, PG = PEL_CLOCK_PGHP, PRE = PEL_CLOCK_PREFIX, TRL = PEL_CLOCK_TRAILER };
    // clang-format off
    static const struct {
        const char *name;
        at in[6];
        struct {
            uint64_t line;
            int clock;
            int64_t ms;
        } want[3];
        int nwant;
    } cases[] = {
        {"$PGHP before its sentence", {{1, PG_X}, {2, SX TR}}, {{2, PG, T_PGHP}}, 1},
        {"$PGHP after its sentence", {{1, SX TR}, {2, PG_X}}, {{1, PG, T_PGHP}}, 1},
        {"$PGHP after, another sentence between", {{1, SX TR}, {2, SY TR}, {3, PG_X}},
         {{1, PG, T_PGHP}, {2, TRL, T_TRAIL}}, 2},
        {"$PGHP between two sentences, the second its own", {{1, SX TR}, {2, PG_Y}, {3, SY TR}},
         {{1, TRL, T_TRAIL}, {3, PG, T_PGHP}}, 2},
        {"$PGHP unmatched: the trailer stays", {{1, PG_NONE}, {2, SX TR}}, {{2, TRL, T_TRAIL}}, 1},
        {"$PGHP pairs once", {{1, PG_X}, {2, SX TR}, {3, SX TR}}, {{2, PG, T_PGHP}, {3, TRL, T_TRAIL}}, 2},
        {"$PGHP without cc times the next sentence only", {{1, PG_NOCC}, {2, SX}, {3, SY}},
         {{2, PG, T_PGHP}, {3, NONE, -1}}, 2},
        {"$PGHP without cc: the sentence before it stays untimed", {{1, SY}, {2, PG_NOCC}, {3, SX}},
         {{1, NONE, -1}, {3, PG, T_PGHP}}, 2},
        {"$PGHP 16 lines after: paired", {{1, SX TR}, {17, PG_X}}, {{1, PG, T_PGHP}}, 1},
        {"$PGHP 17 lines after: too far", {{1, SX TR}, {18, PG_X}}, {{1, TRL, T_TRAIL}}, 1},
        {"$PGHP 16 lines before: paired", {{1, PG_X}, {17, SX TR}}, {{17, PG, T_PGHP}}, 1},
        {"$PGHP 17 lines before: too far", {{1, PG_X}, {18, SX TR}}, {{18, TRL, T_TRAIL}}, 1},
        {"$PGHP before a two-sentence message (cc: XOR of both checksums)", {{1, PG_M}, {2, M1}, {3, M2}},
         {{2, PG, T_PGHP}}, 1},
        {"$PGHP after a two-sentence message", {{1, M1 TR}, {2, M2 TR}, {3, PG_M}}, {{1, PG, T_PGHP}}, 1},
        {"$PGHP with the first sentence's checksum only: not paired", {{1, PG_M1}, {2, M1 TR}, {3, M2 TR}},
         {{2, TRL, T_TRAIL}}, 1},
        {"$PGHP with cc 00 right before an own-ship (VDO) sentence (Gatehouse)", {{1, PG_00}, {2, VDO}},
         {{2, PG, T_PGHP}}, 1},
        {"$PGHP with cc 00 two lines before a VDO: not paired", {{1, PG_00}, {2, "# a comment"}, {3, VDO}},
         {{3, NONE, -1}}, 1},
        {"$PGHP with cc 00 before a VDM of another checksum: not paired", {{1, PG_00}, {2, SX}}, {{2, NONE, -1}}, 1},
        {"tag block beats $PGHP", {{1, PG_X}, {2, "\\s:A,c:1700000000*7B\\" SX}}, {{2, TB, 1700000000000}}, 1},
        {"$PGHP beats a leading time", {{1, PG_X}, {2, "1700000000 " SX}}, {{2, PG, T_PGHP}}, 1},
        {"leading time beats a trailer", {{1, "1700000000 " SX TR}}, {{1, PRE, 1700000000000}}, 1},
        {"tag block beats a leading time", {{1, "1600000000 \\s:A,c:1700000000*7B\\" SX}}, {{1, TB, 1700000000000}},
         1},
        {"trailer in seconds (USCG)", {{1, SX ",r003669946,1325394060"}}, {{1, TRL, 1325394060000}}, 1},
        {"trailer in milliseconds (exactEarth)", {{1, SX TR}}, {{1, TRL, T_TRAIL}}, 1},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run(cases[i].in, 6);
        int nmsg_ = 0;
        for (int k = 0; k < nev; k++)
            nmsg_ += evs[k].msg;
        CHECK(nmsg_ == cases[i].nwant && nev == nmsg_, "%s: %d messages, %d callbacks", cases[i].name, nmsg_, nev);
        for (int k = 0; k < cases[i].nwant && k < nev; k++)
            CHECK(evs[k].msg && evs[k].line == cases[i].want[k].line && evs[k].clock == cases[i].want[k].clock &&
                      evs[k].ms == cases[i].want[k].ms,
                  "%s: message %d: line %llu clock %d ms %lld", cases[i].name, k, (unsigned long long)evs[k].line,
                  evs[k].clock, (long long)evs[k].ms);
    }

    /* held lines keep their order, numbers and reasons */
    const at held[] = {{1, SX TR}, {2, "!AIVDM,1,1,,A,bad*00"}, {3, SY TR}, {4, PG_Y}, {5, PG_X}, {6, SZ}};
    pel_stats st = run(held, 6);
    CHECK(nev == 4 && in_order(), "held: %d callbacks in line order", nev);
    CHECK(nev == 4 && evs[0].msg && evs[0].line == 1 && evs[0].clock == PG && !evs[1].msg && evs[1].line == 2 &&
              evs[1].at_line == 2 && evs[1].why == PEL_REJ_CHECKSUM && evs[2].msg && evs[2].line == 3 &&
              evs[2].clock == PG && evs[3].msg && evs[3].line == 6 && evs[3].clock == -1,
          "held: message 1 ($PGHP at 5), reject 2 at its own line, message 3 ($PGHP at 4), message 6 untimed");
    CHECK(st.lines == 6 && st.messages == 3 && st.by_clock[PEL_CLOCK_PGHP] == 2 && st.by_clock[PEL_CLOCK_NONE] == 1 &&
              st.with_time == 2 && st.ignored_other == 2 && st.rejected[PEL_REJ_CHECKSUM] == 1,
          "held: counters");
}

static void test_fragment_expiry(void) {
    // clang-format off
    static const struct {
        const char *name;
        at in[6];
        int msgs, stale, orphan;
    } cases[] = {
        {"another station's clock minutes ahead does not expire a fragment",
         {{62, "\\g:1-2-11,s:A,c:1700000000*09\\" M1}, {63, "\\s:B,c:1700000300*7B\\" SX}, {64, "\\g:2-2-11*5D\\" M2}},
         2, 0, 0},
        {"its own station's clock 100 s ahead does",
         {{62, "\\g:1-2-11,s:A,c:1700000000*09\\" M1}, {63, "\\s:A,c:1700000100*7A\\" SX}, {64, "\\g:2-2-11*5D\\" M2}},
         1, 1, 1},
        {"continuations with only g: join their groups across stations",
         {{1, "\\g:1-2-11,s:A,c:1700000000*09\\" M1},
          {2, "\\g:1-2-12,s:B,c:1700000000*09\\" M1},
          {3, "\\g:2-2-12*5E\\" M2},
          {4, "\\g:2-2-11*5D\\" M2}},
         2, 0, 0},
        {"a fragment 2000 lines old expires", {{1, "\\g:1-2-11,s:A,c:1700000000*09\\" M1}, {2049, "\\g:2-2-11*5D\\" M2}},
         0, 1, 1},
        {"$PGHP times out of order expire nothing", {{60, PG_M}, {61, M1 TR}, {62, PG_X_LATE}, {63, SX TR}, {65, M2 TR}},
         2, 0, 0},
        {"a first fragment at the end of input is stale", {{1, "\\g:1-2-11,s:A,c:1700000000*09\\" M1}}, 0, 1, 0},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pel_stats st = run(cases[i].in, 6);
        CHECK((int)st.messages == cases[i].msgs && (int)st.rejected[PEL_REJ_FRAG_STALE] == cases[i].stale &&
                  (int)st.rejected[PEL_REJ_FRAG_ORPHAN] == cases[i].orphan,
              "%s: %llu messages, %llu stale, %llu orphan", cases[i].name, (unsigned long long)st.messages,
              (unsigned long long)st.rejected[PEL_REJ_FRAG_STALE],
              (unsigned long long)st.rejected[PEL_REJ_FRAG_ORPHAN]);
    }
    /* the interleaved groups: each message has its own lines */
    const at groups[] = {{1, "\\g:1-2-11,s:A,c:1700000000*09\\" M1},
                         {2, "\\g:1-2-12,s:B,c:1700000000*09\\" M1},
                         {3, "\\g:2-2-12*5E\\" M2},
                         {4, "\\g:2-2-11*5D\\" M2}};
    run(groups, 4);
    CHECK(nev == 2 && evs[0].line == 2 && evs[0].line_last == 3 && strcmp(evs[0].source, "B") == 0 &&
              evs[1].line == 1 && evs[1].line_last == 4 && strcmp(evs[1].source, "A") == 0,
          "groups: lines 2-3 from B, 1-4 from A");
}

/* Sets width bits of v at bit off of b (MSB first). */
static void put_bits(uint8_t *b, int off, int width, uint64_t v) {
    for (int i = 0; i < width; i++) {
        int bit = (int)((v >> (width - 1 - i)) & 1), k = off + i;
        b[k / 8] = (uint8_t)((b[k / 8] & ~(0x80 >> (k % 8))) | (bit << (7 - k % 8)));
    }
}

static void test_oversize(void) {
    enum { OK = 0, OVER = 1, REJ = 2 };
    // clang-format off
    static const struct {
        int type, part, bits, want;
    } cases[] = {
        {1, 0, 148, REJ},  {1, 0, 149, OK},   {1, 0, 168, OK},   {1, 0, 186, OVER}, {1, 0, 204, OVER},
        {1, 0, 205, REJ},  {2, 0, 204, OVER}, {3, 0, 186, OVER}, {3, 0, 204, OVER}, {3, 0, 205, REJ},
        {4, 0, 168, OK},   {4, 0, 204, OVER}, {4, 0, 205, REJ},  {11, 0, 204, OVER}, {5, 0, 419, REJ},
        {5, 0, 420, OK},   {5, 0, 424, OK},   {5, 0, 426, OVER}, {5, 0, 460, OVER}, {5, 0, 461, REJ},
        {9, 0, 204, OVER}, {9, 0, 205, REJ},  {10, 0, 72, OK},   {10, 0, 108, OVER}, {10, 0, 109, REJ},
        {18, 0, 168, OK},  {18, 0, 204, OVER}, {18, 0, 205, REJ}, {19, 0, 312, OK}, {19, 0, 348, OVER},
        {19, 0, 349, REJ}, {22, 0, 204, OVER}, {23, 0, 160, OK}, {23, 0, 196, OVER}, {24, 0, 160, OK},
        {24, 0, 168, OVER}, {24, 0, 169, REJ}, {24, 1, 168, OK},  {24, 1, 169, REJ}, {27, 0, 95, OK},
        {27, 0, 96, OK},   {27, 0, 168, OVER}, {27, 0, 169, REJ}, {8, 0, 1008, OK},  {8, 0, 1009, REJ},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t bits[160] = {0};
        put_bits(bits, 0, 6, (uint64_t)cases[i].type);
        put_bits(bits, 8, 30, 123456789);
        if (cases[i].type == 24)
            put_bits(bits, 38, 2, (uint64_t)cases[i].part);
        char text[1024];
        pel_nmea_opts o = {.channel = 'A', .rx_ms = -1};
        size_t n = pel_nmea_encode(bits, cases[i].bits, &o, false, text, sizeof text);
        CHECK(n > 0, "type %d, %d bits: encoded", cases[i].type, cases[i].bits);
        at in[6] = {{0, NULL}};
        int nl = 0;
        for (char *p = text; *p && nl < 6; nl++) {
            char *nlc = strchr(p, '\n');
            *nlc = 0;
            in[nl] = (at){(uint64_t)nl + 1, p};
            p = nlc + 1;
        }
        pel_stats st = run(in, nl);
        int got_ = st.messages == 1 ? (st.oversize ? OVER : OK) : st.rejected[PEL_REJ_BAD_LENGTH] ? REJ : -1;
        CHECK(got_ == cases[i].want, "type %d part %d, %d bits: %s, want %s", cases[i].type, cases[i].part,
              cases[i].bits,
              got_ == OK     ? "ok"
              : got_ == OVER ? "oversize"
              : got_ == REJ  ? "bad_length"
                             : "?",
              cases[i].want == OK     ? "ok"
              : cases[i].want == OVER ? "oversize"
                                      : "bad_length");
    }
    /* decoded at the standard length: the extra bits change nothing */
    static const int types[] = {1, 5, 18, 19, 27};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        pel_ais_report r;
        pel_ais_report_init(&r, types[i], 273456000);
        r.lat = 42 * PEL_DEG, r.lon = 133 * PEL_DEG, r.speed = 52, r.course = 1234, r.heading = 123;
        snprintf(r.shipname, sizeof r.shipname, "ANGARA");
        uint8_t bits[128] = {0};
        int nb = pel_ais_encode(&r, bits, sizeof bits, NULL);
        int extra = types[i] == 27 ? 72 : 36;
        for (int k = 0; k < extra; k++)
            put_bits(bits, nb + k, 1, 1);
        static pel_ais_msg a, b;
        char ja[4096], jb[4096];
        pel_reject ra = pel_ais_decode_bits(&a, bits, nb), rb = pel_ais_decode_bits(&b, bits, nb + extra);
        pel_ais_json(&a, PEL_JSON_NO_META, ja, sizeof ja);
        pel_ais_json(&b, PEL_JSON_NO_META, jb, sizeof jb);
        CHECK(ra == PEL_REJ_NONE && rb == PEL_REJ_NONE && strcmp(ja, jb) == 0 && b.bitlen == nb + extra,
              "type %d with %d extra bits decodes as without: %s / %s", types[i], extra, ja, jb);
    }
}

static void test_tag_block_checksum(void) {
    // clang-format off
    static const struct {
        const char *name;
        at in[3];
        int msgs, tbc;
        pel_reject why; /* of the one reject, or NONE */
        int clock;
        int64_t ms;
        const char *source;
    } cases[] = {
        {"tag-block checksum wrong, sentence good: kept, fields used",
         {{1, "\\s:rSTN01,c:1700000001*00\\" SX}}, 1, 1, PEL_REJ_NONE, PEL_CLOCK_TAG_BLOCK, 1700000001000, "rSTN01"},
        {"placeholder checksum 00 (AMSA)", {{1, "\\c:1420030798*00\\!ABVDM,1,1,4,B,17P;HV?P008F98Il;EC1mOwL0@KP,0*22"}},
         1, 1, PEL_REJ_NONE, PEL_CLOCK_TAG_BLOCK, 1420030798000, ""},
        {"checksum not hex", {{1, "\\s:rSTN01,c:1700000001*ZZ\\" SX}}, 1, 1, PEL_REJ_NONE, PEL_CLOCK_TAG_BLOCK,
         1700000001000, "rSTN01"},
        {"checksum wrong and c: not a time: kept without time",
         {{1, "\\s:rSTN01,c:17000x0001*00\\" SX}}, 1, 1, PEL_REJ_NONE, -1, -1, "rSTN01"},
        {"checksum wrong and g: impossible: kept as a single sentence",
         {{1, "\\s:A,c:1700000000,g:2-1-1*00\\" SX}}, 1, 1, PEL_REJ_NONE, PEL_CLOCK_TAG_BLOCK, 1700000000000, "A"},
        {"both checksums wrong: rejected for the sentence's", {{1, "\\s:rSTN01,c:1700000001*00\\!AIVDM,1,1,,A,16`Ngp0P058uTw0F9?83Q2l00000,0*58"}}, 0, 0,
         PEL_REJ_CHECKSUM, 0, 0, ""},
        {"checksum right, c: not a time: rejected", {{1, "\\c:abc*39\\" SX}}, 0, 0, PEL_REJ_TAG_BLOCK, 0, 0, ""},
        {"checksum right, s: and c: (49 is right)", {{1, "\\s:rSTN01,c:17000x0001*49\\" SX}}, 0, 0, PEL_REJ_TAG_BLOCK,
         0, 0, ""},
        {"g: added without fixing the checksum (Kystverket): the fragments join",
         {{1, "\\g:1-2-9999,c:1565218798*53\\!BSVDM,2,1,3,A,53nPnh800000ha@J2218UH60U@4hT6000000000t2PD33t?P008000000000,0*72"},
          {2, "\\g:2-2-9999,c:1565218798*53\\!BSVDM,2,2,3,A,00000000000,2*3E"}},
         1, 2, PEL_REJ_NONE, PEL_CLOCK_TAG_BLOCK, 1565218798000, ""},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pel_stats st = run(cases[i].in, 3);
        int nrej_ = 0;
        pel_reject why = PEL_REJ_NONE;
        for (int k = 0; k < PEL_REJ__COUNT; k++)
            if (st.rejected[k])
                nrej_ += (int)st.rejected[k], why = (pel_reject)k;
        CHECK((int)st.messages == cases[i].msgs && (int)st.tag_block_checksum == cases[i].tbc && why == cases[i].why &&
                  nrej_ == (why ? 1 : 0),
              "%s: %llu messages, %llu tag-block checksum failures, reject %s x%d", cases[i].name,
              (unsigned long long)st.messages, (unsigned long long)st.tag_block_checksum, pel_reject_name(why), nrej_);
        if (cases[i].msgs && nev >= 1)
            CHECK(evs[0].clock == cases[i].clock && evs[0].ms == cases[i].ms &&
                      strcmp(evs[0].source, cases[i].source) == 0,
                  "%s: clock %d, ms %lld, source '%s'", cases[i].name, evs[0].clock, (long long)evs[0].ms,
                  evs[0].source);
    }
}

static void test_glued(void) {
    // clang-format off
    static const struct {
        const char *name;
        const char *line;
        int lines, sentences, msgs;
        uint64_t first, last; /* lines of the message */
    } cases[] = {
        {"two fragments glued on one line (Spire)", "\\s:A,c:1700000000*7B\\" M1 "\\s:A,c:1700000000*7B\\" M2, 1, 2, 1,
         1, 1},
        {"two sentences glued without tag blocks", SX SY, 1, 2, 2, 1, 1},
        {"a trailer after the checksum is not a sentence", SX ",r003669946,1325394060", 1, 1, 1, 1, 1},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const at in[] = {{1, cases[i].line}};
        pel_stats st = run(in, 1);
        CHECK((int)st.lines == cases[i].lines && (int)st.sentences == cases[i].sentences &&
                  (int)st.messages == cases[i].msgs && nev >= 1 && evs[0].msg && evs[0].line == cases[i].first &&
                  evs[0].line_last == cases[i].last,
              "%s: %llu lines, %llu sentences, %llu messages", cases[i].name, (unsigned long long)st.lines,
              (unsigned long long)st.sentences, (unsigned long long)st.messages);
    }
}

static void test_clock_names(void) {
    // clang-format off
    static const struct {
        pel_clock c;
        const char *name;
        bool receiver;
    } cases[] = {
        {PEL_CLOCK_NONE, "none", false},       {PEL_CLOCK_TAG_BLOCK, "tag_block", true},
        {PEL_CLOCK_PGHP, "pghp", true},        {PEL_CLOCK_PREFIX, "prefix", true},
        {PEL_CLOCK_TRAILER, "trailer", false}, {PEL_CLOCK_ASSUMED, "assumed", false},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(strcmp(pel_clock_name(cases[i].c), cases[i].name) == 0 &&
                  pel_clock_is_receiver(cases[i].c) == cases[i].receiver,
              "clock %d: %s", (int)cases[i].c, pel_clock_name(cases[i].c));
    /* and in the JSON, after rxtime */
    const at in[] = {{1, PG_X}, {2, SX TR}};
    pel_decode_cb cb = {on_msg, on_reject, NULL};
    pel_decoder *d = pel_decoder_new(NULL, &cb);
    nmsg = 0;
    for (int i = 0; i < 2; i++)
        pel_decoder_line(d, in[i].text, strlen(in[i].text), in[i].line);
    pel_decoder_flush(d);
    pel_decoder_free(d);
    char buf[PEL_AIS_JSON_MAX];
    pel_ais_json(&last, 0, buf, sizeof buf);
    CHECK(nmsg == 1 && strstr(buf, "\"rxtime\":\"2012-01-31T05:07:02.151Z\",\"rxclock\":\"pghp\",\"line\":2}"),
          "json: %s", buf);
}

int main(void) {
    test_imo();
    test_time();
    test_normalised();
    test_json_limits();
    test_reject_names();
    test_receive_time();
    test_fragment_expiry();
    test_oversize();
    test_tag_block_checksum();
    test_glued();
    test_clock_names();
    printf("unit_decode: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
