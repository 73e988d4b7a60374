/*
 * cli_report.c -- pelorus report: the evidence report (docs/report.md):
 * report.html with a map, the reasons and the evidence, and the findings
 * and tracks as GeoJSON, KML and CSV for GIS tools; or, with --dossier, the
 * printable case dossier of a few vessels, its evidence lines read from the
 * input files (report/line_text.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report/line_text.h"

static const char report_help[] = "usage: pelorus report [OPTIONS] --out DIR\n"
                                  "       pelorus report [OPTIONS] --dossier FILE.html [--title TEXT]\n"
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
                                  "With --dossier, writes only FILE.html: the printable case dossier of the\n"
                                  "vessels given with --vessel (and their encounter partners) over the period:\n"
                                  "the map, a timeline chart per vessel (speed and draught over time, gaps\n"
                                  "shaded, encounters, port visits, loitering and zone entries marked), the\n"
                                  "identities, list matches, the reasons for the score and every finding\n"
                                  "with the text of its evidence lines, read from the input files as they\n"
                                  "were ingested (\"(text not available)\" when a file is gone).  Print it to\n"
                                  "PDF from a browser.\n"
                                  "The same database and options give byte-identical files.\n"
                                  "\n"
                                  "options:\n"
                                  "  --db PATH          the database (default pelorus.db)\n"
                                  "  -o, --out DIR      where to write (required, unless --dossier)\n"
                                  "  --dossier FILE     write the case dossier to FILE instead (one HTML file)\n"
                                  "  --title TEXT       the dossier's title (default \"Pelorus case dossier\")\n"
                                  "  --vessel MMSI      only this vessel and its encounter partners (repeatable)\n"
                                  "  --from TIME        only findings ending, and positions, at or after TIME\n"
                                  "                     (ISO-8601 UTC or Unix seconds)\n"
                                  "  --to TIME          ... and findings starting, and positions, at or before\n"
                                  "                     TIME\n"
                                  "  --set NAME=VALUE   a risk weight (risk.encounter=20), a drawing setting\n"
                                  "                     (report.simplify_deg=0.001, report.max_points_per_vessel=\n"
                                  "                     5000) or a detector setting (as pelorus scan); repeatable\n"
                                  "  --zones FILE       areas of interest (GeoJSON) instead of the shipped ones\n"
                                  "  --data-dir DIR     where ports.csv, zones.geojson, mid.csv and web/ (the page\n"
                                  "                     template and its scripts) are\n"
                                  "  -q, --quiet        no summary on standard error\n"
                                  "\n"
                                  "exit status: 0 done; 1 the database, the template or writing failed; 2 usage\n";

int cli_report(int argc, char **argv) {
    const char *db = cli_default_db(), *out = NULL, *dossier = NULL, *title = NULL;
    bool quiet = false, has_from = false, has_to = false;
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
    enum { O_HELP, O_QUIET, O_DB, O_OUT, O_SET, O_ZONES, O_DATA, O_VESSEL, O_FROM, O_TO, O_DOSSIER, O_TITLE };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_QUIET] = {"--quiet", "-q", false},
        [O_DB] = {"--db", NULL, true},
        [O_OUT] = {"--out", "-o", true},
        [O_SET] = {"--set", NULL, true},
        [O_ZONES] = {"--zones", NULL, true},
        [O_DATA] = {"--data-dir", NULL, true},
        [O_VESSEL] = {"--vessel", NULL, true},
        [O_FROM] = {"--from", NULL, true},
        [O_TO] = {"--to", NULL, true},
        [O_DOSSIER] = {"--dossier", NULL, true},
        [O_TITLE] = {"--title", NULL, true},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "report", argc, argv);
    const char *v;
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            rc = 2;
            break;
        case CLI_ARG:
            fprintf(stderr, "pelorus report: unexpected argument %s (see --help)\n", v);
            rc = 2;
            break;
        case O_HELP:
            fputs(report_help, stdout);
            free(set);
            free(mmsi);
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
        case O_DOSSIER:
            dossier = v;
            break;
        case O_TITLE:
            title = v;
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
        case O_VESSEL:
            if (!cli_mmsi("report", "--vessel", v, &mmsi[nmmsi++]))
                rc = 2;
            break;
        case O_FROM:
            has_from = true;
            if (!cli_time("report", "--from", v, &o.from_ms))
                rc = 2;
            break;
        case O_TO:
            has_to = true;
            if (!cli_time("report", "--to", v, &o.to_ms))
                rc = 2;
            break;
        }
    }
    if (!rc && !out && !dossier) {
        fprintf(stderr, "pelorus report: --out DIR (or --dossier FILE) is required (see --help)\n");
        rc = 2;
    }
    if (!rc && out && dossier) {
        fprintf(stderr, "pelorus report: --out and --dossier do not go together (see --help)\n");
        rc = 2;
    }
    if (!rc && title && !dossier) {
        fprintf(stderr, "pelorus report: --title goes with --dossier (see --help)\n");
        rc = 2;
    }
    if (!rc && !cli_period("report", has_from, o.from_ms, has_to, o.to_ms))
        rc = 2;
    pel_error err = {0};
    if (!rc && pel_report_check_settings(set, nset, &err) != PEL_OK) {
        fprintf(stderr, "pelorus report: %s\n", err.msg);
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
        fprintf(stderr, "pelorus report: %s\n", err.msg);
        free(set);
        free(mmsi);
        return 1;
    }
    pel_report_stats st;
    pel_status r;
    if (dossier) {
        rpt_lines *lines = rpt_lines_new();
        o.line_text = rpt_lines_text;
        o.line_ud = lines;
        r = lines ? pel_report_dossier(s, &o, title, dossier, &st, &err) : PEL_ERR_NOMEM;
        rpt_lines_free(lines);
    } else
        r = pel_report(s, &o, out, &st, &err);
    if (r != PEL_OK)
        fprintf(stderr, "pelorus report: %s\n", err.msg[0] ? err.msg : r == PEL_ERR_NOMEM ? "out of memory" : "failed");
    else if (!quiet && dossier)
        fprintf(stderr, "pelorus report: %s: %llu vessels, %llu findings, %llu track points; %.2f s\n", dossier,
                (unsigned long long)st.vessels, (unsigned long long)st.findings, (unsigned long long)st.track_points,
                st.seconds);
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
