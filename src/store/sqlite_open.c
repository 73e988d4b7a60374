/*
 * sqlite_open.c -- the SQLite backend (docs/schema.md): opening a database,
 * its schema and migrations, every statement the backend prepares, its
 * transactions, generations and the writer's lock, and its table of
 * functions (st_ops).  SQLite in WAL mode (a single file plus its -wal
 * while open).  The schema is documented in docs/schema.md; keep the two in
 * step.
 *
 * Positions are kept in chunks (src/track/codec.c), one vessel's positions
 * a row, with an R*Tree over the chunks' boxes and time spans; identities
 * and voyage reports are plain rows.  Nothing here is SQLite-specific that
 * a server database could not do (the R*Tree would be a GiST index).
 *
 * The writer's lock: an exclusive flock(2) on a file beside the database
 * (pelorus.db-lock), held by an ingest from before it looks at its inputs
 * until its tracks are built and the staging emptied.  Batches must commit
 * (for crash safety and resuming), and an SQLite write transaction cannot
 * outlive a commit, so SQLite's own lock cannot cover a whole ingest; the
 * file lock can, and the kernel releases it when the holder dies, even by
 * SIGKILL.  Readers take no lock: WAL gives them the last committed state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sqlite_internal.h"
#include "track/trk.h"
#include "util/fail.h"

#define SCHEMA_VERSION 5 /* meta.schema_version; docs/schema.md, "Versions" */
#define STR_(x) #x
#define STR(x) STR_(x)

/* The coverage map (docs/schema.md, docs/coverage.md): what was heard per
 * cell, station (0: all) and hour; seen is the 64-bit set of the vessels'
 * hash bits (st_cov_bit). */
#define COVERAGE_TABLES                                                                                                \
    "CREATE TABLE IF NOT EXISTS coverage("                                                                             \
    " cell INTEGER NOT NULL, station INTEGER NOT NULL, hour INTEGER NOT NULL, positions INTEGER NOT NULL,"             \
    " seen INTEGER NOT NULL, slots INTEGER NOT NULL, PRIMARY KEY (cell, station, hour)) WITHOUT ROWID;"

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
    " PRIMARY KEY (mmsi, destination, draught_dm, eta)) WITHOUT ROWID;" COVERAGE_TABLES
    "INSERT OR IGNORE INTO meta VALUES ('schema_version', '" STR(
        SCHEMA_VERSION) "');"
                        "INSERT OR IGNORE INTO meta VALUES ('generation', '0');"
                        "COMMIT;";

// clang-format off
const char *const sq_sql[SQ__COUNT] = {
    /* ---- prepared when a writing store opens: ingest and the track build */
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    /* an input is known by its content, format and settings (ingest.c); one whose
     * every line was rejected, storing nothing, does not count */
    [SQ_INPUT_FIND_DONE] = "SELECT id, path FROM inputs WHERE sha256 = ?1 AND format = ?2 AND settings IN (?3, ?4)"
                           " AND status = 'complete' AND (positions > 0 OR statics > 0 OR rejected = 0)"
                           " ORDER BY id LIMIT 1",
    [SQ_INPUT_FIND_PARTIAL] = "SELECT id, lines_done, lines, positions, statics, ignored, rejected, rejects, assumed"
                              " FROM inputs WHERE sha256 = ?1 AND format = ?2 AND settings = ?3 AND status = 'partial'"
                              " ORDER BY id LIMIT 1",
    [SQ_INPUT_NEW] = "INSERT INTO inputs(path, size, mtime, sha256, format, status, started, settings)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, 'partial', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?6)",
    [SQ_INPUT_PROGRESS] = "UPDATE inputs SET lines_done = ?2, lines = ?3, positions = ?4, statics = ?5, ignored = ?6,"
                          " rejected = ?7, rejects = ?8, assumed = ?9 WHERE id = ?1",
    [SQ_INPUT_DONE] = "UPDATE inputs SET status = 'complete', settings = ?2,"
                      " finished = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ?1",
    [SQ_INPUT_OTHER_PARTIAL] = "SELECT format, settings FROM inputs WHERE sha256 = ?1 AND status = 'partial'"
                               " ORDER BY id LIMIT 1",
    [SQ_SOURCE_FIND] = "SELECT id FROM sources WHERE name = ?1",
    [SQ_SOURCE_NEW] = "INSERT INTO sources(name) VALUES (?1)",
    [SQ_CHUNK_RAW] = "INSERT INTO staging(mmsi, gen, data) VALUES (?1, ?2, ?3)",
    [SQ_VESSEL_DIRTY] = "INSERT INTO vessels(mmsi, dirty) VALUES (?1, 1) ON CONFLICT(mmsi) DO UPDATE SET dirty = 1",
    [SQ_IDENTITY] = "INSERT INTO identities VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                    " ?16) ON CONFLICT DO UPDATE SET clocks = clocks | excluded.clocks,"
                    " first_input = CASE WHEN excluded.first_ms < first_ms THEN excluded.first_input ELSE first_input END,"
                    " first_line = CASE WHEN excluded.first_ms < first_ms THEN excluded.first_line ELSE first_line END,"
                    " first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms),"
                    " reports = reports + excluded.reports",
    [SQ_VOYAGE] = "INSERT INTO voyages VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                  " ON CONFLICT DO UPDATE SET clocks = clocks | excluded.clocks,"
                  " first_input = CASE WHEN excluded.first_ms < first_ms THEN excluded.first_input ELSE first_input END,"
                  " first_line = CASE WHEN excluded.first_ms < first_ms THEN excluded.first_line ELSE first_line END,"
                  " first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms),"
                  " reports = reports + excluded.reports",
    [SQ_DIRTY_LIST] = "SELECT mmsi, built_gen FROM vessels WHERE dirty = 1 AND mmsi > ?1 ORDER BY mmsi LIMIT 1000",
    [SQ_CHUNK_BUILT] = "INSERT INTO chunks(mmsi, t0, t1, n, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQ_BOX_ADD] = "INSERT INTO chunk_box VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [SQ_SEG_DEL] = "DELETE FROM segments WHERE mmsi = ?1",
    [SQ_SEG_ADD] = "INSERT INTO segments VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [SQ_VESSEL_DONE] = "UPDATE vessels SET dirty = 0, first_ms = ?2, last_ms = ?3, positions = ?4, flagged = ?5,"
                       " segments = ?6, distance_m = ?7, duplicates = duplicates + ?8, built_gen = ?9 WHERE mmsi = ?1",
    [SQ_GEN_NEXT] = "UPDATE meta SET value = value + 1 WHERE key = 'generation' RETURNING value",
    [SQ_STAGING_CLEAR] = "DELETE FROM staging",
    [SQ_VACUUM] = "PRAGMA incremental_vacuum",

    /* ---- prepared at their first use */
    [SQ_VESSEL_DUPS] = "UPDATE vessels SET duplicates = duplicates + ?2 WHERE mmsi = ?1",
    /* the track build's rows (build.c) */
    [SQ_CHUNK_IDS] = "SELECT id, 0 FROM chunks WHERE mmsi = ?1 ORDER BY id",
    [SQ_CHUNK_GET] = "SELECT data FROM chunks WHERE id = ?1",
    [SQ_CHUNK_DROP] = "DELETE FROM chunks WHERE id = ?1",
    [SQ_BOX_DROP] = "DELETE FROM chunk_box WHERE id = ?1",
    [SQ_CHUNK_SET] = "UPDATE chunks SET data = ?2 WHERE id = ?1",
    [SQ_STAGE_IDS] = "SELECT id, gen FROM staging WHERE mmsi = ?1 AND gen > ?2 ORDER BY id",
    [SQ_STAGE_GET] = "SELECT data FROM staging WHERE id = ?1",
    [SQ_SEG_LIST] = "SELECT mmsi, seg, t0, t1, n, distance_m, lat0, lon0, lat1, lon1, parallel FROM segments"
                    " WHERE mmsi = ?1 AND seg > ?2 ORDER BY seg LIMIT ?3",
    [SQ_SEG_PARALLEL] = "UPDATE segments SET parallel = 1 WHERE mmsi = ?1 AND seg = ?2",
    /* reading */
    [SQ_INPUT_PATHS] = "SELECT id, path FROM inputs ORDER BY id",
    [SQ_VESSEL_GET] = "SELECT first_ms, last_ms, positions, flagged, segments, distance_m, duplicates, dirty"
                      " FROM vessels WHERE mmsi = ?1",
    [SQ_SPAN] = "SELECT min(first_ms), max(last_ms) FROM vessels WHERE positions > 0",
    /* identities: the columns of every kind alike (sqlite_read.c, ident_next), the
     * order total (the key, after first_ms) */
    [SQ_IDENT_OF] = "SELECT mmsi, name, imo, callsign, shiptype, to_bow, to_stern, to_port, to_starboard, first_ms,"
                    " last_ms, reports, first_input, first_line, clocks, i.path FROM identities"
                    " LEFT JOIN inputs i ON i.id = first_input WHERE mmsi = ?1"
                    " ORDER BY first_ms, name, imo, callsign, shiptype, to_bow, to_stern, to_port, to_starboard",
    [SQ_IDENT_ALL] = "SELECT mmsi, name, imo, callsign, shiptype, to_bow, to_stern, to_port, to_starboard, first_ms,"
                     " last_ms, reports, first_input, first_line, clocks, NULL FROM identities"
                     " ORDER BY mmsi, first_ms, name, imo, callsign, shiptype, to_bow, to_stern, to_port, to_starboard",
    /* every vessel with positions or identities: a vessel without one is screened
     * on its MMSI alone */
    [SQ_IDENT_ALL_BARE] = "SELECT mmsi, name, imo, callsign, shiptype, to_bow, to_stern, to_port, to_starboard,"
                          " first_ms, last_ms, reports, first_input, first_line, clocks, 0 FROM identities"
                          " UNION ALL SELECT mmsi, NULL, 0, '', -1, -1, -1, -1, -1, first_ms, last_ms, 0, 0, 0, 0, 1"
                          " FROM vessels WHERE mmsi NOT IN (SELECT mmsi FROM identities)"
                          " ORDER BY 1, 10, 2, 3, 4, 5, 6, 7, 8, 9",
    [SQ_NAMES_OF] = "SELECT DISTINCT name FROM identities WHERE mmsi = ?1 AND name <> ''",
    /* one IMO under several MMSIs: valid-looking numbers only (the "not available"
     * values and junk are shared by thousands of transponders and identify nobody) */
    [SQ_IMO_SHARED] = "SELECT a.imo, a.mmsi, b.mmsi, min(a.first_ms), max(a.last_ms), min(b.first_ms),"
                      " max(b.last_ms), min(a.first_input), min(a.first_line), min(b.first_input),"
                      " min(b.first_line),"
                      /* the OR of both sides' clocks, bit by bit (SQLite has no bit_or) */
                      " max(a.clocks & 2) | max(a.clocks & 4) | max(a.clocks & 8) | max(a.clocks & 16) |"
                      " max(a.clocks & 32) | max(a.clocks & 64) | max(b.clocks & 2) | max(b.clocks & 4) |"
                      " max(b.clocks & 8) | max(b.clocks & 16) | max(b.clocks & 32) | max(b.clocks & 64)"
                      " FROM identities a JOIN identities b ON a.imo = b.imo AND a.mmsi < b.mmsi"
                      " WHERE a.imo > 0 AND b.imo > 0 AND a.imo BETWEEN 1000000 AND 9999999" /* > 0: the partial index */
                      " GROUP BY a.imo, a.mmsi, b.mmsi"
                      " ORDER BY a.imo, a.mmsi, b.mmsi",
    [SQ_VOYAGES_OF] = "SELECT mmsi, destination, draught_dm, eta, first_ms, last_ms, reports, first_input, first_line,"
                      " clocks FROM voyages WHERE mmsi = ?1 ORDER BY first_ms, destination, draught_dm, eta",
    [SQ_DRAUGHT_BEFORE] = "SELECT draught_dm FROM voyages WHERE mmsi = ?1 AND first_ms <= ?2 AND draught_dm >= 0"
                          " ORDER BY last_ms DESC, first_ms DESC LIMIT 1",
    [SQ_DRAUGHT_AFTER] = "SELECT draught_dm FROM voyages WHERE mmsi = ?1 AND last_ms >= ?2 AND draught_dm >= 0"
                         " ORDER BY first_ms, last_ms LIMIT 1",
    /* the latest value of each field (ties: the smallest) */
    [SQ_LATEST_NAME] = "SELECT name FROM identities WHERE mmsi = ?1 AND name <> '' ORDER BY last_ms DESC, name LIMIT 1",
    [SQ_LATEST_IMO] = "SELECT imo FROM identities WHERE mmsi = ?1 AND imo > 0 ORDER BY last_ms DESC, imo LIMIT 1",
    [SQ_LATEST_CALLSIGN] = "SELECT callsign FROM identities WHERE mmsi = ?1 AND callsign <> ''"
                           " ORDER BY last_ms DESC, callsign LIMIT 1",
    [SQ_LATEST_TYPE] = "SELECT shiptype FROM identities WHERE mmsi = ?1 AND shiptype >= 0"
                       " ORDER BY last_ms DESC, shiptype LIMIT 1",
    [SQ_LATEST_DEST] = "SELECT destination FROM voyages WHERE mmsi = ?1 AND destination <> ''"
                       " ORDER BY last_ms DESC, destination LIMIT 1",
    /* positions: one vessel's chunks; those whose box and minutes meet a box and
     * period (the R*Tree); those whose time span meets a period */
    [SQ_CHUNKS_VESSEL] = "SELECT mmsi, data FROM chunks WHERE mmsi = ?1 ORDER BY t0, id",
    [SQ_CHUNKS_BOX] = "SELECT c.mmsi, c.data FROM chunk_box b JOIN chunks c ON c.id = b.id"
                      " WHERE b.lat1 >= ?1 AND b.lat0 <= ?2 AND b.lon1 >= ?3 AND b.lon0 <= ?4"
                      " AND b.m1 >= ?5 AND b.m0 <= ?6 ORDER BY c.mmsi, c.t0, c.id",
    [SQ_CHUNKS_TIME] = "SELECT mmsi, data FROM chunks WHERE t1 >= ?1 AND t0 <= ?2 ORDER BY mmsi, t0, id",
    [SQ_CHUNK_BEFORE] = "SELECT mmsi, data FROM chunks WHERE mmsi = ?1 AND t0 < ?2 ORDER BY t0 DESC, id DESC LIMIT 1",
    /* the coverage map: receptions add up, the vessels' bits and the slots or together */
    
    [SQ_COV_ADD] = "INSERT INTO coverage VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO UPDATE SET"
                   " positions = positions + excluded.positions, seen = seen | excluded.seen,"
                   " slots = slots | excluded.slots",
    /* station by station (0, then each source's), so that the primary
     * key seeks each one's hours rather than reading the cell's whole
     * history */
    [SQ_COV_CELL] = "SELECT cell, station, hour, positions, seen, slots FROM coverage"
                    " WHERE cell = ?1 AND station = 0 AND hour BETWEEN ?2 AND ?3"
                    " UNION ALL SELECT c.cell, c.station, c.hour, c.positions, c.seen, c.slots"
                    " FROM sources s CROSS JOIN coverage c ON c.cell = ?1 AND c.station = s.id AND c.hour BETWEEN ?2 AND ?3"
                    " ORDER BY 2, 3",
    [SQ_COV_ROWS] = "SELECT cell, station, hour, positions, seen, slots FROM coverage"
                    " WHERE station = ?1 AND hour BETWEEN ?2 AND ?3 ORDER BY cell, station, hour",
    [SQ_COV_STATIONS] = "SELECT cell, station, hour, positions, seen, slots FROM coverage"
                        " WHERE station > 0 AND hour BETWEEN ?2 AND ?3 ORDER BY cell, station, hour",
    [SQ_COV_STORED] = "SELECT cell, station, hour, positions, seen, slots FROM coverage"
                      " WHERE hour BETWEEN ?2 AND ?3 ORDER BY cell, station, hour",
    [SQ_COV_EVERY] = "SELECT cell, station, hour, positions, seen, slots FROM coverage"
                     " WHERE hour BETWEEN ?2 AND ?3 ORDER BY cell, hour",
    
    [SQ_SOURCES] = "SELECT id, name FROM sources ORDER BY id",
};
// clang-format on

/* ---- statements, errors, cursors ---------------------------------------------------- */

pel_status sq_error(sq_store *s, pel_error *err, const char *what) {
    /* a failure SQLite did not see itself (a corrupt chunk found by the
     * codec) has no SQLite message: its errmsg would be "not an error" */
    int ec = s && s->db ? sqlite3_errcode(s->db) : SQLITE_ERROR;
    if (ec == SQLITE_OK || ec == SQLITE_ROW || ec == SQLITE_DONE)
        return pel_fail(err, PEL_ERR_IO, "%s", what);
    return pel_fail(err, PEL_ERR_IO, "%s: %s", what, s && s->db ? sqlite3_errmsg(s->db) : "no database");
}

pel_status sq_exec(sq_store *s, const char *q, pel_error *err) {
    char *msg = NULL;
    if (sqlite3_exec(s->db, q, NULL, NULL, &msg) != SQLITE_OK) {
        pel_fail(err, PEL_ERR_IO, "database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return PEL_ERR_IO;
    }
    return PEL_OK;
}

sqlite3_stmt *sq_get(sq_store *s, int i, pel_error *err, const char *what) {
    sqlite3_stmt *q = s->st[i];
    if (!q) {
        if (sqlite3_prepare_v3(s->db, sq_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
            sq_error(s, err, what);
            return NULL;
        }
        return s->st[i];
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    return q;
}

sqlite3_stmt *sq_take(sq_store *s, int i, pel_error *err, const char *what) {
    sqlite3_stmt *q = sq_get(s, i, err, what);
    s->st[i] = NULL; /* a cursor opened while this one runs prepares its own */
    return q;
}

void sq_give(sq_store *s, int i, sqlite3_stmt *q) {
    if (!q)
        return;
    if (s->st[i]) {
        sqlite3_finalize(q);
        return;
    }
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    s->st[i] = q;
}

pel_status sq_done(sq_store *s, sqlite3_stmt *q, pel_error *err, const char *what) {
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_error(s, err, what);
    return PEL_OK;
}

uint8_t *sq_enc(sq_store *s, size_t n) {
    if (n > s->enccap || !s->enc) {
        size_t cap = n > TRK_CHUNK ? n : TRK_CHUNK;
        uint8_t *e = realloc(s->enc, 8 + cap * TRK_MAX_BYTES_PER_POS);
        if (!e)
            return NULL;
        s->enc = e;
        s->enccap = cap;
    }
    return s->enc;
}

static void iter_free(st_iter *base) {
    sq_iter *it = (sq_iter *)base;
    sq_give(it->q, it->i, it->st);
    free(it);
}

sq_iter *sq_iter_new(sq_store *s, int kind, int i, size_t size, int (*next)(st_iter *, void *, pel_error *),
                     pel_error *err, const char *what) {
    sq_iter *it = calloc(1, size);
    if (!it) {
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    it->base = (st_iter){kind, next, iter_free, NULL};
    it->q = s;
    it->i = i;
    it->what = what;
    if (!(it->st = sq_take(s, i, err, what))) {
        free(it);
        return NULL;
    }
    return it;
}

int sq_iter_step(sq_iter *it, pel_error *err) {
    int rc = sqlite3_step(it->st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    sq_error(it->q, err, it->what);
    return -PEL_ERR_IO;
}

/* ---- transactions, generations, the writer's lock ------------------------------------ */

const char *sq_db_name(pel_store *base) {
    const char *p = sqlite3_db_filename(sq_of(base)->db, "main");
    return p && p[0] ? p : NULL;
}

pel_status sq_begin(pel_store *base, pel_error *err) {
    sq_store *s = sq_of(base);
    return sq_done(s, sq_get(s, SQ_BEGIN, NULL, NULL), err, "starting a transaction");
}

pel_status sq_commit(pel_store *base, const char *what, pel_error *err) {
    sq_store *s = sq_of(base);
    return sq_done(s, sq_get(s, SQ_COMMIT, NULL, NULL), err, what);
}

void sq_rollback(pel_store *base) {
    sqlite3_exec(sq_of(base)->db, "ROLLBACK", NULL, NULL, NULL);
}

pel_status sq_generation_next(pel_store *base, int64_t *gen, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_GEN_NEXT, NULL, NULL);
    pel_status st = PEL_OK;
    if (sqlite3_step(q) == SQLITE_ROW)
        base->gen = sqlite3_column_int64(q, 0);
    else
        st = sq_error(s, err, "starting a generation");
    sqlite3_reset(q);
    *gen = base->gen;
    return st;
}

/* Takes the exclusive lock of the database (the file path + "-lock",
 * created if missing), waiting for another holder after telling on_wait.
 * Sets s->lock_fd to the descriptor to close to release it, or -1 when the
 * database has no file (in memory or temporary: no other process can reach
 * it). */
static pel_status lock_db(sq_store *s, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err) {
    s->lock_fd = -1;
    const char *db = sqlite3_db_filename(s->db, "main");
    if (!db || !*db)
        return PEL_OK;
    char path[4200];
    int f = -1;
    const char *why = NULL;
    if ((size_t)snprintf(path, sizeof path, "%s-lock", db) >= sizeof path) {
        errno = ENAMETOOLONG;
        why = "cannot create the lock file";
    } else {
        f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (f < 0 && (errno == EACCES || errno == EROFS)) /* an existing lock file we may not write */
            f = open(path, O_RDONLY | O_CLOEXEC);
        if (f < 0)
            why = "cannot create the lock file";
        else if (flock(f, LOCK_EX | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK && errno != EINTR)
                why = "cannot lock";
            else {
                if (on_wait)
                    on_wait(ud, path);
                int rc;
                while ((rc = flock(f, LOCK_EX)) != 0 && errno == EINTR)
                    ;
                if (rc != 0)
                    why = "cannot lock";
            }
        }
    }
    if (why) {
        pel_fail(err, PEL_ERR_IO, "%s %.200s: %s", why, path, strerror(errno));
        if (f >= 0)
            close(f);
        return PEL_ERR_IO;
    }
    s->lock_fd = f;
    return PEL_OK;
}

pel_status sq_writer_begin(pel_store *base, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err) {
    sq_store *s = sq_of(base);
    if (lock_db(s, on_wait, ud, err) != PEL_OK)
        return PEL_ERR_IO;
    s->writing = true;
    /* no memory-mapped reads while writing: the pages an ingest reads back
     * (staged rows, old chunks) would count in its resident memory up to
     * the map's size; the readers' setting comes back at the end */
    s->mmap_was = 0;
    sqlite3_stmt *mq;
    if (sqlite3_prepare_v2(s->db, "PRAGMA mmap_size", -1, &mq, NULL) == SQLITE_OK) {
        if (sqlite3_step(mq) == SQLITE_ROW)
            s->mmap_was = sqlite3_column_int64(mq, 0);
        sqlite3_finalize(mq);
    }
    sqlite3_exec(s->db, "PRAGMA mmap_size=0", NULL, NULL, NULL);
    return PEL_OK;
}

void sq_writer_end(pel_store *base) {
    sq_store *s = sq_of(base);
    if (!s->writing)
        return;
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA mmap_size=%lld", (long long)s->mmap_was);
    sqlite3_exec(s->db, pragma, NULL, NULL, NULL);
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* releases the lock */
    s->lock_fd = -1;
    s->writing = false;
}

/* Not parallel_ingest: one ingest at a time holds the writer's lock, so
 * these are never called (st_backend.h); present because no entry may be
 * NULL. */
static pel_status sq_input_lock(pel_store *base, const char *sha256, void (*on_wait)(void *ud, const char *what),
                                void *ud, pel_error *err) {
    (void)base, (void)sha256, (void)on_wait, (void)ud, (void)err;
    return PEL_OK;
}

static void sq_input_unlock(pel_store *base, const char *sha256) {
    (void)base, (void)sha256;
}

/* (the live service holds the writer's lock throughout here) */
static pel_status sq_live_lock(pel_store *base, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err) {
    (void)base, (void)on_wait, (void)ud, (void)err;
    return PEL_OK;
}

static void sq_live_unlock(pel_store *base) {
    (void)base;
}

static pel_status sq_staged_drop(pel_store *base, uint32_t mmsi, const int64_t *ids, size_t n, pel_error *err) {
    (void)base, (void)mmsi, (void)ids, (void)n, (void)err;
    return PEL_OK;
}

/* ---- the table of functions ------------------------------------------------------------ */

/* SQLite keeps no findings layer: a scan's findings are its files
 * (docs/findings.md), so there is nothing to replace. */
static pel_status sq_findings_replace(pel_store *s, int (*next)(void *ud, st_layer_finding *f, pel_error *err),
                                      void *ud, bool *stored, pel_error *err) {
    (void)s;
    (void)next;
    (void)ud;
    (void)err;
    *stored = false;
    return PEL_OK;
}

static const st_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .db_name = sq_db_name,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .writer_begin = sq_writer_begin,
    .writer_end = sq_writer_end,
    .generation_next = sq_generation_next,
    .input_lock = sq_input_lock,
    .input_unlock = sq_input_unlock,
    .input_find_done = sq_input_find_done,
    .input_find_partial = sq_input_find_partial,
    .input_find_other_partial = sq_input_find_other_partial,
    .input_add = sq_input_add,
    .input_progress = sq_input_progress,
    .input_done = sq_input_done,
    .input_paths = sq_input_paths,
    .source_id = sq_source_id,
    .vessel_touch = sq_vessel_touch,
    .vessel_add_duplicates = sq_vessel_add_duplicates,
    .stage = sq_stage,
    .vessel_get = sq_vessel_get,
    .vessel_find = sq_vessel_find,
    .data_span = sq_data_span,
    .segments_of = sq_segments_of,
    .chunks = sq_chunks,
    .coverage_add = sq_coverage_add,
    .coverage_cell = sq_coverage_cell,
    .coverage_rows = sq_coverage_rows,

    .source_names = sq_source_names,
    .coverage_clear = sq_coverage_clear,
    .identity_merge = sq_identity_merge,
    .identities_of = sq_identities_of,
    .identities_all = sq_identities_all,
    .names_of = sq_names_of,
    .imo_shared = sq_imo_shared,
    .voyage_merge = sq_voyage_merge,
    .voyages_of = sq_voyages_of,
    .draught_near = sq_draught_near,
    .latest_identity = sq_latest_identity,
    .latest_name = sq_latest_name,
    .wl_setup = sq_wl_setup,
    .wl_known = sq_wl_known,
    .wl_import_begin = sq_wl_import_begin,
    .wl_import_add = sq_wl_import_add,
    .wl_import_end = sq_wl_import_end,
    .wl_count = sq_wl_count,
    .wl_entries = sq_wl_entries,
    .wl_lists = sq_wl_lists,
    .scan_head_get = sq_scan_head_get,
    .scan_rows = sq_scan_rows,
    .scan_write_begin = sq_scan_write_begin,
    .scan_write_row = sq_scan_write_row,
    .scan_write_chunk = sq_scan_write_chunk,
    .scan_write_end = sq_scan_write_end,
    .live_setup = sq_live_setup,
    .live_get = sq_live_get,
    .live_put = sq_live_put,
    .live_alerts = sq_live_alerts,
    .live_alert_put = sq_live_alert_put,
    .live_alert_drop = sq_live_alert_drop,
    .live_journals = sq_live_journals,
    .live_lock = sq_live_lock,
    .live_unlock = sq_live_unlock,
    .inputs_each = sq_inputs_each,
    .case_setup = sq_case_setup,
    .case_add = sq_case_add,
    .case_finding_add = sq_case_finding_add,
    .cases = sq_cases,
    .case_findings = sq_case_findings,
    .review_add = sq_review_add,
    .reviews = sq_reviews,
    .findings_replace = sq_findings_replace,
    .dump_rows = sq_dump_rows,
    .dirty_vessels = sq_dirty_vessels,
    .row_ids = sq_row_ids,
    .row_read = sq_row_read,
    .chunk_drop = sq_chunk_drop,
    .chunk_add = sq_chunk_add,
    .chunk_rewrite = sq_chunk_rewrite,
    .segments_clear = sq_segments_clear,
    .segment_add = sq_segment_add,
    .segment_parallel = sq_segment_parallel,
    .vessel_built = sq_vessel_built,
    .staged_drop = sq_staged_drop,
    .staging_clear = sq_staging_clear,
    .compact = sq_compact,
};

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
    [3] = /* 3 -> 4: the coverage map, then built from the positions stored
             (st_coverage_rebuild, in the same transaction: sq_open) */
    COVERAGE_TABLES,
    [4] = /* 4 -> 5: station 0 of the map is the receptions of no known station, no
             longer every reception again: the map is built anew (as 3 -> 4) */
    "DELETE FROM coverage;",
};

static pel_store *open_fail(sq_store *s, pel_error *err, pel_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pel_vfail(err, code, fmt, ap);
    va_end(ap);
    if (s)
        sq_close(&s->base);
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
static bool interrupted_setup(sq_store *s) {
    sqlite3_stmt *q;
    bool yes = false;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM meta) = 0 AND NOT EXISTS (SELECT 1 FROM sqlite_master"
                           " WHERE type = 'table' AND name NOT IN ('meta', 'inputs', 'sources', 'chunks', 'staging',"
                           " 'chunk_box', 'chunk_box_node', 'chunk_box_rowid', 'chunk_box_parent', 'vessels',"
                           " 'segments', 'identities', 'voyages', 'coverage'))",
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
static int identify(sq_store *s, const char *path, long long *version, int *rc, pel_error *err) {
    sqlite3_stmt *q = NULL;
    *rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL);
    if (*rc == SQLITE_OK)
        *rc = sqlite3_step(q);
    long long tables = *rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_finalize(q);
    if (tables < 0) {
        *rc = sqlite3_extended_errcode(s->db);
        if ((*rc & 0xff) == SQLITE_NOTADB)
            pel_fail(err, PEL_ERR_FORMAT, "%s: not a Pelorus database (not an SQLite database at all); left untouched",
                     path);
        else
            pel_fail(err, PEL_ERR_IO, "%s: cannot read it (%s)", path, sqlite3_errmsg(s->db));
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
        pel_fail(err, PEL_ERR_FORMAT, "%s: not a Pelorus database (%s); left untouched", path, why);
        *rc = SQLITE_ERROR;
        return DB_FAILED;
    }
    return DB_PELORUS;
}

/* Opens path read-only and immutable (no locks, no WAL index: nothing is
 * created beside it), for a database in a read-only place (docs/schema.md,
 * "Read-only places"). */
static int open_immutable(sq_store *s, const char *path) {
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

pel_store *sq_open(const char *path, bool readonly, pel_error *err) {
    sq_store *s = calloc(1, sizeof *s);
    if (!s)
        return open_fail(NULL, err, PEL_ERR_NOMEM, "out of memory");
    s->base.ops = &sq_ops;
    s->base.readonly = readonly;
    s->lock_fd = -1;
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
        sq_close(&s->base);
        return NULL;
    }
    if (kind == DB_EMPTY && readonly)
        return open_fail(s, err, PEL_ERR_FORMAT,
                         "%s: not a Pelorus database yet (empty, or its setup was interrupted): pelorus ingest or "
                         "scan INPUT... sets it up",
                         path);
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
    /* readers (scan, report) go through every chunk: a 64 MiB page cache
     * (failures only cost speed).  No memory-mapped reads: they spared no
     * measurable time (a 30-day scan: 7.0 s of CPU either way) and every
     * page read stayed mapped, so a scan's resident memory grew with the
     * database (30 days 206 MB, 90 days 417 MB; without: 155 and 164) */
    sqlite3_exec(s->db, "PRAGMA cache_size=-65536; PRAGMA mmap_size=0;", NULL, NULL, NULL);
    if (readonly) {
        s->base.cov_legacy = kind == DB_PELORUS && version == 4;
        return &s->base;
    }
    /* writing: WAL, the schema (new databases) or the migrations */
    pel_error e = {0};
    pel_status st = ro_place ? PEL_ERR_IO : PEL_OK; /* not even readable here: reported as read-only below */
    if (st == PEL_OK)
        st = sq_exec(s,
                     "PRAGMA auto_vacuum=INCREMENTAL; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA "
                     "cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=16384;",
                     &e);
    if (st == PEL_OK && kind == DB_PELORUS && version < SCHEMA_VERSION) {
        st = sq_exec(s, "BEGIN IMMEDIATE", &e);
        for (long long v = version; st == PEL_OK && v < SCHEMA_VERSION; v++)
            st = sq_exec(s, migrations[v], &e);
        /* 3 -> 4, 4 -> 5: the map of what the stored positions heard */
        if (st == PEL_OK && version < 5)
            st = st_coverage_rebuild(&s->base, &e);
        char up[128];
        snprintf(up, sizeof up, "UPDATE meta SET value = '%d' WHERE key = 'schema_version'; COMMIT", SCHEMA_VERSION);
        if (st == PEL_OK)
            st = sq_exec(s, up, &e);
        if (st != PEL_OK)
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (st == PEL_OK && (st = sq_exec(s, schema, &e)) != PEL_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (st != PEL_OK) {
        if (err) {
            /* say why in terms a user can act on */
            char dir[4096];
            dir_of(path, dir, sizeof dir);
            bool ro =
                is_readonly_place(sqlite3_extended_errcode(s->db)) || is_readonly_place(rc) ||
                (access(path, F_OK) == 0 ? access(path, W_OK) != 0 || access(dir, W_OK) != 0 : access(dir, W_OK) != 0);
            if (ro)
                pel_fail(err, PEL_ERR_IO,
                         "%s: the database is read-only (the file or its directory cannot be written; SQLite "
                         "also needs to create %s-wal and -shm beside it)",
                         path, path);
            else
                pel_fail(err, PEL_ERR_IO, "%s: cannot set up the database (%.200s)", path,
                         e.msg[0] ? e.msg : sqlite3_errmsg(s->db));
        }
        sq_close(&s->base);
        return NULL;
    }
    /* ingest's statements, at once: a database they cannot be prepared on is
     * refused before anything is read into it */
    for (int i = 0; i < SQ__EAGER; i++)
        if (sqlite3_prepare_v3(s->db, sq_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
            sq_error(s, err, "preparing statements");
            sq_close(&s->base);
            return NULL;
        }
    return &s->base;
}

void sq_close(pel_store *base) {
    sq_store *s = sq_of(base);
    if (!s)
        return;
    sq_writer_end(base);
    for (int i = 0; i < SQ__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    free(s->enc);
    free(s);
}
