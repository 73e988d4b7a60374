/*
 * sqlite_scan.c -- the SQLite backend's scan state (store.h, "scan state"):
 * the head, one row of scan_state (key 'scan'), a row per vessel in
 * scan_vessels and the vessels' chunks in scan_chunks, the bytes a
 * whole-store scan keeps for the next (src/scan/scan_state.c).  The
 * tables are made the first time a scan keeps a state (a database never
 * scanned has none); the head and the vessels' rows are replaced together
 * in one transaction, with the chunks that changed.
 *
 * pelorus scan reads an SQLite file read-only; the state then goes through
 * a connection of its own, which never creates the file and waits 2 s at
 * most for a writer (a scan never fails for want of keeping its state: the
 * next one judges more).  A store opened for writing (pelorus watch) writes
 * in a savepoint, so that a transaction under way takes the state with its
 * own writes and a failure undoes only the state.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "util/fail.h"

#define SCAN_TABLES                                                                                                    \
    "CREATE TABLE IF NOT EXISTS scan_state(key TEXT PRIMARY KEY, value BLOB NOT NULL);"                                \
    "CREATE TABLE IF NOT EXISTS scan_vessels(mmsi INTEGER PRIMARY KEY, value BLOB NOT NULL);"                          \
    "CREATE TABLE IF NOT EXISTS scan_chunks(mmsi INTEGER NOT NULL, part INTEGER NOT NULL, value BLOB NOT NULL, "       \
    "PRIMARY KEY (mmsi, part));"

pel_status sq_scan_head_get(pel_store *base, void **buf, size_t *len, pel_error *err) {
    sq_store *s = sq_of(base);
    *buf = NULL;
    *len = 0;
    sqlite3_stmt *q = NULL;
    /* no table: no state (never scanned, or by a version that kept none) */
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

/* ---- the vessels' rows -------------------------------------------------------------------------- */

typedef struct scan_rows {
    st_iter base;
    sq_store *s;
    sqlite3_stmt *q; /* NULL: no table, no rows */
} scan_rows;

static int rows_next(st_iter *base, void *row, pel_error *err) {
    scan_rows *it = (scan_rows *)base;
    if (!it->q)
        return 0;
    int rc = sqlite3_step(it->q);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return -(int)sq_error(it->s, err, "reading the scan state");
    st_scan_row *r = row;
    r->mmsi = (uint32_t)sqlite3_column_int64(it->q, 0);
    r->part = sqlite3_column_int64(it->q, 1);
    r->buf = sqlite3_column_blob(it->q, 2);
    r->len = (size_t)sqlite3_column_bytes(it->q, 2);
    return 1;
}

static void rows_free(st_iter *base) {
    scan_rows *it = (scan_rows *)base;
    sqlite3_finalize(it->q);
    free(it);
}

st_iter *sq_scan_rows(pel_store *base, bool chunks, pel_error *err) {
    scan_rows *it = calloc(1, sizeof *it);
    if (!it) {
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    it->base = (st_iter){.kind = ST_IT_SCAN_ROW, .next = rows_next, .free = rows_free};
    it->s = sq_of(base);
    const char *sql = chunks ? "SELECT mmsi, part, value FROM scan_chunks ORDER BY mmsi, part"
                             : "SELECT mmsi, 0, value FROM scan_vessels ORDER BY mmsi";
    if (sqlite3_prepare_v2(it->s->db, sql, -1, &it->q, NULL) != SQLITE_OK) {
        sqlite3_finalize(it->q); /* no table: no rows */
        it->q = NULL;
    }
    return &it->base;
}

/* ---- replacing the state ------------------------------------------------------------------------ */

struct st_scan_writer {
    struct st_scan_writer_head head;
    sq_store *s;
    sqlite3 *db; /* the store's, or a connection of its own */
    bool own;    /* db is its own: closed at the end */
    sqlite3_stmt *row;
    sqlite3_stmt *chunk, *drop, *drop_all; /* prepared when first needed */
};

/* The message of db's last error into err, as PEL_ERR_IO. */
static pel_status db_fail(sqlite3 *db, pel_error *err, const char *what) {
    return pel_fail(err, PEL_ERR_IO, "%s: %s", what, db ? sqlite3_errmsg(db) : "cannot open the database");
}

static void writer_free(st_scan_writer *w) {
    sqlite3_finalize(w->row);
    sqlite3_finalize(w->chunk);
    sqlite3_finalize(w->drop);
    sqlite3_finalize(w->drop_all);
    if (w->own)
        sqlite3_close(w->db);
    free(w);
}

st_scan_writer *sq_scan_write_begin(pel_store *base, bool fresh, pel_error *err) {
    sq_store *s = sq_of(base);
    st_scan_writer *w = calloc(1, sizeof *w);
    if (!w) {
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    w->head.ops = base->ops;
    w->s = s;
    w->db = s->db;
    if (base->readonly) {
        const char *path = sqlite3_db_filename(s->db, "main");
        if (s->immutable || !path || !*path) {
            pel_fail(err, PEL_ERR_IO, "the database is read-only here: no scan state kept");
            free(w);
            return NULL;
        }
        w->db = NULL;
        w->own = true;
        if (sqlite3_open_v2(path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
            db_fail(w->db, err, "keeping the scan state");
            writer_free(w);
            return NULL;
        }
        sqlite3_busy_timeout(w->db, 2000);
    }
    if (sqlite3_exec(w->db, "SAVEPOINT scan_state;" SCAN_TABLES "DELETE FROM scan_vessels;", NULL, NULL, NULL) !=
            SQLITE_OK ||
        (fresh && sqlite3_exec(w->db, "DELETE FROM scan_chunks", NULL, NULL, NULL) != SQLITE_OK) ||
        sqlite3_prepare_v2(w->db, "INSERT INTO scan_vessels VALUES (?, ?)", -1, &w->row, NULL) != SQLITE_OK) {
        db_fail(w->db, err, "keeping the scan state");
        if (!sqlite3_get_autocommit(w->db) || !w->own)
            sqlite3_exec(w->db, "ROLLBACK TO scan_state; RELEASE scan_state", NULL, NULL, NULL);
        writer_free(w);
        return NULL;
    }
    return w;
}

pel_status sq_scan_write_row(st_scan_writer *w, uint32_t mmsi, const void *buf, size_t len, pel_error *err) {
    sqlite3_bind_int64(w->row, 1, mmsi);
    sqlite3_bind_blob64(w->row, 2, buf, len, SQLITE_STATIC);
    int rc = sqlite3_step(w->row);
    sqlite3_reset(w->row);
    return rc == SQLITE_DONE ? PEL_OK : db_fail(w->db, err, "keeping the scan state");
}

/* One statement of the writer's, prepared the first time (*q). */
static sqlite3_stmt *writer_stmt(st_scan_writer *w, sqlite3_stmt **q, const char *sql) {
    if (!*q && sqlite3_prepare_v2(w->db, sql, -1, q, NULL) != SQLITE_OK) {
        sqlite3_finalize(*q);
        *q = NULL;
    }
    return *q;
}

pel_status sq_scan_write_chunk(st_scan_writer *w, uint32_t mmsi, int64_t part, const void *buf, size_t len,
                               pel_error *err) {
    sqlite3_stmt *q = buf ? writer_stmt(w, &w->chunk, "INSERT OR REPLACE INTO scan_chunks VALUES (?, ?, ?)")
                      : part == INT64_MIN
                          ? writer_stmt(w, &w->drop_all, "DELETE FROM scan_chunks WHERE mmsi = ?")
                          : writer_stmt(w, &w->drop, "DELETE FROM scan_chunks WHERE mmsi = ? AND part = ?");
    if (!q)
        return db_fail(w->db, err, "keeping the scan state");
    sqlite3_bind_int64(q, 1, mmsi);
    if (buf || part != INT64_MIN)
        sqlite3_bind_int64(q, 2, part);
    if (buf)
        sqlite3_bind_blob64(q, 3, buf, len, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? PEL_OK : db_fail(w->db, err, "keeping the scan state");
}

pel_status sq_scan_write_end(st_scan_writer *w, const void *head, size_t len, bool ok, pel_error *err) {
    pel_status st = PEL_OK;
    if (ok) {
        sqlite3_stmt *q = NULL;
        /* the chunks of vessels the state has no row for (gone from the
         * store since) go with them */
        if (sqlite3_exec(w->db, "DELETE FROM scan_chunks WHERE mmsi NOT IN (SELECT mmsi FROM scan_vessels)", NULL, NULL,
                         NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(w->db, "INSERT OR REPLACE INTO scan_state VALUES ('scan', ?)", -1, &q, NULL) !=
                SQLITE_OK)
            st = db_fail(w->db, err, "keeping the scan state");
        else {
            sqlite3_bind_blob64(q, 1, head, len, SQLITE_STATIC);
            if (sqlite3_step(q) != SQLITE_DONE)
                st = db_fail(w->db, err, "keeping the scan state");
        }
        sqlite3_finalize(q);
    }
    sqlite3_finalize(w->row);
    sqlite3_finalize(w->chunk);
    sqlite3_finalize(w->drop);
    sqlite3_finalize(w->drop_all);
    w->row = w->chunk = w->drop = w->drop_all = NULL;
    if (!ok || st != PEL_OK)
        sqlite3_exec(w->db, "ROLLBACK TO scan_state", NULL, NULL, NULL);
    if (sqlite3_exec(w->db, "RELEASE scan_state", NULL, NULL, NULL) != SQLITE_OK && st == PEL_OK && ok)
        st = db_fail(w->db, err, "keeping the scan state");
    /* a connection of its own: the state into the database file now, not
     * left in its -wal for the next writer (a copy of the file alone keeps
     * it; the readers' snapshots may hold part of it back, which is fine) */
    if (w->own && st == PEL_OK && ok)
        sqlite3_wal_checkpoint_v2(w->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    writer_free(w);
    return st;
}
