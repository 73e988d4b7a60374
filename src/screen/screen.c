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

#include "findings/write.h"
#include "geo.h"
#include "screen.h"
#include "store_internal.h"


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

pel_status sc_schema(sqlite3 *db, pel_error *err) {
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
    rc |= bind_opt(q, 17, e->callsign);
    rc |= sqlite3_bind_int64(q, 18, e->gross_tonnage);
    rc |= sqlite3_bind_int64(q, 19, e->tonnage);
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
        sqlite3_prepare_v2(db, "INSERT INTO watch_entries(wid, entry_id, list, name, imo, imo_company, mmsi, flag,"
                               " program, listed_on, vessel_type, aliases, former, former_flags, source, line,"
                               " callsign, gross_tonnage, tonnage) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
                               " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)", -1, &m.ins, NULL) != SQLITE_OK) {
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
                               has_column(s->db, "watch_entries", "callsign")
                                   ? "SELECT list, entry_id, name, imo, imo_company, mmsi, flag, program, listed_on,"
                                     " vessel_type, aliases, former, former_flags, source, line, callsign,"
                                     " gross_tonnage, tonnage FROM watch_entries ORDER BY wid, rowid"
                                   /* imported by an older version, read-only here */
                                   : "SELECT list, entry_id, name, imo, imo_company, mmsi, flag, program, listed_on,"
                                     " vessel_type, aliases, former, former_flags, source, line, NULL, 0, 0"
                                     " FROM watch_entries ORDER BY wid, rowid",
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
            e.callsign = col_text(q, 15, &oom);
            e.gross_tonnage = (uint32_t)sqlite3_column_int64(q, 16);
            e.tonnage = (uint32_t)sqlite3_column_int64(q, 17);
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

/* One identity row of the vessel being screened. */
typedef struct sc_row {
    char name[64], callsign[16];
    uint32_t imo;
    int shiptype, length, beam;
    int64_t first, last;
    uint32_t input;
    uint64_t line;
    unsigned clocks; /* 1 << pel_clock of its reports */
} sc_row;

/* Everything one vessel broadcast that can corroborate a name match. */
typedef struct sc_vessel {
    uint32_t mmsi;
    sc_row *r;
    size_t n, cap;
    char iso2[3];          /* the MMSI's country, "" when unknown */
    int category;          /* ship-type category (see category_ais), -1 unknown */
    int length, beam;      /* the largest reported, metres; 0 unknown */
} sc_vessel;

/* Kinds of craft, to compare an AIS ship type with a list's vessel type:
 * 30 fishing, 52 tug/towing, 60 passenger, 70 cargo, 80 tanker, 37
 * pleasure/sailing; -1 when the code says none of these. */
static int category_ais(int t) {
    if (t >= 80 && t <= 89)
        return 80;
    if (t >= 70 && t <= 79)
        return 70;
    if (t >= 60 && t <= 69)
        return 60;
    if (t == 30)
        return 30;
    if (t == 31 || t == 32 || t == 52)
        return 52;
    if (t == 36 || t == 37)
        return 37;
    return -1;
}

static bool has_word(const char *text, const char *w) {
    char up[128];
    size_t n = 0;
    for (; text && *text && n + 1 < sizeof up; text++)
        up[n++] = (char)(*text >= 'a' && *text <= 'z' ? *text - 'a' + 'A' : *text);
    up[n] = 0;
    return strstr(up, w) != NULL;
}

/* The same categories from a list's vessel type ("Crude Oil Tanker",
 * "General Cargo", "Tug", "Fishing Vessel"...). */
static int category_list(const char *t) {
    if (!t || !*t)
        return -1;
    if (has_word(t, "TANKER"))
        return 80;
    if (has_word(t, "FISH"))
        return 30;
    if (has_word(t, "TUG") || has_word(t, "TOW"))
        return 52;
    if (has_word(t, "PASSENGER") || has_word(t, "FERRY") || has_word(t, "CRUISE"))
        return 60;
    if (has_word(t, "YACHT") || has_word(t, "SAIL"))
        return 37;
    if (has_word(t, "CARGO") || has_word(t, "BULK") || has_word(t, "CONTAINER") || has_word(t, "CARRIER") ||
        has_word(t, "RO-RO") || has_word(t, "REEFER") || has_word(t, "REFRIGERAT"))
        return 70;
    return -1;
}

/* Gross tonnage from length and beam (metres), for a plausibility check
 * only: GT ~ 0.025 L^2 B holds within a factor of about 2 from tugs to
 * VLCCs (0.025 x 330^2 x 60 = 163,000 for a VLCC of about 160,000). */
static double gt_estimate(int length, int beam) { return 0.025 * length * length * beam; }

/* +1 when the list's tonnage fits the reported size, -1 when it cannot
 * (off by more than a factor of 5), 0 when either is unknown.  Gross
 * tonnage when the list gives it; its other figure (often deadweight,
 * about 1.5-2 times GT for a tanker) with a factor of 8. */
static int size_fits(const pel_wl_entry *e, const sc_vessel *v) {
    if (v->length <= 0 || v->beam <= 0)
        return 0;
    double est = gt_estimate(v->length, v->beam), t = e->gross_tonnage ? e->gross_tonnage : e->tonnage,
           f = e->gross_tonnage ? 5 : 8;
    if (t <= 0)
        return 0;
    return est <= t * f && est >= t / f ? 1 : -1;
}

/* True when the vessel's country is the entry's flag or a former flag. */
static int flag_fits(const pel_wl_entry *e, const sc_vessel *v, const geo_mid *mid) {
    if (!v->iso2[0])
        return 0;
    bool known = false;
    char iso[3];
    if (e->flag && geo_country_iso2(mid, e->flag, iso)) {
        known = true;
        if (!strcmp(iso, v->iso2))
            return 1;
    }
    for (size_t i = 0; i < e->nformer_flags; i++)
        if (geo_country_iso2(mid, e->former_flags[i], iso)) {
            known = true;
            if (!strcmp(iso, v->iso2))
                return 1;
        }
    return known ? -1 : 0;
}

/* The vessel broadcast a valid IMO number, and none of them is imo. */
static bool other_valid_imo(const sc_vessel *v, uint32_t imo) {
    bool any = false;
    for (size_t i = 0; i < v->n; i++)
        if (pel_imo_classify(v->r[i].imo) == PEL_IMO_VALID) {
            if (v->r[i].imo == imo)
                return false;
            any = true;
        }
    return any;
}

/* Screening results that are not findings: how many name matches were
 * dropped because the vessel broadcast a different valid IMO. */
typedef struct sc_counts {
    uint64_t dropped_imo_conflict;
    uint64_t dropped_contradicted; /* name alone, contradicted twice */
    bool oom; /* a query ran out of memory: the screening is incomplete */
} sc_counts;

/* What corroborates or contradicts a name match: at most these attributes
 * (docs/screening.md), names static. */
typedef struct attrs {
    const char *v[6];
    size_t n;
} attrs;

static void arr_add(attrs *a, const char *name) {
    if (a->n < sizeof a->v / sizeof a->v[0])
        a->v[a->n++] = name;
}

/* Days since 1970 of an ISO date "YYYY-MM-DD..." as milliseconds, or -1. */
static int64_t date_ms(const char *iso) {
    int64_t ms;
    if (!iso || strlen(iso) < 10 || !pel_parse_time(iso, 10, &ms))
        return -1;
    return ms;
}

static void screen_vessel(const sc_vessel *v, const pel_matcher *m, bool is_default, const geo_mid *mid,
                          fnd_emit_fn emit, void *ud, sc_counts *cnt) {
    pel_match mt[16], other[16];
    for (size_t ri = 0; ri < v->n; ri++) {
        const sc_row *r = &v->r[ri];
        const char *name = r->name[0] ? r->name : NULL;
        errno = 0;
        size_t k = pel_matcher_query(m, name && !pel_text_placeholder(name) ? name : NULL, r->imo, v->mmsi, 0, mt,
                                     16);
        if (!k && errno == ENOMEM) {
            cnt->oom = true;
            return;
        }
        for (size_t i = 0; i < k && i < 16; i++) {
            const pel_wl_entry *e = pel_matcher_entry(m, mt[i].entry);
            bool strong = mt[i].fields & (PEL_MATCH_IMO | PEL_MATCH_MMSI);
            attrs corr = {0}, contra = {0};
            if (!strong) {
                /* a name alone never stands against the ship's own valid IMO */
                if (e->imo && other_valid_imo(v, e->imo)) {
                    cnt->dropped_imo_conflict++;
                    continue;
                }
                char a[16], b[16];
                pel_text_key(e->callsign, a, sizeof a);
                for (size_t j = 0; a[0] && !pel_text_placeholder(e->callsign) && j < v->n; j++) {
                    pel_text_key(v->r[j].callsign, b, sizeof b);
                    if (!strcmp(a, b)) {
                        arr_add(&corr, "callsign");
                        break;
                    }
                }
                /* another name the vessel broadcast is also one of the entry's */
                char na[64], nb[64];
                pel_text_key(name, na, sizeof na);
                for (size_t j = 0; j < v->n; j++) {
                    pel_text_key(v->r[j].name, nb, sizeof nb);
                    if (!nb[0] || !strcmp(na, nb) || pel_text_placeholder(v->r[j].name))
                        continue;
                    errno = 0;
                    size_t ko = pel_matcher_query(m, v->r[j].name, 0, 0, 0, other, 16);
                    if (!ko && errno == ENOMEM)
                        cnt->oom = true;
                    bool same = false;
                    for (size_t o = 0; o < ko && o < 16 && !same; o++)
                        same = other[o].entry == mt[i].entry && (other[o].fields & PEL_MATCH_NAME);
                    if (same) {
                        arr_add(&corr, "other_name");
                        break;
                    }
                }
                int ff = flag_fits(e, v, mid);
                if (ff > 0)
                    arr_add(&corr, "flag");
                else if (ff < 0)
                    arr_add(&contra, "flag");
                int lc = category_list(e->vessel_type), sz = size_fits(e, v);
                if (lc >= 0 && v->category >= 0) {
                    if (lc == v->category && sz >= 0)
                        arr_add(&corr, sz > 0 ? "vessel_type_and_size" : "vessel_type");
                    else if (lc != v->category)
                        arr_add(&contra, "vessel_type");
                }
                if (sz < 0)
                    arr_add(&contra, "size");
            }
            /* a name alone that two independent attributes contradict (a US
             * tug named like an Iranian tanker: flag and type) is another ship */
            if (!strong && corr.n == 0 && contra.n >= 2) {
                cnt->dropped_contradicted++;
                continue;
            }
            const char *conf = strong ? "high" : corr.n > 0 ? "medium" : "low";
            fnd_builder f = {0};
            f.event = "watchlist_match";
            f.mmsi = v->mmsi;
            f.start_ms = r->first;
            f.end_ms = r->last;
            f.lat = f.lon = NAN;
            char listname[64];
            snprintf(listname, sizeof listname, "%s%s", e->list ? e->list : "", is_default ? " (default)" : "");
            fnd_str(&f, "list", listname);
            fnd_str(&f, "entry", e->entry_id);
            fnd_str(&f, "entry_name", e->name);
            fnd_str(&f, "program", e->program);
            if (e->imo)
                fnd_int(&f, "entry_imo", e->imo);
            fnd_num(&f, "score", mt[i].score, 3);
            attrs on = {0};
            if (mt[i].fields & PEL_MATCH_IMO)
                arr_add(&on, "imo");
            if (mt[i].fields & PEL_MATCH_MMSI)
                arr_add(&on, "mmsi");
            if (mt[i].fields & PEL_MATCH_NAME)
                arr_add(&on, "name");
            fnd_strs(&f, "matched_on", on.v, on.n);
            fnd_str(&f, "confidence", conf);
            if (!strong) {
                fnd_strs(&f, "corroborated_by", corr.v, corr.n);
                fnd_strs(&f, "contradicted_by", contra.v, contra.n);
            }
            if (mt[i].fields & PEL_MATCH_NAME) {
                fnd_str(&f, "matched_name", mt[i].matched_name);
                fnd_str(&f, "matched_name_kind", mt[i].name_kind == 0   ? "primary"
                                                 : mt[i].name_kind == 1 ? "alias"
                                                                        : "former");
            }
            fnd_str(&f, "identity_name", name);
            if (r->imo)
                fnd_int(&f, "identity_imo", r->imo);
            fnd_str(&f, "identity_callsign", r->callsign);
            /* when the list says it designated the vessel: were these
             * reports made before that? (then they show the ship, not an
             * evasion of the designation) */
            fnd_str(&f, "listed_on", e->listed_on);
            int64_t lms = date_ms(e->listed_on);
            if (lms >= 0)
                fnd_bool(&f, "heard_before_listing", r->last < lms);
            pel_position p = {.input = r->input, .line = r->line};
            if (r->input)
                fnd_add_position(&f, &p);
            f.clocks |= r->clocks;
            emit(ud, &f);
        }
    }
}

pel_status sc_screen(pel_store *s, const pel_matcher *m, bool is_default, const geo_mid *mid, fnd_emit_fn emit,
                     void *ud, uint64_t *dropped, pel_error *err) {
    sqlite3_stmt *q;
    /* every vessel with positions or identities: identities first (a
     * vessel without one is screened on its MMSI alone) */
    if (sqlite3_prepare_v2(s->db,
                           "SELECT mmsi, name, imo, callsign, shiptype, to_bow, to_stern, to_port, to_starboard,"
                           " first_ms, last_ms, first_input, first_line, clocks FROM identities"
                           " UNION ALL SELECT mmsi, NULL, 0, '', -1, -1, -1, -1, -1, first_ms, last_ms, 0, 0, 0"
                           " FROM vessels WHERE mmsi NOT IN (SELECT mmsi FROM identities)"
                           " ORDER BY 1, 10, 2, 3, 4",
                           -1, &q, NULL) != SQLITE_OK)
        return st_error(s, err, "reading identities");
    sc_vessel v = {0};
    sc_counts cnt = {0};
    pel_status st = PEL_OK;
    int rc;
    for (;;) {
        rc = sqlite3_step(q);
        uint32_t mmsi = rc == SQLITE_ROW ? (uint32_t)sqlite3_column_int64(q, 0) : 0;
        if ((rc != SQLITE_ROW || mmsi != v.mmsi) && v.n) {
            screen_vessel(&v, m, is_default, mid, emit, ud, &cnt);
            v.n = 0;
        }
        if (rc != SQLITE_ROW)
            break;
        if (v.n == 0) {
            v.mmsi = mmsi;
            v.iso2[0] = 0;
            v.category = -1;
            v.length = v.beam = 0;
            if (mid)
                geo_mid_country(mid, mmsi, v.iso2);
        }
        if (v.n == v.cap) {
            size_t nc = v.cap ? 2 * v.cap : 16;
            sc_row *nr = realloc(v.r, nc * sizeof *nr);
            if (!nr) {
                st = PEL_ERR_NOMEM;
                break;
            }
            v.r = nr;
            v.cap = nc;
        }
        sc_row *r = &v.r[v.n++];
        const char *nm = (const char *)sqlite3_column_text(q, 1), *cs = (const char *)sqlite3_column_text(q, 3);
        snprintf(r->name, sizeof r->name, "%s", nm ? nm : "");
        snprintf(r->callsign, sizeof r->callsign, "%s", cs ? cs : "");
        r->imo = (uint32_t)sqlite3_column_int64(q, 2);
        r->shiptype = sqlite3_column_int(q, 4);
        int bow = sqlite3_column_int(q, 5), stern = sqlite3_column_int(q, 6), port = sqlite3_column_int(q, 7),
            stbd = sqlite3_column_int(q, 8);
        r->length = bow > 0 || stern > 0 ? (bow > 0 ? bow : 0) + (stern > 0 ? stern : 0) : 0;
        r->beam = port > 0 || stbd > 0 ? (port > 0 ? port : 0) + (stbd > 0 ? stbd : 0) : 0;
        r->first = sqlite3_column_int64(q, 9);
        r->last = sqlite3_column_int64(q, 10);
        r->input = (uint32_t)sqlite3_column_int64(q, 11);
        r->line = (uint64_t)sqlite3_column_int64(q, 12);
        r->clocks = (unsigned)sqlite3_column_int64(q, 13);
        if (category_ais(r->shiptype) >= 0)
            v.category = category_ais(r->shiptype);
        if (r->length > v.length)
            v.length = r->length;
        if (r->beam > v.beam)
            v.beam = r->beam;
    }
    sqlite3_finalize(q);
    free(v.r);
    if (dropped)
        *dropped = cnt.dropped_imo_conflict;
    if (st == PEL_OK && cnt.oom)
        st = sc_nomem(err);
    if (st == PEL_OK && rc != SQLITE_DONE)
        st = st_error(s, err, "reading identities");
    return st;
}

pel_status pel_screen(pel_store *s, const char *data_dir, FILE *out, pel_findings_format fmt, uint64_t *matches,
                      pel_error *err) {
    pel_matcher *m;
    bool dflt;
    pel_status st = sc_load_matcher(s, data_dir, &m, &dflt, err);
    if (st != PEL_OK)
        return st;
    fnd_set *c = fnd_set_new();
    geo_mid *mid = NULL;
    char mp[4096];
    snprintf(mp, sizeof mp, "%s/mid.csv", geo_data_dir(data_dir));
    st = c ? geo_mid_load(mp, &mid, err) : PEL_ERR_NOMEM;
    if (st == PEL_OK)
        st = sc_screen(s, m, dflt, mid, fnd_set_push, c, NULL, err);
    geo_mid_free(mid);
    if (st == PEL_OK && c->failed != PEL_OK)
        st = c->failed;
    if (st == PEL_OK) {
        fnd_set_sort(c);
        char **paths = NULL;
        size_t np = 0;
        st = st_input_paths(s, &paths, &np);
        fnd_set_paths(c, paths, np);
        if (st == PEL_ERR_IO)
            st = st_error(s, err, "reading the inputs");
        if (st == PEL_OK && (st = fnd_write(out, fmt, c)) != PEL_OK && err && !err->msg[0]) {
            err->code = st;
            snprintf(err->msg, sizeof err->msg, "writing the matches: %s",
                     st == PEL_ERR_NOMEM ? "out of memory" : strerror(errno));
        }
    }
    if (st != PEL_OK && err && !err->msg[0]) {
        err->code = st;
        snprintf(err->msg, sizeof err->msg, "%s", st == PEL_ERR_NOMEM ? "out of memory" : "screening failed");
    }
    if (matches)
        *matches = c ? c->n : 0;
    fnd_set_free(c);
    pel_matcher_free(m);
    return st;
}
