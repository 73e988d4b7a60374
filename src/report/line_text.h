/*
 * line_text.h -- the text of input lines by file name and line number: the
 * evidence a dossier shows (pel_report_opts.line_text).  Internal to
 * libpelorus; the command line's `pelorus report --dossier` uses it, and
 * anything else that wants to show a finding's evidence lines can.
 *
 * Ownership: rpt_lines_new makes a reader, the caller's until
 * rpt_lines_free; the text rpt_lines_get returns is the reader's, valid
 * until the next call on it (or its free).  Not thread-safe: one reader per
 * thread.
 */
#ifndef PEL_LINE_TEXT_H
#define PEL_LINE_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct rpt_lines rpt_lines;

/* A new reader, holding nothing yet; NULL when out of memory. */
rpt_lines *rpt_lines_new(void);

/* Line number line (1 is the first) of the file named file, as the file
 * holds it now: its bytes without the line end ("\n", and a "\r" before
 * it), *len their count.  A gzip file is read decompressed.  NULL (*len 0)
 * when the file cannot be opened or read, has fewer lines, line is 0, the
 * line is longer than 16 MiB, or memory ran out.  The file is opened once
 * and kept open (at most 16 at a time, the least recently used closed
 * first), and the position of every 1024th line remembered, so lines asked
 * for in increasing order read each file once, and any order costs at most
 * 1024 lines a call (a plain file; a gzip one is decompressed again from
 * its start to go back). */
const char *rpt_lines_get(rpt_lines *l, const char *file, uint64_t line, size_t *len);

/* rpt_lines_get in the shape of pel_report_opts.line_text (ud: the reader). */
const char *rpt_lines_text(void *ud, const char *file, uint64_t line, size_t *len);

/* Closes every file and frees l.  l may be NULL. */
void rpt_lines_free(rpt_lines *l);

#endif
