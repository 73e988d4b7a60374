/*
 * export.c -- a vessel's stored positions as GeoJSON, CSV or KML, so that an
 * analyst can open them in QGIS (GeoJSON, CSV) or Google Earth (KML).
 *
 * What is written:
 *   GeoJSON (RFC 7946)  one FeatureCollection, one Feature per line.  Per
 *       vessel one Feature per segment id, holding every position with that
 *       id in time order (parallel segments interleave in time, so positions
 *       are grouped by id, not by run).  Geometry: a LineString, a Point when
 *       only one position can be drawn, a MultiLineString when the track
 *       crosses the antimeridian (cut at +-180 as RFC 7946 3.1.9 asks, the
 *       latitude interpolated linearly), or null when nothing can be drawn.
 *       The positions without a segment (-1) form one more Feature with
 *       "segment":null and geometry null, so every position of a vessel is
 *       counted in exactly one Feature ("points" drawn + "skipped").
 *       Properties: mmsi, name, segment, start, end (ISO-8601 UTC, null when
 *       no time), points, skipped, flags (the names of the PEL_POS_ flags seen,
 *       joined by '|': "suspect_speed|isolated"), flagged (positions with any
 *       flag).
 *   CSV  header mmsi,name,time,lat,lon,speed,course,heading,status,type,
 *       segment,flags,input,source,line; one row per position, every
 *       position (flagged ones too), in the order given; empty fields for
 *       absent values; flags as in GeoJSON; LF line ends.
 *   KML 2.2  a Document, per vessel a Folder named "NAME (MMSI)" (or "MMSI"),
 *       per group as in GeoJSON a Placemark with a TimeSpan, a plain-text
 *       description, ExtendedData and a LineString (tessellated), a Point, or
 *       no geometry.  KML tracks are not cut at the antimeridian: Google
 *       Earth draws them the short way.
 *
 * A position is drawn when it has a segment (>= 0), is not flagged
 * PEL_POS_BAD_COORD, and both coordinates lie in [-90,90] / [-180,180];
 * nothing outside those ranges is ever written.  In CSV each coordinate is
 * written when it is itself in range; speed (0..102.2), course (0..359.9),
 * heading (0..359), status (0..14), type (1..) and times (years 0000..9999)
 * outside their ranges are written as absent.
 *
 * The vessel name is attacker-controlled text, escaped once per vessel by
 * the policy of util/escape.h: invalid UTF-8 bytes become U+FFFD; hidden
 * characters -- controls (C0, DEL, C1), bidirectional formatting characters
 * (which could make "NAME (MMSI)" display a different MMSI), invisible and
 * zero-width characters, noncharacters -- are kept exactly in GeoJSON as
 * \uXXXX escapes and shown as visible marks "⟨U+202E⟩" in CSV and KML; then
 * each format's syntax is escaped (JSON string escapes; RFC 4180 quoting,
 * only where a field needs it; XML entities for & < > " ').  In CSV a name
 * starting with = + - @ gets a leading ' and quotes, so that a spreadsheet
 * does not run it as a formula (OWASP "CSV injection").  In KML the name appears only in the Folder's <name>, never
 * in descriptions or ExtendedData, which Google Earth renders as HTML.
 *
 * Numbers are formatted with integer arithmetic (no locale, no floating
 * point): degrees with 6 decimals rounded half away from zero (raw/600000
 * never lies on a tie), speed and course with 1 decimal.  The same input
 * always gives the same bytes.
 *
 * Memory: a fixed 64 KiB output buffer, plus 8 bytes per position during a
 * GeoJSON or KML vessel call (the grouping index).  Output goes to the
 * caller's FILE only; write errors are remembered and reported.
 *
 * Limits: at most 2^32 - 1 positions per vessel call; a vessel call with no
 * positions writes nothing; KML is not checked against the OGC schema here
 * (tests check well-formedness and structure).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pelorus.h"
#include "util/escape.h"
#include "util/fail.h"
#include "util/xsort.h"

#define BUF_CAP 65536

struct pel_export {
    FILE *out; /* the caller's stream, not closed */
    pel_export_format fmt;
    pel_status status; /* first failure (PEL_ERR_IO or PEL_ERR_NOMEM), sticky */
    int err_no;        /* errno at the first write failure */
    uint64_t features; /* GeoJSON features written, for the separators */
    size_t len;        /* bytes in buf */
    char buf[BUF_CAP];
};

/* ---- output buffer -------------------------------------------------------- */

static void fail(pel_export *x, pel_status st, int e) {
    if (x->status == PEL_OK) {
        x->status = st;
        x->err_no = e;
    }
}

/* Hands the buffer to the caller's stream. */
static void flush(pel_export *x) {
    if (x->len && x->status != PEL_ERR_IO) {
        errno = 0;
        if (fwrite(x->buf, 1, x->len, x->out) != x->len)
            fail(x, PEL_ERR_IO, errno ? errno : EIO);
    }
    x->len = 0;
}

static void put(pel_export *x, const char *s, size_t n) {
    while (n) {
        if (x->len == BUF_CAP)
            flush(x);
        size_t k = BUF_CAP - x->len < n ? BUF_CAP - x->len : n;
        memcpy(x->buf + x->len, s, k);
        x->len += k;
        s += k;
        n -= k;
    }
}

static void put_c(pel_export *x, char c) {
    if (x->len == BUF_CAP)
        flush(x);
    x->buf[x->len++] = c;
}

#define PUT(x, lit) put(x, lit, sizeof(lit) - 1)

static void put_s(pel_export *x, const char *s) {
    put(x, s, strlen(s));
}

static void put_u64(pel_export *x, uint64_t v) {
    char tmp[24];
    int i = 24;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(x, tmp + i, (size_t)(24 - i));
}

static void put_i64(pel_export *x, int64_t v) {
    if (v < 0) {
        put_c(x, '-');
        put_u64(x, (uint64_t)0 - (uint64_t)v);
    } else
        put_u64(x, (uint64_t)v);
}

/* ---- values --------------------------------------------------------------- */

#define LAT_MAX (90 * PEL_DEG)
#define LON_MAX (180 * PEL_DEG)
#define MS_MIN (-62167219200000LL) /* 0000-01-01T00:00:00Z */
#define MS_MAX (253402300799999LL) /* 9999-12-31T23:59:59.999Z */

static bool lat_ok(int32_t lat) {
    return lat >= -LAT_MAX && lat <= LAT_MAX;
}
static bool lon_ok(int32_t lon) {
    return lon >= -LON_MAX && lon <= LON_MAX;
}
static bool time_ok(int64_t ms) {
    return ms >= MS_MIN && ms <= MS_MAX;
}

static bool drawable(const pel_position *p) {
    return p->segment >= 0 && !(p->flags & PEL_POS_BAD_COORD) && lat_ok(p->lat) && lon_ok(p->lon);
}

/* Degrees with 6 decimals from 1/600000 degree: round(raw * 10 / 6).  10*raw
 * is even, so the remainder is never 3: no ties. */
static void put_deg(pel_export *x, int32_t raw) {
    uint64_t a = raw < 0 ? (uint64_t)0 - (uint64_t)(int64_t)raw : (uint64_t)raw;
    uint64_t q = a * 10 / 6, r = a * 10 % 6;
    if (2 * r > 6)
        q++;
    if (raw < 0 && q)
        put_c(x, '-');
    put_u64(x, q / 1000000);
    char frac[7] = {'.'};
    uint64_t f = q % 1000000;
    for (int i = 6; i >= 1; i--, f /= 10)
        frac[i] = (char)('0' + f % 10);
    put(x, frac, 7);
}

/* v/10 with one decimal (v >= 0). */
static void put_tenths(pel_export *x, unsigned v) {
    put_u64(x, v / 10);
    put_c(x, '.');
    put_c(x, (char)('0' + v % 10));
}

static void put_time(pel_export *x, int64_t ms) {
    char buf[40];
    put(x, buf, pel_format_time(ms, buf));
}

/* The flag names joined by '|'; nothing for 0. */
static void put_flags(pel_export *x, unsigned flags) {
    static const char *const names[8] = {"suspect_speed", "isolated", "bad_coord", "bad_time",
                                         "bit4",          "bit5",     "bit6",      "bit7"};
    bool first = true;
    for (int b = 0; b < 8; b++)
        if (flags & (1u << b)) {
            if (!first)
                put_c(x, '|');
            put_s(x, names[b]);
            first = false;
        }
}

/* ---- names ---------------------------------------------------------------- */

static bool has_name(const char *name) {
    return name && name[0];
}

/* The vessel name escaped for the format, once per vessel (see the file
 * header; util/escape.h): a JSON string with its quotes, a CSV field quoted
 * when it needs it, XML character data.  NULL for no name; *nomem set when
 * it could not be made. */
static char *shown_name(pel_export_format fmt, const char *name, bool *nomem) {
    if (!has_name(name))
        return NULL;
    char *s = fmt == PEL_EXPORT_GEOJSON ? esc_dup(esc_json_string, name, 0)
              : fmt == PEL_EXPORT_CSV   ? esc_dup(esc_csv, name, ESC_MINIMAL)
                                        : esc_dup(esc_xml, name, 0);
    *nomem = s == NULL;
    return s;
}

/* ---- grouping by segment -------------------------------------------------- */

/* Sort keys: segment id in the high 32 bits (no segment last), the index
 * in the low 32 bits, so a group keeps the given (time) order. */
static uint64_t group_key(const pel_position *p, size_t i) {
    uint32_t seg = p->segment >= 0 ? (uint32_t)p->segment : UINT32_MAX;
    return (uint64_t)seg << 32 | (uint64_t)i;
}

static int cmp_key(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* One segment of one vessel (or its positions without a segment). */
typedef struct group {
    const pel_position *pos; /* the vessel's positions */
    const uint64_t *key;     /* the group's keys */
    size_t n;                /* positions in the group */
    int32_t segment;         /* -1 for none */
    size_t drawn, skipped, flagged;
    unsigned flags; /* union of the positions' flags */
    bool has_time;
    int64_t t0, t1;
    size_t cuts; /* antimeridian crossings between drawn positions */
} group;

#define AT(g, i) (&(g)->pos[(g)->key[i] & 0xFFFFFFFFu])

/* Rounded num/den, half away from zero; den > 0. */
static int64_t div_round(int64_t num, int64_t den) {
    return num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den);
}

/* True when the step from a to b is shorter across the antimeridian than
 * along the parallel; then *lat is where it crosses and *east tells whether
 * it leaves at +180 (and comes back at -180). */
static bool crosses(const pel_position *a, const pel_position *b, int32_t *lat, bool *east) {
    const int64_t half = LON_MAX;
    int64_t d = (int64_t)b->lon - a->lon, num, den;
    if (d < -half) {
        *east = true;
        num = half - a->lon;
        den = d + 2 * half;
    } else if (d > half) {
        *east = false;
        num = a->lon + half;
        den = 2 * half - d;
    } else
        return false;
    *lat = den ? (int32_t)(a->lat + div_round(((int64_t)b->lat - a->lat) * num, den)) : a->lat;
    return true;
}

static void summarise(group *g) {
    const pel_position *prev = NULL;
    g->segment = AT(g, 0)->segment >= 0 ? AT(g, 0)->segment : -1;
    g->drawn = g->skipped = g->flagged = g->cuts = 0;
    g->flags = 0;
    g->has_time = false;
    for (size_t i = 0; i < g->n; i++) {
        const pel_position *p = AT(g, i);
        if (drawable(p)) {
            int32_t lat;
            bool east;
            if (prev && crosses(prev, p, &lat, &east))
                g->cuts++;
            prev = p;
            g->drawn++;
        } else
            g->skipped++;
        g->flags |= p->flags;
        g->flagged += p->flags != 0;
        if (time_ok(p->t_ms)) {
            if (!g->has_time || p->t_ms < g->t0)
                g->t0 = p->t_ms;
            if (!g->has_time || p->t_ms > g->t1)
                g->t1 = p->t_ms;
            g->has_time = true;
        }
    }
}

/* ---- GeoJSON -------------------------------------------------------------- */

static void json_pair(pel_export *x, int32_t lat, int32_t lon) {
    put_c(x, '[');
    put_deg(x, lon);
    put_c(x, ',');
    put_deg(x, lat);
    put_c(x, ']');
}

static void json_time(pel_export *x, bool ok, int64_t ms) {
    if (!ok) {
        PUT(x, "null");
        return;
    }
    put_c(x, '"');
    put_time(x, ms);
    put_c(x, '"');
}

static void json_geometry(pel_export *x, const group *g) {
    if (g->drawn == 0) {
        PUT(x, "null");
        return;
    }
    const pel_position *prev = NULL;
    if (g->drawn == 1)
        PUT(x, "{\"type\":\"Point\",\"coordinates\":");
    else if (g->cuts == 0)
        PUT(x, "{\"type\":\"LineString\",\"coordinates\":[");
    else
        PUT(x, "{\"type\":\"MultiLineString\",\"coordinates\":[[");
    for (size_t i = 0; i < g->n; i++) {
        const pel_position *p = AT(g, i);
        if (!drawable(p))
            continue;
        int32_t lat;
        bool east;
        if (prev && g->drawn > 1 && crosses(prev, p, &lat, &east)) {
            put_c(x, ',');
            json_pair(x, lat, east ? LON_MAX : -LON_MAX);
            PUT(x, "],[");
            json_pair(x, lat, east ? -LON_MAX : LON_MAX);
        }
        if (prev)
            put_c(x, ',');
        json_pair(x, p->lat, p->lon);
        prev = p;
    }
    if (g->drawn == 1)
        PUT(x, "}");
    else if (g->cuts == 0)
        PUT(x, "]}");
    else
        PUT(x, "]]}");
}

static void json_feature(pel_export *x, uint32_t mmsi, const char *name, const group *g) {
    if (x->features++)
        put_c(x, ',');
    put_c(x, '\n');
    PUT(x, "{\"type\":\"Feature\",\"properties\":{\"mmsi\":");
    put_u64(x, mmsi);
    PUT(x, ",\"name\":");
    if (name)
        put_s(x, name);
    else
        PUT(x, "null");
    PUT(x, ",\"segment\":");
    if (g->segment >= 0)
        put_i64(x, g->segment);
    else
        PUT(x, "null");
    PUT(x, ",\"start\":");
    json_time(x, g->has_time, g->t0);
    PUT(x, ",\"end\":");
    json_time(x, g->has_time, g->t1);
    PUT(x, ",\"points\":");
    put_u64(x, g->drawn);
    PUT(x, ",\"skipped\":");
    put_u64(x, g->skipped);
    PUT(x, ",\"flags\":\"");
    put_flags(x, g->flags);
    PUT(x, "\",\"flagged\":");
    put_u64(x, g->flagged);
    PUT(x, "},\"geometry\":");
    json_geometry(x, g);
    PUT(x, "}");
}

/* ---- KML ------------------------------------------------------------------ */

static void kml_data(pel_export *x, const char *key) {
    PUT(x, "<Data name=\"");
    put_s(x, key);
    PUT(x, "\"><value>");
}

static void kml_placemark(pel_export *x, uint32_t mmsi, const group *g) {
    PUT(x, "<Placemark>\n<name>");
    put_u64(x, mmsi);
    if (g->segment >= 0) {
        PUT(x, " segment ");
        put_i64(x, g->segment);
    } else
        PUT(x, " no segment");
    PUT(x, "</name>\n<description>positions: ");
    put_u64(x, g->drawn);
    PUT(x, " drawn, ");
    put_u64(x, g->skipped);
    PUT(x, " not drawn");
    if (g->has_time) {
        PUT(x, "; from ");
        put_time(x, g->t0);
        PUT(x, " to ");
        put_time(x, g->t1);
    }
    PUT(x, "; flagged: ");
    put_u64(x, g->flagged);
    if (g->flags) {
        PUT(x, " (");
        put_flags(x, g->flags);
        PUT(x, ")");
    }
    PUT(x, "</description>\n");
    if (g->has_time) {
        PUT(x, "<TimeSpan><begin>");
        put_time(x, g->t0);
        PUT(x, "</begin><end>");
        put_time(x, g->t1);
        PUT(x, "</end></TimeSpan>\n");
    }
    PUT(x, "<styleUrl>#track</styleUrl>\n<ExtendedData>\n");
    kml_data(x, "mmsi");
    put_u64(x, mmsi);
    PUT(x, "</value></Data>\n");
    kml_data(x, "segment");
    if (g->segment >= 0)
        put_i64(x, g->segment);
    PUT(x, "</value></Data>\n");
    kml_data(x, "start");
    if (g->has_time)
        put_time(x, g->t0);
    PUT(x, "</value></Data>\n");
    kml_data(x, "end");
    if (g->has_time)
        put_time(x, g->t1);
    PUT(x, "</value></Data>\n");
    kml_data(x, "points");
    put_u64(x, g->drawn);
    PUT(x, "</value></Data>\n");
    kml_data(x, "skipped");
    put_u64(x, g->skipped);
    PUT(x, "</value></Data>\n");
    kml_data(x, "flags");
    put_flags(x, g->flags);
    PUT(x, "</value></Data>\n");
    kml_data(x, "flagged");
    put_u64(x, g->flagged);
    PUT(x, "</value></Data>\n</ExtendedData>\n");
    if (g->drawn == 1)
        PUT(x, "<Point><coordinates>");
    else if (g->drawn > 1)
        PUT(x, "<LineString><tessellate>1</tessellate><coordinates>");
    bool first = true;
    for (size_t i = 0; i < g->n && g->drawn; i++) {
        const pel_position *p = AT(g, i);
        if (!drawable(p))
            continue;
        if (!first)
            put_c(x, ' ');
        put_deg(x, p->lon);
        put_c(x, ',');
        put_deg(x, p->lat);
        PUT(x, ",0");
        first = false;
    }
    if (g->drawn == 1)
        PUT(x, "</coordinates></Point>\n");
    else if (g->drawn > 1)
        PUT(x, "</coordinates></LineString>\n");
    PUT(x, "</Placemark>\n");
}

/* ---- CSV ------------------------------------------------------------------ */

static void csv_row(pel_export *x, uint32_t mmsi, const char *name, const pel_position *p) {
    put_u64(x, mmsi);
    put_c(x, ',');
    if (name)
        put_s(x, name);
    put_c(x, ',');
    if (time_ok(p->t_ms))
        put_time(x, p->t_ms);
    put_c(x, ',');
    if (lat_ok(p->lat))
        put_deg(x, p->lat);
    put_c(x, ',');
    if (lon_ok(p->lon))
        put_deg(x, p->lon);
    put_c(x, ',');
    if (p->speed < PEL_NA_SPEED)
        put_tenths(x, p->speed);
    put_c(x, ',');
    if (p->course < PEL_NA_COURSE)
        put_tenths(x, p->course);
    put_c(x, ',');
    if (p->heading < 360)
        put_u64(x, p->heading);
    put_c(x, ',');
    if (p->status < PEL_NA_STATUS)
        put_u64(x, p->status);
    put_c(x, ',');
    if (p->type > 0)
        put_u64(x, p->type);
    put_c(x, ',');
    if (p->segment >= 0)
        put_i64(x, p->segment);
    put_c(x, ',');
    put_flags(x, p->flags);
    put_c(x, ',');
    put_u64(x, p->input);
    put_c(x, ',');
    if (p->source)
        put_u64(x, p->source);
    put_c(x, ',');
    put_u64(x, p->line);
    put_c(x, '\n');
}

/* ---- the API -------------------------------------------------------------- */

/* "export: MSG", and ": the system's reason" when e is an errno. */
static void set_err(pel_error *err, pel_status code, const char *msg, int e) {
    if (e)
        pel_fail(err, code, "export: %s: %s", msg, strerror(e));
    else
        pel_fail(err, code, "export: %s", msg);
}

/* Starts an export: allocates the exporter and writes the document's
 * opening into its buffer (nothing reaches out before the first vessel or
 * pel_export_finish).  out stays the caller's: it must stay open until
 * pel_export_finish, which flushes but does not close it.  Returns NULL
 * with err filled (PEL_ERR_ARG, PEL_ERR_NOMEM) on failure. */
pel_export *pel_export_new(FILE *out, pel_export_format fmt, pel_error *err) {
    if (!out) {
        set_err(err, PEL_ERR_ARG, "no output stream", 0);
        return NULL;
    }
    if (fmt != PEL_EXPORT_GEOJSON && fmt != PEL_EXPORT_CSV && fmt != PEL_EXPORT_KML) {
        set_err(err, PEL_ERR_ARG, "unknown format", 0);
        return NULL;
    }
    pel_export *x = malloc(sizeof *x);
    if (!x) {
        set_err(err, PEL_ERR_NOMEM, "out of memory", 0);
        return NULL;
    }
    x->out = out;
    x->fmt = fmt;
    x->status = PEL_OK;
    x->err_no = 0;
    x->features = 0;
    x->len = 0;
    switch (fmt) {
    case PEL_EXPORT_GEOJSON:
        PUT(x, "{\"type\":\"FeatureCollection\",\"features\":[");
        break;
    case PEL_EXPORT_CSV:
        PUT(x, "mmsi,name,time,lat,lon,speed,course,heading,status,type,segment,flags,input,source,line\n");
        break;
    case PEL_EXPORT_KML:
        PUT(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n"
               "<Document>\n"
               "<name>Pelorus tracks</name>\n"
               "<Style id=\"track\"><LineStyle><color>ff00ffff</color><width>2</width></LineStyle></Style>\n");
        break;
    }
    return x;
}

/* Writes one vessel: pos[0..n) are borrowed for the call only and not
 * changed; name (NULL or "" for none) is borrowed for the call.  The output
 * is handed to the stream before returning.  Returns PEL_OK; PEL_ERR_ARG
 * for x NULL, pos NULL with n > 0, or n >= 2^32; PEL_ERR_NOMEM when the
 * grouping index cannot be allocated (nothing is written for the vessel;
 * the document stays valid and pel_export_finish reports the loss);
 * PEL_ERR_IO once a write has failed (then nothing more is written). */
pel_status pel_export_vessel(pel_export *x, uint32_t mmsi, const char *name_in, const pel_position *pos, size_t n) {
    if (!x || (!pos && n))
        return PEL_ERR_ARG;
    if ((uint64_t)n > UINT32_MAX)
        return PEL_ERR_ARG;
    if (x->status == PEL_ERR_IO)
        return PEL_ERR_IO;
    if (n == 0)
        return PEL_OK;
    bool nomem = false;
    char *shown = shown_name(x->fmt, name_in, &nomem);
    if (nomem) {
        fail(x, PEL_ERR_NOMEM, 0);
        return PEL_ERR_NOMEM;
    }
    const char *name = shown;
    if (x->fmt == PEL_EXPORT_CSV) {
        for (size_t i = 0; i < n; i++)
            csv_row(x, mmsi, name, &pos[i]);
    } else {
        uint64_t *key = malloc(n * sizeof *key);
        if (!key) {
            fail(x, PEL_ERR_NOMEM, 0);
            free(shown);
            return PEL_ERR_NOMEM;
        }
        bool sorted = true;
        for (size_t i = 0; i < n; i++) {
            key[i] = group_key(&pos[i], i);
            sorted = sorted && (i == 0 || key[i - 1] < key[i]);
        }
        if (!sorted)
            xqsort(key, n, sizeof *key, cmp_key);
        if (x->fmt == PEL_EXPORT_KML) {
            PUT(x, "<Folder>\n<name>");
            if (name) {
                put_s(x, name);
                PUT(x, " (");
                put_u64(x, mmsi);
                PUT(x, ")");
            } else
                put_u64(x, mmsi);
            PUT(x, "</name>\n");
        }
        for (size_t a = 0, b; a < n; a = b) {
            for (b = a + 1; b < n && key[b] >> 32 == key[a] >> 32; b++)
                ;
            group g = {.pos = pos, .key = key + a, .n = b - a};
            summarise(&g);
            if (x->fmt == PEL_EXPORT_GEOJSON)
                json_feature(x, mmsi, name, &g);
            else
                kml_placemark(x, mmsi, &g);
        }
        if (x->fmt == PEL_EXPORT_KML)
            PUT(x, "</Folder>\n");
        free(key);
    }
    free(shown);
    flush(x);
    if (ferror(x->out))
        fail(x, PEL_ERR_IO, x->err_no ? x->err_no : EIO);
    return x->status == PEL_ERR_IO ? PEL_ERR_IO : PEL_OK;
}

/* Ends the document, flushes it and the stream (out is not closed) and
 * frees x.  Returns PEL_OK; PEL_ERR_IO when any write failed (the stream's
 * error indicator counts too); PEL_ERR_NOMEM when a vessel was left out for
 * want of memory.  err (may be NULL) is filled on failure.  x NULL: PEL_OK. */
pel_status pel_export_finish(pel_export *x, pel_error *err) {
    if (!x)
        return PEL_OK;
    switch (x->fmt) {
    case PEL_EXPORT_GEOJSON:
        PUT(x, "\n]}\n");
        break;
    case PEL_EXPORT_CSV:
        break;
    case PEL_EXPORT_KML:
        PUT(x, "</Document>\n</kml>\n");
        break;
    }
    flush(x);
    errno = 0;
    if (fflush(x->out) != 0 || ferror(x->out))
        fail(x, PEL_ERR_IO, errno ? errno : EIO);
    pel_status st = x->status;
    if (st == PEL_ERR_IO)
        set_err(err, st, "write failed", x->err_no);
    else if (st == PEL_ERR_NOMEM)
        set_err(err, st, "out of memory: a vessel was left out", 0);
    free(x);
    return st;
}
