/*
 * cli_report.c -- pelorus report: the evidence report (docs/report.md):
 * report.html with a map, the reasons and the evidence, and the findings
 * and tracks as GeoJSON, KML and CSV for GIS tools.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char report_help[] = "usage: pelorus report [OPTIONS] --out DIR\n"
                                  "\n"
                                  "Scans the database (as pelorus scan), ranks the vessels with findings by\n"
                                  "risk (as pelorus vessels --rank) and writes into DIR (created if needed):\n"
                                  "  report.html       one self-contained page (opens offline): the ranked\n"
                                  "                    vessels with the reasons, a map of their tracks and\n"
                                  "                    findings, and every finding with the input lines it\n"
                                  "                    rests on\n"
                                  "  findings.geojson  the findings, a Feature each (QGIS)\n"
                                  "  tracks.geojson    the full-resolution tracks of the vessels in the report\n"
                                  "  findings.kml      the findings for Google Earth\n"
                                  "  findings.csv      the findings, a row each\n"
                                  "The same database and options give byte-identical files.\n"
                                  "\n"
                                  "options:\n"
                                  "  --db PATH          the database (default pelorus.db)\n"
                                  "  --out DIR          where to write (required)\n"
                                  "  --vessel MMSI      only this vessel and its encounter partners (repeatable)\n"
                                  "  --from TIME        only findings and positions at or after TIME\n"
                                  "                     (ISO-8601 UTC or Unix seconds)\n"
                                  "  --to TIME          ... and at or before TIME\n"
                                  "  --set NAME=VALUE   a risk weight (risk.encounter=20), a drawing setting\n"
                                  "                     (report.simplify_deg=0.001, report.max_points_per_vessel=\n"
                                  "                     5000) or a detector setting (as pelorus scan); repeatable\n"
                                  "  --zones FILE       areas of interest (GeoJSON) instead of the shipped ones\n"
                                  "  --data-dir DIR     where ports.csv, zones.geojson, mid.csv and web/ (the page\n"
                                  "                     template and its scripts) are\n"
                                  "  -q, --quiet        no summary on standard error\n"
                                  "\n"
                                  "exit status: 0 done; 1 the database, the template or writing failed; 2 usage\n";

static int usage(const char *msg, const char *arg) {
    fprintf(stderr, "pelorus report: %s%s%s (see --help)\n", msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

int cli_report(int argc, char **argv) {
    const char *db = "pelorus.db", *out = NULL;
    bool quiet = false;
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
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(report_help, stdout);
            free(set);
            free(mmsi);
            return 0;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
            continue;
        }
        if (a[0] != '-') {
            rc = usage("unexpected argument", a);
            break;
        }
        if (!v) {
            rc = usage("missing value after", a);
            break;
        }
        i++;
        if (!strcmp(a, "--db"))
            db = v;
        else if (!strcmp(a, "--out") || !strcmp(a, "-o"))
            out = v;
        else if (!strcmp(a, "--set"))
            set[nset++] = v;
        else if (!strcmp(a, "--zones"))
            o.zones_path = v;
        else if (!strcmp(a, "--data-dir"))
            o.data_dir = v;
        else if (!strcmp(a, "--vessel")) {
            char *end;
            errno = 0;
            unsigned long m = strtoul(v, &end, 10);
            if (errno || *end || m < 100000000 || m > 999999999)
                rc = usage("not an MMSI:", v);
            mmsi[nmmsi++] = (uint32_t)m;
        } else if (!strcmp(a, "--from")) {
            if (!pel_parse_time(v, strlen(v), &o.from_ms))
                rc = usage("not a time:", v);
        } else if (!strcmp(a, "--to")) {
            if (!pel_parse_time(v, strlen(v), &o.to_ms))
                rc = usage("not a time:", v);
        } else
            rc = usage("unknown option", a);
    }
    if (!rc && !out)
        rc = usage("--out DIR is required", NULL);
    if (!rc && o.from_ms > o.to_ms)
        rc = usage("--from is after --to", NULL);
    if (rc) {
        free(set);
        free(mmsi);
        return rc;
    }
    o.set = set;
    o.nset = nset;
    o.mmsi = nmmsi ? mmsi : NULL;
    o.nmmsi = nmmsi;
    pel_error err = {0};
    pel_store *s = pel_store_open(db, true, &err);
    if (!s) {
        fprintf(stderr, "pelorus report: %s\n", err.msg);
        free(set);
        free(mmsi);
        return 1;
    }
    pel_report_stats st;
    pel_status r = pel_report(s, &o, out, &st, &err);
    if (r != PEL_OK)
        fprintf(stderr, "pelorus report: %s\n", err.msg[0] ? err.msg : "failed");
    else if (!quiet)
        fprintf(stderr,
                "pelorus report: %s/report.html: %llu vessels, %llu findings, %llu track points (%llu drawn); "
                "also findings.geojson, tracks.geojson, findings.kml, findings.csv; %.2f s\n",
                out, (unsigned long long)st.vessels, (unsigned long long)st.findings,
                (unsigned long long)st.track_points, (unsigned long long)st.drawn_points, st.seconds);
    pel_store_close(s);
    free(set);
    free(mmsi);
    if (r == PEL_ERR_ARG)
        return 2;
    return r == PEL_OK ? 0 : 1;
}
