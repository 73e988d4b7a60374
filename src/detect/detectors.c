/*
 * detectors.c -- the detector table (detectors.h): every detector's
 * settings, the kinds of finding it emits and its hooks, and what derives
 * from them: defaults, `--set` checking, the event names, the settings
 * table of docs/findings.md, and the check of each finding against its
 * detector's kinds.
 *
 * A setting is the member of its detector's options struct of the same
 * name ("gap.min_gap_h" is det_gap_opts.min_gap_h: SET() makes the name
 * from the member), of the member's type (whole numbers for int and long
 * members).  The ranges keep every value within what the detector's
 * arithmetic can take (hours and seconds become int64 milliseconds,
 * distances size a grid, counts and steps size arrays) and within what
 * means something at sea.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "detectors.h"
#include "util/fail.h"
#include "util/numtext.h"
#include "util/xsort.h"

/* ---- the events ------------------------------------------------------------------ */

static const char *const events[DET_EV__COUNT] = {
    [DET_EV_ENCOUNTER] = "encounter",
    [DET_EV_LOITERING] = "loitering",
    [DET_EV_GAP] = "gap",
    [DET_EV_PORT_VISIT] = "port_visit",
    [DET_EV_ZONE_ENTRY] = "zone_entry",
    [DET_EV_SPOOFING] = "spoofing",
    [DET_EV_IDENTITY_CHANGE] = "identity_change",
    [DET_EV_WATCHLIST_MATCH] = "watchlist_match",
    [DET_EV_DATA_QUALITY] = "data_quality",
};

_Static_assert(DET_EV__COUNT <= sizeof((pel_scan_stats *)0)->by_event / sizeof(uint64_t),
               "pel_scan_stats.by_event has a count for every event");

const char *det_event_name(int e) {
    return e >= 0 && e < DET_EV__COUNT ? events[e] : NULL;
}

const char *pel_event_name(int i) {
    return det_event_name(i);
}

int det_event_index(const char *name) {
    for (int i = 0; name && i < DET_EV__COUNT; i++)
        if (!strcmp(events[i], name))
            return i;
    return -1;
}

/* ---- the settings ---------------------------------------------------------------- */

// clang-format off
#define DET_TYPE(member) _Generic((member), double: DET_REAL, int: DET_INT, long: DET_LONG)

/* A setting: "PREFIX.MEMBER" for member MEMBER of options struct OPTS. */
#define SET(prefix, opts, member, dflt, lo, hi, unit, doc)                                                           \
    {prefix "." #member, DET_TYPE(((opts *)0)->member), offsetof(opts, member), dflt, lo, hi, unit, doc, NULL, NULL}
/* The same, at most another setting (and why). */
#define SET_AT_MOST(prefix, opts, member, dflt, lo, hi, unit, doc, other, why)                                       \
    {prefix "." #member, DET_TYPE(((opts *)0)->member), offsetof(opts, member), dflt, lo, hi, unit, doc,             \
     prefix "." #other, why}

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define ENC(...) SET("encounter", det_enc_opts, __VA_ARGS__)
static const det_setting enc_settings[] = {
    ENC(max_distance_m,      500,   1, 50000,   "metres",  "two vessels are close at a step when this near"),
    ENC(min_duration_h,      2,     0, 720,     "hours",   "a run of close steps lasts at least this (last close step minus first)"),
    ENC(max_median_speed_kn, 2,     0, 50,      "knots",   "each vessel's median speed over the run is under this"),
    ENC(min_port_distance_m, 10000, 0, 1000000, "metres",  "the run's mean position is at least this far from the nearest port"),
    ENC(merge_gap_h,         4,     0, 720,     "hours",   "encounters of a pair less than this apart are one"),
    ENC(step_s,              600,   60, 86400,  "seconds", "tracks are resampled at the multiples of this in Unix time"),
    ENC(max_interp_gap_s,    3600,  60, 604800, "seconds", "no resampling across a silence longer than this"),
};

#define LOI(...) SET("loitering", det_loiter_opts, __VA_ARGS__)
static const det_setting loi_settings[] = {
    LOI(max_speed_kn,         2,     0, 50,      "knots",  "every position of a run reports a speed under this"),
    LOI(min_duration_h,       4,     0, 720,     "hours",  "a run lasts at least this (last position minus first)"),
    LOI(min_port_distance_m,  37040, 0, 1000000, "metres", "the run's mean position is at least this far from the nearest port (20 nm; it stands in for the shore)"),
    LOI(max_gap_h,            1,     0, 720,     "hours",  "a silence longer than this ends a run"),
    LOI(max_implied_speed_kn, 3,     0, 1000,    "knots",  "two positions farther apart than this speed allows (less `loitering.noise_m`) end a run: the reported speed is not believed"),
    LOI(noise_m,              200,   0, 100000,  "metres", "the position jitter allowed in that check"),
    LOI(partner_speed_factor,   1.2, 0.1, 10,    "ratio",  "a vessel dark during the run could sail this times the fastest speed it reported at its gap's ends (possible_partners)"),
    LOI(partner_min_together_h, 1,   0,   720,   "hours",  "it is a possible partner when, at that speed, it could have been at the run's place with the loiterer for at least this long"),
    LOI(max_partners,           3,   0,   6,     "vessels", "possible partners listed per run, the longest together first (0: none)"),
};

#define GAP(...) SET("gap", det_gap_opts, __VA_ARGS__)
static const det_setting gap_settings[] = {
    GAP(min_gap_h,         12,    0.25, 8760,    "hours",     "a silence at least this long is a gap"),
    GAP(port_radius_m,     5000,  0, 100000,     "metres",    "a gap's end this close to a port is near it"),
    GAP(open_radius_m,     50000, 0, 500000,     "metres",    "an open gap is judged over the coverage cells whose centre is within this of its last position (where it could have been in its first hours)"),
    GAP(corridor_m,        15000, 0, 100000,     "metres",    "a closed gap is judged over the coverage cells whose centre is within this of the straight line from its last to its next position (a plausible path)"),
    GAP(min_vessels,       3,     1, 1000000,    "vessels",   "a cell's baseline needs at least this many distinct other vessels heard there outside the gap (a partner that sat beside it and left is no baseline)"),
    GAP(min_baseline_h,    6,     0, 8760,       "hours",     "a cell's or station's baseline needs at least this many hours of data outside the gap; with less, it cannot tell"),
    GAP(min_baseline,      0.5,   0, 1,          "fraction",  "a cell has a baseline when it heard something in at least this share of the ten-minute slots outside the gap; a path of cells without one is `sparse`"),
    GAP(keep_ratio,        0.5,   0, 1,          "fraction",  "a cell kept hearing when its share of slots heard during the gap is at least this times its baseline"),
    GAP(silent_vessels,    3,     0, 1000000,    "vessel-hours", "a cell below its baseline in which other vessels would have been heard for at least this many vessel-hours during the gap at their usual rate, and nothing was heard, fell silent"),
    GAP(thin_min_share,    0.1,   0, 1,          "fraction",  "but only when it is heard in at least this share of its ten-minute slots outside the gap: a cell heard less (a satellite's passes, a few minutes every 90) cannot tell a silence from chance"),
    GAP(serve_hours,       3,     1, 1000000,    "vessel-hours", "a cell without a baseline of its own is judged by a station that heard other vessels there in at least this many vessel-hours outside the gap (and hears continuously itself): it kept hearing, or fell silent"),
    GAP(dark_share,        0.8,   0, 1,          "fraction",  "a gap is `dark` when at least this share of its cells with a baseline kept hearing, `coverage` otherwise"),
    GAP(coverage_margin_s, 1800,  0, 86400,      "seconds",   "the first and last this much of the gap (at most a quarter of it) are left out of the cells' counts"),
    GAP(draught_change_m,  0.5,   0, 30,         "metres",    "draughts before and after differing by at least this are a change"),
    GAP(min_feed_fraction, 0.5,   0, 1,          "fraction",  "in a feed of several vessels, a gap is reported only when some vessel was heard in at least this share of its hours"),
    GAP(baseline_days,     3,     0.5, 3650,     "days",      "a cell's or station's baseline is what it heard this many days either side of the gap (within the data): local reception, and a gap's judgement that data far from it does not change"),
};

#define PORT(...) SET("port_visit", det_port_opts, __VA_ARGS__)
static const det_setting port_settings[] = {
    SET_AT_MOST("port_visit", det_port_opts, entry_m, 3000, 1, 50000, "metres", "a visit starts at the first position this close to a port",
                exit_m, "a visit starts inside the distance at which it ends"),
    PORT(exit_m,  4000, 1, 50000, "metres", "and ends at the last position before one farther than this"),
    PORT(stop_kn, 0.5,  0, 50,    "knots",  "a visit needs a reported speed under this"),
};

#define ZONE(...) SET("zone_entry", det_zone_opts, __VA_ARGS__)
static const det_setting zone_settings[] = {
    ZONE(min_positions,      1, 1, 1000000, "positions", "stays with fewer positions inside are not reported"),
    ZONE(dwell_max_speed_kn, 2, 0, 50,      "knots",     "in a zone whose policy is `dwell`, a position reporting a speed under this is slow"),
    ZONE(dwell_min_h,        2, 0, 720,     "hours",     "a stay in a `dwell` zone is reported only when slow positions in a row last at least this (first to last); a transit is not"),
};

#define IDENT(...) SET("identity", det_identity_opts, __VA_ARGS__)
static const det_setting identity_settings[] = {
    IDENT(link_max_speed_kn, 30,   1, 1000,   "knots",   "an MMSI's last position and the next MMSI's first are linked when reachable at this speed (or 1.25 times a higher reported speed, up to 50 kn)"),
    IDENT(link_noise_m,      1000, 0, 100000, "metres",  "a distance between them that is always within reach"),
    IDENT(link_overlap_s,    600,  0, 86400,  "seconds", "how long both MMSIs may be heard at once while the ship switches over"),
    IDENT(link_alone_h,      24,   0, 720,    "hours",   "the old MMSI's last transmitter (the new one's first) was the only one under its MMSI this long: two at once are two vessels"),
};

#define POS(...) SET("position", det_pos_opts, __VA_ARGS__)
static const det_setting pos_settings[] = {
    POS(inland_km,           5,    0, 500,     "km",        "a position is on land when every place within this of it is land on the mask (absorbs the 1:50m coast, estuaries and ports)"),
    POS(max_speed_kn,        40,   1, 1000,    "knots",     "a run on land is reported when the vessel jumped there faster than this; a land crossing when no sea route fits the time at this speed"),
    POS(crossing_km,         20,   1, 5000,    "km",        "a leg is judged when its straight line crosses this much land (`position.inland_km` inland)"),
    POS(min_vessels,         3,    1, 100000,  "vessels",   "vessels at one point, or on circles around one centre, that make a common_point or circle"),
    POS(window_h,            24,   0, 8760,    "hours",     "their reports there at most this far apart in time"),
    POS(point_min_reports,   2,    1, 1000000, "positions", "a vessel is at a point when it reports its exact coordinates at least this many times in a row"),
    POS(circle_points,       10,    4, 100000,  "positions", "a circle is at least this many consecutive positions of one segment"),
    POS(circle_tolerance_m,  1,    0, 1000,    "metres",    "every one within this of the circle's radius"),
    POS(circle_min_radius_m, 100,  1, 100000,  "metres",    "circles of a smaller radius are not judged (a moored vessel's jitter, tugs turning)"),
    POS(circle_max_radius_m, 10000, 1, 1000000, "metres",   "nor of a larger one"),
    POS(circle_min_arc_deg,  180,  1, 360,     "degrees",   "the positions cover at least this arc of the circle"),
    POS(circle_center_m,     200,  0, 100000,  "metres",    "circles whose centres are this close are around one point"),
    POS(offset_min_km,        10,  0.1, 10000, "km",        "a fixed offset (a run displaced by one vector and back) is judged when the vector is at least this long (GNSS noise and jumps of a few km are common)"),
    POS(offset_tolerance_km,  1,   0, 1000,     "km",        "its jump out and its jump back cancel to within this, or `position.offset_tolerance_pct` of the offset when more; a step shorter than this is never a jump"),
    POS(offset_tolerance_pct, 5,   0, 100,      "percent",   "the jumps cancel to within this percentage of the offset, when more than `position.offset_tolerance_km`"),
    POS(offset_min_positions, 3,   1, 1000000,  "positions", "the displaced run has at least this many positions"),
};

#define FP(...) SET("footprint", det_fp_opts, __VA_ARGS__)
static const det_setting fp_settings[] = {
    FP(margin_km,      500, 0, 20000,       "km",         "a position is outside a station's footprint beyond `footprint.range_factor` times its usual range plus this"),
    FP(range_factor,   1.5, 1, 100,         "times",      "the station's usual range (the distance from its centre holding 99 % of its receptions) is stretched by this"),
    FP(min_receptions, 500, 1, 1000000000,  "receptions", "a station heard fewer times (or in fewer than 10 cells) has no footprint"),
};

/* ---- the kinds of finding ------------------------------------------------------------ */

static const det_kind enc_kinds[] = {{DET_EV_ENCOUNTER, NULL, NULL}};
static const det_kind loi_kinds[] = {{DET_EV_LOITERING, NULL, NULL}};
static const det_kind gap_kinds[] = {{DET_EV_GAP, NULL, NULL}};
static const det_kind port_kinds[] = {{DET_EV_PORT_VISIT, NULL, NULL}};
static const det_kind zone_kinds[] = {{DET_EV_ZONE_ENTRY, NULL, NULL}};
static const det_kind spoof_kinds[] = {
    {DET_EV_SPOOFING, "kind", "parallel_segments"},
    {DET_EV_SPOOFING, "kind", "impossible_speed"},
    {DET_EV_SPOOFING, "kind", "unallocated_mid"},
    {DET_EV_SPOOFING, "kind", "invalid_mmsi"},
};
static const det_kind pos_kinds[] = {
    {DET_EV_SPOOFING, "kind", "on_land"},
    {DET_EV_SPOOFING, "kind", "land_crossing"},
    {DET_EV_SPOOFING, "kind", "common_point"},
    {DET_EV_SPOOFING, "kind", "circle"},
    {DET_EV_SPOOFING, "kind", "offset"},
};
static const det_kind identity_kinds[] = {
    {DET_EV_IDENTITY_CHANGE, "field", "name"},
    {DET_EV_IDENTITY_CHANGE, "field", "callsign"},
    {DET_EV_IDENTITY_CHANGE, "field", "imo"},
    {DET_EV_IDENTITY_CHANGE, "field", "shiptype"},
    {DET_EV_IDENTITY_CHANGE, "field", "imo_shared"},
    {DET_EV_IDENTITY_CHANGE, "field", "mmsi"},
    {DET_EV_DATA_QUALITY, "kind", "invalid_imo"},
};
static const det_kind fp_kinds[] = {{DET_EV_SPOOFING, "kind", "out_of_footprint"}};
static const det_kind screen_kinds[] = {{DET_EV_WATCHLIST_MATCH, NULL, NULL}};

/* The screening row's finish: the work is the scan's (det_env.screening),
 * which calls src/screen/; none when the scan supplies none. */
static pel_status screen_finish(det_call *c) {
    return c->env->screening ? c->env->screening(c) : PEL_OK;
}

/* ---- the table --------------------------------------------------------------------------- */

#define OPTS(type, settings) sizeof(type), settings, N(settings)
#define NO_OPTS 0, NULL, 0
#define KINDS(kinds) kinds, N(kinds)

const det_detector det_table[DET__COUNT] = {
    [DET_ENCOUNTER] = {"encounter", "two vessels close together, slow, far from any port, for hours: a possible ship-to-ship transfer",
                       OPTS(det_enc_opts, enc_settings), KINDS(enc_kinds), 0,
                       det_enc_begin, det_enc_vessel, det_enc_finish, det_enc_cleanup},
    [DET_GAP] = {"gap", "a vessel silent for hours, judged against the coverage around it and the whole feed",
                 OPTS(det_gap_opts, gap_settings), KINDS(gap_kinds), 0,
                 det_gap_begin, det_gap_vessel, det_gap_finish, det_gap_cleanup},
    [DET_LOITERING] = {"loitering", "one vessel slow, far from shore, for hours, and the vessels dark then that could have come alongside",
                       OPTS(det_loiter_opts, loi_settings), KINDS(loi_kinds), 0,
                       NULL, det_loiter_vessel, det_loiter_finish, NULL},
    [DET_PORT_VISIT] = {"port_visit", "a stop at a port or anchorage, ports of concern marked",
                        OPTS(det_port_opts, port_settings), KINDS(port_kinds), 0,
                        NULL, det_port_vessel, NULL, NULL},
    [DET_ZONE_ENTRY] = {"zone_entry", "a stay inside an area of interest: any entry, or in open-sea transfer areas (policy dwell) a slow stay only",
                        OPTS(det_zone_opts, zone_settings), KINDS(zone_kinds), 0,
                        NULL, det_zone_vessel, NULL, NULL},
    [DET_SPOOFING] = {"spoofing", "signs in a track: one MMSI in two places, impossible jumps, an unallocated MID, an MMSI that identifies no ship",
                      NO_OPTS, KINDS(spoof_kinds), DET_EVERY_MMSI,
                      NULL, det_spoof_vessel, NULL, NULL},
    [DET_POSITION] = {"position", "positions a ship cannot have had: far inland after a jump, legs across land no sea route fits in time, many vessels at one point or on circles around one, a track displaced by a fixed offset and back",
                      OPTS(det_pos_opts, pos_settings), KINDS(pos_kinds), 0,
                      det_pos_begin, det_pos_vessel, det_pos_finish, det_pos_cleanup},
    [DET_FOOTPRINT] = {"footprint", "a position a receiving station heard far outside the area it usually hears (the coverage map): a spoofing sign",
                       OPTS(det_fp_opts, fp_settings), KINDS(fp_kinds), 0,
                       det_fp_begin, det_fp_vessel, NULL, det_fp_cleanup},
    [DET_IDENTITY] = {"identity", "identity changes, a ship going on under another MMSI, IMO numbers shared by MMSIs, IMO numbers that are none",
                      OPTS(det_identity_opts, identity_settings), KINDS(identity_kinds), 0,
                      NULL, NULL, det_identity_finish, NULL},
    [DET_SCREENING] = {"screening", "every identity broadcast against the sanctions lists",
                       NO_OPTS, KINDS(screen_kinds), 0,
                       NULL, NULL, screen_finish, NULL},
};
// clang-format on

_Static_assert(sizeof(det_enc_opts) <= DET_OPTS_MAX && sizeof(det_loiter_opts) <= DET_OPTS_MAX &&
                   sizeof(det_gap_opts) <= DET_OPTS_MAX && sizeof(det_port_opts) <= DET_OPTS_MAX &&
                   sizeof(det_zone_opts) <= DET_OPTS_MAX && sizeof(det_identity_opts) <= DET_OPTS_MAX &&
                   sizeof(det_pos_opts) <= DET_OPTS_MAX && sizeof(det_fp_opts) <= DET_OPTS_MAX,
               "det_opts holds every detector's options");

/* ---- defaults and --set ------------------------------------------------------------------ */

static void store(void *opts, const det_setting *t, double v) {
    unsigned char *o = (unsigned char *)opts + t->offset;
    if (t->type == DET_REAL)
        memcpy(o, &v, sizeof v);
    else if (t->type == DET_INT) {
        int x = (int)v;
        memcpy(o, &x, sizeof x);
    } else {
        long x = (long)v;
        memcpy(o, &x, sizeof x);
    }
}

static double load(const void *opts, const det_setting *t) {
    const unsigned char *o = (const unsigned char *)opts + t->offset;
    if (t->type == DET_REAL) {
        double v;
        memcpy(&v, o, sizeof v);
        return v;
    }
    if (t->type == DET_INT) {
        int x;
        memcpy(&x, o, sizeof x);
        return x;
    }
    long x;
    memcpy(&x, o, sizeof x);
    return (double)x;
}

void det_opts_default(const det_detector *d, void *opts) {
    for (size_t i = 0; i < d->nsettings; i++)
        store(opts, &d->settings[i], d->settings[i].dflt);
}

static pel_status setting_error(pel_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static pel_status setting_error(pel_error *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pel_status st = pel_vfail(err, PEL_ERR_ARG, fmt, ap);
    va_end(ap);
    return st;
}

/* The setting called name (len bytes), and its detector's index in *det. */
static const det_setting *find(const char *name, size_t len, int *det) {
    for (int d = 0; d < DET__COUNT; d++)
        for (size_t j = 0; j < det_table[d].nsettings; j++) {
            const det_setting *t = &det_table[d].settings[j];
            if (strlen(t->name) == len && !strncmp(t->name, name, len)) {
                *det = d;
                return t;
            }
        }
    return NULL;
}

pel_status det_settings_apply(det_opts opts[DET__COUNT], const char *const *set, size_t nset, pel_error *err) {
    for (int d = 0; d < DET__COUNT; d++)
        det_opts_default(&det_table[d], &opts[d]);
    for (size_t k = 0; k < nset; k++) {
        const char *s = set[k] ? set[k] : "";
        const char *eq = strchr(s, '=');
        size_t klen = eq ? (size_t)(eq - s) : strlen(s);
        int d = -1;
        const det_setting *t = find(s, klen, &d);
        if (!t)
            return setting_error(err, "unknown setting %.*s (docs/findings.md lists them)",
                                 (int)(klen > 80 ? 80 : klen), s);
        bool whole = t->type != DET_REAL;
        double v;
        if (!eq || !num_real(eq + 1, &v) || v < t->lo || v > t->hi || (whole && !num_is_whole(v)))
            return setting_error(err, "%s wants %s from %.15g to %.15g %s, not \"%.40s\" (docs/findings.md)", t->name,
                                 whole ? "a whole number" : "a number", t->lo, t->hi, t->unit, eq ? eq + 1 : "");
        store(&opts[d], t, v);
    }
    for (int d = 0; d < DET__COUNT; d++)
        for (size_t j = 0; j < det_table[d].nsettings; j++) {
            const det_setting *t = &det_table[d].settings[j];
            int od = -1;
            const det_setting *other = t->at_most ? find(t->at_most, strlen(t->at_most), &od) : NULL;
            if (!other || od != d)
                continue;
            double v = load(&opts[d], t), w = load(&opts[d], other);
            if (v > w)
                return setting_error(err, "%s (%g) is beyond %s (%g): %s (docs/findings.md)", t->name, v, other->name,
                                     w, t->at_most_why);
        }
    return PEL_OK;
}

pel_status pel_scan_check_settings(const char *const *set, size_t nset, pel_error *err) {
    det_opts opts[DET__COUNT];
    return det_settings_apply(opts, set, nset, err);
}

void det_settings_markdown(FILE *out) {
    fputs("| setting | default | allowed | unit | what it does |\n|---|---|---|---|---|\n", out);
    for (int d = 0; d < DET__COUNT; d++)
        for (size_t j = 0; j < det_table[d].nsettings; j++) {
            const det_setting *t = &det_table[d].settings[j];
            fprintf(out, "| `%s` | %.15g | %.15g to %.15g%s", t->name, t->dflt, t->lo, t->hi,
                    t->type != DET_REAL ? ", whole" : "");
            if (t->at_most)
                fprintf(out, ", at most `%s`", t->at_most);
            fprintf(out, " | %s | %s |\n", t->unit, t->doc);
        }
}

/* ---- the kinds a detector emits ----------------------------------------------------------- */

static bool is_kind(const det_kind *k, const fnd_finding *f) {
    if (strcmp(f->event, events[k->event]) != 0)
        return false;
    if (!k->member)
        return true;
    const char *v = fnd_get_str(f, k->member);
    return v && !strcmp(v, k->value);
}

const det_kind *det_kind_of(const det_detector *d, const fnd_finding *f) {
    const det_detector *from = d ? d : det_table, *to = d ? d + 1 : det_table + DET__COUNT;
    for (const det_detector *x = from; x < to; x++)
        for (size_t k = 0; k < x->nkinds; k++)
            if (is_kind(&x->kinds[k], f))
                return &x->kinds[k];
    return NULL;
}

static int cmp_subject(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void det_push(void *ud, const fnd_builder *f) {
    det_sink *s = ud;
    if (s->set->failed != PEL_OK)
        return;
    if (s->subjects && !xbsearch(&f->mmsi, s->subjects, s->nsubjects, sizeof *s->subjects, cmp_subject) &&
        !(f->mmsi2 && xbsearch(&f->mmsi2, s->subjects, s->nsubjects, sizeof *s->subjects, cmp_subject)))
        return; /* about none of the scan's subjects */
    fnd_finding view;
    fnd_view(f, &view);
    if (f->event && det_kind_of(s->d, &view)) {
        fnd_set_push(s->set, f);
        return;
    }
    const char *kind = f->event ? fnd_get_str(&view, "kind") : NULL;
    if (!kind && f->event)
        kind = fnd_get_str(&view, "field");
    snprintf(s->bad, sizeof s->bad, "%.40s%s%.40s", f->event ? f->event : "(no event)", kind ? "/" : "",
             kind ? kind : "");
    s->set->failed = PEL_ERR_ARG;
}
