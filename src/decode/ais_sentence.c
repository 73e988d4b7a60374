/*
 * ais_sentence.c -- the sentence layer: one input line to one AIVDM/AIVDO
 * sentence (NMEA 0183 / IEC 61162-1), with its receive time, the clock that
 * time came from, and its source.
 *
 * A line may carry, in this order:
 *   - a receiver prefix: Unix seconds or an ISO-8601 time, then a space,
 *     comma, semicolon or tab (clock "prefix");
 *   - an NMEA 4.0 tag block  \s:source,c:unixtime,g:n-m-id*hh\  whose
 *     checksum covers the text between the backslashes, before '*' (clock
 *     "tag_block"; it beats a prefix);
 *   - the sentence  !ttVDM,count,num,seqid,channel,payload,fill*hh
 *   - a trailer after the checksum, as USCG archives and exactEarth files
 *     write it: ,d-109,S2105,t050056.00,T56.137,r003669946,1325394060  (we
 *     take the first r.../b... field as the station and the first Unix-time
 *     field, seconds or milliseconds, as the time the line reached a
 *     collector: clock "trailer", used only when nothing better is there).
 * Gatehouse "$PGHP,1,yyyy,m,d,h,m,s,ms,country,region,pss,online,cc*hh" lines
 * give the receive time of the message whose checksum is cc (the XOR of its
 * sentences' checksums); the decoder pairs them (ais_decoder.c).  Other
 * NMEA is reported as such.
 *
 * A tag block whose checksum fails is not a reason to lose a sentence whose
 * own checksum holds: real feeds add g: without fixing the tag-block
 * checksum, or write a placeholder (00).  Such a line is flagged
 * (tb_bad_sum) and each tag-block field is used only if it parses.
 *
 * Limits: a tag block without '*hh' is accepted unchecked (some feeds omit
 * it); tag-block keys other than c, s and g are skipped; one sentence per
 * call (the decoder cuts a line holding several glued sentences).
 */
#include <string.h>

#include "ais_internal.h"

// clang-format off
/* '0'..'W' -> 0..39, '`'..'w' -> 40..63, anything else illegal */
#define R8(x) x, x, x, x, x, x, x, x
const uint8_t ais_armor[256] = {
    R8(0xff), R8(0xff), R8(0xff), R8(0xff), R8(0xff), R8(0xff),
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,             /* '0'..'?' */
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,   /* '@'..'O' */
    32, 33, 34, 35, 36, 37, 38, 39, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 'P'..'W', 'X'..'_' */
    40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,   /* '`'..'o' */
    56, 57, 58, 59, 60, 61, 62, 63, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* 'p'..'w' */
    R8(0xff), R8(0xff), R8(0xff), R8(0xff), R8(0xff), R8(0xff), R8(0xff), R8(0xff),
    R8(0xff), R8(0xff), R8(0xff), R8(0xff), R8(0xff), R8(0xff), R8(0xff), R8(0xff),
};
// clang-format on

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int ais_hex(char c) {
    return hexval(c);
}

/* XOR of the bytes in [p, end).  Written so that the compiler vectorises
 * it: this and has_control are most of the per-line cost. */
static unsigned xor_sum(const char *p, const char *end) {
    const unsigned char *q = (const unsigned char *)p;
    size_t n = (size_t)(end - p);
    unsigned char x = 0;
    for (size_t i = 0; i < n; i++)
        x ^= q[i];
    return x;
}

/* True when [p, p+n) holds a control byte other than tab, or DEL. */
static bool has_control(const unsigned char *p, size_t n) {
    unsigned char bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        bad |= (unsigned char)((c < 0x20) & (c != '\t')) | (unsigned char)(c == 0x7f);
    }
    return bad != 0;
}

/* Reads a small non-negative decimal in [p, end); -1 if not one. */
static int small_int(const char *p, const char *end) {
    if (p == end || end - p > 6)
        return -1;
    int v = 0;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

bool ais_parse_unix(const char *s, size_t len, int64_t *ms) {
    return pel_parse_time(s, len, ms);
}

/* Parses the tag block text in [p, end) (between the backslashes).  When
 * its checksum fails (feeds that add a field without fixing it, or write a
 * placeholder such as 00) the line is kept, s->tb_bad_sum is set and each
 * field is used only if it parses; with a good checksum (or none) a field
 * that does not parse rejects the line. */
static int parse_tag_block(const char *p, const char *end, ais_sentence *s, const char **detail) {
    const char *star = memchr(p, '*', (size_t)(end - p));
    if (star) {
        int h = end - star == 3 ? hexval(star[1]) : -1, l = end - star == 3 ? hexval(star[2]) : -1;
        if (h < 0 || l < 0 || (unsigned)(h * 16 + l) != xor_sum(p, star))
            s->tb_bad_sum = true;
        end = star;
    }
    const bool lenient = s->tb_bad_sum;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *fe = comma ? comma : end;
        const char *next = comma ? comma + 1 : end;
        if (p < fe && *p >= '1' && *p <= '9') {
            /* NMEA 4.10 group "1G2:58944": sentence 1 of 2, group id 58944 */
            const char *g = memchr(p, 'G', (size_t)(fe - p));
            const char *colon = g ? memchr(g, ':', (size_t)(fe - g)) : NULL;
            int a = colon ? small_int(p, g) : -1, b = colon ? small_int(g + 1, colon) : -1,
                c = colon ? small_int(colon + 1, fe) : -1;
            if (a < 1 || b < 1 || c < 0 || a > b) {
                if (lenient) {
                    p = next;
                    continue;
                }
                *detail = "tag block group is not nGm:id";
                return PEL_REJ_TAG_BLOCK;
            }
            s->g_num = a;
            s->g_total = b;
            s->g_id = c;
            p = next;
            continue;
        }
        if (fe - p < 2 || p[1] != ':') {
            if (lenient) {
                p = next;
                continue;
            }
            *detail = "tag block field is not key:value";
            return PEL_REJ_TAG_BLOCK;
        }
        const char *v = p + 2;
        switch (p[0]) {
        case 'c': {
            int64_t t = 0;
            size_t n = (size_t)(fe - v), k = 0;
            if (n == 10 || n == 13) { /* the usual: whole seconds or milliseconds */
                for (; k < n && v[k] >= '0' && v[k] <= '9'; k++)
                    t = t * 10 + (v[k] - '0');
                if (k == n) {
                    s->ms = n == 10 ? t * 1000 : t;
                    s->has_time = true;
                    s->clock = PEL_CLOCK_TAG_BLOCK;
                    break;
                }
            }
            if (!pel_parse_time(v, n, &t)) {
                if (lenient)
                    break;
                *detail = "tag block c: is not a Unix time";
                return PEL_REJ_TAG_BLOCK;
            }
            /* c: is seconds; some feeds write milliseconds (13 digits) */
            s->ms = t;
            s->has_time = true;
            s->clock = PEL_CLOCK_TAG_BLOCK;
            break;
        }
        case 's':
            s->src = v;
            s->srclen = (int)(fe - v);
            break;
        case 'g':
        case 'G': {
            const char *d1 = memchr(v, '-', (size_t)(fe - v));
            const char *d2 = d1 ? memchr(d1 + 1, '-', (size_t)(fe - d1 - 1)) : NULL;
            int a = d2 ? small_int(v, d1) : -1, b = d2 ? small_int(d1 + 1, d2) : -1,
                c = d2 ? small_int(d2 + 1, fe) : -1;
            if (a < 1 || b < 1 || c < 0 || a > b) {
                if (lenient)
                    break;
                *detail = "tag block g: is not n-m-id";
                return PEL_REJ_TAG_BLOCK;
            }
            s->g_num = a;
            s->g_total = b;
            s->g_id = c;
            break;
        }
        default:
            break;
        }
        p = next;
    }
    return 0;
}

/* Looks at the text after the sentence checksum for a station id and a
 * Unix time, the USCG way. */
static void parse_trailer(const char *p, const char *end, ais_sentence *s) {
    while (p < end) {
        if (*p == ',') {
            p++;
            continue;
        }
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *fe = comma ? comma : end;
        size_t n = (size_t)(fe - p);
        if ((p[0] == 'r' || p[0] == 'b') && n > 1 && !s->src) {
            s->src = p;
            s->srclen = (int)n;
        } else if (n >= 9 && p[0] >= '1' && p[0] <= '9' && !s->has_time) {
            int64_t t;
            if (pel_parse_time(p, n, &t)) {
                s->ms = t;
                s->has_time = true;
                s->clock = PEL_CLOCK_TRAILER;
            }
        }
        p = fe;
    }
}

/* $PGHP,1,yyyy,mm,dd,hh,mm,ss,ms,country,region,pss,online,cc*hh (the
 * Gatehouse wrapper, as exactEarth writes it too): the receive time of one
 * AIS message; cc is the XOR of its sentences' checksums, which pairs them
 * whichever comes first.  A $PGHP whose own checksum fails gives no time
 * (AIS_LINE_OTHER). */
static int parse_pghp(const char *p, const char *end, ais_sentence *s) {
    const char *star = memchr(p, '*', (size_t)(end - p));
    if (star) {
        int h = end - star >= 3 ? hexval(star[1]) : -1, l = end - star >= 3 ? hexval(star[2]) : -1;
        if (h < 0 || l < 0 || (unsigned)(h * 16 + l) != xor_sum(p + 1, star))
            return AIS_LINE_OTHER;
        end = star;
    }
    int f[8];
    p += 6; /* "$PGHP," */
    for (int i = 0; i < 8; i++) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        const char *fe = c ? c : end;
        f[i] = small_int(p, fe);
        if (f[i] < 0 || (!c && i < 7))
            return AIS_LINE_OTHER;
        p = c ? c + 1 : end;
    }
    if (f[0] != 1 || f[2] < 1 || f[2] > 12 || f[3] < 1 || f[3] > 31 || f[4] > 23 || f[5] > 59 || f[6] > 60 ||
        f[7] > 999)
        return AIS_LINE_OTHER;
    char iso[32];
    /* reuse the ISO parser rather than a second calendar */
    int n = 0;
    iso[n++] = (char)('0' + f[1] / 1000 % 10);
    iso[n++] = (char)('0' + f[1] / 100 % 10);
    iso[n++] = (char)('0' + f[1] / 10 % 10);
    iso[n++] = (char)('0' + f[1] % 10);
    const int parts[5] = {f[2], f[3], f[4], f[5], f[6]};
    const char seps[5] = {'-', '-', 'T', ':', ':'};
    for (int i = 0; i < 5; i++) {
        iso[n++] = seps[i];
        iso[n++] = (char)('0' + parts[i] / 10);
        iso[n++] = (char)('0' + parts[i] % 10);
    }
    int64_t t;
    if (!pel_parse_time(iso, (size_t)n, &t))
        return AIS_LINE_OTHER;
    s->ms = t + f[7];
    s->has_time = true;
    s->clock = PEL_CLOCK_PGHP;
    /* fields 9..12 (country, region, pss, online data), then cc */
    s->cksum = -1;
    for (int i = 9; i < 13 && p < end; i++) {
        const char *c = memchr(p, ',', (size_t)(end - p));
        p = c ? c + 1 : end;
        if (!c)
            return AIS_LINE_PGHP; /* fewer fields: no cc */
    }
    const char *c = memchr(p, ',', (size_t)(end - p));
    const char *fe = c ? c : end;
    if (fe - p == 2 && hexval(p[0]) >= 0 && hexval(p[1]) >= 0)
        s->cksum = hexval(p[0]) * 16 + hexval(p[1]);
    return AIS_LINE_PGHP;
}

int ais_sentence_parse(const char *line, size_t len, ais_sentence *s, const char **detail) {
    const char *end = line + len;
    while (end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n'))
        end--;
    const char *p = line;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end || *p == '#')
        return AIS_LINE_BLANK;

    /* control bytes (other than tab) mean this is not text */
    if (has_control((const unsigned char *)p, (size_t)(end - p))) {
        *detail = "control or NUL byte in line";
        return PEL_REJ_BINARY;
    }

    s->has_time = false;
    s->clock = PEL_CLOCK_NONE;
    s->cksum = -1;
    s->tb_bad_sum = false;
    s->src = NULL;
    s->srclen = 0;
    s->g_total = 0;

    /* the common forms first: "!..." and "\tag block\!..." */
    const char *bang = NULL;
    if (*p == '!')
        bang = p;
    else if (*p == '\\') {
        const char *close = memchr(p + 1, '\\', (size_t)(end - p - 1));
        if (close && close + 1 < end && close[1] == '!') {
            int r = parse_tag_block(p + 1, close, s, detail);
            if (r)
                return r;
            bang = close + 1;
        }
    }
    if (!bang) {
        bang = memchr(p, '!', (size_t)(end - p));
        if (!bang) {
            const char *dollar = memchr(p, '$', (size_t)(end - p));
            if (dollar) {
                if (end - dollar > 6 && memcmp(dollar, "$PGHP,", 6) == 0)
                    return parse_pghp(dollar, end, s);
                return AIS_LINE_OTHER;
            }
            *detail = "no NMEA sentence in line";
            return PEL_REJ_MALFORMED;
        }
        /* a prefix: [time sep] [\tag block\] */
        const char *pre_end = bang;
        if (pre_end > p && pre_end[-1] == '\\') {
            const char *open = pre_end - 1;
            while (open > p && open[-1] != '\\')
                open--;
            if (open == p || open[-1] != '\\') {
                *detail = "tag block without opening backslash";
                return PEL_REJ_TAG_BLOCK;
            }
            int r = parse_tag_block(open, pre_end - 1, s, detail);
            if (r)
                return r;
            pre_end = open - 1;
        }
        if (pre_end > p && !s->has_time) {
            const char *pe = pre_end;
            while (pe > p && (pe[-1] == ' ' || pe[-1] == ',' || pe[-1] == ';' || pe[-1] == '\t'))
                pe--;
            int64_t t;
            if (pe > p && pel_parse_time(p, (size_t)(pe - p), &t)) {
                s->ms = t;
                s->has_time = true;
                s->clock = PEL_CLOCK_PREFIX;
            }
        }
    }

    /* the sentence header: !ttVDM, or !ttVDO, */
    p = bang;
    if (end - p < 7 || p[3] != 'V' || p[4] != 'D' || (p[5] != 'M' && p[5] != 'O') || p[6] != ',') {
        if (end - p >= 7 && p[1] >= 'A' && p[1] <= 'Z')
            return AIS_LINE_OTHER; /* another '!' sentence (e.g. !AIALR) */
        *detail = "not an AIVDM/AIVDO sentence";
        return PEL_REJ_MALFORMED;
    }
    s->talker[0] = p[1];
    s->talker[1] = p[2];
    s->talker[2] = 0;
    s->own = p[5] == 'O';

    const char *star = memchr(p, '*', (size_t)(end - p));
    if (!star || end - star < 3) {
        *detail = "no checksum";
        return PEL_REJ_CHECKSUM;
    }
    int h = hexval(star[1]), l = hexval(star[2]);
    if (h < 0 || l < 0) {
        *detail = "checksum is not hex";
        return PEL_REJ_CHECKSUM;
    }
    if ((unsigned)(h * 16 + l) != xor_sum(p + 1, star)) {
        *detail = "checksum mismatch";
        return PEL_REJ_CHECKSUM;
    }
    s->cksum = h * 16 + l;
    if (star + 3 < end)
        parse_trailer(star + 3, end, s);

    /* fields: count,num,seqid,channel,payload,fill */
    const char *f[7];
    int nf = 0;
    const char *q = p + 7;
    f[nf++] = q;
    while (nf < 7) {
        const char *c = memchr(q, ',', (size_t)(star - q));
        if (!c)
            break;
        f[nf++] = c + 1;
        q = c + 1;
    }
    if (nf != 6) {
        *detail = "wrong number of fields";
        return PEL_REJ_MALFORMED;
    }
    /* field i spans [f[i], f[i+1]-1) ; the last ends at star */
#define FEND(i) ((i) == 5 ? star : f[(i) + 1] - 1)
    s->total = small_int(f[0], FEND(0));
    s->num = small_int(f[1], FEND(1));
    if (s->total < 1 || s->total > 9 || s->num < 1 || s->num > s->total) {
        *detail = "bad fragment count or number";
        return PEL_REJ_MALFORMED;
    }
    if (FEND(2) == f[2])
        s->seqid = -1;
    else {
        s->seqid = small_int(f[2], FEND(2));
        if (s->seqid < 0 || s->seqid > 9) {
            *detail = "bad sequential message id";
            return PEL_REJ_MALFORMED;
        }
    }
    long chlen = FEND(3) - f[3];
    if (chlen > 1) {
        *detail = "bad channel";
        return PEL_REJ_MALFORMED;
    }
    s->channel = chlen ? f[3][0] : 0;
    s->payload = f[4];
    s->plen = (int)(FEND(4) - f[4]);
    long filllen = FEND(5) - f[5];
    if (filllen != 1 || f[5][0] < '0' || f[5][0] > '9') {
        *detail = "fill bits field is not one digit";
        return PEL_REJ_BAD_FILL;
    }
    s->fill = f[5][0] - '0';
    if (s->fill > 5) {
        *detail = "fill bits above 5";
        return PEL_REJ_BAD_FILL;
    }
#undef FEND
    /* the payload's characters are checked while de-armouring (decoder) */
    if (s->plen == 0 && s->num == s->total && s->total == 1) {
        *detail = "empty payload";
        return PEL_REJ_BAD_LENGTH;
    }
    if (s->fill && s->plen == 0) {
        *detail = "fill bits on an empty payload";
        return PEL_REJ_BAD_FILL;
    }
    return AIS_LINE_SENTENCE;
}
