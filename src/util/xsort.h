/*
 * xsort.h -- qsort and bsearch for arrays that may be empty.  Internal to
 * libpelorus.
 *
 * C17 7.22.5 requires the array pointer of qsort and bsearch to be valid
 * even when the count is zero, and glibc declares it nonnull: an empty
 * vector that never allocated (NULL, 0) is undefined behaviour, which the
 * sanitizer build aborts on.  Every sort and binary search in src/ goes
 * through these two (tests/robust_test.sh checks that none calls qsort or
 * bsearch directly).  memcpy, memmove and memcmp have the same rule; their
 * call sites copy from fixed buffers or checked pointers.
 */
#ifndef PEL_XSORT_H
#define PEL_XSORT_H

#include <stdlib.h>

/* Sorts n elements of size bytes at base; base may be NULL when n < 2. */
static inline void xqsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *)) {
    if (n > 1)
        qsort(base, n, size, cmp);
}

/* bsearch that finds nothing in an empty array (base may then be NULL). */
static inline void *xbsearch(const void *key, const void *base, size_t n, size_t size,
                             int (*cmp)(const void *, const void *)) {
    return n ? bsearch(key, base, n, size, cmp) : NULL;
}

#endif
