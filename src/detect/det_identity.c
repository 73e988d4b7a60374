/*
 * det_identity.c -- identity changes and data-quality notes, from the
 * store's identity history:
 *
 *   identity_change  a vessel (MMSI) broadcast a new name, IMO, call sign or
 *                    ship type (one finding per change, in time order,
 *                    "field" naming it); a ship that went on under another
 *                    MMSI (one per link, det_link.c, "field":"mmsi"); an
 *                    IMO broadcast under several MMSIs that are not one
 *                    ship's in turn (one per pair, "field":"imo_shared").
 *   data_quality     an IMO number that is no IMO number (wrong check digit,
 *                    not seven digits), once per vessel and number.
 *
 * Limits: AIS carries no flag, so "MID contradicts the reported flag" needs
 * a flag from elsewhere (a sanctions list entry); that check belongs to
 * screening.  Class B vessels send name and call sign in separate parts,
 * stored as separate identity rows: a change is only counted between values
 * actually broadcast (empty values are not a change).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detectors.h"
#include "store/store.h"
#include "util/xsort.h"

typedef struct idrow {
    char name[64], callsign[16];
    int64_t imo, shiptype;
    int64_t first, last;
    uint32_t input;
    uint64_t line;
    unsigned clocks; /* 1 << pel_clock of its reports (0: not known) */
} idrow;

/* One value of one field, over every identity row that carried it. */
typedef struct idval {
    char key[64];   /* what is compared: see value_of() */
    char shown[64]; /* what is printed (the first spelling seen) */
    int64_t num;    /* numeric fields: the raw value */
    int64_t first, last;
    uint32_t input; /* where it was first seen */
    uint64_t line;
    unsigned clocks;
} idval;

enum { F_NAME, F_CALLSIGN, F_IMO, F_SHIPTYPE };
static const char *const field_names[] = {"name", "callsign", "imo", "shiptype"};

/* The ship-type code as an identity: 0 and the reserved codes (1-19,
 * 100-255) say nothing; for 2x, 4x and 6x-9x the second digit is the
 * hazardous cargo category of the voyage, not the ship, so only the tens
 * count; 3x and 5x name the kind of craft (fishing, tug, pilot...) and
 * count whole.  -1 when it says nothing. */
static int64_t shiptype_identity(int64_t t) {
    if (t < 20 || t > 99)
        return -1;
    int tens = (int)(t / 10);
    return tens == 3 || tens == 5 ? t : tens * 10;
}

/* Fills v with field f of row r; false when the row says nothing there
 * (absent, a placeholder, a junk IMO). */
static bool value_of(const idrow *r, int f, idval *v) {
    memset(v, 0, sizeof *v);
    switch (f) {
    case F_NAME:
    case F_CALLSIGN: {
        const char *t = f == F_NAME ? r->name : r->callsign;
        if (pel_text_placeholder(t))
            return false;
        pel_text_key(t, v->key, sizeof v->key); /* "YILDIZ BURNU" = "YILDIZBURNU" */
        if (!v->key[0])
            return false;
        snprintf(v->shown, sizeof v->shown, "%s", t);
        break;
    }
    case F_IMO:
        if (pel_imo_classify((uint32_t)r->imo) != PEL_IMO_VALID)
            return false;
        v->num = r->imo;
        snprintf(v->key, sizeof v->key, "%lld", (long long)r->imo);
        break;
    default: {
        int64_t k = shiptype_identity(r->shiptype);
        if (k < 0)
            return false;
        v->num = r->shiptype;
        snprintf(v->key, sizeof v->key, "%lld", (long long)k);
        break;
    }
    }
    v->first = r->first;
    v->last = r->last;
    v->input = r->input;
    v->line = r->line;
    v->clocks = r->clocks;
    return true;
}

static int cmp_val(const void *a, const void *b) {
    const idval *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    if (x->last != y->last)
        return x->last < y->last ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* One field's changes over a vessel's identity rows.  The rows are merged
 * per value (a name seen in several rows is one value, from its first to
 * its last report) and put in order of first report.  Between consecutive
 * values: when the first was last heard before the second was first heard,
 * it is a change (start = last report of the old value, end = first report
 * of the new one); when their periods overlap, the vessel alternated
 * between them -- two transmitters on one MMSI, or a name typed two ways
 * -- and the finding says so ("pattern":"alternating"; start = the first
 * report of the second value, end = the earlier of their last reports).
 * vals is scratch space for n values. */
static void changes(uint32_t mmsi, const idrow *r, size_t n, int field, idval *vals, fnd_emit_fn emit, void *ud) {
    size_t nv = 0;
    for (size_t i = 0; i < n; i++) {
        idval v;
        if (!value_of(&r[i], field, &v))
            continue;
        size_t k = 0;
        while (k < nv && strcmp(vals[k].key, v.key))
            k++;
        if (k == nv) {
            vals[nv++] = v;
            continue;
        }
        idval *w = &vals[k];
        w->clocks |= v.clocks;
        if (v.first < w->first || (v.first == w->first && v.line < w->line)) {
            w->first = v.first;
            w->input = v.input;
            w->line = v.line;
            snprintf(w->shown, sizeof w->shown, "%s", v.shown);
            w->num = v.num;
        }
        if (v.last > w->last)
            w->last = v.last;
    }
    if (nv < 2)
        return;
    xqsort(vals, nv, sizeof *vals, cmp_val);
    for (size_t i = 1; i < nv; i++) {
        const idval *a = &vals[i - 1], *b = &vals[i];
        bool overlap = a->last > b->first;
        fnd_builder f = {0};
        f.event = "identity_change";
        f.mmsi = mmsi;
        f.start_ms = overlap ? b->first : a->last;
        f.end_ms = overlap ? (a->last < b->last ? a->last : b->last) : b->first;
        f.lat = f.lon = NAN;
        fnd_str(&f, "field", field_names[field]);
        if (field == F_NAME || field == F_CALLSIGN) {
            fnd_str(&f, "from", a->shown);
            fnd_str(&f, "to", b->shown);
        } else {
            fnd_int(&f, "from", a->num);
            fnd_int(&f, "to", b->num);
        }
        fnd_str(&f, "pattern", overlap ? "alternating" : "change");
        fnd_int(&f, "from_first_seen_ms", a->first);
        fnd_int(&f, "from_last_seen_ms", a->last);
        fnd_int(&f, "to_first_seen_ms", b->first);
        fnd_int(&f, "to_last_seen_ms", b->last);
        pel_position p = {.input = a->input, .line = a->line};
        fnd_add_position(&f, &p);
        p.input = b->input;
        p.line = b->line;
        fnd_add_position(&f, &p);
        f.clocks |= a->clocks | b->clocks;
        emit(ud, &f);
    }
}

/* Data-quality notes: each IMO number that is neither absent nor valid,
 * once per vessel and number.  A wrong IMO is a typing slip as often as a
 * forgery; it is not spoofing, and it never identifies a ship. */
static void imo_notes(uint32_t mmsi, const idrow *rows, size_t n, fnd_emit_fn emit, void *ud) {
    for (size_t i = 0; i < n; i++) {
        pel_imo_kind k = pel_imo_classify((uint32_t)rows[i].imo);
        if (k == PEL_IMO_ABSENT || k == PEL_IMO_VALID)
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = rows[j].imo == rows[i].imo;
        if (seen)
            continue;
        fnd_builder f = {0};
        f.event = "data_quality";
        f.mmsi = mmsi;
        f.start_ms = rows[i].first;
        f.end_ms = rows[i].last;
        for (size_t j = i + 1; j < n; j++)
            if (rows[j].imo == rows[i].imo && rows[j].last > f.end_ms)
                f.end_ms = rows[j].last;
        f.lat = f.lon = NAN;
        fnd_str(&f, "kind", "invalid_imo");
        fnd_int(&f, "imo", rows[i].imo);
        fnd_str(&f, "problem", k == PEL_IMO_CHECK_DIGIT ? "check_digit" : "not_7_digits");
        pel_position p = {.input = rows[i].input, .line = rows[i].line};
        fnd_add_position(&f, &p);
        for (size_t j = i; j < n; j++)
            if (rows[j].imo == rows[i].imo)
                f.clocks |= rows[j].clocks;
        emit(ud, &f);
    }
}

pel_status det_identity_run(pel_store *s, const det_links *links, const struct geo_mid *mid, fnd_emit_fn emit,
                            void *ud) {
    /* a ship that went on under another MMSI */
    for (size_t i = 0; i < det_links_count(links); i++)
        det_link_emit(det_links_at(links, i), mid, emit, ud);

    st_iter *q = st_identities_all(s, false, NULL);
    if (!q)
        return PEL_ERR_IO;
    idrow *rows = NULL;
    idval *vals = NULL;
    size_t n = 0, cap = 0;
    uint32_t cur = 0;
    int rc;
    st_ident_row id;
    for (;;) {
        rc = st_identity_next(q, &id, NULL);
        uint32_t mmsi = rc > 0 ? id.mmsi : 0;
        if ((rc <= 0 || mmsi != cur) && n) {
            /* fishing gear (a buoy named "BUOYS FNX 02 78%") is no vessel:
             * its names change with its battery, and buoys share MMSIs */
            bool gear = false;
            for (size_t i = 0; i < n && !gear; i++)
                gear = pel_text_gear(rows[i].name);
            /* MMSI 0 and the shared defaults are many vessels: their
             * identities are each other's, not changes */
            pel_mmsi_kind mk = pel_mmsi_classify(cur);
            gear |= mk == PEL_MMSI_ZERO || mk == PEL_MMSI_PLACEHOLDER;
            for (int fld = F_NAME; fld <= F_SHIPTYPE && !gear; fld++)
                changes(cur, rows, n, fld, vals, emit, ud);
            if (!gear)
                imo_notes(cur, rows, n, emit, ud);
            n = 0;
        }
        if (rc <= 0)
            break;
        cur = mmsi;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            idrow *nr = realloc(rows, ncap * sizeof *nr);
            idval *nv = nr ? realloc(vals, ncap * sizeof *nv) : NULL;
            if (nr)
                rows = nr;
            if (nv)
                vals = nv;
            if (!nr || !nv) {
                free(rows);
                free(vals);
                st_iter_free(q);
                return PEL_ERR_NOMEM;
            }
            cap = ncap;
        }
        idrow *r = &rows[n++];
        snprintf(r->name, sizeof r->name, "%s", id.name);
        r->imo = id.imo;
        snprintf(r->callsign, sizeof r->callsign, "%s", id.callsign);
        r->shiptype = id.shiptype;
        r->first = id.first_ms;
        r->last = id.last_ms;
        r->input = (uint32_t)id.first_input;
        r->line = id.first_line;
        r->clocks = id.clocks;
    }
    free(rows);
    free(vals);
    st_iter_free(q);
    if (rc < 0)
        return (pel_status)-rc;

    /* one IMO under several MMSIs: valid IMO numbers only (the "not
     * available" values and junk are shared by thousands of transponders
     * and identify nobody) */
    if (!(q = st_imo_shared(s, NULL)))
        return PEL_ERR_IO;
    st_imo_pair pr;
    while ((rc = st_imo_pair_next(q, &pr, NULL)) > 0) {
        uint32_t imo = pr.imo;
        if (pel_imo_classify(imo) != PEL_IMO_VALID)
            continue;
        /* one MMSI after another of the same ship: a change of MMSI (above) */
        if (links && det_links_head(links, pr.mmsi_a) == det_links_head(links, pr.mmsi_b))
            continue;
        fnd_builder f = {0};
        f.event = "identity_change";
        f.mmsi = pr.mmsi_a;
        f.mmsi2 = pr.mmsi_b;
        int64_t a0 = pr.a_first_ms, a1 = pr.a_last_ms, b0 = pr.b_first_ms, b1 = pr.b_last_ms;
        f.start_ms = a0 < b0 ? a0 : b0;
        f.end_ms = a1 > b1 ? a1 : b1;
        f.lat = f.lon = NAN;
        fnd_str(&f, "field", "imo_shared");
        fnd_int(&f, "imo", imo);
        fnd_bool(&f, "imo_valid", 1);
        pel_position p = {.input = (uint32_t)pr.a_input, .line = pr.a_line};
        fnd_add_position(&f, &p);
        p.input = (uint32_t)pr.b_input;
        p.line = pr.b_line;
        fnd_add_position(&f, &p);
        f.clocks |= pr.clocks;
        emit(ud, &f);
    }
    st_iter_free(q);
    return rc == 0 ? PEL_OK : (pel_status)-rc;
}

pel_status det_identity_finish(det_call *c) {
    return det_identity_run(c->env->s, c->env->links, c->env->mid, c->emit, c->ud);
}
