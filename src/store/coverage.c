/*
 * coverage.c -- the coverage map written once over the backends
 * (store.h, "the coverage map"; docs/coverage.md): the accumulator that
 * ingest and the rebuild count positions in, the rebuild from the stored
 * chunks (a database migrated from schema 3), and the scan's cache of
 * cells.
 *
 * Limits: the accumulator's table is bounded (ST_COV_ACC_MAX counts); past
 * it, it flushes early, which only splits a count over two writes (the
 * store adds them, and ors the sets).  Not for a backend where several
 * ingests write at once (parallel_ingest): there it grows, up to a count
 * per position of the batch, so that a transaction writes the map once.
 */
#include <stdlib.h>
#include <string.h>

#include "geo/cell.h"
#include "st_backend.h"
#include "util/fail.h"
#include "util/xsort.h"

/* ---- the accumulator ------------------------------------------------------------------------ */

struct st_cov_acc {
    pel_store *s;
    st_cov_add *e; /* open addressing; positions == 0: empty */
    size_t cap, used;
};

st_cov_acc *st_cov_acc_new(pel_store *s) {
    st_cov_acc *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->s = s;
    a->cap = 2 * ST_COV_ACC_MAX;
    if (!(a->e = calloc(a->cap, sizeof *a->e))) {
        free(a);
        return NULL;
    }
    return a;
}

void st_cov_acc_free(st_cov_acc *a) {
    if (!a)
        return;
    free(a->e);
    free(a);
}

static int cmp_add(const void *x, const void *y) {
    const st_cov_add *a = x, *b = y;
    if (a->cell != b->cell)
        return a->cell < b->cell ? -1 : 1;
    if (a->station != b->station)
        return a->station < b->station ? -1 : 1;
    return (a->hour > b->hour) - (a->hour < b->hour);
}

/* Writes the counts in key order (the same rows whatever the order they
 * were added in, and neighbouring keys together for the B-tree). */
pel_status st_cov_acc_flush(st_cov_acc *a, pel_error *err) {
    if (!a->used)
        return PEL_OK;
    size_t k = 0;
    for (size_t i = 0; i < a->cap; i++)
        if (a->e[i].positions)
            a->e[k++] = a->e[i];
    xqsort(a->e, k, sizeof *a->e, cmp_add);
    pel_status st = st_coverage_add(a->s, a->e, k, err);
    memset(a->e, 0, a->cap * sizeof *a->e);
    a->used = 0;
    return st;
}

static size_t acc_home(const st_cov_acc *a, uint32_t cell, uint32_t station, int64_t hour) {
    uint64_t h =
        ((uint64_t)cell * 0x9E3779B97F4A7C15u) ^ ((uint64_t)station << 40) ^ (uint64_t)hour * 0xBF58476D1CE4E5B9u;
    h ^= h >> 29;
    return (size_t)(h & (a->cap - 1));
}

/* Doubles the table; false when memory runs out (the table unchanged). */
static bool acc_grow(st_cov_acc *a) {
    st_cov_add *old = a->e;
    size_t ocap = a->cap;
    st_cov_add *e = calloc(2 * ocap, sizeof *e);
    if (!e)
        return false;
    a->e = e;
    a->cap = 2 * ocap;
    for (size_t k = 0; k < ocap; k++) {
        if (!old[k].positions)
            continue;
        size_t i = acc_home(a, old[k].cell, old[k].station, old[k].hour);
        while (e[i].positions)
            i = (i + 1) & (a->cap - 1);
        e[i] = old[k];
    }
    free(old);
    return true;
}

static pel_status acc_one(st_cov_acc *a, uint32_t cell, uint32_t station, int64_t hour, uint64_t bit, uint8_t slot,
                          pel_error *err) {
    size_t i = acc_home(a, cell, station, hour);
    for (;;) {
        st_cov_add *e = &a->e[i];
        if (!e->positions) {
            /* ingests at once (parallel_ingest): the table grows instead
             * (bounded by the batch's positions), so that each transaction
             * writes its counts once, in key order, and two never wait for
             * each other's rows in opposite orders */
            if (a->used >= a->cap / 2 && a->s->ops->parallel_ingest) {
                if (!acc_grow(a))
                    return pel_fail(err, PEL_ERR_NOMEM, "out of memory for the coverage counts");
                return acc_one(a, cell, station, hour, bit, slot, err);
            }
            if (a->used >= ST_COV_ACC_MAX) {
                pel_status st = st_cov_acc_flush(a, err);
                if (st != PEL_OK)
                    return st;
                return acc_one(a, cell, station, hour, bit, slot, err);
            }
            *e = (st_cov_add){
                .cell = cell, .station = station, .hour = hour, .seen = bit, .positions = 1, .slots = slot};
            a->used++;
            return PEL_OK;
        }
        if (e->cell == cell && e->station == station && e->hour == hour) {
            if (e->positions < UINT32_MAX)
                e->positions++;
            e->seen |= bit;
            e->slots |= slot;
            return PEL_OK;
        }
        i = (i + 1) & (a->cap - 1);
    }
}

pel_status st_cov_acc_add(st_cov_acc *a, const pel_position *p, pel_error *err) {
    if (p->lat < -90 * PEL_DEG || p->lat > 90 * PEL_DEG || p->lon < -180 * PEL_DEG || p->lon > 180 * PEL_DEG)
        return PEL_OK; /* no coordinates: nothing heard anywhere */
    uint32_t cell = geo_cell_of(p->lat, p->lon);
    int64_t t = p->t_ms;
    int64_t hour = t >= 0 ? t / 3600000 : -((-t + 3599999) / 3600000);
    int64_t minute = (t - hour * 3600000) / 60000;
    uint8_t slot = (uint8_t)(1u << (minute / 10));
    uint64_t bit = st_cov_bit(p->mmsi);
    return acc_one(a, cell, p->source, hour, bit, slot, err);
}

/* ---- the rebuild ------------------------------------------------------------------------------ */

pel_status st_coverage_rebuild(pel_store *s, pel_error *err) {
    pel_status st = s->ops->coverage_clear(s, err);
    if (st != PEL_OK)
        return st;
    st_cov_acc *a = st_cov_acc_new(s);
    if (!a)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory for the coverage map");
    st_area all = {0};
    st_iter *it = st_chunks(s, &all, err);
    if (!it) {
        st_cov_acc_free(a);
        return PEL_ERR_IO;
    }
    pel_position *p = NULL;
    size_t cap = 0;
    for (;;) {
        uint32_t mmsi;
        int step = st_chunk_next(it, &mmsi, err);
        if (step <= 0) {
            st = step < 0 ? (pel_status)-step : PEL_OK;
            break;
        }
        size_t n = 0;
        if ((st = st_chunk_read(it, &p, &cap, 0, &n, err)) != PEL_OK)
            break;
        for (size_t i = 0; i < n && st == PEL_OK; i++)
            st = st_cov_acc_add(a, &p[i], err);
        if (st != PEL_OK)
            break;
    }
    st_iter_free(it);
    free(p);
    if (st == PEL_OK)
        st = st_cov_acc_flush(a, err);
    st_cov_acc_free(a);
    return st;
}

/* ---- every station together ------------------------------------------------------------------- */

static int cmp_hour(const void *x, const void *y) {
    const st_cov_row *a = x, *b = y;
    return (a->hour > b->hour) - (a->hour < b->hour);
}

/* Adds row r to the sum a of the same cell and hour. */
static void cov_sum(st_cov_row *a, const st_cov_row *r) {
    a->positions = a->positions > UINT32_MAX - r->positions ? UINT32_MAX : a->positions + r->positions;
    a->seen |= r->seen;
    a->slots |= r->slots;
    a->vessels = (uint32_t)__builtin_popcountll(a->seen);
}

pel_status st_cov_all(const pel_store *s, const st_cov_row *r, size_t n, st_cov_row **out, size_t *nout, size_t *cap,
                      pel_error *err) {
    *nout = 0;
    if (n > *cap) {
        st_cov_row *nv = realloc(*out, n * sizeof *nv);
        if (!nv)
            return pel_fail(err, PEL_ERR_NOMEM, "out of memory for the coverage map");
        *out = nv;
        *cap = n;
    }
    size_t k = 0;
    if (s->cov_legacy) { /* schema 4: station 0 held it */
        for (size_t i = 0; i < n && r[i].station == 0; i++)
            (*out)[k++] = r[i];
        *nout = k;
        return PEL_OK;
    }
    if (n) /* a period's cell may have no row in it */
        memcpy(*out, r, n * sizeof *r);
    xqsort(*out, n, sizeof **out, cmp_hour);
    for (size_t i = 0; i < n; i++) {
        st_cov_row x = (*out)[i];
        if (k && (*out)[k - 1].hour == x.hour)
            cov_sum(&(*out)[k - 1], &x);
        else {
            x.station = 0;
            (*out)[k++] = x;
        }
    }
    *nout = k;
    return PEL_OK;
}

/* ST_COV_ALL: the backend's rows of every station by cell and hour,
 * summed per cell and hour as they pass. */
typedef struct all_iter {
    st_iter head;
    st_iter *in;
    st_cov_row next; /* read ahead: the first row of the next sum */
    int has;         /* 1 a row is read ahead, 0 the end, < 0 an error */
} all_iter;

static int all_next(st_iter *it, void *row, pel_error *err) {
    all_iter *a = (all_iter *)it;
    if (a->has <= 0)
        return a->has;
    st_cov_row sum = a->next;
    sum.station = 0;
    for (;;) {
        a->has = a->in->next(a->in, &a->next, err);
        if (a->has <= 0 || a->next.cell != sum.cell || a->next.hour != sum.hour)
            break;
        cov_sum(&sum, &a->next);
    }
    *(st_cov_row *)row = sum;
    return 1;
}

static void all_free(st_iter *it) {
    all_iter *a = (all_iter *)it;
    st_iter_free(a->in);
    free(a);
}

st_iter *st_cov_all_rows(pel_store *s, int64_t from_hour, int64_t to_hour, pel_error *err) {
    st_iter *in = s->ops->coverage_rows(s, ST_COV_EVERY, 0, from_hour, to_hour, err);
    if (!in)
        return NULL;
    all_iter *a = calloc(1, sizeof *a);
    if (!a) {
        st_iter_free(in);
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        return NULL;
    }
    a->head = (st_iter){.kind = in->kind, .next = all_next, .free = all_free};
    a->in = in;
    a->has = in->next(in, &a->next, err);
    return &a->head;
}

/* ---- the scan's cache ------------------------------------------------------------------------- */

typedef struct covmap_cell {
    uint32_t cell; /* GEO_CELL_NONE: empty slot */
    st_cov_row *rows;
    size_t n;
} covmap_cell;

struct st_covmap {
    pel_store *s;
    covmap_cell *slot;
    size_t cap, used, rows;
};

st_covmap *st_covmap_new(pel_store *s, pel_error *err) {
    st_covmap *m = calloc(1, sizeof *m);
    if (m) {
        m->s = s;
        m->cap = 4096;
        m->slot = malloc(m->cap * sizeof *m->slot);
    }
    if (!m || !m->slot) {
        free(m);
        pel_fail(err, PEL_ERR_NOMEM, "out of memory for the coverage map");
        return NULL;
    }
    for (size_t i = 0; i < m->cap; i++)
        m->slot[i] = (covmap_cell){.cell = GEO_CELL_NONE};
    return m;
}

static void covmap_clear(st_covmap *m) {
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slot[i].rows);
        m->slot[i] = (covmap_cell){.cell = GEO_CELL_NONE};
    }
    m->used = m->rows = 0;
}

void st_covmap_free(st_covmap *m) {
    if (!m)
        return;
    covmap_clear(m);
    free(m->slot);
    free(m);
}

static covmap_cell *covmap_slot(st_covmap *m, uint32_t cell) {
    size_t i = (size_t)(((uint64_t)cell * 0x9E3779B97F4A7C15u) >> 20) & (m->cap - 1);
    while (m->slot[i].cell != GEO_CELL_NONE && m->slot[i].cell != cell)
        i = (i + 1) & (m->cap - 1);
    return &m->slot[i];
}

static bool covmap_grow(st_covmap *m) {
    size_t ocap = m->cap, cap = ocap * 2;
    covmap_cell *old = m->slot, *neu = malloc(cap * sizeof *neu);
    if (!neu)
        return false;
    for (size_t i = 0; i < cap; i++)
        neu[i] = (covmap_cell){.cell = GEO_CELL_NONE};
    m->slot = neu;
    m->cap = cap;
    for (size_t i = 0; i < ocap; i++)
        if (old[i].cell != GEO_CELL_NONE)
            *covmap_slot(m, old[i].cell) = old[i];
    free(old);
    return true;
}

pel_status st_covmap_cell(st_covmap *m, uint32_t cell, const st_cov_row **rows, size_t *n, pel_error *err) {
    *rows = NULL;
    *n = 0;
    covmap_cell *c = covmap_slot(m, cell);
    if (c->cell == cell) {
        *rows = c->rows;
        *n = c->n;
        return PEL_OK;
    }
    if (m->rows > ST_COVMAP_MAX)
        covmap_clear(m);
    if (m->used * 2 >= m->cap && !covmap_grow(m))
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory for the coverage map");
    st_iter *it = st_coverage_cell(m->s, cell, INT64_MIN, INT64_MAX, err);
    if (!it)
        return PEL_ERR_IO;
    st_cov_row *v = NULL, r;
    size_t k = 0, cap = 0;
    int step;
    pel_status st = PEL_OK;
    while ((step = st_cov_row_next(it, &r, err)) > 0) {
        if (k == cap) {
            size_t nc = cap ? cap * 2 : 64;
            st_cov_row *nv = realloc(v, nc * sizeof *nv);
            if (!nv) {
                st = pel_fail(err, PEL_ERR_NOMEM, "out of memory for the coverage map");
                break;
            }
            v = nv;
            cap = nc;
        }
        v[k++] = r;
    }
    if (step < 0)
        st = (pel_status)-step;
    st_iter_free(it);
    if (st != PEL_OK) {
        free(v);
        return st;
    }
    c = covmap_slot(m, cell);
    *c = (covmap_cell){.cell = cell, .rows = v, .n = k};
    m->used++;
    m->rows += k;
    *rows = v;
    *n = k;
    return PEL_OK;
}
