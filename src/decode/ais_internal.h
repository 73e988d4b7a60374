/*
 * ais_internal.h -- declarations shared by the decode stage (src/decode/).
 * Not part of the public API: see include/pelorus.h for that.
 */
#ifndef PEL_AIS_INTERNAL_H
#define PEL_AIS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

/* ---- bit access (payload bits are stored MSB first) -------------------- */

/* Returns width (1..57) bits of buf starting at bit start, unsigned.  The
 * caller guarantees the bytes up to (start+width+7)/8 are readable. */
static inline uint64_t ais_ubits(const uint8_t *buf, unsigned start, unsigned width) {
    unsigned first = start >> 3, last = (start + width - 1) >> 3;
    uint64_t v = 0;
    for (unsigned i = first; i <= last; i++)
        v = (v << 8) | buf[i];
    unsigned tail = 7 - ((start + width - 1) & 7);
    v >>= tail;
    return width == 64 ? v : (v & ((UINT64_C(1) << width) - 1));
}

/* Same, as a two's-complement signed value. */
static inline int64_t ais_sbits(const uint8_t *buf, unsigned start, unsigned width) {
    uint64_t v = ais_ubits(buf, start, width);
    uint64_t sign = UINT64_C(1) << (width - 1);
    return (int64_t)(v ^ sign) - (int64_t)sign;
}

/* The 6-bit armour: payload character -> value 0..63, or 0xff if illegal. */
extern const uint8_t ais_armor[256];

/* ---- code tables (ais_text.c) ------------------------------------------ */

const char *ais_status_text(unsigned v);
const char *ais_epfd_text(unsigned v);
const char *ais_aid_text(unsigned v);
const char *ais_station_text(unsigned v);
const char *ais_shiptype_text(unsigned v, char *buf, size_t cap);

/* ---- the sentence layer (ais_sentence.c) -------------------------------- */

/* What a line turned out to be when it is not an AIS sentence. */
enum { AIS_LINE_SENTENCE = 0, AIS_LINE_BLANK = -1, AIS_LINE_OTHER = -2, AIS_LINE_PGHP = -3 };

typedef struct ais_sentence {
    char talker[3];
    bool own;            /* VDO */
    int total, num;      /* fragment count and number, 1..9 */
    int seqid;           /* sequential message id 0..9, -1 if empty */
    char channel;        /* 0 if empty */
    const char *payload; /* borrowed from the line */
    int plen;
    int fill;
    int cksum; /* the sentence checksum 0..255; for a $PGHP line
                  its last field (the checksum of the message it
                  times), -1 when it has none */
    bool has_time;
    uint8_t clock;   /* pel_clock of ms: TAG_BLOCK, PREFIX or TRAILER
                        (PGHP for a $PGHP line), NONE without a time */
    int64_t ms;      /* the time, Unix ms */
    bool tb_bad_sum; /* the tag block's checksum failed: its fields are
                        used where they parse, the line is counted */
    const char *src; /* tag-block s: or trailer station, borrowed */
    int srclen;
    int g_num, g_total, g_id; /* tag-block group, g_total 0 if none */
} ais_sentence;

/* De-armours n payload characters into out (MSB first); returns the bit
 * count (6n - fill), or -1 if a character is outside the armour.  Four
 * characters make three bytes; the loop has no carried state so the CPU
 * can overlap iterations. */
static inline int ais_dearmor(const char *p, int n, int fill, uint8_t *out) {
    const unsigned char *q = (const unsigned char *)p;
    unsigned bad = 0;
    int i = 0, o = 0;
    for (; i + 4 <= n; i += 4, o += 3) {
        unsigned a = ais_armor[q[i]], b = ais_armor[q[i + 1]], c = ais_armor[q[i + 2]], e = ais_armor[q[i + 3]];
        bad |= a | b | c | e;
        uint32_t v = (a & 63) << 18 | (b & 63) << 12 | (c & 63) << 6 | (e & 63);
        out[o] = (uint8_t)(v >> 16);
        out[o + 1] = (uint8_t)(v >> 8);
        out[o + 2] = (uint8_t)v;
    }
    uint32_t acc = 0;
    int nb = 0;
    for (; i < n; i++) {
        unsigned v = ais_armor[q[i]];
        bad |= v;
        acc = (acc << 6) | (v & 63);
        nb += 6;
        if (nb >= 8) {
            nb -= 8;
            out[o++] = (uint8_t)(acc >> nb);
        }
    }
    if (nb)
        out[o++] = (uint8_t)(acc << (8 - nb));
    return (bad & 0x80) ? -1 : 6 * n - fill;
}

/* Parses one line.  Returns AIS_LINE_SENTENCE with *s filled, one of the
 * other AIS_LINE_ values (for AIS_LINE_PGHP, s->ms and s->has_time hold the
 * Gatehouse time and s->cksum the checksum of the message it belongs to,
 * or -1), or a positive pel_reject with *detail set to a static
 * explanation.  s's pointers are borrowed from line. */
int ais_sentence_parse(const char *line, size_t len, ais_sentence *s, const char **detail);

/* The value of a hexadecimal digit, or -1. */
int ais_hex(char c);

/* Parses unix seconds (optionally with a fraction) or ISO-8601; see
 * pel_parse_time. */
bool ais_parse_unix(const char *s, size_t len, int64_t *ms);

/* ---- message layouts (ais_msg.c) ---------------------------------------- */

/* The standard length in bits of a message of type (and, for type 24, part
 * partno 0 or 1), or 0 for the types whose length varies.  A payload longer
 * than this (and within the accepted limit) is decoded at this length and
 * counted as oversize. */
int ais_std_bits(int type, int partno);

#endif
