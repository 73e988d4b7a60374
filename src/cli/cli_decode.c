/*
 * cli_decode.c -- pelorus decode: AIS sentences to JSON Lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char help[] = "usage: pelorus decode [OPTIONS] [FILE...|-]\n"
                           "\n"
                           "Decodes AIVDM/AIVDO sentences (plain or .gz, any talker, tag blocks, multi-\n"
                           "sentence messages, receiver time prefixes and trailers, $PGHP times) and\n"
                           "writes one JSON object per message to standard output, with gpsd's field\n"
                           "names and scaling, plus \"rxtime\" (ISO-8601 UTC receive time, when the input\n"
                           "has one) and \"rxclock\" (where that time came from: tag_block, pghp, prefix\n"
                           "or trailer, best first), \"source\" (tag-block s: or receiver id), \"file\"\n"
                           "and \"line\".\n"
                           "Values meaning \"not available\" (lat 91, lon 181, speed 102.3, heading 511,\n"
                           "course 360) are left out.  With no FILE, or with -, reads standard input.\n"
                           "\n"
                           "options:\n"
                           "  -u, --unscaled     raw integer values, as gpsdecode -u\n"
                           "      --no-meta      leave out rxtime, source, file and line\n"
                           "  -c, --count        decode everything but print only the counts (JSON)\n"
                           "      --rejects FILE write every rejected line to FILE, tab-separated:\n"
                           "                     file, line number, reason, detail, the line (bytes\n"
                           "                     below 0x20 or above 0x7e written as \\xNN)\n"
                           "  -s, --summary      a readable summary on standard error: vessels, time\n"
                           "                     span, messages by type, rejected lines by reason\n"
                           "  -q, --quiet        no summary line on standard error\n"
                           "  -h, --help         this help\n"
                           "\n"
                           "A one-line summary (lines, messages, their clocks, oversize payloads, tag\n"
                           "blocks with a failed checksum, rejected lines by reason) goes to standard\n"
                           "error at the end.\n"
                           "\n"
                           "exit status:\n"
                           "  0  every input was read (rejected lines are normal and only counted)\n"
                           "  1  an input could not be opened or read, or output could not be written\n"
                           "  2  usage error\n";

/* Distinct MMSIs for --summary: open addressing, grows with vessels only. */
typedef struct mmsi_set {
    uint32_t *slot;
    size_t cap, n;
} mmsi_set;

static bool set_add(mmsi_set *s, uint32_t v) {
    if (v == 0)
        return true;
    if (2 * (s->n + 1) > s->cap) {
        size_t ncap = s->cap ? 2 * s->cap : 4096;
        uint32_t *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return false;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slot[i]) {
                size_t h = (s->slot[i] * 2654435761u) & (ncap - 1);
                while (ns[h])
                    h = (h + 1) & (ncap - 1);
                ns[h] = s->slot[i];
            }
        free(s->slot);
        s->slot = ns;
        s->cap = ncap;
    }
    size_t h = (v * 2654435761u) & (s->cap - 1);
    while (s->slot[h] && s->slot[h] != v)
        h = (h + 1) & (s->cap - 1);
    if (!s->slot[h]) {
        s->slot[h] = v;
        s->n++;
    }
    return true;
}

typedef struct ctx {
    FILE *out;
    FILE *rejects;
    unsigned flags;
    bool count;
    char *buf;
    size_t used, cap;
    bool write_failed;
    const char *file;
    bool summary;
    mmsi_set mmsis;
    uint64_t positions;
    uint64_t pos_by_clock[PEL_CLOCK__COUNT]; /* positions by the clock of their time */
    int64_t tmin, tmax;
    bool have_t;
} ctx;

static void flush_out(ctx *c) {
    if (c->used && fwrite(c->buf, 1, c->used, c->out) != c->used)
        c->write_failed = true;
    c->used = 0;
}

static int on_msg(void *ud, const pel_ais_msg *m) {
    ctx *c = ud;
    if (c->summary) {
        set_add(&c->mmsis, m->mmsi);
        if (m->lat == m->lat) {
            c->positions++;
            c->pos_by_clock[m->has_rx && m->rx_clock < PEL_CLOCK__COUNT ? m->rx_clock : PEL_CLOCK_NONE]++;
        }
        if (m->has_rx) {
            if (!c->have_t || m->rx_ms < c->tmin)
                c->tmin = m->rx_ms;
            if (!c->have_t || m->rx_ms > c->tmax)
                c->tmax = m->rx_ms;
            c->have_t = true;
        }
    }
    if (c->count)
        return 0;
    if (c->cap - c->used < PEL_AIS_JSON_MAX + 2)
        flush_out(c);
    size_t n = pel_ais_json(m, c->flags, c->buf + c->used, c->cap - c->used - 1);
    c->used += n;
    c->buf[c->used++] = '\n';
    return c->write_failed ? 1 : 0;
}

void cli_write_reject(FILE *f, const char *file, const pel_reject_info *r) {
    fprintf(f, "%s\t%llu\t%s\t%s\t", file ? file : "-", (unsigned long long)r->line, pel_reject_name(r->why),
            r->detail ? r->detail : "");
    for (size_t i = 0; i < r->len; i++) {
        unsigned char ch = (unsigned char)r->text[i];
        if (ch < 0x20 || ch >= 0x7f)
            fprintf(f, "\\x%02x", ch);
        else
            fputc(ch, f);
    }
    fputc('\n', f);
}

static void on_reject(void *ud, const pel_reject_info *r) {
    ctx *c = ud;
    if (c->rejects)
        cli_write_reject(c->rejects, c->file, r);
}

void cli_write_summary(FILE *f, const char *who, const pel_stats *st) {
    uint64_t rej = 0;
    for (int i = 1; i < PEL_REJ__COUNT; i++)
        rej += st->rejected[i];
    fprintf(f, "%s: %llu lines, %llu sentences, %llu messages (%llu with receive time", who,
            (unsigned long long)st->lines, (unsigned long long)st->sentences, (unsigned long long)st->messages,
            (unsigned long long)st->with_time);
    const char *sep = ": ";
    for (int c = 1; c < PEL_CLOCK__COUNT; c++)
        if (st->by_clock[c]) {
            fprintf(f, "%s%s %llu", sep, pel_clock_name((pel_clock)c), (unsigned long long)st->by_clock[c]);
            sep = ", ";
        }
    fprintf(f, "); oversize %llu; tag_block_checksum %llu; rejected %llu", (unsigned long long)st->oversize,
            (unsigned long long)st->tag_block_checksum, (unsigned long long)rej);
    if (rej) {
        sep = " (";
        for (int i = 1; i < PEL_REJ__COUNT; i++)
            if (st->rejected[i]) {
                fprintf(f, "%s%s %llu", sep, pel_reject_name((pel_reject)i), (unsigned long long)st->rejected[i]);
                sep = ", ";
            }
        fputc(')', f);
    }
    fprintf(f, "; ignored %llu blank or comment, %llu other\n", (unsigned long long)st->ignored_blank,
            (unsigned long long)st->ignored_other);
}

static const char *const type_names[28] = {
    NULL,
    "position report, class A",
    "position report, class A (assigned)",
    "position report, class A (polled)",
    "base station report",
    "static and voyage data",
    "binary addressed",
    "binary acknowledge",
    "binary broadcast",
    "SAR aircraft position",
    "UTC/date inquiry",
    "UTC/date response",
    "addressed safety",
    "safety acknowledge",
    "safety broadcast",
    "interrogation",
    "assignment command",
    "DGNSS broadcast",
    "position report, class B",
    "extended position report, class B",
    "data link management",
    "aid to navigation",
    "channel management",
    "group assignment",
    "static data, class B",
    "single slot binary",
    "multiple slot binary",
    "long range position",
};

static void write_summary(FILE *f, const ctx *c, const pel_stats *st) {
    char a[40], b[40];
    fprintf(f, "\nsummary\n");
    fprintf(f, "  vessels (distinct MMSI)   %zu\n", c->mmsis.n);
    fprintf(f, "  messages                  %llu, of which %llu with a position\n", (unsigned long long)st->messages,
            (unsigned long long)c->positions);
    if (c->have_t) {
        pel_format_time(c->tmin, a);
        pel_format_time(c->tmax, b);
        fprintf(f, "  receive times             %s .. %s (%llu messages carry one)\n", a, b,
                (unsigned long long)st->with_time);
        uint64_t rx = 0;
        for (int k = 1; k < PEL_CLOCK__COUNT; k++)
            rx += pel_clock_is_receiver((pel_clock)k) ? c->pos_by_clock[k] : 0;
        fprintf(f, "  receiver-timed positions  %llu of %llu (tag block, $PGHP or leading time)\n",
                (unsigned long long)rx, (unsigned long long)c->positions);
        fprintf(f, "  by clock (best first)     messages, of which positions\n");
        for (int k = 1; k < PEL_CLOCK__COUNT; k++)
            if (st->by_clock[k])
                fprintf(f, "    %-22s %llu, %llu%s\n", pel_clock_name((pel_clock)k),
                        (unsigned long long)st->by_clock[k], (unsigned long long)c->pos_by_clock[k],
                        pel_clock_is_receiver((pel_clock)k) ? "" : " (arrival at a collector, not a receiver time)");
    } else
        fprintf(f, "  receive times             none in the input (no tag blocks or receiver stamps)\n");
    fprintf(f, "  oversize payloads         %llu (decoded at their type's standard length)\n",
            (unsigned long long)st->oversize);
    fprintf(f, "  tag block checksum failed %llu (sentence kept, tag-block fields used where they parse)\n",
            (unsigned long long)st->tag_block_checksum);
    fprintf(f, "  by message type\n");
    for (int t = 1; t < 28; t++)
        if (st->by_type[t])
            fprintf(f, "    %2d  %-40s %llu\n", t, type_names[t], (unsigned long long)st->by_type[t]);
    uint64_t rej = 0;
    for (int i = 1; i < PEL_REJ__COUNT; i++)
        rej += st->rejected[i];
    fprintf(f, "  rejected lines            %llu\n", (unsigned long long)rej);
    for (int i = 1; i < PEL_REJ__COUNT; i++)
        if (st->rejected[i])
            fprintf(f, "    %-22s %llu\n", pel_reject_name((pel_reject)i), (unsigned long long)st->rejected[i]);
    fprintf(f, "  ignored lines             %llu blank or comment, %llu other NMEA or receiver lines\n",
            (unsigned long long)st->ignored_blank, (unsigned long long)st->ignored_other);
}

int cli_decode(int argc, char **argv) {
    ctx c = {.out = stdout};
    const char *rejects_path = NULL;
    bool quiet = false;
    int nfiles = 0;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files)
        return 1;
    enum { O_HELP, O_UNSCALED, O_NOMETA, O_COUNT, O_SUMMARY, O_QUIET, O_REJECTS };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},       [O_UNSCALED] = {"--unscaled", "-u", false},
        [O_NOMETA] = {"--no-meta", NULL, false},  [O_COUNT] = {"--count", "-c", false},
        [O_SUMMARY] = {"--summary", "-s", false}, [O_QUIET] = {"--quiet", "-q", false},
        [O_REJECTS] = {"--rejects", NULL, true},  {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "decode", argc, argv);
    const char *v;
    for (int k; (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            free(files);
            return 2;
        case CLI_ARG:
            files[nfiles++] = (char *)v;
            break;
        case O_HELP:
            fputs(help, stdout);
            free(files);
            return 0;
        case O_UNSCALED:
            c.flags |= PEL_JSON_UNSCALED;
            break;
        case O_NOMETA:
            c.flags |= PEL_JSON_NO_META;
            break;
        case O_COUNT:
            c.count = true;
            break;
        case O_SUMMARY:
            c.summary = true;
            break;
        case O_QUIET:
            quiet = true;
            break;
        case O_REJECTS:
            rejects_path = v;
            break;
        }
    }
    if (nfiles == 0)
        files[nfiles++] = "-";
    cli_out rej = {0};
    if (rejects_path) {
        c.rejects = cli_out_open("decode", &rej, rejects_path);
        if (!c.rejects) {
            free(files);
            return 1;
        }
    }
    c.cap = 1 << 20;
    c.buf = malloc(c.cap);
    pel_decode_cb cb = {on_msg, on_reject, &c};
    pel_decoder *d = c.buf ? pel_decoder_new(NULL, &cb) : NULL;
    if (!d) {
        fprintf(stderr, "pelorus decode: out of memory\n");
        cli_out_close("decode", &rej, false);
        free(c.buf);
        free(files);
        return 1;
    }
    int rc = 0;
    for (int i = 0; i < nfiles; i++) {
        pel_error err = {0};
        c.file = files[i];
        pel_status st = pel_decode_file(d, files[i], &err);
        if (st == PEL_STOPPED)
            break;
        if (st != PEL_OK) {
            fprintf(stderr, "pelorus decode: %s\n", err.msg);
            rc = 1;
        }
    }
    flush_out(&c);
    const pel_stats *st = pel_decoder_stats(d);
    if (c.count) {
        printf("{\"lines\":%llu,\"messages\":%llu,\"by_type\":{", (unsigned long long)st->lines,
               (unsigned long long)st->messages);
        const char *sep = "";
        for (int t = 1; t < 28; t++)
            if (st->by_type[t]) {
                printf("%s\"%d\":%llu", sep, t, (unsigned long long)st->by_type[t]);
                sep = ",";
            }
        printf("}}\n");
    }
    if (fflush(stdout) != 0 || c.write_failed) {
        fprintf(stderr, "pelorus decode: writing the output failed: %s\n", strerror(errno));
        rc = 1;
    }
    if (!quiet)
        cli_write_summary(stderr, "pelorus decode", st);
    if (c.summary)
        write_summary(stderr, &c, st);
    free(c.mmsis.slot);
    if (c.rejects && !cli_out_close("decode", &rej, true))
        rc = 1;
    pel_decoder_free(d);
    free(c.buf);
    free(files);
    return rc;
}
