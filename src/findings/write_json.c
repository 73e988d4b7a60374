/*
 * write_json.c -- findings as JSON: the JSON Lines of docs/findings.md (the
 * contract), GeoJSON, and the report's JSON object of a finding
 * (fnd_doc_json, through jansson like the rest of the report's data).
 *
 * The contract's encoding: members in the order the detector added them,
 * numbers with the decimals it gave ("%.*f"), integers as they are, strings
 * by util/escape.h (exact text, hidden characters as \u escapes), the
 * clocks and the evidence last.  A number read from a file without a fixed
 * number of decimals (an exponent) is written with as few digits as give
 * its value back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/write.h"
#include "util/escape.h"

/* ---- the contract's encoding ---------------------------------------------------------- */

static void put_number(FILE *f, const fnd_member *m) {
    if (m->prec >= 0) {
        fprintf(f, "%.*f", m->prec, m->v.d);
        return;
    }
    char t[40];
    for (int p = 15; p <= 17; p++) { /* the shortest of these that reads back as the value */
        snprintf(t, sizeof t, "%.*g", p, m->v.d);
        if (strtod(t, NULL) == m->v.d)
            break;
    }
    fputs(t, f);
}

static void put_members(FILE *f, const fnd_member *m, size_t n, unsigned esc, bool first);

/* One value; its array's or object's contents with it. */
static void put_value(FILE *f, const fnd_member *m, unsigned esc) {
    switch ((fnd_kind)m->kind) {
    case FND_NULL:
        fputs("null", f);
        break;
    case FND_BOOL:
        fputs(m->v.b ? "true" : "false", f);
        break;
    case FND_INT:
        fprintf(f, "%lld", (long long)m->v.i);
        break;
    case FND_NUM:
        put_number(f, m);
        break;
    case FND_STR:
        esc_json_string(f, m->v.s, esc);
        break;
    case FND_ARR:
        fputc('[', f);
        put_members(f, m + 1, m->n, esc, true);
        fputc(']', f);
        break;
    case FND_OBJ:
        fputc('{', f);
        put_members(f, m + 1, m->n, esc, true);
        fputc('}', f);
        break;
    }
}

/* The n members at m (at every depth) as "name":value, separated by commas
 * (an array's elements without names); a comma before the first unless
 * first. */
static void put_members(FILE *f, const fnd_member *m, size_t n, unsigned esc, bool first) {
    for (const fnd_member *end = m + n; m < end; m = fnd_next(m)) {
        if (!first)
            fputc(',', f);
        first = false;
        if (m->name) {
            esc_json_string(f, m->name, esc);
            fputc(':', f);
        }
        put_value(f, m, esc);
    }
}

static void put_time(FILE *f, int64_t ms) {
    char t[40];
    pel_format_time(ms, t);
    fprintf(f, "\"%s\"", t);
}

static void put_coord(FILE *f, double v) {
    if (isnan(v))
        fputs("null", f);
    else
        fprintf(f, "%.6f", v);
}

/* "clocks":[...] (docs/findings.md): nothing when no clock is known. */
static void put_clocks(FILE *f, unsigned clocks, bool comma) {
    if (!(clocks & ~1u))
        return;
    fputs(comma ? ",\"clocks\":[" : "\"clocks\":[", f);
    bool first = true;
    for (int c = 1; c < PEL_CLOCK__COUNT; c++)
        if (clocks & 1u << c) {
            fprintf(f, "%s\"%s\"", first ? "" : ",", pel_clock_name((pel_clock)c));
            first = false;
        }
    fputc(']', f);
}

/* The contract's object of finding i of s, x. */
static void put_object(FILE *f, const fnd_set *s, size_t i, const fnd_finding *x) {
    char id[FND_ID_LEN + 1];
    fnd_id(s, i, id);
    fputs("{\"event\":", f);
    esc_json_string(f, x->event, 0);
    fprintf(f, ",\"mmsi\":%u", x->mmsi);
    if (x->mmsi2)
        fprintf(f, ",\"mmsi2\":%u", x->mmsi2);
    fputs(",\"start\":", f);
    put_time(f, x->start_ms);
    fputs(",\"end\":", f);
    put_time(f, x->end_ms);
    fputs(",\"lat\":", f);
    put_coord(f, x->lat);
    fputs(",\"lon\":", f);
    put_coord(f, x->lon);
    put_members(f, x->mem, x->nmem, 0, false);
    put_clocks(f, x->clocks, true);
    fputs(",\"evidence\":[", f);
    for (size_t e = 0; e < x->nev; e++) {
        fputs(e ? ",{\"file\":" : "{\"file\":", f);
        esc_json_string(f, fnd_evidence_file(s, &x->ev[e]), 0);
        fprintf(f, ",\"line\":%llu}", (unsigned long long)x->ev[e].line);
    }
    fprintf(f, "],\"evidence_total\":%llu,\"finding_id\":\"%s\"}", (unsigned long long)x->nev_total, id);
}

pel_status fnd_write_jsonl(FILE *f, const fnd_set *s) {
    for (size_t i = 0; i < fnd_set_count(s); i++) {
        const fnd_finding *x = fnd_set_get(s, i);
        if (!x)
            return PEL_ERR_IO;
        put_object(f, s, i, x);
        fputc('\n', f);
    }
    return PEL_OK;
}

char *fnd_json_line(const fnd_set *s, size_t i) {
    const fnd_finding *x = fnd_set_get(s, i);
    char *out = NULL;
    size_t len = 0;
    FILE *m = x ? open_memstream(&out, &len) : NULL;
    if (!m)
        return NULL;
    put_object(m, s, i, x);
    if (fclose(m) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

char *fnd_members_text(const fnd_finding *x, bool object) {
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    if (!m)
        return NULL;
    if (object)
        fputc('{', m);
    put_members(m, x->mem, x->nmem, ESC_SHOWN, true);
    if (object) {
        put_clocks(m, x->clocks, x->nmem > 0);
        fputc('}', m);
    }
    if (fclose(m) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* ---- geometry ------------------------------------------------------------------------------ */

fnd_geometry fnd_geometry_of(const fnd_finding *x) {
    fnd_geometry g = {FND_GEOM_NONE, {x->lon, NAN}, {x->lat, NAN}};
    if (isnan(x->lat) || isnan(x->lon))
        return g;
    static const char *const points[] = {"encounter", "loitering", "port_visit", "zone_entry", "gap"};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
        if (!strcmp(x->event, points[i]))
            g.type = FND_GEOM_POINT;
    if (!strcmp(x->event, "spoofing") && fnd_has_str(x, "kind", "parallel_segments")) {
        g.lat[1] = fnd_get_num(x, "lat_b", NAN);
        g.lon[1] = fnd_get_num(x, "lon_b", NAN);
        if (!isnan(g.lat[1]) && !isnan(g.lon[1]))
            g.type = FND_GEOM_LINE;
    }
    return g;
}

/* ---- the report's object (jansson) --------------------------------------------------------- */

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

/* A JSON string of s, made UTF-8 (json_null() for NULL). */
static json_t *jstr(const char *s) {
    if (!s)
        return json_null();
    char *c = esc_utf8_dup(s, strlen(s));
    json_t *v = c ? json_string(c) : NULL;
    free(c);
    return v;
}

static json_t *jtime(int64_t ms) {
    char t[40];
    pel_format_time(ms, t);
    return json_string(t);
}

static json_t *jcoord(double v) {
    return isnan(v) ? json_null() : json_real(v);
}

/* A member's value as jansson holds it after reading the contract's text:
 * a number written without decimals is an integer there. */
static json_t *jvalue(const fnd_member *m) {
    switch ((fnd_kind)m->kind) {
    case FND_NULL:
        return json_null();
    case FND_BOOL:
        return json_boolean(m->v.b);
    case FND_INT:
        return json_integer((json_int_t)m->v.i);
    case FND_NUM:
        if (m->prec == 0 && fabs(m->v.d) < 9.2e18)
            return json_integer((json_int_t)m->v.d);
        return json_real(m->v.d);
    case FND_STR:
        return jstr(m->v.s);
    case FND_ARR: {
        json_t *a = json_array();
        for (const fnd_member *e = m + 1, *end = m + 1 + m->n; a && e < end; e = fnd_next(e))
            if (json_array_append_new(a, jvalue(e))) {
                json_decref(a);
                a = NULL;
            }
        return a;
    }
    case FND_OBJ: {
        json_t *o = json_object();
        for (const fnd_member *e = m + 1, *end = m + 1 + m->n; o && e < end; e = fnd_next(e))
            if (!e->name || json_object_set_new(o, e->name, jvalue(e))) {
                json_decref(o);
                o = NULL;
            }
        return o;
    }
    }
    return NULL;
}

static double round6(double v) {
    return round(v * 1e6) / 1e6;
}

static json_t *jpair(double lon, double lat) {
    json_t *a = json_array();
    json_array_append_new(a, json_real(round6(lon)));
    json_array_append_new(a, json_real(round6(lat)));
    return a;
}

static json_t *jgeometry(const fnd_geometry *g) {
    if (g->type == FND_GEOM_NONE)
        return json_null();
    json_t *o = json_object();
    if (g->type == FND_GEOM_POINT) {
        json_object_set_new(o, "type", json_string("Point"));
        json_object_set_new(o, "coordinates", jpair(g->lon[0], g->lat[0]));
    } else {
        json_t *c = json_array();
        json_object_set_new(o, "type", json_string("LineString"));
        json_array_append_new(c, jpair(g->lon[0], g->lat[0]));
        json_array_append_new(c, jpair(g->lon[1], g->lat[1]));
        json_object_set_new(o, "coordinates", c);
    }
    return o;
}

/* Sets key (a new reference, NULL when out of memory); false on failure. */
static bool set(json_t *o, const char *key, json_t *v) {
    return v && json_object_set_new(o, key, v) == 0;
}

json_t *fnd_doc_json(const fnd_set *s, size_t i, const fnd_doc *doc) {
    static const fnd_doc none = {0};
    const fnd_finding *x = fnd_set_get(s, i);
    if (!doc)
        doc = &none;
    json_t *o = x ? json_object() : NULL;
    bool ok = o && set(o, "id", json_integer((json_int_t)i)) && set(o, "event", jstr(x->event)) &&
              set(o, "mmsi", json_integer(x->mmsi)) && (!x->mmsi2 || set(o, "mmsi2", json_integer(x->mmsi2))) &&
              set(o, "start", jtime(x->start_ms)) && set(o, "end", jtime(x->end_ms)) && set(o, "lat", jcoord(x->lat)) &&
              set(o, "lon", jcoord(x->lon));
    for (const fnd_member *m = x->mem, *end = x->mem + x->nmem; ok && m < end; m = fnd_next(m))
        ok = m->name && set(o, m->name, jvalue(m));
    if (ok && x->clocks & ~1u) {
        json_t *c = json_array();
        for (int k = 1; c && k < PEL_CLOCK__COUNT; k++)
            if (x->clocks & 1u << k)
                json_array_append_new(c, json_string(pel_clock_name((pel_clock)k)));
        ok = set(o, "clocks", c);
    }
    json_t *ev = ok ? json_array() : NULL;
    for (size_t k = 0; ev && k < x->nev; k++) {
        json_t *e = json_object();
        if (!e || !set(e, "file", jstr(fnd_evidence_file(s, &x->ev[k]))) ||
            !set(e, "line", json_integer((json_int_t)x->ev[k].line)) || json_array_append_new(ev, e)) {
            json_decref(ev);
            ev = NULL;
        }
    }
    ok = ok && set(o, "evidence", ev) && set(o, "evidence_total", json_integer((json_int_t)x->nev_total));
    const char *n1 = doc->name ? doc->name(doc->ud, x->mmsi) : NULL;
    ok = ok && set(o, "vessel_name", jstr(n1));
    const char *n2 = doc->name && x->mmsi2 ? doc->name(doc->ud, x->mmsi2) : NULL;
    ok = ok && set(o, "vessel2_name", jstr(n2));
    fnd_geometry g = doc->geometry ? doc->geometry(doc->ud, i) : fnd_geometry_of(x);
    ok = ok && set(o, "geometry", jgeometry(&g));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- GeoJSON ------------------------------------------------------------------------------ */

pel_status fnd_write_geojson(FILE *f, const fnd_set *s, const fnd_doc *doc) {
    fputs("{\"type\":\"FeatureCollection\",\"features\":[", f);
    for (size_t i = 0; i < fnd_set_count(s); i++) {
        fputs(i ? ",\n" : "\n", f);
        if (!doc) {
            const fnd_finding *x = fnd_set_get(s, i);
            if (!x)
                return PEL_ERR_IO;
            fputs("{\"type\":\"Feature\",\"geometry\":", f);
            if (isnan(x->lat) || isnan(x->lon))
                fputs("null", f);
            else
                fprintf(f, "{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}", x->lon, x->lat);
            fputs(",\"properties\":", f);
            put_object(f, s, i, x);
            fputc('}', f);
            continue;
        }
        json_t *props = fnd_doc_json(s, i, doc), *feat = json_object();
        char *text = NULL;
        if (props && feat) {
            json_t *g = json_incref(json_object_get(props, "geometry"));
            json_object_del(props, "geometry");
            json_object_set_new(feat, "type", json_string("Feature"));
            json_object_set_new(feat, "geometry", g);
            json_object_set(feat, "properties", props);
            text = json_dumps(feat, DUMP_FLAGS);
        }
        json_decref(props);
        json_decref(feat);
        if (!text)
            return PEL_ERR_NOMEM;
        esc_json_text(f, text, 0); /* the exact text, hidden characters as \u escapes */
        free(text);
    }
    fputs("\n]}\n", f);
    return PEL_OK;
}
