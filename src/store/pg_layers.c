/*
 * pg_layers.c -- the PostgreSQL backend's two PostGIS layers, the tables
 * QGIS lists from geometry_columns (pg_schema.sql; docs/schema.md,
 * "PostgreSQL"):
 *   - track_days: a line per vessel and UTC day through its usable
 *     positions (segment >= 0) in time order, written by the track build as
 *     it writes the vessel's chunks (pg_chunk_add hands each chunk here, in
 *     time order), so a rebuilt vessel's days are replaced in the build's
 *     own transaction: its old days are deleted at its first chunk (or at
 *     its summary when it has none left), then its days are inserted, a
 *     statement per vessel (arrays unnested) sent ahead with the chunks.
 *     A day of one position is a line of that point twice.
 *   - findings: the findings of the last whole-store scan (scan.c calls
 *     st_findings_replace), replaced whole in one transaction of their own:
 *     the JSON line as the scan wrote it, byte for byte, and a geometry.
 *
 * Geometries go as hexadecimal EWKB (SRID 4326, little-endian), which
 * PostGIS reads as text: exact doubles, no decimal formatting.
 *
 * Limits: a vessel's day is held in memory until it ends (16 bytes a
 * position: a transmitter reporting every 2 s, 700 KB); the findings
 * table is rewritten whole by every scan (a row per finding, ~1.5 KiB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "util/fail.h"

#define DAY_MS 86400000ll
#define BATCH_BYTES (4u << 20) /* a vessel's days go out in statements of about this much geometry */

/* A growing text. */
typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

static bool buf_put(buf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np)
            return false;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
    return true;
}

static bool buf_str(buf *b, const char *s) {
    return buf_put(b, s, strlen(s));
}

/* Appends the 4 or 8 little-endian bytes of x in hexadecimal. */
static bool buf_hex(buf *b, uint64_t x, int bytes) {
    static const char hx[] = "0123456789ABCDEF";
    char t[16];
    for (int i = 0; i < bytes; i++) {
        unsigned v = (unsigned)(x >> (8 * i)) & 0xff;
        t[2 * i] = hx[v >> 4];
        t[2 * i + 1] = hx[v & 15];
    }
    return buf_put(b, t, (size_t)(2 * bytes));
}

static bool buf_f64(buf *b, double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return buf_hex(b, u, 8);
}

/* The EWKB header of a geometry of type (1 point, 2 line) in EPSG:4326. */
static bool ewkb_head(buf *b, uint32_t type) {
    return buf_put(b, "01", 2) && buf_hex(b, type | 0x20000000u, 4) && buf_hex(b, 4326, 4);
}

/* ---- track_days ---------------------------------------------------------------------------- */

struct pg_days {
    uint32_t mmsi;
    bool open;      /* mmsi's old days are deleted (in this transaction) and its new ones being written */
    int64_t day;    /* the day being gathered (days since 1970-01-01) */
    int64_t t0, t1; /* its first and last time */
    double *xy;     /* its positions: lon, lat (degrees) */
    size_t n, cap;
    size_t ndays; /* days in the arrays below, not yet sent */
    buf d, a, z, k, g;
};

void pg_days_forget(pg_store *s) {
    struct pg_days *y = s->days;
    if (!y)
        return;
    y->open = false;
    y->n = y->ndays = 0;
    y->d.n = y->a.n = y->z.n = y->k.n = y->g.n = 0;
}

void pg_days_free(pg_store *s) {
    struct pg_days *y = s->days;
    if (!y)
        return;
    free(y->xy);
    free(y->d.p);
    free(y->a.p);
    free(y->z.p);
    free(y->k.p);
    free(y->g.p);
    free(y);
    s->days = NULL;
}

static pel_status nomem(pel_error *err) {
    return pel_fail(err, PEL_ERR_NOMEM, "out of memory writing track_days");
}

/* Sends the days gathered as one INSERT (sent ahead): arrays as text, the
 * lines' joined by commas (an array literal of geometry would want colons,
 * its type's delimiter). */
static pel_status days_send(pg_store *s, pel_error *err) {
    static const pg_stmt q = {"INSERT INTO track_days (mmsi, day, t0, t1, n, geom)"
                              " SELECT $1, date '1970-01-01' + u.d, u.t0, u.t1, u.n, u.g"
                              " FROM unnest($2::int[], $3::bigint[], $4::bigint[], $5::int[],"
                              " string_to_array($6, ',')::geometry[])"
                              " AS u(d, t0, t1, n, g)"};
    struct pg_days *y = s->days;
    if (!y->ndays)
        return PEL_OK;
    if (!buf_str(&y->d, "}") || !buf_str(&y->a, "}") || !buf_str(&y->z, "}") || !buf_str(&y->k, "}"))
        return nomem(err);
    pg_par p = {0};
    pg_par_i64(&p, y->mmsi);
    pg_par_text(&p, y->d.p);
    pg_par_text(&p, y->a.p);
    pg_par_text(&p, y->z.p);
    pg_par_text(&p, y->k.p);
    pg_par_text(&p, y->g.p);
    /* libpq copies the parameters when the statement is sent: the buffers are free again */
    pel_status st = pg_defer(s, &q, &p, err, "writing track_days");
    y->ndays = 0;
    y->d.n = y->a.n = y->z.n = y->k.n = y->g.n = 0;
    return st;
}

/* Adds the day gathered to the arrays (sent when they are big). */
static pel_status day_close(pg_store *s, pel_error *err) {
    struct pg_days *y = s->days;
    if (!y->n)
        return PEL_OK;
    char t[96];
    const char *sep = y->ndays ? "," : "{";
    bool ok = true;
    snprintf(t, sizeof t, "%s%lld", sep, (long long)y->day);
    ok = ok && buf_str(&y->d, t);
    snprintf(t, sizeof t, "%s%lld", sep, (long long)y->t0);
    ok = ok && buf_str(&y->a, t);
    snprintf(t, sizeof t, "%s%lld", sep, (long long)y->t1);
    ok = ok && buf_str(&y->z, t);
    snprintf(t, sizeof t, "%s%zu", sep, y->n);
    ok = ok && buf_str(&y->k, t);
    size_t np = y->n == 1 ? 2 : y->n; /* one position: a line of that point twice */
    ok = ok && buf_str(&y->g, y->ndays ? "," : "") && ewkb_head(&y->g, 2) && buf_hex(&y->g, np, 4);
    for (size_t i = 0; i < np && ok; i++) {
        size_t j = i < y->n ? i : 0;
        ok = buf_f64(&y->g, y->xy[2 * j]) && buf_f64(&y->g, y->xy[2 * j + 1]);
    }
    if (!ok)
        return nomem(err);
    y->ndays++;
    y->n = 0;
    return y->g.n >= BATCH_BYTES ? days_send(s, err) : PEL_OK;
}

/* Starts mmsi's days: its old ones deleted (sent ahead). */
static pel_status days_start(pg_store *s, uint32_t mmsi, pel_error *err) {
    static const pg_stmt q = {"DELETE FROM track_days WHERE mmsi = $1"};
    if (!s->days && !(s->days = calloc(1, sizeof *s->days)))
        return nomem(err);
    struct pg_days *y = s->days;
    pg_days_forget(s);
    y->mmsi = mmsi;
    y->open = true;
    pg_par p = {0};
    pg_par_i64(&p, mmsi);
    return pg_defer(s, &q, &p, err, "replacing track_days");
}

pel_status pg_days_add(pg_store *s, uint32_t mmsi, const pel_position *p, size_t n, pel_error *err) {
    pel_status st;
    if ((!s->days || !s->days->open || s->days->mmsi != mmsi) && (st = days_start(s, mmsi, err)) != PEL_OK)
        return st;
    struct pg_days *y = s->days;
    for (size_t i = 0; i < n; i++) {
        if (p[i].segment < 0)
            continue;
        int64_t day = p[i].t_ms / DAY_MS - (p[i].t_ms % DAY_MS < 0);
        if (y->n && day != y->day && (st = day_close(s, err)) != PEL_OK)
            return st;
        if (!y->n) {
            y->day = day;
            y->t0 = p[i].t_ms;
        }
        if (y->n == y->cap) {
            size_t cap = y->cap ? 2 * y->cap : 1024;
            double *nx = realloc(y->xy, cap * 2 * sizeof *nx);
            if (!nx)
                return nomem(err);
            y->xy = nx;
            y->cap = cap;
        }
        y->xy[2 * y->n] = p[i].lon / 600000.0;
        y->xy[2 * y->n + 1] = p[i].lat / 600000.0;
        y->n++;
        y->t1 = p[i].t_ms;
    }
    return PEL_OK;
}

pel_status pg_days_end(pg_store *s, uint32_t mmsi, pel_error *err) {
    pel_status st;
    if ((!s->days || !s->days->open || s->days->mmsi != mmsi) && (st = days_start(s, mmsi, err)) != PEL_OK)
        return st; /* no chunk: its old days go all the same */
    if ((st = day_close(s, err)) == PEL_OK)
        st = days_send(s, err);
    s->days->open = false;
    return st;
}

/* ---- findings --------------------------------------------------------------------------------- */

/* True when the connection's role may replace the findings (an analyst's
 * may not); -1 with err filled when asking failed. */
static int may_write(pg_store *s, pel_error *err) {
    static const pg_stmt q = {"SELECT has_table_privilege('pelorus.findings', 'INSERT')"
                              " AND has_table_privilege('pelorus.findings', 'DELETE')"};
    PGresult *r = pg_run(s, &q, NULL, false, err, "the findings layer");
    if (!r)
        return -1;
    int v = PQntuples(r) == 1 && pg_txt(r, 0, 0) && pg_txt(r, 0, 0)[0] == 't';
    PQclear(r);
    return v;
}

pel_status pg_findings_replace(pel_store *base, int (*next)(void *ud, st_layer_finding *f, pel_error *err), void *ud,
                               bool *stored, pel_error *err) {
    static const pg_stmt lock = {"LOCK TABLE findings IN EXCLUSIVE MODE"}; /* one scan at a time; readers go on */
    static const pg_stmt del = {"DELETE FROM findings"};
    static const pg_stmt ins = {"INSERT INTO findings (finding_id, event, mmsi, mmsi2, start_ms, end_ms, line, geom)"
                                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::geometry)"};
    pg_store *s = pg_of(base);
    *stored = false;
    if (base->readonly)
        return PEL_OK;
    int w = may_write(s, err);
    if (w <= 0)
        return w < 0 ? PEL_ERR_IO : PEL_OK;
    pel_status st = pg_begin(base, err);
    if (st != PEL_OK)
        return st;
    st = pg_do(s, &lock, NULL, err, "locking the findings layer");
    if (st == PEL_OK)
        st = pg_defer(s, &del, NULL, err, "replacing the findings layer");
    buf g = {0};
    st_layer_finding f;
    int rc = 0;
    while (st == PEL_OK && (rc = next(ud, &f, err)) > 0) {
        g.n = 0;
        bool ok = true;
        if (f.geom == 1)
            ok = ewkb_head(&g, 1) && buf_f64(&g, f.lon[0]) && buf_f64(&g, f.lat[0]);
        else if (f.geom == 2)
            ok = ewkb_head(&g, 2) && buf_hex(&g, 2, 4) && buf_f64(&g, f.lon[0]) && buf_f64(&g, f.lat[0]) &&
                 buf_f64(&g, f.lon[1]) && buf_f64(&g, f.lat[1]);
        if (!ok) {
            st = nomem(err);
            break;
        }
        pg_par p = {0};
        pg_par_text(&p, f.finding_id);
        pg_par_text(&p, f.event);
        pg_par_i64(&p, f.mmsi);
        pg_par_i64(&p, f.mmsi2);
        pg_par_i64(&p, f.start_ms);
        pg_par_i64(&p, f.end_ms);
        pg_par_text(&p, f.json);
        pg_par_text(&p, f.geom ? g.p : NULL);
        st = pg_defer(s, &ins, &p, err, "writing the findings layer");
    }
    free(g.p);
    if (st == PEL_OK && rc < 0)
        st = (pel_status)-rc;
    if (st == PEL_OK)
        st = pg_commit(base, "committing the findings layer", err);
    else
        pg_rollback(base);
    *stored = st == PEL_OK;
    return st;
}
