/*
 * ais_msg.c -- message decoding: a de-armoured payload to fields, for every
 * AIS message type 1..27 of ITU-R M.1371-5, with gpsd's field names.
 *
 * Each type is one function that lists its fields in the order gpsd prints
 * them, one per line, with the bit offset and width from the standard (and
 * gpsd's AIVDM/AIVDO document).  Fields past the end of a shorter-than-full
 * payload read as zero, as gpsd's do.
 *
 * Tested against gpsd's regression files (tests/peer_test.sh).  Binary
 * application payloads of types 6, 8, 25 and 26 are given as DAC/FI and hex;
 * their application-specific contents are not decoded (see
 * tests/peers/deviations.txt).
 */
#include <math.h>
#include <string.h>

#include "ais_internal.h"

typedef struct dec {
    pel_ais_msg *m;
    const uint8_t *b;
    int len;
} dec;

/* Appends a field; returns its raw value.  The macros below pass the
 * length of the literal name, so the JSON writer never measures it. */
static int64_t add_(dec *d, const char *name, size_t namelen, int kind, int64_t v) {
    pel_ais_msg *m = d->m;
    if (m->nfields < PEL_AIS_MAX_FIELDS) {
        pel_ais_field *f = &m->f[m->nfields++];
        f->name = name;
        f->namelen = (uint8_t)namelen;
        f->kind = (uint8_t)kind;
        f->v = v;
        f->s = NULL;
        f->slen = 0;
    }
    return v;
}

#define add(d, name, kind, v) add_(d, name, sizeof(name) - 1, kind, v)

/* An unsigned field of width bits at off. */
#define U(d, name, off, width, kind) add(d, name, kind, (int64_t)ais_ubits((d)->b, (unsigned)(off), (unsigned)(width)))

/* A signed (two's complement) field. */
#define S(d, name, off, width, kind) add(d, name, kind, ais_sbits((d)->b, (unsigned)(off), (unsigned)(width)))

/* Appends nchars of 6-bit text at off to the message's text storage, stopping
 * at '@'; returns the start. */
static const char *sixbit(dec *d, int off, int nchars, int *outlen) {
    static const char six[] = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?";
    pel_ais_msg *m = d->m;
    char *start = m->text + m->textlen;
    int n = 0;
    for (int i = 0; i < nchars; i++, off += 6) {
        char c = six[ais_ubits(d->b, (unsigned)off, 6)];
        if (c == '@')
            break;
        if (m->textlen + n + 1 >= sizeof m->text)
            break;
        start[n++] = c;
    }
    *outlen = n;
    return start;
}

/* Text of nchars characters at off ('@' ends it, trailing spaces dropped). */
#define T(d, name, off, nchars) T_(d, name, sizeof(name) - 1, off, nchars)
static const char *T_(dec *d, const char *name, size_t namelen, int off, int nchars) {
    int n;
    const char *s = sixbit(d, off, nchars, &n);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    d->m->text[d->m->textlen + n] = 0;
    d->m->textlen += n + 1;
    add_(d, name, namelen, PEL_F_TEXT, n);
    d->m->f[d->m->nfields - 1].s = s;
    d->m->f[d->m->nfields - 1].slen = (uint16_t)n;
    return s;
}

/* Binary data from off to off+nbits as hex, padded to whole bytes. */
#define D(d, name, off, nbits) D_(d, name, sizeof(name) - 1, off, nbits)
static void D_(dec *d, const char *name, size_t namelen, int off, int nbits) {
    static const char hex[] = "0123456789abcdef";
    pel_ais_msg *m = d->m;
    if (nbits < 0)
        nbits = 0;
    int nbytes = (nbits + 7) / 8;
    if (m->textlen + 2 * (size_t)nbytes + 1 > sizeof m->text)
        nbytes = (int)((sizeof m->text - m->textlen - 1) / 2);
    char *s = m->text + m->textlen;
    for (int i = 0; i < nbytes; i++) {
        int w = nbits - 8 * i >= 8 ? 8 : nbits - 8 * i;
        unsigned v = (unsigned)ais_ubits(d->b, (unsigned)(off + 8 * i), (unsigned)w) << (8 - w);
        s[2 * i] = hex[v >> 4];
        s[2 * i + 1] = hex[v & 15];
    }
    s[2 * nbytes] = 0;
    m->textlen += 2 * (size_t)nbytes + 1;
    add_(d, name, namelen, PEL_F_DATA, nbits);
    m->f[m->nfields - 1].s = s;
    m->f[m->nfields - 1].slen = (uint16_t)(2 * nbytes);
}

/* ---- the normalised view ------------------------------------------------ */

static void set_pos4(pel_ais_msg *m, int64_t lon, int64_t lat) {
    m->lat_raw = (int32_t)lat;
    m->lon_raw = (int32_t)lon;
    if (lon != 181 * 600000 && lat != 91 * 600000 && lon >= -180 * 600000 && lon <= 180 * 600000 &&
        lat >= -90 * 600000 && lat <= 90 * 600000) {
        m->lon = lon / 600000.0;
        m->lat = lat / 600000.0;
    }
}

static void set_motion(pel_ais_msg *m, int64_t speed, int64_t course, int64_t heading) {
    if (speed != 1023)
        m->speed = speed / 10.0;
    if (course < 3600)
        m->course = course / 10.0;
    if (heading < 360)
        m->heading = (int)heading;
}

static void set_dims(pel_ais_msg *m, int off, const uint8_t *b) {
    m->to_bow = (int)ais_ubits(b, (unsigned)off, 9);
    m->to_stern = (int)ais_ubits(b, (unsigned)off + 9, 9);
    m->to_port = (int)ais_ubits(b, (unsigned)off + 18, 6);
    m->to_starboard = (int)ais_ubits(b, (unsigned)off + 24, 6);
}

static void dims(dec *d, int off) {
    U(d, "to_bow", off, 9, PEL_F_UINT);
    U(d, "to_stern", off + 9, 9, PEL_F_UINT);
    U(d, "to_port", off + 18, 6, PEL_F_UINT);
    U(d, "to_starboard", off + 24, 6, PEL_F_UINT);
    set_dims(d->m, off, d->b);
}

/* ---- the message types --------------------------------------------------- */

/* 1, 2, 3: position report, class A */
static void type_1(dec *d) {
    pel_ais_msg *m = d->m;
    m->status = (int)U(d, "status", 38, 4, PEL_F_STATUS);
    S(d, "turn", 42, 8, PEL_F_TURN);
    int64_t speed = U(d, "speed", 50, 10, PEL_F_SPEED);
    U(d, "accuracy", 60, 1, PEL_F_BOOL);
    int64_t lon = S(d, "lon", 61, 28, PEL_F_LON4);
    int64_t lat = S(d, "lat", 89, 27, PEL_F_LAT4);
    int64_t course = U(d, "course", 116, 12, PEL_F_COURSE);
    int64_t heading = U(d, "heading", 128, 9, PEL_F_HEADING);
    m->second = (int)U(d, "second", 137, 6, PEL_F_UINT);
    U(d, "maneuver", 143, 2, PEL_F_UINT);
    U(d, "raim", 148, 1, PEL_F_BOOL);
    U(d, "radio", 149, 19, PEL_F_UINT);
    set_pos4(m, lon, lat);
    set_motion(m, speed, course, heading);
}

/* 4, 11: base station report, UTC/date response */
static void type_4(dec *d) {
    int64_t t = (int64_t)ais_ubits(d->b, 38, 14) << 26 | (int64_t)ais_ubits(d->b, 52, 4) << 22 |
                (int64_t)ais_ubits(d->b, 56, 5) << 17 | (int64_t)ais_ubits(d->b, 61, 5) << 12 |
                (int64_t)ais_ubits(d->b, 66, 6) << 6 | (int64_t)ais_ubits(d->b, 72, 6);
    add(d, "timestamp", PEL_F_TIME4, t); /* year 38/14 month 52/4 day 56/5 hour 61/5 minute 66/6 second 72/6 */
    U(d, "accuracy", 78, 1, PEL_F_BOOL);
    int64_t lon = S(d, "lon", 79, 28, PEL_F_LON4);
    int64_t lat = S(d, "lat", 107, 27, PEL_F_LAT4);
    U(d, "epfd", 134, 4, PEL_F_EPFD);
    U(d, "raim", 148, 1, PEL_F_BOOL);
    U(d, "radio", 149, 19, PEL_F_UINT);
    set_pos4(d->m, lon, lat);
}

/* The ETA field (month 4 bits, day 5, hour 5, minute 6) as transmitted,
 * "MM-DDTHH:MMZ", as the JSON writer prints it. */
static void eta_text(char out[13], int64_t v) {
    unsigned mo = (unsigned)(v >> 16) & 15, d = (unsigned)(v >> 11) & 31, h = (unsigned)(v >> 6) & 31,
             mi = (unsigned)v & 63;
    out[0] = (char)('0' + mo / 10), out[1] = (char)('0' + mo % 10), out[2] = '-';
    out[3] = (char)('0' + d / 10), out[4] = (char)('0' + d % 10), out[5] = 'T';
    out[6] = (char)('0' + h / 10), out[7] = (char)('0' + h % 10), out[8] = ':';
    out[9] = (char)('0' + mi / 10), out[10] = (char)('0' + mi % 10), out[11] = 'Z', out[12] = 0;
}

/* 5: static and voyage related data */
static void type_5(dec *d) {
    pel_ais_msg *m = d->m;
    m->imo = (uint32_t)U(d, "imo", 40, 30, PEL_F_UINT);
    U(d, "ais_version", 38, 2, PEL_F_UINT);
    m->callsign = T(d, "callsign", 70, 7);
    m->shipname = T(d, "shipname", 112, 20);
    m->shiptype = (int)U(d, "shiptype", 232, 8, PEL_F_SHIPTYPE);
    dims(d, 240);
    U(d, "epfd", 270, 4, PEL_F_EPFD);
    eta_text(m->eta, U(d, "eta", 274, 20, PEL_F_ETA)); /* month 4, day 5, hour 5, minute 6 */
    int64_t draught = U(d, "draught", 294, 8, PEL_F_DRAUGHT);
    m->destination = T(d, "destination", 302, 20);
    U(d, "dte", 422, 1, PEL_F_UINT);
    m->draught = draught / 10.0;
}

/* 6: binary addressed message */
static void type_6(dec *d) {
    U(d, "seqno", 38, 2, PEL_F_UINT);
    U(d, "dest_mmsi", 40, 30, PEL_F_UINT);
    U(d, "retransmit", 70, 1, PEL_F_BOOL);
    U(d, "dac", 72, 10, PEL_F_UINT);
    U(d, "fid", 82, 6, PEL_F_UINT);
    D(d, "data", 88, d->len - 88);
}

/* 7, 13: binary / safety acknowledge */
static void type_7(dec *d) {
    U(d, "mmsi1", 40, 30, PEL_F_UINT);
    U(d, "mmsi2", 72, 30, PEL_F_UINT);
    U(d, "mmsi3", 104, 30, PEL_F_UINT);
    U(d, "mmsi4", 136, 30, PEL_F_UINT);
}

/* 8: binary broadcast message */
static void type_8(dec *d) {
    U(d, "dac", 40, 10, PEL_F_UINT);
    U(d, "fid", 50, 6, PEL_F_UINT);
    D(d, "data", 56, d->len - 56);
}

/* 9: standard SAR aircraft position report */
static void type_9(dec *d) {
    pel_ais_msg *m = d->m;
    U(d, "alt", 38, 12, PEL_F_UINT);
    int64_t speed = U(d, "speed", 50, 10, PEL_F_SPEED9);
    U(d, "accuracy", 60, 1, PEL_F_BOOL);
    int64_t lon = S(d, "lon", 61, 28, PEL_F_LON4);
    int64_t lat = S(d, "lat", 89, 27, PEL_F_LAT4);
    int64_t course = U(d, "course", 116, 12, PEL_F_COURSE);
    m->second = (int)U(d, "second", 128, 6, PEL_F_UINT);
    U(d, "regional", 134, 8, PEL_F_UINT);
    U(d, "dte", 142, 1, PEL_F_UINT);
    U(d, "assigned", 146, 1, PEL_F_SKIP);
    U(d, "raim", 147, 1, PEL_F_BOOL);
    U(d, "radio", 148, 20, PEL_F_UINT);
    set_pos4(m, lon, lat);
    if (speed != 1023)
        m->speed = (double)speed;
    if (course < 3600)
        m->course = course / 10.0;
}

/* 10: UTC/date inquiry */
static void type_10(dec *d) {
    U(d, "dest_mmsi", 40, 30, PEL_F_UINT);
}

/* 12: addressed safety related message */
static void type_12(dec *d) {
    U(d, "seqno", 38, 2, PEL_F_UINT);
    U(d, "dest_mmsi", 40, 30, PEL_F_UINT);
    U(d, "retransmit", 70, 1, PEL_F_BOOL);
    T(d, "text", 72, (d->len - 72) / 6);
}

/* 14: safety related broadcast message */
static void type_14(dec *d) {
    T(d, "text", 40, (d->len - 40) / 6);
}

/* 15: interrogation */
static void type_15(dec *d) {
    U(d, "mmsi1", 40, 30, PEL_F_UINT);
    U(d, "type1_1", 70, 6, PEL_F_UINT);
    U(d, "offset1_1", 76, 12, PEL_F_UINT);
    U(d, "type1_2", 90, 6, PEL_F_UINT);
    U(d, "offset1_2", 96, 12, PEL_F_UINT);
    U(d, "mmsi2", 110, 30, PEL_F_UINT);
    U(d, "type2_1", 140, 6, PEL_F_UINT);
    U(d, "offset2_1", 146, 12, PEL_F_UINT);
}

/* 16: assignment mode command */
static void type_16(dec *d) {
    U(d, "mmsi1", 40, 30, PEL_F_UINT);
    U(d, "offset1", 70, 12, PEL_F_UINT);
    U(d, "increment1", 82, 10, PEL_F_UINT);
    U(d, "mmsi2", 92, 30, PEL_F_UINT);
    U(d, "offset2", 122, 12, PEL_F_UINT);
    U(d, "increment2", 134, 10, PEL_F_UINT);
}

/* 17: DGNSS broadcast binary message */
static void type_17(dec *d) {
    S(d, "lon", 40, 18, PEL_F_LON1);
    S(d, "lat", 58, 17, PEL_F_LAT1);
    D(d, "data", 80, d->len - 80);
}

/* 18: standard class B position report */
static void type_18(dec *d) {
    pel_ais_msg *m = d->m;
    U(d, "reserved", 38, 8, PEL_F_UINT);
    int64_t speed = U(d, "speed", 46, 10, PEL_F_SPEED);
    U(d, "accuracy", 56, 1, PEL_F_BOOL);
    int64_t lon = S(d, "lon", 57, 28, PEL_F_LON4);
    int64_t lat = S(d, "lat", 85, 27, PEL_F_LAT4);
    int64_t course = U(d, "course", 112, 12, PEL_F_COURSE);
    int64_t heading = U(d, "heading", 124, 9, PEL_F_HEADING);
    m->second = (int)U(d, "second", 133, 6, PEL_F_UINT);
    U(d, "regional", 139, 2, PEL_F_UINT);
    U(d, "cs", 141, 1, PEL_F_BOOL);
    U(d, "display", 142, 1, PEL_F_BOOL);
    U(d, "dsc", 143, 1, PEL_F_BOOL);
    U(d, "band", 144, 1, PEL_F_BOOL);
    U(d, "msg22", 145, 1, PEL_F_BOOL);
    U(d, "assigned", 146, 1, PEL_F_SKIP);
    U(d, "raim", 147, 1, PEL_F_BOOL);
    U(d, "radio", 148, 20, PEL_F_UINT);
    set_pos4(m, lon, lat);
    set_motion(m, speed, course, heading);
}

/* 19: extended class B position report */
static void type_19(dec *d) {
    pel_ais_msg *m = d->m;
    U(d, "reserved", 38, 8, PEL_F_UINT);
    int64_t speed = U(d, "speed", 46, 10, PEL_F_SPEED);
    U(d, "accuracy", 56, 1, PEL_F_BOOL);
    int64_t lon = S(d, "lon", 57, 28, PEL_F_LON4);
    int64_t lat = S(d, "lat", 85, 27, PEL_F_LAT4);
    int64_t course = U(d, "course", 112, 12, PEL_F_COURSE);
    int64_t heading = U(d, "heading", 124, 9, PEL_F_HEADING);
    m->second = (int)U(d, "second", 133, 6, PEL_F_UINT);
    U(d, "regional", 139, 4, PEL_F_UINT);
    m->shipname = T(d, "shipname", 143, 20);
    m->shiptype = (int)U(d, "shiptype", 263, 8, PEL_F_SHIPTYPE);
    dims(d, 271);
    U(d, "epfd", 301, 4, PEL_F_EPFD);
    U(d, "raim", 305, 1, PEL_F_BOOL);
    U(d, "dte", 306, 1, PEL_F_UINT);
    U(d, "assigned", 307, 1, PEL_F_BOOL);
    set_pos4(m, lon, lat);
    set_motion(m, speed, course, heading);
}

/* 20: data link management message: four reservations of 30 bits */
static void type_20(dec *d) {
    U(d, "offset1", 40, 12, PEL_F_UINT);
    U(d, "number1", 52, 4, PEL_F_UINT);
    U(d, "timeout1", 56, 3, PEL_F_UINT);
    U(d, "increment1", 59, 11, PEL_F_UINT);
    U(d, "offset2", 70, 12, PEL_F_UINT);
    U(d, "number2", 82, 4, PEL_F_UINT);
    U(d, "timeout2", 86, 3, PEL_F_UINT);
    U(d, "increment2", 89, 11, PEL_F_UINT);
    U(d, "offset3", 100, 12, PEL_F_UINT);
    U(d, "number3", 112, 4, PEL_F_UINT);
    U(d, "timeout3", 116, 3, PEL_F_UINT);
    U(d, "increment3", 119, 11, PEL_F_UINT);
    U(d, "offset4", 130, 12, PEL_F_UINT);
    U(d, "number4", 142, 4, PEL_F_UINT);
    U(d, "timeout4", 146, 3, PEL_F_UINT);
    U(d, "increment4", 149, 11, PEL_F_UINT);
}

/* 21: aid-to-navigation report; the name extension (bits 272..) continues
 * the 20-character name */
static void type_21(dec *d) {
    pel_ais_msg *m = d->m;
    U(d, "aid_type", 38, 5, PEL_F_AIDTYPE);
    int n1, n2 = 0;
    const char *s = sixbit(d, 43, 20, &n1);
    if (n1 == 20 && d->len > 272) {
        m->textlen += (size_t)n1;
        sixbit(d, 272, (d->len - 272) / 6, &n2);
        m->textlen -= (size_t)n1;
    }
    int n = n1 + n2;
    while (n > 0 && s[n - 1] == ' ')
        n--;
    m->text[m->textlen + n] = 0;
    m->textlen += (size_t)n + 1;
    add(d, "name", PEL_F_TEXT, n);
    m->f[m->nfields - 1].s = s;
    m->f[m->nfields - 1].slen = (uint16_t)n;
    m->shipname = s;
    int64_t lon = S(d, "lon", 164, 28, PEL_F_LON4);
    int64_t lat = S(d, "lat", 192, 27, PEL_F_LAT4);
    U(d, "accuracy", 163, 1, PEL_F_BOOL);
    dims(d, 219);
    U(d, "epfd", 249, 4, PEL_F_EPFD);
    m->second = (int)U(d, "second", 253, 6, PEL_F_UINT);
    U(d, "regional", 260, 8, PEL_F_UINT);
    U(d, "off_position", 259, 1, PEL_F_BOOL);
    U(d, "raim", 268, 1, PEL_F_BOOL);
    U(d, "virtual_aid", 269, 1, PEL_F_BOOL);
    set_pos4(m, lon, lat);
}

/* 22: channel management */
static void type_22(dec *d) {
    U(d, "channel_a", 40, 12, PEL_F_UINT);
    U(d, "channel_b", 52, 12, PEL_F_UINT);
    U(d, "txrx", 64, 4, PEL_F_UINT);
    U(d, "power", 68, 1, PEL_F_BOOL);
    bool addressed = ais_ubits(d->b, 139, 1);
    if (addressed) {
        U(d, "dest1", 69, 30, PEL_F_UINT);
        U(d, "dest2", 104, 30, PEL_F_UINT);
    } else {
        S(d, "ne_lon", 69, 18, PEL_F_CORNER);
        S(d, "ne_lat", 87, 17, PEL_F_CORNER);
        S(d, "sw_lon", 104, 18, PEL_F_CORNER);
        S(d, "sw_lat", 122, 17, PEL_F_CORNER);
    }
    U(d, "addressed", 139, 1, PEL_F_BOOL);
    U(d, "band_a", 140, 1, PEL_F_BOOL);
    U(d, "band_b", 141, 1, PEL_F_BOOL);
    U(d, "zonesize", 142, 3, PEL_F_UINT);
}

/* 23: group assignment command */
static void type_23(dec *d) {
    S(d, "ne_lon", 40, 18, PEL_F_CORNER);
    S(d, "ne_lat", 58, 17, PEL_F_CORNER);
    S(d, "sw_lon", 75, 18, PEL_F_CORNER);
    S(d, "sw_lat", 93, 17, PEL_F_CORNER);
    U(d, "stationtype", 110, 4, PEL_F_STATIONTYPE);
    U(d, "shiptype", 114, 8, PEL_F_SHIPTYPE);
    U(d, "txrx", 144, 2, PEL_F_SKIP);
    U(d, "interval", 146, 4, PEL_F_UINT);
    U(d, "quiet", 150, 4, PEL_F_UINT);
}

/* 24: static data report, part A (name) or part B (type, vendor, call sign,
 * dimensions or, for an auxiliary craft 98MIDxxxx, its mother ship) */
static void type_24(dec *d) {
    pel_ais_msg *m = d->m;
    m->partno = (int)U(d, "partno", 38, 2, PEL_F_UINT);
    if (m->partno == 0) {
        m->shipname = T(d, "shipname", 40, 20);
        return;
    }
    m->shiptype = (int)U(d, "shiptype", 40, 8, PEL_F_SHIPTYPE);
    T(d, "vendorid", 48, 7); /* gpsd reads 7 characters: vendor (3) with model and serial as text */
    U(d, "model", 66, 4, PEL_F_UINT);
    U(d, "serial", 70, 20, PEL_F_UINT);
    m->callsign = T(d, "callsign", 90, 7);
    if (m->mmsi / 10000000 == 98)
        U(d, "mothership_mmsi", 132, 30, PEL_F_UINT);
    else
        dims(d, 132);
}

/* 25, 26: single / multiple slot binary message */
static void type_25(dec *d) {
    bool addressed = ais_ubits(d->b, 38, 1), structured = ais_ubits(d->b, 39, 1);
    int off = 40;
    U(d, "addressed", 38, 1, PEL_F_BOOL);
    U(d, "structured", 39, 1, PEL_F_BOOL);
    if (addressed) { /* no spare after the destination (as gpsd and libais read it) */
        U(d, "dest_mmsi", off, 30, PEL_F_UINT);
        off += 30;
    } else
        add(d, "dest_mmsi", PEL_F_UINT, 0);
    if (structured) {
        U(d, "app_id", off, 16, PEL_F_UINT);
        off += 16;
    } else
        add(d, "app_id", PEL_F_UINT, 0);
    int end = d->m->type == 26 ? d->len - 20 : d->len;
    D(d, "data", off, end - off);
    if (d->m->type == 26)
        U(d, "radio", d->len - 20, 20, PEL_F_UINT);
}

/* 27: long-range position report */
static void type_27(dec *d) {
    pel_ais_msg *m = d->m;
    m->status = (int)U(d, "status", 40, 4, PEL_F_STATUS27);
    U(d, "accuracy", 38, 1, PEL_F_BOOL);
    int64_t lon = S(d, "lon", 44, 18, PEL_F_LON1);
    int64_t lat = S(d, "lat", 62, 17, PEL_F_LAT1);
    int64_t speed = U(d, "speed", 79, 6, PEL_F_SPEED27);
    int64_t course = U(d, "course", 85, 9, PEL_F_COURSE27);
    U(d, "raim", 39, 1, PEL_F_BOOL);
    U(d, "gnss", 94, 1, PEL_F_BOOL);
    m->lat_raw = lat == 91 * 600 ? 91 * 600000 : (int32_t)(lat * 1000);
    m->lon_raw = lon == 181 * 600 ? 181 * 600000 : (int32_t)(lon * 1000);
    if (lon != 181 * 600 && lat != 91 * 600 && lon >= -180 * 600 && lon <= 180 * 600 && lat >= -90 * 600 &&
        lat <= 90 * 600) {
        m->lon = lon / 600.0;
        m->lat = lat / 600.0;
    }
    if (speed != 63)
        m->speed = (double)speed;
    if (course != 511)
        m->course = (double)course;
}

// clang-format off
/* Accepted payload lengths in bits, per type, and the standard length of
 * the types that have one (ITU-R M.1371-5; 0 where the length varies).
 *   - The minimum is what carries the fields that matter: a truncated
 *     radio-state tail is tolerated, as gpsd tolerates it; type 5 from 420
 *     bits (gpsd: "a lot of transmitters in the wild ship with a length of
 *     420 or 422").
 *   - A fixed-length message may be longer than its standard: real feeds
 *     carry types 1-3 with 18 extra bits (MarineTraffic) and types 1, 3, 4
 *     and 5 with 36 (about 0.9 % of an AISHub feed).  gpsd decodes them at
 *     the standard length (its current driver_ais.c bounds types 1-3 to
 *     163..204 bits; 3.22, the Debian 12 gpsdecode, takes any length from
 *     163, 168 for 4, 9, 11, 18 and 22, 420 for 5, 312 for 19, 160 for 23;
 *     type 27 only at 96 or 168).  We take up to 36 bits more than the
 *     standard (type 27: 168, as gpsd), decode at the standard length and
 *     count the message as oversize; beyond that the payload is rejected as
 *     bad_length, as is anything under the minimum.
 *   - Type 24 part A is 160 bits, part B 168 (both up to 168, as gpsd).
 * Fields past the end of a short payload read as zero. */
static const struct { void (*fn)(dec *); short min, std, max; } types[28] = {
    [1]  = {type_1, 149, 168, 204},  [2]  = {type_1, 149, 168, 204},  [3]  = {type_1, 149, 168, 204},
    [4]  = {type_4, 149, 168, 204},  [5]  = {type_5, 420, 424, 460},  [6]  = {type_6, 88, 0, 1008},
    [7]  = {type_7, 72, 0, 168},     [8]  = {type_8, 56, 0, 1008},    [9]  = {type_9, 148, 168, 204},
    [10] = {type_10, 70, 72, 108},   [11] = {type_4, 149, 168, 204},  [12] = {type_12, 72, 0, 1008},
    [13] = {type_7, 72, 0, 168},     [14] = {type_14, 40, 0, 1008},   [15] = {type_15, 88, 0, 168},
    [16] = {type_16, 96, 0, 168},    [17] = {type_17, 80, 0, 816},    [18] = {type_18, 148, 168, 204},
    [19] = {type_19, 308, 312, 348}, [20] = {type_20, 72, 0, 192},    [21] = {type_21, 272, 0, 368},
    [22] = {type_22, 145, 168, 204}, [23] = {type_23, 154, 160, 196}, [24] = {type_24, 160, 0, 168},
    [25] = {type_25, 40, 0, 168},    [26] = {type_25, 60, 0, 1064},   [27] = {type_27, 95, 96, 168},
};
// clang-format on

int ais_std_bits(int type, int partno) {
    if (type == 24)
        return partno == 0 ? 160 : partno == 1 ? 168 : 0;
    return type >= 1 && type <= 27 ? types[type].std : 0;
}

pel_reject pel_ais_decode_bits(pel_ais_msg *m, const uint8_t *bits, int bitlen) {
    m->nfields = 0;
    m->textlen = 0;
    m->type = 0;
    m->mmsi = 0;
    m->repeat = 0;
    m->lat = m->lon = NAN;
    m->lat_raw = 91 * 600000;
    m->lon_raw = 181 * 600000;
    m->speed = m->course = NAN;
    m->heading = m->status = m->second = m->partno = -1;
    m->imo = 0;
    m->shiptype = -1;
    m->to_bow = m->to_stern = m->to_port = m->to_starboard = -1;
    m->draught = NAN;
    m->shipname = m->callsign = m->destination = NULL;
    m->eta[0] = 0;
    if (bitlen < 38) {
        if (bitlen >= 6)
            m->type = (int)(bits[0] >> 2);
        return PEL_REJ_BAD_LENGTH;
    }
    /* work on the message's own zero-padded copy, so that fields past the
     * end of a short payload read as zero and never outside the buffer */
    int nbytes = (bitlen + 7) / 8;
    if (nbytes > (int)sizeof m->bits)
        return PEL_REJ_BAD_LENGTH;
    if (bits != m->bits)
        memcpy(m->bits, bits, (size_t)nbytes);
    if (bitlen % 8)
        m->bits[nbytes - 1] &= (uint8_t)(0xff << (8 - bitlen % 8));
    size_t pad = sizeof m->bits - (size_t)nbytes;
    memset(m->bits + nbytes, 0, pad < 64 ? pad : 64);
    m->bitlen = bitlen;
    bits = m->bits;
    dec d = {m, bits, bitlen};
    m->type = (int)ais_ubits(bits, 0, 6);
    m->repeat = (int)ais_ubits(bits, 6, 2);
    m->mmsi = (uint32_t)ais_ubits(bits, 8, 30);
    if (m->type < 1 || m->type > 27)
        return PEL_REJ_BAD_TYPE;
    if (bitlen < types[m->type].min || bitlen > types[m->type].max)
        return PEL_REJ_BAD_LENGTH;
    if (m->type == 24) {
        int part = (int)ais_ubits(bits, 38, 2);
        if (part > 1 || (part == 1 && bitlen < 162))
            return part > 1 ? PEL_REJ_BAD_TYPE : PEL_REJ_BAD_LENGTH;
    }
    int std = ais_std_bits(m->type, m->type == 24 ? (int)ais_ubits(bits, 38, 2) : -1);
    if (std && bitlen > std)
        d.len = std; /* oversize: decoded at the standard length */
    types[m->type].fn(&d);
    return PEL_REJ_NONE;
}

void pel_ais_msg_copy(pel_ais_msg *dst, const pel_ais_msg *src) {
    if (dst == src)
        return;
    *dst = *src;
#define REBASE(ptr)                                                                                                    \
    if ((ptr) && (ptr) >= src->text && (ptr) < src->text + sizeof src->text)                                           \
    (ptr) = dst->text + ((ptr)-src->text)
    REBASE(dst->shipname);
    REBASE(dst->callsign);
    REBASE(dst->destination);
    for (int i = 0; i < dst->nfields; i++)
        REBASE(dst->f[i].s);
#undef REBASE
}

const pel_ais_field *pel_ais_get(const pel_ais_msg *m, const char *name) {
    for (int i = 0; i < m->nfields; i++)
        if (strcmp(m->f[i].name, name) == 0)
            return &m->f[i];
    return NULL;
}

bool pel_imo_valid(uint32_t imo) {
    if (imo < 1000000 || imo > 9999999)
        return false;
    unsigned sum = 0, w = 7;
    for (uint32_t div = 1000000; div >= 10; div /= 10, w--)
        sum += (imo / div % 10) * w;
    return sum % 10 == imo % 10;
}
