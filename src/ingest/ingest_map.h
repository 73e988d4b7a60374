/*
 * ingest_map.h -- reading an input again as an ingest read it, and
 * ingesting a case's bundled lines as the inputs they came from
 * (src/case/).  Internal: not part of the API in pelorus.h.
 *
 * An input is read as the row of `inputs` says (docs/schema.md): its
 * format ("nmea", "noaa", "dma", "kystverket", "barentswatch", "csv") and
 * its settings ("columns=...; time-format=...; delimiter=...;
 * assume-time=ISO|none").
 */
#ifndef PEL_INGEST_MAP_H
#define PEL_INGEST_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

/* One bundled input of a case: the file to read and what it stands for. */
typedef struct ing_mapped {
    const char *path;      /* the bundled lines, a file */
    const char *as_name;   /* the original's name: inputs.path, evidence and messages */
    const char *format;    /* the original's inputs.format */
    const char *settings;  /* the original's inputs.settings */
    const uint64_t *lines; /* line k (from 1) of path is line lines[k - 1] of the original */
    size_t nlines;
    const uint32_t *only; /* NULL, or the vessels (sorted MMSIs) whose records are stored: the others'
                             are counted as ignored */
    size_t nonly;
} ing_mapped;

/* Sets o's format, columns, time format, delimiter and assumed time from
 * an input's format and settings (the rest of o is left as it is); the
 * texts o then points at are kept in buf (cap bytes, the caller's, alive
 * as long as o is used).  PEL_ERR_FORMAT, with err, for a format or a
 * setting this version does not know. */
pel_status ing_opts_from_settings(const char *format, const char *settings, pel_ingest_opts *o, char *buf, size_t cap,
                                  pel_error *err);

/* As pel_ingest, each input read as in[i] says (o gives the rest: track
 * settings, callbacks).  Each is known by the bundled file's content. */
pel_status ing_ingest_mapped(pel_store *s, const ing_mapped *in, size_t n, const pel_ingest_opts *o,
                             pel_ingest_stats *stats, pel_error *err);

/* Reads the input at path as format and settings say and calls on_rec for
 * every record the decoder or CSV reader gives (rejected lines give none;
 * records without a time are given with has_time false, or the assumed
 * time when the settings assume one).  on_rec returns non-zero to stop
 * (PEL_STOPPED).  The record is borrowed for the call. */
pel_status ing_read_records(const char *path, const char *format, const char *settings,
                            int (*on_rec)(void *ud, const pel_record *r), void *ud, pel_error *err);

#endif
