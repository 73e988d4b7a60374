/*
 * pg_case.c -- the PostgreSQL backend's rows for case files (as
 * sqlite_case.c): the inputs as whole rows (what a case export reads
 * back), and the cases imported from partners with their findings
 * (case_imports and case_findings, part of the schema), kept apart from
 * what pelorus scan finds in the database.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "util/fail.h"

pel_status pg_inputs_each(pel_store *base, int (*cb)(void *ud, const st_input_row *r), void *ud, pel_error *err) {
    static const pg_stmt q = {"SELECT id, path, size, sha256, format, settings, status FROM inputs ORDER BY id"};
    PGresult *r = pg_run(pg_of(base), &q, NULL, false, err, "reading the inputs");
    if (!r)
        return PEL_ERR_IO;
    pel_status st = PEL_OK;
    for (int i = 0; i < PQntuples(r); i++) {
        st_input_row row = {.id = pg_i64(r, i, 0),
                            .path = PQgetvalue(r, i, 1),
                            .size = (uint64_t)pg_i64(r, i, 2),
                            .sha256 = PQgetvalue(r, i, 3),
                            .format = PQgetvalue(r, i, 4),
                            .settings = PQgetvalue(r, i, 5),
                            .status = PQgetvalue(r, i, 6)};
        if (cb(ud, &row)) {
            st = PEL_STOPPED;
            break;
        }
    }
    PQclear(r);
    return st;
}

pel_status pg_case_add(pel_store *base, const st_case_row *c, pel_error *err) {
    static const pg_stmt q = {"INSERT INTO case_imports VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
    pg_par p = {0};
    pg_par_text(&p, c->case_id);
    pg_par_text(&p, c->title ? c->title : "");
    pg_par_text(&p, c->signer);
    pg_par_text(&p, c->origin ? c->origin : "");
    pg_par_text(&p, c->pelorus ? c->pelorus : "");
    pg_par_text(&p, c->imported ? c->imported : "");
    pg_par_text(&p, c->path ? c->path : "");
    pg_par_i64(&p, c->findings);
    pg_par_i64(&p, c->lines);
    return pg_do(pg_of(base), &q, &p, err, "recording the case");
}

pel_status pg_case_finding_add(pel_store *base, const st_case_finding *f, pel_error *err) {
    static const pg_stmt q = {"INSERT INTO case_findings VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
    pg_par p = {0};
    pg_par_text(&p, f->case_id);
    pg_par_i64(&p, f->seq);
    pg_par_text(&p, f->finding_id);
    pg_par_text(&p, f->event);
    pg_par_i64(&p, f->mmsi);
    pg_par_i64(&p, f->mmsi2);
    pg_par_i64(&p, f->start_ms);
    pg_par_i64(&p, f->end_ms);
    pg_par_text(&p, f->json);
    return pg_do(pg_of(base), &q, &p, err, "recording a case's finding");
}

pel_status pg_cases(pel_store *base, int (*cb)(void *ud, const st_case_row *c), void *ud, pel_error *err) {
    static const pg_stmt q = {"SELECT case_id, title, signer, origin, pelorus, imported, path, findings, lines"
                              " FROM case_imports ORDER BY imported COLLATE \"C\", case_id COLLATE \"C\""};
    PGresult *r = pg_run(pg_of(base), &q, NULL, false, err, "reading the cases");
    if (!r)
        return PEL_ERR_IO;
    pel_status st = PEL_OK;
    for (int i = 0; i < PQntuples(r); i++) {
        st_case_row c = {.case_id = PQgetvalue(r, i, 0),
                         .title = PQgetvalue(r, i, 1),
                         .signer = pg_txt(r, i, 2),
                         .origin = PQgetvalue(r, i, 3),
                         .pelorus = PQgetvalue(r, i, 4),
                         .imported = PQgetvalue(r, i, 5),
                         .path = PQgetvalue(r, i, 6),
                         .findings = pg_i64(r, i, 7),
                         .lines = pg_i64(r, i, 8)};
        if (cb(ud, &c)) {
            st = PEL_STOPPED;
            break;
        }
    }
    PQclear(r);
    return st;
}

pel_status pg_case_findings(pel_store *base, const char *case_id, uint32_t mmsi,
                            int (*cb)(void *ud, const st_case_finding *f), void *ud, pel_error *err) {
    static const pg_stmt q = {
        "SELECT f.case_id, f.seq, f.finding_id, f.event, f.mmsi, f.mmsi2, f.start_ms, f.end_ms, f.json"
        " FROM case_findings f JOIN case_imports c USING (case_id)"
        " WHERE ($1::text IS NULL OR f.case_id = $1::text) AND ($2::integer = 0 OR f.mmsi = $2::integer"
        " OR f.mmsi2 = $2::integer) ORDER BY c.imported COLLATE \"C\", f.case_id COLLATE \"C\", f.seq"};
    pg_par p = {0};
    pg_par_text(&p, case_id);
    pg_par_i64(&p, mmsi);
    PGresult *r = pg_run(pg_of(base), &q, &p, false, err, "reading the cases' findings");
    if (!r)
        return PEL_ERR_IO;
    pel_status st = PEL_OK;
    for (int i = 0; i < PQntuples(r); i++) {
        st_case_finding f = {.case_id = PQgetvalue(r, i, 0),
                             .seq = pg_i64(r, i, 1),
                             .finding_id = PQgetvalue(r, i, 2),
                             .event = PQgetvalue(r, i, 3),
                             .mmsi = (uint32_t)pg_i64(r, i, 4),
                             .mmsi2 = (uint32_t)pg_i64(r, i, 5),
                             .start_ms = pg_i64(r, i, 6),
                             .end_ms = pg_i64(r, i, 7),
                             .json = PQgetvalue(r, i, 8)};
        if (cb(ud, &f)) {
            st = PEL_STOPPED;
            break;
        }
    }
    PQclear(r);
    return st;
}
