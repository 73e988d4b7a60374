/*
 * sqlite_read.c -- what the SQLite backend reads: the inputs' paths,
 * vessels and their segments, chunks of positions by vessel or by box and
 * period (the R*Tree over the chunks' boxes narrows a box to the chunks
 * that can meet it), the coverage map and the sources, identities, voyage reports
 * and their latest values, IMO numbers shared, and the dump.  Cursors hold
 * a kept statement (sq_take) while they run.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "track/trk.h"
#include "util/fail.h"

static pel_status no_memory(pel_error *err, const char *what) {
    return pel_fail(err, PEL_ERR_NOMEM, "out of memory %s", what);
}

/* ---- inputs ------------------------------------------------------------------------------ */

/* The texts of a statement of rows (id, text) -- ids the rowids a table
 * hands out one by one -- as an array indexed by id (NULL where no row):
 * *out and each text are the caller's (*n entries), also on an error.
 * what names the reading in err. */
static pel_status id_texts(sq_store *s, int which, const char *what, char ***out, size_t *n, pel_error *err) {
    char **texts = NULL;
    size_t nt = 0;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *q = sq_get(s, which, err, what);
    if (!q)
        return PEL_ERR_IO;
    pel_status st = PEL_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(q, 0);
        if (id < 0 || id > 100000000) /* ids are rowids handed out one by one */
            continue;
        if ((size_t)id >= nt) {
            char **nv = realloc(texts, ((size_t)id + 1) * sizeof *nv);
            if (!nv) {
                st = no_memory(err, what);
                break;
            }
            memset(nv + nt, 0, ((size_t)id + 1 - nt) * sizeof *nv);
            texts = nv;
            nt = (size_t)id + 1;
        }
        const char *t = (const char *)sqlite3_column_text(q, 1);
        if (!t || !(texts[id] = strdup(t))) { /* a path lost would drop the file from the evidence */
            st = no_memory(err, what);
            break;
        }
    }
    if (st == PEL_OK && rc != SQLITE_DONE)
        st = sqlite3_errcode(s->db) == SQLITE_NOMEM ? no_memory(err, what) : sq_error(s, err, what);
    sqlite3_reset(q);
    *out = texts;
    *n = nt;
    return st;
}

pel_status sq_input_paths(pel_store *base, char ***out, size_t *n, pel_error *err) {
    return id_texts(sq_of(base), SQ_INPUT_PATHS, "reading the inputs", out, n, err);
}

/* ---- vessels ----------------------------------------------------------------------------- */

pel_status sq_vessel_get(pel_store *base, uint32_t mmsi, st_vessel *v, bool *found, pel_error *err) {
    sq_store *s = sq_of(base);
    memset(v, 0, sizeof *v);
    v->mmsi = mmsi;
    *found = false;
    sqlite3_stmt *q = sq_get(s, SQ_VESSEL_GET, err, "query");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, mmsi);
    if (sqlite3_step(q) == SQLITE_ROW) {
        *found = true;
        v->has_times = sqlite3_column_type(q, 0) != SQLITE_NULL;
        v->first_ms = sqlite3_column_int64(q, 0);
        v->last_ms = sqlite3_column_int64(q, 1);
        v->positions = (uint64_t)sqlite3_column_int64(q, 2);
        v->flagged = (uint64_t)sqlite3_column_int64(q, 3);
        v->segments = (uint64_t)sqlite3_column_int64(q, 4);
        v->distance_m = sqlite3_column_double(q, 5);
        v->duplicates = (uint64_t)sqlite3_column_int64(q, 6);
        v->dirty = sqlite3_column_int(q, 7) != 0;
    }
    sqlite3_reset(q);
    return PEL_OK;
}

pel_status sq_vessel_find(pel_store *base, st_find how, uint32_t number, const char *key, uint32_t *out, size_t cap,
                          size_t *n, pel_error *err) {
    static const char *const sql[] = {
        [ST_FIND_MMSI] = "SELECT ?1 WHERE EXISTS (SELECT 1 FROM vessels WHERE mmsi = ?1)"
                         " OR EXISTS (SELECT 1 FROM identities WHERE mmsi = ?1)",
        [ST_FIND_IMO] = "SELECT DISTINCT mmsi FROM identities WHERE imo = ?1 ORDER BY mmsi",
        [ST_FIND_IMO_OR_MMSI] = "SELECT mmsi FROM (SELECT mmsi FROM identities WHERE imo = ?1 UNION"
                                " SELECT mmsi FROM vessels WHERE mmsi = ?1) ORDER BY mmsi",
        [ST_FIND_NAME] = "SELECT DISTINCT mmsi FROM identities WHERE nname = ?1 ORDER BY mmsi",
    };
    sq_store *s = sq_of(base);
    *n = 0;
    sqlite3_stmt *q;
    if ((unsigned)how > ST_FIND_NAME || sqlite3_prepare_v2(s->db, sql[how], -1, &q, NULL) != SQLITE_OK)
        return sq_error(s, err, "query");
    if (how == ST_FIND_NAME)
        sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int64(q, 1, number);
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (*n < cap)
            out[*n] = (uint32_t)sqlite3_column_int64(q, 0);
        (*n)++;
    }
    sqlite3_finalize(q);
    return PEL_OK;
}

bool sq_data_span(pel_store *base, int64_t *first_ms, int64_t *last_ms) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_SPAN, NULL, NULL);
    bool ok = false;
    if (!q)
        return false;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
        *first_ms = sqlite3_column_int64(q, 0);
        *last_ms = sqlite3_column_int64(q, 1);
        ok = true;
    }
    sqlite3_reset(q);
    return ok;
}

static int segment_next(st_iter *base, void *row, pel_error *err) {
    sq_iter *it = (sq_iter *)base;
    int rc = sq_iter_step(it, err);
    if (rc > 0) {
        sqlite3_stmt *q = it->st;
        st_segment *g = row;
        g->mmsi = (uint32_t)sqlite3_column_int64(q, 0);
        g->seg = sqlite3_column_int(q, 1);
        g->t0 = sqlite3_column_int64(q, 2);
        g->t1 = sqlite3_column_int64(q, 3);
        g->n = (uint64_t)sqlite3_column_int64(q, 4);
        g->distance_m = sqlite3_column_double(q, 5);
        g->lat0 = sqlite3_column_int(q, 6);
        g->lon0 = sqlite3_column_int(q, 7);
        g->lat1 = sqlite3_column_int(q, 8);
        g->lon1 = sqlite3_column_int(q, 9);
        g->parallel = sqlite3_column_int(q, 10) != 0;
    }
    return rc;
}

st_iter *sq_segments_of(pel_store *base, uint32_t mmsi, int32_t after, size_t limit, pel_error *err) {
    sq_iter *it =
        sq_iter_new(sq_of(base), ST_IT_SEGMENT, SQ_SEG_LIST, sizeof *it, segment_next, err, "reading segments");
    if (!it)
        return NULL;
    sqlite3_bind_int64(it->st, 1, mmsi);
    sqlite3_bind_int64(it->st, 2, after);
    sqlite3_bind_int64(it->st, 3, limit ? (sqlite3_int64)limit : -1);
    return &it->base;
}

/* ---- positions ----------------------------------------------------------------------------- */

static int chunk_next(st_iter *base, void *row, pel_error *err) {
    sq_iter *it = (sq_iter *)base;
    int rc = sq_iter_step(it, err);
    if (rc > 0)
        *(uint32_t *)row = (uint32_t)sqlite3_column_int64(it->st, 0);
    return rc;
}

static pel_status chunk_read(st_iter *base, pel_position **buf, size_t *cap, size_t at, size_t *n, pel_error *err) {
    sq_iter *it = (sq_iter *)base;
    sqlite3_stmt *q = it->st;
    const uint8_t *blob = sqlite3_column_blob(q, 1);
    size_t len = (size_t)sqlite3_column_bytes(q, 1);
    long c = trk_count(blob, len);
    *n = 0;
    if (c < 0)
        return sq_error(it->q, err, "a stored chunk is corrupt");
    if (at + (size_t)c > *cap) {
        size_t ncap = *cap ? *cap : 1024;
        while (ncap < at + (size_t)c)
            ncap *= 2;
        pel_position *np = realloc(*buf, ncap * sizeof *np);
        if (!np)
            return no_memory(err, "reading tracks");
        *buf = np;
        *cap = ncap;
    }
    if (trk_decode(blob, len, (uint32_t)sqlite3_column_int64(q, 0), *buf + at, (size_t)c) != c)
        return sq_error(it->q, err, "a stored chunk is corrupt");
    *n = (size_t)c;
    return PEL_OK;
}

st_iter *sq_chunks(pel_store *base, const st_area *a, pel_error *err) {
    int i = a->has_mmsi && a->last_before && a->has_to ? SQ_CHUNK_BEFORE
            : a->has_mmsi                              ? SQ_CHUNKS_VESSEL
            : a->has_box                               ? SQ_CHUNKS_BOX
                                                       : SQ_CHUNKS_TIME;
    sq_iter *it = sq_iter_new(sq_of(base), ST_IT_CHUNK, i, sizeof *it, chunk_next, err, "reading tracks");
    if (!it)
        return NULL;
    it->base.read = chunk_read;
    sqlite3_stmt *q = it->st;
    if (a->has_mmsi) {
        sqlite3_bind_int64(q, 1, a->mmsi);
        if (i == SQ_CHUNK_BEFORE)
            sqlite3_bind_int64(q, 2, a->to_ms);
    } else if (a->has_box) {
        /* the R*Tree keeps minutes: a minute either side */
        sqlite3_bind_int64(q, 1, a->lat0);
        sqlite3_bind_int64(q, 2, a->lat1);
        sqlite3_bind_int64(q, 3, a->lon0);
        sqlite3_bind_int64(q, 4, a->lon1);
        sqlite3_bind_int64(q, 5, a->has_from ? a->from_ms / 60000 - 1 : INT32_MIN);
        sqlite3_bind_int64(q, 6, a->has_to ? a->to_ms / 60000 + 1 : INT32_MAX);
    } else {
        sqlite3_bind_int64(q, 1, a->has_from ? a->from_ms : INT64_MIN);
        sqlite3_bind_int64(q, 2, a->has_to ? a->to_ms : INT64_MAX);
    }
    return &it->base;
}

/* The coverage map: a cell's rows, and the rows of the whole map by
 * station and hours (docs/coverage.md). */
static int cov_row_next(st_iter *base, void *row, pel_error *err) {
    sq_iter *it = (sq_iter *)base;
    int rc = sq_iter_step(it, err);
    if (rc > 0) {
        st_cov_row *r = row;
        sqlite3_stmt *q = it->st;
        r->cell = (uint32_t)sqlite3_column_int64(q, 0);
        r->station = (uint32_t)sqlite3_column_int64(q, 1);
        r->hour = sqlite3_column_int64(q, 2);
        r->positions = (uint32_t)sqlite3_column_int64(q, 3);
        r->seen = (uint64_t)sqlite3_column_int64(q, 4);
        r->vessels = (uint32_t)__builtin_popcountll(r->seen);
        r->slots = (uint8_t)sqlite3_column_int64(q, 5);
    }
    return rc;
}

st_iter *sq_coverage_cell(pel_store *base, uint32_t cell, int64_t from_hour, int64_t to_hour, pel_error *err) {
    sq_iter *it =
        sq_iter_new(sq_of(base), ST_IT_COV_ROW, SQ_COV_CELL, sizeof *it, cov_row_next, err, "reading the coverage");
    if (it) {
        sqlite3_bind_int64(it->st, 1, cell);
        sqlite3_bind_int64(it->st, 2, from_hour);
        sqlite3_bind_int64(it->st, 3, to_hour);
    }
    return it ? &it->base : NULL;
}

st_iter *sq_coverage_rows(pel_store *base, st_cov_which which, uint32_t station, int64_t from_hour, int64_t to_hour,
                          pel_error *err) {
    int q = which == ST_COV_STATIONS ? SQ_COV_STATIONS
            : which == ST_COV_EVERY  ? SQ_COV_EVERY
            : which == ST_COV_STORED ? SQ_COV_STORED
                                     : SQ_COV_ROWS;
    sq_iter *it = sq_iter_new(sq_of(base), ST_IT_COV_ROW, q, sizeof *it, cov_row_next, err, "reading the coverage");
    if (!it)
        return NULL;
    sqlite3_bind_int64(it->st, 1, which == ST_COV_STATION ? station : 0);
    sqlite3_bind_int64(it->st, 2, from_hour);
    sqlite3_bind_int64(it->st, 3, to_hour);
    return &it->base;
}

pel_status sq_source_names(pel_store *base, char ***out, size_t *n, pel_error *err) {
    return id_texts(sq_of(base), SQ_SOURCES, "reading the sources", out, n, err);
}

/* ---- identities and voyages ------------------------------------------------------------------ */

/* The columns of every identity statement (sqlite_open.c): mmsi, name,
 * imo, callsign, shiptype, the four distances, first_ms, last_ms, reports,
 * first_input, first_line, clocks, then the path (SQ_IDENT_OF) or the
 * bare flag (SQ_IDENT_ALL_BARE). */
static int ident_next(st_iter *base, void *row, pel_error *err) {
    sq_iter *it = (sq_iter *)base;
    int rc = sq_iter_step(it, err);
    if (rc <= 0)
        return rc;
    sqlite3_stmt *q = it->st;
    st_ident_row *r = row;
    const char *name = (const char *)sqlite3_column_text(q, 1), *cs = (const char *)sqlite3_column_text(q, 3);
    if ((!name && sqlite3_column_type(q, 1) != SQLITE_NULL) || (!cs && sqlite3_column_type(q, 3) != SQLITE_NULL)) {
        no_memory(err, "reading identities");
        return -PEL_ERR_NOMEM;
    }
    r->mmsi = (uint32_t)sqlite3_column_int64(q, 0);
    r->name = name ? name : "";
    r->imo = (uint32_t)sqlite3_column_int64(q, 2);
    r->callsign = cs ? cs : "";
    r->shiptype = sqlite3_column_int(q, 4);
    r->to_bow = sqlite3_column_int(q, 5);
    r->to_stern = sqlite3_column_int(q, 6);
    r->to_port = sqlite3_column_int(q, 7);
    r->to_starboard = sqlite3_column_int(q, 8);
    r->first_ms = sqlite3_column_int64(q, 9);
    r->last_ms = sqlite3_column_int64(q, 10);
    r->reports = (uint64_t)sqlite3_column_int64(q, 11);
    r->first_input = sqlite3_column_int64(q, 12);
    r->first_line = (uint64_t)sqlite3_column_int64(q, 13);
    r->clocks = (unsigned)sqlite3_column_int64(q, 14);
    r->first_path = it->i == SQ_IDENT_OF ? (const char *)sqlite3_column_text(q, 15) : NULL;
    r->bare = it->i == SQ_IDENT_ALL_BARE && sqlite3_column_int(q, 15) != 0;
    return 1;
}

st_iter *sq_identities_of(pel_store *base, uint32_t mmsi, pel_error *err) {
    sq_iter *it = sq_iter_new(sq_of(base), ST_IT_IDENT, SQ_IDENT_OF, sizeof *it, ident_next, err, "reading identities");
    if (it)
        sqlite3_bind_int64(it->st, 1, mmsi);
    return it ? &it->base : NULL;
}

st_iter *sq_identities_all(pel_store *base, bool bare_vessels, pel_error *err) {
    sq_iter *it = sq_iter_new(sq_of(base), ST_IT_IDENT, bare_vessels ? SQ_IDENT_ALL_BARE : SQ_IDENT_ALL, sizeof *it,
                              ident_next, err, "reading identities");
    return it ? &it->base : NULL;
}

static int name_next(st_iter *base, void *row, pel_error *err) {
    sq_iter *it = (sq_iter *)base;
    int rc = sq_iter_step(it, err);
    if (rc > 0)
        *(const char **)row = (const char *)sqlite3_column_text(it->st, 0);
    return rc;
}

st_iter *sq_names_of(pel_store *base, uint32_t mmsi, pel_error *err) {
    sq_iter *it = sq_iter_new(sq_of(base), ST_IT_NAME, SQ_NAMES_OF, sizeof *it, name_next, err, "reading names");
    if (it)
        sqlite3_bind_int64(it->st, 1, mmsi);
    return it ? &it->base : NULL;
}

static int imo_pair_next(st_iter *base, void *row, pel_error *err) {
    sq_iter *it = (sq_iter *)base;
    int rc = sq_iter_step(it, err);
    if (rc > 0) {
        sqlite3_stmt *q = it->st;
        st_imo_pair *p = row;
        p->imo = (uint32_t)sqlite3_column_int64(q, 0);
        p->mmsi_a = (uint32_t)sqlite3_column_int64(q, 1);
        p->mmsi_b = (uint32_t)sqlite3_column_int64(q, 2);
        p->a_first_ms = sqlite3_column_int64(q, 3);
        p->a_last_ms = sqlite3_column_int64(q, 4);
        p->b_first_ms = sqlite3_column_int64(q, 5);
        p->b_last_ms = sqlite3_column_int64(q, 6);
        p->a_input = sqlite3_column_int64(q, 7);
        p->a_line = (uint64_t)sqlite3_column_int64(q, 8);
        p->b_input = sqlite3_column_int64(q, 9);
        p->b_line = (uint64_t)sqlite3_column_int64(q, 10);
        p->clocks = (unsigned)sqlite3_column_int64(q, 11);
    }
    return rc;
}

st_iter *sq_imo_shared(pel_store *base, pel_error *err) {
    sq_iter *it = sq_iter_new(sq_of(base), ST_IT_IMO_PAIR, SQ_IMO_SHARED, sizeof *it, imo_pair_next, err,
                              "reading shared IMO numbers");
    return it ? &it->base : NULL;
}

static int voyage_next(st_iter *base, void *row, pel_error *err) {
    sq_iter *it = (sq_iter *)base;
    int rc = sq_iter_step(it, err);
    if (rc <= 0)
        return rc;
    sqlite3_stmt *q = it->st;
    st_voyage_row *v = row;
    const char *d = (const char *)sqlite3_column_text(q, 1), *eta = (const char *)sqlite3_column_text(q, 3);
    if (!d || !eta) {
        no_memory(err, "reading voyage reports");
        return -PEL_ERR_NOMEM;
    }
    v->mmsi = (uint32_t)sqlite3_column_int64(q, 0);
    v->destination = d;
    v->draught_dm = sqlite3_column_int(q, 2);
    v->eta = eta;
    v->first_ms = sqlite3_column_int64(q, 4);
    v->last_ms = sqlite3_column_int64(q, 5);
    v->reports = (uint64_t)sqlite3_column_int64(q, 6);
    v->first_input = sqlite3_column_int64(q, 7);
    v->first_line = (uint64_t)sqlite3_column_int64(q, 8);
    v->clocks = (unsigned)sqlite3_column_int64(q, 9);
    return 1;
}

st_iter *sq_voyages_of(pel_store *base, uint32_t mmsi, pel_error *err) {
    sq_iter *it =
        sq_iter_new(sq_of(base), ST_IT_VOYAGE, SQ_VOYAGES_OF, sizeof *it, voyage_next, err, "reading voyage reports");
    if (it)
        sqlite3_bind_int64(it->st, 1, mmsi);
    return it ? &it->base : NULL;
}

double sq_draught_near(pel_store *base, uint32_t mmsi, int64_t t, bool before) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, before ? SQ_DRAUGHT_BEFORE : SQ_DRAUGHT_AFTER, NULL, NULL);
    if (!q)
        return NAN;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, t);
    double d = NAN;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) >= 0)
        d = sqlite3_column_int(q, 0) / 10.0;
    sqlite3_reset(q);
    return d;
}

static char *dup_text(sqlite3_stmt *q, int col) {
    const unsigned char *t = sqlite3_column_text(q, col);
    if (!t || !t[0])
        return NULL;
    return strdup((const char *)t);
}

/* Runs statement i, one row and one column, for mmsi; the value in *text
 * (owned) or *num.  Returns false on an SQL error. */
static bool one(sq_store *s, int i, uint32_t mmsi, char **text, int64_t *num) {
    sqlite3_stmt *q = sq_get(s, i, NULL, NULL);
    if (!q)
        return false;
    sqlite3_bind_int64(q, 1, mmsi);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (text)
            *text = dup_text(q, 0);
        if (num)
            *num = sqlite3_column_int64(q, 0);
    }
    sqlite3_reset(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

pel_status sq_latest_identity(pel_store *base, uint32_t mmsi, st_latest *l, pel_error *err) {
    sq_store *s = sq_of(base);
    *l = (st_latest){.shiptype = -1};
    int64_t imo = 0, type = -1;
    bool ok = one(s, SQ_LATEST_NAME, mmsi, &l->name, NULL) && one(s, SQ_LATEST_IMO, mmsi, NULL, &imo) &&
              one(s, SQ_LATEST_CALLSIGN, mmsi, &l->callsign, NULL) && one(s, SQ_LATEST_TYPE, mmsi, NULL, &type) &&
              one(s, SQ_LATEST_DEST, mmsi, &l->destination, NULL);
    l->imo = (uint32_t)imo;
    l->shiptype = (int)type;
    if (!ok) {
        st_latest_clear(l);
        return sq_error(s, err, "reading a vessel's identity");
    }
    return PEL_OK;
}

char *sq_latest_name(pel_store *base, uint32_t mmsi) {
    char *name = NULL;
    if (!one(sq_of(base), SQ_LATEST_NAME, mmsi, &name, NULL)) {
        free(name);
        return NULL;
    }
    return name;
}

/* ---- the dump ---------------------------------------------------------------------------------- */

pel_status sq_dump_rows(pel_store *base, FILE *out, pel_error *err) {
    sq_store *s = sq_of(base);
    static const char *const q[] = {
        "SELECT 'input', id, path, size, sha256, format, status, lines_done, lines, positions, statics, ignored,"
        " rejected, rejects FROM inputs ORDER BY id",
        "SELECT 'source', id, name FROM sources ORDER BY id",
        "SELECT 'vessel', mmsi, dirty, first_ms, last_ms, positions, flagged, segments, distance_m, duplicates"
        " FROM vessels ORDER BY mmsi",
        "SELECT 'segment', * FROM segments ORDER BY mmsi, seg",
        "SELECT 'identity', * FROM identities ORDER BY 2, 3, 4, 5, 6, 7, 8, 9, 10",
        "SELECT 'voyage', * FROM voyages ORDER BY 2, 3, 4, 5",
        "SELECT 'chunk', mmsi, t0, t1, n, length(data) FROM chunks ORDER BY mmsi, t0, n",
        "SELECT 'staging', count(*) FROM staging",
        "SELECT 'box', c.mmsi, b.lat0, b.lat1, b.lon0, b.lon1, b.m0, b.m1 FROM chunk_box b JOIN chunks c USING (id)"
        " ORDER BY 2, 7, 3",
        "SELECT 'coverage', * FROM coverage ORDER BY cell, station, hour",
    };
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, q[k], -1, &st, NULL) != SQLITE_OK)
            return sq_error(s, err, "dump");
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *t = sqlite3_column_text(st, c);
                fprintf(out, "%s%s", c ? "|" : "", t ? (const char *)t : "NULL");
            }
            fprintf(out, "\n");
        }
        sqlite3_finalize(st);
    }
    return PEL_OK; /* write errors: the caller's (pel_store_dump) */
}
