/*
 * escape.h -- the one escaping policy: how a text that came from AIS or a
 * list (a vessel name, a list entry, a port, a file name) is written into
 * each syntax Pelorus writes -- JSON, CSV, XML and the HTML that Google
 * Earth renders inside KML.  Internal to libpelorus; the command line uses
 * it too.  docs/report.md ("Display", "Escaping") is the contract.
 *
 * Two rules decide everything, and both come from util/display.h:
 *
 *   - files made for reading (CSV for spreadsheets, KML for Google Earth)
 *     carry the display form: each hidden character (disp_hidden) as a
 *     visible mark "⟨U+202E⟩", each byte that is not UTF-8 as U+FFFD;
 *   - JSON keeps the exact text: hidden characters stay, written as \uXXXX
 *     escapes, bytes that are not UTF-8 become U+FFFD (JSON text is UTF-8),
 *     so a file carries no invisible byte and parses to the very string
 *     received.
 *
 * Then each syntax is escaped: JSON string escapes; RFC 4180 quoting with
 * spreadsheet formula defusing (a leading = + - @ gets a ' so that a
 * spreadsheet shows it instead of running it: OWASP "CSV injection"); XML
 * entities, twice where a reader renders the text as HTML.  Every writer of
 * these syntaxes goes through this file; none escapes by hand.
 *
 * Every function writes to a FILE (errors stay in the stream: check
 * ferror); NULL text is written as the empty text.
 */
#ifndef PEL_ESCAPE_H
#define PEL_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Flags of the functions below; each says which it takes. */
enum {
    ESC_HTML = 1u << 0,    /* JSON: also < > & as \u003c \u003e \u0026, so the JSON can sit in a <script>
                              element; XML: the text is rendered as HTML (KML balloons): escaped for HTML,
                              then again for XML */
    ESC_SHOWN = 1u << 1,   /* JSON string: escape only what JSON requires (" \ C0 controls, DEL), leaving
                              the other hidden characters to a display that marks them (CSV details, tables) */
    ESC_MINIMAL = 1u << 2, /* CSV: quote only a field that needs it (a , " CR or LF, or a formula start) */
    ESC_DATA = 1u << 3     /* CSV: the exact text, no display form and no formula prefix -- only for CSV
                              files that Pelorus itself reads back (simulate's watchlist.csv), where a
                              changed name would no longer be the name; quoted as ESC_MINIMAL */
};

/* The signature every writer below has, for esc_dup. */
typedef void (*esc_fn)(FILE *f, const char *s, unsigned flags);

/* Writes s as a quoted JSON string of its exact text: " and \ escaped, every
 * hidden character as a \uXXXX escape (a surrogate pair above U+FFFF), a
 * byte that is not UTF-8 as U+FFFD.  Flags ESC_HTML, ESC_SHOWN. */
void esc_json_string(FILE *f, const char *s, unsigned flags);

/* Writes the JSON text json (valid JSON in UTF-8, as a JSON library made
 * it) with every hidden character at or above U+007F as a \uXXXX escape:
 * the same JSON value, no invisible byte (controls below U+007F are escaped
 * already, and hidden characters can only be inside strings, where the
 * escape means the same).  Flag ESC_HTML: also every < > & (which JSON
 * text holds only inside strings), so that nothing in it can end a
 * <script> element or open a comment. */
void esc_json_text(FILE *f, const char *json, unsigned flags);

/* Writes s as one CSV field: its display form, always quoted with "
 * doubled, and a leading = + - @ prefixed with ' so a spreadsheet does not
 * run it.  Flags ESC_MINIMAL, ESC_DATA. */
void esc_csv(FILE *f, const char *s, unsigned flags);

/* Writes s as XML character data or an attribute value: its display form
 * (XML forbids most controls; the marks are plain text) with & < > " '
 * as entities.  Flag ESC_HTML: escaped for HTML first (&#39; for ', as
 * HTML 4 has no &apos;), then for XML, so a reader that renders the text
 * as HTML gets "&lt;script&gt;" and shows it as text. */
void esc_xml(FILE *f, const char *s, unsigned flags);

/* What fn writes for s and flags, as a new string (malloc'd; the caller
 * frees), or NULL when out of memory: for writers with buffers of their
 * own that escape one text for many lines. */
char *esc_dup(esc_fn fn, const char *s, unsigned flags);

/* esc_json_text into a new string (malloc'd, the caller frees), or NULL
 * when out of memory. */
char *esc_json_text_dup(const char *json, unsigned flags);

/* The first len bytes at s as UTF-8: each byte that does not start a valid
 * sequence (and each NUL, which a C string cannot hold) becomes U+FFFD.  A
 * new string (malloc'd, the caller frees), or NULL when out of memory. */
char *esc_utf8_dup(const char *s, size_t len);

/* The length of the NUL-terminated s made UTF-8 as esc_utf8_dup makes it,
 * without the terminator. */
size_t esc_utf8_len(const char *s);

/* Writes s made UTF-8 (esc_utf8_len bytes and a NUL) to dst, which has room
 * for them; returns dst. */
char *esc_utf8_copy(char *dst, const char *s);

#endif
