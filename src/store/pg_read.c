/*
 * pg_read.c -- what the PostgreSQL backend reads: the inputs' paths and
 * the sources, vessels and their segments, chunks of positions by vessel
 * or by box and period (the GiST index over the chunks' boxes narrows a
 * box), the coverage map, and the dump.  Rows in the order of
 * sqlite_read.c's statements, texts ordered bytewise (COLLATE "C").
 * Chunks come as binary results (the packed positions as stored); the
 * cursors over every chunk and over the map are streamed (pg_open.c).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "track/trk.h"
#include "util/fail.h"

static pel_status no_memory(pel_error *err, const char *what) {
    return pel_fail(err, PEL_ERR_NOMEM, "out of memory %s", what);
}

/* ---- inputs and sources ------------------------------------------------------------------ */

/* The texts of rows (id, text), ids handed out one by one, as an array
 * indexed by id (NULL where no row): *out and each text are the caller's
 * (*n entries), also on an error. */
static pel_status id_texts(pg_store *s, const pg_stmt *q, const char *what, char ***out, size_t *n, pel_error *err) {
    *out = NULL;
    *n = 0;
    PGresult *r = pg_run(s, q, NULL, false, err, what);
    if (!r)
        return PEL_ERR_IO;
    char **texts = NULL;
    size_t nt = 0;
    pel_status st = PEL_OK;
    for (int i = 0; i < PQntuples(r) && st == PEL_OK; i++) {
        int64_t id = pg_i64(r, i, 0);
        if (id < 0 || id > 100000000)
            continue;
        if ((size_t)id >= nt) {
            char **nv = realloc(texts, ((size_t)id + 1) * sizeof *nv);
            if (!nv) {
                st = no_memory(err, what);
                break;
            }
            memset(nv + nt, 0, ((size_t)id + 1 - nt) * sizeof *nv);
            texts = nv;
            nt = (size_t)id + 1;
        }
        if (!(texts[id] = strdup(PQgetvalue(r, i, 1))))
            st = no_memory(err, what);
    }
    PQclear(r);
    *out = texts;
    *n = nt;
    return st;
}

pel_status pg_input_paths(pel_store *base, char ***out, size_t *n, pel_error *err) {
    static const pg_stmt q = {"SELECT id, path FROM inputs ORDER BY id"};
    return id_texts(pg_of(base), &q, "reading the inputs", out, n, err);
}

pel_status pg_source_names(pel_store *base, char ***out, size_t *n, pel_error *err) {
    static const pg_stmt q = {"SELECT id, name FROM sources ORDER BY id"};
    return id_texts(pg_of(base), &q, "reading the sources", out, n, err);
}

/* ---- vessels ----------------------------------------------------------------------------- */

pel_status pg_vessel_get(pel_store *base, uint32_t mmsi, st_vessel *v, bool *found, pel_error *err) {
    static const pg_stmt q = {"SELECT first_ms, last_ms, positions, flagged, segments, distance_m, duplicates, dirty"
                              " FROM vessels WHERE mmsi = $1::bigint"};
    memset(v, 0, sizeof *v);
    v->mmsi = mmsi;
    *found = false;
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    PGresult *r = pg_run(pg_of(base), &q, &p, false, err, "query");
    if (!r)
        return PEL_ERR_IO;
    if (PQntuples(r) == 1) {
        *found = true;
        v->has_times = !pg_null(r, 0, 0);
        v->first_ms = pg_i64(r, 0, 0);
        v->last_ms = pg_i64(r, 0, 1);
        v->positions = (uint64_t)pg_i64(r, 0, 2);
        v->flagged = (uint64_t)pg_i64(r, 0, 3);
        v->segments = (uint64_t)pg_i64(r, 0, 4);
        v->distance_m = pg_f64(r, 0, 5);
        v->duplicates = (uint64_t)pg_i64(r, 0, 6);
        v->dirty = pg_i64(r, 0, 7) != 0;
    }
    PQclear(r);
    return PEL_OK;
}

pel_status pg_vessel_find(pel_store *base, st_find how, uint32_t number, const char *key, uint32_t *out, size_t cap,
                          size_t *n, pel_error *err) {
    static const pg_stmt q[] = {
        /* numbers as bigint: any uint32 asked for is found or not, never out of range */
        [ST_FIND_MMSI] = {"SELECT $1::bigint WHERE EXISTS (SELECT 1 FROM vessels WHERE mmsi = $1::bigint)"
                          " OR EXISTS (SELECT 1 FROM identities WHERE mmsi = $1::bigint)"},
        [ST_FIND_IMO] = {"SELECT DISTINCT mmsi FROM identities WHERE imo = $1::bigint ORDER BY mmsi"},
        [ST_FIND_IMO_OR_MMSI] = {"SELECT mmsi FROM (SELECT mmsi FROM identities WHERE imo = $1::bigint UNION"
                                 " SELECT mmsi FROM vessels WHERE mmsi = $1::bigint) u ORDER BY mmsi"},
        [ST_FIND_NAME] = {"SELECT DISTINCT mmsi FROM identities WHERE nname = $1 ORDER BY mmsi"},
    };
    *n = 0;
    if ((unsigned)how > ST_FIND_NAME)
        return pel_fail(err, PEL_ERR_ARG, "query: no such search");
    pg_par p = {0};
    if (how == ST_FIND_NAME)
        pg_par_text(&p, key);
    else
        pg_par_i64(&p, number);
    PGresult *r = pg_run(pg_of(base), &q[how], &p, false, err, "query");
    if (!r)
        return PEL_ERR_IO;
    for (int i = 0; i < PQntuples(r); i++) {
        if (*n < cap)
            out[*n] = (uint32_t)pg_i64(r, i, 0);
        (*n)++;
    }
    PQclear(r);
    return PEL_OK;
}

bool pg_data_span(pel_store *base, int64_t *first_ms, int64_t *last_ms) {
    static const pg_stmt q = {"SELECT min(first_ms), max(last_ms) FROM vessels WHERE positions > 0"};
    PGresult *r = pg_run(pg_of(base), &q, NULL, false, NULL, "query");
    bool ok = r && PQntuples(r) == 1 && !pg_null(r, 0, 0);
    if (ok) {
        *first_ms = pg_i64(r, 0, 0);
        *last_ms = pg_i64(r, 0, 1);
    }
    PQclear(r);
    return ok;
}

static int segment_next(st_iter *base, void *row, pel_error *err) {
    pg_iter *it = (pg_iter *)base;
    int rc = pg_iter_step(it, err);
    if (rc > 0) {
        const PGresult *r = it->r;
        int i = it->row;
        st_segment *g = row;
        g->mmsi = (uint32_t)pg_i64(r, i, 0);
        g->seg = (int32_t)pg_i64(r, i, 1);
        g->t0 = pg_i64(r, i, 2);
        g->t1 = pg_i64(r, i, 3);
        g->n = (uint64_t)pg_i64(r, i, 4);
        g->distance_m = pg_f64(r, i, 5);
        g->lat0 = (int32_t)pg_i64(r, i, 6);
        g->lon0 = (int32_t)pg_i64(r, i, 7);
        g->lat1 = (int32_t)pg_i64(r, i, 8);
        g->lon1 = (int32_t)pg_i64(r, i, 9);
        g->parallel = pg_i64(r, i, 10) != 0;
    }
    return rc;
}

st_iter *pg_segments_of(pel_store *base, uint32_t mmsi, int32_t after, size_t limit, pel_error *err) {
    static const pg_stmt q = {"SELECT mmsi, seg, t0, t1, n, distance_m, lat0, lon0, lat1, lon1, parallel FROM segments"
                              " WHERE mmsi = $1 AND seg > $2 ORDER BY seg LIMIT $3"};
    bool known;
    st_iter *k = pg_segs_known(pg_of(base), mmsi, after, limit, &known, err);
    if (known)
        return k;
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    pg_par_i64(&p, after);
    if (limit)
        pg_par_i64(&p, (int64_t)limit);
    else
        pg_par_text(&p, NULL); /* LIMIT NULL: no limit */
    pg_iter *it = pg_iter_new(pg_of(base), ST_IT_SEGMENT, sizeof *it, segment_next, &q, &p, false, false, err,
                              "reading segments");
    return it ? &it->base : NULL;
}

/* ---- positions ----------------------------------------------------------------------------- */

/* Chunks come as binary rows (mmsi int4, data bytea). */
static int chunk_next(st_iter *base, void *row, pel_error *err) {
    pg_iter *it = (pg_iter *)base;
    int rc = pg_iter_step(it, err);
    if (rc > 0) {
        uint32_t v;
        memcpy(&v, PQgetvalue(it->r, it->row, 0), 4);
        *(uint32_t *)row = ntohl(v);
    }
    return rc;
}

static pel_status chunk_read(st_iter *base, pel_position **buf, size_t *cap, size_t at, size_t *n, pel_error *err) {
    pg_iter *it = (pg_iter *)base;
    *n = 0;
    if (!it->r || it->row < 0 || it->row >= it->nrows)
        return pel_fail(err, PEL_ERR_ARG, "a chunk read with no row");
    const uint8_t *blob = (const uint8_t *)PQgetvalue(it->r, it->row, 1);
    size_t len = (size_t)PQgetlength(it->r, it->row, 1);
    uint32_t mmsi;
    memcpy(&mmsi, PQgetvalue(it->r, it->row, 0), 4);
    mmsi = ntohl(mmsi);
    long c = trk_count(blob, len);
    if (c < 0)
        return pel_fail(err, PEL_ERR_IO, "a stored chunk is corrupt");
    if (at + (size_t)c > *cap) {
        size_t ncap = *cap ? *cap : 1024;
        while (ncap < at + (size_t)c)
            ncap *= 2;
        pel_position *np = realloc(*buf, ncap * sizeof *np);
        if (!np)
            return no_memory(err, "reading tracks");
        *buf = np;
        *cap = ncap;
    }
    if (trk_decode(blob, len, mmsi, *buf + at, (size_t)c) != c)
        return pel_fail(err, PEL_ERR_IO, "a stored chunk is corrupt");
    *n = (size_t)c;
    return PEL_OK;
}

st_iter *pg_chunks(pel_store *base, const st_area *a, pel_error *err) {
    static const pg_stmt vessel = {"SELECT mmsi, data FROM chunks WHERE mmsi = $1 ORDER BY t0, id"};
    static const pg_stmt before = {
        "SELECT mmsi, data FROM chunks WHERE mmsi = $1 AND t0 < $2 ORDER BY t0 DESC, id DESC LIMIT 1"};
    /* as SQLite's R*Tree: the box of the usable positions, and the time span in whole minutes
       (t0 down, t1 up) meeting the period a minute either side */
    static const pg_stmt box = {
        "SELECT mmsi, data FROM chunks WHERE lat0 IS NOT NULL"
        " AND box(point(lon0, lat0), point(lon1, lat1)) && box(point($3::float8, $1::float8), point($4::float8,"
        " $2::float8)) AND lat1 >= $1 AND lat0 <= $2 AND lon1 >= $3 AND lon0 <= $4"
        " AND floor((t1 + 59999) / 60000.0) >= $5 AND floor(t0 / 60000.0) <= $6 ORDER BY mmsi, t0, id"};
    static const pg_stmt period = {"SELECT mmsi, data FROM chunks WHERE t1 >= $1 AND t0 <= $2 ORDER BY mmsi, t0, id"};
    const pg_stmt *q = a->has_mmsi && a->last_before && a->has_to ? &before
                       : a->has_mmsi                              ? &vessel
                       : a->has_box                               ? &box
                                                                  : &period;
    pg_par p = {0};
    if (a->has_mmsi) {
        pg_par_i64(&p, a->mmsi);
        if (q == &before)
            pg_par_i64(&p, a->to_ms);
    } else if (a->has_box) {
        pg_par_i64(&p, a->lat0);
        pg_par_i64(&p, a->lat1);
        pg_par_i64(&p, a->lon0);
        pg_par_i64(&p, a->lon1);
        pg_par_i64(&p, a->has_from ? a->from_ms / 60000 - 1 : INT32_MIN);
        pg_par_i64(&p, a->has_to ? a->to_ms / 60000 + 1 : INT32_MAX);
    } else {
        pg_par_i64(&p, a->has_from ? a->from_ms : INT64_MIN);
        pg_par_i64(&p, a->has_to ? a->to_ms : INT64_MAX);
    }
    pg_iter *it =
        pg_iter_new(pg_of(base), ST_IT_CHUNK, sizeof *it, chunk_next, q, &p, true, !a->has_mmsi, err, "reading tracks");
    if (it)
        it->base.read = chunk_read;
    return it ? &it->base : NULL;
}

/* ---- the coverage map ------------------------------------------------------------------------ */

/* PostgreSQL's binary form of a one-dimensional array of n integers of
 * width 2, 4 or 8 bytes (int2, int4, int8), without NULLs, as array_recv
 * reads it: the number of dimensions, a has-NULLs flag, the element type;
 * the dimension's length and lower bound; then each element as its length
 * and its bytes.  All big-endian.  The header is written here, the elements
 * by cov_put; malloc'd (the caller frees), NULL when memory runs out. */
typedef struct cov_array {
    unsigned char *b;
    size_t len;
    int width;
} cov_array;

static void put_be(unsigned char *p, uint64_t x, int width) {
    for (int i = width; i-- > 0; x >>= 8)
        p[i] = (unsigned char)x;
}

static bool cov_array_new(cov_array *a, size_t n, int width) {
    static const uint32_t oid[9] = {[2] = 21, [4] = 23, [8] = 20}; /* int2, int4, int8 */
    a->width = width;
    a->len = 0;
    if (!(a->b = malloc(20 + n * (size_t)(4 + width))))
        return false;
    uint32_t head[5] = {1, 0, oid[width], (uint32_t)n, 1};
    for (int k = 0; k < 5; k++)
        put_be(a->b + 4 * k, head[k], 4);
    a->len = 20;
    return true;
}

static void cov_put(cov_array *a, uint64_t x) {
    put_be(a->b + a->len, (uint64_t)a->width, 4);
    put_be(a->b + a->len + 4, x, a->width);
    a->len += 4 + (size_t)a->width;
}

/* Each row of the batch added to its row (made when new), in one statement.
 * The rows come each key once and in key order (st_coverage_add), so they
 * are neither summed nor sorted here: ON CONFLICT takes a key once, and the
 * rows are locked in key order, so ingests at once never deadlock (ORDER BY
 * keeps that order whatever the plan; the input sorted already, it costs a
 * pass).  The columns go as binary arrays: the server parses no text. */
pel_status pg_coverage_add(pel_store *base, const st_cov_add *rows, size_t n, pel_error *err) {
    static const pg_stmt q = {
        "INSERT INTO coverage SELECT cell, station, hour, positions, seen, slots"
        " FROM unnest($1::integer[], $2::integer[], $3::integer[], $4::integer[], $5::bigint[], $6::smallint[])"
        " AS u(cell, station, hour, positions, seen, slots) ORDER BY cell, station, hour"
        " ON CONFLICT (cell, station, hour) DO UPDATE SET positions = coverage.positions + excluded.positions,"
        " seen = coverage.seen | excluded.seen, slots = coverage.slots | excluded.slots"};
    static const int width[6] = {4, 4, 4, 4, 8, 2};
    if (!n)
        return PEL_OK;
    cov_array col[6] = {{0}};
    pel_status st = PEL_OK;
    for (int k = 0; k < 6; k++)
        if (!cov_array_new(&col[k], n, width[k]))
            st = no_memory(err, "writing the coverage");
    for (size_t i = 0; i < n && st == PEL_OK; i++) {
        const st_cov_add *r = &rows[i];
        /* a count past int4's range (never: a cell, station and hour
         * hears at most about 270,000 messages) is held at its top, for
         * the column to refuse the sum rather than take a negative one */
        uint32_t pos = r->positions > INT32_MAX ? INT32_MAX : r->positions;
        uint64_t v[6] = {r->cell, r->station, (uint64_t)r->hour, pos, r->seen, r->slots};
        for (int k = 0; k < 6; k++)
            cov_put(&col[k], v[k]);
    }
    pg_par p = {0};
    for (int k = 0; k < 6 && st == PEL_OK; k++)
        pg_par_bin(&p, col[k].b, col[k].len);
    if (st == PEL_OK)
        st = pg_defer(pg_of(base), &q, &p, err, "writing the coverage");
    for (int k = 0; k < 6; k++)
        free(col[k].b);
    return st;
}

pel_status pg_coverage_clear(pel_store *base, pel_error *err) {
    static const pg_stmt q = {"DELETE FROM coverage"};
    return pg_do(pg_of(base), &q, NULL, err, "clearing the coverage");
}

/* A binary integer column's value (int2, int4 or int8: big-endian, of
 * the length the server sent), sign-extended. */
static int64_t bin_int(const PGresult *q, int row, int col) {
    const unsigned char *v = (const unsigned char *)PQgetvalue(q, row, col);
    int len = PQgetlength(q, row, col);
    uint64_t x = 0;
    for (int k = 0; k < len; k++)
        x = x << 8 | v[k];
    if (len > 0 && len < 8 && (v[0] & 0x80)) /* negative: the high bytes set */
        x |= ~(uint64_t)0 << (8 * len);
    return (int64_t)x;
}

/* The coverage's rows come in binary (pg_coverage_cell, pg_coverage_rows):
 * a scan reads millions of them, and text would be parsed a number at a
 * time. */
static int cov_row_next(st_iter *base, void *row, pel_error *err) {
    pg_iter *it = (pg_iter *)base;
    int rc = pg_iter_step(it, err);
    if (rc > 0) {
        st_cov_row *r = row;
        const PGresult *q = it->r;
        int i = it->row;
        r->cell = (uint32_t)bin_int(q, i, 0);
        r->station = (uint32_t)bin_int(q, i, 1);
        r->hour = bin_int(q, i, 2);
        r->positions = (uint32_t)bin_int(q, i, 3);
        r->seen = (uint64_t)bin_int(q, i, 4);
        r->vessels = (uint32_t)__builtin_popcountll(r->seen);
        r->slots = (uint8_t)bin_int(q, i, 5);
    }
    return rc;
}

/* Station by station (0, then each source's), as sqlite_open.c's
 * SQ_COV_CELL, so that the primary key seeks each one's hours rather than
 * reading the cell's whole history. */
st_iter *pg_coverage_cell(pel_store *base, uint32_t cell, int64_t from_hour, int64_t to_hour, pel_error *err) {
    static const pg_stmt q = {"SELECT cell, station, hour, positions, seen, slots FROM coverage"
                              " WHERE cell = $1 AND station = 0 AND hour BETWEEN $2::bigint AND $3::bigint"
                              " UNION ALL SELECT c.cell, c.station, c.hour, c.positions, c.seen, c.slots"
                              " FROM sources s JOIN coverage c ON c.cell = $1 AND c.station = s.id AND c.hour BETWEEN "
                              "$2::bigint AND $3::bigint"
                              " ORDER BY 2, 3"};
    pg_par p = {0};
    pg_par_i64(&p, cell);
    pg_par_i64(&p, from_hour);
    pg_par_i64(&p, to_hour);
    pg_iter *it = pg_iter_new(pg_of(base), ST_IT_COV_ROW, sizeof *it, cov_row_next, &q, &p, true, false, err,
                              "reading the coverage");
    return it ? &it->base : NULL;
}

st_iter *pg_coverage_rows(pel_store *base, st_cov_which which, uint32_t station, int64_t from_hour, int64_t to_hour,
                          pel_error *err) {
    static const pg_stmt one = {
        "SELECT cell, station, hour, positions, seen, slots FROM coverage"
        " WHERE station = $1 AND hour BETWEEN $2::bigint AND $3::bigint ORDER BY cell, station, hour"};
    static const pg_stmt stations = {
        "SELECT cell, station, hour, positions, seen, slots FROM coverage"
        " WHERE station > 0 AND hour BETWEEN $1::bigint AND $2::bigint ORDER BY cell, station, hour"};
    static const pg_stmt every = {"SELECT cell, station, hour, positions, seen, slots FROM coverage"
                                  " WHERE hour BETWEEN $1::bigint AND $2::bigint ORDER BY cell, hour"};
    static const pg_stmt stored = {"SELECT cell, station, hour, positions, seen, slots FROM coverage"
                                   " WHERE hour BETWEEN $1::bigint AND $2::bigint ORDER BY cell, station, hour"};
    const pg_stmt *q = which == ST_COV_STATIONS ? &stations
                       : which == ST_COV_EVERY  ? &every
                       : which == ST_COV_STORED ? &stored
                                                : &one;
    pg_par p = {0};
    if (q == &one)
        pg_par_i64(&p, which == ST_COV_STATION ? station : 0);
    pg_par_i64(&p, from_hour);
    pg_par_i64(&p, to_hour);
    pg_iter *it = pg_iter_new(pg_of(base), ST_IT_COV_ROW, sizeof *it, cov_row_next, q, &p, true, true, err,
                              "reading the coverage");
    return it ? &it->base : NULL;
}

/* ---- the dump ---------------------------------------------------------------------------------- */

pel_status pg_dump_rows(pel_store *base, FILE *out, pel_error *err) {
    pg_store *s = pg_of(base);
    static const pg_stmt q[] = {
        {"SELECT 'input', id, path, size, sha256, format, status, lines_done, lines, positions, statics, ignored,"
         " rejected, rejects FROM inputs ORDER BY id"},
        {"SELECT 'source', id, name FROM sources ORDER BY id"},
        {"SELECT 'vessel', mmsi, dirty, first_ms, last_ms, positions, flagged, segments, distance_m, duplicates"
         " FROM vessels ORDER BY mmsi"},
        {"SELECT 'segment', * FROM segments ORDER BY mmsi, seg"},
        {"SELECT 'identity', * FROM identities ORDER BY mmsi, name COLLATE \"C\", imo, callsign COLLATE \"C\","
         " shiptype, to_bow, to_stern, to_port, to_starboard"},
        {"SELECT 'voyage', * FROM voyages ORDER BY mmsi, destination COLLATE \"C\", draught_dm, eta COLLATE \"C\""},
        {"SELECT 'chunk', mmsi, t0, t1, n, length(data) FROM chunks ORDER BY mmsi, t0, n"},
        {"SELECT 'staging', count(*) FROM staging"},
        {"SELECT 'box', mmsi, lat0, lat1, lon0, lon1, floor(t0 / 60000.0)::bigint, floor((t1 + 59999) / "
         "60000.0)::bigint"
         " FROM chunks WHERE lat0 IS NOT NULL ORDER BY 2, 7, 3"},
        {"SELECT 'coverage', * FROM coverage ORDER BY cell, station, hour"},
    };
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
        PGresult *r = pg_run(s, &q[k], NULL, false, err, "dump");
        if (!r)
            return PEL_ERR_IO;
        for (int i = 0; i < PQntuples(r); i++) {
            for (int c = 0; c < PQnfields(r); c++) {
                const char *v = pg_null(r, i, c) ? "NULL" : PQgetvalue(r, i, c);
                char f[40];
                if (PQftype(r, c) == 701 && !pg_null(r, i, c)) { /* float8: as SQLite writes a REAL ("%!.15g") */
                    snprintf(f, sizeof f, "%.15g", strtod(v, NULL));
                    if (!strpbrk(f, ".eni"))
                        strcat(f, ".0");
                    v = f;
                }
                fprintf(out, "%s%s", c ? "|" : "", v);
            }
            fprintf(out, "\n");
        }
        PQclear(r);
    }
    return PEL_OK; /* write errors: the caller's (pel_store_dump) */
}
