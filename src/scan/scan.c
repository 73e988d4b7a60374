/*
 * scan.c -- pelorus scan's driver: every detector of the table
 * (detectors.h) over the whole store.
 *
 * The settings are applied to each detector's options (det_settings_apply)
 * before anything is read.  The links between MMSIs (det_link.c, with the
 * identity row's settings) are resolved first, for every detector to see
 * (det_env.links).  Then, in table order: every detector's begin;
 * vessel by vessel (in MMSI order) the usable positions (segment >= 0) to
 * every detector's vessel hook -- fishing gear to none, MMSI 0 and the
 * shared defaults only to those that take every MMSI (spoofing signs);
 * every detector's finish (encounters paired, gaps judged against the
 * feed, identities, screening); every cleanup.  Each detector's findings go
 * through its own sink (det_push), which refuses a kind its row does not
 * declare; the set is then checked once more (a finding that came by no
 * sink), sorted into the canonical order and handed back in memory
 * (pel_scan_findings) or written (pel_scan), so the output depends only on
 * the store and the settings.  pel_scan's set spills (fnd_set_spill): the
 * findings go to a temporary file as they come and are written from it one
 * at a time, so its memory grows by an index entry (at most 48 bytes) a finding,
 * not by the findings (about 1.5 KiB each).
 *
 * pel_scan also hands a whole-store scan's findings, as written, to the
 * store's findings layer (st_findings_replace: PostgreSQL's PostGIS table
 * findings, replaced whole; nothing on SQLite or a store opened read-only).
 *
 * The scan is a stage of its own, above detect/ and screen/, which know
 * nothing of each other: the geography is scan_geo.c's, the screening
 * row's work scan_screen.c's (handed to the table through det_env);
 * everything a detector needs beyond them is in its own file.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/detectors.h"
#include "findings/write.h"
#include "scan_geo.h"
#include "scan_review.h"
#include "scan_screen.h"
#include "scan_state.h"
#include "store/store.h"
#include "util/fail.h"
#include "util/mix.h"
#include "util/tmpfd.h"
#include "util/xsort.h"

/* A vessel's cut for the encounter row. */
typedef struct enc_cut {
    uint32_t mmsi;
    int64_t t_ms; /* INT64_MIN: its track is paired whole */
} enc_cut;

typedef struct scan {
    det_env env;
    const pel_scan_opts *o;
    pel_position *prev; /* a vessel's last position before the period */
    size_t prevcap;
    det_call call[DET__COUNT];
    det_sink sink[DET__COUNT];
    pel_position *use; /* the usable positions of the vessel being read */
    size_t usecap;
    uint32_t *gearv; /* the MMSIs that broadcast a name of fishing gear, ascending (gear_read) */
    size_t ngear, gearcap;
    uint64_t vessels;
    uint64_t gear;         /* vessels left out as fishing gear */
    det_rdv_gaps gap_ends; /* det_env.gap_ends */
    /* incremental (docs/incremental.md; whole-store scans only): the last
     * scan's state (NULL: judge every track whole), this scan's (NULL: none
     * kept), the earliest position the last may not have seen, whether its
     * judged gaps may be kept, each vessel's busy steps and resume points */
    scan_state *old;
    scan_state_new *keep;
    int64_t news_ms;
    int64_t cov_news_ms; /* the first hour whose coverage changed since the last scan (scan_state_cov_news) */
    bool keep_gaps;
    uint8_t *busy;
    size_t busycap;
    det_resume resume, resume_gap;
    size_t *cand; /* a vessel's quiet positions, for its cuts */
    size_t candcap;
    uint64_t heard; /* vessels the gap row judged (its "feed of several vessels") */
    /* the encounter row (docs/incremental.md, "Encounters"): each vessel's
     * cut time (INT64_MIN: whole), the runs of close steps (the last scan's
     * kept, then the pairing's), the encounters kept waiting for both their
     * vessels' cuts */
    det_resume resume_enc;
    enc_cut *ecut;
    size_t necut, capecut;
    scan_span *spans, *oldspans;
    size_t nspans, capspans, noldspans, capoldspans;
    scan_span *holes; /* the gaps left out as holes in the data: the last scan's kept, then the gap row's */
    size_t nholes, capholes;
    fnd_bytes enc_kept;
    size_t nenc_kept;
    bool enc_nomem;
    /* a row whose findings could not be read: the encounters it held (those
     * with the vessels of higher MMSI) are lost, so every vessel after it
     * is paired whole */
    bool enc_lost;
} scan;

/* ---- incremental ------------------------------------------------------------------------- */

/* A whole-store scan keeps a state for the next (scan_state.c), and judges
 * each vessel from the latest cut of the last one whose digest its track
 * still has (docs/incremental.md):
 *   - port visits, zone stays and on-land runs (the "resuming" rows) from
 *     that cut, their findings before it kept;
 *   - gaps from a cut before the start of every kept gap whose judgement
 *     could have changed: one whose coverage window (gap.baseline_days
 *     either side) reaches the data the last scan did not see or the end
 *     of its data, or whose draughts read differently now; the others are
 *     kept as judged, their ends handed to the gap row for the loiterings'
 *     partners (det_gap_kept);
 *   - every other detector over the whole track, as always. */
static bool resumes(int d) {
    return d == DET_PORT_VISIT || d == DET_ZONE_ENTRY || d == DET_POSITION;
}

/* The findings the state keeps: the resuming rows' (the position row's
 * on_land and land_crossing only) and the gaps of one MMSI. */
static bool kept_finding(const fnd_set *set, size_t i) {
    fnd_key k = fnd_set_key(set, i);
    if (!strcmp(k.event, "gap"))
        return k.mmsi2 == 0;
    if (!strcmp(k.event, "port_visit") || !strcmp(k.event, "zone_entry") || !strcmp(k.event, "encounter"))
        return true;
    if (strcmp(k.event, "spoofing") != 0)
        return false;
    const fnd_finding *f = fnd_set_get(set, i);
    const char *kind = f ? fnd_get_str(f, "kind") : NULL;
    return kind && (!strcmp(kind, "on_land") || !strcmp(kind, "land_crossing"));
}

/* A fingerprint of what the findings kept were judged with: every
 * detector's settings and the geography's files. */
static uint64_t state_print(const det_opts opts[DET__COUNT], uint64_t geo) {
    uint64_t h = 14695981039346656037u ^ geo;
    /* setting by setting, each as its value: an options struct's padding
     * is no setting, and holds whatever the stack held */
    for (int d = 0; d < DET__COUNT; d++)
        for (size_t k = 0; k < det_table[d].nsettings; k++) {
            const det_setting *st = &det_table[d].settings[k];
            const unsigned char *m = opts[d].b + st->offset;
            double v = 0;
            if (st->type == DET_REAL)
                memcpy(&v, m, sizeof v);
            else if (st->type == DET_INT) {
                int x;
                memcpy(&x, m, sizeof x);
                v = x;
            } else {
                long x;
                memcpy(&x, m, sizeof x);
                v = (double)x;
            }
            uint64_t bits;
            memcpy(&bits, &v, sizeof bits);
            h = (h ^ bits) * 1099511628211u;
            h ^= h >> 29;
        }
    return h;
}

/* The pre-pass: the earliest position the last scan may not have seen. */
static bool is_gear(const scan *c, uint32_t mmsi);

static int on_news(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    (void)name;
    scan *c = ud;
    int64_t t = scan_state_news(c->old, mmsi, p, n);
    /* a vessel now fishing gear, or no longer: its positions left the
     * feed's pulse, or came into it, all of them */
    uint64_t flags;
    if (n && scan_state_flags(c->old, mmsi, &flags) && !(flags & SCAN_VESSEL_GEAR) != !is_gear(c, mmsi) &&
        p[0].t_ms < t)
        t = p[0].t_ms;
    if (t < c->news_ms)
        c->news_ms = t;
    return 0;
}

/* The position of the track p[0, n) (time order) at t with the input and
 * line of e, or NULL. */
static const pel_position *position_of(const pel_position *p, size_t n, int64_t t, const fnd_evidence *e) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (p[m].t_ms < t)
            lo = m + 1;
        else
            hi = m;
    }
    for (; lo < n && p[lo].t_ms == t; lo++)
        if (p[lo].input == e->input && p[lo].line == e->line)
            return &p[lo];
    return NULL;
}

/* A digest of vessel mmsi's voyage reports, what its draughts are read
 * from (st_draught_near): never 0, but when they cannot be read. */
static uint64_t voyages_digest(pel_store *s, uint32_t mmsi) {
    st_iter *it = st_voyages_of(s, mmsi, NULL);
    if (!it)
        return 0;
    uint64_t h = 0;
    st_voyage_row r;
    int rc;
    while ((rc = st_voyage_next(it, &r, NULL)) > 0) /* a sum: their order does not matter */
        h += util_mix(util_mix(util_mix(UTIL_MIX_SEED, (uint32_t)r.draught_dm), (uint64_t)r.first_ms),
                      (uint64_t)r.last_ms);
    st_iter_free(it);
    return rc < 0 ? 0 : h | 1;
}

/* Whether two draughts read the same as written (one decimal; NaN null). */
static bool same_draught(double a, double b) {
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return llround(a * 10) == llround(b * 10);
}

/* One vessel's kept findings, as scan_state_each hands them. */
typedef struct vessel_kept {
    scan *c;
    uint32_t mmsi;
    const pel_position *p;
    size_t n;
    bool cut;             /* the vessel has a valid cut: pass 1 judges its gaps */
    bool draughts;        /* its voyage reports are the last scan's: its gaps' draughts read the same */
    int64_t bound;        /* pass 1: the earliest start of a gap to judge again */
    int64_t r_ms, gap_ms; /* pass 2: the resuming rows' and the gaps' cut times (INT64_MIN: none) */
    pel_status st;
    uint64_t kept;
} vessel_kept;

/* The ends of kept gap f in the track, true when both are there. */
static bool gap_ends_of(const vessel_kept *v, const fnd_finding *f, det_rdv_gap *e) {
    const pel_position *a = f->nev >= 1 ? position_of(v->p, v->n, f->start_ms, &f->ev[0]) : NULL;
    const pel_position *z = f->nev >= 2 ? position_of(v->p, v->n, f->end_ms, &f->ev[1]) : NULL;
    if (!a || !z)
        return false;
    const char *cause = fnd_get_str(f, "cause");
    *e = (det_rdv_gap){
        .mmsi = f->mmsi, .before = *a, .after = *z, .end_ms = f->end_ms, .suspected = fnd_get_bool(f, "suspected")};
    snprintf(e->cause, sizeof e->cause, "%s", cause ? cause : "");
    return true;
}

/* Whether a gap (kept, or left out as a hole) ending at end_ms was judged
 * on nothing that changed since: no data the last scan did not see, no
 * coverage that changed, within reach of its window, which ends before
 * the end of the last scan's data (where the baselines stopped) unless
 * the data ends where it did. */
static bool gap_settled(const scan *c, int64_t end_ms) {
    const det_gap_opts *go = c->call[DET_GAP].opts;
    int64_t reach = (int64_t)llround(go->baseline_days * 86400000.0) + 3600000; /* and a slot's rounding */
    int64_t old_end = scan_state_about(c->old)->data_end_ms;
    return c->keep_gaps && end_ms + reach < c->news_ms && end_ms + reach < c->cov_news_ms &&
           (end_ms + reach < old_end || c->env.data_end_ms == old_end);
}

/* Pass 1: a kept gap whose judgement may have changed bounds the gaps' cut. */
static int kept_bound(void *ud, const fnd_finding *f) {
    vessel_kept *v = ud;
    scan *c = v->c;
    if (!v->cut || strcmp(f->event, "gap") != 0)
        return 0;
    det_rdv_gap e;
    bool same = gap_settled(c, f->end_ms) && fnd_get_bool(f, "open") == 0 && gap_ends_of(v, f, &e) &&
                (v->draughts || (same_draught(st_draught_near(c->env.s, f->mmsi, f->start_ms, true),
                                              fnd_get_num(f, "draught_before_m", NAN)) &&
                                 same_draught(st_draught_near(c->env.s, f->mmsi, f->end_ms, false),
                                              fnd_get_num(f, "draught_after_m", NAN))));
    if (!same && f->start_ms < v->bound)
        v->bound = f->start_ms;
    return 0;
}

/* Pass 2: the findings kept (those before their rows' cut) into the set. */
static int kept_add(void *ud, const fnd_finding *f) {
    vessel_kept *v = ud;
    if (!strcmp(f->event, "encounter")) { /* waits for the other vessel's cut (enc_resolve) */
        fnd_record_put(&v->c->enc_kept, f);
        v->c->nenc_kept++;
        return 0;
    }
    bool gap = !strcmp(f->event, "gap");
    if (f->start_ms >= (gap ? v->gap_ms : v->r_ms))
        return 0;
    if ((v->st = fnd_set_add(v->c->env.found, f)) != PEL_OK)
        return 1;
    v->kept++;
    det_rdv_gap e;
    if (gap && gap_ends_of(v, f, &e) && (v->st = det_gap_kept(&v->c->call[DET_GAP], &e)) != PEL_OK)
        return 1;
    return 0;
}

/* Pass 1, the gaps left out as holes: one that late data may fill (the
 * feed's hours in it, as the gap row's finish counts them) bounds the
 * gaps' cut too. */
static void hole_bound(void *ud, const scan_span *x) {
    vessel_kept *v = ud;
    if (v->cut && !gap_settled(v->c, x->to_ms) && x->from_ms < v->bound)
        v->bound = x->from_ms;
}

static void span_push(scan_span **v, size_t *n, size_t *cap, const scan_span *x, bool *nomem);

/* Pass 2: a hole before the gaps' cut stays one (the gap row judges from
 * the cut on, and tells the holes it finds there: on_hole). */
static void hole_keep(void *ud, const scan_span *x) {
    vessel_kept *v = ud;
    if (x->from_ms >= v->gap_ms)
        return;
    span_push(&v->c->holes, &v->c->nholes, &v->c->capholes, x, &v->c->enc_nomem);
    v->c->env.stats->gaps_in_holes++;
}

/* Appends x to v (n of cap), or says it could not (*nomem). */
static void span_push(scan_span **v, size_t *n, size_t *cap, const scan_span *x, bool *nomem) {
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 256;
        scan_span *nv = realloc(*v, nc * sizeof *nv);
        if (!nv) {
            *nomem = true;
            return;
        }
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = *x;
}

/* det_env.enc_span: a run of close steps the pairing found now. */
static void on_span(void *ud, uint32_t mmsi, uint32_t partner, int64_t from_ms, int64_t to_ms) {
    scan *c = ud;
    scan_span x = {.mmsi = mmsi, .partner = partner, .from_ms = from_ms, .to_ms = to_ms};
    span_push(&c->spans, &c->nspans, &c->capspans, &x, &c->enc_nomem);
}

/* det_env.gap_hole: a gap the gap row's finish left out as a hole. */
static void on_hole(void *ud, uint32_t mmsi, int64_t start_ms, int64_t end_ms) {
    scan *c = ud;
    scan_span x = {.mmsi = mmsi, .from_ms = start_ms, .to_ms = end_ms};
    span_push(&c->holes, &c->nholes, &c->capholes, &x, &c->enc_nomem);
}

/* scan_state_spans: a run the last scan kept, to be judged once every cut
 * is known (enc_resolve). */
static void old_span(void *ud, const scan_span *x) {
    scan *c = ud;
    span_push(&c->oldspans, &c->noldspans, &c->capoldspans, x, &c->enc_nomem);
}

/* The encounter row's cut of vessel mmsi (ecut is by MMSI): its time,
 * INT64_MIN when it is paired whole; false when it is not paired at all. */
static bool enc_cut_of(const scan *c, uint32_t mmsi, int64_t *t) {
    size_t lo = 0, hi = c->necut;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (c->ecut[m].mmsi < mmsi)
            lo = m + 1;
        else
            hi = m;
    }
    if (lo == c->necut || c->ecut[lo].mmsi != mmsi)
        return false;
    *t = c->ecut[lo].t_ms;
    return true;
}

/* Once every vessel is read: a pair's runs before the later of its two
 * cuts are the last scan's, unchanged (no run of the vessel with the later
 * cut spans it) -- its encounters there are kept, its other runs stay
 * known; the pairing finds the rest.  A pair one of whose vessels is paired
 * no more (fishing gear now) keeps nothing.  PEL_OK or the failure. */
static pel_status enc_resolve(scan *c) {
    size_t at = 0;
    void *scratch = NULL;
    size_t cap = 0;
    pel_status st = PEL_OK;
    for (size_t k = 0; k < c->nenc_kept && st == PEL_OK; k++) {
        fnd_finding f;
        if (!fnd_record_get(c->enc_kept.v, c->enc_kept.n, &at, &f, &scratch, &cap)) {
            st = PEL_ERR_NOMEM;
            break;
        }
        int64_t ta, tb;
        if (enc_cut_of(c, f.mmsi, &ta) && enc_cut_of(c, f.mmsi2, &tb) && f.start_ms < (ta > tb ? ta : tb)) {
            if ((st = fnd_set_add(c->env.found, &f)) == PEL_OK)
                c->env.stats->kept++;
        }
    }
    free(scratch);
    for (size_t k = 0; k < c->noldspans && st == PEL_OK; k++) {
        const scan_span *x = &c->oldspans[k];
        int64_t ta, tb;
        if (enc_cut_of(c, x->mmsi, &ta) && enc_cut_of(c, x->partner, &tb) && x->from_ms < (ta > tb ? ta : tb))
            on_span(c, x->mmsi, x->partner, x->from_ms, x->to_ms);
    }
    if (c->enc_nomem || c->enc_kept.nomem)
        st = PEL_ERR_NOMEM;
    return st;
}

static int cmp_span(const void *a, const void *b) {
    const scan_span *x = a, *y = b;
    if (x->mmsi != y->mmsi)
        return x->mmsi < y->mmsi ? -1 : 1;
    return (x->from_ms > y->from_ms) - (x->from_ms < y->from_ms);
}

/* The latest of the n quiet positions q (descending) at or before t_ms,
 * appended to cuts unless there already. */
static void pick_cut(const pel_position *p, const size_t *q, size_t n, int64_t t_ms, size_t *cuts, size_t *ncuts) {
    for (size_t k = 0; k < n; k++)
        if (p[q[k]].t_ms <= t_ms) {
            for (size_t j = 0; j < *ncuts; j++)
                if (cuts[j] == q[k])
                    return;
            cuts[(*ncuts)++] = q[k];
            return;
        }
}

/* The cuts vessel's track p[0, n) leaves for the next scan: its quiet
 * positions -- the valid cuts of the last scan up to the resuming rows'
 * start r, and those after r no resuming row marked busy -- the latest, the
 * latest before each gap whose judgement the next data could change (the
 * data following on, or coming up to a day late), and the latest 2, 4 and 8
 * days before the end (data later still). */
static size_t next_cuts(scan *c, const pel_position *p, size_t n, const size_t *link, const size_t *valid,
                        size_t nvalid, size_t r, size_t *cuts) {
    if (n > c->candcap) {
        size_t *v = realloc(c->cand, n * sizeof *v);
        if (!v)
            return 0;
        c->cand = v;
        c->candcap = n;
    }
    size_t nq = 0;
    for (size_t i = n; i-- > r + 1;)
        if (!c->busy[i] && p[i].t_ms > p[i - 1].t_ms)
            c->cand[nq++] = i;
    for (size_t k = 0; k < nvalid; k++)
        if (valid[k] <= r)
            c->cand[nq++] = valid[k];
    /* the gaps of the track (det_gap_track's: consecutive positions of a
     * chain min_gap_h apart, and the silence after the last position) */
    const det_gap_opts *go = c->call[DET_GAP].opts;
    int64_t min_ms = (int64_t)llround(go->min_gap_h * 3.6e6);
    int64_t reach = (int64_t)llround(go->baseline_days * 86400000.0) + 3600000;
    int64_t end = c->env.data_end_ms > p[n - 1].t_ms ? c->env.data_end_ms : p[n - 1].t_ms;
    int64_t bound[2] = {p[n - 1].t_ms, p[n - 1].t_ms}; /* the next data on time, a day late */
    for (size_t i = 0; i < n; i++) {
        size_t j = link[i];
        if (j == DET_CHAIN_END || p[j].t_ms - p[i].t_ms < min_ms)
            continue;
        for (int m = 0; m < 2; m++)
            if (p[j].t_ms + reach + m * 86400000 >= end && p[i].t_ms < bound[m])
                bound[m] = p[i].t_ms;
    }
    size_t nc = 0;
    pick_cut(p, c->cand, nq, INT64_MAX, cuts, &nc);
    pick_cut(p, c->cand, nq, bound[0], cuts, &nc);
    pick_cut(p, c->cand, nq, bound[1], cuts, &nc);
    for (int d = 2; d <= 8; d *= 2)
        pick_cut(p, c->cand, nq, p[n - 1].t_ms - d * 86400000LL, cuts, &nc);
    return nc;
}

/* A vessel of an incremental scan: its cuts and kept findings, its
 * resuming rows resumed, every row run, its cuts for the next.  PEL_OK or
 * the failure. */
static pel_status vessel_resumed(scan *c, uint32_t mmsi, const pel_position *p, size_t n) {
    if (n > c->busycap) {
        uint8_t *nb = realloc(c->busy, n);
        if (!nb)
            return PEL_ERR_NOMEM;
        c->busy = nb;
        c->busycap = n;
    }
    memset(c->busy, 0, n);
    size_t *link = det_vessel_chains(p, n);
    if (!link)
        return PEL_ERR_NOMEM;
    size_t valid[SCAN_STATE_CUTS];
    unsigned vflags[SCAN_STATE_CUTS];
    size_t nvalid = scan_state_cuts(c->old, mmsi, p, n, link, valid, vflags);
    size_t r = nvalid ? valid[0] : 0, g = 0;
    vessel_kept v = {
        .c = c, .mmsi = mmsi, .p = p, .n = n, .cut = r > 0, .bound = INT64_MAX, .r_ms = INT64_MIN, .gap_ms = INT64_MIN};
    /* its voyage reports as the last scan read them: its kept gaps' draughts
     * need no reading again */
    uint64_t voyages = voyages_digest(c->env.s, mmsi);
    v.draughts = voyages && voyages == scan_state_voyages(c->old, mmsi);
    scan_state_set_voyages(c->keep, voyages);
    /* pass 1 reads every kept finding: a row it cannot read is no state
     * (counted; the vessel is judged whole), never a failed scan */
    pel_status st = scan_state_damaged(c->old, mmsi) ? PEL_ERR_FORMAT : scan_state_each(c->old, mmsi, kept_bound, &v);
    if (st == PEL_OK)
        scan_state_holes(c->old, mmsi, hole_bound, &v);
    if (st == PEL_ERR_FORMAT) {
        c->env.stats->state_unreadable++;
        nvalid = r = 0;
        c->enc_lost = true;
        st = PEL_OK;
    } else if (st == PEL_OK) {
        if (r) { /* the gaps from the latest valid cut at or before the bound */
            for (size_t k = 0; k < nvalid && !g; k++)
                if (p[valid[k]].t_ms <= v.bound)
                    g = valid[k];
            v.r_ms = p[r].t_ms;
            v.gap_ms = g ? p[g].t_ms : INT64_MIN;
        }
        /* pass 2, also without a cut: the vessel's encounters wait for
         * their partners' cuts (a vessel loitering all along has none, its
         * partner may) */
        if ((st = scan_state_each(c->old, mmsi, kept_add, &v)) == PEL_OK)
            st = v.st;
        if (st == PEL_ERR_FORMAT)
            st = PEL_ERR_IO; /* pass 1 read the same row */
        scan_state_spans(c->old, mmsi, old_span, c);
        if (st == PEL_OK)
            scan_state_holes(c->old, mmsi, hole_keep, &v);
    }
    c->resume = (det_resume){.from = r, .busy = c->busy};
    c->resume_gap = (det_resume){.from = g, .busy = c->busy};
    c->heard++;
    /* the encounter row: from the latest valid cut no run spans, if the
     * points before it cannot change -- no unseen position within a step's
     * interpolation of it, any vessel's (they would pair with it) */
    const det_enc_opts *eo = c->call[DET_ENCOUNTER].opts;
    int64_t settle = ((int64_t)eo->max_interp_gap_s + eo->step_s) * 1000;
    size_t e = 0;
    for (size_t k = 0; k < nvalid && !e && !c->enc_lost; k++)
        if ((vflags[k] & SCAN_CUT_ENCOUNTER) && p[valid[k]].t_ms <= c->news_ms - settle)
            e = valid[k];
    c->resume_enc = (det_resume){.from = e};
    if (c->necut == c->capecut) {
        size_t nc = c->capecut ? 2 * c->capecut : 1024;
        enc_cut *nv = realloc(c->ecut, nc * sizeof *nv);
        if (!nv) {
            free(link);
            return PEL_ERR_NOMEM;
        }
        c->ecut = nv;
        c->capecut = nc;
    }
    c->ecut[c->necut++] = (enc_cut){.mmsi = mmsi, .t_ms = e ? p[e].t_ms : INT64_MIN};
    pel_scan_stats *sp = c->env.stats;
    sp->resumed += r > 0;
    sp->kept += v.kept;
    sp->positions += n;
    sp->positions_judged += n - r;
    for (int d = 0; d < DET__COUNT && st == PEL_OK; d++) {
        const det_detector *dt = &det_table[d];
        c->call[d].resume = d == DET_GAP         ? &c->resume_gap
                            : d == DET_ENCOUNTER ? &c->resume_enc
                            : resumes(d)         ? &c->resume
                                                 : NULL;
        if (dt->vessel)
            st = dt->vessel(&c->call[d], mmsi, p, n);
        c->call[d].resume = NULL;
    }
    if (st == PEL_OK) {
        size_t cuts[SCAN_STATE_CUTS];
        size_t nc = next_cuts(c, p, n, link, valid, nvalid, r, cuts);
        scan_state_end(c->keep, p, n, link, cuts, nc);
    }
    free(link);
    return st;
}

/* ---- the vessels -------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The MMSIs that broadcast a name of fishing gear (pel_text_gear), read
 * once from every identity (a pass over them, rather than a query a
 * vessel), into c->gearv.  MMSI 0 and the shared defaults are never gear:
 * many transmitters share them.  PEL_OK, or the failure with err filled. */
static pel_status gear_read(scan *c, pel_error *err) {
    st_iter *it = st_identities_all(c->env.s, false, err);
    if (!it)
        return err && err->code ? err->code : PEL_ERR_IO;
    st_ident_row r;
    int rc;
    while ((rc = st_identity_next(it, &r, err)) > 0) {
        pel_mmsi_kind k = pel_mmsi_classify(r.mmsi);
        if (k == PEL_MMSI_ZERO || k == PEL_MMSI_PLACEHOLDER || !r.name || !*r.name || !pel_text_gear(r.name))
            continue;
        if (c->ngear && c->gearv[c->ngear - 1] == r.mmsi) /* in MMSI order (st_identities_all): sorted as read */
            continue;
        if (c->ngear == c->gearcap) {
            size_t nc = c->gearcap ? 2 * c->gearcap : 64;
            uint32_t *nv = realloc(c->gearv, nc * sizeof *nv);
            if (!nv) {
                st_iter_free(it);
                return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            }
            c->gearv = nv;
            c->gearcap = nc;
        }
        c->gearv[c->ngear++] = r.mmsi;
    }
    st_iter_free(it);
    if (rc < 0)
        return (pel_status)-rc;
    return PEL_OK;
}

/* True when the vessel broadcast a name of fishing gear (gear_read). */
static bool is_gear(const scan *c, uint32_t mmsi) {
    return xbsearch(&mmsi, c->gearv, c->ngear, sizeof *c->gearv, cmp_u32) != NULL;
}

/* The vessel's last usable position before the period (its latest chunk
 * that begins before it): true with *out set, false when there is none. */
static bool last_before(scan *c, uint32_t mmsi, pel_position *out) {
    st_area a = {.has_mmsi = true, .mmsi = mmsi, .last_before = true, .has_to = true, .to_ms = c->o->from_ms};
    st_iter *it = st_chunks(c->env.s, &a, NULL);
    bool got = false;
    uint32_t m;
    size_t k = 0;
    if (it && st_chunk_next(it, &m, NULL) > 0 && st_chunk_read(it, &c->prev, &c->prevcap, 0, &k, NULL) == PEL_OK)
        for (size_t i = k; i-- > 0 && !got;)
            if (c->prev[i].t_ms < c->o->from_ms && c->prev[i].segment >= 0) {
                *out = c->prev[i];
                got = true;
            }
    st_iter_free(it);
    return got;
}

static int on_vessel(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    (void)name;
    scan *c = ud;
    fnd_set *found = c->env.found;
    c->vessels++;
    if (n > c->usecap) {
        size_t ncap = c->usecap ? c->usecap : 1024;
        while (ncap < n)
            ncap *= 2;
        pel_position *nu = realloc(c->use, ncap * sizeof *nu);
        if (!nu) {
            found->failed = PEL_ERR_NOMEM;
            return 1;
        }
        c->use = nu;
        c->usecap = ncap;
    }
    size_t k = 0;
    /* a period: the vessel's last usable position before it first */
    if (c->o->has_from && n) {
        pel_position before;
        if (last_before(c, mmsi, &before)) {
            if (n + 1 > c->usecap) {
                pel_position *nu = realloc(c->use, (n + 1) * sizeof *nu);
                if (!nu) {
                    found->failed = PEL_ERR_NOMEM;
                    return 1;
                }
                c->use = nu;
                c->usecap = n + 1;
            }
            c->use[k++] = before;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (p[i].segment >= 0)
            c->use[k++] = p[i];
    /* a state kept: every vessel's raw track is checkpointed (what the
     * next scan has not seen yet counts for every vessel's coverage) */
    scan_state_begin(c->keep, mmsi, p, n);
    bool gear = is_gear(c, mmsi);
    c->gear += k && gear; /* as counted before: gear with usable positions */
    scan_state_set_flags(c->keep, gear ? SCAN_VESSEL_GEAR : 0);
    /* fishing gear (a buoy named "LONGLINE BUOY 0846%") is no vessel: its
     * made-up MMSI and the days it drifts beside its boat are no lead */
    if (!k || gear) {
        scan_state_end(c->keep, NULL, 0, NULL, NULL, 0);
        return 0;
    }
    /* MMSI 0 and the defaults shared by many transponders are several
     * vessels under one number: their "track" is no vessel's behaviour.
     * Only the detectors that take every MMSI see them (the invalid_mmsi
     * sign). */
    pel_mmsi_kind mk = pel_mmsi_classify(mmsi);
    bool shared = mk == PEL_MMSI_ZERO || mk == PEL_MMSI_PLACEHOLDER;
    pel_status st = PEL_OK;
    if (c->keep && !shared)
        st = vessel_resumed(c, mmsi, c->use, k);
    else {
        for (int d = 0; d < DET__COUNT && st == PEL_OK; d++) {
            const det_detector *dt = &det_table[d];
            if (dt->vessel && (!shared || (dt->flags & DET_EVERY_MMSI)))
                st = dt->vessel(&c->call[d], mmsi, c->use, k);
        }
        scan_state_end(c->keep, NULL, 0, NULL, NULL, 0);
    }
    if (st != PEL_OK && found->failed == PEL_OK) /* PEL_ERR_IO: the hook wrote its message */
        found->failed = st == PEL_ERR_IO ? st : PEL_ERR_NOMEM;
    return found->failed != PEL_OK;
}

/* ---- the scan ------------------------------------------------------------------- */

static double seconds(struct timespec a, struct timespec b) {
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

/* The message of a scan that failed with st, when no one wrote one. */
static void fail_message(const scan *c, pel_status st, pel_error *err) {
    if (!err || err->msg[0])
        return;
    if (st == PEL_ERR_IO && fnd_set_error(c->env.found)[0]) {
        pel_fail(err, st, "%s", fnd_set_error(c->env.found));
        return;
    }
    for (int d = 0; st == PEL_ERR_ARG && d < DET__COUNT; d++)
        if (c->sink[d].bad[0]) {
            pel_fail(err, st,
                     "the %s detector emitted %s, a kind of finding it does not declare (src/detect/detectors.c)",
                     det_table[d].name, c->sink[d].bad);
            return;
        }
    if (st == PEL_ERR_ARG) /* fnd_set_push refused a builder: a detector's bug */
        pel_fail(err, st, "a finding with more than %d members", FND_MAX_MEMBERS);
    if (st == PEL_ERR_NOMEM)
        pel_fail(err, st, "out of memory");
}

/* Every finding of the set is of a kind some detector declares: none came
 * by a way other than the sinks.  PEL_OK, PEL_ERR_ARG with err filled, or
 * PEL_ERR_IO (a spilling set's file: fail_message says it). */
static pel_status check_kinds(const fnd_set *found, pel_error *err) {
    for (size_t i = 0; i < fnd_set_count(found); i++) {
        /* an event with a kind that needs no member (a gap) is known by its
         * name: the finding itself is read (a spilling set's file) only
         * when its kind is told by a member (spoofing's "kind") */
        fnd_finding bare = {.event = fnd_set_key(found, i).event};
        if (det_kind_of(NULL, &bare))
            continue;
        const fnd_finding *f = fnd_set_get(found, i);
        if (!f)
            return PEL_ERR_IO;
        if (!det_kind_of(NULL, f))
            return pel_fail(err, PEL_ERR_ARG, "a %.40s finding of a kind no detector declares (src/detect/detectors.c)",
                            f->event);
    }
    return PEL_OK;
}

/* The scan of pel_scan_findings; with hold non-NULL into a spilling set
 * (fnd_set_spill) holding in memory the findings of the events in hold. */
static pel_status scan_run(pel_store *s, const pel_scan_opts *o, const char *const *hold, pel_findings **out,
                           pel_scan_stats *stats, pel_error *err) {
    pel_scan_opts dflt = {0};
    if (!o)
        o = &dflt;
    *out = NULL;
    struct timespec t0, t1, t3;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    t1 = t0;
    det_opts opts[DET__COUNT];
    pel_status st = det_settings_apply(opts, o->set, o->nset, err);
    if (st != PEL_OK)
        return st;
    pel_scan_stats local;
    pel_scan_stats *sp = stats ? stats : &local;
    memset(sp, 0, sizeof *sp);
    scan c = {.env = {.s = s,
                      .data_dir = o->data_dir,
                      .stored_lists_only = o->stored_lists_only,
                      .lists_default = o->lists_default,
                      .stats = sp,
                      .screening = scan_screen},
              .o = o};
    c.env.gap_ends = &c.gap_ends;
    if (!(c.env.found = fnd_set_new()))
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (hold && (st = fnd_set_spill(c.env.found, hold)) != PEL_OK) {
        if (st == PEL_ERR_IO)
            pel_fail(err, st, "findings: cannot make a temporary file in %.160s: %s", util_tmp_dir(), strerror(errno));
        else
            pel_fail(err, st, "out of memory");
        fnd_set_free(c.env.found);
        return st;
    }
    scan_geo *geo = NULL;
    st = scan_geo_load(o->data_dir, o->zones_path, &geo, err);
    if (st == PEL_OK) {
        c.env.geo = scan_geo_det(geo);
        c.env.mid = scan_geo_mid(geo);
        if (!st_data_span(s, &c.env.data_start_ms, &c.env.data_end_ms))
            c.env.data_start_ms = c.env.data_end_ms = 0;
        /* a period: its span is the data's, as far as the data goes */
        if (o->has_from && o->from_ms > c.env.data_start_ms)
            c.env.data_start_ms = o->from_ms;
        if (o->has_to && o->to_ms < c.env.data_end_ms)
            c.env.data_end_ms = o->to_ms;
        if (c.env.data_end_ms < c.env.data_start_ms)
            c.env.data_start_ms = c.env.data_end_ms = 0;
    }
    /* the coverage map's stations, read once for the rows that ask (the
     * footprints, the gaps' pulse) and the state's digests */
    det_stations *stations = NULL;
    if (st == PEL_OK)
        st = det_stations_read(s, c.env.data_start_ms, c.env.data_end_ms, &stations, err);
    c.env.stations = stations;
    /* the links between MMSIs, before any detector: a gap judges by them,
     * the identity detector reports them (the identity row's settings) */
    det_links *links = NULL;
    if (st == PEL_OK)
        st = det_links_build(s, (const det_identity_opts *)&opts[DET_IDENTITY], &links, err);
    c.env.links = links;
    c.env.position = (const det_pos_opts *)&opts[DET_POSITION];
    c.env.loiter = (const det_loiter_opts *)&opts[DET_LOITERING];
    /* the subjects, sorted (a copy: the caller's order is its own) */
    uint32_t *subjects = NULL;
    if (st == PEL_OK && o->subjects) {
        if (!(subjects = malloc((o->nsubjects ? o->nsubjects : 1) * sizeof *subjects)))
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        else {
            if (o->nsubjects)
                memcpy(subjects, o->subjects, o->nsubjects * sizeof *subjects);
            xqsort(subjects, o->nsubjects, sizeof *subjects, cmp_u32);
        }
    }
    /* a whole-store scan keeps a state for the next, and judges from the
     * last one's when it was kept with the same settings and geography */
    scan_state *old = NULL;
    c.news_ms = c.cov_news_ms = INT64_MAX;
    if (st == PEL_OK && !o->has_from && !o->has_to && !o->subjects && st_scan_state_kept(s)) {
        uint64_t print = state_print(opts, scan_geo_print(geo));
        if (!(c.keep = scan_state_new_make(print, c.env.data_start_ms, c.env.data_end_ms)) ||
            !scan_state_new_cov(c.keep, stations->hours, stations->h0, stations->nh))
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        else if (!o->full)
            c.old = old = scan_state_load(s, print);
    }
    /* the fishing gear, before the pass below: a vessel that became gear
     * (or stopped being it) changed the feed all along its track */
    if (st == PEL_OK)
        st = gear_read(&c, err);
    if (st == PEL_OK && old) { /* what the last scan did not see: a pass over the tracks, no detector */
        pel_track_filter all = {0};
        if (st_tracks_unnamed(s, &all, on_news, &c, err) != PEL_OK || !scan_state_rewind(old)) {
            scan_state_free(old);
            c.old = old = NULL;
            if (err)
                *err = (pel_error){0};
        }
        /* a gap's judgement kept needs the same start of the data (the
         * baselines stop there) and a feed of several vessels (one alone is
         * never judged against the feed) */
        c.keep_gaps =
            old && scan_state_about(old)->data_start_ms == c.env.data_start_ms && scan_state_about(old)->vessels > 1;
        /* and coverage as it was within their reach: receptions that add no
         * position (a second station's) change the map, not the tracks */
        if (old)
            c.cov_news_ms = scan_state_cov_news(old, stations->hours, stations->h0, stations->nh);
    }
    for (int d = 0; d < DET__COUNT; d++) {
        c.sink[d] = (det_sink){
            .set = c.env.found, .d = &det_table[d], .subjects = subjects, .nsubjects = subjects ? o->nsubjects : 0};
        c.call[d] = (det_call){.env = &c.env,
                               .opts = det_table[d].nsettings ? &opts[d] : NULL,
                               .emit = det_push,
                               .ud = &c.sink[d],
                               .err = err};
    }
    if (c.keep) { /* the encounter row tells its runs, for the next scan's cuts */
        c.env.enc_span = on_span;
        c.env.enc_span_ud = &c;
        c.env.gap_hole = on_hole; /* and the gap row its holes */
        c.env.gap_hole_ud = &c;
    }
    int begun = 0; /* detectors begun: their cleanup is due */
    for (; st == PEL_OK && begun < DET__COUNT; begun++)
        if (det_table[begun].begin)
            st = det_table[begun].begin(&c.call[begun]);
    if (st == PEL_OK) {
        pel_track_filter f = {.has_from = o->has_from, .from_ms = o->from_ms, .has_to = o->has_to, .to_ms = o->to_ms};
        st = st_tracks_unnamed(s, &f, on_vessel, &c, err);
        if (st == PEL_STOPPED || c.env.found->failed != PEL_OK)
            st = c.env.found->failed != PEL_OK ? c.env.found->failed : PEL_ERR_NOMEM;
    }
    if (st == PEL_OK && c.keep && (st = enc_resolve(&c)) != PEL_OK) {
        if (st == PEL_ERR_NOMEM)
            pel_fail(err, st, "out of memory");
        else
            pel_fail(err, st, "%s", fnd_set_error(c.env.found));
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    for (int d = 0; st == PEL_OK && d < DET__COUNT; d++) {
        if (!det_table[d].finish)
            continue;
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        st = det_table[d].finish(&c.call[d]);
        if (st == PEL_OK && c.env.found->failed != PEL_OK)
            st = c.env.found->failed;
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (d == DET_ENCOUNTER) /* pel_scan_stats keeps the pairing's time apart: it grows fastest */
            sp->encounter_s = seconds(a, b);
    }
    if (st == PEL_OK)
        st = check_kinds(c.env.found, err);
    /* a period: what does not meet it is another period's */
    if (st == PEL_OK && (o->has_from || o->has_to)) {
        fnd_set *fs = c.env.found;
        size_t n = fnd_set_count(fs);
        bool *keep = malloc((n ? n : 1) * sizeof *keep);
        if (!keep)
            st = PEL_ERR_NOMEM;
        for (size_t i = 0; keep && i < n; i++) {
            fnd_key k = fnd_set_key(fs, i);
            keep[i] = !(o->has_from && k.end_ms < o->from_ms) && !(o->has_to && k.start_ms > o->to_ms);
        }
        if (keep)
            fnd_set_keep(fs, keep);
        free(keep);
    }
    /* the inputs' paths for the evidence */
    char **paths = NULL;
    size_t npaths = 0;
    if (st == PEL_OK) {
        st = st_input_paths(s, &paths, &npaths, NULL);
        fnd_set_paths(c.env.found, paths, npaths); /* the set owns them now */
        fnd_set_sort(c.env.found);
        if (st != PEL_OK)
            pel_fail(err, st, "reading the inputs' paths failed");
        else
            st = c.env.found->failed; /* a spilling set's file failed while sorting */
    }
    /* the state for the next scan: kept where the store is written (a
     * store read-only, busy or on PostgreSQL keeps none: the next scan
     * judges every track whole, which is slower, never wrong) */
    if (st == PEL_OK && c.keep) {
        xqsort(c.spans, c.nspans, sizeof *c.spans, cmp_span);
        xqsort(c.holes, c.nholes, sizeof *c.holes, cmp_span);
        /* the last state read no more (its rows' cursor would hold back the
         * checkpoint of the new one), but what its chunks were */
        scan_prev *prev = scan_state_detach(old);
        scan_state_free(old);
        c.old = old = NULL;
        scan_save_stats ss = {0};
        if (!c.enc_nomem)
            (void)scan_state_save(c.keep, c.env.found, kept_finding, c.heard, c.spans, c.nspans, c.holes, c.nholes,
                                  prev, s, &ss, NULL);
        scan_prev_free(prev);
        sp->state_chunks_kept = ss.chunks_kept;
        sp->state_chunks_written = ss.chunks_written;
    }
    /* the analysts' reviews, by the findings' ids (now final) */
    if (st == PEL_OK)
        st = scan_reviews(s, c.env.found, err);
    clock_gettime(CLOCK_MONOTONIC, &t3);
    sp->vessels_s = seconds(t0, t1);
    sp->total_s = seconds(t0, t3);
    sp->vessels = c.vessels;
    sp->gear = c.gear;
    sp->findings = fnd_set_count(c.env.found);
    for (size_t i = 0; i < sp->findings; i++) {
        int e = det_event_index(fnd_set_key(c.env.found, i).event);
        if (e >= 0)
            sp->by_event[e]++;
    }
    fail_message(&c, st, err);
    if (st == PEL_OK)
        *out = c.env.found;
    else
        fnd_set_free(c.env.found);
    for (int d = 0; d < begun; d++)
        if (det_table[d].cleanup)
            det_table[d].cleanup(&c.call[d]);
    scan_geo_free(geo);
    det_links_free(links);
    det_stations_free(stations);
    free(c.use);
    free(c.gearv);
    free(c.prev);
    free(c.gap_ends.v);
    free(subjects);
    free(c.busy);
    free(c.cand);
    free(c.ecut);
    free(c.spans);
    free(c.oldspans);
    free(c.holes);
    free(c.enc_kept.v);
    scan_state_free(old);
    scan_state_new_free(c.keep);
    return st;
}

pel_status pel_scan_findings(pel_store *s, const pel_scan_opts *o, pel_findings **out, pel_scan_stats *stats,
                             pel_error *err) {
    return scan_run(s, o, NULL, out, stats, err);
}

/* The events whose findings a spilling scan holds in memory: loitering,
 * which det_loiter_finish amends (few: a record rewritten is no cost, but
 * neither is holding them).  Gaps are final when pushed (det_gap_finish
 * judges them first) and are most of a scan's findings (99% of the 30-day
 * bench's): holding them would keep the memory growing with the history.
 * Any list gives the same findings (fnd_set_spill). */
static const char *const held_events[] = {"loitering", NULL};

/* ---- the findings layer ---------------------------------------------------------------- */

/* The rows of st_findings_replace: the set's findings in its order. */
typedef struct layer_rows {
    const fnd_set *set;
    size_t at;
    char id[FND_ID_LEN + 1];
    char *json; /* the row's line (owned) */
} layer_rows;

static int layer_next(void *ud, st_layer_finding *f, pel_error *err) {
    layer_rows *l = ud;
    free(l->json);
    l->json = NULL;
    if (l->at == fnd_set_count(l->set))
        return 0;
    size_t i = l->at++;
    const fnd_finding *x = NULL;
    if (!(l->json = fnd_json_line(l->set, i)) || !(x = fnd_set_get(l->set, i))) {
        if (fnd_set_error(l->set)[0])
            pel_fail(err, PEL_ERR_IO, "%s", fnd_set_error(l->set));
        else
            pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        return fnd_set_error(l->set)[0] ? -PEL_ERR_IO : -PEL_ERR_NOMEM;
    }
    fnd_id(l->set, i, l->id);
    *f = (st_layer_finding){.finding_id = l->id,
                            .event = fnd_set_key(l->set, i).event,
                            .mmsi = x->mmsi,
                            .mmsi2 = x->mmsi2,
                            .start_ms = x->start_ms,
                            .end_ms = x->end_ms,
                            .json = l->json};
    /* a line where the finding has two places (parallel segments), else its point */
    fnd_geometry g = fnd_geometry_of(x);
    if (g.type == FND_GEOM_LINE)
        f->geom = 2;
    else if (!isnan(x->lat) && !isnan(x->lon))
        f->geom = 1;
    for (int k = 0; k < 2; k++) {
        f->lon[k] = g.lon[k];
        f->lat[k] = g.lat[k];
    }
    return 1;
}

pel_status pel_scan(pel_store *s, const pel_scan_opts *o, FILE *out, pel_findings_format fmt, pel_scan_stats *stats,
                    pel_error *err) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fnd_set *found;
    /* the findings go to a temporary file as they come, and are written
     * from it one at a time: memory does not grow with their number */
    pel_status st = scan_run(s, o, held_events, &found, stats, err);
    if (st != PEL_OK)
        return st;
    st = fnd_write(out, fmt, found);
    if (st != PEL_OK && fnd_set_error(found)[0])
        pel_fail(err, st, "%s", fnd_set_error(found));
    else if (st != PEL_OK)
        pel_fail(err, st, "writing the findings failed");
    /* a whole-store scan replaces the store's findings layer (PostgreSQL,
     * opened for writing; elsewhere nothing happens); a period's or some
     * vessels' scan leaves it to the whole store's */
    if (st == PEL_OK && (!o || (!o->has_from && !o->has_to && !o->subjects))) {
        layer_rows l = {.set = found};
        bool stored;
        st = st_findings_replace(s, layer_next, &l, &stored, err);
        free(l.json);
    }
    fnd_set_free(found);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (stats)
        stats->total_s = seconds(t0, t1);
    return st;
}
