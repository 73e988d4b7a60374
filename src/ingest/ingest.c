/*
 * ingest.c -- files into the store: decode (NMEA) or parse (CSV) into
 * records, check them, buffer positions per vessel, write them as raw
 * chunks with identities and voyage reports, and commit in batches; then
 * rebuild the tracks of the vessels touched (build.c).
 *
 * Idempotent and crash-safe: a file is known by its SHA-256.  A file whose
 * content is already in the store is skipped.  Each commit records, in the
 * same transaction as the data, the line up to which the file is stored
 * and the counters so far; a run killed at any moment leaves a consistent
 * database, and running it again continues after that line (replaying the
 * 2000 lines before it so that multi-sentence messages are reassembled as in
 * a clean run, and discarding what they had already produced).  Track
 * building is a pure function of the stored positions, so the final rows
 * equal a clean run's.
 *
 * One ingest at a time (SQLite): pel_ingest holds the store's writer lock
 * (st_writer_begin: for SQLite an exclusive flock(2) on pelorus.db-lock)
 * from before it looks at the inputs until the tracks are built and the
 * staging emptied.  A second ingest into the same database waits for it
 * (on_wait says so), then finds the file complete, or builds on what the
 * first left.  The lock dies with its holder, even by SIGKILL, so the
 * waiting ingest then proceeds and continues the dead one's partial input.
 * Holding the lock is also what makes resuming sound: an input marked
 * 'partial' is then always an interrupted one, never one being read by
 * someone else.  Readers (scan, tracks, report) take no lock.
 *
 * Several at once (st_parallel_ingest: PostgreSQL): ingests, and one live
 * service (pel_live: pelorus watch, with a lock of its own, st_live_lock),
 * read and stage side by side, and the writer's lock is taken for the track
 * build only, after the last commit (the live service's: after each); the
 * build takes what is staged when it starts (what another ingest stages
 * meanwhile, that one builds after it, since it waits for the lock in
 * turn).  What the global lock gave is kept so:
 *   - each input is locked (st_input_lock, dying with the process) before
 *     it is looked up: two given the same file never both read it (the
 *     second waits, then finds it complete), and a 'partial' input whose
 *     lock is free is an interrupted one;
 *   - no wait in a circle: locks are waited for outside any transaction
 *     (the input's, the writer's; the generation and a new input's number
 *     are committed at once), and the rows several ingests merge into are
 *     written in key order within a transaction and once per transaction:
 *     every vessel of a batch touched in MMSI order first (touch_sorted),
 *     the coverage counts in one statement in key order (the accumulator
 *     grows rather than writing early), identities and voyages sorted, a
 *     commit coming early rather than writing them out early (agg_filling);
 *     sources are numbered under a lock of the backend's, taken while
 *     reading, when no such row is held;
 *   - the merges add counts, or bits, and take the least and greatest
 *     times, so the rows equal those of the inputs ingested one after the
 *     other (which input an identity first came from may differ when two
 *     give the very same first time).
 *
 * Memory: buffers hold at most commit_every positions (and a sorted copy of
 * the largest vessel's share at a commit), whatever the input size;
 * per-vessel state is a hash entry; exact repeats of a report are dropped
 * as they come (batch_add), so a line repeated millions of times is stored
 * once a batch.  Track building streams each vessel (build.c).  The store
 * is set up for a long write while an ingest runs (st_writer_begin: no
 * memory-mapped reads for SQLite).
 *
 * Everything it writes goes through the store interface (store/store.h).
 *
 * Test hook: $PELORUS_TEST_COMMIT_PAUSE_MS makes each batch commit sleep
 * that long before the next transaction begins, so that tests can start a
 * second ingest in the middle of a first (tests/concurrency_test.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/csv_internal.h"
#include "ingest/ingest_map.h"
#include "store/store.h"
#include "track/trk.h"
#include "util/fail.h"
#include "util/xsort.h"

/* Reject reasons of every stage, as one index space. */
#define R_CSV 16
#define R_ING 32

static const char *const ing_names[PEL_ING_REJ__COUNT] = {"no_time", "mmsi", "bad_time", "bad_position"};

const char *pel_ingest_reject_name(pel_ingest_reject why) {
    return (unsigned)why < PEL_ING_REJ__COUNT ? ing_names[why] : "unknown";
}

const char *pel_ingest_reason_name(int i) {
    if (i > 0 && i < PEL_REJ__COUNT)
        return pel_reject_name((pel_reject)i);
    if (i > R_CSV && i < R_CSV + PEL_CSV_REJ__COUNT)
        return pel_csv_reject_name((pel_csv_reject)(i - R_CSV));
    if (i >= R_ING && i < R_ING + PEL_ING_REJ__COUNT)
        return ing_names[i - R_ING];
    return i < 64 ? "" : NULL;
}

/* Identity and voyage reports repeat (every few minutes per vessel): they
 * are aggregated in memory per transaction -- first/last time, count,
 * first input and line -- and written once per distinct report. */
typedef struct agg_entry {
    uint32_t hash;
    uint32_t keylen;
    const char *key; /* in the arena: the bound values, NUL-separated */
    pel_record r;    /* the first report (texts point into key) */
    int64_t first_ms, last_ms;
    uint64_t reports, first_line;
    unsigned clocks; /* 1 << pel_clock of every report */
} agg_entry;

typedef struct agg {
    agg_entry *e;
    size_t cap, used;
    char *arena;
    size_t alen, acap;
} agg;

typedef struct ing {
    pel_store *s;
    const pel_ingest_opts *o;
    pel_ingest_stats *st;
    pel_error *err;
    pel_status failed;
    int64_t now_ms;
    /* the positions since the last commit, and the vessels seen by this run */
    pel_position *batch;
    uint64_t buffered; /* positions in batch */
    uint64_t pending;  /* positions accepted since the last commit, repeats included */
    uint64_t *rep;     /* batch positions by report: hash << 32 | index + 1, 0 = empty (batch_add) */
    size_t repcap;
    uint32_t *repeats; /* per batch position, the exact repeats of it dropped */
    st_cov_acc *cov;   /* the coverage map's counts of the batch (store.h) */
    uint32_t *v;       /* open addressing by MMSI, 0 = empty */
    uint32_t *vcount;  /* per slot, scratch for the counting sort */
    size_t vcap, vused;
    uint64_t commit_every;
    int64_t gen; /* this run's generation: staged positions carry it */
    /* sources: name -> id, a small open-addressing table */
    char **src_name;
    uint32_t *src_id;
    size_t src_cap, src_used;
    agg ident, voy;
    /* the current input */
    const char *path;
    int64_t input;
    uint64_t resume_line; /* lines up to here are already stored */
    uint64_t line;        /* highest line handled */
    uint64_t committed;   /* lines of the current input committed */
    uint64_t c_lines, c_pos, c_stat, c_ign, c_rej;
    uint64_t c_assumed; /* records given --assume-time */
    uint64_t c_reason[64];
    int canon[64];     /* a reason's index -> the first index of its name: "mmsi" and
                          "too_long" exist in two stages and are counted once */
    bool input_failed; /* the input itself could not be read (not resumable) */
    bool csv;
    bool refused;   /* the input failed before anything of it was recorded */
    bool recording; /* the input has a row in inputs that is not complete */
    /* a case's bundled lines (ing_ingest_mapped): the input's name, and line
       k of the bundle is line lmap[k - 1] of the original; NULL: itself */
    const char *as_name;
    const uint64_t *lmap;
    size_t nlmap;
    const uint32_t *only; /* NULL, or the only vessels stored (sorted) */
    size_t nonly;
    char imsg[1024];    /* why the input was refused */
    long pause_ms;      /* $PELORUS_TEST_COMMIT_PAUSE_MS: a pause after each commit (tests) */
    bool parallel;      /* st_parallel_ingest: other ingests may write at once (file header) */
    bool src_commit;    /* parallel pel_ingest: a new source is committed at once (source_id) */
    char locked[65];    /* parallel: the SHA-256 of the input locked (st_input_lock), "" none */
    agg_entry **sorted; /* parallel: flush_agg's entries in key order */
    size_t sortcap;
    uint64_t records;
    uint64_t next_progress;
    struct timespec last_progress;
} ing;

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fail(ing *g, pel_status st) {
    if (g->failed == PEL_OK)
        g->failed = st;
}

/* Line k of the input read as the line of the original it stands for. */
static uint64_t orig_line(const ing *g, uint64_t k) {
    if (!g->lmap || !g->nlmap || k == 0)
        return k;
    return k <= g->nlmap ? g->lmap[k - 1] : g->lmap[g->nlmap - 1] + (k - g->nlmap);
}

static void count_reject(ing *g, int reason, uint64_t line, const char *detail, const char *text, size_t len) {
    g->c_rej++;
    if (reason >= 0 && reason < 64)
        g->c_reason[g->canon[reason]]++;
    if (g->o->on_reject)
        g->o->on_reject(g->o->ud, g->path, line, pel_ingest_reason_name(reason), detail, text, len);
}

/* ---- sources --------------------------------------------------------------- */

static uint32_t source_id(ing *g, const char *name) {
    if (!name || !*name)
        return 0;
    size_t h = 5381;
    for (const char *c = name; *c; c++)
        h = h * 33 + (unsigned char)*c;
    if (2 * (g->src_used + 1) > g->src_cap) {
        size_t ncap = g->src_cap ? 2 * g->src_cap : 64;
        char **nn = calloc(ncap, sizeof *nn);
        uint32_t *ni = calloc(ncap, sizeof *ni);
        if (!nn || !ni) {
            free(nn);
            free(ni);
            fail(g, PEL_ERR_NOMEM);
            return 0;
        }
        for (size_t i = 0; i < g->src_cap; i++)
            if (g->src_name[i]) {
                size_t k = 5381;
                for (const char *c = g->src_name[i]; *c; c++)
                    k = k * 33 + (unsigned char)*c;
                k &= ncap - 1;
                while (nn[k])
                    k = (k + 1) & (ncap - 1);
                nn[k] = g->src_name[i];
                ni[k] = g->src_id[i];
            }
        free(g->src_name);
        free(g->src_id);
        g->src_name = nn;
        g->src_id = ni;
        g->src_cap = ncap;
    }
    size_t k = h & (g->src_cap - 1);
    while (g->src_name[k]) {
        if (strcmp(g->src_name[k], name) == 0)
            return g->src_id[k];
        k = (k + 1) & (g->src_cap - 1);
    }
    /* look it up in the database, or add it */
    uint32_t id = 0;
    if (st_source_id(g->s, name, &id, g->err) != PEL_OK) {
        fail(g, PEL_ERR_IO);
        return 0;
    }
    /* numbered under a lock held to the end of the transaction, which holds
     * nothing else while a batch is read (src_commit): end it, so that other
     * ingests wait for the number only, not for this batch */
    if (g->src_commit && (st_commit(g->s, g->err) != PEL_OK || st_begin(g->s, g->err) != PEL_OK)) {
        fail(g, PEL_ERR_IO);
        return 0;
    }
    g->src_name[k] = strdup(name);
    if (!g->src_name[k]) {
        fail(g, PEL_ERR_NOMEM);
        return 0;
    }
    g->src_id[k] = id;
    g->src_used++;
    return id;
}

/* ---- the batch of positions ---------------------------------------------- */

/* Positions are appended to one array in arrival order (cache-friendly)
 * and grouped by vessel at commit time with a counting sort over the
 * vessels' slots in the table of vessels seen. */

/* Returns mmsi's slot in the table of vessels seen by this run, adding it
 * (and setting *added) if new; (size_t)-1 when out of memory. */
static size_t vessel_slot(ing *g, uint32_t mmsi, bool *added) {
    *added = false;
    if (2 * (g->vused + 1) > g->vcap) {
        size_t ncap = g->vcap ? 2 * g->vcap : 4096;
        uint32_t *nv = calloc(ncap, sizeof *nv);
        uint32_t *nc = calloc(ncap, sizeof *nc);
        if (!nv || !nc) {
            free(nv);
            free(nc);
            fail(g, PEL_ERR_NOMEM);
            return (size_t)-1;
        }
        for (size_t i = 0; i < g->vcap; i++)
            if (g->v[i]) {
                size_t k = (g->v[i] * 2654435761u) & (ncap - 1);
                while (nv[k])
                    k = (k + 1) & (ncap - 1);
                nv[k] = g->v[i];
            }
        free(g->v);
        free(g->vcount);
        g->v = nv;
        g->vcount = nc;
        g->vcap = ncap;
    }
    uint32_t key = mmsi + 1; /* MMSI 0 is stored too; 0 marks an empty slot */
    size_t k = (key * 2654435761u) & (g->vcap - 1);
    while (g->v[k] && g->v[k] != key)
        k = (k + 1) & (g->vcap - 1);
    if (!g->v[k]) {
        g->v[k] = key;
        g->vused++;
        *added = true;
    }
    return k;
}

/* Exact repeats: the same report of the same vessel at the same time (equal
 * in every field of trk_cmp_report: the same line twice in a feed, or heard
 * by two receivers that stamp the same time).  The track build would keep
 * one of them, the first in canonical order, and drop the others without
 * consulting them for anything else (segment.c compares a position only with
 * those kept), so dropping them here changes no row: the batch keeps the
 * first in canonical order, and the count of the others goes to
 * vessels.duplicates with the batch, as if the build had removed them.
 * Repeats that are not exact (other times within the dedupe window) are left
 * to the build, since whether they go depends on positions not read yet.
 * The memory of recent reports is small and forgetful: REPEAT_SLOTS slots
 * (128 KiB, in cache), a report's slot chosen by its hash, each holding the
 * last report hashed there and a tag of its hash.  A repeat whose first copy
 * was pushed out by another report is stored, and the build removes it as
 * before; what arrives together (one line repeated, receivers a few lines
 * apart) is caught.  It is cleared at each commit, so a repeat is stored at
 * most once a batch.  Returns false when p is a repeat (its count taken). */
#define REPEAT_SLOTS 16384
static bool batch_add(ing *g, const pel_position *p) {
    if (!g->rep && g->commit_every < UINT32_MAX / 4) {
        size_t cap = 64;
        while (cap < REPEAT_SLOTS && cap < 2 * g->commit_every)
            cap *= 2;
        g->rep = calloc(cap, sizeof *g->rep);
        g->repeats = malloc(g->commit_every * sizeof *g->repeats);
        if (!g->rep || !g->repeats) {
            free(g->rep);
            free(g->repeats);
            g->rep = NULL; /* no memory for it: store every repeat, the build drops them */
            g->repeats = NULL;
        } else
            g->repcap = cap;
    }
    if (g->rep) {
        uint64_t h = (uint64_t)p->mmsi * 0x9E3779B97F4A7C15u ^ (uint64_t)p->t_ms;
        h = (h ^ (uint32_t)p->lat) * 0xBF58476D1CE4E5B9u;
        h = (h ^ (uint32_t)p->lon) * 0x94D049BB133111EBu;
        h = (h ^ ((uint64_t)p->speed << 16 | p->course)) * 0xBF58476D1CE4E5B9u;
        h ^= h >> 31;
        uint64_t *slot = &g->rep[h & (g->repcap - 1)];
        uint64_t tag = h >> 32 << 32; /* compared first, to spare reading the batch */
        if (*slot && (*slot >> 32 << 32) == tag) {
            uint32_t at = (uint32_t)*slot - 1;
            pel_position *q = &g->batch[at];
            if (q->mmsi == p->mmsi && trk_cmp_report(q, p) == 0) {
                if (trk_cmp_pos(p, q) < 0)
                    *q = *p; /* the first in canonical order stays */
                g->repeats[at]++;
                return false;
            }
        }
        *slot = tag | ((uint64_t)g->buffered + 1);
        g->repeats[g->buffered] = 0;
    }
    g->batch[g->buffered++] = *p;
    return true;
}

/* Adds the repeats dropped for one vessel's m batch positions (indices at
 * idx) to its vessels.duplicates and to the call's count. */
static pel_status add_repeats(ing *g, uint32_t mmsi, const uint32_t *idx, size_t m) {
    uint64_t r = 0;
    for (size_t k = 0; k < m; k++)
        r += g->repeats[idx[k]];
    if (!r)
        return PEL_OK;
    if (st_vessel_add_duplicates(g->s, mmsi, r, g->err) != PEL_OK)
        return PEL_ERR_IO;
    g->st->duplicates += r;
    return PEL_OK;
}

static int cmp_canon(const void *a, const void *b) {
    return trk_cmp_pos(a, b);
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* With other ingests at once: marks every vessel of the batch dirty, in
 * ascending MMSI, first of the batch's rows, so that the vessel rows a
 * transaction locks (touch, duplicates) are locked in one order by every
 * ingest and by the build (build.c), and none can wait for another in a
 * circle.  order: scratch of g->buffered entries. */
static pel_status touch_sorted(ing *g, uint32_t *order) {
    size_t n = g->buffered, m = 0;
    memset(g->vcount, 0, g->vcap * sizeof *g->vcount);
    for (size_t i = 0; i < n; i++) {
        bool added;
        size_t k = vessel_slot(g, g->batch[i].mmsi, &added); /* there already: no slot moves */
        if (!g->vcount[k]++)
            order[m++] = g->batch[i].mmsi;
    }
    xqsort(order, m, sizeof *order, cmp_u32);
    for (size_t i = 0; i < m; i++)
        if (st_vessel_touch(g->s, order[i], g->err) != PEL_OK)
            return PEL_ERR_IO;
    return PEL_OK;
}

/* Writes the batch as staged rows, each vessel's positions sorted; marks
 * new vessels dirty (every vessel of the batch, with other ingests at once:
 * touch_sorted). */
static pel_status flush_vessels(ing *g) {
    if (!g->buffered)
        return PEL_OK;
    size_t n = g->buffered;
    uint32_t *slot = malloc(n * sizeof *slot), *order = malloc(n * sizeof *order);
    pel_position *tmp = NULL;
    pel_status st = PEL_OK;
    if (!slot || !order) {
        st = PEL_ERR_NOMEM;
        goto out;
    }
    /* first every vessel of the batch into the table (it may grow, which
     * moves slots), then the slots, which no longer move */
    for (size_t i = 0; i < n && st == PEL_OK; i++) {
        bool added;
        if (vessel_slot(g, g->batch[i].mmsi, &added) == (size_t)-1) {
            st = PEL_ERR_NOMEM;
            break;
        }
        if (added && !g->parallel && st_vessel_touch(g->s, g->batch[i].mmsi, g->err) != PEL_OK)
            st = PEL_ERR_IO;
    }
    if (st == PEL_OK && g->parallel)
        st = touch_sorted(g, order);
    for (size_t i = 0; i < n && st == PEL_OK; i++) {
        bool added;
        slot[i] = (uint32_t)vessel_slot(g, g->batch[i].mmsi, &added);
    }
    if (st != PEL_OK)
        goto out;
    /* the coverage map's counts of the batch (handle), in its transaction,
     * so that a resumed or repeated ingest never counts one twice */
    if (g->cov && (st = st_cov_acc_flush(g->cov, g->err)) != PEL_OK)
        goto out;
    /* counting sort: vcount becomes each slot's start in order[] */
    memset(g->vcount, 0, g->vcap * sizeof *g->vcount);
    for (size_t i = 0; i < n; i++)
        g->vcount[slot[i]]++;
    uint32_t at = 0;
    for (size_t k = 0; k < g->vcap; k++) {
        uint32_t c = g->vcount[k];
        g->vcount[k] = at;
        at += c;
    }
    for (size_t i = 0; i < n; i++)
        order[g->vcount[slot[i]]++] = (uint32_t)i;
    /* order[] now lists the batch vessel by vessel */
    size_t tcap = 0;
    for (size_t i = 0; i < n && st == PEL_OK;) {
        size_t j = i;
        uint32_t s0 = slot[order[i]];
        while (j < n && slot[order[j]] == s0)
            j++;
        size_t m = j - i;
        if (m > tcap) {
            pel_position *nt = realloc(tmp, m * sizeof *nt);
            if (!nt) {
                st = PEL_ERR_NOMEM;
                break;
            }
            tmp = nt;
            tcap = m;
        }
        for (size_t k = 0; k < m; k++)
            tmp[k] = g->batch[order[i + k]];
        /* in canonical order, in rows of at most TRK_CHUNK: the build
         * merges them as sorted runs (build.c) */
        size_t sorted = 1;
        while (sorted < m && trk_cmp_pos(&tmp[sorted - 1], &tmp[sorted]) <= 0)
            sorted++;
        if (sorted < m) /* a feed in time order seldom needs it */
            xqsort(tmp, m, sizeof *tmp, cmp_canon);
        for (size_t r0 = 0; r0 < m && st == PEL_OK; r0 += TRK_CHUNK)
            st = st_stage(g->s, tmp[0].mmsi, g->gen, tmp + r0, m - r0 < TRK_CHUNK ? m - r0 : TRK_CHUNK, g->err);
        if (st == PEL_OK && g->rep)
            st = add_repeats(g, tmp[0].mmsi, order + i, m);
        i = j;
    }
    g->buffered = 0;
    if (g->rep)
        memset(g->rep, 0, g->repcap * sizeof *g->rep);
out:
    free(slot);
    free(order);
    free(tmp);
    return st;
}

static pel_status flush_agg(ing *g, agg *a, bool ident);

/* Commits everything up to line upto of the current input. */
static pel_status commit(ing *g, uint64_t upto) {
    pel_status st = flush_vessels(g);
    if (st == PEL_OK && g->ident.used)
        st = flush_agg(g, &g->ident, true);
    if (st == PEL_OK && g->voy.used)
        st = flush_agg(g, &g->voy, false);
    if (st != PEL_OK)
        return st;
    st_input_counts c = {.lines_done = upto,
                         .lines = g->c_lines,
                         .positions = g->c_pos,
                         .statics = g->c_stat,
                         .ignored = g->c_ign,
                         .rejected = g->c_rej,
                         .assumed = g->c_assumed};
    char *rej = c.rejects;
    size_t n = 0;
    rej[n++] = '{';
    for (int i = 0; i < 64; i++)
        if (g->c_reason[i] && n + 64 < sizeof c.rejects)
            n += (size_t)snprintf(rej + n, sizeof c.rejects - n, "%s\"%s\":%llu", n > 1 ? "," : "",
                                  pel_ingest_reason_name(i), (unsigned long long)g->c_reason[i]);
    rej[n++] = '}';
    rej[n] = 0;
    if (st_input_progress(g->s, g->input, &c, g->err) != PEL_OK)
        return PEL_ERR_IO;
    if (st_commit(g->s, g->err) != PEL_OK)
        return PEL_ERR_IO;
    g->committed = upto;
    g->pending = 0;
    if (g->pause_ms > 0) { /* test hook: widen the gap between transactions */
        struct timespec ts = {g->pause_ms / 1000, (long)(g->pause_ms % 1000) * 1000000};
        nanosleep(&ts, NULL);
    }
    if (st_begin(g->s, g->err) != PEL_OK)
        return PEL_ERR_IO;
    return PEL_OK;
}

/* ---- records -------------------------------------------------------------- */

/* The texts of an entry's key: mmsi, numbers, then up to three
 * NUL-terminated texts. */
static void agg_texts(const agg_entry *e, bool ident, const char **t1, const char **t2, const char **t3) {
    *t1 = e->key + 4 + (ident ? 6 : 1) * 8;
    *t2 = *t1 + strlen(*t1) + 1;
    *t3 = *t2 + strlen(*t2) + 1;
}

#define CMP_NUM(x, y)                                                                                                  \
    if ((x) != (y))                                                                                                    \
    return (x) < (y) ? -1 : 1
/* Entries in the order of the rows they merge into (store.h: identities by
 * mmsi, name, imo, callsign, type and dimensions; voyages by mmsi,
 * destination, draught and ETA): the order two ingests lock them in. */
static int cmp_ident_entry(const void *a, const void *b) {
    const agg_entry *x = *(agg_entry *const *)a, *y = *(agg_entry *const *)b;
    const char *x1, *x2, *x3, *y1, *y2, *y3;
    agg_texts(x, true, &x1, &x2, &x3);
    agg_texts(y, true, &y1, &y2, &y3);
    CMP_NUM(x->r.mmsi, y->r.mmsi);
    int c = strcmp(x1, y1);
    if (c)
        return c;
    CMP_NUM(x->r.imo, y->r.imo);
    if ((c = strcmp(x2, y2)) != 0)
        return c;
    CMP_NUM(x->r.shiptype, y->r.shiptype);
    CMP_NUM(x->r.to_bow, y->r.to_bow);
    CMP_NUM(x->r.to_stern, y->r.to_stern);
    CMP_NUM(x->r.to_port, y->r.to_port);
    CMP_NUM(x->r.to_starboard, y->r.to_starboard);
    return 0;
}

static int cmp_voyage_entry(const void *a, const void *b) {
    const agg_entry *x = *(agg_entry *const *)a, *y = *(agg_entry *const *)b;
    const char *x1, *x2, *x3, *y1, *y2, *y3;
    agg_texts(x, false, &x1, &x2, &x3);
    agg_texts(y, false, &y1, &y2, &y3);
    CMP_NUM(x->r.mmsi, y->r.mmsi);
    int c = strcmp(x1, y1);
    if (c)
        return c;
    CMP_NUM(x->r.draught_dm, y->r.draught_dm);
    return strcmp(x3, y3);
}
#undef CMP_NUM

/* Writes the aggregated reports of a (identities if ident, else voyages)
 * and empties it; with other ingests at once, in the order of their rows. */
static pel_status flush_agg(ing *g, agg *a, bool ident) {
    size_t n = 0;
    if (g->parallel) { /* in the order of their rows (cmp_ident_entry) */
        if (a->used > g->sortcap) {
            agg_entry **ns = realloc(g->sorted, a->used * sizeof *ns);
            if (!ns) {
                fail(g, PEL_ERR_NOMEM);
                return g->failed;
            }
            g->sorted = ns;
            g->sortcap = a->used;
        }
        for (size_t j = 0; j < a->cap && n < a->used; j++)
            if (a->e[j].key)
                g->sorted[n++] = &a->e[j];
        xqsort(g->sorted, n, sizeof *g->sorted, ident ? cmp_ident_entry : cmp_voyage_entry);
    }
    for (size_t j = 0; j < (g->parallel ? n : a->cap) && g->failed == PEL_OK; j++) {
        agg_entry *e = g->parallel ? g->sorted[j] : &a->e[j];
        if (!e->key)
            continue;
        const pel_record *r = &e->r;
        const char *t1, *t2, *t3;
        agg_texts(e, ident, &t1, &t2, &t3);
        pel_status st;
        if (ident) {
            st_ident_row row = {.mmsi = r->mmsi,
                                .name = t1,
                                .imo = r->imo,
                                .callsign = t2,
                                .shiptype = r->shiptype,
                                .to_bow = r->to_bow,
                                .to_stern = r->to_stern,
                                .to_port = r->to_port,
                                .to_starboard = r->to_starboard,
                                .first_ms = e->first_ms,
                                .last_ms = e->last_ms,
                                .reports = e->reports,
                                .first_input = g->input,
                                .first_line = e->first_line,
                                .clocks = e->clocks};
            st = st_identity_merge(g->s, &row, g->err);
        } else {
            st_voyage_row row = {.mmsi = r->mmsi,
                                 .destination = t1,
                                 .draught_dm = r->draught_dm,
                                 .eta = t3,
                                 .first_ms = e->first_ms,
                                 .last_ms = e->last_ms,
                                 .reports = e->reports,
                                 .first_input = g->input,
                                 .first_line = e->first_line,
                                 .clocks = e->clocks};
            st = st_voyage_merge(g->s, &row, g->err);
        }
        if (st != PEL_OK)
            fail(g, PEL_ERR_IO);
        e->key = NULL;
    }
    a->used = 0;
    a->alen = 0;
    return g->failed;
}

/* Copies text (may be NULL) into the key being built; returns its start. */
static const char *key_text(agg *a, const char *t) {
    size_t n = t ? strlen(t) : 0;
    if (a->alen + n + 1 > a->acap)
        return NULL;
    char *at = a->arena + a->alen;
    memcpy(at, t ? t : "", n);
    at[n] = 0;
    a->alen += n + 1;
    return at;
}

/* Whether a is half way to being written out early by agg_add (which a
 * record cannot take it past). */
static bool agg_filling(const agg *a) {
    return a->e && (4 * a->used > a->cap || a->alen + (1u << 20) > a->acap);
}

/* Adds one report to a; the key is mmsi and the texts and numbers given. */
static void agg_add(ing *g, agg *a, const pel_record *r, const char *t1, const char *t2, const char *t3,
                    const int64_t *num, int nnum) {
    if (2 * (a->used + 1) > a->cap || a->alen + 4096 > a->acap) {
        /* full: write out what is held (it stays correct: upserts merge) */
        if (a->used && flush_agg(g, a, a == &g->ident) != PEL_OK)
            return;
        if (!a->e) {
            a->cap = 1 << 16;
            a->acap = 8u << 20;
            a->e = calloc(a->cap, sizeof *a->e);
            a->arena = malloc(a->acap);
            if (!a->e || !a->arena) {
                fail(g, PEL_ERR_NOMEM);
                return;
            }
        }
    }
    size_t start = a->alen;
    char *k = a->arena + start;
    memcpy(k, &r->mmsi, 4);
    a->alen += 4;
    for (int i = 0; i < nnum; i++) {
        memcpy(a->arena + a->alen, &num[i], 8);
        a->alen += 8;
    }
    if (!key_text(a, t1) || !key_text(a, t2) || !key_text(a, t3)) {
        fail(g, PEL_ERR_NOMEM); /* a text longer than the arena: cannot happen with AIS */
        return;
    }
    size_t klen = a->alen - start;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < klen; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    size_t j = h & (a->cap - 1);
    while (a->e[j].key) {
        agg_entry *e = &a->e[j];
        if (e->hash == h && e->keylen == klen && memcmp(e->key, k, klen) == 0) {
            a->alen = start; /* known: drop the copy */
            if (r->t_ms < e->first_ms) {
                e->first_ms = r->t_ms;
                e->first_line = r->line;
            }
            if (r->t_ms > e->last_ms)
                e->last_ms = r->t_ms;
            e->reports++;
            e->clocks |= 1u << (r->clock & 7);
            return;
        }
        j = (j + 1) & (a->cap - 1);
    }
    agg_entry *e = &a->e[j];
    e->hash = h;
    e->keylen = (uint32_t)klen;
    e->key = k;
    e->r = *r; /* its numbers; its texts are read back from the key */
    e->r.shipname = e->r.callsign = e->r.destination = e->r.eta = NULL;
    e->first_ms = e->last_ms = r->t_ms;
    e->reports = 1;
    e->clocks = 1u << (r->clock & 7);
    e->first_line = r->line;
    a->used++;
}

static void store_static(ing *g, const pel_record *r) {
    if (r->shipname || r->callsign || r->imo || r->shiptype >= 0 || r->to_bow >= 0) {
        int64_t num[6] = {r->imo, r->shiptype, r->to_bow, r->to_stern, r->to_port, r->to_starboard};
        agg_add(g, &g->ident, r, r->shipname, r->callsign, NULL, num, 6);
    }
    if (r->destination || r->draught_dm >= 0 || r->eta) {
        int64_t num[1] = {r->draught_dm};
        pel_record v = *r;
        agg_add(g, &g->voy, &v, r->destination, NULL, r->eta, num, 1);
    }
}

static void progress(ing *g) {
    if (!g->o->on_progress || ++g->next_progress % 65536)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (ts.tv_sec > g->last_progress.tv_sec) {
        g->last_progress = ts;
        g->o->on_progress(g->o->ud, g->path, g->line, g->records);
    }
}

/* What a rejected record said, for the rejects file (its line may span
 * several sentences, so the record is described rather than quoted). */
static size_t describe(const pel_record *r, char *buf, size_t cap) {
    char t[40] = "none";
    if (r->has_time)
        pel_format_time(r->t_ms, t);
    int n = snprintf(buf, cap, "record: type %d, mmsi %u, time %s", r->type, r->mmsi, t);
    if ((r->kind & PEL_REC_POSITION) && r->lat != PEL_NA_LAT && r->lon != PEL_NA_LON && n > 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, ", lat %.6f, lon %.6f", (double)r->lat / PEL_DEG,
                      (double)r->lon / PEL_DEG);
    return n > 0 ? ((size_t)n < cap ? (size_t)n : cap - 1) : 0;
}

static int cmp_mmsi(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* One record, already past the resume point. */
static void handle(ing *g, const pel_record *rin) {
    if (g->only && !xbsearch(&rin->mmsi, g->only, g->nonly, sizeof *g->only, cmp_mmsi)) {
        g->c_ign++; /* a vessel not imported (ing_mapped.only) */
        return;
    }
    pel_record r = *rin;
    uint64_t done = r.line_last > r.line ? r.line_last : r.line; /* as read: what a commit records */
    r.line = orig_line(g, r.line);
    r.line_last = orig_line(g, r.line_last);
    char text[160];
    size_t len = 0;
    g->records++;
    if (!r.has_time || r.mmsi > PEL_MMSI_MAX || r.t_ms < (int64_t)631152000000 || r.t_ms > g->now_ms + 86400000 ||
        r.lat < -90 * PEL_DEG || r.lat > 91 * PEL_DEG || r.lon < -180 * PEL_DEG || r.lon > 181 * PEL_DEG)
        len = describe(&r, text, sizeof text); /* about to be rejected, most likely */
    if (!r.has_time) {
        if (!g->o->assume_time) {
            count_reject(g, R_ING + PEL_ING_REJ_NO_TIME, r.line, "no receive time in the input (see --assume-time)",
                         text, len);
            return;
        }
        r.t_ms = g->o->assume_ms;
        g->c_assumed++;
        r.clock = PEL_CLOCK_ASSUMED;
    }
    /* every MMSI an AIS message can carry is kept, junk included (0,
     * 12345678, 416000000): an analyst hunts exactly these; the scan
     * reports them (invalid_mmsi).  Only a CSV number beyond the 30-bit
     * field cannot have been broadcast. */
    if (r.mmsi > PEL_MMSI_MAX) {
        count_reject(g, R_ING + PEL_ING_REJ_MMSI, r.line, "MMSI above 2^30-1: not an AIS MMSI", text, len);
        return;
    }
    if (r.t_ms < (int64_t)631152000000 || r.t_ms > g->now_ms + 86400000) {
        count_reject(g, R_ING + PEL_ING_REJ_BAD_TIME, r.line, "time before 1990 or in the future", text, len);
        return;
    }
    bool pos = (r.kind & PEL_REC_POSITION) && r.lat != PEL_NA_LAT && r.lon != PEL_NA_LON;
    if (pos && (r.lat < -90 * PEL_DEG || r.lat > 90 * PEL_DEG || r.lon < -180 * PEL_DEG || r.lon > 180 * PEL_DEG)) {
        count_reject(g, R_ING + PEL_ING_REJ_BAD_POSITION, r.line, "latitude or longitude out of range", text, len);
        return;
    }
    uint32_t input = (uint32_t)g->input;
    if (pos) {
        pel_position pp = {0}, *p = &pp;
        p->mmsi = r.mmsi;
        p->t_ms = r.t_ms;
        p->lat = r.lat;
        p->lon = r.lon;
        p->speed = (uint16_t)(r.speed >= 0 && r.speed <= 1023 ? r.speed : PEL_NA_SPEED);
        p->course = (uint16_t)(r.course >= 0 && r.course <= 3600 ? r.course : PEL_NA_COURSE);
        p->heading = (uint16_t)(r.heading >= 0 && r.heading <= 511 ? r.heading : PEL_NA_HEADING);
        p->status = (uint8_t)(r.status >= 0 && r.status <= 15 ? r.status : PEL_NA_STATUS);
        p->type = (uint8_t)r.type;
        p->flags = 0;
        p->clock = r.clock < PEL_CLOCK__COUNT ? r.clock : PEL_CLOCK_NONE;
        p->segment = -1;
        p->input = input;
        p->source = source_id(g, r.source);
        p->line = r.line;
        p->second = (int8_t)(!g->csv && r.second >= 0 && r.second < 60 ? r.second : -1);
        g->c_pos++;
        g->pending++;
        /* the coverage map counts every reception, repeats included (a
         * repeat dropped below is still a station hearing it), so that the
         * map does not depend on where the batches end */
        if (!g->cov && !(g->cov = st_cov_acc_new(g->s))) {
            fail(g, pel_fail(g->err, PEL_ERR_NOMEM, "out of memory for the coverage map"));
            return;
        }
        pel_status cs = st_cov_acc_add(g->cov, p, g->err);
        if (cs != PEL_OK) {
            fail(g, cs);
            return;
        }
        batch_add(g, p);
    }
    if (r.kind & PEL_REC_STATIC) {
        store_static(g, &r);
        g->c_stat++;
    }
    if (!pos && !(r.kind & PEL_REC_STATIC))
        g->c_ign++; /* a position report without a position */
    /* a full batch: commit up to this record's (last) line, which is done;
     * with other ingests at once, also before the identities or voyages
     * would be written out early (agg_add), so that a transaction writes
     * them once, in key order (flush_agg) */
    if ((g->pending >= g->commit_every || (g->parallel && (agg_filling(&g->ident) || agg_filling(&g->voy)))) &&
        g->failed == PEL_OK) {
        pel_status st = commit(g, done);
        if (st != PEL_OK)
            fail(g, st);
    }
}

/* ---- NMEA ------------------------------------------------------------------ */

static int nmea_msg(void *ud, const pel_ais_msg *m) {
    ing *g = ud;
    if (m->line_last <= g->resume_line)
        return 0; /* produced before the interruption: stored already */
    g->line = m->line_last;
    pel_record r;
    if (!pel_record_from_msg(&r, m)) {
        g->c_ign++;
    } else
        handle(g, &r);
    progress(g);
    return g->failed != PEL_OK;
}

static void nmea_reject(void *ud, const pel_reject_info *ri) {
    ing *g = ud;
    if (ri->at_line <= g->resume_line)
        return;
    count_reject(g, (int)ri->why, orig_line(g, ri->line), ri->detail, ri->text, ri->len);
}

/* ---- CSV ------------------------------------------------------------------- */

static int csv_rec(void *ud, const pel_record *r) {
    ing *g = ud;
    g->line = r->line_last > r->line ? r->line_last : r->line;
    handle(g, r);
    progress(g);
    return g->failed != PEL_OK;
}

static void csv_reject(void *ud, uint64_t line, pel_csv_reject why, const char *detail, const char *text, size_t len) {
    ing *g = ud;
    if (line > g->line)
        g->line = line; /* a rejected last row is still a line read */
    count_reject(g, R_CSV + (int)why, orig_line(g, line), detail, text, len);
}

/* ---- one input: reading it once ------------------------------------------------ */

/* An input as it is read: its name as given, where its bytes are (the path
 * itself, or a copy of a stream), and their identity. */
typedef struct input {
    const char *name; /* as given: in messages, rejects and inputs.path */
    const char *path; /* where to read it: name, or spool */
    char spool[1100]; /* the copy of a stream: "/proc/self/fd/N", or its file name */
    int spool_fd;     /* -1: not a stream */
    bool spool_named; /* the copy's file name still exists: unlink it at the end */
    char hash[65];    /* SHA-256 of the bytes, compressed or not */
    uint64_t size;
    int64_t mtime; /* 0 for a stream */
} input;

/* Writes all of buf to fd; false with errno set on failure. */
static bool write_all(int fd, const unsigned char *buf, size_t n) {
    while (n) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        buf += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads fd to its end into the hash (and, when copy >= 0, into copy). */
static pel_status hash_fd(int fd, int copy, input *in, char *msg, size_t cap, const char *tmpdir) {
    struct sha256_ctx c;
    sha256_init(&c);
    static _Thread_local unsigned char buf[1 << 20];
    uint64_t size = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(msg, cap, "%s: %s", in->name, strerror(errno));
            return PEL_ERR_IO;
        }
        if (n == 0)
            break;
        sha256_update(&c, (size_t)n, buf);
        size += (uint64_t)n;
        if (copy >= 0 && !write_all(copy, buf, (size_t)n)) {
            snprintf(msg, cap, "%s: copying it to %s to read it once: %s", in->name, tmpdir, strerror(errno));
            return PEL_ERR_IO;
        }
    }
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_digest(&c, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(in->hash + 2 * i, 3, "%02x", d[i]);
    in->size = size;
    return PEL_OK;
}

/* Opens an input and hashes it.  A regular file is read twice (hashed,
 * then read by its reader); anything else -- "-", a pipe, /dev/fd/N, a
 * process substitution, a device -- can be read only once, so it is copied
 * to a temporary file while it is hashed and read from the copy.  On Linux
 * the copy is unlinked at once and read through /proc/self/fd, so that
 * nothing is left behind even after kill -9.  Fills msg on failure. */
static pel_status open_input(const char *name, input *in, char *msg, size_t cap) {
    memset(in, 0, sizeof *in);
    in->name = in->path = name;
    in->spool_fd = -1;
    int fd = -1;
    bool is_stdin = strcmp(name, "-") == 0;
    struct stat sb;
    if (!is_stdin) {
        if (stat(name, &sb) != 0) {
            snprintf(msg, cap, "%s: %s", name, strerror(errno));
            return PEL_ERR_IO;
        }
        if (S_ISDIR(sb.st_mode)) {
            snprintf(msg, cap, "%s: is a directory", name);
            return PEL_ERR_IO;
        }
    }
    if (!is_stdin && S_ISREG(sb.st_mode)) {
        fd = open(name, O_RDONLY);
        if (fd < 0) {
            snprintf(msg, cap, "%s: %s", name, strerror(errno));
            return PEL_ERR_IO;
        }
        pel_status st = hash_fd(fd, -1, in, msg, cap, NULL);
        close(fd);
        in->mtime = (int64_t)sb.st_mtime;
        return st;
    }
    fd = is_stdin ? 0 : open(name, O_RDONLY);
    if (fd < 0) {
        snprintf(msg, cap, "%s: %s", name, strerror(errno));
        return PEL_ERR_IO;
    }
    const char *tmpdir = getenv("TMPDIR");
    if (!tmpdir || !*tmpdir || strlen(tmpdir) > 1000)
        tmpdir = "/tmp";
    char tmpl[1100];
    snprintf(tmpl, sizeof tmpl, "%s/pelorus-input-XXXXXX", tmpdir);
    in->spool_fd = mkstemp(tmpl);
    if (in->spool_fd < 0) {
        snprintf(msg, cap, "%s: cannot make a file in %s to read it once: %s", name, tmpdir, strerror(errno));
        if (!is_stdin)
            close(fd);
        return PEL_ERR_IO;
    }
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", in->spool_fd);
    if (access(proc, R_OK) == 0 && unlink(tmpl) == 0)
        snprintf(in->spool, sizeof in->spool, "%s", proc);
    else {
        snprintf(in->spool, sizeof in->spool, "%s", tmpl);
        in->spool_named = true;
    }
    in->path = in->spool;
    pel_status st = hash_fd(fd, in->spool_fd, in, msg, cap, tmpdir);
    if (!is_stdin)
        close(fd);
    return st;
}

static void close_input(input *in) {
    if (in->spool_fd >= 0)
        close(in->spool_fd);
    if (in->spool_named)
        unlink(in->spool);
    in->spool_fd = -1;
    in->spool_named = false;
}

/* ---- one input: what it is ------------------------------------------------------ */

#define SNIFF_BYTES (64 * 1024)

/* True when buf[0..n) holds the start of an AIS sentence: '!', a two
 * character talker, VDM or VDO, ','. */
static bool has_ais(const char *buf, size_t n) {
    for (const char *p = buf, *end = buf + n; (p = memchr(p, '!', (size_t)(end - p))) != NULL; p++)
        if (end - p >= 7 && p[3] == 'V' && p[4] == 'D' && (p[5] == 'M' || p[5] == 'O') && p[6] == ',')
            return true;
    return false;
}

static const char *const fmt_names[] = {"auto", "nmea", "noaa", "dma", "kystverket", "barentswatch", "csv"};

/* What was found at the start of an input. */
typedef struct sniffed {
    pel_input_format fmt; /* the format to read it in */
    char delim;           /* its first line's delimiter, for CSV */
} sniffed;

/* Decides how to read in (want: the --format asked for, AUTO for none):
 * a named CSV format by its header line (the first that is not blank),
 * else NMEA when an AIS sentence is in its first 64 KiB or, failing that,
 * anywhere in it.  A file that is empty or blank is NMEA (nothing to store,
 * and not an error).  A CSV format asked for is taken as it is (its header
 * is checked by the reader).  Returns 0, or 1 when the input is not
 * understood and -1 on a read error, with msg filled. */
static int sniff(const input *in, pel_input_format want, sniffed *out, char *msg, size_t cap) {
    out->fmt = want == PEL_IN_AUTO ? PEL_IN_NMEA : want;
    out->delim = ',';
    gzFile z = gzopen(in->path, "rb");
    if (!z) {
        snprintf(msg, cap, "%s: %s", in->name, strerror(errno));
        return -1;
    }
    static _Thread_local char buf[SNIFF_BYTES];
    int got = gzread(z, buf, sizeof buf);
    int e = 0;
    if (got < 0 || (gzerror(z, &e), e != Z_OK && e != Z_BUF_ERROR)) {
        snprintf(msg, cap, "%s: %s", in->name, got < 0 ? gzerror(z, &e) : "read error");
        gzclose(z);
        return -1;
    }
    size_t n = (size_t)got;
    bool whole = n < sizeof buf;
    /* the first line that is not blank */
    const char *line = NULL;
    size_t len = 0;
    for (const char *p = buf, *end = buf + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        bool blank = true;
        for (size_t i = 0; i < l && blank; i++)
            blank = p[i] == ' ' || p[i] == '\t' || p[i] == '\r';
        if (!blank && (nl || whole)) {
            line = p;
            len = l;
            break;
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (line)
        out->delim = pel_csv_delimiter(line, len);
    pel_csv_format named = line ? pel_csv_detect(line, len) : PEL_CSV_AUTO;
    if (want == PEL_IN_AUTO && named != PEL_CSV_AUTO) {
        out->fmt = (pel_input_format)(PEL_IN_NOAA + (named - PEL_CSV_NOAA));
        gzclose(z);
        return 0;
    }
    if (want != PEL_IN_AUTO && want != PEL_IN_NMEA) {
        gzclose(z);
        return 0;
    }
    bool ais = has_ais(buf, n);
    uint64_t lines = 0;
    for (const char *p = buf, *end = buf + n; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        lines++;
    bool ends_nl = n && buf[n - 1] == '\n';
    char desc[400] = "";
    bool csv_like = want == PEL_IN_AUTO && line && pel_csv_describe(line, len, desc, sizeof desc);
    if (!ais && !whole && !csv_like) {
        /* read on: a long preamble, or NMEA asked for */
        memmove(buf, buf + n - 6, 6);
        for (;;) {
            got = gzread(z, buf + 6, sizeof buf - 6);
            if (got < 0) {
                snprintf(msg, cap, "%s: %s", in->name, gzerror(z, &e));
                gzclose(z);
                return -1;
            }
            if (got == 0)
                break;
            size_t m = (size_t)got;
            for (const char *p = buf + 6, *end = buf + 6 + m; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
                lines++;
            ends_nl = buf[6 + m - 1] == '\n';
            if (has_ais(buf, m + 6)) {
                ais = true;
                break;
            }
            memmove(buf, buf + m, 6);
        }
        gzerror(z, &e);
        if (e != Z_OK && !ais) {
            snprintf(msg, cap, "%s: truncated or corrupt gzip input", in->name);
            gzclose(z);
            return -1;
        }
        whole = true;
    }
    gzclose(z);
    if (ais || (!line && whole)) {
        out->fmt = PEL_IN_NMEA; /* an empty or blank file too: nothing to store */
        return 0;
    }
    if (n && !ends_nl)
        lines++;
    if (csv_like) {
        snprintf(msg, cap, "%s: not understood, not ingested: %s", in->name, desc);
        return 1;
    }
    char head[64];
    size_t k = 0;
    if (line && len && line[len - 1] == '\r')
        len--;
    for (size_t i = 0; line && i < len && k + 1 < sizeof head; i++)
        head[k++] = line[i] >= 32 && line[i] < 127 ? line[i] : '?';
    head[k] = 0;
    if (want == PEL_IN_NMEA) {
        static const char *const labels[] = {"", "NOAA MarineCadastre", "DMA aisdk", "Kystverket", "BarentsWatch"};
        char hint[160] = "";
        if (named != PEL_CSV_AUTO)
            snprintf(hint, sizeof hint, "; its first line is a %s CSV header: use --format %s (or no --format)",
                     labels[named], fmt_names[PEL_IN_NOAA + (named - PEL_CSV_NOAA)]);
        else if (desc[0] || (line && pel_csv_describe(line, len, desc, sizeof desc)))
            snprintf(hint, sizeof hint, "; it looks like CSV: use --format csv --columns ...");
        snprintf(msg, cap,
                 "%s: not understood as NMEA, not ingested: none of its %llu lines is an AIS sentence "
                 "(!AIVDM or !AIVDO)%s",
                 in->name, (unsigned long long)lines, hint);
        return 1;
    }
    bool binary = false;
    for (size_t i = 0; line && i < len && !binary; i++)
        binary = ((unsigned char)line[i] < 32 && line[i] != '\t' && line[i] != '\r') || line[i] == 127;
    if (binary)
        snprintf(msg, cap,
                 "%s: not understood, not ingested: it is not text (control bytes in its first line) and "
                 "has no AIS sentence (!AIVDM or !AIVDO)",
                 in->name);
    else
        snprintf(msg, cap,
                 "%s: not understood, not ingested: no AIS sentence (!AIVDM or !AIVDO) in its %llu lines, "
                 "and its first line is not a CSV header (\"%s%s\"); give --format if it is nmea, noaa, dma, "
                 "kystverket, barentswatch or csv",
                 in->name, (unsigned long long)lines, head, len > k ? "..." : "");
    return 1;
}

/* The settings an input is read with that change what it gives, as text
 * (inputs.settings; docs/schema.md): the columns the generic reader reads
 * (canon: canonical, whether named by a map or found by name), a time
 * format, a delimiter given that is not the header's own; then, from
 * assume, "assume-time=ISO" or "assume-time=none" (0: nothing). */
static void settings_of(const ing *g, const sniffed *sn, const char *canon, int assume, char *out, size_t cap) {
    const pel_ingest_opts *o = g->o;
    size_t n = 0;
    out[0] = 0;
#define PUT(...)                                                                                                       \
    do {                                                                                                               \
        int k_ = snprintf(out + n, cap - n, __VA_ARGS__);                                                              \
        if (k_ > 0)                                                                                                    \
            n = n + (size_t)k_ < cap ? n + (size_t)k_ : cap - 1;                                                       \
    } while (0)
    if (sn->fmt == PEL_IN_CSV)
        PUT("columns=%s", canon);
    if (sn->fmt != PEL_IN_NMEA) {
        if (o->time_format && *o->time_format && strcmp(o->time_format, "auto") != 0)
            PUT("%stime-format=%s", n ? "; " : "", o->time_format);
        char d[3] = {o->delimiter, 0, 0};
        if (d[0] == '\t')
            d[0] = '\\', d[1] = 't';
        if (o->delimiter && o->delimiter != sn->delim)
            PUT("%sdelimiter=%s", n ? "; " : "", d);
    }
    if (assume) {
        char t[40] = "none";
        if (assume > 0)
            pel_format_time(o->assume_ms, t);
        PUT("%sassume-time=%s", n ? "; " : "", t);
    }
#undef PUT
}

/* The CSV reader's options for an input read in fmt. */
static pel_csv_opts csv_opts(const ing *g, const input *in, pel_input_format fmt) {
    pel_csv_opts co = {0};
    co.format = (pel_csv_format)(PEL_CSV_NOAA + (fmt - PEL_IN_NOAA));
    co.columns = fmt == PEL_IN_CSV ? g->o->columns : NULL;
    co.time_format = g->o->time_format;
    co.delimiter = g->o->delimiter;
    co.name = in->name;
    return co;
}

/* Copies src into dst (cap bytes), cut short with "..." when it does not
 * fit. */
static void put_msg(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n < cap) {
        memcpy(dst, src, n + 1);
        return;
    }
    memcpy(dst, src, cap - 4);
    memcpy(dst + cap - 4, "...", 4);
}

/* Refuses the current input: nothing of it is recorded. */
static pel_status refuse(ing *g, pel_status code) {
    g->refused = true;
    return pel_fail(g->err, code, "%s", g->imsg);
}

/* ---- one input: reading it -------------------------------------------------------- */

/* Reads the opened input in into the store. */
/* The counts an interrupted run of the input committed, taken up again:
 * lines, records by kind, and the reject reasons ({"name":n,...}, as
 * commit() writes them). */
static void restore_counts(ing *g, const st_input_counts *c) {
    g->c_lines = c->lines;
    g->c_pos = c->positions;
    g->c_stat = c->statics;
    g->c_ign = c->ignored;
    g->c_rej = c->rejected;
    g->c_assumed = c->assumed;
    for (int i = 0; i < 64; i++) {
        const char *name = pel_ingest_reason_name(i);
        if (!name || !*name || g->canon[i] != i)
            continue;
        char key[64];
        snprintf(key, sizeof key, "\"%s\":", name);
        const char *at = strstr(c->rejects, key);
        if (at)
            g->c_reason[i] = strtoull(at + strlen(key), NULL, 10);
    }
}

static pel_status ingest_input(ing *g, const input *in) {
    pel_error *err = g->err;
    pel_input_format want = g->o->format;
    if (want == PEL_IN_AUTO && g->o->columns && *g->o->columns)
        want = PEL_IN_CSV;
    sniffed sn;
    int k = sniff(in, want, &sn, g->imsg, sizeof g->imsg);
    if (k)
        return refuse(g, k < 0 ? PEL_ERR_IO : PEL_ERR_FORMAT);
    pel_input_format fmt = sn.fmt;
    pel_csv_opts co = {0};
    char canon[1200] = "";
    if (fmt != PEL_IN_NMEA) {
        /* the header, before anything is recorded */
        co = csv_opts(g, in, fmt);
        pel_error he = {0};
        pel_status hs = csv_check_header(in->path, &co, NULL, canon, sizeof canon, &he);
        if (hs != PEL_OK) {
            snprintf(g->imsg, sizeof g->imsg, "%s; not ingested", he.msg);
            return refuse(g, hs == PEL_ERR_IO ? PEL_ERR_IO : PEL_ERR_FORMAT);
        }
    }

    /* with other ingests at once: the input's lock first, so that two given
     * the same input never both read it (the second waits, then finds it
     * complete) and an input found 'partial' is an interrupted one; taken
     * outside any transaction, so that a process waiting for it holds no
     * row another waits for */
    if (g->parallel) {
        if (st_commit(g->s, err) != PEL_OK)
            return PEL_ERR_IO;
        pel_status ls = st_input_lock(g->s, in->hash, g->o->on_wait, g->o->ud, err);
        if (ls == PEL_OK)
            memcpy(g->locked, in->hash, sizeof g->locked);
        if (st_begin(g->s, err) != PEL_OK || ls != PEL_OK)
            return PEL_ERR_IO;
    }
    /* known already?  by content, format and settings */
    char started[1400], full[1400], base[1400];
    settings_of(g, &sn, canon, g->o->assume_time ? 1 : 0, started, sizeof started);
    settings_of(g, &sn, canon, g->o->assume_time ? 1 : -1, full, sizeof full);
    settings_of(g, &sn, canon, 0, base, sizeof base);
    bool found;
    if (st_input_find_done(g->s, in->hash, fmt_names[fmt], full, base, &found, err) != PEL_OK)
        return PEL_ERR_IO;
    if (found) {
        g->st->skipped++;
        return PEL_OK;
    }
    g->path = in->name;
    g->committed = 0;
    g->resume_line = 0;
    g->line = 0;
    g->c_lines = g->c_pos = g->c_stat = g->c_ign = g->c_rej = g->c_assumed = 0;
    memset(g->c_reason, 0, sizeof g->c_reason);
    g->csv = fmt != PEL_IN_NMEA;
    st_input_counts c;
    if (st_input_find_partial(g->s, in->hash, fmt_names[fmt], started, &found, &g->input, &c, err) != PEL_OK)
        return PEL_ERR_IO;
    if (found) {
        g->resume_line = c.lines_done;
        restore_counts(g, &c);
        g->st->resumed++;
        g->committed = g->resume_line;
    } else {
        /* half stored when read another way: finish that first (a resumed
         * input is read as it was begun; two readings would mix) */
        char of[64], os[1400];
        if (st_input_find_other_partial(g->s, in->hash, &found, of, sizeof of, os, sizeof os, err) != PEL_OK)
            return PEL_ERR_IO;
        if (found) {
            char m[2 * sizeof os];
            snprintf(m, sizeof m,
                     "%s: an ingest of it as %s%s%s was interrupted: run that again to finish it before reading it "
                     "another way; not ingested",
                     in->name, of, *os ? " with " : "", os);
            size_t ml = strlen(m) < sizeof g->imsg ? strlen(m) : sizeof g->imsg - 1; /* cut to fit */
            memcpy(g->imsg, m, ml);
            g->imsg[ml] = 0;
            return refuse(g, PEL_ERR_ARG);
        }
        st_input_new rec = {.path = in->name,
                            .size = in->size,
                            .mtime = in->mtime,
                            .sha256 = in->hash,
                            .format = fmt_names[fmt],
                            .settings = started};
        if (st_input_add(g->s, &rec, &g->input, err) != PEL_OK)
            return PEL_ERR_IO;
        /* the input's number is allocated under a lock held to the end of
           the transaction (pg_input_add): end it now */
        if (g->parallel && (st_commit(g->s, err) != PEL_OK || st_begin(g->s, err) != PEL_OK))
            return PEL_ERR_IO;
    }
    g->recording = true;

    pel_status st;
    if (fmt == PEL_IN_NMEA) {
        pel_decode_cb cb = {nmea_msg, nmea_reject, g};
        pel_decoder *d = pel_decoder_new(NULL, &cb);
        if (!d)
            return PEL_ERR_NOMEM;
        pel_decoder_set_file(d, in->name);
        uint64_t from = g->resume_line > 2000 ? g->resume_line - 2000 : 1;
        st = pel_decode_file_at(d, in->path, from, err);
        const pel_stats *ds = pel_decoder_stats(d);
        uint64_t lines = ds->lines + (from - 1);
        pel_decoder_free(d);
        if (g->failed != PEL_OK)
            return g->failed;
        if (st != PEL_OK && st != PEL_STOPPED) {
            g->input_failed = true;
            return st;
        }
        g->c_lines = lines > g->c_lines ? lines : g->c_lines;
    } else {
        pel_csv_cb cb = {csv_rec, csv_reject, g};
        pel_csv_stats cs = {0};
        st = pel_csv_read_opts(in->path, &co, g->resume_line, &cb, &cs, err);
        if (g->failed != PEL_OK)
            return g->failed;
        if (st != PEL_OK) {
            g->input_failed = true;
            return st;
        }
        uint64_t lines = g->line > g->c_lines ? g->line : g->c_lines;
        g->c_lines = lines;
    }
    g->line = g->c_lines;
    st = commit(g, g->c_lines);
    if (st != PEL_OK)
        return st;
    /* the settings it is known by: --assume-time only when a record took it
     * (or, without it, when records were refused for want of a time) */
    char final[1400];
    bool notime = g->c_reason[R_ING + PEL_ING_REJ_NO_TIME] > 0;
    settings_of(g, &sn, canon, g->o->assume_time ? (g->c_assumed ? 1 : 0) : (notime ? -1 : 0), final, sizeof final);
    if (st_input_done(g->s, g->input, final, err) != PEL_OK)
        return PEL_ERR_IO;
    if (g->parallel) { /* complete for everyone, then the input's lock goes */
        if (st_commit(g->s, err) != PEL_OK)
            return PEL_ERR_IO;
        st_input_unlock(g->s, g->locked);
        g->locked[0] = 0;
        if (st_begin(g->s, err) != PEL_OK)
            return PEL_ERR_IO;
    }
    g->recording = false;
    g->st->inputs++;
    g->st->lines += g->c_lines;
    g->st->positions += g->c_pos;
    g->st->statics += g->c_stat;
    g->st->ignored += g->c_ign;
    g->st->rejected += g->c_rej;
    for (int i = 0; i < 64; i++)
        g->st->by_reason[i] += g->c_reason[i];
    return PEL_OK;
}

/* Opens, identifies and ingests one input.  A failure before anything of
 * it is recorded sets g->refused (the other inputs go on). */
static pel_status ingest_one(ing *g, const char *name) {
    g->refused = false;
    g->recording = false;
    g->input_failed = false;
    g->imsg[0] = 0;
    input in;
    pel_status st = open_input(name, &in, g->imsg, sizeof g->imsg);
    if (st != PEL_OK) {
        close_input(&in);
        return refuse(g, st);
    }
    if (g->as_name)
        in.name = g->as_name;
    st = ingest_input(g, &in);
    close_input(&in);
    if (g->locked[0] && (st == PEL_OK || g->refused)) { /* skipped or refused: nothing of it written */
        st_input_unlock(g->s, g->locked);
        g->locked[0] = 0;
    }
    return st;
}

/* pel_ingest, and ing_ingest_mapped when maps is not NULL (one per path). */
static pel_status ingest_run(pel_store *s, const char *const *paths, const ing_mapped *maps, size_t n,
                             const pel_ingest_opts *o, pel_ingest_stats *stats, pel_error *err) {
    pel_ingest_opts dflt = {0};
    pel_ingest_stats local;
    if (!o)
        o = &dflt;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (st_readonly(s))
        return pel_fail(err, PEL_ERR_ARG, "the database is open read-only");
    /* options every input shares: wrong for one, wrong for all */
    char why[200] = "";
    bool map = o->columns && *o->columns;
    if ((unsigned)o->format > PEL_IN_CSV)
        snprintf(why, sizeof why, "unknown input format %d", (int)o->format);
    else if (map && o->format != PEL_IN_AUTO && o->format != PEL_IN_CSV)
        snprintf(why, sizeof why, "--columns is for the generic CSV reader (--format csv)");
    else if (!pel_time_format_check(o->time_format, why + 15, sizeof why - 15))
        memcpy(why, "--time-format: ", 15);
    if (!why[0] && map) {
        pel_error ce = {0};
        if (pel_csv_check_columns(o->columns, &ce) != PEL_OK)
            put_msg(why, sizeof why, ce.msg);
    }
    if (why[0])
        return pel_fail(err, PEL_ERR_ARG, "%s", why);
    /* one ingest at a time: the store's writer lock, held to the end; or,
     * when several may ingest at once, for the track build only */
    bool parallel = st_parallel_ingest(s);
    if (!parallel && st_writer_begin(s, o->on_wait, o->ud, err) != PEL_OK)
        return PEL_ERR_IO;
    ing g = {
        .s = s, .o = o, .st = stats, .err = err, .now_ms = wall_ms(), .parallel = parallel, .src_commit = parallel};
    for (int i = 0; i < 64; i++) {
        const char *name = pel_ingest_reason_name(i);
        g.canon[i] = i;
        for (int k = 0; name && *name && k < i; k++)
            if (pel_ingest_reason_name(k) && !strcmp(pel_ingest_reason_name(k), name)) {
                g.canon[i] = k;
                break;
            }
    }
    g.commit_every = o->commit_every ? o->commit_every : 500000;
    const char *pause = getenv("PELORUS_TEST_COMMIT_PAUSE_MS");
    g.pause_ms = pause ? strtol(pause, NULL, 10) : 0;
    g.batch = malloc(g.commit_every * sizeof *g.batch);
    if (!g.batch) {
        pel_fail(err, PEL_ERR_NOMEM, "out of memory for %llu buffered positions", (unsigned long long)g.commit_every);
        if (!parallel)
            st_writer_end(s);
        return PEL_ERR_NOMEM;
    }
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pel_status st = st_begin(s, err);
    if (st == PEL_OK) /* this run's generation, for the positions it stages */
        st = st_generation_next(s, &g.gen, err);
    if (st == PEL_OK && parallel) /* its row is everyone's: not held while reading */
        if ((st = st_commit(s, err)) == PEL_OK)
            st = st_begin(s, err);
    pel_status refused = PEL_OK; /* the first refused input's status */
    char first[sizeof g.imsg] = "";
    for (size_t i = 0; i < n && st == PEL_OK; i++) {
        pel_ingest_opts mo;
        char mbuf[1400];
        if (maps) { /* a case's input: read as its original was, known by the original's name and lines */
            mo = *o;
            st = ing_opts_from_settings(maps[i].format, maps[i].settings, &mo, mbuf, sizeof mbuf, err);
            if (st != PEL_OK)
                break;
            g.o = &mo;
            g.as_name = maps[i].as_name;
            g.lmap = maps[i].lines;
            g.nlmap = maps[i].nlines;
            g.only = maps[i].only;
            g.nonly = maps[i].nonly;
        }
        st = ingest_one(&g, paths[i]);
        g.o = o;
        g.as_name = NULL;
        g.lmap = NULL;
        g.only = NULL;
        if (st != PEL_OK && g.refused) {
            /* nothing of it recorded: say so, and go on with the others */
            stats->failed++;
            if (o->on_input_error)
                o->on_input_error(o->ud, paths[i], st, g.imsg);
            if (refused == PEL_OK) {
                refused = st;
                memcpy(first, g.imsg, sizeof first);
            }
            st = PEL_OK;
        }
    }
    if (st == PEL_OK)
        st = st_commit(s, err);
    else {
        st_rollback(s); /* committed batches stay */
        /* "run again" only where that helps: the database failed (full,
         * locked, read-only) or memory ran out while an input was being
         * recorded, never for an input that cannot be read or is not in its
         * format, nor for a usage error */
        if (err && g.recording && !g.input_failed && (st == PEL_ERR_IO || st == PEL_ERR_NOMEM))
            pel_fail(err, err->code, "%s (%s: stored up to line %llu; run again to continue)", err->msg, g.path,
                     (unsigned long long)g.committed);
    }
    if (g.locked[0]) { /* an input left partial by a failure: after its rollback */
        st_input_unlock(s, g.locked);
        g.locked[0] = 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* several ingests at once: one builds at a time, what is dirty when it
     * gets the lock (what another staged meanwhile, that one builds after) */
    bool held = !parallel; /* the writer's lock */
    if (st == PEL_OK && parallel && (st = st_writer_begin(s, o->on_wait, o->ud, err)) == PEL_OK)
        held = true;
    if (st == PEL_OK)
        st = st_build_dirty(s, o, stats, err);
    if (st == PEL_OK && refused != PEL_OK)
        st = pel_fail(err, refused, "%llu of %zu inputs not ingested: %s", (unsigned long long)stats->failed, n, first);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    stats->read_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    stats->build_s = (double)(t2.tv_sec - t1.tv_sec) + (double)(t2.tv_nsec - t1.tv_nsec) / 1e9;
    free(g.batch);
    free(g.rep);
    free(g.repeats);
    st_cov_acc_free(g.cov);
    free(g.v);
    free(g.vcount);
    free(g.ident.e);
    free(g.ident.arena);
    free(g.voy.e);
    free(g.voy.arena);
    for (size_t i = 0; i < g.src_cap; i++)
        free(g.src_name[i]);
    free(g.src_name);
    free(g.src_id);
    free(g.sorted);
    if (held)
        st_writer_end(s); /* releases the lock */
    if (st == PEL_ERR_NOMEM && err && !err->msg[0])
        pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    return st;
}

pel_status pel_ingest(pel_store *s, const char *const *paths, size_t n, const pel_ingest_opts *o,
                      pel_ingest_stats *stats, pel_error *err) {
    return ingest_run(s, paths, NULL, n, o, stats, err);
}

pel_status ing_ingest_mapped(pel_store *s, const ing_mapped *in, size_t n, const pel_ingest_opts *o,
                             pel_ingest_stats *stats, pel_error *err) {
    const char **paths = malloc((n ? n : 1) * sizeof *paths);
    if (!paths)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        paths[i] = in[i].path;
    pel_status st = ingest_run(s, paths, in, n, o, stats, err);
    free(paths);
    return st;
}

/* ---- live: lines as they come (pelorus watch) ----------------------------------------------------- */

/* One feed of a live ingest: its own decoder (so that feeds interleaved
 * in one journal never join each other's fragments) and its counts. */
typedef struct live_feed {
    pel_live *lv;
    pel_decoder *d;
    pel_live_feed_counts n;
} live_feed;

struct pel_live {
    ing g;
    pel_ingest_opts o;
    pel_ingest_stats st;
    live_feed *feed;
    size_t nfeed;
    char *journal; /* the current journal's path, NULL when none */
    bool in_txn;   /* a transaction is open */
    bool locked;   /* the writer's lock held throughout, or (g.parallel) the live service's */
};

static int live_msg(void *ud, const pel_ais_msg *m) {
    live_feed *f = ud;
    f->n.messages++;
    return nmea_msg(&f->lv->g, m);
}

static void live_reject(void *ud, const pel_reject_info *ri) {
    live_feed *f = ud;
    f->n.rejected++;
    if ((int)ri->why >= 0 && (int)ri->why < 64)
        f->n.by_reason[f->lv->g.canon[(int)ri->why]]++;
    nmea_reject(&f->lv->g, ri);
}

/* Frees everything of lv but the lock and the transaction. */
static void live_free(pel_live *lv) {
    ing *g = &lv->g;
    for (size_t i = 0; i < lv->nfeed; i++)
        pel_decoder_free(lv->feed[i].d);
    free(lv->feed);
    free(lv->journal);
    free(g->batch);
    free(g->rep);
    free(g->repeats);
    st_cov_acc_free(g->cov);
    free(g->v);
    free(g->vcount);
    free(g->ident.e);
    free(g->ident.arena);
    free(g->voy.e);
    free(g->voy.arena);
    for (size_t i = 0; i < g->src_cap; i++)
        free(g->src_name[i]);
    free(g->src_name);
    free(g->src_id);
    free(g->sorted);
    free(lv);
}

/* The tracks of what is staged (st_build_dirty), under the writer's lock:
 * the one held throughout, or, where ingests may write beside the service,
 * taken for the build (waiting for theirs) and given back. */
static pel_status live_build(pel_live *lv, pel_ingest_stats *bs, pel_error *err) {
    ing *g = &lv->g;
    if (g->parallel && st_writer_begin(g->s, lv->o.on_wait, lv->o.ud, err) != PEL_OK)
        return PEL_ERR_IO;
    pel_status st = st_build_dirty(g->s, &lv->o, bs, err);
    if (g->parallel)
        st_writer_end(g->s);
    return st;
}

/* The generation of what the service stages next, in the transaction
 * under way (lv->in_txn); where ingests may write beside it, committed at
 * once (its row is everyone's: not held while the lines come) and the
 * next transaction begun. */
static pel_status live_generation(pel_live *lv, pel_error *err) {
    ing *g = &lv->g;
    pel_status st = st_generation_next(g->s, &g->gen, err);
    if (st == PEL_OK && g->parallel) {
        st = st_commit(g->s, err);
        lv->in_txn = false;
        if (st == PEL_OK && (st = st_begin(g->s, err)) == PEL_OK)
            lv->in_txn = true;
    }
    return st;
}

pel_status pel_live_open(pel_store *s, const pel_ingest_opts *o, pel_live **out, pel_error *err) {
    *out = NULL;
    if (st_readonly(s))
        return pel_fail(err, PEL_ERR_ARG, "the database is open read-only");
    pel_live *lv = calloc(1, sizeof *lv);
    if (!lv)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (o)
        lv->o = *o;
    lv->o.format = PEL_IN_NMEA;
    ing *g = &lv->g;
    *g = (ing){.s = s, .o = &lv->o, .st = &lv->st, .err = err, .now_ms = wall_ms()};
    for (int i = 0; i < 64; i++) {
        const char *name = pel_ingest_reason_name(i);
        g->canon[i] = i;
        for (int k = 0; name && *name && k < i; k++)
            if (pel_ingest_reason_name(k) && !strcmp(pel_ingest_reason_name(k), name)) {
                g->canon[i] = k;
                break;
            }
    }
    g->commit_every = lv->o.commit_every ? lv->o.commit_every : 200000;
    g->parallel = st_parallel_ingest(s); /* ingests may write beside it: rows in key order */
    if (!(g->batch = malloc(g->commit_every * sizeof *g->batch))) {
        free(lv);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory for the buffered positions");
    }
    /* one live service a database; the writer's lock throughout, or, where
     * ingests may write beside it, for each track build only */
    void (*on_wait)(void *, const char *) = o ? o->on_wait : NULL;
    void *ud = o ? o->ud : NULL;
    if ((g->parallel ? st_live_lock(s, on_wait, ud, err) : st_writer_begin(s, on_wait, ud, err)) != PEL_OK) {
        live_free(lv);
        return PEL_ERR_IO;
    }
    lv->locked = true;
    /* what a killed run staged becomes tracks first; then the state's tables */
    pel_status st = live_build(lv, NULL, err);
    if (st == PEL_OK)
        st = st_begin(s, err);
    lv->in_txn = st == PEL_OK;
    if (st == PEL_OK)
        st = st_live_setup(s, err);
    if (st == PEL_OK)
        st = live_generation(lv, err);
    if (st != PEL_OK) {
        pel_live_close(lv);
        return st;
    }
    *out = lv;
    return PEL_OK;
}

pel_store *pel_live_store(pel_live *lv) {
    return lv->g.s;
}

pel_status pel_live_journal(pel_live *lv, const char *path, uint64_t *done, pel_error *err) {
    ing *g = &lv->g;
    g->err = err;
    *done = 0;
    if (lv->journal)
        return pel_fail(err, PEL_ERR_ARG, "a journal is open already: %s", lv->journal);
    char key[1200];
    snprintf(key, sizeof key, "live:%s", path);
    bool found = false;
    st_input_counts c;
    if (st_input_find_partial(g->s, key, "nmea", "live", &found, &g->input, &c, err) != PEL_OK)
        return PEL_ERR_IO;
    g->line = g->committed = 0;
    g->resume_line = 0;
    g->c_lines = g->c_pos = g->c_stat = g->c_ign = g->c_rej = g->c_assumed = 0;
    memset(g->c_reason, 0, sizeof g->c_reason);
    g->csv = false;
    if (found) {
        *done = g->line = g->committed = c.lines_done;
        restore_counts(g, &c);
    } else {
        st_input_new rec = {.path = path, .size = 0, .mtime = 0, .sha256 = key, .format = "nmea", .settings = "live"};
        if (st_input_add(g->s, &rec, &g->input, err) != PEL_OK)
            return PEL_ERR_IO;
    }
    if (!(lv->journal = strdup(path)))
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    g->path = lv->journal;
    g->recording = true;
    for (size_t i = 0; i < lv->nfeed; i++)
        pel_decoder_set_file(lv->feed[i].d, lv->journal);
    return PEL_OK;
}

pel_status pel_live_feeds(pel_live *lv, size_t n, pel_error *err) {
    if (lv->nfeed)
        return pel_fail(err, PEL_ERR_ARG, "the feeds of a live ingest are given once");
    if (!(lv->feed = calloc(n ? n : 1, sizeof *lv->feed)))
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    lv->nfeed = n;
    for (size_t i = 0; i < n; i++) {
        live_feed *f = &lv->feed[i];
        f->lv = lv;
        pel_decode_cb cb = {live_msg, live_reject, f};
        if (!(f->d = pel_decoder_new(NULL, &cb)))
            return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        if (lv->journal)
            pel_decoder_set_file(f->d, lv->journal);
    }
    return PEL_OK;
}

pel_status pel_live_line(pel_live *lv, size_t feed, const char *line, size_t len, uint64_t lineno, pel_error *err) {
    ing *g = &lv->g;
    g->err = err;
    if (!lv->journal)
        return pel_fail(err, PEL_ERR_ARG, "no journal open");
    if (feed >= lv->nfeed)
        return pel_fail(err, PEL_ERR_ARG, "feed %zu unknown (pel_live_feeds)", feed);
    live_feed *f = &lv->feed[feed];
    if (lineno > g->c_lines)
        g->c_lines = lineno;
    if (lineno > g->line)
        g->line = lineno;
    pel_decoder_line(f->d, line, len, lineno);
    return g->failed;
}

void pel_live_flush(pel_live *lv) {
    for (size_t i = 0; i < lv->nfeed; i++)
        if (lv->feed[i].d)
            pel_decoder_flush(lv->feed[i].d);
}

pel_status pel_live_commit(pel_live *lv, uint64_t upto, const char *const *state, size_t nstate,
                           pel_ingest_stats *stats, pel_error *err) {
    ing *g = &lv->g;
    g->err = err;
    if (g->failed != PEL_OK)
        return g->failed;
    if (!lv->in_txn)
        return pel_fail(err, PEL_ERR_IO, "the live ingest failed earlier");
    pel_status st = PEL_OK;
    for (size_t i = 0; i + 1 < nstate && st == PEL_OK; i += 2)
        st = st_live_put(g->s, state[i], state[i + 1], err);
    if (st == PEL_OK && lv->journal) {
        if (upto > g->c_lines)
            g->c_lines = upto;
        st = commit(g, upto); /* the lines and the state; begins the next transaction */
    }
    /* (that one, or the state alone), then the tracks of the vessels
     * touched, in transactions of their own */
    if (st == PEL_OK)
        st = st_commit(g->s, err);
    lv->in_txn = false;
    pel_ingest_stats bs = {0};
    if (st == PEL_OK)
        st = live_build(lv, &bs, err);
    /* built: a vessel heard again is marked for the next build again */
    if (st == PEL_OK && g->v) {
        memset(g->v, 0, g->vcap * sizeof *g->v);
        g->vused = 0;
    }
    if (st == PEL_OK && (st = st_begin(g->s, err)) == PEL_OK)
        lv->in_txn = true;
    if (st == PEL_OK)
        st = live_generation(lv, err);
    g->now_ms = wall_ms();
    lv->st.vessels_built += bs.vessels_built;
    lv->st.duplicates += bs.duplicates;
    if (stats) {
        *stats = lv->st;
        stats->lines = g->c_lines;
        stats->positions = g->c_pos;
        stats->statics = g->c_stat;
        stats->ignored = g->c_ign;
        stats->rejected = g->c_rej;
        memcpy(stats->by_reason, g->c_reason, sizeof stats->by_reason);
    }
    if (st != PEL_OK)
        fail(g, st);
    return st;
}

pel_status pel_live_sync(pel_live *lv, pel_error *err) {
    if (!lv->in_txn)
        return pel_fail(err, PEL_ERR_IO, "the live ingest failed earlier");
    pel_status st = st_commit(lv->g.s, err);
    lv->in_txn = false;
    if (st == PEL_OK && (st = st_begin(lv->g.s, err)) == PEL_OK)
        lv->in_txn = true;
    return st;
}

pel_status pel_live_journal_done(pel_live *lv, pel_error *err) {
    ing *g = &lv->g;
    g->err = err;
    if (!lv->journal)
        return PEL_OK;
    pel_live_flush(lv);
    pel_status st = pel_live_commit(lv, g->line, NULL, 0, NULL, err);
    if (st == PEL_OK && (st = st_input_done(g->s, g->input, "live", err)) == PEL_OK)
        st = pel_live_sync(lv, err);
    free(lv->journal);
    lv->journal = NULL;
    g->recording = false;
    return st;
}

const pel_live_feed_counts *pel_live_feed(const pel_live *lv, size_t feed) {
    return feed < lv->nfeed ? &lv->feed[feed].n : NULL;
}

void pel_live_close(pel_live *lv) {
    if (!lv)
        return;
    if (lv->in_txn)
        st_rollback(lv->g.s); /* what was not committed is in the journal */
    if (lv->locked && lv->g.parallel)
        st_live_unlock(lv->g.s);
    else if (lv->locked)
        st_writer_end(lv->g.s);
    live_free(lv);
}
