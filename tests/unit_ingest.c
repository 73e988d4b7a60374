/*
 * unit_ingest.c -- pel_ingest's contract for inputs as a library caller
 * meets it: options refused before anything is read, inputs refused one by
 * one through on_input_error while the others are ingested (stats->failed,
 * the status and message returned), and the settings an input is known by.
 * Uses a database in a temporary directory and the files in tests/data/.
 * Run from the repository root.  Prints "unit_ingest: N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pelorus.h"

#include "check.h"

#define KYST "tests/data/real-world/simula__damast/test_ais.csv"
#define AISHUB "tests/data/csv/aishub.csv"

typedef struct seen {
    int n;
    char file[4][256];
    pel_status code[4];
    char msg[4][600];
} seen;

static void on_input_error(void *ud, const char *file, pel_status code, const char *msg) {
    seen *s = ud;
    if (s->n < 4) {
        snprintf(s->file[s->n], sizeof s->file[0], "%s", file);
        s->code[s->n] = code;
        snprintf(s->msg[s->n], sizeof s->msg[0], "%s", msg);
    }
    s->n++;
}

static char dir[64];

/* The count of the reject reason named name. */
static uint64_t by_reason(const pel_ingest_stats *st, const char *name) {
    for (int i = 0; pel_ingest_reason_name(i); i++)
        if (!strcmp(pel_ingest_reason_name(i), name))
            return st->by_reason[i];
    return 0;
}

static pel_store *fresh(const char *name) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    pel_error err = {0};
    pel_store *s = pel_store_open(path, false, &err);
    CHECK(s != NULL, "open %s: %s", path, err.msg);
    return s;
}

/* Options that would be wrong for every input: refused before any is read. */
static void test_options(void) {
    static const struct {
        pel_ingest_opts o;
        const char *msg;
    } cases[] = {
        {{.format = (pel_input_format)42}, "unknown input format 42"},
        {{.format = PEL_IN_NOAA, .columns = "mmsi=MMSI,time=TIME"}, "--columns is for the generic CSV reader"},
        {{.format = PEL_IN_AUTO, .columns = "mmsi=MMSI"}, "--columns: the column map must name mmsi and time"},
        {{.format = PEL_IN_CSV, .time_format = "%H:%M"}, "--time-format: needs a whole date"},
    };
    pel_store *s = fresh("opts.db");
    for (size_t i = 0; s && i < sizeof cases / sizeof cases[0]; i++) {
        const char *paths[] = {KYST};
        pel_ingest_stats st;
        pel_error err = {0};
        pel_status rc = pel_ingest(s, paths, 1, &cases[i].o, &st, &err);
        CHECK(rc == PEL_ERR_ARG && err.code == PEL_ERR_ARG && strstr(err.msg, cases[i].msg) && st.inputs == 0,
              "options case %zu: %d '%s'", i, rc, err.msg);
    }
    pel_store_close(s);
}

/* Refused inputs are reported one by one; the others are ingested. */
static void test_refused(void) {
    pel_store *s = fresh("refused.db");
    if (!s)
        return;
    seen sn = {0};
    pel_ingest_opts o = {.on_input_error = on_input_error, .ud = &sn};
    const char *paths[] = {"tests/data/csv/no-such-file.csv", AISHUB, KYST};
    pel_ingest_stats st;
    pel_error err = {0};
    pel_status rc = pel_ingest(s, paths, 3, &o, &st, &err);
    CHECK(rc == PEL_ERR_IO && st.failed == 2 && st.inputs == 1 && st.positions == 13, "two refused, one stored: %d %s",
          rc, err.msg);
    CHECK(sn.n == 2 && !strcmp(sn.file[0], paths[0]) && sn.code[0] == PEL_ERR_IO &&
              !strcmp(sn.msg[0], "tests/data/csv/no-such-file.csv: No such file or directory"),
          "the missing file: '%s'", sn.msg[0]);
    CHECK(sn.n == 2 && !strcmp(sn.file[1], AISHUB) && sn.code[1] == PEL_ERR_FORMAT &&
              strstr(sn.msg[1], AISHUB ": not understood, not ingested: the first line looks like a CSV header") &&
              strlen(sn.msg[1]) > 255,
          "the unknown CSV, its whole message (%zu bytes)", strlen(sn.msg[1]));
    CHECK(!strncmp(err.msg, "2 of 3 inputs not ingested: tests/data/csv/no-such-file.csv: No such file", 72),
          "the status names the first: '%s'", err.msg);

    /* without a callback the message still says it */
    pel_store *s2 = fresh("refused2.db");
    pel_ingest_opts o2 = {0};
    const char *one[] = {AISHUB};
    rc = s2 ? pel_ingest(s2, one, 1, &o2, &st, &err) : PEL_OK;
    CHECK(rc == PEL_ERR_FORMAT && st.failed == 1 && strlen(err.msg) == sizeof err.msg - 1 &&
              !strcmp(err.msg + sizeof err.msg - 4, "...") && strstr(err.msg, "1 of 1 inputs not ingested: " AISHUB),
          "a message longer than pel_error's is cut with '...': '%s'", err.msg);
    pel_store_close(s2);

    /* the generic reader: known by its settings */
    pel_ingest_opts g = {.format = PEL_IN_CSV, .time_format = "%Y-%m-%d %H:%M:%S GMT"};
    rc = pel_ingest(s, one, 1, &g, &st, &err);
    CHECK(rc == PEL_OK && st.inputs == 1 && st.positions == 4, "aishub by name: %d %s", rc, err.msg);
    rc = pel_ingest(s, one, 1, &g, &st, &err);
    CHECK(rc == PEL_OK && st.inputs == 0 && st.skipped == 1, "aishub again: present");
    g.columns = "mmsi=MMSI,time=TIME,lat=LATITUDE,lon=LONGITUDE,speed=SOG";
    rc = pel_ingest(s, one, 1, &g, &st, &err);
    CHECK(rc == PEL_OK && st.inputs == 1 && st.positions == 4 && by_reason(&st, "number") == 1,
          "aishub by a map: read again (%d %s)", rc, err.msg);
    g.columns = " speed = sog , lon=Longitude,LAT=latitude,time=time,mmsi=mmsi";
    rc = pel_ingest(s, one, 1, &g, &st, &err);
    CHECK(rc == PEL_OK && st.skipped == 1, "the same map written otherwise: present");
    pel_store_close(s);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/unit_ingest.XXXXXX");
    if (!mkdtemp(dir)) {
        printf("unit_ingest: no temporary directory\n");
        return 1;
    }
    test_options();
    test_refused();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", dir);
    printf("unit_ingest: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
