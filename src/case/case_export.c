/*
 * case_export.c -- pelorus case export (docs/case.md): a case about some
 * vessels, carrying its own evidence.
 *
 *  1. The database's findings (a whole scan, as pel_scan) about the
 *     vessels, in the period, those asked for: the origin's findings.
 *  2. The vessels involved: the vessels themselves and every vessel those
 *     findings name (mmsi2, others, continued_as, possible_partners); only
 *     they are the rerun's subjects (pel_scan_opts.subjects); the window: the
 *     findings' span with a margin (or the period, or the vessels' data).
 *  3. The lines: every input of the database read again as it was
 *     ingested (ingest_map.h); taken are the lines of every message of an
 *     involved vessel in the window (all its fragments; around a message
 *     timed by a $PGHP line, the lines that may hold it), of other
 *     vessels' positions in the coverage cells within context_km of the
 *     involved vessels' tracks (what a gap's judgement rests on), and the
 *     first position of each hour of the window (the feed's pulse), with a
 *     CSV's header.  Each input read must have the SHA-256 it was ingested
 *     with; one that holds positions of the vessels in the window must be
 *     read, another that cannot be is left out (on_unread); a partner's
 *     case's lines (inputs "case:ID/...") are not exported again.
 *  4. The reference data, the list entries matched, the settings, case.json.
 *  5. The rerun (case_rerun.c) gives findings.jsonl; each origin finding
 *     it does not give byte for byte is told to on_differ.
 *  6. case.html, MANIFEST; the directory renamed into place (or zipped).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case/case.h"
#include "findings/finding.h"
#include "geo/cell.h"
#include "geo/geo.h"
#include "ingest/ingest_map.h"
#include "screen/screen.h"
#include "store/store.h"
#include "util/fail.h"
#include "util/xsort.h"

#define PGHP_REACH 16 /* lines a $PGHP may be from its message (the decoder's window) */

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

typedef struct u32v {
    uint32_t *v;
    size_t n, cap;
} u32v;

static bool u32_push(u32v *a, uint32_t x) {
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 64;
        uint32_t *v = realloc(a->v, cap * sizeof *v);
        if (!v)
            return false;
        a->v = v;
        a->cap = cap;
    }
    a->v[a->n++] = x;
    return true;
}

static void u32_unique(u32v *a) {
    xqsort(a->v, a->n, sizeof *a->v, cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++)
        if (k == 0 || a->v[k - 1] != a->v[i])
            a->v[k++] = a->v[i];
    a->n = k;
}

static bool u32_has(const u32v *a, uint32_t x) {
    return xbsearch(&x, a->v, a->n, sizeof *a->v, cmp_u32) != NULL;
}

/* ---- what the origin's findings name ---- */

/* A growing array of strings (malloc'd), false when out of memory. */
typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

static bool str_push(strv *a, char *s) {
    if (s && a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        char **v = realloc(a->v, cap * sizeof *v);
        if (v) {
            a->v = v;
            a->cap = cap;
        }
    }
    if (!s || a->n == a->cap) {
        free(s);
        return false;
    }
    a->v[a->n++] = s;
    return true;
}

static void strv_free(strv *a) {
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
}

typedef struct picks {
    const fnd_set *fs;
    u32v involved;
    int64_t t0, t1; /* the picked findings' span */
    size_t n;
    strv ids;     /* the picked findings' ids, for their reviews */
    strv entries; /* list entries matched: "list\tentry" */
    bool oom;
} picks;

/* The vessels an array member of f names: its integer elements, or the
 * "mmsi" of its object elements. */
static bool push_named(u32v *a, const fnd_finding *f, const char *name) {
    const fnd_member *arr = fnd_get(f, name);
    bool ok = true;
    for (const fnd_member *m = arr && arr->kind == FND_ARR ? arr + 1 : NULL, *end = m ? m + arr->n : NULL; m && m < end;
         m = fnd_next(m)) {
        const fnd_member *x = m->kind == FND_OBJ ? fnd_member_get(m, "mmsi") : m;
        if (x && x->kind == FND_INT && x->v.i > 0)
            ok = ok && u32_push(a, (uint32_t)x->v.i);
    }
    return ok;
}

static void on_pick(void *ud, size_t i) {
    picks *p = ud;
    const fnd_finding *f = &p->fs->v[i];
    char id[FND_ID_LEN + 1];
    fnd_id(p->fs, i, id);
    bool ok = str_push(&p->ids, strdup(id));
    if (!p->n || f->start_ms < p->t0)
        p->t0 = f->start_ms;
    if (!p->n || f->end_ms > p->t1)
        p->t1 = f->end_ms;
    p->n++;
    /* the vessels it names: a partner, the next MMSI, those sharing a GNSS
       point or circle, a loitering's possible (dark) partners */
    ok = ok && u32_push(&p->involved, f->mmsi) && (!f->mmsi2 || u32_push(&p->involved, f->mmsi2));
    const fnd_member *c = fnd_get(f, "continued_as");
    if (c && c->kind == FND_INT && c->v.i > 0)
        ok = ok && u32_push(&p->involved, (uint32_t)c->v.i);
    ok = ok && push_named(&p->involved, f, "others") && push_named(&p->involved, f, "possible_partners");
    const char *list = fnd_get_str(f, "list"), *entry = fnd_get_str(f, "entry");
    if (!strcmp(f->event, "watchlist_match") && list && entry) {
        /* "ofac_sdn (default)": the list is ofac_sdn */
        size_t ll = strcspn(list, " "), n = ll + strlen(entry) + 2;
        char *k = malloc(n);
        if (k)
            snprintf(k, n, "%.*s\t%s", (int)ll, list, entry);
        ok = ok && str_push(&p->entries, k);
    }
    if (!ok)
        p->oom = true;
}

/* ---- the lines to take ---- */

typedef struct taker {
    const u32v *involved, *cells;
    int64_t w0, w1;
    uint8_t *pulse; /* per hour of the window: its first position taken */
    size_t nhours;
    bool csv;
    case_sel sel;
    bool oom;
} taker;

static int on_rec(void *ud, const pel_record *r) {
    taker *t = ud;
    if (!r->has_time || r->t_ms < t->w0 || r->t_ms > t->w1)
        return 0;
    bool pos = (r->kind & PEL_REC_POSITION) && r->lat != PEL_NA_LAT && r->lon != PEL_NA_LON;
    bool take = u32_has(t->involved, r->mmsi);
    if (!take && pos && t->cells->n && u32_has(t->cells, geo_cell_of(r->lat, r->lon)))
        take = true;
    size_t h = (size_t)((r->t_ms - t->w0) / 3600000);
    if (!take && pos && h < t->nhours && !t->pulse[h])
        take = true;
    if (!take)
        return 0;
    if (pos && h < t->nhours)
        t->pulse[h] = 1;
    uint64_t lo = r->line, hi = r->line_last > r->line ? r->line_last : r->line;
    if (r->clock == PEL_CLOCK_PGHP) {
        lo = lo > PGHP_REACH ? lo - PGHP_REACH : 1;
        hi += PGHP_REACH;
    }
    if (case_sel_add(&t->sel, lo, hi) != PEL_OK) {
        t->oom = true;
        return 1;
    }
    return 0;
}

/* ---- the vessels' tracks: the context cells ---- */

typedef struct tracks {
    u32v cells;
    u32v inputs; /* the inputs.id of every position seen */
    double radius_m;
    int64_t first, last;
    bool any, oom;
} tracks;

static void cells_near(tracks *k, double lat, double lon) {
    uint32_t buf[256];
    size_t n = geo_cells_near(lat, lon, k->radius_m, buf, 256);
    for (size_t i = 0; i < n && i < 256; i++)
        if (!u32_push(&k->cells, buf[i]))
            k->oom = true;
}

static int on_track(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    (void)mmsi;
    (void)name;
    tracks *k = ud;
    for (size_t i = 0; i < n; i++) {
        if (!k->any || p[i].t_ms < k->first)
            k->first = p[i].t_ms;
        if (!k->any || p[i].t_ms > k->last)
            k->last = p[i].t_ms;
        k->any = true;
        if ((!k->inputs.n || k->inputs.v[k->inputs.n - 1] != p[i].input) && !u32_push(&k->inputs, p[i].input))
            k->oom = true;
        if (k->radius_m <= 0)
            continue;
        double la = p[i].lat / (double)PEL_DEG, lo = p[i].lon / (double)PEL_DEG;
        cells_near(k, la, lo);
        if (i + 1 < n) { /* along the way to the next: a gap's straight line */
            double lb = p[i + 1].lat / (double)PEL_DEG, lob = p[i + 1].lon / (double)PEL_DEG;
            double dist = geo_distance_m(la, lo, lb, lob);
            int steps = (int)(dist / (k->radius_m > 5000 ? 5000 : k->radius_m));
            for (int s = 1; s < steps && s < 4000; s++) {
                double f = (double)s / steps;
                cells_near(k, la + (lb - la) * f, lo + (lob - lo) * f);
            }
        }
        if (k->oom)
            return 1;
        if (k->cells.n > (1u << 20))
            u32_unique(&k->cells);
    }
    return 0;
}

/* ---- files ---- */

static pel_status copy_file(const char *src, const char *dir, const char *rel, bool optional, pel_error *err) {
    FILE *in = fopen(src, "rb");
    if (!in)
        return optional && errno == ENOENT ? PEL_OK : pel_fail(err, PEL_ERR_IO, "%s: %s", src, strerror(errno));
    char *dp = case_join(dir, rel);
    FILE *out = dp ? fopen(dp, "wbx") : NULL;
    pel_status st = PEL_OK;
    if (!out)
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", dp ? dp : rel, strerror(errno));
    char buf[1 << 15];
    size_t n;
    while (st == PEL_OK && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", dp, strerror(errno));
    if (st == PEL_OK && ferror(in))
        st = pel_fail(err, PEL_ERR_IO, "%s: read error", src);
    fclose(in);
    if (out && fclose(out) != 0 && st == PEL_OK)
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", dp, strerror(errno));
    free(dp);
    return st;
}

static pel_status write_text(const char *dir, const char *rel, const char *text, size_t len, pel_error *err) {
    char *p = case_join(dir, rel);
    FILE *f = p ? fopen(p, "wbx") : NULL;
    pel_status st = PEL_OK;
    if (!f)
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", p ? p : rel, strerror(errno));
    else {
        if (len && fwrite(text, 1, len, f) != len)
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", p, strerror(errno));
        if (fclose(f) != 0 && st == PEL_OK)
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", p, strerror(errno));
    }
    free(p);
    return st;
}

/* ---- the inputs ---- */

typedef struct in_list {
    st_input_row *v;
    size_t n, cap;
    bool oom;
} in_list;

static int on_input(void *ud, const st_input_row *r) {
    in_list *l = ud;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        st_input_row *v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            l->oom = true;
            return 1;
        }
        l->v = v;
        l->cap = cap;
    }
    st_input_row c = *r;
    c.path = strdup(r->path);
    c.sha256 = strdup(r->sha256);
    c.format = strdup(r->format);
    c.settings = strdup(r->settings);
    c.status = NULL;
    l->v[l->n++] = c;
    if (!c.path || !c.sha256 || !c.format || !c.settings)
        l->oom = true;
    return l->oom;
}

static void in_list_free(in_list *l) {
    for (size_t i = 0; i < l->n; i++) {
        free((char *)l->v[i].path);
        free((char *)l->v[i].sha256);
        free((char *)l->v[i].format);
        free((char *)l->v[i].settings);
    }
    free(l->v);
}

/* Where the input's bytes are now: its path, else input_dir/its name, when
 * the SHA-256 is the one ingested. */
static pel_status find_input(const st_input_row *r, const char *input_dir, char **where, char sha[65], uint64_t *size,
                             pel_error *err) {
    *where = NULL;
    char h[65];
    pel_error e1 = {0};
    const char *why = NULL;
    /* a live journal (pelorus watch) grows while it is written: known by
       its name, not its content; the case names the content it was read at */
    bool journal = !strcmp(r->settings, "live");
    if (case_sha256_file(r->path, h, size, &e1) == PEL_OK) {
        if (journal || !strcmp(h, r->sha256)) {
            memcpy(sha, h, 65);
            return (*where = strdup(r->path)) ? PEL_OK : pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        }
        why = "its content changed since it was ingested";
    }
    if (input_dir) {
        char *copy = strdup(r->path);
        char *alt = copy ? case_join(input_dir, basename(copy)) : NULL;
        free(copy);
        if (alt && case_sha256_file(alt, h, size, NULL) == PEL_OK && (journal || !strcmp(h, r->sha256))) {
            memcpy(sha, h, 65);
            *where = alt;
            return PEL_OK;
        }
        free(alt);
    }
    return pel_fail(err, PEL_ERR_IO, "input %s (SHA-256 %.16s...): %s", r->path, journal ? "(a journal)" : r->sha256,
                    why ? why : (e1.msg[0] ? e1.msg : "not found"));
}

/* "lines/NN-NAME": a name of letters, digits, '.', '-', '_' only. */
static char *bundle_name(size_t k, const char *path, const char *format) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char name[96];
    size_t n = 0;
    for (const char *p = base; *p && n < 60; p++)
        name[n++] = (char)((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                                   *p == '.' || *p == '-' || *p == '_'
                               ? *p
                               : '_');
    name[n] = 0;
    /* a .gz original is bundled decompressed */
    if (n > 3 && !strcmp(name + n - 3, ".gz"))
        name[n - 3] = 0;
    if (!n)
        snprintf(name, sizeof name, "%s", format);
    char *out = malloc(strlen(name) + 32);
    if (out)
        sprintf(out, "lines/%02zu-%s", k + 1, name);
    return out;
}

/* ---- comparing the origin's findings with the case's ---- */

typedef struct jline {
    char id[17];
    const char *p;
    size_t len;
} jline;

static size_t split_lines(const char *text, size_t len, jline **out) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    jline *v = calloc(n + 1, sizeof *v);
    *out = v;
    if (!v)
        return 0;
    size_t k = 0;
    for (const char *p = text, *end = text + len; p < end && k < n;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = (size_t)(nl - p);
        v[k].p = p;
        v[k].len = l;
        if (!case_line_id(p, l, v[k].id))
            v[k].id[0] = 0;
        k++;
        p = nl + 1;
    }
    return k;
}

static int cmp_jline(const void *a, const void *b) {
    return strcmp(((const jline *)a)->id, ((const jline *)b)->id);
}

/* The first member of the database's finding x whose value the case's y
 * does not have, else the first member y has that x has not, into why. */
static void first_difference(const jline *a, const jline *b, char *why, size_t cap) {
    json_t *x = json_loadb(a->p, a->len, 0, NULL), *y = json_loadb(b->p, b->len, 0, NULL);
    snprintf(why, cap, "differs");
    const char *key, *diff = NULL;
    json_t *v;
    json_object_foreach(x, key, v) {
        if (!json_equal(v, json_object_get(y, key))) {
            diff = key;
            break;
        }
    }
    json_object_foreach(y, key, v) {
        if (!diff && !json_object_get(x, key))
            diff = key;
    }
    if (diff) {
        json_t *v1 = json_object_get(x, diff), *v2 = json_object_get(y, diff);
        char *t = v1 ? json_dumps(v1, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        char *u = v2 ? json_dumps(v2, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        snprintf(why, cap, "%s: %.120s in the database, %.120s on the case alone", diff, t ? t : "absent",
                 u ? u : "absent");
        free(t);
        free(u);
    }
    json_decref(x);
    json_decref(y);
}

static uint64_t compare_origin(const char *olines, size_t olen, const char *clines, size_t clen,
                               const pel_case_opts *o) {
    jline *a, *b;
    size_t na = split_lines(olines, olen, &a), nb = split_lines(clines, clen, &b);
    uint64_t same = 0;
    xqsort(b, nb, sizeof *b, cmp_jline); /* by id: the ids of a scan are unique */
    for (size_t i = 0; i < na; i++) {
        const jline *hit = xbsearch(&a[i], b, nb, sizeof *b, cmp_jline);
        if (hit && hit->len == a[i].len && !memcmp(hit->p, a[i].p, a[i].len)) {
            same++;
            continue;
        }
        if (!o->on_differ)
            continue;
        char why[400] = "not found on the case alone";
        if (hit)
            first_difference(&a[i], hit, why, sizeof why);
        char event[40] = "?";
        const char *e = strstr(a[i].p, "\"event\":\"");
        if (e)
            snprintf(event, sizeof event, "%.*s", (int)strcspn(e + 9, "\""), e + 9);
        o->on_differ(o->ud, a[i].id, event, why);
    }
    free(a);
    free(b);
    return same;
}

/* ---- the export ---- */

typedef struct wl_pick {
    picks *p;
    FILE *f;
    pel_error *err;
    pel_status st;
} wl_pick;

static int on_entry(void *ud, const pel_wl_entry *e) {
    wl_pick *w = ud;
    for (size_t i = 0; i < w->p->entries.n; i++) {
        const char *k = w->p->entries.v[i];
        size_t ll = strcspn(k, "\t");
        if (e->list && e->entry_id && strlen(e->list) == ll && !strncmp(k, e->list, ll) &&
            !strcmp(k + ll + 1, e->entry_id)) {
            w->st = case_wl_write(w->f, e, w->err);
            break;
        }
    }
    return w->st != PEL_OK;
}

/* reviews.jsonl: the history of every review of the case's findings. */
typedef struct rv_pick {
    const picks *p;
    FILE *f;
    bool bad;
} rv_pick;

static int on_review(void *ud, const st_review *r) {
    rv_pick *w = ud;
    for (size_t i = 0; i < w->p->ids.n; i++)
        if (!strcmp(w->p->ids.v[i], r->finding_id)) {
            json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "finding_id", r->finding_id, "seq",
                                  (json_int_t)r->seq, "status", r->status, "note", r->note, "by", r->by, "at", r->at);
            char *t = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII) : NULL;
            if (!t || fprintf(w->f, "%s\n", t) < 0)
                w->bad = true;
            free(t);
            json_decref(o);
            break;
        }
    return w->bad;
}

static pel_status write_reviews(pel_store *s, const picks *p, const char *dir, pel_error *err) {
    char *rp = case_join(dir, "reviews.jsonl");
    FILE *f = rp ? fopen(rp, "wbx") : NULL;
    free(rp);
    if (!f)
        return pel_fail(err, PEL_ERR_IO, "reviews.jsonl: cannot be written");
    rv_pick w = {p, f, false};
    pel_status st = st_reviews(s, NULL, on_review, &w, err);
    if (fclose(f) != 0 || w.bad)
        st = pel_fail(err, PEL_ERR_IO, "reviews.jsonl: cannot be written");
    return st;
}

static pel_status check_opts(const pel_case_opts *o, const char *out, pel_error *err) {
    if (!o || !o->nmmsi)
        return pel_fail(err, PEL_ERR_ARG, "a case needs at least one vessel (--vessel MMSI)");
    if (!out || !*out)
        return pel_fail(err, PEL_ERR_ARG, "a case needs a place to be written (--out)");
    if (o->has_from && o->has_to && o->from_ms > o->to_ms)
        return pel_fail(err, PEL_ERR_ARG, "--from is after --to");
    if (!(o->margin_h >= 0 && o->margin_h <= 24 * 365))
        return pel_fail(err, PEL_ERR_ARG, "--margin-h: 0 to 8760 hours");
    if (!(o->context_km <= 1000))
        return pel_fail(err, PEL_ERR_ARG, "--context-km: at most 1000");
    struct stat sb;
    if (lstat(out, &sb) == 0)
        return pel_fail(err, PEL_ERR_ARG, "%s exists: a case is written to a new name", out);
    return pel_scan_check_settings(o->set, o->nset, err);
}

pel_status pel_case_export(pel_store *s, const pel_case_opts *o, const char *out, pel_case_stats *stats,
                           pel_error *err) {
    pel_case_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    pel_status st = check_opts(o, out, err);
    if (st != PEL_OK)
        return st;
    /* the case is made in a directory of its own, renamed into place whole */
    char tmp[1200], ztmp[1024] = "";
    if (o->zip) {
        if ((st = case_tmpdir(ztmp, sizeof ztmp, err)) != PEL_OK)
            return st;
        snprintf(tmp, sizeof tmp, "%s/case", ztmp);
        if (mkdir(tmp, 0777) != 0) {
            case_rmtree(ztmp);
            return pel_fail(err, PEL_ERR_IO, "%s: %s", tmp, strerror(errno));
        }
    } else {
        snprintf(tmp, sizeof tmp, "%s.partial-XXXXXX", out);
        if (!mkdtemp(tmp))
            return pel_fail(err, PEL_ERR_IO, "%s: %s", tmp, strerror(errno));
        chmod(tmp, 0755); /* mkdtemp makes it 0700; a case is for sharing */
    }
    case_doc d = {0};
    picks pk = {0};
    u32v vessels = {0};
    in_list inputs = {0};
    tracks trk = {0};
    taker tk = {0};
    pel_findings *fs = NULL;
    char *olines = NULL, *clines = NULL;
    size_t olen = 0, ocount = 0, clen = 0, ccount = 0;
    const char *dd = geo_data_dir(o->data_dir);

    /* the case's description */
    for (size_t i = 0; i < o->nmmsi; i++)
        if (!u32_push(&vessels, o->mmsi[i]))
            st = PEL_ERR_NOMEM;
    u32_unique(&vessels);
    d.pelorus = strdup(PEL_VERSION);
    char title[200];
    if (o->title)
        snprintf(title, sizeof title, "%s", o->title);
    else {
        int n = snprintf(title, sizeof title, "Case");
        for (size_t i = 0; i < vessels.n && n < 150; i++)
            n += snprintf(title + n, sizeof title - (size_t)n, " %09u", vessels.v[i]);
    }
    d.title = strdup(title);
    const char *dbn = st_db_name(s);
    const char *slash = dbn ? strrchr(dbn, '/') : NULL;
    d.origin = strdup(slash ? slash + 1 : dbn ? dbn : "");
    d.vessels = vessels.v;
    d.nvessels = vessels.n;
    d.ids = calloc(o->nfinding + 1, sizeof *d.ids);
    d.set = calloc(o->nset + 1, sizeof *d.set);
    if (!d.pelorus || !d.title || !d.origin || !d.ids || !d.set)
        st = PEL_ERR_NOMEM;
    for (size_t i = 0; st == PEL_OK && i < o->nfinding; i++)
        if (!(d.ids[d.nids++] = strdup(o->finding[i])))
            st = PEL_ERR_NOMEM;
    for (size_t i = 0; st == PEL_OK && i < o->nset; i++)
        if (!(d.set[d.nset++] = strdup(o->set[i])))
            st = PEL_ERR_NOMEM;
    d.has_from = o->has_from;
    d.has_to = o->has_to;
    d.from_ms = o->from_ms;
    d.to_ms = o->to_ms;
    d.margin_h = o->margin_h > 0 ? o->margin_h : 24;
    d.context_km = o->context_km > 0 ? o->context_km : o->context_km < 0 ? 0 : 15;
    if (st == PEL_ERR_NOMEM)
        pel_fail(err, st, "out of memory");

    /* 1. the origin's findings */
    if (st == PEL_OK) {
        pel_scan_opts so = {.data_dir = o->data_dir, .zones_path = o->zones_path, .set = o->set, .nset = o->nset};
        st = pel_scan_findings(s, &so, &fs, NULL, err);
    }
    pk.fs = fs;
    for (size_t i = 0; i < vessels.n; i++)
        if (!u32_push(&pk.involved, vessels.v[i]))
            pk.oom = true;
    if (st == PEL_OK)
        st = case_pick_lines_cb(fs, &d, &olines, &olen, &ocount, on_pick, &pk, err);
    if (st == PEL_OK && pk.oom)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == PEL_OK && i < d.nids; i++) { /* each one asked for was picked */
        bool found = false;
        for (size_t k = 0; k < pk.ids.n && !found; k++)
            found = !strcmp(pk.ids.v[k], d.ids[i]);
        if (!found)
            st = pel_fail(err, PEL_ERR_ARG, "no finding %s about the vessels%s", d.ids[i],
                          d.has_from || d.has_to ? " in the period" : "");
    }
    u32_unique(&pk.involved);
    stats->origin_findings = ocount;

    /* 2. the window: the findings' span, else the period, else the vessels' data */
    int64_t margin = (int64_t)(d.margin_h * 3600000.0);
    trk.radius_m = d.context_km * 1000.0;
    if (st == PEL_OK && !pk.n) {
        pel_track_filter tf = {.mmsi = vessels.v, .nmmsi = vessels.n};
        tracks span = {0};
        st = pel_tracks(s, &tf, on_track, &span, err);
        pk.t0 = d.has_from ? d.from_ms : span.first;
        pk.t1 = d.has_to ? d.to_ms : span.last;
        if (st == PEL_OK && !span.any && !d.has_from)
            st = pel_fail(err, PEL_ERR_ARG, "no positions and no findings of the vessels: nothing to make a case of");
        free(span.cells.v);
    }
    d.window_from_ms = pk.t0 - margin;
    d.window_to_ms = pk.t1 + margin;
    d.involved = pk.involved.v;
    d.ninvolved = pk.involved.n;
    stats->vessels = pk.involved.n;

    /* 3. the lines */
    if (st == PEL_OK) {
        pel_track_filter tf = {.mmsi = pk.involved.v,
                               .nmmsi = pk.involved.n,
                               .has_from = true,
                               .has_to = true,
                               .from_ms = d.window_from_ms,
                               .to_ms = d.window_to_ms};
        st = pel_tracks(s, &tf, on_track, &trk, err);
        if (st == PEL_OK && trk.oom)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        u32_unique(&trk.cells);
        u32_unique(&trk.inputs);
    }
    if (st == PEL_OK) {
        st = st_inputs_each(s, on_input, &inputs, err);
        if (st == PEL_OK && inputs.oom)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    tk.involved = &pk.involved;
    tk.cells = &trk.cells;
    tk.w0 = d.window_from_ms;
    tk.w1 = d.window_to_ms;
    tk.nhours = (size_t)((d.window_to_ms - d.window_from_ms) / 3600000 + 1);
    if (st == PEL_OK && !(tk.pulse = calloc(tk.nhours, 1)))
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK && !(d.in = calloc(inputs.n + 1, sizeof *d.in)))
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    char *lines_dir = case_join(tmp, "lines");
    if (st == PEL_OK && (!lines_dir || mkdir(lines_dir, 0777) != 0))
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", lines_dir ? lines_dir : "lines", strerror(errno));
    free(lines_dir);
    for (size_t i = 0; st == PEL_OK && i < inputs.n; i++) {
        const st_input_row *r = &inputs.v[i];
        char *where = NULL;
        if (!strncmp(r->path, "case:", 5)) { /* a partner's case's lines: theirs to share */
            stats->partner_inputs++;
            continue;
        }
        pel_error fe = {0};
        char sha[65];
        uint64_t size = 0;
        if (find_input(r, o->input_dir, &where, sha, &size, &fe) != PEL_OK) {
            /* needed: it holds positions of the vessels in the window; else
               only other vessels' context could be in it */
            if (u32_has(&trk.inputs, (uint32_t)r->id)) {
                st = pel_fail(err, fe.code,
                              "%s; it holds positions of the vessels in the window, so the case needs "
                              "its lines (give --input-dir where a copy is)",
                              fe.msg);
                break;
            }
            stats->inputs_unread++;
            if (o->on_unread)
                o->on_unread(o->ud, r->path, fe.msg);
            continue;
        }
        case_sel_free(&tk.sel);
        tk.csv = strcmp(r->format, "nmea") != 0;
        st = ing_read_records(where, r->format, r->settings, on_rec, &tk, err);
        if (st == PEL_STOPPED || tk.oom)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        if (st == PEL_OK && tk.sel.n) {
            if (tk.csv && case_sel_add(&tk.sel, 1, 1) != PEL_OK) /* the header */
                st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            case_sel_finish(&tk.sel);
            case_input *c = &d.in[d.nin];
            c->lines = bundle_name(d.nin, r->path, r->format);
            c->path = strdup(r->path);
            c->sha256 = strdup(sha);
            c->format = strdup(r->format);
            c->settings = strdup(r->settings);
            c->size = size;
            d.nin++;
            if (!c->lines || !c->path || !c->sha256 || !c->format || !c->settings)
                st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            if (st == PEL_OK)
                st = case_lines_copy(where, &tk.sel, tmp, c->lines, &c->count, err);
            stats->lines += c->count;
        }
        free(where);
    }
    stats->inputs = d.nin;
    if (st == PEL_OK && !stats->lines)
        st = pel_fail(err, PEL_ERR_ARG,
                      "no input line of the vessels in the window could be taken%s: nothing to make a case of",
                      stats->partner_inputs ? " (the lines of partners' cases imported are theirs to share)" : "");

    /* 4. reference data, list entries, settings */
    static const char *const refs[][2] = {{"ports.csv", NULL},
                                          {"ports.README", NULL},
                                          {"mid.csv", NULL},
                                          {"mid.README", NULL},
                                          {"LICENSE-mid-Apache-2.0.txt", NULL},
                                          {"zones.README", NULL},
                                          {"web/vendor/land-50m.json", NULL},
                                          {"web/vendor/LICENSE-world-atlas.txt", NULL}};
    char *web = case_join(tmp, "web"), *vendor = case_join(tmp, "web/vendor");
    if (st == PEL_OK && (!web || !vendor || mkdir(web, 0777) != 0 || mkdir(vendor, 0777) != 0))
        st = pel_fail(err, PEL_ERR_IO, "%s: cannot be made", tmp);
    free(web);
    free(vendor);
    for (size_t i = 0; st == PEL_OK && i < sizeof refs / sizeof *refs; i++) {
        char *src = case_join(dd, refs[i][0]);
        bool optional = strstr(refs[i][0], "README") || strstr(refs[i][0], "LICENSE");
        st = src ? copy_file(src, tmp, refs[i][0], optional, err) : PEL_ERR_NOMEM;
        free(src);
    }
    if (st == PEL_OK) {
        char *zp = o->zones_path ? strdup(o->zones_path) : case_join(dd, "zones.geojson");
        st = zp ? copy_file(zp, tmp, "zones.geojson", false, err) : PEL_ERR_NOMEM;
        free(zp);
    }
    if (st == PEL_OK) {
        char *wp = case_join(tmp, "watchlist.jsonl");
        FILE *wf = wp ? fopen(wp, "wbx") : NULL;
        if (!wf)
            st = pel_fail(err, PEL_ERR_IO, "watchlist.jsonl: cannot be written");
        else {
            wl_pick w = {&pk, wf, err, PEL_OK};
            bool dflt = false;
            if (pk.entries.n)
                st = sc_entries_each(s, o->data_dir, on_entry, &w, &dflt, err);
            else {
                int64_t count = 0;
                st = st_wl_count(s, &count, err);
                dflt = count == 0;
            }
            if (st == PEL_STOPPED)
                st = w.st;
            d.lists_default = dflt;
            if (fclose(wf) != 0 && st == PEL_OK)
                st = pel_fail(err, PEL_ERR_IO, "watchlist.jsonl: cannot be written");
        }
        free(wp);
    }
    if (st == PEL_OK)
        st = write_reviews(s, &pk, tmp, err);
    if (st == PEL_OK)
        st = write_text(tmp, "origin.jsonl", olines, olen, err);

    /* 5. the rerun: the case alone, which is what it holds */
    char *cj = case_join(tmp, "case.json");
    if (st == PEL_OK && !cj)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK)
        st = case_doc_write(&d, cj, err);
    char *html = case_join(tmp, "case.html");
    if (st == PEL_OK)
        st = case_rerun(tmp, &d, html, dd, &clines, &clen, &ccount, err);
    free(html);
    if (st == PEL_OK) {
        stats->findings = ccount;
        stats->reproduced = compare_origin(olines, olen, clines, clen, o);
        d.findings = ccount;
        d.origin_findings = ocount;
        d.reproduced = stats->reproduced;
        unlink(cj);
        st = case_doc_write(&d, cj, err);
    }
    free(cj);
    if (st == PEL_OK)
        st = write_text(tmp, "findings.jsonl", clines, clen, err);

    /* 6. the MANIFEST, and into place */
    if (st == PEL_OK)
        st = case_manifest_write(tmp, &d, err);
    if (st == PEL_OK) {
        char *mp = case_join(tmp, "MANIFEST"), h[65];
        st = mp ? case_sha256_file(mp, h, NULL, err) : PEL_ERR_NOMEM;
        if (st == PEL_OK)
            snprintf(stats->id, sizeof stats->id, "%.16s", h);
        free(mp);
    }
    if (st == PEL_OK && o->zip) {
        char zpart[1300];
        snprintf(zpart, sizeof zpart, "%s.partial", out);
        const char *base = strrchr(out, '/');
        char top[256];
        snprintf(top, sizeof top, "%s", base ? base + 1 : out);
        size_t tl = strlen(top);
        if (tl > 4 && !strcmp(top + tl - 4, ".zip"))
            top[tl - 4] = 0;
        unlink(zpart);
        st = case_zip_write(tmp, top, zpart, err);
        if (st == PEL_OK && rename(zpart, out) != 0)
            st = pel_fail(err, PEL_ERR_IO, "%s: %s", out, strerror(errno));
        if (st != PEL_OK)
            unlink(zpart);
    } else if (st == PEL_OK && rename(tmp, out) != 0)
        st = pel_fail(err, PEL_ERR_IO, "%s: %s", out, strerror(errno));
    if (st != PEL_OK || o->zip)
        case_rmtree(o->zip ? ztmp : tmp);

    pel_findings_free(fs);
    free(olines);
    free(clines);
    strv_free(&pk.entries);
    strv_free(&pk.ids);
    free(trk.cells.v);
    free(trk.inputs.v);
    free(tk.pulse);
    case_sel_free(&tk.sel);
    in_list_free(&inputs);
    case_doc_free(&d); /* frees vessels.v and pk.involved.v it holds */
    if (st == PEL_ERR_NOMEM && err && !err->msg[0])
        pel_fail(err, st, "out of memory");
    return st;
}
