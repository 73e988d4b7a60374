/*
 * report_query.c -- reading identities, voyages and the data's time span
 * for the risk ranking and the evidence report (st_report.h).  Read-only;
 * every statement is prepared, used and finalised within one call.
 */
#include <stdlib.h>
#include <string.h>

#include "st_report.h"
#include "store_internal.h"

static char *dup_text(sqlite3_stmt *q, int col) {
    const unsigned char *t = sqlite3_column_text(q, col);
    if (!t || !t[0])
        return NULL;
    return strdup((const char *)t);
}

pel_status st_identities(pel_store *s, uint32_t mmsi, st_identity **out, size_t *n, pel_error *err) {
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT name, imo, callsign, shiptype, first_ms, last_ms FROM identities WHERE mmsi = ?1"
                           " ORDER BY first_ms, name, imo, callsign, shiptype",
                           -1, &q, NULL) != SQLITE_OK)
        return st_error(s, err, "reading identities");
    sqlite3_bind_int64(q, 1, mmsi);
    st_identity *v = NULL;
    size_t k = 0, cap = 0;
    pel_status st = PEL_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
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
        st_identity *r = &v[k++];
        r->name = dup_text(q, 0);
        r->imo = (uint32_t)sqlite3_column_int64(q, 1);
        r->callsign = dup_text(q, 2);
        r->shiptype = sqlite3_column_int(q, 3);
        r->first_ms = sqlite3_column_int64(q, 4);
        r->last_ms = sqlite3_column_int64(q, 5);
        if ((sqlite3_column_bytes(q, 0) && !r->name) || (sqlite3_column_bytes(q, 2) && !r->callsign))
            st = PEL_ERR_NOMEM;
        if (st != PEL_OK)
            break;
    }
    if (st == PEL_OK && rc != SQLITE_DONE)
        st = st_error(s, err, "reading identities");
    sqlite3_finalize(q);
    if (st != PEL_OK) {
        if (st == PEL_ERR_NOMEM && err) {
            err->code = st;
            snprintf(err->msg, sizeof err->msg, "out of memory reading identities");
        }
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

/* Runs a one-row, one-column query for mmsi; the value in *text (owned) or
 * *num.  Returns false on an SQL error. */
static bool one(pel_store *s, const char *sql, uint32_t mmsi, char **text, int64_t *num) {
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_int64(q, 1, mmsi);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (text)
            *text = dup_text(q, 0);
        if (num)
            *num = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

pel_status st_latest_identity(pel_store *s, uint32_t mmsi, st_latest *l, pel_error *err) {
    *l = (st_latest){.shiptype = -1};
    int64_t imo = 0, type = -1;
    bool ok = one(s,
                  "SELECT name FROM identities WHERE mmsi = ?1 AND name <> ''"
                  " ORDER BY last_ms DESC, name LIMIT 1",
                  mmsi, &l->name, NULL) &&
              one(s,
                  "SELECT imo FROM identities WHERE mmsi = ?1 AND imo > 0"
                  " ORDER BY last_ms DESC, imo LIMIT 1",
                  mmsi, NULL, &imo) &&
              one(s,
                  "SELECT callsign FROM identities WHERE mmsi = ?1 AND callsign <> ''"
                  " ORDER BY last_ms DESC, callsign LIMIT 1",
                  mmsi, &l->callsign, NULL) &&
              one(s,
                  "SELECT shiptype FROM identities WHERE mmsi = ?1 AND shiptype >= 0"
                  " ORDER BY last_ms DESC, shiptype LIMIT 1",
                  mmsi, NULL, &type) &&
              one(s,
                  "SELECT destination FROM voyages WHERE mmsi = ?1 AND destination <> ''"
                  " ORDER BY last_ms DESC, destination LIMIT 1",
                  mmsi, &l->destination, NULL);
    l->imo = (uint32_t)imo;
    l->shiptype = (int)type;
    if (!ok) {
        st_latest_clear(l);
        return st_error(s, err, "reading a vessel's identity");
    }
    return PEL_OK;
}

char *st_latest_name(pel_store *s, uint32_t mmsi) {
    char *name = NULL;
    if (!one(s, "SELECT name FROM identities WHERE mmsi = ?1 AND name <> '' ORDER BY last_ms DESC, name LIMIT 1", mmsi,
             &name, NULL)) {
        free(name);
        return NULL;
    }
    return name;
}

bool st_data_span(pel_store *s, int64_t *first_ms, int64_t *last_ms) {
    sqlite3_stmt *q;
    bool ok = false;
    if (sqlite3_prepare_v2(s->db, "SELECT min(first_ms), max(last_ms) FROM vessels WHERE positions > 0", -1, &q,
                           NULL) != SQLITE_OK)
        return false;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
        *first_ms = sqlite3_column_int64(q, 0);
        *last_ms = sqlite3_column_int64(q, 1);
        ok = true;
    }
    sqlite3_finalize(q);
    return ok;
}

const char *st_db_path(pel_store *s) {
    const char *p = sqlite3_db_filename(s->db, "main");
    return p && p[0] ? p : NULL;
}
