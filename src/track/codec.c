/*
 * codec.c -- positions packed into chunks: the storage format of tracks.
 *
 * A chunk is one vessel's positions, delta-encoded with LEB128 varints and
 * zigzag for signed deltas, which takes ~18-22 bytes a position instead of
 * ~60 as SQLite rows with indices.  docs/schema.md documents the layout so
 * that other tools can read it:
 *
 *   byte    version (1)
 *   varint  n
 *   n times:
 *     zz(dsec) varint ms      time: seconds delta and the millisecond part
 *     zz(dlat) zz(dlon)       1/600000 degree deltas
 *     speed course heading    varints (1/10 kn, 1/10 deg, deg; n/a values kept)
 *     byte status  byte type  byte flags|clock<<4  byte second+1
 *     varint segment+1
 *     zz(dinput) varint source zz(dline)
 *
 * Deltas are against the previous position of the chunk (the first against
 * zero).  Decoding checks every bound: a corrupt blob gives -1, never a read
 * outside it.
 */
#include <string.h>

#include "trk.h"

static inline uint8_t *put_var(uint8_t *p, uint64_t v) {
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static inline uint64_t zz(int64_t v) {
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}
static inline int64_t unzz(uint64_t v) {
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Reads a varint at *pp (not past end); false if truncated or too long. */
static inline bool get_var(const uint8_t **pp, const uint8_t *end, uint64_t *v) {
    const uint8_t *p = *pp;
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (p >= end)
            return false;
        uint8_t b = *p++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            *pp = p;
            return true;
        }
    }
    return false;
}

static int64_t floor_div(int64_t a, int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

size_t trk_encode(const pel_position *p, size_t n, uint8_t *out) {
    uint8_t *o = out;
    *o++ = 1;
    o = put_var(o, n);
    int64_t psec = 0, plat = 0, plon = 0, pinput = 0, pline = 0;
    for (size_t i = 0; i < n; i++) {
        const pel_position *q = &p[i];
        int64_t sec = floor_div(q->t_ms, 1000);
        o = put_var(o, zz(sec - psec));
        o = put_var(o, (uint64_t)(q->t_ms - sec * 1000));
        o = put_var(o, zz((int64_t)q->lat - plat));
        o = put_var(o, zz((int64_t)q->lon - plon));
        o = put_var(o, q->speed);
        o = put_var(o, q->course);
        o = put_var(o, q->heading);
        *o++ = q->status;
        *o++ = q->type;
        *o++ = (uint8_t)((q->flags & 0x0f) | (q->clock & 7) << 4); /* flags, clock in the high bits */
        *o++ = (uint8_t)(q->second + 1);
        o = put_var(o, (uint64_t)((int64_t)q->segment + 1));
        o = put_var(o, zz((int64_t)q->input - pinput));
        o = put_var(o, q->source);
        o = put_var(o, zz((int64_t)q->line - pline));
        psec = sec;
        plat = q->lat;
        plon = q->lon;
        pinput = q->input;
        pline = (int64_t)q->line;
    }
    return (size_t)(o - out);
}

long trk_count(const uint8_t *blob, size_t len) {
    const uint8_t *p = blob, *end = blob + len;
    uint64_t n;
    if (len < 2 || *p++ != 1 || !get_var(&p, end, &n) || n > (uint64_t)len)
        return -1;
    return (long)n;
}

long trk_decode(const uint8_t *blob, size_t len, uint32_t mmsi, pel_position *out, size_t cap) {
    const uint8_t *p = blob, *end = blob + len;
    uint64_t n;
    if (len < 2 || *p++ != 1 || !get_var(&p, end, &n) || n > cap)
        return -1;
    int64_t sec = 0, lat = 0, lon = 0, input = 0, line = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v[11];
        pel_position *q = &out[i];
        for (int k = 0; k < 7; k++)
            if (!get_var(&p, end, &v[k]))
                return -1;
        if (end - p < 4)
            return -1;
        q->status = p[0];
        q->type = p[1];
        q->flags = p[2] & 0x0f;
        q->clock = (uint8_t)(p[2] >> 4 & 7);
        q->second = (int8_t)(p[3] - 1);
        p += 4;
        for (int k = 7; k < 11; k++)
            if (!get_var(&p, end, &v[k]))
                return -1;
        sec += unzz(v[0]);
        if (v[1] > 999)
            return -1;
        lat += unzz(v[2]);
        lon += unzz(v[3]);
        input += unzz(v[8]);
        line += unzz(v[10]);
        q->mmsi = mmsi;
        q->t_ms = sec * 1000 + (int64_t)v[1];
        q->lat = (int32_t)lat;
        q->lon = (int32_t)lon;
        q->speed = (uint16_t)v[4];
        q->course = (uint16_t)v[5];
        q->heading = (uint16_t)v[6];
        q->segment = (int32_t)v[7] - 1;
        q->input = (uint32_t)input;
        q->source = (uint32_t)v[9];
        q->line = (uint64_t)line;
    }
    return p == end ? (long)n : -1;
}
