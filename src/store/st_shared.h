/*
 * st_shared.h -- what both backends (sqlite_*.c, pg_*.c) compute alike
 * before they write: internal to the store stage.
 */
#ifndef PEL_ST_SHARED_H
#define PEL_ST_SHARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pelorus.h"

/* The n strings v joined with a newline, in a malloc'd string (the
 * caller's to free), or NULL when out of memory. */
char *st_join_names(const char *const *v, size_t n);

/* The inverse: s (a string of st_join_names, or "" or NULL for none)
 * split at its newlines, which become NULs, into a malloc'd array of
 * pointers into s (the caller frees the array, not the strings), *n their
 * count; NULL with *n 0 for none or when out of memory. */
const char **st_split_names(char *s, size_t *n);

/* The box over the usable positions (segment >= 0) of the chunk c[0, n):
 * box = {lowest lat, highest lat, lowest lon, highest lon} in 1/600000
 * degree; false (box untouched) when it has none. */
bool st_chunk_box(const pel_position *c, size_t n, int32_t box[4]);

#endif
