/*
 * cli_vessels.c -- pelorus vessels: the vessels of the database, by MMSI,
 * or with --rank by risk (docs/report.md), riskiest first with the reasons.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_name vessel_formats[] = {
    {"table", PEL_FIND_TABLE}, {"jsonl", PEL_FIND_JSONL}, {"csv", PEL_FIND_CSV}, {NULL, 0}};
#include "util/display.h"
#include "util/escape.h"

static const char vessels_help[] = "usage: pelorus vessels [--rank] [OPTIONS]\n"
                                   "\n"
                                   "Without --rank: lists the vessels of the database by MMSI, with their latest\n"
                                   "name, number of positions and first and last position.\n"
                                   "\n"
                                   "With --rank: scans the database (as pelorus scan) and ranks the vessels with\n"
                                   "findings by risk, riskiest first: a score that is the sum of points for\n"
                                   "each finding (a sanctions-list match, a ship-to-ship encounter, a dark\n"
                                   "period, a visit to a port of concern, ...), a level (high, medium, low) and\n"
                                   "the reasons in plain words.  docs/report.md lists the weights.\n"
                                   "\n"
                                   "options:\n"
                                   "  --db PATH          the database (default pelorus.db)\n"
                                   "  --rank             rank by risk\n"
                                   "  --limit N          the first N vessels only (1 to 1000000000;\n"
                                   "                     default: all)\n"
                                   "  --format F         table (default on a terminal), jsonl (default otherwise)\n"
                                   "                     or csv\n"
                                   "  --vessel MMSI      only this vessel and its encounter partners (repeatable;\n"
                                   "                     --rank only)\n"
                                   "  --from TIME        findings (with --rank) or positions ending at or after\n"
                                   "                     TIME (ISO-8601 UTC or Unix seconds)\n"
                                   "  --to TIME          ... and starting at or before TIME\n"
                                   "  --set NAME=VALUE   a risk weight (risk.encounter=20, risk.high=50, ...) or a\n"
                                   "                     detector setting (as pelorus scan --set); repeatable;\n"
                                   "                     --rank only\n"
                                   "  --zones FILE       areas of interest (GeoJSON) instead of the shipped ones\n"
                                   "                     (--rank only)\n"
                                   "  --data-dir DIR     where ports.csv, zones.geojson and mid.csv are (--rank\n"
                                   "                     only)\n"
                                   "  -o, --output FILE  write to FILE instead of standard output\n"
                                   "\n"
                                   "exit status: 0 done; 1 the database or the output failed; 2 usage\n";

typedef struct list_ctx {
    FILE *out;
    pel_findings_format fmt;
    size_t limit, n;
} list_ctx;

static int on_vessel(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    list_ctx *c = ud;
    char t0[40], t1[40];
    pel_format_time(p[0].t_ms, t0);
    pel_format_time(p[n - 1].t_ms, t1);
    switch (c->fmt) {
    case PEL_FIND_TABLE:
        fprintf(c->out, "%09u ", mmsi);
        disp_fput_cell(c->out, name, 20, true);
        fprintf(c->out, " %9zu  %-20s  %s\n", n, t0, t1);
        break;
    case PEL_FIND_CSV:
        fprintf(c->out, "%u,", mmsi);
        if (name)
            esc_csv(c->out, name, 0);
        fprintf(c->out, ",%zu,%s,%s\n", n, t0, t1);
        break;
    default:
        fprintf(c->out, "{\"mmsi\":%u,\"name\":", mmsi);
        if (name)
            esc_json_string(c->out, name, ESC_HTML);
        else
            fputs("null", c->out);
        fprintf(c->out, ",\"positions\":%zu,\"first\":\"%s\",\"last\":\"%s\"}\n", n, t0, t1);
        break;
    }
    c->n++;
    return c->limit && c->n >= c->limit;
}

static int usage(const char *msg, const char *arg) {
    fprintf(stderr, "pelorus vessels: %s%s%s (see --help)\n", msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

int cli_vessels(int argc, char **argv) {
    const char *db = cli_default_db(), *out = NULL;
    bool rank = false, has_from = false, has_to = false;
    size_t limit = 0;
    pel_findings_format fmt = isatty(1) ? PEL_FIND_TABLE : PEL_FIND_JSONL;
    pel_report_opts o = {.from_ms = INT64_MIN, .to_ms = INT64_MAX};
    const char **set = calloc((size_t)argc, sizeof *set);
    uint32_t *mmsi = calloc((size_t)argc, sizeof *mmsi);
    size_t nset = 0, nmmsi = 0;
    int rc = 0;
    if (!set || !mmsi) {
        free(set);
        free(mmsi);
        return 1;
    }
    enum { O_HELP, O_RANK, O_DB, O_OUT, O_SET, O_ZONES, O_DATA, O_LIMIT, O_VESSEL, O_FROM, O_TO, O_FORMAT };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_RANK] = {"--rank", NULL, false},
        [O_DB] = {"--db", NULL, true},
        [O_OUT] = {"--output", "-o", true},
        [O_SET] = {"--set", NULL, true},
        [O_ZONES] = {"--zones", NULL, true},
        [O_DATA] = {"--data-dir", NULL, true},
        [O_LIMIT] = {"--limit", NULL, true},
        [O_VESSEL] = {"--vessel", NULL, true},
        [O_FROM] = {"--from", NULL, true},
        [O_TO] = {"--to", NULL, true},
        [O_FORMAT] = {"--format", NULL, true},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "vessels", argc, argv);
    const char *v;
    uint64_t u;
    int choice; /* a value of cli_choice */
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            rc = 2;
            break;
        case CLI_ARG:
            rc = usage("unexpected argument", v);
            break;
        case O_HELP:
            fputs(vessels_help, stdout);
            free(set);
            free(mmsi);
            return 0;
        case O_RANK:
            rank = true;
            break;
        case O_DB:
            db = v;
            break;
        case O_OUT:
            out = v;
            break;
        case O_SET:
            set[nset++] = v;
            break;
        case O_ZONES:
            o.zones_path = v;
            break;
        case O_DATA:
            o.data_dir = v;
            break;
        case O_LIMIT:
            if (!cli_whole("vessels", "--limit", v, 1, 1000000000, "vessels", &u))
                rc = 2;
            limit = (size_t)u;
            break;
        case O_VESSEL:
            if (!cli_mmsi("vessels", "--vessel", v, &mmsi[nmmsi++]))
                rc = 2;
            break;
        case O_FROM:
            has_from = true;
            if (!cli_time("vessels", "--from", v, &o.from_ms))
                rc = 2;
            break;
        case O_TO:
            has_to = true;
            if (!cli_time("vessels", "--to", v, &o.to_ms))
                rc = 2;
            break;
        case O_FORMAT:
            if (cli_choice("vessels", "--format", v, vessel_formats, &choice))
                fmt = (pel_findings_format)choice;
            else
                rc = 2;
            break;
        }
    }
    if (!rc && !rank && (nset || nmmsi || o.zones_path || o.data_dir))
        rc = usage("--set, --vessel, --zones and --data-dir go with --rank", NULL);
    if (!rc && !cli_period("vessels", has_from, o.from_ms, has_to, o.to_ms))
        rc = 2;
    pel_error err = {0};
    if (!rc && pel_report_check_settings(set, nset, &err) != PEL_OK) {
        fprintf(stderr, "pelorus vessels: %s\n", err.msg);
        rc = err.code == PEL_ERR_ARG ? 2 : 1;
    }
    if (rc) {
        free(set);
        free(mmsi);
        return rc;
    }
    o.set = set;
    o.nset = nset;
    o.mmsi = nmmsi ? mmsi : NULL;
    o.nmmsi = nmmsi;
    pel_store *s = pel_store_open(db, true, &err);
    if (!s) {
        fprintf(stderr, "pelorus vessels: %s\n", err.msg);
        free(set);
        free(mmsi);
        return 1;
    }
    cli_out co;
    FILE *f = cli_out_open("vessels", &co, out);
    if (!f) {
        pel_store_close(s);
        free(set);
        free(mmsi);
        return 1;
    }
    pel_status st;
    if (rank)
        st = pel_rank(s, &o, f, fmt, limit, &err);
    else {
        list_ctx c = {.out = f, .fmt = fmt, .limit = limit};
        pel_track_filter tf = {
            .has_from = o.from_ms != INT64_MIN, .from_ms = o.from_ms, .has_to = o.to_ms != INT64_MAX, .to_ms = o.to_ms};
        if (fmt == PEL_FIND_TABLE)
            fprintf(f, "%-9s %-20s %9s  %-20s  %s\n", "mmsi", "name", "positions", "first", "last");
        else if (fmt == PEL_FIND_CSV)
            fputs("mmsi,name,positions,first,last\n", f);
        st = pel_tracks(s, &tf, on_vessel, &c, &err);
        if (st == PEL_STOPPED)
            st = PEL_OK;
    }
    if (st != PEL_OK)
        fprintf(stderr, "pelorus vessels: %s\n", err.msg[0] ? err.msg : "failed");
    if (!cli_out_close("vessels", &co, st == PEL_OK) && st == PEL_OK)
        st = PEL_ERR_IO;
    pel_store_close(s);
    free(set);
    free(mmsi);
    if (st == PEL_ERR_ARG)
        return 2;
    return st == PEL_OK ? 0 : 1;
}
