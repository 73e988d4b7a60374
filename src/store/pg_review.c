/*
 * pg_review.c -- the PostgreSQL backend's reviews of findings (as
 * sqlite_review.c; docs/review.md): one row per review, by finding id and
 * its number (seq, from 1), never changed or removed (pg_roles.sql grants
 * INSERT and SELECT only); the latest is the finding's status.  Two
 * analysts reviewing one finding at the same moment: the second insert
 * meets the first's number and takes the next.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "util/fail.h"

pel_status pg_review_add(pel_store *base, const st_review *r, int64_t *seq, pel_error *err) {
    static const pg_stmt q = {"INSERT INTO reviews SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5 FROM reviews"
                              " WHERE finding_id = $1 ON CONFLICT (finding_id, seq) DO NOTHING RETURNING seq"};
    pg_par p = {0};
    pg_par_text(&p, r->finding_id);
    pg_par_text(&p, r->status);
    pg_par_text(&p, r->note ? r->note : "");
    pg_par_text(&p, r->by ? r->by : "");
    pg_par_text(&p, r->at ? r->at : "");
    for (int k = 0; k < 10; k++) {
        PGresult *res = pg_run(pg_of(base), &q, &p, false, err, "recording the review");
        if (!res)
            return PEL_ERR_IO;
        bool got = PQntuples(res) == 1;
        if (got && seq)
            *seq = pg_i64(res, 0, 0);
        PQclear(res);
        if (got)
            return PEL_OK;
    }
    return pel_fail(err, PEL_ERR_IO, "recording the review: other reviews of %s kept coming in; try again",
                    r->finding_id);
}

pel_status pg_reviews(pel_store *base, const char *finding_id, int (*cb)(void *ud, const st_review *r), void *ud,
                      pel_error *err) {
    static const pg_stmt q = {
        "SELECT finding_id, seq, status, note, reviewer, at FROM reviews"
        " WHERE $1::text IS NULL OR finding_id = $1::text ORDER BY finding_id COLLATE \"C\", seq"};
    pg_par p = {0};
    pg_par_text(&p, finding_id);
    PGresult *res = pg_run(pg_of(base), &q, &p, false, err, "reading the reviews");
    if (!res)
        return PEL_ERR_IO;
    pel_status st = PEL_OK;
    for (int i = 0; i < PQntuples(res); i++) {
        st_review r = {.finding_id = PQgetvalue(res, i, 0),
                       .seq = pg_i64(res, i, 1),
                       .status = PQgetvalue(res, i, 2),
                       .note = PQgetvalue(res, i, 3),
                       .by = PQgetvalue(res, i, 4),
                       .at = PQgetvalue(res, i, 5)};
        if (cb(ud, &r)) {
            st = PEL_STOPPED;
            break;
        }
    }
    PQclear(res);
    return st;
}
