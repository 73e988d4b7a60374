/*
 * cli_scan.c -- pelorus scan: ingest the inputs, run every detector, write
 * the findings (docs/findings.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_name scan_formats[] = {{"jsonl", PEL_FIND_JSONL},
                                        {"table", PEL_FIND_TABLE},
                                        {"csv", PEL_FIND_CSV},
                                        {"geojson", PEL_FIND_GEOJSON},
                                        {NULL, 0}};

static const char scan_help[] = "usage: pelorus scan [OPTIONS] [INPUT...]\n"
                                "\n"
                                "Ingests the inputs (as pelorus ingest; none: scan the database as it is),\n"
                                "then runs every detector -- encounter, loitering, gap, port_visit,\n"
                                "zone_entry, spoofing, identity_change -- screens every identity ever\n"
                                "broadcast against the watchlists (watchlist_match, as pelorus screen),\n"
                                "notes broadcast IMO numbers that are no IMO number (data_quality), and\n"
                                "writes the findings, each with the measured quantities that justify it and\n"
                                "the file and line numbers of the messages it rests on.  Fishing gear (a\n"
                                "buoy's name) is left out.  Same input and settings, byte-identical output.\n"
                                "\n"
                                "options:\n"
                                "  --db PATH          the database (default pelorus.db); a postgresql:// one\n"
                                "                     also keeps a whole-store scan's findings in its PostGIS\n"
                                "                     layer findings (docs/schema.md, \"PostgreSQL\")\n"
                                "  --format F         jsonl (default when standard output is not a terminal),\n"
                                "                     table (default on a terminal), csv or geojson\n"
                                "  -o, --output FILE  write the findings to FILE\n"
                                "  --set NAME=VALUE   a detector setting (repeatable), e.g.\n"
                                "                     --set encounter.max_distance_m=300; docs/findings.md\n"
                                "                     lists them with their allowed ranges\n"
                                "  --watchlist FILE   import a sanctions list first (as 'pelorus watchlist import';\n"
                                "                     repeatable); without any, the stored lists or the shipped one\n"
                                "  --zones FILE       areas of interest (GeoJSON) instead of the shipped ones\n"
                                "  --data-dir DIR     where ports.csv, zones.geojson and mid.csv are\n"
                                "  --from T, --to T   a period only (ISO-8601 or Unix time): its positions and\n"
                                "                     each vessel's last one before it, the coverage of the\n"
                                "                     period, the findings that meet it (docs/findings.md)\n"
                                "  --full             judge every track from its start; otherwise a track is\n"
                                "                     judged from where the last scan left it quiet, with the\n"
                                "                     same findings (docs/incremental.md)\n"
                                "  --rejects FILE     rejected input lines (as pelorus ingest)\n"
                                "  --format-in F      input format: auto, nmea, noaa, dma, kystverket, barentswatch\n"
                                "                     or csv (as ingest --format)\n"
                                "  --columns MAP      generic CSV column map (as ingest --columns)\n"
                                "  --time-format F    CSV time format (as ingest --time-format)\n"
                                "  --delimiter C      CSV delimiter (as ingest --delimiter)\n"
                                "  --assume-time T    a receive time for records without one (as ingest)\n"
                                "  -q, --quiet        no summaries on standard error\n"
                                "\n"
                                "exit status: 0 done; 1 an input, the database or the output failed; 2 usage\n"
                                "(an unknown option or setting, a value out of its range)\n";

int cli_scan(int argc, char **argv) {
    const char *db = cli_default_db(), *out = NULL, *rejects = NULL, *fmt_in = NULL;
    pel_scan_opts so = {0};
    pel_findings_format fmt = isatty(1) ? PEL_FIND_TABLE : PEL_FIND_JSONL;
    bool quiet = false;
    const char **set = calloc((size_t)argc, sizeof *set), **inputs = calloc((size_t)argc, sizeof *inputs);
    /* "watchlist import --db DB FILE..." for cli_watchlist: the files from lists[4] */
    const char **lists = calloc((size_t)argc + 4, sizeof *lists);
    size_t nset = 0, nin = 0, nlists = 0;
    int rc = 0;
    if (!set || !inputs || !lists) {
        free(set);
        free(inputs);
        free(lists);
        return 1;
    }
    enum {
        O_HELP,
        O_QUIET,
        O_DB,
        O_OUT,
        O_SET,
        O_WATCHLIST,
        O_ZONES,
        O_DATA,
        O_REJECTS,
        O_FORMAT_IN,
        O_FORMAT,
        O_COLUMNS,
        O_TIMEFMT,
        O_DELIM,
        O_ASSUME,
        O_FROM,
        O_TO,
        O_FULL
    };
    /* passed on to the ingest as they are: it checks them */
    const char *pass[4][2] = {
        {"--columns", NULL}, {"--time-format", NULL}, {"--delimiter", NULL}, {"--assume-time", NULL}};
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_QUIET] = {"--quiet", "-q", false},
        [O_DB] = {"--db", NULL, true},
        [O_OUT] = {"--output", "-o", true},
        [O_SET] = {"--set", NULL, true},
        [O_WATCHLIST] = {"--watchlist", NULL, true},
        [O_ZONES] = {"--zones", NULL, true},
        [O_DATA] = {"--data-dir", NULL, true},
        [O_REJECTS] = {"--rejects", NULL, true},
        [O_FORMAT_IN] = {"--format-in", NULL, true},
        [O_FORMAT] = {"--format", NULL, true},
        [O_COLUMNS] = {"--columns", NULL, true},
        [O_TIMEFMT] = {"--time-format", NULL, true},
        [O_DELIM] = {"--delimiter", NULL, true},
        [O_ASSUME] = {"--assume-time", NULL, true},
        [O_FROM] = {"--from", NULL, true},
        [O_TO] = {"--to", NULL, true},
        [O_FULL] = {"--full", NULL, false},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "scan", argc, argv);
    const char *v;
    int choice; /* a value of cli_choice */
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            rc = 2;
            break;
        case CLI_ARG:
            inputs[nin++] = v;
            break;
        case O_HELP:
            fputs(scan_help, stdout);
            free(lists);
            free(set);
            free(inputs);
            return 0;
        case O_QUIET:
            quiet = true;
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
        case O_WATCHLIST:
            lists[4 + nlists++] = v;
            break;
        case O_ZONES:
            so.zones_path = v;
            break;
        case O_DATA:
            so.data_dir = v;
            break;
        case O_REJECTS:
            rejects = v;
            break;
        case O_FORMAT_IN:
            if (!cli_choice("scan", "--format-in", v, cli_input_formats, &choice))
                rc = 2;
            fmt_in = v;
            break;
        case O_COLUMNS:
        case O_TIMEFMT:
        case O_DELIM:
        case O_ASSUME:
            pass[k - O_COLUMNS][1] = v;
            break;
        case O_FROM:
        case O_TO:
            if (!cli_time("scan", k == O_FROM ? "--from" : "--to", v, k == O_FROM ? &so.from_ms : &so.to_ms))
                rc = 2;
            *(k == O_FROM ? &so.has_from : &so.has_to) = true;
            break;
        case O_FULL:
            so.full = true;
            break;
        case O_FORMAT:
            if (cli_choice("scan", "--format", v, scan_formats, &choice))
                fmt = (pel_findings_format)choice;
            else
                rc = 2;
            break;
        }
    }
    if (!rc && !cli_period("scan", so.has_from, so.from_ms, so.has_to, so.to_ms))
        rc = 2;
    pel_error err = {0};
    /* the settings are checked before anything is imported or ingested */
    if (!rc && pel_scan_check_settings(set, nset, &err) != PEL_OK) {
        fprintf(stderr, "pelorus scan: %s\n", err.msg);
        rc = err.code == PEL_ERR_ARG ? 2 : 1;
    }
    if (!rc && nlists) {
        lists[0] = "watchlist";
        lists[1] = "import";
        lists[2] = "--db";
        lists[3] = db;
        rc = cli_watchlist((int)(4 + nlists), (char **)lists);
    }
    free(lists);
    if (rc) {
        free(set);
        free(inputs);
        return rc;
    }
    so.set = set;
    so.nset = nset;
    /* the ingest, through the ingest command so that its options and summary are the same */
    if (nin) {
        const char **iargv = calloc(nin + 20, sizeof *iargv);
        if (!iargv) {
            free(set);
            free(inputs);
            return 1;
        }
        int ia = 0;
        iargv[ia++] = "ingest";
        iargv[ia++] = "--db";
        iargv[ia++] = db;
        if (rejects) {
            iargv[ia++] = "--rejects";
            iargv[ia++] = rejects;
        }
        if (fmt_in) {
            iargv[ia++] = "--format";
            iargv[ia++] = fmt_in;
        }
        for (int k = 0; k < 4; k++)
            if (pass[k][1]) {
                iargv[ia++] = pass[k][0];
                iargv[ia++] = pass[k][1];
            }
        if (quiet)
            iargv[ia++] = "-q";
        iargv[ia++] = "--";
        for (size_t k = 0; k < nin; k++)
            iargv[ia++] = inputs[k];
        rc = cli_ingest(ia, (char **)iargv);
        free(iargv);
        if (rc) {
            free(set);
            free(inputs);
            return rc;
        }
    }
    /* a PostgreSQL database is opened for writing: the scan keeps its findings
     * in the layer findings (pel_scan); an SQLite file only read */
    bool server = !strncmp(db, "postgresql://", 13) || !strncmp(db, "postgres://", 11);
    pel_store *s = pel_store_open(db, !server, &err);
    if (!s) {
        fprintf(stderr, "pelorus scan: %s\n", err.msg);
        free(set);
        free(inputs);
        return 1;
    }
    cli_out co;
    FILE *o = cli_out_open("scan", &co, out);
    if (!o) {
        pel_store_close(s);
        free(set);
        free(inputs);
        return 1;
    }
    pel_scan_stats st;
    pel_status r = pel_scan(s, &so, o, fmt, &st, &err);
    if (r != PEL_OK)
        fprintf(stderr, "pelorus scan: %s\n", err.msg[0] ? err.msg : "failed");
    if (!cli_out_close("scan", &co, r == PEL_OK) && r == PEL_OK)
        r = PEL_ERR_IO;
    if (r == PEL_OK && !quiet) {
        fprintf(stderr, "pelorus scan: %llu vessels", (unsigned long long)st.vessels);
        if (st.gear)
            fprintf(stderr, " (%llu of them fishing gear, left out)", (unsigned long long)st.gear);
        if (st.gaps_in_holes)
            fprintf(stderr, ", %llu silences left out (the whole feed was silent)",
                    (unsigned long long)st.gaps_in_holes);
        fprintf(stderr, ", %llu findings", (unsigned long long)st.findings);
        const char *sep = " (";
        for (int i = 0; pel_event_name(i); i++)
            if (st.by_event[i]) {
                fprintf(stderr, "%s%s %llu", sep, pel_event_name(i), (unsigned long long)st.by_event[i]);
                sep = ", ";
            }
        fprintf(stderr, "%s; %.2f s (tracks and per-vessel detectors %.2f s, encounters %.2f s)\n",
                *sep == ',' ? ")" : "", st.total_s, st.vessels_s, st.encounter_s);
        if (st.resumed)
            fprintf(stderr,
                    "pelorus scan: %llu vessels judged from where the last scan left them: %llu findings kept as "
                    "judged, %llu of %llu positions judged again by the detectors that resume (docs/incremental.md)\n",
                    (unsigned long long)st.resumed, (unsigned long long)st.kept,
                    (unsigned long long)st.positions_judged, (unsigned long long)st.positions);
        if (st.resumed)
            fprintf(stderr,
                    "pelorus scan: the state for the next scan: %llu chunks of findings (a vessel's week) left as "
                    "they were, %llu written\n",
                    (unsigned long long)st.state_chunks_kept, (unsigned long long)st.state_chunks_written);
        if (st.state_unreadable)
            fprintf(stderr, "pelorus scan: the state kept for %llu vessels could not be read: judged whole\n",
                    (unsigned long long)st.state_unreadable);
    }
    pel_store_close(s);
    free(set);
    free(inputs);
    return r == PEL_OK ? 0 : r == PEL_ERR_ARG ? 2 : 1;
}
