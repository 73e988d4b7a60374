/*
 * screen.c -- watchlists in the store and screening against them.
 *
 * `pelorus watchlist import` reads list files (pel_wl_read) and stores each
 * import as one row of watchlists with its entries, in one transaction: a
 * list is loaded whole or not at all; the same content imported twice is
 * recognised by its SHA-256 and skipped.  Screening matches every identity a
 * vessel ever broadcast (identities table) against every entry of the
 * stored lists -- or, when none is stored, against the default list shipped
 * in data/watchlist/ -- by IMO, MMSI and name (src/screen/match.c), and
 * reports each match with the entry, the fields that matched, the score and
 * the identity record and time it matched on.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/sha2.h>

#include "det.h"
#include "det_internal.h"
#include "geo.h"
#include "screen.h"
#include "store_internal.h"
#include "util/xsort.h"


static const char schema[] =
    "CREATE TABLE IF NOT EXISTS watchlists("
    " id INTEGER PRIMARY KEY, list TEXT NOT NULL, sources TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,"
    " imported TEXT NOT NULL, entries INTEGER NOT NULL, newest_listing TEXT);"
    "CREATE TABLE IF NOT EXISTS watch_entries("
    " wid INTEGER NOT NULL, entry_id TEXT NOT NULL, list TEXT NOT NULL, name TEXT NOT NULL,"
    " imo INTEGER NOT NULL, imo_company INTEGER NOT NULL, mmsi INTEGER NOT NULL, flag TEXT, program TEXT,"
    " listed_on TEXT, vessel_type TEXT, aliases TEXT NOT NULL, former TEXT NOT NULL, former_flags TEXT NOT NULL,"
    " source TEXT, line INTEGER);"
    "CREATE INDEX IF NOT EXISTS watch_entries_by_list ON watch_entries(wid);";

pel_status sc_schema(sqlite3 *db, pel_error *err) {
    char *msg = NULL;
    if (sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        if (err) {
            err->code = PEL_ERR_IO;
            snprintf(err->msg, sizeof err->msg, "database: %s", msg ? msg : "error");
        }
        sqlite3_free(msg);
        return PEL_ERR_IO;
    }
    return PEL_OK;
}

static pel_status sc_nomem(pel_error *err) {
    if (err) {
        err->code = PEL_ERR_NOMEM;
        snprintf(err->msg, sizeof err->msg, "out of memory");
    }
    return PEL_ERR_NOMEM;
}

/* Names joined with a newline (none can contain one after parsing). */
static char *join_names(const char *const *v, size_t n) {
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    *p = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = strlen(v[i]);
        memcpy(p, v[i], k);
        p += k;
        if (i + 1 < n)
            *p++ = '\n';
        *p = 0;
    }
    return s;
}

/* Splits s at newlines into a malloc'd array of pointers into s. */
static const char **split_names(char *s, size_t *n) {
    *n = 0;
    if (!s || !*s)
        return NULL;
    size_t cap = 1;
    for (char *c = s; *c; c++)
        cap += *c == '\n';
    const char **v = malloc(cap * sizeof *v);
    if (!v)
        return NULL;
    v[(*n)++] = s;
    for (char *c = s; *c; c++)
        if (*c == '\n') {
            *c = 0;
            v[(*n)++] = c + 1;
        }
    return v;
}

/* ---- import ---------------------------------------------------------------- */

typedef struct imp {
    sqlite3 *db;
    sqlite3_stmt *ins;
    int64_t wid;
    uint64_t n;
    char list[32];
    char newest[16];
    bool failed, nomem;
} imp;

/* Binds s (NULL: SQL NULL), copied; the SQLite result code. */
static int bind_opt(sqlite3_stmt *q, int i, const char *s) {
    return s ? sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(q, i);
}

static int on_import(void *ud, const pel_wl_entry *e) {
    imp *m = ud;
    char *al = join_names(e->aliases, e->naliases), *fo = join_names(e->former, e->nformer),
         *ff = join_names(e->former_flags, e->nformer_flags);
    if (!al || !fo || !ff) {
        m->failed = m->nomem = true;
        free(al);
        free(fo);
        free(ff);
        return 1;
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
    free(al);
    free(fo);
    free(ff);
    if (rc != SQLITE_OK || sqlite3_step(q) != SQLITE_DONE) {
        m->failed = true;
        return 1;
    }
    if (!m->list[0] && e->list)
        snprintf(m->list, sizeof m->list, "%s", e->list);
    if (e->listed_on && strcmp(e->listed_on, m->newest) > 0)
        snprintf(m->newest, sizeof m->newest, "%s", e->listed_on);
    m->n++;
    return 0;
}

/* SHA-256 over the files in order (their names excluded). */
static pel_status files_hash(const char *const *paths, size_t n, char hex[65], pel_error *err) {
    struct sha256_ctx c;
    sha256_init(&c);
    static unsigned char buf[1 << 16];
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(paths[i], "rb");
        if (!f) {
            if (err) {
                err->code = PEL_ERR_IO;
                snprintf(err->msg, sizeof err->msg, "%s: cannot open (%s)", paths[i], strerror(errno));
            }
            return PEL_ERR_IO;
        }
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, f)) > 0)
            sha256_update(&c, k, buf);
        bool bad = ferror(f) != 0;
        int e = errno;
        fclose(f);
        if (bad) { /* a hash of part of a file would name another list */
            if (err) {
                err->code = PEL_ERR_IO;
                snprintf(err->msg, sizeof err->msg, "%s: cannot read (%s)", paths[i], strerror(e));
            }
            return PEL_ERR_IO;
        }
    }
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_digest(&c, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return PEL_OK;
}

pel_status pel_watchlist_import(pel_store *s, const char *const *paths, size_t n, bool replace, uint64_t *entries,
                                bool *skipped, pel_error *err) {
    sqlite3 *db = s->db;
    *entries = 0;
    *skipped = false;
    pel_status st = sc_schema(db, err);
    char hash[65];
    if (st == PEL_OK)
        st = files_hash(paths, n, hash, err);
    if (st != PEL_OK)
        return st;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM watchlists WHERE sha256 = ?1", -1, &q, NULL) != SQLITE_OK)
        return st_error(s, err, "watchlists");
    sqlite3_bind_text(q, 1, hash, -1, SQLITE_STATIC);
    bool known = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    if (known) {
        *skipped = true;
        return PEL_OK;
    }
    if (st_exec(s, "BEGIN IMMEDIATE", err) != PEL_OK)
        return PEL_ERR_IO;
    imp m = {.db = db};
    char sources[2048] = "";
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(sources);
        snprintf(sources + l, sizeof sources - l, "%s%s", i ? "\n" : "", paths[i]);
    }
    if (sqlite3_prepare_v2(db, "INSERT INTO watchlists(list, sources, sha256, imported, entries) VALUES"
                               " ('', ?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 0)", -1, &q, NULL) != SQLITE_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return st_error(s, err, "watchlists");
    }
    sqlite3_bind_text(q, 1, sources, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    m.wid = sqlite3_last_insert_rowid(db);
    if (rc != SQLITE_DONE ||
        sqlite3_prepare_v2(db, "INSERT INTO watch_entries VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                               " ?14, ?15, ?16)", -1, &m.ins, NULL) != SQLITE_OK) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return st_error(s, err, "watch entries");
    }
    pel_wl_cb cb = {on_import, &m};
    st = pel_wl_read(paths, n, &cb, err);
    if (m.failed) /* on_import stopped the read */
        st = m.nomem ? sc_nomem(err) : st_error(s, err, "storing list entries");
    sqlite3_finalize(m.ins);
    if (st == PEL_OK && replace && m.list[0]) {
        /* the new import replaces the earlier ones of the same list */
        static const char *const del[2] = {"DELETE FROM watch_entries WHERE list = ?1 AND wid <> ?2",
                                           "DELETE FROM watchlists WHERE list = ?1 AND id <> ?2"};
        for (int k = 0; k < 2 && st == PEL_OK; k++) {
            sqlite3_stmt *d;
            if (sqlite3_prepare_v2(db, del[k], -1, &d, NULL) != SQLITE_OK ||
                sqlite3_bind_text(d, 1, m.list, -1, SQLITE_STATIC) != SQLITE_OK ||
                sqlite3_bind_int64(d, 2, m.wid) != SQLITE_OK || sqlite3_step(d) != SQLITE_DONE)
                st = st_error(s, err, "replacing the earlier imports");
            sqlite3_finalize(d);
        }
    }
    if (st == PEL_OK) {
        int urc = sqlite3_prepare_v2(db, "UPDATE watchlists SET list = ?1, entries = ?2, newest_listing = ?3"
                                         " WHERE id = ?4", -1, &q, NULL);
        if (urc == SQLITE_OK) {
            urc = sqlite3_bind_text(q, 1, m.list, -1, SQLITE_STATIC);
            urc |= sqlite3_bind_int64(q, 2, (sqlite3_int64)m.n);
            if (m.newest[0])
                urc |= sqlite3_bind_text(q, 3, m.newest, -1, SQLITE_STATIC);
            urc |= sqlite3_bind_int64(q, 4, m.wid);
            if (urc == SQLITE_OK && sqlite3_step(q) != SQLITE_DONE)
                urc = SQLITE_ERROR;
        }
        if (urc != SQLITE_OK)
            st = st_error(s, err, "recording the import");
        sqlite3_finalize(q);
    }
    if (st == PEL_OK)
        st = st_exec(s, "COMMIT", err);
    if (st != PEL_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL); /* never a list in part */
    if (st == PEL_OK)
        *entries = m.n;
    return st;
}

pel_status pel_watchlist_show(pel_store *s, FILE *out, pel_error *err) {
    sqlite3_stmt *q;
    (void)err;
    int n = 0;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT w.list, w.imported, w.newest_listing, w.sources, count(e.wid),"
                           " sum(e.imo > 0), sum(e.mmsi > 0), sum(e.aliases <> '' OR e.former <> ''),"
                           " CAST(julianday('now') - julianday(w.imported) AS INTEGER)"
                           " FROM watchlists w LEFT JOIN watch_entries e ON e.wid = w.id GROUP BY w.id ORDER BY w.id",
                           -1, &q, NULL) != SQLITE_OK)
        q = NULL; /* no watchlist table: nothing imported */
    while (q && sqlite3_step(q) == SQLITE_ROW) {
        n++;
        fprintf(out, "%s: %lld vessels (%lld with an IMO number, %lld with an MMSI, %lld with other names)\n",
                sqlite3_column_text(q, 0), (long long)sqlite3_column_int64(q, 4),
                (long long)sqlite3_column_int64(q, 5), (long long)sqlite3_column_int64(q, 6),
                (long long)sqlite3_column_int64(q, 7));
        fprintf(out, "  imported %s (%lld days ago); newest listing date in it: %s\n  from %s\n",
                sqlite3_column_text(q, 1), (long long)sqlite3_column_int64(q, 8),
                sqlite3_column_text(q, 2) ? (const char *)sqlite3_column_text(q, 2) : "not given",
                sqlite3_column_text(q, 3));
    }
    if (q)
        sqlite3_finalize(q);
    if (!n)
        fprintf(out, "no watchlist imported: screening uses the default shipped in %s/watchlist "
                     "(OFAC SDN vessels, 2024-05-03, aliases 2025-08-11)\n", geo_data_dir(NULL));
    return PEL_OK;
}

/* ---- loading a matcher --------------------------------------------------------- */

static int on_default(void *ud, const pel_wl_entry *e) { return pel_matcher_add(ud, e) != PEL_OK; }

/* Column i of the current row as text: NULL for SQL NULL, and NULL with
 * *oom set when SQLite could not allocate the text. */
static const char *col_text(sqlite3_stmt *q, int i, bool *oom) {
    bool null = sqlite3_column_type(q, i) == SQLITE_NULL;
    const char *t = (const char *)sqlite3_column_text(q, i);
    if (!t && !null)
        *oom = true;
    return t;
}

pel_status sc_load_matcher(pel_store *s, const char *data_dir, pel_matcher **out, bool *is_default, pel_error *err) {
    *out = pel_matcher_new();
    *is_default = false;
    if (!*out)
        return sc_nomem(err);
    /* the imported lists, or the default when none was imported: any other
     * failure to read them fails (never a silent fallback or a list in part) */
    sqlite3_stmt *q;
    int64_t count = -1;
    pel_status st = PEL_OK;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'watch_entries'",
                           -1, &q, NULL) != SQLITE_OK || sqlite3_step(q) != SQLITE_ROW)
        st = st_error(s, err, "reading the watchlists");
    else if (sqlite3_column_int64(q, 0) == 0)
        count = 0;
    sqlite3_finalize(q);
    if (st == PEL_OK && count < 0) {
        if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM watch_entries", -1, &q, NULL) != SQLITE_OK ||
            sqlite3_step(q) != SQLITE_ROW)
            st = st_error(s, err, "reading the watchlists");
        else
            count = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    if (st == PEL_OK && count == 0) { /* the default list shipped with the program */
        const char *dir = geo_data_dir(data_dir);
        char a[4096], b[4096];
        snprintf(a, sizeof a, "%s/watchlist/ofac_sdn_vessels_20240503.csv", dir);
        snprintf(b, sizeof b, "%s/watchlist/ofac_alt_vessels_20250811.csv", dir);
        const char *paths[2] = {a, b};
        pel_wl_cb cb = {on_default, *out};
        st = pel_wl_read(paths, 2, &cb, err);
        if (st == PEL_STOPPED) /* pel_matcher_add failed */
            st = sc_nomem(err);
        *is_default = true;
    } else if (st == PEL_OK) {
        if (sqlite3_prepare_v2(s->db,
                               "SELECT list, entry_id, name, imo, imo_company, mmsi, flag, program, listed_on,"
                               " vessel_type, aliases, former, former_flags, source, line FROM watch_entries"
                               " ORDER BY wid, rowid",
                               -1, &q, NULL) != SQLITE_OK)
            st = st_error(s, err, "reading the watchlists");
        int rc = SQLITE_DONE;
        while (st == PEL_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            bool oom = false;
            const char *cal = col_text(q, 10, &oom), *cfo = col_text(q, 11, &oom), *cff = col_text(q, 12, &oom);
            char *al = strdup(cal ? cal : ""), *fo = strdup(cfo ? cfo : ""), *ff = strdup(cff ? cff : "");
            pel_wl_entry e = {0};
            e.list = col_text(q, 0, &oom);
            e.entry_id = col_text(q, 1, &oom);
            e.name = col_text(q, 2, &oom);
            e.imo = (uint32_t)sqlite3_column_int64(q, 3);
            e.imo_company = (uint32_t)sqlite3_column_int64(q, 4);
            e.mmsi = (uint32_t)sqlite3_column_int64(q, 5);
            e.flag = col_text(q, 6, &oom);
            e.program = col_text(q, 7, &oom);
            e.listed_on = col_text(q, 8, &oom);
            e.vessel_type = col_text(q, 9, &oom);
            e.source = col_text(q, 13, &oom);
            e.line = (uint64_t)sqlite3_column_int64(q, 14);
            const char **va = split_names(al, &e.naliases), **vf = split_names(fo, &e.nformer),
                       **vff = split_names(ff, &e.nformer_flags);
            e.aliases = va;
            e.former = vf;
            e.former_flags = vff;
            /* split_names gives NULL for "" and when out of memory */
            oom |= !al || !fo || !ff || (!va && *al) || (!vf && *fo) || (!vff && *ff);
            st = oom ? sc_nomem(err) : pel_matcher_add(*out, &e);
            free(va);
            free(vf);
            free(vff);
            free(al);
            free(fo);
            free(ff);
        }
        if (st == PEL_OK && rc != SQLITE_DONE)
            st = st_error(s, err, "reading the watchlists");
        sqlite3_finalize(q);
    }
    if (st == PEL_OK)
        st = pel_matcher_build(*out);
    if (st != PEL_OK) {
        if (err && !err->msg[0]) {
            err->code = st;
            snprintf(err->msg, sizeof err->msg, "%s", st == PEL_ERR_NOMEM ? "out of memory" : "loading the watchlists");
        }
        pel_matcher_free(*out);
        *out = NULL;
    }
    return st;
}

/* ---- screening --------------------------------------------------------------- */

pel_status sc_screen(pel_store *s, const pel_matcher *m, bool is_default, det_emit_fn emit, void *ud,
                     pel_error *err) {
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT mmsi, name, imo, callsign, first_ms, last_ms, first_input, first_line FROM identities"
                           " ORDER BY mmsi, first_ms, name, imo, callsign",
                           -1, &q, NULL) != SQLITE_OK)
        return st_error(s, err, "reading identities");
    pel_match mt[16];
    /* also screen each vessel's MMSI once, even without an identity row */
    int rc;
    bool oom = false;
    while (!oom && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        uint32_t mmsi = (uint32_t)sqlite3_column_int64(q, 0);
        const char *name = col_text(q, 1, &oom);
        uint32_t imo = (uint32_t)sqlite3_column_int64(q, 2);
        errno = 0;
        size_t k = pel_matcher_query(m, name && *name ? name : NULL, imo, mmsi, 0, mt, 16);
        if (!k && errno == ENOMEM)
            oom = true;
        for (size_t i = 0; i < k && i < 16; i++) {
            const pel_wl_entry *e = pel_matcher_entry(m, mt[i].entry);
            det_finding f = {0};
            f.event = "watchlist_match";
            f.mmsi = mmsi;
            f.start_ms = sqlite3_column_int64(q, 4);
            f.end_ms = sqlite3_column_int64(q, 5);
            f.lat = f.lon = NAN;
            det_fbuf b = {f.fields, sizeof f.fields, 0};
            char listname[64];
            snprintf(listname, sizeof listname, "%s%s", e->list ? e->list : "", is_default ? " (default)" : "");
            det_fb_str(&b, "list", listname);
            det_fb_str(&b, "entry", e->entry_id);
            det_fb_str(&b, "entry_name", e->name);
            det_fb_str(&b, "program", e->program);
            if (e->imo)
                det_fb_raw(&b, "entry_imo", "%u", e->imo);
            det_fb_num(&b, "score", mt[i].score, 3);
            char on[512];
            size_t o = (size_t)snprintf(on, sizeof on, "[%s%s%s]",
                                        mt[i].fields & PEL_MATCH_IMO ? "\"imo\"" : "",
                                        mt[i].fields & PEL_MATCH_MMSI ? (mt[i].fields & PEL_MATCH_IMO ? ",\"mmsi\"" : "\"mmsi\"") : "",
                                        mt[i].fields & PEL_MATCH_NAME
                                            ? (mt[i].fields & (PEL_MATCH_IMO | PEL_MATCH_MMSI) ? ",\"name\"" : "\"name\"")
                                            : "");
            (void)o;
            det_fb_raw(&b, "matched_on", "%s", on);
            if (mt[i].fields & PEL_MATCH_NAME) {
                det_fb_str(&b, "matched_name", mt[i].matched_name);
                det_fb_str(&b, "matched_name_kind", mt[i].name_kind == 0 ? "primary" : mt[i].name_kind == 1 ? "alias" : "former");
            }
            det_fb_str(&b, "identity_name", name);
            if (imo)
                det_fb_raw(&b, "identity_imo", "%u", imo);
            det_fb_str(&b, "identity_callsign", (const char *)sqlite3_column_text(q, 3));
            pel_position p = {.input = (uint32_t)sqlite3_column_int64(q, 6),
                              .line = (uint64_t)sqlite3_column_int64(q, 7)};
            det_add_evidence(&f, &p);
            emit(ud, &f);
        }
    }
    sqlite3_finalize(q);
    if (oom)
        return sc_nomem(err);
    if (rc != SQLITE_DONE) /* an identity not screened is a match not reported */
        return st_error(s, err, "reading identities");
    /* vessels that never sent static data: their MMSI alone */
    if (sqlite3_prepare_v2(s->db,
                           "SELECT mmsi, first_ms, last_ms FROM vessels WHERE mmsi NOT IN (SELECT mmsi FROM identities)"
                           " ORDER BY mmsi",
                           -1, &q, NULL) != SQLITE_OK)
        return st_error(s, err, "reading vessels");
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        uint32_t mmsi = (uint32_t)sqlite3_column_int64(q, 0);
        errno = 0;
        size_t k = pel_matcher_query(m, NULL, 0, mmsi, 0, mt, 16);
        if (!k && errno == ENOMEM) {
            sqlite3_finalize(q);
            return sc_nomem(err);
        }
        for (size_t i = 0; i < k && i < 16; i++) {
            const pel_wl_entry *e = pel_matcher_entry(m, mt[i].entry);
            det_finding f = {0};
            f.event = "watchlist_match";
            f.mmsi = mmsi;
            f.start_ms = sqlite3_column_int64(q, 1);
            f.end_ms = sqlite3_column_int64(q, 2);
            f.lat = f.lon = NAN;
            det_fbuf b = {f.fields, sizeof f.fields, 0};
            det_fb_str(&b, "list", e->list);
            det_fb_str(&b, "entry", e->entry_id);
            det_fb_str(&b, "entry_name", e->name);
            det_fb_str(&b, "program", e->program);
            det_fb_num(&b, "score", 1.0, 3);
            det_fb_raw(&b, "matched_on", "[\"mmsi\"]");
            emit(ud, &f);
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return st_error(s, err, "reading vessels");
    return PEL_OK;
}

pel_status pel_screen(pel_store *s, const char *data_dir, FILE *out, pel_findings_format fmt, uint64_t *matches,
                      pel_error *err) {
    pel_matcher *m;
    bool dflt;
    pel_status st = sc_load_matcher(s, data_dir, &m, &dflt, err);
    if (st != PEL_OK)
        return st;
    det_vec c = {0};
    st = sc_screen(s, m, dflt, det_vec_push, &c, err);
    if (st == PEL_OK && c.nomem)
        st = PEL_ERR_NOMEM;
    if (st == PEL_OK) {
        xqsort(c.v, c.n, sizeof *c.v, det_cmp_findings);
        char **paths = NULL;
        size_t np = 0;
        st = det_input_paths(s->db, &paths, &np);
        if (st == PEL_ERR_IO)
            st = st_error(s, err, "reading the inputs");
        if (st == PEL_OK && (st = det_write(out, fmt, c.v, c.n, (const char *const *)paths, np)) != PEL_OK && err &&
            !err->msg[0]) {
            err->code = st;
            snprintf(err->msg, sizeof err->msg, "writing the matches: %s",
                     st == PEL_ERR_NOMEM ? "out of memory" : strerror(errno));
        }
        for (size_t i = 0; i < np; i++)
            free(paths[i]);
        free(paths);
    }
    if (st != PEL_OK && err && !err->msg[0]) {
        err->code = st;
        snprintf(err->msg, sizeof err->msg, "%s", st == PEL_ERR_NOMEM ? "out of memory" : "screening failed");
    }
    if (matches)
        *matches = c.n;
    free(c.v);
    pel_matcher_free(m);
    return st;
}
