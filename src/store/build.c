/*
 * build.c -- rebuilds the tracks of the vessels an ingest touched: all of
 * a vessel's chunks, and its positions staged by ingests since it was last
 * built (staging.gen > vessels.built_gen), are merged into canonical order,
 * cleared of duplicate receptions, checked and cut into segments
 * (src/track/segment.c), and written back as canonical chunks of TRK_CHUNK
 * positions with their boxes in the R*Tree, with the vessel's segments and
 * summary.  Each batch of vessels is one transaction, so an interrupted
 * build leaves the remaining vessels marked dirty for the next run; the
 * result depends only on the stored positions, never on the order they
 * arrived in.
 *
 * A vessel is streamed, never loaded whole:
 *   - runs: the vessel's chunks, in id order, are one sorted run; ingest
 *     stages each batch of a vessel sorted, in rows of at most TRK_CHUNK
 *     positions, and consecutive staged rows that continue one another form
 *     one run (a time-ordered feed gives one run however many batches).  A
 *     staged row that is not sorted or too long (written by an older
 *     Pelorus) is sorted and rewritten first.  More than FANIN staged runs
 *     are merged FANIN at a time into new staged runs until FANIN remain.
 *   - merge: a heap over the runs, each holding one decoded row, feeds the
 *     positions in canonical order to a trk_stream (duplicates, checks,
 *     segments); each old chunk is deleted once read.
 *   - output: kept positions wait in a ring until a whole chunk of them is
 *     final, then go out as a chunk.  A position is final once its segment
 *     has a second position or has closed (it may be flagged isolated); if
 *     one stays undecided while OUT_MAX positions pile up behind it, chunks
 *     go out anyway and the flag is patched into its chunk later.  Segments
 *     are written as they finish; then one pass over them in id order adds
 *     the vessel's distance (in the same order as ever, to the bit) and
 *     marks the parallel ones (trk_parallel).
 *
 * Memory per vessel: a decoded row per run merged (FANIN + 1 rows of at most
 * TRK_CHUNK positions, 4 MB), the output ring (OUT_MAX positions, 4 MB), the
 * kept positions of the last dedupe window, and 24 bytes per TRK_CHUNK
 * positions for the ids of its rows and chunks.  Staged rows are decoded
 * twice (once to find the runs).
 *
 * Limits: a vessel is rebuilt whole, so adding a day to a year of one
 * vessel's history reads the year.  Its positions within one dedupe window
 * (30 s) are held in memory: a handful for any real transmitter.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"
#include "trk.h"
#include "util/xsort.h"

#define BATCH 256
#define FANIN 64
#define OUT_MAX (64 * TRK_CHUNK) /* a power of two */

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/* the build's own statements */
enum { B_CHUNK_IDS, B_CHUNK_GET, B_CHUNK_DROP, B_BOX_DROP, B_CHUNK_SET, B_STAGE_IDS, B_STAGE_GET, B_SEG_LIST,
       B_SEG_PARALLEL, B__COUNT };

// clang-format off
static const char *const bsql[B__COUNT] = {
    [B_CHUNK_IDS] = "SELECT id FROM chunks WHERE mmsi = ?1 ORDER BY id",
    [B_CHUNK_GET] = "SELECT data FROM chunks WHERE id = ?1",
    [B_CHUNK_DROP] = "DELETE FROM chunks WHERE id = ?1",
    [B_BOX_DROP] = "DELETE FROM chunk_box WHERE id = ?1",
    [B_CHUNK_SET] = "UPDATE chunks SET data = ?2 WHERE id = ?1",
    [B_STAGE_IDS] = "SELECT id, gen FROM staging WHERE mmsi = ?1 AND gen > ?2 ORDER BY id",
    [B_STAGE_GET] = "SELECT data FROM staging WHERE id = ?1",
    [B_SEG_LIST] = "SELECT seg, t0, t1, n, distance_m FROM segments WHERE mmsi = ?1 AND seg > ?2 ORDER BY seg LIMIT 1024",
    [B_SEG_PARALLEL] = "UPDATE segments SET parallel = 1 WHERE mmsi = ?1 AND seg = ?2",
};
// clang-format on

/* A sorted sequence of stored rows, and the row it is at. */
typedef struct run {
    bool staged;         /* rows of staging, else of chunks */
    size_t from, to;     /* its row ids: ids[from..to) */
    size_t next;         /* the next row to read */
    pel_position *p;     /* the current row, decoded */
    size_t cap, n, i;    /* ... its size and the next position */
} run;

/* A chunk written by this build, for patching a late isolated flag. */
typedef struct written {
    uint64_t seq0;
    int64_t id;
} written;

typedef struct bld {
    pel_store *s;
    pel_error *err;
    trk_opts o;
    sqlite3_stmt *q[B__COUNT];
    /* the vessel being built */
    uint32_t mmsi;
    int64_t *ids;        /* row ids of every run: chunks, then staging */
    int64_t *gens;       /* staging.gen of each staged id (same index) */
    size_t nids, idcap;
    run *runs;
    size_t nruns, runcap;
    size_t *heap;
    pel_position *scratch; /* one row decoded, or a chunk to encode */
    size_t scap;
    uint8_t *enc;
    size_t enccap;
    /* staged rows written by this build (sorted rewrites and merges) */
    pel_position *sw;
    size_t swn;
    int64_t swgen;
    /* output */
    trk_stream *t;
    pel_position *out;   /* ring of OUT_MAX positions, by seq */
    uint64_t out0, nout; /* seqs out0 .. out0 + nout - 1 are in it */
    written *wr;
    size_t nwr, wrcap;
    uint64_t flagged, kept;
    int64_t first_ms, last_ms;
} bld;

static sqlite3_stmt *bq(bld *b, int i) {
    sqlite3_reset(b->q[i]);
    sqlite3_clear_bindings(b->q[i]);
    return b->q[i];
}

static pel_status nomem(bld *b) {
    if (b->err) {
        b->err->code = PEL_ERR_NOMEM;
        snprintf(b->err->msg, sizeof b->err->msg, "out of memory building the track of %u", b->mmsi);
    }
    return PEL_ERR_NOMEM;
}

static pel_status corrupt(bld *b, const char *what) {
    if (b->err) {
        b->err->code = PEL_ERR_IO;
        snprintf(b->err->msg, sizeof b->err->msg, "vessel %u: %s", b->mmsi, what);
    }
    return PEL_ERR_IO;
}

static bool grow(void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    void *np = realloc(*p, ncap * size);
    if (!np)
        return false;
    *p = np;
    *cap = ncap;
    return true;
}

static int cmp_canon(const void *a, const void *b) { return trk_cmp_pos(a, b); }

/* Decodes the blob of row id of table (chunks if !staged) into *p (grown
 * as needed); *n gets its count. */
static pel_status read_row(bld *b, bool staged, int64_t id, pel_position **p, size_t *cap, size_t *n) {
    sqlite3_stmt *q = bq(b, staged ? B_STAGE_GET : B_CHUNK_GET);
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) != SQLITE_ROW)
        return st_error(b->s, b->err, "reading positions");
    const uint8_t *blob = sqlite3_column_blob(q, 0);
    size_t len = (size_t)sqlite3_column_bytes(q, 0);
    long c = trk_count(blob, len);
    if (c < 0)
        return corrupt(b, "a stored chunk is corrupt");
    if (!grow((void **)p, cap, (size_t)c + 1, sizeof **p))
        return nomem(b);
    if (trk_decode(blob, len, b->mmsi, *p, (size_t)c) != c)
        return corrupt(b, "a stored chunk is corrupt");
    *n = (size_t)c;
    sqlite3_reset(q);
    return PEL_OK;
}

static pel_status add_id(bld *b, int64_t id, int64_t gen) {
    size_t c1 = b->idcap, c2 = b->idcap;
    if (!grow((void **)&b->ids, &c1, b->nids + 1, sizeof *b->ids) ||
        !grow((void **)&b->gens, &c2, b->nids + 1, sizeof *b->gens))
        return nomem(b);
    b->idcap = c1 < c2 ? c1 : c2;
    b->ids[b->nids] = id;
    b->gens[b->nids++] = gen;
    return PEL_OK;
}

/* Adds a run of ids[from..to); the run structures past nruns keep their
 * row buffers for reuse. */
static pel_status add_run(bld *b, bool staged, size_t from, size_t to) {
    if (from == to)
        return PEL_OK;
    size_t cap = b->runcap;
    if (!grow((void **)&b->runs, &cap, b->nruns + 1, sizeof *b->runs))
        return nomem(b);
    memset(b->runs + b->runcap, 0, (cap - b->runcap) * sizeof *b->runs);
    b->runcap = cap;
    run *r = &b->runs[b->nruns++];
    pel_position *p = r->p;
    size_t pcap = r->cap;
    memset(r, 0, sizeof *r);
    r->p = p;
    r->cap = pcap;
    r->staged = staged;
    r->from = r->next = from;
    r->to = to;
    return PEL_OK;
}

/* ---- staged rows written by the build --------------------------------------- */

static pel_status sw_flush(bld *b) {
    if (!b->swn)
        return PEL_OK;
    size_t len = trk_encode(b->sw, b->swn, b->enc);
    sqlite3_stmt *q = st_get(b->s, ST_CHUNK_RAW);
    sqlite3_bind_int64(q, 1, b->mmsi);
    sqlite3_bind_int64(q, 2, b->swgen);
    sqlite3_bind_blob(q, 3, b->enc, (int)len, SQLITE_STATIC);
    if (st_done(b->s, q, b->err, "storing positions") != PEL_OK)
        return PEL_ERR_IO;
    b->swn = 0;
    return add_id(b, sqlite3_last_insert_rowid(b->s->db), b->swgen);
}

/* Appends p to the staged run being written (sorted order is the caller's). */
static pel_status sw_put(bld *b, const pel_position *p) {
    b->sw[b->swn++] = *p;
    return b->swn == TRK_CHUNK ? sw_flush(b) : PEL_OK;
}

/* ---- runs ----------------------------------------------------------------- */

/* Finds the vessel's runs: its chunks, then its staged rows grouped into
 * sorted runs (rows that are not sorted, or too long, rewritten sorted). */
static pel_status find_runs(bld *b, int64_t built_gen) {
    b->nids = b->nruns = 0;
    sqlite3_stmt *q = bq(b, B_CHUNK_IDS);
    sqlite3_bind_int64(q, 1, b->mmsi);
    int rc;
    pel_status st = PEL_OK;
    while (st == PEL_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
        st = add_id(b, sqlite3_column_int64(q, 0), 0);
    if (st == PEL_OK && rc != SQLITE_DONE)
        st = st_error(b->s, b->err, "reading chunks");
    sqlite3_reset(q);
    if (st == PEL_OK)
        st = add_run(b, false, 0, b->nids);
    size_t staged0 = b->nids;
    q = bq(b, B_STAGE_IDS);
    sqlite3_bind_int64(q, 1, b->mmsi);
    sqlite3_bind_int64(q, 2, built_gen);
    while (st == PEL_OK && (rc = sqlite3_step(q)) == SQLITE_ROW)
        st = add_id(b, sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1));
    if (st == PEL_OK && rc != SQLITE_DONE)
        st = st_error(b->s, b->err, "reading staged positions");
    sqlite3_reset(q);
    if (st != PEL_OK)
        return st;
    /* group the staged rows: a run goes on while each row starts at or after
     * the end of the one before; ids[staged0..keep) are the rows kept, in
     * order, and rewritten rows come after them as runs of their own */
    size_t nstaged = b->nids - staged0, keep = staged0, run0 = staged0;
    pel_position last;
    bool has_last = false;
    for (size_t k = 0; k < nstaged && st == PEL_OK; k++) {
        int64_t id = b->ids[staged0 + k], gen = b->gens[staged0 + k];
        size_t n;
        if ((st = read_row(b, true, id, &b->scratch, &b->scap, &n)) != PEL_OK)
            break;
        bool sorted = n <= TRK_CHUNK;
        for (size_t i = 1; i < n && sorted; i++)
            sorted = trk_cmp_pos(&b->scratch[i - 1], &b->scratch[i]) <= 0;
        if (n == 0)
            continue;
        if (!sorted) { /* sort it, and write it again as a run of its own */
            xqsort(b->scratch, n, sizeof *b->scratch, cmp_canon);
            size_t from = b->nids;
            b->swgen = gen;
            for (size_t i = 0; i < n && st == PEL_OK; i++)
                st = sw_put(b, &b->scratch[i]);
            if (st == PEL_OK)
                st = sw_flush(b);
            if (st == PEL_OK)
                st = add_run(b, true, from, b->nids);
            /* the original is ignored from now on: staging is emptied at the end */
            continue;
        }
        if (!has_last || trk_cmp_pos(&last, &b->scratch[0]) > 0) {
            if ((st = add_run(b, true, run0, keep)) != PEL_OK)
                break;
            run0 = keep;
        }
        b->ids[keep] = id;
        b->gens[keep++] = gen;
        last = b->scratch[n - 1];
        has_last = true;
    }
    if (st == PEL_OK)
        st = add_run(b, true, run0, keep);
    /* rows rewritten above point past keep: they stay where they are, and the
     * dropped rows between keep and staged0 + nstaged are never read */
    return st;
}

/* Reads the run's next row; false at its end.  Chunks are deleted once read
 * (this build rewrites them). */
static pel_status run_fill(bld *b, run *r, bool *more) {
    *more = false;
    while (r->next < r->to) {
        int64_t id = b->ids[r->next++];
        pel_status st = read_row(b, r->staged, id, &r->p, &r->cap, &r->n);
        if (st != PEL_OK)
            return st;
        if (!r->staged) {
            sqlite3_stmt *q = bq(b, B_BOX_DROP);
            sqlite3_bind_int64(q, 1, id);
            if (st_done(b->s, q, b->err, "replacing chunk boxes") != PEL_OK)
                return PEL_ERR_IO;
            q = bq(b, B_CHUNK_DROP);
            sqlite3_bind_int64(q, 1, id);
            if (st_done(b->s, q, b->err, "replacing chunks") != PEL_OK)
                return PEL_ERR_IO;
            for (size_t i = 1; i < r->n; i++)
                if (trk_cmp_pos(&r->p[i - 1], &r->p[i]) > 0)
                    return corrupt(b, "stored chunks out of order");
        }
        r->i = 0;
        if (r->n) {
            *more = true;
            return PEL_OK;
        }
    }
    return PEL_OK;
}

static bool heap_less(const bld *b, size_t x, size_t y) {
    const run *rx = &b->runs[x], *ry = &b->runs[y];
    int c = trk_cmp_pos(&rx->p[rx->i], &ry->p[ry->i]);
    return c < 0 || (c == 0 && x < y);
}

static void heap_down(bld *b, size_t nh, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < nh && heap_less(b, b->heap[l], b->heap[m]))
            m = l;
        if (l + 1 < nh && heap_less(b, b->heap[l + 1], b->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        size_t x = b->heap[i];
        b->heap[i] = b->heap[m];
        b->heap[m] = x;
        i = m;
    }
}

/* Merges runs[r0..r1) into canonical order, handing each position to put. */
static pel_status merge(bld *b, size_t r0, size_t r1, pel_status (*put)(bld *, const pel_position *)) {
    size_t nh = 0;
    pel_status st = PEL_OK;
    size_t *nh_ = realloc(b->heap, (r1 - r0 + 1) * sizeof *b->heap);
    if (!nh_)
        return nomem(b);
    b->heap = nh_;
    pel_position prev;
    bool has_prev = false;
    for (size_t k = r0; k < r1 && st == PEL_OK; k++) {
        bool more;
        if ((st = run_fill(b, &b->runs[k], &more)) == PEL_OK && more)
            b->heap[nh++] = k;
    }
    for (size_t i = nh / 2; i-- > 0;)
        heap_down(b, nh, i);
    while (nh && st == PEL_OK) {
        run *r = &b->runs[b->heap[0]];
        const pel_position *p = &r->p[r->i];
        if (has_prev && trk_cmp_pos(&prev, p) > 0)
            return corrupt(b, "stored positions out of order");
        prev = *p;
        has_prev = true;
        if ((st = put(b, p)) != PEL_OK)
            break;
        if (++r->i == r->n) {
            bool more;
            if ((st = run_fill(b, r, &more)) != PEL_OK)
                break;
            if (!more)
                b->heap[0] = b->heap[--nh];
        }
        heap_down(b, nh, 0);
    }
    return st;
}

/* Merges runs FANIN at a time into new staged runs until at most FANIN + 1
 * are left; runs[0], the chunks' run when the vessel has chunks, stays. */
static pel_status cascade(bld *b) {
    while (b->nruns > FANIN + 1) {
        size_t from = b->nids;
        b->swgen = b->s->gen; /* newer than the vessel's built_gen, as every row merged */
        pel_status st = merge(b, 1, 1 + FANIN, sw_put);
        if (st == PEL_OK)
            st = sw_flush(b);
        if (st != PEL_OK)
            return st;
        run used[FANIN]; /* the merged runs go past the end, buffers and all */
        memcpy(used, &b->runs[1], sizeof used);
        memmove(&b->runs[1], &b->runs[1 + FANIN], (b->nruns - 1 - FANIN) * sizeof *b->runs);
        b->nruns -= FANIN;
        memcpy(&b->runs[b->nruns], used, sizeof used);
        if ((st = add_run(b, true, from, b->nids)) != PEL_OK)
            return st;
    }
    return PEL_OK;
}

/* ---- output ----------------------------------------------------------------- */

/* Writes the m positions at the front of the ring as one chunk, with its box. */
static pel_status write_chunk(bld *b, size_t m) {
    pel_position *c = b->scratch;
    for (size_t i = 0; i < m; i++)
        c[i] = b->out[(b->out0 + i) & (OUT_MAX - 1)];
    size_t len = trk_encode(c, m, b->enc);
    sqlite3_stmt *q = st_get(b->s, ST_CHUNK_BUILT);
    sqlite3_bind_int64(q, 1, b->mmsi);
    sqlite3_bind_int64(q, 2, c[0].t_ms);
    sqlite3_bind_int64(q, 3, c[m - 1].t_ms);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)m);
    sqlite3_bind_blob(q, 5, b->enc, (int)len, SQLITE_STATIC);
    if (st_done(b->s, q, b->err, "writing chunks") != PEL_OK)
        return PEL_ERR_IO;
    int64_t id = sqlite3_last_insert_rowid(b->s->db);
    if (!grow((void **)&b->wr, &b->wrcap, b->nwr + 1, sizeof *b->wr))
        return nomem(b);
    b->wr[b->nwr++] = (written){b->out0, id};
    b->out0 += m;
    b->nout -= m;
    /* the box over the chunk's usable positions, and its time span in minutes */
    int32_t la0 = 0, la1 = 0, lo0 = 0, lo1 = 0;
    bool any = false;
    for (size_t i = 0; i < m; i++) {
        b->flagged += c[i].flags != 0;
        if (c[i].segment < 0)
            continue;
        if (!any || c[i].lat < la0) la0 = c[i].lat;
        if (!any || c[i].lat > la1) la1 = c[i].lat;
        if (!any || c[i].lon < lo0) lo0 = c[i].lon;
        if (!any || c[i].lon > lo1) lo1 = c[i].lon;
        any = true;
    }
    if (!any)
        return PEL_OK;
    q = st_get(b->s, ST_BOX_ADD);
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_int(q, 2, la0);
    sqlite3_bind_int(q, 3, la1);
    sqlite3_bind_int(q, 4, lo0);
    sqlite3_bind_int(q, 5, lo1);
    sqlite3_bind_int64(q, 6, floor_div(c[0].t_ms, 60000));
    sqlite3_bind_int64(q, 7, floor_div(c[m - 1].t_ms + 59999, 60000));
    return st_done(b->s, q, b->err, "writing chunk boxes");
}

/* Writes the whole chunks at the front of the ring that are final, or that
 * must go because the ring is full; everything when all is decided. */
static pel_status out_flush(bld *b, bool all) {
    pel_status st = PEL_OK;
    while (st == PEL_OK && b->nout >= TRK_CHUNK &&
           (all || b->nout == OUT_MAX || b->out0 + TRK_CHUNK <= trk_stream_undecided(b->t)))
        st = write_chunk(b, TRK_CHUNK);
    if (st == PEL_OK && all && b->nout)
        st = write_chunk(b, (size_t)b->nout);
    return st;
}

static pel_status on_position(void *ud, const pel_position *p, uint64_t seq) {
    bld *b = ud;
    (void)seq; /* = out0 + nout */
    if (b->nout == OUT_MAX) {
        pel_status st = out_flush(b, false);
        if (st != PEL_OK)
            return st;
    }
    b->out[(b->out0 + b->nout++) & (OUT_MAX - 1)] = *p;
    if (!b->kept++)
        b->first_ms = p->t_ms;
    b->last_ms = p->t_ms;
    return b->nout >= TRK_CHUNK && b->nout % TRK_CHUNK == 0 ? out_flush(b, false) : PEL_OK;
}

static pel_status on_isolated(void *ud, uint64_t seq) {
    bld *b = ud;
    if (seq >= b->out0) {
        b->out[seq & (OUT_MAX - 1)].flags |= PEL_POS_ISOLATED;
        return PEL_OK;
    }
    /* gone out already: patch its chunk (the flags byte keeps the length) */
    size_t lo = 0, hi = b->nwr;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (b->wr[mid].seq0 <= seq)
            lo = mid;
        else
            hi = mid;
    }
    size_t n;
    pel_status st = read_row(b, false, b->wr[lo].id, &b->scratch, &b->scap, &n);
    if (st != PEL_OK)
        return st;
    pel_position *p = &b->scratch[seq - b->wr[lo].seq0];
    b->flagged += p->flags == 0;
    p->flags |= PEL_POS_ISOLATED;
    size_t len = trk_encode(b->scratch, n, b->enc);
    sqlite3_stmt *q = bq(b, B_CHUNK_SET);
    sqlite3_bind_int64(q, 1, b->wr[lo].id);
    sqlite3_bind_blob(q, 2, b->enc, (int)len, SQLITE_STATIC);
    return st_done(b->s, q, b->err, "writing chunks");
}

static pel_status on_segment(void *ud, const trk_segment *g) {
    bld *b = ud;
    sqlite3_stmt *q = st_get(b->s, ST_SEG_ADD);
    sqlite3_bind_int64(q, 1, b->mmsi);
    sqlite3_bind_int(q, 2, g->id);
    sqlite3_bind_int64(q, 3, g->t0);
    sqlite3_bind_int64(q, 4, g->t1);
    sqlite3_bind_int64(q, 5, g->n);
    sqlite3_bind_double(q, 6, g->distance_m);
    sqlite3_bind_int(q, 7, g->lat0);
    sqlite3_bind_int(q, 8, g->lon0);
    sqlite3_bind_int(q, 9, g->lat1);
    sqlite3_bind_int(q, 10, g->lon1);
    sqlite3_bind_int(q, 11, 0);
    return st_done(b->s, q, b->err, "writing segments");
}

static pel_status to_stream(bld *b, const pel_position *p) { return trk_stream_push(b->t, p); }

/* The vessel's segments in id order: their distances added up, and the
 * parallel ones marked. */
static pel_status segments_pass(bld *b, double *dist) {
    trk_parallel pp;
    trk_parallel_init(&pp);
    int32_t after = -1, decided[1025];
    *dist = 0;
    for (;;) {
        sqlite3_stmt *q = bq(b, B_SEG_LIST);
        sqlite3_bind_int64(q, 1, b->mmsi);
        sqlite3_bind_int64(q, 2, after);
        size_t nd = 0, rows = 0;
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            trk_segment g = {.id = sqlite3_column_int(q, 0),
                             .t0 = sqlite3_column_int64(q, 1),
                             .t1 = sqlite3_column_int64(q, 2),
                             .n = (uint32_t)sqlite3_column_int64(q, 3)};
            *dist += sqlite3_column_double(q, 4);
            if (trk_parallel_next(&pp, &g, &decided[nd]))
                nd++;
            after = g.id;
            rows++;
        }
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            return st_error(b->s, b->err, "reading segments");
        if (!rows && trk_parallel_next(&pp, NULL, &decided[nd]))
            nd++;
        for (size_t i = 0; i < nd; i++) {
            if (decided[i] < 0)
                continue;
            q = bq(b, B_SEG_PARALLEL);
            sqlite3_bind_int64(q, 1, b->mmsi);
            sqlite3_bind_int(q, 2, decided[i]);
            if (st_done(b->s, q, b->err, "writing segments") != PEL_OK)
                return PEL_ERR_IO;
        }
        if (!rows)
            return PEL_OK;
    }
}

/* built_gen: the generation the vessel was last built in (0: never, so it
 * has no chunks, boxes or segments to replace). */
static pel_status build_vessel(bld *b, uint32_t mmsi, int64_t built_gen, pel_ingest_stats *stats) {
    pel_store *s = b->s;
    b->mmsi = mmsi;
    b->out0 = b->nout = 0;
    b->nwr = 0;
    b->flagged = b->kept = 0;
    b->first_ms = b->last_ms = 0;
    pel_status st = find_runs(b, built_gen);
    if (st == PEL_OK)
        st = cascade(b);
    if (st != PEL_OK)
        return st;
    if (built_gen > 0) {
        sqlite3_stmt *q = st_get(s, ST_SEG_DEL);
        sqlite3_bind_int64(q, 1, mmsi);
        if ((st = st_done(s, q, b->err, "replacing segments")) != PEL_OK)
            return st;
    }
    trk_sink sink = {on_position, on_isolated, on_segment, b};
    if (!(b->t = trk_stream_new(&b->o, &sink)))
        return nomem(b);
    uint64_t kept = 0, dups = 0;
    uint32_t nsegs = 0;
    st = merge(b, 0, b->nruns, to_stream);
    if (st == PEL_OK)
        st = trk_stream_end(b->t, &kept, &dups, &nsegs);
    if (st == PEL_OK)
        st = out_flush(b, true);
    trk_stream_free(b->t);
    b->t = NULL;
    double dist = 0;
    if (st == PEL_OK)
        st = segments_pass(b, &dist);
    if (st == PEL_ERR_NOMEM)
        st = nomem(b);
    if (st != PEL_OK)
        return st;
    sqlite3_stmt *q = st_get(s, ST_VESSEL_DONE);
    sqlite3_bind_int64(q, 1, mmsi);
    if (kept) {
        sqlite3_bind_int64(q, 2, b->first_ms);
        sqlite3_bind_int64(q, 3, b->last_ms);
    }
    sqlite3_bind_int64(q, 4, (sqlite3_int64)kept);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)b->flagged);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)nsegs);
    sqlite3_bind_double(q, 7, dist);
    sqlite3_bind_int64(q, 8, (sqlite3_int64)dups);
    sqlite3_bind_int64(q, 9, s->gen);
    st = st_done(s, q, b->err, "writing the vessel summary");
    if (st == PEL_OK && stats) {
        stats->vessels_built++;
        stats->duplicates += dups;
    }
    return st;
}

pel_status st_build_dirty(pel_store *s, const pel_ingest_opts *o, pel_ingest_stats *stats, pel_error *err) {
    bld b = {.s = s, .err = err};
    trk_default_opts(&b.o);
    if (o->max_speed_kn > 0)
        b.o.max_speed_kn = o->max_speed_kn;
    if (o->max_silence_h > 0)
        b.o.max_silence_h = o->max_silence_h;
    if (o->dedupe_window_s > 0)
        b.o.dedupe_window_s = o->dedupe_window_s;
    if (o->arrival_slack_h > 0)
        b.o.arrival_slack_h = o->arrival_slack_h;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    b.o.now_ms = (int64_t)ts.tv_sec * 1000;
    pel_status st = PEL_OK;
    for (int i = 0; i < B__COUNT && st == PEL_OK; i++)
        if (sqlite3_prepare_v3(s->db, bsql[i], -1, SQLITE_PREPARE_PERSISTENT, &b.q[i], NULL) != SQLITE_OK)
            st = st_error(s, err, "preparing statements");
    b.out = malloc(OUT_MAX * sizeof *b.out);
    b.sw = malloc(TRK_CHUNK * sizeof *b.sw);
    b.enccap = 8 + (size_t)TRK_CHUNK * TRK_MAX_BYTES_PER_POS;
    b.enc = malloc(b.enccap);
    if (st == PEL_OK && (!b.out || !b.sw || !b.enc || !grow((void **)&b.scratch, &b.scap, TRK_CHUNK, sizeof *b.scratch)))
        st = nomem(&b);
    int64_t after = -1; /* MMSI 0 is a vessel too */
    while (st == PEL_OK) {
        uint32_t batch[BATCH];
        int64_t gens[BATCH];
        size_t nb = 0;
        sqlite3_stmt *q = st_get(s, ST_DIRTY_LIST);
        sqlite3_bind_int64(q, 1, after);
        while (nb < BATCH && sqlite3_step(q) == SQLITE_ROW) {
            gens[nb] = sqlite3_column_int64(q, 1);
            batch[nb++] = (uint32_t)sqlite3_column_int64(q, 0);
        }
        sqlite3_reset(q);
        if (nb == 0)
            break;
        if ((st = st_done(s, st_get(s, ST_BEGIN), err, "starting a transaction")) != PEL_OK)
            break;
        for (size_t i = 0; i < nb && st == PEL_OK; i++)
            st = build_vessel(&b, batch[i], gens[i], stats);
        if (st == PEL_OK)
            st = st_done(s, st_get(s, ST_COMMIT), err, "committing tracks");
        if (st != PEL_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            break;
        }
        after = batch[nb - 1];
    }
    /* every vessel is built: the staged positions are all in chunks now */
    if (st == PEL_OK)
        st = st_done(s, st_get(s, ST_STAGING_CLEAR), err, "clearing staged positions");
    if (st == PEL_OK) { /* give the freed pages back to the file system */
        sqlite3_stmt *q = st_get(s, ST_VACUUM);
        while (sqlite3_step(q) == SQLITE_ROW)
            ;
        if (sqlite3_reset(q) != SQLITE_OK)
            st = st_error(s, err, "vacuuming");
    }
    for (int i = 0; i < B__COUNT; i++)
        sqlite3_finalize(b.q[i]);
    for (size_t i = 0; i < b.runcap; i++)
        free(b.runs[i].p);
    free(b.runs);
    free(b.ids);
    free(b.gens);
    free(b.heap);
    free(b.scratch);
    free(b.enc);
    free(b.sw);
    free(b.out);
    free(b.wr);
    return st;
}
