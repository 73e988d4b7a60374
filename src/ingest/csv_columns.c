/*
 * csv_columns.c -- column maps for the generic CSV reader: parsing
 * --columns "mmsi=MMSI,time=BaseDateTime,lat=LAT,lon=LON,speed=SPEED/10",
 * writing a map canonically (it is part of an input's identity in the
 * store), and the header names a generic file is read by when no map is
 * given.
 *
 * A map names, for each pel_record field it sets, the header of the column
 * that holds it.  Header names are compared normalised (csv_key: case,
 * spaces, underscores and a leading '#' ignored), so "Base Date Time" and
 * "basedatetime" are the same column.  A numeric field's header may end in
 * "/N" (N a whole number): the values are divided by N before conversion,
 * for exports in other units -- MarineTraffic's SPEED in tenths of a knot
 * (speed=SPEED/10), AISHub's AIS-encoded positions in 1/600000 degree
 * (lat=LATITUDE/600000).
 *
 * Known limits: a header that itself contains ',' cannot be named, and a
 * header that ends in "/digits" is read as a divisor.  Units other than a
 * divisor (km/h, feet) are not expressible.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csv_internal.h"

typedef struct field {
    const char *name;
    int col;
    bool numeric; /* takes a "/N" divisor */
} field;

// clang-format off
/* In canonical order: the order of the C_ columns. */
static const field fields[] = {
    {"mmsi", C_MMSI, false},       {"time", C_TIME, false},         {"lat", C_LAT, true},
    {"lon", C_LON, true},          {"speed", C_SOG, true},          {"course", C_COG, true},
    {"heading", C_HEADING, true},  {"name", C_NAME, false},         {"imo", C_IMO, false},
    {"callsign", C_CALLSIGN, false}, {"shiptype", C_SHIPTYPE, false}, {"status", C_STATUS, false},
    {"length", C_LENGTH, true},    {"width", C_WIDTH, true},        {"draught", C_DRAUGHT, true},
    {"class", C_MOBILE, false},    {"destination", C_DEST, false},  {"eta", C_ETA, false},
    {"to_bow", C_A, true},         {"to_stern", C_B, true},         {"to_port", C_C, true},
    {"to_starboard", C_D, true},   {"msgtype", C_MSGTYPE, false},   {"source", C_SOURCE, false},
};

/* Other spellings accepted for a field name in a map. */
static const struct {
    const char *alias;
    int col;
} aliases[] = {
    {"sog", C_SOG}, {"cog", C_COG}, {"shipname", C_NAME}, {"draft", C_DRAUGHT}, {"dest", C_DEST},
    {"a", C_A}, {"b", C_B}, {"c", C_C}, {"d", C_D}, {"type", C_SHIPTYPE}, {"navstat", C_STATUS},
    {"msg_type", C_MSGTYPE}, {"time_utc", C_TIME},
};

/* Header names (normalised) a generic file is read by without a map. */
static const struct {
    const char *key;
    int col;
} generic[] = {
    {"mmsi", C_MMSI}, {"userid", C_MMSI},
    {"time", C_TIME}, {"timestamp", C_TIME}, {"datetime", C_TIME}, {"basedatetime", C_TIME},
    {"msgtime", C_TIME}, {"datetimeutc", C_TIME}, {"timeutc", C_TIME}, {"timestamputc", C_TIME},
    {"lat", C_LAT}, {"latitude", C_LAT},
    {"lon", C_LON}, {"long", C_LON}, {"lng", C_LON}, {"longitude", C_LON},
    {"sog", C_SOG}, {"speed", C_SOG}, {"speedoverground", C_SOG},
    {"cog", C_COG}, {"course", C_COG}, {"courseoverground", C_COG},
    {"heading", C_HEADING}, {"trueheading", C_HEADING}, {"hdg", C_HEADING},
    {"status", C_STATUS}, {"navstat", C_STATUS}, {"navstatus", C_STATUS}, {"navigationalstatus", C_STATUS},
    {"name", C_NAME}, {"shipname", C_NAME}, {"vesselname", C_NAME},
    {"imo", C_IMO}, {"imonumber", C_IMO}, {"imonr", C_IMO},
    {"callsign", C_CALLSIGN},
    {"shiptype", C_SHIPTYPE}, {"type", C_SHIPTYPE}, {"vesseltype", C_SHIPTYPE},
    {"destination", C_DEST}, {"dest", C_DEST},
    {"eta", C_ETA},
    {"draught", C_DRAUGHT}, {"draft", C_DRAUGHT},
    {"length", C_LENGTH}, {"shiplength", C_LENGTH},
    {"width", C_WIDTH}, {"beam", C_WIDTH}, {"shipwidth", C_WIDTH},
    {"a", C_A}, {"dimensiona", C_A}, {"tobow", C_A},
    {"b", C_B}, {"dimensionb", C_B}, {"tostern", C_B},
    {"c", C_C}, {"dimensionc", C_C}, {"toport", C_C},
    {"d", C_D}, {"dimensiond", C_D}, {"tostarboard", C_D},
    {"class", C_MOBILE}, {"aisclass", C_MOBILE}, {"transceiverclass", C_MOBILE}, {"typeofmobile", C_MOBILE},
    {"msgtype", C_MSGTYPE}, {"messagetype", C_MSGTYPE}, {"messageid", C_MSGTYPE}, {"messagenr", C_MSGTYPE},
    {"source", C_SOURCE}, {"station", C_SOURCE}, {"receiver", C_SOURCE}, {"stream", C_SOURCE},
};
// clang-format on

#define NFIELDS (sizeof fields / sizeof fields[0])

static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

void csv_key(const char *s, size_t n, char *key, size_t cap) {
    size_t i = 0, k = 0;
    if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
        i = 3;
    while (i < n && (s[i] == ' ' || s[i] == '#' || s[i] == '\t'))
        i++;
    for (; i < n && k + 1 < cap; i++)
        if (s[i] != ' ' && s[i] != '_' && s[i] != '\t')
            key[k++] = (char)lower((unsigned char)s[i]);
    key[k] = 0;
}

const char *csv_field_name(int col) {
    for (size_t i = 0; i < NFIELDS; i++)
        if (fields[i].col == col)
            return fields[i].name;
    return "?";
}

int csv_generic_column(const char *key) {
    for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
        if (strcmp(key, generic[i].key) == 0)
            return generic[i].col;
    return -1;
}

/* The field named s[0..n) (case-insensitive), or NULL. */
static const field *find_field(const char *s, size_t n) {
    char name[32];
    if (n == 0 || n >= sizeof name)
        return NULL;
    for (size_t i = 0; i < n; i++)
        name[i] = (char)lower((unsigned char)s[i]);
    name[n] = 0;
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(name, fields[i].name) == 0)
            return &fields[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i].alias) == 0)
            for (size_t j = 0; j < NFIELDS; j++)
                if (fields[j].col == aliases[i].col)
                    return &fields[j];
    return NULL;
}

static void trim(const char **s, size_t *n) {
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

/* Parses spec into m; on failure writes why.  spec is only read during the
 * call; m is the caller's. */
bool csv_colmap_parse(const char *spec, csv_colmap *m, char *why, size_t cap) {
    memset(m, 0, sizeof *m);
    for (int c = 0; c < C__COUNT; c++)
        m->div[c] = 1;
    if (!spec || !*spec) {
        snprintf(why, cap, "the column map is empty");
        return false;
    }
    for (const char *p = spec; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *ent = p;
        p = e ? e + 1 : p + n;
        trim(&ent, &n);
        if (n == 0)
            continue; /* "a=A,,b=B" or a trailing comma */
        const char *eq = memchr(ent, '=', n);
        if (!eq) {
            snprintf(why, cap, "'%.*s' is not field=Header", (int)(n < 60 ? n : 60), ent);
            return false;
        }
        const char *fname = ent, *hdr = eq + 1;
        size_t fn = (size_t)(eq - ent), hn = n - fn - 1;
        trim(&fname, &fn);
        trim(&hdr, &hn);
        const field *f = find_field(fname, fn);
        if (!f) {
            snprintf(why, cap,
                     "unknown field '%.*s' (fields: mmsi time lat lon speed course heading status name imo "
                     "callsign shiptype destination eta draught length width to_bow to_stern to_port "
                     "to_starboard class msgtype source)",
                     (int)(fn < 40 ? fn : 40), fname);
            return false;
        }
        if (m->key[f->col][0]) {
            snprintf(why, cap, "field '%s' is named twice", f->name);
            return false;
        }
        /* a divisor: "/N" at the end of the header */
        const char *slash = NULL;
        for (size_t i = hn; i > 0; i--) {
            if (hdr[i - 1] == '/') {
                slash = hdr + i - 1;
                break;
            }
            if (hdr[i - 1] < '0' || hdr[i - 1] > '9')
                break;
        }
        if (slash && slash + 1 < hdr + hn) {
            if (!f->numeric) {
                snprintf(why, cap,
                         "'%s' takes no divisor (/N is for lat, lon, speed, course, heading, draught, "
                         "length, width and to_*)",
                         f->name);
                return false;
            }
            char *end;
            unsigned long d = strtoul(slash + 1, &end, 10);
            if (d < 1 || d > 1000000000 || end != hdr + hn) {
                snprintf(why, cap, "the divisor of '%s' is not a whole number from 1 to 1000000000", f->name);
                return false;
            }
            m->div[f->col] = (uint32_t)d;
            hn = (size_t)(slash - hdr);
            trim(&hdr, &hn);
        }
        csv_key(hdr, hn, m->key[f->col], CSV_KEY_MAX);
        if (!m->key[f->col][0]) {
            snprintf(why, cap, "no header name for '%s'", f->name);
            return false;
        }
    }
    if (!m->key[C_MMSI][0] || !m->key[C_TIME][0]) {
        snprintf(why, cap, "the column map must name mmsi and time");
        return false;
    }
    if (!m->key[C_LAT][0] != !m->key[C_LON][0]) {
        snprintf(why, cap, "the column map names %s without %s", m->key[C_LAT][0] ? "lat" : "lon",
                 m->key[C_LAT][0] ? "lon" : "lat");
        return false;
    }
    return true;
}

size_t csv_colmap_canonical(const csv_colmap *m, char *buf, size_t cap) {
    size_t n = 0;
    if (!cap)
        return 0;
    buf[0] = 0;
    for (size_t i = 0; i < NFIELDS && n + 1 < cap; i++) {
        int c = fields[i].col;
        if (!m->key[c][0])
            continue;
        int k = m->div[c] != 1 ? snprintf(buf + n, cap - n, "%s%s=%s/%u", n ? "," : "", fields[i].name, m->key[c],
                                          (unsigned)m->div[c])
                               : snprintf(buf + n, cap - n, "%s%s=%s", n ? "," : "", fields[i].name, m->key[c]);
        if (k < 0)
            break;
        n += (size_t)k;
        if (n >= cap)
            n = cap - 1;
    }
    return n;
}
