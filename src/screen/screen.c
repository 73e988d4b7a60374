/*
 * screen.c -- watchlists in the store and screening against them.
 *
 * `pelorus watchlist import` reads list files (pel_wl_read) and stores each
 * import with its entries through the store (st_wl_import_*), in one
 * transaction: a list is loaded whole or not at all; the same content
 * imported twice is recognised by its SHA-256 and skipped.  Screening matches every identity a
 * vessel ever broadcast (identities table) against every entry of the
 * stored lists -- or, when none is stored, against the default list shipped
 * in data/watchlist/ -- by IMO, MMSI and name (src/screen/match.c), and
 * reports each match with the entry, the fields that matched, the score and
 * the identity record and time it matched on.
 */
#include <errno.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/write.h"
#include "geo/geo.h"
#include "screen.h"
#include "store/store.h"
#include "util/fail.h"
#include "util/xsort.h"

static pel_status sc_nomem(pel_error *err) {
    return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
}

/* ---- import ---------------------------------------------------------------- */

typedef struct imp {
    st_wl_import *w;
    uint64_t n;
    char list[32];
    char newest[16];
    pel_status failed; /* why on_import stopped the read */
    pel_error err;
} imp;

static int on_import(void *ud, const pel_wl_entry *e) {
    imp *m = ud;
    if ((m->failed = st_wl_import_add(m->w, e, &m->err)) != PEL_OK)
        return 1;
    if (!m->list[0] && e->list)
        snprintf(m->list, sizeof m->list, "%s", e->list);
    if (e->listed_on && strcmp(e->listed_on, m->newest) > 0)
        snprintf(m->newest, sizeof m->newest, "%s", e->listed_on);
    m->n++;
    return 0;
}

/* SHA-256 over the files in order (their names excluded). */
static pel_status files_hash(const char *const *paths, size_t n, char hex[65], pel_error *err) {
    struct sha256_ctx c;
    sha256_init(&c);
    static unsigned char buf[1 << 16];
    for (size_t i = 0; i < n; i++) {
        FILE *f = fopen(paths[i], "rb");
        if (!f)
            return pel_fail(err, PEL_ERR_IO, "%s: cannot open (%s)", paths[i], strerror(errno));
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, f)) > 0)
            sha256_update(&c, k, buf);
        bool bad = ferror(f) != 0;
        int e = errno;
        fclose(f);
        if (bad) { /* a hash of part of a file would name another list */
            return pel_fail(err, PEL_ERR_IO, "%s: cannot read (%s)", paths[i], strerror(e));
        }
    }
    unsigned char d[SHA256_DIGEST_SIZE];
    sha256_digest(&c, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return PEL_OK;
}

pel_status pel_watchlist_import(pel_store *s, const char *const *paths, size_t n, bool replace, uint64_t *entries,
                                bool *skipped, pel_error *err) {
    *entries = 0;
    *skipped = false;
    pel_status st = st_wl_setup(s, err);
    char hash[65];
    if (st == PEL_OK)
        st = files_hash(paths, n, hash, err);
    if (st != PEL_OK)
        return st;
    bool known;
    if ((st = st_wl_known(s, hash, &known, err)) != PEL_OK)
        return st;
    if (known) {
        *skipped = true;
        return PEL_OK;
    }
    imp m = {0};
    char sources[2048] = "";
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(sources);
        snprintf(sources + l, sizeof sources - l, "%s%s", i ? "\n" : "", paths[i]);
    }
    if (!(m.w = st_wl_import_begin(s, hash, sources, err)))
        return err && err->code ? err->code : PEL_ERR_IO;
    pel_wl_cb cb = {on_import, &m};
    st = pel_wl_read(paths, n, &cb, err);
    if (m.failed != PEL_OK) { /* on_import stopped the read */
        st = m.failed;
        if (err)
            *err = m.err;
    }
    /* commits, or drops every entry of it: never a list in part */
    pel_status end = st_wl_import_end(m.w, st == PEL_OK, replace, m.list, m.n, m.newest, err);
    if (st == PEL_OK)
        st = end;
    if (st == PEL_OK)
        *entries = m.n;
    return st;
}

pel_status pel_watchlist_show(pel_store *s, FILE *out, pel_error *err) {
    (void)err;
    int n = 0;
    st_iter *q = st_wl_lists(s, NULL); /* NULL: nothing imported */
    st_wl_summary w;
    while (q && st_wl_list_next(q, &w, NULL) > 0) {
        n++;
        fprintf(out, "%s: %lld vessels (%lld with an IMO number, %lld with an MMSI, %lld with other names)\n", w.list,
                (long long)w.entries, (long long)w.with_imo, (long long)w.with_mmsi, (long long)w.with_other_names);
        fprintf(out, "  imported %s (%lld days ago); newest listing date in it: %s\n  from %s\n", w.imported,
                (long long)w.days_ago, w.newest_listing ? w.newest_listing : "not given", w.sources);
    }
    st_iter_free(q);
    if (!n)
        fprintf(out,
                "no watchlist imported: screening uses the default shipped in %s/watchlist "
                "(OFAC SDN vessels, 2024-05-03, aliases 2025-08-11)\n",
                geo_data_dir(NULL));
    return PEL_OK;
}

/* ---- loading a matcher --------------------------------------------------------- */

static int on_default(void *ud, const pel_wl_entry *e) {
    return pel_matcher_add(ud, e) != PEL_OK;
}

/* The default lists shipped in data_dir's watchlist/: fills a and b (cap
 * bytes each) with their paths. */
static void default_paths(const char *data_dir, char *a, char *b, size_t cap) {
    const char *dir = geo_data_dir(data_dir);
    snprintf(a, cap, "%s/watchlist/ofac_sdn_vessels_20240503.csv", dir);
    snprintf(b, cap, "%s/watchlist/ofac_alt_vessels_20250811.csv", dir);
}

typedef struct imo_vec {
    uint32_t *v;
    size_t n, cap;
} imo_vec;

static int on_default_imo(void *ud, const pel_wl_entry *e) {
    imo_vec *iv = ud;
    if (!e->imo)
        return 0;
    if (iv->n == iv->cap) {
        size_t cap = iv->cap ? 2 * iv->cap : 256;
        uint32_t *v = realloc(iv->v, cap * sizeof *v);
        if (!v)
            return 1;
        iv->v = v;
        iv->cap = cap;
    }
    iv->v[iv->n++] = e->imo;
    return 0;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

pel_status sc_default_imos(const char *data_dir, uint32_t **imos, size_t *n, pel_error *err) {
    char a[4096], b[4096];
    default_paths(data_dir, a, b, sizeof a);
    const char *paths[2] = {a, b};
    imo_vec iv = {0};
    pel_wl_cb cb = {on_default_imo, &iv};
    pel_status st = pel_wl_read(paths, 2, &cb, err);
    if (st == PEL_STOPPED)
        st = sc_nomem(err);
    if (st != PEL_OK) {
        free(iv.v);
        *imos = NULL;
        *n = 0;
        return st;
    }
    xqsort(iv.v, iv.n, sizeof *iv.v, cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < iv.n; i++)
        if (k == 0 || iv.v[k - 1] != iv.v[i])
            iv.v[k++] = iv.v[i];
    *imos = iv.v;
    *n = k;
    return PEL_OK;
}

pel_status sc_load_matcher(pel_store *s, const char *data_dir, bool stored_only, pel_matcher **out, bool *is_default,
                           pel_error *err) {
    *out = pel_matcher_new();
    *is_default = false;
    if (!*out)
        return sc_nomem(err);
    /* the imported lists, or the default when none was imported: any other
     * failure to read them fails (never a silent fallback or a list in part) */
    int64_t count = 0;
    pel_status st = st_wl_count(s, &count, err);
    if (st == PEL_OK && count == 0 && stored_only)
        ;                                  /* none */
    else if (st == PEL_OK && count == 0) { /* the default list shipped with the program */
        char a[4096], b[4096];
        default_paths(data_dir, a, b, sizeof a);
        const char *paths[2] = {a, b};
        pel_wl_cb cb = {on_default, *out};
        st = pel_wl_read(paths, 2, &cb, err);
        if (st == PEL_STOPPED) /* pel_matcher_add failed */
            st = sc_nomem(err);
        *is_default = true;
    } else if (st == PEL_OK) {
        st_iter *q = st_wl_entries(s, err);
        if (!q)
            st = PEL_ERR_IO;
        pel_wl_entry e;
        int rc = 0;
        while (st == PEL_OK && (rc = st_wl_entry_next(q, &e, err)) > 0)
            st = pel_matcher_add(*out, &e);
        if (st == PEL_OK && rc < 0)
            st = (pel_status)-rc;
        st_iter_free(q);
    }
    if (st == PEL_OK)
        st = pel_matcher_build(*out);
    if (st != PEL_OK) {
        if (err && !err->msg[0])
            pel_fail(err, st, "%s", st == PEL_ERR_NOMEM ? "out of memory" : "loading the watchlists");
        pel_matcher_free(*out);
        *out = NULL;
    }
    return st;
}

/* ---- screening --------------------------------------------------------------- */

/* One identity row of the vessel being screened. */
typedef struct sc_row {
    char name[64], callsign[16];
    uint32_t imo;
    int shiptype, length, beam;
    int64_t first, last;
    uint32_t input;
    uint64_t line;
    unsigned clocks; /* 1 << pel_clock of its reports */
} sc_row;

/* Everything one vessel broadcast that can corroborate a name match. */
typedef struct sc_vessel {
    uint32_t mmsi;
    sc_row *r;
    size_t n, cap;
    char iso2[3];     /* the MMSI's country, "" when unknown */
    int category;     /* ship-type category (see category_ais), -1 unknown */
    int length, beam; /* the largest reported, metres; 0 unknown */
} sc_vessel;

/* Kinds of craft, to compare an AIS ship type with a list's vessel type:
 * 30 fishing, 52 tug/towing, 60 passenger, 70 cargo, 80 tanker, 37
 * pleasure/sailing; -1 when the code says none of these. */
static int category_ais(int t) {
    if (t >= 80 && t <= 89)
        return 80;
    if (t >= 70 && t <= 79)
        return 70;
    if (t >= 60 && t <= 69)
        return 60;
    if (t == 30)
        return 30;
    if (t == 31 || t == 32 || t == 52)
        return 52;
    if (t == 36 || t == 37)
        return 37;
    return -1;
}

static bool has_word(const char *text, const char *w) {
    char up[128];
    size_t n = 0;
    for (; text && *text && n + 1 < sizeof up; text++)
        up[n++] = (char)(*text >= 'a' && *text <= 'z' ? *text - 'a' + 'A' : *text);
    up[n] = 0;
    return strstr(up, w) != NULL;
}

/* The same categories from a list's vessel type ("Crude Oil Tanker",
 * "General Cargo", "Tug", "Fishing Vessel"...). */
static int category_list(const char *t) {
    if (!t || !*t)
        return -1;
    if (has_word(t, "TANKER"))
        return 80;
    if (has_word(t, "FISH"))
        return 30;
    if (has_word(t, "TUG") || has_word(t, "TOW"))
        return 52;
    if (has_word(t, "PASSENGER") || has_word(t, "FERRY") || has_word(t, "CRUISE"))
        return 60;
    if (has_word(t, "YACHT") || has_word(t, "SAIL"))
        return 37;
    if (has_word(t, "CARGO") || has_word(t, "BULK") || has_word(t, "CONTAINER") || has_word(t, "CARRIER") ||
        has_word(t, "RO-RO") || has_word(t, "REEFER") || has_word(t, "REFRIGERAT"))
        return 70;
    return -1;
}

/* Gross tonnage from length and beam (metres), for a plausibility check
 * only: GT ~ 0.025 L^2 B holds within a factor of about 2 from tugs to
 * VLCCs (0.025 x 330^2 x 60 = 163,000 for a VLCC of about 160,000). */
static double gt_estimate(int length, int beam) {
    return 0.025 * length * length * beam;
}

/* +1 when the list's tonnage fits the reported size, -1 when it cannot
 * (off by more than a factor of 5), 0 when either is unknown.  Gross
 * tonnage when the list gives it; its other figure (often deadweight,
 * about 1.5-2 times GT for a tanker) with a factor of 8. */
static int size_fits(const pel_wl_entry *e, const sc_vessel *v) {
    if (v->length <= 0 || v->beam <= 0)
        return 0;
    double est = gt_estimate(v->length, v->beam), t = e->gross_tonnage ? e->gross_tonnage : e->tonnage,
           f = e->gross_tonnage ? 5 : 8;
    if (t <= 0)
        return 0;
    return est <= t * f && est >= t / f ? 1 : -1;
}

/* True when the vessel's country is the entry's flag or a former flag. */
static int flag_fits(const pel_wl_entry *e, const sc_vessel *v, const geo_mid *mid) {
    if (!v->iso2[0])
        return 0;
    bool known = false;
    char iso[3];
    if (e->flag && geo_country_iso2(mid, e->flag, iso)) {
        known = true;
        if (!strcmp(iso, v->iso2))
            return 1;
    }
    for (size_t i = 0; i < e->nformer_flags; i++)
        if (geo_country_iso2(mid, e->former_flags[i], iso)) {
            known = true;
            if (!strcmp(iso, v->iso2))
                return 1;
        }
    return known ? -1 : 0;
}

/* The vessel broadcast a valid IMO number, and none of them is imo. */
static bool other_valid_imo(const sc_vessel *v, uint32_t imo) {
    bool any = false;
    for (size_t i = 0; i < v->n; i++)
        if (pel_imo_classify(v->r[i].imo) == PEL_IMO_VALID) {
            if (v->r[i].imo == imo)
                return false;
            any = true;
        }
    return any;
}

/* Screening results that are not findings: how many name matches were
 * dropped because the vessel broadcast a different valid IMO. */
typedef struct sc_counts {
    uint64_t dropped_imo_conflict;
    uint64_t dropped_contradicted; /* name alone, contradicted twice */
    bool oom;                      /* a query ran out of memory: the screening is incomplete */
} sc_counts;

/* What corroborates or contradicts a name match: at most these attributes
 * (docs/screening.md), names static. */
typedef struct attrs {
    const char *v[6];
    size_t n;
} attrs;

static void arr_add(attrs *a, const char *name) {
    if (a->n < sizeof a->v / sizeof a->v[0])
        a->v[a->n++] = name;
}

/* Days since 1970 of an ISO date "YYYY-MM-DD..." as milliseconds, or -1. */
static int64_t date_ms(const char *iso) {
    int64_t ms;
    if (!iso || strlen(iso) < 10 || !pel_parse_time(iso, 10, &ms))
        return -1;
    return ms;
}

static void screen_vessel(const sc_vessel *v, const pel_matcher *m, bool is_default, const geo_mid *mid,
                          fnd_emit_fn emit, void *ud, sc_counts *cnt) {
    pel_match mt[16], other[16];
    for (size_t ri = 0; ri < v->n; ri++) {
        const sc_row *r = &v->r[ri];
        const char *name = r->name[0] ? r->name : NULL;
        errno = 0;
        size_t k = pel_matcher_query(m, name && !pel_text_placeholder(name) ? name : NULL, r->imo, v->mmsi, 0, mt, 16);
        if (!k && errno == ENOMEM) {
            cnt->oom = true;
            return;
        }
        for (size_t i = 0; i < k && i < 16; i++) {
            const pel_wl_entry *e = pel_matcher_entry(m, mt[i].entry);
            bool strong = mt[i].fields & (PEL_MATCH_IMO | PEL_MATCH_MMSI);
            attrs corr = {0}, contra = {0};
            if (!strong) {
                /* a name alone never stands against the ship's own valid IMO */
                if (e->imo && other_valid_imo(v, e->imo)) {
                    cnt->dropped_imo_conflict++;
                    continue;
                }
                char a[16], b[16];
                pel_text_key(e->callsign, a, sizeof a);
                for (size_t j = 0; a[0] && !pel_text_placeholder(e->callsign) && j < v->n; j++) {
                    pel_text_key(v->r[j].callsign, b, sizeof b);
                    if (!strcmp(a, b)) {
                        arr_add(&corr, "callsign");
                        break;
                    }
                }
                /* another name the vessel broadcast is also one of the entry's */
                char na[64], nb[64];
                pel_text_key(name, na, sizeof na);
                for (size_t j = 0; j < v->n; j++) {
                    pel_text_key(v->r[j].name, nb, sizeof nb);
                    if (!nb[0] || !strcmp(na, nb) || pel_text_placeholder(v->r[j].name))
                        continue;
                    errno = 0;
                    size_t ko = pel_matcher_query(m, v->r[j].name, 0, 0, 0, other, 16);
                    if (!ko && errno == ENOMEM)
                        cnt->oom = true;
                    bool same = false;
                    for (size_t o = 0; o < ko && o < 16 && !same; o++)
                        same = other[o].entry == mt[i].entry && (other[o].fields & PEL_MATCH_NAME);
                    if (same) {
                        arr_add(&corr, "other_name");
                        break;
                    }
                }
                int ff = flag_fits(e, v, mid);
                if (ff > 0)
                    arr_add(&corr, "flag");
                else if (ff < 0)
                    arr_add(&contra, "flag");
                int lc = category_list(e->vessel_type), sz = size_fits(e, v);
                if (lc >= 0 && v->category >= 0) {
                    if (lc == v->category && sz >= 0)
                        arr_add(&corr, sz > 0 ? "vessel_type_and_size" : "vessel_type");
                    else if (lc != v->category)
                        arr_add(&contra, "vessel_type");
                }
                if (sz < 0)
                    arr_add(&contra, "size");
            }
            /* a name alone that two independent attributes contradict (a US
             * tug named like an Iranian tanker: flag and type) is another ship */
            if (!strong && corr.n == 0 && contra.n >= 2) {
                cnt->dropped_contradicted++;
                continue;
            }
            const char *conf = strong ? "high" : corr.n > 0 ? "medium" : "low";
            fnd_builder f = {0};
            f.event = "watchlist_match";
            f.mmsi = v->mmsi;
            f.start_ms = r->first;
            f.end_ms = r->last;
            f.lat = f.lon = NAN;
            char listname[64];
            snprintf(listname, sizeof listname, "%s%s", e->list ? e->list : "", is_default ? " (default)" : "");
            fnd_str(&f, "list", listname);
            fnd_str(&f, "entry", e->entry_id);
            fnd_str(&f, "entry_name", e->name);
            fnd_str(&f, "program", e->program);
            if (e->imo)
                fnd_int(&f, "entry_imo", e->imo);
            fnd_num(&f, "score", mt[i].score, 3);
            attrs on = {0};
            if (mt[i].fields & PEL_MATCH_IMO)
                arr_add(&on, "imo");
            if (mt[i].fields & PEL_MATCH_MMSI)
                arr_add(&on, "mmsi");
            if (mt[i].fields & PEL_MATCH_NAME)
                arr_add(&on, "name");
            fnd_strs(&f, "matched_on", on.v, on.n);
            fnd_str(&f, "confidence", conf);
            if (!strong) {
                fnd_strs(&f, "corroborated_by", corr.v, corr.n);
                fnd_strs(&f, "contradicted_by", contra.v, contra.n);
            }
            if (mt[i].fields & PEL_MATCH_NAME) {
                fnd_str(&f, "matched_name", mt[i].matched_name);
                fnd_str(&f, "matched_name_kind",
                        mt[i].name_kind == 0   ? "primary"
                        : mt[i].name_kind == 1 ? "alias"
                                               : "former");
            }
            fnd_str(&f, "identity_name", name);
            if (r->imo)
                fnd_int(&f, "identity_imo", r->imo);
            fnd_str(&f, "identity_callsign", r->callsign);
            /* when the list says it designated the vessel: were these
             * reports made before that? (then they show the ship, not an
             * evasion of the designation) */
            fnd_str(&f, "listed_on", e->listed_on);
            int64_t lms = date_ms(e->listed_on);
            if (lms >= 0)
                fnd_bool(&f, "heard_before_listing", r->last < lms);
            pel_position p = {.input = r->input, .line = r->line};
            if (r->input)
                fnd_add_position(&f, &p);
            f.clocks |= r->clocks;
            emit(ud, &f);
        }
    }
}

pel_status sc_screen(pel_store *s, const pel_matcher *m, bool is_default, const geo_mid *mid, fnd_emit_fn emit,
                     void *ud, uint64_t *dropped, pel_error *err) {
    /* every vessel with positions or identities: a vessel without one is
     * screened on its MMSI alone */
    st_iter *q = st_identities_all(s, true, err);
    if (!q)
        return PEL_ERR_IO;
    sc_vessel v = {0};
    sc_counts cnt = {0};
    pel_status st = PEL_OK;
    int rc;
    st_ident_row id;
    for (;;) {
        rc = st_identity_next(q, &id, err);
        uint32_t mmsi = rc > 0 ? id.mmsi : 0;
        if ((rc <= 0 || mmsi != v.mmsi) && v.n) {
            screen_vessel(&v, m, is_default, mid, emit, ud, &cnt);
            v.n = 0;
        }
        if (rc <= 0)
            break;
        if (v.n == 0) {
            v.mmsi = mmsi;
            v.iso2[0] = 0;
            v.category = -1;
            v.length = v.beam = 0;
            if (mid)
                geo_mid_country(mid, mmsi, v.iso2);
        }
        if (v.n == v.cap) {
            size_t nc = v.cap ? 2 * v.cap : 16;
            sc_row *nr = realloc(v.r, nc * sizeof *nr);
            if (!nr) {
                st = PEL_ERR_NOMEM;
                break;
            }
            v.r = nr;
            v.cap = nc;
        }
        sc_row *r = &v.r[v.n++];
        snprintf(r->name, sizeof r->name, "%s", id.name);
        snprintf(r->callsign, sizeof r->callsign, "%s", id.callsign);
        r->imo = id.imo;
        r->shiptype = id.shiptype;
        int bow = id.to_bow, stern = id.to_stern, port = id.to_port, stbd = id.to_starboard;
        r->length = bow > 0 || stern > 0 ? (bow > 0 ? bow : 0) + (stern > 0 ? stern : 0) : 0;
        r->beam = port > 0 || stbd > 0 ? (port > 0 ? port : 0) + (stbd > 0 ? stbd : 0) : 0;
        r->first = id.first_ms;
        r->last = id.last_ms;
        r->input = (uint32_t)id.first_input;
        r->line = id.first_line;
        r->clocks = id.clocks;
        if (category_ais(r->shiptype) >= 0)
            v.category = category_ais(r->shiptype);
        if (r->length > v.length)
            v.length = r->length;
        if (r->beam > v.beam)
            v.beam = r->beam;
    }
    st_iter_free(q);
    free(v.r);
    if (dropped)
        *dropped = cnt.dropped_imo_conflict;
    if (st == PEL_OK && cnt.oom)
        st = sc_nomem(err);
    if (st == PEL_OK && rc < 0)
        st = (pel_status)-rc;
    return st;
}

pel_status pel_screen(pel_store *s, const char *data_dir, FILE *out, pel_findings_format fmt, uint64_t *matches,
                      pel_error *err) {
    pel_matcher *m;
    bool dflt;
    pel_status st = sc_load_matcher(s, data_dir, false, &m, &dflt, err);
    if (st != PEL_OK)
        return st;
    fnd_set *c = fnd_set_new();
    geo_mid *mid = NULL;
    char mp[4096];
    snprintf(mp, sizeof mp, "%s/mid.csv", geo_data_dir(data_dir));
    st = c ? geo_mid_load(mp, &mid, err) : PEL_ERR_NOMEM;
    if (st == PEL_OK)
        st = sc_screen(s, m, dflt, mid, fnd_set_push, c, NULL, err);
    geo_mid_free(mid);
    if (st == PEL_OK && c->failed != PEL_OK)
        st = c->failed;
    if (st == PEL_OK) {
        fnd_set_sort(c);
        char **paths = NULL;
        size_t np = 0;
        st = st_input_paths(s, &paths, &np, err);
        fnd_set_paths(c, paths, np);
        if (st == PEL_OK && (st = fnd_write(out, fmt, c)) != PEL_OK && err && !err->msg[0])
            pel_fail(err, st, "writing the matches: %s", st == PEL_ERR_NOMEM ? "out of memory" : strerror(errno));
    }
    if (st != PEL_OK && err && !err->msg[0])
        pel_fail(err, st, "%s", st == PEL_ERR_NOMEM ? "out of memory" : "screening failed");
    if (matches)
        *matches = c ? c->n : 0;
    fnd_set_free(c);
    pel_matcher_free(m);
    return st;
}

typedef struct each_default {
    int (*cb)(void *ud, const pel_wl_entry *e);
    void *ud;
} each_default;

static int on_each(void *ud, const pel_wl_entry *e) {
    each_default *d = ud;
    return d->cb(d->ud, e);
}

pel_status sc_entries_each(pel_store *s, const char *data_dir, int (*cb)(void *ud, const pel_wl_entry *e), void *ud,
                           bool *is_default, pel_error *err) {
    int64_t count = 0;
    *is_default = false;
    pel_status st = st_wl_count(s, &count, err);
    if (st != PEL_OK)
        return st;
    if (count == 0) {
        char a[4096], b[4096];
        default_paths(data_dir, a, b, sizeof a);
        const char *paths[2] = {a, b};
        each_default d = {cb, ud};
        pel_wl_cb wcb = {on_each, &d};
        *is_default = true;
        return pel_wl_read(paths, 2, &wcb, err);
    }
    st_iter *q = st_wl_entries(s, err);
    if (!q)
        return PEL_ERR_IO;
    pel_wl_entry e;
    int rc;
    while ((rc = st_wl_entry_next(q, &e, err)) > 0)
        if (cb(ud, &e)) {
            st_iter_free(q);
            return PEL_STOPPED;
        }
    st_iter_free(q);
    return rc < 0 ? (pel_status)-rc : PEL_OK;
}
