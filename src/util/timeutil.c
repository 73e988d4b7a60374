/*
 * timeutil.c -- receive times: Unix milliseconds to and from ISO-8601 UTC,
 * and the --time-format patterns of the CSV readers.
 *
 * Civil-date arithmetic on the proleptic Gregorian calendar, no time zones,
 * no leap seconds (AIS receive stamps are Unix time, which has none).
 *
 * Parsing is strict, because a time that is quietly moved is worse than a
 * row refused: the month must be 1-12, the day must exist in that month
 * (29 February only in leap years), hours 0-23, minutes and seconds 0-59
 * (a leap second "60" is refused: Unix time cannot hold it), a fraction
 * needs at least one digit (digits after the third are dropped, not
 * rounded), and a UTC offset is Z, +hh, +hhmm or +hh:mm (or -) of at most
 * 14:00, the widest in use.  Every NMEA prefix, tag-block c:, CSV time and
 * command-line time goes through here.
 *
 * Known limits: years are four digits (0000-9999); Unix seconds at most 12
 * digits, milliseconds 13-16 digits; no week dates, ordinal dates, local
 * times or time-zone names; month names in English only (%b).
 */
#include <stdio.h>
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

static unsigned days_in_month(unsigned y, unsigned m) {
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

/* Unix ms of a civil date and time, or false when a part is out of range:
 * month 1-12, day within the month (29 February only in leap years), hour
 * 0-23, minute and second 0-59 (no leap second: Unix time has none). */
static bool civil_ms(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned se, unsigned frac,
                     int64_t *ms) {
    if (y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59 ||
        frac > 999)
        return false;
    *ms = (days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + se) * 1000 + frac;
    return true;
}

/* Reads a fraction ".d..." at s[*i] (at least one digit) as milliseconds,
 * digits after the third dropped.  No '.' at all is a fraction of 0. */
static bool fraction_ms(const char *s, size_t len, size_t *i, unsigned *ms) {
    *ms = 0;
    if (*i >= len || s[*i] != '.')
        return true;
    unsigned scale = 100;
    size_t start = ++*i;
    for (; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++) {
        *ms += (unsigned)(s[*i] - '0') * scale;
        scale /= 10;
    }
    return *i > start;
}

/* Reads a UTC offset at s[*i]: "Z" or "z", or a sign and hh, hhmm or hh:mm
 * of at most 14:00.  Sets *off_ms to what is added to the local time to
 * give UTC. */
static bool utc_offset(const char *s, size_t len, size_t *i, int64_t *off_ms) {
    *off_ms = 0;
    if (*i < len && (s[*i] == 'Z' || s[*i] == 'z')) {
        (*i)++;
        return true;
    }
    if (*i >= len || (s[*i] != '+' && s[*i] != '-'))
        return false;
    int sign = s[*i] == '+' ? -1 : 1;
    size_t k = *i + 1;
    unsigned hh, mm = 0;
    if (k + 2 > len || !digits(s + k, 2, &hh))
        return false;
    k += 2;
    if (k < len && s[k] == ':') {
        if (k + 3 > len || !digits(s + k + 1, 2, &mm))
            return false;
        k += 3;
    } else if (k + 2 <= len && s[k] >= '0' && s[k] <= '9') {
        if (!digits(s + k, 2, &mm))
            return false;
        k += 2;
    }
    if (mm > 59 || hh * 60 + mm > 14 * 60)
        return false;
    *off_ms = sign * ((int64_t)hh * 60 + mm) * 60000;
    *i = k;
    return true;
}

/* ISO-8601 at s[0..len): YYYY-MM-DD[T ]HH:MM:SS[.f...][offset]. */
static bool parse_iso(const char *s, size_t len, int64_t *ms) {
    unsigned y, mo, d, h, mi, se, frac;
    if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
        s[16] != ':')
        return false;
    if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) ||
        !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &se))
        return false;
    size_t i = 19;
    int64_t t, off = 0;
    if (!fraction_ms(s, len, &i, &frac) || !civil_ms(y, mo, d, h, mi, se, frac, &t))
        return false;
    if (i < len && !utc_offset(s, len, &i, &off))
        return false;
    if (i != len)
        return false;
    *ms = t + off;
    return true;
}

/* Unix time at s[0..len): digits with an optional fraction.  ms_auto: 13
 * or more digits (and no fraction) are milliseconds. */
static bool parse_unix(const char *s, size_t len, bool ms_auto, int64_t *ms) {
    size_t i = 0;
    int64_t v = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && i < 16)
        v = v * 10 + (s[i++] - '0');
    if (i == 0)
        return false;
    size_t ndig = i;
    unsigned frac;
    if (!fraction_ms(s, len, &i, &frac) || i != len)
        return false;
    if (ms_auto && ndig >= 13) {
        if (ndig != len)
            return false; /* a fraction of a millisecond count */
        *ms = v;
    } else {
        if (ndig > 12)
            return false; /* seconds beyond the year 33658 */
        *ms = v * 1000 + frac;
    }
    return true;
}

static void trim(const char **s, size_t *len) {
    while (*len && (**s == ' ' || **s == '\t'))
        (*s)++, (*len)--;
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

bool pel_parse_time(const char *s, size_t len, int64_t *ms) {
    if (!s)
        return false;
    trim(&s, &len);
    if (len == 0)
        return false;
    if (len >= 5 && s[4] == '-')
        return parse_iso(s, len, ms);
    return parse_unix(s, len, true, ms);
}

/* ---- --time-format patterns ------------------------------------------------ */

/* Reads 1..max digits (as many as there are, up to max) at s[*i]. */
static bool some_digits(const char *s, size_t len, size_t *i, int max, unsigned *v) {
    unsigned x = 0;
    int n = 0;
    for (; n < max && *i < len && s[*i] >= '0' && s[*i] <= '9'; n++, (*i)++)
        x = x * 10 + (unsigned)(s[*i] - '0');
    *v = x;
    return n > 0;
}

static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* An English month abbreviation (Jan..Dec, any case) at s[*i]: 1..12. */
static bool month_abbr(const char *s, size_t len, size_t *i, unsigned *mo) {
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
    if (*i + 3 > len)
        return false;
    for (unsigned m = 0; m < 12; m++)
        if (lower((unsigned char)s[*i]) == names[3 * m] && lower((unsigned char)s[*i + 1]) == names[3 * m + 1] &&
            lower((unsigned char)s[*i + 2]) == names[3 * m + 2]) {
            *mo = m + 1;
            *i += 3;
            return true;
        }
    return false;
}

/* Walks fmt over s (or, with s NULL, only checks fmt).  See the header
 * comment of pel_parse_time_fmt for the directives. */
static bool run_pattern(const char *fmt, const char *s, size_t len, int64_t *ms, const char **why) {
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, frac = 0;
    bool has_y = false, has_mo = false, has_d = false, has_unix = false;
    int64_t unix_ms = 0, off = 0;
    size_t i = 0;
    bool check = s == NULL;
    for (const char *p = fmt; *p; p++) {
        if (*p == ' ') { /* any run of blanks, or none */
            while (!check && i < len && (s[i] == ' ' || s[i] == '\t'))
                i++;
            continue;
        }
        if (*p != '%') {
            if (!check && (i >= len || s[i] != *p))
                return false;
            i++;
            continue;
        }
        char c = *++p;
        bool ok = true;
        if (check) {
            if (!c || !strchr("YmdHMSfzbsT%", c)) {
                *why = c ? "unknown directive (known: %Y %m %d %b %H %M %S %f %T %z %s %%)" : "a lone % at the end";
                return false;
            }
            has_y |= c == 'Y';
            has_mo |= c == 'm' || c == 'b';
            has_d |= c == 'd';
            has_unix |= c == 's';
            continue;
        }
        // clang-format off
        switch (c) {
        case 'Y':
            ok = i + 4 <= len && digits(s + i, 4, &y);
            i += 4;
            has_y = true;
            break;
        case 'm': ok = some_digits(s, len, &i, 2, &mo), has_mo = true; break;
        case 'b': ok = month_abbr(s, len, &i, &mo), has_mo = true; break;
        case 'd': ok = some_digits(s, len, &i, 2, &d), has_d = true; break;
        case 'H': ok = some_digits(s, len, &i, 2, &h); break;
        case 'M': ok = some_digits(s, len, &i, 2, &mi); break;
        case 'S': ok = some_digits(s, len, &i, 2, &se); break;
        case 'T':
            ok = some_digits(s, len, &i, 2, &h) && i < len && s[i++] == ':' && some_digits(s, len, &i, 2, &mi) &&
                 i < len && s[i++] == ':' && some_digits(s, len, &i, 2, &se);
            break;
        case 'f': {
            unsigned scale = 100;
            size_t start = i;
            frac = 0;
            for (; i < len && i - start < 9 && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
                frac += (unsigned)(s[i] - '0') * scale;
            ok = i > start;
            break;
        }
        case 'z': ok = utc_offset(s, len, &i, &off); break;
        case 's': {
            size_t start = i;
            while (i < len && s[i] >= '0' && s[i] <= '9')
                i++;
            ok = i > start && parse_unix(s + start, i - start, false, &unix_ms);
            has_unix = true;
            break;
        }
        case '%': ok = i < len && s[i++] == '%'; break;
        default: return false;
        }
        // clang-format on
        if (!ok)
            return false;
    }
    if (check) {
        if (!has_unix && !(has_y && has_mo && has_d)) {
            *why = "needs a whole date: %Y, %m or %b, and %d (or %s)";
            return false;
        }
        return true;
    }
    if (i != len)
        return false;
    if (has_unix) {
        *ms = unix_ms + off;
        return true;
    }
    int64_t t;
    if (!(has_y && has_mo && has_d) || !civil_ms(y, mo, d, h, mi, se, frac, &t))
        return false;
    *ms = t + off;
    return true;
}

static bool is_kw(const char *fmt, const char *kw) {
    return strcmp(fmt, kw) == 0;
}

bool pel_time_format_check(const char *fmt, char *why, size_t cap) {
    const char *w = "not auto, iso, unix, unix_ms or a pattern with % directives";
    if (!fmt || !*fmt || is_kw(fmt, "auto") || is_kw(fmt, "iso") || is_kw(fmt, "unix") || is_kw(fmt, "unix_ms"))
        return true;
    if (strchr(fmt, '%') && run_pattern(fmt, NULL, 0, NULL, &w))
        return true;
    if (why && cap)
        snprintf(why, cap, "%s", w);
    return false;
}

bool pel_parse_time_fmt(const char *fmt, const char *s, size_t len, int64_t *ms) {
    if (!s)
        return false;
    if (!fmt || !*fmt || is_kw(fmt, "auto"))
        return pel_parse_time(s, len, ms);
    trim(&s, &len);
    if (len == 0)
        return false;
    if (is_kw(fmt, "iso"))
        return parse_iso(s, len, ms);
    if (is_kw(fmt, "unix"))
        return parse_unix(s, len, false, ms);
    if (is_kw(fmt, "unix_ms")) {
        int64_t v = 0;
        for (size_t i = 0; i < len; i++) {
            if (s[i] < '0' || s[i] > '9' || i >= 16)
                return false;
            v = v * 10 + (s[i] - '0');
        }
        *ms = v;
        return true;
    }
    const char *why;
    return strchr(fmt, '%') && run_pattern(fmt, s, len, ms, &why);
}

/* ---- clocks ---------------------------------------------------------------- */

static const char *const clock_names[PEL_CLOCK__COUNT] = {
    [PEL_CLOCK_NONE] = "none",       [PEL_CLOCK_TAG_BLOCK] = "tag_block", [PEL_CLOCK_PGHP] = "pghp",
    [PEL_CLOCK_PREFIX] = "prefix",   [PEL_CLOCK_REPORT] = "report",       [PEL_CLOCK_TRAILER] = "trailer",
    [PEL_CLOCK_ASSUMED] = "assumed",
};

const char *pel_clock_name(pel_clock c) {
    return (unsigned)c < PEL_CLOCK__COUNT ? clock_names[c] : "none";
}

bool pel_clock_is_receiver(pel_clock c) {
    return c == PEL_CLOCK_TAG_BLOCK || c == PEL_CLOCK_PGHP || c == PEL_CLOCK_PREFIX || c == PEL_CLOCK_REPORT;
}
