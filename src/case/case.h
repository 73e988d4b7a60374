/*
 * case.h -- what the files of the case stage share (docs/case.md).
 * Internal: the API is pel_case_* in pelorus.h.
 *
 * A case is a directory (or a .zip of one):
 *
 *   case.json         what the case is: its vessels, the findings asked
 *                     for, the period, the window its lines cover, the
 *                     detector settings, the inputs its lines come from
 *   lines/NN-NAME     lines of one original input, byte for byte, in order
 *   lines/NN-NAME.index  per line: its number in the original and the
 *                     SHA-256 of its bytes (line end left out)
 *   findings.jsonl    the findings the detectors give on the case alone
 *   origin.jsonl      the findings as the exporting database gave them
 *   watchlist.jsonl   the list entries matched
 *   ports.csv, mid.csv, zones.geojson, web/vendor/land-50m.json
 *                     the reference data the detectors used
 *   case.html         the dossier
 *   MANIFEST          SHA-256 and size of every file, and of every
 *                     original input named
 *   MANIFEST.sig      optional: an Ed25519 signature of MANIFEST
 *
 * case_*.c: export (case_export.c), the lines (case_lines.c), case.json
 * (case_doc.c), the rerun (case_rerun.c), MANIFEST and signatures
 * (case_manifest.c), verify (case_verify.c), import (case_import.c), .zip
 * (case_zip.c).
 */
#ifndef PEL_CASE_H
#define PEL_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pelorus.h"

#define CASE_FORMAT "pelorus-case"
#define CASE_VERSION 1

/* One original input whose lines the case holds. */
typedef struct case_input {
    char *lines;    /* "lines/NN-NAME", relative to the case */
    char *path;     /* the original's name as its database knows it (inputs.path) */
    char *sha256;   /* of the original's bytes, as ingested */
    uint64_t size;  /* of the original */
    char *format;   /* inputs.format */
    char *settings; /* inputs.settings */
    uint64_t count; /* lines held */
} case_input;

/* case.json, as values.  Owned strings and arrays (case_doc_free). */
typedef struct case_doc {
    char *pelorus; /* the version that exported it */
    char *title;
    char *origin; /* the exporting database's file name */
    uint32_t *vessels;
    size_t nvessels;
    char **ids; /* the findings asked for (finding_id); none: all of the vessels' */
    size_t nids;
    bool has_from, has_to;
    int64_t from_ms, to_ms;
    uint32_t *involved; /* the vessels whose every line in the window is held */
    size_t ninvolved;
    int64_t window_from_ms, window_to_ms;
    double margin_h, context_km;
    char **set; /* detector settings name=value */
    size_t nset;
    bool lists_default; /* the exporting scan screened against the shipped list */
    case_input *in;
    size_t nin;
    uint64_t findings, origin_findings, reproduced; /* counts, for the reader */
} case_doc;

pel_status case_doc_write(const case_doc *d, const char *path, pel_error *err);
pel_status case_doc_read(const char *path, case_doc *d, pel_error *err);
void case_doc_free(case_doc *d);

/* True when the finding belongs in the case's findings: about one of its
 * vessels (mmsi or mmsi2), meeting its period, and one asked for when
 * some were. */
bool case_picks(const case_doc *d, const pel_finding_info *fi, const char *id);

/* The findings of fs the case picks, as pel_scan writes them (JSON lines,
 * each finding's id computed in the whole of fs): *out malloc'd (the
 * caller frees), *len bytes, *count lines. */
pel_status case_pick_lines(const pel_findings *fs, const case_doc *d, char **out, size_t *len, size_t *count,
                           pel_error *err);
/* The same, calling on_pick (may be NULL) with each picked finding's index
 * in fs. */
pel_status case_pick_lines_cb(const pel_findings *fs, const case_doc *d, char **out, size_t *len, size_t *count,
                              void (*on_pick)(void *ud, size_t i), void *ud, pel_error *err);

/* The finding_id of one JSON line of findings into id (17 bytes); false
 * when it has none. */
bool case_line_id(const char *line, size_t len, char id[17]);

/* ---- lines (case_lines.c) ---- */

/* Line numbers to take from one input, added in any order. */
typedef struct case_sel {
    uint64_t *v;
    size_t n, cap;
} case_sel;

pel_status case_sel_add(case_sel *s, uint64_t from, uint64_t to);
void case_sel_finish(case_sel *s); /* sorted, each once */
void case_sel_free(case_sel *s);

/* Copies the lines s names from the input at src (plain or gzip) to
 * dir/rel, and their index to dir/rel.index; *count the lines written.
 * PEL_ERR_IO with err naming the file. */
pel_status case_lines_copy(const char *src, const case_sel *s, const char *dir, const char *rel, uint64_t *count,
                           pel_error *err);

/* Reads dir/rel.index: *orig the original line numbers (malloc'd), *n. */
pel_status case_index_read(const char *dir, const char *rel, uint64_t **orig, size_t *n, pel_error *err);

/* Checks every line of dir/rel against its index; each difference to
 * problem (file, line of the bundle, what) -- a changed line, one dropped,
 * one added.  Returns the number of differences in *bad. */
pel_status case_lines_check(const char *dir, const char *rel, const char *orig_name,
                            void (*problem)(void *ud, const char *file, uint64_t line, const char *what), void *ud,
                            uint64_t *bad, pel_error *err);

/* The text of line `line` of the original `file` from the case's bundles
 * (for the dossier: pel_report_opts.line_text; its CR left out, as the
 * report shows lines).  case_text_open reads the bundles' indexes (NULL,
 * err filled, when one cannot be read); the text is the reader's until the
 * next call; case_text_free frees it all. */
typedef struct case_text case_text;
case_text *case_text_open(const char *dir, const case_doc *d, pel_error *err);
const char *case_text_line(void *ud, const char *file, uint64_t line, size_t *len);
void case_text_free(case_text *t);

/* ---- rerun (case_rerun.c) ---- */

/* Runs the detectors on the case at dir alone: its lines ingested as the
 * inputs they came from into a new database in a temporary directory,
 * with its list entries, reference data and settings; *out the findings
 * the case picks (as case_pick_lines).  dossier, when not NULL, is written
 * from that database (title: case.json's), with the page's template and
 * scripts from the data directory web_dir (ports, MIDs and the land mask
 * there are the same files as the case's copies).  The temporary directory is
 * removed in every case. */
pel_status case_rerun(const char *dir, const case_doc *d, const char *dossier, const char *web_dir, char **out,
                      size_t *len, size_t *count, pel_error *err);

/* One list entry as a line of watchlist.jsonl (every member of
 * pel_wl_entry), and the file read back into s as stored lists, one
 * import per list. */
pel_status case_wl_write(FILE *f, const pel_wl_entry *e, pel_error *err);
pel_status case_wl_import(pel_store *s, const char *path, pel_error *err);

/* ---- files (case_manifest.c) ---- */

/* SHA-256 (hex) and size of a file's bytes. */
pel_status case_sha256_file(const char *path, char hex[65], uint64_t *size, pel_error *err);

/* Writes dir/MANIFEST: every file under dir (but MANIFEST and
 * MANIFEST.sig) with its SHA-256 and size, by path, then every original
 * input d names. */
pel_status case_manifest_write(const char *dir, const case_doc *d, pel_error *err);

/* Checks dir against its MANIFEST: each file changed, missing or not
 * listed to problem; *bad their number.  id (17 bytes) gets the case's id. */
pel_status case_manifest_check(const char *dir,
                               void (*problem)(void *ud, const char *file, uint64_t line, const char *what), void *ud,
                               uint64_t *bad, char id[17], pel_error *err);

/* The signature of dir/MANIFEST.sig: true in *signed_ when there is one;
 * *ok when it is a valid Ed25519 signature of MANIFEST by the key it names
 * (signer: 64 hex digits + NUL). */
pel_status case_signature(const char *dir, bool *signed_, bool *ok, char signer[65], pel_error *err);

/* Signs dir/MANIFEST with the secret key at key_path into MANIFEST.sig
 * (replacing an earlier one); signer gets the public key in hex. */
pel_status case_sign_dir(const char *dir, const char *key_path, char signer[65], pel_error *err);

/* Reads a public key file (pelorus key new) into pub (32 bytes). */
pel_status case_read_pubkey(const char *path, uint8_t pub[32], pel_error *err);

/* Every file under dir, MANIFEST included, as paths relative to it in
 * path order: *v (malloc'd strings in a malloc'd array) and *n. */
pel_status case_files(const char *dir, char ***v, size_t *n, pel_error *err);

/* dir/rel, malloc'd; NULL when out of memory. */
char *case_join(const char *dir, const char *rel);

/* A whole file, NUL-terminated after its *len bytes, malloc'd; NULL when
 * it cannot be read (errno set) or out of memory. */
char *case_slurp(const char *path, size_t *len);

/* Recursively removes path (a temporary directory). */
void case_rmtree(const char *path);

/* A new directory under $TMPDIR (else /tmp) into buf (cap bytes). */
pel_status case_tmpdir(char *buf, size_t cap, pel_error *err);

/* ---- zip (case_zip.c) ---- */

/* Writes every file under dir into the zip at path (entries named
 * top/RELATIVE, stored by path order, with fixed times so the same case
 * gives the same bytes). */
pel_status case_zip_write(const char *dir, const char *top, const char *path, pel_error *err);

/* Extracts the zip at path into dir (which exists and is empty); *root
 * (malloc'd) the directory inside it that holds case.json.  Refuses
 * entries that would leave dir. */
pel_status case_zip_extract(const char *path, const char *dir, char **root, pel_error *err);

/* A case given by path: a directory as it is, or a .zip extracted into a
 * temporary directory (*tmp, to remove with case_rmtree, else ""); *dir
 * (malloc'd) where its case.json is. */
pel_status case_open_path(const char *path, char **dir, char tmp[1024], pel_error *err);

#endif
