/*
 * unit_segment.c -- the streaming segmenter (trk_stream, trk_parallel, and
 * trk_build on top of them) against the array segmenter it replaced, kept
 * below as ref_build (verbatim but for the reach rules added since): on generated vessels (tracks with duplicate
 * receptions, outliers, a second transmitter, silences, bad times and
 * coordinates, many positions at one time, positions scattered so that
 * every one opens a segment), the kept positions, every field and flag, the
 * duplicates and the segment summaries (distances to the bit) must be the
 * same.  And the stream's promise: no position before trk_stream_undecided()
 * is ever flagged later.  Prints "unit_segment: N passed, M failed".
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "track/trk.h"

#define REF_MAX_OPEN 16
#define REF_NM 1852.0

/* ---- the segmenter as it was (src/track/segment.c before streaming) ---- */

/* Canonical order: time, then every field, so equal inputs sort equally. */
static int ref_cmp_pos(const void *a, const void *b) {
    const pel_position *x = a, *y = b;
#define CMP(f)                                                                                                         \
    if (x->f != y->f)                                                                                                  \
    return x->f < y->f ? -1 : 1
    CMP(t_ms);
    CMP(lat);
    CMP(lon);
    CMP(speed);
    CMP(course);
    CMP(heading);
    CMP(status);
    CMP(type);
    CMP(second);
    CMP(input);
    CMP(line);
    CMP(source);
#undef CMP
    return 0;
}

static bool ref_same_report(const pel_position *a, const pel_position *b) {
    bool class_a = a->type != 18 && a->type != 19, class_b = b->type != 18 && b->type != 19;
    return a->lat == b->lat && a->lon == b->lon && a->speed == b->speed && a->course == b->course &&
           a->heading == b->heading && a->status == b->status && class_a == class_b &&
           (a->second < 0 || b->second < 0 || a->second == b->second);
}

static bool ref_bad_coord(const pel_position *p) {
    return p->lat < -90 * PEL_DEG || p->lat > 90 * PEL_DEG || p->lon < -180 * PEL_DEG || p->lon > 180 * PEL_DEG;
}

static pel_status ref_build(pel_position *p, size_t n, const trk_opts *o, size_t *n_out, size_t *dups,
                            trk_segment **segs, size_t *nsegs) {
    *segs = NULL;
    *nsegs = 0;
    *dups = 0;
    qsort(p, n, sizeof *p, ref_cmp_pos);

    /* duplicates: compare with the kept positions of the last window */
    int64_t window = (int64_t)o->dedupe_window_s * 1000;
    size_t k = 0, first_in_window = 0;
    for (size_t i = 0; i < n; i++) {
        while (first_in_window < k && p[i].t_ms - p[first_in_window].t_ms > window)
            first_in_window++;
        bool dup = false;
        for (size_t j = first_in_window; j < k && !dup; j++)
            dup = ref_same_report(&p[j], &p[i]);
        if (dup) {
            (*dups)++;
            continue;
        }
        if (k != i) {
            pel_position t = p[k];
            p[k] = p[i];
            p[i] = t;
        }
        p[k].flags = 0;
        p[k].segment = -1;
        k++;
    }
    *n_out = k;
    n = k;

    size_t cap = 16;
    trk_segment *sv = malloc(cap * sizeof *sv);
    if (!sv)
        return PEL_ERR_NOMEM;
    size_t ns = 0;
    int open[REF_MAX_OPEN];
    size_t last[REF_MAX_OPEN]; /* index of each open segment's last position */
    int nopen = 0;
    int64_t silence = (int64_t)(o->max_silence_h * 3600000.0);
    int64_t earliest = (int64_t)631152000000; /* 1990-01-01: AIS did not exist before */

    for (size_t i = 0; i < n; i++) {
        pel_position *q = &p[i];
        if (q->t_ms < earliest || q->t_ms > o->now_ms + 86400000) {
            q->flags |= PEL_POS_BAD_TIME;
            continue;
        }
        if (ref_bad_coord(q)) {
            q->flags |= PEL_POS_BAD_COORD;
            continue;
        }
        /* close what has been silent too long */
        for (int j = 0; j < nopen;) {
            if (q->t_ms - p[last[j]].t_ms > silence) {
                open[j] = open[nopen - 1];
                last[j] = last[nopen - 1];
                nopen--;
            } else
                j++;
        }
        /* of the segments that can reach it, the established one (most
         * positions) wins, so a lone outlier never takes the track over;
         * then the nearer one */
        int best = -1;
        double best_d = 0;
        for (int j = 0; j < nopen; j++) {
            const pel_position *l = &p[last[j]];
            double d = trk_distance_m(l->lat, l->lon, q->lat, q->lon);
            double hours = (double)(q->t_ms - l->t_ms) / 3600000.0;
            /* the reach rules added since (docs/tracks.md; their own cases
             * are tests/unit_reach.c): arrival times may be late, and a
             * vessel reporting itself fast is reachable at its own speed */
            if (q->clock == PEL_CLOCK_TRAILER || q->clock == PEL_CLOCK_ASSUMED || l->clock == PEL_CLOCK_TRAILER ||
                l->clock == PEL_CLOCK_ASSUMED)
                hours += o->arrival_slack_h;
            double sog = -1;
            if (l->speed != PEL_NA_SPEED && l->speed <= 1022)
                sog = l->speed / 10.0;
            if (q->speed != PEL_NA_SPEED && q->speed <= 1022 && q->speed / 10.0 > sog)
                sog = q->speed / 10.0;
            double reach = sog * 1.25 > 50 ? 50 : sog * 1.25;
            if (reach < o->max_speed_kn)
                reach = o->max_speed_kn;
            bool ok = d <= o->noise_nm * REF_NM || (hours > 0 && d / REF_NM / hours <= reach);
            if (!ok)
                continue;
            uint32_t nj = sv[open[j]].n, nb = best >= 0 ? sv[open[best]].n : 0;
            if (best < 0 || nj > nb || (nj == nb && d < best_d)) {
                best = j;
                best_d = d;
            }
        }
        if (best >= 0) {
            trk_segment *s = &sv[open[best]];
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
            last[best] = i;
            continue;
        }
        /* a new segment; if others are open, this one could not be reached */
        if (nopen > 0)
            q->flags |= PEL_POS_SUSPECT_SPEED;
        if (ns == cap) {
            trk_segment *nv = realloc(sv, 2 * cap * sizeof *sv);
            if (!nv) {
                free(sv);
                return PEL_ERR_NOMEM;
            }
            sv = nv;
            cap *= 2;
        }
        trk_segment *s = &sv[ns];
        memset(s, 0, sizeof *s);
        s->id = (int32_t)ns;
        s->t0 = s->t1 = q->t_ms;
        s->n = 1;
        s->lat0 = s->lat1 = s->min_lat = s->max_lat = q->lat;
        s->lon0 = s->lon1 = s->min_lon = s->max_lon = q->lon;
        q->segment = s->id;
        if (nopen == REF_MAX_OPEN) { /* close the one silent longest */
            int oldest = 0;
            for (int j = 1; j < nopen; j++)
                if (p[last[j]].t_ms < p[last[oldest]].t_ms)
                    oldest = j;
            open[oldest] = open[nopen - 1];
            last[oldest] = last[nopen - 1];
            nopen--;
        }
        open[nopen] = (int)ns;
        last[nopen] = i;
        nopen++;
        ns++;
    }
    /* lone positions, and segments that overlap in time */
    for (size_t i = 0; i < n; i++)
        if (p[i].segment >= 0 && sv[p[i].segment].n == 1)
            p[i].flags |= PEL_POS_ISOLATED;
    for (size_t a = 0; a < ns; a++)
        for (size_t b = a + 1; b < ns && sv[b].t0 <= sv[a].t1; b++)
            if (sv[a].n > 1 && sv[b].n > 1)
                sv[a].parallel = sv[b].parallel = true;
    *segs = sv;
    *nsegs = ns;
    return PEL_OK;
}

/* ---- generated vessels ---------------------------------------------------- */

static uint64_t rng = 88172645463325252u;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int64_t rint_(int64_t lo, int64_t hi) {
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

enum { TRACK, SCATTER, ONE_TIME, CLONES };

/* n positions of one vessel in the shape kind, in a shuffled order. */
static void gen(pel_position *p, size_t n, int kind) {
    int64_t t = 1700000000000;
    int32_t lat = 35 * PEL_DEG, lon = 124 * PEL_DEG, lat2 = 30 * PEL_DEG, lon2 = 128 * PEL_DEG;
    for (size_t i = 0; i < n; i++) {
        pel_position *q = &p[i];
        memset(q, 0, sizeof *q);
        q->mmsi = 412000001;
        q->speed = (uint16_t)rint_(0, 150);
        q->course = (uint16_t)rint_(0, 3599);
        q->heading = PEL_NA_HEADING;
        q->status = (uint8_t)rint_(0, 1) ? 0 : PEL_NA_STATUS;
        q->type = rint_(0, 9) ? 1 : 18;
        q->second = (int8_t)(rint_(0, 3) ? rint_(0, 59) : -1);
        q->input = (uint32_t)rint_(1, 3);
        q->line = i + 1;
        q->source = (uint32_t)rint_(0, 4);
        q->segment = -1;
        if (kind == SCATTER) {
            q->t_ms = t + rint_(0, 3600) * 1000;
            q->lat = (int32_t)rint_(-80 * PEL_DEG, 80 * PEL_DEG);
            q->lon = (int32_t)rint_(-179 * PEL_DEG, 179 * PEL_DEG);
            t += rint_(0, 2) * 1000;
        } else if (kind == ONE_TIME) {
            q->t_ms = t + rint_(0, 2) * 1000;
            q->lat = lat + (int32_t)rint_(-3000, 3000);
            q->lon = lon + (int32_t)rint_(-3000, 3000);
            if (rint_(0, 5) == 0) {
                q->lat = (int32_t)rint_(-80 * PEL_DEG, 80 * PEL_DEG);
                q->lon = (int32_t)rint_(-179 * PEL_DEG, 179 * PEL_DEG);
            }
        } else {
            t += rint_(0, 50) == 0 ? rint_(20, 40) * 3600000 : rint_(0, 20) * 1000;
            lat += (int32_t)rint_(-300, 300);
            lon += (int32_t)rint_(-300, 300);
            q->t_ms = t;
            q->lat = lat;
            q->lon = lon;
            if (kind == CLONES && rint_(0, 2) == 0) { /* a second transmitter far away */
                lat2 += (int32_t)rint_(-300, 300);
                lon2 += (int32_t)rint_(-300, 300);
                q->lat = lat2;
                q->lon = lon2;
            }
            int r = (int)rint_(0, 99);
            if (r < 3) { /* an outlier */
                q->lat += (int32_t)rint_(-2, 2) * PEL_DEG;
                q->lon += (int32_t)rint_(-2, 2) * PEL_DEG;
            } else if (r < 4)
                q->t_ms = rint_(0, 1) ? 500000000000 : 4000000000000; /* before 1990, far future */
            else if (r < 5)
                q->lat = 95 * PEL_DEG;
        }
        /* another reception of an earlier report: same or other second, 0-40 s later */
        if (i > 0 && rint_(0, 3) == 0) {
            const pel_position *o = &p[rint_((int64_t)(i > 20 ? i - 20 : 0), (int64_t)i - 1)];
            uint64_t line = q->line;
            *q = *o;
            q->line = line;
            q->input = (uint32_t)rint_(1, 3);
            q->t_ms += rint_(0, 3) ? rint_(0, 40) * 1000 : 0;
            if (rint_(0, 4) == 0)
                q->second = -1;
            if (rint_(0, 6) == 0)
                q->type = q->type == 1 ? 3 : 1;
        }
    }
    for (size_t i = n; i > 1; i--) { /* shuffle */
        size_t j = (size_t)(rnd() % i);
        pel_position x = p[i - 1];
        p[i - 1] = p[j];
        p[j] = x;
    }
}

static bool same_pos(const pel_position *a, const pel_position *b) {
    return a->mmsi == b->mmsi && a->t_ms == b->t_ms && a->lat == b->lat && a->lon == b->lon && a->speed == b->speed &&
           a->course == b->course && a->heading == b->heading && a->status == b->status && a->type == b->type &&
           a->flags == b->flags && a->segment == b->segment && a->input == b->input && a->source == b->source &&
           a->line == b->line && a->second == b->second;
}

static bool same_seg(const trk_segment *a, const trk_segment *b) {
    return a->id == b->id && a->t0 == b->t0 && a->t1 == b->t1 && a->n == b->n &&
           memcmp(&a->distance_m, &b->distance_m, sizeof a->distance_m) == 0 && a->lat0 == b->lat0 &&
           a->lon0 == b->lon0 && a->lat1 == b->lat1 && a->lon1 == b->lon1 && a->min_lat == b->min_lat &&
           a->max_lat == b->max_lat && a->min_lon == b->min_lon && a->max_lon == b->max_lon &&
           a->parallel == b->parallel;
}

/* The stream's promise about undecided positions, watched from a sink. */
typedef struct watch {
    trk_stream *t;
    uint64_t final_before; /* every seq below is final */
    uint64_t given, late, bad;
} watch;

static pel_status w_position(void *ud, const pel_position *p, uint64_t seq) {
    watch *w = ud;
    (void)p;
    if (seq != w->given)
        w->bad++;
    w->given++;
    return PEL_OK;
}
static pel_status w_isolated(void *ud, uint64_t seq) {
    watch *w = ud;
    if (seq < w->final_before || seq >= w->given)
        w->late++;
    return PEL_OK;
}

static int cmp_canon(const void *a, const void *b) {
    return trk_cmp_pos(a, b);
}

static void compare(const char *name, size_t n, int kind, int window_s) {
    pel_position *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    gen(a, n, kind);
    memcpy(b, a, n * sizeof *a);
    trk_opts o;
    trk_default_opts(&o);
    o.now_ms = 1800000000000;
    if (window_s)
        o.dedupe_window_s = window_s;
    size_t ka, da, na, kb, db, nb;
    trk_segment *sa, *sb;
    CHECK(ref_build(a, n, &o, &ka, &da, &sa, &na) == PEL_OK, "%s: reference", name);
    CHECK(trk_build(b, n, &o, &kb, &db, &sb, &nb) == PEL_OK, "%s: trk_build", name);
    CHECK(ka == kb && da == db && na == nb, "%s: kept %zu/%zu, duplicates %zu/%zu, segments %zu/%zu", name, ka, kb, da,
          db, na, nb);
    size_t diff = 0, first = 0;
    for (size_t i = 0; i < ka && i < kb; i++)
        if (!same_pos(&a[i], &b[i]) && !diff++)
            first = i;
    CHECK(diff == 0, "%s: %zu kept positions differ, first #%zu", name, diff, first);
    diff = 0;
    for (size_t i = 0; i < na && i < nb; i++)
        if (!same_seg(&sa[i], &sb[i]) && !diff++)
            first = i;
    CHECK(diff == 0, "%s: %zu segments differ, first #%zu", name, diff, first);
    size_t npar = 0, niso = 0;
    for (size_t i = 0; i < na; i++)
        npar += sa[i].parallel;
    for (size_t i = 0; i < ka; i++)
        niso += (a[i].flags & PEL_POS_ISOLATED) != 0;
    printf("  %s: %zu positions, %zu kept, %zu duplicates, %zu segments (%zu parallel), %zu isolated\n", name, n, ka,
           da, na, npar, niso);

    /* the stream itself, with the undecided bound watched */
    memcpy(b, a, ka * sizeof *a); /* the kept ones again: none is a duplicate now */
    qsort(b, ka, sizeof *b, cmp_canon);
    watch w = {0};
    trk_sink sink = {w_position, w_isolated, NULL, &w};
    w.t = trk_stream_new(&o, &sink);
    for (size_t i = 0; i < ka; i++) {
        uint64_t u = trk_stream_undecided(w.t);
        if (u > w.given)
            u = w.given;
        if (u > w.final_before)
            w.final_before = u;
        trk_stream_push(w.t, &b[i]);
    }
    uint64_t k, d;
    uint32_t s;
    trk_stream_end(w.t, &k, &d, &s);
    trk_stream_free(w.t);
    CHECK(w.bad == 0 && w.late == 0, "%s: stream order %llu, isolated after being final %llu", name,
          (unsigned long long)w.bad, (unsigned long long)w.late);
    free(a);
    free(b);
    free(sa);
    free(sb);
}

int main(void) {
    static const struct {
        const char *name;
        int kind;
        size_t n;
        int window;
    } cases[] = {
        {"track", TRACK, 20000, 0},
        {"track, 5 min window", TRACK, 20000, 300},
        {"clones", CLONES, 20000, 0},
        {"scattered", SCATTER, 5000, 0},
        {"one time", ONE_TIME, 3000, 0},
        {"tiny", TRACK, 3, 0},
        {"one", TRACK, 1, 0},
        {"none", TRACK, 0, 0},
    };
    for (int round = 0; round < 3; round++)
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
            compare(cases[c].name, cases[c].n, cases[c].kind, cases[c].window);
    /* trk_parallel on its own: overlaps at the ends count, lone positions never do */
    trk_segment g[5] = {{.id = 0, .t0 = 0, .t1 = 10, .n = 3},
                        {.id = 1, .t0 = 5, .t1 = 5, .n = 1},
                        {.id = 2, .t0 = 10, .t1 = 12, .n = 2},
                        {.id = 3, .t0 = 13, .t1 = 20, .n = 2},
                        {.id = 4, .t0 = 30, .t1 = 40, .n = 1}};
    trk_parallel pp;
    trk_parallel_init(&pp);
    char got[16] = "";
    for (int i = 0; i <= 5; i++) {
        int32_t id;
        if (trk_parallel_next(&pp, i < 5 ? &g[i] : NULL, &id))
            strcat(got, id >= 0 ? "P" : "-");
    }
    CHECK(strcmp(got, "PP-") == 0, "trk_parallel: decided %s, want PP- (0 and 2 touch at 10; 3 alone)", got);
    printf("unit_segment: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
