/*
 * query.c -- reading the store: finding vessels, describing one, and
 * streaming tracks by vessel, box and period (the R*Tree over chunk boxes
 * narrows a box query to the chunks that can match), and the inputs' paths
 * that findings' evidence names.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/display.h"
#include "store_internal.h"
#include "trk.h"

static pel_status prep(pel_store *s, const char *q, sqlite3_stmt **out, pel_error *err) {
    if (sqlite3_prepare_v2(s->db, q, -1, out, NULL) != SQLITE_OK)
        return st_error(s, err, "query");
    return PEL_OK;
}

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
    sqlite3_stmt *st;
    pel_status rc;
    bool number = digits == len && len > 0 && len <= 10;
    long long v = number ? strtoll(q, NULL, 10) : -1;
    /* digits: an MMSI -- any number AIS can carry, junk included (0,
     * 12345678) -- or, with seven digits, an IMO number or an MMSI */
    if (number && prefix != 1 && v <= PEL_MMSI_MAX && (len != 7 || prefix == 2)) {
        rc = prep(s, "SELECT ?1 WHERE EXISTS (SELECT 1 FROM vessels WHERE mmsi = ?1)"
                     " OR EXISTS (SELECT 1 FROM identities WHERE mmsi = ?1)", &st, err);
        if (rc != PEL_OK)
            return rc;
        sqlite3_bind_int64(st, 1, v);
    } else if (number && len == 7) {
        rc = prep(s,
                  prefix == 1 ? "SELECT DISTINCT mmsi FROM identities WHERE imo = ?1 ORDER BY mmsi"
                              : "SELECT mmsi FROM (SELECT mmsi FROM identities WHERE imo = ?1 UNION"
                                " SELECT mmsi FROM vessels WHERE mmsi = ?1) ORDER BY mmsi",
                  &st, err);
        if (rc != PEL_OK)
            return rc;
        sqlite3_bind_int64(st, 1, v);
    } else {
        char nn[128];
        st_norm_name(query, nn, sizeof nn);
        if (!nn[0])
            return PEL_OK;
        rc = prep(s, "SELECT DISTINCT mmsi FROM identities WHERE nname = ?1 ORDER BY mmsi", &st, err);
        if (rc != PEL_OK)
            return rc;
        sqlite3_bind_text(st, 1, nn, -1, SQLITE_TRANSIENT);
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (*n < cap)
            out[*n] = (uint32_t)sqlite3_column_int64(st, 0);
        (*n)++;
    }
    sqlite3_finalize(st);
    return PEL_OK;
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
static pel_status load_vessel(pel_store *s, uint32_t mmsi, pel_position **p, size_t *n, size_t *cap,
                              pel_error *err) {
    sqlite3_stmt *st;
    pel_status rc = prep(s, "SELECT data FROM chunks WHERE mmsi = ?1 ORDER BY t0, id", &st, err);
    if (rc != PEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, mmsi);
    *n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const uint8_t *blob = sqlite3_column_blob(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        long c = trk_count(blob, len);
        if (c < 0) {
            sqlite3_finalize(st);
            return st_error(s, err, "a stored chunk is corrupt");
        }
        if (*n + (size_t)c > *cap) {
            size_t ncap = *cap ? *cap : 1024;
            while (ncap < *n + (size_t)c)
                ncap *= 2;
            pel_position *np = realloc(*p, ncap * sizeof *np);
            if (!np) {
                sqlite3_finalize(st);
                return PEL_ERR_NOMEM;
            }
            *p = np;
            *cap = ncap;
        }
        if (trk_decode(blob, len, mmsi, *p + *n, (size_t)c) != c) {
            sqlite3_finalize(st);
            return st_error(s, err, "a stored chunk is corrupt");
        }
        *n += (size_t)c;
    }
    sqlite3_finalize(st);
    return PEL_OK;
}

pel_status pel_vessel_describe(pel_store *s, uint32_t mmsi, double silence_h, FILE *f, pel_error *err) {
    sqlite3_stmt *st;
    pel_status rc;
    fprintf(f, "MMSI %09u", mmsi);
    pel_mmsi_kind mk = pel_mmsi_classify(mmsi);
    if (mk != PEL_MMSI_SHIP && mk != PEL_MMSI_OTHER)
        fprintf(f, "  [identifies no ship: %s]",
                mk == PEL_MMSI_ZERO    ? "zero"
                : mk == PEL_MMSI_SHORT ? "fewer than nine digits"
                : mk == PEL_MMSI_LONG  ? "beyond nine digits"
                : mk == PEL_MMSI_NONSTANDARD ? "nine digits in no ITU form"
                                       : "a default many transponders share");
    if ((rc = prep(s, "SELECT first_ms, last_ms, positions, flagged, segments, distance_m, duplicates, dirty"
                      " FROM vessels WHERE mmsi = ?1", &st, err)) != PEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, mmsi);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        fprintf(f, "\n  first seen   ");
        put_time(f, sqlite3_column_int64(st, 0));
        fprintf(f, "\n  last seen    ");
        put_time(f, sqlite3_column_int64(st, 1));
        fprintf(f, "\n  positions    %lld (%lld flagged, %lld duplicate receptions removed)\n",
                (long long)sqlite3_column_int64(st, 2), (long long)sqlite3_column_int64(st, 3),
                (long long)sqlite3_column_int64(st, 6));
        fprintf(f, "  segments     %lld\n", (long long)sqlite3_column_int64(st, 4));
        fprintf(f, "  distance     %.1f nm\n", sqlite3_column_double(st, 5) / 1852.0);
        if (sqlite3_column_int(st, 7))
            fprintf(f, "  (tracks not built yet: run pelorus ingest again)\n");
    } else
        fprintf(f, "\n  no positions stored\n");
    sqlite3_finalize(st);

    fprintf(f, "\nidentities (as broadcast; first and last seen)\n");
    if ((rc = prep(s, "SELECT name, imo, callsign, shiptype, to_bow, to_stern, to_port, to_starboard, first_ms,"
                      " last_ms, reports, i.path, first_line FROM identities LEFT JOIN inputs i ON i.id = first_input"
                      " WHERE mmsi = ?1 ORDER BY first_ms, name, imo, callsign", &st, err)) != PEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, mmsi);
    int nid = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        nid++;
        fprintf(f, "  ");
        put_time(f, sqlite3_column_int64(st, 8));
        fprintf(f, " .. ");
        put_time(f, sqlite3_column_int64(st, 9));
        fprintf(f, "  name \"");
        put_text(f, sqlite3_column_text(st, 0));
        fprintf(f, "\"");
        if (sqlite3_column_int64(st, 1))
            fprintf(f, "  IMO %lld%s", (long long)sqlite3_column_int64(st, 1),
                    pel_imo_valid((uint32_t)sqlite3_column_int64(st, 1)) ? "" : " (check digit wrong)");
        if (sqlite3_column_bytes(st, 2)) {
            fprintf(f, "  call sign ");
            put_text(f, sqlite3_column_text(st, 2));
        }
        if (sqlite3_column_int(st, 3) >= 0)
            fprintf(f, "  type %d", sqlite3_column_int(st, 3));
        if (sqlite3_column_int(st, 4) >= 0) { /* a part absent (-1) counts 0: CSVs give a length alone */
            int l = sqlite3_column_int(st, 4) + (sqlite3_column_int(st, 5) > 0 ? sqlite3_column_int(st, 5) : 0);
            int w = sqlite3_column_int(st, 6) + (sqlite3_column_int(st, 7) > 0 ? sqlite3_column_int(st, 7) : 0);
            if (sqlite3_column_int(st, 6) >= 0)
                fprintf(f, "  size %dx%d m", l, w);
            else
                fprintf(f, "  length %d m", l);
        }
        fprintf(f, "  (%lld reports; first at %s:%lld)\n", (long long)sqlite3_column_int64(st, 10),
                sqlite3_column_text(st, 11) ? (const char *)sqlite3_column_text(st, 11) : "?",
                (long long)sqlite3_column_int64(st, 12));
    }
    sqlite3_finalize(st);
    if (!nid)
        fprintf(f, "  none received\n");

    fprintf(f, "\nvoyage reports (destination, draught)\n");
    if ((rc = prep(s, "SELECT destination, draught_dm, eta, first_ms, last_ms, reports FROM voyages WHERE mmsi = ?1"
                      " ORDER BY first_ms, destination", &st, err)) != PEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, mmsi);
    int nv = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        nv++;
        fprintf(f, "  ");
        put_time(f, sqlite3_column_int64(st, 3));
        fprintf(f, " .. ");
        put_time(f, sqlite3_column_int64(st, 4));
        fprintf(f, "  destination \"");
        put_text(f, sqlite3_column_text(st, 0));
        fprintf(f, "\"");
        if (sqlite3_column_int(st, 1) >= 0)
            fprintf(f, "  draught %.1f m", sqlite3_column_int(st, 1) / 10.0);
        if (sqlite3_column_bytes(st, 2)) {
            fprintf(f, "  ETA ");
            put_text(f, sqlite3_column_text(st, 2));
        }
        fprintf(f, "  (%lld reports)\n", (long long)sqlite3_column_int64(st, 5));
    }
    sqlite3_finalize(st);
    if (!nv)
        fprintf(f, "  none received\n");

    fprintf(f, "\nsegments\n");
    if ((rc = prep(s, "SELECT seg, t0, t1, n, distance_m, parallel FROM segments WHERE mmsi = ?1 ORDER BY seg", &st,
                   err)) != PEL_OK)
        return rc;
    sqlite3_bind_int64(st, 1, mmsi);
    while (sqlite3_step(st) == SQLITE_ROW) {
        fprintf(f, "  #%d  ", sqlite3_column_int(st, 0));
        put_time(f, sqlite3_column_int64(st, 1));
        fprintf(f, " .. ");
        put_time(f, sqlite3_column_int64(st, 2));
        fprintf(f, "  %lld positions  %.1f nm%s\n", (long long)sqlite3_column_int64(st, 3),
                sqlite3_column_double(st, 4) / 1852.0,
                sqlite3_column_int(st, 5) ? "  PARALLEL: overlaps another segment (two transmitters?)" : "");
    }
    sqlite3_finalize(st);

    /* silences: consecutive usable positions further apart than silence_h */
    pel_position *p = NULL;
    size_t n = 0, cap = 0;
    if ((rc = load_vessel(s, mmsi, &p, &n, &cap, err)) != PEL_OK) {
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
                    trk_distance_m(prev->lat, prev->lon, p[i].lat, p[i].lon) / 1852.0,
                    (unsigned long long)prev->line, (unsigned long long)p[i].line);
        }
        prev = &p[i];
    }
    if (!ns)
        fprintf(f, "  none\n");
    free(p);
    return ferror(f) ? PEL_ERR_IO : PEL_OK;
}

static const char *latest_name(pel_store *s, uint32_t mmsi, char *buf, size_t cap) {
    sqlite3_stmt *st;
    if (prep(s, "SELECT name FROM identities WHERE mmsi = ?1 AND name <> '' ORDER BY last_ms DESC, name LIMIT 1", &st,
             NULL) != PEL_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, mmsi);
    const char *r = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
        r = buf;
    }
    sqlite3_finalize(st);
    return r;
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

pel_status pel_tracks(pel_store *s, const pel_track_filter *f,
                      int (*on_vessel)(void *ud, uint32_t mmsi, const char *name, const pel_position *pos, size_t n),
                      void *ud, pel_error *err) {
    /* the candidate chunks, in vessel then time order */
    char q[768];
    int64_t from = f->has_from ? f->from_ms : INT64_MIN, to = f->has_to ? f->to_ms : INT64_MAX;
    if (f->has_bbox)
        snprintf(q, sizeof q,
                 "SELECT c.mmsi, c.data FROM chunk_box b JOIN chunks c ON c.id = b.id"
                 " WHERE b.lat1 >= ?1 AND b.lat0 <= ?2 AND b.lon1 >= ?3 AND b.lon0 <= ?4"
                 " AND b.m1 >= ?5 AND b.m0 <= ?6 ORDER BY c.mmsi, c.t0, c.id");
    else
        snprintf(q, sizeof q,
                 "SELECT mmsi, data FROM chunks WHERE t1 >= ?5 AND t0 <= ?6 ORDER BY mmsi, t0, id");
    sqlite3_stmt *st;
    pel_status rc;
    if (f->mmsi && f->nmmsi) {
        /* by vessel: one query per MMSI */
        for (size_t i = 0; i < f->nmmsi; i++) {
            pel_track_filter one = *f;
            one.mmsi = NULL;
            one.nmmsi = 0;
            pel_position *p = NULL;
            size_t n = 0, cap = 0;
            rc = load_vessel(s, f->mmsi[i], &p, &n, &cap, err);
            size_t k = 0;
            for (size_t j = 0; j < n; j++)
                if (in_filter(&one, &p[j]))
                    p[k++] = p[j];
            char nb[64];
            int stop = rc == PEL_OK && k ? on_vessel(ud, f->mmsi[i], latest_name(s, f->mmsi[i], nb, sizeof nb), p, k)
                                         : 0;
            free(p);
            if (rc != PEL_OK)
                return rc;
            if (stop)
                return PEL_STOPPED;
        }
        return PEL_OK;
    }
    if ((rc = prep(s, q, &st, err)) != PEL_OK)
        return rc;
    if (f->has_bbox) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)floor(f->min_lat * PEL_DEG));
        sqlite3_bind_int64(st, 2, (sqlite3_int64)ceil(f->max_lat * PEL_DEG));
        sqlite3_bind_int64(st, 3, (sqlite3_int64)floor(f->min_lon * PEL_DEG));
        sqlite3_bind_int64(st, 4, (sqlite3_int64)ceil(f->max_lon * PEL_DEG));
        sqlite3_bind_int64(st, 5, f->has_from ? f->from_ms / 60000 - 1 : INT32_MIN);
        sqlite3_bind_int64(st, 6, f->has_to ? f->to_ms / 60000 + 1 : INT32_MAX);
    } else {
        sqlite3_bind_int64(st, 5, from);
        sqlite3_bind_int64(st, 6, to);
    }
    pel_position *p = NULL;
    size_t n = 0, cap = 0;
    uint32_t cur = 0;
    rc = PEL_OK;
    int step;
    for (;;) {
        step = sqlite3_step(st);
        uint32_t mmsi = step == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(st, 0) : 0;
        if ((step != SQLITE_ROW || mmsi != cur) && n) {
            char nb[64];
            if (on_vessel(ud, cur, latest_name(s, cur, nb, sizeof nb), p, n)) {
                rc = PEL_STOPPED;
                break;
            }
            n = 0;
        }
        if (step != SQLITE_ROW)
            break;
        cur = mmsi;
        const uint8_t *blob = sqlite3_column_blob(st, 1);
        size_t len = (size_t)sqlite3_column_bytes(st, 1);
        long c = trk_count(blob, len);
        if (c < 0) {
            rc = st_error(s, err, "a stored chunk is corrupt");
            break;
        }
        if (n + (size_t)c > cap) {
            size_t ncap = cap ? cap : 1024;
            while (ncap < n + (size_t)c)
                ncap *= 2;
            pel_position *np = realloc(p, ncap * sizeof *np);
            if (!np) {
                rc = PEL_ERR_NOMEM;
                break;
            }
            p = np;
            cap = ncap;
        }
        pel_position *dst = p + n;
        if (trk_decode(blob, len, mmsi, dst, (size_t)c) != c) {
            rc = st_error(s, err, "a stored chunk is corrupt");
            break;
        }
        for (long j = 0; j < c; j++)
            if (in_filter(f, &dst[j]))
                p[n++] = dst[j];
    }
    if (rc == PEL_OK && step != SQLITE_DONE)
        rc = st_error(s, err, "reading tracks");
    sqlite3_finalize(st);
    free(p);
    return rc;
}

pel_status st_input_paths(pel_store *s, char ***out, size_t *n) {
    sqlite3 *db = s->db;
    sqlite3_stmt *q;
    char **paths = NULL;
    size_t np = 0;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db, "SELECT id, path FROM inputs ORDER BY id", -1, &q, NULL) != SQLITE_OK)
        return PEL_ERR_IO;
    pel_status st = PEL_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        size_t id = (size_t)sqlite3_column_int64(q, 0);
        if (id >= np) {
            char **nv = realloc(paths, (id + 1) * sizeof *nv);
            if (!nv) {
                st = PEL_ERR_NOMEM;
                break;
            }
            memset(nv + np, 0, (id + 1 - np) * sizeof *nv);
            paths = nv;
            np = id + 1;
        }
        const char *p = (const char *)sqlite3_column_text(q, 1);
        if (!p || !(paths[id] = strdup(p))) { /* a path lost would drop the file from the evidence */
            st = PEL_ERR_NOMEM;
            break;
        }
    }
    if (st == PEL_OK && rc != SQLITE_DONE)
        st = sqlite3_errcode(db) == SQLITE_NOMEM ? PEL_ERR_NOMEM : PEL_ERR_IO;
    sqlite3_finalize(q);
    *out = paths;
    *n = np;
    return st;
}
