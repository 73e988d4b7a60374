/*
 * eval.c -- pelorus eval: findings scored against the known answers of a
 * simulation (docs/evaluation.md).  Reads two JSON-lines files with the
 * findings reader (findings/read.h), the truth (pel_simulate's truth.jsonl)
 * and the findings (`pelorus scan` output), pairs them one to one per event
 * with a deterministic greedy assignment and counts true positives, false
 * alarms and misses per event.
 *
 * Limits: at most 16 different events in the rows of one evaluation (the
 * size of pel_eval_result.rows; `pelorus scan` writes the 9 events of
 * pel_event_name) and event names of at most 31 bytes; more is PEL_ERR_FORMAT.  Everything is held in memory:
 * a few hundred bytes per line, the evidence arrays are not kept.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/read.h"
#include "pelorus.h"
#include "util/display.h"
#include "util/fail.h"
#include "util/xsort.h"

#define MAX_EVENTS 64   /* distinct names held while reading (rows need <= 16) */
#define MAX_SLACK_S 1e9 /* keeps the widened intervals far from int64 overflow */

/* One line of either file. */
typedef struct item {
    int ev;               /* index into the event-name table */
    uint32_t mmsi, mmsi2; /* mmsi2 0 when absent */
    bool has_mmsi2;
    int64_t start_ms, end_ms;
    char *sub;            /* owned: "kind" (spoofing) or "field" (identity_change), else NULL */
    char *id, *why;       /* owned, truth only (NULL when absent) */
    int suspected;        /* gap findings: -1 absent, 0 false, 1 true */
    char *cause;          /* owned: a gap's "cause" (the truth's may be "a|b": either), NULL when absent */
    uint32_t partners[4]; /* loitering: truth, its possible_partner (0: none given); findings, the
                             MMSIs of its possible_partners */
    size_t npartners;
    bool optional; /* truth only */
    uint64_t line; /* line number in its file */
    uint32_t key;  /* findings: vessel key for the lookup (see vessel_key) */
    long match;    /* index of the partner in the other file, -1 none */
} item;

typedef struct item_vec {
    item *v;
    size_t n, cap;
} item_vec;

typedef struct events {
    char name[MAX_EVENTS][32];
    size_t n;
} events;

/* A candidate pair for the greedy assignment. */
typedef struct cand {
    int64_t overlap_ms;
    size_t t, f;
} cand;

typedef struct cand_vec {
    cand *v;
    size_t n, cap;
} cand_vec;

static void items_free(item_vec *iv) {
    for (size_t i = 0; i < iv->n; i++) {
        free(iv->v[i].sub);
        free(iv->v[i].cause);
        free(iv->v[i].id);
        free(iv->v[i].why);
    }
    free(iv->v);
    iv->v = NULL;
    iv->n = iv->cap = 0;
}

static char *dup_or_null(const char *s) {
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* The index of name in the table, added when new; -1 when the table is full
 * or the name too long. */
static int event_index(events *ev, const char *name) {
    for (size_t i = 0; i < ev->n; i++)
        if (!strcmp(ev->name[i], name))
            return (int)i;
    if (ev->n == MAX_EVENTS || strlen(name) >= sizeof ev->name[0])
        return -1;
    strcpy(ev->name[ev->n], name);
    return (int)ev->n++;
}

static bool is_mmsi_change(const char *event, const char *sub) {
    return !strcmp(event, "identity_change") && sub && !strcmp(sub, "mmsi");
}

static bool is_pair_event(const char *event, const char *sub) {
    return !strcmp(event, "encounter") ||
           (!strcmp(event, "identity_change") && sub && (!strcmp(sub, "imo_shared") || !strcmp(sub, "mmsi")));
}

static const char *subtype_member(const char *event) {
    if (!strcmp(event, "spoofing") || !strcmp(event, "data_quality"))
        return "kind";
    if (!strcmp(event, "identity_change"))
        return "field";
    return NULL;
}

/* Converts one finding of its file into *it (the members every finding
 * has were checked by the reader).  Returns NULL on success, else the
 * reason (a static string; "" when out of memory) for the format error. */
static const char *parse_item(const fnd_finding *f, bool truth, events *ev, item *it) {
    it->mmsi = f->mmsi;
    it->mmsi2 = f->mmsi2;
    it->has_mmsi2 = f->mmsi2 != 0; /* 0 is no vessel: the reader takes "mmsi2":0 as absent */
    it->start_ms = f->start_ms;
    it->end_ms = f->end_ms;
    it->ev = event_index(ev, f->event);
    if (it->ev < 0)
        return "event name over 31 bytes, or more than 64 different events";
    const char *sm = subtype_member(f->event);
    if (sm) {
        const fnd_member *js = fnd_get(f, sm);
        if (js && js->kind != FND_NULL) {
            if (js->kind != FND_STR)
                return "kind or field not a string";
            if (!(it->sub = dup_or_null(js->v.s)))
                return "";
        }
    }
    it->suspected = fnd_get_bool(f, "suspected");
    const char *cause = fnd_get_str(f, "cause");
    if (cause && !(it->cause = dup_or_null(cause)))
        return "";
    if (truth) {
        const fnd_member *pm = fnd_get(f, "possible_partner");
        if (pm && pm->kind != FND_NULL) {
            if (pm->kind != FND_INT || pm->v.i <= 0 || pm->v.i > UINT32_MAX)
                return "possible_partner not an MMSI";
            it->partners[it->npartners++] = (uint32_t)pm->v.i;
        }
    } else {
        const fnd_member *a = fnd_get(f, "possible_partners");
        for (const fnd_member *e = a && a->kind == FND_ARR ? a + 1 : NULL, *end = a ? a + 1 + a->n : NULL;
             e && e < end && it->npartners < sizeof it->partners / sizeof it->partners[0]; e = fnd_next(e)) {
            const fnd_member *m = fnd_member_get(e, "mmsi");
            if (m && m->kind == FND_INT && m->v.i > 0 && m->v.i <= UINT32_MAX)
                it->partners[it->npartners++] = (uint32_t)m->v.i;
        }
    }
    if (truth) {
        it->optional = fnd_get_bool(f, "optional") == 1;
        const char *id = fnd_get_str(f, "id"), *why = fnd_get_str(f, "why");
        if ((id && !(it->id = dup_or_null(id))) || (why && !(it->why = dup_or_null(why))))
            return "";
    }
    return NULL;
}

/* Reads every finding of path (findings/read.h) into iv.  On failure returns
 * the status with err filled; iv then holds what was converted so far
 * (freed by the caller). */
static pel_status read_items(const char *path, bool truth, events *ev, item_vec *iv, pel_error *err) {
    fnd_set *s;
    uint64_t *lines;
    pel_status rc = fnd_read_file(path, &s, &lines, err);
    if (rc != PEL_OK)
        return rc;
    iv->v = calloc(s->n ? s->n : 1, sizeof *iv->v);
    iv->cap = s->n;
    if (!iv->v) {
        pel_fail(err, PEL_ERR_NOMEM, "%s: out of memory", path);
        rc = PEL_ERR_NOMEM;
    }
    for (size_t i = 0; rc == PEL_OK && i < s->n; i++) {
        item *it = &iv->v[iv->n++];
        it->line = lines[i];
        it->match = -1;
        const char *why = parse_item(&s->v[i], truth, ev, it);
        if (why) {
            rc = *why ? PEL_ERR_FORMAT : PEL_ERR_NOMEM;
            pel_fail(err, rc, "%s:%llu: %s", path, (unsigned long long)it->line, *why ? why : "out of memory");
        }
    }
    fnd_set_free(s);
    free(lines);
    return rc;
}

/* The vessel a finding is filed under for the lookup: the lower MMSI of a
 * pair event, else the MMSI. */
static uint32_t vessel_key(const events *ev, const item *it) {
    if (is_pair_event(ev->name[it->ev], it->sub))
        return it->has_mmsi2 && it->mmsi2 < it->mmsi ? it->mmsi2 : it->mmsi;
    return it->mmsi;
}

/* True when cause is one of the '|'-separated alternatives of want. */
static bool cause_agrees(const char *want, const char *cause) {
    if (!cause)
        return false;
    size_t n = strlen(cause);
    for (const char *p = want;;) {
        const char *bar = strchr(p, '|');
        size_t k = bar ? (size_t)(bar - p) : strlen(p);
        if (k == n && !strncmp(p, cause, n))
            return true;
        if (!bar)
            return false;
        p = bar + 1;
    }
}

/* The matching rules of docs/evaluation.md except the time. */
static bool same_thing(const events *ev, const item *t, const item *f) {
    if (t->ev != f->ev)
        return false;
    if (t->sub && (!f->sub || strcmp(t->sub, f->sub)))
        return false;
    const char *name = ev->name[t->ev];
    /* a gap's judgement (switched off, or a coverage hole) must agree when the truth gives it */
    if (!strcmp(name, "gap") && t->suspected >= 0 && f->suspected != t->suspected)
        return false;
    /* a loitering whose partner was dark: the finding must name it among its possible partners */
    if (!strcmp(name, "loitering") && t->npartners) {
        bool named = false;
        for (size_t k = 0; k < f->npartners && !named; k++)
            named = f->partners[k] == t->partners[0];
        if (!named)
            return false;
    }
    /* and its cause: one of the truth's ("sparse|coverage") when it gives one */
    if (!strcmp(name, "gap") && t->cause && !cause_agrees(t->cause, f->cause))
        return false;
    if (is_pair_event(name, t->sub) || is_pair_event(name, f->sub))
        return (t->mmsi == f->mmsi && t->mmsi2 == f->mmsi2 && t->has_mmsi2 == f->has_mmsi2) ||
               (!is_mmsi_change(name, t->sub) && !is_mmsi_change(name, f->sub) && t->mmsi == f->mmsi2 &&
                t->mmsi2 == f->mmsi && t->has_mmsi2 == f->has_mmsi2); /* a change of MMSI has an order */
    return t->mmsi == f->mmsi;
}

/* Findings sorted by (event, vessel key, file order) for the lookup; no
 * file-scope state, so that pel_eval may run in several threads at once. */
static int cmp_find_ptr(const void *a, const void *b) {
    const item *x = *(const item *const *)a, *y = *(const item *const *)b;
    if (x->ev != y->ev)
        return x->ev < y->ev ? -1 : 1;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_cand(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->overlap_ms != y->overlap_ms)
        return x->overlap_ms > y->overlap_ms ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->f < y->f ? -1 : x->f > y->f;
}

/* The first position in idx (sorted as cmp_find_ptr) whose finding is at or
 * after (ev, key). */
static size_t lower_bound(item *const *idx, size_t n, int ev, uint32_t key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const item *m = idx[mid];
        if (m->ev < ev || (m->ev == ev && m->key < key))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool cand_push(cand_vec *cv, int64_t overlap, size_t t, size_t f) {
    if (cv->n == cv->cap) {
        size_t nc = cv->cap ? 2 * cv->cap : 256;
        cand *nv = realloc(cv->v, nc * sizeof *nv);
        if (!nv)
            return false;
        cv->v = nv;
        cv->cap = nc;
    }
    cv->v[cv->n++] = (cand){overlap, t, f};
    return true;
}

/* Collects the candidate pairs and assigns them greedily; sets .match on
 * both sides.  Returns false when out of memory. */
static bool assign(const events *ev, item_vec *tv, item_vec *fv, int64_t slack_ms) {
    item **idx = malloc((fv->n ? fv->n : 1) * sizeof *idx);
    cand_vec cv = {0};
    if (!idx)
        return false;
    for (size_t i = 0; i < fv->n; i++) {
        fv->v[i].key = vessel_key(ev, &fv->v[i]);
        idx[i] = &fv->v[i];
    }
    xqsort(idx, fv->n, sizeof *idx, cmp_find_ptr);
    bool ok = true;
    for (size_t t = 0; t < tv->n && ok; t++) {
        const item *ti = &tv->v[t];
        /* a matching finding is filed under the truth's mmsi (single vessel)
         * or under the lower of its two (pair event) */
        uint32_t keys[2] = {ti->mmsi, ti->has_mmsi2 && ti->mmsi2 < ti->mmsi ? ti->mmsi2 : ti->mmsi};
        int64_t w0 = ti->start_ms - slack_ms, w1 = ti->end_ms + slack_ms;
        for (int k = 0; k < 2 && ok; k++) {
            if (k == 1 && keys[1] == keys[0])
                break;
            for (size_t p = lower_bound(idx, fv->n, ti->ev, keys[k]);
                 p < fv->n && idx[p]->ev == ti->ev && idx[p]->key == keys[k]; p++) {
                const item *fi = idx[p];
                int64_t lo = w0 > fi->start_ms ? w0 : fi->start_ms, hi = w1 < fi->end_ms ? w1 : fi->end_ms;
                if (lo <= hi && same_thing(ev, ti, fi) && !cand_push(&cv, hi - lo, t, (size_t)(fi - fv->v))) {
                    ok = false;
                    break;
                }
            }
        }
    }
    free(idx);
    if (ok) {
        if (cv.n)
            xqsort(cv.v, cv.n, sizeof *cv.v, cmp_cand);
        for (size_t i = 0; i < cv.n; i++) {
            item *ti = &tv->v[cv.v[i].t], *fi = &fv->v[cv.v[i].f];
            if (ti->match < 0 && fi->match < 0) {
                ti->match = (long)cv.v[i].f;
                fi->match = (long)cv.v[i].t;
            }
        }
    }
    free(cv.v);
    return ok;
}

static double ratio(uint64_t a, uint64_t b) {
    return b ? (double)a / (double)b : NAN;
}

static void score(pel_eval_row *r) {
    r->precision = ratio(r->tp, r->tp + r->fp);
    r->recall = ratio(r->tp, r->tp + r->fn);
    r->f1 = ratio(2 * r->tp, 2 * r->tp + r->fp + r->fn);
}

static void put_num(FILE *out, double v, int width) {
    if (isnan(v))
        fprintf(out, " %*s", width, "-");
    else
        fprintf(out, " %*.3f", width, v);
}

static void put_row(FILE *out, const pel_eval_row *r, uint64_t optional_matched) {
    fprintf(out, "%-16s %6llu %6llu %6llu %6llu %6llu %16llu", r->event, (unsigned long long)r->truth,
            (unsigned long long)r->found, (unsigned long long)r->tp, (unsigned long long)r->fp,
            (unsigned long long)r->fn, (unsigned long long)optional_matched);
    put_num(out, r->precision, 9);
    put_num(out, r->recall, 6);
    put_num(out, r->f1, 6);
    fputc('\n', out);
}

/* An entry of the listing of misses or false alarms. */
typedef struct listed {
    const char *event;
    const item *it;
} listed;

/* Listing order: event name, start, file order. */
static int cmp_list(const void *a, const void *b) {
    const listed *x = a, *y = b;
    int c = strcmp(x->event, y->event);
    if (c)
        return c;
    if (x->it->start_ms != y->it->start_ms)
        return x->it->start_ms < y->it->start_ms ? -1 : 1;
    return x->it->line < y->it->line ? -1 : x->it->line > y->it->line;
}

/* Writes s by the display policy of util/display.h (controls, bidirectional
 * and invisible characters as visible marks), so that one item stays one
 * line and shows what it says. */
static void put_text(FILE *out, const char *s) {
    disp_fputs(out, s);
}

static void put_item(FILE *out, const events *ev, const item *it) {
    char a[32], b[32];
    pel_format_time(it->start_ms, a);
    pel_format_time(it->end_ms, b);
    fputs("  ", out);
    put_text(out, ev->name[it->ev]);
    fprintf(out, "  %lu", (unsigned long)it->mmsi);
    if (it->has_mmsi2)
        fprintf(out, "/%lu", (unsigned long)it->mmsi2);
    fprintf(out, "  %s..%s", a, b);
}

/* Writes the misses (truth true) or the false alarms, sorted.  Returns false
 * when out of memory. */
static bool put_list(FILE *out, const events *ev, const item_vec *iv, bool truth) {
    listed *idx = malloc((iv->n ? iv->n : 1) * sizeof *idx);
    size_t n = 0;
    if (!idx)
        return false;
    for (size_t i = 0; i < iv->n; i++)
        if (iv->v[i].match < 0 && !(truth && iv->v[i].optional))
            idx[n++] = (listed){ev->name[iv->v[i].ev], &iv->v[i]};
    if (n)
        xqsort(idx, n, sizeof *idx, cmp_list);
    fprintf(out, "%s: %zu\n", truth ? "missed" : "false alarms", n);
    for (size_t k = 0; k < n; k++) {
        const item *it = idx[k].it;
        if (truth) {
            fputs("  ", out);
            put_text(out, it->id ? it->id : "-");
            put_item(out, ev, it);
            if (it->npartners)
                fprintf(out, "  possible_partner=%u", it->partners[0]);
            fputs("  ", out);
            put_text(out, it->why ? it->why : "");
            fputc('\n', out);
        } else {
            fprintf(out, "  line %llu", (unsigned long long)it->line);
            put_item(out, ev, it);
            if (it->sub) {
                fprintf(out, "  %s=",
                        !strcmp(ev->name[it->ev], "spoofing") || !strcmp(ev->name[it->ev], "data_quality") ? "kind"
                                                                                                           : "field");
                put_text(out, it->sub);
            }
            if (!strcmp(ev->name[it->ev], "gap") && it->suspected >= 0)
                fprintf(out, "  suspected=%s", it->suspected ? "true" : "false");
            for (size_t q = 0; q < it->npartners; q++)
                fprintf(out, "%s%u", q ? "," : "  possible_partners=", it->partners[q]);
            if (!strcmp(ev->name[it->ev], "gap") && it->cause) {
                fputs("  cause=", out);
                put_text(out, it->cause);
            }
            fputc('\n', out);
        }
    }
    free(idx);
    return true;
}

static int cmp_row(const void *a, const void *b) {
    return strcmp(((const pel_eval_row *)a)->event, ((const pel_eval_row *)b)->event);
}

/* Scores findings_path against truth_path (docs/evaluation.md).  The paths
 * are only read; o may be NULL (defaults) and is borrowed for the call; out,
 * when not NULL, is written to but neither flushed nor closed; res, when not
 * NULL, is filled (all zero when a file could not be read or scored, still
 * filled when only writing to out failed); err may be NULL.  Nothing
 * allocated here outlives the call; no file-scope state, so calls may run in
 * several threads at once. */
pel_status pel_eval(const char *truth_path, const char *findings_path, const pel_eval_opts *o, FILE *out,
                    pel_eval_result *res, pel_error *err) {
    pel_eval_result local;
    if (!res)
        res = &local;
    memset(res, 0, sizeof *res);
    if (err) {
        err->code = PEL_OK;
        err->msg[0] = 0;
    }
    double slack_s = o && o->slack_s != 0 ? o->slack_s : 3600;
    if (!truth_path || !findings_path || !(slack_s > 0 && slack_s <= MAX_SLACK_S)) {
        pel_fail(err, PEL_ERR_ARG, "eval: no path given, or slack_s outside 0..1e9");
        return PEL_ERR_ARG;
    }
    int64_t slack_ms = llround(slack_s * 1000);
    events *ev = calloc(1, sizeof *ev);
    item_vec tv = {0}, fv = {0};
    /* per event: matched, false alarms, missed, matched to optional truth, findings */
    uint64_t tp[MAX_EVENTS] = {0}, fp[MAX_EVENTS] = {0}, fn[MAX_EVENTS] = {0}, opt[MAX_EVENTS] = {0},
             nfind[MAX_EVENTS] = {0};
    bool has_truth[MAX_EVENTS] = {0};
    pel_status rc = PEL_OK;
    if (!ev) {
        pel_fail(err, PEL_ERR_NOMEM, "eval: out of memory");
        rc = PEL_ERR_NOMEM;
        goto done;
    }
    if ((rc = read_items(truth_path, true, ev, &tv, err)) != PEL_OK ||
        (rc = read_items(findings_path, false, ev, &fv, err)) != PEL_OK)
        goto done;
    if (!assign(ev, &tv, &fv, slack_ms)) {
        pel_fail(err, PEL_ERR_NOMEM, "eval: out of memory");
        rc = PEL_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < tv.n; i++) {
        const item *t = &tv.v[i];
        if (t->optional) {
            if (t->match >= 0)
                opt[t->ev]++;
        } else {
            has_truth[t->ev] = true;
            if (t->match >= 0)
                tp[t->ev]++;
            else
                fn[t->ev]++;
        }
    }
    for (size_t i = 0; i < fv.n; i++) {
        nfind[fv.v[i].ev]++;
        if (fv.v[i].match < 0)
            fp[fv.v[i].ev]++;
    }
    /* the rows: every event with counted truth or with findings */
    uint64_t row_opt[16] = {0}, opt_all = 0;
    for (size_t e = 0; e < ev->n; e++) {
        if (!has_truth[e] && !nfind[e])
            continue;
        if (res->nrows == sizeof res->rows / sizeof res->rows[0]) {
            pel_fail(err, PEL_ERR_FORMAT, "%s, %s: more than 16 different events", truth_path, findings_path);
            rc = PEL_ERR_FORMAT;
            break;
        }
        pel_eval_row *r = &res->rows[res->nrows++];
        snprintf(r->event, sizeof r->event, "%s", ev->name[e]);
        r->tp = tp[e];
        r->fp = fp[e];
        r->fn = fn[e];
        r->truth = tp[e] + fn[e];
        r->found = tp[e] + fp[e];
        score(r);
        res->all.truth += r->truth;
        res->all.found += r->found;
        res->all.tp += r->tp;
        res->all.fp += r->fp;
        res->all.fn += r->fn;
        opt_all += opt[e];
    }
    if (rc != PEL_OK) {
        memset(res, 0, sizeof *res);
        goto done;
    }
    snprintf(res->all.event, sizeof res->all.event, "all");
    score(&res->all);
    xqsort(res->rows, res->nrows, sizeof res->rows[0], cmp_row);
    for (size_t r = 0; r < res->nrows; r++)
        row_opt[r] = opt[event_index(ev, res->rows[r].event)];
    if (out) {
        fprintf(out, "%-16s %6s %6s %6s %6s %6s %16s %9s %6s %6s\n", "event", "truth", "found", "tp", "fp", "fn",
                "optional_matched", "precision", "recall", "F1");
        for (size_t r = 0; r < res->nrows; r++)
            put_row(out, &res->rows[r], row_opt[r]);
        put_row(out, &res->all, opt_all);
        if (!put_list(out, ev, &tv, true) || !put_list(out, ev, &fv, false)) {
            pel_fail(err, PEL_ERR_NOMEM, "eval: out of memory");
            rc = PEL_ERR_NOMEM;
        } else if (ferror(out)) {
            pel_fail(err, PEL_ERR_IO, "eval: writing the table failed");
            rc = PEL_ERR_IO;
        }
    }
done:
    items_free(&tv);
    items_free(&fv);
    free(ev);
    return rc;
}
