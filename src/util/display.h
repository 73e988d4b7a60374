/*
 * display.h -- the one policy for showing text that came from AIS or a list
 * (vessel names, call signs, destinations, list entries, file names) to a
 * person.  Internal to libpelorus; the command line uses it too, and
 * data/web/report.js carries the same table for report.html (docs/report.md,
 * "Display"; tests/display_test.sh checks the two tables are equal).
 *
 * Such text is hostile: a right-to-left override (U+202E) makes
 * "\u202eRATS KCALB" display as "BLACK STAR"; a zero-width space hides a
 * difference between two names; a control character moves the cursor or
 * rewrites a terminal line.  The policy:
 *
 *   - displays (tables, the terminal, CSV for spreadsheets, KML for Google
 *     Earth, report.html's page) show each hidden character (disp_hidden)
 *     as a visible mark, "⟨U+202E⟩", and each byte that is not UTF-8 as
 *     U+FFFD; everything else as it is;
 *   - JSON outputs keep the exact text: the characters stay, written as
 *     \uXXXX escapes, so the file carries no invisible bytes but parses to
 *     the very string that was received;
 *   - screening and every comparison work on the text as received (this
 *     file is used only when writing).
 *
 * How each syntax (JSON, CSV, XML) is escaped on top of this policy is
 * util/escape.h.
 *
 * Hidden: C0 and C1 controls and DEL; the bidirectional formatting
 * characters (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069);
 * zero-width, joiner and other invisible format characters (U+00AD,
 * U+034F, U+115F, U+1160, U+17B4, U+17B5, U+180B-U+180F, U+200B-U+200D,
 * U+2060-U+2065, U+206A-U+206F, U+3164, U+FE00-U+FE0F, U+FEFF, U+FFA0,
 * U+FFF0-U+FFFB, U+1BCA0-U+1BCA3, U+1D173-U+1D17A, U+E0000-U+E0FFF); the
 * line and paragraph separators U+2028, U+2029; surrogates; and the
 * noncharacters (U+FDD0-U+FDEF, U+nFFFE and U+nFFFF in every plane).
 */
#ifndef PEL_DISPLAY_H
#define PEL_DISPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* True when cp is not shown as itself (the list above). */
bool disp_hidden(uint32_t cp);

/* The ranges of the list above, first and last code point each, ascending;
 * *n gets their count.  Static. */
const uint32_t (*disp_ranges(size_t *n))[2];

/* The next code point of the NUL-terminated UTF-8 text at *ps, advancing
 * *ps past it; a byte that does not start a valid sequence (bad lead,
 * truncated, overlong, surrogate, above U+10FFFF) is consumed alone and
 * read as U+FFFD.  Never reads past the terminating NUL. */
uint32_t disp_next(const unsigned char **ps);

/* Writes the display form of s (NULL as "") to f; returns the number of
 * characters written (a mark counts as its 8 or more characters). */
size_t disp_fputs(FILE *f, const char *s);

/* Writes at most width characters of s's display form (a hidden
 * character's mark is never cut), then, when pad, spaces up to width
 * characters: a table cell.  Returns true when s did not fit. */
bool disp_fput_cell(FILE *f, const char *s, size_t width, bool pad);

/* The display form of s as a new string (malloc'd, the caller frees), or
 * NULL when out of memory.  s NULL gives "". */
char *disp_dup(const char *s);

/* The display form of the code point cp into b (at least 16 bytes): the
 * mark "⟨U+202E⟩" when disp_hidden(cp), else cp in UTF-8.  Returns the
 * length (b is not NUL-terminated). */
size_t disp_shown(uint32_t cp, char *b);

#endif
