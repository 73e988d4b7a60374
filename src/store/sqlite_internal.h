/*
 * sqlite_internal.h -- the SQLite backend's store object, its statements
 * and helpers, shared by sqlite_open.c (opening, schema, transactions, the
 * writer's lock), sqlite_write.c (what ingest and the track build write),
 * sqlite_read.c (queries, cursors, coverage, the dump) and sqlite_watch.c
 * (watchlists).  Private to the backend.
 */
#ifndef PEL_SQLITE_INTERNAL_H
#define PEL_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "st_backend.h"

/* The statements, prepared once and kept: those up to SQ__EAGER when a
 * writing store opens (ingest's), the others at their first use. */
enum {
    SQ_BEGIN,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_INPUT_FIND_DONE,
    SQ_INPUT_FIND_PARTIAL,
    SQ_INPUT_NEW,
    SQ_INPUT_PROGRESS,
    SQ_INPUT_DONE,
    SQ_INPUT_OTHER_PARTIAL,
    SQ_SOURCE_FIND,
    SQ_SOURCE_NEW,
    SQ_CHUNK_RAW,
    SQ_VESSEL_DIRTY,
    SQ_IDENTITY,
    SQ_VOYAGE,
    SQ_DIRTY_LIST,
    SQ_CHUNK_BUILT,
    SQ_BOX_ADD,
    SQ_SEG_DEL,
    SQ_SEG_ADD,
    SQ_VESSEL_DONE,
    SQ_GEN_NEXT,
    SQ_STAGING_CLEAR,
    SQ_VACUUM,
    SQ__EAGER,
    /* prepared when first used */
    SQ_VESSEL_DUPS = SQ__EAGER,
    SQ_CHUNK_IDS,
    SQ_CHUNK_GET,
    SQ_CHUNK_DROP,
    SQ_BOX_DROP,
    SQ_CHUNK_SET,
    SQ_STAGE_IDS,
    SQ_STAGE_GET,
    SQ_SEG_LIST,
    SQ_SEG_PARALLEL,
    SQ_INPUT_PATHS,
    SQ_VESSEL_GET,
    SQ_SPAN,
    SQ_IDENT_OF,
    SQ_IDENT_ALL,
    SQ_IDENT_ALL_BARE,
    SQ_NAMES_OF,
    SQ_IMO_SHARED,
    SQ_VOYAGES_OF,
    SQ_DRAUGHT_BEFORE,
    SQ_DRAUGHT_AFTER,
    SQ_LATEST_NAME,
    SQ_LATEST_IMO,
    SQ_LATEST_CALLSIGN,
    SQ_LATEST_TYPE,
    SQ_LATEST_DEST,
    SQ_CHUNKS_VESSEL,
    SQ_CHUNKS_BOX,
    SQ_CHUNKS_TIME,
    SQ_CHUNK_BEFORE,

    SQ_COV_ADD,
    SQ_COV_CELL,
    SQ_COV_ROWS,
    SQ_COV_STATIONS,
    SQ_COV_EVERY,
    SQ_COV_STORED,

    SQ_SOURCES,
    SQ__COUNT
};

typedef struct sq_store {
    pel_store base; /* first: a pel_store * of this backend is an sq_store * */
    sqlite3 *db;
    bool immutable; /* read-only place: opened with immutable=1 (sqlite_open.c) */
    sqlite3_stmt *st[SQ__COUNT];
    int lock_fd;            /* the writer's lock, -1 when not held */
    sqlite3_int64 mmap_was; /* the readers' mmap_size, set back by writer_end */
    bool writing;           /* between writer_begin and writer_end */
    uint8_t *enc;           /* a chunk being encoded */
    size_t enccap;          /* its size in positions */
} sq_store;

static inline sq_store *sq_of(pel_store *s) {
    return (sq_store *)s;
}

/* Sets err from the connection's last error, prefixed by what; returns
 * PEL_ERR_IO. */
pel_status sq_error(sq_store *q, pel_error *err, const char *what);

/* Runs SQL without results; PEL_OK or PEL_ERR_IO with err filled ("database: ..."). */
pel_status sq_exec(sq_store *q, const char *sql, pel_error *err);

/* The statements' SQL, by number (sqlite_open.c). */
extern const char *const sq_sql[SQ__COUNT];

/* Returns statement i reset, with bindings cleared: prepared when first
 * asked for; NULL with err filled (prefixed by what) when it cannot be. */
sqlite3_stmt *sq_get(sq_store *q, int i, pel_error *err, const char *what);

/* Takes statement i for a cursor (sq_get's, or a new one while a cursor
 * holds that one); sq_give hands it back (reset) or finalises the extra. */
sqlite3_stmt *sq_take(sq_store *q, int i, pel_error *err, const char *what);
void sq_give(sq_store *q, int i, sqlite3_stmt *st);

/* Steps a statement expected to finish (INSERT/UPDATE/DELETE). */
pel_status sq_done(sq_store *q, sqlite3_stmt *st, pel_error *err, const char *what);

/* The encoding buffer, grown to hold n positions packed; NULL when out of
 * memory. */
uint8_t *sq_enc(sq_store *q, size_t n);

/* A cursor over one statement; rows are read by next (the kind's). */
typedef struct sq_iter {
    st_iter base;
    sq_store *q;
    int i; /* its statement's number */
    sqlite3_stmt *st;
    const char *what; /* for error messages */
} sq_iter;

/* Opens a cursor of kind over statement i (bind the parameters to
 * it->st before the first next); NULL with err filled on failure. */
sq_iter *sq_iter_new(sq_store *q, int kind, int i, size_t size, int (*next)(st_iter *, void *, pel_error *),
                     pel_error *err, const char *what);

/* Steps a cursor's statement: 1 with a row, 0 at the end, -PEL_ERR_IO with
 * err filled. */
int sq_iter_step(sq_iter *it, pel_error *err);

/* The backend's functions, by file. */
void sq_close(pel_store *s);
const char *sq_db_name(pel_store *s);
pel_status sq_begin(pel_store *s, pel_error *err);
pel_status sq_commit(pel_store *s, const char *what, pel_error *err);
void sq_rollback(pel_store *s);
pel_status sq_writer_begin(pel_store *s, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err);
void sq_writer_end(pel_store *s);
pel_status sq_generation_next(pel_store *s, int64_t *gen, pel_error *err);

/* sqlite_write.c */
pel_status sq_input_find_done(pel_store *s, const char *sha256, const char *format, const char *settings,
                              const char *settings_base, bool *found, pel_error *err);
pel_status sq_input_find_partial(pel_store *s, const char *sha256, const char *format, const char *settings,
                                 bool *found, int64_t *id, st_input_counts *c, pel_error *err);
pel_status sq_input_find_other_partial(pel_store *s, const char *sha256, bool *found, char *format, size_t fcap,
                                       char *settings, size_t scap, pel_error *err);
pel_status sq_input_add(pel_store *s, const st_input_new *in, int64_t *id, pel_error *err);
pel_status sq_input_progress(pel_store *s, int64_t id, const st_input_counts *c, pel_error *err);
pel_status sq_input_done(pel_store *s, int64_t id, const char *settings, pel_error *err);
pel_status sq_source_id(pel_store *s, const char *name, uint32_t *id, pel_error *err);
pel_status sq_vessel_touch(pel_store *s, uint32_t mmsi, pel_error *err);
pel_status sq_vessel_add_duplicates(pel_store *s, uint32_t mmsi, uint64_t n, pel_error *err);
pel_status sq_stage(pel_store *s, uint32_t mmsi, int64_t gen, const pel_position *p, size_t n, int64_t *id,
                    pel_error *err);
pel_status sq_identity_merge(pel_store *s, const st_ident_row *r, pel_error *err);
pel_status sq_voyage_merge(pel_store *s, const st_voyage_row *r, pel_error *err);
pel_status sq_dirty_vessels(pel_store *s, int64_t after, uint32_t *mmsi, int64_t *built_gen, size_t cap, size_t *n,
                            pel_error *err);
st_iter *sq_row_ids(pel_store *s, bool staged, uint32_t mmsi, int64_t after_gen, pel_error *err);
pel_status sq_row_read(pel_store *s, bool staged, int64_t id, uint32_t mmsi, pel_position **p, size_t *cap, size_t *n,
                       pel_error *err);
pel_status sq_chunk_drop(pel_store *s, int64_t id, pel_error *err);
pel_status sq_chunk_add(pel_store *s, uint32_t mmsi, const pel_position *p, size_t n, int64_t *id, pel_error *err);
pel_status sq_chunk_rewrite(pel_store *s, int64_t id, const pel_position *p, size_t n, pel_error *err);
pel_status sq_segments_clear(pel_store *s, uint32_t mmsi, pel_error *err);
pel_status sq_segment_add(pel_store *s, const st_segment *g, pel_error *err);
pel_status sq_segment_parallel(pel_store *s, uint32_t mmsi, int32_t seg, pel_error *err);
pel_status sq_vessel_built(pel_store *s, const st_built *b, pel_error *err);
pel_status sq_staging_clear(pel_store *s, pel_error *err);
pel_status sq_compact(pel_store *s, pel_error *err);

/* sqlite_read.c */
pel_status sq_input_paths(pel_store *s, char ***paths, size_t *n, pel_error *err);
pel_status sq_vessel_get(pel_store *s, uint32_t mmsi, st_vessel *v, bool *found, pel_error *err);
pel_status sq_vessel_find(pel_store *s, st_find how, uint32_t number, const char *key, uint32_t *out, size_t cap,
                          size_t *n, pel_error *err);
bool sq_data_span(pel_store *s, int64_t *first_ms, int64_t *last_ms);
st_iter *sq_segments_of(pel_store *s, uint32_t mmsi, int32_t after, size_t limit, pel_error *err);
st_iter *sq_chunks(pel_store *s, const st_area *a, pel_error *err);
pel_status sq_coverage_add(pel_store *s, const st_cov_add *rows, size_t n, pel_error *err);
st_iter *sq_coverage_cell(pel_store *s, uint32_t cell, int64_t from_hour, int64_t to_hour, pel_error *err);
st_iter *sq_coverage_rows(pel_store *s, st_cov_which which, uint32_t station, int64_t from_hour, int64_t to_hour,
                          pel_error *err);

pel_status sq_source_names(pel_store *s, char ***names, size_t *n, pel_error *err);
pel_status sq_coverage_clear(pel_store *s, pel_error *err);
st_iter *sq_identities_of(pel_store *s, uint32_t mmsi, pel_error *err);
st_iter *sq_identities_all(pel_store *s, bool bare_vessels, pel_error *err);
st_iter *sq_names_of(pel_store *s, uint32_t mmsi, pel_error *err);
st_iter *sq_imo_shared(pel_store *s, pel_error *err);
st_iter *sq_voyages_of(pel_store *s, uint32_t mmsi, pel_error *err);
double sq_draught_near(pel_store *s, uint32_t mmsi, int64_t t, bool before);
pel_status sq_latest_identity(pel_store *s, uint32_t mmsi, st_latest *l, pel_error *err);
char *sq_latest_name(pel_store *s, uint32_t mmsi);
pel_status sq_dump_rows(pel_store *s, FILE *out, pel_error *err);

/* sqlite_watch.c */
pel_status sq_wl_setup(pel_store *s, pel_error *err);
/* sqlite_live.c */
pel_status sq_inputs_each(pel_store *s, int (*cb)(void *ud, const st_input_row *r), void *ud, pel_error *err);
pel_status sq_case_setup(pel_store *s, pel_error *err);
pel_status sq_case_add(pel_store *s, const st_case_row *r, pel_error *err);
pel_status sq_case_finding_add(pel_store *s, const st_case_finding *f, pel_error *err);
pel_status sq_cases(pel_store *s, int (*cb)(void *ud, const st_case_row *r), void *ud, pel_error *err);
pel_status sq_case_findings(pel_store *s, const char *case_id, uint32_t mmsi,
                            int (*cb)(void *ud, const st_case_finding *f), void *ud, pel_error *err);
pel_status sq_review_add(pel_store *s, const st_review *r, int64_t *seq, pel_error *err);
pel_status sq_reviews(pel_store *s, const char *finding_id, int (*cb)(void *ud, const st_review *r), void *ud,
                      pel_error *err);
pel_status sq_live_setup(pel_store *s, pel_error *err);
pel_status sq_scan_head_get(pel_store *s, void **buf, size_t *len, pel_error *err);
st_iter *sq_scan_rows(pel_store *s, bool chunks, pel_error *err);
st_scan_writer *sq_scan_write_begin(pel_store *s, bool fresh, pel_error *err);
pel_status sq_scan_write_row(st_scan_writer *w, uint32_t mmsi, const void *buf, size_t len, pel_error *err);
pel_status sq_scan_write_chunk(st_scan_writer *w, uint32_t mmsi, int64_t part, const void *buf, size_t len,
                               pel_error *err);
pel_status sq_scan_write_end(st_scan_writer *w, const void *head, size_t len, bool ok, pel_error *err);
pel_status sq_live_get(pel_store *s, const char *key, char **value, pel_error *err);
pel_status sq_live_put(pel_store *s, const char *key, const char *value, pel_error *err);
pel_status sq_live_alerts(pel_store *s, int (*cb)(void *ud, const st_live_alert *a), void *ud, pel_error *err);
pel_status sq_live_alert_put(pel_store *s, const st_live_alert *a, pel_error *err);
pel_status sq_live_alert_drop(pel_store *s, const char *id, pel_error *err);
pel_status sq_live_journals(pel_store *s, int (*cb)(void *ud, int64_t id, const char *path, uint64_t done), void *ud,
                            pel_error *err);
pel_status sq_wl_known(pel_store *s, const char *sha256, bool *known, pel_error *err);
st_wl_import *sq_wl_import_begin(pel_store *s, const char *sha256, const char *sources, pel_error *err);
pel_status sq_wl_import_add(st_wl_import *imp, const pel_wl_entry *e, pel_error *err);
pel_status sq_wl_import_end(st_wl_import *imp, bool ok, bool replace, const char *list, uint64_t entries,
                            const char *newest, pel_error *err);
pel_status sq_wl_count(pel_store *s, int64_t *n, pel_error *err);
st_iter *sq_wl_entries(pel_store *s, pel_error *err);
st_iter *sq_wl_lists(pel_store *s, pel_error *err);

#endif
