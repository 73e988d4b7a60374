/*
 * case_import.c -- a partner's case into one's own database (pelorus
 * ingest CASE).  The case is checked first (its files, lines and
 * signature: pel_case_verify without the rerun); its lines are ingested as
 * inputs named "case:ID/ORIGINAL", keeping their original line numbers, so
 * that whatever one's own scan finds on them points at the partner's case;
 * the case (id, title, signer, origin) and its findings are recorded as the
 * partner's, beside one's own and never mixed with them (pel_case_list,
 * pel_case_findings).  Lines one already holds are not stored twice: the
 * track build drops repeated receptions (docs/tracks.md).  A case imported
 * before adds nothing; the inputs of one interrupted are found by their
 * content when it is imported again.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "case/case.h"
#include "ingest/ingest_map.h"
#include "store/store.h"
#include "util/fail.h"

bool pel_case_is(const char *path) {
    struct stat sb;
    if (!path || stat(path, &sb) != 0)
        return false;
    char p[4096];
    if (S_ISDIR(sb.st_mode)) {
        snprintf(p, sizeof p, "%s/case.json", path);
        struct stat c;
        if (stat(p, &c) != 0)
            return false;
        snprintf(p, sizeof p, "%s/MANIFEST", path);
        return stat(p, &c) == 0;
    }
    size_t n = strlen(path);
    return S_ISREG(sb.st_mode) && n > 4 && !strcmp(path + n - 4, ".zip");
}

typedef struct first_problem {
    char msg[700];
    uint64_t n;
} first_problem;

static void keep_first(void *ud, const char *file, uint64_t line, const char *what) {
    first_problem *f = ud;
    if (!f->n++) {
        if (line)
            snprintf(f->msg, sizeof f->msg, "%s:%llu: %s", file, (unsigned long long)line, what);
        else
            snprintf(f->msg, sizeof f->msg, "%s: %s", file, what);
    }
}

typedef struct known {
    const char *id;
    bool found;
} known;

static int on_case(void *ud, const st_case_row *r) {
    known *k = ud;
    if (!strcmp(r->case_id, k->id))
        k->found = true;
    return k->found;
}

/* Records the case and its findings, in one transaction. */
static pel_status record(pel_store *s, const char *dir, const case_doc *d, const char *id, const char *signer,
                         const char *path, uint64_t lines, uint64_t *nfound, pel_error *err) {
    char *fp = case_join(dir, "findings.jsonl");
    FILE *f = fp ? fopen(fp, "rb") : NULL;
    free(fp);
    if (!f)
        return pel_fail(err, PEL_ERR_FORMAT, "findings.jsonl: cannot be read");
    pel_status st = st_begin(s, err);
    if (st == PEL_OK)
        st = st_case_setup(s, err);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int64_t seq = 0;
    *nfound = 0;
    while (st == PEL_OK && (len = getline(&line, &cap, f)) > 0) {
        seq++;
        if (line[len - 1] == '\n')
            line[--len] = 0;
        json_t *o = json_loadb(line, (size_t)len, 0, NULL);
        json_t *ev = json_object_get(o, "event"), *m = json_object_get(o, "mmsi"), *m2 = json_object_get(o, "mmsi2"),
               *t0 = json_object_get(o, "start"), *t1 = json_object_get(o, "end"),
               *id2 = json_object_get(o, "finding_id");
        int64_t a = 0, b = 0;
        if (!json_is_object(o) || !json_is_string(ev) || !json_is_integer(m) || !json_is_string(t0) ||
            !json_is_string(t1) || !json_is_string(id2) ||
            !pel_parse_time(json_string_value(t0), strlen(json_string_value(t0)), &a) ||
            !pel_parse_time(json_string_value(t1), strlen(json_string_value(t1)), &b))
            st = pel_fail(err, PEL_ERR_FORMAT, "findings.jsonl:%lld: not a finding", (long long)seq);
        else {
            st_case_finding cf = {.case_id = id,
                                  .seq = seq,
                                  .finding_id = json_string_value(id2),
                                  .event = json_string_value(ev),
                                  .mmsi = (uint32_t)json_integer_value(m),
                                  .mmsi2 = json_is_integer(m2) ? (uint32_t)json_integer_value(m2) : 0,
                                  .start_ms = a,
                                  .end_ms = b,
                                  .json = line};
            st = st_case_finding_add(s, &cf, err);
            (*nfound)++;
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    if (st == PEL_OK) {
        char now[40];
        pel_format_time((int64_t)time(NULL) * 1000, now);
        st_case_row r = {.case_id = id,
                         .title = d->title,
                         .signer = signer && *signer ? signer : NULL,
                         .origin = d->origin,
                         .pelorus = d->pelorus,
                         .imported = now,
                         .path = path,
                         .findings = (int64_t)*nfound,
                         .lines = (int64_t)lines};
        st = st_case_add(s, &r, err);
    }
    if (st == PEL_OK)
        st = st_commit(s, err);
    else
        st_rollback(s);
    return st;
}

pel_status pel_case_import(pel_store *s, const char *path, const char *pubkey_path, pel_case_import_stats *stats,
                           pel_error *err) {
    pel_case_import_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    char tmp[1024], *dir = NULL;
    pel_status st = case_open_path(path, &dir, tmp, err);
    if (st != PEL_OK)
        return st;
    first_problem fp = {0};
    uint64_t bad = 0;
    bool is_signed = false, ok = false;
    case_doc d = {0};
    st = case_manifest_check(dir, keep_first, &fp, &bad, stats->id, err);
    if (st == PEL_OK)
        st = case_signature(dir, &is_signed, &ok, stats->signer, err);
    if (st == PEL_OK && is_signed && !ok)
        keep_first(&fp, "MANIFEST.sig", 0, "the signature is not valid for MANIFEST");
    if (st == PEL_OK && pubkey_path) {
        uint8_t want[32];
        char wh[65] = "";
        st = case_read_pubkey(pubkey_path, want, err);
        for (int i = 0; st == PEL_OK && i < 32; i++)
            snprintf(wh + 2 * i, 3, "%02x", want[i]);
        if (st == PEL_OK && (!is_signed || strcmp(wh, stats->signer) != 0))
            keep_first(&fp, "MANIFEST.sig", 0, is_signed ? "signed by another key" : "the case is not signed");
    }
    char *cj = dir ? case_join(dir, "case.json") : NULL;
    if (st == PEL_OK)
        st = cj ? case_doc_read(cj, &d, err) : PEL_ERR_NOMEM;
    for (size_t i = 0; st == PEL_OK && !fp.n && i < d.nin; i++) {
        uint64_t b;
        st = case_lines_check(dir, d.in[i].lines, d.in[i].path, keep_first, &fp, &b, err);
    }
    if (st == PEL_OK && fp.n)
        st = pel_fail(err, PEL_ERR_FORMAT, "%s: does not verify (%llu problem%s), not imported: %s", path,
                      (unsigned long long)fp.n, fp.n == 1 ? "" : "s", fp.msg);
    known k = {stats->id, false};
    if (st == PEL_OK)
        st = st_cases(s, on_case, &k, err);
    if (st == PEL_STOPPED)
        st = PEL_OK;
    stats->already = k.found;
    if (st == PEL_OK && !k.found) {
        ing_mapped *maps = calloc(d.nin + 1, sizeof *maps);
        char **paths = calloc(d.nin + 1, sizeof *paths), **names = calloc(d.nin + 1, sizeof *names);
        uint64_t **orig = calloc(d.nin + 1, sizeof *orig), lines = 0;
        if (!maps || !paths || !names || !orig)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == PEL_OK && i < d.nin; i++) {
            size_t n = 0;
            st = case_index_read(dir, d.in[i].lines, &orig[i], &n, err);
            size_t nl = strlen(d.in[i].path) + 32;
            paths[i] = case_join(dir, d.in[i].lines);
            names[i] = malloc(nl);
            if (st == PEL_OK && (!paths[i] || !names[i]))
                st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            if (st == PEL_OK)
                snprintf(names[i], nl, "case:%s/%s", stats->id, d.in[i].path);
            /* the case's vessels and those its findings name; the other vessels' lines are the
               partner's context (coverage, the feed's pulse), not data about them */
            maps[i] =
                (ing_mapped){paths[i], names[i], d.in[i].format, d.in[i].settings, orig[i], n, d.involved, d.ninvolved};
            lines += n;
        }
        if (st == PEL_OK && d.nin) {
            pel_ingest_opts io = {0};
            st = ing_ingest_mapped(s, maps, d.nin, &io, &stats->ingest, err);
        }
        if (st == PEL_OK)
            st = record(s, dir, &d, stats->id, stats->signer, path, lines, &stats->findings, err);
        for (size_t i = 0; i < d.nin; i++) {
            free(paths[i]);
            free(names[i]);
            free(orig[i]);
        }
        free(paths);
        free(names);
        free(orig);
        free(maps);
    }
    free(cj);
    case_doc_free(&d);
    free(dir);
    if (tmp[0])
        case_rmtree(tmp);
    return st;
}

/* ---- showing them ---- */

typedef struct lister {
    FILE *out;
    bool bad;
} lister;

static int list_one(void *ud, const st_case_row *r) {
    lister *l = ud;
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(r->case_id));
    json_object_set_new(o, "title", json_string(r->title));
    json_object_set_new(o, "signer", r->signer ? json_string(r->signer) : json_null());
    json_object_set_new(o, "origin", json_string(r->origin));
    json_object_set_new(o, "pelorus", json_string(r->pelorus));
    json_object_set_new(o, "imported", json_string(r->imported));
    json_object_set_new(o, "path", json_string(r->path));
    json_object_set_new(o, "findings", json_integer(r->findings));
    json_object_set_new(o, "lines", json_integer(r->lines));
    char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(o);
    if (!t || fprintf(l->out, "%s\n", t) < 0)
        l->bad = true;
    free(t);
    return l->bad;
}

pel_status pel_case_list(pel_store *s, FILE *out, pel_error *err) {
    lister l = {out, false};
    pel_status st = st_cases(s, list_one, &l, err);
    if (l.bad)
        return pel_fail(err, PEL_ERR_IO, "write error");
    return st;
}

typedef struct signers {
    char **id, **key;
    size_t n, cap;
    FILE *out;
    bool bad;
} signers;

static int add_signer(void *ud, const st_case_row *r) {
    signers *g = ud;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        char **a = realloc(g->id, cap * sizeof *a);
        if (a)
            g->id = a;
        char **b = a ? realloc(g->key, cap * sizeof *b) : NULL;
        if (b)
            g->key = b;
        if (!a || !b) {
            g->bad = true;
            return 1;
        }
        g->cap = cap;
    }
    g->id[g->n] = strdup(r->case_id);
    g->key[g->n] = r->signer ? strdup(r->signer) : NULL;
    g->n++;
    return 0;
}

static int finding_one(void *ud, const st_case_finding *f) {
    signers *g = ud;
    const char *key = NULL;
    for (size_t i = 0; i < g->n; i++)
        if (g->id[i] && !strcmp(g->id[i], f->case_id))
            key = g->key[i];
    const char *rest = f->json[0] == '{' ? f->json + 1 : f->json;
    if (fprintf(g->out, "{\"case\":\"%s\",\"signer\":%s%s%s,%s\n", f->case_id, key ? "\"" : "", key ? key : "null",
                key ? "\"" : "", rest) < 0)
        g->bad = true;
    return g->bad;
}

pel_status pel_case_findings(pel_store *s, const char *case_id, uint32_t mmsi, FILE *out, pel_error *err) {
    signers g = {.out = out};
    pel_status st = st_cases(s, add_signer, &g, err);
    if (st == PEL_OK && !g.bad)
        st = st_case_findings(s, case_id, mmsi, finding_one, &g, err);
    for (size_t i = 0; i < g.n; i++) {
        free(g.id[i]);
        free(g.key[i]);
    }
    free(g.id);
    free(g.key);
    if (g.bad)
        return pel_fail(err, g.n ? PEL_ERR_IO : PEL_ERR_NOMEM, "writing the cases' findings failed");
    return st;
}

typedef struct vtext {
    signers *g;
    FILE *out;
    size_t n;
} vtext;

static int vessel_one(void *ud, const st_case_finding *f) {
    vtext *v = ud;
    const char *key = NULL;
    for (size_t i = 0; i < v->g->n; i++)
        if (v->g->id[i] && !strcmp(v->g->id[i], f->case_id))
            key = v->g->key[i];
    if (!v->n++)
        fputs("\nfindings of partners' cases (theirs, not this database's; pelorus case findings)\n", v->out);
    char t0[40], t1[40];
    pel_format_time(f->start_ms, t0);
    pel_format_time(f->end_ms, t1);
    fprintf(v->out, "  %s .. %s  %s", t0, t1, f->event);
    if (f->mmsi2)
        fprintf(v->out, " %09u-%09u", f->mmsi, f->mmsi2);
    fprintf(v->out, "  case %s, %s%.16s%s  (finding %s)\n", f->case_id, key ? "signed by key " : "unsigned",
            key ? key : "", key ? "..." : "", f->finding_id);
    return 0;
}

pel_status pel_case_vessel(pel_store *s, uint32_t mmsi, FILE *out, pel_error *err) {
    signers g = {.out = out};
    pel_status st = st_cases(s, add_signer, &g, err);
    vtext v = {&g, out, 0};
    if (st == PEL_OK && !g.bad)
        st = st_case_findings(s, NULL, mmsi, vessel_one, &v, err);
    for (size_t i = 0; i < g.n; i++) {
        free(g.id[i]);
        free(g.key[i]);
    }
    free(g.id);
    free(g.key);
    if (g.bad)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    return st;
}
