/*
 * unit_eval.c -- pel_eval against the hand-written truth/findings pairs in
 * tests/data/eval/: exact counts for each matching rule (docs/evaluation.md),
 * the NaN rows, format errors naming file:line, and the greedy assignment
 * and the written report being the same from run to run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pelorus.h"

#define FIX "tests/data/eval/"

/* Runs pel_eval on FIX name.truth.jsonl and FIX name.findings.jsonl; the
 * written report goes to *text (malloc'd, caller frees) when text != NULL. */
static pel_status run(const char *name, double slack_s, pel_eval_result *res, pel_error *err, char **text) {
    char t[256], f[256];
    snprintf(t, sizeof t, FIX "%s.truth.jsonl", name);
    snprintf(f, sizeof f, FIX "%s.findings.jsonl", name);
    pel_eval_opts o = {.slack_s = slack_s};
    char *buf = NULL;
    size_t len = 0;
    FILE *out = text ? open_memstream(&buf, &len) : NULL;
    pel_status s = pel_eval(t, f, &o, out, res, err);
    if (out) {
        fclose(out);
        *text = buf;
    }
    return s;
}

static const pel_eval_row *row(const pel_eval_result *r, const char *event) {
    if (!strcmp(event, "all"))
        return &r->all;
    for (size_t i = 0; i < r->nrows; i++)
        if (!strcmp(r->rows[i].event, event))
            return &r->rows[i];
    return NULL;
}

/* The row exists and has exactly these counts. */
static bool counts(const pel_eval_result *r, const char *event, unsigned truth, unsigned found, unsigned tp,
                   unsigned fp, unsigned fn) {
    const pel_eval_row *w = row(r, event);
    if (!w) {
        printf("  no row %s\n", event);
        return false;
    }
    if (w->truth == truth && w->found == found && w->tp == tp && w->fp == fp && w->fn == fn)
        return true;
    printf("  %s: truth %llu found %llu tp %llu fp %llu fn %llu\n", event, (unsigned long long)w->truth,
           (unsigned long long)w->found, (unsigned long long)w->tp, (unsigned long long)w->fp,
           (unsigned long long)w->fn);
    return false;
}

static bool near(double a, double b) {
    return fabs(a - b) < 1e-9;
}

static void test_perfect(void) {
    pel_eval_result r;
    pel_error err = {0};
    CHECK(run("perfect", 0, &r, &err, NULL) == PEL_OK, "perfect: %s", err.msg);
    CHECK(r.nrows == 3, "perfect: %zu rows", r.nrows);
    CHECK(counts(&r, "encounter", 1, 1, 1, 0, 0), "perfect encounter");
    CHECK(counts(&r, "gap", 1, 1, 1, 0, 0), "perfect gap");
    CHECK(counts(&r, "spoofing", 1, 1, 1, 0, 0), "perfect spoofing");
    CHECK(counts(&r, "all", 3, 3, 3, 0, 0), "perfect all");
    CHECK(near(r.all.precision, 1) && near(r.all.recall, 1) && near(r.all.f1, 1), "perfect scores");
    /* rows sorted by event name */
    CHECK(r.nrows == 3 && !strcmp(r.rows[0].event, "encounter") && !strcmp(r.rows[1].event, "gap") &&
              !strcmp(r.rows[2].event, "spoofing"),
          "rows sorted");
    /* res and out may be NULL */
    CHECK(run("perfect", 0, NULL, NULL, NULL) == PEL_OK, "NULL result and error");
}

static void test_errors(void) {
    pel_eval_result r;
    pel_error err = {0};
    char *text = NULL;
    CHECK(run("errors", 0, &r, &err, &text) == PEL_OK, "errors: %s", err.msg);
    /* gap: one found, one missed */
    CHECK(counts(&r, "gap", 2, 1, 1, 0, 1), "a miss");
    const pel_eval_row *g = row(&r, "gap");
    CHECK(g && near(g->precision, 1) && near(g->recall, 0.5) && near(g->f1, 2.0 / 3), "miss scores");
    /* loitering found on the wrong vessel: a false alarm and a miss */
    CHECK(counts(&r, "loitering", 1, 1, 0, 1, 1), "wrong vessel");
    const pel_eval_row *l = row(&r, "loitering");
    CHECK(l && l->precision == 0 && l->recall == 0 && l->f1 == 0, "wrong vessel scores 0");
    /* port_visit: found, no truth at all: precision 0, recall 0/0, F1 0 */
    CHECK(counts(&r, "port_visit", 0, 1, 0, 1, 0), "a false alarm");
    const pel_eval_row *p = row(&r, "port_visit");
    CHECK(p && p->precision == 0 && isnan(p->recall) && p->f1 == 0, "false alarm scores");
    CHECK(counts(&r, "all", 3, 3, 1, 2, 2), "errors all");
    const char *want =
        "event             truth  found     tp     fp     fn optional_matched precision recall     F1\n"
        "gap                   2      1      1      0      1                0     1.000  0.500  0.667\n"
        "loitering             1      1      0      1      1                0     0.000  0.000  0.000\n"
        "port_visit            0      1      0      1      0                0     0.000      -  0.000\n"
        "all                   3      3      1      2      2                0     0.333  0.333  0.333\n"
        "missed: 2\n"
        "  gap-2  gap  211000011  2024-03-02T00:00:00Z..2024-03-02T13:00:00Z  second gap, never found\n"
        "  loit-1  loitering  211000012  2024-03-01T03:00:00Z..2024-03-01T09:00:00Z  loiters waiting for a dark "
        "partner\n"
        "false alarms: 2\n"
        "  line 2  loitering  211000013  2024-03-01T03:00:00Z..2024-03-01T09:00:00Z\n"
        "  line 3  port_visit  211000014  2024-03-01T10:00:00Z..2024-03-01T12:00:00Z\n";
    CHECK(text && !strcmp(text, want), "errors text:\n%s", text ? text : "(none)");
    free(text);
}

static void test_pairs(void) {
    pel_eval_result r;
    pel_error err = {0};
    char *text = NULL;
    CHECK(run("pairs", 0, &r, &err, &text) == PEL_OK, "pairs: %s", err.msg);
    /* {2,1} matches {1,2}; {3,4} does not match {3,99} */
    CHECK(counts(&r, "encounter", 2, 2, 1, 1, 1), "encounter pair in either order");
    /* imo_shared pair reversed matches; field name vs callsign does not; a change of MMSI
       matches in its order only (211000020 -> 211000021), not reversed (211000023 -> 211000022) */
    CHECK(counts(&r, "identity_change", 4, 4, 2, 2, 2), "identity_change pair and field");
    /* kind impossible_speed vs parallel_segments: no; no kind in truth: any kind */
    CHECK(counts(&r, "spoofing", 2, 2, 1, 1, 1), "spoofing kind");
    /* list differs, ignored */
    CHECK(counts(&r, "watchlist_match", 1, 1, 1, 0, 0), "watchlist list ignored");
    CHECK(counts(&r, "all", 9, 9, 5, 4, 4), "pairs all");
    CHECK(text && strstr(text, "  mmsi-mn  identity_change  211000022/211000023  "),
          "a reversed change of MMSI is missed");
    CHECK(text && strstr(text, "  enc-cd  encounter  211000003/211000004  "), "pair printed as mmsi/mmsi2");
    CHECK(text && strstr(text, "  line 5  spoofing  211000008  2024-03-01T05:00:00Z..2024-03-01T05:10:00Z  "
                               "kind=parallel_segments\n"),
          "false alarm names its kind");
    CHECK(text && strstr(text, "  line 4  identity_change  211000007  2024-03-01T08:00:00Z..2024-03-01T08:00:00Z  "
                               "field=callsign\n"),
          "false alarm names its field");
    free(text);
}

static void test_partners(void) {
    pel_eval_result r;
    pel_error err = {0};
    char *text = NULL;
    CHECK(run("partners", 0, &r, &err, &text) == PEL_OK, "partners: %s", err.msg);
    /* a truth that names a dark partner matches only a loitering listing it (among others);
     * a truth without one matches any */
    CHECK(counts(&r, "loitering", 4, 4, 2, 2, 2), "loitering partners");
    CHECK(text && strstr(text, "  loi-b  loitering  211000003  2024-03-01T10:00:00Z..2024-03-01T18:00:00Z  "
                               "possible_partner=445000004  "),
          "the missed names the partner: %s", text ? text : "");
    CHECK(text &&
              strstr(text, "  line 2  loitering  211000003  2024-03-01T10:00:00Z..2024-03-01T18:00:00Z  "
                           "possible_partners=412000009\n") &&
              strstr(text, "  line 3  loitering  211000005  2024-03-01T10:00:00Z..2024-03-01T18:00:00Z\n"),
          "the false alarms list theirs");
    free(text);
}

static void test_slack(void) {
    pel_eval_result r;
    pel_error err = {0};
    char *text = NULL;
    /* default 1 h: 13:00:00 touches 12:00 + 1 h, 13:00:01 does not */
    CHECK(run("slack", 0, &r, &err, &text) == PEL_OK, "slack: %s", err.msg);
    CHECK(counts(&r, "gap", 2, 2, 1, 1, 1), "gap just inside and just outside the slack");
    CHECK(text && strstr(text, "missed: 1\n  out  gap  211000021"), "the one outside is missed");
    CHECK(counts(&r, "port_visit", 1, 1, 1, 0, 0), "an instant half an hour after the finding");
    free(text);
    /* explicit 3600 is the default */
    pel_eval_result r2;
    CHECK(run("slack", 3600, &r2, &err, NULL) == PEL_OK && counts(&r2, "all", 3, 3, 2, 1, 1), "3600 = default");
    /* half an hour: none match */
    CHECK(run("slack", 1800, &r2, &err, NULL) == PEL_OK && counts(&r2, "all", 3, 3, 0, 3, 3), "slack 1800");
    /* 1.0005 h: the second gap too */
    CHECK(run("slack", 3601, &r2, &err, NULL) == PEL_OK && counts(&r2, "all", 3, 3, 3, 0, 0), "slack 3601");
    /* a bad slack is the caller's error */
    CHECK(run("slack", -1, &r2, &err, NULL) == PEL_ERR_ARG && err.code == PEL_ERR_ARG, "negative slack");
}

static void test_double(void) {
    pel_eval_result r;
    pel_error err = {0};
    char *text = NULL;
    CHECK(run("double", 0, &r, &err, &text) == PEL_OK, "double: %s", err.msg);
    CHECK(counts(&r, "loitering", 1, 2, 1, 1, 0), "one truth, two findings: 1 tp, 1 fp");
    /* the first finding overlaps the widened truth by 4 h, the second by 5.5 h and wins */
    CHECK(text && strstr(text, "false alarms: 1\n  line 1  loitering"), "the smaller overlap is the false alarm");
    free(text);
}

static void test_optional(void) {
    pel_eval_result r;
    pel_error err = {0};
    char *text = NULL;
    CHECK(run("optional", 0, &r, &err, &text) == PEL_OK, "optional: %s", err.msg);
    /* gap: the planned one found; the optional one found (not a tp, not an
     * fp); the other optional not found (not a miss) */
    CHECK(counts(&r, "gap", 1, 1, 1, 0, 0), "optional matched and unmatched");
    /* port_visit: optional truth only, its finding matched: a row of 0/0 */
    CHECK(counts(&r, "port_visit", 0, 0, 0, 0, 0), "optional-only row");
    const pel_eval_row *p = row(&r, "port_visit");
    CHECK(p && isnan(p->precision) && isnan(p->recall) && isnan(p->f1), "optional-only row is NaN");
    /* zone_entry: truth, nothing found: precision 0/0 */
    CHECK(counts(&r, "zone_entry", 1, 0, 0, 0, 1), "missed event");
    const pel_eval_row *z = row(&r, "zone_entry");
    CHECK(z && isnan(z->precision) && z->recall == 0 && z->f1 == 0, "missed event scores");
    /* spoofing: found, no truth: recall 0/0 */
    const pel_eval_row *s = row(&r, "spoofing");
    CHECK(s && s->precision == 0 && isnan(s->recall) && s->f1 == 0, "false-alarm event scores");
    CHECK(r.nrows == 4, "rows for counted truth or findings only: %zu", r.nrows);
    CHECK(counts(&r, "all", 2, 2, 1, 1, 1), "optional all");
    CHECK(text && strstr(text, "\ngap                   1      1      1      0      0                1     1.000  "
                               "1.000  1.000\n"),
          "optional_matched column");
    CHECK(text && strstr(text, "\nport_visit            0      0      0      0      0                1         -"
                               "      -      -\n"),
          "NaN printed as -");
    CHECK(text && strstr(text, "\nall                   2      2      1      1      1                2"),
          "optional_matched summed");
    CHECK(text && !strstr(text, "gap-inc"), "optional items never listed as missed");
    free(text);
}

static void test_greedy(void) {
    pel_eval_result r;
    pel_error err = {0};
    char *a = NULL, *b = NULL;
    CHECK(run("greedy", 0, &r, &err, &a) == PEL_OK, "greedy: %s", err.msg);
    CHECK(counts(&r, "gap", 2, 2, 1, 1, 1), "greedy by largest overlap, not maximum matching");
    CHECK(a && strstr(a, "  T2  gap") && strstr(a, "  line 2  gap"), "T1 took F1; T2 missed, F2 false");
    CHECK(counts(&r, "loitering", 2, 1, 1, 0, 1), "tie");
    CHECK(a && strstr(a, "  T4  loitering") && !strstr(a, "  T3  loitering"), "tie: file order wins");
    CHECK(run("greedy", 0, &r, &err, &b) == PEL_OK && a && b && !strcmp(a, b), "same bytes twice");
    free(a);
    free(b);
}

/* A format error: PEL_ERR_FORMAT, the message starting with "path:line: ". */
static void format_error(const char *truth, const char *findings, const char *where) {
    pel_error err = {0};
    pel_eval_result r;
    r.nrows = 99;
    pel_status s = pel_eval(truth, findings, NULL, NULL, &r, &err);
    CHECK(s == PEL_ERR_FORMAT && err.code == PEL_ERR_FORMAT, "%s: status %d", where, (int)s);
    CHECK(!strncmp(err.msg, where, strlen(where)), "message names %s: %s", where, err.msg);
    CHECK(r.nrows == 0, "result zeroed on error");
}

static void test_malformed(void) {
    format_error(FIX "bad-shape.truth.jsonl", FIX "perfect.findings.jsonl", FIX "bad-shape.truth.jsonl:3: ");
    format_error(FIX "bad-end.truth.jsonl", FIX "perfect.findings.jsonl", FIX "bad-end.truth.jsonl:1: ");
    format_error(FIX "perfect.truth.jsonl", FIX "bad-json.findings.jsonl", FIX "bad-json.findings.jsonl:2: ");
    format_error(FIX "perfect.truth.jsonl", FIX "bad-mmsi.findings.jsonl", FIX "bad-mmsi.findings.jsonl:1: ");
    format_error(FIX "perfect.truth.jsonl", FIX "bad-time.findings.jsonl", FIX "bad-time.findings.jsonl:1: ");
    format_error(FIX "perfect.truth.jsonl", FIX "bad-order.findings.jsonl", FIX "bad-order.findings.jsonl:2: ");
    pel_error err = {0};
    CHECK(pel_eval(FIX "no-such.jsonl", FIX "perfect.findings.jsonl", NULL, NULL, NULL, &err) == PEL_ERR_IO &&
              strstr(err.msg, "no-such.jsonl"),
          "missing file: %s", err.msg);
    /* empty files: no rows, "all" is 0/0 */
    pel_eval_result r;
    CHECK(pel_eval("/dev/null", "/dev/null", NULL, NULL, &r, &err) == PEL_OK && r.nrows == 0 && isnan(r.all.f1) &&
              !strcmp(r.all.event, "all"),
          "empty files");
}

int main(void) {
    test_perfect();
    test_errors();
    test_pairs();
    test_partners();
    test_slack();
    test_double();
    test_optional();
    test_greedy();
    test_malformed();
    printf("unit_eval: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
