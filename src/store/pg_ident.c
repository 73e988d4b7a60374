/*
 * pg_ident.c -- the PostgreSQL backend's identities and voyage reports:
 * merged by upsert as sqlite_write.c does (first and last heard, reports
 * counted, clocks or-ed), and read back in sqlite_read.c's orders (texts
 * bytewise, COLLATE "C"; SQLite's NULLs first where a column may be NULL),
 * with their latest values and the IMO numbers shared by several MMSIs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "util/fail.h"

#define C_ "COLLATE \"C\""

/* ---- merging ------------------------------------------------------------------------------- */

pel_status pg_identity_merge(pel_store *base, const st_ident_row *r, pel_error *err) {
    static const pg_stmt q = {
        "INSERT INTO identities VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        " ON CONFLICT (mmsi, name, imo, callsign, shiptype, to_bow, to_stern, to_port, to_starboard) DO UPDATE SET"
        " clocks = identities.clocks | excluded.clocks,"
        " first_input = CASE WHEN excluded.first_ms < identities.first_ms THEN excluded.first_input"
        " ELSE identities.first_input END,"
        " first_line = CASE WHEN excluded.first_ms < identities.first_ms THEN excluded.first_line"
        " ELSE identities.first_line END,"
        " first_ms = least(identities.first_ms, excluded.first_ms),"
        " last_ms = greatest(identities.last_ms, excluded.last_ms), reports = identities.reports + excluded.reports"};
    char nn[64]; /* the name as it is searched by (pel_vessel_find) */
    pel_text_key(r->name, nn, sizeof nn);
    pg_par p = {0};
    pg_par_i64(&p, r->mmsi);
    pg_par_text(&p, r->name);
    pg_par_i64(&p, r->imo);
    pg_par_text(&p, r->callsign);
    pg_par_i64(&p, r->shiptype);
    pg_par_i64(&p, r->to_bow);
    pg_par_i64(&p, r->to_stern);
    pg_par_i64(&p, r->to_port);
    pg_par_i64(&p, r->to_starboard);
    pg_par_text(&p, nn);
    pg_par_i64(&p, r->first_ms);
    pg_par_i64(&p, r->last_ms);
    pg_par_i64(&p, (int64_t)r->reports);
    pg_par_i64(&p, r->first_input);
    pg_par_i64(&p, (int64_t)r->first_line);
    pg_par_i64(&p, r->clocks);
    return pg_defer(pg_of(base), &q, &p, err, "storing an identity");
}

pel_status pg_voyage_merge(pel_store *base, const st_voyage_row *r, pel_error *err) {
    pg_of(base)->dr_known = false;
    static const pg_stmt q = {
        "INSERT INTO voyages VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        " ON CONFLICT (mmsi, destination, draught_dm, eta) DO UPDATE SET clocks = voyages.clocks | excluded.clocks,"
        " first_input = CASE WHEN excluded.first_ms < voyages.first_ms THEN excluded.first_input"
        " ELSE voyages.first_input END,"
        " first_line = CASE WHEN excluded.first_ms < voyages.first_ms THEN excluded.first_line"
        " ELSE voyages.first_line END,"
        " first_ms = least(voyages.first_ms, excluded.first_ms), last_ms = greatest(voyages.last_ms, excluded.last_ms),"
        " reports = voyages.reports + excluded.reports"};
    pg_par p = {0};
    pg_par_i64(&p, r->mmsi);
    pg_par_text(&p, r->destination);
    pg_par_i64(&p, r->draught_dm);
    pg_par_text(&p, r->eta);
    pg_par_i64(&p, r->first_ms);
    pg_par_i64(&p, r->last_ms);
    pg_par_i64(&p, (int64_t)r->reports);
    pg_par_i64(&p, r->first_input);
    pg_par_i64(&p, (int64_t)r->first_line);
    pg_par_i64(&p, r->clocks);
    return pg_defer(pg_of(base), &q, &p, err, "storing a voyage report");
}

/* ---- identities ------------------------------------------------------------------------------ */

#define IDENT_COLS                                                                                                     \
    "mmsi, name, imo, callsign, shiptype, to_bow, to_stern, to_port, to_starboard, first_ms, last_ms, reports,"        \
    " first_input, first_line, clocks"
#define IDENT_KEY_ORDER "name " C_ ", imo, callsign " C_ ", shiptype, to_bow, to_stern, to_port, to_starboard"

static const pg_stmt ident_of = {"SELECT " IDENT_COLS
                                 ", i.path FROM identities LEFT JOIN inputs i ON i.id = first_input"
                                 " WHERE mmsi = $1 ORDER BY first_ms, " IDENT_KEY_ORDER};
static const pg_stmt ident_all = {"SELECT " IDENT_COLS
                                  ", NULL FROM identities ORDER BY mmsi, first_ms, " IDENT_KEY_ORDER};
/* every vessel with positions or identities: a vessel without one is screened on its MMSI alone */
static const pg_stmt ident_all_bare = {
    "SELECT * FROM (SELECT " IDENT_COLS ", 0 AS bare FROM identities"
    " UNION ALL SELECT mmsi, NULL, 0, '', -1, -1, -1, -1, -1, first_ms, last_ms, 0, 0, 0, 0, 1"
    " FROM vessels WHERE mmsi NOT IN (SELECT mmsi FROM identities)) u"
    " ORDER BY mmsi, first_ms NULLS FIRST, name " C_ " NULLS FIRST, imo, callsign " C_
    ", shiptype, to_bow, to_stern, to_port, to_starboard"};

/* An identity cursor, and which statement it runs. */
typedef struct ident_iter {
    pg_iter it;
    const pg_stmt *which;
} ident_iter;

static int ident_next(st_iter *base, void *row, pel_error *err) {
    pg_iter *it = (pg_iter *)base;
    int rc = pg_iter_step(it, err);
    if (rc <= 0)
        return rc;
    const PGresult *q = it->r;
    int i = it->row;
    st_ident_row *r = row;
    const char *name = pg_txt(q, i, 1), *cs = pg_txt(q, i, 3);
    r->mmsi = (uint32_t)pg_i64(q, i, 0);
    r->name = name ? name : "";
    r->imo = (uint32_t)pg_i64(q, i, 2);
    r->callsign = cs ? cs : "";
    r->shiptype = (int)pg_i64(q, i, 4);
    r->to_bow = (int)pg_i64(q, i, 5);
    r->to_stern = (int)pg_i64(q, i, 6);
    r->to_port = (int)pg_i64(q, i, 7);
    r->to_starboard = (int)pg_i64(q, i, 8);
    r->first_ms = pg_i64(q, i, 9);
    r->last_ms = pg_i64(q, i, 10);
    r->reports = (uint64_t)pg_i64(q, i, 11);
    r->first_input = pg_i64(q, i, 12);
    r->first_line = (uint64_t)pg_i64(q, i, 13);
    r->clocks = (unsigned)pg_i64(q, i, 14);
    const pg_stmt *which = ((ident_iter *)it)->which;
    r->first_path = which == &ident_of ? pg_txt(q, i, 15) : NULL;
    r->bare = which == &ident_all_bare && pg_i64(q, i, 15) != 0;
    return 1;
}

static st_iter *ident_open(pg_store *s, const pg_stmt *q, const pg_par *p, bool stream, pel_error *err) {
    ident_iter *it = (ident_iter *)pg_iter_new(s, ST_IT_IDENT, sizeof *it, ident_next, q, p, false, stream, err,
                                               "reading identities");
    if (!it)
        return NULL;
    it->which = q;
    return &it->it.base;
}

st_iter *pg_identities_of(pel_store *base, uint32_t mmsi, pel_error *err) {
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    return ident_open(pg_of(base), &ident_of, &p, false, err);
}

st_iter *pg_identities_all(pel_store *base, bool bare_vessels, pel_error *err) {
    return ident_open(pg_of(base), bare_vessels ? &ident_all_bare : &ident_all, NULL, true, err);
}

static int name_next(st_iter *base, void *row, pel_error *err) {
    pg_iter *it = (pg_iter *)base;
    int rc = pg_iter_step(it, err);
    if (rc > 0)
        *(const char **)row = PQgetvalue(it->r, it->row, 0);
    return rc;
}

st_iter *pg_names_of(pel_store *base, uint32_t mmsi, pel_error *err) {
    static const pg_stmt q = {"SELECT DISTINCT name " C_
                              " AS name FROM identities WHERE mmsi = $1 AND name <> '' ORDER BY 1"};
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    pg_iter *it =
        pg_iter_new(pg_of(base), ST_IT_NAME, sizeof *it, name_next, &q, &p, false, false, err, "reading names");
    return it ? &it->base : NULL;
}

static int imo_pair_next(st_iter *base, void *row, pel_error *err) {
    pg_iter *it = (pg_iter *)base;
    int rc = pg_iter_step(it, err);
    if (rc > 0) {
        const PGresult *q = it->r;
        int i = it->row;
        st_imo_pair *p = row;
        p->imo = (uint32_t)pg_i64(q, i, 0);
        p->mmsi_a = (uint32_t)pg_i64(q, i, 1);
        p->mmsi_b = (uint32_t)pg_i64(q, i, 2);
        p->a_first_ms = pg_i64(q, i, 3);
        p->a_last_ms = pg_i64(q, i, 4);
        p->b_first_ms = pg_i64(q, i, 5);
        p->b_last_ms = pg_i64(q, i, 6);
        p->a_input = pg_i64(q, i, 7);
        p->a_line = (uint64_t)pg_i64(q, i, 8);
        p->b_input = pg_i64(q, i, 9);
        p->b_line = (uint64_t)pg_i64(q, i, 10);
        p->clocks = (unsigned)pg_i64(q, i, 11);
    }
    return rc;
}

st_iter *pg_imo_shared(pel_store *base, pel_error *err) {
    /* one IMO under several MMSIs: valid-looking numbers only; the clocks of
       both sides or-ed, bits 1..6 (as sqlite_open.c's SQ_IMO_SHARED) */
    static const pg_stmt q = {
        "SELECT a.imo, a.mmsi, b.mmsi, min(a.first_ms), max(a.last_ms), min(b.first_ms), max(b.last_ms),"
        " min(a.first_input), min(a.first_line), min(b.first_input), min(b.first_line),"
        " (bit_or(a.clocks) | bit_or(b.clocks)) & 126"
        " FROM identities a JOIN identities b ON a.imo = b.imo AND a.mmsi < b.mmsi"
        " WHERE a.imo > 0 AND b.imo > 0 AND a.imo BETWEEN 1000000 AND 9999999"
        " GROUP BY a.imo, a.mmsi, b.mmsi ORDER BY a.imo, a.mmsi, b.mmsi"};
    pg_iter *it = pg_iter_new(pg_of(base), ST_IT_IMO_PAIR, sizeof *it, imo_pair_next, &q, NULL, false, true, err,
                              "reading shared IMO numbers");
    return it ? &it->base : NULL;
}

/* ---- voyages ----------------------------------------------------------------------------------- */

static int voyage_next(st_iter *base, void *row, pel_error *err) {
    pg_iter *it = (pg_iter *)base;
    int rc = pg_iter_step(it, err);
    if (rc <= 0)
        return rc;
    const PGresult *q = it->r;
    int i = it->row;
    st_voyage_row *v = row;
    v->mmsi = (uint32_t)pg_i64(q, i, 0);
    v->destination = PQgetvalue(q, i, 1);
    v->draught_dm = (int)pg_i64(q, i, 2);
    v->eta = PQgetvalue(q, i, 3);
    v->first_ms = pg_i64(q, i, 4);
    v->last_ms = pg_i64(q, i, 5);
    v->reports = (uint64_t)pg_i64(q, i, 6);
    v->first_input = pg_i64(q, i, 7);
    v->first_line = (uint64_t)pg_i64(q, i, 8);
    v->clocks = (unsigned)pg_i64(q, i, 9);
    return 1;
}

st_iter *pg_voyages_of(pel_store *base, uint32_t mmsi, pel_error *err) {
    static const pg_stmt q = {"SELECT mmsi, destination, draught_dm, eta, first_ms, last_ms, reports, first_input,"
                              " first_line, clocks FROM voyages WHERE mmsi = $1"
                              " ORDER BY first_ms, destination " C_ ", draught_dm, eta " C_};
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    pg_iter *it = pg_iter_new(pg_of(base), ST_IT_VOYAGE, sizeof *it, voyage_next, &q, &p, false, false, err,
                              "reading voyage reports");
    return it ? &it->base : NULL;
}

struct pg_draught {
    int64_t first, last;
    int64_t dm;
};

/* Reads the vessel's voyage reports with a draught into s->dr, unless
 * they are there.  False when they could not be read. */
static bool draughts_of(pg_store *s, uint32_t mmsi) {
    static const pg_stmt q = {"SELECT first_ms, last_ms, draught_dm FROM voyages WHERE mmsi = $1 AND draught_dm >= 0"
                              " ORDER BY first_ms, last_ms, draught_dm"};
    if (s->dr_known && s->dr_mmsi == mmsi)
        return true;
    s->dr_known = false;
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    PGresult *r = pg_run(s, &q, &p, false, NULL, "query");
    if (!r)
        return false;
    size_t n = (size_t)PQntuples(r);
    if (n > s->drcap) {
        struct pg_draught *v = realloc(s->dr, n * sizeof *v);
        if (!v) {
            PQclear(r);
            return false;
        }
        s->dr = v;
        s->drcap = n;
    }
    for (size_t i = 0; i < n; i++)
        s->dr[i] = (struct pg_draught){pg_i64(r, (int)i, 0), pg_i64(r, (int)i, 1), pg_i64(r, (int)i, 2)};
    PQclear(r);
    s->ndr = n;
    s->dr_mmsi = mmsi;
    s->dr_known = true;
    return true;
}

/* As SQLite's: before, the report begun by t that ended last (then begun
 * last); after, the one still going at t that began first (then ended
 * first). */
double pg_draught_near(pel_store *base, uint32_t mmsi, int64_t t, bool before) {
    pg_store *s = pg_of(base);
    if (!draughts_of(s, mmsi))
        return NAN;
    const struct pg_draught *best = NULL;
    for (size_t i = 0; i < s->ndr; i++) {
        const struct pg_draught *d = &s->dr[i];
        if (before ? d->first > t : d->last < t)
            continue;
        if (!best || (before ? d->last > best->last || (d->last == best->last && d->first > best->first)
                             : d->first < best->first || (d->first == best->first && d->last < best->last)))
            best = d;
    }
    return best ? (double)best->dm / 10.0 : NAN;
}

/* ---- the latest values ----------------------------------------------------------------------------- */

/* the latest value of each field (ties: the smallest) */
static const pg_stmt latest_name = {"SELECT name FROM identities WHERE mmsi = $1 AND name <> ''"
                                    " ORDER BY last_ms DESC, name " C_ " LIMIT 1"};
static const pg_stmt latest_imo = {
    "SELECT imo FROM identities WHERE mmsi = $1 AND imo > 0 ORDER BY last_ms DESC, imo LIMIT 1"};
static const pg_stmt latest_callsign = {"SELECT callsign FROM identities WHERE mmsi = $1 AND callsign <> ''"
                                        " ORDER BY last_ms DESC, callsign " C_ " LIMIT 1"};
static const pg_stmt latest_type = {
    "SELECT shiptype FROM identities WHERE mmsi = $1 AND shiptype >= 0 ORDER BY last_ms DESC, shiptype LIMIT 1"};
static const pg_stmt latest_dest = {"SELECT destination FROM voyages WHERE mmsi = $1 AND destination <> ''"
                                    " ORDER BY last_ms DESC, destination " C_ " LIMIT 1"};

/* Runs q, one row and one column, for mmsi; the value in *text (owned;
 * NULL when there is none or it is empty) or *num.  False on an error. */
static bool one(pg_store *s, const pg_stmt *q, uint32_t mmsi, char **text, int64_t *num, pel_error *err) {
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    PGresult *r = pg_run(s, q, &p, false, err, "reading a vessel's identity");
    if (!r)
        return false;
    bool ok = true;
    if (PQntuples(r) == 1) {
        const char *t = pg_txt(r, 0, 0);
        if (text && t && t[0])
            ok = (*text = strdup(t)) != NULL;
        if (num)
            *num = pg_i64(r, 0, 0);
    }
    PQclear(r);
    if (!ok)
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    return ok;
}

pel_status pg_latest_identity(pel_store *base, uint32_t mmsi, st_latest *l, pel_error *err) {
    pg_store *s = pg_of(base);
    *l = (st_latest){.shiptype = -1};
    int64_t imo = 0, type = -1;
    bool ok = one(s, &latest_name, mmsi, &l->name, NULL, err) && one(s, &latest_imo, mmsi, NULL, &imo, err) &&
              one(s, &latest_callsign, mmsi, &l->callsign, NULL, err) && one(s, &latest_type, mmsi, NULL, &type, err) &&
              one(s, &latest_dest, mmsi, &l->destination, NULL, err);
    l->imo = (uint32_t)imo;
    l->shiptype = (int)type;
    if (!ok) {
        st_latest_clear(l);
        return PEL_ERR_IO;
    }
    return PEL_OK;
}

char *pg_latest_name(pel_store *base, uint32_t mmsi) {
    char *name = NULL;
    if (!one(pg_of(base), &latest_name, mmsi, &name, NULL, NULL)) {
        free(name);
        return NULL;
    }
    return name;
}
