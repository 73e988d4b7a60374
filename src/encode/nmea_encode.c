/*
 * nmea_encode.c -- the sentence layer in reverse: payload bits to AIVDM /
 * AIVDO sentences (NMEA 0183 / IEC 61162-1), with an NMEA 4.x tag block
 * when the caller gives a source, a receive time or a group id.
 *
 * Output, one line per sentence:
 *   [\s:SOURCE,c:TIME,g:NUM-COUNT-GROUP*hh\]!AIVDM,COUNT,NUM,SEQID,CHANNEL,PAYLOAD,FILL*hh
 * The payload is the 6-bit armour (values 0..39 as '0'..'W', 40..63 as
 * '`'..'w'); the last sentence carries the fill bits (zero) that complete
 * its last character.  SEQID is empty for a single sentence.  Tag blocks:
 * a multipart message with a group id has s:/c:/g: on its first sentence
 * and g: alone on the later ones (as NMEA 4.10 groups are sent); any other
 * message has the same s:/c: tag block on every sentence, when there is a
 * source or a time (so that a reader can tell the fragments of two
 * stations apart by s: even without groups).  g: is not written for a
 * single sentence.
 * Checksums: XOR of the characters after '!' (or after the opening '\' of
 * the tag block) up to '*', as two upper-case hex digits.
 *
 * Limits: at most 9 sentences per message (the count is one digit);
 * c: is whole seconds (the sub-second part is dropped) unless rx_in_ms,
 * and a millisecond c: before 2001-09-09 has fewer than 13 digits, which
 * readers (ours too) take for seconds; a source containing ',', '*', '\'
 * or control characters cannot be written.  No allocation.
 */
#include <string.h>

#include "pelorus.h"

typedef struct out {
    char *p;
    size_t n, cap;
    bool over; /* cap was too small: nothing more is written */
} out;

static void put_c(out *o, char c) {
    if (o->n + 1 < o->cap) /* keep room for the NUL */
        o->p[o->n++] = c;
    else
        o->over = true;
}

static void put_s(out *o, const char *s, size_t n) {
    if (o->n + n < o->cap) {
        memcpy(o->p + o->n, s, n);
        o->n += n;
    } else
        o->over = true;
}

static void put_u(out *o, uint64_t v) {
    char tmp[24];
    int k = 0;
    do
        tmp[k++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (k > 0)
        put_c(o, tmp[--k]);
}

/* Writes '*' and the checksum of what was written since from, as two
 * upper-case hex digits. */
static void put_checksum(out *o, size_t from) {
    static const char hex[] = "0123456789ABCDEF";
    unsigned x = 0;
    if (!o->over)
        for (size_t i = from; i < o->n; i++)
            x ^= (unsigned char)o->p[i];
    put_c(o, '*');
    put_c(o, hex[x >> 4]);
    put_c(o, hex[x & 15]);
}

/* A source fits in a tag block when it has none of the characters that
 * delimit one. */
static bool source_ok(const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == ',' || c == '*' || c == '\\')
            return false;
    }
    return true;
}

/* Writes the tag block of sentence num (1-based) of count, if it has any
 * field: in a group, s:/c: on the first sentence and g: on each; else s:/c:
 * on each. */
static void tag_block(out *w, const pel_nmea_opts *o, int num, int count) {
    bool group = count > 1 && o->group > 0, first = num == 1 || !group;
    bool src = first && o->source && o->source[0], rx = first && o->rx_ms >= 0;
    if (!src && !rx && !group)
        return;
    put_c(w, '\\');
    size_t from = w->n;
    bool comma = false;
    if (src) {
        put_s(w, "s:", 2);
        put_s(w, o->source, strlen(o->source));
        comma = true;
    }
    if (rx) {
        if (comma)
            put_c(w, ',');
        put_s(w, "c:", 2);
        put_u(w, (uint64_t)(o->rx_in_ms ? o->rx_ms : o->rx_ms / 1000));
        comma = true;
    }
    if (group) {
        if (comma)
            put_c(w, ',');
        put_s(w, "g:", 2);
        put_u(w, (uint64_t)num);
        put_c(w, '-');
        put_u(w, (uint64_t)count);
        put_c(w, '-');
        put_u(w, (uint64_t)o->group);
    }
    put_checksum(w, from);
    put_c(w, '\\');
}

/* Armours nbits bits of the caller's bits (MSB first) into the caller's
 * buffer out (cap bytes) as sentences; o (the caller's, may be NULL for
 * the defaults) is only read.  Returns the length written, NUL excluded;
 * 0 (out holding "" when cap > 0) when cap is too small, nbits is not
 * 1..PEL_AIS_MAX_BITS, the message would take more than 9 sentences, or o
 * is unusable (talker not 2 characters, seqid not 0..9, group not 0..999,
 * max_chars negative, a source or channel with a delimiter). */
size_t pel_nmea_encode(const uint8_t *bits, int nbits, const pel_nmea_opts *o, bool crlf, char *out_buf, size_t cap) {
    static const pel_nmea_opts defaults = {.rx_ms = -1};
    if (!o)
        o = &defaults;
    if (out_buf && cap > 0)
        out_buf[0] = 0;
    if (!bits || !out_buf || nbits < 1 || nbits > PEL_AIS_MAX_BITS)
        return 0;
    const char *talker = o->talker ? o->talker : "AI";
    int max_chars = o->max_chars ? o->max_chars : 60;
    if (strlen(talker) != 2 || o->seqid < 0 || o->seqid > 9 || o->group < 0 || o->group > 999 || max_chars < 1 ||
        (o->source && !source_ok(o->source)) ||
        (o->channel &&
         ((unsigned char)o->channel <= ' ' || o->channel == ',' || o->channel == '*' || o->channel == 0x7f)))
        return 0;

    /* the armour: 6 bits a character, the last byte's unused bits zeroed */
    char payload[PEL_AIS_MAX_BITS / 6 + 1];
    int nchars = (nbits + 5) / 6, fill = nchars * 6 - nbits, nbytes = (nbits + 7) / 8;
    uint32_t acc = 0;
    int have = 0, k = 0;
    for (int i = 0; i < nbytes && k < nchars; i++) {
        unsigned byte = bits[i];
        if (i == nbytes - 1 && nbits % 8)
            byte &= 0xffu << (8 - nbits % 8);
        acc = (acc << 8) | byte;
        have += 8;
        while (have >= 6 && k < nchars) {
            unsigned v = (acc >> (have - 6)) & 63;
            have -= 6;
            payload[k++] = (char)(v < 40 ? v + 48 : v + 56);
        }
    }
    if (k < nchars) { /* the last character's low bits are fill */
        unsigned v = (acc << (6 - have)) & 63;
        payload[k++] = (char)(v < 40 ? v + 48 : v + 56);
    }

    int count = (nchars + max_chars - 1) / max_chars;
    if (count > 9)
        return 0;
    out w = {out_buf, 0, cap, false};
    for (int num = 1; num <= count; num++) {
        tag_block(&w, o, num, count);
        put_c(&w, '!');
        size_t from = w.n;
        put_s(&w, talker, 2);
        put_s(&w, o->own ? "VDO," : "VDM,", 4);
        put_c(&w, (char)('0' + count));
        put_c(&w, ',');
        put_c(&w, (char)('0' + num));
        put_c(&w, ',');
        if (count > 1)
            put_c(&w, (char)('0' + o->seqid));
        put_c(&w, ',');
        if (o->channel)
            put_c(&w, o->channel);
        put_c(&w, ',');
        int start = (num - 1) * max_chars, len = nchars - start < max_chars ? nchars - start : max_chars;
        put_s(&w, payload + start, (size_t)len);
        put_c(&w, ',');
        put_c(&w, (char)('0' + (num == count ? fill : 0)));
        put_checksum(&w, from);
        if (crlf)
            put_c(&w, '\r');
        put_c(&w, '\n');
        if (w.over)
            break;
    }
    if (w.over) {
        out_buf[0] = 0;
        return 0;
    }
    out_buf[w.n] = 0;
    return w.n;
}
