/*
 * record.h -- a finding as bytes and back (record.c), for what a scan keeps
 * between runs (src/scan/scan_state.c): the findings an incremental scan
 * does not judge again.  Internal to libpelorus.
 *
 * A record holds everything of a finding: its core, every member (with a
 * number's decimals), its evidence (inputs by their ids in the store) and
 * clocks.  Records are for the same build on the same machine: native byte
 * order, no promise across versions (the state that holds them carries a
 * version and is dropped when it differs).
 */
#ifndef PEL_FND_RECORD_H
#define PEL_FND_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "findings/finding.h"

/* A growing byte buffer: v[0, n) in cap bytes, malloc'd, the owner's. */
typedef struct fnd_bytes {
    unsigned char *v;
    size_t n, cap;
    bool nomem; /* an append failed: the buffer is incomplete */
} fnd_bytes;

/* Appends f (borrowed) as one record to out. */
void fnd_record_put(fnd_bytes *out, const fnd_finding *f);

/* Reads the record at (*at) of the len bytes at buf into *f and advances *at
 * past it.  f's strings point into buf, its members and evidence into
 * *scratch (malloc'd, grown as needed, the caller's to free): valid until buf
 * or *scratch changes -- long enough for fnd_set_add, which copies.  false
 * when the bytes are not a whole record (or memory ran out). */
bool fnd_record_get(const unsigned char *buf, size_t len, size_t *at, fnd_finding *f, void **scratch,
                    size_t *scratch_cap);

/* Appends n bytes at p to out. */
void fnd_bytes_add(fnd_bytes *out, const void *p, size_t n);

#endif
