/*
 * cli_store.c -- the store commands: pelorus ingest, pelorus vessel,
 * pelorus tracks, and the hidden pelorus db-dump that tests use to compare
 * databases row by row.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <unistd.h>

#include "cli.h"

static const char ingest_help[] =
    "usage: pelorus ingest [OPTIONS] FILE...\n"
    "\n"
    "Reads AIS into the database (pelorus.db unless --db): NMEA (plain or .gz,\n"
    "as pelorus decode reads it), NOAA MarineCadastre CSV or Danish Maritime\n"
    "Authority aisdk CSV (detected from the content, or --format).  Stores every\n"
    "position and every identity and voyage report with the file and line it came\n"
    "from, then rebuilds the tracks of the vessels it touched.  Ingesting the same\n"
    "content twice adds nothing; an interrupted ingest continues where it stopped\n"
    "when run again.  One ingest at a time per database: a second one waits.\n"
    "\n"
    "options:\n"
    "  --db PATH              the database (default pelorus.db)\n"
    "  --format F             auto (default), nmea, noaa or dma\n"
    "  --assume-time TIME     give records without a receive time this time\n"
    "                         (ISO-8601 or Unix seconds); without it they are\n"
    "                         rejected as no_time\n"
    "  --rejects FILE         write every rejected line: file, line, reason,\n"
    "                         detail, text (tab-separated)\n"
    "  --max-speed KN         track building: fastest possible speed (30)\n"
    "  --max-silence-hours H  track building: a segment ends after H hours\n"
    "                         without a position (24)\n"
    "  --dedupe-seconds S     the same report heard within S seconds is one (30)\n"
    "  --commit-every N       records per transaction (500000)\n"
    "  -q, --quiet            no summary\n"
    "\n"
    "exit status: 0 done; 1 an input or the database failed (what was committed\n"
    "is kept; run again to finish); 2 usage error\n";

static const char vessel_help[] =
    "usage: pelorus vessel [--db PATH] [--silence-hours H] MMSI|IMO|NAME\n"
    "\n"
    "Prints what the database knows of a vessel: identity history (every name,\n"
    "IMO, call sign, type and size it broadcast, with first and last seen),\n"
    "voyage reports, first and last position, number of positions and segments,\n"
    "distance sailed, and periods of silence of at least H hours (default 12).\n"
    "A 7-digit number is an IMO, a 9-digit one an MMSI, anything else a name\n"
    "(spacing and case ignored).\n"
    "exit status: 0 found; 1 not found or database error; 2 usage error\n";

static const char tracks_help[] =
    "usage: pelorus tracks [--db PATH] [--mmsi M[,M...]] [--bbox MINLON,MINLAT,MAXLON,MAXLAT]\n"
    "                      [--from TIME] [--to TIME] [--format geojson|csv|kml] [-o FILE]\n"
    "\n"
    "Exports tracks: GeoJSON (a LineString per segment; QGIS), CSV (a row per\n"
    "position with file and line) or KML (Google Earth).  TIME is ISO-8601 UTC or\n"
    "Unix seconds.  Output to standard output unless -o.\n"
    "exit status: 0 done; 1 error; 2 usage error\n";

static int usage_error(const char *cmd, const char *msg, const char *arg) {
    fprintf(stderr, "pelorus %s: %s%s%s (see --help)\n", cmd, msg, arg ? " " : "", arg ? arg : "");
    return 2;
}

typedef struct ingest_ctx {
    FILE *rejects;
    bool tty;
    bool progressed;
} ingest_ctx;

static void on_reject(void *ud, const char *file, uint64_t line, const char *reason, const char *detail,
                      const char *text, size_t len) {
    ingest_ctx *c = ud;
    if (!c->rejects)
        return;
    fprintf(c->rejects, "%s\t%llu\t%s\t%s\t", file, (unsigned long long)line, reason, detail ? detail : "");
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch < 0x20 || ch >= 0x7f)
            fprintf(c->rejects, "\\x%02x", ch);
        else
            fputc(ch, c->rejects);
    }
    fputc('\n', c->rejects);
}

static void on_progress(void *ud, const char *file, uint64_t lines, uint64_t records) {
    ingest_ctx *c = ud;
    if (!c->tty)
        return;
    fprintf(stderr, "\r\033[Kingest: %s: %llu lines, %llu records", file, (unsigned long long)lines,
            (unsigned long long)records);
    c->progressed = true;
}

static void on_wait(void *ud, const char *lock_path) {
    (void)ud;
    fprintf(stderr, "pelorus ingest: waiting for another ingest into this database to finish (%s)\n", lock_path);
}

static bool parse_double(const char *s, double *v) {
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return !errno && end != s && *end == 0;
}

int cli_ingest(int argc, char **argv) {
    const char *db = "pelorus.db", *rejects = NULL;
    pel_ingest_opts o = {0};
    bool quiet = false;
    const char **files = calloc((size_t)argc, sizeof *files);
    size_t nf = 0;
    if (!files)
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(ingest_help, stdout);
            free(files);
            return 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            quiet = true;
        else if (a[0] == '-' && a[1] && !v) {
            free(files);
            return usage_error("ingest", "missing value after", a);
        } else if (!strcmp(a, "--db"))
            db = argv[++i];
        else if (!strcmp(a, "--rejects"))
            rejects = argv[++i];
        else if (!strcmp(a, "--format")) {
            i++;
            if (!strcmp(v, "auto")) o.format = PEL_IN_AUTO;
            else if (!strcmp(v, "nmea")) o.format = PEL_IN_NMEA;
            else if (!strcmp(v, "noaa")) o.format = PEL_IN_NOAA;
            else if (!strcmp(v, "dma")) o.format = PEL_IN_DMA;
            else {
                free(files);
                return usage_error("ingest", "unknown format", v);
            }
        } else if (!strcmp(a, "--assume-time")) {
            i++;
            if (!pel_parse_time(v, strlen(v), &o.assume_ms)) {
                free(files);
                return usage_error("ingest", "not a time:", v);
            }
            o.assume_time = true;
        } else if (!strcmp(a, "--max-speed") || !strcmp(a, "--max-silence-hours") ||
                   !strcmp(a, "--dedupe-seconds") || !strcmp(a, "--commit-every")) {
            i++;
            if (!parse_double(v, &d) || d <= 0) {
                free(files);
                return usage_error("ingest", "not a positive number:", v);
            }
            if (!strcmp(a, "--max-speed")) o.max_speed_kn = d;
            else if (!strcmp(a, "--max-silence-hours")) o.max_silence_h = d;
            else if (!strcmp(a, "--dedupe-seconds")) o.dedupe_window_s = (int)d;
            else o.commit_every = (uint64_t)d;
        } else if (a[0] == '-' && a[1]) {
            free(files);
            return usage_error("ingest", "unknown option", a);
        } else
            files[nf++] = a;
    }
    if (!nf) {
        free(files);
        return usage_error("ingest", "no input files", NULL);
    }
    ingest_ctx c = {.tty = isatty(2)};
    if (rejects && !(c.rejects = fopen(rejects, "w"))) {
        fprintf(stderr, "pelorus ingest: %s: %s\n", rejects, strerror(errno));
        free(files);
        return 1;
    }
    o.on_reject = on_reject;
    o.on_progress = on_progress;
    o.on_wait = on_wait;
    o.ud = &c;
    pel_error err = {0};
    pel_store *s = pel_store_open(db, false, &err);
    if (!s) {
        fprintf(stderr, "pelorus ingest: %s\n", err.msg);
        free(files);
        if (c.rejects)
            fclose(c.rejects);
        return 1;
    }
    pel_ingest_stats st;
    pel_status rc = pel_ingest(s, files, nf, &o, &st, &err);
    if (c.progressed)
        fprintf(stderr, "\r\033[K");
    if (rc != PEL_OK)
        fprintf(stderr, "pelorus ingest: %s\n", err.msg[0] ? err.msg : "failed");
    if (!quiet) {
        fprintf(stderr,
                "pelorus ingest: %llu files ingested, %llu already present, %llu continued; %llu lines; "
                "%llu positions, %llu identity/voyage reports stored; %llu ignored; rejected %llu",
                (unsigned long long)st.inputs, (unsigned long long)st.skipped, (unsigned long long)st.resumed,
                (unsigned long long)st.lines, (unsigned long long)st.positions, (unsigned long long)st.statics,
                (unsigned long long)st.ignored, (unsigned long long)st.rejected);
        const char *sep = " (";
        for (int i = 0; i < 64; i++)
            if (st.by_reason[i]) {
                fprintf(stderr, "%s%s %llu", sep, pel_ingest_reason_name(i), (unsigned long long)st.by_reason[i]);
                sep = ", ";
            }
        fprintf(stderr, "%s; tracks rebuilt for %llu vessels, %llu duplicate receptions removed (%.1f s reading, %.1f s "
                "building)\n",
                *sep == ',' ? ")" : "", (unsigned long long)st.vessels_built, (unsigned long long)st.duplicates,
                st.read_s, st.build_s);
    }
    pel_store_close(s);
    free(files);
    if (c.rejects && fclose(c.rejects) != 0) {
        fprintf(stderr, "pelorus ingest: %s: %s\n", rejects, strerror(errno));
        return 1;
    }
    return rc == PEL_OK ? 0 : 1;
}

int cli_vessel(int argc, char **argv) {
    const char *db = "pelorus.db", *query = NULL;
    double silence = 12;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(vessel_help, stdout);
            return 0;
        } else if (!strcmp(a, "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!strcmp(a, "--silence-hours") && i + 1 < argc) {
            if (!parse_double(argv[++i], &silence) || silence <= 0)
                return usage_error("vessel", "not a positive number:", argv[i]);
        } else if (a[0] == '-' && a[1])
            return usage_error("vessel", "unknown option", a);
        else if (query)
            return usage_error("vessel", "one vessel at a time; extra argument", a);
        else
            query = a;
    }
    if (!query)
        return usage_error("vessel", "which vessel?", NULL);
    pel_error err = {0};
    pel_store *s = pel_store_open(db, true, &err);
    if (!s) {
        fprintf(stderr, "pelorus vessel: %s\n", err.msg);
        return 1;
    }
    uint32_t found[64];
    size_t n = 0;
    pel_status rc = pel_vessel_find(s, query, found, 64, &n, &err);
    if (rc == PEL_OK && n == 0) {
        fprintf(stderr, "pelorus vessel: no vessel matches '%s'\n", query);
        pel_store_close(s);
        return 1;
    }
    for (size_t i = 0; rc == PEL_OK && i < n && i < 64; i++) {
        if (i)
            printf("\n");
        rc = pel_vessel_describe(s, found[i], silence, stdout, &err);
    }
    if (n > 64)
        printf("\n(%zu vessels match; the first 64 are shown)\n", n);
    if (rc != PEL_OK)
        fprintf(stderr, "pelorus vessel: %s\n", err.msg[0] ? err.msg : "failed");
    pel_store_close(s);
    return rc == PEL_OK ? 0 : 1;
}

typedef struct tracks_ctx {
    pel_export *x;
    pel_status rc;
    uint64_t vessels, positions;
} tracks_ctx;

static int on_vessel(void *ud, uint32_t mmsi, const char *name, const pel_position *pos, size_t n) {
    tracks_ctx *t = ud;
    t->vessels++;
    t->positions += n;
    t->rc = pel_export_vessel(t->x, mmsi, name, pos, n);
    return t->rc != PEL_OK;
}

int cli_tracks(int argc, char **argv) {
    const char *db = "pelorus.db", *out = NULL;
    pel_export_format fmt = PEL_EXPORT_GEOJSON;
    pel_track_filter f = {0};
    uint32_t *mm = NULL;
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(tracks_help, stdout);
            free(mm);
            return 0;
        }
        if (!v) {
            rc = usage_error("tracks", "missing value after", a);
            break;
        }
        i++;
        if (!strcmp(a, "--db"))
            db = v;
        else if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            out = v;
        else if (!strcmp(a, "--format")) {
            if (!strcmp(v, "geojson")) fmt = PEL_EXPORT_GEOJSON;
            else if (!strcmp(v, "csv")) fmt = PEL_EXPORT_CSV;
            else if (!strcmp(v, "kml")) fmt = PEL_EXPORT_KML;
            else rc = usage_error("tracks", "unknown format", v);
        } else if (!strcmp(a, "--mmsi")) {
            size_t cap = 1;
            for (const char *c = v; *c; c++)
                cap += *c == ',';
            free(mm);
            mm = calloc(cap, sizeof *mm);
            f.nmmsi = 0;
            char *dup = strdup(v);
            for (char *tok = strtok(dup, ","); tok && mm; tok = strtok(NULL, ",")) {
                char *end;
                unsigned long x = strtoul(tok, &end, 10);
                if (*end || x == 0 || x > 999999999) {
                    rc = usage_error("tracks", "not an MMSI:", tok);
                    break;
                }
                mm[f.nmmsi++] = (uint32_t)x;
            }
            free(dup);
            f.mmsi = mm;
        } else if (!strcmp(a, "--bbox")) {
            if (sscanf(v, "%lf,%lf,%lf,%lf", &f.min_lon, &f.min_lat, &f.max_lon, &f.max_lat) != 4 ||
                f.min_lat > f.max_lat || f.min_lon > f.max_lon)
                rc = usage_error("tracks", "--bbox wants MINLON,MINLAT,MAXLON,MAXLAT, got", v);
            f.has_bbox = true;
        } else if (!strcmp(a, "--from")) {
            if (!pel_parse_time(v, strlen(v), &f.from_ms))
                rc = usage_error("tracks", "not a time:", v);
            f.has_from = true;
        } else if (!strcmp(a, "--to")) {
            if (!pel_parse_time(v, strlen(v), &f.to_ms))
                rc = usage_error("tracks", "not a time:", v);
            f.has_to = true;
        } else
            rc = usage_error("tracks", "unknown option", a);
    }
    if (rc) {
        free(mm);
        return rc;
    }
    pel_error err = {0};
    pel_store *s = pel_store_open(db, true, &err);
    if (!s) {
        fprintf(stderr, "pelorus tracks: %s\n", err.msg);
        free(mm);
        return 1;
    }
    FILE *o = out ? fopen(out, "w") : stdout;
    if (!o) {
        fprintf(stderr, "pelorus tracks: %s: %s\n", out, strerror(errno));
        pel_store_close(s);
        free(mm);
        return 1;
    }
    tracks_ctx t = {.x = pel_export_new(o, fmt, &err)};
    pel_status st = t.x ? pel_tracks(s, &f, on_vessel, &t, &err) : PEL_ERR_NOMEM;
    if (st == PEL_STOPPED)
        st = t.rc;
    pel_status st2 = pel_export_finish(t.x, &err);
    if (st == PEL_OK)
        st = st2;
    if (out && fclose(o) != 0 && st == PEL_OK)
        st = PEL_ERR_IO;
    if (st != PEL_OK)
        fprintf(stderr, "pelorus tracks: %s\n", err.msg[0] ? err.msg : "writing failed");
    else
        fprintf(stderr, "pelorus tracks: %llu vessels, %llu positions\n", (unsigned long long)t.vessels,
                (unsigned long long)t.positions);
    pel_store_close(s);
    free(mm);
    return st == PEL_OK ? 0 : 1;
}

/* pelorus db-dump [--db PATH]: every stored row in a canonical text form
 * (positions decoded), for tests that compare two databases. */
static int dump_vessel(void *ud, uint32_t mmsi, const char *name, const pel_position *p, size_t n) {
    (void)name;
    FILE *f = ud;
    for (size_t i = 0; i < n; i++)
        fprintf(f, "pos %u %lld %d %d %u %u %u %u %u %u %d %u %u %llu %d\n", mmsi, (long long)p[i].t_ms, p[i].lat,
                p[i].lon, p[i].speed, p[i].course, p[i].heading, p[i].status, p[i].type, p[i].flags, p[i].segment,
                p[i].input, p[i].source, (unsigned long long)p[i].line, p[i].second);
    return 0;
}

int cli_dbdump(int argc, char **argv) {
    const char *db = argc > 2 && !strcmp(argv[1], "--db") ? argv[2] : "pelorus.db";
    sqlite3 *h;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "pelorus db-dump: %s: %s\n", db, sqlite3_errmsg(h));
        sqlite3_close(h);
        return 1;
    }
    static const char *const q[] = {
        "SELECT 'input', id, path, size, sha256, format, status, lines_done, lines, positions, statics, ignored,"
        " rejected, rejects FROM inputs ORDER BY id",
        "SELECT 'source', id, name FROM sources ORDER BY id",
        "SELECT 'vessel', mmsi, dirty, first_ms, last_ms, positions, flagged, segments, distance_m, duplicates"
        " FROM vessels ORDER BY mmsi",
        "SELECT 'segment', * FROM segments ORDER BY mmsi, seg",
        "SELECT 'identity', * FROM identities ORDER BY 2, 3, 4, 5, 6, 7, 8, 9, 10",
        "SELECT 'voyage', * FROM voyages ORDER BY 2, 3, 4, 5",
        "SELECT 'chunk', mmsi, t0, t1, n, length(data) FROM chunks ORDER BY mmsi, t0, n",
        "SELECT 'staging', count(*) FROM staging",
        "SELECT 'box', c.mmsi, b.lat0, b.lat1, b.lon0, b.lon1, b.m0, b.m1 FROM chunk_box b JOIN chunks c USING (id)"
        " ORDER BY 2, 7, 3",
    };
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(h, q[k], -1, &st, NULL) != SQLITE_OK) {
            fprintf(stderr, "pelorus db-dump: %s\n", sqlite3_errmsg(h));
            sqlite3_close(h);
            return 1;
        }
        while (sqlite3_step(st) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *t = sqlite3_column_text(st, c);
                printf("%s%s", c ? "|" : "", t ? (const char *)t : "NULL");
            }
            printf("\n");
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    pel_error err = {0};
    pel_store *s = pel_store_open(db, true, &err);
    if (!s) {
        fprintf(stderr, "pelorus db-dump: %s\n", err.msg);
        return 1;
    }
    pel_track_filter f = {0};
    pel_status rc = pel_tracks(s, &f, dump_vessel, stdout, &err);
    pel_store_close(s);
    return rc == PEL_OK ? 0 : 1;
}
