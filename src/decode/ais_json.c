/*
 * ais_json.c -- a decoded message as one line of JSON, the way gpsd's
 * gpsdecode -j (scaled) and -u -j (unscaled) write it, plus our provenance
 * fields.  Numbers are formatted with integer arithmetic (the scalings are
 * exact rationals, so the rounding equals printf's), which is what makes
 * this fast enough for the decode benchmark.
 *
 * Deliberate differences from gpsd (tests/peers/deviations.txt): scaled
 * "not available" values are omitted; type 24 parts are separate objects
 * with "partno"; no "device" field.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ais_internal.h"

typedef struct w {
    char *p, *end;
    bool full;
} w;

/* Makes room for n more bytes; false (and full) when there is none. */
static inline bool room(w *o, size_t n) {
    if ((size_t)(o->end - o->p) > n)
        return true;
    o->full = true;
    return false;
}

static inline void lit(w *o, const char *s, size_t n) {
    if (!room(o, n))
        return;
    memcpy(o->p, s, n);
    o->p += n;
}
#define LIT(o, s) lit(o, s, sizeof(s) - 1)

static const char digits2[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                 "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                 "8081828384858687888990919293949596979899";

static void put_u64(w *o, uint64_t v) {
    char tmp[24];
    int n = 24;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        n -= 2;
        memcpy(tmp + n, digits2 + 2 * r, 2);
    }
    if (v >= 10) {
        n -= 2;
        memcpy(tmp + n, digits2 + 2 * v, 2);
    } else
        tmp[--n] = (char)('0' + v);
    if (!room(o, (size_t)(24 - n)))
        return;
    memcpy(o->p, tmp + n, (size_t)(24 - n));
    o->p += 24 - n;
}

static void put_i64(w *o, int64_t v) {
    if (v < 0) {
        LIT(o, "-");
        put_u64(o, (uint64_t)0 - (uint64_t)v);
    } else
        put_u64(o, (uint64_t)v);
}

/* Writes raw/div with dec decimals, rounded as printf("%.*f") rounds the
 * double raw/(double)div: the exact quotient is used unless it lies on a
 * tie, where the double decides. */
static void put_ratio(w *o, int64_t raw, int64_t div, int dec) {
    static const int64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
    bool neg = raw < 0;
    uint64_t a = neg ? (uint64_t)0 - (uint64_t)raw : (uint64_t)raw;
    uint64_t num = a * (uint64_t)pow10[dec], q = num / (uint64_t)div, r = num % (uint64_t)div;
    if (2 * r == (uint64_t)div) {
        char tmp[48];
        int n = snprintf(tmp, sizeof tmp, "%.*f", dec, (double)raw / (double)div);
        lit(o, tmp, (size_t)n);
        return;
    }
    if (2 * r > (uint64_t)div)
        q++;
    if (neg && q)
        LIT(o, "-");
    put_u64(o, q / (uint64_t)pow10[dec]);
    if (dec) {
        char frac[8];
        uint64_t f = q % (uint64_t)pow10[dec];
        for (int i = dec - 1; i >= 0; i--, f /= 10)
            frac[i] = (char)('0' + f % 10);
        LIT(o, ".");
        lit(o, frac, (size_t)dec);
    }
}

/* A JSON string with the escapes JSON requires. */
static void put_str(w *o, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    if (!room(o, 6 * n + 2))
        return;
    unsigned char special = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        special |= (unsigned char)((c < 0x20) | (c == '"') | (c == '\\') | (c == 0x7f));
    }
    *o->p++ = '"';
    if (!special) {
        memcpy(o->p, s, n);
        o->p += n;
        *o->p++ = '"';
        return;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o->p++ = '\\';
            *o->p++ = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(o->p, "\\u00", 4);
            o->p[4] = hex[c >> 4];
            o->p[5] = hex[c & 15];
            o->p += 6;
        } else
            *o->p++ = (char)c;
    }
    *o->p++ = '"';
}

static void keyn(w *o, const char *name, size_t n) {
    if (!room(o, n + 4))
        return;
    *o->p++ = ',';
    *o->p++ = '"';
    memcpy(o->p, name, n);
    o->p += n;
    *o->p++ = '"';
    *o->p++ = ':';
}

#define key(o, lit) keyn(o, lit, sizeof(lit) - 1)
#define fkey(o, f) keyn(o, (f)->name, (f)->namelen)

static void put_bool(w *o, int64_t v) {
    if (v)
        LIT(o, "true");
    else
        LIT(o, "false");
}

static void put_two(w *o, unsigned v) {
    if (!room(o, 2))
        return;
    *o->p++ = (char)('0' + v / 10 % 10);
    *o->p++ = (char)('0' + v % 10);
}

/* gpsd's turn: "n/a", "fastright", "fastleft", or the rate in degrees per
 * minute, (raw / 4.733)^2 with the sign of raw, to two decimals. */
static void put_turn(w *o, int64_t v) {
    if (v == -128)
        LIT(o, "\"n/a\"");
    else if (v == 127)
        LIT(o, "\"fastright\"");
    else if (v == -127)
        LIT(o, "\"fastleft\"");
    else if (v == 0)
        LIT(o, "\"0.00\"");
    else {
        double r = v / 4.733;
        double h = r * r * 100.0; /* hundredths */
        double fl = floor(h);
        if (fabs(h - fl - 0.5) < 1e-6) { /* near a tie: let printf decide */
            char tmp[40];
            int n = snprintf(tmp, sizeof tmp, "\"%.2f\"", v < 0 ? -r * r : r * r);
            lit(o, tmp, (size_t)n);
            return;
        }
        uint64_t q = (uint64_t)(h - fl > 0.5 ? fl + 1 : fl);
        LIT(o, "\"");
        if (v < 0)
            LIT(o, "-");
        put_u64(o, q / 100);
        LIT(o, ".");
        put_two(o, (unsigned)(q % 100));
        LIT(o, "\"");
    }
}

/* One field; returns after writing nothing when it is "not available". */
static void field(w *o, const pel_ais_msg *m, const pel_ais_field *f, bool scaled) {
    int64_t v = f->v;
    char buf[64];
    switch ((pel_field_kind)f->kind) {
    case PEL_F_SKIP:
        return;
    case PEL_F_UINT:
    case PEL_F_INT:
        fkey(o, f);
        put_i64(o, v);
        return;
    case PEL_F_BOOL:
        fkey(o, f);
        put_bool(o, v);
        return;
    case PEL_F_TEXT:
        fkey(o, f);
        put_str(o, f->s, f->slen);
        return;
    case PEL_F_DATA:
        fkey(o, f);
        if (!room(o, (size_t)f->slen + 24))
            return;
        *o->p++ = '"';
        put_u64(o, (uint64_t)v);
        *o->p++ = ':';
        memcpy(o->p, f->s, f->slen);
        o->p += f->slen;
        *o->p++ = '"';
        return;
    case PEL_F_STATUS:
    case PEL_F_STATUS27:
        fkey(o, f);
        put_i64(o, v);
        if (f->kind == PEL_F_STATUS || scaled) {
            key(o, "status_text");
            const char *t = ais_status_text((unsigned)v);
            put_str(o, t, strlen(t));
        }
        return;
    case PEL_F_SHIPTYPE: {
        fkey(o, f);
        put_i64(o, v);
        key(o, "shiptype_text");
        const char *t = ais_shiptype_text((unsigned)v, buf, sizeof buf);
        put_str(o, t, strlen(t));
        return;
    }
    case PEL_F_EPFD: {
        fkey(o, f);
        put_i64(o, v);
        key(o, "epfd_text");
        const char *t = ais_epfd_text((unsigned)v);
        put_str(o, t, strlen(t));
        return;
    }
    case PEL_F_AIDTYPE: {
        fkey(o, f);
        put_i64(o, v);
        key(o, "aid_type_text");
        const char *t = ais_aid_text((unsigned)v);
        put_str(o, t, strlen(t));
        return;
    }
    case PEL_F_STATIONTYPE: {
        fkey(o, f);
        put_i64(o, v);
        key(o, "stationtype_text");
        const char *t = ais_station_text((unsigned)v);
        put_str(o, t, strlen(t));
        return;
    }
    case PEL_F_ETA: { /* month 4, day 5, hour 5, minute 6 */
        fkey(o, f);
        if (!room(o, 16))
            return;
        *o->p++ = '"';
        put_two(o, (unsigned)(v >> 16) & 15);
        *o->p++ = '-';
        put_two(o, (unsigned)(v >> 11) & 31);
        *o->p++ = 'T';
        put_two(o, (unsigned)(v >> 6) & 31);
        *o->p++ = ':';
        put_two(o, (unsigned)v & 63);
        LIT(o, "Z\"");
        return;
    }
    case PEL_F_TIME4: { /* year 14, month 4, day 5, hour 5, minute 6, second 6 */
        fkey(o, f);
        int n = snprintf(buf, sizeof buf, "\"%04u-%02u-%02uT%02u:%02u:%02uZ\"", (unsigned)(v >> 26) & 0x3fff,
                         (unsigned)(v >> 22) & 15, (unsigned)(v >> 17) & 31, (unsigned)(v >> 12) & 31,
                         (unsigned)(v >> 6) & 63, (unsigned)v & 63);
        lit(o, buf, (size_t)n);
        return;
    }
    default:
        break;
    }

    /* the scaled kinds */
    if (!scaled) {
        fkey(o, f);
        put_i64(o, v);
        return;
    }
    switch ((pel_field_kind)f->kind) {
    case PEL_F_LON4:
        if (v == 181 * 600000)
            return;
        fkey(o, f);
        put_ratio(o, v, 600000, 7);
        return;
    case PEL_F_LAT4:
        if (v == 91 * 600000)
            return;
        fkey(o, f);
        put_ratio(o, v, 600000, 7);
        return;
    case PEL_F_LON1:
    case PEL_F_LAT1:
        if (v == (f->kind == PEL_F_LON1 ? 181 * 600 : 91 * 600))
            return;
        fkey(o, f);
        put_ratio(o, v, 600, m->type == 17 ? 1 : 4);
        return;
    case PEL_F_CORNER:
        fkey(o, f);
        if (!room(o, 2))
            return;
        *o->p++ = '"';
        put_ratio(o, v, 600, 6);
        LIT(o, "\"");
        return;
    case PEL_F_SPEED:
        if (v == 1023)
            return;
        fkey(o, f);
        put_ratio(o, v, 10, 1);
        return;
    case PEL_F_SPEED9:
        if (v == 1023)
            return;
        fkey(o, f);
        put_i64(o, v);
        return;
    case PEL_F_SPEED27:
        if (v == 63)
            return;
        fkey(o, f);
        put_i64(o, v);
        return;
    case PEL_F_COURSE:
        if (v == 3600)
            return;
        fkey(o, f);
        put_ratio(o, v, 10, 1);
        return;
    case PEL_F_COURSE27:
        if (v == 511)
            return;
        fkey(o, f);
        put_i64(o, v);
        return;
    case PEL_F_HEADING:
        if (v == 511)
            return;
        fkey(o, f);
        put_i64(o, v);
        return;
    case PEL_F_DRAUGHT:
        fkey(o, f);
        put_ratio(o, v, 10, 1);
        return;
    case PEL_F_TURN:
        fkey(o, f);
        put_turn(o, v);
        return;
    default:
        fkey(o, f);
        put_i64(o, v);
        return;
    }
}

/* The receive time as a JSON string.  Consecutive messages mostly share
 * the date, so it is formatted once per day and thread. */
static void put_time(w *o, int64_t ms) {
    static _Thread_local int64_t day = INT64_MIN;
    static _Thread_local char date[16];
    static _Thread_local size_t datelen;
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    int64_t d = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    if (d != day || d < 0) {
        char t[40];
        size_t n = pel_format_time(d * 86400000, t);
        if (n < 11 || n - 10 > sizeof date) { /* a year beyond 9999: no cache */
            n = pel_format_time(ms, t);
            put_str(o, t, n);
            return;
        }
        datelen = n - 9; /* "YYYY-MM-DDT" */
        memcpy(date, t, datelen);
        day = d;
    }
    unsigned sod = (unsigned)(secs - d * 86400), frac = (unsigned)(ms - secs * 1000);
    if (!room(o, datelen + 16))
        return;
    *o->p++ = '"';
    memcpy(o->p, date, datelen);
    o->p += datelen;
    put_two(o, sod / 3600);
    *o->p++ = ':';
    put_two(o, sod / 60 % 60);
    *o->p++ = ':';
    put_two(o, sod % 60);
    if (frac) {
        *o->p++ = '.';
        *o->p++ = (char)('0' + frac / 100);
        put_two(o, frac % 100);
    }
    *o->p++ = 'Z';
    *o->p++ = '"';
}

size_t pel_ais_json(const pel_ais_msg *m, unsigned flags, char *buf, size_t cap) {
    if (cap == 0)
        return 0;
    w o = {buf, buf + cap, false};
    bool scaled = !(flags & PEL_JSON_UNSCALED);
    LIT(&o, "{\"class\":\"AIS\",\"type\":");
    put_u64(&o, (uint64_t)m->type);
    LIT(&o, ",\"repeat\":");
    put_u64(&o, (uint64_t)m->repeat);
    LIT(&o, ",\"mmsi\":");
    put_u64(&o, m->mmsi);
    if (scaled)
        LIT(&o, ",\"scaled\":true");
    else
        LIT(&o, ",\"scaled\":false");
    for (int i = 0; i < m->nfields; i++)
        field(&o, m, &m->f[i], scaled);
    if (!(flags & PEL_JSON_NO_META)) {
        if (m->has_rx) {
            key(&o, "rxtime");
            put_time(&o, m->rx_ms);
            const char *clock = pel_clock_name((pel_clock)m->rx_clock);
            key(&o, "rxclock");
            put_str(&o, clock, strlen(clock));
        }
        if (m->source) {
            key(&o, "source");
            put_str(&o, m->source, strlen(m->source));
        }
        if (m->file) {
            key(&o, "file");
            put_str(&o, m->file, strlen(m->file));
        }
        key(&o, "line");
        put_u64(&o, m->line);
        if (m->line_last != m->line) {
            key(&o, "line_last");
            put_u64(&o, m->line_last);
        }
    }
    LIT(&o, "}");
    if (o.full)
        return 0;
    *o.p = 0;
    return (size_t)(o.p - buf);
}
