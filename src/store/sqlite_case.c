/*
 * sqlite_case.c -- the SQLite backend's rows for case files (src/case/):
 * the inputs as whole rows (what a case export reads back), and the cases
 * imported from partners with their findings (tables case_imports and
 * case_findings, made by the first import: a database that never imported
 * a case has neither).  A partner's findings are kept apart from what
 * pelorus scan finds in the database: they are the partner's, shown as
 * theirs (docs/case.md).
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"
#include "util/fail.h"

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS case_imports("
    " case_id TEXT PRIMARY KEY, title TEXT NOT NULL, signer TEXT, origin TEXT NOT NULL, pelorus TEXT NOT NULL,"
    " imported TEXT NOT NULL, path TEXT NOT NULL, findings INTEGER NOT NULL, lines INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS case_findings("
    " case_id TEXT NOT NULL, seq INTEGER NOT NULL, finding_id TEXT NOT NULL, event TEXT NOT NULL,"
    " mmsi INTEGER NOT NULL, mmsi2 INTEGER NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL,"
    " json TEXT NOT NULL, PRIMARY KEY(case_id, seq));"
    "CREATE INDEX IF NOT EXISTS case_findings_mmsi ON case_findings(mmsi);";

static sqlite3_stmt *prepare(sq_store *s, const char *sql, pel_error *err, const char *what) {
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK) {
        sq_error(s, err, what);
        return NULL;
    }
    return q;
}

static const char *text(sqlite3_stmt *q, int col) {
    const char *t = (const char *)sqlite3_column_text(q, col);
    return t ? t : "";
}

pel_status sq_inputs_each(pel_store *base, int (*cb)(void *ud, const st_input_row *r), void *ud, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q = prepare(s, "SELECT id, path, size, sha256, format, settings, status FROM inputs ORDER BY id", err,
                              "reading the inputs");
    if (!q)
        return PEL_ERR_IO;
    int rc;
    pel_status st = PEL_OK;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        st_input_row r = {.id = sqlite3_column_int64(q, 0),
                          .path = text(q, 1),
                          .size = (uint64_t)sqlite3_column_int64(q, 2),
                          .sha256 = text(q, 3),
                          .format = text(q, 4),
                          .settings = text(q, 5),
                          .status = text(q, 6)};
        if (cb(ud, &r)) {
            st = PEL_STOPPED;
            break;
        }
    }
    if (st == PEL_OK && rc != SQLITE_DONE)
        st = sq_error(s, err, "reading the inputs");
    sqlite3_finalize(q);
    return st;
}

pel_status sq_case_setup(pel_store *base, pel_error *err) {
    sq_store *s = sq_of(base);
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        pel_fail(err, PEL_ERR_IO, "database: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return PEL_ERR_IO;
    }
    return PEL_OK;
}

/* True when the table of cases exists. */
static pel_status have_cases(sq_store *s, bool *yes, pel_error *err) {
    sqlite3_stmt *q = prepare(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'case_imports'",
                              err, "reading the cases");
    if (!q)
        return PEL_ERR_IO;
    pel_status st = sqlite3_step(q) == SQLITE_ROW ? PEL_OK : sq_error(s, err, "reading the cases");
    *yes = st == PEL_OK && sqlite3_column_int64(q, 0) > 0;
    sqlite3_finalize(q);
    return st;
}

pel_status sq_case_add(pel_store *base, const st_case_row *r, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q =
        prepare(s, "INSERT INTO case_imports VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", err, "recording the case");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, r->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, r->title ? r->title : "", -1, SQLITE_STATIC);
    if (r->signer)
        sqlite3_bind_text(q, 3, r->signer, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, r->origin ? r->origin : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, r->pelorus ? r->pelorus : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, r->imported ? r->imported : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 7, r->path ? r->path : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 8, r->findings);
    sqlite3_bind_int64(q, 9, r->lines);
    pel_status st = sqlite3_step(q) == SQLITE_DONE ? PEL_OK : sq_error(s, err, "recording the case");
    sqlite3_finalize(q);
    return st;
}

pel_status sq_case_finding_add(pel_store *base, const st_case_finding *f, pel_error *err) {
    sq_store *s = sq_of(base);
    sqlite3_stmt *q =
        prepare(s, "INSERT INTO case_findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", err, "recording a case's finding");
    if (!q)
        return PEL_ERR_IO;
    sqlite3_bind_text(q, 1, f->case_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, f->seq);
    sqlite3_bind_text(q, 3, f->finding_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, f->event, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, f->mmsi);
    sqlite3_bind_int64(q, 6, f->mmsi2);
    sqlite3_bind_int64(q, 7, f->start_ms);
    sqlite3_bind_int64(q, 8, f->end_ms);
    sqlite3_bind_text(q, 9, f->json, -1, SQLITE_STATIC);
    pel_status st = sqlite3_step(q) == SQLITE_DONE ? PEL_OK : sq_error(s, err, "recording a case's finding");
    sqlite3_finalize(q);
    return st;
}

pel_status sq_cases(pel_store *base, int (*cb)(void *ud, const st_case_row *r), void *ud, pel_error *err) {
    sq_store *s = sq_of(base);
    bool yes;
    pel_status st = have_cases(s, &yes, err);
    if (st != PEL_OK || !yes)
        return st;
    sqlite3_stmt *q = prepare(s,
                              "SELECT case_id, title, signer, origin, pelorus, imported, path, findings, lines"
                              " FROM case_imports ORDER BY imported, case_id",
                              err, "reading the cases");
    if (!q)
        return PEL_ERR_IO;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        st_case_row r = {.case_id = text(q, 0),
                         .title = text(q, 1),
                         .signer = sqlite3_column_type(q, 2) == SQLITE_NULL ? NULL : text(q, 2),
                         .origin = text(q, 3),
                         .pelorus = text(q, 4),
                         .imported = text(q, 5),
                         .path = text(q, 6),
                         .findings = sqlite3_column_int64(q, 7),
                         .lines = sqlite3_column_int64(q, 8)};
        if (cb(ud, &r)) {
            st = PEL_STOPPED;
            break;
        }
    }
    if (st == PEL_OK && rc != SQLITE_DONE)
        st = sq_error(s, err, "reading the cases");
    sqlite3_finalize(q);
    return st;
}

pel_status sq_case_findings(pel_store *base, const char *case_id, uint32_t mmsi,
                            int (*cb)(void *ud, const st_case_finding *f), void *ud, pel_error *err) {
    sq_store *s = sq_of(base);
    bool yes;
    pel_status st = have_cases(s, &yes, err);
    if (st != PEL_OK || !yes)
        return st;
    sqlite3_stmt *q = prepare(s,
                              "SELECT f.case_id, f.seq, f.finding_id, f.event, f.mmsi, f.mmsi2, f.start_ms, f.end_ms,"
                              " f.json FROM case_findings f JOIN case_imports c USING (case_id)"
                              " WHERE (?1 IS NULL OR f.case_id = ?1) AND (?2 = 0 OR f.mmsi = ?2 OR f.mmsi2 = ?2)"
                              " ORDER BY c.imported, f.case_id, f.seq",
                              err, "reading the cases' findings");
    if (!q)
        return PEL_ERR_IO;
    if (case_id)
        sqlite3_bind_text(q, 1, case_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, mmsi);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        st_case_finding f = {.case_id = text(q, 0),
                             .seq = sqlite3_column_int64(q, 1),
                             .finding_id = text(q, 2),
                             .event = text(q, 3),
                             .mmsi = (uint32_t)sqlite3_column_int64(q, 4),
                             .mmsi2 = (uint32_t)sqlite3_column_int64(q, 5),
                             .start_ms = sqlite3_column_int64(q, 6),
                             .end_ms = sqlite3_column_int64(q, 7),
                             .json = text(q, 8)};
        if (cb(ud, &f)) {
            st = PEL_STOPPED;
            break;
        }
    }
    if (st == PEL_OK && rc != SQLITE_DONE)
        st = sq_error(s, err, "reading the cases' findings");
    sqlite3_finalize(q);
    return st;
}
