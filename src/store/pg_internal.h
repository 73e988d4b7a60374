/*
 * pg_internal.h -- the PostgreSQL backend's store object and helpers,
 * shared by pg_open.c (connection, schema, statements, transactions, the
 * writer's lock, cursors, the table of functions), pg_write.c (inputs,
 * staging, the track build's rows), pg_read.c (vessels, chunks, coverage,
 * the dump), pg_ident.c (identities and voyages), pg_wl.c (watchlists),
 * pg_live.c (pelorus watch's state), pg_case.c (inputs as rows, cases),
 * pg_review.c (reviews) and pg_layers.c (the PostGIS layers track_days and
 * findings).  Private to the backend.
 *
 * Statements are prepared on the connection at their first use (pg_run)
 * and kept.  Parameters go as text, but for bytea (binary); results come
 * as text, but for the chunks' cursors (binary: the packed positions as
 * they are).  Staged rows are buffered and written with binary COPY just
 * before the next statement or commit (pg_flush), so an ingest's batch is
 * one COPY.
 */
#ifndef PEL_PG_INTERNAL_H
#define PEL_PG_INTERNAL_H

#include <libpq-fe.h>

#include "st_backend.h"

/* A statement, prepared on first use under the name of its slot. */
typedef struct pg_stmt {
    const char *sql;
} pg_stmt;

/* The advisory lock keys, all of them here so that none is used twice
 * ("pelorus" and a number; an input's own are 0x1... keys, pg_open.c):
 *   the writer's (a session's: the track build, pg_writer_begin), the first
 *   setup or migration of a database (pg_open.c), numbering new inputs and new sources
 *   (to the end of a transaction, pg_write.c), and the live service's (a
 *   session's: one pelorus watch a database, pg_open.c). */
#define WRITER_KEY "x'70656c6f72757301'::bigint"
#define SETUP_KEY "x'70656c6f72757302'::bigint"
#define INPUTS_KEY "x'70656c6f72757303'::bigint"
#define SOURCES_KEY "x'70656c6f72757304'::bigint"
#define LIVE_KEY "x'70656c6f72757305'::bigint"

#define PG_MAX_STMT 160
#define PG_MAX_PAR 20

typedef struct pg_store {
    pel_store base;                   /* first: a pel_store * of this backend is a pg_store * */
    PGconn *c;                        /* the connection */
    char *conninfo;                   /* as given (owned) */
    char name[128];                   /* the database's name, for st_db_name */
    bool in_tx;                       /* between begin and commit/rollback */
    unsigned tx;                      /* transactions begun so far: a cursor knows its own */
    bool writing;                     /* the writer's lock is held */
    bool live;                        /* the live service's lock is held (pg_live_lock) */
    const pg_stmt *prep[PG_MAX_STMT]; /* prepared, by slot ("p<slot>") */
    int nprep;
    PGconn *rd; /* streaming cursors outside a transaction: a second connection, in a read-only transaction while
                   rd_open > 0 */
    int rd_open;
    unsigned cursors; /* cursor names handed out */
    int64_t *months;  /* month starts whose partition of chunks is known to exist */
    size_t nmonths, monthcap;
    uint8_t *cp; /* staged rows waiting for COPY (binary COPY tuples) */
    size_t cplen, cpcap;
    bool pipe; /* in pipeline mode: statements sent ahead (pg_defer) wait for their results */
    int npend;
    const char *pend_what[256]; /* what each names in an error */
    pel_status late;            /* a failure found where it could not be reported: the next statement's */
    pel_error late_err;
    int64_t ids[256]; /* chunk ids taken from the sequence ahead (pg_chunk_add) */
    int nids, idat;
    struct pg_ahead *ahead; /* the rows of the build's batch, read ahead (pg_write.c) */
    uint32_t seg_mmsi;      /* the segments of the vessel being built, as written (pg_write.c) */
    bool seg_known;
    st_segment *segs;
    size_t nsegs, segcap;
    uint8_t *enc; /* a chunk being encoded */
    size_t enccap;
    /* one vessel's voyage reports with a draught, read once for the gap
     * detector's many draught_near questions about it (pg_ident.c): a
     * round trip each made a scan wait on the server; forgotten when
     * voyages are written or a transaction begins */
    struct pg_draught *dr;
    size_t ndr, drcap;
    uint32_t dr_mmsi;
    bool dr_known;
    struct pg_days *days; /* the track_days lines of the vessel being built (pg_layers.c) */
} pg_store;

static inline pg_store *pg_of(pel_store *s) {
    return (pg_store *)s;
}

/* Parameters of one statement: text (numbers formatted here), NULL, or
 * binary bytes borrowed from the caller for the call. */
typedef struct pg_par {
    int n;
    const char *v[PG_MAX_PAR];
    int len[PG_MAX_PAR];
    int fmt[PG_MAX_PAR];
    char buf[PG_MAX_PAR][32];
} pg_par;

void pg_par_i64(pg_par *p, int64_t x);
void pg_par_f64(pg_par *p, double x);
void pg_par_text(pg_par *p, const char *t); /* NULL: SQL NULL; t borrowed for the call */
void pg_par_bin(pg_par *p, const void *d, size_t n);

/* Sets err from r (or the connection when r is NULL), prefixed by what;
 * returns PEL_ERR_IO. */
pel_status pg_error(PGconn *c, const PGresult *r, pel_error *err, const char *what);

/* Runs q with p (may be NULL) on the store's connection, after writing the
 * buffered rows; results as text, or binary when binary.  Returns the
 * result (the caller's to PQclear) when it succeeded, else NULL with err
 * filled. */
PGresult *pg_run(pg_store *s, const pg_stmt *q, const pg_par *p, bool binary, pel_error *err, const char *what);

/* pg_run for a statement without rows: PEL_OK or PEL_ERR_IO. */
pel_status pg_do(pg_store *s, const pg_stmt *q, const pg_par *p, pel_error *err, const char *what);

/* Sends q with p ahead, without waiting for its result: a statement whose
 * result is not needed.  A failure is reported by the next statement run
 * (pg_run, pg_flush, commit), with what named here; all the statements
 * sent ahead go to the server in one round trip with it. */
pel_status pg_defer(pg_store *s, const pg_stmt *q, const pg_par *p, pel_error *err, const char *what);

/* Runs SQL without parameters (several statements allowed): PEL_OK or
 * PEL_ERR_IO with err filled. */
pel_status pg_exec(pg_store *s, const char *sql, pel_error *err, const char *what);

/* Reads the results of the statements sent ahead, then writes the staged
 * rows buffered (binary COPY); reports a failure kept from before. */
pel_status pg_flush(pg_store *s, pel_error *err);

/* Appends a staged row (mmsi, gen, its first and last time t0 and t1,
 * data: len bytes, copied) to the COPY buffer, written by pg_flush. */
pel_status pg_copy_stage(pg_store *s, uint32_t mmsi, int64_t gen, int64_t t0, int64_t t1, const uint8_t *data,
                         size_t len, pel_error *err);

/* Values of a text result: 0 / NULL for SQL NULL. */
int64_t pg_i64(const PGresult *r, int row, int col);
double pg_f64(const PGresult *r, int row, int col);
const char *pg_txt(const PGresult *r, int row, int col);
bool pg_null(const PGresult *r, int row, int col);

/* The encoding buffer, grown to hold n positions packed; NULL when out of
 * memory. */
uint8_t *pg_enc(pg_store *s, size_t n);

/* A cursor over the rows of a statement: all fetched at once, or, when
 * streamed, a server-side cursor fetched a page at a time (in the
 * transaction under way, else on the reader connection). */
typedef struct pg_iter {
    st_iter base;
    pg_store *s;
    PGresult *r;
    int row, nrows; /* row: the current row, after next */
    PGconn *cc;     /* the server-side cursor's connection; NULL: none */
    char cname[32];
    unsigned tx; /* the transaction it was declared in (main connection) */
    bool binary, done;
    const char *what;
} pg_iter;

/* Opens a cursor of kind (size bytes, a pg_iter first) over q with p;
 * NULL with err filled on failure. */
pg_iter *pg_iter_new(pg_store *s, int kind, size_t size, int (*next)(st_iter *, void *, pel_error *), const pg_stmt *q,
                     const pg_par *p, bool binary, bool stream, pel_error *err, const char *what);

/* Steps a cursor: 1 with a row (it->r, it->row), 0 at the end, -PEL_ERR_IO
 * with err filled. */
int pg_iter_step(pg_iter *it, pel_error *err);

/* Frees a cursor (its free, for cursors that add nothing to free). */
void pg_iter_free(st_iter *base);

/* Forgets the rows read ahead for the build, and the segments of the
 * vessel being built (pg_write.c). */
void pg_ahead_drop(pg_store *s);
void pg_segs_forget(pg_store *s);

/* The segments of mmsi above after, at most limit (0: all), from those the
 * build wrote in this transaction: NULL with *known false when they are
 * not all known here (pg_write.c). */
st_iter *pg_segs_known(pg_store *s, uint32_t mmsi, int32_t after, size_t limit, bool *known, pel_error *err);

/* The track_days layer, fed by the build (pg_layers.c): pg_days_add takes
 * the positions of a chunk of mmsi as pg_chunk_add writes it (a vessel's
 * chunks come in time order; the first of a vessel deletes its old days);
 * pg_days_end, from pg_vessel_built, writes the vessel's last day (or
 * only deletes its days when it has no chunk).  pg_days_forget drops what
 * is pending (a rollback); pg_days_free frees it all (pg_close). */
pel_status pg_days_add(pg_store *s, uint32_t mmsi, const pel_position *p, size_t n, pel_error *err);
pel_status pg_days_end(pg_store *s, uint32_t mmsi, pel_error *err);
void pg_days_forget(pg_store *s);
void pg_days_free(pg_store *s);

/* The backend's functions, by file. */
/* pg_open.c */
void pg_close(pel_store *s);
const char *pg_db_name(pel_store *s);
pel_status pg_begin(pel_store *s, pel_error *err);
pel_status pg_commit(pel_store *s, const char *what, pel_error *err);
void pg_rollback(pel_store *s);
pel_status pg_writer_begin(pel_store *s, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err);
void pg_writer_end(pel_store *s);
pel_status pg_generation_next(pel_store *s, int64_t *gen, pel_error *err);
pel_status pg_input_lock(pel_store *s, const char *sha256, void (*on_wait)(void *ud, const char *what), void *ud,
                         pel_error *err);
void pg_input_unlock(pel_store *s, const char *sha256);

/* pg_write.c */
pel_status pg_input_find_done(pel_store *s, const char *sha256, const char *format, const char *settings,
                              const char *settings_base, bool *found, pel_error *err);
pel_status pg_input_find_partial(pel_store *s, const char *sha256, const char *format, const char *settings,
                                 bool *found, int64_t *id, st_input_counts *c, pel_error *err);
pel_status pg_input_find_other_partial(pel_store *s, const char *sha256, bool *found, char *format, size_t fcap,
                                       char *settings, size_t scap, pel_error *err);
pel_status pg_input_add(pel_store *s, const st_input_new *in, int64_t *id, pel_error *err);
pel_status pg_input_progress(pel_store *s, int64_t id, const st_input_counts *c, pel_error *err);
pel_status pg_input_done(pel_store *s, int64_t id, const char *settings, pel_error *err);
pel_status pg_source_id(pel_store *s, const char *name, uint32_t *id, pel_error *err);
pel_status pg_vessel_touch(pel_store *s, uint32_t mmsi, pel_error *err);
pel_status pg_vessel_add_duplicates(pel_store *s, uint32_t mmsi, uint64_t n, pel_error *err);
pel_status pg_stage(pel_store *s, uint32_t mmsi, int64_t gen, const pel_position *p, size_t n, int64_t *id,
                    pel_error *err);
pel_status pg_dirty_vessels(pel_store *s, int64_t after, uint32_t *mmsi, int64_t *built_gen, size_t cap, size_t *n,
                            pel_error *err);
st_iter *pg_row_ids(pel_store *s, bool staged, uint32_t mmsi, int64_t after_gen, pel_error *err);
pel_status pg_row_read(pel_store *s, bool staged, int64_t id, uint32_t mmsi, pel_position **p, size_t *cap, size_t *n,
                       pel_error *err);
pel_status pg_chunk_drop(pel_store *s, int64_t id, pel_error *err);
pel_status pg_chunk_add(pel_store *s, uint32_t mmsi, const pel_position *p, size_t n, int64_t *id, pel_error *err);
pel_status pg_chunk_rewrite(pel_store *s, int64_t id, const pel_position *p, size_t n, pel_error *err);
pel_status pg_segments_clear(pel_store *s, uint32_t mmsi, pel_error *err);
pel_status pg_segment_add(pel_store *s, const st_segment *g, pel_error *err);
pel_status pg_segment_parallel(pel_store *s, uint32_t mmsi, int32_t seg, pel_error *err);
pel_status pg_vessel_built(pel_store *s, const st_built *b, pel_error *err);
pel_status pg_staged_drop(pel_store *s, uint32_t mmsi, const int64_t *ids, size_t n, pel_error *err);
pel_status pg_staging_clear(pel_store *s, pel_error *err);
pel_status pg_compact(pel_store *s, pel_error *err);

/* pg_read.c */
pel_status pg_input_paths(pel_store *s, char ***paths, size_t *n, pel_error *err);
pel_status pg_vessel_get(pel_store *s, uint32_t mmsi, st_vessel *v, bool *found, pel_error *err);
pel_status pg_vessel_find(pel_store *s, st_find how, uint32_t number, const char *key, uint32_t *out, size_t cap,
                          size_t *n, pel_error *err);
bool pg_data_span(pel_store *s, int64_t *first_ms, int64_t *last_ms);
st_iter *pg_segments_of(pel_store *s, uint32_t mmsi, int32_t after, size_t limit, pel_error *err);
st_iter *pg_chunks(pel_store *s, const st_area *a, pel_error *err);
pel_status pg_coverage_add(pel_store *s, const st_cov_add *rows, size_t n, pel_error *err);
pel_status pg_coverage_clear(pel_store *s, pel_error *err);
st_iter *pg_coverage_cell(pel_store *s, uint32_t cell, int64_t from_hour, int64_t to_hour, pel_error *err);
st_iter *pg_coverage_rows(pel_store *s, st_cov_which which, uint32_t station, int64_t from_hour, int64_t to_hour,
                          pel_error *err);
pel_status pg_source_names(pel_store *s, char ***names, size_t *n, pel_error *err);
pel_status pg_dump_rows(pel_store *s, FILE *out, pel_error *err);

/* pg_ident.c */
pel_status pg_identity_merge(pel_store *s, const st_ident_row *r, pel_error *err);
st_iter *pg_identities_of(pel_store *s, uint32_t mmsi, pel_error *err);
st_iter *pg_identities_all(pel_store *s, bool bare_vessels, pel_error *err);
st_iter *pg_names_of(pel_store *s, uint32_t mmsi, pel_error *err);
st_iter *pg_imo_shared(pel_store *s, pel_error *err);
pel_status pg_voyage_merge(pel_store *s, const st_voyage_row *r, pel_error *err);
st_iter *pg_voyages_of(pel_store *s, uint32_t mmsi, pel_error *err);
double pg_draught_near(pel_store *s, uint32_t mmsi, int64_t t, bool before);
pel_status pg_latest_identity(pel_store *s, uint32_t mmsi, st_latest *l, pel_error *err);
char *pg_latest_name(pel_store *s, uint32_t mmsi);

/* pg_wl.c */
pel_status pg_wl_setup(pel_store *s, pel_error *err);
pel_status pg_wl_known(pel_store *s, const char *sha256, bool *known, pel_error *err);
st_wl_import *pg_wl_import_begin(pel_store *s, const char *sha256, const char *sources, pel_error *err);
pel_status pg_wl_import_add(st_wl_import *imp, const pel_wl_entry *e, pel_error *err);
pel_status pg_wl_import_end(st_wl_import *imp, bool ok, bool replace, const char *list, uint64_t entries,
                            const char *newest, pel_error *err);
pel_status pg_wl_count(pel_store *s, int64_t *n, pel_error *err);
st_iter *pg_wl_entries(pel_store *s, pel_error *err);
st_iter *pg_wl_lists(pel_store *s, pel_error *err);

/* pg_live.c */
pel_status pg_live_setup(pel_store *s, pel_error *err);
pel_status pg_live_get(pel_store *s, const char *key, char **value, pel_error *err);
pel_status pg_live_put(pel_store *s, const char *key, const char *value, pel_error *err);
pel_status pg_live_alerts(pel_store *s, int (*cb)(void *ud, const st_live_alert *a), void *ud, pel_error *err);
pel_status pg_live_alert_put(pel_store *s, const st_live_alert *a, pel_error *err);
pel_status pg_live_alert_drop(pel_store *s, const char *id, pel_error *err);
pel_status pg_live_journals(pel_store *s, int (*cb)(void *ud, int64_t id, const char *path, uint64_t done), void *ud,
                            pel_error *err);

/* pg_case.c */
pel_status pg_inputs_each(pel_store *s, int (*cb)(void *ud, const st_input_row *r), void *ud, pel_error *err);
pel_status pg_case_setup(pel_store *s, pel_error *err);
pel_status pg_case_add(pel_store *s, const st_case_row *r, pel_error *err);
pel_status pg_case_finding_add(pel_store *s, const st_case_finding *f, pel_error *err);
pel_status pg_cases(pel_store *s, int (*cb)(void *ud, const st_case_row *r), void *ud, pel_error *err);
pel_status pg_case_findings(pel_store *s, const char *case_id, uint32_t mmsi,
                            int (*cb)(void *ud, const st_case_finding *f), void *ud, pel_error *err);

/* pg_layers.c */
pel_status pg_findings_replace(pel_store *s, int (*next)(void *ud, st_layer_finding *f, pel_error *err), void *ud,
                               bool *stored, pel_error *err);

/* pg_review.c */
pel_status pg_review_add(pel_store *s, const st_review *r, int64_t *seq, pel_error *err);
pel_status pg_reviews(pel_store *s, const char *finding_id, int (*cb)(void *ud, const st_review *r), void *ud,
                      pel_error *err);

#endif
