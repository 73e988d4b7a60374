/*
 * resume_check.c -- the resume contract of the per-vessel detectors
 * (det_resume, src/detect/detectors.h): a detector run from a position its
 * run over the whole track left quiet emits exactly the whole run's
 * findings that start there or later, and the whole run's others all end
 * before it.  The seam of incremental detection (docs/incremental.md).
 *
 *   resume_check DB...     every vessel of every database (ingested by
 *                         tests/resume_test.sh from the shipped scenarios
 *                         and the recorded feeds), with the shipped
 *                         geography (data/: ports, zones, the land mask)
 *
 * Per vessel and detector (loitering, port visits, zone stays, gaps as the
 * vessel pass finds them -- before the feed's judgement -- and on-land runs
 * with land crossings): the whole run, marking its busy steps; then runs
 * from up to SAMPLES quiet positions spread over the track (always the
 * last), each held to the contract.  Also checked: a detector marks no
 * step before its start, and a run from 0 with marks equals one without.
 * Prints "resume_check: N passed, M failed" and, per detector, how many
 * positions were quiet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "detect/detectors.h"
#include "findings/write.h"
#include "pelorus.h"
#include "scan/scan_geo.h"
#include "store/store.h"

#define SAMPLES 6

enum { R_LOITER, R_PORT, R_ZONE, R_GAP, R_LAND, R__COUNT };
static const char *const names[R__COUNT] = {"loitering", "port_visit", "zone_entry", "gap", "land"};

typedef struct ctx {
    pel_store *s;
    det_geo geo;
    det_opts opts[DET__COUNT];
    det_gap_context gctx;
    pel_position *use;
    size_t cap;
    uint8_t *busy;
    size_t bcap;
    unsigned long quiet[R__COUNT], steps[R__COUNT], resumed[R__COUNT];
    unsigned long vessels;
} ctx;

static double draught(void *ud, uint32_t mmsi, int64_t t, bool before) {
    return st_draught_near(((ctx *)ud)->s, mmsi, t, before);
}

/* One run of detector d over p[0, n) from r (NULL: whole), into a fresh set. */
static fnd_set *run(ctx *c, int d, uint32_t mmsi, const pel_position *p, size_t n, const det_resume *r) {
    fnd_set *s = fnd_set_new();
    if (!s)
        return NULL;
    switch (d) {
    case R_LOITER:
        det_loiter_track((const det_loiter_opts *)&c->opts[DET_LOITERING], &c->geo, mmsi, p, n, r, fnd_set_push, s);
        break;
    case R_PORT:
        det_port_track((const det_port_opts *)&c->opts[DET_PORT_VISIT], &c->geo, mmsi, p, n, r, fnd_set_push, s);
        break;
    case R_ZONE:
        det_zone_track((const det_zone_opts *)&c->opts[DET_ZONE_ENTRY], &c->geo, mmsi, p, n, r, fnd_set_push, s, NULL,
                       NULL);
        break;
    case R_GAP:
        det_gap_track((const det_gap_opts *)&c->opts[DET_GAP], &c->geo, &c->gctx, mmsi, p, n, r, fnd_set_push, s);
        break;
    case R_LAND:
        det_pos_land_track((const det_pos_opts *)&c->opts[DET_POSITION], &c->geo, mmsi, p, n, r, fnd_set_push, s);
        break;
    }
    return s;
}

/* The findings of s as JSON lines, in the set's canonical order. */
static char **lines(fnd_set *s, size_t *n) {
    fnd_set_sort(s);
    *n = fnd_set_count(s);
    char **v = calloc(*n ? *n : 1, sizeof *v);
    for (size_t i = 0; v && i < *n; i++)
        v[i] = fnd_json_line(s, i);
    return v;
}

static void free_lines(char **v, size_t n) {
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

/* Holds detector d to the contract on one vessel's track. */
static void vessel_detector(ctx *c, int d, uint32_t mmsi, const pel_position *p, size_t n) {
    memset(c->busy, 0, n);
    det_resume whole = {.from = 0, .busy = c->busy};
    fnd_set *all = run(c, d, mmsi, p, n, &whole), *plain = run(c, d, mmsi, p, n, NULL);
    if (!all || !plain) {
        CHECK(0, "out of memory");
        fnd_set_free(all);
        fnd_set_free(plain);
        return;
    }
    size_t na, np;
    char **la = lines(all, &na), **lp = lines(plain, &np);
    bool same = na == np;
    for (size_t i = 0; same && i < na; i++)
        same = la[i] && lp[i] && !strcmp(la[i], lp[i]);
    CHECK(same, "%s %09u: marking busy steps changed the findings", names[d], mmsi);
    CHECK(!c->busy[0], "%s %09u: busy before its first position", names[d], mmsi);
    /* the quiet positions that may be resumed from */
    size_t nq = 0;
    for (size_t i = 1; i < n; i++)
        if (!c->busy[i] && p[i].t_ms > p[i - 1].t_ms)
            nq++;
    c->quiet[d] += nq;
    c->steps[d] += n - 1;
    size_t taken = 0, seen = 0, want = nq < SAMPLES ? nq : SAMPLES;
    for (size_t i = 1; i < n && taken < want; i++) {
        if (c->busy[i] || p[i].t_ms <= p[i - 1].t_ms)
            continue;
        seen++;
        /* spread over the quiet positions, the last always */
        if (seen != nq && (seen - 1) * want / nq == seen * want / nq)
            continue;
        taken++;
        int64_t t = p[i].t_ms;
        uint8_t *b2 = calloc(n, 1);
        det_resume r = {.from = i, .busy = b2};
        fnd_set *part = run(c, d, mmsi, p, n, &r);
        if (!part || !b2) {
            CHECK(0, "out of memory");
            fnd_set_free(part);
            free(b2);
            continue;
        }
        bool before = true;
        for (size_t k = 0; k <= i; k++)
            before = before && !b2[k];
        CHECK(before, "%s %09u from %zu: a step marked busy at or before the start", names[d], mmsi, i);
        /* the resumed run's marks are the whole run's after the start */
        bool marks = true;
        for (size_t k = i + 1; k < n; k++)
            marks = marks && b2[k] == c->busy[k];
        CHECK(marks, "%s %09u from %zu: the marks after the start differ from the whole run's", names[d], mmsi, i);
        free(b2);
        size_t nr;
        char **lr = lines(part, &nr);
        /* the whole run's findings from t on, in order, and none before
         * t that ends at t or later */
        size_t k = 0;
        bool ok = true;
        for (size_t a = 0; a < na; a++) {
            fnd_key key = fnd_set_key(all, a);
            if (key.start_ms < t) {
                CHECK(key.end_ms < t, "%s %09u from %zu: a finding spans the quiet position: %.300s", names[d], mmsi, i,
                      la[a]);
                continue;
            }
            if (k >= nr || !lr[k] || !la[a] || strcmp(lr[k], la[a])) {
                ok = false;
                printf("  %s %09u from %zu (t %lld): whole run: %.400s\n  resumed: %.400s\n", names[d], mmsi, i,
                       (long long)t, la[a] ? la[a] : "?", k < nr && lr[k] ? lr[k] : "(none)");
                break;
            }
            k++;
        }
        if (ok && k != nr) {
            ok = false;
            printf("  %s %09u from %zu: the resumed run has more: %.400s\n", names[d], mmsi, i, lr[k] ? lr[k] : "?");
        }
        CHECK(ok, "%s %09u from %zu: the resumed run's findings are not the whole run's from there", names[d], mmsi, i);
        c->resumed[d]++;
        free_lines(lr, nr);
        fnd_set_free(part);
    }
    free_lines(la, na);
    free_lines(lp, np);
    fnd_set_free(all);
    fnd_set_free(plain);
}

static int on_vessel(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    (void)name;
    ctx *c = ud;
    if (n > c->cap) {
        pel_position *nu = realloc(c->use, n * sizeof *nu);
        uint8_t *nb = realloc(c->busy, n);
        if (!nu || !nb) {
            free(nu ? nu : c->use);
            free(nb ? nb : c->busy);
            c->use = NULL;
            c->busy = NULL;
            c->cap = 0;
            CHECK(0, "out of memory");
            return 1;
        }
        c->use = nu;
        c->busy = nb;
        c->cap = n;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].segment >= 0)
            c->use[k++] = p[i];
    pel_mmsi_kind mk = pel_mmsi_classify(mmsi);
    if (!k || mk == PEL_MMSI_ZERO || mk == PEL_MMSI_PLACEHOLDER)
        return 0;
    c->vessels++;
    for (int d = 0; d < R__COUNT; d++)
        vessel_detector(c, d, mmsi, c->use, k);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: resume_check DB...\n");
        return 2;
    }
    pel_error err = {0};
    scan_geo *g = NULL;
    if (scan_geo_load("data", NULL, &g, &err) != PEL_OK) {
        fprintf(stderr, "resume_check: the geography: %s\n", err.msg);
        return 1;
    }
    ctx c = {.geo = scan_geo_det(g)};
    if (det_settings_apply(c.opts, NULL, 0, &err) != PEL_OK) {
        fprintf(stderr, "resume_check: %s\n", err.msg);
        return 1;
    }
    for (int a = 1; a < argc; a++) {
        c.s = pel_store_open(argv[a], true, &err);
        CHECK(c.s != NULL, "%s: %s", argv[a], err.msg);
        if (!c.s)
            continue;
        int64_t first = 0, last = 0;
        st_data_span(c.s, &first, &last);
        c.gctx = (det_gap_context){.draught_at = draught, .data_end_ms = last, .ud = &c};
        pel_track_filter all = {0};
        CHECK(st_tracks_unnamed(c.s, &all, on_vessel, &c, &err) == PEL_OK, "%s: %s", argv[a], err.msg);
        pel_store_close(c.s);
    }
    for (int d = 0; d < R__COUNT; d++)
        printf("resume_check: %-10s %lu of %lu steps quiet, %lu resumed runs\n", names[d], c.quiet[d], c.steps[d],
               c.resumed[d]);
    printf("resume_check: %lu vessels\n", c.vessels);
    free(c.use);
    free(c.busy);
    scan_geo_free(g);
    printf("resume_check: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
