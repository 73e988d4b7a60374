/*
 * store_internal.h -- the store's connection and prepared statements, shared
 * by store.c (schema), ingest (writing) and query.c (reading).  Internal.
 */
#ifndef PEL_STORE_INTERNAL_H
#define PEL_STORE_INTERNAL_H

#include <sqlite3.h>

#include "pelorus.h"

enum {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
    ST_INPUT_FIND_DONE, ST_INPUT_FIND_PARTIAL, ST_INPUT_NEW, ST_INPUT_PROGRESS, ST_INPUT_DONE,
    ST_INPUT_OTHER_PARTIAL,
    ST_SOURCE_FIND, ST_SOURCE_NEW,
    ST_CHUNK_RAW, ST_VESSEL_DIRTY,
    ST_IDENTITY, ST_VOYAGE,
    ST_DIRTY_LIST, ST_CHUNKS_OF, ST_BOX_DEL, ST_CHUNK_DEL, ST_CHUNK_BUILT, ST_BOX_ADD,
    ST_SEG_DEL, ST_SEG_ADD, ST_VESSEL_DONE, ST_GEN_NEXT, ST_STAGING_CLEAR, ST_VACUUM,
    ST__COUNT
};

struct pel_store {
    sqlite3 *db;
    bool readonly;
    bool immutable;     /* read-only place: opened with immutable=1 (store.c) */
    int64_t gen;        /* this run's generation: staging rows carry it */
    sqlite3_stmt *st[ST__COUNT];
};

/* Sets err from the connection's last error, prefixed by what; returns
 * PEL_ERR_IO. */
pel_status st_error(pel_store *s, pel_error *err, const char *what);

/* Runs SQL without results; PEL_OK or PEL_ERR_IO with err filled. */
pel_status st_exec(pel_store *s, const char *sql, pel_error *err);

/* Returns the prepared statement i, reset and with bindings cleared. */
sqlite3_stmt *st_get(pel_store *s, int i);

/* Steps a statement expected to finish (INSERT/UPDATE/DELETE). */
pel_status st_done(pel_store *s, sqlite3_stmt *q, pel_error *err, const char *what);

/* Writes s upper-cased, letters and digits only, into out (cap bytes):
 * "Yu Jong-2" -> "YUJONG2", the form names are searched by. */
void st_norm_name(const char *s, char *out, size_t cap);

/* The inputs' paths by inputs.id, for the evidence of findings: a malloc'd
 * array of *n malloc'd strings (NULL where there is no input); on PEL_OK
 * the caller frees both (fnd_set_paths takes them).  PEL_ERR_IO or
 * PEL_ERR_NOMEM otherwise (what was read so far in *out, the caller's to
 * free). */
pel_status st_input_paths(pel_store *s, char ***out, size_t *n);

/* Rebuilds the tracks of every vessel marked dirty, each streamed in bounded
 * memory (build.c); o gives the track options, stats (may be NULL) the counts. */
pel_status st_build_dirty(pel_store *s, const pel_ingest_opts *o, pel_ingest_stats *stats, pel_error *err);

#endif
