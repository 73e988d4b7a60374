/*
 * store.c -- the embedded database: opening it, its schema, its prepared
 * statements.  SQLite in WAL mode (a single file plus its -wal while
 * open).  The schema is documented in docs/schema.md; keep the two in step.
 *
 * Positions are kept in chunks (src/track/codec.c), one vessel's positions
 * a row, with an R*Tree over the chunks' boxes and time spans; identities
 * and voyage reports are plain rows.  Nothing here is SQLite-specific that
 * a server database could not do (the R*Tree would be a GiST index).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_internal.h"

#define SCHEMA_VERSION 3 /* meta.schema_version; docs/schema.md, "Versions" */
#define STR_(x) #x
#define STR(x) STR_(x)

/* In one transaction: a setup killed part way leaves no table at all. */
static const char schema[] =
    "BEGIN IMMEDIATE;"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS inputs("
    " id INTEGER PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,"
    " sha256 TEXT NOT NULL, format TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('partial','complete')),"
    " lines_done INTEGER NOT NULL DEFAULT 0, started TEXT NOT NULL, finished TEXT,"
    " lines INTEGER NOT NULL DEFAULT 0, positions INTEGER NOT NULL DEFAULT 0,"
    " statics INTEGER NOT NULL DEFAULT 0, ignored INTEGER NOT NULL DEFAULT 0,"
    " rejected INTEGER NOT NULL DEFAULT 0, rejects TEXT NOT NULL DEFAULT '{}',"
    " settings TEXT NOT NULL DEFAULT '', assumed INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS inputs_by_hash ON inputs(sha256);"
    "CREATE TABLE IF NOT EXISTS sources(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS chunks("
    " id INTEGER PRIMARY KEY, mmsi INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL,"
    " n INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS staging("
    " id INTEGER PRIMARY KEY, mmsi INTEGER NOT NULL, gen INTEGER NOT NULL, data BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS staging_by_vessel ON staging(mmsi, gen);"
    "CREATE INDEX IF NOT EXISTS chunks_by_vessel ON chunks(mmsi, t0);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS chunk_box USING rtree_i32(id, lat0, lat1, lon0, lon1, m0, m1);"
    "CREATE TABLE IF NOT EXISTS vessels("
    " mmsi INTEGER PRIMARY KEY, dirty INTEGER NOT NULL DEFAULT 1, built_gen INTEGER NOT NULL DEFAULT 0,"
    " first_ms INTEGER, last_ms INTEGER,"
    " positions INTEGER NOT NULL DEFAULT 0, flagged INTEGER NOT NULL DEFAULT 0,"
    " segments INTEGER NOT NULL DEFAULT 0, distance_m REAL NOT NULL DEFAULT 0,"
    " duplicates INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS vessels_dirty ON vessels(dirty) WHERE dirty = 1;"
    "CREATE TABLE IF NOT EXISTS segments("
    " mmsi INTEGER NOT NULL, seg INTEGER NOT NULL, t0 INTEGER NOT NULL, t1 INTEGER NOT NULL,"
    " n INTEGER NOT NULL, distance_m REAL NOT NULL, lat0 INTEGER NOT NULL, lon0 INTEGER NOT NULL,"
    " lat1 INTEGER NOT NULL, lon1 INTEGER NOT NULL, parallel INTEGER NOT NULL,"
    " PRIMARY KEY (mmsi, seg)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS identities("
    " mmsi INTEGER NOT NULL, name TEXT NOT NULL, imo INTEGER NOT NULL, callsign TEXT NOT NULL,"
    " shiptype INTEGER NOT NULL, to_bow INTEGER NOT NULL, to_stern INTEGER NOT NULL,"
    " to_port INTEGER NOT NULL, to_starboard INTEGER NOT NULL, nname TEXT NOT NULL,"
    " first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, reports INTEGER NOT NULL,"
    " first_input INTEGER NOT NULL, first_line INTEGER NOT NULL, clocks INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (mmsi, name, imo, callsign, shiptype, to_bow, to_stern, to_port, to_starboard))"
    " WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS identities_by_imo ON identities(imo) WHERE imo > 0;"
    "CREATE INDEX IF NOT EXISTS identities_by_name ON identities(nname) WHERE nname <> '';"
    "CREATE TABLE IF NOT EXISTS voyages("
    " mmsi INTEGER NOT NULL, destination TEXT NOT NULL, draught_dm INTEGER NOT NULL, eta TEXT NOT NULL,"
    " first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL, reports INTEGER NOT NULL,"
    " first_input INTEGER NOT NULL, first_line INTEGER NOT NULL, clocks INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (mmsi, destination, draught_dm, eta)) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO meta VALUES ('schema_version', '" STR(SCHEMA_VERSION) "');"
    "INSERT OR IGNORE INTO meta VALUES ('generation', '0');"
    "COMMIT;";

// clang-format off
static const char *const sql[ST__COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    /* an input is known by its content, format and settings (ingest.c); one whose
     * every line was rejected, storing nothing, does not count */
    [ST_INPUT_FIND_DONE] = "SELECT id, path FROM inputs WHERE sha256 = ?1 AND format = ?2 AND settings IN (?3, ?4)"
                           " AND status = 'complete' AND (positions > 0 OR statics > 0 OR rejected = 0)"
                           " ORDER BY id LIMIT 1",
    [ST_INPUT_FIND_PARTIAL] = "SELECT id, lines_done, lines, positions, statics, ignored, rejected, rejects, assumed"
                              " FROM inputs WHERE sha256 = ?1 AND format = ?2 AND settings = ?3 AND status = 'partial'"
                              " ORDER BY id LIMIT 1",
    [ST_INPUT_NEW] = "INSERT INTO inputs(path, size, mtime, sha256, format, status, started, settings)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, 'partial', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?6)",
    [ST_INPUT_PROGRESS] = "UPDATE inputs SET lines_done = ?2, lines = ?3, positions = ?4, statics = ?5, ignored = ?6,"
                          " rejected = ?7, rejects = ?8, assumed = ?9 WHERE id = ?1",
    [ST_INPUT_DONE] = "UPDATE inputs SET status = 'complete', settings = ?2,"
                      " finished = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
    [ST_INPUT_OTHER_PARTIAL] = "SELECT format, settings FROM inputs WHERE sha256 = ?1 AND status = 'partial'"
                               " ORDER BY id LIMIT 1",
    [ST_SOURCE_FIND] = "SELECT id FROM sources WHERE name = ?1",
    [ST_SOURCE_NEW] = "INSERT INTO sources(name) VALUES (?1)",
    [ST_CHUNK_RAW] = "INSERT INTO staging(mmsi, gen, data) VALUES (?1, ?2, ?3)",
    [ST_VESSEL_DIRTY] = "INSERT INTO vessels(mmsi, dirty) VALUES (?1, 1) ON CONFLICT(mmsi) DO UPDATE SET dirty = 1",
    [ST_IDENTITY] = "INSERT INTO identities VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                    " ?16) ON CONFLICT DO UPDATE SET clocks = clocks | excluded.clocks,"
                    " first_input = CASE WHEN excluded.first_ms < first_ms THEN excluded.first_input ELSE first_input END,"
                    " first_line = CASE WHEN excluded.first_ms < first_ms THEN excluded.first_line ELSE first_line END,"
                    " first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms),"
                    " reports = reports + excluded.reports",
    [ST_VOYAGE] = "INSERT INTO voyages VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                  " ON CONFLICT DO UPDATE SET clocks = clocks | excluded.clocks,"
                  " first_input = CASE WHEN excluded.first_ms < first_ms THEN excluded.first_input ELSE first_input END,"
                  " first_line = CASE WHEN excluded.first_ms < first_ms THEN excluded.first_line ELSE first_line END,"
                  " first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms),"
                  " reports = reports + excluded.reports",
    [ST_DIRTY_LIST] = "SELECT mmsi, built_gen FROM vessels WHERE dirty = 1 AND mmsi > ?1 ORDER BY mmsi LIMIT 1000",
    [ST_CHUNKS_OF] = "SELECT data FROM chunks WHERE mmsi = ?1 UNION ALL"
                     " SELECT data FROM staging WHERE mmsi = ?1 AND gen > ?2",
    [ST_BOX_DEL] = "DELETE FROM chunk_box WHERE id IN (SELECT id FROM chunks WHERE mmsi = ?1)",
    [ST_CHUNK_DEL] = "DELETE FROM chunks WHERE mmsi = ?1",
    [ST_CHUNK_BUILT] = "INSERT INTO chunks(mmsi, t0, t1, n, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_BOX_ADD] = "INSERT INTO chunk_box VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_SEG_DEL] = "DELETE FROM segments WHERE mmsi = ?1",
    [ST_SEG_ADD] = "INSERT INTO segments VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_VESSEL_DONE] = "UPDATE vessels SET dirty = 0, first_ms = ?2, last_ms = ?3, positions = ?4, flagged = ?5,"
                       " segments = ?6, distance_m = ?7, duplicates = duplicates + ?8, built_gen = ?9 WHERE mmsi = ?1",
    [ST_GEN_NEXT] = "UPDATE meta SET value = value + 1 WHERE key = 'generation' RETURNING value",
    [ST_STAGING_CLEAR] = "DELETE FROM staging",
    [ST_VACUUM] = "PRAGMA incremental_vacuum",
};
// clang-format on

pel_status st_error(pel_store *s, pel_error *err, const char *what) {
    if (err) {
        /* a failure SQLite did not see itself (a corrupt chunk found by the
         * codec) has no SQLite message: its errmsg would be "not an error" */
        int ec = s && s->db ? sqlite3_errcode(s->db) : SQLITE_ERROR;
        err->code = PEL_ERR_IO;
        if (ec == SQLITE_OK || ec == SQLITE_ROW || ec == SQLITE_DONE)
            snprintf(err->msg, sizeof err->msg, "%s", what);
        else
            snprintf(err->msg, sizeof err->msg, "%s: %s", what, s && s->db ? sqlite3_errmsg(s->db) : "no database");
    }
    return PEL_ERR_IO;
}

pel_status st_exec(pel_store *s, const char *q, pel_error *err) {
    char *msg = NULL;
    if (sqlite3_exec(s->db, q, NULL, NULL, &msg) != SQLITE_OK) {
        if (err) {
            err->code = PEL_ERR_IO;
            snprintf(err->msg, sizeof err->msg, "database: %s", msg ? msg : "error");
        }
        sqlite3_free(msg);
        return PEL_ERR_IO;
    }
    return PEL_OK;
}

sqlite3_stmt *st_get(pel_store *s, int i) {
    sqlite3_stmt *q = s->st[i];
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return q;
}

pel_status st_done(pel_store *s, sqlite3_stmt *q, pel_error *err, const char *what) {
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return st_error(s, err, what);
    return PEL_OK;
}

/* ---- opening ------------------------------------------------------------------ */

/* migrations[v] brings a database of schema version v to v + 1, in the
 * transaction that also records the new version.  Version 1 is the first
 * Pelorus wrote (docs/schema.md, "Versions").  A version with no migration
 * is refused. */
static const char *const migrations[SCHEMA_VERSION] = {
    [1] = /* 1 -> 2: what an input was read with (format settings, column map, time
             format, --assume-time) and how many of its records took the assumed time */
        "ALTER TABLE inputs ADD COLUMN settings TEXT NOT NULL DEFAULT '';"
        "ALTER TABLE inputs ADD COLUMN assumed INTEGER NOT NULL DEFAULT 0;",
    [2] = /* 2 -> 3: the clocks the times of identity and voyage reports came from
             (1 << pel_clock, or-ed; 0 = not known, as for rows stored before) */
        "ALTER TABLE identities ADD COLUMN clocks INTEGER NOT NULL DEFAULT 0;"
        "ALTER TABLE voyages ADD COLUMN clocks INTEGER NOT NULL DEFAULT 0;",
};

static pel_store *open_fail(pel_store *s, pel_error *err, pel_status code, const char *fmt, ...) {
    if (err) {
        err->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    pel_store_close(s);
    return NULL;
}

/* True when rc (an extended result code) says the file or its directory
 * cannot be written: the WAL index (-shm) or journal cannot be created. */
static bool is_readonly_place(int rc) {
    return (rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN;
}

/* The directory of path (".", when it has none), into dir. */
static void dir_of(const char *path, char *dir, size_t cap) {
    snprintf(dir, cap, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = 0;
    else if (slash)
        *slash = 0;
    else
        snprintf(dir, cap, ".");
}

/* The size of path's -wal file; 0 when there is none. */
static long long wal_size(const char *path) {
    char w[4096];
    struct stat st;
    snprintf(w, sizeof w, "%s-wal", path);
    return stat(w, &st) == 0 ? (long long)st.st_size : 0;
}

enum { DB_EMPTY, DB_PELORUS, DB_FAILED };

/* True when s->db holds Pelorus's tables and nothing else, with meta still
 * empty: the setup of a new database killed part way by a binary that did
 * not make it in one transaction (schema_version was its last row but
 * one).  Such a database holds no data: it is set up again. */
static bool interrupted_setup(pel_store *s) {
    sqlite3_stmt *q;
    bool yes = false;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM meta) = 0 AND NOT EXISTS (SELECT 1 FROM sqlite_master"
                           " WHERE type = 'table' AND name NOT IN ('meta', 'inputs', 'sources', 'chunks', 'staging',"
                           " 'chunk_box', 'chunk_box_node', 'chunk_box_rowid', 'chunk_box_parent', 'vessels',"
                           " 'segments', 'identities', 'voyages'))",
                           -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        yes = sqlite3_column_int(q, 0) == 1;
    sqlite3_finalize(q);
    return yes;
}

/* Reads what kind of database s->db is, writing nothing: DB_EMPTY (no
 * tables: a new or zero-length file), DB_PELORUS with *version, or
 * DB_FAILED with *rc the SQLite result and err filled (a file that is not
 * SQLite, an SQLite database that is not Pelorus's, a version that is not
 * a whole number). */
static int identify(pel_store *s, const char *path, long long *version, int *rc, pel_error *err) {
    sqlite3_stmt *q = NULL;
    *rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL);
    if (*rc == SQLITE_OK)
        *rc = sqlite3_step(q);
    long long tables = *rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_finalize(q);
    if (tables < 0) {
        *rc = sqlite3_extended_errcode(s->db);
        if (err) {
            err->code = (*rc & 0xff) == SQLITE_NOTADB ? PEL_ERR_FORMAT : PEL_ERR_IO;
            if ((*rc & 0xff) == SQLITE_NOTADB)
                snprintf(err->msg, sizeof err->msg, "%s: not a Pelorus database (not an SQLite database at all); left untouched",
                         path);
            else
                snprintf(err->msg, sizeof err->msg, "%s: cannot read it (%s)", path, sqlite3_errmsg(s->db));
        }
        return DB_FAILED;
    }
    *rc = SQLITE_OK;
    if (tables == 0)
        return DB_EMPTY;
    const char *why = NULL;
    char v[64] = "";
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &q, NULL) != SQLITE_OK)
        why = "an SQLite database without Pelorus's meta table";
    else if (sqlite3_step(q) != SQLITE_ROW)
        why = "its meta table has no schema_version";
    else
        snprintf(v, sizeof v, "%s", sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0) : "");
    sqlite3_finalize(q);
    if (why && why[0] == 'i' && interrupted_setup(s))
        return DB_EMPTY;
    char *end;
    errno = 0;
    *version = why ? 0 : strtoll(v, &end, 10);
    if (!why && (!v[0] || *end || errno || *version < 0))
        why = "its schema_version is not a whole number";
    if (why) {
        if (err) {
            err->code = PEL_ERR_FORMAT;
            snprintf(err->msg, sizeof err->msg, "%s: not a Pelorus database (%s); left untouched", path, why);
        }
        *rc = SQLITE_ERROR;
        return DB_FAILED;
    }
    return DB_PELORUS;
}

/* Opens path read-only and immutable (no locks, no WAL index: nothing is
 * created beside it), for a database in a read-only place (docs/schema.md,
 * "Read-only places"). */
static int open_immutable(pel_store *s, const char *path) {
    char uri[4096 * 3 + 32];
    size_t n = (size_t)snprintf(uri, sizeof uri, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p && n + 4 < sizeof uri; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/._~-", *p))
            uri[n++] = (char)*p;
        else
            n += (size_t)snprintf(uri + n, sizeof uri - n, "%%%02X", *p);
    }
    snprintf(uri + n, sizeof uri - n, "?immutable=1");
    sqlite3_close(s->db);
    s->db = NULL;
    return sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
}

pel_store *pel_store_open(const char *path, bool readonly, pel_error *err) {
    pel_store *s = calloc(1, sizeof *s);
    if (!s)
        return open_fail(NULL, err, PEL_ERR_NOMEM, "out of memory");
    s->readonly = readonly;
    struct stat sb;
    bool exists = stat(path, &sb) == 0;
    if (exists && S_ISDIR(sb.st_mode))
        return open_fail(s, err, PEL_ERR_IO, "%s: a directory, not a database", path);
    if (readonly && !exists)
        return open_fail(s, err, PEL_ERR_IO, "%s: no such database (pelorus ingest or scan INPUT... creates it)", path);
    /* an existing file is opened without SQLITE_OPEN_CREATE and identified
     * before anything is written to it: a file that is not a Pelorus
     * database, or of another schema version, is left exactly as it was */
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        return open_fail(s, err, PEL_ERR_IO, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);
    long long version = 0;
    int rc = SQLITE_OK;
    int kind = exists ? identify(s, path, &version, &rc, err) : DB_EMPTY;
    bool ro_place = kind == DB_FAILED && is_readonly_place(rc);
    if (ro_place && readonly) {
        /* a WAL database in a read-only directory or on read-only media: its
         * -shm cannot be created.  Read the file as it is, immutable, but only
         * when no -wal holds changes the file does not (immutable would not
         * see them) */
        if (wal_size(path) > 0)
            return open_fail(s, err, PEL_ERR_IO,
                             "%s: cannot be read here: %s-wal holds committed changes, and reading them needs %s-shm, "
                             "which cannot be created (read-only place); copy the three files somewhere writable",
                             path, path, path);
        if (open_immutable(s, path) != SQLITE_OK)
            return open_fail(s, err, PEL_ERR_IO, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        s->immutable = true;
        sqlite3_extended_result_codes(s->db, 1);
        kind = identify(s, path, &version, &rc, err);
        ro_place = false;
    }
    if (kind == DB_FAILED && !ro_place) { /* err says why */
        pel_store_close(s);
        return NULL;
    }
    if (kind == DB_EMPTY && readonly)
        return open_fail(s, err, PEL_ERR_FORMAT,
                         "%s: not a Pelorus database yet (empty, or its setup was interrupted): pelorus ingest or "
                         "scan INPUT... sets it up", path);
    if (kind == DB_PELORUS && version > SCHEMA_VERSION)
        return open_fail(s, err, PEL_ERR_FORMAT,
                         "%s: schema version %lld, newer than this Pelorus reads (%d): use a newer pelorus; left "
                         "untouched",
                         path, version, SCHEMA_VERSION);
    if (kind == DB_PELORUS && version < SCHEMA_VERSION) {
        for (long long v = version; v < SCHEMA_VERSION; v++)
            if (v < 1 || !migrations[v])
                return open_fail(s, err, PEL_ERR_FORMAT,
                                 "%s: schema version %lld, older than this Pelorus reads (%d), and there is no "
                                 "migration from it; left untouched",
                                 path, version, SCHEMA_VERSION);
        if (readonly)
            return open_fail(s, err, PEL_ERR_FORMAT,
                             "%s: schema version %lld, older than this Pelorus reads (%d): open it for writing once "
                             "(pelorus ingest) to migrate it",
                             path, version, SCHEMA_VERSION);
    }
    /* readers (scan, report) go through every chunk: a 64 MiB page cache and
     * memory-mapped reads spare a copy per page (failures only cost speed) */
    sqlite3_exec(s->db, "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;", NULL, NULL, NULL);
    if (readonly)
        return s;
    /* writing: WAL, the schema (new databases) or the migrations */
    pel_error e = {0};
    pel_status st = ro_place ? PEL_ERR_IO : PEL_OK; /* not even readable here: reported as read-only below */
    if (st == PEL_OK)
        st = st_exec(s,
                     "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA "
                     "cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=16384;",
                     &e);
    if (st == PEL_OK && kind == DB_PELORUS && version < SCHEMA_VERSION) {
        st = st_exec(s, "BEGIN IMMEDIATE", &e);
        for (long long v = version; st == PEL_OK && v < SCHEMA_VERSION; v++)
            st = st_exec(s, migrations[v], &e);
        char up[128];
        snprintf(up, sizeof up, "UPDATE meta SET value = '%d' WHERE key = 'schema_version'; COMMIT", SCHEMA_VERSION);
        if (st == PEL_OK)
            st = st_exec(s, up, &e);
        if (st != PEL_OK)
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (st == PEL_OK && (st = st_exec(s, schema, &e)) != PEL_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (st != PEL_OK) {
        if (err) {
            /* say why in terms a user can act on */
            char dir[4096];
            dir_of(path, dir, sizeof dir);
            bool ro = is_readonly_place(sqlite3_extended_errcode(s->db)) || is_readonly_place(rc) ||
                      (access(path, F_OK) == 0 ? access(path, W_OK) != 0 || access(dir, W_OK) != 0
                                               : access(dir, W_OK) != 0);
            *err = e;
            if (ro)
                snprintf(err->msg, sizeof err->msg,
                         "%s: the database is read-only (the file or its directory cannot be written; SQLite "
                         "also needs to create %s-wal and -shm beside it)",
                         path, path);
            else
                snprintf(err->msg, sizeof err->msg, "%s: cannot set up the database (%.200s)", path,
                         e.msg[0] ? e.msg : sqlite3_errmsg(s->db));
            err->code = PEL_ERR_IO;
        }
        pel_store_close(s);
        return NULL;
    }
    for (int i = 0; i < ST__COUNT; i++)
        if (sqlite3_prepare_v3(s->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
            st_error(s, err, "preparing statements");
            pel_store_close(s);
            return NULL;
        }
    return s;
}

void st_norm_name(const char *s, char *out, size_t cap) { pel_text_key(s, out, cap); }

void pel_store_close(pel_store *s) {
    if (!s)
        return;
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    free(s);
}
