/*
 * textcsv.h -- a CSV reader over a file already in memory, for the small
 * reference tables (data/ports.csv, data/mid.csv) and the sanctions lists
 * (OFAC sdn.csv/alt.csv, our own list, OpenSanctions targets.simple.csv).
 * Internal to libpelorus.
 *
 * RFC 4180: fields separated by commas, quoted fields may hold commas,
 * doubled quotes and line breaks; records end in LF or CRLF; a UTF-8 BOM
 * and blank lines are skipped.  Why not libcsv (which reads the big AIS
 * CSV exports, src/ingest/csv_ais.c): these files are small and read whole,
 * and a broken one must be refused with the line and the reason -- a quote
 * never closed (named at the line it opened), text after a closing quote, a
 * quote inside an unquoted field, a NUL byte -- which libcsv cannot say.
 */
#ifndef PEL_TEXTCSV_H
#define PEL_TEXTCSV_H

#include <stddef.h>
#include <stdint.h>

typedef struct textcsv {
    const char *p, *end; /* the text (borrowed), the next character */
    uint64_t line;       /* line of the next character, from 1 */
    uint64_t rec_line;   /* line the current record starts on */
    uint64_t err_line;   /* after an error: the line it is on */
    const char *why;     /* after an error: the reason (static) */
    char *buf;           /* the current record's fields, NUL-separated (owned) */
    size_t blen, bcap;
    size_t *off;     /* field i starts at buf + off[i] (owned) */
    size_t nf, capf; /* fields in the current record */
} textcsv;

/* Starts reading the len bytes at s (borrowed: they must outlive c).  No
 * allocation; free with textcsv_free. */
void textcsv_init(textcsv *c, const char *s, size_t len);

/* Reads the next record: 1 (its fields in c), 0 at the end, -1 when the
 * text is malformed or memory runs out (c->why, c->err_line). */
int textcsv_next(textcsv *c);

/* Field i of the current record, "" past the last.  Borrowed from c, valid
 * until the next textcsv_next. */
const char *textcsv_get(const textcsv *c, size_t i);

/* Frees c's buffers (not the text). */
void textcsv_free(textcsv *c);

#endif
