/*
 * pg_live.c -- the PostgreSQL backend's state of pelorus watch (as
 * sqlite_live.c): values by key (live_state) and the alerts standing
 * (live_alerts), both part of the schema (pg_schema.sql).  Writes go into
 * the transaction under way, so that what the service remembers is
 * committed with the data it is about.  The live journals are rows of
 * inputs (settings "live").
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "util/fail.h"

pel_status pg_live_setup(pel_store *base, pel_error *err) {
    (void)base;
    (void)err;
    return PEL_OK;
}

pel_status pg_live_get(pel_store *base, const char *key, char **value, pel_error *err) {
    static const pg_stmt q = {"SELECT value FROM live_state WHERE key = $1"};
    *value = NULL;
    pg_par p = {0};
    pg_par_text(&p, key);
    PGresult *r = pg_run(pg_of(base), &q, &p, false, err, "reading the live state");
    if (!r)
        return PEL_ERR_IO;
    pel_status st = PEL_OK;
    if (PQntuples(r) == 1 && !(*value = strdup(PQgetvalue(r, 0, 0))))
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    PQclear(r);
    return st;
}

pel_status pg_live_put(pel_store *base, const char *key, const char *value, pel_error *err) {
    static const pg_stmt q = {
        "INSERT INTO live_state VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value"};
    pg_par p = {0};
    pg_par_text(&p, key);
    pg_par_text(&p, value);
    return pg_do(pg_of(base), &q, &p, err, "writing the live state");
}

pel_status pg_live_alerts(pel_store *base, int (*cb)(void *ud, const st_live_alert *a), void *ud, pel_error *err) {
    static const pg_stmt q = {"SELECT id, seq, digest, event, mmsi, mmsi2, start_ms, end_ms FROM live_alerts"
                              " ORDER BY id COLLATE \"C\""};
    PGresult *r = pg_run(pg_of(base), &q, NULL, false, err, "reading the standing alerts");
    if (!r)
        return PEL_ERR_IO;
    for (int i = 0; i < PQntuples(r); i++) {
        st_live_alert a = {.id = PQgetvalue(r, i, 0),
                           .seq = pg_i64(r, i, 1),
                           .digest = PQgetvalue(r, i, 2),
                           .event = PQgetvalue(r, i, 3),
                           .mmsi = (uint32_t)pg_i64(r, i, 4),
                           .mmsi2 = (uint32_t)pg_i64(r, i, 5),
                           .start_ms = pg_i64(r, i, 6),
                           .end_ms = pg_i64(r, i, 7)};
        if (cb(ud, &a))
            break;
    }
    PQclear(r);
    return PEL_OK;
}

pel_status pg_live_alert_put(pel_store *base, const st_live_alert *a, pel_error *err) {
    static const pg_stmt q = {"INSERT INTO live_alerts VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO"
                              " UPDATE SET seq = excluded.seq, digest = excluded.digest, event = excluded.event,"
                              " mmsi = excluded.mmsi, mmsi2 = excluded.mmsi2, start_ms = excluded.start_ms,"
                              " end_ms = excluded.end_ms"};
    pg_par p = {0};
    pg_par_text(&p, a->id);
    pg_par_i64(&p, a->seq);
    pg_par_text(&p, a->digest);
    pg_par_text(&p, a->event);
    pg_par_i64(&p, a->mmsi);
    pg_par_i64(&p, a->mmsi2);
    pg_par_i64(&p, a->start_ms);
    pg_par_i64(&p, a->end_ms);
    return pg_do(pg_of(base), &q, &p, err, "writing an alert");
}

pel_status pg_live_alert_drop(pel_store *base, const char *id, pel_error *err) {
    static const pg_stmt q = {"DELETE FROM live_alerts WHERE id = $1"};
    pg_par p = {0};
    pg_par_text(&p, id);
    return pg_do(pg_of(base), &q, &p, err, "dropping an alert");
}

pel_status pg_live_journals(pel_store *base, int (*cb)(void *ud, int64_t id, const char *path, uint64_t done), void *ud,
                            pel_error *err) {
    static const pg_stmt q = {"SELECT id, path, lines_done FROM inputs WHERE status = 'partial' AND settings = 'live'"
                              " ORDER BY id"};
    PGresult *r = pg_run(pg_of(base), &q, NULL, false, err, "reading the live journals");
    if (!r)
        return PEL_ERR_IO;
    for (int i = 0; i < PQntuples(r); i++)
        if (cb(ud, pg_i64(r, i, 0), PQgetvalue(r, i, 1), (uint64_t)pg_i64(r, i, 2)))
            break;
    PQclear(r);
    return PEL_OK;
}
