/*
 * csv_internal.h -- what the CSV reader (csv_ais.c), its column maps
 * (csv_columns.c) and ingest (ingest.c) share.  Internal: not part of the
 * API in pelorus.h.
 */
#ifndef PEL_CSV_INTERNAL_H
#define PEL_CSV_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

/* The columns a reader can take from a file, whatever their position in
 * it: every field of pel_record a CSV export can carry. */
enum {
    C_MMSI,
    C_TIME,
    C_LAT,
    C_LON,
    C_SOG,
    C_COG,
    C_HEADING,
    C_NAME,
    C_IMO,
    C_CALLSIGN,
    C_SHIPTYPE,
    C_STATUS,
    C_LENGTH,
    C_WIDTH,
    C_DRAUGHT,
    C_MOBILE, /* class: NOAA TransceiverClass, DMA Type of mobile */
    C_DEST,
    C_ETA,
    C_A, /* to_bow, to_stern, to_port, to_starboard */
    C_B,
    C_C,
    C_D,
    C_MSGTYPE, /* the AIS message type (Kystverket message_nr) */
    C_SOURCE,  /* receiver or network (BarentsWatch stream) */
    C__COUNT
};

#define CSV_KEY_MAX 48 /* a normalised header name, with its NUL */

/* A column map (--columns): for each column, the normalised header name
 * that holds it ("" when not mapped) and what its values are divided by
 * ("/N" in the map; 1 otherwise). */
typedef struct csv_colmap {
    char key[C__COUNT][CSV_KEY_MAX];
    uint32_t div[C__COUNT];
} csv_colmap;

/* Normalises a header name s[0..n) into key (cap bytes): lower case,
 * without spaces, tabs, underscores, a leading '#' or a UTF-8 byte order
 * mark.  "# Timestamp" and "date_time_utc" become "timestamp" and
 * "datetimeutc". */
void csv_key(const char *s, size_t n, char *key, size_t cap);

/* Parses a column map "field=Header[/N],..." (docs/formats.md) into m.
 * Returns true, or false with the reason in why (cap bytes). */
bool csv_colmap_parse(const char *spec, csv_colmap *m, char *why, size_t cap);

/* Writes m canonically ("mmsi=mmsi,time=basedatetime,speed=sog/10,...": the
 * fields in a fixed order, headers normalised) into buf (cap bytes, NUL
 * terminated, truncated if need be).  Two maps that read a file the same
 * way write the same text: it is part of an input's identity in the
 * store.  Returns the length. */
size_t csv_colmap_canonical(const csv_colmap *m, char *buf, size_t cap);

/* The column a normalised header name stands for when a generic CSV is
 * read without a column map ("latitude" -> C_LAT, "sog" -> C_SOG ...), or
 * -1. */
int csv_generic_column(const char *key);

/* The field name of a column in column maps ("mmsi", "lat", ...). */
const char *csv_field_name(int col);

/* Opens path and reads its header as pel_csv_read_opts would, and no
 * further: PEL_OK when it is a header of o's format (the format it is, for
 * PEL_CSV_AUTO, in *found when found is not NULL), else PEL_ERR_FORMAT,
 * PEL_ERR_ARG or PEL_ERR_IO with err filled.  For PEL_CSV_GENERIC the
 * columns it will read -- named by o's map or found by their usual names --
 * are written canonically (csv_colmap_canonical) into canon (cap bytes;
 * "" otherwise; canon may be NULL).  path and o are only read. */
pel_status csv_check_header(const char *path, const pel_csv_opts *o, pel_csv_format *found, char *canon, size_t cap,
                            pel_error *err);

#endif
