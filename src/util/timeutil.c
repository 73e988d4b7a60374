/*
 * timeutil.c -- receive times: Unix milliseconds to and from ISO-8601 UTC.
 *
 * Civil-date arithmetic on the proleptic Gregorian calendar, no time zones,
 * no leap seconds (AIS receive stamps are Unix time, which has none).
 */
#include <string.h>

#include "pelorus.h"

/* Days since 1970-01-01 of the civil date y-m-d. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The civil date of day z since 1970-01-01. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static char *put2(char *p, unsigned v) {
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

size_t pel_format_time(int64_t ms, char *buf) {
    int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
    unsigned frac = (unsigned)(ms - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    unsigned sod = (unsigned)(secs - days * 86400);
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char *p = buf;
    if (y < 0 || y > 9999) {
        /* out of the four-digit range: still unambiguous, never truncated */
        int64_t a = y < 0 ? -y : y;
        char tmp[24];
        int n = 0;
        do {
            tmp[n++] = (char)('0' + a % 10);
            a /= 10;
        } while (a);
        if (y < 0)
            *p++ = '-';
        while (n < 4)
            tmp[n++] = '0';
        while (n)
            *p++ = tmp[--n];
    } else {
        p = put2(p, (unsigned)(y / 100));
        p = put2(p, (unsigned)(y % 100));
    }
    *p++ = '-';
    p = put2(p, m);
    *p++ = '-';
    p = put2(p, d);
    *p++ = 'T';
    p = put2(p, sod / 3600);
    *p++ = ':';
    p = put2(p, sod / 60 % 60);
    *p++ = ':';
    p = put2(p, sod % 60);
    if (frac) {
        *p++ = '.';
        *p++ = (char)('0' + frac / 100);
        p = put2(p, frac % 100);
    }
    *p++ = 'Z';
    *p = 0;
    return (size_t)(p - buf);
}

/* Reads exactly n digits at s into *v. */
static bool digits(const char *s, size_t n, unsigned *v) {
    unsigned x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        x = x * 10 + (unsigned)(s[i] - '0');
    }
    *v = x;
    return true;
}

/* Reads a fraction ".ddd" (any number of digits) at s[*i], as milliseconds. */
static unsigned fraction_ms(const char *s, size_t len, size_t *i) {
    unsigned ms = 0, scale = 100;
    if (*i < len && s[*i] == '.') {
        (*i)++;
        while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
            ms += (unsigned)(s[*i] - '0') * scale;
            scale /= 10;
            (*i)++;
        }
    }
    return ms;
}

bool pel_parse_time(const char *s, size_t len, int64_t *ms) {
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0)
        return false;
    /* ISO-8601: YYYY-MM-DD[T ]HH:MM:SS[.fff][Z] */
    if (len >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') && s[13] == ':' &&
        s[16] == ':') {
        unsigned y, mo, d, h, mi, se;
        if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
            !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
            return false;
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
            return false;
        size_t i = 19;
        unsigned frac = fraction_ms(s, len, &i);
        if (i < len && (s[i] == 'Z' || s[i] == 'z'))
            i++;
        else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
            unsigned oh, om;
            if (!digits(s + i + 1, 2, &oh) || !digits(s + i + 4, 2, &om))
                return false;
            int64_t off = ((int64_t)oh * 60 + om) * 60000;
            int64_t t = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000 + frac;
            *ms = s[i] == '+' ? t - off : t + off;
            return true;
        }
        if (i != len)
            return false;
        *ms = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000 + frac;
        return true;
    }
    /* Unix seconds, or milliseconds when there are 13 or more digits */
    size_t i = 0;
    int64_t v = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && i < 16)
        v = v * 10 + (s[i++] - '0');
    if (i == 0)
        return false;
    size_t ndig = i;
    unsigned frac = fraction_ms(s, len, &i);
    if (i != len)
        return false;
    if (ndig >= 13)
        *ms = v;
    else
        *ms = v * 1000 + frac;
    return true;
}

/* ---- clocks ---------------------------------------------------------------- */

static const char *const clock_names[PEL_CLOCK__COUNT] = {
    [PEL_CLOCK_NONE] = "none",       [PEL_CLOCK_TAG_BLOCK] = "tag_block", [PEL_CLOCK_PGHP] = "pghp",
    [PEL_CLOCK_PREFIX] = "prefix",   [PEL_CLOCK_REPORT] = "report",       [PEL_CLOCK_TRAILER] = "trailer",
    [PEL_CLOCK_ASSUMED] = "assumed",
};

const char *pel_clock_name(pel_clock c) { return (unsigned)c < PEL_CLOCK__COUNT ? clock_names[c] : "none"; }

bool pel_clock_is_receiver(pel_clock c) {
    return c == PEL_CLOCK_TAG_BLOCK || c == PEL_CLOCK_PGHP || c == PEL_CLOCK_PREFIX || c == PEL_CLOCK_REPORT;
}
