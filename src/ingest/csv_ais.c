/*
 * csv_ais.c -- CSV exports of decoded AIS to pel_record: NOAA MarineCadastre
 * (MMSI,BaseDateTime,LAT,LON,...), the Danish Maritime Authority's aisdk
 * files (# Timestamp,Type of mobile,MMSI,Latitude,...), the Norwegian
 * Coastal Administration's (Kystverket) ';'-separated files
 * (mmsi;imo_nr;length;date_time_utc;lon;lat;...), BarentsWatch's AIS API as
 * CSV (courseOverGround,latitude,longitude,...,mmsi,msgtime,stream), and any
 * other CSV with a header through a column map (csv_columns.c) -- AISHub,
 * MarineTraffic and provider exports.
 *
 * How a file is read.  The input (plain or gzip, detected by zlib from the
 * content; "-" is standard input) is read into one fixed buffer.  A small
 * scanner finds where each row ends -- at a newline outside a quoted field,
 * RFC 4180 style -- so that the row's first and last physical line are known
 * and its raw bytes can be handed to on_reject.  A row with a quote (or a
 * CR) in it is split into fields by libcsv in strict mode (a quote inside an
 * unquoted field, or text after a closing quote, is an error); a row without
 * any, which is nearly every row of the exports, is split at its delimiters
 * here with the same result (blanks around fields trimmed, as libcsv does),
 * because libcsv's byte-by-byte copying halved the reader's speed.  The
 * fields are looked up by header name and converted by hand to AIS units
 * with exact integer rounding: no strtod, no sscanf, no allocation per row.
 * Memory is the buffer (PEL_MAX_LINE plus one 1 MiB read chunk), one row's
 * fields and libcsv's field buffer: it does not grow with the input.
 *
 * The delimiter is the header line's most frequent of ',', ';', tab and '|'
 * (pel_csv_delimiter), or the caller's.  Columns are matched by header name,
 * ignoring case, spaces, underscores and a leading '#', so reordered and
 * extra columns are fine; a column that is missing just gives absent values
 * (MMSI, time, and both coordinates must be there for a named format's
 * header to be recognised).  The generic reader takes its columns from a
 * column map, or without one from their usual names (MMSI, TIME, LATITUDE,
 * SOG, ...: csv_generic_column).
 *
 * Units and "not available":
 *   - lat/lon degrees -> 1/600000 degree, rounded half away from zero; kept
 *     as given when out of range (the store flags them), except values that
 *     round to exactly 91 / 181 degrees, which mean "not available".  A row
 *     is a POSITION only when both coordinates are available.
 *   - speed knots -> 1/10 knot (102.3 is n/a), course degrees -> 1/10
 *     degree (360 is n/a; a course under 360 that rounds up to 360.0 is 0),
 *     heading degrees (511 is n/a), draught metres -> decimetres, all
 *     rounded half away from zero.  Values out of their AIS range are kept.
 *     A column map's "/N" divides a value first, exactly (MarineTraffic's
 *     SPEED/10, AISHub's AIS-encoded LATITUDE/600000).
 *   - Times are UTC unless they carry an offset: NOAA and Kystverket
 *     "2022-01-03T00:00:00" (or a space for the T), BarentsWatch
 *     "2026-06-30T05:49:19+00:00" (pel_parse_time), DMA "31/12/2015
 *     23:59:59" (day first), the generic reader ISO-8601 or Unix time; a
 *     time format (pel_parse_time_fmt) replaces any of them.  Impossible
 *     dates (2022-02-29) are rejected.  ETAs are passed on as written.
 *     Every record's clock is PEL_CLOCK_REPORT: an export's time column is
 *     the provider's receive time.
 *   - IMO "IMO9703411" or "9703411"; 0 (IMO0000000) is no IMO, and so is -1
 *     in the formats other than NOAA and DMA.
 *   - Empty fields, NA, N/A and NaN are absent in every format; DMA's
 *     "Unknown", "Undefined" and "Unknown value" are absent too, and so are
 *     None, null and NULL (exactly so written: a call sign "NONE" is kept)
 *     in Kystverket, BarentsWatch and generic files.
 *   - Dimensions.  AIS carries to_bow/to_stern/to_port/to_starboard; NOAA,
 *     DMA, Kystverket and most exports give only the length and width.  We
 *     put the length into to_bow with to_stern 0, and the width into to_port
 *     with to_starboard 0 (each pair -1 when absent), so that bow+stern and
 *     port+starboard are still the length and width.  A,B,C,D columns (DMA,
 *     AISHub, BarentsWatch's dimensionA..D) are the real distances and are
 *     preferred when any of them is given.
 *   - Message type.  Kystverket's message_nr (a generic file's msgtype) is
 *     the AIS message type (1-27; 18 and 19 are class B; anything else is
 *     rejected).  Otherwise: NOAA TransceiverClass A/B -> 1/18 (1 when
 *     empty); DMA's Type of mobile: Class A 1, Class B 18, Base Station 4,
 *     AtoN 21, SAR Airborne 9, anything else 1; a generic class column A, B,
 *     "Class A", "Class B" or DMA's texts; BarentsWatch 1.
 *   - Navigational status and ship type are texts in DMA files and are
 *     mapped back to the ITU codes (tables below); a generic file may give
 *     codes or those texts (an unknown status text is n/a).
 *   - BarentsWatch's stream ("terra", "sat") and a generic source column
 *     become the record's source: the network or station that heard it.
 *   - A row becomes STATIC as well when it has a name, IMO, call sign, ship
 *     type, a dimension, draught, destination or ETA.  A row with neither
 *     position nor static data is still delivered (kind 0), so that every
 *     data row is either a record or a reject.
 *
 * Rejected rows: wrong field count or broken quoting (syntax), MMSI missing,
 * not digits or above 999999999 (a numeric MMSI of another length is the
 * store's to flag), time missing or unparseable, a numeric field that is not
 * a number or does not fit the record, a message number outside 1-27
 * (number), and rows over PEL_MAX_LINE.
 *
 * Known limits:
 *   - A row spanning several lines (a quoted field with a newline) that does
 *     not parse is taken to be an unclosed quote: only its first line is
 *     rejected and reading resumes on the next line.  A genuine multi-line
 *     row longer than PEL_MAX_LINE is therefore not recovered whole.
 *   - Blank lines are skipped and not counted as rows.
 *   - A lone CR inside an unquoted field ends a row for libcsv: such a row is
 *     rejected as a syntax error.  Old Mac (CR-only) files are not read.
 *     A newline inside a quoted field is kept as written (CRLF in a CRLF
 *     file).
 *   - Decimal numbers keep 18 significant digits; digits beyond are dropped
 *     (not rounded).  Exponents ("1e-05") are accepted; decimal commas
 *     ("54,3") are not numbers.
 *   - NOAA's Cargo column, DMA's ROT, Cargo type, position fixing device and
 *     data source columns and BarentsWatch's rateOfTurn have no place in
 *     pel_record and are not read.
 *   - "NA" as a vessel name is read as absent (R writes missing strings so),
 *     and so is "None" outside NOAA and DMA files.
 *   - A file without a header line cannot be read: columns are found by
 *     their names.
 */
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "decode/ais_internal.h"
#include "ingest/csv_internal.h"
#include "pelorus.h"
#include "util/fail.h"

#define CSV_CHUNK (1u << 20)                 /* bytes asked of zlib per read */
#define CSV_BUFSZ (PEL_MAX_LINE + CSV_CHUNK) /* one row at most plus one chunk */
#define CSV_MAX_COLS 256                     /* columns kept per row */
#define CSV_REJECT_HEAD 256                  /* bytes of a too-long row reported */

typedef struct csv_colname {
    const char *key; /* normalised header name: lower case, no spaces, '_' or leading '#' */
    int col;
} csv_colname;

// clang-format off
static const csv_colname noaa_cols[] = {
    {"mmsi", C_MMSI}, {"basedatetime", C_TIME}, {"lat", C_LAT}, {"lon", C_LON},
    {"sog", C_SOG}, {"cog", C_COG}, {"heading", C_HEADING}, {"vesselname", C_NAME},
    {"imo", C_IMO}, {"callsign", C_CALLSIGN}, {"vesseltype", C_SHIPTYPE}, {"status", C_STATUS},
    {"length", C_LENGTH}, {"width", C_WIDTH}, {"draft", C_DRAUGHT}, {"transceiverclass", C_MOBILE},
    {NULL, 0},
};

static const csv_colname dma_cols[] = {
    {"timestamp", C_TIME}, {"typeofmobile", C_MOBILE}, {"mmsi", C_MMSI}, {"latitude", C_LAT},
    {"longitude", C_LON}, {"navigationalstatus", C_STATUS}, {"sog", C_SOG}, {"cog", C_COG},
    {"heading", C_HEADING}, {"imo", C_IMO}, {"callsign", C_CALLSIGN}, {"name", C_NAME},
    {"shiptype", C_SHIPTYPE}, {"width", C_WIDTH}, {"length", C_LENGTH}, {"draught", C_DRAUGHT},
    {"destination", C_DEST}, {"eta", C_ETA}, {"a", C_A}, {"b", C_B}, {"c", C_C}, {"d", C_D},
    {NULL, 0},
};

/* Kystverket (Norwegian Coastal Administration), ';'-separated. */
static const csv_colname kystverket_cols[] = {
    {"mmsi", C_MMSI}, {"imonr", C_IMO}, {"length", C_LENGTH}, {"datetimeutc", C_TIME}, {"lon", C_LON},
    {"lat", C_LAT}, {"sog", C_SOG}, {"cog", C_COG}, {"trueheading", C_HEADING}, {"navstatus", C_STATUS},
    {"messagenr", C_MSGTYPE},
    {NULL, 0},
};

/* BarentsWatch's AIS API as CSV; the last eight are the static fields of
 * its "combined" records, read when a file has them. */
static const csv_colname barentswatch_cols[] = {
    {"courseoverground", C_COG}, {"latitude", C_LAT}, {"longitude", C_LON}, {"name", C_NAME},
    {"shiptype", C_SHIPTYPE}, {"speedoverground", C_SOG}, {"trueheading", C_HEADING},
    {"navigationalstatus", C_STATUS}, {"mmsi", C_MMSI}, {"msgtime", C_TIME}, {"stream", C_SOURCE},
    {"imonumber", C_IMO}, {"callsign", C_CALLSIGN}, {"destination", C_DEST}, {"eta", C_ETA},
    {"draught", C_DRAUGHT}, {"shiplength", C_LENGTH}, {"shipwidth", C_WIDTH},
    {"dimensiona", C_A}, {"dimensionb", C_B}, {"dimensionc", C_C}, {"dimensiond", C_D},
    {NULL, 0},
};

typedef struct csv_code {
    const char *text;
    int code;
} csv_code;

/* DMA's navigational status texts (gpsd's, in src/decode/ais_text.c, are
 * tried as well).  "Unknown value" is absent: not listed. */
static const csv_code dma_status[] = {
    {"Under way using engine", 0}, {"At anchor", 1}, {"Not under command", 2},
    {"Restricted maneuverability", 3}, {"Restricted manoeuverability", 3}, {"Restricted manoeuvrability", 3},
    {"Constrained by her draught", 4}, {"Moored", 5}, {"Aground", 6}, {"Engaged in fishing", 7},
    {"Under way sailing", 8},
    {"Reserved for future amendment [HSC]", 9}, {"Reserved for future amendment [WIG]", 10},
    {"Power-driven vessel towing astern", 11}, {"Reserved for future use [11]", 11},
    {"Power-driven vessel pushing ahead or towing alongside", 12}, {"Reserved for future use [12]", 12},
    {"Reserved for future use", 13}, {"Reserved for future use [13]", 13},
    {"AIS-SART", 14}, {"AIS-SART (active)", 14},
    {NULL, 0},
};

/* DMA's ship type groups, as the AIS code of the group.  "Reserved" covers
 * several unrelated codes and "Undefined" none: both are absent (-1). */
static const csv_code dma_shiptype[] = {
    {"WIG", 20}, {"Fishing", 30}, {"Towing", 31}, {"Towing long/wide", 32}, {"Dredging", 33},
    {"Diving", 34}, {"Military", 35}, {"Sailing", 36}, {"Pleasure", 37}, {"HSC", 40},
    {"Pilot", 50}, {"SAR", 51}, {"Tug", 52}, {"Port tender", 53}, {"Anti-pollution", 54},
    {"Law enforcement", 55}, {"Spare 1", 56}, {"Spare 2", 57}, {"Medical", 58},
    {"Not party to conflict", 59}, {"Passenger", 60}, {"Cargo", 70}, {"Tanker", 80}, {"Other", 90},
    {NULL, 0},
};

static const csv_code dma_mobile[] = {
    {"Class A", 1}, {"Class B", 18}, {"Base Station", 4}, {"AtoN", 21}, {"SAR Airborne", 9},
    {NULL, 0},
};

static const uint64_t pow10u[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
    1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
    1000000000000000000ull, 10000000000000000000ull,
};
// clang-format on

/* Where the row scanner is inside a row. */
enum { Q_FIELD, Q_UNQUOTED, Q_QUOTED, Q_QUOTE_SEEN };

/* What csv_next_row found. */
enum {
    ROW_END,      /* end of input */
    ROW_OK,       /* a complete row */
    ROW_BROKEN,   /* the first line of a row whose quote never closes */
    ROW_TOO_LONG, /* the head of a row over PEL_MAX_LINE, the rest skipped */
    ROW_IO        /* a read error; err is filled */
};

typedef struct csv_row {
    const char *s; /* raw bytes, without the line terminator */
    size_t len;
    size_t start; /* offset of s in the buffer, to re-scan from */
    bool plain;   /* no quote character in it */
    uint64_t line, line_last;
} csv_row;

typedef struct csv_field {
    uint32_t off, len; /* from csv_reader.fbase */
} csv_field;

typedef struct csv_reader {
    const char *path;
    const char *name; /* the input's name in messages */
    pel_error *err;
    gzFile gz;
    char delim;              /* the field delimiter: ',' ';' '\t' or '|' */
    const char *time_format; /* NULL: the format's own time parsing */
    const csv_colmap *cmap;  /* PEL_CSV_GENERIC with a map (&cm), else NULL */
    csv_colmap cm;
    csv_colmap used; /* PEL_CSV_GENERIC: the columns found, as a map */

    /* input buffer: bytes [pos, have) are not yet consumed */
    char *buf;
    size_t pos, have;
    bool eof;
    bool skipping;   /* discarding the rest of a too-long row */
    uint64_t lineno; /* physical lines consumed */
    /* scanner state for the row starting at pos */
    size_t scan; /* bytes of it already scanned */
    int qstate;
    uint64_t nl; /* newlines inside quotes seen so far */
    bool plain;  /* the row found has no quote character at all */

    /* fields of the current row: libcsv's (copied into fbuf) or, for a row
     * without quotes, offsets into the row itself */
    struct csv_parser p;
    bool p_init;
    char *fbuf;
    size_t fcap, fpos;
    csv_field fld[CSV_MAX_COLS]; /* offsets from fbase */
    const char *fbase;           /* fbuf (libcsv's fields, terminated) or the row itself */
    int nf;                      /* fields seen (may exceed CSV_MAX_COLS) */
    int nrows;                   /* rows libcsv ended (1 for a good row) */
    bool full;                   /* fbuf or fld ran out */

    /* the header */
    pel_csv_format fmt;
    int ncols;
    int map[C__COUNT];            /* header position of each column, -1 if none */
    uint32_t div[C__COUNT];       /* what each column's values are divided by */
    char names[CSV_MAX_COLS][24]; /* header names (truncated) for details */

    /* time: the last day seen and its start */
    char day_key[10];
    int64_t day_ms;
    bool day_ok;

    char detail[96];
} csv_reader;

/* Returns the reject reason's stable name; the string is static. */
const char *pel_csv_reject_name(pel_csv_reject why) {
    static const char *const names[PEL_CSV_REJ__COUNT] = {"none", "syntax", "mmsi", "time", "number", "too_long"};
    return (unsigned)why < PEL_CSV_REJ__COUNT ? names[why] : "unknown";
}

/* ------------------------------------------------------------------------ */
/* Small parsers                                                             */
/* ------------------------------------------------------------------------ */

static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool csv_eq_ci(const char *s, size_t n, const char *lit) {
    size_t i = 0;
    for (; i < n && lit[i]; i++)
        if (lower((unsigned char)s[i]) != lower((unsigned char)lit[i]))
            return false;
    return i == n && lit[i] == 0;
}

/* Looks s up in a table (case-insensitive); returns the code or dflt. */
static int csv_lookup(const csv_code *t, const char *s, size_t n, int dflt) {
    for (; t->text; t++)
        if (lower((unsigned char)t->text[0]) == lower((unsigned char)s[0]) && csv_eq_ci(s, n, t->text))
            return t->code;
    return dflt;
}

/* Trims blanks on both sides of s[0..*n). */
static const char *csv_trim(const char *s, size_t *n) {
    size_t a = 0, b = *n;
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    *n = b - a;
    return s + a;
}

/* Parses a decimal number "[+-]digits[.digits][e[+-]digits]" (blanks
 * around allowed) into its sign, up to 18 significant digits m (sig of
 * them counted from the first non-zero one; digits beyond are dropped, not
 * rounded) and a power of ten: the value is m * 10^exp.  False when s is
 * not such a number. */
static bool csv_decimal(const char *s, size_t n, bool *neg, uint64_t *mant, int *nsig, int *pexp) {
    s = csv_trim(s, &n);
    const char *e = s + n;
    *neg = false;
    if (s < e && (*s == '-' || *s == '+'))
        *neg = *s++ == '-';
    uint64_t m = 0;
    int sig = 0, exp = 0;
    bool any = false;
    for (; s < e && (unsigned)(*s - '0') < 10; s++) {
        any = true;
        if (sig < 18) {
            m = m * 10 + (unsigned)(*s - '0');
            sig += m != 0;
        } else
            exp++;
    }
    if (s < e && *s == '.') {
        for (s++; s < e && (unsigned)(*s - '0') < 10; s++) {
            any = true;
            if (sig < 18) {
                m = m * 10 + (unsigned)(*s - '0');
                sig += m != 0;
                exp--;
            }
        }
    }
    if (!any)
        return false;
    if (s < e && (*s == 'e' || *s == 'E')) {
        s++;
        bool eneg = false;
        if (s < e && (*s == '-' || *s == '+'))
            eneg = *s++ == '-';
        int x = 0;
        bool digit = false;
        for (; s < e && (unsigned)(*s - '0') < 10; s++) {
            digit = true;
            if (x < 10000)
                x = x * 10 + (*s - '0');
        }
        if (!digit)
            return false;
        exp += eneg ? -x : x;
    }
    if (s != e)
        return false;
    *mant = m;
    *nsig = sig;
    *pexp = exp;
    return true;
}

/* Parses a decimal number (csv_decimal) and stores its value times mul *
 * 10^p10, rounded half away from zero, in *out.  Integer arithmetic
 * throughout, so "29.9408" with mul 6 and p10 5 gives exactly 17964480.
 * Returns false when s is not a number or the result does not fit an
 * int32_t. */
static bool csv_fixed(const char *s, size_t n, unsigned mul, int p10, int32_t *out) {
    bool neg;
    uint64_t m;
    int sig, exp;
    if (!csv_decimal(s, n, &neg, &m, &sig, &exp))
        return false;
    const uint64_t lim = INT32_MAX;
    uint64_t v;
    int k = exp + p10;
    if (m == 0)
        v = 0;
    else if (k >= 0) {
        /* m < 10^sig: over 11 digits the result cannot fit, under it
         * cannot overflow 64 bits */
        if (sig + k > 11)
            return false;
        v = m * mul * pow10u[k];
        if (v > lim)
            return false;
    } else if (k < -19)
        v = 0;
    else {
        uint64_t x = m * mul, d = pow10u[-k]; /* m < 10^18, so x < 6 * 10^18 */
        uint64_t r = x % d;
        v = x / d + (r >= d - r);
        if (v > lim)
            return false;
    }
    *out = neg ? -(int32_t)v : (int32_t)v;
    return true;
}

__extension__ typedef unsigned __int128 csv_u128;

/* As csv_fixed, the value divided by div first (a column map's "/N"):
 * round(value * mul * 10^p10 / div), exactly, in 128-bit integers. */
static bool csv_fixed_div(const char *s, size_t n, unsigned mul, int p10, uint32_t div, int32_t *out) {
    if (div <= 1)
        return csv_fixed(s, n, mul, p10, out);
    bool neg;
    uint64_t m;
    int sig, exp;
    if (!csv_decimal(s, n, &neg, &m, &sig, &exp))
        return false;
    int k = exp + p10;
    csv_u128 num = (csv_u128)m * mul, den = div;
    if (m == 0 || k < -28) {
        *out = 0;
        return true;
    }
    if (k > 0) {
        if (sig + k > 28) /* far beyond an int32_t */
            return false;
        for (int i = 0; i < k; i++)
            num *= 10;
    }
    for (int i = 0; i < -k; i++)
        den *= 10;
    csv_u128 v = num / den, r = num % den;
    v += r >= den - r;
    if (v > INT32_MAX)
        return false;
    *out = neg ? -(int32_t)v : (int32_t)v;
    return true;
}

/* Parses digits only (blanks around allowed).  Returns 0 and sets *out, 1
 * when s is not a number, 2 when it is above max. */
static int csv_uint(const char *s, size_t n, uint64_t max, uint64_t *out) {
    s = csv_trim(s, &n);
    if (n == 0)
        return 1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return 1;
        if (v > (UINT64_MAX - d) / 10)
            return 2;
        v = v * 10 + d;
    }
    if (v > max)
        return 2;
    *out = v;
    return 0;
}

static bool csv_2dig(const char *s, unsigned *v) {
    unsigned a = (unsigned)(s[0] - '0'), b = (unsigned)(s[1] - '0');
    if (a > 9 || b > 9)
        return false;
    *v = a * 10 + b;
    return true;
}

static unsigned csv_days_in_month(unsigned y, unsigned m) {
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

/* Sets r->day_ms to the start of day y-m-d (validated), keyed by key.  The
 * arithmetic is pel_parse_time's. */
static bool csv_set_day(csv_reader *r, const char *key, unsigned y, unsigned m, unsigned d) {
    if (m < 1 || m > 12 || d < 1 || d > csv_days_in_month(y, m))
        return false;
    char iso[24];
    snprintf(iso, sizeof iso, "%04u-%02u-%02uT00:00:00", y % 10000, m, d);
    if (!pel_parse_time(iso, 19, &r->day_ms))
        return false;
    memcpy(r->day_key, key, 10);
    r->day_ok = true;
    return true;
}

/* Adds "HH:MM:SS" at s to the day's start. */
static bool csv_clock(const csv_reader *r, const char *s, int64_t *ms) {
    unsigned h, mi, se;
    if (s[2] != ':' || s[5] != ':' || !csv_2dig(s, &h) || !csv_2dig(s + 3, &mi) || !csv_2dig(s + 6, &se) || h > 23 ||
        mi > 59 || se > 59)
        return false;
    *ms = r->day_ms + ((int64_t)h * 3600 + mi * 60 + se) * 1000;
    return true;
}

/* NOAA and Kystverket: "2022-01-03T00:00:00" (or a space for the T);
 * other ISO-8601 forms (fraction, Z, offset: BarentsWatch) through
 * pel_parse_time, and Unix times as well when unix_too. */
static bool csv_time_iso(csv_reader *r, const char *s, size_t n, bool unix_too, int64_t *ms) {
    s = csv_trim(s, &n);
    if (n == 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ')) {
        if (!r->day_ok || memcmp(s, r->day_key, 10) != 0) {
            unsigned y1, y2, m, d;
            if (!csv_2dig(s, &y1) || !csv_2dig(s + 2, &y2) || !csv_2dig(s + 5, &m) || !csv_2dig(s + 8, &d) ||
                !csv_set_day(r, s, y1 * 100 + y2, m, d))
                return false;
        }
        return csv_clock(r, s + 11, ms);
    }
    return (unix_too || memchr(s, '-', n)) && pel_parse_time(s, n, ms);
}

/* DMA: "31/12/2015 23:59:59" (day first); ISO-8601 accepted as well. */
static bool csv_time_dma(csv_reader *r, const char *s, size_t n, int64_t *ms) {
    s = csv_trim(s, &n);
    if (n == 19 && s[2] == '/' && s[5] == '/' && s[10] == ' ') {
        if (!r->day_ok || memcmp(s, r->day_key, 10) != 0) {
            unsigned y1, y2, m, d;
            if (!csv_2dig(s, &d) || !csv_2dig(s + 3, &m) || !csv_2dig(s + 6, &y1) || !csv_2dig(s + 8, &y2) ||
                !csv_set_day(r, s, y1 * 100 + y2, m, d))
                return false;
        }
        return csv_clock(r, s + 11, ms);
    }
    return n >= 19 && s[4] == '-' && pel_parse_time(s, n, ms);
}

/* ------------------------------------------------------------------------ */
/* libcsv: one row into fields                                               */
/* ------------------------------------------------------------------------ */

static void csv_on_field(void *s, size_t len, void *ud) {
    csv_reader *r = ud;
    if (r->nf < CSV_MAX_COLS && r->fpos + len + 1 <= r->fcap) {
        if (len)
            memcpy(r->fbuf + r->fpos, s, len);
        r->fbuf[r->fpos + len] = 0;
        r->fld[r->nf].off = (uint32_t)r->fpos;
        r->fld[r->nf].len = (uint32_t)len;
        r->fpos += len + 1;
    } else
        r->full = true;
    r->nf++;
}

static void csv_on_row(int c, void *ud) {
    (void)c;
    ((csv_reader *)ud)->nrows++;
}

/* The offset of the first delimiter d in s[i..n), or n.  Eight bytes at a
 * time on little-endian machines: a byte of x = w ^ dddddddd is zero exactly
 * where w has a d, and ~(((x & 7f..) + 7f..) | x | 7f..) has the top bit of
 * each zero byte of x set (no carries cross bytes). */
static size_t csv_delim_at(const char *s, size_t i, size_t n, char d) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full, ds = 0x0101010101010101ull * (unsigned char)d;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t x = w ^ ds;
        uint64_t z = ~(((x & low7) + low7) | x | low7);
        if (z)
            return i + (size_t)(__builtin_ctzll(z) >> 3);
    }
#endif
    for (; i < n; i++)
        if (s[i] == d)
            return i;
    return n;
}

/* Splits a row without any quote character the way libcsv would (fields
 * between commas, blanks around each trimmed, an all-blank row has no
 * fields), without libcsv's byte-by-byte copying: this is most rows of
 * every export.  Returns false when the row has a CR (libcsv decides). */
static bool csv_split_plain(csv_reader *r, const char *s, size_t n) {
    if (memchr(s, '\r', n))
        return false;
    r->nf = 0;
    r->nrows = 1;
    r->full = false;
    r->fbase = s; /* the fields stay in the input buffer, not terminated */
    r->fpos = 0;
    const char *end = s + n, *q = s;
    while (q < end && (*q == ' ' || *q == '\t'))
        q++;
    if (q == end) {
        r->nrows = 0;
        return true;
    }
    for (const char *p = s;;) {
        const char *c = s + csv_delim_at(s, (size_t)(p - s), n, r->delim);
        const char *a = p, *b = c;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if (r->nf < CSV_MAX_COLS) {
            r->fld[r->nf].off = (uint32_t)(a - s);
            r->fld[r->nf].len = (uint32_t)(b - a);
        } else
            r->full = true;
        r->nf++;
        if (c == end)
            break;
        p = c + 1;
    }
    return true;
}

/* Splits one row (no line terminator) into r->fld.  Returns PEL_OK (nf may
 * be 0 for a blank row), PEL_ERR_FORMAT for a syntax error (detail set) or
 * PEL_ERR_NOMEM. */
static pel_status csv_split(csv_reader *r, const char *s, size_t n, bool plain) {
    if (plain && csv_split_plain(r, s, n))
        return PEL_OK;
    r->nf = 0;
    r->nrows = 0;
    r->fpos = 0;
    r->full = false;
    r->fbase = r->fbuf;
    size_t done = csv_parse(&r->p, s, n, csv_on_field, csv_on_row, r);
    if (done < n) {
        int e = csv_error(&r->p);
        csv_fini(&r->p, NULL, NULL, NULL); /* reset for the next row */
        if (e == CSV_ENOMEM || e == CSV_ETOOBIG)
            return PEL_ERR_NOMEM;
        snprintf(r->detail, sizeof r->detail, "bad quoting at byte %zu", done + 1);
        return PEL_ERR_FORMAT;
    }
    csv_fini(&r->p, csv_on_field, csv_on_row, r);
    if (r->nrows > 1) {
        snprintf(r->detail, sizeof r->detail, "carriage return inside the row");
        return PEL_ERR_FORMAT;
    }
    return PEL_OK;
}

/* ------------------------------------------------------------------------ */
/* The header                                                                */
/* ------------------------------------------------------------------------ */

static const char *csv_format_label(pel_csv_format f) {
    switch (f) {
    case PEL_CSV_NOAA:
        return "a NOAA MarineCadastre";
    case PEL_CSV_DMA:
        return "a DMA aisdk";
    case PEL_CSV_KYSTVERKET:
        return "a Kystverket";
    case PEL_CSV_BARENTSWATCH:
        return "a BarentsWatch";
    default:
        return "a NOAA, DMA, Kystverket or BarentsWatch";
    }
}

static const csv_colname *csv_table(pel_csv_format f) {
    switch (f) {
    case PEL_CSV_NOAA:
        return noaa_cols;
    case PEL_CSV_DMA:
        return dma_cols;
    case PEL_CSV_KYSTVERKET:
        return kystverket_cols;
    default:
        return barentswatch_cols;
    }
}

static void csv_map_clear(int *map) {
    for (int c = 0; c < C__COUNT; c++)
        map[c] = -1;
}

/* Fills map from header fields for the named format f; true when the
 * columns needed to recognise it (MMSI, time, both coordinates) are all
 * there. */
static bool csv_map(const char *const *names, const size_t *lens, int n, pel_csv_format f, int *map) {
    const csv_colname *t = csv_table(f);
    csv_map_clear(map);
    for (int i = 0; i < n; i++) {
        char key[CSV_KEY_MAX];
        csv_key(names[i], lens[i], key, sizeof key);
        for (const csv_colname *e = t; e->key; e++)
            if (strcmp(key, e->key) == 0 && map[e->col] < 0)
                map[e->col] = i;
    }
    return map[C_MMSI] >= 0 && map[C_TIME] >= 0 && map[C_LAT] >= 0 && map[C_LON] >= 0;
}

/* Fills map for the generic reader: with a column map m, every column it
 * names must be in the header; without one, columns are found by their
 * usual names (csv_generic_column) and MMSI and time must be among them.
 * Returns false with why (cap bytes) when the header does not do. */
static bool csv_map_generic(const char *const *names, const size_t *lens, int n, const csv_colmap *m, int *map,
                            char *why, size_t cap) {
    char keys[CSV_MAX_COLS][CSV_KEY_MAX];
    csv_map_clear(map);
    for (int i = 0; i < n && i < CSV_MAX_COLS; i++)
        csv_key(names[i], lens[i], keys[i], CSV_KEY_MAX);
    if (m) {
        for (int c = 0; c < C__COUNT; c++) {
            if (!m->key[c][0])
                continue;
            for (int i = 0; i < n && i < CSV_MAX_COLS && map[c] < 0; i++)
                if (strcmp(keys[i], m->key[c]) == 0)
                    map[c] = i;
            if (map[c] < 0) {
                snprintf(why, cap, "no column '%s' (for %s) in the header", m->key[c], csv_field_name(c));
                return false;
            }
        }
        return true;
    }
    for (int i = 0; i < n && i < CSV_MAX_COLS; i++) {
        int c = csv_generic_column(keys[i]);
        if (c >= 0 && map[c] < 0)
            map[c] = i;
    }
    if (map[C_MMSI] < 0 || map[C_TIME] < 0 || (map[C_LAT] < 0) != (map[C_LON] < 0)) {
        snprintf(why, cap, "no %s column found by name; name the columns with --columns",
                 map[C_MMSI] < 0   ? "MMSI"
                 : map[C_TIME] < 0 ? "time"
                 : map[C_LAT] < 0  ? "latitude"
                                   : "longitude");
        return false;
    }
    return true;
}

/* Detects a named format from header fields; fills map for it. */
static pel_csv_format csv_detect_fields(const char *const *names, const size_t *lens, int n, int *map) {
    static const pel_csv_format named[] = {PEL_CSV_NOAA, PEL_CSV_DMA, PEL_CSV_KYSTVERKET, PEL_CSV_BARENTSWATCH};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (csv_map(names, lens, n, named[i], map))
            return named[i];
    return PEL_CSV_AUTO;
}

/* Picks the delimiter of a header line: the most frequent of ',', ';',
 * tab and '|' outside double quotes (',' when there is none, or on a tie
 * the first of that order).  Only the first line counts.  line is only read
 * during the call. */
char pel_csv_delimiter(const char *line, size_t len) {
    static const char cand[4] = {',', ';', '\t', '|'};
    size_t count[4] = {0};
    bool quoted = false;
    for (size_t i = 0; line && i < len && line[i] != '\n'; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (!quoted)
            for (int k = 0; k < 4; k++)
                count[k] += line[i] == cand[k];
    }
    int best = 0;
    for (int k = 1; k < 4; k++)
        if (count[k] > count[best])
            best = k;
    return cand[best];
}

static int csv_space_only(unsigned char c) {
    return c == ' ';
}

/* Sets the delimiter of r's scanner and of libcsv (a tab delimiter is then
 * no longer a blank to trim). */
static void csv_use_delim(csv_reader *r, char d) {
    r->delim = d;
    if (r->p_init) {
        csv_set_delim(&r->p, (unsigned char)d);
        csv_set_space_func(&r->p, d == '\t' ? csv_space_only : NULL);
    }
}

typedef struct csv_hdr {
    char text[4096];
    size_t pos;
    const char *names[CSV_MAX_COLS];
    size_t lens[CSV_MAX_COLS];
    int n, rows;
} csv_hdr;

static void csv_hdr_field(void *s, size_t len, void *ud) {
    csv_hdr *h = ud;
    if (h->rows || h->n >= CSV_MAX_COLS || h->pos + len + 1 > sizeof h->text)
        return;
    if (len)
        memcpy(h->text + h->pos, s, len);
    h->names[h->n] = h->text + h->pos;
    h->lens[h->n++] = len;
    h->pos += len + 1;
}

static void csv_hdr_row(int c, void *ud) {
    (void)c;
    ((csv_hdr *)ud)->rows++;
}

/* Splits the first row of line into h with its own delimiter; false when
 * out of memory. */
static bool csv_hdr_parse(const char *line, size_t len, csv_hdr *h) {
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL) != 0)
        return false;
    char d = pel_csv_delimiter(line, len);
    csv_set_delim(&p, (unsigned char)d);
    if (d == '\t')
        csv_set_space_func(&p, csv_space_only);
    csv_parse(&p, line, len, csv_hdr_field, csv_hdr_row, h);
    csv_fini(&p, csv_hdr_field, csv_hdr_row, h);
    csv_free(&p);
    return true;
}

/* Detects the format from a header line (only its first row counts; a
 * trailing CR/LF is fine; the delimiter is found as pel_csv_delimiter
 * finds it).  line is only read during the call; allocates and frees its
 * own scratch space. */
pel_csv_format pel_csv_detect(const char *line, size_t len) {
    if (!line)
        return PEL_CSV_AUTO;
    csv_hdr *h = calloc(1, sizeof *h);
    pel_csv_format f = PEL_CSV_AUTO;
    if (h && csv_hdr_parse(line, len, h)) {
        int map[C__COUNT];
        f = csv_detect_fields(h->names, h->lens, h->n, map);
    }
    free(h);
    return f;
}

/* Appends s[0..n) to buf at *k (cap bytes), printable ASCII only. */
static void csv_put(char *buf, size_t cap, size_t *k, const char *s, size_t n) {
    for (size_t i = 0; i < n && *k + 1 < cap; i++)
        buf[(*k)++] = s[i] >= 32 && s[i] < 127 ? s[i] : '?';
    buf[*k] = 0;
}

/* Says what a first line that no reader recognised looks like, for the
 * message that refuses the input (docs/formats.md, "Inputs that are not
 * understood").  Writes into buf (cap bytes, truncated, NUL-terminated) and
 * returns true when the line looks like a CSV header (text, at least three
 * fields, none empty); false (buf "") otherwise.  line is only read. */
bool pel_csv_describe(const char *line, size_t len, char *buf, size_t cap) {
    if (!cap)
        return false;
    buf[0] = 0;
    for (size_t i = 0; line && i < len && line[i] != '\n'; i++)
        if (((unsigned char)line[i] < 32 && line[i] != '\t' && line[i] != '\r') || line[i] == 127)
            return false; /* not text */
    csv_hdr *h = calloc(1, sizeof *h);
    if (!h || !line || !csv_hdr_parse(line, len, h) || h->n < 3) {
        free(h);
        return false;
    }
    for (int i = 0; i < h->n; i++) {
        const char *s = h->names[i];
        size_t n = h->lens[i];
        s = csv_trim(s, &n);
        if (n == 0) {
            free(h);
            return false;
        }
    }
    char d = pel_csv_delimiter(line, len);
    size_t k = 0;
    csv_put(buf, cap, &k, "the first line looks like a CSV header with columns ", 52);
    for (int i = 0; i < h->n; i++) {
        if (i == 8) {
            csv_put(buf, cap, &k, ",...", 4);
            break;
        }
        size_t n = h->lens[i];
        const char *s = csv_trim(h->names[i], &n);
        if (i)
            csv_put(buf, cap, &k, ",", 1);
        csv_put(buf, cap, &k, s, n < 24 ? n : 24);
    }
    char tail[96];
    snprintf(tail, sizeof tail, " (%d, %s-separated): none of NOAA, DMA, Kystverket, BarentsWatch; use", h->n,
             d == '\t'  ? "tab"
             : d == ';' ? "';'"
             : d == '|' ? "'|'"
                        : "','");
    csv_put(buf, cap, &k, tail, strlen(tail));
    if (d != ',') {
        snprintf(tail, sizeof tail, " --delimiter '%s'", d == '\t' ? "\\t" : d == ';' ? ";" : "|");
        csv_put(buf, cap, &k, tail, strlen(tail));
    }
    csv_put(buf, cap, &k, " --format csv --columns ", 24);
    /* a guess for the four a map needs, by the usual names */
    static const int need[4] = {C_MMSI, C_TIME, C_LAT, C_LON};
    for (int j = 0; j < 4; j++) {
        int at = -1;
        for (int i = 0; i < h->n && at < 0; i++) {
            char key[CSV_KEY_MAX];
            csv_key(h->names[i], h->lens[i], key, sizeof key);
            if (csv_generic_column(key) == need[j])
                at = i;
        }
        snprintf(tail, sizeof tail, "%s%s=", j ? "," : "", csv_field_name(need[j]));
        csv_put(buf, cap, &k, tail, strlen(tail));
        if (at >= 0) {
            size_t n = h->lens[at];
            const char *s = csv_trim(h->names[at], &n);
            csv_put(buf, cap, &k, s, n < 24 ? n : 24);
        } else
            csv_put(buf, cap, &k, "COLUMN", 6);
    }
    csv_put(buf, cap, &k, ",...", 4);
    free(h);
    return true;
}

/* ------------------------------------------------------------------------ */
/* Input: rows out of the buffer                                             */
/* ------------------------------------------------------------------------ */

static void csv_set_err(csv_reader *r, pel_status code, const char *what) {
    pel_fail(r->err, code, "%s: %s", r->name, what);
}

/* Moves the unconsumed bytes to the front and reads more.  Returns false
 * on a read error (err filled). */
static bool csv_fill(csv_reader *r) {
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->have - r->pos);
        r->have -= r->pos;
        r->pos = 0;
    }
    size_t room = CSV_BUFSZ - r->have;
    if (room > CSV_CHUNK)
        room = CSV_CHUNK;
    int n = gzread(r->gz, r->buf + r->have, (unsigned)room);
    if (n < 0) {
        int e = 0;
        const char *msg = gzerror(r->gz, &e);
        csv_set_err(r, PEL_ERR_IO, e == Z_ERRNO ? strerror(errno) : msg);
        return false;
    }
    if (n == 0) {
        int e = 0;
        const char *msg = gzerror(r->gz, &e);
        if (e != Z_OK) { /* Z_BUF_ERROR: a truncated gzip stream */
            csv_set_err(r, PEL_ERR_IO, e == Z_BUF_ERROR ? "truncated gzip input" : msg);
            return false;
        }
        r->eof = true;
    }
    r->have += (size_t)n;
    return true;
}

/* Scans the row starting at pos from where the last call stopped.  Returns
 * the offset of the newline that ends it, or 0 with *found false. */
static size_t csv_scan(csv_reader *r, bool *found) {
    const char *b = r->buf;
    r->plain = false;
    size_t i = r->pos + r->scan, end = r->have;
    int q = r->qstate;
    const char delim = r->delim;
    /* fast path: outside quotes, a line without any quote is the row */
    if (q == Q_FIELD || q == Q_UNQUOTED) {
        const char *nl = memchr(b + i, '\n', end - i);
        if (nl && !memchr(b + i, '"', (size_t)(nl - (b + i)))) {
            *found = true;
            r->plain = r->scan == 0; /* no quote anywhere in the row */
            return (size_t)(nl - b);
        }
    }
    for (; i < end; i++) {
        char c = b[i];
        switch (q) {
        case Q_FIELD:
            if (c == '"')
                q = Q_QUOTED;
            else if (c == '\n')
                goto row_end;
            else if (c != delim && c != ' ' && c != '\t')
                q = Q_UNQUOTED;
            break;
        case Q_UNQUOTED:
            if (c == delim)
                q = Q_FIELD;
            else if (c == '\n')
                goto row_end;
            break;
        case Q_QUOTED:
            if (c == '"')
                q = Q_QUOTE_SEEN;
            else if (c == '\n')
                r->nl++;
            break;
        default: /* Q_QUOTE_SEEN: a doubled quote, or the end of the field */
            if (c == '"')
                q = Q_QUOTED;
            else if (c == delim)
                q = Q_FIELD;
            else if (c == '\n')
                goto row_end;
            else
                q = Q_UNQUOTED; /* text after the closing quote: libcsv will say */
            break;
        }
    }
    r->scan = i - r->pos;
    r->qstate = q;
    *found = false;
    return 0;
row_end:
    *found = true;
    return i;
}

static void csv_row_reset(csv_reader *r) {
    r->scan = 0;
    r->qstate = Q_FIELD;
    r->nl = 0;
}

/* Hands out the first physical line of the row at pos as a broken row and
 * consumes just that line. */
static int csv_first_line(csv_reader *r, csv_row *row) {
    const char *s = r->buf + r->pos;
    const char *nl = memchr(s, '\n', r->have - r->pos);
    size_t n = nl ? (size_t)(nl - s) : r->have - r->pos;
    row->s = s;
    row->start = r->pos;
    row->len = n > 0 && s[n - 1] == '\r' ? n - 1 : n;
    row->line = row->line_last = r->lineno + 1;
    r->lineno++;
    r->pos += nl ? n + 1 : n;
    csv_row_reset(r);
    if (n > PEL_MAX_LINE) {
        row->len = CSV_REJECT_HEAD;
        return ROW_TOO_LONG;
    }
    return ROW_BROKEN;
}

/* Finds the next row.  Its bytes stay in the buffer until the next call. */
static int csv_next_row(csv_reader *r, csv_row *row) {
    for (;;) {
        if (r->skipping) {
            const char *nl = memchr(r->buf + r->pos, '\n', r->have - r->pos);
            if (nl) {
                r->pos = (size_t)(nl - r->buf) + 1;
                r->lineno++;
                r->skipping = false;
                continue;
            }
            r->pos = r->have;
        } else if (r->pos < r->have) {
            bool found;
            size_t at = csv_scan(r, &found);
            if (found || r->eof) {
                if (!found && r->qstate == Q_QUOTED)
                    return csv_first_line(r, row); /* the input ends inside quotes */
                size_t end = found ? at : r->have;
                size_t n = end - r->pos;
                if (n > PEL_MAX_LINE && r->nl)
                    return csv_first_line(r, row); /* a quote swallowed lines */
                row->s = r->buf + r->pos;
                row->start = r->pos;
                row->plain = found && r->plain;
                row->len = n > 0 && row->s[n - 1] == '\r' ? n - 1 : n;
                row->line = r->lineno + 1;
                row->line_last = r->lineno + 1 + r->nl;
                r->lineno = row->line_last;
                r->pos = found ? end + 1 : end;
                csv_row_reset(r);
                if (n > PEL_MAX_LINE) {
                    row->len = CSV_REJECT_HEAD;
                    return ROW_TOO_LONG;
                }
                return ROW_OK;
            }
            if (r->have - r->pos > PEL_MAX_LINE) {
                if (r->nl)
                    return csv_first_line(r, row);
                row->s = r->buf + r->pos;
                row->start = r->pos;
                row->len = CSV_REJECT_HEAD;
                row->line = row->line_last = r->lineno + 1;
                r->skipping = true; /* lineno moves on at the newline that ends it */
                r->pos = r->have;
                csv_row_reset(r);
                return ROW_TOO_LONG;
            }
        }
        if (r->eof)
            return ROW_END;
        if (!csv_fill(r))
            return ROW_IO;
    }
}

/* Un-consumes a multi-line row except its first line: the scan resumes on
 * its second line.  Used when such a row does not parse. */
static void csv_resume_line2(csv_reader *r, const csv_row *row) {
    const char *nl = memchr(r->buf + row->start, '\n', row->len);
    r->pos = (size_t)(nl - r->buf) + 1;
    r->lineno = row->line;
    r->skipping = false;
    csv_row_reset(r);
}

/* ------------------------------------------------------------------------ */
/* A row into a record                                                       */
/* ------------------------------------------------------------------------ */

/* The field of column c (n bytes, not terminated), or NULL (and *n 0)
 * when the file has no such column. */
static const char *csv_col(const csv_reader *r, int c, size_t *n) {
    int i = r->map[c];
    if (i < 0 || i >= r->nf) {
        *n = 0;
        return NULL;
    }
    *n = r->fld[i].len;
    return r->fbase + r->fld[i].off;
}

/* True when the field is one of the format's "not available" spellings. */
static bool csv_absent(const csv_reader *r, const char *s, size_t n) {
    s = csv_trim(s, &n);
    if (n == 0)
        return true;
    if (n > 13 || (s[0] != 'N' && s[0] != 'n' && s[0] != 'U' && s[0] != 'u'))
        return false; /* the common case: a value */
    if (csv_eq_ci(s, n, "NA") || csv_eq_ci(s, n, "N/A") || csv_eq_ci(s, n, "NaN"))
        return true;
    if (r->fmt == PEL_CSV_DMA)
        return csv_eq_ci(s, n, "Unknown") || csv_eq_ci(s, n, "Undefined") || csv_eq_ci(s, n, "Unknown value");
    if (r->fmt != PEL_CSV_NOAA) /* Python's None, JSON's null: as written ("NONE" is a call sign) */
        return (n == 4 && (!memcmp(s, "None", 4) || !memcmp(s, "null", 4) || !memcmp(s, "NULL", 4)));
    return false;
}

/* Notes a bad number in column c, unless an earlier column was bad. */
static void csv_bad_number(csv_reader *r, int c, const char *what, pel_csv_reject *why) {
    if (*why != PEL_CSV_REJ_NONE)
        return;
    snprintf(r->detail, sizeof r->detail, "%s %s", r->names[r->map[c]], what);
    *why = PEL_CSV_REJ_NUMBER;
}

/* Reads numeric column c (value / its divisor * mul * 10^p10) into *v;
 * leaves *v alone when absent.  Returns true when present. */
static bool csv_num(csv_reader *r, int c, unsigned mul, int p10, int32_t *v, pel_csv_reject *why) {
    size_t n;
    const char *s = csv_col(r, c, &n);
    if (!s || csv_absent(r, s, n))
        return false;
    if (!csv_fixed_div(s, n, mul, p10, r->div[c], v)) {
        csv_bad_number(r, c, "is not a number", why);
        return false;
    }
    return true;
}

static void csv_int(csv_reader *r, int c, int *v, pel_csv_reject *why) {
    int32_t x;
    if (csv_num(r, c, 1, 0, &x, why))
        *v = x;
}

/* A text column, trimmed and NUL-terminated in fbuf, or NULL when absent.
 * libcsv's fields are in fbuf already and are trimmed in place; a plain
 * row's are copied after each other (they fit: fbuf holds a whole row). */
static const char *csv_text(csv_reader *r, int c) {
    size_t n;
    const char *s = csv_col(r, c, &n);
    if (!s || csv_absent(r, s, n))
        return NULL;
    s = csv_trim(s, &n);
    char *t;
    if (r->fbase == r->fbuf)
        t = r->fbuf + (s - r->fbuf);
    else {
        t = r->fbuf + r->fpos;
        memcpy(t, s, n);
        r->fpos += n + 1;
    }
    t[n] = 0;
    return t;
}

/* True when the text starts like a number (a digit, or a sign or point
 * before one). */
static bool csv_numeric(const char *t) {
    if (*t == '-' || *t == '+')
        t++;
    if (*t == '.')
        t++;
    return *t >= '0' && *t <= '9';
}

/* Navigation status: a code, or (DMA, generic) a text of DMA's or gpsd's;
 * an unknown text is "not available". */
static void csv_status(csv_reader *r, pel_record *rec, pel_csv_reject *why) {
    bool texts = r->fmt == PEL_CSV_DMA || r->fmt == PEL_CSV_GENERIC;
    const char *t = texts ? csv_text(r, C_STATUS) : NULL;
    if (!texts || (t && r->fmt == PEL_CSV_GENERIC && csv_numeric(t))) {
        csv_int(r, C_STATUS, &rec->status, why);
        return;
    }
    if (!t)
        return;
    size_t tn = strlen(t);
    rec->status = csv_lookup(dma_status, t, tn, -1);
    for (unsigned i = 0; rec->status < 0 && i < 16; i++)
        if (csv_eq_ci(t, tn, ais_status_text(i)))
            rec->status = (int)i;
    if (rec->status < 0)
        rec->status = PEL_NA_STATUS;
}

/* Ship type: a code, or (DMA, generic) one of DMA's group names. */
static void csv_shiptype(csv_reader *r, pel_record *rec, pel_csv_reject *why) {
    bool texts = r->fmt == PEL_CSV_DMA || r->fmt == PEL_CSV_GENERIC;
    const char *t = texts ? csv_text(r, C_SHIPTYPE) : NULL;
    if (!texts || (t && r->fmt == PEL_CSV_GENERIC && csv_numeric(t)))
        csv_int(r, C_SHIPTYPE, &rec->shiptype, why);
    else if (t)
        rec->shiptype = csv_lookup(dma_shiptype, t, strlen(t), -1);
}

/* The AIS message type: a message number column (Kystverket's
 * message_nr) when there is one, else the class: NOAA's A/B, DMA's Type of
 * mobile, or in a generic file A, B, "Class A", "Class B" or DMA's texts. */
static void csv_type(csv_reader *r, pel_record *rec, pel_csv_reject *why) {
    int mt = -1;
    csv_int(r, C_MSGTYPE, &mt, why);
    if (mt != -1) {
        if (mt >= 1 && mt <= 27)
            rec->type = mt;
        else
            csv_bad_number(r, C_MSGTYPE, "is not an AIS message type (1-27)", why);
        return;
    }
    const char *t = csv_text(r, C_MOBILE);
    if (!t)
        return;
    if (r->fmt == PEL_CSV_NOAA) {
        if ((t[0] == 'B' || t[0] == 'b') && t[1] == 0)
            rec->type = 18;
        return;
    }
    if (r->fmt == PEL_CSV_GENERIC && (t[0] == 'A' || t[0] == 'a' || t[0] == 'B' || t[0] == 'b') && t[1] == 0) {
        rec->type = t[0] == 'B' || t[0] == 'b' ? 18 : 1;
        return;
    }
    rec->type = csv_lookup(dma_mobile, t, strlen(t), 1);
}

/* Fills rec from the current row's fields; returns the reject reason (and
 * r->detail) or PEL_CSV_REJ_NONE. */
static pel_csv_reject csv_record(csv_reader *r, pel_record *rec) {
    memset(rec, 0, sizeof *rec);
    rec->lat = PEL_NA_LAT;
    rec->lon = PEL_NA_LON;
    rec->speed = PEL_NA_SPEED;
    rec->course = PEL_NA_COURSE;
    rec->heading = PEL_NA_HEADING;
    rec->status = PEL_NA_STATUS;
    rec->shiptype = -1;
    rec->to_bow = rec->to_stern = rec->to_port = rec->to_starboard = -1;
    rec->draught_dm = -1;
    rec->partno = -1;
    rec->second = -1;
    rec->type = 1;

    size_t n;
    const char *s = csv_col(r, C_MMSI, &n);
    uint64_t u = 0;
    if (!s || csv_absent(r, s, n)) {
        snprintf(r->detail, sizeof r->detail, "no MMSI");
        return PEL_CSV_REJ_MMSI;
    }
    int e = csv_uint(s, n, 999999999, &u);
    if (e) {
        snprintf(r->detail, sizeof r->detail, e == 1 ? "MMSI is not a number" : "MMSI above 999999999");
        return PEL_CSV_REJ_MMSI;
    }
    rec->mmsi = (uint32_t)u;

    s = csv_col(r, C_TIME, &n);
    if (!s || csv_absent(r, s, n)) {
        snprintf(r->detail, sizeof r->detail, "no time");
        return PEL_CSV_REJ_TIME;
    }
    bool ok = r->time_format          ? pel_parse_time_fmt(r->time_format, s, n, &rec->t_ms)
              : r->fmt == PEL_CSV_DMA ? csv_time_dma(r, s, n, &rec->t_ms)
                                      : csv_time_iso(r, s, n, r->fmt == PEL_CSV_GENERIC, &rec->t_ms);
    if (!ok) {
        snprintf(r->detail, sizeof r->detail, "%s is not a time", r->names[r->map[C_TIME]]);
        return PEL_CSV_REJ_TIME;
    }
    rec->has_time = true;
    rec->clock = PEL_CLOCK_REPORT; /* the provider's receive time */

    pel_csv_reject why = PEL_CSV_REJ_NONE;
    int32_t lat = PEL_NA_LAT, lon = PEL_NA_LON, v;
    csv_num(r, C_LAT, 6, 5, &lat, &why);
    csv_num(r, C_LON, 6, 5, &lon, &why);
    if (lat != PEL_NA_LAT && lon != PEL_NA_LON) {
        rec->kind = PEL_REC_POSITION;
        rec->lat = lat;
        rec->lon = lon;
    }
    if (csv_num(r, C_SOG, 1, 1, &v, &why))
        rec->speed = v;
    if (csv_num(r, C_COG, 1, 1, &v, &why)) {
        /* 360 is "not available"; a course just under it (359.95) that
         * rounds up to 360.0 is north, 0 */
        int32_t micro;
        size_t cn;
        const char *cs = csv_col(r, C_COG, &cn);
        if (v == PEL_NA_COURSE && csv_fixed_div(cs, cn, 1, 6, r->div[C_COG], &micro) && micro < 360000000)
            v = 0;
        rec->course = v;
    }
    if (csv_num(r, C_HEADING, 1, 0, &v, &why))
        rec->heading = v;

    /* IMO: "IMO9703411", "9703411"; 0 (IMO0000000) means none, and so does
     * -1 in the formats that write it so */
    s = csv_col(r, C_IMO, &n);
    if (s && !csv_absent(r, s, n)) {
        s = csv_trim(s, &n);
        if (n >= 3 && csv_eq_ci(s, 3, "IMO"))
            s += 3, n -= 3;
        e = n == 2 && s[0] == '-' && s[1] == '1' && r->fmt != PEL_CSV_NOAA && r->fmt != PEL_CSV_DMA
                ? (u = 0, 0)
                : csv_uint(s, n, UINT32_MAX, &u);
        if (e)
            csv_bad_number(r, C_IMO, e == 1 ? "is not a number" : "is too large", &why);
        else
            rec->imo = (uint32_t)u;
    }
    rec->shipname = csv_text(r, C_NAME);
    rec->callsign = csv_text(r, C_CALLSIGN);
    rec->destination = csv_text(r, C_DEST);
    rec->eta = csv_text(r, C_ETA);
    rec->source = csv_text(r, C_SOURCE);
    csv_status(r, rec, &why);
    csv_shiptype(r, rec, &why);
    csv_type(r, rec, &why);

    /* dimensions: A,B,C,D when the file has them and any is given, else
     * length -> to_bow (to_stern 0), width -> to_port (to_starboard 0) */
    int32_t a = -1, b = -1, c = -1, d = -1;
    csv_num(r, C_A, 1, 0, &a, &why);
    csv_num(r, C_B, 1, 0, &b, &why);
    csv_num(r, C_C, 1, 0, &c, &why);
    csv_num(r, C_D, 1, 0, &d, &why);
    if (a >= 0 || b >= 0 || c >= 0 || d >= 0) {
        rec->to_bow = a, rec->to_stern = b, rec->to_port = c, rec->to_starboard = d;
    } else {
        int32_t len = -1, wid = -1;
        csv_num(r, C_LENGTH, 1, 0, &len, &why);
        csv_num(r, C_WIDTH, 1, 0, &wid, &why);
        if (len >= 0)
            rec->to_bow = len, rec->to_stern = 0;
        if (wid >= 0)
            rec->to_port = wid, rec->to_starboard = 0;
    }
    if (csv_num(r, C_DRAUGHT, 1, 1, &v, &why))
        rec->draught_dm = v;
    if (why != PEL_CSV_REJ_NONE)
        return why;

    if (rec->shipname || rec->callsign || rec->imo || rec->shiptype >= 0 || rec->to_bow >= 0 || rec->to_stern >= 0 ||
        rec->to_port >= 0 || rec->to_starboard >= 0 || rec->draught_dm >= 0 || rec->destination || rec->eta)
        rec->kind |= PEL_REC_STATIC;
    return PEL_CSV_REJ_NONE;
}

/* ------------------------------------------------------------------------ */
/* The whole file                                                            */
/* ------------------------------------------------------------------------ */

/* Reads the header row, sets the delimiter (delim, or the header's own),
 * r->fmt and r->map; PEL_ERR_FORMAT when it is not a header of fmt (of any
 * named format, for PEL_CSV_AUTO; for PEL_CSV_GENERIC, when a column of the
 * map is missing). */
static pel_status csv_header(csv_reader *r, pel_csv_format fmt, char delim) {
    csv_row row;
    int k;
    do {
        k = csv_next_row(r, &row);
        if (k == ROW_IO)
            return PEL_ERR_IO;
        if (k == ROW_END) {
            csv_set_err(r, PEL_ERR_FORMAT, "empty input, no CSV header line");
            return PEL_ERR_FORMAT;
        }
        if (k != ROW_OK)
            break;
        csv_use_delim(r, delim ? delim : pel_csv_delimiter(row.s, row.len));
        pel_status st = csv_split(r, row.s, row.len, row.plain);
        if (st == PEL_ERR_NOMEM) {
            csv_set_err(r, PEL_ERR_NOMEM, "out of memory");
            return st;
        }
        if (st != PEL_OK)
            break;
    } while (r->nf == 0); /* blank lines before the header */

    pel_csv_format got = PEL_CSV_AUTO;
    char why[160] = "";
    if (k == ROW_OK && !r->full && r->nrows == 1) {
        const char *names[CSV_MAX_COLS];
        size_t lens[CSV_MAX_COLS];
        for (int i = 0; i < r->nf; i++) {
            names[i] = r->fbase + r->fld[i].off;
            lens[i] = r->fld[i].len;
        }
        if (fmt == PEL_CSV_AUTO)
            got = csv_detect_fields(names, lens, r->nf, r->map);
        else if (fmt == PEL_CSV_GENERIC) {
            if (csv_map_generic(names, lens, r->nf, r->cmap, r->map, why, sizeof why)) {
                got = fmt;
                for (int c = 0; c < C__COUNT; c++) {
                    r->used.div[c] = r->cmap ? r->cmap->div[c] : 1;
                    r->used.key[c][0] = 0;
                    if (r->map[c] >= 0)
                        csv_key(names[r->map[c]], lens[r->map[c]], r->used.key[c], CSV_KEY_MAX);
                }
            }
        } else if (csv_map(names, lens, r->nf, fmt, r->map))
            got = fmt;
        r->ncols = r->nf;
        for (int i = 0; i < r->nf; i++) {
            const char *nm = names[i];
            size_t nn = lens[i];
            if (nn >= 3 && (unsigned char)nm[0] == 0xEF && (unsigned char)nm[1] == 0xBB)
                nm += 3, nn -= 3;
            snprintf(r->names[i], sizeof r->names[i], "%.*s", (int)(nn < 23 ? nn : 23), nm);
        }
    }
    if (got == PEL_CSV_AUTO) {
        char head[64];
        size_t n = row.len < sizeof head - 1 ? row.len : sizeof head - 1;
        for (size_t i = 0; i < n; i++)
            head[i] = row.s[i] >= 32 && row.s[i] < 127 ? row.s[i] : '?';
        head[n] = 0;
        if (why[0])
            return pel_fail(r->err, PEL_ERR_FORMAT, "%s: %s (header \"%s%s\")", r->name, why, head,
                            row.len > n ? "..." : "");
        return pel_fail(r->err, PEL_ERR_FORMAT, "%s: not %s CSV export (header \"%s%s\")", r->name,
                        csv_format_label(fmt), head, row.len > n ? "..." : "");
    }
    r->fmt = got;
    if (r->cmap)
        memcpy(r->div, r->cmap->div, sizeof r->div);
    return PEL_OK;
}

static void csv_reject(const pel_csv_cb *cb, pel_csv_stats *stats, const csv_row *row, pel_csv_reject why,
                       const char *detail) {
    stats->rows++;
    stats->rejected[why]++;
    if (cb && cb->on_reject)
        cb->on_reject(cb->ud, row->line, why, detail, row->s, row->len);
}

/* The rows after the header. */
static pel_status csv_body(csv_reader *r, uint64_t skip_lines, const pel_csv_cb *cb, pel_csv_stats *stats) {
    pel_record rec;
    for (;;) {
        csv_row row;
        int k = csv_next_row(r, &row);
        if (k == ROW_END)
            return PEL_OK;
        if (k == ROW_IO)
            return PEL_ERR_IO;
        bool skip = row.line <= skip_lines;
        if (k == ROW_TOO_LONG) {
            if (!skip)
                csv_reject(cb, stats, &row, PEL_CSV_REJ_TOO_LONG, "row longer than 1 MiB");
            continue;
        }
        if (k == ROW_BROKEN) {
            if (!skip)
                csv_reject(cb, stats, &row, PEL_CSV_REJ_SYNTAX, "quote not closed");
            continue;
        }
        bool multi = row.line_last > row.line;
        if (skip && !multi)
            continue; /* nothing in it can change where later rows start */
        pel_status st = csv_split(r, row.s, row.len, row.plain);
        if (st == PEL_ERR_NOMEM) {
            csv_set_err(r, PEL_ERR_NOMEM, "out of memory");
            return st;
        }
        if (st == PEL_OK && r->nf == 0)
            continue; /* blank line */
        if (st == PEL_OK && (r->full || r->nf != r->ncols)) {
            snprintf(r->detail, sizeof r->detail, "%d fields, the header has %d", r->nf, r->ncols);
            st = PEL_ERR_FORMAT;
        }
        if (st != PEL_OK) {
            if (multi) {
                /* most likely a stray quote that swallowed the next lines:
                 * reject the first line only and read on from the second */
                snprintf(r->detail, sizeof r->detail, "unbalanced quote (the row would span lines %llu-%llu)",
                         (unsigned long long)row.line, (unsigned long long)row.line_last);
                csv_resume_line2(r, &row);
                const char *nl = memchr(row.s, '\n', row.len);
                row.len = (size_t)(nl - row.s);
                if (row.len && row.s[row.len - 1] == '\r')
                    row.len--;
                row.line_last = row.line;
            }
            if (!skip)
                csv_reject(cb, stats, &row, PEL_CSV_REJ_SYNTAX, r->detail);
            continue;
        }
        if (skip)
            continue;
        pel_csv_reject why = csv_record(r, &rec);
        if (why != PEL_CSV_REJ_NONE) {
            csv_reject(cb, stats, &row, why, r->detail);
            continue;
        }
        rec.line = row.line;
        rec.line_last = row.line_last;
        stats->rows++;
        stats->records++;
        if (cb && cb->on_record && cb->on_record(cb->ud, &rec))
            return PEL_STOPPED;
    }
}

/* Checks a column map (see pel_csv_opts.columns); spec is only read. */
pel_status pel_csv_check_columns(const char *spec, pel_error *err) {
    csv_colmap m;
    char why[200];
    if (!csv_colmap_parse(spec, &m, why, sizeof why))
        return pel_fail(err, PEL_ERR_ARG, "--columns: %s", why);
    return PEL_OK;
}

/* Checks the options of pel_csv_read_opts; fills m from the column map. */
static pel_status csv_check_opts(const pel_csv_opts *o, csv_colmap *m, bool *has_map, pel_error *err) {
    char why[200];
    *has_map = false;
    if (o->format < PEL_CSV_AUTO || o->format > PEL_CSV_GENERIC)
        return pel_fail(err, PEL_ERR_ARG, "pel_csv_read: unknown format");
    if (o->columns && *o->columns) {
        if (o->format != PEL_CSV_GENERIC)
            return pel_fail(err, PEL_ERR_ARG, "--columns is for the generic CSV reader (--format csv)");
        if (!csv_colmap_parse(o->columns, m, why, sizeof why))
            return pel_fail(err, PEL_ERR_ARG, "--columns: %s", why);
        *has_map = true;
    }
    if (!pel_time_format_check(o->time_format, why, sizeof why))
        return pel_fail(err, PEL_ERR_ARG, "--time-format '%s': %s", o->time_format, why);
    char d = o->delimiter;
    if (d == '"' || d == '\n' || d == '\r' || d == ' ')
        return pel_fail(err, PEL_ERR_ARG, "--delimiter: a quote, a blank or a line end cannot separate fields");
    return PEL_OK;
}

/* The reader: the header, then (unless header_only) the rows; the
 * generic reader's columns, canonically, into canon (when not NULL). */
static pel_status csv_read(const char *path, const pel_csv_opts *o, uint64_t skip_lines, const pel_csv_cb *cb,
                           pel_csv_stats *stats, pel_error *err, bool header_only, pel_csv_format *found, char *canon,
                           size_t cap) {
    pel_csv_stats local;
    pel_csv_opts dflt = {0};
    if (!o)
        o = &dflt;
    if (!stats) {
        memset(&local, 0, sizeof local);
        stats = &local;
    }
    if (!path)
        return pel_fail(err, PEL_ERR_ARG, "pel_csv_read: no path");
    csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return pel_fail(err, PEL_ERR_NOMEM, "%s: out of memory", o->name ? o->name : path);
    bool has_map;
    pel_status st = csv_check_opts(o, &r->cm, &has_map, err);
    if (st != PEL_OK) {
        free(r);
        return st;
    }
    r->cmap = has_map ? &r->cm : NULL;
    r->path = path;
    r->name = o->name ? o->name : path;
    r->err = err;
    r->time_format = o->time_format && *o->time_format && strcmp(o->time_format, "auto") ? o->time_format : NULL;
    r->delim = ',';
    for (int c = 0; c < C__COUNT; c++)
        r->div[c] = 1;
    csv_row_reset(r);

    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? dup(0) : open(path, O_RDONLY);
    if (fd < 0) {
        csv_set_err(r, PEL_ERR_IO, strerror(errno));
        st = PEL_ERR_IO;
        goto out;
    }
    r->gz = gzdopen(fd, "rb"); /* reads plain input unchanged */
    if (!r->gz) {
        close(fd);
        csv_set_err(r, PEL_ERR_NOMEM, "cannot start reading");
        st = PEL_ERR_NOMEM;
        goto out;
    }
    gzbuffer(r->gz, 256 * 1024);
    r->fcap = PEL_MAX_LINE + 2;
    r->buf = malloc(CSV_BUFSZ);
    r->fbuf = malloc(r->fcap);
    if (!r->buf || !r->fbuf || csv_init(&r->p, CSV_STRICT | CSV_APPEND_NULL) != 0) {
        csv_set_err(r, PEL_ERR_NOMEM, "out of memory");
        st = PEL_ERR_NOMEM;
        goto out;
    }
    r->p_init = true;
    csv_set_blk_size(&r->p, 4096);

    st = csv_header(r, o->format, o->delimiter);
    if (st == PEL_OK && found)
        *found = r->fmt;
    if (canon && cap)
        canon[0] = 0;
    if (st == PEL_OK && canon && r->fmt == PEL_CSV_GENERIC)
        csv_colmap_canonical(&r->used, canon, cap);
    if (st == PEL_OK && !header_only)
        st = csv_body(r, skip_lines, cb, stats);
out:
    if (r->p_init)
        csv_free(&r->p);
    if (r->gz)
        gzclose(r->gz);
    free(r->buf);
    free(r->fbuf);
    free(r);
    return st;
}

/* Reads one CSV export, calling cb for every data row.  path, o and cb are
 * only read during the call; the record and reject texts handed to the
 * callbacks are borrowed for the callback only (they live in the reader's
 * buffers, which are allocated here and freed before returning).  *stats is
 * added to, not cleared, so that one pel_csv_stats can sum several files;
 * stats and err may be NULL, cb may be NULL or have NULL members.  On an
 * I/O error the rows read before it have been delivered. */
pel_status pel_csv_read_opts(const char *path, const pel_csv_opts *o, uint64_t skip_lines, const pel_csv_cb *cb,
                             pel_csv_stats *stats, pel_error *err) {
    return csv_read(path, o, skip_lines, cb, stats, err, false, NULL, NULL, 0);
}

/* Reads the header only (see csv_internal.h); path and o are only read. */
pel_status csv_check_header(const char *path, const pel_csv_opts *o, pel_csv_format *found, char *canon, size_t cap,
                            pel_error *err) {
    return csv_read(path, o, 0, NULL, NULL, err, true, found, canon, cap);
}

/* pel_csv_read_opts with only a format (PEL_CSV_AUTO, NOAA or DMA, or the
 * other named formats); the same ownership. */
pel_status pel_csv_read(const char *path, pel_csv_format fmt, uint64_t skip_lines, const pel_csv_cb *cb,
                        pel_csv_stats *stats, pel_error *err) {
    pel_csv_opts o = {.format = fmt};
    return pel_csv_read_opts(path, &o, skip_lines, cb, stats, err);
}
