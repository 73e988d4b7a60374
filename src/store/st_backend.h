/*
 * st_backend.h -- what a storage backend implements: the table of functions
 * (st_ops) behind store.h, the common head of every pel_store and of every
 * cursor.  Private to src/store/: only store.c (the dispatch), build.c and
 * query.c (written once over the table) and the backends include it.
 *
 * A backend provides an open function that returns its own store object,
 * whose first member is a struct pel_store with ops pointing at its table,
 * and fills every entry of that table (none may be NULL).  Each entry's
 * contract is that of the store.h function of the same name; the entries
 * below the line "the track build" are used by build.c alone and are
 * described here.  The SQLite backend (sqlite_*.c) is the reference: its
 * rows, orders and messages are what the tests hold every backend to.
 */
#ifndef PEL_ST_BACKEND_H
#define PEL_ST_BACKEND_H

#include "store.h"

typedef struct st_ops st_ops;

/* The head of every store object. */
struct pel_store {
    const st_ops *ops;
    bool readonly;
    bool cov_legacy; /* the coverage map's station 0 is every reception (schema 4, opened read-only) */
    int64_t gen;     /* this run's generation (st_generation_next): staged rows carry it */
};

/* The head of every cursor: the backend's next and free, and which
 * st_*_next reads it (its kind). */
enum {
    ST_IT_SEGMENT = 1,
    ST_IT_CHUNK,
    ST_IT_IDENT,
    ST_IT_NAME,
    ST_IT_IMO_PAIR,
    ST_IT_VOYAGE,
    ST_IT_WL_ENTRY,
    ST_IT_WL_LIST,
    ST_IT_ROW_ID,
    ST_IT_COV_ROW,
    ST_IT_SCAN_ROW
};
struct st_iter {
    int kind;
    /* steps to the next row and fills *row, of the kind's type (st_segment, uint32_t for a chunk's vessel,
       ...): 1, 0 or -pel_status as st_*_next */
    int (*next)(st_iter *it, void *row, pel_error *err);
    void (*free)(st_iter *it);
    /* ST_IT_CHUNK only (else NULL): decodes the current chunk as st_chunk_read */
    pel_status (*read)(st_iter *it, pel_position **buf, size_t *cap, size_t at, size_t *n, pel_error *err);
};

/* The head of a backend's st_scan_writer: its ops (for the store.c
 * wrappers, which get the writer alone). */
struct st_scan_writer_head {
    const st_ops *ops;
};

/* The row of an ST_IT_ROW_ID cursor: a stored row of positions and its
 * generation (0 for chunks). */
typedef struct st_row_id {
    int64_t id, gen;
} st_row_id;

/* The vessel summary the build writes. */
typedef struct st_built {
    uint32_t mmsi;
    uint64_t kept; /* positions stored; first_ms and last_ms are set when > 0 */
    int64_t first_ms, last_ms;
    uint64_t flagged, segments, duplicates_removed;
    double distance_m;
    int64_t gen; /* the generation it was built in */
} st_built;

struct st_ops {
    const char *name;  /* "sqlite", "postgresql" */
    bool month_chunks; /* a chunk must not cross a UTC month (build.c cuts chunks there) */
    /* Several ingests may read and stage at once (ingest.c): the writer's
     * lock is held for the track build only, each input is locked by
     * input_lock, the rows every ingest merges are written in key order, and
     * the build deletes the staged rows it merged (staged_drop) instead of
     * trusting generations; staging_clear must then leave rows alone. */
    bool parallel_ingest;
    void (*close)(pel_store *s);
    const char *(*db_name)(pel_store *s);

    /* transactions; what names the step in an error message ("committing tracks") */
    pel_status (*begin)(pel_store *s, pel_error *err);
    pel_status (*commit)(pel_store *s, const char *what, pel_error *err);
    void (*rollback)(pel_store *s);
    pel_status (*writer_begin)(pel_store *s, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err);
    void (*writer_end)(pel_store *s);
    pel_status (*generation_next)(pel_store *s, int64_t *gen, pel_error *err);
    /* parallel_ingest only (else never called): locks the input of that
     * SHA-256 (hex) for this connection, outside any transaction, waiting
     * (on_wait told) while another process holds it; the lock dies with the
     * connection.  input_unlock releases it. */
    pel_status (*input_lock)(pel_store *s, const char *sha256, void (*on_wait)(void *ud, const char *what), void *ud,
                             pel_error *err);
    void (*input_unlock)(pel_store *s, const char *sha256);

    /* inputs */
    pel_status (*input_find_done)(pel_store *s, const char *sha256, const char *format, const char *settings,
                                  const char *settings_base, bool *found, pel_error *err);
    pel_status (*input_find_partial)(pel_store *s, const char *sha256, const char *format, const char *settings,
                                     bool *found, int64_t *id, st_input_counts *c, pel_error *err);
    pel_status (*input_find_other_partial)(pel_store *s, const char *sha256, bool *found, char *format, size_t fcap,
                                           char *settings, size_t scap, pel_error *err);
    pel_status (*input_add)(pel_store *s, const st_input_new *in, int64_t *id, pel_error *err);
    pel_status (*input_progress)(pel_store *s, int64_t id, const st_input_counts *c, pel_error *err);
    pel_status (*input_done)(pel_store *s, int64_t id, const char *settings, pel_error *err);
    pel_status (*input_paths)(pel_store *s, char ***paths, size_t *n, pel_error *err);
    pel_status (*source_id)(pel_store *s, const char *name, uint32_t *id, pel_error *err);

    /* staging */
    pel_status (*vessel_touch)(pel_store *s, uint32_t mmsi, pel_error *err);
    pel_status (*vessel_add_duplicates)(pel_store *s, uint32_t mmsi, uint64_t n, pel_error *err);
    /* as st_stage; *id (may be NULL) gets the staged row's id, for the build's runs */
    pel_status (*stage)(pel_store *s, uint32_t mmsi, int64_t gen, const pel_position *p, size_t n, int64_t *id,
                        pel_error *err);

    /* vessels, segments, positions */
    pel_status (*vessel_get)(pel_store *s, uint32_t mmsi, st_vessel *v, bool *found, pel_error *err);
    pel_status (*vessel_find)(pel_store *s, st_find how, uint32_t number, const char *key, uint32_t *out, size_t cap,
                              size_t *n, pel_error *err);
    bool (*data_span)(pel_store *s, int64_t *first_ms, int64_t *last_ms);
    st_iter *(*segments_of)(pel_store *s, uint32_t mmsi, int32_t after, size_t limit, pel_error *err);
    st_iter *(*chunks)(pel_store *s, const st_area *a, pel_error *err);

    /* the coverage map */
    pel_status (*coverage_add)(pel_store *s, const st_cov_add *rows, size_t n, pel_error *err);
    st_iter *(*coverage_cell)(pel_store *s, uint32_t cell, int64_t from_hour, int64_t to_hour, pel_error *err);
    st_iter *(*coverage_rows)(pel_store *s, st_cov_which which, uint32_t station, int64_t from_hour, int64_t to_hour,
                              pel_error *err);

    pel_status (*source_names)(pel_store *s, char ***names, size_t *n, pel_error *err);
    /* Empties the map (st_coverage_rebuild, in the current transaction). */
    pel_status (*coverage_clear)(pel_store *s, pel_error *err);

    /* identities and voyages */
    pel_status (*identity_merge)(pel_store *s, const st_ident_row *r, pel_error *err);
    st_iter *(*identities_of)(pel_store *s, uint32_t mmsi, pel_error *err);
    st_iter *(*identities_all)(pel_store *s, bool bare_vessels, pel_error *err);
    st_iter *(*names_of)(pel_store *s, uint32_t mmsi, pel_error *err);
    st_iter *(*imo_shared)(pel_store *s, pel_error *err);
    pel_status (*voyage_merge)(pel_store *s, const st_voyage_row *r, pel_error *err);
    st_iter *(*voyages_of)(pel_store *s, uint32_t mmsi, pel_error *err);
    double (*draught_near)(pel_store *s, uint32_t mmsi, int64_t t, bool before);
    pel_status (*latest_identity)(pel_store *s, uint32_t mmsi, st_latest *l, pel_error *err);
    char *(*latest_name)(pel_store *s, uint32_t mmsi);

    /* watchlists */
    pel_status (*wl_setup)(pel_store *s, pel_error *err);
    pel_status (*wl_known)(pel_store *s, const char *sha256, bool *known, pel_error *err);
    st_wl_import *(*wl_import_begin)(pel_store *s, const char *sha256, const char *sources, pel_error *err);
    pel_status (*wl_import_add)(st_wl_import *imp, const pel_wl_entry *e, pel_error *err);
    pel_status (*wl_import_end)(st_wl_import *imp, bool ok, bool replace, const char *list, uint64_t entries,
                                const char *newest, pel_error *err);
    pel_status (*wl_count)(pel_store *s, int64_t *n, pel_error *err);
    st_iter *(*wl_entries)(pel_store *s, pel_error *err);
    st_iter *(*wl_lists)(pel_store *s, pel_error *err);

    /* pelorus watch's state (store.h, "live") */
    pel_status (*live_setup)(pel_store *s, pel_error *err);
    pel_status (*live_get)(pel_store *s, const char *key, char **value, pel_error *err);
    pel_status (*live_put)(pel_store *s, const char *key, const char *value, pel_error *err);
    pel_status (*live_alerts)(pel_store *s, int (*cb)(void *ud, const st_live_alert *a), void *ud, pel_error *err);
    pel_status (*live_alert_put)(pel_store *s, const st_live_alert *a, pel_error *err);
    pel_status (*live_alert_drop)(pel_store *s, const char *id, pel_error *err);
    pel_status (*live_journals)(pel_store *s, int (*cb)(void *ud, int64_t id, const char *path, uint64_t done),
                                void *ud, pel_error *err);
    /* one live service a database: held from pel_live_open to its close
     * where ingests may write beside it (parallel_ingest), which then takes
     * the writer's lock for its track builds only; elsewhere a no-op (the
     * service holds the writer's lock throughout) */
    pel_status (*live_lock)(pel_store *s, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err);
    void (*live_unlock)(pel_store *s);

    /* what a scan keeps for the next (store.h, "scan state"); NULL all
     * where the backend keeps none (PostgreSQL, for now) */
    pel_status (*scan_head_get)(pel_store *s, void **buf, size_t *len, pel_error *err);
    st_iter *(*scan_rows)(pel_store *s, bool chunks, pel_error *err);
    st_scan_writer *(*scan_write_begin)(pel_store *s, bool fresh, pel_error *err);
    pel_status (*scan_write_row)(st_scan_writer *w, uint32_t mmsi, const void *buf, size_t len, pel_error *err);
    pel_status (*scan_write_chunk)(st_scan_writer *w, uint32_t mmsi, int64_t part, const void *buf, size_t len,
                                   pel_error *err);
    pel_status (*scan_write_end)(st_scan_writer *w, const void *head, size_t len, bool ok, pel_error *err);

    /* inputs as rows; cases imported (store.h, "cases") */
    pel_status (*inputs_each)(pel_store *s, int (*cb)(void *ud, const st_input_row *r), void *ud, pel_error *err);
    pel_status (*case_setup)(pel_store *s, pel_error *err);
    pel_status (*case_add)(pel_store *s, const st_case_row *r, pel_error *err);
    pel_status (*case_finding_add)(pel_store *s, const st_case_finding *f, pel_error *err);
    pel_status (*cases)(pel_store *s, int (*cb)(void *ud, const st_case_row *r), void *ud, pel_error *err);
    pel_status (*case_findings)(pel_store *s, const char *case_id, uint32_t mmsi,
                                int (*cb)(void *ud, const st_case_finding *f), void *ud, pel_error *err);

    /* reviews (store.h, "reviews") */
    pel_status (*review_add)(pel_store *s, const st_review *r, int64_t *seq, pel_error *err);
    pel_status (*reviews)(pel_store *s, const char *finding_id, int (*cb)(void *ud, const st_review *r), void *ud,
                          pel_error *err);

    /* the findings layer (store.h; the SQLite backend has none: a no-op, *stored false) */
    pel_status (*findings_replace)(pel_store *s, int (*next)(void *ud, st_layer_finding *f, pel_error *err), void *ud,
                                   bool *stored, pel_error *err);

    /* every stored row but the positions, as text lines, for pel_store_dump */
    pel_status (*dump_rows)(pel_store *s, FILE *out, pel_error *err);

    /* ---- the track build (build.c) ---- */
    /* Up to cap vessels marked for rebuilding with an MMSI above after (-1:
     * from the first), ascending, with the generation each was last built
     * in (0: never). */
    pel_status (*dirty_vessels)(pel_store *s, int64_t after, uint32_t *mmsi, int64_t *built_gen, size_t cap, size_t *n,
                                pel_error *err);
    /* The ids of mmsi's stored rows: its chunks (staged false; every one,
     * in id order) or its staged rows of generations above after_gen (in
     * id order, which is the order they were staged in); ST_IT_ROW_ID. */
    st_iter *(*row_ids)(pel_store *s, bool staged, uint32_t mmsi, int64_t after_gen, pel_error *err);
    /* Decodes row id (a chunk, or a staged row) of mmsi into *p, grown (realloc; *cap in positions) to
     * hold one position more than the row's; *n its count.  PEL_ERR_FORMAT (err not filled) when
     * its positions are corrupt. */
    pel_status (*row_read)(pel_store *s, bool staged, int64_t id, uint32_t mmsi, pel_position **p, size_t *cap,
                           size_t *n, pel_error *err);
    /* Deletes chunk id and its index entry. */
    pel_status (*chunk_drop)(pel_store *s, int64_t id, pel_error *err);
    /* Stores n (1..TRK_CHUNK) built positions of mmsi in time order as a new chunk, indexed by its time
     * span and the box of its usable positions (segment >= 0; none: not in the box index); *id its id. */
    pel_status (*chunk_add)(pel_store *s, uint32_t mmsi, const pel_position *p, size_t n, int64_t *id, pel_error *err);
    /* Replaces chunk id's positions by p[0..n) (flags changed only: its index entry stays). */
    pel_status (*chunk_rewrite)(pel_store *s, int64_t id, const pel_position *p, size_t n, pel_error *err);
    pel_status (*segments_clear)(pel_store *s, uint32_t mmsi, pel_error *err);
    pel_status (*segment_add)(pel_store *s, const st_segment *g, pel_error *err);
    pel_status (*segment_parallel)(pel_store *s, uint32_t mmsi, int32_t seg, pel_error *err);
    /* Records the vessel's summary and marks it built (adding duplicates_removed to its count). */
    pel_status (*vessel_built)(pel_store *s, const st_built *b, pel_error *err);
    /* parallel_ingest only (else never called): deletes mmsi's staged rows
     * ids[0..n), merged into the vessel's chunks in this transaction. */
    pel_status (*staged_drop)(pel_store *s, uint32_t mmsi, const int64_t *ids, size_t n, pel_error *err);
    /* Empties the staging (every vessel built), then gives freed space back. */
    pel_status (*staging_clear)(pel_store *s, pel_error *err);
    pel_status (*compact)(pel_store *s, pel_error *err);
};

/* Objects a backend makes besides cursors -- st_wl_import --
 * start with a pel_store * (their store), through which store.c finds the
 * table.  The backends: each opens path as pel_store_open says (pelorus.h). */
pel_store *sq_open(const char *path, bool readonly, pel_error *err);
pel_store *pg_open(const char *conninfo, bool readonly, pel_error *err);

/* The first millisecond of the UTC month of ms (Unix ms; build.c). */
int64_t st_month_start(int64_t ms);

#endif
