/*
 * unit_risk.c -- the risk score (src/report/risk.c) over hand-made findings
 * lines (read by the findings reader, findings/read.h), without a
 * database: weights, caps, one designation per list entry, encounters
 * counting for both vessels, the MID 445 item, levels, reason order,
 * settings and the UTF-8 cleaner.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "findings/read.h"
#include "report/rpt.h"
#include "util/escape.h"

static fnd_set *parse(const char *const *lines, size_t n) {
    fnd_set *s = fnd_set_new();
    char why[160] = "";
    for (size_t i = 0; s && i < n; i++)
        CHECK(fnd_read_line(s, lines[i], strlen(lines[i]), why, sizeof why) == PEL_OK, "line %zu reads: %s", i, why);
    return s;
}

static const rpt_vessel *find(const rpt_ranking *r, uint32_t mmsi) {
    for (size_t i = 0; i < r->n; i++)
        if (r->v[i].mmsi == mmsi)
            return &r->v[i];
    return NULL;
}

static const char *names(void *ud, uint32_t mmsi) {
    (void)ud;
    return mmsi == 445000001 ? "DARK STAR" : NULL;
}

static bool near(double a, double b) {
    return fabs(a - b) < 1e-9;
}

int main(void) {
    // clang-format off
    static const char *const lines[] = {
        /* 0 */ "{\"event\":\"watchlist_match\",\"mmsi\":445000001,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-02T00:00:00Z\",\"lat\":null,\"lon\":null,\"list\":\"ofac_sdn\",\"entry\":\"1\",\"entry_name\":\"DARK STAR\",\"program\":\"DPRK3\",\"score\":0.9,\"matched_on\":[\"name\"],\"confidence\":\"medium\",\"corroborated_by\":[\"flag\"],\"identity_name\":\"DARK STAR\"}",
        /* 1 */ "{\"event\":\"watchlist_match\",\"mmsi\":445000001,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-02T00:00:00Z\",\"lat\":null,\"lon\":null,\"list\":\"ofac_sdn\",\"entry\":\"1\",\"entry_name\":\"DARK STAR\",\"program\":\"DPRK3\",\"score\":0.95,\"matched_on\":[\"name\"],\"confidence\":\"medium\",\"corroborated_by\":[\"flag\",\"callsign\"],\"identity_name\":\"DARK STAR 1\"}",
        /* 2 */ "{\"event\":\"encounter\",\"mmsi\":412000001,\"mmsi2\":445000001,\"start\":\"2024-01-01T02:00:00Z\",\"end\":\"2024-01-01T05:00:00Z\",\"lat\":35.5,\"lon\":-123.25,\"duration_h\":3.0,\"port_distance_km\":120.4,\"nearest_port\":\"Weihai\"}",
        /* 3 */ "{\"event\":\"gap\",\"mmsi\":445000001,\"start\":\"2024-01-01T06:00:00Z\",\"end\":\"2024-01-01T20:00:00Z\",\"lat\":35.5,\"lon\":123.3,\"open\":false,\"duration_h\":14.0,\"suspected\":true,\"draught_changed\":true,\"draught_before_m\":5.0,\"draught_after_m\":11.0,\"near_port_of_concern\":true,\"start_port\":null,\"start_port_concern\":null,\"end_port\":\"Nampo\",\"end_port_concern\":true}",
        /* 4 */ "{\"event\":\"zone_entry\",\"mmsi\":412000001,\"start\":\"2024-01-01T07:00:00Z\",\"end\":\"2024-01-01T08:00:00Z\",\"lat\":1,\"lon\":1,\"zone\":\"A\",\"duration_h\":1.0}",
        /* 5 */ "{\"event\":\"zone_entry\",\"mmsi\":412000001,\"start\":\"2024-01-01T08:00:00Z\",\"end\":\"2024-01-01T09:00:00Z\",\"lat\":1,\"lon\":1,\"zone\":\"B\",\"duration_h\":1.0}",
        /* 6 */ "{\"event\":\"zone_entry\",\"mmsi\":412000001,\"start\":\"2024-01-01T09:00:00Z\",\"end\":\"2024-01-01T10:00:00Z\",\"lat\":1,\"lon\":1,\"zone\":\"C\",\"duration_h\":1.0}",
        /* 7 */ "{\"event\":\"zone_entry\",\"mmsi\":412000001,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T11:00:00Z\",\"lat\":1,\"lon\":1,\"zone\":\"D\",\"duration_h\":1.0}",
        /* 8 */ "{\"event\":\"port_visit\",\"mmsi\":412000002,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T11:00:00Z\",\"lat\":1,\"lon\":1,\"port\":\"Busan\",\"port_concern\":false,\"duration_h\":1.0}",
        /* 9 */ "{\"event\":\"identity_change\",\"mmsi\":412000003,\"mmsi2\":412000004,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T11:00:00Z\",\"lat\":null,\"lon\":null,\"field\":\"imo_shared\",\"imo\":9074729}",
        /* 10 */ "{\"event\":\"gap\",\"mmsi\":412000005,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T23:00:00Z\",\"lat\":1,\"lon\":1,\"open\":false,\"duration_h\":13.0,\"suspected\":false,\"draught_changed\":null,\"near_port_of_concern\":false}",
        /* 12 */ "{\"event\":\"watchlist_match\",\"mmsi\":412000007,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-02T00:00:00Z\",\"lat\":null,\"lon\":null,\"list\":\"ofac_sdn\",\"entry\":\"2\",\"entry_name\":\"ZEUS\",\"program\":\"IRAN\",\"score\":1.0,\"matched_on\":[\"name\"],\"confidence\":\"low\",\"corroborated_by\":[],\"contradicted_by\":[\"flag\",\"vessel_type\"],\"identity_name\":\"ZEUS\"}",
        /* 13 */ "{\"event\":\"encounter\",\"mmsi\":412000007,\"mmsi2\":412000008,\"start\":\"2024-01-01T02:00:00Z\",\"end\":\"2024-01-01T05:00:00Z\",\"lat\":35.5,\"lon\":123.25,\"duration_h\":3.0}",
        /* 14 */ "{\"event\":\"port_visit\",\"mmsi\":412000007,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T11:00:00Z\",\"lat\":1,\"lon\":1,\"port\":\"Nampo\",\"port_concern\":true,\"duration_h\":1.0}",
        /* 15 */ "{\"event\":\"spoofing\",\"mmsi\":412000007,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T11:00:00Z\",\"lat\":1,\"lon\":1,\"kind\":\"unallocated_mid\",\"mid\":412}",
        /* 16 */ "{\"event\":\"data_quality\",\"mmsi\":412000009,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T11:00:00Z\",\"lat\":null,\"lon\":null,\"kind\":\"invalid_imo\",\"imo\":1,\"problem\":\"not_7_digits\"}",
        /* 17 */ "{\"event\":\"spoofing\",\"mmsi\":12345678,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T11:00:00Z\",\"lat\":1,\"lon\":1,\"kind\":\"invalid_mmsi\",\"mmsi_problem\":\"placeholder\",\"parallel_segments\":2}",
        /* 11 */ "{\"event\":\"watchlist_match\",\"mmsi\":412000006,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-02T00:00:00Z\",\"lat\":null,\"lon\":null,\"list\":\"un\",\"entry\":\"X\",\"entry_name\":\"OTHER\",\"score\":1.0,\"matched_on\":[\"imo\",\"name\"],\"identity_imo\":9074729}",
    };
    // clang-format on
    fnd_set *f = parse(lines, sizeof lines / sizeof lines[0]);
    rpt_weights w;
    rpt_weights_default(&w);
    rpt_ranking r;
    pel_error err = {0};
    CHECK(rpt_score(f, &w, NULL, 0, NULL, 0, names, NULL, &r, &err) == PEL_OK, "scores: %s", err.msg);

    /* 445000001: designation once, the better match 40*0.95 = 38; encounter 15 (412000001 not designated);
       gap 10 + 10 + 15 = 35; MID 445: 20.  Total 108. */
    const rpt_vessel *v = find(&r, 445000001);
    CHECK(v && near(v->score, 108.0), "445000001 scores 108, got %.1f", v ? v->score : -1);
    CHECK(v && !strcmp(v->level, "high"), "high");
    CHECK(v && v->nreasons == 4, "4 reasons (one designation), got %zu", v ? v->nreasons : 0);
    CHECK(v && near(v->reasons[0].points, 38.0) && v->reasons[0].finding == 1, "the better match first");
    CHECK(v && near(v->reasons[1].points, 35.0) && v->reasons[1].finding == 3, "then the gap");
    CHECK(v && strstr(v->reasons[1].text, "draught 5.0") && strstr(v->reasons[1].text, "Nampo"), "gap text: %s",
          v ? v->reasons[1].text : "");
    CHECK(v && near(v->reasons[2].points, 20.0) && v->reasons[2].finding == -1, "then the MID");
    CHECK(v && near(v->reasons[3].points, 15.0) && v->reasons[3].finding == 2, "then the encounter");
    CHECK(v && v->nfindings == 4 && v->findings[0] == 0 && v->findings[3] == 3, "its 4 findings");
    CHECK(v && strstr(v->reasons[3].text, "Met 412000001 for 3.0 h at 35.50N 123.25W, 120 km from Weihai"),
          "encounter text: %s", v ? v->reasons[3].text : "");

    /* 412000001: encounter with a designated vessel 15 + 20; zones 3 of 4: 30.  Total 65. */
    v = find(&r, 412000001);
    CHECK(v && near(v->score, 65.0), "412000001 scores 65, got %.1f", v ? v->score : -1);
    CHECK(v && v->nreasons == 4, "encounter + 3 zones, got %zu", v ? v->nreasons : 0);
    CHECK(v && strstr(v->reasons[0].text, "Met designated vessel 445000001 (DARK STAR)"), "partner named: %s",
          v ? v->reasons[0].text : "");
    CHECK(v && v->reasons[3].finding == 6, "the earliest zones count");
    CHECK(v && v->nfindings == 5, "5 findings listed, the 4th zone included");

    /* a port visit that is no concern: listed, 0 points, level none */
    v = find(&r, 412000002);
    CHECK(v && v->score == 0 && !strcmp(v->level, "none") && v->nreasons == 0 && v->nfindings == 1, "412000002 none");
    /* an IMO shared: both vessels */
    CHECK(find(&r, 412000003) && near(find(&r, 412000003)->score, 20), "imo_shared counts for mmsi");
    CHECK(find(&r, 412000004) && near(find(&r, 412000004)->score, 20), "... and for mmsi2");
    CHECK(find(&r, 412000004) && strstr(find(&r, 412000004)->reasons[0].text, "also broadcast by 412000003"),
          "imo_shared text");
    /* a name alone (low confidence): 10 x 1.0; with an encounter 15, a port of
       concern 25 and a MID 15 = 65, past the high threshold -- but without the
       name match 55 is not, so the vessel stays medium */
    v = find(&r, 412000007);
    CHECK(v && near(v->score, 65.0), "412000007 scores 65, got %.1f", v ? v->score : -1);
    CHECK(v && !strcmp(v->level, "medium"), "a name alone never makes a vessel high: %s", v ? v->level : "");
    CHECK(v && v->nreasons == 4 && strstr(v->reasons[3].text, "name alone, contradicted by flag, vessel_type"),
          "low match text: %s", v && v->nreasons == 4 ? v->reasons[3].text : "");
    /* ... and its partner did not meet a designated vessel */
    CHECK(find(&r, 412000008) && near(find(&r, 412000008)->score, 15), "a low match is no designated partner");
    /* data quality: 2; an invalid MMSI: 10 */
    CHECK(find(&r, 412000009) && near(find(&r, 412000009)->score, 2) &&
              strstr(find(&r, 412000009)->reasons[0].text, "not seven digits"),
          "an IMO that is no IMO: a data-quality note of 2");
    CHECK(find(&r, 12345678) && near(find(&r, 12345678)->score, 10) &&
              strstr(find(&r, 12345678)->reasons[0].text, "several places at once"),
          "an invalid MMSI: 10");
    /* a coverage gap */
    CHECK(find(&r, 412000005) && near(find(&r, 412000005)->score, 1) && !strcmp(find(&r, 412000005)->level, "low"),
          "coverage gap 1, low");
    /* an IMO match: 60 */
    v = find(&r, 412000006);
    CHECK(v && near(v->score, 60) && !strcmp(v->level, "high"), "IMO match 60, high");
    CHECK(v && strstr(v->reasons[0].text, "Matched UN Security Council entry OTHER on IMO 9074729"), "text: %s",
          v ? v->reasons[0].text : "");

    /* order: score descending, ties by MMSI */
    CHECK(r.n == 11, "11 vessels, got %zu", r.n);
    for (size_t i = 1; i < r.n; i++)
        CHECK(r.v[i - 1].score > r.v[i].score || (r.v[i - 1].score == r.v[i].score && r.v[i - 1].mmsi < r.v[i].mmsi),
              "order at %zu", i);
    rpt_ranking_free(&r);

    /* extra vessels without findings; an explicit designated list */
    uint32_t extra[] = {445999999, 412000001};
    uint32_t none[] = {1};
    CHECK(rpt_score(f, &w, extra, 2, none, 1, NULL, NULL, &r, &err) == PEL_OK, "scores");
    v = find(&r, 445999999);
    CHECK(v && near(v->score, 20) && v->nfindings == 0, "an extra vessel: only its MID");
    v = find(&r, 412000001);
    CHECK(v && near(v->score, 45), "partner not designated by the given list: 15 + 30, got %.1f", v ? v->score : -1);
    rpt_ranking_free(&r);

    /* the dark rendezvous: a loitering with possible partners, and their gaps */
    {
        // clang-format off
        static const char *const rl[] = {
            /* 0 */ "{\"event\":\"loitering\",\"mmsi\":412000001,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T18:00:00Z\",\"lat\":35,\"lon\":123,\"duration_h\":8.00,\"mean_speed_kn\":0.40,\"possible_partners_total\":2,\"possible_partners\":[{\"mmsi\":445000001,\"gap_start\":\"2024-01-01T06:00:00Z\",\"gap_suspected\":true,\"together_h\":8.00},{\"mmsi\":412000005,\"gap_start\":\"2024-01-01T07:00:00Z\",\"gap_suspected\":false,\"together_h\":3.50}]}",
            /* 1 */ "{\"event\":\"gap\",\"mmsi\":445000001,\"start\":\"2024-01-01T06:00:00Z\",\"end\":\"2024-01-01T22:00:00Z\",\"lat\":35,\"lon\":122.8,\"open\":false,\"duration_h\":16.0,\"suspected\":true}",
            /* 2 */ "{\"event\":\"gap\",\"mmsi\":412000005,\"start\":\"2024-01-01T07:00:00Z\",\"end\":\"2024-01-01T21:00:00Z\",\"lat\":35,\"lon\":122.8,\"open\":false,\"duration_h\":14.0,\"suspected\":false}",
            /* 3 */ "{\"event\":\"gap\",\"mmsi\":445000001,\"start\":\"2024-01-02T06:00:00Z\",\"end\":\"2024-01-02T22:00:00Z\",\"lat\":35,\"lon\":122.8,\"open\":false,\"duration_h\":16.0,\"suspected\":true}",
            /* 4 */ "{\"event\":\"loitering\",\"mmsi\":412000002,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T18:00:00Z\",\"lat\":35,\"lon\":124,\"duration_h\":8.00,\"mean_speed_kn\":0.40,\"possible_partners_total\":1,\"possible_partners\":[{\"mmsi\":412000005,\"gap_start\":\"2024-01-01T07:00:00Z\",\"gap_suspected\":false,\"together_h\":2.00}]}",
        };
        // clang-format on
        fnd_set *rf = parse(rl, sizeof rl / sizeof rl[0]);
        CHECK(rpt_score(rf, &w, NULL, 0, NULL, 0, names, NULL, &r, &err) == PEL_OK, "scores: %s", err.msg);
        /* loitering 5 + a dark partner 15 */
        v = find(&r, 412000001);
        CHECK(v && near(v->score, 20) && v->nreasons == 1 &&
                  strstr(v->reasons[0].text, "; dark then and within reach: 445000001 (DARK STAR) (8.0 h possible "
                                             "together), 412000005 (a coverage hole, 3.5 h possible together)"),
              "loitering with a dark partner: %.1f %s", v ? v->score : -1, v && v->nreasons ? v->reasons[0].text : "");
        /* loitering 5 + partners in coverage holes only 3 */
        v = find(&r, 412000002);
        CHECK(v && near(v->score, 8), "loitering with a coverage-hole partner: 8, got %.1f", v ? v->score : -1);
        /* the partner's gap 10 + 10, its other gap 10, MID 20 */
        v = find(&r, 445000001);
        CHECK(v && near(v->score, 50) && v->nreasons == 3 && near(v->reasons[0].points, 20) &&
                  v->reasons[0].finding == 1 &&
                  strstr(v->reasons[0].text, "; could have met 412000001 while it loitered (a dark rendezvous?)"),
              "the partner's gap: %.1f", v ? v->score : -1);
        /* a coverage hole gains nothing from the rendezvous */
        v = find(&r, 412000005);
        CHECK(v && near(v->score, 1), "a coverage gap stays 1: %.1f", v ? v->score : -1);
        rpt_ranking_free(&r);
        fnd_set_free(rf);
    }

    /* settings */
    const char *set[] = {"risk.encounter=0", "gap.min_gap_h=6", "risk.high=200", "report.simplify_deg=0.01"};
    const char *det[4];
    size_t ndet;
    rpt_draw d = {0};
    CHECK(rpt_split_settings(set, 4, &w, &d, det, &ndet, &err) == PEL_OK, "settings: %s", err.msg);
    CHECK(ndet == 1 && !strcmp(det[0], "gap.min_gap_h=6"), "detector settings passed on");
    CHECK(w.w[RPT_W_ENCOUNTER] == 0 && w.w[RPT_W_HIGH] == 200 && d.simplify_deg == 0.01, "values set");
    CHECK(!strcmp(rpt_level(&w, 108), "medium"), "thresholds move the level");
    const char *bad1[] = {"risk.nope=1"}, *bad2[] = {"risk.zone=-1"}, *bad3[] = {"risk.zone=x"},
               *bad4[] = {"report.x=1"};
    CHECK(rpt_split_settings(bad1, 1, &w, &d, det, &ndet, &err) == PEL_ERR_ARG && strstr(err.msg, "risk.nope"),
          "unknown weight refused");
    CHECK(rpt_split_settings(bad2, 1, &w, &d, det, &ndet, &err) == PEL_ERR_ARG, "negative refused");
    CHECK(rpt_split_settings(bad3, 1, &w, &d, det, &ndet, &err) == PEL_ERR_ARG, "not a number refused");
    CHECK(rpt_split_settings(bad4, 1, &w, &d, det, &ndet, &err) == PEL_ERR_ARG, "unknown report setting refused");
    CHECK(!strcmp(rpt_weight_name(0), "designation_imo") && rpt_weight_name(RPT_W__COUNT) == NULL, "weight names");

    /* one ship under two MMSIs (identity_change "mmsi"): one vessel, the
     * points of both summed, the change and the MID counted once; a clone
     * pair (parallel segments on one MMSI) stays one MMSI's; an imo_shared
     * pair stays two vessels */
    // clang-format off
    static const char *const ship[] = {
        /* 0 */ "{\"event\":\"gap\",\"mmsi\":445000010,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-01T20:00:00Z\",\"lat\":1,\"lon\":1,\"open\":false,\"duration_h\":20.0,\"suspected\":true}",
        /* 1 */ "{\"event\":\"identity_change\",\"mmsi\":445000010,\"mmsi2\":445000011,\"start\":\"2024-01-02T00:00:00Z\",\"end\":\"2024-01-02T00:30:00Z\",\"lat\":1,\"lon\":1,\"field\":\"mmsi\",\"from\":445000010,\"to\":445000011,\"from_flag\":\"KP\",\"to_flag\":\"KP\"}",
        /* 2 */ "{\"event\":\"port_visit\",\"mmsi\":445000011,\"start\":\"2024-01-03T00:00:00Z\",\"end\":\"2024-01-03T10:00:00Z\",\"lat\":1,\"lon\":1,\"port\":\"Nampo\",\"port_concern\":true,\"duration_h\":10.0}",
        /* 3 */ "{\"event\":\"identity_change\",\"mmsi\":445000011,\"mmsi2\":667000012,\"start\":\"2024-01-04T00:00:00Z\",\"end\":\"2024-01-04T00:30:00Z\",\"lat\":1,\"lon\":1,\"field\":\"mmsi\",\"from\":445000011,\"to\":667000012,\"from_flag\":\"KP\",\"to_flag\":\"SL\"}",
        /* 4 */ "{\"event\":\"spoofing\",\"mmsi\":412000020,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T11:00:00Z\",\"lat\":1,\"lon\":1,\"kind\":\"parallel_segments\",\"separation_nm\":100}",
        /* 5 */ "{\"event\":\"gap\",\"mmsi\":445000011,\"mmsi2\":667000012,\"start\":\"2024-01-03T12:00:00Z\",\"end\":\"2024-01-04T00:30:00Z\",\"lat\":1,\"lon\":1,\"open\":false,\"continued_as\":667000012,\"duration_h\":12.5,\"cause\":\"identity\",\"suspected\":false,\"draught_changed\":true,\"draught_before_m\":6.0,\"draught_after_m\":11.0}",
        /* 7 */ "{\"event\":\"watchlist_match\",\"mmsi\":445000010,\"start\":\"2024-01-01T00:00:00Z\",\"end\":\"2024-01-02T00:00:00Z\",\"lat\":null,\"lon\":null,\"list\":\"un\",\"entry\":\"S1\",\"entry_name\":\"OLD NAME\",\"score\":1.0,\"matched_on\":[\"imo\"],\"confidence\":\"high\",\"identity_imo\":9074729}",
        /* 8 */ "{\"event\":\"encounter\",\"mmsi\":412000030,\"mmsi2\":667000012,\"start\":\"2024-01-05T02:00:00Z\",\"end\":\"2024-01-05T05:00:00Z\",\"lat\":35.5,\"lon\":123.25,\"duration_h\":3.0}",
        /* 6 */ "{\"event\":\"identity_change\",\"mmsi\":412000021,\"mmsi2\":412000022,\"start\":\"2024-01-01T10:00:00Z\",\"end\":\"2024-01-01T11:00:00Z\",\"lat\":null,\"lon\":null,\"field\":\"imo_shared\",\"imo\":9074729}",
    };
    // clang-format on
    fnd_set *fs = parse(ship, sizeof ship / sizeof ship[0]);
    rpt_ranking rs;
    rpt_weights_default(&w);
    CHECK(fs && rpt_score(fs, &w, NULL, 0, NULL, 0, NULL, NULL, &rs, &err) == PEL_OK, "ship: scores");
    const rpt_vessel *sv = fs ? find(&rs, 445000010) : NULL;
    /* gap 10 + port of concern 25 + two changes of MMSI 10 + 10 + MID 445 once 20 + the gap of cause
       identity: no gap points, its draught change 10 = 85 */
    /* + its designation under its first MMSI 60 + the encounter of its last MMSI 15 = 160 */
    CHECK(sv && near(sv->score, 160.0) && sv->nreasons == 8, "ship: one vessel of 160 (%.1f, %zu reasons)",
          sv ? sv->score : -1, sv ? sv->nreasons : 0);
    const rpt_vessel *pv = fs ? find(&rs, 412000030) : NULL;
    CHECK(pv && near(pv->score, 35.0) && pv->nreasons == 1 &&
              strstr(pv->reasons[0].text, "Met designated vessel 667000012"),
          "a partner of the ship's later MMSI met a designated vessel: %s",
          pv && pv->nreasons ? pv->reasons[0].text : "");
    bool idgap = false;
    for (size_t k = 0; sv && k < sv->nreasons; k++)
        idgap |= sv->reasons[k].finding == 5 && near(sv->reasons[k].points, 10.0) &&
                 strstr(sv->reasons[k].text, "Silent for 12.5 h") &&
                 strstr(sv->reasons[k].text, "then heard as MMSI 667000012") &&
                 strstr(sv->reasons[k].text, "draught 6.0");
    CHECK(idgap, "ship: the gap of cause identity counts its draught change only, and says so");
    CHECK(sv && sv->nmmsis == 3 && sv->mmsis[0] == 445000010 && sv->mmsis[1] == 445000011 && sv->mmsis[2] == 667000012,
          "ship: its MMSIs in time order");
    CHECK(sv && sv->nfindings == 7, "ship: the findings of all its MMSIs, each once (%zu)", sv ? sv->nfindings : 0);
    CHECK(fs && !find(&rs, 445000011) && !find(&rs, 667000012), "ship: no row for its later MMSIs");
    CHECK(fs && rs.n == 5, "ship: 5 vessels (the ship, its partner, the clone's MMSI, the two sharing an IMO), got %zu",
          rs.n);
    const rpt_vessel *cv = fs ? find(&rs, 412000020) : NULL;
    CHECK(cv && cv->nmmsis == 1 && near(cv->score, 20.0), "clone: one MMSI, its own score");
    CHECK(fs && find(&rs, 412000021) && find(&rs, 412000022) && find(&rs, 412000021)->nmmsis == 1,
          "imo_shared: two vessels");
    if (fs)
        rpt_ranking_free(&rs);
    fnd_set_free(fs);

    /* a finding without an event never reaches the score: the reader refuses it */
    fnd_set *broken = fnd_set_new();
    char why[160] = "";
    const char *noevent = "{\"mmsi\":412000001}";
    CHECK(broken && fnd_read_line(broken, noevent, strlen(noevent), why, sizeof why) == PEL_ERR_FORMAT &&
              broken->n == 0,
          "no event: refused (%s)", why);
    fnd_set_free(broken);

    /* the UTF-8 cleaner */
    char *c = esc_utf8_dup("A\xff"
                           "B\xc3\xa9\xe2\x80\xa8\xed\xa0\x80",
                           11);
    CHECK(c && !strcmp(c, "A\xef\xbf\xbd"
                          "B\xc3\xa9\xe2\x80\xa8\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"),
          "cleaned: %s", c ? c : "(null)");
    free(c);

    fnd_set_free(f);
    printf("risk: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
