/*
 * pg_write.c -- what the PostgreSQL backend writes: an ingest's recording
 * of its inputs and sources, staged positions (buffered, then one binary
 * COPY per batch: pg_flush), the vessels touched; and the rows the track
 * build reads, replaces and writes (chunks with their boxes, in the
 * partition of their month, made when missing; segments; the vessels'
 * summaries).  The same statements as sqlite_write.c, in PostgreSQL's
 * words.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "track/trk.h"
#include "util/fail.h"

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
       given again, as a sequence would not), so that the ids, and the rows that name them, are SQLite's; the
       writer's lock keeps other ingests out */
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
    pg_store *s = pg_of(base);
    pg_par p = {0};
    pg_par_text(&p, name);
    for (int k = 0; k < 3; k++) {
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

pel_status pg_dirty_vessels(pel_store *base, int64_t after, uint32_t *mmsi, int64_t *built_gen, size_t cap, size_t *n,
                            pel_error *err) {
    static const pg_stmt q = {
        "SELECT mmsi, built_gen FROM vessels WHERE dirty = 1 AND mmsi > $1 ORDER BY mmsi LIMIT 1000"};
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
    return PEL_OK;
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
    pg_par par = {0};
    pg_par_i64(&par, id);
    PGresult *r = pg_run(pg_of(base), staged ? &stage : &chunk, &par, true, err, "reading positions");
    if (!r)
        return PEL_ERR_IO;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return pel_fail(err, PEL_ERR_IO, "reading positions: row %lld is gone", (long long)id);
    }
    const uint8_t *blob = (const uint8_t *)PQgetvalue(r, 0, 0);
    size_t len = (size_t)PQgetlength(r, 0, 0);
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
    int32_t la0 = 0, la1 = 0, lo0 = 0, lo1 = 0;
    bool any = false;
    for (size_t i = 0; i < m; i++) {
        if (c[i].segment < 0)
            continue;
        if (!any || c[i].lat < la0)
            la0 = c[i].lat;
        if (!any || c[i].lat > la1)
            la1 = c[i].lat;
        if (!any || c[i].lon < lo0)
            lo0 = c[i].lon;
        if (!any || c[i].lon > lo1)
            lo1 = c[i].lon;
        any = true;
    }
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
    return pg_defer(s, &q, &p, err, "writing chunks");
}

pel_status pg_chunk_rewrite(pel_store *base, int64_t id, const pel_position *pos, size_t n, pel_error *err) {
    static const pg_stmt q = {"UPDATE chunks SET data = $2 WHERE id = $1"};
    pg_store *s = pg_of(base);
    uint8_t *enc = pg_enc(s, n);
    if (!enc)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    size_t len = trk_encode(pos, n, enc);
    pg_par p = {0};
    pg_par_i64(&p, id);
    pg_par_bin(&p, enc, len);
    return pg_defer(s, &q, &p, err, "writing chunks");
}

pel_status pg_segments_clear(pel_store *base, uint32_t mmsi, pel_error *err) {
    static const pg_stmt q = {"DELETE FROM segments WHERE mmsi = $1"};
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    return pg_defer(pg_of(base), &q, &p, err, "replacing segments");
}

pel_status pg_segment_add(pel_store *base, const st_segment *g, pel_error *err) {
    static const pg_stmt q = {"INSERT INTO segments VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"};
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
    return pg_defer(pg_of(base), &q, &p, err, "writing the vessel summary");
}

pel_status pg_staging_clear(pel_store *base, pel_error *err) {
    static const pg_stmt q = {"DELETE FROM staging"};
    return pg_do(pg_of(base), &q, NULL, err, "clearing staged positions");
}

pel_status pg_compact(pel_store *base, pel_error *err) {
    (void)base;
    (void)err;
    return PEL_OK; /* autovacuum gives the space of the deleted rows back to the tables */
}
