/*
 * ident.c -- what a broadcast identifier is worth: IMO numbers, MMSIs and
 * texts (names, call signs) classified as identities or as junk.
 *
 * Real transponders send "not available" values (IMO 0 and 2^30-1), numbers
 * that cannot be an IMO (1, 256, 117028000), default MMSIs shared by many
 * (416000000, 0, 123456789) and placeholder texts ("NONAME", "@@@@@@@",
 * "0").  Treated as identities they make every fishing boat "share" an IMO
 * with every other; this file is the one place that says which values
 * identify a ship, so that detectors, screening and risk agree.
 *
 * Limits: MMSI forms follow ITU-R M.585 (ship MIDxxxxxx, SAR aircraft
 * 111MIDxxx, handheld 8MIDxxxxx, auxiliary craft 98MIDxxxx, aids to
 * navigation 99MIDxxxx, SART/MOB/EPIRB 970/972/974); whether a MID is
 * allocated is the MID table's business (geo.c), not this file's.  The
 * placeholder lists are those seen in recorded feeds
 * (tests/data/real-world/), not an exhaustive catalogue.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "pelorus.h"

/* ---- IMO numbers ------------------------------------------------------------ */

pel_imo_kind pel_imo_classify(uint32_t imo) {
    if (imo == 0 || imo == 1073741823u)
        return PEL_IMO_ABSENT;
    if (imo < 1000000 || imo > 9999999)
        return PEL_IMO_MALFORMED;
    return pel_imo_valid(imo) ? PEL_IMO_VALID : PEL_IMO_CHECK_DIGIT;
}

const char *pel_imo_kind_name(pel_imo_kind k) {
    static const char *const n[] = {"absent", "valid", "check_digit", "malformed"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "absent";
}

/* ---- MMSIs -------------------------------------------------------------------- */

pel_mmsi_kind pel_mmsi_classify(uint32_t mmsi) {
    if (mmsi == 0)
        return PEL_MMSI_ZERO;
    /* factory defaults: 12345678, 1234567, 0x123456 */
    if (mmsi == 12345678u || mmsi == 1234567u || mmsi == 123456u || mmsi == 1193046u)
        return PEL_MMSI_PLACEHOLDER;
    if (mmsi < 100000000u)
        return PEL_MMSI_SHORT;
    if (mmsi > 999999999u)
        return PEL_MMSI_LONG;
    /* defaults that many transponders share */
    if (mmsi % 1000000u == 0 || mmsi % 111111111u == 0 || mmsi == 123456789u || mmsi == 987654321u)
        return PEL_MMSI_PLACEHOLDER;
    unsigned d1 = mmsi / 100000000u, d3 = mmsi / 1000000u;
    if (d1 >= 2 && d1 <= 7)
        return PEL_MMSI_SHIP;
    if (d3 == 111 || d1 == 8 || d3 == 970 || d3 == 972 || d3 == 974 || mmsi / 10000000u == 98 || mmsi / 10000000u == 99)
        return PEL_MMSI_OTHER;
    return PEL_MMSI_NONSTANDARD; /* 1xx other than 111, 90x..96x: no ITU form */
}

bool pel_mmsi_invalid(uint32_t mmsi) {
    pel_mmsi_kind k = pel_mmsi_classify(mmsi);
    return k != PEL_MMSI_SHIP && k != PEL_MMSI_OTHER;
}

const char *pel_mmsi_kind_name(pel_mmsi_kind k) {
    static const char *const n[] = {"ship", "other", "zero", "short", "long", "placeholder", "nonstandard"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "placeholder";
}

/* ---- texts ---------------------------------------------------------------------- */

bool pel_text_placeholder(const char *s) {
    if (!s)
        return true;
    /* trim spaces and AIS '@' padding at both ends */
    const char *a = s, *b = s + strlen(s);
    while (a < b && (*a == ' ' || *a == '@' || *a == '\t'))
        a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '@' || b[-1] == '\t'))
        b--;
    size_t n = (size_t)(b - a);
    if (n == 0)
        return true;
    /* nothing but filler characters, or one letter repeated */
    bool filler = true, same = true;
    for (const char *c = a; c < b; c++) {
        filler &= *c == '0' || *c == '-' || *c == '.' || *c == '?' || *c == ' ' || *c == '@' || *c == '_' || *c == '*';
        same &= toupper((unsigned char)*c) == toupper((unsigned char)*a);
    }
    if (filler || (same && n >= 2))
        return true;
    static const char *const stock[] = {"NONAME", "NO NAME", "NO_NAME", "UNKNOWN", "N/A",  "NA",     "NONE",
                                        "NIL",    "NULL",    "TBA",     "TBD",     "TEST", "DEFAULT"};
    for (size_t i = 0; i < sizeof stock / sizeof stock[0]; i++)
        if (strlen(stock[i]) == n && strncasecmp(stock[i], a, n) == 0)
            return true;
    return false;
}

bool pel_text_gear(const char *s) {
    if (!s)
        return false;
    char up[96];
    size_t n = 0;
    for (const char *c = s; *c && n + 1 < sizeof up; c++)
        up[n++] = (char)toupper((unsigned char)*c);
    up[n] = 0;
    /* the word (or its plural) ending there: BUOY-12, BUOYS, not BUOYANT */
    static const char *const words[] = {"BUOY", "BOUY", "BOYA", "BOIA"};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        for (const char *at = strstr(up, words[w]); at; at = strstr(at + 1, words[w])) {
            const char *e = at + 4;
            if (*e == 'S')
                e++;
            if (!(*e >= 'A' && *e <= 'Z'))
                return true;
        }
    for (size_t i = 1; i < n; i++)
        if (up[i] == '%' && up[i - 1] >= '0' && up[i - 1] <= '9')
            return true;
    return false;
}

void pel_text_key(const char *s, char *out, size_t cap) {
    size_t n = 0;
    if (cap == 0)
        return;
    for (; s && *s && n + 1 < cap; s++) {
        char c = *s;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            out[n++] = c;
    }
    out[n] = 0;
}
