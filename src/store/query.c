/*
 * query.c -- reading the store, written once over the store interface for
 * every backend: finding vessels, describing one, streaming tracks by
 * vessel, box and period (the backend narrows a box to the chunks that can
 * meet it, here the positions are filtered), a vessel's identities as an
 * array, and the dump.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "st_backend.h"
#include "track/trk.h"
#include "util/display.h"
#include "util/fail.h"

pel_status pel_vessel_find(pel_store *s, const char *query, uint32_t *out, size_t cap, size_t *n, pel_error *err) {
    *n = 0;
    size_t len = strlen(query), digits = 0;
    const char *q = query;
    int prefix = 0; /* 1 "IMO", 2 "MMSI" */
    if (len > 3 && !strncasecmp(q, "IMO", 3))
        q += 3, len -= 3, prefix = 1;
    else if (len > 4 && !strncasecmp(q, "MMSI", 4))
        q += 4, len -= 4, prefix = 2;
    while (*q == ' ' || *q == ':')
        q++, len--;
    for (size_t i = 0; i < len; i++)
        digits += q[i] >= '0' && q[i] <= '9';
    bool number = digits == len && len > 0 && len <= 10;
    long long v = number ? strtoll(q, NULL, 10) : -1;
    /* digits: an MMSI -- any number AIS can carry, junk included (0,
     * 12345678) -- or, with seven digits, an IMO number or an MMSI */
    if (number && prefix != 1 && v <= PEL_MMSI_MAX && (len != 7 || prefix == 2))
        return st_vessel_find(s, ST_FIND_MMSI, (uint32_t)v, NULL, out, cap, n, err);
    if (number && len == 7)
        return st_vessel_find(s, prefix == 1 ? ST_FIND_IMO : ST_FIND_IMO_OR_MMSI, (uint32_t)v, NULL, out, cap, n, err);
    char nn[128];
    pel_text_key(query, nn, sizeof nn); /* names are found by their key */
    if (!nn[0])
        return PEL_OK;
    return st_vessel_find(s, ST_FIND_NAME, 0, nn, out, cap, n, err);
}

static void put_time(FILE *f, int64_t ms) {
    char t[40];
    pel_format_time(ms, t);
    fputs(t, f);
}

/* Text from AIS is attacker-controlled: shown by the display policy of
 * util/display.h (controls, bidirectional and invisible characters as
 * visible marks such as "⟨U+202E⟩"). */
static void put_text(FILE *f, const unsigned char *s) {
    disp_fputs(f, (const char *)s);
}

static void put_duration(FILE *f, int64_t ms) {
    int64_t m = ms / 60000;
    if (m >= 1440)
        fprintf(f, "%lldd %02lldh%02lldm", (long long)(m / 1440), (long long)(m / 60 % 24), (long long)(m % 60));
    else
        fprintf(f, "%lldh%02lldm", (long long)(m / 60), (long long)(m % 60));
}

/* Loads every built position of one vessel, in time order. */
pel_status st_vessel_positions(pel_store *s, uint32_t mmsi, pel_position **p, size_t *n, size_t *cap, pel_error *err) {
    st_area a = {.has_mmsi = true, .mmsi = mmsi};
    st_iter *it = st_chunks(s, &a, err);
    *n = 0;
    if (!it)
        return PEL_ERR_IO;
    uint32_t m;
    size_t k;
    int rc;
    pel_status st = PEL_OK;
    while (st == PEL_OK && (rc = st_chunk_next(it, &m, err)) > 0)
        if ((st = st_chunk_read(it, p, cap, *n, &k, err)) == PEL_OK)
            *n += k;
    st_iter_free(it);
    return st != PEL_OK ? st : rc < 0 ? (pel_status)-rc : PEL_OK;
}

pel_status pel_vessel_describe(pel_store *s, uint32_t mmsi, double silence_h, FILE *f, pel_error *err) {
    pel_status rc;
    fprintf(f, "MMSI %09u", mmsi);
    pel_mmsi_kind mk = pel_mmsi_classify(mmsi);
    if (mk != PEL_MMSI_SHIP && mk != PEL_MMSI_OTHER)
        fprintf(f, "  [identifies no ship: %s]",
                mk == PEL_MMSI_ZERO          ? "zero"
                : mk == PEL_MMSI_SHORT       ? "fewer than nine digits"
                : mk == PEL_MMSI_LONG        ? "beyond nine digits"
                : mk == PEL_MMSI_NONSTANDARD ? "nine digits in no ITU form"
                                             : "a default many transponders share");
    st_vessel v;
    bool found;
    if ((rc = st_vessel_get(s, mmsi, &v, &found, err)) != PEL_OK)
        return rc;
    if (found && v.has_times) {
        fprintf(f, "\n  first seen   ");
        put_time(f, v.first_ms);
        fprintf(f, "\n  last seen    ");
        put_time(f, v.last_ms);
        fprintf(f, "\n  positions    %lld (%lld flagged, %lld duplicate receptions removed)\n", (long long)v.positions,
                (long long)v.flagged, (long long)v.duplicates);
        fprintf(f, "  segments     %lld\n", (long long)v.segments);
        fprintf(f, "  distance     %.1f nm\n", v.distance_m / 1852.0);
        if (v.dirty)
            fprintf(f, "  (tracks not built yet: run pelorus ingest again)\n");
    } else
        fprintf(f, "\n  no positions stored\n");

    fprintf(f, "\nidentities (as broadcast; first and last seen)\n");
    st_iter *it = st_identities_of(s, mmsi, err);
    if (!it)
        return PEL_ERR_IO;
    int nid = 0, k;
    st_ident_row r;
    while ((k = st_identity_next(it, &r, err)) > 0) {
        nid++;
        fprintf(f, "  ");
        put_time(f, r.first_ms);
        fprintf(f, " .. ");
        put_time(f, r.last_ms);
        fprintf(f, "  name \"");
        put_text(f, (const unsigned char *)r.name);
        fprintf(f, "\"");
        if (r.imo)
            fprintf(f, "  IMO %lld%s", (long long)r.imo, pel_imo_valid(r.imo) ? "" : " (check digit wrong)");
        if (r.callsign[0]) {
            fprintf(f, "  call sign ");
            put_text(f, (const unsigned char *)r.callsign);
        }
        if (r.shiptype >= 0)
            fprintf(f, "  type %d", r.shiptype);
        if (r.to_bow >= 0) { /* a part absent (-1) counts 0: CSVs give a length alone */
            int l = r.to_bow + (r.to_stern > 0 ? r.to_stern : 0);
            int w = r.to_port + (r.to_starboard > 0 ? r.to_starboard : 0);
            if (r.to_port >= 0)
                fprintf(f, "  size %dx%d m", l, w);
            else
                fprintf(f, "  length %d m", l);
        }
        fprintf(f, "  (%lld reports; first at %s:%lld)\n", (long long)r.reports, r.first_path ? r.first_path : "?",
                (long long)r.first_line);
    }
    st_iter_free(it);
    if (k < 0)
        return (pel_status)-k;
    if (!nid)
        fprintf(f, "  none received\n");

    fprintf(f, "\nvoyage reports (destination, draught)\n");
    if (!(it = st_voyages_of(s, mmsi, err)))
        return PEL_ERR_IO;
    int nv = 0;
    st_voyage_row vr;
    while ((k = st_voyage_next(it, &vr, err)) > 0) {
        nv++;
        fprintf(f, "  ");
        put_time(f, vr.first_ms);
        fprintf(f, " .. ");
        put_time(f, vr.last_ms);
        fprintf(f, "  destination \"");
        put_text(f, (const unsigned char *)vr.destination);
        fprintf(f, "\"");
        if (vr.draught_dm >= 0)
            fprintf(f, "  draught %.1f m", vr.draught_dm / 10.0);
        if (vr.eta[0]) {
            fprintf(f, "  ETA ");
            put_text(f, (const unsigned char *)vr.eta);
        }
        fprintf(f, "  (%lld reports)\n", (long long)vr.reports);
    }
    st_iter_free(it);
    if (k < 0)
        return (pel_status)-k;
    if (!nv)
        fprintf(f, "  none received\n");

    fprintf(f, "\nsegments\n");
    if (!(it = st_segments_of(s, mmsi, -1, 0, err)))
        return PEL_ERR_IO;
    st_segment g;
    while ((k = st_segment_next(it, &g, err)) > 0) {
        fprintf(f, "  #%d  ", g.seg);
        put_time(f, g.t0);
        fprintf(f, " .. ");
        put_time(f, g.t1);
        fprintf(f, "  %lld positions  %.1f nm%s\n", (long long)g.n, g.distance_m / 1852.0,
                g.parallel ? "  PARALLEL: overlaps another segment (two transmitters?)" : "");
    }
    st_iter_free(it);
    if (k < 0)
        return (pel_status)-k;

    /* silences: consecutive usable positions further apart than silence_h */
    pel_position *p = NULL;
    size_t n = 0, cap = 0;
    if ((rc = st_vessel_positions(s, mmsi, &p, &n, &cap, err)) != PEL_OK) {
        free(p);
        return rc;
    }
    fprintf(f, "\nperiods of silence of %.0f h or more\n", silence_h);
    int64_t lim = (int64_t)(silence_h * 3600000.0);
    int ns = 0;
    const pel_position *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        if (p[i].segment < 0)
            continue;
        if (prev && p[i].t_ms - prev->t_ms >= lim) {
            ns++;
            fprintf(f, "  ");
            put_time(f, prev->t_ms);
            fprintf(f, " .. ");
            put_time(f, p[i].t_ms);
            fprintf(f, "  ");
            put_duration(f, p[i].t_ms - prev->t_ms);
            fprintf(f, "  %.1f nm apart  (lines %llu and %llu)\n",
                    trk_distance_m(prev->lat, prev->lon, p[i].lat, p[i].lon) / 1852.0, (unsigned long long)prev->line,
                    (unsigned long long)p[i].line);
        }
        prev = &p[i];
    }
    if (!ns)
        fprintf(f, "  none\n");
    free(p);
    return ferror(f) ? PEL_ERR_IO : PEL_OK;
}

/* The latest name of mmsi into buf (cut to fit), or NULL. */
static const char *latest_name(pel_store *s, uint32_t mmsi, char *buf, size_t cap) {
    char *name = st_latest_name(s, mmsi);
    if (!name)
        return NULL;
    snprintf(buf, cap, "%s", name);
    free(name);
    return buf;
}

static bool in_filter(const pel_track_filter *f, const pel_position *q) {
    if (f->has_from && q->t_ms < f->from_ms)
        return false;
    if (f->has_to && q->t_ms > f->to_ms)
        return false;
    if (f->has_bbox) {
        double lat = (double)q->lat / PEL_DEG, lon = (double)q->lon / PEL_DEG;
        if (q->segment < 0 || lat < f->min_lat || lat > f->max_lat || lon < f->min_lon || lon > f->max_lon)
            return false;
    }
    return true;
}

/* pel_tracks, the vessels' latest names looked up (a query each) only
 * when names is true (else NULL). */
static pel_status tracks_walk(pel_store *s, const pel_track_filter *f, bool names,
                              int (*on_vessel)(void *ud, uint32_t mmsi, const char *name, const pel_position *pos,
                                               size_t n),
                              void *ud, pel_error *err) {
    pel_status rc;
    if (f->mmsi && f->nmmsi) {
        /* by vessel: one query per MMSI */
        for (size_t i = 0; i < f->nmmsi; i++) {
            pel_track_filter one = *f;
            one.mmsi = NULL;
            one.nmmsi = 0;
            pel_position *p = NULL;
            size_t n = 0, cap = 0;
            rc = st_vessel_positions(s, f->mmsi[i], &p, &n, &cap, err);
            size_t k = 0;
            for (size_t j = 0; j < n; j++)
                if (in_filter(&one, &p[j]))
                    p[k++] = p[j];
            char nb[64];
            int stop = rc == PEL_OK && k
                           ? on_vessel(ud, f->mmsi[i], names ? latest_name(s, f->mmsi[i], nb, sizeof nb) : NULL, p, k)
                           : 0;
            free(p);
            if (rc != PEL_OK)
                return rc;
            if (stop)
                return PEL_STOPPED;
        }
        return PEL_OK;
    }
    /* the candidate chunks, in vessel then time order */
    st_area a = {
        .has_box = f->has_bbox, .has_from = f->has_from, .has_to = f->has_to, .from_ms = f->from_ms, .to_ms = f->to_ms};
    if (f->has_bbox) {
        a.lat0 = (int64_t)floor(f->min_lat * PEL_DEG);
        a.lat1 = (int64_t)ceil(f->max_lat * PEL_DEG);
        a.lon0 = (int64_t)floor(f->min_lon * PEL_DEG);
        a.lon1 = (int64_t)ceil(f->max_lon * PEL_DEG);
    }
    st_iter *it = st_chunks(s, &a, err);
    if (!it)
        return PEL_ERR_IO;
    pel_position *p = NULL;
    size_t n = 0, cap = 0;
    uint32_t cur = 0;
    rc = PEL_OK;
    for (;;) {
        uint32_t mmsi = 0;
        int step = st_chunk_next(it, &mmsi, err);
        if (step < 0) {
            rc = (pel_status)-step;
            break;
        }
        if ((step == 0 || mmsi != cur) && n) {
            char nb[64];
            if (on_vessel(ud, cur, names ? latest_name(s, cur, nb, sizeof nb) : NULL, p, n)) {
                rc = PEL_STOPPED;
                break;
            }
            n = 0;
        }
        if (step == 0)
            break;
        cur = mmsi;
        size_t c;
        if ((rc = st_chunk_read(it, &p, &cap, n, &c, err)) != PEL_OK)
            break;
        pel_position *dst = p + n;
        for (size_t j = 0; j < c; j++)
            if (in_filter(f, &dst[j]))
                p[n++] = dst[j];
    }
    st_iter_free(it);
    free(p);
    return rc;
}

pel_status pel_tracks(pel_store *s, const pel_track_filter *f,
                      int (*on_vessel)(void *ud, uint32_t mmsi, const char *name, const pel_position *pos, size_t n),
                      void *ud, pel_error *err) {
    return tracks_walk(s, f, true, on_vessel, ud, err);
}

pel_status st_tracks_unnamed(pel_store *s, const pel_track_filter *f,
                             int (*on_vessel)(void *ud, uint32_t mmsi, const char *name, const pel_position *pos,
                                              size_t n),
                             void *ud, pel_error *err) {
    return tracks_walk(s, f, false, on_vessel, ud, err);
}

/* ---- a vessel's identities as an array --------------------------------------------- */

pel_status st_identities(pel_store *s, uint32_t mmsi, st_identity **out, size_t *n, pel_error *err) {
    *out = NULL;
    *n = 0;
    st_iter *it = st_identities_of(s, mmsi, err);
    if (!it)
        return PEL_ERR_IO;
    st_identity *v = NULL;
    size_t k = 0, cap = 0;
    pel_status st = PEL_OK;
    st_ident_row r;
    int rc;
    while ((rc = st_identity_next(it, &r, err)) > 0) {
        if (k == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            st_identity *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                st = PEL_ERR_NOMEM;
                break;
            }
            v = nv;
            cap = ncap;
        }
        st_identity *x = &v[k++];
        x->name = r.name[0] ? strdup(r.name) : NULL;
        x->imo = r.imo;
        x->callsign = r.callsign[0] ? strdup(r.callsign) : NULL;
        x->shiptype = r.shiptype;
        x->first_ms = r.first_ms;
        x->last_ms = r.last_ms;
        if ((r.name[0] && !x->name) || (r.callsign[0] && !x->callsign)) {
            st = PEL_ERR_NOMEM;
            break;
        }
    }
    if (st == PEL_OK && rc < 0)
        st = (pel_status)-rc;
    st_iter_free(it);
    if (st != PEL_OK) {
        if (st == PEL_ERR_NOMEM)
            pel_fail(err, st, "out of memory reading identities");
        st_identities_free(v, k);
        return st;
    }
    *out = v;
    *n = k;
    return PEL_OK;
}

void st_identities_free(st_identity *v, size_t n) {
    for (size_t i = 0; v && i < n; i++) {
        free(v[i].name);
        free(v[i].callsign);
    }
    free(v);
}

void st_latest_clear(st_latest *l) {
    if (!l)
        return;
    free(l->name);
    free(l->callsign);
    free(l->destination);
    *l = (st_latest){.shiptype = -1};
}

/* ---- the dump -------------------------------------------------------------------------- */

static int dump_vessel(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    (void)name;
    FILE *f = ud;
    for (size_t i = 0; i < n; i++)
        fprintf(f, "pos %u %lld %d %d %u %u %u %u %u %u %d %u %u %llu %d\n", mmsi, (long long)p[i].t_ms, p[i].lat,
                p[i].lon, p[i].speed, p[i].course, p[i].heading, p[i].status, p[i].type, p[i].flags, p[i].segment,
                p[i].input, p[i].source, (unsigned long long)p[i].line, p[i].second);
    return 0;
}

pel_status pel_store_dump(pel_store *s, FILE *out, pel_error *err) {
    pel_status st = s->ops->dump_rows(s, out, err);
    pel_track_filter f = {0};
    if (st == PEL_OK)
        st = pel_tracks(s, &f, dump_vessel, out, err);
    if (st == PEL_OK && ferror(out)) {
        pel_fail(err, PEL_ERR_IO, "writing the dump failed");
        st = PEL_ERR_IO;
    }
    return st;
}
