/*
 * sqlite_watch.c -- the SQLite backend's watchlists: one row of watchlists
 * per import and one row of watch_entries per vessel entry, made when the
 * first list is imported (a database that never had one has no such
 * tables, and screening then uses the default list).  Names, aliases,
 * former names and former flags are kept as text, one name a line (no name
 * holds a newline after parsing).  An import is one transaction: a list is
 * stored whole or not at all.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "st_shared.h"
#include "util/fail.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS watchlists("
    " id INTEGER PRIMARY KEY, list TEXT NOT NULL, sources TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,"
    " imported TEXT NOT NULL, entries INTEGER NOT NULL, newest_listing TEXT);"
    "CREATE TABLE IF NOT EXISTS watch_entries("
    " wid INTEGER NOT NULL, entry_id TEXT NOT NULL, list TEXT NOT NULL, name TEXT NOT NULL,"
    " imo INTEGER NOT NULL, imo_company INTEGER NOT NULL, mmsi INTEGER NOT NULL, flag TEXT, program TEXT,"
    " listed_on TEXT, vessel_type TEXT, aliases TEXT NOT NULL, former TEXT NOT NULL, former_flags TEXT NOT NULL,"
    " source TEXT, line INTEGER, callsign TEXT, gross_tonnage INTEGER NOT NULL DEFAULT 0,"
    " tonnage INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS watch_entries_by_list ON watch_entries(wid);";

static pel_status no_memory(pel_error *err) {
    return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
}

/* True when table t has column c. */
static bool has_column(sqlite3 *db, const char *t, const char *c) {
    sqlite3_stmt *q;
    bool found = false;
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", t);
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return false;
    while (!found && sqlite3_step(q) == SQLITE_ROW)
        found = !strcmp((const char *)sqlite3_column_text(q, 1), c);
    sqlite3_finalize(q);
    return found;
}

pel_status sq_wl_setup(pel_store *base, pel_error *err) {
    sqlite3 *db = sq_of(base)->db;
    char *msg = NULL;
    int rc = sqlite3_exec(db, schema, NULL, NULL, &msg);
    /* lists imported before call signs and tonnages were kept */
    if (rc == SQLITE_OK && !has_column(db, "watch_entries", "callsign"))
        rc = sqlite3_exec(db,
                          "ALTER TABLE watch_entries ADD COLUMN callsign TEXT;"
                          "ALTER TABLE watch_entries ADD COLUMN gross_tonnage INTEGER NOT NULL DEFAULT 0;"
                          "ALTER TABLE watch_entries ADD COLUMN tonnage INTEGER NOT NULL DEFAULT 0;",
                          NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        pel_fail(err, PEL_ERR_IO, "database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return PEL_ERR_IO;
    }
    return PEL_OK;
}

pel_status sq_wl_known(pel_store *base, const char *sha256, bool *known, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q;
    *known = false;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM watchlists WHERE sha256 = ?1", -1, &q, NULL) != SQLITE_OK)
        return sq_error(s, err, "watchlists");
    sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
    *known = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return PEL_OK;
}

/* ---- import -------------------------------------------------------------------------------- */

struct st_wl_import {
    pel_store *s; /* first: store.c reads the table through it */
    sqlite3_stmt *ins;
    int64_t wid;
};

st_wl_import *sq_wl_import_begin(pel_store *base, const char *sha256, const char *sources, pel_error *err) {
    sq_store *s = sq_of(base);
    if (sq_exec(s, "BEGIN IMMEDIATE", err) != PEL_OK)
        return NULL;
    st_wl_import *m = calloc(1, sizeof *m);
    sqlite3_stmt *q;
    if (!m) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        no_memory(err);
        return NULL;
    }
    m->s = base;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO watchlists(list, sources, sha256, imported, entries) VALUES"
                           " ('', ?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 0)",
                           -1, &q, NULL) != SQLITE_OK) {
        sq_error(s, err, "watchlists");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        free(m);
        return NULL;
    }
    sqlite3_bind_text(q, 1, sources, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, sha256, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    m->wid = sqlite3_last_insert_rowid(s->db);
    if (rc != SQLITE_DONE ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO watch_entries(wid, entry_id, list, name, imo, imo_company, mmsi, flag,"
                           " program, listed_on, vessel_type, aliases, former, former_flags, source, line,"
                           " callsign, gross_tonnage, tonnage) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                           " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                           -1, &m->ins, NULL) != SQLITE_OK) {
        sq_error(s, err, "watch entries");
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        free(m);
        return NULL;
    }
    return m;
}

/* Binds s (NULL: SQL NULL), copied; the SQLite result code. */
static int bind_opt(sqlite3_stmt *q, int i, const char *s) {
    return s ? sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(q, i);
}

pel_status sq_wl_import_add(st_wl_import *m, const pel_wl_entry *e, pel_error *err) {
    char *al = st_join_names(e->aliases, e->naliases), *fo = st_join_names(e->former, e->nformer),
         *ff = st_join_names(e->former_flags, e->nformer_flags);
    if (!al || !fo || !ff) {
        free(al);
        free(fo);
        free(ff);
        return no_memory(err);
    }
    sqlite3_stmt *q = m->ins;
    sqlite3_reset(q);
    /* a bind that fails (out of memory) would leave its column NULL: a
     * field lost without a word, so any failure fails the import */
    int rc = sqlite3_bind_int64(q, 1, m->wid);
    rc |= bind_opt(q, 2, e->entry_id ? e->entry_id : "");
    rc |= bind_opt(q, 3, e->list ? e->list : "");
    rc |= bind_opt(q, 4, e->name ? e->name : "");
    rc |= sqlite3_bind_int64(q, 5, e->imo);
    rc |= sqlite3_bind_int64(q, 6, e->imo_company);
    rc |= sqlite3_bind_int64(q, 7, e->mmsi);
    rc |= bind_opt(q, 8, e->flag);
    rc |= bind_opt(q, 9, e->program);
    rc |= bind_opt(q, 10, e->listed_on);
    rc |= bind_opt(q, 11, e->vessel_type);
    rc |= sqlite3_bind_text(q, 12, al, -1, SQLITE_TRANSIENT);
    rc |= sqlite3_bind_text(q, 13, fo, -1, SQLITE_TRANSIENT);
    rc |= sqlite3_bind_text(q, 14, ff, -1, SQLITE_TRANSIENT);
    rc |= bind_opt(q, 15, e->source);
    rc |= sqlite3_bind_int64(q, 16, (sqlite3_int64)e->line);
    rc |= bind_opt(q, 17, e->callsign);
    rc |= sqlite3_bind_int64(q, 18, e->gross_tonnage);
    rc |= sqlite3_bind_int64(q, 19, e->tonnage);
    free(al);
    free(fo);
    free(ff);
    if (rc != SQLITE_OK || sqlite3_step(q) != SQLITE_DONE)
        return sq_error(sq_of(m->s), err, "storing list entries");
    return PEL_OK;
}

pel_status sq_wl_import_end(st_wl_import *m, bool ok, bool replace, const char *list, uint64_t entries,
                            const char *newest, pel_error *err) {
    sq_store *s = sq_of(m->s);
    sqlite3 *db = s->db;
    sqlite3_finalize(m->ins);
    pel_status st = ok ? PEL_OK : PEL_ERR_IO;
    if (st == PEL_OK && replace && list && list[0]) {
        /* the new import replaces the earlier ones of the same list */
        static const char *const del[2] = {"DELETE FROM watch_entries WHERE list = ?1 AND wid <> ?2",
                                           "DELETE FROM watchlists WHERE list = ?1 AND id <> ?2"};
        for (int k = 0; k < 2 && st == PEL_OK; k++) {
            sqlite3_stmt *d;
            if (sqlite3_prepare_v2(db, del[k], -1, &d, NULL) != SQLITE_OK ||
                sqlite3_bind_text(d, 1, list, -1, SQLITE_STATIC) != SQLITE_OK ||
                sqlite3_bind_int64(d, 2, m->wid) != SQLITE_OK || sqlite3_step(d) != SQLITE_DONE)
                st = sq_error(s, err, "replacing the earlier imports");
            sqlite3_finalize(d);
        }
    }
    if (st == PEL_OK) {
        sqlite3_stmt *q;
        int urc = sqlite3_prepare_v2(db,
                                     "UPDATE watchlists SET list = ?1, entries = ?2, newest_listing = ?3"
                                     " WHERE id = ?4",
                                     -1, &q, NULL);
        if (urc == SQLITE_OK) {
            urc = sqlite3_bind_text(q, 1, list ? list : "", -1, SQLITE_STATIC);
            urc |= sqlite3_bind_int64(q, 2, (sqlite3_int64)entries);
            if (newest && newest[0])
                urc |= sqlite3_bind_text(q, 3, newest, -1, SQLITE_STATIC);
            urc |= sqlite3_bind_int64(q, 4, m->wid);
            if (urc == SQLITE_OK && sqlite3_step(q) != SQLITE_DONE)
                urc = SQLITE_ERROR;
        }
        if (urc != SQLITE_OK)
            st = sq_error(s, err, "recording the import");
        sqlite3_finalize(q);
    }
    if (st == PEL_OK)
        st = sq_exec(s, "COMMIT", err);
    if (st != PEL_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL); /* never a list in part */
    free(m);
    return st;
}

/* ---- reading ------------------------------------------------------------------------------ */

pel_status sq_wl_count(pel_store *base, int64_t *n, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q;
    int64_t count = -1;
    pel_status st = PEL_OK;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'watch_entries'",
                           -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW)
        st = sq_error(s, err, "reading the watchlists");
    else if (sqlite3_column_int64(q, 0) == 0)
        count = 0;
    sqlite3_finalize(q);
    if (st == PEL_OK && count < 0) {
        if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM watch_entries", -1, &q, NULL) != SQLITE_OK ||
            sqlite3_step(q) != SQLITE_ROW)
            st = sq_error(s, err, "reading the watchlists");
        else
            count = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    *n = count < 0 ? 0 : count;
    return st;
}

/* A cursor over the entries: the row's names split into arrays it owns. */
typedef struct wl_iter {
    st_iter base;
    sq_store *s;
    sqlite3_stmt *q;
    char *al, *fo, *ff; /* the current row's names, split in place */
    const char **va, **vf, **vff;
} wl_iter;

static void wl_row_free(wl_iter *it) {
    free(it->va);
    free(it->vf);
    free(it->vff);
    free(it->al);
    free(it->fo);
    free(it->ff);
    it->va = it->vf = it->vff = NULL;
    it->al = it->fo = it->ff = NULL;
}

static void wl_iter_free(st_iter *base) {
    wl_iter *it = (wl_iter *)base;
    wl_row_free(it);
    sqlite3_finalize(it->q);
    free(it);
}

/* Column i of the current row as text: NULL for SQL NULL, and NULL with
 * *oom set when SQLite could not allocate the text. */
static const char *col_text(sqlite3_stmt *q, int i, bool *oom) {
    bool null = sqlite3_column_type(q, i) == SQLITE_NULL;
    const char *t = (const char *)sqlite3_column_text(q, i);
    if (!t && !null)
        *oom = true;
    return t;
}

static int wl_entry_next(st_iter *base, void *row, pel_error *err) {
    wl_iter *it = (wl_iter *)base;
    sqlite3_stmt *q = it->q;
    wl_row_free(it);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW) {
        sq_error(it->s, err, "reading the watchlists");
        return -PEL_ERR_IO;
    }
    bool oom = false;
    const char *cal = col_text(q, 10, &oom), *cfo = col_text(q, 11, &oom), *cff = col_text(q, 12, &oom);
    it->al = strdup(cal ? cal : "");
    it->fo = strdup(cfo ? cfo : "");
    it->ff = strdup(cff ? cff : "");
    pel_wl_entry *e = row;
    memset(e, 0, sizeof *e);
    e->list = col_text(q, 0, &oom);
    e->entry_id = col_text(q, 1, &oom);
    e->name = col_text(q, 2, &oom);
    e->imo = (uint32_t)sqlite3_column_int64(q, 3);
    e->imo_company = (uint32_t)sqlite3_column_int64(q, 4);
    e->mmsi = (uint32_t)sqlite3_column_int64(q, 5);
    e->flag = col_text(q, 6, &oom);
    e->program = col_text(q, 7, &oom);
    e->listed_on = col_text(q, 8, &oom);
    e->vessel_type = col_text(q, 9, &oom);
    e->source = col_text(q, 13, &oom);
    e->line = (uint64_t)sqlite3_column_int64(q, 14);
    e->callsign = col_text(q, 15, &oom);
    e->gross_tonnage = (uint32_t)sqlite3_column_int64(q, 16);
    e->tonnage = (uint32_t)sqlite3_column_int64(q, 17);
    it->va = st_split_names(it->al, &e->naliases);
    it->vf = st_split_names(it->fo, &e->nformer);
    it->vff = st_split_names(it->ff, &e->nformer_flags);
    e->aliases = it->va;
    e->former = it->vf;
    e->former_flags = it->vff;
    /* st_split_names gives NULL for "" and when out of memory */
    oom |= !it->al || !it->fo || !it->ff || (!it->va && *it->al) || (!it->vf && *it->fo) || (!it->vff && *it->ff);
    if (oom) {
        no_memory(err);
        return -PEL_ERR_NOMEM;
    }
    return 1;
}

st_iter *sq_wl_entries(pel_store *base, pel_error *err) {
    sq_store *s = sq_of(base);
    wl_iter *it = calloc(1, sizeof *it);
    if (!it) {
        no_memory(err);
        return NULL;
    }
    it->base = (st_iter){ST_IT_WL_ENTRY, wl_entry_next, wl_iter_free, NULL};
    it->s = s;
    if (sqlite3_prepare_v2(s->db,
                           has_column(s->db, "watch_entries", "callsign")
                               ? "SELECT list, entry_id, name, imo, imo_company, mmsi, flag, program, listed_on,"
                                 " vessel_type, aliases, former, former_flags, source, line, callsign,"
                                 " gross_tonnage, tonnage FROM watch_entries ORDER BY wid, rowid"
                               /* imported by an older version, read-only here */
                               : "SELECT list, entry_id, name, imo, imo_company, mmsi, flag, program, listed_on,"
                                 " vessel_type, aliases, former, former_flags, source, line, NULL, 0, 0"
                                 " FROM watch_entries ORDER BY wid, rowid",
                           -1, &it->q, NULL) != SQLITE_OK) {
        sq_error(s, err, "reading the watchlists");
        wl_iter_free(&it->base);
        return NULL;
    }
    return &it->base;
}

static int wl_list_next(st_iter *base, void *row, pel_error *err) {
    sq_iter *it = (sq_iter *)base;
    int rc = sqlite3_step(it->st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW) {
        sq_error(it->q, err, "reading the watchlists");
        return -PEL_ERR_IO;
    }
    sqlite3_stmt *q = it->st;
    st_wl_summary *w = row;
    w->list = (const char *)sqlite3_column_text(q, 0);
    w->imported = (const char *)sqlite3_column_text(q, 1);
    w->newest_listing = (const char *)sqlite3_column_text(q, 2);
    w->sources = (const char *)sqlite3_column_text(q, 3);
    w->entries = sqlite3_column_int64(q, 4);
    w->with_imo = sqlite3_column_int64(q, 5);
    w->with_mmsi = sqlite3_column_int64(q, 6);
    w->with_other_names = sqlite3_column_int64(q, 7);
    w->days_ago = sqlite3_column_int64(q, 8);
    return 1;
}

static void wl_list_free(st_iter *base) {
    sq_iter *it = (sq_iter *)base;
    sqlite3_finalize(it->st);
    free(it);
}

st_iter *sq_wl_lists(pel_store *base, pel_error *err) {
    sq_store *s = sq_of(base);
    sq_iter *it = calloc(1, sizeof *it);
    if (!it) {
        no_memory(err);
        return NULL;
    }
    it->base = (st_iter){ST_IT_WL_LIST, wl_list_next, wl_list_free, NULL};
    it->q = s;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT w.list, w.imported, w.newest_listing, w.sources, count(e.wid),"
                           " sum(e.imo > 0), sum(e.mmsi > 0), sum(e.aliases <> '' OR e.former <> ''),"
                           " CAST(julianday('now') - julianday(w.imported) AS INTEGER)"
                           " FROM watchlists w LEFT JOIN watch_entries e ON e.wid = w.id GROUP BY w.id ORDER BY w.id",
                           -1, &it->st, NULL) != SQLITE_OK) { /* no watchlist table: nothing imported */
        sq_error(s, err, "reading the watchlists");
        wl_list_free(&it->base);
        return NULL;
    }
    return &it->base;
}
