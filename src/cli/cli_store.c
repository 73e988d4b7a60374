/*
 * cli_store.c -- the store commands: pelorus ingest, pelorus vessel,
 * pelorus tracks, and the hidden pelorus db-dump that tests use to compare
 * databases row by row.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_name track_formats[] = {
    {"geojson", PEL_EXPORT_GEOJSON}, {"csv", PEL_EXPORT_CSV}, {"kml", PEL_EXPORT_KML}, {NULL, 0}};
#include "util/numtext.h"

static const char ingest_help[] =
    "usage: pelorus ingest [OPTIONS] FILE...\n"
    "\n"
    "Reads AIS into the database (pelorus.db unless --db): NMEA (plain or .gz,\n"
    "as pelorus decode reads it) or a CSV export -- NOAA MarineCadastre, Danish\n"
    "Maritime Authority aisdk, Kystverket, BarentsWatch (detected from the\n"
    "header), or any CSV with a header through --columns.  Stores every position\n"
    "and every identity and voyage report with the file and line it came from,\n"
    "then rebuilds the tracks of the vessels it touched.  An input in no format\n"
    "it recognises is refused and not recorded (the others are ingested).  The\n"
    "same content read the same way twice adds nothing; an interrupted ingest\n"
    "continues where it stopped when run again.  FILE may be - (standard input),\n"
    "a pipe or <(...): it is copied to $TMPDIR while it is read.\n"
    "One ingest at a time per database: a second one waits.\n"
    "A FILE that is a partner's case (pelorus case export: a directory with\n"
    "case.json and MANIFEST, or its .zip) is checked and imported: its lines as\n"
    "inputs named case:ID/ORIGINAL, its findings kept as the partner's (pelorus\n"
    "case findings); the same case twice adds nothing.\n"
    "\n"
    "options:\n"
    "  --db PATH              the database (default pelorus.db)\n"
    "  --format F             auto (default), nmea, noaa, dma, kystverket,\n"
    "                         barentswatch or csv (the generic reader)\n"
    "  --columns MAP          generic CSV: field=Header,... e.g.\n"
    "                         mmsi=MMSI,time=TIME,lat=LAT,lon=LON,speed=SPEED/10\n"
    "                         (fields: mmsi time lat lon speed course heading status\n"
    "                         name imo callsign shiptype destination eta draught\n"
    "                         length width to_bow to_stern to_port to_starboard\n"
    "                         class msgtype source; /N divides; implies --format csv)\n"
    "  --time-format F        CSV times: auto, iso, unix, unix_ms or a pattern such\n"
    "                         as '%d/%m/%Y %H:%M:%S' (%Y %m %d %b %H %M %S %f %T %z %s)\n"
    "  --delimiter C          CSV field delimiter (default: from the header; \\t for tab)\n"
    "  --assume-time TIME     give records without a receive time this time\n"
    "                         (ISO-8601 or Unix seconds); without it they are\n"
    "                         rejected as no_time\n"
    "  --pubkey FILE          a case must be signed by this key (pelorus key new)\n"
    "  --rejects FILE         write every rejected line: file, line, reason,\n"
    "                         detail, text (tab-separated)\n"
    "  --max-speed KN         track building: fastest possible speed (30;\n"
    "                         1 to 1000)\n"
    "  --max-silence-hours H  track building: a segment ends after H hours\n"
    "                         without a position (24; 0.1 to 8760)\n"
    "  --dedupe-seconds S     the same report heard within S seconds is one\n"
    "                         (30; whole, 1 to 3600)\n"
    "  --arrival-slack-hours H  track building: a time taken from a collector's\n"
    "                         arrival trailer (or --assume-time) may be H hours\n"
    "                         late; the speed check allows for it (3; 0.1 to 48)\n"
    "  --commit-every N       records per transaction (500000; 1 to 10000000)\n"
    "  -q, --quiet            no summary\n"
    "\n"
    "See docs/formats.md for the formats, column maps and time formats.\n"
    "\n"
    "exit status: 0 done; 1 an input was missing, unreadable or not understood\n"
    "(the others were ingested), or the database failed (what was committed is\n"
    "kept; when the database failed -- full, locked, read-only -- the message says\n"
    "\"run again to continue\", and the same command continues where it\n"
    "stopped); 2 usage error\n";

static const char vessel_help[] =
    "usage: pelorus vessel [--db PATH] [--silence-hours H] [--zones FILE] [--data-dir DIR]\n"
    "                      [--set NAME=VALUE]... MMSI|IMO|NAME\n"
    "\n"
    "Prints what the database knows of a vessel: identity history (every name,\n"
    "IMO, call sign, type and size it broadcast, with first and last seen),\n"
    "voyage reports, first and last position, number of positions and segments,\n"
    "distance sailed, periods of silence of at least H hours (default 12;\n"
    "0.1 to 8760), and its stays in the zones (--zones FILE, or the shipped\n"
    "zones.geojson of --data-dir): those a scan reports, and the crossings of\n"
    "transfer areas (policy dwell) at sea speed, shown as transits: context,\n"
    "not findings.  --set NAME=VALUE (repeatable) changes a detector setting as\n"
    "for pelorus scan (docs/findings.md): the identity.link_* settings change\n"
    "the chain of MMSIs shown, the zone_entry.* ones the zone stays.\n"
    "A number is an MMSI (junk MMSIs such as 0 or 12345678 included; they are\n"
    "marked as identifying no ship), a 7-digit number an IMO or an MMSI; write\n"
    "IMO1234567 or MMSI1234567 to say which.  Anything else is a name (spacing\n"
    "and case ignored).\n"
    "exit status: 0 found; 1 not found or database error; 2 usage error\n";

static const char tracks_help[] =
    "usage: pelorus tracks [--db PATH] [--mmsi M[,M...]] [--bbox MINLON,MINLAT,MAXLON,MAXLAT]\n"
    "                      [--from TIME] [--to TIME] [--format geojson|csv|kml] [-o FILE]\n"
    "\n"
    "Exports tracks: GeoJSON (a LineString per segment; QGIS), CSV (a row per\n"
    "position with file and line) or KML (Google Earth).  TIME is ISO-8601 UTC or\n"
    "Unix seconds; --from may not be after --to.  --bbox: longitudes -180 to\n"
    "180, latitudes -90 to 90.  Output to standard output unless -o.\n"
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

static void on_input_error(void *ud, const char *file, pel_status code, const char *msg) {
    ingest_ctx *c = ud;
    (void)file;
    (void)code;
    if (c->progressed)
        fprintf(stderr, "\r\033[K");
    c->progressed = false;
    fprintf(stderr, "pelorus ingest: %s\n", msg);
}

/* A --delimiter value: one character, or \t / tab. */
static bool parse_delimiter(const char *v, char *d) {
    if (!strcmp(v, "\\t") || !strcmp(v, "tab") || !strcmp(v, "\t"))
        *d = '\t';
    else if (strlen(v) == 1)
        *d = v[0];
    else
        return false;
    return true;
}

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

int cli_ingest(int argc, char **argv) {
    const char *db = cli_default_db(), *rejects = NULL;
    pel_ingest_opts o = {0};
    bool quiet = false;
    const char **files = calloc((size_t)argc, sizeof *files);
    size_t nf = 0;
    if (!files)
        return 1;
    enum {
        O_HELP,
        O_QUIET,
        O_DB,
        O_REJECTS,
        O_FORMAT,
        O_ASSUME,
        O_SPEED,
        O_SILENCE,
        O_DEDUPE,
        O_COMMIT,
        O_COLUMNS,
        O_TIMEFMT,
        O_DELIM,
        O_SLACK,
        O_PUBKEY
    };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_QUIET] = {"--quiet", "-q", false},
        [O_DB] = {"--db", NULL, true},
        [O_REJECTS] = {"--rejects", NULL, true},
        [O_FORMAT] = {"--format", NULL, true},
        [O_ASSUME] = {"--assume-time", NULL, true},
        [O_SPEED] = {"--max-speed", NULL, true},
        [O_SILENCE] = {"--max-silence-hours", NULL, true},
        [O_DEDUPE] = {"--dedupe-seconds", NULL, true},
        [O_COMMIT] = {"--commit-every", NULL, true},
        [O_COLUMNS] = {"--columns", NULL, true},
        [O_TIMEFMT] = {"--time-format", NULL, true},
        [O_DELIM] = {"--delimiter", NULL, true},
        [O_SLACK] = {"--arrival-slack-hours", NULL, true},
        [O_PUBKEY] = {"--pubkey", NULL, true},
        {NULL, NULL, false},
    };
    const char *pubkey = NULL;
    cli_args g;
    cli_args_init(&g, "ingest", argc, argv);
    const char *v;
    int rc = 0;
    uint64_t u;
    int choice; /* a value of cli_choice */
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            rc = 2;
            break;
        case CLI_ARG:
            files[nf++] = v;
            break;
        case O_HELP:
            fputs(ingest_help, stdout);
            free(files);
            return 0;
        case O_QUIET:
            quiet = true;
            break;
        case O_DB:
            db = v;
            break;
        case O_REJECTS:
            rejects = v;
            break;
        case O_FORMAT:
            if (cli_choice("ingest", "--format", v, cli_input_formats, &choice))
                o.format = (pel_input_format)choice;
            else
                rc = 2;
            break;
        case O_COLUMNS: {
            pel_error ce = {0};
            if (pel_csv_check_columns(v, &ce) != PEL_OK)
                rc = usage_error("ingest", ce.msg, NULL);
            o.columns = v;
            break;
        }
        case O_TIMEFMT: {
            char why[160];
            if (!pel_time_format_check(v, why, sizeof why)) {
                fprintf(stderr, "pelorus ingest: --time-format '%s': %s (see --help)\n", v, why);
                rc = 2;
            }
            o.time_format = v;
            break;
        }
        case O_DELIM:
            if (!parse_delimiter(v, &o.delimiter) || o.delimiter == '"' || o.delimiter == ' ')
                rc = usage_error("ingest",
                                 "--delimiter wants one character (or \\t for tab), not a quote or a blank:", v);
            break;
        case O_ASSUME:
            if (!cli_time("ingest", "--assume-time", v, &o.assume_ms))
                rc = 2;
            o.assume_time = true;
            break;
        case O_SPEED:
            if (!cli_real("ingest", "--max-speed", v, 1, 1000, "knots", &o.max_speed_kn))
                rc = 2;
            break;
        case O_SILENCE:
            if (!cli_real("ingest", "--max-silence-hours", v, 0.1, 8760, "hours", &o.max_silence_h))
                rc = 2;
            break;
        case O_DEDUPE:
            if (!cli_whole("ingest", "--dedupe-seconds", v, 1, 3600, "seconds", &u))
                rc = 2;
            o.dedupe_window_s = (int)u;
            break;
        case O_SLACK:
            if (!cli_real("ingest", "--arrival-slack-hours", v, 0.1, 48, "hours", &o.arrival_slack_h))
                rc = 2;
            break;
        case O_COMMIT:
            if (!cli_whole("ingest", "--commit-every", v, 1, 10000000, "records", &u))
                rc = 2;
            o.commit_every = u;
            break;
        case O_PUBKEY:
            pubkey = v;
            break;
        }
    }
    if (!rc && !nf) {
        fprintf(stderr, "pelorus ingest: no input files (see --help)\n");
        rc = 2;
    }
    if (!rc && o.columns && o.format != PEL_IN_AUTO && o.format != PEL_IN_CSV)
        rc = usage_error("ingest", "--columns is for the generic CSV reader (--format csv)", NULL);
    if (!rc && o.columns)
        o.format = PEL_IN_CSV;
    if (!rc && o.format == PEL_IN_NMEA && (o.time_format || o.delimiter))
        rc = usage_error("ingest", "--time-format and --delimiter are for CSV inputs, not --format nmea", NULL);
    if (rc) {
        free(files);
        return rc;
    }
    ingest_ctx c = {.tty = isatty(2)};
    cli_out rej = {0};
    if (rejects && !(c.rejects = cli_out_open("ingest", &rej, rejects))) {
        free(files);
        return 1;
    }
    o.on_reject = on_reject;
    o.on_progress = on_progress;
    o.on_input_error = on_input_error;
    o.on_wait = on_wait;
    o.ud = &c;
    pel_error err = {0};
    pel_store *s = pel_store_open(db, false, &err);
    if (!s) {
        fprintf(stderr, "pelorus ingest: %s\n", err.msg);
        free(files);
        cli_out_close("ingest", &rej, false);
        return 1;
    }
    /* partners' cases first (docs/case.md), then the other inputs */
    pel_status r = PEL_OK;
    size_t nplain = 0;
    for (size_t i = 0; i < nf; i++) {
        if (!pel_case_is(files[i])) {
            files[nplain++] = files[i];
            continue;
        }
        pel_case_import_stats cs;
        pel_error ce = {0};
        pel_status cr = pel_case_import(s, files[i], pubkey, &cs, &ce);
        if (cr != PEL_OK) {
            fprintf(stderr, "pelorus ingest: %s\n", ce.msg);
            r = cr;
        } else if (!quiet && cs.already)
            fprintf(stderr, "pelorus ingest: case %s (%s) was imported before: nothing added\n", cs.id, files[i]);
        else if (!quiet)
            fprintf(stderr,
                    "pelorus ingest: case %s (%s), %s%s: %llu lines, %llu positions stored, %llu duplicate receptions "
                    "removed, %llu records ignored (other vessels': the partner's context; or of no use to tracks), "
                    "%llu rejected; its %llu findings recorded as the partner's (pelorus case findings)\n",
                    cs.id, files[i], cs.signer[0] ? "signed by key " : "unsigned", cs.signer,
                    (unsigned long long)cs.ingest.lines, (unsigned long long)cs.ingest.positions,
                    (unsigned long long)cs.ingest.duplicates, (unsigned long long)cs.ingest.ignored,
                    (unsigned long long)cs.ingest.rejected, (unsigned long long)cs.findings);
    }
    bool cases_only = nplain == 0;
    nf = nplain;
    pel_ingest_stats st;
    pel_status pr = cases_only ? PEL_OK : pel_ingest(s, files, nf, &o, &st, &err);
    if (pr != PEL_OK)
        r = pr;
    if (cases_only)
        quiet = true;
    if (c.progressed)
        fprintf(stderr, "\r\033[K");
    /* the inputs refused were named as they came (on_input_error); the
     * library's summary of them is not repeated */
    char refused[64];
    snprintf(refused, sizeof refused, "%llu of %zu inputs not ingested: ", (unsigned long long)st.failed, nf);
    if (pr != PEL_OK && !(st.failed && !strncmp(err.msg, refused, strlen(refused))))
        fprintf(stderr, "pelorus ingest: %s\n", err.msg[0] ? err.msg : "failed");
    if (!quiet) {
        char nfail[48] = "";
        if (st.failed)
            snprintf(nfail, sizeof nfail, ", %llu not ingested", (unsigned long long)st.failed);
        fprintf(stderr,
                "pelorus ingest: %llu files ingested, %llu already present, %llu continued%s; %llu lines; "
                "%llu positions, %llu identity/voyage reports stored; %llu ignored; rejected %llu",
                (unsigned long long)st.inputs, (unsigned long long)st.skipped, (unsigned long long)st.resumed, nfail,
                (unsigned long long)st.lines, (unsigned long long)st.positions, (unsigned long long)st.statics,
                (unsigned long long)st.ignored, (unsigned long long)st.rejected);
        const char *sep = " (";
        for (int i = 0; i < 64; i++)
            if (st.by_reason[i]) {
                fprintf(stderr, "%s%s %llu", sep, pel_ingest_reason_name(i), (unsigned long long)st.by_reason[i]);
                sep = ", ";
            }
        fprintf(stderr,
                "%s; tracks rebuilt for %llu vessels, %llu duplicate receptions removed (%.1f s reading, %.1f s "
                "building)\n",
                *sep == ',' ? ")" : "", (unsigned long long)st.vessels_built, (unsigned long long)st.duplicates,
                st.read_s, st.build_s);
    }
    pel_store_close(s);
    free(files);
    /* the rejected lines of what was read, even when the ingest stopped */
    if (c.rejects && !cli_out_close("ingest", &rej, true))
        return 1;
    return r == PEL_OK ? 0 : 1;
}

int cli_vessel(int argc, char **argv) {
    const char *db = cli_default_db(), *query = NULL;
    const char *zones = NULL, *data_dir = NULL;
    double silence = 12;
    const char *set[64];
    size_t nset = 0;
    enum { O_HELP, O_DB, O_SILENCE, O_ZONES, O_DATA, O_SET };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_DB] = {"--db", NULL, true},
        [O_SILENCE] = {"--silence-hours", NULL, true},
        [O_ZONES] = {"--zones", NULL, true},
        [O_DATA] = {"--data-dir", NULL, true},
        [O_SET] = {"--set", NULL, true},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "vessel", argc, argv);
    const char *v;
    for (int k; (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            return 2;
        case CLI_ARG:
            if (query)
                return usage_error("vessel", "one vessel at a time; extra argument", v);
            query = v;
            break;
        case O_HELP:
            fputs(vessel_help, stdout);
            return 0;
        case O_DB:
            db = v;
            break;
        case O_SILENCE:
            if (!cli_real("vessel", "--silence-hours", v, 0.1, 8760, "hours", &silence))
                return 2;
            break;
        case O_ZONES:
            zones = v;
            break;
        case O_DATA:
            data_dir = v;
            break;
        case O_SET:
            if (nset == sizeof set / sizeof set[0])
                return usage_error("vessel", "too many --set (at most 64)", v);
            set[nset++] = v;
            break;
        }
    }
    if (!query)
        return usage_error("vessel", "which vessel?", NULL);
    pel_error err = {0};
    if (pel_scan_check_settings(set, nset, &err) != PEL_OK) {
        fprintf(stderr, "pelorus vessel: %s\n", err.msg);
        return 2;
    }
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
        if (rc == PEL_OK)
            rc = pel_vessel_chain(s, found[i], set, nset, stdout, &err);
        if (rc == PEL_OK)
            rc = pel_vessel_zones(s, found[i], data_dir, zones, set, nset, stdout, &err);
        if (rc == PEL_OK)
            rc = pel_case_vessel(s, found[i], stdout, &err);
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

/* --bbox MINLON,MINLAT,MAXLON,MAXLAT: four plain numbers, longitudes in
 * -180..180, latitudes in -90..90, each minimum at most its maximum. */
static bool parse_bbox_of(const char *cmd, const char *v, pel_track_filter *f);
static bool parse_bbox(const char *v, pel_track_filter *f) {
    return parse_bbox_of("tracks", v, f);
}

static bool parse_bbox_of(const char *cmd, const char *v, pel_track_filter *f) {
    double x[4];
    int n = 0;
    const char *p = v;
    char part[64];
    while (n < 4) {
        size_t len = strcspn(p, ",");
        if (len >= sizeof part)
            break;
        memcpy(part, p, len);
        part[len] = 0;
        if (!num_real(part, &x[n]))
            break;
        n++;
        p += len;
        if (!*p)
            break;
        p++;
    }
    if (n == 4 && !*p && x[0] >= -180 && x[0] <= 180 && x[2] >= -180 && x[2] <= 180 && x[1] >= -90 && x[1] <= 90 &&
        x[3] >= -90 && x[3] <= 90 && x[0] <= x[2] && x[1] <= x[3]) {
        f->min_lon = x[0];
        f->min_lat = x[1];
        f->max_lon = x[2];
        f->max_lat = x[3];
        f->has_bbox = true;
        return true;
    }
    fprintf(stderr,
            "pelorus %s: --bbox wants MINLON,MINLAT,MAXLON,MAXLAT: four numbers, longitudes from -180 to 180,"
            " latitudes from -90 to 90, each minimum at most its maximum; not \"%s\"\n",
            cmd, v);
    return false;
}

int cli_tracks(int argc, char **argv) {
    const char *db = cli_default_db(), *out = NULL;
    pel_export_format fmt = PEL_EXPORT_GEOJSON;
    pel_track_filter f = {0};
    uint32_t *mm = NULL;
    int rc = 0;
    enum { O_HELP, O_DB, O_OUT, O_FORMAT, O_MMSI, O_BBOX, O_FROM, O_TO };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},    [O_DB] = {"--db", NULL, true},     [O_OUT] = {"--output", "-o", true},
        [O_FORMAT] = {"--format", NULL, true}, [O_MMSI] = {"--mmsi", NULL, true}, [O_BBOX] = {"--bbox", NULL, true},
        [O_FROM] = {"--from", NULL, true},     [O_TO] = {"--to", NULL, true},     {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "tracks", argc, argv);
    const char *v;
    int choice; /* a value of cli_choice */
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            rc = 2;
            break;
        case CLI_ARG:
            rc = usage_error("tracks", "unexpected argument", v);
            break;
        case O_HELP:
            fputs(tracks_help, stdout);
            free(mm);
            return 0;
        case O_DB:
            db = v;
            break;
        case O_OUT:
            out = v;
            break;
        case O_FORMAT:
            if (cli_choice("tracks", "--format", v, track_formats, &choice))
                fmt = (pel_export_format)choice;
            else
                rc = 2;
            break;
        case O_MMSI: {
            size_t cap = 1;
            for (const char *c = v; *c; c++)
                cap += *c == ',';
            free(mm);
            mm = calloc(cap, sizeof *mm);
            char *dup = strdup(v);
            f.nmmsi = 0;
            if (!mm || !dup) {
                free(dup);
                free(mm);
                fprintf(stderr, "pelorus tracks: out of memory\n");
                return 1;
            }
            /* every comma-separated item an MMSI; an empty one is an error too */
            for (char *tok = dup, *next; !rc; tok = next + 1) {
                next = strchr(tok, ',');
                if (next)
                    *next = 0;
                if (!cli_mmsi("tracks", "--mmsi", tok, &mm[f.nmmsi]))
                    rc = 2;
                else
                    f.nmmsi++;
                if (!next)
                    break;
            }
            free(dup);
            f.mmsi = mm;
            break;
        }
        case O_BBOX:
            if (!parse_bbox(v, &f))
                rc = 2;
            break;
        case O_FROM:
            f.has_from = true;
            if (!cli_time("tracks", "--from", v, &f.from_ms))
                rc = 2;
            break;
        case O_TO:
            f.has_to = true;
            if (!cli_time("tracks", "--to", v, &f.to_ms))
                rc = 2;
            break;
        }
    }
    if (!rc && !cli_period("tracks", f.has_from, f.from_ms, f.has_to, f.to_ms))
        rc = 2;
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
    cli_out co;
    FILE *o = cli_out_open("tracks", &co, out);
    if (!o) {
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
    if (st != PEL_OK)
        fprintf(stderr, "pelorus tracks: %s\n", err.msg[0] ? err.msg : "writing failed");
    if (!cli_out_close("tracks", &co, st == PEL_OK) && st == PEL_OK)
        st = PEL_ERR_IO;
    if (st == PEL_OK)
        fprintf(stderr, "pelorus tracks: %llu vessels, %llu positions\n", (unsigned long long)t.vessels,
                (unsigned long long)t.positions);
    pel_store_close(s);
    free(mm);
    return st == PEL_OK ? 0 : 1;
}

static const cli_name coverage_formats[] = {{"geojson", PEL_EXPORT_GEOJSON}, {"csv", PEL_EXPORT_CSV}, {NULL, 0}};

static const char coverage_help[] =
    "usage: pelorus coverage [--db PATH] [--bbox MINLON,MINLAT,MAXLON,MAXLAT] [--from TIME] [--to TIME]\n"
    "                        [--station NAME] [--format geojson|csv] [-o FILE]\n"
    "\n"
    "Writes the coverage map (docs/coverage.md): one cell of about 14 x 14 km each,\n"
    "with the hours it heard something in, its receptions, vessel-hours, ten-minute\n"
    "slots heard, its baseline (the share of the period's slots it heard something\n"
    "in) and the stations that heard it.  GeoJSON (the cells' polygons) or CSV.\n"
    "--bbox keeps the cells whose centre is inside; --from/--to the hours that meet\n"
    "the period (TIME ISO-8601 UTC or Unix seconds); --station one receiving\n"
    "station's receptions (its tag block s: name; an unknown one is an error\n"
    "naming those known).  Output to standard output\n"
    "unless -o.\n"
    "exit status: 0 done; 1 error; 2 usage error\n";

/* pelorus coverage: the map as GeoJSON or CSV. */
int cli_coverage(int argc, char **argv) {
    const char *db = cli_default_db(), *out = NULL, *station = NULL;
    pel_export_format fmt = PEL_EXPORT_GEOJSON;
    pel_track_filter f = {0};
    int rc = 0;
    enum { O_HELP, O_DB, O_OUT, O_FORMAT, O_BBOX, O_FROM, O_TO, O_STATION };
    static const cli_opt opts[] = {
        [O_HELP] = {"--help", "-h", false},
        [O_DB] = {"--db", NULL, true},
        [O_OUT] = {"--output", "-o", true},
        [O_FORMAT] = {"--format", NULL, true},
        [O_BBOX] = {"--bbox", NULL, true},
        [O_FROM] = {"--from", NULL, true},
        [O_TO] = {"--to", NULL, true},
        [O_STATION] = {"--station", NULL, true},
        {NULL, NULL, false},
    };
    cli_args g;
    cli_args_init(&g, "coverage", argc, argv);
    const char *v;
    int choice;
    for (int k; !rc && (k = cli_next(&g, opts, &v)) != CLI_END;) {
        switch (k) {
        case CLI_BAD:
            rc = 2;
            break;
        case CLI_ARG:
            rc = usage_error("coverage", "unexpected argument", v);
            break;
        case O_HELP:
            fputs(coverage_help, stdout);
            return 0;
        case O_DB:
            db = v;
            break;
        case O_OUT:
            out = v;
            break;
        case O_FORMAT:
            if (cli_choice("coverage", "--format", v, coverage_formats, &choice))
                fmt = (pel_export_format)choice;
            else
                rc = 2;
            break;
        case O_BBOX:
            if (!parse_bbox_of("coverage", v, &f))
                rc = 2;
            break;
        case O_FROM:
            f.has_from = true;
            if (!cli_time("coverage", "--from", v, &f.from_ms))
                rc = 2;
            break;
        case O_TO:
            f.has_to = true;
            if (!cli_time("coverage", "--to", v, &f.to_ms))
                rc = 2;
            break;
        case O_STATION:
            station = v;
            break;
        }
    }
    if (!rc && !cli_period("coverage", f.has_from, f.from_ms, f.has_to, f.to_ms))
        rc = 2;
    if (rc)
        return rc;
    pel_error err = {0};
    pel_store *s = pel_store_open(db, true, &err);
    if (!s) {
        fprintf(stderr, "pelorus coverage: %s\n", err.msg);
        return 1;
    }
    cli_out co;
    FILE *o = cli_out_open("coverage", &co, out);
    if (!o) {
        pel_store_close(s);
        return 1;
    }
    pel_status st = pel_coverage_write(s, &f, station, o, fmt, &err);
    if (st != PEL_OK)
        fprintf(stderr, "pelorus coverage: %s\n", err.msg[0] ? err.msg : "writing failed");
    if (!cli_out_close("coverage", &co, st == PEL_OK) && st == PEL_OK)
        st = PEL_ERR_IO;
    pel_store_close(s);
    return st == PEL_OK ? 0 : 1;
}

/* pelorus db-dump [--db PATH]: every stored row in a canonical text form
 * (positions decoded), for tests that compare two databases. */
int cli_dbdump(int argc, char **argv) {
    const char *db = cli_default_db();
    static const cli_opt opts[] = {{"--db", NULL, true}, {NULL, NULL, false}};
    cli_args g;
    cli_args_init(&g, "db-dump", argc, argv);
    const char *v;
    for (int k; (k = cli_next(&g, opts, &v)) != CLI_END;) {
        if (k == CLI_BAD)
            return 2;
        if (k == CLI_ARG)
            return usage_error("db-dump", "unexpected argument", v);
        db = v;
    }
    pel_error err = {0};
    pel_store *s = pel_store_open(db, true, &err);
    if (!s) {
        fprintf(stderr, "pelorus db-dump: %s\n", err.msg);
        return 1;
    }
    pel_status rc = pel_store_dump(s, stdout, &err);
    pel_store_close(s);
    if (rc != PEL_OK && err.msg[0])
        fprintf(stderr, "pelorus db-dump: %s\n", err.msg);
    return rc == PEL_OK ? 0 : 1;
}
