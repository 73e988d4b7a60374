/*
 * scan_review.c -- the analysts' reviews joined to a scan's findings
 * (scan_review.h).  A review keeps to its finding by the finding's id
 * (docs/findings.md, "finding_id"): the same finding found again by a
 * later scan, grown or not, has the same id and so its review.  Reviews
 * are read once per scan (their number is the analysts' work, small) and
 * looked up by id.
 */
#include <stdlib.h>
#include <string.h>

#include "scan_review.h"
#include "store/store.h"
#include "util/escape.h"
#include "util/fail.h"
#include "util/xsort.h"

typedef struct latest {
    char id[FND_ID_LEN + 1];
    char *status, *note, *by, *at;
    int64_t n;
} latest;

typedef struct reviews {
    latest *v;
    size_t n, cap;
    bool oom;
} reviews;

static void latest_clear(latest *l) {
    free(l->status);
    free(l->note);
    free(l->by);
    free(l->at);
}

/* The rows come by finding id and seq: the last of an id is its latest. */
static int on_review(void *ud, const st_review *r) {
    reviews *rv = ud;
    latest *l = rv->n ? &rv->v[rv->n - 1] : NULL;
    if (!l || strncmp(l->id, r->finding_id, sizeof l->id) != 0) {
        if (rv->n == rv->cap) {
            size_t cap = rv->cap ? rv->cap * 2 : 64;
            latest *v = realloc(rv->v, cap * sizeof *v);
            if (!v) {
                rv->oom = true;
                return 1;
            }
            rv->v = v;
            rv->cap = cap;
        }
        l = &rv->v[rv->n++];
        memset(l, 0, sizeof *l);
        snprintf(l->id, sizeof l->id, "%s", r->finding_id);
    }
    latest_clear(l);
    l->status = strdup(r->status);
    l->note = strdup(r->note);
    l->by = strdup(r->by);
    l->at = strdup(r->at);
    l->n++;
    if (!l->status || !l->note || !l->by || !l->at)
        rv->oom = true;
    return rv->oom;
}

static int cmp_latest(const void *a, const void *b) {
    return strcmp(((const latest *)a)->id, ((const latest *)b)->id);
}

pel_status scan_reviews(pel_store *s, fnd_set *fs, pel_error *err) {
    reviews rv = {0};
    pel_status st = st_reviews(s, NULL, on_review, &rv, err);
    if (rv.oom)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory for the reviews");
    for (size_t i = 0; st == PEL_OK && rv.n && i < fnd_set_count(fs); i++) {
        latest key;
        fnd_id(fs, i, key.id);
        const latest *l = xbsearch(&key, rv.v, rv.n, sizeof *rv.v, cmp_latest);
        if (!l)
            continue;
        fnd_builder b = {0};
        fnd_obj(&b, "review");
        fnd_str(&b, "status", l->status);
        fnd_str(&b, "note", l->note);
        fnd_str(&b, "by", l->by);
        fnd_str(&b, "at", l->at);
        fnd_int(&b, "reviews", l->n);
        fnd_end(&b);
        if ((st = fnd_set_append(fs, i, &b)) != PEL_OK)
            pel_fail(err, st, "%s", st == PEL_ERR_IO ? fnd_set_error(fs) : "out of memory for the reviews");
    }
    for (size_t i = 0; i < rv.n; i++)
        latest_clear(&rv.v[i]);
    free(rv.v);
    return st;
}

/* ---- pelorus review ---- */

static bool is_id(const char *id) {
    if (!id || strlen(id) != FND_ID_LEN)
        return false;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

pel_status pel_review(pel_store *s, const pel_scan_opts *scan, const char *finding_id, const char *status,
                      const char *note, const char *by, int64_t now_ms, int64_t *seq, pel_error *err) {
    if (!is_id(finding_id))
        return pel_fail(err, PEL_ERR_ARG, "'%s' is no finding id (16 hex digits, as \"finding_id\" in pelorus scan)",
                        finding_id ? finding_id : "");
    if (!status || (strcmp(status, "confirmed") && strcmp(status, "dismissed") && strcmp(status, "open")))
        return pel_fail(err, PEL_ERR_ARG, "--status wants confirmed, dismissed or open, not \"%s\"",
                        status ? status : "");
    if (!by || !*by)
        return pel_fail(err, PEL_ERR_ARG, "a review needs who made it (--by NAME)");
    if (strlen(by) > 200 || (note && strlen(note) > 20000))
        return pel_fail(err, PEL_ERR_ARG, "a reviewer's name is at most 200 bytes, a note 20000");
    if (st_readonly(s))
        return pel_fail(err, PEL_ERR_ARG, "the database is open read-only");
    /* a finding of this database, as a scan finds it now */
    pel_findings *fs = NULL;
    pel_status st = pel_scan_findings(s, scan, &fs, NULL, err);
    bool found = false;
    for (size_t i = 0; st == PEL_OK && i < fs->n && !found; i++) {
        char id[FND_ID_LEN + 1];
        fnd_id(fs, i, id);
        found = !strcmp(id, finding_id);
    }
    pel_findings_free(fs);
    if (st == PEL_OK && !found)
        st = pel_fail(err, PEL_ERR_ARG, "no finding %s in this database (pelorus scan lists them, each with its id)",
                      finding_id);
    if (st != PEL_OK)
        return st;
    char at[40];
    pel_format_time(now_ms, at);
    st_review r = {.finding_id = finding_id, .status = status, .note = note ? note : "", .by = by, .at = at};
    return st_review_add(s, &r, seq, err);
}

typedef struct rwriter {
    FILE *out;
    bool bad;
} rwriter;

static int write_review(void *ud, const st_review *r) {
    rwriter *w = ud;
    fprintf(w->out, "{\"finding_id\":\"%s\",\"seq\":%lld,\"status\":", r->finding_id, (long long)r->seq);
    esc_json_string(w->out, r->status, 0);
    fputs(",\"note\":", w->out);
    esc_json_string(w->out, r->note, 0);
    fputs(",\"by\":", w->out);
    esc_json_string(w->out, r->by, 0);
    fputs(",\"at\":", w->out);
    esc_json_string(w->out, r->at, 0);
    if (fputs("}\n", w->out) == EOF)
        w->bad = true;
    return w->bad;
}

pel_status pel_reviews_write(pel_store *s, const char *finding_id, FILE *out, pel_error *err) {
    rwriter w = {out, false};
    pel_status st = st_reviews(s, finding_id, write_review, &w, err);
    if (w.bad)
        return pel_fail(err, PEL_ERR_IO, "writing the reviews failed");
    return st;
}
