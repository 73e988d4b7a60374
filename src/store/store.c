/*
 * store.c -- the store interface's dispatch: pel_store_open chooses the
 * backend, and every st_* function of store.h calls the entry of the
 * store's table of functions (st_backend.h).  No logic lives here, so what
 * a backend does is all in its own files.
 *
 * Backends: a --db starting with "postgresql://" or "postgres://" is a
 * libpq connection string for the PostgreSQL backend (pg_*.c); anything
 * else is an SQLite file (sqlite_*.c).
 */
#include <stdlib.h>
#include <string.h>

#include "st_backend.h"
#include "util/fail.h"

pel_store *pel_store_open(const char *path, bool readonly, pel_error *err) {
    if (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11))
        return pg_open(path, readonly, err);
    return sq_open(path, readonly, err);
}

void pel_store_close(pel_store *s) {
    if (s)
        s->ops->close(s);
}

/* ---- cursors ------------------------------------------------------------------------- */

void st_iter_free(st_iter *it) {
    if (it)
        it->free(it);
}

/* Reads the next row of it, which must be of kind. */
static int next_of(st_iter *it, int kind, void *row, pel_error *err) {
    if (!it || it->kind != kind) {
        pel_fail(err, PEL_ERR_ARG, "a store cursor read as another kind");
        return -PEL_ERR_ARG;
    }
    return it->next(it, row, err);
}

int st_segment_next(st_iter *it, st_segment *g, pel_error *err) {
    return next_of(it, ST_IT_SEGMENT, g, err);
}

int st_chunk_next(st_iter *it, uint32_t *mmsi, pel_error *err) {
    return next_of(it, ST_IT_CHUNK, mmsi, err);
}

pel_status st_chunk_read(st_iter *it, pel_position **buf, size_t *cap, size_t at, size_t *n, pel_error *err) {
    *n = 0;
    if (!it || it->kind != ST_IT_CHUNK || !it->read)
        return -next_of(NULL, ST_IT_CHUNK, NULL, err);
    return it->read(it, buf, cap, at, n, err);
}

int st_identity_next(st_iter *it, st_ident_row *r, pel_error *err) {
    return next_of(it, ST_IT_IDENT, r, err);
}

int st_name_next(st_iter *it, const char **name, pel_error *err) {
    return next_of(it, ST_IT_NAME, name, err);
}

int st_imo_pair_next(st_iter *it, st_imo_pair *p, pel_error *err) {
    return next_of(it, ST_IT_IMO_PAIR, p, err);
}

int st_voyage_next(st_iter *it, st_voyage_row *v, pel_error *err) {
    return next_of(it, ST_IT_VOYAGE, v, err);
}

int st_wl_entry_next(st_iter *it, pel_wl_entry *e, pel_error *err) {
    return next_of(it, ST_IT_WL_ENTRY, e, err);
}

int st_wl_list_next(st_iter *it, st_wl_summary *w, pel_error *err) {
    return next_of(it, ST_IT_WL_LIST, w, err);
}

/* ---- the database ---------------------------------------------------------------------- */

bool st_readonly(pel_store *s) {
    return s->readonly;
}

const char *st_db_name(pel_store *s) {
    return s->ops->db_name(s);
}

pel_status st_begin(pel_store *s, pel_error *err) {
    return s->ops->begin(s, err);
}

pel_status st_commit(pel_store *s, pel_error *err) {
    return s->ops->commit(s, "committing", err);
}

void st_rollback(pel_store *s) {
    s->ops->rollback(s);
}

pel_status st_writer_begin(pel_store *s, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err) {
    return s->ops->writer_begin(s, on_wait, ud, err);
}

void st_writer_end(pel_store *s) {
    s->ops->writer_end(s);
}

pel_status st_generation_next(pel_store *s, int64_t *gen, pel_error *err) {
    return s->ops->generation_next(s, gen, err);
}

bool st_parallel_ingest(const pel_store *s) {
    return s->ops->parallel_ingest;
}

pel_status st_input_lock(pel_store *s, const char *sha256, void (*on_wait)(void *ud, const char *what), void *ud,
                         pel_error *err) {
    return s->ops->input_lock(s, sha256, on_wait, ud, err);
}

void st_input_unlock(pel_store *s, const char *sha256) {
    s->ops->input_unlock(s, sha256);
}

/* ---- inputs ------------------------------------------------------------------------------ */

pel_status st_input_find_done(pel_store *s, const char *sha256, const char *format, const char *settings,
                              const char *settings_base, bool *found, pel_error *err) {
    return s->ops->input_find_done(s, sha256, format, settings, settings_base, found, err);
}

pel_status st_input_find_partial(pel_store *s, const char *sha256, const char *format, const char *settings,
                                 bool *found, int64_t *id, st_input_counts *c, pel_error *err) {
    return s->ops->input_find_partial(s, sha256, format, settings, found, id, c, err);
}

pel_status st_input_find_other_partial(pel_store *s, const char *sha256, bool *found, char *format, size_t fcap,
                                       char *settings, size_t scap, pel_error *err) {
    return s->ops->input_find_other_partial(s, sha256, found, format, fcap, settings, scap, err);
}

pel_status st_input_add(pel_store *s, const st_input_new *in, int64_t *id, pel_error *err) {
    return s->ops->input_add(s, in, id, err);
}

pel_status st_input_progress(pel_store *s, int64_t id, const st_input_counts *c, pel_error *err) {
    return s->ops->input_progress(s, id, c, err);
}

pel_status st_input_done(pel_store *s, int64_t id, const char *settings, pel_error *err) {
    return s->ops->input_done(s, id, settings, err);
}

pel_status st_input_paths(pel_store *s, char ***paths, size_t *n, pel_error *err) {
    return s->ops->input_paths(s, paths, n, err);
}

pel_status st_source_id(pel_store *s, const char *name, uint32_t *id, pel_error *err) {
    return s->ops->source_id(s, name, id, err);
}

/* ---- staging ------------------------------------------------------------------------------ */

pel_status st_vessel_touch(pel_store *s, uint32_t mmsi, pel_error *err) {
    return s->ops->vessel_touch(s, mmsi, err);
}

pel_status st_vessel_add_duplicates(pel_store *s, uint32_t mmsi, uint64_t n, pel_error *err) {
    return s->ops->vessel_add_duplicates(s, mmsi, n, err);
}

pel_status st_stage(pel_store *s, uint32_t mmsi, int64_t gen, const pel_position *p, size_t n, pel_error *err) {
    return s->ops->stage(s, mmsi, gen, p, n, NULL, err);
}

/* ---- vessels and positions ------------------------------------------------------------------ */

pel_status st_vessel_get(pel_store *s, uint32_t mmsi, st_vessel *v, bool *found, pel_error *err) {
    return s->ops->vessel_get(s, mmsi, v, found, err);
}

pel_status st_vessel_find(pel_store *s, st_find how, uint32_t number, const char *key, uint32_t *out, size_t cap,
                          size_t *n, pel_error *err) {
    return s->ops->vessel_find(s, how, number, key, out, cap, n, err);
}

bool st_data_span(pel_store *s, int64_t *first_ms, int64_t *last_ms) {
    return s->ops->data_span(s, first_ms, last_ms);
}

st_iter *st_segments_of(pel_store *s, uint32_t mmsi, int32_t after, size_t limit, pel_error *err) {
    return s->ops->segments_of(s, mmsi, after, limit, err);
}

st_iter *st_chunks(pel_store *s, const st_area *a, pel_error *err) {
    return s->ops->chunks(s, a, err);
}

pel_status st_coverage_add(pel_store *s, const st_cov_add *rows, size_t n, pel_error *err) {
    return n ? s->ops->coverage_add(s, rows, n, err) : PEL_OK;
}

st_iter *st_coverage_cell(pel_store *s, uint32_t cell, int64_t from_hour, int64_t to_hour, pel_error *err) {
    return s->ops->coverage_cell(s, cell, from_hour, to_hour, err);
}

st_iter *st_coverage_rows(pel_store *s, st_cov_which which, uint32_t station, int64_t from_hour, int64_t to_hour,
                          pel_error *err) {
    if (which == ST_COV_ALL && !s->cov_legacy) /* summed here, over the backend's rows */
        return st_cov_all_rows(s, from_hour, to_hour, err);
    if (which == ST_COV_ALL) /* schema 4: station 0's rows */
        return s->ops->coverage_rows(s, ST_COV_STATION, 0, from_hour, to_hour, err);
    return s->ops->coverage_rows(s, which, station, from_hour, to_hour, err);
}

int st_cov_row_next(st_iter *it, st_cov_row *r, pel_error *err) {
    return next_of(it, ST_IT_COV_ROW, r, err);
}

pel_status st_source_names(pel_store *s, char ***names, size_t *n, pel_error *err) {
    return s->ops->source_names(s, names, n, err);
}

/* ---- identities and voyages ---------------------------------------------------------------- */

pel_status st_identity_merge(pel_store *s, const st_ident_row *r, pel_error *err) {
    return s->ops->identity_merge(s, r, err);
}

st_iter *st_identities_of(pel_store *s, uint32_t mmsi, pel_error *err) {
    return s->ops->identities_of(s, mmsi, err);
}

st_iter *st_identities_all(pel_store *s, bool bare_vessels, pel_error *err) {
    return s->ops->identities_all(s, bare_vessels, err);
}

st_iter *st_names_of(pel_store *s, uint32_t mmsi, pel_error *err) {
    return s->ops->names_of(s, mmsi, err);
}

st_iter *st_imo_shared(pel_store *s, pel_error *err) {
    return s->ops->imo_shared(s, err);
}

pel_status st_voyage_merge(pel_store *s, const st_voyage_row *r, pel_error *err) {
    return s->ops->voyage_merge(s, r, err);
}

st_iter *st_voyages_of(pel_store *s, uint32_t mmsi, pel_error *err) {
    return s->ops->voyages_of(s, mmsi, err);
}

double st_draught_near(pel_store *s, uint32_t mmsi, int64_t t, bool before) {
    return s->ops->draught_near(s, mmsi, t, before);
}

pel_status st_latest_identity(pel_store *s, uint32_t mmsi, st_latest *l, pel_error *err) {
    return s->ops->latest_identity(s, mmsi, l, err);
}

char *st_latest_name(pel_store *s, uint32_t mmsi) {
    return s->ops->latest_name(s, mmsi);
}

/* ---- live ------------------------------------------------------------------------------------- */

pel_status st_live_setup(pel_store *s, pel_error *err) {
    return s->ops->live_setup(s, err);
}

pel_status st_live_get(pel_store *s, const char *key, char **value, pel_error *err) {
    return s->ops->live_get(s, key, value, err);
}

pel_status st_live_put(pel_store *s, const char *key, const char *value, pel_error *err) {
    return s->ops->live_put(s, key, value, err);
}

/* ---- scan state --------------------------------------------------------------------------------- */

bool st_scan_state_kept(const pel_store *s) {
    return s->ops->scan_write_begin != NULL;
}

pel_status st_scan_head_get(pel_store *s, void **buf, size_t *len, pel_error *err) {
    *buf = NULL;
    *len = 0;
    return s->ops->scan_head_get ? s->ops->scan_head_get(s, buf, len, err) : PEL_OK;
}

st_iter *st_scan_rows(pel_store *s, bool chunks, pel_error *err) {
    if (!s->ops->scan_rows) {
        pel_fail(err, PEL_ERR_ARG, "this database keeps no scan state");
        return NULL;
    }
    return s->ops->scan_rows(s, chunks, err);
}

int st_scan_row_next(st_iter *it, st_scan_row *r, pel_error *err) {
    return next_of(it, ST_IT_SCAN_ROW, r, err);
}

st_scan_writer *st_scan_write_begin(pel_store *s, bool fresh, pel_error *err) {
    return s->ops->scan_write_begin ? s->ops->scan_write_begin(s, fresh, err) : NULL;
}

pel_status st_scan_write_row(st_scan_writer *w, uint32_t mmsi, const void *buf, size_t len, pel_error *err) {
    return ((const struct st_scan_writer_head *)w)->ops->scan_write_row(w, mmsi, buf, len, err);
}

pel_status st_scan_write_chunk(st_scan_writer *w, uint32_t mmsi, int64_t part, const void *buf, size_t len,
                               pel_error *err) {
    return ((const struct st_scan_writer_head *)w)->ops->scan_write_chunk(w, mmsi, part, buf, len, err);
}

pel_status st_scan_write_end(st_scan_writer *w, const void *head, size_t len, bool ok, pel_error *err) {
    return ((const struct st_scan_writer_head *)w)->ops->scan_write_end(w, head, len, ok, err);
}

pel_status st_live_alerts(pel_store *s, int (*cb)(void *ud, const st_live_alert *a), void *ud, pel_error *err) {
    return s->ops->live_alerts(s, cb, ud, err);
}

pel_status st_live_alert_put(pel_store *s, const st_live_alert *a, pel_error *err) {
    return s->ops->live_alert_put(s, a, err);
}

pel_status st_live_alert_drop(pel_store *s, const char *id, pel_error *err) {
    return s->ops->live_alert_drop(s, id, err);
}

pel_status st_live_journals(pel_store *s, int (*cb)(void *ud, int64_t id, const char *path, uint64_t done), void *ud,
                            pel_error *err) {
    return s->ops->live_journals(s, cb, ud, err);
}

pel_status st_live_lock(pel_store *s, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err) {
    return s->ops->live_lock(s, on_wait, ud, err);
}

void st_live_unlock(pel_store *s) {
    s->ops->live_unlock(s);
}

/* ---- watchlists ------------------------------------------------------------------------------- */

pel_status st_wl_setup(pel_store *s, pel_error *err) {
    return s->ops->wl_setup(s, err);
}

pel_status st_wl_known(pel_store *s, const char *sha256, bool *known, pel_error *err) {
    return s->ops->wl_known(s, sha256, known, err);
}

st_wl_import *st_wl_import_begin(pel_store *s, const char *sha256, const char *sources, pel_error *err) {
    return s->ops->wl_import_begin(s, sha256, sources, err);
}

/* An import starts with its store, as a coverage object does. */
pel_status st_wl_import_add(st_wl_import *imp, const pel_wl_entry *e, pel_error *err) {
    return (*(pel_store **)imp)->ops->wl_import_add(imp, e, err);
}

pel_status st_wl_import_end(st_wl_import *imp, bool ok, bool replace, const char *list, uint64_t entries,
                            const char *newest, pel_error *err) {
    return (*(pel_store **)imp)->ops->wl_import_end(imp, ok, replace, list, entries, newest, err);
}

pel_status st_wl_count(pel_store *s, int64_t *n, pel_error *err) {
    return s->ops->wl_count(s, n, err);
}

st_iter *st_wl_entries(pel_store *s, pel_error *err) {
    return s->ops->wl_entries(s, err);
}

st_iter *st_wl_lists(pel_store *s, pel_error *err) {
    return s->ops->wl_lists(s, err);
}

/* ---- inputs as rows, cases ------------------------------------------------------------------- */

pel_status st_inputs_each(pel_store *s, int (*cb)(void *ud, const st_input_row *r), void *ud, pel_error *err) {
    return s->ops->inputs_each(s, cb, ud, err);
}

pel_status st_case_setup(pel_store *s, pel_error *err) {
    return s->ops->case_setup(s, err);
}

pel_status st_case_add(pel_store *s, const st_case_row *r, pel_error *err) {
    return s->ops->case_add(s, r, err);
}

pel_status st_case_finding_add(pel_store *s, const st_case_finding *f, pel_error *err) {
    return s->ops->case_finding_add(s, f, err);
}

pel_status st_cases(pel_store *s, int (*cb)(void *ud, const st_case_row *r), void *ud, pel_error *err) {
    return s->ops->cases(s, cb, ud, err);
}

pel_status st_case_findings(pel_store *s, const char *case_id, uint32_t mmsi,
                            int (*cb)(void *ud, const st_case_finding *f), void *ud, pel_error *err) {
    return s->ops->case_findings(s, case_id, mmsi, cb, ud, err);
}

/* ---- reviews ---------------------------------------------------------------------------------- */

pel_status st_review_add(pel_store *s, const st_review *r, int64_t *seq, pel_error *err) {
    return s->ops->review_add(s, r, seq, err);
}

pel_status st_reviews(pel_store *s, const char *finding_id, int (*cb)(void *ud, const st_review *r), void *ud,
                      pel_error *err) {
    return s->ops->reviews(s, finding_id, cb, ud, err);
}

/* ---- the findings layer ------------------------------------------------------------------------ */

pel_status st_findings_replace(pel_store *s, int (*next)(void *ud, st_layer_finding *f, pel_error *err), void *ud,
                               bool *stored, pel_error *err) {
    *stored = false;
    return s->ops->findings_replace(s, next, ud, stored, err);
}
