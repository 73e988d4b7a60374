/*
 * scenario.c -- reads a scenario file (JSON, docs/simulate.md) with
 * jansson, generates the background fleet and plans every vessel's legs.
 *
 * A scripted vessel's plan is a list of anchors in time -- its start, and
 * the places its events put it (a ship-to-ship transfer, a port call,
 * loitering, a waypoint) -- joined by straight sailing legs whose speed is
 * distance over time.  A plan that would need a speed under 2.5 kn (which a
 * detector would rightly call loitering) or over 35 kn is refused, naming
 * the vessel and the two anchors, so a scenario never carries a behaviour
 * its author did not write.  Background vessels sail lanes back and forth
 * or wander between random points of the given sea boxes, never stopping.
 *
 * Known limits: legs are straight in latitude/longitude (fine over the
 * tens of nautical miles of a leg).  The land mask (geo/land.c, 1:50m)
 * refuses a lane leg across land and redraws a box's points and legs that
 * touch land; a lane's 1.5 km side offset and a box leg's clipping of a
 * coast within LAND_MARGIN_KM are not checked, nor are scripted vessels'
 * legs (their author's).
 */
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "geo/geo.h"
#include "sim.h"
#include "util/fail.h"
#include "util/xsort.h"

#define KN_MS (1852.0 / 3600.0) /* metres per second in a knot */
#define BOX_LEG_M 5000.0        /* the shortest leg of a background vessel in a box */
#define SPOOF_INLAND_KM 10.0    /* a spoof_land event's place is at least this far inland */
#define LAND_MARGIN_KM 2        /* lanes and box legs may not cross land this far inland */
#define BOX_TRIES 10000         /* draws of a box's next point before giving up */
#define MMSI_TRIES 10000        /* draws of a background MMSI before giving up */

/* ---- random numbers ---- */

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void sim_rng_seed(sim_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

uint64_t sim_rng_next(sim_rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double sim_rng_unit(sim_rng *r) {
    return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

double sim_rng_range(sim_rng *r, double lo, double hi) {
    return lo + (hi - lo) * sim_rng_unit(r);
}

bool sim_rng_chance(sim_rng *r, double p) {
    return p > 0 && sim_rng_unit(r) < p;
}

/* ---- geometry ---- */

double sim_bearing(double lat1, double lon1, double lat2, double lon2) {
    double p1 = lat1 * M_PI / 180, p2 = lat2 * M_PI / 180, dl = (lon2 - lon1) * M_PI / 180;
    double y = sin(dl) * cos(p2), x = cos(p1) * sin(p2) - sin(p1) * cos(p2) * cos(dl);
    double b = atan2(y, x) * 180 / M_PI;
    return b < 0 ? b + 360 : b;
}

/* the point d metres from (lat, lon) on bearing b (flat-earth step, fine for short moves) */
static void step_from(double lat, double lon, double b, double d, double *olat, double *olon) {
    double br = b * M_PI / 180;
    *olat = lat + d * cos(br) / 111194.9;
    *olon = lon + d * sin(br) / (111194.9 * cos(lat * M_PI / 180));
}

bool sim_add_leg(sim_vessel *v, const sim_leg *l) {
    if (v->nlegs == v->caplegs) {
        size_t n = v->caplegs ? v->caplegs * 2 : 8;
        sim_leg *p = realloc(v->legs, n * sizeof *p);
        if (!p)
            return false;
        v->legs = p;
        v->caplegs = n;
    }
    v->legs[v->nlegs++] = *l;
    return true;
}

void sim_position(const sim_vessel *v, int64_t t, double *lat, double *lon, double *sog, double *cog, int *status) {
    const sim_leg *l = &v->legs[0];
    for (size_t i = v->leg < v->nlegs ? v->leg : 0; i < v->nlegs; i++) {
        l = &v->legs[i];
        if (t < l->t1)
            break;
    }
    double f = l->t1 > l->t0 ? (double)(t - l->t0) / (double)(l->t1 - l->t0) : 1;
    if (f < 0)
        f = 0;
    if (f > 1)
        f = 1;
    *lat = l->lat0 + (l->lat1 - l->lat0) * f;
    *lon = l->lon0 + (l->lon1 - l->lon0) * f;
    double d = geo_distance_m(l->lat0, l->lon0, l->lat1, l->lon1);
    double dt = (double)(l->t1 - l->t0) / 1000.0;
    *sog = (l->kind == SIM_STAY || dt <= 0) ? 0 : d / dt / KN_MS;
    *cog = d > 1 ? sim_bearing(l->lat0, l->lon0, l->lat1, l->lon1) : 0;
    *status = l->status;
}

/* ---- errors and JSON helpers ---- */

typedef struct ld {
    sim_scenario *sc;
    pel_error *err;
    const struct geo_ports *ports;
    const struct geo_land *land; /* may be NULL: nothing checked against land */
    sim_rng rng;
    sim_budget *budget;     /* may be NULL: no limit */
    double leg_bytes;       /* background legs planned so far (allocated) */
    double leg_budget;      /* what the background legs may take (INFINITY: no limit) */
    struct vessel_id *byid; /* the scripted vessels sorted by id (load_vessels) */
    size_t nbyid;
} ld;

/* a scripted vessel's id and index, for finding vessels by id in log time */
typedef struct vessel_id {
    char id[32];
    size_t i;
} vessel_id;

static int vid_cmp(const void *a, const void *b) {
    const vessel_id *x = a, *y = b;
    int k = strcmp(x->id, y->id);
    return k ? k : (x->i > y->i) - (x->i < y->i);
}

static pel_status fail(ld *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pel_status st = pel_vfail(c->err, PEL_ERR_FORMAT, fmt, ap);
    va_end(ap);
    return st;
}

static pel_status nomem(ld *c) {
    return pel_fail(c->err, PEL_ERR_NOMEM, "out of memory");
}

/* number member; def when absent; false (and a message) when not a number */
static bool num(ld *c, json_t *o, const char *where, const char *key, double def, double lo, double hi, double *out) {
    json_t *j = json_object_get(o, key);
    if (!j || json_is_null(j)) {
        *out = def;
        return true;
    }
    if (!json_is_number(j)) {
        fail(c, "%s: \"%s\" must be a number", where, key);
        return false;
    }
    *out = json_number_value(j);
    if (!(*out >= lo && *out <= hi)) {
        fail(c, "%s: \"%s\" is %g, outside %g..%g", where, key, *out, lo, hi);
        return false;
    }
    return true;
}

static bool str(ld *c, json_t *o, const char *where, const char *key, char *out, size_t cap, bool required) {
    json_t *j = json_object_get(o, key);
    if (!j || json_is_null(j)) {
        if (required) {
            fail(c, "%s: \"%s\" is required", where, key);
            return false;
        }
        return true;
    }
    if (!json_is_string(j)) {
        fail(c, "%s: \"%s\" must be a string", where, key);
        return false;
    }
    if (strlen(json_string_value(j)) >= cap) {
        fail(c, "%s: \"%s\" is longer than %zu characters", where, key, cap - 1);
        return false;
    }
    snprintf(out, cap, "%s", json_string_value(j));
    return true;
}

static bool point(ld *c, json_t *j, const char *where, const char *key, double *lat, double *lon) {
    if (!json_is_array(j) || json_array_size(j) != 2 || !json_is_number(json_array_get(j, 0)) ||
        !json_is_number(json_array_get(j, 1))) {
        fail(c, "%s: \"%s\" must be [lat, lon]", where, key);
        return false;
    }
    *lat = json_number_value(json_array_get(j, 0));
    *lon = json_number_value(json_array_get(j, 1));
    if (fabs(*lat) > 85 || fabs(*lon) > 180) {
        fail(c, "%s: \"%s\" [%g, %g] is not a position", where, key, *lat, *lon);
        return false;
    }
    return true;
}

static bool point_member(ld *c, json_t *o, const char *where, const char *key, double *lat, double *lon) {
    json_t *j = json_object_get(o, key);
    if (!j) {
        fail(c, "%s: \"%s\" is required", where, key);
        return false;
    }
    return point(c, j, where, key, lat, lon);
}

/* hours after the start, as a time */
static bool hours_at(ld *c, json_t *o, const char *where, const char *key, bool required, int64_t *t) {
    json_t *j = json_object_get(o, key);
    if (!j || json_is_null(j)) {
        if (required) {
            fail(c, "%s: \"%s\" is required", where, key);
            return false;
        }
        *t = -1;
        return true;
    }
    double h;
    if (!num(c, o, where, key, 0, 0, 24 * 366, &h))
        return false;
    *t = c->sc->start + (int64_t)llround(h * 3600000.0);
    if (*t > c->sc->end) {
        fail(c, "%s: \"%s\" %g h is after the end of the scenario", where, key, h);
        return false;
    }
    return true;
}

static sim_vessel *new_vessel(ld *c) {
    sim_scenario *sc = c->sc;
    if (sc->nv == sc->capv) {
        size_t n = sc->capv ? sc->capv * 2 : 64;
        sim_vessel *p = realloc(sc->v, n * sizeof *p);
        if (!p)
            return NULL;
        sc->v = p;
        sc->capv = n;
    }
    sim_vessel *v = &sc->v[sc->nv++];
    memset(v, 0, sizeof *v);
    return v;
}

static sim_event *new_event(ld *c) {
    sim_scenario *sc = c->sc;
    if (sc->nev == sc->capev) {
        size_t n = sc->capev ? sc->capev * 2 : 16;
        sim_event *p = realloc(sc->ev, n * sizeof *p);
        if (!p)
            return NULL;
        sc->ev = p;
        sc->capev = n;
    }
    sim_event *e = &sc->ev[sc->nev++];
    memset(e, 0, sizeof *e);
    e->v1 = e->v2 = e->port = -1;
    return e;
}

static bool add_change(sim_vessel *v, const sim_change *ch) {
    sim_change *p = realloc(v->changes, (v->nchanges + 1) * sizeof *p);
    if (!p)
        return false;
    v->changes = p;
    size_t i = v->nchanges++;
    while (i > 0 && p[i - 1].t > ch->t) {
        p[i] = p[i - 1];
        i--;
    }
    p[i] = *ch;
    return true;
}

static int vessel_index(const ld *c, const char *id) {
    vessel_id key = {.i = 0};
    snprintf(key.id, sizeof key.id, "%s", id);
    size_t lo = 0, hi = c->nbyid; /* the first entry >= (id, 0) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (vid_cmp(&c->byid[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->nbyid && !strcmp(c->byid[lo].id, id) ? (int)c->byid[lo].i : -1;
}

/* ---- IMO numbers, MMSIs and names for the background ---- */

static uint32_t random_imo(sim_rng *r) {
    static const int w[6] = {7, 6, 5, 4, 3, 2};
    uint32_t d[6], v = 0, sum = 0;
    d[0] = 9 - (uint32_t)(sim_rng_next(r) % 2); /* 8xxxxxx or 9xxxxxx, as real ships */
    for (int i = 1; i < 6; i++)
        d[i] = (uint32_t)(sim_rng_next(r) % 10);
    for (int i = 0; i < 6; i++) {
        v = v * 10 + d[i];
        sum += d[i] * (uint32_t)w[i];
    }
    return v * 10 + sum % 10;
}

static const char *const name_a[] = {"GOLDEN",   "BRIGHT", "EASTERN", "GREAT",    "SILVER",  "BLUE",
                                     "GRAND",    "HAPPY",  "LUCKY",   "NORTHERN", "PACIFIC", "ROYAL",
                                     "SOUTHERN", "SUNNY",  "WESTERN", "WINNING",  "CRYSTAL", "EVER"};
static const char *const name_b[] = {"HARVEST", "PIONEER",  "FORTUNE", "GLORY",  "HARMONY", "HORIZON",
                                     "LOTUS",   "MERIDIAN", "ORCHID",  "PEARL",  "PHOENIX", "SPIRIT",
                                     "SUMMIT",  "UNITY",    "VOYAGER", "BREEZE", "CROWN",   "DAWN"};

/* a tiny open-addressing set of MMSIs, to keep the fleet's unique */
typedef struct mmsi_set {
    uint32_t *slot;
    size_t cap;
} mmsi_set;

static bool set_add(mmsi_set *s, uint32_t m) {
    size_t i = (m * 2654435761u) & (s->cap - 1);
    while (s->slot[i]) {
        if (s->slot[i] == m)
            return false;
        i = (i + 1) & (s->cap - 1);
    }
    s->slot[i] = m;
    return true;
}

/* ---- planning ---- */

/* one anchor of a scripted plan */
typedef struct anchor {
    int64_t t0, t1;
    double lat0, lon0, lat1, lon1;
    int kind, status;
    const char *what; /* for messages */
} anchor;

static int anchor_cmp(const void *a, const void *b) {
    const anchor *x = a, *y = b;
    return (x->t0 > y->t0) - (x->t0 < y->t0);
}

static pel_status plan_scripted(ld *c, sim_vessel *v, double lat, double lon, double course, anchor *an, size_t nan) {
    sim_scenario *sc = c->sc;
    if (nan)
        xqsort(an, nan, sizeof *an, anchor_cmp);
    int64_t t = sc->start;
    double plat = lat, plon = lon;
    const char *pwhat = "its start";
    for (size_t i = 0; i < nan; i++) {
        anchor *a = &an[i];
        if (a->t0 < t)
            return fail(c, "vessel \"%s\": %s begins before %s ends", v->id, a->what, pwhat);
        double d = geo_distance_m(plat, plon, a->lat0, a->lon0);
        double dt = (double)(a->t0 - t) / 1000.0;
        if (a->t0 > t) {
            sim_leg l = {t, a->t0, plat, plon, a->lat0, a->lon0, SIM_SAIL, 0};
            double kn = d / dt / KN_MS;
            if (d < 300) {
                l.kind = SIM_STAY;
                l.status = i > 0 ? an[i - 1].status : 5;
                l.lat1 = plat, l.lon1 = plon;
            } else if (kn < 2.5 || kn > 35)
                return fail(c,
                            "vessel \"%s\": from %s to %s is %.1f nm in %.1f h, %.1f kn: give a waypoint or change "
                            "the times (2.5 to 35 kn)",
                            v->id, pwhat, a->what, d / 1852, dt / 3600, kn);
            else
                course = sim_bearing(plat, plon, a->lat0, a->lon0);
            if (!sim_add_leg(v, &l))
                return nomem(c);
        } else if (d > 300)
            return fail(c, "vessel \"%s\": %s is %.1f nm from %s at the same moment", v->id, a->what, d / 1852, pwhat);
        sim_leg l = {a->t0, a->t1, a->lat0, a->lon0, a->lat1, a->lon1, a->kind, a->status};
        if (a->t1 > a->t0 && !sim_add_leg(v, &l))
            return nomem(c);
        t = a->t1;
        plat = a->lat1, plon = a->lon1;
        pwhat = a->what;
    }
    if (t < sc->end) {
        /* carry on along the last course at cruising speed */
        double d = v->speed_kn * KN_MS * (double)(sc->end - t) / 1000.0, elat, elon;
        step_from(plat, plon, course, d, &elat, &elon);
        if (fabs(elat) > 85)
            elat = plat, elon = plon;
        sim_leg l = {t, sc->end, plat, plon, elat, elon, SIM_SAIL, 0};
        if (!sim_add_leg(v, &l))
            return nomem(c);
    }
    return PEL_OK;
}

/* ---- the budget ---- */

/* n bytes or messages for people: "512.0 MiB", "1.2 billion" */
static const char *human(double n, bool bytes, char *b, size_t cap) {
    static const char *const bu[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
    static const char *const mu[] = {"", " thousand", " million", " billion", " trillion"};
    int k = 0, top = bytes ? 5 : 4;
    double div = bytes ? 1024 : 1000;
    while (n >= div && k < top)
        n /= div, k++;
    snprintf(b, cap, k ? "%.1f%s%s" : "%.0f%s%s", n, bytes ? " " : "", bytes ? bu[k] : mu[k]);
    return b;
}

static pel_status budget_fail(ld *c, const char *what, double msgs, double bytes) {
    const sim_budget *b = c->budget;
    char m1[32], m2[32], b1[32], b2[32];
    return pel_fail(c->err, PEL_ERR_ARG,
                    "%.48s need about %.15s messages (budget %.15s) and %.15s of memory (budget %.15s): raise "
                    "--max-messages/--max-memory or simulate less",
                    what, human(msgs, false, m1, sizeof m1),
                    b->max_messages ? human((double)b->max_messages, false, m2, sizeof m2) : "none",
                    human(bytes, true, b1, sizeof b1),
                    b->max_bytes ? human((double)b->max_bytes, true, b2, sizeof b2) : "none");
}

/* True (and err set) when v's legs take the background legs beyond the
 * memory budget: the estimate was too low (short lane segments). */
static bool legs_over(ld *c, const sim_vessel *v) {
    double mine = (double)v->caplegs * sizeof(sim_leg);
    if (c->leg_bytes + mine <= c->leg_budget)
        return false;
    char what[64];
    snprintf(what, sizeof what, "the legs planned up to %.31s", v->id);
    budget_fail(c, what, c->budget ? c->budget->messages : 0,
                (c->budget ? c->budget->bytes : 0) - c->leg_budget + c->leg_bytes + mine);
    return true;
}

/* Estimates the run before the background fleet is made: messages
 * transmitted and memory, from the scripted vessels as planned and n
 * background vessels (classb of them class B, speeds lo..hi) sailing the
 * lanes and boxes.  PEL_ERR_ARG over budget. */
static pel_status check_budget(ld *c, size_t n, double classb, double lo, double hi, json_t *lanes, size_t nl,
                               const double *bx, size_t nb) {
    sim_scenario *sc = c->sc;
    double dur_s = (double)(sc->end - sc->start) / 1000, hours = dur_s / 3600,
           feed = (double)sc->feed_interval_ms / 1000;
    /* messages an hour: the scripted vessels (and clones) at their own speed, all along */
    double per_hour = 0, fixed_bytes = 0;
    for (size_t i = 0; i < sc->nv; i++) {
        const sim_vessel *v = &sc->v[i];
        double p = sim_positions_per_hour(v->class_b, v->speed_kn, feed);
        per_hour += p + sim_statics_per_hour(v->class_b, feed) + (v->type19 ? p / 12 : 0);
        fixed_bytes += (double)v->caplegs * sizeof(sim_leg);
    }
    /* a background vessel: speeds uniform in lo..hi (class B in the lower half) */
    double pa = 0, pb = 0;
    for (int k = 0; k < 100; k++) {
        pa += sim_positions_per_hour(false, lo + (hi - lo) * (k + 0.5) / 100, feed) / 100;
        pb += sim_positions_per_hour(true, lo + (hi - lo) / 2 * (k + 0.5) / 100, feed) / 100;
    }
    double bg = (1 - classb) * (pa + sim_statics_per_hour(false, feed)) +
                classb * (pb + sim_statics_per_hour(true, feed) + 0.1 * pb / 12);
    per_hour += (double)n * bg;
    /* legs of a background vessel: a lane is sailed leg by leg (at least 1 s
     * each), a box in legs of 5 km or a third of its diagonal */
    double legs = 0, run_m = dur_s * hi * KN_MS;
    for (size_t j = 0; j < nl; j++) {
        json_t *lane = json_array_get(lanes, j);
        size_t np = json_array_size(lane);
        double len = 0, plat = 0, plon = 0;
        for (size_t i = 0; i < np; i++) {
            double lat, lon;
            if (!point(c, json_array_get(lane, i), "background.lanes", "point", &lat, &lon))
                return PEL_ERR_FORMAT;
            if (i)
                len += geo_distance_m(plat, plon, lat, lon);
            plat = lat, plon = lon;
        }
        double l = run_m / (len > 1 ? len : 1) * (double)(np - 1) + (double)np;
        legs += l < dur_s + 1 ? l : dur_s + 1;
    }
    for (size_t i = 0; i < nb; i++) {
        const double *b4 = &bx[4 * i];
        double mean = geo_distance_m(b4[0], b4[1], b4[2], b4[3]) * 0.37;
        legs += run_m / (mean > BOX_LEG_M ? mean : BOX_LEG_M) + 2;
    }
    double legs_per = nl + nb ? legs / (double)(nl + nb) : 0;
    /* arrays grow by doubling: on average 1.5 times what they hold, at least 8 */
    double bg_leg_bytes = (double)n * (legs_per * 1.5 > 8 ? legs_per * 1.5 : 8) * sizeof(sim_leg);
    double msgs = per_hour * hours;
    fixed_bytes += (double)(sc->nv + n) * sim_run_bytes_per_vessel(c->budget ? c->budget->nzones : 0) +
                   sim_run_window_bytes(per_hour / 3600, sc);
    double bytes = fixed_bytes + bg_leg_bytes;
    c->leg_budget = INFINITY;
    if (!c->budget)
        return PEL_OK;
    c->budget->messages = msgs;
    c->budget->bytes = bytes;
    if ((c->budget->max_messages && msgs > (double)c->budget->max_messages) ||
        (c->budget->max_bytes && bytes > (double)c->budget->max_bytes)) {
        char what[64];
        snprintf(what, sizeof what, "%zu vessels for %.0f h", sc->nv + n, hours);
        return budget_fail(c, what, msgs, bytes);
    }
    if (c->budget->max_bytes)
        c->leg_budget = (double)c->budget->max_bytes - fixed_bytes;
    return PEL_OK;
}

/* background: back and forth along a lane */
static pel_status plan_lane(ld *c, sim_vessel *v, json_t *lane) {
    sim_scenario *sc = c->sc;
    size_t n = json_array_size(lane);
    double *la = malloc(n * 2 * sizeof *la);
    if (!la)
        return nomem(c);
    for (size_t i = 0; i < n; i++)
        if (!point(c, json_array_get(lane, i), "background.lanes", "point", &la[2 * i], &la[2 * i + 1])) {
            free(la);
            return PEL_ERR_FORMAT;
        }
    int dir = sim_rng_chance(&c->rng, 0.5) ? 1 : -1;
    size_t seg = (size_t)(sim_rng_next(&c->rng) % (n - 1));
    double f = sim_rng_unit(&c->rng);
    /* start part way along segment seg, heading to its far end in direction dir */
    size_t from = dir > 0 ? seg : seg + 1, to = dir > 0 ? seg + 1 : seg;
    double lat = la[2 * from] + (la[2 * to] - la[2 * from]) * f,
           lon = la[2 * from + 1] + (la[2 * to + 1] - la[2 * from + 1]) * f;
    /* each vessel keeps to its own side of the lane, a few hundred metres off the line */
    double off = sim_rng_range(&c->rng, -1500, 1500);
    int64_t t = sc->start;
    size_t k = to;
    while (t < sc->end) {
        double tl = la[2 * k], tn = la[2 * k + 1];
        double b = sim_bearing(lat, lon, tl, tn), olat, olon;
        step_from(tl, tn, b + 90, off * dir, &olat, &olon);
        double d = geo_distance_m(lat, lon, olat, olon);
        int64_t dt = (int64_t)(d / (v->speed_kn * KN_MS) * 1000.0);
        if (dt < 1000)
            dt = 1000;
        sim_leg l = {t, t + dt, lat, lon, olat, olon, SIM_SAIL, 0};
        if (!sim_add_leg(v, &l)) {
            free(la);
            return nomem(c);
        }
        if (legs_over(c, v)) {
            free(la);
            return PEL_ERR_ARG;
        }
        t += dt;
        lat = olat, lon = olon;
        if ((dir > 0 && k == n - 1) || (dir < 0 && k == 0))
            dir = -dir;
        k = (size_t)((long)k + dir);
    }
    free(la);
    return PEL_OK;
}

/* background: between random points of a box (ibox: its number, from 1),
 * legs of at least BOX_LEG_M; the next point is drawn at most BOX_TRIES
 * times, then the box is refused as too small */
static pel_status plan_box(ld *c, sim_vessel *v, const double *box, size_t ibox) {
    sim_scenario *sc = c->sc;
    double lat = sim_rng_range(&c->rng, box[0], box[2]), lon = sim_rng_range(&c->rng, box[1], box[3]);
    for (int tries = 1; c->land && geo_land_at(c->land, lat, lon); tries++) {
        if (tries >= BOX_TRIES)
            return fail(c,
                        "background: box %zu [%g, %g, %g, %g] is land: no point at sea found in %d draws (the land "
                        "mask, data/web/vendor/land-50m.json)",
                        ibox, box[0], box[1], box[2], box[3], BOX_TRIES);
        lat = sim_rng_range(&c->rng, box[0], box[2]), lon = sim_rng_range(&c->rng, box[1], box[3]);
    }
    int64_t t = sc->start;
    while (t < sc->end) {
        double nlat, nlon, d;
        int tries = 0;
        do {
            if (++tries > BOX_TRIES)
                return fail(c,
                            "background: box %zu [%g, %g, %g, %g] is too small: no point %.0f km away from %s's "
                            "position, at sea and reached without crossing land, found in %d draws (legs in a box "
                            "are at least %.0f km; draw it larger, or over less land)",
                            ibox, box[0], box[1], box[2], box[3], BOX_LEG_M / 1000, v->id, BOX_TRIES, BOX_LEG_M / 1000);
            nlat = sim_rng_range(&c->rng, box[0], box[2]), nlon = sim_rng_range(&c->rng, box[1], box[3]);
            d = geo_distance_m(lat, lon, nlat, nlon);
        } while (d < BOX_LEG_M ||
                 (c->land && (geo_land_at(c->land, nlat, nlon) ||
                              geo_land_crossing_inland_km(c->land, lat, lon, nlat, nlon, LAND_MARGIN_KM) > 0)));
        int64_t dt = (int64_t)(d / (v->speed_kn * KN_MS) * 1000.0);
        sim_leg l = {t, t + dt, lat, lon, nlat, nlon, SIM_SAIL, v->shiptype == 30 ? 7 : 0};
        if (!sim_add_leg(v, &l))
            return nomem(c);
        if (legs_over(c, v))
            return PEL_ERR_ARG;
        t += dt;
        lat = nlat, lon = nlon;
    }
    return PEL_OK;
}

static pel_status load_background(ld *c, json_t *bg, double scale) {
    sim_scenario *sc = c->sc;
    if (!bg)
        return check_budget(c, 0, 0, 8, 15, NULL, 0, NULL, 0);
    if (!json_is_object(bg))
        return fail(c, "\"background\" must be an object");
    double nv, classb, lo, hi;
    if (!num(c, bg, "background", "vessels", 0, 0, 1e6, &nv) ||
        !num(c, bg, "background", "class_b", 0.2, 0, 1, &classb))
        return PEL_ERR_FORMAT;
    json_t *sp = json_object_get(bg, "speed_kn");
    lo = 8, hi = 15;
    if (sp) {
        if (!json_is_array(sp) || json_array_size(sp) != 2 || !json_is_number(json_array_get(sp, 0)) ||
            !json_is_number(json_array_get(sp, 1)))
            return fail(c, "background: \"speed_kn\" must be [low, high]");
        lo = json_number_value(json_array_get(sp, 0));
        hi = json_number_value(json_array_get(sp, 1));
        if (!(lo >= 4 && hi >= lo && hi <= 35))
            return fail(c, "background: \"speed_kn\" must be within 4..35 kn (slower ships would be loitering)");
    }
    unsigned mids[64] = {412, 413, 440, 441, 431, 477, 538, 636, 351, 273};
    size_t nmids = 10;
    json_t *jm = json_object_get(bg, "mids");
    if (jm) {
        if (!json_is_array(jm) || !json_array_size(jm) || json_array_size(jm) > 64)
            return fail(c, "background: \"mids\" must be an array of 1 to 64 MIDs");
        nmids = json_array_size(jm);
        for (size_t i = 0; i < nmids; i++) {
            json_t *x = json_array_get(jm, i);
            if (!json_is_integer(x) || json_integer_value(x) < 201 || json_integer_value(x) > 775)
                return fail(c, "background: \"mids\"[%zu] is not a MID (201..775)", i);
            mids[i] = (unsigned)json_integer_value(x);
        }
    }
    int types[64] = {70, 70, 70, 79, 80, 80, 89, 60, 52, 30};
    size_t ntypes = 10;
    json_t *jt = json_object_get(bg, "shiptypes");
    if (jt) {
        if (!json_is_array(jt) || !json_array_size(jt) || json_array_size(jt) > 64)
            return fail(c, "background: \"shiptypes\" must be an array of 1 to 64 ship types");
        ntypes = json_array_size(jt);
        for (size_t i = 0; i < ntypes; i++) {
            json_t *x = json_array_get(jt, i);
            if (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > 99)
                return fail(c, "background: \"shiptypes\"[%zu] is not a ship type 1..99", i);
            types[i] = (int)json_integer_value(x);
        }
    }
    json_t *lanes = json_object_get(bg, "lanes"), *boxes = json_object_get(bg, "boxes");
    size_t nl = json_is_array(lanes) ? json_array_size(lanes) : 0,
           nb = json_is_array(boxes) ? json_array_size(boxes) : 0;
    if ((lanes && !json_is_array(lanes)) || (boxes && !json_is_array(boxes)))
        return fail(c, "background: \"lanes\" and \"boxes\" must be arrays");
    for (size_t i = 0; i < nl; i++) {
        json_t *lane = json_array_get(lanes, i);
        if (!json_is_array(lane) || json_array_size(lane) < 2)
            return fail(c, "background: lane %zu must be an array of at least 2 [lat, lon] points", i + 1);
        /* no leg over land (the mask's cells LAND_MARGIN_KM inland: a lane
         * may hug a coast the 1:50m mask draws a kilometre off) */
        for (size_t k = 0; c->land && k + 1 < json_array_size(lane); k++) {
            double a[2], b[2];
            if (!point(c, json_array_get(lane, k), "background.lanes", "point", &a[0], &a[1]) ||
                !point(c, json_array_get(lane, k + 1), "background.lanes", "point", &b[0], &b[1]))
                return PEL_ERR_FORMAT;
            double km = geo_land_crossing_inland_km(c->land, a[0], a[1], b[0], b[1], LAND_MARGIN_KM);
            if (km > 0)
                return fail(c,
                            "background: lane %zu: the leg from point %zu [%g, %g] to point %zu [%g, %g] crosses "
                            "%.0f km of land (the land mask, data/web/vendor/land-50m.json): add a point to sail "
                            "round it",
                            i + 1, k + 1, a[0], a[1], k + 2, b[0], b[1], km);
        }
    }
    double *bx = calloc(nb ? nb * 4 : 1, sizeof *bx);
    if (!bx)
        return nomem(c);
    for (size_t i = 0; i < nb; i++) {
        json_t *b = json_array_get(boxes, i);
        bool ok = json_is_array(b) && json_array_size(b) == 4;
        for (size_t k = 0; ok && k < 4; k++)
            ok = json_is_number(json_array_get(b, k)), bx[4 * i + k] = json_number_value(json_array_get(b, k));
        if (!ok || bx[4 * i] >= bx[4 * i + 2] || bx[4 * i + 1] >= bx[4 * i + 3]) {
            free(bx);
            return fail(c, "background: box %zu must be [min_lat, min_lon, max_lat, max_lon]", i + 1);
        }
        double *b4 = &bx[4 * i];
        if (fabs(b4[0]) > 85 || fabs(b4[2]) > 85 || fabs(b4[1]) > 180 || fabs(b4[3]) > 180) {
            fail(c, "background: box %zu [%g, %g, %g, %g] is not within latitudes -85..85 and longitudes -180..180",
                 i + 1, b4[0], b4[1], b4[2], b4[3]);
            free(bx);
            return PEL_ERR_FORMAT;
        }
        /* no two points of a box are further apart than its diagonal */
        double diag = geo_distance_m(b4[0], b4[1], b4[2], b4[3]);
        if (diag <= BOX_LEG_M) {
            fail(c,
                 "background: box %zu [%g, %g, %g, %g] is %.1f km corner to corner: too small for legs of at "
                 "least %.0f km (draw it larger)",
                 i + 1, b4[0], b4[1], b4[2], b4[3], diag / 1000, BOX_LEG_M / 1000);
            free(bx);
            return PEL_ERR_FORMAT;
        }
    }
    size_t n = (size_t)llround(nv * scale);
    if (n && !nl && !nb) {
        free(bx);
        return fail(c, "background: %zu vessels need \"lanes\" or \"boxes\" to sail", n);
    }
    /* each MID gives 900,000 MMSIs (MID100000..MID999999); keep the set at
     * most half full so that a free one is found in a few draws */
    if (n > nmids * 900000 / 2) {
        free(bx);
        return fail(c, "background: %zu vessels need more MMSIs than \"mids\" give (%zu MIDs: at most %zu vessels)", n,
                    nmids, nmids * 900000 / 2);
    }
    pel_status bst = check_budget(c, n, classb, lo, hi, lanes, nl, bx, nb);
    if (bst != PEL_OK) {
        free(bx);
        return bst;
    }
    mmsi_set set = {0};
    set.cap = 1024;
    while (set.cap < 4 * (n + sc->nv + 16))
        set.cap *= 2;
    set.slot = calloc(set.cap, sizeof *set.slot);
    if (!set.slot) {
        free(bx);
        return nomem(c);
    }
    for (size_t i = 0; i < sc->nv; i++)
        set_add(&set, sc->v[i].mmsi);
    pel_status st = PEL_OK;
    for (size_t i = 0; i < n && st == PEL_OK; i++) {
        sim_vessel *v = new_vessel(c);
        if (!v) {
            st = nomem(c);
            break;
        }
        sim_rng *r = &c->rng;
        v->role = SIM_ROLE_BACKGROUND;
        snprintf(v->id, sizeof v->id, "bg%zu", i + 1);
        int tries = 0;
        do {
            if (++tries > MMSI_TRIES) {
                st = fail(c, "background: no unused MMSI found for %s in %d draws (\"mids\" gives %zu)", v->id,
                          MMSI_TRIES, nmids * 900000);
                break;
            }
            v->mmsi = mids[sim_rng_next(r) % nmids] * 1000000u + 100000u + (uint32_t)(sim_rng_next(r) % 900000u);
        } while (!set_add(&set, v->mmsi));
        if (st != PEL_OK)
            break;
        v->class_b = sim_rng_chance(r, classb);
        snprintf(v->name, sizeof v->name, "%s %s %u", name_a[sim_rng_next(r) % 18], name_b[sim_rng_next(r) % 18],
                 (unsigned)(sim_rng_next(r) % 99 + 1));
        for (int k = 0; k < 5; k++)
            v->callsign[k] = (char)('A' + sim_rng_next(r) % 26);
        v->callsign[5] = 0;
        v->shiptype = types[sim_rng_next(r) % ntypes];
        if (v->class_b) {
            v->shiptype = sim_rng_chance(r, 0.5) ? 30 : 37;
            v->type19 = sim_rng_chance(r, 0.1);
            v->length = 12 + (int)(sim_rng_next(r) % 25);
            v->speed_kn = sim_rng_range(r, lo, lo + (hi - lo) / 2);
        } else {
            v->imo = random_imo(r);
            v->length = 60 + (int)(sim_rng_next(r) % 240);
            v->speed_kn = sim_rng_range(r, lo, hi);
            v->draught_dm = 40 + (int)(sim_rng_next(r) % 100);
        }
        v->beam = v->length / 6 + 2;
        snprintf(v->destination, sizeof v->destination, "%s", v->class_b ? "" : "PUSAN");
        size_t pick = (size_t)(sim_rng_next(r) % (nl + nb));
        st = pick < nl ? plan_lane(c, v, json_array_get(lanes, pick))
                       : plan_box(c, v, &bx[4 * (pick - nl)], pick - nl + 1);
        c->leg_bytes += (double)v->caplegs * sizeof(sim_leg);
    }
    free(set.slot);
    free(bx);
    return st;
}

/* the port of a port_call: by name (case-insensitive), a port of concern first */
static int find_port(const struct geo_ports *p, const char *name) {
    int best = -1;
    for (int i = 0; i < geo_ports_count(p); i++) {
        const geo_port *g = geo_port_get(p, i);
        if (!strcasecmp(g->name, name) || (g->alt_name[0] && !strcasecmp(g->alt_name, name))) {
            if (g->concern)
                return i;
            if (best < 0)
                best = i;
        }
    }
    return best;
}

static pel_status load_vessels(ld *c, json_t *arr) {
    sim_scenario *sc = c->sc;
    if (!arr)
        return PEL_OK;
    if (!json_is_array(arr))
        return fail(c, "\"vessels\" must be an array");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i);
        char where[64];
        snprintf(where, sizeof where, "vessels[%zu]", i);
        if (!json_is_object(o))
            return fail(c, "%s must be an object", where);
        sim_vessel *v = new_vessel(c);
        if (!v)
            return nomem(c);
        v->role = SIM_ROLE_SCRIPTED;
        char cls[4] = "A";
        double mmsi, imo, type, len, beam, dr, sp;
        if (!str(c, o, where, "id", v->id, sizeof v->id, true) || !num(c, o, where, "mmsi", -1, 0, 999999999, &mmsi) ||
            !str(c, o, where, "name", v->name, sizeof v->name, false) ||
            !str(c, o, where, "callsign", v->callsign, sizeof v->callsign, false) ||
            !str(c, o, where, "destination", v->destination, sizeof v->destination, false) ||
            !str(c, o, where, "class", cls, sizeof cls, false) || !num(c, o, where, "imo", 0, 0, 9999999, &imo) ||
            !num(c, o, where, "shiptype", 80, 0, 99, &type) || !num(c, o, where, "length", 100, 0, 511, &len) ||
            !num(c, o, where, "beam", 0, 0, 63, &beam) || !num(c, o, where, "draught_m", 6, 0, 25.5, &dr) ||
            !num(c, o, where, "speed_kn", 10, 3, 35, &sp) ||
            !str(c, o, where, "list_name", v->list_name, sizeof v->list_name, false) ||
            !str(c, o, where, "program", v->program, sizeof v->program, false))
            return PEL_ERR_FORMAT;
        if (mmsi < 0)
            return fail(c, "%s: \"mmsi\" is required", where);
        v->mmsi = (uint32_t)mmsi;
        v->imo = (uint32_t)imo;
        v->shiptype = (int)type;
        v->length = (int)len;
        v->beam = beam > 0 ? (int)beam : v->length / 6 + 2;
        v->draught_dm = (int)llround(dr * 10);
        v->speed_kn = sp;
        if (strcasecmp(cls, "A") && strcasecmp(cls, "B"))
            return fail(c, "%s: \"class\" must be \"A\" or \"B\"", where);
        v->class_b = !strcasecmp(cls, "B");
        json_t *d = json_object_get(o, "designated");
        if (d && !json_is_boolean(d))
            return fail(c, "%s: \"designated\" must be true or false", where);
        v->designated = d && json_is_true(d);
        json_t *t19 = json_object_get(o, "type19");
        if (t19 && !json_is_boolean(t19))
            return fail(c, "%s: \"type19\" must be true or false", where);
        v->type19 = t19 && json_is_true(t19);
        if (v->type19 && !v->class_b)
            return fail(c, "%s: \"type19\" is for class B vessels", where);
        if (!v->program[0])
            snprintf(v->program, sizeof v->program, "SIM");
    }
    /* the index by id; an id used twice is named at its second use */
    c->byid = malloc((sc->nv + 1) * sizeof *c->byid);
    if (!c->byid)
        return nomem(c);
    for (size_t i = 0; i < sc->nv; i++) {
        snprintf(c->byid[i].id, sizeof c->byid[i].id, "%s", sc->v[i].id);
        c->byid[i].i = i;
    }
    c->nbyid = sc->nv;
    xqsort(c->byid, c->nbyid, sizeof *c->byid, vid_cmp);
    size_t dup = SIZE_MAX;
    for (size_t k = 1; k < c->nbyid; k++)
        if (!strcmp(c->byid[k].id, c->byid[k - 1].id) && c->byid[k].i < dup)
            dup = c->byid[k].i;
    if (dup != SIZE_MAX)
        return fail(c, "vessels[%zu]: id \"%s\" is used twice", dup, sc->v[dup].id);
    return PEL_OK;
}

/* the anchors of one scripted vessel, from the events */
typedef struct plan {
    anchor *an;
    size_t n, cap;
} plan;

static bool plan_add(plan *p, const anchor *a) {
    if (p->n == p->cap) {
        size_t n = p->cap ? p->cap * 2 : 8;
        anchor *q = realloc(p->an, n * sizeof *q);
        if (!q)
            return false;
        p->an = q;
        p->cap = n;
    }
    p->an[p->n++] = *a;
    return true;
}

static pel_status load_events(ld *c, json_t *arr, plan *plans) {
    sim_scenario *sc = c->sc;
    if (!arr)
        return PEL_OK;
    if (!json_is_array(arr))
        return fail(c, "\"events\" must be an array");
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *o = json_array_get(arr, i);
        char where[64], vid[32] = "", vid2[32] = "";
        snprintf(where, sizeof where, "events[%zu]", i);
        if (!json_is_object(o))
            return fail(c, "%s must be an object", where);
        sim_event *e = new_event(c);
        if (!e)
            return nomem(c);
        if (!str(c, o, where, "type", e->type, sizeof e->type, true) ||
            !str(c, o, where, "id", e->id, sizeof e->id, false))
            return PEL_ERR_FORMAT;
        if (!e->id[0])
            snprintf(e->id, sizeof e->id, "%.15s-%u", e->type, (unsigned)(i + 1) % 100000u);
        snprintf(where, sizeof where, "events[%zu] (%s)", i, e->id);
        json_t *vs = json_object_get(o, "vessels");
        if (vs) {
            if (!json_is_array(vs) || json_array_size(vs) != 2 || !json_is_string(json_array_get(vs, 0)) ||
                !json_is_string(json_array_get(vs, 1)))
                return fail(c, "%s: \"vessels\" must be two vessel ids", where);
            snprintf(vid, sizeof vid, "%s", json_string_value(json_array_get(vs, 0)));
            snprintf(vid2, sizeof vid2, "%s", json_string_value(json_array_get(vs, 1)));
        } else if (!str(c, o, where, "vessel", vid, sizeof vid, true))
            return PEL_ERR_FORMAT;
        e->v1 = vessel_index(c, vid);
        if (e->v1 < 0)
            return fail(c, "%s: no vessel \"%s\"", where, vid);
        if (vid2[0] && (e->v2 = vessel_index(c, vid2)) < 0)
            return fail(c, "%s: no vessel \"%s\"", where, vid2);
        if (e->v1 == e->v2)
            return fail(c, "%s: a vessel cannot meet itself", where);
        int64_t t0, t1 = -1;
        double hours;
        const char *ty = e->type;
        bool timed = strcmp(ty, "rename") && strcmp(ty, "reflag") && strcmp(ty, "draught") && strcmp(ty, "waypoint");
        if (timed) {
            if (!hours_at(c, o, where, "from_h", true, &t0) || !num(c, o, where, "hours", -1, 0, 24 * 366, &hours))
                return PEL_ERR_FORMAT;
            t1 = hours < 0 ? sc->end : t0 + (int64_t)llround(hours * 3600000.0);
            if (t1 > sc->end)
                t1 = sc->end;
        } else if (!hours_at(c, o, where, "at_h", true, &t0))
            return PEL_ERR_FORMAT;
        e->t0 = t0;
        e->t1 = timed ? t1 : t0;
        sim_vessel *v = &sc->v[e->v1];
        anchor a = {t0, t1, 0, 0, 0, 0, SIM_DRIFT, 0, e->id};
        if (!strcmp(ty, "sts") || !strcmp(ty, "loiter")) {
            if (!strcmp(ty, "sts") && e->v2 < 0)
                return fail(c, "%s: a ship-to-ship transfer needs \"vessels\": [a, b]", where);
            double kn;
            if (!point_member(c, o, where, "at", &e->lat, &e->lon) ||
                !num(c, o, where, "speed_kn", !strcmp(ty, "sts") ? 0.4 : 1.0, 0, 1.9, &kn))
                return PEL_ERR_FORMAT;
            double drift = kn * KN_MS * (double)(t1 - t0) / 1000.0, b = !strcmp(ty, "sts") ? 45 : 120;
            a.lat0 = e->lat, a.lon0 = e->lon;
            step_from(e->lat, e->lon, b, drift, &a.lat1, &a.lon1);
            if (!plan_add(&plans[e->v1], &a))
                return nomem(c);
            if (e->v2 >= 0) {
                /* the second ship lies alongside, 120 m off */
                anchor a2 = a;
                step_from(a.lat0, a.lon0, b + 90, 120, &a2.lat0, &a2.lon0);
                step_from(a.lat1, a.lon1, b + 90, 120, &a2.lat1, &a2.lon1);
                if (!plan_add(&plans[e->v2], &a2))
                    return nomem(c);
            }
            json_t *da = json_object_get(o, "draught_after_m");
            if (da) {
                if (!json_is_object(da))
                    return fail(c, "%s: \"draught_after_m\" must be {vessel id: metres}", where);
                const char *k;
                json_t *val;
                json_object_foreach(da, k, val) {
                    int vi = vessel_index(c, k);
                    if (vi < 0 || !json_is_number(val))
                        return fail(c, "%s: \"draught_after_m\": no vessel \"%s\" or not a number", where, k);
                    sim_change ch = {.t = t1, .draught_dm = (int)llround(json_number_value(val) * 10)};
                    if (!add_change(&sc->v[vi], &ch))
                        return nomem(c);
                }
            }
        } else if (!strcmp(ty, "port_call")) {
            char port[64];
            if (!str(c, o, where, "port", port, sizeof port, true))
                return PEL_ERR_FORMAT;
            e->port = find_port(c->ports, port);
            if (e->port < 0)
                return fail(c, "%s: no port \"%s\" in the port list", where, port);
            const geo_port *g = geo_port_get(c->ports, e->port);
            double north = 0, east = 0;
            json_t *off = json_object_get(o, "offset_m");
            if (off) {
                if (!json_is_array(off) || json_array_size(off) != 2 || !json_is_number(json_array_get(off, 0)) ||
                    !json_is_number(json_array_get(off, 1)))
                    return fail(c, "%s: \"offset_m\" must be [metres north, metres east]", where);
                north = json_number_value(json_array_get(off, 0));
                east = json_number_value(json_array_get(off, 1));
                if (fabs(north) > 2000 || fabs(east) > 2000)
                    return fail(c, "%s: \"offset_m\" must stay within 2 km of the port", where);
            }
            e->lat = g->lat + north / 111194.9;
            e->lon = g->lon + east / (111194.9 * cos(g->lat * M_PI / 180));
            a.lat0 = a.lat1 = e->lat, a.lon0 = a.lon1 = e->lon;
            a.kind = SIM_STAY;
            a.status = 5;
            if (!plan_add(&plans[e->v1], &a))
                return nomem(c);
        } else if (!strcmp(ty, "waypoint")) {
            if (!point_member(c, o, where, "at", &e->lat, &e->lon))
                return PEL_ERR_FORMAT;
            a.t1 = t0;
            a.lat0 = a.lat1 = e->lat, a.lon0 = a.lon1 = e->lon;
            a.kind = SIM_SAIL;
            if (!plan_add(&plans[e->v1], &a))
                return nomem(c);
        } else if (!strcmp(ty, "dark")) {
            sim_window *p = realloc(v->dark, (v->ndark + 1) * sizeof *p);
            if (!p)
                return nomem(c);
            v->dark = p;
            sim_window *w = &v->dark[v->ndark++];
            *w = (sim_window){t0, t1, ""};
            /* the cause the gap detector can see (docs/simulate.md): "dark",
             * "sparse" for a ship that went dark where nothing else is heard,
             * "dark|sparse" where the background is too thin to be sure */
            if (!str(c, o, where, "cause", w->cause, sizeof w->cause, false))
                return PEL_ERR_FORMAT;
            if (w->cause[0] && strcmp(w->cause, "dark") && strcmp(w->cause, "sparse") &&
                strcmp(w->cause, "dark|sparse")) {
                fail(c, "%s: \"cause\" is \"dark\", \"sparse\" or \"dark|sparse\"", where);
                return PEL_ERR_FORMAT;
            }
        } else if (!strcmp(ty, "clone")) {
            double tlat, tlon;
            if (!point_member(c, o, where, "at", &e->lat, &e->lon) || !point_member(c, o, where, "to", &tlat, &tlon))
                return PEL_ERR_FORMAT;
            int src = e->v1;
            sim_vessel *k = new_vessel(c);
            if (!k)
                return nomem(c);
            v = &sc->v[src]; /* the array may have moved */
            *k = *v;
            k->legs = NULL, k->nlegs = k->caplegs = 0;
            k->dark = NULL, k->ndark = 0;
            k->changes = NULL, k->nchanges = 0;
            k->spoof = NULL, k->nspoof = 0;
            k->role = SIM_ROLE_CLONE;
            k->designated = false;
            snprintf(k->id, sizeof k->id, "%.20s-clone", v->id);
            sim_leg l = {t0, t1, e->lat, e->lon, tlat, tlon, SIM_SAIL, 0};
            if (!sim_add_leg(k, &l))
                return nomem(c);
            e->v2 = (int)(k - sc->v);
        } else if (!strcmp(ty, "spoof_land") || !strcmp(ty, "spoof_circle")) {
            sim_spoof sp = {t0, t1, !strcmp(ty, "spoof_land") ? SIM_SPOOF_LAND : SIM_SPOOF_CIRCLE, 0, 0, 0, 0, 0};
            double period_min = 0;
            if (!point_member(c, o, where, "at", &e->lat, &e->lon) ||
                !num(c, o, where, "radius_m", 1000, 100, 10000, &sp.radius_m) ||
                !num(c, o, where, "phase_deg", 0, -360, 360, &sp.phase_deg) ||
                !num(c, o, where, "period_min", 30, 5, 1440, &period_min))
                return PEL_ERR_FORMAT;
            sp.lat = e->lat, sp.lon = e->lon;
            sp.period_ms = (int64_t)llround(period_min * 60000.0);
            if (sp.kind == SIM_SPOOF_LAND && c->land && !geo_land_inland(c->land, e->lat, e->lon, SPOOF_INLAND_KM))
                return fail(c,
                            "%s: \"at\" [%g, %g] is not %g km inland on the land mask (data/web/vendor/land-50m.json)",
                            where, e->lat, e->lon, SPOOF_INLAND_KM);
            if (sp.kind == SIM_SPOOF_LAND)
                sp.radius_m = 0;
            sim_spoof *q = realloc(v->spoof, (v->nspoof + 1) * sizeof *q);
            if (!q)
                return nomem(c);
            v->spoof = q;
            v->spoof[v->nspoof++] = sp;
        } else if (!strcmp(ty, "spoof_offset")) {
            /* the vector: offset_km along bearing_deg, or dlat/dlon degrees */
            sim_spoof sp = {t0, t1, SIM_SPOOF_OFFSET, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            double km = 0, bearing = 0;
            if (!num(c, o, where, "offset_km", 0, 0, 1000, &km) ||
                !num(c, o, where, "bearing_deg", 0, 0, 360, &bearing) ||
                !num(c, o, where, "dlat", 0, -5, 5, &sp.dlat) || !num(c, o, where, "dlon", 0, -5, 5, &sp.dlon))
                return PEL_ERR_FORMAT;
            if ((km > 0) == (sp.dlat != 0 || sp.dlon != 0))
                return fail(c,
                            "%s: an offset is \"offset_km\" (with \"bearing_deg\") or \"dlat\"/\"dlon\", one of them",
                            where);
            sp.north_m = km * 1000.0 * cos(bearing * M_PI / 180.0);
            sp.east_m = km * 1000.0 * sin(bearing * M_PI / 180.0);
            e->lat = e->lon = NAN;
            sim_spoof *q = realloc(v->spoof, (v->nspoof + 1) * sizeof *q);
            if (!q)
                return nomem(c);
            v->spoof = q;
            v->spoof[v->nspoof++] = sp;
        } else if (!strcmp(ty, "rename") || !strcmp(ty, "reflag") || !strcmp(ty, "draught")) {
            sim_change ch = {.t = t0};
            double imo = 0, mmsi = 0, dr = 0, type = 0;
            if (!str(c, o, where, "name", ch.name, sizeof ch.name, false) ||
                !str(c, o, where, "callsign", ch.callsign, sizeof ch.callsign, false) ||
                !num(c, o, where, "imo", 0, 0, 9999999, &imo) || !num(c, o, where, "mmsi", 0, 0, 999999999, &mmsi) ||
                !num(c, o, where, "draught_m", 0, 0, 25.5, &dr) || !num(c, o, where, "shiptype", 0, 0, 99, &type))
                return PEL_ERR_FORMAT;
            ch.imo = (uint32_t)imo;
            ch.mmsi = (uint32_t)mmsi;
            ch.draught_dm = (int)llround(dr * 10);
            ch.shiptype = (int)type;
            if (!strcmp(ty, "reflag") && !ch.mmsi)
                return fail(c, "%s: a change of flag needs the new \"mmsi\"", where);
            if (!ch.name[0] && !ch.callsign[0] && !ch.imo && !ch.mmsi && !ch.draught_dm && !ch.shiptype)
                return fail(c, "%s: nothing changes", where);
            if (!add_change(&sc->v[e->v1], &ch))
                return nomem(c);
        } else
            return fail(c,
                        "%s: unknown event type \"%s\" (sts, loiter, port_call, waypoint, dark, clone, rename, "
                        "reflag, draught, spoof_land, spoof_circle, spoof_offset)",
                        where, ty);
    }
    return PEL_OK;
}

pel_status sim_scenario_load(const char *path, const struct geo_ports *ports, const struct geo_land *land, int64_t seed,
                             double scale, sim_budget *b, sim_scenario *sc, pel_error *err) {
    memset(sc, 0, sizeof *sc);
    ld c = {sc, err, ports, land, {{0}}, b, 0, INFINITY, NULL, 0};
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return pel_fail(err, PEL_ERR_FORMAT, "%s:%d: %s", path, je.line, je.text);
    pel_status st = PEL_ERR_FORMAT;
    plan *plans = NULL;
    size_t nplans = 0;
    if (!json_is_object(root)) {
        fail(&c, "a scenario is a JSON object");
        goto out;
    }
    char start[40] = "";
    double hours, sd, loss, dup, reo, reomax, cor, trunc, feed;
    json_t *rc = json_object_get(root, "reception");
    if (rc && !json_is_object(rc)) {
        fail(&c, "\"reception\" must be an object");
        goto out;
    }
    if (!rc)
        rc = json_object();
    else
        json_incref(rc);
    bool ok = str(&c, root, "scenario", "name", sc->name, sizeof sc->name, false) &&
              str(&c, root, "scenario", "start", start, sizeof start, true) &&
              num(&c, root, "scenario", "hours", 24, 0.1, 24 * 62, &hours) &&
              num(&c, root, "scenario", "seed", 1, 0, 9007199254740991.0, &sd) &&
              num(&c, rc, "reception", "loss", 0, 0, 0.95, &loss) &&
              num(&c, rc, "reception", "duplicate", 0, 0, 1, &dup) &&
              num(&c, rc, "reception", "reorder", 0, 0, 1, &reo) &&
              num(&c, rc, "reception", "reorder_max_s", 120, 1, 3600, &reomax) &&
              num(&c, rc, "reception", "corrupt", 0, 0, 0.5, &cor) &&
              num(&c, rc, "reception", "truncate", 0, 0, 0.5, &trunc) &&
              num(&c, rc, "reception", "feed_interval_s", 0, 0, 3600, &feed);
    if (ok && !pel_parse_time(start, strlen(start), &sc->start)) {
        fail(&c, "scenario: \"start\" \"%s\" is not an ISO-8601 time", start);
        ok = false;
    }
    if (!ok) {
        json_decref(rc);
        goto out;
    }
    sc->end = sc->start + (int64_t)llround(hours * 3600000.0);
    sc->seed = seed >= 0 ? (uint64_t)seed : (uint64_t)sd;
    sim_rng_seed(&c.rng, sc->seed);
    sc->loss = loss, sc->duplicate = dup, sc->reorder = reo, sc->corrupt = cor, sc->truncate = trunc;
    sc->reorder_max_ms = (int64_t)(reomax * 1000);
    sc->feed_interval_ms = (int64_t)(feed * 1000);
    json_t *holes = json_object_get(rc, "holes");
    if (holes) {
        if (!json_is_array(holes)) {
            json_decref(rc);
            fail(&c, "reception: \"holes\" must be an array");
            goto out;
        }
        sc->holes = calloc(json_array_size(holes) + 1, sizeof *sc->holes);
        for (size_t i = 0; sc->holes && i < json_array_size(holes); i++) {
            json_t *h = json_array_get(holes, i);
            char where[48];
            snprintf(where, sizeof where, "reception.holes[%zu]", i);
            sim_hole *o = &sc->holes[sc->nholes++];
            double r;
            if (!json_is_object(h) || !num(&c, h, where, "lat", NAN, -85, 85, &o->lat) ||
                !num(&c, h, where, "lon", NAN, -180, 180, &o->lon) ||
                !num(&c, h, where, "radius_km", NAN, 0.1, 5000, &r) ||
                !hours_at(&c, h, where, "from_h", false, &o->t0) || !hours_at(&c, h, where, "to_h", false, &o->t1)) {
                if (!json_is_object(h))
                    fail(&c, "%s must be an object {lat, lon, radius_km, from_h, to_h}", where);
                json_decref(rc);
                goto out;
            }
            o->radius_m = r * 1000;
            if (o->t0 < 0)
                o->t0 = sc->start;
            if (o->t1 < 0)
                o->t1 = sc->end;
        }
    }
    json_decref(rc);
    json_t *rx = json_object_get(root, "receivers");
    if (!json_is_array(rx) || !json_array_size(rx)) {
        fail(&c, "\"receivers\" must be an array of at least one {name, lat, lon}");
        goto out;
    }
    sc->rx = calloc(json_array_size(rx), sizeof *sc->rx);
    if (!sc->rx) {
        st = nomem(&c);
        goto out;
    }
    for (size_t i = 0; i < json_array_size(rx); i++) {
        json_t *o = json_array_get(rx, i);
        char where[48];
        snprintf(where, sizeof where, "receivers[%zu]", i);
        sim_receiver *r = &sc->rx[sc->nrx++];
        if (!json_is_object(o) || !str(&c, o, where, "name", r->name, sizeof r->name, true) ||
            !num(&c, o, where, "lat", NAN, -85, 85, &r->lat) || !num(&c, o, where, "lon", NAN, -180, 180, &r->lon)) {
            if (!json_is_object(o))
                fail(&c, "%s must be an object {name, lat, lon}", where);
            goto out;
        }
        double range_km, late_h, pass_min, period_min, offset_min;
        json_t *sat = json_object_get(o, "satellite"), *down = json_object_get(o, "down");
        if (!num(&c, o, where, "range_km", 0, 0, 20000, &range_km) || !num(&c, o, where, "late_h", 0, 0, 240, &late_h))
            goto out;
        r->range_m = range_km * 1000;
        r->late_ms = (int64_t)llround(late_h * 3600000.0);
        if (sat) {
            char sw[96];
            snprintf(sw, sizeof sw, "%s.satellite", where);
            if (!json_is_object(sat) || !num(&c, sat, sw, "pass_min", 8, 1, 600, &pass_min) ||
                !num(&c, sat, sw, "period_min", 90, 10, 1440, &period_min) ||
                !num(&c, sat, sw, "offset_min", 0, 0, 1440, &offset_min)) {
                if (!json_is_object(sat))
                    fail(&c, "%s must be an object {pass_min, period_min, offset_min}", sw);
                goto out;
            }
            if (r->range_m <= 0) {
                fail(&c, "%s: a satellite needs its footprint, \"range_km\"", where);
                goto out;
            }
            r->satellite = true;
            r->pass_ms = (int64_t)llround(pass_min * 60000.0);
            r->period_ms = (int64_t)llround(period_min * 60000.0);
            r->offset_ms = (int64_t)llround(offset_min * 60000.0);
        }
        if (down) {
            if (!json_is_array(down)) {
                fail(&c, "%s: \"down\" must be an array of {from_h, to_h}", where);
                goto out;
            }
            r->down = calloc(json_array_size(down) + 1, sizeof *r->down);
            if (!r->down) {
                st = nomem(&c);
                goto out;
            }
            for (size_t k = 0; k < json_array_size(down); k++) {
                json_t *d = json_array_get(down, k);
                char dw[96];
                snprintf(dw, sizeof dw, "%s.down[%zu]", where, k);
                sim_window *w = &r->down[r->ndown++];
                if (!json_is_object(d) || !hours_at(&c, d, dw, "from_h", true, &w->t0) ||
                    !hours_at(&c, d, dw, "to_h", true, &w->t1)) {
                    if (!json_is_object(d))
                        fail(&c, "%s must be an object {from_h, to_h}", dw);
                    goto out;
                }
            }
        }
        for (const char *p = r->name; *p; p++)
            if (*p == ',' || *p == '*' || *p == '\\' || (unsigned char)*p < 0x20) {
                fail(&c, "%s: a receiver name cannot hold ',', '*' or '\\' (it goes into a tag block)", where);
                goto out;
            }
    }
    if ((st = load_vessels(&c, json_object_get(root, "vessels"))) != PEL_OK)
        goto out;
    size_t nscripted = sc->nv;
    plans = calloc(nscripted + 1, sizeof *plans);
    nplans = nscripted;
    if (!plans) {
        st = nomem(&c);
        goto out;
    }
    if ((st = load_events(&c, json_object_get(root, "events"), plans)) != PEL_OK)
        goto out;
    json_t *vs = json_object_get(root, "vessels");
    for (size_t i = 0; i < nscripted; i++) {
        json_t *o = json_array_get(vs, i);
        char where[64];
        snprintf(where, sizeof where, "vessels[%zu] (%s)", i, sc->v[i].id);
        double lat, lon, course;
        if (!point_member(&c, o, where, "start", &lat, &lon) || !num(&c, o, where, "course_deg", 90, 0, 360, &course)) {
            st = PEL_ERR_FORMAT;
            goto out;
        }
        if ((st = plan_scripted(&c, &sc->v[i], lat, lon, course, plans[i].an, plans[i].n)) != PEL_OK)
            goto out;
    }
    double sc_scale = scale > 0 ? scale : 1;
    st = load_background(&c, json_object_get(root, "background"), sc_scale);
out:
    if (plans)
        for (size_t i = 0; i < nplans; i++)
            free(plans[i].an);
    free(plans);
    free(c.byid);
    json_decref(root);
    if (st != PEL_OK)
        sim_scenario_free(sc);
    return st;
}

void sim_scenario_free(sim_scenario *sc) {
    for (size_t i = 0; i < sc->nv; i++) {
        free(sc->v[i].legs);
        free(sc->v[i].dark);
        free(sc->v[i].changes);
        free(sc->v[i].spoof);
    }
    free(sc->v);
    free(sc->ev);
    for (size_t i = 0; sc->rx && i < sc->nrx; i++)
        free(sc->rx[i].down);
    free(sc->rx);
    free(sc->holes);
    memset(sc, 0, sizeof *sc);
}
