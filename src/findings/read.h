/*
 * read.h -- findings in: JSON Lines as pelorus scan writes them (the
 * contract of docs/findings.md) into a set of structured findings, for
 * eval and for anyone reading findings files.  Internal to libpelorus;
 * pel_findings_read is the public face.
 *
 * Each non-blank line is one JSON object.  The members every finding has
 * are checked and become the finding's own: event (a non-empty string;
 * any name, not only the events of pelorus scan), mmsi and mmsi2 (integers
 * 0..4294967295; mmsi2 may be absent or null, and 0 is taken as absent, as
 * the writers leave it out), start and end (ISO-8601, end
 * not before start), lat and lon (numbers, null or absent), clocks (clock
 * names), evidence ({"file", "line"} objects; the files become the set's
 * paths) and evidence_total.  Every other member is kept, in its order,
 * with its type: numbers keep the decimals they were written with, so a
 * file pelorus scan wrote is written back byte for byte by fnd_write_jsonl.
 *
 * Text that is not UTF-8 is taken with U+FFFD for each bad byte (as every
 * text of a set).  A line that is not JSON, or misses a member above, is an
 * error naming the file, the line and what is wrong; nothing of the file is
 * kept then.
 *
 * Limits: nesting deeper than 32 arrays or objects is refused; a line is
 * held in memory whole.
 */
#ifndef PEL_FND_READ_H
#define PEL_FND_READ_H

#include <stdio.h>

#include "findings/finding.h"

/* Reads the JSON lines of in (name: how messages call it) into a new set,
 * in file order.  On PEL_OK *out is the caller's (fnd_set_free) and, when
 * lines is not NULL, *lines a malloc'd array of each finding's line number
 * in the file (the caller frees it).  Otherwise *out and *lines are NULL and
 * err (may be NULL) says "name:line: why": PEL_ERR_FORMAT, PEL_ERR_IO
 * (reading failed) or PEL_ERR_NOMEM. */
pel_status fnd_read(FILE *in, const char *name, fnd_set **out, uint64_t **lines, pel_error *err);

/* fnd_read of the file at path ("-": standard input).  A file that cannot
 * be opened is PEL_ERR_IO with path and the reason in err. */
pel_status fnd_read_file(const char *path, fnd_set **out, uint64_t **lines, pel_error *err);

/* fnd_read of one line of text (len bytes at text, no newline needed):
 * into s, which keeps what it had.  why (at least 128 bytes) gets the
 * reason of a PEL_ERR_FORMAT. */
pel_status fnd_read_line(fnd_set *s, const char *text, size_t len, char *why, size_t cap);

#endif
