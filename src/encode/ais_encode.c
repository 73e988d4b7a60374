/*
 * ais_encode.c -- message encoding: a pel_ais_report to the payload bits of
 * an AIS message, for the types the simulator sends: 1, 2, 3 (class A
 * position), 5 (static and voyage data), 18 (class B position), 19
 * (extended class B position), 24 (static data, parts A and B, with the
 * mother-ship form of an auxiliary craft 98MIDxxxx) and 27 (long-range
 * position), per ITU-R M.1371-5 and gpsd's AIVDM/AIVDO document.
 *
 * Each type is one function listing its fields in transmission order, one
 * per line, with the bit offset and width from the standard -- the mirror
 * image of src/decode/ais_msg.c.  Every value is checked against its field
 * width; the first that does not fit makes the whole message fail, with a
 * message naming the field.  Spare and regional bits are sent as zero.
 *
 * Lengths: 168 bits for types 1-3 and 18, 424 for 5, 312 for 19, 168 for
 * both parts of 24 (M.1371-5 gives part A 8 spare bits after the name; the
 * older 160-bit form is not written), 96 for 27.
 *
 * Limits and choices:
 *   - Widths only: a latitude of 95 degrees fits 27 bits and is sent as it
 *     is (the simulator sends such values on purpose).
 *   - Type 27 converts from the report's finer units by rounding half away
 *     from zero: lat/lon to 1/10 minute, speed to whole knots (speeds of
 *     62.5 kn and above are sent as 62, since 63 means "not available"),
 *     course to whole degrees (one that rounds to 360 is sent as 0).
 *   - Type 24 part B of an auxiliary craft (MMSI 98xxxxxxx) carries the
 *     mother ship's MMSI where other craft carry their dimensions; the
 *     report's dimensions are then not sent (and not checked), and
 *     mothership_mmsi is ignored for every other MMSI.
 *   - Texts: lower case is sent as upper case, characters outside the
 *     6-bit set as '?', and the field is padded with '@'.  A '@' inside a
 *     text is sent as it is; receivers read it as the end of the text.
 *
 * No allocation: the caller's buffer is written in place.
 */
#include <stdio.h>
#include <string.h>

#include "pelorus.h"
#include "util/fail.h"

typedef struct enc {
    uint8_t *b;
    int type;
    pel_error *err;
    bool failed; /* the first misfit is reported; later fields are skipped */
} enc;

/* ORs the width (1..32) low bits of v into the zeroed buffer at bit off. */
static void put(enc *e, int off, int width, uint64_t v) {
    unsigned first = (unsigned)off >> 3, sh = (unsigned)off & 7;
    unsigned nbytes = (sh + (unsigned)width + 7) >> 3;
    uint64_t x = (v & ((UINT64_C(1) << width) - 1)) << (64 - width - sh);
    for (unsigned i = 0; i < nbytes; i++)
        e->b[first + i] |= (uint8_t)(x >> (56 - 8 * i));
}

static void misfit(enc *e, const char *name, long long v, long long lo, long long hi, int width) {
    if (e->failed)
        return;
    e->failed = true;
    pel_fail(e->err, PEL_ERR_ARG, "type %d: %s = %lld does not fit its %d-bit field (%lld..%lld)", e->type, name, v,
             width, lo, hi);
}

/* An unsigned field: v must be 0 .. 2^width - 1. */
static void U(enc *e, const char *name, int off, int width, long long v) {
    long long hi = (1LL << width) - 1;
    if (v < 0 || v > hi)
        misfit(e, name, v, 0, hi, width);
    else
        put(e, off, width, (uint64_t)v);
}

/* A signed (two's complement) field: v must be -2^(width-1) .. 2^(width-1) - 1. */
static void S(enc *e, const char *name, int off, int width, long long v) {
    long long hi = (1LL << (width - 1)) - 1, lo = -hi - 1;
    if (v < lo || v > hi)
        misfit(e, name, v, lo, hi, width);
    else
        put(e, off, width, (uint64_t)v);
}

/* The 6-bit code of character c: '@'..'_' are 0..31, ' '..'?' are 32..63
 * (the inverse of the decoder's table); lower case counts as upper case,
 * anything else is sent as '?' (63). */
static unsigned sixbit(unsigned char c) {
    if (c >= 'a' && c <= 'z')
        c = (unsigned char)(c - 'a' + 'A');
    if (c >= 64 && c < 96)
        return c - 64u;
    if (c >= 32 && c < 64)
        return c;
    return 63;
}

/* Text of nchars 6-bit characters at off from s, a NUL-terminated string in
 * an array of size cap (cap - 1 == nchars for every text of the report);
 * padded with '@'.  A string filling its whole array without a NUL does
 * not fit. */
static void T(enc *e, const char *name, int off, int nchars, const char *s, size_t cap) {
    size_t n = strnlen(s, cap);
    if (n >= cap || n > (size_t)nchars) {
        if (!e->failed)
            pel_fail(e->err, PEL_ERR_ARG, "type %d: %s is longer than %d characters (or unterminated)", e->type, name,
                     nchars);
        e->failed = true;
        return;
    }
    for (int i = 0; i < nchars; i++, off += 6)
        put(e, off, 6, i < (int)n ? sixbit((unsigned char)s[i]) : 0);
}

/* Rounds v / d to the nearest integer, halves away from zero (d > 0). */
static long long div_round(long long v, long long d) {
    return v >= 0 ? (v + d / 2) / d : -((-v + d / 2) / d);
}

/* ---- the message types --------------------------------------------------- */

static void header(enc *e, const pel_ais_report *r) {
    U(e, "type", 0, 6, r->type);
    U(e, "repeat", 6, 2, r->repeat);
    U(e, "mmsi", 8, 30, r->mmsi);
}

static void dims(enc *e, const pel_ais_report *r, int off) {
    U(e, "to_bow", off, 9, r->to_bow);
    U(e, "to_stern", off + 9, 9, r->to_stern);
    U(e, "to_port", off + 18, 6, r->to_port);
    U(e, "to_starboard", off + 24, 6, r->to_starboard);
}

/* 1, 2, 3: position report, class A; 168 bits */
static void type_1(enc *e, const pel_ais_report *r) {
    header(e, r);
    U(e, "status", 38, 4, r->status);
    S(e, "turn", 42, 8, r->turn);
    U(e, "speed", 50, 10, r->speed);
    U(e, "accuracy", 60, 1, r->accuracy);
    S(e, "lon", 61, 28, r->lon);
    S(e, "lat", 89, 27, r->lat);
    U(e, "course", 116, 12, r->course);
    U(e, "heading", 128, 9, r->heading);
    U(e, "second", 137, 6, r->second);
    U(e, "maneuver", 143, 2, r->maneuver);
    /* spare 145/3 */
    U(e, "raim", 148, 1, r->raim);
    U(e, "radio", 149, 19, r->radio);
}

/* 5: static and voyage related data; 424 bits */
static void type_5(enc *e, const pel_ais_report *r) {
    header(e, r);
    U(e, "ais_version", 38, 2, r->ais_version);
    U(e, "imo", 40, 30, r->imo);
    T(e, "callsign", 70, 7, r->callsign, sizeof r->callsign);
    T(e, "shipname", 112, 20, r->shipname, sizeof r->shipname);
    U(e, "shiptype", 232, 8, r->shiptype);
    dims(e, r, 240);
    U(e, "epfd", 270, 4, r->epfd);
    U(e, "eta_month", 274, 4, r->eta_month);
    U(e, "eta_day", 278, 5, r->eta_day);
    U(e, "eta_hour", 283, 5, r->eta_hour);
    U(e, "eta_minute", 288, 6, r->eta_minute);
    U(e, "draught", 294, 8, r->draught_dm);
    T(e, "destination", 302, 20, r->destination, sizeof r->destination);
    U(e, "dte", 422, 1, r->dte);
    /* spare 423/1 */
}

/* 18: standard class B position report; 168 bits */
static void type_18(enc *e, const pel_ais_report *r) {
    header(e, r);
    /* reserved 38/8 */
    U(e, "speed", 46, 10, r->speed);
    U(e, "accuracy", 56, 1, r->accuracy);
    S(e, "lon", 57, 28, r->lon);
    S(e, "lat", 85, 27, r->lat);
    U(e, "course", 112, 12, r->course);
    U(e, "heading", 124, 9, r->heading);
    U(e, "second", 133, 6, r->second);
    /* regional 139/2 */
    U(e, "cs", 141, 1, r->cs);
    U(e, "display", 142, 1, r->display);
    U(e, "dsc", 143, 1, r->dsc);
    U(e, "band", 144, 1, r->band);
    U(e, "msg22", 145, 1, r->msg22);
    U(e, "assigned", 146, 1, r->assigned);
    U(e, "raim", 147, 1, r->raim);
    U(e, "radio", 148, 20, r->radio);
}

/* 19: extended class B position report; 312 bits */
static void type_19(enc *e, const pel_ais_report *r) {
    header(e, r);
    /* reserved 38/8 */
    U(e, "speed", 46, 10, r->speed);
    U(e, "accuracy", 56, 1, r->accuracy);
    S(e, "lon", 57, 28, r->lon);
    S(e, "lat", 85, 27, r->lat);
    U(e, "course", 112, 12, r->course);
    U(e, "heading", 124, 9, r->heading);
    U(e, "second", 133, 6, r->second);
    /* regional 139/4 */
    T(e, "shipname", 143, 20, r->shipname, sizeof r->shipname);
    U(e, "shiptype", 263, 8, r->shiptype);
    dims(e, r, 271);
    U(e, "epfd", 301, 4, r->epfd);
    U(e, "raim", 305, 1, r->raim);
    U(e, "dte", 306, 1, r->dte);
    U(e, "assigned", 307, 1, r->assigned);
    /* spare 308/4 */
}

/* 24: static data report, part A (name) or part B; 168 bits each */
static void type_24(enc *e, const pel_ais_report *r) {
    header(e, r);
    U(e, "partno", 38, 2, r->partno);
    if (r->partno == 0) {
        T(e, "shipname", 40, 20, r->shipname, sizeof r->shipname);
        /* spare 160/8 */
        return;
    }
    if (r->partno != 1) /* 2 and 3 are reserved */
        misfit(e, "partno", r->partno, 0, 1, 2);
    U(e, "shiptype", 40, 8, r->shiptype);
    T(e, "vendorid", 48, 3, r->vendorid, sizeof r->vendorid);
    U(e, "model", 66, 4, r->model);
    U(e, "serial", 70, 20, r->serial);
    T(e, "callsign", 90, 7, r->callsign, sizeof r->callsign);
    if (r->mmsi / 10000000 == 98)
        U(e, "mothership_mmsi", 132, 30, r->mothership_mmsi);
    else
        dims(e, r, 132);
    /* spare 162/6 */
}

/* 27: long-range AIS broadcast message; 96 bits.  The report's units are
 * converted (see the file header); n/a values map to n/a values. */
static void type_27(enc *e, const pel_ais_report *r) {
    long long lon = r->lon == PEL_NA_LON ? 181 * 600 : div_round(r->lon, 1000);
    long long lat = r->lat == PEL_NA_LAT ? 91 * 600 : div_round(r->lat, 1000);
    long long speed = r->speed, course = r->course;
    /* the report's speed and course are checked in their own units first */
    if (speed < 0 || speed > 1023)
        misfit(e, "speed (1/10 knot)", speed, 0, 1023, 10);
    else if (speed == PEL_NA_SPEED)
        speed = 63;
    else if ((speed = div_round(speed, 10)) > 62) /* 63 would mean "not available" */
        speed = 62;
    if (course < 0 || course > 4095)
        misfit(e, "course (1/10 degree)", course, 0, 4095, 12);
    else if (course == PEL_NA_COURSE)
        course = 511;
    else if ((course = div_round(course, 10)) == 360) /* 359.5 degrees rounds to 0 */
        course = 0;
    header(e, r);
    U(e, "accuracy", 38, 1, r->accuracy);
    U(e, "raim", 39, 1, r->raim);
    U(e, "status", 40, 4, r->status);
    S(e, "lon", 44, 18, lon);
    S(e, "lat", 62, 17, lat);
    U(e, "speed", 79, 6, speed);
    U(e, "course", 85, 9, course);
    U(e, "gnss", 94, 1, r->gnss);
    /* spare 95/1 */
}

/* Sets every member of r to its "not available" value (flags, counters and
 * texts to 0 / empty), then type and mmsi.  r is the caller's. */
void pel_ais_report_init(pel_ais_report *r, int type, uint32_t mmsi) {
    memset(r, 0, sizeof *r);
    r->type = type;
    r->mmsi = mmsi;
    r->lat = PEL_NA_LAT;
    r->lon = PEL_NA_LON;
    r->speed = PEL_NA_SPEED;
    r->course = PEL_NA_COURSE;
    r->heading = PEL_NA_HEADING;
    r->status = PEL_NA_STATUS;
    r->turn = -128;
    r->second = 60;
    r->eta_hour = 24;
    r->eta_minute = 60;
}

/* Encodes r into the caller's buffer bits (cap bytes, MSB first); r is
 * only read.  Returns the bit count, or -1 with err (may be NULL) filled:
 * unknown type, a value that does not fit its field (the message names the
 * first such field), or cap too small.  On failure bits holds garbage. */
int pel_ais_encode(const pel_ais_report *r, uint8_t *bits, size_t cap, pel_error *err) {
    static const short nbits[28] = {
        [1] = 168, [2] = 168, [3] = 168, [5] = 424, [18] = 168, [19] = 312, [24] = 168, [27] = 96};
    int n = r->type >= 0 && r->type < 28 ? nbits[r->type] : 0;
    if (n == 0) {
        pel_fail(err, PEL_ERR_ARG, "type %d is not one the encoder writes (1, 2, 3, 5, 18, 19, 24, 27)", r->type);
        return -1;
    }
    if (!bits || cap < (size_t)(n + 7) / 8) {
        pel_fail(err, PEL_ERR_ARG, "type %d: %d bits need %d bytes, the buffer has %zu", r->type, n, (n + 7) / 8,
                 bits ? cap : 0);
        return -1;
    }
    memset(bits, 0, (size_t)(n + 7) / 8);
    enc e = {bits, r->type, err, false};
    switch (r->type) {
    case 5:
        type_5(&e, r);
        break;
    case 18:
        type_18(&e, r);
        break;
    case 19:
        type_19(&e, r);
        break;
    case 24:
        type_24(&e, r);
        break;
    case 27:
        type_27(&e, r);
        break;
    default:
        type_1(&e, r);
        break;
    }
    return e.failed ? -1 : n;
}
