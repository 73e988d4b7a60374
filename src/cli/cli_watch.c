/*
 * cli_watch.c -- pelorus watchlist (import, show) and pelorus screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_name screen_formats[] = {
    {"jsonl", PEL_FIND_JSONL}, {"table", PEL_FIND_TABLE}, {"csv", PEL_FIND_CSV}, {NULL, 0}};

static const char watch_help[] = "usage: pelorus watchlist import [--db PATH] [--replace] FILE...\n"
                                 "       pelorus watchlist show [--db PATH]\n"
                                 "\n"
                                 "import reads sanctions lists -- OFAC's legacy sdn.csv (with alt.csv for\n"
                                 "aliases), the UN Security Council consolidated list XML, OpenSanctions\n"
                                 "targets.simple.csv or FollowTheMoney JSON lines, or a CSV of your own\n"
                                 "(name,imo,mmsi,flag,program,source,listed_on) -- and stores their vessels in\n"
                                 "the database, all or nothing.  --replace drops earlier imports of the same\n"
                                 "list.  Without any import, screening uses the list shipped in\n"
                                 "data/watchlist/ (OFAC SDN vessels).  show summarises what is loaded and how\n"
                                 "old it is.\n"
                                 "exit status: 0 done; 1 a list or the database failed (nothing loaded); 2 usage\n";

static const char screen_help[] = "usage: pelorus screen [--db PATH] [--format jsonl|table|csv] [--data-dir DIR]\n"
                                  "\n"
                                  "Screens every identity each vessel ever broadcast (name, IMO, MMSI) against\n"
                                  "the watchlists (docs/screening.md) and prints the matches as watchlist_match\n"
                                  "findings: the list entry, the fields that matched, the score, and the\n"
                                  "identity and time it matched on.\n"
                                  "exit status: 0 done; 1 error; 2 usage\n";

int cli_watchlist(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(watch_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *db = cli_default_db();
    bool replace = false, show = !strcmp(argv[1], "show");
    if (!show && strcmp(argv[1], "import")) {
        if (argv[1][0] == '-')
            fprintf(stderr, "pelorus watchlist: unknown option %s (the action, import or show, comes first)\n",
                    argv[1]);
        else
            fprintf(stderr, "pelorus watchlist: unknown action %s (import or show)\n", argv[1]);
        return 2;
    }
    const char **files = calloc((size_t)argc, sizeof *files);
    size_t nf = 0;
    if (!files)
        return 1;
    enum { O_HELP, O_DB, O_REPLACE };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_DB] = {"--db", NULL, true},
        [O_REPLACE] = {"--replace", NULL, false},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, show ? "watchlist show" : "watchlist import", argc - 1, argv + 1);
    const char *v;
    for (int k; (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            free(files);
            return 2;
        case CLI_ARG:
            if (show) {
                fprintf(stderr, "pelorus watchlist show: unexpected argument %s (see --help)\n", v);
                free(files);
                return 2;
            }
            files[nf++] = v;
            break;
        case O_HELP:
            fputs(watch_help, stdout);
            free(files);
            return 0;
        case O_DB:
            db = v;
            break;
        case O_REPLACE:
            if (show) {
                fprintf(stderr, "pelorus watchlist show: unknown option --replace (see --help)\n");
                free(files);
                return 2;
            }
            replace = true;
            break;
        }
    }
    if (!show && !nf) {
        fprintf(stderr, "pelorus watchlist import: which files? (see --help)\n");
        free(files);
        return 2;
    }
    pel_error err = {0};
    pel_store *s = pel_store_open(db, show, &err);
    if (!s) {
        fprintf(stderr, "pelorus watchlist: %s\n", err.msg);
        free(files);
        return 1;
    }
    pel_status st;
    if (show)
        st = pel_watchlist_show(s, stdout, &err);
    else {
        uint64_t n = 0;
        bool skipped = false;
        st = pel_watchlist_import(s, files, nf, replace, &n, &skipped, &err);
        if (st == PEL_OK)
            fprintf(stderr,
                    skipped ? "pelorus watchlist: already imported (same content)\n"
                            : "pelorus watchlist: %llu vessel entries imported\n",
                    (unsigned long long)n);
    }
    if (st != PEL_OK)
        fprintf(stderr, "pelorus watchlist: %s\n", err.msg[0] ? err.msg : "failed");
    if (show) {
        cli_out co;
        cli_out_open("watchlist show", &co, NULL);
        if (!cli_out_close("watchlist show", &co, st == PEL_OK) && st == PEL_OK)
            st = PEL_ERR_IO;
    }
    pel_store_close(s);
    free(files);
    return st == PEL_OK ? 0 : 1;
}

int cli_screen(int argc, char **argv) {
    const char *db = cli_default_db(), *dir = NULL;
    pel_findings_format fmt = isatty(1) ? PEL_FIND_TABLE : PEL_FIND_JSONL;
    enum { O_HELP, O_DB, O_DATA, O_FORMAT };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},    [O_DB] = {"--db", NULL, true}, [O_DATA] = {"--data-dir", NULL, true},
        [O_FORMAT] = {"--format", NULL, true}, {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "screen", argc, argv);
    const char *v;
    int choice; /* a value of cli_choice */
    for (int k; (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            return 2;
        case CLI_ARG:
            fprintf(stderr, "pelorus screen: unexpected argument %s (see --help)\n", v);
            return 2;
        case O_HELP:
            fputs(screen_help, stdout);
            return 0;
        case O_DB:
            db = v;
            break;
        case O_DATA:
            dir = v;
            break;
        case O_FORMAT:
            if (cli_choice("screen", "--format", v, screen_formats, &choice))
                fmt = (pel_findings_format)choice;
            else
                return 2;
            break;
        }
    }
    pel_error err = {0};
    pel_store *s = pel_store_open(db, true, &err);
    if (!s) {
        fprintf(stderr, "pelorus screen: %s\n", err.msg);
        return 1;
    }
    uint64_t n = 0;
    pel_status st = pel_screen(s, dir, stdout, fmt, &n, &err);
    cli_out co;
    cli_out_open("screen", &co, NULL);
    if (st != PEL_OK)
        fprintf(stderr, "pelorus screen: %s\n", err.msg[0] ? err.msg : "failed");
    if (!cli_out_close("screen", &co, st == PEL_OK) && st == PEL_OK)
        st = PEL_ERR_IO;
    if (st == PEL_OK)
        fprintf(stderr, "pelorus screen: %llu matches\n", (unsigned long long)n);
    pel_store_close(s);
    return st == PEL_OK ? 0 : 1;
}
