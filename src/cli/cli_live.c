/*
 * cli_live.c -- pelorus watch: live monitoring (pel_watch).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char watch_help[] =
    "usage: pelorus watch [--db PATH] FEED... [--alerts FILE] [--findings FILE] [--exec CMD]\n"
    "                     [--once] [--set NAME=VALUE]... [--zones FILE] [--data-dir DIR]\n"
    "\n"
    "Ingests live AIS continuously, detects as data comes (the same detectors and\n"
    "findings as pelorus scan) and writes an alert per change, one JSON object a line:\n"
    "  {\"alert\":\"new\"|\"update\"|\"retract\",\"id\":\"...\",\"seq\":N,\"finding\":{...}}\n"
    "A finding keeps its id as it grows, across restarts; late data (satellite,\n"
    "store-and-forward) updates or retracts what it changes.\n"
    "\n"
    "feeds (any number, together; NAME, the source of lines without one, after #):\n"
    "  --feed tcp://HOST:PORT[#NAME]    connect to an NMEA TCP server (AIS-catcher,\n"
    "                                   rtl-ais, Kystverket, a provider); reconnects\n"
    "  --listen udp://ADDR:PORT[#NAME]  receive NMEA datagrams (AIS-catcher, OpenCPN)\n"
    "  --follow FILE[#NAME]             follow a growing (and rotated) file\n"
    "  -                                standard input\n"
    "\n"
    "options:\n"
    "  --db PATH              the database (pelorus.db); journals of every line\n"
    "                         received go to PATH-live/ (the evidence's files;\n"
    "                         pelorus-live/ here for a postgresql:// database)\n"
    "  --alerts FILE          alerts appended to FILE instead of standard output\n"
    "  --findings FILE        FILE rewritten with the findings standing after each\n"
    "                         detection (as pelorus scan writes them)\n"
    "  --exec CMD             run CMD (sh -c) per alert, the alert on its standard input\n"
    "  --exec-jobs N          commands at a time (4); more wait, failures are counted\n"
    "  --once                 stop when every feed has ended (files at their end, TCP\n"
    "                         closed, UDP silent for --udp-idle seconds)\n"
    "  --commit-interval S    seconds between commits and detections (1)\n"
    "  --stats-interval S     seconds between status lines on standard error (60;\n"
    "                         also on SIGUSR1)\n"
    "  --udp-idle S           see --once (3)\n"
    "  --journal-lines N      a new journal every N lines (as well as every UTC day)\n"
    "  --window-days D        detect over the last D days of data only (bounded cost and\n"
    "                         memory); alerts of findings begun before are settled\n"
    "  --set, --zones, --data-dir   as for pelorus scan\n"
    "  -q                     no status lines\n"
    "\n"
    "Stops on SIGINT or SIGTERM after a last commit and detection.  Killed at any\n"
    "moment (even kill -9), the next run goes on: nothing committed is lost, no\n"
    "alert is sent twice as new.  docs/watch.md has the details.\n"
    "exit status: 0 done; 1 error (with --once: also a feed that gave nothing but an\n"
    "error, such as a file missing); 2 usage\n";

static volatile int stop_flag, report_flag;

static void on_stop(int sig) {
    (void)sig;
    stop_flag = 1;
}

static void on_report(int sig) {
    (void)sig;
    report_flag = 1;
}

static void on_status(void *ud, const char *text) {
    if (!*(bool *)ud)
        fprintf(stderr, "pelorus watch: %s\n", text);
}

/* The feed of an option v of kind ("tcp", "udp", "file", "stdin"): its
 * spec (v cut at '#'; "file:" before a file) and its name (after '#', or
 * the address, the file's name, "stdin"), both kept in own[2 * n ..]. */
static bool add_feed(pel_watch_feed *f, size_t *n, const char *kind, const char *v, char **own) {
    const char *hash = strrchr(v, '#');
    size_t len = hash ? (size_t)(hash - v) : strlen(v);
    bool file = !strcmp(kind, "file");
    char *spec = malloc(len + 6);
    if (!spec)
        return false;
    snprintf(spec, len + 6, "%s%.*s", file ? "file:" : "", (int)len, v);
    const char *name = hash ? hash + 1 : NULL;
    if (!name && file) {
        const char *slash = strrchr(spec, '/');
        name = slash ? slash + 1 : spec + 5;
    } else if (!name)
        name = !strcmp(kind, "stdin") ? "stdin" : strstr(spec, "://") ? strstr(spec, "://") + 3 : spec;
    char *nm = strdup(name);
    if (!nm) {
        free(spec);
        return false;
    }
    own[2 * *n] = spec;
    own[2 * *n + 1] = nm;
    f[*n] = (pel_watch_feed){spec, nm};
    (*n)++;
    return true;
}

int cli_watch(int argc, char **argv) {
    enum {
        O_HELP,
        O_DB,
        O_FEED,
        O_LISTEN,
        O_FOLLOW,
        O_ALERTS,
        O_FINDINGS,
        O_EXEC,
        O_JOBS,
        O_ONCE,
        O_COMMIT,
        O_STATS,
        O_IDLE,
        O_JLINES,
        O_WINDOW,
        O_SET,
        O_ZONES,
        O_DATA,
        O_QUIET
    };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_DB] = {"--db", NULL, true},
        [O_FEED] = {"--feed", NULL, true},
        [O_LISTEN] = {"--listen", NULL, true},
        [O_FOLLOW] = {"--follow", NULL, true},
        [O_ALERTS] = {"--alerts", NULL, true},
        [O_FINDINGS] = {"--findings", NULL, true},
        [O_EXEC] = {"--exec", NULL, true},
        [O_JOBS] = {"--exec-jobs", NULL, true},
        [O_ONCE] = {"--once", NULL, false},
        [O_COMMIT] = {"--commit-interval", NULL, true},
        [O_STATS] = {"--stats-interval", NULL, true},
        [O_IDLE] = {"--udp-idle", NULL, true},
        [O_JLINES] = {"--journal-lines", NULL, true},
        [O_WINDOW] = {"--window-days", NULL, true},
        [O_SET] = {"--set", NULL, true},
        [O_ZONES] = {"--zones", NULL, true},
        [O_DATA] = {"--data-dir", NULL, true},
        [O_QUIET] = {"-q", "--quiet", false},
        {NULL, NULL, false},
    };
    pel_watch_feed feeds[64];
    char *own[128] = {0};
    size_t nf = 0;
    const char **set = calloc((size_t)argc + 1, sizeof *set);
    size_t nset = 0;
    if (!set)
        return 1;
    const char *db = cli_default_db(), *alerts = NULL;
    bool quiet = false;
    pel_watch_opts wo = {0};
    int rc = 0;
    double d;
    uint64_t u;
    cli_args g;
    cli_args_init(&g, "watch", argc, argv);
    const char *v;
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        if ((k == O_FEED || k == O_LISTEN || k == O_FOLLOW || k == CLI_ARG) && nf >= 64) {
            fprintf(stderr, "pelorus watch: at most 64 feeds\n");
            rc = 2;
            break;
        }
        switch (k) {
        case CLI_BAD:
            rc = 2;
            break;
        case CLI_ARG:
            if (strcmp(v, "-")) {
                fprintf(stderr,
                        "pelorus watch: unexpected argument %s (feeds are given with --feed, --listen, "
                        "--follow or -)\n",
                        v);
                rc = 2;
            } else if (!add_feed(feeds, &nf, "stdin", "-", own))
                rc = 1;
            break;
        case O_HELP:
            fputs(watch_help, stdout);
            free(set);
            return 0;
        case O_DB:
            db = v;
            break;
        case O_FEED:
            if (strncmp(v, "tcp://", 6)) {
                fprintf(stderr, "pelorus watch: --feed wants tcp://HOST:PORT, not \"%s\"\n", v);
                rc = 2;
            } else if (!add_feed(feeds, &nf, "tcp", v, own))
                rc = 1;
            break;
        case O_LISTEN:
            if (strncmp(v, "udp://", 6)) {
                fprintf(stderr, "pelorus watch: --listen wants udp://ADDR:PORT, not \"%s\"\n", v);
                rc = 2;
            } else if (!add_feed(feeds, &nf, "udp", v, own))
                rc = 1;
            break;
        case O_FOLLOW:
            if (!add_feed(feeds, &nf, "file", v, own))
                rc = 1;
            break;
        case O_ALERTS:
            alerts = v;
            break;
        case O_FINDINGS:
            wo.findings_path = v;
            break;
        case O_EXEC:
            wo.exec = v;
            break;
        case O_JOBS:
            if (cli_whole("watch", "--exec-jobs", v, 1, 64, NULL, &u))
                wo.exec_jobs = (int)u;
            else
                rc = 2;
            break;
        case O_ONCE:
            wo.once = true;
            break;
        case O_COMMIT:
            if (cli_real("watch", "--commit-interval", v, 0.05, 3600, "seconds", &d))
                wo.commit_s = d;
            else
                rc = 2;
            break;
        case O_STATS:
            if (cli_real("watch", "--stats-interval", v, 0.1, 86400, "seconds", &d))
                wo.stats_s = d;
            else
                rc = 2;
            break;
        case O_IDLE:
            if (cli_real("watch", "--udp-idle", v, 0.1, 3600, "seconds", &d))
                wo.udp_idle_ms = (int)(d * 1000);
            else
                rc = 2;
            break;
        case O_JLINES:
            if (cli_whole("watch", "--journal-lines", v, 1000, UINT64_MAX / 2, "lines", &u))
                wo.journal_lines = u;
            else
                rc = 2;
            break;
        case O_WINDOW:
            if (cli_real("watch", "--window-days", v, 0.5, 3650, "days", &d))
                wo.window_s = d * 86400.0;
            else
                rc = 2;
            break;
        case O_SET:
            set[nset++] = v;
            break;
        case O_ZONES:
            wo.scan.zones_path = v;
            break;
        case O_DATA:
            wo.scan.data_dir = v;
            break;
        case O_QUIET:
            quiet = true;
            break;
        }
    }
    if (!rc && !nf) {
        fprintf(stderr, "pelorus watch: no feed (--feed, --listen, --follow or -; see --help)\n");
        rc = 2;
    }
    pel_error err = {0};
    if (!rc && pel_scan_check_settings(set, nset, &err) != PEL_OK) {
        fprintf(stderr, "pelorus watch: %s\n", err.msg);
        rc = 2;
    }
    char *jdir = NULL;
    FILE *af = NULL;
    pel_store *s = NULL;
    if (!rc) {
        /* beside the database file; for a PostgreSQL database, pelorus-live in the current directory */
        bool server = !strncmp(db, "postgresql://", 13) || !strncmp(db, "postgres://", 11);
        jdir = malloc(strlen(db) + 16);
        if (jdir)
            sprintf(jdir, server ? "pelorus-live" : "%s-live", db);
        af = alerts ? fopen(alerts, "a") : stdout;
        if (!af)
            perror(alerts);
        s = jdir && af ? pel_store_open(db, false, &err) : NULL;
        if (af && !s)
            fprintf(stderr, "pelorus watch: %s\n", err.msg[0] ? err.msg : "out of memory");
        if (!s)
            rc = 1;
    }
    if (!rc) {
        signal(SIGPIPE, SIG_IGN);
        struct sigaction sa = {0};
        sa.sa_handler = on_stop;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sa.sa_handler = on_report;
        sigaction(SIGUSR1, &sa, NULL);
        wo.feeds = feeds;
        wo.nfeeds = nf;
        wo.journal_dir = jdir;
        wo.alerts = af;
        wo.alerts_path = alerts;
        wo.scan.set = set;
        wo.scan.nset = nset;
        wo.on_status = on_status;
        wo.ud = &quiet;
        wo.stop = &stop_flag;
        wo.report = &report_flag;
        pel_watch_stats ws;
        pel_status st = pel_watch(s, &wo, &ws, &err);
        if (st != PEL_OK) {
            fprintf(stderr, "pelorus watch: %s\n", err.msg);
            rc = st == PEL_ERR_ARG ? 2 : 1;
        }
    }
    if (af && af != stdout && fclose(af) != 0 && !rc)
        rc = 1;
    pel_store_close(s);
    free(jdir);
    for (size_t i = 0; i < 128; i++)
        free(own[i]);
    free(set);
    return rc;
}
