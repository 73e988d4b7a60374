/*
 * pg_write.c -- what the PostgreSQL backend writes: an ingest's recording
 * of its inputs and sources, staged positions (buffered, then one binary
 * COPY per batch: pg_flush), the vessels touched; and the rows the track
 * build reads, replaces and writes (chunks with their boxes, in the
 * partition of their month, made when missing; segments; the vessels'
 * summaries).  The same statements as sqlite_write.c, in PostgreSQL's
 * words.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "st_shared.h"
#include "track/trk.h"
#include "util/fail.h"
#include "util/xsort.h"

static void copy_text(char *dst, size_t cap, const char *t) {
    snprintf(dst, cap, "%s", t ? t : "");
}

/* ---- inputs ---------------------------------------------------------------------------- */

#define NOW_TEXT "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

pel_status pg_input_find_done(pel_store *base, const char *sha256, const char *format, const char *settings,
                              const char *settings_base, bool *found, pel_error *err) {
    static const pg_stmt q = {"SELECT id, path FROM inputs WHERE sha256 = $1 AND format = $2 AND settings IN ($3, $4)"
                              " AND status = 'complete' AND (positions > 0 OR statics > 0 OR rejected = 0)"
                              " ORDER BY id LIMIT 1"};
    pg_par p = {0};
    pg_par_text(&p, sha256);
    pg_par_text(&p, format);
    pg_par_text(&p, settings);
    pg_par_text(&p, settings_base);
    PGresult *r = pg_run(pg_of(base), &q, &p, false, err, "looking up the input");
    if (!r)
        return PEL_ERR_IO;
    *found = PQntuples(r) > 0;
    PQclear(r);
    return PEL_OK;
}

pel_status pg_input_find_partial(pel_store *base, const char *sha256, const char *format, const char *settings,
                                 bool *found, int64_t *id, st_input_counts *c, pel_error *err) {
    static const pg_stmt q = {
        "SELECT id, lines_done, lines, positions, statics, ignored, rejected, rejects, assumed"
        " FROM inputs WHERE sha256 = $1 AND format = $2 AND settings = $3 AND status = 'partial' ORDER BY id LIMIT 1"};
    pg_par p = {0};
    pg_par_text(&p, sha256);
    pg_par_text(&p, format);
    pg_par_text(&p, settings);
    PGresult *r = pg_run(pg_of(base), &q, &p, false, err, "looking up the input");
    if (!r)
        return PEL_ERR_IO;
    *found = PQntuples(r) > 0;
    if (*found) {
        *id = pg_i64(r, 0, 0);
        c->lines_done = (uint64_t)pg_i64(r, 0, 1);
        c->lines = (uint64_t)pg_i64(r, 0, 2);
        c->positions = (uint64_t)pg_i64(r, 0, 3);
        c->statics = (uint64_t)pg_i64(r, 0, 4);
        c->ignored = (uint64_t)pg_i64(r, 0, 5);
        c->rejected = (uint64_t)pg_i64(r, 0, 6);
        copy_text(c->rejects, sizeof c->rejects, pg_txt(r, 0, 7));
        c->assumed = (uint64_t)pg_i64(r, 0, 8);
    }
    PQclear(r);
    return PEL_OK;
}

pel_status pg_input_find_other_partial(pel_store *base, const char *sha256, bool *found, char *format, size_t fcap,
                                       char *settings, size_t scap, pel_error *err) {
    static const pg_stmt q = {
        "SELECT format, settings FROM inputs WHERE sha256 = $1 AND status = 'partial' ORDER BY id LIMIT 1"};
    pg_par p = {0};
    pg_par_text(&p, sha256);
    PGresult *r = pg_run(pg_of(base), &q, &p, false, err, "looking up the input");
    if (!r)
        return PEL_ERR_IO;
    *found = PQntuples(r) > 0;
    if (*found) {
        copy_text(format, fcap, pg_txt(r, 0, 0));
        copy_text(settings, scap, pg_txt(r, 0, 1));
    }
    PQclear(r);
    return PEL_OK;
}

pel_status pg_input_add(pel_store *base, const st_input_new *in, int64_t *id, pel_error *err) {
    /* the id SQLite's rowid would be (the largest + 1: the number of an input whose insert was rolled back is
       given again, as a sequence would not), so that the ids, and the rows that name them, are SQLite's;
       ingests at once (parallel_ingest) take turns by a lock held to the end of the transaction, which
       ingest.c commits at once */
    static const pg_stmt lock = {"SELECT pg_advisory_xact_lock(" INPUTS_KEY ")"};
    PGresult *l = pg_run(pg_of(base), &lock, NULL, false, err, "recording the input");
    if (!l)
        return PEL_ERR_IO;
    PQclear(l);
    static const pg_stmt q = {
        "INSERT INTO inputs(id, path, size, mtime, sha256, format, status, started, settings)"
        " VALUES ((SELECT coalesce(max(id), 0) + 1 FROM inputs), $1, $2, $3, $4, $5, 'partial', " NOW_TEXT
        ", $6) RETURNING id"};
    pg_par p = {0};
    pg_par_text(&p, in->path);
    pg_par_i64(&p, (int64_t)in->size);
    pg_par_i64(&p, in->mtime);
    pg_par_text(&p, in->sha256);
    pg_par_text(&p, in->format);
    pg_par_text(&p, in->settings);
    PGresult *r = pg_run(pg_of(base), &q, &p, false, err, "recording the input");
    if (!r)
        return PEL_ERR_IO;
    *id = pg_i64(r, 0, 0);
    PQclear(r);
    return PEL_OK;
}

pel_status pg_input_progress(pel_store *base, int64_t id, const st_input_counts *c, pel_error *err) {
    static const pg_stmt q = {"UPDATE inputs SET lines_done = $2, lines = $3, positions = $4, statics = $5,"
                              " ignored = $6, rejected = $7, rejects = $8, assumed = $9 WHERE id = $1"};
    pg_par p = {0};
    pg_par_i64(&p, id);
    pg_par_i64(&p, (int64_t)c->lines_done);
    pg_par_i64(&p, (int64_t)c->lines);
    pg_par_i64(&p, (int64_t)c->positions);
    pg_par_i64(&p, (int64_t)c->statics);
    pg_par_i64(&p, (int64_t)c->ignored);
    pg_par_i64(&p, (int64_t)c->rejected);
    pg_par_text(&p, c->rejects);
    pg_par_i64(&p, (int64_t)c->assumed);
    return pg_defer(pg_of(base), &q, &p, err, "recording progress");
}

pel_status pg_input_done(pel_store *base, int64_t id, const char *settings, pel_error *err) {
    static const pg_stmt q = {"UPDATE inputs SET status = 'complete', settings = $2, finished = " NOW_TEXT
                              " WHERE id = $1"};
    pg_par p = {0};
    pg_par_i64(&p, id);
    pg_par_text(&p, settings);
    return pg_do(pg_of(base), &q, &p, err, "recording the input");
}

pel_status pg_source_id(pel_store *base, const char *name, uint32_t *id, pel_error *err) {
    static const pg_stmt find = {"SELECT id FROM sources WHERE name = $1"};
    /* numbered as inputs are (pg_input_add); two writers adding the same name at once: one adds it, the
       other finds it */
    static const pg_stmt add = {"INSERT INTO sources(id, name) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM sources),"
                                " $1) ON CONFLICT (name) DO NOTHING RETURNING id"};
    /* ingests at once take turns to number a new one, by a lock held to the end of the transaction (the one
       waiting holds no row another writer waits for: sources are looked up while reading, before a batch's rows
       are written) */
    static const pg_stmt lock = {"SELECT pg_advisory_xact_lock(" SOURCES_KEY ")"};
    pg_store *s = pg_of(base);
    pg_par p = {0};
    pg_par_text(&p, name);
    for (int k = 0; k < 3; k++) {
        if (k == 1) {
            PGresult *l = pg_run(s, &lock, NULL, false, err, "storing a source");
            if (!l)
                return PEL_ERR_IO;
            PQclear(l);
        }
        PGresult *r = pg_run(s, k == 1 ? &add : &find, &p, false, err, "storing a source");
        if (!r)
            return PEL_ERR_IO;
        bool got = PQntuples(r) > 0;
        if (got)
            *id = (uint32_t)pg_i64(r, 0, 0);
        PQclear(r);
        if (got)
            return PEL_OK;
    }
    return pel_fail(err, PEL_ERR_IO, "storing a source: %s neither added nor found", name);
}

/* ---- staging ----------------------------------------------------------------------------- */

pel_status pg_vessel_touch(pel_store *base, uint32_t mmsi, pel_error *err) {
    static const pg_stmt q = {
        "INSERT INTO vessels(mmsi, dirty) VALUES ($1, 1) ON CONFLICT (mmsi) DO UPDATE SET dirty = 1"};
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    return pg_defer(pg_of(base), &q, &p, err, "storing a vessel");
}

pel_status pg_vessel_add_duplicates(pel_store *base, uint32_t mmsi, uint64_t n, pel_error *err) {
    static const pg_stmt q = {"UPDATE vessels SET duplicates = duplicates + $2 WHERE mmsi = $1"};
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    pg_par_i64(&p, (int64_t)n);
    return pg_defer(pg_of(base), &q, &p, err, "counting duplicates");
}

pel_status pg_stage(pel_store *base, uint32_t mmsi, int64_t gen, const pel_position *pos, size_t n, int64_t *id,
                    pel_error *err) {
    static const pg_stmt q = {"INSERT INTO staging(mmsi, gen, t0, t1, data) VALUES ($1, $2, $3, $4, $5) RETURNING id"};
    pg_store *s = pg_of(base);
    uint8_t *enc = pg_enc(s, n);
    if (!enc)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    size_t len = trk_encode(pos, n, enc);
    int64_t t0 = n ? pos[0].t_ms : 0, t1 = t0;
    for (size_t i = 1; i < n; i++) {
        t0 = pos[i].t_ms < t0 ? pos[i].t_ms : t0;
        t1 = pos[i].t_ms > t1 ? pos[i].t_ms : t1;
    }
    if (!id) /* ingest's rows: buffered for one COPY */
        return pg_copy_stage(s, mmsi, gen, t0, t1, enc, len, err);
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    pg_par_i64(&p, gen);
    pg_par_i64(&p, t0);
    pg_par_i64(&p, t1);
    pg_par_bin(&p, enc, len);
    PGresult *r = pg_run(s, &q, &p, false, err, "storing positions");
    if (!r)
        return PEL_ERR_IO;
    *id = pg_i64(r, 0, 0);
    PQclear(r);
    return PEL_OK;
}

/* ---- the track build's rows ------------------------------------------------------------------ */

/* Notes that the partitions of the months m0 .. m1 (starts) exist. */
static pel_status months_known(pg_store *s, int64_t m0, int64_t m1, pel_error *err) {
    for (int64_t m = m0; m <= m1; m = st_month_start(m + 32ll * 86400000)) {
        bool known = false;
        for (size_t i = 0; i < s->nmonths && !known; i++)
            known = s->months[i] == m;
        if (known)
            continue;
        if (s->nmonths == s->monthcap) {
            size_t cap = s->monthcap ? 2 * s->monthcap : 16;
            int64_t *nm = realloc(s->months, cap * sizeof *nm);
            if (!nm)
                return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            s->months = nm;
            s->monthcap = cap;
        }
        s->months[s->nmonths++] = m;
    }
    return PEL_OK;
}

/* Makes the partitions of chunks for every month from that of from_ms to
 * that of to_ms (pelorus.chunk_months).  Making one locks chunks until the
 * transaction ends: the build makes those of its staged positions before
 * its transactions (pg_dirty_vessels), each committed at once. */
static pel_status months_make(pg_store *s, int64_t from_ms, int64_t to_ms, pel_error *err) {
    static const pg_stmt q = {"SELECT pelorus.chunk_months($1, $2)"};
    int64_t m0 = st_month_start(from_ms), m1 = st_month_start(to_ms);
    bool all = true;
    for (int64_t m = m0; m <= m1 && all; m = st_month_start(m + 32ll * 86400000)) {
        bool known = false;
        for (size_t i = 0; i < s->nmonths && !known; i++)
            known = s->months[i] == m;
        all = known;
    }
    if (all)
        return PEL_OK;
    pg_par p = {0};
    pg_par_i64(&p, from_ms);
    pg_par_i64(&p, to_ms);
    pel_status st = pg_do(s, &q, &p, err, "making the months' partitions of chunks");
    if (st != PEL_OK && !s->in_tx) /* another writer made one at the same moment: it is there now */
        st = pg_do(s, &q, &p, err, "making the months' partitions of chunks");
    return st == PEL_OK ? months_known(s, m0, m1, err) : st;
}

/* ---- the rows of a batch, read ahead ----------------------------------------------------- */

/* The build asks for each vessel's row ids, then reads the rows one by one:
 * a round trip each.  The rows of the whole batch of vessels are read ahead
 * in one statement instead (their data too, when it comes to at most
 * AHEAD_MAX bytes), when the batch is chosen (pg_dirty_vessels, outside
 * the build's transactions; the writer's lock keeps other writers out).
 * The build reads a vessel's ids before it writes any row of it, and reads
 * a row only before dropping it; a row dropped or rewritten is marked so
 * (never served again from here); rows the build stages are not here and
 * are read from the database. */
#define AHEAD_MAX (32u << 20)

typedef struct ahead_row {
    uint32_t mmsi;
    bool staged, gone;
    int64_t id, gen;
    int row; /* its data in blobs' row; -1: not read ahead */
} ahead_row;

typedef struct pg_ahead {
    uint32_t *batch; /* the vessels, ascending */
    int64_t *built;  /* ... the generation each was last built in */
    size_t nbatch;
    ahead_row *v; /* by vessel, chunks before staged rows, id */
    size_t n;
    PGresult *blobs;
    size_t cur0, cur1; /* the rows of the vessel last asked for: v[cur0..cur1) */
    int64_t cur_built;
} pg_ahead;

void pg_ahead_drop(pg_store *s) {
    if (!s->ahead)
        return;
    PQclear(s->ahead->blobs);
    free(s->ahead->batch);
    free(s->ahead->built);
    free(s->ahead->v);
    free(s->ahead);
    s->ahead = NULL;
}

static uint32_t be32(const char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return ntohl(v);
}

static int64_t be64(const char *p) {
    return (int64_t)(((uint64_t)be32(p) << 32) | be32(p + 4));
}

/* Reads ahead the rows of the batch's vessels (mmsi[0..n), ascending, last
 * built in generation built[i]). */
static pel_status ahead_read(pg_store *s, const uint32_t *mmsi, const int64_t *built, size_t n, pel_error *err) {
    static const pg_stmt size = {
        "SELECT coalesce((SELECT sum(length(data)) FROM chunks WHERE mmsi = ANY($1::integer[])), 0)"
        " + coalesce((SELECT sum(length(data)) FROM staging WHERE mmsi = ANY($1::integer[])), 0)"};
    static const pg_stmt rows = {
        "SELECT 0::integer, mmsi, id, 0::bigint, CASE WHEN $2::boolean THEN data END FROM chunks"
        " WHERE mmsi = ANY($1::integer[]) UNION ALL SELECT 1, mmsi, id, gen, CASE WHEN $2::boolean THEN data END"
        " FROM staging WHERE mmsi = ANY($1::integer[]) ORDER BY 2, 1, 3"};
    pg_ahead_drop(s);
    if (!n)
        return PEL_OK;
    pg_ahead *a = calloc(1, sizeof *a);
    char *list = malloc(n * 11 + 3);
    if (a) {
        a->batch = malloc(n * sizeof *a->batch);
        a->built = malloc(n * sizeof *a->built);
    }
    s->ahead = a;
    if (!a || !list || !a->batch || !a->built) {
        free(list);
        pg_ahead_drop(s);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    memcpy(a->batch, mmsi, n * sizeof *mmsi);
    memcpy(a->built, built, n * sizeof *built);
    a->nbatch = n;
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(list + len, "%c%u", i ? ',' : '{', mmsi[i]);
    sprintf(list + len, "}");
    pg_par p = {0};
    pg_par_text(&p, list);
    PGresult *r = pg_run(s, &size, &p, false, err, "reading the vessels' rows");
    pel_status st = r ? PEL_OK : PEL_ERR_IO;
    bool data = r && pg_i64(r, 0, 0) <= (int64_t)AHEAD_MAX;
    PQclear(r);
    pg_par_text(&p, data ? "t" : "f");
    if (st == PEL_OK && !(a->blobs = pg_run(s, &rows, &p, true, err, "reading the vessels' rows")))
        st = PEL_ERR_IO;
    free(list);
    int nr = st == PEL_OK ? PQntuples(a->blobs) : 0;
    if (st == PEL_OK && nr && !(a->v = malloc((size_t)nr * sizeof *a->v)))
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    for (int i = 0; st == PEL_OK && i < nr; i++) {
        const PGresult *b = a->blobs;
        a->v[a->n++] = (ahead_row){.staged = be32(PQgetvalue(b, i, 0)) != 0,
                                   .mmsi = be32(PQgetvalue(b, i, 1)),
                                   .id = be64(PQgetvalue(b, i, 2)),
                                   .gen = be64(PQgetvalue(b, i, 3)),
                                   .row = PQgetisnull(b, i, 4) ? -1 : i};
    }
    if (st != PEL_OK)
        pg_ahead_drop(s);
    return st;
}

/* True when mmsi is of the batch read ahead; a->cur0..cur1 its rows,
 * a->cur_built the generation it was last built in. */
static bool ahead_vessel(pg_ahead *a, uint32_t mmsi) {
    if (!a)
        return false;
    size_t lo = 0, hi = a->nbatch;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a->batch[mid] < mmsi)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == a->nbatch || a->batch[lo] != mmsi)
        return false;
    a->cur_built = a->built[lo];
    lo = 0;
    hi = a->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a->v[mid].mmsi < mmsi)
            lo = mid + 1;
        else
            hi = mid;
    }
    a->cur0 = a->cur1 = lo;
    while (a->cur1 < a->n && a->v[a->cur1].mmsi == mmsi)
        a->cur1++;
    return true;
}

/* The row read ahead of chunk (or staged row) id, NULL when there is
 * none: among the current vessel's rows, else among all. */
static ahead_row *ahead_find(pg_ahead *a, bool staged, int64_t id) {
    if (!a)
        return NULL;
    for (size_t i = a->cur0; i < a->cur1; i++)
        if (a->v[i].id == id && a->v[i].staged == staged)
            return &a->v[i];
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].id == id && a->v[i].staged == staged)
            return &a->v[i];
    return NULL;
}

/* A cursor over ids read ahead. */
typedef struct ahead_iter {
    st_iter base;
    st_row_id *ids;
    size_t n, at;
} ahead_iter;

static int ahead_next(st_iter *base, void *row, pel_error *err) {
    (void)err;
    ahead_iter *it = (ahead_iter *)base;
    if (it->at == it->n)
        return 0;
    *(st_row_id *)row = it->ids[it->at++];
    return 1;
}

static void ahead_free(st_iter *base) {
    ahead_iter *it = (ahead_iter *)base;
    if (it) {
        free(it->ids);
        free(it);
    }
}

/* The cursor of pg_row_ids from the rows read ahead, NULL with *miss set
 * when mmsi was not read ahead. */
static st_iter *ahead_ids(pg_ahead *a, bool staged, uint32_t mmsi, int64_t after_gen, bool *miss, pel_error *err) {
    *miss = !ahead_vessel(a, mmsi);
    if (*miss)
        return NULL;
    ahead_iter *it = calloc(1, sizeof *it);
    if (it)
        it->ids = malloc((a->cur1 - a->cur0 + 1) * sizeof *it->ids);
    if (!it || !it->ids) {
        free(it);
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    it->base = (st_iter){ST_IT_ROW_ID, ahead_next, ahead_free, NULL};
    for (size_t i = a->cur0; i < a->cur1; i++) {
        const ahead_row *r = &a->v[i];
        if (r->staged == staged && !r->gone && (!staged || r->gen > after_gen))
            it->ids[it->n++] = (st_row_id){r->id, r->gen};
    }
    return &it->base;
}

pel_status pg_dirty_vessels(pel_store *base, int64_t after, uint32_t *mmsi, int64_t *built_gen, size_t cap, size_t *n,
                            pel_error *err) {
    static const pg_stmt q = {"SELECT mmsi, built_gen FROM vessels WHERE mmsi > $1 AND (dirty = 1 OR mmsi IN"
                              " (SELECT DISTINCT mmsi FROM staging WHERE mmsi > $1)) ORDER BY mmsi LIMIT 1000"};
    static const pg_stmt span = {"SELECT min(t0), max(t1) FROM staging"};
    pg_store *s = pg_of(base);
    *n = 0;
    if (after < 0 && !s->in_tx) { /* the build begins: the months of its staged positions */
        PGresult *r = pg_run(s, &span, NULL, false, err, "finding the months to build");
        if (!r)
            return PEL_ERR_IO;
        pel_status st = PEL_OK;
        if (!pg_null(r, 0, 0))
            st = months_make(s, pg_i64(r, 0, 0), pg_i64(r, 0, 1), err);
        PQclear(r);
        if (st != PEL_OK)
            return st;
    }
    pg_par p = {0};
    pg_par_i64(&p, after);
    PGresult *r = pg_run(s, &q, &p, false, err, "finding the vessels to build");
    if (!r)
        return PEL_ERR_IO;
    for (int i = 0; i < PQntuples(r) && *n < cap; i++) {
        built_gen[*n] = pg_i64(r, i, 1);
        mmsi[(*n)++] = (uint32_t)pg_i64(r, i, 0);
    }
    PQclear(r);
    return s->in_tx ? PEL_OK : ahead_read(s, mmsi, built_gen, *n, err);
}

static int row_id_next(st_iter *base, void *row, pel_error *err) {
    pg_iter *it = (pg_iter *)base;
    int rc = pg_iter_step(it, err);
    if (rc > 0) {
        st_row_id *r = row;
        r->id = pg_i64(it->r, it->row, 0);
        r->gen = pg_i64(it->r, it->row, 1);
    }
    return rc;
}

st_iter *pg_row_ids(pel_store *base, bool staged, uint32_t mmsi, int64_t after_gen, pel_error *err) {
    static const pg_stmt chunks = {"SELECT id, 0 FROM chunks WHERE mmsi = $1 ORDER BY id"};
    static const pg_stmt stage = {"SELECT id, gen FROM staging WHERE mmsi = $1 AND gen > $2 ORDER BY id"};
    bool miss;
    st_iter *ai = ahead_ids(pg_of(base)->ahead, staged, mmsi, after_gen, &miss, err);
    if (!miss)
        return ai;
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    if (staged)
        pg_par_i64(&p, after_gen);
    pg_iter *it = pg_iter_new(pg_of(base), ST_IT_ROW_ID, sizeof *it, row_id_next, staged ? &stage : &chunks, &p, false,
                              false, err, staged ? "reading staged positions" : "reading chunks");
    return it ? &it->base : NULL;
}

pel_status pg_row_read(pel_store *base, bool staged, int64_t id, uint32_t mmsi, pel_position **p, size_t *cap,
                       size_t *n, pel_error *err) {
    static const pg_stmt chunk = {"SELECT data FROM chunks WHERE id = $1"};
    static const pg_stmt stage = {"SELECT data FROM staging WHERE id = $1"};
    pg_store *s = pg_of(base);
    ahead_row *ar = ahead_find(s->ahead, staged, id);
    PGresult *r = NULL;
    const uint8_t *blob;
    size_t len;
    if (ar && !ar->gone && ar->row >= 0) { /* read ahead */
        blob = (const uint8_t *)PQgetvalue(s->ahead->blobs, ar->row, 4);
        len = (size_t)PQgetlength(s->ahead->blobs, ar->row, 4);
    } else {
        pg_par par = {0};
        pg_par_i64(&par, id);
        if (!(r = pg_run(s, staged ? &stage : &chunk, &par, true, err, "reading positions")))
            return PEL_ERR_IO;
        if (PQntuples(r) != 1) {
            PQclear(r);
            return pel_fail(err, PEL_ERR_IO, "reading positions: row %lld is gone", (long long)id);
        }
        blob = (const uint8_t *)PQgetvalue(r, 0, 0);
        len = (size_t)PQgetlength(r, 0, 0);
    }
    long c = trk_count(blob, len);
    pel_status st = PEL_OK;
    if (c < 0)
        st = PEL_ERR_FORMAT;
    else if ((size_t)c + 1 > *cap) {
        size_t ncap = *cap ? *cap : 64;
        while (ncap < (size_t)c + 1)
            ncap *= 2;
        pel_position *np = realloc(*p, ncap * sizeof *np);
        if (!np)
            st = PEL_ERR_NOMEM;
        else {
            *p = np;
            *cap = ncap;
        }
    }
    if (st == PEL_OK && trk_decode(blob, len, mmsi, *p, (size_t)c) != c)
        st = PEL_ERR_FORMAT;
    if (st == PEL_OK)
        *n = (size_t)c;
    PQclear(r);
    return st;
}

pel_status pg_chunk_drop(pel_store *base, int64_t id, pel_error *err) {
    static const pg_stmt q = {"DELETE FROM chunks WHERE id = $1"};
    ahead_row *ar = ahead_find(pg_of(base)->ahead, false, id);
    if (ar)
        ar->gone = true;
    pg_par p = {0};
    pg_par_i64(&p, id);
    return pg_defer(pg_of(base), &q, &p, err, "replacing chunks");
}

/* Takes the next ids of chunks from their sequence, ascending, so that
 * chunk_add need not wait for the id of each chunk it writes. */
static pel_status take_ids(pg_store *s, pel_error *err) {
    static const pg_stmt q = {"SELECT nextval(pg_get_serial_sequence('pelorus.chunks', 'id')) FROM"
                              " generate_series(1, 256) ORDER BY 1"};
    PGresult *r = pg_run(s, &q, NULL, false, err, "writing chunks");
    if (!r)
        return PEL_ERR_IO;
    s->nids = s->idat = 0;
    for (int i = 0; i < PQntuples(r) && i < (int)(sizeof s->ids / sizeof s->ids[0]); i++)
        s->ids[s->nids++] = pg_i64(r, i, 0);
    PQclear(r);
    return s->nids ? PEL_OK : pel_fail(err, PEL_ERR_IO, "writing chunks: no ids");
}

pel_status pg_chunk_add(pel_store *base, uint32_t mmsi, const pel_position *c, size_t m, int64_t *id, pel_error *err) {
    static const pg_stmt q = {"INSERT INTO chunks(id, mmsi, t0, t1, n, lat0, lat1, lon0, lon1, data)"
                              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
    pg_store *s = pg_of(base);
    if (months_make(s, c[0].t_ms, c[0].t_ms, err) != PEL_OK) /* made before the build's transaction, as a rule */
        return PEL_ERR_IO;
    uint8_t *enc = pg_enc(s, m);
    if (!enc)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    size_t len = trk_encode(c, m, enc);
    /* the box over the chunk's usable positions (none: NULL, not in the box index) */
    int32_t box[4] = {0, 0, 0, 0};
    bool any = st_chunk_box(c, m, box);
    int32_t la0 = box[0], la1 = box[1], lo0 = box[2], lo1 = box[3];
    if (s->idat == s->nids && take_ids(s, err) != PEL_OK)
        return PEL_ERR_IO;
    *id = s->ids[s->idat++];
    pg_par p = {0};
    pg_par_i64(&p, *id);
    pg_par_i64(&p, mmsi);
    pg_par_i64(&p, c[0].t_ms);
    pg_par_i64(&p, c[m - 1].t_ms);
    pg_par_i64(&p, (int64_t)m);
    if (any) {
        pg_par_i64(&p, la0);
        pg_par_i64(&p, la1);
        pg_par_i64(&p, lo0);
        pg_par_i64(&p, lo1);
    } else
        for (int k = 0; k < 4; k++)
            pg_par_text(&p, NULL);
    pg_par_bin(&p, enc, len);
    pel_status st = pg_defer(s, &q, &p, err, "writing chunks");
    return st != PEL_OK ? st : pg_days_add(s, mmsi, c, m, err); /* the track_days layer */
}

pel_status pg_chunk_rewrite(pel_store *base, int64_t id, const pel_position *pos, size_t n, pel_error *err) {
    static const pg_stmt q = {"UPDATE chunks SET data = $2 WHERE id = $1"};
    pg_store *s = pg_of(base);
    ahead_row *ar = ahead_find(s->ahead, false, id);
    if (ar)
        ar->row = -1; /* read from the database from now on */
    uint8_t *enc = pg_enc(s, n);
    if (!enc)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    size_t len = trk_encode(pos, n, enc);
    pg_par p = {0};
    pg_par_i64(&p, id);
    pg_par_bin(&p, enc, len);
    return pg_defer(s, &q, &p, err, "writing chunks");
}

/* ---- the segments of the vessel being built ---------------------------------------------- */

/* The build writes a vessel's segments, then reads them back in order
 * (segments_of) to add up its distance and mark the parallel ones.  The
 * segments of the vessel being built are kept here as they are written,
 * from when its old ones are cleared, or from its first segment when it was
 * never built (it has none before); pg_segments_of answers from them.
 * Forgotten at the end of the transaction. */
static void segs_start(pg_store *s, uint32_t mmsi, bool known) {
    s->seg_mmsi = mmsi;
    s->seg_known = known;
    s->nsegs = 0;
}

void pg_segs_forget(pg_store *s) {
    s->seg_known = false;
    s->nsegs = 0;
}

pel_status pg_segments_clear(pel_store *base, uint32_t mmsi, pel_error *err) {
    static const pg_stmt q = {"DELETE FROM segments WHERE mmsi = $1"};
    segs_start(pg_of(base), mmsi, true);
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    return pg_defer(pg_of(base), &q, &p, err, "replacing segments");
}

pel_status pg_segment_add(pel_store *base, const st_segment *g, pel_error *err) {
    static const pg_stmt q = {"INSERT INTO segments VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"};
    pg_store *s = pg_of(base);
    if (g->mmsi != s->seg_mmsi || !s->seg_known) /* a vessel never built has no segments yet */
        segs_start(s, g->mmsi, s->in_tx && ahead_vessel(s->ahead, g->mmsi) && s->ahead->cur_built == 0);
    if (s->seg_known) {
        if (s->nsegs == s->segcap) {
            size_t cap = s->segcap ? 2 * s->segcap : 64;
            st_segment *ng = realloc(s->segs, cap * sizeof *ng);
            if (!ng)
                return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            s->segs = ng;
            s->segcap = cap;
        }
        s->segs[s->nsegs++] = *g;
    }
    pg_par p = {0};
    pg_par_i64(&p, g->mmsi);
    pg_par_i64(&p, g->seg);
    pg_par_i64(&p, g->t0);
    pg_par_i64(&p, g->t1);
    pg_par_i64(&p, (int64_t)g->n);
    pg_par_f64(&p, g->distance_m);
    pg_par_i64(&p, g->lat0);
    pg_par_i64(&p, g->lon0);
    pg_par_i64(&p, g->lat1);
    pg_par_i64(&p, g->lon1);
    pg_par_i64(&p, g->parallel);
    return pg_defer(pg_of(base), &q, &p, err, "writing segments");
}

pel_status pg_segment_parallel(pel_store *base, uint32_t mmsi, int32_t seg, pel_error *err) {
    static const pg_stmt q = {"UPDATE segments SET parallel = 1 WHERE mmsi = $1 AND seg = $2"};
    pg_store *s = pg_of(base);
    if (s->seg_known && s->seg_mmsi == mmsi)
        for (size_t i = 0; i < s->nsegs; i++)
            if (s->segs[i].seg == seg)
                s->segs[i].parallel = true;
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    pg_par_i64(&p, seg);
    return pg_defer(pg_of(base), &q, &p, err, "writing segments");
}

pel_status pg_vessel_built(pel_store *base, const st_built *b, pel_error *err) {
    static const pg_stmt q = {"UPDATE vessels SET dirty = 0, first_ms = $2, last_ms = $3, positions = $4,"
                              " flagged = $5, segments = $6, distance_m = $7, duplicates = duplicates + $8,"
                              " built_gen = $9 WHERE mmsi = $1"};
    pg_par p = {0};
    pg_par_i64(&p, b->mmsi);
    if (b->kept) {
        pg_par_i64(&p, b->first_ms);
        pg_par_i64(&p, b->last_ms);
    } else { /* no positions */
        pg_par_text(&p, NULL);
        pg_par_text(&p, NULL);
    }
    pg_par_i64(&p, (int64_t)b->kept);
    pg_par_i64(&p, (int64_t)b->flagged);
    pg_par_i64(&p, (int64_t)b->segments);
    pg_par_f64(&p, b->distance_m);
    pg_par_i64(&p, (int64_t)b->duplicates_removed);
    pg_par_i64(&p, b->gen);
    pel_status st = pg_days_end(pg_of(base), b->mmsi, err); /* the vessel's last day in track_days */
    if (st != PEL_OK)
        return st;
    return pg_defer(pg_of(base), &q, &p, err, "writing the vessel summary");
}

/* Ingests at once (parallel_ingest): each vessel's merged rows went with its
 * summary (pg_staged_drop); the rows left are another ingest's, staged while
 * this one built, and its own build takes them. */
pel_status pg_staging_clear(pel_store *base, pel_error *err) {
    (void)err;
    pg_ahead_drop(pg_of(base));
    return PEL_OK;
}

pel_status pg_staged_drop(pel_store *base, uint32_t mmsi, const int64_t *ids, size_t n, pel_error *err) {
    static const pg_stmt q = {"DELETE FROM staging WHERE mmsi = $1 AND id = ANY($2::bigint[])"};
    char *list = malloc(n * 21 + 3);
    if (!list)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(list + len, "%c%lld", i ? ',' : '{', (long long)ids[i]);
    sprintf(list + len, n ? "}" : "{}");
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    pg_par_text(&p, list);
    pel_status st = pg_defer(pg_of(base), &q, &p, err, "deleting merged staged positions");
    free(list);
    return st;
}

pel_status pg_compact(pel_store *base, pel_error *err) {
    (void)base;
    (void)err;
    return PEL_OK; /* autovacuum gives the space of the deleted rows back to the tables */
}

/* A cursor over segments known here. */
typedef struct seg_iter {
    st_iter base;
    st_segment *v;
    size_t n, at;
} seg_iter;

static int seg_next(st_iter *base, void *row, pel_error *err) {
    (void)err;
    seg_iter *it = (seg_iter *)base;
    if (it->at == it->n)
        return 0;
    *(st_segment *)row = it->v[it->at++];
    return 1;
}

static void seg_free(st_iter *base) {
    seg_iter *it = (seg_iter *)base;
    if (it) {
        free(it->v);
        free(it);
    }
}

static int cmp_seg(const void *a, const void *b) {
    int32_t x = ((const st_segment *)a)->seg, y = ((const st_segment *)b)->seg;
    return (x > y) - (x < y);
}

st_iter *pg_segs_known(pg_store *s, uint32_t mmsi, int32_t after, size_t limit, bool *known, pel_error *err) {
    *known = s->in_tx && s->seg_known && s->seg_mmsi == mmsi;
    if (!*known)
        return NULL;
    seg_iter *it = calloc(1, sizeof *it);
    if (it)
        it->v = malloc((s->nsegs + 1) * sizeof *it->v);
    if (!it || !it->v) {
        free(it);
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    it->base = (st_iter){ST_IT_SEGMENT, seg_next, seg_free, NULL};
    for (size_t i = 0; i < s->nsegs; i++)
        if (s->segs[i].seg > after)
            it->v[it->n++] = s->segs[i];
    xqsort(it->v, it->n, sizeof *it->v, cmp_seg);
    if (limit && it->n > limit)
        it->n = limit;
    return &it->base;
}
