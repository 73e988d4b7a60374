/*
 * pelorus.h -- the public API of libpelorus, and its reference.
 *
 * Pelorus turns raw AIS -- NMEA 0183 AIVDM/AIVDO sentences, plain or gzip,
 * and CSV exports (NOAA, DMA, Kystverket, BarentsWatch, any CSV through a
 * column map) -- into evidence: decoded messages, a store of positions,
 * tracks and identity histories (SQLite), findings that point back to the
 * input lines that prove them (encounters, loitering, gaps, port visits,
 * zone entries, spoofing, identity changes, sanctions-list matches), risk
 * scores with their reasons, and the evidence report.  It also simulates
 * AIS with known answers and scores findings against them.  The sections
 * below follow that pipeline.  This header is everything a program needs;
 * nothing else under src/ is public.
 *
 * Conventions, for every function below:
 *   - Names start with pel_.  Types are pel_name, constants PEL_NAME.
 *   - Errors are values: functions return PEL_OK or a pel_status, and fill a
 *     pel_error with a message when the caller passed one.  The library never
 *     exits and never writes to stdout or stderr.
 *   - Constructors return NULL on failure; every _free accepts NULL.
 *   - Ownership is stated in each comment: "borrowed" pointers stay owned by
 *     the library and are valid only for the time stated.
 */
#ifndef PELORUS_H
#define PELORUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PEL_VERSION "0.1.0"

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

typedef enum pel_status {
    PEL_OK = 0,
    PEL_ERR_NOMEM,  /* an allocation failed */
    PEL_ERR_IO,     /* reading or writing a file failed */
    PEL_ERR_ARG,    /* the caller passed something unusable */
    PEL_ERR_FORMAT, /* the input is not in a format we can read */
    PEL_STOPPED     /* a callback asked to stop */
} pel_status;

typedef struct pel_error {
    pel_status code;
    char msg[256]; /* why, in words; a longer message is cut, ending in "..." */
} pel_error;

/* Why an input line did not become (part of) a message.  Every line of input
 * ends up either in a decoded message, in one of these counters, or in the
 * "ignored" counters of pel_stats: nothing is lost silently. */
typedef enum pel_reject {
    PEL_REJ_NONE = 0,
    PEL_REJ_TOO_LONG,       /* line longer than PEL_MAX_LINE bytes */
    PEL_REJ_BINARY,         /* NUL or other control bytes: not text */
    PEL_REJ_MALFORMED,      /* not the AIVDM field layout */
    PEL_REJ_CHECKSUM,       /* sentence checksum missing or wrong */
    PEL_REJ_TAG_BLOCK,      /* tag block with a bad checksum or syntax */
    PEL_REJ_BAD_CHAR,       /* payload character outside the 6-bit armour */
    PEL_REJ_BAD_FILL,       /* fill bits not 0..5, or too many for the payload */
    PEL_REJ_FRAG_ORPHAN,    /* a later fragment whose first part never came */
    PEL_REJ_FRAG_DUPLICATE, /* a fragment number seen twice in one message */
    PEL_REJ_FRAG_STALE,     /* a partial message expired before completion */
    PEL_REJ_BAD_LENGTH,     /* payload length impossible for its type */
    PEL_REJ_BAD_TYPE,       /* message type 0 or above 27 */
    PEL_REJ__COUNT
} pel_reject;

/* Returns a short stable name for a reject reason ("checksum", ...).  The
 * string is static. */
const char *pel_reject_name(pel_reject why);

/* ------------------------------------------------------------------------ */
/* Decoded messages                                                          */
/* ------------------------------------------------------------------------ */

#define PEL_MAX_LINE (1024 * 1024)  /* longest accepted input line */
#define PEL_AIS_MAX_FIELDS 128      /* fields of one decoded message */
#define PEL_AIS_MAX_BITS (6 * 1024) /* longest reassembled payload */

/* How a field's raw value is to be presented.  The JSON writer scales by
 * kind, the way gpsd does.  Field names follow gpsd's AIVDM document. */
typedef enum pel_field_kind {
    PEL_F_UINT,        /* unsigned integer */
    PEL_F_INT,         /* signed integer */
    PEL_F_BOOL,        /* 1 bit: true/false */
    PEL_F_TEXT,        /* 6-bit text, trailing '@' and spaces removed (s, slen) */
    PEL_F_LON4,        /* longitude, 1/10000 minute; 181 deg = not available */
    PEL_F_LAT4,        /* latitude, 1/10000 minute; 91 deg = not available */
    PEL_F_LON1,        /* longitude, 1/10 minute (types 17 and 27) */
    PEL_F_LAT1,        /* latitude, 1/10 minute */
    PEL_F_SPEED,       /* speed over ground, 1/10 knot; 1023 = not available */
    PEL_F_COURSE,      /* course over ground, 1/10 degree; 3600 = n/a */
    PEL_F_HEADING,     /* true heading, degrees; 511 = not available */
    PEL_F_TURN,        /* rate of turn, ROT_AIS encoding; -128 = n/a */
    PEL_F_DRAUGHT,     /* draught, 1/10 metre */
    PEL_F_STATUS,      /* navigation status, with status_text */
    PEL_F_STATUS27,    /* navigation status, status_text only when scaled */
    PEL_F_SHIPTYPE,    /* ship and cargo type, with shiptype_text */
    PEL_F_EPFD,        /* position fixing device, with epfd_text */
    PEL_F_AIDTYPE,     /* aid-to-navigation type, with aid_type_text */
    PEL_F_STATIONTYPE, /* station type (type 23), with stationtype_text */
    PEL_F_ETA,         /* packed month/day/hour/minute, 20 bits: "MM-DDTHH:MMZ" */
    PEL_F_DATA,        /* binary data: v = bit count, s = hex, printed "n:hex" */
    PEL_F_SPEED9,      /* type 9 speed in knots; 1023 = n/a */
    PEL_F_SPEED27,     /* type 27 speed in knots; 63 = n/a */
    PEL_F_COURSE27,    /* type 27 course in degrees; 511 = n/a */
    PEL_F_TIME4,       /* type 4/11 UTC, v = packed year..second, see ais_msg.c */
    PEL_F_CORNER,      /* type 22/23 corner, 1/10 minute, printed as a string */
    PEL_F_SKIP         /* decoded but not printed (spare bits) */
} pel_field_kind;

typedef struct pel_ais_field {
    const char *name; /* static string */
    uint8_t namelen;  /* strlen(name) */
    uint8_t kind;     /* pel_field_kind */
    int64_t v;        /* raw value as transmitted (sign-extended for INT) */
    const char *s;    /* text or hex: borrowed from the owning pel_ais_msg */
    uint16_t slen;
} pel_ais_field;

/* Which clock a receive time came from, best first (docs/decode.md, "Receive
 * time").  A receiver's own time beats the time a line reached a collector:
 * satellite and store-and-forward feeds deliver lines minutes to hours late
 * and out of order, and only the receiver time says when the ship spoke. */
typedef enum pel_clock {
    PEL_CLOCK_NONE = 0,  /* no time */
    PEL_CLOCK_TAG_BLOCK, /* NMEA 4 tag block c: (receiver) */
    PEL_CLOCK_PGHP,      /* Gatehouse/exactEarth $PGHP line (receiver) */
    PEL_CLOCK_PREFIX,    /* a time written before the sentence by the receiver */
    PEL_CLOCK_REPORT,    /* a CSV export's time column (the provider's receive time) */
    PEL_CLOCK_TRAILER,   /* a time after the checksum: when the line reached a collector */
    PEL_CLOCK_ASSUMED,   /* --assume-time: no time in the input at all */
    PEL_CLOCK__COUNT
} pel_clock;

/* A short stable name for a clock ("tag_block", "pghp", "prefix", "report",
 * "trailer", "assumed", "none").  Static string. */
const char *pel_clock_name(pel_clock c);

/* True for the clocks that say when a receiver heard the message (tag
 * block, $PGHP, prefix, a CSV export's time); false for arrival trailers,
 * assumed times and none. */
bool pel_clock_is_receiver(pel_clock c);

/* One decoded AIS message.  Large (about 12 KiB): callers reuse one.  All
 * pointers inside are borrowed from the message itself or from the decoder
 * that filled it, and are valid until that decoder fills the next message. */
typedef struct pel_ais_msg {
    /* where it came from */
    const char *file;   /* input name given to the decoder (borrowed) */
    uint64_t line;      /* line number of the first fragment, from 1 */
    uint64_t line_last; /* line number of the last fragment */
    int64_t rx_ms;      /* receive time, Unix ms; valid if has_rx */
    bool has_rx;
    uint8_t rx_clock;   /* pel_clock: where rx_ms came from */
    const char *source; /* tag-block s: or receiver station, or NULL */
    char talker[3];     /* "AI", "BS", ... */
    char channel;       /* 'A', 'B', ... or 0 */
    bool own;           /* true for VDO (own ship) */
    int fragments;      /* number of sentences */

    /* header fields common to every type */
    int type;
    int repeat;
    uint32_t mmsi;

    /* a normalised view for later stages; NaN / -1 where not present */
    double lat, lon;                             /* degrees, NaN if not available or out of range */
    int32_t lat_raw, lon_raw;                    /* as transmitted, in 1/600000 degree (type 27
                                                  scaled up), out-of-range values kept; 91 and
                                                  181 degrees when absent */
    double speed;                                /* knots */
    double course;                               /* degrees */
    int heading;                                 /* degrees, -1 if not available */
    int status;                                  /* navigation status, -1 if not present */
    int second;                                  /* UTC second of the report, -1 if not present */
    int partno;                                  /* type 24: 0 = part A, 1 = part B; else -1 */
    uint32_t imo;                                /* type 5, 0 if absent */
    int shiptype;                                /* -1 if absent */
    int to_bow, to_stern, to_port, to_starboard; /* -1 if absent */
    double draught;                              /* metres, NaN if absent */
    const char *shipname;                        /* borrowed, NULL if absent */
    const char *callsign;
    const char *destination;
    char eta[13]; /* type 5: the ETA as transmitted, "MM-DDTHH:MMZ"
                     (00-00T24:60Z when not available); else "" */

    /* every field, in transmission order */
    int nfields;
    pel_ais_field f[PEL_AIS_MAX_FIELDS];

    /* storage for texts and hex data referenced by f[] */
    size_t textlen;
    char text[PEL_AIS_MAX_BITS / 2 + 1024];

    /* the reassembled payload */
    int bitlen;
    uint8_t bits[PEL_AIS_MAX_BITS / 8];
} pel_ais_msg;

/* Copies src into dst and points dst's texts (shipname, callsign,
 * destination, fields' s) into dst's own storage, so dst outlives the
 * decoder's next message.  file and source stay borrowed from the decoder
 * (valid until it is freed or given another file). */
void pel_ais_msg_copy(pel_ais_msg *dst, const pel_ais_msg *src);

/* Returns the field named name in m, or NULL.  Borrowed from m. */
const pel_ais_field *pel_ais_get(const pel_ais_msg *m, const char *name);

/* Decodes a de-armoured payload (bitlen bits in bits, MSB first) into m's
 * header, normalised and field members; the provenance members are left
 * alone.  Returns PEL_REJ_NONE, PEL_REJ_BAD_TYPE or PEL_REJ_BAD_LENGTH; on
 * failure m->type and m->mmsi are set when the payload was long enough. */
pel_reject pel_ais_decode_bits(pel_ais_msg *m, const uint8_t *bits, int bitlen);

/* ------------------------------------------------------------------------ */
/* The decoder: lines in, messages out                                       */
/* ------------------------------------------------------------------------ */

typedef struct pel_decoder pel_decoder;

typedef struct pel_decoder_opts {
    int64_t frag_timeout_ms; /* a partial message older than this (by receive
                                time) expires; default 60000 */
    uint64_t frag_max_lines; /* ... or further back than this many lines;
                                default 2000 */
    int max_pending;         /* partial messages held at once; default 512 */
} pel_decoder_opts;

/* Counters, cumulative over the decoder's life. */
typedef struct pel_stats {
    uint64_t lines;         /* lines read */
    uint64_t sentences;     /* AIVDM/AIVDO sentences accepted */
    uint64_t messages;      /* messages decoded */
    uint64_t ignored_blank; /* empty lines and # comments */
    uint64_t ignored_other; /* other NMEA or text that is not AIS */
    uint64_t with_time;     /* messages with a receive time */
    uint64_t rejected[PEL_REJ__COUNT];
    uint64_t by_type[32];                /* messages decoded, by type */
    uint64_t by_clock[PEL_CLOCK__COUNT]; /* messages by where their time came
                                from (PEL_CLOCK_NONE: no time) */
    uint64_t oversize;                   /* messages longer than their type's standard
                                            length, decoded at that length (not rejects) */
    uint64_t tag_block_checksum;         /* sentences kept although their tag block's
                                        checksum failed (its fields used where they parse) */
} pel_stats;

/* What the decoder tells its caller about a rejected line. */
typedef struct pel_reject_info {
    pel_reject why;
    uint64_t line;    /* line number (first line of a stale message) */
    const char *text; /* the line as read, borrowed for the call */
    size_t len;
    const char *detail; /* a short explanation, static or borrowed */
    uint64_t at_line;   /* the line whose turn it was when this was
                           decided (later than line for a stale message;
                           a held line's turn is its own number) */
} pel_reject_info;

/* Callbacks.  on_msg's m and on_reject's r are borrowed for the call only.
 * on_msg returns 0 to go on, non-zero to stop the feed (PEL_STOPPED). */
typedef struct pel_decode_cb {
    int (*on_msg)(void *ud, const pel_ais_msg *m);
    void (*on_reject)(void *ud, const pel_reject_info *r);
    void *ud;
} pel_decode_cb;

/* Creates a decoder.  opts may be NULL for the defaults; cb is copied.
 * Returns NULL when out of memory.  Free with pel_decoder_free. */
pel_decoder *pel_decoder_new(const pel_decoder_opts *opts, const pel_decode_cb *cb);

/* Frees d and everything it holds; NULL is accepted. */
void pel_decoder_free(pel_decoder *d);

/* Sets the input name reported in messages (m->file).  name is copied. */
pel_status pel_decoder_set_file(pel_decoder *d, const char *name);

/* Feeds one line (without its line terminator; a trailing CR is ignored).
 * lineno is the caller's line number.  Calls the callbacks for each message
 * completed and each line rejected, in line order.  Once the input has shown
 * a $PGHP line or a sentence timed only by a trailer, a message that a
 * $PGHP up to 16 lines after it may still time is held (its lines copied, at
 * most 17 lines) and reported when that is decided, at the latest by
 * pel_decoder_flush; callbacks then report the held line's own number.
 * Returns PEL_OK, or PEL_STOPPED when on_msg asked to stop. */
pel_status pel_decoder_line(pel_decoder *d, const char *line, size_t len, uint64_t lineno);

/* Reports a line that was too long to be read (the reader does this itself
 * through pel_decode_file).  head is the first bytes of it. */
void pel_decoder_too_long(pel_decoder *d, const char *head, size_t len, uint64_t lineno);

/* Ends the input: reports the held lines, then expires every partial
 * message (reported as stale).  After on_msg asked to stop, held lines are
 * dropped instead.  The decoder can be fed again afterwards. */
void pel_decoder_flush(pel_decoder *d);

/* Returns the decoder's counters, borrowed for the decoder's life. */
const pel_stats *pel_decoder_stats(const pel_decoder *d);

/* As pel_decode_file, but lines before first_line are read and counted
 * without being fed to d (to continue an interrupted run). */
pel_status pel_decode_file_at(pel_decoder *d, const char *path, uint64_t first_line, pel_error *err);

/* Reads path ("-" for standard input), plain or gzip-compressed (detected
 * from the content), line by line into d, then flushes d.  Lines longer than
 * PEL_MAX_LINE are rejected without being held in memory.  Returns PEL_OK,
 * PEL_STOPPED, or PEL_ERR_IO with err filled (err may be NULL). */
pel_status pel_decode_file(pel_decoder *d, const char *path, pel_error *err);

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */

enum {
    PEL_JSON_UNSCALED = 1u << 0, /* raw integers, as gpsdecode -u */
    PEL_JSON_NO_META = 1u << 1   /* leave out rxtime/rxclock/source/file/line */
};

/* Writes m as one JSON object (no newline) into buf of size cap, with gpsd's
 * field names and scaling, then the receive time ("rxtime", ISO-8601 UTC)
 * and where it came from ("rxclock", pel_clock_name), "source", "file",
 * "line" (and "line_last" when the message spans lines).  Fields whose
 * value means "not available" (lat 91, lon 181, speed 102.3, heading 511,
 * course 360, ...) are left out when scaled.  Returns the length written
 * (buf is NUL-terminated), or 0 when cap is too small; PEL_AIS_JSON_MAX
 * always suffices. */
#define PEL_AIS_JSON_MAX (64 * 1024)
size_t pel_ais_json(const pel_ais_msg *m, unsigned flags, char *buf, size_t cap);

/* Formats Unix milliseconds as ISO-8601 UTC ("2024-01-02T03:04:05Z", or
 * with ".123" when ms is not a whole second) into buf (>= 32 bytes).
 * Returns the length. */
size_t pel_format_time(int64_t ms, char *buf);

/* Parses an ISO-8601 time ("2024-01-02T03:04:05Z": T, t or a space between
 * date and time, an optional fraction, then nothing (UTC), Z, or an offset
 * +hh, +hhmm, +hh:mm or -... of at most 14:00) or Unix time (seconds with
 * an optional fraction; 13 to 16 digits without a fraction are
 * milliseconds).  Strict: the day must exist in its month (leap years
 * counted), hours 0-23, minutes and seconds 0-59.  Blanks around are
 * ignored.  Returns true and sets *ms on success; *ms is untouched
 * otherwise.  s is only read during the call. */
bool pel_parse_time(const char *s, size_t len, int64_t *ms);

/* Parses s with a time format (docs/formats.md, "Time formats"):
 *   NULL, "" or "auto"  as pel_parse_time
 *   "iso"               ISO-8601 only
 *   "unix"              Unix seconds, optional fraction
 *   "unix_ms"           Unix milliseconds, digits only
 *   a pattern           e.g. "%d/%m/%Y %H:%M:%S": %Y four-digit year, %m
 *                       month and %d day (1-2 digits), %b month as Jan..Dec,
 *                       %H %M %S (1-2 digits), %T = %H:%M:%S, %f fraction
 *                       digits (1-9, milliseconds kept), %z UTC offset as in
 *                       pel_parse_time, %s Unix seconds, %% a '%'; a blank
 *                       matches any run of blanks (or none); any other
 *                       character matches itself.  No %z: UTC.
 * The whole of s (blanks around ignored) must match, with the same range
 * checks as pel_parse_time.  Returns true and sets *ms on success. */
bool pel_parse_time_fmt(const char *fmt, const char *s, size_t len, int64_t *ms);

/* True when fmt is a time format pel_parse_time_fmt understands (a pattern
 * needs a whole date: %Y, %m or %b, and %d, or %s).  Otherwise writes why
 * into why (cap bytes; why may be NULL) and returns false. */
bool pel_time_format_check(const char *fmt, char *why, size_t cap);

/* ------------------------------------------------------------------------ */
/* Records: what every input format becomes                                  */
/* ------------------------------------------------------------------------ */

/* Positions are kept in AIS units: latitude and longitude in 1/600000
 * degree (1/10000 minute, as class A reports carry them), speed in 1/10
 * knot, course in 1/10 degree. */
#define PEL_DEG 600000
#define PEL_NA_LAT (91 * PEL_DEG)
#define PEL_NA_LON (181 * PEL_DEG)
#define PEL_NA_SPEED 1023
#define PEL_NA_COURSE 3600
#define PEL_NA_HEADING 511
#define PEL_NA_STATUS 15

enum {
    PEL_REC_POSITION = 1, /* a position report */
    PEL_REC_STATIC = 2,   /* identity and/or voyage data */
};

/* One input record, from an NMEA message or a CSV row.  A CSV row may be
 * both a position and a static report (kind = POSITION|STATIC).  Text
 * members are borrowed for the callback only.  Absent values: texts NULL,
 * numbers -1 (imo 0, draught_dm -1), unless stated. */
typedef struct pel_record {
    unsigned kind; /* PEL_REC_ bits */
    uint32_t mmsi;
    bool has_time;
    int64_t t_ms;  /* receive (or report) time, Unix ms */
    uint8_t clock; /* pel_clock: where t_ms came from */
    int type;      /* AIS message type; CSV: 1 class A, 18 class B */
    /* position */
    int32_t lat, lon;                   /* 1/600000 degree; PEL_NA_LAT/LON if absent */
    int speed, course, heading, status; /* PEL_NA_ values if absent */
    /* static / voyage */
    const char *shipname, *callsign, *destination, *eta;
    uint32_t imo;
    int shiptype;
    int to_bow, to_stern, to_port, to_starboard;
    int draught_dm; /* decimetres */
    int partno;     /* type 24 part, else -1 */
    /* provenance */
    const char *source; /* receiver / tag-block source, or NULL */
    uint64_t line, line_last;
    int second; /* NMEA only: the report's UTC second 0..59, -1 if
                   absent (CSV readers need not set it) */
} pel_record;

/* Fills r from a decoded message.  Returns false for messages that carry
 * neither a position nor identity data (they are not stored).  r's texts
 * are borrowed from m. */
bool pel_record_from_msg(pel_record *r, const pel_ais_msg *m);

/* ------------------------------------------------------------------------ */
/* CSV exports: NOAA, DMA, Kystverket, BarentsWatch and any CSV by its columns */
/* ------------------------------------------------------------------------ */

typedef enum pel_csv_format {
    PEL_CSV_AUTO = 0,     /* from the header line: one of the named formats */
    PEL_CSV_NOAA,         /* MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,... */
    PEL_CSV_DMA,          /* # Timestamp,Type of mobile,MMSI,Latitude,Longitude,... */
    PEL_CSV_KYSTVERKET,   /* mmsi;imo_nr;length;date_time_utc;lon;lat;sog;cog;true_heading;nav_status;message_nr */
    PEL_CSV_BARENTSWATCH, /* courseOverGround,latitude,longitude,name,...,mmsi,msgtime,stream */
    PEL_CSV_GENERIC       /* any CSV with a header: columns by a column map, or by their usual names */
} pel_csv_format;

/* How pel_csv_read_opts reads a file.  A zeroed struct is PEL_CSV_AUTO
 * with every default. */
typedef struct pel_csv_opts {
    pel_csv_format format;
    const char *columns;     /* PEL_CSV_GENERIC: "field=Header[/N],..." (docs/formats.md): mmsi and
                                time required; NULL: columns found by their usual names (MMSI,
                                Latitude, SOG, ...); other formats: must be NULL */
    const char *time_format; /* NULL or "auto": each format's own; else as pel_parse_time_fmt */
    char delimiter;          /* 0: from the header line (the most frequent of , ; tab |) */
    const char *name;        /* the input's name in messages; NULL: path */
} pel_csv_opts;

/* Reasons a CSV row is rejected; counted in pel_csv_stats.rejected. */
typedef enum pel_csv_reject {
    PEL_CSV_REJ_NONE = 0,
    PEL_CSV_REJ_SYNTAX,   /* unbalanced quotes, wrong number of fields */
    PEL_CSV_REJ_MMSI,     /* MMSI missing or not a number */
    PEL_CSV_REJ_TIME,     /* timestamp missing or unparseable */
    PEL_CSV_REJ_NUMBER,   /* a numeric field that is not a number */
    PEL_CSV_REJ_TOO_LONG, /* a row longer than PEL_MAX_LINE */
    PEL_CSV_REJ__COUNT
} pel_csv_reject;

const char *pel_csv_reject_name(pel_csv_reject why);

typedef struct pel_csv_stats {
    uint64_t rows;    /* data rows read (header excluded) */
    uint64_t records; /* rows delivered as records */
    uint64_t rejected[PEL_CSV_REJ__COUNT];
} pel_csv_stats;

typedef struct pel_csv_cb {
    /* r is borrowed for the call; return non-zero to stop (PEL_STOPPED) */
    int (*on_record)(void *ud, const pel_record *r);
    /* text is the raw row, borrowed for the call */
    void (*on_reject)(void *ud, uint64_t line, pel_csv_reject why, const char *detail, const char *text, size_t len);
    void *ud;
} pel_csv_cb;

/* Detects a named format (NOAA, DMA, Kystverket, BarentsWatch) from the
 * first line (header), with its own delimiter.  Returns PEL_CSV_AUTO when it
 * is none of them. */
pel_csv_format pel_csv_detect(const char *line, size_t len);

/* The delimiter of a header line: the most frequent of ',', ';', tab and
 * '|' outside double quotes; ',' when there is none. */
char pel_csv_delimiter(const char *line, size_t len);

/* For a first line that no format recognised: true when it looks like a
 * CSV header (three or more fields, none empty), with a sentence for the
 * user in buf (cap bytes, NUL-terminated, truncated): its columns, that it
 * is none of the named formats, and the --format csv --columns to try,
 * guessed from the column names.  False (buf "") otherwise. */
bool pel_csv_describe(const char *line, size_t len, char *buf, size_t cap);

/* Checks a column map for pel_csv_opts.columns.  PEL_OK, or PEL_ERR_ARG
 * with err saying what is wrong (an unknown field, a field named twice,
 * mmsi or time missing, ...). */
pel_status pel_csv_check_columns(const char *columns, pel_error *err);

/* Reads a CSV export (plain or gzip, "-" for stdin) with a real CSV parser
 * (quoted fields, embedded delimiters and quotes), starting after line
 * skip_lines (0 for all; the header is always read).  Each data row
 * becomes one pel_record (clock PEL_CLOCK_REPORT): a position when it has
 * coordinates, static data when it has a name, IMO, call sign, type,
 * dimensions, draught or destination.  Coordinates are kept as given (range
 * checks are the store's); "not available" encodings of each format (empty,
 * NA, None, DMA's "Undefined", 91/181, ...) become absent values.  Times
 * are UTC unless they carry an offset.  o may be NULL (PEL_CSV_AUTO).
 * Returns PEL_OK, PEL_STOPPED, PEL_ERR_ARG (bad options), PEL_ERR_FORMAT
 * (a header that is not of the format, or lacks a mapped column; err says
 * why) or PEL_ERR_IO. */
pel_status pel_csv_read_opts(const char *path, const pel_csv_opts *o, uint64_t skip_lines, const pel_csv_cb *cb,
                             pel_csv_stats *stats, pel_error *err);

/* pel_csv_read_opts with only a format. */
pel_status pel_csv_read(const char *path, pel_csv_format fmt, uint64_t skip_lines, const pel_csv_cb *cb,
                        pel_csv_stats *stats, pel_error *err);

/* ------------------------------------------------------------------------ */
/* Track export                                                              */
/* ------------------------------------------------------------------------ */

/* One stored position, as the store returns it. */
typedef struct pel_position {
    uint32_t mmsi;
    int64_t t_ms;
    int32_t lat, lon;       /* 1/600000 degree */
    uint16_t speed, course; /* 1/10 knot, 1/10 degree; PEL_NA_ if absent */
    uint16_t heading;       /* degrees, PEL_NA_HEADING if absent */
    uint8_t status;         /* navigation status, PEL_NA_STATUS if absent */
    uint8_t type;           /* AIS message type (CSV: 1 class A, 18 class B) */
    uint8_t flags;          /* PEL_POS_ flags */
    int32_t segment;        /* segment number within the vessel, -1 none */
    uint32_t input;         /* inputs.id of the file it came from */
    uint32_t source;        /* sources.id of the receiver, 0 if none */
    uint64_t line;          /* line in that file */
    int8_t second;          /* the report's own UTC second 0..59, -1 if unknown */
    uint8_t clock;          /* pel_clock: where t_ms came from (PEL_CLOCK_NONE when not
                               known, as for positions stored before clocks were kept) */
} pel_position;

enum {
    PEL_POS_SUSPECT_SPEED = 1u << 0, /* reached only at an impossible speed */
    PEL_POS_ISOLATED = 1u << 1,      /* a segment of its own (a lone outlier) */
    PEL_POS_BAD_COORD = 1u << 2,     /* coordinates out of range: no segment */
    PEL_POS_BAD_TIME = 1u << 3,      /* time before 1990 or in the future */
};

typedef enum pel_export_format {
    PEL_EXPORT_GEOJSON = 1, /* FeatureCollection: a LineString per segment */
    PEL_EXPORT_CSV,         /* one row per position */
    PEL_EXPORT_KML          /* Document, a Folder per vessel, a Placemark per segment */
} pel_export_format;

typedef struct pel_export pel_export;

/* Starts an export to out (not closed by the library).  Returns NULL and
 * fills err on failure. */
pel_export *pel_export_new(FILE *out, pel_export_format fmt, pel_error *err);

/* Writes one vessel's positions (sorted by time; segment ids set) with its
 * display name (may be NULL).  pos is borrowed for the call. */
pel_status pel_export_vessel(pel_export *x, uint32_t mmsi, const char *name, const pel_position *pos, size_t n);

/* Ends the document, flushes, frees x.  Returns PEL_ERR_IO if writing
 * failed at any point.  x may be NULL. */
pel_status pel_export_finish(pel_export *x, pel_error *err);

/* ------------------------------------------------------------------------ */
/* The store: an embedded SQLite database of positions and identities        */
/* ------------------------------------------------------------------------ */

typedef struct pel_store pel_store;

/* Opens (creating it and its schema if needed) the database at path, in
 * WAL mode.  readonly opens an existing database without writing; in a
 * read-only place (its -shm cannot be created) it reads the file as
 * immutable when no -wal holds changes (docs/schema.md).  An existing file
 * is identified before anything is written to it: one that is not a
 * Pelorus database (PEL_ERR_FORMAT), of a newer schema version, or of an
 * older one that cannot be migrated is refused and left byte for byte as
 * it was.  Returns NULL with err filled on failure.  Close with
 * pel_store_close. */
pel_store *pel_store_open(const char *path, bool readonly, pel_error *err);

/* Closes s; NULL is accepted. */
void pel_store_close(pel_store *s);

typedef enum pel_input_format {
    PEL_IN_AUTO = 0, /* from the content: a named CSV format by its header, else NMEA when the
                        file has AIS sentences; anything else is refused (docs/formats.md) */
    PEL_IN_NMEA,
    PEL_IN_NOAA,
    PEL_IN_DMA,
    PEL_IN_KYSTVERKET,
    PEL_IN_BARENTSWATCH,
    PEL_IN_CSV /* the generic CSV reader (pel_csv_opts.columns) */
} pel_input_format;

/* Reasons a record is refused by the store, after decoding. */
typedef enum pel_ingest_reject {
    PEL_ING_REJ_NO_TIME = 0,  /* no receive time and no --assume-time */
    PEL_ING_REJ_MMSI,         /* MMSI beyond the 30-bit AIS field (CSV only); junk MMSIs
                                 that AIS can carry (0, 12345678...) are kept */
    PEL_ING_REJ_BAD_TIME,     /* before 1990 or more than a day in the future */
    PEL_ING_REJ_BAD_POSITION, /* latitude or longitude out of range */
    PEL_ING_REJ__COUNT
} pel_ingest_reject;

const char *pel_ingest_reject_name(pel_ingest_reject why);

typedef struct pel_ingest_opts {
    pel_input_format format;
    bool assume_time; /* give records without a time assume_ms */
    int64_t assume_ms;
    uint64_t commit_every; /* records per transaction; 0 = 500000 */
    double max_speed_kn;   /* track building: see docs/tracks.md; 0 = default */
    double max_silence_h;
    int dedupe_window_s;
    double arrival_slack_h; /* track building: how late an arrival-trailer or assumed time
                               may be (0 = 3 h); docs/tracks.md */
    /* every rejected line or row: file, line, reason name, detail, text */
    void (*on_reject)(void *ud, const char *file, uint64_t line, const char *reason, const char *detail,
                      const char *text, size_t len);
    /* progress: called about once a second during a file */
    void (*on_progress)(void *ud, const char *file, uint64_t lines, uint64_t records);
    void *ud;
    /* CSV inputs (pel_csv_opts): a column map for the generic reader (with format AUTO it
       means PEL_IN_CSV), a time format, a delimiter (0: from the header) */
    const char *columns;
    const char *time_format;
    char delimiter;
    /* an input that was not ingested while the others were: missing, unreadable, or not
       understood; msg (any length, borrowed for the call) names it and says what it looked like */
    void (*on_input_error)(void *ud, const char *file, pel_status code, const char *msg);
    /* another ingest holds the database's lock (lock_path, borrowed for the
       call): called once, before waiting for it; may be NULL */
    void (*on_wait)(void *ud, const char *lock_path);
} pel_ingest_opts;

typedef struct pel_ingest_stats {
    uint64_t inputs;        /* files ingested in full by this call */
    uint64_t skipped;       /* files already in the store (same content) */
    uint64_t resumed;       /* files continued after an interrupted run */
    uint64_t failed;        /* inputs not ingested: missing, unreadable or not understood (nothing of
                               them recorded; the other inputs are ingested) */
    uint64_t lines;         /* lines or rows read */
    uint64_t positions;     /* position records stored */
    uint64_t statics;       /* identity/voyage records stored */
    uint64_t ignored;       /* messages of no use to tracks (base stations, binary...) */
    uint64_t rejected;      /* lines/rows/records refused, all reasons */
    uint64_t by_reason[64]; /* per reason, indexed as pel_ingest_reason_name() */
    uint64_t vessels_built; /* vessels whose tracks were rebuilt */
    uint64_t duplicates;    /* receptions of the same report removed */
    double read_s, build_s; /* wall seconds reading inputs, building tracks */
} pel_ingest_stats;

/* The reject reasons of every stage in one list: index -> name ("checksum",
 * "syntax", "no_time", ...); NULL past the end.  Static strings. */
const char *pel_ingest_reason_name(int index);

/* Ingests the files (NMEA plain/gzip, or a CSV export: NOAA, DMA,
 * Kystverket, BarentsWatch, or any CSV through a column map) into s and
 * rebuilds the tracks of every vessel they touched.  Each input is read
 * once: a pipe, "-" (standard input), /dev/fd/N or a process substitution is
 * copied to a temporary file ($TMPDIR, else /tmp) while it is hashed, then
 * read from there.
 *
 * An input is known by its content (SHA-256), the format it was read in and
 * the settings that change what it gives (column map, time format,
 * delimiter, --assume-time when a record needed it): the same input with
 * the same settings is skipped; read another way it is ingested again.  An
 * input whose every line was rejected (nothing stored) does not count as
 * ingested.  An input whose previous ingest with the same settings was
 * interrupted is continued; one whose interrupted ingest used other
 * settings is refused (PEL_ERR_ARG) until that one is finished.
 *
 * An input that is missing, unreadable or not understood (no format
 * recognised, a header that is not of the --format given, a --format nmea
 * file without an AIS sentence) is refused before anything of it is
 * recorded, reported through o->on_input_error, counted in stats->failed,
 * and the other inputs are ingested; the call then returns the first such
 * input's status (PEL_ERR_IO or PEL_ERR_FORMAT) with err saying "N of M
 * inputs not ingested: " and its message.  One ingest at a time per
 * database: the call holds an exclusive lock on the file beside it named as
 * the database plus "-lock" (created if missing, never removed) and waits
 * for another holder (process or thread) to finish or die, telling
 * o->on_wait first.  Committed data is never lost: on a failure of the store (disk full, read-only database)
 * the call stops with PEL_ERR_IO and a message, and running it again
 * completes the work.  stats may be NULL. */
pel_status pel_ingest(pel_store *s, const char *const *paths, size_t n, const pel_ingest_opts *o,
                      pel_ingest_stats *stats, pel_error *err);

/* ---- live ingest (pelorus watch) ---- */

/* A live ingest: lines stored as they arrive instead of files read whole.
 * The lines are those of a journal -- a file the caller appends every line
 * it receives to, before handing it here -- so that each position's
 * evidence is a line of a file an analyst can open, and a run killed at
 * any moment loses nothing: the journal's row of inputs (settings "live")
 * records, in the same transaction as the data, how many of its lines are
 * stored, and the next run hands on the lines after them.  Holds the
 * store's writer lock (as pel_ingest) from pel_live_open to pel_live_close;
 * positions are staged until pel_live_commit, which commits them and
 * builds the tracks of the vessels they touched. */
typedef struct pel_live pel_live;

/* A feed's counts in a live ingest: messages decoded, lines rejected by
 * the decoder, per reason (indexed as pel_ingest_reason_name). */
typedef struct pel_live_feed_counts {
    uint64_t messages, rejected;
    uint64_t by_reason[64];
} pel_live_feed_counts;

/* Opens a live ingest into s (a writing store) with o's track settings,
 * on_wait and on_reject (o may be NULL; o is copied, its strings and ud
 * borrowed until pel_live_close).  Builds first what a killed run left
 * staged.  On PEL_OK *out is the caller's: pel_live_close. */
pel_status pel_live_open(pel_store *s, const pel_ingest_opts *o, pel_live **out, pel_error *err);

/* The store lv writes (borrowed). */
pel_store *pel_live_store(pel_live *lv);

/* Declares the n feeds whose lines will come (0 .. n-1), once, before the
 * first line: each gets a decoder of its own. */
pel_status pel_live_feeds(pel_live *lv, size_t n, pel_error *err);

/* Starts storing the journal at path (copied): a new one, or the one a
 * killed run left partial, whose first *done lines are stored already (the
 * caller hands on those after them).  PEL_ERR_ARG when one is open. */
pel_status pel_live_journal(pel_live *lv, const char *path, uint64_t *done, pel_error *err);

/* Journal line number lineno (1-based, increasing), received on feed, as
 * pel_decoder_line takes it (borrowed for the call).  PEL_OK, or the
 * failure of the store (the live ingest is then unusable). */
pel_status pel_live_line(pel_live *lv, size_t feed, const char *line, size_t len, uint64_t lineno, pel_error *err);

/* The feeds ended: messages waiting for a fragment or a $PGHP line are
 * given up (as at the end of a file). */
void pel_live_flush(pel_live *lv);

/* Commits the lines of the journal up to upto with the nstate / 2 pairs
 * (key, value) of state (the caller's own: feeds' positions...; borrowed
 * for the call) in one transaction, then builds the tracks of the vessels
 * touched.  stats (may be NULL) gets the journal's counts so far. */
pel_status pel_live_commit(pel_live *lv, uint64_t upto, const char *const *state, size_t nstate,
                           pel_ingest_stats *stats, pel_error *err);

/* Commits what was written to the store since the last commit (the
 * caller's own state) without new lines. */
pel_status pel_live_sync(pel_live *lv, pel_error *err);

/* Flushes, commits and marks the journal complete (a journal ends when the
 * service rotates it or stops). */
pel_status pel_live_journal_done(pel_live *lv, pel_error *err);

/* Feed feed's counts (borrowed, live until pel_live_close), NULL for no
 * such feed. */
const pel_live_feed_counts *pel_live_feed(const pel_live *lv, size_t feed);

/* Ends the live ingest: what was not committed is dropped (it is in the
 * journal), the lock released, lv freed.  NULL accepted. */
void pel_live_close(pel_live *lv);

/* ---- queries ---- */

/* Finds vessels by MMSI (9 digits), IMO (7 digits, or "IMO1234567") or
 * name (case-insensitive, spacing ignored, any name ever broadcast).
 * Writes up to cap MMSIs (ascending) to out, *n the total found. */
pel_status pel_vessel_find(pel_store *s, const char *query, uint32_t *out, size_t cap, size_t *n, pel_error *err);

/* Writes a readable report of one vessel to out: identity history (each
 * distinct name/IMO/call sign/type/dimensions with first and last seen),
 * voyage reports (destination, draught), first/last seen, positions,
 * segments, distance sailed and the periods of silence of at least
 * silence_h hours. */
pel_status pel_vessel_describe(pel_store *s, uint32_t mmsi, double silence_h, FILE *out, pel_error *err);

/* Writes the MMSIs the ship of mmsi was heard under, in time order, with
 * the evidence of each link (the links of a scan's identity_change "mmsi",
 * docs/findings.md, with the detector settings set, nset "NAME=VALUE" as
 * for pel_scan; NULL, 0: the defaults): the old MMSI's last position, the
 * new one's first, the identity reports that match.  Writes nothing when
 * the ship has one MMSI.  Computed from the store on demand.  A setting
 * pel_scan would refuse gives PEL_ERR_ARG with err naming it. */
pel_status pel_vessel_chain(pel_store *s, uint32_t mmsi, const char *const *set, size_t nset, FILE *out,
                            pel_error *err);

/* Writes to out the stays of vessel mmsi in the zones (zones_path, or
 * data_dir's zones.geojson; data_dir NULL: the shipped data, as for
 * pel_scan), in time order: a "zones stays" section with one line per
 * stay, "finding" for those `pelorus scan` reports as zone_entry and
 * "transit" for the crossings of zones whose policy is "dwell", which are
 * context and never a finding (docs/findings.md).  The zone detector's
 * settings are set, nset as for pel_scan (NULL, 0: the defaults).  Returns
 * PEL_OK, or PEL_ERR_ARG for a setting pel_scan would refuse, the error of
 * loading the geography (err says which file), reading the store, or
 * PEL_ERR_NOMEM. */
pel_status pel_vessel_zones(pel_store *s, uint32_t mmsi, const char *data_dir, const char *zones_path,
                            const char *const *set, size_t nset, FILE *out, pel_error *err);

typedef struct pel_track_filter {
    const uint32_t *mmsi; /* NULL: every vessel */
    size_t nmmsi;
    bool has_bbox; /* lat/lon box in degrees */
    double min_lat, min_lon, max_lat, max_lon;
    bool has_from, has_to; /* time window, Unix ms, inclusive */
    int64_t from_ms, to_ms;
} pel_track_filter;

/* Calls on_vessel for each vessel with positions matching f, in MMSI
 * order, with its positions sorted by time (pos borrowed for the call) and
 * its latest name (or NULL).  on_vessel returns non-zero to stop. */
pel_status pel_tracks(pel_store *s, const pel_track_filter *f,
                      int (*on_vessel)(void *ud, uint32_t mmsi, const char *name, const pel_position *pos, size_t n),
                      void *ud, pel_error *err);

/* Writes the coverage map (docs/coverage.md) to out, one cell per feature
 * (PEL_EXPORT_GEOJSON: a FeatureCollection of the cells' polygons) or row
 * (PEL_EXPORT_CSV), in cell order: its id, centre and box, the hours it
 * heard something in, its receptions, the vessel-hours heard (distinct
 * vessels per hour, summed), its ten-minute slots heard, its baseline (the
 * share of the period's ten-minute slots it heard something in; the period
 * is f's from..to, else the data's span) and the stations that heard it.
 * f: has_bbox keeps the cells whose centre is inside the box, has_from /
 * has_to the hours that meet the period (its mmsi is ignored); station
 * (NULL: every reception) keeps that station's own receptions only.
 * PEL_ERR_ARG, with nothing written, for another format or a station the
 * database does not know (err names the ones it knows). */
pel_status pel_coverage_write(pel_store *s, const pel_track_filter *f, const char *station, FILE *out,
                              pel_export_format fmt, pel_error *err);

/* Writes every stored row to out as text, one a line -- inputs, sources,
 * vessels, segments, identities, voyage reports, chunks and their boxes
 * ("table|column|column..."), then every position ("pos mmsi time ...") --
 * so that two databases can be compared (the store's tests do).  A tool for
 * tests, not a stable format. */
pel_status pel_store_dump(pel_store *s, FILE *out, pel_error *err);

/* ------------------------------------------------------------------------ */
/* Findings: behaviour detection over the store                              */
/* ------------------------------------------------------------------------ */

typedef enum pel_findings_format {
    PEL_FIND_JSONL = 0, /* one JSON object per line (docs/findings.md) */
    PEL_FIND_TABLE,     /* a readable table */
    PEL_FIND_CSV,
    PEL_FIND_GEOJSON
} pel_findings_format;

typedef struct pel_scan_opts {
    const char *data_dir;   /* ports.csv, zones.geojson, mid.csv; NULL: $PELORUS_DATA, else the
                               data/ directory the program was built from */
    const char *zones_path; /* zones GeoJSON instead of data_dir's */
    const char *const *set; /* detector settings "name=value" (docs/findings.md) */
    size_t nset;
    /* a period (Unix ms, inclusive): the detectors see the positions in it,
       and each vessel's last one before it (a gap into the period is seen);
       the coverage baselines are those of the period; findings that do not
       meet it are left out.  A vessel heard before and after the period but
       not in it is not seen.  Without: the whole store. */
    bool has_from, has_to;
    int64_t from_ms, to_ms;
    /* screening's lists (a case's rerun, docs/case.md): stored_lists_only screens against the
       lists stored alone -- none when none was imported -- never the list shipped in data_dir;
       lists_default names their matches as the shipped list's are ("ofac_sdn (default)") */
    bool stored_lists_only, lists_default;
    /* NULL, or the only vessels findings are made about (a case's rerun: its vessels, not those
       whose lines are there as the feed's context, whose silences between the lines kept are no
       gaps): a finding about none of them (mmsi, mmsi2) is not made, so no other finding rests on
       it; their positions still count (coverage, the feed's hours, encounters) */
    const uint32_t *subjects;
    size_t nsubjects;
    /* a whole-store scan judges each vessel's track from the quiet point the
       last one kept (docs/incremental.md: the same findings, less work); full
       judges every track from its start (the state is kept all the same) */
    bool full;
} pel_scan_opts;

typedef struct pel_scan_stats {
    uint64_t vessels;       /* vessels scanned */
    uint64_t gear;          /* of which fishing gear, left out of every detector */
    uint64_t gaps_in_holes; /* silences left out: the whole feed was silent too */
    uint64_t findings;      /* findings written */
    uint64_t by_event[16];  /* per event, in the order of pel_event_name() */
    double vessels_s;       /* wall seconds: reading tracks and per-vessel detectors */
    double encounter_s;     /* pairing vessels for encounters */
    double total_s;         /* the whole scan, writing included */
    /* incremental (docs/incremental.md): vessels whose track was judged from a
       quiet point the last scan kept, and positions judged again from there by
       the detectors that resume (the others judge every position) */
    uint64_t resumed;
    uint64_t positions, positions_judged;
    uint64_t kept;             /* findings kept as the last scan judged them */
    uint64_t state_unreadable; /* vessels whose kept state could not be read: judged whole */
    /* the kept findings' chunks (a vessel's week each) of the state kept for
       the next scan: left as the last scan wrote them, and written */
    uint64_t state_chunks_kept, state_chunks_written;
} pel_scan_stats;

/* Names of the events, index 0..8 ("encounter", "loitering", "gap",
 * "port_visit", "zone_entry", "spoofing", "identity_change",
 * "watchlist_match", "data_quality"); NULL past the end.  Static strings. */
const char *pel_event_name(int i);

/* Runs every detector over the whole store and writes the findings to out
 * in fmt, sorted by start time, event and vessel, so that the same store and
 * settings give byte-identical output.  stats may be NULL.  A setting that
 * pel_scan_check_settings refuses gives PEL_ERR_ARG before anything is read
 * or written.  What would grow with the history waits in temporary files
 * in $TMPDIR (else /tmp), unlinked as soon as they are made, so nothing is
 * left behind: the encounter detector's resampled tracks (about 32 bytes
 * per vessel and 10 minutes heard), the gaps until they are judged (about
 * 1 KiB each) and the findings (about 1.2 times the size of the JSON
 * Lines) -- memory grows by at most 48 bytes a finding, not by the
 * findings or the tracks.  PEL_ERR_IO, err saying which file and the
 * system's reason, when one cannot be made, written or read, as when
 * writing out fails.  A PostgreSQL store opened for writing also keeps the
 * findings of a scan of the whole store (o without a period or subjects)
 * in its PostGIS layer findings, replacing the previous scan's in one
 * transaction once out is written (docs/schema.md, "PostgreSQL"); a role
 * that may not write it, a store opened read-only, an SQLite store and a
 * period's scan leave it as it is.  PEL_ERR_IO when replacing it failed
 * (out is written by then). */
pel_status pel_scan(pel_store *s, const pel_scan_opts *o, FILE *out, pel_findings_format fmt, pel_scan_stats *stats,
                    pel_error *err);

/* ---- reviews of findings (pelorus review; docs/review.md) ---- */

/* Records an analyst's review of the finding finding_id (its "finding_id"):
 * status "confirmed", "dismissed" or "open", a note (may be NULL), who (by,
 * required) and when (now_ms, Unix ms).  The finding must be one a scan of s
 * with scan's settings (may be NULL: the defaults) finds now (PEL_ERR_ARG
 * otherwise).  Every review is kept: the latest is the finding's status,
 * given to it by every later scan as its member "review" (a finding keeps
 * its id as it grows, so its review).  *seq (may be NULL) gets the review's
 * number among the finding's, from 1. */
pel_status pel_review(pel_store *s, const pel_scan_opts *scan, const char *finding_id, const char *status,
                      const char *note, const char *by, int64_t now_ms, int64_t *seq, pel_error *err);

/* Writes the reviews of finding_id (NULL: of every finding), oldest first
 * per finding, to out as JSON lines: finding_id, seq, status, note, by, at. */
pel_status pel_reviews_write(pel_store *s, const char *finding_id, FILE *out, pel_error *err);

/* ---- live monitoring (pelorus watch; docs/watch.md) ---- */

/* A feed: "tcp://HOST:PORT" (a client, reconnecting), "udp://ADDR:PORT" (a
 * listener), "file:PATH" (followed as it grows and rotates) or "-"
 * (standard input); name is the source its lines get when they carry none. */
typedef struct pel_watch_feed {
    const char *spec;
    const char *name;
} pel_watch_feed;

typedef struct pel_watch_opts {
    const pel_watch_feed *feeds;
    size_t nfeeds;
    const char *journal_dir;   /* where the journals go (made if missing): a new one each run and
                                  each UTC day */
    uint64_t journal_lines;    /* ... and every this many lines (0: no limit) */
    FILE *alerts;              /* alerts out, one JSON object a line; NULL: none */
    const char *alerts_path;   /* the file behind alerts (read back at a restart), NULL: not a file */
    const char *findings_path; /* rewritten with the findings standing after each detection; NULL: none */
    const char *exec;          /* a command run per alert (/bin/sh -c), the alert on its input; NULL: none */
    int exec_jobs;             /* commands at a time (0: 4) */
    bool once;                 /* stop when every feed has ended */
    double commit_s;           /* seconds between commits and detections (0: 1) */
    double stats_s;            /* seconds between status reports (0: 60) */
    int udp_idle_ms;           /* with once: a UDP feed silent this long has ended (0: 3000) */
    double window_s;           /* > 0: each detection scans only the last window_s seconds of the
                                  data (pel_scan_opts' period), and alerts of findings that began
                                  before it are settled: neither updated nor retracted (0: all) */
    pel_scan_opts scan;        /* the detectors' settings, zones, data directory */
    pel_ingest_opts ingest;    /* track settings, on_reject, on_wait */
    /* status lines (the service's counts, then one per feed), every stats_s
       seconds, when *report is set (then cleared), and at the end; text
       borrowed for the call */
    void (*on_status)(void *ud, const char *text);
    void *ud;
    volatile int *stop;   /* set (by a signal handler): stop after a last commit and detection */
    volatile int *report; /* set: report the status now */
} pel_watch_opts;

typedef struct pel_watch_stats {
    uint64_t lines, positions, rejected, commits, scans;
    uint64_t journals; /* journals completed by rotation (a new day, journal_lines) */
    uint64_t alerts_new, alerts_update, alerts_retract, standing;
    uint64_t settled;          /* standing alerts let go when the window passed them (window_s) */
    uint64_t recovered_lines;  /* of journals a killed run left, stored at the restart */
    uint64_t skipped_lines;    /* ... of followed files: read again from the files instead */
    uint64_t recovered_alerts; /* read back from the alerts file at a restart */
    uint64_t exec_ok, exec_failed, exec_dropped;
    double last_scan_s;                 /* the last detection's seconds */
    double delay_median_s, delay_p90_s; /* alerts' delays: from the arrival of the first line of
                                           the commit they came after to their sending (an upper
                                           bound of the delay from the line that completed them) */
} pel_watch_stats;

/* Watches o's feeds: every line goes to a journal in o->journal_dir and
 * into s (pel_live), committed every o->commit_s seconds; each commit is
 * followed by a scan of the store (as pel_scan with o->scan) and alerts for
 * what changed: {"alert":"new"|"update"|"retract","id":..,"seq":..,...}.
 * A run killed at any moment is continued by the next: the lines of its
 * journal not committed are stored, followed files resume, and no alert
 * is sent twice as new.  Runs until *o->stop, or with o->once until every
 * feed has ended.  Returns PEL_OK, PEL_ERR_ARG (a feed spec or setting
 * refused: nothing done), or the store's or the journal's failure; stats
 * (may be NULL) gets the counts. */
pel_status pel_watch(pel_store *s, const pel_watch_opts *o, pel_watch_stats *stats, pel_error *err);

/* ---- findings as values ---- */

/* A collection of findings: what pel_scan writes, as structured values
 * (docs/findings.md), or what a findings file holds.  Opaque; read it with
 * the functions below, write it with pel_findings_write. */
typedef struct pel_findings pel_findings;

/* As pel_scan, but gives the findings instead of writing them: on PEL_OK
 * *out is the caller's (free it with pel_findings_free), in the order
 * pel_scan writes them; otherwise *out is NULL and err says why.  stats may
 * be NULL (its total_s leaves out the writing). */
pel_status pel_scan_findings(pel_store *s, const pel_scan_opts *o, pel_findings **out, pel_scan_stats *stats,
                             pel_error *err);

/* Writes fs to out in fmt, byte for byte as pel_scan writes the same
 * findings.  Returns PEL_OK, PEL_ERR_IO (writing failed) or PEL_ERR_NOMEM,
 * with err (may be NULL) filled. */
pel_status pel_findings_write(const pel_findings *fs, FILE *out, pel_findings_format fmt, pel_error *err);

/* Reads a findings file (JSON lines as pel_scan writes them; path "-" is
 * standard input).  Every finding needs event, mmsi, start and end; the
 * other members are kept with their types and the decimals their numbers
 * were written with, so that pel_findings_write gives the file back.  On
 * PEL_OK *out is the caller's (pel_findings_free); PEL_ERR_FORMAT names the
 * file, the line and what is wrong; PEL_ERR_IO, PEL_ERR_NOMEM. */
pel_status pel_findings_read(const char *path, pel_findings **out, pel_error *err);

/* The number of findings in fs. */
size_t pel_findings_count(const pel_findings *fs);

/* Frees fs; NULL is accepted. */
void pel_findings_free(pel_findings *fs);

/* The members every finding has.  Strings are borrowed from the collection
 * and valid until it is freed. */
typedef struct pel_finding_info {
    const char *event;        /* "encounter", "gap", ... (pel_event_name), or another name read from a file */
    uint32_t mmsi, mmsi2;     /* mmsi2 0 unless two vessels */
    int64_t start_ms, end_ms; /* Unix ms */
    double lat, lon;          /* degrees, NaN when the finding has no place */
    unsigned clocks;          /* 1 << pel_clock of every clock its times came from */
    size_t nevidence;         /* evidence entries listed (at most 64 from a scan) */
    uint64_t evidence_total;  /* messages it rests on in all */
} pel_finding_info;

/* Fills *out with finding i (0 .. count-1); false when there is none. */
bool pel_finding_get(const pel_findings *fs, size_t i, pel_finding_info *out);

/* Evidence entry k of finding i: the input file and line of a message it
 * rests on (file borrowed from fs, "?" when not known); false past the end. */
bool pel_finding_evidence(const pel_findings *fs, size_t i, size_t k, const char **file, uint64_t *line);

/* What a measured member of a finding holds (docs/findings.md, "Per
 * event"). */
typedef enum pel_value_kind {
    PEL_VAL_ABSENT = 0, /* the finding has no such member */
    PEL_VAL_NULL,       /* null: not available */
    PEL_VAL_BOOL,       /* b */
    PEL_VAL_INT,        /* i (and d) */
    PEL_VAL_NUMBER,     /* d, written with decimals decimals (-1: as few as give d back) */
    PEL_VAL_STRING,     /* s, UTF-8, borrowed from the collection */
    PEL_VAL_ARRAY,      /* n elements: pel_finding_member_item */
    PEL_VAL_OBJECT      /* n members (entered_from of a zone entry) */
} pel_value_kind;

typedef struct pel_value {
    pel_value_kind kind;
    bool b;
    int64_t i;
    double d;
    int decimals;
    const char *s;
    size_t n;
} pel_value;

/* The measured member name of finding i (kind PEL_VAL_ABSENT when it has
 * none, or there is no finding i). */
pel_value pel_finding_member(const pel_findings *fs, size_t i, const char *name);

/* Element k of the array member name of finding i (kind PEL_VAL_ABSENT past
 * its end, or when name is no array). */
pel_value pel_finding_member_item(const pel_findings *fs, size_t i, const char *name, size_t k);

/* The name of the k-th measured member of finding i, in the order they are
 * written; NULL past the last.  Borrowed from fs. */
const char *pel_finding_member_name(const pel_findings *fs, size_t i, size_t k);

/* Checks detector settings ("NAME=VALUE", as pel_scan_opts.set; set and
 * its strings are borrowed for the call) without a store: every NAME is a
 * setting of docs/findings.md and every VALUE a plain decimal number in
 * that setting's documented range (a whole number where the setting counts
 * or is in seconds; never NaN or infinite), and port_visit.entry_m is not
 * beyond port_visit.exit_m.  Returns PEL_OK, or PEL_ERR_ARG with err (may
 * be NULL) naming the first bad setting and its allowed range. */
pel_status pel_scan_check_settings(const char *const *set, size_t nset, pel_error *err);

/* ------------------------------------------------------------------------ */
/* Sanctions lists and screening                                             */
/* ------------------------------------------------------------------------ */

/* One designated vessel as a list gives it.  Everything is borrowed for the
 * callback that receives it. */
typedef struct pel_wl_entry {
    const char *list;           /* "ofac_sdn", "un", "opensanctions", "own" */
    const char *entry_id;       /* the list's own id (OFAC ent_num, UN reference, ...) */
    const char *name;           /* primary name */
    const char *const *aliases; /* other names: a.k.a. */
    size_t naliases;
    const char *const *former; /* former names: f.k.a. */
    size_t nformer;
    uint32_t imo;         /* 0 if none; a ship number (check digit valid) */
    uint32_t imo_company; /* an IMO company number given instead (UN lists), 0 if none */
    uint32_t mmsi;        /* 0 if none */
    const char *flag;     /* current flag, or NULL */
    const char *const *former_flags;
    size_t nformer_flags;
    const char *program;     /* e.g. "DPRK3; RUSSIA-EO14024" */
    const char *listed_on;   /* ISO date the list gives, or NULL */
    const char *vessel_type; /* or NULL */
    const char *callsign;    /* the call sign the list gives (OFAC Call_Sign, FtM callSign), or NULL */
    uint32_t gross_tonnage;  /* gross (registered) tonnage the list gives, 0 if none */
    uint32_t tonnage;        /* another tonnage figure (OFAC "Tonnage", FtM tonnage: often
                                deadweight), 0 if none */
    const char *source;      /* the file it came from */
    uint64_t line;           /* and its line (or XML element line) */
} pel_wl_entry;

typedef enum pel_wl_format {
    PEL_WL_AUTO = 0,
    PEL_WL_OFAC_SDN, /* legacy sdn.csv (no header, -0-, Latin-1, Ctrl-Z) */
    PEL_WL_OFAC_ALT, /* legacy alt.csv: aliases joined on ent_num */
    PEL_WL_UN_XML,   /* UN Security Council consolidated list */
    PEL_WL_OS_CSV,   /* OpenSanctions targets.simple.csv */
    PEL_WL_OS_FTM,   /* OpenSanctions FollowTheMoney JSON lines */
    PEL_WL_OWN_CSV   /* name,imo,mmsi,flag,program,source,listed_on */
} pel_wl_format;

typedef struct pel_wl_cb {
    /* one vessel entry; return non-zero to stop */
    int (*on_entry)(void *ud, const pel_wl_entry *e);
    void *ud;
} pel_wl_cb;

/* Reads the list files (formats detected from their content; OFAC alt.csv
 * files given with sdn.csv files add their aliases) and reports every vessel
 * entry in file order.  A malformed file is an error naming the line or
 * element, and nothing of it is reported: lists are never loaded in part.
 * Returns PEL_OK, PEL_ERR_FORMAT or PEL_ERR_IO with err filled. */
pel_status pel_wl_read(const char *const *paths, size_t n, const pel_wl_cb *cb, pel_error *err);

/* Name matching, documented in docs/screening.md. */
typedef struct pel_matcher pel_matcher;

enum { PEL_MATCH_IMO = 1u << 0, PEL_MATCH_MMSI = 1u << 1, PEL_MATCH_NAME = 1u << 2 };

typedef struct pel_match {
    size_t entry;             /* index of the entry, in the order added */
    unsigned fields;          /* PEL_MATCH_ bits */
    double score;             /* 0..1: 1 for IMO/MMSI, the name similarity otherwise */
    const char *matched_name; /* the list name (primary, alias or former) that matched,
                                 borrowed from the matcher */
    int name_kind;            /* 0 primary, 1 alias, 2 former */
} pel_match;

/* Creates an empty matcher; NULL when out of memory.  Free with
 * pel_matcher_free (NULL accepted). */
pel_matcher *pel_matcher_new(void);
void pel_matcher_free(pel_matcher *m);
/* Adds an entry (copied). */
pel_status pel_matcher_add(pel_matcher *m, const pel_wl_entry *e);
/* Builds the name index; call after the last add. */
pel_status pel_matcher_build(pel_matcher *m);
/* Number of entries, and entry i (borrowed; its strings live as long as m). */
size_t pel_matcher_count(const pel_matcher *m);
const pel_wl_entry *pel_matcher_entry(const pel_matcher *m, size_t i);
/* Matches one broadcast identity (name may be NULL, imo/mmsi 0 when absent)
 * against every entry: exact IMO (check digit valid), exact MMSI, fuzzy name
 * at or above min_score (0: the documented default).  Writes up to cap
 * matches, best first; returns how many there are, or 0 with errno set to
 * ENOMEM when out of memory. */
size_t pel_matcher_query(const pel_matcher *m, const char *name, uint32_t imo, uint32_t mmsi, double min_score,
                         pel_match *out, size_t cap);
/* The name similarity 0..1 of two vessel names after normalisation
 * (docs/screening.md): case, punctuation, spacing, MV/M/V prefixes and
 * digits attached or not ignored; different hull numbers score low. */
double pel_name_similarity(const char *a, const char *b);
/* The default threshold of pel_matcher_query. */
#define PEL_NAME_THRESHOLD 0.88

/* Imports list files (as pel_wl_read reads them) into the store as one
 * watchlist, in one transaction: whole or not at all.  The same content
 * imported again is skipped (*skipped).  replace drops earlier imports of
 * the same list.  *entries gets the number of vessel entries stored. */
pel_status pel_watchlist_import(pel_store *s, const char *const *paths, size_t n, bool replace, uint64_t *entries,
                                bool *skipped, pel_error *err);

/* Writes a summary of the stored watchlists (entries, IMO/MMSI coverage,
 * when imported, newest listing date) to out. */
pel_status pel_watchlist_show(pel_store *s, FILE *out, pel_error *err);

/* Screens every identity in the store against the stored watchlists (or
 * the default shipped in data/watchlist/ when none is stored) and writes
 * the watchlist_match findings to out in fmt (sorted as pel_scan sorts).
 * data_dir as in pel_scan_opts. */
pel_status pel_screen(pel_store *s, const char *data_dir, FILE *out, pel_findings_format fmt, uint64_t *matches,
                      pel_error *err);

/* ------------------------------------------------------------------------ */
/* Identifiers                                                               */
/* ------------------------------------------------------------------------ */

/* True when imo is a 7-digit IMO ship number with a valid check digit
 * (digits weighted 7..2, sum mod 10 equals the last digit). */
bool pel_imo_valid(uint32_t imo);

/* What a broadcast IMO number is (docs/findings.md, "Identifiers").  AIS
 * type 5 carries 30 bits; transponders send 0 or 2^30-1 (1073741823) for
 * "not available", and many send junk: numbers that are not 7 digits, or 7
 * digits with a wrong check digit.  Only PEL_IMO_VALID identifies a ship. */
typedef enum pel_imo_kind {
    PEL_IMO_ABSENT = 0,  /* 0 or 1073741823: "not available" */
    PEL_IMO_VALID,       /* 7 digits, check digit right */
    PEL_IMO_CHECK_DIGIT, /* 7 digits, check digit wrong */
    PEL_IMO_MALFORMED    /* not 7 digits (1, 256, 117028000, ...) */
} pel_imo_kind;

pel_imo_kind pel_imo_classify(uint32_t imo);

/* "absent", "valid", "check_digit", "malformed".  Static string. */
const char *pel_imo_kind_name(pel_imo_kind k);

/* What an MMSI is.  Ship stations are MIDxxxxxx (MID 201..775); other
 * 9-digit forms are craft and devices that may report positions (SAR
 * aircraft 111MIDxxx, auxiliary craft 98MIDxxxx, aids to navigation
 * 99MIDxxxx, SART/MOB/EPIRB 970/972/974xxxxxx, handheld 8MIDxxxxx).  The
 * rest cannot identify a ship: every such MMSI is kept, and reported. */
#define PEL_MMSI_MAX 1073741823u /* 2^30-1: the largest MMSI AIS can carry */

typedef enum pel_mmsi_kind {
    PEL_MMSI_SHIP = 0,    /* 9 digits, first digit 2..7 */
    PEL_MMSI_OTHER,       /* another 9-digit form of ITU-R M.585 */
    PEL_MMSI_ZERO,        /* 0 */
    PEL_MMSI_SHORT,       /* fewer than 9 digits (12345678, 1193046 = 0x123456) */
    PEL_MMSI_LONG,        /* above 999999999 (the field has 30 bits) */
    PEL_MMSI_PLACEHOLDER, /* a default, shared by many: a digit or MID followed by
                             zeros (416000000), one digit repeated (111111111),
                             123456789, 987654321, 12345678, 1234567, 1193046
                             (0x123456) */
    PEL_MMSI_NONSTANDARD  /* nine digits in no ITU form (1xxxxxxxx other than
                             111MID, 90x-96x...): fishing gear, home-made devices */
} pel_mmsi_kind;

pel_mmsi_kind pel_mmsi_classify(uint32_t mmsi);

/* True for PEL_MMSI_ZERO, _SHORT, _LONG, _PLACEHOLDER and _NONSTANDARD. */
bool pel_mmsi_invalid(uint32_t mmsi);

/* "ship", "other", "zero", "short", "long", "placeholder", "nonstandard".
 * Static string. */
const char *pel_mmsi_kind_name(pel_mmsi_kind k);

/* True when a broadcast name, call sign or destination says nothing: empty
 * after trimming, only '@' (AIS padding), spaces, zeros, dashes, dots,
 * question marks or one letter repeated ("XXXXXXX"), or a stock placeholder
 * ("NONAME", "NO NAME", "UNKNOWN", "N/A", "NA", "NONE", "NIL", "NULL",
 * "TBA", "TBD", "TEST", "DEFAULT"), in any case.  s may be NULL (true). */
bool pel_text_placeholder(const char *s);

/* How names and call signs are compared: the ASCII letters and digits of s,
 * upper-cased, into out (cap bytes, NUL-terminated, cut to fit) --
 * "Yildiz Burnu" and "YILDIZBURNU" give one key.  s may be NULL (""). */
void pel_text_key(const char *s, char *out, size_t cap);

/* True when a broadcast name is that of fishing gear, not a vessel: a word
 * ends in BUOY or BUOYS (or the spellings BOUY, BOYA, BOIA), or it holds a battery
 * level -- digits and '%' ("XIN SHI JI 65-5-86%", "LONGLINE BUOY 0846%",
 * "[62%]").  Longline and net buoys carry AIS transmitters with made-up
 * MMSIs; they drift beside their vessel for days. */
bool pel_text_gear(const char *s);

/* ------------------------------------------------------------------------ */
/* Encoding: AIS messages and NMEA sentences (the simulator's writer)        */
/* ------------------------------------------------------------------------ */

/* One message to encode, in the units the message carries (ITU-R M.1371-5;
 * field names as in gpsd's AIVDM document).  pel_ais_report_init sets every
 * value to its "not available" encoding; set only what you have. */
typedef struct pel_ais_report {
    int type;   /* 1, 2, 3, 5, 18, 19, 24, 27 */
    int repeat; /* 0..3 */
    uint32_t mmsi;
    /* position reports (1, 2, 3, 18, 19, 27) */
    int32_t lat, lon;                            /* 1/600000 degree; PEL_NA_LAT / PEL_NA_LON when absent
                                                    (type 27 rounds to 1/10 minute) */
    int speed;                                   /* 1/10 knot, PEL_NA_SPEED (type 27: rounded to whole knots, 63 n/a) */
    int course;                                  /* 1/10 degree, PEL_NA_COURSE (type 27: whole degrees, 511 n/a) */
    int heading;                                 /* degrees, PEL_NA_HEADING */
    int status;                                  /* navigation status 0..15 (1, 2, 3, 27) */
    int turn;                                    /* ROT_AIS -128..127, -128 n/a (1, 2, 3) */
    int second;                                  /* UTC second 0..59, 60 n/a */
    int accuracy, raim;                          /* 0 or 1 */
    int maneuver;                                /* 0..2 (1, 2, 3) */
    uint32_t radio;                              /* communication state: 19 bits (1, 2, 3), 20 bits (18) */
    int cs, display, dsc, band, msg22, assigned; /* class B flags (18) */
    int gnss;                                    /* type 27: 0 = current GNSS position */
    /* static and voyage data (5, 19, 24) */
    int ais_version;                              /* 0..3 (5) */
    uint32_t imo;                                 /* 0 = not available (5) */
    char callsign[8];                             /* up to 7 characters of the AIS 6-bit set (5, 24 B) */
    char shipname[21];                            /* up to 20 (5, 19, 24 A) */
    char destination[21];                         /* up to 20 (5) */
    int shiptype;                                 /* 0..255, 0 = not available (5, 19, 24 B) */
    int to_bow, to_stern, to_port, to_starboard;  /* metres, 0 = not available */
    int epfd;                                     /* 0..15 (5, 19) */
    int eta_month, eta_day, eta_hour, eta_minute; /* 0, 0, 24, 60 = not available (5) */
    int draught_dm;                               /* 1/10 metre, 0 = not available (5) */
    int dte;                                      /* 0 = ready, 1 = not ready (5, 19) */
    int partno;                                   /* type 24: 0 = part A, 1 = part B */
    char vendorid[4];                             /* type 24 B: 3 characters */
    int model;                                    /* type 24 B: 0..15 */
    uint32_t serial;                              /* type 24 B: 0..2^20-1 */
    uint32_t mothership_mmsi;                     /* type 24 B of an auxiliary craft (MMSI 98xxxxxxx) */
} pel_ais_report;

/* Sets r to a message of the given type and MMSI with every other value
 * "not available", and flags 0 -- dte and gnss included, although ITU-R
 * M.1371-5 gives 1 as their default: set them when it matters. */
void pel_ais_report_init(pel_ais_report *r, int type, uint32_t mmsi);

/* Encodes r into bits (MSB first, bit i of the message is bit 7 - i % 8 of
 * bits[i / 8]); cap is the size of bits in bytes.  Texts are upper-cased,
 * characters outside the 6-bit set become '?', and padded with '@'.
 * Returns the number of bits (168 for types 1-3, 424 for type 5, ...), or
 * -1 with err filled when the type is not one of the above, a value does
 * not fit its field, or cap is too small. */
int pel_ais_encode(const pel_ais_report *r, uint8_t *bits, size_t cap, pel_error *err);

/* How pel_nmea_encode writes sentences. */
typedef struct pel_nmea_opts {
    const char *talker; /* "AI" when NULL */
    bool own;           /* VDO instead of VDM */
    char channel;       /* 'A', 'B', or 0 for an empty field */
    int seqid;          /* multipart sequential message id 0..9 */
    const char *source; /* tag block s: (station name), NULL for none */
    int64_t rx_ms;      /* tag block c: receive time, Unix ms; < 0 for none */
    bool rx_in_ms;      /* write c: in milliseconds instead of seconds */
    int group;          /* tag block g: group id 1..999 for multipart, 0 for none */
    int max_chars;      /* payload characters per sentence, 0 for 60 */
} pel_nmea_opts;

/* Armours nbits bits into AIVDM sentences (one, or several for a long
 * payload), each ending in "\r\n" when crlf else "\n", with a tag block
 * before each sentence when o->source or o->rx_ms asks for one (the first
 * sentence of a group carries s:/c:, every sentence g:).  Checksums are
 * computed.  Returns the bytes written (NUL-terminated), or 0 when cap is
 * too small, nbits is out of range or an option is unusable (a talker that
 * is not 2 characters, seqid outside 0..9, group outside 0..999, more than 9
 * sentences, a source or channel holding ',', '*', '\\' or control
 * characters). */
size_t pel_nmea_encode(const uint8_t *bits, int nbits, const pel_nmea_opts *o, bool crlf, char *out, size_t cap);

/* ------------------------------------------------------------------------ */
/* Simulation: scenario files to NMEA with known answers                     */
/* ------------------------------------------------------------------------ */

/* The budget of one simulation (docs/simulate.md, "Budget"): a run
 * estimated to transmit more messages or to need more memory is refused
 * before it starts. */
#define PEL_SIM_MAX_MESSAGES 100000000ULL              /* 100 million messages: ~10 GB of NMEA */
#define PEL_SIM_MAX_MEMORY (4ULL * 1024 * 1024 * 1024) /* 4 GiB */

typedef struct pel_sim_opts {
    const char *data_dir;  /* ports, zones, MID table; as pel_scan_opts */
    int64_t seed;          /* < 0: the scenario's own seed */
    double scale;          /* multiplies the background traffic; 0 = 1 */
    uint64_t max_messages; /* budget: messages transmitted; 0 = PEL_SIM_MAX_MESSAGES, UINT64_MAX = none */
    uint64_t max_memory;   /* budget: bytes of memory; 0 = PEL_SIM_MAX_MEMORY, UINT64_MAX = none */
} pel_sim_opts;

typedef struct pel_sim_stats {
    uint64_t vessels;  /* vessels simulated */
    uint64_t messages; /* AIS messages transmitted */
    uint64_t lines;    /* lines written (after loss, duplicates, corruption) */
    uint64_t lost, duplicated, corrupted, truncated, reordered;
    uint64_t truth;      /* lines of truth.jsonl */
    double seconds;      /* wall time */
    double est_messages; /* the budget's estimate of messages, and of memory in bytes */
    double est_memory;
} pel_sim_stats;

/* Reads the scenario file (JSON, docs/simulate.md), simulates it and writes
 * into out_dir (created if needed): ais.nmea (the received stream, tag
 * blocks with c: and s:), truth.jsonl (the findings a correct scan must
 * give, in the contract of docs/findings.md, plus "id" and "why"),
 * vessels.csv (the simulated fleet) and watchlist.csv (the scenario's
 * designated vessels, in the own-list CSV format).  The same scenario and
 * seed give byte-identical files.  Before anything is written the run is
 * estimated and refused over o's budget (PEL_ERR_ARG, the estimate and the
 * limit in err).  Returns PEL_OK, or PEL_ERR_FORMAT naming the scenario
 * member at fault, or PEL_ERR_IO. */
pel_status pel_simulate(const char *scenario_path, const char *out_dir, const pel_sim_opts *o, pel_sim_stats *st,
                        pel_error *err);

/* ------------------------------------------------------------------------ */
/* Evaluation: findings against the truth                                    */
/* ------------------------------------------------------------------------ */

typedef struct pel_eval_opts {
    double slack_s; /* time tolerance either side of an interval; 0 = 3600; for no
                       tolerance give any value under 1 ms (it is rounded to ms) */
} pel_eval_opts;

typedef struct pel_eval_row {
    char event[32];               /* event name, or "all" */
    uint64_t truth, found;        /* counted truth items and findings of this event */
    uint64_t tp, fp, fn;          /* matched, false alarms, missed */
    double precision, recall, f1; /* NaN when undefined (0/0) */
} pel_eval_row;

typedef struct pel_eval_result {
    size_t nrows; /* rows used, sorted by event name */
    pel_eval_row rows[16];
    pel_eval_row all; /* over every event */
} pel_eval_result;

/* Scores a findings file (JSON lines as `pelorus scan` writes them) against
 * a truth file (as pel_simulate writes it), both read as pel_findings_read
 * reads them; docs/evaluation.md gives the matching rules.  Writes the table and the list of misses and false alarms
 * to out when out is not NULL.  Returns PEL_OK, PEL_ERR_FORMAT (naming the
 * file and line) or PEL_ERR_IO. */
pel_status pel_eval(const char *truth_path, const char *findings_path, const pel_eval_opts *o, FILE *out,
                    pel_eval_result *res, pel_error *err);

/* ------------------------------------------------------------------------ */
/* Risk and reports                                                          */
/* ------------------------------------------------------------------------ */

typedef struct pel_report_opts {
    const char *data_dir; /* as pel_scan_opts */
    const char *zones_path;
    const char *const *set; /* detector settings "name=value" and risk weights "risk.NAME=value"
                               (docs/report.md) */
    size_t nset;
    const uint32_t *mmsi; /* only these vessels (and their encounter partners); NULL = all */
    size_t nmmsi;
    int64_t from_ms, to_ms; /* findings overlapping [from, to]; INT64_MIN / INT64_MAX = unbounded,
                               and both 0 (a zeroed struct) = no limits */
    /* the text of an input line (the evidence a dossier shows, pel_report_dossier): returns the
       line's bytes without its line end and sets *len, or NULL when it is not known; the text is
       borrowed until the next call.  NULL: no line texts. */
    const char *(*line_text)(void *ud, const char *file, uint64_t line, size_t *len);
    void *line_ud;
    bool stored_lists_only, lists_default; /* screening's lists, as pel_scan_opts */
    const uint32_t *subjects;              /* as pel_scan_opts */
    size_t nsubjects;
} pel_report_opts;

typedef struct pel_report_stats {
    uint64_t vessels, findings, track_points, drawn_points;
    double seconds;
} pel_report_stats;

/* Scans the store (as pel_scan), scores every vessel with findings and
 * writes the ranking, riskiest first, to out in fmt (TABLE, JSONL or CSV;
 * GEOJSON is taken as JSONL): score, level and the reasons in plain words
 * (docs/report.md).  limit 0 = all.  o may be NULL (defaults). */
pel_status pel_rank(pel_store *s, const pel_report_opts *o, FILE *out, pel_findings_format fmt, size_t limit,
                    pel_error *err);

/* Checks the settings of pel_rank and pel_report (pel_report_opts.set;
 * borrowed for the call) without a store: "risk.NAME=VALUE" weights (0 to
 * 1000 points; the level thresholds risk.high and risk.medium 0 to 1000000,
 * medium not above high), "report.NAME=VALUE" drawing settings, and the
 * rest as pel_scan_check_settings checks them (docs/report.md).  Returns
 * PEL_OK, or PEL_ERR_ARG with err (may be NULL) naming the first bad entry
 * and its allowed range (PEL_ERR_NOMEM when out of memory). */
pel_status pel_report_check_settings(const char *const *set, size_t nset, pel_error *err);

/* Writes the evidence report into out_dir (created if needed): report.html
 * (self-contained, opens offline), findings.geojson, tracks.geojson,
 * findings.kml and findings.csv.  See docs/report.md. */
pel_status pel_report(pel_store *s, const pel_report_opts *o, const char *out_dir, pel_report_stats *st,
                      pel_error *err);

/* Writes a case dossier to path (one self-contained HTML file, written as report.html is: a
 * temporary file renamed into place): the vessels of o (o->mmsi, and their encounter partners)
 * over o's period, as pel_report sees them, with a timeline chart per vessel, the identity history,
 * list matches, risk reasons and, for every finding, its evidence lines with their text
 * (o->line_text).  title (may be NULL) heads the page.  docs/report.md, "Dossier". */
pel_status pel_report_dossier(pel_store *s, const pel_report_opts *o, const char *title, const char *path,
                              pel_report_stats *st, pel_error *err);

/* ---- replay ---------------------------------------------------------------- */

/* How pel_replay paces and whom it tells where it serves.  A zeroed struct
 * (or NULL) is "as fast as possible". */
typedef struct pel_replay_opts {
    double speed; /* > 0: a line of receive time t goes out at w0 + (t - t0) / speed (t0, w0: the first
                     timed line's time and wall clock); untimed lines right after the one before; a
                     time earlier than the latest sent goes at once.  0: no timing */
    double rate;  /* > 0: at most this many lines a second; 0: no cap (UDP without speed: 20000) */
    /* Called once when serving starts (TCP: listening; UDP: the socket is
     * made) with "tcp://ADDR:PORT" (the real port when PORT was 0) or
     * "udp://ADDR:PORT"; url is borrowed for the call.  May be NULL. */
    void (*on_ready)(void *ud, const char *url);
    void *ud; /* handed to on_ready */
} pel_replay_opts;

typedef struct pel_replay_stats {
    uint64_t lines;   /* lines written whole (each counted once) */
    uint64_t bytes;   /* their bytes, line ends included */
    uint64_t clients; /* TCP connections accepted */
    uint64_t resent;  /* lines begun to a client that left, written again whole to the next */
    uint64_t skipped; /* UDP: lines longer than a datagram can hold, not sent */
    double seconds;   /* from the first line sent (TCP: the first client) to the end */
} pel_replay_stats;

/* Replays the NMEA file path (plain or gzip) to serve:
 *   tcp://HOST:PORT  listens there (PORT 0: any free port) and writes the
 *                    file to one client at a time; a client that leaves
 *                    before the end is followed by the next one accepted,
 *                    from the first line not completely written to the one
 *                    before (lines written whole to a client that left are
 *                    not sent again, even if it never read them);
 *                    returns after the last line has been written to a
 *                    client and the connection closed (an empty file:
 *                    after one client came and was closed).  Never raises
 *                    SIGPIPE.
 *   udp://HOST:PORT  sends every line as one datagram there.
 * HOST is a name, an IPv4 address or [an IPv6 address]; an empty HOST is
 * any address (TCP) or the loopback (UDP).  Every line goes out as read,
 * without its CR if it ends in CR LF, with "\n".  A line's time is its tag
 * block's c: (10 digits seconds, 13 milliseconds), else a time (ISO-8601 or
 * Unix) before the sentence, else it has none.  o may be NULL; stats (may
 * be NULL) is filled also on failure.  Returns PEL_OK; PEL_ERR_ARG for a
 * serve that is not tcp:// or udp:// HOST:PORT or bad options; PEL_ERR_IO
 * when the file cannot be read or the address cannot be resolved, bound
 * or sent to; PEL_ERR_NOMEM.  err (may be NULL) says why.  Blocks while
 * waiting for clients and pacing; path and serve are borrowed for the
 * call. */
pel_status pel_replay(const char *path, const char *serve, const pel_replay_opts *o, pel_replay_stats *stats,
                      pel_error *err);

/* ------------------------------------------------------------------------ */
/* Case files: findings partners can verify (pelorus case; docs/case.md)    */
/* ------------------------------------------------------------------------ */

typedef struct pel_case_opts {
    const char *data_dir; /* as pel_scan_opts: the reference data the scan uses */
    const char *zones_path;
    const char *const *set; /* detector settings "name=value" (docs/findings.md) */
    size_t nset;
    const uint32_t *mmsi; /* the case's vessels: at least one */
    size_t nmmsi;
    const char *const *finding; /* finding ids: only these findings (none: every finding of the vessels) */
    size_t nfinding;
    bool has_from, has_to; /* only findings meeting this period (Unix ms, inclusive) */
    int64_t from_ms, to_ms;
    double margin_h;       /* lines held before the first finding and after the last; 0: 24 */
    double context_km;     /* other vessels' lines held within this of the vessels' tracks (for the
                              coverage a gap is judged by); 0: 15, negative: none */
    const char *title;     /* NULL: "Case" and the vessels */
    const char *input_dir; /* where an input not found at its stored path is looked for, by file
                              name; NULL: nowhere else */
    bool zip;              /* out is one .zip file instead of a directory */
    /* each finding of the database the case is about that the case alone does not give byte for
       byte (why: "not found" or the first member that differs); may be NULL */
    void (*on_differ)(void *ud, const char *finding_id, const char *event, const char *why);
    /* each input left out: missing or changed (msg says which) and holding no position of the
       vessels in the window, so only other vessels' context could have come from it; may be NULL */
    void (*on_unread)(void *ud, const char *path, const char *msg);
    void *ud;
} pel_case_opts;

typedef struct pel_case_stats {
    uint64_t findings;        /* in the case (the detectors on the case alone) */
    uint64_t origin_findings; /* the database's findings the case is about */
    uint64_t reproduced;      /* of those, given byte for byte by the case alone */
    uint64_t vessels;         /* vessels whose every line in the window is held */
    uint64_t inputs, lines;   /* original inputs the lines come from, lines held */
    uint64_t inputs_unread;   /* inputs left out (on_unread) */
    uint64_t partner_inputs;  /* inputs of partners' cases imported: their lines are not exported again */
    char id[17];              /* the case's id: the first 16 hex digits of its MANIFEST's SHA-256 */
} pel_case_stats;

/* Writes a case about o's vessels to out, a new directory (or with o->zip
 * a .zip file) that must not exist yet: the lines the findings rest on and
 * every line of the vessels involved over the findings' window with a
 * margin, byte for byte from the original inputs (unchanged since they were
 * ingested; one holding positions of the vessels in the window must be
 * readable, another is left out, told to on_unread), the findings the detectors give
 * on those lines alone, the database's own findings beside them, the list
 * entries matched, the reference data and settings, a dossier (case.html)
 * and a MANIFEST of SHA-256 sums.  Written to a temporary name and renamed
 * into place when complete.  stats may be NULL.  PEL_ERR_ARG (options),
 * PEL_ERR_IO (an input missing or changed, writing failed), PEL_ERR_NOMEM,
 * with err saying which. */
pel_status pel_case_export(pel_store *s, const pel_case_opts *o, const char *out, pel_case_stats *stats,
                           pel_error *err);

typedef struct pel_case_check {
    uint64_t problems; /* differences found; 0: the case verifies */
    bool is_signed;    /* MANIFEST.sig present */
    bool signature_ok; /* and valid for MANIFEST (and by pubkey, when one was given) */
    char signer[65];   /* the signing key, hex; "" when unsigned */
    char id[17];       /* the case's id */
    uint64_t findings; /* findings the rerun gave */
} pel_case_check;

/* Verifies the case at path (a directory or a .zip): every file against
 * MANIFEST, every line against its index, the signature if there is one
 * (with pubkey_path, the key it must be by; then an unsigned case fails),
 * and the detectors rerun on the case's lines with its settings must give
 * its findings.jsonl byte for byte.  Each difference goes to problem (the
 * file, its line or 0, what is wrong; may be NULL) and counts in
 * r->problems.  Returns PEL_OK when the checks ran (whatever they found),
 * else PEL_ERR_FORMAT (not a case), PEL_ERR_IO, PEL_ERR_NOMEM. */
pel_status pel_case_verify(const char *path, const char *pubkey_path,
                           void (*problem)(void *ud, const char *file, uint64_t line, const char *what), void *ud,
                           pel_case_check *r, pel_error *err);

/* Makes an Ed25519 key pair: the secret key to secret_path (mode 0600) and
 * the public key to public_path, both new files. */
pel_status pel_key_new(const char *secret_path, const char *public_path, pel_error *err);

/* Signs the case at path (a directory, or a .zip rewritten in place) with
 * the secret key at key_path: MANIFEST.sig, replacing an earlier one.
 * signer (may be NULL; 65 bytes) gets the public key in hex. */
pel_status pel_case_sign(const char *path, const char *key_path, char *signer, pel_error *err);

typedef struct pel_case_import_stats {
    bool already;            /* the case was imported before: nothing added */
    char id[17];             /* its id */
    char signer[65];         /* the key that signed it, hex; "" when unsigned */
    uint64_t findings;       /* the partner's findings recorded */
    pel_ingest_stats ingest; /* its lines, ingested */
} pel_case_import_stats;

/* True when path is a case: a directory holding case.json and MANIFEST, or
 * a .zip file. */
bool pel_case_is(const char *path);

/* Imports the case at path into s: checks it as pel_case_verify does
 * without the rerun (files, lines, signature; pubkey_path as there), then
 * ingests its lines as inputs named "case:ID/ORIGINAL" (their line numbers
 * the original's) and records the case (its signer, origin) and its
 * findings as the partner's (pel_case_list, pel_case_findings), apart
 * from what pel_scan finds.  A case imported before adds nothing.  A case
 * that does not verify is refused (PEL_ERR_FORMAT naming the first
 * problem).  stats may be NULL. */
pel_status pel_case_import(pel_store *s, const char *path, const char *pubkey_path, pel_case_import_stats *stats,
                           pel_error *err);

/* Writes the cases imported into s to out, one JSON object a line: id,
 * title, signer (null when unsigned), origin, pelorus, imported, path,
 * findings, lines. */
pel_status pel_case_list(pel_store *s, FILE *out, pel_error *err);

/* Writes the partners' findings in s (case_id NULL: of every case; mmsi 0:
 * about any vessel) to out, each line of the case's findings.jsonl with
 * "case" (its id) and "signer" (hex or null) added at its front. */
pel_status pel_case_findings(pel_store *s, const char *case_id, uint32_t mmsi, FILE *out, pel_error *err);

/* Writes the partners' findings about mmsi, one a line (time, event, the
 * case and its signer), under a heading, to out (pelorus vessel); nothing
 * when there are none. */
pel_status pel_case_vessel(pel_store *s, uint32_t mmsi, FILE *out, pel_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PELORUS_H */
