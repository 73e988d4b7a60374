/*
 * ais_decoder.c -- the streaming decoder: lines in, messages out.  Holds
 * the state that spans lines: partial multi-sentence messages, the time a
 * Gatehouse $PGHP line gave to the next sentence, and the counters.
 *
 * Reassembly: fragments are matched by talker, channel, sequential message
 * id and fragment count (and tag-block group id and source when the
 * fragment carries them; continuation fragments without a tag block, as the
 * Norwegian feed sends them, join the newest matching partial message).  A
 * partial message expires -- its lines counted and reported as stale --
 * when newer input is more than frag_timeout_ms (by receive time) or
 * frag_max_lines lines ahead, when its fragments arrive out of order, when
 * a new first fragment takes its key, or at the end of input.
 *
 * Memory is fixed at creation: max_pending partial messages.
 */
#include <stdlib.h>
#include <string.h>

#include "ais_internal.h"

#define SRC_MAX 256     /* longest source name kept */
#define FRAG_TEXT 200   /* bytes of each fragment line kept for reporting */
#define PAYLOAD_MAX (PEL_AIS_MAX_BITS / 6)

typedef struct slot {
    char talker[2];
    char channel;
    int seqid, total, next, g_id;
    char src[SRC_MAX];
    int srclen;        /* -1 when the first fragment had no source */
    bool has_time;
    int64_t ms;
    uint64_t lines[9];
    char text[9][FRAG_TEXT];
    uint16_t textlen[9];
    int plen;
    char payload[PAYLOAD_MAX];
    int fill;
    uint64_t order;    /* creation order, for eviction */
} slot;

struct pel_decoder {
    pel_decoder_opts o;
    pel_decode_cb cb;
    pel_stats st;
    char *file;
    slot *slots;
    int *active;       /* indices of slots in use */
    int nactive;
    int *freelist;
    int nfree;
    uint64_t order;
    uint64_t last_line;
    uint64_t cur_line;  /* the line being read (last + 1 while flushing) */
    int64_t newest_ms;
    bool have_newest;
    bool pghp;         /* a $PGHP time waits for the next sentence */
    int64_t pghp_ms;
    bool stopped;
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

const pel_stats *pel_decoder_stats(const pel_decoder *d) { return &d->st; }

static void reject(pel_decoder *d, pel_reject why, uint64_t line, const char *text, size_t len,
                   const char *detail) {
    d->st.rejected[why]++;
    if (d->cb.on_reject) {
        pel_reject_info r = {why, line, text, len, detail, d->cur_line};
        d->cb.on_reject(d->cb.ud, &r);
    }
}

void pel_decoder_too_long(pel_decoder *d, const char *head, size_t len, uint64_t lineno) {
    d->st.lines++;
    d->cur_line = lineno;
    reject(d, PEL_REJ_TOO_LONG, lineno, head, len, "line longer than 1 MiB (first bytes shown)");
}

/* Rejects every line of slot i with why and frees it. */
static void drop_slot(pel_decoder *d, int ai, pel_reject why, const char *detail) {
    int i = d->active[ai];
    slot *s = &d->slots[i];
    for (int k = 0; k < s->next - 1; k++)
        reject(d, why, s->lines[k], s->text[k], s->textlen[k], detail);
    d->active[ai] = d->active[--d->nactive];
    d->freelist[d->nfree++] = i;
}

/* Expires partial messages that are too old. */
static void expire(pel_decoder *d, uint64_t lineno) {
    for (int ai = 0; ai < d->nactive;) {
        slot *s = &d->slots[d->active[ai]];
        bool old = lineno - s->lines[0] > d->o.frag_max_lines ||
                   (s->has_time && d->have_newest && d->newest_ms - s->ms > d->o.frag_timeout_ms);
        if (old)
            drop_slot(d, ai, PEL_REJ_FRAG_STALE, "partial message expired before its last fragment");
        else
            ai++;
    }
}

/* Decodes a complete payload and hands the message over.  lines/texts are
 * used to report a failure on every line of the message. */
static void emit(pel_decoder *d, const char *payload, int plen, int fill, const ais_sentence *s, bool has_time,
                 int64_t ms, const char *src, int srclen, const uint64_t *lines, int nlines,
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
    m->file = d->file;
    m->line = lines[0];
    m->line_last = lines[nlines - 1];
    m->has_rx = has_time;
    m->rx_ms = has_time ? ms : 0;
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
        if (t->seqid != s->seqid || t->total != s->total || t->channel != s->channel ||
            t->talker[0] != s->talker[0] || t->talker[1] != s->talker[1])
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
            t->srclen = s->srclen > SRC_MAX ? SRC_MAX : s->srclen;
            memcpy(t->src, s->src, (size_t)t->srclen);
        } else
            t->srclen = -1;
        t->has_time = s->has_time;
        t->ms = s->ms;
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
    if (!t->has_time && s->has_time) {
        t->has_time = true;
        t->ms = s->ms;
    }
    if (t->next++ < t->total)
        return;
    /* complete: emit, then free the slot */
    int i = d->active[ai];
    d->active[ai] = d->active[--d->nactive];
    d->freelist[d->nfree++] = i;
    emit(d, t->payload, t->plen, s->fill, s, t->has_time, t->ms, t->srclen > 0 ? t->src : NULL, t->srclen,
         t->lines, t->total, (const char(*)[FRAG_TEXT])t->text, t->textlen, NULL, 0);
}

pel_status pel_decoder_line(pel_decoder *d, const char *line, size_t len, uint64_t lineno) {
    d->st.lines++;
    d->last_line = lineno;
    d->cur_line = lineno;
    /* every 64th line, so that a run continued part-way expires alike */
    if (d->nactive && lineno % 64 == 0)
        expire(d, lineno);
    ais_sentence s;
    const char *detail = NULL;
    int r = ais_sentence_parse(line, len, &s, &detail);
    switch (r) {
    case AIS_LINE_SENTENCE:
        break;
    case AIS_LINE_BLANK:
        d->st.ignored_blank++;
        return PEL_OK;
    case AIS_LINE_OTHER:
        d->st.ignored_other++;
        return PEL_OK;
    case AIS_LINE_PGHP:
        d->st.ignored_other++;
        d->pghp = true;
        d->pghp_ms = s.ms;
        return PEL_OK;
    default:
        reject(d, (pel_reject)r, lineno, line, len, detail);
        return PEL_OK;
    }
    d->st.sentences++;
    if (!s.has_time && d->pghp) {
        s.has_time = true;
        s.ms = d->pghp_ms;
    }
    d->pghp = false;
    if (s.has_time && (!d->have_newest || s.ms > d->newest_ms)) {
        d->newest_ms = s.ms;
        d->have_newest = true;
    }
    if (s.total == 1) {
        if (s.plen > PAYLOAD_MAX) {
            reject(d, PEL_REJ_BAD_LENGTH, lineno, line, len, "payload longer than any AIS message");
            return PEL_OK;
        }
        emit(d, s.payload, s.plen, s.fill, &s, s.has_time, s.ms, s.src, s.srclen, &lineno, 1, NULL, NULL, line,
             len);
    } else
        fragment(d, &s, line, len, lineno);
    if (d->stopped) {
        d->stopped = false;
        return PEL_STOPPED;
    }
    return PEL_OK;
}

void pel_decoder_flush(pel_decoder *d) {
    d->cur_line = d->last_line + 1;
    while (d->nactive)
        drop_slot(d, 0, PEL_REJ_FRAG_STALE, "input ended before the message's last fragment");
    d->pghp = false;
    d->have_newest = false;
}
