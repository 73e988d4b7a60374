/*
 * store.h -- the store interface: everything the rest of libpelorus asks of
 * the database.  Internal to libpelorus (the CLI goes through pelorus.h).
 * No SQL and no SQLite type appears here: every statement lives behind this
 * header, in src/store/, so the store can change how it keeps its data and
 * a second backend can keep it elsewhere (docs/schema.md, HACKING.md "The
 * store interface").
 *
 * Shape.  A pel_store is an object carrying a table of functions (st_ops,
 * st_backend.h) that the backend which opened it fills: SQLite
 * (src/store/sqlite_*.c) today, PostgreSQL next (issue 15).  A table rather
 * than one header implemented once per backend, because pel_store_open
 * chooses the backend at run time from the --db string: one binary serves
 * both, and one test suite runs on both.  The functions below are the
 * wrappers every stage calls; they add no logic.  What is the same for
 * every backend -- the track build (build.c), pel_tracks, pel_vessel_find
 * and pel_vessel_describe (query.c) -- is written once over the table.
 *
 * Where rows are many they come through cursors (st_iter): the caller pulls
 * the next row, the backend holds its statement (an SQLite statement, a
 * server-side cursor) in between, and a caller's loop reads as it did over
 * sqlite3_step.  A cursor holds only the rows in hand, and cursors nest (a
 * query per vessel while the vessels are being read).
 *
 * What is here, by table of docs/schema.md:
 *   the database   transactions, the writer's lock, generations, its name
 *   inputs         an ingest's recording: find, new, progress, done, partial;
 *                  sources; the inputs' paths for the evidence
 *   staging        positions an ingest stages, the vessels it touches, exact
 *                  repeats dropped; st_build_dirty turns them into tracks
 *   vessels        a vessel's summary, finding vessels, the data's span
 *   identities,    merged reports; iterated for one vessel or for all; the
 *   voyages        latest values; IMO numbers shared; draught near a time
 *   positions      chunks by vessel or by box and period
 *   coverage       the coverage map: what was heard per cell, hour and
 *                  station; its accumulator, rebuild and a scan's cache
 *   watchlists     imports, their entries, summaries
 *
 * Conventions (as pelorus.h): functions return PEL_OK or a pel_status and
 * fill err (may be NULL).  Texts passed in are borrowed for the call.  A
 * cursor's st_*_next returns 1 with a row, 0 at the end, or a negative
 * pel_status (-PEL_ERR_IO, -PEL_ERR_NOMEM) with err filled; texts in a row
 * are borrowed until the cursor's next call.  st_iter_free ends a cursor at
 * any point (NULL accepted).  A cursor is read with the st_*_next of the
 * function that opened it.  A cursor opened NULL failed, err says why.
 */
#ifndef PEL_STORE_H
#define PEL_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pelorus.h"

/* A cursor over rows of one kind.  Opaque. */
typedef struct st_iter st_iter;

/* Ends a cursor; NULL is accepted. */
void st_iter_free(st_iter *it);

/* ---- the database -------------------------------------------------------------- */

/* True when s was opened read-only. */
bool st_readonly(pel_store *s);

/* The database's name for messages and the report: the main file's path
 * (borrowed, valid while s is open), or NULL for an in-memory or temporary
 * database. */
const char *st_db_name(pel_store *s);

/* Write transactions.  st_begin takes the write lock of the database itself
 * (SQLite: BEGIN IMMEDIATE); st_commit makes everything since durable;
 * st_rollback drops it (never fails; committed work stays). */
pel_status st_begin(pel_store *s, pel_error *err);
pel_status st_commit(pel_store *s, pel_error *err);
void st_rollback(pel_store *s);

/* The writer's lock: one ingest at a time (docs/schema.md, "One ingest at a
 * time").  Takes it, waiting for another holder (process or thread) to
 * finish or die after calling on_wait (may be NULL) with what it waits for
 * (the lock file's path; borrowed for the call), and sets s up for a long
 * write (SQLite: no memory-mapped reads).  Held until st_writer_end, which
 * undoes both.  The lock dies with its holder. */
pel_status st_writer_begin(pel_store *s, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err);
void st_writer_end(pel_store *s);

/* Starts the next generation (ingest run), in the current transaction:
 * *gen gets its number, which staged positions carry and the track build
 * records.  s remembers it for st_build_dirty. */
pel_status st_generation_next(pel_store *s, int64_t *gen, pel_error *err);

/* Whether several ingests may read and stage into s at once (PostgreSQL):
 * then an ingest holds the writer's lock for its track build only, locks
 * each input (st_input_lock) before looking it up, and writes the rows it
 * shares with others in key order (ingest.c).  False for SQLite, where one
 * ingest holds the writer's lock throughout. */
bool st_parallel_ingest(const pel_store *s);
/* When st_parallel_ingest: locks the input of that SHA-256 (hex) for this
 * connection, outside any transaction, waiting (after on_wait, may be NULL)
 * while another process holds it; it dies with the process.  Released by
 * st_input_unlock.  Never call it otherwise. */
pel_status st_input_lock(pel_store *s, const char *sha256, void (*on_wait)(void *ud, const char *what), void *ud,
                         pel_error *err);
void st_input_unlock(pel_store *s, const char *sha256);

/* ---- inputs ----------------------------------------------------------------------- */

/* An input's recorded progress: its row of inputs (docs/schema.md). */
typedef struct st_input_counts {
    uint64_t lines_done; /* lines committed */
    uint64_t lines, positions, statics, ignored, rejected, assumed;
    char rejects[1536]; /* reject reasons -> counts: a JSON object ("{}", "{\"checksum\":2}") */
} st_input_counts;

/* What a new input is recorded with. */
typedef struct st_input_new {
    const char *path; /* as given */
    uint64_t size;
    int64_t mtime;        /* 0 for a stream */
    const char *sha256;   /* hex */
    const char *format;   /* "nmea", "noaa", ... */
    const char *settings; /* as docs/schema.md says */
} st_input_new;

/* True in *found when a complete input has the content sha256, format and
 * settings (either of settings and settings_base) and stored something or
 * rejected nothing: it is ingested already. */
pel_status st_input_find_done(pel_store *s, const char *sha256, const char *format, const char *settings,
                              const char *settings_base, bool *found, pel_error *err);

/* The first partial (interrupted) input of that content, format and
 * settings: *found, its id and counts. */
pel_status st_input_find_partial(pel_store *s, const char *sha256, const char *format, const char *settings,
                                 bool *found, int64_t *id, st_input_counts *c, pel_error *err);

/* The first partial input of that content read any way: *found, and its
 * format and settings (into buffers of fcap and scap bytes, cut to fit). */
pel_status st_input_find_other_partial(pel_store *s, const char *sha256, bool *found, char *format, size_t fcap,
                                       char *settings, size_t scap, pel_error *err);

/* Records a new input as partial, started now; *id gets its id. */
pel_status st_input_add(pel_store *s, const st_input_new *in, int64_t *id, pel_error *err);

/* Records how far input id got (in the current transaction: with the data). */
pel_status st_input_progress(pel_store *s, int64_t id, const st_input_counts *c, pel_error *err);

/* Marks input id complete, finished now, known by settings. */
pel_status st_input_done(pel_store *s, int64_t id, const char *settings, pel_error *err);

/* The inputs' paths by id: (*paths)[id] is a malloc'd string, NULL where no
 * input has that id; *n is one past the largest id.  The caller frees each
 * string and the array, also on failure (what was read by then). */
pel_status st_input_paths(pel_store *s, char ***paths, size_t *n, pel_error *err);

/* The id of the receiver or tag-block source name, added when new. */
pel_status st_source_id(pel_store *s, const char *name, uint32_t *id, pel_error *err);

/* ---- staging: what an ingest writes for the track build ------------------------------ */

/* Marks mmsi's tracks for rebuilding, adding the vessel when new. */
pel_status st_vessel_touch(pel_store *s, uint32_t mmsi, pel_error *err);

/* Adds n exact repeats of reports, dropped before staging, to mmsi's count
 * of duplicate receptions. */
pel_status st_vessel_add_duplicates(pel_store *s, uint32_t mmsi, uint64_t n, pel_error *err);

/* Stages n positions of mmsi for the track build, as generation gen: what
 * ingest writes is 1 to TRK_CHUNK positions in canonical order
 * (trk_cmp_pos); the build also takes longer rows in any order, as older
 * versions wrote them.  p is borrowed for the call. */
pel_status st_stage(pel_store *s, uint32_t mmsi, int64_t gen, const pel_position *p, size_t n, pel_error *err);

/* Rebuilds the tracks of every vessel marked for it, each streamed in
 * bounded memory (build.c); o gives the track options, stats (may be NULL)
 * the counts.  Then empties the staging and returns freed space. */
pel_status st_build_dirty(pel_store *s, const pel_ingest_opts *o, pel_ingest_stats *stats, pel_error *err);

/* ---- vessels -------------------------------------------------------------------------- */

/* A vessel's summary (the vessels table). */
typedef struct st_vessel {
    uint32_t mmsi;
    bool has_times; /* first_ms and last_ms are set: it has built positions */
    int64_t first_ms, last_ms;
    uint64_t positions, flagged, segments, duplicates;
    double distance_m;
    bool dirty; /* its tracks wait to be rebuilt */
} st_vessel;

/* The summary of mmsi; *found false when the store has no positions of it. */
pel_status st_vessel_get(pel_store *s, uint32_t mmsi, st_vessel *v, bool *found, pel_error *err);

/* How pel_vessel_find searches. */
typedef enum st_find {
    ST_FIND_MMSI = 0,    /* number: a vessel with positions or identities under that MMSI */
    ST_FIND_IMO,         /* number: the vessels that broadcast that IMO */
    ST_FIND_IMO_OR_MMSI, /* number: those, and a vessel with positions under that MMSI */
    ST_FIND_NAME         /* key: the vessels that broadcast a name whose pel_text_key is key */
} st_find;

/* Writes up to cap MMSIs found (ascending, each once) to out; *n the total. */
pel_status st_vessel_find(pel_store *s, st_find how, uint32_t number, const char *key, uint32_t *out, size_t cap,
                          size_t *n, pel_error *err);

/* The first and last position time of the whole store.  Returns false
 * when the store holds no positions. */
bool st_data_span(pel_store *s, int64_t *first_ms, int64_t *last_ms);

/* A track segment (the segments table). */
typedef struct st_segment {
    uint32_t mmsi;
    int32_t seg;
    int64_t t0, t1;
    uint64_t n;
    double distance_m;
    int32_t lat0, lon0, lat1, lon1;
    bool parallel;
} st_segment;

/* The segments of mmsi numbered above after (-1: all), in number order, at
 * most limit of them (0: all). */
st_iter *st_segments_of(pel_store *s, uint32_t mmsi, int32_t after, size_t limit, pel_error *err);
int st_segment_next(st_iter *it, st_segment *g, pel_error *err);

/* ---- positions ------------------------------------------------------------------------- */

/* Which chunks of positions to read. */
typedef struct st_area {
    bool has_mmsi; /* one vessel: its every chunk (box and times ignored) */
    uint32_t mmsi;
    bool last_before;               /* with has_mmsi and has_to: only its latest chunk that begins before to_ms */
    bool has_box;                   /* chunks whose box of usable positions meets this one */
    int64_t lat0, lat1, lon0, lon1; /* 1/600000 degree, inclusive */
    bool has_from, has_to;          /* chunks whose time span meets [from, to] */
    int64_t from_ms, to_ms;
} st_area;

/* The chunks that may hold positions in a, by vessel (MMSI order), then in
 * time order: a superset, positions outside a included (the caller
 * filters).  st_chunk_next steps to the next chunk and gives its vessel;
 * st_chunk_read then decodes its positions into (*buf)[at .. at + *n),
 * growing *buf (realloc; *cap its size in positions) as needed.  A chunk
 * that cannot be decoded fails with "a stored chunk is corrupt". */
st_iter *st_chunks(pel_store *s, const st_area *a, pel_error *err);
int st_chunk_next(st_iter *it, uint32_t *mmsi, pel_error *err);
pel_status st_chunk_read(st_iter *it, pel_position **buf, size_t *cap, size_t at, size_t *n, pel_error *err);

/* Every built position of mmsi, in time order, into *p (grown by realloc;
 * *cap its size); *n the count. */
pel_status st_vessel_positions(pel_store *s, uint32_t mmsi, pel_position **p, size_t *n, size_t *cap, pel_error *err);

/* ---- the coverage map (docs/coverage.md) ------------------------------------------------ */

/* What was heard, per cell of geo/cell.h, Unix hour (t_ms / 3600000) and
 * receiving station: receptions ("positions": every position ingest
 * accepted, repeats included), the vessels heard as a 64-bit set of their
 * hash bits ("seen": bit st_cov_bit(mmsi); its popcount is the distinct
 * vessels, a lower bound exact up to hash collisions, at most 64), and
 * which of the hour's six ten-minute slots heard anything (bit k: minutes
 * 10k..10k+9).  Each reception counts once: in the row of its station
 * (its sources.id, when a tag block or a source column names one), else of
 * station 0 (no station known).  What every station heard together -- the
 * cell's whole hour -- is the sum of its rows (positions add, sets or):
 * st_coverage_rows(ST_COV_ALL) and st_cov_all make it.  (Schema 4 kept it
 * as station 0's rows, beside the stations' own: a database of version 4
 * opened read-only is read so, pel_store.cov_legacy.)  Built at ingest,
 * batch by batch: counts add and sets or together, so the map does not
 * depend on where batches end. */

/* The bit of the "seen" set a vessel sets. */
static inline uint64_t st_cov_bit(uint32_t mmsi) {
    return 1ull << (((uint64_t)mmsi * 0x9E3779B97F4A7C15ull) >> 58);
}

/* One count to add: receptions in one cell, hour and station. */
typedef struct st_cov_add {
    uint32_t cell, station; /* station 0: none known */
    int64_t hour;
    uint64_t seen; /* st_cov_bit of each vessel heard */
    uint32_t positions;
    uint8_t slots;
} st_cov_add;

/* Adds n counts in the current transaction, each as the comment above
 * says: each key (cell, station, hour) once, in key order (cell, station,
 * hour ascending; st_cov_acc_flush gives them so).  rows is borrowed for
 * the call. */
pel_status st_coverage_add(pel_store *s, const st_cov_add *rows, size_t n, pel_error *err);

/* A count of the map: one cell, station and hour. */
typedef struct st_cov_row {
    uint32_t cell, station;
    int64_t hour;
    uint32_t positions, vessels; /* vessels: the popcount of seen */
    uint64_t seen;
    uint8_t slots;
} st_cov_row;

/* Which rows st_coverage_rows reads. */
typedef enum st_cov_which {
    ST_COV_ALL = 0,  /* every reception together: one row per cell and hour, station 0 */
    ST_COV_STATIONS, /* every station's own rows (station > 0) */
    ST_COV_STATION,  /* the rows of one station (0: those of no known station) */
    ST_COV_EVERY,    /* every row as stored, by cell then hour (the backends' part of ST_COV_ALL) */
    ST_COV_STORED    /* every row, by cell, station and hour: the key's order, read without a sort */
} st_cov_which;

/* The rows of one cell as stored with hours from_hour..to_hour inclusive
 * (INT64_MIN, INT64_MAX: all), every station's (0 first), by station then
 * hour. */
st_iter *st_coverage_cell(pel_store *s, uint32_t cell, int64_t from_hour, int64_t to_hour, pel_error *err);

/* What every station heard together in a cell, from its n rows r as
 * st_coverage_cell gives them: one row per hour (station 0), in hour
 * order, into *out (grown with realloc as needed, *cap its size; the
 * caller frees it), *nout their count.  PEL_OK or PEL_ERR_NOMEM. */
pel_status st_cov_all(const pel_store *s, const st_cov_row *r, size_t n, st_cov_row **out, size_t *nout, size_t *cap,
                      pel_error *err);

/* The rows of which (station for ST_COV_STATION) with hours from..to
 * inclusive, by cell, station, hour. */
st_iter *st_coverage_rows(pel_store *s, st_cov_which which, uint32_t station, int64_t from_hour, int64_t to_hour,
                          pel_error *err);
int st_cov_row_next(st_iter *it, st_cov_row *r, pel_error *err);

/* The sources (receiving stations) by id: (*names)[id] a malloc'd string,
 * NULL where no source has that id; *n one past the largest id.  The caller
 * frees each and the array, also on failure. */
pel_status st_source_names(pel_store *s, char ***names, size_t *n, pel_error *err);

/* ---- coverage.c: written once over the backends ---- */

/* An accumulator of counts (ingest's, and the rebuild's): positions are
 * added one by one and summed in memory per cell, hour and station; st_cov_acc_flush writes them (st_coverage_add) in
 * the current transaction and empties it.  It flushes by itself when it holds ST_COV_ACC_MAX counts, so its memory is
 * bounded whatever the input. */
#define ST_COV_ACC_MAX 65536
typedef struct st_cov_acc st_cov_acc;
st_cov_acc *st_cov_acc_new(pel_store *s);
/* Counts p (a position with coordinates) for station 0 and, when it has
 * one (p->source), for its station. */
pel_status st_cov_acc_add(st_cov_acc *a, const pel_position *p, pel_error *err);
pel_status st_cov_acc_flush(st_cov_acc *a, pel_error *err);
/* Frees a, dropping what was not flushed; NULL accepted. */
void st_cov_acc_free(st_cov_acc *a);

/* Builds the map from the stored positions, in the current transaction:
 * every position of every chunk (a database of an older schema, migrated;
 * docs/schema.md).  What was there is replaced.  Positions staged but not
 * built yet (an ingest killed before its build) are not counted, and the
 * chunks hold positions after the build removed duplicate receptions: a
 * rebuilt map can count fewer receptions than one built at ingest. */
pel_status st_coverage_rebuild(pel_store *s, pel_error *err);

/* The cursor of st_coverage_rows(ST_COV_ALL) (coverage.c): the backend's
 * ST_COV_EVERY rows summed per cell and hour. */
st_iter *st_cov_all_rows(pel_store *s, int64_t from_hour, int64_t to_hour, pel_error *err);

/* A cache of the map's cells for a scan: st_covmap_cell gives every row of
 * cell (as st_coverage_cell, all stations), borrowed until the next call;
 * *n 0 for a cell nothing was heard in.  Results never depend on the
 * cache (it empties itself past ST_COVMAP_MAX rows).  Open one for a scan,
 * not across writes; free with st_covmap_free (NULL accepted). */
#define ST_COVMAP_MAX (4u << 20)
typedef struct st_covmap st_covmap;
st_covmap *st_covmap_new(pel_store *s, pel_error *err);
pel_status st_covmap_cell(st_covmap *m, uint32_t cell, const st_cov_row **rows, size_t *n, pel_error *err);
void st_covmap_free(st_covmap *m);

/* ---- identities and voyage reports ------------------------------------------------------- */

/* One distinct identity a vessel broadcast (the identities table): name,
 * IMO, call sign, type and size as received ("" / 0 / -1 when absent). */
typedef struct st_ident_row {
    uint32_t mmsi;
    const char *name, *callsign; /* never NULL */
    uint32_t imo;
    int shiptype, to_bow, to_stern, to_port, to_starboard;
    int64_t first_ms, last_ms;
    uint64_t reports;
    int64_t first_input; /* where it was first heard: inputs id and line */
    uint64_t first_line;
    unsigned clocks;        /* 1 << pel_clock of its reports, or-ed; 0 not known */
    const char *first_path; /* st_identities_of only: that input's path, or NULL */
    bool bare;              /* st_identities_all with bare vessels: a vessel with positions and no
                               identity; only mmsi, first_ms and last_ms are set */
} st_ident_row;

/* Merges one identity into the store: a new row, or the counts, times,
 * clocks and first sighting of the existing one (first_input and
 * first_line are taken with the earlier first_ms). */
pel_status st_identity_merge(pel_store *s, const st_ident_row *r, pel_error *err);

/* The identities of mmsi, or of every vessel (MMSI order), ordered by
 * first_ms, then name, IMO, call sign, type, to_bow, to_stern, to_port,
 * to_starboard.  bare_vessels adds a bare row for each vessel with
 * positions and no identity (screening screens its MMSI alone). */
st_iter *st_identities_of(pel_store *s, uint32_t mmsi, pel_error *err);
st_iter *st_identities_all(pel_store *s, bool bare_vessels, pel_error *err);
int st_identity_next(st_iter *it, st_ident_row *r, pel_error *err);

/* The distinct non-empty names mmsi broadcast, in no particular order. */
st_iter *st_names_of(pel_store *s, uint32_t mmsi, pel_error *err);
int st_name_next(st_iter *it, const char **name, pel_error *err);

/* One valid-looking IMO number (1000000..9999999) broadcast under two MMSIs
 * a < b: each side's first and last time, first input and first line (each
 * the smallest over that side's rows, taken separately), and the clocks of
 * both sides or-ed; one row per IMO and pair, ordered by IMO, a, b. */
typedef struct st_imo_pair {
    uint32_t imo, mmsi_a, mmsi_b;
    int64_t a_first_ms, a_last_ms, b_first_ms, b_last_ms;
    int64_t a_input, b_input;
    uint64_t a_line, b_line;
    unsigned clocks;
} st_imo_pair;
st_iter *st_imo_shared(pel_store *s, pel_error *err);
int st_imo_pair_next(st_iter *it, st_imo_pair *p, pel_error *err);

/* One distinct voyage report (the voyages table). */
typedef struct st_voyage_row {
    uint32_t mmsi;
    const char *destination, *eta; /* "" when absent; eta as transmitted */
    int draught_dm;                /* -1 when absent */
    int64_t first_ms, last_ms;
    uint64_t reports;
    int64_t first_input;
    uint64_t first_line;
    unsigned clocks;
} st_voyage_row;

/* Merges one voyage report, as st_identity_merge. */
pel_status st_voyage_merge(pel_store *s, const st_voyage_row *r, pel_error *err);

/* The voyage reports of mmsi by first_ms, destination, draught, ETA. */
st_iter *st_voyages_of(pel_store *s, uint32_t mmsi, pel_error *err);
int st_voyage_next(st_iter *it, st_voyage_row *v, pel_error *err);

/* The draught (metres) mmsi reported around time t, from its voyage
 * reports with a draught: before, of those first heard at or before t the
 * one heard last (latest last_ms, then latest first_ms); after, of those
 * last heard at or after t the one heard first (earliest first_ms, then
 * earliest last_ms).  NaN when there is none. */
double st_draught_near(pel_store *s, uint32_t mmsi, int64_t t, bool before);

/* One row of the identities table, absent values as in the schema turned
 * into NULL / 0 / -1: name and callsign NULL when empty, imo 0, shiptype -1. */
typedef struct st_identity {
    char *name; /* owned by the array (st_identities_free) */
    uint32_t imo;
    char *callsign; /* owned by the array */
    int shiptype;
    int64_t first_ms, last_ms;
} st_identity;

/* Reads every identity of mmsi in the order of st_identities_of.  On PEL_OK
 * *out (NULL when there are none) is owned by the caller and freed with
 * st_identities_free(*out, *n).  On failure *out is NULL, *n 0 and err (may
 * be NULL) is filled. */
pel_status st_identities(pel_store *s, uint32_t mmsi, st_identity **out, size_t *n, pel_error *err);

/* Frees an array from st_identities; NULL is accepted. */
void st_identities_free(st_identity *v, size_t n);

/* The latest value of each identity field a vessel broadcast: each taken
 * from the identity row heard last that has it (ties by the smallest
 * value, so the answer is deterministic).  Strings are NULL when never
 * broadcast; imo 0, shiptype -1 when absent. */
typedef struct st_latest {
    char *name; /* owned; free with st_latest_clear */
    uint32_t imo;
    char *callsign; /* owned */
    int shiptype;
    char *destination; /* from the voyage reports; owned */
} st_latest;

/* Fills *l with the latest identity values of mmsi (see st_latest).  On
 * failure every member is absent and err (may be NULL) is filled; the
 * caller frees the strings with st_latest_clear either way. */
pel_status st_latest_identity(pel_store *s, uint32_t mmsi, st_latest *l, pel_error *err);

/* Frees l's strings and sets every member absent.  l may be NULL. */
void st_latest_clear(st_latest *l);

/* The latest broadcast name of mmsi (as st_latest.name), NULL when none or
 * on failure.  The caller frees it. */
char *st_latest_name(pel_store *s, uint32_t mmsi);

/* pel_tracks (pelorus.h) with no name looked up: on_vessel's name is NULL
 * (a query a vessel saved, for those that do not read it: the scan). */
pel_status st_tracks_unnamed(pel_store *s, const pel_track_filter *f,
                             int (*on_vessel)(void *ud, uint32_t mmsi, const char *name, const pel_position *pos,
                                              size_t n),
                             void *ud, pel_error *err);

/* ---- live: pelorus watch's state ------------------------------------------------------------- */

/* Makes the store ready to hold a live service's state (a writing store):
 * a table of values by key, and one of the alerts standing (sent as new or
 * updated, not retracted).  Writes go into the transaction under way. */
pel_status st_live_setup(pel_store *s, pel_error *err);

/* The value of key (*value malloc'd, the caller frees; NULL when there is
 * none). */
pel_status st_live_get(pel_store *s, const char *key, char **value, pel_error *err);
pel_status st_live_put(pel_store *s, const char *key, const char *value, pel_error *err);

/* A standing alert: the finding it is about and the digest of what was
 * last sent of it.  Strings borrowed (for a callback: for the call). */
typedef struct st_live_alert {
    const char *id;
    int64_t seq; /* the sequence number it was last sent with */
    const char *digest;
    const char *event;
    uint32_t mmsi, mmsi2;
    int64_t start_ms, end_ms;
} st_live_alert;

/* Every standing alert to cb (by id); cb returning nonzero stops. */
pel_status st_live_alerts(pel_store *s, int (*cb)(void *ud, const st_live_alert *a), void *ud, pel_error *err);
/* Stores a (a new one or a replacement of the same id); drops the one of id. */
pel_status st_live_alert_put(pel_store *s, const st_live_alert *a, pel_error *err);
pel_status st_live_alert_drop(pel_store *s, const char *id, pel_error *err);

/* Every live journal not finished (inputs read by a live ingest: settings
 * "live", status partial) to cb with its input id, path and the lines of
 * it stored, oldest first. */
pel_status st_live_journals(pel_store *s, int (*cb)(void *ud, int64_t id, const char *path, uint64_t done), void *ud,
                            pel_error *err);

/* One live service a database, where ingests may write beside it
 * (st_parallel_ingest): st_live_lock waits (on_wait told once, may be NULL)
 * for another's to end, and holds the store's lock until st_live_unlock or
 * the connection ends (a killed process included); the service then takes
 * the writer's lock (st_writer_begin) for its track builds only.  Where
 * ingests may not, both are no-ops: the service holds the writer's lock
 * from start to end.  PEL_OK, or PEL_ERR_IO with err filled. */
pel_status st_live_lock(pel_store *s, void (*on_wait)(void *ud, const char *what), void *ud, pel_error *err);
void st_live_unlock(pel_store *s);

/* ---- scan state: what a whole-store scan keeps for the next (src/scan/scan_state.c) ---------------- */

/* The state is a head (one value), a row per vessel (an MMSI and a value)
 * and the vessels' chunks (an MMSI, a part and a value: its kept findings,
 * by week); the values are the scan stage's bytes.  The head and the
 * vessels' rows are replaced together, the chunks one at a time: a chunk
 * that did not change is not written again. */

/* True when the backend keeps a scan state (SQLite; not PostgreSQL yet:
 * every scan of a shared archive judges the whole store). */
bool st_scan_state_kept(const pel_store *s);

/* The head the last whole-store scan kept (*buf malloc'd, the caller
 * frees; NULL and 0 when there is none, or the backend keeps none).
 * PEL_OK, or the store's error with err filled. */
pel_status st_scan_head_get(pel_store *s, void **buf, size_t *len, pel_error *err);

/* The vessels' rows in ascending MMSI (part 0), or with chunks their
 * chunks in ascending MMSI and part; none when there are none.  Read with
 * st_scan_row_next, whose row's bytes are valid until the next call.  NULL
 * with err filled on failure. */
typedef struct st_scan_row {
    uint32_t mmsi;
    int64_t part;
    const void *buf;
    size_t len;
} st_scan_row;
st_iter *st_scan_rows(pel_store *s, bool chunks, pel_error *err);
int st_scan_row_next(st_iter *it, st_scan_row *r, pel_error *err);

/* Replaces the state: st_scan_write_begin starts (a store opened read-only
 * writes through a connection of its own, which never creates the file
 * and waits 2 s at most for a writer; one opened for writing in a
 * savepoint of the transaction under way; fresh: every chunk dropped
 * too), st_scan_write_row adds a vessel's row (ascending MMSI; bytes
 * borrowed), st_scan_write_chunk sets a chunk (bytes borrowed; buf NULL:
 * drops it; part INT64_MIN and buf NULL: drops every chunk of the vessel),
 * st_scan_write_end keeps it all with the head when ok (and drops the
 * chunks of vessels without a row), else drops it, and frees w either
 * way.  NULL or the store's error with err filled; a backend that keeps
 * none returns NULL with err untouched. */
typedef struct st_scan_writer st_scan_writer;
st_scan_writer *st_scan_write_begin(pel_store *s, bool fresh, pel_error *err);
pel_status st_scan_write_row(st_scan_writer *w, uint32_t mmsi, const void *buf, size_t len, pel_error *err);
pel_status st_scan_write_chunk(st_scan_writer *w, uint32_t mmsi, int64_t part, const void *buf, size_t len,
                               pel_error *err);
pel_status st_scan_write_end(st_scan_writer *w, const void *head, size_t len, bool ok, pel_error *err);

/* ---- watchlists ---------------------------------------------------------------------------- */

/* Makes the store ready to hold watchlists (a writing store). */
pel_status st_wl_setup(pel_store *s, pel_error *err);

/* True in *known when an import of that content (SHA-256 of its files) is
 * stored. */
pel_status st_wl_known(pel_store *s, const char *sha256, bool *known, pel_error *err);

/* An import under way: begun by st_wl_import_begin (a transaction holding
 * the import's row, sources: its files' names one a line), fed entries by
 * st_wl_import_add, ended by st_wl_import_end, which commits it or, when
 * ok is false or anything fails, drops all of it: a list is stored whole
 * or not at all.  replace drops the earlier imports of the same list; the
 * import is recorded with its list name, entries and newest listing date
 * (may be NULL).  st_wl_import_end frees imp in every case. */
typedef struct st_wl_import st_wl_import;
st_wl_import *st_wl_import_begin(pel_store *s, const char *sha256, const char *sources, pel_error *err);
pel_status st_wl_import_add(st_wl_import *imp, const pel_wl_entry *e, pel_error *err);
pel_status st_wl_import_end(st_wl_import *imp, bool ok, bool replace, const char *list, uint64_t entries,
                            const char *newest, pel_error *err);

/* The number of stored list entries (0 when no list was ever imported). */
pel_status st_wl_count(pel_store *s, int64_t *n, pel_error *err);

/* Every stored entry, in import order then list order; the entry's
 * strings and arrays are borrowed until the next call. */
st_iter *st_wl_entries(pel_store *s, pel_error *err);
int st_wl_entry_next(st_iter *it, pel_wl_entry *e, pel_error *err);

/* One stored import, for pelorus watchlist show. */
typedef struct st_wl_summary {
    const char *list, *imported; /* imported: ISO-8601 UTC */
    const char *newest_listing;  /* NULL when the list gives no dates */
    const char *sources;         /* its files, one a line */
    int64_t entries, with_imo, with_mmsi, with_other_names;
    int64_t days_ago; /* whole days since imported */
} st_wl_summary;

/* The stored imports in import order; NULL (err filled) also when none was
 * ever made. */
st_iter *st_wl_lists(pel_store *s, pel_error *err);
int st_wl_list_next(st_iter *it, st_wl_summary *w, pel_error *err);

/* ---- inputs as whole rows, and cases imported (the case stage, src/case/) ---------------------- */

/* One row of inputs (docs/schema.md); strings borrowed for the callback. */
typedef struct st_input_row {
    int64_t id;
    const char *path;
    uint64_t size;
    const char *sha256, *format, *settings, *status;
} st_input_row;

/* Every input to cb, by id; cb returning nonzero stops (PEL_STOPPED). */
pel_status st_inputs_each(pel_store *s, int (*cb)(void *ud, const st_input_row *r), void *ud, pel_error *err);

/* A partner's case imported (docs/case.md): its id (the first 16 hex
 * digits of its MANIFEST's SHA-256), title, signer (the Ed25519 public key
 * in hex that signed it, NULL when unsigned), the database it was exported
 * from, the Pelorus version that exported it, when it was imported (ISO),
 * from where, and its counts.  Strings borrowed. */
typedef struct st_case_row {
    const char *case_id, *title, *signer, *origin, *pelorus, *imported, *path;
    int64_t findings, lines;
} st_case_row;

/* One finding of an imported case, as the partner's case gives it (json:
 * the line of its findings.jsonl). */
typedef struct st_case_finding {
    const char *case_id;
    int64_t seq; /* its line in the case's findings.jsonl */
    const char *finding_id, *event;
    uint32_t mmsi, mmsi2;
    int64_t start_ms, end_ms;
    const char *json;
} st_case_finding;

/* Makes the store ready to hold imported cases (a writing store); writes
 * go into the transaction under way. */
pel_status st_case_setup(pel_store *s, pel_error *err);
pel_status st_case_add(pel_store *s, const st_case_row *r, pel_error *err);
pel_status st_case_finding_add(pel_store *s, const st_case_finding *f, pel_error *err);
/* The cases imported, oldest first (none when no case was ever imported). */
pel_status st_cases(pel_store *s, int (*cb)(void *ud, const st_case_row *r), void *ud, pel_error *err);
/* The findings of case_id (NULL: every case) about mmsi (0: any), by case
 * and line. */
pel_status st_case_findings(pel_store *s, const char *case_id, uint32_t mmsi,
                            int (*cb)(void *ud, const st_case_finding *f), void *ud, pel_error *err);

/* ---- reviews of findings (pelorus review, docs/review.md) ---------------------------------- */

/* One review: the finding (its finding_id), its number among the
 * finding's reviews (from 1), the status (confirmed, dismissed, open), the
 * note, who and when (ISO).  Strings borrowed. */
typedef struct st_review {
    const char *finding_id;
    int64_t seq;
    const char *status, *note, *by, *at;
} st_review;

/* Records r (its seq is the next of its finding's, set in *seq; may be
 * NULL) in the transaction under way, or on its own. */
pel_status st_review_add(pel_store *s, const st_review *r, int64_t *seq, pel_error *err);
/* The reviews of finding_id (NULL: of every finding) by finding id and
 * seq, to cb; cb returning nonzero stops (PEL_STOPPED).  None when nothing
 * was ever reviewed. */
pel_status st_reviews(pel_store *s, const char *finding_id, int (*cb)(void *ud, const st_review *r), void *ud,
                      pel_error *err);

/* ---- the findings layer (PostgreSQL's PostGIS table findings; docs/schema.md) --------------- */

/* One finding of a scan as the layer holds it.  Strings borrowed until the
 * next row is asked for. */
typedef struct st_layer_finding {
    const char *finding_id, *event;
    uint32_t mmsi, mmsi2;
    int64_t start_ms, end_ms;
    const char *json; /* its JSON line as written, without the newline */
    int geom;         /* 0 none, 1 a point (lon[0], lat[0]), 2 a line from there to (lon[1], lat[1]) */
    double lon[2], lat[2];
} st_layer_finding;

/* Replaces the findings layer by the rows next gives (1 with *f filled, 0
 * at the end, -pel_status with err filled), in one transaction of its own:
 * readers see the old rows or the new ones, never a mix.  A store without
 * the layer (SQLite), opened read-only, or whose role may not write the
 * layer (pelorus_analyst) leaves it as it is without calling next:
 * *stored false.  On failure the old rows stay. */
pel_status st_findings_replace(pel_store *s, int (*next)(void *ud, st_layer_finding *f, pel_error *err), void *ud,
                               bool *stored, pel_error *err);

#endif
