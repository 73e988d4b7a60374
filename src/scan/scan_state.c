/*
 * scan_state.c -- what a whole-store scan keeps for the next (scan_state.h).
 *
 * The bytes (native byte order: a cache for this build, dropped when its
 * version or fingerprint differs), in the store's head and rows (store.h,
 * "scan state"):
 *
 *   head      magic "PELSCAN", version, the fingerprint, the data's span,
 *             the vessels judged, the vessels kept, then the coverage
 *             map's digest of every hour (det_stations.c)
 *   a row     per vessel, by MMSI: its head (mmsi, counts), its raw track's
 *             checkpoints, its cuts, its spans, its gaps left out as holes
 *             in the data, the index of its chunks
 *   a chunk   per vessel and week (the UTC weeks since 1970 its findings
 *             start in): its kept findings of the week (findings/record.h)
 *             compressed with zstd at level 1 with its checksum
 *
 * A scan reads every kept finding and keeps them all again, about 80 MB of
 * records for a month of 10,000 vessels.  A chunk whose records come out
 * the same as the last scan's (its digest, length and count in the index)
 * is not compressed nor written again: a new day rewrites the weeks it
 * reaches, not the month.  zstd rather than zlib: it reads and writes
 * those that change in a fifth of zlib's time, for fewer bytes.
 *
 * Reading goes through the rows in step with the tracks (both by MMSI), and
 * writing a row at a time, so that memory holds a vessel's bytes, never the
 * state's.
 *
 * A raw checkpoint is the digest of the first `count` positions of the raw
 * track, taken at the whole track and at the last position 1, 2 and 4 days
 * before its end.
 *
 * A cut's digest folds what the quietness at position i rests on: every
 * field of the positions before i and their chain links, the position i
 * itself, and each position a chain goes on to from before i (the
 * position that closed a visit or a stay).  A track with the same digest
 * at i had the same state at i: none.
 *
 * Digests are 64-bit multiply-xor hashes: they tell a change from none,
 * they do not stand against a forger (who would have to forge a track to
 * hide a change in it from a cache).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "detect/detectors.h"
#include "scan_state.h"
#include "util/fail.h"
#include "util/mix.h"
#include "util/tmpfd.h"
#include "util/xsort.h"

#define STATE_MAGIC "PELSCAN"
#define STATE_VERSION 9u
#define WEEK_MS (7 * 86400000LL)
#define NRAW 4

typedef struct state_head {
    char magic[8];
    uint32_t version, spare;
    uint64_t print;
    int64_t data_start_ms, data_end_ms;
    uint64_t vessels, nentries;
    int64_t cov_h0; /* the first hour of the coverage digests */
    uint64_t cov_n; /* how many follow the head: the span's hours and one for the hours outside; 0: none */
} state_head;

typedef struct vessel_head {
    uint32_t mmsi, nraw, ncuts, nfindings, nspans, nchunks;
    uint64_t rawbytes; /* of its findings as records, every chunk's */
    uint64_t nholes;   /* its gaps left out as holes (span_rec, partner 0) */
    uint64_t voyages;  /* the digest of its voyage reports (scan_state_set_voyages; 0: none) */
    uint64_t flags;    /* SCAN_VESSEL_ */
} vessel_head;

/* A chunk as the index of its vessel's row tells it. */
typedef struct chunk_rec {
    int64_t part;      /* the week: start_ms / WEEK_MS, rounded down */
    uint64_t rawbytes; /* its records' bytes */
    uint64_t nbytes;   /* ... compressed */
    uint64_t digest;   /* of the records */
    uint32_t nfindings, spare;
} chunk_rec;

typedef struct checkpoint {
    uint64_t count, digest;
} checkpoint;

typedef struct cut {
    uint64_t i;
    int64_t t_ms;
    uint64_t digest;
    uint64_t flags; /* SCAN_CUT_ */
} cut;

/* A span as a row keeps it (its vessel is the row's). */
typedef struct span_rec {
    uint32_t partner, spare;
    int64_t from_ms, to_ms;
} span_rec;

/* A chunk the last state holds, as scan_state_save compares it (part
 * INT64_MIN: a mark that the vessel's chunks all read back). */
typedef struct prev_chunk {
    uint32_t mmsi;
    chunk_rec c;
} prev_chunk;

/* The chunks of the vessels whose findings read back whole, by MMSI then
 * part (a vessel's mark first): written to a temporary file as the walk
 * reads them, and read back in the same order by scan_state_save, so that
 * memory holds one vessel's, never the history's (a vessel has a chunk a
 * week). */
struct scan_prev {
    FILE *f;     /* util_tmp_fd's; NULL before the first */
    bool failed; /* out of memory or the file failed: the save writes every chunk */
    /* reading: one vessel's entries, and the first of the next */
    prev_chunk *v;
    size_t n, cap;
    prev_chunk next;
    bool have_next, eof;
};

struct scan_state {
    pel_store *s;
    st_iter *it;     /* the rows, in step with the vessels asked for */
    st_scan_row cur; /* the row read last (valid until the next) */
    bool have, done;
    st_iter *cit;     /* the chunks, likewise (opened when first read) */
    st_scan_row ccur; /* the chunk read last */
    bool chave, cdone;
    scan_prev prev; /* the chunks of the vessels read back whole */
    uint32_t noted; /* the vessel whose chunks prev holds last (0: none) */
    scan_state_info info;
    uint64_t *cov; /* the coverage digests (head.cov_n of them, from hour cov_h0) */
    int64_t cov_h0;
    size_t cov_n;
    /* the findings of the row read last, decompressed (a vessel's are
     * read twice: scan.c's two passes) */
    unsigned char *rec;
    size_t reccap, reclen;
    uint32_t rec_mmsi;
    bool rec_ok;
    ZSTD_DCtx *dctx;
};

/* A vessel ended, its head and body (checkpoints, cuts) in out. */
typedef struct entry {
    uint32_t mmsi;
    size_t off, len;
} entry;

struct scan_state_new {
    uint64_t *cov; /* the coverage digests (cov_n, from hour cov_h0; NULL: none) */
    int64_t cov_h0;
    size_t cov_n;
    fnd_bytes out; /* the head, then each vessel's head and body without its findings */
    entry *e;      /* the vessels ended, ascending */
    size_t ne, cape;
    bool nomem;
    uint32_t mmsi;    /* the vessel begun */
    uint64_t voyages; /* ... the digest of its voyage reports */
    uint64_t flags;   /* ... SCAN_VESSEL_ */
    checkpoint raw[NRAW];
    uint32_t nraw;
};

/* ---- digests ------------------------------------------------------------------------------- */

/* Every field of p (field by field: no padding). */
static uint64_t mix_pos(uint64_t h, const pel_position *p) {
    h = util_mix(h, (uint64_t)p->mmsi << 32 | (uint8_t)p->second << 8 | p->clock);
    h = util_mix(h, (uint64_t)p->t_ms);
    h = util_mix(h, (uint64_t)(uint32_t)p->lat << 32 | (uint32_t)p->lon);
    h = util_mix(h, (uint64_t)p->speed << 48 | (uint64_t)p->course << 32 | (uint64_t)p->heading << 16 |
                        (uint64_t)p->status << 8 | p->type);
    h = util_mix(h, (uint64_t)p->flags << 32 | (uint32_t)p->segment);
    h = util_mix(h, (uint64_t)p->input << 32 | p->source);
    return util_mix(h, p->line);
}

#define SEED UTIL_MIX_SEED

/* The digests of the cuts at[0, m) (positions of p, any order) into out:
 * one pass for what precedes each, and the links crossing it. */
static void cut_digests(const pel_position *p, size_t n, const size_t *link, const size_t *at, size_t m,
                        uint64_t *out) {
    const size_t *next = link, *prev = link + n;
    uint64_t h = SEED;
    for (size_t c = 0; c < m; c++)
        out[c] = SEED;
    for (size_t k = 0; k < n; k++) {
        for (size_t c = 0; c < m; c++) {
            if (at[c] == k) /* what precedes the cut, then the cut itself */
                out[c] = mix_pos(util_mix(out[c] ^ h, k), &p[k]);
            else if (k < at[c] && next[k] != DET_CHAIN_END && next[k] >= at[c])
                out[c] = mix_pos(util_mix(out[c], k), &p[next[k]]);
        }
        h = util_mix(util_mix(mix_pos(h, &p[k]), next[k]), prev[k]);
    }
}

/* The digests of the first count[c] positions of p, c < m (ascending). */
static void raw_digests(const pel_position *p, size_t n, const uint64_t *count, size_t m, uint64_t *out) {
    uint64_t h = SEED;
    size_t c = 0;
    for (size_t k = 0; k <= n && c < m; k++) {
        while (c < m && count[c] == k)
            out[c++] = h;
        if (k < n)
            h = mix_pos(h, &p[k]);
    }
    for (; c < m; c++)
        out[c] = 0; /* past the end: never matches a track this short */
}

/* ---- the last scan's ---------------------------------------------------------------------------- */

void scan_state_free(scan_state *st) {
    if (!st)
        return;
    st_iter_free(st->it);
    st_iter_free(st->cit);
    ZSTD_freeDCtx(st->dctx);
    free(st->rec);
    if (st->prev.f)
        fclose(st->prev.f);
    free(st->cov);
    free(st);
}

scan_prev *scan_state_detach(scan_state *st) {
    scan_prev *p = st && !st->prev.failed ? malloc(sizeof *p) : NULL;
    if (p) {
        *p = st->prev;
        st->prev = (scan_prev){0};
        if (p->f && (fflush(p->f) != 0 || fseeko(p->f, 0, SEEK_SET) != 0)) {
            scan_prev_free(p);
            p = NULL;
        }
    }
    return p;
}

void scan_prev_free(scan_prev *p) {
    if (!p)
        return;
    if (p->f)
        fclose(p->f);
    free(p->v);
    free(p);
}

const scan_state_info *scan_state_about(const scan_state *st) {
    return &st->info;
}

scan_state *scan_state_load(pel_store *s, uint64_t print) {
    void *buf = NULL;
    size_t len = 0;
    if (st_scan_head_get(s, &buf, &len, NULL) != PEL_OK || !buf)
        return NULL;
    state_head h;
    scan_state *st = len >= sizeof h ? calloc(1, sizeof *st) : NULL;
    if (st)
        memcpy(&h, buf, sizeof h);
    if (st && (memcmp(h.magic, STATE_MAGIC, sizeof STATE_MAGIC) || h.version != STATE_VERSION || h.print != print ||
               (len - sizeof h) / sizeof(uint64_t) != h.cov_n || (len - sizeof h) % sizeof(uint64_t) ||
               (h.cov_n && !(st->cov = malloc(h.cov_n * sizeof *st->cov))))) {
        free(st);
        st = NULL;
    }
    if (st && h.cov_n) {
        memcpy(st->cov, (const unsigned char *)buf + sizeof h, h.cov_n * sizeof *st->cov);
        st->cov_h0 = h.cov_h0;
        st->cov_n = (size_t)h.cov_n;
    }
    free(buf);
    if (!st || !(st->it = st_scan_rows(s, false, NULL))) {
        if (st)
            free(st->cov);
        free(st);
        return NULL;
    }
    st->s = s;
    st->info = (scan_state_info){.data_start_ms = h.data_start_ms, .data_end_ms = h.data_end_ms, .vessels = h.vessels};
    return st;
}

int64_t scan_state_cov_news(const scan_state *st, const uint64_t *hours, int64_t h0, size_t nh) {
    /* the hours outside either span: any change there, and the state
     * says nothing of when */
    uint64_t out_old = st->cov_n ? st->cov[st->cov_n - 1] : 0, out_new = hours ? hours[nh] : 0;
    if (out_old != out_new || (!hours) != (!st->cov_n))
        return INT64_MIN;
    if (!hours)
        return INT64_MAX;
    size_t no = st->cov_n - 1;
    int64_t lo = h0 < st->cov_h0 ? h0 : st->cov_h0;
    int64_t hi = h0 + (int64_t)nh > st->cov_h0 + (int64_t)no ? h0 + (int64_t)nh : st->cov_h0 + (int64_t)no;
    for (int64_t h = lo; h < hi; h++) {
        uint64_t a = h >= st->cov_h0 && h < st->cov_h0 + (int64_t)no ? st->cov[h - st->cov_h0] : 0;
        uint64_t b = h >= h0 && h < h0 + (int64_t)nh ? hours[h - h0] : 0;
        if (a != b)
            return h * 3600000;
    }
    return INT64_MAX;
}

bool scan_state_rewind(scan_state *st) {
    st_iter_free(st->it);
    st_iter_free(st->cit);
    st->cit = NULL;
    st->have = st->done = st->chave = st->cdone = false;
    st->rec_ok = false;
    if (st->prev.f) { /* nothing is noted before the walk; should it be, it is noted again */
        fclose(st->prev.f);
        st->prev.f = NULL;
    }
    st->prev.failed = false;
    st->noted = 0;
    return (st->it = st_scan_rows(st->s, false, NULL)) != NULL;
}

/* The row of vessel mmsi, or NULL when the state has none.  The vessels
 * are asked for in ascending order: the rows are read as far as mmsi. */
static const st_scan_row *row_of(scan_state *st, uint32_t mmsi) {
    if (!st)
        return NULL;
    while (!st->done && (!st->have || st->cur.mmsi < mmsi)) {
        int rc = st_scan_row_next(st->it, &st->cur, NULL);
        st->have = rc > 0;
        st->done = rc <= 0;
        st->rec_ok = false;
    }
    return st->have && st->cur.mmsi == mmsi ? &st->cur : NULL;
}

/* Vessel mmsi's head (copied into *vh) and its row (*row), or false when
 * the state has none, or one that does not hold together. */
static bool vessel_at(scan_state *st, uint32_t mmsi, vessel_head *vh, const unsigned char **row) {
    if (!row_of(st, mmsi) || st->cur.len < sizeof *vh)
        return false;
    memcpy(vh, st->cur.buf, sizeof *vh);
    size_t body = sizeof *vh + (size_t)vh->nraw * sizeof(checkpoint) + (size_t)vh->ncuts * sizeof(cut);
    if (vh->mmsi != mmsi || vh->nraw > NRAW || vh->ncuts > SCAN_STATE_CUTS || st->cur.len < body ||
        (st->cur.len - body) / sizeof(span_rec) < vh->nspans ||
        (st->cur.len - body) / sizeof(span_rec) - vh->nspans < vh->nholes)
        return false;
    body += (size_t)(vh->nspans + vh->nholes) * sizeof(span_rec);
    if ((st->cur.len - body) / sizeof(chunk_rec) != vh->nchunks || (st->cur.len - body) % sizeof(chunk_rec) != 0)
        return false;
    *row = st->cur.buf;
    return true;
}

bool scan_state_damaged(scan_state *st, uint32_t mmsi) {
    vessel_head vh;
    const unsigned char *row;
    return row_of(st, mmsi) && !vessel_at(st, mmsi, &vh, &row);
}

int64_t scan_state_news(scan_state *st, uint32_t mmsi, const pel_position *p, size_t n) {
    vessel_head vh;
    const unsigned char *row;
    if (!vessel_at(st, mmsi, &vh, &row))
        return n ? p[0].t_ms : INT64_MAX;
    checkpoint cp[NRAW];
    uint64_t count[NRAW] = {0}, got[NRAW] = {0};
    memcpy(cp, row + sizeof vh, vh.nraw * sizeof *cp);
    for (uint32_t k = 0; k < vh.nraw; k++) /* stored latest first: ascending here */
        count[k] = cp[vh.nraw - 1 - k].count;
    raw_digests(p, n, count, vh.nraw, got);
    for (uint32_t k = 0; k < vh.nraw; k++)
        if (cp[k].count <= n && got[vh.nraw - 1 - k] == cp[k].digest)
            return cp[k].count < n ? p[cp[k].count].t_ms : INT64_MAX;
    return n ? p[0].t_ms : INT64_MAX;
}

size_t scan_state_cuts(scan_state *st, uint32_t mmsi, const pel_position *p, size_t n, const size_t *link, size_t *out,
                       unsigned *flags) {
    vessel_head vh;
    const unsigned char *row;
    if (!vessel_at(st, mmsi, &vh, &row) || !link || !vh.ncuts)
        return 0;
    cut c[SCAN_STATE_CUTS];
    size_t idx[SCAN_STATE_CUTS], m = 0;
    memcpy(c, row + sizeof vh + vh.nraw * sizeof(checkpoint), vh.ncuts * sizeof *c);
    for (uint32_t k = 0; k < vh.ncuts; k++)
        if (c[k].i > 0 && c[k].i < n && p[c[k].i].t_ms == c[k].t_ms && p[c[k].i].t_ms > p[c[k].i - 1].t_ms)
            idx[m++] = (size_t)c[k].i;
    uint64_t dg[SCAN_STATE_CUTS];
    cut_digests(p, n, link, idx, m, dg);
    size_t nout = 0, j = 0;
    for (uint32_t k = 0; k < vh.ncuts; k++) { /* latest first, as stored */
        if (j < m && idx[j] == c[k].i) {
            if (dg[j] == c[k].digest) {
                flags[nout] = (unsigned)c[k].flags;
                out[nout++] = idx[j];
            }
            j++;
        }
    }
    return nout;
}

uint64_t scan_state_voyages(scan_state *st, uint32_t mmsi) {
    vessel_head vh;
    const unsigned char *row;
    return vessel_at(st, mmsi, &vh, &row) ? vh.voyages : 0;
}

void scan_state_set_voyages(scan_state_new *w, uint64_t digest) {
    if (w)
        w->voyages = digest;
}

bool scan_state_flags(scan_state *st, uint32_t mmsi, uint64_t *flags) {
    vessel_head vh;
    const unsigned char *row;
    if (!vessel_at(st, mmsi, &vh, &row))
        return false;
    *flags = vh.flags;
    return true;
}

void scan_state_set_flags(scan_state_new *w, uint64_t flags) {
    if (w)
        w->flags = flags;
}

void scan_state_spans(scan_state *st, uint32_t mmsi, void (*cb)(void *ud, const scan_span *s), void *ud) {
    vessel_head vh;
    const unsigned char *row;
    if (!vessel_at(st, mmsi, &vh, &row))
        return;
    const unsigned char *sp = row + sizeof vh + vh.nraw * sizeof(checkpoint) + vh.ncuts * sizeof(cut);
    for (uint32_t k = 0; k < vh.nspans; k++) {
        span_rec r;
        memcpy(&r, sp + k * sizeof r, sizeof r);
        scan_span x = {.mmsi = mmsi, .partner = r.partner, .from_ms = r.from_ms, .to_ms = r.to_ms};
        cb(ud, &x);
    }
}

void scan_state_holes(scan_state *st, uint32_t mmsi, void (*cb)(void *ud, const scan_span *s), void *ud) {
    vessel_head vh;
    const unsigned char *row;
    if (!vessel_at(st, mmsi, &vh, &row))
        return;
    const unsigned char *hp =
        row + sizeof vh + vh.nraw * sizeof(checkpoint) + vh.ncuts * sizeof(cut) + vh.nspans * sizeof(span_rec);
    for (uint64_t k = 0; k < vh.nholes; k++) {
        span_rec r;
        memcpy(&r, hp + k * sizeof r, sizeof r);
        scan_span x = {.mmsi = mmsi, .from_ms = r.from_ms, .to_ms = r.to_ms};
        cb(ud, &x);
    }
}

/* The chunk (mmsi, part) of the last state, or NULL when it has none.
 * They are asked for in ascending order: read as far as that. */
static const st_scan_row *chunk_of(scan_state *st, uint32_t mmsi, int64_t part) {
    if (!st->cit && !st->cdone && !(st->cit = st_scan_rows(st->s, true, NULL)))
        st->cdone = true;
    while (!st->cdone && (!st->chave || st->ccur.mmsi < mmsi || (st->ccur.mmsi == mmsi && st->ccur.part < part))) {
        int rc = st_scan_row_next(st->cit, &st->ccur, NULL);
        st->chave = rc > 0;
        st->cdone = rc <= 0;
    }
    return st->chave && st->ccur.mmsi == mmsi && st->ccur.part == part ? &st->ccur : NULL;
}

/* The chunks of vessel mmsi (its head vh and row's) all read back: noted
 * in st->prev for scan_state_save to compare with. */
static void note_prev(scan_state *st, uint32_t mmsi, const vessel_head *vh, const unsigned char *row) {
    scan_prev *p = &st->prev;
    if (p->failed || st->noted == mmsi)
        return;
    st->noted = mmsi;
    if (!p->f) {
        char why[200];
        int fd = util_tmp_fd("state", why, sizeof why);
        if (fd < 0 || !(p->f = fdopen(fd, "w+b"))) {
            if (fd >= 0)
                close(fd);
            p->failed = true;
            return;
        }
    }
    const unsigned char *index = row + sizeof *vh + vh->nraw * sizeof(checkpoint) + vh->ncuts * sizeof(cut) +
                                 (vh->nspans + vh->nholes) * sizeof(span_rec);
    prev_chunk e = {.mmsi = mmsi, .c = {.part = INT64_MIN}};
    bool ok = fwrite(&e, sizeof e, 1, p->f) == 1;
    for (uint32_t k = 0; ok && k < vh->nchunks; k++) {
        memcpy(&e.c, index + k * sizeof(chunk_rec), sizeof(chunk_rec));
        ok = fwrite(&e, sizeof e, 1, p->f) == 1;
    }
    if (!ok)
        p->failed = true;
}

/* Vessel mmsi's findings as records into st->rec (once a row), its chunks
 * one after the other, PEL_OK; PEL_ERR_FORMAT when a chunk is missing or
 * does not decompress to the length its index says, PEL_ERR_NOMEM. */
static pel_status records_of(scan_state *st, uint32_t mmsi, const vessel_head *vh, const unsigned char *row) {
    if (st->rec_ok && st->rec_mmsi == mmsi)
        return PEL_OK;
    const unsigned char *index = row + sizeof *vh + vh->nraw * sizeof(checkpoint) + vh->ncuts * sizeof(cut) +
                                 (vh->nspans + vh->nholes) * sizeof(span_rec);
    if (!st->dctx && !(st->dctx = ZSTD_createDCtx()))
        return PEL_ERR_NOMEM;
    size_t at = 0;
    uint64_t nf = 0;
    int64_t last = INT64_MIN;
    for (uint32_t k = 0; k < vh->nchunks; k++) {
        chunk_rec c;
        memcpy(&c, index + k * sizeof c, sizeof c);
        const st_scan_row *z = c.part > last ? chunk_of(st, mmsi, c.part) : NULL;
        /* the room for its records only once its bytes are there, and never
         * more than a thousand times them (records compress about five
         * times): a damaged length asks for no absurd memory */
        if (!z || z->len != c.nbytes || c.rawbytes > (uint64_t)z->len * 1000 + 4096 || c.rawbytes > vh->rawbytes - at)
            return PEL_ERR_FORMAT;
        if (at + c.rawbytes > st->reccap) {
            size_t cap = st->reccap ? st->reccap : 4096;
            while (cap < at + c.rawbytes)
                cap *= 2;
            unsigned char *v = realloc(st->rec, cap);
            if (!v) /* a machine's want of memory: the vessel is judged whole */
                return PEL_ERR_FORMAT;
            st->rec = v;
            st->reccap = cap;
        }
        size_t got = ZSTD_decompressDCtx(st->dctx, st->rec + at, (size_t)c.rawbytes, z->buf, z->len);
        if (ZSTD_isError(got) || got != c.rawbytes)
            return PEL_ERR_FORMAT;
        at += got;
        nf += c.nfindings;
        last = c.part;
    }
    if (at != vh->rawbytes || nf != vh->nfindings)
        return PEL_ERR_FORMAT;
    st->reclen = at;
    st->rec_mmsi = mmsi;
    st->rec_ok = true;
    return PEL_OK;
}

pel_status scan_state_each(scan_state *st, uint32_t mmsi, int (*cb)(void *ud, const fnd_finding *f), void *ud) {
    vessel_head vh;
    const unsigned char *row;
    if (!vessel_at(st, mmsi, &vh, &row))
        return PEL_OK;
    pel_status rc = records_of(st, mmsi, &vh, row);
    if (rc != PEL_OK)
        return rc;
    size_t pos = 0;
    void *scratch = NULL;
    size_t cap = 0;
    for (uint32_t k = 0; k < vh.nfindings; k++) {
        fnd_finding f;
        if (!fnd_record_get(st->rec, st->reclen, &pos, &f, &scratch, &cap)) {
            rc = PEL_ERR_FORMAT;
            break;
        }
        if (cb(ud, &f))
            break;
    }
    free(scratch);
    if (rc == PEL_OK) /* chunks that do not read back are written again */
        note_prev(st, mmsi, &vh, row);
    return rc;
}

/* ---- this scan's --------------------------------------------------------------------------- */

scan_state_new *scan_state_new_make(uint64_t print, int64_t data_start_ms, int64_t data_end_ms) {
    scan_state_new *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    state_head h = {.magic = STATE_MAGIC,
                    .version = STATE_VERSION,
                    .print = print,
                    .data_start_ms = data_start_ms,
                    .data_end_ms = data_end_ms};
    fnd_bytes_add(&w->out, &h, sizeof h);
    return w;
}

void scan_state_new_free(scan_state_new *w) {
    if (!w)
        return;
    free(w->out.v);
    free(w->e);
    free(w->cov);
    free(w);
}

bool scan_state_new_cov(scan_state_new *w, const uint64_t *hours, int64_t h0, size_t nh) {
    if (!hours)
        return true;
    if (!(w->cov = malloc((nh + 1) * sizeof *w->cov)))
        return false;
    memcpy(w->cov, hours, (nh + 1) * sizeof *w->cov);
    w->cov_h0 = h0;
    w->cov_n = nh + 1;
    return true;
}

void scan_state_begin(scan_state_new *w, uint32_t mmsi, const pel_position *p, size_t n) {
    if (!w)
        return;
    w->mmsi = mmsi;
    w->voyages = 0;
    w->flags = 0;
    /* the checkpoints: the whole track, then the last position at least
     * 1, 2 and 4 days before its end (ascending counts for raw_digests) */
    static const int64_t back_ms[NRAW] = {4 * 86400000, 2 * 86400000, 86400000, 0};
    uint64_t count[NRAW] = {0}, got[NRAW] = {0};
    size_t m = 0, k = 0;
    for (int b = 0; b < NRAW && n; b++) {
        int64_t limit = p[n - 1].t_ms - back_ms[b];
        while (k < n && p[k].t_ms <= limit)
            k++;
        if (k && (!m || count[m - 1] != k))
            count[m++] = k;
    }
    raw_digests(p, n, count, m, got);
    w->nraw = (uint32_t)m;
    for (size_t c = 0; c < m; c++) /* latest first */
        w->raw[c] = (checkpoint){.count = count[m - 1 - c], .digest = got[m - 1 - c]};
}

void scan_state_end(scan_state_new *w, const pel_position *p, size_t n, const size_t *link, const size_t *cuts,
                    size_t ncuts) {
    if (!w)
        return;
    cut c[SCAN_STATE_CUTS];
    uint64_t dg[SCAN_STATE_CUTS];
    size_t nc = p && link ? (ncuts < SCAN_STATE_CUTS ? ncuts : SCAN_STATE_CUTS) : 0;
    cut_digests(p, n, link, cuts, nc, dg);
    for (size_t k = 0; k < nc; k++)
        c[k] = (cut){.i = cuts[k], .t_ms = p[cuts[k]].t_ms, .digest = dg[k]};
    if (w->ne == w->cape) {
        size_t cap = w->cape ? 2 * w->cape : 1024;
        entry *v = realloc(w->e, cap * sizeof *v);
        if (!v) {
            w->nomem = true;
            return;
        }
        w->e = v;
        w->cape = cap;
    }
    vessel_head vh = {
        .mmsi = w->mmsi, .nraw = w->nraw, .ncuts = (uint32_t)nc, .voyages = w->voyages, .flags = w->flags};
    size_t off = w->out.n;
    fnd_bytes_add(&w->out, &vh, sizeof vh);
    fnd_bytes_add(&w->out, w->raw, w->nraw * sizeof *w->raw);
    fnd_bytes_add(&w->out, c, nc * sizeof *c);
    w->e[w->ne++] = (entry){.mmsi = w->mmsi, .off = off, .len = w->out.n - off};
}

/* A kept finding of the set: its vessel, its week and its place in the set. */
typedef struct kept_ref {
    uint32_t mmsi;
    int64_t part;
    size_t i;
} kept_ref;

static int cmp_kept(const void *a, const void *b) {
    const kept_ref *x = a, *y = b;
    if (x->mmsi != y->mmsi)
        return x->mmsi < y->mmsi ? -1 : 1;
    if (x->part != y->part)
        return x->part < y->part ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The week of time t (UTC weeks since 1970, rounded down). */
static int64_t week_of(int64_t t) {
    return t >= 0 ? t / WEEK_MS : -((-t + WEEK_MS - 1) / WEEK_MS);
}

/* A digest of n bytes. */
static uint64_t bytes_digest(const unsigned char *b, size_t n) {
    uint64_t h = util_mix(SEED, n);
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t v;
        memcpy(&v, b + k, 8);
        h = util_mix(h, v);
    }
    uint64_t tail = 0;
    memcpy(&tail, b + k, n - k);
    return util_mix(h, tail);
}

/* The entries of prev about vessel mmsi (vessels come in ascending order:
 * those before it are passed over) into prev->v[0, n), its mark first;
 * true when the vessel's chunks all read back (it has its mark).  A file
 * that fails to read is taken as ended: the vessels after write every
 * chunk. */
static bool prev_of(scan_prev *prev, uint32_t mmsi) {
    if (!prev)
        return false;
    prev->n = 0;
    for (;;) {
        if (!prev->have_next) {
            if (prev->eof || !prev->f || fread(&prev->next, sizeof prev->next, 1, prev->f) != 1) {
                prev->eof = true;
                break;
            }
            prev->have_next = true;
        }
        if (prev->next.mmsi > mmsi)
            break;
        prev->have_next = false;
        if (prev->next.mmsi < mmsi)
            continue;
        if (prev->n == prev->cap) {
            size_t cap = prev->cap ? 2 * prev->cap : 64;
            prev_chunk *v = realloc(prev->v, cap * sizeof *v);
            if (!v) { /* not known: its chunks are written again */
                prev->n = 0;
                prev->failed = true;
                return false;
            }
            prev->v = v;
            prev->cap = cap;
        }
        prev->v[prev->n++] = prev->next;
    }
    return prev->n > 0 && prev->v[0].c.part == INT64_MIN;
}

pel_status scan_state_save(scan_state_new *w, const fnd_set *set, bool (*keep)(const fnd_set *set, size_t i),
                           uint64_t vessels, const scan_span *spans, size_t nspans, const scan_span *holes,
                           size_t nholes, scan_prev *prev, pel_store *s, scan_save_stats *stats, pel_error *err) {
    if (w->out.nomem || w->nomem)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    /* the kept findings by vessel and week, in the set's order within one */
    size_t n = fnd_set_count(set), nk = 0;
    kept_ref *kr = malloc((n ? n : 1) * sizeof *kr);
    if (!kr)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (keep(set, i)) {
            fnd_key k = fnd_set_key(set, i);
            kr[nk++] = (kept_ref){.mmsi = k.mmsi, .part = week_of(k.start_ms), .i = i};
        }
    xqsort(kr, nk, sizeof *kr, cmp_kept);
    st_scan_writer *sw = st_scan_write_begin(s, prev == NULL, err);
    if (!sw) {
        free(kr);
        return err && err->code ? err->code : PEL_ERR_IO;
    }
    fnd_bytes row = {0}, recs = {0}, index = {0};
    unsigned char *z = NULL;
    size_t zcap = 0;
    /* level 1, and a checksum of the content: a chunk damaged on disk is
     * told from one intact (the reader judges its vessel whole) */
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    pel_status st = cctx && !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1)) &&
                            !ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1))
                        ? PEL_OK
                        : pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    size_t r = 0, sp = 0, ho = 0;
    for (size_t e = 0; e < w->ne && st == PEL_OK; e++) {
        uint32_t mmsi = w->e[e].mmsi;
        while (r < nk && kr[r].mmsi < mmsi)
            r++; /* about a vessel no row was kept for: none */
        while (sp < nspans && spans[sp].mmsi < mmsi)
            sp++;
        size_t sp1 = sp;
        while (sp1 < nspans && spans[sp1].mmsi == mmsi)
            sp1++;
        vessel_head vh;
        memcpy(&vh, w->out.v + w->e[e].off, sizeof vh);
        /* its cuts' flags, and the spans that end after its earliest cut */
        unsigned char *cuts = w->out.v + w->e[e].off + sizeof vh + vh.nraw * sizeof(checkpoint);
        int64_t earliest = INT64_MAX;
        for (uint32_t k = 0; k < vh.ncuts; k++) {
            cut c;
            memcpy(&c, cuts + k * sizeof c, sizeof c);
            bool inside = false;
            for (size_t j = sp; j < sp1 && !inside; j++)
                inside = spans[j].from_ms <= c.t_ms && c.t_ms <= spans[j].to_ms;
            c.flags = inside ? 0 : SCAN_CUT_ENCOUNTER;
            memcpy(cuts + k * sizeof c, &c, sizeof c);
            if (c.t_ms < earliest)
                earliest = c.t_ms;
        }
        vh.nspans = 0;
        for (size_t j = sp; j < sp1; j++)
            vh.nspans += spans[j].to_ms >= earliest;
        while (ho < nholes && holes[ho].mmsi < mmsi)
            ho++;
        size_t ho1 = ho;
        while (ho1 < nholes && holes[ho1].mmsi == mmsi)
            ho1++;
        vh.nholes = ho1 - ho;
        /* its chunks: a week whose records come out as the last state's
         * keeps its chunk; the others are written, the weeks gone dropped
         * (a vessel whose chunks did not all read back: dropped first) */
        bool known = prev_of(prev, mmsi);
        if (prev && !known)
            st = st_scan_write_chunk(sw, mmsi, INT64_MIN, NULL, 0, err);
        size_t pk = known ? 1 : 0, p1 = known ? prev->n : 0; /* the old chunks not yet matched, by part */
        index.n = 0;
        vh.nchunks = 0;
        vh.rawbytes = 0;
        while (st == PEL_OK && r < nk && kr[r].mmsi == mmsi) {
            chunk_rec c = {.part = kr[r].part};
            recs.n = 0;
            for (; r < nk && kr[r].mmsi == mmsi && kr[r].part == c.part; r++) {
                const fnd_finding *f = fnd_set_get(set, kr[r].i);
                if (!f) {
                    st = pel_fail(err, PEL_ERR_IO, "%s", fnd_set_error(set));
                    break;
                }
                fnd_record_put(&recs, f);
                c.nfindings++;
            }
            if (st != PEL_OK)
                break;
            if (recs.nomem) {
                st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
                break;
            }
            c.rawbytes = recs.n;
            c.digest = bytes_digest(recs.v, recs.n);
            for (; pk < p1 && prev->v[pk].c.part < c.part; pk++) /* a week gone */
                if ((st = st_scan_write_chunk(sw, mmsi, prev->v[pk].c.part, NULL, 0, err)) != PEL_OK)
                    break;
            const chunk_rec *old = pk < p1 && prev->v[pk].c.part == c.part ? &prev->v[pk++].c : NULL;
            if (st == PEL_OK && old && old->digest == c.digest && old->rawbytes == c.rawbytes &&
                old->nfindings == c.nfindings) {
                c.nbytes = old->nbytes; /* the same: its chunk stays */
                if (stats)
                    stats->chunks_kept++;
            } else if (st == PEL_OK) {
                size_t zlen = ZSTD_compressBound(recs.n);
                if (zlen > zcap) {
                    unsigned char *nz = realloc(z, zlen);
                    if (!nz) {
                        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
                        break;
                    }
                    z = nz;
                    zcap = zlen;
                }
                zlen = ZSTD_compress2(cctx, z, zcap, recs.v, recs.n);
                if (ZSTD_isError(zlen)) {
                    st = pel_fail(err, PEL_ERR_NOMEM, "compressing the scan state: %s", ZSTD_getErrorName(zlen));
                    break;
                }
                c.nbytes = zlen;
                st = st_scan_write_chunk(sw, mmsi, c.part, z, zlen, err);
                if (stats)
                    stats->chunks_written++;
            }
            fnd_bytes_add(&index, &c, sizeof c);
            vh.nchunks++;
            vh.nfindings += c.nfindings;
            vh.rawbytes += c.rawbytes;
        }
        for (; st == PEL_OK && pk < p1; pk++) /* the weeks gone after the last kept */
            st = st_scan_write_chunk(sw, mmsi, prev->v[pk].c.part, NULL, 0, err);
        row.n = 0;
        fnd_bytes_add(&row, &vh, sizeof vh);
        fnd_bytes_add(&row, w->out.v + w->e[e].off + sizeof vh, w->e[e].len - sizeof vh);
        for (size_t j = sp; j < sp1; j++)
            if (spans[j].to_ms >= earliest) {
                span_rec sr = {.partner = spans[j].partner, .from_ms = spans[j].from_ms, .to_ms = spans[j].to_ms};
                fnd_bytes_add(&row, &sr, sizeof sr);
            }
        for (; ho < ho1; ho++) {
            span_rec hr = {.from_ms = holes[ho].from_ms, .to_ms = holes[ho].to_ms};
            fnd_bytes_add(&row, &hr, sizeof hr);
        }
        fnd_bytes_add(&row, index.v, index.n);
        if (st == PEL_OK && (row.nomem || index.nomem))
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        if (st == PEL_OK)
            st = st_scan_write_row(sw, mmsi, row.v, row.n, err);
    }
    state_head h;
    memcpy(&h, w->out.v, sizeof h);
    h.vessels = vessels;
    h.nentries = w->ne;
    h.cov_h0 = w->cov_h0;
    h.cov_n = w->cov_n;
    fnd_bytes head = {0};
    fnd_bytes_add(&head, &h, sizeof h);
    fnd_bytes_add(&head, w->cov, w->cov_n * sizeof *w->cov);
    if (st == PEL_OK && head.nomem)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    pel_status end = st_scan_write_end(sw, head.v, head.n, st == PEL_OK, st == PEL_OK ? err : NULL);
    free(head.v);
    free(kr);
    free(row.v);
    free(recs.v);
    free(index.v);
    free(z);
    ZSTD_freeCCtx(cctx);
    return st != PEL_OK ? st : end;
}
