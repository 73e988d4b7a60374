/*
 * scan.c -- pelorus scan's engine: every detector over the whole store.
 *
 * Vessel by vessel (in MMSI order) the usable positions (segment >= 0) go
 * to the per-vessel detectors (loitering, gaps, port visits, zone entries,
 * spoofing signs) and to the encounter accumulator, which resamples and
 * pairs vessels once all are read.  Identity changes come from the identity
 * history, list matches from screening (src/screen/).  Findings are
 * collected into a set (findings/finding.h), put in canonical order and
 * handed back (pel_scan_findings) or written (pel_scan), so the output
 * depends only on the store and the settings.
 *
 * Geography: the port list, zones and MID table from data/ (docs/findings.md
 * names them), or a zones file of the user's.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "det_detectors.h"
#include "det_internal.h"
#include "det_vessel.h"
#include "findings/write.h"
#include "geo.h"
#include "screen.h"
#include "store/store.h"
#include "util/numtext.h"

typedef struct scan {
    fnd_set *found; /* the findings, as the detectors emit them (fnd_set_push) */
    pel_store *s;
    geo_ports *ports;
    geo_zones *zones;
    geo_mid *mid;
    det_geo geo, geo_near;
    det_enc_opts enc_o;
    det_loiter_opts loi_o;
    det_gap_opts gap_o;
    det_port_opts port_o;
    det_zone_opts zone_o;
    det_gap_context gctx;
    det_enc *enc;
    int64_t data_end;
    int64_t data_start;
    uint16_t *hours;         /* positions heard per hour since data_start (saturating) */
    size_t nhours;
    uint64_t vessels_heard;  /* vessels with usable positions */
    uint64_t gaps_in_holes;  /* gaps left out: the whole feed was silent */
    st_coverage *cov;        /* positions heard near a gap, for others_heard */
    pel_position *use;
    size_t usecap;
    uint64_t vessels;
    uint64_t gear;           /* vessels left out as fishing gear */
} scan;

/* ---- geography for the detectors --------------------------------------------- */

static double port_dist(void *ud, double lat, double lon, int *port) {
    scan *c = ud;
    double d = INFINITY;
    int i = geo_port_nearest(c->ports, lat, lon, &d);
    if (port)
        *port = i;
    return i < 0 ? INFINITY : d;
}

/* The same, for callers that only care about ports close by (port visits,
 * asked for every position): the search stops at 20 km (or twice the exit
 * distance, if larger), which keeps
 * it cheap in the open sea; farther ports read as infinitely far. */
static double port_dist_near(void *ud, double lat, double lon, int *port) {
    scan *c = ud;
    int idx;
    double d;
    double near = c->port_o.exit_m * 2 > 20000 ? c->port_o.exit_m * 2 : 20000; /* well past any visit */
    if (geo_port_within(c->ports, lat, lon, near, &idx, &d, 1) < 1) {
        if (port)
            *port = -1;
        return INFINITY;
    }
    if (port)
        *port = idx;
    return d;
}

static const char *port_name(void *ud, int i) { return geo_port_name(((scan *)ud)->ports, i); }

static int port_concern(void *ud, int i) { return geo_port_concern(((scan *)ud)->ports, i); }

static int zones_at(void *ud, double lat, double lon, int *out, int cap) {
    return geo_zones_at(((scan *)ud)->zones, lat, lon, out, cap);
}

static const char *zone_name(void *ud, int i) { return geo_zone_name(((scan *)ud)->zones, i); }

static bool mid_ok(void *ud, uint32_t mmsi) {
    char iso[3];
    scan *c = ud;
    unsigned first = mmsi / 100000000;
    if (first < 2 || first > 7)
        return true; /* not a ship MMSI form: not judged here */
    return geo_mid_country(c->mid, mmsi, iso);
}

/* ---- context for the gap detector ---------------------------------------------- */

static double draught_at(void *ud, uint32_t mmsi, int64_t t, bool before) {
    scan *c = ud;
    return st_draught_near(c->s, mmsi, t, before);
}

/* Positions of other vessels heard within radius_m of (lat, lon) between
 * from and to (inclusive): the coverage judgement of det_gap.c. */
static long others_heard(void *ud, uint32_t mmsi, double lat, double lon, double radius_m, int64_t from, int64_t to) {
    scan *c = ud;
    return st_coverage_count(c->cov, mmsi, lat, lon, radius_m, from, to);
}

/* ---- settings ----------------------------------------------------------------- */

/* The detectors' options, as the settings set them. */
typedef struct det_settings {
    det_enc_opts enc;
    det_loiter_opts loi;
    det_gap_opts gap;
    det_port_opts port;
    det_zone_opts zone;
} det_settings;

/* One setting: where it goes, and the values it accepts.  The ranges keep
 * every value within what the detector's arithmetic can take (hours and
 * seconds become int64 milliseconds, distances size a grid, counts and
 * steps size arrays) and within what means something at sea; docs/
 * findings.md lists them beside the settings. */
typedef struct setting {
    const char *name;
    double lo, hi;
    bool whole;       /* a whole number */
    const char *unit; /* for the message */
    double *d;        /* one of d, i, l is set */
    int *i;
    long *l;
} setting;

static pel_status setting_error(pel_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static pel_status setting_error(pel_error *err, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = PEL_ERR_ARG;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return PEL_ERR_ARG;
}

static pel_status apply_settings(det_settings *c, const char *const *set, size_t nset, pel_error *err) {
    /* clang-format off */
    const setting table[] = {
        {"encounter.max_distance_m",        1, 50000,   false, "metres",  &c->enc.max_distance_m, NULL, NULL},
        {"encounter.min_duration_h",        0, 720,     false, "hours",   &c->enc.min_duration_h, NULL, NULL},
        {"encounter.max_median_speed_kn",   0, 50,      false, "knots",   &c->enc.max_median_speed_kn, NULL, NULL},
        {"encounter.min_port_distance_m",   0, 1000000, false, "metres",  &c->enc.min_port_distance_m, NULL, NULL},
        {"encounter.merge_gap_h",           0, 720,     false, "hours",   &c->enc.merge_gap_h, NULL, NULL},
        {"encounter.step_s",                60, 86400,  true,  "seconds", NULL, &c->enc.step_s, NULL},
        {"encounter.max_interp_gap_s",      60, 604800, true,  "seconds", NULL, &c->enc.max_interp_gap_s, NULL},
        {"loitering.max_speed_kn",          0, 50,      false, "knots",   &c->loi.max_speed_kn, NULL, NULL},
        {"loitering.min_duration_h",        0, 720,     false, "hours",   &c->loi.min_duration_h, NULL, NULL},
        {"loitering.min_port_distance_m",   0, 1000000, false, "metres",  &c->loi.min_port_distance_m, NULL, NULL},
        {"loitering.max_gap_h",             0, 720,     false, "hours",   &c->loi.max_gap_h, NULL, NULL},
        {"loitering.max_implied_speed_kn",  0, 1000,    false, "knots",   &c->loi.max_implied_speed_kn, NULL, NULL},
        {"loitering.noise_m",               0, 100000,  false, "metres",  &c->loi.noise_m, NULL, NULL},
        {"gap.min_gap_h",                   0.25, 8760, false, "hours",   &c->gap.min_gap_h, NULL, NULL},
        {"gap.port_radius_m",               0, 100000,  false, "metres",  &c->gap.port_radius_m, NULL, NULL},
        {"gap.coverage_radius_m",           0, 500000,  false, "metres",  &c->gap.coverage_radius_m, NULL, NULL},
        {"gap.min_others",                  0, 1000000, true,  "positions", NULL, NULL, &c->gap.min_others},
        {"gap.coverage_margin_s",           0, 86400,   false, "seconds", &c->gap.coverage_margin_s, NULL, NULL},
        {"gap.draught_change_m",            0, 30,      false, "metres",  &c->gap.draught_change_m, NULL, NULL},
        {"gap.min_feed_fraction",           0, 1,       false, "fraction", &c->gap.min_feed_fraction, NULL, NULL},
        {"port_visit.entry_m",              1, 50000,   false, "metres",  &c->port.entry_m, NULL, NULL},
        {"port_visit.exit_m",               1, 50000,   false, "metres",  &c->port.exit_m, NULL, NULL},
        {"port_visit.stop_kn",              0, 50,      false, "knots",   &c->port.stop_kn, NULL, NULL},
        {"zone_entry.min_positions",        1, 1000000, true,  "positions", NULL, NULL, &c->zone.min_positions},
    };
    /* clang-format on */
    for (size_t k = 0; k < nset; k++) {
        const char *s = set[k] ? set[k] : "";
        const char *eq = strchr(s, '=');
        size_t klen = eq ? (size_t)(eq - s) : strlen(s);
        const setting *t = NULL;
        for (size_t j = 0; j < sizeof table / sizeof table[0] && !t; j++)
            if (strlen(table[j].name) == klen && !strncmp(table[j].name, s, klen))
                t = &table[j];
        if (!t)
            return setting_error(err, "unknown setting %.*s (docs/findings.md lists them)", (int)(klen > 80 ? 80 : klen),
                                 s);
        double v;
        if (!eq || !num_real(eq + 1, &v) || v < t->lo || v > t->hi || (t->whole && !num_is_whole(v)))
            return setting_error(err, "%s wants %s from %.15g to %.15g %s, not \"%.40s\" (docs/findings.md)", t->name,
                                 t->whole ? "a whole number" : "a number", t->lo, t->hi, t->unit, eq ? eq + 1 : "");
        if (t->d)
            *t->d = v;
        else if (t->i)
            *t->i = (int)v;
        else
            *t->l = (long)v;
    }
    if (c->port.entry_m > c->port.exit_m)
        return setting_error(err, "port_visit.entry_m (%g) is beyond port_visit.exit_m (%g): a visit starts inside"
                                  " the distance at which it ends (docs/findings.md)",
                             c->port.entry_m, c->port.exit_m);
    return PEL_OK;
}

static void default_settings(det_settings *c) {
    det_enc_default_opts(&c->enc);
    det_loiter_default_opts(&c->loi);
    det_gap_default_opts(&c->gap);
    det_port_default_opts(&c->port);
    det_zone_default_opts(&c->zone);
}

pel_status pel_scan_check_settings(const char *const *set, size_t nset, pel_error *err) {
    det_settings c;
    default_settings(&c);
    return apply_settings(&c, set, nset, err);
}

/* ---- the vessels -------------------------------------------------------------- */

/* True when a name the vessel broadcast is that of fishing gear
 * (pel_text_gear).  MMSI 0 and the shared defaults are never gear: many
 * transmitters share them. */
static bool is_gear(scan *c, uint32_t mmsi) {
    pel_mmsi_kind k = pel_mmsi_classify(mmsi);
    if (k == PEL_MMSI_ZERO || k == PEL_MMSI_PLACEHOLDER)
        return false;
    st_iter *it = st_names_of(c->s, mmsi, NULL);
    const char *name;
    bool gear = false;
    while (!gear && st_name_next(it, &name, NULL) > 0)
        gear = pel_text_gear(name);
    st_iter_free(it);
    if (gear)
        c->gear++;
    return gear;
}

static int on_vessel(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    (void)name;
    scan *c = ud;
    c->vessels++;
    if (n > c->usecap) {
        size_t ncap = c->usecap ? c->usecap : 1024;
        while (ncap < n)
            ncap *= 2;
        pel_position *nu = realloc(c->use, ncap * sizeof *nu);
        if (!nu) {
            c->found->failed = PEL_ERR_NOMEM;
            return 1;
        }
        c->use = nu;
        c->usecap = ncap;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].segment >= 0)
            c->use[k++] = p[i];
    if (!k)
        return 0;
    /* fishing gear (a buoy named "LONGLINE BUOY 0846%") is no vessel: its
     * made-up MMSI and the days it drifts beside its boat are no lead */
    if (is_gear(c, mmsi))
        return 0;
    /* MMSI 0 and the defaults shared by many transponders are several
     * vessels under one number: their "track" is no vessel's behaviour.
     * They get the invalid_mmsi finding alone (det_spoof_track). */
    pel_mmsi_kind mk = pel_mmsi_classify(mmsi);
    if (mk == PEL_MMSI_ZERO || mk == PEL_MMSI_PLACEHOLDER) {
        det_spoof_track(mmsi, c->use, k, NULL, NULL, fnd_set_push, c->found);
        return c->found->failed != PEL_OK;
    }
    det_loiter_track(&c->loi_o, &c->geo, mmsi, c->use, k, fnd_set_push, c->found);
    /* the feed's pulse, for judging gaps once every vessel is read */
    c->vessels_heard++;
    for (size_t i = 0; c->hours && i < k; i++) {
        int64_t h = (c->use[i].t_ms - c->data_start) / 3600000;
        if (h >= 0 && (size_t)h < c->nhours && c->hours[h] < UINT16_MAX)
            c->hours[h]++;
    }
    pel_status st = det_gap_track(&c->gap_o, &c->geo, &c->gctx, mmsi, c->use, k, fnd_set_push, c->found);
    if (st == PEL_OK)
        st = det_port_track(&c->port_o, &c->geo_near, mmsi, c->use, k, fnd_set_push, c->found);
    if (st == PEL_OK && c->zones)
        st = det_zone_track(&c->zone_o, &c->geo, mmsi, c->use, k, fnd_set_push, c->found);
    det_spoof_track(mmsi, c->use, k, c->mid ? mid_ok : NULL, c, fnd_set_push, c->found);
    if (st == PEL_OK)
        st = det_enc_add_track(c->enc, mmsi, c->use, k);
    if (st != PEL_OK && c->found->failed == PEL_OK)
        c->found->failed = PEL_ERR_NOMEM;
    return c->found->failed != PEL_OK;
}

/* Gaps against the feed's pulse: in data from many vessels, a silence
 * during which the whole feed was silent most of the time (no position of
 * any vessel in more than half of its hours: a receiver network down, a
 * file holding two days a year apart) is a hole in the data, not a
 * vessel's gap; it is left out (counted in the scan's statistics).  Every
 * gap kept says how much of it the feed covered ("feed_hours_fraction").
 * A store holding one vessel only cannot be judged: its gaps are kept. */
static pel_status judge_gaps(scan *c) {
    fnd_set *s = c->found;
    bool *keep = malloc((s->n ? s->n : 1) * sizeof *keep);
    if (!keep)
        return PEL_ERR_NOMEM;
    for (size_t i = 0; i < s->n; i++) {
        const fnd_finding *f = &s->v[i];
        keep[i] = true;
        if (strcmp(f->event, "gap") != 0 || !c->hours)
            continue;
        /* the hours strictly inside the gap: its edges hold its own positions */
        int64_t h0 = (f->start_ms - c->data_start) / 3600000 + 1, h1 = (f->end_ms - c->data_start) / 3600000 - 1;
        size_t heard = 0, all = 0;
        for (int64_t h = h0; h <= h1; h++, all++)
            heard += h >= 0 && (size_t)h < c->nhours && c->hours[h] > 0;
        double frac = all ? (double)heard / (double)all : 1.0;
        if (c->vessels_heard > 1 && frac < c->gap_o.min_feed_fraction) {
            c->gaps_in_holes++;
            keep[i] = false;
            continue;
        }
        if (fnd_set_append_num(s, i, "feed_hours_fraction", frac, 2) != PEL_OK) {
            free(keep);
            return PEL_ERR_NOMEM;
        }
    }
    fnd_set_keep(s, keep);
    free(keep);
    return PEL_OK;
}

static char *join(const char *dir, const char *file) {
    size_t n = strlen(dir) + strlen(file) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s/%s", dir, file);
    return s;
}

static double seconds(struct timespec a, struct timespec b) {
    return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

pel_status pel_scan_findings(pel_store *s, const pel_scan_opts *o, pel_findings **out, pel_scan_stats *stats,
                             pel_error *err) {
    pel_scan_opts dflt = {0};
    if (!o)
        o = &dflt;
    *out = NULL;
    struct timespec t0, t1, t2, t3;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    t1 = t2 = t0;
    scan c = {.s = s};
    det_settings ds;
    default_settings(&ds);
    pel_status st = apply_settings(&ds, o->set, o->nset, err);
    if (st != PEL_OK)
        return st;
    if (!(c.found = fnd_set_new())) {
        if (err) {
            err->code = PEL_ERR_NOMEM;
            snprintf(err->msg, sizeof err->msg, "out of memory");
        }
        return PEL_ERR_NOMEM;
    }
    c.enc_o = ds.enc;
    c.loi_o = ds.loi;
    c.gap_o = ds.gap;
    c.port_o = ds.port;
    c.zone_o = ds.zone;
    const char *dir = geo_data_dir(o->data_dir);
    char *pp = join(dir, "ports.csv"), *zp = o->zones_path ? NULL : join(dir, "zones.geojson"),
         *mp = join(dir, "mid.csv");
    if (!pp || !mp || (!o->zones_path && !zp))
        st = PEL_ERR_NOMEM;
    if (st == PEL_OK)
        st = geo_ports_load(pp, &c.ports, err);
    if (st == PEL_OK)
        st = geo_zones_load(o->zones_path ? o->zones_path : zp, &c.zones, err);
    if (st == PEL_OK)
        st = geo_mid_load(mp, &c.mid, err);
    free(pp);
    free(zp);
    free(mp);
    c.geo = (det_geo){port_dist, port_name, port_concern, zones_at, zone_name, &c};
    c.geo_near = (det_geo){port_dist_near, port_name, port_concern, zones_at, zone_name, &c};
    if (st == PEL_OK && !(c.cov = st_coverage_new(s, err)))
        st = PEL_ERR_IO;
    if (st == PEL_OK) {
        if (!st_data_span(s, &c.data_start, &c.data_end))
            c.data_start = c.data_end = 0;
        if (c.data_end > c.data_start) {
            /* times are checked at ingest (1990 .. tomorrow): at most ~330,000 hours */
            c.nhours = (size_t)((c.data_end - c.data_start) / 3600000 + 1);
            c.hours = calloc(c.nhours, sizeof *c.hours);
            if (!c.hours)
                st = PEL_ERR_NOMEM;
        }
        c.gctx = (det_gap_context){.draught_at = draught_at, .others_heard = others_heard, .data_end_ms = c.data_end,
                                   .ud = &c};
        c.enc = det_enc_new(&c.enc_o);
        if (!c.enc)
            st = PEL_ERR_NOMEM;
    }
    if (st == PEL_OK) {
        pel_track_filter f = {0};
        st = pel_tracks(s, &f, on_vessel, &c, err);
        if (st == PEL_STOPPED || c.found->failed != PEL_OK)
            st = c.found->failed != PEL_OK ? c.found->failed : PEL_ERR_NOMEM;
    }
    if (st == PEL_OK)
        st = judge_gaps(&c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (st == PEL_OK && det_enc_run(c.enc, &c.geo, fnd_set_push, c.found) != PEL_OK)
        st = PEL_ERR_NOMEM;
    clock_gettime(CLOCK_MONOTONIC, &t2);
    if (st == PEL_OK)
        st = det_identity_run(s, fnd_set_push, c.found);
    if (st == PEL_OK && c.found->failed != PEL_OK)
        st = c.found->failed;
    if (st == PEL_OK) { /* watchlist matches: the stored lists, or the default */
        pel_matcher *m = NULL;
        bool is_default = false;
        st = sc_load_matcher(s, o->data_dir, &m, &is_default, err);
        if (st == PEL_OK)
            st = sc_screen(s, m, is_default, c.mid, fnd_set_push, c.found, NULL, err);
        pel_matcher_free(m);
        if (st == PEL_OK && c.found->failed != PEL_OK)
            st = c.found->failed;
    }
    /* the inputs' paths for the evidence */
    char **paths = NULL;
    size_t npaths = 0;
    if (st == PEL_OK) {
        st = st_input_paths(s, &paths, &npaths, NULL);
        fnd_set_paths(c.found, paths, npaths); /* the set owns them now */
        fnd_set_sort(c.found);
        if (st != PEL_OK && err) {
            err->code = st;
            snprintf(err->msg, sizeof err->msg, "reading the inputs' paths failed");
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t3);
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->vessels_s = seconds(t0, t1);
        stats->encounter_s = seconds(t1, t2);
        stats->total_s = seconds(t0, t3);
        stats->vessels = c.vessels;
        stats->gear = c.gear;
        stats->gaps_in_holes = c.gaps_in_holes;
        stats->findings = c.found->n;
        for (size_t i = 0; i < c.found->n; i++) {
            int e = fnd_event_index(c.found->v[i].event);
            if (e >= 0)
                stats->by_event[e]++;
        }
    }
    if (st == PEL_ERR_ARG && err && !err->msg[0]) { /* fnd_set_push refused a builder: a detector's bug */
        err->code = st;
        snprintf(err->msg, sizeof err->msg, "a finding with more than %d members", FND_MAX_MEMBERS);
    }
    if (st == PEL_ERR_NOMEM && err && !err->msg[0]) {
        err->code = st;
        snprintf(err->msg, sizeof err->msg, "out of memory");
    }
    if (st == PEL_OK)
        *out = c.found;
    else
        fnd_set_free(c.found);
    st_coverage_free(c.cov);
    det_enc_free(c.enc);
    geo_ports_free(c.ports);
    geo_zones_free(c.zones);
    geo_mid_free(c.mid);
    free(c.use);
    free(c.hours);
    return st;
}

pel_status pel_scan(pel_store *s, const pel_scan_opts *o, FILE *out, pel_findings_format fmt, pel_scan_stats *stats,
                    pel_error *err) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fnd_set *found;
    pel_status st = pel_scan_findings(s, o, &found, stats, err);
    if (st != PEL_OK)
        return st;
    st = fnd_write(out, fmt, found);
    if (st != PEL_OK && err) {
        err->code = st;
        snprintf(err->msg, sizeof err->msg, "writing the findings failed");
    }
    fnd_set_free(found);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (stats)
        stats->total_s = seconds(t0, t1);
    return st;
}
