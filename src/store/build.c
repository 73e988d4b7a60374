/*
 * build.c -- rebuilds the tracks of the vessels an ingest touched: all of
 * a vessel's chunks, and its positions staged by ingests since it was last
 * built (staging.gen > vessels.built_gen), are merged into canonical order,
 * cleared of duplicate receptions, checked and cut into segments
 * (src/track/segment.c), and written back as canonical chunks of TRK_CHUNK
 * positions (which the backend indexes by box and time span), with the
 * vessel's segments and summary.  Each batch of vessels is one transaction,
 * so an interrupted build leaves the remaining vessels marked dirty for the
 * next run; the result depends only on the stored positions, never on the
 * order they arrived in.  Where several ingests stage at once
 * (parallel_ingest), generations do not tell which rows are merged (one
 * begun earlier may stage after a later one's build): there each vessel's
 * transaction deletes the staged rows it merged (staged_drop), so every
 * staged row left is new, and the backend lists a vessel with staged rows
 * as dirty.
 *
 * Written once for every backend, over the rows of st_backend.h (row_ids,
 * row_read, stage, chunk_add, ...): a backend stores rows of positions, the
 * build decides what they hold.
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

#include "st_backend.h"
#include "track/trk.h"
#include "util/fail.h"
#include "util/xsort.h"

#define BATCH 256
#define FANIN 64
#define OUT_MAX (64 * TRK_CHUNK) /* a power of two */

/* A sorted sequence of stored rows, and the row it is at. */
typedef struct run {
    bool staged;      /* rows of staging, else of chunks */
    size_t from, to;  /* its row ids: ids[from..to) */
    size_t next;      /* the next row to read */
    pel_position *p;  /* the current row, decoded */
    size_t cap, n, i; /* ... its size and the next position */
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
    const st_ops *ops; /* the store's backend */
    /* the vessel being built */
    uint32_t mmsi;
    int64_t *ids;  /* row ids of every run: chunks, then staging */
    int64_t *gens; /* staging.gen of each staged id (same index) */
    size_t nids, idcap;
    run *runs;
    size_t nruns, runcap;
    size_t *heap;
    pel_position *scratch; /* one row decoded, or a chunk to write */
    size_t scap;
    /* staged rows written by this build (sorted rewrites and merges) */
    pel_position *sw;
    size_t swn;
    int64_t swgen;
    /* parallel_ingest backends: every staged row of the vessel this build
     * read or wrote, deleted with the vessel's summary (staged_drop) */
    int64_t *drop;
    size_t ndrop, dropcap;
    /* output */
    trk_stream *t;
    pel_position *out;   /* ring of OUT_MAX positions, by seq */
    uint64_t out0, nout; /* seqs out0 .. out0 + nout - 1 are in it */
    written *wr;
    size_t nwr, wrcap;
    uint64_t flagged, kept;
    int64_t first_ms, last_ms;
} bld;

static pel_status nomem(bld *b) {
    return pel_fail(b->err, PEL_ERR_NOMEM, "out of memory building the track of %u", b->mmsi);
}

static pel_status corrupt(bld *b, const char *what) {
    return pel_fail(b->err, PEL_ERR_IO, "vessel %u: %s", b->mmsi, what);
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

static int cmp_canon(const void *a, const void *b) {
    return trk_cmp_pos(a, b);
}

/* Decodes stored row id (a chunk if !staged) into *p (grown as needed);
 * *n gets its count. */
static pel_status read_row(bld *b, bool staged, int64_t id, pel_position **p, size_t *cap, size_t *n) {
    pel_status st = b->ops->row_read(b->s, staged, id, b->mmsi, p, cap, n, b->err);
    if (st == PEL_ERR_FORMAT)
        return corrupt(b, "a stored chunk is corrupt");
    if (st == PEL_ERR_NOMEM)
        return nomem(b);
    return st;
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

/* Remembers staged row id for staged_drop (parallel_ingest backends only). */
static pel_status drop_add(bld *b, int64_t id) {
    if (!b->ops->parallel_ingest)
        return PEL_OK;
    if (!grow((void **)&b->drop, &b->dropcap, b->ndrop + 1, sizeof *b->drop))
        return nomem(b);
    b->drop[b->ndrop++] = id;
    return PEL_OK;
}

static pel_status sw_flush(bld *b) {
    if (!b->swn)
        return PEL_OK;
    int64_t id;
    pel_status st = b->ops->stage(b->s, b->mmsi, b->swgen, b->sw, b->swn, &id, b->err);
    if (st != PEL_OK)
        return st;
    b->swn = 0;
    if ((st = drop_add(b, id)) != PEL_OK)
        return st;
    return add_id(b, id, b->swgen);
}

/* Appends p to the staged run being written (sorted order is the caller's). */
static pel_status sw_put(bld *b, const pel_position *p) {
    b->sw[b->swn++] = *p;
    return b->swn == TRK_CHUNK ? sw_flush(b) : PEL_OK;
}

/* ---- runs ----------------------------------------------------------------- */

/* Adds the ids of the vessel's stored rows (its chunks, or its staged rows
 * newer than built_gen) to b->ids. */
static pel_status add_ids(bld *b, bool staged, int64_t built_gen) {
    st_iter *it = b->ops->row_ids(b->s, staged, b->mmsi, built_gen, b->err);
    if (!it)
        return PEL_ERR_IO;
    st_row_id r;
    int rc;
    pel_status st = PEL_OK;
    while (st == PEL_OK && (rc = it->next(it, &r, b->err)) > 0) {
        st = add_id(b, r.id, r.gen);
        if (st == PEL_OK && staged)
            st = drop_add(b, r.id);
    }
    if (st == PEL_OK && rc < 0)
        st = (pel_status)-rc;
    st_iter_free(it);
    return st;
}

/* Finds the vessel's runs: its chunks, then its staged rows grouped into
 * sorted runs (rows that are not sorted, or too long, rewritten sorted). */
static pel_status find_runs(bld *b, int64_t built_gen) {
    b->nids = b->nruns = 0;
    pel_status st = add_ids(b, false, 0);
    if (st == PEL_OK)
        st = add_run(b, false, 0, b->nids);
    size_t staged0 = b->nids;
    if (st == PEL_OK)
        st = add_ids(b, true, built_gen);
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
            if (b->ops->chunk_drop(b->s, id, b->err) != PEL_OK)
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

int64_t st_month_start(int64_t ms) {
    int64_t z = ms / 86400000 - (ms % 86400000 < 0); /* days since 1970-01-01 */
    /* the civil date of day z (Howard Hinnant's algorithm), then day 1 of its month */
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5; /* day of the month, from 0 */
    return (z - 719468 - d) * 86400000;
}

/* Writes the m positions at the front of the ring as one chunk (the
 * backend indexes it by its box and time span); for a backend whose chunks
 * keep to a UTC month (month_chunks), only those of the first position's
 * month, the rest staying in the ring. */
static pel_status write_chunk(bld *b, size_t m) {
    pel_position *c = b->scratch;
    for (size_t i = 0; i < m; i++)
        c[i] = b->out[(b->out0 + i) & (OUT_MAX - 1)];
    if (b->ops->month_chunks) {
        int64_t next = st_month_start(st_month_start(c[0].t_ms) + 32ll * 86400000); /* the next month's start */
        size_t k = 1;
        while (k < m && c[k].t_ms < next)
            k++;
        m = k;
    }
    int64_t id;
    pel_status st = b->ops->chunk_add(b->s, b->mmsi, c, m, &id, b->err);
    if (st == PEL_OK && !grow((void **)&b->wr, &b->wrcap, b->nwr + 1, sizeof *b->wr))
        st = nomem(b);
    if (st != PEL_OK)
        return st;
    b->wr[b->nwr++] = (written){b->out0, id};
    b->out0 += m;
    b->nout -= m;
    for (size_t i = 0; i < m; i++)
        b->flagged += c[i].flags != 0;
    return PEL_OK;
}

/* Writes the whole chunks at the front of the ring that are final, or that
 * must go because the ring is full; everything when all is decided. */
static pel_status out_flush(bld *b, bool all) {
    pel_status st = PEL_OK;
    while (st == PEL_OK && b->nout >= TRK_CHUNK &&
           (all || b->nout == OUT_MAX || b->out0 + TRK_CHUNK <= trk_stream_undecided(b->t)))
        st = write_chunk(b, TRK_CHUNK);
    while (st == PEL_OK && all && b->nout) /* more than one when the chunks keep to months */
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
    return b->ops->chunk_rewrite(b->s, b->wr[lo].id, b->scratch, n, b->err);
}

static pel_status on_segment(void *ud, const trk_segment *g) {
    bld *b = ud;
    st_segment sg = {.mmsi = b->mmsi,
                     .seg = g->id,
                     .t0 = g->t0,
                     .t1 = g->t1,
                     .n = g->n,
                     .distance_m = g->distance_m,
                     .lat0 = g->lat0,
                     .lon0 = g->lon0,
                     .lat1 = g->lat1,
                     .lon1 = g->lon1,
                     .parallel = false}; /* marked by segments_pass */
    return b->ops->segment_add(b->s, &sg, b->err);
}

static pel_status to_stream(bld *b, const pel_position *p) {
    return trk_stream_push(b->t, p);
}

/* The vessel's segments in id order: their distances added up, and the
 * parallel ones marked. */
static pel_status segments_pass(bld *b, double *dist) {
    trk_parallel pp;
    trk_parallel_init(&pp);
    int32_t after = -1, decided[1025];
    *dist = 0;
    for (;;) {
        /* a page at a time: the marks are written between pages */
        st_iter *it = b->ops->segments_of(b->s, b->mmsi, after, 1024, b->err);
        if (!it)
            return PEL_ERR_IO;
        size_t nd = 0, rows = 0;
        int rc;
        st_segment sg;
        while ((rc = it->next(it, &sg, b->err)) > 0) {
            trk_segment g = {.id = sg.seg, .t0 = sg.t0, .t1 = sg.t1, .n = (uint32_t)sg.n};
            *dist += sg.distance_m;
            if (trk_parallel_next(&pp, &g, &decided[nd]))
                nd++;
            after = g.id;
            rows++;
        }
        st_iter_free(it);
        if (rc < 0)
            return (pel_status)-rc;
        if (!rows && trk_parallel_next(&pp, NULL, &decided[nd]))
            nd++;
        for (size_t i = 0; i < nd; i++) {
            if (decided[i] < 0)
                continue;
            if (b->ops->segment_parallel(b->s, b->mmsi, decided[i], b->err) != PEL_OK)
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
    b->ndrop = 0;
    /* parallel_ingest: rows of an older generation may have been staged by
     * another ingest after this vessel was last built, and every row merged
     * is deleted with the summary, so all the staged rows left are new */
    pel_status st = find_runs(b, b->ops->parallel_ingest ? 0 : built_gen);
    if (st == PEL_OK)
        st = cascade(b);
    if (st != PEL_OK)
        return st;
    if (built_gen > 0 && (st = b->ops->segments_clear(s, mmsi, b->err)) != PEL_OK)
        return st;
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
    st_built sum = {.mmsi = mmsi,
                    .kept = kept,
                    .first_ms = b->first_ms,
                    .last_ms = b->last_ms,
                    .flagged = b->flagged,
                    .segments = nsegs,
                    .duplicates_removed = dups,
                    .distance_m = dist,
                    .gen = s->gen};
    st = b->ops->vessel_built(s, &sum, b->err);
    if (st == PEL_OK && b->ndrop)
        st = b->ops->staged_drop(s, mmsi, b->drop, b->ndrop, b->err);
    if (st == PEL_OK && stats) {
        stats->vessels_built++;
        stats->duplicates += dups;
    }
    return st;
}

pel_status st_build_dirty(pel_store *s, const pel_ingest_opts *o, pel_ingest_stats *stats, pel_error *err) {
    bld b = {.s = s, .err = err, .ops = s->ops};
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
    b.out = malloc(OUT_MAX * sizeof *b.out);
    b.sw = malloc(TRK_CHUNK * sizeof *b.sw);
    if (!b.out || !b.sw || !grow((void **)&b.scratch, &b.scap, TRK_CHUNK, sizeof *b.scratch))
        st = nomem(&b);
    int64_t after = -1; /* MMSI 0 is a vessel too */
    while (st == PEL_OK) {
        uint32_t batch[BATCH];
        int64_t gens[BATCH];
        size_t nb = 0;
        if ((st = b.ops->dirty_vessels(s, after, batch, gens, BATCH, &nb, err)) != PEL_OK || nb == 0)
            break;
        if ((st = b.ops->begin(s, err)) != PEL_OK)
            break;
        for (size_t i = 0; i < nb && st == PEL_OK; i++)
            st = build_vessel(&b, batch[i], gens[i], stats);
        if (st == PEL_OK)
            st = b.ops->commit(s, "committing tracks", err);
        if (st != PEL_OK) {
            b.ops->rollback(s);
            break;
        }
        after = batch[nb - 1];
    }
    /* every vessel is built: the staged positions are all in chunks now */
    if (st == PEL_OK)
        st = b.ops->staging_clear(s, err);
    if (st == PEL_OK) /* give the freed space back to the file system */
        st = b.ops->compact(s, err);
    for (size_t i = 0; i < b.runcap; i++)
        free(b.runs[i].p);
    free(b.runs);
    free(b.ids);
    free(b.gens);
    free(b.drop);
    free(b.heap);
    free(b.scratch);
    free(b.sw);
    free(b.out);
    free(b.wr);
    return st;
}
