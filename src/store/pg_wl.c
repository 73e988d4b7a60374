/*
 * pg_wl.c -- the PostgreSQL backend's watchlists (as sqlite_watch.c): one
 * row of watchlists per import and one row of watch_entries per vessel
 * entry, in the order imported (watch_entries.seq); names, aliases,
 * former names and former flags as text, one name a line.  An import is
 * one transaction: a list is stored whole or not at all.  The tables are
 * part of the schema (pg_schema.sql), so there is nothing to set up.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "st_shared.h"
#include "util/fail.h"

static pel_status no_memory(pel_error *err) {
    return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
}

pel_status pg_wl_setup(pel_store *base, pel_error *err) {
    (void)base;
    (void)err;
    return PEL_OK;
}

pel_status pg_wl_known(pel_store *base, const char *sha256, bool *known, pel_error *err) {
    static const pg_stmt q = {"SELECT 1 FROM watchlists WHERE sha256 = $1"};
    pg_par p = {0};
    pg_par_text(&p, sha256);
    *known = false;
    PGresult *r = pg_run(pg_of(base), &q, &p, false, err, "watchlists");
    if (!r)
        return PEL_ERR_IO;
    *known = PQntuples(r) > 0;
    PQclear(r);
    return PEL_OK;
}

/* ---- import -------------------------------------------------------------------------------- */

struct st_wl_import {
    pel_store *s; /* first: store.c reads the table through it */
    int64_t wid;
};

st_wl_import *pg_wl_import_begin(pel_store *base, const char *sha256, const char *sources, pel_error *err) {
    static const pg_stmt q = {"INSERT INTO watchlists(list, sources, sha256, imported, entries) VALUES ('', $1, $2,"
                              " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 0) RETURNING id"};
    pg_store *s = pg_of(base);
    st_wl_import *m = calloc(1, sizeof *m);
    if (!m) {
        no_memory(err);
        return NULL;
    }
    m->s = base;
    if (pg_begin(base, err) != PEL_OK) {
        free(m);
        return NULL;
    }
    pg_par p = {0};
    pg_par_text(&p, sources);
    pg_par_text(&p, sha256);
    PGresult *r = pg_run(s, &q, &p, false, err, "watchlists");
    if (!r) {
        pg_rollback(base);
        free(m);
        return NULL;
    }
    m->wid = pg_i64(r, 0, 0);
    PQclear(r);
    return m;
}

pel_status pg_wl_import_add(st_wl_import *m, const pel_wl_entry *e, pel_error *err) {
    static const pg_stmt q = {
        "INSERT INTO watch_entries(wid, entry_id, list, name, imo, imo_company, mmsi, flag, program, listed_on,"
        " vessel_type, aliases, former, former_flags, source, line, callsign, gross_tonnage, tonnage)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"};
    char *al = st_join_names(e->aliases, e->naliases), *fo = st_join_names(e->former, e->nformer),
         *ff = st_join_names(e->former_flags, e->nformer_flags);
    pel_status st = PEL_OK;
    if (!al || !fo || !ff)
        st = no_memory(err);
    else {
        pg_par p = {0};
        pg_par_i64(&p, m->wid);
        pg_par_text(&p, e->entry_id ? e->entry_id : "");
        pg_par_text(&p, e->list ? e->list : "");
        pg_par_text(&p, e->name ? e->name : "");
        pg_par_i64(&p, e->imo);
        pg_par_i64(&p, e->imo_company);
        pg_par_i64(&p, e->mmsi);
        pg_par_text(&p, e->flag);
        pg_par_text(&p, e->program);
        pg_par_text(&p, e->listed_on);
        pg_par_text(&p, e->vessel_type);
        pg_par_text(&p, al);
        pg_par_text(&p, fo);
        pg_par_text(&p, ff);
        pg_par_text(&p, e->source);
        pg_par_i64(&p, (int64_t)e->line);
        pg_par_text(&p, e->callsign);
        pg_par_i64(&p, e->gross_tonnage);
        pg_par_i64(&p, e->tonnage);
        st = pg_do(pg_of(m->s), &q, &p, err, "storing list entries");
    }
    free(al);
    free(fo);
    free(ff);
    return st;
}

pel_status pg_wl_import_end(st_wl_import *m, bool ok, bool replace, const char *list, uint64_t entries,
                            const char *newest, pel_error *err) {
    static const pg_stmt del_entries = {"DELETE FROM watch_entries WHERE list = $1 AND wid <> $2"};
    static const pg_stmt del_lists = {"DELETE FROM watchlists WHERE list = $1 AND id <> $2"};
    static const pg_stmt done = {"UPDATE watchlists SET list = $1, entries = $2, newest_listing = $3 WHERE id = $4"};
    pg_store *s = pg_of(m->s);
    pel_status st = ok ? PEL_OK : PEL_ERR_IO;
    if (st == PEL_OK && replace && list && list[0]) { /* the new import replaces the earlier ones of the same list */
        pg_par p = {0};
        pg_par_text(&p, list);
        pg_par_i64(&p, m->wid);
        st = pg_do(s, &del_entries, &p, err, "replacing the earlier imports");
        if (st == PEL_OK)
            st = pg_do(s, &del_lists, &p, err, "replacing the earlier imports");
    }
    if (st == PEL_OK) {
        pg_par p = {0};
        pg_par_text(&p, list ? list : "");
        pg_par_i64(&p, (int64_t)entries);
        pg_par_text(&p, newest && newest[0] ? newest : NULL);
        pg_par_i64(&p, m->wid);
        st = pg_do(s, &done, &p, err, "recording the import");
    }
    if (st == PEL_OK)
        st = pg_commit(m->s, "committing the watchlist", err);
    else
        pg_rollback(m->s); /* never a list in part */
    free(m);
    return st;
}

/* ---- reading ------------------------------------------------------------------------------ */

pel_status pg_wl_count(pel_store *base, int64_t *n, pel_error *err) {
    static const pg_stmt q = {"SELECT count(*) FROM watch_entries"};
    *n = 0;
    PGresult *r = pg_run(pg_of(base), &q, NULL, false, err, "reading the watchlists");
    if (!r)
        return PEL_ERR_IO;
    *n = pg_i64(r, 0, 0);
    PQclear(r);
    return PEL_OK;
}

/* A cursor over the entries: the row's names split into arrays it owns. */
typedef struct wl_iter {
    pg_iter it;
    char *al, *fo, *ff; /* the current row's names, split in place */
    const char **va, **vf, **vff;
} wl_iter;

static void wl_row_free(wl_iter *w) {
    free(w->va);
    free(w->vf);
    free(w->vff);
    free(w->al);
    free(w->fo);
    free(w->ff);
    w->va = w->vf = w->vff = NULL;
    w->al = w->fo = w->ff = NULL;
}

static void wl_iter_free(st_iter *base) {
    wl_row_free((wl_iter *)base);
    pg_iter_free(base);
}

static int wl_entry_next(st_iter *base, void *row, pel_error *err) {
    wl_iter *w = (wl_iter *)base;
    wl_row_free(w);
    int rc = pg_iter_step(&w->it, err);
    if (rc <= 0)
        return rc;
    const PGresult *q = w->it.r;
    int i = w->it.row;
    w->al = strdup(PQgetvalue(q, i, 10));
    w->fo = strdup(PQgetvalue(q, i, 11));
    w->ff = strdup(PQgetvalue(q, i, 12));
    pel_wl_entry *e = row;
    memset(e, 0, sizeof *e);
    e->list = pg_txt(q, i, 0);
    e->entry_id = pg_txt(q, i, 1);
    e->name = pg_txt(q, i, 2);
    e->imo = (uint32_t)pg_i64(q, i, 3);
    e->imo_company = (uint32_t)pg_i64(q, i, 4);
    e->mmsi = (uint32_t)pg_i64(q, i, 5);
    e->flag = pg_txt(q, i, 6);
    e->program = pg_txt(q, i, 7);
    e->listed_on = pg_txt(q, i, 8);
    e->vessel_type = pg_txt(q, i, 9);
    e->source = pg_txt(q, i, 13);
    e->line = (uint64_t)pg_i64(q, i, 14);
    e->callsign = pg_txt(q, i, 15);
    e->gross_tonnage = (uint32_t)pg_i64(q, i, 16);
    e->tonnage = (uint32_t)pg_i64(q, i, 17);
    w->va = st_split_names(w->al, &e->naliases);
    w->vf = st_split_names(w->fo, &e->nformer);
    w->vff = st_split_names(w->ff, &e->nformer_flags);
    e->aliases = w->va;
    e->former = w->vf;
    e->former_flags = w->vff;
    /* st_split_names gives NULL for "" and when out of memory */
    if (!w->al || !w->fo || !w->ff || (!w->va && *w->al) || (!w->vf && *w->fo) || (!w->vff && *w->ff)) {
        no_memory(err);
        return -PEL_ERR_NOMEM;
    }
    return 1;
}

st_iter *pg_wl_entries(pel_store *base, pel_error *err) {
    static const pg_stmt q = {"SELECT list, entry_id, name, imo, imo_company, mmsi, flag, program, listed_on,"
                              " vessel_type, aliases, former, former_flags, source, line, callsign, gross_tonnage,"
                              " tonnage FROM watch_entries ORDER BY wid, seq"};
    wl_iter *w = (wl_iter *)pg_iter_new(pg_of(base), ST_IT_WL_ENTRY, sizeof *w, wl_entry_next, &q, NULL, false, true,
                                        err, "reading the watchlists");
    if (!w)
        return NULL;
    w->it.base.free = wl_iter_free;
    return &w->it.base;
}

static int wl_list_next(st_iter *base, void *row, pel_error *err) {
    pg_iter *it = (pg_iter *)base;
    int rc = pg_iter_step(it, err);
    if (rc <= 0)
        return rc;
    const PGresult *q = it->r;
    int i = it->row;
    st_wl_summary *w = row;
    w->list = pg_txt(q, i, 0);
    w->imported = pg_txt(q, i, 1);
    w->newest_listing = pg_txt(q, i, 2);
    w->sources = pg_txt(q, i, 3);
    w->entries = pg_i64(q, i, 4);
    w->with_imo = pg_i64(q, i, 5);
    w->with_mmsi = pg_i64(q, i, 6);
    w->with_other_names = pg_i64(q, i, 7);
    w->days_ago = pg_i64(q, i, 8);
    return 1;
}

st_iter *pg_wl_lists(pel_store *base, pel_error *err) {
    static const pg_stmt q = {
        "SELECT w.list, w.imported, w.newest_listing, w.sources, count(e.wid), sum((e.imo > 0)::int),"
        " sum((e.mmsi > 0)::int), sum((e.aliases <> '' OR e.former <> '')::int),"
        " trunc(extract(epoch FROM now() - w.imported::timestamptz) / 86400)::bigint"
        " FROM watchlists w LEFT JOIN watch_entries e ON e.wid = w.id GROUP BY w.id ORDER BY w.id"};
    pg_iter *it = pg_iter_new(pg_of(base), ST_IT_WL_LIST, sizeof *it, wl_list_next, &q, NULL, false, false, err,
                              "reading the watchlists");
    return it ? &it->base : NULL;
}
