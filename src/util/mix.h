/*
 * mix.h -- the 64-bit multiply-xor step the scan's digests fold their
 * values with (scan_state.c, det_stations.c, scan.c).  Internal to
 * libpelorus.
 *
 * The digests tell a change from none; they do not stand against a forger
 * (who would have to forge the data to hide a change from a cache).
 */
#ifndef PEL_MIX_H
#define PEL_MIX_H

#include <stdint.h>

#define UTIL_MIX_SEED 14695981039346656037u

/* h with v folded in. */
static inline uint64_t util_mix(uint64_t h, uint64_t v) {
    h = (h ^ v) * 0x9E3779B97F4A7C15u;
    return h ^ (h >> 32);
}

#endif
