/*
 * findings.c -- findings out: JSON Lines (the contract, docs/findings.md),
 * a readable table, CSV and GeoJSON.  Everything a finding says comes from
 * the detectors; this file only orders and formats, so that the same
 * findings always give the same bytes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det.h"
#include "det_internal.h"
#include "util/display.h"

static const char *const events[] = {"encounter",       "loitering",       "gap",         "port_visit", "zone_entry",
                                     "spoofing",        "identity_change", "watchlist_match", "data_quality"};
#define NEVENTS (int)(sizeof events / sizeof events[0])

const char *pel_event_name(int i) { return i >= 0 && i < NEVENTS ? events[i] : NULL; }

int det_event_index(const char *e) {
    for (int i = 0; i < NEVENTS; i++)
        if (!strcmp(events[i], e))
            return i;
    return 7;
}

/* Canonical order: start, event, vessel, end, then the measured fields. */
int det_cmp_findings(const void *a, const void *b) {
    const det_finding *x = a, *y = b;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    int c = strcmp(x->event, y->event);
    if (c)
        return c;
    if (x->mmsi != y->mmsi)
        return x->mmsi < y->mmsi ? -1 : 1;
    if (x->mmsi2 != y->mmsi2)
        return x->mmsi2 < y->mmsi2 ? -1 : 1;
    if (x->end_ms != y->end_ms)
        return x->end_ms < y->end_ms ? -1 : 1;
    return strcmp(x->fields, y->fields);
}

/* Texts are written by the display policy of util/display.h: JSON keeps
 * the exact text (hidden characters as \u escapes), the table and CSV show
 * hidden characters as visible marks. */
static void put_json_str(FILE *f, const char *s) {
    disp_json_string(f, s, false);
}

static void put_coord(FILE *f, double v) {
    if (isnan(v))
        fputs("null", f);
    else
        fprintf(f, "%.6f", v);
}

static void put_time(FILE *f, int64_t ms) {
    char t[40];
    pel_format_time(ms, t);
    fprintf(f, "\"%s\"", t);
}

static void put_evidence_json(FILE *f, const det_finding *x, const char *const *paths, size_t npaths) {
    fputs("\"evidence\":[", f);
    for (size_t i = 0; i < x->nev; i++) {
        const char *path = x->ev[i].input < npaths && paths[x->ev[i].input] ? paths[x->ev[i].input] : "?";
        if (i)
            fputc(',', f);
        fputs("{\"file\":", f);
        put_json_str(f, path);
        fprintf(f, ",\"line\":%llu}", (unsigned long long)x->ev[i].line);
    }
    fprintf(f, "],\"evidence_total\":%llu", (unsigned long long)x->nev_total);
}

/* "clocks":[...]: which clocks the times of a finding's evidence came from
 * (docs/findings.md); false (nothing written) when none is known. */
static bool clocks_member(const det_finding *x, char *buf, size_t cap) {
    if (!(x->clocks & ~1u))
        return false;
    size_t n = (size_t)snprintf(buf, cap, "\"clocks\":[");
    for (int c = 1; c < PEL_CLOCK__COUNT && n < cap; c++)
        if (x->clocks & 1u << c)
            n += (size_t)snprintf(buf + n, cap - n, "%s\"%s\"", buf[n - 1] == '[' ? "" : ",",
                                  pel_clock_name((pel_clock)c));
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
    return true;
}

static void put_object(FILE *f, const det_finding *x, const char *const *paths, size_t npaths) {
    fprintf(f, "{\"event\":\"%s\",\"mmsi\":%u", x->event, x->mmsi);
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
    if (x->fields[0]) {
        fputc(',', f);
        disp_json_fputs(f, x->fields);
    }
    char ck[160];
    if (clocks_member(x, ck, sizeof ck))
        fprintf(f, ",%s", ck);
    fputc(',', f);
    put_evidence_json(f, x, paths, npaths);
    fputc('}', f);
}

static void put_csv_field(FILE *f, const char *s) {
    disp_csv_cell(f, s);
}

pel_status det_write(FILE *f, pel_findings_format fmt, const det_finding *v, size_t n, const char *const *paths,
                     size_t npaths) {
    char t0[40], t1[40];
    switch (fmt) {
    case PEL_FIND_JSONL:
        for (size_t i = 0; i < n; i++) {
            put_object(f, &v[i], paths, npaths);
            fputc('\n', f);
        }
        break;
    case PEL_FIND_GEOJSON:
        fputs("{\"type\":\"FeatureCollection\",\"features\":[", f);
        for (size_t i = 0; i < n; i++) {
            fputs(i ? ",\n" : "\n", f);
            fputs("{\"type\":\"Feature\",\"geometry\":", f);
            if (isnan(v[i].lat) || isnan(v[i].lon))
                fputs("null", f);
            else
                fprintf(f, "{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}", v[i].lon, v[i].lat);
            fputs(",\"properties\":", f);
            put_object(f, &v[i], paths, npaths);
            fputc('}', f);
        }
        fputs("\n]}\n", f);
        break;
    case PEL_FIND_CSV:
        fputs("event,mmsi,mmsi2,start,end,lat,lon,details,evidence\n", f);
        for (size_t i = 0; i < n; i++) {
            const det_finding *x = &v[i];
            pel_format_time(x->start_ms, t0);
            pel_format_time(x->end_ms, t1);
            fprintf(f, "%s,%u,", x->event, x->mmsi);
            if (x->mmsi2)
                fprintf(f, "%u", x->mmsi2);
            fprintf(f, ",%s,%s,", t0, t1);
            if (!isnan(x->lat))
                fprintf(f, "%.6f", x->lat);
            fputc(',', f);
            if (!isnan(x->lon))
                fprintf(f, "%.6f", x->lon);
            fputc(',', f);
            char details[2300], ck[160];
            bool has_ck = clocks_member(x, ck, sizeof ck);
            snprintf(details, sizeof details, "{%s%s%s}", x->fields, has_ck && x->fields[0] ? "," : "",
                     has_ck ? ck : "");
            put_csv_field(f, details);
            fputc(',', f);
            char ev[4096];
            size_t k = 0;
            for (size_t e = 0; e < x->nev && k + 300 < sizeof ev; e++) {
                const char *path = x->ev[e].input < npaths && paths[x->ev[e].input] ? paths[x->ev[e].input] : "?";
                k += (size_t)snprintf(ev + k, sizeof ev - k, "%s%s:%llu", e ? ";" : "", path,
                                      (unsigned long long)x->ev[e].line);
            }
            ev[k] = 0;
            put_csv_field(f, ev);
            fputc('\n', f);
        }
        break;
    case PEL_FIND_TABLE:
        fprintf(f, "%-15s %-9s %-9s %-20s %-20s %10s %11s  %s\n", "event", "mmsi", "mmsi2", "start", "end", "lat", "lon",
                "details");
        for (size_t i = 0; i < n; i++) {
            const det_finding *x = &v[i];
            pel_format_time(x->start_ms, t0);
            pel_format_time(x->end_ms, t1);
            char m2[16] = "";
            if (x->mmsi2)
                snprintf(m2, sizeof m2, "%u", x->mmsi2);
            char la[16] = "", lo[16] = "";
            if (!isnan(x->lat))
                snprintf(la, sizeof la, "%.4f", x->lat);
            if (!isnan(x->lon))
                snprintf(lo, sizeof lo, "%.4f", x->lon);
            fprintf(f, "%-15s %-9u %-9s %-20.20s %-20.20s %10s %11s  ", x->event, x->mmsi, m2, t0, t1, la, lo);
            fputs(disp_fput_cell(f, x->fields, 100, false) ? "...\n" : "\n", f);
        }
        break;
    }
    return ferror(f) ? PEL_ERR_IO : PEL_OK;
}

void det_vec_push(void *ud, const det_finding *f) {
    det_vec *c = ud;
    if (c->n == c->cap) {
        size_t ncap = c->cap ? 2 * c->cap : 256;
        det_finding *nv = realloc(c->v, ncap * sizeof *nv);
        if (!nv) {
            c->nomem = true;
            return;
        }
        c->v = nv;
        c->cap = ncap;
    }
    c->v[c->n++] = *f;
}
