/*
 * det_encounter.c -- encounters: two vessels close together, slow, far from
 * any port, for hours (a possible ship-to-ship transfer).  Global Fishing
 * Watch's definition: within 500 m for at least 2 h, the median speed of
 * each vessel under 2 kn, at least 10 km from any port or anchorage;
 * encounters of the same pair less than 4 h apart are merged.
 *
 * Method.
 *  1. Resampling (det_enc_add_track).  Each track is resampled at the times
 *     that are multiples of step_s (600 s) in Unix time, by linear
 *     interpolation between the raw positions on either side of the step
 *     time, never across a silence longer than max_interp_gap_s (3600 s): a
 *     step inside such a silence has no point.  A raw position exactly at a
 *     step time is used as it is.  Each point keeps a speed (SOG
 *     interpolated when both raw positions have one, else the one that
 *     exists, else the speed implied by the two raw positions) and the raw
 *     position nearest in time (ties: the earlier), whose input and line
 *     are the evidence.  The points go to a temporary file, by window (a
 *     day of steps): each window buffers a block of 128 points in memory
 *     and appends it to the file when full, each block naming the window's
 *     previous one.  Nothing of a track is kept until every allocation for
 *     it has been made; a write that fails fails the accumulator for good.
 *  2. Pairing (det_enc_run), one window at a time in time order: its points
 *     are read back (its blocks and its buffer), sorted by step and vessel,
 *     and within a step go into a grid of cells max_distance_m high and as
 *     wide in degrees; each point looks at the cells that can hold a point
 *     within max_distance_m: the latitude bands either side, and the
 *     longitude range that the haversine formula bounds at the highest
 *     latitude of those bands (wrapping at the antimeridian).  Never all
 *     pairs.  A pair is close at a step when the great-circle distance <=
 *     max_distance_m.
 *  3. Runs.  Consecutive close steps of a pair form a run; a missing step
 *     (not close, or a vessel without a point) ends it.  A run's duration is
 *     its last close step minus its first (13 steps = 2 h): start and end
 *     are times at which the pair was actually seen close.  A run is a raw
 *     encounter when duration >= min_duration_h, the median speed of each
 *     vessel over the run is < max_median_speed_kn, and the run's mean
 *     position (mean of both vessels' points) is >= min_port_distance_m
 *     from the nearest port (rule skipped without port data).  Runs are
 *     built as the windows go: the pairs with an open run or raw encounters
 *     that may still merge are carried from window to window (sorted by
 *     pair), each close step with what the measures and the evidence need
 *     of both points; a run ends at the first window that does not continue
 *     it.
 *  4. Merging.  Raw encounters of a pair whose gap (next start - previous
 *     end) is < merge_gap_h are one finding spanning both; its measures are
 *     taken over the union of their close steps.  A pair's finding is made
 *     once no raw encounter to come could start within merge_gap_h of its
 *     end, and emitted once no finding to come could start before it.
 *
 * Findings: event "encounter", mmsi < mmsi2, start/end, the mean position,
 * members duration_h, steps, median_distance_m, min_distance_m,
 * median_speed_kn (both vessels' speeds together), speed_kn_1, speed_kn_2
 * (each vessel's median), port_distance_km, nearest_port, and
 * "port_distance":"unknown" when there is no port data; evidence: the raw
 * positions nearest to each close step, both vessels (consecutive repeats
 * counted once).  Order: (start, mmsi, mmsi2, end).
 *
 * Limits: memory does not grow with the length of the history: it is the
 * points of the busiest window (32 bytes each, 12 more for the grid and 8
 * for the sort, plus 24 bytes per close pair-step of the window), the
 * close steps of the runs still open or waiting for a merge (56 bytes
 * each: a pair close for a month holds 4,320 of them), the findings not
 * emitted yet, a 4 KiB block per window with points, about 30 bytes per
 * vessel, and the points of the longest track while it is added.  The
 * temporary file ($TMPDIR, else /tmp, unlinked as soon as it is made:
 * nothing is left behind) holds 32 bytes per resampled point (a vessel
 * reporting for a month is 4,320 points at 10 min), 16 more per 128; none
 * is made while every window holds fewer than 128 points.  At most 2^32-2
 * points a window.  Speeds are medians of tenths of a knot.  The grid is
 * exact (no pair within the distance is missed) but near the poles the
 * longitude range grows and pairing slows down.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detectors.h"
#include "findings/write.h"
#include "track/trk.h"
#include "util/fail.h"
#include "util/tmpfd.h"
#include "util/xsort.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define KN_MS (1852.0 / 3600.0) /* metres per second in a knot */
#define WINDOW_S 86400          /* a window of steps: one day (at least one step) */
#define BLOCK_PTS 128           /* points in a block of the temporary file (4 KiB) */

/* A resampled point: in memory and, the same bytes, in the temporary file. */
typedef struct rpt {
    uint64_t line; /* evidence: the nearest raw position */
    uint32_t input;
    int32_t step; /* t / step_s */
    int32_t lat, lon;
    uint32_t vessel; /* the order its track was added in; its rank by MMSI while a window is paired */
    uint16_t speed;  /* 1/10 knot */
} rpt;

/* A block of one window's points.  Only full blocks are written; each
 * names the window's block written before it. */
typedef struct block {
    int64_t prev; /* file offset of the window's previous block, -1: none */
    uint64_t n;   /* BLOCK_PTS */
    rpt pt[BLOCK_PTS];
} block;

/* A window: the steps [id * wsteps, (id + 1) * wsteps). */
typedef struct win {
    int64_t head; /* file offset of its last full block, -1: none */
    block *buf;   /* its points not written yet (buf->n of them), NULL until it has one */
    uint64_t npt; /* its points, written or not */
} win;

struct det_enc {
    det_enc_opts o;
    int32_t wsteps; /* steps per window */
    win *w;         /* windows w0 .. w0 + nw - 1 */
    int64_t w0;
    size_t nw;
    int fd;        /* the temporary file (unlinked), -1 until the first block */
    int64_t fdend; /* its length */
    uint64_t npt;  /* points in all */
    rpt *scr;      /* one track's points while they are resampled */
    size_t capscr;
    uint32_t *mmsi; /* per vessel, in the order added */
    size_t nv, capv;
    pel_status failed; /* an I/O failure while adding: every later call returns it */
    char msg[256];     /* what failed last */
    /* NULL, or told every run of close steps (det_enc_on_span) */
    void (*span)(void *ud, uint32_t mmsi, uint32_t partner, int64_t from_ms, int64_t to_ms);
    void *span_ud;
};

typedef struct cell {
    int32_t cy, cx;
    uint32_t i; /* point of the window */
} cell;

/* A close pair at a step, while its window is paired. */
typedef struct closerec {
    uint32_t a, b;   /* points (of the window) of the lower and higher vessel */
    uint32_t va, vb; /* their vessels (ranks) */
    int32_t step;
    float dist;
} closerec;

/* A close step of a pair, with what the measures and the evidence need of
 * both points ([0] the lower vessel's, [1] the higher's): it outlives its
 * window while its run is open or may be merged. */
typedef struct cstep {
    uint64_t line[2];
    uint32_t input[2];
    int32_t lat[2], lon[2];
    int32_t step;
    float dist;
    uint16_t speed[2];
} cstep;

typedef struct cvec {
    cstep *v;
    size_t n, cap;
} cvec;

typedef struct rawenc {
    size_t c0, c1; /* close steps [c0, c1) */
} rawenc;

/* A pair with an open run or raw encounters waiting for a merge. */
typedef struct pstate {
    uint32_t va, vb; /* ranks, va < vb */
    cvec run;        /* the open run's close steps, n 0: none */
    cvec chain;      /* the close steps of the raw encounters waiting */
    rawenc *raw;     /* those encounters, in chain */
    size_t nraw, capraw;
} pstate;

void det_enc_default_opts(det_enc_opts *o) {
    det_opts_default(&det_table[DET_ENCOUNTER], o);
}

det_enc *det_enc_new(const det_enc_opts *o) {
    det_enc *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    det_enc_default_opts(&e->o);
    if (o) {
        int step = e->o.step_s, gap = e->o.max_interp_gap_s;
        e->o = *o;
        if (e->o.step_s <= 0)
            e->o.step_s = step;
        if (e->o.max_interp_gap_s <= 0)
            e->o.max_interp_gap_s = gap;
    }
    e->wsteps = e->o.step_s >= WINDOW_S ? 1 : WINDOW_S / e->o.step_s;
    e->fd = -1;
    return e;
}

void det_enc_free(det_enc *e) {
    if (!e)
        return;
    for (size_t k = 0; k < e->nw; k++)
        free(e->w[k].buf);
    free(e->w);
    if (e->fd >= 0)
        close(e->fd);
    free(e->scr);
    free(e->mmsi);
    free(e);
}

const char *det_enc_message(const det_enc *e) {
    return e && e->msg[0] ? e->msg : "out of memory";
}

static int64_t floor_div(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static uint16_t tenths(double kn) {
    if (!(kn >= 0))
        return 0;
    return kn * 10 > PEL_NA_SPEED - 1 ? PEL_NA_SPEED - 1 : (uint16_t)lround(kn * 10);
}

/* Longitude difference b - a folded into (-180, 180] degrees, in units. */
static int64_t dlon_wrap(int32_t a, int32_t b) {
    int64_t d = (int64_t)b - a;
    if (d > 180LL * PEL_DEG)
        d -= 360LL * PEL_DEG;
    else if (d <= -180LL * PEL_DEG)
        d += 360LL * PEL_DEG;
    return d;
}

static int32_t lon_norm(int64_t lon) {
    while (lon >= 180LL * PEL_DEG)
        lon -= 360LL * PEL_DEG;
    while (lon < -180LL * PEL_DEG)
        lon += 360LL * PEL_DEG;
    return (int32_t)lon;
}

/* ---- the temporary file ----------------------------------------------------------- */

static pel_status io_fail(det_enc *e, const char *what, int errnum) {
    snprintf(e->msg, sizeof e->msg, "encounters: %s the temporary file: %s", what,
             errnum ? strerror(errnum) : "it ended early");
    return PEL_ERR_IO;
}

/* Opens the temporary file: in $TMPDIR (else /tmp), unlinked at once, so
 * that nothing is left behind whatever happens. */
static pel_status tmp_open(det_enc *e) {
    char why[240];
    int fd = util_tmp_fd("encounter", why, sizeof why);
    if (fd < 0) {
        snprintf(e->msg, sizeof e->msg, "encounters: %s", why);
        return PEL_ERR_IO;
    }
    e->fd = fd;
    return PEL_OK;
}

/* Writes window w's full buffer as a block at the end of the file. */
static pel_status flush_block(det_enc *e, win *w) {
    if (e->fd < 0) {
        pel_status st = tmp_open(e);
        if (st != PEL_OK)
            return st;
    }
    w->buf->prev = w->head;
    const char *p = (const char *)w->buf;
    size_t left = sizeof *w->buf;
    int64_t at = e->fdend;
    while (left) {
        ssize_t k = pwrite(e->fd, p, left, (off_t)at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return io_fail(e, "writing", k < 0 ? errno : ENOSPC);
        p += k, left -= (size_t)k, at += k;
    }
    w->head = e->fdend;
    e->fdend = at;
    w->buf->n = 0;
    return PEL_OK;
}

static pel_status read_block(det_enc *e, int64_t at, block *b) {
    char *p = (char *)b;
    size_t left = sizeof *b;
    while (left) {
        ssize_t k = pread(e->fd, p, left, (off_t)at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return io_fail(e, "reading", k < 0 ? errno : 0);
        p += k, left -= (size_t)k, at += k;
    }
    return b->n == BLOCK_PTS ? PEL_OK : io_fail(e, "reading", 0);
}

/* Makes the windows cover [a, b].  -1 when out of memory (nothing changed). */
static int cover(det_enc *e, int64_t a, int64_t b) {
    if (e->nw && a >= e->w0 && b < e->w0 + (int64_t)e->nw)
        return 0;
    int64_t lo = e->nw && e->w0 < a ? e->w0 : a,
            hi = e->nw && e->w0 + (int64_t)e->nw - 1 > b ? e->w0 + (int64_t)e->nw - 1 : b;
    if ((uint64_t)(hi - lo) >= SIZE_MAX / sizeof(win) / 2)
        return -1;
    size_t n = (size_t)(hi - lo + 1);
    win *nw = malloc(n * sizeof *nw);
    if (!nw)
        return -1;
    for (size_t k = 0; k < n; k++)
        nw[k] = (win){.head = -1};
    if (e->nw)
        memcpy(nw + (e->w0 - lo), e->w, e->nw * sizeof *nw);
    free(e->w);
    e->w = nw;
    e->w0 = lo;
    e->nw = n;
    return 0;
}

/* ---- resampling ------------------------------------------------------------------ */

pel_status det_enc_add_track(det_enc *e, uint32_t mmsi, const pel_position *p, size_t n) {
    if (!e)
        return PEL_ERR_ARG;
    if (e->failed != PEL_OK)
        return e->failed;
    e->msg[0] = 0;
    if (e->nv == e->capv) {
        size_t nc = e->capv ? 2 * e->capv : 1024;
        uint32_t *nm = realloc(e->mmsi, nc * sizeof *nm);
        if (!nm)
            return PEL_ERR_NOMEM;
        e->mmsi = nm;
        e->capv = nc;
    }
    if (!n)
        return PEL_OK;
    if (e->nv >= UINT32_MAX)
        return PEL_ERR_ARG;
    const int64_t step_ms = (int64_t)e->o.step_s * 1000, gap_ms = (int64_t)e->o.max_interp_gap_s * 1000;
    int64_t s0 = -floor_div(-p[0].t_ms, step_ms), s1 = floor_div(p[n - 1].t_ms, step_ms);
    if (s1 < s0)
        s1 = s0 - 1;
    if (s0 < INT32_MIN || s1 > INT32_MAX)
        return PEL_ERR_ARG;
    /* resampled into e->scr first: nothing is kept until every allocation
     * has been made */
    uint32_t v = (uint32_t)e->nv;
    size_t m = 0, i = 0;
    for (int64_t s = s0; s <= s1; s++) {
        int64_t t = s * step_ms;
        while (i + 1 < n && p[i + 1].t_ms <= t)
            i++;
        const pel_position *a = &p[i], *b = i + 1 < n ? &p[i + 1] : NULL, *near;
        rpt r;
        memset(&r, 0, sizeof r); /* the padding too: the bytes go to the file */
        if (a->t_ms == t) {
            near = a;
            r.lat = a->lat;
            r.lon = a->lon;
            if (a->speed != PEL_NA_SPEED)
                r.speed = a->speed;
            else if (b && b->t_ms - a->t_ms <= gap_ms && b->speed != PEL_NA_SPEED)
                r.speed = b->speed;
            else if (b && b->t_ms - a->t_ms <= gap_ms)
                r.speed =
                    tenths(trk_distance_m(a->lat, a->lon, b->lat, b->lon) / ((b->t_ms - a->t_ms) / 1000.0) / KN_MS);
            else
                r.speed = 0;
        } else {
            if (!b || a->t_ms > t || b->t_ms - a->t_ms > gap_ms) {
                /* before the first, or inside a silence: straight to the
                 * step after the next position's time */
                if (b && b->t_ms > t)
                    s = -floor_div(-b->t_ms, step_ms) - 1;
                continue;
            }
            double f = (double)(t - a->t_ms) / (double)(b->t_ms - a->t_ms);
            near = t - a->t_ms <= b->t_ms - t ? a : b;
            r.lat = (int32_t)lround(a->lat + (b->lat - (double)a->lat) * f);
            r.lon = lon_norm(a->lon + llround((double)dlon_wrap(a->lon, b->lon) * f));
            if (a->speed != PEL_NA_SPEED && b->speed != PEL_NA_SPEED)
                r.speed = (uint16_t)lround(a->speed + (b->speed - (double)a->speed) * f);
            else if (a->speed != PEL_NA_SPEED || b->speed != PEL_NA_SPEED)
                r.speed = a->speed != PEL_NA_SPEED ? a->speed : b->speed;
            else
                r.speed =
                    tenths(trk_distance_m(a->lat, a->lon, b->lat, b->lon) / ((b->t_ms - a->t_ms) / 1000.0) / KN_MS);
        }
        r.step = (int32_t)s;
        r.vessel = v;
        r.input = near->input;
        r.line = near->line;
        if (m == e->capscr) {
            size_t nc = e->capscr ? 2 * e->capscr : 1024;
            rpt *ns = realloc(e->scr, nc * sizeof *ns);
            if (!ns)
                return PEL_ERR_NOMEM;
            e->scr = ns;
            e->capscr = nc;
        }
        e->scr[m++] = r;
    }
    if (m) {
        /* the windows, each with its buffer and room for the points */
        if (cover(e, floor_div(e->scr[0].step, e->wsteps), floor_div(e->scr[m - 1].step, e->wsteps)))
            return PEL_ERR_NOMEM;
        for (size_t k = 0; k < m;) {
            int64_t id = floor_div(e->scr[k].step, e->wsteps);
            size_t l = k + 1;
            while (l < m && floor_div(e->scr[l].step, e->wsteps) == id)
                l++;
            win *w = &e->w[id - e->w0];
            if (w->npt + (l - k) > UINT32_MAX - 1)
                return PEL_ERR_ARG;
            if (!w->buf) {
                if (!(w->buf = malloc(sizeof *w->buf)))
                    return PEL_ERR_NOMEM;
                w->buf->n = 0;
            }
            k = l;
        }
        /* then into them: a failure now is the file's, and final */
        for (size_t k = 0; k < m; k++) {
            win *w = &e->w[floor_div(e->scr[k].step, e->wsteps) - e->w0];
            w->buf->pt[w->buf->n++] = e->scr[k];
            w->npt++;
            if (w->buf->n == BLOCK_PTS && (e->failed = flush_block(e, w)) != PEL_OK)
                return e->failed;
        }
        e->npt += m;
    }
    e->mmsi[e->nv++] = mmsi;
    return PEL_OK;
}

/* ---- pairing ------------------------------------------------------------------ */

/* At det_enc_run, vessels are ranked in (mmsi, order added) order, so
 * comparing ranks compares MMSIs. */
typedef struct vrank {
    uint32_t mmsi, v;
} vrank;

static int cmp_vrank(const void *x, const void *y) {
    const vrank *a = x, *b = y;
    if (a->mmsi != b->mmsi)
        return a->mmsi < b->mmsi ? -1 : 1;
    return a->v < b->v ? -1 : a->v > b->v;
}

static int cmp_cell(const void *x, const void *y) {
    const cell *a = x, *b = y;
    if (a->cy != b->cy)
        return a->cy < b->cy ? -1 : 1;
    if (a->cx != b->cx)
        return a->cx < b->cx ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

static int cmp_close(const void *x, const void *y) {
    const closerec *a = x, *b = y;
    if (a->va != b->va)
        return a->va < b->va ? -1 : 1;
    if (a->vb != b->vb)
        return a->vb < b->vb ? -1 : 1;
    return a->step < b->step ? -1 : a->step > b->step;
}

static size_t lower_bound(const cell *c, size_t n, int32_t cy, int32_t cx) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c[mid].cy < cy || (c[mid].cy == cy && c[mid].cx < cx))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

typedef struct closebuf {
    closerec *v;
    size_t n, cap;
} closebuf;

static int push_close(closebuf *cb, const rpt *pt, uint32_t a, uint32_t b, int32_t step, double d) {
    if (cb->n == cb->cap) {
        size_t nc = cb->cap ? 2 * cb->cap : 1024;
        closerec *nv = realloc(cb->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        cb->v = nv;
        cb->cap = nc;
    }
    cb->v[cb->n++] = (closerec){a, b, pt[a].vessel, pt[b].vessel, step, (float)d};
    return 0;
}

/* Close pairs among the points pt[p0, p1) of one step (vessels ranked,
 * mmsi[rank]). */
static int pair_step(const det_enc *e, const rpt *pt, const uint32_t *mmsi, size_t p0, size_t p1, cell *cells,
                     int32_t ch, int32_t ncx, closebuf *cb) {
    size_t m = p1 - p0;
    const double R = 6371008.8, dmax = e->o.max_distance_m;
    for (size_t k = 0; k < m; k++) {
        const rpt *r = &pt[p0 + k];
        cells[k].cy = (int32_t)floor_div(r->lat, ch);
        cells[k].cx = (int32_t)floor_div((int64_t)r->lon + 180LL * PEL_DEG, ch) % ncx;
        cells[k].i = (uint32_t)(p0 + k);
    }
    xqsort(cells, m, sizeof *cells, cmp_cell);
    for (size_t k = 0; k < m; k++) {
        const rpt *r = &pt[cells[k].i];
        /* the longitude span that can hold a point within dmax (haversine
         * bound at the highest latitude of the bands looked at) */
        double latmax = fabs((double)r->lat) / PEL_DEG + 2.0 * ch / PEL_DEG;
        double cosm = latmax >= 90 ? 0 : cos(latmax * M_PI / 180), s = sin(dmax / (2 * R));
        int32_t span;
        if (cosm <= s)
            span = ncx;
        else {
            double dl = 2 * asin(s / cosm) * 180 / M_PI * PEL_DEG * 1.001 + 1;
            double w = ceil(dl / ch);
            span = w * 2 + 1 >= ncx ? ncx : (int32_t)w;
        }
        /* up to two contiguous cx ranges (wrapping at the antimeridian) */
        int32_t ra[2][2];
        int nr = 0;
        if (span >= ncx) {
            ra[0][0] = 0, ra[0][1] = ncx - 1, nr = 1;
        } else {
            int32_t lo = cells[k].cx - span, hi = cells[k].cx + span;
            if (lo < 0) {
                ra[nr][0] = lo + ncx, ra[nr][1] = ncx - 1, nr++;
                lo = 0;
            }
            if (hi >= ncx) {
                ra[nr][0] = 0, ra[nr][1] = hi - ncx, nr++;
                hi = ncx - 1;
            }
            ra[nr][0] = lo, ra[nr][1] = hi, nr++;
        }
        /* The bound is the querying point's, so a pair may be found from
         * both sides: duplicates are removed once the records are sorted. */
        for (int32_t dy = -1; dy <= 1; dy++) {
            int32_t cy = cells[k].cy + dy;
            for (int q = 0; q < nr; q++) {
                for (size_t j = lower_bound(cells, m, cy, ra[q][0]);
                     j < m && cells[j].cy == cy && cells[j].cx <= ra[q][1]; j++) {
                    const rpt *o = &pt[cells[j].i];
                    if (cells[j].i == cells[k].i || mmsi[o->vessel] == mmsi[r->vessel])
                        continue;
                    double d = trk_distance_m(r->lat, r->lon, o->lat, o->lon);
                    uint32_t a = cells[k].i < cells[j].i ? cells[k].i : cells[j].i;
                    uint32_t b = cells[k].i < cells[j].i ? cells[j].i : cells[k].i;
                    if (d <= dmax && push_close(cb, pt, a, b, r->step, d))
                        return -1;
                }
            }
        }
    }
    return 0;
}

/* ---- runs, measures, findings ------------------------------------------------------ */

typedef struct measure {
    int64_t start, end; /* ms */
    size_t steps;
    double lat, lon;                                      /* mean, degrees */
    double med_dist, min_dist, med_speed, speed1, speed2; /* m, kn */
} measure;

typedef struct scratch {
    uint16_t *s1, *s2, *sb;
    float *d;
    size_t cap;
} scratch;

static int cmp_u16(const void *x, const void *y) {
    uint16_t a = *(const uint16_t *)x, b = *(const uint16_t *)y;
    return a < b ? -1 : a > b;
}

static int cmp_float(const void *x, const void *y) {
    float a = *(const float *)x, b = *(const float *)y;
    return a < b ? -1 : a > b;
}

static double median_u16(uint16_t *v, size_t n) {
    xqsort(v, n, sizeof *v, cmp_u16);
    return (v[(n - 1) / 2] + v[n / 2]) / 20.0;
}

static int grow(scratch *s, size_t n) {
    if (n <= s->cap)
        return 0;
    size_t nc = s->cap ? s->cap : 256;
    while (nc < n)
        nc *= 2;
    uint16_t *a = realloc(s->s1, nc * sizeof *a);
    if (a)
        s->s1 = a;
    uint16_t *b = realloc(s->s2, nc * sizeof *b);
    if (b)
        s->s2 = b;
    uint16_t *c = realloc(s->sb, 2 * nc * sizeof *c);
    if (c)
        s->sb = c;
    float *d = realloc(s->d, nc * sizeof *d);
    if (d)
        s->d = d;
    if (!a || !b || !c || !d)
        return -1;
    s->cap = nc;
    return 0;
}

/* Measures over the close steps of the runs r[0..nr) of c. */
static int measure_runs(const det_enc *e, const cstep *c, const rawenc *r, size_t nr, scratch *s, measure *m) {
    size_t n = 0;
    for (size_t k = 0; k < nr; k++)
        n += r[k].c1 - r[k].c0;
    if (grow(s, n))
        return -1;
    const int64_t step_ms = (int64_t)e->o.step_s * 1000;
    const int32_t first = c[r[0].c0].lon[0];
    double slat = 0, slon = 0;
    size_t j = 0;
    m->min_dist = INFINITY;
    for (size_t k = 0; k < nr; k++)
        for (size_t i = r[k].c0; i < r[k].c1; i++, j++) {
            const cstep *q = &c[i];
            s->s1[j] = q->speed[0];
            s->s2[j] = q->speed[1];
            s->sb[2 * j] = q->speed[0];
            s->sb[2 * j + 1] = q->speed[1];
            s->d[j] = q->dist;
            if (q->dist < m->min_dist)
                m->min_dist = q->dist;
            slat += (double)q->lat[0] + q->lat[1];
            slon += 2.0 * first + dlon_wrap(first, q->lon[0]) + dlon_wrap(first, q->lon[1]);
        }
    m->steps = n;
    m->start = (int64_t)c[r[0].c0].step * step_ms;
    m->end = (int64_t)c[r[nr - 1].c1 - 1].step * step_ms;
    m->lat = slat / (2.0 * n) / PEL_DEG;
    m->lon = lon_norm(llround(slon / (2.0 * n))) / (double)PEL_DEG;
    m->speed1 = median_u16(s->s1, n);
    m->speed2 = median_u16(s->s2, n);
    m->med_speed = median_u16(s->sb, 2 * n);
    xqsort(s->d, n, sizeof *s->d, cmp_float);
    m->med_dist = ((double)s->d[(n - 1) / 2] + s->d[n / 2]) / 2;
    return 0;
}

static bool have_ports(const det_geo *geo) {
    return geo && geo->port_dist_m;
}

/* Distance to the nearest port (INFINITY when there is none) and its index. */
static double port_distance(const det_geo *geo, double lat, double lon, int *port) {
    *port = -1;
    double d = geo->port_dist_m(geo->ud, lat, lon, port);
    return isnan(d) ? INFINITY : d;
}

typedef struct fvec {
    fnd_builder *v;
    size_t n, cap;
} fvec;

/* What det_enc_run carries from window to window. */
typedef struct runctx {
    const det_enc *e;
    const det_geo *geo;
    const uint32_t *mmsi; /* by rank */
    int64_t step_ms, min_ms, merge_ms;
    scratch s;
    fvec out; /* findings not emitted yet */
} runctx;

static int make_finding(runctx *x, uint32_t va, uint32_t vb, const cstep *c, const rawenc *r, size_t nr) {
    const det_geo *geo = x->geo;
    fvec *out = &x->out;
    measure m;
    if (measure_runs(x->e, c, r, nr, &x->s, &m))
        return -1;
    if (out->n == out->cap) {
        size_t nc = out->cap ? 2 * out->cap : 16;
        fnd_builder *nv = realloc(out->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        out->v = nv;
        out->cap = nc;
    }
    fnd_builder *f = &out->v[out->n++];
    memset(f, 0, sizeof *f);
    f->event = "encounter";
    f->mmsi = x->mmsi[va];
    f->mmsi2 = x->mmsi[vb];
    f->start_ms = m.start;
    f->end_ms = m.end;
    f->lat = m.lat;
    f->lon = m.lon;
    double km = NAN;         /* to the nearest port: null when there is none, or no port data */
    const char *name = NULL; /* its name */
    if (have_ports(geo)) {
        int port;
        double d = port_distance(geo, m.lat, m.lon, &port);
        if (isfinite(d))
            km = d / 1000;
        if (port >= 0 && geo->port_name)
            name = geo->port_name(geo->ud, port);
    }
    fnd_num(f, "duration_h", (m.end - m.start) / 3600000.0, 2);
    fnd_int(f, "steps", (int64_t)m.steps);
    fnd_num(f, "median_distance_m", m.med_dist, 0);
    fnd_num(f, "min_distance_m", m.min_dist, 0);
    fnd_num(f, "median_speed_kn", m.med_speed, 2);
    fnd_num(f, "speed_kn_1", m.speed1, 2);
    fnd_num(f, "speed_kn_2", m.speed2, 2);
    fnd_num(f, "port_distance_km", km, 1);
    fnd_str(f, "nearest_port", name);
    if (isnan(km))
        fnd_str(f, "port_distance", "unknown");
    /* evidence: the raw positions nearest to each close step, both vessels,
     * a position repeated at consecutive steps counted once */
    uint32_t li[2] = {0, 0};
    uint64_t ll[2] = {0, 0};
    bool any[2] = {false, false};
    for (size_t k = 0; k < nr; k++)
        for (size_t i = r[k].c0; i < r[k].c1; i++)
            for (int w = 0; w < 2; w++) {
                if (any[w] && li[w] == c[i].input[w] && ll[w] == c[i].line[w])
                    continue;
                any[w] = true;
                li[w] = c[i].input[w];
                ll[w] = c[i].line[w];
                pel_position pos = {.input = c[i].input[w], .line = c[i].line[w]};
                fnd_add_position(f, &pos);
            }
    return 0;
}

/* Emission order: start, vessels, end, then the members' text (as the
 * canonical order of findings/finding.h, whose event key is the same for
 * all of these). */
static int cmp_finding(const void *x, const void *y) {
    const fnd_builder *a = x, *b = y;
    if (a->start_ms != b->start_ms)
        return a->start_ms < b->start_ms ? -1 : 1;
    if (a->mmsi != b->mmsi)
        return a->mmsi < b->mmsi ? -1 : 1;
    if (a->mmsi2 != b->mmsi2)
        return a->mmsi2 < b->mmsi2 ? -1 : 1;
    if (a->end_ms != b->end_ms)
        return a->end_ms < b->end_ms ? -1 : 1;
    fnd_finding va, vb;
    fnd_view(a, &va);
    fnd_view(b, &vb);
    char *ta = fnd_members_text(&va, false), *tb = fnd_members_text(&vb, false);
    int c = ta && tb ? strcmp(ta, tb) : 0;
    free(ta);
    free(tb);
    return c;
}

/* Emits, in order, the findings waiting that start before until_ms (every
 * finding still to come starts at or after it), and keeps the rest. */
static void emit_before(runctx *x, int64_t until_ms, fnd_emit_fn emit, void *ud) {
    fvec *o = &x->out;
    if (!o->n)
        return;
    xqsort(o->v, o->n, sizeof *o->v, cmp_finding);
    size_t k = 0;
    while (k < o->n && o->v[k].start_ms < until_ms)
        emit(ud, &o->v[k++]);
    memmove(o->v, o->v + k, (o->n - k) * sizeof *o->v);
    o->n -= k;
}

static int cvec_push(cvec *v, const cstep *c, size_t n) {
    if (v->n + n > v->cap) {
        size_t nc = v->cap ? v->cap : 16;
        while (nc < v->n + n)
            nc *= 2;
        cstep *nv = realloc(v->v, nc * sizeof *nv);
        if (!nv)
            return -1;
        v->v = nv;
        v->cap = nc;
    }
    memcpy(v->v + v->n, c, n * sizeof *c);
    v->n += n;
    return 0;
}

/* The merged finding of the raw encounters waiting in p's chain. */
static int end_chain(runctx *x, pstate *p) {
    if (!p->nraw)
        return 0;
    int rc = make_finding(x, p->va, p->vb, p->chain.v, p->raw, p->nraw);
    p->nraw = 0;
    p->chain.n = 0;
    return rc;
}

/* p's open run has ended: a raw encounter when it meets the rules, added
 * to the chain (which it ends first when too far from it to merge). */
static int end_run(runctx *x, pstate *p) {
    const cstep *c = p->run.v;
    size_t n = p->run.n;
    if (!n)
        return 0;
    p->run.n = 0;
    if (x->e->span) { /* every run, an encounter or not, and the time a next one would merge with it */
        int64_t from = (int64_t)c[0].step * x->step_ms, to = (int64_t)c[n - 1].step * x->step_ms + x->merge_ms;
        x->e->span(x->e->span_ud, x->mmsi[p->va], x->mmsi[p->vb], from, to);
        x->e->span(x->e->span_ud, x->mmsi[p->vb], x->mmsi[p->va], from, to);
    }
    if ((int64_t)(c[n - 1].step - c[0].step) * x->step_ms < x->min_ms)
        return 0;
    measure m;
    rawenc one = {0, n};
    if (measure_runs(x->e, c, &one, 1, &x->s, &m))
        return -1;
    if (!(m.speed1 < x->e->o.max_median_speed_kn && m.speed2 < x->e->o.max_median_speed_kn))
        return 0;
    if (have_ports(x->geo)) {
        int port;
        if (port_distance(x->geo, m.lat, m.lon, &port) < x->e->o.min_port_distance_m)
            return 0;
    }
    if (p->nraw && !((int64_t)(c[0].step - p->chain.v[p->chain.n - 1].step) * x->step_ms < x->merge_ms) &&
        end_chain(x, p))
        return -1;
    if (p->nraw == p->capraw) {
        size_t nc = p->capraw ? 2 * p->capraw : 4;
        rawenc *nr = realloc(p->raw, nc * sizeof *nr);
        if (!nr)
            return -1;
        p->raw = nr;
        p->capraw = nc;
    }
    if (cvec_push(&p->chain, c, n))
        return -1;
    p->raw[p->nraw++] = (rawenc){p->chain.n - n, p->chain.n};
    return 0;
}

/* Feeds pair p the close records c[0..n) of a window (in step order) whose
 * last step is last: extends or ends its run, ends what can no longer grow
 * or merge. */
static int feed_pair(runctx *x, pstate *p, const closerec *c, size_t n, const rpt *pt, int64_t last) {
    for (size_t i = 0; i < n; i++) {
        const rpt *a = &pt[c[i].a], *b = &pt[c[i].b];
        cstep cs = {.line = {a->line, b->line},
                    .input = {a->input, b->input},
                    .lat = {a->lat, b->lat},
                    .lon = {a->lon, b->lon},
                    .step = c[i].step,
                    .dist = c[i].dist,
                    .speed = {a->speed, b->speed}};
        if (p->run.n && cs.step != p->run.v[p->run.n - 1].step + 1 && end_run(x, p))
            return -1;
        if (cvec_push(&p->run, &cs, 1))
            return -1;
    }
    if (p->run.n && p->run.v[p->run.n - 1].step < last && end_run(x, p))
        return -1;
    /* the chain is final once the next raw encounter (the open run, or one
     * starting after this window) would start too late to merge with it */
    if (p->nraw) {
        int64_t next = p->run.n ? p->run.v[0].step : last + 1;
        if (!((next - p->chain.v[p->chain.n - 1].step) * x->step_ms < x->merge_ms) && end_chain(x, p))
            return -1;
    }
    return 0;
}

static void pstate_free(pstate *p) {
    free(p->run.v);
    free(p->chain.v);
    free(p->raw);
}

typedef struct pvec {
    pstate *v;
    size_t n, cap;
} pvec;

/* Sorts the window's n points pt by (step, vessel) -- keys are unique, a
 * vessel having at most one point a step -- in place: two stable counting
 * sorts (vessel, then step) give each point its place (ia, ib: n entries
 * each; cnt: max(wsteps, nv) + 1), and the points are then moved there,
 * cycle by cycle. */
static void sort_points(rpt *pt, size_t n, size_t nv, uint32_t *a, uint32_t *b, size_t *cnt, size_t ncnt) {
    int32_t smin = pt[0].step;
    for (size_t i = 1; i < n; i++)
        if (pt[i].step < smin)
            smin = pt[i].step;
    memset(cnt, 0, ncnt * sizeof *cnt);
    /* by vessel: a = indices in vessel order */
    for (size_t i = 0; i < n; i++)
        cnt[pt[i].vessel + 1]++;
    for (size_t v = 0; v < nv; v++)
        cnt[v + 1] += cnt[v];
    for (size_t i = 0; i < n; i++)
        a[cnt[pt[i].vessel]++] = (uint32_t)i;
    /* then by step, stable: b = indices in (step, vessel) order */
    memset(cnt, 0, ncnt * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[(size_t)(pt[i].step - smin) + 1]++;
    for (size_t k = 0; k + 1 < ncnt; k++)
        cnt[k + 1] += cnt[k];
    for (size_t k = 0; k < n; k++)
        b[cnt[(size_t)(pt[a[k]].step - smin)]++] = a[k];
    /* a = where each point goes; then follow the cycles */
    for (size_t k = 0; k < n; k++)
        a[b[k]] = (uint32_t)k;
    for (size_t i = 0; i < n; i++)
        while (a[i] != i) {
            uint32_t j = a[i];
            rpt t = pt[j];
            pt[j] = pt[i];
            pt[i] = t;
            a[i] = a[j];
            a[j] = j;
        }
}

/* Loads window w's points into pt (w->npt of them), vessels ranked by
 * rank[]. */
static pel_status load_window(det_enc *e, const win *w, rpt *pt, const uint32_t *rank, block *tmp) {
    size_t n = 0;
    for (int64_t at = w->head; at >= 0; at = tmp->prev) {
        pel_status st = read_block(e, at, tmp);
        if (st != PEL_OK)
            return st;
        memcpy(pt + n, tmp->pt, BLOCK_PTS * sizeof *pt);
        n += BLOCK_PTS;
    }
    if (w->buf) {
        memcpy(pt + n, w->buf->pt, w->buf->n * sizeof *pt);
        n += w->buf->n;
    }
    if (n != w->npt)
        return io_fail(e, "reading", 0);
    for (size_t i = 0; i < n; i++)
        pt[i].vessel = rank[pt[i].vessel];
    return PEL_OK;
}

pel_status det_enc_run(det_enc *e, const det_geo *geo, fnd_emit_fn emit, void *ud) {
    if (!e)
        return PEL_ERR_ARG;
    if (e->failed != PEL_OK)
        return e->failed;
    e->msg[0] = 0;
    if (e->o.max_distance_m <= 0 || e->npt == 0)
        return PEL_OK;
    pel_status st = PEL_OK;
    runctx x = {.e = e,
                .geo = geo,
                .step_ms = (int64_t)e->o.step_s * 1000,
                .min_ms = llround(e->o.min_duration_h * 3600000.0),
                .merge_ms = llround(e->o.merge_gap_h * 3600000.0)};
    size_t maxw = 0;
    for (size_t k = 0; k < e->nw; k++)
        if (e->w[k].npt > maxw)
            maxw = (size_t)e->w[k].npt;
    size_t ncnt = ((size_t)e->wsteps > e->nv ? (size_t)e->wsteps : e->nv) + 1;
    vrank *vr = malloc(e->nv * sizeof *vr);
    uint32_t *rank = malloc(e->nv * sizeof *rank), *smmsi = malloc(e->nv * sizeof *smmsi);
    rpt *pt = malloc(maxw * sizeof *pt);
    cell *cells = malloc(maxw * sizeof *cells);
    uint32_t *ia = malloc(maxw * sizeof *ia), *ib = malloc(maxw * sizeof *ib);
    size_t *cnt = malloc(ncnt * sizeof *cnt);
    block *tmp = malloc(sizeof *tmp);
    closebuf cb = {0};
    pvec ps = {0}, nx = {0};
    if (!vr || !rank || !smmsi || !pt || !cells || !ia || !ib || !cnt || !tmp)
        goto nomem;
    /* ranks: (mmsi, order added) */
    for (size_t v = 0; v < e->nv; v++)
        vr[v] = (vrank){e->mmsi[v], (uint32_t)v};
    xqsort(vr, e->nv, sizeof *vr, cmp_vrank);
    for (size_t k = 0; k < e->nv; k++) {
        rank[vr[k].v] = (uint32_t)k;
        smmsi[k] = vr[k].mmsi;
    }
    x.mmsi = smmsi;
    /* cell height in 1/600000 degree: at least max_distance_m of latitude */
    double chd = ceil(e->o.max_distance_m / 111000.0 * PEL_DEG);
    int32_t ch = chd > 60.0 * PEL_DEG ? 60 * PEL_DEG : (int32_t)chd;
    int32_t ncx = (int32_t)((360LL * PEL_DEG + ch - 1) / ch);
    for (size_t k = 0; k < e->nw; k++) {
        const win *w = &e->w[k];
        size_t n = (size_t)w->npt;
        if (!n)
            continue;
        if ((st = load_window(e, w, pt, rank, tmp)) != PEL_OK)
            goto done;
        sort_points(pt, n, e->nv, ia, ib, cnt, ncnt);
        /* the close pairs of each step */
        cb.n = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && pt[j].step == pt[i].step)
                j++;
            if (j - i > 1 && pair_step(e, pt, smmsi, i, j, cells, ch, ncx, &cb))
                goto nomem;
            i = j;
        }
        xqsort(cb.v, cb.n, sizeof *cb.v, cmp_close);
        size_t m = 0;
        for (size_t i = 0; i < cb.n; i++)
            if (!m || cb.v[i].a != cb.v[m - 1].a || cb.v[i].b != cb.v[m - 1].b)
                cb.v[m++] = cb.v[i];
        cb.n = m;
        /* into the pairs carried (both sorted by pair): nx the pairs still
         * open after this window */
        int64_t last = (e->w0 + (int64_t)k + 1) * e->wsteps - 1;
        size_t npairs = 0;
        for (size_t i = 0; i < cb.n; i++)
            npairs += !i || cb.v[i].va != cb.v[i - 1].va || cb.v[i].vb != cb.v[i - 1].vb;
        if (ps.n + npairs > nx.cap) {
            pstate *nv = realloc(nx.v, (ps.n + npairs) * sizeof *nv);
            if (!nv)
                goto nomem;
            nx.v = nv;
            nx.cap = ps.n + npairs;
        }
        nx.n = 0;
        size_t i = 0, c = 0;
        while (i < ps.n || c < cb.n) {
            size_t c1 = c;
            pstate p;
            if (c < cb.n &&
                (i == ps.n || cb.v[c].va < ps.v[i].va || (cb.v[c].va == ps.v[i].va && cb.v[c].vb <= ps.v[i].vb))) {
                while (c1 < cb.n && cb.v[c1].va == cb.v[c].va && cb.v[c1].vb == cb.v[c].vb)
                    c1++;
                if (i < ps.n && ps.v[i].va == cb.v[c].va && ps.v[i].vb == cb.v[c].vb)
                    p = ps.v[i++];
                else
                    p = (pstate){.va = cb.v[c].va, .vb = cb.v[c].vb};
            } else
                p = ps.v[i++];
            int rc = feed_pair(&x, &p, cb.v + c, c1 - c, pt, last);
            c = c1;
            if (p.run.n || p.nraw)
                nx.v[nx.n++] = p;
            else
                pstate_free(&p);
            if (rc) {
                for (; i < ps.n; i++) /* the rest, not moved to nx */
                    pstate_free(&ps.v[i]);
                pvec t = ps;
                ps = nx;
                nx = t;
                goto nomem;
            }
        }
        pvec t = ps;
        ps = nx;
        nx = t;
        /* what no longer waits for a finding that could start before it */
        int64_t next = last + 1;
        for (size_t q = 0; q < ps.n; q++) {
            const pstate *p = &ps.v[q];
            int64_t s = p->nraw ? p->chain.v[0].step : p->run.v[0].step;
            if (s < next)
                next = s;
        }
        emit_before(&x, next * x.step_ms, emit, ud);
    }
    for (size_t q = 0; q < ps.n; q++)
        if (end_run(&x, &ps.v[q]) || end_chain(&x, &ps.v[q]))
            goto nomem;
    emit_before(&x, INT64_MAX, emit, ud);
    goto done;
nomem:
    st = PEL_ERR_NOMEM;
done:
    for (size_t q = 0; q < ps.n; q++)
        pstate_free(&ps.v[q]);
    free(ps.v);
    free(nx.v);
    free(cb.v);
    free(vr);
    free(rank);
    free(smmsi);
    free(pt);
    free(cells);
    free(ia);
    free(ib);
    free(cnt);
    free(tmp);
    free(x.s.s1);
    free(x.s.s2);
    free(x.s.sb);
    free(x.s.d);
    free(x.out.v);
    return st;
}

/* ---- hooks (detectors.h) ------------------------------------------------------------ */

void det_enc_on_span(det_enc *e, void (*fn)(void *ud, uint32_t mmsi, uint32_t partner, int64_t from_ms, int64_t to_ms),
                     void *ud) {
    e->span = fn;
    e->span_ud = ud;
}

pel_status det_enc_begin(det_call *c) {
    c->state = det_enc_new(c->opts);
    if (c->state && c->env->enc_span)
        det_enc_on_span(c->state, c->env->enc_span, c->env->enc_span_ud);
    return c->state ? PEL_OK : PEL_ERR_NOMEM;
}

pel_status det_enc_vessel(det_call *c, uint32_t mmsi, const pel_position *p, size_t n) {
    /* resuming (det_resume): the track from the cut on, which no run spans */
    size_t from = c->resume && c->resume->from < n ? c->resume->from : 0;
    pel_status st = det_enc_add_track(c->state, mmsi, p + from, n - from);
    if (st == PEL_ERR_IO)
        pel_fail(c->err, st, "%s", det_enc_message(c->state));
    return st;
}

pel_status det_enc_finish(det_call *c) {
    pel_status st = det_enc_run(c->state, &c->env->geo, c->emit, c->ud);
    if (st == PEL_ERR_IO)
        return pel_fail(c->err, st, "%s", det_enc_message(c->state));
    return st == PEL_OK ? PEL_OK : PEL_ERR_NOMEM;
}

void det_enc_cleanup(det_call *c) {
    det_enc_free(c->state);
    c->state = NULL;
}
