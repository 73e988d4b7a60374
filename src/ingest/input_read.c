/*
 * input_read.c -- an input read again as an ingest read it: its format
 * and settings (inputs.format, inputs.settings) back into ingest options,
 * and its records given one by one.  The case stage (src/case/) uses it to
 * find the lines of a vessel in the original inputs and to ingest a case's
 * bundled lines as the inputs they came from.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest_map.h"
#include "util/fail.h"

static const char *const formats[] = {"nmea", "noaa", "dma", "kystverket", "barentswatch", "csv"};

pel_status ing_opts_from_settings(const char *format, const char *settings, pel_ingest_opts *o, char *buf, size_t cap,
                                  pel_error *err) {
    size_t f = 0;
    while (f < 6 && strcmp(formats[f], format ? format : "") != 0)
        f++;
    if (f == 6)
        return pel_fail(err, PEL_ERR_FORMAT, "input format '%s' unknown to this version", format ? format : "");
    o->format = (pel_input_format)(PEL_IN_NMEA + f);
    o->columns = NULL;
    o->time_format = NULL;
    o->delimiter = 0;
    o->assume_time = false;
    o->assume_ms = 0;
    size_t n = strlen(settings ? settings : "");
    if (n >= cap)
        return pel_fail(err, PEL_ERR_FORMAT, "input settings too long");
    memcpy(buf, settings ? settings : "", n + 1);
    /* "name=value; name=value": a column map holds commas, never "; " */
    for (char *p = buf; p && *p;) {
        char *next = strstr(p, "; ");
        if (next) {
            *next = 0;
            next += 2;
        }
        if (!strcmp(p, "live")) { /* a watch journal: read as NMEA */
            p = next;
            continue;
        }
        char *eq = strchr(p, '=');
        if (!eq)
            return pel_fail(err, PEL_ERR_FORMAT, "input setting '%s' unknown to this version", p);
        *eq = 0;
        const char *v = eq + 1;
        if (!strcmp(p, "columns"))
            o->columns = v;
        else if (!strcmp(p, "time-format"))
            o->time_format = v;
        else if (!strcmp(p, "delimiter"))
            o->delimiter = !strcmp(v, "\\t") ? '\t' : v[0];
        else if (!strcmp(p, "assume-time")) {
            if (strcmp(v, "none") != 0) {
                if (!pel_parse_time(v, strlen(v), &o->assume_ms))
                    return pel_fail(err, PEL_ERR_FORMAT, "input setting assume-time=%s is no time", v);
                o->assume_time = true;
            }
        } else
            return pel_fail(err, PEL_ERR_FORMAT, "input setting '%s' unknown to this version", p);
        p = next;
    }
    return PEL_OK;
}

typedef struct reader {
    int (*on_rec)(void *ud, const pel_record *r);
    void *ud;
    const pel_ingest_opts *o;
} reader;

static int give(reader *rd, const pel_record *r) {
    if (r->has_time || !rd->o->assume_time)
        return rd->on_rec(rd->ud, r);
    pel_record t = *r;
    t.has_time = true;
    t.t_ms = rd->o->assume_ms;
    t.clock = PEL_CLOCK_ASSUMED;
    return rd->on_rec(rd->ud, &t);
}

static int on_msg(void *ud, const pel_ais_msg *m) {
    pel_record r;
    return pel_record_from_msg(&r, m) ? give(ud, &r) : 0;
}

static int on_csv(void *ud, const pel_record *r) {
    return give(ud, r);
}

pel_status ing_read_records(const char *path, const char *format, const char *settings,
                            int (*on_rec)(void *ud, const pel_record *r), void *ud, pel_error *err) {
    pel_ingest_opts o = {0};
    char buf[1400];
    pel_status st = ing_opts_from_settings(format, settings, &o, buf, sizeof buf, err);
    if (st != PEL_OK)
        return st;
    reader rd = {on_rec, ud, &o};
    if (o.format == PEL_IN_NMEA) {
        pel_decode_cb cb = {on_msg, NULL, &rd};
        pel_decoder *d = pel_decoder_new(NULL, &cb);
        if (!d)
            return pel_fail(err, PEL_ERR_NOMEM, "out of memory");
        pel_decoder_set_file(d, path);
        st = pel_decode_file_at(d, path, 1, err);
        pel_decoder_free(d);
        return st;
    }
    pel_csv_opts co = {0};
    co.format = (pel_csv_format)(PEL_CSV_NOAA + (o.format - PEL_IN_NOAA));
    co.columns = o.format == PEL_IN_CSV ? o.columns : NULL;
    co.time_format = o.time_format;
    co.delimiter = o.delimiter;
    co.name = path;
    pel_csv_cb cb = {on_csv, NULL, &rd};
    return pel_csv_read_opts(path, &co, 0, &cb, NULL, err);
}
