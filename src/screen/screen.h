/* screen.h -- watchlists in the store, and screening (screen.c). Internal. */
#ifndef PEL_SCREEN_H
#define PEL_SCREEN_H

#include "findings/finding.h"
#include "pelorus.h"

/* A matcher over the stored lists, or the shipped default when none is
 * stored (*is_default) -- unless stored_only: then none.  The caller frees
 * *out with pel_matcher_free. */
pel_status sc_load_matcher(pel_store *s, const char *data_dir, bool stored_only, pel_matcher **out, bool *is_default,
                           pel_error *err);
/* Every entry a scan screens against (the stored lists, or the shipped
 * default when none is stored: *is_default) to cb, borrowed for the call;
 * cb returning nonzero stops (PEL_STOPPED). */
pel_status sc_entries_each(pel_store *s, const char *data_dir, int (*cb)(void *ud, const pel_wl_entry *e), void *ud,
                           bool *is_default, pel_error *err);
/* The IMO numbers of the default lists shipped in data_dir's watchlist/
 * (NULL: the installed data), sorted, each once: *imos is the caller's
 * (free), *n their number.  Returns PEL_OK, or the lists' error in err. */
pel_status sc_default_imos(const char *data_dir, uint32_t **imos, size_t *n, pel_error *err);

/* Screens every stored identity (and the MMSI of every vessel without
 * one); emits watchlist_match findings with their confidence
 * (docs/screening.md).  mid (may be NULL) gives the MMSIs' countries for
 * the flag check.  *dropped (may be NULL) gets the number of name matches
 * left out because the vessel broadcast a different valid IMO. */
typedef struct geo_mid geo_mid;
pel_status sc_screen(pel_store *s, const pel_matcher *m, bool is_default, const geo_mid *mid, fnd_emit_fn emit,
                     void *ud, uint64_t *dropped, pel_error *err);

#endif
