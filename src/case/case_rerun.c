/*
 * case_rerun.c -- the detectors run on a case alone: its lines ingested,
 * as the inputs they came from (their names, their line numbers, the
 * format and settings they were read with), into a new database in a
 * temporary directory, with the list entries it holds (watchlist.jsonl)
 * and its reference data and detector settings; the findings it picks
 * are what export writes into findings.jsonl and what verify compares
 * with it, byte for byte.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "ingest/ingest_map.h"
#include "store/store.h"
#include "util/fail.h"
#include "util/sha.h"

/* ---- watchlist.jsonl ---- */

static json_t *str_or_null(const char *s) {
    return s ? json_string(s) : json_null();
}

static json_t *strs(const char *const *v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

pel_status case_wl_write(FILE *f, const pel_wl_entry *e, pel_error *err) {
    json_t *o = json_object();
    json_object_set_new(o, "list", str_or_null(e->list));
    json_object_set_new(o, "entry_id", str_or_null(e->entry_id));
    json_object_set_new(o, "name", str_or_null(e->name));
    json_object_set_new(o, "aliases", strs(e->aliases, e->naliases));
    json_object_set_new(o, "former", strs(e->former, e->nformer));
    json_object_set_new(o, "imo", json_integer(e->imo));
    json_object_set_new(o, "imo_company", json_integer(e->imo_company));
    json_object_set_new(o, "mmsi", json_integer(e->mmsi));
    json_object_set_new(o, "flag", str_or_null(e->flag));
    json_object_set_new(o, "former_flags", strs(e->former_flags, e->nformer_flags));
    json_object_set_new(o, "program", str_or_null(e->program));
    json_object_set_new(o, "listed_on", str_or_null(e->listed_on));
    json_object_set_new(o, "vessel_type", str_or_null(e->vessel_type));
    json_object_set_new(o, "callsign", str_or_null(e->callsign));
    json_object_set_new(o, "gross_tonnage", json_integer(e->gross_tonnage));
    json_object_set_new(o, "tonnage", json_integer(e->tonnage));
    json_object_set_new(o, "source", str_or_null(e->source));
    json_object_set_new(o, "line", json_integer((json_int_t)e->line));
    char *t = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(o);
    if (!t)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    int rc = fprintf(f, "%s\n", t);
    free(t);
    return rc < 0 ? pel_fail(err, PEL_ERR_IO, "watchlist.jsonl: write error") : PEL_OK;
}

static const char *get_s(json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static uint32_t get_u(json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    return json_is_integer(v) && json_integer_value(v) >= 0 ? (uint32_t)json_integer_value(v) : 0;
}

/* The strings of array member k: a malloc'd array (the caller frees; its
 * strings are o's), *n of them; NULL only when out of memory. */
static const char **get_strs(json_t *o, const char *k, size_t *n) {
    json_t *a = json_object_get(o, k);
    size_t cap = json_is_array(a) ? json_array_size(a) : 0;
    const char **v = malloc((cap ? cap : 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; v && i < cap; i++)
        if (json_is_string(json_array_get(a, i)))
            v[(*n)++] = json_string_value(json_array_get(a, i));
    return v;
}

pel_status case_wl_import(pel_store *s, const char *path, pel_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return PEL_OK; /* no entries */
    /* every entry, then one import per list in the order lists first appear */
    json_t *all = json_array();
    json_error_t je;
    json_t *e;
    pel_status st = PEL_OK;
    while ((e = json_loadf(f, JSON_DISABLE_EOF_CHECK, &je)) != NULL) {
        if (!json_is_object(e) || !get_s(e, "list")) {
            json_decref(e);
            st = pel_fail(err, PEL_ERR_FORMAT, "watchlist.jsonl: an entry without its list");
            break;
        }
        json_array_append_new(all, e);
    }
    if (st == PEL_OK && !feof(f)) {
        int c;
        while ((c = fgetc(f)) == '\n' || c == ' ')
            ;
        if (c != EOF)
            st = pel_fail(err, PEL_ERR_FORMAT, "watchlist.jsonl:%d: %s", je.line, je.text);
    }
    fclose(f);
    if (st == PEL_OK && json_array_size(all) && (st = st_wl_setup(s, err)) == PEL_OK) {
        size_t n = json_array_size(all);
        bool *done = calloc(n, sizeof *done);
        if (!done)
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        for (size_t i = 0; st == PEL_OK && i < n; i++) {
            if (done[i])
                continue;
            const char *list = get_s(json_array_get(all, i), "list");
            char sha[65], key[300];
            snprintf(key, sizeof key, "case watchlist.jsonl %s", list);
            sha_hex(key, strlen(key), 32, sha);
            st_wl_import *imp = st_wl_import_begin(s, sha, "watchlist.jsonl", err);
            if (!imp) {
                st = PEL_ERR_IO;
                break;
            }
            uint64_t count = 0;
            for (size_t k = i; st == PEL_OK && k < n; k++) {
                json_t *o = json_array_get(all, k);
                if (done[k] || strcmp(get_s(o, "list"), list) != 0)
                    continue;
                done[k] = true;
                size_t nal, nfo, nff;
                const char **al = get_strs(o, "aliases", &nal), **fo = get_strs(o, "former", &nfo),
                           **ff = get_strs(o, "former_flags", &nff);
                pel_wl_entry w = {.list = list,
                                  .entry_id = get_s(o, "entry_id"),
                                  .name = get_s(o, "name"),
                                  .aliases = al,
                                  .naliases = nal,
                                  .former = fo,
                                  .nformer = nfo,
                                  .imo = get_u(o, "imo"),
                                  .imo_company = get_u(o, "imo_company"),
                                  .mmsi = get_u(o, "mmsi"),
                                  .flag = get_s(o, "flag"),
                                  .former_flags = ff,
                                  .nformer_flags = nff,
                                  .program = get_s(o, "program"),
                                  .listed_on = get_s(o, "listed_on"),
                                  .vessel_type = get_s(o, "vessel_type"),
                                  .callsign = get_s(o, "callsign"),
                                  .gross_tonnage = get_u(o, "gross_tonnage"),
                                  .tonnage = get_u(o, "tonnage"),
                                  .source = get_s(o, "source"),
                                  .line = get_u(o, "line")};
                st = al && fo && ff ? st_wl_import_add(imp, &w, err) : pel_fail(err, PEL_ERR_NOMEM, "out of memory");
                free(al);
                free(fo);
                free(ff);
                count++;
            }
            pel_status es = st_wl_import_end(imp, st == PEL_OK, false, list, count, NULL, err);
            if (st == PEL_OK)
                st = es;
        }
        free(done);
    }
    json_decref(all);
    return st;
}

/* reviews.jsonl into s, in its order (each finding's reviews numbered
 * again from 1, as they were). */
static pel_status import_reviews(pel_store *s, const char *path, pel_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return PEL_OK; /* none */
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t ln = 0;
    pel_status st = PEL_OK;
    while (st == PEL_OK && (len = getline(&line, &cap, f)) > 0) {
        ln++;
        json_t *o = json_loadb(line, (size_t)len, 0, NULL);
        st_review r = {.finding_id = get_s(o, "finding_id"),
                       .status = get_s(o, "status"),
                       .note = get_s(o, "note"),
                       .by = get_s(o, "by"),
                       .at = get_s(o, "at")};
        if (!r.finding_id || !r.status || !r.note || !r.by || !r.at)
            st = pel_fail(err, PEL_ERR_FORMAT, "reviews.jsonl:%llu: not a review", (unsigned long long)ln);
        else
            st = st_review_add(s, &r, NULL, err);
        json_decref(o);
    }
    free(line);
    fclose(f);
    return st;
}

/* ---- the rerun ---- */

pel_status case_rerun(const char *dir, const case_doc *d, const char *dossier, const char *web_dir, char **out,
                      size_t *len, size_t *count, pel_error *err) {
    *out = NULL;
    *len = *count = 0;
    char tmp[1024];
    pel_status st = case_tmpdir(tmp, sizeof tmp, err);
    if (st != PEL_OK)
        return st;
    char *db = case_join(tmp, "case.db"), *wl = case_join(dir, "watchlist.jsonl");
    ing_mapped *maps = calloc(d->nin + 1, sizeof *maps);
    char **paths = calloc(d->nin + 1, sizeof *paths);
    uint64_t **orig = calloc(d->nin + 1, sizeof *orig);
    pel_store *s = NULL;
    if (!db || !wl || !maps || !paths || !orig)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st == PEL_OK && !(s = pel_store_open(db, false, err)))
        st = err && err->code ? err->code : PEL_ERR_IO;
    if (st == PEL_OK)
        st = case_wl_import(s, wl, err);
    char *rv = st == PEL_OK ? case_join(dir, "reviews.jsonl") : NULL;
    if (st == PEL_OK)
        st = rv ? import_reviews(s, rv, err) : pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    free(rv);
    for (size_t i = 0; st == PEL_OK && i < d->nin; i++) {
        size_t n = 0;
        st = case_index_read(dir, d->in[i].lines, &orig[i], &n, err);
        if (st == PEL_OK && !(paths[i] = case_join(dir, d->in[i].lines)))
            st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        maps[i] = (ing_mapped){.path = paths[i],
                               .as_name = d->in[i].path,
                               .format = d->in[i].format,
                               .settings = d->in[i].settings,
                               .lines = orig[i],
                               .nlines = n};
    }
    if (st == PEL_OK && d->nin) {
        pel_ingest_opts io = {0};
        st = ing_ingest_mapped(s, maps, d->nin, &io, NULL, err);
    }
    pel_findings *fs = NULL;
    if (st == PEL_OK) {
        pel_scan_opts so = {.data_dir = dir,
                            .set = (const char *const *)d->set,
                            .nset = d->nset,
                            .stored_lists_only = true,
                            .lists_default = d->lists_default,
                            .subjects = d->involved,
                            .nsubjects = d->ninvolved};
        st = pel_scan_findings(s, &so, &fs, NULL, err);
    }
    if (st == PEL_OK)
        st = case_pick_lines(fs, d, out, len, count, err);
    pel_findings_free(fs);
    if (st == PEL_OK && dossier) {
        case_text *t = case_text_open(dir, d, err);
        if (!t)
            st = err && err->code ? err->code : PEL_ERR_NOMEM;
        else {
            char *zones = case_join(dir, "zones.geojson");
            /* the page's template and scripts are the program's (web_dir); the data the case's */
            pel_report_opts ro = {.data_dir = web_dir,
                                  .zones_path = zones,
                                  .set = (const char *const *)d->set,
                                  .nset = d->nset,
                                  .mmsi = d->vessels,
                                  .nmmsi = d->nvessels,
                                  .from_ms = d->has_from ? d->from_ms : INT64_MIN,
                                  .to_ms = d->has_to ? d->to_ms : INT64_MAX,
                                  .stored_lists_only = true,
                                  .lists_default = d->lists_default,
                                  .subjects = d->involved,
                                  .nsubjects = d->ninvolved,
                                  .line_text = case_text_line,
                                  .line_ud = t};
            st = zones ? pel_report_dossier(s, &ro, d->title && *d->title ? d->title : NULL, dossier, NULL, err)
                       : pel_fail(err, PEL_ERR_NOMEM, "out of memory");
            free(zones);
            case_text_free(t);
        }
    }
    pel_store_close(s);
    for (size_t i = 0; i < d->nin; i++) {
        free(paths[i]);
        free(orig[i]);
    }
    free(paths);
    free(orig);
    free(maps);
    free(db);
    free(wl);
    case_rmtree(tmp);
    if (st != PEL_OK) {
        free(*out);
        *out = NULL;
        *len = *count = 0;
    }
    return st;
}
