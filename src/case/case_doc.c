/*
 * case_doc.c -- case.json: what a case is (case.h), written and read with
 * jansson; and which findings a case holds (case_picks).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "findings/finding.h"
#include "util/fail.h"
#include "util/xsort.h"

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static json_t *time_or_null(bool has, int64_t ms) {
    if (!has)
        return json_null();
    char t[40];
    pel_format_time(ms, t);
    return json_string(t);
}

static json_t *mmsis(const uint32_t *v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *texts(char *const *v, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

pel_status case_doc_write(const case_doc *d, const char *path, pel_error *err) {
    json_t *o = json_object();
    json_object_set_new(o, "format", json_string(CASE_FORMAT));
    json_object_set_new(o, "format_version", json_integer(CASE_VERSION));
    json_object_set_new(o, "pelorus", json_string(d->pelorus));
    json_object_set_new(o, "title", json_string(d->title ? d->title : ""));
    json_object_set_new(o, "origin", json_string(d->origin ? d->origin : ""));
    json_object_set_new(o, "vessels", mmsis(d->vessels, d->nvessels));
    json_object_set_new(o, "findings_asked", texts(d->ids, d->nids));
    json_t *p = json_object();
    json_object_set_new(p, "from", time_or_null(d->has_from, d->from_ms));
    json_object_set_new(p, "to", time_or_null(d->has_to, d->to_ms));
    json_object_set_new(p, "from_ms", d->has_from ? json_integer(d->from_ms) : json_null());
    json_object_set_new(p, "to_ms", d->has_to ? json_integer(d->to_ms) : json_null());
    json_object_set_new(o, "period", p);
    json_object_set_new(o, "involved", mmsis(d->involved, d->ninvolved));
    json_t *w = json_object();
    json_object_set_new(w, "from", time_or_null(true, d->window_from_ms));
    json_object_set_new(w, "to", time_or_null(true, d->window_to_ms));
    json_object_set_new(w, "from_ms", json_integer(d->window_from_ms));
    json_object_set_new(w, "to_ms", json_integer(d->window_to_ms));
    json_object_set_new(o, "window", w);
    json_object_set_new(o, "margin_h", json_real(d->margin_h));
    json_object_set_new(o, "context_km", json_real(d->context_km));
    json_object_set_new(o, "settings", texts(d->set, d->nset));
    json_object_set_new(o, "lists_default", json_boolean(d->lists_default));
    json_t *ins = json_array();
    for (size_t i = 0; i < d->nin; i++) {
        const case_input *c = &d->in[i];
        json_t *x = json_object();
        json_object_set_new(x, "lines", json_string(c->lines));
        json_object_set_new(x, "count", json_integer((json_int_t)c->count));
        json_object_set_new(x, "path", json_string(c->path));
        json_object_set_new(x, "sha256", json_string(c->sha256));
        json_object_set_new(x, "size", json_integer((json_int_t)c->size));
        json_object_set_new(x, "format", json_string(c->format));
        json_object_set_new(x, "settings", json_string(c->settings));
        json_array_append_new(ins, x);
    }
    json_object_set_new(o, "inputs", ins);
    json_t *c = json_object();
    json_object_set_new(c, "findings", json_integer((json_int_t)d->findings));
    json_object_set_new(c, "origin_findings", json_integer((json_int_t)d->origin_findings));
    json_object_set_new(c, "reproduced", json_integer((json_int_t)d->reproduced));
    json_object_set_new(o, "counts", c);
    int rc = json_dump_file(o, path, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(o);
    if (rc != 0)
        return pel_fail(err, PEL_ERR_IO, "%s: cannot be written", path);
    return PEL_OK;
}

static char *dup_str(json_t *o, const char *key, bool *bad) {
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v)) {
        *bad = true;
        return NULL;
    }
    char *s = strdup(json_string_value(v));
    if (!s)
        *bad = true;
    return s;
}

static bool get_mmsis(json_t *o, const char *key, uint32_t **v, size_t *n) {
    json_t *a = json_object_get(o, key);
    if (!json_is_array(a))
        return false;
    *n = json_array_size(a);
    *v = calloc(*n ? *n : 1, sizeof **v);
    if (!*v)
        return false;
    for (size_t i = 0; i < *n; i++) {
        json_t *x = json_array_get(a, i);
        if (!json_is_integer(x) || json_integer_value(x) < 0 || json_integer_value(x) > 0x3fffffff)
            return false;
        (*v)[i] = (uint32_t)json_integer_value(x);
    }
    return true;
}

static bool get_texts(json_t *o, const char *key, char ***v, size_t *n) {
    json_t *a = json_object_get(o, key);
    if (!json_is_array(a))
        return false;
    *n = 0;
    *v = calloc(json_array_size(a) + 1, sizeof **v);
    if (!*v)
        return false;
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *x = json_array_get(a, i);
        if (!json_is_string(x) || !((*v)[i] = strdup(json_string_value(x))))
            return false;
        *n = i + 1;
    }
    return true;
}

static bool get_ms(json_t *o, const char *key, bool *has, int64_t *ms) {
    json_t *v = json_object_get(o, key);
    *has = json_is_integer(v);
    *ms = *has ? json_integer_value(v) : 0;
    return *has || json_is_null(v);
}

pel_status case_doc_read(const char *path, case_doc *d, pel_error *err) {
    memset(d, 0, sizeof *d);
    json_error_t je;
    json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return pel_fail(err, PEL_ERR_FORMAT, "%s:%d: %s", path, je.line, je.text);
    bool bad = !json_is_object(o);
    json_t *f = json_object_get(o, "format"), *v = json_object_get(o, "format_version");
    if (bad || !json_is_string(f) || strcmp(json_string_value(f), CASE_FORMAT) != 0 || !json_is_integer(v)) {
        json_decref(o);
        return pel_fail(err, PEL_ERR_FORMAT, "%s: not a Pelorus case (no \"format\": \"%s\")", path, CASE_FORMAT);
    }
    if (json_integer_value(v) != CASE_VERSION) {
        json_decref(o);
        return pel_fail(err, PEL_ERR_FORMAT, "%s: case format version %lld; this Pelorus reads version %d", path,
                        (long long)json_integer_value(v), CASE_VERSION);
    }
    d->pelorus = dup_str(o, "pelorus", &bad);
    d->title = dup_str(o, "title", &bad);
    d->origin = dup_str(o, "origin", &bad);
    bad = bad || !get_mmsis(o, "vessels", &d->vessels, &d->nvessels) ||
          !get_texts(o, "findings_asked", &d->ids, &d->nids) ||
          !get_mmsis(o, "involved", &d->involved, &d->ninvolved) || !get_texts(o, "settings", &d->set, &d->nset);
    if (!bad) { /* searched by MMSI: kept sorted whatever the file says */
        xqsort(d->vessels, d->nvessels, sizeof *d->vessels, cmp_u32);
        xqsort(d->involved, d->ninvolved, sizeof *d->involved, cmp_u32);
    }
    json_t *p = json_object_get(o, "period"), *w = json_object_get(o, "window");
    bool hw0, hw1;
    bad = bad || !json_is_object(p) || !json_is_object(w) || !get_ms(p, "from_ms", &d->has_from, &d->from_ms) ||
          !get_ms(p, "to_ms", &d->has_to, &d->to_ms) || !get_ms(w, "from_ms", &hw0, &d->window_from_ms) ||
          !get_ms(w, "to_ms", &hw1, &d->window_to_ms) || !hw0 || !hw1;
    json_t *m = json_object_get(o, "margin_h"), *ck = json_object_get(o, "context_km"),
           *ld = json_object_get(o, "lists_default");
    bad = bad || !json_is_number(m) || !json_is_number(ck) || !json_is_boolean(ld);
    if (!bad) {
        d->margin_h = json_number_value(m);
        d->context_km = json_number_value(ck);
        d->lists_default = json_is_true(ld);
    }
    json_t *ins = json_object_get(o, "inputs");
    bad = bad || !json_is_array(ins);
    if (!bad) {
        d->in = calloc(json_array_size(ins) + 1, sizeof *d->in);
        bad = !d->in;
        for (size_t i = 0; !bad && i < json_array_size(ins); i++) {
            json_t *x = json_array_get(ins, i);
            case_input *c = &d->in[i];
            d->nin = i + 1;
            c->lines = dup_str(x, "lines", &bad);
            c->path = dup_str(x, "path", &bad);
            c->sha256 = dup_str(x, "sha256", &bad);
            c->format = dup_str(x, "format", &bad);
            c->settings = dup_str(x, "settings", &bad);
            json_t *n = json_object_get(x, "count"), *z = json_object_get(x, "size");
            bad = bad || !json_is_integer(n) || !json_is_integer(z);
            if (!bad && (!c->lines || strncmp(c->lines, "lines/", 6) != 0 || strstr(c->lines, "..") ||
                         strchr(c->lines + 6, '/'))) {
                json_decref(o);
                case_doc_free(d);
                return pel_fail(err, PEL_ERR_FORMAT, "%s: an input's \"lines\" is not a file in lines/", path);
            }
            if (!bad) {
                c->count = (uint64_t)json_integer_value(n);
                c->size = (uint64_t)json_integer_value(z);
            }
        }
    }
    json_t *c = json_object_get(o, "counts");
    if (!bad && json_is_object(c)) {
        d->findings = (uint64_t)json_integer_value(json_object_get(c, "findings"));
        d->origin_findings = (uint64_t)json_integer_value(json_object_get(c, "origin_findings"));
        d->reproduced = (uint64_t)json_integer_value(json_object_get(c, "reproduced"));
    }
    json_decref(o);
    if (bad) {
        case_doc_free(d);
        return pel_fail(err, PEL_ERR_FORMAT, "%s: a member is missing or of the wrong type", path);
    }
    return PEL_OK;
}

void case_doc_free(case_doc *d) {
    free(d->pelorus);
    free(d->title);
    free(d->origin);
    free(d->vessels);
    for (size_t i = 0; i < d->nids; i++)
        free(d->ids[i]);
    free(d->ids);
    free(d->involved);
    for (size_t i = 0; i < d->nset; i++)
        free(d->set[i]);
    free(d->set);
    for (size_t i = 0; i < d->nin; i++) {
        free(d->in[i].lines);
        free(d->in[i].path);
        free(d->in[i].sha256);
        free(d->in[i].format);
        free(d->in[i].settings);
    }
    free(d->in);
    memset(d, 0, sizeof *d);
}

bool case_picks(const case_doc *d, const pel_finding_info *fi, const char *id) {
    bool mine = false;
    for (size_t i = 0; i < d->nvessels && !mine; i++)
        mine = fi->mmsi == d->vessels[i] || (fi->mmsi2 && fi->mmsi2 == d->vessels[i]);
    if (!mine || (d->has_from && fi->end_ms < d->from_ms) || (d->has_to && fi->start_ms > d->to_ms))
        return false;
    if (!d->nids)
        return true;
    for (size_t i = 0; i < d->nids; i++)
        if (id && !strcmp(id, d->ids[i]))
            return true;
    return false;
}

bool case_line_id(const char *line, size_t len, char id[17]) {
    static const char key[] = "\"finding_id\":\"";
    size_t k = sizeof key - 1;
    /* written last: ..."finding_id":"<16 hex>"} */
    if (len < k + 18)
        return false;
    const char *p = line + len - (k + 18);
    if (memcmp(p, key, k) != 0)
        return false;
    memcpy(id, p + k, 16);
    id[16] = 0;
    return true;
}

pel_status case_pick_lines(const pel_findings *fs, const case_doc *d, char **out, size_t *len, size_t *count,
                           pel_error *err) {
    return case_pick_lines_cb(fs, d, out, len, count, NULL, NULL, err);
}

pel_status case_pick_lines_cb(const pel_findings *fs, const case_doc *d, char **out, size_t *len, size_t *count,
                              void (*on_pick)(void *ud, size_t i), void *ud, pel_error *err) {
    *out = NULL;
    *len = *count = 0;
    char *all = NULL;
    size_t alen = 0;
    FILE *m = open_memstream(&all, &alen);
    if (!m)
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    pel_status st = pel_findings_write(fs, m, PEL_FIND_JSONL, err);
    if (fclose(m) != 0 && st == PEL_OK)
        st = pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    if (st != PEL_OK) {
        free(all);
        return st;
    }
    char *o = malloc(alen + 1);
    if (!o) {
        free(all);
        return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
    }
    size_t n = 0, i = 0;
    for (char *p = all, *end = all + alen; p < end; i++) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        pel_finding_info fi;
        char id[FND_ID_LEN + 1];
        fnd_id(fs, i, id); /* as the line's finding_id */
        if (pel_finding_get(fs, i, &fi) && case_picks(d, &fi, id)) {
            if (on_pick)
                on_pick(ud, i);
            memcpy(o + n, p, l);
            n += l;
            o[n++] = '\n';
            (*count)++;
        }
        p += l + 1;
    }
    free(all);
    o[n] = 0;
    *out = o;
    *len = n;
    return PEL_OK;
}
