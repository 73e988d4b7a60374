/*
 * cli_simulate.c -- pelorus simulate: a scenario file becomes AIS with known
 * answers (docs/simulate.md).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char simulate_help[] =
    "usage: pelorus simulate SCENARIO --out DIR [OPTIONS]\n"
    "\n"
    "Simulates the scenario (a JSON file, docs/simulate.md): background traffic,\n"
    "scripted ship-to-ship transfers, loitering, dark periods, port calls, cloned\n"
    "MMSIs, identity changes, reflagging and draught changes, heard by receivers\n"
    "that lose, duplicate, delay and garble messages.  Writes into DIR:\n"
    "  ais.nmea        the received AIVDM stream, tag blocks with s: and c:\n"
    "  truth.jsonl     the findings a correct 'pelorus scan' gives (for 'pelorus eval')\n"
    "  vessels.csv     the simulated fleet\n"
    "  watchlist.csv   the scenario's designated vessels (for 'pelorus scan --watchlist')\n"
    "The same scenario and seed give byte-identical files.\n"
    "\n"
    "options:\n"
    "  -o, --out DIR    where to write (created if needed)\n"
    "  --seed N         instead of the scenario's seed (0 to 9223372036854775807)\n"
    "  --scale X        multiply the background traffic by X, 0.001 to 1000\n"
    "                   (benchmarks)\n"
    "  --max-messages N the budget: refuse a run estimated to send more than N\n"
    "                   messages (default 100000000; none = no limit)\n"
    "  --max-memory S   the budget: refuse a run estimated to need more memory\n"
    "                   (S in MiB, or with K, M, G, T; default 4G; none = no limit)\n"
    "  --data-dir DIR   where ports.csv, zones.geojson and mid.csv are\n"
    "  -q, --quiet      no summary on standard error\n"
    "\n"
    "exit status: 0 done; 1 the scenario is wrong or a file failed; 2 usage\n";

/* A budget: "none" (no limit: UINT64_MAX), or a whole number > 0 times
 * unit, or with a K/M/G/T suffix (powers of 1024) when sizes; false when
 * it is not one. */
static bool budget_arg(const char *v, bool size, uint64_t *out) {
    if (!strcmp(v, "none")) {
        *out = UINT64_MAX;
        return true;
    }
    if (*v < '0' || *v > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    uint64_t mul = 1;
    if (size) {
        const char *u = "KMGT", *k = *end ? strchr(u, *end) : NULL;
        if (*end && (!k || end[1]))
            return false;
        mul = (uint64_t)1 << (10 * (k ? k - u + 1 : 2)); /* MiB when bare */
    } else if (*end)
        return false;
    if (errno || n == 0 || n > UINT64_MAX / mul)
        return false;
    *out = (uint64_t)n * mul;
    return true;
}

int cli_simulate(int argc, char **argv) {
    const char *scenario = NULL, *out = NULL;
    pel_sim_opts o = {.seed = -1};
    bool quiet = false;
    enum { O_HELP, O_QUIET, O_OUT, O_DATA, O_SEED, O_SCALE, O_MAXMSG, O_MAXMEM };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_QUIET] = {"--quiet", "-q", false},
        [O_OUT] = {"--out", "-o", true},
        [O_DATA] = {"--data-dir", NULL, true},
        [O_SEED] = {"--seed", NULL, true},
        [O_SCALE] = {"--scale", NULL, true},
        [O_MAXMSG] = {"--max-messages", NULL, true},
        [O_MAXMEM] = {"--max-memory", NULL, true},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "simulate", argc, argv);
    const char *v;
    uint64_t seed;
    for (int k; (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            return 2;
        case CLI_ARG:
            if (scenario) {
                fprintf(stderr, "pelorus simulate: one scenario at a time (see --help)\n");
                return 2;
            }
            scenario = v;
            break;
        case O_HELP:
            fputs(simulate_help, stdout);
            return 0;
        case O_QUIET:
            quiet = true;
            break;
        case O_OUT:
            out = v;
            break;
        case O_DATA:
            o.data_dir = v;
            break;
        case O_SEED:
            if (!cli_whole("simulate", "--seed", v, 0, INT64_MAX, NULL, &seed))
                return 2;
            o.seed = (int64_t)seed;
            break;
        case O_SCALE:
            if (!cli_real("simulate", "--scale", v, 0.001, 1000, NULL, &o.scale))
                return 2;
            break;
        case O_MAXMSG:
            if (!budget_arg(v, false, &o.max_messages)) {
                fprintf(stderr, "pelorus simulate: --max-messages needs a whole number > 0 or none\n");
                return 2;
            }
            break;
        case O_MAXMEM:
            if (!budget_arg(v, true, &o.max_memory)) {
                fprintf(stderr, "pelorus simulate: --max-memory needs a size > 0 (MiB, or 512M, 8G) or none\n");
                return 2;
            }
            break;
        }
    }
    if (!scenario || !out) {
        fprintf(stderr, "pelorus simulate: needs a SCENARIO and --out DIR (see --help)\n");
        return 2;
    }
    pel_error err = {0};
    pel_sim_stats st;
    pel_status r = pel_simulate(scenario, out, &o, &st, &err);
    if (r != PEL_OK) {
        fprintf(stderr, "pelorus simulate: %s\n", err.msg[0] ? err.msg : "failed");
        return 1;
    }
    if (!quiet)
        fprintf(stderr,
                "pelorus simulate: %llu vessels, %llu messages sent, %llu lines written to %s/ais.nmea "
                "(lost %llu, duplicated %llu, reordered %llu, corrupted %llu, truncated %llu); %llu truth items; "
                "%.2f s\n",
                (unsigned long long)st.vessels, (unsigned long long)st.messages, (unsigned long long)st.lines, out,
                (unsigned long long)st.lost, (unsigned long long)st.duplicated, (unsigned long long)st.reordered,
                (unsigned long long)st.corrupted, (unsigned long long)st.truncated, (unsigned long long)st.truth,
                st.seconds);
    return 0;
}
