/*
 * sqlite_scan.c -- the SQLite backend's scan state (store.h, "scan state"):
 * one row of scan_state, the bytes a whole-store scan keeps for the next
 * (src/scan/scan_state.c), made the first time a scan keeps one (a
 * database never scanned has no such table).
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "util/fail.h"

pel_status sq_scan_state_get(pel_store *base, void **buf, size_t *len, pel_error *err) {
    sq_store *s = sq_of(base);
    *buf = NULL;
    *len = 0;
    sqlite3_stmt *q = NULL;
    /* no table: no state (never scanned, or scanned by a version that kept none) */
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM scan_state WHERE key = 'scan'", -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return PEL_OK;
    }
    pel_status st = PEL_OK;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const void *v = sqlite3_column_blob(q, 0);
        int n = sqlite3_column_bytes(q, 0);
        if (v && n > 0) {
            if (!(*buf = malloc((size_t)n)))
                st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            else {
                memcpy(*buf, v, (size_t)n);
                *len = (size_t)n;
            }
        }
    } else if (rc != SQLITE_DONE)
        st = sq_error(s, err, "reading the scan state");
    sqlite3_finalize(q);
    return st;
}

/* Writes the row on db: the table made when missing, then the value; in a
 * savepoint, so that a transaction under way (pelorus watch's) takes it
 * with its own writes, and a failure undoes only this. */
static int put_row(sqlite3 *db, const void *buf, size_t len) {
    int rc = sqlite3_exec(db, "SAVEPOINT scan_state", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_exec(db, "CREATE TABLE IF NOT EXISTS scan_state(key TEXT PRIMARY KEY, value BLOB NOT NULL)", NULL,
                      NULL, NULL);
    sqlite3_stmt *q = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO scan_state VALUES ('scan', ?)", -1, &q, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob64(q, 1, buf, len, SQLITE_STATIC);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK)
        sqlite3_exec(db, "ROLLBACK TO scan_state", NULL, NULL, NULL);
    int rel = sqlite3_exec(db, "RELEASE scan_state", NULL, NULL, NULL);
    return rc != SQLITE_OK ? rc : rel;
}

pel_status sq_scan_state_put(pel_store *base, const void *buf, size_t len, pel_error *err) {
    sq_store *s = sq_of(base);
    if (!base->readonly)
        return put_row(s->db, buf, len) == SQLITE_OK ? PEL_OK : sq_error(s, err, "keeping the scan state");
    /* a reader (pelorus scan reads an SQLite file read-only): the row goes
     * through a connection of its own, which never creates the file and
     * waits little for a writer; a read-only place (immutable) keeps none */
    const char *path = sqlite3_db_filename(s->db, "main");
    sqlite3 *db = NULL;
    if (s->immutable || !path || !*path)
        return pel_fail(err, PEL_ERR_IO, "the database is read-only here: no scan state kept");
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 2000);
        rc = put_row(db, buf, len);
    }
    if (rc != SQLITE_OK)
        pel_fail(err, PEL_ERR_IO, "keeping the scan state: %s", db ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_close(db);
    return rc == SQLITE_OK ? PEL_OK : PEL_ERR_IO;
}
