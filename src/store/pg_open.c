/*
 * pg_open.c -- the PostgreSQL backend (docs/schema.md, "PostgreSQL"):
 * connecting with a libpq connection string, setting up the schema
 * "pelorus" in an empty database (src/store/pg_schema.sql, embedded at
 * build time), checking the version of one set up already and migrating
 * an older one (src/store/pg_migrate_V.sql, embedded too), statements
 * prepared at first use, parameters and results, staged rows written with
 * binary COPY, cursors, transactions, generations, the writer's lock, and
 * the table of functions (st_ops).
 *
 * The writer's lock: a session-level advisory lock (pg_advisory_lock) of
 * the database, held by an ingest or pelorus watch while it builds tracks
 * (several ingests, and a watch, read and stage at once: parallel_ingest,
 * src/ingest/ingest.c), released by writer_end or when the connection ends
 * (a killed process included).  The live service's lock: one pelorus watch
 * a database, held from its start to its end (pg_live_lock).  An input's
 * lock: another advisory lock, its key the first 60 bits of the input's
 * SHA-256 (pg_input_lock).  The keys: pg_internal.h.
 * Readers take no lock: PostgreSQL's MVCC gives them the last committed
 * state, never blocked by a writer.
 *
 * Cursors that may be long (every chunk, every identity, the coverage map,
 * the watchlists' entries) are server-side cursors fetched a page at a
 * time: in the transaction under way, or else on a second connection of
 * the store in a read-only transaction while any is open, so that the
 * store's own connection stays free for the queries a reader makes while
 * it walks them (scan asks for names and identities vessel by vessel).
 *
 * Limits: texts are sent as they are, so a database whose encoding is not
 * SQL_ASCII refuses bytes that are not valid in it (the SQLite backend
 * stores any bytes).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"
#include "pg_migrate_1_sql.h" /* pg_migrate_1_sql[]: src/store/pg_migrate_1.sql (Makefile) */
#include "pg_schema_sql.h"    /* pg_schema_sql[]: src/store/pg_schema.sql (Makefile) */
#include "track/trk.h"
#include "util/fail.h"

#define PG_SCHEMA_VERSION 2
#define PAGE 512 /* rows a FETCH brings */

/* ---- parameters, results, errors ------------------------------------------------------ */

void pg_par_i64(pg_par *p, int64_t x) {
    int i = p->n++;
    snprintf(p->buf[i], sizeof p->buf[i], "%lld", (long long)x);
    p->v[i] = p->buf[i];
    p->len[i] = 0;
    p->fmt[i] = 0;
}

void pg_par_f64(pg_par *p, double x) {
    int i = p->n++;
    snprintf(p->buf[i], sizeof p->buf[i], "%.17g", x);
    p->v[i] = p->buf[i];
    p->len[i] = 0;
    p->fmt[i] = 0;
}

void pg_par_text(pg_par *p, const char *t) {
    int i = p->n++;
    p->v[i] = t;
    p->len[i] = 0;
    p->fmt[i] = 0;
}

void pg_par_bin(pg_par *p, const void *d, size_t n) {
    int i = p->n++;
    p->v[i] = d;
    p->len[i] = (int)n;
    p->fmt[i] = 1;
}

int64_t pg_i64(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

double pg_f64(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

const char *pg_txt(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

bool pg_null(const PGresult *r, int row, int col) {
    return PQgetisnull(r, row, col) != 0;
}

pel_status pg_error(PGconn *c, const PGresult *r, pel_error *err, const char *what) {
    const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!m || !*m)
        m = c ? PQerrorMessage(c) : "no connection";
    if (!m || !*m)
        m = "error";
    size_t n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    return pel_fail(err, PEL_ERR_IO, "%s: %.*s", what, (int)n, m);
}

static bool res_ok(const PGresult *r) {
    ExecStatusType t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

pel_status pg_exec(pg_store *s, const char *sql, pel_error *err, const char *what) {
    if (pg_flush(s, err) != PEL_OK)
        return PEL_ERR_IO;
    PGresult *r = PQexec(s->c, sql);
    pel_status st = res_ok(r) ? PEL_OK : pg_error(s->c, r, err, what);
    PQclear(r);
    return st;
}

/* Runs sql on connection c, ignoring its result but for success. */
static bool run_on(PGconn *c, const char *sql) {
    PGresult *r = PQexec(c, sql);
    bool ok = res_ok(r);
    PQclear(r);
    return ok;
}

static pel_status copy_flush(pg_store *s, pel_error *err);

/* ---- statements sent ahead (pipeline mode) ------------------------------------------------ */

#define PEND_MAX                                                                                                       \
    256 /* statements sent ahead before their results are read: their results must fit the socket's                    \
           buffers (the server would stop reading otherwise) */

/* Keeps a failure that was found where it could not be reported (a
 * cursor's end): the next statement reports it. */
static void keep(pg_store *s, pel_status st, const pel_error *e) {
    if (st != PEL_OK && s->late == PEL_OK) {
        s->late = st;
        s->late_err = *e;
    }
}

/* Ends the pipeline: a sync, then the results of the statements sent ahead
 * in order, checked (the first failure reported, with what its sender
 * named), and, when own is not NULL, that of the statement sent last, which
 * *own gets when it succeeded (the caller's to PQclear). */
static pel_status pipe_end(pg_store *s, PGresult **own, const char *own_what, pel_error *err) {
    if (!s->pipe)
        return PEL_OK;
    pel_status st = PEL_OK;
    if (PQpipelineSync(s->c) != 1)
        st = pg_error(s->c, NULL, err, "sending statements");
    int n = s->npend + (own ? 1 : 0);
    for (int i = 0; i < n; i++) {
        const char *what = i < s->npend ? s->pend_what[i] : own_what;
        PGresult *r = PQgetResult(s->c);
        if (!r || PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            if (st == PEL_OK)
                st = pg_error(s->c, r, err, what);
            PQclear(r);
            break;
        }
        if (own && i == s->npend && st == PEL_OK && res_ok(r))
            *own = r;
        else {
            if (st == PEL_OK && !res_ok(r))
                st = pg_error(s->c, r, err, what);
            PQclear(r);
        }
        while ((r = PQgetResult(s->c))) /* a statement's results end with NULL */
            PQclear(r);
    }
    PGresult *r;
    while ((r = PQgetResult(s->c))) {
        bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
        PQclear(r);
        if (sync)
            break;
    }
    PQexitPipelineMode(s->c);
    s->pipe = false;
    s->npend = 0;
    if (st != PEL_OK && own && *own) {
        PQclear(*own);
        *own = NULL;
    }
    return st;
}

/* A failure kept (keep), reported once. */
static pel_status late(pg_store *s, pel_error *err) {
    pel_status st = s->late;
    if (st != PEL_OK && err)
        *err = s->late_err;
    s->late = PEL_OK;
    return st;
}

pel_status pg_flush(pg_store *s, pel_error *err) {
    pel_status st = late(s, err);
    if (st == PEL_OK)
        st = pipe_end(s, NULL, NULL, err);
    if (st == PEL_OK)
        st = copy_flush(s, err);
    return st;
}

/* ---- statements ---------------------------------------------------------------------------- */

/* The slot of q, prepared on the connection when first seen; -1 with err
 * filled when it cannot be. */
static int slot_of(pg_store *s, const pg_stmt *q, pel_error *err, const char *what) {
    for (int i = 0; i < s->nprep; i++)
        if (s->prep[i] == q)
            return i;
    if (s->nprep == PG_MAX_STMT) {
        pel_fail(err, PEL_ERR_IO, "%s: too many statements", what);
        return -1;
    }
    if (pg_flush(s, err) != PEL_OK) /* PQprepare waits for its answer: not in a pipeline */
        return -1;
    char name[16];
    snprintf(name, sizeof name, "p%d", s->nprep);
    PGresult *r = PQprepare(s->c, name, q->sql, 0, NULL);
    if (!res_ok(r)) {
        pg_error(s->c, r, err, what);
        PQclear(r);
        return -1;
    }
    PQclear(r);
    s->prep[s->nprep] = q;
    return s->nprep++;
}

PGresult *pg_run(pg_store *s, const pg_stmt *q, const pg_par *p, bool binary, pel_error *err, const char *what) {
    if (late(s, err) != PEL_OK || (s->cplen && pg_flush(s, err) != PEL_OK))
        return NULL;
    int i = slot_of(s, q, err, what);
    if (i < 0)
        return NULL;
    char name[16];
    snprintf(name, sizeof name, "p%d", i);
    if (s->pipe) { /* after the statements sent ahead, in the same round trip */
        PGresult *own = NULL;
        if (PQsendQueryPrepared(s->c, name, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL, p ? p->fmt : NULL,
                                binary ? 1 : 0) != 1) {
            pel_error e;
            keep(s, pipe_end(s, NULL, NULL, &e), &e);
            pg_error(s->c, NULL, err, what);
            return NULL;
        }
        return pipe_end(s, &own, what, err) == PEL_OK ? own : NULL;
    }
    PGresult *r =
        PQexecPrepared(s->c, name, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL, p ? p->fmt : NULL, binary ? 1 : 0);
    if (!res_ok(r)) {
        pg_error(s->c, r, err, what);
        PQclear(r);
        return NULL;
    }
    return r;
}

pel_status pg_do(pg_store *s, const pg_stmt *q, const pg_par *p, pel_error *err, const char *what) {
    PGresult *r = pg_run(s, q, p, false, err, what);
    PQclear(r);
    return r ? PEL_OK : PEL_ERR_IO;
}

pel_status pg_defer(pg_store *s, const pg_stmt *q, const pg_par *p, pel_error *err, const char *what) {
    if (late(s, err) != PEL_OK || (s->cplen && pg_flush(s, err) != PEL_OK))
        return PEL_ERR_IO;
    int i = slot_of(s, q, err, what);
    if (i < 0)
        return PEL_ERR_IO;
    if (!s->pipe) {
        if (PQenterPipelineMode(s->c) != 1)
            return pg_error(s->c, NULL, err, what);
        s->pipe = true;
    }
    char name[16];
    snprintf(name, sizeof name, "p%d", i);
    if (PQsendQueryPrepared(s->c, name, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL, p ? p->fmt : NULL, 0) != 1) {
        pel_error e;
        keep(s, pipe_end(s, NULL, NULL, &e), &e);
        return pg_error(s->c, NULL, err, what);
    }
    s->pend_what[s->npend++] = what;
    return s->npend == PEND_MAX ? pipe_end(s, NULL, NULL, err) : PEL_OK;
}

uint8_t *pg_enc(pg_store *s, size_t n) {
    if (n > s->enccap || !s->enc) {
        size_t cap = n > TRK_CHUNK ? n : TRK_CHUNK;
        uint8_t *e = realloc(s->enc, 8 + cap * TRK_MAX_BYTES_PER_POS);
        if (!e)
            return NULL;
        s->enc = e;
        s->enccap = cap;
    }
    return s->enc;
}

/* ---- binary COPY of staged rows --------------------------------------------------------- */

static const uint8_t copy_head[19] = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0};

static pel_status copy_flush(pg_store *s, pel_error *err) {
    if (!s->cplen)
        return PEL_OK;
    size_t len = s->cplen;
    s->cplen = 0;
    static const uint8_t trailer[2] = {0xff, 0xff};
    PGresult *r = PQexec(s->c, "COPY staging (mmsi, gen, t0, t1, data) FROM STDIN (FORMAT binary)");
    bool ok = r && PQresultStatus(r) == PGRES_COPY_IN;
    PQclear(r);
    if (ok)
        ok = PQputCopyData(s->c, (const char *)s->cp, (int)len) == 1 &&
             PQputCopyData(s->c, (const char *)trailer, 2) == 1 && PQputCopyEnd(s->c, NULL) == 1;
    else
        return pg_error(s->c, NULL, err, "storing positions");
    pel_status st = PEL_OK;
    while ((r = PQgetResult(s->c))) {
        if (st == PEL_OK && (!ok || !res_ok(r)))
            st = pg_error(s->c, r, err, "storing positions");
        PQclear(r);
    }
    if (!ok && st == PEL_OK)
        st = pg_error(s->c, NULL, err, "storing positions");
    return st;
}

static void put16(uint8_t *p, uint16_t v) {
    v = htons(v);
    memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v) {
    v = htonl(v);
    memcpy(p, &v, 4);
}

static void put64(uint8_t *p, int64_t v) {
    put32(p, (uint32_t)((uint64_t)v >> 32));
    put32(p + 4, (uint32_t)v);
}

pel_status pg_copy_stage(pg_store *s, uint32_t mmsi, int64_t gen, int64_t t0, int64_t t1, const uint8_t *data,
                         size_t len, pel_error *err) {
    size_t need = (s->cplen ? 0 : sizeof copy_head) + 2 + (4 + 4) + 3 * (4 + 8) + 4 + len;
    if (s->cplen + need > s->cpcap) {
        size_t cap = s->cpcap ? s->cpcap : 1 << 20;
        while (cap < s->cplen + need)
            cap *= 2;
        uint8_t *np = realloc(s->cp, cap);
        if (!np)
            return pel_fail(err, PEL_ERR_NOMEM, "out of memory storing positions");
        s->cp = np;
        s->cpcap = cap;
    }
    uint8_t *p = s->cp + s->cplen;
    if (!s->cplen) {
        memcpy(p, copy_head, sizeof copy_head);
        p += sizeof copy_head;
    }
    /* a tuple: the number of fields, then each field's length and bytes (network order) */
    put16(p, 5);
    put32(p + 2, 4);
    put32(p + 6, mmsi);
    int64_t v[3] = {gen, t0, t1};
    p += 10;
    for (int k = 0; k < 3; k++, p += 12) {
        put32(p, 8);
        put64(p + 4, v[k]);
    }
    put32(p, (uint32_t)len);
    memcpy(p + 4, data, len);
    s->cplen += need;
    /* a batch's rows go in one COPY; a very large one in several */
    return s->cplen > (32u << 20) ? pg_flush(s, err) : PEL_OK;
}

/* ---- cursors ------------------------------------------------------------------------------ */

/* Opens (once) the reader connection and its read-only transaction. */
static PGconn *reader(pg_store *s, pel_error *err) {
    if (!s->rd) {
        s->rd = PQconnectdb(s->conninfo);
        if (PQstatus(s->rd) != CONNECTION_OK ||
            !run_on(s->rd, "SET search_path = pelorus, public; SET extra_float_digits = 3")) {
            pg_error(s->rd, NULL, err, "opening a reader's connection");
            PQfinish(s->rd);
            s->rd = NULL;
            return NULL;
        }
    }
    if (!s->rd_open && !run_on(s->rd, "BEGIN READ ONLY")) {
        pg_error(s->rd, NULL, err, "starting a read");
        return NULL;
    }
    s->rd_open++;
    return s->rd;
}

static void reader_done(pg_store *s) {
    if (s->rd && s->rd_open > 0 && --s->rd_open == 0)
        run_on(s->rd, "COMMIT");
}

/* Fetches the next page of a streamed cursor. */
static pel_status fetch(pg_iter *it, pel_error *err) {
    if (it->cc == it->s->c && pg_flush(it->s, err) != PEL_OK)
        return PEL_ERR_IO;
    char sql[64];
    snprintf(sql, sizeof sql, "FETCH FORWARD %d FROM %s", PAGE, it->cname);
    PQclear(it->r);
    it->r = PQexecParams(it->cc, sql, 0, NULL, NULL, NULL, NULL, it->binary ? 1 : 0);
    if (!res_ok(it->r)) {
        pel_status st = pg_error(it->cc, it->r, err, it->what);
        PQclear(it->r);
        it->r = NULL;
        it->nrows = it->row = 0;
        return st;
    }
    it->nrows = PQntuples(it->r);
    it->row = -1;
    it->done = it->nrows < PAGE;
    return PEL_OK;
}

void pg_iter_free(st_iter *base) {
    pg_iter *it = (pg_iter *)base;
    if (!it)
        return;
    PQclear(it->r);
    if (it->cc) {
        if (it->cc == it->s->rd)
            reader_done(it->s);
        else if (it->s->in_tx && it->s->tx == it->tx) { /* a cursor of an earlier transaction is gone with it */
            char sql[64];
            snprintf(sql, sizeof sql, "CLOSE %s", it->cname);
            pel_error e;
            pel_status st = pg_flush(it->s, &e);
            keep(it->s, st, &e);
            if (st == PEL_OK)
                run_on(it->cc, sql);
        }
    }
    free(it);
}

pg_iter *pg_iter_new(pg_store *s, int kind, size_t size, int (*next)(st_iter *, void *, pel_error *), const pg_stmt *q,
                     const pg_par *p, bool binary, bool stream, pel_error *err, const char *what) {
    pg_iter *it = calloc(1, size);
    if (!it) {
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    it->base = (st_iter){kind, next, pg_iter_free, NULL};
    it->s = s;
    it->binary = binary;
    it->what = what;
    it->row = -1;
    if (!stream) {
        if (!(it->r = pg_run(s, q, p, binary, err, what))) {
            free(it);
            return NULL;
        }
        it->nrows = PQntuples(it->r);
        it->done = true;
        return it;
    }
    if (pg_flush(s, err) != PEL_OK) {
        free(it);
        return NULL;
    }
    PGconn *c = s->in_tx ? s->c : reader(s, err);
    if (!c) {
        free(it);
        return NULL;
    }
    it->cc = c;
    it->tx = s->tx;
    snprintf(it->cname, sizeof it->cname, "pel_c%u", ++s->cursors);
    size_t len = strlen(q->sql) + 64;
    char *sql = malloc(len);
    if (!sql) {
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        pg_iter_free(&it->base);
        return NULL;
    }
    snprintf(sql, len, "DECLARE %s NO SCROLL CURSOR FOR %s", it->cname, q->sql);
    PGresult *r = PQexecParams(c, sql, p ? p->n : 0, NULL, p ? p->v : NULL, p ? p->len : NULL, p ? p->fmt : NULL, 0);
    free(sql);
    bool ok = res_ok(r);
    if (!ok)
        pg_error(c, r, err, what);
    PQclear(r);
    if (!ok || fetch(it, err) != PEL_OK) {
        if (!ok)
            it->cname[0] = 0;
        pg_iter_free(&it->base);
        return NULL;
    }
    return it;
}

int pg_iter_step(pg_iter *it, pel_error *err) {
    if (!it->r)
        return 0;
    if (++it->row < it->nrows)
        return 1;
    if (it->done)
        return 0;
    if (fetch(it, err) != PEL_OK)
        return -PEL_ERR_IO;
    return ++it->row < it->nrows ? 1 : 0;
}

/* ---- transactions, generations, the writer's lock ----------------------------------------- */

const char *pg_db_name(pel_store *base) {
    return pg_of(base)->name;
}

pel_status pg_begin(pel_store *base, pel_error *err) {
    pg_store *s = pg_of(base);
    if (pg_exec(s, "BEGIN", err, "starting a transaction") != PEL_OK)
        return PEL_ERR_IO;
    s->in_tx = true;
    s->tx++;
    s->dr_known = false; /* another writer may have added voyages */
    return PEL_OK;
}

pel_status pg_commit(pel_store *base, const char *what, pel_error *err) {
    pg_store *s = pg_of(base);
    if (pg_flush(s, err) != PEL_OK)
        return PEL_ERR_IO;
    pg_segs_forget(s);
    PGresult *r = PQexec(s->c, "COMMIT");
    pel_status st = PEL_OK;
    if (!res_ok(r))
        st = pg_error(s->c, r, err, what);
    else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) /* a failed transaction ends in ROLLBACK */
        st = pel_fail(err, PEL_ERR_IO, "%s: the transaction failed and was rolled back", what);
    PQclear(r);
    s->in_tx = false;
    return st;
}

void pg_rollback(pel_store *base) {
    pg_store *s = pg_of(base);
    s->cplen = 0; /* buffered rows of the transaction go with it, and so do failures of statements sent ahead */
    pipe_end(s, NULL, NULL, NULL);
    s->late = PEL_OK;
    pg_ahead_drop(s);
    pg_segs_forget(s);
    pg_days_forget(s);
    run_on(s->c, "ROLLBACK");
    s->in_tx = false;
}

pel_status pg_generation_next(pel_store *base, int64_t *gen, pel_error *err) {
    static const pg_stmt q = {"UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation'"
                              " RETURNING value"};
    pg_store *s = pg_of(base);
    PGresult *r = pg_run(s, &q, NULL, false, err, "starting a generation");
    if (!r)
        return PEL_ERR_IO;
    pel_status st = PEL_OK;
    if (PQntuples(r) == 1)
        base->gen = pg_i64(r, 0, 0);
    else
        st = pel_fail(err, PEL_ERR_IO, "starting a generation: no generation in meta");
    PQclear(r);
    *gen = base->gen;
    return st;
}

/* The boolean of a one-value query, or -1 with err filled. */
static int one_bool(PGconn *c, const char *sql, pel_error *err, const char *what) {
    PGresult *r = PQexec(c, sql);
    int v = -1;
    if (res_ok(r) && PQntuples(r) == 1)
        v = PQgetvalue(r, 0, 0)[0] == 't';
    else
        pg_error(c, r, err, what);
    PQclear(r);
    return v;
}

/* Takes the session's advisory lock key (an SQL bigint expression): at
 * once when free, else on_wait is told what (when not NULL) and it waits.
 * what also names the lock in an error. */
static pel_status advisory_lock(pg_store *s, const char *key, const char *what,
                                void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err) {
    char sql[128], doing[96];
    snprintf(doing, sizeof doing, "taking %s", what);
    if (pg_flush(s, err) != PEL_OK)
        return PEL_ERR_IO;
    snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%s)", key);
    int got = one_bool(s->c, sql, err, doing);
    if (got < 0)
        return PEL_ERR_IO;
    if (!got) {
        if (on_wait)
            on_wait(ud, what);
        snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%s)", key);
        PGresult *r = PQexec(s->c, sql);
        bool ok = res_ok(r);
        if (!ok)
            pg_error(s->c, r, err, doing);
        PQclear(r);
        if (!ok)
            return PEL_ERR_IO;
    }
    return PEL_OK;
}

pel_status pg_writer_begin(pel_store *base, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err) {
    pg_store *s = pg_of(base);
    if (advisory_lock(s, WRITER_KEY, "the database's writer lock (pg_advisory_lock)", on_wait, ud, err) != PEL_OK)
        return PEL_ERR_IO;
    s->writing = true;
    return PEL_OK;
}

static pel_status pg_live_lock(pel_store *base, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err) {
    pg_store *s = pg_of(base);
    if (advisory_lock(s, LIVE_KEY, "another pelorus watch's lock on the database (pg_advisory_lock)", on_wait, ud,
                      err) != PEL_OK)
        return PEL_ERR_IO;
    s->live = true;
    return PEL_OK;
}

static void pg_live_unlock(pel_store *base) {
    pg_store *s = pg_of(base);
    if (!s->live)
        return;
    run_on(s->c, "SELECT pg_advisory_unlock(" LIVE_KEY ")");
    s->live = false;
}

void pg_writer_end(pel_store *base) {
    pg_store *s = pg_of(base);
    if (!s->writing)
        return;
    pel_error e;
    keep(s, pipe_end(s, NULL, NULL, &e), &e);
    run_on(s->c, "SELECT pg_advisory_unlock(" WRITER_KEY ")");
    s->writing = false;
}

/* The advisory lock key of an input: the first 60 bits of its SHA-256 (hex),
 * with the writer's key's high byte (0x70, 'p') kept out of the range. */
static void input_key(const char *sha256, char *key, size_t cap) {
    char hex[16];
    size_t i = 0;
    for (; i < 15 && sha256[i]; i++)
        hex[i] = sha256[i];
    hex[i] = 0;
    snprintf(key, cap, "x'1%s'::bigint", hex); /* 1 + 15 hex digits: 0x1000... to 0x1fff..., never the writer's */
}

pel_status pg_input_lock(pel_store *base, const char *sha256, void (*on_wait)(void *ud, const char *what), void *ud,
                         pel_error *err) {
    pg_store *s = pg_of(base);
    char key[64], sql[128];
    for (const char *c = sha256; *c; c++)
        if (!strchr("0123456789abcdefABCDEF", *c))
            return pel_fail(err, PEL_ERR_ARG, "locking an input: not a SHA-256: %s", sha256);
    input_key(sha256, key, sizeof key);
    if (pg_flush(s, err) != PEL_OK)
        return PEL_ERR_IO;
    snprintf(sql, sizeof sql, "SELECT pg_try_advisory_lock(%s)", key);
    int got = one_bool(s->c, sql, err, "locking an input");
    if (got < 0)
        return PEL_ERR_IO;
    if (!got) {
        if (on_wait)
            on_wait(ud, "another ingest of the same input (pg_advisory_lock)");
        snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%s)", key);
        PGresult *r = PQexec(s->c, sql);
        bool ok = res_ok(r);
        if (!ok)
            pg_error(s->c, r, err, "locking an input");
        PQclear(r);
        if (!ok)
            return PEL_ERR_IO;
    }
    return PEL_OK;
}

void pg_input_unlock(pel_store *base, const char *sha256) {
    pg_store *s = pg_of(base);
    char key[64], sql[128];
    input_key(sha256, key, sizeof key);
    snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%s)", key);
    run_on(s->c, sql);
}

/* ---- the table of functions ------------------------------------------------------------------ */

static pel_status pg_no_op(pel_store *base, pel_error *err) {
    (void)base;
    (void)err;
    return PEL_OK;
}

static const st_ops pg_ops = {
    .name = "postgresql",
    .month_chunks = true,
    .parallel_ingest = true,
    .close = pg_close,
    .db_name = pg_db_name,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .writer_begin = pg_writer_begin,
    .writer_end = pg_writer_end,
    .generation_next = pg_generation_next,
    .input_lock = pg_input_lock,
    .input_unlock = pg_input_unlock,
    .input_find_done = pg_input_find_done,
    .input_find_partial = pg_input_find_partial,
    .input_find_other_partial = pg_input_find_other_partial,
    .input_add = pg_input_add,
    .input_progress = pg_input_progress,
    .input_done = pg_input_done,
    .input_paths = pg_input_paths,
    .source_id = pg_source_id,
    .vessel_touch = pg_vessel_touch,
    .vessel_add_duplicates = pg_vessel_add_duplicates,
    .stage = pg_stage,
    .vessel_get = pg_vessel_get,
    .vessel_find = pg_vessel_find,
    .data_span = pg_data_span,
    .segments_of = pg_segments_of,
    .chunks = pg_chunks,
    .coverage_add = pg_coverage_add,
    .coverage_cell = pg_coverage_cell,
    .coverage_rows = pg_coverage_rows,
    .source_names = pg_source_names,
    .coverage_clear = pg_coverage_clear,
    .identity_merge = pg_identity_merge,
    .identities_of = pg_identities_of,
    .identities_all = pg_identities_all,
    .names_of = pg_names_of,
    .imo_shared = pg_imo_shared,
    .voyage_merge = pg_voyage_merge,
    .voyages_of = pg_voyages_of,
    .draught_near = pg_draught_near,
    .latest_identity = pg_latest_identity,
    .latest_name = pg_latest_name,
    .wl_setup = pg_wl_setup,
    .wl_known = pg_wl_known,
    .wl_import_begin = pg_wl_import_begin,
    .wl_import_add = pg_wl_import_add,
    .wl_import_end = pg_wl_import_end,
    .wl_count = pg_wl_count,
    .wl_entries = pg_wl_entries,
    .wl_lists = pg_wl_lists,
    .live_setup = pg_live_setup,
    .live_get = pg_live_get,
    .live_put = pg_live_put,
    .live_alerts = pg_live_alerts,
    .live_alert_put = pg_live_alert_put,
    .live_alert_drop = pg_live_alert_drop,
    .live_journals = pg_live_journals,
    .live_lock = pg_live_lock,
    .live_unlock = pg_live_unlock,
    .inputs_each = pg_inputs_each,
    .case_setup = pg_no_op, /* the tables are in the schema */
    .case_add = pg_case_add,
    .case_finding_add = pg_case_finding_add,
    .cases = pg_cases,
    .case_findings = pg_case_findings,
    .review_add = pg_review_add,
    .reviews = pg_reviews,
    .findings_replace = pg_findings_replace,
    .dump_rows = pg_dump_rows,
    .dirty_vessels = pg_dirty_vessels,
    .row_ids = pg_row_ids,
    .row_read = pg_row_read,
    .chunk_drop = pg_chunk_drop,
    .chunk_add = pg_chunk_add,
    .chunk_rewrite = pg_chunk_rewrite,
    .segments_clear = pg_segments_clear,
    .segment_add = pg_segment_add,
    .segment_parallel = pg_segment_parallel,
    .vessel_built = pg_vessel_built,
    .staged_drop = pg_staged_drop,
    .staging_clear = pg_staging_clear,
    .compact = pg_compact,
};

/* ---- opening -------------------------------------------------------------------------------- */

static pel_store *open_fail(pg_store *s, pel_error *err, pel_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static pel_store *open_fail(pg_store *s, pel_error *err, pel_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pel_vfail(err, code, fmt, ap);
    va_end(ap);
    pg_close(&s->base);
    return NULL;
}

/* The connection's message, trimmed, into buf. */
static const char *conn_msg(PGconn *c, char *buf, size_t cap) {
    snprintf(buf, cap, "%s", c ? PQerrorMessage(c) : "out of memory");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = 0;
    return buf;
}

/* migrations[v] brings a database of schema version v to v + 1: the file
 * src/store/pg_migrate_V.sql, one transaction of its own (BEGIN ... COMMIT)
 * that updates the version with its changes and refuses a database of
 * another version (docs/schema.md, "PostgreSQL").  NULL: no migration from
 * v, such a database is refused, untouched. */
static const char *const migrations[PG_SCHEMA_VERSION] = {
    [1] = pg_migrate_1_sql,
};

/* Sets up the schema in a database without it, once however many open it
 * at the same time (an advisory lock; the schema is one transaction). */
static pel_status set_up(pg_store *s, pel_error *err) {
    if (!run_on(s->c, "SELECT pg_advisory_lock(" SETUP_KEY ")"))
        return pg_error(s->c, NULL, err, "setting up the database");
    pel_status st = PEL_OK;
    int have = one_bool(s->c, "SELECT to_regclass('pelorus.meta') IS NOT NULL", err, "setting up the database");
    if (have < 0)
        st = PEL_ERR_IO;
    else if (!have) {
        PGresult *r = PQexec(s->c, "CREATE EXTENSION IF NOT EXISTS postgis");
        if (!res_ok(r)) {
            char m[200], cm[200];
            const char *pm = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
            snprintf(m, sizeof m, "%s", pm ? pm : conn_msg(s->c, cm, sizeof cm));
            st = pel_fail(err, PEL_ERR_IO,
                          "%s: PostGIS is not installed in this database and cannot be installed by this user (%s); "
                          "a superuser runs CREATE EXTENSION postgis",
                          s->name, m);
        }
        PQclear(r);
        if (st == PEL_OK) {
            r = PQexec(s->c, pg_schema_sql);
            if (!res_ok(r))
                st = pg_error(s->c, r, err, "setting up the schema pelorus");
            PQclear(r);
            if (st != PEL_OK)
                run_on(s->c, "ROLLBACK");
        }
    }
    run_on(s->c, "SELECT pg_advisory_unlock(" SETUP_KEY ")");
    return st;
}

/* The schema version in meta into *v; PEL_ERR_FORMAT with err filled
 * when there is none. */
static pel_status read_version(pg_store *s, long long *v, pel_error *err) {
    PGresult *r = PQexec(s->c, "SELECT value FROM pelorus.meta WHERE key = 'schema_version'");
    bool ok = res_ok(r) && PQntuples(r) == 1;
    if (ok)
        *v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return ok ? PEL_OK
              : pel_fail(err, PEL_ERR_FORMAT, "%s: not a Pelorus database (its meta has no schema_version)", s->name);
}

/* The owner of the schema pelorus into owner and the session's user into
 * user (cap bytes each), and whether the session may act as the owner of
 * the schema and of every relation in it, as a migration must: 1 yes, 0
 * no, -1 with err filled. */
static int may_migrate(pg_store *s, char *owner, char *user, size_t cap, pel_error *err) {
    PGresult *r = PQexec(s->c, "SELECT n.nspowner::regrole, current_user, pg_has_role(n.nspowner, 'USAGE')"
                               " AND coalesce((SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) FROM pg_class c"
                               " WHERE c.relnamespace = n.oid), true)"
                               " FROM pg_namespace n WHERE n.nspname = 'pelorus'");
    int may = -1;
    if (res_ok(r) && PQntuples(r) == 1) {
        snprintf(owner, cap, "%s", PQgetvalue(r, 0, 0));
        snprintf(user, cap, "%s", PQgetvalue(r, 0, 1));
        may = PQgetvalue(r, 0, 2)[0] == 't';
    } else
        pg_error(s->c, r, err, "migrating the database: reading the schema's owner");
    PQclear(r);
    return may;
}

/* Brings an older database to PG_SCHEMA_VERSION by its migrations in turn,
 * each in one transaction, under the setup's advisory lock: however many
 * open it at the same time, one migrates and the others find it done.
 * Refused, the database left as it was, when a version has no migration,
 * when the session may not act as the schema's owner (an ingest role: the
 * message says who must run what), or when a migration fails (rolled back
 * whole; the steps committed before it stay). */
static pel_status migrate(pg_store *s, pel_error *err) {
    if (!run_on(s->c, "SELECT pg_advisory_lock(" SETUP_KEY ")"))
        return pg_error(s->c, NULL, err, "migrating the database");
    pel_status st;
    long long v;
    while ((st = read_version(s, &v, err)) == PEL_OK && v < PG_SCHEMA_VERSION) {
        if (v < 1 || !migrations[v]) {
            st = pel_fail(err, PEL_ERR_FORMAT,
                          "%s: schema version %lld, older than this Pelorus reads (%d), and there is no migration "
                          "from it; left untouched",
                          s->name, v, PG_SCHEMA_VERSION);
            break;
        }
        char owner[128], user[128];
        int may = may_migrate(s, owner, user, sizeof owner, err);
        if (may < 0) {
            st = PEL_ERR_IO;
            break;
        }
        if (!may) {
            st = pel_fail(err, PEL_ERR_FORMAT,
                          "%s: schema version %lld, older than this Pelorus reads (%d), and only the schema's owner "
                          "(%s) may migrate it, not %s: run pelorus ingest once as %s, or psql -f "
                          "src/store/pg_migrate_%lld.sql as %s (docs/deployment.md, \"Upgrades\"); left untouched",
                          s->name, v, PG_SCHEMA_VERSION, owner, user, owner, v, owner);
            break;
        }
        PGresult *r = PQexec(s->c, migrations[v]);
        if (!res_ok(r)) {
            char what[320];
            snprintf(what, sizeof what, "%s: migrating schema version %lld to %lld (left at %lld)", s->name, v, v + 1,
                     v);
            st = pg_error(s->c, r, err, what);
            PQclear(r);
            run_on(s->c, "ROLLBACK");
            break;
        }
        PQclear(r);
        long long now;
        if ((st = read_version(s, &now, err)) == PEL_OK && now != v + 1)
            st = pel_fail(err, PEL_ERR_FORMAT, "%s: migrating schema version %lld: the version is %lld after it",
                          s->name, v, now);
        if (st != PEL_OK)
            break;
    }
    run_on(s->c, "SELECT pg_advisory_unlock(" SETUP_KEY ")");
    return st;
}

pel_store *pg_open(const char *conninfo, bool readonly, pel_error *err) {
    pg_store *s = calloc(1, sizeof *s);
    if (!s) {
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->base.ops = &pg_ops;
    s->base.readonly = readonly;
    if (!(s->conninfo = strdup(conninfo)))
        return open_fail(s, err, PEL_ERR_NOMEM, "out of memory");
    char m[256];
    s->c = PQconnectdb(conninfo);
    if (PQstatus(s->c) != CONNECTION_OK)
        return open_fail(s, err, PEL_ERR_IO, "cannot connect to the PostgreSQL database: %s",
                         conn_msg(s->c, m, sizeof m));
    snprintf(s->name, sizeof s->name, "%s", PQdb(s->c) ? PQdb(s->c) : "postgresql");
    if (!run_on(s->c, "SET search_path = pelorus, public; SET extra_float_digits = 3; SET client_min_messages = "
                      "warning"))
        return open_fail(s, err, PEL_ERR_IO, "%s: %s", s->name, conn_msg(s->c, m, sizeof m));
    int have = one_bool(s->c, "SELECT to_regclass('pelorus.meta') IS NOT NULL", err, s->name);
    if (have < 0)
        return open_fail(s, err, PEL_ERR_IO, "%s", err ? err->msg : "");
    if (!have && readonly)
        return open_fail(
            s, err, PEL_ERR_FORMAT,
            "%s: not a Pelorus database yet (no schema pelorus): pelorus ingest or scan INPUT... sets it up", s->name);
    if (!have && set_up(s, err) != PEL_OK) {
        pg_close(&s->base);
        return NULL;
    }
    long long v;
    if (read_version(s, &v, err) != PEL_OK) {
        pg_close(&s->base);
        return NULL;
    }
    if (v >= 1 && v < PG_SCHEMA_VERSION && migrations[v] && !readonly) {
        if (migrate(s, err) != PEL_OK || read_version(s, &v, err) != PEL_OK) {
            pg_close(&s->base);
            return NULL;
        }
    }
    if (v > PG_SCHEMA_VERSION)
        return open_fail(s, err, PEL_ERR_FORMAT,
                         "%s: schema version %lld, newer than this Pelorus reads (%d): use a newer pelorus; left "
                         "untouched",
                         s->name, v, PG_SCHEMA_VERSION);
    if (v < PG_SCHEMA_VERSION && (v < 1 || !migrations[v]))
        return open_fail(s, err, PEL_ERR_FORMAT,
                         "%s: schema version %lld, older than this Pelorus reads (%d), and there is no migration from "
                         "it; left untouched",
                         s->name, v, PG_SCHEMA_VERSION);
    if (v < PG_SCHEMA_VERSION) { /* a reading command: never migrates */
        char owner[128] = "", user[128];
        if (may_migrate(s, owner, user, sizeof owner, err) < 0)
            snprintf(owner, sizeof owner, "?");
        return open_fail(s, err, PEL_ERR_FORMAT,
                         "%s: schema version %lld, older than this Pelorus reads (%d): run a writing command (pelorus "
                         "ingest) once as the schema's owner (%s) to migrate it; left untouched",
                         s->name, v, PG_SCHEMA_VERSION, owner);
    }
    return &s->base;
}

void pg_close(pel_store *base) {
    pg_store *s = pg_of(base);
    if (!s)
        return;
    if (s->c && PQstatus(s->c) == CONNECTION_OK) {
        if (s->in_tx)
            pg_rollback(base);
        pg_writer_end(base);
    }
    pg_ahead_drop(s);
    pg_days_free(s);
    free(s->segs);
    free(s->dr);
    PQfinish(s->c);
    PQfinish(s->rd);
    free(s->conninfo);
    free(s->months);
    free(s->cp);
    free(s->enc);
    free(s);
}
