/*
 * sqlite_review.c -- the SQLite backend's reviews of findings (pelorus
 * review, docs/review.md): one row per review, by finding id and its
 * number (seq, from 1), never changed or removed, so the history of a
 * finding's reviews is kept; the latest is its status.  The table is made
 * by the first review: a database never reviewed has none.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "util/fail.h"

static const char schema[] = "CREATE TABLE IF NOT EXISTS reviews("
                             " finding_id TEXT NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL,"
                             " note TEXT NOT NULL, reviewer TEXT NOT NULL, at TEXT NOT NULL,"
                             " PRIMARY KEY(finding_id, seq));";

pel_status sq_review_add(pel_store *base, const st_review *r, int64_t *seq, pel_error *err) {
    sq_store *s = sq_of(base);
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        pel_fail(err, PEL_ERR_IO, "database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return PEL_ERR_IO;
    }
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT INTO reviews SELECT ?1, coalesce(max(seq), 0) + 1, ?2, ?3, ?4, ?5 FROM reviews"
                           " WHERE finding_id = ?1 RETURNING seq",
                           -1, &q, NULL) != SQLITE_OK)
        return sq_error(s, err, "recording the review");
    sqlite3_bind_text(q, 1, r->finding_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, r->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, r->note ? r->note : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, r->by ? r->by : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, r->at ? r->at : "", -1, SQLITE_STATIC);
    pel_status st = PEL_OK;
    if (sqlite3_step(q) != SQLITE_ROW)
        st = sq_error(s, err, "recording the review");
    else if (seq)
        *seq = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return st;
}

pel_status sq_reviews(pel_store *base, const char *finding_id, int (*cb)(void *ud, const st_review *r), void *ud,
                      pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'reviews'", -1,
                           &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        return sq_error(s, err, "reading the reviews");
    }
    bool have = sqlite3_column_int64(q, 0) > 0;
    sqlite3_finalize(q);
    if (!have)
        return PEL_OK;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT finding_id, seq, status, note, reviewer, at FROM reviews"
                           " WHERE ?1 IS NULL OR finding_id = ?1 ORDER BY finding_id, seq",
                           -1, &q, NULL) != SQLITE_OK)
        return sq_error(s, err, "reading the reviews");
    if (finding_id)
        sqlite3_bind_text(q, 1, finding_id, -1, SQLITE_STATIC);
    int rc;
    pel_status st = PEL_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        st_review r = {.finding_id = (const char *)sqlite3_column_text(q, 0),
                       .seq = sqlite3_column_int64(q, 1),
                       .status = (const char *)sqlite3_column_text(q, 2),
                       .note = (const char *)sqlite3_column_text(q, 3),
                       .by = (const char *)sqlite3_column_text(q, 4),
                       .at = (const char *)sqlite3_column_text(q, 5)};
        if (cb(ud, &r)) {
            st = PEL_STOPPED;
            break;
        }
    }
    if (st == PEL_OK && rc != SQLITE_DONE)
        st = sq_error(s, err, "reading the reviews");
    sqlite3_finalize(q);
    return st;
}
