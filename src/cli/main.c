/*
 * main.c -- the pelorus command: dispatches to one subcommand per file
 * (cli_decode.c, ...).  Everything it does is a call into libpelorus.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "pelorus.h"

static void usage(FILE *f) {
    fprintf(f, "usage: pelorus COMMAND [OPTIONS] [ARGS]\n"
               "\n"
               "Turns raw AIS into evidence: stores positions, tracks and identity histories,\n"
               "detects ship-to-ship encounters, loitering, dark periods, port calls, zone\n"
               "entries, spoofing and identity changes, screens every identity against\n"
               "sanctions lists, ranks vessels by risk and writes an evidence report; every\n"
               "finding names the input lines it rests on.\n"
               "\n"
               "commands:\n"
               "  decode    decode AIVDM/AIVDO sentences to JSON Lines (gpsd field names)\n"
               "  scan      ingest, then detect encounters, loitering, gaps, port visits,\n"
               "            zone entries, spoofing and identity changes and screen against\n"
               "            the watchlists, with evidence\n"
               "  ingest    store NMEA or CSV (NOAA, DMA, Kystverket, BarentsWatch, any CSV\n"
               "            by its columns) in the database and build tracks\n"
               "  watchlist import sanctions lists (OFAC, UN, OpenSanctions, your own); show them\n"
               "  screen    match every identity ever broadcast against the watchlists\n"
               "  vessel    what the database knows of one vessel (MMSI, IMO or name)\n"
               "  vessels   list vessels by risk (--rank), with the reasons\n"
               "  report    write the evidence report: report.html with a map, GeoJSON, KML, CSV\n"
               "  simulate  write AIS with known answers from a scenario file\n"
               "  eval      score findings against the truth of a simulation\n"
               "  tracks    export tracks as GeoJSON, CSV or KML\n"
               "  coverage  the coverage map (what was heard per cell, hour and station) as\n"
               "            GeoJSON or CSV\n"
               "  watch     live monitoring: ingest TCP, UDP, followed files or standard\n"
               "            input continuously, detect as data comes, write alerts\n"
               "  replay    serve an NMEA file over TCP or UDP at its own times (tests, demos)\n"
               "  review    an analyst's review of a finding (confirmed, dismissed, open),\n"
               "            kept with its history\n"
               "  case      case files partners can verify: export, verify, sign; import\n"
               "            a partner's with pelorus ingest CASE\n"
               "  key       make an Ed25519 key pair for signing cases (key new)\n"
               "  version   print the version\n"
               "\n"
               "Run 'pelorus COMMAND --help' for a command's options.\n");
}

/* version and help take nothing: 2 after saying so, else 0. */
static int no_args(int argc, char **argv) {
    if (argc <= 1)
        return 0;
    fprintf(stderr, "pelorus %s: %s %s\n", argv[0], argv[1][0] == '-' ? "unknown option" : "unexpected argument",
            argv[1]);
    return 2;
}

static int run(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "decode") == 0)
        return cli_decode(argc - 1, argv + 1);
    if (strcmp(cmd, "scan") == 0)
        return cli_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "watchlist") == 0)
        return cli_watchlist(argc - 1, argv + 1);
    if (strcmp(cmd, "screen") == 0)
        return cli_screen(argc - 1, argv + 1);
    if (strcmp(cmd, "simulate") == 0)
        return cli_simulate(argc - 1, argv + 1);
    if (strcmp(cmd, "eval") == 0)
        return cli_eval(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cli_report(argc - 1, argv + 1);
    if (strcmp(cmd, "vessels") == 0)
        return cli_vessels(argc - 1, argv + 1);
    if (strcmp(cmd, "ingest") == 0)
        return cli_ingest(argc - 1, argv + 1);
    if (strcmp(cmd, "vessel") == 0)
        return cli_vessel(argc - 1, argv + 1);
    if (strcmp(cmd, "tracks") == 0)
        return cli_tracks(argc - 1, argv + 1);
    if (strcmp(cmd, "watch") == 0)
        return cli_watch(argc - 1, argv + 1);
    if (strcmp(cmd, "replay") == 0)
        return cli_replay(argc - 1, argv + 1);
    if (strcmp(cmd, "review") == 0)
        return cli_review(argc - 1, argv + 1);
    if (strcmp(cmd, "case") == 0)
        return cli_case(argc - 1, argv + 1);
    if (strcmp(cmd, "key") == 0)
        return cli_key(argc - 1, argv + 1);
    if (strcmp(cmd, "coverage") == 0)
        return cli_coverage(argc - 1, argv + 1);
    if (strcmp(cmd, "db-dump") == 0)
        return cli_dbdump(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        if (no_args(argc - 1, argv + 1))
            return 2;
        printf("pelorus %s\n", PEL_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        if (no_args(argc - 1, argv + 1))
            return 2;
        usage(stdout);
        return 0;
    }
    if (cmd[0] == '-')
        fprintf(stderr, "pelorus: unknown option %s (a command comes first)\n", cmd);
    else
        fprintf(stderr, "pelorus: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}

/* Every command's output is checked at the end: a command whose standard
 * output could not be written exits 1, whatever it printed. */
int main(int argc, char **argv) {
    int rc = run(argc, argv);
    return cli_stdout_done(argc > 1 && argv[1][0] != '-' ? argv[1] : NULL, rc);
}
