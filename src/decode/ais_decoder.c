/*
 * ais_decoder.c -- the streaming decoder: lines in, messages out.  Holds
 * the state that spans lines: partial multi-sentence messages, the pairing
 * of Gatehouse $PGHP lines with their messages, and the counters.
 *
 * Receive time (docs/decode.md, "Receive time"): a receiver's clock beats a
 * collector's.  Tag block c: > $PGHP > a leading receiver time > a trailer
 * after the checksum.  A $PGHP line carries the checksum of the message it
 * times (its last field, cc: the XOR of the checksums of the message's
 * sentences, so the sentence's own checksum for a one-sentence message; 00
 * for an own-ship VDO message in Gatehouse's own feeds).  Gatehouse writes
 * it right before its message; exactEarth files put it before or after,
 * often with other lines between (up to a dozen).  So once the input has
 * shown a $PGHP line or a sentence timed only by a trailer, lines pass
 * through a short delay line: a message without a tag-block time takes the
 * nearest earlier unpaired $PGHP with its checksum, or waits up to
 * PGHP_WINDOW lines after its last sentence for one; a $PGHP without cc
 * times the next sentence, a $PGHP with cc 00 an own-ship sentence right
 * after it.  Lines leave the delay line in input order, each processed with
 * its own line number as if read then.  Limits: checksums are 8 bits (7 in
 * practice), so a $PGHP whose own message was lost can time another one
 * within the window that happens to share its checksum; a line longer than
 * HOLD_TEXT is not held (the delay line is emptied first, unpaired).
 *
 * Reassembly: fragments are matched by talker, channel, sequential message
 * id and fragment count (and tag-block group id and source when the
 * fragment carries them; continuation fragments without a tag block, as the
 * Norwegian feed sends them, or with only g:, join the newest matching
 * partial message).  A partial message expires -- its lines counted and
 * reported as stale -- when it is frag_max_lines lines old, when a later
 * time *from its own source and clock* is more than frag_timeout_ms ahead
 * of its own (stations' clocks disagree by minutes, so one station's time
 * says nothing about another's fragments; $PGHP times arrive out of order
 * and are never used for this), when its fragments arrive out of order,
 * when a new first fragment takes its key, or at the end of input.
 *
 * A line holding several sentences glued together (each right after the
 * previous one's checksum, as MarineTraffic and Spire samples have them) is
 * read as that many lines with the same number.
 *
 * Memory is fixed at creation: max_pending partial messages, and the delay
 * line of PGHP_WINDOW + 1 lines of at most HOLD_TEXT bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "ais_internal.h"

#define SRC_MAX 256   /* longest source name kept */
#define FRAG_TEXT 200 /* bytes of each fragment line kept for reporting */
#define PAYLOAD_MAX (PEL_AIS_MAX_BITS / 6)
#define PGHP_WINDOW 16 /* lines between a $PGHP and its sentence, at most */
#define HOLD_MAX (PGHP_WINDOW + 1)
#define HOLD_TEXT 2048 /* longest line the delay line holds */

typedef struct slot {
    char talker[2];
    char channel;
    int seqid, total, next, g_id;
    char src[SRC_MAX];
    int srclen; /* -1 when the first fragment had no source */
    bool has_time;
    uint8_t clock; /* pel_clock of ms */
    int64_t ms;
    int64_t newest; /* the newest time of the same source and clock since */
    uint64_t lines[9];
    char text[9][FRAG_TEXT];
    uint16_t textlen[9];
    int plen;
    char payload[PAYLOAD_MAX];
    int fill;
    uint64_t order; /* creation order, for eviction */
} slot;

/* A line in the delay line.  The sentences of one message form a unit:
 * a $PGHP times a unit, and its cc is the XOR of the checksums of the
 * unit's sentences (the sentence's own checksum for a one-sentence
 * message). */
typedef struct held {
    uint64_t lineno;
    uint64_t unit;       /* the message it belongs to; 0: not to be paired */
    uint64_t unit_first; /* line of the unit's first sentence */
    uint64_t unit_end;   /* line of the unit's last sentence so far */
    bool waiting;        /* its unit may still be timed by a $PGHP */
    bool timed;          /* a $PGHP has timed its unit (ms) */
    bool complete;       /* the unit's last sentence: xsum is the unit's */
    bool too_long;       /* a line over PEL_MAX_LINE: text is its head */
    char talker[2], channel;
    int8_t seqid, total, num;
    uint8_t xsum; /* XOR of the checksums of the unit's sentences so far */
    int64_t ms;
    uint32_t len;
    char text[HOLD_TEXT];
} held;

/* A $PGHP line still looking for the message whose checksum is cksum. */
typedef struct pghp_wait {
    uint64_t lineno;
    int cksum;
    int64_t ms;
} pghp_wait;

struct pel_decoder {
    pel_decode_cb cb;
    pel_decoder_opts o;
    pel_stats st;
    char *file;
    slot *slots;
    int *active; /* indices of slots in use */
    int nactive;
    int *freelist;
    int nfree;
    uint64_t order;
    uint64_t last_line;
    uint64_t cur_line; /* the line whose turn it is (last + 1 while flushing) */
    bool stopped;      /* on_msg asked to stop during this call */
    bool halted;       /* ... and the caller has not fed a line since */
    /* $PGHP pairing */
    bool hold;        /* the delay line is in use (until the next flush) */
    held q[HOLD_MAX]; /* the delay line, a ring */
    int qhead, qn;
    pghp_wait pw[PGHP_WINDOW + 1]; /* unpaired $PGHP lines, oldest first */
    int npw;
    uint64_t units; /* units numbered so far */
    bool pghp_next; /* a $PGHP without cc: times the next sentence */
    int64_t pghp_next_ms;
    char src[SRC_MAX + 1];
    pel_ais_msg msg;
};

static const char *const reject_names[PEL_REJ__COUNT] = {
    [PEL_REJ_NONE] = "none",
    [PEL_REJ_TOO_LONG] = "too_long",
    [PEL_REJ_BINARY] = "binary",
    [PEL_REJ_MALFORMED] = "malformed",
    [PEL_REJ_CHECKSUM] = "checksum",
    [PEL_REJ_TAG_BLOCK] = "tag_block",
    [PEL_REJ_BAD_CHAR] = "bad_char",
    [PEL_REJ_BAD_FILL] = "bad_fill",
    [PEL_REJ_FRAG_ORPHAN] = "fragment_orphan",
    [PEL_REJ_FRAG_DUPLICATE] = "fragment_duplicate",
    [PEL_REJ_FRAG_STALE] = "fragment_stale",
    [PEL_REJ_BAD_LENGTH] = "bad_length",
    [PEL_REJ_BAD_TYPE] = "bad_type",
};

const char *pel_reject_name(pel_reject why) {
    return (unsigned)why < PEL_REJ__COUNT ? reject_names[why] : "unknown";
}

pel_decoder *pel_decoder_new(const pel_decoder_opts *opts, const pel_decode_cb *cb) {
    pel_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->o.frag_timeout_ms = 60000;
    d->o.frag_max_lines = 2000;
    d->o.max_pending = 512;
    if (opts) {
        if (opts->frag_timeout_ms > 0)
            d->o.frag_timeout_ms = opts->frag_timeout_ms;
        if (opts->frag_max_lines > 0)
            d->o.frag_max_lines = opts->frag_max_lines;
        if (opts->max_pending > 0)
            d->o.max_pending = opts->max_pending;
    }
    if (cb)
        d->cb = *cb;
    int n = d->o.max_pending;
    d->slots = calloc((size_t)n, sizeof *d->slots);
    d->active = calloc((size_t)n, sizeof *d->active);
    d->freelist = calloc((size_t)n, sizeof *d->freelist);
    if (!d->slots || !d->active || !d->freelist) {
        pel_decoder_free(d);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        d->freelist[i] = n - 1 - i;
    d->nfree = n;
    return d;
}

void pel_decoder_free(pel_decoder *d) {
    if (!d)
        return;
    free(d->slots);
    free(d->active);
    free(d->freelist);
    free(d->file);
    free(d);
}

pel_status pel_decoder_set_file(pel_decoder *d, const char *name) {
    char *c = NULL;
    if (name) {
        size_t n = strnlen(name, 4096);
        c = malloc(n + 1);
        if (!c)
            return PEL_ERR_NOMEM;
        memcpy(c, name, n);
        c[n] = 0;
    }
    free(d->file);
    d->file = c;
    return PEL_OK;
}

const pel_stats *pel_decoder_stats(const pel_decoder *d) {
    return &d->st;
}

static void reject(pel_decoder *d, pel_reject why, uint64_t line, const char *text, size_t len, const char *detail) {
    d->st.rejected[why]++;
    if (d->cb.on_reject) {
        pel_reject_info r = {why, line, text, len, detail, d->cur_line};
        d->cb.on_reject(d->cb.ud, &r);
    }
}

static const char too_long_detail[] = "line longer than 1 MiB (first bytes shown)";

/* Rejects every line of slot i with why and frees it. */
static void drop_slot(pel_decoder *d, int ai, pel_reject why, const char *detail) {
    int i = d->active[ai];
    slot *s = &d->slots[i];
    for (int k = 0; k < s->next - 1; k++)
        reject(d, why, s->lines[k], s->text[k], s->textlen[k], detail);
    d->active[ai] = d->active[--d->nactive];
    d->freelist[d->nfree++] = i;
}

/* The source length as a slot keeps it, -1 for none. */
static int src_key(const ais_sentence *s) {
    return s->src ? (s->srclen > SRC_MAX ? SRC_MAX : s->srclen) : -1;
}

/* A timed sentence moves its own source's clock forward for the partial
 * messages of that source and clock.  $PGHP times are not monotonic (a
 * satellite's receptions arrive out of order) and move nothing. */
static void seen_time(pel_decoder *d, const ais_sentence *s) {
    if (!s->has_time || s->clock == PEL_CLOCK_PGHP)
        return;
    int n = src_key(s);
    for (int ai = 0; ai < d->nactive; ai++) {
        slot *t = &d->slots[d->active[ai]];
        if (!t->has_time || t->clock != s->clock || t->srclen != n || (n > 0 && memcmp(t->src, s->src, (size_t)n)))
            continue;
        if (s->ms > t->newest)
            t->newest = s->ms;
    }
}

/* Expires partial messages that are too old: by lines, or by the time of
 * their own source and clock. */
static void expire(pel_decoder *d, uint64_t lineno) {
    for (int ai = 0; ai < d->nactive;) {
        slot *s = &d->slots[d->active[ai]];
        bool old = lineno - s->lines[0] > d->o.frag_max_lines ||
                   (s->has_time && s->clock != PEL_CLOCK_PGHP && s->newest - s->ms > d->o.frag_timeout_ms);
        if (old)
            drop_slot(d, ai, PEL_REJ_FRAG_STALE, "partial message expired before its last fragment");
        else
            ai++;
    }
}

/* Decodes a complete payload and hands the message over.  lines/texts are
 * used to report a failure on every line of the message. */
static void emit(pel_decoder *d, const char *payload, int plen, int fill, const ais_sentence *s, bool has_time,
                 int clock, int64_t ms, const char *src, int srclen, const uint64_t *lines, int nlines,
                 const char (*texts)[FRAG_TEXT], const uint16_t *textlens, const char *line1, size_t len1) {
    pel_ais_msg *m = &d->msg;
    int bitlen = ais_dearmor(payload, plen, fill, m->bits);
    pel_reject r = bitlen < 0 ? PEL_REJ_BAD_CHAR : pel_ais_decode_bits(m, m->bits, bitlen);
    if (r != PEL_REJ_NONE) {
        const char *detail = r == PEL_REJ_BAD_TYPE   ? "message type not 1..27 (or reserved type 24 part)"
                             : r == PEL_REJ_BAD_CHAR ? "payload character outside the 6-bit armour"
                                                     : "payload length impossible for its message type";
        if (texts)
            for (int k = 0; k < nlines; k++)
                reject(d, r, lines[k], texts[k], textlens[k], detail);
        else
            reject(d, r, lines[0], line1, len1, detail);
        return;
    }
    int std = ais_std_bits(m->type, m->partno);
    if (std && m->bitlen > std)
        d->st.oversize++;
    m->file = d->file;
    m->line = lines[0];
    m->line_last = lines[nlines - 1];
    m->has_rx = has_time;
    m->rx_ms = has_time ? ms : 0;
    m->rx_clock = (uint8_t)(has_time ? clock : PEL_CLOCK_NONE);
    if (src && srclen > 0) {
        int n = srclen > SRC_MAX ? SRC_MAX : srclen;
        memcpy(d->src, src, (size_t)n);
        d->src[n] = 0;
        m->source = d->src;
    } else
        m->source = NULL;
    m->talker[0] = s->talker[0];
    m->talker[1] = s->talker[1];
    m->talker[2] = 0;
    m->channel = s->channel;
    m->own = s->own;
    m->fragments = nlines;
    d->st.messages++;
    d->st.by_type[m->type]++;
    d->st.by_clock[m->rx_clock < PEL_CLOCK__COUNT ? m->rx_clock : PEL_CLOCK_NONE]++;
    if (has_time)
        d->st.with_time++;
    if (d->cb.on_msg && d->cb.on_msg(d->cb.ud, m))
        d->stopped = true;
}

static void keep_text(slot *s, int k, const char *line, size_t len) {
    size_t n = len < FRAG_TEXT ? len : FRAG_TEXT;
    memcpy(s->text[k], line, n);
    s->textlen[k] = (uint16_t)n;
}

/* Finds the partial message a fragment belongs to; -1 if none. */
static int find_slot(pel_decoder *d, const ais_sentence *s) {
    int best = -1;
    uint64_t best_order = 0;
    for (int ai = 0; ai < d->nactive; ai++) {
        slot *t = &d->slots[d->active[ai]];
        if (t->seqid != s->seqid || t->total != s->total || t->channel != s->channel || t->talker[0] != s->talker[0] ||
            t->talker[1] != s->talker[1])
            continue;
        if (s->g_total && t->g_id >= 0 && t->g_id != s->g_id)
            continue;
        if (s->src && t->srclen >= 0 &&
            (t->srclen != (s->srclen > SRC_MAX ? SRC_MAX : s->srclen) || memcmp(t->src, s->src, (size_t)t->srclen)))
            continue;
        if (best < 0 || t->order > best_order) {
            best = ai;
            best_order = t->order;
        }
    }
    return best;
}

/* True when clock a is better than b: a receiver's before a collector's,
 * any time before none (the pel_clock order). */
static bool better_clock(int a, int b) {
    return a != PEL_CLOCK_NONE && (b == PEL_CLOCK_NONE || a < b);
}

static void fragment(pel_decoder *d, ais_sentence *s, const char *line, size_t len, uint64_t lineno) {
    unsigned bad = 0;
    for (int k = 0; k < s->plen; k++)
        bad |= ais_armor[(unsigned char)s->payload[k]];
    if (bad & 0x80) {
        reject(d, PEL_REJ_BAD_CHAR, lineno, line, len, "payload character outside the 6-bit armour");
        return;
    }
    int ai = find_slot(d, s);
    if (s->num == 1) {
        if (ai >= 0)
            drop_slot(d, ai, PEL_REJ_FRAG_STALE, "partial message replaced by a new one with the same id");
        if (d->nfree == 0) { /* full: the oldest goes */
            int oldest = 0;
            for (int k = 1; k < d->nactive; k++)
                if (d->slots[d->active[k]].order < d->slots[d->active[oldest]].order)
                    oldest = k;
            drop_slot(d, oldest, PEL_REJ_FRAG_STALE, "too many partial messages at once");
        }
        int i = d->freelist[--d->nfree];
        d->active[d->nactive++] = i;
        slot *t = &d->slots[i];
        t->talker[0] = s->talker[0];
        t->talker[1] = s->talker[1];
        t->channel = s->channel;
        t->seqid = s->seqid;
        t->total = s->total;
        t->next = 2;
        t->g_id = s->g_total ? s->g_id : -1;
        if (s->src) {
            t->srclen = src_key(s);
            memcpy(t->src, s->src, (size_t)t->srclen);
        } else
            t->srclen = -1;
        t->has_time = s->has_time;
        t->clock = s->has_time ? s->clock : PEL_CLOCK_NONE;
        t->ms = s->ms;
        t->newest = s->ms;
        t->lines[0] = lineno;
        keep_text(t, 0, line, len);
        if (s->plen > PAYLOAD_MAX) {
            d->active[--d->nactive] = i, d->freelist[d->nfree++] = i;
            reject(d, PEL_REJ_BAD_LENGTH, lineno, line, len, "payload longer than any AIS message");
            return;
        }
        memcpy(t->payload, s->payload, (size_t)s->plen);
        t->plen = s->plen;
        t->order = ++d->order;
        return;
    }
    if (ai < 0) {
        reject(d, PEL_REJ_FRAG_ORPHAN, lineno, line, len, "fragment without the earlier parts of its message");
        return;
    }
    slot *t = &d->slots[d->active[ai]];
    if (s->num < t->next) {
        reject(d, PEL_REJ_FRAG_DUPLICATE, lineno, line, len, "fragment number already received");
        return;
    }
    if (s->num > t->next) {
        drop_slot(d, ai, PEL_REJ_FRAG_STALE, "a fragment of this message is missing");
        reject(d, PEL_REJ_FRAG_ORPHAN, lineno, line, len, "fragment after a missing one");
        return;
    }
    if (t->plen + s->plen > PAYLOAD_MAX) {
        drop_slot(d, ai, PEL_REJ_BAD_LENGTH, "payload longer than any AIS message");
        reject(d, PEL_REJ_BAD_LENGTH, lineno, line, len, "payload longer than any AIS message");
        return;
    }
    memcpy(t->payload + t->plen, s->payload, (size_t)s->plen);
    t->plen += s->plen;
    t->lines[t->next - 1] = lineno;
    keep_text(t, t->next - 1, line, len);
    if (s->has_time && better_clock(s->clock, t->has_time ? t->clock : PEL_CLOCK_NONE)) {
        t->has_time = true;
        t->clock = s->clock;
        t->ms = s->ms;
        t->newest = s->ms;
    }
    if (t->next++ < t->total)
        return;
    /* complete: emit, then free the slot */
    int i = d->active[ai];
    d->active[ai] = d->active[--d->nactive];
    d->freelist[d->nfree++] = i;
    emit(d, t->payload, t->plen, s->fill, s, t->has_time, t->clock, t->ms, t->srclen > 0 ? t->src : NULL, t->srclen,
         t->lines, t->total, (const char(*)[FRAG_TEXT])t->text, t->textlen, NULL, 0);
}

/* Processes one line in its turn, as parsed (r, s, detail); s's time is
 * final ($PGHP pairing is done). */
static void take(pel_decoder *d, const char *line, size_t len, uint64_t lineno, int r, ais_sentence *s,
                 const char *detail) {
    d->cur_line = lineno;
    /* every 64th line, so that a run continued part-way expires alike */
    if (d->nactive && lineno % 64 == 0)
        expire(d, lineno);
    switch (r) {
    case AIS_LINE_SENTENCE:
        break;
    case AIS_LINE_BLANK:
        d->st.ignored_blank++;
        return;
    case AIS_LINE_OTHER:
    case AIS_LINE_PGHP:
        d->st.ignored_other++;
        return;
    default:
        reject(d, (pel_reject)r, lineno, line, len, detail);
        return;
    }
    d->st.sentences++;
    if (s->tb_bad_sum)
        d->st.tag_block_checksum++;
    seen_time(d, s);
    if (s->total == 1) {
        if (s->plen > PAYLOAD_MAX) {
            reject(d, PEL_REJ_BAD_LENGTH, lineno, line, len, "payload longer than any AIS message");
            return;
        }
        emit(d, s->payload, s->plen, s->fill, s, s->has_time, s->clock, s->ms, s->src, s->srclen, &lineno, 1, NULL,
             NULL, line, len);
    } else
        fragment(d, s, line, len, lineno);
}

/* Gives s the time of a $PGHP line. */
static void set_pghp(ais_sentence *s, int64_t ms) {
    s->has_time = true;
    s->clock = PEL_CLOCK_PGHP;
    s->ms = ms;
}

/* The k-th held line, oldest first. */
static held *held_at(pel_decoder *d, int k) {
    return &d->q[(d->qhead + k) % HOLD_MAX];
}

/* Processes the oldest held line. */
static void take_held(pel_decoder *d) {
    held *h = held_at(d, 0);
    d->qhead = (d->qhead + 1) % HOLD_MAX;
    d->qn--;
    if (h->too_long) {
        d->cur_line = h->lineno;
        reject(d, PEL_REJ_TOO_LONG, h->lineno, h->text, h->len, too_long_detail);
        return;
    }
    ais_sentence s;
    const char *detail = NULL;
    int r = ais_sentence_parse(h->text, h->len, &s, &detail);
    if (h->timed && r == AIS_LINE_SENTENCE)
        set_pghp(&s, h->ms);
    take(d, h->text, h->len, h->lineno, r, &s, detail);
}

/* Processes the held lines that are decided: timed, not waiting, or whose
 * message ended more than the window before line lineno (all of them when
 * all). */
static void release(pel_decoder *d, uint64_t lineno, bool all) {
    while (d->qn && !d->stopped) {
        const held *h = held_at(d, 0);
        if (!all && h->waiting && !h->timed && lineno - h->unit_end < PGHP_WINDOW && lineno >= h->unit_end)
            break;
        take_held(d);
    }
}

/* Appends a line to the delay line; NULL when it cannot be held (full
 * after on_msg asked to stop: the caller is told PEL_STOPPED). */
static held *hold_line(pel_decoder *d, const char *line, size_t len, uint64_t lineno) {
    if (d->qn == HOLD_MAX) { /* line numbers that do not advance: make room */
        if (d->stopped)
            return NULL;
        take_held(d);
    }
    held *h = held_at(d, d->qn++);
    memset(h, 0, offsetof(held, text));
    h->lineno = lineno;
    h->len = (uint32_t)len;
    memcpy(h->text, line, len);
    return h;
}

/* Gives every held sentence of unit the time ms; they wait no more. */
static void time_unit(pel_decoder *d, uint64_t unit, int64_t ms) {
    for (int k = 0; k < d->qn; k++) {
        held *h = held_at(d, k);
        if (h->unit == unit) {
            h->timed = true;
            h->ms = ms;
        }
    }
}

/* A $PGHP line with cc: times the nearest complete held message before it
 * whose checksum is cc and which ended at most the window before, or waits
 * for one after it. */
static void pair_pghp(pel_decoder *d, const ais_sentence *p, uint64_t lineno) {
    for (int k = d->qn - 1; k >= 0; k--) {
        held *h = held_at(d, k);
        if (h->complete && h->waiting && !h->timed && h->xsum == p->cksum && lineno - h->unit_end <= PGHP_WINDOW) {
            time_unit(d, h->unit, p->ms);
            return;
        }
    }
    if (d->npw == PGHP_WINDOW + 1) { /* the oldest is out of the window (if line numbers advance) */
        memmove(d->pw, d->pw + 1, PGHP_WINDOW * sizeof d->pw[0]);
        d->npw--;
    }
    d->pw[d->npw++] = (pghp_wait){lineno, p->cksum, p->ms};
}

/* Takes the nearest unpaired $PGHP before a message that began at line
 * first, at most the window before it, whose cc is cksum (for an own-ship
 * message, cksum < 0: one with cc 00 on the line right before first); true
 * and *ms when there is one.  Forgets those out of the window of line
 * lineno. */
static bool pghp_before(pel_decoder *d, int cksum, uint64_t first, uint64_t lineno, int64_t *ms) {
    int keep = 0;
    for (int k = 0; k < d->npw; k++)
        if (lineno - d->pw[k].lineno <= PGHP_WINDOW && lineno >= d->pw[k].lineno)
            d->pw[keep++] = d->pw[k];
    d->npw = keep;
    for (int k = d->npw - 1; k >= 0; k--) {
        const pghp_wait *w = &d->pw[k];
        if (w->lineno >= first || first - w->lineno > PGHP_WINDOW)
            continue;
        if (cksum >= 0 ? w->cksum == cksum : w->lineno + 1 == first && w->cksum == 0) {
            *ms = w->ms;
            memmove(d->pw + k, d->pw + k + 1, (size_t)(d->npw - k - 1) * sizeof d->pw[0]);
            d->npw--;
            return true;
        }
    }
    return false;
}

/* Fills the pairing state of a sentence without a tag-block time, h being
 * the line's entry (not yet in the delay line when lineno is the line being
 * fed).  Returns true when it waits for a $PGHP. */
static bool unit_of(pel_decoder *d, held *h, ais_sentence *s, uint64_t lineno, bool next, int64_t next_ms) {
    h->talker[0] = s->talker[0], h->talker[1] = s->talker[1], h->channel = s->channel;
    h->seqid = (int8_t)s->seqid, h->total = (int8_t)s->total, h->num = (int8_t)s->num;
    int64_t ms = 0;
    if (s->num == 1) {
        h->unit = ++d->units;
        h->unit_first = h->unit_end = lineno;
        h->xsum = (uint8_t)s->cksum;
        h->complete = s->total == 1;
        /* Gatehouse writes cc 00 for own-ship (VDO) messages: the $PGHP right before times it */
        if (next || (s->own && pghp_before(d, -1, lineno, lineno, &ms)) ||
            (h->complete && pghp_before(d, s->cksum, lineno, lineno, &ms))) {
            h->timed = true;
            h->ms = next ? next_ms : ms;
            return false;
        }
        return true;
    }
    /* a later sentence: the unit of the held sentence before it */
    const held *prev = NULL;
    for (int k = d->qn - 1; k >= 0 && !prev; k--) {
        const held *e = held_at(d, k);
        if (e->unit && !e->complete && e->num == s->num - 1 && e->total == s->total && e->seqid == s->seqid &&
            e->channel == s->channel && e->talker[0] == s->talker[0] && e->talker[1] == s->talker[1])
            prev = e;
    }
    if (!prev)
        return false; /* its first part is not held: not paired */
    h->unit = prev->unit;
    h->unit_first = prev->unit_first;
    h->unit_end = lineno;
    h->xsum = (uint8_t)(prev->xsum ^ s->cksum);
    h->complete = s->num == s->total;
    for (int k = 0; k < d->qn; k++)
        if (held_at(d, k)->unit == h->unit)
            held_at(d, k)->unit_end = lineno;
    if (prev->timed) {
        h->timed = true;
        h->ms = prev->ms;
        return false;
    }
    if (h->complete && pghp_before(d, h->xsum, h->unit_first, lineno, &ms)) {
        time_unit(d, h->unit, ms);
        h->timed = true;
        h->ms = ms;
        return false;
    }
    return true;
}

static pel_status finish(pel_decoder *d) {
    if (!d->stopped)
        return PEL_OK;
    d->stopped = false;
    d->halted = true;
    return PEL_STOPPED;
}

/* The length of the first sentence of a line that holds several glued
 * together ("...,0*37\\c:...\\!AIVDM,...*25", as MarineTraffic and Spire
 * samples have them): up to the first sentence's checksum when a tag block
 * or another sentence follows it right away; len otherwise. */
static size_t first_sentence(const char *line, size_t len) {
    const char *end = line + len, *bang = memchr(line, '!', len);
    if (!bang)
        return len;
    const char *star = memchr(bang, '*', (size_t)(end - bang));
    if (!star || end - star < 5)
        return len;
    const char *next = star + 3;
    bool hex = ais_hex(star[1]) >= 0 && ais_hex(star[2]) >= 0;
    return hex && (*next == '\\' || *next == '!') ? (size_t)(next - line) : len;
}

static pel_status feed_line(pel_decoder *d, const char *line, size_t len, uint64_t lineno);

pel_status pel_decoder_line(pel_decoder *d, const char *line, size_t len, uint64_t lineno) {
    d->st.lines++;
    d->last_line = lineno;
    d->halted = false;
    pel_status st = PEL_OK;
    do {
        size_t n = first_sentence(line, len);
        st = feed_line(d, line, n, lineno);
        line += n;
        len -= n;
    } while (len && st == PEL_OK);
    return st;
}

/* One sentence (or other line) of input line lineno. */
static pel_status feed_line(pel_decoder *d, const char *line, size_t len, uint64_t lineno) {
    ais_sentence s;
    const char *detail = NULL;
    int r = ais_sentence_parse(line, len, &s, &detail);
    if (!d->hold && (r == AIS_LINE_PGHP || (r == AIS_LINE_SENTENCE && s.clock == PEL_CLOCK_TRAILER)))
        d->hold = true;
    if (!d->hold) {
        take(d, line, len, lineno, r, &s, detail);
        return finish(d);
    }
    held h;
    memset(&h, 0, offsetof(held, text));
    h.lineno = lineno;
    if (r == AIS_LINE_PGHP) {
        if (s.cksum >= 0)
            pair_pghp(d, &s, lineno);
        else {
            d->pghp_next = true;
            d->pghp_next_ms = s.ms;
        }
    } else if (r == AIS_LINE_SENTENCE) {
        bool next = d->pghp_next && s.num == 1;
        d->pghp_next = false;
        if (s.clock != PEL_CLOCK_TAG_BLOCK)
            h.waiting = unit_of(d, &h, &s, lineno, next, d->pghp_next_ms);
        if (h.timed)
            set_pghp(&s, h.ms);
    }
    if (d->qn == 0 && !h.waiting)
        take(d, line, len, lineno, r, &s, detail);
    else if (len > HOLD_TEXT) {
        release(d, lineno, true);
        if (!d->stopped)
            take(d, line, len, lineno, r, &s, detail);
    } else {
        held *e = hold_line(d, line, len, lineno);
        if (e)
            memcpy(e, &h, offsetof(held, len));
    }
    release(d, lineno, false);
    return finish(d);
}

void pel_decoder_too_long(pel_decoder *d, const char *head, size_t len, uint64_t lineno) {
    d->st.lines++;
    d->last_line = lineno;
    if (d->qn) {
        held *h = hold_line(d, head, len < FRAG_TEXT ? len : FRAG_TEXT, lineno);
        if (h)
            h->too_long = true;
        release(d, lineno, false);
        return;
    }
    d->cur_line = lineno;
    reject(d, PEL_REJ_TOO_LONG, lineno, head, len, too_long_detail);
}

void pel_decoder_flush(pel_decoder *d) {
    if (!d->halted)
        release(d, d->last_line, true);
    d->qn = d->qhead = 0; /* what a stop left held is dropped */
    d->stopped = false;
    d->npw = 0;
    d->pghp_next = false;
    d->hold = false;
    d->cur_line = d->last_line + 1;
    while (d->nactive)
        drop_slot(d, 0, PEL_REJ_FRAG_STALE, "input ended before the message's last fragment");
}
