/*
 * segment.c -- one vessel's positions into canonical order and segments.
 *
 * In the spirit of Global Fishing Watch's segmenter (gpsdio-segment): a
 * position joins the open segment it can be reached from at a possible
 * speed (the nearest one, if several); when none can reach it, it starts a
 * segment of its own, alongside the others that stay open.  Two
 * transmitters sharing one MMSI thus become parallel segments, never one
 * zig-zag track, and a lone outlier becomes a one-position segment flagged
 * PEL_POS_ISOLATED.  A segment closes after max_silence_h without a
 * position.  Nothing is deleted: bad positions are flagged and left out of
 * segments (segment -1).
 *
 * Duplicates: the same report heard by several receivers (or ingested
 * twice) -- equal message class, position, speed, course, heading, status
 * and report second within dedupe_window_s -- is kept once: the earliest,
 * ties broken by input and line, so the result does not depend on input
 * order.
 *
 * Streaming: trk_stream takes the positions one at a time in canonical
 * order and hands each kept one on at once, so a vessel of any length is
 * built in the memory of its last dedupe window and its open segments (the
 * store's build, build.c, merges stored runs into it).  What it cannot know
 * at once comes later: a position is flagged isolated when its segment
 * closes with it alone, and whether a segment is parallel to another is
 * left to the caller (trk_parallel, over the finished segments in id
 * order).  trk_build is the same over an array in memory.
 *
 * Limits: at most 16 segments open at once (the oldest closes first).  The
 * stream holds the kept positions of the last dedupe window: a handful for
 * any real transmitter, but as many as a feed puts into 30 s.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trk.h"
#include "util/xsort.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define MAX_OPEN 16
#define NM 1852.0

void trk_default_opts(trk_opts *o) {
    o->max_speed_kn = 30.0;
    o->noise_nm = 0.5;
    o->max_silence_h = 24.0;
    o->dedupe_window_s = 30;
    o->arrival_slack_h = 3.0;
    o->now_ms = INT64_MAX / 2;
}

double trk_distance_m(int32_t lat1, int32_t lon1, int32_t lat2, int32_t lon2) {
    const double k = M_PI / 180.0 / PEL_DEG;
    double p1 = lat1 * k, p2 = lat2 * k, dp = (lat2 - lat1) * k, dl = (lon2 - lon1) * k;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    return 2 * 6371008.8 * asin(sqrt(a < 1 ? a : 1));
}

/* Canonical order: time, then every field of the report, then where it
 * came from, so equal inputs sort equally. */
#define CMP(f)                                                                                                         \
    if (x->f != y->f)                                                                                                  \
    return x->f < y->f ? -1 : 1
int trk_cmp_report(const pel_position *x, const pel_position *y) {
    CMP(t_ms);
    CMP(lat);
    CMP(lon);
    CMP(speed);
    CMP(course);
    CMP(heading);
    CMP(status);
    CMP(type);
    CMP(second);
    return 0;
}

int trk_cmp_pos(const pel_position *x, const pel_position *y) {
    int c = trk_cmp_report(x, y);
    if (c)
        return c;
    CMP(input);
    CMP(line);
    CMP(source);
    return 0;
}
#undef CMP

static int cmp_pos(const void *a, const void *b) {
    return trk_cmp_pos(a, b);
}

static bool same_report(const pel_position *a, const pel_position *b) {
    bool class_a = a->type != 18 && a->type != 19, class_b = b->type != 18 && b->type != 19;
    return a->lat == b->lat && a->lon == b->lon && a->speed == b->speed && a->course == b->course &&
           a->heading == b->heading && a->status == b->status && class_a == class_b &&
           (a->second < 0 || b->second < 0 || a->second == b->second);
}

/* A time that is not a receiver's: an arrival trailer or an assumed time
 * (PEL_CLOCK_NONE -- stored before clocks were kept -- counts as a
 * receiver's, as it always did). */
static bool arrival_time(const pel_position *p) {
    return p->clock == PEL_CLOCK_TRAILER || p->clock == PEL_CLOCK_ASSUMED;
}

/* The fastest a vessel can have gone between two positions: max_speed_kn,
 * or more when it says so itself -- a crew boat reporting 37 kn that moves
 * at 37 kn is fast, not two transmitters.  Its own speed over ground (the
 * higher of the two reports, with 25 % for a speed-up between them) counts
 * up to SOG_CEILING_KN, so a forged speed cannot hide a leap across an
 * ocean. */
#define SOG_CEILING_KN 50.0
double trk_reach_kn(double max_speed_kn, const pel_position *a, const pel_position *b) {
    double sog = -1;
    if (a->speed != PEL_NA_SPEED && a->speed <= 1022)
        sog = a->speed / 10.0;
    if (b->speed != PEL_NA_SPEED && b->speed <= 1022 && b->speed / 10.0 > sog)
        sog = b->speed / 10.0;
    double own = sog * 1.25;
    if (own > SOG_CEILING_KN)
        own = SOG_CEILING_KN;
    return own > max_speed_kn ? own : max_speed_kn;
}

static bool bad_coord(const pel_position *p) {
    return p->lat < -90 * PEL_DEG || p->lat > 90 * PEL_DEG || p->lon < -180 * PEL_DEG || p->lon > 180 * PEL_DEG;
}

/* ---- the stream ----------------------------------------------------------- */

typedef struct open_seg {
    trk_segment s;
    pel_position last; /* its last position */
    uint64_t seq0;     /* the kept number of its first position */
} open_seg;

struct trk_stream {
    trk_opts o;
    trk_sink sink;
    pel_status failed;
    /* duplicates: the kept positions of the last window, a ring */
    pel_position *win;
    size_t wcap, whead, wn;
    int64_t window;
    /* segments */
    open_seg open[MAX_OPEN];
    int nopen;
    int64_t silence, earliest;
    uint64_t kept, dups;
    int32_t nsegs;
};

trk_stream *trk_stream_new(const trk_opts *o, const trk_sink *sink) {
    trk_stream *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->o = *o;
    t->sink = *sink;
    t->window = (int64_t)o->dedupe_window_s * 1000;
    t->silence = (int64_t)(o->max_silence_h * 3600000.0);
    t->earliest = (int64_t)631152000000; /* 1990-01-01: AIS did not exist before */
    return t;
}

void trk_stream_free(trk_stream *t) {
    if (!t)
        return;
    free(t->win);
    free(t);
}

/* A segment is finished: its summary goes out, and its position, if alone,
 * is isolated. */
static void seg_close(trk_stream *t, int j) {
    open_seg *g = &t->open[j];
    if (t->failed == PEL_OK && g->s.n == 1 && t->sink.isolated)
        t->failed = t->sink.isolated(t->sink.ud, g->seq0);
    if (t->failed == PEL_OK && t->sink.segment)
        t->failed = t->sink.segment(t->sink.ud, &g->s);
    t->open[j] = t->open[t->nopen - 1];
    t->nopen--;
}

pel_status trk_stream_push(trk_stream *t, const pel_position *in) {
    if (t->failed != PEL_OK)
        return t->failed;
    /* duplicates: compare with the kept positions of the last window */
    while (t->wn && in->t_ms - t->win[t->whead].t_ms > t->window) {
        t->whead = (t->whead + 1) % t->wcap;
        t->wn--;
    }
    for (size_t j = 0; j < t->wn; j++)
        if (same_report(&t->win[(t->whead + j) % t->wcap], in)) {
            t->dups++;
            return PEL_OK;
        }
    if (t->wn == t->wcap) { /* grow the ring, unrolled */
        size_t ncap = t->wcap ? 2 * t->wcap : 64;
        pel_position *nw = malloc(ncap * sizeof *nw);
        if (!nw)
            return t->failed = PEL_ERR_NOMEM;
        for (size_t j = 0; j < t->wn; j++)
            nw[j] = t->win[(t->whead + j) % t->wcap];
        free(t->win);
        t->win = nw;
        t->wcap = ncap;
        t->whead = 0;
    }
    t->win[(t->whead + t->wn++) % t->wcap] = *in;

    pel_position qq = *in, *q = &qq;
    uint64_t seq = t->kept++;
    q->flags = 0;
    q->segment = -1;
    if (q->t_ms < t->earliest || q->t_ms > t->o.now_ms + 86400000)
        q->flags |= PEL_POS_BAD_TIME;
    else if (bad_coord(q))
        q->flags |= PEL_POS_BAD_COORD;
    else {
        /* close what has been silent too long */
        for (int j = 0; j < t->nopen;) {
            if (q->t_ms - t->open[j].last.t_ms > t->silence)
                seg_close(t, j);
            else
                j++;
        }
        /* of the segments that can reach it, the established one (most
         * positions) wins, so a lone outlier never takes the track over;
         * then the nearer one */
        int best = -1;
        double best_d = 0;
        for (int j = 0; j < t->nopen; j++) {
            const pel_position *l = &t->open[j].last;
            double d = trk_distance_m(l->lat, l->lon, q->lat, q->lon);
            double hours = (double)(q->t_ms - l->t_ms) / 3600000.0;
            /* a collector's arrival time says when the line arrived, not
             * when the ship spoke (satellite passes deliver 20-120 min
             * late, out of order): such a time may be off by the slack */
            if (arrival_time(q) || arrival_time(l))
                hours += t->o.arrival_slack_h;
            bool ok = d <= t->o.noise_nm * NM || (hours > 0 && d / NM / hours <= trk_reach_kn(t->o.max_speed_kn, l, q));
            if (!ok)
                continue;
            uint32_t nj = t->open[j].s.n, nb = best >= 0 ? t->open[best].s.n : 0;
            if (best < 0 || nj > nb || (nj == nb && d < best_d)) {
                best = j;
                best_d = d;
            }
        }
        if (best >= 0) {
            trk_segment *s = &t->open[best].s;
            s->distance_m += best_d;
            s->t1 = q->t_ms;
            s->n++;
            s->lat1 = q->lat;
            s->lon1 = q->lon;
            if (q->lat < s->min_lat)
                s->min_lat = q->lat;
            if (q->lat > s->max_lat)
                s->max_lat = q->lat;
            if (q->lon < s->min_lon)
                s->min_lon = q->lon;
            if (q->lon > s->max_lon)
                s->max_lon = q->lon;
            q->segment = s->id;
            t->open[best].last = *q;
        } else {
            /* a new segment; if others are open, this one could not be reached */
            if (t->nopen > 0)
                q->flags |= PEL_POS_SUSPECT_SPEED;
            if (t->nopen == MAX_OPEN) { /* close the one silent longest */
                int oldest = 0;
                for (int j = 1; j < t->nopen; j++)
                    if (t->open[j].last.t_ms < t->open[oldest].last.t_ms)
                        oldest = j;
                seg_close(t, oldest);
            }
            open_seg *g = &t->open[t->nopen++];
            trk_segment *s = &g->s;
            memset(s, 0, sizeof *s);
            s->id = t->nsegs++;
            s->t0 = s->t1 = q->t_ms;
            s->n = 1;
            s->lat0 = s->lat1 = s->min_lat = s->max_lat = q->lat;
            s->lon0 = s->lon1 = s->min_lon = s->max_lon = q->lon;
            q->segment = s->id;
            g->last = *q;
            g->seq0 = seq;
        }
    }
    if (t->failed == PEL_OK)
        t->failed = t->sink.position(t->sink.ud, q, seq);
    return t->failed;
}

uint64_t trk_stream_undecided(const trk_stream *t) {
    uint64_t u = UINT64_MAX;
    for (int j = 0; j < t->nopen; j++)
        if (t->open[j].s.n == 1 && t->open[j].seq0 < u)
            u = t->open[j].seq0;
    return u;
}

pel_status trk_stream_end(trk_stream *t, uint64_t *kept, uint64_t *dups, uint32_t *nsegs) {
    /* the open segments close in id order */
    while (t->nopen && t->failed == PEL_OK) {
        int first = 0;
        for (int j = 1; j < t->nopen; j++)
            if (t->open[j].s.id < t->open[first].s.id)
                first = j;
        seg_close(t, first);
    }
    *kept = t->kept;
    *dups = t->dups;
    *nsegs = (uint32_t)t->nsegs;
    return t->failed;
}

void trk_parallel_init(trk_parallel *pp) {
    memset(pp, 0, sizeof *pp);
}

/* Segments in id order have non-decreasing t0, so a segment of several
 * positions overlaps another such segment in time exactly when one before it
 * ends at or after its start (the latest end so far) or the next one starts
 * at or before its end.  So one look ahead decides each. */
int trk_parallel_next(trk_parallel *pp, const trk_segment *g, int32_t *decided) {
    if (!g) { /* the end: the one held has no successor */
        if (!pp->held)
            return 0;
        pp->held = false;
        *decided = pp->held_parallel ? pp->held_id : -1 - pp->held_id;
        return 1;
    }
    if (g->n < 2)
        return 0; /* a lone position is never parallel, and never makes another so */
    int r = 0;
    bool left = pp->any && pp->max_t1 >= g->t0;
    if (pp->held) {
        bool right = g->t0 <= pp->held_t1;
        *decided = pp->held_parallel || right ? pp->held_id : -1 - pp->held_id;
        r = 1;
        left = left || right;
    }
    pp->held = true;
    pp->held_id = g->id;
    pp->held_t1 = g->t1;
    pp->held_parallel = left;
    if (!pp->any || g->t1 > pp->max_t1)
        pp->max_t1 = g->t1;
    pp->any = true;
    return r;
}

/* ---- in memory -------------------------------------------------------------- */

typedef struct mem_sink {
    pel_position *p;
    trk_segment *sv;
    size_t ns, cap;
} mem_sink;

static pel_status mem_position(void *ud, const pel_position *q, uint64_t seq) {
    mem_sink *m = ud;
    m->p[seq] = *q; /* seq never passes the position being read */
    return PEL_OK;
}

static pel_status mem_isolated(void *ud, uint64_t seq) {
    mem_sink *m = ud;
    m->p[seq].flags |= PEL_POS_ISOLATED;
    return PEL_OK;
}

static pel_status mem_segment(void *ud, const trk_segment *g) {
    mem_sink *m = ud;
    if ((size_t)g->id >= m->cap) {
        size_t ncap = m->cap ? 2 * m->cap : 16;
        while (ncap <= (size_t)g->id)
            ncap *= 2;
        trk_segment *nv = realloc(m->sv, ncap * sizeof *nv);
        if (!nv)
            return PEL_ERR_NOMEM;
        m->sv = nv;
        m->cap = ncap;
    }
    m->sv[g->id] = *g;
    if ((size_t)g->id >= m->ns)
        m->ns = (size_t)g->id + 1;
    return PEL_OK;
}

pel_status trk_build(pel_position *p, size_t n, const trk_opts *o, size_t *n_out, size_t *dups, trk_segment **segs,
                     size_t *nsegs) {
    *segs = NULL;
    *nsegs = 0;
    *dups = 0;
    *n_out = 0;
    if (n)
        xqsort(p, n, sizeof *p, cmp_pos);
    mem_sink m = {.p = p};
    trk_sink sink = {mem_position, mem_isolated, mem_segment, &m};
    trk_stream *t = trk_stream_new(o, &sink);
    if (!t)
        return PEL_ERR_NOMEM;
    pel_status st = PEL_OK;
    for (size_t i = 0; i < n && st == PEL_OK; i++)
        st = trk_stream_push(t, &p[i]);
    uint64_t kept = 0, d = 0;
    uint32_t ns = 0;
    if (st == PEL_OK)
        st = trk_stream_end(t, &kept, &d, &ns);
    trk_stream_free(t);
    if (st != PEL_OK) {
        free(m.sv);
        return st;
    }
    trk_parallel pp;
    trk_parallel_init(&pp);
    for (size_t i = 0; i <= ns; i++) {
        int32_t id;
        if (trk_parallel_next(&pp, i < ns ? &m.sv[i] : NULL, &id) && id >= 0)
            m.sv[id].parallel = true;
    }
    *n_out = (size_t)kept;
    *dups = (size_t)d;
    *segs = m.sv;
    *nsegs = ns;
    return PEL_OK;
}
