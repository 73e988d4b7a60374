/*
 * numtext.c -- strict decimal numbers for numtext.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "util/numtext.h"

static bool digit(char c) {
    return c >= '0' && c <= '9';
}

bool num_real(const char *s, double *v) {
    if (!s)
        return false;
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    bool mant = false;
    while (digit(*p)) {
        p++;
        mant = true;
    }
    if (*p == '.') {
        p++;
        while (digit(*p)) {
            p++;
            mant = true;
        }
    }
    if (!mant)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!digit(*p))
            return false;
        while (digit(*p))
            p++;
    }
    if (*p)
        return false;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(d))
        return false;
    *v = d;
    return true;
}

bool num_uint(const char *s, uint64_t *v) {
    if (!s)
        return false;
    const char *p = *s == '+' ? s + 1 : s;
    if (!digit(*p))
        return false;
    uint64_t x = 0;
    for (; digit(*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (x > ((uint64_t)INT64_MAX - d) / 10)
            return false;
        x = x * 10 + d;
    }
    if (*p)
        return false;
    *v = x;
    return true;
}

bool num_is_whole(double v) {
    return isfinite(v) && floor(v) == v;
}
