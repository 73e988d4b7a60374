/* wl_internal.h -- sanctions list reading (wl_read.c), internal: what
 * pel_wl_read counts while reading, and what it keeps that pel_wl_entry has
 * no member for (call sign, owner link). */
#ifndef PEL_WL_INTERNAL_H
#define PEL_WL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

/* What one pel_wl_read call saw, over all its files. */
typedef struct wl_stats {
    size_t files[PEL_WL_OWN_CSV + 1];   /* files read, by detected format */
    size_t records;                     /* CSV records / JSON lines / XML records read */
    size_t entries;                     /* vessel entries reported (or that would be) */
    size_t with_imo, with_mmsi;         /* entries carrying a ship IMO / an MMSI */
    size_t imo_rejected;                /* IMO numbers that fail the ship check digit: dropped
                                           (kept in imo_company when they pass the company rule) */
    size_t alt_rows;                    /* OFAC alt.csv rows read */
    size_t alt_applied;                 /* ... joined to a vessel of the sdn files */
    size_t alt_unmatched;               /* ... whose ent_num is no vessel of the sdn files */
    size_t un_individuals, un_entities; /* UN XML records seen */
    size_t un_company_imos;             /* IMO company numbers found in UN entity comments */
    size_t un_vessels;                  /* UN entities taken as vessels (docs in wl_read.c) */
} wl_stats;

/* pel_wl_read, with the counts in *stats (may be NULL; zeroed first). */
pel_status wl_read_ex(const char *const *paths, size_t n, const pel_wl_cb *cb, wl_stats *stats, pel_error *err);

/* The call sign (OFAC Call_Sign column, FtM callSign) of an entry received
 * by a pel_wl_read callback, or NULL; borrowed like the entry.  Only valid
 * for entries pel_wl_read itself passed. */
const char *wl_callsign(const pel_wl_entry *e);
/* The OFAC "Linked To:" clauses ("; "-joined) of such an entry, or NULL. */
const char *wl_linked_to(const pel_wl_entry *e);

/* True when n is a 7-digit IMO company (and registered owner) number with a
 * valid check digit: digits 1-6 weighted 8,6,4,2,9,7, r = sum mod 11,
 * check digit = (11 - r) mod 10. */
bool wl_imo_company_valid(uint32_t n);

/* Which format the len bytes at data are in (PEL_WL_AUTO when unknown, and
 * when memory ran out reading the first record: then *oom is set; oom may
 * be NULL). */
pel_wl_format wl_detect(const char *data, size_t len, bool *oom);

#endif
