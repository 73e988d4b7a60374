/*
 * write_csv.c -- findings as CSV (for spreadsheets) and as a readable
 * table (for a terminal).
 *
 * CSV: every text cell through esc_csv of util/escape.h (display form,
 * quoted, formulas defused); the measured members go into one "details"
 * cell as a JSON object (what a spreadsheet can hold without a column per
 * member of every event), the evidence into one cell as file:line joined
 * by ';', every entry of it.  The table shows the members cut to 100
 * characters, by the display policy of util/display.h.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/write.h"
#include "util/display.h"
#include "util/escape.h"

/* The evidence as "file:line;file:line", a new string or NULL. */
static char *evidence_text(const fnd_set *s, const fnd_finding *x) {
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    if (!m)
        return NULL;
    for (size_t e = 0; e < x->nev; e++)
        fprintf(m, "%s%s:%llu", e ? ";" : "", fnd_evidence_file(s, &x->ev[e]), (unsigned long long)x->ev[e].line);
    if (fclose(m) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* pelorus scan's CSV. */
static pel_status write_scan_csv(FILE *f, const fnd_set *s) {
    char t0[40], t1[40];
    fputs("event,mmsi,mmsi2,start,end,lat,lon,details,evidence\n", f);
    for (size_t i = 0; i < fnd_set_count(s); i++) {
        const fnd_finding *x = fnd_set_get(s, i);
        if (!x)
            return PEL_ERR_IO;
        pel_format_time(x->start_ms, t0);
        pel_format_time(x->end_ms, t1);
        esc_csv(f, x->event, ESC_MINIMAL);
        fprintf(f, ",%u,", x->mmsi);
        if (x->mmsi2)
            fprintf(f, "%u", x->mmsi2);
        fprintf(f, ",%s,%s,", t0, t1);
        if (!isnan(x->lat))
            fprintf(f, "%.6f", x->lat);
        fputc(',', f);
        if (!isnan(x->lon))
            fprintf(f, "%.6f", x->lon);
        fputc(',', f);
        char *details = fnd_members_text(x, true), *ev = details ? evidence_text(s, x) : NULL;
        if (!ev) {
            free(details);
            return PEL_ERR_NOMEM;
        }
        esc_csv(f, details, 0);
        fputc(',', f);
        esc_csv(f, ev, 0);
        fputc('\n', f);
        free(details);
        free(ev);
    }
    return PEL_OK;
}

/* A string member of a JSON object, or NULL. */
static const char *jget_str(const json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A document's CSV: the report's findings.csv, from the same object as its
 * data (fnd_doc_json), the details written as that object's JSON is. */
static pel_status write_doc_csv(FILE *f, const fnd_set *s, const fnd_doc *doc) {
    static const char *const fixed[] = {"id",          "event",        "mmsi",    "mmsi2",    "start",
                                        "end",         "lat",          "lon",     "evidence", "evidence_total",
                                        "vessel_name", "vessel2_name", "geometry"};
    fputs("id,event,mmsi,vessel_name,mmsi2,vessel2_name,start,end,lat,lon,details,evidence\n", f);
    for (size_t i = 0; i < fnd_set_count(s); i++) {
        json_t *o = fnd_doc_json(s, i, doc), *details = json_object();
        const fnd_finding *x = o ? fnd_set_get(s, i) : NULL; /* after fnd_doc_json: valid until the next */
        char *d = NULL, *ev = NULL;
        if (o && details) {
            const char *key;
            json_t *val;
            json_object_foreach(o, key, val) {
                bool skip = false;
                for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
                    skip |= !strcmp(key, fixed[k]);
                if (!skip)
                    json_object_set(details, key, val);
            }
            d = json_dumps(details, JSON_COMPACT | JSON_REAL_PRECISION(10));
            ev = d ? evidence_text(s, x) : NULL;
        }
        if (!ev || !x) {
            json_decref(o);
            json_decref(details);
            free(d);
            free(ev);
            return x || !o ? PEL_ERR_NOMEM : PEL_ERR_IO;
        }
        char t0[40], t1[40];
        pel_format_time(x->start_ms, t0);
        pel_format_time(x->end_ms, t1);
        fprintf(f, "%zu,", i);
        esc_csv(f, x->event, ESC_MINIMAL);
        fprintf(f, ",%u,", x->mmsi);
        if (jget_str(o, "vessel_name"))
            esc_csv(f, jget_str(o, "vessel_name"), 0);
        fputc(',', f);
        if (x->mmsi2)
            fprintf(f, "%u", x->mmsi2);
        fputc(',', f);
        if (jget_str(o, "vessel2_name"))
            esc_csv(f, jget_str(o, "vessel2_name"), 0);
        fprintf(f, ",%s,%s,", t0, t1);
        if (!isnan(x->lat))
            fprintf(f, "%.6f", x->lat);
        fputc(',', f);
        if (!isnan(x->lon))
            fprintf(f, "%.6f", x->lon);
        fputc(',', f);
        esc_csv(f, d, 0);
        fputc(',', f);
        esc_csv(f, ev, 0);
        fputc('\n', f);
        json_decref(o);
        json_decref(details);
        free(d);
        free(ev);
    }
    return PEL_OK;
}

pel_status fnd_write_csv(FILE *f, const fnd_set *s, const fnd_doc *doc) {
    return doc ? write_doc_csv(f, s, doc) : write_scan_csv(f, s);
}

pel_status fnd_write_table(FILE *f, const fnd_set *s) {
    char t0[40], t1[40];
    fprintf(f, "%-15s %-9s %-9s %-20s %-20s %10s %11s  %s\n", "event", "mmsi", "mmsi2", "start", "end", "lat", "lon",
            "details");
    for (size_t i = 0; i < fnd_set_count(s); i++) {
        const fnd_finding *x = fnd_set_get(s, i);
        if (!x)
            return PEL_ERR_IO;
        pel_format_time(x->start_ms, t0);
        pel_format_time(x->end_ms, t1);
        char m2[16] = "", la[16] = "", lo[16] = "";
        if (x->mmsi2)
            snprintf(m2, sizeof m2, "%u", x->mmsi2);
        if (!isnan(x->lat))
            snprintf(la, sizeof la, "%.4f", x->lat);
        if (!isnan(x->lon))
            snprintf(lo, sizeof lo, "%.4f", x->lon);
        disp_fput_cell(f, x->event, 15, true);
        fprintf(f, " %-9u %-9s %-20.20s %-20.20s %10s %11s  ", x->mmsi, m2, t0, t1, la, lo);
        char *text = fnd_members_text(x, false);
        if (!text)
            return PEL_ERR_NOMEM;
        fputs(disp_fput_cell(f, text, 100, false) ? "...\n" : "\n", f);
        free(text);
    }
    return PEL_OK;
}

pel_status fnd_write(FILE *f, pel_findings_format fmt, const fnd_set *s) {
    pel_status st = PEL_OK;
    switch (fmt) {
    case PEL_FIND_JSONL:
        st = fnd_write_jsonl(f, s);
        break;
    case PEL_FIND_GEOJSON:
        st = fnd_write_geojson(f, s, NULL);
        break;
    case PEL_FIND_CSV:
        st = fnd_write_csv(f, s, NULL);
        break;
    case PEL_FIND_TABLE:
        st = fnd_write_table(f, s);
        break;
    }
    return st == PEL_OK && ferror(f) ? PEL_ERR_IO : st;
}
