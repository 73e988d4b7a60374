/*
 * numtext.h -- numbers typed by a person (command-line values, "--set
 * NAME=VALUE" settings), parsed strictly.  Internal to libpelorus; the
 * command line uses it too.
 *
 * strtod and strtoull alone accept far more than a number: leading spaces,
 * "inf", "nan", hexadecimal ("0x1p3"), a minus sign on an unsigned value
 * (which wraps), and values past the type's range (clamped, with errno the
 * only trace).  A setting of NaN or infinity then turns a detector's
 * comparisons false or its arithmetic into an overflow.  These functions
 * accept plain decimal text and finite values only; the caller checks the
 * range it documents.
 */
#ifndef PEL_NUMTEXT_H
#define PEL_NUMTEXT_H

#include <stdbool.h>
#include <stdint.h>

/* Parses s as [+-]DIGITS[.DIGITS][(e|E)[+-]DIGITS] (".5" and "5." too),
 * nothing before or after it.  True with *v set when s is such a number
 * and finite in double (overflow and underflow to zero refused); false
 * otherwise, *v unchanged.  s may be NULL (false). */
bool num_real(const char *s, double *v);

/* Parses s as [+]DIGITS (at most 19 significant digits' worth: the value
 * must fit in int64_t).  True with *v set; false otherwise, *v unchanged.
 * s may be NULL (false). */
bool num_uint(const char *s, uint64_t *v);

/* True when s is a whole number (no fraction): for settings that are
 * counts or seconds.  v as num_real gave it. */
bool num_is_whole(double v);

#endif
