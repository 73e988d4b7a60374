/*
 * det_link.c -- one vessel, many MMSIs: the links between an MMSI that
 * fell silent (A) and the MMSI the same ship went on under (B), from the
 * store's identities and tracks (store/store.h), on demand.
 *
 * Rules (settings `identity.link_*`, det_table):
 *   - Identity.  A's last identity continues as B's first: the same valid
 *     IMO (util/ident.c: pel_imo_classify), or the same name, call sign
 *     and size (length and beam) when no valid IMO contradicts it.  "Last"
 *     and "first" are taken field by field from the identity rows heard
 *     last and first (class B sends name and call sign in separate
 *     reports).  Placeholder names and call signs (pel_text_placeholder)
 *     are no identity; fishing gear (pel_text_gear), MMSI 0 and the
 *     defaults many transponders share (pel_mmsi_classify) are never
 *     linked.
 *   - Order.  Every MMSI that broadcast the identity is put in order of
 *     when it was first heard (positions or identity reports); when any two
 *     of them were heard at the same time -- beyond link_overlap_s of
 *     switch-over -- the identity is used by two transmitters at once (a
 *     clone, a default, a copied IMO) and links nothing: those pairs stay
 *     `imo_shared`.  Otherwise each MMSI can only have been continued by
 *     the next one in that order.
 *   - Reach.  B's first position is reachable from A's last: their distance
 *     is at most link_noise_m plus the time between them at the speed the
 *     track build believes (trk_reach_kn: link_max_speed_kn, or 1.25 times
 *     a higher reported speed up to 50 kn).  Both must be positions of a
 *     segment of their own (not lone outliers, PEL_POS_ISOLATED).
 *   - Clones.  A's last transmitter must have been alone under A for the
 *     last link_alone_h (no position of a parallel segment of A), and B's
 *     first alone under B for its first link_alone_h: when two transmitters
 *     share an MMSI at the switch, which one went on cannot be told.
 *   - One successor, one predecessor: an MMSI that two identities link to
 *     two different MMSIs links to none.
 * Chains follow the links; a vessel is a chain, named by its first MMSI.
 *
 * Deterministic: rows, groups and candidates are sorted on every key; the
 * result depends only on the store and the settings.  Cost: one pass over
 * the identities, then the positions of the MMSIs whose identity another
 * MMSI also broadcast (few): linear in the vessels, never pairwise.
 *
 * Limits: an MMSI given up and taken back later (A, then B, then A again)
 * is not linked (A's identity is in use around B's: `imo_shared`).  Times
 * from arrival trailers are taken as they are (no --arrival-slack-hours).
 * A ship renamed and given a new call sign at the moment it changes MMSI
 * links only through its IMO.  The silence between the two MMSIs has no
 * upper bound: an IMO taken up months later by another hull, at a place
 * the first could have reached, is linked -- sequential use of one IMO
 * cannot be told from a re-flag by AIS alone.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "geo/geo.h"
#include "store/store.h"
#include "track/trk.h"
#include "util/fail.h"
#include "util/xsort.h"

/* ---- what each MMSI broadcast first and last -------------------------------------- */

/* One identity report (a row of the identities table) a link may rest on. */
typedef struct idref {
    bool set;
    int64_t first, last; /* the row's times */
    det_link_ident ev;
} idref;

/* One side (first heard or last heard) of an MMSI's identity: field by
 * field, the value of the row heard first or last that has it. */
typedef struct idside {
    uint32_t imo; /* valid only, 0 none */
    idref imo_row;
    char name[64], name_key[64];
    idref name_row;
    char callsign[16], cs_key[16];
    idref cs_row;
    int length, beam; /* -1: unknown */
    idref size_row;
} idside;

typedef struct idsum {
    uint32_t mmsi;
    idside side[2];       /* [0] first heard, [1] last heard */
    int64_t id_t0, id_t1; /* identity reports: first and last time */
} idsum;

/* Is row r (of the side's field) a better pick than the one held? */
static bool better(const idref *held, const st_ident_row *r, int which) {
    if (!held->set)
        return true;
    if (which == 0) /* first heard: the rows come in order of first_ms: keep the first */
        return false;
    return r->last_ms > held->last || (r->last_ms == held->last && r->first_ms > held->first);
}

static void take(idref *d, const st_ident_row *r) {
    d->set = true;
    d->first = r->first_ms;
    d->last = r->last_ms;
    d->ev.input = (uint32_t)r->first_input;
    d->ev.line = r->first_line;
    d->ev.clocks = r->clocks;
}

/* Folds identity row r into sum. */
static void fold(idsum *s, const st_ident_row *r) {
    if (s->id_t0 > r->first_ms)
        s->id_t0 = r->first_ms;
    if (s->id_t1 < r->last_ms)
        s->id_t1 = r->last_ms;
    for (int w = 0; w < 2; w++) {
        idside *d = &s->side[w];
        if (pel_imo_classify(r->imo) == PEL_IMO_VALID && better(&d->imo_row, r, w)) {
            d->imo = r->imo;
            take(&d->imo_row, r);
        }
        char key[64];
        if (!pel_text_placeholder(r->name) && (pel_text_key(r->name, key, sizeof key), key[0]) &&
            better(&d->name_row, r, w)) {
            snprintf(d->name, sizeof d->name, "%s", r->name);
            snprintf(d->name_key, sizeof d->name_key, "%s", key);
            take(&d->name_row, r);
        }
        if (!pel_text_placeholder(r->callsign) && (pel_text_key(r->callsign, key, sizeof key), key[0]) &&
            better(&d->cs_row, r, w)) {
            snprintf(d->callsign, sizeof d->callsign, "%s", r->callsign);
            snprintf(d->cs_key, sizeof d->cs_key, "%.15s", key);
            take(&d->cs_row, r);
        }
        /* a size: both parts of the length and of the beam known (a CSV's
         * length and width come as to_bow and to_port, the others 0) */
        int len = r->to_bow >= 0 && r->to_stern >= 0 ? r->to_bow + r->to_stern : 0;
        int beam = r->to_port >= 0 && r->to_starboard >= 0 ? r->to_port + r->to_starboard : 0;
        if (len > 0 && beam > 0 && better(&d->size_row, r, w)) {
            d->length = len;
            d->beam = beam;
            take(&d->size_row, r);
        }
    }
}

/* The name, call sign and size of a side as one key, false when one is
 * missing. */
static bool ncs_key(const idside *d, char *out, size_t cap) {
    if (!d->name_key[0] || !d->cs_key[0] || d->length <= 0 || d->beam <= 0)
        return false;
    snprintf(out, cap, "%s\x1f%s\x1f%dx%d", d->name_key, d->cs_key, d->length, d->beam);
    return true;
}

/* ---- groups of MMSIs broadcasting one identity ------------------------------------ */

enum { K_IMO, K_NCS };

typedef struct gkey {
    int kind;
    char key[112];
    size_t sum; /* index into the summaries */
} gkey;

static int cmp_gkey(const void *a, const void *b) {
    const gkey *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    return x->sum < y->sum ? -1 : x->sum > y->sum;
}

/* What the positions of an MMSI say, read once when needed. */
typedef struct ends {
    bool loaded, has; /* has: a usable position of a segment of its own */
    int64_t t0, t1;   /* heard: positions and identity reports */
    pel_position first, last;
    bool alone_start, alone_end;
} ends;

typedef struct builder {
    pel_store *s;
    const det_identity_opts *o;
    idsum *sums;
    size_t nsums, capsums;
    ends *ends; /* per summary */
    pel_position *pos;
    size_t poscap;
    gkey *keys;
    size_t nkeys, capkeys;
    det_link *links;
    size_t nlinks, caplinks;
} builder;

static bool usable(const pel_position *p) {
    return p->segment >= 0 && !(p->flags & PEL_POS_ISOLATED);
}

/* Loads the ends of summary i: its first and last usable positions and
 * whether their transmitters were alone under the MMSI (link_alone_h). */
static pel_status load_ends(builder *b, size_t i, pel_error *err) {
    ends *e = &b->ends[i];
    if (e->loaded)
        return PEL_OK;
    e->loaded = true;
    const idsum *s = &b->sums[i];
    e->t0 = s->id_t0;
    e->t1 = s->id_t1;
    size_t n = 0;
    pel_status st = st_vessel_positions(b->s, s->mmsi, &b->pos, &n, &b->poscap, err);
    if (st != PEL_OK)
        return st;
    const pel_position *p = b->pos;
    size_t i0 = n, i1 = n;
    for (size_t k = 0; k < n; k++) {
        if (p[k].segment >= 0) { /* heard: any position of a segment */
            if (p[k].t_ms < e->t0)
                e->t0 = p[k].t_ms;
            if (p[k].t_ms > e->t1)
                e->t1 = p[k].t_ms;
        }
        if (!usable(&p[k]))
            continue;
        if (i0 == n)
            i0 = k;
        i1 = k;
    }
    if (i0 == n)
        return PEL_OK;
    e->has = true;
    e->first = p[i0];
    e->last = p[i1];
    int64_t alone = (int64_t)llround(b->o->link_alone_h * 3.6e6);
    /* the last transmitter: no other segment's position from the start of
     * its segment (or link_alone_h before its end, whichever is later) on */
    int32_t sl = e->last.segment, sf = e->first.segment;
    int64_t seg_start = e->last.t_ms, seg_end = e->first.t_ms;
    for (size_t k = 0; k < n; k++) {
        if (p[k].segment == sl && p[k].t_ms < seg_start)
            seg_start = p[k].t_ms;
        if (p[k].segment == sf && p[k].t_ms > seg_end)
            seg_end = p[k].t_ms;
    }
    int64_t from = e->last.t_ms - alone > seg_start ? e->last.t_ms - alone : seg_start;
    int64_t to = e->first.t_ms + alone < seg_end ? e->first.t_ms + alone : seg_end;
    e->alone_end = e->alone_start = true;
    for (size_t k = 0; k < n; k++) {
        if (!usable(&p[k]))
            continue;
        if (p[k].segment != sl && p[k].t_ms >= from)
            e->alone_end = false;
        if (p[k].segment != sf && p[k].t_ms <= to)
            e->alone_start = false;
    }
    return PEL_OK;
}

static bool add_key(builder *b, int kind, const char *key, size_t sum) {
    if (b->nkeys == b->capkeys) {
        size_t ncap = b->capkeys ? 2 * b->capkeys : 256;
        gkey *nk = realloc(b->keys, ncap * sizeof *nk);
        if (!nk)
            return false;
        b->keys = nk;
        b->capkeys = ncap;
    }
    gkey *k = &b->keys[b->nkeys++];
    k->kind = kind;
    snprintf(k->key, sizeof k->key, "%s", key);
    k->sum = sum;
    return true;
}

/* Ends an MMSI's rows: keeps its summary when it has an identity to link. */
static bool close_sum(builder *b, bool skip, const uint32_t *imos, size_t nimos) {
    size_t i = b->nsums;
    idsum *s = &b->sums[i];
    char key[112];
    bool any = nimos > 0 || ncs_key(&s->side[0], key, sizeof key) || ncs_key(&s->side[1], key, sizeof key);
    if (skip || !any)
        return true;
    b->nsums++;
    for (size_t k = 0; k < nimos; k++) {
        snprintf(key, sizeof key, "%u", imos[k]);
        if (!add_key(b, K_IMO, key, i))
            return false;
    }
    for (int w = 0; w < 2; w++) {
        char other[112];
        if (ncs_key(&s->side[w], key, sizeof key) &&
            !(w == 1 && ncs_key(&s->side[0], other, sizeof other) && !strcmp(other, key)))
            if (!add_key(b, K_NCS, key, i))
                return false;
    }
    return true;
}

/* Every MMSI's summary and its keys, from the identities table. */
static pel_status read_identities(builder *b, pel_error *err) {
    st_iter *q = st_identities_all(b->s, false, err);
    if (!q)
        return PEL_ERR_IO;
    uint32_t imos[64];
    size_t nimos = 0;
    bool skip = false, open = false;
    uint32_t cur = 0;
    st_ident_row r;
    int rc;
    for (;;) {
        rc = st_identity_next(q, &r, err);
        if (open && (rc <= 0 || r.mmsi != cur)) {
            if (!close_sum(b, skip, imos, nimos)) {
                rc = -PEL_ERR_NOMEM;
                break;
            }
            open = false;
        }
        if (rc <= 0)
            break;
        if (!open) {
            if (b->nsums == b->capsums) {
                size_t ncap = b->capsums ? 2 * b->capsums : 256;
                idsum *ns = realloc(b->sums, ncap * sizeof *ns);
                if (!ns) {
                    rc = -PEL_ERR_NOMEM;
                    break;
                }
                b->sums = ns;
                b->capsums = ncap;
            }
            idsum *s = &b->sums[b->nsums];
            memset(s, 0, sizeof *s);
            s->mmsi = cur = r.mmsi;
            s->id_t0 = INT64_MAX;
            s->id_t1 = INT64_MIN;
            for (int w = 0; w < 2; w++)
                s->side[w].length = s->side[w].beam = -1;
            pel_mmsi_kind mk = pel_mmsi_classify(cur);
            skip = mk == PEL_MMSI_ZERO || mk == PEL_MMSI_PLACEHOLDER;
            nimos = 0;
            open = true;
        }
        skip |= pel_text_gear(r.name);
        if (skip)
            continue;
        fold(&b->sums[b->nsums], &r);
        if (pel_imo_classify(r.imo) == PEL_IMO_VALID) {
            size_t k = 0;
            while (k < nimos && imos[k] != r.imo)
                k++;
            if (k == nimos && nimos < sizeof imos / sizeof imos[0])
                imos[nimos++] = r.imo;
        }
    }
    st_iter_free(q);
    return rc < 0 ? (pel_status)-rc : PEL_OK;
}

/* ---- candidates --------------------------------------------------------------------- */

static int64_t ms_of(double s) {
    return (int64_t)llround(s * 1000.0);
}

/* The link from summary a to summary c (next in a group) when every rule
 * holds; false otherwise (nothing to link). */
static bool try_link(builder *b, size_t ia, size_t ic, det_link *out) {
    const idsum *A = &b->sums[ia], *B = &b->sums[ic];
    const ends *ea = &b->ends[ia], *eb = &b->ends[ic];
    const idside *a = &A->side[1], *c = &B->side[0];
    bool imo = a->imo && a->imo == c->imo;
    char ka[112], kc[112];
    bool ncs = ncs_key(a, ka, sizeof ka) && ncs_key(c, kc, sizeof kc) && !strcmp(ka, kc);
    if (a->imo && c->imo && a->imo != c->imo) /* a valid IMO contradicts the rest */
        return false;
    if (!imo && !ncs)
        return false;
    if (!ea->has || !eb->has || !ea->alone_end || !eb->alone_start)
        return false;
    int64_t overlap = ms_of(b->o->link_overlap_s);
    if (eb->t0 < ea->t1 - overlap || eb->t1 <= ea->t1 || eb->t0 <= ea->t0)
        return false;
    const pel_position *l = &ea->last, *f = &eb->first;
    int64_t dt = f->t_ms - l->t_ms;
    if (dt < -overlap)
        return false;
    double d = trk_distance_m(l->lat, l->lon, f->lat, f->lon);
    double reach = trk_reach_kn(b->o->link_max_speed_kn, l, f);
    double hours = (double)(dt < 0 ? -dt : dt) / 3.6e6;
    if (d > b->o->link_noise_m + reach * 1852.0 * hours)
        return false;
    memset(out, 0, sizeof *out);
    out->from = A->mmsi;
    out->to = B->mmsi;
    out->imo = imo ? a->imo : 0;
    out->matched = (imo ? DET_LINK_IMO : 0u) |
                   (a->name_key[0] && !strcmp(a->name_key, c->name_key) ? DET_LINK_NAME : 0u) |
                   (a->cs_key[0] && !strcmp(a->cs_key, c->cs_key) ? DET_LINK_CALLSIGN : 0u) |
                   (a->length > 0 && a->length == c->length && a->beam == c->beam ? DET_LINK_SIZE : 0u);
    snprintf(out->name, sizeof out->name, "%s", c->name);
    snprintf(out->callsign, sizeof out->callsign, "%s", c->callsign);
    out->length_m = c->length;
    out->beam_m = c->beam;
    out->last = *l;
    out->first = *f;
    out->distance_m = d;
    out->reach_kn = reach;
    out->silence_ms = dt;
    /* the identity reports that match: A's, then B's (each once) */
    const idref *refs[2][4] = {
        {imo ? &a->imo_row : NULL, (out->matched & DET_LINK_NAME) ? &a->name_row : NULL,
         (out->matched & DET_LINK_CALLSIGN) ? &a->cs_row : NULL, (out->matched & DET_LINK_SIZE) ? &a->size_row : NULL},
        {imo ? &c->imo_row : NULL, (out->matched & DET_LINK_NAME) ? &c->name_row : NULL,
         (out->matched & DET_LINK_CALLSIGN) ? &c->cs_row : NULL, (out->matched & DET_LINK_SIZE) ? &c->size_row : NULL},
    };
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < 4; k++) {
            const idref *x = refs[w][k];
            if (!x || !x->set || out->nident >= DET_LINK_MAX_IDENT)
                continue;
            bool dup = false;
            for (int j = 0; j < out->nident && !dup; j++)
                dup = out->ident[j].input == x->ev.input && out->ident[j].line == x->ev.line;
            if (!dup)
                out->ident[out->nident++] = x->ev;
        }
    return true;
}

static bool add_link(builder *b, const det_link *k) {
    if (b->nlinks == b->caplinks) {
        size_t ncap = b->caplinks ? 2 * b->caplinks : 16;
        det_link *nl = realloc(b->links, ncap * sizeof *nl);
        if (!nl)
            return false;
        b->links = nl;
        b->caplinks = ncap;
    }
    b->links[b->nlinks++] = *k;
    return true;
}

/* A group of MMSIs broadcasting one identity, keys[g0..g1): in order of
 * first heard when no two were heard at once; each continued by the next. */
typedef struct member {
    size_t sum;
    int64_t t0, t1;
} member;

static int cmp_member(const void *a, const void *b) {
    const member *x = a, *y = b;
    if (x->t0 != y->t0)
        return x->t0 < y->t0 ? -1 : 1;
    if (x->t1 != y->t1)
        return x->t1 < y->t1 ? -1 : 1;
    return x->sum < y->sum ? -1 : x->sum > y->sum;
}

static pel_status group(builder *b, size_t g0, size_t g1, member *m, pel_error *err) {
    size_t n = 0;
    for (size_t k = g0; k < g1; k++) {
        if (k > g0 && b->keys[k].sum == b->keys[k - 1].sum)
            continue;
        pel_status st = load_ends(b, b->keys[k].sum, err);
        if (st != PEL_OK)
            return st;
        const ends *e = &b->ends[b->keys[k].sum];
        m[n++] = (member){b->keys[k].sum, e->t0, e->t1};
    }
    if (n < 2)
        return PEL_OK;
    xqsort(m, n, sizeof *m, cmp_member);
    int64_t overlap = ms_of(b->o->link_overlap_s), until = m[0].t1;
    for (size_t k = 1; k < n; k++) {
        if (m[k].t0 < until - overlap)
            return PEL_OK; /* two heard at once: the identity links nothing */
        if (m[k].t1 > until)
            until = m[k].t1;
    }
    for (size_t k = 0; k + 1 < n; k++) {
        det_link l;
        if (try_link(b, m[k].sum, m[k + 1].sum, &l) && !add_link(b, &l))
            return PEL_ERR_NOMEM;
    }
    return PEL_OK;
}

/* ---- the links ---------------------------------------------------------------------- */

/* An index into the links, keyed by `to` (no file-scope state in the
 * sort: several scans may run at once in one process). */
typedef struct to_ix {
    uint32_t to, from;
    size_t i;
} to_ix;

struct det_links {
    det_link *v; /* by from */
    size_t n;
    to_ix *by_to; /* indexes into v, by to */
};

static int cmp_link(const void *a, const void *b) {
    const det_link *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return x->to < y->to ? -1 : x->to > y->to;
}

static int cmp_by_to(const void *a, const void *b) {
    const to_ix *x = a, *y = b;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return x->from < y->from ? -1 : x->from > y->from;
}

/* by_to[0..n) from v[0..n), sorted by to. */
static void index_by_to(const det_link *v, size_t n, to_ix *by_to) {
    for (size_t i = 0; i < n; i++)
        by_to[i] = (to_ix){v[i].to, v[i].from, i};
    if (n)
        xqsort(by_to, n, sizeof *by_to, cmp_by_to);
}

void det_identity_default_opts(det_identity_opts *o) {
    det_opts_default(&det_table[DET_IDENTITY], o);
}

pel_status det_links_build(pel_store *s, const det_identity_opts *o, det_links **out, pel_error *err) {
    det_identity_opts def;
    if (!o) {
        det_identity_default_opts(&def);
        o = &def;
    }
    *out = NULL;
    builder b = {.s = s, .o = o};
    det_links *L = calloc(1, sizeof *L);
    pel_status st = L ? read_identities(&b, err) : PEL_ERR_NOMEM;
    member *m = NULL;
    if (st == PEL_OK && b.nkeys) {
        b.ends = calloc(b.nsums, sizeof *b.ends);
        m = malloc(b.nkeys * sizeof *m);
        if (!b.ends || !m)
            st = PEL_ERR_NOMEM;
    }
    if (st == PEL_OK && b.nkeys) {
        xqsort(b.keys, b.nkeys, sizeof *b.keys, cmp_gkey);
        for (size_t g0 = 0, g1; st == PEL_OK && g0 < b.nkeys; g0 = g1) {
            for (g1 = g0 + 1;
                 g1 < b.nkeys && b.keys[g1].kind == b.keys[g0].kind && !strcmp(b.keys[g1].key, b.keys[g0].key); g1++)
                ;
            if (g1 - g0 >= 2)
                st = group(&b, g0, g1, m, err);
        }
    }
    /* one link per pair (an IMO and a name may give the same); an MMSI
     * with two successors or two predecessors has none */
    if (st == PEL_OK && b.nlinks) {
        xqsort(b.links, b.nlinks, sizeof *b.links, cmp_link);
        size_t k = 0;
        for (size_t i = 0; i < b.nlinks; i++)
            if (!k || b.links[k - 1].from != b.links[i].from || b.links[k - 1].to != b.links[i].to)
                b.links[k++] = b.links[i];
        b.nlinks = k;
        bool *drop = calloc(b.nlinks, sizeof *drop);
        to_ix *by_to = malloc(b.nlinks * sizeof *by_to);
        if (!drop || !by_to)
            st = PEL_ERR_NOMEM;
        for (size_t i = 0; st == PEL_OK && i + 1 < b.nlinks; i++)
            if (b.links[i].from == b.links[i + 1].from)
                drop[i] = drop[i + 1] = true;
        if (st == PEL_OK) {
            index_by_to(b.links, b.nlinks, by_to);
            for (size_t i = 0; i + 1 < b.nlinks; i++)
                if (by_to[i].to == by_to[i + 1].to)
                    drop[by_to[i].i] = drop[by_to[i + 1].i] = true;
            k = 0;
            for (size_t i = 0; i < b.nlinks; i++)
                if (!drop[i])
                    b.links[k++] = b.links[i];
            b.nlinks = k;
            index_by_to(b.links, b.nlinks, by_to);
            L->by_to = by_to;
            by_to = NULL;
        }
        free(drop);
        free(by_to);
    }
    free(m);
    free(b.sums);
    free(b.ends);
    free(b.pos);
    free(b.keys);
    if (st != PEL_OK) {
        free(b.links);
        det_links_free(L);
        if (st == PEL_ERR_NOMEM)
            pel_fail(err, st, "out of memory");
        return st;
    }
    L->v = b.links;
    L->n = b.nlinks;
    *out = L;
    return PEL_OK;
}

void det_links_free(det_links *l) {
    if (!l)
        return;
    free(l->v);
    free(l->by_to);
    free(l);
}

size_t det_links_count(const det_links *l) {
    return l ? l->n : 0;
}

const det_link *det_links_at(const det_links *l, size_t i) {
    return l && i < l->n ? &l->v[i] : NULL;
}

const det_link *det_link_from(const det_links *l, uint32_t mmsi) {
    if (!l)
        return NULL;
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].from == mmsi)
            return &l->v[mid];
        if (l->v[mid].from < mmsi)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const det_link *det_link_to(const det_links *l, uint32_t mmsi) {
    if (!l)
        return NULL;
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const det_link *k = &l->v[l->by_to[mid].i];
        if (k->to == mmsi)
            return k;
        if (k->to < mmsi)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

uint32_t det_links_head(const det_links *l, uint32_t mmsi) {
    const det_link *k;
    size_t steps = 0; /* links go forward in time: no cycle, but never trust a loop */
    while ((k = det_link_to(l, mmsi)) && steps++ <= det_links_count(l))
        mmsi = k->from;
    return mmsi;
}

/* ---- the finding ---------------------------------------------------------------------- */

void det_link_emit(const det_link *k, const struct geo_mid *mid, fnd_emit_fn emit, void *ud) {
    fnd_builder f = {0};
    f.event = "identity_change";
    f.mmsi = k->from;
    f.mmsi2 = k->to;
    f.start_ms = k->silence_ms >= 0 ? k->last.t_ms : k->first.t_ms;
    f.end_ms = k->silence_ms >= 0 ? k->first.t_ms : k->last.t_ms;
    f.lat = (double)k->last.lat / PEL_DEG;
    f.lon = (double)k->last.lon / PEL_DEG;
    fnd_str(&f, "field", "mmsi");
    fnd_int(&f, "from", k->from);
    fnd_int(&f, "to", k->to);
    fnd_str(&f, "pattern", "change");
    const char *on[4];
    size_t non = 0;
    if (k->matched & DET_LINK_IMO)
        on[non++] = "imo";
    if (k->matched & DET_LINK_NAME)
        on[non++] = "name";
    if (k->matched & DET_LINK_CALLSIGN)
        on[non++] = "callsign";
    if (k->matched & DET_LINK_SIZE)
        on[non++] = "size";
    fnd_strs(&f, "matched_on", on, non);
    if (k->imo)
        fnd_int(&f, "imo", k->imo);
    else
        fnd_null(&f, "imo");
    fnd_str(&f, "name", k->name[0] ? k->name : NULL);
    fnd_str(&f, "callsign", k->callsign[0] ? k->callsign : NULL);
    char fa[3] = "", fb[3] = "";
    bool ka = mid && geo_mid_country(mid, k->from, fa), kb = mid && geo_mid_country(mid, k->to, fb);
    fnd_str(&f, "from_flag", ka ? fa : NULL);
    fnd_str(&f, "to_flag", kb ? fb : NULL);
    fnd_bool(&f, "flag_changed", ka && kb ? strcmp(fa, fb) != 0 : -1);
    fnd_num(&f, "silence_h", (double)k->silence_ms / 3.6e6, 2);
    fnd_num(&f, "distance_nm", k->distance_m / 1852.0, 2);
    double h = fabs((double)k->silence_ms) / 3.6e6;
    fnd_num(&f, "speed_needed_kn", h > 0 ? k->distance_m / 1852.0 / h : NAN, 1);
    fnd_num(&f, "reach_kn", k->reach_kn, 1);
    fnd_add_position(&f, &k->last);
    fnd_add_position(&f, &k->first);
    for (int i = 0; i < k->nident; i++) {
        const det_link_ident *x = &k->ident[i];
        if ((x->input == k->last.input && x->line == k->last.line) ||
            (x->input == k->first.input && x->line == k->first.line))
            continue; /* a CSV row is position and identity at once: cited once */
        pel_position p = {.input = x->input, .line = x->line};
        fnd_add_position(&f, &p);
        f.clocks |= x->clocks;
    }
    emit(ud, &f);
}
