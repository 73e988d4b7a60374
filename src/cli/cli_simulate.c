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
    "scripted ship-to-ship transfers, dark periods, port calls, cloned MMSIs and\n"
    "identity changes, heard by receivers that lose, duplicate, delay and garble\n"
    "messages.  Writes into DIR:\n"
    "  ais.nmea        the received AIVDM stream, tag blocks with s: and c:\n"
    "  truth.jsonl     the findings a correct 'pelorus scan' gives (for 'pelorus eval')\n"
    "  vessels.csv     the simulated fleet\n"
    "  watchlist.csv   the scenario's designated vessels (for 'pelorus scan --watchlist')\n"
    "The same scenario and seed give byte-identical files.\n"
    "\n"
    "options:\n"
    "  --out DIR        where to write (created if needed)\n"
    "  --seed N         instead of the scenario's seed\n"
    "  --scale X        multiply the background traffic by X (benchmarks)\n"
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
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(simulate_help, stdout);
            return 0;
        }
        if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
            continue;
        }
        if (a[0] != '-') {
            if (scenario) {
                fprintf(stderr, "pelorus simulate: one scenario at a time (see --help)\n");
                return 2;
            }
            scenario = a;
            continue;
        }
        if (!v) {
            fprintf(stderr, "pelorus simulate: missing value after %s (see --help)\n", a);
            return 2;
        }
        i++;
        char *end;
        if (!strcmp(a, "--out"))
            out = v;
        else if (!strcmp(a, "--data-dir"))
            o.data_dir = v;
        else if (!strcmp(a, "--seed")) {
            o.seed = strtoll(v, &end, 10);
            if (*end || o.seed < 0) {
                fprintf(stderr, "pelorus simulate: --seed needs a number >= 0\n");
                return 2;
            }
        } else if (!strcmp(a, "--scale")) {
            o.scale = strtod(v, &end);
            if (*end || !(o.scale > 0 && o.scale <= 1000)) {
                fprintf(stderr, "pelorus simulate: --scale needs a number in (0, 1000]\n");
                return 2;
            }
        } else if (!strcmp(a, "--max-messages")) {
            if (!budget_arg(v, false, &o.max_messages)) {
                fprintf(stderr, "pelorus simulate: --max-messages needs a whole number > 0 or none\n");
                return 2;
            }
        } else if (!strcmp(a, "--max-memory")) {
            if (!budget_arg(v, true, &o.max_memory)) {
                fprintf(stderr, "pelorus simulate: --max-memory needs a size > 0 (MiB, or 512M, 8G) or none\n");
                return 2;
            }
        } else {
            fprintf(stderr, "pelorus simulate: unknown option %s (see --help)\n", a);
            return 2;
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
