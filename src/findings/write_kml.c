/*
 * write_kml.c -- findings as KML 2.2 for Google Earth: a Placemark per
 * finding with its name ("event — NAME (MMSI)"), a TimeSpan, ExtendedData
 * holding every member of the report's object (fnd_doc_json: strings as
 * they are, other values as compact JSON) and its geometry.
 *
 * Google Earth renders names and ExtendedData values as HTML, so every
 * text is escaped for HTML and then for XML (esc_xml with ESC_HTML): a
 * reader gets "&lt;script&gt;", which the balloon shows as text, and each
 * hidden character is a visible mark.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/write.h"
#include "util/escape.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(10))

static void text(FILE *f, const char *s) {
    esc_xml(f, s, ESC_HTML);
}

/* "NAME (MMSI)" or "MMSI" */
static void vessel_label(FILE *f, const fnd_doc *doc, uint32_t mmsi) {
    const char *n = doc && doc->name ? doc->name(doc->ud, mmsi) : NULL;
    if (n) {
        text(f, n);
        fprintf(f, " (%u)", mmsi);
    } else
        fprintf(f, "%u", mmsi);
}

static void coords(FILE *f, const json_t *pair) {
    fprintf(f, "%.6f,%.6f", json_number_value(json_array_get(pair, 0)), json_number_value(json_array_get(pair, 1)));
}

pel_status fnd_write_kml(FILE *f, const fnd_set *s, const fnd_doc *doc) {
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n"
          "<name>Pelorus findings</name>\n",
          f);
    for (size_t i = 0; i < fnd_set_count(s); i++) {
        json_t *o = fnd_doc_json(s, i, doc);
        if (!o)
            return PEL_ERR_NOMEM;
        const fnd_finding *x = fnd_set_get(s, i); /* after fnd_doc_json: valid until the next */
        if (!x) {
            json_decref(o);
            return PEL_ERR_IO;
        }
        fputs("<Placemark>\n<name>", f);
        text(f, x->event);
        fputs(" \xE2\x80\x94 ", f);
        vessel_label(f, doc, x->mmsi);
        if (x->mmsi2) {
            fputs(" and ", f);
            vessel_label(f, doc, x->mmsi2);
        }
        fputs("</name>\n", f);
        char t0[40], t1[40];
        pel_format_time(x->start_ms, t0);
        pel_format_time(x->end_ms, t1);
        fputs("<TimeSpan><begin>", f);
        text(f, t0);
        fputs("</begin><end>", f);
        text(f, t1);
        fputs("</end></TimeSpan>\n", f);
        fputs("<ExtendedData>\n", f);
        const char *key;
        json_t *val;
        json_object_foreach(o, key, val) {
            if (!strcmp(key, "geometry"))
                continue;
            fputs("<Data name=\"", f);
            text(f, key);
            fputs("\"><value>", f);
            if (json_is_string(val))
                text(f, json_string_value(val));
            else if (!json_is_null(val)) {
                char *v = json_dumps(val, DUMP_FLAGS | JSON_ENCODE_ANY);
                if (!v) {
                    json_decref(o);
                    return PEL_ERR_NOMEM;
                }
                text(f, v);
                free(v);
            }
            fputs("</value></Data>\n", f);
        }
        fputs("</ExtendedData>\n", f);
        json_t *g = json_object_get(o, "geometry"), *c = json_object_get(g, "coordinates");
        const char *gt = json_string_value(json_object_get(g, "type"));
        if (gt && !strcmp(gt, "Point")) {
            fputs("<Point><coordinates>", f);
            coords(f, c);
            fputs("</coordinates></Point>\n", f);
        } else if (gt && !strcmp(gt, "LineString")) {
            fputs("<LineString><tessellate>1</tessellate><coordinates>", f);
            size_t k;
            json_t *pair;
            json_array_foreach(c, k, pair) {
                if (k)
                    fputc(' ', f);
                coords(f, pair);
            }
            fputs("</coordinates></LineString>\n", f);
        }
        fputs("</Placemark>\n", f);
        json_decref(o);
    }
    fputs("</Document>\n</kml>\n", f);
    return PEL_OK;
}
