/*
 * risk.c -- the explainable risk score of a vessel, and pel_rank.
 *
 * The score is a plain sum of points, one item per contributing finding,
 * each weight settable ("risk.NAME=value", docs/report.md).  Every item is
 * a reason in words that names the finding it comes from, so an analyst
 * can check each point against the scan's output.  The findings are
 * pel_scan's own (pel_scan_findings: the same values its JSON lines say,
 * read by member), never a second opinion.
 *
 * Rules that are not a single weight:
 *   - designations: one per list entry (list + entry id) and vessel, the
 *     best of its matches: an IMO or MMSI match counts designation_imo, a
 *     name match designation_name times the name similarity;
 *   - encounters, zone entries, loitering: at most RPT_CAP of each count,
 *     the highest first (then the earliest); the others are still listed
 *     among the vessel's findings, without points;
 *   - gaps: gap_suspected (others were heard nearby) or gap_coverage (a
 *     coverage hole), plus gap_draught and gap_port_concern whichever it is,
 *     and gap_rendezvous when it is not a coverage hole and a loitering
 *     names it among its possible partners (the dark rendezvous);
 *   - loitering: plus loitering_partner when some possible partner's gap
 *     is not a coverage hole (suspected true or unknown), otherwise
 *     loitering_partner_coverage when it has partners at all;
 *   - the findings about two vessels (encounters, an IMO shared by two
 *     MMSIs) count for both;
 *   - one ship under several MMSIs (the scan's identity_change "mmsi", the
 *     links of detect/det_link.c) is one vessel: every MMSI's reasons are
 *     summed under its first MMSI, the change of MMSI counts once, and
 *     flag_dprk once; a partner met under any of a designated ship's MMSIs
 *     is designated; a clone pair is never linked, so never summed;
 *   - flag_dprk: once per vessel whose MMSI carries MID 445, not a finding.
 * The sum is not capped: 200 is twice as much evidence as 100.
 *
 * Limits: the texts are English; the scan runs in full before filtering
 * (a vessel filter does not make it faster).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "findings/finding.h"
#include "geo/geo.h"
#include "rpt.h"
#include "store/store.h"
#include "util/display.h"
#include "util/escape.h"
#include "util/fail.h"
#include "util/numtext.h"
#include "util/xsort.h"

/* ---- weights ------------------------------------------------------------- */

// clang-format off
static const struct { const char *name; double dflt; } weights[RPT_W__COUNT] = {
    [RPT_W_DESIGNATION_IMO] = {"designation_imo", 60},
    [RPT_W_DESIGNATION_CORROBORATED] = {"designation_corroborated", 40},
    [RPT_W_DESIGNATION_NAME] = {"designation_name", 10},
    [RPT_W_ENCOUNTER] = {"encounter", 15},
    [RPT_W_ENCOUNTER_DESIGNATED] = {"encounter_designated", 20},
    [RPT_W_GAP_SUSPECTED] = {"gap_suspected", 10},
    [RPT_W_GAP_DRAUGHT] = {"gap_draught", 10},
    [RPT_W_GAP_PORT_CONCERN] = {"gap_port_concern", 15},
    [RPT_W_GAP_COVERAGE] = {"gap_coverage", 1},
    [RPT_W_PORT_CONCERN] = {"port_concern", 25},
    [RPT_W_ZONE] = {"zone", 10},
    [RPT_W_LOITERING] = {"loitering", 5},
    [RPT_W_LOITERING_PARTNER] = {"loitering_partner", 15},
    [RPT_W_LOITERING_PARTNER_COVERAGE] = {"loitering_partner_coverage", 3},
    [RPT_W_GAP_RENDEZVOUS] = {"gap_rendezvous", 10},
    [RPT_W_SPOOFING_PARALLEL] = {"spoofing_parallel", 20},
    [RPT_W_SPOOFING_SPEED] = {"spoofing_speed", 5},
    [RPT_W_SPOOFING_MID] = {"spoofing_mid", 15},
    [RPT_W_SPOOFING_MMSI] = {"spoofing_mmsi", 10},
    [RPT_W_SPOOFING_LAND] = {"spoofing_land", 15},
    [RPT_W_SPOOFING_GNSS] = {"spoofing_gnss", 2},
    [RPT_W_SPOOFING_FOOTPRINT] = {"spoofing_footprint", 15},
    [RPT_W_DATA_IMO] = {"data_imo", 2},
    [RPT_W_IDENTITY_IMO] = {"identity_imo", 20},
    [RPT_W_IDENTITY_NAME] = {"identity_name", 10},
    [RPT_W_IDENTITY_OTHER] = {"identity_other", 3},
    [RPT_W_IDENTITY_MMSI] = {"identity_mmsi", 10},
    [RPT_W_FLAG_DPRK] = {"flag_dprk", 20},
    [RPT_W_HIGH] = {"high", 60},
    [RPT_W_MEDIUM] = {"medium", 25},
};
// clang-format on

/* What each kind of finding the detectors declare (src/detect/detectors.h)
 * counts for: the weights score_finding below gives it, or none and why.
 * tests/unit_detectors.c holds this table to the detectors' one: every
 * declared kind has a row, every row is a declared kind, and every weight
 * but flag_dprk and the levels is in a row. */
#define W(...)                                                                                                         \
    (const int[]) {                                                                                                    \
        __VA_ARGS__, -1                                                                                                \
    }
// clang-format off
static const rpt_kind_weights kind_weights[] = {
    {"encounter",       NULL,                W(RPT_W_ENCOUNTER, RPT_W_ENCOUNTER_DESIGNATED), NULL},
    {"loitering",       NULL,                W(RPT_W_LOITERING, RPT_W_LOITERING_PARTNER,
                                               RPT_W_LOITERING_PARTNER_COVERAGE), NULL},
    {"gap",             NULL,                W(RPT_W_GAP_SUSPECTED, RPT_W_GAP_COVERAGE, RPT_W_GAP_DRAUGHT,
                                               RPT_W_GAP_PORT_CONCERN, RPT_W_GAP_RENDEZVOUS), NULL},
    {"port_visit",      NULL,                W(RPT_W_PORT_CONCERN), NULL},
    {"zone_entry",      NULL,                W(RPT_W_ZONE), NULL},
    {"spoofing",        "parallel_segments", W(RPT_W_SPOOFING_PARALLEL), NULL},
    {"spoofing",        "impossible_speed",  W(RPT_W_SPOOFING_SPEED), NULL},
    {"spoofing",        "unallocated_mid",   W(RPT_W_SPOOFING_MID), NULL},
    {"spoofing",        "invalid_mmsi",      W(RPT_W_SPOOFING_MMSI), NULL},
    {"spoofing",        "on_land",           W(RPT_W_SPOOFING_LAND), NULL},
    {"spoofing",        "land_crossing",     W(RPT_W_SPOOFING_LAND), NULL},
    {"spoofing",        "common_point",      W(RPT_W_SPOOFING_GNSS), NULL},
    {"spoofing",        "circle",            W(RPT_W_SPOOFING_GNSS), NULL},
    {"spoofing",        "offset",            W(RPT_W_SPOOFING_LAND), NULL},
    {"spoofing",        "out_of_footprint",  W(RPT_W_SPOOFING_FOOTPRINT), NULL},
    {"identity_change", "name",              W(RPT_W_IDENTITY_NAME), NULL},
    {"identity_change", "callsign",          W(RPT_W_IDENTITY_OTHER), NULL},
    {"identity_change", "imo",               W(RPT_W_IDENTITY_IMO), NULL},
    {"identity_change", "shiptype",          W(RPT_W_IDENTITY_OTHER), NULL},
    {"identity_change", "imo_shared",        W(RPT_W_IDENTITY_IMO), NULL},
    {"identity_change", "mmsi",              W(RPT_W_IDENTITY_MMSI), NULL},
    {"watchlist_match", NULL,                W(RPT_W_DESIGNATION_IMO, RPT_W_DESIGNATION_CORROBORATED,
                                               RPT_W_DESIGNATION_NAME), NULL},
    {"data_quality",    "invalid_imo",       W(RPT_W_DATA_IMO), NULL},
};
// clang-format on
#undef W

const rpt_kind_weights *rpt_kind_weights_of(const char *event, const char *kind) {
    for (size_t i = 0; i < sizeof kind_weights / sizeof kind_weights[0]; i++) {
        const rpt_kind_weights *k = &kind_weights[i];
        if (!strcmp(k->event, event) && (!k->kind || (kind && !strcmp(k->kind, kind))))
            return k;
    }
    return NULL;
}

const rpt_kind_weights *rpt_kind_weights_row(size_t i) {
    return i < sizeof kind_weights / sizeof kind_weights[0] ? &kind_weights[i] : NULL;
}

const char *rpt_weight_name(int i) {
    return i >= 0 && i < RPT_W__COUNT ? weights[i].name : NULL;
}

void rpt_weights_default(rpt_weights *w) {
    for (int i = 0; i < RPT_W__COUNT; i++)
        w->w[i] = weights[i].dflt;
}

static pel_status arg_error(pel_error *err, const char *what, const char *s) {
    return pel_fail(err, PEL_ERR_ARG, "%s: %.120s (docs/report.md lists the risk weights)", what, s);
}

/* The ranges of docs/report.md.  A weight is at most RPT_WEIGHT_MAX points,
 * so that no sum of them can overflow (a vessel would need 10^304 findings)
 * and a score is always a finite number in the outputs. */
#define RPT_WEIGHT_MAX 1000.0
#define RPT_LEVEL_MAX 1000000.0

static pel_status range_error(pel_error *err, const char *name, size_t nlen, const char *what, double lo, double hi,
                              const char *v) {
    return pel_fail(err, PEL_ERR_ARG, "%.*s wants %s from %.15g to %.15g, not \"%.40s\" (docs/report.md)",
                    (int)(nlen > 80 ? 80 : nlen), name, what, lo, hi, v);
}

pel_status rpt_split_settings(const char *const *set, size_t nset, rpt_weights *w, rpt_draw *d, const char **det,
                              size_t *ndet, pel_error *err) {
    *ndet = 0;
    for (size_t k = 0; k < nset; k++) {
        const char *s = set[k] ? set[k] : "";
        const char *eq = strchr(s, '=');
        size_t klen = eq ? (size_t)(eq - s) : strlen(s);
        double v = 0;
        bool num = eq && num_real(eq + 1, &v);
        if (!strncmp(s, "report.", 7)) {
            if (klen == strlen("report.simplify_deg") && !strncmp(s, "report.simplify_deg", klen)) {
                if (!num || v < 0 || v > 10)
                    return range_error(err, s, klen, "a number of degrees", 0, 10, eq ? eq + 1 : "");
                d->simplify_deg = v;
            } else if (klen == strlen("report.max_points_per_vessel") &&
                       !strncmp(s, "report.max_points_per_vessel", klen)) {
                if (!num || v < 2 || v > 1000000 || !num_is_whole(v))
                    return range_error(err, s, klen, "a whole number", 2, 1000000, eq ? eq + 1 : "");
                d->max_points = (size_t)v;
            } else
                return arg_error(err, "unknown report setting", s);
            continue;
        }
        if (strncmp(s, "risk.", 5) != 0) {
            det[(*ndet)++] = s;
            continue;
        }
        int found = -1;
        for (int i = 0; i < RPT_W__COUNT; i++)
            if (klen > 5 && strlen(weights[i].name) == klen - 5 && !strncmp(weights[i].name, s + 5, klen - 5))
                found = i;
        if (found < 0)
            return arg_error(err, "unknown risk weight", s);
        double hi = found == RPT_W_HIGH || found == RPT_W_MEDIUM ? RPT_LEVEL_MAX : RPT_WEIGHT_MAX;
        if (!num || v < 0 || v > hi)
            return range_error(err, s, klen, found == RPT_W_HIGH || found == RPT_W_MEDIUM ? "a score" : "points", 0, hi,
                               eq ? eq + 1 : "");
        w->w[found] = v;
    }
    if (w->w[RPT_W_MEDIUM] > w->w[RPT_W_HIGH])
        return pel_fail(err, PEL_ERR_ARG,
                        "risk.medium (%g) is above risk.high (%g): the medium level starts below the high one"
                        " (docs/report.md)",
                        w->w[RPT_W_MEDIUM], w->w[RPT_W_HIGH]);
    return PEL_OK;
}

pel_status pel_report_check_settings(const char *const *set, size_t nset, pel_error *err) {
    rpt_weights w;
    rpt_draw d = {.simplify_deg = 0.0005, .max_points = 2000};
    rpt_weights_default(&w);
    const char **det = calloc(nset + 1, sizeof *det);
    if (!det)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    size_t ndet = 0;
    pel_status st = rpt_split_settings(set, nset, &w, &d, det, &ndet, err);
    if (st == PEL_OK)
        st = pel_scan_check_settings(det, ndet, err);
    free(det);
    return st;
}

const char *rpt_level(const rpt_weights *w, double score) {
    if (score >= w->w[RPT_W_HIGH])
        return "high";
    if (score >= w->w[RPT_W_MEDIUM])
        return "medium";
    return score > 0 ? "low" : "none";
}

/* ---- small helpers ------------------------------------------------------- */

/* A new string from a printf format; NULL when out of memory. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

/* "2023-11-15 01:58 UTC" from a time, into buf (>= 32). */
static const char *when(int64_t ms, char *buf) {
    char s[40];
    pel_format_time(ms, s);
    snprintf(buf, 32, "%.10s %.5s UTC", s, s + 11);
    return buf;
}

/* "35.50N 123.22E" into buf (>= 40). */
static const char *where(const fnd_finding *f, char *buf) {
    double lat = f->lat, lon = f->lon;
    if (isnan(lat) || isnan(lon))
        snprintf(buf, 40, "an unknown place");
    else
        snprintf(buf, 40, "%.2f%c %.2f%c", fabs(lat), lat < 0 ? 'S' : 'N', fabs(lon), lon < 0 ? 'W' : 'E');
    return buf;
}

/* A member shown in a sentence: a string as is, a number (a whole one as
 * an integer, as it is written), or "(none)". */
static const char *value_text(const fnd_member *v, char *buf, size_t cap) {
    if (v && v->kind == FND_STR)
        return v->v.s;
    if (v && v->kind == FND_INT)
        snprintf(buf, cap, "%lld", (long long)v->v.i);
    else if (v && v->kind == FND_NUM && v->prec == 0)
        snprintf(buf, cap, "%lld", (long long)v->v.d);
    else if (v && v->kind == FND_NUM)
        snprintf(buf, cap, "%g", v->v.d);
    else
        snprintf(buf, cap, "(none)");
    return buf;
}

static double round1(double x) {
    return round(x * 10.0) / 10.0;
}

static bool has_mmsi(const uint32_t *v, size_t n, uint32_t m) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] == m)
            return true;
        if (v[mid] < m)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts and removes duplicates; returns the new count. */
static size_t uniq_u32(uint32_t *v, size_t n) {
    if (!n)
        return 0;
    xqsort(v, n, sizeof *v, cmp_u32);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}

/* ---- one vessel, many MMSIs ----------------------------------------------- */

/* The links of the findings' identity_change "mmsi": from -> to. */
typedef struct mlink {
    uint32_t from, to;
} mlink;

static int cmp_mlink_to(const void *a, const void *b) {
    const mlink *x = a, *y = b;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return x->from < y->from ? -1 : x->from > y->from;
}

static int cmp_mlink_from(const void *a, const void *b) {
    const mlink *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return x->to < y->to ? -1 : x->to > y->to;
}

/* The link to (by_to true, sorted so) or from mmsi in v, or NULL. */
static const mlink *mlink_find(const mlink *v, size_t n, uint32_t mmsi, bool by_to) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t k = by_to ? v[mid].to : v[mid].from;
        if (k == mmsi)
            return &v[mid];
        if (k < mmsi)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The vessel of mmsi: the first MMSI of its chain (by_to sorted by to). */
static uint32_t vessel_of(const mlink *by_to, size_t n, uint32_t mmsi) {
    const mlink *k;
    for (size_t steps = 0; steps <= n && (k = mlink_find(by_to, n, mmsi, true)); steps++)
        mmsi = k->from;
    return mmsi;
}

/* ---- scoring ------------------------------------------------------------- */

enum { CAP_NONE, CAP_ENCOUNTER, CAP_ZONE, CAP_LOITER };

/* One candidate reason of one vessel. */
typedef struct item {
    uint32_t mmsi;
    double points;
    long finding;
    int cap;       /* CAP_ kind */
    char key[160]; /* designation: list and entry, "" otherwise */
    char *text;    /* owned until moved into a reason */
    bool keep;
    bool low;       /* a low-confidence designation (a name alone) */
    bool dismissed; /* its finding's review dismissed it: shown, worth nothing */
} item;

typedef struct items {
    item *v;
    size_t n, cap;
    bool nomem;
} items;

/* The review of x's finding, if any, into x: dismissed, no points; the
 * reviewer's words after the reason. */
static void review_item(item *x, const fnd_set *fs, bool *nomem) {
    if (x->finding < 0 || (size_t)x->finding >= fs->n)
        return;
    const fnd_member *r = fnd_get(&fs->v[x->finding], "review");
    const fnd_member *st = fnd_member_get(r, "status"), *by = fnd_member_get(r, "by"), *at = fnd_member_get(r, "at"),
                     *note = fnd_member_get(r, "note");
    if (!st || st->kind != FND_STR || !strcmp(st->v.s, "open"))
        return;
    bool dismissed = !strcmp(st->v.s, "dismissed");
    const char *who = by && by->kind == FND_STR ? by->v.s : "?", *when = at && at->kind == FND_STR ? at->v.s : "?",
               *why = note && note->kind == FND_STR ? note->v.s : "";
    char *t = fmt("%s [%s by %s, %.10s%s%s]", x->text, dismissed ? "dismissed" : "confirmed", who, when,
                  *why ? ": " : "", why);
    if (!t) {
        *nomem = true;
        return;
    }
    free(x->text);
    x->text = t;
    if (dismissed) { /* shown when it would have counted; a finding worth nothing stays no reason */
        x->dismissed = x->points > 0;
        x->points = 0;
    }
}

static void add_item(items *it, uint32_t mmsi, double points, long finding, int capk, const char *key, char *text) {
    if (!text) {
        it->nomem = true;
        return;
    }
    if (it->n == it->cap) {
        size_t ncap = it->cap ? it->cap * 2 : 64;
        item *nv = realloc(it->v, ncap * sizeof *nv);
        if (!nv) {
            free(text);
            it->nomem = true;
            return;
        }
        it->v = nv;
        it->cap = ncap;
    }
    item *x = &it->v[it->n++];
    memset(x, 0, sizeof *x);
    x->mmsi = mmsi;
    x->points = round1(points);
    x->finding = finding;
    x->cap = capk;
    if (key)
        snprintf(x->key, sizeof x->key, "%s", key);
    x->text = text;
    x->keep = true;
}

/* A gap a loitering names as a possible partner's (its MMSI and start as
 * written), and the loiterer. */
typedef struct partner_gap {
    uint32_t mmsi, loiterer;
    char start[40];
} partner_gap;

typedef struct scorer {
    const rpt_weights *w;
    partner_gap *pg; /* every listed possible partner's gap */
    size_t npg;
    const uint32_t *designated;
    size_t ndesignated;
    rpt_name_fn name;
    void *ud;
    items it;
    const mlink *by_to; /* the links between MMSIs, by to */
    size_t nl;
    uint32_t *dheads; /* the vessels (first MMSIs) of the designated MMSIs, sorted */
    size_t ndheads;
} scorer;

static const char *name_of(scorer *c, uint32_t mmsi, char *buf, size_t cap) {
    const char *n = c->name ? c->name(c->ud, mmsi) : NULL;
    if (n && n[0])
        snprintf(buf, cap, "%u (%s)", mmsi, n);
    else
        snprintf(buf, cap, "%u", mmsi);
    return buf;
}

static const char *list_title(const char *list, char *buf, size_t cap) {
    static const struct {
        const char *id, *title;
    } t[] = {
        {"ofac_sdn", "OFAC SDN"},           {"ofac", "OFAC"},    {"un", "UN Security Council"},
        {"opensanctions", "OpenSanctions"}, {"own", "own list"},
    };
    size_t n = strcspn(list, " ");
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strlen(t[i].id) == n && !strncmp(t[i].id, list, n)) {
            snprintf(buf, cap, "%s", t[i].title);
            return buf;
        }
    snprintf(buf, cap, "%.*s", (int)n, list);
    return buf;
}

static bool matched_on(const fnd_finding *f, const char *what) {
    return fnd_has_str(f, "matched_on", what);
}

/* A match's confidence (docs/screening.md): "high", "medium" or "low";
 * findings written before confidences existed are judged by what matched. */
static const char *confidence_of(const fnd_finding *f) {
    const char *c = fnd_get_str(f, "confidence");
    if (c && (!strcmp(c, "high") || !strcmp(c, "medium") || !strcmp(c, "low")))
        return c;
    return matched_on(f, "imo") || matched_on(f, "mmsi") ? "high" : "low";
}

static void score_watchlist(scorer *c, const fnd_finding *f, long idx, uint32_t mmsi) {
    char lt[64], key[160];
    const char *list = fnd_get_str(f, "list") ? fnd_get_str(f, "list") : "a list";
    const char *entry = fnd_get_str(f, "entry") ? fnd_get_str(f, "entry") : "";
    const char *ename = fnd_get_str(f, "entry_name") ? fnd_get_str(f, "entry_name") : entry;
    const char *prog = fnd_get_str(f, "program");
    char progbuf[160] = "";
    if (prog && prog[0])
        snprintf(progbuf, sizeof progbuf, " (%s)", prog);
    snprintf(key, sizeof key, "%s\x1f%s", list, entry);
    list_title(list, lt, sizeof lt);
    const char *conf = confidence_of(f);
    char dated[96] = "";
    const char *listed = fnd_get_str(f, "listed_on");
    if (listed && fnd_get_bool(f, "heard_before_listing") == 1)
        snprintf(dated, sizeof dated, "; heard before its listing on %.10s", listed);
    else if (listed)
        snprintf(dated, sizeof dated, "; listed on %.10s", listed);
    else if (fnd_get(f, "listed_on")) /* null: the list gives no date */
        snprintf(dated, sizeof dated, "; the list gives no designation date");
    if (!strcmp(conf, "high")) {
        bool imo = matched_on(f, "imo");
        double v = imo ? fnd_get_num(f, "identity_imo", 0) : f->mmsi;
        add_item(&c->it, mmsi, c->w->w[RPT_W_DESIGNATION_IMO], idx, CAP_NONE, key,
                 fmt("Matched %s entry %s%s on %s %.0f%s", lt, ename, progbuf, imo ? "IMO" : "MMSI", v, dated));
    } else {
        double score = fnd_get_num(f, "score", 1);
        const char *mn = fnd_get_str(f, "identity_name") ? fnd_get_str(f, "identity_name") : "?";
        bool medium = !strcmp(conf, "medium");
        char why[160] = "";
        const fnd_member *cb = fnd_get(f, medium ? "corroborated_by" : "contradicted_by");
        size_t k = 0;
        for (const fnd_member *x = cb + 1, *end = cb && cb->kind == FND_ARR ? cb + 1 + cb->n : cb + 1; cb && x < end;
             x = fnd_next(x))
            if (x->kind == FND_STR && k + 32 < sizeof why)
                k += (size_t)snprintf(why + k, sizeof why - k, "%s%s", k ? ", " : "", x->v.s);
        char tail[200];
        if (medium)
            snprintf(tail, sizeof tail, "; corroborated by %s", why);
        else if (k)
            snprintf(tail, sizeof tail, "; name alone, contradicted by %s", why);
        else
            snprintf(tail, sizeof tail, "; name alone");
        add_item(&c->it, mmsi, c->w->w[medium ? RPT_W_DESIGNATION_CORROBORATED : RPT_W_DESIGNATION_NAME] * score, idx,
                 CAP_NONE, key,
                 fmt("Matched %s entry %s%s on the name %s (similarity %.2f%s)%s", lt, ename, progbuf, mn, score, tail,
                     dated));
        if (!medium && c->it.n && !c->it.nomem)
            c->it.v[c->it.n - 1].low = true;
    }
}

static void score_encounter(scorer *c, const fnd_finding *f, long idx, uint32_t self, uint32_t other) {
    char on[160], at[40], t0[32], portbuf[200] = "";
    /* designated: the partner's MMSI, or another MMSI of the same ship (a
     * designated ship that went on under a new MMSI is still designated) */
    bool des = has_mmsi(c->designated, c->ndesignated, other) ||
               (c->ndheads && has_mmsi(c->dheads, c->ndheads, vessel_of(c->by_to, c->nl, other)));
    const char *port = fnd_get_str(f, "nearest_port");
    double km = fnd_get_num(f, "port_distance_km", NAN);
    if (port && !isnan(km))
        snprintf(portbuf, sizeof portbuf, ", %.0f km from %s", km, port);
    double pts = c->w->w[RPT_W_ENCOUNTER] + (des ? c->w->w[RPT_W_ENCOUNTER_DESIGNATED] : 0);
    add_item(&c->it, self, pts, idx, CAP_ENCOUNTER, NULL,
             fmt("Met %s%s for %.1f h at %s%s, %s (ship-to-ship transfer pattern)", des ? "designated vessel " : "",
                 name_of(c, other, on, sizeof on), fnd_get_num(f, "duration_h", 0), where(f, at), portbuf,
                 when(f->start_ms, t0)));
}

static void score_gap(scorer *c, const fnd_finding *f, long idx, uint32_t mmsi) {
    const double *w = c->w->w;
    char t0[32], extra[256] = "";
    bool suspected = fnd_get_bool(f, "suspected") == 1, open = fnd_get_bool(f, "open") == 1;
    const char *cause = fnd_get_str(f, "cause");
    bool identity = cause && !strcmp(cause, "identity"); /* went on as another MMSI: identity_mmsi counts that */
    double pts = identity ? 0 : suspected ? w[RPT_W_GAP_SUSPECTED] : w[RPT_W_GAP_COVERAGE];
    size_t k = 0;
    if (fnd_get_bool(f, "draught_changed") == 1) {
        pts += w[RPT_W_GAP_DRAUGHT];
        k += (size_t)snprintf(extra + k, sizeof extra - k, "; draught %.1f \xE2\x86\x92 %.1f m",
                              fnd_get_num(f, "draught_before_m", NAN), fnd_get_num(f, "draught_after_m", NAN));
    }
    if (fnd_get_bool(f, "near_port_of_concern") == 1 && k < sizeof extra) {
        pts += w[RPT_W_GAP_PORT_CONCERN];
        const char *p = fnd_get_bool(f, "start_port_concern") == 1 ? fnd_get_str(f, "start_port")
                        : fnd_get_bool(f, "end_port_concern") == 1 ? fnd_get_str(f, "end_port")
                                                                   : NULL;
        k +=
            (size_t)snprintf(extra + k, sizeof extra - k, "; next to a port of concern%s%s", p ? ", " : "", p ? p : "");
    }
    if (identity) {
        add_item(&c->it, mmsi, pts, idx, CAP_NONE, NULL,
                 fmt("Silent for %.1f h from %s, then heard as MMSI %09u (a change of MMSI)%s",
                     fnd_get_num(f, "duration_h", 0), when(f->start_ms, t0), f->mmsi2, extra));
        return;
    }
    char t[40], on[160];
    pel_format_time(f->start_ms, t);
    bool hole =
        cause ? !strcmp(cause, "coverage") : fnd_get_bool(f, "suspected") == 0; /* a hole: no rendezvous points */
    for (size_t i = 0; !hole && i < c->npg && k < sizeof extra; i++)
        if (c->pg[i].mmsi == mmsi && !strcmp(c->pg[i].start, t)) {
            pts += w[RPT_W_GAP_RENDEZVOUS];
            snprintf(extra + k, sizeof extra - k, "; could have met %s while it loitered (a dark rendezvous?)",
                     name_of(c, c->pg[i].loiterer, on, sizeof on));
            break;
        }
    add_item(&c->it, mmsi, pts, idx, CAP_NONE, NULL,
             fmt("%s for %.1f h from %s%s%s%s", suspected ? "Dark" : "Silent", fnd_get_num(f, "duration_h", 0),
                 when(f->start_ms, t0), open ? " until the end of the data" : "",
                 suspected                             ? " while the cells on its path kept hearing other vessels"
                 : fnd_has_str(f, "cause", "coverage") ? " where reception failed (a coverage hole or a station down)"
                                                       : " where too little is heard to tell (sparse coverage)",
                 extra));
}

static void score_spoofing(scorer *c, const fnd_finding *f, long idx, uint32_t mmsi) {
    const double *w = c->w->w;
    const char *kind = fnd_get_str(f, "kind") ? fnd_get_str(f, "kind") : "";
    char t0[32];
    if (!strcmp(kind, "parallel_segments"))
        add_item(&c->it, mmsi, w[RPT_W_SPOOFING_PARALLEL], idx, CAP_NONE, NULL,
                 fmt("Transmitted from two places at once, %.1f nm apart, from %s (two transmitters on one MMSI?)",
                     fnd_get_num(f, "separation_nm", 0), when(f->start_ms, t0)));
    else if (!strcmp(kind, "impossible_speed"))
        add_item(&c->it, mmsi, w[RPT_W_SPOOFING_SPEED], idx, CAP_NONE, NULL,
                 fmt("Reported positions reachable only at an impossible speed (%.0f jump%s) from %s",
                     fnd_get_num(f, "jumps", 1), fnd_get_num(f, "jumps", 1) == 1 ? "" : "s", when(f->start_ms, t0)));
    else if (!strcmp(kind, "unallocated_mid"))
        add_item(&c->it, mmsi, w[RPT_W_SPOOFING_MID], idx, CAP_NONE, NULL,
                 fmt("Broadcast an MMSI whose country digits (%.0f) belong to no country", fnd_get_num(f, "mid", 0)));
    else if (!strcmp(kind, "invalid_mmsi")) {
        const char *pr = fnd_get_str(f, "mmsi_problem") ? fnd_get_str(f, "mmsi_problem") : "";
        add_item(&c->it, mmsi, w[RPT_W_SPOOFING_MMSI], idx, CAP_NONE, NULL,
                 fmt("Broadcast MMSI %u, which identifies no ship (%s)%s", mmsi,
                     !strcmp(pr, "zero")          ? "zero"
                     : !strcmp(pr, "short")       ? "fewer than nine digits"
                     : !strcmp(pr, "long")        ? "more than nine digits"
                     : !strcmp(pr, "nonstandard") ? "nine digits in no ITU form"
                                                  : "a default many transponders share",
                     fnd_get_num(f, "parallel_segments", 0) > 0 ? ", heard in several places at once" : ""));
    } else if (!strcmp(kind, "on_land"))
        add_item(&c->it, mmsi, w[RPT_W_SPOOFING_LAND], idx, CAP_NONE, NULL,
                 fmt("Reported %.0f km inland from %s, after a jump of %.0f km from the sea (a falsified position?)",
                     fnd_get_num(f, "max_inland_km", 0), when(f->start_ms, t0), fnd_get_num(f, "jump_km", 0)));
    else if (!strcmp(kind, "land_crossing"))
        add_item(&c->it, mmsi, w[RPT_W_SPOOFING_LAND], idx, CAP_NONE, NULL,
                 fmt("Reported a track across %.0f km of land no sea route fits in time (%.0f leg%s) from %s",
                     fnd_get_num(f, "max_land_km", 0), fnd_get_num(f, "legs", 1),
                     fnd_get_num(f, "legs", 1) == 1 ? "" : "s", when(f->start_ms, t0)));
    else if (!strcmp(kind, "offset"))
        add_item(&c->it, mmsi, w[RPT_W_SPOOFING_LAND], idx, CAP_NONE, NULL,
                 fmt("Reported its track shifted %.0f km (bearing %.0f) for %.1f h from %s, then back (a falsified "
                     "position?)",
                     fnd_get_num(f, "offset_km", 0), fnd_get_num(f, "bearing_deg", 0), fnd_get_num(f, "duration_h", 0),
                     when(f->start_ms, t0)));
    else if (!strcmp(kind, "common_point") || !strcmp(kind, "circle"))
        add_item(&c->it, mmsi, w[RPT_W_SPOOFING_GNSS], idx, CAP_NONE, NULL,
                 fmt("Reported %s with %.0f other vessel%s from %s (GNSS manipulation in the area: the vessel may be "
                     "its victim)",
                     !strcmp(kind, "circle") ? "on a circle around one point" : "at the very same point",
                     fnd_get_num(f, "vessels", 1) - 1, fnd_get_num(f, "vessels", 1) == 2 ? "" : "s",
                     when(f->start_ms, t0)));
    else if (!strcmp(kind, "out_of_footprint")) {
        const char *stn = fnd_get_str(f, "station") ? fnd_get_str(f, "station") : "?";
        add_item(&c->it, mmsi, w[RPT_W_SPOOFING_FOOTPRINT], idx, CAP_NONE, NULL,
                 fmt("Reported a position %.0f km from where station %s usually hears (its usual range %.0f km), "
                     "from %s",
                     fnd_get_num(f, "distance_km", 0), stn, fnd_get_num(f, "station_range_km", 0),
                     when(f->start_ms, t0)));
    }
}

static void score_data_quality(scorer *c, const fnd_finding *f, long idx, uint32_t mmsi) {
    const char *kind = fnd_get_str(f, "kind") ? fnd_get_str(f, "kind") : "";
    if (!strcmp(kind, "invalid_imo")) {
        const char *pr = fnd_get_str(f, "problem") ? fnd_get_str(f, "problem") : "";
        add_item(&c->it, mmsi, c->w->w[RPT_W_DATA_IMO], idx, CAP_NONE, NULL,
                 fmt("Broadcast IMO %.0f, which is no IMO number (%s; a data-quality note)", fnd_get_num(f, "imo", 0),
                     !strcmp(pr, "check_digit") ? "its check digit is wrong" : "not seven digits"));
    }
}

static void score_identity(scorer *c, const fnd_finding *f, long idx, uint32_t self, uint32_t other) {
    const double *w = c->w->w;
    const char *field = fnd_get_str(f, "field") ? fnd_get_str(f, "field") : "";
    char a[64], b[64], t1[32], on[160];
    const char *from = value_text(fnd_get(f, "from"), a, sizeof a);
    const char *to = value_text(fnd_get(f, "to"), b, sizeof b);
    if (!strcmp(field, "mmsi")) {
        const char *ff = fnd_get_str(f, "from_flag"), *tf = fnd_get_str(f, "to_flag");
        char flags[32] = "";
        if (ff && tf && strcmp(ff, tf))
            snprintf(flags, sizeof flags, ", flag %.3s to %.3s", ff, tf);
        double silence = fnd_get_num(f, "silence_h", 0);
        char after[48] = "";
        if (silence >= 1)
            snprintf(after, sizeof after, " after %.1f h of silence", silence);
        add_item(
            &c->it, self, w[RPT_W_IDENTITY_MMSI], idx, CAP_NONE, NULL,
            fmt("Went on as MMSI %09u after MMSI %09u%s%s (%s)", f->mmsi2, f->mmsi, flags, after, when(f->end_ms, t1)));
    } else if (!strcmp(field, "imo_shared"))
        add_item(&c->it, self, w[RPT_W_IDENTITY_IMO], idx, CAP_NONE, NULL,
                 fmt("IMO %.0f is also broadcast by %s", fnd_get_num(f, "imo", 0),
                     other ? name_of(c, other, on, sizeof on) : "another MMSI"));
    else if (!strcmp(field, "imo"))
        add_item(&c->it, self, w[RPT_W_IDENTITY_IMO], idx, CAP_NONE, NULL,
                 fmt("Changed IMO from %s to %s (%s)", from, to, when(f->end_ms, t1)));
    else if (!strcmp(field, "name"))
        add_item(&c->it, self, w[RPT_W_IDENTITY_NAME], idx, CAP_NONE, NULL,
                 fmt("Changed name from %s to %s (%s)", from, to, when(f->end_ms, t1)));
    else
        add_item(&c->it, self, w[RPT_W_IDENTITY_OTHER], idx, CAP_NONE, NULL,
                 fmt("Changed %s from %s to %s (%s)",
                     !strcmp(field, "callsign")   ? "call sign"
                     : !strcmp(field, "shiptype") ? "ship type"
                                                  : field,
                     from, to, when(f->end_ms, t1)));
}

/* The points a loitering's possible partners add, and their words in
 * buf: loitering_partner when some partner's gap is not a coverage hole,
 * otherwise loitering_partner_coverage. */
static double partners(scorer *c, const fnd_finding *f, char *buf, size_t cap) {
    const fnd_member *a = fnd_get(f, "possible_partners");
    if (!a || a->kind != FND_ARR || a->n == 0)
        return 0;
    bool dark = false;
    size_t k = 0, n = 0;
    char on[160];
    for (const fnd_member *e = a + 1, *end = a + 1 + a->n; e < end; e = fnd_next(e), n++) {
        const fnd_member *m = fnd_member_get(e, "mmsi"), *s = fnd_member_get(e, "gap_suspected"),
                         *t = fnd_member_get(e, "together_h"), *g = fnd_member_get(e, "gap_cause");
        /* a weak lead only when its gap is a coverage hole: "sparse" (too
         * little heard to tell, the open sea) is no evidence either way */
        bool cov = g && g->kind == FND_STR ? !strcmp(g->v.s, "coverage") : s && s->kind == FND_BOOL && !s->v.b;
        dark |= !cov;
        if (m && m->kind == FND_INT && k < cap)
            k += (size_t)snprintf(buf + k, cap - k, "%s%s (%s%s%.1f h possible together)",
                                  n ? ", " : "; dark then and within reach: ",
                                  name_of(c, (uint32_t)m->v.i, on, sizeof on), cov ? "a coverage hole, " : "",
                                  t && t->kind == FND_NUM ? "" : "?", t && t->kind == FND_NUM ? t->v.d : 0);
    }
    return dark ? c->w->w[RPT_W_LOITERING_PARTNER] : c->w->w[RPT_W_LOITERING_PARTNER_COVERAGE];
}

/* Every possible partner's gap the loiterings of the set name, for
 * score_gap.  False when out of memory. */
static bool partner_gaps(scorer *c, const fnd_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const fnd_member *a = strcmp(s->v[i].event, "loitering") ? NULL : fnd_get(&s->v[i], "possible_partners");
        if (!a || a->kind != FND_ARR)
            continue;
        for (const fnd_member *e = a + 1, *end = a + 1 + a->n; e < end; e = fnd_next(e)) {
            const fnd_member *m = fnd_member_get(e, "mmsi"), *t = fnd_member_get(e, "gap_start");
            if (!m || m->kind != FND_INT || !t || t->kind != FND_STR)
                continue;
            partner_gap *v = realloc(c->pg, (c->npg + 1) * sizeof *v);
            if (!v)
                return false;
            c->pg = v;
            v[c->npg].mmsi = (uint32_t)m->v.i;
            v[c->npg].loiterer = s->v[i].mmsi;
            snprintf(v[c->npg].start, sizeof v[c->npg].start, "%s", t->v.s);
            c->npg++;
        }
    }
    return true;
}

/* The items of one finding, for each vessel it is about. */
static void score_finding(scorer *c, const fnd_finding *f, long idx) {
    const double *w = c->w->w;
    const char *ev = f->event;
    uint32_t m1 = f->mmsi, m2 = f->mmsi2;
    char t0[32], at[40];
    if (!strcmp(ev, "watchlist_match"))
        score_watchlist(c, f, idx, m1);
    else if (!strcmp(ev, "encounter")) {
        score_encounter(c, f, idx, m1, m2);
        if (m2)
            score_encounter(c, f, idx, m2, m1);
    } else if (!strcmp(ev, "gap"))
        score_gap(c, f, idx, m1);
    else if (!strcmp(ev, "port_visit")) {
        if (fnd_get_bool(f, "port_concern") == 1)
            add_item(&c->it, m1, w[RPT_W_PORT_CONCERN], idx, CAP_NONE, NULL,
                     fmt("Visited %s (port of concern) for %.1f h from %s%s",
                         fnd_get_str(f, "port") ? fnd_get_str(f, "port") : "a port", fnd_get_num(f, "duration_h", 0),
                         when(f->start_ms, t0),
                         fnd_get_bool(f, "open") == 1 ? ", still there at the end of the data" : ""));
    } else if (!strcmp(ev, "zone_entry"))
        add_item(&c->it, m1, w[RPT_W_ZONE], idx, CAP_ZONE, NULL,
                 fmt("Inside the area %s for %.1f h from %s", fnd_get_str(f, "zone") ? fnd_get_str(f, "zone") : "?",
                     fnd_get_num(f, "duration_h", 0), when(f->start_ms, t0)));
    else if (!strcmp(ev, "loitering")) {
        char portbuf[200] = "";
        if (fnd_get_str(f, "nearest_port"))
            snprintf(portbuf, sizeof portbuf, ", %.0f nm from %s", fnd_get_num(f, "distance_from_port_nm", 0),
                     fnd_get_str(f, "nearest_port"));
        char partbuf[300] = "";
        double pts = w[RPT_W_LOITERING] + partners(c, f, partbuf, sizeof partbuf);
        add_item(&c->it, m1, pts, idx, CAP_LOITER, NULL,
                 fmt("Loitered for %.1f h at %s%s (mean speed %.1f kn) from %s%s", fnd_get_num(f, "duration_h", 0),
                     where(f, at), portbuf, fnd_get_num(f, "mean_speed_kn", 0), when(f->start_ms, t0), partbuf));
    } else if (!strcmp(ev, "spoofing"))
        score_spoofing(c, f, idx, m1);
    else if (!strcmp(ev, "data_quality"))
        score_data_quality(c, f, idx, m1);
    else if (!strcmp(ev, "identity_change")) {
        score_identity(c, f, idx, m1, m2);
        const char *field = fnd_get_str(f, "field");
        if (m2 && !(field && !strcmp(field, "mmsi"))) /* a change of MMSI: one vessel, counted once */
            score_identity(c, f, idx, m2, m1);
    }
}

/* Reason order: points descending, then finding order (no finding last). */
static int cmp_item(const void *a, const void *b) {
    const item *x = a, *y = b;
    if (x->mmsi != y->mmsi)
        return x->mmsi < y->mmsi ? -1 : 1;
    if (x->points != y->points)
        return x->points > y->points ? -1 : 1;
    unsigned long fx = (unsigned long)x->finding, fy = (unsigned long)y->finding; /* -1 sorts last */
    if (fx != fy)
        return fx < fy ? -1 : 1;
    return 0;
}

static int cmp_vessel(const void *a, const void *b) {
    const rpt_vessel *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->mmsi < y->mmsi ? -1 : x->mmsi > y->mmsi;
}

void rpt_ranking_free(rpt_ranking *r) {
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        for (size_t k = 0; k < r->v[i].nreasons; k++)
            free(r->v[i].reasons[k].text);
        free(r->v[i].reasons);
        free(r->v[i].findings);
        free(r->v[i].mmsis);
    }
    free(r->v);
    r->v = NULL;
    r->n = 0;
}

static pel_status nomem(pel_error *err) {
    return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
}

pel_status rpt_score(const fnd_set *findings, const rpt_weights *w, const uint32_t *extra, size_t nextra,
                     const uint32_t *designated, size_t ndesignated, rpt_name_fn name, void *ud, rpt_ranking *out,
                     pel_error *err) {
    out->v = NULL;
    out->n = 0;
    size_t nf = findings->n;
    /* one ship under several MMSIs is one vessel (the scan's identity_change
     * "mmsi"): its points are summed under its first MMSI */
    mlink *by_to = malloc((nf + 1) * sizeof *by_to), *by_from = malloc((nf + 1) * sizeof *by_from);
    size_t nl = 0;
    if (!by_to || !by_from) {
        free(by_to);
        free(by_from);
        return nomem(err);
    }
    for (size_t i = 0; i < nf; i++) {
        const fnd_finding *f = &findings->v[i];
        const char *field = fnd_get_str(f, "field");
        if (!strcmp(f->event, "identity_change") && field && !strcmp(field, "mmsi") && f->mmsi2 && f->mmsi2 != f->mmsi)
            by_to[nl++] = (mlink){f->mmsi, f->mmsi2};
    }
    if (nl) {
        memcpy(by_from, by_to, nl * sizeof *by_to);
        xqsort(by_to, nl, sizeof *by_to, cmp_mlink_to);
        xqsort(by_from, nl, sizeof *by_from, cmp_mlink_from);
    }
    /* the vessels */
    uint32_t *ves = malloc((2 * nf + nextra + 1) * sizeof *ves), *des = NULL;
    if (!ves) {
        free(by_to);
        free(by_from);
        return nomem(err);
    }
    size_t nv = 0, nd = 0;
    for (size_t i = 0; i < nf; i++) {
        const fnd_finding *f = &findings->v[i];
        ves[nv++] = f->mmsi;
        if (f->mmsi2 > 0)
            ves[nv++] = f->mmsi2;
    }
    for (size_t i = 0; i < nextra; i++)
        ves[nv++] = extra[i];
    nv = uniq_u32(ves, nv);
    if (!designated) {
        des = malloc((nf + 1) * sizeof *des);
        if (!des) {
            free(ves);
            free(by_to);
            free(by_from);
            return nomem(err);
        }
        for (size_t i = 0; i < nf; i++) {
            const fnd_finding *f = &findings->v[i];
            if (!strcmp(f->event, "watchlist_match") && strcmp(confidence_of(f), "low"))
                des[nd++] = f->mmsi;
        }
        nd = uniq_u32(des, nd);
        designated = des;
        ndesignated = nd;
    }
    scorer c = {
        .w = w, .designated = designated, .ndesignated = ndesignated, .name = name, .ud = ud, .by_to = by_to, .nl = nl};
    if (nl && ndesignated) {
        c.dheads = malloc(ndesignated * sizeof *c.dheads);
        if (!c.dheads)
            c.it.nomem = true;
        for (size_t i = 0; c.dheads && i < ndesignated; i++)
            c.dheads[i] = vessel_of(by_to, nl, designated[i]);
        c.ndheads = c.dheads ? uniq_u32(c.dheads, ndesignated) : 0;
    }
    if (!partner_gaps(&c, findings))
        c.it.nomem = true;
    for (size_t i = 0; i < nf && !c.it.nomem; i++)
        score_finding(&c, &findings->v[i], (long)i);
    free(c.dheads);
    c.dheads = NULL;
    free(c.pg);
    c.pg = NULL;
    for (size_t i = 0; i < nv && !c.it.nomem; i++)
        if (ves[i] / 1000000 == 445 && !pel_mmsi_invalid(ves[i]))
            add_item(&c.it, ves[i], w->w[RPT_W_FLAG_DPRK], -1, CAP_NONE, "flag_dprk",
                     fmt("Broadcast an MMSI allocated to North Korea (445)"));
    free(des);
    /* every MMSI to its vessel (the MID reason once per vessel: its key) */
    for (size_t i = 0; nl && i < c.it.n; i++)
        c.it.v[i].mmsi = vessel_of(by_to, nl, c.it.v[i].mmsi);
    for (size_t i = 0; nl && i < nv; i++)
        ves[i] = vessel_of(by_to, nl, ves[i]);
    nv = uniq_u32(ves, nv);
    rpt_vessel *rv = calloc(nv ? nv : 1, sizeof *rv);
    if (c.it.nomem || !rv) {
        for (size_t i = 0; i < c.it.n; i++)
            free(c.it.v[i].text);
        free(c.it.v);
        free(ves);
        free(rv);
        free(by_to);
        free(by_from);
        return nomem(err);
    }
    /* the analysts' reviews (docs/review.md): a dismissed finding is worth
       nothing, its reason kept with the dismissal; a confirmed one says so */
    for (size_t i = 0; i < c.it.n && !c.it.nomem; i++)
        review_item(&c.it.v[i], findings, &c.it.nomem);
    /* per vessel: caps, one designation per entry, no zero items */
    if (c.it.n)
        xqsort(c.it.v, c.it.n, sizeof *c.it.v, cmp_item);
    for (size_t a = 0, b; a < c.it.n; a = b) {
        for (b = a; b < c.it.n && c.it.v[b].mmsi == c.it.v[a].mmsi; b++)
            ;
        int counted[4] = {0};
        for (size_t i = a; i < b; i++) {
            item *x = &c.it.v[i];
            if (x->dismissed)
                continue; /* shown, not counted */
            if (x->points <= 0)
                x->keep = false;
            else if (x->cap != CAP_NONE && counted[x->cap]++ >= RPT_CAP)
                x->keep = false;
            else if (x->key[0])
                for (size_t j = a; j < i; j++) /* an earlier item is as good or better */
                    if (c.it.v[j].keep && !strcmp(c.it.v[j].key, x->key))
                        x->keep = false;
        }
    }
    pel_status st = PEL_OK;
    for (size_t i = 0; i < nv; i++) {
        rv[i].mmsi = ves[i];
        size_t n = 1;
        for (const mlink *k = mlink_find(by_from, nl, ves[i], false); k && n <= nl;
             k = mlink_find(by_from, nl, k->to, false))
            n++;
        rv[i].mmsis = malloc(n * sizeof *rv[i].mmsis);
        if (!rv[i].mmsis) {
            st = PEL_ERR_NOMEM;
            continue;
        }
        rv[i].mmsis[0] = ves[i];
        const mlink *k = mlink_find(by_from, nl, ves[i], false);
        for (rv[i].nmmsis = 1; k && rv[i].nmmsis < n; k = mlink_find(by_from, nl, k->to, false))
            rv[i].mmsis[rv[i].nmmsis++] = k->to;
    }
    size_t vi = 0;
    for (size_t i = 0; i < c.it.n; i++) {
        item *x = &c.it.v[i];
        while (vi < nv && rv[vi].mmsi < x->mmsi)
            vi++;
        if (!x->keep || vi == nv || rv[vi].mmsi != x->mmsi) {
            free(x->text);
            continue;
        }
        rpt_vessel *v = &rv[vi];
        rpt_reason *nr = realloc(v->reasons, (v->nreasons + 1) * sizeof *nr);
        if (!nr) {
            free(x->text);
            st = PEL_ERR_NOMEM;
            continue;
        }
        v->reasons = nr;
        v->reasons[v->nreasons++] = (rpt_reason){.text = x->text, .points = x->points, .finding = x->finding};
        v->score += x->points;
        if (x->low)
            v->low_points += x->points;
    }
    free(c.it.v);
    /* the findings of each vessel */
    for (size_t i = 0; i < nf && st == PEL_OK; i++) {
        const fnd_finding *f = &findings->v[i];
        uint32_t m[2] = {vessel_of(by_to, nl, f->mmsi), f->mmsi2 ? vessel_of(by_to, nl, f->mmsi2) : 0};
        for (int k = 0; k < 2; k++) {
            uint32_t *hit = m[k] ? xbsearch(&m[k], ves, nv, sizeof *ves, cmp_u32) : NULL;
            if (!hit || (k == 1 && m[1] == m[0]))
                continue;
            rpt_vessel *v = &rv[hit - ves];
            size_t *nfi = realloc(v->findings, (v->nfindings + 1) * sizeof *nfi);
            if (!nfi) {
                st = PEL_ERR_NOMEM;
                break;
            }
            v->findings = nfi;
            v->findings[v->nfindings++] = i;
        }
    }
    free(ves);
    free(by_to);
    free(by_from);
    for (size_t i = 0; i < nv; i++) {
        rv[i].score = round1(rv[i].score);
        rv[i].level = rpt_level(w, rv[i].score);
        /* a name alone never makes a vessel high: without its low-confidence
         * designations the vessel must reach the threshold on its own */
        if (!strcmp(rv[i].level, "high") && rv[i].score - rv[i].low_points < w->w[RPT_W_HIGH])
            rv[i].level = "medium";
    }
    out->v = rv;
    out->n = nv;
    if (st != PEL_OK) {
        rpt_ranking_free(out);
        return nomem(err);
    }
    if (nv)
        xqsort(rv, nv, sizeof *rv, cmp_vessel);
    return PEL_OK;
}

/* ---- the scan, filtered --------------------------------------------------- */

void rpt_run_free(rpt_run *r) {
    if (!r)
        return;
    fnd_set_free(r->findings);
    free(r->designated);
    rpt_ranking_free(&r->rank);
    free(r->data_dir);
    memset(r, 0, sizeof *r);
}

typedef struct namer {
    pel_store *s;
    char *last;
} namer;

static const char *store_name(void *ud, uint32_t mmsi) {
    namer *n = ud;
    free(n->last);
    n->last = st_latest_name(n->s, mmsi);
    return n->last;
}

pel_status rpt_run_scan(pel_store *s, const pel_report_opts *o, rpt_run *r, pel_error *err) {
    memset(r, 0, sizeof *r);
    rpt_weights_default(&r->w);
    const char *dir = geo_data_dir(o->data_dir);
    r->data_dir = strdup(dir);
    const char **det = calloc(o->nset + 1, sizeof *det);
    if (!r->data_dir || !det) {
        free(det);
        rpt_run_free(r);
        return nomem(err);
    }
    size_t ndet = 0;
    r->draw = (rpt_draw){.simplify_deg = 0.0005, .max_points = 2000};
    pel_status st = rpt_split_settings(o->set, o->nset, &r->w, &r->draw, det, &ndet, err);
    fnd_set *all = NULL;
    if (st == PEL_OK) {
        pel_scan_opts so = {.data_dir = o->data_dir,
                            .zones_path = o->zones_path,
                            .set = det,
                            .nset = ndet,
                            .stored_lists_only = o->stored_lists_only,
                            .lists_default = o->lists_default,
                            .subjects = o->subjects,
                            .nsubjects = o->nsubjects};
        st = pel_scan_findings(s, &so, &all, NULL, err);
    }
    free(det);
    /* the designated vessels, over the whole scan */
    if (st == PEL_OK) {
        r->designated = malloc((all->n + 1) * sizeof *r->designated);
        if (!r->designated)
            st = nomem(err);
        for (size_t i = 0; st == PEL_OK && i < all->n; i++)
            if (!strcmp(all->v[i].event, "watchlist_match"))
                r->designated[r->ndesignated++] = all->v[i].mmsi;
        if (st == PEL_OK)
            r->ndesignated = uniq_u32(r->designated, r->ndesignated);
    }
    /* the selection */
    uint32_t *sel = NULL;
    size_t nsel = 0;
    if (st == PEL_OK && o->mmsi && o->nmmsi) {
        sel = malloc(o->nmmsi * sizeof *sel);
        if (!sel)
            st = nomem(err);
        else {
            memcpy(sel, o->mmsi, o->nmmsi * sizeof *sel);
            nsel = uniq_u32(sel, o->nmmsi);
        }
    }
    bool *keep = st == PEL_OK ? malloc((all->n + 1) * sizeof *keep) : NULL;
    if (st == PEL_OK && !keep)
        st = nomem(err);
    for (size_t i = 0; st == PEL_OK && i < all->n; i++) {
        const fnd_finding *f = &all->v[i];
        keep[i] = !(f->end_ms < o->from_ms || f->start_ms > o->to_ms) &&
                  (!sel || has_mmsi(sel, nsel, f->mmsi) || has_mmsi(sel, nsel, f->mmsi2));
    }
    if (st == PEL_OK) {
        fnd_set_keep(all, keep);
        r->findings = all;
        all = NULL;
    }
    free(keep);
    fnd_set_free(all);
    if (st == PEL_OK) {
        namer nm = {.s = s};
        st = rpt_score(r->findings, &r->w, sel, nsel, r->designated, r->ndesignated, store_name, &nm, &r->rank, err);
        free(nm.last);
    }
    free(sel);
    if (st != PEL_OK)
        rpt_run_free(r);
    return st;
}

/* ---- pel_rank -------------------------------------------------------------- */

json_t *rpt_jstr(const char *s) {
    if (!s)
        return json_null();
    char *c = esc_utf8_dup(s, strlen(s));
    json_t *v = c ? json_string(c) : NULL;
    free(c);
    return v ? v : json_null();
}

pel_status pel_rank(pel_store *s, const pel_report_opts *o, FILE *out, pel_findings_format fmt, size_t limit,
                    pel_error *err) {
    pel_report_opts dflt = {.from_ms = INT64_MIN, .to_ms = INT64_MAX};
    pel_report_opts copy;
    if (!o)
        o = &dflt;
    else if (o->from_ms == 0 && o->to_ms == 0) { /* a zeroed struct: no time limits */
        copy = *o;
        copy.from_ms = INT64_MIN;
        copy.to_ms = INT64_MAX;
        o = &copy;
    }
    if (!s || !out)
        return arg_error(err, "pel_rank", "no store or no output");
    rpt_run r;
    pel_status st = rpt_run_scan(s, o, &r, err);
    if (st != PEL_OK)
        return st;
    size_t n = limit && limit < r.rank.n ? limit : r.rank.n;
    if (fmt == PEL_FIND_TABLE)
        fprintf(out, "%4s %6s %-6s %-9s %-20s %-7s  %s\n", "rank", "score", "level", "mmsi", "name", "imo",
                "reasons (points)");
    else if (fmt == PEL_FIND_CSV)
        fputs("rank,mmsi,name,imo,score,level,reasons,mmsis\n", out);
    for (size_t i = 0; i < n && st == PEL_OK; i++) {
        const rpt_vessel *v = &r.rank.v[i];
        st_latest id;
        /* the ship's latest identity: that of its last MMSI */
        st = st_latest_identity(s, v->nmmsis ? v->mmsis[v->nmmsis - 1] : v->mmsi, &id, err);
        if (st != PEL_OK)
            break;
        if (fmt == PEL_FIND_TABLE) {
            fprintf(out, "%4zu %6.1f %-6s %09u ", i + 1, v->score, v->level, v->mmsi);
            disp_fput_cell(out, id.name, 20, true);
            fputc(' ', out);
            if (id.imo)
                fprintf(out, "%-7u", id.imo);
            else
                fprintf(out, "%-7s", "");
            for (size_t k = 0; k < v->nreasons && k < 3; k++) {
                fprintf(out, "%s(%+.1f) ", k ? "\n                                                           " : "  ",
                        v->reasons[k].points);
                disp_fput_cell(out, v->reasons[k].text, 160, false);
            }
            if (v->nreasons > 3)
                fprintf(out, "\n                                                             ... %zu more",
                        v->nreasons - 3);
            if (v->nmmsis > 1) { /* one ship under several MMSIs */
                fprintf(out, "\n                  one ship, its MMSIs in time order:");
                for (size_t k = 0; k < v->nmmsis; k++)
                    fprintf(out, " %09u", v->mmsis[k]);
            }
            fputc('\n', out);
        } else if (fmt == PEL_FIND_CSV) {
            fprintf(out, "%zu,%u,", i + 1, v->mmsi);
            if (id.name)
                esc_csv(out, id.name, 0);
            fputc(',', out);
            if (id.imo)
                fprintf(out, "%u", id.imo);
            fprintf(out, ",%.1f,%s,", v->score, v->level);
            char *joined = NULL;
            size_t jlen = 0;
            FILE *m = open_memstream(&joined, &jlen);
            for (size_t j = 0; m && j < v->nreasons; j++)
                fprintf(m, "%s%s (%+.1f)", j ? " | " : "", v->reasons[j].text, v->reasons[j].points);
            if (!m || fclose(m) != 0) {
                free(joined);
                st_latest_clear(&id);
                st = nomem(err);
                break;
            }
            esc_csv(out, joined, 0);
            free(joined);
            fputc(',', out);
            for (size_t k = 0; k < v->nmmsis; k++)
                fprintf(out, "%s%u", k ? " " : "", v->mmsis[k]);
            fputc('\n', out);
        } else {
            json_t *o2 = json_object(), *rs = json_array();
            json_object_set_new(o2, "mmsi", json_integer(v->mmsi));
            json_t *ms = json_array();
            for (size_t k = 0; k < v->nmmsis; k++)
                json_array_append_new(ms, json_integer(v->mmsis[k]));
            json_object_set_new(o2, "mmsis", ms);
            json_object_set_new(o2, "name", rpt_jstr(id.name));
            json_object_set_new(o2, "imo", id.imo ? json_integer(id.imo) : json_null());
            json_object_set_new(o2, "score", json_real(v->score));
            json_object_set_new(o2, "level", json_string(v->level));
            for (size_t k = 0; k < v->nreasons; k++) {
                const fnd_finding *f =
                    v->reasons[k].finding >= 0 ? &r.findings->v[(size_t)v->reasons[k].finding] : NULL;
                char t0[40];
                if (f)
                    pel_format_time(f->start_ms, t0);
                json_t *x = json_object();
                json_object_set_new(x, "text", rpt_jstr(v->reasons[k].text));
                json_object_set_new(x, "points", json_real(v->reasons[k].points));
                json_object_set_new(x, "event", f ? rpt_jstr(f->event) : json_string("mmsi_country"));
                json_object_set_new(x, "start", f ? json_string(t0) : json_null());
                json_array_append_new(rs, x);
            }
            json_object_set_new(o2, "reasons", rs);
            char *line = json_dumps(o2, JSON_COMPACT | JSON_REAL_PRECISION(10));
            json_decref(o2);
            if (!line)
                st = nomem(err);
            else {
                esc_json_text(out, line, 0);
                fputc('\n', out);
                free(line);
            }
        }
        st_latest_clear(&id);
    }
    if (st == PEL_OK && ferror(out)) {
        st = PEL_ERR_IO;
        pel_fail(err, st, "writing the ranking failed");
    }
    rpt_run_free(&r);
    return st;
}
