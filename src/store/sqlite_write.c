/*
 * sqlite_write.c -- what the SQLite backend writes: an ingest's recording
 * of its inputs and sources, staged positions, the vessels touched,
 * identities and voyage reports merged by upsert; and the rows the track
 * build reads, replaces and writes (chunks with their R*Tree boxes,
 * segments, the vessels' summaries).  Every statement is prepared once
 * (sqlite_open.c) and kept.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "st_shared.h"
#include "track/trk.h"
#include "util/fail.h"

static int64_t floor_div(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static void copy_text(char *dst, size_t cap, const unsigned char *t) {
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* ---- inputs ---------------------------------------------------------------------------- */

pel_status sq_input_find_done(pel_store *base, const char *sha256, const char *format, const char *settings,
                              const char *settings_base, bool *found, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_INPUT_FIND_DONE, err, "looking up the input");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, format, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, settings, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, settings_base, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    *found = rc == SQLITE_ROW;
    pel_status st = rc == SQLITE_ROW || rc == SQLITE_DONE ? PEL_OK : sq_error(s, err, "looking up the input");
    sqlite3_reset(q);
    return st;
}

pel_status sq_input_find_partial(pel_store *base, const char *sha256, const char *format, const char *settings,
                                 bool *found, int64_t *id, st_input_counts *c, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_INPUT_FIND_PARTIAL, err, "looking up the input");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, format, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, settings, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    *found = rc == SQLITE_ROW;
    if (*found) {
        *id = sqlite3_column_int64(q, 0);
        c->lines_done = (uint64_t)sqlite3_column_int64(q, 1);
        c->lines = (uint64_t)sqlite3_column_int64(q, 2);
        c->positions = (uint64_t)sqlite3_column_int64(q, 3);
        c->statics = (uint64_t)sqlite3_column_int64(q, 4);
        c->ignored = (uint64_t)sqlite3_column_int64(q, 5);
        c->rejected = (uint64_t)sqlite3_column_int64(q, 6);
        copy_text(c->rejects, sizeof c->rejects, sqlite3_column_text(q, 7));
        c->assumed = (uint64_t)sqlite3_column_int64(q, 8);
    }
    pel_status st = rc == SQLITE_ROW || rc == SQLITE_DONE ? PEL_OK : sq_error(s, err, "looking up the input");
    sqlite3_reset(q);
    return st;
}

pel_status sq_input_find_other_partial(pel_store *base, const char *sha256, bool *found, char *format, size_t fcap,
                                       char *settings, size_t scap, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_INPUT_OTHER_PARTIAL, err, "looking up the input");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    *found = rc == SQLITE_ROW;
    if (*found) {
        copy_text(format, fcap, sqlite3_column_text(q, 0));
        copy_text(settings, scap, sqlite3_column_text(q, 1));
    }
    pel_status st = rc == SQLITE_ROW || rc == SQLITE_DONE ? PEL_OK : sq_error(s, err, "looking up the input");
    sqlite3_reset(q);
    return st;
}

pel_status sq_input_add(pel_store *base, const st_input_new *in, int64_t *id, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_INPUT_NEW, err, "recording the input");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, in->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)in->size);
    sqlite3_bind_int64(q, 3, in->mtime);
    sqlite3_bind_text(q, 4, in->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, in->format, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, in->settings, -1, SQLITE_STATIC);
    if (sq_done(s, q, err, "recording the input") != PEL_OK)
        return PEL_ERR_IO;
    *id = sqlite3_last_insert_rowid(s->db);
    return PEL_OK;
}

pel_status sq_input_progress(pel_store *base, int64_t id, const st_input_counts *c, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_INPUT_PROGRESS, err, "recording progress");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)c->lines_done);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)c->lines);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)c->positions);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)c->statics);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)c->ignored);
    sqlite3_bind_int64(q, 7, (sqlite3_int64)c->rejected);
    sqlite3_bind_text(q, 8, c->rejects, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 9, (sqlite3_int64)c->assumed);
    return sq_done(s, q, err, "recording progress");
}

pel_status sq_input_done(pel_store *base, int64_t id, const char *settings, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_INPUT_DONE, err, "recording the input");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_text(q, 2, settings, -1, SQLITE_STATIC);
    return sq_done(s, q, err, "recording the input");
}

pel_status sq_source_id(pel_store *base, const char *name, uint32_t *id, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_SOURCE_FIND, err, "storing a source");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) {
        *id = (uint32_t)sqlite3_column_int64(q, 0);
        sqlite3_reset(q);
        return PEL_OK;
    }
    sqlite3_reset(q);
    q = sq_get(s, SQ_SOURCE_NEW, err, "storing a source");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sq_done(s, q, err, "storing a source") != PEL_OK)
        return PEL_ERR_IO;
    *id = (uint32_t)sqlite3_last_insert_rowid(s->db);
    return PEL_OK;
}

/* ---- staging ----------------------------------------------------------------------------- */

pel_status sq_vessel_touch(pel_store *base, uint32_t mmsi, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_VESSEL_DIRTY, err, "storing a vessel");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, mmsi);
    return sq_done(s, q, err, "storing a vessel");
}

pel_status sq_vessel_add_duplicates(pel_store *base, uint32_t mmsi, uint64_t n, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_VESSEL_DUPS, err, "counting duplicates");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)n);
    return sq_done(s, q, err, "counting duplicates");
}

static pel_status no_memory(pel_error *err) {
    return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
}

/* The coverage map: each count added to its row (made when new). */
pel_status sq_coverage_add(pel_store *base, const st_cov_add *rows, size_t n, pel_error *err) {
    sq_store *s = sq_of(base);
    for (size_t i = 0; i < n; i++) {
        const st_cov_add *r = &rows[i];
        sqlite3_stmt *q = sq_get(s, SQ_COV_ADD, err, "writing the coverage");
        if (!q)
            return PEL_ERR_IO;
        sqlite3_bind_int64(q, 1, r->cell);
        sqlite3_bind_int64(q, 2, r->station);
        sqlite3_bind_int64(q, 3, r->hour);
        sqlite3_bind_int64(q, 4, r->positions);
        sqlite3_bind_int64(q, 5, (sqlite3_int64)r->seen);
        sqlite3_bind_int64(q, 6, r->slots);
        if (sq_done(s, q, err, "writing the coverage") != PEL_OK)
            return PEL_ERR_IO;
    }
    return PEL_OK;
}

pel_status sq_coverage_clear(pel_store *base, pel_error *err) {
    return sq_exec(sq_of(base), "DELETE FROM coverage;", err);
}

pel_status sq_stage(pel_store *base, uint32_t mmsi, int64_t gen, const pel_position *p, size_t n, int64_t *id,
                    pel_error *err) {
    sq_store *s = sq_of(base);
    uint8_t *enc = sq_enc(s, n);
    if (!enc)
        return no_memory(err);
    size_t len = trk_encode(p, n, enc);
    sqlite3_stmt *q = sq_get(s, SQ_CHUNK_RAW, err, "storing positions");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, gen);
    sqlite3_bind_blob(q, 3, enc, (int)len, SQLITE_STATIC);
    if (sq_done(s, q, err, "storing positions") != PEL_OK)
        return PEL_ERR_IO;
    if (id)
        *id = sqlite3_last_insert_rowid(s->db);
    return PEL_OK;
}

pel_status sq_identity_merge(pel_store *base, const st_ident_row *r, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_IDENTITY, err, "storing an identity");
    if (!q)
        return PEL_ERR_IO;
    char nn[64]; /* the name as it is searched by (pel_vessel_find) */
    pel_text_key(r->name, nn, sizeof nn);
    sqlite3_bind_int64(q, 1, r->mmsi);
    sqlite3_bind_text(q, 2, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, r->imo);
    sqlite3_bind_text(q, 4, r->callsign, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 5, r->shiptype);
    sqlite3_bind_int(q, 6, r->to_bow);
    sqlite3_bind_int(q, 7, r->to_stern);
    sqlite3_bind_int(q, 8, r->to_port);
    sqlite3_bind_int(q, 9, r->to_starboard);
    sqlite3_bind_text(q, 10, nn, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 11, r->first_ms);
    sqlite3_bind_int64(q, 12, r->last_ms);
    sqlite3_bind_int64(q, 13, (sqlite3_int64)r->reports);
    sqlite3_bind_int64(q, 14, r->first_input);
    sqlite3_bind_int64(q, 15, (sqlite3_int64)r->first_line);
    sqlite3_bind_int64(q, 16, r->clocks);
    return sq_done(s, q, err, "storing an identity");
}

pel_status sq_voyage_merge(pel_store *base, const st_voyage_row *r, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_VOYAGE, err, "storing a voyage report");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, r->mmsi);
    sqlite3_bind_text(q, 2, r->destination, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, r->draught_dm);
    sqlite3_bind_text(q, 4, r->eta, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, r->first_ms);
    sqlite3_bind_int64(q, 6, r->last_ms);
    sqlite3_bind_int64(q, 7, (sqlite3_int64)r->reports);
    sqlite3_bind_int64(q, 8, r->first_input);
    sqlite3_bind_int64(q, 9, (sqlite3_int64)r->first_line);
    sqlite3_bind_int64(q, 10, r->clocks);
    return sq_done(s, q, err, "storing a voyage report");
}

/* ---- the track build's rows ------------------------------------------------------------------ */

pel_status sq_dirty_vessels(pel_store *base, int64_t after, uint32_t *mmsi, int64_t *built_gen, size_t cap, size_t *n,
                            pel_error *err) {
    sq_store *s = sq_of(base);
    *n = 0;
    sqlite3_stmt *q = sq_get(s, SQ_DIRTY_LIST, err, "finding the vessels to build");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, after);
    while (*n < cap && sqlite3_step(q) == SQLITE_ROW) {
        built_gen[*n] = sqlite3_column_int64(q, 1);
        mmsi[(*n)++] = (uint32_t)sqlite3_column_int64(q, 0);
    }
    sqlite3_reset(q);
    return PEL_OK;
}

static int row_id_next(st_iter *base, void *row, pel_error *err) {
    sq_iter *it = (sq_iter *)base;
    int rc = sq_iter_step(it, err);
    if (rc > 0) {
        st_row_id *r = row;
        r->id = sqlite3_column_int64(it->st, 0);
        r->gen = sqlite3_column_int64(it->st, 1);
    }
    return rc;
}

st_iter *sq_row_ids(pel_store *base, bool staged, uint32_t mmsi, int64_t after_gen, pel_error *err) {
    sq_iter *it = sq_iter_new(sq_of(base), ST_IT_ROW_ID, staged ? SQ_STAGE_IDS : SQ_CHUNK_IDS, sizeof *it, row_id_next,
                              err, staged ? "reading staged positions" : "reading chunks");
    if (!it)
        return NULL;
    sqlite3_bind_int64(it->st, 1, mmsi);
    if (staged)
        sqlite3_bind_int64(it->st, 2, after_gen);
    return &it->base;
}

pel_status sq_row_read(pel_store *base, bool staged, int64_t id, uint32_t mmsi, pel_position **p, size_t *cap,
                       size_t *n, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, staged ? SQ_STAGE_GET : SQ_CHUNK_GET, err, "reading positions");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) != SQLITE_ROW)
        return sq_error(s, err, "reading positions");
    const uint8_t *blob = sqlite3_column_blob(q, 0);
    size_t len = (size_t)sqlite3_column_bytes(q, 0);
    long c = trk_count(blob, len);
    if (c < 0)
        return PEL_ERR_FORMAT;
    if ((size_t)c + 1 > *cap) {
        size_t ncap = *cap ? *cap : 64;
        while (ncap < (size_t)c + 1)
            ncap *= 2;
        pel_position *np = realloc(*p, ncap * sizeof *np);
        if (!np)
            return PEL_ERR_NOMEM;
        *p = np;
        *cap = ncap;
    }
    if (trk_decode(blob, len, mmsi, *p, (size_t)c) != c)
        return PEL_ERR_FORMAT;
    *n = (size_t)c;
    sqlite3_reset(q);
    return PEL_OK;
}

pel_status sq_chunk_drop(pel_store *base, int64_t id, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_BOX_DROP, err, "replacing chunk boxes");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, id);
    if (sq_done(s, q, err, "replacing chunk boxes") != PEL_OK)
        return PEL_ERR_IO;
    if (!(q = sq_get(s, SQ_CHUNK_DROP, err, "replacing chunks")))
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, id);
    return sq_done(s, q, err, "replacing chunks");
}

pel_status sq_chunk_add(pel_store *base, uint32_t mmsi, const pel_position *c, size_t m, int64_t *id, pel_error *err) {
    sq_store *s = sq_of(base);
    uint8_t *enc = sq_enc(s, m);
    if (!enc)
        return no_memory(err);
    size_t len = trk_encode(c, m, enc);
    sqlite3_stmt *q = sq_get(s, SQ_CHUNK_BUILT, err, "writing chunks");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, c[0].t_ms);
    sqlite3_bind_int64(q, 3, c[m - 1].t_ms);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)m);
    sqlite3_bind_blob(q, 5, enc, (int)len, SQLITE_STATIC);
    if (sq_done(s, q, err, "writing chunks") != PEL_OK)
        return PEL_ERR_IO;
    *id = sqlite3_last_insert_rowid(s->db);
    /* the box over the chunk's usable positions, and its time span in minutes */
    int32_t box[4] = {0, 0, 0, 0};
    bool any = st_chunk_box(c, m, box);
    int32_t la0 = box[0], la1 = box[1], lo0 = box[2], lo1 = box[3];
    if (!any)
        return PEL_OK;
    if (!(q = sq_get(s, SQ_BOX_ADD, err, "writing chunk boxes")))
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, *id);
    sqlite3_bind_int(q, 2, la0);
    sqlite3_bind_int(q, 3, la1);
    sqlite3_bind_int(q, 4, lo0);
    sqlite3_bind_int(q, 5, lo1);
    sqlite3_bind_int64(q, 6, floor_div(c[0].t_ms, 60000));
    sqlite3_bind_int64(q, 7, floor_div(c[m - 1].t_ms + 59999, 60000));
    return sq_done(s, q, err, "writing chunk boxes");
}

pel_status sq_chunk_rewrite(pel_store *base, int64_t id, const pel_position *p, size_t n, pel_error *err) {
    sq_store *s = sq_of(base);
    uint8_t *enc = sq_enc(s, n);
    if (!enc)
        return no_memory(err);
    size_t len = trk_encode(p, n, enc);
    sqlite3_stmt *q = sq_get(s, SQ_CHUNK_SET, err, "writing chunks");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_blob(q, 2, enc, (int)len, SQLITE_STATIC);
    return sq_done(s, q, err, "writing chunks");
}

pel_status sq_segments_clear(pel_store *base, uint32_t mmsi, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_SEG_DEL, err, "replacing segments");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, mmsi);
    return sq_done(s, q, err, "replacing segments");
}

pel_status sq_segment_add(pel_store *base, const st_segment *g, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_SEG_ADD, err, "writing segments");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, g->mmsi);
    sqlite3_bind_int(q, 2, g->seg);
    sqlite3_bind_int64(q, 3, g->t0);
    sqlite3_bind_int64(q, 4, g->t1);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)g->n);
    sqlite3_bind_double(q, 6, g->distance_m);
    sqlite3_bind_int(q, 7, g->lat0);
    sqlite3_bind_int(q, 8, g->lon0);
    sqlite3_bind_int(q, 9, g->lat1);
    sqlite3_bind_int(q, 10, g->lon1);
    sqlite3_bind_int(q, 11, g->parallel);
    return sq_done(s, q, err, "writing segments");
}

pel_status sq_segment_parallel(pel_store *base, uint32_t mmsi, int32_t seg, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_SEG_PARALLEL, err, "writing segments");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int(q, 2, seg);
    return sq_done(s, q, err, "writing segments");
}

pel_status sq_vessel_built(pel_store *base, const st_built *b, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_VESSEL_DONE, err, "writing the vessel summary");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_int64(q, 1, b->mmsi);
    if (b->kept) { /* else NULL: no positions */
        sqlite3_bind_int64(q, 2, b->first_ms);
        sqlite3_bind_int64(q, 3, b->last_ms);
    }
    sqlite3_bind_int64(q, 4, (sqlite3_int64)b->kept);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)b->flagged);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)b->segments);
    sqlite3_bind_double(q, 7, b->distance_m);
    sqlite3_bind_int64(q, 8, (sqlite3_int64)b->duplicates_removed);
    sqlite3_bind_int64(q, 9, b->gen);
    return sq_done(s, q, err, "writing the vessel summary");
}

pel_status sq_staging_clear(pel_store *base, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_STAGING_CLEAR, err, "clearing staged positions");
    return q ? sq_done(s, q, err, "clearing staged positions") : PEL_ERR_IO;
}

pel_status sq_compact(pel_store *base, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = sq_get(s, SQ_VACUUM, err, "vacuuming");
    if (!q)
        return PEL_ERR_IO;
    while (sqlite3_step(q) == SQLITE_ROW)
        ;
    if (sqlite3_reset(q) != SQLITE_OK)
        return sq_error(s, err, "vacuuming");
    return PEL_OK;
}
