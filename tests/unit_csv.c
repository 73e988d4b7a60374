/*
 * unit_csv.c -- unit tests of the CSV readers (pel_csv_detect, pel_csv_read,
 * pel_csv_reject_name), as tables of input rows and expected records or
 * rejects.  Reads the hand-written files in tests/data/csv/ and the real NOAA
 * MarineCadastre extract in ../shared/data/real (a missing file is a
 * failure, not a skip); writes its variants (CRLF, gzip, quoted, too long)
 * to temporary files.  Run from the repository root.  Prints one line per
 * failure and "unit_csv: N passed, M failed".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pelorus.h"

#include "check.h"

#define NOAA_SAMPLE "../shared/data/real/noaa_marinecadastre_AIS_2022_01_03_first99999_gulf_tx_la.csv"
#define DATA "tests/data/csv/"
#define KYSTVERKET "tests/data/real-world/simula__damast/test_ais.csv"
#define BARENTSWATCH "tests/data/real-world/simula__damast/test_ais.barentswatch.csv"
#define NA_LAT PEL_NA_LAT
#define NA_LON PEL_NA_LON

/* ------------------------------------------------------------------------ */
/* Collecting what the reader delivers                                       */
/* ------------------------------------------------------------------------ */

#define KEEP 64

typedef struct got_rec {
    pel_record r; /* texts below, pointers cleared */
    char name[64], callsign[32], dest[64], eta[32];
} got_rec;

typedef struct got_rej {
    uint64_t line;
    pel_csv_reject why;
    char detail[128];
    char text[320];
    size_t len;
} got_rej;

typedef struct collect {
    got_rec rec[KEEP];
    size_t nrec; /* all records (only the first KEEP kept) */
    got_rej rej[KEEP];
    size_t nrej;
    uint64_t hash;       /* FNV-1a over every record and reject, in order */
    uint64_t rhash;      /* the same over the records alone, lines left out */
    uint64_t not_report; /* records whose clock is not PEL_CLOCK_REPORT */
    long stop_after;     /* on_record asks to stop after this many (0: never) */
    /* aggregates */
    uint64_t class_b, heading_na, status_na, imo_set, statics, positions;
    int64_t sum_lat, sum_lon, sum_speed, sum_course, sum_draught;
} collect;

static void hash_bytes(collect *c, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        c->hash = (c->hash ^ b[i]) * 1099511628211ull;
}

static void copy_text(char *dst, size_t cap, const char *s) {
    snprintf(dst, cap, "%s", s ? s : "");
}

static int on_record(void *ud, const pel_record *r) {
    collect *c = ud;
    char buf[512];
    int n = snprintf(buf, sizeof buf, "R%llu-%llu|%u|%u|%d|%lld|%d|%d|%d|%d|%d|%d|%d|%s|%s|%s|%s|%u|%d|%d|%d|%d|%d|%d",
                     (unsigned long long)r->line, (unsigned long long)r->line_last, r->kind, r->mmsi, r->has_time,
                     (long long)r->t_ms, r->type, r->lat, r->lon, r->speed, r->course, r->heading, r->status,
                     r->shipname ? r->shipname : "(null)", r->callsign ? r->callsign : "(null)",
                     r->destination ? r->destination : "(null)", r->eta ? r->eta : "(null)", r->imo, r->shiptype,
                     r->to_bow, r->to_stern, r->to_port, r->to_starboard, r->draught_dm);
    /* a CR inside a quoted field is kept (a CRLF file's embedded newline is
     * CRLF): records are hashed without CRs so that a CRLF copy of a file
     * hashes the same; test_variants checks that one field by itself */
    size_t k = 0;
    for (int i = 0; i < n && i < (int)sizeof buf; i++)
        if (buf[i] != '\r')
            buf[k++] = buf[i];
    hash_bytes(c, buf, k);
    /* the records alone, without their line numbers (after the first '|') */
    const char *bar = memchr(buf, '|', k);
    uint64_t h = c->hash;
    c->hash = c->rhash;
    if (bar)
        hash_bytes(c, bar, k - (size_t)(bar - buf));
    c->rhash = c->hash;
    c->hash = h;
    c->not_report += r->clock != PEL_CLOCK_REPORT;
    if (c->nrec < KEEP) {
        got_rec *g = &c->rec[c->nrec];
        g->r = *r;
        copy_text(g->name, sizeof g->name, r->shipname);
        copy_text(g->callsign, sizeof g->callsign, r->callsign);
        copy_text(g->dest, sizeof g->dest, r->destination);
        copy_text(g->eta, sizeof g->eta, r->eta);
        g->r.shipname = r->shipname ? g->name : NULL;
        g->r.callsign = r->callsign ? g->callsign : NULL;
        g->r.destination = r->destination ? g->dest : NULL;
        g->r.eta = r->eta ? g->eta : NULL;
        g->r.source = NULL; /* borrowed for the call: test_sources looks at it */
    }
    c->nrec++;
    c->class_b += r->type == 18;
    c->heading_na += r->heading == PEL_NA_HEADING;
    c->status_na += r->status == PEL_NA_STATUS;
    c->imo_set += r->imo != 0;
    c->statics += (r->kind & PEL_REC_STATIC) != 0;
    c->positions += (r->kind & PEL_REC_POSITION) != 0;
    c->sum_lat += r->lat;
    c->sum_lon += r->lon;
    c->sum_speed += r->speed;
    c->sum_course += r->course;
    c->sum_draught += r->draught_dm > 0 ? r->draught_dm : 0;
    return c->stop_after && (long)c->nrec >= c->stop_after;
}

static void on_reject(void *ud, uint64_t line, pel_csv_reject why, const char *detail, const char *text, size_t len) {
    collect *c = ud;
    char buf[64];
    int n = snprintf(buf, sizeof buf, "J%llu|%d|", (unsigned long long)line, (int)why);
    hash_bytes(c, buf, (size_t)n);
    hash_bytes(c, text, len);
    if (c->nrej < KEEP) {
        got_rej *g = &c->rej[c->nrej];
        g->line = line;
        g->why = why;
        copy_text(g->detail, sizeof g->detail, detail);
        g->len = len;
        size_t k = len < sizeof g->text - 1 ? len : sizeof g->text - 1;
        memcpy(g->text, text, k);
        g->text[k] = 0;
    }
    c->nrej++;
}

/* Reads path into a fresh collector (static: the caller looks at it before
 * the next read into the same slot). */
static pel_status readf(const char *path, pel_csv_format fmt, uint64_t skip, collect *c, pel_csv_stats *st,
                        pel_error *err) {
    long stop = c->stop_after;
    memset(c, 0, sizeof *c);
    c->stop_after = stop;
    c->hash = c->rhash = 1469598103934665603ull;
    memset(st, 0, sizeof *st);
    memset(err, 0, sizeof *err);
    pel_csv_cb cb = {on_record, on_reject, c};
    return pel_csv_read(path, fmt, skip, &cb, st, err);
}

/* readf with options. */
static pel_status reado(const char *path, const pel_csv_opts *o, collect *c, pel_csv_stats *st, pel_error *err) {
    memset(c, 0, sizeof *c);
    c->hash = c->rhash = 1469598103934665603ull;
    memset(st, 0, sizeof *st);
    memset(err, 0, sizeof *err);
    pel_csv_cb cb = {on_record, on_reject, c};
    return pel_csv_read_opts(path, o, 0, &cb, st, err);
}

static uint64_t total_rejects(const pel_csv_stats *st) {
    uint64_t n = 0;
    for (int i = 0; i < PEL_CSV_REJ__COUNT; i++)
        n += st->rejected[i];
    return n;
}

static const got_rec *rec_at(const collect *c, uint64_t line) {
    for (size_t i = 0; i < c->nrec && i < KEEP; i++)
        if (c->rec[i].r.line == line)
            return &c->rec[i];
    return NULL;
}

static const got_rej *rej_at(const collect *c, uint64_t line) {
    for (size_t i = 0; i < c->nrej && i < KEEP; i++)
        if (c->rej[i].line == line)
            return &c->rej[i];
    return NULL;
}

static bool streq(const char *a, const char *b) {
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* ------------------------------------------------------------------------ */
/* Temporary files                                                           */
/* ------------------------------------------------------------------------ */

static char tmp_paths[24][64];
static int ntmp;

static FILE *tmp_open(const char **path) {
    char *p = tmp_paths[ntmp++];
    snprintf(p, 64, "/tmp/unit_csv.XXXXXX");
    int fd = mkstemp(p);
    *path = p;
    return fd < 0 ? NULL : fdopen(fd, "wb");
}

static void tmp_cleanup(void) {
    for (int i = 0; i < ntmp; i++)
        unlink(tmp_paths[i]);
}

/* Copies src to a temporary file through fn (a line transform).  Returns
 * the new path or NULL. */
typedef void (*line_fn)(FILE *out, const char *line, size_t len);

static const char *tmp_transform(const char *src, line_fn fn) {
    FILE *in = fopen(src, "rb");
    const char *path;
    FILE *out = tmp_open(&path);
    if (!in || !out) {
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        return NULL;
    }
    char line[8192];
    while (fgets(line, sizeof line, in)) {
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n')
            n--;
        fn(out, line, n);
    }
    fclose(in);
    fclose(out);
    return path;
}

static void to_crlf(FILE *out, const char *line, size_t len) {
    fwrite(line, 1, len, out);
    fputs("\r\n", out);
}

/* Writes the line with its 8th field (VesselName) in quotes, so that
 * libcsv parses every row.  Lines with a quote already (25 in the sample,
 * such as "RAY ""CHIEF"" TONEY") go through libcsv anyway and are copied. */
static void quote_name(FILE *out, const char *line, size_t len) {
    if (memchr(line, '"', len)) {
        fwrite(line, 1, len, out);
        fputc('\n', out);
        return;
    }
    int field = 0;
    for (size_t i = 0; i < len; i++) {
        if (line[i] == ',') {
            if (field == 7)
                fputc('"', out);
            field++;
            fputc(',', out);
            if (field == 7)
                fputc('"', out);
            continue;
        }
        fputc(line[i], out);
    }
    fputc('\n', out);
}

/* Compresses src into a temporary gzip file; cut > 0 keeps only that many
 * bytes of the compressed stream (a truncated download). */
static const char *tmp_gzip(const char *src, long cut) {
    const char *path;
    FILE *f = tmp_open(&path);
    if (!f)
        return NULL;
    fclose(f);
    FILE *in = fopen(src, "rb");
    gzFile gz = gzopen(path, "wb6");
    if (!in || !gz) {
        if (in)
            fclose(in);
        if (gz)
            gzclose(gz);
        return NULL;
    }
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        gzwrite(gz, buf, (unsigned)n);
    fclose(in);
    gzclose(gz);
    if (cut > 0 && truncate(path, cut) != 0)
        return NULL;
    return path;
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                     */
/* ------------------------------------------------------------------------ */

static void test_reject_names(void) {
    for (int i = 0; i < PEL_CSV_REJ__COUNT; i++) {
        const char *a = pel_csv_reject_name((pel_csv_reject)i);
        CHECK(a && *a, "name of %d", i);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(a, pel_csv_reject_name((pel_csv_reject)j)) != 0, "names %d and %d differ", i, j);
    }
    CHECK(strcmp(pel_csv_reject_name(PEL_CSV_REJ_TOO_LONG), "too_long") == 0, "too_long");
}

static void test_detect(void) {
    // clang-format off
    static const struct {
        const char *line;
        pel_csv_format want;
    } cases[] = {
        {"MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,"
         "Cargo,TransceiverClass",
         PEL_CSV_NOAA},
        {"MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,"
         "Cargo,TransceiverClass\r\n",
         PEL_CSV_NOAA},
        {"\xef\xbb\xbfMMSI,BaseDateTime,LAT,LON", PEL_CSV_NOAA},           /* byte order mark */
        {"mmsi,basedatetime,lon,lat,extra", PEL_CSV_NOAA},                /* case, order, extra column */
        {"\"MMSI\",\"BaseDateTime\",\"LAT\",\"LON\"", PEL_CSV_NOAA},       /* quoted names */
        {"# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,IMO,Callsign,"
         "Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,Destination,ETA,Data source "
         "type,A,B,C,D",
         PEL_CSV_DMA},
        {"Timestamp,MMSI,Latitude,Longitude", PEL_CSV_DMA},              /* without the "# " */
        {"MMSI,BaseDateTime,LAT", PEL_CSV_AUTO},                          /* no LON */
        {"# Timestamp,Type of mobile,MMSI,Latitude", PEL_CSV_AUTO},       /* no Longitude */
        {"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", PEL_CSV_AUTO}, /* NMEA */
        {"hello,world", PEL_CSV_AUTO},
        {"", PEL_CSV_AUTO},
        {"\"MMSI,BaseDateTime,LAT,LON", PEL_CSV_AUTO}, /* one unclosed quoted field */
        {"mmsi;imo_nr;length;date_time_utc;lon;lat;sog;cog;true_heading;nav_status;message_nr", PEL_CSV_KYSTVERKET},
        {"mmsi;date_time_utc;lon;lat\r\n", PEL_CSV_KYSTVERKET},
        {"mmsi,date_time_utc,lon,lat", PEL_CSV_KYSTVERKET},               /* re-saved with commas */
        {"mmsi;imo_nr;length;date_time_utc;lon;sog", PEL_CSV_AUTO},      /* no lat */
        {"courseOverGround,latitude,longitude,name,rateOfTurn,shipType,speedOverGround,trueHeading,"
         "navigationalStatus,mmsi,msgtime,stream",
         PEL_CSV_BARENTSWATCH},
        {"mmsi\tmsgtime\tlatitude\tlongitude", PEL_CSV_BARENTSWATCH},  /* tab-separated */
        {"MMSI;BaseDateTime;LAT;LON", PEL_CSV_NOAA},                      /* NOAA with ';' */
        {"MMSI,TIME,LONGITUDE,LATITUDE,COG,SOG,HEADING,ROT,NAVSTAT,IMO,NAME", PEL_CSV_AUTO}, /* AISHub: generic */
    };
    // clang-format on
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pel_csv_format f = pel_csv_detect(cases[i].line, strlen(cases[i].line));
        CHECK(f == cases[i].want, "detect case %zu: %d, want %d", i, f, cases[i].want);
    }
    CHECK(pel_csv_detect(NULL, 0) == PEL_CSV_AUTO, "detect NULL");
    /* only the first line counts */
    const char *two = "hello\nMMSI,BaseDateTime,LAT,LON";
    CHECK(pel_csv_detect(two, strlen(two)) == PEL_CSV_AUTO, "detect reads the first line only");

    static const struct {
        const char *line;
        char want;
    } delims[] = {
        {"a,b,c", ','},     {"a;b;c", ';'},         {"a\tb\tc", '\t'},     {"a|b|c", '|'},
        {"abc", ','},       {"a;b,c;d", ';'},       {"a,b;c,d", ','},      {"a,b;c", ','}, /* a tie */
        {"\"a;b\",c", ','}, {"\"x,y,z\";b;c", ';'}, {"a;b\nc,d,e,f", ';'}, {"", ','},
    };
    for (size_t i = 0; i < sizeof delims / sizeof delims[0]; i++)
        CHECK(pel_csv_delimiter(delims[i].line, strlen(delims[i].line)) == delims[i].want, "delimiter of '%s': '%c'",
              delims[i].line, pel_csv_delimiter(delims[i].line, strlen(delims[i].line)));
}

/* What a refused first line is said to look like. */
static void test_describe(void) {
    static const struct {
        const char *line;
        bool csv;
        const char *want; /* the whole sentence */
    } cases[] = {
        {"MMSI,TIME,LONGITUDE,LATITUDE,COG,SOG,HEADING,ROT,NAVSTAT,IMO", true,
         "the first line looks like a CSV header with columns MMSI,TIME,LONGITUDE,LATITUDE,COG,SOG,HEADING,ROT,... "
         "(10, ','-separated): none of NOAA, DMA, Kystverket, BarentsWatch; use --format csv --columns "
         "mmsi=MMSI,time=TIME,lat=LATITUDE,lon=LONGITUDE,..."},
        {"Zeit;MMSI;Breite;Laenge", true,
         "the first line looks like a CSV header with columns Zeit,MMSI,Breite,Laenge (4, ';'-separated): none of "
         "NOAA, DMA, Kystverket, BarentsWatch; use --delimiter ';' --format csv --columns "
         "mmsi=MMSI,time=COLUMN,lat=COLUMN,lon=COLUMN,..."},
        {"a\tb\tc", true,
         "the first line looks like a CSV header with columns a,b,c (3, tab-separated): none of NOAA, DMA, "
         "Kystverket, BarentsWatch; use --delimiter '\\t' --format csv --columns "
         "mmsi=COLUMN,time=COLUMN,lat=COLUMN,lon=COLUMN,..."},
        {"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A", false, ""}, /* an empty field */
        {"hello,world", false, ""},                                     /* two fields */
        {"just some text", false, ""},
        {"a,,c", false, ""},
        {"\x89PNG,a;b;c,\x01\x02,d;e", false, ""}, /* not text */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        bool csv = pel_csv_describe(cases[i].line, strlen(cases[i].line), buf, sizeof buf);
        CHECK(csv == cases[i].csv && strcmp(buf, cases[i].want) == 0, "describe '%s': %d '%s'", cases[i].line, csv,
              buf);
    }
    char small[40];
    pel_csv_describe(cases[0].line, strlen(cases[0].line), small, sizeof small);
    CHECK(strlen(small) == sizeof small - 1, "describe truncates to the buffer");
}

/* The real NOAA extract: counts and sums checked independently (Python's
 * csv module and decimal arithmetic over the same file: 34,140 rows). */
static void test_noaa_sample(void) {
    static collect c;
    pel_csv_stats st;
    pel_error err;
    pel_status s = readf(NOAA_SAMPLE, PEL_CSV_AUTO, 0, &c, &st, &err);
    CHECK(s == PEL_OK, "NOAA sample read: %d %s (is ../shared/data present?)", s, err.msg);
    CHECK(st.rows == 34140 && st.records == 34140 && total_rejects(&st) == 0 && c.nrec == 34140 && c.nrej == 0,
          "NOAA sample: rows %llu records %llu rejected %llu", (unsigned long long)st.rows,
          (unsigned long long)st.records, (unsigned long long)total_rejects(&st));
    CHECK(c.not_report == 0, "NOAA: every record's clock is the report time (%llu are not)",
          (unsigned long long)c.not_report);
    CHECK(c.positions == 34140 && c.statics == 34117, "kinds: %llu positions, %llu static",
          (unsigned long long)c.positions, (unsigned long long)c.statics);
    CHECK(c.class_b == 1271 && c.heading_na == 15549 && c.status_na == 4610 && c.imo_set == 13200,
          "class B %llu, heading n/a %llu, status n/a %llu, IMO %llu", (unsigned long long)c.class_b,
          (unsigned long long)c.heading_na, (unsigned long long)c.status_na, (unsigned long long)c.imo_set);
    CHECK(c.sum_lat == 605719070430 && c.sum_lon == -1895367300720, "sum lat %lld lon %lld", (long long)c.sum_lat,
          (long long)c.sum_lon);
    CHECK(c.sum_speed == 403375 && c.sum_course == 73359440 && c.sum_draught == 657478,
          "sum speed %lld course %lld draught %lld", (long long)c.sum_speed, (long long)c.sum_course,
          (long long)c.sum_draught);

    // clang-format off
    /* the first three rows, by hand:
     * 205125000,2022-01-03T00:00:00,29.9408,-90.05819,10.5,171.5,174,CL CONTIGO,IMO9703411,ONLE,70,0,180,32,10.2,70,A
     * 311050800,2022-01-03T00:00:00,29.82368,-89.99792,14.1,208.7,212,NORWEGIAN BREAKAWAY,IMO9606912,C6ZJ3,60,0,325,39,8.6,60,A
     * 338132774,2022-01-03T00:00:00,30.38913,-88.85771,0.1,32,511,THE ROD FATHER,,,37,,13,,,,B */
    static const struct {
        uint32_t mmsi;
        int32_t lat, lon;
        int speed, course, heading, status, type;
        const char *name, *callsign;
        uint32_t imo;
        int shiptype, bow, stern, port, starboard, draught;
    } first[3] = {
        {205125000, 17964480, -54034914, 105, 1715, 174, 0, 1, "CL CONTIGO", "ONLE", 9703411, 70, 180, 0, 32, 0, 102},
        {311050800, 17894208, -53998752, 141, 2087, 212, 0, 1, "NORWEGIAN BREAKAWAY", "C6ZJ3", 9606912, 60, 325, 0, 39,
         0, 86},
        {338132774, 18233478, -53314626, 1, 320, 511, 15, 18, "THE ROD FATHER", NULL, 0, 37, 13, 0, -1, -1, -1},
    };
    // clang-format on
    for (int i = 0; i < 3; i++) {
        const pel_record *r = &c.rec[i].r;
        CHECK(r->line == (uint64_t)i + 2 && r->line_last == r->line, "row %d line %llu", i,
              (unsigned long long)r->line);
        CHECK(r->kind == (PEL_REC_POSITION | PEL_REC_STATIC) && r->has_time && r->t_ms == 1641168000000,
              "row %d kind %u time %lld", i, r->kind, (long long)r->t_ms);
        CHECK(r->mmsi == first[i].mmsi && r->lat == first[i].lat && r->lon == first[i].lon,
              "row %d mmsi %u lat %d lon %d", i, r->mmsi, r->lat, r->lon);
        CHECK(r->speed == first[i].speed && r->course == first[i].course && r->heading == first[i].heading &&
                  r->status == first[i].status && r->type == first[i].type,
              "row %d speed %d course %d heading %d status %d type %d", i, r->speed, r->course, r->heading, r->status,
              r->type);
        CHECK(streq(r->shipname, first[i].name) && streq(r->callsign, first[i].callsign) && r->imo == first[i].imo &&
                  r->shiptype == first[i].shiptype && !r->destination && !r->eta,
              "row %d texts %s %s imo %u type %d", i, r->shipname, r->callsign, r->imo, r->shiptype);
        CHECK(r->to_bow == first[i].bow && r->to_stern == first[i].stern && r->to_port == first[i].port &&
                  r->to_starboard == first[i].starboard && r->draught_dm == first[i].draught,
              "row %d dims %d %d %d %d draught %d", i, r->to_bow, r->to_stern, r->to_port, r->to_starboard,
              r->draught_dm);
        CHECK(r->partno == -1 && r->source == NULL, "row %d partno/source", i);
    }
}

/* The same content in other clothes gives the same records and rejects. */
static void test_variants(void) {
    static collect a, b;
    pel_csv_stats sa, sb;
    pel_error err;

    /* every row through libcsv (a quoted name) vs the quote-free fast path */
    readf(NOAA_SAMPLE, PEL_CSV_AUTO, 0, &a, &sa, &err);
    const char *quoted = tmp_transform(NOAA_SAMPLE, quote_name);
    CHECK(quoted != NULL, "quoted copy written");
    pel_status s = readf(quoted, PEL_CSV_AUTO, 0, &b, &sb, &err);
    CHECK(s == PEL_OK && sb.records == 34140 && b.hash == a.hash, "quoted names: same records (%d, %llu)", s,
          (unsigned long long)sb.records);

    /* gzip of the sample */
    const char *gz = tmp_gzip(NOAA_SAMPLE, 0);
    s = readf(gz, PEL_CSV_AUTO, 0, &b, &sb, &err);
    CHECK(s == PEL_OK && sb.records == 34140 && b.hash == a.hash, "gzip: same records (%d %s)", s, err.msg);

    /* a truncated gzip: what came through is delivered, then an I/O error */
    const char *cut = tmp_gzip(NOAA_SAMPLE, 200000);
    s = readf(cut, PEL_CSV_AUTO, 0, &b, &sb, &err);
    CHECK(s == PEL_ERR_IO && err.code == PEL_ERR_IO && strstr(err.msg, cut) && sb.records > 1000 && sb.records < 34140,
          "truncated gzip: %d '%s' after %llu records", s, err.msg, (unsigned long long)sb.records);

    /* the hand-written edge cases: CRLF, gzip and standard input */
    readf(DATA "noaa_edge.csv", PEL_CSV_AUTO, 0, &a, &sa, &err);
    const char *crlf = tmp_transform(DATA "noaa_edge.csv", to_crlf);
    s = readf(crlf, PEL_CSV_AUTO, 0, &b, &sb, &err);
    CHECK(s == PEL_OK && b.hash == a.hash && sb.rows == sa.rows && sb.records == sa.records,
          "CRLF: same records, rejects, lines and texts");
    const got_rec *g = rec_at(&b, 13);
    CHECK(g && streq(g->r.shipname, "MULTI\r\nLINE"), "CRLF: the quoted newline is kept as it was");
    bool cr = false;
    for (size_t i = 0; i < b.nrej && i < KEEP; i++)
        cr |= memchr(b.rej[i].text, '\r', b.rej[i].len) != NULL;
    for (size_t i = 0; i < b.nrec && i < KEEP; i++)
        cr |= b.rec[i].r.line != 13 && (strchr(b.rec[i].name, '\r') || strchr(b.rec[i].callsign, '\r'));
    CHECK(!cr, "CRLF: no CR in reject texts or other fields");
    gz = tmp_gzip(DATA "noaa_edge.csv", 0);
    s = readf(gz, PEL_CSV_AUTO, 0, &b, &sb, &err);
    CHECK(s == PEL_OK && b.hash == a.hash, "gzip edge cases");
    const char *gzcrlf = tmp_gzip(crlf, 0);
    s = readf(gzcrlf, PEL_CSV_AUTO, 0, &b, &sb, &err);
    CHECK(s == PEL_OK && b.hash == a.hash, "gzip of CRLF");

    int saved = dup(0);
    int fd = open(DATA "noaa_edge.csv", O_RDONLY);
    if (saved >= 0 && fd >= 0 && dup2(fd, 0) == 0) {
        s = readf("-", PEL_CSV_AUTO, 0, &b, &sb, &err);
        CHECK(s == PEL_OK && b.hash == a.hash, "stdin: same records (%d %s)", s, err.msg);
        dup2(saved, 0);
    } else
        CHECK(0, "could not redirect standard input");
    if (fd >= 0)
        close(fd);
    if (saved >= 0)
        close(saved);
}

/* tests/data/csv/noaa_edge.csv, line by line. */
static void test_noaa_edge(void) {
    static collect c;
    pel_csv_stats st;
    pel_error err;
    pel_status s = readf(DATA "noaa_edge.csv", PEL_CSV_NOAA, 0, &c, &st, &err);
    CHECK(s == PEL_OK, "noaa_edge read: %d %s", s, err.msg);
    /* 22 data rows: lines 2-25 less the blank line 20 and line 14 (the
     * second line of a quoted name) */
    CHECK(st.rows == 22 && st.records == 12 && total_rejects(&st) == 10, "rows %llu records %llu rejects %llu",
          (unsigned long long)st.rows, (unsigned long long)st.records, (unsigned long long)total_rejects(&st));
    CHECK(st.rejected[PEL_CSV_REJ_MMSI] == 3 && st.rejected[PEL_CSV_REJ_TIME] == 3 &&
              st.rejected[PEL_CSV_REJ_SYNTAX] == 2 && st.rejected[PEL_CSV_REJ_NUMBER] == 2,
          "reject counts by reason");

    // clang-format off
    static const struct {
        uint64_t line;
        pel_csv_reject why;
        const char *detail; /* a part of it */
    } rejects[] = {
        {5, PEL_CSV_REJ_MMSI, "no MMSI"},
        {6, PEL_CSV_REJ_MMSI, "not a number"},
        {7, PEL_CSV_REJ_MMSI, "above 999999999"},
        {9, PEL_CSV_REJ_TIME, "BaseDateTime"},    /* month 13 */
        {10, PEL_CSV_REJ_TIME, "no time"},
        {11, PEL_CSV_REJ_NUMBER, "SOG"},          /* 1.2.3 */
        {12, PEL_CSV_REJ_SYNTAX, "4 fields"},     /* the header has 17 */
        {16, PEL_CSV_REJ_SYNTAX, "quoting"},      /* AB"C: a quote in an unquoted field */
        {22, PEL_CSV_REJ_NUMBER, "IMO"},          /* IMOABC */
        {24, PEL_CSV_REJ_TIME, "BaseDateTime"},   /* 2022-02-29 */
    };
    // clang-format on
    for (size_t i = 0; i < sizeof rejects / sizeof rejects[0]; i++) {
        const got_rej *j = rej_at(&c, rejects[i].line);
        CHECK(j && j->why == rejects[i].why && strstr(j->detail, rejects[i].detail), "line %llu: %s (%s)",
              (unsigned long long)rejects[i].line, j ? pel_csv_reject_name(j->why) : "no reject", j ? j->detail : "");
    }
    const got_rej *j = rej_at(&c, 12);
    CHECK(j && strcmp(j->text, "366999007,2022-01-03T00:00:06,29.5,-90.5") == 0 && j->len == 40,
          "the raw row is handed to on_reject");

    // clang-format off
    static const struct {
        uint64_t line, line_last;
        unsigned kind;
        uint32_t mmsi;
        int64_t t_ms;
        int type;
        int32_t lat, lon;
        int speed, course, heading, status;
        const char *name;
        uint32_t imo;
        int port, starboard;
    } recs[] = {
        /* quoted name with a comma and doubled quotes */
        {2, 2, 3, 366999001, 1641168000000, 1, 17964480, -54034914, 105, 1715, 174, 0, "SEA, STAR \"ONE\"", 9703411,
         32, 0},
        /* 91/181, 102.3, 360, 511: all "not available"; class B; nothing static */
        {3, 3, 0, 366999002, 1641168001000, 18, NA_LAT, NA_LON, 1023, 3600, 511, 15, NULL, 0, -1, -1},
        /* IMO without the prefix; empty class is A */
        {4, 4, 3, 366999003, 1641168002000, 1, 17700000, -54300000, 1023, 3600, 511, 15, NULL, 9134270, -1, -1},
        /* an MMSI that is not 9 digits is the store's to judge */
        {8, 8, 3, 12345, 1641168004000, 1, 17700000, -54300000, 0, 0, 0, 15, "SHORT MMSI", 0, -1, -1},
        /* a quoted name over two lines: the row's first line */
        {13, 14, 3, 366999008, 1641168007000, 1, 17700000, -54300000, 0, 0, 0, 15, "MULTI\nLINE", 0, -1, -1},
        /* out of range: kept as given for the store to flag */
        {15, 15, 1, 366999009, 1641168008000, 1, 57300000, -120150000, 0, 0, 0, 15, NULL, 0, -1, -1},
        /* rounding half away from zero; 359.95 rounds to 360.0, which is north (0), not "n/a" */
        {17, 17, 1, 366999011, 1641168010000, 1, 2, -2, 1, 0, 0, 15, NULL, 0, -1, -1},
        /* NA everywhere */
        {18, 18, 0, 366999012, 1641168011000, 1, NA_LAT, NA_LON, 1023, 3600, 511, 15, NULL, 0, -1, -1},
        /* space for T, exponents: 1e1 knots, 3.6e2 = 360 = n/a */
        {19, 19, 1, 366999013, 1641168012000, 1, 17700000, -54300000, 100, 3600, 511, 15, NULL, 0, -1, -1},
        /* blanks trimmed, IMO0000000 is no IMO */
        {21, 21, 3, 366999014, 1641168013000, 1, 17700000, -54300000, 0, 0, 0, 15, "PADDED NAME", 0, -1, -1},
        /* width alone: to_port 25, to_starboard 0, length absent */
        {23, 23, 3, 366999016, 1641168015000, 1, 17700000, -54300000, 0, 0, 0, 15, NULL, 0, 25, 0},
        /* ISO time with a fraction and Z; a quoted name with blanks */
        {25, 25, 3, 366999018, 1641254399500, 1, -17700000, 54300000, 0, 0, 0, 15, "QUOTED", 0, -1, -1},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
        const got_rec *g = rec_at(&c, recs[i].line);
        CHECK(g != NULL, "line %llu: no record", (unsigned long long)recs[i].line);
        if (!g)
            continue;
        const pel_record *r = &g->r;
        CHECK(r->line_last == recs[i].line_last && r->kind == recs[i].kind && r->mmsi == recs[i].mmsi && r->has_time &&
                  r->t_ms == recs[i].t_ms && r->type == recs[i].type,
              "line %llu: last %llu kind %u mmsi %u t %lld type %d", (unsigned long long)recs[i].line,
              (unsigned long long)r->line_last, r->kind, r->mmsi, (long long)r->t_ms, r->type);
        CHECK(r->lat == recs[i].lat && r->lon == recs[i].lon && r->speed == recs[i].speed &&
                  r->course == recs[i].course && r->heading == recs[i].heading && r->status == recs[i].status,
              "line %llu: lat %d lon %d speed %d course %d heading %d status %d", (unsigned long long)recs[i].line,
              r->lat, r->lon, r->speed, r->course, r->heading, r->status);
        CHECK(streq(r->shipname, recs[i].name) && r->imo == recs[i].imo && r->to_port == recs[i].port &&
                  r->to_starboard == recs[i].starboard,
              "line %llu: name '%s' imo %u port %d starboard %d", (unsigned long long)recs[i].line,
              r->shipname ? r->shipname : "(null)", r->imo, r->to_port, r->to_starboard);
    }
    const got_rec *g = rec_at(&c, 2);
    CHECK(g && g->r.to_bow == 180 && g->r.to_stern == 0 && g->r.draught_dm == 102 && g->r.shiptype == 70 &&
              streq(g->r.callsign, "ONLE"),
          "line 2: length into to_bow, draught in dm");
    g = rec_at(&c, 18);
    CHECK(g && !g->r.shipname && !g->r.callsign && g->r.shiptype == -1 && g->r.to_bow == -1 && g->r.draught_dm == -1,
          "line 18: NA texts and numbers are absent");

    /* skip_lines: rows whose first line is at most skip_lines are neither
     * delivered nor counted; the two-line row 13-14 goes with line 13 */
    static const struct {
        uint64_t skip, rows, records, first_line;
    } skips[] = {
        {0, 22, 12, 2},  {1, 22, 12, 2}, {12, 11, 8, 13}, {13, 10, 7, 15},
        {14, 10, 7, 15}, {25, 0, 0, 0},  {1000, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof skips / sizeof skips[0]; i++) {
        static collect k;
        s = readf(DATA "noaa_edge.csv", PEL_CSV_AUTO, skips[i].skip, &k, &st, &err);
        uint64_t first = k.nrec ? k.rec[0].r.line : 0;
        bool early = false;
        for (size_t n = 0; n < k.nrej && n < KEEP; n++)
            early |= k.rej[n].line <= skips[i].skip;
        CHECK(s == PEL_OK && st.rows == skips[i].rows && st.records == skips[i].records &&
                  first == skips[i].first_line && !early,
              "skip %llu: rows %llu records %llu first %llu", (unsigned long long)skips[i].skip,
              (unsigned long long)st.rows, (unsigned long long)st.records, (unsigned long long)first);
    }

    /* on_record can stop the read */
    static collect k;
    k.stop_after = 2;
    s = readf(DATA "noaa_edge.csv", PEL_CSV_AUTO, 0, &k, &st, &err);
    k.stop_after = 0;
    CHECK(s == PEL_STOPPED && st.records == 2 && k.nrec == 2, "stop after 2: %d %llu", s,
          (unsigned long long)st.records);
}

/* Columns by name: BOM, CRLF, lower case, another order, an extra column,
 * and most columns missing (absent values, not errors). */
static void test_columns(void) {
    static collect c;
    pel_csv_stats st;
    pel_error err;
    pel_status s = readf(DATA "noaa_columns.csv", PEL_CSV_AUTO, 0, &c, &st, &err);
    CHECK(s == PEL_OK && st.records == 2 && c.nrej == 0, "noaa_columns: %d %s", s, err.msg);
    const got_rec *g = rec_at(&c, 2);
    CHECK(g && g->r.mmsi == 367000001 && g->r.lat == 17460000 && g->r.lon == -54060000 &&
              streq(g->r.shipname, "REORDERED") && g->r.draught_dm == 33 && g->r.speed == PEL_NA_SPEED &&
              g->r.kind == (PEL_REC_POSITION | PEL_REC_STATIC),
          "reordered columns");
    g = rec_at(&c, 3);
    CHECK(g && g->r.kind == PEL_REC_POSITION && !g->r.shipname && g->r.draught_dm == -1, "empty optional columns");
}

/* Broken quoting: an unclosed quote costs its own line only. */
static void test_quotes(void) {
    static collect c;
    pel_csv_stats st;
    pel_error err;
    /* line 3 opens a quote that the quote on line 6 would close */
    pel_status s = readf(DATA "noaa_badquote.csv", PEL_CSV_AUTO, 0, &c, &st, &err);
    const got_rej *j = rej_at(&c, 3);
    CHECK(s == PEL_OK && st.rows == 6 && st.records == 5 && c.nrej == 1 && j && j->why == PEL_CSV_REJ_SYNTAX,
          "bad quote: rows %llu records %llu rejects %zu", (unsigned long long)st.rows, (unsigned long long)st.records,
          c.nrej);
    CHECK(j && strncmp(j->text, "367000002,", 10) == 0 && !memchr(j->text, '\n', j->len) && strstr(j->detail, "quote"),
          "bad quote: the first line only is rejected: '%s' (%s)", j ? j->text : "", j ? j->detail : "");
    for (uint64_t line = 2; line <= 7; line++)
        if (line != 3)
            CHECK(rec_at(&c, line) && rec_at(&c, line)->r.line_last == line &&
                      rec_at(&c, line)->r.mmsi == 367000000 + line - 1,
                  "bad quote: line %llu read on its own", (unsigned long long)line);
    CHECK(rec_at(&c, 6) && streq(rec_at(&c, 6)->r.shipname, "FIVE"), "the later quoted name is intact");

    /* a quote still open at the end of the input */
    s = readf(DATA "noaa_eofquote.csv", PEL_CSV_AUTO, 0, &c, &st, &err);
    j = rej_at(&c, 3);
    CHECK(s == PEL_OK && st.rows == 4 && st.records == 3 && c.nrej == 1 && j && j->why == PEL_CSV_REJ_SYNTAX &&
              rec_at(&c, 4) && rec_at(&c, 5),
          "quote open at the end: rows %llu records %llu", (unsigned long long)st.rows, (unsigned long long)st.records);
}

/* Rows over PEL_MAX_LINE are rejected without being held; the reader goes
 * on at the next line with the right numbers. */
static void test_too_long(void) {
    static const char *hdr = "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,"
                             "Length,Width,Draft,Cargo,TransceiverClass\n";
    static const char *good = "367000001,2022-01-03T00:00:00,29.1,-90.1,1,10,10,ONE,,,,,,,,,A\n";
    const char *path;
    FILE *f = tmp_open(&path);
    CHECK(f != NULL, "temporary file");
    if (!f)
        return;
    fputs(hdr, f);
    fputs(good, f);                                                /* line 2 */
    fputs("367000002,2022-01-03T00:00:01,29.2,-90.2,2,20,20,", f); /* line 3: 1.5 MiB name */
    for (int i = 0; i < 3 * PEL_MAX_LINE / 2; i++)
        fputc('X', f);
    fputs(",,,,,,,,,A\n", f);
    fputs(good, f);                                                                  /* line 4 */
    fputs("367000003,2022-01-03T00:00:02,29.3,-90.3,3,30,30,\"OPEN,,,,,,,,,A\n", f); /* line 5: open quote */
    for (int i = 0; i < 20000; i++)                                                  /* lines 6-20005: 1.3 MiB */
        fputs(good, f);
    fclose(f);

    static collect c;
    pel_csv_stats st;
    pel_error err;
    pel_status s = readf(path, PEL_CSV_AUTO, 0, &c, &st, &err);
    const got_rej *j3 = rej_at(&c, 3), *j5 = rej_at(&c, 5);
    CHECK(s == PEL_OK && st.rows == 20004 && st.records == 20002 && c.nrej == 2, "long rows: %d rows %llu records %llu",
          s, (unsigned long long)st.rows, (unsigned long long)st.records);
    CHECK(j3 && j3->why == PEL_CSV_REJ_TOO_LONG && j3->len <= 1024 && strncmp(j3->text, "367000002,", 10) == 0,
          "line 3 too long, its head reported (%zu bytes)", j3 ? j3->len : 0);
    CHECK(j5 && j5->why == PEL_CSV_REJ_SYNTAX && !memchr(j5->text, '\n', j5->len),
          "line 5: a quote that runs over 1 MiB of lines costs line 5 only");
    CHECK(rec_at(&c, 2) && rec_at(&c, 4) && rec_at(&c, 6), "lines 2, 4 and 6 read");
    CHECK(c.nrec == 20002 && c.sum_lat == 20002LL * 17460000, "every good line read");

    /* the same too long row as the last line, without a newline */
    f = tmp_open(&path);
    fputs(hdr, f);
    fputs(good, f);
    for (int i = 0; i < PEL_MAX_LINE + 10; i++)
        fputc('9', f);
    fclose(f);
    s = readf(path, PEL_CSV_AUTO, 0, &c, &st, &err);
    CHECK(s == PEL_OK && st.records == 1 && st.rejected[PEL_CSV_REJ_TOO_LONG] == 1 && rej_at(&c, 3),
          "too long at the end of the input");
}

/* tests/data/csv/dma_aisdk.csv: texts back to codes, A-D, 91/181. */
static void test_dma(void) {
    static collect c;
    pel_csv_stats st;
    pel_error err;
    pel_status s = readf(DATA "dma_aisdk.csv", PEL_CSV_AUTO, 0, &c, &st, &err);
    CHECK(s == PEL_OK && st.rows == 35 && st.records == 33 && st.rejected[PEL_CSV_REJ_TIME] == 1 &&
              st.rejected[PEL_CSV_REJ_NUMBER] == 1,
          "dma: %d rows %llu records %llu", s, (unsigned long long)st.rows, (unsigned long long)st.records);
    const got_rej *j = rej_at(&c, 32);
    CHECK(j && j->why == PEL_CSV_REJ_TIME, "line 32: 31/02/2023 is not a date");
    j = rej_at(&c, 35);
    CHECK(j && j->why == PEL_CSV_REJ_NUMBER && strstr(j->detail, "SOG"), "line 35: SOG 'fast'");

    /* line 2: a full class A row */
    const got_rec *g = rec_at(&c, 2);
    CHECK(g && g->r.kind == 3 && g->r.mmsi == 219000873 && g->r.t_ms == 1672531200000 && g->r.type == 1 &&
              g->r.lat == 34194540 && g->r.lon == 6182726 && g->r.status == 0 && g->r.speed == 103 &&
              g->r.course == 2175 && g->r.heading == 216,
          "dma line 2 position");
    CHECK(g && g->r.imo == 9134270 && streq(g->r.callsign, "OXAA2") && streq(g->r.shipname, "MERCANDIA IV") &&
              g->r.shiptype == 60 && g->r.draught_dm == 53 && streq(g->r.destination, "HELSINGBORG") &&
              streq(g->r.eta, "01/01/2023 08:00:00"),
          "dma line 2 static");
    CHECK(g && g->r.to_bow == 20 && g->r.to_stern == 75 && g->r.to_port == 12 && g->r.to_starboard == 12,
          "dma line 2: A-D preferred over Width 24 / Length 95");
    /* line 3: base station, everything Unknown/Undefined */
    g = rec_at(&c, 3);
    CHECK(g && g->r.type == 4 && g->r.mmsi == 2190068 && g->r.kind == PEL_REC_POSITION &&
              g->r.status == PEL_NA_STATUS && g->r.imo == 0 && !g->r.callsign && !g->r.shipname && !g->r.destination &&
              g->r.shiptype == -1 && g->r.speed == PEL_NA_SPEED && g->r.heading == PEL_NA_HEADING,
          "dma line 3: Unknown and Undefined are absent");
    /* line 4: 91/181 is no position; Width/Length when A-D are empty */
    g = rec_at(&c, 4);
    CHECK(g && g->r.kind == PEL_REC_STATIC && g->r.type == 18 && g->r.lat == NA_LAT && g->r.lon == NA_LON &&
              g->r.shiptype == 36 && g->r.to_bow == 10 && g->r.to_stern == 0 && g->r.to_port == 3 &&
              g->r.to_starboard == 0,
          "dma line 4: 91/181, Length/Width");
    g = rec_at(&c, 5);
    CHECK(g && g->r.status == 1 && g->r.shiptype == 70 && g->r.draught_dm == -1 && !g->r.eta && !g->r.destination &&
              g->r.course == PEL_NA_COURSE,
          "dma line 5: Unknown draught/ETA");

    /* lines 6-28: status and ship type texts */
    // clang-format off
    static const struct {
        int status, shiptype;
    } map[] = {
        {2, 80},  {3, 30},  {4, 52},  {5, 50},  {6, 37},  {7, 35},  {8, 51},  {9, 55},
        {10, 33}, {11, 34}, {12, 31}, {13, 32}, {14, 40}, {15, 20}, {11, 53}, {0, 54},
        {14, 58}, {15, 90}, {5, -1},  {5, 56},  {5, 57},  {5, 59},  {5, -1},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        g = rec_at(&c, 6 + i);
        CHECK(g && g->r.status == map[i].status && g->r.shiptype == map[i].shiptype && g->r.mmsi == 219000100 + i &&
                  g->r.lat == 33000000 + (int32_t)((i * 6 + 5) / 10),
              "dma line %zu: status %d shiptype %d", 6 + i, g ? g->r.status : -99, g ? g->r.shiptype : -99);
    }
    g = rec_at(&c, 29);
    CHECK(g && g->r.type == 21 && streq(g->r.shipname, "BUOY 7") && g->r.shiptype == -1, "dma AtoN");
    g = rec_at(&c, 30);
    CHECK(g && g->r.type == 9 && g->r.speed == 1200 && g->r.course == 450, "dma SAR Airborne");
    g = rec_at(&c, 31);
    CHECK(g && g->r.to_bow == 10 && g->r.to_stern == -1 && g->r.to_port == 3 && g->r.to_starboard == -1,
          "dma: A and C given, B and D absent; Width/Length ignored");
    g = rec_at(&c, 33);
    CHECK(g && streq(g->r.shipname, "THE \"DANE\"") && streq(g->r.destination, "AARHUS, DK") && g->r.draught_dm == 73 &&
              streq(g->r.eta, "02/01/2023 06:30:00"),
          "dma: quoted fields; 7.25 m is 73 dm");
    g = rec_at(&c, 34);
    CHECK(g && g->r.speed == PEL_NA_SPEED && g->r.course == PEL_NA_COURSE && g->r.heading == PEL_NA_HEADING,
          "dma: 102.3 / 360 / 511 are n/a");
    g = rec_at(&c, 36);
    CHECK(g && g->r.kind == 0 && g->r.lat == NA_LAT, "dma: Undefined coordinates");
}

/* The real Kystverket sample (simula/damast, 13 rows; expected values
 * computed with Python's csv and decimal modules), then hand-written edge
 * cases: "not available" values, class B by message number, a bad message
 * number, an impossible date. */
static void test_kystverket(void) {
    static collect c;
    pel_csv_stats st;
    pel_error err;
    pel_status s = readf(KYSTVERKET, PEL_CSV_AUTO, 0, &c, &st, &err);
    CHECK(s == PEL_OK && st.rows == 13 && st.records == 13 && c.nrej == 0 && c.not_report == 0,
          "kystverket sample: %d %s rows %llu records %llu", s, err.msg, (unsigned long long)st.rows,
          (unsigned long long)st.records);
    // clang-format off
    static const struct {
        uint64_t line;
        uint32_t mmsi, imo;
        int64_t t;
        int32_t lat, lon;
        int speed, course, heading, status, type, length;
    } rows[] = {
        {2, 209318000, 9754446, 1662036935000, 35589540, 3197604, 121, 3557, 355, 0, 1, 131},
        {3, 219016713, 9163702, 1662032779000, 35375160, 3329856, 94, 29, 359, 0, 1, 89},
        {4, 219348000, 9586617, 1662003336000, 35268240, 3264630, 180, 229, 23, 0, 1, 170},
        {5, 229288000, 8911736, 1662031887000, 35258100, 3239454, 112, 63, 6, 0, 1, 140},
        {6, 230666000, 9100138, 1662056071000, 35644200, 3153018, 107, 1305, 131, 0, 1, 90},
        {7, 230666000, 9100138, 1662056081000, 35643960, 3153564, 107, 1307, 131, 0, 1, 90},
        {8, 230666000, 9100138, 1662056092000, 35643720, 3154020, 107, 1309, 131, 0, 1, 90},
        {9, 230666000, 9100138, 1662056101000, 35643540, 3154458, 107, 1309, 131, 0, 1, 90},
        {10, 230666000, 9100138, 1662056112000, 35643360, 3154872, 107, 1312, 131, 0, 1, 90},
        {11, 230666000, 9100138, 1662056121000, 35643180, 3155214, 107, 1313, 131, 0, 1, 90},
        {12, 230666000, 9100138, 1662056131000, 35643000, 3155652, 107, 1312, 130, 0, 1, 90},
        {13, 230666000, 9100138, 1662056141000, 35642760, 3156174, 106, 1308, 131, 0, 1, 90},
        {14, 230666000, 9100138, 1662056152000, 35642580, 3156612, 106, 1300, 133, 0, 1, 90},
    };
    // clang-format on
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const got_rec *g = rec_at(&c, rows[i].line);
        const pel_record *r = g ? &g->r : NULL;
        CHECK(r && r->kind == (PEL_REC_POSITION | PEL_REC_STATIC) && r->mmsi == rows[i].mmsi && r->imo == rows[i].imo &&
                  r->has_time && r->t_ms == rows[i].t && r->clock == PEL_CLOCK_REPORT && r->lat == rows[i].lat &&
                  r->lon == rows[i].lon && r->speed == rows[i].speed && r->course == rows[i].course &&
                  r->heading == rows[i].heading && r->status == rows[i].status && r->type == rows[i].type &&
                  r->to_bow == rows[i].length && r->to_stern == 0 && r->to_port == -1 && r->to_starboard == -1 &&
                  !r->shipname && !r->source,
              "kystverket line %llu", (unsigned long long)rows[i].line);
    }

    s = readf(DATA "kystverket_edge.csv", PEL_CSV_KYSTVERKET, 0, &c, &st, &err);
    CHECK(s == PEL_OK && st.rows == 5 && st.records == 3 && st.rejected[PEL_CSV_REJ_NUMBER] == 1 &&
              st.rejected[PEL_CSV_REJ_TIME] == 1,
          "kystverket edge: %d rows %llu records %llu", s, (unsigned long long)st.rows, (unsigned long long)st.records);
    const got_rec *g = rec_at(&c, 2);
    CHECK(g && g->r.type == 18 && g->r.speed == PEL_NA_SPEED && g->r.course == PEL_NA_COURSE &&
              g->r.heading == PEL_NA_HEADING && g->r.status == PEL_NA_STATUS && g->r.imo == 0 && g->r.lat == 35940738 &&
              g->r.lon == 6427404 && g->r.to_bow == 12,
          "kystverket: 102.3/360/511/15 are n/a, message 18 is class B");
    g = rec_at(&c, 3);
    CHECK(g && g->r.type == 3 && g->r.imo == 0 && g->r.to_bow == -1 && g->r.kind == PEL_REC_POSITION,
          "kystverket: imo_nr -1 and an empty length are absent");
    g = rec_at(&c, 4);
    CHECK(g && g->r.kind == PEL_REC_STATIC && g->r.lat == PEL_NA_LAT && g->r.lon == PEL_NA_LON,
          "kystverket: 91/181 is no position");
    const got_rej *j = rej_at(&c, 5);
    CHECK(j && j->why == PEL_CSV_REJ_NUMBER && strstr(j->detail, "message_nr"), "kystverket: message_nr 99 (%s)",
          j ? j->detail : "");
    j = rej_at(&c, 6);
    CHECK(j && j->why == PEL_CSV_REJ_TIME && strstr(j->detail, "date_time_utc"), "kystverket: 31 September");
}

/* The real BarentsWatch sample (3 rows), then edge cases: None, a satellite
 * stream, an offset, 29 February 2023. */
static void test_barentswatch(void) {
    static collect c;
    pel_csv_stats st;
    pel_error err;
    pel_status s = readf(BARENTSWATCH, PEL_CSV_AUTO, 0, &c, &st, &err);
    CHECK(s == PEL_OK && st.rows == 3 && st.records == 3 && c.not_report == 0, "barentswatch sample: %d %s", s,
          err.msg);
    static const struct {
        uint64_t line;
        int64_t t;
        int32_t lat, lon;
    } rows[] = {
        {2, 1782798559000, 42588639, 15582097},
        {3, 1782798620000, 42588637, 15582100},
        {4, 1782798800000, 42588642, 15582082},
    };
    for (size_t i = 0; i < 3; i++) {
        const got_rec *g = rec_at(&c, rows[i].line);
        CHECK(g && g->r.mmsi == 257027430 && g->r.t_ms == rows[i].t && g->r.lat == rows[i].lat &&
                  g->r.lon == rows[i].lon && g->r.kind == (PEL_REC_POSITION | PEL_REC_STATIC) && g->r.speed == 0 &&
                  g->r.course == PEL_NA_COURSE && g->r.heading == PEL_NA_HEADING && g->r.status == 0 &&
                  g->r.shiptype == 60 && streq(g->r.shipname, "SARNES 3") && g->r.type == 1 && g->r.imo == 0,
              "barentswatch line %llu", (unsigned long long)rows[i].line);
    }

    s = readf(DATA "barentswatch_edge.csv", PEL_CSV_BARENTSWATCH, 0, &c, &st, &err);
    CHECK(s == PEL_OK && st.rows == 3 && st.records == 2 && st.rejected[PEL_CSV_REJ_TIME] == 1,
          "barentswatch edge: %d rows %llu records %llu", s, (unsigned long long)st.rows,
          (unsigned long long)st.records);
    const got_rec *g = rec_at(&c, 2);
    CHECK(g && g->r.t_ms == 1681984800000 && g->r.lat == 41790600 && g->r.lon == 11376600 && g->r.speed == 3 &&
              g->r.course == 123 && g->r.heading == 245,
          "barentswatch: values");
    g = rec_at(&c, 3);
    CHECK(g && g->r.kind == 0 && g->r.t_ms == 1681981260000 && !g->r.shipname && g->r.speed == PEL_NA_SPEED &&
              g->r.status == PEL_NA_STATUS && g->r.shiptype == -1,
          "barentswatch: None everywhere; +01:00 taken off");
    CHECK(rej_at(&c, 4) && rej_at(&c, 4)->why == PEL_CSV_REJ_TIME, "barentswatch: 29 February 2023");
}

/* The source column, checked inside the callback (it is borrowed). */
static char sources[8][16];
static int nsources;
static int on_source(void *ud, const pel_record *r) {
    (void)ud;
    if (nsources < 8)
        snprintf(sources[nsources++], sizeof sources[0], "%s", r->source ? r->source : "(null)");
    return 0;
}

static void test_sources(void) {
    pel_csv_cb cb = {on_source, NULL, NULL};
    nsources = 0;
    pel_csv_read(DATA "barentswatch_edge.csv", PEL_CSV_AUTO, 0, &cb, NULL, NULL);
    CHECK(nsources == 2 && !strcmp(sources[0], "terra") && !strcmp(sources[1], "sat"), "barentswatch streams: %s %s",
          sources[0], sources[1]);
}

#define AISHUB_MAP                                                                                                     \
    "mmsi=MMSI,time=TIME,lat=LATITUDE,lon=LONGITUDE,course=COG,speed=SOG,heading=HEADING,status=NAVSTAT,imo=IMO,"      \
    "name=NAME,callsign=CALLSIGN,shiptype=TYPE,to_bow=A,to_stern=B,to_port=C,to_starboard=D,draught=DRAUGHT,"          \
    "destination=DEST,eta=ETA"
#define AISHUB_AIS_MAP                                                                                                 \
    "mmsi=MMSI,time=TIME,lat=LATITUDE/600000,lon=LONGITUDE/600000,course=COG/10,speed=SOG/10,heading=HEADING,"         \
    "status=NAVSTAT,imo=IMO,name=NAME,callsign=CALLSIGN,shiptype=TYPE,to_bow=A,to_stern=B,to_port=C,to_starboard=D,"   \
    "draught=DRAUGHT/10,destination=DEST,eta=ETA"
#define MT_MAP                                                                                                         \
    "mmsi=MMSI,imo=IMO,lat=LAT,lon=LON,speed=SPEED/10,heading=HEADING,course=COURSE,status=STATUS,time=TIMESTAMP,"     \
    "source=DSRC,name=SHIPNAME,callsign=CALLSIGN,length=LENGTH,width=WIDTH,draught=DRAUGHT/10,"                        \
    "destination=DESTINATION,eta=ETA"

/* The generic reader: an AISHub export in its two encodings (human
 * readable, and AIS units with Unix times) gives the same records; by a
 * column map or by the usual column names; a MarineTraffic-style export;
 * a ';' export with day-first times. */
static void test_generic(void) {
    static collect a, b;
    pel_csv_stats sa, sb;
    pel_error err;
    pel_csv_opts o = {.format = PEL_CSV_GENERIC, .columns = AISHUB_MAP, .time_format = "%Y-%m-%d %H:%M:%S GMT"};
    pel_status s = reado(DATA "aishub.csv", &o, &a, &sa, &err);
    CHECK(s == PEL_OK && sa.rows == 8 && sa.records == 5 && sa.rejected[PEL_CSV_REJ_TIME] == 1 &&
              sa.rejected[PEL_CSV_REJ_MMSI] == 1 && sa.rejected[PEL_CSV_REJ_NUMBER] == 1 && a.not_report == 0,
          "aishub: %d %s rows %llu records %llu", s, err.msg, (unsigned long long)sa.rows,
          (unsigned long long)sa.records);
    const got_rec *g = rec_at(&a, 2);
    CHECK(g && g->r.kind == 3 && g->r.mmsi == 412345000 && g->r.t_ms == 1641168000000 && g->r.lat == 21790002 &&
              g->r.lon == 74350002 && g->r.course == 453 && g->r.speed == 112 && g->r.heading == 44 &&
              g->r.status == 0 && g->r.imo == 9134270 && streq(g->r.shipname, "YU JONG 2") &&
              streq(g->r.callsign, "BQAB") && g->r.shiptype == 80 && g->r.to_bow == 100 && g->r.to_stern == 20 &&
              g->r.to_port == 10 && g->r.to_starboard == 12 && g->r.draught_dm == 72 &&
              streq(g->r.destination, "NAMPO") && streq(g->r.eta, "01-05 06:00") && g->r.type == 1,
          "aishub line 2");
    g = rec_at(&a, 4);
    CHECK(g && g->r.kind == PEL_REC_STATIC && g->r.lat == PEL_NA_LAT && g->r.lon == PEL_NA_LON &&
              g->r.speed == PEL_NA_SPEED && g->r.course == PEL_NA_COURSE && g->r.heading == PEL_NA_HEADING &&
              g->r.status == PEL_NA_STATUS && g->r.imo == 0 && streq(g->r.shipname, "KUM GANG STAR"),
          "aishub line 4: 181/91/360/102.3/511/15 are n/a");
    g = rec_at(&a, 5);
    CHECK(g && streq(g->r.shipname, "OCEAN, STAR") && streq(g->r.destination, "RAJIN, KP") && g->r.course == 0 &&
              g->r.draught_dm == 105,
          "aishub line 5: quoted commas; 359.96 is north");
    g = rec_at(&a, 6);
    CHECK(g && g->r.lat == -6 && g->r.lon == -6, "aishub line 6: -0.00001 is -6");
    CHECK(rej_at(&a, 7) && rej_at(&a, 7)->why == PEL_CSV_REJ_TIME && rej_at(&a, 8) &&
              rej_at(&a, 8)->why == PEL_CSV_REJ_MMSI && rej_at(&a, 9) && rej_at(&a, 9)->why == PEL_CSV_REJ_NUMBER &&
              strstr(rej_at(&a, 9)->detail, "SOG"),
          "aishub: 30 February, 41234500X, SOG 'fast'");

    /* by the usual names, without a map: the same */
    o.columns = NULL;
    s = reado(DATA "aishub.csv", &o, &b, &sb, &err);
    CHECK(s == PEL_OK && b.hash == a.hash, "aishub by column names: the same records and rejects (%d %s)", s, err.msg);

    /* the AIS encoding: positions in 1/600000 degree, tenths, Unix times */
    pel_csv_opts ao = {.format = PEL_CSV_GENERIC, .columns = AISHUB_AIS_MAP, .time_format = "unix"};
    s = reado(DATA "aishub_ais.csv", &ao, &b, &sb, &err);
    CHECK(s == PEL_OK && sb.records == 5 && b.rhash == a.rhash && sb.rejected[PEL_CSV_REJ_TIME] == 1,
          "aishub in AIS units (/600000, /10, unix): the same records (%d %s, %llu)", s, err.msg,
          (unsigned long long)sb.records);

    /* MarineTraffic-style: quoted everything, SPEED and DRAUGHT in tenths,
     * DSRC the network */
    pel_csv_opts mo = {.format = PEL_CSV_GENERIC, .columns = MT_MAP};
    s = reado(DATA "marinetraffic.csv", &mo, &b, &sb, &err);
    CHECK(s == PEL_OK && sb.rows == 5 && sb.records == 4 && sb.rejected[PEL_CSV_REJ_TIME] == 1,
          "marinetraffic: %d %s %llu", s, err.msg, (unsigned long long)sb.records);
    g = rec_at(&b, 2);
    CHECK(g && g->r.lat == 21790002 && g->r.lon == 74350002 && g->r.speed == 112 && g->r.course == 450 &&
              g->r.draught_dm == 72 && g->r.to_bow == 120 && g->r.to_stern == 0 && g->r.to_port == 22 &&
              g->r.to_starboard == 0 && g->r.shiptype == -1 && streq(g->r.eta, "2022-01-05T06:00:00"),
          "marinetraffic line 2: SPEED/10, DRAUGHT/10, LENGTH/WIDTH");
    g = rec_at(&b, 3);
    CHECK(g && g->r.t_ms == 1641173400000 && g->r.to_bow == -1 && g->r.draught_dm == -1 && g->r.heading == 511,
          "marinetraffic line 3: empty fields are absent");
    g = rec_at(&b, 4);
    CHECK(g && g->r.course == PEL_NA_COURSE, "marinetraffic line 4: course 360 is n/a");
    g = rec_at(&b, 5);
    CHECK(g && g->r.t_ms == 1641182400000, "marinetraffic line 5: a space for the T");
    CHECK(rej_at(&b, 6) && strstr(rej_at(&b, 6)->detail, "TIMESTAMP"), "marinetraffic line 6: not ISO-8601");

    /* the NOAA extract through the generic reader, by its column names:
     * the records of the NOAA reader (seven call signs "NONE" kept) */
    pel_csv_opts no = {.format = PEL_CSV_GENERIC};
    readf(NOAA_SAMPLE, PEL_CSV_NOAA, 0, &a, &sa, &err);
    s = reado(NOAA_SAMPLE, &no, &b, &sb, &err);
    CHECK(s == PEL_OK && sb.records == 34140 && b.hash == a.hash, "NOAA by the generic reader: the same records");

    /* ';', day-first times, a class column, a station column */
    pel_csv_opts so = {.format = PEL_CSV_GENERIC,
                       .columns = "time=Zeit,mmsi=MMSI,lat=Breite,lon=Länge,speed=Fahrt,course=Kurs,status=Status,"
                                  "class=Klasse,source=Station",
                       .time_format = "%d.%m.%Y %H:%M:%S"};
    s = reado(DATA "provider_semicolon.csv", &so, &b, &sb, &err);
    CHECK(s == PEL_OK && sb.rows == 4 && sb.records == 2 && sb.rejected[PEL_CSV_REJ_TIME] == 1 &&
              sb.rejected[PEL_CSV_REJ_NUMBER] == 1,
          "semicolon: %d %s %llu", s, err.msg, (unsigned long long)sb.records);
    g = rec_at(&b, 2);
    CHECK(g && g->r.t_ms == 1641168005000 && g->r.lat == 32474070 && g->r.lon == 4734738 && g->r.speed == 125 &&
              g->r.course == 2750 && g->r.type == 1 && g->r.kind == PEL_REC_POSITION,
          "semicolon line 2");
    g = rec_at(&b, 3);
    CHECK(g && g->r.type == 18 && g->r.status == 1, "semicolon line 3: class B");
    CHECK(rej_at(&b, 5) && strstr(rej_at(&b, 5)->detail, "Breite"), "semicolon line 5: a decimal comma is refused");
    static collect k;
    so.delimiter = ';';
    s = reado(DATA "provider_semicolon.csv", &so, &k, &sb, &err);
    CHECK(s == PEL_OK && k.hash == b.hash, "an explicit --delimiter ';' reads the same");
    so.delimiter = ',';
    s = reado(DATA "provider_semicolon.csv", &so, &k, &sb, &err);
    CHECK(s == PEL_ERR_FORMAT && strstr(err.msg, "no column 'mmsi' (for mmsi)"), "--delimiter ',' on it: '%s'",
          err.msg);
}

/* Options refused before a file is read, and headers that do not fit. */
static void test_generic_errors(void) {
    static const struct {
        pel_csv_opts o;
        pel_status st;
        const char *msg; /* a part of it */
    } cases[] = {
        {{.format = PEL_CSV_GENERIC, .columns = "mmsi=MMSI"}, PEL_ERR_ARG, "must name mmsi and time"},
        {{.format = PEL_CSV_GENERIC, .columns = "mmsi=MMSI,time=TIME,lat=LATITUDE"}, PEL_ERR_ARG, "lat without lon"},
        {{.format = PEL_CSV_GENERIC, .columns = "mmsi=MMSI,time=TIME,speedy=SOG"},
         PEL_ERR_ARG,
         "unknown field 'speedy'"},
        {{.format = PEL_CSV_GENERIC, .columns = "mmsi=MMSI,time=TIME,mmsi=X"}, PEL_ERR_ARG, "'mmsi' is named twice"},
        {{.format = PEL_CSV_GENERIC, .columns = "mmsi=MMSI,time"}, PEL_ERR_ARG, "'time' is not field=Header"},
        {{.format = PEL_CSV_GENERIC, .columns = "mmsi=MMSI,time=TIME,imo=IMO/10"}, PEL_ERR_ARG, "takes no divisor"},
        {{.format = PEL_CSV_GENERIC, .columns = "mmsi=MMSI,time=TIME,speed=SOG/0"}, PEL_ERR_ARG, "divisor"},
        {{.format = PEL_CSV_GENERIC, .columns = "mmsi=MMSI,time= "}, PEL_ERR_ARG, "no header name for 'time'"},
        {{.format = PEL_CSV_NOAA, .columns = "mmsi=MMSI,time=TIME"}, PEL_ERR_ARG, "--format csv"},
        {{.format = PEL_CSV_GENERIC, .time_format = "%Y-%m"}, PEL_ERR_ARG, "whole date"},
        {{.format = PEL_CSV_GENERIC, .delimiter = '"'}, PEL_ERR_ARG, "--delimiter"},
        {{.format = (pel_csv_format)99}, PEL_ERR_ARG, "unknown format"},
        /* the header lacks a mapped column */
        {{.format = PEL_CSV_GENERIC, .columns = "mmsi=MMSI,time=BaseDateTime"},
         PEL_ERR_FORMAT,
         "no column 'basedatetime' (for time)"},
        /* Kystverket asked for, AISHub given */
        {{.format = PEL_CSV_KYSTVERKET}, PEL_ERR_FORMAT, "not a Kystverket CSV export (header \"MMSI,TIME,"},
        {{.format = PEL_CSV_AUTO}, PEL_ERR_FORMAT, "not a NOAA, DMA, Kystverket or BarentsWatch CSV export"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        static collect c;
        pel_csv_stats st;
        pel_error err;
        pel_status s = reado(DATA "aishub.csv", &cases[i].o, &c, &st, &err);
        CHECK(s == cases[i].st && err.code == cases[i].st && strstr(err.msg, cases[i].msg) && c.nrec == 0,
              "generic error case %zu: %d '%s'", i, s, err.msg);
    }
    pel_error err;
    CHECK(pel_csv_check_columns(AISHUB_MAP, &err) == PEL_OK, "the AISHub map is good");
    CHECK(pel_csv_check_columns("mmsi=MMSI", &err) == PEL_ERR_ARG && strstr(err.msg, "--columns: "), "a bad map: '%s'",
          err.msg);
    /* without a map, MMSI and time must be found by name */
    const char *path;
    FILE *f = tmp_open(&path);
    if (f) {
        fputs("ship,when,y,x\n1,2,3,4\n", f);
        fclose(f);
    }
    static collect c;
    pel_csv_stats st;
    pel_csv_opts o = {.format = PEL_CSV_GENERIC};
    CHECK(reado(path, &o, &c, &st, &err) == PEL_ERR_FORMAT && strstr(err.msg, "no MMSI column found by name"),
          "no usual names: '%s'", err.msg);
}

static void test_errors(void) {
    static collect c;
    pel_csv_stats st;
    pel_error err;
    pel_status s = readf("tests/data/csv/no-such-file.csv", PEL_CSV_AUTO, 0, &c, &st, &err);
    CHECK(s == PEL_ERR_IO && err.code == PEL_ERR_IO && strstr(err.msg, "no-such-file.csv"), "missing file: %d %s", s,
          err.msg);

    /* an NMEA file is not a CSV export: the message names the file and
     * quotes the start of its first line */
    s = readf("tests/golden/tagblocks.nmea", PEL_CSV_AUTO, 0, &c, &st, &err);
    FILE *f = fopen("tests/golden/tagblocks.nmea", "rb");
    char head[24] = "";
    if (f) {
        if (!fgets(head, sizeof head, f))
            head[0] = 0;
        fclose(f);
    }
    CHECK(s == PEL_ERR_FORMAT && err.code == PEL_ERR_FORMAT && strstr(err.msg, "tests/golden/tagblocks.nmea") &&
              head[0] && strstr(err.msg, head) && c.nrec == 0,
          "unknown header: %d '%s'", s, err.msg);

    /* a DMA file read as NOAA */
    s = readf(DATA "dma_aisdk.csv", PEL_CSV_NOAA, 0, &c, &st, &err);
    CHECK(s == PEL_ERR_FORMAT && strstr(err.msg, "NOAA") && strstr(err.msg, "# Timestamp"), "format mismatch: '%s'",
          err.msg);
    s = readf(DATA "dma_aisdk.csv", PEL_CSV_DMA, 0, &c, &st, &err);
    CHECK(s == PEL_OK && st.records == 33, "DMA file as DMA");

    const char *path;
    f = tmp_open(&path);
    if (f)
        fclose(f);
    s = readf(path, PEL_CSV_AUTO, 0, &c, &st, &err);
    CHECK(s == PEL_ERR_FORMAT && strstr(err.msg, "empty"), "empty file: %d '%s'", s, err.msg);

    /* only a header: nothing, and no error */
    f = tmp_open(&path);
    if (f) {
        fputs("MMSI,BaseDateTime,LAT,LON\n", f);
        fclose(f);
    }
    s = readf(path, PEL_CSV_AUTO, 0, &c, &st, &err);
    CHECK(s == PEL_OK && st.rows == 0 && st.records == 0, "header only");

    pel_csv_cb cb = {NULL, NULL, NULL};
    s = pel_csv_read(DATA "noaa_edge.csv", PEL_CSV_AUTO, 0, &cb, NULL, NULL);
    CHECK(s == PEL_OK, "no callbacks, no stats, no error");
    s = pel_csv_read(NULL, PEL_CSV_AUTO, 0, &cb, NULL, &err);
    CHECK(s == PEL_ERR_ARG && err.code == PEL_ERR_ARG, "NULL path");
}

int main(void) {
    test_reject_names();
    test_detect();
    test_noaa_sample();
    test_variants();
    test_noaa_edge();
    test_columns();
    test_quotes();
    test_too_long();
    test_dma();
    test_describe();
    test_kystverket();
    test_barentswatch();
    test_sources();
    test_generic();
    test_generic_errors();
    test_errors();
    tmp_cleanup();
    printf("unit_csv: %d passed, %d failed\n", passed, failed);
    return failed != 0;
}
