/*
 * sqlite_live.c -- the SQLite backend's state of pelorus watch: a table of
 * values by key (live_state: the feeds' positions, the last alert's
 * sequence number) and the alerts standing (live_alerts), made the first
 * time a live service opens the database (a database never watched has
 * neither).  Writes go into the transaction under way, so that what the
 * service remembers is committed with the data it is about.  The live
 * journals are rows of inputs (settings "live"), read here.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "util/fail.h"

static const char schema[] = "CREATE TABLE IF NOT EXISTS live_state(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                             "CREATE TABLE IF NOT EXISTS live_alerts("
                             " id TEXT PRIMARY KEY, seq INTEGER NOT NULL, digest TEXT NOT NULL, event TEXT NOT NULL,"
                             " mmsi INTEGER NOT NULL, mmsi2 INTEGER NOT NULL, start_ms INTEGER NOT NULL,"
                             " end_ms INTEGER NOT NULL);";

pel_status sq_live_setup(pel_store *base, pel_error *err) {
    sq_store *s = sq_of(base);
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        pel_fail(err, PEL_ERR_IO, "database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return PEL_ERR_IO;
    }
    return PEL_OK;
}

/* A statement of sql prepared, or NULL with err filled. */
static sqlite3_stmt *prepare(sq_store *s, const char *sql, pel_error *err, const char *what) {
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
        sq_error(s, err, what);
        return NULL;
    }
    return q;
}

pel_status sq_live_get(pel_store *base, const char *key, char **value, pel_error *err) {
    sq_store *s = sq_of(base);
    *value = NULL;
    sqlite3_stmt *q = prepare(s, "SELECT value FROM live_state WHERE key = ?", err, "reading the live state");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    pel_status st = PEL_OK;
    if (rc == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(q, 0);
        if (!(*value = strdup(v ? v : "")))
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    } else if (rc != SQLITE_DONE)
        st = sq_error(s, err, "reading the live state");
    sqlite3_finalize(q);
    return st;
}

pel_status sq_live_put(pel_store *base, const char *key, const char *value, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = prepare(s, "INSERT OR REPLACE INTO live_state VALUES (?, ?)", err, "writing the live state");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    pel_status st = sqlite3_step(q) == SQLITE_DONE ? PEL_OK : sq_error(s, err, "writing the live state");
    sqlite3_finalize(q);
    return st;
}

pel_status sq_live_alerts(pel_store *base, int (*cb)(void *ud, const st_live_alert *a), void *ud, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q =
        prepare(s, "SELECT id, seq, digest, event, mmsi, mmsi2, start_ms, end_ms FROM live_alerts ORDER BY id", err,
                "reading the standing alerts");
    if (!q)
        return PEL_ERR_IO;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        st_live_alert a = {.id = (const char *)sqlite3_column_text(q, 0),
                           .seq = sqlite3_column_int64(q, 1),
                           .digest = (const char *)sqlite3_column_text(q, 2),
                           .event = (const char *)sqlite3_column_text(q, 3),
                           .mmsi = (uint32_t)sqlite3_column_int64(q, 4),
                           .mmsi2 = (uint32_t)sqlite3_column_int64(q, 5),
                           .start_ms = sqlite3_column_int64(q, 6),
                           .end_ms = sqlite3_column_int64(q, 7)};
        if (cb(ud, &a)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    pel_status st = rc == SQLITE_DONE ? PEL_OK : sq_error(s, err, "reading the standing alerts");
    sqlite3_finalize(q);
    return st;
}

pel_status sq_live_alert_put(pel_store *base, const st_live_alert *a, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q =
        prepare(s, "INSERT OR REPLACE INTO live_alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", err, "writing an alert");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, a->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, a->seq);
    sqlite3_bind_text(q, 3, a->digest, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, a->event, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, a->mmsi);
    sqlite3_bind_int64(q, 6, a->mmsi2);
    sqlite3_bind_int64(q, 7, a->start_ms);
    sqlite3_bind_int64(q, 8, a->end_ms);
    pel_status st = sqlite3_step(q) == SQLITE_DONE ? PEL_OK : sq_error(s, err, "writing an alert");
    sqlite3_finalize(q);
    return st;
}

pel_status sq_live_alert_drop(pel_store *base, const char *id, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = prepare(s, "DELETE FROM live_alerts WHERE id = ?", err, "dropping an alert");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    pel_status st = sqlite3_step(q) == SQLITE_DONE ? PEL_OK : sq_error(s, err, "dropping an alert");
    sqlite3_finalize(q);
    return st;
}

pel_status sq_live_journals(pel_store *base, int (*cb)(void *ud, int64_t id, const char *path, uint64_t done), void *ud,
                            pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = prepare(s,
                              "SELECT id, path, lines_done FROM inputs WHERE status = 'partial' AND settings = 'live'"
                              " ORDER BY id",
                              err, "reading the live journals");
    if (!q)
        return PEL_ERR_IO;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *path = (const char *)sqlite3_column_text(q, 1);
        if (cb(ud, sqlite3_column_int64(q, 0), path ? path : "", (uint64_t)sqlite3_column_int64(q, 2))) {
            rc = SQLITE_DONE;
            break;
        }
    }
    pel_status st = rc == SQLITE_DONE ? PEL_OK : sq_error(s, err, "reading the live journals");
    sqlite3_finalize(q);
    return st;
}
