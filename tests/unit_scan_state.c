/*
 * unit_scan_state.c -- what a scan keeps for the next (src/scan/scan_state.c):
 * a vessel's cuts hold while the positions before them are as they were
 * and fall when any of them changes (a coordinate, a segment, a position
 * added before), its raw checkpoints tell from when on its positions are
 * new, and a state kept with other settings or geography is not taken.
 * Prints "unit_scan_state: N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "detect/detectors.h"
#include "scan/scan_state.h"

#define MMSI 412000001u
#define N 200
#define T0 1700000000000LL
#define STEP 1800000LL /* half an hour: 48 a day, N about four days */

static char dir[] = "/tmp/unit_scan_state.XXXXXX";

static void track(pel_position *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        p[i] = (pel_position){.mmsi = MMSI,
                              .t_ms = T0 + (int64_t)i * STEP,
                              .lat = 20000000 + (int32_t)i * 600,
                              .lon = 70000000,
                              .speed = 100,
                              .segment = 0,
                              .input = 1,
                              .line = i + 1};
}

static bool never(const fnd_set *s, size_t i) {
    (void)s;
    (void)i;
    return false;
}

/* Keeps a state of one vessel with cuts at 50, 120 and 190 under print. */
static void keep(pel_store *s, uint64_t print, const pel_position *p, size_t n) {
    size_t cuts[] = {190, 120, 50};
    size_t *link = det_vessel_chains(p, n);
    scan_state_new *w = scan_state_new_make(print, p[0].t_ms, p[n - 1].t_ms);
    fnd_set *set = fnd_set_new();
    CHECK(link && w && set, "out of memory");
    scan_state_begin(w, MMSI, p, n);
    scan_state_end(w, p, n, link, cuts, 3);
    pel_error err = {0};
    /* a run of close steps over the cut at 120 (and one that ended long before the earliest cut) */
    scan_span sp[2] = {{.mmsi = MMSI, .partner = 7, .from_ms = p[2].t_ms, .to_ms = p[5].t_ms},
                       {.mmsi = MMSI, .partner = 9, .from_ms = p[110].t_ms, .to_ms = p[130].t_ms}};
    /* a gap left out as a hole in the data */
    scan_span hole = {.mmsi = MMSI, .from_ms = p[60].t_ms, .to_ms = p[61].t_ms};
    CHECK(scan_state_save(w, set, never, 2, sp, 2, &hole, 1, NULL, s, NULL, &err) == PEL_OK, "saving: %s", err.msg);
    fnd_set_free(set);
    scan_state_new_free(w);
    free(link);
}

/* The valid cuts of p under the state, as "a,b,c". */
static void cuts_of(scan_state *st, const pel_position *p, size_t n, char *out, size_t cap) {
    size_t *link = det_vessel_chains(p, n), v[SCAN_STATE_CUTS];
    unsigned fl[SCAN_STATE_CUTS];
    size_t m = st && link ? scan_state_cuts(st, MMSI, p, n, link, v, fl) : 0;
    out[0] = 0;
    for (size_t k = 0; k < m; k++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%zu%s", k ? "," : "", v[k],
                 fl[k] & SCAN_CUT_ENCOUNTER ? "" : "r");
    free(link);
}

static void count_span(void *ud, const scan_span *x) {
    int *n = ud;
    *n += x->partner == 9 ? 1 : 100;
}

static void count_hole(void *ud, const scan_span *x) {
    int *n = ud;
    *n += x->mmsi == MMSI && x->partner == 0 && x->from_ms == T0 + 60 * STEP && x->to_ms == T0 + 61 * STEP ? 1 : 100;
}

int main(void) {
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char path[256];
    snprintf(path, sizeof path, "%s/s.db", dir);
    pel_error err = {0};
    pel_store *s = pel_store_open(path, false, &err);
    CHECK(s != NULL, "open: %s", err.msg);
    if (!s)
        return 1;
    static pel_position p[N + 10], q[N + 10];
    track(p, N);
    keep(s, 42, p, N);

    scan_state *st = scan_state_load(s, 43);
    CHECK(st == NULL, "a state kept under another fingerprint is not taken");
    scan_state_free(st);
    st = scan_state_load(s, 42);
    CHECK(st != NULL, "the state kept is taken");
    if (st) {
        const scan_state_info *in = scan_state_about(st);
        CHECK(in->data_start_ms == T0 && in->data_end_ms == T0 + (N - 1) * STEP && in->vessels == 2,
              "its span and vessels");
    }
    char got[64];

    cuts_of(st, p, N, got, sizeof got);
    CHECK(!strcmp(got, "190,120r,50"), "the same track: every cut holds, 120 within a run (got %s)", got);
    int nsp = 0;
    scan_state_spans(st, MMSI, count_span, &nsp);
    CHECK(nsp == 1, "the run over a cut kept, the one before the earliest cut not (%d)", nsp);
    int nholes = 0;
    scan_state_holes(st, MMSI, count_hole, &nholes);
    CHECK(nholes == 1, "the gap left out as a hole kept, as it was (%d)", nholes);
    CHECK(scan_state_news(st, MMSI, p, N) == INT64_MAX, "the same track: nothing new");

    /* positions added after the end: every cut holds, the new ones are new */
    track(q, N + 10);
    cuts_of(st, q, N + 10, got, sizeof got);
    CHECK(!strcmp(got, "190,120r,50"), "positions added after: every cut holds (got %s)", got);
    CHECK(scan_state_news(st, MMSI, q, N + 10) == q[N].t_ms, "positions added after: the first of them is new");

    /* a coordinate changed at 100: the cuts after it fall */
    memcpy(q, p, sizeof p);
    q[100].lat += 1;
    cuts_of(st, q, N, got, sizeof got);
    CHECK(!strcmp(got, "50"), "a coordinate changed before 120: only the cut at 50 holds (got %s)", got);
    int64_t nw = scan_state_news(st, MMSI, q, N);
    CHECK(nw <= q[100].t_ms, "a coordinate changed: new from a checkpoint before it (%lld)", (long long)nw);

    /* the cut's own position changed: that cut falls */
    memcpy(q, p, sizeof p);
    q[120].speed = 50;
    cuts_of(st, q, N, got, sizeof got);
    CHECK(!strcmp(got, "50"), "the cut's own position changed: it falls (got %s)", got);

    /* a segment renumbered before 50 (a track rebuilt): every cut falls */
    memcpy(q, p, sizeof p);
    for (size_t i = 10; i < N; i++)
        q[i].segment = 1;
    cuts_of(st, q, N, got, sizeof got);
    CHECK(!strcmp(got, ""), "segments renumbered from 10: no cut holds (got %s)", got);

    /* a position inserted at 60 (a late one): the cuts after it fall */
    memcpy(q, p, 60 * sizeof *p);
    q[60] = p[59];
    q[60].t_ms += STEP / 2;
    q[60].line = 9999;
    memcpy(q + 61, p + 60, (N - 60) * sizeof *p);
    cuts_of(st, q, N + 1, got, sizeof got);
    CHECK(!strcmp(got, "50"), "a position inserted at 60: only the cut at 50 holds (got %s)", got);
    CHECK(scan_state_news(st, MMSI, q, N + 1) <= q[60].t_ms, "a position inserted: new from before it");

    /* a vessel the state does not know: all of it is new, no cut */
    CHECK(scan_state_news(st, MMSI + 1, p, N) == p[0].t_ms, "an unknown vessel: new from its first position");

    scan_state_free(st);
    pel_store_close(s);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "unit_scan_state: cannot remove %s\n", dir);
    printf("unit_scan_state: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
