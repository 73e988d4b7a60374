/*
 * scan_state.c -- what a whole-store scan keeps for the next (scan_state.h).
 *
 * The bytes (native byte order: a cache for this build, dropped when its
 * version or fingerprint differs):
 *
 *   head      magic "PELSCAN", version, the fingerprint, the vessels
 *   vessel    in ascending MMSI: mmsi, its cuts, its findings' bytes and
 *             count, then the cuts (index, time, digest) and the findings
 *             (findings/record.h)
 *
 * A cut's digest (digest_at) folds what the quietness at position i rests
 * on: every field of the positions before i and their chain links, the
 * position i itself, and each position a chain goes on to from before i
 * (the position that closed a visit or a stay).  A track with the same
 * digest at i had the same state at i: none.
 *
 * The cuts of a vessel: its latest quiet position, then the latest ones at
 * least 1, 2 and 4 days before its last position, so that a late position
 * falls back to an earlier cut rather than to the whole track.
 */
#include <stdlib.h>
#include <string.h>

#include "detect/detectors.h"
#include "scan_state.h"
#include "util/fail.h"

#define STATE_MAGIC "PELSCAN"
#define STATE_VERSION 1u
#define NCUTS 4

typedef struct state_head {
    char magic[8];
    uint32_t version, spare;
    uint64_t print, nvessels;
} state_head;

typedef struct vessel_head {
    uint32_t mmsi, ncuts, nfindings, spare;
    uint64_t nbytes; /* of its findings */
} vessel_head;

typedef struct cut {
    uint64_t i;
    int64_t t_ms;
    uint64_t digest;
} cut;

typedef struct vessel_ref {
    uint32_t mmsi;
    size_t off; /* of its vessel_head in buf */
} vessel_ref;

struct scan_state {
    unsigned char *buf;
    size_t len;
    vessel_ref *v;
    size_t nv;
};

struct scan_state_new {
    fnd_bytes out;     /* the head and the vessels ended */
    fnd_bytes pending; /* the findings of the vessel under way */
    uint32_t npending;
    uint64_t nvessels;
};

/* ---- digests ------------------------------------------------------------------------------- */

#define FNV_PRIME 1099511628211u

static uint64_t fold(uint64_t h, uint64_t v) {
    for (int k = 0; k < 8; k++, v >>= 8)
        h = (h ^ (v & 0xff)) * FNV_PRIME;
    return h;
}

/* Every field of p (no padding: field by field). */
static uint64_t fold_pos(uint64_t h, const pel_position *p) {
    h = fold(h, p->mmsi);
    h = fold(h, (uint64_t)p->t_ms);
    h = fold(h, (uint64_t)(uint32_t)p->lat << 32 | (uint32_t)p->lon);
    h = fold(h, (uint64_t)p->speed << 48 | (uint64_t)p->course << 32 | (uint64_t)p->heading << 16 |
                    (uint64_t)p->status << 8 | p->type);
    h = fold(h, (uint64_t)p->flags << 32 | (uint32_t)p->segment);
    h = fold(h, (uint64_t)p->input << 32 | p->source);
    h = fold(h, p->line);
    h = fold(h, (uint64_t)(uint8_t)p->second << 8 | p->clock);
    return h;
}

/* The digest of the quietness at i (the head comment). */
static uint64_t digest_at(const pel_position *p, size_t n, const size_t *link, size_t i) {
    const size_t *next = link, *prev = link + n;
    uint64_t h = 14695981039346656037u;
    for (size_t k = 0; k < i; k++) {
        h = fold_pos(h, &p[k]);
        h = fold(h, next[k]);
        h = fold(h, prev[k]);
        if (next[k] != DET_CHAIN_END && next[k] >= i)
            h = fold_pos(fold(h, k), &p[next[k]]);
    }
    return fold_pos(fold(h, i), &p[i]);
}

/* ---- the last scan's ---------------------------------------------------------------------------- */

void scan_state_free(scan_state *st) {
    if (!st)
        return;
    free(st->buf);
    free(st->v);
    free(st);
}

scan_state *scan_state_load(pel_store *s, uint64_t print) {
    void *buf = NULL;
    size_t len = 0;
    if (st_scan_state_get(s, &buf, &len, NULL) != PEL_OK || !buf)
        return NULL;
    state_head h;
    scan_state *st = calloc(1, sizeof *st);
    if (!st || len < sizeof h) {
        free(buf);
        free(st);
        return NULL;
    }
    memcpy(&h, buf, sizeof h);
    st->buf = buf;
    st->len = len;
    if (memcmp(h.magic, STATE_MAGIC, sizeof STATE_MAGIC) || h.version != STATE_VERSION || h.print != print ||
        h.nvessels > len / sizeof(vessel_head) || !(st->v = malloc((h.nvessels ? h.nvessels : 1) * sizeof *st->v))) {
        scan_state_free(st);
        return NULL;
    }
    size_t at = sizeof h;
    for (uint64_t k = 0; k < h.nvessels; k++) {
        vessel_head vh;
        if (len - at < sizeof vh) {
            scan_state_free(st);
            return NULL;
        }
        memcpy(&vh, st->buf + at, sizeof vh);
        size_t body = (size_t)vh.ncuts * sizeof(cut);
        if (vh.ncuts > NCUTS || len - at - sizeof vh < body || len - at - sizeof vh - body < vh.nbytes ||
            (st->nv && st->v[st->nv - 1].mmsi >= vh.mmsi)) {
            scan_state_free(st);
            return NULL;
        }
        st->v[st->nv++] = (vessel_ref){.mmsi = vh.mmsi, .off = at};
        at += sizeof vh + body + vh.nbytes;
    }
    return st;
}

/* Vessel mmsi's head (copied into *vh) and the offset of its cuts, or 0. */
static size_t vessel_at(const scan_state *st, uint32_t mmsi, vessel_head *vh) {
    size_t lo = 0, hi = st ? st->nv : 0;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (st->v[m].mmsi < mmsi)
            lo = m + 1;
        else
            hi = m;
    }
    if (!st || lo == st->nv || st->v[lo].mmsi != mmsi)
        return 0;
    memcpy(vh, st->buf + st->v[lo].off, sizeof *vh);
    return st->v[lo].off + sizeof *vh;
}

size_t scan_state_from(const scan_state *st, uint32_t mmsi, const pel_position *p, size_t n, const size_t *link) {
    vessel_head vh;
    size_t at = vessel_at(st, mmsi, &vh);
    if (!at || !link)
        return 0;
    for (uint32_t k = 0; k < vh.ncuts; k++) { /* the latest first */
        cut c;
        memcpy(&c, st->buf + at + k * sizeof c, sizeof c);
        if (c.i > 0 && c.i < n && p[c.i].t_ms == c.t_ms && p[c.i].t_ms > p[c.i - 1].t_ms &&
            digest_at(p, n, link, (size_t)c.i) == c.digest)
            return (size_t)c.i;
    }
    return 0;
}

pel_status scan_state_kept(const scan_state *st, uint32_t mmsi, int64_t before_ms, fnd_set *set, scan_state_new *w) {
    vessel_head vh;
    size_t at = vessel_at(st, mmsi, &vh);
    if (!at)
        return PEL_OK;
    const unsigned char *rec = st->buf + at + vh.ncuts * sizeof(cut);
    size_t pos = 0;
    void *scratch = NULL;
    size_t cap = 0;
    pel_status rc = PEL_OK;
    for (uint32_t k = 0; k < vh.nfindings && rc == PEL_OK; k++) {
        fnd_finding f;
        if (!fnd_record_get(rec, (size_t)vh.nbytes, &pos, &f, &scratch, &cap)) {
            rc = PEL_ERR_FORMAT;
            break;
        }
        if (f.start_ms >= before_ms)
            continue;
        if ((rc = fnd_set_add(set, &f)) == PEL_OK)
            scan_state_finding(w, &f);
    }
    free(scratch);
    return rc;
}

/* ---- this scan's --------------------------------------------------------------------------- */

scan_state_new *scan_state_new_make(uint64_t print) {
    scan_state_new *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    state_head h = {.magic = STATE_MAGIC, .version = STATE_VERSION, .print = print};
    fnd_bytes_add(&w->out, &h, sizeof h);
    return w;
}

void scan_state_new_free(scan_state_new *w) {
    if (!w)
        return;
    free(w->out.v);
    free(w->pending.v);
    free(w);
}

void scan_state_finding(scan_state_new *w, const fnd_finding *f) {
    if (!w)
        return;
    fnd_record_put(&w->pending, f);
    w->npending++;
}

void scan_state_vessel(scan_state_new *w, uint32_t mmsi, const pel_position *p, size_t n, const size_t *link,
                       const uint8_t *busy, size_t from) {
    if (!w)
        return;
    cut cuts[NCUTS];
    uint32_t nc = 0;
    /* the latest quiet position, then the latest at least 1, 2, 4 days before the last */
    static const int64_t back_ms[NCUTS] = {0, 86400000, 2 * 86400000, 4 * 86400000};
    size_t i = n;
    for (int b = 0; b < NCUTS && link && n; b++) {
        int64_t limit = p[n - 1].t_ms - back_ms[b];
        while (i > from && i > 1) {
            i--;
            if ((i == from || !busy[i]) && p[i].t_ms > p[i - 1].t_ms && p[i].t_ms <= limit) {
                cuts[nc++] = (cut){.i = i, .t_ms = p[i].t_ms, .digest = digest_at(p, n, link, i)};
                break;
            }
        }
    }
    vessel_head vh = {.mmsi = mmsi, .ncuts = nc, .nfindings = w->npending, .nbytes = w->pending.n};
    fnd_bytes_add(&w->out, &vh, sizeof vh);
    fnd_bytes_add(&w->out, cuts, nc * sizeof *cuts);
    if (w->pending.n)
        fnd_bytes_add(&w->out, w->pending.v, w->pending.n);
    w->out.nomem |= w->pending.nomem;
    w->pending.n = 0;
    w->npending = 0;
    w->nvessels++;
}

pel_status scan_state_save(scan_state_new *w, pel_store *s, pel_error *err) {
    if (w->out.nomem)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    state_head h;
    memcpy(&h, w->out.v, sizeof h);
    h.nvessels = w->nvessels;
    memcpy(w->out.v, &h, sizeof h);
    return st_scan_state_put(s, w->out.v, w->out.n, err);
}
