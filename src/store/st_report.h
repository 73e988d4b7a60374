/*
 * st_report.h -- the store queries the risk ranking and the evidence report
 * need (src/report/): a vessel's identity history and latest broadcast
 * values, its latest destination, the data's time span and the database's
 * file name.  Internal to libpelorus; implemented in report_query.c.
 */
#ifndef PEL_ST_REPORT_H
#define PEL_ST_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

/* One row of the identities table, absent values as in the schema turned
 * into NULL / 0 / -1: name and callsign NULL when empty, imo 0, shiptype -1. */
typedef struct st_identity {
    char *name; /* owned by the array (st_identities_free) */
    uint32_t imo;
    char *callsign; /* owned by the array */
    int shiptype;
    int64_t first_ms, last_ms;
} st_identity;

/* The latest value of each identity field a vessel broadcast: each taken
 * from the identity row heard last that has it (ties by the smallest
 * value, so the answer is deterministic).  Strings are NULL when never
 * broadcast; imo 0, shiptype -1 when absent. */
typedef struct st_latest {
    char *name; /* owned; free with st_latest_clear */
    uint32_t imo;
    char *callsign; /* owned */
    int shiptype;
    char *destination; /* from the voyages table; owned */
} st_latest;

/* Reads every identity row of mmsi, ordered by first seen (then name, IMO,
 * call sign).  On PEL_OK *out (NULL when there are none) is owned by the
 * caller and freed with st_identities_free(*out, *n).  On failure *out is
 * NULL, *n 0 and err (may be NULL) is filled. */
pel_status st_identities(pel_store *s, uint32_t mmsi, st_identity **out, size_t *n, pel_error *err);

/* Frees an array from st_identities; NULL is accepted. */
void st_identities_free(st_identity *v, size_t n);

/* Fills *l with the latest identity values of mmsi (see st_latest).  On
 * failure every member is absent and err (may be NULL) is filled; the
 * caller frees the strings with st_latest_clear either way. */
pel_status st_latest_identity(pel_store *s, uint32_t mmsi, st_latest *l, pel_error *err);

/* Frees l's strings and sets every member absent.  l may be NULL. */
void st_latest_clear(st_latest *l);

/* The latest broadcast name of mmsi (as st_latest.name), NULL when none or
 * on failure.  The caller frees it. */
char *st_latest_name(pel_store *s, uint32_t mmsi);

/* The first and last position time of the whole store (the vessels table).
 * Returns false when the store holds no positions. */
bool st_data_span(pel_store *s, int64_t *first_ms, int64_t *last_ms);

/* The file name of the main database (borrowed from SQLite, valid while s is
 * open), or NULL for an in-memory or temporary database. */
const char *st_db_path(pel_store *s);

#endif
