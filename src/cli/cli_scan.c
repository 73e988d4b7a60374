/*
 * cli_scan.c -- pelorus scan: ingest the inputs, run every detector, write
 * the findings (docs/findings.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char scan_help[] =
    "usage: pelorus scan [OPTIONS] [INPUT...]\n"
    "\n"
    "Ingests the inputs (as pelorus ingest; none: scan the database as it is),\n"
    "then runs every detector -- encounter, loitering, gap, port_visit,\n"
    "zone_entry, spoofing, identity_change -- and writes the findings, each with\n"
    "the measured quantities that justify it and the file and line numbers of\n"
    "the messages it rests on.  Same input and settings, byte-identical output.\n"
    "\n"
    "options:\n"
    "  --db PATH          the database (default pelorus.db)\n"
    "  --format F         jsonl (default when standard output is not a terminal),\n"
    "                     table (default on a terminal), csv or geojson\n"
    "  -o FILE            write the findings to FILE\n"
    "  --set NAME=VALUE   a detector setting (repeatable), e.g.\n"
    "                     --set encounter.max_distance_m=300; see docs/findings.md\n"
    "  --watchlist FILE   import a sanctions list first (as 'pelorus watchlist import';\n"
    "                     repeatable); without any, the stored lists or the shipped one\n"
    "  --zones FILE       areas of interest (GeoJSON) instead of the shipped ones\n"
    "  --data-dir DIR     where ports.csv, zones.geojson and mid.csv are\n"
    "  --rejects FILE     rejected input lines (as pelorus ingest)\n"
    "  --format-in F      input format: auto, nmea, noaa, dma (as ingest --format)\n"
    "  -q, --quiet        no summaries on standard error\n"
    "\n"
    "exit status: 0 done; 1 an input, the database or the output failed; 2 usage\n";

int cli_scan(int argc, char **argv) {
    const char *db = "pelorus.db", *out = NULL, *rejects = NULL, *fmt_in = NULL;
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
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(scan_help, stdout);
            free(lists);
            free(set);
            free(inputs);
            return 0;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
            continue;
        }
        if (a[0] != '-' || !a[1]) {
            inputs[nin++] = a;
            continue;
        }
        if (!v) {
            fprintf(stderr, "pelorus scan: missing value after %s (see --help)\n", a);
            rc = 2;
            break;
        }
        i++;
        if (!strcmp(a, "--db"))
            db = v;
        else if (!strcmp(a, "-o"))
            out = v;
        else if (!strcmp(a, "--set"))
            set[nset++] = v;
        else if (!strcmp(a, "--watchlist"))
            lists[4 + nlists++] = v;
        else if (!strcmp(a, "--zones"))
            so.zones_path = v;
        else if (!strcmp(a, "--data-dir"))
            so.data_dir = v;
        else if (!strcmp(a, "--rejects"))
            rejects = v;
        else if (!strcmp(a, "--format-in"))
            fmt_in = v;
        else if (!strcmp(a, "--format")) {
            if (!strcmp(v, "jsonl")) fmt = PEL_FIND_JSONL;
            else if (!strcmp(v, "table")) fmt = PEL_FIND_TABLE;
            else if (!strcmp(v, "csv")) fmt = PEL_FIND_CSV;
            else if (!strcmp(v, "geojson")) fmt = PEL_FIND_GEOJSON;
            else {
                fprintf(stderr, "pelorus scan: unknown format %s (see --help)\n", v);
                rc = 2;
            }
        } else {
            fprintf(stderr, "pelorus scan: unknown option %s (see --help)\n", a);
            rc = 2;
        }
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
        const char **iargv = calloc(nin + 12, sizeof *iargv);
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
        if (quiet)
            iargv[ia++] = "-q";
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
    pel_error err = {0};
    pel_store *s = pel_store_open(db, true, &err);
    if (!s) {
        fprintf(stderr, "pelorus scan: %s\n", err.msg);
        free(set);
        free(inputs);
        return 1;
    }
    FILE *o = out ? fopen(out, "w") : stdout;
    if (!o) {
        fprintf(stderr, "pelorus scan: %s: %s\n", out, strerror(errno));
        pel_store_close(s);
        free(set);
        free(inputs);
        return 1;
    }
    pel_scan_stats st;
    pel_status r = pel_scan(s, &so, o, fmt, &st, &err);
    if (fflush(o) != 0 && r == PEL_OK) {
        r = PEL_ERR_IO;
        snprintf(err.msg, sizeof err.msg, "writing the findings: %s", strerror(errno));
    }
    if (out && fclose(o) != 0 && r == PEL_OK)
        r = PEL_ERR_IO;
    if (r != PEL_OK)
        fprintf(stderr, "pelorus scan: %s\n", err.msg[0] ? err.msg : "failed");
    else if (!quiet) {
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
    }
    pel_store_close(s);
    free(set);
    free(inputs);
    return r == PEL_OK ? 0 : 1;
}
