/*
 * build.c -- rebuilds the tracks of the vessels an ingest touched: all of
 * a vessel's chunks, and its positions staged by ingests since it was last
 * built (staging.gen > vessels.built_gen), are read, put in canonical order, cleared of duplicate
 * receptions, checked and cut into segments (src/track/segment.c), then
 * written back as canonical chunks of CHUNK positions with their boxes in
 * the R*Tree, with the vessel's segments and summary.  Each batch of
 * vessels is one transaction, so an interrupted build leaves the remaining
 * vessels marked dirty for the next run; the result depends only on the
 * stored positions, never on the order they arrived in.
 *
 * Limits: a vessel is rebuilt whole, so adding a day to a year of one
 * vessel's history reads the year.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_internal.h"
#include "trk.h"

#define CHUNK 1024
#define BATCH 256

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

typedef struct bld {
    pel_store *s;
    pel_error *err;
    pel_position *p;
    size_t cap;
    uint8_t *enc;
    size_t enccap;
    trk_opts o;
} bld;

/* built_gen: the generation the vessel was last built in (0: never, so it
 * has no chunks, boxes or segments to replace). */
static pel_status build_vessel(bld *b, uint32_t mmsi, int64_t built_gen, pel_ingest_stats *stats) {
    pel_store *s = b->s;
    size_t n = 0;
    sqlite3_stmt *q = st_get(s, ST_CHUNKS_OF);
    sqlite3_bind_int64(q, 1, mmsi);
    sqlite3_bind_int64(q, 2, built_gen);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const uint8_t *blob = sqlite3_column_blob(q, 0);
        size_t len = (size_t)sqlite3_column_bytes(q, 0);
        long c = trk_count(blob, len);
        if (c < 0)
            return st_error(s, b->err, "a stored chunk is corrupt");
        if (n + (size_t)c > b->cap) {
            size_t ncap = b->cap ? b->cap : 4096;
            while (ncap < n + (size_t)c)
                ncap *= 2;
            pel_position *np = realloc(b->p, ncap * sizeof *np);
            if (!np)
                return PEL_ERR_NOMEM;
            b->p = np;
            b->cap = ncap;
        }
        if (trk_decode(blob, len, mmsi, b->p + n, (size_t)c) != c)
            return st_error(s, b->err, "a stored chunk is corrupt");
        n += (size_t)c;
    }
    if (rc != SQLITE_DONE)
        return st_error(s, b->err, "reading positions");

    size_t kept = 0, dups = 0, nsegs = 0;
    trk_segment *segs = NULL;
    pel_status st = trk_build(b->p, n, &b->o, &kept, &dups, &segs, &nsegs);
    if (st != PEL_OK)
        return st;

    /* replace the chunks */
    if (built_gen > 0) {
        q = st_get(s, ST_BOX_DEL);
        sqlite3_bind_int64(q, 1, mmsi);
        if ((st = st_done(s, q, b->err, "replacing chunk boxes")) != PEL_OK)
            goto out;
        q = st_get(s, ST_CHUNK_DEL);
        sqlite3_bind_int64(q, 1, mmsi);
        if ((st = st_done(s, q, b->err, "replacing chunks")) != PEL_OK)
            goto out;
    }
    uint64_t flagged = 0;
    for (size_t i = 0; i < kept; i++)
        flagged += b->p[i].flags != 0;
    for (size_t at = 0; at < kept; at += CHUNK) {
        size_t m = kept - at < CHUNK ? kept - at : CHUNK;
        const pel_position *c = b->p + at;
        size_t need = 8 + m * TRK_MAX_BYTES_PER_POS;
        if (need > b->enccap) {
            uint8_t *ne = realloc(b->enc, need);
            if (!ne) {
                st = PEL_ERR_NOMEM;
                goto out;
            }
            b->enc = ne;
            b->enccap = need;
        }
        size_t len = trk_encode(c, m, b->enc);
        q = st_get(s, ST_CHUNK_BUILT);
        sqlite3_bind_int64(q, 1, mmsi);
        sqlite3_bind_int64(q, 2, c[0].t_ms);
        sqlite3_bind_int64(q, 3, c[m - 1].t_ms);
        sqlite3_bind_int64(q, 4, (sqlite3_int64)m);
        sqlite3_bind_blob(q, 5, b->enc, (int)len, SQLITE_STATIC);
        if ((st = st_done(s, q, b->err, "writing chunks")) != PEL_OK)
            goto out;
        int64_t id = sqlite3_last_insert_rowid(s->db);
        /* the box over the chunk's usable positions, and its time span in minutes */
        int32_t la0 = 0, la1 = 0, lo0 = 0, lo1 = 0;
        bool any = false;
        for (size_t i = 0; i < m; i++) {
            if (c[i].segment < 0)
                continue;
            if (!any || c[i].lat < la0) la0 = c[i].lat;
            if (!any || c[i].lat > la1) la1 = c[i].lat;
            if (!any || c[i].lon < lo0) lo0 = c[i].lon;
            if (!any || c[i].lon > lo1) lo1 = c[i].lon;
            any = true;
        }
        if (!any)
            continue;
        q = st_get(s, ST_BOX_ADD);
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int(q, 2, la0);
        sqlite3_bind_int(q, 3, la1);
        sqlite3_bind_int(q, 4, lo0);
        sqlite3_bind_int(q, 5, lo1);
        sqlite3_bind_int64(q, 6, floor_div(c[0].t_ms, 60000));
        sqlite3_bind_int64(q, 7, floor_div(c[m - 1].t_ms + 59999, 60000));
        if ((st = st_done(s, q, b->err, "writing chunk boxes")) != PEL_OK)
            goto out;
    }
    if (built_gen > 0) {
        q = st_get(s, ST_SEG_DEL);
        sqlite3_bind_int64(q, 1, mmsi);
        if ((st = st_done(s, q, b->err, "replacing segments")) != PEL_OK)
            goto out;
    }
    double dist = 0;
    for (size_t i = 0; i < nsegs; i++) {
        const trk_segment *g = &segs[i];
        dist += g->distance_m;
        q = st_get(s, ST_SEG_ADD);
        sqlite3_bind_int64(q, 1, mmsi);
        sqlite3_bind_int(q, 2, g->id);
        sqlite3_bind_int64(q, 3, g->t0);
        sqlite3_bind_int64(q, 4, g->t1);
        sqlite3_bind_int64(q, 5, g->n);
        sqlite3_bind_double(q, 6, g->distance_m);
        sqlite3_bind_int(q, 7, g->lat0);
        sqlite3_bind_int(q, 8, g->lon0);
        sqlite3_bind_int(q, 9, g->lat1);
        sqlite3_bind_int(q, 10, g->lon1);
        sqlite3_bind_int(q, 11, g->parallel);
        if ((st = st_done(s, q, b->err, "writing segments")) != PEL_OK)
            goto out;
    }
    q = st_get(s, ST_VESSEL_DONE);
    sqlite3_bind_int64(q, 1, mmsi);
    if (kept) {
        sqlite3_bind_int64(q, 2, b->p[0].t_ms);
        sqlite3_bind_int64(q, 3, b->p[kept - 1].t_ms);
    }
    sqlite3_bind_int64(q, 4, (sqlite3_int64)kept);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)flagged);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)nsegs);
    sqlite3_bind_double(q, 7, dist);
    sqlite3_bind_int64(q, 8, (sqlite3_int64)dups);
    sqlite3_bind_int64(q, 9, s->gen);
    st = st_done(s, q, b->err, "writing the vessel summary");
    if (st == PEL_OK && stats) {
        stats->vessels_built++;
        stats->duplicates += dups;
    }
out:
    free(segs);
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
    int64_t after = -1; /* MMSI 0 is a vessel too */
    for (;;) {
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
    free(b.p);
    free(b.enc);
    return st;
}
