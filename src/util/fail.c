/*
 * fail.c -- pel_fail and pel_vfail (fail.h).
 *
 * The message is formatted into a buffer of the message's size plus a
 * margin, so that an over-long one is known to be over-long, then cut at a
 * UTF-8 character boundary with "..." appended.  No allocation: a failure
 * to report an out-of-memory must not itself need memory.
 */
#include <stdio.h>
#include <string.h>

#include "util/fail.h"

pel_status pel_vfail(pel_error *err, pel_status code, const char *fmt, va_list ap) {
    if (!err)
        return code;
    char buf[sizeof err->msg + 1]; /* one more byte: a message that fills it did not fit */
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n < 0)
        buf[0] = 0;
    else if ((size_t)n >= sizeof err->msg) {
        /* keep what fits before "...", backing off to a character's start */
        size_t keep = sizeof err->msg - 4;
        while (keep > 0 && ((unsigned char)buf[keep] & 0xC0) == 0x80)
            keep--;
        memcpy(buf + keep, "...", 4);
    }
    err->code = code;
    memcpy(err->msg, buf, strlen(buf) + 1);
    return code;
}

pel_status pel_fail(pel_error *err, pel_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pel_status st = pel_vfail(err, code, fmt, ap);
    va_end(ap);
    return st;
}
