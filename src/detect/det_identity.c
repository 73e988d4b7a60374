/*
 * det_identity.c -- identity changes and spoofing signs, from the store's
 * identity history and segments:
 *
 *   identity_change  a vessel (MMSI) broadcast a new name, IMO, call sign or
 *                    ship type (one finding per change, in time order);
 *                    an IMO broadcast under several MMSIs (one per pair).
 *   spoofing         parallel segments (one MMSI in two places at once);
 *                    positions reached only at an impossible speed; an MMSI
 *                    whose country digits (MID) are allocated to no country;
 *                    an IMO number whose check digit is wrong.
 *
 * Limits: AIS carries no flag, so "MID contradicts the reported flag" needs
 * a flag from elsewhere (a sanctions list entry); that check belongs to
 * screening.  Class B vessels send name and call sign in separate parts,
 * stored as separate identity rows: a change is only counted between values
 * actually broadcast (empty values are not a change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det.h"
#include "det_internal.h"
#include "util/xsort.h"

typedef struct idrow {
    char name[64], callsign[16];
    int64_t imo, shiptype;
    int64_t first, last;
    uint32_t input;
    uint64_t line;
} idrow;

static int cmp_first(const void *a, const void *b) {
    const idrow *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    if (x->imo != y->imo)
        return x->imo < y->imo ? -1 : 1;
    return strcmp(x->callsign, y->callsign);
}

/* One field's changes over a vessel's identity rows (sorted by first seen). */
static void changes(uint32_t mmsi, const idrow *r, size_t n, const char *field, det_emit_fn emit, void *ud) {
    const idrow *prev = NULL;
    for (size_t i = 0; i < n; i++) {
        const idrow *c = &r[i];
        const char *cs = NULL, *ps = NULL;
        int64_t cv = -1, pv = -1;
        if (!strcmp(field, "name"))
            cs = c->name, ps = prev ? prev->name : NULL;
        else if (!strcmp(field, "callsign"))
            cs = c->callsign, ps = prev ? prev->callsign : NULL;
        else if (!strcmp(field, "imo"))
            cv = c->imo > 0 ? c->imo : -1, pv = prev && prev->imo > 0 ? prev->imo : -1;
        else
            cv = c->shiptype, pv = prev ? prev->shiptype : -1;
        bool has = cs ? *cs != 0 : cv >= 0;
        if (!has)
            continue;
        bool differs = prev && (cs ? strcmp(cs, ps) != 0 : cv != pv);
        if (differs) {
            det_finding f = {0};
            f.event = "identity_change";
            f.mmsi = mmsi;
            f.start_ms = prev->last;
            f.end_ms = c->first;
            f.lat = f.lon = NAN;
            char a[160], b[160];
            if (cs) {
                det_json_str(a, sizeof a, ps);
                det_json_str(b, sizeof b, cs);
            } else {
                snprintf(a, sizeof a, "%lld", (long long)pv);
                snprintf(b, sizeof b, "%lld", (long long)cv);
            }
            snprintf(f.fields, sizeof f.fields,
                     "\"field\":\"%s\",\"from\":%s,\"to\":%s,\"from_last_seen_ms\":%lld,\"to_first_seen_ms\":%lld",
                     field, a, b, (long long)prev->last, (long long)c->first);
            pel_position p = {.input = prev->input, .line = prev->line};
            det_add_evidence(&f, &p);
            p.input = c->input;
            p.line = c->line;
            det_add_evidence(&f, &p);
            emit(ud, &f);
        }
        prev = c;
    }
}

pel_status det_identity_run(sqlite3 *db, det_emit_fn emit, void *ud) {
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT mmsi, name, imo, callsign, shiptype, first_ms, last_ms, first_input, first_line"
                           " FROM identities ORDER BY mmsi",
                           -1, &q, NULL) != SQLITE_OK)
        return PEL_ERR_IO;
    idrow *rows = NULL;
    size_t n = 0, cap = 0;
    uint32_t cur = 0;
    int rc;
    for (;;) {
        rc = sqlite3_step(q);
        uint32_t mmsi = rc == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(q, 0) : 0;
        if ((rc != SQLITE_ROW || mmsi != cur) && n) {
            xqsort(rows, n, sizeof *rows, cmp_first);
            changes(cur, rows, n, "name", emit, ud);
            changes(cur, rows, n, "imo", emit, ud);
            changes(cur, rows, n, "callsign", emit, ud);
            changes(cur, rows, n, "shiptype", emit, ud);
            /* an IMO with a wrong check digit */
            for (size_t i = 0; i < n; i++)
                if (rows[i].imo > 0 && !pel_imo_valid((uint32_t)rows[i].imo)) {
                    bool seen = false;
                    for (size_t j = 0; j < i; j++)
                        seen |= rows[j].imo == rows[i].imo;
                    if (seen)
                        continue;
                    det_finding f = {0};
                    f.event = "spoofing";
                    f.mmsi = cur;
                    f.start_ms = rows[i].first;
                    f.end_ms = rows[i].last;
                    f.lat = f.lon = NAN;
                    snprintf(f.fields, sizeof f.fields, "\"kind\":\"invalid_imo\",\"imo\":%lld",
                             (long long)rows[i].imo);
                    pel_position p = {.input = rows[i].input, .line = rows[i].line};
                    det_add_evidence(&f, &p);
                    emit(ud, &f);
                }
            n = 0;
        }
        if (rc != SQLITE_ROW)
            break;
        cur = mmsi;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            idrow *nr = realloc(rows, ncap * sizeof *nr);
            if (!nr) {
                free(rows);
                sqlite3_finalize(q);
                return PEL_ERR_NOMEM;
            }
            rows = nr;
            cap = ncap;
        }
        idrow *r = &rows[n++];
        snprintf(r->name, sizeof r->name, "%s", (const char *)sqlite3_column_text(q, 1));
        r->imo = sqlite3_column_int64(q, 2);
        snprintf(r->callsign, sizeof r->callsign, "%s", (const char *)sqlite3_column_text(q, 3));
        r->shiptype = sqlite3_column_int64(q, 4);
        r->first = sqlite3_column_int64(q, 5);
        r->last = sqlite3_column_int64(q, 6);
        r->input = (uint32_t)sqlite3_column_int64(q, 7);
        r->line = (uint64_t)sqlite3_column_int64(q, 8);
    }
    free(rows);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return PEL_ERR_IO;

    /* one IMO under several MMSIs */
    if (sqlite3_prepare_v2(db,
                           "SELECT a.imo, a.mmsi, b.mmsi, min(a.first_ms), max(a.last_ms), min(b.first_ms),"
                           " max(b.last_ms), min(a.first_input), min(a.first_line), min(b.first_input),"
                           " min(b.first_line) FROM identities a JOIN identities b ON a.imo = b.imo AND a.mmsi < b.mmsi"
                           " WHERE a.imo > 0 GROUP BY a.imo, a.mmsi, b.mmsi ORDER BY a.imo, a.mmsi, b.mmsi",
                           -1, &q, NULL) != SQLITE_OK)
        return PEL_ERR_IO;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        det_finding f = {0};
        f.event = "identity_change";
        f.mmsi = (uint32_t)sqlite3_column_int64(q, 1);
        f.mmsi2 = (uint32_t)sqlite3_column_int64(q, 2);
        int64_t a0 = sqlite3_column_int64(q, 3), a1 = sqlite3_column_int64(q, 4), b0 = sqlite3_column_int64(q, 5),
                b1 = sqlite3_column_int64(q, 6);
        f.start_ms = a0 < b0 ? a0 : b0;
        f.end_ms = a1 > b1 ? a1 : b1;
        f.lat = f.lon = NAN;
        snprintf(f.fields, sizeof f.fields,
                 "\"field\":\"imo_shared\",\"imo\":%lld,\"imo_valid\":%s", (long long)sqlite3_column_int64(q, 0),
                 pel_imo_valid((uint32_t)sqlite3_column_int64(q, 0)) ? "true" : "false");
        pel_position p = {.input = (uint32_t)sqlite3_column_int64(q, 7), .line = (uint64_t)sqlite3_column_int64(q, 8)};
        det_add_evidence(&f, &p);
        p.input = (uint32_t)sqlite3_column_int64(q, 9);
        p.line = (uint64_t)sqlite3_column_int64(q, 10);
        det_add_evidence(&f, &p);
        emit(ud, &f);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? PEL_OK : PEL_ERR_IO;
}

/* Spoofing signs in one vessel's track: parallel segments and jumps. */
void det_spoof_track(uint32_t mmsi, const pel_position *p, size_t n, const det_mid_fn mid_ok, void *mid_ud,
                     det_emit_fn emit, void *ud) {
    if (n == 0)
        return;
    /* the segments: time span and size of each */
    int32_t maxseg = -1;
    for (size_t i = 0; i < n; i++)
        if (p[i].segment > maxseg)
            maxseg = p[i].segment;
    size_t ns = (size_t)(maxseg + 1);
    int64_t *t0 = malloc((ns + 1) * sizeof *t0), *t1 = malloc((ns + 1) * sizeof *t1);
    size_t *cnt = calloc(ns + 1, sizeof *cnt), *firsti = malloc((ns + 1) * sizeof *firsti);
    bool *parallel = calloc(ns + 1, sizeof *parallel);
    bool have = t0 && t1 && cnt && firsti && parallel;
    if (have) {
        for (size_t i = 0; i < n; i++) {
            int32_t s = p[i].segment;
            if (s < 0)
                continue;
            if (!cnt[s]) {
                t0[s] = p[i].t_ms;
                firsti[s] = i;
            }
            t1[s] = p[i].t_ms;
            cnt[s]++;
        }
        for (size_t a = 0; a < ns; a++)
            for (size_t b = a + 1; b < ns; b++)
                if (cnt[a] >= 2 && cnt[b] >= 2 && t0[b] <= t1[a] && t0[a] <= t1[b])
                    parallel[a] = parallel[b] = true;
    }
    /* impossible jumps: one finding for the vessel, with the flagged
     * positions -- except those that start a parallel segment, which the
     * parallel_segments finding below reports (a second transmitter is not
     * a jump of the first) */
    det_finding f = {0};
    for (size_t i = 0; i < n; i++)
        if ((p[i].flags & PEL_POS_SUSPECT_SPEED) && !(have && p[i].segment >= 0 && parallel[p[i].segment])) {
            if (!f.event) {
                f.event = "spoofing";
                f.mmsi = mmsi;
                f.start_ms = p[i].t_ms;
                f.lat = (double)p[i].lat / PEL_DEG;
                f.lon = (double)p[i].lon / PEL_DEG;
            }
            f.end_ms = p[i].t_ms;
            det_add_evidence(&f, &p[i]);
        }
    if (f.event) {
        snprintf(f.fields, sizeof f.fields, "\"kind\":\"impossible_speed\",\"jumps\":%llu",
                 (unsigned long long)f.nev_total);
        emit(ud, &f);
    }
    /* parallel segments: two segments with more than one position whose
     * time spans overlap */
    if (have && maxseg >= 1) {
        {
            for (size_t a = 0; a < ns; a++)
                for (size_t b = a + 1; b < ns; b++) {
                    if (cnt[a] < 2 || cnt[b] < 2 || t0[b] > t1[a] || t0[a] > t1[b])
                        continue;
                    det_finding g = {0};
                    g.event = "spoofing";
                    g.mmsi = mmsi;
                    g.start_ms = t0[a] > t0[b] ? t0[a] : t0[b];
                    g.end_ms = t1[a] < t1[b] ? t1[a] : t1[b];
                    const pel_position *pa = &p[firsti[a]], *pb = &p[firsti[b]];
                    /* the positions of each segment inside the overlap */
                    const pel_position *la = NULL, *lb = NULL;
                    for (size_t i = 0; i < n; i++) {
                        if (p[i].t_ms < g.start_ms || p[i].t_ms > g.end_ms)
                            continue;
                        if ((size_t)p[i].segment == a || (size_t)p[i].segment == b) {
                            det_add_evidence(&g, &p[i]);
                            if ((size_t)p[i].segment == a && !la)
                                la = &p[i];
                            if ((size_t)p[i].segment == b && !lb)
                                lb = &p[i];
                        }
                    }
                    if (!la)
                        la = pa;
                    if (!lb)
                        lb = pb;
                    g.lat = (double)la->lat / PEL_DEG;
                    g.lon = (double)la->lon / PEL_DEG;
                    snprintf(g.fields, sizeof g.fields,
                             "\"kind\":\"parallel_segments\",\"segment_a\":%zu,\"segment_b\":%zu,\"positions_a\":%zu,"
                             "\"positions_b\":%zu,\"lat_b\":%.6f,\"lon_b\":%.6f,\"separation_nm\":%.1f",
                             a, b, cnt[a], cnt[b], (double)lb->lat / PEL_DEG, (double)lb->lon / PEL_DEG,
                             trk_distance_m(la->lat, la->lon, lb->lat, lb->lon) / 1852.0);
                    emit(ud, &g);
                }
        }
    }
    free(t0);
    free(t1);
    free(cnt);
    free(firsti);
    free(parallel);
    /* an MMSI whose MID is allocated to no country */
    if (mid_ok && !mid_ok(mid_ud, mmsi)) {
        det_finding h = {0};
        h.event = "spoofing";
        h.mmsi = mmsi;
        h.start_ms = p[0].t_ms;
        h.end_ms = p[n - 1].t_ms;
        h.lat = (double)p[0].lat / PEL_DEG;
        h.lon = (double)p[0].lon / PEL_DEG;
        snprintf(h.fields, sizeof h.fields, "\"kind\":\"unallocated_mid\",\"mid\":%u", mmsi / 1000000);
        det_add_evidence(&h, &p[0]);
        emit(ud, &h);
    }
}
