/*
 * spill.h -- the spilling side of an fnd_set (spill.c): the findings in a
 * temporary file, a compact index entry each in memory.  Internal to the
 * findings layer: finding.c calls these for a set made spilling by
 * fnd_set_spill (finding.h); everyone else uses finding.h's accessors.
 */
#ifndef PEL_FND_SPILL_H
#define PEL_FND_SPILL_H

#include "findings/finding.h"

/* A new spill (tmpfile), holding in memory the findings whose event is one
 * of hold (NULL-terminated, may be NULL; the strings are copied).  NULL
 * with *st PEL_ERR_NOMEM or PEL_ERR_IO (and errno) on failure.  Free with
 * spill_free. */
fnd_spill *spill_new(const char *const *hold, pel_status *st);

/* Closes (and so removes) the file and frees everything; NULL accepted. */
void spill_free(fnd_spill *sp);

/* The number of findings. */
size_t spill_count(const fnd_spill *sp);

/* Appends the frozen finding f (finding.c's freeze: one block), taking its
 * block (freed here when written to the file, or on failure).  PEL_OK,
 * PEL_ERR_NOMEM or PEL_ERR_IO (the message in spill_error). */
pel_status spill_add(fnd_spill *sp, fnd_finding *f);

/* Finding i's core without reading it. */
fnd_key spill_key(const fnd_spill *sp, size_t i);

/* Finding i, read into the spill's buffer: valid until the next
 * spill_get, spill_add, spill_replace, spill_keep or spill_sort.  NULL when reading
 * failed (spill_error says why). */
const fnd_finding *spill_get(fnd_spill *sp, size_t i);

/* Replaces finding i (same core) with the frozen finding f, taking its
 * block as spill_add does.  PEL_OK, PEL_ERR_NOMEM or PEL_ERR_IO; finding
 * i unchanged on failure. */
pel_status spill_replace(fnd_spill *sp, size_t i, fnd_finding *f);

/* Drops the findings whose keep[i] is false, keeping the order of the
 * others. */
void spill_keep(fnd_spill *sp, const bool *keep);

/* The canonical order of fnd_set_sort.  Reading a finding to break a tie
 * can fail: the two count as alike and spill_error says why. */
void spill_sort(fnd_spill *sp);

/* The first failure (PEL_OK when none) and its message ("" when none). */
pel_status spill_status(const fnd_spill *sp);
const char *spill_error(const fnd_spill *sp);

#endif
