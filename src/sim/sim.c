/*
 * sim.c -- pel_simulate: runs a scenario (scenario.c) and writes the
 * received AIS stream, the truth, the fleet and the scenario's watchlist.
 *
 * Transmission (ITU-R M.1371-5, Annex 1 table 1, and 4.2 for static data):
 * class A reports every 10 s under 14 kn, 6 s under 23 kn, 2 s above, and
 * every 3 min when at anchor or moored and not faster than 3 kn; class B
 * (type 18) every 30 s above 2 kn, 3 min below; static and voyage data
 * (type 5, or 24 A and B, and type 19 for some class B) every 6 min.  A
 * scenario may downsample to a feed that keeps one position per vessel per
 * feed_interval_s, as commercial and satellite feeds do.  Message types: 1,
 * with 3 for one report in twenty and 2 for one in fifty.
 *
 * Reception: each transmission is heard by the receiver nearest the vessel
 * (tag block s:, c: in whole seconds), lost with probability loss or
 * always inside a coverage hole, heard again by the next-nearest receiver
 * with probability duplicate, delayed up to reorder_max_s with probability
 * reorder (written out of time order), and one of its sentences corrupted
 * (a payload character changed, so the checksum fails) or truncated with
 * their probabilities.  Lines are written in order of arrival; windows of 10
 * minutes keep memory independent of the length of the scenario.
 *
 * Truth (docs/simulate.md): scripted events give encounters, loitering,
 * port visits, spoofing (cloned MMSI, invalid IMO, unallocated MID) and
 * identity changes; the received stream gives gaps (12 h between received
 * positions of one transmitter, open at the end) and zone entries (runs of
 * received positions inside a zone), which is what those events are.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "detect/detectors.h"
#include "geo/geo.h"
#include "screen/screen.h"
#include "sim.h"
#include "util/escape.h"
#include "util/fail.h"
#include "util/outfile.h"
#include "util/xsort.h"

#define KN_MS (1852.0 / 3600.0)
#define WINDOW_MS (600 * 1000LL)
#define GAP_MS (12 * 3600 * 1000LL)
#define LOITER_MS (4 * 3600 * 1000LL)
#define LOITER_PORT_M (20 * 1852.0)

/* ---- truth items ---- */

typedef struct truth {
    const char *event;
    uint32_t mmsi, mmsi2;
    int64_t t0, t1;
    double lat, lon;
    json_t *extra; /* further members (owned) */
    char why[200];
    bool optional;
} truth;

/* ---- lines waiting to be written ---- */

typedef struct item {
    int64_t arrive;
    uint64_t seq;
    char *text;
} item;

typedef struct zrun {
    int64_t t0, t1;
    double lat, lon;
    uint32_t n;
    bool on;
    int64_t slow_t0; /* the slow run going on inside (reported SOG under the dwell speed), -1 none */
    int64_t dwell;   /* the longest slow run of the stay, ms */
} zrun;

/* per-vessel reception state */
typedef struct vrx {
    uint32_t mmsi;   /* current MMSI */
    int64_t last_rx; /* last received position under it, -1 none */
    double last_lat, last_lon;
    size_t nextch;              /* next identity change to apply */
    int64_t ident_t0, ident_t1; /* the current identity's first/last broadcast (-1 none) */
    zrun *z;                    /* per zone */
} vrx;

/* the identity a designated vessel is listed under (the one it starts with) */
typedef struct listed {
    char name[21];
    uint32_t imo;
} listed;

typedef struct ctx {
    sim_scenario *sc;
    const pel_sim_opts *o;
    pel_sim_stats *st;
    pel_error *err;
    geo_ports *ports;
    geo_zones *zones;
    det_zone_opts zone_opts; /* the zone detector's defaults: dwell zones' truth */
    geo_mid *mid;
    geo_land *land; /* lanes, boxes and spoof_land events are checked against it */
    int nzones;
    sim_rng rng;
    FILE *out;
    outfile outf; /* ais.nmea, out is its stream */
    item *items;
    size_t nitems, capitems;
    uint64_t seq;
    int seqid, group;
    vrx *rx;
    truth *tr;
    size_t ntr, captr;
    int64_t data_end;
    struct retired {
        uint32_t mmsi;
        size_t vessel;
        int64_t last_rx;
        double lat, lon;
        uint32_t to;      /* the MMSI it was given up for */
        int64_t first_rx; /* the first received position under `to`, -1 none yet */
    } * retired;          /* MMSIs given up on a change of flag */
    size_t nretired;
    bool oom;        /* stop: out of memory, or fail */
    pel_status fail; /* when not out of memory */
    struct listed *ls;
    size_t *designated; /* indices of the designated vessels (few), for close_identity */
    size_t ndesignated;
} ctx;

/* Every file the simulator writes goes through util/outfile.h: into a
 * temporary file renamed into place when complete, never through a
 * symbolic link at its name.  NULL with err filled when it cannot. */
static FILE *open_out(outfile *o, const char *path, pel_error *err) {
    return outfile_open(o, path, err) == PEL_OK ? o->f : NULL;
}

static pel_status io_fail(pel_error *err, const char *what, const char *path) {
    return pel_fail(err, PEL_ERR_IO, "%s %.150s: %s", what, path, strerror(errno));
}

static truth *add_truth(ctx *c, const char *event, uint32_t mmsi, uint32_t mmsi2, int64_t t0, int64_t t1, double lat,
                        double lon, const char *fmt, ...) {
    if (c->ntr == c->captr) {
        size_t n = c->captr ? c->captr * 2 : 64;
        truth *p = realloc(c->tr, n * sizeof *p);
        if (!p) {
            c->oom = true;
            return NULL;
        }
        c->tr = p;
        c->captr = n;
    }
    truth *t = &c->tr[c->ntr++];
    memset(t, 0, sizeof *t);
    t->event = event;
    if (mmsi2 && mmsi2 < mmsi && !strcmp(event, "encounter")) { /* a pair in no order; a change of MMSI has one */
        uint32_t x = mmsi;
        mmsi = mmsi2;
        mmsi2 = x;
    }
    t->mmsi = mmsi, t->mmsi2 = mmsi2, t->t0 = t0, t->t1 = t1, t->lat = lat, t->lon = lon;
    t->extra = json_object();
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->why, sizeof t->why, fmt, ap);
    va_end(ap);
    return t;
}

static bool push_item(ctx *c, int64_t arrive, const char *text, size_t len) {
    if (c->nitems == c->capitems) {
        size_t n = c->capitems ? c->capitems * 2 : 4096;
        item *p = realloc(c->items, n * sizeof *p);
        if (!p)
            return false;
        c->items = p;
        c->capitems = n;
    }
    char *s = malloc(len + 1);
    if (!s)
        return false;
    memcpy(s, text, len + 1);
    c->items[c->nitems++] = (item){arrive, c->seq++, s};
    return true;
}

static int item_cmp(const void *a, const void *b) {
    const item *x = a, *y = b;
    if (x->arrive != y->arrive)
        return x->arrive < y->arrive ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Writes the waiting lines that arrive before t (all when t < 0).  Every
 * line written is freed and taken off the list, also when a write fails
 * part way (the caller frees what is left, once). */
static bool flush_items(ctx *c, int64_t t) {
    if (c->nitems > 1)
        xqsort(c->items, c->nitems, sizeof *c->items, item_cmp);
    size_t k = 0;
    bool ok = true;
    for (; k < c->nitems && (t < 0 || c->items[k].arrive < t); k++) {
        if (fputs(c->items[k].text, c->out) == EOF) {
            ok = false;
            break;
        }
        size_t nl = 0;
        for (const char *p = c->items[k].text; *p; p++)
            nl += *p == '\n';
        c->st->lines += nl;
        free(c->items[k].text);
    }
    if (k && c->nitems > k)
        memmove(c->items, c->items + k, (c->nitems - k) * sizeof *c->items);
    c->nitems -= k;
    return ok && !ferror(c->out);
}

/* ---- reception ---- */

static bool in_hole(const sim_scenario *sc, double lat, double lon, int64_t t) {
    for (size_t i = 0; i < sc->nholes; i++) {
        const sim_hole *h = &sc->holes[i];
        if (t >= h->t0 && t < h->t1 && geo_distance_m(lat, lon, h->lat, h->lon) <= h->radius_m)
            return true;
    }
    return false;
}

/* When v's position is spoofed at t, the spoofed place, speed and course
 * replace the true ones and true is returned; an offset shifts the place
 * and leaves it noisy (false, unless another spoof says otherwise). */
static bool spoofed(const sim_vessel *v, int64_t t, double *lat, double *lon, double *sog, double *cog) {
    for (size_t i = 0; i < v->nspoof; i++) {
        const sim_spoof *s = &v->spoof[i];
        if (t < s->t0 || t >= s->t1)
            continue;
        if (s->kind == SIM_SPOOF_OFFSET) {
            double la = *lat;
            *lat += s->dlat + s->north_m / 111194.9;
            *lon += s->dlon + s->east_m / (111194.9 * cos(la * M_PI / 180.0));
            continue;
        }
        if (s->kind == SIM_SPOOF_LAND) {
            *lat = s->lat, *lon = s->lon, *sog = 0, *cog = 0;
            return true;
        }
        double a = s->phase_deg + 360.0 * (double)(t - s->t0) / (double)s->period_ms, r = a * M_PI / 180.0;
        *lat = s->lat + s->radius_m * sin(r) / 111194.9;
        *lon = s->lon + s->radius_m * cos(r) / (111194.9 * cos(s->lat * M_PI / 180.0));
        *sog = 2 * M_PI * s->radius_m / ((double)s->period_ms / 1000.0) / KN_MS;
        *cog = fmod(360.0 - fmod(a, 360.0), 360.0); /* anticlockwise: the course is the tangent */
        return true;
    }
    return false;
}

static bool is_dark(const sim_vessel *v, int64_t t) {
    for (size_t i = 0; i < v->ndark; i++)
        if (t >= v->dark[i].t0 && t < v->dark[i].t1)
            return true;
    return false;
}

static double dark_overlap(const sim_vessel *v, int64_t a, int64_t b) {
    double s = 0;
    for (size_t i = 0; i < v->ndark; i++) {
        int64_t x = v->dark[i].t0 > a ? v->dark[i].t0 : a, y = v->dark[i].t1 < b ? v->dark[i].t1 : b;
        if (y > x)
            s += (double)(y - x);
    }
    return s;
}

/* The length of v's longest dark window overlapping [a, b), 0 for none. */
static int64_t dark_window(const sim_vessel *v, int64_t a, int64_t b) {
    int64_t best = 0;
    for (size_t i = 0; i < v->ndark; i++)
        if (v->dark[i].t0 < b && v->dark[i].t1 > a && v->dark[i].t1 - v->dark[i].t0 > best)
            best = v->dark[i].t1 - v->dark[i].t0;
    return best;
}

static bool rx_down(const sim_receiver *r, int64_t t) {
    for (size_t i = 0; i < r->ndown; i++)
        if (t >= r->down[i].t0 && t < r->down[i].t1)
            return true;
    return false;
}

static bool rx_in_pass(const sim_receiver *r, int64_t t) {
    int64_t k = (t - r->offset_ms) % r->period_ms;
    if (k < 0)
        k += r->period_ms;
    return k < r->pass_ms;
}

/* How a position at (lat, lon) is heard at t: by shore station *a (the
 * nearest whose range covers it; *b the next-nearest, for duplicates),
 * else by a satellite whose footprint covers it (*a, *b the same; only
 * during its passes).  Returns 0 heard, 1 not covered by anyone, 2 its
 * station down, 3 between a satellite's passes. */
static int reception(const sim_scenario *sc, double lat, double lon, int64_t t, int *a, int *b);

/* The nearest shore receivers covering (lat, lon): *a (-1 none), *b the
 * next (*a when there is no other). */
static void nearest_rx(const sim_scenario *sc, double lat, double lon, int *a, int *b) {
    double da = INFINITY, db = INFINITY;
    *a = -1, *b = -1;
    for (size_t i = 0; i < sc->nrx; i++) {
        if (sc->rx[i].satellite)
            continue;
        double d = geo_distance_m(lat, lon, sc->rx[i].lat, sc->rx[i].lon);
        if (sc->rx[i].range_m > 0 && d > sc->rx[i].range_m)
            continue;
        if (d < da) {
            db = da, *b = *a;
            da = d, *a = (int)i;
        } else if (d < db)
            db = d, *b = (int)i;
    }
    if (*b < 0)
        *b = *a;
}

static int reception(const sim_scenario *sc, double lat, double lon, int64_t t, int *a, int *b) {
    nearest_rx(sc, lat, lon, a, b);
    if (*a >= 0)
        return rx_down(&sc->rx[*a], t) ? 2 : 0;
    int why = 1;
    for (size_t i = 0; i < sc->nrx; i++) {
        const sim_receiver *r = &sc->rx[i];
        if (!r->satellite || geo_distance_m(lat, lon, r->lat, r->lon) > r->range_m)
            continue;
        if (rx_down(r, t)) {
            why = why == 1 ? 2 : why;
            continue;
        }
        if (!rx_in_pass(r, t)) {
            why = 3;
            continue;
        }
        *a = *b = (int)i;
        return 0;
    }
    return why;
}

/* Why a vessel at (lat, lon) around t would not be heard, for the truth:
 * "coverage" (a hole, its station down), "satellite" (only satellites
 * cover it there), "none" (nobody covers it), NULL (it would be heard). */
static const char *unheard_because(const sim_scenario *sc, double lat, double lon, int64_t t) {
    int a, b;
    if (in_hole(sc, lat, lon, t))
        return "coverage";
    int why = reception(sc, lat, lon, t, &a, &b);
    if (why == 2)
        return "coverage";
    nearest_rx(sc, lat, lon, &a, &b);
    if (a < 0)
        return why == 1 ? "none" : "satellite";
    return NULL;
}

/* spoils one sentence of text: a changed payload character, or a cut */
static void spoil(ctx *c, char *text, bool cut) {
    size_t nlines = 0;
    for (char *p = text; *p; p++)
        nlines += *p == '\n';
    size_t pick = (size_t)(sim_rng_next(&c->rng) % (nlines ? nlines : 1));
    char *line = text;
    for (size_t i = 0; i < pick; i++)
        line = strchr(line, '\n') + 1;
    char *eol = strchr(line, '\n');
    char *bang = strchr(line, '!');
    if (!eol || !bang || bang > eol)
        return;
    if (cut) {
        size_t keep = (size_t)(bang - line) + 1 + (size_t)(sim_rng_next(&c->rng) % (size_t)(eol - bang - 1));
        memmove(line + keep, eol, strlen(eol) + 1);
        return;
    }
    /* the payload is the sixth field after the sentence name */
    char *p = bang;
    for (int k = 0; k < 5 && p; k++)
        p = strchr(p + 1, ',');
    if (!p || p + 1 >= eol || p[1] == ',')
        return;
    p++;
    char *end = strchr(p, ',');
    size_t n = (size_t)(end - p);
    size_t at = (size_t)(sim_rng_next(&c->rng) % n);
    p[at] = p[at] == 'A' ? 'B' : 'A';
}

/* encodes r and queues what the receivers hear of it at time t */
static bool transmit(ctx *c, sim_vessel *v, const pel_ais_report *r, int64_t t, double lat, double lon, bool *heard) {
    sim_scenario *sc = c->sc;
    uint8_t bits[128];
    pel_error e;
    int nbits = pel_ais_encode(r, bits, sizeof bits, &e);
    if (nbits < 0) {
        pel_fail(c->err, PEL_ERR_FORMAT, "vessel %.31s: %.200s", v->id, e.msg);
        c->oom = true;
        c->fail = PEL_ERR_FORMAT;
        return false;
    }
    c->st->messages++;
    *heard = false;
    int a, b;
    if (in_hole(sc, lat, lon, t) || reception(sc, lat, lon, t, &a, &b) != 0 || sim_rng_chance(&c->rng, sc->loss)) {
        c->st->lost++;
        return true;
    }
    int copies = sim_rng_chance(&c->rng, sc->duplicate) ? 2 : 1;
    if (copies == 2)
        c->st->duplicated++;
    bool reorder = sim_rng_chance(&c->rng, sc->reorder);
    int64_t delay = reorder ? 1000 + (int64_t)(sim_rng_unit(&c->rng) * (double)(sc->reorder_max_ms - 1000)) : 0;
    if (reorder)
        c->st->reordered++;
    bool multi = nbits > 6 * 60;
    if (multi)
        c->group = c->group % 999 + 1;
    for (int k = 0; k < copies; k++) {
        int64_t rxt = t + (k ? (int64_t)(sim_rng_next(&c->rng) % 2000) : 0);
        pel_nmea_opts no = {.talker = "AI",
                            .channel = (sim_rng_next(&c->rng) & 1) ? 'B' : 'A',
                            .seqid = multi ? c->seqid : 0,
                            .source = sc->rx[k ? b : a].name,
                            .rx_ms = rxt - rxt % 1000,
                            .group = multi ? c->group : 0};
        char text[1024];
        size_t len = pel_nmea_encode(bits, nbits, &no, false, text, sizeof text);
        if (!len) {
            c->oom = true;
            return false;
        }
        bool good = true;
        if (sim_rng_chance(&c->rng, sc->corrupt)) {
            spoil(c, text, false);
            c->st->corrupted++;
            good = false;
        } else if (sim_rng_chance(&c->rng, sc->truncate)) {
            spoil(c, text, true);
            c->st->truncated++;
            good = false;
        }
        len = strlen(text);
        if (!push_item(c, rxt + delay + sc->rx[k ? b : a].late_ms, text, len)) {
            c->oom = true;
            return false;
        }
        if (good)
            *heard = true;
    }
    if (multi)
        c->seqid = (c->seqid + 1) % 10;
    return true;
}

/* ---- the vessel's identity at a time ---- */

static void apply_changes(ctx *c, sim_vessel *v, vrx *x, int64_t t);

static int pos_interval_ms(const sim_vessel *v, double sog, int status) {
    if (v->class_b)
        return sog <= 2 ? 180000 : 30000;
    if ((status == 1 || status == 5) && sog <= 3)
        return 180000;
    if (sog < 14)
        return 10000;
    if (sog < 23)
        return 6000;
    return 2000;
}

double sim_positions_per_hour(bool class_b, double kn, double feed_s) {
    /* as pos_interval_ms for a vessel under way */
    double iv = class_b ? (kn <= 2 ? 180 : 30) : kn < 14 ? 10 : kn < 23 ? 6 : 2;
    return 3600 / (feed_s > iv ? feed_s : iv);
}

double sim_statics_per_hour(bool class_b, double feed_s) {
    /* type 5, or type 24 parts A and B, every 6 min (or the feed interval) */
    return 3600 / (feed_s > 360 ? feed_s : 360) * (class_b ? 2 : 1);
}

double sim_run_bytes_per_vessel(int nzones) {
    /* the vessel, its reception state and zone runs, its listed identity,
     * its slot in the MMSI set (4 bytes, a quarter full) and in the
     * designated index, and about one truth item */
    return (double)(sizeof(sim_vessel) + sizeof(vrx) + (size_t)(nzones + 1) * sizeof(zrun) + sizeof(listed) + 16 +
                    sizeof(size_t) + sizeof(truth) + 64);
}

double sim_run_window_bytes(double msgs_per_s, const sim_scenario *sc) {
    /* lines wait for the end of their 10-minute window, delayed ones up to
     * reorder_max_s more; each is an item and a malloc'd line of ~90 bytes
     * (type 5: two lines) */
    double held_s = WINDOW_MS / 1000.0 + (sc->reorder > 0 ? (double)sc->reorder_max_ms / 1000.0 : 0) + 2;
    return msgs_per_s * held_s * (1 + sc->duplicate) * (double)(sizeof(item) + 128);
}

/* the reported value of a true one, with a few metres of GNSS noise */
static int32_t to_units(double deg) {
    return (int32_t)llround(deg * PEL_DEG);
}

static void zone_close(ctx *c, sim_vessel *v, vrx *x, int z) {
    zrun *r = &x->z[z];
    if (!r->on)
        return;
    r->on = false;
    bool dwell_zone = geo_zone_policy_of(c->zones, z) == GEO_ZONE_DWELL;
    double dwell_h = (double)r->dwell / 3.6e6;
    /* a dwell zone's stay is a finding only when the vessel was slow inside
     * for zone_entry.dwell_min_h (the defaults: the truth knows no --set);
     * a quarter of an hour either side of it may go either way (which
     * reports arrive decides the run) */
    if (dwell_zone && dwell_h < c->zone_opts.dwell_min_h - 0.25)
        return;
    truth *t = add_truth(c, "zone_entry", x->mmsi, 0, r->t0, r->t1, r->lat, r->lon,
                         dwell_zone ? "%s (%s) was inside the zone for %u received positions, slow for %.1f h"
                                    : "%s (%s) was inside the zone for %u received positions",
                         v->id, v->name, r->n, dwell_h);
    if (t) {
        json_object_set_new(t->extra, "zone", json_string(geo_zone_name(c->zones, z)));
        /* a brush with a zone edge may be seen or not depending on which reports arrive */
        t->optional = r->n < 3 || (dwell_zone && dwell_h < c->zone_opts.dwell_min_h + 0.25);
    }
}

/* The cause a dark window over [a, b) expects: its "cause", "dark" by
 * default. */
static const char *dark_cause(const sim_vessel *v, int64_t a, int64_t b) {
    for (size_t i = 0; i < v->ndark; i++)
        if (v->dark[i].t0 < b && v->dark[i].t1 > a && v->dark[i].cause[0])
            return v->dark[i].cause;
    return "dark";
}

/* A gap's judgement in the truth (docs/simulate.md): "suspected" and
 * "cause" ("sparse|coverage": either) when the simulation knows it;
 * optional when it does not. */
static void gap_cause(truth *tr, bool off, const char *expect, bool hole, bool sat) {
    if (off) {
        if (!strchr(expect, '|')) /* "dark|sparse": either, so suspected is not held */
            json_object_set_new(tr->extra, "suspected", json_boolean(!strcmp(expect, "dark")));
        json_object_set_new(tr->extra, "cause", json_string(expect));
    } else if (hole) {
        json_object_set_new(tr->extra, "suspected", json_false());
        json_object_set_new(tr->extra, "cause", json_string("coverage"));
    } else if (sat) {
        json_object_set_new(tr->extra, "suspected", json_false());
        json_object_set_new(tr->extra, "cause", json_string("sparse|coverage"));
    } else
        tr->optional = true;
}

static void on_received_position(ctx *c, sim_vessel *v, vrx *x, int64_t t, double lat, double lon, double sog) {
    if (x->last_rx < 0) /* the first under this MMSI: does it continue one given up? */
        for (size_t i = 0; i < c->nretired; i++) {
            struct retired *r = &c->retired[i];
            if (r->vessel == (size_t)(v - c->sc->v) && r->to == x->mmsi && r->first_rx < 0)
                r->first_rx = t;
        }
    if (x->last_rx >= 0 && t - x->last_rx >= GAP_MS) {
        double dark = dark_overlap(v, x->last_rx, t);
        const char *why0 = unheard_because(c->sc, x->last_lat, x->last_lon, x->last_rx + 60000),
                   *why1 = unheard_because(c->sc, lat, lon, t - 60000);
        bool hole = (why0 && !strcmp(why0, "coverage")) || (why1 && !strcmp(why1, "coverage"));
        bool sat = why0 && !strcmp(why0, "satellite");
        bool off = dark >= 0.5 * (double)(t - x->last_rx);
        const char *expect = off ? dark_cause(v, x->last_rx, t) : NULL;
        truth *tr =
            add_truth(c, "gap", x->mmsi, 0, x->last_rx, t, x->last_lat, x->last_lon, "%s (%s) %s", v->id, v->name,
                      off    ? "switched its AIS off"
                      : hole ? "sailed through a coverage hole or a station outage"
                      : sat  ? "was heard by satellite passes only"
                             : "was not heard (reception)");
        if (tr) {
            gap_cause(tr, off, expect, hole, sat);
            json_object_set_new(tr->extra, "open", json_false());
        }
    }
    if (t > x->last_rx) {
        x->last_rx = t;
        x->last_lat = lat, x->last_lon = lon;
    }
    if (t > c->data_end)
        c->data_end = t;
    if (c->nzones) {
        int in[16];
        int k = geo_zones_at(c->zones, lat, lon, in, 16);
        for (int z = 0; z < c->nzones; z++) {
            bool inside = false;
            for (int i = 0; i < k; i++)
                inside |= in[i] == z;
            zrun *r = &x->z[z];
            if (inside) {
                if (!r->on) {
                    r->on = true;
                    r->t0 = t, r->lat = lat, r->lon = lon, r->n = 0;
                    r->slow_t0 = -1, r->dwell = 0;
                }
                r->t1 = t;
                r->n++;
                if (sog < c->zone_opts.dwell_max_speed_kn) {
                    if (r->slow_t0 < 0)
                        r->slow_t0 = t;
                    if (t - r->slow_t0 > r->dwell)
                        r->dwell = t - r->slow_t0;
                } else
                    r->slow_t0 = -1;
            } else
                zone_close(c, v, x, z);
        }
    }
}

static void report_static(ctx *c, sim_vessel *v, vrx *x, int64_t t, double lat, double lon) {
    pel_ais_report r;
    bool heard;
    if (!v->class_b) {
        pel_ais_report_init(&r, 5, x->mmsi);
        r.imo = v->imo;
        snprintf(r.callsign, sizeof r.callsign, "%s", v->callsign);
        snprintf(r.shipname, sizeof r.shipname, "%s", v->name);
        snprintf(r.destination, sizeof r.destination, "%s", v->destination);
        r.shiptype = v->shiptype;
        r.to_bow = v->length * 2 / 3, r.to_stern = v->length - r.to_bow;
        r.to_port = v->beam / 2, r.to_starboard = v->beam - r.to_port;
        r.epfd = 1;
        r.draught_dm = v->draught_dm;
        time_t tt = (time_t)(t / 1000 + 2 * 86400);
        struct tm tm;
        gmtime_r(&tt, &tm);
        r.eta_month = tm.tm_mon + 1, r.eta_day = tm.tm_mday, r.eta_hour = tm.tm_hour, r.eta_minute = 0;
        if (!transmit(c, v, &r, t, lat, lon, &heard))
            return;
    } else {
        pel_ais_report_init(&r, 24, x->mmsi);
        r.partno = 0;
        snprintf(r.shipname, sizeof r.shipname, "%s", v->name);
        if (!transmit(c, v, &r, t, lat, lon, &heard))
            return;
        pel_ais_report_init(&r, 24, x->mmsi);
        r.partno = 1;
        r.shiptype = v->shiptype;
        snprintf(r.callsign, sizeof r.callsign, "%s", v->callsign);
        snprintf(r.vendorid, sizeof r.vendorid, "SIM");
        r.to_bow = v->length * 2 / 3, r.to_stern = v->length - r.to_bow;
        r.to_port = v->beam / 2, r.to_starboard = v->beam - r.to_port;
        if (!transmit(c, v, &r, t + 50, lat, lon, &heard))
            return;
    }
    if (x->ident_t0 < 0)
        x->ident_t0 = t;
    x->ident_t1 = t;
}

static void report_position(ctx *c, sim_vessel *v, vrx *x, int64_t t, double lat, double lon, double sog, double cog,
                            int status, bool exact) {
    pel_ais_report r;
    int type = 1;
    if (v->class_b)
        type = 18;
    else {
        uint64_t k = sim_rng_next(&c->rng) % 100;
        type = k < 5 ? 3 : k < 7 ? 2 : 1;
    }
    pel_ais_report_init(&r, type, x->mmsi);
    /* GNSS noise: a few metres (drawn always, so that a spoofed position
     * leaves every other draw as it was; a spoofer's position is exact) */
    double nlat = lat + sim_rng_range(&c->rng, -3e-5, 3e-5), nlon = lon + sim_rng_range(&c->rng, -3e-5, 3e-5);
    if (exact)
        nlat = lat, nlon = lon;
    r.lat = to_units(nlat);
    r.lon = to_units(nlon);
    r.speed = (int)llround(sog * 10);
    if (r.speed > 1022)
        r.speed = 1022;
    r.course = sog < 0.2 ? PEL_NA_COURSE : (int)llround(cog * 10) % 3600;
    r.heading = sog < 0.2 ? PEL_NA_HEADING : (int)llround(cog) % 360;
    if (!v->class_b) {
        r.status = status;
        r.turn = 0;
    } else
        r.cs = 1;
    r.second = (int)((t / 1000) % 60);
    r.accuracy = 1;
    bool heard;
    if (!transmit(c, v, &r, t, nlat, nlon, &heard))
        return;
    v->tx++;
    if (heard)
        on_received_position(c, v, x, t, (double)r.lat / PEL_DEG, (double)r.lon / PEL_DEG, r.speed / 10.0);
    if (v->type19 && v->tx % 12 == 0) {
        pel_ais_report_init(&r, 19, x->mmsi);
        r.lat = to_units(nlat), r.lon = to_units(nlon);
        r.speed = (int)llround(sog * 10);
        r.course = (int)llround(cog * 10) % 3600;
        r.second = (int)((t / 1000) % 60);
        snprintf(r.shipname, sizeof r.shipname, "%s", v->name);
        r.shiptype = v->shiptype;
        r.to_bow = v->length * 2 / 3, r.to_stern = v->length - r.to_bow;
        r.to_port = v->beam / 2, r.to_starboard = v->beam - r.to_port;
        r.epfd = 1;
        transmit(c, v, &r, t + 100, nlat, nlon, &heard);
    }
}

/* True when a and b are the same name written differently: letters and
 * digits compared without case, everything else ignored ("SONGHWA 5" is
 * "SONG HWA 5"; "SONG HWA 6" is not). */
static bool same_name(const char *a, const char *b) {
    for (;;) {
        while (*a && !isalnum((unsigned char)*a))
            a++;
        while (*b && !isalnum((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
            return false;
        a++, b++;
    }
}

/* Ends the identity period of x: a designated vessel's listed IMO or name
 * broadcast during it is a watchlist match, whoever broadcast it. */
static void close_identity(ctx *c, sim_vessel *v, vrx *x) {
    if (x->ident_t0 < 0)
        return;
    for (size_t k = 0; k < c->ndesignated; k++) {
        size_t i = c->designated[k];
        const sim_vessel *d = &c->sc->v[i];
        const listed *l = &c->ls[i];
        const char *lname = d->list_name[0] ? d->list_name : l->name;
        bool by_imo = l->imo && pel_imo_valid(l->imo) && v->imo == l->imo;
        bool by_name = v->name[0] && same_name(v->name, lname);
        if (!by_imo && !by_name)
            continue;
        truth *t = add_truth(c, "watchlist_match", x->mmsi, 0, x->ident_t0, x->ident_t1, NAN, NAN,
                             "%s broadcast %s%s%s (IMO %u), listed as %s%s", v->id, by_name ? "the listed name " : "",
                             v->name, by_imo && !by_name ? " with the listed IMO" : "", v->imo, lname,
                             v == d ? "" : " (another vessel's identity)");
        if (t) {
            json_object_set_new(t->extra, "entry_name", json_string(lname));
            json_object_set_new(t->extra, "identity_name", json_string(v->name));
        }
    }
    x->ident_t0 = -1;
}

static void apply_changes(ctx *c, sim_vessel *v, vrx *x, int64_t t) {
    while (x->nextch < v->nchanges && v->changes[x->nextch].t <= t) {
        const sim_change *ch = &v->changes[x->nextch++];
        bool ident = false;
        int64_t last = x->ident_t1 >= 0 ? x->ident_t1 : ch->t;
        if (ch->name[0] && strcmp(ch->name, v->name)) {
            truth *tr = add_truth(c, "identity_change", x->mmsi, 0, last, ch->t + 360000, NAN, NAN,
                                  "%s renamed from %s to %s", v->id, v->name, ch->name);
            if (tr) {
                json_object_set_new(tr->extra, "field", json_string("name"));
                json_object_set_new(tr->extra, "from", json_string(v->name));
                json_object_set_new(tr->extra, "to", json_string(ch->name));
            }
            snprintf(v->name, sizeof v->name, "%s", ch->name);
            ident = true;
        }
        if (ch->imo && ch->imo != v->imo) {
            truth *tr = add_truth(c, "identity_change", x->mmsi, 0, last, ch->t + 360000, NAN, NAN,
                                  "%s changed its IMO from %u to %u", v->id, v->imo, ch->imo);
            if (tr) {
                json_object_set_new(tr->extra, "field", json_string("imo"));
                json_object_set_new(tr->extra, "from", json_integer(v->imo));
                json_object_set_new(tr->extra, "to", json_integer(ch->imo));
            }
            v->imo = ch->imo;
            ident = true;
        }
        if (ch->callsign[0] && strcmp(ch->callsign, v->callsign)) {
            truth *tr = add_truth(c, "identity_change", x->mmsi, 0, last, ch->t + 360000, NAN, NAN,
                                  "%s changed its call sign from %s to %s", v->id, v->callsign, ch->callsign);
            if (tr) {
                json_object_set_new(tr->extra, "field", json_string("callsign"));
                json_object_set_new(tr->extra, "from", json_string(v->callsign));
                json_object_set_new(tr->extra, "to", json_string(ch->callsign));
            }
            snprintf(v->callsign, sizeof v->callsign, "%s", ch->callsign);
            ident = true;
        }
        if (ch->shiptype && ch->shiptype != v->shiptype) {
            truth *tr = add_truth(c, "identity_change", x->mmsi, 0, last, ch->t + 360000, NAN, NAN,
                                  "%s changed its ship type from %d to %d", v->id, v->shiptype, ch->shiptype);
            if (tr) {
                json_object_set_new(tr->extra, "field", json_string("shiptype"));
                json_object_set_new(tr->extra, "from", json_integer(v->shiptype));
                json_object_set_new(tr->extra, "to", json_integer(ch->shiptype));
            }
            v->shiptype = ch->shiptype;
            ident = true;
        }
        if (ch->mmsi && ch->mmsi != x->mmsi) {
            /* the old MMSI falls silent and the ship goes on under the new
             * one: an identity_change "mmsi" once the new one is heard, and
             * no open gap on the old one (both decided at the end) */
            for (int z = 0; z < c->nzones; z++)
                zone_close(c, v, x, z);
            if (x->last_rx >= 0) {
                struct retired *r = realloc(c->retired, (c->nretired + 1) * sizeof *r);
                if (!r) {
                    c->oom = true;
                    return;
                }
                c->retired = r;
                c->retired[c->nretired++] = (struct retired){
                    x->mmsi, (size_t)(v - c->sc->v), x->last_rx, x->last_lat, x->last_lon, ch->mmsi, -1};
            }
            x->mmsi = ch->mmsi;
            x->last_rx = -1;
            ident = true;
        }
        if (ch->draught_dm)
            v->draught_dm = ch->draught_dm;
        if (ident) {
            close_identity(c, v, x);
            v->next_static = t; /* a new identity is announced at once */
        }
    }
}

/* ---- output files ---- */

static int truth_cmp(const void *a, const void *b) {
    const truth *x = a, *y = b;
    if (x->t0 != y->t0)
        return x->t0 < y->t0 ? -1 : 1;
    int k = strcmp(x->event, y->event);
    if (k)
        return k;
    if (x->mmsi != y->mmsi)
        return x->mmsi < y->mmsi ? -1 : 1;
    if (x->mmsi2 != y->mmsi2)
        return x->mmsi2 < y->mmsi2 ? -1 : 1;
    if (x->t1 != y->t1)
        return x->t1 < y->t1 ? -1 : 1;
    return strcmp(x->why, y->why);
}

static json_t *iso(int64_t ms) {
    char b[40];
    pel_format_time(ms - ms % 1000, b);
    return json_string(b);
}

static double round6(double v) {
    return round(v * 1e6) / 1e6;
}

static pel_status write_truth(ctx *c, const char *path) {
    if (c->ntr)
        xqsort(c->tr, c->ntr, sizeof *c->tr, truth_cmp);
    outfile of;
    FILE *f = open_out(&of, path, c->err);
    if (!f)
        return PEL_ERR_IO;
    for (size_t i = 0; i < c->ntr; i++) {
        truth *t = &c->tr[i];
        json_t *o = json_object();
        char id[32];
        snprintf(id, sizeof id, "T%04zu", i + 1);
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "event", json_string(t->event));
        json_object_set_new(o, "mmsi", json_integer(t->mmsi));
        if (t->mmsi2)
            json_object_set_new(o, "mmsi2", json_integer(t->mmsi2));
        json_object_set_new(o, "start", iso(t->t0));
        json_object_set_new(o, "end", iso(t->t1));
        json_object_set_new(o, "lat", isfinite(t->lat) ? json_real(round6(t->lat)) : json_null());
        json_object_set_new(o, "lon", isfinite(t->lon) ? json_real(round6(t->lon)) : json_null());
        json_object_update(o, t->extra);
        if (t->optional)
            json_object_set_new(o, "optional", json_true());
        json_object_set_new(o, "why", json_string(t->why));
        char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        json_decref(o);
        if (!s || fprintf(f, "%s\n", s) < 0) {
            free(s);
            outfile_discard(&of);
            return io_fail(c->err, "cannot write", path);
        }
        free(s);
    }
    c->st->truth = c->ntr;
    if (outfile_commit(&of, c->err) != PEL_OK)
        return PEL_ERR_IO;
    return PEL_OK;
}

/* vessels.csv is a listing for people: the display form, formulas defused
 * (util/escape.h).  watchlist.csv is read back by `pelorus watchlist
 * import`, so its names stay exactly as the scenario gives them (ESC_DATA):
 * a name changed there would no longer be the designated name. */
static void csv_field(FILE *f, const char *s) {
    esc_csv(f, s, ESC_MINIMAL);
}

static void csv_data(FILE *f, const char *s) {
    esc_csv(f, s, ESC_DATA);
}

static pel_status write_fleet(ctx *c, const char *dir, const listed *ls) {
    char path[4096];
    snprintf(path, sizeof path, "%s/vessels.csv", dir);
    outfile of;
    FILE *f = open_out(&of, path, c->err);
    if (!f)
        return PEL_ERR_IO;
    fprintf(f, "id,role,mmsi,name,imo,callsign,shiptype,class,speed_kn,designated\n");
    for (size_t i = 0; i < c->sc->nv; i++) {
        const sim_vessel *v = &c->sc->v[i];
        fprintf(f, "%s,%s,%09u,", v->id,
                v->role == SIM_ROLE_BACKGROUND ? "background"
                : v->role == SIM_ROLE_CLONE    ? "clone"
                                               : "scripted",
                v->mmsi);
        csv_field(f, ls[i].name);
        fprintf(f, ",%s%.0u,", "", ls[i].imo);
        csv_field(f, v->callsign);
        fprintf(f, ",%d,%s,%.1f,%s\n", v->shiptype, v->class_b ? "B" : "A", v->speed_kn, v->designated ? "1" : "0");
    }
    if (outfile_commit(&of, c->err) != PEL_OK)
        return PEL_ERR_IO;
    snprintf(path, sizeof path, "%s/watchlist.csv", dir);
    f = open_out(&of, path, c->err);
    if (!f)
        return PEL_ERR_IO;
    fprintf(f, "name,imo,mmsi,flag,program,source,listed_on\n");
    for (size_t i = 0; i < c->sc->nv; i++) {
        const sim_vessel *v = &c->sc->v[i];
        if (!v->designated)
            continue;
        csv_data(f, v->list_name[0] ? v->list_name : ls[i].name);
        if (ls[i].imo && pel_imo_valid(ls[i].imo))
            fprintf(f, ",%u", ls[i].imo);
        else
            fputc(',', f);
        fprintf(f, ",,,");
        csv_data(f, v->program);
        fputc(',', f);
        csv_data(f, "pelorus simulate");
        fprintf(f, ",\n");
    }
    if (outfile_commit(&of, c->err) != PEL_OK)
        return PEL_ERR_IO;
    return PEL_OK;
}

/* ---- truth from the script ---- */

static double port_distance(ctx *c, double lat, double lon) {
    double d;
    if (geo_port_nearest(c->ports, lat, lon, &d) < 0)
        return INFINITY;
    return d;
}

static void scripted_truth(ctx *c) {
    sim_scenario *sc = c->sc;
    for (size_t i = 0; i < sc->nev; i++) {
        const sim_event *e = &sc->ev[i];
        const sim_vessel *a = &sc->v[e->v1], *b = e->v2 >= 0 ? &sc->v[e->v2] : NULL;
        /* the MMSI in use at the start of the event */
        uint32_t ma = a->mmsi, mb = b ? b->mmsi : 0;
        for (size_t k = 0; k < a->nchanges; k++)
            if (a->changes[k].mmsi && a->changes[k].t <= e->t0)
                ma = a->changes[k].mmsi;
        if (b)
            for (size_t k = 0; k < b->nchanges; k++)
                if (b->changes[k].mmsi && b->changes[k].t <= e->t0)
                    mb = b->changes[k].mmsi;
        /* a vessel switched off for most of the event is not seen in it
         * (a dark partner); one switched off for part of it may or may not be */
        double span = e->t1 > e->t0 ? (double)(e->t1 - e->t0) : 1;
        double dark_of[2] = {dark_overlap(a, e->t0, e->t1) / span, b ? dark_overlap(b, e->t0, e->t1) / span : 0};
        if (!strcmp(e->type, "sts") && dark_of[0] < 0.5 && dark_of[1] < 0.5) {
            truth *t = add_truth(c, "encounter", ma, mb, e->t0, e->t1, e->lat, e->lon,
                                 "%s: ship-to-ship transfer between %s and %s", e->id, a->id, b->id);
            if (t && (dark_of[0] > 0 || dark_of[1] > 0))
                t->optional = true;
        }
        if ((!strcmp(e->type, "sts") || !strcmp(e->type, "loiter")) && e->t1 - e->t0 >= LOITER_MS) {
            double d = port_distance(c, e->lat, e->lon);
            for (int k = 0; k < (b ? 2 : 1); k++) {
                if (dark_of[k] >= 0.5)
                    continue;
                const sim_vessel *other = b ? (k ? a : b) : NULL;
                int64_t dark_h = other && dark_of[1 - k] >= 0.5 ? dark_window(other, e->t0, e->t1) : 0;
                truth *t = add_truth(c, "loitering", k ? mb : ma, 0, e->t0, e->t1, e->lat, e->lon,
                                     dark_h ? "%s: %s drifting under 2 kn for %.1f h, %.0f nm from the nearest port, "
                                              "alongside %s, dark"
                                            : "%s: %s drifting under 2 kn for %.1f h, %.0f nm from the nearest port",
                                     e->id, k ? b->id : a->id, (double)(e->t1 - e->t0) / 3600000.0, d / 1852,
                                     other ? other->id : "");
                /* near the 20 nm limit, or barely 4 h long (a reporting
                 * interval shorter once received), it may go either way */
                if (t && (fabs(d - LOITER_PORT_M) < 3 * 1852 || e->t1 - e->t0 < LOITER_MS + 1800000 || dark_of[k] > 0))
                    t->optional = true;
                /* its partner dark long enough for a gap: the loitering names it
                 * (an hour either side of the gap threshold may go either way) */
                if (t && dark_h >= GAP_MS + 3600000)
                    json_object_set_new(t->extra, "possible_partner", json_integer(k ? ma : mb));
                else if (t && dark_h > GAP_MS - 3600000)
                    t->optional = true;
                if (t && d < LOITER_PORT_M - 3 * 1852)
                    c->ntr--, json_decref(t->extra);
            }
        }
        if (!strcmp(e->type, "port_call")) {
            const geo_port *g = geo_port_get(c->ports, e->port);
            truth *t = add_truth(c, "port_visit", ma, 0, e->t0, e->t1, g->lat, g->lon, "%s: %s called at %s", e->id,
                                 a->id, g->name);
            if (t) {
                json_object_set_new(t->extra, "port", json_string(g->name));
                json_object_set_new(t->extra, "port_concern", json_boolean(g->concern));
            }
        }
        if (!strcmp(e->type, "spoof_land")) {
            truth *t =
                add_truth(c, "spoofing", ma, 0, e->t0, e->t1, e->lat, e->lon,
                          "%s: %s's reported position moved inland to [%.4f, %.4f]", e->id, a->id, e->lat, e->lon);
            if (t)
                json_object_set_new(t->extra, "kind", json_string("on_land"));
            /* the jumps there and back are impossible speeds too */
            t = add_truth(c, "spoofing", ma, 0, e->t0, e->t1, e->lat, e->lon,
                          "%s: %s jumped inland and back (an impossible speed, if the scan says so)", e->id, a->id);
            if (t) {
                json_object_set_new(t->extra, "kind", json_string("impossible_speed"));
                t->optional = true;
            }
        }
        if (!strcmp(e->type, "spoof_offset")) {
            truth *t = add_truth(c, "spoofing", ma, 0, e->t0, e->t1, e->lat, e->lon,
                                 "%s: %s's reported positions shifted by a fixed vector, then back", e->id, a->id);
            if (t)
                json_object_set_new(t->extra, "kind", json_string("offset"));
            t = add_truth(c, "spoofing", ma, 0, e->t0, e->t1, e->lat, e->lon,
                          "%s: %s jumped by the offset and back (an impossible speed, if the scan says so)", e->id,
                          a->id);
            if (t) {
                json_object_set_new(t->extra, "kind", json_string("impossible_speed"));
                t->optional = true;
            }
        }
        if (!strcmp(e->type, "spoof_circle")) {
            truth *t = add_truth(c, "spoofing", ma, 0, e->t0, e->t1, e->lat, e->lon,
                                 "%s: %s's reported position spoofed onto a circle round [%.4f, %.4f]", e->id, a->id,
                                 e->lat, e->lon);
            if (t)
                json_object_set_new(t->extra, "kind", json_string("circle"));
        }
        if (!strcmp(e->type, "clone")) {
            truth *t = add_truth(c, "spoofing", ma, 0, e->t0, e->t1, e->lat, e->lon,
                                 "%s: a second transmitter used %s's MMSI elsewhere", e->id, a->id);
            if (t)
                json_object_set_new(t->extra, "kind", json_string("parallel_segments"));
        }
    }
    /* identifiers that cannot be right */
    for (size_t i = 0; i < sc->nv; i++) {
        const sim_vessel *v = &sc->v[i];
        if (v->role == SIM_ROLE_CLONE)
            continue;
        if (v->imo && !pel_imo_valid(v->imo)) {
            truth *t = add_truth(c, "data_quality", v->mmsi, 0, sc->start, sc->end, NAN, NAN,
                                 "%s broadcasts IMO %u, whose check digit is wrong", v->id, v->imo);
            if (t)
                json_object_set_new(t->extra, "kind", json_string("invalid_imo"));
        }
        char iso2[3];
        unsigned first = v->mmsi / 100000000u;
        if (v->mmsi >= 100000000u && first >= 2 && first <= 7 && !geo_mid_country(c->mid, v->mmsi, iso2)) {
            truth *t = add_truth(c, "spoofing", v->mmsi, 0, sc->start, sc->end, NAN, NAN,
                                 "%s broadcasts MMSI %u, whose country digits %u are allocated to no country", v->id,
                                 v->mmsi, v->mmsi / 1000000u);
            if (t)
                json_object_set_new(t->extra, "kind", json_string("unallocated_mid"));
        }
    }
}

/* ---- the run ---- */

static int cmp_imo(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* Background IMO numbers are drawn like real ships' (8xxxxxx, 9xxxxxx, a
 * valid check digit), so one now and then is a real ship's on the default
 * sanctions list shipped in dd, and the scan rightly matches it: a false
 * "designated" background ship in the truth's eyes.  Each such number is
 * moved to the next valid number no list holds, without a draw (the
 * random stream, and so every other vessel, stays the same).  PEL_OK, or
 * the lists' error. */
static pel_status unlist_background(sim_scenario *sc, const char *dd, pel_error *err) {
    uint32_t *on_list = NULL;
    size_t n = 0;
    pel_status st = sc_default_imos(dd, &on_list, &n, err);
    if (st != PEL_OK)
        return st;
    for (size_t i = 0; i < sc->nv; i++) {
        sim_vessel *v = &sc->v[i];
        if (v->role != SIM_ROLE_BACKGROUND || !v->imo)
            continue;
        uint32_t base = v->imo / 10;
        while (xbsearch(&v->imo, on_list, n, sizeof *on_list, cmp_imo)) {
            base = base >= 999999 ? 800000 : base + 1;
            static const int w[6] = {7, 6, 5, 4, 3, 2};
            uint32_t sum = 0, d = base;
            for (int k = 5; k >= 0; k--, d /= 10)
                sum += (d % 10) * (uint32_t)w[k];
            v->imo = base * 10 + sum % 10;
        }
    }
    free(on_list);
    return PEL_OK;
}

pel_status pel_simulate(const char *scenario_path, const char *out_dir, const pel_sim_opts *o, pel_sim_stats *st,
                        pel_error *err) {
    pel_sim_opts defo = {0};
    pel_sim_stats dst;
    if (!o) {
        defo.seed = -1;
        o = &defo;
    }
    if (!st)
        st = &dst;
    memset(st, 0, sizeof *st);
    struct timespec ts0, ts1;
    clock_gettime(CLOCK_MONOTONIC, &ts0);
    const char *dd = geo_data_dir(o->data_dir);
    ctx c = {.o = o, .st = st, .err = err};
    char path[4096];
    pel_status rc;
    snprintf(path, sizeof path, "%s/ports.csv", dd);
    if ((rc = geo_ports_load(path, &c.ports, err)) != PEL_OK)
        return rc;
    snprintf(path, sizeof path, "%s/zones.geojson", dd);
    if ((rc = geo_zones_load(path, &c.zones, err)) != PEL_OK) {
        geo_ports_free(c.ports);
        return rc;
    }
    snprintf(path, sizeof path, "%s/mid.csv", dd);
    if ((rc = geo_mid_load(path, &c.mid, err)) != PEL_OK) {
        geo_ports_free(c.ports);
        geo_zones_free(c.zones);
        return rc;
    }
    snprintf(path, sizeof path, "%s/web/vendor/land-50m.json", dd);
    if ((rc = geo_land_load(path, &c.land, err)) != PEL_OK) {
        geo_ports_free(c.ports);
        geo_zones_free(c.zones);
        geo_mid_free(c.mid);
        geo_land_free(c.land);
        return rc;
    }
    c.nzones = geo_zones_count(c.zones);
    det_zone_default_opts(&c.zone_opts);
    sim_scenario sc;
    sim_budget budget = {.max_messages = o->max_messages ? o->max_messages : PEL_SIM_MAX_MESSAGES,
                         .max_bytes = o->max_memory ? o->max_memory : PEL_SIM_MAX_MEMORY,
                         .nzones = c.nzones};
    if (budget.max_messages == UINT64_MAX)
        budget.max_messages = 0;
    if (budget.max_bytes == UINT64_MAX)
        budget.max_bytes = 0;
    rc = sim_scenario_load(scenario_path, c.ports, c.land, o->seed, o->scale, &budget, &sc, err);
    st->est_messages = budget.messages;
    st->est_memory = budget.bytes;
    if (rc != PEL_OK) {
        if (err && (rc == PEL_ERR_FORMAT || rc == PEL_ERR_ARG))
            pel_fail(err, rc, "%.60s: %.190s", scenario_path, err->msg);
        goto done_geo;
    }
    if ((rc = unlist_background(&sc, dd, err)) != PEL_OK)
        goto done_sc;
    c.sc = &sc;
    sim_rng_seed(&c.rng, sc.seed ^ 0x5eed5eed5eedULL);
    st->vessels = sc.nv;
    listed *ls = calloc(sc.nv + 1, sizeof *ls);
    c.ls = ls;
    c.rx = calloc(sc.nv + 1, sizeof *c.rx);
    zrun *zr = calloc((sc.nv + 1) * (size_t)(c.nzones + 1), sizeof *zr);
    c.designated = calloc(sc.nv + 1, sizeof *c.designated);
    if (!ls || !c.rx || !zr || !c.designated) {
        free(ls);
        free(c.rx);
        free(zr);
        free(c.designated);
        rc = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        goto done_sc;
    }
    for (size_t i = 0; i < sc.nv; i++) {
        sim_vessel *v = &sc.v[i];
        snprintf(ls[i].name, sizeof ls[i].name, "%s", v->name);
        ls[i].imo = v->imo;
        if (v->designated)
            c.designated[c.ndesignated++] = i;
        vrx *x = &c.rx[i];
        x->mmsi = v->mmsi;
        x->last_rx = -1;
        x->ident_t0 = x->ident_t1 = -1;
        x->z = zr + i * (size_t)(c.nzones + 1);
        /* first reports spread over the first interval, as real transmitters are */
        int64_t t0 = v->nlegs ? v->legs[0].t0 : sc.end;
        v->next_pos = t0 + (int64_t)(sim_rng_next(&c.rng) % 10000);
        v->next_static = t0 + (int64_t)(sim_rng_next(&c.rng) % 360000);
    }
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
        rc = io_fail(err, "cannot create", out_dir);
        goto done_all;
    }
    snprintf(path, sizeof path, "%s/ais.nmea", out_dir);
    c.out = open_out(&c.outf, path, err);
    if (!c.out) {
        rc = PEL_ERR_IO;
        goto done_all;
    }
    scripted_truth(&c);
    for (int64_t w = sc.start; w < sc.end && !c.oom; w += WINDOW_MS) {
        int64_t wend = w + WINDOW_MS < sc.end ? w + WINDOW_MS : sc.end;
        for (size_t i = 0; i < sc.nv && !c.oom; i++) {
            sim_vessel *v = &sc.v[i];
            vrx *x = &c.rx[i];
            if (!v->nlegs)
                continue;
            int64_t vend = v->legs[v->nlegs - 1].t1;
            while (!c.oom) {
                int64_t t = v->next_pos < v->next_static ? v->next_pos : v->next_static;
                if (t >= wend || t >= vend)
                    break;
                while (v->leg + 1 < v->nlegs && t >= v->legs[v->leg].t1)
                    v->leg++;
                apply_changes(&c, v, x, t);
                double lat, lon, sog, cog;
                int status;
                sim_position(v, t, &lat, &lon, &sog, &cog, &status);
                bool dark = is_dark(v, t), exact = spoofed(v, t, &lat, &lon, &sog, &cog);
                if (t == v->next_pos) {
                    if (!dark)
                        report_position(&c, v, x, t, lat, lon, sog, cog, status, exact);
                    int64_t iv = pos_interval_ms(v, sog, status);
                    if (sc.feed_interval_ms > iv)
                        iv = sc.feed_interval_ms;
                    v->next_pos = t + iv;
                } else {
                    if (!dark)
                        report_static(&c, v, x, t, lat, lon);
                    v->next_static = t + (sc.feed_interval_ms > 360000 ? sc.feed_interval_ms : 360000);
                }
            }
        }
        if (!flush_items(&c, wend)) {
            rc = io_fail(err, "cannot write", path);
            goto done_out;
        }
    }
    if (c.oom) {
        rc = c.fail ? c.fail : PEL_ERR_NOMEM;
        if (err && !err->msg[0])
            pel_fail(err, rc, "out of memory");
        goto done_out;
    }
    if (!flush_items(&c, -1)) {
        rc = io_fail(err, "cannot write", path);
        goto done_out;
    }
    c.out = NULL;
    if (outfile_commit(&c.outf, err) != PEL_OK) {
        rc = PEL_ERR_IO;
        goto done_out;
    }
    c.out = NULL;
    /* the end of the data: open gaps and zone stays */
    for (size_t i = 0; i < sc.nv; i++) {
        sim_vessel *v = &sc.v[i];
        vrx *x = &c.rx[i];
        for (int z = 0; z < c.nzones; z++)
            zone_close(&c, v, x, z);
    }
    for (size_t i = 0; i < sc.nv; i++)
        if (sc.v[i].role != SIM_ROLE_CLONE)
            close_identity(&c, &sc.v[i], &c.rx[i]);
    for (size_t i = 0; i < sc.nv + c.nretired; i++) {
        sim_vessel *v;
        uint32_t mmsi;
        int64_t last;
        double lat, lon;
        if (i < sc.nv) {
            v = &sc.v[i];
            if (v->role == SIM_ROLE_CLONE || c.rx[i].last_rx < 0)
                continue;
            mmsi = c.rx[i].mmsi, last = c.rx[i].last_rx, lat = c.rx[i].last_lat, lon = c.rx[i].last_lon;
        } else {
            const struct retired *r = &c.retired[i - sc.nv];
            v = &sc.v[r->vessel];
            mmsi = r->mmsi, last = r->last_rx, lat = r->lat, lon = r->lon;
            if (r->first_rx >= 0) {
                /* the ship went on under r->to: a change of MMSI (a flag hop
                 * when the country digits change), from the old MMSI's last
                 * received position to the new one's first; a silence between
                 * them of GAP_MS or more is a gap closed by the new MMSI with
                 * cause "identity", a shorter one no gap */
                truth *tr = add_truth(&c, "identity_change", mmsi, r->to, last, r->first_rx, lat, lon,
                                      "%s changed flag: MMSI %u became %u, same ship%s", v->id, mmsi, r->to,
                                      v->imo ? " and IMO" : "");
                if (tr) {
                    json_object_set_new(tr->extra, "field", json_string("mmsi"));
                    json_object_set_new(tr->extra, "from", json_integer(mmsi));
                    json_object_set_new(tr->extra, "to", json_integer(r->to));
                }
                if (r->first_rx - last >= GAP_MS) {
                    tr = add_truth(&c, "gap", mmsi, r->to, last, r->first_rx, lat, lon,
                                   "%s (%s) silent, then heard under its new MMSI %u", v->id, v->name, r->to);
                    if (tr) {
                        json_object_set_new(tr->extra, "open", json_false());
                        json_object_set_new(tr->extra, "suspected", json_false());
                        json_object_set_new(tr->extra, "cause", json_string("identity"));
                    }
                }
                continue;
            }
        }
        if (c.data_end - last < GAP_MS)
            continue;
        double dark = dark_overlap(v, last, c.data_end);
        bool off = dark >= 0.5 * (double)(c.data_end - last);
        truth *tr = add_truth(&c, "gap", mmsi, 0, last, c.data_end, lat, lon,
                              "%s (%s) silent until the end of the data%s", v->id, v->name,
                              off          ? ": AIS switched off"
                              : i >= sc.nv ? ": this MMSI was given up on a change of flag, the new one never heard"
                                           : "");
        if (tr) {
            json_object_set_new(tr->extra, "open", json_true());
            const char *why = unheard_because(&sc, lat, lon, last + 60000);
            bool hole = why && !strcmp(why, "coverage"), sat = why && !strcmp(why, "satellite");
            if (off || hole || sat)
                gap_cause(tr, off, off ? dark_cause(v, last, c.data_end) : NULL, hole, sat);
            else if (i < sc.nv)
                tr->optional = true;
        }
    }
    rc = write_truth(&c, (snprintf(path, sizeof path, "%s/truth.jsonl", out_dir), path));
    if (rc == PEL_OK)
        rc = write_fleet(&c, out_dir, ls);
done_out:
    if (c.out)
        outfile_discard(&c.outf);
    for (size_t i = 0; i < c.nitems; i++)
        free(c.items[i].text);
    free(c.items);
done_all:
    for (size_t i = 0; i < c.ntr; i++)
        json_decref(c.tr[i].extra);
    free(c.tr);
    free(c.retired);
    free(ls);
    free(c.rx);
    free(zr);
    free(c.designated);
done_sc:
    sim_scenario_free(&sc);
done_geo:
    geo_ports_free(c.ports);
    geo_zones_free(c.zones);
    geo_mid_free(c.mid);
    geo_land_free(c.land);
    clock_gettime(CLOCK_MONOTONIC, &ts1);
    st->seconds = (double)(ts1.tv_sec - ts0.tv_sec) + (double)(ts1.tv_nsec - ts0.tv_nsec) / 1e9;
    return rc;
}
